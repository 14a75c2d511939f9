"""The benchmark's own scripts run against the code as it is (they are not run by the suite otherwise)."""

from __future__ import annotations

import json
import subprocess
import sys

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
