"""The output folder guard: a build replaces only a folder it made itself (or one that is missing or empty).

Every refused case exits 1 with its exact message, and nothing anywhere under the test's folder changes
(the project, the home folder, a symlink's target).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import GOOD_DOC, MINIMAL_CONFIG, TODAY, brief_lines
from .sites import LOCAL_PATHS, local_site, snapshot

ADVICE = (
    "构建会用新站点整体替换输出文件夹，为免误删其中的文件，本次没有改动任何文件。"
    "请在 config.yaml 的 paths.output 或 --out 中改用一个新的文件夹（例如 site）。"
)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A site at tmp/project with an editor's notes beside it; the home folder is tmp/home."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "笔记.txt").write_text("编辑的笔记", encoding="utf-8")
    root = local_site(
        tmp_path / "project",
        {"content/a.md": GOOD_DOC, "reports/.keep": "", "notes/草稿.txt": "草稿", ".git/config": "[remote]\n"},
    )
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "index.html").write_text("另一个网站", encoding="utf-8")
    (root / "linked").symlink_to(tmp_path / "elsewhere")
    return root


def reasons(root: Path) -> dict[str, str]:
    """--out value -> the reason the build gives for refusing it."""
    home, tmp = root.parent / "home", root.parent
    overlap = "与{}（{}）重叠：是它本身、包含它或位于它之中。"
    project = f"是站点项目文件夹（{root}，config.yaml 所在之处）本身或包含它。"
    return {
        "content": overlap.format("文档文件夹 content", root / "content"),
        "content/sub": overlap.format("文档文件夹 content", root / "content"),
        "templates": overlap.format("模板文件夹 templates", root / "templates"),
        "static/css": overlap.format("静态资源文件夹 static", root / "static"),
        "reports": overlap.format("年报数据文件夹 reports", root / "reports"),
        ".": project,
        "": project,
        "content/..": project,
        "..": "是根目录或用户主目录（或包含主目录）。",  # tmp/ holds the home folder tmp/home
        "/": "是根目录或用户主目录（或包含主目录）。",
        str(home): "是根目录或用户主目录（或包含主目录）。",
        "config.yaml": "已存在，但它是一个文件而不是文件夹。",
        "notes": "已存在，但不是本工具生成的（其中没有构建清单 manifest.sha256）。",
        "linked": f"是符号链接（指向 {tmp / 'elsewhere'}）。请直接写出它指向的真实文件夹。",
    }


@pytest.mark.parametrize(
    "out",
    [
        "content",
        "content/sub",
        "templates",
        "static/css",
        "reports",
        ".",
        "",
        "content/..",
        "..",
        "/",
        "HOME",
        "config.yaml",
        "notes",
        "linked",
    ],
)
def test_a_dangerous_out_is_refused_before_anything_is_touched(project, run_cli, out):
    out = str(project.parent / "home") if out == "HOME" else out
    before = snapshot(project.parent)
    result = run_cli(["build", "--today", TODAY, "--out", out], project)
    target = Path(out).absolute()
    shown = target.resolve() if target.name in ("", "..") else target.parent.resolve() / target.name
    assert result.code == 1
    assert brief_lines(result.err)[0] == f"--out: 输出文件夹“{shown}”{reasons(project)[out]}{ADVICE}"
    assert snapshot(project.parent) == before


def test_check_reports_the_same_mistake(project, run_cli):
    before = snapshot(project.parent)
    result = run_cli(["check", "--since", "none", "--today", TODAY, "--out", "content"], project)
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        f"--out: 错误 config-output 输出文件夹“{project / 'content'}”{reasons(project)['content']}{ADVICE}"
    )
    assert snapshot(project.parent) == before


@pytest.mark.parametrize("command", [["build"], ["check", "--since", "none"]])
def test_paths_output_in_config_yaml_is_refused_at_its_line(project, run_cli, command):
    (project / "config.yaml").write_text(MINIMAL_CONFIG + LOCAL_PATHS + "  output: content\n", encoding="utf-8")
    before = snapshot(project.parent)
    result = run_cli([*command, "--today", TODAY], project)
    line = len((MINIMAL_CONFIG + LOCAL_PATHS).splitlines()) + 1
    message = f"输出文件夹（paths.output）“{project / 'content'}”{reasons(project)['content']}{ADVICE}"
    assert result.code == 1
    assert result.err.splitlines()[0] in (
        f"config.yaml:{line}: {message}",
        f"config.yaml:{line}:1: 错误 config-output {message}",
    )
    assert snapshot(project.parent) == before


def test_an_empty_paths_output_is_an_error_not_the_config_folder(project, run_cli):
    (project / "config.yaml").write_text(MINIMAL_CONFIG + LOCAL_PATHS + '  output: ""\n', encoding="utf-8")
    before = snapshot(project.parent)
    result = run_cli(["build", "--today", TODAY], project)
    line = len((MINIMAL_CONFIG + LOCAL_PATHS).splitlines()) + 1
    assert result.code == 1
    assert brief_lines(result.err)[0] == (
        f"config.yaml:{line}: paths.output 不能为空：空值会被当作 config.yaml 所在的文件夹。"
        "请写出文件夹名，或删去这一行使用默认值“site”。"
    )
    assert snapshot(project.parent) == before


def test_a_symlinked_output_leaves_nothing_beside_its_target(project, run_cli):
    run_cli(["build", "--today", TODAY, "--out", "linked"], project)
    assert sorted(p.name for p in project.parent.iterdir()) == ["elsewhere", "home", "project"]
    assert [p.name for p in (project.parent / "elsewhere").iterdir()] == ["index.html"]


def test_the_tools_own_output_and_an_empty_folder_are_replaced(project, run_cli):
    assert run_cli(["build", "--today", TODAY], project).code == 0
    assert (project / "site" / "manifest.sha256").is_file()
    assert run_cli(["build", "--today", TODAY], project).code == 0  # its own output, marked by the manifest
    (project / "empty").mkdir()
    assert run_cli(["build", "--today", TODAY, "--out", "empty"], project).code == 0
    assert (project / "empty" / "index.html").is_file()


def test_a_built_site_under_version_control_is_not_replaced(project, run_cli):
    assert run_cli(["build", "--today", TODAY], project).code == 0
    (project / "site" / ".git").mkdir()
    (project / "site" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    before = snapshot(project.parent)
    result = run_cli(["build", "--today", TODAY], project)
    assert result.code == 1
    assert brief_lines(result.err)[0] == (
        f"config.yaml:1: 输出文件夹（paths.output）“{project / 'site'}”"
        f"是一个 git 版本库（其中有 .git），替换会删除版本历史。{ADVICE}"
    )
    assert snapshot(project.parent) == before


def test_a_foreign_manifest_name_is_not_enough(project, run_cli):
    """A folder holding a file merely named manifest.sha256 is not taken for a built site."""
    (project / "notes" / "manifest.sha256").write_text("这不是构建清单\n", encoding="utf-8")
    before = snapshot(project.parent)
    assert run_cli(["build", "--today", TODAY, "--out", "notes"], project).code == 1
    assert snapshot(project.parent) == before
