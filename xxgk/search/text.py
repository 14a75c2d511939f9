"""The text both search indexes search in a document besides its title, so that they find the same documents."""

from __future__ import annotations

from ..model import Document


def searchable_text(doc: Document) -> str:
    """The body first (the static index's offsets point into it), then after_body(doc)."""
    return f"{doc.body_text}\n{after_body(doc)}"


def after_body(doc: Document) -> str:
    """The fields searched after the body: the summary unless it merely repeats part of the body, the keywords,
    索引号, 文号, and the 发布机构 and 主题分类 names (税 finds what is filed under 税务)."""
    summary = "" if doc.summary in doc.body_text else doc.summary
    parts = [summary, " ".join(doc.keywords), doc.index_no, doc.doc_no, doc.publisher, doc.category.replace("\\", " ")]
    return "\n".join(parts)
