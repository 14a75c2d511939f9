"""Shared fixtures: throwaway sites written from dicts, the CLI run in-process, the sample site built once."""

from __future__ import annotations

import fcntl
import importlib.util
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from xxgk import cli

REPO = Path(__file__).resolve().parent.parent
TODAY = "2026-11-23"  # every build in the tests sees the same "today"

MINIMAL_CONFIG = """\
site_name: 测试区政府信息公开
base_url: https://www.example.gov.cn/xxgk/
bodies:
  - name: 深圳市坪山区政府办公室
    code: "114403006955506492"
    short: 坪山区政府办
footer:
  sponsor: 测试区人民政府办公室
  contact: 电话：0755-00000000
  site_code: "4403000000"
  icp: 粤ICP备00000000号
  police: 粤公网安备 44030000000000号
guide:
  office: {name: 测试区人民政府办公室, address: 测试区人民路1号, postcode: "000000", hours: 工作日 9:00—18:00,
           phone: 0755-00000000, fax: 0755-00000001, email: xxgk@example.gov.cn}
  complaint: 测试市人民政府办公室
  review: 测试区人民政府
  court: 测试区人民法院
"""

GOOD_DOC = """\
---
title: 坪山区委(区政府)办公室2017年工作亮点及2018年工作思路
index_no: 114403006955506492/2019-00001
publisher: 深圳市坪山区政府办公室
category: 综合政务\\政务公开
genre: 报告
doc_no: ""
written: 2019-03-01
published: 2019-03-06
keywords: [工作总结, 工作计划]
validity: 有效
---

## 一、2017年工作亮点

全办紧紧围绕东进战略，较好地完成了各项工作任务。
"""


def brief(problem) -> str:
    """A problem as `path:line: [警告：]message`: the unit tests' compact view of its place, level and wording."""
    where = problem.path if problem.line is None else f"{problem.path}:{problem.line}"
    return f"{where}: {'' if problem.is_error else '警告：'}{problem.message}"


_PRINTED = re.compile(r"(.+?)(?::(\d+):\d+)?: (错误|警告) \S+ (.*)")


def brief_lines(err: str) -> list[str]:
    """What a command printed, each `path:line:column: 级别 code message` line in brief()'s form (others as they are)."""  # noqa: E501

    def line(printed: str) -> str:
        match = _PRINTED.fullmatch(printed)
        if not match:
            return printed
        path, number, level, message = match.groups()
        return f"{path}{':' + number if number else ''}: {'警告：' if level == '警告' else ''}{message}"

    return [line(printed) for printed in err.splitlines()]


def write_config(folder: Path, text: str = MINIMAL_CONFIG) -> Path:
    """A config.yaml in folder whose content/ exists and whose templates and static are the repository's."""
    (folder / "content").mkdir(parents=True, exist_ok=True)
    paths = f"paths:\n  templates: {REPO / 'templates'}\n  static: {REPO / 'static'}\n"
    (folder / "config.yaml").write_text(text + ("" if "paths:" in text else paths), encoding="utf-8")
    return folder / "config.yaml"


@dataclass
class Run:
    """What one command printed and returned."""

    code: int
    out: str
    err: str


@pytest.fixture
def make_site(tmp_path):
    """Write a site folder from {relative path: text}; templates and static come from the repo."""

    def make(files: dict[str, str | bytes], config: str = MINIMAL_CONFIG) -> Path:
        root = tmp_path / "site-src"
        write_config(root, config)
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return root

    return make


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run build.py's main() in-process inside a folder and capture its output."""

    def run(args: list[str], cwd: Path) -> Run:
        monkeypatch.chdir(cwd)
        code = cli.main([*args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


# Modules whose tests share costly module fixtures (a clone, a built wheel, a new virtual environment): under
# pytest-xdist all their tests run on one worker, so each fixture is made once. Every other test is sent on its own.
ONE_WORKER = ("tests/test_package.py",)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """xdist's default (load) scheduling, except that each module of ONE_WORKER runs whole on one worker, first.

    xdist's own --dist loadgroup would do this by a mark, but with pytest 9 its mark no longer reaches the node ids.
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in ONE_WORKER else nodeid

    return Scheduling(config, log)


def once_per_run(
    config: pytest.Config, factory: pytest.TempPathFactory, name: str, make: Callable[[Path], Path]
) -> Path:
    """What make(empty folder) returns, made once for the whole test run and shared by every xdist worker.

    Each worker is a separate process with its own session fixtures: without this, every worker would build the
    same site again. The first worker to ask makes it under a lock in the run's base folder (the parent of the
    workers' own); the others wait for the lock and reuse the result. Whatever is shared this way is read only.
    """
    if not hasattr(config, "workerinput"):  # a run without xdist workers: nothing to share
        return make(factory.mktemp(name))
    shared = factory.getbasetemp().parent
    folder, done = shared / name, shared / f"{name}.done"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even if make() fails
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker whose make() failed left behind
            folder.mkdir()
            done.write_text(str(make(folder)), encoding="utf-8")
    return Path(done.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def built_sample_site(pytestconfig, tmp_path_factory) -> Path:
    """The repository's own sample site, built once into a temporary folder by the real command."""

    def make(folder: Path) -> Path:
        subprocess.run(
            [sys.executable, "build.py", "build", "--out", str(folder / "site"), "--today", TODAY],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        return folder / "site"

    return once_per_run(pytestconfig, tmp_path_factory, "sample", make)


@pytest.fixture(scope="session")
def built_root_site(pytestconfig, tmp_path_factory) -> Path:
    """The repository's sample site built for the root of its host (base_url without /xxgk/), once."""

    def make(folder: Path) -> Path:
        text = (REPO / "config.yaml").read_text(encoding="utf-8")
        assert "base_url: https://www.example.gov.cn/xxgk/\n" in text and "paths:" not in text
        paths = "".join(f"  {name}: {REPO / name}\n" for name in ("content", "templates", "static", "reports"))
        (folder / "config.yaml").write_text(text.replace("/xxgk/\n", "/\n", 1) + f"paths:\n{paths}", encoding="utf-8")
        return build_site(folder)

    return once_per_run(pytestconfig, tmp_path_factory, "sample-root", make)


def corpus_module():
    """bench/corpus.py, the benchmark's generator of realistic documents."""
    if "bench_corpus" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_corpus", REPO / "bench" / "corpus.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_corpus"] = module
        spec.loader.exec_module(module)
    return sys.modules["bench_corpus"]


def corpus_documents(count: int, seed: int) -> list:
    """count Documents of bench/corpus.py's realistic kind (front matter and body, not read through content.py)."""
    from xxgk.model import Document  # noqa: PLC0415

    _, records = corpus_module().generate_documents(count, seed=seed)
    return [
        Document(
            src=r.rel_path,
            title=r.title,
            index_no=r.index_no,
            publisher=r.publisher,
            published=r.published,
            written=r.written,
            category=r.category,
            genre=r.genre,
            doc_no=r.doc_no,
            keywords=r.keywords,
            summary=r.summary,
            validity=r.validity,
            body_text=r.body,
        )
        for r in records
    ]


def build_site(root: Path) -> Path:
    """Build the site folder root (its config.yaml) into root/site by the real command; returns that folder."""
    out = root / "site"
    subprocess.run(
        [
            sys.executable,
            "build.py",
            "build",
            "--config",
            str(root / "config.yaml"),
            "--out",
            str(out),
            "--today",
            TODAY,
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    return out


PREVIOUS = "上一次成功构建的站点"


def previous_site(root: Path) -> Path:
    """A site/ in root as an earlier build left it (with its manifest, so a build may replace it)."""
    from xxgk.manifest import MANIFEST, file_hash, manifest_text

    previous = root / "site"
    previous.mkdir()
    (previous / "index.html").write_text(PREVIOUS, encoding="utf-8")
    (previous / MANIFEST).write_text(
        manifest_text({"index.html": file_hash(previous / "index.html")}), encoding="utf-8"
    )
    return previous


def lint_fixture(document: Path) -> dict[str, str | bytes]:
    """A tests/data/lint document as content/a.md, with its same-named folder's files (its attachments) beside it."""
    folder = document.with_suffix("")
    files = (
        {f"content/{folder.name}/{p.name}": p.read_bytes() for p in sorted(folder.glob("*"))} if folder.is_dir() else {}
    )
    return {"content/a.md": document.read_text(encoding="utf-8"), **files}


def copy_sample(root: Path) -> Path:
    """The repository's sample content and config.yaml copied into root, using the repository's templates and static."""
    shutil.copytree(REPO / "content", root / "content")
    config = (REPO / "config.yaml").read_text(encoding="utf-8")
    (root / "config.yaml").write_text(
        config + f"paths:\n  templates: {REPO / 'templates'}\n  static: {REPO / 'static'}\n", encoding="utf-8"
    )
    return root


def copy_tree(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest)
    return dest


def repository_files() -> list[str]:
    """The repository's tracked and not-ignored files (what a commit of the work tree would hold), as git names them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    return [name for name in listed.stdout.decode("utf-8").split("\0") if name]


def fresh_clone(dest: Path) -> Path:
    """A git repository at dest holding what a clone of this one would: its tracked and not-ignored files, committed."""
    for name in repository_files():
        source = REPO / name
        if source.is_file():  # a file deleted but not yet committed is listed and absent
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "clone")
    return dest


def git(folder: Path, *args: str) -> str:
    """Run git in folder with a fixed identity; returns its output."""
    command = [
        "git",
        "-c",
        "user.name=测试",
        "-c",
        "user.email=test@example.com",
        "-c",
        "init.defaultBranch=main",
        *args,
    ]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, check=True).stdout


@pytest.fixture(autouse=True)
def _not_in_ci(monkeypatch):
    """Commands print progress lines when CI is set; the tests expect what an editor's terminal-less run prints."""
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture(scope="session")
def paged_site(pytestconfig, tmp_path_factory) -> Path:
    """50 generated documents, built once: the 目录 has three pages and a common word has pages of search results."""

    def make(root: Path) -> Path:
        corpus_module().generate(root, 50, seed=5)
        return build_site(root)

    return once_per_run(pytestconfig, tmp_path_factory, "paged", make)
