"""Building the mini fixture site: every contract page, correct lists, dates and links."""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import SITES, TODAY, page, section_links

CONTRACT_PAGES = [
    "/",
    "/werkplaatsen/",
    "/werkplaatsen/amsterdam/",
    "/themas/",
    "/themas/armoede/",
    "/regios/",
    "/regios/zuid-holland/",
    "/kenniscafes/",
    "/kenniscafes/2017-04-14-schulden/",
    "/publicaties/",
    "/publicaties/armoede-rapport/",
    "/nieuws/",
    "/nieuws/2019-01-10-conferentie/",
    "/over-ons/",
    "/sitemap.xml",
    "/robots.txt",
    "/404.html",
]


@pytest.fixture
def built(mini: Path, run, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    result = run("build", "--site", str(mini), "--out", str(out), "--today", TODAY)
    assert result.code == 0, result.err
    return out


def output_file(out: Path, site_path: str) -> Path:
    file = out / site_path.lstrip("/")
    return file / "index.html" if site_path.endswith("/") else file


@pytest.mark.parametrize("site_path", CONTRACT_PAGES)
def test_every_contract_page_exists(built: Path, site_path: str) -> None:
    assert output_file(built, site_path).is_file()


def test_every_html_page_has_one_h1_and_dutch_language(built: Path) -> None:
    for file in built.rglob("*.html"):
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "lxml")
        assert soup.html["lang"] == "nl", file
        assert len(soup.find_all("h1")) == 1, file


def test_theme_page_lists_exactly_its_entries(built: Path) -> None:
    soup = page(built, "/themas/armoede/")
    assert section_links(soup, "werkplaatsen-kop") == {
        "/werkplaatsen/amsterdam/",
        "/werkplaatsen/rotterdam/",
    }
    assert section_links(soup, "komend-kop") == {"/kenniscafes/2030-06-01-toekomst/"}
    assert section_links(soup, "geweest-kop") == {"/kenniscafes/2017-04-14-schulden/"}
    assert section_links(soup, "publicaties-kop") == {"/publicaties/armoede-rapport/"}
    assert section_links(soup, "nieuws-kop") == set()


def test_theme_page_of_a_yaml_theme(built: Path) -> None:
    soup = page(built, "/themas/sociale-basis/")
    assert section_links(soup, "werkplaatsen-kop") == {"/werkplaatsen/rotterdam/"}
    assert section_links(soup, "geweest-kop") == {"/kenniscafes/2018-03-01-wijkteams/"}
    assert section_links(soup, "publicaties-kop") == {"/publicaties/landelijk/"}
    assert section_links(soup, "nieuws-kop") == {"/nieuws/2019-01-10-conferentie/"}
    assert "De sociale basis in de wijk." in soup.select_one(".prose").get_text()


def test_region_page_lists_the_werkplaatsen_in_it_and_their_entries(built: Path) -> None:
    soup = page(built, "/regios/zuid-holland/")
    assert section_links(soup, "werkplaatsen-kop") == {
        "/werkplaatsen/rotterdam/",
        "/werkplaatsen/grensregio/",
    }
    assert section_links(soup, "komend-kop") == {"/kenniscafes/2030-01-15-jeugd/"}
    assert section_links(soup, "geweest-kop") == {"/kenniscafes/2017-04-14-schulden/"}
    assert section_links(soup, "nieuws-kop") == {"/nieuws/2019-01-10-conferentie/"}
    limburg = page(built, "/regios/limburg/")
    assert section_links(limburg, "werkplaatsen-kop") == {"/werkplaatsen/grensregio/"}
    assert section_links(limburg, "geweest-kop") == set()


def test_werkplaatsen_index_groups_by_region(built: Path) -> None:
    soup = page(built, "/werkplaatsen/")
    groups = {
        h2.get_text(strip=True): {a["href"] for a in h2.find_parent("section").select("li a")}
        for h2 in soup.select("main h2")
    }
    assert groups == {
        "Limburg": {"/werkplaatsen/grensregio/"},
        "Noord-Holland": {"/werkplaatsen/amsterdam/"},
        "Zuid-Holland": {"/werkplaatsen/grensregio/", "/werkplaatsen/rotterdam/"},
    }


def test_entry_pages_link_to_werkplaats_regions_and_themes(built: Path) -> None:
    soup = page(built, "/kenniscafes/2017-04-14-schulden/")
    hrefs = {a["href"] for a in soup.select(".facts a")}
    assert {"/werkplaatsen/rotterdam/", "/regios/zuid-holland/", "/themas/armoede/"} <= hrefs


def agenda_order(soup: BeautifulSoup, heading_id: str) -> list[str]:
    section = soup.find(id=heading_id).find_parent("section")
    return [a["href"] for a in section.select(".card-title a")]


def test_agenda_upcoming_soonest_first_then_archive_newest_first(built: Path) -> None:
    soup = page(built, "/kenniscafes/")
    assert agenda_order(soup, "komend-kop") == [
        "/kenniscafes/2030-01-15-jeugd/",
        "/kenniscafes/2030-06-01-toekomst/",
    ]
    years = [s.get_text(strip=True) for s in soup.select(".archive-year summary .h3-like")]
    assert years == ["2018", "2017"]
    assert agenda_order(soup, "archief-kop") == [
        "/kenniscafes/2018-03-01-wijkteams/",
        "/kenniscafes/2017-04-14-schulden/",
    ]


def test_today_moves_kenniscafes_from_upcoming_to_past(mini: Path, run, tmp_path: Path) -> None:
    out = tmp_path / "later"
    assert run("build", "--site", str(mini), "--out", str(out), "--today", "2030-06-01").code == 0
    soup = page(out, "/kenniscafes/")
    # A kenniscafé on the build date itself still counts as upcoming.
    assert agenda_order(soup, "komend-kop") == ["/kenniscafes/2030-06-01-toekomst/"]
    assert "/kenniscafes/2030-01-15-jeugd/" in agenda_order(soup, "archief-kop")


def test_dates_are_written_in_dutch(built: Path) -> None:
    soup = page(built, "/kenniscafes/2017-04-14-schulden/")
    time = soup.select_one(".facts time")
    assert time["datetime"] == "2017-04-14"
    assert time.get_text() == "vrijdag 14 april 2017"
    card = page(built, "/themas/armoede/").select_one("#geweest-kop ~ ul .card-date time")
    assert card.get_text() == "14 april 2017"


def test_times_are_read_as_written(built: Path) -> None:
    soup = page(built, "/kenniscafes/2017-04-14-schulden/")
    facts = dict(
        zip(
            [dt.get_text(strip=True) for dt in soup.select(".facts dt")],
            [dd.get_text(" ", strip=True) for dd in soup.select(".facts dd")],
            strict=False,
        )
    )
    assert facts["Tijd"] == "15:30–17:00 uur"
    assert facts["Bezoekers"] == "42"


def test_drafts_are_left_out(built: Path) -> None:
    assert not (built / "werkplaatsen/geheim").exists()
    assert not (built / "kenniscafes/2030-02-01-concept").exists()
    sitemap = (built / "sitemap.xml").read_text(encoding="utf-8")
    assert "geheim" not in sitemap


def test_drafts_are_included_with_drafts_flag(mini: Path, run, tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    result = run("build", "--site", str(mini), "--out", str(out), "--today", TODAY, "--drafts")
    assert result.code == 0, result.err
    assert (out / "werkplaatsen/geheim/index.html").is_file()
    soup = page(out, "/regios/limburg/")
    assert "/werkplaatsen/geheim/" in section_links(soup, "werkplaatsen-kop")


def test_yaml_entries_are_built(built: Path) -> None:
    soup = page(built, "/werkplaatsen/grensregio/")
    assert soup.h1.get_text() == "Werkplaats Grensregio"
    regions = {a["href"] for a in soup.select(".facts a")}
    assert regions == {"/regios/limburg/", "/regios/zuid-holland/"}


def test_a_site_template_overrides_the_built_in_one(mini: Path, run, tmp_path: Path) -> None:
    override = mini / "templates/partials/footer.html"
    override.parent.mkdir(parents=True)
    override.write_text('<p class="eigen-voet">Eigen voettekst</p>\n', encoding="utf-8")
    out = tmp_path / "override"
    assert run("build", "--site", str(mini), "--out", str(out), "--today", TODAY).code == 0
    footer = page(out, "/").select_one("footer")
    assert footer.select_one(".eigen-voet").get_text() == "Eigen voettekst"
    assert footer.select_one(".footer-title") is None


def write_template(site: Path, name: str, text: str) -> None:
    override = site / "templates" / name
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text(text, encoding="utf-8")


def the_template_error(run, site: Path, out: Path) -> str:
    """The one error line of a build that fails on a template."""
    result = run("build", "--site", str(site), "--out", str(out), "--today", TODAY)
    assert result.code == 1
    [line] = [x for x in result.lines if ": error: " in x]
    return line


def test_a_site_template_that_reaches_into_the_graph_gets_a_clear_error(
    mini: Path, run, tmp_path: Path
) -> None:
    """Templates show what their plan holds; `site.…` would hide a page's real inputs
    from `serve` and cached builds, so it is an error on the template's own line."""
    write_template(
        mini,
        "home.html",
        '{% extends "base.html" %}\n{% block content %}\n<p>Hallo</p>\n'
        "{{ site.werkplaatsen | length }}\n{% endblock %}\n",
    )
    line = the_template_error(run, mini, tmp_path / "uit")
    assert line.startswith("templates/home.html:4: error: ")
    assert "'site.werkplaatsen'" in line


def test_a_site_card_template_overrides_the_built_in_card(mini: Path, run, tmp_path: Path) -> None:
    """Lists show their cards through fragment(): a site's own card is used everywhere."""
    write_template(
        mini, "partials/kenniscafe-card.html", '<li class="eigen-kaart">{{ cafe.title }}</li>\n'
    )
    out = tmp_path / "kaart"
    assert run("build", "--site", str(mini), "--out", str(out), "--today", TODAY).code == 0
    for path in ("/kenniscafes/", "/werkplaatsen/amsterdam/", "/themas/armoede/"):
        shown = [li.get_text() for li in page(out, path).select("li.eigen-kaart")]
        assert "Wijkteams in de sociale basis" in shown or "Kenniscafé over schulden" in shown
        assert not page(out, path).select("li.card--event")


def test_a_template_that_includes_itself_gets_a_clear_error(
    mini: Path, run, tmp_path: Path
) -> None:
    write_template(
        mini,
        "partials/kenniscafe-card.html",
        '{{ fragment("partials/kenniscafe-card.html", cafe=cafe, owner=owner, '
        "own_werkplaats=own_werkplaats) }}\n",
    )
    line = the_template_error(run, mini, tmp_path / "uit")
    assert line.startswith("templates/partials/kenniscafe-card.html:1: error: ")
    assert "zichzelf" in line


def internal_links(out: Path, base_path: str = "/") -> list[tuple[Path, str]]:
    """Every same-site href/src in the output, made absolute against its page's URL."""
    links = []
    for file in out.rglob("*.html"):
        relative = file.relative_to(out).as_posix()
        folder = relative[: -len("index.html")] if relative.endswith("index.html") else relative
        page_url = base_path + folder
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "lxml")
        for tag in soup.find_all(["a", "link", "img", "script"]):
            target = tag.get("href") or tag.get("src")
            if target and not urlsplit(target).scheme:
                links.append((file, urljoin(page_url, target)))
    return links


@functools.cache
def ids_in(file: Path) -> frozenset[str]:
    soup = BeautifulSoup(file.read_text(encoding="utf-8"), "lxml")
    return frozenset(tag["id"] for tag in soup.find_all(id=True))


def resolves(out: Path, base_path: str, target: str) -> bool:
    """The link leads to a file of the output, and its #fragment to an element there."""
    parts = urlsplit(target)
    if not parts.path.startswith(base_path):
        return False
    file = out / parts.path[len(base_path) :]
    if parts.path.endswith("/"):
        file = file / "index.html"
    if not file.is_file():
        return False
    return not parts.fragment or parts.fragment in ids_in(file)


def test_every_internal_link_resolves(built: Path) -> None:
    broken = [(f, t) for f, t in internal_links(built) if not resolves(built, "/", t)]
    assert broken == []


def test_base_url_with_sub_path_prefixes_every_link(mini: Path, run, tmp_path: Path) -> None:
    out = tmp_path / "sub"
    args = ["--site", str(mini), "--out", str(out), "--today", TODAY]
    assert run("build", *args, "--base-url", "https://example.org/wsd/").code == 0
    links = internal_links(out, "/wsd/")
    assert links
    broken = [(f, t) for f, t in links if not resolves(out, "/wsd/", t)]
    assert broken == []
    soup = page(out, "/kenniscafes/2017-04-14-schulden/")
    assert soup.find("link", rel="canonical")["href"] == (
        "https://example.org/wsd/kenniscafes/2017-04-14-schulden/"
    )
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert all(
        loc.startswith("https://example.org/wsd/")
        for loc in re.findall(r"<loc>(.*?)</loc>", sitemap)
    )


def test_sitemap_lists_exactly_the_indexable_pages(built: Path) -> None:
    sitemap = (built / "sitemap.xml").read_text(encoding="utf-8")
    listed = {urlsplit(loc).path for loc in re.findall(r"<loc>(.*?)</loc>", sitemap)}
    folders = {f.parent.relative_to(built).as_posix() for f in built.rglob("index.html")}
    pages = {"/" if folder == "." else f"/{folder}/" for folder in folders}
    redirects = {"/actueel/nieuwsberichten/kenniscafe-schulden/"}
    assert listed == pages - redirects


def test_alias_becomes_a_redirect_page(built: Path) -> None:
    soup = page(built, "/actueel/nieuwsberichten/kenniscafe-schulden/")
    refresh = soup.find("meta", attrs={"http-equiv": "refresh"})["content"]
    assert refresh == "0; url=/kenniscafes/2017-04-14-schulden/"
    assert soup.find("link", rel="canonical")["href"].endswith("/kenniscafes/2017-04-14-schulden/")


def test_css_is_fingerprinted_and_linked(built: Path) -> None:
    href = page(built, "/").find("link", rel="stylesheet")["href"]
    assert re.fullmatch(r"/assets/css/style\.[0-9a-f]{10}\.css", href)
    assert (built / href.lstrip("/")).is_file()


def test_build_py_is_the_same_as_wsdgen_build(tmp_path: Path) -> None:
    import subprocess
    import sys

    site = tmp_path / "mini"
    shutil.copytree(SITES / "mini", site)
    out = tmp_path / "viapy"
    build_py = Path(__file__).parent.parent / "build.py"
    done = subprocess.run(
        [sys.executable, str(build_py), "--site", str(site), "--out", str(out), "--today", TODAY],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "index.html").is_file()


def test_home_leads_with_the_newest_knowledge_when_nothing_is_planned(
    built: Path, mini: Path, run, tmp_path: Path
) -> None:
    planned = page(built, "/")
    assert planned.find(id="nieuwste-kop") is None
    assert planned.find(id="komend-kop") is not None
    later = tmp_path / "later"
    assert run("build", "--site", str(mini), "--out", str(later), "--today", "2031-01-01").code == 0
    soup = page(later, "/")
    # No empty agenda: the first section is the newest knowledge, and says why.
    assert soup.find(id="komend-kop") is None
    first = soup.select("main h2")[0]
    assert first.get_text(strip=True) == "Nieuwste kennis"
    section = first.find_parent("section")
    assert "nieuwe kenniscafés verschijnen hier" in section.get_text(" ", strip=True)
    links = [a["href"] for a in section.select(".card-title a")]
    # Reports (past kenniscafés with a text) first, then the newest publications.
    assert links == [
        "/kenniscafes/2018-03-01-wijkteams/",
        "/kenniscafes/2017-04-14-schulden/",
        "/publicaties/landelijk/",
        "/publicaties/armoede-rapport/",
    ]
