"""Typed reading of a yamltree.Node: each method converts one value or records a located problem."""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import date

from . import characters
from .errors import ERROR, WARNING, Problem
from .yamltree import Node

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)  # full-width digits would look alike but differ
_TRUE = {"true", "True", "TRUE", "是"}
_FALSE = {"false", "False", "FALSE", "否"}


def closest(word: str, choices: list[str]) -> str | None:
    """Return the known word nearest to a misspelt one, or None when nothing is close."""
    found = difflib.get_close_matches(word, choices, n=1, cutoff=0.5)
    return found[0] if found else None


class FieldReader:
    """Collects the problems met while converting the values of one file."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def report(self, line: int | None, message: str, code: str, level: str = ERROR) -> None:
        self.problems.append(Problem(self.path, line, message, code, level))

    def warn(self, line: int | None, message: str, code: str) -> None:
        self.report(line, message, code, WARNING)

    def text(self, node: Node, label: str, *, one_line: bool = True) -> str | None:
        """A non-empty string, stripped; None (with a problem) for lists, mappings or empty values."""
        if not isinstance(node.value, str):
            kind = "空值" if node.value is None else "列表或子项"
            self.report(node.line, f"“{label}”应为一段文字，这里是{kind}。", "type-text")
            return None
        value = node.value.strip()
        if not value:
            self.report(node.line, f"“{label}”不能为空。", "empty-value")
            return None
        if one_line and "\n" in value:
            self.report(node.line, f"“{label}”只能写一行，请去掉换行。", "type-one-line")
            return None
        invisible = characters.first(characters.INVISIBLE, value) if one_line else None
        if invisible is not None:
            self.report(
                node.line,
                f"“{label}”含有字符 {characters.describe(invisible)}。{characters.INVISIBLE_ADVICE}。",
                "bad-character",
            )
            return None
        return value

    def optional_text(self, node: Node | None, label: str) -> str:
        """Like text(), but an absent or empty value is simply ''."""
        if node is None or node.value is None or node.value == "":
            return ""
        return self.text(node, label) or ""

    def day(self, node: Node, label: str) -> date | None:
        """A calendar date written YYYY-MM-DD that exists."""
        raw = self.text(node, label)
        if raw is None:
            return None
        match = _ISO_DATE.fullmatch(raw)
        if not match and _ISO_DATE.fullmatch(unicodedata.normalize("NFKC", raw)):
            self.report(
                node.line, f"“{label}”的值“{raw}”含有全角数字。请改用半角数字，写成 YYYY-MM-DD。", "date-format"
            )
            return None
        if not match:
            self.report(
                node.line, f"“{label}”的值“{raw}”不是有效日期，请写成 YYYY-MM-DD，例如 2018-03-06。", "date-format"
            )
            return None
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            self.report(node.line, f"“{label}”的日期“{raw}”不存在（请核对月份和日）。", "date-invalid")
            return None

    def boolean(self, node: Node, label: str) -> bool | None:
        """true/false (also 是/否); anything else, lists included, is a problem."""
        value = node.value if isinstance(node.value, str) else None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        shown = value if value is not None else "列表或子项"
        self.report(node.line, f"“{label}”只能是 true 或 false，这里是“{shown}”。", "type-bool")
        return None

    def integer(self, node: Node, label: str, minimum: int, maximum: int) -> int | None:
        raw = node.value if isinstance(node.value, str) else ""
        if not (raw.strip().isascii() and raw.strip().isdigit()) or not minimum <= int(raw) <= maximum:
            self.report(node.line, f"“{label}”应为 {minimum} 到 {maximum} 之间的整数，这里是“{raw}”。", "type-int")
            return None
        return int(raw)

    def items(self, node: Node, label: str) -> list[Node] | None:
        """The items of a YAML list."""
        if not isinstance(node.value, list):
            self.report(node.line, f"“{label}”应为列表（每项一行，以“- ”开头）。", "type-list")
            return None
        return node.value

    def strings(self, node: Node | None, label: str) -> tuple[str, ...]:
        """The non-empty texts of an optional YAML list; () when it is absent."""
        if node is None:
            return ()
        return tuple(v for v in (self.text(item, label) for item in self.items(node, label) or []) if v)

    def mapping(self, node: Node, label: str, known: list[str]) -> dict[str, Node] | None:
        """A YAML mapping whose keys are all known; each unknown key is reported with the nearest one."""
        if not isinstance(node.value, dict):
            self.report(node.line, f"“{label}”应为“键: 值”形式的子项。", "type-mapping")
            return None
        for key, child in node.value.items():
            if key not in known:
                self.unknown_key(child.line, key, known, label)
        return node.value

    def unknown_key(self, line: int, key: str, known: list[str], where: str) -> None:
        hint = closest(key, known)
        advice = f"是否想写“{hint}”？" if hint else f"可用的键：{'、'.join(known)}。"
        self.report(line, f"{where}中有未知的键“{key}”。{advice}", "unknown-key")
