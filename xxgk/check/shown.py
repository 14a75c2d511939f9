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
_NUMBER = re.compile(r"[0-9xX()\- ]*")  # a finding's number, from where it starts


def privacy_as_shown(
    src: str, text: str, body_html: str, found: list[Problem], official_phones: frozenset[str]
) -> list[Problem]:
    """The privacy findings in the body as its page (body_html) shows it that the findings of its source text (found)
    do not already name on the same line, each located at the line of the body that most likely holds it."""
    parts = split(text) if _MAY_JOIN.search(text) else None  # most documents: one pass in C, and no more
    if not isinstance(parts, SplitFile):
        return []
    lines = parts.body.split("\n")
    named = Counter((problem.message, problem.line) for problem in found)
    shown = privacy.INVISIBLE.sub("", to_text(_CELL_END.sub("\t", body_html)))
    problems = []
    for paragraph, finding in privacy.find_in_paragraphs(shown, official_phones):
        line = parts.body_line + _line_index(lines, shown, finding.offset)
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


def _line_index(lines: list[str], shown: str, offset: int) -> int:
    """Which of the body's lines most likely holds the number at offset in the shown text: one that starts like its
    paragraph and holds the number's last four digits, else one of the two, first; the first line if none."""
    start = shown.rfind("\n", 0, offset) + 1
    opening = shown[start : start + 2]
    tail = re.sub(r"\D", "", _NUMBER.match(shown, offset).group())[-4:]
    scores = [2 * (opening in line.lstrip("#>*-+| \t")[:8]) + bool(tail and tail in line) for line in lines]
    best = max(scores, default=0)
    return scores.index(best) if best else 0
