"""The rules of one document's metadata beyond each value's type: index-number form and codes, dates, tree, kinds."""

from __future__ import annotations

import unicodedata

from ..config import Config
from ..fields import FieldReader, closest
from ..frontmatter import label
from ..identifiers import code_check_ok
from ..model import GENRES, VALIDITY_VALUES
from ..taxonomy import CategoryTree
from ..yamltree import Node


def check_document(
    reader: FieldReader, fields: dict[str, Node], values: dict, config: Config, tree: CategoryTree
) -> None:
    """Report the rules of one document's metadata that go beyond each field's type."""
    _check_index_no(reader, fields, values, config)
    _check_publisher(reader, fields, values, config)
    _check_dates(reader, fields, values)
    line = fields.get
    if values["category"] and not tree.contains(values["category"]):
        hint = _nearest(values["category"], tree.names())
        reader.report(
            line("category").line,
            f"主题分类“{values['category']}”不在分类表中。{hint}写法为“一级\\二级”，新增分类请写入 config.yaml 的 categories。",  # noqa: E501
            "category",
        )
    genres = (*GENRES, *config.extra_genres)
    if values["genre"] and values["genre"] not in genres:
        reader.report(
            line("genre").line,
            f"文种“{values['genre']}”不是公文文种（{' '.join(GENRES)}）。其他文种请写入 config.yaml 的 genres。",
            "genre",
        )
    if values["validity"] not in VALIDITY_VALUES:
        reader.report(
            line("validity").line, f"有效性只能是 有效、失效 或 废止，这里是“{values['validity']}”。", "validity"
        )
    if values["column"] and config.column(values["column"]) is None:
        keys = "、".join(f"{c.key}（{c.title}）" for c in config.columns)
        reader.report(line("column").line, f"栏目“{values['column']}”不存在。可用的栏目：{keys}。", "column")


def _check_publisher(reader: FieldReader, fields: dict[str, Node], values: dict, config: Config) -> None:
    """发布机构 is a body's full name: a listed short name is an error, an unlisted name a warning."""
    name = values["publisher"]
    if not name or not config.bodies or config.body_named(name):
        return
    line = fields["publisher"].line
    body = next((b for b in config.bodies if b.short == name), None)
    if body:
        reader.report(line, f"发布机构“{name}”是简称：发布机构必须写机构全称，应写作“{body.name}”。", "publisher-short")
        return
    hint = closest(name, [b.name for b in config.bodies])
    advice = f"是否想写“{hint}”？" if hint else ""
    reader.warn(
        line,
        f"发布机构“{name}”不在 config.yaml 的 bodies 中。{advice}如是新的发布机构，请把它的全称、代码和简称加入 bodies。",  # noqa: E501
        "publisher-unknown",
    )


def _check_index_no(reader: FieldReader, fields: dict[str, Node], values: dict, config: Config) -> None:
    index_no = values["index_no"]
    if not index_no:
        return
    node = fields["index_no"]
    parts = config.index_form.parse(index_no)
    if parts is None and config.index_form.parse(unicodedata.normalize("NFKC", index_no)):
        reader.report(
            node.line,
            f"索引号“{index_no}”含有全角数字或字母。请改用半角（英文输入法）重新输入，"
            "否则它与半角写法看起来相同，却是另一个索引号。",
            "index-form",
        )
        return
    if parts is None:
        reader.report(
            node.line,
            f"索引号“{index_no}”格式不对，应为“{config.index_form.template}”形式，例如 {config.index_form.example()}（前段为 18 位统一社会信用代码或 9 位组织机构代码，大写）。",  # noqa: E501
            "index-form",
        )
        return
    if not code_check_ok(parts.code):
        reader.warn(
            node.line,
            f"索引号前段“{parts.code}”的校验位不符，请核对机构代码（少数早期代码本身不合校验，确认无误可忽略）。",
            "index-check-char",
        )
    body = config.body_named(values["publisher"] or "")
    if body and body.code and parts.code != body.code:
        reader.report(
            node.line,
            f"索引号前段“{parts.code}”与发布机构“{body.name}”在 config.yaml 中登记的代码“{body.code}”不一致。",
            "index-body-code",
        )
    published = values["published"]
    if published and parts.year != published.year:
        reader.warn(node.line, f"索引号中的年份 {parts.year} 与发布日期的年份 {published.year} 不一致。", "index-year")


def _check_dates(reader: FieldReader, fields: dict[str, Node], values: dict) -> None:
    written, published, repealed = values["written"], values["published"], values["repealed"]
    if written and published and written > published:
        reader.report(
            fields["written"].line,
            f"成文日期 {written} 晚于发布日期 {published}。请核对：成文日期不能晚于发布日期。",
            "date-order",
        )
    if values["validity"] in ("失效", "废止") and "repealed" not in fields:
        reader.report(
            fields["validity"].line, f"有效性为“{values['validity']}”时需要写{label('repealed')}。", "repealed-missing"
        )
    if repealed and values["validity"] == "有效":
        reader.report(
            fields["repealed"].line,
            "写了废止日期，但有效性是“有效”。请把有效性改为“失效”或“废止”，或删去废止日期。",
            "repealed-valid",
        )
    if values["replaced_by"] and values["validity"] == "有效":
        reader.report(
            fields["replaced_by"].line,
            "写了替代文件，但有效性是“有效”。被替代的文件应标为“失效”或“废止”。",
            "replaced-valid",
        )
    if repealed and published and repealed < published:
        reader.report(fields["repealed"].line, f"废止日期 {repealed} 早于发布日期 {published}。", "date-order")


def _nearest(value: str, names: list[str]) -> str:
    hint = closest(value, names)
    return f"是否想写“{hint}”？" if hint else ""
