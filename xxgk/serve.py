"""`serve`: build, serve the site on localhost under its base path, rebuild when sources change, and make the open
pages follow: every HTML page served gets a small script that asks for the build status and is answered when it
changes (a long poll), reloads the page after a rebuild and shows the errors of a failed rebuild on top of the page.
Files on disk are never changed."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import secrets
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from stat import S_ISREG

import watchfiles


def snapshot(folders: list[Path]) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under the folders (or of a watched file), by path, to notice
    edits; files and folders that vanish while it looks (a git checkout, an unzip) are left out, never an error."""
    state: dict[str, tuple[int, int]] = {}
    for folder in folders:
        if not folder.is_dir():
            _note(state, os.fspath(folder))
            continue
        # os.scandir rather than os.walk and a Path per file: three times quicker over 100,000 files, which matters
        # as serve looks once before its first build, once its watch is in place, and at every poll.
        pending = [os.fspath(folder)]
        while pending:
            try:
                with os.scandir(pending.pop()) as listing:
                    entries = list(listing)
            except OSError:
                continue
            for entry in entries:
                try:
                    folder_inside = entry.is_dir(follow_symlinks=False)  # a symlinked folder is not followed
                except OSError:
                    continue
                if folder_inside:
                    pending.append(entry.path)
                else:
                    _note(state, entry.path)
    return state


def _note(state: dict[str, tuple[int, int]], path: str) -> None:
    """Add a regular file's size and modification time to state (nothing for anything else, or when it is gone)."""
    try:
        stat = os.stat(path)
    except OSError:
        return
    if S_ISREG(stat.st_mode):
        state[path] = (stat.st_mtime_ns, stat.st_size)


class Status:
    """What open pages are told: the number of the last successful build, the errors of a failed one, a version
    that counts every change of these, for a page to wait on (see json), and which run of serve this is (build
    numbers start again at 1 when serve is restarted: a page of the previous run reloads). Also the pages rendered
    ahead of the build that is running (see preview.py), served in place of the files until it ends."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.build, self.error, self.version, self.run = 1, "", 1, secrets.token_hex(8)
        self._held = 0  # status requests waiting for a change
        self._ahead: dict[str, bytes] = {}  # URL path -> a page's bytes, rendered ahead of the running build
        self._ahead_of = 0  # how many times pages were rendered ahead: which of those a page was served from
        # URL path -> which rendering ahead made the page there whose bytes the build that followed did not write:
        # a page served from it reloads whenever it asks, however many builds later (it may have been asleep).
        self._not_kept: dict[str, int] = {}

    def succeeded(self, published: Callable[[str], bytes | None] = lambda url_path: None) -> None:
        """A build was published; published(url_path) gives the bytes it published there (None: none), so that a page
        rendered ahead whose bytes it did not write reloads (its file was saved again while the build read it)."""
        with self._changed:
            for url, page in self._ahead.items():
                if published(url) != page:
                    self._not_kept[url] = self._ahead_of
            self.build, self.error, self.version, self._ahead = self.build + 1, "", self.version + 1, {}
            self._changed.notify_all()

    def failed(self, text: str) -> None:
        with self._changed:
            self.error, self.version, self._ahead = text, self.version + 1, {}
            self._changed.notify_all()

    def rendered_ahead(self, pages: dict[str, bytes]) -> None:
        """Serve pages (URL path -> bytes) until the running build ends, and tell the pages open at those paths."""
        with self._changed:
            self._ahead, self._ahead_of, self.version = dict(pages), self._ahead_of + 1, self.version + 1
            self._changed.notify_all()

    def page_ahead(self, url_path: str) -> tuple[bytes, int, int] | None:
        """The page rendered ahead at url_path, with the build it belongs to (the running one) and which rendering
        ahead made it; None when there is none."""
        with self._changed:
            page = self._ahead.get(url_path)
            return None if page is None else (page, self.build + 1, self._ahead_of)

    def json(self, seen: int | None = None, timeout: float = 0.0, gone: Callable[[], bool] = lambda: False) -> bytes:
        """The status as JSON; when seen is the current version, once it changes, timeout seconds have passed or
        gone() says the asker left (at once when HELD_AT_MOST requests are already waiting)."""
        with self._changed:
            if seen == self.version and self._held < HELD_AT_MOST:
                self._held += 1
                try:
                    # A page that reloads or is closed drops its request without a word: gone() is asked every half
                    # second, so that it does not keep one of the few requests held.
                    end = time.monotonic() + timeout
                    while self.version == seen and not gone() and (left := end - time.monotonic()) > 0:
                        self._changed.wait(min(left, 0.5))
                finally:
                    self._held -= 1
            state = {
                "build": self.build,
                "error": self.error,
                "version": self.version,
                "run": self.run,
                "ahead": self._ahead_of if self._ahead else 0,
                "pages": sorted(self._ahead),
                "not_kept": dict(sorted(self._not_kept.items())),
            }
            return json.dumps(state, ensure_ascii=False).encode("utf-8")


def watch(
    folders: list[Path],
    rebuild: Callable[[set[str] | None], None],
    stop: threading.Event,
    interval: float = 0.5,
    status: Status | None = None,
    seen: dict[str, tuple[int, int]] | None = None,
    *,
    poll: bool = False,
) -> None:
    """Call rebuild(paths) after any file under the folders (or a watched file) is added, changed or removed, until
    stop is set, with the (absolute) paths of the files reported changed, or None when they are not known file by file;
    changes made since seen (the snapshot the last build started from, taken now when None) are built too.

    The operating system reports the changes as they happen (watchfiles: inotify, FSEvents, ReadDirectoryChangesW),
    so an edit is built at once and an idle preview costs nothing; with poll, or where no such reports can be had,
    every file is looked at every `interval` seconds instead. An error in a rebuild is reported (and shown in open
    pages) and watching goes on, so the preview never silently stops following edits.
    """
    seen = snapshot(folders) if seen is None else seen
    build = functools.partial(_rebuild, rebuild, status)
    if not poll:
        try:
            while _follow_reports(folders, build, stop, interval, seen):
                seen = None  # a folder appeared, vanished or was replaced: build once the new watch is in place
            return
        except OSError as exc:  # no watches left (fs.inotify.max_user_watches), or none on this file system
            print(f"收不到文件改动通知（{exc}），改为每 {interval} 秒检查一次文件。", file=sys.stderr, flush=True)
            if seen is None:
                build(None)
    _poll(folders, build, stop, interval, snapshot(folders) if seen is None else seen)


def _follow_reports(
    folders: list[Path],
    build: Callable[[set[str] | None], None],
    stop: threading.Event,
    interval: float,
    seen: dict[str, tuple[int, int]] | None,
) -> bool:
    """Build after each batch of changes reported under the folders until stop is set (False), or until one of them
    appears, vanishes or is replaced (True: a watch follows a folder, not its name, so it must be set up again).

    Once the watch is in place, what changed before it is found by comparing with seen; None means build then.
    """
    roots = _roots(folders)
    while not roots:  # nothing there to watch yet
        if stop.wait(interval):
            return False
        if _roots(folders):
            return True
    ready = False
    reports = watchfiles.watch(
        *(path for path, _ in roots),
        watch_filter=None,  # every file, as the build reads them all
        # A save is built once 25 ms pass with no further change reported, 25-50 ms after it: an editor writes a file
        # (or a temporary one and a rename) within a few milliseconds. Changes reported later are built next.
        step=25,
        stop_event=stop,
        rust_timeout=max(1, round(interval * 1000)),  # and every interval it looks whether a folder came or went
        yield_on_timeout=True,
        raise_interrupt=False,
        ignore_permission_denied=True,
    )
    try:
        for changes in reports:
            if _roots(folders) != roots:
                return True
            reported = {os.path.abspath(path) for _, path in changes}
            if not ready:
                ready = True
                # What changed before the watch was in place shows against seen, not file by file: the files
                # reported are all that changed only when they hold every difference.
                if seen is None or not _differences(seen, snapshot(folders)) <= reported:
                    build(None)
                    continue
            if reported:
                build(reported)
    except FileNotFoundError:  # one of them vanished while the watch was being set up
        return True
    return False


def _differences(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    """The (absolute) paths of the files added, changed or removed between two snapshots."""
    return {os.path.abspath(path) for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def _roots(folders: list[Path]) -> list[tuple[str, tuple[int, int]]]:
    """Each folder (or file) that is there now, with its device and inode."""
    found = []
    for folder in folders:
        try:
            stat = folder.stat()
        except OSError:
            continue
        found.append((os.fspath(folder), (stat.st_dev, stat.st_ino)))
    return found


def _poll(
    folders: list[Path],
    build: Callable[[set[str] | None], None],
    stop: threading.Event,
    interval: float,
    seen: dict[str, tuple[int, int]],
) -> None:
    """Build whenever a look at every file, every interval seconds, finds them changed, until stop is set."""
    while not stop.wait(interval):
        current = snapshot(folders)
        if current != seen:
            seen = current
            build(None)


def _rebuild(rebuild: Callable[[set[str] | None], None], status: Status | None, changed: set[str] | None) -> None:
    """rebuild(changed), reporting any unexpected error instead of letting it end the watching."""
    try:
        rebuild(changed)
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the next edit must be built again
        message = f"重建时出现意外错误（{type(exc).__name__}: {exc}）。仍在监视文件改动，修改后会自动重试。"
        print(message, file=sys.stderr, flush=True)
        if status is not None:
            status.failed(message)


# serve's own files, under the base path; no built site has a folder of this name.
LIVE = "__xxgk/"
# How long a page's request for the status is held when nothing changes (it then asks again at once): well under
# the minute after which browsers and proxies give up on a request.
WAIT_SECONDS = 20.0
# A browser opens at most six connections to one host, and a held request keeps one: past four held at once (four
# open tabs), a page is answered at once and asks again after 250 ms, so the other tabs' pages still load.
HELD_AT_MOST = 4
# Asks for the status (the first time answered at once), then again with the version it was told, which serve
# answers as soon as the status changes (a long poll): a build other than the page's (or a restarted serve) reloads
# it at once, an error is shown on top of it (as text).
LIVE_JS = """\
(function () {
  var script = document.currentScript, shown = script.dataset.build, run = script.dataset.run,
    ahead = script.dataset.ahead || "", seen = "", box = null;
  // s.pages: the pages rendered ahead of the running build (s.ahead > 0: which rendering ahead); s.not_kept: page ->
  // the rendering ahead whose bytes the build after it did not publish there.
  function stale(s) {
    if (s.run !== run) return true;
    var again = s.ahead > 0 && String(s.ahead) !== ahead && s.pages.indexOf(location.pathname) >= 0;
    if (!ahead) return String(s.build) !== shown || again;
    if (String(s.not_kept[location.pathname]) === ahead) return true;
    if (String(s.build) === shown) return again;  // rendered ahead of the build published
    return String(s.ahead) !== ahead;  // rendered ahead of build `shown`: current while it runs, not once it failed
  }
  function show(error) {
    if (!error) { if (box) { box.remove(); box = null; } return; }
    if (!box) {
      box = document.createElement("pre");
      box.id = "xxgk-build-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:99999;margin:0;padding:1em;max-height:60vh;" +
        "overflow:auto;white-space:pre-wrap;background:#fff4f4;color:#900;border-bottom:3px solid #c00;" +
        "font:14px/1.5 monospace";
      document.body.appendChild(box);
    }
    box.textContent = "构建失败，下面显示的仍是上一次成功构建的页面。修改后会自动重试：\\n\\n" + error;
  }
  function poll() {
    var url = script.dataset.status + "?seen=" + encodeURIComponent(seen);
    fetch(url, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (stale(s)) { location.reload(); return; }
      var changed = String(s.version) !== seen;
      seen = String(s.version);
      show(s.error);
      setTimeout(poll, changed ? 0 : 250);  // unchanged: serve did not hold it (it holds a few at most)
    }).catch(function () { setTimeout(poll, 1000); });  // serve stopped or restarting: ask again in a second
  }
  poll();
})();
"""


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the output folder under the site's base path (e.g. /xxgk/), and its 404 page."""

    def __init__(self, *args, base_path: str, out_dir: Path, status: Status, **kwargs):
        self.base_path = base_path
        self.out_dir = out_dir
        self.status = status
        super().__init__(*args, directory=str(out_dir), **kwargs)

    def translate_path(self, path: str) -> str:
        # A NUL (%00) names no file; the standard handler would raise on it instead of answering 404.
        outside = str(self.out_dir / "__outside_base_path__")
        if not path.startswith(self.base_path) or "\x00" in urllib.parse.unquote(path):
            return outside
        found = super().translate_path("/" + path[len(self.base_path) :])
        # A build never puts a link in the site; one put there by hand is not followed out of it.
        root, real = os.path.realpath(self.out_dir), os.path.realpath(found)
        return found if real == root or real.startswith(root + os.sep) else outside

    def do_HEAD(self) -> None:
        """As GET without the body (a page's length counts the script serve adds to it)."""
        self.do_GET()

    def do_GET(self) -> None:
        if self.path in ("/", "", self.base_path.rstrip("/")) and self.base_path != "/":
            self.send_response(302)
            self.send_header("Location", self.base_path)
            self.end_headers()
            return
        own, _, query = self.path.partition("?")
        own = own.removeprefix(self.base_path)
        if own == LIVE + "status":
            self._send(200, "application/json; charset=utf-8", self.status.json(*_seen(query), self._gone))
        elif own == LIVE + "live.js":
            self._send(200, "text/javascript; charset=utf-8", LIVE_JS.encode("utf-8"))
        elif (ahead := self.status.page_ahead(self.path.partition("?")[0])) is not None:
            self._send(200, "text/html; charset=utf-8", self._with_script(*ahead))
        elif (page := self._page()) is not None:
            self._send(200, "text/html; charset=utf-8", self._live_page(page))
        elif self.command == "HEAD":
            super().do_HEAD()
        else:
            super().do_GET()

    def _gone(self) -> bool:
        """Whether the asker closed the connection (a browser does when its page goes away)."""
        timeout = self.connection.gettimeout()
        self.connection.settimeout(0)  # a look, never a wait: nothing to read means the asker is still there
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except BlockingIOError:
            return False
        except OSError:  # reset
            return True
        finally:
            self.connection.settimeout(timeout)

    def _page(self) -> Path | None:
        """The HTML file a request names (a folder's index.html), or None when it names something else."""
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        return path if path.suffix == ".html" and path.is_file() else None

    def _live_page(self, page: Path) -> bytes:
        """The page's bytes with the script that makes it follow the status."""
        build = self.status.build  # before the page is read: a build published meanwhile then reloads it
        return self._with_script(page.read_bytes(), build)

    def _with_script(self, html: bytes, build: int, ahead: int | None = None) -> bytes:
        """A page's bytes with the script that makes it follow the status, as a page of build (rendered ahead of it
        by the ahead-th rendering ahead, when given)."""
        marked = "" if ahead is None else f' data-ahead="{ahead}"'
        script = (
            f'<script src="{self.base_path}{LIVE}live.js" data-status="{self.base_path}{LIVE}status" '
            f'data-build="{build}" data-run="{self.status.run}"{marked}></script>\n'
        ).encode()
        at = html.rfind(b"</body>")
        return html[:at] + script + html[at:] if at >= 0 else html + script

    def _send(self, code: int, content_type: str, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = self.out_dir / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        self._send(404, "text/html; charset=utf-8", self._live_page(page))

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's signature
        pass


def _seen(query: str) -> tuple[int | None, float]:
    """The version a status request says it has seen (its ?seen=N) and how long to wait for a change of it; a
    request without a valid one is answered at once."""
    value = urllib.parse.parse_qs(query).get("seen", [""])[0]
    return (int(value), WAIT_SECONDS) if re.fullmatch(r"[0-9]{1,18}", value) else (None, 0.0)


class _Server(http.server.ThreadingHTTPServer):
    # Closing the server does not wait for the requests it is answering: a page's status request is held for up to
    # WAIT_SECONDS, and Ctrl+C must stop serve at once.
    block_on_close = False

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a page that went away is no error worth a traceback
            super().handle_error(request, client_address)


def make_server(
    out_dir: Path, base_path: str, port: int, status: Status | None = None
) -> http.server.ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1 (port 0 picks a free one) serving out_dir under base_path; its pages follow
    status (see Status)."""
    handler = functools.partial(_Handler, base_path=base_path, out_dir=out_dir, status=status or Status())
    return _Server(("127.0.0.1", port), handler)


def serve_forever(
    server: http.server.ThreadingHTTPServer,
    folders: list[Path],
    rebuild: Callable[[set[str] | None], None],
    status: Status | None = None,
    seen: dict[str, tuple[int, int]] | None = None,
    poll: bool = False,
) -> None:
    """Serve until interrupted (Ctrl+C), rebuilding in a background thread on changes against seen (see watch, and
    for poll)."""
    stop = threading.Event()
    watcher = threading.Thread(
        target=watch, args=(folders, rebuild, stop, 0.5, status, seen), kwargs={"poll": poll}, daemon=True
    )
    watcher.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        time.sleep(0)
