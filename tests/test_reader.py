"""The front-matter contract (docs/editing.md 一), case by case: input -> exact problems."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xxgk.config import load_config
from xxgk.content import decode, encoding_problem, parse_document
from xxgk.markup import MarkdownRenderer
from xxgk.taxonomy import load_tree

from .conftest import GOOD_DOC, MINIMAL_CONFIG, brief, write_config


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return load_config(write_config(tmp_path_factory.mktemp("cfg"), MINIMAL_CONFIG))


def read(text: str, config):
    parsed, problems = parse_document(text, "content/a.md", config, load_tree(), MarkdownRenderer())
    return (parsed[0] if parsed else None), [brief(p) for p in problems]


def doc_with(replacements: dict[str, str | None], extra: str = "") -> str:
    """GOOD_DOC with some front-matter lines replaced (None removes the line) and lines appended."""
    lines = GOOD_DOC.split("\n")
    for key, value in replacements.items():
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        if value is None:
            del lines[index]
        else:
            lines[index] = value
    end = lines.index("---", 1)
    return "\n".join(lines[:end] + ([extra] if extra else []) + lines[end:])


def test_good_document_reads_cleanly(config):
    doc, problems = read(GOOD_DOC, config)
    assert problems == []
    assert doc.index_no == "114403006955506492/2019-00001"
    assert doc.published == date(2019, 3, 6) and doc.written == date(2019, 3, 1)
    assert doc.keywords == ("工作总结", "工作计划")
    assert doc.category == "综合政务\\政务公开"
    assert doc.column == "fdzdgknr"
    assert doc.lines["index_no"] == 3
    assert doc.headings[0].anchor == "一2017年工作亮点"


CASES = [
    ("missing title", {"title": None}, "", ["content/a.md:2: 缺少必填字段标题（title）。"]),
    ("missing published", {"published": None}, "", ["content/a.md:2: 缺少必填字段发布日期（published）。"]),
    ("empty publisher", {"publisher": "publisher:"}, "", ["content/a.md:4: 缺少必填字段发布机构（publisher）。"]),
    ("typo key", {}, "titel: x", ["content/a.md:12: 元数据中有未知的键“titel”。是否想写“title”？"]),
    (
        "both forms",
        {},
        "标题: 另一个标题",
        ["content/a.md:12: “标题”与第 2 行重复：标题（title）只能写一次（中文名和英文名二选一）。"],
    ),
    (
        "duplicate yaml key",
        {},
        "genre: 通知",
        ["content/a.md:12: 键“genre”重复出现（第 6 行已有）。请删除其中一个，以免有内容被静默覆盖。"],
    ),
    (
        "date that does not exist",
        {"published": "published: 2019-02-30"},
        "",
        ["content/a.md:9: “发布日期（published）”的日期“2019-02-30”不存在（请核对月份和日）。"],
    ),
    (
        "date in another form",
        {"published": "published: 2019/03/06"},
        "",
        ["content/a.md:9: “发布日期（published）”的值“2019/03/06”不是有效日期，请写成 YYYY-MM-DD，例如 2018-03-06。"],
    ),
    (
        "written after published",
        {"written": "written: 2019-03-07"},
        "",
        ["content/a.md:8: 成文日期 2019-03-07 晚于发布日期 2019-03-06。请核对：成文日期不能晚于发布日期。"],
    ),
    (
        "unquoted no stays text",
        {"validity": "validity: no"},
        "",
        ["content/a.md:11: 有效性只能是 有效、失效 或 废止，这里是“no”。"],
    ),
    (
        "bad index form",
        {"index_no": "index_no: 114403006955506492-2019-1"},
        "",
        [
            "content/a.md:3: 索引号“114403006955506492-2019-1”格式不对，应为“{code}/{year}-{serial}”形式，例如 114403006955506492/2019-00001（前段为 18 位统一社会信用代码或 9 位组织机构代码，大写）。"  # noqa: E501
        ],
    ),
    (
        "index prefix not the body's code",
        {"index_no": "index_no: 000014349/2019-00001"},
        "",
        [
            "content/a.md:3: 索引号前段“000014349”与发布机构“深圳市坪山区政府办公室”在 config.yaml 中登记的代码“114403006955506492”不一致。"  # noqa: E501
        ],
    ),
    (
        "check character warns",
        {"publisher": "publisher: 某局", "index_no": "index_no: 000014348/2019-00001"},
        "",
        [
            "content/a.md:3: 警告：索引号前段“000014348”的校验位不符，请核对机构代码（少数早期代码本身不合校验，确认无误可忽略）。",  # noqa: E501
            "content/a.md:4: 警告：发布机构“某局”不在 config.yaml 的 bodies 中。如是新的发布机构，请把它的全称、代码和简称加入 bodies。",  # noqa: E501
        ],
    ),
    # 发布机构 is the full standard name of the body (catalogue rules of the 政府信息公开目录系统实施指引 era)
    (
        "publisher short name is an error naming the full one",
        {"publisher": "publisher: 坪山区政府办"},
        "",
        ["content/a.md:4: 发布机构“坪山区政府办”是简称：发布机构必须写机构全称，应写作“深圳市坪山区政府办公室”。"],
    ),
    (
        "publisher typo warns with did-you-mean",
        {"publisher": "publisher: 深圳市坪山区政府办公厅"},
        "",
        [
            "content/a.md:4: 警告：发布机构“深圳市坪山区政府办公厅”不在 config.yaml 的 bodies 中。是否想写“深圳市坪山区政府办公室”？如是新的发布机构，请把它的全称、代码和简称加入 bodies。"  # noqa: E501
        ],
    ),
    (
        "index year warns",
        {"index_no": "index_no: 114403006955506492/2018-00001"},
        "",
        ["content/a.md:3: 警告：索引号中的年份 2018 与发布日期的年份 2019 不一致。"],
    ),
    (
        "unknown category",
        {"category": "category: 综合政务\\政务公卡"},
        "",
        [
            "content/a.md:5: 主题分类“综合政务\\政务公卡”不在分类表中。是否想写“综合政务\\政务公开”？写法为“一级\\二级”，新增分类请写入 config.yaml 的 categories。"  # noqa: E501
        ],
    ),
    (
        "unknown genre",
        {"genre": "genre: 总结"},
        "",
        [
            "content/a.md:6: 文种“总结”不是公文文种（决议 决定 命令 令 公报 公告 通告 意见 通知 通报 报告 请示 批复 议案 函 纪要）。其他文种请写入 config.yaml 的 genres。"  # noqa: E501
        ],
    ),
    (
        "repealed without date",
        {"validity": "validity: 废止"},
        "",
        ["content/a.md:11: 有效性为“废止”时需要写废止日期（repealed）。"],
    ),
    (
        "repealed date on valid doc",
        {},
        "repealed: 2020-01-01",
        ["content/a.md:12: 写了废止日期，但有效性是“有效”。请把有效性改为“失效”或“废止”，或删去废止日期。"],
    ),
    (
        "unknown column",
        {},
        "column: xyz",
        [
            "content/a.md:12: 栏目“xyz”不存在。可用的栏目：zn（政府信息公开指南）、zd（政府信息公开制度）、fdzdgknr（法定主动公开内容）、nb（政府信息公开年报）、ysqgk（依申请公开）、"  # noqa: E501
            "gfxwj（规章和规范性文件）、jgzn（机构职能）、ghxx（规划信息）、tjxx（统计信息）、xzxk（行政许可）、xzcf（行政处罚和行政强制）、czyjs（财政预算决算）、"
            "xzsf（行政事业性收费）、zfcg（政府集中采购）、zdxm（重大建设项目）、msxx（扶贫、教育、医疗、社保、就业）、yjgl（突发公共事件）、jdjc（监督检查）、"
            "gwyzk（公务员招考）、qtxx（其他法定公开信息）。"
        ],
    ),
    (
        "title as a list",
        {"title": "title: [a, b]"},
        "",
        ["content/a.md:2: “标题（title）”应为一段文字，这里是列表或子项。"],
    ),
    (
        "yaml syntax",
        {"title": "title: 关于: 的通知"},
        "",
        [
            "content/a.md:2: YAML 格式错误：此处不能出现冒号（值中含有“: ”时请用引号括起来）。请检查这一行的缩进、冒号和引号。"  # noqa: E501
        ],
    ),
    (
        "draft problems only warn",
        {"title": None},
        "draft: true",
        ["content/a.md:2: 警告：（草稿）缺少必填字段标题（title）。"],
    ),
]


@pytest.mark.parametrize(("replace", "extra", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_front_matter_rules(config, replace, extra, expected):
    _, problems = read(doc_with(replace, extra), config)
    assert problems == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "no front matter\n",
            "content/a.md:1: 文件开头缺少元数据块：第一行应为“---”，随后是“标题: …”等字段，再以一行“---”结束。",
        ),
        ("---\ntitle: x\n", "content/a.md:1: 元数据块没有结束：请在最后一个字段之后加一行“---”。"),
        ("---\n---\nbody\n", "content/a.md:1: 元数据块为空或不是“键: 值”形式。"),
    ],
)
def test_front_matter_fences(config, text, expected):
    assert read(text, config)[1] == [expected]


def test_chinese_labels_are_aliases(config):
    text = (
        GOOD_DOC.replace("title:", "名称:")
        .replace("index_no:", "索引号:")
        .replace("publisher:", "发文机关:")
        .replace("published:", "发布日期:")
        .replace("written:", "成文日期:")
        .replace("keywords:", "主题词:")
    )
    doc, problems = read(text, config)
    assert problems == [] and doc.title.startswith("坪山区委") and doc.written == date(2019, 3, 1)


@pytest.mark.parametrize(
    ("raw", "keywords"),
    [
        ("keywords: 工作总结 工作计划", ("工作总结", "工作计划")),
        ("keywords: 工作总结、工作计划；督查", ("工作总结", "工作计划", "督查")),
        ("keywords: 工作总结,工作计划", ("工作总结", "工作计划")),
    ],
)
def test_keywords_as_one_string(config, raw, keywords):
    assert read(doc_with({"keywords": raw}), config)[0].keywords == keywords


@pytest.mark.parametrize(
    ("raw", "keywords"),
    [
        ("keywords: [政务公开，工作要点]", ("政务公开", "工作要点")),
        ("主题词: [政务公开、工作要点；督查, 考核]", ("政务公开", "工作要点", "督查", "考核")),
        ("keywords:\n  - 政务公开，工作要点\n  - 督查", ("政务公开", "工作要点", "督查")),
        (
            "keywords: [open data, 政务公开]",
            ("open data", "政务公开"),
        ),  # a space inside a list item is part of the keyword
        ("keywords: [政务公开，]", ("政务公开",)),
    ],
)
def test_keywords_in_a_list_split_on_chinese_punctuation(config, raw, keywords):
    assert read(doc_with({"keywords": raw}), config)[0].keywords == keywords


@given(
    st.lists(st.text(st.characters(categories=("Lo",)), min_size=1, max_size=6), min_size=1, max_size=5),
    st.sampled_from(["，", "、", "；", ",", ";"]),
)
def test_keywords_joined_by_any_chinese_separator_come_back_apart(config, words, separator):
    raw = f'keywords: ["{separator.join(words)}"]'
    assert read(doc_with({"keywords": raw}), config)[0].keywords == tuple(words)


def test_numbers_and_doc_numbers_stay_strings(config):
    doc, problems = read(doc_with({"doc_no": "doc_no: 0012"}, "extra:\n  序号: 1.10"), config)
    assert problems == [] and doc.doc_no == "0012" and doc.extra == (("序号", "1.10"),)


def test_bom_and_crlf_are_accepted(config):
    raw = ("\ufeff" + GOOD_DOC).replace("\n", "\r\n").encode("utf-8")
    doc, problems = read(decode(raw), config)
    assert problems == [] and doc.title.startswith("坪山区委")


def test_gbk_is_refused_with_a_hint():
    raw = GOOD_DOC.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        decode(raw)
    message = brief(encoding_problem(raw, "content/a.md"))
    assert message.startswith("content/a.md: 文件不是 UTF-8 编码，无法读取。它看起来是 GBK/GB18030 编码。")
    assert "iconv -f GB18030 -t UTF-8" in message


def test_unsafe_html_stops_the_document(config):
    doc, problems = read(GOOD_DOC + "\n<script>alert(1)</script>\n", config)
    assert problems == ["content/a.md:18: 正文含有不安全的 HTML（<script>），发布时会被删除。请从正文中去掉它。"]
    assert doc is None


def test_problems_everywhere_are_all_reported(config):
    text = doc_with({"title": None, "published": "published: 2019-13-01", "validity": "validity: 作废"}, "foo: 1")
    assert len(read(text, config)[1]) == 4
