"""URL rules as pure functions: permanent document paths, listing pages, slugs, relative links."""

from __future__ import annotations

import pytest

from xxgk.urls import Linker, attachment_path, document_path, listing_path, term_slugs


@pytest.mark.parametrize(
    ("index_no", "path"),
    [
        ("114403006955506492/2019-00001", "doc/114403006955506492/2019-00001.html"),
        ("000014349/2020-00072", "doc/000014349/2020-00072.html"),
        ("01527918X-2020-153077", "doc/01527918X-2020-153077.html"),
        ("../etc/passwd", "doc/etc-passwd-e96c47.html"),
        ("索引/2019", "doc/suo-yin-2019-e41d8c.html"),
    ],
)
def test_document_paths(index_no, path):
    assert document_path(index_no) == path


def test_document_path_is_stable_and_title_free():
    assert document_path("000014349/2020-00072") == document_path("000014349/2020-00072")


@pytest.mark.parametrize(
    ("base", "number", "path"),
    [
        ("catalog", 1, "catalog/index.html"),
        ("catalog", 2, "catalog/2/index.html"),
        ("category/zong-he-zheng-wu", 3, "category/zong-he-zheng-wu/3/index.html"),
    ],
)
def test_listing_paths(base, number, path):
    assert listing_path(base, number) == path


def test_attachment_path():
    assert attachment_path("doc/a/2019-00001.html", "表.xlsx") == "doc/a/2019-00001/表.xlsx"


def test_term_slugs_are_readable_and_distinct():
    slugs = term_slugs(["综合政务", "通知", "通知。"])
    assert slugs["综合政务"] == "zong-he-zheng-wu"
    assert slugs["通知"] != slugs["通知。"] and slugs["通知"].startswith("tong-zhi-")


@pytest.mark.parametrize(
    ("page", "target", "href"),
    [
        ("index.html", "catalog/index.html", "catalog/"),
        ("index.html", "index.html", "./"),
        ("catalog/2/index.html", "index.html", "../../"),
        ("doc/a/2019-00001.html", "static/css/site.css", "../../static/css/site.css"),
        ("doc/a/2019-00001.html", "doc/a/2019-00002.html", "../../doc/a/2019-00002.html"),
    ],
)
def test_relative_links(page, target, href):
    assert Linker(page)(target) == href


def test_absolute_links_for_the_404_page():
    assert Linker("404.html", "/xxgk/")("catalog/index.html") == "/xxgk/catalog/"
