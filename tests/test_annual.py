"""The annual report (xxgk/annual.py): figures counted from the corpus, the editor's data file checked line by
line, the sample reports/2021.yaml, the page and the terminal summary."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from xxgk import annual, opendata, pipeline, render
from xxgk.config import load_config
from xxgk.model import Document

from .conftest import REPO, TODAY, brief

DATA = Path(__file__).with_name("data") / "annual"
GOOD = (DATA / "good.yaml").read_text(encoding="utf-8")
SRC = "reports/2021.yaml"


def doc(
    name: str,
    published: str,
    *,
    written: str | None = None,
    genre: str = "通知",
    validity: str = "有效",
    repealed: str | None = None,
    kind: str = "",
    category: str = "综合政务\\政务公开",
    publisher: str = "示例市人民政府办公室",
    doc_no: str = "",
    extra: tuple[tuple[str, str], ...] = (),
) -> Document:
    return Document(
        src=f"content/fdzdgknr/{name}.md",
        title=name,
        index_no=f"1133990000274816X7/2021-{name}",
        publisher=publisher,
        published=date.fromisoformat(published),
        written=date.fromisoformat(written) if written else None,
        category=category,
        genre=genre,
        doc_no=doc_no,
        validity=validity,
        repealed=date.fromisoformat(repealed) if repealed else None,
        extra=(("文件类型", kind),) if kind else extra,
    )


# ---------------------------------------------------------------------------------------------------------------
# Figures from the corpus

CORPUS = [
    # 规章
    doc("r-written-before", "2021-01-05", written="2020-12-20", genre="令"),  # made 2020 (成文日期), in force from 2021
    doc("r-declared", "2021-03-10", written="2021-03-01", genre="决定", kind="规章"),  # made and in force 2021
    doc("r-repealed-2021", "2019-04-01", genre="令", validity="废止", repealed="2021-06-30"),
    doc("r-undated", "2017-02-01", genre="命令", validity="失效"),  # no date: never "repealed in" a year
    # 行政规范性文件
    doc("n-no-written", "2021-12-31", kind="行政规范性文件"),  # made 2021 by 发布日期, in force on 31 December
    doc("n-published-next-year", "2022-01-02", written="2021-12-28", kind="行政规范性文件"),  # made 2021, in force 2022
    doc("n-repealed-2022", "2018-05-01", kind="行政规范性文件", validity="失效", repealed="2022-03-01"),
    doc("n-repealed-new-year-eve", "2020-07-01", kind="行政规范性文件", validity="废止", repealed="2021-12-31"),
    # neither
    doc("plain-notice", "2021-05-06", category="财政、金融、审计\\财政", publisher="示例市财政局"),
    doc("plain-report", "2021-05-20", genre="报告", category=""),
]

# year -> ((规章 made, repealed, in force), (行政规范性文件 made, repealed, in force))
FIGURES = {
    2018: ((0, 0, 0), (1, 0, 1)),
    2019: ((1, 0, 1), (0, 0, 1)),
    2020: ((1, 0, 1), (1, 0, 2)),
    2021: ((1, 1, 2), (2, 1, 2)),
    2022: ((0, 0, 2), (0, 1, 2)),
}


@pytest.mark.parametrize("year", sorted(FIGURES))
def test_corpus_figures_made_repealed_and_in_force_across_year_boundaries(year):
    figures = annual.corpus_figures(CORPUS, year)
    regulations, normative = FIGURES[year]
    assert (figures.regulations.made, figures.regulations.repealed, figures.regulations.in_force) == regulations
    assert (figures.normative.made, figures.normative.repealed, figures.normative.in_force) == normative
    assert figures.undated_repeals == ("content/fdzdgknr/r-undated.md",)


def test_corpus_figures_count_the_year_by_category_publisher_and_month():
    figures = annual.corpus_figures(CORPUS, 2021)
    assert figures.published == 5
    assert figures.by_category == (("综合政务", 3), ("未分类", 1), ("财政、金融、审计", 1))
    assert figures.by_publisher == (("示例市人民政府办公室", 4), ("示例市财政局", 1))
    assert figures.by_month == (1, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 1)
    empty = annual.corpus_figures(CORPUS, 2030)
    assert (empty.published, empty.by_category, empty.by_month) == (0, (), (0,) * 12)


RULE_CASES = [
    ("令 is a 规章", doc("a", "2021-01-01", genre="令"), annual.DEFAULT_RULE, "规章"),
    ("命令 is a 规章", doc("a", "2021-01-01", genre="命令"), annual.DEFAULT_RULE, "规章"),
    (
        "declared wins over the genre",
        doc("a", "2021-01-01", genre="令", kind="行政规范性文件"),
        annual.DEFAULT_RULE,
        "行政规范性文件",
    ),
    (
        "an unknown declaration falls back to the genre",
        doc("a", "2021-01-01", genre="令", kind="其他"),
        annual.DEFAULT_RULE,
        "规章",
    ),
    ("a plain 通知 is neither", doc("a", "2021-01-01"), annual.DEFAULT_RULE, ""),
    # 行政规范性文件 carry a 统一编号 whose 代字 ends with 规 (深坪府规〔2021〕1号): counted without an extra
    (
        "the 规 mark of a 行政规范性文件's 文号 counts by default",
        doc("a", "2021-01-01", doc_no="深坪府规〔2021〕1号"),
        annual.DEFAULT_RULE,
        "行政规范性文件",
    ),
    (
        "the 文号 mark whatever brackets",
        doc("a", "2021-01-01", doc_no="深府规[2020]1号"),
        annual.DEFAULT_RULE,
        "行政规范性文件",
    ),
    (
        "a 规 elsewhere in the 文号 is no mark",
        doc("a", "2021-01-01", doc_no="深规划〔2020〕1号"),
        annual.DEFAULT_RULE,
        "",
    ),
    (
        "an editor's 非规范性文件 wins over the mark",
        doc("a", "2021-01-01", doc_no="深府规〔2020〕1号", kind="非规范性文件"),
        annual.DEFAULT_RULE,
        "",
    ),
    (
        "a body's own marks from config.yaml",
        doc("a", "2021-01-01", doc_no="示政发〔2021〕9号"),
        annual.KindRule(publisher_marks=(("示例市人民政府办公室", ("示政发〔",)),)),
        "行政规范性文件",
    ),
    (
        "a body's own marks replace the default for it",
        doc("a", "2021-01-01", doc_no="深府规〔2020〕1号"),
        annual.KindRule(publisher_marks=(("示例市人民政府办公室", ()),)),
        "",
    ),
    (
        "another extra key",
        doc("a", "2021-01-01", extra=(("规范性文件类别", "规章"),)),
        annual.KindRule(extra_key="规范性文件类别"),
        "规章",
    ),
]


@pytest.mark.parametrize(("document", "rule", "kind"), [c[1:] for c in RULE_CASES], ids=[c[0] for c in RULE_CASES])
def test_kind_rule(document, rule, kind):
    assert rule.kind(document) == kind


def test_default_rule_agrees_with_the_documents_own_normative_kind():
    if not hasattr(Document, "normative_kind"):
        pytest.skip("Document.normative_kind is not there")
    for document in [c[1] for c in RULE_CASES] + CORPUS:
        assert annual.DEFAULT_RULE.kind(document) == document.normative_kind, document.src


def test_an_unknown_declared_kind_warns():
    documents = [
        doc("a", "2021-01-01", kind="规范性文件"),
        doc("b", "2021-01-01", kind="其他", genre="令"),
        doc("c", "2021-01-01", kind="规章"),
    ]
    assert [brief(p) for p in annual.kind_problems(documents)] == [
        "content/fdzdgknr/a.md: 警告：extra 中的文件类型“规范性文件”不是“规章”或“行政规范性文件”，本文件不会计入年报第二十条第（一）项。是否想写“行政规范性文件”？",  # noqa: E501
        "content/fdzdgknr/b.md: 警告：extra 中的文件类型“其他”不是“规章”或“行政规范性文件”，本文件将按其他规则计为规章。不属于这两类的文件无需标注。",  # noqa: E501
    ]


@pytest.mark.parametrize(
    ("document", "warned"),
    [
        (doc("a", "2021-01-01", doc_no="深坪府办规〔2021〕1号"), False),  # counted by the default mark: no warning
        (
            doc("a", "2021-01-01", doc_no="深坪府办规〔2021〕1号", publisher="深圳市坪山区政府办公室"),
            True,
        ),  # its marks differ
        (doc("关于印发《示例区政府信息公开工作考核办法》的通知", "2021-01-01"), True),
        (doc("示例区行政执法公示实施细则（试行）", "2021-01-01"), True),
        (doc("关于印发《示例区政府信息公开工作考核办法》的通知", "2021-01-01", kind="非规范性文件"), False),
        (doc("关于做好防汛工作的通知", "2021-01-01"), False),
    ],
)
def test_a_document_that_looks_normative_but_is_not_counted_warns(document, warned):
    """国办发〔2018〕37号 三统一 and 30号 table 2 第（一）项: 行政规范性文件 must be counted; check names the unmarked."""  # noqa: E501
    rule = annual.KindRule(publisher_marks=(("深圳市坪山区政府办公室", ("深坪府规〔",)),))
    problems = annual.kind_problems([document], rule)
    assert [p.code for p in problems] == (["normative-unmarked"] if warned else [])


def test_rule_is_described_for_people():
    assert annual.DEFAULT_RULE.describe() == (
        "元数据 extra 中标注“文件类型: 规章”或“文件类型: 行政规范性文件”的文件按标注计；未标注的，文种为“令”“命令”的计为规章，"  # noqa: E501
        "文号含“规〔”的计为行政规范性文件。"
    )
    assert annual.KindRule(normative_doc_no_marks=("规〔",)).describe().endswith("，文号含“规〔”的计为行政规范性文件。")


# ---------------------------------------------------------------------------------------------------------------
# The data file


def test_good_data_file_reads_cleanly():
    data, problems = annual.read_report_data(GOOD, SRC)
    assert problems == []
    assert (data.licensing, data.punishment, data.coercion, data.fees) == (12, 5, 1, Decimal("0.8"))
    assert data.applications[annual.NEW] == (10, 2, 0, 0, 1, 0, 13)
    assert [data.application_total(r) for r in (annual.NEW, annual.CARRIED, annual.TOTAL, annual.FORWARD)] == [
        13,
        1,
        13,
        1,
    ]
    assert data.reviews == ((1, 0, 0, 0, 1), (0, 0, 0, 1, 1), (0, 0, 0, 0, 0))
    assert data.overview.html == "<p>本年度政府信息公开工作总体平稳有序。</p>"
    assert len(data.applications) == len(annual.APPLICATION_ROWS) == 25


def edited(changes: dict[int, str | None]) -> str:
    """good.yaml with some lines (1-based) replaced; None deletes the line."""
    lines = GOOD.split("\n")
    for number in sorted(changes, reverse=True):
        if changes[number] is None:
            del lines[number - 1]
        else:
            lines[number - 1] = changes[number]
    return "\n".join(lines)


def row(indent: int, key: str, values: tuple) -> str:
    columns = annual.APPLICANT_COLUMNS if len(values) == 7 else annual.REVIEW_COLUMNS
    cells = ", ".join(f"{c}: {v}" for c, v in zip(columns, values, strict=True))
    return f"{' ' * indent}{key}: {{{cells}}}"


INVALID = [
    (
        "wrong row total",
        {10: row(2, "本年新收申请数量", (10, 2, 0, 0, 1, 0, 14))},
        [
            "reports/2021.yaml:10: “一、本年新收政府信息公开申请数量”的“总计”应为 13（自然人与法人或其他组织各列之和），这里是 14。"  # noqa: E501
        ],
    ),
    (
        "wrong 七 total",
        {38: row(4, "总计", (11, 2, 0, 0, 1, 0, 14))},
        [
            "reports/2021.yaml:38: 三、（七）总计的“总计”应为 13（各项之和），这里是 14。",
            "reports/2021.yaml:38: 三、（七）总计的“自然人”应为 10（各项之和），这里是 11。",
        ],
    ),
    (
        "a wrong result row is reported once, not again in 七",
        {13: row(4, "予以公开", (7, 1, 0, 0, 1, 0, 8))},
        ["reports/2021.yaml:13: “三、（一）予以公开”的“总计”应为 9（自然人与法人或其他组织各列之和），这里是 8。"],
    ),
    (
        "carried forward does not balance",
        {39: row(2, "结转下年度继续办理", (2, 0, 0, 0, 0, 0, 2))},
        [
            "reports/2021.yaml:39: 四、结转下年度继续办理的“总计”应为 1（一 + 二 − 三（七）总计 = 13 + 1 − 13），这里是 2。",  # noqa: E501
            "reports/2021.yaml:39: 四、结转下年度继续办理的“自然人”应为 1（一 + 二 − 三（七）总计 = 10 + 1 − 10），这里是 2。",  # noqa: E501
        ],
    ),
    (
        "more handled than received",
        {13: row(4, "予以公开", (8, 1, 0, 0, 1, 0, 10)), 38: row(4, "总计", (12, 2, 0, 0, 1, 0, 15))},
        [
            "reports/2021.yaml:38: 三、（七）总计的“总计”为 15，多于一、二两项之和 14：办理的申请不能多于本年新收与上年结转的申请（一 + 二 − 三（七）总计 = 四）。请核对各项数字。",  # noqa: E501
            "reports/2021.yaml:38: 三、（七）总计的“自然人”为 12，多于一、二两项之和 11：办理的申请不能多于本年新收与上年结转的申请（一 + 二 − 三（七）总计 = 四）。请核对各项数字。",  # noqa: E501
        ],
    ),
    (
        "review total",
        {43: row(4, "未经复议直接起诉", (0, 0, 0, 1, 2))},
        [
            "reports/2021.yaml:43: “行政诉讼（未经复议直接起诉）”的“总计”应为 1（结果维持、结果纠正、其他结果、尚未审结之和），这里是 2。"  # noqa: E501
        ],
    ),
    ("negative count", {5: "  行政许可: -3"}, ["reports/2021.yaml:5: “行政许可”不能为负数，这里是 -3。"]),
    (
        "negative cell",
        {16: row(6, "属于国家秘密", (-1, 0, 0, 0, 0, 0, -1))},
        [
            "reports/2021.yaml:16: “三、（三）不予公开 1.属于国家秘密”的“总计”不能为负数，这里是 -1。",
            "reports/2021.yaml:16: “三、（三）不予公开 1.属于国家秘密”的“自然人”不能为负数，这里是 -1。",
        ],
    ),
    (
        "text for a count",
        {13: row(4, "予以公开", ("六", 1, 0, 0, 1, 0, 8))},
        ["reports/2021.yaml:13: “三、（一）予以公开”的“自然人”应为整数（件数），这里是“六”。"],
    ),
    (
        "a decimal for a count",
        {6: "  行政处罚: 5.5"},
        ["reports/2021.yaml:6: “行政处罚”应为整数（件数），这里是“5.5”。"],
    ),
    ("empty count", {7: "  行政强制:"}, ["reports/2021.yaml:7: “行政强制”没有填写。没有请填 0。"]),
    (
        "text for money",
        {8: "  行政事业性收费: 八千元"},
        ["reports/2021.yaml:8: “行政事业性收费”应为金额（单位：万元，最多 6 位小数），例如 12.5，这里是“八千元”。"],
    ),
    (
        "money with separators",
        {8: "  行政事业性收费: 1,200.5"},
        ["reports/2021.yaml:8: “行政事业性收费”请去掉千位分隔符，写成 1234.5 这样的数，这里是“1,200.5”。"],
    ),
    (
        "negative money",
        {8: "  行政事业性收费: -0.5"},
        ["reports/2021.yaml:8: “行政事业性收费”不能为负数，这里是 -0.5。"],
    ),
    (
        "unknown column",
        {41: "  行政复议: {结果维护: 1, 结果纠正: 0, 其他结果: 0, 尚未审结: 0, 总计: 1}"},
        [
            "reports/2021.yaml:41: “行政复议”缺少“结果维持”一列，没有请填 0。",
            "reports/2021.yaml:41: “行政复议”中有未知的键“结果维护”。是否想写“结果维持”？",
        ],
    ),
    (
        "unknown row",
        {
            30: "      重复申清: {自然人: 0, 商业企业: 0, 科研机构: 0, 社会公益组织: 0, 法律服务机构: 0, 其他: 0, 总计: 0}"  # noqa: E501
        },
        [
            "reports/2021.yaml:28: “不予处理”缺少“重复申请”一行，没有数据也请写上并填 0（见 reports/2021.yaml）。",
            "reports/2021.yaml:30: “不予处理”中有未知的键“重复申清”。是否想写“重复申请”？",
        ],
    ),
    (
        "unknown section",
        {47: "其它需要报告的事项: |"},
        [
            "reports/2021.yaml:1: 缺少“六、其他需要报告的事项”（键“其他需要报告的事项”）。请参照 reports/2021.yaml 补上这一部分。",  # noqa: E501
            "reports/2021.yaml:47: 年报数据文件中有未知的键“其它需要报告的事项”。是否想写“其他需要报告的事项”？",
        ],
    ),
    (
        "missing table 4",
        dict.fromkeys(range(40, 45)),
        [
            "reports/2021.yaml:1: 缺少“四、政府信息公开行政复议、行政诉讼情况”（键“政府信息公开行政复议、行政诉讼情况”）。请参照 reports/2021.yaml 补上这一部分。"  # noqa: E501
        ],
    ),
    (
        "missing row",
        {37: None},
        ["reports/2021.yaml:34: “其他处理”缺少“其他”一行，没有数据也请写上并填 0（见 reports/2021.yaml）。"],
    ),
    (
        "missing group",
        dict.fromkeys(range(28, 34)),
        ["reports/2021.yaml:12: “本年度办理结果”缺少“不予处理”这一组（见 reports/2021.yaml）。"],
    ),
    (
        "missing column",
        {11: "  上年结转申请数量: {自然人: 1, 商业企业: 0, 科研机构: 0, 社会公益组织: 0, 其他: 0, 总计: 1}"},
        ["reports/2021.yaml:11: “二、上年结转政府信息公开申请数量”缺少“法律服务机构”一列，没有请填 0。"],
    ),
    (
        "a number for a row",
        {11: "  上年结转申请数量: 1"},
        [
            "reports/2021.yaml:11: “二、上年结转政府信息公开申请数量”应写成 {自然人: 0, 商业企业: 0, 科研机构: 0, 社会公益组织: 0, 法律服务机构: 0, 其他: 0, 总计: 0} 的形式，每列一个数。"  # noqa: E501
        ],
    ),
    (
        "empty narrative",
        {47: "其他需要报告的事项:", 48: None},
        ["reports/2021.yaml:47: “六、其他需要报告的事项”不能为空。请写明情况；确实没有时写“无。”"],
    ),
    (
        "script in a narrative",
        {3: "  总体情况平稳。<script>alert(1)</script>"},
        ["reports/2021.yaml:2: “一、总体情况”含有不安全的 HTML（<script>），发布时会被删除。请去掉它。"],
    ),
    (
        "duplicate key",
        {6: "  行政许可: 5"},
        ["reports/2021.yaml:6: 键“行政许可”重复出现（第 5 行已有）。请删除其中一个，以免有内容被静默覆盖。"],
    ),
    (
        "not a mapping",
        dict.fromkeys(range(2, 49)) | {1: "- 总体情况"},
        ["reports/2021.yaml:1: 年报数据文件应为“键: 值”形式的子项。"],
    ),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_data_file_gives_its_exact_messages(changes, expected):
    # Messages on one line come in Problem.sort_key order, as the command line prints them.
    data, problems = annual.read_report_data(edited(changes), SRC)
    assert [brief(p) for p in problems] == expected
    assert data is None


def test_empty_and_broken_yaml():
    assert [brief(p) for p in annual.read_report_data("# 只有注释\n", SRC)[1]] == [
        "reports/2021.yaml:1: 年报数据文件是空的。请复制 reports/2021.yaml 并按本年度数据填写。"
    ]
    data, problems = annual.read_report_data("总体情况: [\n", SRC)
    assert data is None and [p.code for p in problems] == ["yaml-syntax"]


def test_the_sample_data_file_validates_and_adds_up():
    data, problems = annual.load_report(REPO / "reports" / "2021.yaml", SRC)
    assert problems == []
    total = data.applications[annual.TOTAL]
    assert total == tuple(map(sum, zip(*(data.applications[r] for r in annual.RESULT_ROWS), strict=True)))
    assert data.application_total(annual.NEW) + data.application_total(annual.CARRIED) - data.application_total(
        annual.TOTAL
    ) == data.application_total(annual.FORWARD)


def test_files_are_found_by_year(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("2022.yaml", "2021.yaml", "README.md", "draft.yaml"):
        (folder / name).write_text("", encoding="utf-8")
    found, problems = annual.find_reports(folder)
    assert [(year, path.name) for year, path in found] == [(2021, "2021.yaml"), (2022, "2022.yaml")]
    assert [brief(p) for p in problems] == [
        "reports/draft.yaml: 年报数据文件应以四位年份命名，例如 2021.yaml；同一年有多个机构的年报时，"
        "在年份后加“-”和机构的英文小写标识，例如 2021-shilishi.yaml。"
    ]
    assert annual.find_reports(tmp_path / "none") == ([], [])
    (folder / "2023.yaml").write_bytes("总体情况: 无".encode("gbk"))
    assert [brief(p) for p in annual.load_report(folder / "2023.yaml", "reports/2023.yaml")[1]] == [
        "reports/2023.yaml: 年报数据文件不是 UTF-8 编码，请另存为 UTF-8。"
    ]


# ---------------------------------------------------------------------------------------------------------------
# The page and the summary


class Tables(HTMLParser):
    """Every <table> of a page as rows of cell texts, and every <h2>."""

    def __init__(self):
        super().__init__()
        self.tables, self.headings, self._cell, self._h2 = [], [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "h2":
            self._h2 = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append(self._cell.strip())
            self._cell = None
        elif tag == "h2":
            self.headings.append(self._h2)
            self._h2 = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._h2 is not None:
            self._h2 += data


@pytest.fixture(scope="module")
def page():
    config = load_config(REPO / "config.yaml")
    day = date.fromisoformat(TODAY)
    site = pipeline.site_model(pipeline.check(config, day), config, day)
    context = render.page_context(site, config)
    figures = annual.corpus_figures([*site.documents, *CORPUS], 2021)
    data, _ = annual.read_report_data(GOOD, SRC)
    output = annual.render_report(figures, data, 2021, context, render.make_env(REPO / "templates"))
    return output.dest, output.data.decode("utf-8")


def test_the_page_has_the_six_sections_and_real_tables(page):
    dest, html = page
    assert dest == "column/nb/2021.html"
    assert "<title>2021年政府信息公开工作年度报告 - " in html
    assert '<h1 class="doc-title">2021年政府信息公开工作年度报告</h1>' in html
    parsed = Tables()
    parsed.feed(html)
    assert parsed.headings == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
        "附：2021年主动公开信息统计",
    ]
    first, licensing, punishment, fees, applications, reviews, *appendix = parsed.tables
    assert first == [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", "1", "1", "2"],
        ["行政规范性文件", "2", "1", "2"],
    ]
    assert (
        licensing[1] == ["行政许可", "12"]
        and punishment[2] == ["行政强制", "1"]
        and fees[1] == ["行政事业性收费", "0.8"]
    )
    rows = {r[-8]: r[-7:] for r in applications if len(r) >= 8}
    assert rows["（七）总计"] == ["10", "2", "0", "0", "1", "0", "13"]
    assert rows["四、结转下年度继续办理"] == ["1", "0", "0", "0", "0", "0", "1"]
    assert rows["1.属于国家秘密"] == ["0"] * 7
    assert len([r for r in applications if len(r) >= 8]) == 25
    assert reviews[-1] == ["1", "0", "0", "0", "1", "0", "0", "0", "1", "1", "0", "0", "0", "0", "0"]
    assert [r for r in appendix[2] if r[0] == "5月"] == [["5月", "2"]]


def test_the_page_headers_are_scoped_and_the_computed_figures_noted(page):
    _, html = page
    assert '<th scope="rowgroup" rowspan="22">三、本年度办理结果</th>' in html
    assert '<th scope="rowgroup" rowspan="8">（三）不予公开</th>' in html
    assert '<th scope="colgroup" colspan="5">法人或其他组织</th>' in html
    assert "<caption>第二十条第（一）项（根据本网站政府信息公开目录自动统计）</caption>" in html
    assert "注：第二十条第（一）项的数据由系统根据本网站政府信息公开目录中的规章和行政规范性文件自动统计" in html
    assert '<li><a href="../../column/nb/">政府信息公开年报</a></li>' in html  # breadcrumb
    assert '<a href="../../column/nb/" aria-current="true">政府信息公开年报</a>' in html  # navigation
    assert "<p>本年度政府信息公开工作总体平稳有序。</p>" in html


def test_report_text_summarises_the_year():
    figures = annual.corpus_figures(CORPUS, 2021)
    data, _ = annual.read_report_data(GOOD, SRC)
    text = annual.report_text(figures, data, 2021)
    assert text.startswith("2021年政府信息公开工作年度报告：数据摘要\n")
    for line in [
        "    规章：1 / 1 / 2",
        "    行政规范性文件：2 / 1 / 2",
        "  第二十条第（八）项 行政事业性收费 本年收费金额：0.8 万元",
        "本年主动公开信息 5 条（根据公开目录统计）",
        "  按月份：1月 1、2月 0、3月 1、4月 0、5月 2、6月 0、7月 0、8月 0、9月 0、10月 0、11月 0、12月 1",
        "  本年新收 13，上年结转 1，本年度办理 13，结转下年度 1",
        "  行政诉讼（未经复议直接起诉）：总计 1（结果维持 0、结果纠正 0、其他结果 0、尚未审结 1）",
    ]:
        assert line in text.split("\n")
    assert "content/fdzdgknr/r-undated.md" in text
    without = annual.report_text(figures, None, 2022)
    assert "没有 reports/2022.yaml" in without and "三、收到和处理" not in without


def test_load_reports_reads_every_year_and_collects_every_problem(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "2021.yaml").write_text(GOOD, encoding="utf-8")
    (folder / "2022.yaml").write_text(edited({5: "  行政许可: 很多"}), encoding="utf-8")
    reports, problems = annual.load_reports(folder)
    assert [(year, data.src) for year, data in reports] == [(2021, "reports/2021.yaml")]
    assert [brief(p) for p in problems] == ["reports/2022.yaml:5: “行政许可”应为整数（件数），这里是“很多”。"]


# ---------------------------------------------------------------------------------------------------------------
# Rules across the report files: 30号's 总体情况, art. 49's deadline, 上年结转 from the year before

FIVE = "本年度主动公开、依申请公开、政府信息管理、平台建设、监督保障各项工作平稳有序。"


def report(text: str, src: str = SRC) -> annual.ReportData:
    data, problems = annual.read_report_data(text, src)
    assert data is not None, problems
    return data


def with_meta(text: str, **meta: str) -> str:
    """The report with these 发布机构/发布日期/索引号 (a sample 索引号 unless given; 索引号="" for none)."""
    meta = {"索引号": "1133990000274816X7/2022-00009", **meta}
    return "".join(f"{key}: {value}\n" for key, value in meta.items() if value) + text.replace(
        "本年度政府信息公开工作总体平稳有序。", FIVE
    )


@pytest.mark.parametrize(
    ("meta", "codes"),
    [
        ({"发布日期": "2022-01-28"}, []),
        ({"发布日期": "2022-02-08"}, ["annual-late"]),  # 条例 art. 49: by 31 January
        ({}, ["annual-published"]),
    ],
)
def test_the_report_is_published_by_31_january_art_49(meta, codes):
    assert [p.code for p in annual.report_problems([(2021, report(with_meta(GOOD, **meta)))])] == codes


def test_the_overview_covers_the_five_aspects_of_30hao():
    """国办公开办函〔2021〕30号: 总体情况 covers 主动公开, 依申请公开, 政府信息管理, 平台建设, 监督保障."""
    problems = annual.report_problems(
        [(2021, report("发布日期: 2022-01-10\n索引号: 1133990000274816X7/2022-00009\n" + GOOD))]
    )
    assert [(p.code, p.level) for p in problems] == [("annual-overview", "warning")]
    assert "没有写到主动公开、依申请公开、政府信息管理、平台建设、监督保障" in problems[0].message


def test_carried_over_equals_last_years_forward_for_the_same_body():
    """30号 table 3: 二、上年结转 of a year is 四、结转下年度继续办理 of the year before."""
    last = report(with_meta(GOOD, 发布日期="2021-01-20"), "reports/2020.yaml")
    forward = dict(zip(annual.APPLICANT_COLUMNS, last.applications[annual.FORWARD], strict=True))
    carried = "{" + ", ".join(f"{k}: {v}" for k, v in forward.items()) + "}"
    good_next = re.sub(r"上年结转申请数量: \{[^}]*\}", f"上年结转申请数量: {carried}", GOOD)
    assert annual.report_problems([(2020, last), (2021, report(with_meta(good_next, 发布日期="2022-01-20")))]) == []
    # One more 自然人 application carried over and one fewer new: the table still adds up, the years do not.
    shifted = re.sub(
        r"上年结转申请数量: \{自然人: 1,(.*)总计: 1\}",
        r"上年结转申请数量: {自然人: 2,\1总计: 2}",
        re.sub(r"本年新收申请数量: \{自然人: 10,(.*)总计: 13\}", r"本年新收申请数量: {自然人: 9,\1总计: 12}", GOOD),
    )
    wrong = report(with_meta(shifted, 发布日期="2022-01-20"))
    problems = annual.report_problems([(2020, last), (2021, wrong)])
    assert [(p.code, p.level, p.line) for p in problems] == [("annual-carry-over", "error", wrong.carried_line)]
    other_body = report(with_meta(GOOD, 发布机构="示例区财政局", 发布日期="2022-01-20"))
    assert annual.report_problems([(2020, last), (2021, other_body)]) == []  # each body reports on itself


def test_the_title_names_the_reporting_body():
    assert annual.report_title(2021, "示例市人民政府办公室") == "示例市人民政府办公室2021年政府信息公开工作年度报告"


def test_several_bodies_report_on_themselves_each_on_its_own_page(tmp_path):
    """条例 art. 49: each 行政机关 publishes its own report; one report per body per year."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, body in [
        ("2021.yaml", "示例市人民政府办公室"),
        ("2021-caizhengju.yaml", "示例区财政局"),
        ("2021-x.yaml", "示例区财政局"),
    ]:
        (folder / name).write_text(with_meta(GOOD, 发布机构=body, 发布日期="2022-01-20"), encoding="utf-8")
    reports, problems = annual.load_reports(folder)
    assert problems == []
    assert sorted(data.path() for _, data in reports) == [
        "column/nb/2021-caizhengju.html",
        "column/nb/2021-x.html",
        "column/nb/2021.html",
    ]
    assert [(p.path, p.code) for p in annual.report_problems(reports)] == [("reports/2021-x.yaml", "annual-duplicate")]


def test_the_report_page_shows_its_index_number_body_and_date(tmp_path):
    config = load_config(REPO / "config.yaml")
    day = date.fromisoformat(TODAY)
    site = pipeline.site_model(pipeline.check(config, day), config, day)
    data = report(
        with_meta(GOOD, 发布机构="示例市人民政府办公室", 发布日期="2022-01-20", 索引号="1133990000274816X7/2022-00001")
    )
    output = annual.render_report(
        annual.corpus_figures(site.documents, 2021),
        data,
        2021,
        render.page_context(site, config),
        render.make_env(REPO / "templates"),
    )
    html = output.data.decode("utf-8")
    assert (
        "索引号：1133990000274816X7/2022-00001　发布机构：示例市人民政府办公室　发布日期：2022年01月20日" in html
        and '<meta name="PubDate" content="2022-01-20">' in html
        and '<meta name="ContentSource" content="示例市人民政府办公室">' in html
    )


def test_each_published_report_is_listed_in_the_catalog_among_the_documents():
    """条例 art. 50: the annual report is published; art. 12: the 目录 lists the 索引、名称、内容概述、生成日期 of what
    is published. So each report with a 索引号 is a row of the 目录 (HTML, catalog.json, catalog.csv), by date among
    the documents and linking to its page, while it stays out of what only documents make (facets, feeds, search)."""
    config = load_config(REPO / "config.yaml")
    day = date.fromisoformat(TODAY)
    site = pipeline.site_model(pipeline.check(config, day), config, day)
    rows = [entry for page in site.catalog.pages for entry in page.documents]
    index_no = "1133990000274816X7/2022-00001"  # reports/2021.yaml
    [entry] = [e for e in rows if e.index_no == index_no]
    assert (entry.title, entry.path, entry.published) == (
        "示例市人民政府办公室2021年政府信息公开工作年度报告",
        "column/nb/2021.html",
        date(2022, 1, 20),
    )
    assert "示例市人民政府办公室2021年" in entry.summary
    assert rows == sorted(rows, key=lambda e: e.sort_key()) and site.catalog.total == len(site.documents) + 1
    assert index_no not in {d.index_no for d in site.documents}
    pages = {
        o.dest: o.data.decode("utf-8")
        for o in render.render_pages(site, render.page_context(site, config), render.make_env(REPO / "templates"))
    }
    page = next(html for dest, html in pages.items() if dest.startswith("catalog/") and index_no in html)
    assert (
        f'<td class="col-index">{index_no}</td>\n  <td class="col-title"><a href="../column/nb/2021.html">'
        f"{entry.title}</a></td>" in page.replace("../../", "../")
    )
    catalog = {o.dest: o.data for o in opendata.catalog_files(site, config)}
    listed = json.loads(catalog["catalog.json"])["documents"]
    [row] = [r for r in listed if r["index_no"] == index_no]
    assert row["url"] == config.base_url + "column/nb/2021.html" and row["published"] == "2022-01-20"
    assert index_no in catalog["catalog.csv"].decode("utf-8-sig")


def test_a_report_without_an_index_number_is_left_out_of_the_catalog_and_warned_about():
    """条例 art. 12: the 目录 is searched by 索引号; a report without one cannot be found by it."""
    reports = [
        (2021, report(with_meta(GOOD, 发布日期="2022-01-20", 索引号=""))),
        (2020, report(with_meta(GOOD, 发布日期="2021-01-20", 索引号="X/2021-00001"), "reports/2020.yaml")),
    ]
    assert [e.index_no for e in annual.catalog_entries(reports)] == ["X/2021-00001"]
    assert [(p.path, p.code, p.level) for p in annual.report_problems(reports[:1])] == [
        (SRC, "annual-index-no", "warning")
    ]


def test_a_report_index_number_names_it_alone_in_the_catalog():
    """条例 art. 12: the 目录 finds each piece of information by its 索引; two rows must not share one."""
    taken = doc("00001", "2022-01-10")
    reports = [
        (2021, report(with_meta(GOOD, 发布日期="2022-01-20", 索引号=taken.index_no))),
        (2020, report(with_meta(GOOD, 发布日期="2021-01-20", 索引号="X/2021-00001"), "reports/2020.yaml")),
        (2020, report(with_meta(GOOD, 发布日期="2021-01-20", 索引号="X/2021-00001"), "reports/2020-b.yaml")),
    ]
    assert [(p.path, p.code) for p in annual.index_number_problems(reports, [taken])] == [
        (SRC, "annual-index-taken"),
        ("reports/2020-b.yaml", "annual-index-taken"),
    ]
