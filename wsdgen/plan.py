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


# Per theme: its dated entries, newest first, each with its rank among all dated entries.
ThemeLists = dict[str, tuple[tuple[int, Entry], ...]]


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

    @property
    def output_file(self) -> str:
        """Relative file name in the output folder ('werkplaatsen/x/index.html')."""
        return output_file_of(self.path)

    @property
    def entry(self) -> Entry | None:
        """The entry whose own page this is, if any."""
        value = self.context.get("entry")
        return value if isinstance(value, Entry) else None


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
