"""What each clause of the query language means as a Whoosh query: free text, `field:value` and date ranges.

`xxgk.search.query` splits a query into clauses and combines them; this module turns one clause into a query
and explains in Chinese (SearchSyntaxError) what it cannot read.
"""

from __future__ import annotations

import glob
import re
from datetime import date, datetime
from datetime import time as clock

from whoosh import query as Q

from . import tokens
from .analysis import doc_no_key, positioned
from .whoosh_internals import DateSpan, FreeText

TITLE_BOOST = 10.0  # a title match always outranks body matches (see whoosh_internals.Weighting)


class SearchSyntaxError(ValueError):
    """A query that cannot be understood; the message says in Chinese how to write it."""


def combine(kind, parts: list[Q.Query | None]) -> Q.Query | None:
    """One query of the non-empty parts; a conjunction of NOTs alone applies to every document."""
    parts = [part for part in parts if part is not None]
    if kind is Q.And and parts and all(isinstance(part, Q.Not) for part in parts):
        parts.insert(0, Q.Every())
    return None if not parts else parts[0] if len(parts) == 1 else kind(parts)


# --- Free text ----------------------------------------------------------------------------------------------


def text_query(text: str, fields: tuple[str, ...], note=lambda needles: None) -> Q.Query | None:
    """Free text: every run of adjacent tokens must appear in one of the fields (title boosted); None if no tokens."""
    norm = tokens.normalize(text)
    groups = _groups(list(positioned(norm)))
    note([norm[start:end] for group in groups for start, end in _chunks(group)])
    return combine(Q.And, [_group_query(group, len(norm), fields) for group in groups])


def _groups(found: list[tokens.Token]) -> list[list[tokens.Token]]:
    """Tokens split where positions jump: each group must match as one phrase."""
    groups: list[list[tokens.Token]] = []
    for token in found:
        if groups and token.position == groups[-1][-1].position + 1:
            groups[-1].append(token)
        else:
            groups.append([token])
    return groups


def _chunks(group: list[tokens.Token]) -> list[tuple[int, int]]:
    """The character spans of a group that are contiguous in the text (what a snippet can highlight)."""
    spans: list[tuple[int, int]] = []
    for token in group:
        if spans and token.start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], token.end))
        else:
            spans.append((token.start, token.end))
    return spans


def _group_query(group: list[tokens.Token], length: int, fields: tuple[str, ...]) -> Q.Query:
    """A group's phrase; a lone Han character at the query's edge matches a run that starts or ends with it."""
    if len(group) == 1 and _lone(group[0]):
        return _in_fields(fields, lambda field: Q.Prefix(field, group[0].text))  # see analysis._indexed
    words = [token.text for token in group]
    if _lone(group[0]) and group[0].start == 0:
        words[0] = words[0] + "$"
    if _lone(group[-1]) and group[-1].end == length:
        words[-1] = "^" + words[-1]
    boosts = [(field, TITLE_BOOST if field == "title" and len(fields) > 1 else 1.0) for field in fields]
    return FreeText(tuple(boosts), tuple(words))


def _lone(token: tokens.Token) -> bool:
    """Whether the token is a single Han character."""
    return len(token.text) == 1 and not token.text.isascii()


def _in_fields(fields: tuple[str, ...], make) -> Q.Query:
    """The query made for each field, OR-ed, with title matches boosted."""
    parts = [
        make(field).with_boost(TITLE_BOOST) if field == "title" and len(fields) > 1 else make(field) for field in fields
    ]
    return parts[0] if len(parts) == 1 else Q.Or(parts)


# --- Field queries ------------------------------------------------------------------------------------------

EXAMPLES = {
    "index_no": "114403006955506492/2019-00001",
    "doc_no": "深府办〔2019〕1号",
    "publisher": "坪山区",
    "category": "政务公开",
    "genre": "通知",
    "validity": "有效",
    "published": "[2019-01-01 TO 2019-12-31]",
    "written": "2019-03",
    "year": "2019",
    "title": "工作方案",
}  # one per searchable field, for messages
_DAY = re.compile(r"(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?|月)?)?年?")
_COMPACT_DAY = re.compile(r"(\d{4})(\d{2})(\d{2})")
_RANGE_ENDS = re.compile(r"\s*(\S*?)\s*(?:\bto\b|至|~|～)\s*(\S*)\s*", re.IGNORECASE)


def field_query(field: str, value: str, kind: str, note=lambda needles: None) -> Q.Query:
    """The query of one `field:value`, a range only for dates."""
    if kind == "range" and field not in ("published", "written"):
        raise SearchSyntaxError(f"只有 published: 和 written: 可以写范围 [开始 TO 结束]；{field}: 请直接写要找的值。")
    if field in ("published", "written"):
        return _date_query(field, value, kind)
    if field == "title":
        query = text_query(value, ("title",), note)
        if query is None:
            raise SearchSyntaxError(f"“title:{value}”里没有可查找的文字。")
        return query
    return _EXACT_FIELDS[field](value.strip())


def _index_no_query(value: str) -> Q.Query:
    """An exact index number, or every number starting with it when it ends in *."""
    key = tokens.normalize(value)
    return Q.Prefix("index_no", key[:-1]) if key.endswith("*") else Q.Term("index_no", key)


def _doc_no_query(value: str) -> Q.Query:
    """An exact 文号 in any bracket form, or every 文号 starting with it when it ends in *."""
    key = doc_no_key(value)
    return Q.Prefix("doc_no_norm", key[:-1]) if key.endswith("*") else Q.Term("doc_no_norm", key)


def _contains(field: str):
    """A query maker for the facet values (few: matched against the field's lexicon) that contain the text."""

    def make(value: str) -> Q.Query:
        """Every value of the field containing the text (a / may stand for the \\ of 一级\\二级)."""
        key = tokens.normalize(value).replace("/", "\\")
        return Q.Wildcard(field, f"*{glob.escape(key)}*")

    return make


def _term(field: str):
    """A query maker for an exact facet value."""
    return lambda value: Q.Term(field, tokens.normalize(value))


def _year_query(value: str) -> Q.Query:
    """The documents published in a year written as four digits."""
    if not re.fullmatch(r"\d{4}", tokens.normalize(value)):
        raise SearchSyntaxError(f"年份“{value}”应为四位数字，例如 year:2019")
    return Q.Term("year", tokens.normalize(value))


_EXACT_FIELDS = {
    "index_no": _index_no_query,
    "doc_no": _doc_no_query,
    "publisher": _contains("publisher"),
    "category": _contains("category"),
    "genre": _term("genre"),
    "validity": _term("validity"),
    "year": _year_query,
}


def _date_query(field: str, value: str, kind: str) -> Q.Query:
    """A date span built here from ISO dates (never Whoosh's date parser, which drops month and day)."""
    if kind != "range":
        return DateSpan(field, _parse_day(field, value, False), _parse_day(field, value, True))
    ends = _RANGE_ENDS.fullmatch(value)
    if ends is None:
        raise SearchSyntaxError(f"日期范围“[{value}]”应写成 {field}:[2019-01-01 TO 2019-12-31]（TO 两边留空格）。")
    low, high = ends.groups()
    start = _parse_day(field, low, False) if low not in ("", "*") else None
    end = _parse_day(field, high, True) if high not in ("", "*") else None
    if start is None and end is None:
        raise SearchSyntaxError(f"日期范围“[{value}]”至少要有开始或结束日期之一。")
    if start is not None and end is not None and start > end:
        raise SearchSyntaxError(f"日期范围“[{value}]”的开始日期晚于结束日期。")
    return DateSpan(field, start, end)


def _parse_day(field: str, text: str, end: bool) -> datetime:
    """The first (or, with end, the last) moment of the year, month or day written as ISO 8601 or 2019年3月5日."""
    norm = tokens.normalize(text).strip()
    found = _COMPACT_DAY.fullmatch(norm) or _DAY.fullmatch(norm)
    try:
        year, month, day = (int(part) if part else None for part in found.groups())
        first = date(year, month or 1, day or 1)
        last = first if day else _last_day(year, month)
    except (AttributeError, ValueError):
        raise SearchSyntaxError(
            f"日期“{text}”无法识别。请写成 YYYY-MM-DD，例如 {field}:[2019-01-01 TO 2019-12-31]"
        ) from None
    return datetime.combine(last, clock.max) if end else datetime.combine(first, clock.min)


def _last_day(year: int, month: int | None) -> date:
    """The last day of a month, or of the year when month is None."""
    if month is None:
        return date(year, 12, 31)
    following = date(year + month // 12, month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)
