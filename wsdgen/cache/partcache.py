"""Parts of pages kept between builds with --cache: cards and calendar events.

A warm build renders again only the pages whose inputs changed (cache/pagecache.py),
but such a page can be a list of 600 cards, or the agenda's calendar with 600 events,
of which one changed. So the cards (``fragment(...)`` of a template whose arguments
are entries, render/renderer.Fragments) and the VEVENTs (render/ical.py) are kept too,
each under a *slot* (which card or event: its template and entries) with the digest of
what it is made from: the site-wide inputs, its template with all it uses, and every
entry it shows with the hash of its file. A part is reused only when its slot holds
that very digest; an edit of one entry changes the digest of the parts that show it.

The parts are kept in one signed record per kind in the cache folder, signed as the
pages are (cache/pagecache.SignedStore: without the cache key nothing is kept, and a
record not signed with it is not read). Forked render workers send the parts they made
back with their pages (``take_new``); the build saves the record at its end, keeping
only the slots whose entries still exist.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from wsdgen.cache.inputs import digest
from wsdgen.cache.pagecache import CacheFolder

EntryKey = tuple[str, str]
# A part as stored: its digest, its value, and the entries its slot names.
Stored = tuple[str, object, tuple[EntryKey, ...]]
# The cards and the events made since the last take (KeptParts.take_new).
NewParts = tuple[dict[str, Stored], dict[str, Stored]]
KINDS = ("kaarten", "agenda")


class PartCache:
    """The kept parts of one kind (``kaarten`` or ``agenda``), and this build's new ones."""

    def __init__(self, folder: CacheFolder, kind: str) -> None:
        assert kind in KINDS
        self.store = folder.records("onderdelen", kind)
        self.parts = self._parts(self.store.load_record())
        self.new: dict[str, Stored] = {}
        self.hits = 0

    @staticmethod
    def _parts(data: dict[str, object] | None) -> dict[str, Stored]:
        found = data.get("parts") if data else None
        if not isinstance(found, dict):
            return {}
        parts: dict[str, Stored] = {}
        for slot, item in found.items():
            if isinstance(item, list) and len(item) == 3 and isinstance(item[0], str):
                keys = item[2]
                if isinstance(keys, list) and all(_is_key(key) for key in keys):
                    parts[slot] = (item[0], item[1], tuple((a, b) for a, b in keys))
        return parts

    def get(self, slot: str, made_from: str) -> object | None:
        """The value kept in ``slot`` if it was made from the same inputs."""
        found = self.new.get(slot) or self.parts.get(slot)
        if found is None or found[0] != made_from:
            return None
        self.hits += 1
        return found[1]

    def put(self, slot: str, made_from: str, value: object, keys: Iterable[EntryKey]) -> None:
        """Keep a part this build made (JSON-able ``value``); ``keys`` are the entries of
        its slot: when one of them is gone, so is the part."""
        self.new[slot] = (made_from, value, tuple(keys))

    def take_new(self) -> dict[str, Stored]:
        """The parts made since the last call (a forked worker sends them back)."""
        new, self.new = self.new, {}
        self.parts.update(new)
        return new

    def add(self, parts: dict[str, Stored]) -> None:
        """Parts a worker made."""
        self.new.update(parts)

    def save(self, existing: Collection[EntryKey]) -> None:
        """Record the parts whose entries all still exist; nothing is written when no
        part was made and none is gone."""
        self.parts.update(self.new)
        kept = {
            slot: part
            for slot, part in self.parts.items()
            if all(key in existing for key in part[2])
        }
        if not self.new and len(kept) == len(self.parts):
            return
        record = {
            slot: [made, value, [list(key) for key in keys]]
            for slot, (made, value, keys) in kept.items()
        }
        try:
            self.store.save_record({"parts": record})
        except OSError:
            return


def _is_key(value: object) -> bool:
    return (
        isinstance(value, list) and len(value) == 2 and all(isinstance(part, str) for part in value)
    )


def slot_of(*parts: object) -> str:
    """A slot's name: short, and the same for the same template and entries."""
    return digest(*map(str, parts))[:32]


@dataclass
class KeptParts:
    """The parts a build with --cache keeps (on the run's session: session.Session.parts),
    and what their digests are made of."""

    cards: PartCache
    events: PartCache
    site_wide: str  # cache/inputs.site_wide_digest
    template_digest: Callable[[str], str]  # a template's digest with all it uses
    entries: dict[EntryKey, str]  # every entry's file hash

    @classmethod
    def open(
        cls,
        folder: CacheFolder,
        site_wide: str,
        template_digest: Callable[[str], str],
        entries: dict[EntryKey, str],
    ) -> KeptParts:
        cards = PartCache(folder, "kaarten")
        events = PartCache(folder, "agenda")
        return cls(cards, events, site_wide, template_digest, entries)

    def made_from(self, *parts: object, shown: Iterable[EntryKey] = ()) -> str:
        """The digest of a part: the site-wide inputs, ``parts`` (what makes it, such as
        its template's digest) and the entries it shows with their files' hashes."""
        entries = (f"{c}/{s}:{self.entries.get((c, s), '')}" for c, s in sorted(set(shown)))
        return digest(self.site_wide, *map(str, parts), *entries)

    def take_new(self) -> NewParts:
        return self.cards.take_new(), self.events.take_new()

    def add(self, new: NewParts) -> None:
        self.cards.add(new[0])
        self.events.add(new[1])

    def save(self) -> None:
        self.cards.save(self.entries)
        self.events.save(self.entries)
