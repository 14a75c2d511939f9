"""Personal information in a document: ID numbers, mobile numbers, bank cards and unlisted landlines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from ..identifiers import uscc_check_char
from .rules import Finding
from .text import View

# Works on a folded view (NFKC + casefold), so full-width digits are ASCII and the ID check "X" is "x".
# Numbers touching another letter, digit or "*" are part of something longer (an order number, a mask).
# The look back sits after a number's first character, so that each pattern starts with a character and the
# matcher skips to the places where one stands instead of trying every position.
_EDGE = "[0-9a-z*]"
_EDGE_AFTER = rf"(?!{_EDGE})"


def _first(char: str) -> str:
    """A number's first character (a pattern for one), not right after another letter, digit or "*"."""
    return rf"{char}(?<!{_EDGE}{char})"


_ID18 = re.compile(_first(r"\d") + r"\d{16}[\dx]" + _EDGE_AFTER, re.ASCII)
_ID15 = re.compile(_first(r"\d") + r"\d{14}" + _EDGE_AFTER, re.ASCII)
_MOBILE = re.compile(_first("1") + r"[3-9]\d(?:[- ]?\d{4}){2}" + _EDGE_AFTER, re.ASCII)
_CARD = re.compile(
    _first(r"\d") + r"(?:\d{15,18}" + _EDGE_AFTER + r"|\d{3}(?:[- ]\d{4}){3}(?:[- ]\d{1,3})?(?![0-9a-z*]|[- ]\d))",
    re.ASCII,
)
_LANDLINE = re.compile(
    "(" + _first(r"\(") + r"0\d{2,3}\)|" + _first("0") + r"\d{2,3}-?)(\d{7,8})" + _EDGE_AFTER, re.ASCII
)
_INDEX_NO_AFTER = re.compile(r"/[0-9]{4}")  # "114403006955506492/2019-00001": an index number's prefix
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# GB/T 2260 province codes; residence permits for HK/Macau/Taiwan use 81-83, foreigners' cards start with 9.
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)


# Characters a page holds but no reader sees (format characters: zero-width spaces and joiners, the soft hyphen,
# direction marks and isolates, invisible operators): a number with one inside is shown as one number.
INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def find_in_paragraphs(text: str, official_phones: frozenset[str]) -> list[tuple[int, Finding]]:
    """find() over a page's text as a reader sees it (one paragraph or table row per line, the INVISIBLE characters
    already taken out): each finding with the number of its paragraph, from 1."""
    return [(text.count("\n", 0, f.offset) + 1, f) for f in find(View(text, False, False), official_phones)]


def find(view: View, official_phones: frozenset[str]) -> list[Finding]:
    """Every unmasked ID number, mobile number, bank card number and unlisted landline in the view."""
    official = frozenset(_digits(p) for p in official_phones)
    ids = [*_id_numbers(view)]
    taken = [(f.offset, f.offset + 18) for f in ids]
    return [*ids, *_cards(view, taken), *_mobiles(view, official), *_landlines(view, official)]


def _id_numbers(view: View) -> Iterator[Finding]:
    """18-digit ID numbers with a valid check character and date, and valid legacy 15-digit ones."""
    for match in _ID18.finditer(view.text):
        number = match.group().upper()
        if id18_valid(number) and not _index_prefix(view, match):
            masked = number[:6] + "*" * 8 + number[-4:]
            yield Finding(
                "privacy-id-number",
                view.raw_start(match.start()),
                f"公开了居民身份证号码（{masked}）：个人信息公开前必须去标识化，请改为“{masked}”或删除。",
            )
    for match in _ID15.finditer(view.text):
        number = match.group()
        if id15_valid(number):
            masked = number[:6] + "*" * 5 + number[-4:]
            yield Finding(
                "privacy-id-number",
                view.raw_start(match.start()),
                f"公开了 15 位旧居民身份证号码（{masked}）：个人信息公开前必须去标识化，请改为“{masked}”或删除。",
            )


def id18_valid(number: str) -> bool:
    """Whether 18 characters are a 居民身份证号码 with a plausible area, a real birth date and the right check char."""
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number) or not _area_ok(number):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17] and _date_ok(number[6:10], number[10:12], number[12:14])


def id15_valid(number: str) -> bool:
    """Whether 15 digits are a legacy (1980s-1999) 居民身份证号码: plausible area and a real 19YY birth date."""
    return (
        bool(re.fullmatch(r"[0-9]{15}", number))
        and _area_ok(number)
        and _date_ok("19" + number[6:8], number[8:10], number[10:12])
    )


def _area_ok(number: str) -> bool:
    """Whether the number starts with a province code or a foreigner's 9."""
    return number[:2] in _PROVINCES or number[0] == "9"


def _date_ok(year: str, month: str, day: str) -> bool:
    """Whether the parts make a real date between 1850 and 2099."""
    try:
        born = date(int(year), int(month), int(day))
    except ValueError:
        return False
    return 1850 <= born.year <= 2099


def _index_prefix(view: View, match: re.Match) -> bool:
    """Whether the number is followed by "/YYYY", as the prefix of an index number is."""
    return bool(_INDEX_NO_AFTER.match(view.text, match.end()))


def luhn_ok(digits: str) -> bool:
    """Whether a digit string passes the Luhn check used by bank cards."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _cards(view: View, taken: list[tuple[int, int]]) -> Iterator[Finding]:
    """Card-like numbers passing Luhn that are not already reported as ID numbers."""
    for match in _CARD.finditer(view.text):
        digits = _digits(match.group())
        if not _card_like(digits) or _index_prefix(view, match):
            continue
        start = view.raw_start(match.start())  # after the cheap checks: the first raw_start maps the whole view
        if any(a <= start < b for a, b in taken):
            continue
        masked = digits[:4] + "*" * (len(digits) - 8) + digits[-4:]
        yield Finding(
            "privacy-bank-card",
            start,
            f"公开了银行卡号（{masked}）：请删除，或打码为“{masked}”（只保留前 4 位和后 4 位）。",
        )


def _card_like(digits: str) -> bool:
    """Whether a digit string looks like a bank card rather than a code."""
    # Card numbers start with 3-6 (international schemes, UnionPay 62) or 9 (old domestic cards); an all-digit
    # 统一社会信用代码 that passes its own check is a code, not a card.
    is_code = len(digits) == 18 and uscc_check_char(digits[:17]) == digits[17]
    return digits[0] in "34569" and luhn_ok(digits) and not is_code


def _mobiles(view: View, official: frozenset[str]) -> Iterator[Finding]:
    """Mobile numbers (with or without 3-4-4 separators) that are not official numbers."""
    for match in _MOBILE.finditer(view.text):
        digits = _digits(match.group())
        if digits in official:
            continue
        masked = digits[:3] + "****" + digits[-4:]
        yield Finding(
            "privacy-mobile",
            view.raw_start(match.start()),
            f"公开了手机号码（{masked}）：个人信息公开前必须去标识化，请改为“{masked}”或删除；单位的公开电话请登记为官方电话。",
        )


def _landlines(view: View, official: frozenset[str]) -> Iterator[Finding]:
    """Landline numbers with an area code that are not official numbers."""
    for match in _LANDLINE.finditer(view.text):
        area, local = match.groups()
        if _digits(match.group()) in official or local in official:
            continue
        number = match.group()
        masked = area + "*" * (len(local) - 4) + local[-4:]
        yield Finding(
            "privacy-landline",
            view.raw_start(match.start()),
            f"电话号码“{number}”不是登记的单位官方电话：若是单位公开电话，请把它登记到配置的官方电话中；若是个人电话，请删除或打码为“{masked}”。",
        )


def _digits(text: str) -> str:
    """Only the ASCII digits of a string."""
    return re.sub(r"[^0-9]", "", text)
