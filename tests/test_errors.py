"""How a Problem names a file: relative to the working folder when inside it, else absolute, never following links."""

from __future__ import annotations

from pathlib import Path

import pytest

from xxgk.errors import shown_in, shown_paths


@pytest.mark.parametrize(
    ("cwd", "path", "shown"),
    [
        ("/srv/site", "content/a.md", "content/a.md"),
        ("/srv/site", "/srv/site/content/a.md", "content/a.md"),
        ("/srv/site", "/srv/site", "."),
        ("/srv/site", ".", "."),
        ("/srv/site", "/srv/site-b/a.md", "/srv/site-b/a.md"),  # a sibling that shares the name's start
        ("/srv/site", "/srv/other/a.md", "/srv/other/a.md"),
        ("/srv/site", "../other/a.md", "/srv/other/a.md"),
        ("/srv/site", "content/../content/a.md", "content/a.md"),
        ("/", "/etc/x", "etc/x"),
        ("/", "/", "."),
    ],
)
def test_paths_are_shown_as_an_editor_can_paste_them(monkeypatch, cwd, path, shown):
    monkeypatch.setattr("os.getcwd", lambda: cwd)
    monkeypatch.setattr("os.path.realpath", lambda folder: folder)
    assert shown_paths([Path(path)]) == [shown]


@pytest.mark.parametrize(
    ("cwd", "folder"),
    [
        ("/srv/site", "content/2024"),
        ("/srv/site", "/srv/site"),
        ("/srv/site", "."),
        ("/srv/site", "/srv/site-b"),
        ("/srv/site", "../other"),
        ("/srv/site", "/"),
        ("/", "/"),
        ("/", "/etc"),
    ],
)
def test_files_of_one_folder_are_shown_as_each_would_be(monkeypatch, cwd, folder):
    monkeypatch.setattr("os.getcwd", lambda: cwd)
    monkeypatch.setattr("os.path.realpath", lambda folder: folder)
    names = ["a.md", "政策 解读.md"]
    assert shown_in(Path(folder), names) == shown_paths([Path(folder) / name for name in names])


def test_inside_a_symlinked_working_folder_paths_are_relative(tmp_path, monkeypatch):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    monkeypatch.chdir(tmp_path / "link")
    assert shown_paths([Path("a.md"), tmp_path / "real/b.md"]) == ["a.md", "b.md"]
