"""Classification marks and internal-only notices: documents that must never be published."""

from __future__ import annotations

import re

from .rules import Finding
from .text import View

# On a folded view: "：" is ":" and "（" is "(". A 密级 counts only as a mark (秘密★1年, 机密 保密期限：5年),
# not in prose such as "国家秘密的保密期限".
_MARK = re.compile(r"(?:绝密|机密|秘密)级?(?:\s*[★☆]|[\s:·]*保密期限)")  # starts with a character: a fast scan
_NOTICE = re.compile(r"内部资料(?!性)|内部文件|注意保密|不得外传")


def find(view: View, raw: str) -> list[Finding]:
    """A classified-mark finding for every 密级 mark and internal-only notice."""
    findings = []
    for match in _MARK.finditer(view.text):
        start, end = view.raw_span(*match.span())
        findings.append(
            Finding(
                "classified-mark",
                start,
                f"含密级标志“{raw[start:end]}”：标有密级的文件不得公开。"
                "请立即停止发布并按保密规定报告；如已依法解密，请删去密级标志并在公开前完成保密审查。",
            )
        )
    for match in _NOTICE.finditer(view.text):
        start, end = view.raw_span(*match.span())
        findings.append(
            Finding(
                "classified-mark",
                start,
                f"含“{raw[start:end]}”字样：内部文件不应公开发布。"
                "请确认已经保密审查、可以公开后删去该字样，否则撤下本文件。",
            )
        )
    return findings
