"""Records a build keeps in its cache folder for the next one (JSON with a key): read back only when the key
still matches, replaced in one rename once the build that made them was published."""

from __future__ import annotations

import hashlib
import json
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
    try:
        record = json.loads(data)
    except ValueError:
        return None
    return record["body"] if isinstance(record, dict) and record.get("key") == key and "body" in record else None


def encoded(key: str, body: object, parsed: Parsed | None = None) -> bytes:
    """A record's bytes, to write (output.write_atomically) once the build is published; with parsed, body (of JSON's
    own types only: it must be what load() reads back) is remembered as what they hold."""
    # ASCII escapes: the encoder's quicker path (pages.json of 100,000 documents, all ASCII: 0.6 s against 0.9 s).
    data = json.dumps({"key": key, "body": body}, sort_keys=True).encode("ascii")
    if parsed is not None:
        parsed.remember(f"record {key}", data, body)
    return data
