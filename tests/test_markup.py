"""Markdown rendering and sanitising, driven by tests/data/markup_cases.txt, plus what the reader reports."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.extensions.toc import slugify_unicode

from xxgk.markup import INLINE_PATTERNS, MarkdownRenderer, to_text, unsafe_markup

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


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("<script>alert(1)</script>", ("<script>",)),
        ('<a href="#" onclick="x()">a</a>', ("onclick=",)),
        ('<a href="javascript:x()">a</a>', ("javascript:",)),
        ("<iframe src=x></iframe><b>ok</b>", ("<iframe>",)),
        ("<table><tr><td>1</td></tr></table>", ()),
    ],
)
def test_unsafe_markup_is_named(source, found):
    assert unsafe_markup(source) == found


def test_plain_text_has_one_line_per_block():
    html = MarkdownRenderer().render("## 标题\n\n第一段&amp;\n\n- 一\n- 二\n").html
    assert to_text(html) == "标题\n第一段&\n一\n二"


def test_renderer_is_reusable_without_leaking_state():
    renderer = MarkdownRenderer()
    renderer.render("## 甲\n\n## 甲\n")
    assert renderer.render("## 甲\n").headings[0].anchor == "甲"


def _plain_python_markdown() -> markdown.Markdown:
    """Python-Markdown as it comes: the toc extension for heading ids, and no plain-text shortcut."""
    return markdown.Markdown(
        extensions=["tables", "sane_lists", "toc"],
        output_format="html",
        extension_configs={"toc": {"slugify": slugify_unicode, "marker": ""}, "tables": {"use_align_attribute": True}},
    )


def test_shortcut_knows_every_inline_pattern():
    # A new inline pattern (a Markdown upgrade, another extension) may need a character the shortcut does not
    # look for; this fails until markup.INLINE_PATTERNS and its characters are reviewed.
    patterns = MarkdownRenderer()._md.inlinePatterns
    assert len(patterns) == len(INLINE_PATTERNS)
    assert all(name in patterns for name in INLINE_PATTERNS)


_MARKDOWN_PIECES = st.sampled_from(
    [
        "通知",
        "第一条",
        "2019",
        "a",
        " ",
        "  \n",
        "\n",
        "\n\n",
        "*",
        "**",
        "_",
        "__",
        "`",
        "\\",
        "[",
        "]",
        "(",
        ")",
        "!",
        "<",
        ">",
        "&",
        "&amp;",
        "&#20013;",
        ";",
        "#",
        "## ",
        "- ",
        "1. ",
        "> ",
        "|",
        "| --- |",
        "<b>",
        "</b>",
        "<http://a.gov.cn>",
        "<a@b.cn>",
        "[附件](a.pdf)",
        "![图](a.png)",
        "[1]: http://x.cn",
        "    代码",
        "~",
        "\n## 一、总则\n",
        "\n### 第一条\n",
        "\n# A&B\n",
        "\n## `x`\n",
        "\n## 一、总则_1\n",
        "\n总则\n---\n",
        '<h2 id="x">二</h2>',
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_MARKDOWN_PIECES, max_size=40).map("".join))
def test_converter_matches_plain_python_markdown(source):
    """The plain-text shortcut and our heading anchors give byte-identical HTML to Python-Markdown's own."""
    plain = _plain_python_markdown()
    assert MarkdownRenderer()._md.reset().convert(source) == plain.reset().convert(source)
