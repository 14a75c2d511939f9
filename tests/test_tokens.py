"""The tokenizer of record (xxgk/tokens.py): its fast normalisation is exactly NFKC and lower case."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from xxgk import tokens


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_the_fast_normalisation_is_nfkc_and_lower_case(text):
    assert tokens.normalize(text) == unicodedata.normalize("NFKC", text).lower()


def test_full_width_forms_fold_to_ascii():
    assert tokens.normalize("２０１９年　ＢＥＴ３６５（第１号）") == "2019年 bet365(第1号)"


def test_runs_are_the_texts_tokens_come_from():
    norm = tokens.normalize("坪山区2019年政务公开，信息ａｂ。")
    assert tokens.runs(norm) == ["坪山区", "2019", "年政务公开", "信息", "ab"]
    assert "".join(t.text for t in tokens.tokenize(norm) if t.text.isascii()) == "2019ab"
