"""The spam, hidden-markup and off-site-link scan of a built site, before it is published (on all cores)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from itertools import compress
from pathlib import Path, PurePosixPath

from ..errors import Problem
from ..workers import map_chunks
from .page_lint import PageLinter

# The footer links the ICP filing to the ministry's register, as the filing rules expect.
ALWAYS_ALLOWED = frozenset({"beian.miit.gov.cn"})
# Pages linted together (PageLinter.lint_pages): their new pieces are read in one pass of each rule.
BATCH = 32

# What the scan found in one page, by the SHA-256 of its bytes: problems with an empty path (a page's findings
# depend on its bytes and the rules only, so two pages with the same bytes share them).
Findings = dict[str, tuple[Problem, ...]]


def scan(
    site: Path,
    allowed_hosts: frozenset[str],
    shown: Callable[[Path], str],
    pages: Mapping[str, str] | None = None,
    known: Findings | None = None,
    first: Callable[[], Sequence[str]] = tuple,
) -> tuple[list[Problem], Findings]:
    """Every finding of the built-page linter in the HTML pages under site, and the findings of each page's bytes.

    pages maps each page's site path to the SHA-256 of its bytes (every *.html under site when None); a page
    whose digest is in known, what an earlier scan under the same rules found, is not read again. The pages
    first() names are read first, in that order, when more than a batch is read (the order changes nothing but the
    time the scan takes).
    """
    if pages is None:
        pages = {path.relative_to(site).as_posix(): _digest(path) for path in sorted(site.rglob("*.html"))}
    known = known or {}
    # C-level passes over the pages: after an edit, a few dozen of a large site's pages are new to the rules.
    digests = dict.fromkeys(pages.values())  # each page's bytes once, in the pages' order
    new = digests.keys() - known.keys()
    unseen: dict[str, str] = {}  # digest -> the first page, in path order, that has it
    for dest in sorted(compress(pages, map(new.__contains__, pages.values()))):
        unseen.setdefault(pages[dest], dest)
    order = in_scan_order(unseen, first() if len(unseen) > BATCH else ())
    found = dict(map_chunks(_scan_chunk, (site, allowed_hosts | ALWAYS_ALLOWED), order))
    findings = dict(zip(digests, map(known.get, digests), strict=True))
    findings.update(found)  # the new ones, in their places
    flagged = set(compress(findings, findings.values()))  # the bytes with a finding (no finding: an empty tuple)
    problems = [
        replace(problem, path=shown(site.joinpath(*PurePosixPath(dest).parts)))
        for dest in sorted(compress(pages, map(flagged.__contains__, pages.values())))
        for problem in findings[pages[dest]]
    ]
    return problems, findings


def in_scan_order(unseen: Mapping[str, str], first: Sequence[str]) -> list[tuple[str, str]]:
    """(digest, page) of each page to read: the pages `first` names in that order, then the rest in path order,
    where neighbours share the most markup for the linter to remember."""
    rank = {dest: at for at, dest in enumerate(first)}
    return sorted(unseen.items(), key=lambda item: (rank.get(item[1], len(rank)), item[1]))


def page_text(path: str) -> str:
    """A page's text as reading it in text mode gives it (UTF-8, undecodable bytes replaced, universal newlines), in
    half the time: the bytes are decoded at once rather than through a text stream."""
    with open(path, "rb") as file:
        text = file.read().decode("utf-8", "replace")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _scan_chunk(
    job: tuple[Path, frozenset[str]], pages: list[tuple[str, str]]
) -> list[tuple[str, tuple[Problem, ...]]]:
    site, allowed_hosts = job
    linter = PageLinter(allowed_hosts)
    found = []
    for at in range(0, len(pages), BATCH):
        batch = pages[at : at + BATCH]
        texts = [("", page_text(f"{site}/{dest}")) for _, dest in batch]  # dest: a site path, parts joined by "/"
        found += zip((digest for digest, _ in batch), map(tuple, linter.lint_pages(texts)), strict=True)
    return found


def findings_record(findings: Findings) -> dict:
    """Findings as plain values, for a record the next build reads back with known_findings()."""
    return {
        digest: [[p.line, p.message, p.code, p.level, p.column] for p in found] for digest, found in findings.items()
    }


def known_findings(body: dict | None) -> Findings:
    """The findings a record holds (digest -> problems without a path); none from a damaged one."""
    try:
        return {digest: tuple(Problem("", *row) for row in rows) for digest, rows in (body or {}).items()}
    except (TypeError, AttributeError):
        return {}
