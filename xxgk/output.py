"""Stage 6: write the built site into a staging folder and swap it into place only when all succeeded.

What holds for the output folder (say site/) at every moment, even when a build is killed:
- site/ is always either the whole previous build or the whole new one. The new build is staged in a
  sibling folder and exchanged with site/ in one atomic rename (Linux's RENAME_EXCHANGE), so a reader (nginx,
  rsync) never sees a mix or a missing folder. Where that call does not exist, two renames are used, and a kill
  between them is undone by the next build (site/ is renamed back from .site.old-*).
- A file whose bytes did not change is not written again: it is a hard link to the file already served, so it
  keeps its inode and mtime and `rsync` (on times and sizes) sees only real changes. Which files are unchanged is
  read from the previous build's manifest.sha256 (and the size on disk).
- A file that the new build does not produce is absent from the staging folder, so it is gone after the swap.
- Only one build writes into one output folder at a time (an exclusive flock on the folder that holds it); the
  holder of the lock removes staging folders that a killed build left behind.

The staging folder is the site the swap replaced, kept as a spare (.site.spare) with its own manifest: a build
changes in it only the files that differ from what it must hold, so an edit costs what it changed rather than a
link per file of the site. Its files share inodes with the served ones, so nothing in it is ever rewritten in
place: a file is unlinked before its new bytes are written. While a build changes it the spare has no manifest,
so a spare left by a killed build is deleted, not trusted; a build that fails records what the spare now holds.
Without a usable spare (the first builds, --no-cache) the staging folder is a new one (.site.new-*).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import compress, filterfalse
from operator import ne
from pathlib import Path
from stat import S_ISDIR, S_ISREG

from . import records, sources
from .cache import RACY_NS
from .errors import BuildError, Problem, shown_path
from .manifest import MANIFEST, Unusable, file_hash, is_site_path, manifest_text, parse, patched
from .model import Output
from .records import Parsed

# The manifest is patched (see manifest.patched) when at most one entry in this many differs from the previous one:
# a patch costs a few binary searches per entry, writing it whole a line of Python per entry and a sort.
_PATCHED_AT_MOST = 32

# A "." or ".." part of a site path, or a character no manifest line can hold.
_UNSAFE = re.compile(r"(?:^|/)\.\.?(?:/|$)|[\0\n]")


class OutputBusy(BuildError):
    """Another build holds the output folder's lock."""


@dataclass(frozen=True, slots=True)
class Previous:
    """The site being replaced and its manifest (site path -> SHA-256): where unchanged files are linked from."""

    folder: Path | None = None
    hashes: dict[str, str] = field(default_factory=dict)
    digest: str = ""  # the SHA-256 of the manifest's bytes
    text: bytes = b""  # the manifest's bytes when its lines are in path order (as written here), else empty

    @classmethod
    def of(cls, out_dir: Path, parsed: Parsed | None = None, written: str = "") -> Previous:
        """The previous build in out_dir, or nothing to reuse when it has no readable manifest; a manifest whose
        SHA-256 is written (one a build wrote, as a record says) is read without checking each line again."""
        found = _Manifest.read(out_dir, parsed, lambda data: _Manifest.parsed(data, written))
        if found is None:
            return cls()
        manifest, data = found
        return cls(out_dir, manifest.hashes, manifest.digest, data if manifest.in_order(data) else b"")

    def unchanged(self, dest: str, digest: str, size: int) -> str | None:
        """The previous file for dest when it holds exactly these bytes (by the manifest and its size), else None."""
        if self.folder is None or self.hashes.get(dest) != digest:
            return None
        path = os.path.join(self.folder, dest)  # dest is a checked site path (Staging.target)
        try:
            found = os.lstat(path)
        except OSError:
            return None
        return path if found.st_size == size and S_ISREG(found.st_mode) else None


@dataclass(slots=True)
class _Manifest:
    """A folder's manifest: its entries, the SHA-256 of its bytes, and the folders that hold the entries (worked out
    once, when first asked for)."""

    hashes: dict[str, str]
    digest: str
    ordered: bool = False  # whether its lines are in path order (and end with a newline)
    _folders: frozenset[str] | None = None  # site paths

    @classmethod
    def of(
        cls, folder: Path, parsed: Parsed | None, read: Callable[[bytes], _Manifest] | None = None
    ) -> _Manifest | None:
        """The manifest in folder, read from its bytes by read (by default, parsed), through parsed when given; None
        when it has no readable one."""
        found = cls.read(folder, parsed, read)
        return None if found is None else found[0]

    @classmethod
    def read(
        cls, folder: Path, parsed: Parsed | None, read: Callable[[bytes], _Manifest] | None = None
    ) -> tuple[_Manifest, bytes] | None:
        """The manifest in folder (see of) and its bytes."""
        read = read or cls.parsed
        try:
            data = (folder / MANIFEST).read_bytes()
            return (read(data) if parsed is None else parsed.of(MANIFEST, data, read)), data
        except (OSError, UnicodeDecodeError, Unusable):
            return None

    @classmethod
    def parsed(cls, data: bytes, written: str = "") -> _Manifest:
        """The manifest of these bytes; when their SHA-256 is written, they are a manifest a build wrote (see
        write_manifest: well formed, in path order, ending with a newline) and their lines are not checked again."""
        digest = hashlib.sha256(data).hexdigest()
        if data and digest == written:  # a third of the time of reading 423,000 lines, at 100,000 documents
            lines = data.decode().split("\n")
            lines.pop()  # after the last newline
            return cls(
                dict(zip([line[66:] for line in lines], [line[:64] for line in lines], strict=True)),
                digest,
                ordered=True,
            )
        hashes = parse(data.decode())
        following = iter(hashes)
        next(following, None)
        return cls(hashes, digest, all(map(str.__lt__, hashes, following)))

    def in_order(self, data: bytes) -> bool:
        """Whether data, this manifest's bytes, has its lines in path order and a newline at its end."""
        return self.ordered and data.endswith(b"\n")

    def folders_under(self, root: str) -> set[str]:
        """Every folder that holds one of the entries, as a path under root."""
        return {root + "/" + folder for folder in self.folders()}

    def folders(self) -> frozenset[str]:
        """Every folder that holds one of the entries, as a site path."""
        if self._folders is None:
            self._folders = frozenset(_folders_of("", self.hashes))
        return self._folders


@dataclass(frozen=True, slots=True)
class Changes:
    """How a build's files differ from the previous build's."""

    added: int
    changed: int
    removed: int
    unchanged: int


class Staging:
    """A folder beside the output folder that receives the whole new site: a new, empty one, or the spare site,
    which already holds the files `held` lists (site path -> SHA-256, from its manifest); in its `trusted` folders
    (paths under the root) they are known to be there as they were published (see _swept), elsewhere each is
    looked at."""

    def __init__(
        self,
        path: Path,
        previous: Previous | None = None,
        held: dict[str, str] | None = None,
        folders: set[str] | None = None,
        trusted: frozenset[str] = frozenset(),
        parsed: Parsed | None = None,
    ):
        self.path, self.parsed = path, parsed
        self.previous = previous or Previous()
        self.held = held or {}
        self._trusted = trusted
        self._spare = held is not None
        path.mkdir(parents=True, exist_ok=True)
        self._root = os.fspath(path)
        self._written: dict[str, str] = {}  # site path -> SHA-256
        self._sizes: dict[str, int] = {}  # site path -> size of the file written
        self._touched: set[str] = set()  # held paths whose file this process removed or replaced
        self._made: list[str] = []  # folders this process made
        # Folders known to be there (a spare's): made or checked once, not once per file.
        self._folders = set(folders) if folders is not None else _folders_of(self._root, self.held)
        self._lent = 0  # how many lendings of the folder to worker processes have not been reported back (claim)
        self._listed: tuple[int, list[str]] | None = None  # folders() as last worked out, after that many writes
        self._pages: dict[str, str] | None = None  # pages(), until the next write
        self._differences: dict[str, str | None] | None = None  # differences(), until the next write

    def for_workers(self) -> tuple[Path, Previous, dict[str, str] | None, set[str], frozenset[str]]:
        """What a worker process needs to write into this folder (Staging(*args)); its files are claim()ed later,
        once for each call of this."""
        self._lent += 1
        previous = replace(self.previous, text=b"")  # only this process writes the manifest
        return self.path, previous, self.held if self._spare else None, self._folders, self._trusted

    def target(self, dest: str) -> str:
        """The file for a site path; refuses paths that leave the folder or are written twice."""
        path = self._inside(dest)
        if dest in self._written:
            raise ValueError(f"two outputs claim one path: {dest!r}")
        self._written[dest] = ""
        self._differences = self._pages = None
        self._make_folder(path.rpartition("/")[0], dest)
        return path

    def _inside(self, dest: str) -> str:
        """The file for a site path, which must name a file inside the folder (no empty, "." or ".." part)."""
        # Strings, not Paths or os.path.join: a build asks for some 50,000 targets, most of them unchanged files.
        if not dest or dest[0] == "/" or dest[-1] == "/" or "//" in dest or _UNSAFE.search(dest):
            raise ValueError(f"output path escapes the site folder: {dest!r}")
        return self._root + "/" + dest

    def _make_folder(self, folder: str, dest: str) -> None:
        # Made one level at a time, so a folder that was already there (a symlink leading elsewhere) is
        # noticed with one lstat instead of resolving every path.
        if folder == self._root or folder in self._folders:
            return
        self._make_folder(os.path.dirname(folder), dest)
        try:
            os.mkdir(folder)
            self._made.append(folder)
        except FileExistsError:
            if self._spare and self._held_file(folder):  # the spare's file where this build puts a folder
                self._clear(os.path.relpath(folder, self._root), folder)
                os.mkdir(folder)
                self._made.append(folder)
            elif os.path.islink(folder) or not os.path.isdir(folder):
                raise ValueError(f"output path escapes the site folder: {dest!r}") from None
        self._folders.add(folder)

    def _held_file(self, path: str) -> bool:
        """Whether path is a regular file of the spare's that this build has not written (it may go)."""
        dest = os.path.relpath(path, self._root)
        return dest in self.held and dest not in self._written and os.path.isfile(path) and not os.path.islink(path)

    def claim(self, written: list[tuple[str, str, int]]) -> None:
        """Record (path, SHA-256, size) of files written here by worker processes, refusing any path already
        written."""
        for dest, digest, size in written:
            if dest in self._written:
                raise ValueError(f"two outputs claim one path: {dest!r}")
            self._written[dest], self._sizes[dest] = digest, size
        self._differences = self._pages = None
        self._lent -= 1

    def write(self, outputs: Iterable[Output]) -> list[tuple[str, str, int]]:
        """Write every Output (rendered bytes, or a copy of its source file), or link the previous build's file
        when its bytes are the same; returns (path, SHA-256, size) of each. outputs may be a generator: each is
        written before the next is asked for."""
        written = []
        for output in outputs:
            path = self.target(output.dest)
            if output.data is not None:
                digest, size = hashlib.sha256(output.data).hexdigest(), len(output.data)
            else:
                digest, size = output.digest or file_hash(output.source), output.source.stat().st_size
            if not self._holds(output.dest, digest, size, path):
                self._clear(output.dest, path)
                if not self._link_unchanged(output.dest, digest, size, path):
                    if output.data is not None:
                        _write_new(path, output.data)
                    else:  # what is recorded is what was copied, whatever output.digest said
                        digest, size = _copied(output.source, path)
            self._written[output.dest], self._sizes[output.dest] = digest, size
            written.append((output.dest, digest, size))
        return written

    def _holds(self, dest: str, digest: str, size: int, path: str | None = None) -> bool:
        """Whether the folder already has these bytes at dest (a spare's file, by its manifest and size); path is
        dest's file, when known."""
        if self.held.get(dest) != digest:
            return False
        if path is None:  # dest is in the spare's manifest, which lists site paths only (manifest.is_site_path)
            path = self._root + "/" + dest
        if dest not in self._touched and path.rpartition("/")[0] in self._trusted:
            return True  # its folder is as it was published, and this process has not removed the file since
        try:
            found = os.lstat(path)
        except OSError:
            return False
        return found.st_size == size and S_ISREG(found.st_mode)

    def _clear(self, dest: str, path: str) -> None:
        """Make way for new bytes at dest: a spare's file may share its inode with a served one, so it is
        unlinked, never opened for writing."""
        if not self._spare:
            return  # a new staging folder: nothing is there
        self._touched.add(dest)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except IsADirectoryError:  # the spare's folder where this build puts a file: nothing in it was written
            shutil.rmtree(path)
            inside = path + os.sep
            self._touched.update(held for held in self.held if held.startswith(dest + "/"))
            self._folders = {folder for folder in self._folders if folder != path and not folder.startswith(inside)}

    def _link_unchanged(self, dest: str, digest: str, size: int, path: str) -> bool:
        old = self.previous.unchanged(dest, digest, size)
        if old is None:
            return False
        try:
            os.link(old, path)
        except OSError:  # another file system, or one without hard links: the bytes are written instead
            return False
        return True

    def keep(self, files: dict[str, tuple[str, int]]) -> bool:
        """Link every file (site path -> SHA-256 and size) from the previous build when all of them are there
        unchanged; else link none and return False, so the caller writes them."""
        # The spare's own file is enough (one lstat); else the served one, which the caller's record vouches for.
        found = {}
        for dest, (digest, size) in files.items():
            found[dest] = True if self._holds(dest, digest, size) else self.previous.unchanged(dest, digest, size)
            if found[dest] is None:
                return False
        if not found:
            return False
        for dest, old in found.items():
            if old is not True:
                path = self.target(dest)
                self._clear(dest, path)
                _link_or_copy(old, path)
            elif dest in self._written:  # the spare's file: its path was checked, and its folder is there
                raise ValueError(f"two outputs claim one path: {dest!r}")
            self._written[dest], self._sizes[dest] = files[dest]
        self._differences = self._pages = None
        return True

    def files(self) -> list[tuple[str, str, int]]:
        """(path, SHA-256, size) of every file written or kept so far, for claim() in the process that lent it."""
        return [(dest, digest, self._sizes[dest]) for dest, digest in self._written.items() if digest]

    def digest_of(self, dest: str) -> str | None:
        """The SHA-256 of the file written at dest, or None when none was."""
        return self._written.get(dest) or None

    def written(self) -> dict[str, str]:
        """Site path -> SHA-256 of every file written so far."""
        return dict(self._written)

    def sizes(self) -> dict[str, int]:
        """Site path -> size of every file written so far."""
        return dict(self._sizes)

    def paths(self) -> Iterator[str]:
        """The site path of every file written so far (not of one asked for and not yet written)."""
        return (dest for dest, digest in self._written.items() if digest)

    def folders(self) -> list[str]:
        """Every folder that holds a file written so far, as a site path, in name order."""
        if self._listed is None or self._listed[0] != len(self._written):  # worked out again after a write
            self._listed = (len(self._written), sorted(_folders_of("", self.paths())))
        return list(self._listed[1])

    def pages(self) -> dict[str, str]:
        """Site path -> SHA-256 of every HTML page written so far."""
        if self._pages is None:
            self._pages = {dest: digest for dest, digest in self._written.items() if dest.endswith(".html")}
        return dict(self._pages)

    def write_manifest(self) -> None:
        """Write manifest.sha256 listing every file written so far: the previous build's manifest with the
        differences patched in when they are few, else written whole."""
        listed = len(self._written) - (MANIFEST in self._written)
        differences = self.differences()
        hashes = None  # the entries as a dict of their own: made only when written whole or remembered
        if self.previous.text and len(differences) * _PATCHED_AT_MOST <= listed:
            data = patched(self.previous.text, differences)
        else:
            hashes = self._manifest_entries()
            data = manifest_text(hashes).encode("utf-8")
        [(_, digest, _)] = self.write([Output(MANIFEST, data)])
        self._differences = differences  # as they were: a manifest does not list itself
        # What parse() gives for data (in another order): every path passed _inside() and every digest is a SHA-256.
        if self.parsed is not None and listed:
            hashes = hashes or self._manifest_entries()
            if "" not in hashes.values():
                self.parsed.remember(MANIFEST, data, _Manifest(hashes, digest, ordered=True))

    def _manifest_entries(self) -> dict[str, str]:
        """Site path -> SHA-256 of every file written so far but the manifest: what a manifest lists."""
        return {dest: digest for dest, digest in self._written.items() if dest != MANIFEST}

    def differences(self) -> dict[str, str | None]:
        """Each site path whose entry in a manifest of the files written so far would differ from the previous
        build's manifest: its SHA-256 now, or None when no file was written there (the manifest itself left out)."""
        if self._differences is None:
            old, new = self.previous.hashes, self._written
            # C-level passes: an edit leaves all but a few dozen of hundreds of thousands of entries as they were.
            changed = compress(new, map(ne, new.values(), map(old.get, new)))
            self._differences = {dest: new[dest] for dest in changed if dest != MANIFEST}
            self._differences.update(dict.fromkeys(filterfalse(new.__contains__, old)))
        return self._differences

    def copy_tree(self, source: Path, dest: str, *, fill: bool = False) -> int:
        """Copy a folder (such as static/) under `dest`: its regular files only, hidden ones skipped; returns the count.

        With fill, a file already written at the same path is kept rather than refused (a site's own static file
        over the default theme's)."""
        count = 0
        for path in sources.walk(source).files:
            target = f"{dest}/{path.relative_to(source).as_posix()}"
            if fill and target in self._written:
                continue
            self.write([Output(target, source=path)])
            count += 1
        return count

    def changes(self) -> Changes:
        """The files added, changed, removed and left as they were, against the previous build's manifest."""
        differences, old = self.differences(), self.previous.hashes
        removed = sum(digest is None for digest in differences.values())
        added = sum(dest not in old for dest in differences)  # a removed path is one of old's
        changed = len(differences) - removed - added
        return Changes(added, changed, removed, len(self._written) - (MANIFEST in self._written) - added - changed)

    def prune(self) -> None:
        """Remove what the folder held that this build did not write, and the folders that leaves empty."""
        emptied = set()
        # A C-level pass over the spare's files: an edit build writes or keeps all but a few of them.
        for dest in filterfalse(self._written.__contains__, self.held):
            if dest not in self._touched:
                _unlink(os.path.join(self._root, dest))
                emptied.add(os.path.dirname(dest))
        _remove_empty(self._root, emptied)

    def abandon(self) -> None:
        """After a failure: a new folder is deleted; the spare keeps a manifest of what it now holds (every file
        this process touched and did not finish is removed), or is deleted when worker processes may have left
        files it cannot account for."""
        if not self._spare or self._lent:
            shutil.rmtree(self.path, ignore_errors=True)
            return
        done = {dest: digest for dest, digest in self._written.items() if digest and dest != MANIFEST}
        for dest in self._touched - done.keys():
            _unlink(os.path.join(self._root, dest))
        for dest, digest in self._written.items():
            if not digest:  # asked for, not finished
                _unlink(os.path.join(self._root, dest))
        for folder in reversed(self._made):
            try:
                os.rmdir(folder)
            except OSError:
                pass
        unsure = self._touched | {dest for dest, digest in self._written.items() if not digest}
        holds = {dest: digest for dest, digest in self.held.items() if dest not in unsure} | done
        _unlink(os.path.join(self._root, MANIFEST))
        write_atomically(self.path / MANIFEST, manifest_text(holds).encode("utf-8"))

    @property
    def file_count(self) -> int:
        return len(self._written)


def _write_new(path: str, data: bytes) -> None:
    """Write data to path, made or emptied first, with nothing but the system calls that takes: open() also asks
    whether the file is a terminal and where it stands, twice the cost on the small files of a site."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        written = os.write(descriptor, data)
        while written < len(data):  # a write cut short (a signal, a full disk raises instead)
            written += os.write(descriptor, data[written:])
    finally:
        os.close(descriptor)


def _copied(source: Path, path: str) -> tuple[str, int]:
    """Copy a file's bytes to path; returns the SHA-256 and size of the bytes copied."""
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as reading, open(path, "wb") as writing:
        for block in iter(lambda: reading.read(1 << 20), b""):
            digest.update(block)
            size += writing.write(block)
    return digest.hexdigest(), size


def _folders_of(root: str, paths: Iterable[str]) -> set[str]:
    """Every folder (as a path under root, or a site path when root is "") that holds one of the site paths."""
    folders: set[str] = set()
    for dest in paths:
        folder = dest.rpartition("/")[0]  # a site path's parts are separated by "/" (Staging.target)
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return {os.path.join(root, folder) for folder in folders} if root else folders


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):  # gone, or a file and a folder swapped
        pass


def _remove_empty(root: str, folders: set[str]) -> None:
    """Remove each of the folders (site paths under root), and then its parents, while they are empty."""
    pending = set()
    for folder in folders:
        while folder:
            pending.add(folder)
            folder = os.path.dirname(folder)
    for folder in sorted(pending, key=lambda f: f.count("/"), reverse=True):
        try:
            os.rmdir(os.path.join(root, folder))
        except OSError:  # not empty (or already gone)
            pass


@contextmanager
def staged(
    out_dir: Path,
    *,
    seed: Path | None = None,
    reuse: bool = False,
    parsed: Parsed | None = None,
    spare_record: Path | None = None,
    swapped: Callable[[], None] = lambda: None,
) -> Iterator[Staging]:
    """Yield a Staging (seed's files hard-linked in when given; with reuse, the spare site updated in place and
    unchanged files linked from out_dir); on success it replaces out_dir, on failure out_dir is untouched. The
    manifests are parsed through parsed when given; with a spare_record, how the spare differs from the site is kept
    there for the next build, which then need not parse the spare's manifest (see _spare_manifest). swapped() is
    called as soon as the new folder is in place, before the spare is set aside and the records are written.

    A seed's files are shared with the seed (hard links), so whoever writes into the staging folder must never
    rewrite a file in place: it replaces it (write_atomically) or writes new names, as the Whoosh index does."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # The spare's manifest is read before the served one's (reading the spare's may read the served one: parsed once,
    # through a Parsed of this build's own when none is given), so parsed keeps the served one as used last: the
    # served site is the next build's spare.
    reading = parsed if parsed is not None else Parsed()
    held = _spare_manifest(out_dir, reading, spare_record) if reuse else None
    previous = Previous.of(out_dir, reading) if reuse else Previous()
    folder_record = spare_record.with_name(_FOLDER_RECORD_FILE) if spare_record is not None else None
    staging = _spare_staging(out_dir, previous, held, parsed, folder_record) if previous.folder and held else None
    if staging is None:
        _discard(spare_dir(out_dir))  # out of date, or not wanted (no reuse)
        staging = Staging(
            Path(tempfile.mkdtemp(prefix=_prefix(out_dir, "new"), dir=out_dir.parent)), previous, parsed=parsed
        )
    if seed is not None and seed.is_dir():
        shutil.copytree(seed, staging.path, dirs_exist_ok=True, copy_function=_link_or_copy)
    try:
        yield staging
        staging.prune()
    except BaseException:
        staging.abandon()
        raise
    replaced = _swap(staging.path, out_dir)
    swapped()
    if replaced is None and reuse:  # the first build: the next one should not have to link every file either
        _seed_spare(out_dir, staging)
    elif replaced is not None and reuse and replaced != spare_dir(out_dir):
        replaced.rename(spare_dir(out_dir))  # the site just replaced: the next build's staging folder
    elif replaced is not None and not reuse:
        shutil.rmtree(replaced, ignore_errors=True)
    if reuse and spare_record is not None:
        _record_spare(spare_record, replaced is not None, staging, parsed)
    if reuse and folder_record is not None:
        if replaced is None:  # the spare just seeded is a tree of folders of its own, as its next build will check
            _record_folders(folder_record, spare_dir(out_dir), staging, parsed)
        _record_folders(folder_record, out_dir, staging, parsed)


def _seed_spare(out_dir: Path, published: Staging) -> None:
    """Make the spare a copy of the site just published (from the staging folder `published`), of hard links, made
    aside and renamed into place (a copy left half made by a kill is a staging leftover, which recover() removes)."""
    # From the staging folder's own lists rather than a walk of the site: no folder is listed or stat'ed, and none
    # has its times and mode copied (a third of the time at 50,000 files).
    copy, site = tempfile.mkdtemp(prefix=_prefix(out_dir, "new"), dir=out_dir.parent), os.fspath(out_dir)
    for folder in published.folders():  # in name order: a folder before the folders inside it
        os.mkdir(f"{copy}/{folder}")
    for dest in published.paths():
        _link_or_copy(f"{site}/{dest}", f"{copy}/{dest}")
    os.chmod(copy, 0o755)
    os.rename(copy, spare_dir(out_dir))


def spare_dir(out_dir: Path) -> Path:
    """The spare site beside the output folder: site/ -> .site.spare/ (the site the last swap replaced)."""
    return out_dir.parent / f".{out_dir.name.lstrip('.')}.spare"


def _discard(path: Path) -> None:
    """Remove whatever is at path: a folder with its files, or a file or symlink itself."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


def _spare_manifest(out_dir: Path, parsed: Parsed, record: Path | None) -> _Manifest | None:
    """The manifest of the spare site, or None when there is no spare with a readable one: the served site's with
    the last build's changes undone when the record that build left is of these two manifests, else parsed."""
    spare = spare_dir(out_dir)
    if spare.is_symlink() or not spare.is_dir():
        return None
    body = records.load(record, _SPARE_RECORD, parsed)
    body = body if isinstance(body, dict) else {}
    written = body.get("served")  # the served manifest as the last build wrote it, when the record is of it
    return _Manifest.of(
        spare,
        parsed,
        lambda data: _undone(Previous.of(out_dir, parsed, written if _is_digest(written) else ""), body, data),
    )


_SPARE_RECORD = "spare 1"


def _undone(served: Previous, body: dict, data: bytes) -> _Manifest:
    """The spare's manifest, whose bytes are data: the served manifest's entries with the changes the spare record's
    body names undone, when it names these two manifests (by SHA-256); else data parsed."""
    digest = hashlib.sha256(data).hexdigest()
    if [body.get("spare"), body.get("served")] != [digest, served.digest]:
        return _Manifest.parsed(data)
    undo = body.get("undo")
    if not isinstance(undo, dict) or not all(
        is_site_path(path) and (old is None or _is_digest(old)) for path, old in undo.items()
    ):
        return _Manifest.parsed(data)
    hashes = dict(served.hashes)
    for path, old in undo.items():
        if old is None:
            hashes.pop(path, None)
        else:
            hashes[path] = old
    return _Manifest(hashes, digest)


def _is_digest(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and not value.strip("0123456789abcdef")


def _record_spare(record: Path, replaced: bool, published: Staging, parsed: Parsed | None) -> None:
    """Keep how the spare (the site replaced, published's previous build, or a copy of the one published when none
    was replaced) differs from the site published: each path whose entry differs, with the spare's (None: it has
    none). No record is kept when most entries differ: parsing the spare's manifest then costs no more."""
    own = published.digest_of(MANIFEST)  # None: the site was published without a manifest, so no spare to note
    spare = published.previous
    undo = {dest: spare.hashes.get(dest) for dest in published.differences()} if replaced else {}
    if own is None or len(undo) > (published.file_count - 1) // 4:  # of the files but the manifest
        record.unlink(missing_ok=True)
        return
    body = {
        "spare": spare.digest if replaced else own,
        "served": own,
        "undo": dict(sorted(undo.items())),
    }
    write_atomically(record, records.encoded(_SPARE_RECORD, body, parsed))


def _spare_staging(
    out_dir: Path, previous: Previous, held: _Manifest, parsed: Parsed | None, folder_record: Path | None
) -> Staging:
    """The spare site, which holds the files of manifest held, as the staging folder."""
    spare = spare_dir(out_dir)
    os.unlink(spare / MANIFEST)  # from now until the build ends the spare's files are not what a manifest says
    recorded = _recorded_folders(folder_record, held.digest, spare.stat().st_ino, parsed)
    hashes, folders, trusted = _swept(os.fspath(spare), held, recorded)
    return Staging(spare, previous, hashes, folders, trusted, parsed=parsed)


def _swept(
    root: str, held: _Manifest, recorded: tuple[dict, int] | None
) -> tuple[dict[str, str], set[str], frozenset[str]]:
    """Leave in the spare at root nothing but the regular files and the folders its manifest names: a file put into
    it by hand, or into the site it was while that was served, and a link where a file or a folder was, are removed
    (else they would be published again, or written through). Returns the entries of held that are there, the
    folders, and the folders trusted to hold their entries as published (all paths under root).

    A folder whose mtime and inode are those recorded when the site was published holds what it held then (any
    entry added, removed or renamed in it changes its mtime), unless that mtime was too close to the record to trust
    (an entry added in the same clock tick would not show): only the others are listed, and the trusted ones' files
    need not be looked at one by one. With no record, every folder is listed and none is trusted. (A file changed in
    place does not show in its folder's mtime; it shares its inode with the served file, which was changed alike.)"""
    folders, gone, trusted = set(), set(), set()  # gone: site paths of the manifest's folders that are not folders now
    wanted = held.folders_under(root)
    stats, seen_ns = recorded if recorded is not None else ({}, 0)
    for folder in sorted(held.folders() | {""}, key=lambda f: f.count("/") if f else -1):  # parents first
        path = f"{root}/{folder}" if folder else root
        if os.path.dirname(folder) in gone and folder:  # not looked into: its parent may be a link leading elsewhere
            gone.add(folder)
            continue
        try:
            found = os.lstat(path)
        except OSError:
            found = None
        if found is None or not S_ISDIR(found.st_mode):
            gone.add(folder)
            if found is not None:  # a file or a link where the folder was
                os.unlink(path)
            continue
        folders.add(path)
        if stats.get(folder) == [found.st_mtime_ns, found.st_ino] and not _racy(found.st_mtime_ns, seen_ns):
            trusted.add(path)
        else:
            _sweep_folder(path, f"{folder}/" if folder else "", held.hashes, wanted)
    if not gone:
        return held.hashes, folders, frozenset(trusted)
    within = tuple(f"{folder}/" for folder in gone)
    kept = {dest: digest for dest, digest in held.hashes.items() if not dest.startswith(within)}
    return kept, folders, frozenset(trusted)


def _racy(mtime_ns: int, seen_ns: int) -> bool:
    """Whether a folder's mtime is too close to seen_ns, when its stat was recorded, for a change made in the same
    clock tick to show in it."""
    # File systems that keep whole seconds (FAT, HFS+, some network shares) tick every second or two; the others
    # (ext4, XFS, Btrfs, tmpfs, APFS, NTFS) every few milliseconds at most, and then an mtime has nanoseconds.
    window = RACY_NS if mtime_ns % 1_000_000_000 == 0 else RACY_NS // 20
    return mtime_ns >= seen_ns - window


def _sweep_folder(path: str, prefix: str, hashes: dict[str, str], wanted: set[str]) -> None:
    """Remove from the folder at path (site path prefix) every entry but the regular files hashes names and the
    folders in wanted (paths under the root)."""
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.path not in wanted:
                    shutil.rmtree(entry.path)
            elif prefix + entry.name not in hashes or not entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)


_FOLDER_RECORD_FILE = "folders.record"
_FOLDER_RECORD = "folders 2"
_FOLDER_RECORDS_KEPT = 2  # the site published last, and the one before it (the next build's spare)


def _recorded_folders(record: Path | None, digest: str, inode: int, parsed: Parsed | None) -> tuple[dict, int] | None:
    """Site path -> [mtime, inode] of each folder of the site whose manifest has this SHA-256 and whose own folder
    this inode, as recorded when it was published, and when (time.time_ns() before the first stat); None when there
    is no such record."""
    # Two sites of the same bytes (a build that changed nothing, into the spare) are two trees of folders.
    body = records.load(record, _FOLDER_RECORD, parsed)
    sites = body.get("sites") if isinstance(body, dict) else None
    for entry in sites if isinstance(sites, list) else ():
        if isinstance(entry, list) and len(entry) == 3 and entry[0] == digest and _root_inode(entry[1]) == inode:
            return (entry[1], entry[2]) if isinstance(entry[2], int) else None
    return None


def _root_inode(stats: object) -> int | None:
    """The inode of the site's own folder in a record's stats (see _record_folders), if it is there."""
    root = stats.get("") if isinstance(stats, dict) else None
    return root[1] if isinstance(root, list) and len(root) == 2 else None


def _record_folders(record: Path, out_dir: Path, published: Staging, parsed: Parsed | None) -> None:
    """Record the mtime and inode of each folder of the site just published at out_dir (and of the site's own folder),
    or of a spare of it, by its manifest's SHA-256 and its own folder's inode, beside the record made before it."""
    own = published.digest_of(MANIFEST)
    if own is None:  # published without a manifest: nothing names it, so no spare is made of it
        return
    stats, seen_ns = {}, time.time_ns()
    root = os.fspath(out_dir)
    for folder in ("", *published.folders()):
        try:
            found = os.lstat(f"{root}/{folder}" if folder else root)
        except OSError:
            continue
        if S_ISDIR(found.st_mode):
            stats[folder] = [found.st_mtime_ns, found.st_ino]
    body = records.load(record, _FOLDER_RECORD, parsed)
    sites = body.get("sites") if isinstance(body, dict) and isinstance(body.get("sites"), list) else []
    same = (own, stats.get("", [None, None])[1])  # this site, should it be recorded already
    kept = [
        entry
        for entry in sites
        if isinstance(entry, list) and len(entry) == 3 and (entry[0], _root_inode(entry[1])) != same
    ]
    write_atomically(
        record,
        records.encoded(_FOLDER_RECORD, {"sites": [*kept[-_FOLDER_RECORDS_KEPT + 1 :], [own, stats, seen_ns]]}, parsed),
    )


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, target)


def _prefix(out_dir: Path, kind: str) -> str:
    """Staging folders are hidden siblings: site/ -> .site.new-*, .site-index/ -> .site-index.new-*."""
    return f".{out_dir.name.lstrip('.')}.{kind}-"


def _swap(new: Path, out_dir: Path) -> Path | None:
    """Put new in out_dir's place; returns the folder that now holds the replaced site (None: there was none)."""
    new.chmod(0o755)
    if not out_dir.exists():
        new.rename(out_dir)
        return None
    if _exchange(new, out_dir):
        return new  # `new` now holds the previous site
    # Two renames: a kill between them leaves no out_dir, which recover() undoes in the next build.
    old = Path(tempfile.mkdtemp(prefix=_prefix(out_dir, "old"), dir=out_dir.parent))
    out_dir.rename(old / out_dir.name)
    new.rename(out_dir)
    replaced = new.parent / f"{_prefix(out_dir, 'new')}{old.name}"
    (old / out_dir.name).rename(replaced)
    old.rmdir()
    return replaced


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2); False where the system cannot."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


@contextmanager
def locked(out_dir: Path, *siblings: Path) -> Iterator[None]:
    """Hold the output folder's lock for a build, after tidying what a killed build left of out_dir and siblings."""
    # The lock is taken on the folder that holds out_dir (flock on a directory), so it leaves no file behind;
    # builds into two output folders side by side therefore wait for each other too.
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out_dir.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusy(
                [
                    Problem(
                        shown_path(out_dir),
                        None,
                        "另一个构建正在写入这个输出文件夹。请等它结束后再运行。",
                        "output-busy",
                    )
                ]
            ) from None
        for folder in (out_dir, *siblings):
            recover(folder)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def write_atomically(path: Path, data: bytes) -> None:
    """Replace a file with data in one rename, so a reader (or a killed build) sees the old bytes or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)


def remove_folder(folder: Path) -> bool:
    """Delete a folder of derived data; True when there was one."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    shutil.rmtree(folder)
    return True


def recover(out_dir: Path) -> None:
    """Undo what a killed build left beside out_dir: put the previous folder back if only it remains, and remove
    staging folders and a spare that has no manifest (a build was changing it). Call only while holding the lock."""
    for old in sorted(out_dir.parent.glob(_prefix(out_dir, "old") + "*")):
        if not out_dir.exists() and (old / out_dir.name).is_dir():
            (old / out_dir.name).rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    for new in out_dir.parent.glob(_prefix(out_dir, "new") + "*"):
        shutil.rmtree(new, ignore_errors=True)
    spare = spare_dir(out_dir)
    if spare.is_dir() and not spare.is_symlink() and not (spare / MANIFEST).is_file():
        shutil.rmtree(spare, ignore_errors=True)
