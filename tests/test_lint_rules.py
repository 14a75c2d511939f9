"""The editorial linters (xxgk/check/): one row per rule with its exact code, level, line, column and message."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk.check.docno import corrected
from xxgk.check.links import host_of
from xxgk.check.lint import RULES, lint_html, lint_source
from xxgk.check.privacy import id15_valid, id18_valid, luhn_ok
from xxgk.check.text import fold, front_matter

from .conftest import REPO

SEED_003 = REPO / "tests" / "data" / "seeds" / "003_15d1990022740435.txt"
SAMPLES = sorted((REPO / "content" / "fdzdgknr").glob("*.md"))
OFFICIAL = frozenset({"0755-00000000"})
ALLOWED = frozenset({"example.gov.cn"})

E, W = "error", "warning"
ID_MSG = "公开了居民身份证号码（{0}）：个人信息公开前必须去标识化，请改为“{0}”或删除。"
MOBILE_MSG = "公开了手机号码（{0}）：个人信息公开前必须去标识化，请改为“{0}”或删除；单位的公开电话请登记为官方电话。"
CARD_MSG = "公开了银行卡号（{0}）：请删除，或打码为“{0}”（只保留前 4 位和后 4 位）。"
SPAM_MSG = "含疑似博彩/色情垃圾词{0}，多为页面被篡改或采集时混入：请删除该词（如替换了机关名称、文号，请改回原文），并排查来源。"  # noqa: E501
HIDDEN_MSG = "含隐藏元素 {0}（{1}）：隐藏文字和暗链是网页被篡改的常见手法，请删除该元素及其中的内容，并排查来源。"
MARK_MSG = "含密级标志“{0}”：标有密级的文件不得公开。请立即停止发布并按保密规定报告；如已依法解密，请删去密级标志并在公开前完成保密审查。"  # noqa: E501
NOTICE_MSG = "含“{0}”字样：内部文件不应公开发布。请确认已经保密审查、可以公开后删去该字样，否则撤下本文件。"


def front(doc_no: str = "", title: str = "关于开展检查的通知", genre: str = "通知") -> str:
    """A document whose 标题 is on line 2, 文种 on line 3 and 文号 on line 4 (values start at columns 9, 8 and 10)."""
    return f'---\ntitle: "{title}"\ngenre: {genre}\ndoc_no: "{doc_no}"\n---\n\n正文。\n'


def found(text: str, **options) -> list[tuple]:
    return [(p.code, p.level, p.line, p.column, p.message) for p in lint_source("content/a.md", text, **options)]


ROWS = [
    # --- privacy: 18-digit ID numbers (the standard's own examples), legacy 15-digit ones, mobiles, cards, landlines
    ("身份证号：11010519491231002X。", [("privacy-id-number", E, 1, 6, ID_MSG.format("110105********002X"))]),
    ("户主\n身份证 440524188001010014", [("privacy-id-number", E, 2, 5, ID_MSG.format("440524********0014"))]),
    (
        "全角：１１０１０５１９４９１２３１００２ｘ",
        [("privacy-id-number", E, 1, 4, ID_MSG.format("110105********002X"))],
    ),
    (
        "旧证 110105491231002",
        [
            (
                "privacy-id-number",
                E,
                1,
                4,
                "公开了 15 位旧居民身份证号码（110105*****1002）：个人信息公开前必须去标识化，请改为“110105*****1002”或删除。",  # noqa: E501
            )
        ],
    ),
    (
        "手机 13812345678；另 139-1234-5678",
        [
            ("privacy-mobile", E, 1, 4, MOBILE_MSG.format("138****5678")),
            ("privacy-mobile", E, 1, 18, MOBILE_MSG.format("139****5678")),
        ],
    ),
    ("开户行账号 6222021234567890128", [("privacy-bank-card", E, 1, 7, CARD_MSG.format("6222***********0128"))]),
    ("卡号 4111 1111 1111 1111", [("privacy-bank-card", E, 1, 4, CARD_MSG.format("4111********1111"))]),
    (
        "咨询电话：0755-12345678",
        [
            (
                "privacy-landline",
                W,
                1,
                6,
                "电话号码“0755-12345678”不是登记的单位官方电话：若是单位公开电话，请把它登记到配置的官方电话中；若是个人电话，请删除或打码为“0755-****5678”。",
            )
        ],
    ),
    # --- spam: listed terms (spaced, full-width), pinyin after characters
    (
        "第一行\n组织起草《皇 冠 体 育区公共服务站管理办法》",
        [("spam-term", E, 2, 6, SPAM_MSG.format("“皇 冠 体 育”（即“皇冠体育”）"))],
    ),
    (
        "欢迎访问ＢＥＴ３６５，首次充值即送",
        [
            ("spam-term", E, 1, 5, SPAM_MSG.format("“ＢＥＴ３６５”（即“bet365”）")),
            ("spam-term", E, 1, 12, SPAM_MSG.format("“首次充值”")),
        ],
    ),
    (
        "---\ntitle: 关于x的通知\npublisher: 即时比分办公厅\n---\n",
        [("spam-term", E, 3, 12, SPAM_MSG.format("“即时比分”"))],
    ),
    ("全天1分快3计划", [("spam-term", E, 1, 3, SPAM_MSG.format("“1分快3”"))]),
    (
        "國務院辦(ban)公廳",
        [
            (
                "spam-pinyin",
                E,
                1,
                5,
                "汉字“辦”后夹带拼音“(ban)”，这是被篡改或镜像页面的特征：请删除拼音，并核对全文是否被改动。",
            )
        ],
    ),
    # --- hidden elements in raw HTML of the body
    (
        '<noframes id="xs"><bdo>x</bdo></noframes>',
        [("hidden-element", E, 1, 1, HIDDEN_MSG.format('<noframes id="xs">', "<noframes>"))],
    ),
    (
        '正文\n<div style="display: none">x</div>',
        [("hidden-element", E, 2, 1, HIDDEN_MSG.format('<div style="display: none">', "display:none"))],
    ),
    (
        '<span style="visibility:hidden">x</span>',
        [("hidden-element", E, 1, 1, HIDDEN_MSG.format('<span style="visibility:hidden">', "visibility:hidden"))],
    ),
    ("文字<p hidden>x</p>", [("hidden-element", E, 1, 3, HIDDEN_MSG.format("<p hidden>", "hidden 属性"))]),
    (
        "<font style='font-size:0px'>x</font>",
        [("hidden-element", E, 1, 1, HIDDEN_MSG.format("<font style='font-size:0px'>", "font-size:0"))],
    ),
    # --- links outside the allow-list (Markdown, raw <a href>, bare URLs); spam in text or host makes them errors
    (
        "详见[通知](https://www.example.org/a.html)。",
        [
            (
                "external-link",
                W,
                1,
                8,
                "链接 https://www.example.org/a.html 指向站外网站“www.example.org”：请确认链接必要且可信，可信的站点请加入配置的允许域名列表，否则请删除该链接。",  # noqa: E501
            )
        ],
    ),
    (
        "网址 http://example.net/x，见附件",
        [
            (
                "external-link",
                W,
                1,
                4,
                "链接 http://example.net/x 指向站外网站“example.net”：请确认链接必要且可信，可信的站点请加入配置的允许域名列表，否则请删除该链接。",  # noqa: E501
            )
        ],
    ),
    (
        '<a href="https://hg365bet.com/">点击</a>',
        [
            (
                "external-link",
                E,
                1,
                10,
                "链接 https://hg365bet.com/ 指向疑似博彩/色情网站（含“365bet”）：请删除该链接，并排查页面是否被篡改。",
            ),
            ("spam-term", E, 1, 20, SPAM_MSG.format("“365bet”")),
        ],
    ),
    # --- classification marks and internal-only notices
    ("机密★5年\n正文", [("classified-mark", E, 1, 1, MARK_MSG.format("机密★"))]),
    ("标题\n秘密 保密期限：1年", [("classified-mark", E, 2, 1, MARK_MSG.format("秘密 保密期限"))]),
    (
        "（内部资料，注意保密）",
        [
            ("classified-mark", E, 1, 2, NOTICE_MSG.format("内部资料")),
            ("classified-mark", E, 1, 7, NOTICE_MSG.format("注意保密")),
        ],
    ),
    (
        "内部文件 不得外传",
        [
            ("classified-mark", E, 1, 1, NOTICE_MSG.format("内部文件")),
            ("classified-mark", E, 1, 6, NOTICE_MSG.format("不得外传")),
        ],
    ),
    # --- 文号 in the front matter, each with the corrected form
    (
        front("国办发[2020]26号"),
        [
            (
                "doc-no-brackets",
                E,
                4,
                13,
                "文号“国办发[2020]26号”的年份写成了“[2020]”，应使用六角括号〔〕且不加“年”：应写作“国办发〔2020〕26号”。",
            )
        ],
    ),
    (
        front("国办发﹝2020﹞26号"),
        [
            (
                "doc-no-brackets",
                E,
                4,
                13,
                "文号“国办发﹝2020﹞26号”的年份写成了“﹝2020﹞”，应使用六角括号〔〕且不加“年”：应写作“国办发〔2020〕26号”。",
            )
        ],
    ),
    (
        front("国办发〔19〕26号"),
        [
            (
                "doc-no-short-year",
                E,
                4,
                13,
                "文号“国办发〔19〕26号”的年份只写了两位“19”：请写全四位年份，如“〔2019〕”（请按发文年份核对）。",
            )
        ],
    ),
    (
        front("国办发〔2019〕01号"),
        [
            (
                "doc-no-leading-zero",
                E,
                4,
                19,
                "文号“国办发〔2019〕01号”的序号前补了 0：序号不编虚位，应写作“国办发〔2019〕1号”。",
            )
        ],
    ),
    (
        front("国办发〔2020〕26"),
        [("doc-no-missing-hao", E, 4, 21, "文号“国办发〔2020〕26”末尾缺少“号”：应写作“国办发〔2020〕26号”。")],
    ),
    (
        front("国办发〔2020〕第26号"),
        [
            (
                "doc-no-di",
                E,
                4,
                19,
                "文号“国办发〔2020〕第26号”的序号前不加“第”（只有令写作“令第N号”）：应写作“国办发〔2020〕26号”。",
            )
        ],
    ),
    (
        front("国办发〔２０２０〕２６号"),
        [
            (
                "doc-no-fullwidth",
                W,
                4,
                14,
                "文号“国办发〔２０２０〕２６号”用了全角数字：请改用半角阿拉伯数字，写作“国办发〔2020〕26号”。",
            )
        ],
    ),
    (
        front("国办发 〔2020〕26号"),
        [("doc-no-spaces", W, 4, 13, "文号“国办发 〔2020〕26号”中有空格：请删去空格，写作“国办发〔2020〕26号”。")],
    ),
    # GB/T 9704-2012 §7.2.5: a 发文字号's year goes in 〔〕, not after the 代字 with 年
    (
        front("国发2023年1号"),
        [
            (
                "doc-no-brackets",
                E,
                4,
                12,
                "文号“国发2023年1号”的年份“2023年”没有用六角括号〔〕：应写作“国发〔2023〕1号”（公告、令的编号才写“2024年第3号”这样的形式）。",
            )
        ],
    ),
    # GB/T 9704-2012 §7.2.5: the year of a 发文字号 is the year the document was made (its 成文日期)
    (
        "---\ndoc_no: 深坪府办〔2023〕3号\nwritten: 2024-01-05\n---\n",
        [
            (
                "doc-no-year",
                W,
                2,
                9,
                "文号“深坪府办〔2023〕3号”的年份 2023 与成文日期 2024-01-05 的年份 2024 不一致：文号的年份是发文（成文）的年份，请核对文号或成文日期。",  # noqa: E501
            )
        ],
    ),
    # --- the title's ending against genre:
    (
        front(genre="报告"),
        [
            (
                "genre-title-mismatch",
                W,
                2,
                16,
                "标题以“通知”结尾，但文种（genre）写的是“报告”：请把文种改为“通知”，或核对标题。",
            )
        ],
    ),
    (
        front(title="关于加强管理的意见（试行）", genre="通知"),
        [
            (
                "genre-title-mismatch",
                W,
                2,
                16,
                "标题以“意见”结尾，但文种（genre）写的是“通知”：请把文种改为“意见”，或核对标题。",
            )
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), ROWS, ids=[row[1][0][0] + f"-{i}" for i, row in enumerate(ROWS)])
def test_each_rule(text, expected):
    assert found(text, official_phones=OFFICIAL, allowed_hosts=ALLOWED) == expected


def test_every_rule_has_a_row_and_a_description():
    covered = {finding[0] for _, expected in ROWS for finding in expected}
    # attachment-unreadable is about a file, not text: tests/test_attachment_text.py and its lint document cover it.
    assert covered == set(RULES) - {"attachment-unreadable"}
    assert all(level in (E, W) and description for level, description in RULES.values())


PASSING = [
    # masked forms never match
    "身份证号：110105********002X，电话：138****1234，卡号：6222***********0128，座机 0755-****5678",
    "35*************123",
    "4405241880****0014，4405*********0014",  # masks are four stars or more
    # a wrong check character, an impossible birth date or area: not an ID number (order numbers and the like)
    "订单号 110105194912310021 与 440524188001010015",
    "110105194902300012 000105194912310024",
    # an ID-shaped run inside a longer number or code
    "流水号 9911010519491231002X1、A11010519491231002X、11010519491231002X7",
    "8613812345678 和 138123456789 不是手机号",
    # an index number and an all-digit 统一社会信用代码 that passes Luhn are codes, not cards or IDs
    "索引号 114403006955506492/2019-00001；代码 913505000000000483",
    # card-length numbers failing Luhn or starting like no card scheme
    "编号 6222021234567890127，流水 1234567890123456789",
    # the office's own published number
    "联系电话：0755-00000000",
    # ordinary words that contain a listed term's characters
    "加快3项改革，社区棋牌室开展象棋比赛，太阳城社区，严厉打击赌博违法犯罪",
    "附件(pdf)，条款(a)，蔚(yù)县，(GB/T 9704)",
    # classification words in prose, and the publishing category 内部资料性出版物
    "国家秘密的保密期限，除另有规定外，按规定执行；《内部资料性出版物管理办法》；涉密文件807份；保密工作",
    # links to allowed hosts and their subdomains; mail and phone links
    "[政策](https://www.example.gov.cn/zc/) <a href='http://example.gov.cn/'>首页</a> https://xxgk.example.gov.cn/a "
    "<mailto:office@example.gov.cn> [电话](tel:0755-00000000)",
    # a hidden-looking style that is not hidden; aria-hidden and a class named visually-hidden
    '<td style="text-align: center">x</td>'
    '<span style="font-size:0.9375rem" aria-hidden="true" class="visually-hidden">',
    # correct 文号 forms, including 令第N号 and a 文号 in the body written with square brackets (not front matter)
    front("国办发〔2020〕26号"),
    front("国务院令第711号", title="中华人民共和国政府信息公开条例", genre="令"),
    front("国办发明电〔2024〕12号", title="关于做好防汛工作的紧急通知（此件公开发布）", genre="通知"),
    front("", title="关于某事项的批复", genre="批复") + "依据呼政办发[2008]68号文件。",
    # titles without a kind at the end, 命令 for 令, 征求意见 as a notice and config-only genres
    front(title="示例区2018年工作总结及2019年工作安排", genre="报告"),
    front(title="中华人民共和国主席令", genre="命令"),
    front(title="关于《某办法》公开征求意见", genre="公告"),
    front(title="关于印发某办法的通知", genre="规范性文件"),
]


@pytest.mark.parametrize("text", PASSING)
def test_masked_allowed_and_ordinary_forms_pass(text):
    assert found(text, official_phones=OFFICIAL, allowed_hosts=ALLOWED) == []


def test_official_phones_also_cover_a_published_mobile_and_ignore_separators():
    assert (
        found("值班手机 13812345678，电话 075500000000", official_phones=frozenset({"138-1234-5678", "0755-00000000"}))
        == []
    )


def test_check_characters_and_dates():
    assert id18_valid("11010519491231002X") and id18_valid("440524188001010014") and id18_valid("321083197812162119")
    assert not id18_valid("110105194912310021") and not id18_valid("110105194902300012")
    assert id15_valid("110105491231002") and not id15_valid("110105491331002")
    assert luhn_ok("6222021234567890128") and not luhn_ok("6222021234567890127") and luhn_ok("4111111111111111")


@pytest.mark.parametrize(
    ("doc_no", "fixed"),
    [
        ("国办发[2020]26号", "国办发〔2020〕26号"),
        ("国办发（2020年）026", "国办发〔2020〕26号"),
        ("国办发〔2020〕第0026号", "国办发〔2020〕26号"),
        ("国务院令第711号", "国务院令第711号"),
        ("国办发〔２０２０〕 ２６ 号", "国办发〔2020〕26号"),
        ("国办公开办函〖2021〗30号", "国办公开办函〔2021〕30号"),
        ("国发2023年1号", "国发〔2023〕1号"),
    ],
)
def test_corrected_doc_no(doc_no, fixed):
    assert corrected(doc_no) == fixed


# 令 and 公告 numbering as real bodies write it (GB/T 9704-2012 §7.2.5 covers 发文字号; 令 and 公告 number with 第):
# none of these may give an error, which would block CI with a wrong "fix".
ORDER_NUMBERS = [
    "国家税务总局公告2024年第3号",
    "财政部 税务总局公告2023年第1号",
    "交通运输部令2022年第5号",
    "中国人民银行公告〔2020〕第5号",
    "2024年第3号公告",
    "国务院令第711号",
    "国家市场监督管理总局令第6号",
]


@pytest.mark.parametrize("doc_no", ORDER_NUMBERS)
def test_order_and_announcement_numbers_pass_gbt_9704_lint(doc_no):
    assert found(front(doc_no, title="国家税务总局关于某事项的公告", genre="公告")) == []
    assert corrected(doc_no) == doc_no


@pytest.mark.parametrize("doc_no", ["国家税务总局公告2024年第3号", "2024年第3号公告", "中国人民银行公告〔2020〕第5号"])
def test_order_numbers_still_warn_when_their_year_is_not_the_written_year(doc_no):
    text = f"---\ndoc_no: {doc_no}\nwritten: 2019-05-01\n---\n"
    assert [p[0] for p in found(text)] == ["doc-no-year"]


def test_one_value_with_several_problems_reports_each_with_the_same_fix():
    codes = [(code, column) for code, _, line, column, _ in found(front("国办发[2020] 第026"))]
    assert codes == [
        ("doc-no-brackets", 13),
        ("doc-no-spaces", 19),
        ("doc-no-di", 20),
        ("doc-no-leading-zero", 21),
        ("doc-no-missing-hao", 24),
    ]
    assert all(
        "应写作“国办发〔2020〕26号”" in p[4] or "写作“国办发〔2020〕26号”" in p[4]
        for p in found(front("国办发[2020] 第026"))
    )


def test_raw_seed_003_is_flagged_on_the_injected_lines():
    text = SEED_003.read_text(encoding="utf-8")
    problems = lint_source("tests/data/seeds/003.txt", text)
    lines = text.split("\n")
    assert {p.code for p in problems} == {"spam-term"} and all(p.is_error for p in problems)
    assert sorted({p.line for p in problems}) == [6, 9, 11, 13, 15, 16, 18, 20, 35, 39, 40, 41, 49]
    assert len(problems) == sum(line.count("皇冠体育") for line in lines) == 40
    assert all(lines[p.line - 1][p.column - 1 : p.column + 3] == "皇冠体育" for p in problems)


@pytest.mark.parametrize("path", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_documents_are_clean(path):
    # No errors and, as it happens, no warnings: no links, phone numbers, 文号 or mismatched 文种 in them.
    assert lint_source(str(path), path.read_text(encoding="utf-8"), official_phones=OFFICIAL) == []


# --- built pages


PAGE = """<!doctype html>
<html><head><link rel="canonical" href="https://www.example.gov.cn/xxgk/doc/a.html">
<link rel="schema.DC" href="http://purl.org/dc/elements/1.1/"></head>
<body><div class="page-controls" hidden><button>打印</button></div>
<main>{body}</main>
<footer><a href="https://beian.miit.gov.cn/">粤ICP备00000000号</a></footer></body></html>"""


def html_found(body: str) -> list[tuple]:
    html = PAGE.format(body=body)
    return [
        (p.code, p.level, p.line, p.column)
        for p in lint_html(
            "site/doc/a.html", html, allowed_hosts=frozenset({"www.example.gov.cn", "beian.miit.gov.cn"})
        )
    ]


def test_a_clean_page_passes_despite_the_templates_hidden_controls_and_schema_links():
    assert html_found("<p>正文</p>") == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<p>皇<b>冠</b>体&#32946;</p>", [("spam-term", E, 5, 10)]),
        (
            '<div style="display:none"><a href="https://example.org/">x</a></div>',
            [("hidden-element", E, 5, 7), ("external-link", W, 5, 42)],
        ),
        ('<div hidden><a href="/xxgk/">首页</a></div>', [("hidden-element", E, 5, 7)]),
        ('<script src="//cdn.example.com/x.js"></script>', [("external-link", W, 5, 20)]),
        ('<a href="http://example.org/">365bet</a>', [("external-link", E, 5, 16), ("spam-term", E, 5, 37)]),
        (
            '<meta name="keywords" content="政务公开,皇冠体育"><img src="/a.png" alt="性感荷官">',
            [("spam-term", E, 5, 43), ("spam-term", E, 5, 72)],
        ),
    ],
)
def test_markup_injected_into_a_built_page_is_caught(body, expected):
    assert html_found(body) == expected


def test_the_built_sample_site_has_only_its_footer_links_off_site(built_sample_site):
    pages = sorted(built_sample_site.rglob("*.html"))
    assert pages
    for page in pages:
        problems = lint_html(
            str(page), page.read_text(encoding="utf-8"), allowed_hosts=frozenset({"www.example.gov.cn"})
        )
        assert [(p.code, p.level) for p in problems] == [("external-link", W)] * 2, page
        assert "beian.miit.gov.cn" in problems[0].message and "zfwzzc.www.gov.cn" in problems[1].message


# --- views and properties


def test_fold_maps_every_character_back_to_the_raw_text():
    view = fold("Ａ皇 冠，体育&amp;<b>x</b>ß", squeeze=True, markup=True)
    assert view.text == "a皇冠体育xss"
    assert [view.raw_span(i, i + 1) for i in range(len(view.text))] == [
        (0, 1),
        (1, 2),
        (3, 4),
        (5, 6),
        (6, 7),
        (15, 16),
        (20, 21),
        (20, 21),
    ]


TRICKY = list(
    "<>/\"'=&#;:[]()!*_`|-\n 信息公开皇冠体育快3棋牌秘密★内部资料第号令〔〕[]（）0123456789Xx０１２３abhnt.:/"
) + [
    "http://",
    "https://evil.com",
    "<a href='",
    "<div style='display:none'>",
    "<noframes>",
    "11010519491231002X",
    "13812345678",
    "6222021234567890128",
    "0755-12345678",
    "\r\n",
    "辦(ban)",
    "&#30343;",
    "---\n",
    "doc_no: ",
    "title: ",
    "genre: ",
]
markdown_like = st.lists(st.sampled_from(TRICKY), max_size=80).map("".join)
front_matter_like = st.tuples(
    st.lists(
        st.tuples(
            st.sampled_from(["title", "genre", "doc_no", "文号", "标题", "文种", "x"]),
            st.one_of(st.text(max_size=20), markdown_like),
        ),
        max_size=6,
    ),
    markdown_like,
).map(lambda t: "---\n" + "\n".join(f"{k}: {v}" for k, v in t[0]) + "\n---\n" + t[1])


def assert_well_formed(problems, text: str, path: str) -> None:
    last_line = text.count("\n") + 1
    for p in problems:
        assert p.path == path and p.code in RULES and p.message and p.level in (E, W)
        assert 1 <= p.line <= last_line and p.column >= 1


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=300), markdown_like, front_matter_like))
def test_lint_source_never_crashes_and_every_finding_is_located(text):
    assert_well_formed(
        lint_source("content/a.md", text, allowed_hosts=ALLOWED, official_phones=OFFICIAL), text, "content/a.md"
    )


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=300), markdown_like))
def test_lint_html_never_crashes_and_every_finding_is_located(text):
    assert_well_formed(lint_html("site/a.html", text, allowed_hosts=ALLOWED), text, "site/a.html")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200), squeeze=st.booleans(), markup=st.booleans())
def test_every_view_character_comes_from_inside_the_raw_text(text, squeeze, markup):
    view = fold(text, squeeze=squeeze, markup=markup)
    spans = [view.raw_span(i, i + 1) for i in range(len(view.text))]
    assert all(0 <= s < e <= len(text) and s == view.raw_start(i) for i, (s, e) in enumerate(spans))
    assert [s for s, _ in spans] == sorted(s for s, _ in spans)
    assert view.raw_start(len(view.text)) == len(text)


def reference_fold(raw: str, squeeze: bool, markup: bool) -> tuple[str, list[tuple[int, int]]]:
    """The view's text and each character's raw span, worked out one character, tag or entity at a time (no runs)
    with a plain per-character map."""
    from xxgk.check.text import _ENTITY, _FOLD_SPECIAL, _SQUEEZE_SPECIAL, _TAG, _special

    special = _SQUEEZE_SPECIAL if squeeze else _FOLD_SPECIAL
    chars, spans, done = [], [], 0
    for match in re.finditer(f"{_TAG}|{_ENTITY}|{special}" if markup else special, raw):
        begin, stop = match.span()
        chars += raw[done:begin]
        spans += [(i, i + 1) for i in range(done, begin)]
        out = _special(match.group(), squeeze)
        chars += out
        spans += [(begin, stop)] * len(out)
        done = stop
    chars += raw[done:]
    spans += [(i, i + 1) for i in range(done, len(raw))]
    return "".join(chars), spans


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(
        st.sampled_from(
            [
                *"<p> &;#皇冠，体育。ＡＢ1２\n-x　AZaz\x00\x7fİßﬀ½㍿\u0301e\u1161ᄀ가ΣΑ\ud800😀",
                *[
                    "&amp;",
                    "&#12;",
                    "&amp",
                    "&#32946",
                    "&#x41",
                    "&#x130;",
                    "&lt;b&gt;",
                    "&#60;p>",
                    "<a href='x'>",
                    "</p>",
                ],
            ]
        ),
        max_size=40,
    ).map("".join)
    | st.text(max_size=100),
    squeeze=st.booleans(),
    markup=st.booleans(),
)
def test_the_view_and_its_map_are_what_folding_one_token_at_a_time_gives(text, squeeze, markup):
    view = fold(text, squeeze=squeeze, markup=markup)
    expected_text, expected_spans = reference_fold(text, squeeze, markup)
    assert view.text == expected_text
    assert [view.raw_span(i, i + 1) for i in range(len(view.text))] == expected_spans


def hostname_by_urlsplit(url: str) -> str:
    """The host as urlsplit reads it, the way host_of defines it."""
    try:
        host = urlsplit("http:" + url if url.startswith("//") else url).hostname
    except ValueError:
        return ""
    return (host or "").rstrip(".")


@settings(max_examples=500, deadline=None)
@given(
    url=st.tuples(
        st.sampled_from(["http://", "https://", "//", "HTTP://", "", "ftp://"]),
        st.lists(st.sampled_from([*"aZ0.-/?#:@[]%\t\n\r x", "example.com", "gov.cn", "::1", "１"]), max_size=12),
    ).map(lambda t: t[0] + "".join(t[1]))
)
def test_a_links_host_is_the_host_urlsplit_reads(url):
    assert host_of.__wrapped__(url) == hostname_by_urlsplit(url)


FRONT_MATTER_LINES = ["---", "--- ", "---\r", "----", "title: a", "标题: b", "doc_no: '1'", "genre: x", "written: 2020"]


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.sampled_from([*FRONT_MATTER_LINES, "", " ", "#", "x: y", "---\t\r", "\r"]), max_size=14),
    keys=st.sampled_from([frozenset({"doc_no", "written", "title", "genre"}), frozenset({"title"})]),
)
def test_front_matter_for_some_keys_is_the_whole_block_read_for_those_keys(lines, keys):
    raw = "\n".join(lines)
    assert front_matter(raw, keys) == {k: v for k, v in front_matter(raw).items() if k in keys}
