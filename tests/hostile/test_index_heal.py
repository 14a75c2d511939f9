"""A damaged or partly deleted .site-index is noticed: `search` says so without a traceback, and the next build
rebuilds it from the content with a one-line notice."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..conftest import GOOD_DOC
from .attempt import attempt

NOTICE = "注意：上一次的搜索索引已损坏（有文件缺失或被改动），本次已从内容重建。"
DAMAGED = (
    "搜索索引已损坏（有文件缺失或被改动）。请重新运行 xxgk build（源代码目录中为 ./dev build），"
    "它会从内容自动重建索引。"
)


def _one(index: Path, pattern: str) -> Path:
    return sorted(index.glob(pattern))[0]


DAMAGES = {
    "postings file deleted": lambda index: _one(index, "*.pst").unlink(),
    "terms file truncated": lambda index: _one(index, "*.trm").write_bytes(_one(index, "*.trm").read_bytes()[:10]),
    "fingerprint column overwritten": lambda index: _one(index, "*fingerprint.col").write_bytes(b"\x00" * 64),
    "latest table of contents deleted": lambda index: sorted(index.glob("_*.toc"))[-1].unlink(),
    "half the files deleted": lambda index: [p.unlink() for p in sorted(index.iterdir())[::2]],
    "marker garbled": lambda index: (index / "xxgk-search.json").write_text("{garbage", encoding="utf-8"),
    "a byte flipped, same size": lambda index: _flip(_one(index, "*.pst")),
}


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_damaged_index_is_reported_by_search_and_healed_by_build(damage, make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC})
    assert attempt(run_cli, root, ["build"]).run.code == 0
    index = root / ".site-index"
    damage(index)
    searched = run_cli(["search", "东进战略"], root)
    assert (searched.code, searched.out, searched.err) == (1, "", f"{index}: {DAMAGED}\n")
    rebuilt = attempt(run_cli, root, ["build"])
    assert rebuilt.run.code == 0 and rebuilt.untouched
    assert NOTICE in rebuilt.run.out.splitlines()
    found = run_cli(["search", "东进战略"], root)
    assert found.code == 0 and found.out.startswith("“东进战略”共找到 1 条")
    again = run_cli(["build", "--today", "2026-11-23"], root)
    assert NOTICE not in again.out  # healed for good: the next build updates it as usual


def test_a_deleted_index_is_rebuilt_without_alarm(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC})
    assert attempt(run_cli, root, ["build"]).run.code == 0
    shutil.rmtree(root / ".site-index")
    rebuilt = attempt(run_cli, root, ["build"])
    assert rebuilt.run.code == 0 and NOTICE not in rebuilt.run.out and "全部重建" in rebuilt.run.out
