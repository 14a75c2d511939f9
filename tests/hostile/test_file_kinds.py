"""content/, static/, templates/ and reports/ hold only regular files: everything else is refused with its path.

Symlinks leaving their folder, dangling and looping links, links to folders, FIFOs and devices are never
opened (a FIFO would hang the build, /dev/zero would fill memory); misnamed and oversized documents are
reported. Each case exits 1 with its exact message and leaves every file as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from xxgk import content, sources

from ..conftest import GOOD_DOC, TODAY, brief_lines
from .sites import local_site, snapshot, time_limit

LINK_OUT = "是指向所在文件夹之外或隐藏位置（{}）的符号链接，出于安全不会被读取或发布。请把文件本身放在这里。"
SPECIAL = "不是普通文件（而是管道、设备或套接字），不会被读取。请删除它，换成普通文件。"
DANGLING = "是无法打开的符号链接（{}）。请删除它，或换成文件本身。"


def fifo(path: Path) -> None:
    os.mkfifo(path)


def link(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


def sparse(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with path.open("wb") as handle:
            handle.truncate(size)

    return make


# (entry, how to make it, the message the build prints for it; "{root}" is the site folder)
CASES = [
    ("content/fifo.md", fifo, SPECIAL),
    ("content/zero.md", link("/dev/zero"), LINK_OUT.format("/dev/zero")),
    ("content/environ.md", link("/proc/self/environ"), LINK_OUT.format("/proc/{pid}/environ")),
    ("content/dangling.md", link("nowhere.md"), DANGLING.format("文件或文件夹不存在")),
    ("content/loop.md", link("loop.md"), DANGLING.format("符号链接循环指向自身")),
    ("content/outside.md", link("../outside.md"), LINK_OUT.format("{root}/outside.md")),
    ("content/folder", link("sub"), "是指向文件夹或特殊文件的符号链接，不会被读取。请把文件本身放在这里。"),
    ("static/js/x.js", link("/proc/self/environ"), LINK_OUT.format("/proc/{pid}/environ")),
    ("static/leak.txt", link("../.git/config"), LINK_OUT.format("{root}/.git/config")),
    ("static/hidden.txt", link(".secret"), LINK_OUT.format("{root}/static/.secret")),
    ("static/pipe.css", fifo, SPECIAL),
    ("templates/x.html", link("/etc/passwd"), LINK_OUT.format("/etc/passwd")),
    ("reports/2021.yaml", fifo, SPECIAL),
    ("content/X.MD", link("sub/real.txt"), "扩展名应为小写的 .md（现为“.MD”），否则不会作为文件发布。请改名为 X.md。"),
    ("content/b.Md", sparse(10), "扩展名应为小写的 .md（现为“.Md”），否则不会作为文件发布。请改名为 b.md。"),
    (
        "content/c.markdown",
        sparse(10),
        "扩展名应为小写的 .md（现为“.markdown”），否则不会作为文件发布。请改名为 c.md。",
    ),
    (
        "content/..md",
        sparse(10),
        "文件名以“.”开头，会被当作隐藏文件而不发布。请去掉开头的“.”；不想发布的文件请用“草稿: true”。",
    ),
    (
        "content/.md",
        sparse(10),
        "文件名以“.”开头，会被当作隐藏文件而不发布。请去掉开头的“.”；不想发布的文件请用“草稿: true”。",
    ),
    ("content/huge.md", sparse(2 * 2**30), "文件过大（2048.0 MB，上限 10 MB）。请拆分文件，或把大段内容改为附件。"),
]


@pytest.fixture
def site(tmp_path) -> Path:
    root = local_site(
        tmp_path / "site-src",
        {
            "content/a.md": GOOD_DOC,
            "content/sub/real.txt": "正文",
            "outside.md": GOOD_DOC,
            ".git/config": "token=secret\n",
            "static/.secret": "secret",
            "reports/.keep": "",
        },
    )
    return root


@pytest.mark.parametrize(("entry", "make", "message"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("command", ["build", "check"])
def test_an_entry_that_is_not_a_regular_file_inside_its_folder_is_refused(site, run_cli, entry, make, message, command):
    make(site / entry)
    before = snapshot(site.parent)
    with time_limit(60):
        result = run_cli([command, "--today", TODAY, *(["--since", "none"] if command == "check" else [])], site)
    expected = message.format(root=site, pid=os.getpid())
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(f"{entry}: 错误 file-") and result.err.splitlines()[0].endswith(
        expected
    )
    assert snapshot(site.parent) == before


def test_a_link_to_a_file_inside_its_own_folder_is_published(site, run_cli):
    (site / "static/css/alias.css").symlink_to("site.css")
    assert run_cli(["build", "--today", TODAY], site).code == 0
    assert (site / "site/static/css/alias.css").read_bytes() == (site / "static/css/site.css").read_bytes()
    assert not (site / "site/static/css/alias.css").is_symlink()


def test_a_large_document_is_published_with_a_warning(site, run_cli, monkeypatch):
    monkeypatch.setattr(content, "WARN_BYTES", 200)  # the rule, not the 2 MB figure, is under test
    result = run_cli(["build", "--today", TODAY], site)
    assert result.code == 0
    size = len((site / "content/a.md").read_bytes()) / 2**20
    assert (
        f"content/a.md: 警告：文件很大（{size:.1f} MB），页面会很难打开。请考虑拆分，或把大段内容改为附件。"
        in brief_lines(result.err)
    )


def test_the_bounded_read_never_reads_past_its_limit(tmp_path):
    path = tmp_path / "a.md"
    path.write_bytes(b"x" * 101)
    assert sources.read_bytes(path, 101) == b"x" * 101
    with pytest.raises(sources.Unreadable, match="文件过大"):
        sources.read_bytes(path, 100)
    assert sources.head(path, 4) == b"xxxx"


@pytest.mark.parametrize(("limit", "outcome"), [(1000, b"x" * 101), (100, "文件过大")])
def test_a_file_that_grew_after_it_was_measured_is_read_to_its_end_or_refused(tmp_path, monkeypatch, limit, outcome):
    path = tmp_path / "a.md"
    path.write_bytes(b"x" * 101)
    measured = os.fstat

    def smaller(descriptor: int) -> os.stat_result:  # the size fstat() saw before the file grew to 101 bytes
        found = measured(descriptor)
        return os.stat_result((*found[:6], 10, *found[7:10]))

    monkeypatch.setattr(sources.os, "fstat", smaller)
    if isinstance(outcome, bytes):
        assert sources.read_bytes(path, limit) == outcome
    else:
        with pytest.raises(sources.Unreadable, match=outcome):
            sources.read_bytes(path, limit)


@pytest.mark.parametrize("make", [fifo, link("/dev/zero"), lambda p: p.mkdir()])
def test_nothing_but_a_regular_file_is_opened(tmp_path, make):
    path = tmp_path / "x"
    make(path)
    with time_limit(10), pytest.raises(sources.Unreadable, match="不是普通文件"):
        sources.read_bytes(path, 2**20)


@pytest.mark.parametrize("make", [fifo, link("/dev/zero")])
def test_import_never_opens_a_fifo_or_a_device(site, run_cli, make):
    make(site / "inbox.txt")
    with time_limit(60):
        result = run_cli(["import", "inbox.txt"], site)
    assert result.code == 1
    assert result.err == "inbox.txt: 不是普通文件（而是文件夹、管道或设备），不会被读取。\n"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (fifo, "这不是普通文件，而是管道、设备或套接字"),
        (link("/dev/zero"), "这不是普通文件，而是管道、设备或套接字"),  # named as typed, not by the link's target
        (Path.mkdir, "这是一个文件夹，不是文件"),
    ],
)
def test_a_config_that_is_not_a_regular_file_is_refused_unopened(site, run_cli, make, reason):
    make(site / "given.yaml")
    with time_limit(60):
        result = run_cli(["build", "--config", "given.yaml", "--today", TODAY], site)
    assert result.code == 1
    assert (
        brief_lines(result.err)[0] == f"given.yaml: 无法读取配置文件：{reason}。请用 --config 指定 config.yaml 文件。"
    )


def test_a_document_is_a_file_whose_name_ends_in_md(tmp_path, monkeypatch):
    names = ["a.md", "b.md.txt", "c.mdx", "d.MD", "e.markdown", "f.Markdown", "g.md.md", "h", ".i.md", "政策 解读.md"]
    for name in [*names, "sub/j.md"]:
        (tmp_path / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "content" / name).write_text(GOOD_DOC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    documents, problems = content.find(Path("content"))
    shown = ["content/a.md", "content/g.md.md", "content/政策 解读.md", "content/sub/j.md"]
    assert documents == [(name, name) for name in shown]
    assert [(p.path, p.code) for p in problems] == [
        ("content/d.MD", "file-name"),
        ("content/e.markdown", "file-name"),
        ("content/f.Markdown", "file-name"),
        ("content/.i.md", "file-name"),
    ]
    assert content.discover(tmp_path / "content") == [tmp_path / name for name in shown]
