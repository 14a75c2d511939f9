"""A build that finds every input as the last published build found it does nothing and says so; any change to
an input, to the published site or index, or one made while a build runs, makes the next build do its work."""

from __future__ import annotations

import os
import re
import shutil
import time
from datetime import date, timedelta

import pytest

from xxgk import cache, pipeline, unchanged
from xxgk.config import load_config

from .conftest import REPO, TODAY
from .test_incremental import edit, files, sample_project, stats

DOC = "content/fdzdgknr/2018-pingshan-gzld.md"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The sample site with its own templates, static files and reports, built once; every file counts as old
    enough to trust its stat (the two-second guard against same-tick edits is tested apart)."""
    monkeypatch.setattr(unchanged, "RACY_NS", 0)
    monkeypatch.chdir(tmp_path)
    root = sample_project(tmp_path / "p")
    for folder in ("templates", "static", "reports"):
        shutil.copytree(REPO / folder, root / folder, dirs_exist_ok=True)
    text = (root / "config.yaml").read_text(encoding="utf-8")
    text = re.sub(r"templates: .*", f"templates: {root / 'templates'}", text)
    (root / "config.yaml").write_text(re.sub(r"static: .*", f"static: {root / 'static'}", text), encoding="utf-8")
    build(root)
    return root


def build(root, today=TODAY):
    return pipeline.build(load_config(root / "config.yaml"), date.fromisoformat(today), since=None)


def test_an_unchanged_build_does_nothing_and_reports_the_last_builds_findings(project):
    (project / "site/index.html").unlink()
    first = build(project)
    before = stats(project / "site")
    again = build(project)
    assert again.unchanged and not first.unchanged
    assert stats(project / "site") == before  # not one file written: same inodes, same mtimes
    assert (again.documents, again.pages, again.files, again.warnings) == (
        first.documents,
        first.pages,
        first.files,
        first.warnings,
    )
    assert (again.changes.added, again.changes.changed, again.changes.removed) == (0, 0, 0)


CHANGES = {
    "a document edited": lambda root: edit(root / DOC, r"较好的完成了各项工作任务。$", "较好地完成了各项工作任务。"),
    "a document touched, bytes the same": lambda root: os.utime(root / DOC),
    "a file added beside the documents": lambda root: (root / "content/fdzdgknr/附件.pdf").write_bytes(b"%PDF-1.4"),
    "a template edited": lambda root: edit(root / "templates/partials/footer.html", r"^", "<!-- 页脚 -->\n"),
    "a static file added": lambda root: (root / "static/extra.css").write_text("body{}", encoding="utf-8"),
    "an annual-report file touched": lambda root: os.utime(sorted((root / "reports").glob("*.yaml"))[0]),
    "the config edited": lambda root: edit(root / "config.yaml", r"^site_name: .*$", "site_name: 改名后的网站"),
    "a published page removed": lambda root: (root / "site/index.html").unlink(),
    "a published page replaced": lambda root: (
        (root / "site/x").write_bytes(b"defaced") or (root / "site/x").replace(root / "site/index.html")
    ),
    "a file added to the site": lambda root: (root / "site/doc/planted.html").write_bytes(b"planted"),
    "a folder added to the site": lambda root: (root / "site/planted").mkdir(),
    "a file added in new folders deep in the site": lambda root: (
        (root / "site/doc/planted/deeper").mkdir(parents=True)
        or (root / "site/doc/planted/deeper/x.html").write_bytes(b"planted")
    ),
    "a folder of the site removed": lambda root: shutil.rmtree(sorted((root / "site/doc").iterdir())[0]),
    "a folder of the site replaced by a copy": lambda root: (
        shutil.copytree(root / "site/doc", root / "site/doc-copy")
        and shutil.rmtree(root / "site/doc")
        or (root / "site/doc-copy").rename(root / "site/doc")
    ),
    "the search index removed": lambda root: shutil.rmtree(root / ".site-index"),
    "the site replaced by a copy": lambda root: (
        shutil.copytree(root / "site", root / "site-copy")
        and shutil.rmtree(root / "site")
        or (root / "site-copy").rename(root / "site")
    ),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_any_change_makes_the_build_do_its_work(project, change):
    build(project)
    change(project)
    assert not build(project).unchanged
    assert build(project).unchanged  # and that build recorded the new inputs
    config = load_config(project / "config.yaml", output_dir=project.parent / "full")
    pipeline.build(config, date.fromisoformat(TODAY), since=None, reuse=False)
    assert files(project / "site") == files(project.parent / "full")  # what a build from scratch makes


def test_a_build_takes_the_documents_stats_from_its_look(project, monkeypatch):
    edit(project / DOC, r"较好的完成了各项工作任务。$", "较好地完成了各项工作任务。")
    statted = []
    real_stat = cache._stat
    monkeypatch.setattr(cache, "_stat", lambda path: statted.append(str(path)) or real_stat(path))
    report = build(project)
    assert report.reread == 1 and report.cached == len(list((project / "content").rglob("*.md"))) - 1
    # The look stat'ed every document; only the edited one is stat'ed again, as it is read.
    assert [os.path.basename(path) for path in statted if path.endswith(".md")] == [os.path.basename(DOC)]


def test_another_day_or_working_folder_makes_the_build_do_its_work(project, monkeypatch):
    build(project)
    tomorrow = (date.fromisoformat(TODAY) + timedelta(days=1)).isoformat()
    assert not build(project, tomorrow).unchanged  # scheduled documents and deadlines depend on the day
    monkeypatch.chdir(project)  # messages name files from the working folder
    assert not build(project, tomorrow).unchanged


def test_a_build_from_another_working_folder_renders_no_page_and_indexes_nothing_again(project, monkeypatch):
    keys = (project / ".site-cache/pages.record").read_bytes()
    monkeypatch.chdir(project)  # messages now name files from here (so they are read again): no page shows it
    again = build(project)
    assert not again.unchanged
    assert (again.index.full, again.index.added, again.index.updated, again.index.deleted) == (False, 0, 0, 0)
    assert (project / ".site-cache/pages.record").read_bytes() == keys  # every page's key as it was: none rendered


def test_an_input_changed_within_two_seconds_is_not_trusted(project, monkeypatch):
    monkeypatch.setattr(unchanged, "RACY_NS", 2_000_000_000)
    build(project)
    os.utime(project / DOC)  # now: an edit in the same clock tick could leave this stat as it is
    assert not build(project).unchanged


def test_an_input_changed_while_the_build_runs_is_not_recorded(project, monkeypatch):
    build(project)
    real = pipeline._build_checked

    def edited_meanwhile(*args):
        report = real(*args)
        edit(project / DOC, r"较好的完成了各项工作任务。$", "较好地完成了各项工作任务。")
        return report

    edit(project / "config.yaml", r"^site_name: .*$", "site_name: 改名后的网站")
    monkeypatch.setattr(pipeline, "_build_checked", edited_meanwhile)
    assert not build(project).unchanged
    monkeypatch.undo()
    monkeypatch.setattr(unchanged, "RACY_NS", 0)
    assert not build(project).unchanged  # the edit made during the last build is built now
    assert "较好地完成了各项工作任务" in (project / "site/doc/114403006955506492/2019-00001.html").read_text(
        encoding="utf-8"
    )


def _slowed(monkeypatch, meanwhile=lambda: None):
    """Make every build take RACY_NS (set to 0.2 s) longer, running meanwhile() as it ends."""
    monkeypatch.setattr(unchanged, "RACY_NS", 200_000_000)
    real = pipeline._build_checked

    def slow(*args):
        report = real(*args)
        meanwhile()
        time.sleep(0.25)
        return report

    monkeypatch.setattr(pipeline, "_build_checked", slow)


def test_an_input_edited_just_before_a_build_is_recorded_once_it_is_old_enough(project, monkeypatch):
    _slowed(monkeypatch)
    edit(project / DOC, r"较好的完成了各项工作任务。$", "较好地完成了各项工作任务。")
    assert not build(project).unchanged  # its look could not trust the edited file's stat, the one after it can
    assert build(project).unchanged


@pytest.mark.parametrize("change", ["edited", "removed"])
def test_a_recent_input_changed_while_the_build_runs_is_not_recorded(project, monkeypatch, change):
    document = project / DOC
    _slowed(monkeypatch, lambda: document.unlink() if change == "removed" else edit(document, r"$", "补充。"))
    edit(document, r"较好的完成了各项工作任务。$", "较好地完成了各项工作任务。")
    assert not build(project).unchanged
    assert not (project / ".site-cache" / unchanged.RECORD).exists()


def test_no_cache_and_a_full_index_always_do_their_work(project):
    build(project)
    config = load_config(project / "config.yaml")
    assert not pipeline.build(config, date.fromisoformat(TODAY), since=None, reuse=False).unchanged
    build(project)
    assert not pipeline.build(config, date.fromisoformat(TODAY), since=None, full_index=True).unchanged


def test_serve_always_builds_and_so_fills_its_memory(project):
    from xxgk.cache import Memory

    build(project)
    memory = Memory()
    config = load_config(project / "config.yaml")
    report = pipeline.build(config, date.fromisoformat(TODAY), since=None, memory=memory)
    assert not report.unchanged and len(memory.entries) == report.documents
