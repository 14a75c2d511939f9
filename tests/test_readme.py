"""The README tells the truth: every command in its `sh` blocks runs as typed in a fresh clone, and its module map
names every module of the package.

How the commands run: each `sh` block is one bash script (so a `cd` or an activated venv carries to the next
line), run in a fresh clone of the repository that shares this checkout's .venv (nothing is installed again), with
HOME in a temporary folder and pip reading only the wheels in .venv/wheels (PIP_NO_INDEX). Two kinds of line
cannot simply run to the end, and are handled so:
- `serve` (long-running): started in the background with `--port N` added (a free port, so test runs on one
  machine never collide), probed over HTTP at the address the line's comment gives until it answers 200, then
  stopped;
- `./dev test` with no arguments (the whole suite, which contains this test): not run. Every `./dev test …` line
  that names some tests runs.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO, fresh_clone, git, repository_files

README = (REPO / "README.md").read_text(encoding="utf-8")
SH_BLOCK = re.compile(r"^```(?:sh|bash|shell)\n(.*?)^```", re.MULTILINE | re.DOTALL)
SERVE = re.compile(r"(?:^|&& )(?:\./dev|xxgk) serve\b")
SERVE_URL = re.compile(r"http://127\.0\.0\.1:8000(/\S*)")
WHOLE_SUITE = "./dev test"

PROBE = """\
import sys, time, urllib.request
for _ in range(600):
    try:
        with urllib.request.urlopen(sys.argv[1], timeout=2) as response:
            sys.exit(0 if response.status == 200 else 1)
    except OSError:
        time.sleep(0.1)
sys.exit("serve did not answer " + sys.argv[1])
"""


def _blocks() -> list[str]:
    return SH_BLOCK.findall(README)


def _command(line: str) -> str:
    """A README line without its trailing comment."""
    return re.sub(r"\s+#\s.*$", "", line).strip()


def _script(block: str, port: int, probe: Path) -> str:
    """The bash script that runs one block's lines, with the long-running ones handled as the module says."""
    lines = ["set -eo pipefail"]
    for line in block.splitlines():
        command = _command(line)
        if not command or command.startswith("#"):
            continue
        if command == WHOLE_SUITE:
            lines.append(": the whole suite is not run from inside itself")
        elif SERVE.search(command):
            url = f"http://127.0.0.1:{port}{SERVE_URL.search(line).group(1)}"
            lines += [
                f"{command} --port {port} > serve.log 2>&1 & server=$!",
                f"python3 {probe} {url} || {{ cat serve.log; kill $server; exit 1; }}",
                "kill $server; wait $server || true",
            ]
        else:
            lines.append(command)
    return "\n".join(lines) + "\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_readme_has_shell_blocks_with_the_commands_that_matter():
    commands = [_command(line) for block in _blocks() for line in block.splitlines()]
    assert "pip install ." in commands and WHOLE_SUITE in commands
    assert any(SERVE.search(c) for c in commands) and any(c.startswith("UPDATE_GOLDEN=1") for c in commands)


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    wheels = REPO / ".venv" / "wheels"
    if not (wheels / ".requirements").is_file():
        pytest.fail(f"{wheels} is missing: run the tests with ./dev test, which downloads the wheels once.")
    root = fresh_clone(tmp_path_factory.mktemp("readme") / "xxgk")
    (root / ".venv").symlink_to(REPO / ".venv")
    return root


@pytest.mark.parametrize("number", range(len(SH_BLOCK.findall(README))))
def test_every_readme_command_runs_as_typed_in_a_fresh_clone(clone, number, tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "UPDATE_GOLDEN")}
    env.update(
        HOME=str(home),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(REPO / ".venv" / "wheels"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    script = _script(_blocks()[number], _free_port(), probe)
    result = subprocess.run(["bash", "-c", script], cwd=clone, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{script}\n{result.stdout}\n{result.stderr}"
    assert git(clone, "status", "--porcelain", "--", "tests", "xxgk", "templates", "static", "content") == ""


def _module_map() -> set[str]:
    section = README.split("## How the code is laid out", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([\w/]+\.py)`", row.split("|")[1])}


def test_the_module_map_names_every_module_and_no_other():
    modules = {p.relative_to(REPO / "xxgk").as_posix() for p in (REPO / "xxgk").rglob("*.py")}
    assert _module_map() == modules


# What a file of the project must not point at: notes and trackers outside the repository, which a clone lacks.
OUTSIDE = re.compile(
    "|".join(
        [
            r"\.\./shared",
            "/work/" + "shared",
            "anchors" + r"\.md",
            r"(?<![\w/])domain\.md",
            "style" + r"\.md",
            "(?:previous|first) " + "session",
            r"\bissues? #?[0-9]+",
        ]
    ),
    re.IGNORECASE,
)


def test_no_file_refers_to_anything_outside_the_repository():
    hits = []
    for name in repository_files():
        path = REPO / name
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary files, and files deleted but not yet committed
        hits += [f"{name}:{text.count(chr(10), 0, m.start()) + 1}: {m.group()}" for m in OUTSIDE.finditer(text)]
    assert hits == []
