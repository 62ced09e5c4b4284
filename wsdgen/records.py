"""Typed records: one frozen dataclass per collection, made by the validate stage.

Records never point at other records; references stay slugs and the graph stage joins
them. Field names keep the Dutch names of the content model, so one name means the
same thing in YAML, Python and templates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a record came from: its file (relative to the site) and each field's line."""

    path: str
    lines: tuple[tuple[str, int], ...] = ()
    item_lines: tuple[tuple[str, tuple[int, ...]], ...] = ()
    digest: str = ""

    def line_of(self, name: str) -> int:
        for key, line in self.lines:
            if key == name:
                return line
        return 1

    def line_of_item(self, name: str, index: int) -> int:
        """The line of a list item, or of the list's key when the item has no own line."""
        for key, lines in self.item_lines:
            if key == name and index < len(lines):
                return lines[index]
        return self.line_of(name)


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    collection: ClassVar[str] = ""

    slug: str
    title: str
    source: SourceRef = field(repr=False)
    summary: str | None = None
    draft: bool = False
    aliases: tuple[str, ...] = ()
    # Neither this nor ``source`` is in the repr: a template that prints an entry must
    # not show its body other than through body(entry) (render/sandbox.py).
    body: str = field(default="", repr=False)
    extra: tuple[tuple[str, object], ...] = ()
    # An image of the entry (a site path under /assets/) and its alt text; "" marks an
    # image as decorative. Not every collection has the fields (see schema.FIELDS).
    afbeelding: str | None = None
    afbeelding_alt: str | None = None
    afbeelding_decoratief: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.collection, self.slug)

    @property
    def path(self) -> str:
        """The entry's site path, without the base URL."""
        return f"/{self.collection}/{self.slug}/"


@dataclass(frozen=True, slots=True, kw_only=True)
class Werkplaats(Entry):
    collection: ClassVar[str] = "werkplaatsen"

    regios: tuple[str, ...] = ()
    status: str = "actief"
    hogescholen: tuple[str, ...] = ()
    lectoraten: tuple[str, ...] = ()
    leiding: tuple[str, ...] = ()
    ouderenprogramma: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    gemeenten: tuple[str, ...] = ()
    themas: tuple[str, ...] = ()
    website: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Thema(Entry):
    collection: ClassVar[str] = "themas"

    status: str = "actief"
    sinds: int | None = None
    tot: int | None = None
    soort: str = "themagroep"


@dataclass(frozen=True, slots=True, kw_only=True)
class Regio(Entry):
    collection: ClassVar[str] = "regios"


@dataclass(frozen=True, slots=True, kw_only=True)
class Kenniscafe(Entry):
    collection: ClassVar[str] = "kenniscafes"

    datum: dt.date
    werkplaats: str
    begintijd: dt.time | None = None
    eindtijd: dt.time | None = None
    themas: tuple[str, ...] = ()
    locatie: str | None = None
    bezoekers: int | None = None
    sprekers: tuple[str, ...] = ()
    aanmelden: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Publicatie(Entry):
    collection: ClassVar[str] = "publicaties"

    jaar: int
    datum: dt.date | None = None
    auteurs: tuple[str, ...] = ()
    werkplaats: str | None = None
    themas: tuple[str, ...] = ()
    soort: str | None = None
    uitgever: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Nieuws(Entry):
    collection: ClassVar[str] = "nieuws"

    datum: dt.date
    werkplaats: str | None = None
    themas: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Pagina(Entry):
    collection: ClassVar[str] = "paginas"

    menu: int | None = None

    @property
    def path(self) -> str:
        return f"/{self.slug}/"


RECORD_TYPES: dict[str, type[Entry]] = {
    cls.collection: cls
    for cls in (Werkplaats, Thema, Regio, Kenniscafe, Publicatie, Nieuws, Pagina)
}


@dataclass(frozen=True, slots=True)
class Reference:
    """One reference from an entry: field, target collection, slug and its line."""

    field: str
    target: str
    slug: str
    line: int


@dataclass(frozen=True, slots=True)
class Rejected:
    """An entry that failed validation: kept so the graph can still check its references
    and does not report "no such werkplaats" for every entry that points at it."""

    collection: str
    slug: str
    path: str
    draft: bool
    references: tuple[Reference, ...] = ()
    # Its old addresses, as far as they could be read, with their lines: they still
    # take part in the path plan, so their collisions are told in the same run.
    aliases: tuple[tuple[str, int], ...] = ()

    @property
    def site_path(self) -> str:
        """The site path its page would have (see Entry.path and Pagina.path)."""
        if self.collection == "paginas":
            return f"/{self.slug}/"
        return f"/{self.collection}/{self.slug}/"


@dataclass(frozen=True, slots=True)
class RawEntry:
    """Just what one content file said, and where it said it (output of the sources stage)."""

    path: str
    collection: str
    slug: str
    values: dict[str, object]
    lines: dict[str, int]
    item_lines: dict[str, list[int]] = field(default_factory=dict)
    duplicates: tuple[tuple[str, int], ...] = ()
    body: str = ""
    digest: str = ""
