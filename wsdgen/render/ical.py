"""Helper for rendering: iCalendar files of kenniscafés, made with the icalendar library.

Times are Europe/Amsterdam when begintijd (and eindtijd) are given, else the event is
all-day. UIDs are derived from the slug and the site's host, so a calendar app that
subscribed to the feed updates an event instead of adding it twice.

Text reaches this module as one line already (see validate.as_text), but every text
goes through ``ical_text`` once more: a line break or control character in a property
value is not valid iCalendar, whatever a future caller passes in.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar

from wsdgen.cache.partcache import slot_of
from wsdgen.load.config import SiteConfig
from wsdgen.load.yamlnodes import clean_text
from wsdgen.records import Kenniscafe, Werkplaats
from wsdgen.session import Events, current

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DEFAULT_DURATION = dt.timedelta(hours=2)
PRODID = "-//Werkplaatsen Sociaal Domein//wsdgen//NL"
WHITESPACE_RUN = re.compile(r"\s+")


def ical_text(text: str) -> str:
    """One line of text without control characters (RFC 5545 forbids them in TEXT)."""
    return WHITESPACE_RUN.sub(" ", clean_text(text)).strip()


def event_uid(cafe: Kenniscafe, config: SiteConfig) -> str:
    host = urlsplit(config.base_url).hostname or "wsdgen.local"
    return f"kenniscafe-{cafe.slug}@{host}"


def description(cafe: Kenniscafe, werkplaats: Werkplaats | None) -> str:
    parts = [cafe.summary or ""]
    if werkplaats:
        parts.append(f"Kenniscafé van {werkplaats.title}.")
    return " ".join(p for p in parts if p).strip()


def make_event(
    cafe: Kenniscafe, werkplaats: Werkplaats | None, config: SiteConfig, stamp: dt.datetime
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", event_uid(cafe, config))
    event.add("dtstamp", stamp)
    event.add("summary", ical_text(cafe.title))
    if cafe.begintijd:
        start = dt.datetime.combine(cafe.datum, cafe.begintijd, tzinfo=AMSTERDAM)
        end = (
            dt.datetime.combine(cafe.datum, cafe.eindtijd, tzinfo=AMSTERDAM)
            if cafe.eindtijd
            else start + DEFAULT_DURATION
        )
        event.add("dtstart", start)
        event.add("dtend", end)
    else:
        event.add("dtstart", cafe.datum)
        event.add("dtend", cafe.datum + dt.timedelta(days=1))
    if cafe.locatie:
        event.add("location", ical_text(cafe.locatie))
    event.add("url", config.absolute_url(cafe.path))
    text = ical_text(description(cafe, werkplaats))
    if text:
        event.add("description", text)
    return event


@functools.lru_cache(maxsize=1)
def amsterdam_timezone() -> bytes:
    """The VTIMEZONE block for Europe/Amsterdam, as icalendar writes it."""
    calendar = icalendar.Calendar()
    event = icalendar.Event()
    event.add("dtstart", dt.datetime(2020, 1, 1, 12, tzinfo=AMSTERDAM))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return b"".join(c.to_ical() for c in calendar.walk("VTIMEZONE"))


# The session keeps, per base URL and stamp, VEVENTs by the ids of their (kenniscafé,
# werkplaats) records, and runs of them by the ids of their kenniscafés and of the
# werkplaatsen dict, each with the records (immutable, and the site's dict of
# werkplaatsen is never changed once linked), kept so that no other objects get those
# ids meanwhile. `serve` writes the agenda of every kenniscafé after every edit of one.
RUN = 128


def made_events(config: SiteConfig, stamp: dt.datetime) -> Events:
    events = current().events
    made = events.get((config.base_url, stamp))
    if made is None or len(made) > 100_000:
        events.clear()
        made = events[(config.base_url, stamp)] = {}
    return made


def events_of(
    cafes: list[Kenniscafe],
    werkplaatsen: dict[str, Werkplaats],
    config: SiteConfig,
    stamp: dt.datetime,
) -> tuple[bytes, bool]:
    """The VEVENTs of these kenniscafés, and whether any has a time (then the time zone
    block is needed), made in runs: after an edit only the run with it is made again."""
    made = made_events(config, stamp)
    parts: list[bytes] = []
    timed = False
    for start in range(0, len(cafes), RUN):
        run = cafes[start : start + RUN]
        key = (-1, id(werkplaatsen), *map(id, run))  # -1: no id; a run, not one event
        found = made.get(key)
        if found is None:
            events = []
            for cafe in run:
                werkplaats = werkplaatsen.get(cafe.werkplaats)
                one = made.get((id(cafe), id(werkplaats)))
                if one is None:
                    data = event_bytes(cafe, werkplaats, config, stamp)
                    one = made[(id(cafe), id(werkplaats))] = ((cafe, werkplaats), data, False)
                events.append(one[1])
            has_time = any(cafe.begintijd for cafe in run)
            found = made[key] = ((werkplaatsen, run), b"".join(events), has_time)
        parts.append(found[1])
        timed = timed or found[2]
    return b"".join(parts), timed


def event_bytes(
    cafe: Kenniscafe, werkplaats: Werkplaats | None, config: SiteConfig, stamp: dt.datetime
) -> bytes:
    """One VEVENT as icalendar writes it; in a --cache build kept for the next one
    (cache/partcache.py), under the kenniscafé with its werkplaats."""
    parts = current().parts
    if parts is None:
        return make_event(cafe, werkplaats, config, stamp).to_ical()
    shown = [cafe.key] if werkplaats is None else [cafe.key, werkplaats.key]
    slot = slot_of("vevent", *cafe.key)
    made_from = parts.made_from("vevent", config.base_url, stamp.isoformat(), shown=shown)
    kept = parts.events.get(slot, made_from)
    if isinstance(kept, str):
        return kept.encode("utf-8")
    data = make_event(cafe, werkplaats, config, stamp).to_ical()
    parts.events.put(slot, made_from, data.decode("utf-8"), shown)
    return data


def calendar_bytes(
    cafes: Iterable[Kenniscafe],
    werkplaatsen: dict[str, Werkplaats],
    config: SiteConfig,
    today: dt.date,
    name: str,
) -> bytes:
    """An iCalendar file with one VEVENT per kenniscafé (DTSTAMP: the build date).

    The calendar's own lines come from icalendar; the events (each made and written by
    icalendar, and cached) and the time zone block go in before its END line.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", ical_text(name))
    calendar.add("x-wr-timezone", "Europe/Amsterdam")
    stamp = dt.datetime.combine(today, dt.time(0), tzinfo=dt.UTC)
    ordered = sorted(cafes, key=operator.attrgetter("datum", "slug"))
    events, timed = events_of(ordered, werkplaatsen, config, stamp)
    timezone = amsterdam_timezone() if timed else b""
    head = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert head.endswith(end)
    return head[: -len(end)] + timezone + events + end
