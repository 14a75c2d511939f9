"""The staged write: paths can't escape, no path is written twice, the old site survives any failure, unchanged files
are not rewritten, and one build at a time writes into a folder."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xxgk import output, records
from xxgk.manifest import MANIFEST, Unusable, manifest_text, parse, patched
from xxgk.model import Output
from xxgk.output import Changes, Staging, staged
from xxgk.records import Parsed


def test_outputs_are_written_and_swapped_in(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "old.html").write_text("old")
    with staged(out) as stage:
        stage.write([Output("index.html", b"new"), Output("doc/a/b.html", b"doc")])
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "doc/a/b.html",
        "index.html",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # neither staging nor old copy left behind


def test_written_files_get_the_bytes_and_the_mode_open_gives(tmp_path):
    reference = tmp_path / "reference"
    reference.write_bytes(b"")
    (tmp_path / "longer").write_bytes(b"x" * 5000)
    for name, data in [("new", b"abc"), ("longer", b"short"), ("empty", b""), ("large", bytes(range(256)) * 4096)]:
        output._write_new(str(tmp_path / name), data)
        assert (tmp_path / name).read_bytes() == data
        assert (tmp_path / name).stat().st_mode == reference.stat().st_mode


def test_a_failure_leaves_the_old_site_untouched(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("old")
    with pytest.raises(RuntimeError), staged(out) as stage:
        stage.write([Output("index.html", b"half")])
        raise RuntimeError("a later stage failed")
    assert (out / "index.html").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_first_build_creates_the_folder(tmp_path):
    with staged(tmp_path / "new" / "site") as stage:
        stage.write([Output("index.html", b"x")])
    assert (tmp_path / "new" / "site" / "index.html").read_bytes() == b"x"


@pytest.mark.parametrize("dest", ["../evil.html", "/etc/passwd", "a/../../evil.html", ""])
def test_paths_cannot_escape(tmp_path, dest):
    with pytest.raises(ValueError, match="escapes the site folder"):
        Staging(tmp_path).target(dest)


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["a", "b.c", ".", "..", "...", ".d", "", "\0"]), min_size=1, max_size=5))
def test_a_path_with_an_empty_dot_or_dot_dot_part_is_refused(tmp_path, parts):
    dest = "/".join(parts)
    inside = all(part not in ("", ".", "..") and "\0" not in part for part in parts)
    if inside:
        assert Staging(tmp_path / "stage").target(dest) == f"{tmp_path}/stage/{dest}"
    else:
        with pytest.raises(ValueError, match="escapes the site folder"):
            Staging(tmp_path / "stage").target(dest)


def test_symlinked_folder_cannot_lead_outside(tmp_path):
    (tmp_path / "stage").mkdir()
    (tmp_path / "stage" / "doc").symlink_to(tmp_path)
    with pytest.raises(ValueError, match="escapes the site folder"):
        Staging(tmp_path / "stage").target("doc/x.html")


def test_a_path_is_written_once(tmp_path):
    stage = Staging(tmp_path)
    stage.write([Output("a.html", b"1")])
    with pytest.raises(ValueError, match="two outputs claim one path"):
        stage.write([Output("a.html", b"2")])


def test_static_tree_is_copied_without_hidden_files(tmp_path):
    source = tmp_path / "static"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body{}")
    (source / ".DS_Store").write_text("x")
    stage = Staging(tmp_path / "out")
    assert stage.copy_tree(source, "static") == 1
    assert (tmp_path / "out" / "static" / "css" / "site.css").exists()


def tree(folder):
    """Every file under folder: path -> (bytes, inode, mtime_ns)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build_once(out, files, reuse=True):
    with staged(out, reuse=reuse) as stage:
        stage.write([Output(dest, data) for dest, data in files.items()])
        stage.write_manifest()
    return stage


def test_unchanged_files_are_linked_not_rewritten_and_removed_files_go(tmp_path):
    out = tmp_path / "site"
    build_once(out, {"same.html": b"same", "edited.html": b"old", "gone.html": b"bye"})
    before = tree(out)
    stage = build_once(out, {"same.html": b"same", "edited.html": b"new", "added/x.html": b"hi"})
    after = tree(out)
    assert after["same.html"] == before["same.html"]  # same bytes, same inode, same mtime
    assert after["edited.html"][0] == b"new" and after["edited.html"][1] != before["edited.html"][1]
    assert after["added/x.html"][0] == b"hi" and "gone.html" not in after
    assert stage.changes() == Changes(added=1, changed=1, removed=1, unchanged=1)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.spare", "site"]  # the replaced site, kept


def test_a_copy_whose_digest_is_known_is_not_read_unless_it_must_be_copied(tmp_path, monkeypatch):
    out, source = tmp_path / "site", tmp_path / "附件.pdf"
    source.write_bytes(b"%PDF one")
    known = hashlib.sha256(b"%PDF one").hexdigest()

    def copy_build():
        with staged(out, reuse=True) as stage:
            stage.write([Output("doc/附件.pdf", source=source, digest=known)])
            stage.write_manifest()
        return stage

    copy_build()
    before = tree(out)
    monkeypatch.setattr(output, "file_hash", lambda path: pytest.fail(f"{path} was read"))
    monkeypatch.setattr(output, "_copied", lambda source, path: pytest.fail(f"{source} was copied"))
    copy_build()  # linked from the spare, by the manifest and the size
    copy_build()
    assert tree(out)["doc/附件.pdf"] == before["doc/附件.pdf"]
    monkeypatch.undo()
    # Changed after it was read (the cache entry that gave the digest would no longer hold): what is recorded is
    # what was copied.
    source.write_bytes(b"%PDF two, longer")
    stage = copy_build()
    assert (out / "doc/附件.pdf").read_bytes() == b"%PDF two, longer"
    copied = hashlib.sha256(b"%PDF two, longer").hexdigest()
    assert parse((out / MANIFEST).read_text())["doc/附件.pdf"] == copied == stage.written()["doc/附件.pdf"]


def test_without_reuse_every_file_is_written_again(tmp_path):
    out = tmp_path / "site"
    build_once(out, {"same.html": b"same"})
    before = tree(out)
    build_once(out, {"same.html": b"same"}, reuse=False)
    assert tree(out)["same.html"][1] != before["same.html"][1]


@pytest.mark.parametrize("damage", ["edited on disk", "manifest garbled", "manifest missing", "file is a symlink"])
def test_a_file_is_reused_only_when_the_manifest_and_its_size_vouch_for_it(tmp_path, damage):
    out = tmp_path / "site"
    build_once(out, {"a.html": b"right"})
    if damage == "edited on disk":
        (out / "a.html").write_bytes(b"wrong!")
    elif damage == "manifest garbled":
        (out / MANIFEST).write_bytes(b"\xff\xfe")
    elif damage == "manifest missing":
        (out / MANIFEST).unlink()
    else:
        (tmp_path / "elsewhere").write_bytes(b"right")
        (out / "a.html").unlink()
        (out / "a.html").symlink_to(tmp_path / "elsewhere")
    before = (out / "a.html").lstat().st_ino
    build_once(out, {"a.html": b"right"})
    assert (out / "a.html").read_bytes() == b"right" and not (out / "a.html").is_symlink()
    assert (out / "a.html").lstat().st_ino != before


def test_the_swap_works_without_an_atomic_exchange(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    out = tmp_path / "site"
    build_once(out, {"a.html": b"1", "b.html": b"2"})
    build_once(out, {"a.html": b"1", "c.html": b"3"})
    build_once(out, {"a.html": b"1", "d/e.html": b"4"})
    assert {k: v[0] for k, v in tree(out).items() if k != MANIFEST} == {"a.html": b"1", "d/e.html": b"4"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.spare", "site"]


def test_a_second_build_into_the_same_folder_is_refused_while_one_runs(tmp_path):
    out = tmp_path / "site"
    with output.locked(out):
        with pytest.raises(output.OutputBusy) as refused, output.locked(out):
            pass
    assert refused.value.problems[0].code == "output-busy" and "另一个构建" in refused.value.problems[0].message
    with output.locked(out):  # released when the first build ended
        pass


def test_the_lock_holder_removes_what_a_killed_build_left(tmp_path):
    out, index = tmp_path / "site", tmp_path / ".site-index"
    for leftover in (".site.new-abc", ".site-index.new-def", ".site.old-ghi/site"):
        (tmp_path / leftover).mkdir(parents=True)
        (tmp_path / leftover / "f").write_text("x")
    (tmp_path / "unrelated.new-1").mkdir()
    with output.locked(out, index):
        # Killed between the two renames of the fallback swap: the previous site is put back.
        assert (out / "f").read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "unrelated.new-1"]


def test_a_leftover_previous_site_does_not_replace_a_present_one(tmp_path):
    out = tmp_path / "site"
    (out).mkdir()
    (out / "current").write_text("now")
    (tmp_path / ".site.old-x" / "site").mkdir(parents=True)
    with output.locked(out):
        pass
    assert [p.name for p in out.iterdir()] == ["current"] and not (tmp_path / ".site.old-x").exists()


# The spare site: each build stages into the site the previous swap replaced, changing only what differs.

_PATHS = ["index.html", "a.html", "a/b.html", "a/c/d.html", "doc/x.html", "doc/y/z.html", "doc", "doc/y/w.pdf"]
_SITES = st.dictionaries(st.sampled_from(_PATHS), st.sampled_from([b"1", b"22", b"333", b"22 "]), min_size=1)


def _consistent(files):
    """No path is both a file and a folder of the same site."""
    return not any(other.startswith(path + "/") for path in files for other in files)


def _spare_holds_its_manifest(tmp_path):
    spare = tmp_path / ".site.spare"
    held = parse((spare / MANIFEST).read_text(encoding="utf-8"))
    assert {k: v[0] for k, v in tree(spare).items() if k != MANIFEST} == {
        path: (spare / path).read_bytes() for path in held
    }
    assert all(hashlib.sha256((spare / path).read_bytes()).hexdigest() == digest for path, digest in held.items())
    assert not [p for p in spare.rglob("*") if p.is_dir() and not any(p.iterdir())]  # no empty folder left


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_SITES.filter(_consistent), min_size=2, max_size=6), st.integers(0, 5))
def test_builds_through_the_spare_publish_exactly_each_site(tmp_path_factory, sites, failing):
    """Every build publishes exactly its files (no folder left empty); a file unchanged since the previous build
    keeps its inode and mtime; a build that fails midway changes nothing served and the next one is exact."""
    root = tmp_path_factory.mktemp("spare")
    out = root / "site"
    for number, files in enumerate(sites):
        if number == failing:
            with pytest.raises(RuntimeError), staged(out, reuse=True) as stage:
                before = tree(out) if out.exists() else {}
                stage.write([Output(dest, data + b"!") for dest, data in sorted(files.items())][:2])
                raise RuntimeError("a later stage failed")
            assert tree(out) == before
            if (root / ".site.spare").exists():
                _spare_holds_its_manifest(root)
        before = tree(out) if out.exists() else {}
        build_once(out, files)
        after = tree(out)
        assert {k: v[0] for k, v in after.items() if k != MANIFEST} == files
        assert not [p for p in out.rglob("*") if p.is_dir() and not any(p.iterdir())]
        assert all(after[p][1:] == before[p][1:] for p in files if p in before and before[p][0] == files[p])
        if number:
            _spare_holds_its_manifest(root)


def test_a_spare_left_by_a_killed_build_is_deleted_not_trusted(tmp_path):
    out = tmp_path / "site"
    for files in ({"a.html": b"1"}, {"a.html": b"2"}):
        build_once(out, files)
    spare = tmp_path / ".site.spare"
    (spare / MANIFEST).unlink()  # what a build changing the spare leaves when it is killed
    (spare / "planted.html").write_bytes(b"not built")
    with output.locked(out):
        assert not spare.exists()
    build_once(out, {"a.html": b"3"})
    assert {k: v[0] for k, v in tree(out).items() if k != MANIFEST} == {"a.html": b"3"}


def test_a_spare_file_changed_on_disk_is_replaced(tmp_path):
    out = tmp_path / "site"
    for files in ({"a.html": b"same", "b.html": b"1"}, {"a.html": b"same", "b.html": b"2"}):
        build_once(out, files)
    spare = tmp_path / ".site.spare"
    (spare / "a.html").unlink()
    (spare / "a.html").write_bytes(b"edited")  # the spare's manifest now lies about it
    build_once(out, {"a.html": b"same", "b.html": b"3"})
    assert (out / "a.html").read_bytes() == b"same"


def test_a_spare_whose_manifest_lists_a_nul_path_is_not_used(tmp_path):
    out = tmp_path / "site"
    for files in ({"a.html": b"1", "b.html": b"x"}, {"a.html": b"2", "b.html": b"x"}):
        build_once(out, files)
    spare = tmp_path / ".site.spare"
    with (spare / MANIFEST).open("a") as manifest:  # no file can have this name: a damaged manifest
        manifest.write(f"{'0' * 64}  a\0b.html\n")
    build_once(out, {"a.html": b"3", "b.html": b"x"})
    assert {k: v[0] for k, v in tree(out).items() if k != MANIFEST} == {"a.html": b"3", "b.html": b"x"}


def test_no_reuse_discards_the_spare(tmp_path):
    out = tmp_path / "site"
    for files in ({"a.html": b"1"}, {"a.html": b"2"}):
        build_once(out, files)
    build_once(out, {"a.html": b"3"}, reuse=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_the_first_build_leaves_a_spare_of_links_for_the_next(tmp_path):
    out = tmp_path / "site"
    build_once(out, {"a.html": b"1", "d/e.html": b"2"})
    spare = tree(tmp_path / ".site.spare")
    assert spare == tree(out)  # the same files: same bytes, inodes and mtimes
    build_once(out, {"a.html": b"1", "d/e.html": b"3"})
    assert tree(out)["a.html"] == spare["a.html"] and tree(out)["d/e.html"][0] == b"3"


def _parsed_line_by_line(text):
    """The manifest's entries as a line-by-line reading finds them, or None where parse must refuse it."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    entries = {}
    for line in lines:
        digest, sep, path = line.partition("  ")
        parts = path.split("/")
        valid = (
            sep
            and len(digest) == 64
            and all(c in "0123456789abcdef" for c in digest)
            and path
            and "\n" not in path
            and "\0" not in path
            and not {"", ".", ".."} & set(parts)
            and path != MANIFEST
            and path not in entries
        )
        if not valid:
            return None
        entries[path] = digest
    return entries or None


_DIGESTS = st.sampled_from(["a" * 64, "0123456789abcdef" * 4, "A" * 64, "a" * 63, "g" * 64, "é" + "a" * 63, "a" * 65])
_NAMES = st.sampled_from(
    ["index.html", "a/b.html", "a//b", "../x", "./y", MANIFEST, "x y", " z", "a\r", "", "doc/"]
    + ["...", "a/.b", "a/./b", "a/../b", "/a", "a/..", "a/.", "b..", "a/..c/d", "d/" + MANIFEST, "a\0b.html"]
)
_LINES = st.builds(lambda d, sep, n: f"{d}{sep}{n}", _DIGESTS, st.sampled_from(["  ", " ", "   "]), _NAMES)


@settings(max_examples=400, deadline=None)
@given(st.lists(_LINES, max_size=6), st.booleans())
def test_a_manifest_is_read_exactly_or_refused(lines, final_newline):
    text = "\n".join(lines) + ("\n" if final_newline and lines else "")
    expected = _parsed_line_by_line(text)
    if expected is None:
        with pytest.raises(Unusable):
            parse(text)
    else:
        assert parse(text) == expected


_MANIFEST_PATHS = st.sampled_from(
    ["a", "a.html", "a-b.html", "a/b.html", "a/b/c.html", "ab.html", "b.html", "z.html", "文件/a.html", "文件.html"]
    + ["A.html", "a b.html", "a\u00e9.html", "\U0001f600.html", "doc/0001.html", "doc/001.html", "doc/1.html"]
)
_MANIFEST_DIGESTS = st.sampled_from(["0" * 64, "1" * 64, "f" * 64])


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(_MANIFEST_PATHS, _MANIFEST_DIGESTS),
    st.dictionaries(_MANIFEST_PATHS, st.one_of(st.none(), _MANIFEST_DIGESTS)),
)
def test_a_patched_manifest_is_the_one_written_whole(old, differences):
    new = {path: digest for path, digest in {**old, **differences}.items() if digest is not None}
    assert patched(manifest_text(old).encode(), differences) == manifest_text(new).encode()


@pytest.mark.parametrize(
    ("text", "ordered"),
    [
        (f"{'0' * 64}  a.html\n{'1' * 64}  b/c.html\n", True),
        (f"{'0' * 64}  b/c.html\n{'1' * 64}  a.html\n", False),  # valid, and out of order: never patched
        (f"{'0' * 64}  a.html\n{'1' * 64}  b/c.html", False),  # no newline at its end
        (f"{'0' * 64}  a.html\n", True),
    ],
)
def test_only_a_manifest_in_path_order_is_kept_for_patching(tmp_path, text, ordered):
    (tmp_path / MANIFEST).write_text(text, encoding="utf-8")
    previous = output.Previous.of(tmp_path)
    assert previous.hashes == parse(text)
    assert previous.text == (text.encode() if ordered else b"")


def build_recorded(out, files, record):
    with staged(out, reuse=True, spare_record=record) as stage:
        stage.write([Output(dest, data) for dest, data in sorted(files.items())])
        stage.write_manifest()


def spare_as_read(out, record):
    return output._spare_manifest(out, Parsed(), record).hashes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_SITES.filter(_consistent), min_size=2, max_size=6))
def test_the_spare_manifest_read_through_the_record_is_the_parsed_one(tmp_path_factory, sites):
    root = tmp_path_factory.mktemp("record")
    for files in sites:
        build_recorded(root / "site", files, root / "spare.record")
        assert spare_as_read(root / "site", root / "spare.record") == parse(
            (root / ".site.spare" / MANIFEST).read_text(encoding="utf-8")
        )


def test_the_spare_manifest_is_not_parsed_when_the_record_fits_and_is_when_it_does_not(tmp_path, monkeypatch):
    out, record = tmp_path / "site", tmp_path / "spare.record"
    site = {f"doc/{n}.html": f"page {n}".encode() for n in range(20)}
    build_recorded(out, site, record)
    build_recorded(out, {**site, "doc/3.html": b"edited", "doc/new.html": b"new"} | {"doc/4.html": b"x"}, record)
    expected = parse((tmp_path / ".site.spare" / MANIFEST).read_text(encoding="utf-8"))
    parsed = []
    monkeypatch.setattr(output, "parse", lambda text: parsed.append(1) or parse(text))
    # Neither is parsed line by line: the record names the served manifest's bytes, as the last build wrote them.
    assert spare_as_read(out, record) == expected and not parsed
    body = records.body(record.read_bytes(), output._SPARE_RECORD)
    for undo in ({"../outside.html": None}, {"doc/3.html": "not a digest"}, []):
        record.write_bytes(records.encoded(output._SPARE_RECORD, {**body, "undo": undo}))
        parsed.clear()
        assert spare_as_read(out, record) == expected and len(parsed) == 1  # the spare's
    record.write_bytes(records.encoded(output._SPARE_RECORD, {**body, "served": "0" * 64}))
    parsed.clear()
    assert spare_as_read(out, record) == expected and len(parsed) == 2  # a record of other manifests


@pytest.mark.parametrize(
    ("named", "checked"),
    [
        pytest.param("its own", False, id="the-record-names-its-bytes"),
        pytest.param("0" * 64, True, id="the-record-names-other-bytes"),
        pytest.param(None, True, id="the-record-names-none"),
        pytest.param(42, True, id="the-record-names-no-digest"),
    ],
)
def test_the_served_manifest_is_read_without_its_line_checks_only_when_the_record_names_its_bytes(
    tmp_path, monkeypatch, named, checked
):
    out, record = tmp_path / "site", tmp_path / "spare.record"
    site = {f"doc/{n}.html": f"page {n}".encode() for n in range(20)}
    build_recorded(out, site, record)
    build_recorded(out, {**site, "doc/3.html": b"edited"}, record)
    served = (out / MANIFEST).read_text(encoding="utf-8")
    if named == "its own":
        named = hashlib.sha256(served.encode()).hexdigest()
    body = records.body(record.read_bytes(), output._SPARE_RECORD)
    record.write_bytes(records.encoded(output._SPARE_RECORD, {**body, "served": named}))
    texts = []
    monkeypatch.setattr(output, "parse", lambda text: texts.append(text) or parse(text))
    assert spare_as_read(out, record) == parse((tmp_path / ".site.spare" / MANIFEST).read_text(encoding="utf-8"))
    assert (served in texts) is checked
    texts.clear()
    previous = output.Previous.of(out, Parsed(), named if isinstance(named, str) else "")
    assert previous.hashes == parse(served) and previous.text == served.encode()
    assert (served in texts) is checked


def test_a_site_published_without_a_manifest_leaves_no_note_of_its_spare(tmp_path):
    out, record = tmp_path / "site", tmp_path / "spare.record"
    build_recorded(out, {"a.html": b"a", "b.html": b"b", "c.html": b"c", "d.html": b"d", "e.html": b"e"}, record)
    assert record.is_file()
    with staged(out, reuse=True, spare_record=record) as stage:
        stage.write([Output("a.html", b"a")])
    assert not record.exists() and (out / "a.html").read_bytes() == b"a"


_S = 1_000_000_000


@pytest.mark.parametrize(
    ("mtime", "seen", "racy"),
    [
        (10 * _S, 11 * _S + _S // 2, True),  # whole seconds: such a file system ticks every second or two
        (10 * _S, 12 * _S, True),
        (10 * _S, 12 * _S + 1, False),
        (10 * _S + 5_000_000, 10 * _S + 50_000_000, True),  # nanoseconds: it ticks every few milliseconds at most
        (10 * _S + 5_000_000, 10 * _S + 105_000_000, True),
        (10 * _S + 5_000_000, 10 * _S + 105_000_001, False),
        (10 * _S + 5_000_000, 13 * _S, False),
    ],
)
def test_a_folder_mtime_is_trusted_only_when_older_than_a_tick_of_its_file_system(mtime, seen, racy):
    assert output._racy(mtime, seen) is racy


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize(
    "previous",
    [
        {"a.html": "0" * 64, "b/c.html": "0" * 64, "b/d.html": "0" * 64},  # the same paths, in order
        {"a.html": _sha("a.html"), "b/c.html": "0" * 64, "b/d.html": _sha("b/d.html")},  # one of them changed
        {"b/d.html": "0" * 64, "a.html": "0" * 64, "b/c.html": "0" * 64},  # the same paths, out of order
        {"a.html": "0" * 64, "b/c.html": "0" * 64},  # fewer
        {"a.html": "0" * 64, "b/c.html": "0" * 64, "b/e.html": "0" * 64},  # as many, one of them another
        {"a.html": "0" * 64, "b/c.html": "0" * 64, "b/d.html": "0" * 64, "e.html": "0" * 64},  # more
        {},
    ],
)
@pytest.mark.parametrize("patching", [False, True])
def test_the_manifest_lists_the_files_in_name_order_whatever_the_previous_one_listed(tmp_path, previous, patching):
    text = manifest_text(previous).encode() if patching and previous else b""  # in order: patched, when few differ
    stage = Staging(tmp_path / "stage", output.Previous(tmp_path / "old", previous, text=text))
    stage.write([Output(dest, dest.encode()) for dest in ("b/d.html", "a.html", "b/c.html")])
    stage.write_manifest()
    lines = (tmp_path / "stage" / MANIFEST).read_text(encoding="utf-8").splitlines()
    assert lines == [f"{_sha(dest)}  {dest}" for dest in ("a.html", "b/c.html", "b/d.html")]


def test_the_manifest_of_a_large_site_after_an_edit_is_the_previous_one_patched(tmp_path, monkeypatch):
    previous = {f"doc/{n:03}.html": _sha(f"doc/{n:03}.html") for n in range(100)}
    previous["doc/050.html"] = "0" * 64  # edited since
    previous["gone.html"] = "0" * 64  # removed since
    stage = Staging(
        tmp_path / "stage", output.Previous(tmp_path / "old", previous, text=manifest_text(previous).encode())
    )
    monkeypatch.setattr(output, "manifest_text", lambda hashes: pytest.fail("written whole"))
    stage.write([Output(dest, dest.encode()) for dest in previous if dest != "gone.html"])
    assert stage.differences() == {"doc/050.html": _sha("doc/050.html"), "gone.html": None}
    stage.write([Output("doc/new.html", b"doc/new.html")])  # a write after they were worked out
    assert stage.differences() == {
        "doc/050.html": _sha("doc/050.html"),
        "gone.html": None,
        "doc/new.html": _sha("doc/new.html"),
    }
    stage.write_manifest()
    lines = (tmp_path / "stage" / MANIFEST).read_text(encoding="utf-8").splitlines()
    paths = sorted([*previous, "doc/new.html"])
    assert lines == [f"{_sha(dest)}  {dest}" for dest in paths if dest != "gone.html"]
    assert stage.changes() == Changes(added=1, changed=1, removed=1, unchanged=99)
