"""Stage 4: plan every page of the contract: its path, template, context and inputs.

A PagePlan's context is finished (lists split and sorted, groups made); templates only
lay it out. ``deps`` names the entries whose data appear on the page, so a change to
one entry can tell which pages to render again.

This module holds the planners of the readers' pages; the plan's types are in
``plan/pageplan.py``, the finished views (year groups, related lists, the chart) in
``plan/views.py``, feeds, calendars, sitemap and redirects in ``plan/feeds.py``, and
the checks of the site's paths in ``check/paths.py``.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Callable

from wsdgen.check.graph import Agenda, Related, Site, group_by_regio
from wsdgen.check.urls import Claim, normal_path
from wsdgen.plan.feeds import (
    FEED_PLANNERS,
    plan_alias,
    plan_aliases,
    plan_beheer,
    plan_feeds,
    plan_redirects,
    plan_sitemap,
)
from wsdgen.plan.overview import as_csv, as_json, overview, reach_of, werkplaats_activity
from wsdgen.plan.pageplan import (
    ALL,
    Maker,
    PagePlan,
    card_deps,
    crumbs,
    entry_claim,
    section_crumb,
)
from wsdgen.plan.views import (
    Section,
    active_first,
    archive_by_year,
    elsewhere,
    newest_publicaties,
    news_in_order,
    news_key,
    related_view,
    shared_theme_neighbours,
    year_chart,
)
from wsdgen.records import Entry, Kenniscafe, Nieuws, Pagina, Publicatie, Regio, Thema, Werkplaats

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


def plan_stand_ins(site: Site) -> list[PagePlan]:
    """For each entry that failed validation, the page and old addresses it would have:
    never rendered, only laid out with the others so that the path checks (a reserved
    name, a collision) run on it in the same run as its own errors."""
    plans = []
    for item in site.rejected:
        template = "pagina.html" if item.collection == "paginas" else "stand-in"
        claim = Claim(f"de pagina van {item.path}", item.path)
        plans.append(PagePlan(item.site_path, template, claim=claim))
        for alias, line in item.aliases:
            claim = Claim(f"een oud adres (aliases) in {item.path}", item.path, line, "aliases")
            plans.append(PagePlan(normal_path(alias), "redirect.html", claim=claim))
    return plans


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
        plan_matrix(site),
        *plan_overview_files(site),
        PagePlan("/zoeken/", "zoeken.html", {"title": "Zoeken", "crumbs": crumbs()}),
        PagePlan("/404.html", "404.html", {"title": "Pagina niet gevonden"}, in_sitemap=False),
        *plan_aliases(site),
        *plan_feeds(site),
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
    reports = itertools.islice((c for c in site.agenda.past if has_report(c)), HOME_RECENT)
    recent = () if upcoming else (tuple(reports) or site.agenda.past[:HOME_RECENT])
    publicaties = () if upcoming else tuple(newest_publicaties(site)[:HOME_RECENT])
    # The same as sorting them all and taking the first (heapq's documentation).
    news = heapq.nlargest(HOME_NEWS, site.nieuws.values(), key=news_key)
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
        maker=("home", ""),
    )


def has_report(cafe: Kenniscafe) -> bool:
    """Whether a kenniscafé has a text (its report); like ``body.strip()``, without a copy."""
    return bool(cafe.body) and not cafe.body.isspace()


def plan_werkplaatsen(site: Site) -> list[PagePlan]:
    return [plan_werkplaats_index(site)] + [
        plan_werkplaats(site, werkplaats) for werkplaats in site.werkplaatsen.values()
    ]


def plan_werkplaats_index(site: Site) -> PagePlan:
    regions = group_by_regio(site)
    without_region = [w for w in site.werkplaatsen.values() if not w.regios]
    return PagePlan(
        "/werkplaatsen/",
        "werkplaatsen.html",
        {
            "title": "Werkplaatsen",
            "regions": regions,
            "without_region": without_region,
            "crumbs": crumbs(),
        },
        frozenset(card_deps(site.werkplaatsen.values()) | {r.key for r, _ in regions}),
        maker=("werkplaatsen", ""),
    )


def plan_werkplaats(site: Site, werkplaats: Werkplaats) -> PagePlan:
    related = site.by_werkplaats[werkplaats.slug]
    neighbours = shared_theme_neighbours(site, werkplaats)
    themas = [site.themas[s] for s in werkplaats.themas if s in site.themas]
    view = related_view(related, show_werkplaatsen=False)
    chart = year_chart(related.agenda.all)
    activity = werkplaats_activity(site, werkplaats)
    sections = [Section("themas-kop", "Thema's", len(themas)), *view["sections"]]  # type: ignore[misc]
    sections.append(Section("activiteit-kop", "Activiteit per jaar"))
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
        "activity": activity,
        "crumbs": crumbs(section_crumb("werkplaatsen")),
    }
    deps = card_deps([werkplaats, *related.entries, *(n.werkplaats for n in neighbours)])
    return PagePlan(
        werkplaats.path,
        "werkplaats.html",
        context,
        frozenset(deps),
        claim=entry_claim(werkplaats),
        maker=("werkplaats", werkplaats.slug),
    )


def plan_themas(site: Site) -> list[PagePlan]:
    themas = active_first(site.themas.values())
    return [plan_thema_index(site)] + [plan_thema(site, thema) for thema in themas]


def plan_thema_index(site: Site) -> PagePlan:
    themas = active_first(site.themas.values())
    return PagePlan(
        "/themas/",
        "themas.html",
        {
            "title": "Thema's",
            "active": [t for t in themas if t.status == "actief"],
            "finished": [t for t in themas if t.status != "actief"],
            "crumbs": crumbs(),
        },
        frozenset(card_deps(themas)),
        maker=("themas", ""),
    )


def plan_thema(site: Site, thema: Thema) -> PagePlan:
    plan = related_page(thema, site.by_thema[thema.slug], "thema.html", "thema")
    # How far the theme reaches: counted from the werkplaatsen in its lists and the
    # owners of its entries, all of them in the plan's deps already (card_deps).
    plan.context["reach"] = reach_of(site, thema)
    return plan


def related_page(entry: Entry, related: Related, template: str, maker: str) -> PagePlan:
    """The page of a theme or region: the entry itself and everything related to it."""
    context = {
        "title": entry.title,
        "entry": entry,
        **related_view(related, show_werkplaatsen=True),
        "crumbs": crumbs(section_crumb(entry.collection)),
    }
    deps = frozenset(card_deps([entry, *related.entries]))
    return PagePlan(
        entry.path, template, context, deps, claim=entry_claim(entry), maker=(maker, entry.slug)
    )


def plan_regios(site: Site) -> list[PagePlan]:
    regions = group_by_regio(site)
    return [plan_regio_index(site)] + [plan_regio(site, regio) for regio, _ in regions]


def plan_regio_index(site: Site) -> PagePlan:
    return PagePlan(
        "/regios/",
        "regios.html",
        {"title": "Regio's", "regions": group_by_regio(site), "crumbs": crumbs()},
        frozenset(card_deps(site.regios.values()) | card_deps(site.werkplaatsen.values())),
        maker=("regios", ""),
    )


def plan_regio(site: Site, regio: Regio) -> PagePlan:
    return related_page(regio, site.by_regio[regio.slug], "regio.html", "regio")


def plan_kenniscafes(site: Site) -> list[PagePlan]:
    return [plan_kenniscafe_index(site)] + [plan_kenniscafe(site, c) for c in site.agenda.all]


def plan_kenniscafe_index(site: Site) -> PagePlan:
    agenda: Agenda = site.agenda
    return PagePlan(
        "/kenniscafes/",
        "kenniscafes.html",
        {
            "title": "Kenniscafés",
            "upcoming": agenda.upcoming,
            "archive": archive_by_year(agenda.past),
            "crumbs": crumbs(),
        },
        frozenset(card_deps(agenda.all)),
        maker=("kenniscafes", ""),
    )


def plan_kenniscafe(site: Site, cafe: Kenniscafe) -> PagePlan:
    # Missing only while its reference is broken (an error): the plan is then made for
    # the path checks alone, never rendered.
    werkplaats = site.werkplaatsen.get(cafe.werkplaats)
    others = elsewhere(cafe, site.newest_by_thema)
    context = {
        "title": cafe.title,
        "entry": cafe,
        "werkplaats": werkplaats,
        "regios": [site.regios[s] for s in site.regios_of(cafe) if s in site.regios],
        "themas": [site.themas[s] for s in cafe.themas if s in site.themas],
        "upcoming": cafe.datum >= site.today,
        "elsewhere": others,
        "crumbs": crumbs(section_crumb("kenniscafes")),
    }
    deps = card_deps([cafe, *([werkplaats] if werkplaats else []), *others])
    return PagePlan(
        cafe.path,
        "kenniscafe.html",
        context,
        frozenset(deps),
        claim=entry_claim(cafe),
        maker=("kenniscafe", cafe.slug),
    )


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
        "elsewhere": elsewhere(entry, site.newest_by_thema),
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
        maker=("matrix", ""),
    )


OVERVIEW_PATH = "/kennisoverzicht/"


def province_map(site: Site) -> object:
    """The map of the provinces (wsdgen/plan/nlmap.py), imported when the page is planned."""
    from wsdgen.plan.nlmap import province_map as make_map

    return make_map(site)


def plan_overview(site: Site) -> PagePlan:
    """The knowledge overview: it counts every werkplaats, theme and dated entry, so it
    depends on all of them (ALL)."""
    return PagePlan(
        OVERVIEW_PATH,
        "kennisoverzicht.html",
        {
            "title": "Kennisoverzicht",
            "overzicht": overview(site),
            "kaart": province_map(site),
            "crumbs": crumbs(),
        },
        frozenset({ALL}),
        maker=("kennisoverzicht", ""),
    )


def plan_overview_data(site: Site, kind: str) -> PagePlan:
    """/kennisoverzicht.json or .csv: the figures of the overview for analysis."""
    text = site.views.get(f"overview.{kind}")
    if not isinstance(text, str):
        view = overview(site)
        text = as_json(view, site.config.base_url) if kind == "json" else as_csv(view)
        site.views[f"overview.{kind}"] = text
    return PagePlan(
        f"/kennisoverzicht.{kind}",
        "data.txt",
        {"data_text": text},
        frozenset({ALL}),
        in_sitemap=False,
        maker=("kennisoverzicht-data", kind),
    )


def plan_overview_files(site: Site) -> list[PagePlan]:
    return [
        plan_overview(site),
        plan_overview_data(site, "json"),
        plan_overview_data(site, "csv"),
    ]


def publicaties_in_order(site: Site) -> list[Publicatie]:
    return sorted(
        site.publicaties.values(),
        key=lambda p: (p.jaar, p.datum or dt.date.min, p.title),
        reverse=True,
    )


def plan_publicaties(site: Site) -> list[PagePlan]:
    pubs = publicaties_in_order(site)
    return [plan_publicatie_index(site, pubs)] + [plan_publicatie(site, pub) for pub in pubs]


def plan_publicatie_index(site: Site, pubs: list[Publicatie] | None = None) -> PagePlan:
    pubs = publicaties_in_order(site) if pubs is None else pubs
    by_year = [(year, list(group)) for year, group in itertools.groupby(pubs, key=lambda p: p.jaar)]
    return PagePlan(
        "/publicaties/",
        "publicaties.html",
        {"title": "Publicaties", "by_year": by_year, "crumbs": crumbs()},
        frozenset(card_deps(pubs)),
        maker=("publicaties", ""),
    )


def plan_entry_page(site: Site, entry: Publicatie | Nieuws, template: str, maker: str) -> PagePlan:
    """The own page of a publication or news item."""
    context = _entry_context(site, entry, entry.collection)
    deps = card_deps([entry, *_context_entries(context)])
    return PagePlan(
        entry.path,
        template,
        context,
        frozenset(deps),
        claim=entry_claim(entry),
        maker=(maker, entry.slug),
    )


def plan_publicatie(site: Site, pub: Publicatie) -> PagePlan:
    return plan_entry_page(site, pub, "publicatie.html", "publicatie")


def plan_nieuws(site: Site) -> list[PagePlan]:
    news = news_in_order(site)
    return [plan_nieuws_index(site, news)] + [plan_nieuws_item(site, item) for item in news]


def plan_nieuws_index(site: Site, news: list[Nieuws] | None = None) -> PagePlan:
    news = news_in_order(site) if news is None else news
    return PagePlan(
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
        maker=("nieuws-overzicht", ""),
    )


def plan_nieuws_item(site: Site, item: Nieuws) -> PagePlan:
    return plan_entry_page(site, item, "nieuws.html", "nieuws")


def plan_paginas(site: Site) -> list[PagePlan]:
    return [plan_pagina(site, page) for page in site.paginas.values()]


def plan_pagina(site: Site, page: Pagina) -> PagePlan:
    context = {"title": page.title, "entry": page, "crumbs": crumbs()}
    return PagePlan(
        page.path,
        "pagina.html",
        context,
        frozenset({page.key}),
        claim=entry_claim(page),
        maker=("pagina", page.slug),
    )


def _alias_of(site: Site, argument: str) -> PagePlan:
    collection, slug, index = argument.split("/")
    return plan_alias(site.collection(collection)[slug], int(index))


# Every planner that makes one page, by the name in PagePlan.maker.
PLANNERS: dict[str, Callable[[Site, str], PagePlan]] = {
    "home": lambda site, _: plan_home(site),
    "werkplaatsen": lambda site, _: plan_werkplaats_index(site),
    "werkplaats": lambda site, slug: plan_werkplaats(site, site.werkplaatsen[slug]),
    "themas": lambda site, _: plan_thema_index(site),
    "thema": lambda site, slug: plan_thema(site, site.themas[slug]),
    "regios": lambda site, _: plan_regio_index(site),
    "regio": lambda site, slug: plan_regio(site, site.regios[slug]),
    "kenniscafes": lambda site, _: plan_kenniscafe_index(site),
    "kenniscafe": lambda site, slug: plan_kenniscafe(site, site.kenniscafes[slug]),
    "publicaties": lambda site, _: plan_publicatie_index(site),
    "publicatie": lambda site, slug: plan_publicatie(site, site.publicaties[slug]),
    "nieuws-overzicht": lambda site, _: plan_nieuws_index(site),
    "nieuws": lambda site, slug: plan_nieuws_item(site, site.nieuws[slug]),
    "pagina": lambda site, slug: plan_pagina(site, site.paginas[slug]),
    "matrix": lambda site, _: plan_matrix(site),
    "kennisoverzicht": lambda site, _: plan_overview(site),
    "kennisoverzicht-data": plan_overview_data,
    "alias": _alias_of,
    **FEED_PLANNERS,
}


def remake_plan(site: Site, maker: Maker) -> PagePlan | None:
    """The plan ``maker`` names, made again from ``site`` as plan_pages makes it; None
    when what it is the page of is no longer there."""
    name, argument = maker
    try:
        plan = PLANNERS[name](site, argument)
    except (KeyError, ValueError):
        return None
    add_owners(plan, site)
    return plan
