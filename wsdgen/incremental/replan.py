"""Stage 4 again, for a few edited entries: which page plans an edit in place can
change, made again (`serve`'s quick path, see incremental/rebuild.py).

An edit in place changes a kenniscafé, publication or news item but keeps its file,
slug, aliases, draft status and media (image, PDF), and leaves its references valid.
Then no page comes or goes, no path or alias moves, and a plan can differ only on

- the pages that showed the old entry: the record of dependencies names them
  (incremental/dependencies.py);
- the pages that show the new one: the planners' rules say which (``pages_of``), and
  for the "Ook over dit thema" lists on other entries' pages ``elsewhere_pages``
  finds them from the theme lists.

Those are planned again from the updated graph (graph.replace_dated); the pages whose
plan is then equal to the old one do not change. A property test checks the result
against a clean build after random edits.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from dataclasses import dataclass

from wsdgen.check.graph import (
    DATED_ORDER,
    Dated,
    Site,
    newest_order,
    position_in,
    references_of,
    replace_dated,
)
from wsdgen.incremental.dependencies import Dependencies
from wsdgen.plan.overview import keep_overview
from wsdgen.plan.pageplan import Maker, PagePlan
from wsdgen.plan.pages import remake_plan
from wsdgen.plan.views import RELATED_LIMIT, elsewhere
from wsdgen.records import Entry, Kenniscafe, Nieuws

# The planner of an entry's own page and of its collection's list page.
OWN_PAGE = {"kenniscafes": "kenniscafe", "publicaties": "publicatie", "nieuws": "nieuws"}
LIST_PAGE = {
    "kenniscafes": "kenniscafes",
    "publicaties": "publicaties",
    "nieuws": "nieuws-overzicht",
}


def in_place(site: Site, old: Entry, new: Entry) -> bool:
    """Whether ``new`` replaces ``old`` in place (see the module docstring)."""
    if old.collection not in DATED_ORDER or type(new) is not type(old):
        return False
    if (new.slug, new.draft, new.aliases) != (old.slug, old.draft, old.aliases):
        return False
    if new.afbeelding != old.afbeelding or getattr(new, "url", None) != getattr(old, "url", None):
        return False  # images and PDF reports are prepared and checked by the media stage
    if any(slug not in site.collection(target) for _, target, slug, _ in references_of(new)):
        return False
    # The graph warns of a kenniscafé that is over without a report.
    return not (isinstance(new, Kenniscafe) and new.datum < site.today and not new.body.strip())


@dataclass(slots=True)
class Replanned:
    site: Site
    plans: dict[str, PagePlan]  # by output file: every plan made again


def replan(
    site: Site,
    plans: dict[str, PagePlan],
    dependencies: Dependencies,
    edits: Iterable[tuple[Dated, Dated]],
) -> Replanned | None:
    """The updated graph and the plans made again after the edits ((old, new) each, in
    place), or None when a plan cannot be made again here (then plan everything)."""
    edits = list(edits)
    before = site
    for old, new in edits:
        site = replace_dated(site, old, new)
    keep_overview(before, site, edits)
    makers: set[Maker] = set()
    for old, _ in edits:
        for file in dependencies.showing(old.key):
            maker = plans[file].maker
            if maker is not None:
                makers.add(maker)
    wanted = {maker for _, new in edits for maker in pages_of(site, new)}
    wanted |= {maker for _, new in edits for maker in elsewhere_pages(site, new)}
    remade: dict[str, PagePlan] = {}
    for maker in makers | wanted:
        plan = remake_plan(site, maker)
        if plan is None or plan.output_file not in plans:
            return None  # a page would go or come: not an edit in place after all
        remade[plan.output_file] = plan
    return Replanned(site, remade)


def pages_of(site: Site, entry: Dated) -> list[Maker]:
    """The pages that show ``entry`` by the planners' rules (plan/pages.py, plan/feeds.py),
    except the pages of other entries (see elsewhere_pages)."""
    makers: list[Maker] = [
        ("home", ""),
        (LIST_PAGE[entry.collection], ""),
        (OWN_PAGE[entry.collection], entry.slug),
    ]
    owner = site.werkplaatsen.get(getattr(entry, "werkplaats", None) or "")
    if owner is not None:
        makers.append(("werkplaats", owner.slug))
        makers += [("regio", slug) for slug in owner.regios if slug in site.regios]
    for slug in entry.themas:
        makers += [("thema", slug), ("thema-atom", slug)]
    if isinstance(entry, Kenniscafe):
        makers += [("agenda-ics", ""), ("kenniscafe-ics", entry.slug)]
        if owner is not None:
            makers.append(("werkplaats-ics", owner.slug))
    if isinstance(entry, Nieuws):
        makers.append(("nieuws-atom", ""))
    key = f"{entry.collection}/{entry.slug}"
    makers += [("alias", f"{key}/{index}") for index in range(len(entry.aliases))]
    return makers


def elsewhere_pages(site: Site, entry: Dated) -> set[Maker]:
    """The pages of other entries whose "Ook over dit thema" list holds ``entry``.

    Another entry X takes from a theme's list (newest first) the first RELATED_LIMIT
    entries of werkplaatsen other than its own. So ``entry``, at place ``at`` in that
    list, can be among them only if fewer than RELATED_LIMIT of the ``at`` entries
    before it are of other werkplaatsen than X's. For those X the list is made again.
    """
    own = getattr(entry, "werkplaats", None)
    found: set[Maker] = set()
    for slug in set(entry.themas):
        items = site.newest_by_thema.get(slug, ())
        at = position_in(items, newest_order, newest_order(entry), descending=True)
        before = collections.Counter(getattr(item, "werkplaats", None) for item in items[:at])
        near = {owner for owner, count in before.items() if at - count < RELATED_LIMIT}
        for other in items:
            owner = getattr(other, "werkplaats", None)
            if other is entry or owner == own or not (at < RELATED_LIMIT or owner in near):
                continue
            if any(shown is entry for shown in elsewhere(other, site.newest_by_thema)):
                found.add((OWN_PAGE[other.collection], other.slug))
    return found
