"""The map of the regions and their werkplaatsen (plan/nlmap.py, partials/kaart.html).

The partial is rendered directly with wsdgen's sandboxed environment, as the page
/kennisoverzicht/ includes it; the expectations are written out from the fixture
files (tests/sites/mini), not taken from the code that draws the map."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import REPO, SITES
from lxml import etree

from wsdgen.body import markup
from wsdgen.check.graph import Site, link_site
from wsdgen.check.validate import validate_entries
from wsdgen.load.config import load_config
from wsdgen.load.sources import read_sources
from wsdgen.plan.nlmap import (
    LINK_FONT,
    NAME_FONT,
    TEXT_WIDTH,
    ProvinceMap,
    province_map,
    text_width,
)
from wsdgen.render.renderer import make_environment

SVG = "{http://www.w3.org/2000/svg}"
MINI = SITES / "mini"

# The fixture's shown werkplaatsen and their regions (werkplaatsen/*.md and *.yaml);
# geheim.md is a draft and must not be on the map.
MINI_WERKPLAATSEN = {
    "amsterdam": {"noord-holland"},
    "rotterdam": {"zuid-holland"},
    "grensregio": {"limburg", "zuid-holland"},
}
# (column, row) of a province in the tile grid: west to east, north to south.
GRID = {
    "friesland": (0, 0),
    "groningen": (1, 0),
    "drenthe": (2, 0),
    "noord-holland": (0, 1),
    "flevoland": (1, 1),
    "overijssel": (2, 1),
    "zuid-holland": (0, 2),
    "utrecht": (1, 2),
    "gelderland": (2, 2),
    "zeeland": (0, 3),
    "noord-brabant": (1, 3),
    "limburg": (2, 3),
}


def load(site_dir: Path) -> Site:
    """The site graph of a fixture folder (no media: the map does not need them)."""
    config, problems = load_config(site_dir)
    assert config is not None, problems
    raw, _ = read_sources(config.site_dir)
    records, rejected, _ = validate_entries(raw, config.extra_fields)
    site, _ = link_site(records, config, dt.date(2026, 11, 23), False, rejected)
    return site


def render(kaart: ProvinceMap, site_dir: Path = MINI) -> str:
    env = make_environment(site_dir)
    return env.get_template("partials/kaart.html").render(kaart=kaart)


def svg_of(html: str) -> etree._Element:
    found = re.search(r"<svg\b.*?</svg>", html, re.S)
    assert found, html
    return etree.fromstring(found.group(0).encode())


def links(element: etree._Element) -> list[str]:
    return [a.get("href") for a in element.iter(f"{SVG}a")]


@pytest.fixture(scope="module")
def mini_site() -> Site:
    return load(MINI)


@pytest.fixture(scope="module")
def mini_html(mini_site: Site) -> str:
    return render(province_map(mini_site))


def test_the_svg_is_well_formed_with_a_title_and_description(mini_html: str) -> None:
    svg = svg_of(mini_html)
    ids = svg.get("aria-labelledby").split()
    named = {element.get("id"): element for element in svg.iter() if element.get("id")}
    assert [named[i].tag for i in ids] == [f"{SVG}title", f"{SVG}desc"]
    assert all(named[i].text and named[i].text.strip() for i in ids)
    assert svg.get("role") == "group"
    # The theme's ids stay apart from the ids of Markdown bodies (body/markup.py).
    assert all(markup.is_page_id(value) for value in named)


def test_the_svg_scales_to_a_narrow_screen(mini_html: str) -> None:
    svg = svg_of(mini_html)
    assert svg.get("width") == "100%" and svg.get("height") is None
    x, y, width, height = (int(v) for v in svg.get("viewBox").split())
    assert (x, y) == (0, 0) and 0 < width <= 640 and height > 0
    # Every tile lies inside the viewBox, so nothing is cut off at 320 px.
    for rect in svg.iter(f"{SVG}rect"):
        assert int(rect.get("x")) >= 0 and int(rect.get("y")) >= 0
        assert int(rect.get("x")) + int(rect.get("width")) <= width
        assert int(rect.get("y")) + int(rect.get("height")) <= height
    # Text at 320 px (288 px wide inside the page's padding) is still about 10 px.
    assert LINK_FONT * 288 / width >= 10


def test_every_werkplaats_is_a_link_on_the_map_and_in_the_list(mini_html: str) -> None:
    svg_links = links(svg_of(mini_html))
    soup = BeautifulSoup(mini_html, "html.parser")
    listed = [a["href"] for a in soup.select("ul.kaart-regios a")]
    for slug, regios in MINI_WERKPLAATSEN.items():
        href = f"/werkplaatsen/{slug}/"
        # One link per region it works in, on the map and in the list alike.
        assert svg_links.count(href) == len(regios), slug
        assert listed.count(href) == len(regios), slug
    assert "/werkplaatsen/geheim/" not in svg_links + listed
    # In the list, each werkplaats is under the region it works in.
    for item in soup.select("ul.kaart-regios > li"):
        region = item.find("a", recursive=False)
        if region is None:
            continue
        slug = region["href"].split("/")[2]
        under = {a["href"].split("/")[2] for a in item.select(":scope > ul a")}
        assert under == {w for w, r in MINI_WERKPLAATSEN.items() if slug in r}


def test_every_svg_link_has_a_name_and_a_focus_target(mini_html: str) -> None:
    svg = svg_of(mini_html)
    titles = {"/werkplaatsen/amsterdam/": "Werkplaats Amsterdam", "/regios/limburg/": "Limburg"}
    for a in svg.iter(f"{SVG}a"):
        assert a.get("aria-label"), a.get("href")
        assert a.get("aria-label") == titles.get(a.get("href"), a.get("aria-label"))
        assert a.find(f"{SVG}rect").get("class") == "kaart-doel"
        assert "".join(a.itertext()).strip()


def test_each_region_appears_once_at_its_place(mini_site: Site, mini_html: str) -> None:
    svg = svg_of(mini_html)
    tiles = list(svg.iter(f"{SVG}g"))
    names = ["".join(next(t.iter(f"{SVG}text")).itertext()) for t in tiles]
    assert len(names) == 12 and len(set(names)) == 12
    tile_width = int(tiles[0].find(f"{SVG}rect").get("width"))
    rows = sorted({int(t.find(f"{SVG}rect").get("y")) for t in tiles})
    soup = BeautifulSoup(mini_html, "html.parser")
    listed = [li.find(["a"], recursive=False) for li in soup.select("ul.kaart-regios > li")]
    for slug in ("noord-holland", "zuid-holland", "limburg"):
        href = f"/regios/{slug}/"
        holding = [t for t in tiles if href in links(t)]
        assert len(holding) == 1, slug
        rect = holding[0].find(f"{SVG}rect")
        column = round(int(rect.get("x")) / tile_width)
        row = rows.index(int(rect.get("y")))
        assert (column, row) == GRID[slug]
        assert [a["href"] for a in listed if a is not None].count(href) == 1
    # The names come from the region files (title: ...) and, without one, the province.
    assert {"Noord-Holland", "Zuid-Holland", "Limburg", "Friesland", "Zeeland"} <= set(names)


def test_a_province_without_werkplaats_says_so_in_words(mini_html: str) -> None:
    svg = svg_of(mini_html)
    empty = [g for g in svg.iter(f"{SVG}g") if "kaart-vak--leeg" in g.get("class")]
    # Nine provinces of the fixture have no region file and no werkplaats.
    assert len(empty) == 9
    assert all("geen werkplaats" in "".join(g.itertext()) for g in empty)
    assert all(not links(g) for g in empty)


def test_other_regions_and_werkplaatsen_without_region_go_below(mini_site: Site) -> None:
    limburg = mini_site.regios["limburg"]
    landelijk = dataclasses.replace(limburg, slug="landelijk", title="Landelijk")
    amsterdam = mini_site.werkplaatsen["amsterdam"]
    werkplaatsen = dict(mini_site.werkplaatsen)
    werkplaatsen["amsterdam"] = dataclasses.replace(amsterdam, regios=("landelijk",))
    werkplaatsen["los"] = dataclasses.replace(amsterdam, slug="los", title="Los", regios=())
    site = dataclasses.replace(
        mini_site, regios={**mini_site.regios, "landelijk": landelijk}, werkplaatsen=werkplaatsen
    )
    kaart = province_map(site)
    extra = [tile for tile in kaart.tiles if not tile.province]
    assert [tile.slug for tile in extra] == ["landelijk", "zonder-regio"]
    grid_bottom = max(t.y + t.height for t in kaart.tiles if t.province)
    assert all(tile.y > grid_bottom for tile in extra)
    assert kaart.extra_label is not None and grid_bottom < kaart.extra_label.y < extra[0].y
    html = render(kaart)
    svg_links = links(svg_of(html))
    assert "/regios/landelijk/" in svg_links and "/werkplaatsen/los/" in svg_links
    assert svg_links.count("/werkplaatsen/amsterdam/") == 1
    assert int(svg_of(html).get("viewBox").split()[3]) == kaart.height


def test_links_use_the_base_path(mini_site: Site) -> None:
    config = dataclasses.replace(mini_site.config, base_url="https://example.org/wsd/")
    html = render(province_map(dataclasses.replace(mini_site, config=config)))
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith("/wsd/") for h in hrefs)
    assert "/wsd/werkplaatsen/rotterdam/" in hrefs


def test_the_real_site_map_is_small_and_every_name_fits() -> None:
    site = load(REPO)
    kaart = province_map(site)
    html = render(kaart, REPO)
    assert len(html.encode()) < 30_000
    svg = svg_of(html)
    expected = {f"/werkplaatsen/{slug}/" for slug in site.werkplaatsen}
    assert expected <= set(links(svg)) and len(expected) >= 16
    assert {f"/regios/{slug}/" for slug in GRID} <= set(links(svg))
    for tile in kaart.tiles:
        for link in (tile.name, *tile.werkplaatsen):
            assert tile.y <= link.y and link.y + link.height <= tile.y + tile.height
            font = NAME_FONT if link is tile.name else LINK_FONT
            for line in link.lines:
                fits = text_width(line.text, font, link is tile.name) <= TEXT_WIDTH
                assert fits or " " not in line.text, line.text
