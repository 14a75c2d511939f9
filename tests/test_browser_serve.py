"""`serve` in a real browser: an open page reloads by itself after an edit, and shows a failed rebuild's errors.

Runs Debian's Chromium through Playwright against `build.py serve` on a copy of the sample site.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request

from .browser import CHROMIUM, LAUNCH_ARGS, sync_api
from .conftest import REPO, TODAY
from .test_incremental import edit, sample_project
from .test_serve import _wait_for_address

# Whether the page shows a text; asked while the page may be reloading, when it may have no body yet.
_SHOWS = "(document.body?.innerText ?? '').includes('%s')"


def test_an_open_page_follows_edits_and_shows_build_errors(tmp_path):
    root = sample_project(tmp_path)
    document = root / "content/fdzdgknr/2018-pingshan-gzld.md"
    command = [sys.executable, str(REPO / "build.py"), "serve", "--port", "0", "--today", TODAY]
    with (
        subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as server,
        sync_api.sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            address = _wait_for_address(server)
            page = browser.new_page()
            page.goto(address + "catalog/")
            page.evaluate("window.notReloaded = true")
            edit(document, r"^title: .*$", 'title: "预览中改过的标题"')
            page.wait_for_function(_SHOWS % "预览中改过的标题", timeout=90_000)
            assert page.evaluate("window.notReloaded === undefined")  # the page reloaded itself

            edit(document, r"^published: .*$", 'published: "2018-13-45"')
            alert = page.wait_for_selector("#xxgk-build-error", timeout=90_000)
            assert re.search(r"构建失败.*2018-pingshan-gzld\.md:\d+", alert.inner_text(), re.S)
            assert "预览中改过的标题" in page.inner_text("main")  # the last good site is still shown

            edit(document, r"^published: .*$", 'published: "2018-03-07"')
            page.wait_for_function(_SHOWS % "2018-03-07", timeout=90_000)
            assert page.query_selector("#xxgk-build-error") is None
        finally:
            browser.close()
            server.terminate()
            server.wait(10)


def test_an_edited_body_shows_in_its_open_page_before_the_site_is_rebuilt_and_the_page_then_stays(tmp_path):
    root = sample_project(tmp_path)
    document = root / "content/fdzdgknr/2018-pingshan-gzld.md"
    command = [sys.executable, str(REPO / "build.py"), "serve", "--port", "0", "--today", TODAY]
    with (
        subprocess.Popen(command, cwd=root, **_OUTPUT) as server,
        sync_api.sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            address = _wait_for_address(server)
            page = browser.new_page()
            index_no = re.search(r"(?m)^index_no: \"?([^\"\n]+)", document.read_text(encoding="utf-8")).group(1)
            page.goto(f"{address}doc/{index_no}.html")
            page.evaluate("window.notReloaded = true")
            edit(document, r"较好的完成了各项工作任务。$", "甲乙丙丁完成了各项工作任务。")
            page.wait_for_function(_SHOWS % "甲乙丙丁", timeout=90_000)
            assert page.evaluate("window.notReloaded === undefined")  # the page reloaded itself
            assert page.get_attribute("script[data-ahead]", "data-build") == "2"  # served ahead of build 2
            page.evaluate("window.aheadShown = true")
            _wait_for_build(address, 2)
            page.wait_for_timeout(1000)
            assert page.evaluate("window.aheadShown === true")  # the build wrote what it showed: no reload
        finally:
            browser.close()
            server.terminate()
            server.wait(10)


def _wait_for_build(address: str, build: int) -> None:
    status = {"build": 0, "version": ""}
    while status["build"] < build:  # each request is held until the status changes
        with urllib.request.urlopen(f"{address}__xxgk/status?seen={status['version']}", timeout=60) as answer:
            status = json.loads(answer.read())


def test_an_open_page_reloads_when_serve_is_started_again(tmp_path):
    root = sample_project(tmp_path)
    command = [sys.executable, str(REPO / "build.py"), "serve", "--today", TODAY]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            with subprocess.Popen([*command, "--port", "0"], cwd=root, **_OUTPUT) as first:
                address = _wait_for_address(first)
                page = browser.new_page()
                page.goto(address + "catalog/")
                page.evaluate("window.notReloaded = true")
                first.terminate()
            port = urllib.parse.urlsplit(address).port
            # The new run's build number is 1 again, as the page's is: the page reloads all the same.
            with subprocess.Popen([*command, "--port", str(port)], cwd=root, **_OUTPUT) as again:
                try:
                    _wait_for_address(again)
                    page.wait_for_function("window.notReloaded === undefined", timeout=60_000)
                finally:
                    again.terminate()
        finally:
            browser.close()


_OUTPUT = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
