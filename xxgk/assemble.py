"""Stage 4: gather the published documents into the site model: 目录, columns and browse facets."""

from __future__ import annotations

from bisect import insort
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from operator import attrgetter, methodcaller

from .config import Column, Config
from .frontmatter import HEADINGS
from .model import (
    GENRES,
    VALIDITY_VALUES,
    CatalogEntry,
    Document,
    DocumentFacts,
    Facet,
    Listing,
    ListingPage,
    NavLink,
    PageLink,
    Relations,
    Site,
)
from .taxonomy import load_tree
from .urls import listing_path, term_slugs


def partition(documents: Iterable[Document], today: date) -> tuple[list[Document], list[Document], list[Document]]:
    """The documents published by `today`, those scheduled after it, and the drafts, each in listing order."""
    parts: tuple[list[Document], list[Document], list[Document]] = ([], [], [])
    for doc in in_listing_order(documents):
        parts[_part(doc, today)].append(doc)
    return parts


def in_listing_order(documents: Iterable[Document]) -> list[Document]:
    """The documents in Document.sort_key's order, sorted by C-level keys: by index number, then (a stable sort,
    which reverse=True keeps stable) newest first."""
    ordered = sorted(documents, key=attrgetter("index_no"))
    ordered.sort(key=attrgetter("published"), reverse=True)
    return ordered


def counts(documents: Iterable[DocumentFacts], today: date) -> tuple[int, int, int]:
    """How many documents partition() puts in each part (without sorting them)."""
    found = Counter(_part(doc, today) for doc in documents)
    return found[0], found[1], found[2]


def _part(doc: DocumentFacts, today: date) -> int:
    """0: published by today; 1: scheduled after it; 2: a draft."""
    return 2 if doc.draft else int(doc.published > today)


def assemble(documents: list[Document], config: Config, today: date, reports: Sequence[CatalogEntry] = ()) -> Site:
    """Build the whole site model; documents dated after `today` and drafts are held back. `reports` are the annual
    reports' 目录 rows: listed in the 目录 among the documents by date once published, and nowhere else."""
    live, held_back, drafts = partition(documents, today)
    live = _unpublished_references_left_out(live)
    catalog: list[Document | CatalogEntry] = list(live)  # already in sort_key's order: only the reports go in
    for report in (r for r in reports if r.published <= today):  # after the entries it ties with, as a stable sort
        insort(catalog, report, key=methodcaller("sort_key"))
    size = config.page_size
    return Site(
        documents=tuple(live),
        catalog=paginate("catalog", "政府信息公开目录", "catalog", catalog, size),
        # A column set to hide_empty (the 第二十条 items by default) is built only once it has a document.
        columns=_columns(live, config),
        facets=(
            _category_facet(live, config, size),
            _publisher_facet(live, config, size),
            _year_facet(live, size),
            _genre_facet(live, config, size),
            _validity_facet(live, size),
        ),
        held_back=tuple(held_back),
        drafts=tuple(drafts),
        urls={d.index_no: d.path for d in live},
        relations=relations(live),
    )


def _unpublished_references_left_out(live: list[Document]) -> list[Document]:
    """The documents with 解读对象 and 替代文件 naming a document not yet published (scheduled or a draft) left empty:
    its 索引号 must not appear on the portal, in a JSON twin or in the catalogue before the document itself does."""
    published = {d.index_no for d in live}
    known = published | {""}  # once: a set of every 索引号 built per document made this quadratic
    return [
        doc
        if doc.interprets in known and doc.replaced_by in known
        else replace(doc, interprets=_if_in(doc.interprets, published), replaced_by=_if_in(doc.replaced_by, published))
        for doc in live
    ]


def _if_in(index_no: str, published: set[str]) -> str:
    return index_no if index_no in published else ""


def _columns(live: list[Document], config: Config) -> tuple[Listing, ...]:
    """Every column's listing; a column set to hide_empty (the 第二十条 items by default) only once it has a
    document."""
    own = _grouped(live, attrgetter("column"))  # in live's order, as are the listings
    listings = (_column(c, live, own, config) for c in config.columns)
    return tuple(
        listing for c, listing in zip(config.columns, listings, strict=True) if listing.total or not c.hide_empty
    )


def _column(column: Column, live: list[Document], own: dict[str, list[Document]], config: Config) -> Listing:
    """A column's listing: its own documents (own: each column's) and those of its sub-columns (the 第二十条 items
    of 法定主动公开内容)."""
    keys = {column.key, *(c.key for c in config.columns if c.parent == column.key)}
    parent = config.column(column.parent) if column.parent else None
    return paginate(
        "column",
        column.title,
        f"column/{column.key}",
        own.get(column.key, []) if len(keys) == 1 else [d for d in live if d.column in keys],
        config.page_size,
        column.description,
        (parent.title, listing_path(f"column/{parent.key}")) if parent else ("", ""),
    )


def relations(live: list[Document]) -> dict[str, Relations]:
    """Two-way links between policies and their interpretations, and from a replaced document to its successor."""
    by_index = {d.index_no: d for d in live}

    def link(index_no: str) -> NavLink | None:  # made only for the few documents another one names
        doc = by_index.get(index_no)
        return None if doc is None else NavLink(doc.title, doc.path)

    interpretations: dict[str, list[NavLink]] = defaultdict(list)
    for doc in reversed(live):  # oldest first: interpretations listed in the order they came out
        if doc.interprets in by_index:
            interpretations[doc.interprets].append(NavLink(doc.title, doc.path))
    found = {}
    for doc in live:
        if doc.index_no in interpretations or doc.interprets in by_index or doc.replaced_by in by_index:
            found[doc.index_no] = Relations(
                tuple(interpretations.get(doc.index_no, ())), link(doc.interprets), link(doc.replaced_by)
            )
    return found


def paginate(
    kind: str,
    title: str,
    base: str,
    documents: Sequence[Document | CatalogEntry],
    size: int,
    description: str = "",
    parent: tuple[str, str] = ("", ""),
) -> Listing:
    """Cut documents (already in order) into pages of `size`; an empty list still has one page."""
    count = max(1, -(-len(documents) // size))
    links = tuple(PageLink(n, listing_path(base, n)) for n in range(1, count + 1))
    pages = tuple(
        ListingPage(links[n - 1].url, n, tuple(documents[(n - 1) * size : n * size]), links)
        for n in range(1, count + 1)
    )
    return Listing(kind, title, links[0].url, len(documents), pages, description, *parent)


def _grouped(documents: list[Document], key: Callable[[Document], str]) -> dict[str, list[Document]]:
    """The documents by key(doc), each group in the documents' order; a document whose key is empty is in none."""
    groups: dict[str, list[Document]] = defaultdict(list)
    deque(map(list.append, map(groups.__getitem__, map(key, documents)), documents), 0)  # C-level calls only
    groups.pop("", None)
    return groups


def _category_facet(live: list[Document], config: Config, size: int) -> Facet:
    tree = load_tree(config.extra_categories)
    tops = _grouped(live, lambda d: d.category.partition("\\")[0])
    subs = _grouped([d for d in live if "\\" in d.category], attrgetter("category"))
    slugs = term_slugs(sorted({*tops, *(s.partition("\\")[2] for s in subs)}))
    terms: list[Listing] = []
    for top in sorted(tops, key=lambda t: (tree.order(t), t)):
        base = f"category/{slugs[top]}"
        terms.append(paginate("category", top, base, tops[top], size))
        for sub in sorted((s for s in subs if s.partition("\\")[0] == top), key=tree.names().index):
            name = sub.partition("\\")[2]
            terms.append(
                paginate("category", name, f"{base}/{slugs[name]}", subs[sub], size, parent=(top, listing_path(base)))
            )
    return Facet("category", HEADINGS["category"], "category/index.html", tuple(terms))


def _publisher_facet(live: list[Document], config: Config, size: int) -> Facet:
    groups = _grouped(live, attrgetter("publisher"))
    listed = [b.name for b in config.bodies]
    order = sorted(groups, key=lambda n: (listed.index(n) if n in listed else len(listed), n))
    configured = {b.name: b.slug for b in config.bodies}
    slugs = term_slugs([n for n in order if n not in configured])
    return Facet(
        "publisher",
        HEADINGS["publisher"],
        "publisher/index.html",
        tuple(
            paginate("publisher", name, f"publisher/{configured.get(name) or slugs[name]}", groups[name], size)
            for name in order
        ),
    )


def _year_facet(live: list[Document], size: int) -> Facet:
    groups = _grouped(live, lambda d: str(d.year))
    return Facet(
        "year",
        "年份",
        "year/index.html",
        tuple(
            paginate("year", f"{year}年", f"year/{year}", groups[year], size) for year in sorted(groups, reverse=True)
        ),
    )


def _genre_facet(live: list[Document], config: Config, size: int) -> Facet:
    groups = _grouped(live, attrgetter("genre"))
    known = [*GENRES, *config.extra_genres]
    slugs = term_slugs(sorted(groups))
    return Facet(
        "genre",
        HEADINGS["genre"],
        "genre/index.html",
        tuple(
            paginate("genre", genre, f"genre/{slugs[genre]}", groups[genre], size)
            for genre in sorted(groups, key=lambda g: (known.index(g) if g in known else len(known), g))
        ),
    )


def _validity_facet(live: list[Document], size: int) -> Facet:
    groups = _grouped(live, attrgetter("validity"))
    slugs = {"有效": "in-force", "失效": "expired", "废止": "repealed"}
    return Facet(
        "validity",
        HEADINGS["validity"],
        "validity/index.html",
        tuple(
            paginate("validity", value, f"validity/{slugs[value]}", groups[value], size)
            for value in VALIDITY_VALUES
            if value in groups
        ),
    )
