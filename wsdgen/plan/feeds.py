"""Plans of the files that are not pages for readers: feeds, calendars, the sitemap,
redirects (aliases and ``_redirects``) and the editing screen's files.
"""

from __future__ import annotations

from collections.abc import Callable

from wsdgen.check.graph import Site
from wsdgen.check.urls import Claim, normal_path
from wsdgen.plan.pageplan import (
    ALL,
    PagePlan,
    card_deps,
)
from wsdgen.plan.views import news_in_order
from wsdgen.publish.beheer import beheer_wanted, cms_config_text, content_security_policy
from wsdgen.publish.beheer_werkplaats import (
    SCREENS_PATH,
    screen_addresses,
    screen_path,
    screen_werkplaatsen,
    werkplaats_config_text,
)
from wsdgen.records import Entry, Kenniscafe, Thema, Werkplaats

# Feed readers want what is new; older entries stay on the site itself.
FEED_LIMIT = 50


def plan_aliases(site: Site) -> list[PagePlan]:
    return [
        plan_alias(entry, index) for entry in site.entries() for index in range(len(entry.aliases))
    ]


def plan_alias(entry: Entry, index: int) -> PagePlan:
    """The page at an entry's old address (its ``index``-th alias) that sends readers on."""
    claim = Claim(
        f"een oud adres (aliases) in {entry.source.path}",
        entry.source.path,
        entry.source.line_of_item("aliases", index),
        "aliases",
    )
    return PagePlan(
        normal_path(entry.aliases[index]),
        "redirect.html",
        {"title": entry.title, "entry": entry, "target": entry.path},
        frozenset({entry.key}),
        in_sitemap=False,
        claim=claim,
        maker=("alias", f"{entry.collection}/{entry.slug}/{index}"),
    )


def plan_feeds(site: Site) -> list[PagePlan]:
    """Atom feeds (news; per theme) and iCalendar files (all, per werkplaats, per event)."""
    return [
        plan_news_feed(site),
        plan_agenda_calendar(site),
        *(plan_thema_feed(site, thema) for thema in site.themas.values()),
        *(plan_werkplaats_calendar(site, w) for w in site.werkplaatsen.values()),
        *(plan_kenniscafe_calendar(cafe) for cafe in site.agenda.all),
    ]


def plan_news_feed(site: Site) -> PagePlan:
    news = news_in_order(site)[:FEED_LIMIT]
    return PagePlan(
        "/nieuws/atom.xml",
        "atom.xml",
        {"title": f"Nieuws van {site.config.title}", "items": news, "html_path": "/nieuws/"},
        frozenset(card_deps(news)),
        in_sitemap=False,
        maker=("nieuws-atom", ""),
    )


def plan_agenda_calendar(site: Site) -> PagePlan:
    return PagePlan(
        "/kenniscafes/agenda.ics",
        "calendar.ics",
        {"name": f"Kenniscafés | {site.config.title}", "cafes": site.agenda.all},
        frozenset(card_deps(site.agenda.all)),
        in_sitemap=False,
        maker=("agenda-ics", ""),
    )


def plan_thema_feed(site: Site, thema: Thema) -> PagePlan:
    items = list(site.newest_by_thema[thema.slug][:FEED_LIMIT])
    return PagePlan(
        f"/themas/{thema.slug}/atom.xml",
        "atom.xml",
        {
            "title": f"{thema.title} | {site.config.title}",
            "items": items,
            "html_path": thema.path,
        },
        frozenset(card_deps([thema, *items])),
        in_sitemap=False,
        maker=("thema-atom", thema.slug),
    )


def plan_werkplaats_calendar(site: Site, werkplaats: Werkplaats) -> PagePlan:
    cafes = site.by_werkplaats[werkplaats.slug].agenda.all
    return PagePlan(
        f"/werkplaatsen/{werkplaats.slug}/agenda.ics",
        "calendar.ics",
        {"name": f"Kenniscafés | {werkplaats.title}", "cafes": cafes},
        frozenset(card_deps([werkplaats, *cafes])),
        in_sitemap=False,
        maker=("werkplaats-ics", werkplaats.slug),
    )


def plan_kenniscafe_calendar(cafe: Kenniscafe) -> PagePlan:
    return PagePlan(
        f"/kenniscafes/{cafe.slug}/agenda.ics",
        "calendar.ics",
        {"name": cafe.title, "cafes": (cafe,)},
        frozenset(card_deps([cafe])),
        in_sitemap=False,
        maker=("kenniscafe-ics", cafe.slug),
    )


# The planners of one feed each, by the name in PagePlan.maker (see pages.PLANNERS).
FEED_PLANNERS: dict[str, Callable[[Site, str], PagePlan]] = {
    "nieuws-atom": lambda site, _: plan_news_feed(site),
    "agenda-ics": lambda site, _: plan_agenda_calendar(site),
    "thema-atom": lambda site, slug: plan_thema_feed(site, site.themas[slug]),
    "werkplaats-ics": lambda site, slug: plan_werkplaats_calendar(site, site.werkplaatsen[slug]),
    "kenniscafe-ics": lambda site, slug: plan_kenniscafe_calendar(site.kenniscafes[slug]),
}


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


def plan_beheer(site: Site) -> list[PagePlan]:
    """The editing screen and its configuration, made from the content model; with a
    `redactie:` section also one screen per werkplaats and a page that lists them
    (publish/beheer_werkplaats.py)."""
    if not beheer_wanted(site.config):
        return []
    csp = content_security_policy(site.config)
    plans = [
        PagePlan(
            "/beheer/",
            "beheer.html",
            {"title": "Beheer", "csp": csp, "config_path": "/beheer/config.yml"},
            in_sitemap=False,
        ),
        PagePlan(
            "/beheer/config.yml",
            "beheer-config.yml",
            {"config_text": cms_config_text(site.config)},
            in_sitemap=False,
        ),
    ]
    if site.config.redactie is None:
        return plans
    werkplaatsen = screen_werkplaatsen(site.config, site.werkplaatsen)
    for werkplaats in werkplaatsen:
        plans += plan_werkplaats_screen(site, werkplaats, csp)
    screens = [{"title": w.title, "path": screen_path(w.slug)} for w in werkplaatsen]
    plans.append(
        PagePlan(
            SCREENS_PATH,
            "beheer-werkplaatsen.html",
            {
                "title": "Beheerschermen per werkplaats",
                "screens": screens,
                "addresses": screen_addresses(site.config, werkplaatsen),
            },
            frozenset(w.key for w in werkplaatsen),
            in_sitemap=False,
        )
    )
    return plans


def plan_werkplaats_screen(site: Site, werkplaats: Werkplaats, csp: str) -> list[PagePlan]:
    """One werkplaats's editing screen and its configuration (its title and file name
    are in it, hence the dependency on the werkplaats)."""
    path = screen_path(werkplaats.slug)
    deps = frozenset({werkplaats.key})
    return [
        PagePlan(
            path,
            "beheer.html",
            {
                "title": f"Beheer {werkplaats.title}",
                "csp": csp,
                "config_path": path + "config.yml",
            },
            deps,
            in_sitemap=False,
        ),
        PagePlan(
            path + "config.yml",
            "beheer-config.yml",
            {"config_text": werkplaats_config_text(site.config, werkplaats)},
            deps,
            in_sitemap=False,
        ),
    ]


def plan_sitemap(plans: list[PagePlan]) -> PagePlan:
    paths = sorted(p.path for p in plans if p.in_sitemap)
    return PagePlan(
        "/sitemap.xml", "sitemap.xml", {"paths": paths}, frozenset({ALL}), in_sitemap=False
    )
