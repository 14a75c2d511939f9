"""The staged write: paths can't escape, no path is written twice, the old site survives any failure, unchanged files
are not rewritten, and one build at a time writes into a folder."""

from __future__ import annotations

import pytest

from xxgk import output
from xxgk.manifest import MANIFEST
from xxgk.model import Output
from xxgk.output import Changes, Staging, staged


def test_outputs_are_written_and_swapped_in(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "old.html").write_text("old")
    with staged(out) as stage:
        stage.write([Output("index.html", b"new"), Output("doc/a/b.html", b"doc")])
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "doc/a/b.html",
        "index.html",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # neither staging nor old copy left behind


def test_a_failure_leaves_the_old_site_untouched(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("old")
    with pytest.raises(RuntimeError), staged(out) as stage:
        stage.write([Output("index.html", b"half")])
        raise RuntimeError("a later stage failed")
    assert (out / "index.html").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_first_build_creates_the_folder(tmp_path):
    with staged(tmp_path / "new" / "site") as stage:
        stage.write([Output("index.html", b"x")])
    assert (tmp_path / "new" / "site" / "index.html").read_bytes() == b"x"


@pytest.mark.parametrize("dest", ["../evil.html", "/etc/passwd", "a/../../evil.html", ""])
def test_paths_cannot_escape(tmp_path, dest):
    with pytest.raises(ValueError, match="escapes the site folder"):
        Staging(tmp_path).target(dest)


def test_symlinked_folder_cannot_lead_outside(tmp_path):
    (tmp_path / "stage").mkdir()
    (tmp_path / "stage" / "doc").symlink_to(tmp_path)
    with pytest.raises(ValueError, match="escapes the site folder"):
        Staging(tmp_path / "stage").target("doc/x.html")


def test_a_path_is_written_once(tmp_path):
    stage = Staging(tmp_path)
    stage.write([Output("a.html", b"1")])
    with pytest.raises(ValueError, match="two outputs claim one path"):
        stage.write([Output("a.html", b"2")])


def test_static_tree_is_copied_without_hidden_files(tmp_path):
    source = tmp_path / "static"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body{}")
    (source / ".DS_Store").write_text("x")
    stage = Staging(tmp_path / "out")
    assert stage.copy_tree(source, "static") == 1
    assert (tmp_path / "out" / "static" / "css" / "site.css").exists()


def tree(folder):
    """Every file under folder: path -> (bytes, inode, mtime_ns)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build_once(out, files, reuse=True):
    with staged(out, reuse=reuse) as stage:
        stage.write([Output(dest, data) for dest, data in files.items()])
        stage.write_manifest()
    return stage


def test_unchanged_files_are_linked_not_rewritten_and_removed_files_go(tmp_path):
    out = tmp_path / "site"
    build_once(out, {"same.html": b"same", "edited.html": b"old", "gone.html": b"bye"})
    before = tree(out)
    stage = build_once(out, {"same.html": b"same", "edited.html": b"new", "added/x.html": b"hi"})
    after = tree(out)
    assert after["same.html"] == before["same.html"]  # same bytes, same inode, same mtime
    assert after["edited.html"][0] == b"new" and after["edited.html"][1] != before["edited.html"][1]
    assert after["added/x.html"][0] == b"hi" and "gone.html" not in after
    assert stage.changes() == Changes(added=1, changed=1, removed=1, unchanged=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_without_reuse_every_file_is_written_again(tmp_path):
    out = tmp_path / "site"
    build_once(out, {"same.html": b"same"})
    before = tree(out)
    build_once(out, {"same.html": b"same"}, reuse=False)
    assert tree(out)["same.html"][1] != before["same.html"][1]


@pytest.mark.parametrize("damage", ["edited on disk", "manifest garbled", "manifest missing", "file is a symlink"])
def test_a_file_is_reused_only_when_the_manifest_and_its_size_vouch_for_it(tmp_path, damage):
    out = tmp_path / "site"
    build_once(out, {"a.html": b"right"})
    if damage == "edited on disk":
        (out / "a.html").write_bytes(b"wrong!")
    elif damage == "manifest garbled":
        (out / MANIFEST).write_bytes(b"\xff\xfe")
    elif damage == "manifest missing":
        (out / MANIFEST).unlink()
    else:
        (tmp_path / "elsewhere").write_bytes(b"right")
        (out / "a.html").unlink()
        (out / "a.html").symlink_to(tmp_path / "elsewhere")
    before = (out / "a.html").lstat().st_ino
    build_once(out, {"a.html": b"right"})
    assert (out / "a.html").read_bytes() == b"right" and not (out / "a.html").is_symlink()
    assert (out / "a.html").lstat().st_ino != before


def test_the_swap_works_without_an_atomic_exchange(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    out = tmp_path / "site"
    build_once(out, {"a.html": b"1", "b.html": b"2"})
    build_once(out, {"a.html": b"1", "c.html": b"3"})
    assert {k: v[0] for k, v in tree(out).items() if k != MANIFEST} == {"a.html": b"1", "c.html": b"3"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_second_build_into_the_same_folder_is_refused_while_one_runs(tmp_path):
    out = tmp_path / "site"
    with output.locked(out):
        with pytest.raises(output.OutputBusy) as refused, output.locked(out):
            pass
    assert refused.value.problems[0].code == "output-busy" and "另一个构建" in refused.value.problems[0].message
    with output.locked(out):  # released when the first build ended
        pass


def test_the_lock_holder_removes_what_a_killed_build_left(tmp_path):
    out, index = tmp_path / "site", tmp_path / ".site-index"
    for leftover in (".site.new-abc", ".site-index.new-def", ".site.old-ghi/site"):
        (tmp_path / leftover).mkdir(parents=True)
        (tmp_path / leftover / "f").write_text("x")
    (tmp_path / "unrelated.new-1").mkdir()
    with output.locked(out, index):
        # Killed between the two renames of the fallback swap: the previous site is put back.
        assert (out / "f").read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "unrelated.new-1"]


def test_a_leftover_previous_site_does_not_replace_a_present_one(tmp_path):
    out = tmp_path / "site"
    (out).mkdir()
    (out / "current").write_text("now")
    (tmp_path / ".site.old-x" / "site").mkdir(parents=True)
    with output.locked(out):
        pass
    assert [p.name for p in out.iterdir()] == ["current"] and not (tmp_path / ".site.old-x").exists()
