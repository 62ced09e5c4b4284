"""Stage 4: plan every page of the contract: its path, template, context and inputs.

A PagePlan's context is finished (lists split and sorted, groups made); templates only
lay it out. ``deps`` names the entries whose data appear on the page, so a change to
one entry can tell which pages to render again.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter

from . import diagnostics as diag
from .assets import Assets
from .diagnostics import Diagnostic
from .graph import Agenda, Related, Site, group_by_regio, newest_key
from .records import Entry, Kenniscafe, Pagina, Thema, Werkplaats
from .urls import Claim, find_collisions, normal_path, output_file_of

EntryKey = tuple[str, str]
# Per theme: its dated entries, newest first, each with its rank among all dated entries.
ThemeLists = dict[str, tuple[tuple[int, Entry], ...]]

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
HOME_RECENT = 3
RELATED_LIMIT = 5
# Feed readers want what is new; older entries stay on the site itself.
FEED_LIMIT = 50
NEIGHBOURS_LIMIT = 5
CHART_HEIGHT = 120
CHART_BAR_WIDTH = 36
CHART_GAP = 16
SOORT_LABELS = {
    "werkplaatsen": "Werkplaats",
    "themas": "Thema",
    "regios": "Regio",
    "kenniscafes": "Kenniscafé",
    "publicaties": "Publicatie",
    "nieuws": "Nieuws",
    "paginas": "Pagina",
}


@dataclass(frozen=True, slots=True)
class Crumb:
    title: str
    path: str


SITE_CLAIM = Claim("een vaste pagina van de site")


def entry_claim(entry: Entry) -> Claim:
    return Claim(f"de pagina van {entry.source.path}", entry.source.path)


@dataclass(frozen=True, slots=True)
class PagePlan:
    """One file of the output: where it goes, how it is made, and what it shows."""

    path: str  # site path of the page, e.g. /werkplaatsen/x/ or /sitemap.xml
    template: str
    context: dict[str, object] = field(default_factory=dict)
    deps: frozenset[EntryKey] = frozenset()
    in_sitemap: bool = True
    claim: Claim = SITE_CLAIM

    @property
    def output_file(self) -> str:
        """Relative file name in the output folder ('werkplaatsen/x/index.html')."""
        return output_file_of(self.path)


_CARD_DEPS: dict[tuple[str, str, str], tuple[EntryKey, ...]] = {}


def entry_card_deps(entry: Entry) -> tuple[EntryKey, ...]:
    """The entries one card shows: itself, its werkplaats, themes and regions (memoised
    by the file's hash: `serve` plans every page again after each change)."""
    memo_key = (entry.collection, entry.slug, entry.source.digest)
    found = _CARD_DEPS.get(memo_key)
    if found is None:
        keys = [entry.key]
        werkplaats = getattr(entry, "werkplaats", None)
        if werkplaats:
            keys.append(("werkplaatsen", werkplaats))
        keys += [("themas", slug) for slug in getattr(entry, "themas", ())]
        keys += [("regios", slug) for slug in getattr(entry, "regios", ())]
        if len(_CARD_DEPS) > 200_000:
            _CARD_DEPS.clear()
        found = _CARD_DEPS[memo_key] = tuple(keys)
    return found


def card_deps(entries: Iterable[Entry]) -> set[EntryKey]:
    """An entry shown as a card also shows its werkplaats and theme titles."""
    deps: set[EntryKey] = set()
    for entry in entries:
        deps.update(entry_card_deps(entry))
    return deps


@functools.lru_cache(maxsize=64)
def crumbs(*items: tuple[str, str]) -> tuple[Crumb, ...]:
    """The breadcrumb trail above a page: Home, then the given (title, path) steps."""
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
    # With nothing planned, the latest reports keep the home page useful.
    recent = () if upcoming else site.agenda.past[:HOME_RECENT]
    news = sorted(site.nieuws.values(), key=lambda n: (n.datum, n.title), reverse=True)
    news = news[:HOME_NEWS]
    themas = active_first(site.themas.values())
    regions = [(r, wps) for r, wps in group_by_regio(site) if wps]
    deps = card_deps([*upcoming, *recent, *news, *themas, *site.werkplaatsen.values()])
    deps |= {r.key for r, _ in regions}
    return PagePlan(
        "/",
        "home.html",
        {
            "title": site.config.title,
            "upcoming": upcoming,
            "recent": recent,
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
        neighbours = shared_theme_neighbours(site, werkplaats)
        context = {
            "title": werkplaats.title,
            "entry": werkplaats,
            "related": related,
            "regios": [site.regios[s] for s in werkplaats.regios if s in site.regios],
            "themas": [site.themas[s] for s in werkplaats.themas if s in site.themas],
            "neighbours": neighbours,
            "chart": year_chart(related.agenda.all),
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
        "related": related,
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


def newest_by_thema(site: Site) -> ThemeLists:
    """Per theme, its kenniscafés, publications and news together, newest first, each
    with its rank among all of them (so lists can be merged by comparing numbers)."""
    dated: list[Entry] = [*site.kenniscafes.values(), *site.publicaties.values()]
    dated += site.nieuws.values()
    rank = {id(e): i for i, e in enumerate(sorted(dated, key=newest_key, reverse=True))}
    lists: ThemeLists = {}
    for slug, related in site.by_thema.items():
        items = [*related.agenda.all, *related.publicaties, *related.nieuws]
        lists[slug] = tuple(sorted(((rank[id(e)], e) for e in items), key=itemgetter(0)))
    return lists


def elsewhere(entry: Entry, newest: ThemeLists, limit: int = RELATED_LIMIT) -> list[Entry]:
    """ "Ook over dit thema": entries of *other* werkplaatsen on a shared theme, newest first.

    The first ``limit`` that qualify in each theme's list (newest first) are enough:
    the overall first ``limit`` are among them.
    """
    own = getattr(entry, "werkplaats", None)
    candidates: dict[int, Entry] = {}
    for slug in getattr(entry, "themas", ()):
        taken = 0
        for rank, other in newest.get(slug, ()):
            if other is entry or getattr(other, "werkplaats", None) == own:
                continue
            candidates[rank] = other
            taken += 1
            if taken == limit:
                break
    return [candidates[rank] for rank in sorted(candidates)[:limit]]


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


def menu_pages(paginas: Iterable[Pagina]) -> list[Pagina]:
    """Free pages with a 'menu' position, in that order."""
    return sorted((p for p in paginas if p.menu is not None), key=lambda p: (p.menu, p.title))


def plan_aliases(site: Site) -> list[PagePlan]:
    plans = []
    for entry in site.entries():
        for index, alias in enumerate(entry.aliases):
            claim = Claim(
                f"een oud adres (aliases) in {entry.source.path}",
                entry.source.path,
                entry.source.line_of_item("aliases", index),
                "aliases",
            )
            plans.append(
                PagePlan(
                    normal_path(alias),
                    "redirect.html",
                    {"title": entry.title, "entry": entry, "target": entry.path},
                    frozenset({entry.key}),
                    in_sitemap=False,
                    claim=claim,
                )
            )
    return plans


def plan_feeds(site: Site, newest: ThemeLists) -> list[PagePlan]:
    """Atom feeds (news; per theme) and iCalendar files (all, per werkplaats, per event)."""
    news = sorted(site.nieuws.values(), key=lambda n: (n.datum, n.title), reverse=True)
    news = news[:FEED_LIMIT]
    plans = [
        PagePlan(
            "/nieuws/atom.xml",
            "atom.xml",
            {"title": f"Nieuws van {site.config.title}", "items": news, "html_path": "/nieuws/"},
            frozenset(card_deps(news)),
            in_sitemap=False,
        ),
        PagePlan(
            "/kenniscafes/agenda.ics",
            "calendar.ics",
            {"name": f"Kenniscafés | {site.config.title}", "cafes": site.agenda.all},
            frozenset(card_deps(site.agenda.all)),
            in_sitemap=False,
        ),
    ]
    for thema in site.themas.values():
        items = [entry for _, entry in newest[thema.slug][:FEED_LIMIT]]
        plans.append(
            PagePlan(
                f"/themas/{thema.slug}/atom.xml",
                "atom.xml",
                {
                    "title": f"{thema.title} | {site.config.title}",
                    "items": items,
                    "html_path": thema.path,
                },
                frozenset(card_deps([thema, *items])),
                in_sitemap=False,
            )
        )
    for werkplaats in site.werkplaatsen.values():
        cafes = site.by_werkplaats[werkplaats.slug].agenda.all
        plans.append(
            PagePlan(
                f"/werkplaatsen/{werkplaats.slug}/agenda.ics",
                "calendar.ics",
                {"name": f"Kenniscafés | {werkplaats.title}", "cafes": cafes},
                frozenset(card_deps([werkplaats, *cafes])),
                in_sitemap=False,
            )
        )
    for cafe in site.agenda.all:
        plans.append(
            PagePlan(
                f"/kenniscafes/{cafe.slug}/agenda.ics",
                "calendar.ics",
                {"name": cafe.title, "cafes": (cafe,)},
                frozenset(card_deps([cafe])),
                in_sitemap=False,
            )
        )
    return plans


def plan_redirects(site: Site) -> PagePlan:
    """A `_redirects` file (Netlify, Cloudflare Pages) with every alias, with and without '/'."""
    rules: list[tuple[str, str]] = []
    for entry in site.entries():
        for alias in entry.aliases:
            rules.append((alias, entry.path))
            stripped = alias.rstrip("/")
            if stripped and stripped != alias:
                rules.append((stripped, entry.path))
            elif not alias.endswith("/") and normal_path(alias) != alias:
                rules.append((alias + "/", entry.path))
    return PagePlan(
        "/_redirects",
        "_redirects",
        {"rules": sorted(set(rules))},
        frozenset(e.key for e in site.entries() if e.aliases),
        in_sitemap=False,
    )


def plan_sitemap(plans: list[PagePlan]) -> PagePlan:
    paths = sorted(p.path for p in plans if p.in_sitemap)
    return PagePlan(
        "/sitemap.xml", "sitemap.xml", {"paths": paths}, frozenset({ALL}), in_sitemap=False
    )


# Site paths that are not pages but still belong to the site (or its editing screen).
RESERVED_PREFIXES = ("/assets/", "/pagefind/", "/beheer/", "/.well-known/")


def path_problems(plans: list[PagePlan], assets: Assets) -> list[Diagnostic]:
    """The plan is the one list of the site's paths: every planned file and asset must
    land in a place of its own, free pages may not take a top-level name the site uses,
    and a publication's site-path url must point at something that exists."""
    known = {normal_path(p.path) for p in plans} | {normal_path(a) for a in assets.site_paths}
    reserved = reserved_names(plans)
    misnamed = [p for p in plans if p.template == "pagina.html" and p.path.strip("/") in reserved]
    placed = [p for p in plans if p not in misnamed]
    return [
        *collision_problems(placed, assets),
        *(reserved_error(plan) for plan in misnamed),
        *missing_url_problems(plans, known),
    ]


def missing_url_problems(plans: list[PagePlan], known: set[str]) -> list[Diagnostic]:
    """A publication whose url is a site path must point at a page or file of the site."""
    problems = []
    for plan in plans:
        entry = plan.context.get("entry")
        url = getattr(entry, "url", None) if plan.template == "publicatie.html" else None
        if isinstance(entry, Entry) and isinstance(url, str) and url.startswith("/"):
            if normal_path(url) in known:
                continue
            problems.append(
                diag.error(
                    entry.source.path,
                    entry.source.line_of("url"),
                    f"url: '{url}' bestaat niet op de site; zet het bestand onder assets/ "
                    "(dan is het adres /assets/...)",
                    "url",
                )
            )
    return problems


def collision_problems(plans: list[PagePlan], assets: Assets) -> list[Diagnostic]:
    """Two planned files (or a file and a folder) in one place, after normalising."""
    site_first = sorted(plans, key=claim_order)
    claims = [(a, Claim("een bestand onder assets/")) for a in sorted(assets.site_paths)]
    problems: list[Diagnostic] = []
    for plan in site_first:
        if plan.claim.field == "aliases" and (
            plan.path == "/" or plan.path.startswith(RESERVED_PREFIXES)
        ):
            problems.append(alias_error(plan.claim, plan.path, "een vaste plek van de site"))
        else:
            claims.append((plan.path, plan.claim))
    for collision in find_collisions(claims):
        problems.append(alias_error(collision.claim, collision.wanted, collision.holder.owner))
    return problems


def claim_order(plan: PagePlan) -> int:
    """The site's own files claim their paths first, then entry pages, then aliases."""
    if plan.claim is SITE_CLAIM:
        return 0
    return 2 if plan.claim.field == "aliases" else 1


def alias_error(claim: Claim, path: str, holder: str) -> Diagnostic:
    if claim.field == "aliases":
        message = (
            f"aliases: '{path}' is al in gebruik door {holder}; een oud adres mag maar naar "
            "één pagina leiden en geen bestaande pagina vervangen"
        )
    else:
        message = f"het adres '{path}' van deze pagina is al in gebruik door {holder}"
    return diag.error(claim.path or "config.yaml", claim.line, message, claim.field)


def reserved_names(plans: list[PagePlan]) -> set[str]:
    """Top-level names the site itself uses ('zoeken', '404', 'sitemap', 'assets', ...)."""
    taken = {"assets", "pagefind", "beheer", "index", "well-known"}
    for plan in plans:
        if plan.claim is SITE_CLAIM:
            first = plan.path.strip("/").split("/")[0]
            taken.add(first.rsplit(".", 1)[0] if "." in first else first)
    return taken


def reserved_error(plan: PagePlan) -> Diagnostic:
    name = plan.path.strip("/")
    return diag.error(
        plan.claim.path,
        1,
        f"een pagina mag niet '{name}' heten: dat adres gebruikt de site zelf; kies een "
        "andere bestandsnaam",
    )
