"""Every kind of page satisfies the Content-Security-Policy that deploy/nginx.conf sends, in a real browser.

The sample site is served by Debian's nginx with the shipped config (tests/nginx.py), at the sub-path /xxgk/ and
at the root of a host, and opened in Debian's Chromium through Playwright; skipped when any of them is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from . import nginx
from .browser import launched, record_csp_violations


@pytest.fixture(scope="module", params=[nginx.SUB_PATH, "/"], ids=["sub-path", "root"])
def server(request, built_sample_site, built_root_site, tmp_path_factory) -> Iterator[nginx.Server]:
    """The sample site built for the sub-path or for the root of its host, served there by nginx."""
    site = built_sample_site if request.param == nginx.SUB_PATH else built_root_site
    with nginx.serve(site, tmp_path_factory.mktemp("nginx"), request.param) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with launched() as browser:
        yield browser


def pages(site: Path) -> list[str]:
    """One page of each kind: home, 目录, column, facet index, term listing, document, search with a query, 404."""
    document = sorted(site.glob("doc/**/*.html"))[0].relative_to(site).as_posix()
    return [
        "",
        "catalog/",
        "column/zn/",
        "category/",
        "publisher/ping-shan-qu-zheng-fu-ban/",
        document,
        "search/?q=" + quote("信息公开"),
        "no-such-page/",
    ]


def test_no_page_violates_the_content_security_policy(browser, server):
    context = browser.new_context()
    page = context.new_page()
    violations = record_csp_violations(page)
    errors, failed = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "console",
        lambda m: m.type == "error" and not m.text.startswith("Failed to load resource") and errors.append(m.text),
    )
    page.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    for path in pages(server.site):
        response = page.goto(server.url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
    assert violations == []
    assert errors == []
    assert failed == [server.url + "no-such-page/"]  # the 404 page itself, and nothing it loads
    # The scripts really ran under the policy: search answered, and the document's controls are visible.
    page.goto(server.url + pages(server.site)[6])
    page.wait_for_selector(".search-result")  # fails after Playwright's timeout when search shows no result
    page.goto(server.url + pages(server.site)[5])
    assert page.locator(".page-controls").is_visible()
    context.close()


def test_the_recorder_sees_a_blocked_inline_script(browser, server):
    """The check above can fail: an inline script injected into a served page is blocked and reported."""
    context = browser.new_context()
    page = context.new_page()
    violations = record_csp_violations(page)
    page.goto(server.url)
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.head.append(s); }"
    )
    page.wait_for_function("() => true")
    assert page.evaluate("window.ran") is None
    page.wait_for_timeout(200)  # the event is queued after the blocked script
    assert any("script-src" in v for v in violations), violations
    context.close()
