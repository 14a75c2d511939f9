"""`init`: a new site has every file it needs, builds and passes `check` at once, and a used folder is refused."""

from __future__ import annotations

import yaml

from xxgk import __version__, config, newsite

from .conftest import TODAY, git

EXPECTED = [
    ".github/workflows/xxgk.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    "config.yaml",
    "content/fdzdgknr/example.md",
]


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_init_writes_the_site_files(tmp_path, run_cli):
    result = run_cli(["init", "portal"], tmp_path)
    assert result.code == 0 and result.err == ""
    assert _files(tmp_path / "portal") == EXPECTED
    assert result.out.splitlines()[0] == "已创建：portal/config.yaml"


def test_the_new_site_builds_and_passes_check(tmp_path, run_cli):
    site = tmp_path / "portal"
    newsite.create(site)
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "init")
    checked = run_cli(["check", "--today", TODAY], site)
    assert (checked.code, checked.err) == (0, "")
    assert checked.out == "检查通过：1 篇已发布文件，0 篇定时发布，0 篇草稿；警告 0 条。\n"
    built = run_cli(["build", "--today", TODAY], site)
    assert (built.code, built.err) == (0, "")
    assert (site / "site" / "index.html").is_file() and (site / "site" / "static" / "css" / "site.css").is_file()
    assert "site/" in (site / ".gitignore").read_text(encoding="utf-8")
    assert git(site, "status", "--porcelain") == ""  # the build's output and index are ignored


def test_the_config_mentions_every_setting():
    text = (newsite._SKELETON / "config.yaml").read_text(encoding="utf-8")
    for key in config._TOP_KEYS:
        assert f"\n{key}:" in text or f"\n# {key}:" in text, key


def test_the_tool_version_is_pinned_in_ci_and_pre_commit(tmp_path):
    site = tmp_path / "portal"
    newsite.create(site)
    workflow = yaml.safe_load((site / ".github/workflows/xxgk.yml").read_text(encoding="utf-8"))
    runs = [step["run"] for step in workflow["jobs"]["site"]["steps"] if "run" in step]
    assert runs[0] == f'python -m pip install "xxgk=={__version__}"'
    hooks = yaml.safe_load((site / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"][0]["hooks"]
    assert hooks[0]["additional_dependencies"] == [f"xxgk=={__version__}"] and hooks[0]["entry"] == "xxgk check"


def test_a_folder_with_anything_in_it_is_refused(tmp_path, run_cli):
    (tmp_path / "portal").mkdir()
    (tmp_path / "portal" / "notes.txt").write_text("x", encoding="utf-8")
    result = run_cli(["init", "portal"], tmp_path)
    assert result.code == 1
    assert result.err == (
        "portal: 错误 init-not-empty 文件夹已存在且不是空的，未写入任何文件。请指定一个新的或空的文件夹。\n"
        "失败：错误 1 条，警告 0 条。\n"
    )
    assert _files(tmp_path / "portal") == ["notes.txt"]


def test_a_file_in_the_way_is_refused(tmp_path, run_cli):
    (tmp_path / "portal").write_text("x", encoding="utf-8")
    assert run_cli(["init", "portal"], tmp_path).code == 1
    assert (tmp_path / "portal").read_text(encoding="utf-8") == "x"


def test_an_empty_folder_is_used(tmp_path, run_cli):
    (tmp_path / "portal").mkdir()
    assert run_cli(["init", "portal"], tmp_path).code == 0
    assert _files(tmp_path / "portal") == EXPECTED
