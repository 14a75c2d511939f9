"""Machine-readable output: feeds, sitemaps, JSON-LD, JSON twins, the catalog files, the manifest and verify."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest

from xxgk import feeds

from .conftest import GOOD_DOC, TODAY
from .test_build import many_documents

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PAGE = "site/doc/114403006955506492/2019-00001.html"


@pytest.fixture
def built(make_site, run_cli):
    def build(files: dict[str, str]):
        root = make_site(files)
        assert run_cli(["build", "--today", TODAY], root).code == 0
        return root / "site"

    return build


def json_ld(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1))


def test_feeds_and_sitemap_are_valid_xml_with_absolute_urls(built):
    site = built(many_documents(25))
    feed = ET.parse(site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 20
    assert entries[0].find(f"{ATOM}link").get("href").startswith("https://www.example.gov.cn/xxgk/doc/")
    assert feed.find(f"{ATOM}updated").text == entries[0].find(f"{ATOM}published").text
    assert (site / "publisher/ping-shan-qu-zheng-fu-ban/feed.xml").is_file()
    assert (site / "category/zong-he-zheng-wu/zheng-wu-gong-kai/feed.xml").is_file()
    urls = [u.find(f"{SITEMAP}loc").text for u in ET.parse(site / "sitemap.xml").getroot()]
    assert "https://www.example.gov.cn/xxgk/" in urls and "https://www.example.gov.cn/xxgk/catalog/2/" in urls
    assert len([u for u in urls if "/doc/" in u]) == 25 and len(urls) == len(set(urls))
    assert (
        site / "robots.txt"
    ).read_text() == "User-agent: *\nAllow: /\nSitemap: https://www.example.gov.cn/xxgk/sitemap.xml\n"


def test_a_large_site_gets_a_sitemap_index(built, monkeypatch):
    monkeypatch.setattr(feeds, "SITEMAP_LIMIT", 10)
    site = built(many_documents(25))
    index = ET.parse(site / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    parts = [s.find(f"{SITEMAP}loc").text.rsplit("/", 1)[1] for s in index]
    assert parts[0] == "sitemap-1.xml" and all((site / p).is_file() for p in parts)
    assert sum(len(ET.parse(site / p).getroot()) for p in parts) > 25


def test_json_ld_creative_work_and_legislation(built):
    rule = (
        GOOD_DOC.replace("2019-00001", "2019-00002")
        .replace("genre: 报告", "genre: 通知")
        .replace('doc_no: ""', "doc_no: 深坪府规〔2019〕1号")
        .replace("validity: 有效", "validity: 有效\nextra:\n  文件类型: 行政规范性文件")
    )
    site = built({"content/a.md": GOOD_DOC, "content/b.md": rule})
    work = json_ld((site / "doc/114403006955506492/2019-00001.html").read_text(encoding="utf-8"))
    assert work["@type"] == "CreativeWork" and work["identifier"]["value"] == "114403006955506492/2019-00001"
    law = json_ld((site / "doc/114403006955506492/2019-00002.html").read_text(encoding="utf-8"))
    assert law["@type"] == "Legislation"
    assert (law["legislationIdentifier"], law["legislationDate"], law["datePublished"]) == (
        "深坪府规〔2019〕1号",
        "2019-03-01",
        "2019-03-06",
    )
    assert law["legislationPassedBy"]["name"] == "深圳市坪山区政府办公室" and law["legislationType"] == "通知"
    assert law["legislationLegalForce"] == "https://schema.org/InForce"


def test_json_ld_cannot_close_its_script_element(built):
    title = "title: '</script><script>alert(1)</script>坪山区委的报告'"
    site = built(
        {"content/a.md": "\n".join(title if line.startswith("title:") else line for line in GOOD_DOC.split("\n"))}
    )
    html = (site / "doc/114403006955506492/2019-00001.html").read_text(encoding="utf-8")
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL).group(1)
    assert "<" not in script and json_ld(html)["name"].startswith("</script><script>")


def test_dublin_core_and_cms_metas(built):
    html = (built({"content/a.md": GOOD_DOC}) / "doc/114403006955506492/2019-00001.html").read_text(encoding="utf-8")
    for meta in (
        '<meta name="DC.identifier" content="114403006955506492/2019-00001">',
        '<meta name="DCTERMS.issued" content="2019-03-06">',
        '<meta name="PubDate" content="2019-03-06">',
        '<meta name="ContentSource" content="深圳市坪山区政府办公室">',
        '<meta name="SiteIDCode" content="4403000000">',
        '<meta name="ColumnName" content="法定主动公开内容">',
    ):
        assert meta in html


def test_json_twin_of_a_document(built):
    site = built(
        {
            "content/a.md": GOOD_DOC.replace(
                "validity: 有效", "validity: 有效\nattachments:\n  - {file: 表.pdf, title: 统计表}"
            ),
            "content/表.pdf": "%PDF-1.4\n",
        }
    )
    twin = json.loads((site / "doc/114403006955506492/2019-00001.json").read_text(encoding="utf-8"))
    assert twin["index_no"] == "114403006955506492/2019-00001" and twin["written"] == "2019-03-01"
    assert twin["body_html"].startswith('<h2 id="一2017年工作亮点">') and "东进战略" in twin["body_text"]
    assert twin["attachments"] == [
        {
            "title": "统计表",
            "url": "https://www.example.gov.cn/xxgk/doc/114403006955506492/2019-00001/表.pdf",
            "size": 9,
            "type": "pdf",
        }
    ]


def test_catalog_files_list_every_document(built):
    site = built(many_documents(7))
    raw = (site / "catalog.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:5] == ["索引号", "名称", "发布机构", "成文日期", "发布日期"] and len(rows) == 8
    catalog = json.loads((site / "catalog.json").read_text(encoding="utf-8"))
    assert catalog["total"] == 7 and [d["index_no"] for d in catalog["documents"]] == [r[0] for r in rows[1:]]


def test_verify_catches_a_changed_byte_a_missing_and_an_extra_file(built, run_cli, tmp_path):
    site = built({"content/a.md": GOOD_DOC})
    result = run_cli(["verify", str(site)], site.parent)
    assert result.code == 0 and result.out.startswith("核对通过")
    page = site / "doc/114403006955506492/2019-00001.html"
    page.write_bytes(page.read_bytes().replace("坪山".encode(), "坪出".encode(), 1))
    (site / "robots.txt").unlink()
    (site / "static/js/x.js").write_text("alert(1)")
    result = run_cli(["verify", str(site)], site.parent)
    assert result.code == 1
    assert f"{page}: 已被修改" in result.err and f"{site / 'robots.txt'}: 缺失" in result.err
    assert f"{site / 'static/js/x.js'}: 多出" in result.err


def test_manifest_lists_every_file_in_sha256sum_format(built):
    site = built({"content/a.md": GOOD_DOC})
    lines = (site / "manifest.sha256").read_text().splitlines()
    files = sorted(
        p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.name != "manifest.sha256"
    )
    assert [line.split("  ", 1)[1] for line in lines] == files
    assert all(re.fullmatch(r"[0-9a-f]{64}", line.split("  ")[0]) for line in lines)


def interpretation(serial: str, published: str, target: str = "2019-00001") -> str:
    return (
        GOOD_DOC.replace("2019-00001", serial)
        .replace("published: 2019-03-06", f"published: {published}")
        .replace("title: 坪山区委", "title: 《坪山区委")
        .replace("validity: 有效", f"validity: 有效\ninterprets: 114403006955506492/{target}")
    )


def test_interpretations_link_both_ways(built):
    site = built({"content/a.md": GOOD_DOC, "content/b.md": interpretation("2019-00002", "2019-03-07")})
    policy = (site / "doc/114403006955506492/2019-00001.html").read_text(encoding="utf-8")
    reading = (site / "doc/114403006955506492/2019-00002.html").read_text(encoding="utf-8")
    assert (
        '<h2 id="interpretations-heading">政策解读</h2>' in policy
        and 'href="../../doc/114403006955506492/2019-00002.html"' in policy
    )
    assert "本文是对以下文件的解读：" in reading and 'href="../../doc/114403006955506492/2019-00001.html"' in reading


def test_a_late_interpretation_warns(make_site, run_cli):
    # Wednesday 2019-03-06 -> Tuesday 2019-03-12 is 4 working days (Thu, Fri, Mon, Tue).
    root = make_site({"content/a.md": GOOD_DOC, "content/b.md": interpretation("2019-00002", "2019-03-12")})
    result = run_cli(["build", "--today", TODAY], root)
    assert result.code == 0
    assert (
        "content/b.md:9:1: 警告 interpretation-late 政策解读晚于原文件 4 个工作日发布（原文件 2019-03-06，本解读 2019-03-12）。"  # noqa: E501
        "解读应与政策同步发布，最迟不超过 3 个工作日。"
    ) in result.err


def test_an_interpretation_across_the_national_day_holiday_is_one_working_day_late(make_site, run_cli):
    # 国庆 2021: 10-01..10-07 off (国务院办公厅关于2021年部分节假日安排的通知), so 09-30 -> 10-08 is 1 working day.
    policy = GOOD_DOC.replace("written: 2019-03-01", "written: 2021-09-28").replace(
        "published: 2019-03-06", "published: 2021-09-30"
    )
    late = interpretation("2019-00002", "2021-10-08")
    result = run_cli(["build", "--today", TODAY], make_site({"content/a.md": policy, "content/b.md": late}))
    assert result.code == 0 and "interpretation" not in result.err and "政策解读晚于" not in result.err


def test_publication_more_than_20_working_days_after_it_was_made_warns(make_site, run_cli):
    """条例 art. 26: proactive disclosure within 20 working days of the document being made."""
    late = GOOD_DOC.replace(
        "written: 2019-03-01", "written: 2019-01-31"
    )  # 21 working days: 02-02, 02-03 worked, 02-04..10 off
    on_time = GOOD_DOC.replace("2019-00001", "2019-00002").replace("written: 2019-03-01", "written: 2019-02-01")
    result = run_cli(["build", "--today", TODAY], make_site({"content/a.md": late, "content/b.md": on_time}))
    assert result.code == 0
    assert (
        "content/a.md:9:1: 警告 publish-late 发布日期 2019-03-06 比成文日期 2019-01-31 晚 21 个工作日。《政府信息公开条例》第二十六条要求"  # noqa: E501
        "主动公开的政府信息自形成或者变更之日起 20 个工作日内公开：请核对两个日期，今后请及时公开。"
    ) in result.err
    assert "content/b.md" not in result.err


def test_repealed_documents_keep_their_url_show_a_banner_and_their_successor(built):
    old = GOOD_DOC.replace(
        "validity: 有效", "validity: 废止\nrepealed: 2020-01-01\nreplaced_by: 114403006955506492/2019-00002"
    )
    new = GOOD_DOC.replace("2019-00001", "2019-00002").replace("title: 坪山区委", "title: 新版坪山区委")
    site = built({"content/a.md": old, "content/b.md": new})
    page = (site / "doc/114403006955506492/2019-00001.html").read_text(encoding="utf-8")
    assert (
        "本文件已废止（2020年01月01日）" in page
        and 'href="../../doc/114403006955506492/2019-00002.html">新版坪山区委' in page
    )
    assert (site / "validity/repealed/index.html").is_file() and (site / "validity/in-force/index.html").is_file()
    assert "2019-00001" not in (site / "validity/in-force/index.html").read_text(encoding="utf-8")
    assert json_ld(page)["@type"] == "CreativeWork"  # a 报告 is not normative, so it carries no legal force


def test_a_repealed_rule_is_not_in_force(built):
    rule = GOOD_DOC.replace("genre: 报告", "genre: 令").replace(
        "validity: 有效", "validity: 废止\nrepealed: 2020-01-01"
    )
    page = (built({"content/a.md": rule}) / "doc/114403006955506492/2019-00001.html").read_text(encoding="utf-8")
    assert json_ld(page)["@type"] == "Legislation"
    assert json_ld(page)["legislationLegalForce"] == "https://schema.org/NotInForce"


def test_a_dangling_successor_is_an_error(make_site, run_cli):
    old = GOOD_DOC.replace(
        "validity: 有效", "validity: 失效\nrepealed: 2020-01-01\nreplaced_by: 114403006955506492/2019-00009"
    )
    result = run_cli(["build", "--today", TODAY], make_site({"content/a.md": old}))
    assert result.code == 1
    assert (
        "content/a.md:13:1: 错误 replaced-by-dangling 替代文件“114403006955506492/2019-00009”不是本站任何文件的索引号。请填写替代本文件的新文件的索引号。"  # noqa: E501
        in result.err
    )


def test_a_year_the_calendar_lacks_is_counted_monday_to_friday_with_a_warning_unless_config_covers_it(
    make_site, run_cli
):
    from .conftest import MINIMAL_CONFIG

    doc = (
        GOOD_DOC.replace("2019-00001", "2027-00001")
        .replace("written: 2019-03-01", "written: 2027-01-04")
        .replace("published: 2019-03-06", "published: 2027-01-05")
    )
    result = run_cli(["check"], make_site({"content/a.md": doc}))
    assert (
        result.code == 0 and "content/a.md:9:1: 警告 calendar-year 工作日日历不含 2027 年的放假调休安排" in result.err
    )
    config = MINIMAL_CONFIG + "working_days:\n  holidays: [2027-01-01]\n  workdays: []\n  years: [2027]\n"
    result = run_cli(["check"], make_site({"content/a.md": doc}, config))
    assert result.code == 0 and "工作日日历" not in result.err, result.err


def test_a_short_publisher_name_stops_check_and_build_with_the_full_name_as_the_fix(make_site, run_cli):
    """发布机构 must be the full name: a body's short name used to pass check and crash build on a shared path."""
    root = make_site(
        {
            "content/a.md": GOOD_DOC.replace("publisher: 深圳市坪山区政府办公室", "publisher: 坪山区政府办"),
            "content/b.md": GOOD_DOC.replace("2019-00001", "2019-00002"),
        }
    )
    for command in (["check"], ["build", "--today", TODAY]):
        result = run_cli(command, root)
        assert result.code == 1 and "Traceback" not in result.err
        assert "content/a.md:4" in result.err and "应写作“深圳市坪山区政府办公室”" in result.err
