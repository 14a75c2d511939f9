"""The one vocabulary of document fields, and cutting a file's front matter from its body.

Keys, the Chinese labels front matter accepts for them, the required and recommended sets, the labels `import`
reads from other portals, how lists and the metadata block head each field, and the front-matter line of one field
for tools that read a file without validating it: every module takes these from here (docs/editing.md 一).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Canonical key -> Chinese labels accepted for it (left column of the portal's metadata table); the first is the
# one new files and messages use.
LABELS: dict[str, tuple[str, ...]] = {
    "title": ("标题", "名称"),
    "index_no": ("索引号",),
    "publisher": ("发布机构", "发文机关"),
    "published": ("发布日期",),
    "written": ("成文日期", "生成日期"),
    "category": ("主题分类", "分类"),
    "genre": ("文种", "体裁"),
    "doc_no": ("文号", "发文字号"),
    "keywords": ("主题词", "关键词"),
    "summary": ("内容概述", "摘要"),
    "validity": ("有效性", "时效"),
    "repealed": ("废止日期", "失效日期"),
    "interprets": ("解读对象",),
    "replaced_by": ("替代文件",),
    "attachments": ("附件",),
    "draft": ("草稿",),
    "column": ("栏目",),
    "allow": ("允许",),
    "extra": ("扩展",),
}
REQUIRED = ("title", "index_no", "publisher", "published")
RECOMMENDED = ("written", "category")
ALIASES = {label: key for key, labels in LABELS.items() for label in labels}
KNOWN_KEYS = [*LABELS, *ALIASES]

# Labels other portals print in their metadata block that front matter does not accept: `import` reads them too.
PORTAL_LABELS = {
    "信息名称": "title",
    "发文机构": "publisher",
    "发文日期": "published",
    "公开日期": "published",
    "组配分类": "category",
    "发布文号": "doc_no",
    "文件编号": "doc_no",
}

# How the 目录, catalog.csv and listing tables head each field: the first label, except that 条例 art. 12 names the
# title 名称, and its 生成日期 (成文日期, else 发布日期) is a column no document writes.
HEADINGS = {**{key: labels[0] for key, labels in LABELS.items()}, "title": "名称", "generated": "生成日期"}

# The metadata block's label sets (config.yaml metadata.labels). gov.cn's policy library labels 发文机关 / 标题 /
# 发文字号; many local portals head it like their lists: 发布机构 / 名称 / 文号.
METADATA_LABELS = {
    "govcn": {**HEADINGS, "publisher": "发文机关", "title": "标题", "doc_no": "发文字号"},
    "portal": HEADINGS,
}

_FENCE = re.compile(r"---[ \t]*")


@dataclass(frozen=True, slots=True)
class SplitFile:
    """A document file cut into its front matter and its body."""

    front_matter: str
    first_line: int  # line number of the front matter's first line
    body: str
    body_line: int  # line number of the body's first line


def split(text: str) -> SplitFile | str:
    """Cut a document at its two `---` lines; a Chinese explanation instead when it has no front matter."""
    lines = text.split("\n")
    if not lines or not _FENCE.fullmatch(lines[0]):
        return "文件开头缺少元数据块：第一行应为“---”，随后是“标题: …”等字段，再以一行“---”结束。"
    for number, line in enumerate(lines[1:], start=1):
        if _FENCE.fullmatch(line):
            return SplitFile("\n".join(lines[1:number]), 2, "\n".join(lines[number + 1 :]), number + 2)
    return "元数据块没有结束：请在最后一个字段之后加一行“---”。"


def canonical(key: str) -> str | None:
    """The canonical key for a key or its Chinese label, or None when it is unknown."""
    if key in LABELS:
        return key
    return ALIASES.get(key)


def chinese(key: str) -> str:
    """A key's first Chinese label, the one new files and messages use: 索引号 for index_no."""
    return LABELS[key][0]


def label(key: str) -> str:
    """How messages name a key: its first Chinese label with the English key, e.g. 索引号（index_no）."""
    return f"{chinese(key)}（{key}）"


def _line_pattern(key: str) -> re.Pattern[str]:
    """A front-matter line `key: value` under the key or any of its labels, the value quoted or not."""
    names = "|".join(map(re.escape, (key, *LABELS[key])))
    return re.compile(rf'^(?:{names})\s*:\s*["\']?([^"\'#\n]+?)["\']?\s*(?:#.*)?$', re.MULTILINE)


_LINES = {key: _line_pattern(key) for key in LABELS}


def written_value(text: str, key: str) -> tuple[str, int] | None:
    """The one-line value a document's text writes for key, with its line, or None; read line by line, without
    YAML, so it works on files that do not validate (`new` and the 索引号 history rule need no more)."""
    head = text.split("\n---", 1)[0]
    match = _LINES[key].search(head)
    return (match.group(1).strip(), head.count("\n", 0, match.start()) + 1) if match else None
