"""Stage 4: plan every page of the contract: its path, template, context and inputs.

A PagePlan's context is finished (lists split and sorted, groups made); templates only
lay it out. ``deps`` names the entries whose data appear on the page, so a change to
one entry can tell which pages to render again.

This module holds the planners of the readers' pages; the plan's types are in
``plan.py``, the finished views (year groups, related lists, the chart) in ``views.py``,
feeds, calendars, sitemap and redirects in ``feeds.py``, and the checks of the site's
paths in ``paths.py``.
"""

from __future__ import annotations

import datetime as dt
import itertools

from .feeds import (
    plan_aliases,
    plan_beheer,
    plan_feeds,
    plan_redirects,
    plan_sitemap,
)
from .graph import Agenda, Related, Site, group_by_regio
from .plan import (
    ALL,
    PagePlan,
    ThemeLists,
    card_deps,
    crumbs,
    entry_claim,
    section_crumb,
)
from .records import Entry, Werkplaats
from .views import (
    Section,
    active_first,
    archive_by_year,
    elsewhere,
    newest_by_thema,
    newest_publicaties,
    related_view,
    shared_theme_neighbours,
    year_chart,
)

HOME_UPCOMING = 5


HOME_NEWS = 3


HOME_RECENT = 3


def add_owners(plan: PagePlan, site: Site) -> None:
    """Give a page the werkplaatsen its cards name (``owners``, by slug), taken from
    what the plan says it shows: a template sees no more of the site than its plan."""
    if ALL in plan.deps:
        return
    plan.context["owners"] = {
        slug: site.werkplaatsen[slug]
        for collection, slug in plan.deps
        if collection == "werkplaatsen" and slug in site.werkplaatsen
    }


def plan_pages(site: Site) -> list[PagePlan]:
    """Every page and file of the site, in a stable order."""
    newest = newest_by_thema(site)
    plans = [
        plan_home(site),
        *plan_werkplaatsen(site),
        *plan_themas(site),
        *plan_regios(site),
        *plan_kenniscafes(site, newest),
        *plan_publicaties(site, newest),
        *plan_nieuws(site, newest),
        *plan_paginas(site),
        plan_matrix(site),
        PagePlan("/zoeken/", "zoeken.html", {"title": "Zoeken", "crumbs": crumbs()}),
        PagePlan("/404.html", "404.html", {"title": "Pagina niet gevonden"}, in_sitemap=False),
        *plan_aliases(site),
        *plan_feeds(site, newest),
    ]
    plans.append(plan_sitemap(plans))
    plans.append(PagePlan("/robots.txt", "robots.txt", in_sitemap=False))
    plans.append(plan_redirects(site))
    plans += plan_beheer(site)
    for plan in plans:
        add_owners(plan, site)
    if site.config.security_contact:
        expires = (
            site.today.replace(year=site.today.year + 1)
            if not (site.today.month == 2 and site.today.day == 29)
            else site.today + dt.timedelta(days=365)
        )
        plans.append(
            PagePlan(
                "/.well-known/security.txt",
                "security.txt",
                {"expires": f"{expires.isoformat()}T00:00:00Z"},
                in_sitemap=False,
            )
        )
    return plans


def plan_home(site: Site) -> PagePlan:
    upcoming = site.agenda.upcoming[:HOME_UPCOMING]
    # With nothing planned, the page leads with the newest knowledge instead: reports
    # of the latest kenniscafés and the newest publications.
    reports = [cafe for cafe in site.agenda.past if cafe.body.strip()] or site.agenda.past
    recent = () if upcoming else tuple(reports[:HOME_RECENT])
    publicaties = () if upcoming else tuple(newest_publicaties(site)[:HOME_RECENT])
    news = sorted(site.nieuws.values(), key=lambda n: (n.datum, n.title), reverse=True)
    news = news[:HOME_NEWS]
    themas = active_first(site.themas.values())
    regions = [(r, wps) for r, wps in group_by_regio(site) if wps]
    deps = card_deps(
        [*upcoming, *recent, *publicaties, *news, *themas, *site.werkplaatsen.values()]
    )
    deps |= {r.key for r, _ in regions}
    return PagePlan(
        "/",
        "home.html",
        {
            "title": site.config.title,
            "upcoming": upcoming,
            "recent": recent,
            "publicaties": publicaties,
            "news": news,
            "national_themas": [t for t in themas if t.soort != "regionaal"],
            "regional_themas": [t for t in themas if t.soort == "regionaal"],
            "regions": regions,
        },
        frozenset(deps),
    )


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
        neighbours = shared_theme_neighbours(site, werkplaats)
        themas = [site.themas[s] for s in werkplaats.themas if s in site.themas]
        view = related_view(related, show_werkplaatsen=False)
        chart = year_chart(related.agenda.all)
        sections = [Section("themas-kop", "Thema's", len(themas)), *view["sections"]]  # type: ignore[misc]
        if chart:
            sections.append(Section("jaren-kop", "Kenniscafés per jaar"))
        if neighbours:
            sections.append(Section("buren-kop", "Werkplaatsen met dezelfde thema's"))
        context = {
            "title": werkplaats.title,
            "entry": werkplaats,
            **view,
            "sections": sections,
            # Cards on the werkplaats's own page do not repeat its name.
            "own_werkplaats": werkplaats.slug,
            "regios": [site.regios[s] for s in werkplaats.regios if s in site.regios],
            "themas": themas,
            "neighbours": neighbours,
            "chart": chart,
            "crumbs": crumbs(section_crumb("werkplaatsen")),
        }
        deps = card_deps([werkplaats, *related.entries, *(n.werkplaats for n in neighbours)])
        plans.append(
            PagePlan(
                werkplaats.path,
                "werkplaats.html",
                context,
                frozenset(deps),
                claim=entry_claim(werkplaats),
            )
        )
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
    plans += [related_page(thema, site.by_thema[thema.slug], "thema.html") for thema in themas]
    return plans


def related_page(entry: Entry, related: Related, template: str) -> PagePlan:
    """The page of a theme or region: the entry itself and everything related to it."""
    context = {
        "title": entry.title,
        "entry": entry,
        **related_view(related, show_werkplaatsen=True),
        "crumbs": crumbs(section_crumb(entry.collection)),
    }
    deps = frozenset(card_deps([entry, *related.entries]))
    return PagePlan(entry.path, template, context, deps, claim=entry_claim(entry))


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
    plans += [related_page(regio, site.by_regio[regio.slug], "regio.html") for regio, _ in regions]
    return plans


def plan_kenniscafes(site: Site, newest: ThemeLists) -> list[PagePlan]:
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
        others = elsewhere(cafe, newest)
        context = {
            "title": cafe.title,
            "entry": cafe,
            "werkplaats": werkplaats,
            "regios": [site.regios[s] for s in werkplaats.regios if s in site.regios],
            "themas": [site.themas[s] for s in cafe.themas if s in site.themas],
            "upcoming": cafe.datum >= site.today,
            "elsewhere": others,
            "crumbs": crumbs(section_crumb("kenniscafes")),
        }
        deps = card_deps([cafe, werkplaats, *others])
        plans.append(
            PagePlan(
                cafe.path, "kenniscafe.html", context, frozenset(deps), claim=entry_claim(cafe)
            )
        )
    return plans


def _entry_context(
    site: Site, entry: Entry, collection: str, newest: ThemeLists
) -> dict[str, object]:
    slug = getattr(entry, "werkplaats", None)
    werkplaats: Werkplaats | None = site.werkplaatsen.get(slug) if slug else None
    regios = werkplaats.regios if werkplaats else ()
    return {
        "title": entry.title,
        "entry": entry,
        "werkplaats": werkplaats,
        "regios": [site.regios[s] for s in regios if s in site.regios],
        "themas": [site.themas[s] for s in getattr(entry, "themas", ()) if s in site.themas],
        "elsewhere": elsewhere(entry, newest),
        "crumbs": crumbs(section_crumb(collection)),
    }


def _context_entries(context: dict[str, object]) -> list[Entry]:
    werkplaats = context["werkplaats"]
    others: list[Entry] = list(context["elsewhere"])  # type: ignore[call-overload]
    return [werkplaats, *others] if isinstance(werkplaats, Werkplaats) else others


def plan_matrix(site: Site) -> PagePlan:
    """ "Wie werkt waaraan": werkplaatsen in rows, national themes in columns."""
    werkplaatsen = sorted(site.werkplaatsen.values(), key=lambda w: w.title)
    national = [t for t in active_first(site.themas.values()) if t.soort != "regionaal"]
    rows = []
    for werkplaats in werkplaatsen:
        cells = [(thema, thema.slug in werkplaats.themas) for thema in national]
        regional = [
            site.themas[t]
            for t in werkplaats.themas
            if t in site.themas and site.themas[t].soort == "regionaal"
        ]
        rows.append((werkplaats, cells, regional))
    return PagePlan(
        "/wie-werkt-waaraan/",
        "wie-werkt-waaraan.html",
        {"title": "Wie werkt waaraan", "columns": national, "rows": rows, "crumbs": crumbs()},
        frozenset(card_deps(werkplaatsen) | card_deps(site.themas.values())),
    )


def plan_publicaties(site: Site, newest: ThemeLists) -> list[PagePlan]:
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
        context = _entry_context(site, pub, "publicaties", newest)
        deps = card_deps([pub, *_context_entries(context)])
        plans.append(
            PagePlan(pub.path, "publicatie.html", context, frozenset(deps), claim=entry_claim(pub))
        )
    return plans


def plan_nieuws(site: Site, newest: ThemeLists) -> list[PagePlan]:
    news = sorted(site.nieuws.values(), key=lambda n: (n.datum, n.title), reverse=True)
    plans = [
        PagePlan(
            "/nieuws/",
            "nieuws-overzicht.html",
            {
                "title": "Nieuws",
                "by_year": [
                    (year, list(group))
                    for year, group in itertools.groupby(news, key=lambda n: n.datum.year)
                ],
                "crumbs": crumbs(),
            },
            frozenset(card_deps(news)),
        )
    ]
    for item in news:
        context = _entry_context(site, item, "nieuws", newest)
        deps = card_deps([item, *_context_entries(context)])
        plans.append(
            PagePlan(item.path, "nieuws.html", context, frozenset(deps), claim=entry_claim(item))
        )
    return plans


def plan_paginas(site: Site) -> list[PagePlan]:
    plans = []
    for page in site.paginas.values():
        context = {"title": page.title, "entry": page, "crumbs": crumbs()}
        plans.append(
            PagePlan(
                page.path, "pagina.html", context, frozenset({page.key}), claim=entry_claim(page)
            )
        )
    return plans
