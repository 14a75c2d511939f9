"""Turn a plain-text disclosure document (copied from a portal page or a Word file) into front matter and Markdown.

Pure functions, no disk access. The importer only reads what the text says: it never invents a value, it
keeps every word of the document (spam included: the linter reports it), and it tells the editor in
Chinese what it removed and what is still to be filled in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from .frontmatter import ALIASES, PORTAL_LABELS, RECOMMENDED, REQUIRED, chinese

FIELD_ORDER = (
    "title",
    "index_no",
    "publisher",
    "published",
    "written",
    "category",
    "genre",
    "doc_no",
    "keywords",
    "summary",
    "validity",
)

# Labels of the portal metadata block (docs/editing.md 一, docs/conventions.md 1) and the key each one fills: the
# front-matter labels of the fields above and other portals' own; "" marks page counters that sit among the labels
# but are not metadata.
_LABELS = {
    **{label: key for label, key in ALIASES.items() if key in FIELD_ORDER},
    **PORTAL_LABELS,
    "浏览次数": "",
    "访问次数": "",
}
_PAD = r"[ \t\u3000\xa0]*"
_LABEL_ALTERNATIVES = "|".join(_PAD.join(map(re.escape, label)) for label in sorted(_LABELS, key=len, reverse=True))
_LABEL = re.compile(rf"(?<!\S)(?P<label>{_LABEL_ALTERNATIVES}){_PAD}[:：]")
_METADATA_LINE = re.compile(rf"(?:{_LABEL_ALTERNATIVES}){_PAD}[:：]")
_DATE_KEYS = ("published", "written")
_MIN_METADATA_LABELS = 2

_DATE = r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
_DATE_START = re.compile(_DATE)
_DATE_LINE = re.compile(_DATE + r"$")

_CHROME = (
    re.compile(r"(?:[【\[]\s*(?:打印|关闭|字体|返回|收藏|分享|保存)[^】\]]*[】\]]?\s*)+"),
    re.compile(r"字体[:：]?[\s大中小]*"),
    re.compile(r"(?:浏览|访问|阅读|点击)(?:次数|量)[:：].*"),
    re.compile(r"扫一扫在手机(?:上)?打开当前页|分享到[:：].*"),
)
_DATE_CHROME = re.compile(
    r"发布(?:日期|时间)[:：]\s*(?P<date>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?:\s*(?:浏览|访问|阅读|点击)(?:次数|量)[:：].*)?"
)
_CHROME_MAX = 80  # a longer line is document text, whatever it starts with

_HEADER_MAX_LINES = 5
_HEADER_MAX_CHARS = 40
_TITLE_MAX_CHARS = 60
_TITLE_FORBIDDEN = re.compile(r"[。，,；;！!？?：:]")
_CLOSING_NOTE = re.compile(r"[（(]此件[^）)]*[）)]")

_CN_NUMBER = "一二三四五六七八九十百零〇"
_SECTION = re.compile(rf"[{_CN_NUMBER}]+、")
_SUBSECTION = re.compile(rf"[（(][{_CN_NUMBER}]+[）)]")
_SENTENCE_END = re.compile(r"[。；;！!？?]")
_SECTION_MAX, _SUBSECTION_MAX, _PLAIN_HEADING_MAX = 60, 40, 20
_CLOSINGS = {"特此报告", "特此通知", "特此公告", "特此通告", "特此函告", "特此批复", "此复", "特此函复"}
_HEADING_KINDS = ("plain", "section", "subsection")  # their rank gives the Markdown level

_INLINE_SPECIAL = re.compile(r"([\\`*_])")
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")
_LINK_START = re.compile(r"\[(?=[^\]]*\]\s*[(\[:])")  # [text](url), [text][ref], [ref]: url
_LINE_START_SPECIAL = re.compile(r"[#>+-]")  # "*" is already escaped everywhere
_ORDERED_START = re.compile(r"^(\d+)([.)])(?=\s|$)")

_TODO_HINTS = {
    "title": "标题",
    "index_no": "索引号，形如 机构代码/年份-五位序号",
    "publisher": "发布机构全称",
    "published": "发布日期，YYYY-MM-DD",
    "written": "成文日期，YYYY-MM-DD",
    "category": "主题分类，如 综合政务\\政务公开",
}
_OPTIONAL_HINTS = {
    "genre": ('""', "文种，如 报告、通知、意见"),
    "doc_no": ('""', "文号，如 某府办〔2018〕1号"),
    "keywords": ("[]", "主题词"),
    "summary": ('""', "内容概述"),
    "validity": ('"有效"', "有效（默认）、失效或废止"),
}
# Characters a YAML stream may not carry raw (YAML 1.1 printable set), or that a loader folds as line breaks.
_YAML_UNSAFE = re.compile(r"[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]")


@dataclass(frozen=True, slots=True)
class Imported:
    """What the importer read from one text: front-matter values, the Markdown body and notes for the editor."""

    fields: dict[str, object]  # keys of docs/editing.md 一; dates as "YYYY-MM-DD", keywords as a tuple
    body: str  # Markdown
    missing: tuple[str, ...]  # required and recommended keys still empty, in FIELD_ORDER
    notes: tuple[str, ...]  # in Chinese


@dataclass(slots=True)
class _Draft:
    """The text being imported: remaining lines (stripped, blank ones dropped), fields found, notes."""

    lines: list[str]
    fields: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    signature: int = 0  # how many lines at the end form the closing signature


def import_text(text: str, bodies: Sequence[tuple[str, str]] = ()) -> Imported:
    """Read a plain-text document and return its fields, its Markdown body, what is missing and notes.

    `bodies` are the (full name, short name) pairs config.yaml lists: a 发布机构 written as a short name
    becomes the full name, since 发布机构 must be the full name (the catalogue rules of §1.3 in the content format).
    """
    draft = _Draft(_lines(text))
    _read_metadata(draft)
    _strip_chrome(draft)
    _take_title(draft)
    _read_signature(draft)
    _full_publisher(draft, bodies)
    body = _markdown(draft)
    missing = tuple(key for key in FIELD_ORDER if key in REQUIRED + RECOMMENDED and not draft.fields.get(key))
    return Imported(dict(draft.fields), body, missing, tuple(draft.notes))


def iso_date(text: str) -> str | None:
    """The ISO form of a date written 2018-03-06, 2018/3/6 or 2018年3月6日 at the start of text, or None."""
    match = _DATE_START.match(text.strip())
    if not match:
        return None
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"])).isoformat()
    except ValueError:
        return None


def _lines(text: str) -> list[str]:
    """The non-blank lines of text, stripped of indentation, after dropping a BOM and CR line ends."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return [line.strip() for line in text.split("\n") if line.strip()]


# --- the portal metadata block ---------------------------------------------------------------------


def _read_metadata(draft: _Draft) -> None:
    """Take the metadata block near the top out of the lines, with the portal header lines above it."""
    start = _metadata_start(draft.lines)
    if start is None:
        return
    end = start
    while end < len(draft.lines) and _METADATA_LINE.match(draft.lines[end]):
        end += 1
    pairs = [pair for line in draft.lines[start:end] for pair in _label_values(line)]
    if len(pairs) < _MIN_METADATA_LABELS:
        return  # a lone "发布日期：…" under a title is page chrome, not a metadata block
    for key, value in pairs:
        _set_field(draft, key, value)
    found = [chinese(key) for key in FIELD_ORDER if draft.fields.get(key)]
    draft.notes.append(f"已读取页面元数据：{'、'.join(found) or '（各项均为空）'}。")
    draft.notes.extend(f"已删除网站页头：“{line}”" for line in draft.lines[:start])
    del draft.lines[:end]


def _metadata_start(lines: list[str]) -> int | None:
    """Where the metadata block begins, when only short header lines come before it."""
    for number, line in enumerate(lines[: _HEADER_MAX_LINES + 1]):
        if _METADATA_LINE.match(line):
            return number
        if len(line) > _HEADER_MAX_CHARS or _SENTENCE_END.search(line):
            return None
    return None


def _label_values(line: str) -> list[tuple[str, str]]:
    """The (key, value) pairs of one metadata line; two pairs may share a line and a value may be empty."""
    matches = list(_LABEL.finditer(line))
    pairs = []
    for match, after in zip(matches, matches[1:] + [None], strict=True):
        value = line[match.end() : after.start() if after else len(line)].strip()
        key = _LABELS[re.sub(r"\s", "", match["label"])]
        if key:
            pairs.append((key, value))
    return pairs


def _set_field(draft: _Draft, key: str, value: str) -> None:
    """Record one metadata value in its front-matter form, unless it is empty or already known."""
    if not value or draft.fields.get(key):
        return
    if key in _DATE_KEYS:
        converted = iso_date(value)
        if converted is None:
            draft.notes.append(f"“{chinese(key)}”的值“{value}”不是可识别的日期，已忽略。")
            return
        draft.fields[key] = converted
    elif key == "keywords":
        draft.fields[key] = tuple(word for word in re.split(r"[\s,，、;；]+", value) if word)
    else:
        draft.fields[key] = value


# --- page chrome, title and signature ----------------------------------------------------------------


def _strip_chrome(draft: _Draft) -> None:
    """Drop print/font/close buttons, view counters and the repeated 发布日期 line, noting each one."""
    kept = []
    for line in draft.lines:
        dated = _DATE_CHROME.fullmatch(line) if len(line) <= _CHROME_MAX else None
        published = iso_date(dated["date"]) if dated else None
        if published and not draft.fields.get("published"):
            draft.fields["published"] = published
            draft.notes.append(f"发布日期取自页面上的“{line}”。")
        if dated or _is_chrome(line):
            draft.notes.append(f"已删除页面元素：“{line}”")
        else:
            kept.append(line)
    draft.lines = kept


def _is_chrome(line: str) -> bool:
    """Whether a whole line is a page button or counter rather than document text."""
    return len(line) <= _CHROME_MAX and any(pattern.fullmatch(line) for pattern in _CHROME)


def _take_title(draft: _Draft) -> None:
    """Find the title (metadata 名称, else a title-like first line) and remove its copy from the body."""
    title = draft.fields.get("title")
    if title:
        for number, line in enumerate(draft.lines[:3]):
            if _squeeze(line) == _squeeze(str(title)):
                del draft.lines[number]
                draft.notes.append("已删除正文开头重复的标题。")
                return
    elif draft.lines and _looks_like_title(draft.lines[0]):
        draft.fields["title"] = draft.lines.pop(0)
        draft.notes.append(f"标题取自正文第一行“{draft.fields['title']}”，请核对。")


def _looks_like_title(line: str) -> bool:
    """Whether a first line reads as a title: short, not a sentence, not a numbered heading or a date."""
    return (
        len(line) <= _TITLE_MAX_CHARS
        and not _TITLE_FORBIDDEN.search(line)
        and not _SECTION.match(line)
        and not _SUBSECTION.match(line)
        and not _DATE_LINE.match(line)
    )


def _read_signature(draft: _Draft) -> None:
    """Use the closing date for 成文日期 and, lacking metadata, the issuing body above it for 发布机构."""
    lines = draft.lines
    end = len(lines)
    while end and _CLOSING_NOTE.fullmatch(lines[end - 1]):
        end -= 1
    if not end or not _DATE_LINE.match(lines[end - 1]) or not iso_date(lines[end - 1]):
        return
    named = end >= 2 and _looks_like_body_name(lines[end - 2])
    draft.signature = len(lines) - end + (2 if named else 1)
    if not draft.fields.get("written"):
        draft.fields["written"] = iso_date(lines[end - 1])
        draft.notes.append(f"成文日期取自文末落款“{lines[end - 1]}”。")
    if named and not draft.fields.get("publisher"):
        draft.fields["publisher"] = lines[end - 2]
        draft.notes.append(f"发布机构取自文末落款“{lines[end - 2]}”，请核对是否为机构全称。")


def _full_publisher(draft: _Draft, bodies: Sequence[tuple[str, str]]) -> None:
    """Replace a 发布机构 that is a listed body's short name with its full name, telling the editor."""
    written = draft.fields.get("publisher")
    full = next((name for name, short in bodies if short == written and name != written), None)
    if full:
        draft.fields["publisher"] = full
        draft.notes.append(f"“{written}”是 config.yaml 中“{full}”的简称，发布机构已填写为全称。")


def _looks_like_body_name(line: str) -> bool:
    """Whether a line can be the name of an issuing body in a signature."""
    return len(line) <= _HEADER_MAX_CHARS and not _TITLE_FORBIDDEN.search(line) and not _SECTION.match(line)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- Markdown --------------------------------------------------------------------------------------


def _markdown(draft: _Draft) -> str:
    """The body as Markdown: one paragraph per line, numbered and short heading lines as headings."""
    cut = len(draft.lines) - draft.signature
    kinds = [_heading_kind(line) for line in draft.lines[:cut]] + [None] * draft.signature
    present = [kind for kind in _HEADING_KINDS if kind in kinds]
    blocks = [
        "#" * (2 + present.index(kind)) + " " + _escape_heading(line) if kind else _escape(line)
        for line, kind in zip(draft.lines, kinds, strict=True)
    ]
    if present:
        draft.notes.append(f"已将 {sum(k is not None for k in kinds)} 行识别为小标题，请核对标题层级。")
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _heading_kind(line: str) -> str | None:
    """'section' for 一、…, 'subsection' for a short （一）… line, 'plain' for a short unnumbered title."""
    if _SECTION.match(line):
        return "section" if _is_heading_text(line, _SECTION_MAX) else None
    if _SUBSECTION.match(line):
        return "subsection" if _is_heading_text(line, _SUBSECTION_MAX) else None
    plain = (
        2 <= len(line) <= _PLAIN_HEADING_MAX
        and line not in _CLOSINGS
        and not _DATE_LINE.match(line)
        and not line.isdigit()
        and all(unicodedata.category(ch)[0] in "LNZ" for ch in line)
    )
    return "plain" if plain else None


def _is_heading_text(line: str, limit: int) -> bool:
    """Whether a numbered line is a heading on its own rather than a paragraph with a lead sentence."""
    return len(line) <= limit and not _SENTENCE_END.search(line)


def _escape(line: str) -> str:
    """Escape the characters that would make Markdown render the line differently from what is written."""
    line = _HTML_START.sub("&lt;", _INLINE_SPECIAL.sub(r"\\\1", line))
    line = _LINK_START.sub(r"\\[", line)
    line = _ORDERED_START.sub(r"\1\\\2", line)
    return "\\" + line if _LINE_START_SPECIAL.match(line) else line


def _escape_heading(line: str) -> str:
    """Escape a heading's text, including the # signs that would close an ATX heading."""
    return re.sub(r"(?<!\\)#", r"\\#", _escape(line))


# --- the content file ------------------------------------------------------------------------------


def to_markdown_file(imported: Imported) -> str:
    """The full content file: YAML front matter whose scalars are all double-quoted, then the body."""
    lines = ["---"]
    for key in FIELD_ORDER:
        lines.append(_front_matter_line(key, imported.fields.get(key)))
    lines += ["---", ""]
    return "\n".join(lines) + "\n" + imported.body


def _front_matter_line(key: str, value: object) -> str:
    """One front-matter line: the value, a TODO line for a needed empty key, or a commented-out optional key."""
    if isinstance(value, (tuple, list)) and value:
        return f"{key}: [{', '.join(_quote(str(item)) for item in value)}]"
    if value:
        return f"{key}: {_quote(str(value))}"
    if key in _TODO_HINTS:
        return f'{key}: ""  # TODO 请填写：{_TODO_HINTS[key]}'
    empty, hint = _OPTIONAL_HINTS[key]
    return f"# {key}: {empty}  # 可选：{hint}"


def _quote(text: str) -> str:
    """A YAML double-quoted scalar that any YAML 1.1 or 1.2 loader reads back as exactly this string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _YAML_UNSAFE.sub(lambda match: f"\\u{ord(match[0]):04x}", escaped) + '"'
