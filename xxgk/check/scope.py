"""Which findings `check PATH…` reports: those of the named documents, of the documents under a named folder (or in
the whole content folder, when a folder holding it is named) and of the documents whose attachments or body links
name a named file, and every finding outside the content folder (the config, templates, annual reports: the site
cannot be built while one of those is an error, whatever was named). A named path that holds nothing to check is a
warning, so that checking nothing never reads as a pass.

A file is known by its place: its folder with every link resolved, and its own name. A link inside the content
folder is judged where it is, as the build reads it (a link named `x.md` is a document, whatever it points at); a
link from outside the content folder by the file it reaches.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import Problem, shown_path
from ..model import DocumentFacts

_OUTSIDE = "不在内容文件夹中（check 只检查内容文件夹里的文件和它们的附件；配置、模板和年报的问题总会报告）"
_HIDDEN = "在以“.”开头的隐藏文件夹中，构建不读取也不发布其中的文件"
_BARE = (
    "不是 Markdown 文件，也没有哪篇能读取的文件把它列为附件或在正文中链接它"
    "（列出它的文件如有元数据错误，请一并检查那篇文件）"
)
_EMPTY = "其中没有 Markdown 文件，也没有哪篇文件列出或链接其中的文件"


class Scope:
    """The files and folders whose findings a check of named paths reports, and the named paths that hold nothing
    to check."""

    def __init__(self, content: str):
        """An empty scope over the content folder (resolved)."""
        self.content = content
        self.files: set[str] = set()  # places
        self.folders: list[str] = []  # resolved
        self.unchecked: list[Problem] = []
        self._bare: list[tuple[Path, str]] = []  # named files that are neither documents nor named by one
        self._folder_of: dict[str, str] = {}  # a folder as written -> resolved (problems crowd into few folders)
        self._cwd = os.getcwd()

    def report(self, problems: Iterable[Problem]) -> list[Problem]:
        """The problems the check reports, then a warning for each named path that holds nothing to check."""
        kept = [problem for problem in problems if self.covers(problem)]
        found = {self.place(problem.path) for problem in kept if problem.path}
        bare = [_unchecked(path, _BARE) for path, place in self._bare if place not in found]
        return kept + self.unchecked + bare

    def covers(self, problem: Problem) -> bool:
        """Whether the check reports problem."""
        place = self.place(problem.path) if problem.path else ""
        if not self._inside(place):  # the config's, a template's, an annual report's: always
            return True
        if place in self.files or any(place.startswith(folder + os.sep) for folder in self.folders):
            return True
        # A link in the content folder to a named document is read as a document of its own: its findings count.
        return os.path.islink(problem.path) and os.path.realpath(problem.path) in self.files

    def place(self, path: str | Path) -> str:
        """Where a file is: its folder with every link resolved (through the memo; a ".." after a link leaves the
        folder the link reaches, as the system reads it), and its own name."""
        folder, name = os.path.split(os.path.join(self._cwd, path))
        resolved = self._folder_of.get(folder)
        if resolved is None:
            resolved = self._folder_of[folder] = os.path.realpath(folder)
        return os.path.join(resolved, name)

    def _inside(self, place: str) -> bool:
        return place.startswith(self.content + os.sep)

    def _never_read(self, place: str) -> str | None:
        """Why the build never reads the file at place (outside the content folder, in a hidden folder), or None."""
        if not self._inside(place):
            return _OUTSIDE
        return _HIDDEN if _hidden_folder(place, self.content) else None

    def name(self, path: Path, named_by: dict[str, list[str]]) -> None:
        """Take one named path (which exists, or is a link) into the scope; named_by: a file's place or real path ->
        the places of the documents that name it."""
        place, real = self.place(path), os.path.realpath(path)
        # The documents that name it, wherever it is: an attachment the rules refuse (hidden, outside) is theirs too.
        documents = {*named_by.get(place, ()), *named_by.get(real, ())}
        self.files.update(documents)
        if path.is_dir() and not (path.is_symlink() and self._inside(place)):  # a link in the content: a file
            self._folder(path, real, named_by)
            return
        if not self._inside(place):  # named from outside: judged by the file it reaches
            place = real
        unread = self._never_read(place)
        if unread:
            if not documents:
                self.unchecked.append(_unchecked(path, unread))
            return
        self.files.add(place)
        if not documents and not place.endswith(".md"):
            self._bare.append((path, place))

    def _folder(self, path: Path, real: str, named_by: dict[str, list[str]]) -> None:
        """Take a named folder (real: resolved) into the scope, with the documents that name a file under it."""
        documents = {doc for file, docs in named_by.items() if file.startswith(real + os.sep) for doc in docs}
        self.files.update(documents)
        unread = self._never_read(os.path.join(real, ""))  # every part of the folder's path is a folder's
        if real == self.content or os.path.commonpath([real, self.content]) == real:
            self.folders.append(self.content)  # the content folder, or a folder that holds it: all of it
        elif unread:
            if not documents:
                self.unchecked.append(_unchecked(path, unread))
        else:
            self.folders.append(real)
            if not documents and not _holds_markdown(real):
                self.unchecked.append(_unchecked(path, _EMPTY))


def scope(named: Iterable[Path], content_dir: Path, documents: Iterable[DocumentFacts]) -> Scope:
    """The scope of a check of the named paths (each exists, or is a link)."""
    found = Scope(os.path.realpath(content_dir))
    named_by = _named_by(found, documents)
    for path in named:
        found.name(path, named_by)
    return found


def _named_by(found: Scope, documents: Iterable[DocumentFacts]) -> dict[str, list[str]]:
    """The places of the documents that name each file, by the file's place (and, for a link, its real path too)."""
    named_by: dict[str, list[str]] = {}
    for doc in documents:
        folder = os.path.dirname(doc.src)
        for name in doc.named_files:
            if "\0" in name:  # no file can have that name: the link's own finding says so
                continue
            path = os.path.join(folder, name)
            for key in {found.place(path), os.path.realpath(path)} if os.path.islink(path) else (found.place(path),):
                named_by.setdefault(key, []).append(found.place(doc.src))
    return named_by


def _holds_markdown(folder: str) -> bool:
    """Whether a Markdown file lies under folder, outside hidden folders (the walk stops at the first)."""
    for _, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        if any(name.endswith(".md") and not name.startswith(".") for name in files):
            return True
    return False


def _hidden_folder(place: str, content: str) -> bool:
    """Whether a file's place lies in a folder of the content folder whose name starts with "." (never read)."""
    return any(part.startswith(".") for part in place[len(content) + 1 :].split(os.sep)[:-1])


def _unchecked(path: Path, reason: str) -> Problem:
    return Problem(shown_path(path), None, f"{reason}，没有检查任何内容。", "path-unchecked", "warning")
