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


def month_year(value: dt.date) -> str:
    """'april 2017'."""
    return format_date(value, format="MMMM y", locale=LOCALE)


def short_time(value: dt.time) -> str:
    """'15:30'."""
    return value.strftime("%H:%M")


def parse_today(text: str | None) -> dt.date:
    """The build date: --today if given (YYYY-MM-DD), else the real date."""
    return dt.date.fromisoformat(text) if text else dt.date.today()
