"""One document per check rule in tests/data/lint/: each gives exactly its findings (code, level, line, column,
message); the allowed and masked forms give none.

Regenerate tests/data/lint/expected.json (then review the diff) with:
    UPDATE_GOLDEN=1 ./dev test tests/test_lint_documents.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from xxgk.check.rules import RULES

from .conftest import TODAY, lint_fixture

FOLDER = Path(__file__).with_name("data") / "lint"
EXPECTED = FOLDER / "expected.json"
DOCUMENTS = sorted(FOLDER.glob("*.md"))


def findings(make_site, run_cli, document: Path) -> list[list]:
    root = make_site(lint_fixture(document))
    result = run_cli(["check", "--today", TODAY, "--since", "none", "--format", "json"], root)
    return [[p["line"], p["column"], p["level"], p["code"], p["message"]] for p in json.loads(result.out)["problems"]]


@pytest.fixture(scope="module")
def expected():
    return json.loads(EXPECTED.read_text(encoding="utf-8")) if EXPECTED.exists() else {}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.stem)
def test_each_document_gives_exactly_its_findings(make_site, run_cli, expected, document):
    found = findings(make_site, run_cli, document)
    if os.environ.get("UPDATE_GOLDEN"):
        expected[document.stem] = found
        EXPECTED.write_text(
            json.dumps(dict(sorted(expected.items())), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    assert found == expected[document.stem]
    if document.stem in RULES:
        assert [f[3] for f in found] == [document.stem], "a rule's document must trigger that rule and nothing else"
    else:
        assert found == []


def test_every_rule_has_its_document():
    assert sorted(RULES) == sorted(p.stem for p in DOCUMENTS if p.stem in RULES)


SEEDS = sorted((Path(__file__).with_name("data") / "seeds").glob("*.txt"))
SEEDS_EXPECTED = Path(__file__).with_name("data") / "seeds" / "check.json"


def imported_seed(seed: Path) -> str:
    """A raw seed through the importer, with the required fields it cannot know filled in, as an editor would."""
    from xxgk.importer import import_text, to_markdown_file

    text = to_markdown_file(import_text(seed.read_text(encoding="utf-8")))
    fills = {
        'index_no: ""': 'index_no: "114403006955506492/2019-00001"',
        'publisher: ""': 'publisher: "深圳市坪山区政府办公室"',
        'published: ""': 'published: "2019-03-06"',
        'title: ""': 'title: "工作总结"',
    }
    for empty, value in fills.items():
        text = text.replace(empty, value, 1)
    return text


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_the_raw_seeds_report_exactly_their_real_problems(make_site, run_cli, seed):
    root = make_site({"content/a.md": imported_seed(seed)})
    result = run_cli(["check", "--today", TODAY, "--since", "none", "--format", "json"], root)
    found = [[p["line"], p["level"], p["code"]] for p in json.loads(result.out)["problems"] if p["level"] == "error"]
    recorded = json.loads(SEEDS_EXPECTED.read_text(encoding="utf-8")) if SEEDS_EXPECTED.exists() else {}
    if os.environ.get("UPDATE_GOLDEN"):
        recorded[seed.stem] = found
        SEEDS_EXPECTED.write_text(
            json.dumps(dict(sorted(recorded.items())), ensure_ascii=False) + "\n", encoding="utf-8"
        )
    assert found == recorded[seed.stem]
