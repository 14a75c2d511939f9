"""The site model, pure: ordering, held-back and draft documents, columns, facets and the pager."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xxgk.assemble import assemble, in_listing_order, paginate
from xxgk.config import load_config
from xxgk.model import CatalogEntry, Document
from xxgk.urls import document_path

from .conftest import MINIMAL_CONFIG, write_config


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    return load_config(write_config(tmp_path_factory.mktemp("cfg"), MINIMAL_CONFIG + "page_size: 5\n"))


def doc(serial: int, published: str, **fields) -> Document:
    index_no = f"114403006955506492/2019-{serial:05d}"
    values = {
        "src": f"content/{serial}.md",
        "title": f"文件{serial}",
        "index_no": index_no,
        "publisher": "深圳市坪山区政府办公室",
        "published": date.fromisoformat(published),
        "category": "综合政务\\政务公开",
        "genre": "通知",
        "column": "fdzdgknr",
        "path": document_path(index_no),
    }
    return Document(**{**values, **fields})


def test_newest_first_and_stable_for_equal_dates(config):
    docs = [doc(1, "2019-01-01"), doc(3, "2019-05-01"), doc(2, "2019-05-01")]
    site = assemble(docs, config, date(2026, 1, 1))
    assert [d.index_no[-1] for d in site.documents] == ["2", "3", "1"]


@given(st.lists(st.tuples(st.integers(1, 6), st.dates(date(2018, 1, 1), date(2018, 1, 4))), max_size=30))
def test_listing_order_is_the_sort_keys_for_any_documents(rows):
    docs = [doc(serial, day.isoformat(), title=f"第{n}件") for n, (serial, day) in enumerate(rows)]  # ties included
    assert in_listing_order(docs) == sorted(docs, key=Document.sort_key)


def test_published_reports_join_the_catalog_in_order_after_the_documents_they_tie_with(config):
    docs = [doc(1, "2019-01-01"), doc(2, "2019-05-01"), doc(3, "2019-03-01")]

    def report(index_no: str, published: str) -> CatalogEntry:
        return CatalogEntry(
            index_no, f"报告{published}", "深圳市坪山区政府办公室", date.fromisoformat(published), "", ""
        )

    reports = [
        report("114403006955506492/2019-00002", "2019-05-01"),  # ties with doc 2: after it
        report("114403006955506492/2019-00000", "2019-05-01"),
        report("114403006955506492/2019-00009", "2019-02-01"),
        report("114403006955506492/2019-00010", "2019-07-01"),  # not yet published on 2019-06-30
    ]
    site = assemble(docs, config, date(2019, 6, 30), reports)
    rows = [entry for page in site.catalog.pages for entry in page.documents]
    assert rows == sorted([*docs, *reports[:3]], key=lambda entry: entry.sort_key())
    assert rows.index(reports[0]) == rows.index(docs[1]) + 1


def test_future_and_draft_documents_are_held_back(config):
    docs = [doc(1, "2019-01-01"), doc(2, "2027-01-01"), doc(3, "2019-01-02", draft=True)]
    site = assemble(docs, config, date(2026, 1, 1))
    assert [d.index_no[-1] for d in site.documents] == ["1"]
    assert [d.index_no[-1] for d in site.held_back] == ["2"] and [d.index_no[-1] for d in site.drafts] == ["3"]
    assert site.catalog.total == 1


def test_published_on_the_day_itself(config):
    assert assemble([doc(1, "2026-01-01")], config, date(2026, 1, 1)).catalog.total == 1


def test_columns_are_all_present_even_when_empty(config):
    site = assemble([doc(1, "2019-01-01"), doc(2, "2019-01-01", column="zd")], config, date(2026, 1, 1))
    assert [(c.title, c.total) for c in site.columns] == [
        ("政府信息公开指南", 0),
        ("政府信息公开制度", 1),
        ("法定主动公开内容", 1),
        ("政府信息公开年报", 0),
        ("依申请公开", 0),
    ]
    assert site.columns[0].pages[0].documents == () and site.columns[0].url == "column/zn/index.html"


def test_facets(config):
    docs = [
        doc(1, "2019-01-01"),
        doc(2, "2018-01-01", category="综合政务\\应急管理", genre="意见"),
        doc(3, "2018-02-01", category="科技、教育", publisher="某局"),
    ]
    facets = {f.kind: f for f in assemble(docs, config, date(2026, 1, 1)).facets}
    assert [(t.title, t.total, t.parent, t.url) for t in facets["category"].terms] == [
        ("综合政务", 2, "", "category/zong-he-zheng-wu/index.html"),
        ("政务公开", 1, "综合政务", "category/zong-he-zheng-wu/zheng-wu-gong-kai/index.html"),
        ("应急管理", 1, "综合政务", "category/zong-he-zheng-wu/ying-ji-guan-li/index.html"),
        ("科技、教育", 1, "", "category/ke-ji-jiao-yu/index.html"),
    ]
    assert [(t.title, t.url) for t in facets["publisher"].terms] == [
        ("深圳市坪山区政府办公室", "publisher/ping-shan-qu-zheng-fu-ban/index.html"),
        ("某局", "publisher/mou-ju/index.html"),
    ]
    assert [t.title for t in facets["year"].terms] == ["2019年", "2018年"]
    assert [t.title for t in facets["genre"].terms] == ["意见", "通知"]


def test_pagination_pages_and_urls():
    listing = paginate("catalog", "目录", "catalog", [doc(n, "2019-01-01") for n in range(1, 12)], 5)
    assert [len(p.documents) for p in listing.pages] == [5, 5, 1]
    assert [p.url for p in listing.pages] == ["catalog/index.html", "catalog/2/index.html", "catalog/3/index.html"]
    assert listing.pages[1].previous.number == 1 and listing.pages[1].next.number == 3
    assert listing.pages[0].previous is None and listing.pages[2].next is None


@pytest.mark.parametrize(
    ("count", "current", "shown"),
    [
        (1, 1, [1]),
        (5, 3, [1, 2, 3, 4, 5]),
        (20, 1, [1, 2, 3, 4, None, 20]),
        (20, 10, [1, None, 7, 8, 9, 10, 11, 12, 13, None, 20]),
        (20, 20, [1, None, 17, 18, 19, 20]),
        (9, 5, [1, 2, 3, 4, 5, 6, 7, 8, 9]),
    ],
)
def test_pager_window(count, current, shown):
    listing = paginate("catalog", "目录", "catalog", [doc(1, "2019-01-01")] * count, 1)
    assert [p.number if p else None for p in listing.pages[current - 1].pager()] == shown


def test_site_urls_map_index_numbers_to_pages(config):
    site = assemble([doc(1, "2019-01-01"), replace(doc(2, "2019-01-01"), draft=True)], config, date(2026, 1, 1))
    assert site.urls == {"114403006955506492/2019-00001": "doc/114403006955506492/2019-00001.html"}
