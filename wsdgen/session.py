"""What one run of wsdgen remembers between the calls of its stages.

The planners, the calendar writer, the body renderer and the asset checker are
functions of their inputs, but some of their work is worth keeping for the next call:
what an entry's card shows, the counts of a long list, the VEVENT of a kenniscafé,
a body rendered ahead by the media stage, the bodies whose Markdown took too long,
the verdict on a file version. That memory lives here, in one object, not in the
modules:

- ``wsdgen build`` (``pipeline.build``) and ``check`` make one Session for their run,
  and it is gone when the run ends;
- ``serve`` keeps one for as long as it runs: its ``Rebuilder`` owns it with the rest
  of serve's state, so an edit reuses what the last rebuild worked out.

A stage reads the active session with ``current()``. Outside any (a test calling a
planner directly) it gets a fresh one per call: nothing is remembered, the results are
the same. Keys that are ``id()`` of records are safe because the session also keeps
the records themselves (no other object can get such an id meanwhile).

Forked workers inherit the session of the thread that forked them; what they add to
it stays in the worker.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wsdgen.cache.partcache import KeptParts
    from wsdgen.plan.pageplan import EntryKey, ListDeps
    from wsdgen.records import Entry

# VEVENTs by the ids of their (kenniscafé, werkplaats) records, and runs of them.
EventKey = tuple[int, ...]
Events = dict[EventKey, tuple[object, bytes, bool]]


@dataclass
class Session:
    # plan/pageplan: per record id, what its card shows, and the record itself.
    card_deps: dict[int, frozenset[EntryKey]] = field(default_factory=dict)
    pinned: dict[int, Entry] = field(default_factory=dict)
    # plan/pageplan: the last long lists' counts (an edit changes a list by an entry or two).
    list_deps: dict[tuple[int, ...], ListDeps] = field(default_factory=dict)
    # render/ical: per (base URL, stamp), the events made.
    events: dict[tuple[str, dt.datetime], Events] = field(default_factory=dict)
    # body/markup: bodies the media stage rendered ahead of the render stage, by body key.
    ahead: dict[str, str | None] = field(default_factory=dict)
    # render/renderer: body keys whose Markdown took too long (not tried again).
    too_slow: set[str] = field(default_factory=set)
    # media/assets: verdicts per file version (path, inode, size, times).
    verdicts: dict[tuple[object, ...], tuple[int, str] | None] = field(default_factory=dict)
    # A build with --cache: the cards and calendar events kept between builds
    # (cache/partcache.py, read by render/renderer and render/ical).
    parts: KeptParts | None = None


_ACTIVE: contextvars.ContextVar[Session | None] = contextvars.ContextVar(
    "wsdgen_session", default=None
)


def current() -> Session:
    """The session of this run; a fresh, forgotten one outside any run."""
    return _ACTIVE.get() or Session()


@contextmanager
def active(session: Session) -> Iterator[Session]:
    """Make ``session`` the one the stages use, in this thread, until the block ends."""
    token = _ACTIVE.set(session)
    try:
        yield session
    finally:
        _ACTIVE.reset(token)


@contextmanager
def kept() -> Iterator[Session]:
    """The active session, or a new one for this block when there is none."""
    found = _ACTIVE.get()
    if found is not None:
        yield found
        return
    with active(Session()) as session:
        yield session
