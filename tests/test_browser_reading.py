"""关怀版, 字体 and the portal navigation in a real browser, with JavaScript on and off.

Debian's Chromium through Playwright loads the sample site and a site of 50 generated documents (several pages
per listing) from a real HTTP server under /xxgk/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from .browser import launched, served
from .conftest import REPO

DESKTOP = {"width": 1366, "height": 768}
# Fonts with Simplified Chinese glyphs that each platform ships: Windows, macOS/iOS, Android and Linux desktops.
PLATFORM_FONTS = (
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
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


@pytest.fixture(scope="module")
def pages(built_sample_site: Path) -> list[str]:
    """One page of every kind: home, 目录, a column, a browse page, a term, a document, the 年报, search, 网站地图."""

    def first(pattern: str) -> str:
        return sorted(built_sample_site.glob(pattern))[0].relative_to(built_sample_site).as_posix()

    return [
        "index.html",
        "catalog/index.html",
        "column/fdzdgknr/index.html",
        "category/index.html",
        first("category/*/index.html"),
        first("doc/*/*.html"),
        first("column/nb/[0-9]*.html"),
        "search/index.html",
        "sitemap/index.html",
    ]


def new_page(browser, javascript: bool = True, viewport: dict = DESKTOP):
    return browser.new_context(viewport=viewport, java_script_enabled=javascript).new_page()


def px(page, selector: str, prop: str = "fontSize") -> float:
    return page.eval_on_selector(selector, f"e => parseFloat(getComputedStyle(e).{prop})")


def cursor(page, selector: str) -> str:
    return page.eval_on_selector(selector, "e => getComputedStyle(e).cursor")


def test_care_mode_without_javascript_enlarges_strengthens_and_prints_normally(browser, sample_url, pages):
    page = new_page(browser, javascript=False)
    page.goto(sample_url + pages[5])
    before = {s: px(page, s) for s in ("body", "table.meta", ".doc-body", ".site-nav a", ".site-footer")}
    line = px(page, "body", "lineHeight") / px(page, "body")
    page.get_by_role("switch", name="关怀版").check()
    after = {s: px(page, s) for s in before}
    assert all(after[s] >= before[s] * 1.24 for s in before), (before, after)
    assert px(page, "body", "lineHeight") / px(page, "body") > line
    assert "cursor-arrow.svg" in cursor(page, ".doc-body p")
    assert "cursor-hand.svg" in cursor(page, ".site-nav a")
    assert page.eval_on_selector("body", "e => getComputedStyle(e).color") == "rgb(0, 0, 0)"
    assert px(page, ".site-nav a", "minHeight") >= 48

    page.emulate_media(media="print")
    assert px(page, "html") == 16
    assert not page.locator(".site-tools").is_visible()
    assert page.locator(".doc-body").is_visible()
    page.context.close()


def test_care_mode_is_remembered_on_every_page_kind_until_switched_off(browser, sample_url, pages):
    page = new_page(browser)
    page.goto(sample_url + pages[0])
    switch = page.get_by_role("switch", name="关怀版")
    assert not switch.is_checked() and px(page, "html") == 16
    switch.check()
    for path in pages:
        page.goto(sample_url + path)
        assert page.get_by_role("switch", name="关怀版").is_checked(), path
        assert px(page, "html") == 20, path
        assert page.evaluate("document.documentElement.dataset.care") == "on"
    page.get_by_role("switch", name="关怀版").uncheck()
    page.goto(sample_url + pages[0])
    assert px(page, "html") == 16 and not page.get_by_role("switch", name="关怀版").is_checked()
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_font_size_scales_all_text_on_every_page_kind(browser, sample_url, pages, javascript):
    page = new_page(browser, javascript=javascript)
    for path in pages:
        page.goto(sample_url + path)
        texts = [
            s
            for s in (
                "main h1",
                "table.meta td",
                ".doc-table td",
                ".doc-body p",
                ".site-nav a",
                ".site-footer",
                ".search-query input",
            )
            if page.locator(s).count()
        ]
        medium = {s: px(page, s) for s in texts}
        page.locator(".site-tools").get_by_role("radio", name="大", exact=True).check()
        large = {s: px(page, s) for s in texts}
        assert all(large[s] == pytest.approx(medium[s] * 1.25) for s in texts), (path, medium, large)
        page.locator(".site-tools").get_by_role("radio", name="小", exact=True).check()
        assert all(px(page, s) == pytest.approx(medium[s] * 0.875) for s in texts), path
        if javascript:
            break  # the choice now carries to the other pages
    if javascript:
        for path in pages[1:]:
            page.goto(sample_url + path)
            assert px(page, "html") == 14, path
            assert page.locator(".site-tools [name=font-size]:checked").get_attribute("value") == "small"
    page.context.close()


def test_pager_has_first_last_and_a_page_jump_only_with_javascript(browser, paged_url):
    page = new_page(browser, javascript=False)
    page.goto(paged_url + "catalog/2/index.html")
    pager = page.locator("nav.pager")
    assert [pager.get_by_role("link", name=n, exact=True).count() for n in ("首页", "尾页", "上一页", "下一页")] == [
        1
    ] * 4
    assert not pager.locator("form.pager-jump").is_visible()
    pager.get_by_role("link", name="尾页").click()
    assert re.search(r"/catalog/3/(index\.html)?$", page.url)
    assert pager.get_by_role("link", name="尾页").count() == 0 and pager.get_by_text("尾页").count() == 1
    page.context.close()

    page = new_page(browser)
    page.goto(paged_url + "catalog/index.html")
    page.get_by_label("跳转到第").fill("3")
    page.get_by_role("button", name="跳转").click()
    page.wait_for_url(re.compile(r"/catalog/3/(index\.html)?$"))
    page.get_by_label("跳转到第").fill("99")  # past the end: the last page
    page.get_by_role("button", name="跳转").click()
    page.wait_for_url(re.compile(r"/catalog/3/(index\.html)?$"))
    page.get_by_label("跳转到第").fill("1")
    page.get_by_role("button", name="跳转").click()
    page.wait_for_url(re.compile(r"/catalog/(index\.html)?$"))
    page.context.close()


def test_documents_link_the_newer_and_older_document_of_their_column(browser, paged_site, paged_url):
    page = new_page(browser, javascript=False)
    page.goto(paged_url + "column/fdzdgknr/index.html")
    titles = page.locator(".doc-table .col-title a").all_inner_texts()
    page.locator(".doc-table .col-title a").nth(1).click()
    # A click does not wait for the next page: expect() asks again until it is there (or times out).
    neighbours = page.locator(".doc-neighbours")
    expect(neighbours.get_by_role("link")).to_have_text([titles[0], titles[2]])
    neighbours.get_by_role("link", name=titles[2]).click()
    expect(page.locator("h1.doc-title")).to_have_text(titles[2])
    page.goto(paged_url + "column/fdzdgknr/index.html")
    page.locator(".doc-table .col-title a").first.click()
    assert page.locator(".doc-neighbours li").first.inner_text() == "上一篇：没有了"
    page.context.close()


def test_back_to_top_sitemap_and_subscribe_pages(browser, sample_url, built_sample_site):
    page = new_page(browser, javascript=False)
    page.goto(sample_url + "index.html")
    page.get_by_role("link", name="网站地图").first.click()
    assert page.locator("h1").inner_text() == "网站地图"
    links = set(page.locator("main a").evaluate_all("links => links.map(a => a.href)"))
    for nav in page.locator(".site-nav a").evaluate_all("links => links.map(a => a.href)"):
        assert nav in links, f"网站地图 lacks {nav}"
    for term in sorted(built_sample_site.glob("category/*/*/index.html")):
        assert any(href.endswith(term.parent.relative_to(built_sample_site).as_posix() + "/") for href in links)

    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.get_by_role("link", name="返回顶部").click()
    assert page.evaluate("window.scrollY") == 0

    page.get_by_role("link", name="订阅与开放数据").first.click()
    hrefs = page.locator("main a").evaluate_all("links => links.map(a => a.href)")
    for name in ("feed.xml", "catalog.json", "catalog.csv", "sitemap.xml"):
        assert any(h.endswith("/xxgk/" + name) for h in hrefs), name
    for href in hrefs:
        with urlopen(href) as response:  # every feed and data file the page names is there
            assert response.status == 200
    assert sum(h.endswith("/feed.xml") for h in hrefs) > 5, "a feed for each 发布机构 and 主题分类"
    page.context.close()


def test_top_level_category_lists_its_sub_categories(browser, sample_url, built_sample_site):
    top = sorted(p.parent for p in built_sample_site.glob("category/*/*/index.html"))[0].parent
    page = new_page(browser, javascript=False)
    page.goto(sample_url + top.relative_to(built_sample_site).as_posix() + "/index.html")
    subs = page.locator(".term-sublinks").get_by_role("link")
    expected = {p.parent.name for p in top.glob("*/index.html")}
    assert {href.rstrip("/").split("/")[-1] for href in subs.evaluate_all("ls => ls.map(a => a.href)")} == expected
    page.context.close()


def test_a_printed_page_carries_its_address_and_the_print_date(browser, sample_url, pages):
    page = new_page(browser)
    page.goto(sample_url + pages[5])
    assert not page.locator(".print-info").is_visible()
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    info = page.locator(".print-info").inner_text()
    assert "本页网址：https://www.example.gov.cn/xxgk/" + pages[5] in info
    assert re.search(r"打印日期：\d{4}年\d{1,2}月\d{1,2}日", info)
    page.context.close()


def test_pages_name_a_chinese_font_of_every_platform_and_load_nothing_from_other_hosts(browser, sample_url, pages):
    css = (REPO / "static" / "css" / "site.css").read_text(encoding="utf-8")
    assert "@font-face" not in css and "@import" not in css
    page = new_page(browser)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    for path in pages:
        page.goto(sample_url + path)
        family = page.eval_on_selector("body", "e => getComputedStyle(e).fontFamily")
        assert all(f'"{font}"' in family for font in PLATFORM_FONTS), family
        assert family.endswith("sans-serif")
    assert all(url.startswith(sample_url) for url in requests)
    page.context.close()
