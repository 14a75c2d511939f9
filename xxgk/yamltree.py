"""YAML read as a tree of strings with line numbers: no implicit typing, duplicates reported.

PyYAML's usual loaders apply YAML 1.1 implicit types: `no` becomes False, `0012` becomes 10 and
`2018-03-06` becomes a date. We compose with the *base* resolver instead, so every scalar stays the
text the editor typed, and each typed field is converted (and checked) by the code that owns it.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from .errors import Problem

_Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

Value = str | None | list["Node"] | dict[str, "Node"]


@dataclass(frozen=True, slots=True)
class Node:
    """A YAML value (str, None for an empty value, list or dict of Nodes) and the 1-based line it starts on."""

    value: Value
    line: int

    @property
    def is_scalar(self) -> bool:
        return self.value is None or isinstance(self.value, str)


def parse(text: str, path: str, first_line: int = 1) -> tuple[Node | None, list[Problem]]:
    """Parse one YAML document into a Node tree; syntax errors come back as problems, never raised."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(path, line, f"YAML 格式错误：{_explain(reason)}。请检查这一行的缩进、冒号和引号。", "yaml-syntax")]
    if root is None:
        return None, []
    problems: list[Problem] = []
    return _convert(root, path, first_line, problems), problems


def _explain(reason: str) -> str:
    known = {
        "mapping values are not allowed": "此处不能出现冒号（值中含有“: ”时请用引号括起来）",
        "could not find expected ':'": "缺少冒号“:”",
        "found character '\\t' that cannot start any token": "含有制表符（Tab），请改用空格缩进",
        "found undefined alias": "使用了未定义的别名（*）",
        "did not find expected key": "引号或括号没有闭合，或引号之后还有文字",
    }
    for english, chinese in known.items():
        if english in reason:
            return chinese
    return reason


def _convert(node: yaml.Node, path: str, first_line: int, problems: list[Problem]) -> Node:
    line = first_line + node.start_mark.line
    if isinstance(node, yaml.ScalarNode):
        text = node.value
        # An empty plain scalar (`key:` with nothing after it) means "no value".
        if text == "" and node.style not in ("'", '"'):
            return Node(None, line)
        return Node(text, line)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(item, path, first_line, problems) for item in node.value], line)
    mapping: dict[str, Node] = {}
    for key_node, value_node in node.value:
        key_line = first_line + key_node.start_mark.line
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(path, key_line, "键名必须是简单文字。", "yaml-key"))
            continue
        key = key_node.value
        if key in mapping:
            problems.append(Problem(
                path, key_line,
                f"键“{key}”重复出现（第 {mapping[key].line} 行已有）。请删除其中一个，以免有内容被静默覆盖。",
                "yaml-duplicate-key"))
            continue
        converted = _convert(value_node, path, first_line, problems)
        mapping[key] = Node(converted.value, key_line)
    return Node(mapping, line)
