"""How the Whoosh index reads text: the tokens of `xxgk.search.tokens` with the positions and markers phrases need.

Two additions to the tokenizer of record are made here: a Han run that follows another Han run after punctuation
starts one position further on, so the bigrams of "XY。YZ" never form the phrase "XYZ"; and markers at the edges of
Han runs (see `_indexed`), so that a query such as "2019年" or a single character is answered exactly. `postings`
computes the same terms and positions as `BigramTokenizer` without per-token Python code: it is how documents are
indexed, the tokenizer how queries and Whoosh's own writer see text.
"""

from __future__ import annotations

import operator
from collections import defaultdict, deque
from collections.abc import Iterator
from itertools import count

from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer

from ..identifiers import normalize_doc_no
from . import tokens


def _positions(norm: str) -> Iterator[tuple[str, int, int, int]]:
    """(text, position, start, end) of the tokens of normalised text; a Han run after punctuation skips a position."""
    gap, last_end, last_han = 0, -1, False
    for token in tokens.tokenize(norm):
        han = not token.text[0].isascii()
        if han and last_han and last_end < token.start:
            gap += 1
        last_end, last_han = token.end, han
        yield token.text, token.position + gap, token.start, token.end


def _indexed(norm: str) -> list[tuple[str, int, int, int]]:
    """The tokens of `_positions` plus two kinds of marker, so that lone Han characters at a query's edges match.

    Where a Han run meets an ASCII token, "c$" marks the run's last character at the run's last position, and "^c"
    the first character of a run that follows an ASCII token: a query "2019年" becomes the phrase 2019 ^年 and finds
    "2019年度". A Han character that only ever ends runs also gets "c$" (after the last position, where no phrase
    can reach it), so that a prefix query for a single character finds every text holding it.
    """
    found = list(_positions(norm))
    marked: list[tuple[str, int, int, int]] = []
    previous = None
    for token in found:
        if previous is not None and previous[0].isascii() != token[0].isascii():
            if token[0].isascii():
                marked.append((previous[0][-1] + "$", previous[1], previous[3] - 1, previous[3]))
            else:
                marked.append(("^" + token[0][0], token[1], token[2], token[2] + 1))
        marked.append(token)
        previous = token
    end = found[-1][1] + 1 if found else 0
    marked += [(char + "$", end, len(norm), len(norm)) for char in _orphans(norm)]
    return marked


def _orphans(norm: str) -> list[str]:
    """The Han characters of normalised text that end runs but begin no token (no bigram and no lone character)."""
    runs = tokens.HAN_RUN.findall(norm)
    starts: set[str] = set()
    for run in runs:
        starts.update(run[:-1] or run)
    return sorted({run[-1] for run in runs} - starts)


def postings(norm: str) -> dict[str, list[int]]:
    """Term -> positions of `_indexed(norm)`, computed with no per-token Python code: how text is indexed.

    The tokens are laid out in position order, None filling the position skipped between Han runs, so a token's
    position is its index, and grouped by term in one pass of C-level calls."""
    sequence: list[str | None] = []
    markers, ends, firsts, previous = [], set(), [], ""
    for run in tokens.runs(norm):
        if run[0] <= "z":  # ASCII; after a Han run, mark that run's last character
            if previous[:1] > "z":
                markers.append((previous[-1] + "$", len(sequence) - 1))
            sequence.append(run)
        else:  # Han; after a Han run skip a position, after an ASCII run mark this run's first character
            if previous[:1] > "z":
                sequence.append(None)
            elif previous:
                markers.append(("^" + run[0], len(sequence)))
            if len(run) == 1:
                sequence.append(run)
            else:
                sequence += map(operator.add, run, run[1:])
            ends.add(run[-1])
            firsts.append(run[:-1] or run)  # the characters its tokens begin with
        previous = run
    found: defaultdict[str | None, list[int]] = defaultdict(list)
    deque(map(list.append, map(found.__getitem__, sequence), count()), 0)
    found.pop(None, None)
    starts = set("".join(firsts))
    for term, position in markers + [(char + "$", len(sequence)) for char in sorted(ends - starts)]:
        found[term].append(position)
    return found


def positioned(text: str, *, markers: bool = False) -> Iterator[tokens.Token]:
    """The tokens of raw text with the positions the index uses and offsets into `text`; with markers, as indexed."""
    norm = tokens.normalize(text)
    back = None if len(norm) == len(text) else offset_map(text)
    for word, position, start, end in (_indexed if markers else _positions)(norm):
        if back is not None:
            start, end = back[start], back[end - 1] + 1 if end > start else back[start]
        yield tokens.Token(word, position, start, end)


def offset_map(text: str) -> list[int]:
    """For each character of the normalised text, the index of the raw character it came from (and one past)."""
    return [i for i, char in enumerate(text) for _ in tokens.normalize(char)] + [len(text)]


def doc_no_key(doc_no: str) -> str:
    """The form a 文号 is indexed and looked up in: any bracket around the year, any width, any case."""
    return normalize_doc_no(doc_no).lower()


class BigramTokenizer(Tokenizer):
    """Whoosh face of `xxgk.search.tokens`: Han bigrams, whole ASCII runs and run-edge markers, with phrase-ready
    positions and character offsets."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        mode="",
        **kwargs,
    ):
        """Yield one reused Whoosh token per token of `positioned(value, markers=True)`."""
        t = WhooshToken(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for token in positioned(value, markers=True):
            t.text, t.boost, t.stopped = token.text, 1.0, False
            if keeporiginal:
                t.original = token.text
            if positions:
                t.pos = start_pos + token.position
            if chars:
                t.startchar, t.endchar = start_char + token.start, start_char + token.end
            yield t
