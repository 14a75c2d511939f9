"""The static search index: files under search/ that a browser queries with no server behind it.

`static_index(documents)` returns (site path, bytes) pairs; `StaticReader` answers a query from those files
exactly the way static/js/search.js does, so tests and the benchmark can check results and bytes per query
without a browser.

Text is normalised and split as xxgk.tokens does (NFKC, lower case; Han runs and ASCII/digit runs). What is
stored per document (number n, newest first, so a smaller n is newer):

- Han characters: every character (one-character queries), every bigram (two-character queries) and every
  trigram with its character offsets. A query run of k >= 3 Han characters matches where trigrams cover it at
  consecutive offsets, so results are exactly the documents containing the run (a substring match, the same
  documents a phrase of the tokenizer's overlapping bigrams finds);
- ASCII/digit runs as whole words, as the tokenizer keeps them;
- the title and the rest (text, summary, keywords, 索引号, 文号) in one offset space: title offsets start at 0,
  the rest at BODY_AT, so a hit below BODY_AT is a title hit.

Files (binary numbers are unsigned LEB128 varints):
  search/meta.json          format, counts, bucket counts, facet values, year ranges, content hash
  search/t/<b>.bin          terms whose CRC-32 (of the UTF-8 term) modulo term_buckets is b: a sequence of
                            varint(key length) key varint(tag); tag 0: varint(length) postings inline;
                            tag k > 0: the postings are in search/t/<b>-<k-1>.bin (large terms)
                            postings, characters/bigrams/words: varint(df) df*varint(doc delta) df*byte(code),
                              code = min(tf, 63) * 2 + (1 if in the title)
                            postings, trigrams: varint(df) df*varint(doc delta) df*varint(count)
                              then per document count offsets (first absolute, then deltas)
  search/id/<b>.json        {normalised 索引号 or 文号: [doc numbers]} for exact lookups, by CRC-32 of the key
  search/f/p<i>.bin, c<i>.bin  documents of the i-th 发布机构 / 主题分类 in meta.json: byte 0 then a varint
                            count and doc deltas, or byte 1 then a bitmap (bit n of byte n >> 3, low bit first)
  search/d/<n>.json         what a result shows: title, 索引号, 文号, 发布机构, dates, category, url and the
                            first SEGMENT characters of the text; search/d/<n>-<k>.txt the k-th further piece
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Sequence
from functools import partial
from itertools import accumulate, count, repeat
from operator import add, and_, mul, rshift, sub

from .identifiers import normalize_doc_no
from .model import Document
from .tokens import normalize
from .urls import document_path

FORMAT = 1
BODY_AT = 1024  # offset where the text after the title starts; titles are indexed up to BODY_AT - 1 characters
SEGMENT = 1500  # characters of text per snippet piece
PAGE_SIZE = 10
BIG_TERM = 2048  # bytes: postings at least this large get a file of their own
SHARD_TARGET = 4096  # bytes: the average size of a bucket of small terms
ID_BUCKET_KEYS = 64  # exact-lookup keys per bucket on average
MAX_CODE_TF = 63

_WORD = re.compile(r"[0-9a-z]+")
_VARINT = [bytes([n]) if n < 128 else bytes([n & 127 | 128, n >> 7]) for n in range(1 << 14)]


# ---- numbers and files ----

def _varint(n: int) -> bytes:
    out = bytearray()
    while n >= 128:
        out.append(n & 127 | 128)
        n >>= 7
    out.append(n)
    return bytes(out)


def _varints(numbers: list[int]) -> bytes:
    if not numbers:
        return b""
    if max(numbers) < len(_VARINT):
        return b"".join(map(_VARINT.__getitem__, numbers))
    return b"".join(map(_varint, numbers))


def _deltas(numbers: list[int]) -> list[int]:
    """numbers[0], then each number minus the one before."""
    return list(map(sub, numbers, [0, *numbers[:-1]]))


def bucket_of(key: str, buckets: int) -> int:
    """The bucket of a term or lookup key: CRC-32 of its UTF-8 bytes modulo the (power of two) bucket count."""
    return zlib.crc32(key.encode("utf-8")) & (buckets - 1)


def _power_of_two(n: float) -> int:
    size = 1
    while size < n:
        size *= 2
    return size


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def lookup_key(text: str) -> str:
    """The exact-lookup form of an 索引号 or 文号: NFKC, no spaces, the year in 〔〕, upper case."""
    return normalize_doc_no(text).upper()


# ---- inversion ----

_H = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # the Han ranges of xxgk.tokens
# One item per character: at a Han character the trigram starting there, or the bigram or character left
# before its run ends; "" at any other character. So an item's index is its character offset.
_SLOTS = re.compile(f"(?=([{_H}](?:[{_H}](?:[{_H}]|(?![{_H}]))|(?![{_H}]))))|[^{_H}]")
_HAN_CHAR = re.compile(f"[{_H}]")


class _Postings:
    """What the documents contain: one pass per document records its slots, the rest is done in bulk.

    Per document only the slots are recorded (slot -> doc << 32 | offset). Bigrams and characters are
    derived when encoding: each occurrence of a bigram or a character starts exactly one slot.
    """

    def __init__(self) -> None:
        self.slots: defaultdict = defaultdict(partial(array, "Q"))
        self.words: defaultdict = defaultdict(partial(array, "Q"))  # word -> doc << 7 | code
        self.titles: defaultdict = defaultdict(set)  # character or bigram -> docs with it in the title

    def add(self, number: int, title: str, rest: str) -> None:
        words = Counter(_WORD.findall(title))
        title_words = set(words)
        words.update(_WORD.findall(rest))
        codes = map(add, map(mul, map(min, words.values(), repeat(MAX_CODE_TF)), repeat(2)),
                    map(title_words.__contains__, words))
        deque(map(array.append, map(self.words.__getitem__, words), map(add, repeat(number << 7), codes)), 0)
        title_slots = _SLOTS.findall(title)
        deque(map(array.append, map(self.slots.__getitem__, title_slots), count(number << 32)), 0)
        deque(map(array.append, map(self.slots.__getitem__, _SLOTS.findall(rest)), count(number << 32 | BODY_AT)), 0)
        for term in {*(s[:2] for s in title_slots if len(s) > 1), *_HAN_CHAR.findall(title)}:
            self.titles[term].add(number)

    def encoded(self) -> Iterable[tuple[str, bytes]]:
        """(term, postings) of every trigram, bigram, character and word."""
        self.slots.pop("", None)
        by_bigram: defaultdict = defaultdict(list)
        by_char: defaultdict = defaultdict(list)
        for term, entries in self.slots.items():
            by_char[term[0]].append(entries)
            if len(term) > 1:
                by_bigram[term[:2]].append(entries)
            if len(term) == 3:
                yield term, _trigram_postings(entries)
        for grouped in (by_bigram, by_char):
            for term, sources in grouped.items():
                tf: Counter = Counter()
                for entries in sources:
                    tf.update(map(rshift, entries, repeat(32)))
                docs = sorted(tf)
                yield term, self._listed(term, docs, map(tf.__getitem__, docs))
        for word, entries in self.words.items():
            docs = list(map(rshift, entries, repeat(7)))
            yield word, _varint(len(docs)) + _varints(_deltas(docs)) + bytes(map(and_, entries, repeat(127)))

    def _listed(self, term: str, docs: list[int], tfs: Iterable[int]) -> bytes:
        codes = map(mul, map(min, tfs, repeat(MAX_CODE_TF)), repeat(2))
        in_title = self.titles.get(term)
        if in_title:
            codes = map(add, codes, map(in_title.__contains__, docs))
        return _varint(len(docs)) + _varints(_deltas(docs)) + bytes(codes)


def _trigram_postings(entries: array) -> bytes:
    """varint df, doc deltas, counts, then each document's slots (first absolute, then deltas)."""
    per_doc = Counter(map(rshift, entries, repeat(32)))
    docs, counts = list(per_doc), list(per_doc.values())
    slots = list(map(and_, entries, repeat(0xFFFFFFFF)))
    steps = _deltas(slots)
    starts = list(accumulate(counts[:-1], initial=0))
    deque(map(steps.__setitem__, starts, map(slots.__getitem__, starts)), 0)  # each document starts afresh
    return _varint(len(docs)) + _varints(_deltas(docs)) + _varints(counts) + _varints(steps)


def _rest_of(doc: Document) -> str:
    """The text indexed after the title: the body first, then summary, keywords, 索引号 and 文号."""
    return "\n".join([doc.body_text, doc.summary, " ".join(doc.keywords), doc.index_no, doc.doc_no])


# ---- the files ----

def static_index(documents: Sequence[Document]) -> list[tuple[str, bytes]]:
    """Every file of the static search index, as (site path, bytes), in path order; deterministic."""
    docs = sorted(documents, key=Document.sort_key)
    postings = _Postings()
    for number, doc in enumerate(docs):
        postings.add(number, normalize(doc.title)[:BODY_AT - 1], normalize(_rest_of(doc)))
    terms, term_buckets = _term_files(postings.encoded())
    lookups, id_buckets = _id_files(docs)
    facets, facet_files = _facet_files(docs)
    files = sorted([*terms, *lookups, *facet_files, *_doc_files(docs)])
    digest = hashlib.sha256()
    for path, data in files:
        digest.update(path.encode() + b"\0" + hashlib.sha256(data).digest())
    meta = {
        "format": FORMAT, "hash": digest.hexdigest()[:16], "documents": len(docs),
        "term_buckets": term_buckets, "id_buckets": id_buckets, "body_at": BODY_AT, "segment": SEGMENT,
        "page_size": PAGE_SIZE, **facets,
    }
    return [*files, ("search/meta.json", _json(meta))]


def _term_files(encoded: Iterable[tuple[str, bytes]]) -> tuple[list[tuple[str, bytes]], int]:
    terms = sorted(encoded)
    small = sum(len(data) for _, data in terms if len(data) < BIG_TERM)
    buckets = _power_of_two(small / SHARD_TARGET)
    shards: list[list[tuple[str, bytes]]] = [[] for _ in range(buckets)]
    for term, data in terms:
        shards[bucket_of(term, buckets)].append((term, data))
    files = []
    for b, shard in enumerate(shards):
        records, big = bytearray(), 0
        for term, data in shard:
            key = term.encode("utf-8")
            records += _varint(len(key)) + key
            if len(data) < BIG_TERM:
                records += b"\0" + _varint(len(data)) + data
            else:
                big += 1
                records += _varint(big)
                files.append((f"search/t/{b:x}-{big - 1}.bin", data))
        files.append((f"search/t/{b:x}.bin", bytes(records)))
    return files, buckets


def _id_files(docs: list[Document]) -> tuple[list[tuple[str, bytes]], int]:
    keys: dict[str, list[int]] = defaultdict(list)
    for number, doc in enumerate(docs):
        for value in {lookup_key(doc.index_no), lookup_key(doc.doc_no) if doc.doc_no else ""} - {""}:
            keys[value].append(number)
    buckets = _power_of_two(len(keys) / ID_BUCKET_KEYS)
    grouped: list[dict[str, list[int]]] = [{} for _ in range(buckets)]
    for key, numbers in keys.items():
        grouped[bucket_of(key, buckets)][key] = numbers
    return [(f"search/id/{b:x}.json", _json(group)) for b, group in enumerate(grouped)], buckets


def _doc_set(numbers: list[int], total: int) -> bytes:
    listed = _varint(len(numbers)) + _varints(_deltas(numbers))
    if len(listed) < (total + 7) // 8:
        return b"\0" + listed
    bitmap = bytearray((total + 7) // 8)
    for n in numbers:
        bitmap[n >> 3] |= 1 << (n & 7)
    return b"\1" + bytes(bitmap)


def _facet_files(docs: list[Document]) -> tuple[dict, list[tuple[str, bytes]]]:
    facets, files = {}, []
    for name, prefix, value in (("publishers", "p", lambda d: d.publisher),
                                ("categories", "c", lambda d: d.category.partition("\\")[0])):
        groups: dict[str, list[int]] = defaultdict(list)
        for number, doc in enumerate(docs):
            if value(doc):
                groups[value(doc)].append(number)
        ordered = sorted(groups, key=lambda v: (-len(groups[v]), v))
        facets[name] = [{"name": v, "count": len(groups[v])} for v in ordered]
        files += [(f"search/f/{prefix}{i}.bin", _doc_set(groups[v], len(docs))) for i, v in enumerate(ordered)]
    years: dict[int, list[int]] = {}
    for number, doc in enumerate(docs):  # newest first, so each year is one run of numbers
        years.setdefault(doc.year, [number, number])[1] = number + 1
    facets["years"] = [{"year": y, "first": first, "end": end} for y, (first, end) in years.items()]
    return facets, files


def _doc_files(docs: list[Document]) -> list[tuple[str, bytes]]:
    files = []
    for number, doc in enumerate(docs):
        text = doc.body_text
        pieces = [text[i:i + SEGMENT] for i in range(SEGMENT, len(text), SEGMENT)]
        shown = {
            "title": doc.title, "index_no": doc.index_no, "doc_no": doc.doc_no, "publisher": doc.publisher,
            "published": doc.published.isoformat(), "category": doc.category, "genre": doc.genre,
            "validity": doc.validity, "url": getattr(doc, "path", "") or document_path(doc.index_no),
            "text": text[:SEGMENT], "pieces": len(pieces),
        }
        if doc.summary and doc.summary not in text[:SEGMENT]:
            shown["summary"] = doc.summary
        files.append((f"search/d/{number}.json", _json(shown)))
        files += [(f"search/d/{number}-{k + 1}.txt", piece.encode("utf-8")) for k, piece in enumerate(pieces)]
    return files
