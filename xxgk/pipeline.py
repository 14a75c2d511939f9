"""The build, stage by stage: config -> documents -> validation -> site model -> pages -> staged write -> swap."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from . import (
    annual,
    assemble,
    built_pages,
    content,
    feeds,
    history,
    opendata,
    output,
    render,
    search,
    sources,
    static_search,
    theme,
    validate,
    workers,
)
from .config import Config
from .errors import ContentError, Problem, raise_if_errors, shown_path
from .lint import links
from .lint.spam import terms_in
from .model import Document, NavLink, Output, Site


@dataclass(frozen=True, slots=True)
class Report:
    """What a build or check did, for the command line to print."""

    documents: int
    pages: int
    files: int
    held_back: tuple[tuple[str, date], ...]  # (src, publication day) of scheduled documents
    drafts: int
    warnings: tuple[Problem, ...]
    seconds: float
    search_seconds: float  # the share of `seconds` spent on the two search indexes
    index: search.IndexStats


@dataclass(frozen=True, slots=True)
class Checked:
    """Everything validated: the site model, the annual-report data, and the warnings found on the way."""

    site: Site
    reports: tuple[tuple[int, annual.ReportData], ...]
    warnings: list[Problem]


def check(config: Config, today: date, *, since: str | None = "HEAD") -> Checked:
    """Read, validate and run every rule over every document and annual-report file; raise ContentError on errors.

    This is the one set of rules: `check`, `build` and `serve` all call it, so they report the same findings.
    Index numbers are compared with git revision `since` unless it is None.
    """
    documents, problems = content.read_all(config)
    reports, report_problems = annual.load_reports(config.reports_dir, shown_path(config.reports_dir))
    problems += [*validate.check_corpus(documents, config.calendar),
                 *annual.kind_problems(documents, annual.site_rule(config.bodies)), *report_problems,
                 *annual.report_problems(reports),
                 *config.warnings, *sources.problems(config.templates_dir, config.static_dir, config.reports_dir),
                 *validate.serial_gaps(documents, config.index_form)]
    if since is not None:
        problems += history.changed_index_numbers(config.content_dir, since, shown_path)
    raise_if_errors(problems, ContentError)
    return Checked(assemble.assemble(documents, config, today), tuple(reports), problems)


def scan_pages(folder: Path, config: Config, documents: list[Document], shown: Callable[[Path], str]) -> list[Problem]:
    """The built-page rules over the HTML under folder, leaving out what a document's own rules already found.

    The footer's 找错 and 党政机关网站标识 links go where config.yaml says: their hosts are allowed like the
    configured ones, unless a host holds a spam term (then its link on every page stops the build).
    """
    seen = frozenset().union(*(doc.seen for doc in documents))
    urls = (config.footer.error_report_url, config.footer.conac_url)
    footer = frozenset(host for host in map(links.host_of, urls) if host and not terms_in(host))
    found = built_pages.scan(folder, config.allowed_hosts | footer, shown)
    return [p for p in found if (p.code, p.message) not in seen]


def annual_link(year: int, data: annual.ReportData) -> NavLink:
    """The link to a year's annual report, for the 政府信息公开年报 column."""
    return NavLink(annual.report_title(year, data.publisher), annual.report_path(year))


def index_dir(output_dir: Path) -> Path:
    """The Whoosh index of a site lives beside its output folder: site/ -> .site-index/ (not published)."""
    return output_dir.parent / f".{output_dir.name}-index"


def build(config: Config, today: date, *, since: str | None = "HEAD", full_index: bool = False) -> Report:
    """Build the whole site into config.output_dir, replacing it only when every stage and every rule passed."""
    started = time.perf_counter()
    checked = check(config, today, since=since)
    # The documents and the site model live for the rest of the build: see workers.frozen_heap.
    with workers.frozen_heap():
        return _build_checked(config, checked, started, full_index)


def _build_checked(config: Config, checked: Checked, started: float, full_index: bool) -> Report:
    """build() once everything is read and validated."""
    site = checked.site
    rule = annual.site_rule(config.bodies)
    reports = [(year, annual.corpus_figures(site.documents, year, rule), data) for year, data in checked.reports]
    context = render.page_context(site, config, [annual_link(year, data) for year, _, data in reports])
    with output.staged(config.output_dir) as stage:
        # Document pages are rendered and written by worker processes while this one does the listings.
        with workers.started(_write_documents, (context, stage.path), site.documents) as document_paths:
            env = render.make_env(config.templates_dir)
            pages = render.render_pages(site, context, env)
            pages += [annual.render_report(figures, data, year, context, env) for year, figures, data in reports]
            stage.write(pages)
            report_pages = [(annual.report_path(year), str(data.published or f"{year + 1}-01-31")) for year, _, data in reports]
            stage.write([*feeds.discovery_files(site, config, report_pages), *opendata.catalog_files(site, config)])
            stage.claim(document_paths())
        for folder in theme.search_path(config.static_dir, "static"):  # the site's own files win over the theme's
            stage.copy_tree(folder, "static", fill=True)
        # The pages as they will be published: spam or hidden markup from a template blocks the swap too (before the
        # search index, which is swapped in on its own).
        page_problems = scan_pages(stage.path, config, site.documents,
                                   lambda path: shown_path(config.output_dir / path.relative_to(stage.path)))
        raise_if_errors(checked.warnings + page_problems, ContentError)
        search_started = time.perf_counter()
        static_files = [Output(path, data) for path, data in static_search.static_index(site.documents)]
        # The Whoosh index is updated in a copy of the previous one and swapped in with the site, so a failed
        # build leaves both as they were; only added, edited and removed documents are re-indexed. Its worker
        # processes leave this one free to write the static index's files meanwhile.
        previous = None if full_index else index_dir(config.output_dir)
        with output.staged(index_dir(config.output_dir), seed=previous) as index_stage:
            index = search.update_index(index_stage.path, site.documents, full=full_index,
                                        meanwhile=lambda: stage.write(static_files))
        search_seconds = time.perf_counter() - search_started
        stage.write_manifest()
    return Report(
        documents=len(site.documents),
        pages=len(pages) + len(site.documents),
        files=stage.file_count,
        held_back=tuple((d.src, d.published) for d in site.held_back),
        drafts=len(site.drafts),
        warnings=tuple(sorted(checked.warnings + page_problems, key=Problem.sort_key)),
        seconds=time.perf_counter() - started,
        search_seconds=search_seconds,
        index=index,
    )


def _write_documents(job: tuple[render.PageContext, Path], documents: list[Document]) -> list[tuple[str, str]]:
    """Render and write a share of the document pages (in a worker process); returns (path, SHA-256) of each file."""
    context, staging_path = job
    return output.Staging(staging_path).write(render.render_documents(context, documents))
