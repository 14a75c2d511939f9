"""The privacy rules over a body as its page shows it: digits that the source keeps apart with emphasis, code, a
link, markup, a character reference or an invisible character, and that the page shows as one number."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import TODAY

JOINED = Path(__file__).with_name("data") / "privacy" / "joined.md"
SHOWN = "在页面上显示为一个完整的号码"
ID_0014, ID_1753, MOBILE = "440524********0014", "440524********1753", "138****8000"

# (line, code, the masked number, whether the page's reading found it): one paragraph per case, each once.
EXPECTED = [
    (16, "privacy-id-number", ID_0014, True),  # 4405**24**…
    (18, "privacy-id-number", ID_0014, True),  # 4405****24****…
    (20, "privacy-id-number", ID_0014, True),  # &#52;…
    (20, "privacy-mobile", MOBILE, True),  # &#x31;…
    (22, "privacy-id-number", ID_0014, True),  # `4405`…
    (24, "privacy-id-number", ID_0014, True),  # [4405](…)…
    (26, "privacy-id-number", ID_0014, True),  # <!-- a>b -->
    (28, "privacy-id-number", ID_0014, True),  # &zwj;
    (28, "privacy-mobile", MOBILE, True),  # U+200E, U+200F
    (30, "privacy-id-number", ID_1753, True),  # <b>4</b>…
    (30, "privacy-bank-card", "4052*********1753", False),  # the source's 17 digits after the tag
    (32, "privacy-id-number", ID_0014, False),  # written as one number: the source's finding alone
]


def test_a_number_the_page_shows_whole_is_found_once_at_its_line(make_site, run_cli):
    root = make_site({"content/a.md": JOINED.read_text(encoding="utf-8")})
    result = run_cli(["check", "--today", TODAY, "--since", "none", "--format", "json"], root)
    found = [
        (p["line"], p["code"], masked, SHOWN in p["message"])
        for p in json.loads(result.out)["problems"]
        for masked in [p["message"].rpartition("“")[2].partition("”")[0]]
    ]
    assert result.code == 1 and found == EXPECTED


def test_numbers_the_page_shows_apart_are_none(make_site, run_cli):  # table cells, list items, lines, paragraphs
    passes = Path(__file__).with_name("data") / "lint" / "privacy-as-shown-passes.md"
    root = make_site({"content/a.md": passes.read_text(encoding="utf-8")})
    result = run_cli(["check", "--today", TODAY, "--since", "none", "--format", "json"], root)
    assert json.loads(result.out)["problems"] == [] and result.code == 0
