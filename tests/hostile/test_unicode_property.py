"""Front matter and bodies drawn from the whole of Unicode: the build never crashes, exits 0 or 1, and whenever it
publishes, every feed and the sitemap are well-formed XML, every JSON file parses and catalog.csv is a clean table."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from xxgk import cli

from ..conftest import TODAY, write_config

# Every code point, surrogates and controls included, with the troublemakers drawn more often.
ANY = st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF)
TRICKY = st.sampled_from(
    [
        "\x00",
        "\x0b",
        "\x1b",
        "\x7f",
        "\x85",
        "\u2028",
        "\u2029",
        "\u200b",
        "\u202e",
        "\ufeff",
        "\ufffe",
        "\uffff",
        "\ud800",
        "\U0010ffff",
        "&#11;",
        "<",
        "&",
        "]]>",
        '"',
        "'",
        ":",
        "：",
        "#",
        "\\",
        "\t",
        "\n",
        "=",
        "@",
        "-",
        "*",
        "&a",
        "２０１９",
    ]
)
# No controls or surrogates: what passes the reader most often, so that many examples get as far as publishing.
PRINTABLE = st.characters(codec=None, exclude_categories=("Cc", "Cs"))
TEXT = st.one_of(
    st.lists(st.one_of(ANY, TRICKY, PRINTABLE), max_size=12).map("".join),
    st.lists(st.one_of(PRINTABLE, st.sampled_from("通知工作方案 =@<&")), max_size=12).map("".join),
)


def yaml_value(text: str, quoted: bool) -> str:
    """text as a YAML value: JSON-quoted (valid YAML, escapes and all) or pasted as it is."""
    return json.dumps(text, ensure_ascii=False) if quoted else text


@st.composite
def documents(draw) -> str:
    quoted = draw(st.booleans())
    fields = {"title": draw(TEXT) or "标题", "doc_no": draw(TEXT), "summary": draw(TEXT), "extra": None}
    lines = [
        "---",
        "index_no: 114403006955506492/2019-00001",
        "publisher: 深圳市坪山区政府办公室",
        "published: 2019-03-06",
        "written: 2019-03-01",
        "category: 综合政务\\政务公开",
    ]
    lines += [f"{key}: {yaml_value(value, quoted)}" for key, value in fields.items() if value is not None]
    lines += [
        f"keywords: [{', '.join(yaml_value(k, True) for k in draw(st.lists(TEXT, max_size=3)))}]",
        f"extra:\n  备注: {yaml_value(draw(TEXT), quoted)}",
        "---",
        "",
        draw(TEXT),
        "",
    ]
    return "\n".join(lines)


def check_published(site: Path) -> None:
    """What must hold of a published site: strict XML, JSON, a rectangular CSV with one row per document."""
    for path in [*site.rglob("*.xml"), *site.rglob("*.atom")]:
        ET.fromstring(path.read_bytes())
    for path in site.rglob("*.json"):
        json.loads(path.read_bytes().decode("utf-8"))
    rows = list(csv.reader(io.StringIO((site / "catalog.csv").read_bytes().decode("utf-8-sig"), newline="")))
    assert len(rows) == 2 and len(rows[0]) == len(rows[1])
    assert all(not any(0xD800 <= ord(c) <= 0xDFFF for c in cell) for cell in rows[1])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(text=documents())
def test_any_unicode_never_crashes_and_publishes_only_valid_files(text, capsys, monkeypatch):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_config(root)
        (root / "content" / "a.md").write_bytes(text.encode("utf-8", "surrogatepass"))
        monkeypatch.chdir(root)
        code = cli.main(["build", "--today", TODAY])
        err = capsys.readouterr().err
        assert code in (0, 1)
        event(f"exit {code}")
        assert "内部错误" not in err and "Traceback" not in err
        if code == 0:
            check_published(root / "site")
        else:
            assert not (root / "site").exists()
