"""Records a build keeps in its cache folder for the next one (a key and a body of plain values, marshalled, with
the SHA-256 of the marshalled bytes): read back only when intact and the key still matches, replaced in one rename
once the build that made them was published.

marshal, not JSON: the page record of 100,000 documents (423,462 entries) is encoded in 0.12 s, its checksum
included, against 0.54-0.85 s for JSON with sorted keys, and read back in about the same time (making its strings
is the cost). Its format 2 writes no back-references, so equal values give equal bytes, and the checksum means
damaged bytes are never unmarshalled (marshal is not meant for bytes it did not write; a record, like the rest of
the cache folder, is this tool's own).
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


class Parsed:
    """What a long-running process (serve) parsed of its records and manifests, or wrote them from, by the SHA-256
    of their bytes: bytes read again are not parsed again. A few values of each kind are kept (the files in use are
    the last build's and the one before's), and they are shared, so no caller may change one."""

    KEEP = 2  # of each kind

    def __init__(self) -> None:
        self._values: dict[str, dict[bytes, Any]] = {}  # kind -> digest -> value, least recently used first

    def of(self, kind: str, data: bytes, parse: Callable[[bytes], T]) -> T:
        """parse(data), or the value it gave (or remember() was told) for the same bytes of this kind."""
        digest = hashlib.sha256(data).digest()
        values = self._values.get(kind, {})
        value = values.pop(digest) if digest in values else parse(data)
        self._keep(kind, digest, value)
        return value

    def remember(self, kind: str, data: bytes, value: object) -> None:
        """Note that value is what parsing data would give (the caller made data from it)."""
        self._keep(kind, hashlib.sha256(data).digest(), value)

    def _keep(self, kind: str, digest: bytes, value: object) -> None:
        values = self._values.setdefault(kind, {})
        values.pop(digest, None)
        values[digest] = value
        while len(values) > self.KEEP:
            del values[next(iter(values))]


def load(path: Path | None, key: str, parsed: Parsed | None = None) -> dict | None:
    """The record's body when path holds one made under key; None when it is missing, damaged or of another key."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return body(data, key) if parsed is None else parsed.of(f"record {key}", data, lambda data: body(data, key))


def body(data: bytes, key: str) -> dict | None:
    """The body of a record's bytes made under key; None when they are damaged or of another key."""
    if not data.startswith(_MAGIC):
        return None
    checksum, payload = data[len(_MAGIC) : _HEADER], memoryview(data)[_HEADER:]
    if hashlib.sha256(payload).digest() != checksum:
        return None
    try:
        record = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    return record[1] if isinstance(record, tuple) and len(record) == 2 and record[0] == key else None


def encoded(key: str, body: object, parsed: Parsed | None = None) -> bytes:
    """A record's bytes, to write (output.write_atomically) once the build is published; with parsed, body is
    remembered as what they hold. The body holds dicts, lists, tuples, str, bytes, int, float, bool and None only
    (what marshal reads back as they were); its dicts are written in their own order, so a caller gives them in a
    stable one (same values, same bytes)."""
    payload = marshal.dumps((key, body), _MARSHAL_FORMAT)
    data = _MAGIC + hashlib.sha256(payload).digest() + payload
    if parsed is not None:
        parsed.remember(f"record {key}", data, body)
    return data


# The records builds kept before records were marshalled: JSON, under these names (now NAME.record).
_EARLIER = ("pages.json", "page-scan.json", "folders.json", "spare.json", "static-search.json")


def remove_earlier(folder: Path) -> None:
    """Remove from the cache folder the JSON records earlier builds kept, which no build reads any more."""
    for name in _EARLIER:
        (folder / name).unlink(missing_ok=True)


_MAGIC = b"xxgk record 1\n"
_HEADER = len(_MAGIC) + 32  # the magic, then the SHA-256 of the payload
_MARSHAL_FORMAT = 2  # no back-references (format 3 on): the bytes depend on the values only
