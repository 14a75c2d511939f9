"""Whether a build would change nothing: every input is as the last published build found it, so its site, index
and report stand and the build ends after a look at the inputs (like `make` when every target is newer).

The inputs are everything a build reads: the tool's code and libraries, the validated config, the day it builds
for, the working folder (paths in messages are shown from it), the git revision index numbers are compared with,
and every entry under the content, template, static and annual-report folders (path, type, size, mtime, ctime
and inode, the way the document cache proves a file). The published site's folders and manifest and every file
of the index count too, so a file removed or replaced there is put right by the next build. A look at the
inputs is trusted only when no entry changed within two seconds of it (an edit in the same clock tick could
hide); the published files are this tool's own, compared with what it saw right after publishing them. A build
records its inputs once published when the look before it was trusted (an input changed since no longer
matches it), or else when the entries too recent to trust then are found as they were, and old enough, after it
(see settled).
"""

from __future__ import annotations

import hashlib
import operator
import os
import pickle
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .cache import RACY_NS, Looked, fingerprint
from .config import Config

RECORD = "unchanged.pickle"
_FORMAT = 2


@dataclass(frozen=True, slots=True)
class Look:
    """A hash of a build's inputs, and whether every entry was old enough for the hash to be trusted; the entries
    that were not, to be looked at again once the build is done (see settled)."""

    key: str
    trusted: bool
    recent: tuple[tuple[str, bytes], ...] = ()  # (path, line) of each entry changed within RACY_NS of the look
    # The stat of each regular file, for the build's document cache: the documents are not stat'ed twice.
    looked: Looked | None = None


def look(config: Config, today: date, revision: str, folders: Iterable[Path]) -> Look:
    """The inputs of a build as they are now (see the module docstring)."""
    started, recent, stats = time.time_ns(), [], {}
    # The config's warnings too: they are printed again when nothing changed (a fingerprint leaves them out).
    key = fingerprint(config, config.warnings, today.isoformat(), revision, os.getcwd(), _FORMAT)
    digest = hashlib.sha256(key.encode())
    for folder in folders:
        digest.update(b"\0folder " + os.fsencode(folder) + b"\n")
        for line, newest, path in _tree(os.fspath(folder), stats):
            if newest >= started - RACY_NS:
                recent.append((path, line))
            digest.update(line)
    return Look(digest.hexdigest(), not recent, tuple(recent), Looked(stats, started))


def settled(before: Look) -> bool:
    """Whether the entries too recent to trust when before was taken are as they were then, and are old enough to
    trust now: then before's hash holds for the inputs a build read after it. (An entry that was old enough then
    and changed since has another stat now, so the next look's hash will not be before's.)"""
    now = time.time_ns()
    for path, line in before.recent:
        try:
            found = os.stat(path, follow_symlinks=False)
        except OSError:
            return False
        if _line(path, found) != line or max(found.st_mtime_ns, found.st_ctime_ns) >= now - RACY_NS:
            return False
    return True


def _tree(root: str, stats: dict[str, os.stat_result] | None = None) -> Iterator[tuple[bytes, int, str]]:
    """A line per entry under root (in name order, inside .git folders left out), its latest of mtime and ctime (0
    when it has none), and its path ("" when the line is not an entry's); the stat of each regular file goes into
    stats when given."""
    try:
        with os.scandir(root) as found:
            entries = sorted(found, key=_name)
    except FileNotFoundError:
        yield b"absent\n", 0, ""
        return
    except OSError as exc:
        yield f"unreadable {exc.errno}\n".encode(), 0, ""
        return
    for entry in entries:
        try:
            found = entry.stat(follow_symlinks=False)
        except OSError:
            yield os.fsencode(entry.path) + b" gone\n", 0, ""
            continue
        yield _line(entry.path, found), max(found.st_mtime_ns, found.st_ctime_ns), entry.path
        if stat.S_ISDIR(found.st_mode) and entry.name != ".git":
            yield from _tree(entry.path, stats)
        elif stats is not None and stat.S_ISREG(found.st_mode):  # not a link: its lstat is its stat
            stats[entry.path] = found


_name = operator.attrgetter("name")


def _line(path: str, found: os.stat_result) -> bytes:
    """The line of an entry: its path and what stat says of it."""
    line = f" {found.st_mode} {found.st_size} {found.st_mtime_ns} {found.st_ctime_ns} {found.st_ino}\n"
    return os.fsencode(path) + line.encode()


def published(site: Path, folders: Iterable[str], records: Iterable[Path], index: Path) -> str:
    """A hash of the published site's folders (folders: the site paths of those its build made) and records (its
    manifest), and of every file of the index, as they are now: a file or folder added, removed or replaced there
    since (its folder's times change) makes the next build do its work and so put it right. A file rewritten in
    place is not seen (that would cost a stat of every file): `xxgk verify` compares a site with its manifest."""
    digest = hashlib.sha256(b"\0folder " + os.fsencode(site) + b"\n")
    # A stat of each folder the build made, not a listing of every folder: a folder added anywhere changes the
    # times of one of them (its parent, or the site's own, stat'ed below), and 400,000 pages are not listed.
    for folder in folders:
        path = f"{os.fspath(site)}/{folder}"
        try:
            digest.update(_line(path, os.stat(path, follow_symlinks=False)))
        except OSError:
            digest.update(os.fsencode(path) + b" gone\n")
    digest.update(b"\0folder " + os.fsencode(index) + b"\n")
    for line, _, _ in _tree(os.fspath(index)):
        digest.update(line)
    for path in (site, *records):
        try:
            found = os.lstat(path)
            digest.update(f"{path} {found.st_size} {found.st_mtime_ns} {found.st_ctime_ns} {found.st_ino}\n".encode())
        except OSError:
            digest.update(f"{path} missing\n".encode())
    return digest.hexdigest()


def recorded(record: Path, key: str, published_now: Callable[[tuple[str, ...]], str]) -> object | None:
    """What the last published build recorded (its report) when it had these inputs and its published files are
    as published_now(the site's folders it recorded) finds them; else None (other inputs, no record, or the site
    or index changed since)."""
    try:
        kept = pickle.loads(record.read_bytes())  # noqa: S301 - this tool's own cache folder
    except Exception:  # noqa: BLE001 - missing, damaged or of another version: the build simply runs
        return None
    if not (isinstance(kept, tuple) and len(kept) == 4 and kept[0] == key and isinstance(kept[1], tuple)):
        return None
    return kept[3] if kept[2] == published_now(kept[1]) else None  # the site is looked at only when inputs match


def encoded(key: str, folders: tuple[str, ...], published_key: str, report: object) -> bytes:
    """The record's bytes, to write into the cache folder once the build is published (folders: the site's, as
    published() took them for published_key)."""
    return pickle.dumps((key, folders, published_key, report), protocol=pickle.HIGHEST_PROTOCOL)
