"""The clue search that lets the markup rules skip the tags that cannot matter: it finds every tag they would."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk.check import hidden, links, spam
from xxgk.check.tags import _LOOKALIKES, Clues, tags_with


def test_the_lookalikes_are_every_character_a_case_insensitive_pattern_takes_for_an_ascii_letter():
    everything = "".join(map(chr, range(0x80, 0x110000)))
    assert set(re.findall(r"(?i)[a-z]", everything)) == set(_LOOKALIKES)


def test_a_clue_is_found_in_any_case_and_with_its_surroundings():
    clues = Clues("title", "alt", after=r"\s*=")
    assert clues.starts("<a TITLE = 'x' Alt='y' alto title>") == [3, 15]
    assert clues.starts("<a tıtle='x'>") == [3]  # dotless i, as re.IGNORECASE reads it
    # Every space a text pattern's \s knows, inside ASCII (\x1c-\x1f too) and outside it.
    assert clues.starts("<img alt\x1c='x' title\u3000='y'>") == [5, 14]
    assert Clues("//").starts("<a href='///x'>İ//") == [9, 10, 16]  # no letter: found in the text, overlaps too


PIECES = [
    *"<>=\"' \n/:ab",
    "<a ",
    "<div ",
    "<noframes>",
    "<NOFRAMES ",
    "</a>",
    "style",
    "STYLE",
    "ſtyle",
    "hidden",
    "hİdden",
    "HiDdEn",
    "title",
    "tıtle",
    "content",
    "alt",
    "value",
    "aria-label",
    "alt\x1c=",
    "title\x1f =",
    "placeholder",
    "//",
    "http://x.example",
    "href=",
    "src=",
    "皇冠",
]
CASES = [
    (hidden._TAG, Clues("hidden", "style", "<noframes"), re.compile("hidden|style|<noframes", re.IGNORECASE)),
    (links._TAG, Clues("//"), re.compile("//")),
    (
        spam._TAG,
        Clues("content", "title", "alt", "aria-label", "placeholder", "value", after=r"\s*="),
        re.compile(r"(?:content|title|alt|aria-label|placeholder|value)\s*=", re.IGNORECASE),
    ),
]


@settings(max_examples=300, deadline=None)
@given(raw=st.lists(st.sampled_from(PIECES), max_size=60).map("".join), case=st.sampled_from(CASES))
def test_tags_with_clues_are_the_tags_of_finditer_that_hold_one(raw, case):
    tag, clues, reference = case
    expected = [m.span() for m in tag.finditer(raw) if reference.search(m.group())]
    assert [m.span() for m in tags_with(raw, clues, tag)] == expected


@settings(max_examples=300, deadline=None)
@given(raw=st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_every_tag_a_rule_flags_holds_one_of_its_clues(raw):
    """Lower-casing, which the hidden rule reads tags with, finds nothing the case-insensitive clues miss."""
    for match in hidden._TAG.finditer(raw):
        body = match.group(2).lower()
        if "hidden" in body or "style" in body or match.group(1).lower() == "noframes":
            assert match.span() in [m.span() for m in tags_with(raw, CASES[0][1], hidden._TAG)]
