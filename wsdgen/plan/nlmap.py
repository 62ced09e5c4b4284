"""The map of the Netherlands on /kennisoverzicht/: the regions and their werkplaatsen.

A tile grid: each of the twelve provinces is a square-ish tile at its approximate place
(three columns, north to south), with the region's name and its werkplaatsen as links.
No boundary data is vendored: no package on the registries this project can reach ships
Dutch province borders in a vector format under an open licence (see the report of
issue 21), and a tile grid keeps every name readable and every link a large target.

Regions that are not one of the twelve provinces (a "grensregio", "landelijk") get
tiles in rows below the grid, and so do werkplaatsen without a region. The geometry is
computed here, at build time; partials/kaart.html only draws it (inline SVG, no script)
and repeats the same links as a list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wsdgen.check.graph import Site
from wsdgen.records import Werkplaats

# The twelve provinces by their usual slug: (column, row) in the grid, and the name.
PROVINCES: dict[str, tuple[int, int, str]] = {
    "friesland": (0, 0, "Friesland"),
    "groningen": (1, 0, "Groningen"),
    "drenthe": (2, 0, "Drenthe"),
    "noord-holland": (0, 1, "Noord-Holland"),
    "flevoland": (1, 1, "Flevoland"),
    "overijssel": (2, 1, "Overijssel"),
    "zuid-holland": (0, 2, "Zuid-Holland"),
    "utrecht": (1, 2, "Utrecht"),
    "gelderland": (2, 2, "Gelderland"),
    "zeeland": (0, 3, "Zeeland"),
    "noord-brabant": (1, 3, "Noord-Brabant"),
    "limburg": (2, 3, "Limburg"),
}
# Other spellings of a province's slug that editors may use.
ALIASES = {"fryslan": "friesland", "brabant": "noord-brabant"}

COLUMNS = 3
TILE_WIDTH = 194
GAP = 9
PAD = 8
NAME_FONT = 23
NAME_LINE = 28
LINK_FONT = 22
LINK_LINE = 26
LINK_GAP = 6
EXTRA_LABEL_LINE = 34
TEXT_WIDTH = TILE_WIDTH - 2 * PAD
WIDTH = COLUMNS * TILE_WIDTH + (COLUMNS - 1) * GAP

# What a werkplaats is called on a tile: its title without the common prefix.
PREFIXES = ("Werkplaats Sociaal Domein ", "Werkplaats ")
NO_WERKPLAATS = "geen werkplaats"
NO_REGION = "zonder-regio"
NO_REGION_NAME = "Zonder regio"
EXTRA_LABEL = "Andere regio's"

# Rough glyph widths (in em) of a wide sans-serif (DejaVu Sans, the usual fallback on
# Linux; system-ui, Segoe UI and Arial are narrower), enough to wrap names safely.
NARROW = set("ijlI.,:;'!|")
MIDDLE = set("rtf()[]- ")
WIDE = set("mwMW")
BOLD = 1.12


@dataclass(frozen=True, slots=True)
class MapLine:
    """One line of text in the SVG: where its baseline starts."""

    text: str
    x: int
    y: int


@dataclass(frozen=True, slots=True)
class MapLink:
    """A name on a tile (a region or a werkplaats): its lines, the box behind them
    (the link's target area and focus highlight) and where it links to (None: no page)."""

    title: str
    href: str | None
    lines: tuple[MapLine, ...]
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class MapTile:
    """One region: a province at its place in the grid, or another region below it."""

    slug: str
    name: MapLink
    werkplaatsen: tuple[MapLink, ...]
    province: bool
    # Whether the site has a page for this region (a province may have none).
    known: bool
    x: int
    y: int
    width: int
    height: int
    # "geen werkplaats", placed under the name, for a tile without werkplaatsen.
    empty: MapLine | None = None


@dataclass(frozen=True, slots=True)
class ProvinceMap:
    width: int
    height: int
    tiles: tuple[MapTile, ...]
    # Label above the rows of other regions, when there are any.
    extra_label: MapLine | None
    title: str
    description: str

    @property
    def werkplaats_count(self) -> int:
        return len({link.href for tile in self.tiles for link in tile.werkplaatsen})


def text_width(text: str, font_size: float, bold: bool = False) -> float:
    """An estimate of how wide ``text`` is drawn, on the safe side."""
    ems = 0.0
    for char in text:
        if char in NARROW:
            ems += 0.3
        elif char in MIDDLE:
            ems += 0.4
        elif char in WIDE:
            ems += 0.95
        elif char.isupper() or char.isdigit():
            ems += 0.72
        else:
            ems += 0.62
    return ems * font_size * (BOLD if bold else 1.0)


def wrap(text: str, font_size: float, bold: bool = False, width: int = TEXT_WIDTH) -> list[str]:
    """``text`` in lines that fit ``width``; words are broken only after a hyphen, and a
    single word too long for a line is left whole."""
    words: list[str] = []
    for word in text.split():
        if text_width(word, font_size, bold) > width and "-" in word[1:-1]:
            head, _, tail = word.partition("-")
            words += [head + "-", tail]
        else:
            words.append(word)
    lines: list[str] = []
    for word in words:
        if lines:
            joined = lines[-1] + ("" if lines[-1].endswith("-") else " ") + word
            if text_width(joined, font_size, bold) <= width:
                lines[-1] = joined
                continue
        lines.append(word)
    return lines or [""]


def short_name(werkplaats: Werkplaats) -> str:
    """A werkplaats's name on a tile: "Werkplaats Sociaal Domein Twente" -> "Twente"."""
    title = " ".join(werkplaats.title.split())
    for prefix in PREFIXES:
        if title.lower().startswith(prefix.lower()) and len(title) > len(prefix):
            return title[len(prefix) :]
    return title


def province_slug(slug: str) -> str:
    return ALIASES.get(slug, slug)


@dataclass(frozen=True, slots=True)
class _Region:
    slug: str
    name: str
    href: str | None
    known: bool
    werkplaatsen: tuple[tuple[str, str, str], ...]  # (title, short name, href)


def _regions(site: Site) -> tuple[dict[str, _Region], list[_Region]]:
    """The site's regions and werkplaatsen: the twelve provinces by slug, and the
    other regions (werkplaatsen without a region last)."""
    url = site.config.url
    members: dict[str, list[Werkplaats]] = {}
    loose: list[Werkplaats] = []
    for werkplaats in site.werkplaatsen.values():
        regios = [slug for slug in werkplaats.regios if slug in site.regios]
        for slug in dict.fromkeys(regios):
            members.setdefault(slug, []).append(werkplaats)
        if not regios:
            loose.append(werkplaats)

    def links(items: Iterable[Werkplaats]) -> tuple[tuple[str, str, str], ...]:
        ordered = sorted(items, key=lambda w: (w.title.lower(), w.slug))
        return tuple((w.title, short_name(w), url(w.path)) for w in ordered)

    provinces: dict[str, _Region] = {}
    others: list[_Region] = []
    for slug, regio in site.regios.items():
        region = _Region(slug, regio.title, url(regio.path), True, links(members.get(slug, ())))
        key = province_slug(slug)
        if key in PROVINCES and key not in provinces:
            provinces[key] = region
        else:
            others.append(region)
    others.sort(key=lambda r: (r.name.lower(), r.slug))
    for slug, (_, _, name) in PROVINCES.items():
        provinces.setdefault(slug, _Region(slug, name, None, False, ()))
    if loose:
        others.append(_Region(NO_REGION, NO_REGION_NAME, None, False, links(loose)))
    return provinces, others


def _link(
    title: str, label: str, href: str | None, x: int, y: int, font: int, line: int, bold: bool
) -> MapLink:
    """A name wrapped into lines from ``y`` down, with the box behind it."""
    rows = wrap(label, font, bold)
    baseline = line - (line - font) // 2 - 3
    lines = tuple(MapLine(text, x + PAD, y + baseline + line * i) for i, text in enumerate(rows))
    return MapLink(title, href, lines, x + PAD // 2, y, TILE_WIDTH - PAD, line * len(rows) + 2)


def _tile_height(region: _Region) -> int:
    height = PAD + NAME_LINE * len(wrap(region.name, NAME_FONT, True)) + LINK_GAP
    if not region.werkplaatsen:
        return height + LINK_LINE + PAD
    for _, label, _ in region.werkplaatsen:
        height += LINK_LINE * len(wrap(label, LINK_FONT)) + LINK_GAP
    return height + PAD


def _tile(region: _Region, x: int, y: int, height: int, province: bool) -> MapTile:
    name = _link(region.name, region.name, region.href, x, y + PAD, NAME_FONT, NAME_LINE, True)
    at = name.y + name.height + LINK_GAP
    werkplaatsen = []
    for title, label, href in region.werkplaatsen:
        link = _link(title, label, href, x, at, LINK_FONT, LINK_LINE, False)
        werkplaatsen.append(link)
        at = link.y + link.height + LINK_GAP
    empty = None
    if not werkplaatsen:
        empty = MapLine(NO_WERKPLAATS, x + PAD, at + LINK_FONT)
    return MapTile(
        slug=region.slug,
        name=name,
        werkplaatsen=tuple(werkplaatsen),
        province=province,
        known=region.known,
        x=x,
        y=y,
        width=TILE_WIDTH,
        height=height,
        empty=empty,
    )


def _rows(cells: Sequence[tuple[int, int, _Region]]) -> dict[int, int]:
    """The height of each row: that of its tallest tile."""
    heights: dict[int, int] = {}
    for _, row, region in cells:
        heights[row] = max(heights.get(row, 0), _tile_height(region))
    return heights


def province_map(site: Site) -> ProvinceMap:
    """The tile map of the site's regions and werkplaatsen, with its geometry."""
    provinces, others = _regions(site)
    cells = [(column, row, provinces[slug]) for slug, (column, row, _) in PROVINCES.items()]
    heights = _rows(cells)
    tops = {row: sum(heights[r] + GAP for r in range(row)) for row in heights}
    tiles = [
        _tile(region, column * (TILE_WIDTH + GAP), tops[row], heights[row], True)
        for column, row, region in cells
    ]
    height = sum(heights.values()) + GAP * (len(heights) - 1)
    extra_label = None
    if others:
        extra_label = MapLine(EXTRA_LABEL, 0, height + EXTRA_LABEL_LINE - 8)
        top = height + EXTRA_LABEL_LINE
        extra = [(i % COLUMNS, i // COLUMNS, region) for i, region in enumerate(others)]
        extra_heights = _rows(extra)
        for row in sorted(extra_heights):
            for column, at_row, region in extra:
                if at_row == row:
                    x = column * (TILE_WIDTH + GAP)
                    tiles.append(_tile(region, x, top, extra_heights[row], False))
            top += extra_heights[row] + GAP
        height = top - GAP
    shown = len(site.werkplaatsen)
    regions = len(site.regios)
    werkplaatsen_word = "werkplaats" if shown == 1 else "werkplaatsen"
    regions_word = "regio" if regions == 1 else "regio's"
    description = (
        "Tegelkaart van Nederland: elke provincie is een vak op ongeveer haar plaats, van "
        "Friesland, Groningen en Drenthe in het noorden tot Zeeland, Noord-Brabant en "
        "Limburg in het zuiden. In elk vak staan de werkplaatsen van die provincie als "
        "link; een werkplaats in twee provincies staat in beide. "
        f"{shown} {werkplaatsen_word} in {regions} {regions_word}."
    )
    if others:
        description += " Regio's die geen provincie zijn, staan in vakken onder de kaart."
    description += " Dezelfde links staan ook in de lijst bij de kaart."
    return ProvinceMap(
        width=WIDTH,
        height=height,
        tiles=tuple(tiles),
        extra_label=extra_label,
        title="Kaart van de werkplaatsen per provincie",
        description=description,
    )
