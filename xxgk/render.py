"""Stage 5: render the site model through Jinja templates into Outputs (path + bytes); nothing is written here."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import opendata, theme
from .config import Config
from .errors import Problem, TemplateError, shown_path
from .feeds import feed_path
from .frontmatter import HEADINGS
from .model import Attachment, Document, Facet, Listing, ListingPage, NavLink, Output, Relations, Site
from .urls import Linker, attachment_path, listing_path, section_of


@dataclass(frozen=True, slots=True)
class PageContext:
    """What every page shares; small, so it can travel to worker processes that render documents."""

    config: Config
    catalog: NavLink
    columns: tuple[NavLink, ...]
    facets: tuple[NavLink, ...]
    relations: dict[str, Relations]  # only documents that have links to others
    annual_reports: tuple[NavLink, ...] = ()  # newest first, shown in the 政府信息公开年报 column
    # index_no -> (上一篇, 下一篇): the newer and the older document of the same column (or of the 目录)
    neighbours: dict[str, tuple[NavLink | None, NavLink | None]] = field(default_factory=dict)

    def shown_columns(self, parent: str) -> tuple[NavLink, ...]:
        """The built columns under `parent` ("" for the top level), in config order (empty hide_empty ones are not
        built)."""
        found = (self.column(c.key) for c in self.config.columns if c.parent == parent)
        return tuple(link for link in found if link is not None)

    def column(self, key: str) -> NavLink | None:
        url = listing_path(f"column/{key}")
        return next((c for c in self.columns if c.url == url), None)


def page_context(site: Site, config: Config, annual_reports: list[NavLink] = ()) -> PageContext:
    """The navigation every page shows, taken from the assembled site (and the years' annual reports)."""
    return PageContext(
        config=config,
        catalog=NavLink(site.catalog.title, site.catalog.url, site.catalog.total),
        columns=tuple(NavLink(c.title, c.url, c.total) for c in site.columns),
        facets=tuple(NavLink(f.title, f.url, len(f.terms)) for f in site.facets),
        relations=site.relations,
        annual_reports=tuple(sorted(annual_reports, key=lambda link: link.url, reverse=True)),
        neighbours=neighbours(site),
    )


def neighbours(site: Site) -> dict[str, tuple[NavLink | None, NavLink | None]]:
    """Each document's 上一篇 and 下一篇: the next newer and next older in its column, or in the 目录 if it has none."""
    found: dict[str, tuple[NavLink | None, NavLink | None]] = {}
    links: dict[str, NavLink | None] = {}  # index_no -> the link to the document, made once for all its listings

    def link(doc: Document | None) -> NavLink | None:
        if doc is None:
            return None
        made = links.get(doc.index_no)
        if made is None:
            made = links[doc.index_no] = NavLink(doc.title, doc.path)
        return made

    for listing in (*site.columns, site.catalog):
        docs = [None, *(doc for page in listing.pages for doc in page.documents), None]
        for before, doc, after in zip(docs[:-2], docs[1:-1], docs[2:], strict=True):
            if doc.index_no not in found:  # the first listing that holds it
                found[doc.index_no] = (link(before), link(after))
    return found


def make_env(templates_dir: Path, compiled: Path | None = None) -> jinja2.Environment:
    """A Jinja environment that escapes by default, fails on any undefined name, and finds each template in the
    site's templates_dir first and in the default theme otherwise; with compiled, it keeps the templates compiled
    in that folder (Jinja's bytecode cache: an entry is used only for the same file with the same source)."""
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(theme.search_path(templates_dir, "templates")),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A build renders with one set of templates (serve makes a new environment for each rebuild), so the
        # template files need not be stat()ed again on every include.
        auto_reload=False,
        # Compiling the templates was a tenth of a build that changed one document.
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)) if compiled is not None else None,
    )
    env.filters.update(cn_date=cn_date, cn_date_plain=cn_date_plain, filesize=filesize, summary=doc_summary)
    # tojson (used for JSON-LD) escapes <, >, & and ' so its output can never close a <script> element.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    return env


def cn_date(day: date | None) -> str:
    """A date as the metadata block shows it: 2018年03月06日."""
    return f"{day.year}年{day.month:02d}月{day.day:02d}日" if day else ""


def cn_date_plain(day: date | None) -> str:
    """A date as GB/T 9704 writes it in running text: 2018年3月6日."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def filesize(size: int) -> str:
    """A byte count for people: 512 B, 3.4 KB, 1.2 MB."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def doc_summary(doc: Document, length: int = 120) -> str:
    """The summary, or the first characters of the text (cut by characters: Chinese has no spaces)."""
    text = doc.summary or doc.body_text.replace("\n", " ")
    return text if len(text) <= length else text[:length] + "…"


_TABLE_OPEN = re.compile(r"<table\b")
SCROLL_BOX = '<div class="table-scroll" role="region" tabindex="0" aria-label="表格（可左右滚动）">'
SCROLL_CUE = '<p class="table-scroll-cue" aria-hidden="true">表格较宽，可左右滑动查看</p>'


def scrolling_tables(clean_html: str) -> str:
    """Sanitised body HTML with each table in a box that scrolls sideways and takes keyboard focus."""
    if "<table" not in clean_html:
        return clean_html
    return _TABLE_OPEN.sub(SCROLL_BOX + "<table", clean_html).replace("</table>", "</table></div>" + SCROLL_CUE)


@contextmanager
def template_problems() -> Iterator[None]:
    """Turn Jinja's errors into a TemplateError that names the template and line."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        where = shown_path(Path(exc.filename)) if exc.filename else f"templates/{exc.name}"
        raise TemplateError([Problem(where, exc.lineno, f"模板语法错误：{exc.message}", "template-syntax")]) from exc
    except jinja2.TemplateNotFound as exc:
        raise TemplateError([Problem(f"templates/{exc.name}", None, "找不到模板文件。", "template-missing")]) from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError(
            [Problem("templates/", None, f"模板使用了未定义的变量：{exc.message}", "template-undefined")]
        ) from exc


# Whether a listing page must be rendered (given its site path, listing, page and facet); else it is kept as built.
Needed = Callable[[str, Listing, ListingPage, Facet | None], bool]


def render_pages(
    site: Site, context: PageContext, env: jinja2.Environment, needed: Needed = lambda *page: True
) -> Iterator[Output]:
    """The home page, the 目录, column and browse listings (those needed) and the 404 page (document pages are apart),
    one at a time: whoever writes them holds one page at once, not thousands."""
    with template_problems():
        pages = _Pages(context, env)
        yield from pages.home(site)
        yield from (pages.page("facet.html", facet.url, facet=facet) for facet in site.facets)
        for listing, page, facet in listing_sweep(site):
            if needed(page.url, listing, page, facet):
                yield pages.page("listing.html", page.url, listing=listing, current=page, facet=facet)
        yield pages.search()
        yield from pages.guides(site)
        yield from pages.not_found()


def listing_sweep(site: Site) -> list[tuple[Listing, ListingPage, Facet | None]]:
    """Every listing page of the site (the 目录, each column, each facet's terms) with its listing and facet, all
    listings swept together from their newest rows to their oldest: ordered by where each page's first row stands
    in the 目录. A document's row is on a page of the 目录, of its column and of each facet; in this order those
    pages come near one another, so the row is made (and, by the page scan, read) once while it is remembered."""
    rank = {entry.index_no: at for at, entry in enumerate(row for page in site.catalog.pages for row in page.documents)}
    listings = [
        (site.catalog, None),
        *((column, None) for column in site.columns),
        *((term, facet) for facet in site.facets for term in facet.terms),
    ]
    found = [(listing, page, facet) for listing, facet in listings for page in listing.pages]
    return sorted(
        found, key=lambda item: (rank.get(item[1].documents[0].index_no, 0) if item[1].documents else 0, item[1].url)
    )


def render_page(context: PageContext, env: jinja2.Environment, template: str, dest: str, **values) -> Output:
    """One page at `dest` from `template`, with the values every page shares and `values`; Jinja's errors become a
    TemplateError (for pages made outside this module, such as the annual reports)."""
    with template_problems():
        return _Pages(context, env).page(template, dest, **values)


def render_documents(context: PageContext, documents: list[Document], compiled: Path | None = None) -> Iterator[Output]:
    """Each document's page and its attachments, one document at a time; runs in worker processes, so it makes
    its own environment (see make_env for compiled)."""
    with template_problems():
        pages = _Pages(context, make_env(context.config.templates_dir, compiled))
        for doc in documents:
            yield from pages.document(doc)


def document_outputs(doc: Document) -> tuple[str, ...]:
    """The site paths of the files made for a document (by _Pages.document): its page, its JSON twin and a copy of
    each attachment."""
    return (doc.path, opendata.twin_path(doc), *(_copy_path(doc, a) for a in doc.attachments))


def attachment_copies(doc: Document, config: Config) -> list[Output]:
    """A document's attachments, copied beside its page."""
    return [Output(_copy_path(doc, a), source=config.content_dir / a.src, digest=a.digest) for a in doc.attachments]


def _copy_path(doc: Document, attachment: Attachment) -> str:
    """The site path of an attachment's copy: in the folder named like its document's page."""
    return attachment_path(doc.path, Path(attachment.src).name)


# How many listing rows _Pages keeps for reuse: in listing_sweep() order, a row's next use is rarely further away
# (4,096 make 2 % more rows than remembering all, measured at 10,000 documents; the span between uses depends on how
# sparse a listing's rows are, not on how many documents there are).
ROWS_REMEMBERED = 4096


class _Pages:
    """Renders pages that share one context; one method per kind of page."""

    def __init__(self, context: PageContext, env: jinja2.Environment):
        self.context, self.env = context, env
        nav_main = (NavLink("首页", "index.html"), context.catalog, *context.shown_columns(""))
        self.shared = {
            "config": context.config,
            "footer": context.config.footer,
            "site_name": context.config.site_name,
            "nav_main": nav_main,
            "nav_columns": context.columns,
            "nav_facets": context.facets,
            "catalog": context.catalog,
            "annual_reports": context.annual_reports,
            "headings": HEADINGS,
            "sub_columns": {c.key: context.shown_columns(c.key) for c in context.config.columns if not c.parent},
            "annual_column_url": listing_path(f"column/{context.config.annual_column}"),
        }
        self._nav_urls = {link.url for link in (*nav_main, *context.facets)}
        self._parts: dict[tuple, Markup] = {}
        self._rows: OrderedDict[tuple, Markup] = OrderedDict()  # the latest ROWS_REMEMBERED rows, oldest first

    def page(self, template: str, dest: str, linker: Linker | None = None, **values) -> Output:
        section = values.setdefault("section", section_of(dest))
        url = linker or Linker(dest)
        current_link = dest if dest in self._nav_urls else ""

        def part(name: str) -> Markup:
            return self._part(name, url, section, current_link)

        def row(name: str, doc: Document) -> Markup:
            return self._row(name, url, doc)

        html = self.env.get_template(template).render(
            **self.shared,
            **values,
            page_path=dest,
            url=url,
            part=part,
            row=row,
            canonical=self.context.config.base_url + dest.removesuffix("index.html"),
        )
        return Output(dest, html.encode("utf-8"))

    def _part(self, name: str, url: Linker, section: str, current_link: str) -> Markup:
        """A partial that sees only the shared values, url(), section and current_link, rendered once for each."""
        # The header, navigation and footer are the same on every page of one depth and section;
        # rendering them once instead of on each of ~14,000 pages is a large share of the build.
        return self._once(
            (name, url.prefix, section, current_link),
            name,
            **self.shared,
            url=url,
            section=section,
            current_link=current_link,
        )

    def _row(self, name: str, url: Linker, doc: Document) -> Markup:
        """A partial showing one document (`doc`, url() and the config only), rendered once per document and depth
        while it is among the ROWS_REMEMBERED rows asked for last."""
        # Every document appears in about seven listings (目录, its column, each facet), all at two depths, and
        # listing_sweep() renders those pages near one another. Remembering every row instead would hold each
        # document's rows to the end (a few hundred MB at 100,000 documents).
        key = (name, url.prefix, doc.index_no)
        found = self._rows.get(key)
        if found is None:
            found = self._rows[key] = Markup(
                self.env.get_template(name).render(doc=doc, url=url, config=self.context.config)
            )
            if len(self._rows) > ROWS_REMEMBERED:
                self._rows.popitem(last=False)
        else:
            self._rows.move_to_end(key)
        return found

    def _once(self, key: tuple, name: str, **values) -> Markup:
        """The template rendered with values the first time key is asked for, and that result after."""
        if key not in self._parts:
            self._parts[key] = Markup(self.env.get_template(name).render(**values))
        return self._parts[key]

    def home(self, site: Site) -> list[Output]:
        latest = site.documents[: self.context.config.home_latest]
        return [self.page("home.html", "index.html", latest=latest, columns=site.columns, facets=site.facets)]

    def document(self, doc: Document) -> list[Output]:
        dest = doc.path
        files = [(a, _copy_path(doc, a)) for a in doc.attachments]
        # The body was sanitised by markup.py when the document was read; this is the one place it becomes Markup.
        config = self.context.config
        page = self.page(
            "document.html",
            dest,
            doc=doc,
            body=Markup(scrolling_tables(doc.body_html)),
            json_ld=opendata.json_ld(doc, config),
            twin=opendata.twin_path(doc),
            column=self.context.column(doc.column),
            attachments=files,
            relations=self.context.relations.get(doc.index_no, Relations()),
            neighbours=self.context.neighbours.get(doc.index_no, (None, None)),
            section=f"column/{doc.column}",
        )
        return [page, opendata.document_twin(doc, config), *attachment_copies(doc, config)]

    def search(self) -> Output:
        """The search page: it queries the static index under search/ in the browser."""
        return self.page("search.html", "search/index.html")

    def guides(self, site: Site) -> list[Output]:
        """The 网站地图 page (every column, browse page and term) and the 订阅与开放数据 page (feeds, catalog files)."""
        feeds = [
            (term, feed_path(term))
            for facet in site.facets
            if facet.kind in ("publisher", "category")
            for term in facet.terms
        ]
        return [
            self.page("sitemap.html", "sitemap/index.html", facets=site.facets),
            self.page("subscribe.html", "subscribe/index.html", feeds=feeds),
        ]

    def not_found(self) -> list[Output]:
        # A 404 page is served at any depth, so its links are absolute from the site's base path.
        return [self.page("404.html", "404.html", Linker("404.html", self.context.config.base_path))]
