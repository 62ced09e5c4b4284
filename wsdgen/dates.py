"""Helper: dates and times the Dutch way ('14 april 2017'), via babel."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

LOCALE = "nl_NL"


def long_date(value: dt.date) -> str:
    """'14 april 2017'."""
    return format_date(value, format="d MMMM y", locale=LOCALE)


def weekday_date(value: dt.date) -> str:
    """'vrijdag 14 april 2017'."""
    return format_date(value, format="EEEE d MMMM y", locale=LOCALE)


def short_time(value: dt.time) -> str:
    """'15:30'."""
    return value.strftime("%H:%M")
