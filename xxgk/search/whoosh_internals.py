"""Every use of Whoosh's private and internal names, in one file, so that an upgrade of Whoosh looks here first.

The rest of xxgk.search uses only Whoosh's public API (schemas, `open_dir`, writers, searchers, `whoosh.query`,
collectors and sorting facets). What follows reaches inside Whoosh 2.7.4 (the `whoosh.codec.whoosh3` on-disk
format) for speed, and each piece says which internals it relies on:

- `BigramPositions`, a `whoosh.formats.Positions` subclass: overrides `word_values`, `encode` and the `decode_*`
  methods so postings come straight from `analysis.postings` and positions are packed integers, not pickles.
- `_PostingsWriter` (`W3PostingsWriter`), `_FieldWriter` (`W3FieldWriter`) and `_Codec` (`W3Codec`): write a term's
  postings a whole block at a time. They read and set the writer's private block state (`_blocklimit`, `_ids`,
  `_weights`, `_values`, `_maxweight`, `_minlength`, `_maxlength`, `_blockcount`, `_compression`, `_postfile`,
  `_terminfo`, `_postwriter`), call `_write_block`, `_new_block` and `_mini_values`, write
  `WHOOSH3_HEADER_MAGIC` and `length_to_byte` block headers, and turn off the codec's `length_stats`.
- `_SegmentBuilder` (`whoosh.writing.SegmentWriter`) and `_TermPool` (`write_segment`, `commit_segments`): a segment
  written from scratch; they use the writer's `pool`, `docnum`, `perdocwriter`, `fieldwriter`, `_added`,
  `_flush_segment` and `_finalize_segment`, the unlocked `_lk=False` constructor argument (as Whoosh's own MpWriter
  sub-writers), and `whoosh.index.TOC` to write the table of contents of segments built in worker processes (and
  Whoosh's `<name>.tmp` folder).
- `Weighting` and `_Scorer` (`scoring.WeightingModel`, `scoring.BaseScorer`, `WeightScorer.for_`): scores from a
  term's frequency alone, with block-quality pruning (`block_max_weight`).
- `FreeText` and `DateSpan` (`whoosh.query.Query` subclasses answering with `ListMatcher`/`NullMatcher`): phrases
  from whole posting lists, read through `W3LeafMatcher._read_data`, `_data` and `_next_block` and the deleted
  documents of a `FilterMatcher` (`child`, `_ids`); dates from a numeric column's raw bytes
  (`NumericColumn.Reader._typecode`, `_dbfile`, `_basepos`, `_count`, `_fixedlen`, `_default`).
- `Pruned` (`whoosh.query.wrappers.WrappingQuery`): drops empty branches with `Matcher.replace(0)`.

tests/test_search.py pins this module to Whoosh's own behaviour: a rebuild must write exactly the postings
Whoosh's own writer writes, the fast postings must equal the analyzer's, and updated indexes must answer as
rebuilt ones do. Run them first after any change of Whoosh.

Why Whoosh 2.7.4 (released 2016-04) and not Whoosh-Reloaded 2.7.5, the fork with the same import name `whoosh`
(evaluated 2026-11): the fork passes every search test (tests/test_search.py, test_search_forgiving.py,
test_static_search.py, test_tokens.py and test_build.py with it in place of 2.7.4: 169 passed on the code before it
was split into this package, 175 after), but it is not better maintained as a release. 2.7.5 (2024-02-02) is its
last release, none has followed in two and a half years, and it is 2.7.4 reformatted with Python 2 shims removed:
the modules this file reaches into (codec/whoosh3.py, writing.py, matching, columns.py, index.py, scoring.py) differ
from 2.7.4 only in layout, `is 0` made `== 0` and a `cancel_doc` added. The fork's unreleased main branch is heading
elsewhere: bloom filters and skip lists in the postings and matchers (2026-03), a rename of the project to
whoosh-novo (2026-03) and a "first alpha" under that name (2026-04). Moving would add a dependency (cached-property) and
fix nothing, and its next release is a new package whose internals this file would have to be checked against
anyway. Revisit when that package has a stable release.
"""

from __future__ import annotations

import operator
import pickle
import shutil
import sys
import zlib
from array import array
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from itertools import accumulate, chain, repeat
from pathlib import Path

from whoosh import formats, scoring
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3FieldWriter, W3LeafMatcher, W3PostingsWriter
from whoosh.columns import NumericColumn
from whoosh.fields import TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.matching import FilterMatcher, ListMatcher, NullMatcher
from whoosh.query.wrappers import WrappingQuery
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from . import tokens
from .analysis import BigramTokenizer, postings

_DEFLATE_FROM = 64  # bytes: smaller blocks of postings are stored uncompressed
_K1 = 1.2


# --- Positions as packed integers ---------------------------------------------------------------------------


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


class BigramPositions(formats.Positions):
    """Whoosh's Positions format fed straight from `analysis.postings` (the postings BigramTokenizer gives, with less
    overhead), its position lists packed as plain integers instead of pickled."""

    def word_values(self, value, analyzer, **kwargs):
        """(term, frequency, weight, encoded positions) of every distinct term of value."""
        boost = self.field_boost
        return [
            (word, len(where), len(where) * boost, _encode(where))
            for word, where in postings(tokens.normalize(value)).items()
        ]

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


def bigram_field(**kwargs) -> TEXT:
    """A TEXT field analysed by BigramTokenizer, its postings written through BigramPositions."""
    field = TEXT(analyzer=BigramTokenizer(), **kwargs)
    field.format = BigramPositions(field_boost=field.format.field_boost)
    field.scorable = False  # no field lengths to write: _Scorer does not use them
    return field


def _is_bigram(field) -> bool:
    """Whether a schema field is one of bigram_field's (its postings come from analysis.postings)."""
    return isinstance(field.format, BigramPositions)


# --- Writing postings a whole term at a time ----------------------------------------------------------------


class _PostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer that also takes a term's postings all at once, in whole blocks."""

    def add_all(self, docnums: Sequence[int], weights: Sequence[float], values: Sequence[bytes]) -> None:
        """Buffer the postings as blocks of the block limit, writing each full block before the next (as
        add_posting does one posting at a time); the last block is left for finish_postings."""
        limit = self._blocklimit
        for at in range(0, len(docnums), limit):
            if self._ids:
                self._write_block()
            block = weights[at : at + limit]
            self._ids, self._weights = array("I", docnums[at : at + limit]), array("f", block)
            self._values = [value for value in values[at : at + limit] if value]
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
        info = pickle.dumps(
            (
                len(self._ids),
                self._ids[-1],
                self._maxweight,
                compression,
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            2,
        )
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

    def __init__(self, *args, **kwargs):
        """Whoosh's field writer, its postings and terms files keeping their own positions (see _Positioned)."""
        super().__init__(*args, **kwargs)
        for structfile in (self._postfile, self._tindex.dbfile):
            structfile.file = _Positioned(structfile.file)

    def add_all(self, docnums: Sequence[int], weights: Sequence[float], values: Sequence[bytes]) -> None:
        """Add every posting of the current term, in document order."""
        self._postwriter.add_all(docnums, weights, values)


class _Positioned:
    """A file being written that keeps its own position: Whoosh asks for it at the start and end of every term, and
    a buffered file's tell() is a system call (lseek) each time. Everything but writing and seeking is the file's."""

    def __init__(self, file):
        """Wrap file, a file open for writing."""
        self._file, self._at = file, file.tell()

    def write(self, data) -> int:
        """Write data; returns the bytes written (all of them, as a blocking buffered file does)."""
        written = self._file.write(data)
        self._at += written
        return written

    def tell(self) -> int:
        """Where the next write goes."""
        return self._at

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move as the file does."""
        self._at = self._file.seek(offset, whence)
        return self._at

    def __getattr__(self, name: str):
        return getattr(self._file, name)


class _Codec(W3Codec):
    """Whoosh's codec without per-block field-length statistics, which nothing here reads, and with writers that
    take whole posting lists."""

    length_stats = False

    def field_writer(self, storage, segment):
        """A field writer with add_all."""
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        """A postings writer with add_all."""
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


def update_writer(ix, limitmb: int, mergetype: Callable):
    """Whoosh's own writer for changing an index in place, writing its new segment with this module's codec and
    committing (at the end of its `with` block) with the merge policy mergetype."""
    writer = ix.writer(limitmb=limitmb, codec=_Codec(), compound=False)
    writer.mergetype = mergetype  # what commit() uses when called without one, as `with` calls it
    return writer


def write_segment(index_dir: str, indexname: str, documents: Iterable[dict]):
    """Index the documents (add_document keyword arguments) into one new segment of the index at index_dir, without
    taking its lock (the caller builds segments side by side, as MpWriter's sub-writers do); returns the segment."""
    ix = whoosh_index.open_dir(index_dir, indexname=indexname)
    writer = _SegmentBuilder(ix, _lk=False, codec=_Codec(), compound=False)
    for fields in documents:
        writer.add_document(**fields)
    return writer._finalize_segment()


def commit_segments(index_dir: Path, indexname: str, schema: Schema, segments: list) -> None:
    """Make the segments from write_segment the index's contents (its first generation) and drop Whoosh's
    temporary folder."""
    TOC(schema, segments, 1).write(FileStorage(str(index_dir)), indexname)
    shutil.rmtree(index_dir / f"{indexname}.tmp", ignore_errors=True)


class _SegmentBuilder(SegmentWriter):
    """Whoosh's segment writer for a segment written from scratch: the text fields go from `analysis.postings` to
    the pool a document at a time, and the pool writes each term's postings at once (see _TermPool)."""

    def __init__(self, *args, **kwargs):
        """A segment writer whose pool is a _TermPool."""
        super().__init__(*args, **kwargs)
        self.pool = _TermPool()

    def add_document(self, **fields):
        """Add a document as SegmentWriter.add_document does for this schema (no boosts, vectors, spelling or
        field lengths), the text fields' postings straight from `analysis.postings`; a field "_stored_NAME" gives
        the value stored for NAME when it differs from the one indexed."""
        docnum, perdoc, pool = self.docnum, self.perdocwriter, self.pool
        perdoc.start_doc(docnum)
        for name in sorted(name for name in fields if not name.startswith("_") and fields[name] is not None):
            field, value = self.schema[name], fields[name]
            if _is_bigram(field):
                pool.add_terms(name, docnum, postings(tokens.normalize(value)))
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
        """An empty pool: field -> term (str for text fields, bytes for the rest) -> its postings, (docnum, weight,
        value) tuples from add(), or docnum, encoded positions, docnum, … in one flat list from add_terms()."""
        self._fields: dict[str, dict[str | bytes, list]] = {}

    def add(self, item: tuple) -> None:
        """Take one (fieldname, term bytes, docnum, weight, value) posting."""
        self._fields.setdefault(item[0], defaultdict(list))[item[1]].append(item[2:])

    def add_terms(self, fieldname: str, docnum: int, found: dict[str, list[int]]) -> None:
        """Take a document's postings in a text field, term -> positions, with C-level calls only (they are
        weighed by their frequency when written)."""
        terms = self._fields.get(fieldname)
        if terms is None:
            terms = self._fields[fieldname] = defaultdict(list)
        # Encoded now: a list of int objects costs four to ten times the bytes of its packed form, and a worker
        # holds every posting of its segment until the segment is written. Flat, not a tuple per posting: a third
        # fewer objects to make, hold and free (zip hands extend the same pair each time).
        deque(map(list.extend, map(terms.__getitem__, found), zip(repeat(docnum), _encode_all(found.values()))), 0)

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


def _columns(found: list) -> tuple[Sequence[int], Sequence[float], Sequence[bytes]]:
    """The documents, weights and values of a term's postings: (docnum, weight, value) tuples as given, or the flat
    docnum, encoded positions, … of add_terms, weighed by their frequency."""
    if type(found[0]) is tuple:
        return tuple(zip(*found, strict=True))
    values = found[1::2]
    return found[0::2], array("f", map(operator.floordiv, map(len, values), repeat(4))), values


# --- Scoring ------------------------------------------------------------------------------------------------


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


class Weighting(scoring.WeightingModel):
    """Collection-independent scoring: _Scorer for the text fields, the stored weight (1) for exact fields."""

    def scorer(self, searcher, fieldname, text, qf=1):
        """The scorer of one term."""
        if _is_bigram(searcher.schema[fieldname]):
            return _Scorer(searcher.term_info(fieldname, text).max_weight())
        return scoring.WeightScorer.for_(searcher, fieldname, text)


# --- Phrases -----------------------------------------------------------------------------------------------


class FreeText(Q.Query):
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
        return f"FreeText({self.fields!r}, {self.words!r})"

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
        return {
            offset + doc: score
            for sub, offset in reader.leaf_readers()
            for doc, score in _phrase_scores(sub, field, words).items()
        }
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
    found: dict[int, tuple[float, bytes]] = {}
    if isinstance(matcher, W3LeafMatcher) and matcher.format.fixed_value_size() is None:
        while matcher.is_active():
            matcher._read_data()
            deltas, weights, values = matcher._data  # see W3PostingsWriter._write_block
            if not isinstance(weights, tuple):  # None: every weight 1; a float: all that weight
                weights = repeat(1.0 if weights is None else weights)
            found.update(zip(accumulate(deltas), zip(weights, values, strict=False), strict=True))
            matcher._next_block()
    else:
        while matcher.is_active():
            found[matcher.id()] = (matcher.weight(), matcher.value())
            matcher.next()
    for doc in deleted:
        found.pop(doc, None)
    return found


def _tree_sum(scores: list[float]) -> float:
    """The scores added pairwise as Whoosh's binary tree of intersection matchers adds them."""
    if len(scores) <= 2:
        return scores[0] + scores[1] if len(scores) == 2 else scores[0]
    half = len(scores) // 2
    return _tree_sum(scores[:half]) + _tree_sum(scores[half:])


# --- Dates and pruning --------------------------------------------------------------------------------------


class DateSpan(Q.Query):
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
        return f"DateSpan({self.field!r}, {self.start!r}, {self.end!r})"

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


class Pruned(WrappingQuery):
    """A query whose matcher drops the branches that match nothing before the search starts (Whoosh would step
    through them for every document, since the exact-number and title alternatives are usually empty)."""

    def matcher(self, searcher, context=None):
        """The child's matcher without its inactive branches."""
        return self.child.matcher(searcher, context).replace(0)
