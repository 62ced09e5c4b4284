"""Stage 3: link the records into a Site: check references, drop drafts, build indexes.

The graph is the one place that knows who references whom: which werkplaatsen work on
a theme and which kenniscafés belong to a region (through their werkplaats). Which
paths the pages and aliases take is the page plan's business (plan/pages.py, check/paths.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from wsdgen import diagnostics as diag
from wsdgen.diagnostics import Diagnostic
from wsdgen.load.config import SiteConfig
from wsdgen.records import (
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
from wsdgen.schema import COLLECTION_LABELS, COLLECTIONS, FIELDS, VALUE_PLACEHOLDER, slugify

Dated = Kenniscafe | Publicatie | Nieuws


def entry_date(entry: Entry) -> dt.date:
    """The date an entry is sorted by: its datum, or 1 January of a publication's year."""
    datum = getattr(entry, "datum", None)
    if isinstance(datum, dt.date):
        return datum
    return dt.date(getattr(entry, "jaar", 1900), 1, 1)


def newest_key(entry: Entry) -> tuple[dt.date, str, str]:
    return (entry_date(entry), entry.title, entry.slug)


# Where entries of different collections have the same date, title and slug.
DATED_ORDER = {"kenniscafes": 2, "publicaties": 1, "nieuws": 0}


def newest_order(entry: Entry) -> tuple[dt.date, str, str, int]:
    """The order of lists that mix collections (newest first: the largest first); no
    two entries of a site have the same."""
    return (entry_date(entry), entry.title, entry.slug, DATED_ORDER.get(entry.collection, -1))


def _newest_first(entries: Iterable[Dated]) -> tuple[Dated, ...]:
    return tuple(sorted(entries, key=newest_key, reverse=True))


def agenda_key(cafe: Kenniscafe) -> tuple[dt.date, dt.time, str, str]:
    """Soonest first; the slug last, so that no two kenniscafés sort alike."""
    return (cafe.datum, cafe.begintijd or dt.time(0), cafe.title, cafe.slug)


T = TypeVar("T", bound=Entry)


def position_in(items: Sequence[T], key: Callable[[T], Any], wanted: Any, descending: bool) -> int:
    """Where an item with sort key ``wanted`` is, or goes, in ``items`` (sorted by
    ``key``): a binary search that computes only the keys it looks at."""
    low, high = 0, len(items)
    while low < high:
        middle = (low + high) // 2
        found = key(items[middle])
        if (found > wanted) if descending else (found < wanted):
            low = middle + 1
        else:
            high = middle
    return low


def resorted(
    items: tuple[T, ...],
    old: T | None,
    new: T | None,
    key: Callable[[T], Any],
    descending: bool = False,
) -> tuple[T, ...]:
    """``items`` (sorted by a ``key`` that no two items share) without ``old`` and with
    ``new`` in its place in the order; either may be None."""
    result = items
    if old is not None:
        at = position_in(result, key, key(old), descending)
        if at < len(result) and result[at] is old:
            result = result[:at] + result[at + 1 :]
    if new is not None:
        at = position_in(result, key, key(new), descending)
        result = (*result[:at], new, *result[at:])
    return result


@dataclass(frozen=True, slots=True)
class Agenda:
    """Kenniscafés split by the build date: upcoming soonest first, past newest first."""

    upcoming: tuple[Kenniscafe, ...] = ()
    past: tuple[Kenniscafe, ...] = ()

    @classmethod
    def of(cls, cafes: Iterable[Kenniscafe], today: dt.date) -> Agenda:
        cafes = sorted(cafes, key=agenda_key)
        return cls(
            upcoming=tuple(c for c in cafes if c.datum >= today),
            past=tuple(reversed([c for c in cafes if c.datum < today])),
        )

    @property
    def all(self) -> tuple[Kenniscafe, ...]:
        return self.upcoming + self.past

    def replaced(self, old: Kenniscafe | None, new: Kenniscafe | None, today: dt.date) -> Agenda:
        """The agenda with ``old`` out and ``new`` in (either may be None)."""

        def side(cafe: Kenniscafe | None, upcoming: bool) -> Kenniscafe | None:
            return cafe if cafe is not None and (cafe.datum >= today) == upcoming else None

        return Agenda(
            resorted(self.upcoming, side(old, True), side(new, True), agenda_key),
            resorted(self.past, side(old, False), side(new, False), agenda_key, True),
        )


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

    def replaced(self, old: Dated | None, new: Dated | None, today: dt.date) -> Related:
        """The same lists with ``old`` out and ``new`` in (either may be None)."""
        if isinstance(old or new, Kenniscafe):
            return dataclasses.replace(self, agenda=self.agenda.replaced(old, new, today))  # type: ignore[arg-type]
        name = "publicaties" if isinstance(old or new, Publicatie) else "nieuws"
        items = resorted(getattr(self, name), old, new, newest_key, descending=True)
        return dataclasses.replace(self, **{name: items})  # type: ignore[arg-type]


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
    # Per theme: its kenniscafés, publications and news together, newest first.
    newest_by_thema: dict[str, tuple[Dated, ...]]
    # The entries that failed validation (and are shown): never rendered, but their
    # paths still take part in the path plan (pages.plan_stand_ins).
    rejected: tuple[Rejected, ...] = ()
    # Views that planners derive from the whole graph (the knowledge overview), made
    # once per graph; a graph made anew (dataclasses.replace) starts without them.
    views: dict[str, object] = field(default_factory=dict, init=False, compare=False, repr=False)

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
        newest_by_thema=newest_by_thema(shown),
        rejected=tuple(item for item in rejected if include_drafts or not item.draft),
    )
    return site, problems


def newest_by_thema(shown: dict[str, dict[str, Entry]]) -> dict[str, tuple[Dated, ...]]:
    """Per shown theme, the dated entries on it, newest first (see newest_order)."""
    dated = [*shown["kenniscafes"].values(), *shown["publicaties"].values()]
    dated += shown["nieuws"].values()
    lists: dict[str, list[Dated]] = {slug: [] for slug in shown["themas"]}
    for entry in sorted(dated, key=newest_order, reverse=True):
        for slug in getattr(entry, "themas", ()):
            if slug in lists:
                lists[slug].append(entry)  # type: ignore[arg-type]
    return {slug: tuple(items) for slug, items in lists.items()}


def replace_dated(site: Site, old: Dated, new: Dated) -> Site:
    """The site with one kenniscafé, publication or news item edited in place (the
    same file and slug, shown before and after, its references valid: the caller
    checks): only the lists it was or is in are made again. `serve` uses it after an
    edit; a build links the whole site instead (link_site), and the two must agree."""
    today = site.today
    collection = dict(site.collection(old.collection))
    collection[new.slug] = new

    def regios(entry: Dated) -> tuple[str, ...]:
        owner = site.werkplaatsen.get(getattr(entry, "werkplaats", None) or "")
        return owner.regios if owner else ()

    def updated(
        index: dict[str, Related], old_in: Iterable[str], new_in: Iterable[str]
    ) -> dict[str, Related]:
        olds, news = set(old_in), set(new_in)
        result = dict(index)
        for slug in (olds | news) & index.keys():
            result[slug] = index[slug].replaced(
                old if slug in olds else None, new if slug in news else None, today
            )
        return result

    def owner(entry: Dated) -> tuple[str, ...]:
        slug = getattr(entry, "werkplaats", None)
        return (slug,) if slug else ()

    newest = dict(site.newest_by_thema)
    for slug in {*old.themas, *new.themas} & newest.keys():
        newest[slug] = resorted(
            newest[slug],
            old if slug in old.themas else None,
            new if slug in new.themas else None,
            newest_order,
            descending=True,
        )
    changes: dict[str, object] = {
        old.collection: collection,
        "by_werkplaats": updated(site.by_werkplaats, owner(old), owner(new)),
        "by_thema": updated(site.by_thema, old.themas, new.themas),
        "by_regio": updated(site.by_regio, regios(old), regios(new)),
        "newest_by_thema": newest,
    }
    if isinstance(new, Kenniscafe):
        changes["agenda"] = site.agenda.replaced(old, new, today)  # type: ignore[arg-type]
    return dataclasses.replace(site, **changes)  # type: ignore[arg-type]


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
    if slug in (VALUE_PLACEHOLDER, ""):
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
        if slug == VALUE_PLACEHOLDER:
            hint = reference_hint(slug, list(every[target]))
            return f"{name}: vul hier een {label} in (er staat nog {VALUE_PLACEHOLDER}){hint}"
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
