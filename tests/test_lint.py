"""The code style the project keeps (pyproject.toml [tool.ruff]): part of the one test command."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .conftest import REPO

SOURCES = ["xxgk", "tests", "bench", "build.py"]


@pytest.mark.parametrize("task", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff_finds_nothing(task):
    ruff = shutil.which("ruff", path=str(REPO / ".venv" / "bin")) or shutil.which("ruff")
    command = [ruff] if ruff else [sys.executable, "-m", "ruff"]
    result = subprocess.run([*command, *task, *SOURCES], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
