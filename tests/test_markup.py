"""Markdown rendering and sanitising, driven by tests/data/markup_cases.txt, plus what the reader reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from xxgk.markup import MarkdownRenderer, to_text, unsafe_markup

CASES_FILE = Path(__file__).with_name("data") / "markup_cases.txt"


def load_cases() -> list[tuple[str, str, str]]:
    text = "\n".join(line for line in CASES_FILE.read_text(encoding="utf-8").split("\n") if not line.startswith("# "))
    cases = []
    for block in text.split("\n====\n"):
        name, _, rest = block.strip("\n").partition("\n")
        source, _, expected = (rest + "\n").partition("\n----\n")
        cases.append((name, source, expected.strip("\n")))
    return cases


@pytest.mark.parametrize(("name", "source", "expected"), load_cases(), ids=[c[0] for c in load_cases()])
def test_markup_case(name, source, expected):
    assert MarkdownRenderer().render(source).html.strip("\n") == expected


@pytest.mark.parametrize(("source", "found"), [
    ("<script>alert(1)</script>", ("<script>",)),
    ('<a href="#" onclick="x()">a</a>', ("onclick=",)),
    ('<a href="javascript:x()">a</a>', ("javascript:",)),
    ("<iframe src=x></iframe><b>ok</b>", ("<iframe>",)),
    ("<table><tr><td>1</td></tr></table>", ()),
])
def test_unsafe_markup_is_named(source, found):
    assert unsafe_markup(source) == found


def test_plain_text_has_one_line_per_block():
    html = MarkdownRenderer().render("## 标题\n\n第一段&amp;\n\n- 一\n- 二\n").html
    assert to_text(html) == "标题\n第一段&\n一\n二"


def test_renderer_is_reusable_without_leaking_state():
    renderer = MarkdownRenderer()
    renderer.render("## 甲\n\n## 甲\n")
    assert renderer.render("## 甲\n").headings[0].anchor == "甲"
