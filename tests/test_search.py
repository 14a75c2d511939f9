"""The Whoosh search index (xxgk/search/): analysis, the query language as a table, recall against a substring
scan, incremental updates against full rebuilds, and the errors users see."""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import random
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk import search
from xxgk.model import Document
from xxgk.search import analysis, engine, tokens

from .conftest import corpus_documents

PS = "114403006955506492"  # 深圳市坪山区政府办公室 and its departments share the district's prefix here
CODE_WITH_LETTERS = "11440310MB2C98765K"


def doc(
    n: int,
    title: str,
    body: str,
    *,
    publisher: str = "深圳市坪山区政府办公室",
    published: str = "2019-06-18",
    category: str = "综合政务\\政务公开",
    genre: str = "通知",
    doc_no: str = "",
    code: str = PS,
    validity: str = "有效",
    keywords: tuple[str, ...] = (),
    summary: str = "",
) -> Document:
    """A document of the hand-made corpus; its index number is {code}/{year}-000{n:02d}."""
    day = date.fromisoformat(published)
    return Document(
        src=f"content/t/{n:02d}.md",
        title=title,
        index_no=f"{code}/{day.year}-000{n:02d}",
        publisher=publisher,
        published=day,
        written=day,
        category=category,
        genre=genre,
        doc_no=doc_no,
        validity=validity,
        keywords=keywords,
        summary=summary,
        body_text=body,
    )


CORPUS = [
    doc(
        1,
        "关于做好2019年政府信息公开工作的通知",
        "各街道办事处、区直各单位：为深入贯彻《中华人民共和国政府信息公开条例》，做好2019年政府信息公开工作，"
        "现将有关事项通知如下。\n一、加强组织领导。各单位要明确分管领导和工作机构。\n二、推进决策公开。",
        published="2019-01-15",
        doc_no="深坪府办〔2019〕1号",
        keywords=("政务公开",),
    ),
    doc(
        2,
        "坪山区公开信息目录编制指引",
        "本指引规定公开信息目录的编制方法。目录按主题分类排列，每条公开信息应当标注索引号、发布机构和发布日期。",
        published="2019-03-01",
        genre="函",
    ),
    doc(
        3,
        "深圳市坪山区发展和改革局2018年工作总结",
        "2018年，我局围绕重大建设项目推进工作。统筹编制财政预算建议，配合完成财政预算审查；"
        "加强财政预算绩效管理。全年完成固定资产投资目标。",
        publisher="深圳市坪山区发展和改革局",
        published="2019-02-20",
        genre="报告",
        category="国民经济管理、国有资产监管\\宏观经济",
        doc_no="深坪发改〔2019〕12号",
    ),
    doc(
        4,
        "关于印发《坪山区义务教育学位申请办法》的通知",
        "各学校：现将《坪山区义务教育学位申请办法》印发给你们，请认真贯彻执行。本办法参照深坪发改〔2019〕12号"
        "（索引号：114403006955506492/2019-00003）有关要求制定。",
        publisher="深圳市坪山区教育局",
        published="2020-05-10",
        category="科技、教育\\教育",
        doc_no="深坪教〔2020〕3号",
    ),
    doc(
        5,
        "坪山区2019年财政预算执行情况的报告",
        "2019年全区一般公共预算收入完成年度目标。本报告按照信息公开的要求向社会公布。",
        publisher="深圳市坪山区财政局",
        published="2019-12-31",
        genre="报告",
        category="财政、金融、审计\\财政",
    ),
    doc(
        6,
        "关于开展安全生产专项检查的通知",
        "为落实安全生产责任，区政府办公室将会同区应急管理局开展专项检查。检查时间为6月至8月。",
        publisher="深圳市坪山区应急管理局",
        published="2018-06-01",
        category="市场监管、安全生产监管\\安全生产监管",
        doc_no="深坪应急〔2018〕7号",
    ),
    doc(
        7,
        "坪山河流域水环境综合整治工作方案",
        "为改善坪山河水质，制定本方案。各责任单位要加强工作。作风建设要贯穿整治全过程。本方案由区水务局负责解释。",
        publisher="深圳市坪山区水务局",
        published="2021-04-02",
        genre="意见",
        category="城乡建设、环境保护\\环境监测、保护与治理",
    ),
    doc(
        8,
        "坪山区老旧小区改造实施计划",
        "改造范围：坪山大道甲3号至马峦街道。按照（乙）类标准执行，2021年12月底前完成。",
        publisher="深圳市坪山区住房和建设局",
        published="2021-07-09",
        genre="通告",
        category="城乡建设、环境保护\\城乡建设（含住房）",
        code=CODE_WITH_LETTERS,
    ),
    doc(
        9,
        "关于调整区政府办公室工作规则的通知",
        "根据工作需要，对区政府办公室工作规则作如下调整。本通知自印发之日起施行。",
        published="2021-09-30",
        doc_no="深坪府函〔2021〕25号",
        code=CODE_WITH_LETTERS,
    ),
    doc(
        10,
        "深圳市坪山区2019年政务公开工作要点",
        "推进政务公开标准化规范化，全面提升政府信息公开质量。",
        published="2019-06-18",
        doc_no="深坪府办〔2019〕11号",
    ),
    doc(
        11,
        "坪山区文化惠民活动安排",
        "2019年度文化惠民活动共安排演出40场。BET365等非法网站广告一律不得投放。",
        publisher="深圳市坪山区文化广电旅游体育局",
        published="2019-08-08",
        genre="公告",
        category="文化、广电、新闻出版\\文化",
    ),
    doc(
        12,
        "关于废止部分规范性文件的决定",
        "经清理，决定废止《坪山区临时救助办法》等3件规范性文件。",
        published="2017-08-08",
        genre="决定",
        validity="失效",
        summary="废止3件规范性文件。",
    ),
]


def ids(*serials: str) -> list[str]:
    """Index numbers from short names: "19-01" is 坪山 2019 serial 01, "L21-08" the code with letters."""
    out = []
    for serial in serials:
        code = CODE_WITH_LETTERS if serial.startswith("L") else PS
        year, n = serial.lstrip("L").split("-")
        out.append(f"{code}/20{year}-000{n}")
    return out


def ranked(expected: list) -> list:
    """The expected answer as comparable groups: a string is one hit in its place, a set hits in any order."""
    return [set(ids(*item)) if isinstance(item, set) else ids(item)[0] for item in expected]


def grouped(hits: list[str], expected: list) -> list:
    """The hits cut like `expected`, sets where it has sets."""
    out, at = [], 0
    for item in expected:
        size = len(item) if isinstance(item, set) else 1
        out.append(set(hits[at : at + size]) if isinstance(item, set) else (hits[at] if at < len(hits) else None))
        at += size
    return out + hits[at:]


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("search") / "index"
    search.update_index(path, CORPUS)
    return path


def found(index_dir: Path, query: str, limit: int = 100) -> list[str]:
    return [hit.index_no for hit in search.search(index_dir, query, limit).hits]


# --- The query table ------------------------------------------------------------------------------------------

QUERIES = [
    # free text: every Han run is a phrase of its bigrams
    ("信息公开", ["19-01", {"19-05", "19-10"}]),  # a set where the order is not the point
    ('"信息公开"', ["19-01", {"19-05", "19-10"}]),
    ('"公开信息"', ["19-02"]),  # the same characters scrambled: only the document that has them in this order
    ("信息公开条例", ["19-01"]),
    ("财政预算", ["19-05", "19-03"]),  # title match first, although 19-03 says it three times in its body
    # across words: 区政府办公室, 深坪府办〔2019〕; 19-02 and 17-12 only through their 发布机构 区政府办公室
    ("府办", [{"19-01", "19-10", "18-06", "L21-09", "19-02", "17-12"}]),
    # the 主题分类 and 发布机构 names are free text too; traditional characters read as simplified
    ("宏观经济", ["19-03"]),  # only in its 主题分类 国民经济管理、国有资产监管\宏观经济
    ("宏觀經濟", ["19-03"]),
    ("教育局", ["20-04"]),  # only in its 发布机构
    ("政務公開", [{"19-10", "19-01", "19-02", "L21-09", "17-12"}]),
    ("工作作风", []),
    ("工作风", []),  # 工作。作风 in 21-07: the bigrams of two runs never form a phrase
    ("坪山河 水质", ["21-07"]),
    ("安全生产 专项检查 应急管理局", ["18-06"]),
    ("2019年度", ["19-11"]),
    ("2019年", [{"19-01", "19-05", "19-10", "19-11"}]),  # 年 ends the query: also a run starting with 年 (年度)
    ("年12月", ["L21-08"]),
    ("12月", ["L21-08"]),
    ("bet365", ["19-11"]),
    ("ＢＥＴ３６５", ["19-11"]),  # full-width letters and digits are NFKC-normalised
    # one Han character: anywhere in a run, a run of its own, or only ever ending runs
    ("释", ["21-07"]),
    ("乙", ["L21-08"]),
    ("峦", ["L21-08"]),
    ("调", ["L21-09"]),
    # index numbers: exact, prefix, any case; bare numbers ranked first
    ("index_no:114403006955506492/2019-00003", ["19-03"]),
    ("索引号:114403006955506492/2019-00003", ["19-03"]),
    ("index_no:114403006955506492/2019-*", ["19-05", "19-11", "19-10", "19-02", "19-03", "19-01"]),  # newest first
    ("index_no:11440310mb2c98765k/2021-00008", ["L21-08"]),
    ("114403006955506492/2019-00003", ["19-03", "20-04"]),  # 20-04 cites it in its body
    # 文号 in any bracket, any width
    ("doc_no:深坪府办〔2019〕1号", ["19-01"]),
    ("doc_no:深坪府办[2019]1号", ["19-01"]),
    ("doc_no:深坪府办(2019)1号", ["19-01"]),
    ("doc_no:深坪府办（2019）1号", ["19-01"]),
    ("doc_no:深坪府办【2019】1号", ["19-01"]),
    ("doc_no:深坪府办［2019］1号", ["19-01"]),
    ("doc_no:深坪府办﹝2019﹞1号", ["19-01"]),
    ("doc_no:深坪府办〔２０１９〕１号", ["19-01"]),
    ("文号:深坪府办〔2019〕11号", ["19-10"]),
    ("doc_no:深坪府办〔2019〕*", ["19-10", "19-01"]),
    ("深坪发改[2019]12号", ["19-03", "20-04"]),  # bare 文号: the document itself first, then the one citing it
    # facets
    ("publisher:深圳市坪山区发展和改革局", ["19-03"]),
    ("publisher:发展和改革局", ["19-03"]),
    ("publisher:政府办公室 year:2019", ["19-10", "19-02", "19-01"]),
    ("发布机构:水务局", ["21-07"]),
    ("category:政务公开", ["L21-09", "19-10", "19-02", "19-01", "17-12"]),
    ("category:综合政务", ["L21-09", "19-10", "19-02", "19-01", "17-12"]),
    ("category:城乡建设（含住房）", ["L21-08"]),
    ("category:科技、教育/教育", ["20-04"]),
    ("genre:报告", ["19-05", "19-03"]),
    ("validity:失效", ["17-12"]),
    # dates, built as DateRange here (Whoosh's date parser would start this range on 2019-01-01)
    ("published:[2019-02-01 TO 2019-12-31]", ["19-05", "19-11", "19-10", "19-02", "19-03"]),
    ("published:[2019-01-01 TO 2019-01-31]", ["19-01"]),
    ("published:[2019-12-31 TO 2019-12-31]", ["19-05"]),
    ("published:[2021-01-01 TO]", ["L21-09", "L21-08", "21-07"]),
    ("published:[TO 2018-12-31]", ["18-06", "17-12"]),
    ("published:2019-06", ["19-10"]),
    ("发布日期:[2019年2月1日 TO 2019年3月1日]", ["19-02", "19-03"]),
    ("published:[20190201 TO 20190301]", ["19-02", "19-03"]),
    ("written:[2020-01-01 TO 2020-12-31]", ["20-04"]),
    ("信息公开 published:[2019-02-01 TO 2019-12-31]", [{"19-05", "19-10"}]),
    # operators
    ("信息公开 AND 决策", ["19-01"]),
    ("财政预算 OR 学位", ["19-05", "20-04", "19-03"]),
    ("信息公开 NOT 通知", [{"19-05", "19-10"}]),
    ("(坪山河 OR 老旧小区) 2021年", ["L21-08"]),  # 21-07's 2021 is only in its index number
    ("(坪山河 OR 老旧小区) 工作", ["21-07"]),
    ("title:工作", [{"L21-09", "21-07", "19-10", "19-01", "19-03"}]),
]


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_query_table(index, query, expected):
    assert grouped(found(index, query), expected) == ranked(expected)


def searchable(document: Document) -> str:
    """The normalised text free-text search covers: title, index number, 文号, keywords, summary, body, and the
    发布机构 and 主题分类 names."""
    return tokens.normalize(
        "\n".join(
            [
                document.title,
                document.index_no,
                document.doc_no,
                " ".join(document.keywords),
                document.summary,
                document.body_text,
                document.publisher,
                document.category.replace("\\", " "),
            ]
        )
    )


@pytest.mark.parametrize("query", [q for q, _ in QUERIES if re.fullmatch(r'"?[\w]+"?', q) and ":" not in q])
def test_free_text_rows_agree_with_a_substring_scan(index, query):
    needle = tokens.normalize(query.strip('"'))
    assert set(found(index, query)) == {d.index_no for d in CORPUS if needle in searchable(d)}


def test_scores_put_title_matches_first_and_bare_numbers_on_top(index):
    result = search.search(index, "财政预算")
    assert result.hits[0].score > 2 * result.hits[1].score  # title boost
    bare = search.search(index, "深坪发改〔2019〕12号")
    assert bare.hits[0].index_no == ids("19-03")[0] and bare.hits[0].score > 1000 * bare.hits[1].score


def test_limit_total_snippet_and_json(index):
    result = search.search(index, "信息公开", limit=2, base_url="https://example.gov.cn/xxgk/")
    assert result.total == 3 and len(result.hits) == 2
    first = result.hits[0]
    assert first.url == "https://example.gov.cn/xxgk/doc/114403006955506492/2019-00001.html"
    assert first.published == date(2019, 1, 15) and first.publisher == "深圳市坪山区政府办公室"
    assert "【信息公开】" in first.snippet.marked() and "【" not in first.snippet.text
    assert all(first.snippet.text[s:e] == "信息公开" for s, e in first.snippet.spans)
    data = json.loads(json.dumps(result.to_json(), ensure_ascii=False))
    assert data["query"] == "信息公开" and data["total"] == 3
    assert set(data["hits"][0]) >= {"index_no", "title", "publisher", "published", "url", "score"}
    assert data["hits"][0]["published"] == "2019-01-15"


def test_snippet_maps_matches_back_through_nfkc():
    text = "第一段无关内容。" * 20 + "重量为5㎏左右的信息公开资料"
    snippet = search.make_snippet(text, ["信息公开", "5kg"])
    assert "【5㎏】" in snippet.marked() and "【信息公开】" in snippet.marked() and snippet.text.startswith("…")


@pytest.mark.parametrize(
    ("label", "key", "value"),
    [
        ("体裁", "genre", "报告"),
        ("名称", "title", "工作"),
        ("时效", "validity", "失效"),
        ("生成日期", "written", "2019"),
        ("发文字号", "doc_no", "深坪府办〔2019〕1号"),
        ("年份", "year", "2021"),
    ],
)
def test_a_field_is_named_by_its_key_or_any_of_its_front_matter_labels(index, label, key, value):
    assert found(index, f"{label}:{value}") == found(index, f"{key}:{value}") != []


def test_equal_scores_order_newest_first_then_by_index_number(index):
    assert found(index, "publisher:坪山区政府办公室") == ids("L21-09", "19-10", "19-02", "19-01", "17-12")
    assert len(found(index, "publisher:坪山区", limit=3)) == 3


# --- Analysis -------------------------------------------------------------------------------------------------


def test_tokenizer_positions_offsets_and_flags():
    text = "重量5㎏左右，信息公开。公开"
    analyzer = search.SCHEMA["text"].analyzer
    toks = [(t.text, t.pos, t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True)]
    plain = [t for t in toks if not t[0].startswith("^") and not t[0].endswith("$")]
    assert plain == [
        ("重量", 0, 0, 2),
        ("5kg", 1, 2, 4),
        ("左右", 2, 4, 6),
        ("信息", 4, 7, 9),
        ("息公", 5, 8, 10),
        ("公开", 6, 9, 11),
        ("公开", 8, 12, 14),
    ]  # a position skipped after each 。between Han runs
    assert ("量$", 0, 1, 2) in toks and ("^左", 2, 4, 5) in toks  # the edges of runs that meet ASCII
    assert [text[s:e] for _, _, s, e in plain] == ["重量", "5㎏", "左右", "信息", "息公", "公开", "公开"]
    assert [t.text for t in analyzer(text)] == [t[0] for t in toks]  # positions and chars are optional


def test_tokens_are_those_of_the_tokenizer_of_record():
    text = "坪山区2019年政务公开工作要点（BET365）"
    norm = tokens.normalize(text)
    assert [t.text for t in search.positioned(text)] == [t.text for t in tokens.tokenize(norm)]


def test_indexed_postings_equal_the_analyzer_output():
    field = search.SCHEMA["text"]
    for document in CORPUS:
        value = searchable(document)
        by_analyzer: dict[str, list[int]] = {}
        for t in field.analyzer(value, positions=True):
            by_analyzer.setdefault(t.text, []).append(t.pos)
        postings = {w: field.format.decode_positions(v) for w, _, _, v in field.format.word_values(value, None)}
        assert postings == by_analyzer


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="信息公开年政府办号第ab12ＡＢ０１，。、 \n$^", max_size=30))
def test_the_fast_postings_equal_the_analyzer_output_on_any_text(text):
    by_analyzer: dict[str, list[int]] = {}
    for t in search.SCHEMA["text"].analyzer(text, positions=True):
        by_analyzer.setdefault(t.text, []).append(t.pos)
    assert analysis.postings(tokens.normalize(text)) == by_analyzer


def every_posting(index_dir: Path) -> dict:
    """(field, term) -> sorted (index number, weight, value) of every posting in the index."""
    from whoosh import index as whoosh_index  # noqa: PLC0415  (a test looking under the hood)

    out = {}
    with whoosh_index.open_dir(str(index_dir), indexname=search.INDEX_NAME).reader() as reader:
        keys = {number: stored["index_no"] for number, stored in reader.iter_docs()}
        for fieldname, term in reader.all_terms():
            matcher, found = reader.postings(fieldname, term), []
            while matcher.is_active():
                found.append((keys[matcher.id()], matcher.weight(), matcher.value()))
                matcher.next()
            out[fieldname, term] = sorted(found)
    return out


def test_a_rebuild_writes_the_postings_whooshs_own_writer_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "_REWRITE_SHARE", 100.0)  # add the rest one by one, however many they are
    rebuilt, added = tmp_path / "rebuilt", tmp_path / "added"
    search.update_index(rebuilt, CORPUS)  # a fresh index: segments written by _SegmentBuilder
    search.update_index(added, CORPUS[:1])
    assert not search.update_index(added, CORPUS).full  # the rest added by Whoosh's own writer
    postings = every_posting(rebuilt)
    assert len(postings) > 500 and postings == every_posting(added)


def test_a_positioned_file_tells_where_the_file_stands(tmp_path):
    from array import array

    from whoosh.filedb.structfile import StructFile

    from xxgk.search.whoosh_internals import _Positioned

    with open(tmp_path / "f", "wb") as raw:
        raw.write(b"header")
        positioned, told = StructFile(_Positioned(raw)), []
        for write in (
            lambda f: f.write(b"abc"),
            lambda f: f.write_int(7),
            lambda f: f.write_varint(300),
            lambda f: f.write_pickle({"a": [1, 2]}),
            lambda f: f.write_array(array("I", range(50))),
            lambda f: f.write(memoryview(array("f", [1.5, 2.5]))),
            lambda f: f.seek(2),
            lambda f: f.write(b"xy"),
            lambda f: f.seek(0, 2),
        ):
            write(positioned)
            told.append((positioned.tell(), raw.tell()))
    assert all(ours == real for ours, real in told) and told[-1][0] == (tmp_path / "f").stat().st_size


@pytest.mark.parametrize("how", ["rebuild in this process", "rebuild by workers", "update"])
def test_meanwhile_runs_once_and_beside_the_workers(tmp_path, monkeypatch, how):
    if how == "rebuild by workers":
        monkeypatch.setattr(engine, "_PARALLEL_FROM", 2)
        monkeypatch.setattr(engine, "_SEGMENT_DOCS", 3)
    if how == "update":
        search.update_index(tmp_path, CORPUS)
    workers_seen = []
    search.update_index(tmp_path, CORPUS, meanwhile=lambda: workers_seen.append(len(multiprocessing.active_children())))
    assert len(workers_seen) == 1
    assert (workers_seen[0] > 0) == (how == "rebuild by workers")


def test_a_failure_beside_the_workers_stops_them_and_leaves_no_index(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "_PARALLEL_FROM", 2)
    monkeypatch.setattr(engine, "_SEGMENT_DOCS", 3)

    started = []

    def gate_refuses():
        started.extend(multiprocessing.active_children())  # the workers, indexing meanwhile
        raise RuntimeError("发现错误")

    with pytest.raises(RuntimeError, match="发现错误"):
        search.update_index(tmp_path / "index", CORPUS, meanwhile=gate_refuses)
    assert started and not any(process.is_alive() for process in started)
    assert engine.open_current(tmp_path / "index") == (None, False)


def test_han_class_matches_the_tokenizer_of_record():
    for code in range(0x80, 0x10000):
        char = chr(code)
        if tokens.normalize(char) != char or not char.isprintable():
            continue
        is_han = [t.text for t in tokens.tokenize(char)] == [char]
        assert bool(tokens.HAN_RUN.fullmatch(char)) == is_han, hex(code)


# --- Recall against a substring scan --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, list[Document]]:
    documents = corpus_documents(300, seed=7)
    path = tmp_path_factory.mktemp("recall") / "index"
    search.update_index(path, documents)
    return path, documents


def random_strings(documents: list[Document], count: int, sizes: range, seed: int) -> list[str]:
    """Random substrings of Han runs in the documents' bodies."""
    rng, picked = random.Random(seed), []
    while len(picked) < count:
        runs = [r for r in re.findall(r"[\u4e00-\u9fff]+", rng.choice(documents).body_text) if len(r) >= sizes[0]]
        if runs:
            run = rng.choice(runs)
            size = rng.choice([s for s in sizes if s <= len(run)])
            start = rng.randrange(len(run) - size + 1)
            picked.append(run[start : start + size])
    return picked


def test_recall_and_precision_against_a_substring_scan(generated):
    index_dir, documents = generated
    texts = {d.index_no: searchable(d) for d in documents}
    expected_total = found_total = 0
    for needle in random_strings(documents, 200, range(2, 7), seed=11) + random_strings(documents, 30, range(1, 2), 5):
        expected = {n for n, text in texts.items() if needle in text}
        hits = set(found(index_dir, needle, limit=len(documents)))
        assert hits <= expected, f"{needle}: {sorted(hits - expected)} do not contain it"
        expected_total += len(expected)
        found_total += len(hits & expected)
    assert found_total / expected_total >= 0.99


# --- Incremental updates --------------------------------------------------------------------------------------


def answers(index_dir: Path) -> list:
    """Every table query's full answer: index numbers, scores and totals."""
    out = []
    for query, _ in QUERIES:
        result = search.search(index_dir, query, limit=50)
        out.append((query, result.total, [(h.index_no, round(h.score, 9)) for h in result.hits]))
    return out


def test_incremental_updates_answer_like_a_full_rebuild(tmp_path, generated):
    _, extra = generated
    base = CORPUS + extra[:40]
    live, fresh = tmp_path / "live", tmp_path / "fresh"
    first = search.update_index(live, base)
    assert first.full and first.added == len(base)

    edited = [replace(d, body_text=d.body_text + "新增：财政预算信息公开。") if d is CORPUS[6] else d for d in base]
    removed = [d for d in edited if d is not CORPUS[5]]
    added = removed + [
        doc(13, "关于2022年财政预算信息公开的通知", "做好2022年财政预算信息公开工作。", published="2022-01-05")
    ]
    stats = search.update_index(live, added)
    assert (stats.added, stats.updated, stats.deleted, stats.unchanged, stats.full) == (1, 1, 1, len(base) - 2, False)
    search.update_index(fresh, added, full=True)
    assert answers(live) == answers(fresh)
    assert found(live, "财政预算信息公开") == ids("22-13", "21-07")

    again = [d for d in added if d.index_no not in ids("19-01", "19-02")] + [CORPUS[5]]
    stats = search.update_index(live, again)
    assert (stats.added, stats.updated, stats.deleted) == (1, 0, 2)
    search.update_index(fresh, again, full=True)
    assert answers(live) == answers(fresh)


def test_open_date_ranges_skip_documents_without_that_date(tmp_path):
    undated = replace(CORPUS[1], written=None)
    search.update_index(tmp_path / "index", [CORPUS[0], undated, CORPUS[2]])
    assert found(tmp_path / "index", "written:[TO 2030-12-31]") == ids("19-03", "19-01")
    assert found(tmp_path / "index", "written:[2000-01-01 TO]") == ids("19-03", "19-01")
    assert found(tmp_path / "index", "published:[2000-01-01 TO]") == ids("19-02", "19-03", "19-01")


def test_an_unchanged_corpus_writes_nothing(tmp_path):
    path = tmp_path / "index"
    search.update_index(path, CORPUS)
    before = {p.name: p.stat().st_mtime_ns for p in path.iterdir()}
    stats = search.update_index(path, list(reversed(CORPUS)))
    assert (stats.added, stats.updated, stats.deleted, stats.unchanged) == (0, 0, 0, len(CORPUS))
    assert {p.name: p.stat().st_mtime_ns for p in path.iterdir()} == before


def test_a_schema_change_or_a_broken_index_rebuilds(tmp_path):
    path = tmp_path / "index"
    search.update_index(path, CORPUS)
    (path / search.MARKER).write_text(json.dumps({"schema": -1}), encoding="utf-8")
    assert search.update_index(path, CORPUS).full
    for file in path.glob("_XXGK_*.toc"):
        file.write_bytes(b"garbage")
    assert search.update_index(path, CORPUS).full
    assert found(path, "释") == ids("21-07")


def test_an_intact_index_is_trusted_by_stat_and_a_changed_file_is_hashed_again(tmp_path, monkeypatch):
    hashed = []

    class Hashlib:  # engine's hashlib, counting the files hashed
        sha1 = staticmethod(hashlib.sha1)

        @staticmethod
        def sha256(data: bytes):
            hashed.append(len(data))
            return hashlib.sha256(data)

    path = tmp_path / "index"
    search.update_index(path, CORPUS)
    monkeypatch.setattr(engine, "hashlib", Hashlib)
    assert engine.open_current(path)[0] is not None and hashed  # just written: mtimes too recent to trust
    monkeypatch.setattr(engine, "RACY_NS", 0)
    hashed.clear()
    assert engine.open_current(path)[0] is not None and not hashed
    segment = max(path.glob("*.pst"), key=lambda p: p.stat().st_size)
    data = segment.read_bytes()
    segment.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # same size, another mtime
    assert engine.open_current(path) == (None, True) and len(hashed) == 1
    assert search.update_index(path, CORPUS).healed


def test_many_deleted_versions_trigger_a_rebuild(tmp_path, monkeypatch):
    path = tmp_path / "index"
    search.update_index(path, CORPUS)
    edited = [replace(CORPUS[0], title=CORPUS[0].title + "（修订）")] + CORPUS[1:]
    assert not search.update_index(path, edited).full  # one deleted version: 1/12 of the documents
    monkeypatch.setattr(engine, "_STALE_SHARE", 0.05)
    assert search.update_index(path, CORPUS).full


def test_rebuild_leaves_other_files_alone(tmp_path):
    path = tmp_path / "index"
    path.mkdir()
    (path / "README.txt").write_text("not ours", encoding="utf-8")
    search.update_index(path, CORPUS[:3])
    search.update_index(path, CORPUS, full=True)
    assert (path / "README.txt").read_text(encoding="utf-8") == "not ours"


def test_large_rebuilds_write_segments_in_worker_processes(tmp_path, generated, monkeypatch):
    _, documents = generated
    monkeypatch.setattr(engine, "_PARALLEL_FROM", 100)
    monkeypatch.setattr(engine, "_SEGMENT_DOCS", 120)
    # The workers inherit the documents when they are forked: none is pickled to be sent to them.
    monkeypatch.setattr(engine._Record, "__reduce_ex__", lambda *_: pytest.fail("a record was pickled"), raising=False)
    path = tmp_path / "index"
    assert search.update_index(path, documents).added == len(documents)
    assert len(segment_ids(path)) == 3  # 300 documents, 120 at most in each segment
    single = tmp_path / "single"
    monkeypatch.setattr(engine, "_PARALLEL_FROM", 10_000)
    search.update_index(single, documents)
    for query in ["信息公开", "工作 方案", "publisher:坪山区", "published:[2019-01-01 TO 2020-06-30]"]:
        assert search.search(path, query, 30) == search.search(single, query, 30)


def segment_ids(index_dir: Path) -> set[str]:
    """The ids of the segments whose files are in the index folder."""
    return {path.name.split(".")[0] for path in index_dir.glob(f"{search.INDEX_NAME}_*.trm")}


def test_updates_merge_their_small_segments_and_never_a_large_one(tmp_path, generated, monkeypatch):
    _, documents = generated
    monkeypatch.setattr(engine, "_PARALLEL_FROM", 100)
    monkeypatch.setattr(engine, "_SEGMENT_DOCS", 30)
    monkeypatch.setattr(engine, "_SMALL_SEGMENT", 10)
    path, fresh = tmp_path / "index", tmp_path / "fresh"
    search.update_index(path, documents)
    large = segment_ids(path)
    assert len(large) == 10
    current = list(documents)
    for step in range(20):  # one edit at a time, as an editor saves
        current[step * 7] = replace(current[step * 7], body_text=current[step * 7].body_text + f"第{step}次修改。")
        assert not search.update_index(path, current).full
        small = segment_ids(path) - large
        assert large <= segment_ids(path) and 1 <= len(small) <= engine._SMALL_SEGMENTS, step
    search.update_index(fresh, current, full=True)
    assert answers(path) == answers(fresh)
    assert found(path, "第13次修改") == [current[13 * 7].index_no]


# --- Errors ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("published:[2019-13-01 TO 2019-12-31]", "日期“2019-13-01”无法识别"),
        ("published:[2019-02-30 TO 2019-12-31]", "无法识别"),
        ("published:[2019-01-01 2019-12-31]", "TO"),
        ("published:[2019-12-31 TO 2019-01-01]", "开始日期晚于结束日期"),
        ("published:[ TO ]", "至少要有"),
        ("published:[2019-01-01 TO 2019-12-31", "右方括号"),
        ("published:yesterday", "无法识别"),
        ('"信息公开', "引号没有配对"),
        ("publisher:", "缺少要查找的内容"),
        ("publisher: 坪山", "缺少要查找的内容"),
        ("index_no:[1 TO 2]", "只有 published: 和 written:"),
        ("year:19", "四位数字"),
        ("信息 AND", "都要有查找内容"),
        ("OR 信息", "都要有查找内容"),
        ("(信息 OR 公开", "缺少右括号"),
        ("()", "都要有查找内容"),
        ("", "查询为空"),
        ("、，。", "没有可查找的文字"),
    ],
)
def test_malformed_queries_raise_search_syntax_error(index, query, message):
    with pytest.raises(search.SearchSyntaxError, match=re.escape(message)):
        search.search(index, query)


def test_missing_or_unreadable_index(tmp_path):
    with pytest.raises(search.IndexMissing, match="找不到搜索索引"):
        search.search(tmp_path / "nowhere", "信息公开")
    (tmp_path / "empty").mkdir()
    with pytest.raises(search.IndexMissing):
        search.search(tmp_path / "empty", "信息公开")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / search.MARKER).write_text(json.dumps({"schema": 0}), encoding="utf-8")
    with pytest.raises(search.IndexMissing, match="来自旧版本或没有完成"):
        search.search(tmp_path / "old", "信息公开")


def test_queries_never_leak_tracebacks(index):
    rng = random.Random(3)
    alphabet = '信息公开 ()"“”[]:：TOANDORNOT*?-/〔〕2019年号' + "ａ１"
    for length, _ in itertools.product(range(1, 12), range(40)):
        query = "".join(rng.choice(alphabet) for _ in range(length))
        try:
            search.search(index, query)
        except search.SearchSyntaxError:
            pass


def test_rewriting_most_documents_rebuilds_the_index_instead(tmp_path):
    search.update_index(tmp_path, CORPUS)
    one = search.update_index(tmp_path, [replace(CORPUS[0], title=CORPUS[0].title + "（修订）"), *CORPUS[1:]])
    assert (one.full, one.updated) == (False, 1)
    most = search.update_index(tmp_path, [replace(d, title=d.title + "（修订）") for d in CORPUS])
    assert most.full and most.added == len(CORPUS)
