"""The excerpt of a document shown with a search hit: the window of its body holding the most query terms."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from . import tokens
from .analysis import offset_map

SNIPPET_CHARS = 90


@dataclass(frozen=True, slots=True)
class Snippet:
    """A short excerpt of a document's body and the spans in it that match the query."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def marked(self, before: str = "【", after: str = "】") -> str:
        """The excerpt with every matching span wrapped in the given marks."""
        parts, last = [], 0
        for start, end in self.spans:
            parts += [self.text[last:start], before, self.text[start:end], after]
            last = end
        return "".join(parts) + self.text[last:]

    def __str__(self) -> str:
        """The excerpt with 【】 around matches."""
        return self.marked()


def make_snippet(text: str, needles: Sequence[str], width: int = SNIPPET_CHARS) -> Snippet:
    """The window of about `width` characters of text holding the most different needles, with their spans."""
    norm = tokens.normalize(text)
    back = None if len(norm) == len(text) else offset_map(text)
    found = sorted(_occurrences(norm, needles))
    if back is not None:
        found = [(back[s], back[e - 1] + 1, needle) for s, e, needle in found]
    start = _best_window(found, width) if found else 0
    end = min(len(text), start + width)
    spans = _merge([(max(s, start) - start, min(e, end) - start) for s, e, _ in found if s < end and e > start])
    excerpt = text[start:end].replace("\n", " ").replace("\r", " ")
    lead, tail = ("…" if start > 0 else ""), ("…" if end < len(text) else "")
    return Snippet(lead + excerpt + tail, tuple((s + len(lead), e + len(lead)) for s, e in spans))


def _occurrences(norm: str, needles: Sequence[str], cap: int = 200) -> Iterator[tuple[int, int, str]]:
    """(start, end, needle) of the first `cap` occurrences of each needle in the normalised text."""
    for needle in set(needles):
        at, count = norm.find(needle), 0
        while at >= 0 and count < cap:
            yield at, at + len(needle), needle
            at, count = norm.find(needle, at + len(needle)), count + 1


def _best_window(found: list[tuple[int, int, str]], width: int) -> int:
    """The start of the window, a little before a match, that covers the most different needles (earliest wins)."""
    best, best_count = 0, -1
    for s, _, _ in found:
        start = max(0, s - width // 6)
        count = len({needle for s2, e2, needle in found if s2 >= start and e2 <= start + width})
        if count > best_count:
            best, best_count = start, count
    return best


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping or touching ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
