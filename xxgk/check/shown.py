"""The privacy rules over a document's body as its page shows it, for the numbers its source, as written, hides
from them: digits joined by emphasis (4405**24**…), code, a link, an HTML tag or comment, a character reference
(&#52;40524…) or an invisible character are one number to a reader, and to anyone who copies the page."""

from __future__ import annotations

import re
from collections import Counter

from ..errors import Problem
from ..frontmatter import SplitFile, split
from ..markup import to_text
from . import privacy

# A digit with markup, a character reference or an invisible character right after it (a space between allowed):
# only then can a page show as one number digits that the source, as written, keeps apart.
_MAY_JOIN = re.compile(f"[0-9\uff10-\uff19]\\s?(?:[*`_\\[\\]()<>&;~\\\\]|{privacy.INVISIBLE.pattern})")
# A table's cells are apart on the page, not in its text (markup.to_text keeps a row on one line).
_CELL_END = re.compile(r"</t[dh]>")
_NUMBER = re.compile(r"[0-9xX\- ]+")


def privacy_as_shown(
    src: str, text: str, body_html: str, found: list[Problem], official_phones: frozenset[str]
) -> list[Problem]:
    """The privacy findings in the body as its page (body_html) shows it that the findings of its source text (found)
    do not already name on the same line, each located at the line of the body that most likely holds it."""
    if not _MAY_JOIN.search(text):  # most documents: one pass in C
        return []
    parts = split(text)
    if not isinstance(parts, SplitFile) or not _MAY_JOIN.search(parts.body):
        return []
    named = Counter((problem.message, problem.line) for problem in found)
    shown = privacy.INVISIBLE.sub("", to_text(_CELL_END.sub("\t", body_html)))
    problems = []
    for paragraph, finding in privacy.find_in_paragraphs(shown, official_phones):
        line = _line(parts, shown, finding.offset)
        if named[finding.message, line]:  # the source as written shows it there too
            named[finding.message, line] -= 1
            continue
        problems.append(
            Problem(
                src,
                line,
                f"正文第 {paragraph} 段在页面上显示为一个完整的号码（原文用强调、代码、链接、HTML 标记、字符引用或"
                f"不可见字符把它隔开）。{finding.message}",
                finding.code,
                finding.effective_level,
            )
        )
    return problems


def _line(parts: SplitFile, shown: str, offset: int) -> int:
    """The line of the body that most likely holds the number at offset in the shown text: one that starts like its
    paragraph and holds the number's last four digits, else one of the two, first; the body's first line if none."""
    start = shown.rfind("\n", 0, offset) + 1
    opening = shown[start : start + 2]
    tail = re.sub(r"\D", "", (_NUMBER.match(shown, offset) or _NUMBER.match("0")).group())[-4:]
    lines = parts.body.split("\n")
    scores = [2 * (opening in line.lstrip("#>*-+| \t")[:8]) + (tail in line) for line in lines]
    best = max(scores, default=0)
    return parts.body_line + scores.index(best) if best else parts.body_line
