"""The 文号 in the front matter against GB/T 9704: 〔year〕 in full, serial without 第 or padding, then 号.

Two families of numbering are legitimate beside GB/T 9704's 发文字号 and are accepted as written:
令 (`国务院令第711号`, `交通运输部令2022年第5号`) and 公告 (`国家税务总局公告2024年第3号`,
`财政部 税务总局公告2023年第1号`, `中国人民银行公告〔2020〕第5号`, `2024年第3号公告`): they number with 第 and may
write the year with 年, and a joint 公告 separates its bodies with a space.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from ..identifiers import normalize_doc_no
from .rules import Finding
from .text import Field

# Brackets typed around the year instead of the 六角括号 〔〕 (U+3014/U+3015), full- and half-width.
_OPEN = "[［(（【〔〈\u2329﹝<＜《〖〘"
_CLOSE = "]］)）】〕〉\u232a﹞>＞》〗〙"
_SPACE = r"[\s\u3000]"
_DIGIT = "[0-9０-９]"
_YEAR = re.compile(
    rf"([{re.escape(_OPEN)}]){_SPACE}*({_DIGIT}{{4}}|{_DIGIT}{{2}}){_SPACE}*(年?){_SPACE}*"
    rf"([{re.escape(_CLOSE)}])"
)
_LEADING_ZERO = re.compile(rf"(?:[{re.escape(_CLOSE)}]|第){_SPACE}*([0０]+)(?={_DIGIT})")
_DI = re.compile(rf"第(?={_SPACE}*{_DIGIT})")
_LING_BEFORE = re.compile(rf"令{_SPACE}*$")
_FOLDED_YEAR = re.compile(rf"[{re.escape(_OPEN)}](\d{{4}}|\d{{2}})年?[{re.escape(_CLOSE)}]")
# 令 and 公告 numbering: the body (or bodies), 令 or 公告, the year with 年 or in 〔〕, then 第N号; or 2024年第3号公告.
_ORDER = re.compile(r"(?:[^\d\s][^\d]*?(?:令|公告)[\s\u3000]*(?:\d{4}年|〔\d{4}〕)?|\d{4}年)第[1-9]\d*号(?:公告)?")
# A year written with 年 but no brackets in a 发文字号: 国发2023年1号.
_BARE_YEAR = re.compile(rf"(?<![\d{re.escape(_OPEN)}])({_DIGIT}{{4}})年(?!{_SPACE}*第)(?={_SPACE}*{_DIGIT})")
_YEAR_OF = re.compile(r"〔(\d{4})〕|(\d{4})年")


def find(field: Field | None, written: Field | None = None) -> list[Finding]:
    """Every GB/T 9704 problem of one 文号 value, each with the corrected form, and a year other than 成文日期's."""
    if field is None or not field.value.strip():
        return []
    value = field.value
    if is_order_number(value):
        return [*_year_mismatch(field, written)]
    problems = list(_problems(value))
    fixed = corrected(value) if problems else ""  # worked out only for a message that shows it
    found = [
        Finding(code, field.offset + index, message.format(value=value, fixed=fixed))
        for code, index, message in problems
    ]
    return found + _year_mismatch(field, written)


def is_order_number(doc_no: str) -> bool:
    """Whether a 文号 is a 令 or 公告 number (with 第, the year with 年 or 〔〕), which GB/T 9704's pattern does not cover."""  # noqa: E501
    # Spaces are kept (one for each run): they separate the bodies of a joint 公告.
    return bool(_ORDER.fullmatch(re.sub(r"\s+", " ", unicodedata.normalize("NFKC", doc_no)).strip()))


def _year_mismatch(field: Field, written: Field | None) -> list[Finding]:
    """A 文号 year other than the year of 成文日期: one of the two is probably mistyped."""
    match = _YEAR_OF.search(normalize_doc_no(field.value))
    day = re.fullmatch(r"\s*(\d{4})-\d{1,2}-\d{1,2}\s*", written.value) if written else None
    if match is None or day is None or (match[1] or match[2]) == day[1]:
        return []
    year = match[1] or match[2]
    return [
        Finding(
            "doc-no-year",
            field.offset,
            f"文号“{field.value}”的年份 {year} 与成文日期 {written.value.strip()} 的年份 {day[1]} 不一致："
            "文号的年份是发文（成文）的年份，请核对文号或成文日期。",
        )
    ]


def corrected(doc_no: str) -> str:
    """The GB/T 9704 form of a 文号 as far as it can be inferred (a two-digit year stays as written)."""
    if is_order_number(doc_no):
        return doc_no.strip()
    text = _FOLDED_YEAR.sub(r"〔\1〕", normalize_doc_no(doc_no))
    text = re.sub(r"(?<=[^\d〔])(\d{4})年(?=\d)", r"〔\1〕", text)
    text = re.sub(r"(〕|第)0+(?=\d)", r"\1", text)
    text = re.sub(r"(?<!令)第(?=\d)", "", text)
    return text + "号" if re.search(r"\d$", text) else text


def _problems(value: str) -> Iterator[tuple[str, int, str]]:
    """(code, index in the value, message template) for each problem of a raw 文号."""
    for match in _YEAR.finditer(value):
        opening, year, nian, closing = match.groups()
        if len(year) == 2:
            yield (
                "doc-no-short-year",
                match.start(),
                f"文号“{{value}}”的年份只写了两位“{year}”：请写全四位年份，"
                f"如“〔{_guess(year)}〕”（请按发文年份核对）。",
            )
        elif (opening, closing, nian) != ("〔", "〕", ""):
            yield (
                "doc-no-brackets",
                match.start(),
                f"文号“{{value}}”的年份写成了“{match.group()}”，应使用六角括号〔〕且不加“年”：应写作“{{fixed}}”。",
            )
    for match in _BARE_YEAR.finditer(value):
        yield (
            "doc-no-brackets",
            match.start(),
            f"文号“{{value}}”的年份“{match.group()}”没有用六角括号〔〕：应写作“{{fixed}}”"
            "（公告、令的编号才写“2024年第3号”这样的形式）。",
        )
    for match in _LEADING_ZERO.finditer(value):
        yield "doc-no-leading-zero", match.start(1), "文号“{value}”的序号前补了 0：序号不编虚位，应写作“{fixed}”。"
    for match in _DI.finditer(value):
        if not _LING_BEFORE.search(value, 0, match.start()):
            yield "doc-no-di", match.start(), "文号“{value}”的序号前不加“第”（只有令写作“令第N号”）：应写作“{fixed}”。"
    end = len(value.rstrip())
    if re.fullmatch(_DIGIT, value[end - 1 : end]):
        yield "doc-no-missing-hao", end, "文号“{value}”末尾缺少“号”：应写作“{fixed}”。"
    yield from _cosmetic(value)


def _cosmetic(value: str) -> Iterator[tuple[str, int, str]]:
    """Full-width digits and spaces: normalised for search anyway, so only warnings."""
    wide = re.search("[０-９]", value)
    if wide:
        yield "doc-no-fullwidth", wide.start(), "文号“{value}”用了全角数字：请改用半角阿拉伯数字，写作“{fixed}”。"
    space = re.search(_SPACE, value)
    if space:
        yield "doc-no-spaces", space.start(), "文号“{value}”中有空格：请删去空格，写作“{fixed}”。"


def _guess(year: str) -> str:
    """The likely full year of a two-digit one (00-49: 2000s), only as an example for the editor to check."""
    digits = year.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return ("20" if int(digits) < 50 else "19") + digits
