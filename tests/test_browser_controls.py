"""The document page in a real browser: 【打印】 and the header's 【字体：大 中 小】, print styles, no JavaScript, a 360 px phone.

Runs Debian's Chromium through Playwright against the sample site served by Python's HTTP server and by nginx with
the shipped deploy/nginx.conf; skipped when Chromium or Playwright is missing (the nginx runs: when nginx is).
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from . import nginx
from .browser import launched, record_csp_violations, served


@pytest.fixture(scope="module", params=["http.server", "nginx"])
def base_url(request, built_sample_site: Path, tmp_path_factory) -> Iterator[str]:
    """The built sample site, served by a real HTTP server on a free local port: Python's at the root of the
    host, or nginx with deploy/nginx.conf (and its Content-Security-Policy) under /xxgk/."""
    if request.param == "nginx":
        with nginx.serve(built_sample_site, tmp_path_factory.mktemp("nginx")) as server:
            yield server.url
        return
    with served(built_sample_site) as url:
        yield url


@pytest.fixture(scope="module")
def doc_path(built_sample_site: Path) -> str:
    """A document page of the sample site (the first in path order)."""
    pages = sorted(built_sample_site.glob("doc/**/*.html"))
    assert pages, "the sample site has no document pages"
    return pages[0].relative_to(built_sample_site).as_posix()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launched() as browser:
        yield browser


def body_font_size(page) -> float:
    return page.eval_on_selector(".doc-body", "e => parseFloat(getComputedStyle(e).fontSize)")


def checked(page) -> list[str]:
    """The labels of the checked 字体 radios in the header (exactly one when all is well)."""
    return page.eval_on_selector_all(
        ".site-tools [name=font-size]:checked", "rs => rs.map(r => r.labels[0].textContent)"
    )


def font_radio(page, label: str):
    return page.locator(".site-tools").get_by_role("radio", name=label, exact=True)


def test_font_buttons_resize_the_text_and_the_choice_survives_a_reload(browser, base_url, doc_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests, failures = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))
    page.on("pageerror", lambda e: failures.append(f"script error: {e}"))
    violations = record_csp_violations(page)
    page.goto(base_url + doc_path)

    controls = page.locator(".page-controls")
    assert controls.is_visible()
    assert controls.get_by_role("button", name="打印").is_visible()
    assert page.eval_on_selector("html", "e => e.dataset.font") == "medium"
    assert checked(page) == ["中"]
    medium = body_font_size(page)

    font_radio(page, "大").check()
    large = body_font_size(page)
    assert large > medium
    assert checked(page) == ["大"]

    page.reload()
    assert page.eval_on_selector("html", "e => e.dataset.font") == "large"
    assert body_font_size(page) == large
    assert checked(page) == ["大"]

    font_radio(page, "小").check()
    assert body_font_size(page) < medium
    assert checked(page) == ["小"]

    # 打印 calls window.print(); stub it so the headless browser does not open a print job.
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    controls.get_by_role("button", name="打印").click()
    assert page.evaluate("window.__printed") == 1

    assert not failures
    assert not violations
    assert all(url.startswith(base_url) for url in requests), "the page must load nothing from another host"
    context.close()


def test_print_media_hides_navigation_and_keeps_the_metadata_and_text(browser, base_url, doc_path):
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url + doc_path)
    page.emulate_media(media="print")
    for hidden in (".site-nav", ".footer-nav", ".page-controls", ".breadcrumb"):
        assert not page.locator(hidden).first.is_visible(), f"{hidden} should not print"
    assert page.locator("table.meta").is_visible()
    assert page.locator(".doc-body").is_visible()
    assert page.eval_on_selector(".doc-body", "e => getComputedStyle(e).color") == "rgb(0, 0, 0)"
    context.close()


def test_without_javascript_the_page_reads_fully_and_the_controls_stay_hidden(browser, base_url, doc_path):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + doc_path)
    assert page.locator(".doc-body").is_visible()
    assert page.locator(".doc-body").inner_text().strip()
    assert page.locator("table.meta").is_visible()
    assert "索引号" in page.locator("table.meta").inner_text()
    assert not page.locator(".page-controls").is_visible()
    context.close()


@pytest.mark.parametrize("path", ["document", "index.html", "catalog/index.html"])
def test_a_360px_phone_needs_no_horizontal_scrolling(browser, base_url, doc_path, path):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(base_url + (doc_path if path == "document" else path))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if path == "document":
        # The metadata block stacks: each label shown sits at the left edge, above or beside its own value.
        lefts = page.eval_on_selector_all(
            "table.meta th",
            "cells => cells.filter(c => c.offsetWidth).map(c => Math.round(c.getBoundingClientRect().left))",
        )
        assert len(set(lefts)) == 1
    context.close()
