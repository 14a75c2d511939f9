"""Which findings `check PATH…` reports: those of the named documents, of the documents under a named folder and
of the documents that list a named file as an attachment, and every finding outside the content folder (the
config, templates, annual reports: the site cannot be built while one of those is an error, whatever was named).
A named path that holds nothing to check is a warning, so that checking nothing never reads as a pass."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, shown_path
from ..model import DocumentFacts


@dataclass(frozen=True, slots=True)
class Scope:
    """The files and folders whose findings a check of named paths reports (resolved paths)."""

    files: frozenset[Path]
    folders: tuple[Path, ...]
    content: str  # the content folder as problems name it (errors.shown_path)
    names: frozenset[str]  # the files' names: only a problem in a file of one of them (or a link) can be in files

    def covers(self, problem: Problem) -> bool:
        """Whether the check reports problem."""
        if not self._in_content(problem.path):  # the config's, a template's, an annual report's: always
            return True
        # Only a file of one of the names, or a link (which may lead to one), can resolve to a named one: the path of
        # every warning the rules found in the corpus is not resolved, unless a folder was named.
        if (os.path.basename(problem.path) in self.names or os.path.islink(problem.path)) and Path(
            problem.path
        ).resolve() in self.files:
            return True
        return bool(self.folders) and any(Path(problem.path).resolve().is_relative_to(f) for f in self.folders)

    def _in_content(self, path: str) -> bool:
        if self.content == ".":  # checked from inside the content folder
            return bool(path) and not os.path.isabs(path) and path.split("/")[0] != ".."
        return path.startswith(self.content + "/")


def scope(named: Iterable[Path], content_dir: Path, documents: Iterable[DocumentFacts]) -> tuple[Scope, list[Problem]]:
    """The scope of a check of the named paths (which exist), and a warning for each that holds nothing to check."""
    content = content_dir.resolve()
    by_attachment: dict[Path, list[Path]] = {}
    for doc in documents:
        for attachment in doc.attachments:
            by_attachment.setdefault((content / attachment.src).resolve(), []).append(Path(doc.src).resolve())
    files: set[Path] = set()
    folders: list[Path] = []
    problems = []
    for path in named:
        found = path.resolve()
        if found.is_dir() and found.is_relative_to(content):
            folders.append(found)
        elif found in by_attachment:
            files.update(by_attachment[found])
        elif found.is_relative_to(content) and found.suffix == ".md":
            files.add(found)
        else:
            problems.append(_unchecked(path, found.is_relative_to(content)))
    names = frozenset(path.name for path in files)
    return Scope(frozenset(files), tuple(folders), shown_path(content_dir), names), problems


def _unchecked(path: Path, inside: bool) -> Problem:
    reason = (
        "不是 Markdown 文件，也不是任何文件的附件"
        if inside
        else "不在内容文件夹中（check 只检查内容文件夹里的文件和它们的附件；配置、模板和年报的问题总会报告）"
    )
    return Problem(shown_path(path), None, f"{reason}，没有检查任何内容。", "path-unchecked", "warning")
