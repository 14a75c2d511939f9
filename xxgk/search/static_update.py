"""The static search index updated in place: when most documents keep their numbers, a change rewrites only the
files it touches, and the result has the same bytes as a full static_index() of the same documents.

`update(documents, previous, record)` takes the previous build's output folder and the record saved beside it
(by the pipeline) and returns the files to write, the files to keep from the previous build and the new record.

The record holds, per document number, a digest of every input of the index (static_index.INPUTS), a digest of
its body text, its title and the indexed text after its body (search.text.after_body); per index file its SHA-256
and size; and the figures that fix the index's shape (layout widths, term buckets and their total size, the
one-character terms). Documents are numbered oldest first, so an update is a patch when only a few numbers hold
another document than before: an edit of any field moves no document; a new document (the newest) takes the next
number, and removing the newest frees the last; a new date moves the documents between its old and new place.
Removing or adding an old document renumbers all newer ones, and then the index is built anew. For each changed
number:

- its old postings are worked out again from its old text (the body read back from its previous search/d/ files,
  checked against the record's digest; the rest from the record), its new ones from the document, and only the
  terms whose postings differ are changed, in place, in their buckets (a document's entries are one run in every
  posting list, so each changed document is one splice, checked to remove exactly what its old text put there);
- its search/d/ files are made again (or removed with the number).

The files made from the documents' fields alone (lookups, filter bitmaps, dates, t2s.txt and meta.json) are made
again in full: that costs little per document and no tokenising. Anything that does not fit (other layout widths
or bucket count, more than a few changed numbers, a record or a previous file that is missing or does not match
its digest) builds the index anew: an update is never wrong, at worst a full build.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath

from .. import records
from ..model import Document, document_digest
from ..records import Parsed
from .static_index import (
    BIG_TERM,
    DERIVED,
    FORMAT,
    INPUTS,
    Layout,
    Writer,
    bucket_files,
    bucket_of,
    bucket_records,
    built,
    derived_files,
    doc_files,
    in_memory,
    invert,
    lookup_keys,
    numbered,
    read_varint,
    term_buckets_for,
    varint,
)
from .text import after_body, searchable_text

RECORD_FORMAT = 4
# A patch costs about ten times as much per changed document as a full build per document (measured at 2,000
# documents), so beyond FEW numbers and a sixteenth of them a full build, on every core, is as quick.
FEW = 64

# What one document contributes to one term: trigram entries, or (document, code) of a bigram, character or word.
Contribution = bytes | tuple[bytes, bytes]


@dataclass(frozen=True, slots=True)
class Update:
    """The static index's files for this build: some to write and the rest to keep from the previous build."""

    files: list[tuple[str, bytes]]  # (site path, bytes) to write
    kept: dict[str, tuple[str, int]]  # site path -> (SHA-256, size) of files to link from the previous build
    # Makes the record to save for the next build once this one is published (a build's worker makes it while the
    # site is published); None: the saved one still holds.
    recorded: Callable[[], bytes] | None

    @property
    def record(self) -> bytes | None:
        """The record's bytes (see recorded)."""
        return None if self.recorded is None else self.recorded()


class _Stale(Exception):
    """The previous index cannot be patched into the new one: it is built anew."""


def update(
    documents: Sequence[Document],
    previous: Path | None,
    record: bytes | None,
    write: Writer | None = None,
    version: str = "",
    spill_in: Path | None = None,
    parsed: Parsed | None = None,
) -> Update:
    """The static index of documents, patched from the index in the previous output folder when its record fits.

    version names the code that makes the index (a record of other code is not used). When the index is built anew
    and write is given, each file goes to write() as soon as it is made (and Update.files holds none): the files of
    a whole index are never all in memory. A new index spills its postings in spill_in (see static_index.built).
    The record is parsed through parsed when given (see remember).
    """
    docs = numbered(documents)
    old = _usable(record, version, parsed) if previous is not None else None
    entries = _entries(docs, old["documents"] if old else [])
    key = hashlib.sha256(f"{FORMAT}:{RECORD_FORMAT}:".encode() + "".join(e[0] for e in entries).encode()).hexdigest()
    if previous is not None and old is not None:
        try:
            return _patched(docs, entries, key, _Previous(previous, old))
        except _Stale:
            pass
    files, index = in_memory(docs, spill_in=spill_in) if write is None else ([], built(docs, write, spill_in=spill_in))
    return Update(
        files,
        {},
        partial(
            _record, key, entries, index.made, index.layout, index.small, index.term_buckets, index.characters, version
        ),
    )


def _entries(docs: list[Document], was: list[list]) -> list[list]:
    """The record's entry of each document, taken from the previous record when the document is the same one (by
    its digest, which covers every index input): an edit works out the entries of the changed documents only."""
    known = {entry[4]: entry for entry in was}
    return [known.get(document_digest(doc)[:16]) or _entry(doc) for doc in docs]


def _entry(doc: Document) -> list:
    """What the record keeps of a document: digests of all its index inputs and of its body, its title, its tail,
    (to know it again) the start of its document_digest, and its body's length."""
    body = _digest(doc.body_text)
    # The body, the longest input, is hashed once: its digest stands for it among the others.
    fields = [body if name == "body_text" else getattr(doc, name, "") for name in INPUTS]
    return [_digest(repr(fields)), body, doc.title, after_body(doc), document_digest(doc)[:16], len(doc.body_text)]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _file_entry(data: bytes) -> tuple[str, int]:
    return hashlib.sha256(data).hexdigest(), len(data)


def _record(
    key: str,
    entries: list[list],
    files: dict[str, tuple[str, int]],
    layout: Layout,
    small: int,
    term_buckets: int,
    characters: frozenset[str] | set[str],
    version: str,
) -> bytes:
    body = {
        "format": RECORD_FORMAT,
        "index_format": FORMAT,
        "version": version,
        "key": key,
        "files": files,  # (SHA-256, size) tuples, as Writer and _file_entry give them: _loaded refuses lists
        "layout": [layout.offset_bits, layout.slot_width, layout.doc_width],
        "small": small,
        "term_buckets": term_buckets,
        "characters": "".join(sorted(characters)),
        "documents": entries,
    }
    return records.encoded(RECORD_KEY, body)


def remember(parsed: Parsed, record: bytes) -> None:
    """Parse record (a record update() made) through parsed, so that an update given the same bytes and parsed, or
    a copy of it in a process forked later, does not parse them again."""
    _read(record, parsed)


_RECORD_KIND = f"static-search record {RECORD_FORMAT}"
RECORD_KEY = f"static-search {RECORD_FORMAT}"  # the key of its records (xxgk.records)


def _usable(record: bytes | None, version: str, parsed: Parsed | None = None) -> dict | None:
    """The record saved by the previous build, or None unless it is whole, of this format and of this code."""
    value = _read(record, parsed) if record is not None else None
    return value if value is not None and value["version"] == version else None


def _read(record: bytes, parsed: Parsed | None) -> dict | None:
    """The record's value (through parsed when given), or None unless it is whole and of this format."""
    return _loaded_or_none(record) if parsed is None else parsed.of(_RECORD_KIND, record, _loaded_or_none)


def _loaded_or_none(record: bytes) -> dict | None:
    try:
        return _loaded(record)
    except _Stale:
        return None


def _loaded(record: bytes) -> dict:
    """The record saved by the previous build, refused (_Stale) unless it is whole and of this format."""
    value = records.body(record, RECORD_KEY)
    shapes = {
        "format": int,
        "index_format": int,
        "version": str,
        "key": str,
        "files": dict,
        "layout": list,
        "small": int,
        "term_buckets": int,
        "characters": str,
        "documents": list,
    }
    if (
        not isinstance(value, dict)
        or any(not isinstance(value.get(k), t) for k, t in shapes.items())
        or (value["format"], value["index_format"]) != (RECORD_FORMAT, FORMAT)
    ):
        raise _Stale
    if not all(
        isinstance(e, list) and len(e) == 6 and all(isinstance(x, str) for x in e[:5]) and type(e[5]) is int
        for e in value["documents"]
    ):
        raise _Stale
    if not all(
        isinstance(e, tuple) and len(e) == 2 and isinstance(e[0], str) and len(e[0]) == 64 and isinstance(e[1], int)
        for e in value["files"].values()
    ):
        raise _Stale
    return value


class _Previous:
    """The previous build's index files, each read only when its bytes are those the record names."""

    def __init__(self, folder: Path, record: dict):
        self.folder, self.record = folder, record

    def read(self, path: str) -> bytes:
        entry = self.record["files"].get(path)
        try:
            data = self.folder.joinpath(*PurePosixPath(path).parts).read_bytes()
        except OSError:
            raise _Stale from None
        if not isinstance(entry, tuple) or (hashlib.sha256(data).hexdigest(), len(data)) != entry:
            raise _Stale
        return data

    def bucket(self, b: int) -> tuple[dict[str, bytes], list[str]]:
        """The postings of every term of bucket b, and the paths of its files."""
        paths, terms = [f"search/t/{b:x}.bin"], {}
        for term, tag, data in bucket_records(self.read(paths[0])):
            if tag:
                paths.append(f"search/t/{b:x}-{tag - 1}.bin")
                data = self.read(paths[-1])
            terms[term] = data
        return terms, paths

    def shown(self, n: int) -> tuple[dict, list[str]]:
        """The result file of document n, and the paths of its files."""
        shown = json.loads(self.read(f"search/d/{n}.json"))
        return shown, [f"search/d/{n}.json", *(f"search/d/{n}-{k}.txt" for k in range(1, shown["pieces"] + 1))]


def _patched(docs: list[Document], entries: list[list], key: str, previous: _Previous) -> Update:
    old = previous.record
    if old["key"] == key:
        return Update([], dict(old["files"]), None)
    changed = _changed(entries, old["documents"])
    # From the record: an unchanged document's body is not read (a build reads it back from its cache only if asked).
    longest = max((entry[5] + 1 + len(entry[3]) for entry in entries), default=0)
    layout = Layout(len(docs), longest)
    if [layout.offset_bits, layout.slot_width, layout.doc_width] != old["layout"]:
        raise _Stale
    edits, dropped = _term_edits(docs, entries, changed, layout, previous)
    terms = _Terms(previous, layout, old)
    written = [file for b, shard in terms.patched(edits) for file in bucket_files(b, shard)]
    written += doc_files((n, docs[n]) for n in changed if n < len(docs))
    # The lookup files hold, per key, the numbers of the documents with it: when every changed number holds the
    # same keys as before, they are the previous ones, and so is their count.
    id_buckets = (
        sum(path.startswith(_LOOKUPS) for path in old["files"]) if _same_lookups(docs, changed, previous) else None
    )
    kept = {
        path: entry
        for path, entry in old["files"].items()
        if path not in dropped
        and path not in terms.dropped
        and (not path.startswith(DERIVED) or (id_buckets and path.startswith(_LOOKUPS)))
    }
    digests = [
        *((path, bytes.fromhex(sha)) for path, (sha, _) in kept.items()),
        *((path, hashlib.sha256(data).digest()) for path, data in written),
    ]
    written += derived_files(docs, terms.characters, terms.buckets, layout, digests, id_buckets)
    files = {**kept, **{path: _file_entry(data) for path, data in written}}
    version = old["version"]
    return Update(
        sorted(written),
        kept,
        partial(_record, key, entries, files, layout, terms.small, terms.buckets, terms.characters, version),
    )


_LOOKUPS = "search/id/"


def _same_lookups(docs: list[Document], changed: list[int], previous: _Previous) -> bool:
    """Whether there are as many documents as before and each changed number has the 索引号 and 文号 lookup keys
    it had (read back from its previous result file)."""
    if len(docs) != len(previous.record["documents"]):
        return False
    for n in changed:
        shown, _ = previous.shown(n)
        if lookup_keys(shown["index_no"], shown["doc_no"]) != lookup_keys(docs[n].index_no, docs[n].doc_no):
            return False
    return True


def _changed(entries: list[list], was: list[list]) -> list[int]:
    """The numbers, in order, that hold another document (or none) than before; _Stale when so many that a full
    build costs less."""
    changed = [
        n
        for n in range(max(len(entries), len(was)))
        if n >= len(entries) or n >= len(was) or entries[n][0] != was[n][0]
    ]
    if len(changed) > max(FEW, len(entries) // 16):
        raise _Stale
    return changed


def _term_edits(
    docs: list[Document], entries: list[list], changed: list[int], layout: Layout, previous: _Previous
) -> tuple[dict[str, list[tuple[int, Contribution | None, Contribution | None]]], set[str]]:
    """{term: [(number, what it contributed, what it contributes), …] in number order} for every term whose
    postings change, and the previous result files of the changed numbers."""
    was = previous.record["documents"]
    olds, news, dropped = [], [], set()
    for n in changed:
        shown, paths = previous.shown(n) if n < len(was) else ({}, [])
        dropped.update(paths)
        if n < len(docs) and n < len(was) and entries[n][1:4] == was[n][1:4]:  # no indexed text changed
            continue
        if n < len(was):
            olds.append(_old_text(previous, n, shown, paths))
        if n < len(docs):
            news.append((n, docs[n].title, searchable_text(docs[n])))
    # Each side is inverted in one call, as a full build does for a run of documents, then split by document.
    before, after = (_by_document(invert(layout, items)[0] if items else {}, layout) for items in (olds, news))
    edits: dict[str, list] = defaultdict(list)
    for term in before.keys() | after.keys():
        had, has = before.get(term, {}), after.get(term, {})
        edits[term] = [(n, had.get(n), has.get(n)) for n in sorted(had.keys() | has.keys()) if had.get(n) != has.get(n)]
    return {term: changes for term, changes in edits.items() if changes}, dropped


def _old_text(previous: _Previous, n: int, shown: dict, paths: list[str]) -> tuple[int, str, str]:
    """(n, title, rest) of document number n in the previous index, read back: its body from its result files (shown
    and the pieces in paths), the rest from the record."""
    _, body_digest, title, tail, _, _ = previous.record["documents"][n]
    body = shown["text"] + "".join(previous.read(path).decode("utf-8") for path in paths[1:])
    if _digest(body) != body_digest:
        raise _Stale
    return n, title, f"{body}\n{tail}"


def _by_document(postings: dict[str, Contribution], layout: Layout) -> dict[str, dict[int, Contribution]]:
    """Postings of a few documents split into each document's contribution: {term: {number: contribution}}."""
    split: dict[str, dict[int, Contribution]] = {}
    for term, data in postings.items():
        if isinstance(data, bytes):
            width, runs = layout.slot_width, defaultdict(list)
            for at in range(0, len(data), width):
                runs[int.from_bytes(data[at : at + width], "little") >> layout.offset_bits].append(
                    data[at : at + width]
                )
            split[term] = {n: b"".join(run) for n, run in runs.items()}
        else:
            numbers, codes = data
            width = layout.doc_width
            split[term] = {
                int.from_bytes(numbers[k * width : (k + 1) * width], "little"): (
                    numbers[k * width : (k + 1) * width],
                    codes[k : k + 1],
                )
                for k in range(len(codes))
            }
    return split


class _Terms:
    """The term buckets of the previous index, changed term by term."""

    def __init__(self, previous: _Previous, layout: Layout, record: dict):
        self.previous, self.layout = previous, layout
        self.buckets, self.small = record["term_buckets"], record["small"]
        self.characters = set(record["characters"])
        self.dropped: set[str] = set()  # paths of the previous buckets' files

    def patched(self, edits: dict[str, list]) -> list[tuple[int, list[tuple[str, bytes]]]]:
        """(bucket, its (term, postings) in term order) of every bucket holding an edited term."""
        by_bucket: dict[int, dict[str, list]] = defaultdict(dict)
        for term, changes in edits.items():
            by_bucket[bucket_of(term, self.buckets)][term] = changes
        shards = []
        for b, changes in sorted(by_bucket.items()):
            postings, paths = self.previous.bucket(b)
            self.dropped.update(paths)
            for term, term_changes in changes.items():
                self._apply(postings, term, term_changes)
            shards.append((b, sorted(postings.items())))
        if term_buckets_for(self.small) != self.buckets:
            raise _Stale
        return shards

    def _apply(self, postings: dict[str, bytes], term: str, changes: list) -> None:
        data = postings.pop(term, None)
        self.small -= _small(data)
        data = _spliced(data, changes, self.layout)
        if data:
            postings[term] = data
            self.small += _small(data)
            if len(term) == 1:
                self.characters.add(term)
        else:
            self.characters.discard(term)


def _small(data: bytes | None) -> int:
    return len(data) if data and len(data) < BIG_TERM else 0


def _spliced(
    data: bytes | None, changes: list[tuple[int, Contribution | None, Contribution | None]], layout: Layout
) -> bytes:
    """A term's postings (None: none) with the contributions of some documents replaced, in one pass: changes holds
    (number, before, after) in number order, None where the document had or has none; b"" when none is left."""
    if any(isinstance(c, bytes) for _, before, after in changes for c in (before, after)):
        return _spliced_entries(data or b"", changes, layout)
    return _spliced_pairs(data or b"\0", changes, layout.doc_width)


def _spliced_entries(data: bytes, changes: list, layout: Layout) -> bytes:
    """Trigram entries (number << offset_bits | offset, in order), each document's run replaced."""
    width = layout.slot_width
    if len(data) % width:
        raise _Stale
    entries = range(len(data) // width)

    def entry(i: int) -> int:
        return int.from_bytes(data[i * width : (i + 1) * width], "little")

    pieces, at = [], 0
    for doc, before, after in changes:
        low = bisect_left(entries, doc << layout.offset_bits, at // width, key=entry) * width
        high = bisect_left(entries, (doc + 1) << layout.offset_bits, low // width, key=entry) * width
        if data[low:high] != (before or b""):
            raise _Stale
        pieces += [data[at:low], after or b""]
        at = high
    return b"".join([*pieces, data[at:]])


def _spliced_pairs(data: bytes, changes: list, width: int) -> bytes:
    """varint(df), df document numbers and df codes, each document's (number, code) replaced, added or removed."""
    df, start = read_varint(data, 0)
    docs, codes = data[start : start + df * width], data[start + df * width :]
    if len(docs) != df * width or len(codes) != df:
        raise _Stale

    def number(i: int) -> int:
        return int.from_bytes(docs[i * width : (i + 1) * width], "little")

    doc_pieces, code_pieces, at = [], [], 0
    for doc, before, after in changes:
        i = bisect_left(range(df), doc, at, key=number)
        j = i + (i < df and number(i) == doc)
        if (docs[i * width : j * width], codes[i:j]) != (before or (b"", b"")):
            raise _Stale
        new_docs, new_codes = after or (b"", b"")
        doc_pieces += [docs[at * width : i * width], new_docs]
        code_pieces += [codes[at:i], new_codes]
        at = j
    codes = b"".join([*code_pieces, codes[at:]])
    return varint(len(codes)) + b"".join([*doc_pieces, docs[at * width :]]) + codes if codes else b""
