"""The cost of the publishing gate in a cold build: the CPU seconds of every rule a build runs beyond rendering,
measured in one process over a corpus that bench/run.py has just built (its documents and its built pages).

python bench/gate_cost.py ROOT   ->   {"lint": seconds, "scan": seconds, "documents": n, "pages": n} on stdout

lint: the document rules (check.lint.lint_source) over every source file, as `read_all` runs them;
scan: the built-page rules over every HTML page of ROOT/site as a build without a cache runs them: in its order
(the listing pages swept together from their newest rows to their oldest, then the rest in path order), in the
chunks its workers take (each with a new check.page_lint.PageLinter, which reads the markup that pages share
once), BATCH pages at a time.
The pages are read from disk before the clock starts. The site model that gives the order is read from the build
cache the cold build left.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from xxgk import pipeline, render  # noqa: E402
from xxgk.check.lint import lint_source  # noqa: E402
from xxgk.check.page_lint import PageLinter  # noqa: E402
from xxgk.check.page_scan import ALWAYS_ALLOWED, BATCH, in_scan_order  # noqa: E402
from xxgk.config import load_config  # noqa: E402
from xxgk.workers import chunk_size  # noqa: E402


def main(root: Path) -> dict:
    config = load_config(root / "config.yaml")
    sources = [(str(p), p.read_text(encoding="utf-8")) for p in sorted(config.content_dir.rglob("*.md"))]
    site = pipeline.site_model(pipeline.check(config, date.today(), since=None, cached=True), config, date.today())
    dests = [p.relative_to(config.output_dir).as_posix() for p in config.output_dir.rglob("*.html")]
    order = [
        dest
        for _, dest in in_scan_order(
            {dest: dest for dest in dests}, [page.url for _, page, _ in render.listing_sweep(site)]
        )
    ]
    pages = [(config.output_dir / dest).read_text(encoding="utf-8") for dest in order]
    start = time.process_time()
    for src, text in sources:
        lint_source(src, text, allowed_hosts=config.allowed_hosts, official_phones=config.official_phones)
    lint = time.process_time() - start
    hosts, size = pipeline.scanned_hosts(config) | ALWAYS_ALLOWED, chunk_size(len(pages))
    start = time.process_time()
    for chunk in range(0, len(pages), size):
        linter = PageLinter(hosts)
        for at in range(chunk, min(chunk + size, len(pages)), BATCH):
            linter.lint_pages([("", html) for html in pages[at : min(at + BATCH, chunk + size)]])
    scan = time.process_time() - start
    return {"lint": lint, "scan": scan, "documents": len(sources), "pages": len(pages)}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
