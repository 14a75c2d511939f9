"""Run a function over chunks of a list on every core, keeping the results in input order."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Shared = TypeVar("Shared")
Result = TypeVar("Result")


def map_chunks(function: Callable[[Shared, list[Item]], list[Result]], shared: Shared, items: Sequence[Item],
               parallel_from: int = 48) -> list[Result]:
    """function(shared, chunk) over chunks of items; in worker processes once there are parallel_from items."""
    workers = os.cpu_count() or 1
    if len(items) < parallel_from or workers == 1:
        return function(shared, list(items))
    # Several chunks per worker even out the load; each chunk pays for its own set-up (a Markdown
    # converter, compiled templates), so chunks are not made smaller than that cost is worth.
    size = max(32, -(-len(items) // (workers * 6)))
    chunks = [list(items[i:i + size]) for i in range(0, len(items), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return [result for chunk in pool.map(function, [shared] * len(chunks), chunks) for result in chunk]
