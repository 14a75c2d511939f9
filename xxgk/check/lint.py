"""Editorial linters: pure functions over one document's raw source or one built page, returning Problems.

Each rule has a stable code and level (RULES); every finding carries the 1-based line and column of the match
in the text it was given, and a Chinese message saying what to fix. The rules never read files or git, take
raw text so they run before a document is even valid, and never raise.
"""

from __future__ import annotations

from ..errors import Problem
from . import classified, docno, genre, hidden, links, privacy, spam
from .rules import RULES, Finding
from .text import Locator, fold, front_matter

__all__ = ["RULES", "lint_html", "lint_source"]

# The front-matter fields the document rules read as written (文号, 成文日期, 标题, 文种).
_LINTED_FIELDS = frozenset({"doc_no", "written", "title", "genre"})


def lint_source(
    src: str, text: str, *, allowed_hosts: frozenset[str] = frozenset(), official_phones: frozenset[str] = frozenset()
) -> list[Problem]:
    """Every finding of every rule in one document's full source text (front matter + body)."""
    folded, squeezed, fields = fold(text), fold(text, squeeze=True), front_matter(text, _LINTED_FIELDS)
    findings = [
        *privacy.find(folded, official_phones),
        *spam.find_terms(squeezed, text),
        *spam.find_pinyin(folded, text),
        *hidden.find(text),
        *links.find_source(text, allowed_hosts),
        *classified.find(folded, text),
        *docno.find(fields.get("doc_no"), fields.get("written")),
        *genre.find(fields.get("title"), fields.get("genre")),
    ]
    return located(src, text, findings)


def lint_html(dest: str, html: str, *, allowed_hosts: frozenset[str] = frozenset()) -> list[Problem]:
    """Spam terms, hidden elements and off-site links in a built page (catches markup injected after Markdown)."""
    findings = [
        *spam.find_terms(fold(html, squeeze=True, markup=True), html),
        *spam.find_in_attributes(html),
        *hidden.find(html, built=True),
        *links.find_html(html, allowed_hosts),
    ]
    return located(dest, html, findings)


def located(path: str, text: str, findings: list[Finding]) -> list[Problem]:
    """Locate findings in the text and turn them into Problems, in file order."""
    if not findings:
        return []
    locator = Locator(text)
    problems = []
    for finding in findings:
        line, column = locator.where(finding.offset)
        problems.append(Problem(path, line, finding.message, finding.code, finding.effective_level, column))
    return sorted(problems, key=Problem.sort_key)
