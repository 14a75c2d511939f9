"""Folded views of raw text that remember where each character came from, and line/column lookup."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, chain
from operator import add
from pathlib import Path

from ..frontmatter import canonical

# Characters that a view cannot copy unchanged: NFKC or case folding alters them, or a squeezed view drops them.
# Computed over the BMP, skipping the big blocks that are stable (CJK ideographs, Hangul syllables) and the
# surrogates; private-use characters are dropped as a range; astral characters always take the slow path. Computing
# them takes a tenth of a second, in every process that checks text: they are stored for Python's Unicode version
# (CHAR_CLASSES_FILE), and computed only under another one.
_DROPPED = ("P", "S", "Z", "C")  # categories a squeezed view leaves out, except the newline
CHAR_CLASSES_FILE = Path(__file__).resolve().parent.parent / "data" / "char_classes.json"


def _changes(ch: str) -> bool:
    """Whether NFKC or case folding alters the character."""
    return not unicodedata.is_normalized("NFKC", ch) or ch.casefold() != ch


def _drops(ch: str) -> bool:
    """Whether a squeezed view leaves the character out (space, punctuation, symbol, control; not newline)."""
    return ch != "\n" and unicodedata.category(ch)[0] in _DROPPED


def _char_class(chars: list[str], extra: str = "\U00010000-\U0010ffff") -> str:
    """A regex character class matching these characters and `extra` ranges (by default every astral character)."""
    ranges: list[str] = []
    start = prev = -2
    for code in [ord(c) for c in chars] + [-2]:
        if code == prev + 1:
            prev = code
            continue
        if start >= 0:
            ranges.append(re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else ""))
        start = prev = code
    return "[" + "".join(ranges) + extra + "]"


def computed_char_classes() -> dict[str, str]:
    """The character classes a view is made with, computed from this Python's Unicode database: fold (characters
    NFKC or case folding alter), squeeze (those and the ones a squeezed view drops) and gone (characters a squeezed
    view leaves out entirely, even after folding)."""
    chars = [
        chr(c)
        for c in chain(
            range(0x3400), range(0x4DC0, 0x4E00), range(0xA000, 0xAC00), range(0xD7A4, 0xD800), range(0xF900, 0x10000)
        )
    ]
    return {
        "fold": _char_class([c for c in chars if _changes(c)]),
        "squeeze": _char_class([c for c in chars if _changes(c) or _drops(c)], "\ue000-\uf8ff\U00010000-\U0010ffff"),
        # "，" folds to "," and is dropped; "&" is not gone here, as it may start an entity.
        "gone": _char_class(
            [c for c in chars if c != "&" and all(_drops(f) for f in unicodedata.normalize("NFKC", c).casefold())],
            extra="",
        ),
    }


def _char_classes() -> dict[str, str]:
    """The stored character classes when they were computed under this Python's Unicode version, else computed."""
    try:
        stored = json.loads(CHAR_CLASSES_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = {}
    if stored.get("unicode") == unicodedata.unidata_version:
        return stored["classes"]
    return computed_char_classes()


_CLASSES = _char_classes()
_FOLD_SPECIAL, _SQUEEZE_SPECIAL = _CLASSES["fold"], _CLASSES["squeeze"]
# A run of characters a squeezed view leaves out (and of tags) is one match: the spaces that indent HTML would
# otherwise cost a match each.
_GONE = _CLASSES["gone"]
_ENTITY = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
_TAG = r"<[!/?a-zA-Z][^<>]*>"
_SPECIAL = {
    (False, False): re.compile(_FOLD_SPECIAL),
    (True, False): re.compile(f"{_GONE}+|{_SQUEEZE_SPECIAL}"),
    (False, True): re.compile(f"{_TAG}|{_ENTITY}|{_FOLD_SPECIAL}"),
    (True, True): re.compile(f"(?:{_TAG}|{_GONE})+|{_ENTITY}|{_SQUEEZE_SPECIAL}"),
}
# The same tokens without markup for re.split, each captured whole, so that it hands over the view's text with no
# Python code run per token (_FOLD_TOKEN maps a run of dropped characters to nothing). A squeezed view's every token
# starts with a character of _SQUEEZE_SPECIAL, so its pattern starts with that class and the look back tells a run
# of dropped characters: the matcher then skips the plain text between tokens.
_SPLIT = {
    False: re.compile(f"({_FOLD_SPECIAL})"),
    True: re.compile(f"({_SQUEEZE_SPECIAL}(?:(?<={_GONE}){_GONE}*)?)"),
}


class View:
    """Text after NFKC and case folding (optionally squeezed or HTML-decoded), mapped back to the raw text.

    The view is a sequence of pieces, each either copied from the raw text character for character or the folded
    form of one raw token (a special character, an entity); the map is kept per piece, not per character, and
    worked out only when a match is located, so folding a page with no finding costs a few passes over it in C.
    """

    __slots__ = ("_map", "_mode", "_raw", "text")

    def __init__(self, raw: str, squeeze: bool, markup: bool) -> None:
        self._raw, self._mode, self._map = raw, (squeeze, markup), None
        self.text: str = _view_text(raw, squeeze, markup)

    def raw_start(self, index: int) -> int:
        """The raw offset where view character `index` begins (the raw end for the end of the view)."""
        if index >= len(self.text):
            return len(self._raw)
        piece_starts, raw_starts, _, copied = self._pieces()
        piece = bisect_right(piece_starts, index) - 1
        return raw_starts[piece] + (index - piece_starts[piece] if copied[piece] else 0)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw slice covering view characters start..end."""
        first = self.raw_start(start)
        if end <= start:
            return first, first
        piece_starts, raw_starts, raw_ends, copied = self._pieces()
        piece = bisect_right(piece_starts, end - 1) - 1
        if copied[piece]:
            return first, raw_starts[piece] + (end - piece_starts[piece])
        return first, raw_ends[piece]

    def _pieces(self) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[bool, ...]]:
        """(view start, raw start, raw end, copied) of each non-empty piece, as columns; worked out once."""
        if self._map is None:
            self._map = _piece_map(self._raw, *self._mode)
        return self._map


# The view's text is each character folded on its own, so it can be worked out in stages that each run in C: the
# markup first (tags skipped and entities decoded in one scan from the left, as the view's tokens are found; what an
# entity stands for is never read as markup again), then, in a squeezed view, every ASCII character at once on the
# UTF-8 bytes (an ASCII byte is never part of another character), then the rest of the special characters token by
# token.
_MARKUP = re.compile(f"{_TAG}|({_ENTITY})")
_TAGS = re.compile(_TAG)
_ASCII_FOLD = bytes(range(128)).lower() + bytes(range(128, 256))
_ASCII_DROPPED = bytes(code for code in range(128) if _drops(chr(code)))


def _view_text(raw: str, squeeze: bool, markup: bool) -> str:
    """The text of the view of raw: what its tokens (see _SPECIAL) fold to, the rest copied."""
    if markup:
        if "&" in raw:
            parts = _MARKUP.split(raw)
            parts[1::2] = map(_unescape, parts[1::2])
            raw = "".join(parts)
        else:
            raw = _TAGS.sub("", raw)
    if squeeze:  # without squeezing, only capital letters would change: too few to pay for the round trip
        raw = (
            raw.encode("utf-8", "surrogatepass").translate(_ASCII_FOLD, _ASCII_DROPPED).decode("utf-8", "surrogatepass")
        )
    parts = _SPLIT[squeeze].split(raw)
    parts[1::2] = map(_FOLD_TOKEN[squeeze], parts[1::2])
    return "".join(parts)


@lru_cache(maxsize=4096)
def _unescape(entity: str | None) -> str:
    """What an entity stands for ("" for the None that re.split gives where a tag was)."""
    return html.unescape(entity) if entity else ""


def _piece_map(
    raw: str, squeeze: bool, markup: bool
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], tuple[bool, ...]]:
    """Where each piece of the view of raw begins in the view and in raw, where it ends in raw, and if copied."""
    pieces: list[tuple[int, int, int, bool]] = []
    length = done = 0
    for match in _SPECIAL[squeeze, markup].finditer(raw):
        begin, stop = match.span()
        if begin > done:
            pieces.append((length, done, begin, True))
            length += begin - done
        out = _special(match.group(), squeeze)
        if out:
            pieces.append((length, begin, stop, False))
            length += len(out)
        done = stop
    if done < len(raw):
        pieces.append((length, done, len(raw), True))
    return tuple(zip(*pieces, strict=True)) or ((), (), (), ())  # type: ignore[return-value]


def fold(raw: str, *, squeeze: bool = False, markup: bool = False) -> View:
    """NFKC + casefold `raw`; squeeze drops spaces, punctuation and symbols; markup skips tags and decodes entities."""
    return View(raw, squeeze, markup)


# Texts folded together are joined with this character between them: a CJK ideograph that folding copies as it is
# and that no other character, and no entity but its own numeric ones, folds into.
_SEAM = "\u9fff"
_SEAM_ENTITY = re.compile(r"&#(?:0*40959|[xX]0*9[fF]{3});")


def fold_each(texts: list[str], *, squeeze: bool = False, markup: bool = False) -> list[str]:
    """fold(text, ...).text of each text, in one pass over them all where that gives the same texts."""
    joined = _SEAM.join(texts)
    if joined.count(_SEAM) == len(texts) - 1 and not _SEAM_ENTITY.search(joined):
        folded = fold(joined, squeeze=squeeze, markup=markup).text.split(_SEAM)
        if len(folded) == len(texts):  # no tag swallowed a seam: no token crossed one
            return folded
    return [fold(text, squeeze=squeeze, markup=markup).text for text in texts]


def _special(token: str, squeeze: bool) -> str:
    """What one tag, entity, special character or run of characters a squeezed view leaves out becomes in a view."""
    if token.startswith("&") and len(token) > 1:
        token = html.unescape(token)
    elif len(token) > 1:  # a tag, or a run of tags and characters the squeezed view leaves out
        return ""
    return "".join(_fold_char(ch, squeeze) for ch in token)


def _token_folder(squeeze: bool) -> Callable[[str], str]:
    """_special for one kind of view as a cached function of the token alone; pages repeat a few characters."""

    @lru_cache(maxsize=65536)
    def fold_token(token: str) -> str:
        return _special(token, squeeze)

    return fold_token


_FOLD_TOKEN = {squeeze: _token_folder(squeeze) for squeeze in (False, True)}


@lru_cache(maxsize=4096)
def _fold_char(char: str, squeeze: bool) -> str:
    """One character after NFKC and case folding (without what a squeezed view leaves out); pages repeat a few."""
    out = unicodedata.normalize("NFKC", char).casefold()
    return "".join(ch for ch in out if not _drops(ch)) if squeeze else out


def as_lines(texts: list[str]) -> tuple[str, list[int]]:
    """Short texts as one text, a line each (their own newlines made spaces), and the offset where each begins.

    Folding them together costs one fold instead of one per text; a view keeps newlines, so no match spans two.
    """
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 1
    return "\n".join(t.replace("\n", " ") for t in texts), starts


class Locator:
    """Turns raw offsets into 1-based (line, column) pairs."""

    def __init__(self, raw: str) -> None:
        lines = raw.split("\n")
        self._starts = list(map(add, accumulate(map(len, lines), initial=0), range(len(lines))))

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
_CLOSING_FENCE = re.compile(r"\n---[ \t]*\r?(?=\n|\Z)")  # the first fence line after the opening one
_KEY_LINE = re.compile(r"([^\s:#\"'-][^:]*?)[ \t]*:(?:[ \t]+|$)")
_QUOTED = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^']|'')*)'")
_COMMENT = re.compile(r"[ \t]#")


def front_matter(raw: str, keys: frozenset[str] | None = None) -> dict[str, Field]:
    """The known top-level single-line fields of a `---` front-matter block by canonical key (first one wins);
    only those of keys when given."""
    first = raw.split("\n", 1)[0]
    closing = _CLOSING_FENCE.search(raw, len(first)) if _FENCE.fullmatch(first) else None
    if closing is None:
        return {}
    fields: dict[str, Field] = {}
    offset = len(first) + 1
    for number, line in enumerate(raw[offset : closing.start()].split("\n"), start=2):
        match = _KEY_LINE.match(line)
        key = canonical(match.group(1)) if match else None
        if key and key not in fields and (keys is None or key in keys):
            fields[key] = _field(key, number, offset + match.end(), line[match.end() :])
            if keys is not None and len(fields) == len(keys):
                break  # every field asked for is found: the rest of the block cannot change them
        offset += len(line) + 1
    return fields


def _field(key: str, line: int, offset: int, rest: str) -> Field:
    """One value: the inside of its quotes, or a plain scalar without a trailing comment."""
    quoted = _QUOTED.match(rest)
    if quoted:
        inner = quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
        return Field(key, line, offset + 1, inner)
    plain = _COMMENT.split(rest, maxsplit=1)[0].rstrip(" \t\r")
    return Field(key, line, offset, plain)
