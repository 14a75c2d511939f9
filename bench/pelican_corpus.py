"""The same synthetic documents as bench/corpus.py, written as a Pelican 4.x project for comparison.

python bench/pelican_corpus.py ROOT N [SEED] writes ROOT/pelicanconf.py and ROOT/content/*.md.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import Document, generate_documents  # noqa: E402

CONF = '''"""Pelican settings for the benchmark twin of the synthetic disclosure corpus."""

AUTHOR = "示例市人民政府办公室"
SITENAME = "示例市政府信息公开（基准测试）"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
DEFAULT_PAGINATION = 20
RELATIVE_URLS = False

# Feeds disabled, as on a plain Pelican development build.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# The content cache, switched on for the rebuild measurement.
CACHE_CONTENT = {cache}
LOAD_CONTENT_CACHE = {cache}
CACHE_PATH = "cache"
'''


def header_value(text: str) -> str:
    """A metadata value on one line (Pelican's Markdown header ends a value at the newline)."""
    return " ".join(text.split())


def pelican_markdown(doc: Document) -> str:
    """One Pelican Markdown article: metadata header, blank line, body."""
    category = doc.category.split("\\", 1)[0]
    lines = [
        f"Title: {header_value(doc.title)}",
        f"Date: {doc.published.isoformat()}",
        f"Category: {category}",
        f"Author: {doc.publisher}",
        f"Slug: {doc.slug}",
        f"Summary: {header_value(doc.summary)}",
    ]
    if doc.keywords:
        lines.insert(3, f"Tags: {', '.join(doc.keywords)}")
    return "\n".join(lines) + "\n\n" + doc.body


def write_conf(root: Path, cache: bool) -> None:
    """Write pelicanconf.py, with the content cache on or off."""
    (root / "pelicanconf.py").write_text(CONF.format(cache=cache), encoding="utf-8")


def generate(root: Path, n: int, seed: int = 1, cache: bool = False) -> None:
    """Write the Pelican twin at root: pelicanconf.py and content/<index-number slug>.md for n documents."""
    content = root / "content"
    shutil.rmtree(content, ignore_errors=True)
    content.mkdir(parents=True)
    write_conf(root, cache)
    for doc in generate_documents(n, seed)[1]:
        (content / f"{doc.slug}.md").write_text(pelican_markdown(doc), encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: python bench/pelican_corpus.py ROOT N [SEED]")
    generate(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 1)
