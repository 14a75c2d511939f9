"""Debian's Chromium driven by Playwright for the browser tests; importing this skips a test module when either is missing."""

from __future__ import annotations

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
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--ignore-certificate-errors"]


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
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => window.__reportCspViolation("
                         "`${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));")
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    return violations
