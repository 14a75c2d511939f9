"""The annual report (政府信息公开工作年度报告, 条例 art. 49–50) in the format of 国办公开办函〔2021〕30号.

Two sources meet here:

- `corpus_figures()` counts what the published documents tell: table 2's 第二十条第（一）项 (规章 and
  行政规范性文件: 本年制发, 本年废止, 现行有效) and the year's documents by 主题分类, 发布机构 and month. Pure.
- `read_report_data()` reads the editor-kept `reports/{year}.yaml` for what no document records: 第（五）（六）（八）项,
  table 3 (applications), table 4 (reviews and lawsuits) and the narrative sections; every value is type-checked
  and every total re-added, each problem at its line with a Chinese message that says what to write instead.

`report_context()` / `render_report()` turn both into the page `templates/annual_report.html`, and
`report_text()` into the terminal summary of `xxgk report --year N`.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import render, sources, yamltree
from .config import ANNUAL_COLUMN
from .errors import WARNING, Problem
from .fields import FieldReader, closest
from .frontmatter import chinese
from .identifiers import normalize_doc_no
from .markup import MarkdownRenderer
from .model import CatalogEntry, Document, DocumentFacts
from .render import Output, PageContext
from .yamltree import Node

REGULATION = "规章"
NORMATIVE = "行政规范性文件"
KINDS = (REGULATION, NORMATIVE)
NOT_NORMATIVE = "非规范性文件"  # declared by an editor for a document that only looks normative
SAMPLE = "reports/2021.yaml"  # the commented sample an editor copies for a new year


# ---------------------------------------------------------------------------------------------------------------
# Figures from the corpus


@dataclass(frozen=True, slots=True)
class KindRule:
    """Which documents count as 规章 or 行政规范性文件 in 第二十条第（一）项.

    1. `extra: {文件类型: 规章}` or `extra: {文件类型: 行政规范性文件}` says so explicitly and wins;
    2. otherwise a document whose 文种 is one of `regulation_genres` (令, 命令) is a 规章: 规章 are promulgated
       by a 政府令 / 部门令 (《规章制定程序条例》);
    3. otherwise a 文号 containing one of the publisher's marks makes a 行政规范性文件: config.yaml's
       `bodies[].normative_marks` (`publisher_marks`), else `normative_doc_no_marks`, by default "规〔" of
       深府规〔2020〕1号, the 统一编号 many provinces give 行政规范性文件.
    Anything else is counted in neither row. The default agrees with `Document.normative_kind` (used for JSON-LD),
    so a page that says 规章 is also counted as one.
    """

    extra_key: str = "文件类型"
    regulation_genres: tuple[str, ...] = ("令", "命令")
    normative_doc_no_marks: tuple[str, ...] = ("规〔",)
    publisher_marks: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (body's full name, its marks) from config.yaml

    def kind(self, doc: Document) -> str:
        """REGULATION, NORMATIVE or "" for a document that is neither."""
        declared = dict(doc.extra).get(self.extra_key, "").strip()
        if declared in KINDS:
            return declared
        if declared == NOT_NORMATIVE:
            return ""
        if doc.genre in self.regulation_genres:
            return REGULATION
        marks = dict(self.publisher_marks).get(doc.publisher, self.normative_doc_no_marks)
        if marks and doc.doc_no:
            number = normalize_doc_no(doc.doc_no)
            if any(mark in number for mark in marks):
                return NORMATIVE
        return ""

    def describe(self) -> str:
        """The rule in one Chinese sentence, for the page's note and the terminal."""
        genres = "".join(f"“{g}”" for g in self.regulation_genres)
        text = (
            f"元数据 extra 中标注“{self.extra_key}: 规章”或“{self.extra_key}: 行政规范性文件”的文件按标注计；"
            f"未标注的，文种为{genres}的计为规章"
        )
        if self.normative_doc_no_marks:
            marks = "".join(f"“{m}”" for m in self.normative_doc_no_marks)
            text += f"，文号含{marks}的计为行政规范性文件"
        for body, marks in self.publisher_marks:
            text += f"（{body}：文号含{''.join(f'“{m}”' for m in marks) or '规定标志'}的计为行政规范性文件）"
        return text + "。"


DEFAULT_RULE = KindRule()


def site_rule(bodies) -> KindRule:
    """The rule with each configured body's own 文号 marks (config.yaml bodies[].normative_marks) where it has some."""
    return KindRule(publisher_marks=tuple((b.name, b.normative_marks) for b in bodies if b.normative_marks is not None))


# Titles of the usual 行政规范性文件: 办法, 规定, 细则, 规则, 规范 … (or a notice issuing one, 关于印发《…办法》的通知).
_NORMATIVE_TITLE = re.compile(r"(办法|规定|细则|规则|实施意见|若干措施)(（试行）|（暂行）)?》?(的通知)?$")


@dataclass(frozen=True, slots=True)
class KindFigures:
    """One row of 第二十条第（一）项."""

    kind: str
    made: int  # 本年制发件数: 成文日期 (else 发布日期) in the year
    repealed: int  # 本年废止件数: 废止日期 in the year and 有效性 失效/废止
    in_force: int  # 现行有效件数: published by 31 December and not repealed by then


@dataclass(frozen=True, slots=True)
class CorpusFigures:
    """Everything the annual report takes from the published documents."""

    year: int
    regulations: KindFigures
    normative: KindFigures
    published: int  # documents published in the year, of every kind
    by_category: tuple[tuple[str, int], ...]  # 一级 主题分类 -> count, most first
    by_publisher: tuple[tuple[str, int], ...]  # 发布机构 -> count, most first
    by_month: tuple[int, ...]  # January .. December, zeros included
    undated_repeals: tuple[str, ...]  # src of 规章/行政规范性文件 marked 失效/废止 without a 废止日期
    rule: str  # KindRule.describe() of the rule used

    @property
    def kinds(self) -> tuple[KindFigures, KindFigures]:
        return (self.regulations, self.normative)


UNCATEGORISED = "未分类"


def corpus_figures(documents: Sequence[Document], year: int, rule: KindRule = DEFAULT_RULE) -> CorpusFigures:
    """Count table 2 第（一）项 and the year's publications; pure, so any list of Documents will do."""
    kinds = {kind: [d for d in documents if rule.kind(d) == kind] for kind in KINDS}
    in_year = [d for d in documents if d.published.year == year]
    months = Counter(d.published.month for d in in_year)
    undated = sorted(d.src for docs in kinds.values() for d in docs if not d.in_force and d.repealed is None)
    return CorpusFigures(
        year=year,
        regulations=_kind_figures(REGULATION, kinds[REGULATION], year),
        normative=_kind_figures(NORMATIVE, kinds[NORMATIVE], year),
        published=len(in_year),
        by_category=_ranked(d.category.partition("\\")[0] or UNCATEGORISED for d in in_year),
        by_publisher=_ranked(d.publisher for d in in_year),
        by_month=tuple(months.get(m, 0) for m in range(1, 13)),
        undated_repeals=tuple(undated),
        rule=rule.describe(),
    )


def kind_problems(documents: Sequence[Document], rule: KindRule = DEFAULT_RULE) -> list[Problem]:
    """Warnings for a declared 文件类型 the rule does not know (e.g. "规范性文件"), which would count as neither, and
    for a document that looks normative (a 规 mark in its 文号, a 办法/规定 title) but counts as neither."""
    return _unknown_kinds(documents, rule) + _unmarked_normative(documents, rule)


def _unmarked_normative(documents: Sequence[Document], rule: KindRule) -> list[Problem]:
    problems = []
    for doc in documents:
        if rule.kind(doc) or dict(doc.extra).get(rule.extra_key, "").strip():
            continue
        mark = "规〔" in normalize_doc_no(doc.doc_no) if doc.doc_no else False
        title = _NORMATIVE_TITLE.search(doc.title)
        if mark or title:
            why = f"文号“{doc.doc_no}”含“规”字编号" if mark else f"标题以“{title.group(1)}”结尾"
            problems.append(
                Problem(
                    doc.src,
                    doc.lines.get("title" if title and not mark else "doc_no"),
                    f"本文件看起来是行政规范性文件（{why}），但没有标注，年报第二十条第（一）项不会计入。如果是，请在元数据 extra 中写"  # noqa: E501
                    f"“{rule.extra_key}: 行政规范性文件”（规章写“{rule.extra_key}: 规章”）；如本机关规范性文件的文号另有标志，"  # noqa: E501
                    f"请写入 config.yaml 该机构的 normative_marks。如果不是，可在 extra 中写“{rule.extra_key}: {NOT_NORMATIVE}”。",  # noqa: E501
                    "normative-unmarked",
                    WARNING,
                )
            )
    return problems


def _unknown_kinds(documents: Sequence[Document], rule: KindRule) -> list[Problem]:
    problems = []
    for doc in documents:
        declared = dict(doc.extra).get(rule.extra_key, "").strip()
        if declared and declared not in (*KINDS, NOT_NORMATIVE):
            hint = closest(declared, list(KINDS))
            advice = f"是否想写“{hint}”？" if hint else "不属于这两类的文件无需标注。"
            counted = rule.kind(doc)
            effect = f"本文件将按其他规则计为{counted}" if counted else "本文件不会计入年报第二十条第（一）项"
            problems.append(
                Problem(
                    doc.src,
                    doc.lines.get("extra"),
                    f"extra 中的{rule.extra_key}“{declared}”不是“规章”或“行政规范性文件”，{effect}。{advice}",
                    "annual-kind",
                    WARNING,
                )
            )
    return problems


def _kind_figures(kind: str, documents: list[Document], year: int) -> KindFigures:
    end = date(year, 12, 31)
    return KindFigures(
        kind=kind,
        made=sum((d.written or d.published).year == year for d in documents),
        repealed=sum(not d.in_force and d.repealed is not None and d.repealed.year == year for d in documents),
        in_force=sum(d.published <= end and not _repealed_by(d, end) for d in documents),
    )


def _repealed_by(doc: Document, day: date) -> bool:
    # A 失效/废止 document without a date is taken as repealed already (and listed in undated_repeals).
    return not doc.in_force and (doc.repealed is None or doc.repealed <= day)


def _ranked(names) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(Counter(names).items(), key=lambda item: (-item[1], item[0])))


# ---------------------------------------------------------------------------------------------------------------
# The editor-kept data file: its shape


@dataclass(frozen=True, slots=True)
class Row:
    """A row of table 3 or 4: where it sits in the YAML, and how the 30号 table and the messages name it."""

    path: tuple[str, ...]  # keys under the table's block in the YAML
    label: str  # as printed in the table
    name: str  # as messages name it, e.g. "三、（三）不予公开 1.属于国家秘密"
    group: str = ""  # the （三）…（六） heading it sits under, "" for none


APPLICANT_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
ORGANISATION_COLUMNS = APPLICANT_COLUMNS[1:6]  # under 法人或其他组织
REVIEW_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

_RESULTS = "本年度办理结果"
_GROUPS = (
    (
        "不予公开",
        "（三）不予公开",
        (
            ("属于国家秘密", "1.属于国家秘密"),
            ("其他法律行政法规禁止公开", "2.其他法律行政法规禁止公开"),
            ("危及三安全一稳定", "3.危及“三安全一稳定”"),
            ("保护第三方合法权益", "4.保护第三方合法权益"),
            ("属于三类内部事务信息", "5.属于三类内部事务信息"),
            ("属于四类过程性信息", "6.属于四类过程性信息"),
            ("属于行政执法案卷", "7.属于行政执法案卷"),
            ("属于行政查询事项", "8.属于行政查询事项"),
        ),
    ),
    (
        "无法提供",
        "（四）无法提供",
        (
            ("本机关不掌握相关政府信息", "1.本机关不掌握相关政府信息"),
            ("没有现成信息需要另行制作", "2.没有现成信息需要另行制作"),
            ("补正后申请内容仍不明确", "3.补正后申请内容仍不明确"),
        ),
    ),
    (
        "不予处理",
        "（五）不予处理",
        (
            ("信访举报投诉类申请", "1.信访举报投诉类申请"),
            ("重复申请", "2.重复申请"),
            ("要求提供公开出版物", "3.要求提供公开出版物"),
            ("无正当理由大量反复申请", "4.无正当理由大量反复申请"),
            ("要求行政机关确认或重新出具已获取信息", "5.要求行政机关确认或重新出具已获取信息"),
        ),
    ),
    (
        "其他处理",
        "（六）其他处理",
        (
            ("逾期不补正", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
            ("逾期未缴费", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
            ("其他", "3.其他"),
        ),
    ),
)

APPLICATION_ROWS: tuple[Row, ...] = (
    Row(("本年新收申请数量",), "一、本年新收政府信息公开申请数量", "一、本年新收政府信息公开申请数量"),
    Row(("上年结转申请数量",), "二、上年结转政府信息公开申请数量", "二、上年结转政府信息公开申请数量"),
    Row((_RESULTS, "予以公开"), "（一）予以公开", "三、（一）予以公开"),
    Row((_RESULTS, "部分公开"), "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "三、（二）部分公开"),
    *(
        Row((_RESULTS, group, key), label, f"三、{heading} {label}", heading)
        for group, heading, items in _GROUPS
        for key, label in items
    ),
    Row((_RESULTS, "总计"), "（七）总计", "三、（七）总计"),
    Row(("结转下年度继续办理",), "四、结转下年度继续办理", "四、结转下年度继续办理"),
)
NEW, CARRIED, TOTAL, FORWARD = 0, 1, len(APPLICATION_ROWS) - 2, len(APPLICATION_ROWS) - 1
RESULT_ROWS = range(2, TOTAL)  # （一）…（六）: what （七）总计 adds up

REVIEW_ROWS: tuple[Row, ...] = (
    Row(("行政复议",), "行政复议", "行政复议"),
    Row(("行政诉讼", "未经复议直接起诉"), "未经复议直接起诉", "行政诉讼（未经复议直接起诉）"),
    Row(("行政诉讼", "复议后起诉"), "复议后起诉", "行政诉讼（复议后起诉）"),
)

OVERVIEW, ACTIVE, APPLICATIONS, REVIEWS, ISSUES, OTHER = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
)
TOP_KEYS = [OVERVIEW, ACTIVE, APPLICATIONS, REVIEWS, ISSUES, OTHER]
# The report says who publishes it, when and under which 索引号 with the labels a document's front matter uses.
PUBLISHER, PUBLISHED, INDEX_NO = chinese("publisher"), chinese("published"), chinese("index_no")
META_KEYS = [PUBLISHER, PUBLISHED, INDEX_NO]  # where the report itself is published, beside the six sections
# 国办公开办函〔2021〕30号: 一、总体情况 covers these five aspects of the year's work.
OVERVIEW_ITEMS = ("主动公开", "依申请公开", "政府信息管理", "平台建设", "监督保障")
_SECTION_NO = {OVERVIEW: "一", ACTIVE: "二", APPLICATIONS: "三", REVIEWS: "四", ISSUES: "五", OTHER: "六"}
ACTIVE_COUNTS = (
    ("行政许可", "第二十条第（五）项"),
    ("行政处罚", "第二十条第（六）项"),
    ("行政强制", "第二十条第（六）项"),
)
FEES = "行政事业性收费"
ACTIVE_KEYS = [*(key for key, _ in ACTIVE_COUNTS), FEES]


@dataclass(frozen=True, slots=True)
class Narrative:
    """A narrative section: the editor's Markdown and its sanitised HTML (markup.py)."""

    source: str
    html: str


@dataclass(frozen=True, slots=True)
class ReportData:
    """The validated contents of reports/{year}.yaml."""

    src: str
    overview: Narrative  # 一、总体情况
    licensing: int  # 第（五）项 行政许可 本年处理决定数量
    punishment: int  # 第（六）项 行政处罚
    coercion: int  # 第（六）项 行政强制
    fees: Decimal  # 第（八）项 行政事业性收费 本年收费金额（万元）
    applications: tuple[tuple[int, ...], ...]  # APPLICATION_ROWS x APPLICANT_COLUMNS (table 3)
    reviews: tuple[tuple[int, ...], ...]  # REVIEW_ROWS x REVIEW_COLUMNS (table 4)
    issues: Narrative  # 五、存在的主要问题及改进情况
    other: Narrative  # 六、其他需要报告的事项
    publisher: str = ""  # the 行政机关 reporting on itself (条例 art. 49: each body reports on its own work)
    published: date | None = None  # the report's 发布日期
    index_no: str = ""  # the report's 索引号 in the 目录
    carried_line: int | None = None  # the line of 二、上年结转政府信息公开申请数量, for the check across years
    page: str = ""  # the data file's name without .yaml, which names the page: 2021, 2021-shilishi
    column: str = ANNUAL_COLUMN  # the key of the column its page is in (config.yaml annual_column)

    def path(self) -> str:
        """The report's page in the 政府信息公开年报 column."""
        return f"column/{self.column}/{self.page}.html"

    def application_total(self, row: int) -> int:
        """The 总计 column of a table 3 row (NEW, CARRIED, TOTAL, FORWARD or an index of APPLICATION_ROWS)."""
        return self.applications[row][-1]


# ---------------------------------------------------------------------------------------------------------------
# The editor-kept data file: reading and checking


def read_report_data(text: str, src: str) -> tuple[ReportData | None, list[Problem]]:
    """Read and check a report data file; None with the problems when any of them is an error."""
    root, problems = yamltree.parse(text, src)
    if problems:
        return None, problems
    if root is None:
        return None, [Problem(src, 1, f"年报数据文件是空的。请复制 {SAMPLE} 并按本年度数据填写。", "annual-empty")]
    reader = _Reader(src)
    data = reader.read(root)
    found = sorted(reader.problems, key=Problem.sort_key)
    return (None if any(p.is_error for p in found) else data), found


def load_report(path: Path, shown: str) -> tuple[ReportData | None, list[Problem]]:
    """Read reports/{year}.yaml from disk; `shown` is the path the messages name."""
    try:
        text = sources.read_bytes(path, REPORT_LIMIT_BYTES).decode("utf-8-sig")
    except sources.Unreadable as exc:
        if not path.exists():
            return None, [
                Problem(shown, None, f"找不到年报数据文件。可复制 {SAMPLE} 为 {shown} 后填写。", "annual-missing-file")
            ]
        return None, [Problem(shown, None, exc.message, exc.code)]
    except UnicodeDecodeError:
        return None, [Problem(shown, None, "年报数据文件不是 UTF-8 编码，请另存为 UTF-8。", "annual-encoding")]
    return read_report_data(text, shown)


# reports/2021.yaml, or reports/2021-shilishi.yaml for one of several bodies' reports of a year (条例 art. 49:
# each 行政机关 reports on its own work); the part after the year names the page, column/nb/2021-shilishi.html
# (nb: config.yaml's annual_column).
_YEAR_FILE = re.compile(r"(\d{4})(?:-([a-z0-9][a-z0-9-]*))?\.yaml")
REPORT_LIMIT_BYTES = 2**20  # a year's figures fill a few kilobytes


def find_reports(folder: Path, shown: str = "reports") -> tuple[list[tuple[int, Path]], list[Problem]]:
    """The (year, path) of every reports/{year}.yaml, oldest first; a YAML file named otherwise is a problem."""
    if not folder.is_dir():
        return [], []
    found, problems = [], []
    for path in sources.walk(folder).files:
        if path.parent != folder or path.suffix not in (".yaml", ".yml"):
            continue
        match = _YEAR_FILE.fullmatch(path.name)
        if match:
            found.append((int(match[1]), path))
        else:
            problems.append(
                Problem(
                    f"{shown}/{path.name}",
                    None,
                    "年报数据文件应以四位年份命名，例如 2021.yaml；同一年有多个机构的年报时，"
                    "在年份后加“-”和机构的英文小写标识，例如 2021-shilishi.yaml。",
                    "annual-file-name",
                )
            )
    problems += [
        Problem(
            f"{shown}/{path.name}",
            None,
            "这是一个文件夹，不是年报数据文件，其中的数据不会被读取。"
            f"请删除这个文件夹，把数据写入同名的文件（可复制 {SAMPLE}）。",
            "annual-file-kind",
        )
        for path in sorted(folder.iterdir())
        if path.suffix in (".yaml", ".yml") and path.is_dir()
    ]
    return found, problems


_TOTAL_OF = {
    len(APPLICANT_COLUMNS): "自然人与法人或其他组织各列之和",
    len(REVIEW_COLUMNS): "结果维持、结果纠正、其他结果、尚未审结之和",
}


def load_reports(
    folder: Path, shown: str = "reports", column: str = ANNUAL_COLUMN
) -> tuple[list[tuple[int, ReportData]], list[Problem]]:
    """Every reports/{year}.yaml read and checked, oldest first, with all their problems together; their pages go
    in `column` (config.yaml annual_column)."""
    found, problems = find_reports(folder, shown)
    reports = []
    for year, path in found:
        data, file_problems = load_report(path, f"{shown}/{path.name}")
        problems += file_problems
        if data is not None:
            reports.append((year, replace(data, column=column)))
    return reports, problems


_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_AMOUNT = re.compile(r"\d+(\.\d{1,6})?", re.ASCII)


@dataclass(frozen=True, slots=True)
class _Cells:
    values: tuple[int, ...]
    lines: tuple[int, ...]  # line of each value


class _Reader(FieldReader):
    """Reads one report data file; each method records its problems and returns None for what it cannot read."""

    def read(self, root: Node) -> ReportData | None:
        top = self._fields(root, "年报数据文件", [*META_KEYS, *TOP_KEYS])
        if top is None:
            return None
        parts = {key: self._section(key, top.get(key)) for key in TOP_KEYS}
        published = self.day(top[PUBLISHED], PUBLISHED) if PUBLISHED in top else None
        if any(value is None for value in parts.values()):
            return None
        active = parts[ACTIVE]
        applications = top[APPLICATIONS].value
        carried = applications.get(APPLICATION_ROWS[CARRIED].path[0]) if isinstance(applications, dict) else None
        return ReportData(
            self.path,
            parts[OVERVIEW],
            *active,
            parts[APPLICATIONS],
            parts[REVIEWS],
            parts[ISSUES],
            parts[OTHER],
            self.optional_text(top.get(PUBLISHER), PUBLISHER),
            published,
            self.optional_text(top.get(INDEX_NO), INDEX_NO),
            carried.line if carried else None,
            Path(self.path).stem,
        )

    def _section(self, key: str, node: Node | None):
        if node is None:
            self.report(
                1, f"缺少“{_SECTION_NO[key]}、{key}”（键“{key}”）。请参照 {SAMPLE} 补上这一部分。", "annual-missing"
            )
            return None
        if key == ACTIVE:
            return self._active(node)
        if key == APPLICATIONS:
            return self._table(node, key, APPLICATION_ROWS, APPLICANT_COLUMNS, self._check_applications)
        if key == REVIEWS:
            return self._table(node, key, REVIEW_ROWS, REVIEW_COLUMNS)
        return self._narrative(node, key)

    def _fields(self, node: Node, where: str, known: list[str]) -> dict[str, Node] | None:
        if not isinstance(node.value, dict):
            self.report(node.line, f"{where}应为“键: 值”形式的子项。", "type-mapping")
            return None
        for key, child in node.value.items():
            if key not in known:
                self.unknown_key(child.line, key, known, where)
        return node.value

    def _narrative(self, node: Node, key: str) -> Narrative | None:
        label = f"{_SECTION_NO[key]}、{key}"
        if node.value is None or (isinstance(node.value, str) and not node.value.strip()):
            self.report(node.line, f"“{label}”不能为空。请写明情况；确实没有时写“无。”", "empty-value")
            return None
        text = self.text(node, label, one_line=False)
        if text is None:
            return None
        rendered = _markdown().render(text)
        if rendered.too_deep is not None:
            self.report(node.line, f"“{label}”的列表或引用嵌套过深，无法生成页面。请减少缩进层次。", "body-too-deep")
            return None
        for markup in rendered.removed:
            self.report(node.line, f"“{label}”含有不安全的 HTML（{markup}），发布时会被删除。请去掉它。", "unsafe-html")
        return Narrative(text, rendered.html)

    def _active(self, node: Node) -> tuple[int, int, int, Decimal] | None:
        fields = self._fields(node, f"“{ACTIVE}”", ACTIVE_KEYS)
        if fields is None:
            return None
        values = []
        for key, item in ACTIVE_COUNTS:
            child = fields.get(key)
            if child is None:
                self.report(
                    node.line, f"“{ACTIVE}”缺少“{key}”（{item}，本年处理决定数量），没有请填 0。", "annual-missing"
                )
            values.append(self._count(child, f"“{key}”") if child is not None else None)
        fees = fields.get(FEES)
        if fees is None:
            self.report(
                node.line,
                f"“{ACTIVE}”缺少“{FEES}”（第二十条第（八）项，本年收费金额，单位万元），没有请填 0。",
                "annual-missing",
            )
        values.append(self._amount(fees, f"“{FEES}”") if fees is not None else None)
        return None if None in values else tuple(values)

    def _count(self, node: Node, label: str) -> int | None:
        raw = node.value
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            self.report(node.line, f"{label}没有填写。没有请填 0。", "annual-number")
            return None
        if not isinstance(raw, str):
            self.report(node.line, f"{label}应为一个整数，这里是列表或子项。", "annual-number")
            return None
        if not _INTEGER.fullmatch(raw.strip()):
            self.report(node.line, f"{label}应为整数（件数），这里是“{raw.strip()}”。", "annual-number")
            return None
        value = int(raw)
        if value < 0:
            self.report(node.line, f"{label}不能为负数，这里是 {value}。", "annual-negative")
            return None
        return value

    def _amount(self, node: Node, label: str) -> Decimal | None:
        raw = node.value.strip() if isinstance(node.value, str) else ""
        if raw.startswith("-") and _AMOUNT.fullmatch(raw[1:]):
            self.report(node.line, f"{label}不能为负数，这里是 {raw}。", "annual-negative")
            return None
        if "," in raw or "，" in raw:
            self.report(node.line, f"{label}请去掉千位分隔符，写成 1234.5 这样的数，这里是“{raw}”。", "annual-amount")
            return None
        if not _AMOUNT.fullmatch(raw):
            self.report(
                node.line, f"{label}应为金额（单位：万元，最多 6 位小数），例如 12.5，这里是“{raw}”。", "annual-amount"
            )
            return None
        return Decimal(raw)

    # -- tables 3 and 4 ------------------------------------------------------------------------------------------

    def _table(self, node: Node, key: str, rows: tuple[Row, ...], columns: tuple[str, ...], check=None):
        found: dict[tuple[str, ...], Node] = {}
        self._collect(node, _tree(rows), (), f"“{key}”", found)
        cells = [self._cells(found[row.path], row.name, columns) if row.path in found else None for row in rows]
        if any(c is None for c in cells):
            return None
        if check is None:
            self._check_rows(rows, cells)
        else:
            check(cells)
        return tuple(c.values for c in cells)

    def _collect(self, node: Node, tree: dict, prefix: tuple[str, ...], where: str, found: dict) -> None:
        fields = self._fields(node, where, list(tree))
        if fields is None:
            return
        for key, sub in tree.items():
            child = fields.get(key)
            if child is None:
                what = "一行，没有数据也请写上并填 0" if sub is None else "这一组"
                self.report(node.line, f"{where}缺少“{key}”{what}（见 {SAMPLE}）。", "annual-missing")
            elif sub is None:
                found[(*prefix, key)] = child
            else:
                self._collect(child, sub, (*prefix, key), f"“{key}”", found)

    def _cells(self, node: Node, name: str, columns: tuple[str, ...]) -> _Cells | None:
        if not isinstance(node.value, dict):
            shape = ", ".join(f"{c}: 0" for c in columns)
            self.report(node.line, f"“{name}”应写成 {{{shape}}} 的形式，每列一个数。", "annual-row")
            return None
        for key, child in node.value.items():
            if key not in columns:
                self.unknown_key(child.line, key, list(columns), f"“{name}”")
        values, lines = [], []
        for column in columns:
            child = node.value.get(column)
            if child is None:
                self.report(node.line, f"“{name}”缺少“{column}”一列，没有请填 0。", "annual-missing")
            values.append(self._count(child, f"“{name}”的“{column}”") if child is not None else None)
            lines.append(child.line if child is not None else node.line)
        return None if None in values else _Cells(tuple(values), tuple(lines))

    def _check_rows(self, rows: tuple[Row, ...], cells: list[_Cells], skip: tuple[int, ...] = ()) -> set[int]:
        """Each row's 总计 is the sum of its other columns; returns the rows found wrong."""
        parts = _TOTAL_OF[len(cells[0].values)]
        bad = set()
        for index, (row, row_cells) in enumerate(zip(rows, cells, strict=True)):
            *items, total = row_cells.values
            if index not in skip and total != sum(items):
                self.report(
                    row_cells.lines[-1],
                    f"“{row.name}”的“总计”应为 {sum(items)}（{parts}），这里是 {total}。",
                    "annual-total",
                )
                bad.add(index)
        return bad

    def _check_applications(self, cells: list[_Cells]) -> None:
        """Table 3: each row adds up; （七）总计 adds up （一）…（六）; 一 + 二 − （七）总计 = 四; column by column.

        A check that reads a row already found wrong is left for the next run, so that one wrong number gives
        one message, not a cascade of sums that are only wrong because of it. （七）总计 gets no row check of its
        own: when （一）…（六） add up and （七）总计 matches them column by column, it adds up too.
        """
        bad_rows = self._check_rows(APPLICATION_ROWS, cells, skip=(TOTAL,))
        if bad_rows & set(RESULT_ROWS):
            return
        bad_columns = set()
        for column, name in enumerate(APPLICANT_COLUMNS):
            total = cells[TOTAL].values[column]
            expected = sum(cells[row].values[column] for row in RESULT_ROWS)
            if total != expected:
                self.report(
                    cells[TOTAL].lines[column],
                    f"三、（七）总计的“{name}”应为 {expected}（各项之和），这里是 {total}。",
                    "annual-total",
                )
                bad_columns.add(column)
        if bad_rows & {NEW, CARRIED, FORWARD}:
            return
        for column, name in enumerate(APPLICANT_COLUMNS):
            if column not in bad_columns:
                self._check_forward(cells, column, name)

    def _check_forward(self, cells: list[_Cells], column: int, name: str) -> None:
        new, carried = cells[NEW].values[column], cells[CARRIED].values[column]
        done, forward = cells[TOTAL].values[column], cells[FORWARD].values[column]
        expected = new + carried - done
        if expected < 0:
            self.report(
                cells[TOTAL].lines[column],
                f"三、（七）总计的“{name}”为 {done}，多于一、二两项之和 {new + carried}：办理的申请不能多于本年新收与上年结转的申请（一 + 二 − 三（七）总计 = 四）。请核对各项数字。",  # noqa: E501
                "annual-balance",
            )
        elif forward != expected:
            self.report(
                cells[FORWARD].lines[column],
                f"四、结转下年度继续办理的“{name}”应为 {expected}（一 + 二 − 三（七）总计 = {new} + {carried} − {done}），这里是 {forward}。",  # noqa: E501
                "annual-balance",
            )


def _tree(rows: tuple[Row, ...]) -> dict:
    """The nested keys of a table's block: {key: None} for a row, {key: {...}} for a group."""
    tree: dict = {}
    for row in rows:
        level = tree
        for key in row.path[:-1]:
            level = level.setdefault(key, {})
        level[row.path[-1]] = None
    return tree


@functools.cache
def _markdown() -> MarkdownRenderer:
    """One renderer per process: building the converter is the costly part."""
    return MarkdownRenderer()


# ---------------------------------------------------------------------------------------------------------------
# The page and the terminal summary


@dataclass(frozen=True, slots=True)
class HeaderCell:
    """A row header of table 3, with the spans of the 30号 layout."""

    text: str
    scope: str  # "row" or "rowgroup"
    colspan: int = 1
    rowspan: int = 1


def report_title(year: int, publisher: str = "") -> str:
    """`示例区人民政府办公室2021年政府信息公开工作年度报告`: each body reports on itself (条例 art. 49)."""
    return f"{publisher}{year}年政府信息公开工作年度报告"


def catalog_entries(reports: Sequence[tuple[int, ReportData]]) -> list[CatalogEntry]:
    """The 目录 rows of the reports (条例 art. 12 lists 索引、名称、内容概述、生成日期 of every piece of information
    published, and art. 50 has the annual report published): those with a 索引号 and a 发布日期. A report without a
    索引号 cannot be found by it and is left out (report_problems() warns); one without a 发布日期 has no date
    to be listed under (report_problems() warns too). 生成日期 is the 发布日期: the report has no 成文日期."""
    return [
        CatalogEntry(
            index_no=data.index_no,
            title=report_title(year, data.publisher),
            publisher=data.publisher,
            published=data.published,
            path=data.path(),
            column=data.column,
            genre="报告",
            summary=f"{data.publisher or '本机关'}{year}年1月1日至12月31日政府信息公开工作情况的年度报告"
            "（《政府信息公开条例》第五十条）。",
        )
        for year, data in reports
        if data.index_no and data.published is not None
    ]


def index_number_problems(
    reports: Sequence[tuple[int, ReportData]], documents: Sequence[DocumentFacts]
) -> list[Problem]:
    """A report's 索引号 must name it alone in the 目录: not a document's, not another report's."""
    taken = {doc.index_no: doc.src for doc in documents}
    problems = []
    for _, data in reports:
        if not data.index_no:
            continue
        other = taken.setdefault(data.index_no, data.src)
        if other != data.src:
            problems.append(
                Problem(
                    data.src,
                    None,
                    f"索引号 {data.index_no} 已是 {other} 的索引号：目录中每条信息的索引号"
                    "必须唯一，请给本报告另编一个索引号。",
                    "annual-index-taken",
                )
            )
    return problems


def report_problems(reports: Sequence[tuple[int, ReportData]]) -> list[Problem]:
    """Rules of the reports beyond each file's tables: 30号's five aspects of 总体情况, the 1月31日 deadline of
    条例 art. 49, and 上年结转 equal to the previous year's 结转下年度继续办理 (per body, column by column)."""
    problems = []
    for year, data in reports:
        missing = [item for item in OVERVIEW_ITEMS if item not in data.overview.source]
        if missing:
            problems.append(
                Problem(
                    data.src,
                    None,
                    f"“一、总体情况”没有写到{'、'.join(missing)}：国办公开办函〔2021〕30号要求总体情况"
                    f"涵盖{'、'.join(OVERVIEW_ITEMS)}五个方面，请补充。",
                    "annual-overview",
                    WARNING,
                )
            )
        if not data.index_no:
            problems.append(
                Problem(
                    data.src,
                    None,
                    f"没有写“{INDEX_NO}”：年报不会列入政府信息公开目录，公众无法按索引号查到它"
                    "（《条例》第十二条：目录包括政府信息的索引、名称、内容概述、生成日期）。请写明本报告的索引号。",
                    "annual-index-no",
                    WARNING,
                )
            )
        deadline = date(year + 1, 1, 31)
        if data.published is None:
            problems.append(
                Problem(
                    data.src,
                    None,
                    f"没有写“{PUBLISHED}”：年报应在 {deadline} 前公布（《条例》第四十九条），请写明本报告的发布日期。",
                    "annual-published",
                    WARNING,
                )
            )
        elif data.published > deadline:
            problems.append(
                Problem(
                    data.src,
                    None,
                    f"年报发布日期 {data.published} 晚于 {deadline}：《条例》第四十九条要求每年1月31日前"
                    "公布上一年度的政府信息公开工作年度报告。",
                    "annual-late",
                    WARNING,
                )
            )
    return problems + _one_per_body(reports) + _carried_over(reports)


def _one_per_body(reports: Sequence[tuple[int, ReportData]]) -> list[Problem]:
    first: dict[tuple[str, int], ReportData] = {}
    problems = []
    for year, data in reports:
        other = first.setdefault((data.publisher, year), data)
        if other is not data:
            who = data.publisher or "未写发布机构的报告"
            problems.append(
                Problem(
                    data.src,
                    None,
                    f"{who}的 {year} 年年报已经在 {other.src} 中：每个机构每年只有一份年报。"
                    "如是另一机构的年报，请写明其“发布机构”。",
                    "annual-duplicate",
                )
            )
    return problems


def _carried_over(reports: Sequence[tuple[int, ReportData]]) -> list[Problem]:
    by_key = {(data.publisher, year): data for year, data in reports}
    problems = []
    for (publisher, year), data in sorted(by_key.items()):
        before = by_key.get((publisher, year - 1))
        if before is None:
            continue
        carried, forward = data.applications[CARRIED], before.applications[FORWARD]
        wrong = [
            f"{name} {c}（上年报告为 {f}）"
            for name, c, f in zip(APPLICANT_COLUMNS, carried, forward, strict=True)
            if c != f
        ]
        if wrong:
            problems.append(
                Problem(
                    data.src,
                    data.carried_line,
                    f"二、上年结转政府信息公开申请数量应等于 {before.src} 的"
                    f"“四、结转下年度继续办理”，这里不一致：{'；'.join(wrong)}。",
                    "annual-carry-over",
                )
            )
    return problems


def report_context(figures: CorpusFigures, data: ReportData, year: int) -> dict:
    """The values annual_report.html needs, to pass to render.render_page() next to the shared ones."""
    # The narratives were sanitised by markup.py when the data file was read; here they become Markup.
    report = {
        "year": year,
        "title": report_title(year, data.publisher),
        "period": f"{year}年1月1日至{year}年12月31日",
        "figures": figures,
        "data": data,
        "overview": Markup(data.overview.html),
        "issues": Markup(data.issues.html),
        "other": Markup(data.other.html),
        "fees": _amount_text(data.fees),
        "organisation_columns": ORGANISATION_COLUMNS,
        "application_rows": _application_rows(data),
        "review_columns": REVIEW_COLUMNS,
        "reviews": [value for row in data.reviews for value in row],
        "months": [(f"{month}月", count) for month, count in enumerate(figures.by_month, start=1)],
    }
    return {"report": report}


def _application_rows(data: ReportData) -> list[dict]:
    """Table 3's rows, each with the row headers it starts (rowgroups span the rows below them)."""
    group_sizes = Counter(row.group for row in APPLICATION_ROWS if row.group)
    result_rows = sum(row.path[0] == _RESULTS for row in APPLICATION_ROWS)
    rows, seen = [], set()
    for row, values in zip(APPLICATION_ROWS, data.applications, strict=True):
        headers = []
        if row.path[0] != _RESULTS:
            headers.append(HeaderCell(row.label, "row", colspan=3))
        else:
            if _RESULTS not in seen:
                headers.append(HeaderCell("三、本年度办理结果", "rowgroup", rowspan=result_rows))
            if row.group and row.group not in seen:
                headers.append(HeaderCell(row.group, "rowgroup", rowspan=group_sizes[row.group]))
            headers.append(HeaderCell(row.label, "row", colspan=1 if row.group else 2))
            seen.update((_RESULTS, row.group))
        rows.append({"headers": headers, "values": values, "total": row.path[-1] == "总计"})
    return rows


def _amount_text(amount: Decimal) -> str:
    return format(amount, "f")


def render_report(
    figures: CorpusFigures, data: ReportData, year: int, context: PageContext, env: jinja2.Environment
) -> Output:
    """The report page of `year`, rendered with the site's shared page context."""
    return render.render_page(context, env, "annual_report.html", data.path(), **report_context(figures, data, year))


def report_text(figures: CorpusFigures, data: ReportData | None, year: int) -> str:
    """A plain-text summary of the year's figures for the terminal (`xxgk report --year N`)."""
    lines = [
        f"{report_title(year, data.publisher if data else '')}：数据摘要",
        "",
        "二、主动公开政府信息情况",
        "  第二十条第（一）项（根据公开目录统计）：本年制发 / 本年废止 / 现行有效",
    ]
    lines += [f"    {k.kind}：{k.made} / {k.repealed} / {k.in_force}" for k in figures.kinds]
    if data is not None:
        lines += [
            f"  第二十条第（五）项 行政许可 本年处理决定数量：{data.licensing}",
            f"  第二十条第（六）项 行政处罚 本年处理决定数量：{data.punishment}",
            f"  第二十条第（六）项 行政强制 本年处理决定数量：{data.coercion}",
            f"  第二十条第（八）项 行政事业性收费 本年收费金额：{_amount_text(data.fees)} 万元",
        ]
    lines += [
        "",
        f"本年主动公开信息 {figures.published} 条（根据公开目录统计）",
        "  按主题分类：" + _joined(figures.by_category),
        "  按发布机构：" + _joined(figures.by_publisher),
        "  按月份：" + "、".join(f"{m}月 {n}" for m, n in enumerate(figures.by_month, start=1)),
    ]
    lines += ["", *(_data_lines(data) if data is not None else _no_data_lines(year))]
    lines += ["", f"统计规则：{figures.rule}"]
    if figures.undated_repeals:
        lines.append(
            "注意：以下文件的有效性为失效或废止，但没有写废止日期（repealed），统计时不计入现行有效件数，"
            "也不计入任何年度的本年废止件数：" + "、".join(figures.undated_repeals)
        )
    return "\n".join(lines) + "\n"


def _joined(counts: tuple[tuple[str, int], ...]) -> str:
    return "、".join(f"{name} {count}" for name, count in counts) or "无"


def _data_lines(data: ReportData) -> list[str]:
    review = [dict(zip(REVIEW_COLUMNS, row, strict=True)) for row in data.reviews]
    return [
        f"三、收到和处理政府信息公开申请情况（{data.src}）",
        f"  本年新收 {data.application_total(NEW)}，上年结转 {data.application_total(CARRIED)}，"
        f"本年度办理 {data.application_total(TOTAL)}，结转下年度 {data.application_total(FORWARD)}",
        "四、政府信息公开行政复议、行政诉讼情况",
        *(
            f"  {row.name}：总计 {r['总计']}（结果维持 {r['结果维持']}、结果纠正 {r['结果纠正']}、"
            f"其他结果 {r['其他结果']}、尚未审结 {r['尚未审结']}）"
            for row, r in zip(REVIEW_ROWS, review, strict=True)
        ),
    ]


def _no_data_lines(year: int) -> list[str]:
    return [
        f"没有 reports/{year}.yaml：第二十条第（五）（六）（八）项、表三（依申请公开）、表四（复议诉讼）和文字部分需由编辑填写。",  # noqa: E501
        f"可复制 {SAMPLE} 为 reports/{year}.yaml 后按本年度数据修改。",
    ]
