"""Every kind of page satisfies the Content-Security-Policy of deploy/nginx.conf in a real browser.

Runs Debian's Chromium through Playwright; skipped when either is missing.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .browser import CHROMIUM, LAUNCH_ARGS, sync_api
from .conftest import REPO

CSP = re.search(r'add_header Content-Security-Policy "([^"]+)"', (REPO / "deploy/nginx.conf").read_text()).group(1)


class _CspHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        super().end_headers()

    def log_message(self, format, *args):  # noqa: A002 - the name comes from the base class
        pass


@pytest.fixture(scope="module")
def base_url(built_sample_site: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_CspHandler, directory=str(built_sample_site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def pages(site: Path) -> list[str]:
    """One page of each kind: home, 目录, column, facet index, term listing, document, 404."""
    document = sorted(site.glob("doc/**/*.html"))[0].relative_to(site).as_posix()
    return ["index.html", "catalog/", "column/zn/", "category/", "publisher/ping-shan-qu-zheng-fu-ban/", document, "404.html"]


def test_no_page_violates_the_content_security_policy(base_url, built_sample_site):
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            violations: list[str] = []
            page.on("console", lambda message: violations.append(message.text)
                    if "Content Security Policy" in message.text else None)
            for path in pages(built_sample_site):
                page.goto(base_url + path)
                page.wait_for_load_state("load")
            # Chromium reports each blocked script, style or image on the console: "Refused to … Content Security Policy".
            assert violations == []
            # The page script really ran under the policy: the controls it reveals are visible.
            page.goto(base_url + pages(built_sample_site)[5])
            assert page.locator(".page-controls").is_visible()
        finally:
            browser.close()
