"""The staged write: paths can't escape, no path is written twice, and the old site survives any failure."""

from __future__ import annotations

import pytest

from xxgk.model import Output
from xxgk.output import Staging, staged


def test_outputs_are_written_and_swapped_in(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "old.html").write_text("old")
    with staged(out) as stage:
        stage.write([Output("index.html", b"new"), Output("doc/a/b.html", b"doc")])
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == ["doc/a/b.html", "index.html"]
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
