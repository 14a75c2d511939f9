"""The static search index (xxgk/search/static_index.py): exact results, lookups, filters, ranking and stable bytes.

Queries run through StaticReader, the Python twin of static/js/search.js; tests/test_browser_search.py holds
the browser to the same results.
"""

from __future__ import annotations

import json
import random
import re
import tempfile
from datetime import date, timedelta

import pytest

from xxgk.model import Document
from xxgk.search import static_index as static_search
from xxgk.search.static_index import StaticReader, query_parts, static_index
from xxgk.search.tokens import normalize
from xxgk.urls import document_path

from .conftest import corpus_documents

# A small alphabet, so that generated texts share many substrings and near misses.
HAN = "财政预算审计公开信息政府工作报告税务管理服务深圳市区办发通知决定意见年度计划"
PUBLISHERS = ("深圳市财政局", "深圳市税务局", "深圳市人民政府办公厅")
CATEGORIES = ("财政、金融、审计\\财政", "财政、金融、审计\\税务", "综合政务\\政务公开")
CODE = "11440300MB2C92051X"


def make_doc(rng: random.Random, n: int) -> Document:
    def phrase() -> str:
        return "".join(rng.choice(HAN) for _ in range(rng.randint(1, 9)))

    def text(parts: int) -> str:
        separators = ["，", "。", " ", "、", "（", "）", "\n", "２０１９", "abc", "，ＡＢ１"]
        return "".join(phrase() + rng.choice(separators) for _ in range(parts))

    year = 2016 + n % 5
    published = date(year, 1, 1) + timedelta(days=rng.randrange(360))
    return Document(
        src=f"content/{n}.md",
        title=text(2),
        index_no=f"{CODE}/{year}-{n:05d}",
        publisher=PUBLISHERS[n % 3],
        published=published,
        category=CATEGORIES[n % 3],
        doc_no=f"深财预〔{year}〕{n}号" if n % 2 else "",
        keywords=(phrase(),),
        summary=text(1),
        body_text=text(25),
    )


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    rng = random.Random(20261123)
    return [make_doc(rng, n) for n in range(200)]


@pytest.fixture(scope="module")
def files(docs) -> dict[str, bytes]:
    return dict(static_index(docs, parallel=False))


def searchable(doc: Document) -> str:
    """Everything a query can match, normalised the way the index sees it: the 发布机构 and 主题分类 too."""
    return "\n".join(
        normalize(t)
        for t in (
            doc.title,
            doc.body_text,
            doc.summary,
            " ".join(doc.keywords),
            doc.index_no,
            doc.doc_no,
            doc.publisher,
            doc.category,
        )
    )


def numbered(docs: list[Document]) -> list[Document]:
    """The documents in the order of their numbers: oldest first."""
    return static_search.numbered(docs)


def found(files, query: str, **filters) -> list[int]:
    return [hit.doc for hit in StaticReader(files).search(query, **filters)]


def test_the_same_documents_give_the_same_bytes_in_any_order(docs, files):
    assert dict(static_index(list(reversed(docs)), parallel=False)) == files
    assert all(path.startswith("search/") for path in files)


def test_worker_processes_give_the_same_bytes(docs, files, monkeypatch):
    monkeypatch.setattr(static_search, "PARALLEL_FROM", 10)
    assert dict(static_index(docs, parallel=True)) == files


def same_index(made: tuple[list, static_search.Built], expected: tuple[list, static_search.Built]) -> None:
    """Every file, in the same order, and every figure of Built the same."""
    (files, index), (expected_files, expected_index) = made, expected
    assert files == expected_files
    assert list(index.made.items()) == list(expected_index.made.items())
    assert vars(index.layout) == vars(expected_index.layout)
    assert (index.small, index.term_buckets, index.characters) == (
        expected_index.small,
        expected_index.term_buckets,
        expected_index.characters,
    )


# The 200 documents have 16 term buckets: 4 and 16 partitions each hold several buckets or one, and each bucket of
# 64 partitions is made of four. The index they are held to is made in this process, in one chunk and partition.
@pytest.mark.parametrize("partitions", [4, 16, 64])
def test_chunks_spilled_in_any_number_of_partitions_join_into_the_same_index(docs, monkeypatch, partitions):
    monkeypatch.setattr(static_search, "partitions_for", lambda characters: 1)
    expected = static_search.in_memory(docs, parallel=False)
    assert expected[1].term_buckets == 16
    monkeypatch.setattr(static_search, "PARALLEL_FROM", 10)
    monkeypatch.setattr(static_search, "partitions_for", lambda characters: partitions)
    same_index(static_search.in_memory(docs, parallel=True), expected)
    same_index(static_search.in_memory(docs, parallel=False), expected)


def test_a_terms_size_is_worked_out_without_joining_as_the_length_of_its_joined_postings(docs, tmp_path):
    numbered_docs = list(enumerate(numbered(docs)))
    layout = static_search.Layout(len(docs), max(len(static_search.searchable_text(d)) for _, d in numbered_docs))
    job = (layout, str(tmp_path), 4)
    halves = [numbered_docs[:70], numbered_docs[70:]]  # two chunks: the pair postings' parts are joined too
    spills = [spill for half in halves for spill in static_search.spilled(job, half)]
    chunks = [(open(path, "rb"), offsets) for path, offsets in spills]
    try:
        sized = [
            (static_search._joined_size(pieces, layout), len(static_search._joined(pieces, layout)), type(pieces[0]))
            for p in range(4)
            for _, pieces in static_search._parts(chunks, [p])
        ]
    finally:
        for file, _ in chunks:
            file.close()
    assert {kind for _, _, kind in sized} == {bytes, tuple}
    assert all(size == length for size, length, _ in sized)


def test_a_corpus_large_enough_for_workers_gives_the_index_made_in_this_process():
    documents = corpus_documents(600, seed=3)  # 512 term buckets, 8 partitions
    assert len(documents) >= static_search.PARALLEL_FROM
    same_index(static_search.in_memory(documents), static_search.in_memory(documents, parallel=False))


@pytest.mark.parametrize("given", [True, False])
@pytest.mark.parametrize("parallel", [False, True])
def test_the_postings_spill_in_the_folder_given_and_are_removed_after_a_build_or_a_failed_one(
    docs, monkeypatch, tmp_path, parallel, given
):
    monkeypatch.setattr(static_search, "PARALLEL_FROM", 10)
    system, spill_in = tmp_path / "system", tmp_path / "cache"  # the system temp folder is used only when not given
    system.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system))
    used, unused = (spill_in, system) if given else (system, spill_in)
    while_written = []

    def seen(path: str, data: bytes) -> tuple[str, int]:
        while_written.append(sorted(p.name[: len(static_search.SPILL_PREFIX)] for p in used.iterdir()))
        return "", len(data)

    static_search.built(docs, seen, parallel, spill_in if given else None)
    assert while_written[0] == [static_search.SPILL_PREFIX] and list(unused.glob("*")) == []
    assert list(used.iterdir()) == []

    def failing(path: str, data: bytes) -> tuple[str, int]:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        static_search.built(docs, failing, parallel, spill_in if given else None)
    assert list(used.iterdir()) == []

    def inverted_but_for_the_last(layout, items):  # in a worker process, when parallel
        if items[-1][0] == len(docs) - 1:
            raise ValueError("no postings")
        return invert(layout, items)

    invert = static_search.invert
    monkeypatch.setattr(static_search, "invert", inverted_but_for_the_last)
    with pytest.raises(ValueError, match="no postings"):
        static_search.in_memory(docs, parallel, spill_in if given else None)
    assert list(used.iterdir()) == []


def test_only_folders_of_spilled_postings_are_removed_as_a_killed_build_left_them(tmp_path):
    for name in (f"{static_search.SPILL_PREFIX}a", f"{static_search.SPILL_PREFIX}b", "templates"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "0.bin").write_bytes(b"kept until removed")
    (tmp_path / "static-search.record").write_text("{}", encoding="utf-8")
    static_search.remove_spills(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["static-search.record", "templates"]


def test_han_strings_of_one_to_six_characters_find_exactly_the_documents_containing_them(docs, files):
    texts = [searchable(d) for d in numbered(docs)]
    rng = random.Random(7)
    runs = [r for t in texts for r in re.findall(f"[{HAN}]{{6,}}", t)]
    queries = {
        r[s : s + k] for r in rng.sample(runs, 120) for k in range(1, 7) for s in [rng.randrange(len(r) - k + 1)]
    }
    queries |= {"".join(rng.choice(HAN) for _ in range(rng.randint(2, 6))) for _ in range(120)}  # many found nowhere
    assert len(queries) > 300
    empty = 0
    for query in sorted(queries):
        want = {n for n, text in enumerate(texts) if query in text}
        assert set(found(files, query)) == want, query
        empty += not want
    assert 20 < empty < len(queries) - 200  # both kinds were really tried


def test_every_part_must_match_and_runs_never_join_across_punctuation(files, docs):
    texts = [searchable(d) for d in numbered(docs)]
    for query in ["财政 预算", "预算 2019", "财政预算，审计", "abc 税务"]:
        parts = query_parts(query)
        want = {n for n, t in enumerate(texts) if all(re.search(_part_pattern(p), t) for p in parts)}
        assert set(found(files, query)) == want, query


def _part_pattern(part: str) -> str:
    return re.escape(part) if re.match(f"[{HAN}]", part) else rf"(?<![0-9a-z]){re.escape(part)}(?![0-9a-z])"


def test_words_match_whole_and_full_width_forms_match_ascii():
    body = "2019年度预算 20190 ABC１２３ 深圳"
    doc = Document(
        src="a.md",
        title="标题",
        index_no=f"{CODE}/2019-00001",
        publisher="P",
        published=date(2019, 1, 1),
        body_text=body,
    )
    files = dict(static_index([doc], parallel=False))
    assert found(files, "２０１９") == [0]
    assert found(files, "abc123") == [0]
    assert found(files, "201") == []  # a word is matched whole, as the tokenizer keeps it
    assert found(files, "年度预算") == [0]
    assert found(files, "预算年度") == []


def test_index_numbers_and_document_numbers_are_found_in_any_bracket_form(docs, files):
    ordered = numbered(docs)
    doc = next(d for d in ordered if d.doc_no)
    number = ordered.index(doc)
    year = doc.published.year
    for query in [
        doc.index_no,
        doc.index_no.lower(),
        f"  {doc.index_no} ",
        doc.doc_no,
        doc.doc_no.replace(f"〔{year}〕", f"[{year}]"),
        doc.doc_no.replace(f"〔{year}〕", f"（{year}）"),
        doc.doc_no.replace(f"〔{year}〕", f"【{year}】"),
        doc.doc_no.replace(
            f"〔{year}〕", "［" + str(year).translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "］"
        ),
    ]:
        hits = StaticReader(files).search(query)
        assert hits[0].doc == number and hits[0].exact, query


def test_a_lookup_fetches_one_small_bucket(docs, files):
    reader = StaticReader(files)
    reader._exact(docs[0].index_no)
    lookups = [p for p in reader.fetched if p.startswith("search/id/")]
    assert len(lookups) == 1 and len(files[lookups[0]]) < 4096
    assert (
        static_search.lookup_key("深财预[2019] 3号")
        == static_search.lookup_key("深财预〔２０１９〕3号")
        == "深财预〔2019〕3号"
    )


def test_filters_narrow_by_publisher_category_and_year(docs, files):
    ordered = numbered(docs)
    texts = [searchable(d) for d in ordered]
    query = "财政"
    for filters, keep in [
        ({"publisher": PUBLISHERS[1]}, lambda d: d.publisher == PUBLISHERS[1]),
        ({"category": "综合政务"}, lambda d: d.category.startswith("综合政务\\")),
        ({"year": 2018}, lambda d: d.published.year == 2018),
        ({"publisher": PUBLISHERS[0], "year": 2016}, lambda d: d.publisher == PUBLISHERS[0] and d.year == 2016),
    ]:
        want = {n for n, d in enumerate(ordered) if query in texts[n] and keep(d)}
        assert set(found(files, query, **filters)) == want, filters
        # With no words, the filters alone list their documents, newest first (the largest numbers).
        assert found(files, "", **filters) == [n for n, d in reversed(list(enumerate(ordered))) if keep(d)], filters
    assert found(files, query, publisher="没有这个机构") == []


def test_title_hits_come_first_then_frequency_then_newest(docs, files):
    ordered = numbered(docs)
    hits = StaticReader(files).search("预算")
    assert len(hits) > 10
    assert [h.rank() for h in hits] == sorted(h.rank() for h in hits)
    titled = [h for h in hits if h.title_parts]
    assert titled and hits[: len(titled)] == titled
    assert all("预算" in normalize(ordered[h.doc].title) for h in titled)
    assert all("预算" not in normalize(ordered[h.doc].title) for h in hits[len(titled) :])
    same = [h for h in hits if not h.title_parts and h.tf == hits[-1].tf]
    assert [h.doc for h in same] == sorted((h.doc for h in same), reverse=True)


def test_result_files_hold_what_the_page_shows(docs, files):
    ordered = numbered(docs)
    reader = StaticReader(files)
    shown = reader.show(reader.search("财政"), page=2)
    assert 0 < len(shown) <= 10
    meta = json.loads(files["search/meta.json"])
    assert meta["documents"] == 200 and meta["page_size"] == 10
    first = json.loads(files["search/d/0.json"])
    assert first["title"] == ordered[0].title and first["url"] == document_path(ordered[0].index_no)
    assert first["published"] == ordered[0].published.isoformat()
    pieces = "".join(files[f"search/d/0-{k}.txt"].decode() for k in range(1, first["pieces"] + 1))
    assert first["text"] + pieces == ordered[0].body_text
    assert [y["year"] for y in meta["years"]] == [2020, 2019, 2018, 2017, 2016]
    assert sum(p["count"] for p in meta["publishers"]) == 200


def test_a_query_fetches_only_its_own_shards(files):
    reader = StaticReader(files)
    reader.search("财政预算 审计")
    terms = [p for p in reader.fetched if p.startswith("search/t/")]
    assert 3 <= len(terms) <= 8  # 财政预 政预算 (+ their own files) and 审计
    assert sum(len(files[p]) for p in reader.fetched) < 60_000


def test_an_empty_site_has_an_empty_index():
    files = dict(static_index([], parallel=False))
    assert json.loads(files["search/meta.json"])["documents"] == 0
    assert found(files, "财政") == []
