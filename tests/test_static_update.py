"""The static search index updated in place (xxgk/search/static_update.py): a patched index has exactly the bytes
of a full build of the same documents, an edit rewrites only what it touches, and anything that does not fit
(a damaged record or file, other widths, renumbering) builds the index anew rather than a wrong one."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import tempfile
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk import records
from xxgk.model import Document
from xxgk.records import Parsed
from xxgk.search import static_index as static_search
from xxgk.search import static_update
from xxgk.search.static_index import bucket_of, static_index
from xxgk.search.static_update import RECORD_FORMAT, RECORD_KEY, Update, update

from .test_static_search import CATEGORIES, HAN, PUBLISHERS, make_doc


class Output:
    """A previous build's output folder holding the static index, and the record saved beside it."""

    def __init__(self, folder: Path, docs: list[Document]):
        self.folder, self.built = folder, update(docs, None, None)
        self._write(self.built.files)
        self.record = self.built.record

    def _write(self, files: list[tuple[str, bytes]]) -> None:
        for path, data in files:
            (self.folder / path).parent.mkdir(parents=True, exist_ok=True)
            (self.folder / path).write_bytes(data)

    def next(self, docs: list[Document]) -> tuple[Update, dict[str, bytes]]:
        """Update the index for docs as the pipeline does; the new output replaces this one."""
        result = update(docs, self.folder, self.record)
        files = {path: (self.folder / path).read_bytes() for path in result.kept} | dict(result.files)
        for path in {p.relative_to(self.folder).as_posix() for p in self.folder.rglob("*") if p.is_file()} - set(files):
            (self.folder / path).unlink()
        self._write(result.files)
        self.record = result.record or self.record
        return result, files


def corpus(seed: int, size: int) -> list[Document]:
    rng = random.Random(seed)
    return [make_doc(rng, n) for n in range(size)]


def full(docs: list[Document]) -> dict[str, bytes]:
    return dict(static_index(docs, parallel=False))


def phrase(rng: random.Random) -> str:
    return "".join(rng.choice(HAN) for _ in range(rng.randint(1, 6)))


# The edits that keep every document's number: (name, document -> changed fields).
EDITS = {
    "title": lambda doc, rng: {"title": doc.title + phrase(rng)},
    "title-shorter": lambda doc, rng: {"title": doc.title[: len(doc.title) // 2]},
    "body-insert": lambda doc, rng: {"body_text": doc.body_text[:7] + phrase(rng) + "，" + doc.body_text[7:]},
    "body-cut": lambda doc, rng: {"body_text": doc.body_text[: len(doc.body_text) // 3]},
    "body-word": lambda doc, rng: {"body_text": doc.body_text + " xyz2019 "},
    "keywords": lambda doc, rng: {"keywords": (phrase(rng), "税费")},
    "no-keywords": lambda doc, rng: {"keywords": ()},
    "summary": lambda doc, rng: {"summary": phrase(rng)},
    "category": lambda doc, rng: {"category": CATEGORIES[(CATEGORIES.index(doc.category) + 1) % len(CATEGORIES)]},
    "publisher": lambda doc, rng: {"publisher": PUBLISHERS[(PUBLISHERS.index(doc.publisher) + 1) % len(PUBLISHERS)]},
    "genre": lambda doc, rng: {"genre": rng.choice([g for g in ("通知", "意见", "决定", "") if g != doc.genre])},
    "validity": lambda doc, rng: {"validity": rng.choice([v for v in ("有效", "失效", "废止") if v != doc.validity])},
    "doc-no": lambda doc, rng: {"doc_no": f"深财预〔2020〕{rng.randint(1, 99)}号"},
    "traditional": lambda doc, rng: {"body_text": doc.body_text + "政務公開，財政預算"},
}


def edited(docs: list[Document], n: int, kind: str, rng: random.Random) -> list[Document]:
    changed = dataclasses.replace(docs[n], **EDITS[kind](docs[n], rng))
    return [*docs[:n], changed, *docs[n + 1 :]]


def newest(docs: list[Document]) -> date:
    return max(d.published for d in docs)


# The changes that renumber documents: (name, (documents in number order, n, random) -> documents).
CHANGES = {
    "add-newest": lambda docs, n, rng: [*docs, dataclasses.replace(make_doc(rng, 1000 + n), published=newest(docs))],
    "add": lambda docs, n, rng: [*docs, make_doc(rng, 1000 + n)],
    "remove-newest": lambda docs, n, rng: docs[:-1],
    "remove": lambda docs, n, rng: docs[:n] + docs[n + 1 :],
    "redate": lambda docs, n, rng: [
        *docs[:n],
        dataclasses.replace(docs[n], published=docs[n].published + timedelta(days=rng.randint(-30, 30))),
        *docs[n + 1 :],
    ],
}


def changed(docs: list[Document], kind: str, n: int, rng: random.Random) -> list[Document]:
    """docs in number order after one edit or change of the kind, at document n (modulo their number)."""
    if kind in EDITS:
        return edited(docs, n % len(docs), kind, rng)
    return numbered(CHANGES[kind](docs, n % len(docs), rng)) or docs


def numbered(docs: list[Document]) -> list[Document]:
    return static_search.numbered(docs)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**6),
    size=st.integers(1, 60),
    steps=st.lists(
        st.lists(
            st.tuples(st.sampled_from(sorted(EDITS) + sorted(CHANGES)), st.integers(0, 10**6)), min_size=1, max_size=3
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_a_patched_index_is_byte_identical_to_a_full_build(seed, size, steps):
    docs = numbered(corpus(seed, size))
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        output = Output(Path(folder), docs)
        for step in steps:  # each step: a build after a few edits, patched from the previous (patched) build
            for kind, n in step:
                docs = changed(docs, kind, n, rng)
            result, files = output.next(docs)
            assert files == full(docs), f"after {steps}"
            assert result.kept or dict(result.files) == files


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return numbered(corpus(20261130, 80))


@pytest.mark.parametrize(
    ("kind", "term_files"),
    [
        ("title", True),
        ("body-insert", True),
        ("body-word", True),
        ("keywords", True),
        ("summary", True),
        ("category", True),
        ("publisher", True),
        ("doc-no", True),
        ("traditional", True),
        ("genre", False),
        ("validity", False),
    ],
)
def test_an_edit_rewrites_its_documents_files_and_only_the_buckets_its_terms_touch(tmp_path, docs, kind, term_files):
    output = Output(tmp_path, docs)
    changed = edited(docs, 5, kind, random.Random(1))
    result, files = output.next(changed)
    assert files == full(changed)
    written = {path for path, _ in result.files}
    assert result.kept and not written & set(result.kept)
    assert "search/d/5.json" in written and not any(
        p.startswith("search/d/") and not p.startswith("search/d/5") for p in written
    )
    # Exactly the term files whose bytes differ from the previous build's are written (a title's terms move
    # only in the title, a body's insertion moves every offset after it).
    before = dict(output.built.files)
    terms = {p for p in written if p.startswith("search/t/")}
    assert terms == {p for p, data in files.items() if p.startswith("search/t/") and before.get(p) != data}
    assert bool(terms) == term_files
    assert body(result.record)["documents"][5] != body(output.built.record)["documents"][5]
    # The lookup files are made again only when an edit changes a lookup key (文号 here).
    lookups = {p for p in files if p.startswith("search/id/")}
    assert (lookups <= written) if kind == "doc-no" else (lookups <= set(result.kept))


def test_an_index_built_anew_goes_to_write_file_by_file(docs):
    written: list[tuple[str, bytes]] = []

    def write(path: str, data: bytes) -> tuple[str, int]:
        written.append((path, data))
        return hashlib.sha256(data).hexdigest(), len(data)

    result = update(docs, None, None, write)
    assert result.files == [] and result.kept == {}
    assert written[-1][0] == "search/meta.json" and len(dict(written)) == len(written)
    assert dict(written) == full(docs)
    recorded = body(result.record)["files"]
    assert recorded == {path: (hashlib.sha256(data).hexdigest(), len(data)) for path, data in full(docs).items()}
    assert list(recorded) == [*sorted(path for path in recorded if path != "search/meta.json"), "search/meta.json"]


def test_nothing_is_written_when_no_document_changed(tmp_path, docs):
    output = Output(tmp_path, docs)
    result = update(list(reversed(docs)), tmp_path, output.record)
    assert result.files == [] and result.record is None and set(result.kept) == set(full(docs))


def damage_bucket(folder: Path) -> None:
    buckets = json.loads((folder / "search/meta.json").read_bytes())["term_buckets"]
    bucket = folder / f"search/t/{bucket_of('政预算', buckets):x}.bin"  # a trigram the edit below adds
    bucket.write_bytes(bucket.read_bytes()[:-3] + b"\xff\xff\xff")


def damage_document(folder: Path) -> None:
    (folder / "search/d/5.json").write_text("{}", encoding="utf-8")


def remove_piece(folder: Path) -> None:
    (folder / "search/d/5-1.txt").unlink()


@pytest.mark.parametrize("damage", [damage_bucket, damage_document, remove_piece])
def test_a_damaged_previous_file_builds_the_index_anew_not_a_wrong_one(tmp_path, docs, damage):
    docs = [*docs[:5], dataclasses.replace(docs[5], body_text=docs[5].body_text * 20), *docs[6:]]  # in pieces
    output = Output(tmp_path, docs)
    changed = [*docs[:5], dataclasses.replace(docs[5], body_text=docs[5].body_text + "财政预算审计"), *docs[6:]]
    damage(tmp_path)
    result = update(changed, tmp_path, output.record)
    assert result.kept == {} and dict(result.files) == full(changed)


@cache
def fitting_record() -> bytes:
    """The record of the `docs` fixture's index."""
    return update(corpus(20261130, 80), None, None).record


def body(record: bytes) -> dict:
    """What a record holds."""
    return records.body(record, RECORD_KEY)


def tampered(change) -> bytes:
    """A record that fits the `docs` fixture, changed."""
    record = body(fitting_record())
    change(record)
    return records.encoded(RECORD_KEY, record)


@pytest.mark.parametrize(
    "record",
    [
        None,
        b"",
        b"{garbage",
        b"[]",
        b'{"key": "x", "files": {}}',
        b'{"format": 2, "index_format": 2}',
        fitting_record()[:-1],  # cut short
        fitting_record().replace(b"search/", b"search|", 1),  # a byte changed
        records.encoded(RECORD_KEY, []),
        records.encoded("static-search 3", body(fitting_record())),  # of another format
        tampered(lambda r: r.update(format=0)),
        tampered(lambda r: r.update(index_format=2)),
        tampered(lambda r: r["files"].update({"search/t/0.bin": "x"})),
        tampered(lambda r: r["files"].update({"search/t/0.bin": ["x", 1]})),
        tampered(lambda r: r["files"].update({"search/t/0.bin": ["0" * 64, 1]})),  # a list, not a tuple
        tampered(lambda r: r["documents"][0].pop()),
        tampered(lambda r: r.update(layout=[1, 2, 3])),
        tampered(lambda r: r.update(version="the record of other code")),
    ],
)
def test_a_missing_or_damaged_record_builds_the_index_anew(tmp_path, docs, record):
    Output(tmp_path, docs)
    changed = edited(docs, 3, "title", random.Random(2))
    result = update(changed, tmp_path, record)
    assert result.kept == {} and dict(result.files) == full(changed)
    assert body(result.record)["format"] == RECORD_FORMAT


def test_a_record_remembered_through_parsed_is_not_parsed_again_and_patches_alike(tmp_path, docs, monkeypatch):
    # serve parses the record it saved once, after the swap; the next build's worker, forked, inherits the value.
    output, parsed = Output(tmp_path, docs), Parsed()
    static_update.remember(parsed, output.record)
    static_update.remember(parsed, b"{damaged")
    loads = []
    monkeypatch.setattr(static_update, "_loaded", lambda data: loads.append(data) or json.loads(b"{damaged"))
    changed = edited(docs, 5, "title", random.Random(3))
    through = update(changed, tmp_path, output.record, parsed=parsed)
    assert loads == []
    monkeypatch.undo()
    again = update(changed, tmp_path, output.record)
    assert (through.files, through.kept, through.record) == (again.files, again.kept, again.record)
    assert through.kept and update(changed, tmp_path, b"{damaged", parsed=parsed).kept == {}


def test_a_record_whose_documents_were_tampered_with_builds_anew(tmp_path, docs):
    output = Output(tmp_path, docs)
    record = body(output.record)
    record["documents"][5][3] = "不是原来的文字"  # the text after the body, as if another build had saved it
    changed = edited(docs, 5, "body-insert", random.Random(3))
    result = update(changed, tmp_path, records.encoded(RECORD_KEY, record))
    assert result.kept == {} and dict(result.files) == full(changed)


@pytest.mark.parametrize(
    ("kind", "n", "written"),
    [
        ("add-newest", 0, {"search/d/80.json"}),
        ("remove-newest", 0, set()),
        ("redate", 40, None),
    ],
)
def test_a_new_document_or_a_new_date_renumbers_little_and_is_patched(tmp_path, docs, kind, n, written):
    output = Output(tmp_path, docs)
    after = changed(docs, kind, n, random.Random(4))
    result, files = output.next(after)
    assert result.kept and files == full(after)
    assert written is None or {p for p, _ in result.files if p.startswith("search/d/")} == written
    assert "search/d/79.json" in files or kind == "remove-newest"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda docs: docs[1:], "the oldest document removed: every number moves"),
        (
            lambda docs: [
                dataclasses.replace(docs[-1], index_no=docs[-1].index_no + "9", published=date(2000, 1, 1)),
                *docs,
            ],
            "an old document added",
        ),
        (
            lambda docs: [
                dataclasses.replace(d, published=date(2040, 1, 1) - (d.published - date(2010, 1, 1))) if i % 2 else d
                for i, d in enumerate(docs)
            ],
            "renumbered by new dates",
        ),
        (lambda docs: [dataclasses.replace(docs[0], body_text=docs[0].body_text * 40), *docs[1:]], "wider offsets"),
    ],
)
def test_a_change_of_many_numbers_or_of_widths_builds_the_index_anew(tmp_path, docs, change, why):
    output = Output(tmp_path, docs)
    after = change(docs)
    result, files = output.next(after)
    assert result.kept == {} and files == full(after), why
