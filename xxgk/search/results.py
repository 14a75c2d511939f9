"""Answering a query from the Whoosh index: `search()` and the `SearchResult` of ranked `Hit`s it returns.

Equal scores fall back to date and index number, so results come in the same order however the index was built.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from whoosh import query as Q
from whoosh import sorting
from whoosh.collectors import TopCollector

from . import tokens
from .analysis import doc_no_key
from .engine import open_for_search
from .query import SearchSyntaxError, parse_query
from .snippets import Snippet, make_snippet
from .whoosh_internals import Pruned, Weighting

EXACT_BOOST = 1_000_000.0  # a whole query that is an index number or 文号 puts that document first
_SLACK = 10  # extra hits fetched to see whether equal scores straddle the limit


@dataclass(frozen=True, slots=True)
class Hit:
    """One document found, with what the command line shows of it."""

    index_no: str
    title: str
    publisher: str
    published: date
    url: str  # the page path relative to the site root, or absolute when search() got a base_url
    score: float
    snippet: Snippet

    def to_json(self) -> dict:
        """The hit as `search --json` gives it (docs/editing.md 三), plus the plain snippet and its match spans."""  # noqa: E501
        return {
            "index_no": self.index_no,
            "title": self.title,
            "publisher": self.publisher,
            "published": self.published.isoformat(),
            "url": self.url,
            "score": round(self.score, 4),
            "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.spans],
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    """The answer to one query: how many documents match and the best of them."""

    query: str
    total: int
    hits: tuple[Hit, ...]

    def to_json(self) -> dict:
        """The `search --json` object (docs/editing.md 三)."""
        return {"query": self.query, "total": self.total, "hits": [hit.to_json() for hit in self.hits]}


def search(index_dir: Path, query: str, limit: int = 20, *, base_url: str = "", by_date: bool = False) -> SearchResult:
    """Run a query in the query language of docs/editing.md 三 against the index at index_dir; best first,
    or newest first with by_date."""
    ix = open_for_search(index_dir)
    with ix.searcher(weighting=Weighting()) as searcher:
        whoosh_query, needles = _query_with_exact(searcher, query)
        if by_date:
            ranked, total = _newest(searcher, Pruned(whoosh_query), max(limit, 0))
        else:
            ranked, total = _ranked(searcher, Pruned(whoosh_query), max(limit, 0), scored=bool(needles))
        return SearchResult(query, total, tuple(_hit(fields, score, needles, base_url) for score, fields in ranked))


def _newest(searcher, query: Q.Query, limit: int) -> tuple[list[tuple[float, dict]], int]:
    """The newest `limit` matching documents as (score, stored fields), equal dates by index number."""
    order = sorting.MultiFacet(
        [sorting.FieldFacet("published", reverse=True), sorting.FieldFacet("index_no"), sorting.ScoreFacet()]
    )
    results = searcher.search(query, limit=max(limit, 1), sortedby=order)
    return [(-results.score(n)[2], results[n].fields()) for n in range(min(limit, results.scored_length()))], len(
        results
    )


def _ranked(searcher, query: Q.Query, limit: int, scored: bool) -> tuple[list[tuple[float, dict]], int]:
    """The best `limit` documents as (score, stored fields), equal scores newest first and then by index number,
    and how many documents match. A top-N pass answers unless equal scores straddle what it fetched; filters alone
    score alike, so when they match many documents these are sorted by date and number straight away."""
    if scored or query.estimate_size(searcher.reader()) <= limit + _SLACK:
        collector = TopCollector(limit + _SLACK, usequality=False, replace=0)  # no pruning: counts in one pass
        searcher.search_with_collector(query, collector)
        results = collector.results()
        top = [(results.score(n), results[n].fields()) for n in range(results.scored_length())]
        if not (limit and len(top) == limit + _SLACK and top[limit - 1][0] == top[-1][0]):
            top.sort(
                key=lambda item: (-item[0], -item[1]["published"].toordinal(), tokens.normalize(item[1]["index_no"]))
            )
            return top[:limit], len(results)
    order = sorting.MultiFacet(
        [sorting.ScoreFacet(), sorting.FieldFacet("published", reverse=True), sorting.FieldFacet("index_no")]
    )
    results = searcher.search(query, limit=max(limit, 1), sortedby=order)
    return [(-results.score(n)[0], results[n].fields()) for n in range(min(limit, results.scored_length()))], len(
        results
    )


def _query_with_exact(searcher, text: str) -> tuple[Q.Query, tuple[str, ...]]:
    """The parsed query, OR-ed with the whole text as an exact index number or 文号 ranked above everything."""
    exact = Q.Or(
        [Q.Term("index_no", tokens.normalize(text.strip())), Q.Term("doc_no_norm", doc_no_key(text))], boost=EXACT_BOOST
    )
    try:
        parsed, needles = parse_query(text)
    except SearchSyntaxError:
        if text.strip() and any(True for _ in exact.docs(searcher)):
            return exact, ()
        raise
    return Q.Or([exact, parsed]), needles


def _hit(fields: dict, score: float, needles: tuple[str, ...], base_url: str) -> Hit:
    """A Hit from a result's stored fields."""
    body = fields.get("excerpt", "")
    return Hit(
        fields["index_no"],
        fields.get("title", ""),
        fields.get("publisher", ""),
        fields["published"].date(),
        base_url + fields["url"],
        score,
        make_snippet(body, needles),
    )
