"""Characters that break the formats a site is published in, and where an editor's text contains them.

Two classes, each a rule for a whole family of characters rather than a list of cases:

- FORBIDDEN, refused everywhere (front matter, body, config.yaml, reports/*.yaml): C0 controls other than tab
  and newline, DEL, the C1 controls, surrogates and the Unicode noncharacters (U+FDD0–U+FDEF and the last two
  code points of every plane). XML 1.0 forbids most of them outright (an Atom feed with U+000B is ill-formed),
  NUL ends strings in other tools, and the rest cannot be encoded or are invisible garbage from a broken copy.
- INVISIBLE, refused in one-line fields (titles, names, numbers): the line and paragraph separators, zero-width
  characters and the bidirectional controls. They are invisible, so a 发布机构 with a zero-width space is a
  look-alike second body and a title with U+202E reads backwards (the "Trojan Source" trick); JavaScript and
  some CSV readers also treat U+2028/U+2029 as line ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
FORBIDDEN = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}]")
# libyaml also ends a line at U+2028/U+2029, so in a YAML file they would silently split a value in two.
IN_YAML = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{_NONCHARACTERS}\u2028\u2029]")
INVISIBLE = re.compile("[\u2028\u2029\u200b-\u200f\u2060-\u2064\ufeff\u180e\u061c\u202a-\u202e\u2066-\u2069]")

_KINDS = (
    ("\x00-\x08\x0b-\x1f\x7f-\x9f", "控制字符"),
    ("\ud800-\udfff", "无效的代理字符"),
    (_NONCHARACTERS, "非字符"),
    ("\u2028\u2029", "行或段落分隔符"),
    ("\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c", "双向文字控制符"),
)
_KIND_OF = [(re.compile(f"[{chars}]"), name) for chars, name in _KINDS]


@dataclass(frozen=True, slots=True)
class Found:
    """A refused character: its 1-based line and column in the text searched, and the character."""

    line: int
    column: int
    char: str

    def describe(self) -> str:
        """The character as an editor is told about it, e.g. “U+000B（控制字符）”."""
        return describe(self.char)


def describe(char: str) -> str:
    """Name a refused character by code point and kind, since it cannot be shown."""
    kind = next((name for pattern, name in _KIND_OF if pattern.fullmatch(char)), "零宽字符")
    return f"U+{ord(char):04X}（{kind}）"


def find(pattern: re.Pattern, text: str, first_line: int = 1) -> list[Found]:
    """The first match of pattern on each line of text, located; lines are counted from first_line."""
    if not pattern.search(text):  # the common case, without splitting the text into lines
        return []
    found = []
    for offset, line in enumerate(text.split("\n")):
        match = pattern.search(line)
        if match:
            found.append(Found(first_line + offset, match.start() + 1, match.group()))
    return found


_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def references(text: str, first_line: int = 1) -> list[Found]:
    """Numeric character references (`&#x0b;`, `&#0;`) to FORBIDDEN characters: HTML parsers turn them into
    the characters themselves. Located like find()."""
    if "&#" not in text:
        return []
    found = []
    for offset, line in enumerate(text.split("\n")):
        for match in _REFERENCE.finditer(line):
            code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
            if code <= 0x10FFFF and FORBIDDEN.fullmatch(chr(code)):
                found.append(Found(first_line + offset, match.start() + 1, chr(code)))
                break
    return found


def first(pattern: re.Pattern, value: str) -> str | None:
    """The first character of value that pattern refuses, or None."""
    match = pattern.search(value)
    return match.group() if match else None


FORBIDDEN_ADVICE = "它不可见，会使订阅源（XML）、CSV 和网页出错，多半是从其他软件复制时带入的。请删除它"
INVISIBLE_ADVICE = "它不可见，会让文字看起来相同却不相同（例如成为另一个发布机构）。请删除它，这一项只能是普通文字"
