"""Stage 3: link the records into a Site: check references, drop drafts, build indexes.

The graph is the one place that knows who references whom: which werkplaatsen work on
a theme and which kenniscafés belong to a region (through their werkplaats). Which
paths the pages and aliases take is the page plan's business (pages.py, paths.py).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import diagnostics as diag
from .config import SiteConfig
from .diagnostics import Diagnostic
from .records import (
    Entry,
    Kenniscafe,
    Nieuws,
    Pagina,
    Publicatie,
    Regio,
    Rejected,
    Thema,
    Werkplaats,
)
from .schema import COLLECTION_LABELS, COLLECTIONS, FIELDS, slugify

Dated = Kenniscafe | Publicatie | Nieuws


def entry_date(entry: Entry) -> dt.date:
    """The date an entry is sorted by: its datum, or 1 January of a publication's year."""
    datum = getattr(entry, "datum", None)
    if isinstance(datum, dt.date):
        return datum
    return dt.date(getattr(entry, "jaar", 1900), 1, 1)


def newest_key(entry: Entry) -> tuple[dt.date, str, str]:
    return (entry_date(entry), entry.title, entry.slug)


def _newest_first(entries: Iterable[Dated]) -> tuple[Dated, ...]:
    return tuple(sorted(entries, key=newest_key, reverse=True))


@dataclass(frozen=True, slots=True)
class Agenda:
    """Kenniscafés split by the build date: upcoming soonest first, past newest first."""

    upcoming: tuple[Kenniscafe, ...] = ()
    past: tuple[Kenniscafe, ...] = ()

    @classmethod
    def of(cls, cafes: Iterable[Kenniscafe], today: dt.date) -> Agenda:
        cafes = sorted(cafes, key=lambda c: (c.datum, c.begintijd or dt.time(0), c.title))
        return cls(
            upcoming=tuple(c for c in cafes if c.datum >= today),
            past=tuple(reversed([c for c in cafes if c.datum < today])),
        )

    @property
    def all(self) -> tuple[Kenniscafe, ...]:
        return self.upcoming + self.past


@dataclass(frozen=True, slots=True)
class Related:
    """Everything the site holds about one werkplaats, theme or region."""

    werkplaatsen: tuple[Werkplaats, ...] = ()
    agenda: Agenda = field(default_factory=Agenda)
    publicaties: tuple[Publicatie, ...] = ()
    nieuws: tuple[Nieuws, ...] = ()

    @property
    def entries(self) -> tuple[Entry, ...]:
        return (*self.werkplaatsen, *self.agenda.all, *self.publicaties, *self.nieuws)


@dataclass(frozen=True, slots=True)
class Site:
    config: SiteConfig
    today: dt.date
    werkplaatsen: dict[str, Werkplaats]
    themas: dict[str, Thema]
    regios: dict[str, Regio]
    kenniscafes: dict[str, Kenniscafe]
    publicaties: dict[str, Publicatie]
    nieuws: dict[str, Nieuws]
    paginas: dict[str, Pagina]
    by_werkplaats: dict[str, Related]
    by_thema: dict[str, Related]
    by_regio: dict[str, Related]
    agenda: Agenda

    def collection(self, name: str) -> dict[str, Entry]:
        return getattr(self, name)  # type: ignore[no-any-return]

    def entries(self) -> Iterable[Entry]:
        for name in COLLECTIONS:
            yield from self.collection(name).values()

    def regios_of(self, entry: Entry) -> tuple[str, ...]:
        """An entry's regions: its own for a werkplaats, else those of its werkplaats."""
        if isinstance(entry, Werkplaats):
            return entry.regios
        slug = getattr(entry, "werkplaats", None)
        return self.werkplaatsen[slug].regios if slug in self.werkplaatsen else ()


def link_site(
    records: Sequence[Entry],
    config: SiteConfig,
    today: dt.date,
    include_drafts: bool = False,
    rejected: Sequence[Rejected] = (),
) -> tuple[Site, list[Diagnostic]]:
    """Join the records into a Site and report broken references, collisions and gaps.

    Entries that failed validation (``rejected``) still count as existing, so their
    own error is not echoed by every entry that points at them.
    """
    every: dict[str, dict[str, Entry]] = {name: {} for name in COLLECTIONS}
    for record in records:
        every[record.collection][record.slug] = record
    problems = check_references(records, rejected, every, include_drafts)
    shown = {
        name: {
            slug: record
            for slug, record in sorted(items.items())
            if include_drafts or not record.draft
        }
        for name, items in every.items()
    }
    problems += content_warnings(shown, today)
    by_werkplaats, by_thema, by_regio = build_indexes(shown, today)
    site = Site(
        config=config,
        today=today,
        **shown,  # type: ignore[arg-type]
        by_werkplaats=by_werkplaats,
        by_thema=by_thema,
        by_regio=by_regio,
        agenda=Agenda.of(shown["kenniscafes"].values(), today),  # type: ignore[arg-type]
    )
    return site, problems


REF_SPECS = {
    collection: tuple((spec.name, spec.ref) for spec in specs if spec.ref is not None)
    for collection, specs in FIELDS.items()
}


def references_of(record: Entry) -> Iterable[tuple[str, str, str, int]]:
    """Every reference in a record: (field, target collection, slug, index in the list)."""
    for name, target in REF_SPECS[record.collection]:
        value = getattr(record, name)
        slugs = value if isinstance(value, tuple) else (value,) if value else ()
        for index, slug in enumerate(slugs):
            yield name, target, slug, index


def reference_hint(slug: str, choices: list[str]) -> str:
    """Suggest the nearest existing name, or list the names when there are few."""
    if slug in ("VUL-IN", ""):
        close = []
    else:
        close = difflib.get_close_matches(slugify(slug), choices, n=1, cutoff=0.6)
    if close:
        return f"; bedoel je '{close[0]}'?"
    if 0 < len(choices) <= 12:
        return f"; kies uit: {', '.join(sorted(choices))}"
    return ""


def check_references(
    records: Sequence[Entry],
    rejected: Sequence[Rejected],
    every: dict[str, dict[str, Entry]],
    include_drafts: bool,
) -> list[Diagnostic]:
    """Every reference must name an existing entry that is not a draft (unless --drafts).

    Entries that failed validation still count as existing: their own error says enough.
    """
    failed = {(r.collection, r.slug) for r in rejected}

    def problem(name: str, target: str, slug: str, is_draft: bool) -> str | None:
        found = every[target].get(slug)
        label = COLLECTION_LABELS[target]
        if found is None and (target, slug) not in failed:
            hint = reference_hint(slug, list(every[target]))
            return (
                f"{name}: er is geen {label} '{slug}' (geen bestand "
                f"content/{target}/{slug}.md){hint}"
            )
        if found is not None and found.draft and not is_draft and not include_drafts:
            return (
                f"{name}: {label} '{slug}' is nog een concept (draft: true); "
                "publiceer die eerst of haal de verwijzing weg"
            )
        return None

    problems: list[Diagnostic] = []
    for record in records:
        for name, target, slug, index in references_of(record):
            message = problem(name, target, slug, record.draft)
            if message:
                line = record.source.line_of_item(name, index)
                problems.append(diag.error(record.source.path, line, message, name))
    for item in rejected:
        for ref in item.references:
            message = problem(ref.field, ref.target, ref.slug, item.draft)
            if message:
                problems.append(diag.error(item.path, ref.line, message, ref.field))
    return problems


def content_warnings(shown: dict[str, dict[str, Entry]], today: dt.date) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    for cafe in shown["kenniscafes"].values():
        assert isinstance(cafe, Kenniscafe)
        if cafe.datum < today and not cafe.body.strip():
            problems.append(
                diag.warning(
                    cafe.source.path,
                    cafe.source.line_of("datum"),
                    "dit kenniscafé is voorbij maar heeft nog geen verslag; "
                    "schrijf het verslag onder de kopregels",
                )
            )
    for werkplaats in shown["werkplaatsen"].values():
        assert isinstance(werkplaats, Werkplaats)
        if not werkplaats.themas:
            problems.append(
                diag.warning(
                    werkplaats.source.path,
                    1,
                    "deze werkplaats heeft geen thema's (veld 'themas'); voeg ze toe zodat "
                    "lezers haar via de themapagina's vinden",
                    "themas",
                )
            )
    return problems


def build_indexes(
    shown: dict[str, dict[str, Entry]], today: dt.date
) -> tuple[dict[str, Related], dict[str, Related], dict[str, Related]]:
    """Compute the reverse indexes: werkplaats, theme and region -> everything related.

    One pass over the entries puts each in the groups it belongs to.
    """
    werkplaatsen: list[Werkplaats] = list(shown["werkplaatsen"].values())  # type: ignore[arg-type]
    groups: dict[tuple[str, str], list[Entry]] = {}

    def add(kind: str, slug: str, entry: Entry) -> None:
        groups.setdefault((kind, slug), []).append(entry)

    regios_of = {w.slug: w.regios for w in werkplaatsen}
    for werkplaats in werkplaatsen:
        for slug in werkplaats.themas:
            add("thema-werkplaats", slug, werkplaats)
        for slug in werkplaats.regios:
            add("regio-werkplaats", slug, werkplaats)
    for name in ("kenniscafes", "publicaties", "nieuws"):
        for entry in shown[name].values():
            owner = getattr(entry, "werkplaats", None)
            if owner:
                add("werkplaats", owner, entry)
                for slug in regios_of.get(owner, ()):
                    add("regio", slug, entry)
            for slug in getattr(entry, "themas", ()):
                add("thema", slug, entry)

    def related(wps: Iterable[Entry], entries: Iterable[Entry]) -> Related:
        items = list(entries)
        return Related(
            werkplaatsen=tuple(sorted(wps, key=lambda w: w.title)),  # type: ignore[arg-type]
            agenda=Agenda.of((e for e in items if isinstance(e, Kenniscafe)), today),
            publicaties=_newest_first(e for e in items if isinstance(e, Publicatie)),  # type: ignore[arg-type]
            nieuws=_newest_first(e for e in items if isinstance(e, Nieuws)),  # type: ignore[arg-type]
        )

    by_werkplaats = {
        slug: related((), groups.get(("werkplaats", slug), ())) for slug in shown["werkplaatsen"]
    }
    by_thema = {
        slug: related(groups.get(("thema-werkplaats", slug), ()), groups.get(("thema", slug), ()))
        for slug in shown["themas"]
    }
    by_regio = {
        slug: related(groups.get(("regio-werkplaats", slug), ()), groups.get(("regio", slug), ()))
        for slug in shown["regios"]
    }
    return by_werkplaats, by_thema, by_regio


def group_by_regio(site: Site) -> list[tuple[Regio, tuple[Werkplaats, ...]]]:
    """Regions in title order with their werkplaatsen (a werkplaats may appear twice)."""
    regios = sorted(site.regios.values(), key=lambda r: r.title)
    return [(r, site.by_regio[r.slug].werkplaatsen) for r in regios]


__all__ = ["Agenda", "Dated", "Related", "Site", "group_by_regio", "link_site"]
