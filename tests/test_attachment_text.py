"""The text inside attachments goes through the privacy, spam and 密级 rules: a leak in a .xlsx, .xls, .docx, .doc, .wps,
.pptx, .pdf, .csv or .txt stops the build with the attachment, the place in it and the masked value; an attachment that cannot
be read is a warning naming it; size caps keep a big or hostile file from stalling the build."""  # noqa: E501

from __future__ import annotations

import io
import json
import struct
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk.check import attachment_text
from xxgk.check.attachment_text import Unreadable

from . import office
from .conftest import GOOD_DOC, TODAY

FIXTURES = Path(__file__).with_name("data") / "attachments"  # made by make_xls.py there
PLAIN_DOC = office.word97(["x\r"])  # one 8-bit piece of two characters at byte 900 of WordDocument
PLAIN_PIECE, PLAIN_PLC = struct.pack("<I", 900 * 2 | 0x40000000), b"\x02" + struct.pack("<3I", 16, 0, 2)
WPS_CLSID = bytes.fromhex("0609020000000000c000000000000046")  # WPS Office puts Word's class id in the OLE header
ID = "11010519491231002X"
MOBILE = "13812345678"
ID_MESSAGE = (
    "公开了居民身份证号码（110105********002X）：个人信息公开前必须去标识化，请改为“110105********002X”或删除。"
)
MOBILE_MESSAGE = (
    "公开了手机号码（138****5678）：个人信息公开前必须去标识化，请改为“138****5678”或删除；"
    "单位的公开电话请登记为官方电话。"
)


def with_stream_size(data: bytes, name: str, size: int) -> bytes:
    """The OLE file with the directory entry of stream `name` declaring `size` bytes (its sectors unchanged)."""
    at = data.index((name + "\0").encode("utf-16-le").ljust(64, b"\0"))
    return data[: at + 120] + struct.pack("<I", size) + data[at + 124 :]


def doc(file: str, front: str = "") -> str:
    return GOOD_DOC.replace("validity: 有效", f"validity: 有效{front}\nattachments:\n  - {{file: {file}, title: 名单}}")


def build(make_site, run_cli, files: dict, file: str, front: str = ""):
    root = make_site({"content/a.md": doc(file, front), **files})
    result = run_cli(["build", "--today", TODAY, "--since", "none", "--format", "json"], root)
    return (
        root,
        result.code,
        [(p["path"], p["line"], p["level"], p["code"], p["message"]) for p in json.loads(result.out)["problems"]],
    )


@pytest.mark.parametrize(
    ("name", "data", "where", "message"),
    [
        (
            "名单.xlsx",
            office.xlsx({"说明": [["补贴发放名单"]], "补贴名单": [["姓名", "身份证号"], ["王五", ID]]}),
            "工作表“补贴名单”B2 单元格",
            ID_MESSAGE,
        ),
        (
            "名单.xlsx",
            office.xlsx({"名单": [["姓名", "手机"], ["王五", int(MOBILE)]]}),
            "工作表“名单”B2 单元格",
            MOBILE_MESSAGE,
        ),
        ("名单.docx", office.docx(["公示如下：", f"张三 {ID}"]), "正文第 2 段", ID_MESSAGE),
        (
            "名单.docx",
            office.docx(["公示如下："], [["姓名", "手机"], ["李四", MOBILE]]),
            "第 1 个表格第 2 行第 2 列",
            MOBILE_MESSAGE,
        ),
        ("名单.pptx", office.pptx([["汇报"], ["联系人", f"电话 {MOBILE}"]]), "第 2 张幻灯片", MOBILE_MESSAGE),
        ("名单.pdf", office.pdf([["Notice"], ["Name: Zhang San", f"ID: {ID}"]]), "第 2 页第 2 行", ID_MESSAGE),
        ("名单.csv", f"姓名,手机\n张三,{MOBILE}\n".encode("gb18030"), "第 2 行", MOBILE_MESSAGE),
        ("名单.txt", f"公示名单\n\n张三 {ID}\n".encode(), "第 3 行", ID_MESSAGE),
        ("名单.xls", (FIXTURES / "名单.xls").read_bytes(), "工作表“补贴名单”C3 单元格", ID_MESSAGE),
        # Word 97–2003: Chinese text is a UTF-16 piece, ASCII-only text an 8-bit (compressed) one, as Word writes them.
        ("名单.doc", office.word97(["公示如下：\r", f"张三 {ID}\r"]), "正文第 2 段", ID_MESSAGE),
        ("名单.doc", office.word97(["Notice\r", f"Tel: {MOBILE}\r"]), "正文第 2 段", MOBILE_MESSAGE),
        ("名单.doc", office.word97(["公示如下：\r"], [f"联系人手机 {MOBILE}\r"]), "脚注第 1 段", MOBILE_MESSAGE),
        ("名单.doc", office.word97([f"{MOBILE}\r"], prc=b"\x01\x03\x00\x08\x08\x08"), "正文第 1 段", MOBILE_MESSAGE),
        (
            "名单.wps",
            office.word97(["公示名单\r姓名\x07手机\x07\x07李四\x07", f"{MOBILE}\x07\x07"], header_clsid=WPS_CLSID),
            "正文第 5 段（表格内）",
            MOBILE_MESSAGE,
        ),
        (
            "名单.wps",
            office.word97(["张三 身份证号：", f"{ID}\r"], table="0Table", header_clsid=WPS_CLSID),
            "正文第 1 段",
            ID_MESSAGE,
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and "." in v and len(v) < 10 else None,
)
def test_a_leak_in_each_readable_type_is_refused_with_its_location(make_site, run_cli, name, data, where, message):
    root, code, problems = build(make_site, run_cli, {f"content/files/{name}": data}, f"files/{name}")
    code_name = "privacy-id-number" if message == ID_MESSAGE else "privacy-mobile"
    assert code == 1
    assert ("content/a.md", 13, "error", code_name, f"附件“files/{name}”{where}：{message}") in problems
    assert not (root / "site").exists()


def test_masked_values_pass_and_the_attachment_is_published(make_site, run_cli):
    data = office.xlsx({"名单": [["姓名", "身份证号", "手机"], ["王五", "110105********002X", "138****5678"]]})
    root, code, problems = build(make_site, run_cli, {"content/files/名单.xlsx": data}, "files/名单.xlsx")
    assert code == 0 and problems == []
    assert (root / "site/doc/114403006955506492/2019-00001/名单.xlsx").read_bytes() == data


def test_spam_and_classified_marks_in_an_attachment_are_errors(make_site, run_cli):
    data = office.docx(["机密★5年", "欢迎访问皇冠体育"])
    _, code, problems = build(make_site, run_cli, {"content/files/通知.docx": data}, "files/通知.docx")
    assert code == 1
    assert [(p[3], p[4].split("：")[0]) for p in problems] == [
        ("classified-mark", "附件“files/通知.docx”正文第 1 段"),
        ("spam-term", "附件“files/通知.docx”正文第 2 段"),
    ]


def test_allow_with_a_reason_publishes_past_an_attachment_finding(make_site, run_cli):
    data = office.xlsx({"名单": [["举报电话", int(MOBILE)]]})
    front = "\nallow:\n  privacy-mobile: 本机关公布的举报手机，经保密审查可以公开"
    _, code, problems = build(make_site, run_cli, {"content/files/名单.xlsx": data}, "files/名单.xlsx", front)
    assert code == 0 and problems == []


def test_an_unreadable_attachment_is_a_warning_naming_it(make_site, run_cli):
    _, code, problems = build(
        make_site, run_cli, {"content/files/名单.docx": b"PK\x03\x04 not really a zip"}, "files/名单.docx"
    )
    assert code == 0
    assert problems == [
        (
            "content/a.md",
            13,
            "warning",
            "attachment-unreadable",
            "附件“files/名单.docx”中的文字未能读取：文件已损坏或不是真正的 DOCX 文件（BadZipFile）。其中的身份证号、手机号等"  # noqa: E501
            "未经检查：请另存为 DOCX、XLSX 或文字版 PDF 后再附上；如确已人工核对，可在 allow 中写明 "
            "attachment-unreadable: 理由。",
        )
    ]


def test_check_and_build_refuse_a_leak_in_a_doc_and_a_wps_alike(make_site, run_cli):
    files = {
        "content/a.md": GOOD_DOC.replace(
            "validity: 有效",
            "validity: 有效\nattachments:\n  - {file: files/名单.doc, title: 名单}"
            "\n  - {file: files/通讯录.wps, title: 通讯录}",
        ),
        "content/files/名单.doc": office.word97(["公示如下：\r", f"张三 {ID}\r"]),
        "content/files/通讯录.wps": office.word97(
            ["Contacts\r", f"Mobile: {MOBILE}\r"], table="0Table", header_clsid=WPS_CLSID
        ),
    }
    root = make_site(files)
    for command in ("check", "build"):
        result = run_cli([command, "--today", TODAY, "--since", "none", "--format", "json"], root)
        assert result.code == 1
        assert [(p["line"], p["code"], p["message"]) for p in json.loads(result.out)["problems"]] == [
            (13, "privacy-id-number", f"附件“files/名单.doc”正文第 2 段：{ID_MESSAGE}"),
            (14, "privacy-mobile", f"附件“files/通讯录.wps”正文第 2 段：{MOBILE_MESSAGE}"),
        ]
    assert not (root / "site").exists()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (office.word97([f"张三 {ID}\r"])[:3000], "OLE 复合文档已损坏（OleFileError）"),
        (office.word97([f"张三 {ID}\r"], flags=0x0100), "文件已加密（设置了打开密码）"),
    ],
)
def test_a_damaged_or_encrypted_doc_is_a_warning_naming_it(make_site, run_cli, data, reason):
    _, code, problems = build(make_site, run_cli, {"content/files/名单.doc": data}, "files/名单.doc")
    assert code == 0
    assert [(p[2], p[3], p[4].split("。")[0]) for p in problems] == [
        ("warning", "attachment-unreadable", f"附件“files/名单.doc”中的文字未能读取：{reason}")
    ]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("a.png", b"\x89PNG\r\n\x1a\n", "不能读取 PNG 格式的文字"),
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "不是 OLE 复合文档，因而不是 Word 97–2003 格式的文件"),
        ("a.doc", office.word97(["x\r"])[:3000], "OLE 复合文档已损坏（OleFileError）"),
        ("a.doc", office.word97(["x\r"], flags=0x0100), "文件已加密（设置了打开密码）"),
        (
            "a.doc",
            office.ole({"WordDocument": b"\xec\xa5\x65\x00" + bytes(900)}),
            "不是 Word 97–2003 格式（可能是 Word 6.0/95",
        ),
        (
            "a.doc",
            office.ole({"WordDocument": b"\xec\xa5\xc1\x00" + bytes(60)}),
            "文件头（FIB）的结构不是 Word 97–2003 格式",
        ),
        ("a.doc", with_stream_size(PLAIN_DOC, "WordDocument", 10**8), "OLE 复合文档已损坏：数据流的长度超过了文件本身"),
        (
            "a.doc",
            with_stream_size(PLAIN_DOC, "WordDocument", 4096 + 512),
            "OLE 复合文档已损坏（incomplete OLE stream）",
        ),
        (
            "a.doc",
            PLAIN_DOC.replace(PLAIN_PIECE, struct.pack("<I", 0x7FFFFFF0)),
            "文件已损坏：文字超出了 WordDocument 数据流",
        ),
        (
            "a.doc",
            PLAIN_DOC.replace(PLAIN_PLC, b"\x02" + struct.pack("<3I", 16, 0, 10**8)),
            "文件已损坏：分段表中的字符位置不对",
        ),
        (
            "a.doc",
            office.word97(["x\r"], table="0Table").replace(b"0\0T\0a\0b\0l\0e", b"1\0T\0a\0b\0l\0e"),
            "文件已损坏：分段表超出了表格数据流",
        ),
        (
            "a.wps",
            office.ole({"WpsContent": b"WPS 2000"}),
            "OLE 复合文档中没有 WordDocument 数据流，不是 Word 97–2003 格式的文件；"
            "可能是 WPS 2000 等早期版本保存的文件",
        ),
        ("a.wps", b"PK\x03\x04", "文件已损坏或不是真正的 WPS 文件（BadZipFile）"),
        ("a.et", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "不是 xlrd 能读取的 Excel 97–2003 文件"),
        ("a.docx", b"PK\x03\x04", "文件已损坏或不是真正的 DOCX 文件（BadZipFile）"),
        ("a.xlsx", office.docx(["x"]), "文件已损坏或不是真正的 XLSX 文件（KeyError）"),
        ("a.pdf", b"%PDF-1.4\n%%EOF", "PDF 无法解析"),
        ("a.txt", "公示".encode("utf-16"), "既不是 UTF-8 也不是 GB18030 编码的文字"),
    ],
)
def test_why_an_attachment_could_not_be_read(name, data, reason):
    with pytest.raises(Unreadable) as caught:
        attachment_text.lint(name, data)
    assert caught.value.message.startswith(reason)


def test_an_xml_part_with_a_dtd_is_refused():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
        "<w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", bomb)
    with pytest.raises(Unreadable, match="DTD"):
        attachment_text.lint("a.docx", buffer.getvalue())


def test_the_size_caps(tmp_path, monkeypatch):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 2048)
    monkeypatch.setattr(attachment_text, "MAX_BYTES", 1024)
    with pytest.raises(Unreadable, match="超过自动检查的上限 0 MB"):
        attachment_text.read(big)
    monkeypatch.setattr(attachment_text, "MAX_XML_BYTES", 100)
    with pytest.raises(Unreadable, match="解压后超过"):
        attachment_text.lint("a.docx", office.docx(["一段足够长的文字" * 20]))
    monkeypatch.setattr(attachment_text, "MAX_CHARS", 10)
    with pytest.raises(Unreadable, match="文字超过"):
        attachment_text.lint("a.txt", "一二三四五\n六七八九十\n十一".encode())


def test_a_drafts_attachment_findings_only_warn(make_site, run_cli):
    data = office.xlsx({"名单": [["王五", ID]]})
    _, code, problems = build(make_site, run_cli, {"content/files/名单.xlsx": data}, "files/名单.xlsx", "\ndraft: true")
    assert code == 0 and [(p[2], p[3]) for p in problems] == [("warning", "privacy-id-number")]


@settings(max_examples=40, deadline=None)
@given(
    sheet=st.text(st.characters(codec="utf-8", categories=("L", "N")), min_size=1, max_size=8),
    row=st.integers(1, 30),
    column=st.integers(0, 5),
    birth=st.dates(date(1900, 1, 1), date(2025, 12, 31)),
    area=st.sampled_from(["110105", "440306", "350102"]),
    serial=st.integers(0, 999),
)
def test_any_valid_id_number_in_any_cell_is_found_at_that_cell(sheet, row, column, birth, area, serial):
    from xxgk.check.privacy import id18_valid

    body = f"{area}{birth:%Y%m%d}{serial:03d}"
    number = next(body + c for c in "0123456789X" if id18_valid(body + c))  # exactly one check character fits
    rows = [[""] * 6 for _ in range(row)]
    rows[-1][column] = f"身份证：{number}"
    found = attachment_text.lint("a.xlsx", office.xlsx({sheet: rows}))
    assert [(where, f.code) for where, f in found] == [
        (f"工作表“{sheet}”{chr(65 + column)}{row} 单元格", "privacy-id-number")
    ]


def test_a_legacy_excel_mobile_number_stored_as_a_number_is_found():
    found = attachment_text.lint("名单.xls", (FIXTURES / "名单.xls").read_bytes())
    assert [(where, f.code) for where, f in found] == [
        ("工作表“补贴名单”C3 单元格", "privacy-id-number"),
        ("工作表“补贴名单”D3 单元格", "privacy-mobile"),
    ]


@settings(max_examples=150, deadline=None)
@given(changes=st.lists(st.tuples(st.integers(0, len(PLAIN_DOC) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_a_damaged_word_file_is_read_or_unreadable_and_nothing_else(changes):
    data = bytearray(office.word97(["公示如下：\r", f"张三 {ID}\r"], [f"手机 {MOBILE}\r"]))
    for at, value in changes:
        data[at] = value
    try:
        attachment_text.lint("a.doc", bytes(data))
    except Unreadable:
        pass


def test_a_word_files_field_marks_and_line_breaks_are_spaces_so_numbers_stay_apart():
    found = attachment_text.passages("a.doc", office.word97(['Call \x13 HYPERLINK "tel:1" \x14us\x15\x0bnow\r']))
    assert found == [attachment_text.Passage("正文第 1 段", 'Call   HYPERLINK "tel:1"  us  now')]


def test_a_character_outside_the_bmp_does_not_shift_where_the_footnotes_begin():
    # 𠮷 is two character positions in a Word file; counted as one, the footnote's first digit would join the body.
    found = attachment_text.lint("a.doc", office.word97(["公示：王𠮷\r", "张三\r"], [f"{MOBILE}\r"]))
    assert [(where, f.code) for where, f in found] == [("脚注第 1 段", "privacy-mobile")]
