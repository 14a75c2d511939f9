"""serve's pages ahead of the build: when an edit changed only the body of published documents, their pages are
rendered at once from the last build's navigation, so the open page shows the edit while the whole site is rebuilt
(as `hugo server` renders the pages being viewed first).

Such a page is byte for byte what the build then writes: a document's page shows its own fields and body and the
navigation, and the navigation (columns, 上一篇/下一篇, related documents) is made from every document's fields but
its body. So an edit that leaves a document's fields as they were (model.metadata_digest, its attachments
included) leaves the navigation as it was. Files beside the documents that are none (an
attachment, an editor's swap or temporary file) change no navigation either. Anything else (a new, removed or
renamed document, a field, a template, the config) is left to the build.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import render
from .cache import Memory
from .check.page_lint import PageLinter
from .check.page_scan import ALWAYS_ALLOWED
from .config import Config
from .content import editor_lock, read_document
from .markup import MarkdownRenderer
from .model import Document, metadata_digest
from .pipeline import scanned_hosts
from .taxonomy import load_tree
from .urls import document_path

# More documents edited at once (a checkout, a search and replace over the folder) wait for the build: rendering
# them one by one ahead of it would hold it up as long as it takes.
AHEAD_AT_MOST = 16


def pages_ahead(config: Config, memory: Memory, compiled: Path | None) -> dict[str, bytes] | None:
    """The page (site path -> bytes) of each document reported changed since the last build, as the next build will
    write it, when every file reported is such a document (published by that build, read now without an error, its
    fields as they were) or a file beside the documents that is none, at most AHEAD_AT_MOST such documents, and the
    built-page rules find no error in their pages; None otherwise, or when there is no such document (see the
    module's docstring). compiled: see render.make_env."""
    if memory.navigation is None or not memory.reported:
        return None
    renderer, tree = MarkdownRenderer(), load_tree(config.extra_categories)
    edited = []
    for path in sorted(memory.reported):
        committed = memory.committed_document(path)
        if committed is None:
            if _none_beside_documents(path, config, memory):
                continue
            return None
        src, before = committed
        doc, problems = read_document(Path(path), src, config, tree, renderer)
        if not _same_page_but_body(doc, before, config) or any(p.is_error for p in problems):
            return None
        edited.append(doc)
        if len(edited) > AHEAD_AT_MOST:
            return None
    paths = {doc.path for doc in edited}
    written = render.render_documents(memory.navigation, edited, compiled)
    pages = {out.dest: out.data for out in written if out.dest in paths}
    return pages if pages and not _refused(pages, config) else None


def _refused(pages: dict[str, bytes], config: Config) -> bool:
    """Whether the rules the build runs over its built pages (spam spelled in markup or entities, hidden text,
    off-site links) find an error in any of these pages."""
    linter = PageLinter(scanned_hosts(config) | ALWAYS_ALLOWED)
    return any(problem.is_error for dest, data in pages.items() for problem in linter.lint(dest, data.decode("utf-8")))


def _same_page_but_body(doc: Document | None, before: Document | None, config: Config) -> bool:
    """Whether doc, read now, differs from before, as the last build read it, in its body alone, and that build
    published before's page and the pages of the documents it names as 解读对象 and 替代文件 (the site leaves out
    a name of an unpublished one: see assemble.py)."""
    if doc is None or before is None or metadata_digest(doc) != metadata_digest(before):
        return False
    named = [document_path(index_no) for index_no in (doc.interprets, doc.replaced_by) if index_no]
    return all((config.output_dir / path).is_file() for path in [before.path, *named])


def _none_beside_documents(path: str, config: Config, memory: Memory) -> bool:
    """Whether path (absolute), reported changed, is a file in the content folder that can be no document: not
    Markdown, or an editor's lock (an attachment; an editor's swap, backup, lock or temporary file; a hidden
    Markdown file stops the build), no folder (not even one gone that held documents), and none of the config,
    templates, static files or annual-report files."""

    def inside(folder: Path) -> bool:
        return Path(path).is_relative_to(os.path.abspath(folder))

    sources = (config.path, config.templates_dir, config.static_dir, config.reports_dir)
    if not inside(config.content_dir) or any(map(inside, sources)):
        return False
    name = os.path.basename(path)
    markdown = name.lower().endswith((".md", ".markdown")) and not editor_lock(Path(path))
    return not markdown and not os.path.isdir(path) and not memory.documents_under(path)
