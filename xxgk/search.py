"""Full-text search of the documents: the Whoosh schema, the index kept in step with content, and the query language.

This is the only module that imports Whoosh, so the engine can change here alone. Text goes through
`xxgk.tokens`, the tokenizer the static browser search uses too (NFKC, lower case, overlapping Han bigrams, whole
ASCII runs), with two additions made here: a Han run that follows another Han run after punctuation starts one
position further on, so the bigrams of "XY。YZ" never form the phrase "XYZ"; and markers at the edges of Han runs
(see `_indexed`), so that a query such as "2019年" or a single character is answered exactly. Scores use no
collection statistics and equal scores fall back to date and index number, so an index updated in place ranks
exactly like one rebuilt from scratch.
"""

from __future__ import annotations

import glob
import hashlib
import json
import multiprocessing
import operator
import os
import pickle
import re
import shutil
import sys
import time
import warnings
import zlib
from array import array
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock
from itertools import accumulate, chain, count, repeat
from pathlib import Path
from typing import Any

from whoosh import formats, scoring, sorting
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.analysis import Token as WhooshToken
from whoosh.analysis import Tokenizer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3LeafMatcher, W3PostingsWriter
from whoosh.collectors import TopCollector
from whoosh.columns import NumericColumn
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.matching import FilterMatcher, ListMatcher, NullMatcher
from whoosh.query.wrappers import WrappingQuery
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from xxgk import tokens, workers
from xxgk.identifiers import normalize_doc_no
from xxgk.model import Document
from xxgk.urls import document_path

SCHEMA_VERSION = 3  # raise whenever the schema, the analysis or the stored fields change: forces a rebuild
INDEX_NAME = "XXGK"
MARKER = "xxgk-search.json"
TITLE_BOOST = 10.0  # a title match always outranks body matches (see _Scorer)
EXACT_BOOST = 1_000_000.0  # a whole query that is an index number or 文号 puts that document first
SNIPPET_CHARS = 90
_SLACK = 10  # extra hits fetched to see whether equal scores straddle the limit
_LIMIT_MB = 256  # Whoosh's in-memory posting sort limit for incremental updates
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")  # runs of xxgk.tokens' Han class
_PARALLEL_FROM = 2_000  # documents; below this, worker processes cost more than they save
_STALE_SHARE = 0.25  # rebuild once this share of the indexed documents are deleted versions
_DEFLATE_FROM = 64  # bytes: smaller blocks of postings are stored uncompressed
_SEGMENT_DOCS = 2_500  # documents per segment of a rebuild: bounds a worker's memory (all postings of a segment)


class SearchSyntaxError(ValueError):
    """A query that cannot be understood; the message says in Chinese how to write it."""


class IndexMissing(RuntimeError):
    """There is no usable search index in the folder asked for."""


# --- Analysis -----------------------------------------------------------------------------------------------


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
    runs = _HAN_RUN.findall(norm)
    starts: set[str] = set()
    for run in runs:
        starts.update(run[:-1] or run)
    return sorted({run[-1] for run in runs} - starts)


def _postings(norm: str) -> dict[str, list[int]]:
    """Term -> positions of `_indexed(norm)`, computed with no per-token Python code: how text is indexed.

    The tokens are laid out in position order, None filling the position skipped between Han runs, so a token's
    position is its index, and grouped by term in one pass of C-level calls."""
    sequence: list[str | None] = []
    markers, ends, previous = [], set(), ""
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
        previous = run
    found: defaultdict[str | None, list[int]] = defaultdict(list)
    deque(map(list.append, map(found.__getitem__, sequence), count()), 0)
    found.pop(None, None)
    starts = {term[0] for term in found if term[0] > "z"}
    for term, position in markers + [(char + "$", len(sequence)) for char in sorted(ends - starts)]:
        found[term].append(position)
    return found


def positioned(text: str, *, markers: bool = False) -> Iterator[tokens.Token]:
    """The tokens of raw text with the positions the index uses and offsets into `text`; with markers, as indexed."""
    norm = tokens.normalize(text)
    back = None if len(norm) == len(text) else _offset_map(text)
    for word, position, start, end in (_indexed if markers else _positions)(norm):
        if back is not None:
            start, end = back[start], back[end - 1] + 1 if end > start else back[start]
        yield tokens.Token(word, position, start, end)


def _offset_map(text: str) -> list[int]:
    """For each character of the normalised text, the index of the raw character it came from (and one past)."""
    return [i for i, char in enumerate(text) for _ in tokens.normalize(char)] + [len(text)]


class BigramTokenizer(Tokenizer):
    """Whoosh face of `xxgk.tokens`: Han bigrams, whole ASCII runs and run-edge markers, with phrase-ready positions
    and character offsets."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, mode="", **kwargs):
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


def _encode(positions: list[int]) -> bytes:
    """Positions as little-endian 32-bit integers."""
    return _encode_all([positions])[0]


def _encode_all(position_lists: Iterable[list[int]]) -> list[bytes]:
    """`_encode` of each list of positions, with C-level calls only where the machine is little-endian."""
    if sys.byteorder == "little":
        return list(map(bytes, map(array, repeat("I"), position_lists)))
    swapped = [array("I", positions) for positions in position_lists]
    for packed in swapped:
        packed.byteswap()
    return list(map(bytes, swapped))


def _decode(value: bytes) -> array:
    """The positions packed by _encode."""
    positions = array("I", value)
    if sys.byteorder == "big":
        positions.byteswap()
    return positions


class _BigramPositions(formats.Positions):
    """Whoosh's Positions format fed straight from `_postings` (the postings BigramTokenizer gives, with less
    overhead), its position lists packed as plain integers instead of pickled."""

    def word_values(self, value, analyzer, **kwargs):
        """(term, frequency, weight, encoded positions) of every distinct term of value."""
        boost = self.field_boost
        return [(word, len(where), len(where) * boost, _encode(where))
                for word, where in _postings(tokens.normalize(value)).items()]

    def encode(self, poslist):
        """The positions as little-endian 32-bit integers."""
        return _encode(poslist)

    def decode_positions(self, valuestring):
        """The positions packed by encode."""
        return _decode(valuestring).tolist()

    def decode_frequency(self, valuestring):
        """How many positions there are."""
        return len(valuestring) // 4

    def decode_weight(self, valuestring):
        """The frequency times the field's boost."""
        return self.decode_frequency(valuestring) * self.field_boost


def _bigram_field(**kwargs) -> TEXT:
    """A TEXT field analysed by BigramTokenizer, its postings written through _BigramPositions."""
    field = TEXT(analyzer=BigramTokenizer(), **kwargs)
    field.format = _BigramPositions(field_boost=field.format.field_boost)
    field.scorable = False  # no field lengths to write: _Scorer does not use them
    return field


class _PostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer that also takes a term's postings all at once, in whole blocks."""

    def add_all(self, docnums: Sequence[int], weights: Sequence[float], values: Sequence[bytes]) -> None:
        """Buffer the postings as blocks of the block limit, writing each full block before the next (as
        add_posting does one posting at a time); the last block is left for finish_postings."""
        limit = self._blocklimit
        for at in range(0, len(docnums), limit):
            if self._ids:
                self._write_block()
            block = weights[at:at + limit]
            self._ids, self._weights = array("I", docnums[at:at + limit]), array("f", block)
            self._values = [value for value in values[at:at + limit] if value]
            self._maxweight = max(0, *block)

    def _mini_ids(self):
        """The block's documents as differences from the one before (Whoosh's delta encoding, in C)."""
        return tuple(map(operator.sub, self._ids, chain((0,), self._ids)))

    def _mini_weights(self):
        """None when every weight is 1, the weight when all are equal, else every weight (as Whoosh minifies)."""
        weights = self._weights
        if weights.count(1.0) == len(weights):
            return None
        return weights[0] if weights.count(weights[0]) == len(weights) else tuple(weights)

    def _write_block(self, last=False):
        """Whoosh's _write_block, pickled with protocol 4 (protocol 2 pickles bytes slowly, through a str) and
        compressed with `_deflate` unless small enough to gain nothing from it."""
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 4)
        compression = self._compression if len(data) >= _DEFLATE_FROM else 0
        if compression:
            data = _deflate(data)
        info = pickle.dumps((len(self._ids), self._ids[-1], self._maxweight, compression,
                             length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
        self._postfile.write_int(-(len(info) + len(data)) if last else len(info) + len(data))
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()


def _deflate(data: bytes) -> bytes:
    """zlib at level 3 with a 4 KB window: as small as zlib.compress's output for blocks of postings, at a tenth of
    the time (zlib.compress sets up a 256 KB state for every call, which dominates on small inputs)."""
    compressor = zlib.compressobj(3, zlib.DEFLATED, 12, 5)
    return compressor.compress(data) + compressor.flush()


class _FieldWriter(W3FieldWriter):
    """Whoosh's field writer with a way to add a term's postings all at once."""

    def add_all(self, docnums: Sequence[int], weights: Sequence[float], values: Sequence[bytes]) -> None:
        """Add every posting of the current term, in document order."""
        self._postwriter.add_all(docnums, weights, values)


class _Codec(W3Codec):
    """Whoosh's codec without per-block field-length statistics, which nothing here reads, and with writers that
    take whole posting lists."""

    length_stats = False

    def field_writer(self, storage, segment):
        """A field writer with add_all."""
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        """A postings writer with add_all."""
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids, compression=self._compression,
                               inlinelimit=self._inlinelimit)


SCHEMA = Schema(
    index_no=ID(stored=True, unique=True, sortable=True),  # normalised; the raw form is stored
    doc_no=ID(stored=True),  # as written
    doc_no_norm=ID,  # normalize_doc_no, lower case: any bracket form finds it
    publisher=ID(stored=True),  # normalised; the raw form is stored
    category=ID(stored=True),  # 一级\二级, normalised; the raw form is stored
    category1=ID,  # 一级 alone
    genre=ID(stored=True),
    validity=ID(stored=True),
    year=ID(stored=True),
    published=DATETIME(stored=True, sortable=True),
    written=DATETIME(stored=True, sortable=True),
    title=_bigram_field(stored=True),
    text=_bigram_field(),  # title, index number, 文号, keywords, summary and body
    url=STORED,
    excerpt=STORED,  # the body, for snippets (the stored-fields column compresses it)
    fingerprint=ID(stored=True, sortable=True),  # content hash + " " + index key: what incremental updates compare
)


# --- Scoring ------------------------------------------------------------------------------------------------

_K1 = 1.2
_TEXT_FIELDS = ("title", "text")


def _saturate(frequency: float) -> float:
    """BM25's term-frequency curve: the first occurrence counts most."""
    return frequency * (_K1 + 1) / (frequency + _K1)


class _Saturated(dict):
    """weight -> _saturate(weight), worked out once per weight."""

    def __missing__(self, weight: float) -> float:
        """Work out and remember a weight not seen before."""
        self[weight] = value = _saturate(weight)
        return value


_SATURATED = _Saturated()


class _Scorer(scoring.BaseScorer):
    """A term's score in a document from its frequency there alone (no idf, no length): what the document holds
    decides its score, so an index updated in place ranks exactly like one rebuilt from scratch."""

    def __init__(self, max_frequency: float):
        """Remember the best score the term can give (its highest frequency in any document)."""
        self._max = _saturate(max_frequency)

    def supports_block_quality(self):
        """Yes: a block's best score follows from its highest frequency."""
        return True

    def score(self, matcher):
        """The current document's score."""
        return _saturate(matcher.weight())

    def max_quality(self):
        """The best score of any document."""
        return self._max

    def block_quality(self, matcher):
        """The best score in the current block of postings."""
        return _saturate(matcher.block_max_weight())


class _Weighting(scoring.WeightingModel):
    """Collection-independent scoring: _Scorer for the text fields, the stored weight (1) for exact fields."""

    def scorer(self, searcher, fieldname, text, qf=1):
        """The scorer of one term."""
        if fieldname in _TEXT_FIELDS:
            return _Scorer(searcher.term_info(fieldname, text).max_weight())
        return scoring.WeightScorer.for_(searcher, fieldname, text)


# --- Phrases -----------------------------------------------------------------------------------------------


class _FreeText(Q.Query):
    """A group of free text: its words at consecutive positions (or its one word) in any of the fields, each field
    with a boost. A document scores as Whoosh scores an Or of the fields' phrases: per field the boost times the sum
    of the words' scores (_Scorer), the fields' scores added. Worked out a segment at a time from whole posting
    lists with set arithmetic, instead of stepping Whoosh's matchers document by document."""

    def __init__(self, fields: tuple[tuple[str, float], ...], words: tuple[str, ...]):
        """The (field, boost) pairs to look in and the words, in order."""
        self.fields, self.words, self.boost = fields, words, 1.0

    def __eq__(self, other):
        """Equal when looking for the same words in the same fields."""
        return type(other) is type(self) and (self.fields, self.words) == (other.fields, other.words)

    def __hash__(self):
        """A hash of the fields and words."""
        return hash((self.fields, self.words))

    def __repr__(self):
        """The fields and words, for debugging."""
        return f"_FreeText({self.fields!r}, {self.words!r})"

    def estimate_size(self, ixreader):
        """At most the documents holding the field's rarest word, summed over the fields."""
        return sum(min(ixreader.doc_frequency(field, word) for word in self.words) for field, _ in self.fields)

    def matcher(self, searcher, context=None):
        """A list of the matching documents of this (segment's) reader with their scores."""
        scores: dict[int, float] = {}
        for field, boost in self.fields:
            for doc, score in _phrase_scores(searcher.reader(), field, self.words).items():
                scores[doc] = scores[doc] + score * boost if doc in scores else score * boost
        if not scores:
            return NullMatcher()
        ids = sorted(scores)
        return ListMatcher(ids, weights=[scores[doc] for doc in ids])  # with no scorer, a weight is the score


def _phrase_scores(reader, field: str, words: tuple[str, ...]) -> dict[int, float]:
    """Document -> the sum of its words' scores, for the documents holding the words at consecutive positions."""
    if not reader.is_atomic():
        return {offset + doc: score for sub, offset in reader.leaf_readers()
                for doc, score in _phrase_scores(sub, field, words).items()}
    if any((field, word) not in reader for word in words):
        return {}
    tables = [_whole_postings(reader, field, word) for word in words]
    if len(tables) == 1:
        return {doc: _SATURATED[weight] for doc, (weight, _) in tables[0].items()}
    found, rest = {}, list(enumerate(tables[1:], 1))
    for doc in set(tables[0]).intersection(*tables[1:]):
        weight, value = tables[0][doc]
        starts, scores = set(_decode(value)), [_SATURATED[weight]]
        for offset, table in rest:  # keep the starts p where word k sits at p + k
            weight, value = table[doc]
            starts.intersection_update(map(operator.sub, _decode(value), repeat(offset)))
            if not starts:
                break
            scores.append(_SATURATED[weight])
        else:
            found[doc] = _tree_sum(scores)
    return found


def _whole_postings(reader, field: str, word: str) -> dict[int, tuple[float, bytes]]:
    """Document -> (weight, value) of every live posting of a word, read a block at a time where possible."""
    matcher, deleted = reader.postings(field, word), frozenset()
    if isinstance(matcher, FilterMatcher):  # how the reader hides deleted documents
        matcher, deleted = matcher.child, matcher._ids
    postings: dict[int, tuple[float, bytes]] = {}
    if isinstance(matcher, W3LeafMatcher) and matcher.format.fixed_value_size() is None:
        while matcher.is_active():
            matcher._read_data()
            deltas, weights, values = matcher._data  # see W3PostingsWriter._write_block
            if not isinstance(weights, tuple):  # None: every weight 1; a float: all that weight
                weights = repeat(1.0 if weights is None else weights)
            postings.update(zip(accumulate(deltas), zip(weights, values, strict=False), strict=True))
            matcher._next_block()
    else:
        while matcher.is_active():
            postings[matcher.id()] = (matcher.weight(), matcher.value())
            matcher.next()
    for doc in deleted:
        postings.pop(doc, None)
    return postings


def _tree_sum(scores: list[float]) -> float:
    """The scores added pairwise as Whoosh's binary tree of intersection matchers adds them."""
    if len(scores) <= 2:
        return scores[0] + scores[1] if len(scores) == 2 else scores[0]
    half = len(scores) // 2
    return _tree_sum(scores[:half]) + _tree_sum(scores[half:])


class _DateSpan(Q.Query):
    """The documents whose date field lies from start to end, both included, either open: what Whoosh's DateRange
    finds, read from the field's column instead of from the hundreds of numeric terms DateRange expands into. Every
    document found scores 1, as DateRange's constant score gives."""

    def __init__(self, field: str, start: datetime | None, end: datetime | None):
        """The field and the first and last moments (None: open)."""
        self.field, self.start, self.end, self.boost = field, start, end, 1.0

    def __eq__(self, other):
        """Equal when the same field and span."""
        return type(other) is type(self) and (self.field, self.start, self.end) == (other.field, other.start, other.end)

    def __hash__(self):
        """A hash of the field and span."""
        return hash((self.field, self.start, self.end))

    def __repr__(self):
        """The field and span, for debugging."""
        return f"_DateSpan({self.field!r}, {self.start!r}, {self.end!r})"

    def estimate_size(self, ixreader):
        """Every document, at most (a date span is a filter; the estimate only picks how results are sorted)."""
        return ixreader.doc_count()

    def matcher(self, searcher, context=None):
        """The documents of this (segment's) reader in the span."""
        found = _in_span(searcher.reader(), searcher.schema[self.field], self.field, self.start, self.end)
        return ListMatcher(found, all_weights=1.0) if found else NullMatcher()


def _in_span(reader, field, name: str, start: datetime | None, end: datetime | None) -> list[int]:
    """The live documents of reader whose column value of field lies from start to end."""
    if not reader.is_atomic():
        return [offset + doc for sub, offset in reader.leaf_readers() for doc in _in_span(sub, field, name, start, end)]
    if not reader.has_column(name):
        return []
    low = field.to_column_value(start) if start else 0
    high = field.to_column_value(end) if end else field.default - 1  # the default marks a document without a date
    found = [doc for doc, value in enumerate(_column_values(reader, name)) if low <= value <= high]
    return [doc for doc in found if not reader.is_deleted(doc)] if reader.has_deletions() else found


def _column_values(reader, name: str) -> Sequence[int]:
    """Every document's raw value in a numeric column, read at once (Whoosh reads it a document at a time)."""
    column = reader.column_reader(name, translate=False)
    if not isinstance(column, NumericColumn.Reader):
        return list(column)
    values = array(column._typecode, column._dbfile.get(column._basepos, column._count * column._fixedlen))
    if sys.byteorder == "little":  # stored big-endian
        values.byteswap()
    return values.tolist() + [column._default] * (reader.doc_count_all() - column._count)


class _Pruned(WrappingQuery):
    """A query whose matcher drops the branches that match nothing before the search starts (Whoosh would step
    through them for every document, since the exact-number and title alternatives are usually empty)."""

    def matcher(self, searcher, context=None):
        """The child's matcher without its inactive branches."""
        return self.child.matcher(searcher, context).replace(0)


# --- Building and updating the index ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What one update_index call did."""

    added: int
    updated: int
    deleted: int
    unchanged: int
    seconds: float
    full: bool
    healed: bool = False  # the previous index was damaged (a file missing or changed) and was rebuilt


@dataclass(frozen=True, slots=True)
class _Record:
    """One document as the index sees it: its key, the hash of its indexed fields, and those fields."""

    key: str
    digest: str
    fields: dict


def update_index(index_dir: Path, documents: Sequence[Document], *, full: bool = False,
                 meanwhile: Callable[[], object] = lambda: None) -> IndexStats:
    """Bring the index at index_dir in line with exactly these documents, rebuilding it when needed or asked;
    meanwhile() is called once, while worker processes build the index when they do."""
    started = time.perf_counter()
    records = _records(documents)
    ix, damaged = (None, False) if full else _open_current(index_dir)
    if ix is None or _mostly_stale(ix):
        _rebuild(index_dir, records, meanwhile)
        return IndexStats(len(records), 0, 0, 0, time.perf_counter() - started, True, damaged)
    meanwhile()
    added, updated, deleted, unchanged = _apply_changes(ix, records)
    return IndexStats(added, updated, deleted, unchanged, time.perf_counter() - started, False)


def _mostly_stale(ix) -> bool:
    """Whether deleted documents (kept in their segments until merged) have grown past _STALE_SHARE of the live."""
    return ix.doc_count_all() - ix.doc_count() > _STALE_SHARE * ix.doc_count()


def _records(documents: Sequence[Document]) -> dict[str, _Record]:
    """The records of the documents by index key, in key order (the last of any duplicate wins)."""
    records = {}
    for doc in documents:
        fields = _fields(doc)
        blob = "\x1f".join(f"{name}\x1e{value}" for name, value in sorted(fields.items()))
        records[fields["index_no"]] = _Record(fields["index_no"], hashlib.sha1(blob.encode()).hexdigest(), fields)
    return dict(sorted(records.items()))


def _fields(doc: Document) -> dict:
    """The values Whoosh indexes for a document (before compression and fingerprinting)."""
    category = tokens.normalize(doc.category)
    fields = {
        "index_no": tokens.normalize(doc.index_no), "_stored_index_no": doc.index_no,
        "doc_no": doc.doc_no, "doc_no_norm": _doc_no_key(doc.doc_no),
        "publisher": tokens.normalize(doc.publisher), "_stored_publisher": doc.publisher,
        "category": category, "_stored_category": doc.category, "category1": category.partition("\\")[0],
        "genre": doc.genre, "validity": doc.validity, "year": str(doc.published.year),
        "published": _day_start(doc.published), "title": doc.title, "text": _free_text(doc),
        "url": document_path(doc.index_no), "excerpt": doc.body_text or doc.summary,
    }
    if doc.written:
        fields["written"] = _day_start(doc.written)
    return {name: value for name, value in fields.items() if value != ""}


def _free_text(doc: Document) -> str:
    """What free text searches: title, index number, 文号, keywords, summary, body, and the 发布机构 and 主题分类
    names (税 finds what is filed under 税务); a summary that merely repeats part of the body adds nothing
    findable, so it is left out."""
    summary = "" if doc.summary in doc.body_text else doc.summary
    return "\n".join([doc.title, doc.index_no, doc.doc_no, " ".join(doc.keywords), summary, doc.body_text,
                      doc.publisher, doc.category.replace("\\", " ")])


def _doc_no_key(doc_no: str) -> str:
    """The form a 文号 is indexed and looked up in: any bracket around the year, any width, any case."""
    return normalize_doc_no(doc_no).lower()


def _day_start(day: date) -> datetime:
    """Midnight at the start of the day: how DATETIME fields hold dates."""
    return datetime.combine(day, clock.min)


def _whoosh_fields(record: _Record) -> dict:
    """The keyword arguments of add_document: the fields and the fingerprint."""
    fields = dict(record.fields)
    fields["fingerprint"] = f"{record.digest} {record.key}"
    return fields


def _open_current(index_dir: Path) -> tuple[Any, bool]:
    """The index at index_dir if it was written with this schema version and is intact, else None; and whether an
    index of this version was there but damaged (a file deleted, truncated or changed since it was written)."""
    try:
        marker = json.loads((index_dir / MARKER).read_text(encoding="utf-8"))
    except OSError:  # absent: never built here
        return None, False
    except ValueError:  # the marker is written last and swapped in with the index, so garbage in it is damage
        return None, True
    if not isinstance(marker, dict) or marker.get("schema") != SCHEMA_VERSION:
        return None, not isinstance(marker, dict)
    if marker.get("files") != _index_files(index_dir):
        return None, True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # Whoosh leaves the file open when a TOC is unreadable
        try:
            return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME), False
        except Exception:  # intact files Whoosh still cannot read: rebuild them too
            return None, True


def _index_files(index_dir: Path) -> dict[str, list]:
    """Name -> [size, SHA-256] of every file of the Whoosh index in index_dir (its lock excepted)."""
    files = {}
    for path in sorted(index_dir.iterdir()):
        if path.name.startswith((INDEX_NAME, "_" + INDEX_NAME + "_")) and "LOCK" not in path.name and path.is_file():
            files[path.name] = [path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest()]
    return files


def _rebuild(index_dir: Path, records: dict[str, _Record], meanwhile: Callable[[], object]) -> None:
    """Write a fresh index of the records in segments built on every core, replacing only files this module made."""
    _clear(index_dir)
    whoosh_index.create_in(str(index_dir), SCHEMA, indexname=INDEX_NAME)
    shares = _shares(list(records.values()))
    with workers.paused_gc():
        if len(shares) <= 1 or multiprocessing.current_process().daemon:  # a daemon may not start processes
            meanwhile()
            segments = [_write_segment(str(index_dir), share) for share in shares]
        else:
            with ProcessPoolExecutor(max_workers=min(len(shares), os.cpu_count() or 1),
                                     initializer=workers.ignore_interrupts) as pool:
                with workers.interrupts_held():  # the workers are forked here (see workers.ignore_interrupts)
                    pending = pool.map(_write_segment, [str(index_dir)] * len(shares), shares)
                meanwhile()  # the workers are started: this process is free until their segments come back
                segments = list(pending)
    TOC(SCHEMA, segments, 1).write(FileStorage(str(index_dir)), INDEX_NAME)
    shutil.rmtree(index_dir / f"{INDEX_NAME}.tmp", ignore_errors=True)
    _write_marker(index_dir, len(records))


def _shares(records: list[_Record]) -> list[list[_Record]]:
    """The records cut into equal consecutive shares of at most _SEGMENT_DOCS (one when they are few, none when
    there are none)."""
    count = 1 if len(records) < _PARALLEL_FROM else max(2, -(-len(records) // _SEGMENT_DOCS))
    size = -(-len(records) // count) or 1
    return [records[i:i + size] for i in range(0, len(records), size)]


def _write_segment(index_dir: str, records: list[_Record]):
    """Index records into one new segment of the index at index_dir (in a worker process) and return the segment."""
    ix = whoosh_index.open_dir(index_dir, indexname=INDEX_NAME)
    writer = _SegmentBuilder(ix, _lk=False, codec=_Codec(), compound=False)  # unlocked like MpWriter sub-writers
    for record in records:
        writer.add_document(**_whoosh_fields(record))
    return writer._finalize_segment()


class _SegmentBuilder(SegmentWriter):
    """Whoosh's segment writer for a segment written from scratch: the text fields go from `_postings` to the pool
    a document at a time, and the pool writes each term's postings at once (see _TermPool)."""

    def __init__(self, *args, **kwargs):
        """A segment writer whose pool is a _TermPool."""
        super().__init__(*args, **kwargs)
        self.pool = _TermPool()

    def add_document(self, **fields):
        """Add a document as SegmentWriter.add_document does for this schema (no boosts, vectors, spelling or
        field lengths), the text fields' postings straight from `_postings`."""
        docnum, perdoc, pool = self.docnum, self.perdocwriter, self.pool
        perdoc.start_doc(docnum)
        for name in sorted(name for name in fields if not name.startswith("_") and fields[name] is not None):
            field, value = self.schema[name], fields[name]
            if name in _TEXT_FIELDS:
                pool.add_terms(name, docnum, _postings(tokens.normalize(value)))
            elif field.indexed:
                for term, _, weight, encoded in field.index(value):
                    pool.add((name, term, docnum, weight, encoded))
            stored = fields.get("_stored_" + name, value)
            perdoc.add_field(name, field, stored if field.stored else None, 0)
            if field.column_type and stored is not None:
                perdoc.add_column_value(name, field.column_type, field.to_column_value(stored))
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        """Write the stored fields and columns, then every posting from the pool."""
        self.perdocwriter.close()
        self.pool.write(self.fieldwriter, self.schema)
        self.fieldwriter.close()


class _TermPool:
    """Stands in for Whoosh's posting pool when a segment is written from scratch: postings arrive in document
    order, so grouping them by field and term leaves only distinct terms to sort (Whoosh sorts every posting), and
    each term's postings are written at once."""

    def __init__(self):
        """An empty pool: field -> term (str for text fields, bytes for the rest) -> (docnum, weight, value)."""
        self._fields: dict[str, dict[str | bytes, list[tuple]]] = {}

    def add(self, item: tuple) -> None:
        """Take one (fieldname, term bytes, docnum, weight, value) posting."""
        self._fields.setdefault(item[0], defaultdict(list))[item[1]].append(item[2:])

    def add_terms(self, fieldname: str, docnum: int, postings: dict[str, list[int]]) -> None:
        """Take a document's postings in a text field, term -> positions, with C-level calls only (they are
        encoded, and weighed by their frequency, when written)."""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = defaultdict(list)
        deque(map(list.append, map(terms.__getitem__, postings), zip(repeat(docnum), postings.values())), 0)

    def write(self, fieldwriter: _FieldWriter, schema: Schema) -> None:
        """Write every posting, ordered by field, term (UTF-8 order, which is str order) and document."""
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            fieldwriter.start_field(fieldname, schema[fieldname])
            for term in sorted(terms):
                fieldwriter.start_term(term if isinstance(term, bytes) else term.encode("utf-8"))
                fieldwriter.add_all(*_columns(terms[term]))
                fieldwriter.finish_term()
            fieldwriter.finish_field()

    def cleanup(self) -> None:
        """Forget every posting."""
        self._fields = {}


def _columns(postings: list[tuple]) -> tuple[Sequence[int], Sequence[float], Sequence[bytes]]:
    """The documents, weights and values of a term's postings: (docnum, weight, value) as given, or (docnum,
    positions) from add_terms."""
    columns = tuple(zip(*postings, strict=True))
    if len(columns) == 3:
        return columns
    return columns[0], array("f", map(len, columns[1])), _encode_all(columns[1])


def _clear(index_dir: Path) -> None:
    """Remove this module's files from index_dir (a Whoosh index named INDEX_NAME and the marker), nothing else."""
    index_dir.mkdir(parents=True, exist_ok=True)
    for path in index_dir.iterdir():
        if path.name == MARKER or path.name.startswith((INDEX_NAME, "_" + INDEX_NAME + "_")):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def _write_marker(index_dir: Path, count: int) -> None:
    """Record the schema version and the size and hash of every index file next to the index: written last, so a
    half-built index is never trusted, and a file deleted or damaged later is noticed (see _open_current)."""
    marker = {"schema": SCHEMA_VERSION, "documents": count, "files": _index_files(index_dir)}
    (index_dir / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")


def _apply_changes(ix, records: dict[str, _Record]) -> tuple[int, int, int, int]:
    """Add, replace and delete only the documents whose fingerprints differ; returns the four counts."""
    indexed = _indexed_digests(ix)
    stale = sorted(key for key in indexed if key not in records)
    fresh = [r for r in records.values() if r.key not in indexed]
    changed = [r for r in records.values() if r.key in indexed and indexed[r.key] != r.digest]
    if stale or fresh or changed:
        with ix.writer(limitmb=_LIMIT_MB, codec=_Codec(), compound=False) as writer:
            for key in stale + [r.key for r in changed]:
                writer.delete_by_term("index_no", key)
            for record in sorted(fresh + changed, key=lambda r: r.key):
                writer.add_document(**_whoosh_fields(record))
        _write_marker(Path(ix.storage.folder), len(records))
    return len(fresh), len(changed), len(stale), len(records) - len(fresh) - len(changed)


def _indexed_digests(ix) -> dict[str, str]:
    """Index key -> content hash of every live document, read from the fingerprint column in one pass."""
    digests: dict[str, str] = {}
    with ix.reader() as reader:
        if not reader.doc_count_all():
            return digests
        column = reader.column_reader("fingerprint")
        for docnum in reader.all_doc_ids():
            digest, _, key = column[docnum].partition(" ")
            digests[key] = digest if key not in digests else "duplicate"  # a duplicate is replaced as changed
    return digests


# --- Results ------------------------------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class Hit:
    """One document found, with what the command line shows of it."""

    index_no: str
    title: str
    publisher: str
    published: date
    url: str  # the page path relative to the site root, or absolute when search() got a base_url
    score: float
    snippet: Snippet

    def to_json(self) -> dict:
        """The hit as `search --json` gives it (docs/content-format.md 三), plus the plain snippet and its match spans."""
        return {"index_no": self.index_no, "title": self.title, "publisher": self.publisher,
                "published": self.published.isoformat(), "url": self.url, "score": round(self.score, 4),
                "snippet": self.snippet.text, "highlights": [list(span) for span in self.snippet.spans]}


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The answer to one query: how many documents match and the best of them."""

    query: str
    total: int
    hits: tuple[Hit, ...]

    def to_json(self) -> dict:
        """The `search --json` object (docs/content-format.md 三)."""
        return {"query": self.query, "total": self.total, "hits": [hit.to_json() for hit in self.hits]}


# --- Searching ----------------------------------------------------------------------------------------------


def search(index_dir: Path, query: str, limit: int = 20, *, base_url: str = "", by_date: bool = False) -> SearchResult:
    """Run a query in the query language of docs/content-format.md 三 against the index at index_dir; best first,
    or newest first with by_date."""
    ix = _open_for_search(index_dir)
    with ix.searcher(weighting=_Weighting()) as searcher:
        whoosh_query, needles = _query_with_exact(searcher, query)
        if by_date:
            ranked, total = _newest(searcher, _Pruned(whoosh_query), max(limit, 0))
        else:
            ranked, total = _ranked(searcher, _Pruned(whoosh_query), max(limit, 0), scored=bool(needles))
        return SearchResult(query, total, tuple(_hit(fields, score, needles, base_url) for score, fields in ranked))


def _newest(searcher, query: Q.Query, limit: int) -> tuple[list[tuple[float, dict]], int]:
    """The newest `limit` matching documents as (score, stored fields), equal dates by index number."""
    order = sorting.MultiFacet([sorting.FieldFacet("published", reverse=True), sorting.FieldFacet("index_no"),
                                sorting.ScoreFacet()])
    results = searcher.search(query, limit=max(limit, 1), sortedby=order)
    return [(-results.score(n)[2], results[n].fields()) for n in range(min(limit, results.scored_length()))], \
        len(results)


def _ranked(searcher, query: Q.Query, limit: int, scored: bool) -> tuple[list[tuple[float, dict]], int]:
    """The best `limit` documents as (score, stored fields), equal scores newest first and then by index number,
    and how many documents match. A top-N pass answers unless equal scores straddle what it fetched; filters alone
    score alike, so when they match many documents these are sorted by date and number straight away."""
    if scored or query.estimate_size(searcher.reader()) <= limit + _SLACK:
        collector = TopCollector(limit + _SLACK, usequality=False, replace=0)  # no pruning: counts in one pass
        searcher.search_with_collector(query, collector)
        results = collector.results()
        top = [(results.score(n), results[n].fields()) for n in range(results.scored_length())]
        if not (limit and len(top) == limit + _SLACK and top[limit - 1][0] == top[-1][0]):
            top.sort(key=lambda item: (-item[0], -item[1]["published"].toordinal(),
                                       tokens.normalize(item[1]["index_no"])))
            return top[:limit], len(results)
    order = sorting.MultiFacet([sorting.ScoreFacet(), sorting.FieldFacet("published", reverse=True),
                                sorting.FieldFacet("index_no")])
    results = searcher.search(query, limit=max(limit, 1), sortedby=order)
    return [(-results.score(n)[0], results[n].fields()) for n in range(min(limit, results.scored_length()))], \
        len(results)


def _open_for_search(index_dir: Path):
    """The index at index_dir, or IndexMissing with a message an editor can act on (the caller names the folder)."""
    if not (index_dir / MARKER).is_file():
        raise IndexMissing("找不到搜索索引。请先运行 xxgk build（源代码目录中为 ./dev build）构建站点。")
    ix, damaged = _open_current(index_dir)
    if damaged:
        raise IndexMissing("搜索索引已损坏（有文件缺失或被改动）。请重新运行 xxgk build（源代码目录中为 ./dev build），"
                           "它会从内容自动重建索引。")
    if ix is None:
        raise IndexMissing("搜索索引来自旧版本或没有完成。请重新运行 xxgk build（源代码目录中为 ./dev build）构建站点。")
    return ix


def _query_with_exact(searcher, text: str) -> tuple[Q.Query, tuple[str, ...]]:
    """The parsed query, OR-ed with the whole text as an exact index number or 文号 ranked above everything."""
    exact = Q.Or([Q.Term("index_no", tokens.normalize(text.strip())), Q.Term("doc_no_norm", _doc_no_key(text))],
                 boost=EXACT_BOOST)
    try:
        parsed, needles = parse_query(text)
    except SearchSyntaxError:
        if text.strip() and any(True for _ in exact.docs(searcher)):
            return exact, ()
        raise
    return Q.Or([exact, parsed]), needles


def _hit(fields: dict, score: float, needles: tuple[str, ...], base_url: str) -> Hit:
    """A Hit from a result's stored fields."""
    body = fields.get("excerpt", "")
    return Hit(fields["index_no"], fields.get("title", ""), fields.get("publisher", ""),
               fields["published"].date(), base_url + fields["url"], score, make_snippet(body, needles))


def make_snippet(text: str, needles: Sequence[str], width: int = SNIPPET_CHARS) -> Snippet:
    """The window of about `width` characters of text holding the most different needles, with their spans."""
    norm = tokens.normalize(text)
    back = None if len(norm) == len(text) else _offset_map(text)
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


# --- The query language -------------------------------------------------------------------------------------

_FIELD_NAMES = {
    "index_no": "index_no", "索引号": "index_no", "doc_no": "doc_no", "文号": "doc_no", "发文字号": "doc_no",
    "publisher": "publisher", "发布机构": "publisher", "发文机关": "publisher", "category": "category",
    "主题分类": "category", "分类": "category", "genre": "genre", "文种": "genre", "validity": "validity",
    "有效性": "validity", "published": "published", "发布日期": "published", "written": "written",
    "成文日期": "written", "year": "year", "年份": "year", "title": "title", "标题": "title",
}
_FIELD_LIST = "、".join(f"{english}:（{chinese}）" for english, chinese in (
    ("index_no", "索引号"), ("doc_no", "文号"), ("publisher", "发布机构"), ("category", "主题分类"), ("genre", "文种"),
    ("validity", "有效性"), ("published", "发布日期"), ("written", "成文日期"), ("year", "年份"), ("title", "标题")))
_FIELD = re.compile(r"([A-Za-z_]+|[\u4e00-\u9fff]{2,4})[:：]")
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』"}
_OPERATORS = ("AND", "OR", "NOT")
_RANGES = {"[": "]", "［": "］", "{": "}"}


@dataclass(frozen=True, slots=True)
class _Lexeme:
    """One unit of a query: an operator, a parenthesis, free text, a quoted phrase, or a field with its value."""

    kind: str  # "op", "(", ")", "word", "phrase", "field"
    text: str
    field: str = ""
    value_kind: str = ""  # for fields: "word", "phrase" or "range"


def parse_query(text: str) -> tuple[Q.Query, tuple[str, ...]]:
    """The Whoosh query for a query string and the normalised strings a snippet should highlight."""
    lexemes = _lex(text)
    if not lexemes:
        raise SearchSyntaxError("查询为空。请输入要查找的文字，例如：信息公开，或 index_no:…")
    parser = _Parser(lexemes)
    result = parser.parse()
    if result is None:
        raise SearchSyntaxError("查询里没有可查找的文字。请输入汉字、字母或数字。")
    return result, tuple(dict.fromkeys(parser.needles))


def _lex(text: str) -> list[_Lexeme]:
    """Split a query into lexemes; ASCII parentheses group only at the start and end of words."""
    lexemes: list[_Lexeme] = []
    at, depth = 0, 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        lexeme, at = _next_lexeme(text, at)
        lexeme, closing = _split_closing(lexeme, depth)
        depth += {"(": 1, ")": -1}.get(lexeme.kind, 0) - closing
        lexemes += [lexeme] + [_Lexeme(")", ")")] * closing
    return lexemes


def _next_lexeme(text: str, at: int) -> tuple[_Lexeme, int]:
    """The lexeme starting at `at` and the index after it."""
    char = text[at]
    if char in "()":
        return _Lexeme(char, char), at + 1
    if char in _QUOTES:
        value, end = _quoted(text, at)
        return _Lexeme("phrase", value), end
    field = _FIELD.match(text, at)
    if field and field.group(1).lower() in _FIELD_NAMES:
        return _field_lexeme(text, field.group(1), field.end())
    if field and field.group().endswith(":") and text[field.end():field.end() + 1] not in ("", "/") \
            and not text[field.end()].isspace():
        # `name:value` with an ASCII colon is meant as a field; searching the words instead would hide the typo.
        raise SearchSyntaxError(f"没有“{field.group(1)}”这个检索字段。可用的字段：{_FIELD_LIST}。")
    end = _word_end(text, at)
    word = text[at:end]
    return _Lexeme("op" if word in _OPERATORS else "word", word), end


def _word_end(text: str, at: int) -> int:
    """Where the word starting at `at` ends: at white space or an opening quote."""
    end = at
    while end < len(text) and not text[end].isspace() and text[end] not in _QUOTES:
        end += 1
    return end


def _quoted(text: str, at: int) -> tuple[str, int]:
    """The text inside the quotes opening at `at`, and the index after the closing quote."""
    close = text.find(_QUOTES[text[at]], at + 1)
    if close < 0:
        raise SearchSyntaxError(f"引号没有配对：{text[at:]}。请在短语两端都加上引号。")
    return text[at + 1:close], close + 1


def _field_lexeme(text: str, name: str, at: int) -> tuple[_Lexeme, int]:
    """A field lexeme whose value starts at `at`: a quoted phrase, an [A TO B] range or a word."""
    field = _FIELD_NAMES[name.lower()]
    if at >= len(text) or text[at].isspace():
        raise SearchSyntaxError(f"“{name}:”后面缺少要查找的内容（冒号后不要留空格），例如 {name}:{_EXAMPLES[field]}")
    if text[at] in _QUOTES:
        value, end = _quoted(text, at)
        return _Lexeme("field", value, field, "phrase"), end
    if text[at] in _RANGES:
        close = text.find(_RANGES[text[at]], at + 1)
        if close < 0:
            raise SearchSyntaxError(f"范围缺少右方括号：{text[at:]}。请写成 {name}:[2019-01-01 TO 2019-12-31]")
        return _Lexeme("field", text[at + 1:close], field, "range"), close + 1
    end = _word_end(text, at)
    return _Lexeme("field", text[at:end], field, "word"), end


def _split_closing(lexeme: _Lexeme, depth: int) -> tuple[_Lexeme, int]:
    """A word without the closing parentheses glued to its end while groups are open, and how many there were."""
    if lexeme.kind not in ("word", "field") or lexeme.value_kind in ("phrase", "range"):
        return lexeme, 0
    count = min(depth, len(lexeme.text) - len(lexeme.text.rstrip(")")), len(lexeme.text) - 1)
    if count <= 0:
        return lexeme, 0
    return _Lexeme(lexeme.kind, lexeme.text[:-count], lexeme.field, lexeme.value_kind), count


class _Parser:
    """Recursive descent over lexemes: OR binds loosest, then AND (written or implied), then NOT."""

    def __init__(self, lexemes: list[_Lexeme]):
        """Start before the first lexeme, outside any NOT, with nothing to highlight."""
        self.lexemes, self.at, self.negated = lexemes, 0, 0
        self.needles: list[str] = []

    def parse(self) -> Q.Query | None:
        """The query of all the lexemes."""
        query = self.either()
        if self.at < len(self.lexemes):
            raise SearchSyntaxError("括号没有配对：多了右括号“)”。")
        return query

    def peek(self) -> _Lexeme | None:
        """The next lexeme, if any."""
        return self.lexemes[self.at] if self.at < len(self.lexemes) else None

    def take(self, kind: str, text: str | None = None) -> bool:
        """Consume the next lexeme if it has this kind (and text); say whether it did."""
        lexeme = self.peek()
        if lexeme is None or lexeme.kind != kind or (text is not None and lexeme.text != text):
            return False
        self.at += 1
        return True

    def either(self) -> Q.Query | None:
        """Alternatives joined by OR."""
        parts = [self.both()]
        while self.take("op", "OR"):
            parts.append(self.both())
        return _combine(Q.Or, parts)

    def both(self) -> Q.Query | None:
        """Terms joined by AND or simply written one after another."""
        parts = [self.unary()]
        while (lexeme := self.peek()) is not None and lexeme.kind != ")" and lexeme.text != "OR":
            self.take("op", "AND")
            parts.append(self.unary())
        return _combine(Q.And, parts)

    def unary(self) -> Q.Query | None:
        """A term, possibly negated by NOT."""
        if not self.take("op", "NOT"):
            return self.primary()
        self.negated += 1
        inner = self.unary()
        self.negated -= 1
        return None if inner is None else Q.Not(inner)

    def primary(self) -> Q.Query | None:
        """A group in parentheses, a phrase, a field or a word."""
        lexeme = self.peek()
        if lexeme is None or lexeme.kind in ("op", ")"):
            raise SearchSyntaxError("AND、OR、NOT 和括号里面都要有查找内容，例如：信息公开 AND (预算 OR 决算)")
        self.at += 1
        if lexeme.kind == "(":
            inner = self.either()
            if not self.take(")"):
                raise SearchSyntaxError("括号没有配对：缺少右括号“)”。")
            return inner
        if lexeme.kind == "field":
            return field_query(lexeme.field, lexeme.text, lexeme.value_kind, self.note)
        return text_query(lexeme.text, ("title", "text"), self.note)

    def note(self, needles: list[str]) -> None:
        """Remember strings to highlight, unless they sit under a NOT."""
        if not self.negated:
            self.needles += needles


def _combine(kind, parts: list[Q.Query | None]) -> Q.Query | None:
    """One query of the non-empty parts; a conjunction of NOTs alone applies to every document."""
    parts = [part for part in parts if part is not None]
    if kind is Q.And and parts and all(isinstance(part, Q.Not) for part in parts):
        parts.insert(0, Q.Every())
    return None if not parts else parts[0] if len(parts) == 1 else kind(parts)


# --- Free text ----------------------------------------------------------------------------------------------


def text_query(text: str, fields: tuple[str, ...], note=lambda needles: None) -> Q.Query | None:
    """Free text: every run of adjacent tokens must appear in one of the fields (title boosted); None if no tokens."""
    norm = tokens.normalize(text)
    groups = _groups(list(positioned(norm)))
    note([norm[start:end] for group in groups for start, end in _chunks(group)])
    return _combine(Q.And, [_group_query(group, len(norm), fields) for group in groups])


def _groups(found: list[tokens.Token]) -> list[list[tokens.Token]]:
    """Tokens split where positions jump: each group must match as one phrase."""
    groups: list[list[tokens.Token]] = []
    for token in found:
        if groups and token.position == groups[-1][-1].position + 1:
            groups[-1].append(token)
        else:
            groups.append([token])
    return groups


def _chunks(group: list[tokens.Token]) -> list[tuple[int, int]]:
    """The character spans of a group that are contiguous in the text (what a snippet can highlight)."""
    spans: list[tuple[int, int]] = []
    for token in group:
        if spans and token.start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], token.end))
        else:
            spans.append((token.start, token.end))
    return spans


def _group_query(group: list[tokens.Token], length: int, fields: tuple[str, ...]) -> Q.Query:
    """A group's phrase; a lone Han character at the query's edge matches a run that starts or ends with it."""
    if len(group) == 1 and _lone(group[0]):
        return _in_fields(fields, lambda field: Q.Prefix(field, group[0].text))  # see _indexed
    words = [token.text for token in group]
    if _lone(group[0]) and group[0].start == 0:
        words[0] = words[0] + "$"
    if _lone(group[-1]) and group[-1].end == length:
        words[-1] = "^" + words[-1]
    boosts = [(field, TITLE_BOOST if field == "title" and len(fields) > 1 else 1.0) for field in fields]
    return _FreeText(tuple(boosts), tuple(words))


def _lone(token: tokens.Token) -> bool:
    """Whether the token is a single Han character."""
    return len(token.text) == 1 and not token.text.isascii()


def _in_fields(fields: tuple[str, ...], make) -> Q.Query:
    """The query made for each field, OR-ed, with title matches boosted."""
    parts = [make(field).with_boost(TITLE_BOOST) if field == "title" and len(fields) > 1 else make(field)
             for field in fields]
    return parts[0] if len(parts) == 1 else Q.Or(parts)


# --- Field queries ------------------------------------------------------------------------------------------

_EXAMPLES = {"index_no": "114403006955506492/2019-00001", "doc_no": "深府办〔2019〕1号", "publisher": "坪山区",
             "category": "政务公开", "genre": "通知", "validity": "有效", "published": "[2019-01-01 TO 2019-12-31]",
             "written": "2019-03", "year": "2019", "title": "工作方案"}
_DAY = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?|月)?)?年?")
_COMPACT_DAY = re.compile(r"(\d{4})(\d{2})(\d{2})")
_RANGE_ENDS = re.compile(r"\s*(\S*?)\s*(?:\bto\b|至|~|～)\s*(\S*)\s*", re.IGNORECASE)


def field_query(field: str, value: str, kind: str, note=lambda needles: None) -> Q.Query:
    """The query of one `field:value`, a range only for dates."""
    if kind == "range" and field not in ("published", "written"):
        raise SearchSyntaxError(f"只有 published: 和 written: 可以写范围 [开始 TO 结束]；{field}: 请直接写要找的值。")
    if field in ("published", "written"):
        return _date_query(field, value, kind)
    if field == "title":
        query = text_query(value, ("title",), note)
        if query is None:
            raise SearchSyntaxError(f"“title:{value}”里没有可查找的文字。")
        return query
    return _EXACT_FIELDS[field](value.strip())


def _index_no_query(value: str) -> Q.Query:
    """An exact index number, or every number starting with it when it ends in *."""
    key = tokens.normalize(value)
    return Q.Prefix("index_no", key[:-1]) if key.endswith("*") else Q.Term("index_no", key)


def _doc_no_query(value: str) -> Q.Query:
    """An exact 文号 in any bracket form, or every 文号 starting with it when it ends in *."""
    key = _doc_no_key(value)
    return Q.Prefix("doc_no_norm", key[:-1]) if key.endswith("*") else Q.Term("doc_no_norm", key)


def _contains(field: str):
    """A query maker for the facet values (few: matched against the field's lexicon) that contain the text."""
    def make(value: str) -> Q.Query:
        """Every value of the field containing the text (a / may stand for the \\ of 一级\\二级)."""
        key = tokens.normalize(value).replace("/", "\\")
        return Q.Wildcard(field, f"*{glob.escape(key)}*")
    return make


def _term(field: str):
    """A query maker for an exact facet value."""
    return lambda value: Q.Term(field, tokens.normalize(value))


def _year_query(value: str) -> Q.Query:
    """The documents published in a year written as four digits."""
    if not re.fullmatch(r"\d{4}", tokens.normalize(value)):
        raise SearchSyntaxError(f"年份“{value}”应为四位数字，例如 year:2019")
    return Q.Term("year", tokens.normalize(value))


_EXACT_FIELDS = {"index_no": _index_no_query, "doc_no": _doc_no_query, "publisher": _contains("publisher"),
                 "category": _contains("category"), "genre": _term("genre"), "validity": _term("validity"),
                 "year": _year_query}


def _date_query(field: str, value: str, kind: str) -> Q.Query:
    """A DateRange built here from ISO dates (never Whoosh's date parser, which drops month and day)."""
    if kind != "range":
        return _DateSpan(field, _parse_day(field, value, False), _parse_day(field, value, True))
    ends = _RANGE_ENDS.fullmatch(value)
    if ends is None:
        raise SearchSyntaxError(f"日期范围“[{value}]”应写成 {field}:[2019-01-01 TO 2019-12-31]（TO 两边留空格）。")
    low, high = ends.groups()
    start = _parse_day(field, low, False) if low not in ("", "*") else None
    end = _parse_day(field, high, True) if high not in ("", "*") else None
    if start is None and end is None:
        raise SearchSyntaxError(f"日期范围“[{value}]”至少要有开始或结束日期之一。")
    if start is not None and end is not None and start > end:
        raise SearchSyntaxError(f"日期范围“[{value}]”的开始日期晚于结束日期。")
    return _DateSpan(field, start, end)


def _parse_day(field: str, text: str, end: bool) -> datetime:
    """The first (or, with end, the last) moment of the year, month or day written as ISO 8601 or 2019年3月5日."""
    norm = tokens.normalize(text).strip()
    found = _COMPACT_DAY.fullmatch(norm) or _DAY.fullmatch(norm)
    try:
        year, month, day = (int(part) if part else None for part in found.groups())
        first = date(year, month or 1, day or 1)
        last = first if day else _last_day(year, month)
    except (AttributeError, ValueError):
        raise SearchSyntaxError(f"日期“{text}”无法识别。请写成 YYYY-MM-DD，例如 {field}:[2019-01-01 TO 2019-12-31]") from None
    return datetime.combine(last, clock.max) if end else datetime.combine(first, clock.min)


def _last_day(year: int, month: int | None) -> date:
    """The last day of a month, or of the year when month is None."""
    if month is None:
        return date(year, 12, 31)
    following = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)
