"""Plans of the files that are not pages for readers: feeds, calendars, the sitemap,
redirects (aliases and ``_redirects``) and the editing screen's files.
"""

from __future__ import annotations

from .beheer import beheer_wanted, cms_config_text, content_security_policy
from .graph import Site
from .plan import (
    ALL,
    PagePlan,
    ThemeLists,
    card_deps,
)
from .urls import Claim, normal_path

# Feed readers want what is new; older entries stay on the site itself.
FEED_LIMIT = 50


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


def plan_beheer(site: Site) -> list[PagePlan]:
    """The editing screen and its configuration, made from the content model."""
    if not beheer_wanted(site.config):
        return []
    context: dict[str, object] = {"title": "Beheer", "csp": content_security_policy(site.config)}
    return [
        PagePlan("/beheer/", "beheer.html", context, in_sitemap=False),
        PagePlan(
            "/beheer/config.yml",
            "beheer-config.yml",
            {"config_text": cms_config_text(site.config)},
            in_sitemap=False,
        ),
    ]


def plan_sitemap(plans: list[PagePlan]) -> PagePlan:
    paths = sorted(p.path for p in plans if p.in_sitemap)
    return PagePlan(
        "/sitemap.xml", "sitemap.xml", {"paths": paths}, frozenset({ALL}), in_sitemap=False
    )
