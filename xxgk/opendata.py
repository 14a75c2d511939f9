"""Open data: a JSON twin of every document page, and the whole 目录 as catalog.json and catalog.csv."""

from __future__ import annotations

import csv
import io
import json
from pathlib import PurePosixPath

from .config import Config
from .frontmatter import HEADINGS
from .model import CatalogEntry, Document, Output, Site
from .urls import attachment_path

CATALOG_COLUMNS = [
    "index_no",
    "title",
    "publisher",
    "written",
    "published",
    "category",
    "genre",
    "doc_no",
    "keywords",
    "summary",
    "validity",
    "repealed",
    "interprets",
    "replaced_by",
    "url",
    "json",
    "attachments",
]
# The fields' headings, and the two columns that are not fields: the page and its JSON twin.
CATALOG_HEADINGS = [{**HEADINGS, "url": "网址", "json": "数据"}[column] for column in CATALOG_COLUMNS]


def twin_path(doc: Document) -> str:
    """The JSON twin sits beside the document's page: doc/X/2019-00001.json."""
    return doc.path.removesuffix(".html") + ".json"


def metadata(doc: Document, config: Config) -> dict:
    """Every metadata field of a document, dates in ISO 8601, URLs absolute."""
    return {
        "index_no": doc.index_no,
        "title": doc.title,
        "publisher": doc.publisher,
        "written": doc.written.isoformat() if doc.written else None,
        "published": doc.published.isoformat(),
        "category": doc.category,
        "genre": doc.genre,
        "doc_no": doc.doc_no,
        "keywords": list(doc.keywords),
        "summary": doc.summary,
        "validity": doc.validity,
        "repealed": doc.repealed.isoformat() if doc.repealed else None,
        "interprets": doc.interprets or None,
        "replaced_by": doc.replaced_by or None,
        "column": doc.column,
        "extra": dict(doc.extra),
        "url": config.base_url + doc.path,
        "json": config.base_url + twin_path(doc),
        "attachments": [
            config.base_url + attachment_path(doc.path, PurePosixPath(a.src).name) for a in doc.attachments
        ],
    }


def document_twin(doc: Document, config: Config) -> Output:
    """A document's metadata, body as HTML and as text, and its attachments' URLs, as one JSON file."""
    fields = metadata(doc, config)
    attachments = [
        {"title": a.title, "url": url, "size": a.size, "type": PurePosixPath(a.src).suffix.lstrip(".").lower()}
        for a, url in zip(doc.attachments, fields["attachments"], strict=True)
    ]
    data = {**fields, "body_html": doc.body_html, "body_text": doc.body_text, "attachments": attachments}
    return Output(twin_path(doc), _json(data))


def entry_metadata(entry: CatalogEntry, config: Config) -> dict:
    """An annual report's 目录 row with the same keys as a document's; it has no JSON twin, so `json` is null."""
    return {
        "index_no": entry.index_no,
        "title": entry.title,
        "publisher": entry.publisher,
        "written": None,
        "published": entry.published.isoformat(),
        "category": entry.category,
        "genre": entry.genre,
        "doc_no": "",
        "keywords": [],
        "summary": entry.summary,
        "validity": entry.validity,
        "repealed": None,
        "interprets": None,
        "replaced_by": None,
        "column": entry.column,
        "extra": {},
        "url": config.base_url + entry.path,
        "json": None,
        "attachments": [],
    }


CATALOG_FILES = ("catalog.json", "catalog.csv")


def catalog_files(site: Site, config: Config) -> list[Output]:
    """catalog.json and catalog.csv (CATALOG_FILES): one row per entry of the 目录 (published documents and annual
    reports), newest first."""
    rows = [
        entry_metadata(entry, config) if isinstance(entry, CatalogEntry) else metadata(entry, config)
        for page in site.catalog.pages
        for entry in page.documents
    ]
    catalog_json = _json({"site": config.site_name, "total": len(rows), "documents": rows})
    return [Output("catalog.json", catalog_json), Output("catalog.csv", _csv(rows))]


# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV Injection"): `=HYPERLINK(…)` in a
# title would run when the catalogue is opened in Excel. Such a cell gets a leading apostrophe, which spreadsheets
# show as text; catalog.json keeps every value exactly as written.
_FORMULA_START = frozenset("=+-@\t\r")


def _cells(row: dict) -> list[str]:
    """A catalogue row as CSV text, each cell neutralised when a spreadsheet would take it for a formula."""
    # One comprehension per row, not a call per cell: the catalogue has a row per document.
    texts = [" ".join(value) if isinstance(value, list) else (value or "") for value in map(row.get, CATALOG_COLUMNS)]
    return ["'" + text if text[:1] in _FORMULA_START else text for text in texts]


def _json(data: dict) -> bytes:
    # Compact: with indent, json falls back from its C encoder to pure Python, ten times slower on the catalog.
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    # Every cell quoted, as OWASP advises, so no reader splits a cell at a comma or a line break inside it.
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(CATALOG_HEADINGS)
    writer.writerows(map(_cells, rows))
    # UTF-8 with a byte-order mark: Excel on Chinese Windows otherwise opens it as GBK and garbles it.
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


LEGAL_FORCE = {
    "有效": "https://schema.org/InForce",
    "失效": "https://schema.org/NotInForce",
    "废止": "https://schema.org/NotInForce",
}


def json_ld(doc: Document, config: Config) -> dict:
    """schema.org Legislation for normative documents (规章, 行政规范性文件), CreativeWork for the rest."""
    data = {
        "@context": "https://schema.org",
        "@type": "Legislation" if doc.normative_kind else "CreativeWork",
        "name": doc.title,
        "headline": doc.title,
        "url": config.base_url + doc.path,
        "inLanguage": "zh-CN",
        "identifier": {"@type": "PropertyValue", "propertyID": "索引号", "value": doc.index_no},
        "datePublished": doc.published.isoformat(),
        "publisher": {"@type": "GovernmentOrganization", "name": config.footer.sponsor or config.site_name},
        "author": {"@type": "GovernmentOrganization", "name": doc.publisher},
    }
    optional = {
        "about": doc.category,
        "keywords": "，".join(doc.keywords),
        "genre": doc.genre,
        "abstract": doc.summary,
        "dateCreated": doc.written.isoformat() if doc.written else "",
    }
    data.update({key: value for key, value in optional.items() if value})
    if doc.normative_kind:
        data.update(_legislation(doc))
    return data


def _legislation(doc: Document) -> dict:
    fields = {
        "legislationIdentifier": doc.doc_no,
        "legislationType": doc.genre or doc.normative_kind,
        "legislationDate": doc.written.isoformat() if doc.written else "",
        "legislationPassedBy": {"@type": "GovernmentOrganization", "name": doc.publisher},
        "legislationLegalForce": LEGAL_FORCE[doc.validity],
    }
    return {key: value for key, value in fields.items() if value}
