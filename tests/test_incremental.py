"""Incremental publishing of a real build: unchanged files keep their inode and mtime, and a build killed with
SIGKILL at any moment leaves the served folder exactly as the previous or the next build, never a mix, and the
cache and index from which the next build makes exactly the right site."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from xxgk.manifest import MANIFEST
from xxgk.search.static_index import SPILL_PREFIX

from .conftest import GOOD_DOC, REPO, TODAY, write_config


def sample_project(root: Path) -> Path:
    """The repository's sample site in root, its templates and static files taken from the repository."""
    write_config(root, (REPO / "config.yaml").read_text(encoding="utf-8"))
    shutil.rmtree(root / "content")
    shutil.copytree(REPO / "content", root / "content")
    return root


def build(root: Path, *extra: str, content: str = "content", out: str = "site") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--today", TODAY, "--content", content, "--out", out, *extra],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )


def built_afresh(root: Path) -> dict[str, bytes]:
    """The files `build --no-cache` makes of root's sources (into root/fresh)."""
    build(root, "--no-cache", out="fresh")
    return files(root / "fresh")


def made_afresh(root: Path, out: Path, today: date) -> dict[str, bytes]:
    """The files a build in this process without the cache makes of root's sources into out."""
    from xxgk import pipeline
    from xxgk.config import load_config

    pipeline.build(load_config(root / "config.yaml", output_dir=out), today, since=None, reuse=False)
    return files(out)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stats(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text(encoding="utf-8")
    edited = re.sub(pattern, replacement, text, count=1, flags=re.M)
    assert edited != text
    path.write_text(edited, encoding="utf-8")


def test_an_edit_rewrites_exactly_the_files_whose_bytes_change(tmp_path):
    root = sample_project(tmp_path)
    build(root)
    before, old_bytes = stats(root / "site"), files(root / "site")
    edit(root / "content/fdzdgknr/2018-pingshan-gzld.md", r"较好的完成了各项工作任务。$", "较好地完成了各项工作任务。")
    result = build(root)
    after, new_bytes = stats(root / "site"), files(root / "site")
    changed = {p for p in new_bytes if p in old_bytes and new_bytes[p] != old_bytes[p]}
    kept = {p for p in new_bytes if old_bytes.get(p) == new_bytes[p]}
    assert "doc/114403006955506492/2019-00001.html" in changed and MANIFEST in changed
    assert "index.html" in kept and "catalog/index.html" in kept and "static/css/site.css" in kept
    assert all(after[p] == before[p] for p in kept)  # same inode, same mtime: not written again
    assert all(after[p][0] != before[p][0] for p in changed)
    assert set(new_bytes) == set(old_bytes)
    # The summary counts what happened (the manifest is not counted).
    assert f"新增 0、修改 {len(changed) - 1}、删除 0、未变 {len(kept)}" in result.stdout


def test_no_cache_writes_every_file_again(tmp_path):
    root = sample_project(tmp_path)
    build(root)
    before = stats(root / "site")
    build(root, "--no-cache")
    after = stats(root / "site")
    assert set(after) == set(before) and all(after[p][0] != before[p][0] for p in after)


def test_a_killed_build_leaves_the_previous_or_the_next_site_and_the_next_build_repairs(tmp_path):
    root = sample_project(tmp_path)
    # Two versions of the content that differ in listings, pages, feeds and search: a title, a removed
    # document and an added one.
    shutil.copytree(root / "content", root / "content-b")
    edit(root / "content-b/fdzdgknr/2018-pingshan-gzld.md", r"^title: .*$", 'title: "改过的标题"')
    (root / "content-b/fdzdgknr/2015-zhuhui-zfb-gzzj.md").rename(root / "content-b/fdzdgknr/2015-renamed.md")
    (root / "content-b/fdzdgknr/2021-guangming-zhb-gzzj.md").unlink()
    expected = {}
    for version in ("content", "content-b"):
        build(root, content=version, out=f"ref-{version}/site")
        expected[version] = files(root / f"ref-{version}/site")
    assert expected["content"] != expected["content-b"]
    build(root)
    rng = random.Random(7)
    started = time.monotonic()
    build(root, content="content-b")
    full_time = time.monotonic() - started
    served = "content-b"
    for attempt in range(8):
        target = "content-b" if served == "content" else "content"
        command = [sys.executable, str(REPO / "build.py"), "build", "--today", TODAY, "--content", target]
        process = subprocess.Popen(
            command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        time.sleep(rng.uniform(0, full_time * 1.2))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        now = files(root / "site")
        assert now in (expected["content"], expected["content-b"]), f"attempt {attempt}: a mixed site is served"
        served = "content" if now == expected["content"] else "content-b"
    for version in ("content", "content-b"):
        build(root, content=version)
        assert files(root / "site") == expected[version]
        # The search index answers for the documents of this version only.
        found = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "search", "改过的标题", "--out", "site", "--json"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert ('"total": 1' in found) == (version == "content-b"), found
    leftovers = sorted(p.name for p in root.iterdir() if p.name.startswith("."))
    assert leftovers == [".site-cache", ".site-index", ".site.spare"]
    assert list((root / ".site-cache").glob(f"{SPILL_PREFIX}*")) == []


def test_the_next_build_removes_the_spilled_search_postings_a_killed_build_left(tmp_path):
    root = sample_project(tmp_path)
    build(root)
    left = root / f".site-cache/{SPILL_PREFIX}killed"
    left.mkdir()
    (left / "chunk.bin").write_bytes(b"postings")
    build(root)  # nothing changed: it finds nothing to do, but tidies first
    assert not left.exists() and (root / ".site-cache/static-search.record").is_file()


def test_in_ci_each_stage_prints_a_line_and_the_summary_times_them(tmp_path):
    root = sample_project(tmp_path)
    build(root)
    (root / ".site-cache/unchanged.pickle").unlink(missing_ok=True)  # the stages of a build that does its work
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--today", TODAY],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CI": "true"},
    )
    stages = [line.partition("：")[0] for line in result.stderr.splitlines() if re.search(r"（\d+\.\d\d 秒）$", line)]
    assert stages == ["读取和校验", "生成页面", "静态文件", "搜索索引", "发布"]
    assert "读取：0 篇文件重新读取，5 篇沿用缓存。" in result.stdout
    assert re.search(r"各阶段用时：读取和校验 \d+\.\d\d 秒，生成页面 .*发布 \d+\.\d\d 秒。", result.stdout)


def test_many_scheduled_documents_are_summarised_not_listed(make_site, run_cli):
    later = {
        f"content/s{n}.md": GOOD_DOC.replace("2019-00001", f"2019-0000{n}").replace(
            "published: 2019-03-06", f"published: 2027-0{n}-01"
        )
        for n in range(1, 6)
    }
    root = make_site({"content/a.md": GOOD_DOC.replace("2019-00001", "2019-00009"), **later})
    result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 0
    assert result.out.count("定时发布：") == 3
    assert "另有 2 篇定时发布的文件未生成（最晚 2027-05-01 发布）。" in result.out


def test_the_static_search_index_is_not_rebuilt_when_no_document_changed_and_patched_after_an_edit(
    tmp_path, monkeypatch
):
    from xxgk import pipeline
    from xxgk.config import load_config
    from xxgk.search import static_update as static_search_update

    root = sample_project(tmp_path)
    today = date.fromisoformat(TODAY)
    pipeline.build(load_config(root / "config.yaml"), today)
    built = files(root / "site")
    calls_file = tmp_path / "calls"  # a file: an update of the indexes is made in a worker process
    calls_file.write_text("", encoding="utf-8")

    def counted(docs, write, spill_in):
        # On disk among the build's derived data (site/ or fresh/ beside it), not in the system temp folder.
        assert spill_in in (root / ".site-cache", root / ".fresh-cache")
        with calls_file.open("a", encoding="utf-8") as handle:
            handle.write("1")
        return real(docs, write, spill_in=spill_in)

    real = static_search_update.built
    monkeypatch.setattr(static_search_update, "built", counted)

    def calls() -> int:
        return len(calls_file.read_text(encoding="utf-8"))

    edit(root / "config.yaml", r"^site_name: .*$", "site_name: 改名后的政府信息公开")
    pipeline.build(load_config(root / "config.yaml"), today)  # every page changes, the index does not
    index = {p: b for p, b in built.items() if p.startswith("search/") and p != "search/index.html"}
    assert calls() == 0 and len(index) > 10 and all(files(root / "site")[p] == b for p, b in index.items())
    record = root / ".site-cache/static-search.record"
    record.write_text("{garbage", encoding="utf-8")  # a damaged record: the index is built again
    (root / ".site-cache/unchanged.pickle").unlink(missing_ok=True)  # by the next build that runs (no input changed)
    pipeline.build(load_config(root / "config.yaml"), today)
    assert calls() == 1
    edit(root / "content/fdzdgknr/2018-pingshan-gzld.md", r"较好的完成了各项工作任务。$", "较好地完成了各项工作任务。")
    pipeline.build(load_config(root / "config.yaml"), today)  # the edit is patched into the index
    source = root / "content/fdzdgknr/2018-pingshan-gzld.md"
    text = source.read_text(encoding="utf-8").replace("2019-00001", "2026-00001").replace("2018-03-06", "2026-11-02")
    (root / "content/fdzdgknr/2026-pingshan-new.md").write_text(
        text.replace("工作亮点", "新的工作亮点"), encoding="utf-8"
    )
    pipeline.build(load_config(root / "config.yaml"), today)  # a new document, the newest: patched too
    assert calls() == 1
    pipeline.build(load_config(root / "config.yaml", output_dir=tmp_path / "fresh"), today, reuse=False)
    fresh = {p: b for p, b in files(tmp_path / "fresh").items() if p.startswith("search/")}
    assert {p: b for p, b in files(root / "site").items() if p.startswith("search/")} == fresh


def test_a_build_that_fails_after_updating_the_index_leaves_the_served_index_byte_for_byte(tmp_path, monkeypatch):
    from xxgk import output, pipeline
    from xxgk.config import load_config

    root = sample_project(tmp_path)
    today = date.fromisoformat(TODAY)
    pipeline.build(load_config(root / "config.yaml"), today)
    before = files(root / ".site-index")
    edit(root / "content/fdzdgknr/2018-pingshan-gzld.md", r"较好的完成了各项工作任务。$", "较好地完成了各项工作任务。")

    def fail(stage):
        raise OSError("磁盘已满")

    # The staged index shares its files with the served one (hard links): updating it must not touch them.
    monkeypatch.setattr(output.Staging, "write_manifest", fail)
    with pytest.raises(OSError):
        pipeline.build(load_config(root / "config.yaml"), today)
    assert files(root / ".site-index") == before
    monkeypatch.undo()
    report = pipeline.build(load_config(root / "config.yaml"), today)
    assert report.index.updated == 1 and files(root / ".site-index") != before


def test_a_build_whose_cache_lost_a_body_meanwhile_starts_again_and_makes_the_right_site(tmp_path):
    # A build reads an unchanged document back in brief and its body only when a page asks for it: here every
    # page is made again (no page record) and the cached bodies are gone, as if another process had dropped them.
    root = sample_project(tmp_path / "a")
    build(root)
    with sqlite3.connect(root / ".site-cache/documents.sqlite") as db:
        db.execute("UPDATE documents SET entry = substr(entry, 1, 20) || x'00' || substr(entry, 22)")
    (root / ".site-cache/pages.record").unlink()
    (root / ".site-cache/unchanged.pickle").unlink(missing_ok=True)
    build(root)
    fresh = sample_project(tmp_path / "b")
    build(fresh, "--no-cache")
    assert files(root / "site") == files(fresh / "site")


def test_an_index_found_unfit_while_the_pages_are_written_is_rebuilt_and_answers_as_a_fresh_one(tmp_path):
    # The update of the Whoosh index is planned beside the pages; a plan that turns out to be a rebuild (the index
    # damaged, or most documents changed) is carried out after them, and nothing the planner saw is kept.
    from xxgk import pipeline, search
    from xxgk.config import load_config

    root = sample_project(tmp_path)
    today = date.fromisoformat(TODAY)
    pipeline.build(load_config(root / "config.yaml"), today)
    segment = next((root / ".site-index").glob("*.trm"))
    segment.write_bytes(segment.read_bytes()[:-10])  # damaged, the marker still there
    edit(root / "content/fdzdgknr/2018-pingshan-gzld.md", r"较好的完成了各项工作任务。$", "较好地完成了各项工作任务。")
    healed = pipeline.build(load_config(root / "config.yaml"), today)
    assert (healed.index.full, healed.index.healed) == (True, True)
    for source in sorted((root / "content/fdzdgknr").glob("*.md")):  # every document changed: rebuilt, not patched
        source.write_text(source.read_text(encoding="utf-8") + "\n补充说明：甲乙丙丁。\n", encoding="utf-8")
    rebuilt = pipeline.build(load_config(root / "config.yaml"), today)
    assert (rebuilt.index.full, rebuilt.index.healed, rebuilt.index.added) == (True, False, rebuilt.documents)
    pipeline.build(load_config(root / "config.yaml", output_dir=tmp_path / "fresh"), today, reuse=False)
    assert files(root / "site") == files(tmp_path / "fresh")
    found = [hit.url for hit in search.search(root / ".site-index", "甲乙丙丁").hits]
    assert len(found) == rebuilt.documents
    assert found == [hit.url for hit in search.search(tmp_path / ".fresh-index", "甲乙丙丁").hits]


def test_serve_publishes_the_site_before_the_whoosh_index_and_ends_with_both_as_a_fresh_build(tmp_path):
    # serve's builds call published() once the new site is swapped in, then bring the Whoosh index in line: the
    # preview reloads without waiting for it, and the index is never ahead of the site.
    from xxgk import pipeline, search
    from xxgk.cache import Memory
    from xxgk.config import load_config

    root = sample_project(tmp_path)
    today, memory = date.fromisoformat(TODAY), Memory()
    pipeline.build(load_config(root / "config.yaml"), today, since=None, memory=memory, published=lambda: None)
    seen = []

    def published() -> None:  # what the site and the index held at the moment the preview was told
        page = root / "site" / "xxgk" if (root / "site" / "xxgk").is_dir() else root / "site"
        pages = "".join(p.read_text(encoding="utf-8") for p in page.rglob("*.html"))
        seen.append(("甲乙丙丁" in pages, len(search.search(root / ".site-index", "甲乙丙丁").hits)))

    edit(
        root / "content/fdzdgknr/2018-pingshan-gzld.md", r"较好的完成了各项工作任务。$", "甲乙丙丁完成了各项工作任务。"
    )
    report = pipeline.build(load_config(root / "config.yaml"), today, since=None, memory=memory, published=published)
    assert seen == [(True, 0)]  # the page was there, the index not yet
    assert (report.index.full, report.index.updated) == (False, 1)
    assert [name for name, _ in report.stages] == [
        "读取和校验",
        "生成页面",
        "静态文件",
        "静态搜索索引",
        "发布",
        "搜索索引",
    ]
    assert files(root / "site") == made_afresh(root, tmp_path / "fresh", today)
    found = [hit.url for hit in search.search(root / ".site-index", "甲乙丙丁").hits]
    assert len(found) == 1 and found == [hit.url for hit in search.search(tmp_path / ".fresh-index", "甲乙丙丁").hits]


def test_a_body_link_whose_file_changes_is_read_again(tmp_path):
    # The body links b.pdf, a link to one of the attachments: a build must follow b.pdf wherever it points next,
    # and fail when it is gone, as a build from scratch does.
    listed = "validity: 有效\nattachments:\n  - {file: a.pdf, title: 甲}\n  - {file: c.pdf, title: 丙}"
    root = tmp_path / "p"
    write_config(root)
    (root / "content/a.md").write_text(
        GOOD_DOC.replace("validity: 有效", listed) + "\n[附件](b.pdf)\n", encoding="utf-8"
    )
    (root / "content/a.pdf").write_bytes(b"%PDF-1.7 a\n")
    (root / "content/c.pdf").write_bytes(b"%PDF-1.7 c\n")
    (root / "content/b.pdf").symlink_to("a.pdf")
    build(root)
    (root / "content/b.pdf").unlink()
    (root / "content/b.pdf").symlink_to("c.pdf")
    build(root)
    assert files(root / "site") == built_afresh(root)
    assert b"/c.pdf" in next(v for k, v in files(root / "site").items() if k.endswith(".html") and "doc/" in k)
    (root / "content/b.pdf").unlink()
    failed = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--today", TODAY], cwd=root, capture_output=True, text=True
    )
    assert failed.returncode == 1 and "link-unresolved" in failed.stderr


def test_an_attachment_link_pointed_at_a_copy_of_its_file_is_read_again(tmp_path):
    # The same bytes under another name: the page must link the file the attachment now reaches, as a build from
    # scratch does, and a build must not depend on the old name once it is gone.
    root = tmp_path / "p"
    write_config(root)
    listed = "validity: 有效\nattachments:\n  - {file: a.pdf, title: 甲}"
    (root / "content/a.md").write_text(GOOD_DOC.replace("validity: 有效", listed), encoding="utf-8")
    (root / "content/b.pdf").write_bytes(b"%PDF-1.7 b\n")
    (root / "content/a.pdf").symlink_to("b.pdf")
    build(root)
    shutil.copy(root / "content/b.pdf", root / "content/c.pdf")
    (root / "content/a.pdf").unlink()
    (root / "content/a.pdf").symlink_to("c.pdf")
    (root / "content/b.pdf").unlink()
    build(root)
    assert files(root / "site") == built_afresh(root)
    page = next(v for k, v in files(root / "site").items() if k.endswith(".html") and "doc/" in k)
    assert b"/c.pdf" in page and b"/b.pdf" not in page


def test_files_put_into_the_site_or_the_spare_by_hand_are_never_published_again(tmp_path):
    root = sample_project(tmp_path / "p")
    build(root)
    source = root / "content/fdzdgknr/2018-pingshan-gzld.md"
    (root / "site/google123.html").write_text("stray", encoding="utf-8")  # into the served site
    spare = root / ".site.spare"
    (spare / "stray.html").write_text("stray", encoding="utf-8")  # into the spare, beside a folder of its own
    (spare / "catalog/extra").mkdir()
    (spare / "catalog/extra/x.html").write_text("stray", encoding="utf-8")
    evil = tmp_path / "evil"
    evil.mkdir()
    shutil.rmtree(spare / "static")
    (spare / "static").symlink_to(evil)  # a link where a folder of the site was
    for n in range(4):  # the spare and the site change places at every build
        edit(source, r"各项工作任务(（第.次）)?。$", f"各项工作任务（第{n}次）。")
        build(root)
        published = files(root / "site")
        assert not {"google123.html", "stray.html", "catalog/extra/x.html"} & published.keys()
        assert not (root / "site/static").is_symlink() and list(evil.iterdir()) == []
    assert files(root / "site") == built_afresh(root)


@pytest.fixture
def listed(monkeypatch) -> list[str]:
    """The folders of the spare that builds list (those not proved unchanged by the folder record), in order; no
    folder's mtime counts as too recent to trust (see the same-tick test)."""
    from xxgk import output

    found: list[str] = []
    sweep = output._sweep_folder
    monkeypatch.setattr(output, "_sweep_folder", lambda path, *rest: found.append(path) or sweep(path, *rest))
    monkeypatch.setattr(output, "RACY_NS", 0)
    return found


def test_a_spare_is_listed_only_in_the_folders_that_changed_since_it_was_published(tmp_path, listed):
    from xxgk import pipeline
    from xxgk.config import load_config

    root = sample_project(tmp_path / "p")
    source, today = root / "content/fdzdgknr/2018-pingshan-gzld.md", date.fromisoformat(TODAY)
    for n in range(4):
        if n == 3:
            (root / ".site.spare/catalog/stray.html").write_text("stray", encoding="utf-8")
        edit(source, r"各项工作任务(（第.次）)?。$", f"各项工作任务（第{n}次）。")
        listed.clear()
        pipeline.build(load_config(root / "config.yaml"), today, since=None)
    # The spare's own folder changes as its manifest is taken away; of the others, only the one a file was put in.
    spare = os.fspath(root / ".site.spare")
    assert listed == [spare, f"{spare}/catalog"] and not (root / "site/catalog/stray.html").exists()


def test_the_files_of_a_spare_folder_unchanged_since_it_was_published_are_not_looked_at_one_by_one(
    tmp_path, monkeypatch
):
    from xxgk import output, pipeline
    from xxgk.config import load_config

    root = sample_project(tmp_path / "p")
    source, today = root / "content/fdzdgknr/2018-pingshan-gzld.md", date.fromisoformat(TODAY)
    monkeypatch.setattr(output, "RACY_NS", 0)  # no folder's mtime too recent to trust
    looked_at, lstat = [], os.lstat
    spare = os.fspath(root / ".site.spare") + "/"
    monkeypatch.setattr(os, "lstat", lambda path, *rest: looked_at.append(os.fspath(path)) or lstat(path, *rest))
    changed = spare + "doc/1133990000274816X7"
    for n in range(5):
        if n == 4:  # an entry added and removed: the folder's mtime moves on
            (root / ".site.spare/doc/1133990000274816X7/x.html").write_text("x", encoding="utf-8")
            (root / ".site.spare/doc/1133990000274816X7/x.html").unlink()
        edit(source, r"各项工作任务(（第.次）)?。$", f"各项工作任务（第{n}次）。")
        looked_at.clear()
        pipeline.build(load_config(root / "config.yaml"), today, since=None)
        pages = {os.path.dirname(p) for p in looked_at if p.startswith(spare + "doc/") and p.endswith(".html")}
        # Folders are recorded once the build has written them: the edited page's is trusted too. (The second
        # build stages into a copy of the first, which no record vouches for.)
        if n >= 2:
            assert pages == ({changed} if n == 4 else set()), n
    assert files(root / "site") == built_afresh(root)


def test_a_file_removed_from_the_spare_is_published_all_the_same(tmp_path, monkeypatch):
    # Removing it changes its folder's mtime: the folder is no longer trusted, and its files are looked at.
    from xxgk import output, pipeline
    from xxgk.config import load_config

    root = sample_project(tmp_path / "p")
    source, today = root / "content/fdzdgknr/2018-pingshan-gzld.md", date.fromisoformat(TODAY)
    monkeypatch.setattr(output, "RACY_NS", 0)
    for n in range(2):
        edit(source, r"各项工作任务(（第.次）)?。$", f"各项工作任务（第{n}次）。")
        pipeline.build(load_config(root / "config.yaml"), today, since=None)
    other = next(
        path for path in sorted((root / ".site.spare/doc").rglob("*.html")) if "114403006955506492" not in str(path)
    )
    other.unlink()
    edit(source, r"各项工作任务（第.次）。$", "各项工作任务（第2次）。")
    pipeline.build(load_config(root / "config.yaml"), today, since=None)
    assert files(root / "site") == built_afresh(root)


def test_a_spare_of_the_same_bytes_as_the_site_is_known_by_its_own_folders(tmp_path, listed):
    # A build that changes nothing (serve's first) publishes the same bytes into the spare: two trees of folders
    # with one manifest, each recorded as itself, so the next build still trusts the one it stages into.
    from xxgk import pipeline
    from xxgk.cache import Memory
    from xxgk.config import load_config

    root = sample_project(tmp_path / "p")
    source, today = root / "content/fdzdgknr/2018-pingshan-gzld.md", date.fromisoformat(TODAY)
    for n in range(3):
        edit(source, r"各项工作任务(（第.次）)?。$", f"各项工作任务（第{n}次）。")
        pipeline.build(load_config(root / "config.yaml"), today, since=None)
    pipeline.build(load_config(root / "config.yaml"), today, since=None, memory=Memory())
    same = (root / "site" / MANIFEST).read_bytes()
    assert (root / ".site.spare" / MANIFEST).read_bytes() == same
    edit(source, r"各项工作任务（第.次）。$", "各项工作任务（第3次）。")
    listed.clear()
    pipeline.build(load_config(root / "config.yaml"), today, since=None)
    assert listed == [os.fspath(root / ".site.spare")]  # its own folder changes as its manifest is taken away
    assert files(root / "site") == built_afresh(root)


def test_the_spare_a_first_build_seeds_is_trusted_by_the_next_build(tmp_path, listed):
    # The first build leaves a copy of the site as the spare (its own tree of folders): recorded as well, the next
    # build (often an edit in CI, after a cold build) lists none of its folders and looks at none of its files.
    from xxgk import pipeline
    from xxgk.config import load_config

    root = sample_project(tmp_path / "p")
    source, today = root / "content/fdzdgknr/2018-pingshan-gzld.md", date.fromisoformat(TODAY)
    pipeline.build(load_config(root / "config.yaml"), today, since=None)
    edit(source, r"各项工作任务。$", "各项工作任务（一）。")
    listed.clear()
    pipeline.build(load_config(root / "config.yaml"), today, since=None)
    assert listed == [os.fspath(root / ".site.spare")]  # its own folder changes as its manifest is taken away
    assert files(root / "site") == built_afresh(root)


def test_a_folder_changed_in_the_same_clock_tick_as_its_record_is_listed_all_the_same(tmp_path):
    # An entry added to a folder within the tick of the folder's last change leaves its mtime as it was: a folder
    # whose mtime was too close to the record is listed, as a stat could not tell.
    from xxgk import pipeline
    from xxgk.config import load_config

    root = sample_project(tmp_path / "p")
    source, today = root / "content/fdzdgknr/2018-pingshan-gzld.md", date.fromisoformat(TODAY)
    for _ in range(2):
        pipeline.build(load_config(root / "config.yaml"), today, since=None)
    # The next build stages into the spare and publishes it: its catalog folder's mtime is then not before the
    # record that build makes of it, however slow the build is.
    later = time.time_ns() + 60 * 10**9
    os.utime(root / ".site.spare/catalog", ns=(later, later))
    edit(source, r"各项工作任务。$", "各项工作任务（一）。")
    pipeline.build(load_config(root / "config.yaml"), today, since=None)
    catalog = root / "site/catalog"
    before = catalog.stat()
    assert before.st_mtime_ns == later
    (catalog / "stray.html").write_text("stray", encoding="utf-8")
    os.utime(catalog, ns=(before.st_atime_ns, before.st_mtime_ns))  # as if in the same tick
    for n in range(2):  # the site becomes the spare, which the build after the next stages into
        edit(source, r"各项工作任务（.）。$", f"各项工作任务（{n}）。")
        pipeline.build(load_config(root / "config.yaml"), today, since=None)
        assert not (root / "site/catalog/stray.html").exists()


def test_builds_run_from_two_folders_keep_each_their_documents_in_the_cache(tmp_path):
    # Documents are known by their path as shown from the working folder: a build run from elsewhere (as serve
    # --config /path/to/config.yaml is) must not make the next build in the site's folder read every one again.
    root = sample_project(tmp_path / "p")
    source = root / "content/fdzdgknr/2018-pingshan-gzld.md"
    command = [sys.executable, str(REPO / "build.py"), "build", "--today", TODAY, "--config", str(root / "config.yaml")]

    def reread(cwd: Path) -> int:
        run = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=True)
        return int(re.search(r"读取：(\d+) 篇文件重新读取", run.stdout + run.stderr).group(1))

    for cwd in (root, tmp_path):  # each fills its own entries
        reread(cwd)
    for n in range(2):
        edit(source, r"各项工作任务(（第.次）)?。$", f"各项工作任务（第{n}次）。")
        assert (reread(root), reread(tmp_path)) == (1, 1)


def test_serve_keeps_the_static_index_record_its_first_build_left_as_it_was(tmp_path, monkeypatch):
    # serve's first build after a build changes nothing in the static index, so saves no record: the one saved is
    # parsed then, after the swap, not by the worker of serve's next build (which inherits the value).
    from xxgk import pipeline
    from xxgk.cache import Memory
    from xxgk.config import load_config
    from xxgk.search import static_update

    root = sample_project(tmp_path / "p")
    build(root)
    memory, today = Memory(), date.fromisoformat(TODAY)
    pipeline.build(load_config(root / "config.yaml"), today, since=None, memory=memory, published=lambda: None)
    loads = []
    monkeypatch.setattr(static_update, "_loaded", lambda data: loads.append(data))
    assert static_update._read((root / ".site-cache/static-search.record").read_bytes(), memory.parsed) is not None
    assert loads == []


DOC = "content/fdzdgknr/2018-pingshan-gzld.md"


def _added(root: Path) -> Path:
    new = root / "content/fdzdgknr/2019-added.md"
    new.write_text(
        GOOD_DOC.replace("2019-00001", "2019-00077").replace("工作思路", "工作思路（增补）"), encoding="utf-8"
    )
    return new


def _edited(root: Path) -> Path:
    edit(root / DOC, r"较好的完成了各项工作任务。$", "甲乙丙丁完成了各项工作任务。")
    return root / DOC


def _deleted(root: Path) -> Path:
    (root / DOC).unlink()
    return root / DOC


# How serve's Memory is told of a change: the path changed, and whether the content folder is walked again.
@pytest.mark.parametrize(
    ("change", "told", "walked"),
    [
        (_edited, lambda path: {str(path)}, False),  # a document reported changed: only it is looked at
        (_added, lambda path: {str(path)}, True),  # a file no build found
        (_deleted, lambda path: {str(path)}, True),  # a document no longer there
        (_edited, lambda path: None, True),  # changes not told file by file (a poll, or before the watch)
        (_edited, lambda path: {str(path), *(f"/nowhere/{n}.md" for n in range(64))}, True),  # too many to trust
    ],
)
def test_serve_s_builds_told_what_changed_make_the_site_a_full_build_makes(tmp_path, monkeypatch, change, told, walked):
    from xxgk import content, pipeline
    from xxgk.cache import Memory
    from xxgk.config import load_config

    root = sample_project(tmp_path)
    today, memory = date.fromisoformat(TODAY), Memory(reporting=True)
    pipeline.build(load_config(root / "config.yaml"), today, since=None, memory=memory, published=lambda: None)
    finds = []
    monkeypatch.setattr(content, "find", lambda folder, find=content.find: finds.append(folder) or find(folder))
    memory.report(told(change(root).absolute()))
    report = pipeline.build(load_config(root / "config.yaml"), today, since=None, memory=memory, published=lambda: None)
    assert bool(finds) == walked and report.reread == (change is not _deleted)
    assert files(root / "site") == made_afresh(root, tmp_path / "fresh", today)


def test_changes_reported_before_a_failed_build_are_looked_at_by_the_next(tmp_path):
    # The Memory is what the last successful build left: an edit reported for a build that failed is still an edit.
    from xxgk import pipeline
    from xxgk.cache import Memory
    from xxgk.config import load_config
    from xxgk.errors import BuildError

    root = sample_project(tmp_path)
    today, memory = date.fromisoformat(TODAY), Memory(reporting=True)
    pipeline.build(load_config(root / "config.yaml"), today, since=None, memory=memory, published=lambda: None)
    other = root / "content/fdzdgknr/2019-shiliqu-zgb-gzzj.md"
    good = other.read_text(encoding="utf-8")
    other.write_text(re.sub(r'(?m)^(published: "?\d{4})-\d\d-', r"\1-13-", good), encoding="utf-8")
    memory.report({str(_edited(root).absolute()), str(other.absolute())})
    with pytest.raises(BuildError):
        pipeline.build(load_config(root / "config.yaml"), today, since=None, memory=memory, published=lambda: None)
    other.write_text(good, encoding="utf-8")
    memory.report({str(other.absolute())})  # only the fix is reported now
    pipeline.build(load_config(root / "config.yaml"), today, since=None, memory=memory, published=lambda: None)
    built = files(root / "site")
    assert built == made_afresh(root, tmp_path / "fresh", today) and any(
        "甲乙丙丁".encode() in data for data in built.values()
    )
