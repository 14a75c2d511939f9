"""Git output is read NUL-separated, so the index-number guard sees every file whatever its name; and no file
name can forge a line of check's output."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ..conftest import GOOD_DOC, TODAY

OLD, NEW = "114403006955506492/2019-00001", "114403006955506492/2019-00009"
NAMES = [
    "content/fdzdgknr/关于2019年工作的通知.md",
    "content/政策 解读/“引号”与空格.md",
    "content/fdzdgknr/tab\there.md",
    'content/fdzdgknr/quote"back\\slash.md',
]


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=编辑", "-c", "user.email=editor@example.gov.cn", *args],
        check=True,
        capture_output=True,
    )


@pytest.mark.parametrize("name", NAMES)
def test_a_changed_index_number_is_caught_under_any_file_name(name, make_site, run_cli):
    root = make_site({name: GOOD_DOC})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "发布")
    (root / name).write_text(GOOD_DOC.replace(OLD, NEW), encoding="utf-8")
    result = run_cli(["check", "--today", TODAY, "--format", "json"], root)
    problems = [p for p in json.loads(result.out)["problems"] if p["code"] == "index-changed"]
    assert result.code == 1
    assert [(p["path"], p["line"]) for p in problems] == [(name, 3)]


def test_a_file_name_with_a_line_break_cannot_forge_check_output(make_site, run_cli):
    forged = "content/x.md\ncontent/y.md:1:1: 错误 forged 伪造的一行\n"
    root = make_site({forged + "z.md": "没有元数据"})
    result = run_cli(["check", "--today", TODAY, "--since", "none"], root)
    lines = result.err.splitlines()
    assert result.code == 1
    assert lines[0].startswith("content/x.md\\ncontent") and len(lines) == 2  # one problem, one summary line
    assert not any(line.startswith("content/y.md") for line in lines)
