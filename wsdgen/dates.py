"""Helper: dates and times the Dutch way ('14 april 2017'), via babel.

Babel takes about ten microseconds a date; lists show the same dates on many
pages, so results are remembered.
"""

from __future__ import annotations

import datetime as dt
import functools

from babel.dates import format_date

LOCALE = "nl_NL"


@functools.lru_cache(maxsize=8192)
def long_date(value: dt.date) -> str:
    """'14 april 2017'."""
    return format_date(value, format="d MMMM y", locale=LOCALE)


@functools.lru_cache(maxsize=8192)
def weekday_date(value: dt.date) -> str:
    """'vrijdag 14 april 2017'."""
    return format_date(value, format="EEEE d MMMM y", locale=LOCALE)


def short_time(value: dt.time) -> str:
    """'15:30'."""
    return value.strftime("%H:%M")
