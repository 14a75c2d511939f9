"""No traceback ever reaches a user: each known failure has its own Chinese message and exit code, anything else
the top-level handler's, and --debug brings the traceback back. Every case runs the real command in a process."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from xxgk import failures

from ..conftest import GOOD_DOC, MINIMAL_CONFIG, REPO, TODAY, brief_lines
from .attempt import outside_output
from .sites import LOCAL_PATHS, local_site


def command(
    root: Path, *args: str, env: dict | None = None, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    """Run build.py in root as a user would, and check that no traceback came out."""
    result = subprocess.run(
        [*prefix, sys.executable, str(REPO / "build.py"), *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )
    assert "Traceback" not in result.stderr + result.stdout
    return result


@pytest.fixture
def site(tmp_path) -> Path:
    return local_site(tmp_path / "站点", {"content/a.md": GOOD_DOC})


def test_check_with_a_config_syntax_error_outside_git(site):
    # Without --since none, check used to reach the git comparison with no config (UnboundLocalError).
    (site / "config.yaml").write_text("site_name: [\n", encoding="utf-8")
    result = command(site, "check", "--today", TODAY)
    assert (result.returncode, result.stderr) == (
        1,
        "config.yaml:2:1: 错误 yaml-syntax YAML 格式错误：这里缺少值（例如多了一个逗号"
        "或一个单独的“-”）。请检查这一行的缩进、冒号和引号。\n检查未通过：错误 1 条，警告 0 条。\n",
    )


def test_check_with_an_unknown_config_key(site):
    (site / "config.yaml").write_text(MINIMAL_CONFIG + LOCAL_PATHS + "sitename: x\n", encoding="utf-8")
    result = command(site, "check", "--today", TODAY)
    line = (MINIMAL_CONFIG + LOCAL_PATHS).count("\n") + 1
    assert (result.returncode, result.stderr) == (
        1,
        f"config.yaml:{line}:1: 错误 unknown-key 配置文件中有未知的键“sitename”。"
        "是否想写“site_name”？\n检查未通过：错误 1 条，警告 0 条。\n",
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["--config", "/etc"],
            {},
            "/etc: 无法读取配置文件：这是一个文件夹，不是文件。请用 --config 指定 config.yaml 文件。",
        ),
        (
            ["build"],
            {"SOURCE_DATE_EPOCH": "abc"},
            "环境变量 SOURCE_DATE_EPOCH 的值“abc”不是有效的时间（应为从 1970-01-01 起的秒数，例如 1700000000）。"
            "请改正或删除这个环境变量，或用 --today 指定日期。",
        ),
        (
            ["new", "--publisher", "深圳市坪山区政府办公室", "--title", "通知", "--date", "2024-13-45"],
            {},
            "--date 的值“2024-13-45”不是 YYYY-MM-DD 形式的日期。",
        ),
        (
            ["report", "--year", "0"],
            {},
            "xxgk report: error: argument --year: 年度“0”应为 2008 年（《政府信息公开条例》施行）以后的四位年份，例如 2021",  # noqa: E501
        ),
        (
            ["serve", "--port", "99999"],
            {},
            "xxgk serve: error: argument --port: 端口“99999”应为 0 到 65535 之间的整数（0 表示自动选一个空闲端口）",
        ),
    ],
)
def test_a_bad_argument_or_setting_is_named(site, args, env, message):
    result = command(site, *args, env=env)
    assert result.returncode in (1, 2)
    assert message in brief_lines(result.stderr)
    assert not (site / "site").exists()


def test_serve_on_a_busy_port(site):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = command(site, "serve", "--today", TODAY, "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        f"无法在端口 {port} 上预览：端口已被其他程序占用。请关闭占用它的程序，或用 --port 换一个端口。"
    )


def test_a_folder_where_a_report_file_should_be(site):
    (site / "reports" / "2021.yaml").mkdir(parents=True)
    result = command(site, "build", "--today", TODAY)
    assert result.returncode == 1
    assert brief_lines(result.stderr)[0] == (
        "reports/2021.yaml: 这是一个文件夹，不是年报数据文件，其中的数据不会被读取。"
        "请删除这个文件夹，把数据写入同名的文件（可复制 reports/2021.yaml）。"
    )
    assert not (site / "site").exists()


def _unshared(*mount: str) -> tuple[str, ...]:
    """A prefix running a command in its own mount namespace with a tmpfs mounted on the output's parent."""
    if not shutil.which("unshare") or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("needs unshare with user and mount namespaces")
    return ("unshare", "-rm", "sh", "-c", f'mount -t tmpfs {" ".join(mount)} tmpfs out && exec "$@"', "sh")


@pytest.mark.parametrize(
    ("mount", "reason"),
    [
        (("-o", "size=64k"), "磁盘空间已满。请清理磁盘空间后重试"),
        (("-o", "ro"), "所在的磁盘是只读的。请换一个可写的输出文件夹（--out），或请管理员以可写方式挂载"),
    ],
)
def test_a_full_or_read_only_output_disk(site, mount, reason):
    (site / "out").mkdir()
    before = outside_output(site)
    result = command(site, "build", "--today", TODAY, "--out", "out/site", prefix=_unshared(*mount))
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].endswith(
        f"无法完成读写：{reason}。站点未更新，输出文件夹保持上一次成功构建的内容。"
    )
    assert outside_output(site) == before


def test_debug_shows_the_traceback(site):
    (site / "out").mkdir()
    result = subprocess.run(
        [
            *_unshared("-o", "ro"),
            sys.executable,
            str(REPO / "build.py"),
            "build",
            "--debug",
            "--today",
            TODAY,
            "--out",
            "out/site",
        ],
        cwd=site,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr and "OSError" in result.stderr


def _ctrl_c_as_in_a_terminal() -> None:
    """In the command's process before it starts: Ctrl+C acts as in a terminal even when this suite was started with
    it ignored (as a background job of a non-interactive shell is), which the command would otherwise inherit."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _building(site: Path, process: subprocess.Popen, seconds: int = 120) -> None:
    """Wait until the build is writing its staging folder (everything is read and checked by then)."""
    for _ in range(seconds * 100):
        if any(site.glob(".site.new-*")):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)
    pytest.fail("the build never started writing")


def test_ctrl_c_during_a_build(site):
    # Forty documents: still read and rendered in this one process, and long enough to interrupt while writing.
    for n in range(2, 42):
        (site / f"content/{n:03d}.md").write_text(GOOD_DOC.replace("2019-00001", f"2019-{n:05d}"), encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "build", "--today", TODAY],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    _building(site, process)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl+C in a terminal does: the whole process group
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out, err) == (
        130,
        "",
        "已中断（Ctrl+C）。站点未更新，输出文件夹保持上一次成功构建的内容。\n",
    )
    assert not (site / "site").exists()  # no half-built site was published


def _reading_in_workers(pid: int, seconds: int = 300) -> None:
    """Wait until the build has started its worker processes: it is then in the middle of reading the documents."""
    for _ in range(seconds * 20):
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if children.exists() and children.read_text().split():
            return
        time.sleep(0.05)
    pytest.fail("the build never started its worker processes")


def _stop(process: subprocess.Popen) -> None:
    """Leave no process of a failed test running: the command and any worker it left behind."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


def test_ctrl_c_in_the_middle_of_a_build(tmp_path):
    documents = {f"content/d{n}.md": GOOD_DOC.replace("2019-00001", f"2019-{n:05d}") for n in range(1, 400)}
    site = local_site(tmp_path / "站点", documents)
    before = outside_output(site)
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "build", "--today", TODAY],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    try:
        _reading_in_workers(process.pid)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl+C in a terminal does: the whole process group, workers too
        out, err = process.communicate(timeout=120)
    finally:
        _stop(process)
    assert (process.returncode, out, err) == (
        130,
        "",
        "已中断（Ctrl+C）。站点未更新，输出文件夹保持上一次成功构建的内容。\n",
    )
    assert outside_output(site) == before and not (site / "site").exists()


def test_serve_answers_404_to_a_nul_in_the_url_and_stops_on_ctrl_c(site):
    process = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--port", "0", "--today", TODAY],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    try:
        address = ""
        while "预览地址" not in address:
            address = process.stdout.readline()
            assert address, process.stderr.read()
        url = address.split("：", 1)[1].split()[0]
        for path in ("a%00b.html", "%00", "index.html%00.txt"):
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(url + path, timeout=30)
            answer.value.close()
            assert answer.value.code == 404
        with urllib.request.urlopen(url, timeout=30) as page:
            assert page.status == 200
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        _stop(process)
    assert process.returncode == 0
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (
            OSError(28, "No space left on device", "/srv/site/a.html"),
            "/srv/site/a.html：无法完成读写：磁盘空间已满。请清理磁盘空间后重试。",
        ),
        (
            OSError(98, "Address already in use"),
            "无法完成读写：端口已被其他程序占用。请关闭占用它的程序，或用 --port 换一个端口。",
        ),
        (OSError(9999, "Something new"), "无法完成读写：Something new。请检查磁盘和文件权限后重试。"),
        (MemoryError(), "内存不足，无法完成。请关闭其他程序后重试，或检查是否有异常巨大的文件。"),
        (
            KeyError("x"),
            "内部错误（KeyError: 'x'）。这是本工具的缺陷，不是内容的问题。请加上 --debug 重新运行以显示详细信息，"
            "并把输出发给维护人员。",
        ),
    ],
)
def test_every_unexpected_error_gets_a_chinese_message(error, message):
    assert failures.explain(error) == message
