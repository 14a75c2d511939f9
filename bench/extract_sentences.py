"""Maintenance tool: rebuild bench/sentences.txt and bench/headings.txt from plain-text seed documents.

The benchmark itself never runs this: it reads only the two data files kept beside it.
Usage: python bench/extract_sentences.py SEED_DIR
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# SEO spam injected into cloned government pages (see domain reference section 8.1): removed, never copied.
SPAM = ("皇冠体育,皇冠体育平台", "皇冠体育平台", "皇冠体育")
SPAM_WORDS = ("皇冠", "365bet", "bet365", "即时比分", "真人真钱", "娱乐城", "棋牌", "彩票", "快3", "首次充值", "荷官")
# Portal chrome and metadata lines of a scraped page, not body text.
CHROME = re.compile(r"^(索引号|发布机构|名称|文号|主题词|发布日期|分类|【|政府信息公开)")
ENUM = re.compile(r"^[(（][一二三四五六七八九十]+[)）]\s*")
HEADING = re.compile(r"^[一二三四五六七八九十]+、\s*(.+)$")
HEADING_PREFIX = re.compile(r"^([一二三四五六七八九十]+是|——)")
PERSONAL = re.compile(r"1[3-9]\d{9}|\d{17}[\dXx]")
SPLIT = re.compile(r"(?<=[。；;])")


def clean_line(line: str) -> str:
    """Strip spam, spaces and characters that Markdown would read as markup."""
    for spam in SPAM:
        line = line.replace(spam, "")
    return line.strip().replace("\u3000", "").replace("<", "〈").replace(">", "〉")


def usable(text: str) -> bool:
    """Whether a sentence is clean body text worth sampling."""
    return (
        10 <= len(text) <= 400
        and not any(w in text for w in SPAM_WORDS)
        and not PERSONAL.search(text)
        and re.search(r"[\u4e00-\u9fff]", text) is not None
        and not re.match(r"^[\d#*>|+-]", text)
    )


def parse_seed(text: str) -> tuple[list[str], list[str]]:
    """Split one seed into body sentences and short heading texts."""
    sentences: list[str] = []
    headings: list[str] = []
    for raw in text.splitlines():
        line = clean_line(raw)
        if not line or CHROME.match(line):
            continue
        heading = HEADING.match(line)
        if heading and len(line) <= 40:
            headings.append(heading_text(heading.group(1)))
            continue
        line = ENUM.sub("", line)
        parts = [p.strip() for p in SPLIT.split(line) if p.strip()]
        if parts and 4 <= len(parts[0]) <= 24 and len(parts) > 1:
            headings.append(heading_text(parts[0]))
            parts = parts[1:]
        sentences.extend(p for p in parts if usable(p) and p[-1] in "。；;")
    return sentences, headings


def heading_text(text: str) -> str:
    """A heading without its "一是" or dash prefix and final stop."""
    return HEADING_PREFIX.sub("", text).rstrip("。；;")


def unique(items: list[str]) -> list[str]:
    """Drop repeats, keeping the first occurrence's order."""
    return list(dict.fromkeys(items))


def main(seed_dir: Path) -> None:
    """Write the two data files from every *.txt seed in seed_dir."""
    sentences: list[str] = []
    headings: list[str] = []
    for path in sorted(seed_dir.glob("*.txt")):
        found, heads = parse_seed(path.read_text(encoding="utf-8"))
        sentences += found
        headings += heads
    (HERE / "sentences.txt").write_text("\n".join(unique(sentences)) + "\n", encoding="utf-8")
    (HERE / "headings.txt").write_text("\n".join(unique(headings)) + "\n", encoding="utf-8")
    print(f"{len(unique(sentences))} sentences, {len(unique(headings))} headings")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python bench/extract_sentences.py SEED_DIR")
    main(Path(sys.argv[1]))
