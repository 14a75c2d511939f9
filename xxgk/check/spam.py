"""Injected spam: gambling, lottery and porn terms from the maintained list, and pinyin after characters."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace
from itertools import accumulate
from pathlib import Path

from ..hanzi import HAN
from .rules import Finding
from .tags import Clues, tags_with
from .text import View, fold, fold_each

TERMS_FILE = Path(__file__).resolve().parent.parent / "data" / "spam_terms.txt"


# What a `re:` line may not hold, so that no term can match a line break or depend on what lies beyond one: a control
# character, a negated class, an escaped letter or digit (\s, \n, \x0a, \W, \A ...), a group with flags ((?s)
# makes "." match one), or an anchor.
_MAY_MATCH_NEWLINE = re.compile(r"[\x00-\x1f\x7f^$]|\\[0-9A-Za-z]|\(\?(?![:=!]|<[=!])")


def load_terms(text: str) -> re.Pattern:
    """One pattern for every term and `re:` line of a term list, matched against a squeezed view.

    The lines are joined as alternatives, not wrapped in groups: when every alternative starts with a character,
    the regular expression engine tries only the positions where one of those characters stands. The `re:` lines
    come first; the terms follow grouped by their first character, longest first within a group, so that where
    several terms match the longest wins and a position tries one group per first character, not every term. No
    term matches a line break or looks past one (a `re:` line that could is refused with ValueError), so the lines
    of a view can be searched one by one.
    """
    literals: list[str] = []
    patterns: list[str] = []
    for line in text.split("\n"):  # not splitlines: \x85 or \u2028 inside a pattern is not a line end
        line = line.strip()
        if line.startswith("re:"):
            pattern = line[3:].strip()
            if _MAY_MATCH_NEWLINE.search(pattern):
                raise ValueError(f"spam term pattern may match a line break: {pattern}")
            patterns.append(re.compile(pattern).pattern)  # each line must stand alone
        elif line and not line.startswith("#"):
            literals.append(fold(line, squeeze=True).text)
    groups: dict[str, list[str]] = {}
    for term in sorted({t for t in literals if t}, key=lambda t: (-len(t), t)):
        groups.setdefault(term[0], []).append(re.escape(term[1:]))
    grouped = [f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in sorted(groups.items())]
    return re.compile("|".join([*patterns, *grouped]) or r"(?!)")


TERMS = load_terms(TERMS_FILE.read_text(encoding="utf-8"))


def find_terms(view: View, raw: str, base: int = 0) -> list[Finding]:
    """A spam-term finding for every listed term in a squeezed view of `raw` (which starts at offset `base`)."""
    findings = []
    for match in TERMS.finditer(view.text):
        start, end = view.raw_span(match.start(), match.end())
        written = raw[start:end]
        shown = f"“{written}”" if _same(written, match.group()) else f"“{written}”（即“{match.group()}”）"
        findings.append(
            Finding(
                "spam-term",
                base + start,
                f"含疑似博彩/色情垃圾词{shown}，多为页面被篡改或采集时混入："
                "请删除该词（如替换了机关名称、文号，请改回原文），并排查来源。",
            )
        )
    return findings


_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_TEXT_ATTRIBUTE = re.compile(
    r"""\s(?:content|title|alt|aria-label|placeholder|value)\s*=\s*("[^"]*"|'[^']*')""", re.IGNORECASE
)
_ATTRIBUTE_CLUES = Clues("content", "title", "alt", "aria-label", "placeholder", "value", after=r"\s*=")


def find_in_attributes(raw: str) -> list[Finding]:
    """Spam terms in the text-bearing attributes of HTML tags (meta keywords and description, title, alt).

    Each value is read on its own (its newlines as spaces), so what one holds never depends on the values around it.
    """
    bases, values = [], []  # where each value starts in raw, and the value
    for tag in tags_with(raw, _ATTRIBUTE_CLUES, _TAG):
        for attribute in _TEXT_ATTRIBUTE.finditer(raw, tag.start(), tag.end()):
            bases.append(attribute.start(1) + 1)
            values.append(attribute.group(1)[1:-1].replace("\n", " "))
    findings = []
    for index in views_with_terms(fold_each(values, squeeze=True, markup=True)):
        value = values[index]
        findings += (
            replace(finding, offset=bases[index] + finding.offset)
            for finding in find_terms(fold(value, squeeze=True, markup=True), value)
        )
    return findings


def views_with_terms(views: list[str]) -> list[int]:
    """Which of these squeezed views hold a term, found in one search over them as lines (no term spans one)."""
    found = [match.start() for match in TERMS.finditer("\n".join(views))]
    if not found:
        return []  # nearly always: no need to know where each view starts
    starts = list(accumulate((len(view) + 1 for view in views), initial=0))
    return sorted({bisect_right(starts, offset) - 1 for offset in found})


def _same(written: str, term: str) -> bool:
    """Whether the raw text reads as the folded term, so a message need not show both."""
    return written.casefold() == term


def terms_in(text: str) -> list[str]:
    """The listed spam terms found in a short string such as a link's text or host."""
    return [m.group() for m in TERMS.finditer(fold(text, squeeze=True).text)]


# A Han character followed by a toneless pinyin syllable in brackets, as in 國務院辦(ban)公廳 (on a folded view,
# where full-width brackets are ASCII). A reading with tone marks, 蔚(yù)县, is an editor's pronunciation note.
# The match starts at the bracket, so the matcher skips to brackets; the look back checks the Han character.
_PINYIN = re.compile(rf"\((?<=[{HAN}]\()([a-z]{{2,6}})\)")
_SYLLABLE = re.compile(
    r"(?:[bpmfdtnlgkhjqxryw]|zh|ch|sh|z|c|s)?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|in|un|vn|ia|ie|iu|ua|uo|ui|ue|ve|er"
    r"|a|o|e|i|u|v)"
)


def find_pinyin(view: View, raw: str) -> list[Finding]:
    """A spam-pinyin finding for every pinyin syllable in brackets right after a Han character."""
    findings = []
    for match in _PINYIN.finditer(view.text):
        if not _SYLLABLE.fullmatch(match.group(1)):
            continue
        start, end = view.raw_span(*match.span())
        findings.append(
            Finding(
                "spam-pinyin",
                start,
                f"汉字“{view.text[match.start() - 1]}”后夹带拼音“{raw[start:end]}”，"
                "这是被篡改或镜像页面的特征：请删除拼音，并核对全文是否被改动。",
            )
        )
    return findings
