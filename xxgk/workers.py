"""Run a function over chunks of a list on every core, keeping the results in input order; and keep the garbage
collector off what forked workers inherit and off what a build keeps to its end."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from . import cores

Item = TypeVar("Item")
Shared = TypeVar("Shared")
Result = TypeVar("Result")
Later = TypeVar("Later")


def map_chunks(
    function: Callable[[Shared, list[Item]], list[Result]],
    shared: Shared,
    items: Sequence[Item],
    parallel_from: int = 48,
) -> list[Result]:
    """function(shared, chunk) over chunks of items; in worker processes once there are parallel_from items."""
    with started(function, shared, items, parallel_from) as results:
        return results()


@contextmanager
def started(
    function: Callable[[Shared, list[Item]], list[Result]],
    shared: Shared,
    items: Sequence[Item],
    parallel_from: int = 48,
    size: int | None = None,
) -> Iterator[Callable[[], list[Result]]]:
    """Start map_chunks' work in the background; the yielded callable waits for it, so the caller can work meanwhile.
    Workers are handed size items at a time (by default chunk_size's)."""
    workers = cores.usable()
    if len(items) < parallel_from or workers == 1:
        yield lambda: function(shared, list(items))
        return
    size = size or chunk_size(len(items))
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_context(),
        initializer=_inherit,
        initargs=(function, shared, items, os.getpid()),
    ) as pool:
        try:
            with interrupts_held():  # the workers are forked here
                futures = [pool.submit(_run_slice, start, start + size) for start in range(0, len(items), size)]
            yield lambda: [result for future in futures for result in future.result()]
        except BaseException:  # Ctrl+C or an error: stop the workers now rather than let them finish every chunk
            stop(pool)
            raise


@contextmanager
def background(
    function: Callable[..., tuple[Result, Callable[[], Later]]], *args: Any
) -> Iterator[tuple[Callable[[], Result], Callable[[], Later]]]:
    """Run function(*args) in one worker process while the caller works; it returns (result, finish), and finish()
    then runs in the worker too. The yielded callables wait for the result and for what finish() returned (raising
    what either raised): the caller takes the result while the worker finishes. Leaving the block with an error
    stops the worker. Without fork (which lets the worker inherit args instead of receiving them pickled) both run in
    this process, when the result is asked for."""
    if "fork" not in multiprocessing.get_all_start_methods():
        made: list = []

        def result() -> Result:
            if not made:
                made.extend(function(*args))
            return made[0]

        def finished() -> Later:
            result()
            return made[1]()

        yield result, finished
        return
    with ProcessPoolExecutor(
        max_workers=1, mp_context=_context(), initializer=_inherit, initargs=(function, args, (), os.getpid())
    ) as pool:
        try:
            with interrupts_held():  # the worker is forked here
                started = pool.submit(_run_inherited)
                # Queued behind the first: the one worker runs it once the first is done.
                finished = pool.submit(_run_finish)
            yield started.result, finished.result
        except BaseException:  # as started(): stop the worker now rather than let it finish
            stop(pool)
            raise


def chunk_size(count: int) -> int:
    """How many of count items map_chunks hands a worker at a time, when it uses workers."""
    # Several chunks per worker even out the load; each chunk pays for its own set-up (a Markdown
    # converter, compiled templates), so chunks are not made smaller than that cost is worth.
    return max(32, -(-count // (cores.usable() * 6)))


def stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now, its queued work cancelled and its running work abandoned (after an error or Ctrl+C in the
    process that started it), and wait until this process's child processes are gone: every one of them is
    terminated, the pool's workers and any other pool's (a build has no other children, and after an error no
    other pool's work is wanted either)."""
    pool.shutdown(wait=False, cancel_futures=True)
    children = multiprocessing.active_children()
    for process in children:
        process.terminate()
    for process in children:
        _join(process)


def _join(process: multiprocessing.Process, patience: float = 5.0) -> None:
    """Wait until a terminated child has exited and its exit code is known."""
    # The pool's own thread joins its workers too: when it reaps a worker first, this thread's join returns with
    # no exit code, which that thread records a moment later. Until then the process would still look alive.
    deadline = time.monotonic() + patience
    process.join()
    while process.exitcode is None and time.monotonic() < deadline:
        process.join(0.01)


# In a worker process only: the function, shared value and items it was started with (see _inherit).
_inherited: tuple[Callable, Any, Sequence] | None = None


def _inherit(function: Callable, shared: Any, items: Sequence, parent: int) -> None:
    """Keep the work in the worker, which then receives only (start, stop) ranges of it; the worker ends with its
    parent process."""
    _end_with(parent)
    # With fork the worker inherits these from the parent's memory, so ten thousand documents are not
    # pickled in the parent and unpickled in a worker; with spawn they are pickled once per worker.
    global _inherited
    _inherited = (function, shared, items)
    ignore_interrupts()


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold back Ctrl+C in this thread while worker processes are forked: they start with it held back, so none
    can be interrupted before ignore_interrupts() runs, and this process receives it when the block ends."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def ignore_interrupts() -> None:
    """In a worker process (its initializer): leave Ctrl+C to the parent, which stops the pool and reports it once.

    Ctrl+C in a terminal signals every process of the group; a worker would die printing a traceback of its own
    and leave the pool waiting for its result."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # one held back since the fork is now discarded


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _end_with(parent: int) -> None:
    """Have the system kill this worker process when its parent dies (Linux; elsewhere nothing is done).

    A build killed with SIGKILL or SIGTERM leaves its pool's workers waiting for work that never comes, and each one
    holds the output folder's lock (an flock is held while any process has the descriptor): every later build would
    be refused as busy until someone found and killed them."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (AttributeError, OSError):  # not Linux
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


# In a background worker only: what its function left to do once its result is handed over (see background).
_finish: Callable[[], Any] | None = None


def _run_inherited() -> Any:
    global _finish
    function, args, _ = _inherited
    result, _finish = function(*args)
    return result


def _run_finish() -> Any:
    if _finish is None:  # the function failed: its result() raises that error
        raise RuntimeError("the worker's function ended without a result")
    return _finish()


def _run_slice(start: int, stop: int) -> list:
    function, shared, items = _inherited
    return function(shared, list(items[start:stop]))


def _context() -> multiprocessing.context.BaseContext:
    # fork where there is one (Linux), not whatever a later Python makes the default (forkserver in 3.14).
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Leave every object that exists now out of garbage collection until the block ends (the outermost block, when
    they are nested)."""
    # For objects that live through the block (a build's documents): otherwise each full collection walks them
    # again, and in forked workers a collection writes to, and so copies, every memory page they sit on.
    frozen_before = gc.get_freeze_count()
    gc.freeze()
    try:
        yield
    finally:
        if not frozen_before:
            gc.unfreeze()


@contextmanager
def long_lived(*, freeze: bool) -> Iterator[None]:
    """Pause the collector while the block makes objects that hold no reference cycles and live long (documents read
    back from the cache); with freeze, given by a caller inside a frozen_heap (which unfreezes them), freeze them
    with the rest when the block ends."""
    # Unpickling ten thousand documents makes about 700,000 objects: the collector would walk the young ones a
    # thousand times and the whole heap twice, for nothing to collect (a fifth of the time it takes). The caller says
    # whether a frozen_heap encloses the block: gc.get_freeze_count() would walk every frozen object to tell, a
    # quarter of a second per build in serve at 100,000 documents.
    with _collector_paused():
        try:
            yield
        finally:
            if freeze:
                gc.freeze()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Stop the cyclic garbage collector, and freeze what exists, while large acyclic structures are built: it would
    walk them again and again, and in forked workers it would copy every inherited page by touching it. When a
    caller has frozen objects already (frozen_heap), they stay frozen: that caller unfreezes them."""
    with _collector_paused(), frozen_heap():
        yield


@contextmanager
def young_collections_only() -> Iterator[None]:
    """Collect only the two young generations while the block runs; the oldest is collected again after it."""
    # A build keeps millions of objects to its end (documents, the site model, the records and manifest of the last
    # build), and each full collection walks every one of them that is not frozen, to find the few reference cycles
    # that outlive a young collection: a quarter of an edit build of 100,000 documents. Those few wait for the end.
    young, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, _NEVER)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)


_NEVER = 2**31 - 1  # collections of the middle generation before a full one (the most gc.set_threshold takes)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector until the block ends, then enable it again if it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
