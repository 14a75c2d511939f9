"""Stage 6: write the built site into a staging folder and swap it into place only when all succeeded.

What holds for the output folder (say site/) at every moment, even when a build is killed:
- site/ is always either the whole previous build or the whole new one. The new build is staged in a
  sibling folder (.site.new-*) and exchanged with site/ in one atomic rename (Linux's RENAME_EXCHANGE), so a
  reader (nginx, rsync) never sees a mix or a missing folder. Where that call does not exist, two renames are
  used, and a kill between them is undone by the next build (site/ is renamed back from .site.old-*).
- A file whose bytes did not change is not written again: the staging folder gets a hard link to the file
  already served, so it keeps its inode and mtime and `rsync` (on times and sizes) sees only real changes.
  Which files are unchanged is read from the previous build's manifest.sha256 (and the size on disk).
- A file that the new build does not produce is absent from the staging folder, so it is gone after the swap.
- Only one build writes into one output folder at a time (an exclusive flock on the folder that holds it); the
  holder of the lock removes staging folders that a killed build left behind.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from stat import S_ISREG

from . import sources
from .errors import BuildError, Problem, shown_path
from .manifest import MANIFEST, file_hash, manifest_text, parse
from .model import Output


class OutputBusy(BuildError):
    """Another build holds the output folder's lock."""


@dataclass(frozen=True, slots=True)
class Previous:
    """The site being replaced and its manifest (site path -> SHA-256): where unchanged files are linked from."""

    folder: Path | None = None
    hashes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, out_dir: Path) -> Previous:
        """The previous build in out_dir, or nothing to reuse when it has no readable manifest."""
        try:
            text = (out_dir / MANIFEST).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return cls()
        return cls(out_dir, parse(text))

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


@dataclass(frozen=True, slots=True)
class Changes:
    """How a build's files differ from the previous build's."""

    added: int
    changed: int
    removed: int
    unchanged: int


class Staging:
    """A temporary folder beside the output folder that receives the whole new site."""

    def __init__(self, path: Path, previous: Previous | None = None):
        self.path = path
        self.previous = previous or Previous()
        path.mkdir(parents=True, exist_ok=True)
        self._root = os.fspath(path)
        self._written: dict[str, str] = {}  # site path -> SHA-256
        self._folders: set[str] = set()

    def target(self, dest: str) -> str:
        """The file for a site path; refuses paths that leave the folder or are written twice."""
        parts = dest.split("/")
        if not dest or dest.startswith("/") or "\0" in dest or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"output path escapes the site folder: {dest!r}")
        if dest in self._written:
            raise ValueError(f"two outputs claim one path: {dest!r}")
        self._written[dest] = ""
        # Strings, not Paths: a build asks for some 50,000 targets and pathlib was a tenth of an unchanged one.
        self._make_folder(os.path.join(self._root, *parts[:-1]), dest)
        return os.path.join(self._root, dest)

    def _make_folder(self, folder: str, dest: str) -> None:
        # Made one level at a time, so a folder that was already there (a symlink leading elsewhere) is
        # noticed with one lstat instead of resolving every path.
        if folder == self._root or folder in self._folders:
            return
        self._make_folder(os.path.dirname(folder), dest)
        try:
            os.mkdir(folder)
        except FileExistsError:
            if os.path.islink(folder) or not os.path.isdir(folder):
                raise ValueError(f"output path escapes the site folder: {dest!r}") from None
        self._folders.add(folder)

    def claim(self, written: list[tuple[str, str]]) -> None:
        """Record (path, SHA-256) of files written here by worker processes, refusing any path already written."""
        for dest, digest in written:
            if dest in self._written:
                raise ValueError(f"two outputs claim one path: {dest!r}")
            self._written[dest] = digest

    def write(self, outputs: Iterable[Output]) -> list[tuple[str, str]]:
        """Write every Output (rendered bytes, or a copy of its source file), or link the previous build's file
        when its bytes are the same; returns (path, SHA-256) of each. outputs may be a generator: each is written
        before the next is asked for."""
        written = []
        for output in outputs:
            path = self.target(output.dest)
            if output.data is not None:
                digest = hashlib.sha256(output.data).hexdigest()
                if not self._link_unchanged(output.dest, digest, len(output.data), path):
                    with open(path, "wb") as file:
                        file.write(output.data)
            else:
                digest = file_hash(output.source)
                if not self._link_unchanged(output.dest, digest, output.source.stat().st_size, path):
                    shutil.copyfile(output.source, path)
            self._written[output.dest] = digest
            written.append((output.dest, digest))
        return written

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
        found = {dest: self.previous.unchanged(dest, digest, size) for dest, (digest, size) in files.items()}
        if not files or None in found.values():
            return False
        for dest, old in found.items():
            path = self.target(dest)
            try:
                os.link(old, path)
            except OSError:
                shutil.copyfile(old, path)
            self._written[dest] = files[dest][0]
        return True

    def written(self) -> dict[str, str]:
        """Site path -> SHA-256 of every file written so far."""
        return dict(self._written)

    def size(self, dest: str) -> int:
        """The size of a file written here."""
        return self.path.joinpath(*PurePosixPath(dest).parts).stat().st_size

    def pages(self) -> dict[str, str]:
        """Site path -> SHA-256 of every HTML page written so far."""
        return {dest: digest for dest, digest in self._written.items() if dest.endswith(".html")}

    def write_manifest(self) -> None:
        """Write manifest.sha256 listing every file written so far."""
        data = manifest_text({k: v for k, v in self._written.items() if k != MANIFEST}).encode("utf-8")
        self.write([Output(MANIFEST, data)])

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
        old, new = self.previous.hashes, {k: v for k, v in self._written.items() if k != MANIFEST}
        same = sum(old.get(dest) == digest for dest, digest in new.items())
        added = sum(dest not in old for dest in new)
        return Changes(added, len(new) - added - same, sum(dest not in new for dest in old if dest != MANIFEST), same)

    @property
    def file_count(self) -> int:
        return len(self._written)


@contextmanager
def staged(out_dir: Path, *, seed: Path | None = None, reuse: bool = False) -> Iterator[Staging]:
    """Yield a Staging (seed's files hard-linked in when given; linking unchanged files from out_dir when reuse);
    on success it replaces out_dir, on failure out_dir is untouched.

    A seed's files are shared with the seed (hard links), so whoever writes into the staging folder must never
    rewrite a file in place: it replaces it (write_atomically) or writes new names, as the Whoosh index does."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    previous = Previous.of(out_dir) if reuse else Previous()
    staging = Staging(Path(tempfile.mkdtemp(prefix=_prefix(out_dir, "new"), dir=out_dir.parent)), previous)
    if seed is not None and seed.is_dir():
        shutil.copytree(seed, staging.path, dirs_exist_ok=True, copy_function=_link_or_copy)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging.path, ignore_errors=True)
        raise
    _swap(staging.path, out_dir)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, target)


def _prefix(out_dir: Path, kind: str) -> str:
    """Staging folders are hidden siblings: site/ -> .site.new-*, .site-index/ -> .site-index.new-*."""
    return f".{out_dir.name.lstrip('.')}.{kind}-"


def _swap(new: Path, out_dir: Path) -> None:
    new.chmod(0o755)
    if not out_dir.exists():
        new.rename(out_dir)
    elif _exchange(new, out_dir):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the previous site
    else:
        # Two renames: a kill between them leaves no out_dir, which recover() undoes in the next build.
        old = Path(tempfile.mkdtemp(prefix=_prefix(out_dir, "old"), dir=out_dir.parent))
        out_dir.rename(old / out_dir.name)
        new.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)


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
    staging folders. Call only while holding the lock."""
    for old in sorted(out_dir.parent.glob(_prefix(out_dir, "old") + "*")):
        if not out_dir.exists() and (old / out_dir.name).is_dir():
            (old / out_dir.name).rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    for new in out_dir.parent.glob(_prefix(out_dir, "new") + "*"):
        shutil.rmtree(new, ignore_errors=True)
