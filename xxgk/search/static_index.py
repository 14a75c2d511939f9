"""The static search index: files under search/ that a browser queries with no server behind it.

`static_index(documents)` returns (site path, bytes) pairs. `StaticReader` answers a query from those files
the way static/js/search.js does (same parsing, matching, ranking and files fetched), so tests and the
benchmark can check results and bytes per query without a browser.

Text is normalised and split as xxgk.search.tokens does (NFKC, lower case; runs of Han characters, runs of ASCII
letters and digits). Documents are numbered oldest first (`numbered`: Document.sort_key reversed), so a larger
number is newer and a new document, the newest, takes the next number while the others keep theirs
(xxgk.search.static_update then patches the index instead of building it again).
Per document the index records:

- for every Han character, the "slot" starting there: the trigram, or at the end of a run the bigram or the
  single character left, with its offset (offsets count Han characters plus one per break between runs, so two
  runs never touch). A query run of k >= 3 Han characters matches where trigrams covering it sit at exactly
  the right offsets, so results are exactly the documents that contain the run: the documents a phrase of the
  tokenizer's overlapping bigrams finds, with no word segmentation to disagree with;
- every bigram (two-character queries) and every character (one-character queries), with their documents;
- every ASCII/digit run as one word, as the tokenizer keeps it;
- the title and the rest (body text, summary, keywords, 索引号, 文号, 发布机构, 主题分类) in one offset space: title
  offsets start at 0, the rest at BODY_AT, so a hit below BODY_AT is a title hit.

Postings are fixed-width little-endian integers, so building them needs no Python work per number:
  trigrams: entries doc << offset_bits | offset, in doc then offset order, slot_width bytes each;
  bigrams, characters, words: varint(df), df documents (doc_width bytes each), then df code bytes,
  code = min(tf, 127) * 2 + (1 if in the title); characters carry tf 1.

Files:
  search/meta.json        format, sizes and widths, bucket counts, facet values and year ranges, content hash
  search/t/<b>.bin        the terms whose bucket is b (hex): records varint(key length) key varint(tag);
                          tag 0: varint(length) and the postings; tag k > 0: the postings are the whole file
                          search/t/<b>-<k-1>.bin (large terms). bucket = CRC-32 of the UTF-8 term mod term_buckets
  search/id/<b>.json      {lookup key of an 索引号 or 文号: [doc numbers]}, bucket = CRC-32 of the key mod id_buckets
  search/f/p<i>.bin, c<i>.bin, g<i>.bin, v<i>.bin  documents of the i-th 发布机构 / 主题分类 (一级) / 文种 /
                          有效性 in meta.json: a bitmap, bit n in byte n >> 3, lowest bit first
  search/dates.json       [yyyymmdd, first document number] per publication date, oldest first (date ranges)
  search/t2s.txt          "繁简繁简…": the traditional characters whose simplified form is indexed, for the browser
                          to read queries as xxgk.search.tokens.normalize does (xxgk.hanzi)
  search/d/<n>.json       what a result shows: title, 索引号, 文号, 发布机构, date, category, url and the first
                          LEAD characters of the body text; search/d/<n>-<k>.txt holds the k-th further
                          piece of SEGMENT characters (fetched only when a match lies there)
(varint = unsigned LEB128.)
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import re
import shutil
import sys
import tempfile
import zlib
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import compress, count, groupby, repeat
from operator import add, and_, attrgetter, rshift
from pathlib import Path
from typing import BinaryIO

from .. import hanzi, workers
from ..identifiers import normalize_doc_no
from ..model import Document
from ..urls import document_path
from .text import searchable_text
from .tokens import HAN, HAN_CHAR, HAN_RUN, normalize

FORMAT = 3  # 2: 文种/有效性 bitmaps, dates.json and t2s.txt; 3: numbered oldest first
BODY_AT = 1024  # offset of the text after the title; titles are indexed up to BODY_AT - 1 characters
LEAD = 1000  # characters of body text in a result's own file, for its snippet
SEGMENT = 2000  # characters of body text per further piece
PAGE_SIZE = 10
BIG_TERM = 8192  # bytes: postings at least this large get a file of their own
SHARD_TARGET = 8192  # bytes: the average size of a bucket of small terms
ID_BUCKET_KEYS = 64  # lookup keys per bucket on average
MAX_TF = 127
PARALLEL_FROM = 500  # documents: fewer are indexed in this process
PARTITION_TARGET = 1 << 20  # bytes: the average postings of a partition, about what the joining process holds
POSTINGS_PER_CHARACTER = 5  # bytes of postings per character of indexed text, roughly (4.7 in bench/corpus.py's)

# The slots of Han runs joined by a separator: one item per character, the slot (up to three characters of
# the run from there) or "" at a separator; so an item's index is its offset in the joined runs.
_SLOTS = re.compile("\x01|(?=([^\x01]{1,3}))")
_WORD = re.compile(r"[0-9a-z]+")
_RUN = re.compile(f"([{HAN}]+)|([0-9a-z]+)")  # as xxgk.search.tokens splits text


# ---- small encodings ----


def varint(n: int) -> bytes:
    out = bytearray()
    while n >= 128:
        out.append(n & 127 | 128)
        n >>= 7
    out.append(n)
    return bytes(out)


def read_varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 127) << shift
        if byte < 128:
            return value, at
        shift += 7


def _pack(values: array, width: int) -> bytes:
    """Unsigned 64-bit values as width-byte little-endian integers."""
    if sys.byteorder == "big":
        values = array("Q", values)
        values.byteswap()
    raw = values.tobytes()
    out = bytearray(len(values) * width)
    for k in range(width):
        out[k::width] = raw[k::8]
    return bytes(out)


def _unpack(data: bytes, width: int) -> list[int]:
    return [int.from_bytes(data[i : i + width], "little") for i in range(0, len(data), width)]


def _bytes_for(bits: int) -> int:
    return max(1, -(-bits // 8))


def bucket_of(key: str, buckets: int) -> int:
    """The bucket of a term or lookup key: CRC-32 of its UTF-8 bytes modulo the (power of two) bucket count."""
    return zlib.crc32(key.encode("utf-8")) & (buckets - 1)


def lookup_key(text: str) -> str:
    """The exact-lookup form of an 索引号 or 文号: NFKC, no spaces, the year in 〔〕, upper case."""
    return normalize_doc_no(text).upper()


def _power_of_two(n: float) -> int:
    size = 1
    while size < n:
        size *= 2
    return size


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


# ---- postings ----


class Layout:
    """How postings are packed for one index: widths follow the number of documents and the longest text."""

    def __init__(self, documents: int, longest: int):
        doc_bits = max(1, (documents - 1).bit_length())
        # NFKC rarely lengthens text; the rest of a document beyond the limit (if ever) is not indexed.
        self.offset_bits = (BODY_AT + 2 * longest + 16).bit_length()
        self.rest_limit = (1 << self.offset_bits) - BODY_AT
        self.slot_width = _bytes_for(doc_bits + self.offset_bits)
        self.doc_width = _bytes_for(doc_bits)


def invert(layout: Layout, items: list[tuple[int, str, str]]) -> list[dict[str, bytes | tuple[bytes, bytes]]]:
    """Postings of a run of consecutive documents (number, title, rest): {term: trigram entries, or the
    documents and codes of a bigram, character or word}. Runs in worker processes."""
    slots, words, titles = _recorded(layout, items)
    out = {
        word: _pairs(list(map(rshift, entries, repeat(8))), bytes(map(and_, entries, repeat(255))), layout)
        for word, entries in words.items()
    }
    out.update(_derived(slots, titles, layout))
    return [out]


def _recorded(layout: Layout, items: list[tuple[int, str, str]]) -> tuple[defaultdict, defaultdict, defaultdict]:
    """One pass over each document: its slots with their offsets, its words with codes, its title's terms."""
    shift = layout.offset_bits
    slots: defaultdict = defaultdict(partial(array, "Q"))  # slot -> doc << shift | offset
    words: defaultdict = defaultdict(partial(array, "Q"))  # word -> doc << 8 | code
    titles: defaultdict = defaultdict(set)  # character or bigram -> documents with it in the title
    for number, raw_title, raw_rest in items:
        title, rest = normalize(raw_title)[: BODY_AT - 1], normalize(raw_rest)[: layout.rest_limit]
        counts = Counter(_WORD.findall(title))
        in_title = set(counts)
        counts.update(_WORD.findall(rest))
        codes = map(
            add, map(_CODES.__getitem__, map(min, counts.values(), repeat(MAX_TF))), map(in_title.__contains__, counts)
        )
        deque(map(array.append, map(words.__getitem__, counts), map(add, repeat(number << 8), codes)), 0)
        title_slots = _slots(title)
        for found, offsets in ((title_slots, count(number << shift)), (_slots(rest), count(number << shift | BODY_AT))):
            # Run breaks ("") keep their offsets but are not recorded.
            deque(map(array.append, map(slots.__getitem__, compress(found, found)), compress(offsets, found)), 0)
        for term in {*(s[:2] for s in title_slots if len(s) > 1), *HAN_CHAR.findall(title)}:
            titles[term].add(number)
    return slots, words, titles


def _derived(slots: defaultdict, titles: defaultdict, layout: Layout) -> Iterable[tuple[str, bytes | tuple]]:
    """Trigram postings as recorded; bigrams and characters from the slots they start, counted in bulk."""
    by_bigram: defaultdict = defaultdict(list)
    by_char: defaultdict = defaultdict(list)
    for term, entries in slots.items():
        if len(term) == 3:
            yield term, _pack(entries, layout.slot_width)
        if len(term) > 1:
            by_bigram[term[:2]].append(entries)
        else:
            by_char[term].append(map(rshift, entries, repeat(layout.offset_bits)))
    for bigram, sources in by_bigram.items():
        tf: Counter = Counter()
        for entries in sources:
            tf.update(map(rshift, entries, repeat(layout.offset_bits)))
        docs = sorted(tf)
        by_char[bigram[0]].append(docs)
        codes = bytearray(map(_CODES.get, map(tf.__getitem__, docs), repeat(2 * MAX_TF)))
        yield bigram, _pairs(docs, _flag_titles(codes, docs, titles.get(bigram)), layout)
    for char, sources in by_char.items():
        docs = sorted(set().union(*sources))
        yield char, _pairs(docs, _flag_titles(bytearray(b"\2") * len(docs), docs, titles.get(char)), layout)


_CODES = {tf: 2 * tf for tf in range(MAX_TF + 1)}


def _slots(text: str) -> list[str]:
    """The slots of normalised text. Offsets count Han characters plus one per break between runs, so two
    runs never touch, and an offset is never more than the character's offset in the text."""
    return _SLOTS.findall("\x01".join(HAN_RUN.findall(text)))


def _flag_titles(codes: bytearray, docs: list[int], in_title: set[int] | None) -> bytes:
    for doc in in_title or ():
        codes[bisect_left(docs, doc)] |= 1
    return bytes(codes)


def _pairs(docs: list[int], codes: bytes, layout: Layout) -> tuple[bytes, bytes]:
    """The documents (doc_width bytes each) and one code byte per document; joined by static_index."""
    return _pack(array("Q", docs), layout.doc_width), codes


# ---- the files ----


def static_index(documents: Sequence[Document], parallel: bool = True) -> list[tuple[str, bytes]]:
    """Every file of the static search index as (site path, bytes), in path order; the same bytes every time.

    With parallel, the postings of chunks of documents are built in worker processes (xxgk.workers).
    """
    return in_memory(documents, parallel)[0]


META = "search/meta.json"
# Takes a file of the index (site path, bytes) to keep or write, and returns its SHA-256 (hex) and size.
Writer = Callable[[str, bytes], tuple[str, int]]
SPILL_PREFIX = "xxgk-search-spill-"  # the name of every folder of spilled postings starts so (see remove_spills)


@dataclass(frozen=True, slots=True)
class Built:
    """What an update in place of a whole static index needs to know about it."""

    made: dict[str, tuple[str, int]]  # site path -> (SHA-256, size) of every file, in path order, META last
    layout: Layout
    small: int  # bytes of postings kept inside bucket files: what sets term_buckets
    term_buckets: int
    characters: frozenset[str]  # the one-character terms


def in_memory(
    documents: Sequence[Document], parallel: bool = True, spill_in: Path | None = None
) -> tuple[list[tuple[str, bytes]], Built]:
    """built(documents) with its files kept: (site path, bytes) in path order, META last; and the index's figures."""
    files: list[tuple[str, bytes]] = []

    def keep(path: str, data: bytes) -> tuple[str, int]:
        files.append((path, data))
        return hashlib.sha256(data).hexdigest(), len(data)

    index = built(documents, keep, parallel, spill_in)
    return sorted(files[:-1]) + files[-1:], index


def built(documents: Sequence[Document], write: Writer, parallel: bool = True, spill_in: Path | None = None) -> Built:
    """The files of static_index(documents), each handed to write() as soon as it is made (META last, as it holds a
    hash of the others), so that they are never all in memory at once; and the index's figures.

    The postings of each chunk of documents go to a file, partitioned by term (spilled), and are joined one
    partition of every chunk at a time: this process never holds the postings of the whole index. The files are in
    a new folder (SPILL_PREFIX…) inside spill_in, made if missing, removed with them once the term files are
    written: a build passes a folder of its own derived data on disk (see remove_spills for what a killed one
    leaves). Without spill_in the folder is made in the system temp folder, which may be held in memory (tmpfs):
    for callers that index few documents (tests, in-process checks).
    """
    docs = numbered(documents)
    # Each text is made again where it is inverted: the texts of all documents are not kept here.
    lengths = [len(searchable_text(doc)) for doc in docs]
    layout = Layout(len(docs), max(lengths, default=0))
    made: dict[str, tuple[str, int]] = {}

    def made_and_written(files: Iterable[tuple[str, bytes]]) -> None:
        for path, data in files:
            made[path] = write(path, data)

    with _spill_folder(spill_in) as folder:
        job = (layout, folder, partitions_for(sum(lengths)))
        small, term_buckets, characters = _term_files(docs, job, made_and_written, parallel)
    made_and_written(doc_files(enumerate(docs)))
    digests = [(path, bytes.fromhex(digest)) for path, (digest, _) in made.items()]
    made_and_written(derived_files(docs, characters, term_buckets, layout, digests))
    order = [*sorted(path for path in made if path != META), META]
    return Built({path: made[path] for path in order}, layout, small, term_buckets, characters)


def remove_spills(folder: Path) -> None:
    """Remove the folders of spilled postings (SPILL_PREFIX…) in folder: what builds killed while indexing left.
    Only for a caller that no other build can run beside (one holding the output folder's lock)."""
    for left in folder.glob(f"{SPILL_PREFIX}*"):
        shutil.rmtree(left, ignore_errors=True)


@contextmanager
def _spill_folder(spill_in: Path | None) -> Iterator[str]:
    """A new folder inside spill_in (or the system temp folder), removed with its files on leaving."""
    if spill_in is not None:
        spill_in.mkdir(parents=True, exist_ok=True)
    # mkdtemp: a name no other process uses, and a folder only this user can open (see spilled).
    folder = tempfile.mkdtemp(prefix=SPILL_PREFIX, dir=spill_in)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _term_files(
    docs: list[Document],
    job: tuple[Layout, str, int],
    written: Callable[[Iterable[tuple[str, bytes]]], None],
    parallel: bool,
) -> tuple[int, int, frozenset[str]]:
    """Hand the files of every term bucket to written(), from postings spilled as job says (see spilled); returns
    the bytes of small postings, the number of term buckets and the one-character terms."""
    layout, _, partitions = job
    with workers.paused_gc():
        spills = workers.map_chunks(
            spilled, job, list(enumerate(docs)), parallel_from=PARALLEL_FROM if parallel else len(docs) + 1
        )
    with ExitStack() as stack:
        chunks = [(stack.enter_context(open(path, "rb")), offsets) for path, offsets in spills]
        small, characters = _figures(chunks, partitions, layout)
        term_buckets = term_buckets_for(small)
        for b, shard in _shards(chunks, partitions, term_buckets, layout):
            written(bucket_files(b, shard))
    return small, term_buckets, characters


def numbered(documents: Iterable[Document]) -> list[Document]:
    """The documents in the order of their numbers in the index: oldest first."""
    return sorted(documents, key=Document.sort_key, reverse=True)


def partitions_for(characters: int) -> int:
    """How many partitions (a power of two) the postings of each chunk are spilled in, for this much text in all."""
    # Only memory and the number of reads depend on it, never the bytes. The joining process holds the postings of
    # one partition at a time, about PARTITION_TARGET bytes however large the index, or of one bucket when there are
    # fewer buckets than partitions (a bucket's files are made from all its postings at once anyway); and it reads
    # each chunk's file in that many pieces, twice.
    return _power_of_two(characters * POSTINGS_PER_CHARACTER / PARTITION_TARGET)


def term_buckets_for(small: int) -> int:
    """How many term buckets hold small postings of this many bytes in all."""
    return _power_of_two(small / SHARD_TARGET)


# The files derived_files makes (site path prefixes): an update in place makes them all again.
DERIVED = ("search/id/", "search/f/", "search/dates.json", "search/t2s.txt", "search/meta.json")


def derived_files(
    docs: list[Document],
    characters: Iterable[str],
    term_buckets: int,
    layout: Layout,
    digests: Iterable[tuple[str, bytes]],
    id_buckets: int | None = None,
) -> list[tuple[str, bytes]]:
    """The files made from the documents' fields alone (lookups, filters, dates), t2s.txt and, last, meta.json,
    given the (site path, SHA-256) of the term and document files. With id_buckets, the lookup files are not made:
    the caller keeps those of an index with the same lookup keys (and that many buckets), and digests has them."""
    lookups, id_buckets = _id_files(docs) if id_buckets is None else ([], id_buckets)
    facets, facet_files = _facet_files(docs)
    files = [*lookups, *facet_files, ("search/t2s.txt", hanzi.browser_table(characters).encode("utf-8"))]
    digest = hashlib.sha256()
    for path, data in sorted([*digests, *((path, hashlib.sha256(data).digest()) for path, data in files)]):
        digest.update(path.encode("utf-8") + b"\0" + data)
    meta = {
        "format": FORMAT,
        "hash": digest.hexdigest()[:16],
        "documents": len(docs),
        "term_buckets": term_buckets,
        "id_buckets": id_buckets,
        "body_at": BODY_AT,
        "lead": LEAD,
        "segment": SEGMENT,
        "page_size": PAGE_SIZE,
        "offset_bits": layout.offset_bits,
        "slot_width": layout.slot_width,
        "doc_width": layout.doc_width,
        **facets,
    }
    return [*files, (META, _json(meta))]


# Every Document field static_index reads (year comes from published): keep in step with the code above.
INPUTS = (
    "title",
    "body_text",
    "summary",
    "keywords",
    "index_no",
    "doc_no",
    "publisher",
    "category",
    "genre",
    "validity",
    "published",
    "path",
)


# A chunk's spilled postings as the joining process reads them: its file, open, and where each partition starts
# (and, last, where the file ends).
Chunk = tuple[BinaryIO, array]


def spilled(job: tuple[Layout, str, int], run: list[tuple[int, Document]]) -> list[tuple[str, array]]:
    """Postings of a run of consecutive documents with their numbers, as invert() makes them, written to a new file
    in the folder (job: layout, folder, partitions) one partition after another, partition p holding the terms t
    with bucket_of(t, partitions) == p as a marshalled {term: postings}: (the file's path, where each partition
    starts and, last, where the file ends). Runs in worker processes."""
    layout, folder, partitions = job
    items = [(n, doc.title, searchable_text(doc)) for n, doc in run]
    grouped: list[dict] = [{} for _ in range(partitions)]
    for term, data in invert(layout, items)[0].items():
        grouped[bucket_of(term, partitions)][term] = data
    offsets = array("Q", [0])
    # marshal is quick with str, bytes and tuples, and safe to read back here: this interpreter wrote the file, in a
    # folder that only this user can open (mkdtemp).
    handle, path = tempfile.mkstemp(suffix=".bin", dir=folder)
    with os.fdopen(handle, "wb") as file:
        for group in grouped:
            offsets.append(offsets[-1] + file.write(marshal.dumps(group)))
    return [(path, offsets)]


def _figures(chunks: list[Chunk], partitions: int, layout: Layout) -> tuple[int, frozenset[str]]:
    """The bytes of small postings and the one-character terms of the whole index, a partition at a time."""
    small, characters = 0, set()
    for p in range(partitions):
        for term, pieces in _parts(chunks, [p]):
            size = _joined_size(pieces, layout)  # the sizes alone: the postings are joined once, by _shards
            if size < BIG_TERM:
                small += size
            if len(term) == 1:
                characters.add(term)
    return small, frozenset(characters)


def _shards(
    chunks: list[Chunk], partitions: int, buckets: int, layout: Layout
) -> Iterator[tuple[int, list[tuple[str, bytes]]]]:
    """(bucket, its (term, postings) in term order) of every bucket; the postings of only a few buckets are loaded
    at a time, those whose terms share partitions, once the caller has taken the previous ones."""
    # bucket_of masks the CRC-32, and both counts are powers of two: the terms whose CRC-32 ends in g (its low
    # bits, as many as the smaller count has) are the partitions g, g + groups, … and the buckets g, g + groups, …
    groups = min(partitions, buckets)
    for g in range(groups):
        grouped: defaultdict = defaultdict(list)
        for term, pieces in _parts(chunks, range(g, partitions, groups)):
            grouped[bucket_of(term, buckets)].append((term, _joined(pieces, layout)))
        for b in range(g, buckets, groups):
            yield b, grouped.pop(b, [])


def _parts(chunks: list[Chunk], members: Iterable[int]) -> Iterator[tuple[str, list]]:
    """Each term's parts from the given partitions of all chunks, in term order and, for each term, in chunk order:
    chunks hold consecutive documents in order, so parts concatenate (_joined). Each is let go once taken."""
    parts: defaultdict = defaultdict(list)
    for file, offsets in chunks:
        for p in members:
            file.seek(offsets[p])
            for term, part in marshal.loads(file.read(offsets[p + 1] - offsets[p])).items():
                parts[term].append(part)
    for term in sorted(parts):
        yield term, parts.pop(term)


def _joined(pieces: list, layout: Layout) -> bytes:
    """A term's postings from its parts in document order (trigram entries, or the documents and codes of pairs)."""
    if isinstance(pieces[0], bytes):
        return b"".join(pieces)
    docs = b"".join(p[0] for p in pieces)
    return varint(len(docs) // layout.doc_width) + docs + b"".join(p[1] for p in pieces)


def _joined_size(pieces: list, layout: Layout) -> int:
    """len(_joined(pieces, layout)), without joining them."""
    if isinstance(pieces[0], bytes):
        return sum(map(len, pieces))
    docs = sum(len(p[0]) for p in pieces)
    return len(varint(docs // layout.doc_width)) + docs + sum(len(p[1]) for p in pieces)


def bucket_files(b: int, shard: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files of term bucket b from its (term, postings) pairs in term order: its large terms' files, then its
    own."""
    files, records, big = [], [], 0
    for term, data in shard:
        key = term.encode("utf-8")
        records.append(varint(len(key)) + key)
        if len(data) < BIG_TERM:
            records.append(b"\0" + varint(len(data)) + data)
        else:
            big += 1
            records.append(varint(big))
            files.append((f"search/t/{b:x}-{big - 1}.bin", data))
    return [*files, (f"search/t/{b:x}.bin", b"".join(records))]


def bucket_records(shard: bytes) -> Iterator[tuple[str, int, bytes]]:
    """(term, tag, postings) of each record in a bucket file; a large term (tag k > 0) has its postings in
    search/t/<b>-<k-1>.bin, and b"" here."""
    at = 0
    while at < len(shard):
        length, at = read_varint(shard, at)
        key, at = shard[at : at + length].decode("utf-8"), at + length
        tag, at = read_varint(shard, at)
        data = b""
        if not tag:
            length, at = read_varint(shard, at)
            data, at = shard[at : at + length], at + length
        yield key, tag, data


def lookup_keys(index_no: str, doc_no: str) -> list[str]:
    """The lookup keys of a document with this 索引号 and 文号, in order."""
    return sorted({lookup_key(index_no), lookup_key(doc_no)} - {""})


def _id_files(docs: list[Document]) -> tuple[list[tuple[str, bytes]], int]:
    keys: dict[str, list[int]] = defaultdict(list)
    for number, doc in enumerate(docs):
        for value in lookup_keys(doc.index_no, doc.doc_no):
            keys[value].append(number)
    buckets = _power_of_two(len(keys) / ID_BUCKET_KEYS)
    grouped: list[dict[str, list[int]]] = [{} for _ in range(buckets)]
    for key, numbers in keys.items():
        grouped[bucket_of(key, buckets)][key] = numbers
    return [(f"search/id/{b:x}.json", _json(group)) for b, group in enumerate(grouped)], buckets


def _bitmap(numbers: Iterable[int], total: int) -> bytes:
    """A bitmap of total bits with bit n (in byte n >> 3, lowest bit first) set for each n of numbers."""
    # One ASCII digit per document, read as a binary number whose lowest digit is document 0: C-level calls only.
    digits = bytearray(b"0") * total
    deque(map(digits.__setitem__, numbers, repeat(ord("1"))), 0)
    digits.reverse()
    return int(digits or b"0", 2).to_bytes((total + 7) // 8, "little")


# The filters with a bitmap per value: meta.json name, file prefix, the value of a document.
_FACETS = (
    ("publishers", "p", lambda d: d.publisher),
    ("categories", "c", lambda d: d.category.partition("\\")[0]),
    ("genres", "g", lambda d: d.genre),
    ("validities", "v", lambda d: d.validity),
)


def _facet_files(docs: list[Document]) -> tuple[dict, list[tuple[str, bytes]]]:
    facets, files = {}, []
    for name, prefix, value in _FACETS:
        groups: defaultdict[str, list[int]] = defaultdict(list)
        deque(map(list.append, map(groups.__getitem__, map(value, docs)), count()), 0)
        groups.pop("", None)  # a document without the value is in no group
        ordered = sorted(groups, key=lambda v: (-len(groups[v]), v))
        facets[name] = [{"name": v, "count": len(groups[v])} for v in ordered]
        files += [(f"search/f/{prefix}{i}.bin", _bitmap(groups[v], len(docs))) for i, v in enumerate(ordered)]
    runs = _runs(map(attrgetter("published"), docs))  # oldest first, so each date, and each year, is one run
    starts: dict[int, int] = {}  # year -> the number of its first document
    for day, first in runs:
        starts.setdefault(day.year, first)
    bounds = [*starts.values(), len(docs)]
    facets["years"] = [
        {"year": y, "first": bounds[i], "end": bounds[i + 1]} for i, y in reversed(list(enumerate(starts)))
    ]
    dates = [[day.year * 10000 + day.month * 100 + day.day, first] for day, first in runs]
    return facets, [*files, ("search/dates.json", _json(dates))]


def _runs(values: Iterable) -> list[tuple[object, int]]:
    """(value, index of its first item) of each run of equal consecutive values."""
    runs, first = [], 0
    for value, same in groupby(values):
        runs.append((value, first))
        first += sum(1 for _ in same)
    return runs


def date_span(runs: list[list[int]], total: int, start: str, end: str) -> range:
    """The document numbers published from start to end (YYYY-MM-DD, either may be empty), given _date_runs."""
    low = int(start.replace("-", "")) if start else 0
    high = int(end.replace("-", "")) if end else 99999999
    inside = [k for k, (day, _) in enumerate(runs) if low <= day <= high]
    if not inside:
        return range(0)
    after = inside[-1] + 1
    return range(runs[inside[0]][1], runs[after][1] if after < len(runs) else total)


def doc_files(numbered: Iterable[tuple[int, Document]]) -> Iterator[tuple[str, bytes]]:
    """The result files (search/d/) of documents with their numbers, made one document at a time."""
    for number, doc in numbered:
        text = doc.body_text
        pieces = [text[i : i + SEGMENT] for i in range(LEAD, len(text), SEGMENT)]
        shown = {
            "title": doc.title,
            "index_no": doc.index_no,
            "doc_no": doc.doc_no,
            "publisher": doc.publisher,
            "published": doc.published.isoformat(),
            "category": doc.category,
            "validity": doc.validity,
            "url": getattr(doc, "path", "") or document_path(doc.index_no),
            "text": text[:LEAD],
            "pieces": len(pieces),
        }
        if doc.summary and doc.summary not in text[:LEAD]:
            shown["summary"] = doc.summary
        yield f"search/d/{number}.json", _json(shown)
        yield from ((f"search/d/{number}-{k + 1}.txt", piece.encode("utf-8")) for k, piece in enumerate(pieces))


# ---- reading: the browser's algorithm, in Python ----


def query_parts(query: str) -> list[str]:
    """The parts of a query, each of which a result must contain: Han runs (as substrings) and words."""
    parts: list[str] = []
    for match in _RUN.finditer(normalize(query)):
        if match.group() not in parts:
            parts.append(match.group())
    return parts


def cover(run: str) -> list[int]:
    """Offsets of the trigrams that cover a Han run of three or more characters: 0, 3, 6, … and len - 3."""
    return sorted({*range(0, len(run) - 2, 3), len(run) - 3})


@dataclass(frozen=True, slots=True)
class Hit:
    """One document a query found: how many query parts are in its title, and how often the parts occur."""

    doc: int
    exact: bool
    title_parts: int
    tf: int

    def rank(self) -> tuple:
        return (not self.exact, -self.title_parts, -self.tf, -self.doc)


class StaticReader:
    """Queries the files of static_index like static/js/search.js, recording each file it fetches."""

    def __init__(self, files: Mapping[str, bytes]):
        self.files = files
        self.fetched: list[str] = []
        self.meta = json.loads(self.fetch("search/meta.json"))

    def fetch(self, path: str) -> bytes:
        if path not in self.fetched:
            self.fetched.append(path)
        return self.files[path]

    def search(
        self,
        query: str,
        publisher: str = "",
        category: str = "",
        year: int | None = None,
        genre: str = "",
        validity: str = "",
        start: str = "",
        end: str = "",
        by_date: bool = False,
    ) -> list[Hit]:
        """Every document matching the query and filters, best first (newest first with by_date).

        start and end bound the publication date (YYYY-MM-DD, inclusive)."""
        found: dict[int, list[tuple[int, bool]]] | None = None
        for part in query_parts(query):
            matches = self._part(part)
            found = (
                {d: [*found[d], m] for d, m in matches.items() if d in found}
                if found is not None
                else {d: [m] for d, m in matches.items()}
            )
        exact = set(self._exact(query))
        values = {"publishers": publisher, "categories": category, "genres": genre, "validities": validity}
        allowed = self._filter(values, year, start, end)
        if found is None:
            filtered = any(values.values()) or year or start or end
            found = {} if exact or not filtered else {d: [] for d in allowed}
        for doc in exact:
            found.setdefault(doc, [])
        hits = [
            Hit(d, d in exact, sum(t for _, t in m), sum(f for f, _ in m)) for d, m in found.items() if d in allowed
        ]
        return sorted(hits, key=lambda hit: -hit.doc if by_date else hit.rank())

    def show(self, hits: list[Hit], page: int = 1) -> list[dict]:
        """The metadata of one page of results, as the browser fetches it."""
        size = self.meta["page_size"]
        return [json.loads(self.fetch(f"search/d/{h.doc}.json")) for h in hits[(page - 1) * size : page * size]]

    def postings(self, term: str) -> bytes | None:
        bucket = bucket_of(term, self.meta["term_buckets"])
        for key, tag, data in bucket_records(self.fetch(f"search/t/{bucket:x}.bin")):
            if key == term:
                return self.fetch(f"search/t/{bucket:x}-{tag - 1}.bin") if tag else data
        return None

    def _pairs(self, term: str) -> dict[int, tuple[int, bool]]:
        data = self.postings(term)
        if data is None:
            return {}
        df, at = read_varint(data, 0)
        docs = _unpack(data[at : at + df * self.meta["doc_width"]], self.meta["doc_width"])
        codes = data[at + df * self.meta["doc_width"] :]
        return {d: (c >> 1, bool(c & 1)) for d, c in zip(docs, codes, strict=True)}

    def _offsets(self, term: str) -> dict[int, set[int]]:
        shift = self.meta["offset_bits"]
        found: dict[int, set[int]] = defaultdict(set)
        for entry in _unpack(self.postings(term) or b"", self.meta["slot_width"]):
            found[entry >> shift].add(entry & ((1 << shift) - 1))
        return found

    def _part(self, part: str) -> dict[int, tuple[int, bool]]:
        """doc -> (how often the part occurs, whether in the title)."""
        if len(part) < 3 or not HAN_CHAR.match(part):
            return self._pairs(part)
        trigrams = [(k, self._offsets(part[k : k + 3])) for k in cover(part)]
        found = {}
        for doc, starts in trigrams[0][1].items():
            if all(doc in offsets for _, offsets in trigrams):
                at = [o for o in starts if all(o + k in offsets[doc] for k, offsets in trigrams)]
                if at:
                    found[doc] = (len(at), min(at) < self.meta["body_at"])
        return found

    def _exact(self, query: str) -> list[int]:
        key = lookup_key(query.strip())
        if not any(c.isdigit() for c in key):
            return []
        bucket = bucket_of(key, self.meta["id_buckets"])
        return json.loads(self.fetch(f"search/id/{bucket:x}.json")).get(key, [])

    def _filter(self, values: dict[str, str], year: int | None, start: str, end: str) -> set[int]:
        allowed = set(range(self.meta["documents"]))
        for name, prefix, _ in _FACETS:
            if values[name]:
                index = next((i for i, v in enumerate(self.meta[name]) if v["name"] == values[name]), None)
                bitmap = self.fetch(f"search/f/{prefix}{index}.bin") if index is not None else b""
                allowed &= {n for n in allowed if n >> 3 < len(bitmap) and bitmap[n >> 3] >> (n & 7) & 1}
        if year:
            span = next((y for y in self.meta["years"] if y["year"] == year), {"first": 0, "end": 0})
            allowed &= set(range(span["first"], span["end"]))
        if start or end:
            allowed &= set(date_span(json.loads(self.fetch("search/dates.json")), self.meta["documents"], start, end))
        return allowed
