"""The knowledge overview (/kennisoverzicht/): where knowledge flows and where it stalls.

Pure functions of the site graph (drafts are never in it):

- a werkplaats *works on* a theme when its own ``themas`` list it or one of its
  kenniscafés, publications or news items carries it; a theme's regions are the union
  of the ``regios`` of those werkplaatsen (``theme_reach``);
- a werkplaats is *quiet* when none of its kenniscafés, publications or news items is
  dated in the twelve months up to the build date (``window_start`` to ``today``, both
  included). A publication without ``datum`` counts as dated 1 January of its ``jaar``
  (the order the site sorts by); items after the build date (announced kenniscafés)
  are not in the window;
- activity per year counts every kenniscafé (announced ones too), publication (by its
  year) and news item of a werkplaats.

The page, the JSON/CSV copies and ``wsdgen overzicht`` all read one ``Overview``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from wsdgen.check.graph import Dated, Site, entry_date
from wsdgen.dates import long_date
from wsdgen.records import Kenniscafe, Publicatie, Regio, Thema, Werkplaats

# Geometry of one heat strip (a row of years, the count in each cell), in SVG units.
CELL = 34
CELL_GAP = 2
CELL_HEIGHT = 30
STRIP_LABEL = 18  # room for the year labels under the cells


@dataclass(frozen=True, slots=True)
class YearCount:
    """What one werkplaats (or the whole site) did in one year."""

    year: int
    kenniscafes: int = 0
    publicaties: int = 0
    nieuws: int = 0

    @property
    def total(self) -> int:
        return self.kenniscafes + self.publicaties + self.nieuws


@dataclass(frozen=True, slots=True)
class HeatCell:
    year: int
    count: int
    level: int  # 0 (nothing) to 3 (the most): the shade; the number says the same
    x: int
    label: str  # the year as shown under the cell ('2017')


@dataclass(frozen=True, slots=True)
class HeatStrip:
    """Activity per year as one row of cells, drawn as an SVG heat strip."""

    cells: tuple[HeatCell, ...]
    width: int
    height: int
    cell: int = CELL
    cell_height: int = CELL_HEIGHT


@dataclass(frozen=True, slots=True)
class Activity:
    """One werkplaats: its items per year and its last dated item."""

    werkplaats: Werkplaats
    years: tuple[YearCount, ...]  # every year of the overview, also the empty ones
    last: dt.date | None  # newest item dated on or before the build date
    last_label: str  # '14 april 2017', '2019' (a publication without datum) or ''
    quiet: bool
    strip: HeatStrip | None

    @property
    def total(self) -> int:
        return sum(y.total for y in self.years)

    @property
    def active_years(self) -> tuple[YearCount, ...]:
        return tuple(y for y in self.years if y.total)

    @property
    def own_rows(self) -> tuple[tuple[Werkplaats, YearCount], ...]:
        """Rows of the werkplaats page's table: every year, also the empty ones."""
        return tuple((self.werkplaats, y) for y in self.years)


@dataclass(frozen=True, slots=True)
class ThemeReach:
    """The werkplaatsen that work on a theme, and their regions."""

    thema: Thema
    werkplaatsen: tuple[Werkplaats, ...]
    regios: tuple[Regio, ...]


@dataclass(frozen=True, slots=True)
class Overview:
    today: dt.date
    window_start: dt.date
    years: tuple[int, ...]
    reach: tuple[ThemeReach, ...]  # every theme, by title
    one_region: tuple[ThemeReach, ...]  # the themes whose werkplaatsen lie in one region
    activity: tuple[Activity, ...]  # every werkplaats, by title
    quiet: tuple[Activity, ...]
    totals: tuple[YearCount, ...]  # the whole site per year (of werkplaatsen' items)
    other_regios: int  # the regions with werkplaatsen, for "nodigt ... uit"

    @property
    def rows(self) -> tuple[tuple[Werkplaats, YearCount], ...]:
        """The table's rows: each werkplaats's years with activity."""
        return tuple((a.werkplaats, y) for a in self.activity for y in a.active_years)

    @property
    def total(self) -> YearCount:
        return YearCount(
            0,
            sum(t.kenniscafes for t in self.totals),
            sum(t.publicaties for t in self.totals),
            sum(t.nieuws for t in self.totals),
        )


def year_before(day: dt.date) -> dt.date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def window_start(today: dt.date) -> dt.date:
    """The first day of the twelve months up to and including ``today``."""
    return year_before(today) + dt.timedelta(days=1)


def item_year(entry: Dated) -> int:
    return entry.jaar if isinstance(entry, Publicatie) else entry.datum.year


def date_label(entry: Dated) -> str:
    if isinstance(entry, Publicatie) and entry.datum is None:
        return str(entry.jaar)
    return long_date(entry_date(entry))


def items_of(site: Site, slug: str) -> list[Dated]:
    related = site.by_werkplaats[slug]
    return [*related.agenda.all, *related.publicaties, *related.nieuws]


def reach_of(site: Site, thema: Thema) -> ThemeReach:
    """The werkplaatsen that work on one theme (by title) and their regions."""
    related = site.by_thema[thema.slug]
    slugs = {w.slug for w in related.werkplaatsen}
    items: list[Dated] = [*related.agenda.all, *related.publicaties, *related.nieuws]
    for entry in items:
        owner = entry.werkplaats
        if owner and owner in site.werkplaatsen:
            slugs.add(owner)
    werkplaatsen = sorted((site.werkplaatsen[s] for s in slugs), key=lambda w: w.title)
    regio_slugs = {r for w in werkplaatsen for r in w.regios if r in site.regios}
    regios = sorted((site.regios[r] for r in regio_slugs), key=lambda r: r.title)
    return ThemeReach(thema, tuple(werkplaatsen), tuple(regios))


def theme_reach(site: Site) -> dict[str, ThemeReach]:
    """Per theme (by slug), the werkplaatsen that work on it and their regions."""
    return {slug: reach_of(site, thema) for slug, thema in site.themas.items()}


def year_counts(items: Iterable[Dated], years: Iterable[int]) -> tuple[YearCount, ...]:
    counts: dict[int, list[int]] = {year: [0, 0, 0] for year in years}
    for entry in items:
        index = 0 if isinstance(entry, Kenniscafe) else 1 if isinstance(entry, Publicatie) else 2
        counts.setdefault(item_year(entry), [0, 0, 0])[index] += 1
    return tuple(YearCount(year, *values) for year, values in sorted(counts.items()))


def heat_level(count: int, top: int) -> int:
    if count == 0:
        return 0
    if top <= 3:
        return min(count, 3)
    return 1 + min(2, (count - 1) * 3 // top)


def heat_strip(years: tuple[YearCount, ...], top: int) -> HeatStrip | None:
    if not years:
        return None
    cells = tuple(
        HeatCell(y.year, y.total, heat_level(y.total, top), i * (CELL + CELL_GAP), str(y.year))
        for i, y in enumerate(years)
    )
    width = len(cells) * (CELL + CELL_GAP) - CELL_GAP
    return HeatStrip(cells, width, CELL_HEIGHT + STRIP_LABEL)


def activity_of(
    site: Site, werkplaats: Werkplaats, years: tuple[int, ...], top: int | None = None
) -> Activity:
    """One werkplaats's activity; ``top`` is the count that gets the darkest shade (the
    highest of the whole site on the overview, its own highest on its page)."""
    items = items_of(site, werkplaats.slug)
    counts = year_counts(items, years)
    past = [e for e in items if entry_date(e) <= site.today]
    last = max(past, key=entry_date, default=None)
    start = window_start(site.today)
    quiet = not any(start <= entry_date(e) for e in past)
    highest = top if top is not None else max((y.total for y in counts), default=0)
    return Activity(
        werkplaats=werkplaats,
        years=counts,
        last=entry_date(last) if last else None,
        last_label=date_label(last) if last else "",
        quiet=quiet,
        strip=heat_strip(counts, highest) if counts else None,
    )


def own_years(site: Site, werkplaats: Werkplaats) -> tuple[int, ...]:
    """The years from a werkplaats's first item to its last (empty years included)."""
    found = [item_year(e) for e in items_of(site, werkplaats.slug)]
    return tuple(range(min(found), max(found) + 1)) if found else ()


def site_years(site: Site) -> tuple[int, ...]:
    found = [
        item_year(e)
        for slug in site.werkplaatsen
        for e in items_of(site, slug)  # items without a werkplaats are nobody's activity
    ]
    return tuple(range(min(found), max(found) + 1)) if found else ()


def overview(site: Site) -> Overview:
    """The overview of this graph: the page and its two data files show the same one."""
    kept = site.views.get("overview")
    if not isinstance(kept, Overview):
        kept = site.views["overview"] = make_overview(site)
    return kept


def overview_inputs(entry: Dated) -> tuple[object, ...]:
    """All the overview reads of a kenniscafé, publication or news item: no title, no text."""
    themas = tuple(getattr(entry, "themas", ()))
    return type(entry), entry_date(entry), item_year(entry), entry.werkplaats, themas


def keep_overview(before: Site, after: Site, edits: Iterable[tuple[Dated, Dated]]) -> None:
    """After edits in place (serve's quick path) that leave every entry's overview_inputs
    as they were, the new graph has the overview of the old one (and its JSON and CSV
    text): a title edit does not count the whole site again."""
    if all(overview_inputs(a) == overview_inputs(b) for a, b in edits):
        after.views.update(
            (name, view) for name, view in before.views.items() if name.startswith("overview")
        )


def make_overview(site: Site) -> Overview:
    years = site_years(site)
    werkplaatsen = sorted(site.werkplaatsen.values(), key=lambda w: w.title)
    raw = [year_counts(items_of(site, w.slug), years) for w in werkplaatsen]
    top = max((y.total for counts in raw for y in counts), default=0)
    activity = tuple(activity_of(site, w, years, top) for w in werkplaatsen)
    reach = tuple(sorted(theme_reach(site).values(), key=lambda r: r.thema.title.lower()))
    totals = tuple(
        YearCount(
            year,
            sum(a.years[i].kenniscafes for a in activity),
            sum(a.years[i].publicaties for a in activity),
            sum(a.years[i].nieuws for a in activity),
        )
        for i, year in enumerate(years)
    )
    regios_in_use = {r for w in werkplaatsen for r in w.regios if r in site.regios}
    return Overview(
        today=site.today,
        window_start=window_start(site.today),
        years=years,
        reach=reach,
        one_region=tuple(r for r in reach if len(r.regios) == 1),
        activity=activity,
        quiet=tuple(a for a in activity if a.quiet),
        totals=totals,
        other_regios=max(0, len(regios_in_use) - 1),
    )


def werkplaats_activity(site: Site, werkplaats: Werkplaats) -> Activity:
    """The activity a werkplaats page shows: its own years, its own darkest shade."""
    return activity_of(site, werkplaats, own_years(site, werkplaats))


# --- Machine-readable copies and the terminal. ---


def as_data(view: Overview, base_url: str = "") -> dict[str, object]:
    """The figures of the overview as JSON-ready data (docs/content-model.md)."""

    def link(path: str) -> str:
        return base_url.rstrip("/") + path if base_url else path

    return {
        "datum": view.today.isoformat(),
        "stil_sinds": view.window_start.isoformat(),
        "jaren": list(view.years),
        "themas": [
            {
                "slug": r.thema.slug,
                "titel": r.thema.title,
                "url": link(r.thema.path),
                "werkplaatsen": [w.slug for w in r.werkplaatsen],
                "regios": [g.slug for g in r.regios],
                "een_regio": len(r.regios) == 1,
            }
            for r in view.reach
        ],
        "werkplaatsen": [
            {
                "slug": a.werkplaats.slug,
                "titel": a.werkplaats.title,
                "url": link(a.werkplaats.path),
                "regios": list(a.werkplaats.regios),
                "laatste_activiteit": a.last.isoformat() if a.last else None,
                "stil": a.quiet,
                "per_jaar": [
                    {
                        "jaar": y.year,
                        "kenniscafes": y.kenniscafes,
                        "publicaties": y.publicaties,
                        "nieuws": y.nieuws,
                        "totaal": y.total,
                    }
                    for y in a.years
                ],
            }
            for a in view.activity
        ],
        "themas_een_regio": [r.thema.slug for r in view.one_region],
        "stille_werkplaatsen": [a.werkplaats.slug for a in view.quiet],
    }


def as_json(view: Overview, base_url: str = "") -> str:
    return json.dumps(as_data(view, base_url), ensure_ascii=False, indent=2) + "\n"


CSV_HEADER = ("werkplaats", "jaar", "kenniscafes", "publicaties", "nieuws", "totaal")


def as_csv(view: Overview) -> str:
    """Activity per werkplaats per year, one row each (also the empty years)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for a in view.activity:
        for y in a.years:
            row = (a.werkplaats.slug, y.year, y.kenniscafes, y.publicaties, y.nieuws, y.total)
            writer.writerow(row)
    return out.getvalue()


def as_text(view: Overview) -> str:
    """The overview for the terminal, in Dutch."""
    lines = [f"Kennisoverzicht op {long_date(view.today)}", ""]
    lines.append(f"Thema's in één regio ({len(view.one_region)}):")
    for r in view.one_region:
        names = ", ".join(w.title for w in r.werkplaatsen)
        lines.append(f"  {r.thema.title}: alleen in {r.regios[0].title} ({names})")
    if not view.one_region:
        lines.append("  geen")
    lines += ["", f"Stille werkplaatsen sinds {long_date(view.window_start)} ({len(view.quiet)}):"]
    for a in view.quiet:
        last = f"laatste activiteit {a.last_label}" if a.last else "nog niets gepubliceerd"
        lines.append(f"  {a.werkplaats.title}: {last}")
    if not view.quiet:
        lines.append("  geen")
    lines += ["", "Activiteit per jaar (kenniscafés/publicaties/nieuws):"]
    for a in view.activity:
        parts = [
            f"{y.year}: {y.kenniscafes}/{y.publicaties}/{y.nieuws}" for y in a.years if y.total
        ]
        lines.append(f"  {a.werkplaats.title}: {', '.join(parts) if parts else 'niets'}")
    total = view.total
    lines.append(
        f"  Totaal: {total.kenniscafes} kenniscafés, {total.publicaties} publicaties, "
        f"{total.nieuws} nieuwsberichten"
    )
    return "\n".join(lines) + "\n"
