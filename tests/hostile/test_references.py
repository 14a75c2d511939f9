"""References between documents: no loops, and nothing published names a document that is not published yet.
Also `new`, which writes a document itself, refuses what the reader would refuse."""

from __future__ import annotations

import json

import pytest

from ..conftest import GOOD_DOC
from .attempt import attempt

A, B = "114403006955506492/2019-00001", "114403006955506492/2019-00002"


def doc(index_no: str, extra: str = "", published: str = "2019-03-06") -> str:
    text = GOOD_DOC.replace(A, index_no).replace("published: 2019-03-06", f"published: {published}")
    return text.replace("validity: 有效\n", "validity: 有效\n" + extra, 1)


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"content/a.md": doc(A, f"interprets: {A}\n")},
            [f"content/a.md:12: 解读对象“{A}”指向本文件自己。请填写另一份文件的索引号，或删去这一项。"],
        ),
        (
            {
                "content/a.md": doc(A, f"replaced_by: {B}\n").replace(
                    "validity: 有效", "validity: 失效\nrepealed: 2020-01-01"
                ),
                "content/b.md": doc(B, f"replaced_by: {A}\n").replace(
                    "validity: 有效", "validity: 失效\nrepealed: 2020-01-01"
                ),
            },
            [
                f"content/a.md:13: 替代文件“{B}”形成循环（{A} → {B} → {A}）。请填写另一份文件的索引号，或删去这一项。",
                f"content/b.md:13: 替代文件“{A}”形成循环（{B} → {A} → {B}）。请填写另一份文件的索引号，或删去这一项。",
            ],
        ),
    ],
    ids=["interprets itself", "replaced_by loop"],
)
def test_reference_loops_are_errors(files, expected, make_site, run_cli):
    result = attempt(run_cli, make_site(files), ["build"])
    assert result.run.code == 1
    assert result.lines[:-1] == expected


def test_an_interpretation_does_not_reveal_a_scheduled_document(make_site, run_cli):
    root = make_site(
        {"content/policy.md": doc(B, published="2027-01-04"), "content/interpretation.md": doc(A, f"interprets: {B}\n")}
    )
    result = attempt(run_cli, root, ["build"])
    assert result.run.code == 0, result.run.err
    leaked = [
        p.relative_to(root).as_posix()
        for p in (root / "site").rglob("*")
        if p.is_file() and (B.encode() in p.read_bytes() or B.replace("/", "-").encode() in p.read_bytes())
    ]
    assert leaked == []
    assert "定时发布：content/policy.md 将于 2027-01-04 发布，本次未生成。" in result.run.out
    later = run_cli(["build", "--today", "2027-01-04"], root)  # once the policy is out, the link appears
    assert (
        later.code == 0 and json.loads((root / "site" / f"doc/{A}.json").read_text(encoding="utf-8"))["interprets"] == B
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--title", " "], "--title 不能为空。"),
        (["--title", "关于\x0b通知"], "--title 含有字符 U+000B（控制字符），它不可见，不能写入文件。请删除它后重试。"),
        (["--title", "关于\n通知"], "--title 只能写一行，请去掉换行。"),
        (
            ["--title", "通知", "--genre", "通\u200b知"],
            "--genre 含有字符 U+200B（零宽字符），它不可见，不能写入文件。请删除它后重试。",
        ),
    ],
)
def test_new_refuses_what_the_reader_would(args, message, make_site, run_cli):
    root = make_site({})
    result = attempt(run_cli, root, ["new", "--publisher", "深圳市坪山区政府办公室", *args])
    assert (result.run.code, result.run.err) == (2, message + "\n")
    assert result.untouched and list((root / "content").rglob("*.md")) == []
