"""Worker processes for `--jobs`: map a function over items in a process pool."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Work below this size is done in-process: starting workers costs more than it saves.
PARALLEL_THRESHOLD = 64


def map_in_workers(function: Callable[[T], R], items: Sequence[T], jobs: int) -> Iterator[R]:
    """Map over items in ``jobs`` forked processes (or in-process for small work)."""
    if jobs <= 1 or len(items) < PARALLEL_THRESHOLD:
        yield from map(function, items)
        return
    chunk = max(1, min(64, len(items) // (jobs * 8)))
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        yield from pool.imap(function, items, chunksize=chunk)
