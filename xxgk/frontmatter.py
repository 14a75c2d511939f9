"""The front-matter contract (docs/content-format.md 一): keys, their Chinese labels, and splitting a file."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Canonical key -> Chinese labels accepted for it (left column of the portal's metadata table).
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
            return SplitFile("\n".join(lines[1:number]), 2, "\n".join(lines[number + 1:]), number + 2)
    return "元数据块没有结束：请在最后一个字段之后加一行“---”。"


def canonical(key: str) -> str | None:
    """The canonical key for a key or its Chinese label, or None when it is unknown."""
    if key in LABELS:
        return key
    return ALIASES.get(key)


def label(key: str) -> str:
    """How messages name a key: its first Chinese label with the English key, e.g. 索引号（index_no）."""
    return f"{LABELS[key][0]}（{key}）"
