"""The manifest of a built site (SHA-256 of every file, in `sha256sum` format) and checking a deployed copy."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import sources

MANIFEST = "manifest.sha256"


# A manifest larger than this is not one this tool wrote (a site of a million files needs about 100 MB).
LIMIT_BYTES = 512 * 2**20
_LINE = re.compile(r"([0-9a-f]{64})  ([^\n]+)")


class Unusable(Exception):
    """A manifest that cannot be used: missing, not a file, not UTF-8, empty or garbled; the message is Chinese."""


@dataclass(frozen=True, slots=True)
class Differences:
    """How a deployed folder differs from its manifest; links and special files are never followed or opened."""

    changed: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    links: tuple[str, ...] = ()  # symlinks, wherever they point
    special: tuple[str, ...] = ()  # FIFOs, devices, sockets, and folders where the manifest lists a file
    folders: tuple[str, ...] = ()  # folders holding nothing the manifest lists

    @property
    def identical(self) -> bool:
        return not (self.changed or self.missing or self.extra or self.links or self.special or self.folders)


def manifest_text(hashes: dict[str, str]) -> str:
    """Lines `<sha256>  <path>` sorted by path, so `sha256sum -c manifest.sha256` checks it too."""
    return "".join([f"{digest}  {path}\n" for path, digest in sorted(hashes.items())])


def patched(data: bytes, differences: dict[str, str | None]) -> bytes:
    """The manifest data (lines in path order, as manifest_text writes them) with each path of differences given its
    new SHA-256, added in order, or removed (None): the bytes manifest_text gives for the entries so changed."""
    # A few binary searches and copies of the bytes between them, instead of a line of Python per file: an edit
    # changes a few dozen of a large site's hundreds of thousands of files. UTF-8 sorts as the paths' code points do.
    pieces, at = [], 0
    for path in sorted(differences):
        key, digest = path.encode("utf-8"), differences[path]
        start = _line_from(data, key, at)
        pieces.append(data[at:start])
        end = data.find(b"\n", start) + 1
        at = end if data[start + 66 : end - 1] == key else start  # the path's own line is left out
        if digest is not None:
            pieces.append(f"{digest}  {path}\n".encode())
    pieces.append(data[at:])
    return b"".join(pieces)


def _line_from(data: bytes, key: bytes, start: int) -> int:
    """Where, in data from the line that begins at start, the first line whose path is not before key begins (the
    end of data when there is none)."""
    low, high = start, len(data)
    while low < high:  # low and high are where lines begin
        middle = (low + high) // 2
        line = data.rfind(b"\n", low, middle) + 1 or low  # the line that holds middle
        end = data.find(b"\n", line)
        if data[line + 66 : end] < key:
            low = end + 1
        else:
            high = line
    return low


def load(path: Path) -> dict[str, str]:
    """Path -> SHA-256 from a manifest file; raises Unusable with a Chinese message for anything else."""
    try:
        raw = sources.read_bytes(path, LIMIT_BYTES)
    except sources.Unreadable as exc:
        if not os.path.lexists(path):
            raise Unusable(f"{path}: 找不到构建清单。请先运行 build，或用 --manifest 指定 manifest.sha256。") from None
        raise Unusable(f"{path}: 构建清单{exc.message}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Unusable(
            f"{path}: 不是构建清单（不是 UTF-8 文本，可能是二进制文件）。请用 --manifest 指定构建产生的 manifest.sha256。"  # noqa: E501
        ) from None
    return parse(text, str(path))


def parse(text: str, shown: str = MANIFEST) -> dict[str, str]:
    """Path -> SHA-256 from a manifest's text, split on "\\n" only; raises Unusable when it is empty or garbled."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    if not lines:
        raise Unusable(f"{shown}: 构建清单是空的。请重新运行 build 生成完整的清单。")
    entries = _well_formed(lines)
    if entries is not None:
        return entries
    entries = {}
    for number, line in enumerate(lines, start=1):  # find the first bad line, to name it
        match = _LINE.fullmatch(line)
        if match is None or not is_site_path(match[2]) or match[2] in entries:
            raise Unusable(
                f"{shown}:{number}: 构建清单第 {number} 行格式不对（应为“64 位十六进制 SHA-256、两个空格、文件路径”，"
                "每个路径只出现一次）。清单可能已损坏或被改动，请用构建产生的 manifest.sha256。"
            )
        entries[match[2]] = match[1]
    return entries


def _well_formed(lines: list[str]) -> dict[str, str] | None:
    """Path -> SHA-256 from a manifest's lines when every one is well formed (see parse), else None: checked in a few
    passes over all of them at once, not a line of Python each (a site of 100,000 documents lists 423,000 files)."""
    digests = [line[:64] for line in lines]
    paths = [line[66:] for line in lines]
    entries = dict(zip(paths, digests, strict=True))
    # Every path's parts, as the parts of one path: "/" between paths and at both ends, so that a path with an empty,
    # "." or ".." part (or an empty path) shows as "//", "/./" or "/../" in it. A line holds no "\n".
    parts = "/" + "/".join(paths) + "/"
    hexadecimal = "".join(digests).encode()
    well_formed = (
        len(entries) == len(lines)  # no path twice
        and len(hexadecimal) == 64 * len(lines)  # every line at least 64 characters long
        and not hexadecimal.translate(None, b"0123456789abcdef")  # ASCII only: a character of more bytes is left
        # Two spaces after every digest: each slice has at most two characters, so only then are they all spaces.
        and "".join([line[64:66] for line in lines]) == "  " * len(lines)
        and "//" not in parts
        and "/./" not in parts
        and "/../" not in parts
        and "\0" not in parts
        and MANIFEST not in entries
    )
    return entries if well_formed else None


def is_site_path(path: str) -> bool:
    """Whether a manifest may list path: a file's path inside the site, parts separated by "/", none empty, "." or
    "..", no NUL (no file system names a file with one), and not the manifest itself."""
    parts = path.split("/")
    return "" not in parts and "." not in parts and ".." not in parts and "\0" not in path and path != MANIFEST


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def compare(folder: Path, expected: dict[str, str]) -> Differences:
    """Every changed, missing, extra, linked and special entry of folder against the manifest's entries."""
    files, links, special, folders = _entries(folder)
    files.pop(MANIFEST, None)
    special = [p for p in special if p != MANIFEST] + [p for p in folders if p in expected]
    wanted = {"/".join(path.split("/")[:depth]) for path in expected for depth in range(1, path.count("/") + 1)}
    changed = [path for path, digest in expected.items() if path in files and file_hash(files[path]) != digest]
    missing = [path for path in expected if path not in files and path not in special and path not in links]
    extra = [path for path in files if path not in expected]
    empty = [path for path in folders if path not in wanted and path not in expected]
    return Differences(*(tuple(sorted(found)) for found in (changed, missing, extra, links, special, empty)))


def _entries(folder: Path) -> tuple[dict[str, Path], list[str], list[str], list[str]]:
    """(regular files by site path, symlinks, special files, folders) under folder, read with lstat only."""
    files, links, special, folders = {}, [], [], []
    pending = [(folder, "")]
    while pending:
        current, prefix = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:  # an unreadable folder cannot be checked: it counts as something that should not be there
            special.append(prefix.rstrip("/"))
            continue
        for entry in entries:
            path = prefix + entry.name
            if entry.is_symlink():
                links.append(path)
            elif entry.is_dir(follow_symlinks=False):
                folders.append(path)
                pending.append((Path(entry.path), path + "/"))
            elif entry.is_file(follow_symlinks=False):
                files[path] = Path(entry.path)
            else:
                special.append(path)
    return files, links, special, folders
