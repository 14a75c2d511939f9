"""The document cache proves each entry before using it: same bytes, same attachments, same fingerprint, intact."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk import cache as cache_module
from xxgk.cache import Brief, Cache, CacheChanged, Dependency, Entry, Looked, Memory, Stamp, fingerprint, stable
from xxgk.content import FACTS, METADATA
from xxgk.model import Document, Facts, Heading, document_digest, facts_of, metadata_only, metadata_state
from xxgk.pickled import Pending

OLD_NS = 1_500_000_000_000_000_000  # 2017: an mtime far older than any read


def entry_for(path: Path, value, depends=()) -> Entry:
    return Entry("doc.md", Stamp.of(path), hashlib.sha256(path.read_bytes()).hexdigest(), depends, value)


@pytest.fixture
def source(tmp_path) -> Path:
    path = tmp_path / "doc.md"
    path.write_text("原文")
    os.utime(path, ns=(OLD_NS, OLD_NS))
    return path


SHOUTED = Brief("briefs", str.upper, lambda value, rest: f"({value})", lambda value, whole: None)  # which way it went


def stored(tmp_path: Path, source: Path, value="结果", depends=(), context="c") -> Cache:
    cache = Cache.open(tmp_path / "cache", context, briefs=(SHOUTED,))
    cache.store([entry_for(source, value, depends)], {"doc.md"})
    cache.commit()
    return cache


def lookup(tmp_path: Path, source: Path, context="c"):
    return Cache.open(tmp_path / "cache", context).lookup([("doc.md", source)]).get("doc.md")


def test_an_unchanged_file_is_found(tmp_path, source):
    stored(tmp_path, source)
    assert lookup(tmp_path, source) == "结果"


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.write_text("改了"),  # other bytes, other size
        lambda p: (p.write_text("改文"), os.utime(p, ns=(OLD_NS, OLD_NS))),  # same size and mtime, other bytes
        lambda p: p.unlink(),
    ],
)
def test_a_changed_file_is_not_found(tmp_path, source, change):
    stored(tmp_path, source)
    change(source)
    assert lookup(tmp_path, source) is None


def test_a_touched_file_with_the_same_bytes_is_found_by_its_hash(tmp_path, source):
    stored(tmp_path, source)
    os.utime(source, ns=(OLD_NS + 10**9, OLD_NS + 10**9))
    assert lookup(tmp_path, source) == "结果"


def test_a_recent_mtime_is_not_trusted(tmp_path, source):
    # Written in the same clock tick as the read, an edit could keep size and mtime: the bytes decide.
    source.write_text("原文")
    stored(tmp_path, source)
    source.write_text("改文")  # same size; the mtime may well be the same
    os.utime(source, ns=(source.stat().st_mtime_ns,) * 2)
    assert lookup(tmp_path, source) is None


def test_a_lookup_takes_the_stat_a_look_made_and_stats_the_rest_itself(tmp_path, source, monkeypatch):
    monkeypatch.setattr(cache_module, "RACY_NS", 0)  # the file's stat proves it: its bytes are not read
    stored(tmp_path, source)
    seen = os.stat(source)  # a look at the inputs, just before the edit below
    source.write_text("改了")
    looked = Looked({str(source): seen}, time.time_ns())
    assert Cache.open(tmp_path / "cache", "c", looked=looked).lookup([("doc.md", str(source))]) == {"doc.md": "结果"}
    elsewhere = Looked({str(tmp_path / "other.md"): seen}, time.time_ns())
    assert Cache.open(tmp_path / "cache", "c", looked=elsewhere).lookup([("doc.md", str(source))]) == {}


def test_another_fingerprint_does_not_see_the_entry(tmp_path, source):
    stored(tmp_path, source, context="build")
    assert lookup(tmp_path, source, context="check") is None
    assert lookup(tmp_path, source, context="build") == "结果"


@pytest.mark.parametrize("now", ["changed", "appeared", "vanished"])
def test_an_attachment_that_changed_invalidates_the_entry(tmp_path, source, now):
    attachment = tmp_path / "a.pdf"
    if now != "appeared":
        attachment.write_bytes(b"%PDF-1")
        os.utime(attachment, ns=(OLD_NS, OLD_NS))
    stored(tmp_path, source, depends=(Dependency.of(attachment, time.time_ns()),))
    assert lookup(tmp_path, source) == "结果"
    if now == "vanished":
        attachment.unlink()
    else:
        attachment.write_bytes(b"%PDF-2 longer")
    assert lookup(tmp_path, source) is None


def _copy(tmp_path: Path, name: str) -> Path:
    """Another file with a.txt's bytes and old times (another inode)."""
    other = tmp_path / name
    other.write_bytes((tmp_path / "a.txt").read_bytes())
    os.utime(other, ns=(OLD_NS, OLD_NS))
    return other


def _relink(link: Path, target: str) -> None:
    link.unlink()
    link.symlink_to(target)


def _renamed_behind_a_link(tmp_path: Path) -> None:
    (tmp_path / "a.txt").rename(tmp_path / "a.html")  # the same file, now of another type
    (tmp_path / "a.txt").symlink_to("a.html")


def _linked_to_a_hard_link(tmp_path: Path) -> None:
    os.link(tmp_path / "a.txt", tmp_path / "a.html")
    (tmp_path / "a.txt").unlink()
    (tmp_path / "a.txt").symlink_to("a.html")


@pytest.mark.parametrize(
    ("linked", "change", "holds"),
    [
        (False, lambda d: None, True),
        (True, lambda d: None, True),
        (True, lambda d: os.utime(d / "b.txt", ns=(OLD_NS + 10**9,) * 2), True),  # touched: the same bytes, same name
        (True, lambda d: _relink(d / "a.txt", _copy(d, "c.txt").name), False),  # another name, the same bytes
        (True, lambda d: (os.link(d / "b.txt", d / "c.txt"), _relink(d / "a.txt", "c.txt")), False),  # same inode
        (False, _renamed_behind_a_link, False),
        (False, _linked_to_a_hard_link, False),
    ],
    ids=["file", "link", "link target touched", "link to a copy", "link to a hard link", "renamed", "hard link"],
)
def test_an_attachment_reached_through_another_link_invalidates_the_entry(tmp_path, source, linked, change, holds):
    # The result names, types and checks the file a link reaches: the same bytes under another name are another
    # result (a page linking b.txt, or an .html file let through as .txt).
    (tmp_path / ("b.txt" if linked else "a.txt")).write_bytes(b"notice\n")
    os.utime(tmp_path / ("b.txt" if linked else "a.txt"), ns=(OLD_NS, OLD_NS))
    if linked:
        (tmp_path / "a.txt").symlink_to("b.txt")
    stored(tmp_path, source, depends=(Dependency.of(tmp_path / "a.txt", time.time_ns()),))
    change(tmp_path)
    assert (lookup(tmp_path, source) == "结果") is holds


def test_an_attachment_changed_while_the_document_was_read_is_not_trusted(tmp_path, source):
    attachment = tmp_path / "a.pdf"
    read_from = time.time_ns() - 1
    attachment.write_bytes(b"%PDF-1")
    stored(tmp_path, source, depends=(Dependency.of(attachment, read_from),))
    assert lookup(tmp_path, source) is None


def test_a_damaged_entry_is_not_used(tmp_path, source):
    stored(tmp_path, source)
    with sqlite3.connect(tmp_path / "cache" / "documents.sqlite") as db:
        db.execute("UPDATE documents SET entry = substr(entry, 1, 20) || x'00' || substr(entry, 22)")
    assert lookup(tmp_path, source) is None


@pytest.mark.parametrize(
    "fields",
    [
        ("doc.md", None, "", ()),  # one field short
        "not a tuple",
        ("doc.md", (1, 2, 3, 4), "", (), "结果"),  # a stamp of four values
        ("doc.md", (1, 2, 3, 4, "5"), "", (), "结果"),  # a stamp value that is not a number
        ("doc.md", "STAMP", "", (), "结果"),
        ("doc.md", "STAMPED", "", [], "结果"),  # the attachments not as a tuple
        ("doc.md", "STAMPED", "", (("a.pdf", None),), "结果"),  # an attachment of two values
        ("doc.md", "STAMPED", "", (("a.pdf", (1, 2), None),), "结果"),  # of a stamp of two
    ],
)
def test_a_row_of_a_valid_pickle_and_checksum_but_another_shape_is_not_used(tmp_path, source, fields):
    stored(tmp_path, source)
    stamp = Stamp.of(source)
    stamp = (stamp.size, stamp.mtime_ns, stamp.ctime_ns, stamp.inode, stamp.seen_ns)
    if isinstance(fields, tuple) and fields[1] == "STAMPED":
        fields = (fields[0], stamp, *fields[2:])
    blob = pickle.dumps(fields)
    with sqlite3.connect(tmp_path / "cache" / "documents.sqlite") as db:
        db.execute("UPDATE documents SET entry = ?, checksum = ?", (blob, hashlib.sha256(blob).hexdigest()))
    assert lookup(tmp_path, source) is None
    good = ("doc.md", stamp, hashlib.sha256(source.read_bytes()).hexdigest(), (), "结果")
    blob = pickle.dumps(good)  # the same row of the right shape is used: the test's rows are laid out as the cache's
    with sqlite3.connect(tmp_path / "cache" / "documents.sqlite") as db:
        db.execute("UPDATE documents SET entry = ?, checksum = ?", (blob, hashlib.sha256(blob).hexdigest()))
    assert lookup(tmp_path, source) == "结果"


def in_brief(tmp_path: Path, source: Path):
    return (
        Cache.open(tmp_path / "cache", "c", briefs=(SHOUTED,)).lookup([("doc.md", source)], brief=SHOUTED).get("doc.md")
    )


def test_an_entry_is_read_back_in_brief_or_whole(tmp_path, source):
    cache = Cache.open(tmp_path / "cache", "c", briefs=(SHOUTED,))
    cache.store([entry_for(source, "abc")], {"doc.md"})
    cache.commit()
    assert in_brief(tmp_path, source) == "(ABC)"
    assert lookup(tmp_path, source) == "abc"
    source.write_text("改了")
    assert in_brief(tmp_path, source) is None  # the same proof as the whole entry


@pytest.mark.parametrize("table", ["documents", "briefs"])
def test_a_damaged_brief_form_or_entry_costs_only_its_own_reads(tmp_path, source, table):
    stored(tmp_path, source)
    with sqlite3.connect(tmp_path / "cache" / "documents.sqlite") as db:
        db.execute(f"UPDATE {table} SET entry = substr(entry, 1, 20) || x'00' || substr(entry, 22)")
    assert (lookup(tmp_path, source), in_brief(tmp_path, source)) == (
        (None, "(结果)") if table == "documents" else ("结果", None)
    )


def test_a_brief_form_that_cannot_be_expanded_is_a_miss(tmp_path, source):
    stored(tmp_path, source)
    broken = Brief("briefs", str, lambda value, rest: 1 / 0, lambda value, whole: None)
    assert Cache.open(tmp_path / "cache", "c", briefs=(broken,)).lookup([("doc.md", source)], brief=broken) == {}


def test_a_brief_lookup_found_by_its_bytes_is_not_saved_in_brief(tmp_path, source):
    stored(tmp_path, source)
    os.utime(source, ns=(OLD_NS + 10**9, OLD_NS + 10**9))  # same bytes, another mtime: found by its hash
    cache = Cache.open(tmp_path / "cache", "c", briefs=(SHOUTED,))
    assert cache.lookup([("doc.md", source)], brief=SHOUTED) == {"doc.md": "(结果)"}
    cache.store([], {"doc.md"})
    cache.commit()
    assert lookup(tmp_path, source) == "结果"  # the whole entry is still the whole value


def test_a_cache_of_the_previous_format_is_a_miss_and_replaced(tmp_path, source):
    (tmp_path / "cache").mkdir()
    with sqlite3.connect(tmp_path / "cache" / "documents.sqlite") as db:
        db.execute(
            "CREATE TABLE documents (context TEXT, key TEXT, entry BLOB, checksum TEXT, PRIMARY KEY (context, key))"
        )
        db.execute("PRAGMA user_version = 2")
    assert lookup(tmp_path, source) is None
    stored(tmp_path, source)
    assert lookup(tmp_path, source) == "结果"


def test_a_memory_is_never_filled_in_brief(tmp_path, source):
    with pytest.raises(ValueError):
        Cache.open(tmp_path / "cache", "c", Memory(), (SHOUTED,)).lookup([("doc.md", source)], brief=SHOUTED)


@pytest.mark.parametrize("garbage", [b"", b"not a database at all" * 100])
def test_a_damaged_database_is_started_afresh(tmp_path, source, garbage):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "documents.sqlite").write_bytes(garbage)
    stored(tmp_path, source)
    assert lookup(tmp_path, source) == "结果"


def test_documents_no_longer_there_are_forgotten(tmp_path, source):
    cache = stored(tmp_path, source)
    cache.store([], live=set())
    cache.commit()
    assert lookup(tmp_path, source) is None and in_brief(tmp_path, source) is None
    with sqlite3.connect(tmp_path / "cache" / "documents.sqlite") as db:
        assert db.execute("SELECT count(*) FROM briefs").fetchone() == (0,)


def test_a_commit_is_one_transaction_a_failure_in_it_saves_nothing(tmp_path, source):
    stored(tmp_path, source, "旧")
    other = tmp_path / "other.md"
    other.write_text("另一篇")
    os.utime(other, ns=(OLD_NS, OLD_NS))
    cache = Cache.open(tmp_path / "cache", "c", briefs=(SHOUTED,))
    cache.store([entry_for(source, "新"), entry_for(other, lambda: None)], {"doc.md", "other.md"})
    with pytest.raises(Exception, match="pickle"):  # the second row cannot be made: the first is not saved either
        cache.commit()
    assert lookup(tmp_path, source) == "旧"


def test_nothing_is_written_before_commit(tmp_path, source):
    cache = Cache.open(tmp_path / "cache", "c")
    assert cache.lookup([("doc.md", source)]) == {}
    cache.store([entry_for(source, "结果")], {"doc.md"})
    assert not (tmp_path / "cache").exists()  # a run that fails after reading leaves no trace
    cache.commit()
    assert lookup(tmp_path, source) == "结果"


def test_fingerprints_are_stable_across_set_order_and_change_with_values():
    assert stable(frozenset({"b", "a", "c"})) == stable(frozenset({"c", "a", "b"}))
    assert fingerprint({"x": 1}, True) == fingerprint({"x": 1}, True) != fingerprint({"x": 2}, True)
    assert fingerprint({"x": 1}, True) != fingerprint({"x": 1}, False)


def test_a_memory_serves_committed_entries_without_the_database_and_still_proves_them(tmp_path, source):
    memory = Memory()
    cache = Cache.open(tmp_path / "cache", "c", memory)
    cache.store([entry_for(source, "结果")], {"doc.md"})
    cache.commit()
    assert set(memory.entries) == {"doc.md"}
    (tmp_path / "cache" / "documents.sqlite").unlink()  # from now on only the memory can know the entry
    again = Cache.open(tmp_path / "cache", "c", memory)
    assert again.lookup([("doc.md", source)]) == {"doc.md": "结果"}
    again.store([], {"doc.md"})
    again.commit()
    assert Cache.open(tmp_path / "cache", "c", memory).lookup([("doc.md", source)]) == {"doc.md": "结果"}
    source.write_text("改了")  # an edit is noticed just the same
    assert Cache.open(tmp_path / "cache", "c", memory).lookup([("doc.md", source)]) == {}
    assert Cache.open(tmp_path / "cache", "other", memory).lookup([("doc.md", source)]) == {}  # another fingerprint


def test_a_memory_forgets_documents_no_longer_there(tmp_path, source):
    memory = Memory()
    cache = Cache.open(tmp_path / "cache", "c", memory)
    cache.store([entry_for(source, "结果")], {"doc.md"})
    cache.commit()
    cache = Cache.open(tmp_path / "cache", "c", memory)
    cache.lookup([])
    cache.store([], live=set())
    cache.commit()
    assert memory.entries == {}


def test_entries_come_back_from_pickling_whole_every_field_included():
    import pickle
    from datetime import date

    from xxgk.errors import Problem
    from xxgk.model import Attachment, Document, Heading, document_digest

    doc = Document(
        src="content/a.md",
        title="关于印发某办法的通知",
        index_no="11440300MB2C92051E/2021-00001",
        publisher="某局",
        published=date(2021, 3, 4),
        written=date(2021, 3, 1),
        keywords=("办法", "通知"),
        attachments=(Attachment("a/附件1.pdf", "附件1", 1234),),
        headings=(Heading(2, "h-1", "一、总则"),),
        lines={"标题": 2, "索引号": 3},
        seen=frozenset({("privacy-phone", "电话")}),
    )
    document_digest(doc)  # memoised in the object: it must survive the cache too
    problem = Problem("content/a.md", 3, "消息", "code", "warning", 5)
    stamp = Stamp(10, 1, 2, 3, 4)
    entry = Entry("a.md", stamp, "ab" * 32, (Dependency("a/附件1.pdf", stamp, "cd" * 32),), (doc, [problem]))
    back = pickle.loads(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == entry
    for before, after in [(entry, back), (doc, back.value[0]), (problem, back.value[1][0])]:
        for field in dataclasses.fields(before):
            assert getattr(after, field.name) == getattr(before, field.name), field.name
    assert back.value[0].digest == doc.digest != ""


@pytest.mark.parametrize(
    ("summary", "body"),
    [("", ""), ("摘要", "正文" * 5000), ("ascii", "<p>text</p>"), ("\ud800 lone surrogate", "😀 and 〔2024〕1号")],
)
def test_a_document_pickles_its_texts_without_keeping_their_utf8_in_memory(summary, body):
    doc = _with_texts(summary, f"<p>{body}</p>", body)
    texts = (doc.summary, doc.body_html, doc.body_text)
    sizes = [sys.getsizeof(text) for text in texts]  # a str's size counts the UTF-8 form CPython keeps in it
    again = pickle.loads(pickle.dumps(Entry("a", None, "", (), doc), protocol=pickle.HIGHEST_PROTOCOL))
    assert again.value == doc and [sys.getsizeof(text) for text in texts] == sizes


@pytest.mark.parametrize("state", [(), ("a",), ("a", None, "", (), None, "one too many")])
def test_a_state_of_another_shape_is_refused_when_unpickled(state):
    entry = object.__new__(Entry)
    with pytest.raises(ValueError):
        entry.__setstate__(state)


def _with_texts(summary: str, body_html: str, body_text: str) -> Document:
    return Document(
        src="content/a.md",
        title="标题",
        index_no="x-1",
        publisher="某局",
        published=date(2024, 1, 2),
        summary=summary,
        body_html=body_html,
        body_text=body_text,
    )


def test_a_documents_metadata_leaves_out_its_body_and_headings_only():
    doc = dataclasses.replace(
        _with_texts("摘要", "<p>正文</p>", "正文"),
        headings=(Heading(2, "h-1", "一、总则"),),
        lines={"标题": 2},
        seen=frozenset({("privacy-phone", "电话")}),
        keywords=("办法",),
    )
    document_digest(doc)
    back = metadata_only(pickle.loads(pickle.dumps(metadata_state(doc), protocol=pickle.HIGHEST_PROTOCOL)))
    emptied = {"body_html": "", "body_text": "", "headings": ()}
    for field in dataclasses.fields(Document):
        assert getattr(back, field.name) == emptied.get(field.name, getattr(doc, field.name)), field.name


def _stored_document(tmp_path: Path, source: Path) -> Document:
    doc = dataclasses.replace(_with_texts("摘要", "<p>正文</p>", "正文"), headings=(Heading(2, "h-1", "一、总则"),))
    cache = Cache.open(tmp_path / "cache", "c", briefs=(METADATA,))
    cache.store([entry_for(source, (doc, []))], {"doc.md"})
    cache.commit()
    return doc


def _later(tmp_path: Path, source: Path) -> tuple[Cache, Document]:
    cache = Cache.open(tmp_path / "cache", "c", briefs=(METADATA,))
    found, problems = cache.lookup([("doc.md", source)], brief=METADATA, rest_later=True)["doc.md"]
    return cache, found


def test_a_documents_body_is_read_from_the_cache_when_first_asked_for(tmp_path, source):
    doc = _stored_document(tmp_path, source)
    cache, found = _later(tmp_path, source)
    assert (found.title, found.summary, found.seen) == (doc.title, doc.summary, doc.seen)
    assert all(isinstance(Document.__dict__[name].slot.__get__(found), Pending) for name in ("body_html", "headings"))
    assert found.headings == doc.headings  # one read fills every part the brief form left out
    assert Document.body_html.slot.__get__(found) == doc.body_html
    assert found == doc and pickle.loads(pickle.dumps(found)) == doc
    again, unread = _later(tmp_path, source)
    assert pickle.loads(pickle.dumps(unread)).body_text == doc.body_text  # as sent to a worker: it reads it there
    cache.close()
    again.close()


@pytest.mark.parametrize(
    "change",
    [
        "DELETE FROM documents",
        "UPDATE documents SET entry = substr(entry, 1, 20) || x'00' || substr(entry, 22)",
        "DROP TABLE documents",
    ],
)
def test_a_body_no_longer_in_the_cache_is_never_made_up(tmp_path, source, change):
    _stored_document(tmp_path, source)
    cache, found = _later(tmp_path, source)
    with sqlite3.connect(tmp_path / "cache" / "documents.sqlite") as db:
        db.execute(change)
    with pytest.raises(CacheChanged):
        found.body_text  # noqa: B018 - reading it is the test
    cache.close()


def test_a_body_of_other_source_bytes_is_never_taken(tmp_path, source):
    doc = _stored_document(tmp_path, source)
    cache, found = _later(tmp_path, source)
    other = Cache.open(tmp_path / "cache", "c", briefs=(METADATA,))
    other.store([dataclasses.replace(entry_for(source, (doc, [])), digest="ff" * 32)], {"doc.md"})
    other.commit()  # another process read other bytes for the same document meanwhile
    with pytest.raises(CacheChanged):
        found.body_html  # noqa: B018 - reading it is the test
    cache.close()


def test_a_documents_facts_are_its_own_fields_and_their_lines_come_back_from_the_cache(tmp_path, source):
    doc = dataclasses.replace(
        _with_texts("摘要", "<p>正文</p>", "正文"),
        written=date(2023, 12, 29),
        interprets="x-0",
        replaced_by="x-2",
        draft=True,
        path="doc/x-1.html",
        lines={"title": 2, "index_no": 3, "published": 5, "written": 6, "interprets": 7, "summary": 9},
    )
    cache = Cache.open(tmp_path / "cache", "c", briefs=(METADATA, FACTS))
    cache.store([entry_for(source, (doc, ["问题"]))], {"doc.md"})
    cache.commit()
    facts, problems = Cache.open(tmp_path / "cache", "c", briefs=(FACTS,)).lookup([("doc.md", source)], brief=FACTS)[
        "doc.md"
    ]
    assert facts == facts_of(doc) and problems == ["问题"]
    for field in dataclasses.fields(Facts):
        if field.name != "lines":
            assert getattr(facts, field.name) == getattr(doc, field.name), field.name
    assert facts.lines == {"index_no": 3, "published": 5, "written": 6, "interprets": 7}


def test_a_brief_form_is_kept_in_a_table_of_its_own_and_asked_for_only_where_kept(tmp_path, source):
    with pytest.raises(ValueError):
        Brief("documents", str, lambda value, rest: value, lambda value, whole: None)
    stored(tmp_path, source)
    with pytest.raises(ValueError):
        Cache.open(tmp_path / "cache", "c").lookup([("doc.md", source)], brief=SHOUTED)


def test_an_entry_saved_without_a_brief_form_drops_its_old_row_in_that_form(tmp_path, source):
    stored(tmp_path, source)
    source.write_text("改了")
    os.utime(source, ns=(OLD_NS, OLD_NS))
    cache = Cache.open(tmp_path / "cache", "c")  # keeps no brief form
    cache.store([entry_for(source, "新结果")], {"doc.md"})
    cache.commit()
    with sqlite3.connect(tmp_path / "cache" / "documents.sqlite") as db:
        assert db.execute("SELECT count(*) FROM briefs").fetchone() == (0,)
    assert lookup(tmp_path, source) == "新结果"


def _sources(tmp_path: Path, names: list[str]) -> dict[str, Path]:
    (tmp_path / "docs").mkdir(exist_ok=True)
    paths = {}
    for name in names:
        paths[name] = tmp_path / "docs" / name
        paths[name].write_text(f"原文 {name}")
        os.utime(paths[name], ns=(OLD_NS, OLD_NS))
    return paths


def _entry(name: str, path: Path, value) -> Entry:
    return Entry(name, Stamp.of(path), hashlib.sha256(path.read_bytes()).hexdigest(), (), value)


def _chunk_blobs(tmp_path: Path) -> dict[str, bytes]:
    if not (tmp_path / "cache" / "documents.sqlite").exists():
        return {}
    with sqlite3.connect(tmp_path / "cache" / "documents.sqlite") as db:
        return dict(db.execute("SELECT chunk, entry FROM briefs"))


def _keys_in_brief(tmp_path: Path) -> list[str]:
    keys = [key for blob in _chunk_blobs(tmp_path).values() for key in pickle.loads(blob)]
    assert len(keys) == len(set(keys))  # no key in two chunks
    return sorted(keys)


def test_many_entries_in_brief_are_kept_in_chunks_and_a_commit_rewrites_only_the_chunks_that_change(tmp_path):
    names = [f"{n:04}.md" for n in range(1200)]  # dozens of entries in each chunk
    paths = _sources(tmp_path, names)
    cache = Cache.open(tmp_path / "cache", "c", briefs=(SHOUTED,))
    cache.store([_entry(name, paths[name], f"v{name}") for name in names], set(names))
    cache.commit()
    before = _chunk_blobs(tmp_path)
    assert 5 < len(before) < 100 and _keys_in_brief(tmp_path) == names
    assert Cache.open(tmp_path / "cache", "c", briefs=(SHOUTED,)).lookup(list(paths.items()), brief=SHOUTED) == {
        name: f"(V{name.upper()})" for name in names
    }
    # One edit, one document gone: the chunks of these two change (with the one before it, if the document gone
    # started its chunk), every other is left as it was.
    paths["0007.md"].write_text("改了")
    paths["0500.md"].unlink()
    live = set(names) - {"0500.md"}
    cache = Cache.open(tmp_path / "cache", "c", briefs=(SHOUTED,))
    found = cache.lookup(list(paths.items()), brief=SHOUTED)
    assert set(found) == live - {"0007.md"}
    cache.store([_entry("0007.md", paths["0007.md"], "新")], live)
    cache.commit()
    after = _chunk_blobs(tmp_path)
    changed = {chunk for chunk in before.keys() | after.keys() if before.get(chunk) != after.get(chunk)}
    assert 1 <= len(changed) <= 3 and _keys_in_brief(tmp_path) == sorted(live)
    found = Cache.open(tmp_path / "cache", "c", briefs=(SHOUTED,)).lookup(list(paths.items()), brief=SHOUTED)
    assert found["0007.md"] == "(新)" and set(found) == live


@pytest.mark.parametrize(
    "rows",
    [
        "not a dict",
        [("0001.md", None)],
        {"0001.md": ("0001.md", (1, 2, 3), "", (), "结果")},  # a stamp of three values
        {"0001.md": "结果"},
    ],
)
def test_a_chunk_of_a_valid_pickle_and_checksum_but_another_shape_is_not_used(tmp_path, rows):
    paths = _sources(tmp_path, ["0001.md", "0002.md"])
    cache = Cache.open(tmp_path / "cache", "c", briefs=(SHOUTED,))
    cache.store([_entry(name, path, "结果") for name, path in paths.items()], set(paths))
    cache.commit()
    with sqlite3.connect(tmp_path / "cache" / "documents.sqlite") as db:
        chunks = db.execute("SELECT chunk, entry FROM briefs").fetchall()
        chunk, kept = next((chunk, pickle.loads(blob)) for chunk, blob in chunks if "0001.md" in pickle.loads(blob))
        if isinstance(rows, dict):
            rows = {**kept, **rows}  # the other entry of the chunk (if any) is still well formed
        bad = pickle.dumps(rows)
        checksum = hashlib.sha256(bad).hexdigest()
        db.execute("UPDATE briefs SET entry = ?, checksum = ? WHERE chunk = ?", (bad, checksum, chunk))
    found = Cache.open(tmp_path / "cache", "c", briefs=(SHOUTED,)).lookup(list(paths.items()), brief=SHOUTED)
    assert "0001.md" not in found
    assert set(found) == ({"0002.md"} if isinstance(rows, dict) or "0002.md" not in kept else set())


_CHANGES = st.lists(st.tuples(st.sampled_from(["write", "remove"]), st.integers(0, 59)), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_CHANGES, min_size=1, max_size=6))
def test_chunks_hold_exactly_the_live_entries_after_any_sequence_of_commits(tmp_path_factory, monkeypatch, commits):
    """Documents written and removed between commits, with chunks of about three keys (so chunks often start, end
    and merge): after each commit the brief form holds one row per live document, its latest value, and a lookup
    finds each."""
    monkeypatch.setattr(cache_module, "CHUNK_KEYS", 3)
    root = tmp_path_factory.mktemp("chunks")
    (root / "docs").mkdir()
    values: dict[str, str] = {}
    for number, changes in enumerate(commits):
        written = {}
        for change, n in changes:
            name, path = f"{n:02}.md", root / "docs" / f"{n:02}.md"
            if change == "remove":
                path.unlink(missing_ok=True)
                values.pop(name, None)
                written.pop(name, None)
            else:
                path.write_text(f"{name} {number}")
                os.utime(path, ns=(OLD_NS + number, OLD_NS + number))
                values[name] = written[name] = f"{name}@{number}"
        paths = {name: root / "docs" / name for name in values}
        cache = Cache.open(root / "cache", "c", briefs=(SHOUTED,))
        cache.lookup(sorted(paths.items()), brief=SHOUTED)
        cache.store([_entry(name, paths[name], value) for name, value in written.items()], set(values))
        cache.commit()
        assert _keys_in_brief(root) == sorted(values)
        found = Cache.open(root / "cache", "c", briefs=(SHOUTED,)).lookup(sorted(paths.items()), brief=SHOUTED)
        assert found == {name: f"({value.upper()})" for name, value in values.items()}


def test_an_entry_of_a_document_not_there_is_not_kept(tmp_path, source):
    stored(tmp_path, source)
    cache = Cache.open(tmp_path / "cache", "c", briefs=(SHOUTED,))
    cache.store([dataclasses.replace(entry_for(source, "另一篇"), key="gone.md")], {"doc.md"})  # the same documents
    cache.commit()
    with sqlite3.connect(tmp_path / "cache" / "documents.sqlite") as db:
        assert db.execute("SELECT key FROM documents").fetchall() == [("doc.md",)]
    assert _keys_in_brief(tmp_path) == ["doc.md"]


def test_every_library_that_shapes_a_build_is_in_the_cache_key():
    import re
    import tomllib

    from .conftest import REPO

    listed = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    names = {re.match(r"[A-Za-z0-9._-]+", requirement).group() for requirement in listed}
    assert names - {"watchfiles"} == set(cache_module._LIBRARIES)  # watchfiles only tells serve of edits


def test_a_config_has_one_fingerprint_from_whichever_folder_it_is_loaded(tmp_path, monkeypatch):
    # `build` in the site's folder and `serve --config /path/to/config.yaml` elsewhere share one cache.
    from xxgk.config import load_config

    from .conftest import MINIMAL_CONFIG, write_config

    path = write_config(tmp_path / "site", MINIMAL_CONFIG.replace("  police: 粤公网安备 44030000000000号\n", ""))
    monkeypatch.chdir(tmp_path / "site")
    here = load_config(Path("config.yaml"))
    monkeypatch.chdir(tmp_path)
    elsewhere = load_config(path)
    assert here.warnings and here.warnings != elsewhere.warnings  # they name the file as seen from each folder
    assert fingerprint(here) == fingerprint(elsewhere)


def _remembered(tmp_path: Path, text: bytes) -> tuple[Memory, str]:
    """A Memory as a committed build leaves it, of one document whose bytes were text."""
    path = tmp_path / "a.md"
    path.write_bytes(text)
    digest = hashlib.sha256(text).hexdigest()
    fields = cache_module._Fields("content/a.md", None, digest, (), None)
    walk = cache_module.Walk(str(tmp_path), (("content/a.md", str(path)),), ())
    return Memory(entries={"content/a.md": fields}, walk=walk, reporting=True, reported=set()), str(path)


@pytest.mark.parametrize(
    ("now", "reported", "expected"),
    [
        (b"same", "doc", True),  # saved again without a change, or reported twice
        (b"changed", "doc", False),
        (None, "doc", False),  # removed
        (b"same", "other", False),  # a file no document of the last build is: a new one, an attachment, a template
        (b"same", "doc and other", False),
        (b"same", "nothing", False),  # nothing reported: no change known to have been looked at
        (b"same", "untold", False),  # a change not told file by file
    ],
)
def test_memory_knows_when_every_reported_file_is_a_document_as_committed(tmp_path, now, reported, expected):
    memory, path = _remembered(tmp_path, b"same")
    if now is None:
        os.remove(path)
    else:
        Path(path).write_bytes(now)
    other = str(tmp_path / "new.md")
    memory.report({"doc": {path}, "other": {other}, "doc and other": {path, other}, "nothing": set()}.get(reported))
    assert memory.reported_as_committed() is expected


def test_the_fingerprint_covers_the_tools_data_files_as_well_as_its_source(tmp_path):
    # A release that changes only the spam word list or the category tree must not reuse the findings of the last.
    package = Path(cache_module.__file__).parent
    covered = {path.relative_to(package).as_posix() for path in cache_module.tool_files(package)}
    assert {
        "cache.py",
        "check/spam.py",
        "data/spam_terms.txt",
        "data/categories.txt",
        "data/char_classes.json",
    } <= covered
    assert not any("__pycache__" in path for path in covered)
