"""The page plan's own types: what one output file is (PagePlan), the entries it shows
(``deps``), and the small values every planner uses (breadcrumbs, claims).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from .records import Entry
from .schema import COLLECTION_TITLES
from .urls import Claim, output_file_of

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


_CARD_DEPS: dict[int, tuple[Entry, frozenset[EntryKey]]] = {}


def entry_card_deps(entry: Entry) -> frozenset[EntryKey]:
    """The entries one card shows: itself, its werkplaats, themes and regions (memoised
    by the record, kept with it so that its id stays its own: `serve` plans pages again
    after each change)."""
    found = _CARD_DEPS.get(id(entry))
    if found is not None:  # the entry is kept with it: no other object has its id
        return found[1]
    keys = [entry.key]
    werkplaats = getattr(entry, "werkplaats", None)
    if werkplaats:
        keys.append(("werkplaatsen", werkplaats))
    keys += [("themas", slug) for slug in getattr(entry, "themas", ())]
    keys += [("regios", slug) for slug in getattr(entry, "regios", ())]
    if len(_CARD_DEPS) > 200_000:
        _CARD_DEPS.clear()
    _CARD_DEPS[id(entry)] = (entry, frozenset(keys))
    return _CARD_DEPS[id(entry)][1]


# The deps of the last long lists (by the ids of their entries, which are kept with them):
# the list of all kenniscafés and their calendar show the same ones.
_LIST_DEPS: dict[tuple[int, ...], tuple[tuple[Entry, ...], frozenset[EntryKey]]] = {}
LONG_LIST = 256


def card_deps(entries: Iterable[Entry]) -> set[EntryKey]:
    """An entry shown as a card also shows its werkplaats and theme titles."""
    items = tuple(entries)
    if len(items) < LONG_LIST:
        return set().union(*map(entry_card_deps, items))
    key = tuple(map(id, items))
    found = _LIST_DEPS.get(key)
    if found is None:
        if len(_LIST_DEPS) >= 16:
            _LIST_DEPS.clear()
        found = _LIST_DEPS[key] = (items, frozenset().union(*map(entry_card_deps, items)))
    return set(found[1])


@functools.lru_cache(maxsize=64)
def crumbs(*items: tuple[str, str]) -> tuple[Crumb, ...]:
    """The breadcrumb trail above a page: Home, then the given (title, path) steps."""
    return (Crumb("Home", "/"), *(Crumb(title, path) for title, path in items))


def section_crumb(collection: str) -> tuple[str, str]:
    return (SECTION_TITLES[collection], f"/{collection}/")
