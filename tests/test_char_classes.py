"""The character classes that folded views are made with are stored for this Python's Unicode version, not
computed in every process: the stored ones must be exactly what the Unicode database gives.

Regenerate them (after a change to how they are computed, or for another Python) with:
UPDATE_GOLDEN=1 ./dev test tests/test_char_classes.py
"""

from __future__ import annotations

import json
import os
import re
import unicodedata

from xxgk.check import text


def test_the_stored_classes_are_those_of_this_pythons_unicode_database():
    computed = text.computed_char_classes()
    if os.environ.get("UPDATE_GOLDEN"):
        stored = {"unicode": unicodedata.unidata_version, "classes": computed}
        text.CHAR_CLASSES_FILE.write_text(json.dumps(stored, indent=1) + "\n", encoding="utf-8")
    stored = json.loads(text.CHAR_CLASSES_FILE.read_text(encoding="utf-8"))
    assert stored == {"unicode": unicodedata.unidata_version, "classes": computed}
    assert text._CLASSES == computed


def test_the_classes_hold_what_they_are_for():
    fold, squeeze, gone = (re.compile(text._CLASSES[name]) for name in ("fold", "squeeze", "gone"))
    assert fold.match("Ａ") and fold.match("A") and not fold.match("a") and not fold.match("中")
    assert squeeze.match("，") and squeeze.match(" ") and squeeze.match("Ａ") and not squeeze.match("文")
    assert gone.match("，") and gone.match("\u3000") and not gone.match("&") and not gone.match("Ａ")
