"""Search that forgives, with the same answers from the static index (StaticReader, the Python twin of
static/js/search.js) and the Whoosh index behind the `search` command: 发布机构 and 主题分类 names as free text,
traditional characters read as simplified, filters by 文种, 有效性 and a date range, and newest-first order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xxgk import search
from xxgk.model import Document
from xxgk.search import static_index as static_search
from xxgk.search.static_index import StaticReader, static_index

from .conftest import corpus_documents


@pytest.fixture(scope="module")
def documents() -> list[Document]:
    return corpus_documents(300, seed=12)


@pytest.fixture(scope="module")
def reader(documents) -> StaticReader:
    return StaticReader(dict(static_index(documents, parallel=False)))


@pytest.fixture(scope="module")
def whoosh_index(tmp_path_factory, documents) -> Path:
    path = tmp_path_factory.mktemp("forgiving") / "index"
    search.update_index(path, documents)
    return path


def static_answer(reader: StaticReader, documents: list[Document], query: str, **filters) -> list[str]:
    numbered = static_search.numbered(documents)
    return [numbered[hit.doc].index_no for hit in reader.search(query, **filters)]


def whoosh_answer(index: Path, query: str, by_date: bool = False) -> list[str]:
    return [hit.index_no for hit in search.search(index, query, limit=1000, by_date=by_date).hits]


def most_common(documents: list[Document], value) -> str:
    values = [value(d) for d in documents if value(d)]
    return max(sorted(set(values)), key=values.count)


def test_category_and_publisher_names_find_their_documents(documents, reader, whoosh_index):
    category = most_common(documents, lambda d: d.category.partition("\\")[2])  # a 二级 name
    short = most_common(documents, lambda d: d.publisher)[-3:]  # the end of a body's name, e.g. 财政局
    for query in (category, short, "税务", "税"):
        expected = {
            d.index_no
            for d in documents
            if query in f"{d.title}\n{d.body_text}\n{d.summary}\n"
            f"{' '.join(d.keywords)}\n{d.index_no}\n{d.doc_no}\n{d.publisher}\n{d.category}"
        }
        named = {d.index_no for d in documents if query in d.publisher + d.category}
        assert named, f"{query}: no document is filed under it, so the test would prove nothing"
        assert set(static_answer(reader, documents, query)) == expected, query
        assert set(whoosh_answer(whoosh_index, query)) == expected, query


@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [("政務公開", "政务公开"), ("財政預算", "财政预算"), ("稅務", "税务"), ("關於", "关于"), ("工作報告", "工作报告")],
)
def test_traditional_queries_find_what_the_simplified_ones_find(
    documents, reader, whoosh_index, traditional, simplified
):
    found = static_answer(reader, documents, simplified)
    assert found, f"{simplified} finds nothing, so the test would prove nothing"
    assert static_answer(reader, documents, traditional) == found
    assert whoosh_answer(whoosh_index, traditional) == whoosh_answer(whoosh_index, simplified)
    assert set(whoosh_answer(whoosh_index, traditional)) == set(found)


def test_filters_and_newest_first_agree_between_the_two_indexes(documents, reader, whoosh_index):
    genre = most_common(documents, lambda d: d.genre)
    cases = [  # (static filters, the same in the query language of the search command)
        ({"genre": genre}, f"genre:{genre}"),
        ({"validity": "失效"}, "validity:失效"),
        ({"validity": "有效"}, "validity:有效"),
        ({"start": "2019-03-01", "end": "2020-02-29"}, "published:[2019-03-01 TO 2020-02-29]"),
        ({"start": "2021-01-01"}, "published:[2021-01-01 TO]"),
        ({"end": "2016-12-31"}, "published:[TO 2016-12-31]"),
        (
            {"genre": genre, "start": "2018-01-01", "end": "2021-12-31"},
            f"genre:{genre} published:[2018-01-01 TO 2021-12-31]",
        ),
    ]
    for text in ("", "工作"):
        for filters, language in cases:
            static = static_answer(reader, documents, text, by_date=True, **filters)
            whoosh = whoosh_answer(whoosh_index, f"{text} {language}".strip(), by_date=True)
            assert static == whoosh, (text, filters)
            assert static, (text, filters)
            assert static == [d.index_no for d in sorted(documents, key=Document.sort_key) if d.index_no in static]
    nothing = static_answer(reader, documents, "", start="2030-01-01")
    assert nothing == [] == whoosh_answer(whoosh_index, "published:[2030-01-01 TO]")


def test_by_date_only_reorders(documents, reader, whoosh_index):
    best = static_answer(reader, documents, "工作")
    newest = static_answer(reader, documents, "工作", by_date=True)
    assert sorted(best) == sorted(newest) and best != newest
    assert whoosh_answer(whoosh_index, "工作", by_date=True) == newest
