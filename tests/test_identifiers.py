"""Index numbers, organisation-code check characters and 文号 normalisation, as tables."""

from __future__ import annotations

import pytest

from xxgk.identifiers import code_check_ok, normalize_doc_no, org_check_char, parse_index_form, uscc_check_char


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("114403006955506492", True),  # brief's Pingshan example
        ("000014349", True),  # 国务院办公厅 prefix on gov.cn
        ("01527918X", True),  # 怒江
        ("014416330", True),  # 泰州
        ("1137078555222300XQ", True),  # 高密
        ("11620622013933539B", True),  # Gansu county
        ("91310110666007217T", True),  # Hutool's test code
        ("000014348", False),
        ("114403006955506493", False),
        ("91350100M0001TGQXM", False),  # early pilot code: legal, fails the checksum (hence only a warning)
        ("12345", False),
    ],
)
def test_check_characters(code, valid):
    assert code_check_ok(code) is valid


def test_check_char_functions():
    assert uscc_check_char("11440300695550649") == "2"
    assert org_check_char("00001434") == "9"
    assert org_check_char("0152791") is None and uscc_check_char("I1440300695550649") is None


@pytest.mark.parametrize(
    ("template", "digits", "index_no", "parts"),
    [
        ("{code}/{year}-{serial}", 5, "000014349/2020-00072", ("000014349", 2020, None, 72)),
        ("{code}/{year}-{serial}", 5, "114403006955506492/2019-00001", ("114403006955506492", 2019, None, 1)),
        ("{code}/{year}-{serial}", 5, "114403006955506492/2019-1", None),
        ("{code}/{year}-{serial}", 5, "11440300695550649x/2019-00001", None),
        ("{code}/{year}{month}-{serial}", 5, "11341702486344515H/202110-00013", ("11341702486344515H", 2021, 10, 13)),
        ("{code}-{year}-{serial}", 6, "01527918X-2020-153077", ("01527918X", 2020, None, 153077)),
    ],
)
def test_index_forms(template, digits, index_no, parts):
    parsed = parse_index_form(template, digits).parse(index_no)
    assert (parsed and (parsed.code, parsed.year, parsed.month, parsed.serial)) == parts or parsed is parts


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{code}/{serial}", "格式中必须恰好出现一次 {year}"),
        ("{code}/{year}-{n}", "未知的占位符 {n}，可用 {code} {year} {month} {serial}"),
    ],
)
def test_bad_index_forms(template, message):
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        parse_index_form(template, 5)


def test_format_round_trips():
    form = parse_index_form("{code}/{year}-{serial}", 5)
    assert form.format("000014349", 2020, 72) == "000014349/2020-00072"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("国办发〔2020〕26号", "国办发〔2020〕26号"),
        ("国办发[2020]26号", "国办发〔2020〕26号"),
        ("国办发［2020］26号", "国办发〔2020〕26号"),
        ("国办发(2020)26号", "国办发〔2020〕26号"),
        ("国办发（2020）26号", "国办发〔2020〕26号"),
        ("国办发【2020】26号", "国办发〔2020〕26号"),
        ("国办发﹝2020﹞26号", "国办发〔2020〕26号"),
        ("国办发〈2020〉26号", "国办发〔2020〕26号"),
        ("国办发[2020年]26号", "国办发〔2020〕26号"),
        ("国办发 〔２０２０〕 26号", "国办发〔2020〕26号"),
        ("国令第845号", "国令第845号"),
    ],
)
def test_doc_no_normalisation(typed, canonical):
    assert normalize_doc_no(typed) == canonical
