"""Index numbers are permanent: compare each committed document's 索引号 with the one in the working tree."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from .errors import WARNING, Problem

INDEX_LINE = re.compile(r'^(?:index_no|索引号)\s*:\s*["\']?([^"\'#\n]+?)["\']?\s*(?:#.*)?$', re.MULTILINE)


def index_number_in(text: str) -> tuple[str, int] | None:
    """The index number written in a document's front matter, with its line, or None."""
    head = text.split("\n---", 1)[0]
    match = INDEX_LINE.search(head)
    return (match.group(1).strip(), head.count("\n", 0, match.start()) + 1) if match else None


def changed_index_numbers(content_dir: Path, rev: str, shown: callable) -> list[Problem]:
    """An error for every document whose index number differs from the one committed at rev."""
    top = _git(content_dir, "rev-parse", "--show-toplevel")
    if top is None:
        return [Problem(shown(content_dir), None, "不在 git 仓库中，无法核对索引号是否被改动。", "index-history", WARNING)]
    root = Path(top.strip())
    committed = _committed_texts(root, content_dir.resolve().relative_to(root).as_posix(), rev)
    if committed is None:
        return [Problem(shown(content_dir), None, f"无法读取 git 版本“{rev}”，未核对索引号是否被改动。", "index-history", WARNING)]
    problems = []
    for relative, old_text in committed.items():
        path = root / relative
        before, now = index_number_in(old_text), _current(path)
        if before and now and before[0] != now[0]:
            problems.append(Problem(shown(path), now[1], f"索引号由“{before[0]}”改为“{now[0]}”。索引号发布后不得更改：请恢复为“{before[0]}”；"
                                    "如确属新文件，请新建文件并分配新的索引号。", "index-changed"))
    return problems


def _current(path: Path) -> tuple[str, int] | None:
    try:
        return index_number_in(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return None


def _committed_texts(root: Path, folder: str, rev: str) -> dict[str, str] | None:
    names = _git(root, "ls-tree", "-r", "--name-only", rev, "--", folder)
    if names is None:
        return None
    paths = [n for n in names.splitlines() if n.endswith(".md")]
    batch = subprocess.run(["git", "-C", str(root), "cat-file", "--batch"], input="".join(f"{rev}:{p}\n" for p in paths).encode(),
                           capture_output=True, check=False).stdout
    texts, position = {}, 0
    for path in paths:
        header_end = batch.index(b"\n", position)
        size = int(batch[position:header_end].split()[2])
        texts[path] = batch[header_end + 1:header_end + 1 + size].decode("utf-8", errors="replace")
        position = header_end + 1 + size + 1
    return texts


def _git(folder: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    return result.stdout if result.returncode == 0 else None
