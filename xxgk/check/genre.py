"""The 文种 named by a title's ending against the `genre:` field (titles end with their 文种)."""

from __future__ import annotations

import re

from ..model import GENRES
from .rules import Finding
from .text import Field

_ENDINGS = sorted(GENRES, key=len, reverse=True)
_SAME = {"命令": "令"}  # 命令（令） is one kind
# Trailing marks that follow the 文种 in real titles: quotes, a full stop, "（试行）", "(征求意见稿)".
_TAIL = re.compile(r"(?:[\s。.”’」』\"']|[（(][^（()）]*[）)])+$")
_NOT_A_KIND = ("征求意见",)  # "…公开征求意见": the notice asks for opinions, it is not an 意见


def find(title: Field | None, genre: Field | None) -> list[Finding]:
    """A genre-title-mismatch warning when the title ends with one of the kinds and `genre:` names another."""
    if title is None or genre is None or genre.value.strip() not in GENRES:
        return []
    stem = _TAIL.sub("", title.value)
    ending = next((kind for kind in _ENDINGS if stem.endswith(kind)), None)
    declared = genre.value.strip()
    if ending is None or stem.endswith(_NOT_A_KIND) or _SAME.get(ending, ending) == _SAME.get(declared, declared):
        return []
    return [
        Finding(
            "genre-title-mismatch",
            title.offset + len(stem) - len(ending),
            f"标题以“{ending}”结尾，但文种（genre）写的是“{declared}”：请把文种改为“{ending}”，或核对标题。",
        )
    ]
