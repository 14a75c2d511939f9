"""serve's pages rendered ahead of the build: made only for an edit of bodies alone, and then byte for byte the
pages the build writes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from .conftest import GOOD_DOC, TODAY
from .test_incremental import edit, files, sample_project

DOC = "content/fdzdgknr/2018-pingshan-gzld.md"
OTHER = "content/fdzdgknr/2019-shiliqu-zgb-gzzj.md"


def _body(root: Path) -> list[Path]:
    edit(root / DOC, r"较好的完成了各项工作任务。$", "甲乙丙丁完成了各项工作任务。")
    return [root / DOC]


def _two_bodies(root: Path) -> list[Path]:
    edit(root / OTHER, r"。$", "。戊己庚辛。")
    return [*_body(root), root / OTHER]


def _title(root: Path) -> list[Path]:
    edit(root / DOC, r"^title: .*$", 'title: "改过的标题"')
    return [root / DOC]


def _body_and_title(root: Path) -> list[Path]:
    return [*_body(root), *_title(root)]


def _body_with_an_error(root: Path) -> list[Path]:  # a full ID number: the privacy rule stops the build
    edit(root / DOC, r"较好的完成了各项工作任务。$", "联系人身份证号 11010519491231002X。")
    return [root / DOC]


def _body_and_an_editor_s_files(root: Path) -> list[Path]:  # swap, backup and temporary files, gone or not
    folder = root / "content/fdzdgknr"
    for name in (".2018-pingshan-gzld.md.swp", "2018-pingshan-gzld.md~", "4913"):
        (folder / name).write_bytes(b"\0")
    return [*_body(root), *(folder / name for name in (".2018-pingshan-gzld.md.swp", "2018-pingshan-gzld.md~", "4913"))]


def _body_with_spam_in_markup(root: Path) -> list[Path]:  # found in the built page only: the build stops
    edit(root / DOC, r"较好的完成了各项工作任务。$", "甲乙丙丁，皇冠<b>体育</b>。")
    return [root / DOC]


def _body_and_an_emacs_lock(root: Path) -> list[Path]:  # Emacs's lock while the buffer is unsaved: no document
    lock = root / "content/fdzdgknr/.#2018-pingshan-gzld.md"
    lock.symlink_to("editor@host.1234:1700000000")
    return [*_body(root), lock]


def _body_and_a_hidden_document(root: Path) -> list[Path]:  # a hidden Markdown file stops the build
    hidden = root / "content/fdzdgknr/.2019-hidden.md"
    hidden.write_text(GOOD_DOC.replace("2019-00001", "2019-00079"), encoding="utf-8")
    return [*_body(root), hidden]


def _body_and_a_new_folder(root: Path) -> list[Path]:
    (root / "content/new").mkdir()
    return [*_body(root), root / "content/new"]


def _body_and_a_new_document(root: Path) -> list[Path]:
    return [*_body(root), *_added(root)]


def _added(root: Path) -> list[Path]:
    added = root / "content/fdzdgknr/2019-added.md"
    added.write_text(GOOD_DOC.replace("2019-00001", "2019-00077"), encoding="utf-8")
    return [added]


def _deleted(root: Path) -> list[Path]:
    (root / DOC).unlink()
    return [root / DOC]


def _template(root: Path) -> list[Path]:  # any file but a document is left to the build
    template = root / "templates/document.html"
    template.parent.mkdir(exist_ok=True)
    template.write_text("{% extends 'base.html' %}", encoding="utf-8")
    return [*_body(root), template]


def _config(root: Path) -> list[Path]:
    config = root / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "# 注释\n", encoding="utf-8")
    return [*_body(root), config]


@pytest.mark.parametrize(
    ("change", "ahead"),
    [
        (_body, True),
        (_two_bodies, True),
        (_title, False),  # the navigation may show it: the build makes the page
        (_body_and_title, False),
        (_body_with_an_error, False),
        (_body_and_an_editor_s_files, True),
        (_body_with_spam_in_markup, False),
        (_body_and_an_emacs_lock, True),
        (_body_and_a_hidden_document, False),
        (_body_and_a_new_folder, False),
        (_body_and_a_new_document, False),  # its neighbours' 上一篇/下一篇 may change
        (_added, False),
        (_deleted, False),
        (_template, False),
        (_config, False),
    ],
)
def test_pages_are_rendered_ahead_only_for_bodies_and_as_the_build_then_writes_them(tmp_path, change, ahead):
    from xxgk import pipeline, preview
    from xxgk.cache import Memory
    from xxgk.config import load_config
    from xxgk.errors import BuildError

    root = sample_project(tmp_path)
    today, memory = date.fromisoformat(TODAY), Memory(reporting=True)
    pipeline.build(load_config(root / "config.yaml"), today, since=None, memory=memory, published=lambda: None)
    changed = change(root)
    memory.report({str(path.absolute()) for path in changed})
    config = load_config(root / "config.yaml")
    pages = preview.pages_ahead(config, memory, root / ".site-cache/templates")
    assert (pages is not None) == ahead
    try:
        pipeline.build(config, today, since=None, memory=memory, published=lambda: None)
    except BuildError:
        assert not ahead
        return
    if ahead:
        site = files(root / "site")
        assert len(pages) == len([p for p in changed if p.suffix == ".md" and not p.name.startswith(".")]) and all(
            site[path] == data for path, data in pages.items()
        )
        assert any("甲乙丙丁" in data.decode("utf-8") for data in pages.values())


def test_more_documents_edited_at_once_than_are_rendered_ahead_are_left_to_the_build(tmp_path, monkeypatch):
    from xxgk import preview

    monkeypatch.setattr(preview, "AHEAD_AT_MOST", 1)
    assert _ahead(sample_project(tmp_path), _two_bodies) is None
    assert _ahead(sample_project(tmp_path / "one"), _body) is not None


def test_a_body_edit_after_a_failed_build_is_rendered_ahead_from_the_last_good_one(tmp_path):
    from xxgk import pipeline, preview
    from xxgk.cache import Memory
    from xxgk.config import load_config
    from xxgk.errors import BuildError

    root = sample_project(tmp_path)
    today, memory = date.fromisoformat(TODAY), Memory(reporting=True)
    pipeline.build(load_config(root / "config.yaml"), today, since=None, memory=memory, published=lambda: None)
    memory.report({str(path.absolute()) for path in _body_with_an_error(root)})
    with pytest.raises(BuildError):
        pipeline.build(load_config(root / "config.yaml"), today, since=None, memory=memory, published=lambda: None)
    edit(root / DOC, r"联系人身份证号 11010519491231002X。$", "甲乙丙丁完成了各项工作任务。")
    memory.report({str((root / DOC).absolute())})
    pages = preview.pages_ahead(load_config(root / "config.yaml"), memory, None)
    pipeline.build(load_config(root / "config.yaml"), today, since=None, memory=memory, published=lambda: None)
    site = files(root / "site")
    assert pages and all(site[path] == data for path, data in pages.items())
    assert "甲乙丙丁" in next(iter(pages.values())).decode("utf-8")


def test_nothing_is_rendered_ahead_before_the_first_build_or_for_changes_not_told_file_by_file(tmp_path):
    from xxgk import pipeline, preview
    from xxgk.cache import Memory
    from xxgk.config import load_config

    root = sample_project(tmp_path)
    config, memory = load_config(root / "config.yaml"), Memory(reporting=True)
    memory.report({str(path.absolute()) for path in _body(root)})
    assert preview.pages_ahead(config, memory, None) is None
    pipeline.build(config, date.fromisoformat(TODAY), since=None, memory=memory, published=lambda: None)
    memory.report(None)
    assert preview.pages_ahead(config, memory, None) is None


def test_a_draft_s_body_edit_is_left_to_the_build(tmp_path):  # never published: it has no page to render ahead
    from xxgk import pipeline, preview
    from xxgk.cache import Memory
    from xxgk.config import load_config

    root = sample_project(tmp_path)
    draft = root / "content/fdzdgknr/2019-draft.md"
    draft.write_text(GOOD_DOC.replace("2019-00001", "2019-00078").replace("---\n", "---\ndraft: true\n", 1))
    config, memory = load_config(root / "config.yaml"), Memory(reporting=True)
    pipeline.build(config, date.fromisoformat(TODAY), since=None, memory=memory, published=lambda: None)
    edit(draft, r"较好地完成了各项工作任务。$", "甲乙丙丁。")
    memory.report({str(draft.absolute())})
    assert preview.pages_ahead(config, memory, None) is None


def _ahead(root: Path, change, config_file: str = "config.yaml") -> dict[str, bytes] | None:
    """What is rendered ahead of the build after change(root) (a list of paths reported), the sample built before."""
    from xxgk import pipeline, preview
    from xxgk.cache import Memory
    from xxgk.config import load_config

    memory = Memory(reporting=True)
    pipeline.build(load_config(root / config_file), date.fromisoformat(TODAY), since=None, memory=memory, published=str)
    memory.report({str(path.absolute()) for path in change(root)})
    return preview.pages_ahead(load_config(root / config_file), memory, None)


def test_a_config_file_among_the_documents_is_left_to_the_build(tmp_path):
    root = sample_project(tmp_path / "project")
    text = (root / "config.yaml").read_text(encoding="utf-8")
    (root / "config.yaml").write_text(text.replace("paths:\n", "paths:\n  content: .\n  output: ../out\n", 1))

    def renamed(root: Path) -> list[Path]:
        edit(root / "config.yaml", r"^site_name: .*$", "site_name: 改过的站名")
        return [*_body(root), root / "config.yaml"]

    assert _ahead(root, renamed) is None


def test_a_folder_of_documents_moved_away_is_left_to_the_build(tmp_path):  # the watch names the folder alone
    root = sample_project(tmp_path / "project")
    (root / "content/old").mkdir()
    (root / OTHER).rename(root / "content/old/moved.md")

    def moved(root: Path) -> list[Path]:
        (root / "content/old").rename(tmp_path / "trash")
        return [*_body(root), root / "content/old"]

    assert _ahead(root, moved) is None


def test_a_document_naming_an_unpublished_one_is_left_to_the_build(tmp_path):  # the site leaves the name out
    root = sample_project(tmp_path)
    scheduled = GOOD_DOC.replace("2019-00001", "2019-00077").replace("published: 2019-03-06", "published: 2099-01-01")
    (root / "content/fdzdgknr/2099-scheduled.md").write_text(scheduled, encoding="utf-8")
    edit(root / DOC, r'^validity: "有效"$', 'validity: "有效"\ninterprets: "114403006955506492/2019-00077"')
    assert _ahead(root, _body) is None
