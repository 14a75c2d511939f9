"""Run one command against a throwaway site and record what it printed, returned and changed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..conftest import TODAY, Run

GENERATED = ("site", ".site-index")  # what a build may change: its output folder and the index beside it


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root except the build's own output, by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] not in GENERATED}


@dataclass
class Attempt:
    """A command's result, and whether it left every file outside the output as it found it."""

    run: Run
    untouched: bool

    @property
    def lines(self) -> list[str]:
        return self.run.err.splitlines()


def attempt(run_cli, root: Path, args: list[str]) -> Attempt:
    """Run the command in root (with the tests' fixed day for build and check) and compare the tree before and after."""
    before = snapshot(root)
    if args and args[0] in ("build", "check"):
        args = [*args, "--today", TODAY]
    if args and args[0] == "check":
        args = [*args, "--since", "none"]
    result = run_cli(args, root)
    return Attempt(result, snapshot(root) == before)


def assert_refused(result: Attempt, expected: str) -> None:
    """The command failed with exactly one error, the expected one, and changed nothing outside the output."""
    assert result.run.code == 1
    assert expected in result.lines
    assert result.lines[-1].startswith("失败：发现 1 个错误。")
    assert result.untouched
