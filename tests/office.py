"""Small but real .docx, .xlsx, .pptx, .pdf and Word 97–2003 .doc files made in the test, so each fixture's text
is visible here."""

from __future__ import annotations

import io
import struct
import zipfile
from xml.sax.saxutils import escape

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
RELS = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _zip(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _types(overrides: dict[str, str]) -> str:
    rows = "".join(f'<Override PartName="/{part}" ContentType="{kind}"/>' for part, kind in overrides.items())
    return (
        HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{rows}</Types>'
    )


def docx(paragraphs: list[str], table: list[list[str]] = ()) -> bytes:
    """A Word document: the paragraphs, then a table of the given rows."""
    body = "".join(f"<w:p><w:r><w:t>{escape(t)}</w:t></w:r></w:p>" for t in paragraphs)
    if table:
        rows = "".join(
            "<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{escape(c)}</w:t></w:r></w:p></w:tc>" for c in row) + "</w:tr>"
            for row in table
        )
        body += f"<w:tbl>{rows}</w:tbl>"
    return _zip(
        {
            "[Content_Types].xml": _types(
                {
                    "word/document.xml": "application/vnd.openxmlformats-officedocument."
                    "wordprocessingml.document.main+xml"
                }
            ),
            "_rels/.rels": HEAD
            + f'<Relationships {RELS}><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
            "word/document.xml": HEAD + f"<w:document {W}><w:body>{body}</w:body></w:document>",
        }
    )


def xlsx(sheets: dict[str, list[list[str | int]]]) -> bytes:
    """A workbook: text cells as shared strings, numbers as numbers, one worksheet per entry."""
    strings: list[str] = []
    parts, entries, rels = {}, [], []
    for number, (name, rows) in enumerate(sheets.items(), start=1):
        cells = []
        for r, row in enumerate(rows, start=1):
            line = []
            for c, value in enumerate(row):
                ref = f"{chr(ord('A') + c)}{r}"
                if isinstance(value, int):
                    line.append(f'<c r="{ref}"><v>{value}</v></c>')
                else:
                    strings.append(value)
                    line.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            cells.append(f'<row r="{r}">{"".join(line)}</row>')
        parts[f"xl/worksheets/sheet{number}.xml"] = (
            HEAD + f"<worksheet {S}><sheetData>{''.join(cells)}</sheetData></worksheet>"
        )
        entries.append(f'<sheet name="{escape(name)}" sheetId="{number}" r:id="rId{number}"/>')
        rels.append(
            f'<Relationship Id="rId{number}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/worksheet" Target="worksheets/sheet{number}.xml"/>'
        )
    shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return _zip(
        {
            "[Content_Types].xml": _types(
                {"xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"}
            ),
            "xl/workbook.xml": HEAD + f"<workbook {S} {R}><sheets>{''.join(entries)}</sheets></workbook>",
            "xl/_rels/workbook.xml.rels": HEAD + f"<Relationships {RELS}>{''.join(rels)}</Relationships>",
            "xl/sharedStrings.xml": HEAD + f'<sst {S} count="{len(strings)}">{shared}</sst>',
            **parts,
        }
    )


def pptx(slides: list[list[str]]) -> bytes:
    """A presentation: each slide's paragraphs in one text box."""
    parts = {}
    for number, paragraphs in enumerate(slides, start=1):
        text = "".join(f"<a:p><a:r><a:t>{escape(t)}</a:t></a:r></a:p>" for t in paragraphs)
        parts[f"ppt/slides/slide{number}.xml"] = (
            HEAD + f"<p:sld {A} {P}><p:cSld><p:spTree><p:sp><p:txBody>{text}"
            "</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )
    return _zip({"[Content_Types].xml": _types({}), **parts})


def pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose pages show the given ASCII lines in Helvetica, with a correct cross-reference table."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        shown = " ".join(f"({line}) Tj 0 -20 Td" for line in lines)
        stream = f"BT /F1 12 Tf 72 720 Td {shown} ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def ole(streams: dict[str, bytes], header_clsid: bytes = bytes(16)) -> bytes:
    """A minimal OLE2 compound file (version 3, 512-byte sectors) holding the given streams in its root storage.

    Layout: the header, each stream's sectors in turn, one directory sector, then the FAT sectors. A stream shorter
    than 4096 bytes, the mini-stream cutoff, is padded with zeros to that length (readers of a Word file go by the
    offsets inside it, so the zeros are never read), so none lives in the mini stream and no MiniFAT is needed. The
    directory's tree is a chain of right siblings under the root entry, enough for olefile (which reads entries by
    walking the tree, not by binary search). The header's class id should be zeros; WPS Office writes its own.
    """
    free, end, fat_mark, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    sectors, chains, entries = b"", [], []
    for number, (name, data) in enumerate(streams.items(), start=1):
        padded = data.ljust(max(4096, -(-len(data) // 512) * 512), b"\0")
        chains.append((len(sectors) // 512, len(padded) // 512))
        right = number + 1 if number < len(streams) else none
        entries.append(_ole_entry(name, 2, none, right, none, len(sectors) // 512, len(padded)))
        sectors += padded
    directory_sector = len(sectors) // 512
    chains.append((directory_sector, 1))
    entries.insert(0, _ole_entry("Root Entry", 5, none, none, 1 if streams else none, end, 0))
    sectors += b"".join(entries).ljust(512, b"\0")
    fat_count = 1
    while (len(sectors) // 512 + fat_count) > 128 * fat_count:
        fat_count += 1
    fat = [free] * (128 * fat_count)
    for start, count in chains:
        fat[start : start + count] = [*range(start + 1, start + count), end]
    first_fat = len(sectors) // 512
    fat[first_fat : first_fat + fat_count] = [fat_mark] * fat_count
    difat = [*range(first_fat, first_fat + fat_count)] + [free] * (109 - fat_count)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + header_clsid
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, fat_count, directory_sector, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", *difat)
    )
    return header + sectors + struct.pack(f"<{len(fat)}I", *fat)


def _ole_entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
    """One 128-byte directory entry: UTF-16 name, type (2 stream, 5 root), black, siblings, child, first sector and
    size."""
    encoded = (name + "\0").encode("utf-16-le")
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBBIII", len(encoded), kind, 1, left, right, child)
        + bytes(36)
        + struct.pack("<IQ", start, size)
    )


def word97(
    text: list[str],
    footnotes: list[str] = (),
    *,
    table: str = "1Table",
    flags: int = 0,
    prc: bytes = b"",
    header_clsid: bytes = bytes(16),
) -> bytes:
    """A Word 97–2003 (.doc) file whose main text and footnotes are the given pieces, in an OLE file made by ole().

    Paragraphs end with "\\r", table cells with "\\x07" (a row ends with one more). A piece that cp1252 can hold is
    stored 8-bit ("compressed"), any other as UTF-16LE, as Word does. `flags` is ORed into the FIB's flag word
    (0x0100 is fEncrypted); the table stream is 1Table unless `table` says 0Table. `prc` goes before the piece
    table, where Word keeps the property runs of a fast-saved file. `header_clsid` goes to ole().
    """
    pieces = [*text, *footnotes, *(["\r"] if footnotes else [])]  # a non-empty subdocument adds a final mark

    def positions_in(texts: list[str]) -> int:  # character positions count UTF-16 units: 𠮷 takes two
        return len("".join(texts).encode("utf-16-le")) // 2

    fib_size = 32 + 2 + 28 + 2 + 88 + 2 + 93 * 8 + 2  # FibBase, csw + fibRgW, cslw + fibRgLw97, 93 pairs, cswNew
    body, descriptors, positions = bytearray(fib_size), [], [0]
    for piece in pieces:
        try:
            raw, fc = piece.encode("cp1252"), (len(body) * 2) | 0x40000000
        except UnicodeEncodeError:
            raw, fc = piece.encode("utf-16-le"), len(body)
        descriptors.append(struct.pack("<HIH", 0, fc, 0))
        positions.append(positions[-1] + positions_in([piece]))
        body += raw
    plc = struct.pack(f"<{len(positions)}I", *positions) + b"".join(descriptors)
    clx = prc + b"\x02" + struct.pack("<I", len(plc)) + plc
    struct.pack_into("<HHHHHH", body, 0, 0xA5EC, 0x00C1, 0, 0x0804, 0, (0x0200 if table == "1Table" else 0) | flags)
    struct.pack_into("<H", body, 32, 14)
    struct.pack_into("<H", body, 62, 22)
    struct.pack_into("<ii", body, 64 + 12, positions_in(text), positions_in(footnotes))  # ccpText, ccpFtn
    struct.pack_into("<H", body, 152, 93)
    struct.pack_into("<II", body, 154 + 33 * 8, 0, len(clx))  # fcClx, lcbClx: the CLX opens the table stream
    return ole({"WordDocument": bytes(body), table: clx}, header_clsid)
