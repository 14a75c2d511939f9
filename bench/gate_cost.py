"""The cost of the publishing gate in a cold build: the CPU seconds of every rule a build runs beyond rendering,
measured in one process over a corpus that bench/run.py has just built (its documents and its built pages).

python bench/gate_cost.py ROOT   ->   {"lint": seconds, "scan": seconds, "documents": n, "pages": n} on stdout

lint: the document rules (check.lint.lint_source) over every source file, as `read_all` runs them;
scan: the built-page rules over every HTML page of ROOT/site in path order, as a build without a cache runs them
(check.page_lint.PageLinter, which reads the markup that pages share once, BATCH pages at a time).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from xxgk.check.lint import lint_source  # noqa: E402
from xxgk.check.page_lint import PageLinter  # noqa: E402
from xxgk.check.page_scan import ALWAYS_ALLOWED, BATCH  # noqa: E402
from xxgk.config import load_config  # noqa: E402
from xxgk.pipeline import scanned_hosts  # noqa: E402


def main(root: Path) -> dict:
    config = load_config(root / "config.yaml")
    sources = [(str(p), p.read_text(encoding="utf-8")) for p in sorted(config.content_dir.rglob("*.md"))]
    pages = [p.read_text(encoding="utf-8") for p in sorted(config.output_dir.rglob("*.html"))]
    start = time.process_time()
    for src, text in sources:
        lint_source(src, text, allowed_hosts=config.allowed_hosts, official_phones=config.official_phones)
    lint = time.process_time() - start
    linter = PageLinter(scanned_hosts(config) | ALWAYS_ALLOWED)
    start = time.process_time()
    for at in range(0, len(pages), BATCH):
        linter.lint_pages([("", html) for html in pages[at : at + BATCH]])
    scan = time.process_time() - start
    return {"lint": lint, "scan": scan, "documents": len(sources), "pages": len(pages)}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
