"""The page plan's own types: what one output file is (PagePlan), the entries it shows
(``deps``), and the small values every planner uses (breadcrumbs, claims).
"""

from __future__ import annotations

import collections
import functools
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

from wsdgen.check.urls import Claim, output_file_of
from wsdgen.records import Entry
from wsdgen.schema import COLLECTION_TITLES
from wsdgen.session import current

EntryKey = tuple[str, str]

# A planner's name and its argument (a slug, or "" for a page of its own), see PagePlan.
Maker = tuple[str, str]


# Plans whose content depends on every entry of the site (lists of everything).
ALL = ("*", "*")


SECTION_TITLES = {name: title for name, title in COLLECTION_TITLES.items() if name != "paginas"}


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
    # How `serve` makes this plan again after an in-place edit of one entry: a planner's
    # name and its argument (pages.remake_plan). None for the plans made only from
    # paths, aliases and config (the sitemap, _redirects, robots.txt), which such an
    # edit cannot change.
    maker: Maker | None = None

    @property
    def output_file(self) -> str:
        """Relative file name in the output folder ('werkplaatsen/x/index.html')."""
        return output_file_of(self.path)

    @property
    def entry(self) -> Entry | None:
        """The entry whose own page this is, if any."""
        value = self.context.get("entry")
        return value if isinstance(value, Entry) else None


def entry_card_deps(entry: Entry) -> frozenset[EntryKey]:
    """The entries one card shows: itself, its werkplaats, themes and regions (kept per
    record in the session: `serve` plans pages again after each change)."""
    session = current()
    found = session.card_deps.get(id(entry))
    if found is not None:
        return found
    keys = [entry.key]
    werkplaats = getattr(entry, "werkplaats", None)
    if werkplaats:
        keys.append(("werkplaatsen", werkplaats))
    keys += [("themas", slug) for slug in getattr(entry, "themas", ())]
    keys += [("regios", slug) for slug in getattr(entry, "regios", ())]
    if len(session.card_deps) > 200_000:
        session.card_deps.clear()
        session.pinned.clear()
    session.pinned[id(entry)] = entry  # so that no other record gets its id meanwhile
    found = session.card_deps[id(entry)] = frozenset(keys)
    return found


@dataclass(slots=True)
class ListDeps:
    """What the cards of one long list show, counted per entry key."""

    items: tuple[Entry, ...]  # kept, so that no other records get their ids meanwhile
    ids: frozenset[int]
    counts: collections.Counter[EntryKey]


# The session keeps the last long lists. The list of all kenniscafés and their calendar
# show the same entries; after an edit in `serve` a list differs from its last version
# in an entry or two, and its counts are those of that version corrected.
LONG_LIST = 256
NEAR = 4  # entries in or out at most, to correct an earlier list's counts


def card_deps(entries: Iterable[Entry]) -> set[EntryKey]:
    """An entry shown as a card also shows its werkplaats and theme titles."""
    items = tuple(entries)
    if len(items) < LONG_LIST:
        return set().union(*map(entry_card_deps, items))
    ids = tuple(map(id, items))
    lists = current().list_deps
    found = lists.get(ids)
    if found is None:
        found = list_deps(items, ids)
        if len(lists) >= 16:
            lists.clear()
        lists[ids] = found
    return set(found.counts)


def list_deps(items: tuple[Entry, ...], ids: tuple[int, ...]) -> ListDeps:
    """The counts of a long list: from a recent list that differs in a few entries, or
    counted afresh."""
    members = frozenset(ids)
    session = current()
    # Lists that hold an entry twice are counted afresh (a set of ids does not say so).
    earlier_lists = reversed(session.list_deps.values()) if len(members) == len(ids) else ()
    for earlier in earlier_lists:
        if len(earlier.ids) != len(earlier.items) or abs(len(earlier.ids) - len(ids)) > NEAR:
            continue
        gone, added = earlier.ids - members, members - earlier.ids
        if len(gone) + len(added) > NEAR or not gone <= session.card_deps.keys():
            continue
        counts = earlier.counts.copy()
        by_id = dict(zip(ids, items, strict=True)) if added else {}
        for number in gone:
            keys = session.card_deps[number]  # seen when the earlier list was counted
            counts.subtract(keys)
            for key in keys:
                if counts[key] <= 0:
                    del counts[key]
        for number in added:
            counts.update(entry_card_deps(by_id[number]))
        return ListDeps(items, members, counts)
    counts = collections.Counter(itertools.chain.from_iterable(map(entry_card_deps, items)))
    return ListDeps(items, members, counts)


@functools.lru_cache(maxsize=64)
def crumbs(*items: tuple[str, str]) -> tuple[Crumb, ...]:
    """The breadcrumb trail above a page: Home, then the given (title, path) steps."""
    return (Crumb("Home", "/"), *(Crumb(title, path) for title, path in items))


def section_crumb(collection: str) -> tuple[str, str]:
    return (SECTION_TITLES[collection], f"/{collection}/")
