"""What readers get beyond pages: feeds, calendars, redirects, cross-region links, sharing."""

from __future__ import annotations

from pathlib import Path

import feedparser
import icalendar
import pytest
from conftest import TODAY, page


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import datetime as dt

    from conftest import SITES

    from wsdgen.pipeline import BuildOptions, build

    target = tmp_path_factory.mktemp("readers") / "public"
    options = BuildOptions(
        site_dir=SITES / "mini", out=str(target), today=dt.date.fromisoformat(TODAY)
    )
    assert build(options).exit_code == 0
    return target


def test_ook_over_dit_thema_shows_only_other_werkplaatsen(out: Path) -> None:
    soup = page(out, "/kenniscafes/2017-04-14-schulden/")
    links = [a["href"] for a in soup.select("#elders-kop ~ ul .card-title a")]
    # Shares 'armoede' with: Amsterdam's future café and report (other werkplaats).
    assert links == ["/kenniscafes/2030-06-01-toekomst/", "/publicaties/armoede-rapport/"]


def test_related_on_a_news_page_newest_first(out: Path) -> None:
    soup = page(out, "/nieuws/2019-01-10-conferentie/")
    links = [a["href"] for a in soup.select("#elders-kop ~ ul .card-title a")]
    assert links == ["/publicaties/landelijk/", "/kenniscafes/2018-03-01-wijkteams/"]


def test_werkplaats_page_lists_werkplaatsen_sharing_most_themes(out: Path) -> None:
    soup = page(out, "/werkplaatsen/rotterdam/")
    items = [li.get_text(" ", strip=True) for li in soup.select("#buren-kop ~ ul li")]
    assert items == ["Werkplaats Amsterdam : Armoede"]


def test_year_chart_has_numbers_in_text(out: Path) -> None:
    soup = page(out, "/werkplaatsen/rotterdam/")
    svg = soup.select_one("figure.chart svg")
    assert svg["role"] == "img"
    assert "2017: 1" in svg.find("title").get_text()
    rows = [
        [c.get_text() for c in tr.find_all(["th", "td"])]
        for tr in soup.select(".data-table tbody tr")
    ]
    assert rows == [["2017", "1", "42"]]


def test_matrix_of_werkplaatsen_and_themes(out: Path) -> None:
    soup = page(out, "/wie-werkt-waaraan/")
    table = soup.select_one("table.matrix")
    columns = [th.get_text(strip=True) for th in table.select("thead th")]
    assert columns == ["Werkplaats", "Armoede", "Sociale basis", "Eigen thema's"]
    rows = {
        tr.th.get_text(strip=True): [bool(td.select_one("a")) for td in tr.find_all("td")[:2]]
        for tr in table.select("tbody tr")
    }
    assert rows == {
        "Werkplaats Amsterdam": [True, False],
        "Werkplaats Grensregio": [False, False],
        "Werkplaats Rotterdam": [True, True],
    }
    assert all(th.get("scope") == "row" for th in table.select("tbody th"))


def test_theme_feed_holds_everything_on_the_theme(out: Path) -> None:
    feed = feedparser.parse((out / "themas/armoede/atom.xml").read_bytes())
    assert feed.bozo == 0
    assert [e.link for e in feed.entries] == [
        "https://example.org/kenniscafes/2030-06-01-toekomst/",
        "https://example.org/publicaties/armoede-rapport/",
        "https://example.org/kenniscafes/2017-04-14-schulden/",
    ]
    head = page(out, "/themas/armoede/").find(
        "link", rel="alternate", href="/themas/armoede/atom.xml"
    )
    assert head is not None


def test_calendar_times_are_in_amsterdam(out: Path) -> None:
    cal = icalendar.Calendar.from_ical(
        (out / "kenniscafes/2017-04-14-schulden/agenda.ics").read_bytes()
    )
    (event,) = cal.walk("VEVENT")
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (15, 30, "Europe/Amsterdam")
    assert str(event["LOCATION"]) == "Wijkcentrum De Brug"
    assert str(event["URL"]) == "https://example.org/kenniscafes/2017-04-14-schulden/"
    werkplaats = icalendar.Calendar.from_ical(
        (out / "werkplaatsen/amsterdam/agenda.ics").read_bytes()
    )
    assert len(list(werkplaats.walk("VEVENT"))) == 2


def test_zet_in_je_agenda_link(out: Path) -> None:
    soup = page(out, "/kenniscafes/2030-06-01-toekomst/")
    link = soup.find("a", href="/kenniscafes/2030-06-01-toekomst/agenda.ics")
    assert "Zet in uw agenda" in link.get_text()


def test_redirects_file_lists_every_alias(out: Path) -> None:
    lines = [
        line.split()
        for line in (out / "_redirects").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    assert lines == [
        [
            "/actueel/nieuwsberichten/kenniscafe-schulden",
            "/kenniscafes/2017-04-14-schulden/",
            "301",
        ],
        [
            "/actueel/nieuwsberichten/kenniscafe-schulden/",
            "/kenniscafes/2017-04-14-schulden/",
            "301",
        ],
    ]


def test_security_txt(out: Path) -> None:
    text = (out / ".well-known/security.txt").read_text(encoding="utf-8")
    fields = dict(line.split(": ", 1) for line in text.splitlines())
    assert fields["Contact"] == "mailto:security@example.org"
    assert fields["Expires"] == "2027-11-23T00:00:00Z"


def test_open_graph_and_canonical(out: Path) -> None:
    soup = page(out, "/publicaties/armoede-rapport/")
    og = {m["property"]: m["content"] for m in soup.find_all("meta", property=True)}
    assert og["og:url"] == "https://example.org/publicaties/armoede-rapport/"
    assert og["og:title"] == "Rapport over armoede"
    assert soup.find("link", rel="canonical")["href"] == og["og:url"]


def test_search_box_on_every_page_and_index_written(out: Path) -> None:
    for file in out.rglob("index.html"):
        if "actueel" in file.parts:
            continue
        form = page(out, "/" + file.parent.relative_to(out).as_posix() + "/").find(
            "form", role="search"
        )
        assert form["action"] == "/zoeken/", file
    assert (out / "pagefind/pagefind-ui.js").is_file()
    assert (out / "pagefind/pagefind-entry.json").is_file()


def test_missing_security_contact_is_a_warning(tmp_path: Path, run) -> None:
    from conftest import write_site

    site = write_site(tmp_path / "site", {}, config="title: T\nbase_url: https://example.org/\n")
    (site / "content").mkdir()
    result = run("check", "--site", str(site))
    assert result.code == 0
    assert (
        result.lines[0].startswith("config.yaml:1: warning:")
        and "security_contact" in result.lines[0]
    )
    assert run("check", "--site", str(site), "--strict").code == 1
