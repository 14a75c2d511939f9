"""A small link checker over a built site: every internal href/src must name a file that exists."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

_LINK = re.compile(r"""(?:href|src)="([^"]*)\"""")


def broken_links(site: Path, base_path: str = "/") -> list[str]:
    """`page -> link` for each internal link or asset that does not resolve to a file in site."""
    broken = []
    for page in sorted(site.rglob("*.html")):
        page_path = PurePosixPath(page.relative_to(site).as_posix())
        for link in _LINK.findall(page.read_text(encoding="utf-8")):
            target = _resolve(link, page_path, base_path)
            if target is not None and not _exists(site, target):
                broken.append(f"{page_path} -> {link}")
    return broken


def external_resources(site: Path) -> list[str]:
    """Scripts, stylesheets, images and fonts loaded from another host (a page must be whole on an intranet)."""
    pattern = re.compile(
        r"""<(?:script|img|link|iframe|source|video|audio|embed|object)\b[^>]*(?:src|href|data)="(https?:)?//[^"]*"[^>]*>"""
    )
    # <link rel="canonical">, rel="alternate" and the Dublin Core schema.* links name URLs; browsers never fetch them.
    named_only = re.compile(r'rel="(?:canonical|alternate|schema\.DC|schema\.DCTERMS)"')
    found = []
    for page in sorted(site.rglob("*.html")):
        found += [
            m.group(0) for m in pattern.finditer(page.read_text(encoding="utf-8")) if not named_only.search(m.group(0))
        ]
    for css in sorted(site.rglob("*.css")):
        found += re.findall(r"url\(\s*['\"]?(?:https?:)?//[^)]*\)|@import[^;]*", css.read_text(encoding="utf-8"))
    return found


def _resolve(link: str, page: PurePosixPath, base_path: str) -> PurePosixPath | None:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("#", "mailto:", "tel:")):
        return None
    path = unquote(parts.path)
    if not path:
        return None
    if path.startswith("/"):
        if not path.startswith(base_path):
            return PurePosixPath("__outside_base_path__")
        return PurePosixPath(path[len(base_path) :] or ".")
    return PurePosixPath(page.parent, path)


def _exists(site: Path, target: PurePosixPath) -> bool:
    parts = []
    for part in target.parts:
        if part == "..":
            if not parts:
                return False
            parts.pop()
        elif part != ".":
            parts.append(part)
    path = site.joinpath(*parts)
    return path.is_file() or (path / "index.html").is_file()
