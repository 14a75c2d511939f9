"""The few HTML start tags a rule looks at, found from clues in the text instead of by walking every tag."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import AnyStr

# The only characters outside ASCII that a case-insensitive pattern takes for an ASCII letter (İ and ı for i,
# ſ for s, the Kelvin sign for k).
_LOOKALIKES = "\u0130\u0131\u017f\u212a"
# The ASCII characters a text pattern's \s matches, as a class body.
_ASCII_SPACES = "".join(f"\\x{c:02x}" for c in range(128) if re.match(r"\s", chr(c)))


class Clues:
    """Words of which a start tag must hold one for a rule to look at it, matched without regard to case."""

    def __init__(self, *words: str, after: str = "") -> None:
        """after is a pattern a clue must have right after its word, as in `title=` (ASCII, and \\s only for space)."""
        self._words = [word.encode("ascii") for word in words]
        # In the ASCII copy every other character is "?", so "?" stands in for a space outside ASCII too; a bytes
        # pattern's \s knows fewer ASCII spaces than a text pattern's (not \x1c-\x1f), so they are spelt out.
        self._after = re.compile(after.replace(r"\s", f"[{_ASCII_SPACES}?]").encode("ascii"))
        self._any_case = re.compile("(?:" + "|".join(map(re.escape, words)) + ")" + after, re.IGNORECASE)
        # Words without a letter, and nothing after them, are found in the text itself: case cannot matter.
        self._caseless = not after and not any(ch.isalpha() for word in words for ch in word)
        self._texts = list(words)

    def starts(self, text: str) -> list[int]:
        """Where each clue in text starts, ascending (a superset of what str.lower() or re.IGNORECASE would find).

        The words are looked for in an ASCII copy of text in lower case, one byte for each character, unless text
        holds a lookalike: then with a case-insensitive pattern. Words without a letter and with nothing after them
        are looked for in text itself.
        """
        if self._caseless:
            return _occurrences(text, self._texts, None)
        ascii_copy = _ascii_copy(text)
        if ascii_copy is None:
            return [match.start() for match in self._any_case.finditer(text)]
        return _occurrences(ascii_copy, self._words, self._after)


def _occurrences(haystack: AnyStr, words: list[AnyStr], after: re.Pattern | None) -> list[int]:
    """Where each word occurs in haystack (overlaps included) with after matching right behind it, ascending."""
    found = []
    for word in words:
        start = haystack.find(word)
        while start >= 0:
            if after is None or after.match(haystack, start + len(word)):
                found.append(start)
            start = haystack.find(word, start + 1)
    return sorted(found)


@lru_cache(maxsize=1)
def _ascii_copy(text: str) -> bytes | None:
    """text in lower case as ASCII bytes, one for each character (others "?"); None when it holds a lookalike.

    Remembered for the last text: the rules look for their clues in the same page one after another.
    """
    if any(lookalike in text for lookalike in _LOOKALIKES):
        return None
    return text.encode("ascii", "replace").lower()


def tags_with(raw: str, clues: Clues, tag: re.Pattern) -> Iterator[re.Match]:
    """The matches of tag.finditer(raw) that hold a clue (from their "<" to their ">"), in order.

    tag must match from a "<" to a ">" with neither inside, like every tag pattern of the rules: then the tag around
    a clue starts at the last "<" up to it, and each "<" where tag matches starts one of finditer's matches.
    """
    last = -1
    for clue in clues.starts(raw):
        start = raw.rfind("<", 0, clue + 1)
        if start <= last:
            continue
        match = tag.match(raw, start)
        if match and match.end() > clue:
            last = start
            yield match


def tags_to_read(raw: str, clues: Clues, tag: re.Pattern, candidates: list[int] | None = None) -> Iterator[re.Match]:
    """tags_with(raw, clues, tag), or when a caller has worked them out already (piece by piece, remembered), the
    matches of tag at those candidate offsets."""
    if candidates is None:
        yield from tags_with(raw, clues, tag)
        return
    for start in candidates:
        match = tag.match(raw, start)
        if match:
            yield match
