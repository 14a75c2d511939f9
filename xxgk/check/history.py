"""Index numbers are permanent: compare each committed document's 索引号 with the one in the working tree."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..errors import WARNING, Problem
from ..frontmatter import written_value


def changed_index_numbers(content_dir: Path, rev: str, shown: callable) -> list[Problem]:
    """An error for every document whose index number differs from the one committed at rev; nothing to compare
    (and no finding) when the content folder is not in a git work tree or git is not installed, a warning when git
    refuses the work tree as another user's."""
    top = _top(content_dir)
    if top is None:
        return _refused(content_dir, shown)
    root = Path(top)
    committed = (
        None if rev.startswith("-") else _committed_texts(root, content_dir.resolve().relative_to(root).as_posix(), rev)
    )
    if committed is None:
        return [
            Problem(
                shown(content_dir),
                None,
                f"无法读取 git 版本“{rev}”，未核对索引号是否被改动。",
                "index-history",
                WARNING,
            )
        ]
    problems = []
    for relative, old_text in committed.items():
        path = root / relative
        before, now = written_value(old_text, "index_no"), _current(path)
        if before and now and before[0] != now[0]:
            problems.append(
                Problem(
                    shown(path),
                    now[1],
                    f"索引号由“{before[0]}”改为“{now[0]}”。索引号发布后不得更改：请恢复为“{before[0]}”；"
                    "如确属新文件，请新建文件并分配新的索引号。",
                    "index-changed",
                )
            )
    return problems


def _refused(content_dir: Path, shown: callable) -> list[Problem]:
    """A warning when git refuses to read the work tree the content folder is in because another user owns it (as in
    a CI container: git's safe.directory); nothing when there is no work tree."""
    # Asked with the check waived only to tell the two apart: nothing is read from such a repository, whose config
    # could run commands (core.fsmonitor) as git reads its files.
    repository = _top(content_dir, "-c", "safe.directory=*")
    if repository is None:
        return []
    return [
        Problem(
            shown(content_dir),
            None,
            f"git 拒绝读取仓库 {repository}（它的所有者不是运行本程序的用户），未核对索引号是否被改动。"
            f"如信任这个仓库，请运行 git config --global --add safe.directory '{repository}'，"
            "或以仓库所有者的身份运行。",
            "index-history",
            WARNING,
        )
    ]


def _current(path: Path) -> tuple[str, int] | None:
    try:
        return written_value(path.read_text(encoding="utf-8-sig"), "index_no")
    except (OSError, UnicodeDecodeError):
        return None


# Up to this many changed files are listed from the revision by name, more by listing their folder.
_NAMED_AT_MOST = 256


def _committed_texts(root: Path, folder: str, rev: str) -> dict[str, str] | None:
    """Path -> text, as committed at rev, of every .md file under folder that the working tree may have changed since
    (any other holds its committed index number still), or None when rev cannot be read."""
    edited = _edited(root, folder, rev)
    if edited is None:
        return None
    if not edited:
        return {}
    # -z: paths NUL-separated and unquoted, whatever they contain (Chinese, spaces, newlines). A few files are named
    # (literally): listing 100,000 committed files to find them took longer than git's look at the working tree.
    named = sorted(edited) if len(edited) <= _NAMED_AT_MOST else [folder]
    listing = _git(root, "--literal-pathspecs", "ls-tree", "-r", "-z", rev, "--", *named)
    if listing is None:
        return None
    blobs = {}  # path -> object id; objects are asked for by id, so no path ever enters cat-file's line protocol
    for entry in filter(None, listing.split(b"\0")):
        meta, _, name = entry.partition(b"\t")
        path = os.fsdecode(name)
        if meta.split()[1] == b"blob" and path.endswith(".md") and path in edited:
            blobs[path] = meta.split()[2]
    batch = subprocess.run(
        ["git", "-C", str(root), "cat-file", "--batch"],
        input=b"".join(o + b"\n" for o in blobs.values()),
        capture_output=True,
        check=False,
    ).stdout
    texts, position = {}, 0
    for path in blobs:
        header_end = batch.index(b"\n", position)
        size = int(batch[position:header_end].split()[2])
        texts[path] = batch[header_end + 1 : header_end + 1 + size].decode("utf-8", errors="replace")
        position = header_end + 1 + size + 1
    return texts


def _edited(root: Path, folder: str, rev: str) -> set[str] | None:
    """The files under folder (paths from root) whose working copy may differ from rev's: those git finds changed,
    staged or not, and those git is told not to look at (assume-unchanged, skip-worktree); None when rev cannot be
    read. git tells the others apart by their stat, so a build of 100,000 documents need not read every one twice."""
    # --literal-pathspecs: a folder named with * or [ is that folder, not a pattern.
    changed = _git(
        root,
        "--literal-pathspecs",
        "diff",
        "--name-only",
        "--no-renames",
        "--no-ext-diff",
        "--no-textconv",
        "-z",
        rev,
        "--",
        folder,
    )
    flagged = _git(root, "--literal-pathspecs", "ls-files", "-v", "-z", "--", folder)
    if changed is None or flagged is None:
        return None
    # ls-files -v tags each file: a lowercase letter when assume-unchanged, S when skip-worktree.
    unlooked = (entry[2:] for entry in flagged.split(b"\0") if entry[:1].islower() or entry[:1] == b"S")
    return {os.fsdecode(name) for name in (*filter(None, changed.split(b"\0")), *unlooked)}


def _top(folder: Path, *options: str) -> str | None:
    """The top folder of the git work tree folder is in (git run with options), or None when there is none."""
    found = _git(folder, *options, "rev-parse", "--show-toplevel")
    return None if found is None else os.fsdecode(found.removesuffix(b"\n"))


def _git(folder: Path, *args: str) -> bytes | None:
    """git's standard output as bytes (never decoded by the locale), or None when git is missing or fails."""
    try:
        result = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=False)
    except FileNotFoundError:
        return None
    return result.stdout if result.returncode == 0 else None


def revision(content_dir: Path, rev: str) -> str:
    """The repository and commit that rev names for the content folder (what changed_index_numbers compares with),
    or "" when there is none."""
    if rev.startswith("-"):
        return ""
    found = _git(content_dir, "rev-parse", "--show-toplevel", f"{rev}^{{commit}}")
    return os.fsdecode(found) if found else ""
