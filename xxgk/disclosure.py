"""The facts behind the 政府信息公开指南 and 依申请公开 pages, read once from config.yaml.

条例 (2019) art. 12 says what a 指南 contains: the classification and arrangement of the information, how to
obtain it, and the 政府信息公开工作机构's name, address, office hours, phone, fax and internet contact; art. 51
adds the channels of supervision and redress, art. 27–33 and 42 the application procedure. Editors give the facts
(`guide:` and `application:`), the templates write the pages; `check` warns about each fact left out.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from urllib.parse import urlsplit

from .fields import FieldReader
from .frontmatter import METADATA_LABELS
from .yamltree import Node

CHANNELS = ("在线", "信函", "当面", "传真", "电子邮件")  # ways to hand in an application (art. 29: 书面形式)
DEFAULT_CHANNELS = ("信函", "当面")  # what every 政府信息公开工作机构 can take


@dataclass(frozen=True, slots=True)
class Office:
    """The 政府信息公开工作机构 (art. 4) as art. 12 asks the guide to name it; "" for a fact not given."""

    name: str = ""
    address: str = ""
    postcode: str = ""
    hours: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""


OFFICE_LABELS = {
    "name": "机构名称",
    "address": "办公地址",
    "postcode": "邮政编码",
    "hours": "办公时间",
    "phone": "联系电话",
    "fax": "传真",
    "email": "电子邮箱",
}


@dataclass(frozen=True, slots=True)
class Guide:
    """The 政府信息公开指南's facts; `generate` false leaves the column to the editors' own documents."""

    generate: bool = True
    office: Office = Office()
    channels: tuple[str, ...] = ()  # other ways the information is published: 政府公报, 查阅场所 …
    complaint: str = ""  # who takes complaints and reports (art. 51: 上一级行政机关或者政府信息公开工作主管部门)
    review: str = ""  # the 行政复议机关
    court: str = ""  # the court for an 行政诉讼


GUIDE_LABELS = {"complaint": "投诉举报受理机关", "review": "行政复议机关", "court": "行政诉讼管辖法院"}


@dataclass(frozen=True, slots=True)
class Application:
    """How to apply for information (art. 27–33); a static site only points to the channels."""

    generate: bool = True
    channels: tuple[str, ...] = DEFAULT_CHANNELS  # of CHANNELS, in the order given
    online_url: str = ""  # an external online application form, if the body has one


VALIDITY_FOR = ("规章", "行政规范性文件")  # the kinds whose 有效性 means something, by default


@dataclass(frozen=True, slots=True)
class Metadata:
    """How a document page's metadata block is labelled, and for which documents it shows 有效性."""

    labels: str = "govcn"  # a key of frontmatter.METADATA_LABELS
    validity_for: tuple[str, ...] = VALIDITY_FOR  # 规章 / 行政规范性文件 (normative kinds) or 文种 such as 通知

    def label(self, key: str) -> str:
        return METADATA_LABELS[self.labels][key]

    def shows_validity(self, doc) -> bool:
        """有效性 for the configured kinds, and always for a document that is no longer in force."""
        return not doc.in_force or doc.normative_kind in self.validity_for or doc.genre in self.validity_for


def read_metadata(reader: FieldReader, node: Node | None) -> Metadata:
    """The `metadata:` section: a label set and the kinds that show 有效性."""
    fields_ = (reader.mapping(node, "metadata", ["labels", "validity_for"]) or {}) if node is not None else {}
    labels = reader.optional_text(fields_.get("labels"), "metadata.labels") or "govcn"
    if labels not in METADATA_LABELS:
        reader.report(
            fields_["labels"].line,
            f"metadata.labels“{labels}”无效，可选：govcn（发文机关、标题、发文字号）"
            "或 portal（发布机构、名称、文号）。",
            "config-labels",
        )
        labels = "govcn"
    kinds = (
        reader.strings(fields_["validity_for"], "metadata.validity_for") if "validity_for" in fields_ else VALIDITY_FOR
    )
    return Metadata(labels, kinds)


_GUIDE_KEYS = ["generate", "office", "channels", "complaint", "review", "court"]
_APPLICATION_KEYS = ["generate", "channels", "online_url"]


def read_guide(reader: FieldReader, node: Node | None) -> Guide:
    """The `guide:` section; each missing fact is a warning naming its key."""
    fields_ = (reader.mapping(node, "guide", _GUIDE_KEYS) or {}) if node is not None else {}
    line = node.line if node is not None else 1
    generate = _generate(reader, fields_, "guide")
    office_node = fields_.get("office")
    office_fields = (reader.mapping(office_node, "guide.office", list(OFFICE_LABELS)) or {}) if office_node else {}
    office = Office(
        **{key: reader.optional_text(office_fields.get(key), f"guide.office.{key}") for key in OFFICE_LABELS}
    )
    guide = Guide(
        generate,
        office,
        reader.strings(fields_.get("channels"), "guide.channels"),
        **{key: reader.optional_text(fields_.get(key), f"guide.{key}") for key in GUIDE_LABELS},
    )
    if generate and node is None:
        facts = "、".join([*OFFICE_LABELS.values(), *GUIDE_LABELS.values()])
        reader.warn(
            1,
            f"config.yaml 没有 guide 设置：政府信息公开指南将缺少{facts}。《政府信息公开条例》第十二条、第五十一条要求"
            "指南写明这些内容，请参照 README 填写 guide。",
            "guide-missing",
        )
    elif generate:
        _warn_missing(reader, office_node.line if office_node else line, office, OFFICE_LABELS, "guide.office")
        _warn_missing(reader, line, guide, GUIDE_LABELS, "guide")
    return guide


def read_application(reader: FieldReader, node: Node | None) -> Application:
    """The `application:` section: channels from CHANNELS, 在线 only with the URL of an online form."""
    fields_ = (reader.mapping(node, "application", _APPLICATION_KEYS) or {}) if node is not None else {}
    url = reader.optional_text(fields_.get("online_url"), "application.online_url")
    if url and urlsplit(url).scheme not in ("http", "https"):
        reader.report(
            fields_["online_url"].line,
            f"application.online_url“{url}”应为 http:// 或 https:// 开头的完整网址。",
            "config-url",
        )
    channels = reader.strings(fields_.get("channels"), "application.channels")
    for channel in channels:
        if channel not in CHANNELS:
            reader.report(
                fields_["channels"].line, f"申请渠道“{channel}”无效，可选：{'、'.join(CHANNELS)}。", "config-channel"
            )
    if "在线" in channels and not url:
        reader.report(
            fields_["channels"].line,
            "申请渠道含“在线”时，请在 application.online_url 写明在线申请系统的网址。",
            "config-channel",
        )
    if not channels:
        channels = (("在线",) if url else ()) + DEFAULT_CHANNELS
    return Application(_generate(reader, fields_, "application"), channels, url)


def _generate(reader: FieldReader, fields_: dict[str, Node], where: str) -> bool:
    node = fields_.get("generate")
    return True if node is None else reader.boolean(node, f"{where}.generate") is not False


def _warn_missing(reader: FieldReader, line: int, facts, labels: dict[str, str], prefix: str) -> None:
    for item in fields(facts):
        if item.name in labels and not getattr(facts, item.name):
            reader.warn(
                line,
                f"政府信息公开指南缺少“{labels[item.name]}”（{prefix}.{item.name}）：《政府信息公开条例》第十二条、"
                "第五十一条要求指南写明这一项，请在 config.yaml 中填写。",
                "guide-missing",
            )
