"""The manifest of a built site (SHA-256 of every file, in `sha256sum` format) and checking a deployed copy."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "manifest.sha256"


@dataclass(frozen=True, slots=True)
class Differences:
    """How a deployed folder differs from its manifest."""

    changed: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]

    @property
    def identical(self) -> bool:
        return not (self.changed or self.missing or self.extra)


def manifest_text(hashes: dict[str, str]) -> str:
    """Lines `<sha256>  <path>` sorted by path, so `sha256sum -c manifest.sha256` checks it too."""
    return "".join(f"{digest}  {path}\n" for path, digest in sorted(hashes.items()))


def parse(text: str) -> dict[str, str]:
    """Path -> SHA-256 from a manifest's text."""
    entries = {}
    for line in text.splitlines():
        digest, _, path = line.partition("  ")
        if path:
            entries[path] = digest
    return entries


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def compare(folder: Path, expected: dict[str, str]) -> Differences:
    """Every changed, missing and extra file of folder against the manifest's entries."""
    present = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}
    present.pop(MANIFEST, None)
    changed = [path for path, digest in expected.items() if path in present and file_hash(present[path]) != digest]
    missing = [path for path in expected if path not in present]
    extra = [path for path in present if path not in expected]
    return Differences(tuple(sorted(changed)), tuple(sorted(missing)), tuple(sorted(extra)))
