"""Hidden elements in raw HTML: the usual carriers of 暗链 (hidden links) and keyword stuffing."""

from __future__ import annotations

import re
from collections.abc import Iterator

from .rules import Finding
from .tags import Clues, tags_to_read, tags_with

_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9:-]*)((?:\s[^<>]*)?)>")
_ATTRIBUTE = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
_LINK = re.compile(r"<a\s[^<>]*href", re.IGNORECASE)
_ZERO = r"(?:0+(?:\.0*)?|\.0+)"
_END = r"\s*(?:;|!|$)"
# Inline CSS that hides an element, each with how a message names it.
_HIDING_CSS = (
    (re.compile(r"display\s*:\s*none"), "display:none"),
    (re.compile(r"visibility\s*:\s*(?:hidden|collapse)"), "visibility:hidden"),
    (re.compile(rf"font-size\s*:\s*{_ZERO}[a-z%]*{_END}"), "font-size:0"),
    (re.compile(rf"opacity\s*:\s*{_ZERO}{_END}"), "opacity:0"),
    (re.compile(r"(?:left|top|right|text-indent|margin-left|margin-top)\s*:\s*-(?:[5-9]\d{2}|\d{4,})"), "移出屏幕"),
)
_ZERO_BOX = re.compile(rf"(?:height|width|max-height)\s*:\s*{_ZERO}(?:px)?{_END}")
_OVERFLOW_HIDDEN = re.compile(r"overflow\s*:\s*hidden")
# What a tag must hold for _reasons to find anything (most tags of a page hold none of them).
_CLUES = Clues("hidden", "style", "<noframes")


def candidate_tags(raw: str) -> list[int]:
    """Where the start tags that may hide something begin in raw: those with a reason of their own, or a `hidden`
    attribute (which on a built page counts only when a link follows inside)."""
    return [match.start() for match in tags_with(raw, _CLUES, _TAG) if any(_reasons(match, raw, built=False))]


def find(raw: str, *, built: bool = False, candidates: list[int] | None = None) -> list[Finding]:
    """Every hidden element in raw HTML; on a built page a `hidden` attribute counts only around a link.

    candidates, when given, are candidate_tags(raw), worked out piece by piece by a caller that remembers them.
    """
    findings = []
    for match in tags_to_read(raw, _CLUES, _TAG, candidates):
        for why in _reasons(match, raw, built):
            snippet = match.group()[:60] + ("…" if len(match.group()) > 60 else "")
            findings.append(
                Finding(
                    "hidden-element",
                    match.start(),
                    f"含隐藏元素 {snippet}（{why}）：隐藏文字和暗链是网页被篡改的常见手法，"
                    "请删除该元素及其中的内容，并排查来源。",
                )
            )
    return findings


def _reasons(tag: re.Match, raw: str, built: bool) -> Iterator[str]:
    """Why one start tag hides its content, if it does."""
    name = tag.group(1).lower()
    if name == "noframes":
        yield "<noframes>"
    if not ("hidden" in tag.group(2).lower() or "style" in tag.group(2).lower()):
        return  # neither a hidden attribute nor inline CSS: nothing else to look at (most tags of a page)
    attributes = {m.group(1).lower(): (m.group(2) or "").strip("\"'") for m in _ATTRIBUTE.finditer(tag.group(2))}
    if "hidden" in attributes and (not built or _link_inside(raw, tag.end(), name)):
        yield "hidden 属性"
    css = re.sub(r"\s+", " ", attributes.get("style", "").lower())
    yield from (label for pattern, label in _HIDING_CSS if pattern.search(css))
    if _ZERO_BOX.search(css) and _OVERFLOW_HIDDEN.search(css):
        yield "高度为 0 且 overflow:hidden"


def _link_inside(raw: str, start: int, name: str) -> bool:
    """Whether the element that starts at `start` holds a link before it closes."""
    close = re.compile(rf"</{re.escape(name)}\s*>", re.IGNORECASE).search(raw, start)
    return bool(_LINK.search(raw, start, close.start() if close else min(len(raw), start + 4000)))
