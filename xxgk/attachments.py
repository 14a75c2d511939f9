"""Attachments: the files exist inside content/, are not empty, hold what their extension says, and body links
to them are rewritten to where they are published beside the document's page."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from .errors import Problem
from .model import Attachment, Document

_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# What a file of each kind starts with; kinds not listed (txt, csv …) are not checked.
SIGNATURES = {
    ".pdf": (b"%PDF",), ".ofd": (_ZIP,), ".zip": (_ZIP,), ".docx": (_ZIP,), ".xlsx": (_ZIP,), ".pptx": (_ZIP,),
    ".wps": (_OLE,), ".doc": (_OLE,), ".xls": (_OLE,), ".ppt": (_OLE,), ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",), ".gif": (b"GIF87a", b"GIF89a"), ".rar": (b"Rar!",),
    ".7z": (b"7z\xbc\xaf\x27\x1c",),
}
_LINK = re.compile(r'(href|src)="([^"]*)"')


@dataclass(frozen=True, slots=True)
class Ref:
    """An attachment as written in front matter, before its file is looked up."""

    file: str
    title: str
    line: int


def locate(doc: Document, refs: tuple[Ref, ...], path: Path, content_dir: Path, text: str) -> tuple[Document, list[Problem]]:
    """Look up each attachment and rewrite the body's links to them; every missing or odd file is a problem."""
    problems, found, targets = [], [], {}
    for ref in refs:
        target = (path.parent / ref.file).resolve()
        problem = _file_problem(ref, target, content_dir)
        if problem:
            problems.append(Problem(doc.src, ref.line, problem, "attachment"))
            continue
        found.append(Attachment(target.relative_to(content_dir).as_posix(), ref.title, target.stat().st_size))
        targets[target] = PurePosixPath(found[-1].src).name
    html, link_problems = _rewrite_links(doc, path, targets, text)
    return replace(doc, attachments=tuple(found), body_html=html), problems + link_problems


def _file_problem(ref: Ref, target: Path, content_dir: Path) -> str | None:
    if not target.is_relative_to(content_dir):
        return f"附件“{ref.file}”在 content 文件夹之外。请把附件放在文档旁边。"
    if not target.is_file():
        return f"找不到附件“{ref.file}”（路径相对于本文件）。请检查文件名，或把附件放到文档旁边。"
    with target.open("rb") as handle:
        head = handle.read(8)
    if not head:
        return f"附件“{ref.file}”是空文件。请换成完整的文件。"
    expected = SIGNATURES.get(target.suffix.lower())
    if expected and not head.startswith(expected):
        return f"附件“{ref.file}”的内容不是 {target.suffix.lower()[1:].upper()} 文件（扩展名与内容不符），可能已损坏或改错了扩展名。请重新导出后再上传。"
    return None


def _rewrite_links(doc: Document, path: Path, targets: dict[Path, str], text: str) -> tuple[str, list[Problem]]:
    """Relative links in the body must name an attachment; they then point at its published copy."""
    folder = PurePosixPath(doc.path).stem
    problems = []

    def rewrite(match: re.Match) -> str:
        attribute, href = match.groups()
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith(("/", "#")) or not parts.path:
            return match.group(0)
        name = targets.get((path.parent / unquote(parts.path)).resolve())
        if name is None:
            problems.append(Problem(doc.src, _line_of(text, href), f"正文中的链接“{href}”找不到对应的附件。"
                                    "请把该文件列入 attachments（附件），或改用完整网址。", "link-unresolved"))
            return match.group(0)
        return f'{attribute}="{folder}/{quote(name)}{"#" + parts.fragment if parts.fragment else ""}"'

    return _LINK.sub(rewrite, doc.body_html), problems


def _line_of(text: str, needle: str) -> int | None:
    position = text.find(unquote(needle))
    return text.count("\n", 0, position) + 1 if position >= 0 else None
