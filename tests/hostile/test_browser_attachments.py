"""In a real browser: a script-carrying attachment (.html, .svg) never reaches the portal's origin.

The build refuses it, so the URL where it would have been published answers 404. The control half of the
test puts the same files where the generator used to copy them and shows that Chromium, served by Debian's
nginx with the shipped deploy/nginx.conf (its Content-Security-Policy included), would run their script there.
"""

from __future__ import annotations

from .. import nginx
from ..browser import launched
from ..conftest import GOOD_DOC, TODAY, brief_lines
from .sites import local_site
from .test_attachments_types import FOLDER, doc, forbidden

EVIL = {
    "evil.html": b'<!doctype html><title>x</title><script src="evil.js"></script>',
    "evil.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script href="evil.js"/></svg>',
    "evil.js": b"window.pwned = true;",
}


def pwned(page, url: str) -> tuple[int, bool]:
    """(HTTP status, whether the attachment's script ran) for one URL."""
    response = page.goto(url)
    page.wait_for_load_state("load")
    return response.status, page.evaluate("window.pwned === true")


def test_script_attachments_are_refused_and_never_served(tmp_path, run_cli):
    root = local_site(tmp_path / "s", {"content/a.md": doc(*EVIL), **{f"content/{n}": d for n, d in EVIL.items()}})
    result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 1
    assert brief_lines(result.err)[:3] == [
        f"content/a.md:13: {forbidden('evil.html', 'HTML')}",
        f"content/a.md:14: {forbidden('evil.svg', 'SVG')}",
        f"content/a.md:15: {forbidden('evil.js', 'JS')}",
    ]
    assert not (root / "site").exists()
    (root / "content/a.md").write_text(GOOD_DOC, encoding="utf-8")
    assert run_cli(["build", "--today", TODAY], root).code == 0
    folder = FOLDER.removeprefix("site/")
    with nginx.serve(root / "site", tmp_path / "nginx") as server, launched() as browser:
        page = browser.new_page()
        for name in ("evil.html", "evil.svg"):
            assert pwned(page, f"{server.url}{folder}/{name}") == (404, False)
        # Control: where the generator used to copy attachments, the same files run their script.
        (root / FOLDER).mkdir()
        for name, data in EVIL.items():
            (root / FOLDER / name).write_bytes(data)
        for name in ("evil.html", "evil.svg"):
            assert pwned(page, f"{server.url}{folder}/{name}") == (200, True)
