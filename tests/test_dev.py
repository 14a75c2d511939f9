"""`./dev` passes every xxgk command through, and build.py without the dependencies says how to get them."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from xxgk import cli

from .conftest import REPO

COMMANDS = sorted(cli._parser()._subparsers._group_actions[0].choices)


def test_the_commands_are_the_documented_ones():
    assert COMMANDS == ["build", "check", "clean", "import", "init", "new", "report", "search", "serve", "verify"]


@pytest.mark.parametrize("command", COMMANDS)
def test_dev_passes_each_command_through(command):
    result = subprocess.run([str(REPO / "dev"), command, "--help"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: xxgk {command}")


def test_dev_without_a_command_prints_its_usage():
    result = subprocess.run([str(REPO / "dev")], capture_output=True, text=True)
    assert result.returncode == 2
    assert "./dev check | import FILE | new … | search Q | report … | verify DIR | init DIR | clean" in result.stdout


def test_build_py_without_the_dependencies_prints_a_one_line_hint():
    # -S leaves site-packages off the path: a Python on which nothing was installed.
    result = subprocess.run([sys.executable, "-S", "build.py", "build"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 1
    assert re.fullmatch(
        r"缺少依赖包 (\w+)：请改用 \./dev build（自动安装依赖），或先运行 pip install \. 再用 xxgk 命令。"
        r" / Missing dependency \1: run \./dev build, or pip install \. and use the xxgk command\.\n",
        result.stderr,
    )
    assert result.stdout == ""
