"""The records a build keeps for the next one, and what serve keeps of them between builds (records.Parsed): bytes
read again are not parsed again, and what a build remembers of the files it wrote is what parsing them gives."""

from __future__ import annotations

import json
from datetime import date

import pytest

from xxgk import manifest, output, page_keys, pipeline, records
from xxgk.cache import Memory
from xxgk.config import load_config
from xxgk.search import static_update

from .conftest import TODAY
from .test_incremental import edit, files, sample_project

DOC = "content/fdzdgknr/2018-pingshan-gzld.md"


def counting(calls: list) -> object:
    def parse(data: bytes) -> dict:
        calls.append(data)
        return json.loads(data)

    return parse


def test_the_same_bytes_are_parsed_once_and_other_bytes_again():
    parsed, calls = records.Parsed(), []
    first = parsed.of("kind", b'{"a": 1}', counting(calls))
    assert parsed.of("kind", b'{"a": 1}', counting(calls)) is first
    assert parsed.of("kind", b'{"a": 2}', counting(calls)) == {"a": 2}
    assert parsed.of("other kind", b'{"a": 1}', counting(calls)) == {"a": 1}  # each kind parses its own way
    assert len(calls) == 3


def test_a_few_values_of_each_kind_are_kept_the_least_recently_used_let_go():
    parsed, calls = records.Parsed(), []
    for data in (b"1", b"2", b"1", b"3"):  # 2, the least recently used, goes when 3 comes
        parsed.of("kind", data, counting(calls))
    parsed.of("kind", b"1", counting(calls))
    parsed.of("kind", b"3", counting(calls))
    parsed.of("kind", b"2", counting(calls))
    assert calls == [b"1", b"2", b"3", b"2"]


def test_a_value_remembered_is_not_parsed_and_a_damaged_record_is_none(tmp_path):
    parsed, calls = records.Parsed(), []
    parsed.remember("kind", b"[1]", [1])
    assert parsed.of("kind", b"[1]", counting(calls)) == [1] and calls == []
    path = tmp_path / "record"
    path.write_bytes(b"{damaged")
    assert records.load(path, "key", parsed) is None
    path.write_bytes(records.encoded("another key", {}))
    assert records.load(path, "key", parsed) is None
    assert records.load(tmp_path / "missing", "key", parsed) is None


BODY = {"a/b.html": ("k", "0" * 64, 3), "c": [None, True, 1.5, b"\x00", {"d": []}], "": 2**70}


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1],  # truncated
        lambda data: data + b"\0",  # a byte more
        lambda data: data[:-5] + bytes([data[-5] ^ 0x40]) + data[-4:],  # a byte of the body changed
        lambda data: data[:20] + bytes([data[20] ^ 1]) + data[21:],  # a byte of the checksum changed
        lambda data: data.replace(b"record 1", b"record 9", 1),  # another format
    ],
)
def test_a_record_reads_back_exactly_as_written_and_damaged_bytes_read_as_none(damage):
    data = records.encoded("key", BODY)
    assert records.body(data, "key") == BODY and records.body(data, "other key") is None
    assert type(records.body(data, "key")["a/b.html"]) is tuple  # types kept: a tuple is not read back as a list
    assert records.body(damage(data), "key") is None


def test_equal_bodies_give_equal_bytes_however_their_values_were_made():
    made = {"".join(["a/", "b.html"]): ("".join("k"), "0" * 64, 3)}
    assert records.encoded("key", made) == records.encoded("key", {"a/b.html": ("k", "0" * 64, 3)})


def test_builds_with_a_memory_parse_no_manifest_or_page_record_they_wrote_and_give_a_full_builds_bytes(
    tmp_path, monkeypatch
):
    root = sample_project(tmp_path / "p")
    config, today, memory = load_config(root / "config.yaml"), date.fromisoformat(TODAY), Memory()
    for _ in range(2):  # the first build fills the spare, the second makes the site and the spare its own
        pipeline.build(config, today, since=None, memory=memory)
    parses = []
    monkeypatch.setattr(output, "parse", lambda text: parses.append("manifest") or manifest.parse(text))
    entries, body = page_keys._entries, records.body
    monkeypatch.setattr(page_keys, "_entries", lambda data: parses.append("pages") or entries(data))
    monkeypatch.setattr(records, "body", lambda data, key: parses.append(key) or body(data, key))
    # Three edits: each build reads the site the last one made and, as its spare, the one before's.
    for before, after in [("较好的", "较好地"), ("各项工作", "各项重点工作"), ("重点工作任务", "重点任务")]:
        edit(root / DOC, before, after)
        pipeline.build(config, today, since=None, memory=memory)
        # The static index's record alone is parsed: the worker that makes it hands over its bytes, read once after
        # the swap for the next build's worker (pipeline._save_static_record).
        assert parses == [static_update.RECORD_KEY]
        parses.clear()
    # What the memory holds of each file in use is what parsing the file gives.
    site, spare = config.output_dir, output.spare_dir(config.output_dir)
    for folder in (site, spare):
        data = (folder / manifest.MANIFEST).read_bytes()
        held = memory.parsed.of(manifest.MANIFEST, data, lambda _: None)
        assert held.hashes == manifest.parse(data.decode())
        assert held.folders_under("/r") == {f"/r/{f.relative_to(folder)}" for f in folder.rglob("*") if f.is_dir()}
    data = (root / ".site-cache/pages.record").read_bytes()
    assert memory.parsed.of(page_keys._RECORD_KEY, data, lambda _: None) == entries(data)
    monkeypatch.undo()
    full = load_config(root / "config.yaml", output_dir=tmp_path / "full")
    pipeline.build(full, today, since=None, reuse=False)
    assert files(site) == files(tmp_path / "full")


def test_a_build_removes_the_json_records_earlier_builds_kept(tmp_path):
    root = sample_project(tmp_path / "p")
    config = load_config(root / "config.yaml")
    names = ("pages.json", "page-scan.json", "folders.json", "spare.json", "static-search.json")
    earlier = [root / ".site-cache" / name for name in names]
    earlier[0].parent.mkdir()
    for path in earlier:
        path.write_text('{"key": "pages 1", "body": {}}', encoding="utf-8")
    pipeline.build(config, date.fromisoformat(TODAY), since=None)
    assert not any(path.exists() for path in earlier)
    assert records.load(root / ".site-cache/pages.record", page_keys._RECORD_KEY)
    assert records.load(root / ".site-cache/static-search.record", static_update.RECORD_KEY)
