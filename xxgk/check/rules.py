"""The linters' rule codes with their levels and descriptions, and the raw finding every rule returns."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ERROR, WARNING

RULES: dict[str, tuple[str, str]] = {
    "privacy-id-number": (ERROR, "公开了未打码的居民身份证号码（18 位且校验位、出生日期有效，或 15 位旧号码）"),
    "privacy-mobile": (ERROR, "公开了未打码的手机号码"),
    "privacy-bank-card": (ERROR, "公开了未打码的银行卡号（16–19 位，通过 Luhn 校验）"),
    "privacy-landline": (WARNING, "出现未登记为单位官方电话的固定电话号码"),
    "spam-term": (ERROR, "含博彩、彩票或色情垃圾词（词表见 xxgk/data/spam_terms.txt）"),
    "spam-pinyin": (ERROR, "汉字后夹带拼音，如“辦(ban)”，常见于被篡改或镜像的页面"),
    "hidden-element": (
        ERROR,
        "含隐藏元素（<noframes>、display:none、visibility:hidden、hidden 属性、0 号字、移出屏幕），常用于暗链",
    ),
    "external-link": (WARNING, "链接指向允许列表以外的站外网站；链接文字或域名含垃圾词时为错误"),
    "classified-mark": (ERROR, "含密级标志（绝密/机密/秘密★、保密期限）或“内部资料”“内部文件”“注意保密”“不得外传”字样"),
    "doc-no-brackets": (ERROR, "文号年份未用六角括号〔〕"),
    "doc-no-short-year": (ERROR, "文号年份只写了两位"),
    "doc-no-leading-zero": (ERROR, "文号序号前补了 0"),
    "doc-no-missing-hao": (ERROR, "文号末尾缺少“号”"),
    "doc-no-di": (ERROR, "文号序号前多了“第”（只有令的文号写“令第N号”）"),
    "doc-no-fullwidth": (WARNING, "文号使用了全角数字"),
    "doc-no-spaces": (WARNING, "文号中有空格"),
    "doc-no-year": (WARNING, "文号的年份与成文日期的年份不一致"),
    "genre-title-mismatch": (WARNING, "标题结尾的文种与“文种”字段不一致"),
    "attachment-unreadable": (
        WARNING,
        "附件中的文字无法读取（格式不支持、已加密、已损坏或过大），未能检查其中的个人信息和垃圾词",
    ),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule's finding in raw text: its code, the raw offset it points at, the message and its level."""

    code: str
    offset: int
    message: str
    level: str = ""  # empty: the rule's level from RULES

    @property
    def effective_level(self) -> str:
        """The finding's own level, or its rule's."""
        return self.level or RULES[self.code][0]
