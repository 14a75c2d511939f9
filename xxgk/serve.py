"""`serve`: build, serve the site on localhost under its base path, and rebuild when sources change."""

from __future__ import annotations

import functools
import http.server
import os
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from stat import S_ISREG


def snapshot(folders: list[Path]) -> dict[Path, tuple[int, int]]:
    """Size and modification time of every file under the folders, to notice edits; files and folders that
    vanish while it looks (a git checkout, an unzip) are left out, never an error."""
    state = {}
    for folder in folders:
        paths = [folder] if not folder.is_dir() else \
            (Path(top, name) for top, _, names in os.walk(folder) for name in names)
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                continue
            if S_ISREG(stat.st_mode):
                state[path] = (stat.st_mtime_ns, stat.st_size)
    return state


def watch(folders: list[Path], rebuild: Callable[[], None], stop: threading.Event, interval: float = 1.0) -> None:
    """Call rebuild() after any file under the folders is added, changed or removed, until stop is set; an
    error in a rebuild is reported and watching goes on, so the preview never silently stops following edits."""
    seen = snapshot(folders)
    while not stop.wait(interval):
        current = snapshot(folders)
        if current != seen:
            seen = current
            try:
                rebuild()
            except Exception as exc:  # noqa: BLE001 - whatever went wrong, the next edit must be built again
                print(f"重建时出现意外错误（{type(exc).__name__}: {exc}）。仍在监视文件改动，修改后会自动重试。",
                      file=sys.stderr, flush=True)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the output folder under the site's base path (e.g. /xxgk/), and its 404 page."""

    def __init__(self, *args, base_path: str, out_dir: Path, **kwargs):
        self.base_path = base_path
        self.out_dir = out_dir
        super().__init__(*args, directory=str(out_dir), **kwargs)

    def translate_path(self, path: str) -> str:
        # A NUL (%00) names no file; the standard handler would raise on it instead of answering 404.
        if not path.startswith(self.base_path) or "\x00" in urllib.parse.unquote(path):
            return str(self.out_dir / "__outside_base_path__")
        return super().translate_path("/" + path[len(self.base_path):])

    def do_GET(self) -> None:
        if self.path in ("/", "") and self.base_path != "/":
            self.send_response(302)
            self.send_header("Location", self.base_path)
            self.end_headers()
            return
        super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = self.out_dir / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's signature
        pass


def make_server(out_dir: Path, base_path: str, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1 (port 0 picks a free one) serving out_dir under base_path."""
    handler = functools.partial(_Handler, base_path=base_path, out_dir=out_dir)
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve_forever(server: http.server.ThreadingHTTPServer, folders: list[Path], rebuild: Callable[[], None]) -> None:
    """Serve until interrupted (Ctrl+C), rebuilding on changes in a background thread."""
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(folders, rebuild, stop), daemon=True)
    watcher.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        time.sleep(0)
