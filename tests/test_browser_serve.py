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


# An open page's script (serve.LIVE_JS) run in the browser against one status answer: its own build, the rendering
# ahead it was served from ("" for a file), its path, then the status; whether it reloads.
_ME, _RUN = "/xxgk/doc/a.html", "r1"
_PAGE_RULES = [
    (("1", ""), {"build": 1, "ahead": 0, "pages": []}, False),
    (("1", ""), {"build": 2, "ahead": 0, "pages": []}, True),  # a new build
    (("1", ""), {"build": 1, "ahead": 1, "pages": [_ME]}, True),  # rendered ahead
    (("1", ""), {"build": 1, "ahead": 1, "pages": ["/xxgk/doc/b.html"]}, False),
    (("2", "1"), {"build": 1, "ahead": 1, "pages": [_ME]}, False),  # its build is running
    (("2", "1"), {"build": 1, "ahead": 1, "pages": [_ME], "error": "an earlier build's"}, False),
    (("2", "1"), {"build": 1, "ahead": 0, "pages": [], "error": "its build's"}, True),  # back to the last good build
    (("2", "1"), {"build": 2, "ahead": 0, "pages": []}, False),  # its build published these bytes
    (("2", "1"), {"build": 2, "ahead": 0, "pages": [], "not_kept": {_ME: 1}}, True),  # its build published other bytes
    (("2", ""), {"build": 2, "ahead": 0, "pages": [], "not_kept": {_ME: 1}}, False),  # ... which it then shows
    (("2", "1"), {"build": 2, "ahead": 3, "pages": ["/xxgk/doc/b.html"], "not_kept": {_ME: 1}}, True),  # told later
    (("2", "1"), {"build": 2, "ahead": 0, "pages": [], "error": "a later build's", "not_kept": {_ME: 1}}, True),
    (("3", "2"), {"build": 3, "ahead": 0, "pages": [], "not_kept": {_ME: 1}}, False),  # an earlier rendering's
    (("2", "1"), {"build": 2, "ahead": 2, "pages": [_ME]}, True),  # rendered ahead again
    (("2", "1"), {"build": 3, "ahead": 0, "pages": []}, True),
    (("2", "1"), {"build": 2, "ahead": 0, "pages": [], "run": "r2"}, True),  # serve started again
]


def test_an_open_page_reloads_exactly_when_its_bytes_are_no_longer_the_ones_to_show():
    from xxgk import serve

    # The page's own objects stand in for those a page cannot replace (its script element, location).
    script = (
        serve.LIVE_JS.replace("document.currentScript", "window.fakeScript")
        .replace("location.reload()", "window.reloads++")
        .replace("location.pathname", "window.fakePath")
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            for (build, ahead, told), reloads in [((b, a, t), r) for (b, a), t, r in _PAGE_RULES]:
                status = {"error": "", "version": 5, "run": _RUN, "not_kept": {}, **told}
                done = page.evaluate(
                    """([script, data, path, status]) => new Promise((resolve) => {
                        window.reloads = 0;
                        window.fakePath = path;
                        window.fakeScript = {dataset: data};
                        window.fetch = () => Promise.resolve({json: () => Promise.resolve(status)});
                        window.setTimeout = () => resolve(window.reloads);  // polls again: did not reload
                        new Function(script)();
                        Promise.resolve().then(() => 0).then(() => 0).then(() => 0).then(() => {
                          if (window.reloads) resolve(window.reloads);
                        });
                    })""",
                    [
                        script,
                        {"build": build, "run": _RUN, "status": "/s", **({"ahead": ahead} if ahead else {})},
                        _ME,
                        status,
                    ],
                )
                assert bool(done) == reloads, (build, ahead, told)
        finally:
            browser.close()
