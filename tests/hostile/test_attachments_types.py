"""Attachments: only the document types of the allow-list, each true to its type, are published.

A web page, a script, an SVG, a document source or a file without an extension is refused at its line;
config.yaml can add types but never one a browser would run; odd names are located errors.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk import attachments

from ..conftest import GOOD_DOC, MINIMAL_CONFIG, TODAY, brief_lines
from .sites import LOCAL_PATHS, local_site, snapshot, time_limit

PAGE = "site/doc/114403006955506492/2019-00001.html"
FOLDER = "site/doc/114403006955506492/2019-00001"
SCRIPT = b"<script>document.title='pwned'</script>"


def doc(*files: str, body: str = "") -> str:
    """GOOD_DOC with these attachments (their lines are 13, 14, …)."""
    listed = "".join(f"  - file: {name}\n" for name in files)
    return GOOD_DOC.replace("validity: 有效", "validity: 有效\nattachments:\n" + listed) + body


def forbidden(name: str, kind: str) -> str:
    return (
        f"附件“{name}”是 {kind} 类型，浏览器会把它当作网页或程序在本网站下打开（可能执行其中的脚本），"
        "不能作为附件发布。请转为 PDF 等格式后再附上。"
    )


ALLOWED = "、".join(sorted(attachments.TYPES))


def not_listed(name: str, kind: str) -> str:
    return (
        f"附件“{name}”的{kind}不在允许发布的附件类型中（{ALLOWED}）。"
        "请转为 PDF 等格式；确需发布这种类型时，在 config.yaml 的 attachment_types 中加入它的扩展名。"
    )


def disguised(name: str, extension: str) -> str:
    return (
        f"附件“{name}”的内容看起来是网页或程序（以“<”开头、含有 <script> 等标记或二进制数据），"
        f"不能作为 .{extension} 文件发布。请换成真正的 {extension.upper()} 文件，或转为 PDF。"
    )


def mismatch(name: str, kind: str) -> str:
    return f"附件“{name}”的内容不是 {kind} 文件（扩展名与内容不符），可能已损坏或改错了扩展名。请重新导出后再上传。"


REFUSED = [
    ("a.html", SCRIPT, forbidden("a.html", "HTML")),
    ("index.html", SCRIPT, forbidden("index.html", "HTML")),
    ("a.js", b"alert(1)", forbidden("a.js", "JS")),
    ("a.svg", b"<svg onload='alert(1)'/>", forbidden("a.svg", "SVG")),
    ("a.xhtml", SCRIPT, forbidden("a.xhtml", "XHTML")),
    ("a.shtml", SCRIPT, forbidden("a.shtml", "SHTML")),
    ("a.php", b"<?php system($_GET['c']);", forbidden("a.php", "PHP")),
    ("a.HTM", SCRIPT, forbidden("a.HTM", "HTM")),
    (".htaccess", b"AddType text/html .pdf", not_listed(".htaccess", "没有扩展名，类型")),
    ("README", b"plain", not_listed("README", "没有扩展名，类型")),
    ("a.dwg", b"AC1027", not_listed("a.dwg", "类型 .dwg")),
    (
        "other.md",
        GOOD_DOC.replace("2019-00001", "2019-00002").encode(),  # a document of its own, with its own 索引号
        "附件“other.md”是文档源文件（.md），不能作为附件发布：草稿或定时发布的文件会因此提前公开。"
        "请改为链接到该文件的网页，或附上导出的 PDF。",
    ),
    ("a.pdf", b"<html>" + SCRIPT, mismatch("a.pdf", "PDF")),
    ("a.png", b"GIF89a" + SCRIPT, mismatch("a.png", "PNG")),
    ("a.docx", b"%PDF-1.7", mismatch("a.docx", "DOCX")),
    ("a.txt", b"<!doctype html>" + SCRIPT, disguised("a.txt", "txt")),
    ("a.csv", b"a,b\n1,<script>x</script>", disguised("a.csv", "csv")),
    ("a.txt", b"MZ\x90\x00\x03", disguised("a.txt", "txt")),
    ("a.pdf", b"", "附件“a.pdf”是空文件。请换成完整的文件。"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED, ids=[f"{r[0]}-{i}" for i, r in enumerate(REFUSED)])
def test_a_file_a_portal_must_not_publish_is_refused_at_its_line(tmp_path, run_cli, name, data, message):
    root = local_site(tmp_path / "s", {"content/a.md": doc(name), f"content/{name}": data})
    before = snapshot(tmp_path)
    result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 1
    assert brief_lines(result.err)[0] == f"content/a.md:13: {message}"
    assert snapshot(tmp_path) == before


# One file of every allowed type, each starting as real files of that type do.
GOOD = {
    "a.pdf": b"%PDF-1.7\n",
    "a.ofd": b"PK\x03\x04ofd",
    "a.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1doc",
    "a.docx": b"PK\x03\x04docx",
    "a.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1xls",
    "a.xlsx": b"PK\x03\x04xlsx",
    "a.wps": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1wps",
    "a.et": b"PK\x03\x04et",
    "a.ppt": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "a.pptx": b"PK\x03\x04pptx",
    "a.txt": "通知全文\n".encode(),
    "a.csv": "姓名,单位\n张三,办公室\n".encode("gb18030"),
    "a.zip": b"PK\x05\x06" + bytes(18),
    "a.rar": b"Rar!\x1a\x07\x01\x00",
    "a.7z": b"7z\xbc\xaf\x27\x1c\x00\x04",
    "a.png": b"\x89PNG\r\n\x1a\n",
    "a.jpg": b"\xff\xd8\xff\xe0",
    "a.jpeg": b"\xff\xd8\xff\xe1",
    "a.gif": b"GIF87a",
    "a.webp": b"RIFF\x24\x00\x00\x00WEBPVP8 ",
    "a.bmp": b"BM\x36\x00",
    "a.tif": b"II*\x00",
    "a.tiff": b"MM\x00*",
    "B.PDF": b"%PDF-1.4\n",
}


def test_every_allowed_type_is_published(tmp_path, run_cli):
    assert {Path(name).suffix.lower().lstrip(".") for name in GOOD} == set(attachments.TYPES)
    root = local_site(tmp_path / "s", {"content/a.md": doc(*GOOD), **{f"content/{n}": d for n, d in GOOD.items()}})
    result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 0, result.err
    assert sorted(p.name for p in (root / FOLDER).iterdir()) == sorted(GOOD)


def test_config_yaml_adds_a_type(tmp_path, run_cli):
    config = MINIMAL_CONFIG + "attachment_types: [dwg]\n" + LOCAL_PATHS
    root = local_site(tmp_path / "s", {"content/a.md": doc("a.dwg"), "content/a.dwg": b"AC1027\x00\x01"}, config)
    assert run_cli(["build", "--today", TODAY], root).code == 0
    assert (root / FOLDER / "a.dwg").read_bytes() == b"AC1027\x00\x01"


def test_an_added_type_still_may_not_be_a_web_page(tmp_path, run_cli):
    config = MINIMAL_CONFIG + "attachment_types: [dwg]\n" + LOCAL_PATHS
    root = local_site(tmp_path / "s", {"content/a.md": doc("a.dwg"), "content/a.dwg": SCRIPT}, config)
    result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 1 and brief_lines(result.err)[0] == f"content/a.md:13: {disguised('a.dwg', 'dwg')}"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("html", "附件类型“html”不能发布：浏览器会把它当作网页或程序在本网站下打开，或者它是文档源文件。"),
        ("svg", "附件类型“svg”不能发布：浏览器会把它当作网页或程序在本网站下打开，或者它是文档源文件。"),
        ("md", "附件类型“md”不能发布：浏览器会把它当作网页或程序在本网站下打开，或者它是文档源文件。"),
        (".PDF", "附件类型“.PDF”应为不带点的小写扩展名，例如 dwg。"),
    ],
)
def test_config_yaml_cannot_allow_a_type_a_browser_runs(tmp_path, run_cli, value, message):
    config = MINIMAL_CONFIG + f"attachment_types:\n  - {value}\n" + LOCAL_PATHS
    root = local_site(tmp_path / "s", {"content/a.md": GOOD_DOC}, config)
    result = run_cli(["build", "--today", TODAY], root)
    line = len(MINIMAL_CONFIG.splitlines()) + 2
    assert result.code == 1 and brief_lines(result.err)[0] == f"config.yaml:{line}: {message}"


@pytest.mark.parametrize(
    ("files", "data", "message"),
    [
        (
            ["files/a.pdf", "other/a.pdf"],
            {"content/files/a.pdf": b"%PDF-1", "content/other/a.pdf": b"%PDF-2"},
            "content/a.md:14: 附件“other/a.pdf”与第 13 行的附件同名（a.pdf），发布后会占用同一个网址。请给其中一个文件改名。",  # noqa: E501
        ),
        (
            ["a.pdf", "./a.pdf"],
            {"content/a.pdf": b"%PDF-1"},
            "content/a.md:14: 附件“./a.pdf”重复列出（第 13 行已列出同一文件）。请删去重复的一项。",
        ),
        (
            ["x" * 300 + ".pdf"],
            {},
            "content/a.md:13: 附件“" + "x" * 40 + "…”的文件名太长（超过 255 字节）。请改用简短的文件名。",
        ),
        (["pipe.pdf"], {}, "content/a.md:13: 附件“pipe.pdf”不是普通文件（而是文件夹、管道或设备），不会被读取。"),
        (["secret.txt"], {}, "content/a.md:13: 附件“secret.txt”在 content 文件夹之外。请把附件放在文档旁边。"),
        (["alias.pdf"], {"content/evil.html": SCRIPT}, "content/a.md:13: " + forbidden("alias.pdf", "HTML")),
        (
            ["x/.git/a.pdf"],
            {"content/x/.git/a.pdf": b"%PDF-1.7\n"},
            "content/a.md:13: 附件“x/.git/a.pdf”在隐藏的文件夹中（名字以“.”开头，如 .git）。"
            "请把附件放在文档旁边的普通文件夹里。",
        ),
    ],
)
def test_odd_attachments_are_located_errors(tmp_path, run_cli, files, data, message):
    root = local_site(tmp_path / "s", {"content/a.md": doc(*files), **data})
    os.mkfifo(root / "content/pipe.pdf")
    (root / "content/secret.txt").symlink_to("/etc/passwd")
    (root / "content/alias.pdf").symlink_to("evil.html")
    before = snapshot(tmp_path)
    with time_limit(60):
        result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 1 and message in brief_lines(result.err)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("body", ["\n[附件](a%00.pdf)\n", "\n[附件](" + "y" * 5000 + ".pdf)\n"])
def test_a_nul_or_overlong_body_link_is_a_located_error(tmp_path, run_cli, body):
    root = local_site(tmp_path / "s", {"content/a.md": GOOD_DOC + body})
    result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 1 and "content/a.md:18:1: 错误 link-unresolved 正文中的链接“" in result.err


def test_a_nul_in_an_attachment_name_is_a_located_error(tmp_path):
    message = attachments._target(attachments.Ref("a\x00.pdf", "表", 13), tmp_path / "a.md", tmp_path)[1]
    assert message == "附件“'a\\x00.pdf'”的文件名含有控制字符（如空字符、换行）。请给文件改一个普通的名字。"


@settings(max_examples=300, deadline=None)
@given(
    extension=st.one_of(
        st.sampled_from(sorted(attachments.FORBIDDEN | {"", "dwg", "exe", "svgz"})),
        st.text("abcdefghijklmnopqrstuvwxyz0123456789", max_size=6),
    ),
    data=st.binary(max_size=64),
)
def test_only_allowed_types_with_matching_content_pass(tmp_path_factory, extension, data):
    path = tmp_path_factory.mktemp("a") / (f"x.{extension}" if extension else "x")
    path.write_bytes(data)
    problem = attachments.file_problem(path.name, path)
    if extension not in attachments.TYPES or not data:
        assert problem is not None
    if extension in attachments.TYPES and attachments.TYPES[extension] is not None and data.startswith(b"<"):
        assert problem is not None
