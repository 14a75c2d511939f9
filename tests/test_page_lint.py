"""The built-page linter that remembers shared markup finds exactly what lint_html finds, page by page."""

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from xxgk.check import page_lint, privacy, spam
from xxgk.check.lint import lint_html
from xxgk.check.page_lint import PageLinter
from xxgk.check.text import fold, fold_each

ALLOWED = frozenset({"www.example.gov.cn", "beian.miit.gov.cn"})

# Pieces of pages: template markup that many pages share, text, and what an attacker or a broken template brings
# (terms split by tags and line breaks, hidden elements, off-site links, attributes, entities, the seam character
# that pieces are folded together with, letters a case-insensitive match reads as ASCII).
PIECES = [
    '<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n',
    '<meta name="description" content="政务公开">\n',
    '<meta name="keywords" content="皇冠体育">\n',
    '<nav aria-label="主导航">\n<ul>\n<li><a href="/xxgk/">首页</a></li>\n</ul>\n</nav>\n',
    '<span class="visually-hidden">跳到正文</span>\n',
    "<div hidden>\n",
    '<div class="search-help" hidden><a href="/xxgk/search/">帮助</a></div>\n',
    '<div style="display:none">',
    "<p>正文第一段。</p>\n",
    "<p>皇冠</p>\n<p>体育</p>\n",
    "<p>皇<b>冠</b>体&#32946;</p>\n",
    "皇冠<span\n>体育",
    "<p>辦(ban)公廳</p>\n",
    '<a href="https://example.org/">365bet</a>\n',
    '<a href="http://beian.miit.gov.cn/">备案</a>\n',
    '<script src="//cdn.example.com/x.js"></script>\n',
    '<link rel="schema.DC" href="http://purl.org/dc/elements/1.1/">\n',
    '<img src="/a.png" alt="性感荷官">\n',
    '<img src="/a.png" ALT = "性感\n荷官">\n',
    '<img alt\x1c="皇冠体育">\n',
    "<p>皇冠体&#32946</p>\n",
    "&#x9FFF<a",
    '<a tıtle="皇冠体育" href="/x">x</a>\n',
    '<a title="x<y" href="/x">',
    'z>"  title="体育">\n',
    "<noframes>\n",
    "<NOFRAMES>",
    "&amp;&lt;&#x9fff;&#40959;\u9fff",
    "\u9fff>\n",
    "<",
    ">\n",
    ">",
    "\n",
    "\r\n",
    " ",
    "皇冠",
    "体育",
    "</div>\n",
    "</body>\n</html>\n",
]
pages = st.lists(st.lists(st.sampled_from(PIECES), max_size=14).map("".join), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(pages=pages, memory=st.sampled_from([1, 30, 20000]), longest=st.sampled_from([0, 8, 200]))
def test_the_page_linter_finds_what_lint_html_finds_on_every_page(pages, memory, longest):
    linter = PageLinter(ALLOWED, memory=memory, longest=longest)
    for number, page in enumerate(pages):
        dest = f"site/{number}.html"
        assert linter.lint(dest, page) == lint_html(dest, page, allowed_hosts=ALLOWED)


@settings(max_examples=300, deadline=None)
@given(
    batches=st.lists(pages, min_size=1, max_size=3),
    memory=st.sampled_from([1, 30, 20000]),
    longest=st.sampled_from([0, 8, 200]),
)
def test_pages_linted_together_get_what_lint_html_finds_in_each(batches, memory, longest):
    linter = PageLinter(ALLOWED, memory=memory, longest=longest)
    for batch in batches:
        named = [(f"site/{number}.html", page) for number, page in enumerate(batch)]
        assert linter.lint_pages(named) == [lint_html(dest, page, allowed_hosts=ALLOWED) for dest, page in named]


def test_short_pieces_are_remembered_within_the_memory_and_long_ones_read_again(monkeypatch):
    reads: list[str] = []

    def counted(parts, allowed_hosts, *, cut):
        reads.extend(parts)
        return real(parts, allowed_hosts, cut=cut)

    real = page_lint._read
    monkeypatch.setattr(page_lint, "_read", counted)
    paragraph = "<p>" + "本机关依法公开政府信息。" * 10 + "</p"
    page = f'<div class="wrap">\n{paragraph}>\n'
    linter = PageLinter(ALLOWED, memory=30, longest=50)
    for _ in range(3):
        assert linter.lint("site/a.html", page) == lint_html("site/a.html", page, allowed_hosts=ALLOWED)
    assert reads == ['<div class="wrap"', paragraph, paragraph, paragraph]
    reads.clear()
    filler = [f'<div id="n{n}">\n' for n in range(3)]  # 12 characters each: the memory of 30 fills up
    for piece in [*filler, page]:
        linter.lint("site/b.html", piece)
    assert reads.count('<div class="wrap"') == 1


def test_the_built_sample_site_reads_alike_both_ways(built_sample_site):
    allowed = frozenset({"www.example.gov.cn"})
    named = [(str(page), page.read_text(encoding="utf-8")) for page in sorted(built_sample_site.rglob("*.html"))]
    expected = [lint_html(dest, html, allowed_hosts=allowed) for dest, html in named]
    linter = PageLinter(allowed)
    assert [linter.lint(dest, html) for dest, html in named] == expected
    assert PageLinter(allowed).lint_pages(named) == expected


SEAMY = [*"<>&#;x9f\n 皇冠", "\u9fff", "&#40959;", "&#x9FFF;", "&#x9fff", "<b>", "<a\n", "&amp;", "\uf9a4"]


@settings(max_examples=300, deadline=None)
@example(texts=["&#x9FFF<a", ">"], squeeze=True, markup=True)  # an entity without ";" is no entity: no seam
@given(
    texts=st.lists(st.lists(st.sampled_from(SEAMY), max_size=10).map("".join), min_size=1, max_size=6),
    squeeze=st.booleans(),
    markup=st.booleans(),
)
def test_folding_texts_together_gives_each_texts_own_view(texts, squeeze, markup):
    expected = [fold(text, squeeze=squeeze, markup=markup).text for text in texts]
    assert fold_each(texts, squeeze=squeeze, markup=markup) == expected


def test_only_the_seam_itself_folds_into_the_seam():
    import html.entities
    import unicodedata

    folds_into = [chr(c) for c in range(0x110000) if "\u9fff" in unicodedata.normalize("NFKC", chr(c)).casefold()]
    assert folds_into == ["\u9fff"]
    assert not any("\u9fff" in value for value in html.entities.html5.values())


# What the privacy patterns matched when the look back came first, before they were rewritten to start with a
# character (which lets the matcher skip to digits): the same matches, span for span.
_BEFORE = "(?<![0-9a-z*])"
_AFTER = "(?![0-9a-z*])"
EDGE_FIRST = {
    "_ID18": _BEFORE + r"\d{17}[\dx]" + _AFTER,
    "_ID15": _BEFORE + r"\d{15}" + _AFTER,
    "_MOBILE": _BEFORE + r"1[3-9]\d(?:[- ]?\d{4}){2}" + _AFTER,
    "_CARD": _BEFORE + r"(?:\d{16,19}" + _AFTER + r"|\d{4}(?:[- ]\d{4}){3}(?:[- ]\d{1,3})?(?![0-9a-z*]|[- ]\d))",
    "_LANDLINE": _BEFORE + r"(\(0\d{2,3}\)|0\d{2,3}-?)(\d{7,8})" + _AFTER,
}
DIGITS = [*"0123456789x*a- ()汉", "13812345678", "0755-", "(0755)", "6222", "110105", "19491231002x"]


@settings(max_examples=500, deadline=None)
@given(text=st.lists(st.sampled_from(DIGITS), max_size=30).map("".join))
def test_the_privacy_patterns_match_what_the_look_back_first_patterns_matched(text):
    for name, before in EDGE_FIRST.items():
        expected = [(m.span(), m.groups()) for m in re.finditer(before, text, re.ASCII)]
        assert [(m.span(), m.groups()) for m in getattr(privacy, name).finditer(text)] == expected, name


@pytest.mark.parametrize(
    ("line", "refused"),
    [
        ("re:快[3三](?:计划|开奖)", False),
        ("re:棋牌(?!室)|(?<=天天)棋牌", False),
        (r"re:太阳城\(官网\)", False),
        ("re:a.b", False),
        (r"re:皇冠\s体育", True),
        (r"re:皇冠\n", True),
        (r"re:\x0a", True),
        ("re:皇冠[^a]体育", True),
        ("re:(?s)皇冠.体育", True),
        ("re:^皇冠", True),
        ("re:皇冠$", True),
        ("re:皇冠\t体育", True),
        (r"re:(a)\1", True),
    ],
)
def test_a_term_pattern_that_could_match_a_line_break_is_refused(line, refused):
    if refused:
        with pytest.raises(ValueError, match="line break"):
            spam.load_terms(line)
    else:
        pattern = spam.load_terms(line)
        texts = ["\n", "快\n3计划", "天天\n棋牌", "a\nb", "太阳城(官网)"]
        assert all("\n" not in match.group() for text in texts for match in pattern.finditer(text))


def flat_terms_pattern() -> re.Pattern:
    """The term list as one alternative per line, `re:` lines first, then the terms longest first."""
    patterns, terms = [], set()
    for line in spam.TERMS_FILE.read_text(encoding="utf-8").split("\n"):
        line = line.strip()
        if line.startswith("re:"):
            patterns.append(line[3:].strip())
        elif line and not line.startswith("#"):
            terms.add(fold(line, squeeze=True).text)
    literals = sorted((t for t in terms if t), key=lambda t: (-len(t), t))
    return re.compile("|".join([*patterns, *map(re.escape, literals)]))


TERM_TEXT = st.lists(
    st.sampled_from([*"皇冠体育快3三计划棋牌室天娱乐城真人钱游戏澳门赌场金沙bet365aox。\n", "皇冠现金网", "六合彩"]),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=TERM_TEXT)
def test_terms_grouped_by_first_character_match_what_one_alternative_per_term_matches(text):
    flat = flat_terms_pattern()
    assert [m.span() for m in spam.TERMS.finditer(text)] == [m.span() for m in flat.finditer(text)]
