"""Folded views of raw text that remember where each character came from, and line/column lookup."""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from itertools import chain

from ..frontmatter import canonical

# Characters that a view cannot copy unchanged: NFKC or case folding alters them, or a squeezed view drops them.
# Computed once over the BMP, skipping the big blocks that are stable (CJK ideographs, Hangul syllables) and
# the surrogates; private-use characters are dropped as a range; astral characters always take the slow path.
_DROPPED = ("P", "S", "Z", "C")  # categories a squeezed view leaves out, except the newline


def _changes(ch: str) -> bool:
    """Whether NFKC or case folding alters the character."""
    return not unicodedata.is_normalized("NFKC", ch) or ch.casefold() != ch


def _drops(ch: str) -> bool:
    """Whether a squeezed view leaves the character out (space, punctuation, symbol, control; not newline)."""
    return ch != "\n" and unicodedata.category(ch)[0] in _DROPPED


def _char_class(chars: list[str], extra: str = "") -> str:
    """A regex character class matching these characters, `extra` ranges and every astral character."""
    ranges: list[str] = []
    start = prev = -2
    for code in [ord(c) for c in chars] + [-2]:
        if code == prev + 1:
            prev = code
            continue
        if start >= 0:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
        start = prev = code
    return "[" + "".join(ranges) + extra + "\U00010000-\U0010ffff]"


_ALL = [chr(c) for c in chain(range(0x3400), range(0x4DC0, 0x4E00), range(0xA000, 0xAC00), range(0xD7A4, 0xD800),
                               range(0xF900, 0x10000))]
_FOLD_SPECIAL = _char_class([c for c in _ALL if _changes(c)])
_SQUEEZE_SPECIAL = _char_class([c for c in _ALL if _changes(c) or _drops(c)], "\ue000-\uf8ff")
del _ALL
_ENTITY = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
_TAG = r"<[!/?a-zA-Z][^<>]*>"
_SPECIAL = {
    (False, False): re.compile(_FOLD_SPECIAL),
    (True, False): re.compile(_SQUEEZE_SPECIAL),
    (False, True): re.compile(f"{_TAG}|{_ENTITY}|{_FOLD_SPECIAL}"),
    (True, True): re.compile(f"{_TAG}|{_ENTITY}|{_SQUEEZE_SPECIAL}"),
}


@dataclass(frozen=True, slots=True)
class View:
    """Text after NFKC and case folding (optionally squeezed or HTML-decoded), mapped back to the raw text."""

    text: str
    starts: tuple[int, ...]  # raw offset of the character (or entity) each view character came from
    ends: tuple[int, ...]  # raw offset just after it
    raw_length: int

    def raw_start(self, index: int) -> int:
        """The raw offset where view character `index` begins (the raw end for the end of the view)."""
        return self.starts[index] if index < len(self.starts) else self.raw_length

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw slice covering view characters start..end."""
        first = self.raw_start(start)
        return first, (self.ends[end - 1] if end > start else first)


def fold(raw: str, *, squeeze: bool = False, markup: bool = False) -> View:
    """NFKC + casefold `raw`; squeeze drops spaces, punctuation and symbols; markup skips tags and decodes entities."""
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    done = 0
    for match in _SPECIAL[squeeze, markup].finditer(raw):
        begin, stop = match.span()
        parts.append(raw[done:begin])
        starts.extend(range(done, begin))
        ends.extend(range(done + 1, begin + 1))
        out = _special(match.group(), squeeze)
        parts.append(out)
        starts.extend([begin] * len(out))
        ends.extend([stop] * len(out))
        done = stop
    parts.append(raw[done:])
    starts.extend(range(done, len(raw)))
    ends.extend(range(done + 1, len(raw) + 1))
    return View("".join(parts), tuple(starts), tuple(ends), len(raw))


def _special(token: str, squeeze: bool) -> str:
    """What one tag, entity or special character becomes in a view."""
    if token.startswith("<") and len(token) > 1:
        return ""
    if token.startswith("&") and len(token) > 1:
        token = html.unescape(token)
    out = "".join(unicodedata.normalize("NFKC", ch).casefold() for ch in token)
    return "".join(ch for ch in out if not _drops(ch)) if squeeze else out


class Locator:
    """Turns raw offsets into 1-based (line, column) pairs."""

    def __init__(self, raw: str) -> None:
        self._starts = [0, *(m.end() for m in re.finditer("\n", raw))]

    def where(self, offset: int) -> tuple[int, int]:
        """The line and column of a raw offset."""
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1


@dataclass(frozen=True, slots=True)
class Field:
    """One single-line front-matter value as written: its key, line, raw offset and unquoted text."""

    key: str
    line: int
    offset: int  # raw offset of the value's first character (inside the quotes)
    value: str


_FENCE = re.compile(r"---[ \t]*\r?")
_KEY_LINE = re.compile(r"([^\s:#\"'-][^:]*?)[ \t]*:(?:[ \t]+|$)")
_QUOTED = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^']|'')*)'")


def front_matter(raw: str) -> dict[str, Field]:
    """The known top-level single-line fields of a `---` front-matter block by canonical key (first one wins)."""
    lines = raw.split("\n")
    if not _FENCE.fullmatch(lines[0]):
        return {}
    fields: dict[str, Field] = {}
    offset = len(lines[0]) + 1
    for number, line in enumerate(lines[1:], start=2):
        if _FENCE.fullmatch(line):
            return fields
        match = _KEY_LINE.match(line)
        key = canonical(match.group(1)) if match else None
        if key and key not in fields:
            fields[key] = _field(key, number, offset + match.end(), line[match.end():])
        offset += len(line) + 1
    return {}


def _field(key: str, line: int, offset: int, rest: str) -> Field:
    """One value: the inside of its quotes, or a plain scalar without a trailing comment."""
    quoted = _QUOTED.match(rest)
    if quoted:
        inner = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
        return Field(key, line, offset + 1, inner)
    plain = re.split(r"[ \t]#", rest, maxsplit=1)[0].rstrip(" \t\r")
    return Field(key, line, offset, plain)
