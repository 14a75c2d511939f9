"""Rules that need the whole corpus: unique index numbers, resolvable references, one page per URL."""

from __future__ import annotations

from .errors import Problem
from .model import Document


def check_corpus(documents: list[Document]) -> list[Problem]:
    """Problems between documents; each is reported at the later file, naming the earlier one."""
    return _duplicate_index_numbers(documents) + _url_collisions(documents) + _dangling_interprets(documents)


def _duplicate_index_numbers(documents: list[Document]) -> list[Problem]:
    first: dict[str, Document] = {}
    problems = []
    for doc in documents:
        other = first.setdefault(doc.index_no, doc)
        if other is not doc:
            problems.append(Problem(doc.src, doc.lines.get("index_no"),
                                    f"索引号“{doc.index_no}”已被 {other.src} 使用。索引号必须全站唯一，请为本文件分配新的索引号。",
                                    "index-duplicate"))
    return problems


def _url_collisions(documents: list[Document]) -> list[Problem]:
    first: dict[str, Document] = {}
    problems = []
    for doc in documents:
        path = doc.path
        other = first.setdefault(path, doc)
        if other is not doc and other.index_no != doc.index_no:
            problems.append(Problem(doc.src, doc.lines.get("index_no"),
                                    f"索引号“{doc.index_no}”与 {other.src} 的“{other.index_no}”会生成同一个网址 {path}。请核对索引号。",
                                    "url-collision"))
    return problems


def _dangling_interprets(documents: list[Document]) -> list[Problem]:
    known = {doc.index_no for doc in documents}
    return [
        Problem(doc.src, doc.lines.get("interprets"),
                f"解读对象“{doc.interprets}”不是本站任何文件的索引号。请填写被解读政策文件的索引号。", "interprets-dangling")
        for doc in documents if doc.interprets and doc.interprets not in known
    ]
