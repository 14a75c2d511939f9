"""`verify` on a deployed copy: links, special files and stray folders are reported, never followed or opened;
the manifest is split on newlines only, and an empty, garbled, binary or missing manifest is a clear error."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from .sites import time_limit


@pytest.fixture
def deployed(built_sample_site, tmp_path) -> Path:
    """A copy of the built sample site, as rsync would leave it on a web server."""
    return Path(shutil.copytree(built_sample_site, tmp_path / "www"))


def verify(run_cli, folder: Path, *extra: str):
    with time_limit(60):
        return run_cli(["verify", str(folder), "--manifest", str(folder / "manifest.sha256"), *extra], folder.parent)


def test_an_untouched_copy_passes(deployed, run_cli):
    result = verify(run_cli, deployed)
    assert result.code == 0 and result.out.startswith(f"核对通过：{deployed} 的 ")


def replacing_robots(make):
    """A change that puts something else where the built robots.txt was."""
    return lambda site: ((site / "robots.txt").unlink(), make(site / "robots.txt"))


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (
            replacing_robots(lambda p: p.symlink_to("/etc/passwd")),
            "robots.txt: 是符号链接（站点中不应有链接，未跟随核对）",
        ),
        (
            lambda site: (site / "x.js").symlink_to("/proc/self/environ"),
            "x.js: 是符号链接（站点中不应有链接，未跟随核对）",
        ),
        (
            lambda site: os.mkfifo(site / "pipe.html"),
            "pipe.html: 不是普通文件（管道、设备，或清单中应为文件之处是文件夹）",
        ),
        (replacing_robots(Path.mkdir), "robots.txt: 不是普通文件（管道、设备，或清单中应为文件之处是文件夹）"),
        (lambda site: (site / "uploads").mkdir(), "uploads: 多出的文件夹（清单中没有其中的任何文件）"),
    ],
)
def test_links_special_files_and_stray_folders_are_reported(deployed, run_cli, change, line):
    change(deployed)
    result = verify(run_cli, deployed)
    assert result.code == 1
    assert f"{deployed}/{line}" in result.err.splitlines()


def test_a_file_replaced_by_a_link_to_its_own_copy_is_still_reported(deployed, run_cli):
    """Following the link would find identical bytes; the copy on the server is nonetheless not what was built."""
    shutil.move(deployed / "robots.txt", deployed.parent / "robots.txt")
    (deployed / "robots.txt").symlink_to(deployed.parent / "robots.txt")
    result = verify(run_cli, deployed)
    assert (
        result.code == 1
        and f"{deployed}/robots.txt: 是符号链接（站点中不应有链接，未跟随核对）" in result.err.splitlines()
    )


def test_a_line_separator_in_a_file_name_is_no_false_alarm(deployed, run_cli):
    name = "附件\u2028说明\u0085.txt"
    (deployed / name).write_bytes(b"x")
    with (deployed / "manifest.sha256").open("a", encoding="utf-8") as manifest:
        manifest.write(f"{hashlib.sha256(b'x').hexdigest()}  {name}\n")
    assert verify(run_cli, deployed).code == 0


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        (b"", "{m}: 构建清单是空的。请重新运行 build 生成完整的清单。"),
        (
            b"\n",
            "{m}:1: 构建清单第 1 行格式不对（应为“64 位十六进制 SHA-256、两个空格、文件路径”，每个路径只出现一次）。"
            "清单可能已损坏或被改动，请用构建产生的 manifest.sha256。",
        ),
        (
            b"0" * 64 + b"  index.html\nnonsense\n",
            "{m}:2: 构建清单第 2 行格式不对（应为“64 位十六进制 SHA-256、两个空格、文件路径”，"
            "每个路径只出现一次）。清单可能已损坏或被改动，请用构建产生的 manifest.sha256。",
        ),
        (
            b"0" * 64 + b"  ../etc/passwd\n",
            "{m}:1: 构建清单第 1 行格式不对（应为“64 位十六进制 SHA-256、两个空格、文件路径”，"
            "每个路径只出现一次）。清单可能已损坏或被改动，请用构建产生的 manifest.sha256。",
        ),
        (
            b"\x89PNG\r\n\x1a\n\xff\xfe",
            "{m}: 不是构建清单（不是 UTF-8 文本，可能是二进制文件）。请用 --manifest 指定构建产生的 manifest.sha256。",
        ),
    ],
)
def test_an_empty_garbled_or_binary_manifest_is_an_error(deployed, run_cli, manifest, message):
    path = deployed.parent / "manifest.sha256"
    path.write_bytes(manifest)
    result = run_cli(["verify", str(deployed), "--manifest", str(path)], deployed.parent)
    assert result.code == 1 and result.err == message.format(m=path) + "\n"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.mkdir(), "{m}: 构建清单不是普通文件（而是文件夹、管道或设备），不会被读取。"),
        (os.mkfifo, "{m}: 构建清单不是普通文件（而是文件夹、管道或设备），不会被读取。"),
        (lambda p: None, "{m}: 找不到构建清单。请先运行 build，或用 --manifest 指定 manifest.sha256。"),
    ],
)
def test_a_folder_a_fifo_or_nothing_as_the_manifest_is_an_error(deployed, run_cli, make, message):
    path = deployed.parent / "given"
    make(path)
    with time_limit(60):
        result = run_cli(["verify", str(deployed), "--manifest", str(path)], deployed.parent)
    assert result.code == 1 and result.err == message.format(m=path) + "\n"
