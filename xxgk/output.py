"""Stage 6: write the built site into a staging folder and swap it into place only when all succeeded."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from . import sources
from .manifest import MANIFEST, file_hash, manifest_text
from .model import Output


class Staging:
    """A temporary folder beside the output folder that receives the whole new site."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self._written: dict[str, str] = {}  # site path -> SHA-256
        self._folders: set[Path] = set()

    def target(self, dest: str) -> Path:
        """The file for a site path; refuses paths that leave the folder or are written twice."""
        pure = PurePosixPath(dest)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise ValueError(f"output path escapes the site folder: {dest!r}")
        if dest in self._written:
            raise ValueError(f"two outputs claim one path: {dest!r}")
        self._written[dest] = ""
        path = self.path.joinpath(*pure.parts)
        self._make_folder(path.parent, dest)
        return path

    def _make_folder(self, folder: Path, dest: str) -> None:
        # Made one level at a time, so a folder that was already there (a symlink leading elsewhere) is
        # noticed with one lstat instead of resolving every path.
        if folder == self.path or folder in self._folders:
            return
        self._make_folder(folder.parent, dest)
        try:
            folder.mkdir()
        except FileExistsError:
            if folder.is_symlink() or not folder.is_dir():
                raise ValueError(f"output path escapes the site folder: {dest!r}") from None
        self._folders.add(folder)

    def claim(self, written: list[tuple[str, str]]) -> None:
        """Record (path, SHA-256) of files written here by worker processes, refusing any path already written."""
        for dest, digest in written:
            if dest in self._written:
                raise ValueError(f"two outputs claim one path: {dest!r}")
            self._written[dest] = digest

    def write(self, outputs: list[Output]) -> list[tuple[str, str]]:
        """Write every output (rendered bytes, or a copy of its source file); returns (path, SHA-256) of each."""
        for output in outputs:
            path = self.target(output.dest)
            if output.data is not None:
                path.write_bytes(output.data)
                self._written[output.dest] = hashlib.sha256(output.data).hexdigest()
            else:
                shutil.copyfile(output.source, path)
                self._written[output.dest] = file_hash(path)
        return [(o.dest, self._written[o.dest]) for o in outputs]

    def write_manifest(self) -> None:
        """Write manifest.sha256 listing every file written so far."""
        self.target(MANIFEST).write_text(manifest_text({k: v for k, v in self._written.items() if k != MANIFEST}),
                                         encoding="utf-8")

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

    @property
    def file_count(self) -> int:
        return len(self._written)


@contextmanager
def staged(out_dir: Path, *, seed: Path | None = None) -> Iterator[Staging]:
    """Yield a Staging (a copy of seed when given); on success it replaces out_dir, on failure out_dir is untouched."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Staging(Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent)))
    if seed is not None and seed.is_dir():
        shutil.copytree(seed, staging.path, dirs_exist_ok=True)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging.path, ignore_errors=True)
        raise
    _swap(staging.path, out_dir)


def _swap(new: Path, out_dir: Path) -> None:
    # Two renames on one file system: the old site is replaced in one step from a reader's view,
    # and it is only deleted once the new one is in place.
    new.chmod(0o755)
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        out_dir.rename(old / out_dir.name)
        new.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(out_dir)
