"""Stage 5: render the site model through Jinja templates into Outputs (path + bytes); nothing is written here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import jinja2
from markupsafe import Markup

from .config import Config
from .errors import Problem, TemplateError
from .model import Document, Facet, Listing, ListingPage, Site
from .urls import Linker, attachment_path, document_path


@dataclass(frozen=True, slots=True)
class Output:
    """One file of the built site: its path under the output folder and either its bytes or a file to copy."""

    dest: str
    data: bytes | None = None
    source: Path | None = None


def make_env(templates_dir: Path) -> jinja2.Environment:
    """A Jinja environment that escapes by default and fails on any undefined name."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(cn_date=cn_date, cn_date_plain=cn_date_plain, filesize=filesize, summary=doc_summary)
    env.globals.update(doc_path=lambda doc: document_path(doc.index_no))
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


def render_site(site: Site, config: Config, env: jinja2.Environment) -> list[Output]:
    """Every page of the site, plus the attachments to copy, in a stable order."""
    try:
        renderer = _Renderer(site, config, env)
        return [*renderer.home(), *renderer.listings(), *renderer.facets(), *renderer.documents(), *renderer.not_found()]
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError([Problem(f"templates/{exc.name or exc.filename}", exc.lineno, f"模板语法错误：{exc.message}", "template-syntax")]) from exc
    except jinja2.TemplateNotFound as exc:
        raise TemplateError([Problem(f"templates/{exc.name}", None, "找不到模板文件。", "template-missing")]) from exc
    except jinja2.UndefinedError as exc:
        raise TemplateError([Problem("templates/", None, f"模板使用了未定义的变量：{exc.message}", "template-undefined")]) from exc


class _Renderer:
    """Holds what every page shares; one method per kind of page."""

    def __init__(self, site: Site, config: Config, env: jinja2.Environment):
        self.site, self.config, self.env = site, config, env
        self.shared = {"config": config, "footer": config.footer, "site_name": config.site_name,
                       "nav_columns": site.columns, "nav_facets": site.facets, "catalog": site.catalog}

    def page(self, template: str, dest: str, linker: Linker | None = None, **context) -> Output:
        html = self.env.get_template(template).render(
            **self.shared, **context, page_path=dest, url=linker or Linker(dest),
            canonical=self.config.base_url + dest.removesuffix("index.html"))
        return Output(dest, html.encode("utf-8"))

    def home(self) -> list[Output]:
        latest = self.site.documents[: self.config.home_latest]
        return [self.page("home.html", "index.html", latest=latest, columns=self.site.columns, facets=self.site.facets)]

    def listings(self) -> list[Output]:
        listings = [self.site.catalog, *self.site.columns]
        return [self._listing_page(listing, page, None) for listing in listings for page in listing.pages]

    def facets(self) -> list[Output]:
        outputs = []
        for facet in self.site.facets:
            outputs.append(self.page("facet.html", facet.url, facet=facet))
            outputs += [self._listing_page(term, page, facet) for term in facet.terms for page in term.pages]
        return outputs

    def _listing_page(self, listing: Listing, page: ListingPage, facet: Facet | None) -> Output:
        return self.page("listing.html", page.url, listing=listing, current=page, facet=facet)

    def documents(self) -> list[Output]:
        template = self.env.get_template("document.html")
        columns = {c.url.removesuffix("index.html").split("/")[1]: c for c in self.site.columns}
        outputs = []
        for doc in self.site.documents:
            dest = document_path(doc.index_no)
            files = [(a, attachment_path(dest, Path(a.src).name)) for a in doc.attachments]
            html = template.render(
                **self.shared, page_path=dest, url=Linker(dest), canonical=self.config.base_url + dest,
                doc=doc, body=Markup(doc.body_html), column=columns.get(doc.column), attachments=files)
            outputs.append(Output(dest, html.encode("utf-8")))
            outputs += [Output(path, source=self.config.content_dir / a.src) for a, path in files]
        return outputs

    def not_found(self) -> list[Output]:
        # A 404 page is served at any depth, so its links are absolute from the site's base path.
        return [self.page("404.html", "404.html", Linker("404.html", self.config.base_path))]


def doc_summary(doc: Document, length: int = 120) -> str:
    """The summary, or the first characters of the text (cut by characters: Chinese has no spaces)."""
    text = doc.summary or doc.body_text.replace("\n", " ")
    return text if len(text) <= length else text[:length] + "…"
