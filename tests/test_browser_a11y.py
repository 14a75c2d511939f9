"""Every kind of page as the public sees it, in a real browser: axe-core's WCAG 2.2 AA rules, screenshots, the
phone layout measured, and a keyboard-only walk.

Debian's Chromium through Playwright loads two built sites from a real HTTP server under /xxgk/ (the sample
site's base path): the repository's sample site, and 50 generated documents so that listings and search
results have several pages. Each page kind is checked at 1366×768 and 390×844, in normal and 关怀版 mode; the
screenshots go to test-output/screenshots/ (named in the README) for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from .browser import axe_violations, launched, served
from .conftest import REPO

SHOTS = REPO / "test-output" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
PHONE = VIEWPORTS["phone"]
MIN_TARGET = 44  # px: the touch-target size the phone layout keeps for every control

# The controls a phone user taps, each of which must be at least MIN_TARGET square.
CONTROLS = (
    ".site-tools .tool-label, .nav-toggle .tool-label, .search-box input, .search-box button, .breadcrumb a,"
    " .meta-more .tool-label, .page-controls button, .pager a, .pager-off, .pager-jump input,"
    " .pager-jump button, .back-to-top a, .footer-nav a, .search-query input, .search-query button,"
    " .search-filter select, .search-filter input"
)


@pytest.fixture(scope="module")
def sample_url(built_sample_site: Path) -> Iterator[str]:
    with served(built_sample_site, "/xxgk/") as url:
        yield url


@pytest.fixture(scope="module")
def paged_url(paged_site: Path) -> Iterator[str]:
    with served(paged_site, "/xxgk/") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launched() as browser:
        yield browser


def first(site: Path, pattern: str) -> str:
    """The site path of the first file matching pattern, in path order."""
    found = sorted(site.glob(pattern))
    assert found, f"the site has no {pattern}"
    return found[0].relative_to(site).as_posix()


@pytest.fixture(scope="module")
def kinds(built_sample_site: Path) -> dict[str, str]:
    """One page of each kind the sample site has: kind -> site path (with a query for the search page)."""
    return {
        "home": "index.html",
        "catalog": "catalog/index.html",
        "column": "column/fdzdgknr/index.html",
        "browse": "category/index.html",
        "term": first(built_sample_site, "category/*/index.html"),
        "document": first(built_sample_site, "doc/*/*.html"),
        "annual-report": first(built_sample_site, "column/nb/[0-9]*.html"),
        "search": "search/index.html?q=" + quote("工作"),
        "sitemap": "sitemap/index.html",
        "subscribe": "subscribe/index.html",
        "not-found": "404.html",
    }


def open_page(browser, url: str, viewport: dict, care: bool = False, javascript: bool = True):
    """A new page at url; with care, 关怀版 is the remembered choice before the page loads."""
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    if care:
        context.add_init_script("localStorage.setItem('xxgk-care', 'on')")
    page = context.new_page()
    failures = []
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("404.html") and failures.append(r.url))
    page.on("pageerror", lambda e: failures.append(f"script error: {e}"))
    page.goto(url)
    if "search/index.html" in url and javascript:
        page.wait_for_selector("[data-ready]")
        page.wait_for_function("document.querySelector('.search-status').textContent.indexOf('正在') < 0")
    page.failures = failures
    return page


def root_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")


@pytest.mark.parametrize("mode", ["normal", "care"])
@pytest.mark.parametrize("size", list(VIEWPORTS))
@pytest.mark.parametrize(
    "kind",
    [
        "home",
        "catalog",
        "column",
        "browse",
        "term",
        "document",
        "annual-report",
        "search",
        "sitemap",
        "subscribe",
        "not-found",
    ],
)
def test_every_page_kind_passes_axe_and_is_photographed(browser, sample_url, kinds, kind, size, mode):
    page = open_page(browser, sample_url + kinds[kind], VIEWPORTS[size], care=mode == "care")
    assert root_font_px(page) == (20 if mode == "care" else 16)
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[size]["width"], "no sideways scrolling"
    violations = axe_violations(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{kind}-{size}-{mode}.png"), full_page=True)
    assert not page.failures
    assert violations == []
    page.context.close()


@pytest.mark.parametrize("mode", ["normal", "care"])
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_paged_listing_and_search_results_pass_axe(browser, paged_url, size, mode):
    for path in ("catalog/2/index.html", "search/index.html?q=" + quote("工作")):
        page = open_page(browser, paged_url + path, VIEWPORTS[size], care=mode == "care")
        assert page.locator(".pager").first.is_visible()
        assert axe_violations(page) == [], path
        name = "catalog-page-2" if path.startswith("catalog") else "search-results-paged"
        page.screenshot(path=str(SHOTS / f"{name}-{size}-{mode}.png"), full_page=True)
        page.context.close()


@pytest.mark.parametrize("mode", ["normal", "care"])
@pytest.mark.parametrize("kind", ["home", "catalog", "term", "document", "annual-report", "search", "sitemap"])
def test_on_a_phone_every_control_is_a_44px_target_and_the_title_is_on_the_first_screen(
    browser, sample_url, kinds, kind, mode
):
    page = open_page(browser, sample_url + kinds[kind], PHONE, care=mode == "care")
    small = page.eval_on_selector_all(
        CONTROLS,
        f"""els => els
        .filter(e => e.offsetWidth && getComputedStyle(e).visibility !== 'hidden')
        .map(e => [e.textContent.trim() || e.name || e.id, e.getBoundingClientRect()])
        .filter(([_, r]) => r.width < {MIN_TARGET} - 0.5 || r.height < {MIN_TARGET} - 0.5)
        .map(([name, r]) => name + ' ' + Math.round(r.width) + '×' + Math.round(r.height))""",
    )
    assert small == []
    title = page.locator("main h1").first
    box = title.bounding_box()
    if title.is_visible():
        assert box["y"] + box["height"] <= PHONE["height"], "the page title must be on the first screen"
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= (260 if mode == "care" else 200)
    page.context.close()


def test_phone_menu_opens_without_javascript(browser, sample_url):
    page = open_page(browser, sample_url + "index.html", PHONE, javascript=False)
    nav = page.locator(".site-nav")
    assert not nav.is_visible()
    page.get_by_role("checkbox", name="菜单").check()
    assert nav.is_visible()
    links = nav.get_by_role("link")
    assert links.count() >= 6
    heights = [links.nth(i).bounding_box()["height"] for i in range(links.count())]
    assert min(heights) >= MIN_TARGET
    page.context.close()


def test_phone_document_shows_key_rows_and_the_rest_one_tap_away(browser, sample_url, kinds):
    page = open_page(browser, sample_url + kinds["document"], PHONE, javascript=False)
    title = page.locator("h1.doc-title").bounding_box()
    meta = page.locator("table.meta")
    assert title["y"] < meta.bounding_box()["y"], "the title comes before the metadata block"
    every = meta.locator("th").all_inner_texts()
    key = meta.locator("th:not(.meta-extra):not(tr.meta-extra th)").all_inner_texts()
    assert meta.locator("th:visible").all_inner_texts() == key
    assert key[0] == "索引号" and 4 <= len(key) < len(every)
    page.get_by_role("checkbox", name="显示全部信息").check()
    assert meta.locator("th:visible").all_inner_texts() == every
    page.context.close()

    desktop = open_page(browser, sample_url + kinds["document"], VIEWPORTS["desktop"], javascript=False)
    assert desktop.locator("table.meta th:visible").count() == desktop.locator("table.meta th").count()
    assert not desktop.get_by_role("checkbox", name="显示全部信息").is_visible()
    desktop.context.close()


def test_wide_tables_scroll_in_a_focusable_box_with_a_visible_cue(browser, sample_url, kinds):
    page = open_page(browser, sample_url + kinds["annual-report"], PHONE)
    boxes = page.locator(".doc-body .table-scroll")
    assert boxes.count() >= 5, "every table of the annual report sits in a scrolling box"
    scrolling = page.locator(".doc-body .table-scroll.is-scrolling")
    assert scrolling.count() >= 1
    box = scrolling.first
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    assert page.locator(".table-scroll.is-scrolling + .table-scroll-cue").first.is_visible()
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("el => el.scrollLeft > 0", arg=box.element_handle())
    page.context.close()


def focused(page) -> str:
    """What has the keyboard focus: its id, or its role-ish tag and text."""
    return page.evaluate("""() => { const e = document.activeElement;
        return e.id ? '#' + e.id : e.tagName.toLowerCase() + ':' + (e.textContent || '').trim().slice(0, 20); }""")


def tab_to(page, wanted, limit: int = 60) -> str:
    """Press Tab until the focus is on what wanted(focused) accepts; fail after limit presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if wanted(now):
            return now
    pytest.fail(f"the keyboard never reached it (last focus: {focused(page)})")


def test_keyboard_only_walk_through_header_switch_search_filters_results_and_pager(browser, paged_url):
    page = open_page(browser, paged_url + "index.html", VIEWPORTS["desktop"])
    page.keyboard.press("Tab")
    assert focused(page) == "a:跳到正文"
    assert tab_to(page, lambda f: f == "#care-mode")
    page.keyboard.press("Space")
    assert page.evaluate("document.documentElement.dataset.care") == "on"
    assert root_font_px(page) == 20
    page.keyboard.press("Tab")
    assert focused(page) == "#font-medium"
    page.keyboard.press("ArrowLeft")
    assert focused(page) == "#font-large"
    assert page.evaluate("document.documentElement.dataset.font") == "large"
    assert root_font_px(page) == 25

    tab_to(page, lambda f: f == "#search-box-q")
    page.keyboard.type("工作")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-ready]")
    page.wait_for_selector(".search-result")
    assert page.evaluate("document.documentElement.dataset.care") == "on", "关怀版 is remembered on the next page"
    first_count = page.locator(".search-status").inner_text()

    # The filters: choose a 发布机构 with the keyboard alone, then send the form with Enter.
    tab_to(page, lambda f: f == "#search-publisher")
    page.keyboard.press("ArrowDown")
    chosen = page.eval_on_selector("#search-publisher", "s => s.value")
    assert chosen
    tab_to(page, lambda f: f == "#search-q")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"location.search.includes({quote(chosen)!r}) && document.querySelector('.search-status')"
        ".textContent.indexOf('正在') < 0"
    )
    assert page.locator(".search-status").inner_text() != first_count
    # Back to everything, and on to a result and the pager.
    page.select_option("#search-publisher", "")
    page.locator("#search-q").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("!location.search.includes('publisher') && document.querySelector('.search-pager a')")
    result = tab_to(
        page,
        lambda f: (
            f.startswith("a:")
            and f != "a:跳到正文"
            and page.evaluate("!!document.activeElement.closest('.search-result')")
        ),
    )
    assert result
    tab_to(page, lambda f: f == "a:2")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "location.search.includes('page=2') && document.querySelector('.search-status').textContent.includes('第 2 页')"
    )

    # A listing's pager: 尾页 by keyboard, then the page jump.
    page.goto(paged_url + "catalog/index.html")
    tab_to(page, lambda f: f == "a:尾页")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/catalog/3/(index\.html)?$"))
    tab_to(page, lambda f: f.startswith("#pager-jump-"))
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/catalog/2/(index\.html)?$"))
    page.context.close()


def test_axe_reports_what_it_should_find(browser):
    """The check above can fail: on a page with an unlabelled image, button and low-contrast text axe reports each."""
    page = browser.new_page()
    page.set_content(
        '<!doctype html><html lang="zh-CN"><title>t</title><main><img src="a.png"><button></button>'
        '<p style="color:#bbb">浅色文字</p></main></html>'
    )
    found = {line.split(" ")[0] for line in axe_violations(page)}
    assert {"image-alt", "button-name", "color-contrast"} <= found
    page.close()


def test_phone_listings_keep_every_index_number_in_sight(browser, sample_url, built_sample_site):
    catalog = open_page(browser, sample_url + "catalog/index.html", PHONE, javascript=False)
    assert catalog.locator(".doc-table td.col-index").first.is_visible(), "the 目录 keeps its 索引号 column"
    catalog.context.close()
    page = open_page(browser, sample_url + "column/fdzdgknr/index.html", PHONE, javascript=False)
    rows = page.locator(".doc-table tbody tr")
    assert rows.count() >= 5
    assert not page.locator(".doc-table td.col-index").first.is_visible()
    for k in range(rows.count()):
        number = rows.nth(k).locator("td.col-index").inner_text()
        assert f"索引号：{number}" in rows.nth(k).locator("td.col-title").inner_text()
    page.context.close()
    desktop = open_page(browser, sample_url + "column/fdzdgknr/index.html", VIEWPORTS["desktop"], javascript=False)
    assert desktop.locator(".doc-table td.col-index").first.is_visible()
    assert not desktop.locator(".index-inline").first.is_visible()
    desktop.context.close()
