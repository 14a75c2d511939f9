"""Rules that need the whole corpus: unique index numbers, resolvable references, one page per URL."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from .errors import WARNING, Problem
from .identifiers import IndexForm
from .model import Document

INTERPRETATION_DELAY = 3  # working days; Zhengzhou's rule, the strictest seen (docs/domain.md 6.4)


def check_corpus(documents: list[Document]) -> list[Problem]:
    """Problems between documents; each is reported at the later file, naming the earlier one."""
    return (_duplicate_index_numbers(documents) + _url_collisions(documents) + _dangling_references(documents)
            + _late_interpretations(documents))


def _duplicate_index_numbers(documents: list[Document]) -> list[Problem]:
    first: dict[str, Document] = {}
    problems = []
    for doc in documents:
        other = first.setdefault(doc.index_no, doc)
        if other is not doc:
            problems.append(Problem(doc.src, doc.lines.get("index_no"),
                                    f"索引号“{doc.index_no}”已被 {other.src} 使用。索引号必须全站唯一，请为本文件分配新的索引号。",
                                    "index-duplicate"))
    return problems


def _url_collisions(documents: list[Document]) -> list[Problem]:
    first: dict[str, Document] = {}
    problems = []
    for doc in documents:
        path = doc.path
        other = first.setdefault(path, doc)
        if other is not doc and other.index_no != doc.index_no:
            problems.append(Problem(doc.src, doc.lines.get("index_no"),
                                    f"索引号“{doc.index_no}”与 {other.src} 的“{other.index_no}”会生成同一个网址 {path}。请核对索引号。",
                                    "url-collision"))
    return problems


def _dangling_references(documents: list[Document]) -> list[Problem]:
    known = {doc.index_no for doc in documents}
    problems = [
        Problem(doc.src, doc.lines.get("interprets"),
                f"解读对象“{doc.interprets}”不是本站任何文件的索引号。请填写被解读政策文件的索引号。", "interprets-dangling")
        for doc in documents if doc.interprets and doc.interprets not in known
    ]
    return problems + [
        Problem(doc.src, doc.lines.get("replaced_by"),
                f"替代文件“{doc.replaced_by}”不是本站任何文件的索引号。请填写替代本文件的新文件的索引号。", "replaced-by-dangling")
        for doc in documents if doc.replaced_by and doc.replaced_by not in known
    ]


def _late_interpretations(documents: list[Document]) -> list[Problem]:
    policies = {doc.index_no: doc for doc in documents}
    problems = []
    for doc in documents:
        policy = policies.get(doc.interprets)
        if policy is not None and working_days_between(policy.published, doc.published) > INTERPRETATION_DELAY:
            problems.append(Problem(
                doc.src, doc.lines.get("published"),
                f"政策解读晚于原文件 {working_days_between(policy.published, doc.published)} 个工作日发布"
                f"（原文件 {policy.published}，本解读 {doc.published}）。解读应与政策同步发布，最迟不超过 {INTERPRETATION_DELAY} 个工作日。",
                "interpretation-late", WARNING))
    return problems


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after start up to and including end (public holidays are not known here)."""
    days = (end - start).days
    return sum(1 for n in range(1, days + 1) if (start + timedelta(days=n)).weekday() < 5) if days > 0 else 0


def serial_gaps(documents: list[Document], form: IndexForm) -> list[Problem]:
    """A warning at the first document after each gap in a body's serials for a year (a lost or mistyped number)."""
    by_series: dict[tuple, list[tuple[int, Document]]] = defaultdict(list)
    for doc in documents:
        parts = form.parse(doc.index_no)
        if parts:
            by_series[(parts.code, parts.year, parts.month)].append((parts.serial, doc))
    problems = []
    for (code, year, month), series in by_series.items():
        series.sort(key=lambda item: item[0])
        for (before, _), (serial, doc) in zip(series, series[1:], strict=False):
            if serial - before > 1:
                missing = form.format(code, year, before + 1, month or 1)
                problems.append(Problem(doc.src, doc.lines.get("index_no"),
                                        f"索引号流水号不连续：{missing} 起缺少 {serial - before - 1} 个。请核对是否漏发或写错了索引号。",
                                        "index-serial-gap", WARNING))
    return problems
