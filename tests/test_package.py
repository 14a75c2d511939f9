"""The package as a user gets it: built from a fresh clone, installed into a new virtual environment, run as `xxgk`.

Nothing here reaches an index: pip installs from the wheels `./dev test` downloads into .venv/wheels (the
pinned runtime and build requirements), with PIP_NO_INDEX set, as pre-commit's own installs are.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from xxgk import __version__

from .conftest import REPO, TODAY, fresh_clone, git

WHEELS = REPO / ".venv" / "wheels"


def _offline_env(bin_dir: Path | None, *find_links: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env.update(
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=" ".join(str(p) for p in (WHEELS, *find_links)),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    if bin_dir is not None:
        env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return env


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    if not (WHEELS / ".requirements").is_file():
        pytest.fail(f"{WHEELS} is missing: run the tests with ./dev test, which downloads the wheels once.")
    return fresh_clone(tmp_path_factory.mktemp("clone"))


@pytest.fixture(scope="module")
def wheel(clone, tmp_path_factory) -> Path:
    """The wheel `pip wheel .` builds from a fresh clone, its build backend installed in an isolated environment."""
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(dist), "."], clone, _offline_env(None))
    (built,) = dist.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(clone, tmp_path_factory) -> Path:
    """The bin folder of a new virtual environment into which `pip install .` put the project and its dependencies."""
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "."], clone, _offline_env(None))
    return venv / "bin"


def test_the_wheel_carries_the_package_the_default_theme_and_the_licence(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = {
        f"xxgk/default_theme/{p.relative_to(REPO).as_posix()}"
        for folder in ("templates", "static")
        for p in (REPO / folder).rglob("*")
        if p.is_file()
    }
    modules = {p.relative_to(REPO).as_posix() for p in (REPO / "xxgk").rglob("*.py")}
    data = {p.relative_to(REPO).as_posix() for p in (REPO / "xxgk" / "data").rglob("*") if p.is_file()}
    assert theme | modules | data <= names
    info = f"xxgk-{__version__}.dist-info"
    assert {f"{info}/licenses/LICENSE", f"{info}/entry_points.txt"} <= names
    assert not any(n.startswith(("tests/", "content/", "templates/", "static/", "site/")) for n in names)
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode("utf-8")
    assert f"\nVersion: {__version__}\n" in metadata and "\nLicense-Expression: MIT\n" in metadata
    assert _pins_outside(metadata) == []
    entry_points = zipfile.ZipFile(wheel).read(f"{info}/entry_points.txt").decode("utf-8")
    assert "xxgk = xxgk.cli:run" in entry_points


def _pins_outside(metadata: str) -> list[str]:
    """The wheel's dependencies whose version pinned in requirements.txt is missing or outside the declared range."""
    pins = {
        canonicalize_name(name): version
        for line in (REPO / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
        for name, version in [line.split("==")]
    }
    required = [
        Requirement(line.removeprefix("Requires-Dist: "))
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist: ")
    ]
    assert len(required) >= 7
    return [str(r) for r in required if pins.get(canonicalize_name(r.name)) not in r.specifier]


def test_the_installed_command_reports_the_one_version(installed, tmp_path):
    result = _run([str(installed / "xxgk"), "--version"], tmp_path, _offline_env(installed))
    assert result.stdout == f"xxgk {__version__}\n"


def test_init_then_build_with_the_installed_command(installed, tmp_path):
    env = _offline_env(installed)
    _run(["xxgk", "init", "portal"], tmp_path, env)
    site = tmp_path / "portal"
    assert _run(["xxgk", "build", "--today", TODAY], site, env).stdout.startswith("构建完成：1 篇文件，")
    assert _run(["xxgk", "check", "--since", "none", "--today", TODAY], site, env).stderr == ""
    # The theme inside the wheel is the checkout's: the same site built from the source gives the same files.
    from_source = tmp_path / "from-source"
    _run([sys.executable, str(REPO / "build.py"), "build", "--today", TODAY, "--out", str(from_source)], site, env)
    assert (site / "site" / "manifest.sha256").read_text() == (from_source / "manifest.sha256").read_text()


def test_the_hook_runs_from_another_repository_with_pre_commit(clone, tmp_path):
    """.pre-commit-hooks.yaml as pre-commit uses it: the hook repository installed with pip into the hook's own env."""
    env = _offline_env(Path(sys.executable).parent) | {"PRE_COMMIT_HOME": str(tmp_path / "cache")}
    site = tmp_path / "portal"
    _run([sys.executable, str(REPO / "build.py"), "init", str(site)], tmp_path, env)
    git(site, "init", "-q")
    try_repo = [sys.executable, "-m", "pre_commit", "try-repo", str(clone), "xxgk-check", "--files"]
    passed = _run([*try_repo, "content/fdzdgknr/example.md"], site, env)
    assert "Passed" in passed.stdout
    bad = site / "content" / "fdzdgknr" / "bad.md"
    bad.write_text(
        (site / "content/fdzdgknr/example.md").read_text(encoding="utf-8").replace("标题:", "标提:"), encoding="utf-8"
    )
    failed = subprocess.run([*try_repo, "content/fdzdgknr/bad.md"], cwd=site, env=env, capture_output=True, text=True)
    assert failed.returncode == 1 and "Failed" in failed.stdout
    assert "content/fdzdgknr/bad.md:2:1: 错误 unknown-key 元数据中有未知的键“标提”" in failed.stdout


def test_the_new_site_pre_commit_config_installs_the_pinned_tool(wheel, tmp_path):
    env = _offline_env(Path(sys.executable).parent, wheel.parent) | {"PRE_COMMIT_HOME": str(tmp_path / "cache")}
    site = tmp_path / "portal"
    _run([sys.executable, str(REPO / "build.py"), "init", str(site)], tmp_path, env)
    git(site, "init", "-q")
    git(site, "add", "-A")
    result = _run([sys.executable, "-m", "pre_commit", "run", "--all-files"], site, env)
    assert "政府信息公开内容检查（xxgk check）" in result.stdout and "Passed" in result.stdout
