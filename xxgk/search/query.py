"""The query language of `xxgk search` (docs/editing.md 三): a query string -> a Whoosh query.

Free text, "phrases", `field:value` with the front-matter keys or their Chinese labels (the vocabulary of
xxgk.frontmatter, plus `year:`/`年份:`), `field:[A TO B]` date ranges, AND, OR, NOT and parentheses. The lexer and
the recursive-descent parser live here; xxgk.search.clauses gives each clause its Whoosh query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh import query as Q

from .. import frontmatter
from . import tokens
from .clauses import EXAMPLES, SearchSyntaxError, combine, field_query, text_query

# The fields a query may name, in the order messages list them. Each is a front-matter key, written in English or
# with any of its Chinese labels as in a document's metadata, except year: the year of 发布日期, no key of its own.
_FIELDS = ("index_no", "doc_no", "publisher", "category", "genre", "validity", "published", "written", "year", "title")
_YEAR_LABELS = ("年份",)


def _labels(key: str) -> tuple[str, ...]:
    """The Chinese names of a searchable field, the one messages use first."""
    return _YEAR_LABELS if key == "year" else frontmatter.LABELS[key]


_FIELD_NAMES = {name: key for key in _FIELDS for name in (key, *_labels(key))}
_FIELD_LIST = "、".join(f"{key}:（{_labels(key)[0]}）" for key in _FIELDS)
_LABEL_LENGTHS = sorted(len(name) for name in _FIELD_NAMES if not name.isascii())
_FIELD = re.compile(rf"([A-Za-z_]+|[{tokens.HAN}]{{{_LABEL_LENGTHS[0]},{_LABEL_LENGTHS[-1]}}})[:：]")
_QUOTES = {'"': '"', "“": "”", "「": "」", "『": "』"}
_OPERATORS = ("AND", "OR", "NOT")
_RANGES = {"[": "]", "［": "］", "{": "}"}


@dataclass(frozen=True, slots=True)
class _Lexeme:
    """One unit of a query: an operator, a parenthesis, free text, a quoted phrase, or a field with its value."""

    kind: str  # "op", "(", ")", "word", "phrase", "field"
    text: str
    field: str = ""
    value_kind: str = ""  # for fields: "word", "phrase" or "range"


def parse_query(text: str) -> tuple[Q.Query, tuple[str, ...]]:
    """The Whoosh query for a query string and the normalised strings a snippet should highlight."""
    lexemes = _lex(text)
    if not lexemes:
        raise SearchSyntaxError("查询为空。请输入要查找的文字，例如：信息公开，或 index_no:…")
    parser = _Parser(lexemes)
    result = parser.parse()
    if result is None:
        raise SearchSyntaxError("查询里没有可查找的文字。请输入汉字、字母或数字。")
    return result, tuple(dict.fromkeys(parser.needles))


def _lex(text: str) -> list[_Lexeme]:
    """Split a query into lexemes; ASCII parentheses group only at the start and end of words."""
    lexemes: list[_Lexeme] = []
    at, depth = 0, 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        lexeme, at = _next_lexeme(text, at)
        lexeme, closing = _split_closing(lexeme, depth)
        depth += {"(": 1, ")": -1}.get(lexeme.kind, 0) - closing
        lexemes += [lexeme] + [_Lexeme(")", ")")] * closing
    return lexemes


def _next_lexeme(text: str, at: int) -> tuple[_Lexeme, int]:
    """The lexeme starting at `at` and the index after it."""
    char = text[at]
    if char in "()":
        return _Lexeme(char, char), at + 1
    if char in _QUOTES:
        value, end = _quoted(text, at)
        return _Lexeme("phrase", value), end
    field = _FIELD.match(text, at)
    if field and field.group(1).lower() in _FIELD_NAMES:
        return _field_lexeme(text, field.group(1), field.end())
    if (
        field
        and field.group().endswith(":")
        and text[field.end() : field.end() + 1] not in ("", "/")
        and not text[field.end()].isspace()
    ):
        # `name:value` with an ASCII colon is meant as a field; searching the words instead would hide the typo.
        raise SearchSyntaxError(f"没有“{field.group(1)}”这个检索字段。可用的字段：{_FIELD_LIST}。")
    end = _word_end(text, at)
    word = text[at:end]
    return _Lexeme("op" if word in _OPERATORS else "word", word), end


def _word_end(text: str, at: int) -> int:
    """Where the word starting at `at` ends: at white space or an opening quote."""
    end = at
    while end < len(text) and not text[end].isspace() and text[end] not in _QUOTES:
        end += 1
    return end


def _quoted(text: str, at: int) -> tuple[str, int]:
    """The text inside the quotes opening at `at`, and the index after the closing quote."""
    close = text.find(_QUOTES[text[at]], at + 1)
    if close < 0:
        raise SearchSyntaxError(f"引号没有配对：{text[at:]}。请在短语两端都加上引号。")
    return text[at + 1 : close], close + 1


def _field_lexeme(text: str, name: str, at: int) -> tuple[_Lexeme, int]:
    """A field lexeme whose value starts at `at`: a quoted phrase, an [A TO B] range or a word."""
    field = _FIELD_NAMES[name.lower()]
    if at >= len(text) or text[at].isspace():
        raise SearchSyntaxError(f"“{name}:”后面缺少要查找的内容（冒号后不要留空格），例如 {name}:{EXAMPLES[field]}")
    if text[at] in _QUOTES:
        value, end = _quoted(text, at)
        return _Lexeme("field", value, field, "phrase"), end
    if text[at] in _RANGES:
        close = text.find(_RANGES[text[at]], at + 1)
        if close < 0:
            raise SearchSyntaxError(f"范围缺少右方括号：{text[at:]}。请写成 {name}:[2019-01-01 TO 2019-12-31]")
        return _Lexeme("field", text[at + 1 : close], field, "range"), close + 1
    end = _word_end(text, at)
    return _Lexeme("field", text[at:end], field, "word"), end


def _split_closing(lexeme: _Lexeme, depth: int) -> tuple[_Lexeme, int]:
    """A word without the closing parentheses glued to its end while groups are open, and how many there were."""
    if lexeme.kind not in ("word", "field") or lexeme.value_kind in ("phrase", "range"):
        return lexeme, 0
    count = min(depth, len(lexeme.text) - len(lexeme.text.rstrip(")")), len(lexeme.text) - 1)
    if count <= 0:
        return lexeme, 0
    return _Lexeme(lexeme.kind, lexeme.text[:-count], lexeme.field, lexeme.value_kind), count


class _Parser:
    """Recursive descent over lexemes: OR binds loosest, then AND (written or implied), then NOT."""

    def __init__(self, lexemes: list[_Lexeme]):
        """Start before the first lexeme, outside any NOT, with nothing to highlight."""
        self.lexemes, self.at, self.negated = lexemes, 0, 0
        self.needles: list[str] = []

    def parse(self) -> Q.Query | None:
        """The query of all the lexemes."""
        query = self.either()
        if self.at < len(self.lexemes):
            raise SearchSyntaxError("括号没有配对：多了右括号“)”。")
        return query

    def peek(self) -> _Lexeme | None:
        """The next lexeme, if any."""
        return self.lexemes[self.at] if self.at < len(self.lexemes) else None

    def take(self, kind: str, text: str | None = None) -> bool:
        """Consume the next lexeme if it has this kind (and text); say whether it did."""
        lexeme = self.peek()
        if lexeme is None or lexeme.kind != kind or (text is not None and lexeme.text != text):
            return False
        self.at += 1
        return True

    def either(self) -> Q.Query | None:
        """Alternatives joined by OR."""
        parts = [self.both()]
        while self.take("op", "OR"):
            parts.append(self.both())
        return combine(Q.Or, parts)

    def both(self) -> Q.Query | None:
        """Terms joined by AND or simply written one after another."""
        parts = [self.unary()]
        while (lexeme := self.peek()) is not None and lexeme.kind != ")" and lexeme.text != "OR":
            self.take("op", "AND")
            parts.append(self.unary())
        return combine(Q.And, parts)

    def unary(self) -> Q.Query | None:
        """A term, possibly negated by NOT."""
        if not self.take("op", "NOT"):
            return self.primary()
        self.negated += 1
        inner = self.unary()
        self.negated -= 1
        return None if inner is None else Q.Not(inner)

    def primary(self) -> Q.Query | None:
        """A group in parentheses, a phrase, a field or a word."""
        lexeme = self.peek()
        if lexeme is None or lexeme.kind in ("op", ")"):
            raise SearchSyntaxError("AND、OR、NOT 和括号里面都要有查找内容，例如：信息公开 AND (预算 OR 决算)")
        self.at += 1
        if lexeme.kind == "(":
            inner = self.either()
            if not self.take(")"):
                raise SearchSyntaxError("括号没有配对：缺少右括号“)”。")
            return inner
        if lexeme.kind == "field":
            return field_query(lexeme.field, lexeme.text, lexeme.value_kind, self.note)
        return text_query(lexeme.text, ("title", "text"), self.note)

    def note(self, needles: list[str]) -> None:
        """Remember strings to highlight, unless they sit under a NOT."""
        if not self.negated:
            self.needles += needles
