"""Records a build keeps in its cache folder for the next one (JSON with a key): read back only when the key
still matches, replaced in one rename once the build that made them was published."""

from __future__ import annotations

import json
from pathlib import Path


def load(path: Path | None, key: str) -> dict | None:
    """The record's body when path holds one made under key; None when it is missing, damaged or of another key."""
    if path is None:
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record["body"] if isinstance(record, dict) and record.get("key") == key and "body" in record else None


def encoded(key: str, body: object) -> bytes:
    """A record's bytes, to write (output.write_atomically) once the build is published."""
    return json.dumps({"key": key, "body": body}, ensure_ascii=False, sort_keys=True).encode("utf-8")
