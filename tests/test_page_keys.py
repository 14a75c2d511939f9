"""What a build renders and scans again: only pages whose inputs changed are rendered, only pages whose bytes
changed are scanned, and a damaged record means more work, never a different site."""

from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from xxgk import opendata, page_keys, pipeline, render, unchanged
from xxgk.config import load_config
from xxgk.errors import ContentError
from xxgk.key_memo import KeyMemo
from xxgk.model import (
    Attachment,
    CatalogEntry,
    Document,
    Heading,
    Listing,
    ListingPage,
    NavLink,
    PageLink,
    document_digest,
    metadata_digest,
)

from .conftest import REPO, TODAY, corpus_documents
from .test_incremental import edit, files, sample_project

DOC = "content/fdzdgknr/2018-pingshan-gzld.md"


def build(root: Path) -> tuple[int, int]:
    """Build the site in root in this process; returns (pages, pages rendered this time)."""
    lines = []
    # What is measured here is which pages a build renders: a build that finds every input as it was and does
    # nothing at all (see unchanged.py) is kept out by forgetting its record.
    (root / ".site-cache" / unchanged.RECORD).unlink(missing_ok=True)
    pipeline.build(load_config(root / "config.yaml"), date.fromisoformat(TODAY), since=None, progress=lines.append)
    found = next(
        re.search(r"生成页面：(\d+) 个页面，其中 (\d+) 个重新生成", line) for line in lines if "生成页面" in line
    )
    return int(found.group(1)), int(found.group(2))


def full_build(root: Path, out: Path) -> dict[str, bytes]:
    """The same site built from nothing into out."""
    config = load_config(root / "config.yaml", output_dir=out)
    pipeline.build(config, date.fromisoformat(TODAY), since=None, reuse=False)
    return files(out)


@pytest.fixture
def project(tmp_path):
    root = sample_project(tmp_path / "p")
    templates = shutil.copytree(REPO / "templates", root / "templates")
    text = (root / "config.yaml").read_text(encoding="utf-8")
    (root / "config.yaml").write_text(re.sub(r"templates: .*", f"templates: {templates}", text), encoding="utf-8")
    return root


def test_an_unchanged_build_renders_only_the_pages_that_list_nothing(project):
    pages, rendered = build(project)
    assert rendered == pages
    pages_again, rendered = build(project)
    # the home, browse-index, search, sitemap, subscription and 404 pages, always rendered (they are few)
    assert pages_again == pages and rendered <= 12


def test_an_edit_renders_its_page_and_the_listings_that_show_it_and_gives_a_full_builds_bytes(project, tmp_path):
    pages, _ = build(project)
    _, baseline = build(project)
    edit(project / DOC, r"较好的完成了各项工作任务。$", "较好地完成了各项工作任务。")
    _, rendered = build(project)
    assert baseline < rendered < baseline + 20
    assert files(project / "site") == full_build(project, tmp_path / "full")


def test_a_template_edit_renders_every_page_again(project, tmp_path):
    pages, _ = build(project)
    edit(project / "templates/partials/footer.html", r"^", "<!-- 页脚 -->\n")
    assert build(project) == (pages, pages)
    assert files(project / "site") == full_build(project, tmp_path / "full")


def test_damaged_compiled_templates_are_compiled_again(project, tmp_path):
    build(project)
    compiled = list((project / ".site-cache/templates").iterdir())
    assert len(compiled) > 10
    for path in compiled:
        path.write_bytes(b"garbage")
    edit(project / DOC, r"较好的完成了各项工作任务。$", "较好地完成了各项工作任务。")
    build(project)
    assert files(project / "site") == full_build(project, tmp_path / "full")


DAMAGES = {
    "garbage": lambda data: b"{garbage",
    "an earlier format's JSON": lambda data: b'{"format": 1, "pages": {"index.html": ["k", 3]}}',
    "empty": lambda data: b"",
    "truncated": lambda data: data[: len(data) // 2],
    "a byte changed": lambda data: data[:-9] + bytes([data[-9] ^ 1]) + data[-8:],
}


@pytest.mark.parametrize("record", ["pages.record", "page-scan.record"])
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_record_means_rendering_and_scanning_again(project, tmp_path, record, damage):
    pages, _ = build(project)
    path = project / ".site-cache" / record
    path.write_bytes(DAMAGES[damage](path.read_bytes()))
    edit(project / DOC, r"较好的完成了各项工作任务。$", "较好地完成了各项工作任务。")
    build(project)
    assert files(project / "site") == full_build(project, tmp_path / "full")


def test_spam_a_template_brings_into_unchanged_pages_is_found_with_a_warm_scan_record(project):
    build(project)
    base = project / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<p>皇冠体育</p></body>", 1), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        build(project)
    assert "index.html" in {Path(p.path).name for p in raised.value.problems if p.code == "spam-term"}


def test_the_scan_record_remembers_a_pages_warnings(project):
    footer = project / "templates/partials/footer.html"
    footer.write_text(
        footer.read_text(encoding="utf-8") + '<a href="https://www.example.org/">外部链接</a>\n', encoding="utf-8"
    )
    config = load_config(project / "config.yaml")
    today = date.fromisoformat(TODAY)
    first = pipeline.build(config, today, since=None).warnings
    again = pipeline.build(config, today, since=None).warnings
    assert any(p.path.endswith("site/index.html") for p in first) and again == first


def _changed(value: object) -> object:
    """Another value of the same kind, for each kind a key's fields hold."""
    return {str: lambda v: v + "x", int: lambda v: v + 1}[type(value)](value)


LINK = NavLink("政府工作报告", "fdzdgknr/2018.html", 3)


@pytest.mark.parametrize("memo", [None, KeyMemo()], ids=["", "memo"])
@pytest.mark.parametrize("side", [0, 1], ids=["newer", "older"])
@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(NavLink)])
def test_every_field_of_a_neighbouring_link_changes_a_document_pages_key(side, name, memo):
    doc = corpus_documents(1, seed=2)[0]
    context = render.PageContext(config=None, catalog=LINK, columns=(), facets=(), relations={})
    other = dataclasses.replace(LINK, **{name: _changed(getattr(LINK, name))})
    keys = set()
    for link in (None, LINK, other, LINK):  # with a memo, back to a link it no longer holds
        pair = [None, None]
        pair[side] = link
        with_link = dataclasses.replace(context, neighbours={doc.index_no: pair})
        key = page_keys.document_key("shared", doc, with_link, memo)
        assert key == page_keys.document_key("shared", doc, with_link)
        keys.add(key)
    assert len(keys) == 3


def test_a_memo_hashes_a_page_again_unless_its_documents_are_the_very_same_objects():
    # serve keeps its documents between builds: the same object means the same key. An equal document read
    # again may hold a dict in another order (its page then shows it in that order): its key is worked out again.
    doc, memo, made = corpus_documents(1, seed=2)[0], KeyMemo(), []
    context = render.PageContext(config=None, catalog=LINK, columns=(), facets=(), relations={}, neighbours={})
    copy = dataclasses.replace(doc)
    for asked, shared in ((doc, "a"), (doc, "a"), (copy, "a"), (copy, "b"), (copy, "b")):
        key = memo.key(doc.path, (shared,), (asked,), lambda: made.append(1) or f"{len(made)}")
        assert key == str(len(made))
    assert len(made) == 3
    assert page_keys.document_key("a", copy, context, memo) == page_keys.document_key("a", copy, context)


def test_a_memo_forgets_the_pages_a_build_no_longer_asks_for():
    memo = KeyMemo()
    first, second = object(), object()
    memo.key("a.html", (), (first,), lambda: "1")
    memo.key("b.html", (), (second,), lambda: "2")
    memo.forget_others()
    memo.key("a.html", (), (first,), lambda: "x")  # remembered: not made again
    memo.forget_others()
    assert memo.key("a.html", (), (first,), lambda: "y") == "1"
    assert memo.key("b.html", (), (second,), lambda: "3") == "3"  # forgotten by the build that did not ask


LISTING = Listing("column", "政策文件", "zcwj/index.html", 12, (), "说明", "上级", "sj/index.html")


@pytest.mark.parametrize("memo", [None, KeyMemo()], ids=["", "memo"])
@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Listing) if f.name != "pages"])
def test_every_field_of_a_listing_changes_its_pages_keys(name, memo):
    page = ListingPage("zcwj/index.html", 1, (), (PageLink(1, "zcwj/index.html"),))
    other = dataclasses.replace(LISTING, **{name: _changed(getattr(LISTING, name))})
    keys, plain = page_keys.ListingKeys("shared", memo), page_keys.ListingKeys("shared")
    assert keys.key(LISTING, page, None) != keys.key(other, page, None)
    assert keys.key(LISTING, page, None) == plain.key(LISTING, page, None)


REPORT = CatalogEntry(
    "R-2025-1", "2025年政府信息公开工作年度报告", "区政府办", date(2026, 1, 20), "ndbg/2025.html", "概述"
)


ROWS = {
    "documents, their digests worked out": lambda docs: [document_digest(doc) and doc for doc in docs],
    "documents never digested": lambda docs: [dataclasses.replace(doc) for doc in docs],
    "an annual report among them": lambda docs: [document_digest(docs[0]) and docs[0], REPORT, docs[1]],
    "an annual report alone": lambda docs: [REPORT],
}


@pytest.mark.parametrize("rows", ROWS.values(), ids=ROWS.keys())
def test_a_listing_pages_rows_are_each_documents_digest_or_each_reports_repr_one_a_line(rows):
    entries = tuple(rows(corpus_documents(2, seed=6)))
    expected = "\n".join(document_digest(e) if isinstance(e, Document) else repr(e) for e in entries)
    assert page_keys._rows(entries) == expected


def test_a_listing_pages_key_from_a_memo_follows_its_rows():
    docs = corpus_documents(3, seed=4)
    memo, keys = KeyMemo(), []
    for rows in (docs[:2], docs[:2], docs[1:], (docs[0], dataclasses.replace(docs[1], title="另一个标题"))):
        page = ListingPage("zcwj/index.html", 1, tuple(rows), (PageLink(1, "zcwj/index.html"),))
        key = page_keys.ListingKeys("shared", memo).key(LISTING, page, None)
        assert key == page_keys.ListingKeys("shared").key(LISTING, page, None)
        keys.append(key)
    assert keys[0] == keys[1] and len(set(keys)) == 3


def test_the_catalog_files_are_made_again_only_when_a_row_of_the_catalogue_changes(project, tmp_path, monkeypatch):
    made = []
    make = opendata.catalog_files
    monkeypatch.setattr(opendata, "catalog_files", lambda site, config: made.append(1) or make(site, config))
    build(project)
    edit(project / DOC, r"较好的完成了各项工作任务。$", "较好地完成了各项工作任务。")  # the body: no catalogue field
    build(project)
    assert len(made) == 1
    edit(project / DOC, r"2018年工作思路\"$", '2018年工作思路（修订）"')
    build(project)
    assert len(made) == 2
    assert files(project / "site") == full_build(project, tmp_path / "full")


def _other(value: object) -> object:
    """Another value of the kind a document's field holds."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, date) or value is None:
        return date(2001, 2, 3)
    if isinstance(value, tuple):
        return (*value, Attachment("a/b.pdf", "附件", 3) if value and isinstance(value[0], Attachment) else ("k", "v"))
    raise TypeError(value)


COMPARED = [f.name for f in dataclasses.fields(Document) if f.compare]
BODY = ("body_html", "body_text", "headings")


@pytest.mark.parametrize("name", [name for name in COMPARED if name not in (*BODY, "src")])
def test_every_field_but_the_body_changes_a_documents_catalogue_key(name):
    doc = corpus_documents(1, seed=3)[0]
    other = dataclasses.replace(doc, **{name: _other(getattr(doc, name))})
    assert metadata_digest(other) != metadata_digest(doc)


def test_the_source_path_shown_to_editors_is_no_part_of_any_key():
    doc = corpus_documents(1, seed=3)[0]
    other = dataclasses.replace(doc, src="/elsewhere/" + doc.src)  # the same file, named from another folder
    assert (document_digest(other), metadata_digest(other)) == (document_digest(doc), metadata_digest(doc))


@pytest.mark.parametrize("name", BODY)
def test_the_body_is_no_part_of_a_catalogue_row_nor_of_its_key(name):
    doc = corpus_documents(1, seed=3)[0]
    other = dataclasses.replace(doc, **{name: (Heading(2, "h", "标题"),) if name == "headings" else "另一段正文"})
    assert metadata_digest(other) == metadata_digest(doc) and document_digest(other) != document_digest(doc)
    config = load_config(REPO / "config.yaml")
    assert opendata.metadata(other, config) == opendata.metadata(doc, config)
