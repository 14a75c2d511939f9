"""The same synthetic documents as bench/corpus.py, written as a minimal Hugo project for comparison.

python bench/hugo_corpus.py ROOT N [SEED] writes ROOT/hugo.toml, ROOT/layouts/ and ROOT/content/doc/*.md.
Hugo has no default theme, so two small layouts give every document a page and a paginated list.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Document, generate_documents  # noqa: E402

CONFIG = """\
baseURL = "https://www.example.gov.cn/"
languageCode = "zh-cn"
title = "示例市政府信息公开（基准测试）"
paginate = 20
disableKinds = ["RSS", "taxonomy", "term"]
"""
LAYOUTS = {
    "_default/baseof.html": '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }}</title>'
    '</head><body>{{ block "main" . }}{{ end }}</body></html>\n',
    "_default/single.html": '{{ define "main" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }} '
    "{{ .Params.publisher }}</p>{{ .Content }}{{ end }}\n",
    "_default/list.html": '{{ define "main" }}<ul>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">'
    '{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>{{ end }}\n',
    "index.html": '{{ define "main" }}<ul>{{ range first 10 .Site.RegularPages }}<li>{{ .Title }}</li>{{ end }}'
    "</ul>{{ end }}\n",
}


def hugo_markdown(doc: Document) -> str:
    """One Hugo content file: JSON front matter (Hugo reads it as is), blank line, body."""
    meta = {
        "title": doc.title,
        "date": doc.published.isoformat(),
        "publisher": doc.publisher,
        "categories": [doc.category.split("\\", 1)[0]],
        "summary": doc.summary,
        "slug": doc.slug,
    }
    return json.dumps(meta, ensure_ascii=False) + "\n\n" + doc.body


def generate(root: Path, n: int, seed: int = 1) -> None:
    """Write the Hugo twin at root for n documents."""
    shutil.rmtree(root / "content", ignore_errors=True)
    (root / "content" / "doc").mkdir(parents=True)
    (root / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    for name, text in LAYOUTS.items():
        (root / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "layouts" / name).write_text(text, encoding="utf-8")
    for doc in generate_documents(n, seed)[1]:
        (root / "content" / "doc" / f"{doc.slug}.md").write_text(hugo_markdown(doc), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: python bench/hugo_corpus.py ROOT N [SEED]")
    generate(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 1)
