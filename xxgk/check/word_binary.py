"""The text of Word 97–2003 binary documents (.doc), and of WPS Writer's .wps, which since WPS 2005 is the same layout.

`paragraphs(data)` turns a file's bytes into Paragraphs: each story (正文, 脚注, 页眉页脚 …) split at its paragraph
and table-cell marks, in reading order. It is pure, and raises WordBinaryError (UnknownLayout for a file of another
format) with the reason in Chinese.

olefile opens the OLE2 compound file; the rest follows [MS-DOC]. The FIB at the start of the `WordDocument` stream
says which table stream (`0Table` or `1Table`) holds the CLX, where the CLX is, and how many characters each story
has. The CLX's piece table maps character positions to bytes of `WordDocument`: each piece is either 8-bit text
(cp1252, the "compressed" form Word uses for Western characters) or UTF-16LE (everything else, Chinese included).
Formatting is not read, so a table's row ends cannot be told from empty cells: a cell's text is a paragraph that is
marked as being in a table, and empty cells are not counted.
"""

from __future__ import annotations

import io
import re
import struct
import sys
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

_WORD_IDENT = 0xA5EC  # FibBase.wIdent of every Word binary document
_FIRST_NFIB = 0x00C0  # Word 97; Word 6/95 (nFib 101–105) have another FIB and keep the CLX elsewhere
_ENCRYPTED, _TABLE_1 = 0x0100, 0x0200  # FibBase flags: fEncrypted (also set when obfuscated), fWhichTblStm
_CLX_PAIR = 33  # index of fcClx/lcbClx among FibRgFcLcb97's offset/size pairs
# FibRgLw97 from ccpText on: the stories in the order their characters follow each other; ccpMcr is unused.
_STORIES = ("正文", "脚注", "页眉页脚", "", "批注", "尾注", "文本框", "页眉页脚中的文本框")
_COMPRESSED, _FC_MASK = 0x40000000, 0x3FFFFFFF  # FcCompressed: fCompressed and fc
_PARAGRAPH = re.compile(r"([^\r\x07\x0c]*)([\r\x07\x0c]?)")  # paragraph mark, cell mark, page or section break
# Field marks and line breaks become spaces (so "电话\x13…" keeps its number apart); the other control characters
# are anchors for pictures, notes and comments, with no text of their own. A non-breaking hyphen is a hyphen.
_SHOWN = {c: None for c in range(32) if chr(c) != "\t"} | {0x0B: " ", 0x13: " ", 0x14: " ", 0x15: " ", 0x1E: "-"}


class WordBinaryError(ValueError):
    """A Word binary file whose text cannot be read; the message says why, in Chinese."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class UnknownLayout(WordBinaryError):
    """A file that is not a Word 97–2003 binary document at all (another OLE file, Word 6/95, early WPS)."""


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph (or table cell) of a story, numbered from 1 within it."""

    story: str  # 正文, 脚注, 页眉页脚, 批注, 尾注, 文本框, 页眉页脚中的文本框
    number: int
    text: str
    in_table: bool


def paragraphs(data: bytes) -> Iterator[Paragraph]:
    """The paragraphs of every story of a Word 97–2003 binary document, in order; raises WordBinaryError."""
    streams = _streams(data)
    try:
        fib = _fib(streams["WordDocument"])
        text = _piece_text(streams["WordDocument"], _clx(streams[fib.table], fib.clx_at, fib.clx_size))
    except struct.error as exc:
        raise WordBinaryError("文件已损坏：文件头或分段表不完整") from exc
    start = 0
    for story, length in zip(_STORIES, fib.lengths, strict=True):
        if story:
            yield from _split(story, text[start : start + length])
        start += length


def _streams(data: bytes) -> dict[str, bytes]:
    """The `WordDocument` stream and both table streams' bytes (a table stream that is absent is empty)."""
    import olefile

    if not olefile.isOleFile(data=data):
        raise UnknownLayout("不是 OLE 复合文档，因而不是 Word 97–2003 格式的文件")
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if not ole.exists("WordDocument"):
                raise UnknownLayout("OLE 复合文档中没有 WordDocument 数据流，不是 Word 97–2003 格式的文件")
            names = [name for name in ("WordDocument", "0Table", "1Table") if ole.exists(name)]
            # A stream cannot be larger than the file; a declared size that is would have olefile follow a sector
            # chain round and round, filling memory with the same bytes.
            if any(ole.get_size(name) > len(data) for name in names):
                raise WordBinaryError("OLE 复合文档已损坏：数据流的长度超过了文件本身")
            found = {name: ole.openstream(name).read() for name in names}
            _refuse_damage(ole.parsing_issues)
    except WordBinaryError:
        raise
    except Exception as exc:  # noqa: BLE001 -- olefile on hostile bytes can fail in any way; that means "not read"
        raise WordBinaryError(f"OLE 复合文档已损坏（{type(exc).__name__}）") from exc
    return {"0Table": b"", "1Table": b""} | found


def _refuse_damage(issues: list[tuple[type, str]]) -> None:
    """Raise for any defect olefile noted and read past, save one: WPS Office writes a class id into the header.

    olefile repairs what it can (a short chain, a sector index out of range) and only lists it; text read from a
    repaired stream could be partial or repeated, so it is not trusted. Should olefile reword the harmless defect,
    WPS files become unreadable warnings, never silently passed.
    """
    harmful = [message for _, message in issues if message != "incorrect CLSID in OLE header"]
    if harmful:
        raise WordBinaryError(f"OLE 复合文档已损坏（{harmful[0]}）")


@dataclass(frozen=True, slots=True)
class _Fib:
    """What the text needs from the File Information Block."""

    lengths: tuple[int, ...]  # characters in each story, in _STORIES' order
    table: str  # the table stream holding the CLX
    clx_at: int
    clx_size: int


def _fib(word: bytes) -> _Fib:
    """The FIB at the start of the `WordDocument` stream; raises UnknownLayout for Word 6/95 and other formats."""
    ident, nfib = struct.unpack_from("<HH", word, 0)
    if ident != _WORD_IDENT or nfib < _FIRST_NFIB:
        raise UnknownLayout("不是 Word 97–2003 格式（可能是 Word 6.0/95 或其他软件的早期格式）")
    (flags,) = struct.unpack_from("<H", word, 0x0A)
    if flags & _ENCRYPTED:
        raise WordBinaryError("文件已加密（设置了打开密码）")
    # FibBase (32 bytes), then three counted arrays: csw 16-bit words, cslw 32-bit longs, cbRgFcLcb offset/size pairs.
    (csw,) = struct.unpack_from("<H", word, 32)
    longs = 32 + 2 + 2 * csw + 2
    (cslw,) = struct.unpack_from("<H", word, longs - 2)
    pairs = longs + 4 * cslw + 2
    (pair_count,) = struct.unpack_from("<H", word, pairs - 2)
    if cslw < 11 or pair_count <= _CLX_PAIR:
        raise UnknownLayout("文件头（FIB）的结构不是 Word 97–2003 格式")
    lengths = struct.unpack_from("<8i", word, longs + 12)  # ccpText … ccpHdrTxbx
    if min(lengths) < 0:
        raise WordBinaryError("文件已损坏：文件头中的字数为负数")
    clx_at, clx_size = struct.unpack_from("<II", word, pairs + 8 * _CLX_PAIR)
    return _Fib(lengths, "1Table" if flags & _TABLE_1 else "0Table", clx_at, clx_size)


def _clx(table: bytes, at: int, size: int) -> bytes:
    """The PlcPcd of the CLX: property runs (Prc) come first and are skipped, then the piece table (Pcdt)."""
    clx = table[at : at + size]
    if len(clx) != size:
        raise WordBinaryError("文件已损坏：分段表超出了表格数据流")
    position = 0
    while position < len(clx) and clx[position] == 1:  # Prc: clxt 1, a 16-bit size, then sprms
        (grpprl_size,) = struct.unpack_from("<h", clx, position + 1)
        position += 3 + max(grpprl_size, 0)
    if position >= len(clx) or clx[position] != 2:
        raise WordBinaryError("文件已损坏：找不到文字的分段表")
    (plc_size,) = struct.unpack_from("<I", clx, position + 1)
    plc = clx[position + 5 : position + 5 + plc_size]
    if len(plc) != plc_size or plc_size < 16 or (plc_size - 4) % 12:
        raise WordBinaryError("文件已损坏：分段表的长度不对")
    return plc


def _piece_text(word: bytes, plc: bytes) -> str:
    """All characters of the document, piece by piece: n+1 character positions, then n 8-byte piece descriptors."""
    count = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}I", plc)
    # Each character takes at least one byte of the stream, so a larger count is damage (or a decompression bomb).
    if any(end < start for start, end in zip(cps, cps[1:], strict=False)) or cps[-1] - cps[0] > len(word):
        raise WordBinaryError("文件已损坏：分段表中的字符位置不对")
    pieces = []
    for number, (start, end) in enumerate(zip(cps, cps[1:], strict=False)):
        (fc,) = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * number + 2)
        compressed = bool(fc & _COMPRESSED)
        offset, width = ((fc & _FC_MASK) // 2, 1) if compressed else (fc & _FC_MASK, 2)
        raw = word[offset : offset + width * (end - start)]
        if len(raw) != width * (end - start):
            raise WordBinaryError("文件已损坏：文字超出了 WordDocument 数据流")
        pieces.append(raw.decode("cp1252", "replace") if compressed else _code_units(raw))
    return "".join(pieces)


def _code_units(raw: bytes) -> str:
    """UTF-16LE text as one character per 16-bit unit, surrogates left unpaired.

    Offsets then stay character positions, so the stories are cut where the FIB says even after a 生僻字 outside
    the BMP (two positions); _split pairs the surrogates again.
    """
    units = array("H", raw)
    if sys.byteorder == "big":
        units.byteswap()
    return "".join(map(chr, units))


def _split(story: str, text: str) -> Iterator[Paragraph]:
    """A story's paragraphs; a cell mark with nothing before it (an empty cell or a row's end) is not counted."""
    number = 0
    for match in _PARAGRAPH.finditer(text):
        body, mark = match.groups()
        if not body and mark in ("", "\x07"):
            continue
        number += 1
        shown = body.translate(_SHOWN).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
        yield Paragraph(story, number, shown, mark == "\x07")
