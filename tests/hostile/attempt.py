"""Run one command against a throwaway site and record what it printed, returned and changed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..conftest import TODAY, Run, brief_lines
from .sites import snapshot

GENERATED = (
    "site",
    ".site-index",
    ".site-cache",
    ".site.spare",
    ".site.lock",
)  # a build's output and what it keeps beside it


def outside_output(root: Path) -> dict[str, tuple]:
    """Every entry under root except the build's own output."""
    return {name: entry for name, entry in snapshot(root).items() if name.split("/")[0] not in GENERATED}


@dataclass
class Attempt:
    """A command's result, and whether it left every file outside the output as it found it."""

    run: Run
    untouched: bool

    @property
    def lines(self) -> list[str]:
        return brief_lines(self.run.err)


def attempt(run_cli, root: Path, args: list[str]) -> Attempt:
    """Run the command in root (with the tests' fixed day for build and check) and compare the tree before and after."""
    before = outside_output(root)
    if args and args[0] in ("build", "check"):
        args = [*args, "--today", TODAY, "--since", "none"]
    result = run_cli(args, root)
    return Attempt(result, outside_output(root) == before)


def assert_refused(result: Attempt, expected: str) -> None:
    """The command failed with exactly one error, the expected one, and changed nothing outside the output."""
    assert result.run.code == 1
    assert expected in result.lines
    assert result.lines[-1].startswith("失败：错误 1 条，")
    assert result.untouched
