"""Rules that need the whole corpus: unique index numbers, resolvable references, one page per URL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from itertools import compress
from operator import attrgetter

from ..errors import WARNING, Problem
from ..identifiers import IndexForm
from ..model import DocumentFacts
from ..workdays import WorkCalendar

INTERPRETATION_DELAY = 3  # working days; Zhengzhou's rule, the strictest seen (docs/conventions.md 6.4)
PUBLICATION_DELAY = 20  # working days from 成文日期 to publication (政府信息公开条例 art. 26)


def check_corpus(documents: list[DocumentFacts], calendar: WorkCalendar) -> list[Problem]:
    """Problems between documents and deadlines in working days: a shared 索引号 or URL at every file that shares it,
    naming the others; the rest at the later file, naming the earlier one."""
    spans = _deadline_spans(documents)
    return (
        _duplicate_index_numbers(documents)
        + _url_collisions(documents)
        + _dangling_references(documents)
        + _reference_loops(documents, "interprets", "解读对象")
        + _reference_loops(documents, "replaced_by", "替代文件")
        + _late(spans, calendar)
        + _uncovered_years(spans, calendar)
    )


def _duplicate_index_numbers(documents: list[DocumentFacts]) -> list[Problem]:
    # At every file of a group, naming the others: a check of the new file alone must find it, and which of them was
    # published first (and keeps its number) is for the editor to say, not the order of their paths.
    return [
        Problem(
            doc.src,
            doc.lines.get("index_no"),
            f"索引号“{doc.index_no}”与 {'、'.join(other.src for other in group if other is not doc)} 重复。索引号必须"
            "全站唯一：已发布的文件保留原索引号（索引号发布后不得更改），请为新增的文件分配新的索引号。",
            "index-duplicate",
        )
        for group in _groups(documents, _INDEX_NO)
        for doc in group
    ]


def _url_collisions(documents: list[DocumentFacts]) -> list[Problem]:
    problems = []
    for group in _groups(documents, _PATH):
        for doc in group:
            others = [other for other in group if other.index_no != doc.index_no]  # the same number: a duplicate
            if others:
                problems.append(
                    Problem(
                        doc.src,
                        doc.lines.get("index_no"),
                        f"索引号“{doc.index_no}”与 {'、'.join(f'{o.src} 的“{o.index_no}”' for o in others)}"
                        f"会生成同一个网址 {doc.path}。请核对索引号。",
                        "url-collision",
                    )
                )
    return problems


_INDEX_NO, _PATH = attrgetter("index_no"), attrgetter("path")


def _groups(documents: list[DocumentFacts], key: Callable[[DocumentFacts], str]) -> list[list[DocumentFacts]]:
    """The documents that share a key with another, by key, in the order given."""
    if len(set(map(key, documents))) == len(documents):  # in C: no key shared, as nearly always
        return []
    by_key: dict[str, list[DocumentFacts]] = {}
    for doc in documents:
        by_key.setdefault(key(doc), []).append(doc)
    return [group for group in by_key.values() if len(group) > 1]


def _dangling_references(documents: list[DocumentFacts]) -> list[Problem]:
    known = {doc.index_no for doc in documents}
    problems = [
        Problem(
            doc.src,
            doc.lines.get("interprets"),
            f"解读对象“{doc.interprets}”不是本站任何文件的索引号。请填写被解读政策文件的索引号。",
            "interprets-dangling",
        )
        for doc in documents
        if doc.interprets and doc.interprets not in known
    ]
    return problems + [
        Problem(
            doc.src,
            doc.lines.get("replaced_by"),
            f"替代文件“{doc.replaced_by}”不是本站任何文件的索引号。请填写替代本文件的新文件的索引号。",
            "replaced-by-dangling",
        )
        for doc in documents
        if doc.replaced_by and doc.replaced_by not in known
    ]


def _reference_loops(documents: list[DocumentFacts], field: str, label: str) -> list[Problem]:
    """An error at every document whose 解读对象 or 替代文件 chain leads back to itself (itself included)."""
    target = {doc.index_no: getattr(doc, field) for doc in compress(documents, map(attrgetter(field), documents))}
    problems = []
    # Only a document whose 索引号 leads somewhere can be in a loop (a few among many): picked out in C.
    for doc in compress(documents, map(target.__contains__, map(_INDEX_NO, documents))):
        chain = [doc.index_no]
        while (following := target.get(chain[-1])) and following not in chain:
            chain.append(following)
        if following == doc.index_no:
            loop = " → ".join([*chain, doc.index_no])
            what = "指向本文件自己" if len(chain) == 1 else f"形成循环（{loop}）"
            problems.append(
                Problem(
                    doc.src,
                    doc.lines.get(field),
                    f"{label}“{getattr(doc, field)}”{what}。请填写另一份文件的索引号，或删去这一项。",
                    f"{field.replace('_', '-')}-loop",
                )
            )
    return problems


def _deadline_spans(documents: list[DocumentFacts]) -> list[tuple[DocumentFacts, date, str]]:
    """(document, the day its working-day deadline starts, the rule) for every deadline a document keeps."""
    policies = {doc.index_no: doc for doc in documents}
    spans = [(doc, doc.written, "publish-late") for doc in documents if doc.written]
    return spans + [
        (doc, policies[doc.interprets].published, "interpretation-late")
        for doc in documents
        if doc.interprets in policies
    ]


_DEADLINES = {"publish-late": PUBLICATION_DELAY, "interpretation-late": INTERPRETATION_DELAY}


def _late(spans: list[tuple[DocumentFacts, date, str]], calendar: WorkCalendar) -> list[Problem]:
    """Documents published later than their deadline in working days (条例 art. 26; 解读 with their policy)."""
    problems = []
    counts = calendar.between_each((start, doc.published) for doc, start, _ in spans)
    for (doc, start, code), days in zip(spans, counts, strict=True):
        if days > _DEADLINES[code]:
            problems.append(
                Problem(doc.src, doc.lines.get("published"), _late_message(code, doc, start, days), code, WARNING)
            )
    return problems


def _late_message(code: str, doc: DocumentFacts, start: date, days: int) -> str:
    if code == "interpretation-late":
        return (
            f"政策解读晚于原文件 {days} 个工作日发布（原文件 {start}，本解读 {doc.published}）。"
            f"解读应与政策同步发布，最迟不超过 {INTERPRETATION_DELAY} 个工作日。"
        )
    return (
        f"发布日期 {doc.published} 比成文日期 {start} 晚 {days} 个工作日。《政府信息公开条例》第二十六条要求"
        f"主动公开的政府信息自形成或者变更之日起 {PUBLICATION_DELAY} 个工作日内公开：请核对两个日期，今后请及时公开。"
    )


def _uncovered_years(spans: list[tuple[DocumentFacts, date, str]], calendar: WorkCalendar) -> list[Problem]:
    """One warning per year a working-day count needed but the calendar lacks (it was counted Monday–Friday), at the
    first file (by path) that needed it."""
    needed = [
        (doc, year)
        for doc, start, _ in spans
        if start < doc.published
        for year in calendar.uncovered(start, doc.published)
    ]
    first: dict[int, DocumentFacts] = {}
    for doc, year in sorted(needed, key=lambda need: need[0].src):  # stable: a file's spans stay in their order
        first.setdefault(year, doc)
    covered = f"{min(calendar.years)}–{max(calendar.years)} 年" if calendar.years else "任何年份"
    return [
        Problem(
            doc.src,
            doc.lines.get("published"),
            f"工作日日历不含 {year} 年的放假调休安排（内置日历覆盖{covered}），本文件的工作日按周一至周五计算。"
            f"国务院办公厅公布 {year} 年节假日安排后，请升级 chinese-calendar，或在 config.yaml 的 working_days 中写明该年的 "  # noqa: E501
            "holidays、workdays 并把该年加入 years。",
            "calendar-year",
            WARNING,
        )
        for year, doc in sorted(first.items())
    ]


def serial_gaps(documents: list[DocumentFacts], form: IndexForm) -> list[Problem]:
    """A warning at the first document after each gap in a body's serials for a year (a lost or mistyped number)."""
    by_series: dict[tuple, list[tuple[int, DocumentFacts]]] = defaultdict(list)
    for doc in documents:
        found = form.series(doc.index_no)
        if found:
            by_series[found[0]].append((found[1], doc))
    problems = []
    for (code, year, month), series in by_series.items():
        series.sort(key=lambda item: item[0])
        for (before, _), (serial, doc) in zip(series, series[1:], strict=False):
            if serial - before > 1:
                missing = form.format(code, year, before + 1, month or 1)
                problems.append(
                    Problem(
                        doc.src,
                        doc.lines.get("index_no"),
                        f"索引号流水号不连续：{missing} 起缺少 {serial - before - 1} 个。请核对是否漏发或写错了索引号。",  # noqa: E501
                        "index-serial-gap",
                        WARNING,
                    )
                )
    return problems
