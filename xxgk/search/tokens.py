"""The one tokenizer of record for search: the Whoosh index and the static browser index both use it.

Text is NFKC-normalised (full-width digits and letters become ASCII), lower-cased, and its traditional
characters read as simplified (xxgk.hanzi, OpenCC's table: 政務公開 is indexed and searched as 政务公开). A run of Han
characters gives its overlapping bigrams (信息公开 -> 信息 息公 公开), each at its own position so phrase
queries work; a run of one Han character gives that character. A run of ASCII letters and digits is one
token (2019, 00001, bet365). Everything else separates tokens.

`HAN` (the Unicode ranges, written once in xxgk.hanzi, which this module builds on), `HAN_CHAR` and `HAN_RUN` are
what every module of xxgk counts as a Han character: import them from here rather than writing the ranges again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from ..hanzi import HAN, to_simplified

HAN_CHAR = re.compile(f"[{HAN}]")
HAN_RUN = re.compile(f"[{HAN}]+")
_RUN = re.compile(f"([{HAN}]+)|([0-9a-z]+)")
_RUN_TEXT = re.compile(f"[{HAN}]+|[0-9a-z]+")


@dataclass(frozen=True, slots=True)
class Token:
    """A token, its position among the text's tokens, and its character span in the normalised text."""

    text: str
    position: int
    start: int
    end: int


_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]+")
_FOLD = str.maketrans({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20})


def normalize(text: str) -> str:
    """NFKC, lower case and simplified characters: what both index and queries see.

    Full-width ASCII and the ideographic space are folded first (to what NFKC makes of them, so the NFKC of the
    whole text is unchanged); that leaves most text already in NFKC, which the cheap quick check confirms.
    """
    text = _FULL_WIDTH.sub(_fold, text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return to_simplified(text.lower())


def _fold(match: re.Match) -> str:
    """A run of full-width forms as ASCII."""
    return match.group().translate(_FOLD)


def tokenize(text: str) -> Iterator[Token]:
    """Tokens of already-normalised text, in order, with consecutive positions."""
    position = 0
    for match in _RUN.finditer(text):
        han, word = match.groups()
        start = match.start()
        if word:
            yield Token(word, position, start, match.end())
            position += 1
        elif len(han) == 1:
            yield Token(han, position, start, start + 1)
            position += 1
        else:
            for offset in range(len(han) - 1):
                yield Token(han[offset : offset + 2], position, start + offset, start + offset + 2)
                position += 1


def runs(norm: str) -> list[str]:
    """The runs of already-normalised text that tokens come from (Han runs and ASCII runs), in order."""
    return _RUN_TEXT.findall(norm)


def terms(text: str) -> list[str]:
    """The token texts of raw text, normalised first."""
    return [token.text for token in tokenize(normalize(text))]
