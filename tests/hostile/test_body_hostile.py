"""Bodies that try to run script or take over the page's own elements."""

from __future__ import annotations

import re

import pytest

from xxgk.markup import PAGE_IDS, MarkdownRenderer

from ..conftest import GOOD_DOC, REPO
from .attempt import assert_refused, attempt

DOC = "content/fdzdgknr/a.md"


@pytest.mark.parametrize(
    "link",
    [
        "[点我](javascript:alert(1))",
        "[点我](jav&#x09;ascript:alert(1))",
        "[点我](&#106;avascript:alert(1))",
        "[点我](javascript&colon;alert(1))",
        '<a href="JaVa&#x0A;Script&#58;alert(1)">点我</a>',
        "<a href='&#x6A;avascript:alert(1)'>点我</a>",
        "<a href=&#106;avascript:alert(1)>点我</a>",
    ],
)
def test_every_form_of_a_script_link_is_refused_at_its_line(link, make_site, run_cli):
    root = make_site({DOC: GOOD_DOC + f"\n第二段。\n\n见{link}。\n"})
    result = attempt(run_cli, root, ["build"])
    assert_refused(result, f"{DOC}:20: 正文含有不安全的 HTML（javascript:），发布时会被删除。请从正文中去掉它。")


def test_a_body_cannot_take_the_pages_own_ids():
    rendered = MarkdownRenderer().render('## main\n\n<h2 id="search-q">检索</h2>\n\n## main\n')
    assert [h.anchor for h in rendered.headings] == ["main_1", "search-q_1", "main_2"]
    assert 'id="main"' not in rendered.html and 'id="search-q"' not in rendered.html


def test_the_page_ids_list_covers_every_id_in_the_templates():
    written = {
        m
        for path in REPO.glob("**/templates/**/*.html")
        if ".venv" not in path.parts
        for m in re.findall(r'\bid="([^"{]+)"', path.read_text(encoding="utf-8"))
    }
    assert written, "no template found"
    assert written <= PAGE_IDS, f"add these to markup.PAGE_IDS: {sorted(written - PAGE_IDS)}"
