"""Stage 4: plan every page of the contract: its path, template, context and inputs.

A PagePlan's context is finished (lists split and sorted, groups made); templates only
lay it out. ``deps`` names the entries whose data appear on the page, so a change to
one entry can tell which pages to render again.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from .graph import Agenda, Site, group_by_regio, normalize_path
from .records import Entry, Kenniscafe, Pagina, Thema, Werkplaats

EntryKey = tuple[str, str]

# Plans whose content depends on every entry of the site (lists of everything).
ALL = ("*", "*")

SECTION_TITLES = {
    "werkplaatsen": "Werkplaatsen",
    "themas": "Thema's",
    "regios": "Regio's",
    "kenniscafes": "Kenniscafés",
    "publicaties": "Publicaties",
    "nieuws": "Nieuws",
}
HOME_UPCOMING = 5
HOME_NEWS = 3


@dataclass(frozen=True, slots=True)
class Crumb:
    title: str
    path: str


@dataclass(frozen=True, slots=True)
class PagePlan:
    """One file of the output: where it goes, how it is made, and what it shows."""

    path: str  # site path of the page, e.g. /werkplaatsen/x/ or /sitemap.xml
    template: str
    context: dict[str, object] = field(default_factory=dict)
    deps: frozenset[EntryKey] = frozenset()
    in_sitemap: bool = True

    @property
    def output_file(self) -> str:
        """Relative file name in the output folder ('werkplaatsen/x/index.html')."""
        if self.path.endswith("/"):
            return self.path.lstrip("/") + "index.html"
        return self.path.lstrip("/")


def card_deps(entries: Iterable[Entry]) -> set[EntryKey]:
    """An entry shown as a card also shows its werkplaats and theme titles."""
    deps: set[EntryKey] = set()
    for entry in entries:
        deps.add(entry.key)
        werkplaats = getattr(entry, "werkplaats", None)
        if werkplaats:
            deps.add(("werkplaatsen", werkplaats))
        deps.update(("themas", slug) for slug in getattr(entry, "themas", ()))
        deps.update(("regios", slug) for slug in getattr(entry, "regios", ()))
    return deps


def crumbs(*items: tuple[str, str]) -> tuple[Crumb, ...]:
    return (Crumb("Home", "/"), *(Crumb(title, path) for title, path in items))


def section_crumb(collection: str) -> tuple[str, str]:
    return (SECTION_TITLES[collection], f"/{collection}/")


def archive_by_year(cafes: Iterable[Kenniscafe]) -> list[tuple[int, list[Kenniscafe]]]:
    """Past kenniscafés (newest first) grouped by year."""
    return [
        (year, list(group)) for year, group in itertools.groupby(cafes, key=lambda c: c.datum.year)
    ]


def plan_pages(site: Site) -> list[PagePlan]:
    """Every page and file of the site, in a stable order."""
    plans = [
        plan_home(site),
        *plan_werkplaatsen(site),
        *plan_themas(site),
        *plan_regios(site),
        *plan_kenniscafes(site),
        *plan_publicaties(site),
        *plan_nieuws(site),
        *plan_paginas(site),
        PagePlan("/404.html", "404.html", {"title": "Pagina niet gevonden"}, in_sitemap=False),
        *plan_aliases(site),
    ]
    plans.append(plan_sitemap(plans))
    plans.append(PagePlan("/robots.txt", "robots.txt", in_sitemap=False))
    return plans


def plan_home(site: Site) -> PagePlan:
    upcoming = site.agenda.upcoming[:HOME_UPCOMING]
    news = sorted(site.nieuws.values(), key=lambda n: (n.datum, n.title), reverse=True)
    news = news[:HOME_NEWS]
    themas = active_first(site.themas.values())
    regions = [(r, wps) for r, wps in group_by_regio(site) if wps]
    deps = card_deps([*upcoming, *news, *themas, *site.werkplaatsen.values()])
    deps |= {r.key for r, _ in regions}
    return PagePlan(
        "/",
        "home.html",
        {
            "title": site.config.title,
            "upcoming": upcoming,
            "news": news,
            "national_themas": [t for t in themas if t.soort != "regionaal"],
            "regional_themas": [t for t in themas if t.soort == "regionaal"],
            "regions": regions,
        },
        frozenset(deps),
    )


def active_first(themas: Iterable[Thema]) -> list[Thema]:
    return sorted(themas, key=lambda t: (t.status != "actief", t.title.lower()))


def plan_werkplaatsen(site: Site) -> list[PagePlan]:
    regions = group_by_regio(site)
    without_region = [w for w in site.werkplaatsen.values() if not w.regios]
    plans = [
        PagePlan(
            "/werkplaatsen/",
            "werkplaatsen.html",
            {
                "title": "Werkplaatsen",
                "regions": regions,
                "without_region": without_region,
                "crumbs": crumbs(),
            },
            frozenset(card_deps(site.werkplaatsen.values()) | {r.key for r, _ in regions}),
        )
    ]
    for werkplaats in site.werkplaatsen.values():
        related = site.by_werkplaats[werkplaats.slug]
        context = {
            "title": werkplaats.title,
            "entry": werkplaats,
            "related": related,
            "regios": [site.regios[s] for s in werkplaats.regios if s in site.regios],
            "themas": [site.themas[s] for s in werkplaats.themas if s in site.themas],
            "crumbs": crumbs(section_crumb("werkplaatsen")),
        }
        deps = card_deps([werkplaats, *related.entries])
        plans.append(PagePlan(werkplaats.path, "werkplaats.html", context, frozenset(deps)))
    return plans


def plan_themas(site: Site) -> list[PagePlan]:
    themas = active_first(site.themas.values())
    plans = [
        PagePlan(
            "/themas/",
            "themas.html",
            {
                "title": "Thema's",
                "active": [t for t in themas if t.status == "actief"],
                "finished": [t for t in themas if t.status != "actief"],
                "crumbs": crumbs(),
            },
            frozenset(card_deps(themas)),
        )
    ]
    for thema in themas:
        related = site.by_thema[thema.slug]
        context = {
            "title": thema.title,
            "entry": thema,
            "related": related,
            "crumbs": crumbs(section_crumb("themas")),
        }
        deps = card_deps([thema, *related.entries])
        plans.append(PagePlan(thema.path, "thema.html", context, frozenset(deps)))
    return plans


def plan_regios(site: Site) -> list[PagePlan]:
    regions = group_by_regio(site)
    plans = [
        PagePlan(
            "/regios/",
            "regios.html",
            {"title": "Regio's", "regions": regions, "crumbs": crumbs()},
            frozenset(card_deps(site.regios.values()) | card_deps(site.werkplaatsen.values())),
        )
    ]
    for regio, _ in regions:
        related = site.by_regio[regio.slug]
        context = {
            "title": regio.title,
            "entry": regio,
            "related": related,
            "crumbs": crumbs(section_crumb("regios")),
        }
        deps = card_deps([regio, *related.entries])
        plans.append(PagePlan(regio.path, "regio.html", context, frozenset(deps)))
    return plans


def plan_kenniscafes(site: Site) -> list[PagePlan]:
    agenda: Agenda = site.agenda
    plans = [
        PagePlan(
            "/kenniscafes/",
            "kenniscafes.html",
            {
                "title": "Kenniscafés",
                "upcoming": agenda.upcoming,
                "archive": archive_by_year(agenda.past),
                "crumbs": crumbs(),
            },
            frozenset(card_deps(agenda.all)),
        )
    ]
    for cafe in agenda.all:
        werkplaats = site.werkplaatsen[cafe.werkplaats]
        context = {
            "title": cafe.title,
            "entry": cafe,
            "werkplaats": werkplaats,
            "regios": [site.regios[s] for s in werkplaats.regios if s in site.regios],
            "themas": [site.themas[s] for s in cafe.themas if s in site.themas],
            "upcoming": cafe.datum >= site.today,
            "crumbs": crumbs(section_crumb("kenniscafes")),
        }
        deps = card_deps([cafe, werkplaats])
        plans.append(PagePlan(cafe.path, "kenniscafe.html", context, frozenset(deps)))
    return plans


def _entry_context(site: Site, entry: Entry, collection: str) -> dict[str, object]:
    slug = getattr(entry, "werkplaats", None)
    werkplaats: Werkplaats | None = site.werkplaatsen.get(slug) if slug else None
    regios = werkplaats.regios if werkplaats else ()
    return {
        "title": entry.title,
        "entry": entry,
        "werkplaats": werkplaats,
        "regios": [site.regios[s] for s in regios if s in site.regios],
        "themas": [site.themas[s] for s in getattr(entry, "themas", ()) if s in site.themas],
        "crumbs": crumbs(section_crumb(collection)),
    }


def plan_publicaties(site: Site) -> list[PagePlan]:
    pubs = sorted(
        site.publicaties.values(),
        key=lambda p: (p.jaar, p.datum or dt.date.min, p.title),
        reverse=True,
    )
    by_year = [(year, list(group)) for year, group in itertools.groupby(pubs, key=lambda p: p.jaar)]
    plans = [
        PagePlan(
            "/publicaties/",
            "publicaties.html",
            {"title": "Publicaties", "by_year": by_year, "crumbs": crumbs()},
            frozenset(card_deps(pubs)),
        )
    ]
    for pub in pubs:
        context = _entry_context(site, pub, "publicaties")
        deps = card_deps([pub, *([context["werkplaats"]] if context["werkplaats"] else [])])
        plans.append(PagePlan(pub.path, "publicatie.html", context, frozenset(deps)))
    return plans


def plan_nieuws(site: Site) -> list[PagePlan]:
    news = sorted(site.nieuws.values(), key=lambda n: (n.datum, n.title), reverse=True)
    plans = [
        PagePlan(
            "/nieuws/",
            "nieuws-overzicht.html",
            {"title": "Nieuws", "news": news, "crumbs": crumbs()},
            frozenset(card_deps(news)),
        )
    ]
    for item in news:
        context = _entry_context(site, item, "nieuws")
        deps = card_deps([item, *([context["werkplaats"]] if context["werkplaats"] else [])])
        plans.append(PagePlan(item.path, "nieuws.html", context, frozenset(deps)))
    return plans


def plan_paginas(site: Site) -> list[PagePlan]:
    plans = []
    for page in site.paginas.values():
        context = {"title": page.title, "entry": page, "crumbs": crumbs()}
        plans.append(PagePlan(page.path, "pagina.html", context, frozenset({page.key})))
    return plans


def menu_pages(paginas: Iterable[Pagina]) -> list[Pagina]:
    """Free pages with a 'menu' position, in that order."""
    return sorted((p for p in paginas if p.menu is not None), key=lambda p: (p.menu, p.title))


def plan_aliases(site: Site) -> list[PagePlan]:
    plans = []
    for entry in site.entries():
        for alias in entry.aliases:
            plans.append(
                PagePlan(
                    normalize_path(alias),
                    "redirect.html",
                    {"title": entry.title, "entry": entry, "target": entry.path},
                    frozenset({entry.key}),
                    in_sitemap=False,
                )
            )
    return plans


def plan_sitemap(plans: list[PagePlan]) -> PagePlan:
    paths = sorted(p.path for p in plans if p.in_sitemap)
    return PagePlan(
        "/sitemap.xml", "sitemap.xml", {"paths": paths}, frozenset({ALL}), in_sitemap=False
    )
