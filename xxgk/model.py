"""The site model: documents as read and validated, and the listings assembled from them. No I/O."""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .pickled import Pending, quick_state, slot_getter, slot_setter, state_without
from .urls import section_of

VALIDITY_VALUES = ("有效", "失效", "废止")

NORMATIVE_KINDS = ("规章", "行政规范性文件")
# The 统一编号 most provinces give a 行政规范性文件: the issuing body's 代字 ends with 规 before the year (深府规〔2020〕1号).  # noqa: E501
NORMATIVE_MARK = re.compile(r"规\s*[〔\[［(（【﹝]\s*\d{4}")

GENRES = (
    "决议",
    "决定",
    "命令",
    "令",
    "公报",
    "公告",
    "通告",
    "意见",
    "通知",
    "通报",
    "报告",
    "请示",
    "批复",
    "议案",
    "函",
    "纪要",
)


@quick_state
@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to a document, kept next to it in content/."""

    src: str  # path relative to the content folder, posix
    title: str
    size: int  # bytes
    digest: str = ""  # SHA-256 of the bytes as read: while the document's cache entry holds, they are not read again


@quick_state
@dataclass(frozen=True, slots=True)
class Heading:
    """A heading of a document body, for its table of contents."""

    level: int
    anchor: str
    text: str


@quick_state(as_bytes=("summary", "body_html", "body_text"), deferrable=("body_html", "body_text", "headings"))
@dataclass(frozen=True, slots=True)
class Document:
    """One disclosure document with its validated metadata and its sanitised body."""

    src: str  # path shown to editors, e.g. "content/fdzdgknr/a.md"
    title: str
    index_no: str
    publisher: str
    published: date
    published_time: str = ""  # "HH:MM" when the 发布日期 was given with a time
    written: date | None = None
    category: str = ""
    genre: str = ""
    doc_no: str = ""
    keywords: tuple[str, ...] = ()
    summary: str = ""
    validity: str = "有效"
    repealed: date | None = None
    interprets: str = ""  # index number of the policy this document interprets (政策解读)
    replaced_by: str = ""  # index number of the document that replaces this 失效/废止 one
    attachments: tuple[Attachment, ...] = ()
    draft: bool = False
    column: str = ""
    extra: tuple[tuple[str, str], ...] = ()
    allow: tuple[tuple[str, str], ...] = ()  # (lint rule code, the reason it does not apply to this document)
    path: str = ""  # the permanent page, from urls.document_path(index_no)
    body_html: str = ""  # sanitised; marked safe in render.py only
    body_text: str = ""
    headings: tuple[Heading, ...] = ()
    lines: dict[str, int] = field(default_factory=dict, compare=False)  # front-matter key -> line
    # (code, message) of every rule finding in the source, allowed ones included: the built-page scan does not
    # report these again, so only what a template, the config or static files brought in is new there.
    seen: frozenset[tuple[str, str]] = field(default=frozenset(), compare=False)
    # Every file its attachments and body links name, valid or not, as written from its folder: how `check PATH…` of
    # such a file finds the documents whose findings it reports (one whose attachment the rules refuse too).
    named_files: tuple[str, ...] = field(default=(), compare=False)
    # The SHA-256 of every compared field but src, filled in by document_digest() on first use (a memo of a pure
    # function of this object's own fields; replace() leaves it empty in the copy, so it can never go stale).
    digest: str = field(default="", init=False, repr=False, compare=False)
    # Likewise for every compared field but the body and headings, by metadata_digest(): what a row of catalog.json
    # or catalog.csv can show (opendata.metadata reads fewer), so an edit of the body alone leaves them as they were.
    metadata_digest: str = field(default="", init=False, repr=False, compare=False)

    @property
    def year(self) -> int:
        return self.published.year

    @property
    def in_force(self) -> bool:
        return self.validity == "有效"

    @property
    def normative_kind(self) -> str:
        """规章 or 行政规范性文件 when the document is one, else "": its `extra: {文件类型: …}`, 令 for 规章, or a 文号
        with the 规 mark of a 行政规范性文件's 统一编号 (深坪府规〔2021〕1号), whatever brackets were typed."""
        declared = dict(self.extra).get("文件类型", "")
        if declared in NORMATIVE_KINDS:
            return declared
        if declared == "非规范性文件":
            return ""
        if self.genre in ("令", "命令"):
            return "规章"
        return "行政规范性文件" if NORMATIVE_MARK.search(self.doc_no) else ""

    def sort_key(self) -> tuple:
        """Newest first, then by index number, so equal dates still order the same way every build."""
        return (-self.published.toordinal(), self.index_no)


@quick_state
@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules between documents (check.validate, annual.index_number_problems), check's counts and the scope
    of `check PATH…` (check.scope) read of a Document, which has each of these fields too: all `check` reads back of
    an unchanged document (see content.FACTS). lines holds the lines of these fields only."""

    src: str
    index_no: str
    published: date
    written: date | None
    interprets: str
    replaced_by: str
    draft: bool
    path: str
    lines: dict[str, int]
    named_files: tuple[str, ...] = ()  # for `check PATH…` of an attachment: the documents that name it


# A document or its Facts: either has every field the rules between documents read.
DocumentFacts = Document | Facts
_FACT_NAMES = tuple(f.name for f in dataclasses.fields(Facts) if f.name != "lines")


def facts_of(doc: Document) -> Facts:
    """doc's Facts."""
    lines = {name: line for name, line in doc.lines.items() if name in _FACT_NAMES}
    return Facts(**{name: getattr(doc, name) for name in _FACT_NAMES}, lines=lines)


# What a page, feed or index can show of a document: every compared field but the source's path, which is shown
# to editors from the working folder (a build run from another folder must not make every page and index record
# look changed) and is shown on no page.
_SHOWN = tuple(f.name for f in dataclasses.fields(Document) if f.compare and f.name != "src")
_BODY_FIELDS = ("body_html", "body_text", "headings")
_METADATA = tuple(name for name in _SHOWN if name not in _BODY_FIELDS)

# What a document's metadata leaves out: its body, as HTML and as text, and its table of contents.
_BODY = dict(zip(_BODY_FIELDS, (b"", b"", ()), strict=True))
_BODY_SLOTS = tuple((slot_getter(Document, name), slot_setter(Document, name)) for name in _BODY)

# doc's pickled state with its body and headings left empty (and not encoded): what listings, feeds and every rule
# read, kept apart so that an unchanged document is read back without its body.
metadata_state = state_without(Document, _BODY)


def metadata_only(state: tuple, body: Pending | None = None) -> Document:
    """The document of a metadata_state(): its body and headings are empty, or, with body, read (body.fill) when
    first asked for."""
    doc = object.__new__(Document)
    doc.__setstate__(state)
    if body is not None:
        for _, set_slot in _BODY_SLOTS:
            set_slot(doc, body)
    return doc


def fill_body(doc: Document, whole: Document | None) -> None:
    """Give doc (of metadata_only) the body and headings of whole, the same document read back whole."""
    if whole is None:
        raise TypeError("a document's whole entry holds no document")
    for get_slot, set_slot in _BODY_SLOTS:
        set_slot(doc, get_slot(whole))


def document_digest(doc: Document) -> str:
    """The SHA-256 of everything a page or an index can show of doc, computed once per object (see Document.digest)."""
    return _memo_digest(doc, "digest", _SHOWN)


def metadata_digest(doc: Document) -> str:
    """The SHA-256 of everything but the body that a page can show of doc, computed once per object (see
    Document.metadata_digest)."""
    return _memo_digest(doc, "metadata_digest", _METADATA)


def _memo_digest(doc: Document, memo: str, names: tuple[str, ...]) -> str:
    if not getattr(doc, memo):
        values = pickle.dumps(tuple(getattr(doc, name) for name in names), protocol=5)
        object.__setattr__(doc, memo, hashlib.sha256(values).hexdigest())
    return getattr(doc, memo)


@dataclass(frozen=True, slots=True)
class PageLink:
    """One numbered page of a paginated listing."""

    number: int
    url: str


@dataclass(frozen=True, slots=True)
class ListingPage:
    """One page of a paginated list of documents."""

    url: str  # site path of this page, e.g. "catalog/2/index.html"
    number: int
    documents: tuple[Document | CatalogEntry, ...]  # CatalogEntry rows only in the 目录
    pages: tuple[PageLink, ...]  # every page of the listing, for the pager

    @property
    def count(self) -> int:
        return len(self.pages)

    @property
    def previous(self) -> PageLink | None:
        return self.pages[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> PageLink | None:
        return self.pages[self.number] if self.number < len(self.pages) else None

    def pager(self, reach: int = 3) -> tuple[PageLink | None, ...]:
        """The page links a pager shows: the first, the last and `reach` around this one; None marks a gap."""
        last = len(self.pages)
        shown = sorted({1, last, *range(max(1, self.number - reach), min(last, self.number + reach) + 1)})
        items: list[PageLink | None] = []
        for number in shown:
            if items and items[-1] is not None and number - items[-1].number > 1:
                items.append(None)
            items.append(self.pages[number - 1])
        return tuple(items)


@dataclass(frozen=True, slots=True)
class Listing:
    """A titled, paginated list of documents: the 目录, a column, or one term of a facet."""

    kind: str  # "catalog", "column", "category", "publisher", "year", "genre"
    title: str
    url: str  # first page
    total: int
    pages: tuple[ListingPage, ...]
    description: str = ""
    parent: str = ""  # title of the enclosing term (a 一级 category for a 二级 one)
    parent_url: str = ""


@dataclass(frozen=True, slots=True)
class Facet:
    """A way to browse (主题分类, 发布机构, 年份, 文种) with its terms in display order."""

    kind: str
    title: str
    url: str  # the page listing every term
    terms: tuple[Listing, ...]


@dataclass(frozen=True, slots=True)
class NavLink:
    """A link in the navigation: a title, a site path, and how many documents lie behind it."""

    title: str
    url: str
    total: int = 0

    @property
    def section(self) -> str:
        """The part of the site this link leads into, as urls.section_of names it."""
        return section_of(self.url)


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """A row of the 目录 that is not a Document: an annual report (政府信息公开工作年度报告), published under 条例
    art. 50 and listed in the 目录 under art. 12, but built from reports/*.yaml. It is kept apart from Document so
    that it reaches the 目录 (HTML, catalog.json, catalog.csv) and nothing else: not the facets, feeds, search
    index or document rules, which all read Site.documents. It has the attributes the 目录's row template reads."""

    index_no: str
    title: str
    publisher: str
    published: date
    path: str
    summary: str
    column: str = ""
    written: date | None = None
    category: str = ""
    genre: str = ""
    doc_no: str = ""
    validity: str = ""  # a report has no legal force to be 有效 or 失效
    body_text: str = ""

    @property
    def in_force(self) -> bool:
        return True  # nothing to mark in the 目录

    def sort_key(self) -> tuple:
        """The same order as Document.sort_key, so the two sort together."""
        return (-self.published.toordinal(), self.index_no)


@dataclass(frozen=True, slots=True)
class Relations:
    """The links between one document and others: its 政策解读, the policy it interprets, what replaces it."""

    interpretations: tuple[NavLink, ...] = ()
    original: NavLink | None = None
    replaced_by: NavLink | None = None


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the renderer needs, gathered before anything is written."""

    documents: tuple[Document, ...]  # published now, newest first
    catalog: Listing  # the documents and the published annual reports (CatalogEntry), newest first
    columns: tuple[Listing, ...]
    facets: tuple[Facet, ...]
    held_back: tuple[Document, ...]  # scheduled for a later day
    drafts: tuple[Document, ...]
    urls: dict[str, str] = field(default_factory=dict, compare=False)  # index_no -> document page path
    relations: dict[str, Relations] = field(default_factory=dict, compare=False)  # index_no -> links, when any


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the built site: its path under the output folder and either its bytes or a file to copy."""

    dest: str
    data: bytes | None = None
    source: Path | None = None
    digest: str = ""  # SHA-256 of source's bytes when known: they are then read only if they must be copied
