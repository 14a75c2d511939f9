"""Small but real .docx, .xlsx, .pptx and .pdf files made in the test, so each fixture's text is visible here."""

from __future__ import annotations

import io
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
    return (HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{rows}</Types>')


def docx(paragraphs: list[str], table: list[list[str]] = ()) -> bytes:
    """A Word document: the paragraphs, then a table of the given rows."""
    body = "".join(f"<w:p><w:r><w:t>{escape(t)}</w:t></w:r></w:p>" for t in paragraphs)
    if table:
        rows = "".join("<w:tr>" + "".join(f"<w:tc><w:p><w:r><w:t>{escape(c)}</w:t></w:r></w:p></w:tc>" for c in row)
                       + "</w:tr>" for row in table)
        body += f"<w:tbl>{rows}</w:tbl>"
    return _zip({
        "[Content_Types].xml": _types({"word/document.xml": "application/vnd.openxmlformats-officedocument."
                                                            "wordprocessingml.document.main+xml"}),
        "_rels/.rels": HEAD + f'<Relationships {RELS}><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                              'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        "word/document.xml": HEAD + f"<w:document {W}><w:body>{body}</w:body></w:document>",
    })


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
        parts[f"xl/worksheets/sheet{number}.xml"] = HEAD + f"<worksheet {S}><sheetData>{''.join(cells)}</sheetData></worksheet>"
        entries.append(f'<sheet name="{escape(name)}" sheetId="{number}" r:id="rId{number}"/>')
        rels.append(f'<Relationship Id="rId{number}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/worksheet" Target="worksheets/sheet{number}.xml"/>')
    shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
    return _zip({
        "[Content_Types].xml": _types({"xl/workbook.xml": "application/vnd.openxmlformats-officedocument."
                                                          "spreadsheetml.sheet.main+xml"}),
        "xl/workbook.xml": HEAD + f"<workbook {S} {R}><sheets>{''.join(entries)}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": HEAD + f"<Relationships {RELS}>{''.join(rels)}</Relationships>",
        "xl/sharedStrings.xml": HEAD + f'<sst {S} count="{len(strings)}">{shared}</sst>',
        **parts,
    })


def pptx(slides: list[list[str]]) -> bytes:
    """A presentation: each slide's paragraphs in one text box."""
    parts = {}
    for number, paragraphs in enumerate(slides, start=1):
        text = "".join(f"<a:p><a:r><a:t>{escape(t)}</a:t></a:r></a:p>" for t in paragraphs)
        parts[f"ppt/slides/slide{number}.xml"] = (HEAD + f"<p:sld {A} {P}><p:cSld><p:spTree><p:sp><p:txBody>{text}"
                                                  "</p:txBody></p:sp></p:spTree></p:cSld></p:sld>")
    return _zip({"[Content_Types].xml": _types({}), **parts})


def pdf(pages: list[list[str]]) -> bytes:
    """A PDF whose pages show the given ASCII lines in Helvetica, with a correct cross-reference table."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        shown = " ".join(f"({line}) Tj 0 -20 Td" for line in lines)
        stream = f"BT /F1 12 Tf 72 720 Td {shown} ET"
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {len(objects)} 0 R >>")
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
