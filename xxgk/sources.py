"""The input folders (content/, templates/, static/, reports/): only regular files inside the folder are read.

A symlink is followed only when it leads to a regular file inside the folder being read (so
`ln -s ../../.git/config static/x.js` or a link to /proc cannot publish what it points at). FIFOs,
devices, sockets, links to folders, dangling and looping links are located problems; none of them is
ever opened, because every file is checked with lstat/stat before it is opened.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Problem, shown_path
from .failures import os_reason

# Characters no file name the site publishes may hold: they break manifest lines, CSV cells and terminal output.
_CONTROL = re.compile("[\x00-\x1f\x7f]")


class Unreadable(Exception):
    """A file that must not or cannot be read: `message` says so to an editor, `reason` is the bare cause (both
    Chinese)."""

    def __init__(self, message: str, code: str = "file-kind", reason: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.reason = reason or message.rstrip("。")


@dataclass(slots=True)
class Walk:
    """What a folder holds: its readable files (sorted), its hidden files, and every entry refused."""

    # Each folder entered, with the names of its readable files, sorted: names, not paths, because a content folder
    # holds tens of thousands of files and a Path costs more to make than the walk itself.
    folders: list[tuple[Path, list[str]]] = field(default_factory=list)
    hidden: list[Path] = field(default_factory=list)  # names starting with "." (folders of that kind are not entered)
    problems: list[Problem] = field(default_factory=list)

    @property
    def files(self) -> list[Path]:
        """Every readable file, in the walk's order."""
        return [folder / name for folder, names in self.folders for name in names]


def walk(folder: Path) -> Walk:
    """Every regular file under folder in a stable order; anything else is a Problem naming its path."""
    found = Walk()
    if not folder.is_dir():
        return found
    root = Path(os.path.realpath(folder))
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            found.problems.append(_problem(current, f"无法读取这个文件夹（{describe(exc)}）。", "file-unreadable"))
            continue
        subfolders, names = [], []
        for entry in entries:
            if entry.name.startswith("."):
                if not entry.is_dir(follow_symlinks=False):
                    found.hidden.append(current / entry.name)
                continue
            refusal = _refusal(entry, root)
            if refusal:
                found.problems.append(_problem(current / entry.name, refusal, "file-kind"))
            elif entry.is_dir(follow_symlinks=False):
                subfolders.append(current / entry.name)
            else:
                names.append(entry.name)
        found.folders.append((current, names))
        # A folder's files come before its subfolders', as with os.walk(topdown=True).
        pending += reversed(subfolders)
    return found


def problems(*folders: Path) -> list[Problem]:
    """The refused entries of each folder (for the folders whose files are read elsewhere, such as templates/)."""
    return [problem for folder in folders for problem in walk(folder).problems]


def _refusal(entry: os.DirEntry, root: Path) -> str | None:
    """Why an entry may not be read, or None for a regular file, a real folder or a link to a file inside root."""
    if _CONTROL.search(entry.name):
        return "文件名含有控制字符（如换行、制表符）。请给文件改一个普通的名字。"
    if entry.is_symlink():
        return _link_refusal(Path(entry.path), root)
    if entry.is_dir(follow_symlinks=False) or entry.is_file(follow_symlinks=False):
        return None
    return "不是普通文件（而是管道、设备或套接字），不会被读取。请删除它，换成普通文件。"


def _link_refusal(path: Path, root: Path) -> str | None:
    try:
        target = Path(os.path.realpath(path, strict=True))
        mode = target.stat().st_mode
    except (OSError, RuntimeError, ValueError) as exc:
        return f"是无法打开的符号链接（{describe(exc)}）。请删除它，或换成文件本身。"
    if not target.is_relative_to(root) or any(p.startswith(".") for p in target.relative_to(root).parts):
        return f"是指向所在文件夹之外或隐藏位置（{target}）的符号链接，出于安全不会被读取或发布。请把文件本身放在这里。"
    if not stat.S_ISREG(mode):
        return "是指向文件夹或特殊文件的符号链接，不会被读取。请把文件本身放在这里。"
    return None


def read_bytes(path: Path, limit: int) -> bytes:
    """A regular file's bytes, at most `limit` of them; raises Unreadable for anything else, before opening it."""
    data = _read(path, limit + 1, limit)
    if len(data) > limit:
        raise Unreadable(_too_large(limit), "file-too-large")
    return data


def head(path: Path, size: int) -> bytes:
    """The first `size` bytes of a regular file of any length; raises Unreadable, before opening, for anything else."""
    return _read(path, size, None)


def _read(path: Path, size: int, limit: int | None) -> bytes:
    try:
        before = os.stat(path)
        if not stat.S_ISREG(before.st_mode):
            kind = (
                "这是一个文件夹，不是文件" if stat.S_ISDIR(before.st_mode) else "这不是普通文件，而是管道、设备或套接字"
            )
            raise Unreadable("不是普通文件（而是文件夹、管道或设备），不会被读取。", reason=kind)
        if limit is not None and before.st_size > limit:
            raise Unreadable(_too_large(limit, before.st_size), "file-too-large")
        # O_NONBLOCK: should the file have been swapped for a FIFO since stat(), open() still returns at once.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as exc:
        raise Unreadable(f"无法读取（{describe(exc)}）。", "file-unreadable", describe(exc)) from None
    with os.fdopen(descriptor, "rb") as handle:
        now = os.fstat(handle.fileno())
        if (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino) or not stat.S_ISREG(now.st_mode):
            raise Unreadable("读取时文件被替换了。请再运行一次。", "file-unreadable")
        # Asked for no more than the file holds (and a byte to see it end): read(size) makes a buffer of size bytes
        # first: some 40 µs for every document at the default limit.
        wanted = min(size, now.st_size + 1)
        data = handle.read(wanted)
        if len(data) == wanted < size:  # it grew since fstat(): the rest, up to size
            data += handle.read(size - wanted)
        return data


def _too_large(limit: int, size: int | None = None) -> str:
    found = f"{size / 2**20:.1f} MB，" if size is not None else ""
    return f"文件过大（{found}上限 {limit / 2**20:.0f} MB）。请拆分文件，或把大段内容改为附件。"


def describe(exc: BaseException) -> str:
    """A Chinese reason for an OSError, the RuntimeError Python raises for a symlink loop, or a NUL in a name."""
    if isinstance(exc, RuntimeError):
        return os_reason(OSError(errno.ELOOP, "loop"))
    if isinstance(exc, ValueError):
        return "文件名含有空字符"
    return os_reason(exc) if isinstance(exc, OSError) else str(exc)


def _problem(path: Path, message: str, code: str) -> Problem:
    return Problem(shown_path(path), None, message, code)
