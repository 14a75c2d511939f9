"""Whether a build would change nothing: every input is as the last published build found it, so its site, index
and report stand and the build ends after a look at the inputs (like `make` when every target is newer).

The inputs are everything a build reads: the tool's code and libraries, the validated config, the day it builds
for, the working folder (paths in messages are shown from it), the git revision index numbers are compared with,
and every entry under the content, template, static and annual-report folders (path, type, size, mtime, ctime
and inode, the way the document cache proves a file). Every entry of the published site and index counts too,
so a file removed or changed there is put right by the next build. A look at the inputs is trusted only when no
entry changed within two seconds of it (an edit in the same clock tick could hide); the published files are
this tool's own, compared with what it saw right after publishing them. A build records its inputs once
published, when they looked the same before and after it (nothing changed while it ran) and one of the two
looks is trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .cache import _RACY_NS, fingerprint
from .config import Config

RECORD = "unchanged.pickle"
_FORMAT = 1


@dataclass(frozen=True, slots=True)
class Look:
    """A hash of a build's inputs, and whether every entry was old enough for the hash to be trusted."""

    key: str
    trusted: bool


def look(config: Config, today: date, revision: str, folders: Iterable[Path]) -> Look:
    """The inputs of a build as they are now (see the module docstring)."""
    started, trusted = time.time_ns(), True
    digest = hashlib.sha256(fingerprint(config, today.isoformat(), revision, os.getcwd(), _FORMAT).encode())
    for folder in folders:
        digest.update(b"\0folder " + os.fsencode(folder) + b"\n")
        for line, newest in _tree(os.fspath(folder)):
            trusted = trusted and newest < started - _RACY_NS
            digest.update(line)
    return Look(digest.hexdigest(), trusted)


def _tree(root: str) -> Iterator[tuple[bytes, int]]:
    """A line per entry under root (in name order, inside .git folders left out) and its latest of mtime and ctime."""
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except FileNotFoundError:
        yield b"absent\n", 0
        return
    except OSError as exc:
        yield f"unreadable {exc.errno}\n".encode(), 0
        return
    for entry in entries:
        try:
            found = entry.stat(follow_symlinks=False)
        except OSError:
            yield os.fsencode(entry.path) + b" gone\n", 0
            continue
        line = f" {found.st_mode} {found.st_size} {found.st_mtime_ns} {found.st_ctime_ns} {found.st_ino}\n"
        yield os.fsencode(entry.path) + line.encode(), max(found.st_mtime_ns, found.st_ctime_ns)
        if stat.S_ISDIR(found.st_mode) and entry.name != ".git":
            yield from _tree(entry.path)


def published(folders: Iterable[Path]) -> str:
    """A hash of every entry of the published site and index as they are now: a file removed, replaced or
    changed in size or time there since makes the next build do its work (and so put it right)."""
    digest = hashlib.sha256()
    for folder in folders:
        digest.update(b"\0folder " + os.fsencode(folder) + b"\n")
        for line, _ in _tree(os.fspath(folder)):
            digest.update(line)
    return digest.hexdigest()


def recorded(record: Path, key: str) -> object | None:
    """What the last published build recorded for these inputs (its report), or None: other inputs, or no record."""
    try:
        kept = pickle.loads(record.read_bytes())  # noqa: S301 - this tool's own cache folder
    except Exception:  # noqa: BLE001 - missing, damaged or of another version: the build simply runs
        return None
    return kept[1] if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == key else None


def encoded(key: str, report: object) -> bytes:
    """The record's bytes, to write into the cache folder once the build is published."""
    return pickle.dumps((key, report), protocol=pickle.HIGHEST_PROTOCOL)
