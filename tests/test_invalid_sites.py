"""Each folder of tests/data/invalid/ is a broken site: its exact messages and exit code are in expected.txt,
and a failed build must leave the previously built site exactly as it was.

Regenerate the expected files (then review the diff) with: UPDATE_GOLDEN=1 ./dev test tests/test_invalid_sites.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from .conftest import MINIMAL_CONFIG, REPO, TODAY, previous_site

CASES = Path(__file__).with_name("data") / "invalid"
PATHS = f"paths:\n  templates: {REPO / 'templates'}\n  static: {REPO / 'static'}\n"


def prepare(case: Path, tmp_path: Path) -> Path:
    root = tmp_path / case.name
    shutil.copytree(case, root, ignore=shutil.ignore_patterns("expected.txt"))
    config = root / "config.yaml"
    config.write_text(
        (config.read_text(encoding="utf-8") if config.exists() else MINIMAL_CONFIG) + PATHS, encoding="utf-8"
    )
    previous_site(root)
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_broken_site_fails_with_its_message_and_keeps_the_old_site(case, tmp_path, run_cli):
    root = prepare(case, tmp_path)
    before = snapshot(root / "site")
    result = run_cli(["build", "--today", TODAY], root)
    actual = f"exit: {result.code}\n{result.err}"
    expected_file = case / "expected.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")
    assert result.out == ""
    assert snapshot(root / "site") == before
    assert [p.name for p in root.iterdir() if re.search(r"\.(new|old)-", p.name)] == []  # no staging folder left behind


def parsed(line: str) -> tuple:
    """(path, line, column, level, code, message) of a problem as `build` prints it."""
    match = re.fullmatch(r"(.+?):(\d+):(\d+): (错误|警告) (\S+) (.*)", line) or re.fullmatch(
        r"(.+?)()(): (错误|警告) (\S+) (.*)", line
    )
    path, number, column, level, code, message = match.groups()
    return (
        path,
        int(number) if number else None,
        int(column) if column else None,
        "error" if level == "错误" else "warning",
        code,
        message,
    )


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_check_reports_the_same_problems(case, tmp_path, run_cli):
    root = prepare(case, tmp_path)
    result = run_cli(["check", "--today", TODAY, "--format", "json"], root)
    expected = [parsed(line) for line in (case / "expected.txt").read_text(encoding="utf-8").split("\n")[1:-2]]
    reported = [
        (p["path"], p["line"], p["column"] or (1 if p["line"] else None), p["level"], p["code"], p["message"])
        for p in json.loads(result.out)["problems"]
    ]
    assert result.code == 1
    assert reported == expected
