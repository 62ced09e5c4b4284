"""Worker processes for `--jobs`: map a function over items in a process pool.

On Linux the workers are forked: they start at once and inherit the parent's memory
(render/renderer.py's page workers rely on that). Where ``fork`` is not available (or when
``WSDGEN_START_METHOD=spawn`` is set, as the tests do) the workers are spawned: fresh
interpreters that get the function and the items by pickling. Whatever cannot be
done that way (a function that needs the parent's state, an item that does not
pickle) is done in-process instead, so the output is the same bytes either way.

Workers ignore SIGINT (Ctrl+C reaches the whole process group; only the parent
reacts) and end quietly on SIGTERM, which is how the parent ends the pool when it is
interrupted: no worker prints a traceback and no worker is left behind.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing.pool import Pool
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Work below this size is done in-process: starting workers costs more than it saves.
PARALLEL_THRESHOLD = 64
# Set to "spawn" (or "fork", "forkserver") to choose how worker processes start.
START_METHOD_ENV = "WSDGEN_START_METHOD"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

# Pools that are running now, so an interrupted parent can end them at once.
_ACTIVE_POOLS: list[Pool] = []


def start_method() -> str:
    """How worker processes start here: the environment's choice, else fork, else spawn."""
    available = multiprocessing.get_all_start_methods()
    wanted = os.environ.get(START_METHOD_ENV, "").strip().lower()
    if wanted in available:
        return wanted
    return "fork" if "fork" in available else "spawn"


def can_share_state() -> bool:
    """True when workers inherit the parent's module globals (they are forked)."""
    return start_method() == "fork"


def usable_cores() -> int:
    """The number of cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def pool_size(jobs: int, items: int) -> int:
    """More processes than cores gives no speed, only memory use: cap ``jobs`` there."""
    return max(1, min(jobs, max(2, usable_cores()), items))


def map_in_workers(function: Callable[[T], R], items: Sequence[T], jobs: int) -> Iterator[R]:
    """Map over items in ``jobs`` worker processes (or in-process for small work).

    Results come in the order of the items. With spawned workers, a failure in the
    pool (a pickling problem, state the workers do not have) makes the rest of the
    work run in-process, where a real error shows up again as itself.
    """
    size = pool_size(jobs, len(items))
    if size <= 1 or len(items) < PARALLEL_THRESHOLD:
        yield from map(function, items)
        return
    method = start_method()
    done = 0
    try:
        for result in _pool_map(function, items, size, method):
            yield result
            done += 1
    except Exception:
        if method == "fork":
            raise
        yield from map(function, items[done:])


def _pool_map(
    function: Callable[[T], R], items: Sequence[T], size: int, method: str
) -> Iterator[R]:
    chunk = max(1, min(64, len(items) // (size * 8)))
    context = multiprocessing.get_context(method)
    with _signals_blocked():
        # Started with SIGINT and SIGTERM blocked, a worker cannot be hit before its
        # initializer has set how it reacts to them.
        pool = context.Pool(size, initializer=_worker_init)
    _ACTIVE_POOLS.append(pool)
    try:
        yield from pool.imap(function, items, chunksize=chunk)
        pool.close()
        pool.join()
    finally:
        _end_pool(pool)


def _worker_init() -> None:
    """In a worker: ignore Ctrl+C, end quietly on SIGTERM, then let signals in."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _end_worker)
    sys.unraisablehook = keep_swallowed_stops
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def _end_worker(signum: int, frame: FrameType | None) -> None:
    """End a worker by unwinding, not by dying where it stands.

    A worker holds the pool's queue lock while it waits for work; one killed then left
    the parent's ``Pool.terminate`` waiting for that lock for ever (SIGTERM to the
    whole process group does that). SystemExit lets go of the lock on its way out,
    and the worker exits without a traceback. One moment remains where unwinding does
    not let go: the lock has just been taken, inside ``SemLock.__enter__``, and the
    ``with`` block that would release it has not begun; the lock is released here.
    """
    lock = _lock_just_taken(frame)
    if lock is not None:
        lock.release()
    raise SystemExit(128 + signum)


def _lock_just_taken(frame: FrameType | None) -> Any:
    """The multiprocessing lock whose ``__enter__`` was running when the signal came, if
    it had already taken the lock (Python runs a handler right after a C call returns,
    so the acquire had finished)."""
    if frame is None or frame.f_code is not _SEMLOCK_ENTER:
        return None
    lock = frame.f_locals.get("self")
    if lock is None or not lock._semlock._is_mine():
        return None
    return lock


_SEMLOCK_ENTER = multiprocessing.synchronize.SemLock.__enter__.__code__


@contextmanager
def _signals_blocked() -> Iterator[None]:
    """Hold SIGINT/SIGTERM back for a moment; they are delivered when this ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _end_pool(pool: Pool) -> None:
    if pool in _ACTIVE_POOLS:
        _ACTIVE_POOLS.remove(pool)
        with _stray_workers_ended():
            pool.terminate()
        pool.join()


@contextmanager
def _stray_workers_ended(patience: float = 0.5) -> Iterator[None]:
    """End the workers that would keep ``Pool.terminate`` waiting for ever.

    ``Pool.terminate`` first takes the task queue's lock, which an idle worker holds
    while it waits for work. When SIGTERM reached the whole process group, the workers
    ended on their own and the pool at once started fresh ones, which never got the
    signal: one of them then waits for work that will not come, holding that lock. So
    when terminating takes longer than ``patience``, every live worker gets SIGTERM
    again; it lets go of the lock as it ends (see ``_end_worker``).
    """
    done = threading.Event()

    def end_strays() -> None:
        while not done.wait(patience):
            for child in multiprocessing.active_children():
                child.terminate()

    watchdog = threading.Thread(target=end_strays, name="wsdgen-end-strays", daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        done.set()
        watchdog.join()


def stop_workers() -> None:
    """End every running pool now (after an interrupt); waits until the workers are gone."""
    for pool in list(_ACTIVE_POOLS):
        _end_pool(pool)


@contextmanager
def stop_signals_deferred() -> Iterator[None]:
    """Run a step that must not be cut in half; a SIGINT/SIGTERM meanwhile acts after it.

    Two locks: the signals are blocked for this thread (``pthread_sigmask``), so the
    kernel holds them back until the step is done, and Python's handlers only take note
    meanwhile, for a signal that another thread received. Afterwards the handlers are
    put back first and the signals let in then, so a held-back one reaches the command's
    own handler (exit 130/143 with its Dutch line), never the default that kills.

    Only the main thread receives Python's signal handlers, so elsewhere this does
    nothing (nothing there can be interrupted by them).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def remember(signum: int, frame: FrameType | None) -> None:
        pending.append(signum)

    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    with _signals_blocked():
        for signum, handler in previous.items():
            if handler is not signal.SIG_IGN and handler is not None:
                signal.signal(signum, remember)
        try:
            yield
        finally:
            for signum, handler in previous.items():
                if handler is not signal.SIG_IGN and handler is not None:
                    signal.signal(signum, handler)
    if pending:
        signal.raise_signal(pending[0])


StopHandler = Callable[[int, FrameType | None], None]


# Stops (KeyboardInterrupt, SystemExit) that native code dropped, oldest first.
_SWALLOWED_STOPS: list[BaseException] = []


def keep_swallowed_stops(unraisable: sys.UnraisableHookArgs) -> None:
    """A ``sys.unraisablehook`` that keeps a stop instead of printing and dropping it.

    An exception raised inside a callback from native code (nh3 calls our attribute
    filter for every attribute) never reaches the caller: Python hands it to this hook.
    A Ctrl+C or SIGTERM that lands there would be lost and the build would run on, so
    it is kept, and ``raise_swallowed_stop`` raises it again in ordinary code. (Raising
    the signal again from here does not work: Python would run the handler at once,
    still inside the hook, and drop its exception too.)
    """
    if isinstance(unraisable.exc_value, KeyboardInterrupt | SystemExit):
        _SWALLOWED_STOPS.append(unraisable.exc_value)
        return
    sys.__unraisablehook__(unraisable)


def raise_swallowed_stop() -> None:
    """Raise a stop that native code dropped meanwhile; call after such native code."""
    if _SWALLOWED_STOPS and threading.current_thread() is threading.main_thread():
        stop = _SWALLOWED_STOPS[0]
        _SWALLOWED_STOPS.clear()
        raise stop


@contextmanager
def stops_never_swallowed() -> Iterator[None]:
    """Keep the stops that native code drops, while a command runs."""
    previous = sys.unraisablehook
    sys.unraisablehook = keep_swallowed_stops
    try:
        yield
    finally:
        sys.unraisablehook = previous
        _SWALLOWED_STOPS.clear()


@contextmanager
def stop_signals_to(handler: StopHandler) -> Iterator[None]:
    """Route SIGINT and SIGTERM to ``handler`` (except one that was ignored on purpose),
    and put the previous handlers back afterwards. Only the main thread may do this."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    for signum, was in previous.items():
        if was is not signal.SIG_IGN:
            signal.signal(signum, handler)
    try:
        yield
    finally:
        for signum, was in previous.items():
            if was is not None:
                signal.signal(signum, was)


@contextmanager
def raising_after(
    timer: int, signum: int, seconds: float, error: type[BaseException]
) -> Iterator[None]:
    """Raise ``error`` inside the block once ``timer`` (an ``signal.ITIMER_*``, which
    delivers ``signum``) has run ``seconds``; only in the main thread, where signals are
    handled. The real-time timer bounds Markdown, the profiling one templates: they are
    independent, so one bound can run inside the other."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise error

    previous = signal.signal(signum, interrupt)
    signal.setitimer(timer, seconds)
    try:
        yield
    finally:
        signal.setitimer(timer, 0)
        signal.signal(signum, previous)
