"""Which pages must be rendered again: each page's inputs hashed into a key, and the key each page of the previous
build was rendered from, so a page whose key is unchanged is linked from the previous build instead.

A key covers everything its template can see: the tool's code, libraries and config (cache.fingerprint), the
bytes of every template, the navigation shared by all pages, and the page's own values (a document page: the
document, its relations and its 上一篇/下一篇; a listing page: the listing, that page's rows and its pager). The
record is kept beside the output (site/ -> .site-cache/pages.record) and written only once the build is published;
a missing, damaged or foreign record, or a file no longer as the manifest says, means the page is rendered.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from itertools import compress
from operator import attrgetter
from pathlib import Path

from . import records, theme
from .cache import fingerprint, stable
from .config import Config
from .key_memo import KeyMemo
from .model import CatalogEntry, Document, Facet, Listing, ListingPage, NavLink, document_digest, metadata_digest
from .output import Staging
from .render import PageContext

FORMAT = 3  # 2: entries are (key, SHA-256, size) tuples in a marshalled record; 3: a listing's rows joined


def shared_key(config: Config, context: PageContext) -> str:
    """The key of what every page shares: code, libraries, config, template bytes and the navigation."""
    digest = hashlib.sha256(fingerprint(config, FORMAT).encode())
    for folder in theme.search_path(config.templates_dir, "templates"):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    digest.update(stable([context.catalog, context.columns, context.facets, context.annual_reports]).encode())
    return digest.hexdigest()


def _key(*parts: object, rows: str = "") -> str:
    """The SHA-256 of the parts' repr followed by rows (a listing page's, see _rows: hashed as they are, a repr of
    some 1,300 characters being the larger part of a listing page's key)."""
    digest = hashlib.sha256(repr(parts).encode("utf-8"))
    digest.update(rows.encode("utf-8"))
    return digest.hexdigest()


def _values(cls: type, leave_out: tuple[str, ...] = ()) -> Callable[[object], tuple]:
    """A function giving the values of every field of a dataclass, but those left out, as a tuple: what its repr
    shows, at a fraction of the cost (a key is made for every page of every build)."""
    return attrgetter(*(f.name for f in dataclasses.fields(cls) if f.name not in leave_out))


_link_values = _values(NavLink)
_listing_values = _values(Listing, leave_out=("pages",))  # a page's own rows and pager are in its key


def _link(link: NavLink | None) -> tuple | None:
    return None if link is None else _link_values(link)


def document_key(shared: str, doc: Document, context: PageContext, memo: KeyMemo | None = None) -> str:
    """The key of a document's page and JSON twin (through memo, when given)."""
    before, after = context.neighbours.get(doc.index_no) or (None, None)
    relations = context.relations.get(doc.index_no)  # few documents have any: its repr is cheap enough

    def make() -> str:
        return _key(shared, doc.path, document_digest(doc), relations, _link(before), _link(after))

    return make() if memo is None else memo.key(doc.path, (shared, relations, before, after), (doc,), make)


def catalog_key(shared: str, catalog: Listing) -> str:
    """The key of catalog.json and catalog.csv: each row of the 目录 (a document's fields but its body, see
    model.metadata_digest; an annual report's entry), in order."""
    rows = "\n".join(
        metadata_digest(entry) if isinstance(entry, Document) else repr(entry)
        for page in catalog.pages
        for entry in page.documents
    )
    return _key(shared, "catalog", hashlib.sha256(rows.encode("utf-8")).hexdigest())


def _row(entry: Document | CatalogEntry) -> str:
    return document_digest(entry) if isinstance(entry, Document) else repr(entry)


_digest_of = attrgetter("digest")


def _rows(entries: tuple[Document | CatalogEntry, ...]) -> str:
    """A listing page's rows, one a line: a document's digest (model.document_digest), an annual report's repr."""
    # Twenty rows on each of some 40,000 listing pages at 100,000 documents: their digests were worked out as the
    # documents were read, so they are taken in one C-level pass when every row has one.
    try:
        digests = list(map(_digest_of, entries))
    except AttributeError:  # an annual report's entry among them (the 目录)
        digests = []
    return "\n".join(digests if digests and all(digests) else map(_row, entries))


class ListingKeys:
    """The keys of a build's listing pages: one page's key is the listing's own fields, its rows and pager, and
    the facet's terms (a 一级 主题分类 page lists its 二级 terms). A listing's fields, a pager and a facet's terms
    are shared by up to hundreds of pages, so each is hashed once."""

    def __init__(self, shared: str, memo: KeyMemo | None = None):
        self.shared, self._memo = shared, memo
        self._digests: dict[int, tuple[object, str]] = {}  # id -> (the value, kept alive so ids stay unique; digest)

    def key(self, listing: Listing, page: ListingPage, facet: Facet | None) -> str:
        own = self._digest(listing, lambda value: repr(_listing_values(value)))
        terms = facet and (facet.kind, facet.title, facet.url, self._digest(facet.terms, _terms))
        pager = self._digest(page.pages, repr)

        def make() -> str:
            return _key(self.shared, own, page.url, page.number, pager, terms, rows=_rows(page.documents))

        if self._memo is None:
            return make()
        return self._memo.key(page.url, (self.shared, own, page.number, pager, terms), page.documents, make)

    def _digest(self, value: object, text: Callable[[object], str]) -> str:
        found = self._digests.get(id(value))
        if found is None or found[0] is not value:
            found = self._digests[id(value)] = (value, _key(text(value)))
        return found[1]


def _terms(terms: tuple[Listing, ...]) -> str:
    return repr(tuple((t.title, t.url, t.total, t.parent, t.parent_url) for t in terms))


class PageRecord:
    """The key each page (and catalog file) was made from (site path -> [key, SHA-256, size of its bytes]), previous
    and new."""

    def __init__(self, path: Path | None, parsed: records.Parsed | None = None):
        self.path, self._parsed, self._previous = path, parsed, _load(path, parsed)
        self._new: dict[str, str] = {}  # site path -> key, for every page this build rendered or linked

    def reuse(self, stage: Staging, dests: tuple[str, ...], key: str) -> bool:
        """Link every one of dests from the previous build when each was rendered from key and is still there as
        it was; else link none (they are then rendered) and return False. Either way key is noted for them."""
        files = {}
        for dest in dests:
            self._new[dest] = key
        for dest in dests:
            entry = self._previous.get(dest)
            if entry is None or entry[0] != key:
                return False
            files[dest] = entry[1:]  # its SHA-256 and size
        return stage.keep(files)

    def encoded(self, stage: Staging) -> bytes:
        """The record of this build, once every page was written into stage."""
        written, sizes = stage.written(), stage.sizes()
        # In the order the pages were made: the same for the same site, so the same bytes. Only those written (a
        # digest, not "" or None), in C-level passes over some 240,000 pages at 100,000 documents.
        dests = list(self._new)
        digests = list(map(written.get, dests))
        entries = zip(self._new.values(), digests, map(sizes.get, dests), strict=True)
        body = dict(compress(zip(dests, entries, strict=True), digests))
        data = records.encoded(_RECORD_KEY, body)
        if self._parsed is not None:  # what _entries(data) gives
            self._parsed.remember(_RECORD_KEY, data, body)
        return data


_RECORD_KEY = f"pages {FORMAT}"


def _load(path: Path | None, parsed: records.Parsed | None) -> dict[str, tuple[str, str, int]]:
    """The previous record's entries; none from a missing, damaged or foreign one."""
    try:
        data = path.read_bytes() if path else b""
    except OSError:
        return {}
    return _entries(data) if parsed is None else parsed.of(_RECORD_KEY, data, _entries)


def _entries(data: bytes) -> dict[str, tuple[str, str, int]]:
    """The entries of a record's bytes (as PageRecord.encoded wrote them: its key names this format, its checksum
    vouches for the bytes); none from a damaged or foreign one."""
    body = records.body(data, _RECORD_KEY)
    return body if isinstance(body, dict) else {}
