"""`new`: the next free index number for a body and year, and the text of a new document that passes `check`."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from slugify import slugify

from . import characters, sources
from .config import Config
from .content import LIMIT_BYTES, discover
from .frontmatter import chinese, written_value
from .identifiers import IndexForm


def existing_index_numbers(content_dir: Path) -> list[tuple[str, str]]:
    """(publisher, index number) of every document under content_dir, drafts included, read from front matter lines."""
    found = []
    for path in discover(content_dir):
        try:
            raw = sources.read_bytes(path, LIMIT_BYTES)
        except sources.Unreadable:  # build and check report it; it holds no index number to avoid
            continue
        text = raw.decode("utf-8-sig", errors="replace")
        index, publisher = written_value(text, "index_no"), written_value(text, "publisher")
        if index:
            found.append((publisher[0] if publisher else "", index[0]))
    return found


def refused_text(option: str, value: str, *, empty_allowed: bool = False) -> str | None:
    """Why a value given on the command line cannot go into a new document's one-line field, or None."""
    if not value.strip():
        return None if empty_allowed else f"{option} 不能为空。"
    if "\n" in value or "\r" in value:
        return f"{option} 只能写一行，请去掉换行。"
    bad = characters.first(characters.FORBIDDEN, value) or characters.first(characters.INVISIBLE, value)
    if bad:
        return f"{option} 含有字符 {characters.describe(bad)}，它不可见，不能写入文件。请删除它后重试。"
    return None


def body_code(publisher: str, config: Config, existing: list[tuple[str, str]]) -> str | None:
    """The body's code from config.yaml, else the code most of its existing index numbers carry."""
    body = config.body_named(publisher)
    if body and body.code:
        return body.code
    codes = Counter(
        parts.code
        for name, index_no in existing
        if name == publisher
        for parts in [config.index_form.parse(index_no)]
        if parts
    )
    return codes.most_common(1)[0][0] if codes else None


def next_index_number(form: IndexForm, code: str, day: date, existing: list[tuple[str, str]]) -> str:
    """One past the highest serial this code has used in day's year (and month, when the form has one)."""
    used = [
        parts.serial
        for _, index_no in existing
        for parts in [form.parse(index_no)]
        if parts and parts.code == code and parts.year == day.year and parts.month in (None, day.month)
    ]
    return form.format(code, day.year, max(used, default=0) + 1, day.month)


def document_text(title: str, index_no: str, publisher: str, day: date, genre: str, *, english: bool = False) -> str:
    """A new document's front matter with the Chinese labels the README teaches (English keys when asked), filled
    in and kept as a draft until the editor removes that line."""

    def key(name: str) -> str:
        return name if english else chinese(name)

    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        "---",
        f"{key('title')}: {quoted(title)}",
        f"{key('index_no')}: {quoted(index_no)}",
        f"{key('publisher')}: {quoted(publisher)}",
        f'{key("published")}: "{day.isoformat()}"',
        f'{key("written")}: "{day.isoformat()}"',
        f'{key("category")}: ""  # 请填写主题分类，如 综合政务\\政务公开',
        f"{key('genre')}: {quoted(genre)}" if genre else f'# {key("genre")}: "通知"',
        f'{key("doc_no")}: ""',
        f"{key('keywords')}: []",
        f'{key("validity")}: "有效"',
        f"{key('draft')}: true  # 草稿：写完并核对后删除这一行即可发布",
        "---",
        "",
        "（正文）",
        "",
    ]
    return "\n".join(lines)


def new_document_path(config: Config, content_dir: Path, index_no: str) -> Path:
    """Where the new document goes: its column's folder, named after its index number."""
    return content_dir / config.default_column / f"{slugify(index_no)}.md"
