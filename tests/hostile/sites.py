"""Helpers for the hostile-input tests: a self-contained site folder and a snapshot of every entry under a folder."""

from __future__ import annotations

import os
import shutil
import signal
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..conftest import MINIMAL_CONFIG, REPO

# The site's own templates/ and static/ (copies), so no test can reach the repository's folders.
LOCAL_PATHS = "paths:\n  templates: templates\n  static: static\n"
BIG = 2**20  # bytes: snapshot() compares larger files by their stat, not their bytes


def local_site(root: Path, files: dict[str, str | bytes], config: str = MINIMAL_CONFIG + LOCAL_PATHS) -> Path:
    """A site folder at root with copies of the repository's templates/ and static/, config.yaml and files."""
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "static", root / "static")
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "config.yaml").write_text(config, encoding="utf-8")
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return root


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under root, links not followed: (kind, bytes) for files, the target for links, the kind otherwise.

    A file over BIG is known by its size, inode and change time instead of its bytes (any write moves the change
    time): reading a case's 2 GB sparse file twice per test took most of the hostile tests' time and memory.
    """
    found: dict[str, tuple] = {}
    for folder, subfolders, files in os.walk(root):
        for name in [*subfolders, *files]:
            path = Path(folder, name)
            about = path.lstat()
            mode = about.st_mode
            if stat.S_ISLNK(mode):
                found[path.relative_to(root).as_posix()] = ("link", os.readlink(path))
            elif stat.S_ISREG(mode) and about.st_size > BIG:
                found[path.relative_to(root).as_posix()] = ("file", about.st_size, about.st_ino, about.st_ctime_ns)
            elif stat.S_ISREG(mode):
                found[path.relative_to(root).as_posix()] = ("file", path.read_bytes())
            else:
                found[path.relative_to(root).as_posix()] = (stat.S_IFMT(mode),)
    return found


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail instead of hanging: a FIFO or a device opened by mistake blocks forever."""

    def expired(signum, frame):
        raise TimeoutError(f"still running after {seconds} s: something blocked on a FIFO or a device")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
