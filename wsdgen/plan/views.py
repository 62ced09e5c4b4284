"""Finished views for templates: lists grouped by year, related lists, sections for
"Op deze pagina", neighbours and the year chart. Pure functions of the site graph.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from wsdgen.check.graph import Dated, Related, Site, entry_date, newest_key, newest_order
from wsdgen.dates import long_date, short_time
from wsdgen.records import Entry, Kenniscafe, Nieuws, Pagina, Publicatie, Thema, Werkplaats
from wsdgen.schema import field_spec

RELATED_LIMIT = 5


NEIGHBOURS_LIMIT = 5


CHART_HEIGHT = 120


CHART_BAR_WIDTH = 36


CHART_GAP = 16


def archive_by_year(cafes: Iterable[Kenniscafe]) -> list[tuple[int, list[Kenniscafe]]]:
    """Past kenniscafés (newest first) grouped by year."""
    return [
        (year, list(group)) for year, group in itertools.groupby(cafes, key=lambda c: c.datum.year)
    ]


# A list longer than this is shown grouped by year, the newest year open.
GROUP_FROM = 6


@dataclass(frozen=True, slots=True)
class Section:
    """One entry of a long page's "Op deze pagina" list: where it is and how much it holds."""

    anchor: str
    title: str
    count: int | None = None


@dataclass(frozen=True, slots=True)
class YearGroup:
    year: int
    items: tuple[Entry, ...]


def year_groups(entries: Iterable[Entry]) -> tuple[YearGroup, ...]:
    """Entries (newest first) in groups per year, for long lists; () for short ones."""
    items = list(entries)
    if len(items) < GROUP_FROM:
        return ()
    return tuple(
        YearGroup(year, tuple(group))
        for year, group in itertools.groupby(items, key=lambda e: entry_date(e).year)
    )


def related_view(related: Related, show_werkplaatsen: bool) -> dict[str, object]:
    """What a werkplaats, theme or region page shows of its related entries: the lists,
    their year groups, and the sections for "Op deze pagina"."""
    sections = []
    if show_werkplaatsen:
        sections.append(Section("werkplaatsen-kop", "Werkplaatsen", len(related.werkplaatsen)))
    sections.append(Section("komend-kop", "Komende kenniscafés", len(related.agenda.upcoming)))
    if related.agenda.past:
        sections.append(Section("geweest-kop", "Eerdere kenniscafés", len(related.agenda.past)))
    if related.publicaties:
        sections.append(Section("publicaties-kop", "Publicaties", len(related.publicaties)))
    if related.nieuws:
        sections.append(Section("nieuws-kop", "Nieuws", len(related.nieuws)))
    return {
        "related": related,
        "show_werkplaatsen": show_werkplaatsen,
        "sections": sections,
        "past_by_year": year_groups(related.agenda.past),
        "publicaties_by_year": year_groups(related.publicaties),
        "nieuws_by_year": year_groups(related.nieuws),
    }


def news_key(item: Nieuws) -> tuple[dt.date, str]:
    return (item.datum, item.title)


def news_in_order(site: Site) -> list[Nieuws]:
    """News, newest first (by date, then title)."""
    return sorted(site.nieuws.values(), key=news_key, reverse=True)


def newest_publicaties(site: Site) -> list[Publicatie]:
    return sorted(site.publicaties.values(), key=newest_key, reverse=True)


def active_first(themas: Iterable[Thema]) -> list[Thema]:
    return sorted(themas, key=lambda t: (t.status != "actief", t.title.lower()))


def elsewhere(
    entry: Entry, newest: dict[str, tuple[Dated, ...]], limit: int = RELATED_LIMIT
) -> list[Entry]:
    """ "Ook over dit thema": entries of *other* werkplaatsen on a shared theme, newest
    first (``newest``: Site.newest_by_thema).

    The first ``limit`` that qualify in each theme's list (newest first) are enough:
    the overall first ``limit`` are among them.
    """
    own = getattr(entry, "werkplaats", None)
    candidates: dict[int, Entry] = {}
    for slug in getattr(entry, "themas", ()):
        taken = 0
        for other in newest.get(slug, ()):
            if other is entry or getattr(other, "werkplaats", None) == own:
                continue
            candidates[id(other)] = other
            taken += 1
            if taken == limit:
                break
    return sorted(candidates.values(), key=newest_order, reverse=True)[:limit]


@dataclass(frozen=True, slots=True)
class Neighbour:
    werkplaats: Werkplaats
    shared: tuple[Thema, ...]


def shared_theme_neighbours(site: Site, werkplaats: Werkplaats) -> list[Neighbour]:
    """The werkplaatsen that share most of this one's themes (most shared first)."""
    mine = set(werkplaats.themas)
    neighbours = []
    for other in site.werkplaatsen.values():
        shared = [site.themas[t] for t in other.themas if t in mine and t in site.themas]
        if other.slug != werkplaats.slug and shared:
            neighbours.append(Neighbour(other, tuple(sorted(shared, key=lambda t: t.title))))
    neighbours.sort(key=lambda n: (-len(n.shared), n.werkplaats.title))
    return neighbours[:NEIGHBOURS_LIMIT]


@dataclass(frozen=True, slots=True)
class YearBar:
    year: int
    count: int
    visitors: int | None
    x: int
    height: int
    y: int


@dataclass(frozen=True, slots=True)
class YearChart:
    bars: tuple[YearBar, ...]
    width: int
    height: int
    bar_width: int


def year_chart(cafes: Iterable[Kenniscafe]) -> YearChart | None:
    """Kenniscafés and visitors per year, with the geometry of an SVG bar chart."""
    per_year: dict[int, list[Kenniscafe]] = {}
    for cafe in cafes:
        per_year.setdefault(cafe.datum.year, []).append(cafe)
    if not per_year:
        return None
    years = range(min(per_year), max(per_year) + 1)
    top = max(len(v) for v in per_year.values())
    bars = []
    for index, year in enumerate(years):
        group = per_year.get(year, [])
        counted = [c.bezoekers for c in group if c.bezoekers is not None]
        height = round(CHART_HEIGHT * len(group) / top)
        bars.append(
            YearBar(
                year=year,
                count=len(group),
                visitors=sum(counted) if counted else None,
                x=CHART_GAP + index * (CHART_BAR_WIDTH + CHART_GAP),
                height=height,
                y=20 + CHART_HEIGHT - height,
            )
        )
    width = CHART_GAP + len(bars) * (CHART_BAR_WIDTH + CHART_GAP)
    return YearChart(tuple(bars), width, CHART_HEIGHT + 44, CHART_BAR_WIDTH)


def menu_pages(paginas: Iterable[Pagina]) -> list[Pagina]:
    """Free pages with a 'menu' position, in that order."""
    return sorted((p for p in paginas if p.menu is not None), key=lambda p: (p.menu, p.title))


@dataclass(frozen=True, slots=True)
class Detail:
    """One field of the table that no template names: its label and its value as text."""

    label: str
    value: str


def entry_details(entry: Entry) -> tuple[Detail, ...]:
    """The fields of schema.FIELDS that the entry's record does not declare (added to
    the table alone), so that such a field shows on the page without a template
    change. Fields of config.yaml's extra_fields are kept but not shown."""
    found = []
    for name, value in entry.extra:
        spec = field_spec(entry.collection, name)
        if spec is not None:
            found.append(Detail(spec.label, detail_text(value)))
    return tuple(found)


def detail_text(value: object) -> str:
    """A checked field value as a reader reads it."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.date):
        return long_date(value)
    if isinstance(value, dt.time):
        return short_time(value)
    if isinstance(value, tuple):
        return ", ".join(detail_text(item) for item in value)
    return str(value)
