"""The 政府信息公开 columns an inspector opens first: 指南, 依申请公开, 制度 and 年报, generated from config.yaml."""

from __future__ import annotations

import re

import pytest

from .conftest import GOOD_DOC, MINIMAL_CONFIG, TODAY


def text_of(page: str) -> str:
    """The visible text of a page's <main>, tags removed and spaces squeezed."""
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def read(site, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


@pytest.fixture
def build(make_site, run_cli):
    def run(config: str = MINIMAL_CONFIG, files: dict[str, str] | None = None):
        root = make_site(files if files is not None else {"content/a.md": GOOD_DOC}, config)
        result = run_cli(["build", "--today", TODAY], root)
        return result, root / "site"

    return run


def test_guide_carries_every_fact_art_12_and_51_require(build):
    """条例 art. 12: 指南 names the classification, how to obtain information, the office's name, address, hours,
    phone, fax and internet contact; art. 51: complaint, 行政复议 and 行政诉讼 channels."""
    result, site = build()
    assert result.code == 0 and "guide" not in result.err
    text = text_of(read(site, "column/zn/index.html"))
    for fact in [
        "测试区人民政府办公室",
        "测试区人民路1号",
        "000000",
        "工作日 9:00—18:00",
        "0755-00000000",
        "0755-00000001",
        "xxgk@example.gov.cn",
        "信息分类与编排体系",
        "获取方式",
        "20个工作日内予以公开",
        "向测试市人民政府办公室投诉、举报",
        "向测试区人民政府申请行政复议",
        "向测试区人民法院提起行政诉讼",
    ]:
        assert fact in text, fact
    assert "共 0 条" not in text and "暂无公开信息" not in text


def test_each_missing_guide_fact_is_a_check_warning(make_site, run_cli):
    """条例 art. 12: a guide without the office's phone or fax is incomplete, and `check` says which key to fill."""
    config = MINIMAL_CONFIG.replace("phone: 0755-00000000, fax: 0755-00000001, ", "")
    result = run_cli(["check"], make_site({"content/a.md": GOOD_DOC}, config))
    assert result.code == 0
    warnings = [line for line in result.err.splitlines() if "guide-missing" in line]
    assert [re.search(r"（(guide\.[a-z.]+)）", w).group(1) for w in warnings] == [
        "guide.office.fax",
        "guide.office.phone",
    ]


def test_without_a_guide_section_one_warning_lists_every_fact(make_site, run_cli):
    config = MINIMAL_CONFIG[: MINIMAL_CONFIG.index("guide:")]
    result = run_cli(["check"], make_site({"content/a.md": GOOD_DOC}, config))
    assert result.code == 0 and result.err.count("guide-missing") == 1
    assert (
        "config.yaml 没有 guide 设置：政府信息公开指南将缺少机构名称、办公地址、邮政编码、办公时间、联系电话、传真、电子邮箱"  # noqa: E501
        in result.err
    )


def test_application_page_art_29_fields_art_33_deadlines_channels_and_a_printable_form(build):
    """条例 art. 27–33, 42: who may apply, the three items of an application, 20 + 20 working days, fees;
    a static site takes no submissions, so it says so and links the channels (the online form when configured)."""
    config = (
        MINIMAL_CONFIG
        + "application:\n  channels: [在线, 信函, 当面, 电子邮件]\n  online_url: https://sq.example.gov.cn/apply\n"
    )
    result, site = build(config)
    assert result.code == 0
    page = read(site, "column/ysqgk/index.html")
    text = text_of(page)
    for fact in [
        "公民、法人或者其他组织",
        "本网站是静态网站，不能在线接收申请",
        "申请人的姓名或者名称、身份证明、联系方式",
        "名称、文号或者便于行政机关查询的其他特征性描述",
        "获取信息的方式、途径",
        "20个工作日内予以答复",
        "最长不超过20个工作日",
        "信息处理费",
        "邮寄至测试区人民路1号",
        "政府信息公开申请表",
        "申请人签名或盖章",
    ]:
        assert fact in text, fact
    assert '<a href="https://sq.example.gov.cn/apply" rel="noopener">在线申请系统</a>' in page
    assert 'href="mailto:xxgk@example.gov.cn"' in page
    assert page.index("在线申请") < page.index("信函申请") < page.index("当面申请") < page.index("电子邮件申请")
    assert "<form" not in page[page.index("<main") :]  # nothing pretends to submit


@pytest.mark.parametrize(
    ("application", "message"),
    [
        ("  channels: [在线]\n", "申请渠道含“在线”时，请在 application.online_url 写明在线申请系统的网址。"),
        ("  channels: [网上]\n", "申请渠道“网上”无效，可选：在线、信函、当面、传真、电子邮件。"),
        (
            "  online_url: ftp://a.gov.cn/\n",
            "application.online_url“ftp://a.gov.cn/”应为 http:// 或 https:// 开头的完整网址。",
        ),
        ("  channel: [信函]\n", "application中有未知的键“channel”。是否想写“channels”？"),
    ],
)
def test_bad_application_settings_are_config_errors(make_site, run_cli, application, message):
    result = run_cli(
        ["build", "--today", TODAY],
        make_site({"content/a.md": GOOD_DOC}, MINIMAL_CONFIG + "application:\n" + application),
    )
    assert result.code == 1 and message in result.err


def test_generate_false_leaves_the_column_to_the_editors_documents(build):
    """Editors can override the generated 指南 with a document of their own in column zn."""
    config = MINIMAL_CONFIG.replace("guide:\n", "guide:\n  generate: false\n")
    own = GOOD_DOC.replace("validity: 有效", "validity: 有效\ncolumn: zn")
    result, site = build(config, {"content/a.md": own})
    text = text_of(read(site, "column/zn/index.html"))
    assert result.code == 0 and "guide-missing" not in result.err
    assert "政府信息公开指南 为了保障" not in text and "共 1 条" in text and "坪山区委" in text


def test_annual_report_column_counts_and_lists_its_reports(build, make_site):
    """条例 art. 49: the 年报 column holds the reports; it must not read “共 0 条” under its own report."""
    from pathlib import Path

    sample = (Path(__file__).parent.parent / "reports" / "2021.yaml").read_text(encoding="utf-8")
    result, site = build(files={"content/a.md": GOOD_DOC, "reports/2021.yaml": sample})
    assert result.code == 0
    text = text_of(read(site, "column/nb/index.html"))
    assert "2021年政府信息公开工作年度报告" in text and "共 1 条（年度报告 1 篇，其他文件 0 条）" in text
    home = text_of(read(site, "index.html"))
    assert "政府信息公开年报 （1）" in home


def test_the_annual_report_column_is_the_one_config_names(build):
    """A portal whose 年报 column has another key says so once, with annual_column: the reports, their 目录 rows and
    the column's list of reports all follow it."""
    from pathlib import Path

    sample = (Path(__file__).parent.parent / "reports" / "2021.yaml").read_text(encoding="utf-8")
    config = MINIMAL_CONFIG + (
        "columns:\n  - {key: fdzdgknr, title: 法定主动公开内容}\n  - {key: ndbg, title: 年度报告}\n"
        "annual_column: ndbg\n"
    )
    result, site = build(config, {"content/a.md": GOOD_DOC, "reports/2021.yaml": sample})
    assert result.code == 0, result.err
    assert (site / "column/ndbg/2021.html").is_file() and not (site / "column/nb").exists()
    text = text_of(read(site, "column/ndbg/index.html"))
    assert "2021年政府信息公开工作年度报告" in text and "共 1 条（年度报告 1 篇，其他文件 0 条）" in text
    assert 'href="../column/ndbg/2021.html"' in read(site, "catalog/index.html")


def test_the_system_column_lists_the_national_rules(build):
    result, site = build()
    text = text_of(read(site, "column/zd/index.html"))
    assert "《中华人民共和国政府信息公开条例》（国务院令第711号" in text and "国办公开办函〔2021〕30号" in text


def test_column_pages_carry_the_government_cms_column_tags(build):
    """政府网站发展指引 (国办发〔2017〕47号) page tags: ColumnName, ColumnDescription, ColumnKeywords, ColumnType."""
    _, site = build()
    for path, name, kind in [
        ("column/fdzdgknr/index.html", "法定主动公开内容", "政府信息公开"),
        ("catalog/index.html", "政府信息公开目录", "政府信息公开目录"),
        ("year/2019/index.html", "2019年", "分类浏览"),
        ("year/index.html", "按年份浏览", "分类浏览"),
    ]:
        page = read(site, path)
        assert f'<meta name="ColumnName" content="{name}">' in page, path
        assert f'<meta name="ColumnType" content="{kind}">' in page, path
        for tag in ("ColumnDescription", "ColumnKeywords"):
            assert re.search(f'<meta name="{tag}" content="[^"]+">', page), (path, tag)


def test_pubdate_has_hh_mm_when_the_publication_time_is_given(build):
    timed = GOOD_DOC.replace("published: 2019-03-06", "published: 2019-03-06 09:30")
    result, site = build(files={"content/a.md": timed})
    page = read(site, "doc/114403006955506492/2019-00001.html")
    assert result.code == 0 and '<meta name="PubDate" content="2019-03-06 09:30">' in page
    _, site = build(files={"content/a.md": GOOD_DOC})
    assert '<meta name="PubDate" content="2019-03-06">' in read(site, "doc/114403006955506492/2019-00001.html")


def test_footer_has_the_error_report_link_and_the_badge_slot(build, make_site, run_cli):
    """政府网站发展指引: every page shows 我为政府网站找错 and the 党政机关网站标识 issued to the site."""
    _, site = build()
    page = read(site, "index.html")
    assert (
        '<a class="error-report" href="https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action?'
        'websiteCode=4403000000" rel="noopener">我为政府网站找错</a>'
    ) in page
    assert "党政机关网站标识" not in page  # no badge configured: the slot stays empty
    config = MINIMAL_CONFIG.replace(
        "  police:",
        "  conac_url: https://bszs.conac.cn/sitename?id=1\n"
        "  conac_image: img/favicon.svg\n  error_report_url: https://jc.example.gov.cn/\n  police:",
    )
    _, site = build(config)
    page = read(site, "index.html")
    assert '<a class="conac-badge" href="https://bszs.conac.cn/sitename?id=1" rel="noopener">' in page
    assert 'alt="党政机关网站标识"' in page and 'href="https://jc.example.gov.cn/"' in page
    missing = MINIMAL_CONFIG.replace("  police:", "  conac_image: img/nope.png\n  police:")
    result = run_cli(["build", "--today", TODAY], make_site({"content/a.md": GOOD_DOC}, missing))
    assert result.code == 1 and "footer.conac_image“img/nope.png”在 static/ 中不存在" in result.err


def test_catalog_shows_art_12_columns_and_the_configured_ones(build):
    """条例 art. 12: the 目录 lists each item's 索引、名称、内容概述、生成日期 (成文日期, else 发布日期); 文号 and 主题分类
    too by default; on phones the table scrolls inside a focusable region, so the 索引号 stays reachable."""  # noqa: E501
    undated = (
        GOOD_DOC.replace("2019-00001", "2019-00002")
        .replace("written: 2019-03-01\n", "")
        .replace('doc_no: ""', "doc_no: 深坪府办〔2019〕3号")
        .replace("validity: 有效", "validity: 有效\nsummary: 一段内容概述。")
    )
    _, site = build(files={"content/a.md": GOOD_DOC, "content/b.md": undated})
    page = read(site, "catalog/index.html")
    heads = re.findall(r'<th scope="col" class="[^"]+">([^<]+)</th>', page)
    assert heads == ["索引号", "名称", "内容概述", "生成日期", "文号", "主题分类", "发布机构", "发布日期"]
    assert '<div class="table-scroll catalog-scroll" tabindex="0" role="region" aria-label=' in page
    rows = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)[1:]
    ]
    assert rows[0].startswith("114403006955506492/2019-00001 坪山区委") and " 2019-03-01 " in rows[0]  # 成文日期
    assert "一段内容概述。 2019-03-06 深坪府办〔2019〕3号 综合政务\\政务公开" in rows[1]  # no 成文日期: 发布日期


@pytest.mark.parametrize(
    ("columns", "error"),
    [
        ("[index_no, title, summary, generated, doc_no]", None),
        ("[index_no, title, generated]", "目录必须包含 summary 列"),
        ("[index_no, title, summary, generated, 文号]", "目录列“文号”无效"),
    ],
)
def test_catalog_columns_are_a_config_choice_that_keeps_art_12s_four(build, columns, error):
    result, site = build(MINIMAL_CONFIG + f"catalog:\n  columns: {columns}\n")
    if error:
        assert result.code == 1 and error in result.err
    else:
        heads = re.findall(r'<th scope="col" class="[^"]+">([^<]+)</th>', read(site, "catalog/index.html"))
        assert result.code == 0 and heads == ["索引号", "名称", "内容概述", "生成日期", "文号"]


def meta_labels(page: str) -> list[str]:
    block = page[page.index('<table class="meta">') : page.index("</table>", page.index('<table class="meta">'))]
    return re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', block)  # rows folded on phones carry a class


NORMATIVE = GOOD_DOC.replace("2019-00001", "2019-00002").replace('doc_no: ""', "doc_no: 深坪府规〔2019〕1号")


@pytest.mark.parametrize(
    ("setting", "labels"),
    [
        ("", ["索引号", "主题分类", "发文机关", "成文日期", "标题", "发文字号", "发布日期", "主题词"]),
        (
            "metadata:\n  labels: portal\n",
            ["索引号", "主题分类", "发布机构", "成文日期", "名称", "文号", "发布日期", "主题词"],
        ),
    ],
)
def test_metadata_block_uses_the_gov_cn_labels_by_default_and_the_portal_set_as_an_option(build, setting, labels):
    """gov.cn's policy library labels the block 发文机关 / 标题 / 发文字号; a work summary shows no 有效性."""
    result, site = build(MINIMAL_CONFIG + setting, {"content/a.md": GOOD_DOC, "content/b.md": NORMATIVE})
    assert result.code == 0
    assert meta_labels(read(site, "doc/114403006955506492/2019-00001.html")) == labels
    assert meta_labels(read(site, "doc/114403006955506492/2019-00002.html")) == [*labels, "有效性"]


def test_validity_shows_for_configured_kinds_and_whenever_a_document_is_no_longer_in_force(build):
    repealed = GOOD_DOC.replace("validity: 有效", "validity: 废止\nrepealed: 2020-01-01")
    config = MINIMAL_CONFIG + "metadata:\n  validity_for: [报告]\n"
    result, site = build(files={"content/a.md": repealed})
    assert "有效性" in meta_labels(read(site, "doc/114403006955506492/2019-00001.html"))
    result, site = build(config, {"content/a.md": GOOD_DOC})
    assert result.code == 0 and "有效性" in meta_labels(read(site, "doc/114403006955506492/2019-00001.html"))
    result, _ = build(MINIMAL_CONFIG + "metadata:\n  labels: zhejiang\n")
    assert result.code == 1 and "metadata.labels“zhejiang”无效" in result.err


def test_art_20_items_are_sub_columns_of_the_statutory_column_shown_once_filled(build):
    """条例 art. 20: 法定主动公开内容 is subdivided by its fifteen items; an item with documents gets its page."""
    licence = GOOD_DOC.replace("validity: 有效", "validity: 有效\ncolumn: xzxk")
    result, site = build(files={"content/a.md": licence})
    assert result.code == 0
    parent = read(site, "column/fdzdgknr/index.html")
    assert '行政许可</a><span class="term-count">（1）' in parent and "共 1 条" in text_of(parent)
    child = text_of(read(site, "column/xzxk/index.html"))
    assert "《条例》第二十条第（五）项：办理行政许可" in child and "首页 法定主动公开内容 行政许可" in child
    assert not (site / "column/zfcg").exists()  # an empty item of the national list is not built
    nav = read(site, "index.html").split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert "法定主动公开内容" in nav and "行政许可" not in nav


def test_an_empty_configured_column_says_when_it_was_last_checked_or_is_hidden(build):
    """A blank column (空白栏目) is a veto item: it says when it was last checked, or config hides it."""
    config = (
        MINIMAL_CONFIG
        + """columns:
  - {key: zn, title: 政府信息公开指南}
  - {key: fdzdgknr, title: 法定主动公开内容}
  - {key: zfcg, title: 政府集中采购, parent: fdzdgknr, checked: 2026-11-02}
  - {key: zdxm, title: 重大建设项目, parent: fdzdgknr, hide_empty: true}
"""
    )
    result, site = build(config)
    assert result.code == 0
    assert "本栏目暂无应公开的信息（最近核查：2026年11月2日）。" in text_of(read(site, "column/zfcg/index.html"))
    assert not (site / "column/zdxm").exists()
    result, _ = build(config.replace("parent: fdzdgknr, checked", "parent: cg, checked"))
    assert result.code == 1 and "栏目“zfcg”的 parent“cg”不是已配置的一级栏目 key。" in result.err
