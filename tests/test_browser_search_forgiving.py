"""Search that forgives, in a real browser: static/js/search.js gives what StaticReader gives for traditional
characters, body and category names, the 文种/有效性/date filters and newest-first order; a query that finds
nothing gets suggestions; without JavaScript the page offers the 目录 and its browse pages.

Debian's Chromium through Playwright loads a site of 50 generated documents from a real HTTP server under /xxgk/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from xxgk.search.static_index import StaticReader

from .browser import launched, served


@pytest.fixture(scope="module")
def site(paged_site: Path) -> Path:
    """The 50 generated documents of paged_site: the same corpus, so the run builds it once."""
    return paged_site


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    with served(site, "/xxgk/") as url:
        yield url


@pytest.fixture(scope="module")
def reader(site: Path) -> StaticReader:
    return StaticReader(
        {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "search").rglob("*") if p.is_file()}
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launched() as browser:
        yield browser


@pytest.fixture(scope="module")
def page(browser) -> object:
    return browser.new_context(viewport={"width": 1366, "height": 900}).new_page()


def open_search(page, site_url: str, **params) -> str:
    """The search page for params; returns the status line once the search has drawn."""
    page.goto(site_url + "search/index.html?" + urlencode(params))
    page.wait_for_selector("[data-ready]")
    page.wait_for_function("!/正在|^$/.test(document.querySelector('.search-status').textContent)")
    return page.locator(".search-status").inner_text()


def shown(page) -> list[str]:
    return page.locator(".search-result-title a").all_inner_texts()


def expected(reader: StaticReader, query: str, **filters) -> tuple[int, list[str]]:
    hits = reader.search(query, **filters)
    return len(hits), [doc["title"] for doc in reader.show(hits)]


def total(status: str) -> int:
    found = re.search(r"信息 (\d+) 条", status)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize(
    ("traditional", "simplified"), [("政務公開", "政务公开"), ("關於開展", "关于开展"), ("經濟", "经济")]
)
def test_traditional_characters_find_the_simplified_text(page, site_url, reader, traditional, simplified):
    count, titles = expected(reader, simplified)
    assert count, f"{simplified} finds nothing in the site, so the test would prove nothing"
    status = open_search(page, site_url, q=traditional)
    assert total(status) == count
    assert shown(page) == titles
    assert page.locator(".search-result mark").count() > 0


def test_a_body_name_and_a_category_name_are_searchable(page, site_url, reader, site):
    meta = reader.meta
    for name in (meta["publishers"][0]["name"][-4:], meta["categories"][0]["name"][:2]):
        count, titles = expected(reader, name)
        assert total(open_search(page, site_url, q=name)) == count > 0
        assert shown(page) == titles


def test_filters_and_date_order_match_the_python_reader(page, site_url, reader):
    genre = reader.meta["genres"][0]["name"]
    cases = [
        ({"genre": genre}, {"genre": genre}),
        ({"validity": "有效"}, {"validity": "有效"}),
        ({"from": "2019-01-01", "to": "2020-12-31"}, {"start": "2019-01-01", "end": "2020-12-31"}),
        ({"q": "工作", "sort": "date"}, {"by_date": True}),
        (
            {"q": "工作", "genre": genre, "from": "2018-01-01", "sort": "date"},
            {"genre": genre, "start": "2018-01-01", "by_date": True},
        ),
    ]
    for params, filters in cases:
        count, titles = expected(reader, params.get("q", ""), **filters)
        assert count, params
        status = open_search(page, site_url, **params)
        assert total(status) == count, params
        assert shown(page) == titles, params
        if params.get("sort") == "date":
            assert "按发布日期从新到旧排列" in status
            dates = page.locator(".search-result-meta div:has(dt:text('发布日期')) dd").all_inner_texts()
            assert dates == sorted(dates, reverse=True)
        for name, value in params.items():
            assert page.locator(f".search-form [name={name}]").input_value() == value, "the form shows the search"


def test_the_form_sends_the_new_filters(page, site_url, reader):
    open_search(page, site_url, q="工作")
    page.select_option("#search-validity", "有效")
    page.fill("#search-from", "2019-01-01")
    page.select_option("#search-sort", "date")
    page.get_by_role("button", name="搜索", exact=True).last.click()
    page.wait_for_function(
        "location.search.includes('sort=date') && /条/.test(document.querySelector('.search-status').textContent)"
    )
    assert "validity=" in page.url and "from=2019-01-01" in page.url
    count, titles = expected(reader, "工作", validity="有效", start="2019-01-01", by_date=True)
    assert total(page.locator(".search-status").inner_text()) == count
    assert shown(page) == titles


def test_nothing_found_suggests_what_to_try(page, site_url, reader):
    assert reader.search("乾坤") == [] and reader.search("工作")
    status = open_search(page, site_url, q="工作 乾坤", validity="有效")
    assert status.startswith("没有找到")
    help_panel = page.locator(".search-help")
    assert help_panel.is_visible()
    tries = help_panel.locator(".search-tries a").all_inner_texts()
    assert tries == ["只搜索“工作”", "只搜索“乾坤”", "不加筛选条件搜索“工作 乾坤”"]
    assert help_panel.get_by_role("link", name=re.compile("政府信息公开目录")).is_visible()
    help_panel.get_by_role("link", name="只搜索“工作”").click()
    page.wait_for_function("/找到/.test(document.querySelector('.search-status').textContent)")
    assert not help_panel.is_visible()
    assert page.locator("#search-q").input_value() == "工作"
    assert total(page.locator(".search-status").inner_text()) == len(reader.search("工作"))


def test_without_javascript_the_page_offers_the_catalog_and_browse_pages(browser, site_url):
    page = browser.new_context(java_script_enabled=False).new_page()
    page.goto(site_url + "search/index.html?q=" + "工作")
    offered = page.locator(".search-noscript a")
    assert offered.all_inner_texts()[0].startswith("政府信息公开目录")
    assert {"按主题分类浏览", "按发布机构浏览", "按文种浏览", "按有效性浏览"} <= set(offered.all_inner_texts())
    for href in offered.evaluate_all("links => links.map(a => a.href)"):
        page.goto(href)
        assert page.locator("main h1").is_visible()
    page.context.close()
