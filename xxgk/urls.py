"""Where every page lives: output paths as pure functions, and links relative to the page they are on."""

from __future__ import annotations

import hashlib
import re

from slugify import slugify

_SAFE_SEGMENT = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]*(\.[0-9A-Za-z_-]+)*")


def document_path(index_no: str) -> str:
    """The permanent page of a document, derived from its index number alone (never its title)."""
    segments = index_no.split("/")
    if all(_SAFE_SEGMENT.fullmatch(s) for s in segments):
        return "doc/" + "/".join(segments) + ".html"
    return f"doc/{slugify(index_no) or 'x'}-{_short_hash(index_no)}.html"


def section_of(path: str) -> str:
    """The part of the site a page belongs to, for the navigation: "column/zn", "catalog", "category"; "" for home."""
    parts = path.split("/")
    if len(parts) == 1:
        return ""
    return "/".join(parts[:2]) if parts[0] == "column" else parts[0]


def attachment_path(document_page: str, filename: str) -> str:
    """Attachments of a document sit in a folder named like its page."""
    return f"{document_page.removesuffix('.html')}/{filename}"


def listing_path(base: str, number: int = 1) -> str:
    """Page `number` of a paginated listing rooted at folder `base` (e.g. "catalog")."""
    return f"{base}/index.html" if number == 1 else f"{base}/{number}/index.html"


def term_slugs(names: list[str]) -> dict[str, str]:
    """Readable ASCII slugs for facet terms; names whose slugs would collide get a short hash."""
    plain = {name: slugify(name) or _short_hash(name) for name in names}
    counts: dict[str, int] = {}
    for slug in plain.values():
        counts[slug] = counts.get(slug, 0) + 1
    return {name: slug if counts[slug] == 1 else f"{slug}-{_short_hash(name)}" for name, slug in plain.items()}


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]


class Linker:
    """Turns site paths into hrefs from one page: relative, so the site works under any sub-path."""

    def __init__(self, page: str, absolute_base: str | None = None):
        self._prefix = absolute_base if absolute_base is not None else "../" * page.count("/")

    @property
    def prefix(self) -> str:
        """What every href from this page starts with: "../../" two folders down, or the absolute base path."""
        return self._prefix

    def __call__(self, target: str) -> str:
        if target.endswith("index.html"):
            target = target[: -len("index.html")]
        return self._prefix + target or "./"
