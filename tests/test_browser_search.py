"""Search on the static site in a real browser: static/js/search.js over the index of xxgk/search/static_index.py.

Debian's Chromium through Playwright loads built sites under the sub-path /xxgk/ from a real HTTP server (Python's,
and nginx with the shipped deploy/nginx.conf and its Content-Security-Policy),
types queries and checks results, filters, pagination, highlighting, 索引号/文号 lookups, the page without
JavaScript, and the bytes one query fetches on a 10,000-document corpus. Skipped when Chromium or Playwright
is missing.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest

from xxgk import assemble, content, render
from xxgk.config import Config, load_config
from xxgk.search.static_index import StaticReader, query_parts, static_index
from xxgk.search.tokens import normalize

from . import nginx
from .browser import launched
from .conftest import REPO, TODAY, build_site, corpus_module, once_per_run

PREFIX = "/xxgk/"
BUDGET = 300 * 1024  # bytes one query may fetch on a 10,000-document site (the target in CHANGELOG.md)
COMPOUND = "财政预算"
COMPOUND_LINE = "\n\n本年度财政预算安排坚持量入为出。\n"
NEAR_MISS_LINE = "\n\n本年度财政预备费已经安排，预算执行情况良好。\n"


def _search_page(config: Config, out: Path, documents=None) -> None:
    """Render search/index.html and write the static index into out, where the build has not written them."""
    if documents is None:
        documents, _ = content.read_all(config)
    site = assemble.assemble(documents, config, date.fromisoformat(TODAY))
    if not (out / "search" / "meta.json").is_file():
        for path, data in static_index(site.documents):
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            (out / path).write_bytes(data)
    if not (out / "search" / "index.html").is_file():
        page = render.render_page(
            render.page_context(site, config), render.make_env(config.templates_dir), "search.html", "search/index.html"
        )
        (out / "search" / "index.html").write_bytes(page.data)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site folder under PREFIX only, as a site published in a sub-folder of its host."""

    def log_message(self, format, *args):  # noqa: A002 - the name comes from the base class
        pass

    def translate_path(self, path: str) -> str:
        if not path.startswith(PREFIX):
            return str(Path(self.directory) / "__outside__")
        return super().translate_path("/" + path[len(PREFIX) :])


@pytest.fixture(scope="module")
def serve() -> Iterator:
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_Handler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _small_site(root: Path) -> Path:
    corpus_module().generate(root, 80, seed=3)
    sources = sorted((root / "content").rglob("*.md"))
    for path in sources[:3]:
        path.write_text(path.read_text(encoding="utf-8") + COMPOUND_LINE, encoding="utf-8")
    sources[3].write_text(sources[3].read_text(encoding="utf-8") + NEAR_MISS_LINE, encoding="utf-8")
    out = build_site(root)
    _search_page(load_config(root / "config.yaml"), out)
    return out


@pytest.fixture(scope="module")
def small_site(pytestconfig, tmp_path_factory) -> Path:
    """80 documents from the benchmark's generator; three mention 财政预算, one only 财政预备 … 预算."""
    return once_per_run(pytestconfig, tmp_path_factory, "search-small", _small_site)


@pytest.fixture(scope="module", params=["http.server", "nginx"])
def small_url(request, small_site, serve, tmp_path_factory) -> Iterator[str]:
    """The small site under /xxgk/: from Python's HTTP server, or from nginx with deploy/nginx.conf."""
    if request.param == "nginx":
        with nginx.serve(small_site, tmp_path_factory.mktemp("nginx")) as server:
            yield server.url
    else:
        yield serve(small_site)


@pytest.fixture(scope="module")
def files(small_site) -> dict[str, bytes]:
    return {
        p.relative_to(small_site).as_posix(): p.read_bytes() for p in (small_site / "search").rglob("*") if p.is_file()
    }


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launched() as browser:
        yield browser


class Watched:
    """A page that records every response's body size and every failure."""

    def __init__(self, browser, **options):
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.sizes: list[tuple[str, int]] = []
        self.failures: list[str] = []
        self.page.on("response", self._response)
        self.page.on("pageerror", lambda e: self.failures.append(f"script error: {e}"))
        self.page.on("console", lambda m: m.type == "error" and self.failures.append(f"console: {m.text}"))

    def _response(self, response) -> None:
        if response.status >= 400:
            self.failures.append(f"{response.status} {response.url}")
        try:
            self.sizes.append((response.url, len(response.body())))
        except Exception:  # a redirect or an aborted request has no body
            self.sizes.append((response.url, 0))

    def fetched(self) -> tuple[int, str]:
        """Bytes received since the last call, and how they split between the page, the index and the results."""
        kinds = {"page": 0, "index": 0, "results": 0}
        for url, size in self.sizes:
            kind = (
                "results"
                if "/search/d/" in url
                else "index"
                if "/search/" in url and "?" in url or url.endswith("meta.json")
                else "page"
            )
            kinds[kind] += size
        self.sizes.clear()
        return sum(kinds.values()), ", ".join(f"{k} {v / 1024:.1f} KB" for k, v in kinds.items())

    def wait_for_results(self) -> str:
        self.page.wait_for_selector(".search-page[data-ready]")
        self.page.wait_for_function("""() => { const s = document.querySelector('.search-status').textContent;
                                        return s && !s.startsWith('正在'); }""")
        self.page.wait_for_load_state("networkidle")
        return self.page.inner_text(".search-status")

    def open(self, url: str, query: str = "") -> str:
        self.page.goto(url + "search/" + (f"?q={quote(query)}" if query else ""))
        return self.wait_for_results()

    def type(self, query: str) -> str:
        """Type into the search page's box and press Enter (the page searches without reloading)."""
        self.page.evaluate("document.querySelector('.search-status').textContent = '正在等待'")
        self.page.fill("#search-q", query)
        self.page.press("#search-q", "Enter")
        return self.wait_for_results()

    def titles(self) -> list[str]:
        return self.page.locator(".search-result-title a").all_inner_texts()

    def close(self) -> None:
        self.context.close()


def titles_containing(site: Path, text: str) -> set[str]:
    """Titles of the source documents (next to the built site) whose file contains text anywhere."""
    found = set()
    for path in (site.parent / "content").rglob("*.md"):
        source = path.read_text(encoding="utf-8")
        if text in source:
            found.add(re.search(r'^title: "(.*)"$', source, re.M).group(1))
    return found


def count_of(status: str) -> int:
    match = re.search(r"信息 (\d+) 条", status)
    return int(match.group(1)) if match else 0


def expected(files: dict[str, bytes], query: str, page: int = 1, **filters) -> tuple[int, list[str]]:
    reader = StaticReader(files)
    hits = reader.search(query, **filters)
    return len(hits), [shown["title"] for shown in reader.show(hits, page)]


@pytest.fixture
def watched(browser) -> Iterator[Watched]:
    w = Watched(browser, viewport={"width": 1280, "height": 900})
    yield w
    w.close()


def test_the_box_on_any_page_leads_to_results_under_the_sub_path(watched, small_url, small_site):
    page = watched.page
    doc = sorted(small_site.glob("doc/**/*.html"))[0].relative_to(small_site).as_posix()
    page.goto(small_url + doc)
    box = page.get_by_role("search").first.get_by_role("searchbox", name="搜索本站信息")
    box.fill(COMPOUND)
    box.press("Enter")
    status = watched.wait_for_results()
    assert page.url.startswith(small_url + "search/?q=")
    assert count_of(status) == len(titles_containing(small_site, COMPOUND))
    link = page.locator(".search-result-title a").first
    link.click()
    page.wait_for_load_state()
    assert page.url.startswith(small_url + "doc/") and page.locator(".doc-body").is_visible()
    assert not watched.failures


def test_a_compound_word_finds_exactly_the_documents_containing_it(watched, small_url, small_site, files):
    containing = titles_containing(small_site, COMPOUND)
    near_miss = titles_containing(small_site, NEAR_MISS_LINE.strip())
    assert len(containing) >= 3 and len(near_miss) == 1
    status = watched.open(small_url, COMPOUND)
    assert count_of(status) == len(containing)
    assert set(watched.titles()) == containing  # not the document with only 财政预备 … 预算
    assert expected(files, COMPOUND) == (len(containing), watched.titles())
    marks = watched.page.locator(".search-result mark").all_inner_texts()
    assert marks and set(marks) == {COMPOUND}
    watched.type("财政 预算")  # two words, each anywhere: now the near miss too
    assert near_miss <= set(watched.titles())
    assert not watched.failures


@pytest.mark.parametrize(
    "query", ["进一步", "工作", "管", "政务服务", "信息公开 工作", "2020", "深圳市人民政府", "没有这样的词语组合"]
)
def test_the_browser_finds_what_the_python_reader_finds(watched, small_url, files, query):
    status = watched.open(small_url, query)
    total, titles = expected(files, query)
    assert count_of(status) == total
    assert watched.titles() == titles
    if total:
        marks = watched.page.locator(".search-result mark").all_inner_texts()
        parts = "|".join(map(re.escape, query_parts(query)))
        assert marks and all(re.fullmatch(f"(?:{parts})+", normalize(m)) for m in marks)
    else:
        assert "没有找到" in status
    assert not watched.failures


def test_index_numbers_and_document_numbers_in_any_bracket_form(watched, small_url, files):
    shown = [json.loads(data) for path, data in sorted(files.items()) if re.fullmatch(r"search/d/\d+\.json", path)]
    doc = next(d for d in shown if re.search(r"〔\d{4}〕", d["doc_no"]))
    year = re.search(r"〔(\d{4})〕", doc["doc_no"]).group(1)
    wide = year.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for query in [
        doc["index_no"],
        doc["doc_no"],
        doc["doc_no"].replace(f"〔{year}〕", f"[{year}]"),
        doc["doc_no"].replace(f"〔{year}〕", f"（{wide}）"),
    ]:
        status = watched.open(small_url, query) if query == doc["index_no"] else watched.type(query)
        assert count_of(status) >= 1, query
        first = watched.page.locator(".search-result").first
        assert watched.titles()[0] == doc["title"], query
        assert first.locator(".search-result-meta mark").inner_text() in (doc["index_no"], doc["doc_no"])
    assert not watched.failures


def test_filters_narrow_the_results_and_stay_in_the_address(watched, small_url, files):
    page = watched.page
    watched.open(small_url, "工作")
    meta = json.loads(files["search/meta.json"])
    publisher = meta["publishers"][0]["name"]
    page.select_option("#search-publisher", publisher)
    page.evaluate("document.querySelector('.search-status').textContent = '正在等待'")
    page.get_by_role("button", name="搜索", exact=True).last.click()
    status = watched.wait_for_results()
    assert "publisher=" in page.url
    assert (count_of(status), watched.titles()) == expected(files, "工作", publisher=publisher)
    assert set(page.locator(".search-result-meta").all_inner_texts()) and all(
        publisher in text for text in page.locator(".search-result-meta").all_inner_texts()
    )
    year = meta["years"][1]["year"]
    page.select_option("#search-year", str(year))
    page.fill("#search-q", "")
    page.evaluate("document.querySelector('.search-status').textContent = '正在等待'")
    page.press("#search-q", "Enter")
    status = watched.wait_for_results()
    assert (count_of(status), watched.titles()) == expected(files, "", publisher=publisher, year=year)
    dates = page.locator(".search-result-meta").all_inner_texts()
    assert dates and all(re.search(rf"发布日期\s*：?\s*{year}-", t) for t in dates)
    page.reload()
    watched.wait_for_results()
    assert page.input_value("#search-publisher") == publisher and page.input_value("#search-year") == str(year)
    assert not watched.failures


def test_pages_of_ten_with_a_pager_and_the_back_button(watched, small_url, files):
    page = watched.page
    status = watched.open(small_url, "工作")
    total, first_titles = expected(files, "工作")
    assert total > 20 and count_of(status) == total
    assert page.locator(".search-result").count() == 10
    pager = page.get_by_role("navigation", name="搜索结果分页")
    assert pager.is_visible()
    pager.get_by_role("link", name="第 2 页").click()
    watched.wait_for_results()
    assert "page=2" in page.url
    assert watched.titles() == expected(files, "工作", page=2)[1]
    assert page.locator(".search-results").get_attribute("start") == "11"
    page.go_back()
    watched.wait_for_results()
    assert watched.titles() == first_titles
    assert not watched.failures


def test_without_javascript_the_page_says_so_and_links_the_catalog(browser, small_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(small_url + "search/?q=" + quote(COMPOUND))
    message = page.locator(".search-noscript")
    assert message.is_visible()
    assert "搜索功能需要启用 JavaScript" in message.inner_text()
    message.get_by_role("link", name="政府信息公开目录").click()
    page.wait_for_load_state()
    assert page.url == small_url + "catalog/"
    context.close()


def test_the_header_box_is_labelled_and_hidden_in_print(watched, small_url):
    page = watched.page
    page.goto(small_url)
    box = page.locator(".search-box")
    assert box.get_attribute("role") == "search"
    assert page.get_by_label("搜索本站信息").is_visible()
    page.emulate_media(media="print")
    assert not box.is_visible()


# ---- bytes per query on 10,000 documents ----

QUERIES_10K = ["政务服务", "深圳市", "工作", "的", "进一步推进", "信息公开 工作", "2020", COMPOUND]


@pytest.fixture(scope="module")
def big_site(tmp_path_factory) -> tuple[Path, float]:
    """10,000 generated documents read by the project's reader; the search page, the index and static/.

    The rest of the site (14,000 pages) is not needed to measure search, so it is not built here.
    """
    root = tmp_path_factory.mktemp("search-10k")
    corpus_module().generate(root, 10_000)
    config = load_config(root / "config.yaml")
    documents, _ = content.read_all(config)
    out = root / "site"
    started = time.perf_counter()
    files = static_index([d for d in documents if not d.draft and d.published <= date.fromisoformat(TODAY)])
    seconds = time.perf_counter() - started
    for path, data in files:
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(data)
    shutil.copytree(REPO / "static", out / "static")
    # The config was read before site/ was filled by hand: a build would refuse a folder it did not make.
    _search_page(config, out, documents)
    return out, seconds


def test_one_query_fetches_at_most_300_kb_on_10000_documents(browser, big_site, serve):
    site, seconds = big_site
    assert json.loads((site / "search" / "meta.json").read_text())["documents"] == 10_000
    url = serve(site)
    watched = Watched(browser)
    report = [f"static index of 10,000 documents built in {seconds:.1f} s"]
    try:
        for n, query in enumerate(QUERIES_10K):
            status = watched.open(url, query) if n == 0 else watched.type(query)
            fetched, split = watched.fetched()
            report.append(
                f"{'first' if n == 0 else 'later'} query {query!r}: {count_of(status)} results, "
                f"{fetched / 1024:.1f} KB ({split})"
            )
            assert count_of(status) > 0, query
            assert fetched <= BUDGET, f"{query!r} fetched {fetched} bytes"
        assert not watched.failures
    finally:
        watched.close()
        print("\n" + "\n".join(report))
