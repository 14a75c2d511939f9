"""Tests of xxgk.importer: metadata, chrome, title, signature, headings, escaping and the written file."""

from __future__ import annotations

import html
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from xxgk.importer import FIELD_ORDER, Imported, import_text, iso_date, to_markdown_file

SEEDS = Path(__file__).parent / "data" / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def blocks(body: str) -> list[str]:
    return body.strip("\n").split("\n\n")


def front_matter(text: str) -> dict:
    assert text.startswith("---\n")
    head, _, _ = text[4:].partition("\n---\n")
    return yaml.safe_load(head)


# --- the seeds ------------------------------------------------------------------------------------

SEED_FIELDS = [
    (
        "000",
        {
            "title": "坪山区委(区政府)办公室2017年工作亮点及2018年工作思路",
            "index_no": "114403006955506492/2019-00001",
            "publisher": "深圳市坪山区政府办公室",
            "published": "2018-03-06",
            "written": "2018-03-06",
        },
        ("category",),
    ),
    ("001", {}, ("title", "index_no", "publisher", "published", "written", "category")),
    (
        "002",
        {
            "title": "珠晖区政府办2014年工作总结及2015年工作思路",
            "publisher": "珠晖区政府办",
            "written": "2015-03-20",
        },
        ("index_no", "published", "category"),
    ),
    ("003", {"written": "2019-01-07"}, ("title", "index_no", "publisher", "published", "category")),
    ("004", {}, ("title", "index_no", "publisher", "published", "written", "category")),
]


@pytest.mark.parametrize(("prefix", "fields", "missing"), SEED_FIELDS, ids=[row[0] for row in SEED_FIELDS])
def test_seed_fields_and_missing(prefix, fields, missing):
    imported = import_text(seed(prefix))
    assert imported.fields == fields
    assert imported.missing == missing


def test_seed_000_chrome_header_and_repeated_title_are_removed():
    imported = import_text(seed("000"))
    first = blocks(imported.body)[0]
    assert first.startswith("2017年,在区委(区政府)的坚强领导下")
    gone_words = (
        "【打印】",
        "浏览次数",
        "规章库",
        "办公室政府信息公开",
        "索引号",
        "坪山区委(区政府)办公室2017年工作亮点及",
    )
    for gone in gone_words:
        assert gone not in imported.body
    notes = "\n".join(imported.notes)
    assert "已删除页面元素：“【打印】" in notes
    assert "浏览次数" in notes
    assert "已删除网站页头：“政府信息公开 规章库”" in notes
    assert "已删除正文开头重复的标题。" in notes


SEED_HEADINGS = [
    ("000", ["## 一、2017年工作亮点", "## 二、存在的问题与挑战", "## 三、2018年工作思路与举措"]),
    ("001", ["## 一、2020年工作总结", "## 二、2020年工作计划"]),
    ("002", ["## 一、基本情况", "## 二、工作情况", "## 三、工作思路"]),
    (
        "003",
        [
            "## 2018年工作总结",
            "### 一、深化理论学习,提升队伍执政能力",
            "### 二、深入推进“一门式、一网式”政府服务模式改革",
            "### 三、推进皇冠体育,皇冠体育平台区政府门户网站集约化平台建设和电子政务云建设租赁项目",
            "### 四、信息化指挥大厅和公共服务中心24小时自助服务区建设",
            "### 五、严抓政务服务质量,提高窗口行政效能",
            "### 六、狠抓12345市民服务热线业务,实际问题得到解决",
            "## 存在的主要问题",
            "## 2019年工作安排",
            "### 一、继续深入学习贯彻党的十九大精神,加强窗口作风建设",
            "### 二、继续深入推进“一门式、一网式”政府服务模式改革",
            "### 三、继续推进皇冠体育,皇冠体育平台区政府门户网站集约化平台建设和电子政务云建设租赁项目",
            "### 四、继续推进信息化指挥大厅和公共服务中心24小时自助服务区建设",
            "### 五、扎实推进岗位竞赛及绩效考核工作,强化窗口管理",
            "### 六、积极推进12345市民服务热线提质、提效",
        ],
    ),
    (
        "004",
        [
            "## 一、综合协调高质高效",
            "## 二、政务督查扎实有效",
            "## 三、服务决策精准到位",
            "## 四、办文办会严谨细致",
            "## 五、法治保障坚强有力",
            "## 六、政务公开阳光透明",
            "## 七、数据共享加快推进",
            "## 八、应急海防常抓不懈",
            "## 九、队伍建设多管齐下",
            "## 十、廉政建设久久为功",
        ],
    ),
]


@pytest.mark.parametrize(("prefix", "headings"), SEED_HEADINGS, ids=[row[0] for row in SEED_HEADINGS])
def test_seed_headings(prefix, headings):
    body = import_text(seed(prefix)).body
    assert [block for block in blocks(body) if block.startswith("#")] == headings


def test_seed_paragraphs_with_a_numbered_lead_sentence_stay_paragraphs():
    body = blocks(import_text(seed("000")).body)
    assert any(block.startswith("(一)聚焦主业,狠抓落实,重点工作全面推进。一是") for block in body)
    assert not any(block.startswith("#") and "。" in block for block in body)


def test_seed_002_keeps_its_signature_in_the_body():
    imported = import_text(seed("002"))
    assert blocks(imported.body)[-2:] == ["珠晖区政府办", "2015年3月20日"]
    assert not imported.body.startswith("珠晖区政府办2014年工作总结")
    assert any("发布机构取自文末落款“珠晖区政府办”" in note for note in imported.notes)


def test_seed_002_signature_with_a_listed_short_name_gives_the_full_name():
    """发布机构 is the body's full name: the signature's short name (config bodies[].short) is replaced by it."""
    imported = import_text(seed("002"), [("衡阳市珠晖区人民政府办公室", "珠晖区政府办")])
    assert imported.fields["publisher"] == "衡阳市珠晖区人民政府办公室"
    assert "“珠晖区政府办”是 config.yaml 中“衡阳市珠晖区人民政府办公室”的简称，发布机构已填写为全称。" in imported.notes
    assert blocks(imported.body)[-2:] == ["珠晖区政府办", "2015年3月20日"]  # the signature itself stays as written


def test_seed_003_spam_is_kept_for_the_linter():
    imported = import_text(seed("003"))
    assert imported.body.count("皇冠体育") == seed("003").count("皇冠体育")
    assert "publisher" not in imported.fields  # the signature line above the date is not a clean name


SPAM_003 = "皇冠体育,皇冠体育平台"  # what was injected in place of the district's name, 20 times


def test_the_sample_document_from_seed_003_is_the_seed_with_only_its_spam_removed():
    """The sample content carries no invented text: cleaning seed 003 deletes the injected run and adds no word."""
    sample = (Path(__file__).parent.parent / "content" / "fdzdgknr" / "2019-shiliqu-zgb-gzzj.md").read_text(
        encoding="utf-8"
    )
    body = sample[sample.index("\n---\n", 4) + 5 :].lstrip("\n")
    assert seed("003").count(SPAM_003) == 20 and seed("003").replace(SPAM_003, "").count("皇冠") == 0
    assert body == import_text(seed("003").replace(SPAM_003, "")).body


def test_seed_bodies_keep_every_paragraph_without_indentation():
    for path in SEED_FILES:
        text = path.read_text(encoding="utf-8")
        body = import_text(text).body
        assert all(block == block.strip() for block in blocks(body)), path.name
        assert "\n\n\n" not in body


@pytest.mark.parametrize("path", SEED_FILES, ids=[p.name[:3] for p in SEED_FILES])
def test_seed_file_front_matter_round_trips_as_strings(path):
    imported = import_text(path.read_text(encoding="utf-8"))
    text = to_markdown_file(imported)
    data = front_matter(text)
    assert list(data) == [key for key in FIELD_ORDER if key in data]
    assert all(isinstance(value, str) for value in data.values())
    assert {key for key, value in data.items() if value == ""} == set(imported.missing)
    assert text.endswith("---\n\n" + imported.body)


# --- inline texts ---------------------------------------------------------------------------------

STATE_COUNCIL_BLOCK = (
    "索 引 号：000014349/2018-00222\u3000\u3000主题分类：卫生、体育\\医药管理\n"
    "发文机关：国务院\u3000\u3000成文日期：2018年12月21日\n"
    "标\u3000\u3000题：国务院关于印发某某方案的通知\n"
    "发文字号：国发〔2018〕43号\u3000\u3000发布日期：2018年12月29日\n"
    "主 题 词：\n"
    "\n"
    "国务院关于印发某某方案的通知\n"
    "各省、自治区、直辖市人民政府：\n"
)

METADATA_CASES = [
    (
        "padded labels, full-width colons, two pairs a line",
        STATE_COUNCIL_BLOCK,
        {
            "index_no": "000014349/2018-00222",
            "category": "卫生、体育\\医药管理",
            "publisher": "国务院",
            "written": "2018-12-21",
            "title": "国务院关于印发某某方案的通知",
            "doc_no": "国发〔2018〕43号",
            "published": "2018-12-29",
        },
    ),
    (
        "keywords, summary, genre and validity",
        (
            "索引号: 11441521007222385A/2020-00003 分类: 综合政务\\政务公开\n"
            "主题词: 工作总结、工作计划；政务公开\n内容概述: 本办年度工作。\n文种: 报告 有效性: 有效\n\n正文。\n"
        ),
        {
            "index_no": "11441521007222385A/2020-00003",
            "category": "综合政务\\政务公开",
            "keywords": ("工作总结", "工作计划", "政务公开"),
            "summary": "本办年度工作。",
            "genre": "报告",
            "validity": "有效",
        },
    ),
    (
        "zero-padded dates",
        "发布机构：某局\n成文日期：2020年07月03日 发布日期：2020/7/30\n\n正文。\n",
        {"publisher": "某局", "written": "2020-07-03", "published": "2020-07-30"},
    ),
    (
        "a lone 发布日期 line is chrome, not a metadata block",
        "关于某事的通知\n发布日期：2018-03-06\n正文第一段。\n",
        {"title": "关于某事的通知", "published": "2018-03-06"},
    ),
]


@pytest.mark.parametrize(
    ("text", "fields"), [case[1:] for case in METADATA_CASES], ids=[case[0] for case in METADATA_CASES]
)
def test_metadata(text, fields):
    assert import_text(text).fields == fields


def test_metadata_block_and_repeated_title_leave_the_body():
    body = import_text(STATE_COUNCIL_BLOCK).body
    assert body == "各省、自治区、直辖市人民政府：\n"


def test_an_unreadable_date_is_ignored_with_a_note():
    imported = import_text("索引号: 000014349/2018-00222\n发布日期: 2018年13月40日\n\n正文。\n")
    assert "published" not in imported.fields
    assert any("“发布日期”的值“2018年13月40日”不是可识别的日期" in note for note in imported.notes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-03-06", "2018-03-06"),
        ("2018年3月6日", "2018-03-06"),
        ("2018年03月06日", "2018-03-06"),
        ("2018/3/6", "2018-03-06"),
        ("2018.03.06", "2018-03-06"),
        ("2018 年 3 月 6 日", "2018-03-06"),
        ("2018年2月30日", None),
        ("三月六日", None),
        ("", None),
    ],
)
def test_iso_date(text, expected):
    assert iso_date(text) == expected


CHROME_LINES = [
    "【打印】 【关闭】",
    "【字体：大 中 小】",
    "【打印】 【字体:\xa0\xa0\xa0\xa0",
    "字体：大 中 小",
    "浏览次数：1234",
    "发布日期:2018-03-06\xa0\xa0浏览次数:-",
    "扫一扫在手机打开当前页",
]


@pytest.mark.parametrize("line", CHROME_LINES)
def test_chrome_lines_are_removed_and_noted(line):
    imported = import_text(f"第一段正文写在这里，内容较长。\n{line}\n第二段。\n")
    assert blocks(imported.body) == ["第一段正文写在这里，内容较长。", "第二段。"]
    assert f"已删除页面元素：“{line.strip()}”" in imported.notes


def test_text_that_only_mentions_chrome_words_is_kept():
    text = "请点击【打印】按钮打印本页，浏览次数不计入考核。\n"
    assert blocks(import_text(text).body) == [text.strip()]


TITLE_CASES = [
    ("short first line", "关于做好2019年春节期间有关工作的通知\n各单位：\n", "关于做好2019年春节期间有关工作的通知"),
    ("a sentence is not a title", "2018年，我办认真履职。\n一、主要工作\n", None),
    ("a numbered heading is not a title", "一、主要工作\n正文。\n", None),
    ("a long line is not a title", "长" * 61 + "\n正文。\n", None),
]


@pytest.mark.parametrize(("text", "title"), [case[1:] for case in TITLE_CASES], ids=[case[0] for case in TITLE_CASES])
def test_title_from_first_line(text, title):
    imported = import_text(text)
    assert imported.fields.get("title") == title
    assert ("title" in imported.missing) == (title is None)


SIGNATURE_CASES = [
    (
        "body and date",
        "正文。\n某某区人民政府办公室\n2015年3月20日\n",
        {"publisher": "某某区人民政府办公室", "written": "2015-03-20"},
    ),
    ("date only", "正文。\n2015年3月20日\n", {"written": "2015-03-20"}),
    (
        "before the public-release note",
        "正文。\n某某局\n2019年1月7日\n（此件公开发布）\n",
        {"publisher": "某某局", "written": "2019-01-07"},
    ),
    (
        "metadata wins",
        "发布机构：某某区人民政府办公室 成文日期：2015-03-18\n\n正文。\n某某区政府办\n2015年3月20日\n",
        {"publisher": "某某区人民政府办公室", "written": "2015-03-18"},
    ),
    (
        "a paragraph is not a body name",
        "正文。\n本办将继续努力，做好各项工作。\n2015年3月20日\n",
        {"written": "2015-03-20"},
    ),
]


@pytest.mark.parametrize(
    ("text", "fields"), [case[1:] for case in SIGNATURE_CASES], ids=[case[0] for case in SIGNATURE_CASES]
)
def test_signature(text, fields):
    imported = import_text(text)
    assert {key: imported.fields[key] for key in ("publisher", "written") if key in imported.fields} == fields
    assert blocks(imported.body)[-1] in text  # the signature stays in the body


HEADING_CASES = [
    ("一、总体情况\n正文。\n", ["## 一、总体情况", "正文。"]),
    ("一、总体情况\n（一）人员编制\n正文。\n", ["## 一、总体情况", "### （一）人员编制", "正文。"]),
    ("一、总体情况\n(二)人员编制\n正文。\n", ["## 一、总体情况", "### (二)人员编制", "正文。"]),
    (
        "一、总体情况\n（一）人员编制。区政府办公室人员编制共26名。\n",
        ["## 一、总体情况", "（一）人员编制。区政府办公室人员编制共26名。"],
    ),
    ("（一）根据部门职责调整，优化知识库建设。\n", ["（一）根据部门职责调整，优化知识库建设。"]),
    (
        "2018年工作总结\n一、深化理论学习，提升能力\n（一）组织学习\n正文。\n",
        ["## 2018年工作总结", "### 一、深化理论学习，提升能力", "#### （一）组织学习", "正文。"],
    ),
    ("正文。\n特此报告\n", ["正文。", "特此报告"]),
]


@pytest.mark.parametrize(("text", "expected"), HEADING_CASES, ids=[case[0].split("\n")[0] for case in HEADING_CASES])
def test_headings(text, expected):
    assert blocks(import_text("序言段落写在这里，内容较长。\n" + text).body)[1:] == expected


ESCAPE_CASES = [
    ("# 不是标题", "\\# 不是标题"),
    ("> 不是引用", "\\> 不是引用"),
    ("1. 不是列表", "1\\. 不是列表"),
    ("2) 不是列表", "2\\) 不是列表"),
    ("- 不是列表", "\\- 不是列表"),
    ("+ 不是列表", "\\+ 不是列表"),
    ("* 不是列表", "\\* 不是列表"),
    ("---", "\\---"),
    ("——法治政府建设有新突破。", "——法治政府建设有新突破。"),
    ("1+6+N管控指挥体系", "1+6+N管控指挥体系"),
    ("星号*强调*与下划线_a_", "星号\\*强调\\*与下划线\\_a\\_"),
    ("代码`x`与反斜杠\\", "代码\\`x\\`与反斜杠\\\\"),
    ("<b>不是标签</b>", "&lt;b>不是标签&lt;/b>"),
    ("见[附件](a.pdf)", "见\\[附件](a.pdf)"),
    ("宣[2018]19号", "宣[2018]19号"),
]


@pytest.mark.parametrize(("line", "expected"), ESCAPE_CASES, ids=[case[0] for case in ESCAPE_CASES])
def test_escaping_renders_the_text_as_written(line, expected):
    body = import_text("序言段落写在这里，内容较长。\n" + line + "\n").body
    assert blocks(body)[1] == expected
    assert markdown.markdown(expected) == f"<p>{html.escape(line, quote=False)}</p>"


def test_crlf_and_bom_give_the_same_result():
    text = seed("000")
    assert import_text("\ufeff" + text.replace("\n", "\r\n")) == import_text(text)
    assert import_text(text.replace("\n", "\r")) == import_text(text)


def test_empty_text():
    imported = import_text("")
    assert imported.fields == {}
    assert imported.body == ""
    assert imported.missing == ("title", "index_no", "publisher", "published", "written", "category")


# --- the content file -----------------------------------------------------------------------------


def test_file_layout_and_todo_lines():
    text = to_markdown_file(import_text(seed("002")))
    head = text.split("\n---\n")[0].split("\n")
    assert head[:7] == [
        "---",
        'title: "珠晖区政府办2014年工作总结及2015年工作思路"',
        'index_no: ""  # TODO 请填写：索引号，形如 机构代码/年份-五位序号',
        'publisher: "珠晖区政府办"',
        'published: ""  # TODO 请填写：发布日期，YYYY-MM-DD',
        'written: "2015-03-20"',
        'category: ""  # TODO 请填写：主题分类，如 综合政务\\政务公开',
    ]
    assert all(line.startswith("# ") for line in head[7:])  # optional keys, commented out


def test_tricky_values_survive_a_yaml_1_1_loader():
    tricky = {
        "title": '他说"是"：no # 不是注释 \\ 反斜杠',
        "index_no": "000014349/2018-00222",
        "publisher": "yes",
        "published": "2018-03-06",
        "written": "2018-03-06",
        "category": "综合政务\\政务公开",
        "genre": "on",
        "doc_no": "国发〔2018〕43号",
        "keywords": ("no", "2018", "a: b"),
        "summary": "第一句。\t第二句\u2028。",
        "validity": "有效",
    }
    text = to_markdown_file(Imported(tricky, "正文。\n", (), ()))
    data = front_matter(text)
    assert data == {**tricky, "keywords": list(tricky["keywords"])}
    assert all(isinstance(item, str) for item in data["keywords"])
    assert text.endswith("---\n\n正文。\n")


FRAGMENTS = st.sampled_from(
    [
        "索引号：",
        "名称: ",
        "发布日期：2018-03-06",
        "【打印】",
        "一、",
        "（一）",
        "\n",
        "\r\n",
        "2015年3月20日",
        "主题词：甲 乙",
        "。",
        "#",
        "---",
        '"',
        "\\",
        ": ",
        "\u2028",
        "\x85",
        "\x00",
    ]
)


@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=30).map("".join))
def test_any_text_gives_a_loadable_file(text):
    imported = import_text(text)
    data = front_matter(to_markdown_file(imported))
    scalars = [item for value in data.values() for item in ([value] if isinstance(value, str) else value)]
    assert all(isinstance(item, str) for item in scalars)
    assert set(imported.missing) == {key for key, value in data.items() if value == ""}
    for key, value in imported.fields.items():
        assert data[key] == (list(value) if isinstance(value, tuple) else value)
