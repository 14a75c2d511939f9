"""The one family of errors an editor can fix: each carries every Problem found, with file and line."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .pickled import quick_state

ERROR = "error"
WARNING = "warning"


@quick_state
@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a file, located and explained in Chinese an editor can act on."""

    path: str
    line: int | None
    message: str
    code: str
    level: str = ERROR
    column: int | None = None

    @property
    def is_error(self) -> bool:
        return self.level == ERROR

    def __str__(self) -> str:
        """`path:line:column: 级别 code message`, the one form every command prints (column 1 when unknown)."""
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.column or 1}"
        return one_line(f"{where}: {'错误' if self.is_error else '警告'} {self.code} {self.message}")

    def to_json(self) -> dict:
        """The problem as one row of `--format json`."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "level": self.level,
            "code": self.code,
            "message": self.message,
        }

    def sort_key(self) -> tuple:
        return (self.path, self.line or 0, self.column or 0, self.code, self.message)


# Line breaks and other controls a file name or an editor's text may carry: printed raw, they would start a new,
# forged line in check's output, which CI systems read as annotations.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """text with every control character written as an escape (\\n, \\x0b), so it prints as exactly one line."""
    return _CONTROLS.sub(lambda m: repr(m.group())[1:-1], text)


class BuildError(Exception):
    """Raised when input the editor controls is wrong; the CLI prints its problems and exits 1."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        # The problems are the only argument, so the error survives pickling out of a worker process.
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class ConfigError(BuildError):
    """config.yaml is unreadable or invalid."""


class ContentError(BuildError):
    """One or more documents under content/ are invalid."""


class TemplateError(BuildError):
    """A template failed to compile or to render."""


def raise_if_errors(problems: list[Problem], error_class: type[BuildError]) -> None:
    """Raise error_class with every problem when any of them is an error (warnings alone pass)."""
    if any(p.is_error for p in problems):
        raise error_class(problems)


def shown_path(path: Path) -> str:
    """How a Problem names a file: relative to the working folder when inside it, else absolute."""
    return shown_paths([path])[0]


def shown_paths(paths: list[Path]) -> list[str]:
    """shown_path for many files, looking up the working folder once."""
    cwd = os.getcwd()
    cwds = tuple(dict.fromkeys(folder.rstrip("/") + "/" for folder in (cwd, os.path.realpath(cwd))))
    return [_shown(path, cwds) for path in paths]


def shown_in(folder: Path, names: list[str]) -> list[str]:
    """shown_path of each named file in folder (names of its own entries), looking up the folder once."""
    shown = shown_path(folder)
    prefix = "" if shown == "." else shown.rstrip("/") + "/"
    return [prefix + name for name in names]


def _shown(path: Path, cwds: tuple[str, ...]) -> str:
    # Never relative to some other folder, and a symbolic link is not followed: an editor must recognise the path
    # and be able to paste it into their shell as it is. Strings, not pathlib: a build names thousands of files.
    absolute = os.path.abspath(path)
    for cwd in cwds:
        if absolute in (cwd, cwd[:-1]):  # the working folder itself (cwd ends with "/")
            return "."
        if absolute.startswith(cwd):
            return absolute[len(cwd) :]
    return absolute
