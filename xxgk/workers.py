"""Run a function over chunks of a list on every core, keeping the results in input order."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

Item = TypeVar("Item")
Shared = TypeVar("Shared")
Result = TypeVar("Result")


def map_chunks(function: Callable[[Shared, list[Item]], list[Result]], shared: Shared, items: Sequence[Item],
               parallel_from: int = 48) -> list[Result]:
    """function(shared, chunk) over chunks of items; in worker processes once there are parallel_from items."""
    with started(function, shared, items, parallel_from) as results:
        return results()


@contextmanager
def started(function: Callable[[Shared, list[Item]], list[Result]], shared: Shared, items: Sequence[Item],
            parallel_from: int = 48) -> Iterator[Callable[[], list[Result]]]:
    """Start map_chunks' work in the background; the yielded callable waits for it, so the caller can work meanwhile."""
    workers = os.cpu_count() or 1
    if len(items) < parallel_from or workers == 1:
        yield lambda: function(shared, list(items))
        return
    # Several chunks per worker even out the load; each chunk pays for its own set-up (a Markdown
    # converter, compiled templates), so chunks are not made smaller than that cost is worth.
    size = max(32, -(-len(items) // (workers * 6)))
    chunks = [list(items[i:i + size]) for i in range(0, len(items), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(function, shared, chunk) for chunk in chunks]
        yield lambda: [result for future in futures for result in future.result()]
