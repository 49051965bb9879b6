"""Run many independent jobs across processes (cold builds), or in this process (small ones).

Workers are forked, so they inherit the jobs and the loaded libraries instead of receiving
them over a pipe or importing them again; they take ranges of job numbers, small enough
that both workers finish at about the same time, which keeps the cost of the pool well
under a second. A pool is only worth it for many jobs: an edit of a few posts is handled
in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

from builder.markdown import FenceMemo
from builder.model import Diagnostic, Document, Source
from builder.parse import ParseSettings, parse_source

T = TypeVar("T")
ParseResult = tuple[Document | None, list[Diagnostic]]
# what a forked worker does with a chunk's results before sending them back:
# (first job number, results) -> results; e.g. store them and send back less
ChunkHook = Callable[[int, list[Any]], list[Any]]
POOL_MIN_JOBS = 64  # below this, starting processes costs more than it saves
CHUNKS_PER_WORKER = 24  # about as many chunks per worker (see guided_chunks)
GUIDED_SHARE = 6  # a chunk takes 1/(workers * GUIDED_SHARE) of the jobs still left

_task: Callable[[int], Any] | None = None  # inherited by the forked workers
_hook: ChunkHook | None = None


def workers() -> int:
    """How many processes to use: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def run_indexed(
    task: Callable[[int], T],
    count: int,
    *,
    on_progress: Callable[[int], None] | None = None,
    min_jobs: int = POOL_MIN_JOBS,
    in_worker: ChunkHook | None = None,
) -> list[T]:
    """[task(0), ..., task(count - 1)], across forked processes when there are many.

    `in_worker` runs in a forked worker on each chunk's results before they travel back;
    results made in this process skip it (so both kinds must do for the caller).
    """
    processes = workers()
    # fork is only safe when this is the only thread (a preview server has several), and a
    # pool's own (daemonic) workers may not start processes
    alone = threading.active_count() == 1 and not multiprocessing.current_process().daemon
    if processes < 2 or count < min_jobs or not alone:
        results = []
        for index in range(count):
            results.append(task(index))
            if on_progress is not None and index % 25 == 24:
                on_progress(index + 1)
        return results
    global _task, _hook
    _task, _hook = task, in_worker
    chunks = guided_chunks(count, processes)
    results = []
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(processes, mp_context=context) as pool:
            for part in pool.map(_run_chunk, chunks):
                results.extend(part)
                if on_progress is not None:
                    on_progress(len(results))
    finally:
        _task, _hook = None, None
    return results


def guided_chunks(count: int, processes: int) -> list[tuple[int, int]]:
    """Ranges of job numbers, large first and ever smaller: each takes a share of what is
    left, so the workers' last chunks are small and they finish at about the same time,
    while the pool hands out only a few dozen chunks in all."""
    smallest = max(1, count // (processes * CHUNKS_PER_WORKER * 4))
    chunks, start = [], 0
    while start < count:
        size = max(smallest, -(-(count - start) // (processes * GUIDED_SHARE)))
        chunks.append((start, min(start + size, count)))
        start += size
    return chunks


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _task is not None  # set by the parent before the fork
    # What the worker inherited is never garbage here: keep the collector off it (a
    # collection would walk it again and again, and touching it unshares its pages).
    gc.freeze()
    results = [_task(index) for index in range(*bounds)]
    return results if _hook is None else _hook(bounds[0], results)


def parse_many(
    sources: Sequence[Source],
    settings: ParseSettings,
    *,
    on_progress: Callable[[int], None] | None = None,
    fences: FenceMemo | None = None,
    in_worker: ChunkHook | None = None,
) -> list[ParseResult]:
    """Parse `sources` in order; `on_progress(n)` is told how many are done so far.
    `fences` (code blocks highlighted before) is used when they are parsed here, in this
    process (it may hold a database connection, which a forked worker must not use).
    `in_worker`: see `run_indexed` (the build cache stores results where they are made)."""
    if len(sources) >= POOL_MIN_JOBS:
        fences = None
    return run_indexed(
        lambda index: parse_source(sources[index], settings, fences),
        len(sources),
        on_progress=on_progress,
        in_worker=in_worker,
    )
