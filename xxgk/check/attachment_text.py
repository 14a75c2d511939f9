"""The text inside attachments, for the privacy, spam and 密级 rules: the commonest real leak is a 公示名单
spreadsheet with full ID numbers, not the page body.

`passages(name, data)` turns a file's bytes into Passages, each a piece of text and where it is (工作表“名单”C3
单元格, 第 2 页第 5 行); `lint(name, data, official_phones)` runs the rules over them and returns (where, Finding)
pairs. Both are pure; only `read` touches the disk. A file that cannot be read raises Unreadable with the reason,
which the caller reports as a warning: an attachment is never silently trusted.

OOXML (.docx .xlsx .pptx) is read straight from its zip with the standard library's XML parser: these formats are
a handful of documented XML parts, so a library would add a dependency without reading more. PDF text comes from
pypdf and legacy Excel (.xls, and WPS's .et where it is the same BIFF format) from xlrd: both pure Python and kept
up. Word's binary .doc, and WPS Writer's .wps in the same layout, are read by word_binary (olefile opens the
compound file; the piece table is ours); a .wps that is really a zipped OOXML document is read as a .docx.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from . import classified, privacy, spam, word_binary
from .rules import Finding
from .text import as_lines, fold

MAX_BYTES = 20 * 2**20  # a larger attachment is not read (and says so): it would stall every build
MAX_XML_BYTES = 64 * 2**20  # what the XML parts of one OOXML file may unpack to (a zip bomb stops here)
MAX_CHARS = 5_000_000  # text kept from one attachment, so a huge PDF cannot stall the rules either
READABLE = frozenset({"txt", "csv", "docx", "xlsx", "pptx", "pdf", "xls", "et", "doc", "wps"})

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class Unreadable(Exception):
    """An attachment whose text could not be read; the message says why, in Chinese."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Passage:
    """One piece of an attachment's text (a line, a paragraph, a cell) and where it is, as an editor would find it."""

    where: str
    text: str


def read(path: Path) -> bytes:
    """The bytes of an attachment, or Unreadable when it is larger than MAX_BYTES."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise Unreadable(f"文件有 {size / 2**20:.1f} MB，超过自动检查的上限 {MAX_BYTES // 2**20} MB")
    return path.read_bytes()


def lint(name: str, data: bytes, official_phones: frozenset[str] = frozenset()) -> list[tuple[str, Finding]]:
    """Every privacy, spam and 密级 finding in an attachment's text, each with where it is; raises Unreadable."""
    found = passages(name, data)
    text, starts = as_lines([p.text for p in found])
    folded = fold(text)
    findings = [
        *privacy.find(folded, official_phones),
        *spam.find_terms(fold(text, squeeze=True), text),
        *classified.find(folded, text),
    ]
    return sorted(
        ((found[bisect_right(starts, f.offset) - 1].where, f) for f in findings), key=lambda pair: pair[1].offset
    )


def passages(name: str, data: bytes) -> list[Passage]:
    """The text of an attachment by its extension, in reading order; raises Unreadable."""
    kind = name.rsplit(".", 1)[-1].lower()
    if kind not in READABLE:
        raise Unreadable(f"不能读取 {kind.upper()} 格式的文字")
    readers = {
        "txt": _text_lines,
        "csv": _text_lines,
        "docx": _docx,
        "xlsx": _xlsx,
        "pptx": _pptx,
        "pdf": _pdf,
        "xls": _xls,
        "et": _xls,
        "doc": _doc,
        "wps": _wps,
    }
    try:
        found, total = [], 0
        for passage in readers[kind](data):
            total += len(passage.text)
            if total > MAX_CHARS:
                raise Unreadable(f"文字超过 {MAX_CHARS:,} 字，超过自动检查的上限")
            if passage.text.strip():
                found.append(passage)
        return found
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, ValueError, EOFError) as exc:
        raise Unreadable(f"文件已损坏或不是真正的 {kind.upper()} 文件（{type(exc).__name__}）") from exc


def _text_lines(data: bytes) -> Iterator[Passage]:
    """The lines of a UTF-8 or GB18030 text file (as exported by Chinese Excel and WPS)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = codecs.decode(data, encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Unreadable("既不是 UTF-8 也不是 GB18030 编码的文字")
    for number, line in enumerate(text.splitlines(), start=1):
        yield Passage(f"第 {number} 行", line)


def _xml(archive: zipfile.ZipFile, part: str) -> ElementTree.Element:
    """One XML part of an OOXML file; a part declaring a DTD is refused (OOXML never does; entity bombs do)."""
    data = archive.read(part)
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        raise Unreadable(f"其中的 {part} 含有 DTD 声明，不是正常的 Office 文件")
    return ElementTree.fromstring(data)


def _open_zip(data: bytes) -> zipfile.ZipFile:
    """The zip of an OOXML file, refused when its XML parts would unpack to more than MAX_XML_BYTES."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    if sum(info.file_size for info in archive.infolist() if info.filename.endswith(".xml")) > MAX_XML_BYTES:
        raise Unreadable(f"解压后超过 {MAX_XML_BYTES // 2**20} MB，超过自动检查的上限")
    return archive


def _joined(element: ElementTree.Element, tag: str) -> str:
    """The text of every `tag` element under element, in order."""
    return "".join(t.text or "" for t in element.iter(tag))


def _docx(data: bytes) -> Iterator[Passage]:
    """Paragraphs and table cells of the body, then headers, footers, footnotes and comments."""
    archive = _open_zip(data)
    body = _xml(archive, "word/document.xml").find(f"{_W}body")
    paragraph = table = 0
    for block in body if body is not None else []:
        if block.tag == f"{_W}p":
            paragraph += 1
            yield Passage(f"正文第 {paragraph} 段", _joined(block, f"{_W}t"))
        elif block.tag == f"{_W}tbl":
            table += 1
            for row, tr in enumerate(block.iter(f"{_W}tr"), start=1):
                for column, tc in enumerate(tr.iter(f"{_W}tc"), start=1):
                    yield Passage(f"第 {table} 个表格第 {row} 行第 {column} 列", _joined(tc, f"{_W}t"))
    extras = {"header": "页眉", "footer": "页脚", "footnotes": "脚注", "endnotes": "尾注", "comments": "批注"}
    for part in sorted(archive.namelist()):
        kind = re.fullmatch(r"word/(header|footer|footnotes|endnotes|comments)\d*\.xml", part)
        if kind:
            for number, p in enumerate(_xml(archive, part).iter(f"{_W}p"), start=1):
                yield Passage(f"{extras[kind.group(1)]}第 {number} 段", _joined(p, f"{_W}t"))


def _doc(data: bytes, other_layout: str = "") -> Iterator[Passage]:
    """Each paragraph of a Word 97–2003 document's stories, named 正文第 3 段 like a .docx's (cells say 表格内)."""
    try:
        for paragraph in word_binary.paragraphs(data):
            where = f"{paragraph.story}第 {paragraph.number} 段{'（表格内）' if paragraph.in_table else ''}"
            yield Passage(where, paragraph.text)
    except word_binary.UnknownLayout as exc:
        raise Unreadable(exc.message + other_layout) from exc
    except word_binary.WordBinaryError as exc:
        raise Unreadable(exc.message) from exc


def _wps(data: bytes) -> Iterator[Passage]:
    """A WPS Writer file: zipped OOXML is read as a .docx, an OLE file as Word 97–2003 (WPS 2005 and later)."""
    if data.startswith(b"PK\x03\x04"):
        return _docx(data)
    return _doc(data, "；可能是 WPS 2000 等早期版本保存的文件，请用新版 WPS 另存为 DOCX")


def _xlsx(data: bytes) -> Iterator[Passage]:
    """Every cell's text or number, sheet by sheet, named 工作表“名称”A1."""
    archive = _open_zip(data)
    shared = []
    if "xl/sharedStrings.xml" in archive.namelist():
        shared = [_joined(si, f"{_S}t") for si in _xml(archive, "xl/sharedStrings.xml").iter(f"{_S}si")]
    for sheet, part in _sheets(archive):
        for cell in _xml(archive, part).iter(f"{_S}c"):
            yield Passage(f"工作表“{sheet}”{cell.get('r', '')} 单元格", _cell_text(cell, shared))


def _sheets(archive: zipfile.ZipFile) -> Iterator[tuple[str, str]]:
    """(name, part) of each worksheet in the workbook's order."""
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in _xml(archive, "xl/_rels/workbook.xml.rels").iter(f"{_REL}Relationship")
    }
    for sheet in _xml(archive, "xl/workbook.xml").iter(f"{_S}sheet"):
        target = targets[sheet.get(f"{_R}id")]
        yield sheet.get("name", ""), target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _cell_text(cell: ElementTree.Element, shared: list[str]) -> str:
    """A cell's shown value: a shared or inline string, a formula's text, or the number as stored."""
    kind, value = cell.get("t"), cell.findtext(f"{_S}v") or ""
    if kind == "s":
        return shared[int(value)]
    if kind == "inlineStr":
        return _joined(cell, f"{_S}t")
    return value


def _pptx(data: bytes) -> Iterator[Passage]:
    """Each slide's paragraphs, then its speaker notes."""
    archive = _open_zip(data)

    def number(part: str) -> int:
        return int(re.search(r"(\d+)\.xml$", part).group(1))

    for folder, label in (("slides/slide", "第 {} 张幻灯片"), ("notesSlides/notesSlide", "第 {} 张幻灯片的备注")):
        parts = sorted((p for p in archive.namelist() if re.fullmatch(rf"ppt/{folder}\d+\.xml", p)), key=number)
        for part in parts:
            for p in _xml(archive, part).iter(f"{_A}p"):
                yield Passage(label.format(number(part)), _joined(p, f"{_A}t"))


def _pdf(data: bytes) -> Iterator[Passage]:
    """Each page's text lines, as pypdf extracts them."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("PDF 已加密，无法读取其中的文字")
        for page_number, page in enumerate(reader.pages, start=1):
            for line_number, line in enumerate(page.extract_text().splitlines(), start=1):
                yield Passage(f"第 {page_number} 页第 {line_number} 行", line)
    except Unreadable:
        raise
    except Exception as exc:  # noqa: BLE001 -- pypdf on hostile bytes can fail in any way; that means "not read"
        reason = str(exc) if isinstance(exc, PdfReadError) else type(exc).__name__
        raise Unreadable(f"PDF 无法解析（{reason}）") from exc


def _xls(data: bytes) -> Iterator[Passage]:
    """Every cell of a legacy Excel (BIFF) workbook, named 工作表“名称”A1 like the cells of an .xlsx."""
    import xlrd

    try:
        # xlrd reports oddities on stdout unless given a log file of its own; stdout may be carrying JSON.
        book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO(), on_demand=True)
        for sheet in book.sheets():
            for row in range(sheet.nrows):
                for column, value in enumerate(sheet.row_values(row)):
                    yield Passage(f"工作表“{sheet.name}”{xlrd.cellname(row, column)} 单元格", _shown_value(value))
    except Exception as exc:  # noqa: BLE001 -- as for PDF: a parser of hostile bytes failing means "not read"
        raise Unreadable(f"不是 xlrd 能读取的 Excel 97–2003 文件（{type(exc).__name__}）") from exc


def _shown_value(value: object) -> str:
    """A cell value as a spreadsheet shows it: whole numbers without ".0" (a mobile number stored as a number)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)
