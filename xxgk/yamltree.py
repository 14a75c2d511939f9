"""YAML read as a tree of strings with line numbers: no implicit typing, duplicates reported, no aliases.

PyYAML's usual loaders apply YAML 1.1 implicit types: `no` becomes False, `0012` becomes 10 and
`2018-03-06` becomes a date. We read libyaml's *events* with the base resolver instead, so every scalar stays
the text the editor typed, and each typed field is converted (and checked) by the code that owns it.

Every YAML file the tool reads (front matter, config.yaml, reports/*.yaml) comes through parse(), so its
limits hold for all of them: anchors and aliases are refused (they are never needed, and expand
exponentially in a "billion laughs" file), nesting is bounded (so thousands of brackets cannot exhaust the
stack), and characters that break the published formats are refused at their line (see characters.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from . import characters
from .errors import Problem

_Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

MAX_DEPTH = 16  # lists and mappings inside each other; the deepest file the tool reads needs 5

Value = str | None | list["Node"] | dict[str, "Node"]


@dataclass(frozen=True, slots=True)
class Node:
    """A YAML value (str, None for an empty value, list or dict of Nodes) and the 1-based line it starts on."""

    value: Value
    line: int

    @property
    def is_scalar(self) -> bool:
        return self.value is None or isinstance(self.value, str)


def _events(text: str):
    """libyaml's parse events for text (what yaml.parse yields, with one call per event instead of two)."""
    loader = _Loader(text)
    try:
        while True:
            event = loader.get_event()
            yield event
            if type(event) is yaml.StreamEndEvent:
                return
    finally:
        loader.dispose()


class _Refused(Exception):
    """A construct the content format does not allow; parsing stops at the first one."""

    def __init__(self, line: int, message: str, code: str):
        super().__init__(message)
        self.line, self.message, self.code = line, message, code


def parse(text: str, path: str, first_line: int = 1) -> tuple[Node | None, list[Problem]]:
    """Parse one YAML document into a Node tree; syntax errors come back as problems, never raised."""
    bad = characters.find(characters.IN_YAML, text, first_line)
    if bad:
        return None, [
            Problem(
                path,
                f.line,
                f"含有字符 {f.describe()}。{characters.FORBIDDEN_ADVICE}。",
                "bad-character",
                column=f.column,
            )
            for f in bad
        ]
    problems: list[Problem] = []
    try:
        root = _Builder(path, first_line, problems, escapes="\\" in text).build(_events(text))
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(exc, text, path, first_line)]
    except _Refused as exc:
        return None, [Problem(path, exc.line, exc.message, exc.code)]
    if root is not None and isinstance(root.value, str):
        # Every file the tool reads is "key: value" lines; one bare text is most often `标题：…` typed with an IME.
        slip = fullwidth_colon(text, path, first_line)
        if slip is not None:
            return None, [slip]
    return root, problems


_ALIAS_MESSAGE = "不支持 YAML 的锚点和别名（“&名称”“*名称”）。请把内容直接写出来。"
_SECOND_DOCUMENT = "YAML 格式错误：这里开始了第二个文档（“---”或“...”）。一个文件只能有一组“键: 值”。"


class _Builder:
    """Assembles Nodes from libyaml's events with an explicit stack (no recursion, so depth costs no stack)."""

    def __init__(self, path: str, first_line: int, problems: list[Problem], escapes: bool):
        self.path, self.first_line, self.problems = path, first_line, problems
        self.escapes = escapes  # only a backslash escape can put a refused character into a value

    def build(self, events) -> Node | None:
        stack: list[tuple[int, list, bool]] = []  # (line, items, is a mapping) of each open list or mapping
        root = None
        documents = 0
        for event in events:
            kind = type(event)
            if kind is yaml.ScalarEvent:
                node = self._scalar(event)
            elif kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                self._check_open(event, len(stack))
                stack.append((self.first_line + event.start_mark.line, [], kind is yaml.MappingStartEvent))
                continue
            elif kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent:
                start, items, is_mapping = stack.pop()
                node = Node(self._mapping(items) if is_mapping else items, start)
            elif kind is yaml.AliasEvent:
                raise _Refused(self.first_line + event.start_mark.line, _ALIAS_MESSAGE, "yaml-alias")
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise _Refused(self.first_line + event.start_mark.line, _SECOND_DOCUMENT, "yaml-syntax")
                continue
            else:
                continue
            if stack:
                stack[-1][1].append(node)
            else:
                root = node
        return root

    def _check_open(self, event, depth: int) -> None:
        """Refuse an anchor on a list or mapping, and a list or mapping nested too deep."""
        line = self.first_line + event.start_mark.line
        if event.anchor is not None:
            raise _Refused(line, _ALIAS_MESSAGE, "yaml-alias")
        if depth >= MAX_DEPTH:
            raise _Refused(line, f"YAML 嵌套过深（超过 {MAX_DEPTH} 层）。请检查括号和缩进。", "yaml-depth")

    def _scalar(self, event: yaml.ScalarEvent) -> Node:
        line = self.first_line + event.start_mark.line
        if event.anchor is not None:
            raise _Refused(line, _ALIAS_MESSAGE, "yaml-alias")
        text = event.value
        # An escape in a quoted value ("\x0b", "\0") can still produce a character the file itself may not hold.
        bad = characters.first(characters.FORBIDDEN, text) if self.escapes else None
        if bad is not None:
            self.problems.append(
                Problem(
                    self.path,
                    line,
                    f"值中含有字符 {characters.describe(bad)}（由转义写出）。{characters.FORBIDDEN_ADVICE}。",
                    "bad-character",
                )
            )
            text = characters.FORBIDDEN.sub("", text)
        # An empty plain scalar (`key:` with nothing after it) means "no value".
        if text == "" and event.style not in ("'", '"'):
            return Node(None, line)
        return Node(text, line)

    def _mapping(self, items: list[Node]) -> dict[str, Node]:
        mapping: dict[str, Node] = {}
        for key_node, value_node in zip(items[::2], items[1::2], strict=True):
            if not isinstance(key_node.value, str):
                self.problems.append(Problem(self.path, key_node.line, "键名必须是简单文字。", "yaml-key"))
                continue
            key = key_node.value
            if key in mapping:
                self.problems.append(
                    Problem(
                        self.path,
                        key_node.line,
                        f"键“{key}”重复出现（第 {mapping[key].line} 行已有）。请删除其中一个，以免有内容被静默覆盖。",
                        "yaml-duplicate-key",
                    )
                )
                continue
            mapping[key] = Node(value_node.value, key_node.line)
        return mapping


# libyaml's messages, in the words an editor can act on.
_EXPLAINED = (
    ("mapping values are not allowed", "此处不能出现冒号（值中含有“: ”时请用引号括起来）"),
    ("could not find expected ':'", "缺少冒号“:”"),
    ("found a tab character", "含有制表符（Tab），请改用空格缩进"),
    (
        "found unknown escape character",
        "双引号中的反斜杠“\\”后面不是可识别的转义。值中含“\\”（如主题分类）时，请改用单引号或不加引号",
    ),
    ("did not find expected key", "引号或括号没有闭合，或引号之后还有文字"),
    ("did not find expected <document start>", "这一行多余或缩进不对：每一行应为“键: 值”，或是上一项的续行"),
    ("did not find expected '-' indicator", "列表项“- ”的缩进与上一项不一致"),
    ("did not find expected ',' or ']'", "方括号“[”没有闭合，或列表项之间缺少逗号"),
    ("did not find expected ',' or '}'", "花括号“{”没有闭合，或各项之间缺少逗号"),
    ("did not find expected node content", "这里缺少值（例如多了一个逗号或一个单独的“-”）"),
    ("did not find expected comment or line break", "引号之后还有多余的文字"),
    ("found unexpected end of stream", "引号没有闭合"),
    ("block sequence entries are not allowed", "此处不能出现列表项“- ”，请检查缩进"),
    ("unacceptable character", "含有不允许的控制字符，请删除它"),
    ("found undefined alias", "使用了未定义的别名（*）"),
)
_FULLWIDTH_COLON = re.compile(r"[ \t]*(?:-[ \t]+)?([^\s:：\"'#\[{>|-][^:：\n]{0,30}?)[ \t]*：")


def _syntax_problem(exc: yaml.YAMLError, text: str, path: str, first_line: int) -> Problem:
    """The Problem for a YAML syntax error, at the line of a full-width colon when that is what went wrong."""
    mark = getattr(exc, "problem_mark", None)
    if "could not find expected ':'" in (getattr(exc, "problem", None) or ""):
        mark = getattr(exc, "context_mark", None) or mark  # libyaml marks the line after the key that lacks it
    line = mark.line if mark is not None else 0
    slip = fullwidth_colon(text, path, first_line, last=line + 1)
    if slip is not None:
        return slip
    return Problem(
        path,
        first_line + line,
        f"YAML 格式错误：{_explain(exc, text)}。请检查这一行的缩进、冒号和引号。",
        "yaml-syntax",
    )


def fullwidth_colon(text: str, path: str, first_line: int = 1, last: int | None = None) -> Problem | None:
    """A Problem at the first line (up to line `last` of text) written `标题：…` with a full-width colon, or None."""
    for offset, line in enumerate(text.split("\n")[:last]):
        match = _FULLWIDTH_COLON.match(line)
        if match:
            key = match.group(1).strip()
            return Problem(
                path,
                first_line + offset,
                f"“{key}”后面是全角冒号“：”。键和值之间请用半角冒号加一个空格，"
                f"例如“{key}: …”（输入法切换到英文标点）。",
                "yaml-fullwidth-colon",
            )
    return None


def _explain(exc: yaml.YAMLError, text: str) -> str:
    reason = getattr(exc, "problem", None) or str(exc)
    if "cannot start any token" in reason:
        return _bad_token_start(exc, text)
    for english, chinese in _EXPLAINED:
        if english in reason:
            return chinese
    return f"无法解析（{reason}）"


def _bad_token_start(exc: yaml.YAMLError, text: str) -> str:
    """libyaml names no character here; look it up at the mark."""
    mark = exc.problem_mark
    lines = text.split("\n")
    row = lines[mark.line] if mark.line < len(lines) else ""
    char = row[mark.column] if mark.column < len(row) else ""
    if char == "\t":
        return "含有制表符（Tab），请改用空格缩进"
    return f"值不能以“{char}”开头，请用引号把整个值括起来"
