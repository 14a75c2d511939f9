"""Rules for 索引号 (index numbers), organisation codes and 文号 (document numbers): pure functions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# 统一社会信用代码 (GB 32100-2015): 31-character alphabet without I, O, Z, S, V.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_USCC = r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}"
# 组织机构代码 (GB 11714): 8 characters and a check character (digit or X).
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
_ORG = r"[0-9A-Z]{8}[0-9X]"

_PLACEHOLDERS = {
    "code": f"(?P<code>{_USCC}|{_ORG})",
    "year": r"(?P<year>\d{4})",
    "month": r"(?P<month>0[1-9]|1[0-2])",
}


@dataclass(frozen=True, slots=True)
class IndexParts:
    """The parts of one index number."""

    code: str
    year: int
    month: int | None
    serial: int


@dataclass(frozen=True, slots=True)
class IndexForm:
    """The configured form of index numbers, such as "{code}/{year}-{serial}" with 5-digit serials."""

    template: str
    serial_digits: int
    pattern: re.Pattern

    def parse(self, index_no: str) -> IndexParts | None:
        """Split an index number into its parts, or None when it does not have this form."""
        found = self.series(index_no)
        return None if found is None else IndexParts(*found[0], found[1])

    def series(self, index_no: str) -> tuple[tuple[str, int, int | None], int] | None:
        """An index number's series (code, year, month) and serial, or None when it does not have this form: parse()
        without making an object, for the rules that look at every document's."""
        match = self.pattern.fullmatch(index_no)
        if not match:
            return None
        groups = match.groupdict()
        month = groups.get("month")
        return (groups["code"], int(groups["year"]), int(month) if month else None), int(groups["serial"])

    def format(self, code: str, year: int, serial: int, month: int = 1) -> str:
        """Write the index number with these parts."""
        return self.template.format(
            code=code, year=f"{year:04d}", month=f"{month:02d}", serial=f"{serial:0{self.serial_digits}d}"
        )

    def example(self) -> str:
        return self.format("114403006955506492", 2019, 1, 3)


def parse_index_form(template: str, serial_digits: int) -> IndexForm:
    """Compile an index-number template; raise ValueError (in Chinese) when it cannot work."""
    parts = re.split(r"(\{[a-z]+\})", template)
    names = [p[1:-1] for p in parts if p.startswith("{") and p.endswith("}")]
    unknown = [n for n in names if n not in (*_PLACEHOLDERS, "serial")]
    if unknown:
        raise ValueError(f"未知的占位符 {{{unknown[0]}}}，可用 {{code}} {{year}} {{month}} {{serial}}")
    for required in ("code", "year", "serial"):
        if names.count(required) != 1:
            raise ValueError(f"格式中必须恰好出现一次 {{{required}}}")
    regex = "".join(
        (_PLACEHOLDERS.get(p[1:-1]) or rf"(?P<serial>\d{{{serial_digits}}})") if p.startswith("{") else re.escape(p)
        for p in parts
        if p
    )
    # ASCII digits only: a full-width ２０１９ would publish a second, look-alike index number.
    return IndexForm(template, serial_digits, re.compile(regex, re.ASCII))


def uscc_check_char(first17: str) -> str | None:
    """The check character of a 统一社会信用代码 from its first 17 characters, or None if they are invalid."""
    try:
        total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    except ValueError:
        return None
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def org_check_char(first8: str) -> str | None:
    """The check character of a 组织机构代码 from its first 8 characters, or None if they are invalid."""
    if len(first8) != 8 or not re.fullmatch(r"[0-9A-Z]{8}", first8):
        return None
    total = sum((int(ch) if ch.isdigit() else ord(ch) - 55) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def code_check_ok(code: str) -> bool:
    """Whether an 18-character USCC or 9-character org code carries the right check character."""
    if len(code) == 18:
        return uscc_check_char(code[:17]) == code[17]
    if len(code) == 9:
        return org_check_char(code[:8]) == code[8]
    return False


# Brackets people type around the year of a 文号 instead of the 六角括号 〔〕 of GB/T 9704.
_YEAR_BRACKETS = re.compile(r"[\[［(（【〔〈﹝<《]\s*(\d{4})\s*年?\s*[\]］)）】〕〉﹞>》]")


_SPACES = re.compile(r"\s+")


def normalize_doc_no(doc_no: str) -> str:
    """The canonical search form of a 文号: NFKC, no spaces, the year in 〔〕 whatever bracket was typed."""
    # Compiled patterns and a function for the replacement: a build normalises every document's 文号 more than once,
    # and a replacement template is parsed again on every call.
    return _YEAR_BRACKETS.sub(_year_in_brackets, _SPACES.sub("", unicodedata.normalize("NFKC", doc_no)))


def _year_in_brackets(match: re.Match) -> str:
    return f"〔{match[1]}〕"
