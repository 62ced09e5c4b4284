"""The real site in this repository builds cleanly and has no dead links."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, TODAY, page
from test_build import internal_links, resolves


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from wsdgen.pipeline import BuildOptions, build

    out = tmp_path_factory.mktemp("real") / "public"
    import datetime as dt

    result = build(BuildOptions(site_dir=REPO, out=str(out), today=dt.date.fromisoformat(TODAY)))
    assert result.exit_code == 0, [str(d) for d in result.diagnostics]
    assert [str(d) for d in result.diagnostics] == []
    return out


def test_sixteen_werkplaatsen_twelve_regions(real: Path) -> None:
    soup = page(real, "/werkplaatsen/")
    werkplaatsen = {a["href"] for a in soup.select("main .link-list a")}
    assert len(werkplaatsen) == 16
    assert len(page(real, "/regios/").select("main .card-title a")) == 12


def test_national_themes_are_present(real: Path) -> None:
    titles = {a.get_text() for a in page(real, "/themas/").select("main .card-title a")}
    assert {
        "Lerende praktijken",
        "Armoede",
        "Sociale basis",
        "Ervaringsdeskundigheid",
        "Polarisatie en vertrouwen",
        "Sociale verbondenheid",
        "Impact",
        "Ondersteuning ouderen",
    } <= titles


def test_every_internal_link_of_the_real_site_resolves(real: Path) -> None:
    links = internal_links(real)
    assert len(links) > 500
    assert [(str(f), t) for f, t in links if not resolves(real, "/", t)] == []


def test_huisuitzettingen_kenniscafe_is_on_the_armoede_theme(real: Path) -> None:
    soup = page(real, "/themas/armoede/")
    links = {a["href"] for a in soup.select(".card-title a")}
    assert "/kenniscafes/2019-05-23-voorkomen-huisuitzettingen/" in links


def test_sitemap_of_the_real_site_lists_exactly_its_pages(real: Path) -> None:
    import re
    from urllib.parse import urlsplit

    sitemap = (real / "sitemap.xml").read_text(encoding="utf-8")
    listed = {urlsplit(loc).path for loc in re.findall(r"<loc>(.*?)</loc>", sitemap)}
    folders = {f.parent.relative_to(real).as_posix() for f in real.rglob("index.html")}
    pages = {"/" if folder == "." else f"/{folder}/" for folder in folders}
    redirects = {p for p in pages if p.startswith("/actueel/")}
    assert redirects
    assert listed == pages - redirects


def test_skip_link_target_exists_on_every_page(real: Path) -> None:
    for file in real.rglob("index.html"):
        if "actueel" in file.parts:
            continue
        soup = page(real, "/" + file.parent.relative_to(real).as_posix() + "/")
        skip = soup.select_one("a.skip-link")
        assert skip["href"] == "#inhoud"
        assert soup.find(id="inhoud").name == "main"
