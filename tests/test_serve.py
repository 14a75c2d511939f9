"""`serve` over real HTTP: the site under its base path, the 404 page, and a rebuild after an edit."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from xxgk import serve

from .conftest import REPO, TODAY, copy_sample


def fetch(url: str) -> tuple[int, str, str]:
    """Status, final URL and body of a GET; HTTP errors are returned, not raised."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.url, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, url, error.read().decode("utf-8")


@pytest.fixture
def server(built_sample_site):
    httpd = serve.make_server(built_sample_site, "/xxgk/", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_site_is_served_under_its_base_path(server):
    status, url, body = fetch(server + "/")
    assert status == 200 and url.endswith("/xxgk/") and '<html lang="zh-CN">' in body
    status, _, body = fetch(server + "/xxgk/catalog/")
    assert status == 200 and "政府信息公开目录" in body


def test_missing_pages_get_the_404_page(server):
    status, _, body = fetch(server + "/xxgk/doc/nope.html")
    assert status == 404 and 'href="/xxgk/catalog/"' in body
    assert fetch(server + "/other/")[0] == 404


def test_the_base_path_without_its_slash_leads_to_the_site(server):
    status, url, body = fetch(server + "/xxgk")
    assert status == 200 and url.endswith("/xxgk/") and '<html lang="zh-CN">' in body


def test_head_answers_as_get_without_a_body(live):
    _, address, _ = live
    for path in ("", "catalog/", "__xxgk/status", "static/css/site.css"):
        with urllib.request.urlopen(address + path, timeout=10) as response:
            body = response.read()
        request = urllib.request.Request(address + path, method="HEAD")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200 and response.read() == b"", path
            assert int(response.headers["Content-Length"]) == len(body), path


def test_a_link_put_in_the_site_by_hand_is_not_followed_out_of_it(built_sample_site, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(built_sample_site, site)
    (tmp_path / "secret.txt").write_text("机密", encoding="utf-8")
    (site / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (site / "leak").symlink_to(tmp_path)
    (site / "inside.css").symlink_to(site / "static/css/site.css")
    httpd = serve.make_server(site, "/xxgk/", 0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        address = f"http://127.0.0.1:{httpd.server_address[1]}/xxgk/"
        assert fetch(address + "leak.txt")[0] == 404 and fetch(address + "leak/secret.txt")[0] == 404
        assert fetch(address + "inside.css")[0] == 200
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def live(built_sample_site):
    """A server with the Status its pages follow, and its address."""
    status = serve.Status()
    httpd = serve.make_server(built_sample_site, "/xxgk/", 0, status)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield status, f"http://127.0.0.1:{httpd.server_address[1]}/xxgk/", httpd
    httpd.shutdown()
    httpd.server_close()


def _in_thread(call) -> tuple[threading.Thread, list]:
    """Run call() in a thread; the list receives its result, or the OSError it raised."""
    result: list = []

    def run() -> None:
        try:
            result.append(call())
        except OSError as exc:  # a request left unanswered by a server that stopped: the test looks at the server
            result.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def test_a_page_knows_its_build_and_its_first_status_request_is_answered_at_once(live):
    status, address, _ = live
    _, _, page = fetch(address + "catalog/")
    assert f'data-build="1" data-run="{status.run}"' in page
    _, _, now = fetch(address + "__xxgk/status")  # no version seen (a page's first request): answered at once
    assert json.loads(now) == {
        "build": 1,
        "error": "",
        "version": 1,
        "run": status.run,
        "ahead": 0,
        "pages": [],
        "not_kept": {},
    }
    assert serve.Status().run != status.run  # a restarted serve: the page reloads though the build is 1 again


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda status: status.succeeded(), {"build": 2, "error": "", "version": 2}),
        (
            lambda status: status.failed("content/a.md:3: 错误"),
            {"build": 1, "error": "content/a.md:3: 错误", "version": 2},
        ),
    ],
)
def test_a_status_request_is_held_until_the_status_changes(live, change, expected):
    status, address, _ = live
    thread, answer = _in_thread(lambda: fetch(address + "__xxgk/status?seen=1")[2])
    thread.join(0.5)
    assert thread.is_alive()  # nothing changed: the request is held
    change(status)
    thread.join(10)
    # The change, long before serve.WAIT_SECONDS.
    assert json.loads(answer[0]) == {**expected, "run": status.run, "ahead": 0, "pages": [], "not_kept": {}}


_AHEAD = b"<html><body>ahead</body></html>"


@pytest.mark.parametrize(
    ("end", "build"), [(lambda status: status.succeeded(lambda url: _AHEAD), 2), (lambda s: s.failed("错误"), 1)]
)
def test_a_page_rendered_ahead_is_served_until_the_running_build_ends(live, end, build):
    status, address, site = live
    _, _, before = fetch(address + "catalog/")
    thread, answer = _in_thread(lambda: fetch(address + "__xxgk/status?seen=1")[2])
    status.rendered_ahead({"/xxgk/catalog/index.html": _AHEAD})
    thread.join(10)
    told = json.loads(answer[0])
    assert (told["ahead"], told["pages"], told["build"], told["version"]) == (1, ["/xxgk/catalog/index.html"], 1, 2)
    _, _, ahead = fetch(address + "catalog/index.html")
    assert ahead.startswith("<html><body>ahead<script") and 'data-build="2"' in ahead and 'data-ahead="1"' in ahead
    assert fetch(address + "catalog/")[2] == before  # another URL of the page is served from the file
    end(status)
    _, _, after = fetch(address + "catalog/index.html")
    assert after == before.replace('data-build="1"', f'data-build="{build}"')
    assert json.loads(fetch(address + "__xxgk/status")[2])["pages"] == []


@pytest.mark.parametrize(
    ("published", "told"), [(b"ahead", {}), (b"saved again", {"/xxgk/a.html": 1}), (None, {"/xxgk/a.html": 1})]
)
def test_a_page_rendered_ahead_that_the_build_did_not_publish_as_it_was_stays_named_until_serve_ends(published, told):
    # Saved again while the build read it: the build published the second save, which the page must then show, even
    # when it asks only after later builds (a tab asleep): those change nothing it is told.
    status = serve.Status()
    status.rendered_ahead({"/xxgk/a.html": b"ahead"})
    status.succeeded({"/xxgk/a.html": published}.get)
    assert {k: v for k, v in json.loads(status.json()).items() if k in ("build", "ahead", "pages", "not_kept")} == {
        "build": 2,
        "ahead": 0,
        "pages": [],
        "not_kept": told,
    }
    status.rendered_ahead({"/xxgk/b.html": b"b"})
    status.failed("错误")
    status.succeeded()
    assert json.loads(status.json())["not_kept"] == told


@pytest.mark.parametrize("seen", ["0", "7", "abc", "", "²", "1" * 19])
def test_a_status_request_for_another_version_is_answered_at_once(live, seen):
    _, address, _ = live
    thread, answer = _in_thread(lambda: fetch(address + "__xxgk/status?seen=" + urllib.parse.quote(seen))[2])
    thread.join(5)
    assert json.loads(answer[0])["version"] == 1


def test_past_the_held_requests_a_browser_can_spare_a_status_request_is_answered_at_once(live, monkeypatch):
    monkeypatch.setattr(serve, "HELD_AT_MOST", 2)
    _, address, _ = live
    held = [_in_thread(lambda: fetch(address + "__xxgk/status?seen=1"))[0] for _ in range(2)]
    time.sleep(0.3)
    extra, answer = _in_thread(lambda: fetch(address + "__xxgk/status?seen=1")[2])
    extra.join(5)
    assert json.loads(answer[0])["version"] == 1 and all(thread.is_alive() for thread in held)


def test_a_status_request_whose_page_went_away_is_no_longer_held(live, monkeypatch):
    monkeypatch.setattr(serve, "HELD_AT_MOST", 1)
    _, address, _ = live
    host, port = urllib.parse.urlsplit(address).netloc.split(":")
    with socket.create_connection((host, int(port))) as left:  # a page that reloads drops its request like this
        left.sendall(b"GET /xxgk/__xxgk/status?seen=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.3)
    time.sleep(1.0)  # the held request notices within half a second
    thread, _ = _in_thread(lambda: fetch(address + "__xxgk/status?seen=1"))
    thread.join(0.5)
    assert thread.is_alive()  # held: the request of the page that left gave back its place


def test_a_held_status_request_does_not_keep_serve_from_stopping(live):
    _, address, httpd = live
    thread, _ = _in_thread(lambda: fetch(address + "__xxgk/status?seen=1"))
    time.sleep(0.3)
    closing, _ = _in_thread(lambda: (httpd.shutdown(), httpd.server_close()))
    closing.join(5)
    assert not closing.is_alive()


def test_watch_notices_added_changed_and_removed_files(tmp_path):
    (tmp_path / "a.md").write_text("1")
    seen = threading.Event()
    stop = threading.Event()
    watcher = threading.Thread(target=serve.watch, args=([tmp_path], _sets(seen), stop, 0.05), daemon=True)
    watcher.start()
    time.sleep(0.2)
    assert not seen.is_set()
    (tmp_path / "a.md").write_text("22")
    assert seen.wait(5)
    stop.set()


def test_snapshot_holds_every_regular_file_once_by_its_path(tmp_path):
    """Files at any depth and a watched file are there with their size and time; a symlinked file is there as its
    target, a symlinked folder's files and a broken link are not (as os.walk and a stat of each file found)."""
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.md").write_text("deep")
    (tmp_path / "top.md").write_text("x")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (outside / "elsewhere.md").write_text("elsewhere")
    (tmp_path / "linked-folder").symlink_to(outside, target_is_directory=True)
    (tmp_path / "linked-file.md").symlink_to(tmp_path / "top.md")
    (tmp_path / "broken.md").symlink_to(tmp_path / "gone.md")
    watched_file = tmp_path.parent / f"{tmp_path.name}-config.yaml"
    watched_file.write_text("site_name: x")
    found = serve.snapshot([tmp_path, watched_file, tmp_path / "missing"])
    stats = {path: (os.stat(path).st_mtime_ns, os.stat(path).st_size) for path in found}
    assert found == stats
    assert sorted(found) == sorted(
        map(str, [tmp_path / "a" / "b" / "deep.md", tmp_path / "top.md", tmp_path / "linked-file.md", watched_file])
    )


def test_an_edit_made_before_the_watcher_starts_is_built(tmp_path):
    """serve takes its snapshot before the first build: a save during that build, or before the watcher's first
    look, must still bring a rebuild."""
    (tmp_path / "a.md").write_text("1")
    seen_before = serve.snapshot([tmp_path])
    (tmp_path / "a.md").write_text("22")
    rebuilt = threading.Event()
    stop = threading.Event()
    args = ([tmp_path], _sets(rebuilt), stop, 0.05, None, seen_before)
    threading.Thread(target=serve.watch, args=args, daemon=True).start()
    assert rebuilt.wait(5)
    stop.set()


@pytest.mark.parametrize(("before", "told"), [(False, "a.md"), (True, None)])
def test_the_first_save_once_the_watch_is_in_place_is_built_file_by_file_unless_more_changed_before(
    tmp_path, before, told
):
    # serve opens the browser as soon as it starts: the first save may come before the watch's first look.
    (tmp_path / "a.md").write_text("1")
    (tmp_path / "b.md").write_text("1")
    seen = serve.snapshot([tmp_path])
    if before:
        (tmp_path / "b.md").write_text("22")
    calls: list[set[str] | None] = []
    rebuilt, stop = threading.Event(), threading.Event()
    args = ([tmp_path], lambda changed: calls.append(changed) or rebuilt.set(), stop, 5.0, None, seen)
    threading.Thread(target=serve.watch, args=args, daemon=True).start()
    time.sleep(0.5)  # the watch is in place; its first look is 5 s away
    (tmp_path / "a.md").write_text("333")
    assert rebuilt.wait(4)
    stop.set()
    assert calls == [{str(tmp_path / told)} if told else None]


@contextlib.contextmanager
def _serving(root):
    """`build.py serve` running in root, and its address; stopped when the block ends."""
    command = [sys.executable, str(REPO / "build.py"), "serve", "--port", "0", "--today", TODAY]
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        try:
            yield _wait_for_address(process)
        finally:
            process.terminate()
            process.wait(10)


def test_serve_command_builds_serves_and_rebuilds(tmp_path):
    root = copy_sample(tmp_path / "src")
    with _serving(root) as address:
        status, _, body = fetch(address)
        assert status == 200 and "最新" in body
        page = next((root / "content").rglob("*.md"))
        edited = re.sub(
            r"(?m)^title: .*$", "title: 修改后的标题用于测试重建", page.read_text(encoding="utf-8"), count=1
        )
        page.write_text(edited, encoding="utf-8")
        assert _eventually(lambda: "修改后的标题用于测试重建" in fetch(address + "catalog/")[2])


def test_a_save_that_changes_nothing_is_not_built_again_and_the_next_edit_is(tmp_path):
    root = copy_sample(tmp_path / "src")
    command = [sys.executable, str(REPO / "build.py"), "serve", "--port", "0", "--today", TODAY]
    with subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        try:
            address = _wait_for_address(process)
            lines: queue.Queue[str] = queue.Queue()
            threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()

            def build() -> int:
                return json.loads(fetch(address + "__xxgk/status")[2])["build"]

            first = build()
            time.sleep(1)  # the watch is in place (for a site this small, at once): a save before it is always built
            page = next((root / "content").rglob("*.md"))
            page.write_bytes(page.read_bytes())  # saved again: a new time, the same bytes
            assert "无须重建" in _next_line(lines, ("无须重建", "构建完成"))
            assert build() == first
            page.write_text(page.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
            assert "构建完成" in _next_line(lines, ("无须重建", "构建完成"))
            assert _eventually(lambda: build() == first + 1)
        finally:
            process.terminate()
            process.wait(10)


def _next_line(lines: queue.Queue, wanted: tuple[str, ...], seconds: float = 60) -> str:
    """The next line serve printed that holds one of wanted (waiting at most seconds)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        line = lines.get(timeout=left)
        if any(text in line for text in wanted):
            return line
    raise AssertionError(f"serve printed none of {wanted}")


def test_serve_asks_for_a_restart_when_the_output_folder_or_base_path_changes(tmp_path):
    root = copy_sample(tmp_path / "src")
    with _serving(root) as address:
        config = root / "config.yaml"
        config.write_text(
            re.sub(r"(?m)^base_url: .*$", "base_url: https://www.example.gov.cn/gk/", config.read_text("utf-8")),
            encoding="utf-8",
        )

        def error() -> str:
            return json.loads(fetch(address + "__xxgk/status")[2])["error"]

        assert _eventually(lambda: "serve-restart" in error())
        assert fetch(address)[0] == 200  # the site it serves is still there, under the old path


def _wait_for_address(process: subprocess.Popen) -> str:
    for line in process.stdout:
        match = re.search(r"预览地址：(http://\S+)", line)
        if match:
            return match.group(1)
    raise AssertionError("serve printed no address")


def _eventually(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_watch_survives_a_failing_rebuild_and_keeps_watching(tmp_path, capsys):
    (tmp_path / "a.md").write_text("1")
    calls, stop = [], threading.Event()

    def rebuild(changed: set[str] | None) -> None:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise KeyError("anything at all")

    watcher = threading.Thread(target=serve.watch, args=([tmp_path], rebuild, stop, 0.05), daemon=True)
    watcher.start()
    time.sleep(0.5)  # the watcher's first look comes before the edit
    (tmp_path / "a.md").write_text("22")
    assert _eventually(lambda: len(calls) == 1, 5)
    (tmp_path / "a.md").write_text("333")
    assert _eventually(lambda: len(calls) == 2, 5) and watcher.is_alive()
    stop.set()
    assert "重建时出现意外错误（KeyError" in capsys.readouterr().err


def test_watch_survives_folders_appearing_and_vanishing_while_it_scans(tmp_path):
    (tmp_path / "a.md").write_text("1")
    noticed, stop = threading.Event(), threading.Event()
    watcher = threading.Thread(
        target=serve.watch, args=([tmp_path, tmp_path / "config.yaml"], _sets(noticed), stop, 0), daemon=True
    )
    watcher.start()
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:  # a checkout or an unzip, over and over
        for n in range(20):
            (tmp_path / "tree" / str(n)).mkdir(parents=True)
            (tmp_path / "tree" / str(n) / "x.md").write_text("x")
        (tmp_path / "config.yaml").write_text("x")
        shutil.rmtree(tmp_path / "tree")
        (tmp_path / "config.yaml").unlink()
    assert watcher.is_alive()
    noticed.clear()
    (tmp_path / "a.md").write_text("22")
    assert noticed.wait(5)
    stop.set()


def _sets(event: threading.Event):
    """A rebuild that sets event, whatever it is told changed."""
    return lambda changed: event.set()


def _watching(folders, interval: float, **options):
    """A watch over folders in a thread: (the event set by each rebuild, the stop event)."""
    rebuilt, stop = threading.Event(), threading.Event()
    thread = threading.Thread(
        target=serve.watch, args=(folders, _sets(rebuilt), stop, interval), kwargs=options, daemon=True
    )
    thread.start()
    time.sleep(0.5)  # the watch is in place
    return rebuilt, stop


def _an_edit_is_built(folder, interval: float, **options) -> None:
    """A watch over folder builds nothing until a file is edited, and then builds within 5 seconds."""
    (folder / "a.md").write_text("1")
    rebuilt, stop = _watching([folder], interval, **options)
    try:
        assert not rebuilt.is_set()
        (folder / "a.md").write_text("22")
        assert rebuilt.wait(5)
    finally:
        stop.set()


def test_an_edit_is_reported_at_once_not_at_the_next_look(tmp_path):
    """The operating system reports the save: a watch that would look only every 60 seconds builds it at once."""
    _an_edit_is_built(tmp_path, 60)


def test_edits_in_new_folders_and_a_replaced_config_file_are_built(tmp_path):
    (tmp_path / "content").mkdir()
    config = tmp_path / "config.yaml"
    config.write_text("a: 1\n")
    rebuilt, stop = _watching([tmp_path / "content", config, tmp_path / "reports"], 0.05)
    (tmp_path / "content" / "2024" / "notices").mkdir(parents=True)
    assert rebuilt.wait(5)
    time.sleep(0.3)
    rebuilt.clear()
    (tmp_path / "content" / "2024" / "notices" / "a.md").write_text("x")  # inside a folder made while watching
    assert rebuilt.wait(5)
    # An editor saves by writing a new file and renaming it over the old one: the watch must follow the name.
    for text in ("a: 2\n", "a: 3\n"):
        time.sleep(0.3)
        rebuilt.clear()
        (tmp_path / "config.new").write_text(text)
        (tmp_path / "config.new").replace(config)
        assert rebuilt.wait(5), text
    time.sleep(0.3)
    rebuilt.clear()
    with config.open("a") as handle:  # and an edit in place after that
        handle.write("b: 1\n")
    assert rebuilt.wait(5)
    time.sleep(0.3)
    rebuilt.clear()
    (tmp_path / "reports").mkdir()  # a folder that was not there when watching began
    assert rebuilt.wait(5)
    time.sleep(0.3)
    rebuilt.clear()
    (tmp_path / "reports" / "2024.yaml").write_text("x")
    assert rebuilt.wait(5)
    stop.set()


def test_without_reports_from_the_system_it_looks_at_the_files_instead(tmp_path, monkeypatch, capsys):
    def refused(*paths, **options):
        raise OSError("OS file watch limit reached")
        yield  # a generator, as watchfiles.watch is

    monkeypatch.setattr(serve.watchfiles, "watch", refused)
    _an_edit_is_built(tmp_path, 0.05)
    assert "收不到文件改动通知（OS file watch limit reached），改为每 0.05 秒检查一次文件。" in capsys.readouterr().err


def test_poll_looks_at_the_files(tmp_path, monkeypatch):
    monkeypatch.setattr(serve.watchfiles, "watch", None)  # never asked
    _an_edit_is_built(tmp_path, 0.05, poll=True)


@pytest.mark.parametrize(("poll", "told"), [(False, lambda path: {os.path.abspath(path)}), (True, lambda path: None)])
def test_a_rebuild_is_told_the_files_reported_changed(tmp_path, poll, told):
    """The operating system names the file saved; a poll only sees that something changed."""
    (tmp_path / "a.md").write_text("1")
    calls, stop = [], threading.Event()
    args = ([tmp_path], calls.append, stop, 0.05, None, serve.snapshot([tmp_path]))
    threading.Thread(target=serve.watch, args=args, kwargs={"poll": poll}, daemon=True).start()
    time.sleep(0.5)  # the watch is in place (if it were not yet, the edit is built first as not told, then as told)
    (tmp_path / "a.md").write_text("22")
    try:
        assert _eventually(lambda: told(tmp_path / "a.md") in calls, 5)
    finally:
        stop.set()
    assert poll or None not in calls[1:]  # once the watch is in place, what it reports is told
