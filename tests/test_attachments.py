"""Attachments: present, inside content/, not empty, true to their extension; body links follow them."""

from __future__ import annotations

import pytest

from xxgk import attachments, cache, output
from xxgk.manifest import MANIFEST

from .conftest import GOOD_DOC, TODAY
from .linkcheck import broken_links

PAGE = "site/doc/114403006955506492/2019-00001.html"


def doc(files: str, body: str = "") -> str:
    return GOOD_DOC.replace("validity: 有效", "validity: 有效\nattachments:\n" + files) + body


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("表.pdf", b"", "content/a.md:13:1: 错误 attachment 附件“表.pdf”是空文件。请换成完整的文件。"),
        (
            "表.pdf",
            b"<html>not a pdf",
            "content/a.md:13:1: 错误 attachment 附件“表.pdf”的内容不是 PDF 文件（扩展名与内容不符），可能已损坏或改错了扩展名。请重新导出后再上传。",  # noqa: E501
        ),
        (
            "表.docx",
            b"%PDF-1.4",
            "content/a.md:13:1: 错误 attachment 附件“表.docx”的内容不是 DOCX 文件（扩展名与内容不符），可能已损坏或改错了扩展名。请重新导出后再上传。",  # noqa: E501
        ),
        (
            "../表.pdf",
            b"%PDF-1.4",
            "content/a.md:13:1: 错误 attachment 附件“../表.pdf”在 content 文件夹之外。请把附件放在文档旁边。",
        ),
    ],
)
def test_bad_attachments_are_errors(make_site, run_cli, name, data, message):
    files = {"content/a.md": doc(f"  - file: {name}\n    title: 表\n")}
    files["content/表.pdf" if not name.startswith("..") else "表.pdf"] = data if name.endswith(".pdf") else b"%PDF-1.4"
    if name.endswith(".docx"):
        files["content/表.docx"] = data
    result = run_cli(["build", "--today", TODAY], make_site(files))
    assert result.code == 1 and message in result.err


def test_good_attachments_of_each_kind(make_site, run_cli):
    files = {
        "content/a.md": doc(
            "  - {file: files/表.pdf, title: 统计表}\n  - {file: files/说明.docx, title: 说明}\n"
            "  - {file: files/清单.csv, title: 清单}\n"
        ),
        "content/files/表.pdf": b"%PDF-1.4\n",
        "content/files/说明.docx": b"PK\x03\x04rest",
        "content/files/清单.csv": "a,b\n",
    }
    root = make_site(files)
    assert run_cli(["build", "--today", TODAY], root).code == 0
    page = (root / PAGE).read_text(encoding="utf-8")
    assert "统计表" in page and "PDF" in page and "DOCX" in page


def test_body_links_to_attachments_point_at_their_published_copy(make_site, run_cli):
    files = {
        "content/a.md": doc("  - {file: files/表.pdf, title: 统计表}\n", "\n请下载[统计表](files/表.pdf)。\n"),
        "content/files/表.pdf": b"%PDF-1.4\n",
    }
    root = make_site(files)
    assert run_cli(["build", "--today", TODAY], root).code == 0
    assert 'href="2019-00001/%E8%A1%A8.pdf"' in (root / PAGE).read_text(encoding="utf-8")
    assert broken_links(root / "site", "/xxgk/") == []


def test_a_body_link_to_something_not_attached_is_an_error(make_site, run_cli):
    root = make_site({"content/a.md": GOOD_DOC + "\n见[附件](files/没有.pdf)。\n"})
    result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 1
    assert (
        "content/a.md:18:1: 错误 link-unresolved 正文中的链接“files/没有.pdf”找不到对应的附件。请把该文件列入 attachments（附件），或改用完整网址。"  # noqa: E501
        in result.err
    )


def test_an_unchanged_attachment_is_not_read_again_and_a_replaced_one_is_published(make_site, run_cli, monkeypatch):
    files = {
        "content/a.md": doc("  - {file: files/表.pdf, title: 统计表}\n"),
        "content/files/表.pdf": b"%PDF-1.4 one\n",
    }
    root = make_site(files)
    assert run_cli(["build", "--today", TODAY], root).code == 0
    copy = root / "site/doc/114403006955506492/2019-00001/表.pdf"
    before, real_hash = copy.stat().st_ino, output.file_hash
    second = GOOD_DOC.replace("2019-00001", "2019-00002").replace("标题", "另一个标题")
    (root / "content/b.md").write_text(second, encoding="utf-8")
    with monkeypatch.context() as patched:  # the document's cache entry holds: so does its attachment's digest
        hashed = []
        patched.setattr(output, "file_hash", lambda path: hashed.append(path.name) or real_hash(path))
        assert run_cli(["build", "--today", TODAY], root).code == 0
    assert hashed and "表.pdf" not in hashed  # the theme's files are, the attachment is not
    assert copy.stat().st_ino == before
    (root / "content/files/表.pdf").write_bytes(b"%PDF-1.4 two\n")  # the same size, other bytes
    assert run_cli(["build", "--today", TODAY], root).code == 0
    assert copy.read_bytes() == b"%PDF-1.4 two\n"


def test_a_document_read_afresh_hashes_each_attachment_once(make_site, run_cli, monkeypatch):
    root = make_site(
        {"content/a.md": doc("  - {file: files/表.pdf, title: 统计表}\n"), "content/files/表.pdf": b"%PDF-1.4 one\n"}
    )
    real_digest, hashed = cache.file_digest, []

    def counted(path):
        hashed.append(path.name)
        return real_digest(path)

    monkeypatch.setattr(cache, "file_digest", counted)
    monkeypatch.setattr(attachments, "file_digest", counted)
    assert run_cli(["build", "--today", TODAY], root).code == 0
    assert hashed.count("表.pdf") == 1


def test_an_attachments_copy_is_kept_with_its_page_and_made_again_when_it_changes(make_site, run_cli, tmp_path):
    files = {
        "content/a.md": doc("  - {file: files/表.pdf, title: 统计表}\n"),
        "content/b.md": GOOD_DOC.replace("2019-00001", "2019-00002"),
        "content/files/表.pdf": b"%PDF-1.4\n",
    }
    root = make_site(files)
    copy = root / "site/doc/114403006955506492/2019-00001/表.pdf"
    assert run_cli(["build", "--today", TODAY], root).code == 0
    before = copy.stat()
    (root / "content/b.md").write_text(files["content/b.md"] + "\n又一段。\n", encoding="utf-8")  # another document
    assert run_cli(["build", "--today", TODAY], root).code == 0
    assert (copy.stat().st_ino, copy.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    (root / "content/files/表.pdf").write_bytes(b"%PDF-1.4\n% second edition\n")
    assert run_cli(["build", "--today", TODAY], root).code == 0
    assert copy.read_bytes() == b"%PDF-1.4\n% second edition\n"
    (root / "content/files/表.pdf").write_bytes(b"%PDF-1.4\n")  # back as it was: the spare's copy is stale
    assert run_cli(["build", "--today", TODAY], root).code == 0
    assert copy.read_bytes() == b"%PDF-1.4\n"
    full = run_cli(["build", "--today", TODAY, "--no-cache", "--out", str(tmp_path / "full")], root)
    manifests = [(folder / MANIFEST).read_bytes() for folder in (root / "site", tmp_path / "full")]
    assert full.code == 0 and manifests[0] == manifests[1]
