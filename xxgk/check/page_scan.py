"""The spam, hidden-markup and off-site-link scan of a built site, before it is published (on all cores)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import Problem
from ..workers import map_chunks
from .lint import lint_html

# The footer links the ICP filing to the ministry's register, as the filing rules expect.
ALWAYS_ALLOWED = frozenset({"beian.miit.gov.cn"})


def scan(site: Path, allowed_hosts: frozenset[str], shown: Callable[[Path], str]) -> list[Problem]:
    """Every finding of the built-page linter in every HTML page under site."""
    pages = [(shown(path), path) for path in sorted(site.rglob("*.html"))]
    return map_chunks(_scan_chunk, allowed_hosts | ALWAYS_ALLOWED, pages)


def _scan_chunk(allowed_hosts: frozenset[str], pages: list[tuple[str, Path]]) -> list[Problem]:
    return [problem for shown, path in pages
            for problem in lint_html(shown, path.read_text(encoding="utf-8", errors="replace"), allowed_hosts=allowed_hosts)]
