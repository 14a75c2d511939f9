"""Random input trees (odd names, symlinks in and out, dangling and looping links, FIFOs, folders, garbage):
a build never shows a traceback, exits 0 or 1, and when it publishes, every file it wrote is well-formed."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ..conftest import GOOD_DOC, TODAY
from .sites import local_site, time_limit

FOLDERS = ["content", "content/sub", "static", "static/js", "templates", "reports"]
KINDS = ["document", "garbage", "empty", "fifo", "link-in", "link-out", "link-up", "dangling", "loop", "folder"]
ODD_NAMES = [
    "..md",
    ".md",
    "X.MD",
    "a.Md",
    "a b.md",
    "文件.md",
    "\u2028.md",
    "a.md.md",
    "%00.md",
    "-.md",
    "\t.md",
    "a\nb.md",
    "2021.yaml",
    "base.html",
    "site.css",
    "x.js",
    "a" * 200 + ".md",
]
names = st.one_of(
    st.sampled_from(ODD_NAMES),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="/\x00"), min_size=1, max_size=30).filter(
        lambda n: n not in (".", "..") and len(n.encode()) < 200
    ),
)
entries = st.lists(
    st.tuples(st.sampled_from(FOLDERS), names, st.sampled_from(KINDS), st.binary(max_size=40)), max_size=8
)


def make(root: Path, number: int, folder: str, name: str, kind: str, data: bytes) -> None:
    path = root / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.path.lexists(path):
        return
    if kind == "document":
        path.write_text(GOOD_DOC.replace("2019-00001", f"2019-{number + 2:05d}"), encoding="utf-8")
    elif kind in ("garbage", "empty"):
        path.write_bytes(data if kind == "garbage" else b"")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    else:
        target = {
            "link-in": "a.md",
            "link-out": "/etc/passwd",
            "link-up": "../../config.yaml",
            "dangling": "nowhere",
            "loop": name,
        }[kind]
        path.symlink_to(target)


def well_formed(site: Path) -> None:
    for path in site.rglob("*"):
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".xml":
            ET.parse(path)
        elif path.suffix == ".csv":
            list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=entries)
def test_a_random_tree_builds_or_fails_cleanly(tmp_path, run_cli, tree):
    root = local_site(Path(tempfile.mkdtemp(dir=tmp_path)) / "s", {"content/a.md": GOOD_DOC})
    for number, entry in enumerate(tree):
        make(root, number, *entry)
    with time_limit(120):
        result = run_cli(["build", "--today", TODAY], root)  # an exception here is the traceback a user would see
        assert result.code in (0, 1), result.err
        event(f"exit {result.code}")
        if result.code == 0:
            well_formed(root / "site")
            assert (
                run_cli(["verify", str(root / "site"), "--manifest", str(root / "site/manifest.sha256")], root).code
                == 0
            )
        else:
            assert not (root / "site").exists()
