"""Attachments: only the document types a disclosure portal publishes (TYPES, plus what config.yaml adds), each
a regular file inside content/ whose first bytes match its type; body links to them are rewritten to where
they are published beside the document's page.

`file_problem` is the check for one file; `TYPES` and `FORBIDDEN` are the allow-list and what no config may allow.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from . import sources
from .cache import file_digest
from .errors import Problem
from .model import Attachment, Document

_ZIP, _OLE = rb"PK\x03\x04|PK\x05\x06", rb"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The types a disclosure portal publishes, each with what its content starts with (a regular expression over the
# first bytes). TEXT kinds are read as text that must not look like a web page. Raster images only: they cannot
# carry script, unlike SVG.
TEXT = None
TYPES: dict[str, bytes | None] = {
    "pdf": rb"%PDF-",
    "ofd": _ZIP,
    "doc": _OLE,
    "docx": _ZIP,
    "xls": _OLE,
    "xlsx": _ZIP,
    "ppt": _OLE,
    "pptx": _ZIP,
    "wps": _OLE + b"|" + _ZIP,
    "et": _OLE + b"|" + _ZIP,
    "txt": TEXT,
    "csv": TEXT,
    "zip": _ZIP,
    "rar": rb"Rar!\x1a\x07",
    "7z": rb"7z\xbc\xaf\x27\x1c",
    "png": rb"\x89PNG\r\n\x1a\n",
    "jpg": rb"\xff\xd8\xff",
    "jpeg": rb"\xff\xd8\xff",
    "gif": rb"GIF8[79]a",
    "webp": rb"RIFF....WEBP",
    "bmp": rb"BM",
    "tif": rb"II\*\x00|MM\x00\*",
    "tiff": rb"II\*\x00|MM\x00\*",
}
# Types a browser runs or renders as a page on the portal's own origin, and document sources (a draft or a scheduled
# document would leak through them): never published, not even when config.yaml lists them.
FORBIDDEN = frozenset(
    """html htm xhtml xht shtml shtm mht mhtml svg svgz xml xsl xslt js mjs cjs css json wasm swf
    php phtml php3 php4 php5 phar asp aspx jsp cgi pl py rb sh bash htaccess hta exe dll bat cmd com scr msi ps1 vbs
    jar md markdown""".split()
)
_HEAD = 1024
_LOOKS_LIKE_MARKUP = re.compile(rb"\s*<|.*<(script|html|svg|iframe|object|embed|!doctype)", re.IGNORECASE | re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NAME_BYTES = 255  # the longest file name Linux file systems accept
_LINK = re.compile(r'(href|src)="([^"]*)"')


@dataclass(frozen=True, slots=True)
class Ref:
    """An attachment as written in front matter, before its file is looked up."""

    file: str
    title: str
    line: int


def type_refusal(extension: str) -> str | None:
    """Why config.yaml may not add `extension` to the attachment types, or None when it may."""
    if not re.fullmatch(r"[a-z0-9]{1,10}", extension):
        return f"附件类型“{extension}”应为不带点的小写扩展名，例如 dwg。"
    if extension in FORBIDDEN:
        return f"附件类型“{extension}”不能发布：浏览器会把它当作网页或程序在本网站下打开，或者它是文档源文件。"
    return None


def locate(
    doc: Document,
    refs: tuple[Ref, ...],
    path: Path,
    content_dir: Path,
    text: str,
    extra_types: frozenset[str] = frozenset(),
) -> tuple[Document, list[Problem], tuple[Path, ...]]:
    """Look up each attachment and rewrite the body's links to them; every missing, odd or unsafe file is a problem.
    Also returns the files the body's links name (as written, beside the document): the result depends on them too,
    since a link may name an attachment through another path (a link to it), or name none.

    extra_types are the extensions config.yaml allows beside TYPES (see type_refusal).
    """
    problems, found, targets, names = [], [], {}, {}
    for ref in refs:
        target, problem = _target(ref, path, content_dir)
        problem = problem or _duplicate(ref, target, targets, names) or file_problem(ref.file, target, extra_types)
        if problem:
            problems.append(Problem(doc.src, ref.line, problem, "attachment"))
            continue
        src = target.relative_to(content_dir).as_posix()
        found.append(Attachment(src, ref.title, target.stat().st_size, file_digest(target) or ""))
        targets[target] = PurePosixPath(found[-1].src).name
        names[target.name] = ref.line
    html, link_problems, linked = _rewrite_links(doc, path, targets, text)
    return replace(doc, attachments=tuple(found), body_html=html), problems + link_problems, linked


def files_named(refs: tuple[Ref, ...], path: Path) -> tuple[Path, ...]:
    """The files a document's attachments name (as written, beside the document): what its result depends on."""
    return tuple(path.parent / ref.file for ref in refs)


def _target(ref: Ref, path: Path, content_dir: Path) -> tuple[Path, str | None]:
    """The file an attachment names, resolved, or why it cannot be one."""
    if _CONTROL.search(ref.file):
        return path, f"附件“{ref.file!r}”的文件名含有控制字符（如空字符、换行）。请给文件改一个普通的名字。"
    name = PurePosixPath(ref.file).name
    if len(name.encode("utf-8")) > _NAME_BYTES:
        return path, f"附件“{name[:40]}…”的文件名太长（超过 {_NAME_BYTES} 字节）。请改用简短的文件名。"
    try:
        target = Path(os.path.realpath(path.parent / ref.file, strict=True))
    except FileNotFoundError:
        return path, f"找不到附件“{ref.file}”（路径相对于本文件）。请检查文件名，或把附件放到文档旁边。"
    except (OSError, RuntimeError) as exc:
        return path, f"附件“{ref.file}”无法打开（{sources.describe(exc)}）。"
    if not target.is_relative_to(content_dir):
        return target, f"附件“{ref.file}”在 content 文件夹之外。请把附件放在文档旁边。"
    # Hidden folders (.git and the like) hold no content: the build reads no document there, and its look for
    # changes leaves .git out, so an attachment there would be published as it first was.
    if any(part.startswith(".") for part in target.relative_to(content_dir).parts[:-1]):
        return target, (
            f"附件“{ref.file}”在隐藏的文件夹中（名字以“.”开头，如 .git）。请把附件放在文档旁边的普通文件夹里。"
        )
    return target, None


def _duplicate(ref: Ref, target: Path, targets: dict[Path, str], names: dict[str, int]) -> str | None:
    """Attachments are published side by side under their own names, so two may not share one."""
    if target in targets:
        return f"附件“{ref.file}”重复列出（第 {names[target.name]} 行已列出同一文件）。请删去重复的一项。"
    if target.name in names:
        return (
            f"附件“{ref.file}”与第 {names[target.name]} 行的附件同名（{target.name}），发布后会占用同一个网址。"
            "请给其中一个文件改名。"
        )
    return None


def file_problem(file: str, target: Path, extra_types: frozenset[str] = frozenset()) -> str | None:
    """Why the file at target may not be published as an attachment (written `file`), or None when it may.

    Its type must be allowed and its first bytes must match that type; nothing but a regular file is opened.
    """
    extension = target.suffix.lower().lstrip(".")
    refused = _type_problem(file, extension, extra_types)
    if refused:
        return refused
    try:
        head = sources.head(target, _HEAD)
    except sources.Unreadable as exc:
        return f"附件“{file}”{exc.message}"
    if not head:
        return f"附件“{file}”是空文件。请换成完整的文件。"
    if extension not in TYPES:  # a type config.yaml added has no known signature; it only may not be a web page
        return _disguised(file, extension) if _LOOKS_LIKE_MARKUP.match(head) else None
    expected = TYPES[extension]
    if expected is TEXT:
        return _disguised(file, extension) if b"\x00" in head or _LOOKS_LIKE_MARKUP.match(head) else None
    if not re.match(expected, head, re.DOTALL):
        return f"附件“{file}”的内容不是 {extension.upper()} 文件（扩展名与内容不符），可能已损坏或改错了扩展名。请重新导出后再上传。"  # noqa: E501
    return None


def _disguised(file: str, extension: str) -> str:
    return (
        f"附件“{file}”的内容看起来是网页或程序（以“<”开头、含有 <script> 等标记或二进制数据），"
        f"不能作为 .{extension} 文件发布。请换成真正的 {extension.upper()} 文件，或转为 PDF。"
    )


def _type_problem(file: str, extension: str, extra_types: frozenset[str]) -> str | None:
    if extension in ("md", "markdown"):
        return (
            f"附件“{file}”是文档源文件（.{extension}），不能作为附件发布：草稿或定时发布的文件会因此提前公开。"
            "请改为链接到该文件的网页，或附上导出的 PDF。"
        )
    if extension in FORBIDDEN:
        return (
            f"附件“{file}”是 {extension.upper()} 类型，浏览器会把它当作网页或程序在本网站下打开（可能执行其中的脚本），"
            "不能作为附件发布。请转为 PDF 等格式后再附上。"
        )
    if extension not in TYPES and extension not in extra_types:
        kind = f"类型 .{extension}" if extension else "没有扩展名，类型"
        return (
            f"附件“{file}”的{kind}不在允许发布的附件类型中（{'、'.join(sorted({*TYPES, *extra_types}))}）。"
            "请转为 PDF 等格式；确需发布这种类型时，在 config.yaml 的 attachment_types 中加入它的扩展名。"
        )
    return None


def _rewrite_links(
    doc: Document, path: Path, targets: dict[Path, str], text: str
) -> tuple[str, list[Problem], tuple[Path, ...]]:
    """Relative links in the body must name an attachment; they then point at its published copy. Also returns the
    files the links name."""
    folder = PurePosixPath(doc.path).stem
    problems, linked = [], []

    def rewrite(match: re.Match) -> str:
        attribute, href = match.groups()
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith(("/", "#")) or not parts.path:
            return match.group(0)
        linked.append(path.parent / unquote(parts.path))
        name = targets.get(_resolved(linked[-1]))
        if name is None:
            problems.append(
                Problem(
                    doc.src,
                    _line_of(text, href),
                    f"正文中的链接“{href}”找不到对应的附件。请把该文件列入 attachments（附件），或改用完整网址。",
                    "link-unresolved",
                )
            )
            return match.group(0)
        return f'{attribute}="{folder}/{quote(name)}{"#" + parts.fragment if parts.fragment else ""}"'

    html = _LINK.sub(rewrite, doc.body_html)
    return html, problems, tuple(dict.fromkeys(linked))


def _resolved(path: Path) -> Path | None:
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):  # a NUL (%00) or an over-long name in a link names no attachment
        return None


def _line_of(text: str, needle: str) -> int | None:
    position = text.find(unquote(needle))
    if position < 0:  # written percent-encoded in the source (such as %00)
        position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position >= 0 else None
