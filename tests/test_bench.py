"""The benchmark's own scripts run against the code as it is (they are not run by the suite otherwise)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from .conftest import REPO
from .test_incremental import build, sample_project


def test_the_gate_cost_script_measures_a_built_site(tmp_path):
    root = sample_project(tmp_path)
    build(root)
    found = subprocess.run(
        [sys.executable, str(REPO / "bench" / "gate_cost.py"), str(root)], capture_output=True, text=True, check=True
    )
    cost = json.loads(found.stdout)
    assert cost["documents"] == len(list((root / "content").rglob("*.md")))
    assert cost["pages"] == len(list((root / "site").rglob("*.html")))
    assert cost["lint"] > 0 and cost["scan"] > 0


def _bench_run():
    """bench/run.py as a module (it puts bench/ on sys.path for its own imports), loaded once."""
    if "bench_run" not in sys.modules:
        spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_run"] = module  # its dataclasses look their module up as they are made
        spec.loader.exec_module(module)
    return sys.modules["bench_run"]


@pytest.mark.parametrize(
    ("walls", "failing", "median"),
    [
        ([3.0, 1.0, 2.0], None, 2.0),
        ([1.0, 2.0, 3.0], None, 2.0),
        ([5.0, 5.0, 1.0], None, 5.0),
        ([1.0, 2.0, 3.0], 2, None),  # a failed build: no figure
    ],
)
def test_an_edit_builds_figure_is_its_median_build_each_after_an_edit(tmp_path, walls, failing, median):
    bench = _bench_run()
    document = tmp_path / "content" / "a.md"
    document.parent.mkdir()
    document.write_text("正文\n", encoding="utf-8")
    seen = []

    def build(k):
        seen.append((k, document.read_text(encoding="utf-8").count(bench.EDIT_LINE)))
        return bench.Run(walls[k - 1], 0.0, 0.0, 1 if k == failing else 0, "", "")

    found = bench.after_edits("build", document.parent, build)
    assert (found and found.wall) == median
    assert seen == [(k, k) for k in range(1, (failing or bench.EDIT_BUILDS) + 1)]  # each build after its own edit
