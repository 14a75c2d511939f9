"""lint_html over the many pages of one site, reading the markup that pages share (header, menus, footer) once."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from itertools import accumulate, compress, islice, repeat
from operator import is_, is_not
from typing import NamedTuple

from ..errors import Problem
from . import hidden, links, spam
from .lint import located
from .rules import Finding
from .text import fold, fold_each

# A page is read in pieces, each ending with a ">" and the line break after it. No tag, entity or run of dropped
# characters crosses such a cut (none holds a ">" but at a tag's end, and none holds a line break that follows one),
# so the folded page is the pieces' folded texts joined, each ending with that line break; no spam term matches
# or looks past a line break (spam.load_terms), so a page holds one only if one of its pieces does. Every tag lies
# inside one piece.
_CUT = ">\n"


@dataclass(frozen=True, slots=True)
class _Marks:
    """The tags the rules look at in one piece, and what its tags' own values hold; offsets from the piece's start."""

    hidden_tags: tuple[int, ...]  # hidden.candidate_tags
    link_tags: tuple[int, ...]  # links.candidate_tags
    attribute_findings: tuple[Finding, ...]  # spam.find_in_attributes


class _Piece(NamedTuple):
    """What the rules need from one piece of a page."""

    has_term: bool  # whether its squeezed view that skips markup holds a spam term
    marks: _Marks | None  # None when it holds no tag a rule looks at (most pieces)


_PLAIN = _Piece(False, None)


class PageLinter:
    """lint_html for page after page of one site: the same findings, with each distinct piece of markup read once."""

    def __init__(self, allowed_hosts: frozenset[str], memory: int = 12_000_000, longest: int = 200) -> None:
        """memory bounds the characters of the pieces it remembers (all are forgotten when it is full), and it
        remembers only pieces of at most `longest` characters: the markup and the list rows that recur from page
        to page are short, a document's own paragraphs, met on one page only, are long."""
        self._allowed_hosts = allowed_hosts
        self._memory, self._longest = memory, longest
        self._known: dict[str, _Piece] = {}  # by the piece's text without its closing cut
        self._size = 0  # the characters of the pieces in _known

    def lint(self, dest: str, html: str) -> list[Problem]:
        """lint_html(dest, html, allowed_hosts=...) for one page."""
        return self.lint_pages([(dest, html)])[0]

    def lint_pages(self, pages: list[tuple[str, str]]) -> list[list[Problem]]:
        """lint(dest, html) of each (dest, html), the new pieces of all of them read together (fewer, longer
        passes of each rule: a few dozen pages at a time is best)."""
        split = [html.split(_CUT) for _, html in pages]  # a piece is a part and the cut after it; a last part has none
        facts = iter(self._facts([part for parts in split for part in parts[:-1]]))
        lasts = [parts[-1] for parts in split if parts[-1]]
        last_facts = iter(_read(lasts, self._allowed_hosts, cut=False) if lasts else [])
        results = []
        for (dest, html), parts in zip(pages, split, strict=True):
            pieces = list(islice(facts, len(parts) - 1))
            if parts[-1]:
                pieces.append(next(last_facts))
            results.append(located(dest, html, self._findings(html, parts, pieces)))
        return results

    def _findings(self, html: str, parts: list[str], pieces: list[_Piece]) -> list[Finding]:
        """What lint_html finds in one page, given its parts and the facts of its pieces."""
        findings: list[Finding] = []
        hidden_tags: list[int] = []
        link_tags: list[int] = []
        start = done = 0
        terms_found = False
        for index in compress(range(len(pieces)), map(is_not, pieces, repeat(_PLAIN))):  # the few pieces that matter
            start += sum(map(len, parts[done:index])) + len(_CUT) * (index - done)
            done = index
            has_term, marks = pieces[index]
            if has_term and not terms_found:  # the page's terms, found once on the whole page
                findings += spam.find_terms(fold(html, squeeze=True, markup=True), html)
                terms_found = True
            if marks:
                findings += (replace(f, offset=start + f.offset) for f in marks.attribute_findings)
                hidden_tags += (start + offset for offset in marks.hidden_tags)
                link_tags += (start + offset for offset in marks.link_tags)
        findings += hidden.find(html, built=True, candidates=hidden_tags)
        findings += links.find_html(html, self._allowed_hosts, link_tags)
        return findings

    def _facts(self, parts: list[str]) -> list[_Piece]:
        """The facts of each piece (a part and the cut after it), read together for the pieces not seen before."""
        known = self._known
        pieces = list(map(known.get, parts))
        missing = list(compress(range(len(parts)), map(is_, pieces, repeat(None))))
        if missing:
            unseen = list(dict.fromkeys(map(parts.__getitem__, missing)))
            read = dict(zip(unseen, _read(unseen, self._allowed_hosts, cut=True), strict=True))
            kept = [part for part in unseen if len(part) <= self._longest]
            size = sum(map(len, kept))
            if self._size + size > self._memory:
                known.clear()
                self._size = 0
            known.update((part, read[part]) for part in kept)
            self._size += size
            for index in missing:
                pieces[index] = read[parts[index]]
        return pieces


def _read(parts: list[str], allowed_hosts: frozenset[str], *, cut: bool) -> list[_Piece]:
    """The facts of pieces that are these parts, each with the cut after it when cut is true."""
    texts = [part + _CUT for part in parts] if cut else parts
    starts = list(accumulate(map(len, texts), initial=0))
    marks = _marks("".join(texts), starts, allowed_hosts)
    with_terms = set(spam.views_with_terms(fold_each(texts, squeeze=True, markup=True)))
    return [
        _Piece(index in with_terms, marks.get(index)) if index in with_terms or index in marks else _PLAIN
        for index in range(len(texts))
    ]


def _marks(joined: str, starts: list[int], allowed_hosts: frozenset[str]) -> dict[int, _Marks]:
    """The marks of the pieces that have any, by piece, in pieces joined (each begins at its start)."""
    hidden_tags = _by_piece(starts, hidden.candidate_tags(joined))
    link_tags = _by_piece(starts, links.candidate_tags(joined, allowed_hosts))
    attributes: dict[int, list[Finding]] = {}
    for finding in spam.find_in_attributes(joined):
        which = bisect_right(starts, finding.offset) - 1
        attributes.setdefault(which, []).append(replace(finding, offset=finding.offset - starts[which]))
    return {
        index: _Marks(
            tuple(hidden_tags.get(index, ())), tuple(link_tags.get(index, ())), tuple(attributes.get(index, ()))
        )
        for index in hidden_tags.keys() | link_tags.keys() | attributes.keys()
    }


def _by_piece(starts: list[int], offsets: list[int]) -> dict[int, list[int]]:
    """Offsets into joined pieces, by the piece they fall in and counted from its start."""
    pieces: dict[int, list[int]] = {}
    for offset in offsets:
        which = bisect_right(starts, offset) - 1
        pieces.setdefault(which, []).append(offset - starts[which])
    return pieces
