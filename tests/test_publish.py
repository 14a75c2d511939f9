"""Publication end to end: build, rsync into a release folder, switch, serve with nginx, verify; edit, publish again.

rsync's options and the release switch are read from the CI examples in deploy/ and run here with the server's
folder on this machine, so the test and the examples cannot drift apart. Needs Debian's rsync and nginx (installed
by ./dev test); skipped with the reason when either is missing.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from string import Template

import pytest
import yaml

from xxgk import manifest, output, pipeline

from . import nginx
from .conftest import REPO, TODAY
from .test_nginx import fetch

if not shutil.which("rsync"):
    pytest.skip("rsync is not installed (apt-get install rsync)", allow_module_level=True)

EXAMPLES = [REPO / "deploy" / "github-actions.yml", REPO / "deploy" / "gitlab-ci.yml"]
EDITED = "content/fdzdgknr/2018-pingshan-gzld.md"
EDITED_PAGE = "doc/114403006955506492/2019-00001.html"  # its index number is 114403006955506492/2019-00001
ADDED = "\n\n本文件已于发布后补充说明：请以本页为准。\n"


def publish_commands(text: str) -> tuple[list[str], str]:
    """The rsync options and the shell command that switches `current` to the new release, in a CI example."""
    rsync = re.search(r'^\s*(?:- )?rsync (.+) site/ "\$DEPLOY_HOST:\$DEPLOY_PATH/releases/\$release/"$', text, re.M)
    switch = re.search(r'^\s*(?:- )?\$RSYNC_RSH "\$DEPLOY_HOST" "(.+)"$', text, re.M)
    assert rsync and switch, "the CI example no longer has the publish commands this test runs"
    return shlex.split(rsync.group(1)), switch.group(1)


def publish(site: Path, server_path: Path, release: str) -> str:
    """Publish site as the CI examples do, with the server's DEPLOY_PATH on this machine; rsync's statistics."""
    options, switch = publish_commands(EXAMPLES[0].read_text(encoding="utf-8"))
    names = {"DEPLOY_PATH": str(server_path), "release": release}
    (server_path / "releases").mkdir(parents=True, exist_ok=True)
    sent = subprocess.run(
        [
            "rsync",
            *(Template(option).substitute(names) for option in options),
            f"{site}/",
            f"{server_path}/releases/{release}/",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    subprocess.run(["sh", "-c", Template(switch).substitute(names)], check=True)
    return sent.stdout


def transferred(stats: str) -> int:
    return int(re.search(r"^Number of regular files transferred: ([\d,]+)$", stats, re.M).group(1).replace(",", ""))


def fetch_back_and_verify(source: Path, server_path: Path) -> subprocess.CompletedProcess:
    """The CI example's last two commands: fetch the published copy into a fresh deployed/ and verify it."""
    text = EXAMPLES[0].read_text(encoding="utf-8")
    options = re.search(r'^[\s-]*rsync (.+) "\$DEPLOY_HOST:\$DEPLOY_PATH/current/" deployed/$', text, re.M)
    assert options, "the CI example no longer fetches the published copy back into deployed/"
    shutil.rmtree(source / "deployed", ignore_errors=True)
    subprocess.run(
        ["rsync", *shlex.split(options.group(1)), f"{server_path}/current/", "deployed/"], cwd=source, check=True
    )
    args = next(args for args in xxgk_commands(text) if args[0] == "verify")
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=source, capture_output=True, text=True)


def verify(folder: Path, manifest_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "build.py", "verify", str(folder), "--manifest", str(manifest_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )


def xxgk_commands(text: str) -> list[list[str]]:
    """The arguments of every `xxgk` command a CI example runs, in order."""
    return [shlex.split(line, comments=True)[1:] for line in re.findall(r"^[\s-]*(?:run: )?(xxgk .+)$", text, re.M)]


def ci_build(source: Path) -> dict[str, str]:
    """Run the CI example's commands before publication (check, build, check the built pages) in the site's git
    repository, as CI does; the manifest of the build."""
    epoch = str(int(datetime.fromisoformat(f"{TODAY}T12:00:00+08:00").timestamp()))
    for args in xxgk_commands(EXAMPLES[0].read_text(encoding="utf-8")):
        if args[0] != "verify":  # verify runs on the published copy, below
            subprocess.run(
                [sys.executable, str(REPO / "build.py"), *args],
                cwd=source,
                check=True,
                capture_output=True,
                env={**os.environ, "SOURCE_DATE_EPOCH": epoch},
            )
    return manifest.parse((source / "site" / manifest.MANIFEST).read_text(encoding="utf-8"))


def git(source: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=编辑", "-c", "user.email=editor@example.gov.cn", *args],
        cwd=source,
        check=True,
        capture_output=True,
    )


def edit_and_commit(source: Path) -> None:
    edited = source / EDITED
    edited.write_text(edited.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    git(source, "commit", "-q", "-am", "补充说明")


@pytest.fixture
def source(tmp_path) -> Path:
    """The site's repository: a copy of the repository's sample site in git, two commits deep (check --since HEAD~1)."""
    root = tmp_path / "repo"
    for name in ("content", "reports", "templates", "static"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "示例站点")
    (root / ".gitignore").write_text("site/\n.site-index/\n.site-cache/\ndeployed/\n", encoding="utf-8")
    git(root, "add", ".gitignore")
    git(root, "commit", "-q", "-m", "构建结果不入库")
    return root


def test_the_ci_examples_install_a_pinned_xxgk_and_keep_the_build_between_runs():
    github, gitlab = (yaml.safe_load(path.read_text(encoding="utf-8")) for path in EXAMPLES)
    # The previous build (its manifest says which files are unchanged), its search index, the build cache and the
    # spare site the next build updates in place.
    kept = {"site/"} | {
        folder(Path("site")).as_posix() + "/" for folder in (pipeline.index_dir, pipeline.cache_dir, output.spare_dir)
    }
    steps = github["jobs"]["publish"]["steps"]
    cache = next(step["with"] for step in steps if step.get("uses", "").startswith("actions/cache@"))
    assert set(cache["path"].split()) == kept
    assert cache["key"].startswith(cache["restore-keys"])  # a new entry each run, restored from the latest
    assert set(gitlab["publish"]["cache"]["paths"]) == kept
    for example, commands in ((github, [step.get("run", "") for step in steps]), (gitlab, gitlab["publish"]["script"])):
        assert re.fullmatch(r"\d+\.\d+\.\d+", example.get("env", example.get("variables"))["XXGK_VERSION"])
        assert 'pip install "xxgk==$XXGK_VERSION"' in commands
        assert not any("./dev" in command or "pytest" in command for command in commands)
        assert any(
            command.startswith("xxgk verify deployed --manifest site/manifest.sha256")
            for command in "\n".join(commands).splitlines()
        )


def test_both_ci_examples_publish_with_the_same_commands():
    github, gitlab = (publish_commands(path.read_text(encoding="utf-8")) for path in EXAMPLES)
    assert github == gitlab
    assert xxgk_commands(EXAMPLES[0].read_text(encoding="utf-8")) == xxgk_commands(
        EXAMPLES[1].read_text(encoding="utf-8")
    )
    options = github[0]
    # On sizes and times: the build leaves unchanged files' bytes and mtime alone, so no file needs reading twice.
    assert "--checksum" not in options and not any(re.fullmatch(r"-[a-zA-Z]*c[a-zA-Z]*", o) for o in options)
    assert "-rlt" in options and "--stats" in options


def test_publish_serve_verify_edit_publish_again_tamper_and_roll_back(source, tmp_path):
    site, server_path = source / "site", tmp_path / "srv-xxgk"
    first = ci_build(source)
    first_manifest = tmp_path / "first.sha256"
    shutil.copy(site / manifest.MANIFEST, first_manifest)
    stats = publish(site, server_path, "20261123T000000Z")
    assert transferred(stats) == len(first) + 1  # every file and the manifest: nothing to link to yet
    current = server_path / "current"
    assert fetch_back_and_verify(source, server_path).returncode == 0

    with nginx.serve(current, tmp_path / "nginx") as server:
        assert ADDED.strip() not in fetch(server.url + EDITED_PAGE, server).body.decode("utf-8")
        edit_and_commit(source)
        second = ci_build(source)
        changed = {path for path, digest in second.items() if first.get(path) != digest}
        stats = publish(site, server_path, "20261124T000000Z")

        assert fetch_back_and_verify(source, server_path).returncode == 0
        page = EDITED_PAGE
        assert page in changed
        assert ADDED.strip() in fetch(server.url + page, server).body.decode("utf-8")
        releases = sorted(path.name for path in (server_path / "releases").iterdir())
        assert releases == ["20261123T000000Z", "20261124T000000Z"]

        tampered = current / page
        tampered.write_text(
            tampered.read_text(encoding="utf-8").replace("</h1>", "</h1><p>博彩</p>", 1), encoding="utf-8"
        )
        report = verify(current, site / manifest.MANIFEST)
        assert report.returncode == 1
        assert f"{current / page}: 已被修改" in report.stderr
        assert "核对失败：1 个文件被修改，0 个缺失，0 个多出，0 个不应出现的链接、特殊文件或文件夹。" in report.stderr
        fetched = fetch_back_and_verify(source, server_path)  # what the next CI run would report
        assert fetched.returncode == 1 and f"deployed/{page}: 已被修改" in fetched.stderr

        # Roll back: point current at the previous release, as deploy/README.md says.
        subprocess.run(
            [
                "sh",
                "-c",
                f"cd {server_path} && ln -sfn releases/{releases[0]} current.new && mv -T current.new current",
            ],
            check=True,
        )
        assert verify(current, first_manifest).returncode == 0
        assert ADDED.strip() not in fetch(server.url + page, server).body.decode("utf-8")


def test_only_the_changed_files_are_transferred(source, tmp_path):
    site, server_path = source / "site", tmp_path / "srv-xxgk"
    first = ci_build(source)
    publish(site, server_path, "20261123T000000Z")
    edit_and_commit(source)
    second = ci_build(source)
    changed = {path for path, digest in second.items() if first.get(path) != digest}
    assert 0 < len(changed) < len(second) / 2
    stats = publish(site, server_path, "20261124T000000Z")
    assert transferred(stats) == len(changed) + 1  # and manifest.sha256
    # The unchanged files of the new release are hard links to the previous release's.
    old, new = server_path / "releases" / "20261123T000000Z", server_path / "releases" / "20261124T000000Z"
    linked = {
        path for path in second if (old / path).exists() and (old / path).stat().st_ino == (new / path).stat().st_ino
    }
    assert linked == set(second) - changed


def test_the_switch_keeps_the_last_five_releases(tmp_path):
    site, server_path = tmp_path / "site", tmp_path / "srv-xxgk"
    site.mkdir()
    (site / "index.html").write_text("<p>1</p>", encoding="utf-8")
    names = [f"2026112{day}T000000Z" for day in range(7)]
    for name in names:
        publish(site, server_path, name)
    assert sorted(path.name for path in (server_path / "releases").iterdir()) == names[-5:]
    assert (server_path / "current").readlink() == Path("releases", names[-1])


def test_a_spare_site_restored_by_ci_is_updated_in_place(source, tmp_path):
    """The folders the CI example keeps, restored as plain copies (as a cache that keeps no hard links does): the
    next build updates the restored spare site and publishes it, instead of linking every file anew."""
    ci_build(source)
    edit_and_commit(source)
    ci_build(source)  # now there is a spare: the site the second build replaced
    github = yaml.safe_load(EXAMPLES[0].read_text(encoding="utf-8"))
    cache = next(step["with"] for step in github["jobs"]["publish"]["steps"] if "actions/cache" in step.get("uses", ""))
    restored = tmp_path / "restored"
    subprocess.run(["git", "clone", "-q", str(source), str(restored)], check=True)
    for kept in cache["path"].split():
        shutil.copytree(source / kept, restored / kept, symlinks=True)  # copy2: contents and times, new inodes
    spare = restored / output.spare_dir(Path("site"))
    held = {
        path.relative_to(spare).as_posix(): (path.stat().st_ino, path.read_bytes())
        for path in spare.rglob("*")
        if path.is_file()
    }
    edit_and_commit(restored)
    built = ci_build(restored)
    site = restored / "site"
    # A file linked from the restored site/ would have that copy's inode; one kept in place has the spare's. Only the
    # files whose bytes the spare already held are compared: a file written anew may get a freed inode number again.
    unchanged = {path for path in built if path in held and held[path][1] == (site / path).read_bytes()}
    assert len(unchanged) > len(built) * 0.7
    assert {path for path in unchanged if held[path][0] != (site / path).stat().st_ino} == set()
    assert (site / EDITED_PAGE).read_text(encoding="utf-8").count(ADDED.strip()) == 2
    assert verify(site, site / manifest.MANIFEST).returncode == 0
