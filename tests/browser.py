"""Debian's Chromium driven by Playwright for the browser tests; importing this skips a test module when either
is missing.

Also the pieces browser test modules share: a built site served over real HTTP under a sub-path, one browser
per module, axe-core (installed by ./dev from its npm package) run against a page, and CSP reports.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

# As root and on a closed network: no sandbox, no GPU, and none of Chromium's own background connections;
# the nginx tests serve HTTPS with a throwaway certificate for 127.0.0.1.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--ignore-certificate-errors",
]

AXE = Path(__file__).resolve().parent.parent / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a site folder under a path prefix only, as a site published in a sub-folder of its host."""

    prefix = "/"

    def log_message(self, format, *args):  # noqa: A002 - the name comes from the base class
        pass

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside__")
        return super().translate_path("/" + path[len(self.prefix) :])


@contextmanager
def served(folder: Path, prefix: str = "/") -> Iterator[str]:
    """The folder served by a real HTTP server on a free local port under prefix; yields the URL of its root."""
    handler = functools.partial(type("Handler", (_Handler,), {"prefix": prefix}), directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def launched() -> Iterator[object]:
    """Debian's Chromium, headless, until the block ends."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def record_csp_violations(page) -> list[str]:
    """Every Content-Security-Policy violation the page reports from now on, across navigations.

    Chromium fires a securitypolicyviolation event in the page and prints "Refused to …" on the console; both count.
    """
    violations: list[str] = []
    page.expose_function("__reportCspViolation", lambda text: violations.append(text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => window.__reportCspViolation("
        "`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));"
    )
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def axe_violations(page, tags: list[str] = WCAG_22_AA) -> list[str]:
    """axe-core's violations of the rules with these tags on the page as it is now, one line per failing node."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run the tests through ./dev test, which installs it")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}: {node.get('failureSummary', '')}"
        for v in result["violations"]
        for node in v["nodes"]
    ]
