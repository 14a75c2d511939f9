"""In a real browser: a script-carrying attachment (.html, .svg) never reaches the portal's origin.

The build refuses it, so the URL where it would have been published answers 404. The control half of the
test puts the same files where the generator used to copy them and shows that Chromium, under the
Content-Security-Policy of deploy/nginx.conf, would run their script there.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..browser import CHROMIUM, LAUNCH_ARGS, sync_api
from ..conftest import GOOD_DOC, TODAY
from ..test_browser_csp import _CspHandler
from .sites import local_site
from .test_attachments_types import FOLDER, doc, forbidden

EVIL = {
    "evil.html": b'<!doctype html><title>x</title><script src="evil.js"></script>',
    "evil.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script href="evil.js"/></svg>',
    "evil.js": b"window.pwned = true;",
}


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """folder on a local HTTP server with the portal's Content-Security-Policy; yields its URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_CspHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def pwned(page, url: str) -> tuple[int, bool]:
    """(HTTP status, whether the attachment's script ran) for one URL."""
    response = page.goto(url)
    page.wait_for_load_state("load")
    return response.status, page.evaluate("window.pwned === true")


def test_script_attachments_are_refused_and_never_served(tmp_path, run_cli):
    root = local_site(tmp_path / "s", {"content/a.md": doc(*EVIL), **{f"content/{n}": d for n, d in EVIL.items()}})
    result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 1
    assert result.err.splitlines()[:3] == [f"content/a.md:13: {forbidden('evil.html', 'HTML')}",
                                           f"content/a.md:14: {forbidden('evil.svg', 'SVG')}",
                                           f"content/a.md:15: {forbidden('evil.js', 'JS')}"]
    assert not (root / "site").exists()
    (root / "content/a.md").write_text(GOOD_DOC, encoding="utf-8")
    assert run_cli(["build", "--today", TODAY], root).code == 0
    folder = FOLDER.removeprefix("site/")
    with serving(root / "site") as base, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            for name in ("evil.html", "evil.svg"):
                assert pwned(page, f"{base}{folder}/{name}") == (404, False)
            # Control: where the generator used to copy attachments, the same files run their script.
            (root / FOLDER).mkdir()
            for name, data in EVIL.items():
                (root / FOLDER / name).write_bytes(data)
            for name in ("evil.html", "evil.svg"):
                assert pwned(page, f"{base}{folder}/{name}") == (200, True)
        finally:
            browser.close()
