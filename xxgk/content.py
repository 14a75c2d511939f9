"""Stages 2-3: find the documents under content/, read and validate each into a Document."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import replace
from datetime import date
from pathlib import Path, PurePosixPath

from . import annual, attachments, characters, frontmatter, sources, yamltree
from .cache import Brief, Cache, Dependency, Entry, Stamp
from .check import attachment_text, metadata
from .check.lint import lint_source
from .check.rules import RULES as LINT_RULES
from .check.shown import privacy_as_shown
from .config import Config
from .errors import WARNING, Problem, shown_in, shown_paths
from .fields import FieldReader, closest
from .frontmatter import RECOMMENDED, REQUIRED, label
from .markup import MAX_NESTING, MarkdownRenderer, Rendered, line_of
from .model import (
    Document,
    Facts,
    document_digest,
    facts_of,
    fill_body,
    metadata_digest,
    metadata_only,
    metadata_state,
)
from .pickled import Pending
from .taxonomy import CategoryTree, load_tree
from .urls import document_path
from .workers import long_lived, map_chunks
from .yamltree import Node

_KEYWORD_SPLIT = re.compile(r"[\s,，、；;]+")
# Inside a list item a space belongs to the keyword, but Chinese punctuation still separates keywords: an editor who
# types 主题词: [政务公开，工作要点] means two (YAML only splits on the ASCII comma).
_KEYWORD_ITEM_SPLIT = re.compile(r"[,，、；;]+")
_PARALLEL_FROM = 48  # below this many files a process pool costs more than it saves
_MARKDOWN_SUFFIXES = (".md", ".markdown")
# A document larger than this is almost surely a paste gone wrong; one above the limit is refused unread.
WARN_BYTES = 2 * 2**20
LIMIT_BYTES = 10 * 2**20


def discover(content_dir: Path) -> list[Path]:
    """Every Markdown file under content_dir in a stable order; hidden and refused files are left out."""
    return [Path(path) for _, path in find(content_dir)[0]]


def find(content_dir: Path) -> tuple[list[tuple[str, str]], list[Problem]]:
    """The documents under content_dir, each as its shown name and its path, and the problems of its files: refused
    kinds and misnamed documents."""
    walked = sources.walk(content_dir)
    documents: list[tuple[str, str]] = []
    misnamed: list[Path] = []
    for folder, names in walked.folders:
        # Strings, not Paths, for every document of every build: a Path costs more to make than the walk. (No name
        # here starts with "."; for the others, ending in ".md" is having the suffix ".md".)
        chosen = [name for name in names if name.endswith(".md")]
        prefix = os.path.join(folder, "")
        documents += zip(shown_in(folder, chosen), [prefix + name for name in chosen], strict=True)
        misnamed += [
            folder / name for name in names if name.lower().endswith(_MARKDOWN_SUFFIXES) and not name.endswith(".md")
        ]
    hidden = [
        p
        for p in walked.hidden
        if (p.suffix.lower() in _MARKDOWN_SUFFIXES or p.name.lower() == ".md") and not editor_lock(p)
    ]
    problems = [
        *walked.problems,
        *(
            Problem(
                name,
                None,
                f"扩展名应为小写的 .md（现为“{path.suffix}”），否则不会作为文件发布。请改名为 {path.stem}.md。",
                "file-name",
            )
            for path, name in zip(misnamed, shown_paths(misnamed), strict=True)
        ),
        *(
            Problem(
                name,
                None,
                "文件名以“.”开头，会被当作隐藏文件而不发布。请去掉开头的“.”；不想发布的文件请用“草稿: true”。",
                "file-name",
            )
            for name in shown_paths(hidden)
        ),
    ]
    return documents, problems


def editor_lock(path: Path) -> bool:
    """Whether path is the lock Emacs makes beside a file being edited (".#name", a symlink to who holds it):
    no document, and gone once the file is saved."""
    return path.name.startswith(".#") and path.is_symlink()


def decode(raw: bytes) -> str:
    """Text of a UTF-8 file (BOM and CRLF accepted); raises UnicodeDecodeError for any other encoding."""
    text = raw.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def encoding_problem(raw: bytes, src: str) -> Problem:
    """Explain a file that is not UTF-8, with the conversion command when it looks like GBK."""
    try:
        raw.decode("gb18030")
        hint = f"它看起来是 GBK/GB18030 编码。请用编辑器“另存为 UTF-8”，或运行：iconv -f GB18030 -t UTF-8 '{src}' -o '{src}.utf8' && mv '{src}.utf8' '{src}'"  # noqa: E501
    except UnicodeDecodeError:
        hint = "请用编辑器把它另存为 UTF-8 编码。"
    return Problem(src, None, f"文件不是 UTF-8 编码，无法读取。{hint}", "encoding")


def read_document(
    path: Path, src: str, config: Config, tree: CategoryTree, renderer: MarkdownRenderer
) -> tuple[Document | None, list[Problem]]:
    """Read one file from disk, validate it and run every rule over it; attachments are checked against content/."""
    raw, unreadable = _raw(path, src)
    if raw is None:
        return None, unreadable
    return read_source(raw, path, src, config, tree, renderer)[:2]


def _raw(path: Path, src: str) -> tuple[bytes | None, list[Problem]]:
    """A document's bytes, or the problem that it cannot be read (not a regular file, too large…)."""
    try:
        return sources.read_bytes(path, LIMIT_BYTES), []
    except sources.Unreadable as exc:
        return None, [Problem(src, None, exc.message, exc.code)]


def read_source(
    raw: bytes, path: Path, src: str, config: Config, tree: CategoryTree, renderer: MarkdownRenderer
) -> tuple[Document | None, list[Problem], tuple[Path, ...]]:
    """read_document on the file's bytes, also returning the files it looked for (found or not): its attachments and
    what its body's links name."""
    try:
        text = decode(raw)
    except UnicodeDecodeError:
        return None, [encoding_problem(raw, src)], ()
    parsed, problems = parse_document(text, src, config, tree, renderer)
    if len(raw) > WARN_BYTES:
        problems.append(
            Problem(
                src,
                None,
                f"文件很大（{len(raw) / 2**20:.1f} MB），页面会很难打开。请考虑拆分，或把大段内容改为附件。",
                "file-large",
                WARNING,
            )
        )
    findings = lint_source(src, text, allowed_hosts=config.allowed_hosts, official_phones=config.official_phones)
    if parsed is None:
        return None, problems + findings, ()
    doc, refs = parsed
    allowed = {code for code, _ in doc.allow}
    doc, attachment_problems, linked = attachments.locate(
        doc, refs, path, config.content_dir, text, config.attachment_types
    )
    findings += privacy_as_shown(src, text, doc.body_html, findings, config.official_phones)
    looked_at = tuple(dict.fromkeys(attachments.files_named(refs, path) + linked))
    named = tuple(_from_folder(file, path.parent) for file in looked_at)
    doc = replace(doc, seen=frozenset((p.code, p.message) for p in findings), named_files=named)
    # The 文件类型 rule needs nothing but the document and the config: it runs here, and its findings are cached.
    kinds = annual.kind_problems([doc], annual.site_rule(config.bodies))
    found = [
        p
        for p in attachment_problems + findings + _attachment_text(doc, refs, path, config) + kinds
        if p.code not in allowed
    ]
    return doc, problems + _downgrade_if_draft(doc.draft, found), looked_at


def _attachment_text(doc: Document, refs: tuple[attachments.Ref, ...], path: Path, config: Config) -> list[Problem]:
    """The privacy, spam and 密级 rules over the text inside each attachment, located by attachment and place in it."""
    written = {(path.parent / ref.file).resolve(): ref for ref in refs}
    problems = []
    for attachment in doc.attachments:
        target = config.content_dir / attachment.src
        ref = written[target]
        try:
            found = attachment_text.lint(target.name, attachment_text.read(target), config.official_phones)
        except attachment_text.Unreadable as exc:
            problems.append(
                Problem(
                    doc.src,
                    ref.line,
                    f"附件“{ref.file}”中的文字未能读取：{exc.message}。其中的身份证号、手机号等"
                    "未经检查：请另存为 DOCX、XLSX 或文字版 PDF 后再附上；如确已人工核对，可在 allow 中写明 "
                    "attachment-unreadable: 理由。",
                    "attachment-unreadable",
                    WARNING,
                )
            )
            continue
        problems += [
            Problem(
                doc.src, ref.line, f"附件“{ref.file}”{where}：{finding.message}", finding.code, finding.effective_level
            )
            for where, finding in found
        ]
    return problems


def parse_document(
    text: str, src: str, config: Config, tree: CategoryTree, renderer: MarkdownRenderer
) -> tuple[tuple[Document, tuple[attachments.Ref, ...]] | None, list[Problem]]:
    """Validate a document's text into a Document and its attachment references; problems are returned, never raised."""
    parts = frontmatter.split(text)
    if isinstance(parts, str):
        return None, [Problem(src, 1, parts, "front-matter-missing")]
    root, problems = yamltree.parse(parts.front_matter, src, parts.first_line)
    if root is None or not isinstance(root.value, dict):
        if not problems:
            problems.append(Problem(src, 1, "元数据块为空或不是“键: 值”形式。", "front-matter-empty"))
        return None, problems
    reader = FieldReader(src)
    reader.problems += problems
    fields = _canonical_fields(reader, root.value)
    rendered = _body(reader, parts.body, parts.body_line, renderer)
    refs = _attachments(reader, fields.get("attachments"))
    draft = "draft" in fields and reader.boolean(fields["draft"], label("draft")) is True
    doc = _build(reader, fields, src, config, tree, root.line, draft)
    problems = _downgrade_if_draft(draft, reader.problems)
    if doc is None:
        return None, problems
    doc = replace(doc, body_html=rendered.html, body_text=rendered.text, headings=rendered.headings)
    return (doc, refs), problems


def _body(reader: FieldReader, body: str, first_line: int, renderer: MarkdownRenderer) -> Rendered:
    """The body rendered, with a located problem for each refused character, unsafe markup or too deep nesting."""
    for found in characters.find(characters.FORBIDDEN, body, first_line) + characters.references(body, first_line):
        reader.report(found.line, f"正文含有字符 {found.describe()}。{characters.FORBIDDEN_ADVICE}。", "bad-character")
    rendered = renderer.render(body)
    if rendered.too_deep is not None:
        reader.report(
            first_line + rendered.too_deep,
            f"正文的列表或引用嵌套超过 {MAX_NESTING} 层，无法生成页面。请减少缩进层次（每层缩进 4 个空格）。",
            "body-too-deep",
        )
    for markup in rendered.removed:
        line = first_line + line_of(markup, body)
        reader.report(line, f"正文含有不安全的 HTML（{markup}），发布时会被删除。请从正文中去掉它。", "unsafe-html")
    return rendered


def _canonical_fields(reader: FieldReader, raw: dict[str, Node]) -> dict[str, Node]:
    fields: dict[str, Node] = {}
    for key, node in raw.items():
        name = frontmatter.canonical(key)
        if name is None:
            reader.unknown_key(node.line, key, frontmatter.KNOWN_KEYS, "元数据")
        elif name in fields:
            reader.report(
                node.line,
                f"“{key}”与第 {fields[name].line} 行重复：{label(name)}只能写一次（中文名和英文名二选一）。",
                "duplicate-key",
            )
        else:
            fields[name] = node
    return fields


def _build(
    reader: FieldReader,
    fields: dict[str, Node],
    src: str,
    config: Config,
    tree: CategoryTree,
    first_line: int,
    draft: bool,
) -> Document | None:
    for key in REQUIRED:
        if key not in fields or fields[key].value in (None, ""):
            line = fields[key].line if key in fields else first_line
            reader.report(line, f"缺少必填字段{label(key)}。", "required")
    for key in RECOMMENDED:
        if key not in fields or fields[key].value in (None, ""):
            line = fields[key].line if key in fields else first_line
            reader.warn(line, f"建议填写{label(key)}：政府信息公开目录要求列出这一项。", "recommended")
    values = {
        "title": _text(reader, fields, "title"),
        "index_no": _text(reader, fields, "index_no"),
        "publisher": _text(reader, fields, "publisher"),
        "published": _day(reader, _without_time(fields, "published"), "published"),
        "published_time": _time_of(fields.get("published")),
        "written": _day(reader, fields, "written"),
        "category": _optional(reader, fields, "category"),
        "genre": _optional(reader, fields, "genre"),
        "doc_no": _optional(reader, fields, "doc_no"),
        "keywords": _keywords(reader, fields.get("keywords")),
        "summary": _summary(reader, fields.get("summary")),
        "validity": _optional(reader, fields, "validity") or "有效",
        "repealed": _day(reader, fields, "repealed"),
        "interprets": _optional(reader, fields, "interprets"),
        "replaced_by": _optional(reader, fields, "replaced_by"),
        "draft": draft,
        "column": _optional(reader, fields, "column"),
        "extra": _extra(reader, fields.get("extra")),
        "allow": _allow(reader, fields.get("allow")),
    }
    metadata.check_document(reader, fields, values, config, tree)
    if any(p.is_error for p in reader.problems) or None in (
        values["title"],
        values["index_no"],
        values["publisher"],
        values["published"],
    ):
        return None
    column = config.column(values["column"] or config.default_column)
    values["column"] = column.key if column else values["column"]
    lines = {key: node.line for key, node in fields.items()}
    return Document(src=src, lines=lines, path=document_path(values["index_no"]), **values)


def _text(reader: FieldReader, fields: dict[str, Node], key: str) -> str | None:
    node = fields.get(key)
    if node is None or node.value in (None, ""):
        return None
    return reader.text(node, label(key))


_DAY_AND_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[ T]([01]\d|2[0-3]):([0-5]\d)")


def _day_and_time(node: Node | None) -> re.Match | None:
    return _DAY_AND_TIME.fullmatch(node.value.strip()) if node is not None and isinstance(node.value, str) else None


def _time_of(node: Node | None) -> str:
    """The HH:MM of a 发布日期 written "YYYY-MM-DD HH:MM", else "" (the time is optional)."""
    match = _day_and_time(node)
    return f"{match[2]}:{match[3]}" if match else ""


def _without_time(fields: dict[str, Node], key: str) -> dict[str, Node]:
    """The fields with `key`'s "YYYY-MM-DD HH:MM" cut to its date, for the date rules."""
    match = _day_and_time(fields.get(key))
    return {**fields, key: replace(fields[key], value=match[1])} if match else fields


def _optional(reader: FieldReader, fields: dict[str, Node], key: str) -> str:
    return reader.optional_text(fields.get(key), label(key))


def _day(reader: FieldReader, fields: dict[str, Node], key: str) -> date | None:
    node = fields.get(key)
    if node is None or node.value in (None, ""):
        return None
    return reader.day(node, label(key))


def _keywords(reader: FieldReader, node: Node | None) -> tuple[str, ...]:
    if node is None or node.value in (None, ""):
        return ()
    if isinstance(node.value, str):
        return tuple(k for k in _KEYWORD_SPLIT.split(node.value) if k)
    items = reader.items(node, label("keywords")) or []
    texts = [reader.text(item, label("keywords")) or "" for item in items]
    return tuple(k.strip() for text in texts for k in _KEYWORD_ITEM_SPLIT.split(text) if k.strip())


def _summary(reader: FieldReader, node: Node | None) -> str:
    if node is None or node.value in (None, ""):
        return ""
    value = reader.text(node, label("summary"), one_line=False) or ""
    return " ".join(value.split())


def _attachments(reader: FieldReader, node: Node | None) -> tuple[attachments.Ref, ...]:
    if node is None or node.value in (None, ""):
        return ()
    found = []
    for item in reader.items(node, label("attachments")) or []:
        fields = reader.mapping(item, "附件的一项", ["file", "title", "文件", "名称"])
        if fields is None:
            continue
        file_node = fields.get("file") or fields.get("文件")
        title_node = fields.get("title") or fields.get("名称")
        if file_node is None:
            reader.report(item.line, "附件的每一项都需要 file（相对本文件的路径）。", "attachment-file")
            continue
        file = reader.text(file_node, "附件 file")
        title = reader.text(title_node, "附件 title") if title_node else None
        if file:
            found.append(attachments.Ref(file, title or PurePosixPath(file).name, item.line))
    return tuple(found)


def _allow(reader: FieldReader, node: Node | None) -> tuple[tuple[str, str], ...]:
    """`allow:` silences lint rules for this document, each with the reason it does not apply."""
    if node is None or node.value is None:
        return ()
    if not isinstance(node.value, dict):
        reader.report(
            node.line, "allow 应写成“规则代码: 理由”，例如 privacy-landline: 本机关公布的咨询电话。", "type-mapping"
        )
        return ()
    pairs = []
    for code, reason in node.value.items():
        if code not in LINT_RULES:
            hint = closest(code, list(LINT_RULES))
            reader.report(
                reason.line,
                f"allow 中的“{code}”不是检查规则的代码。" + (f"是否想写“{hint}”？" if hint else ""),
                "allow-unknown-rule",
            )
        elif not isinstance(reason.value, str) or not reason.value.strip():
            reader.report(
                reason.line,
                f"关闭检查“{code}”必须写明理由（例如 {code}: 为什么本文件不适用）。",
                "allow-without-reason",
            )
        else:
            pairs.append((code, reason.value.strip()))
    return tuple(pairs)


def _extra(reader: FieldReader, node: Node | None) -> tuple[tuple[str, str], ...]:
    if node is None or node.value is None:
        return ()
    if not isinstance(node.value, dict):
        reader.report(node.line, "extra 应为“键: 值”形式的子项。", "type-mapping")
        return ()
    pairs = []
    for key, child in node.value.items():
        if isinstance(child.value, list):
            pairs.append((key, "、".join(c.value for c in child.value if isinstance(c.value, str))))
        elif isinstance(child.value, dict):
            reader.report(child.line, f"extra.{key} 不能再嵌套子项，请写成文字或列表。", "type-text")
        else:
            pairs.append((key, child.value or ""))
    return tuple(pairs)


def _downgrade_if_draft(draft: bool, problems: list[Problem]) -> list[Problem]:
    """A draft is never published, so its problems warn instead of stopping the build."""
    if not draft:
        return problems
    return [replace(p, level=WARNING, message=f"（草稿）{p.message}") for p in problems]


def _metadata(value: tuple[Document | None, list[Problem]]) -> tuple[tuple | None, list[Problem]]:
    doc, problems = value
    return None if doc is None else metadata_state(doc), problems


def _from_metadata(
    value: tuple[tuple | None, list[Problem]], body: Pending | None
) -> tuple[Document | None, list[Problem]]:
    state, problems = value
    return None if state is None else metadata_only(state, body), problems


def _fill_body(doc: Document, whole: tuple[Document | None, list[Problem]]) -> None:
    fill_body(doc, whole[0])


def _facts(value: tuple[Document | None, list[Problem]]) -> tuple[Facts | None, list[Problem]]:
    doc, problems = value
    return None if doc is None else facts_of(doc), problems


# A document's cache entry in brief: its metadata and its problems (see model.metadata_state); and, for check, its
# facts and its problems.
METADATA = Brief("briefs", _metadata, _from_metadata, _fill_body)
# The facts are read back as they were kept: nothing is left out that a Facts could ask for later.
FACTS = Brief("facts", _facts, lambda value, rest: value, lambda facts, whole: None)


def read_all(
    config: Config, cache: Cache | None = None, *, bodies: str = "whole", frozen: bool = False
) -> tuple[list[Document] | list[Facts], list[Problem]]:
    """Read and lint every document under the content folder, on all cores when there are many;
    with a cache, only documents whose entry no longer holds are read, and their results are saved in it.
    The documents taken from the cache have their body with bodies "whole"; none with "none"
    (model.metadata_only); with "later", it is read from the cache when first asked for. With "facts" every
    document, read or not, is given as its model.Facts. With frozen (the caller holds a workers.frozen_heap), the
    documents read back from the cache are frozen with it."""
    # serve's Memory may know the documents there are from the files the operating system reported changed.
    walked = cache.walked(config.content_dir) if cache else None
    keyed, problems = walked or find(config.content_dir)
    if cache and walked is None:
        cache.walked_now(config.content_dir, keyed, problems)
    brief = {"whole": None, "none": METADATA, "later": METADATA, "facts": FACTS}[bodies]
    with long_lived(freeze=frozen):
        results = cache.lookup(keyed, brief=brief, rest_later=bodies == "later") if cache else {}
    entries = map_chunks(
        _read_chunk, config, [(key, path) for key, path in keyed if key not in results], _PARALLEL_FROM
    )
    if cache:
        cache.store(entries, [key for key, _ in keyed])
    read = brief.shorten if brief is FACTS else lambda value: value
    results.update((entry.key, read(entry.value)) for entry in entries)
    documents = [doc for doc, _ in map(results.get, (key for key, _ in keyed)) if doc is not None]
    problems += [p for key, _ in keyed for p in results[key][1]]
    return documents, problems


def _from_folder(file: Path, folder: Path) -> str:
    """A file a document names, as written from the document's folder: a ".." after a link is left for the system to
    read (it leaves the folder the link reaches); an absolute path stays whole."""
    return str(file.relative_to(folder)) if file.is_relative_to(folder) else str(file)


def _read_chunk(config: Config, items: list[tuple[str, str]]) -> list[Entry]:
    """Read a share of the documents (in a worker process), each with what a cache needs to know it again."""
    renderer, tree = MarkdownRenderer(), load_tree(config.extra_categories)
    entries = []
    for src, name in items:
        path = Path(name)
        stamp = Stamp.of(path)  # before reading: an edit made meanwhile then shows in the stamp
        raw, unreadable = _raw(path, src)
        if raw is None:
            entries.append(Entry(src, stamp, "", (), (None, unreadable)))
            continue
        doc, problems, looked_at = read_source(raw, path, src, config, tree, renderer)
        if doc is not None:  # here, on every core, and kept with the entry: later builds read them back
            document_digest(doc)
            metadata_digest(doc)
        # The attachments were hashed as the document was read (Attachment.digest): not again here.
        hashed = {config.content_dir / a.src: a.digest for a in doc.attachments} if doc is not None else {}
        depends = tuple(Dependency.of(target, stamp.seen_ns, hashed.get(target, "")) for target in looked_at)
        entries.append(Entry(src, stamp, hashlib.sha256(raw).hexdigest(), depends, (doc, problems)))
    return entries
