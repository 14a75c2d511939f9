"""Worker processes and the garbage collector around them."""

from __future__ import annotations

import contextlib
import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from xxgk import cores, workers

from .conftest import REPO


def _doubled(factor: int, chunk: list[int]) -> list[int]:
    return [factor * n for n in chunk]


def test_chunks_run_in_workers_and_come_back_in_order():
    assert workers.map_chunks(_doubled, 2, range(500), parallel_from=10) == [2 * n for n in range(500)]


def _sizes(_: None, chunk: list[int]) -> list[int]:
    return [len(chunk)]


@pytest.mark.parametrize(("count", "size", "sizes"), [(10, 3, [3, 3, 3, 1]), (9, 3, [3, 3, 3]), (5, 8, [5])])
def test_workers_are_handed_chunks_of_the_size_asked_for(count, size, sizes):
    with workers.started(_sizes, None, list(range(count)), parallel_from=0, size=size) as results:
        assert results() == (sizes if cores.usable() > 1 else [count])


def test_a_frozen_heap_is_unfrozen_after_the_block():
    gc.collect()
    with workers.frozen_heap():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_pausing_the_collector_restores_it_and_keeps_a_callers_freeze():
    gc.collect()
    with workers.paused_gc():
        assert not gc.isenabled() and gc.get_freeze_count() > 0
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with workers.paused_gc():
            pass
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_nested_frozen_heaps_unfreeze_when_the_outermost_ends():
    gc.collect()
    with workers.frozen_heap():
        with workers.frozen_heap():
            pass
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_long_lived_objects_are_made_with_the_collector_paused_and_frozen_with_the_heap():
    gc.collect()
    with workers.frozen_heap():
        frozen = gc.get_freeze_count()
        with workers.long_lived(freeze=True):
            assert not gc.isenabled()
            made = [[n] for n in range(1000)]  # lists: tracked by the collector
        assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(made)
    assert gc.get_freeze_count() == 0


def test_long_lived_objects_outside_a_frozen_heap_are_left_to_the_collector():
    gc.collect()
    with workers.long_lived(freeze=False):
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def _full_collections_while(make) -> int:
    """How many full collections the collector started by itself while make() ran."""
    started = []

    def note(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            started.append(info)

    with workers.frozen_heap():  # what the test process holds already does not put off a full collection
        gc.collect()
        gc.callbacks.append(note)
        try:
            make()
        finally:
            gc.callbacks.remove(note)
    return len(started)


def _many_long_lived_objects() -> list:
    return [[n] for n in range(600_000)]  # each list is tracked by the collector and outlives young collections


def test_a_build_s_long_lived_objects_start_no_full_collection():
    assert _full_collections_while(_many_long_lived_objects) > 0  # what the block leaves out
    with workers.young_collections_only():
        assert _full_collections_while(_many_long_lived_objects) == 0


@pytest.mark.parametrize("fails", [False, True])
def test_the_collector_s_thresholds_are_restored_after_the_block(fails):
    before = gc.get_threshold()
    with pytest.raises(RuntimeError) if fails else contextlib.nullcontext():
        with workers.young_collections_only():
            with workers.young_collections_only():
                assert gc.get_threshold()[:2] == before[:2] and gc.get_threshold()[2] > before[2]
            if fails:
                raise RuntimeError
    assert gc.get_threshold() == before


def test_workers_end_when_the_process_that_started_them_is_killed(tmp_path):
    # A build killed with SIGKILL cannot stop its workers; left alive, they would hold the output folder's lock.
    script = f"""
import os, sys, time
sys.path.insert(0, {str(REPO)!r})
from xxgk import cores, workers
cores.usable = lambda: 2
def work(_, chunk):
    open(os.path.join({str(tmp_path)!r}, str(os.getpid())), "w").close()
    time.sleep(600)
    return chunk
with workers.started(work, None, list(range(4)), parallel_from=0, size=1) as results:
    results()
"""
    process = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        pids = [int(path.name) for path in tmp_path.iterdir()]
        assert len(pids) == 2
    finally:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in pids)


def _running(pid: int) -> bool:
    """Whether the process is alive (a zombie, dead and not yet reaped, is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _handed_over_then_finished(_: str) -> tuple[int, object]:
    def finish() -> tuple[int, float]:
        time.sleep(0.5)  # what is left to do, after the result was handed over
        return os.getpid(), time.monotonic()

    return os.getpid(), finish


def test_a_background_result_is_handed_over_before_its_worker_finishes():
    with workers.background(_handed_over_then_finished, "") as (result, finished):
        worker = result()
        handed_over = time.monotonic()
        finisher, finished_at = finished()
    assert worker != os.getpid() and finisher == worker  # both parts ran in the one worker
    assert finished_at > handed_over  # the result did not wait for finish()


def _fails(_: str) -> tuple[int, object]:
    raise ValueError("no result")


def test_a_background_function_s_error_is_raised_by_both_waits():
    with workers.background(_fails, "") as (result, finished):
        with pytest.raises(ValueError, match="no result"):
            result()
        with pytest.raises(RuntimeError):
            finished()
