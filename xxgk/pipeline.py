"""The build, stage by stage: config -> (inputs unchanged? done) -> documents -> validation -> site model -> pages ->
staged write -> swap."""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from . import (
    annual,
    assemble,
    content,
    feeds,
    opendata,
    output,
    page_keys,
    records,
    render,
    search,
    sources,
    theme,
    unchanged,
    workers,
)
from .cache import Cache, CacheChanged, Looked, Memory, fingerprint
from .check import history, links, page_scan, validate
from .check.spam import terms_in
from .config import Config
from .errors import ContentError, Problem, raise_if_errors, shown_path
from .manifest import MANIFEST
from .model import Document, Facts, NavLink, Output, Site
from .search import static_index, static_update


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
    search_seconds: float  # what the two search indexes took (an update is made beside the pages, in `seconds` too)
    index: search.IndexStats
    changes: output.Changes  # the site's files against the previous build's
    cached: int = 0  # documents taken from the build cache instead of being read again
    reread: int = 0  # documents read because the cache had no valid entry for them (0 without a cache)
    stages: tuple[tuple[str, float], ...] = ()  # (stage, seconds) in the order they ran
    unchanged: bool = False  # every input was as the last published build found it: nothing was done
    folders: tuple[str, ...] = ()  # the published site's folders (site paths), which the next build's look stats


@dataclass(frozen=True, slots=True)
class Checked:
    """Everything validated: every document read (published, scheduled and drafts), the annual-report data, and the
    warnings found on the way (the errors too, when check() did not raise them); site_model() gathers them into the
    site."""

    documents: tuple[Document, ...] | tuple[Facts, ...]  # Facts with bodies="facts"
    reports: tuple[tuple[int, annual.ReportData], ...]
    warnings: list[Problem]
    cached: int = 0  # documents taken from the build cache instead of being read again
    reread: int = 0  # documents read because the cache had no valid entry for them (0 without a cache)
    cache: Cache | None = None  # what was read, for the command to commit() once it succeeded


def check(
    config: Config,
    today: date,
    *,
    since: str | None = "HEAD",
    cached: bool = False,
    memory: Memory | None = None,
    bodies: str = "whole",
    raise_errors: bool = True,
    looked: Looked | None = None,
) -> Checked:
    """Read, validate and run every rule over every document and annual-report file; raise ContentError on errors.

    This is the one set of rules: `check`, `build` and `serve` all call it, so they report the same findings.
    Index numbers are compared with git revision `since` unless it is None. With cached, documents unchanged since
    the cache beside the output folder saw them are not read again (their findings come from the cache), and
    with memory (kept by serve between builds) not even read back from the cache's database. The documents read
    back from the cache have their body as content.read_all says for bodies ("none" is enough for every rule, not
    for pages; with "later" the caller closes the cache, and asking for a body may raise cache.CacheChanged); with
    "facts", every document is given as its model.Facts, which is all the rules between documents read. Without
    raise_errors the errors are returned among the warnings instead (for a check that reports only some of them).
    The cache takes the documents' stats from looked when given (a build's look at its inputs has just made them).
    """
    # The documents read back from the cache are frozen: see workers.long_lived.
    with workers.young_collections_only(), workers.frozen_heap():
        return _checked(config, today, since, cached, memory, bodies, raise_errors, looked)


def _checked(
    config: Config,
    today: date,
    since: str | None,
    cached: bool,
    memory: Memory | None,
    bodies: str,
    raise_errors: bool,
    looked: Looked | None,
) -> Checked:
    briefs = (content.METADATA, content.FACTS)
    # Documents are known by their path as shown from the working folder, which their problems name too: runs from
    # two folders keep entries of their own instead of each forgetting the other's.
    context = fingerprint(config, shown_path(config.content_dir))
    cache = Cache.open(cache_dir(config.output_dir), context, memory, briefs, looked) if cached else None
    documents, problems = content.read_all(config, cache, bodies=bodies, frozen=True)  # inside check()'s frozen_heap
    reports, report_problems = annual.load_reports(
        config.reports_dir, shown_path(config.reports_dir), config.annual_column
    )
    problems += [
        *validate.check_corpus(documents, config.calendar),
        *report_problems,
        *annual.report_problems(reports),
        *annual.index_number_problems(reports, documents),
        *config.warnings,
        *sources.problems(config.templates_dir, config.static_dir, config.reports_dir),
        *validate.serial_gaps(documents, config.index_form),
    ]
    if since is not None:
        problems += history.changed_index_numbers(config.content_dir, since, shown_path)
    if raise_errors:
        raise_if_errors(problems, ContentError)
    return Checked(
        tuple(documents),
        tuple(reports),
        problems,
        cache.reused if cache else 0,
        cache.missed if cache else 0,
        cache,
    )


def site_model(checked: Checked, config: Config, today: date) -> Site:
    """The site model of what check() read, as published on `today`."""
    return assemble.assemble(list(checked.documents), config, today, annual.catalog_entries(checked.reports))


def scan_pages(
    folder: Path,
    config: Config,
    documents: list[Document],
    shown: Callable[[Path], str],
    pages: dict[str, str] | None = None,
    known: page_scan.Findings | None = None,
    site: Site | None = None,
) -> tuple[list[Problem], page_scan.Findings]:
    """The built-page rules over the HTML under folder, leaving out what a document's own rules already found;
    with what was found in each page's bytes (see page_scan.scan for pages and known). With the site model, its
    listing pages are read in the order render.listing_sweep() gives, which is quicker.

    The footer's 找错 and 党政机关网站标识 links go where config.yaml says: their hosts are allowed like the
    configured ones, unless a host holds a spam term (then its link on every page stops the build).
    """
    first = (lambda: [page.url for _, page, _ in render.listing_sweep(site)]) if site else tuple
    found, findings = page_scan.scan(folder, scanned_hosts(config), shown, pages, known, first)
    if not found:
        return [], findings
    seen = frozenset().union(*(doc.seen for doc in documents))
    return [p for p in found if (p.code, p.message) not in seen], findings


def _scan_staged(
    config: Config, site: Site, stage: output.Staging, known: page_scan.Findings, warnings: list[Problem]
) -> tuple[list[Problem], page_scan.Findings]:
    """scan_pages over the pages written into stage so far, as they will be published in config.output_dir; raises
    ContentError at once when its problems or the warnings given hold an error."""

    def shown(path: Path) -> str:
        return shown_path(config.output_dir / path.relative_to(stage.path))

    problems, findings = scan_pages(stage.path, config, site.documents, shown, stage.pages(), known, site)
    raise_if_errors(warnings + problems, ContentError)
    return problems, findings


def scanned_hosts(config: Config) -> frozenset[str]:
    """The hosts a built page may link to: the configured ones and the footer's (see scan_pages)."""
    urls = (config.footer.error_report_url, config.footer.conac_url)
    return config.allowed_hosts | frozenset(host for host in map(links.host_of, urls) if host and not terms_in(host))


def annual_link(year: int, data: annual.ReportData) -> NavLink:
    """The link to a year's annual report, for the 政府信息公开年报 column."""
    return NavLink(annual.report_title(year, data.publisher), data.path())


def index_dir(output_dir: Path) -> Path:
    """The Whoosh index of a site lives beside its output folder: site/ -> .site-index/ (not published)."""
    return output_dir.parent / f".{output_dir.name}-index"


def cache_dir(output_dir: Path) -> Path:
    """The build cache of a site lives beside its output folder: site/ -> .site-cache/ (not published)."""
    return output_dir.parent / f".{output_dir.name}-cache"


def clean(output_dir: Path) -> list[Path]:
    """Delete the derived data beside the output folder (cache, search index, spare site), never the site itself;
    returns the folders deleted. Refused (OutputBusy) while a build holds the lock."""
    derived = [cache_dir(output_dir), index_dir(output_dir), output.spare_dir(output_dir)]
    with output.locked(output_dir, *derived):
        return [folder for folder in derived if output.remove_folder(folder)]


class Stages:
    """Times the stages of a build and tells progress() about each as it ends."""

    def __init__(self, progress: Callable[[str], None]):
        self.started = self._mark = time.perf_counter()
        self.progress, self.times = progress, []

    def done(self, name: str, detail: str) -> None:
        now = time.perf_counter()
        self.times.append((name, now - self._mark))
        self.progress(f"{name}：{detail}（{now - self._mark:.2f} 秒）")
        self._mark = now


def build(
    config: Config,
    today: date,
    *,
    since: str | None = "HEAD",
    full_index: bool = False,
    reuse: bool = True,
    progress: Callable[[str], None] = lambda line: None,
    memory: Memory | None = None,
    published: Callable[[], None] | None = None,
    keep: Callable[[object], None] = lambda made: None,
) -> Report:
    """Build the whole site into config.output_dir, replacing it only when every stage succeeded; with reuse, a
    build whose inputs are all as the last published build found them does nothing (see unchanged.py), documents
    unchanged since the last build are not read again and files whose bytes did not change are kept as they were
    (same inode and mtime). progress() receives a line as each stage ends; memory keeps the documents read
    between builds of one process (see cache.Memory). With published, the Whoosh index is brought in line only
    after the new site is in place, and published() is called at that moment (serve reloads its pages then).
    keep() is handed what the build made (the documents, the site model, the staging folder's lists) before it is
    let go: a command that exits next holds it, and so never frees its millions of objects one by one."""
    stages = Stages(progress)
    with workers.young_collections_only(), output.locked(config.output_dir, index_dir(config.output_dir)):
        static_index.remove_spills(cache_dir(config.output_dir))  # a killed build's scratch, never read again
        records.remove_earlier(cache_dir(config.output_dir))
        # Not for serve (memory): it rebuilds because it saw a change, and its first build must fill the memory.
        before = _look(config, today, since) if reuse and not full_index and memory is None else None
        keep(before)
        kept = _recorded(config, before)
        if kept is not None:
            stages.done("核对输入", "与上一次构建时相同，站点和索引无须改动")
            return _as_unchanged(kept, stages)
        # Without serve's memory, an unchanged document's body is read from the cache only if a page or an index
        # needs it. Should another process replace its entry meanwhile, the build starts again reading them whole.
        try:
            later = "later" if reuse and memory is None else "whole"
            report = _built(
                config, today, since, stages, full_index, reuse, memory, published, keep, bodies=later, before=before
            )
        except CacheChanged:
            report = _built(
                config, today, since, stages, full_index, reuse, memory, published, keep, bodies="whole", before=before
            )
        if before is not None:
            _record(config, before, report)
        return report


def _built(
    config: Config,
    today: date,
    since: str | None,
    stages: Stages,
    full_index: bool,
    reuse: bool,
    memory: Memory | None,
    published: Callable[[], None] | None,
    keep: Callable[[object], None],
    *,
    bodies: str,
    before: unchanged.Look | None,
) -> Report:
    """Read, check and build (see build()), unchanged documents' bodies read back as check() says for bodies, their
    stats taken from the look before the build when there was one."""
    looked = before.looked if before is not None else None
    checked = check(config, today, since=since, cached=reuse, memory=memory, bodies=bodies, looked=looked)
    if looked is not None:  # read once: 100,000 stats are some 25 MB the rest of the build need not carry
        looked.stats.clear()
    keep(checked)
    try:
        site = site_model(checked, config, today)
        keep(site)
        stages.done("读取和校验", f"{len(site.documents)} 篇已发布，{checked.cached} 篇沿用缓存")
        # The documents and the site model live for the rest of the build: see workers.frozen_heap. They are
        # frozen once made (the ones read afresh too), before any worker is forked.
        with workers.frozen_heap():
            return _build_checked(config, checked, site, stages, full_index, reuse, memory, published, keep)
    finally:
        if checked.cache:
            checked.cache.close()


def _look(config: Config, today: date, since: str | None) -> unchanged.Look:
    """The inputs of a build of config as they are now (see unchanged.py)."""
    revision = history.revision(config.content_dir, since) if since is not None else ""
    folders = [
        config.content_dir,
        *theme.search_path(config.templates_dir, "templates"),
        *theme.search_path(config.static_dir, "static"),
        config.reports_dir,
    ]
    return unchanged.look(config, today, revision, folders)


def _published(config: Config, folders: tuple[str, ...]) -> str:
    site = config.output_dir
    return unchanged.published(site, folders, [site / MANIFEST], index_dir(site))


def _recorded(config: Config, before: unchanged.Look | None) -> Report | None:
    """The report of the last published build when its inputs and published files are exactly these."""
    if before is None or not before.trusted:
        return None
    record = cache_dir(config.output_dir) / unchanged.RECORD
    kept = unchanged.recorded(record, before.key, lambda folders: _published(config, folders))
    return kept if isinstance(kept, Report) else None


def _record(config: Config, before: unchanged.Look, report: Report) -> None:
    """Record the published build's inputs when they are known not to have changed while it ran (else forget any
    earlier record). A trusted first look is enough: an input changed since then no longer matches it; else the
    entries that were too recent to trust must be as they were (see unchanged.settled)."""
    record = cache_dir(config.output_dir) / unchanged.RECORD
    if unchanged.settled(before):
        folders = report.folders  # the same tuple: pickled once
        output.write_atomically(record, unchanged.encoded(before.key, folders, _published(config, folders), report))
    else:
        record.unlink(missing_ok=True)


def _as_unchanged(kept: Report, stages: Stages) -> Report:
    """The last build's report, as a build that found nothing to do tells it."""
    files = kept.changes.added + kept.changes.changed + kept.changes.unchanged
    index = kept.index
    return dataclasses.replace(
        kept,
        seconds=time.perf_counter() - stages.started,
        search_seconds=0.0,
        index=dataclasses.replace(
            index,
            added=0,
            updated=0,
            deleted=0,
            unchanged=index.added + index.updated + index.unchanged,
            seconds=0.0,
            full=False,
            healed=False,
        ),
        changes=output.Changes(0, 0, 0, files),
        cached=kept.cached + kept.reread,
        reread=0,
        stages=tuple(stages.times),
        unchanged=True,
    )


def _build_checked(
    config: Config,
    checked: Checked,
    site: Site,
    stages: Stages,
    full_index: bool,
    reuse: bool,
    memory: Memory | None,
    published: Callable[[], None] | None,
    keep: Callable[[object], None],
) -> Report:
    """build() once everything is read and validated, and gathered into the site model; records and manifests are
    parsed, and page keys worked out, through memory when given; with published, the Whoosh index is updated after
    the site is swapped in; keep() is handed the staging folder's lists and the records (see build())."""
    parsed = memory.parsed if memory is not None else None
    rule = annual.site_rule(config.bodies)
    reports = [(year, annual.corpus_figures(site.documents, year, rule), data) for year, data in checked.reports]
    # The Whoosh index is updated in a copy of the previous one (only added, edited and removed documents are
    # re-indexed). It is staged before the site but swapped in after it: a kill between the two swaps leaves
    # the new site with the previous index, which the next build brings in line; never an index that answers
    # with documents the served site does not have yet. A failure before the site's swap changes neither. With
    # published, it is staged only once the site is swapped in: the site does not wait for it.
    previous_index = None if full_index else index_dir(config.output_dir)
    with ExitStack() as worker_left, ExitStack() as swaps:  # left in reverse: the site is swapped in first
        index_stage = (
            None if published else swaps.enter_context(output.staged(index_dir(config.output_dir), seed=previous_index))
        )
        record = cache_dir(config.output_dir) / "static-search.record" if reuse else None
        report_pages = [(data.path(), str(data.published or f"{year + 1}-01-31")) for year, _, data in reports]
        # The static index spills its postings on disk among the derived data, also with --no-cache (nothing of an
        # earlier build is read from there).
        spill_in = cache_dir(config.output_dir)
        index_path = index_stage.path if index_stage else None
        beside = _Beside(site, full_index, index_path, record, spill_in, parsed, (config, report_pages))
        # An update of the Whoosh index needs nothing of the site's staging folder: its worker starts first.
        index_updated = worker_left.enter_context(_index_updated(beside))
        stage = swaps.enter_context(
            output.staged(
                config.output_dir,
                reuse=reuse,
                parsed=parsed,
                spare_record=cache_dir(config.output_dir) / "spare.record",
                swapped=published or (lambda: None),
            )
        )
        # When the search indexes are updated, the static one is made by a worker process while this one writes the
        # pages; it makes the index's record while this one publishes the site (the worker is waited for after that).
        made_beside = worker_left.enter_context(_made_beside(beside, stage, index_updated))
        # Worked out once the worker is off: it needs none of it.
        context = render.page_context(site, config, [annual_link(year, data) for year, _, data in reports])
        built, rendered = _write_pages(config, site, context, reports, stage, reuse, memory)
        page_count = len(stage.pages())
        stages.done("生成页面", f"{page_count} 个页面，其中 {rendered} 个重新生成")
        for folder in theme.search_path(config.static_dir, "static"):  # the site's own files win over the theme's
            stage.copy_tree(folder, "static", fill=True)
        stages.done("静态文件", "已复制")
        # The pages as they will be published: spam or hidden markup from a template blocks the swap too.
        # Pages whose bytes an earlier build already scanned under the same rules are not read again. They are
        # scanned while the search indexes are made: when the Whoosh index is rebuilt, its workers start first.
        scan_record = cache_dir(config.output_dir) / "page-scan.record" if reuse else None
        scan_key = fingerprint(config, "page-scan")
        known = page_scan.known_findings(records.load(scan_record, scan_key, parsed))

        index, static_record, (page_problems, findings) = made_beside(
            lambda: _scan_staged(config, site, stage, known, checked.warnings)
        )
        stages.done(*_beside_line(index))
        stage.write_manifest()
    if published:  # called as the site was swapped in
        stages.done("发布", "已替换输出文件夹")
        with output.staged(index_dir(config.output_dir), seed=previous_index) as index_stage:
            index = search.update_index(index_stage.path, site.documents, full=full_index)
        stages.done("搜索索引", _index_detail(index, "（站点发布之后）"))
    keep((stage, built, context, known, findings))
    page_record = built.encoded(stage)  # from what the staging noted of each file, though its folder is now the site
    # The records are written only now: a failed build leaves them as they were (only compiled templates, each
    # used for nothing but its own source, are kept as they are compiled).
    if checked.cache:
        checked.cache.commit()
        if memory is not None:  # with the documents the commit left in it
            memory.navigation = context
    if record:
        _save_static_record(record, static_record(), parsed)
    if scan_record:
        scan_body = page_scan.findings_record(findings)
        output.write_atomically(scan_record, records.encoded(scan_key, scan_body, parsed))
    if built.path:
        output.write_atomically(built.path, page_record)
    if not published:
        stages.done("发布", "已替换输出文件夹")
    return Report(
        documents=len(site.documents),
        pages=page_count,
        files=stage.file_count,
        held_back=tuple((d.src, d.published) for d in site.held_back),
        drafts=len(site.drafts),
        warnings=tuple(sorted(checked.warnings + page_problems, key=Problem.sort_key)),
        seconds=time.perf_counter() - stages.started,
        search_seconds=index.seconds,
        index=index,
        changes=stage.changes(),
        folders=tuple(stage.folders()),
        cached=checked.cached,
        reread=checked.reread,
        stages=tuple(stages.times),
    )


def _save_static_record(path: Path, record: bytes | None, parsed: records.Parsed | None) -> None:
    """Save the static index's record at path (None: the saved one still holds), and parse it through parsed when
    given: for the next build's worker, which inherits the value, off the way to the next swap."""
    if record:
        output.write_atomically(path, record)
        if parsed is not None:
            static_update.remember(parsed, record)
    elif parsed is not None:
        with suppress(OSError):
            static_update.remember(parsed, path.read_bytes())


def _write_pages(
    config: Config,
    site: Site,
    context: render.PageContext,
    reports: list,
    stage: output.Staging,
    reuse: bool,
    memory: Memory | None,
) -> tuple[page_keys.PageRecord, int]:
    """Write every page into stage; returns the record of the keys the pages were rendered from and how many pages
    were rendered (the others are linked from the previous build). Records are parsed, and keys worked out, through
    memory when given."""
    # A page whose inputs are those it was rendered from last time is linked from the previous build; the
    # other document pages are rendered and written by worker processes while this one does the listings. A
    # document's key covers its attachments (their sizes and SHA-256), so their copies go with its page.
    parsed, memo = (memory.parsed, memory.keys) if memory is not None else (None, None)
    built = page_keys.PageRecord(cache_dir(config.output_dir) / "pages.record" if reuse else None, parsed)
    shared = page_keys.shared_key(config, context)
    todo = [
        doc
        for doc in site.documents
        if not built.reuse(stage, render.document_outputs(doc), page_keys.document_key(shared, doc, context, memo))
    ]
    compiled = cache_dir(config.output_dir) / "templates" if reuse else None
    with workers.started(_write_documents, (context, compiled, stage.for_workers()), todo) as document_paths:
        env, keys = render.make_env(config.templates_dir, compiled), page_keys.ListingKeys(shared, memo)
        pages = render.render_pages(
            site,
            context,
            env,
            lambda dest, listing, page, facet: not built.reuse(stage, (dest,), keys.key(listing, page, facet)),
        )
        annual_pages = (annual.render_report(figures, data, year, context, env) for year, figures, data in reports)
        rendered = len(stage.write(itertools.chain(pages, annual_pages)))
        if not built.reuse(stage, opendata.CATALOG_FILES, page_keys.catalog_key(shared, site.catalog)):
            stage.write(opendata.catalog_files(site, config))
        stage.claim(document_paths())
    if memo is not None:
        memo.forget_others()
    return built, rendered + len(todo)


@dataclass(frozen=True, slots=True)
class _Beside:
    """What is made beside the pages: the static search index and, given its index_path, the Whoosh index, by carrying
    out its plan (a rebuild with full_index)."""

    site: Site
    full_index: bool
    index_path: Path | None  # None: the Whoosh index is not made beside the pages, but after they are published
    record: Path | None  # the static index's record (see _write_static_index)
    spill_in: Path  # where a static index built anew spills its postings (see static_index.built)
    parsed: records.Parsed | None  # serve's: the static index's record is parsed through it
    # The feeds and sitemaps are written with the static index, for this config and these annual reports (site path,
    # publication day): by the worker that makes it after an edit, off the way of the pages.
    discovery: tuple[Config, list[tuple[str, str]]]


T = TypeVar("T")
# What waits for the static index's record (made while the site is published): its bytes, or None when the saved one
# still holds.
Recorded = Callable[[], bytes | None]
# Called with what to do meanwhile in this process; returns the Whoosh index's figures (None when it is made later),
# what waits for the static index's record and what meanwhile() returned.
MadeBeside = Callable[[Callable[[], T]], tuple[search.IndexStats | None, Recorded, T]]


def _rebuilt_at_once(beside: _Beside) -> bool:
    """Whether the Whoosh index beside the pages is rebuilt, as known before its plan: asked for, or none there."""
    return beside.full_index or not (beside.index_path / search.MARKER).is_file()


@contextmanager
def _index_updated(beside: _Beside) -> Iterator[Callable[[], search.IndexStats | None]]:
    """Update the Whoosh index in beside.index_path in a worker process, started now, unless it is made later or
    rebuilt at once; the yielded callable waits for its figures: None when the worker's plan turned out to be a
    rebuild, having written nothing (_made_beside then rebuilds it), or when there was no worker."""
    if beside.index_path is None or _rebuilt_at_once(beside):
        yield lambda: None
        return
    with workers.background(_update_index_in_worker, beside) as (result, _):
        yield result


def _update_index_in_worker(beside: _Beside) -> tuple[search.IndexStats | None, Callable[[], None]]:
    """In a worker process, the Whoosh index's plan (reading every indexed document's digest) carried out when it is
    an update in place; None, having written nothing, when it is a rebuild."""
    plan = _plan(beside)
    return (None if plan.rebuild else search.carry_out(plan, beside.index_path)), lambda: None


@contextmanager
def _made_beside(
    beside: _Beside, stage: output.Staging, index_updated: Callable[[], search.IndexStats | None]
) -> Iterator[MadeBeside]:
    """Make what beside names while the caller writes the pages, in a worker process, when the Whoosh index is
    updated in place (by _index_updated's worker) or made later; the yielded callable runs meanwhile() and waits
    for what is published, the static index's record being made on (the block's end waits for it). When the Whoosh
    index is rebuilt, everything is made when the callable is called, after the pages (a rebuild uses every core of
    its own), meanwhile() run in this process while the index's workers write it."""
    if beside.index_path is None:
        with workers.background(_write_files_in_worker, beside, stage.for_workers()) as (files, static_record):

            def written(meanwhile: Callable[[], T]) -> tuple[None, Recorded, T]:
                done = meanwhile()
                stage.claim(files())
                return None, static_record, done

            yield written
        return
    if _rebuilt_at_once(beside):

        def rebuilt(meanwhile: Callable[[], T]) -> tuple[search.IndexStats, Recorded, T]:
            index, recorded, done = _write_beside(beside, stage, _plan(beside), meanwhile)
            return index, _record_of(recorded), done

        yield rebuilt
        return
    # Should the Whoosh index's plan be a rebuild after all, its worker wrote nothing and the rebuild is made here,
    # after the pages.
    with workers.background(_write_files_in_worker, beside, stage.for_workers()) as (files, static_record):

        def claimed(meanwhile: Callable[[], T]) -> tuple[search.IndexStats, Recorded, T]:
            done = meanwhile()
            stage.claim(files())
            index = index_updated()
            if index is None:  # its plan was a rebuild after all: its worker wrote nothing
                index = search.carry_out(_plan(beside), beside.index_path)
            return index, static_record, done

        yield claimed


def _plan(beside: _Beside) -> search.Plan:
    """How the Whoosh index in beside.index_path (which must be given) is brought in line with the site's documents
    (see search.plan)."""
    return search.plan(beside.index_path, beside.site.documents, full=beside.full_index)


def _record_of(recorded: Callable[[], bytes] | None) -> Recorded:
    """The static index's record, made when asked for: bytes, or None when the saved one still holds."""
    return lambda: recorded() if recorded else None


def _write_files_in_worker(beside: _Beside, staging: tuple) -> tuple[list[tuple[str, str, int]], Recorded]:
    """Write the static index, the feeds and the sitemaps into the staging folder a worker process was lent (see
    Staging.for_workers); returns the (path, SHA-256, size) of the files it wrote, for the lender to claim, and what
    makes the static index's record (see workers.background)."""
    stage = output.Staging(*staging)
    recorded = _write_files(beside, stage)
    return stage.files(), _record_of(recorded)


def _write_beside(
    beside: _Beside, stage: output.Staging, plan: search.Plan, meanwhile: Callable[[], T]
) -> tuple[search.IndexStats, Callable[[], bytes] | None, T]:
    """Write what beside names into stage, carrying out the Whoosh index's plan, and run meanwhile() first; returns
    the Whoosh index's figures, what makes the static index's record (see _write_static_index) and what meanwhile()
    returned."""
    # A rebuilt Whoosh index is written by worker processes, forked before meanwhile() runs and the static index is
    # made: this process does both while they work, and they do not inherit its bytes.
    done: list = []

    def both() -> None:
        done.append(meanwhile())
        done.append(_write_files(beside, stage))

    index = search.carry_out(plan, beside.index_path, both)
    return index, done[1], done[0]


def _write_files(beside: _Beside, stage: output.Staging) -> Callable[[], bytes] | None:
    """Write the static search index, the feeds and the sitemaps into stage; returns what makes the index's record
    (see _write_static_index)."""
    recorded = _write_static_index(beside.site.documents, stage, beside.record, beside.spill_in, beside.parsed)
    stage.write(feeds.discovery_files(beside.site, *beside.discovery))
    return recorded


def _beside_line(index: search.IndexStats | None) -> tuple[str, str]:
    """The stage and detail of the progress line of what was made beside the pages (None: the static index alone)."""
    if index is None:
        return "静态搜索索引", "已生成（与生成页面同时进行）"
    return "搜索索引", _index_detail(index, "（与生成页面同时进行）")


def _index_detail(index: search.IndexStats, when: str) -> str:
    """What the progress line says the Whoosh index had done to it (when: how an update ran beside the pages)."""
    return "全部重建" if index.full else f"更新 {index.added + index.updated + index.deleted} 篇{when}"


def _write_static_index(
    documents: Sequence[Document],
    stage: output.Staging,
    record: Path | None,
    spill_in: Path,
    parsed: records.Parsed | None,
) -> Callable[[], bytes] | None:
    """Write the static search index's files into stage; returns what makes the record to save for the next build
    once this one is published (None: the saved one still holds). What the previous build indexed (as its record
    says) and what this one changes nothing in is linked, the rest patched or, when the record does not fit, built
    anew (spilling its postings in spill_in). The record is parsed through parsed when given."""
    try:
        previous = record.read_bytes() if record else None
    except OSError:
        previous = None

    def write(path: str, data: bytes) -> tuple[str, int]:  # a file of an index built anew, as soon as it is made
        [(_, digest, size)] = stage.write([Output(path, data)])
        return digest, size

    version = fingerprint("static-search")  # the tool's code: a record of other code is not used
    update = static_update.update(documents, stage.previous.folder, previous, write, version, spill_in, parsed)
    if update.kept and not stage.keep(update.kept):
        update = static_update.update(documents, None, None, write, version, spill_in)
    stage.write(Output(path, data) for path, data in update.files)
    return update.recorded


def _write_documents(
    job: tuple[render.PageContext, Path | None, tuple], documents: list[Document]
) -> list[tuple[str, str, int]]:
    """Render and write a share of the document pages (in a worker process); returns (path, SHA-256, size) of each
    file."""
    context, compiled, staging = job
    return output.Staging(*staging).write(render.render_documents(context, documents, compiled))
