"""Search: the Whoosh index for `xxgk search` and the static index a browser queries, over one tokenizer.

Modules, each with one job:
- `tokens`: the tokenizer of record (normalisation, Han runs, bigrams) and the one Han character class;
- `analysis`: how the Whoosh index reads text (positions, run-edge markers, postings);
- `query` and `clauses`: the query language, its parser and the Whoosh query of each clause;
- `engine`: the schema and `update_index` (a `plan`, then `carry_out`), which keeps the index beside the site in step
  with the documents;
- `results` and `snippets`: `search()`, its ranked hits and their excerpts;
- `whoosh_internals`: every use of Whoosh's private names, so an upgrade of Whoosh looks at one file;
- `text`: what both indexes search in a document besides its title;
- `static_index`: the files under search/ that static/js/search.js queries in the browser.

Only whoosh_internals reaches inside Whoosh; the names below are what the rest of xxgk uses.
"""

from .analysis import positioned
from .clauses import SearchSyntaxError, field_query, text_query
from .engine import INDEX_NAME, MARKER, SCHEMA, IndexMissing, IndexStats, Plan, carry_out, plan, update_index
from .query import parse_query
from .results import Hit, SearchResult, search
from .snippets import Snippet, make_snippet

__all__ = [
    "INDEX_NAME",
    "MARKER",
    "SCHEMA",
    "Hit",
    "IndexMissing",
    "IndexStats",
    "Plan",
    "SearchResult",
    "SearchSyntaxError",
    "Snippet",
    "carry_out",
    "field_query",
    "make_snippet",
    "parse_query",
    "plan",
    "positioned",
    "search",
    "text_query",
    "update_index",
]
