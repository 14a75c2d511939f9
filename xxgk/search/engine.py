"""The Whoosh index beside the site: its schema, and `update_index` keeping it in step with the documents.

A rebuild writes segments on every core (whoosh_internals.write_segment); an update changes only the documents
whose fingerprints differ. A marker written last records the schema version and every index file's size and hash,
so a half-built, outdated or damaged index is never trusted (`open_current`); a file is hashed again only when its
size, mtime or inode differ from the marker's, or its mtime was too close to the marker's writing to tell. Scores
use no collection statistics (whoosh_internals.Weighting), so an index updated in place ranks exactly like one
rebuilt from scratch.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing
import shutil
import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import DATETIME, ID, STORED, Schema
from whoosh.reading import SegmentReader

from .. import workers
from ..cache import RACY_NS, fingerprint
from ..model import Document, document_digest
from ..output import write_atomically
from ..urls import document_path
from . import tokens
from .analysis import doc_no_key
from .text import searchable_text
from .whoosh_internals import bigram_field, commit_segments, update_writer, write_segment

SCHEMA_VERSION = 5  # raise whenever the schema, the analysis or the stored fields change: forces a rebuild
INDEX_NAME = "XXGK"
MARKER = "xxgk-search.json"
_LIMIT_MB = 256  # Whoosh's in-memory posting sort limit for incremental updates
_PARALLEL_FROM = 2_000  # documents; below this, worker processes cost more than they save
_STALE_SHARE = 0.25  # rebuild once this share of the indexed documents are deleted versions
_REWRITE_SHARE = 0.25  # rebuild rather than update when this share of the documents is to be deleted or rewritten
_SEGMENT_DOCS = 2_500  # documents per segment of a rebuild: bounds a worker's memory (all postings of a segment)
_SMALL_SEGMENT = _SEGMENT_DOCS // 4  # documents: fewer, and a segment is an update's, cheap to merge
_SMALL_SEGMENTS = 8  # an update merges the small segments into its own once there are this many

SCHEMA = Schema(
    index_no=ID(stored=True, unique=True, sortable=True),  # normalised; the raw form is stored
    doc_no=ID(stored=True),  # as written
    doc_no_norm=ID,  # analysis.doc_no_key: any bracket form finds it
    publisher=ID(stored=True),  # normalised; the raw form is stored
    category=ID(stored=True),  # 一级\二级, normalised; the raw form is stored
    category1=ID,  # 一级 alone
    genre=ID(stored=True),
    validity=ID(stored=True),
    year=ID(stored=True),
    published=DATETIME(stored=True, sortable=True),
    written=DATETIME(stored=True, sortable=True),
    title=bigram_field(stored=True),
    text=bigram_field(),  # the title, then text.searchable_text: what free text searches
    url=STORED,
    excerpt=STORED,  # the body, for snippets (the stored-fields column compresses it)
    fingerprint=ID(stored=True, sortable=True),  # content hash + " " + index key: what incremental updates compare
)


class IndexMissing(RuntimeError):
    """There is no usable search index in the folder asked for."""


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
    """One document as the index sees it: its key, a hash of what its indexed fields are made from, and the
    document (its fields are computed only for the documents that are indexed)."""

    key: str
    digest: str
    doc: Document


def update_index(
    index_dir: Path,
    documents: Sequence[Document],
    *,
    full: bool = False,
    meanwhile: Callable[[], object] = lambda: None,
) -> IndexStats:
    """Bring the index at index_dir in line with exactly these documents, rebuilding it when needed or asked;
    meanwhile() is called once, while worker processes build the index when they do."""
    return carry_out(plan(index_dir, documents, full=full), index_dir, meanwhile)


@dataclass(frozen=True, slots=True)
class Plan:
    """What update_index does to the index in a folder: rebuild it, or apply changes to it as it is open."""

    records: dict[str, _Record]
    ix: Any  # the open index (None: none usable)
    changes: _Changes | None  # None: rebuild
    damaged: bool
    seconds: float  # how long making the plan took

    @property
    def rebuild(self) -> bool:
        return self.changes is None


def plan(index_dir: Path, documents: Sequence[Document], *, full: bool = False) -> Plan:
    """How the index at index_dir is brought in line with exactly these documents: rebuilt when asked (full), when
    it is missing, damaged or mostly stale, or when most documents changed; else updated in place."""
    started = time.perf_counter()
    records = _records(documents)
    ix, damaged = (None, False) if full else open_current(index_dir)
    changes = None if ix is None or _mostly_stale(ix) else _changes(ix, records)
    # Replacing most documents one by one costs more than writing the index afresh on every core (a new version
    # of this tool changes every document's fingerprint).
    if changes is not None and len(changes.stale) + len(changes.replaced) > _REWRITE_SHARE * max(len(records), 1):
        changes = None
    return Plan(records, ix, changes, damaged, time.perf_counter() - started)


def carry_out(plan: Plan, index_dir: Path, meanwhile: Callable[[], object] = lambda: None) -> IndexStats:
    """Do what the plan says to the index at index_dir (where it was made); meanwhile() is called once, while
    worker processes build the index when they do."""
    started, records, changes = time.perf_counter() - plan.seconds, plan.records, plan.changes
    if changes is None:
        _rebuild(index_dir, records, meanwhile)
        return IndexStats(len(records), 0, 0, 0, time.perf_counter() - started, True, plan.damaged)
    meanwhile()
    _apply_changes(plan.ix, records, changes)
    added, updated = len(changes.fresh), len(changes.replaced) - len(changes.fresh)
    return IndexStats(
        added, updated, len(changes.stale), len(records) - added - updated, time.perf_counter() - started, False
    )


def _mostly_stale(ix) -> bool:
    """Whether deleted documents (kept in their segments until merged) have grown past _STALE_SHARE of the live."""
    return ix.doc_count_all() - ix.doc_count() > _STALE_SHARE * ix.doc_count()


def _records(documents: Sequence[Document]) -> dict[str, _Record]:
    """The records of the documents by index key, in key order (the last of any duplicate wins)."""
    # The fields are a pure function of the document and this tool's code, so the hash of both stands for them.
    code, records = fingerprint(SCHEMA_VERSION), {}
    for doc in documents:
        key = tokens.normalize(doc.index_no)
        records[key] = _Record(key, hashlib.sha1(f"{code} {document_digest(doc)}".encode()).hexdigest(), doc)
    return dict(sorted(records.items()))


def _fields(doc: Document) -> dict:
    """The values Whoosh indexes for a document (before compression and fingerprinting)."""
    category = tokens.normalize(doc.category)
    fields = {
        "index_no": tokens.normalize(doc.index_no),
        "_stored_index_no": doc.index_no,
        "doc_no": doc.doc_no,
        "doc_no_norm": doc_no_key(doc.doc_no),
        "publisher": tokens.normalize(doc.publisher),
        "_stored_publisher": doc.publisher,
        "category": category,
        "_stored_category": doc.category,
        "category1": category.partition("\\")[0],
        "genre": doc.genre,
        "validity": doc.validity,
        "year": str(doc.published.year),
        "published": _day_start(doc.published),
        "title": doc.title,
        "text": doc.title + "\n" + searchable_text(doc),
        "url": document_path(doc.index_no),
        "excerpt": doc.body_text or doc.summary,
    }
    if doc.written:
        fields["written"] = _day_start(doc.written)
    return {name: value for name, value in fields.items() if value != ""}


def _day_start(day: date) -> datetime:
    """Midnight at the start of the day: how DATETIME fields hold dates."""
    return datetime.combine(day, clock.min)


def _whoosh_fields(record: _Record) -> dict:
    """The keyword arguments of add_document: the fields and the fingerprint."""
    fields = _fields(record.doc)
    fields["fingerprint"] = f"{record.digest} {record.key}"
    return fields


def open_current(index_dir: Path) -> tuple[Any, bool]:
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
    files = _contents(marker.get("files"))
    if files is None or files != _contents(_index_files(index_dir, marker)):
        return None, True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # Whoosh leaves the file open when a TOC is unreadable
        try:
            return whoosh_index.open_dir(str(index_dir), indexname=INDEX_NAME), False
        except Exception:  # intact files Whoosh still cannot read: rebuild them too
            return None, True


def open_for_search(index_dir: Path):
    """The index at index_dir, or IndexMissing with a message an editor can act on (the caller names the folder)."""
    if not (index_dir / MARKER).is_file():
        raise IndexMissing("找不到搜索索引。请先运行 xxgk build（源代码目录中为 ./dev build）构建站点。")
    ix, damaged = open_current(index_dir)
    if damaged:
        raise IndexMissing(
            "搜索索引已损坏（有文件缺失或被改动）。请重新运行 xxgk build（源代码目录中为 ./dev build），"
            "它会从内容自动重建索引。"
        )
    if ix is None:
        raise IndexMissing(
            "搜索索引来自旧版本或没有完成。请重新运行 xxgk build（源代码目录中为 ./dev build）构建站点。"
        )
    return ix


def _index_files(index_dir: Path, marker: object = None) -> dict[str, list]:
    """Name -> [size, SHA-256, mtime, inode] of every file of the Whoosh index in index_dir (its lock excepted).
    A file that a marker lists with the same size, mtime and inode, and an mtime older than the marker by more
    than RACY_NS, keeps the marker's SHA-256 instead of being read again."""
    # Whoosh never rewrites a file of a committed segment, and a staged copy of the index is hard links to the
    # served one (same inode and mtime): an unchanged index costs a stat per file, not a read of every byte.
    known = marker.get("files") if isinstance(marker, dict) and isinstance(marker.get("files"), dict) else {}
    seen = marker.get("seen") if isinstance(marker, dict) and isinstance(marker.get("seen"), int) else 0
    files = {}
    for path in sorted(index_dir.iterdir()):
        if path.name.startswith((INDEX_NAME, "_" + INDEX_NAME + "_")) and "LOCK" not in path.name and path.is_file():
            stat, was = path.stat(), known.get(path.name)
            if (
                isinstance(was, list)
                and len(was) == 4
                and [was[0], was[2], was[3]] == [stat.st_size, stat.st_mtime_ns, stat.st_ino]
                and stat.st_mtime_ns < seen - RACY_NS
            ):
                files[path.name] = was
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                files[path.name] = [stat.st_size, digest, stat.st_mtime_ns, stat.st_ino]
    return files


def _contents(files: object) -> object:
    """Name -> [size, SHA-256] of _index_files' answer or a marker's "files": what must match for an index to be
    trusted (a copy of the index without hard links has other inodes and is still intact)."""
    if not isinstance(files, dict) or not all(isinstance(entry, list) for entry in files.values()):
        return None
    return {name: entry[:2] for name, entry in files.items()}


def _rebuild(index_dir: Path, records: dict[str, _Record], meanwhile: Callable[[], object]) -> None:
    """Write a fresh index of the records in segments built on every core, replacing only files this module made."""
    _clear(index_dir)
    whoosh_index.create_in(str(index_dir), SCHEMA, indexname=INDEX_NAME)
    shared = list(records.values())
    where = (str(index_dir), _share_size(len(shared)))
    if len(shared) <= where[1] or multiprocessing.current_process().daemon:  # a daemon may not start processes
        meanwhile()
        with workers.paused_gc():
            segments = _write_segments(where, shared)
    else:
        segments = _segments_by_workers(where, shared, meanwhile)
    commit_segments(index_dir, INDEX_NAME, SCHEMA, segments)
    _write_marker(index_dir, len(records))


def _segments_by_workers(where: tuple[str, int], records: list[_Record], meanwhile: Callable[[], object]) -> list:
    """The segments of the records (see _write_segments), written by worker processes while meanwhile() runs in this
    one; if meanwhile() fails, the workers are stopped at once instead of finishing an index nobody will use."""
    with ExitStack() as stack:
        # The workers are forked here and inherit the records (they receive only which share to index, not the
        # records pickled): with the collector paused they build their postings without walking or copying what
        # they inherit, and they inherit this process as it is now, not what meanwhile() adds.
        with workers.paused_gc():
            segments = stack.enter_context(workers.started(_write_segments, where, records, 0, where[1]))
        meanwhile()
        return segments()


def _share_size(count: int) -> int:
    """How many of count records go in each segment: equal consecutive shares of at most _SEGMENT_DOCS (one share
    when they are few)."""
    shares = 1 if count < _PARALLEL_FROM else max(2, -(-count // _SEGMENT_DOCS))
    return -(-count // shares) or 1


def _write_segment(index_dir: str, records: list[_Record]):
    """Index records into one new segment of the index at index_dir (in a worker process) and return the segment."""
    return write_segment(index_dir, INDEX_NAME, map(_whoosh_fields, records))


def _write_segments(where: tuple[str, int], records: list[_Record]) -> list:
    """The segments of records (where: the index folder and the records per segment), written in order."""
    index_dir, size = where
    segments = []
    for start in range(0, len(records), size):
        segments.append(_write_segment(index_dir, records[start : start + size]))
        # A worker runs with the collector paused (see _segments_by_workers): what writing a segment leaves in
        # reference cycles is freed here, not kept until the worker ends. Only what it made is walked: what it
        # inherited is frozen.
        gc.collect()
    return segments


def _clear(index_dir: Path) -> None:
    """Remove this module's files from index_dir (a Whoosh index named INDEX_NAME and the marker), nothing else."""
    index_dir.mkdir(parents=True, exist_ok=True)
    for path in index_dir.iterdir():
        if path.name == MARKER or path.name.startswith((INDEX_NAME, "_" + INDEX_NAME + "_")):
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def _write_marker(index_dir: Path, count: int) -> None:
    """Record the schema version and the size, hash, mtime and inode of every index file next to the index: written
    last, so a half-built index is never trusted, and a file deleted or changed later is noticed (see
    open_current)."""
    try:  # the marker of the index this update started from: its files' hashes still hold if their stats do
        previous = json.loads((index_dir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = None
    seen = time.time_ns()  # before the files are looked at: a file changed after this is never trusted by stat
    marker = {"schema": SCHEMA_VERSION, "documents": count, "seen": seen, "files": _index_files(index_dir, previous)}
    # Replaced, not rewritten: the staged index shares its files with the served one (output.staged's seed).
    write_atomically(index_dir / MARKER, (json.dumps(marker) + "\n").encode("utf-8"))


@dataclass(frozen=True, slots=True)
class _Changes:
    """What an update does: index keys to delete, and records to (re)write, of which `fresh` are new."""

    stale: list[str]
    replaced: list[_Record]
    fresh: list[_Record]


def _changes(ix, records: dict[str, _Record]) -> _Changes:
    """The documents whose fingerprints differ from the index's."""
    indexed = _indexed_digests(ix)
    fresh = [r for r in records.values() if r.key not in indexed]
    changed = [r for r in records.values() if r.key in indexed and indexed[r.key] != r.digest]
    return _Changes(sorted(key for key in indexed if key not in records), fresh + changed, fresh)


def _apply_changes(ix, records: dict[str, _Record], changes: _Changes) -> None:
    """Add, replace and delete only the documents whose fingerprints differ."""
    fresh = {r.key for r in changes.fresh}
    if changes.stale or changes.replaced:
        with update_writer(ix, _LIMIT_MB, _merge_small) as writer:
            for key in changes.stale + [r.key for r in changes.replaced if r.key not in fresh]:
                writer.delete_by_term("index_no", key)
            for record in sorted(changes.replaced, key=lambda r: r.key):
                writer.add_document(**_whoosh_fields(record))
        _write_marker(Path(ix.storage.folder), len(records))


def _merge_small(writer, segments: list) -> list:
    """Whoosh merge policy of an update: the segments it keeps as they are, after adding the small ones (fewer than
    _SMALL_SEGMENT documents) to the writer's new segment once there are _SMALL_SEGMENTS of them."""
    # Whoosh's own policy (MERGE_SMALL) merges by a Fibonacci rule that, from some 50,000 documents in 2,500-document
    # segments, rewrites half the index on the first edit (ten minutes at 100,000 documents). A large segment is
    # left alone here; a rebuild renews it once its deleted versions pile up (_mostly_stale).
    small = [segment for segment in segments if segment.doc_count_all() < _SMALL_SEGMENT]
    if len(small) < _SMALL_SEGMENTS:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment.doc_count_all() >= _SMALL_SEGMENT]


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
