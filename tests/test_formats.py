"""Values that reach other formats (iCalendar, Atom, _redirects, security.txt, the
terminal) stay valid in that format, whatever an editor or a stranger wrote."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from unittest import mock

import feedparser
import icalendar
import pytest
from conftest import MINIMAL_CONFIG, write_site
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from test_validate import BASE

CAFE = "content/kenniscafes/2019-05-23-test.md"
NEWS = "content/nieuws/2019-06-01-bericht.md"
# What a word processor, a terminal or a stranger may put into a text.
NASTY = (
    "\x00\x01\x08\x0b\x0c\x0e\x1b\x7f\x85\x9b\r\n\t\"'<>&"
    "\u2028\u2029\u202e\ufeff\ufffe[]{}#:|*!`%\\"
)


def quoted(text: str) -> str:
    """Any text as a YAML double-quoted scalar (JSON's escapes are YAML's too)."""
    return json.dumps(text, ensure_ascii=False)


def build(run, site: Path, out: Path, *args: str):
    return run("build", "--site", str(site), "--out", str(out), "--today", "2026-11-23", *args)


def parse_all_outputs(out: Path, events_per_calendar: dict[str, int] | None = None) -> None:
    """Every .ics, .xml and _redirects file of a build is valid in its own format."""
    for file in out.rglob("*.ics"):
        calendar = icalendar.Calendar.from_ical(file.read_bytes())
        if events_per_calendar is not None:
            expected = events_per_calendar.get(file.relative_to(out).as_posix())
            if expected is None:
                expected = events_per_calendar["*"]
            assert len(calendar.walk("VEVENT")) == expected, file
    for file in out.rglob("*.xml"):
        etree.fromstring(file.read_bytes())
        if file.name == "atom.xml":
            assert feedparser.parse(file.read_bytes()).bozo == 0, file
    redirects = out / "_redirects"
    if redirects.exists():
        for line in redirects.read_text(encoding="utf-8").split("\n"):
            if line and not line.startswith("#"):
                fields = line.split()
                assert len(fields) == 3 and fields[2] == "301" and line == " ".join(fields), line


# --- iCalendar ---------------------------------------------------------------------------


def test_a_two_line_title_is_one_line_in_the_calendar(tmp_path: Path, run) -> None:
    cafe = (
        "---\ntitle: |\n  Schulden en\n  armoede\ndatum: 2019-05-23\nwerkplaats: rotterdam\n"
        "begintijd: 15:00\nlocatie: >\n  De Brug,\n  Rotterdam\n---\nVerslag.\n"
    )
    site = write_site(tmp_path / "site", {**BASE, CAFE: cafe})
    result = build(run, site, tmp_path / "out")
    assert result.code == 0, result.err
    data = (tmp_path / "out/kenniscafes/2019-05-23-test/agenda.ics").read_bytes()
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Schulden en armoede"
    assert str(event["LOCATION"]) == "De Brug, Rotterdam"
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "Schulden en armoede"
    parse_all_outputs(tmp_path / "out", {"kenniscafes/2019-05-23-test/agenda.ics": 1, "*": 1})


def test_control_characters_never_reach_the_calendar(tmp_path: Path, run) -> None:
    cafe = (
        '---\ntitle: "Word\\vplakt\\x1b[31m mee\\u0007"\ndatum: 2019-05-23\n'
        'werkplaats: rotterdam\nlocatie: "a\\tb\\rc\\x85d"\n---\nVerslag.\n'
    )
    site = write_site(tmp_path / "site", {**BASE, CAFE: cafe})
    assert build(run, site, tmp_path / "out").code == 0
    data = (tmp_path / "out/kenniscafes/agenda.ics").read_bytes()
    assert not any(byte < 0x20 and byte not in b"\r\n" for byte in data)
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Word plakt[31m mee"
    assert str(event["LOCATION"]) == "a b c d"


# --- Atom ----------------------------------------------------------------------------


def test_atom_content_is_escaped_html_and_valid_xml(tmp_path: Path, run) -> None:
    body = (
        "Eerste regel<br>tweede regel <hr> & meer\x0b\x0c\x1b[1m\x7f\x9b "
        "&#27; &#x1B; &#xFFFE; &#150; \u2028 <p>open\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    news = '---\ntitle: "Nieuws \\x1b[31m <b>vet</b>"\ndatum: 2019-06-01\n---\n' + body
    site = write_site(tmp_path / "site", {**BASE, NEWS: news})
    result = build(run, site, tmp_path / "out")
    assert result.code == 0, result.err
    data = (tmp_path / "out/nieuws/atom.xml").read_bytes()
    root = etree.fromstring(data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    content = root.find("a:entry/a:content", ns)
    assert content is not None and content.get("type") == "html"
    assert len(content) == 0  # escaped HTML: text, no child elements
    assert "<br>" in content.text and "\x1b" not in content.text and "–" in content.text
    assert root.find("a:entry/a:title", ns).text.endswith(": Nieuws [31m <b>vet</b>")
    feed = feedparser.parse(data)
    assert feed.bozo == 0
    assert "tweede regel" in feed.entries[0].content[0].value
    parse_all_outputs(tmp_path / "out")


# --- _redirects and security.txt ------------------------------------------------------


def test_redirects_lines_are_old_new_301(tmp_path: Path, run) -> None:
    cafe = (
        "---\ntitle: K\ndatum: 2019-05-23\nwerkplaats: rotterdam\n"
        "aliases: [/oud/kenniscafe-1/, /Oud%20Pad/index.html, /a.php]\n---\nVerslag.\n"
    )
    site = write_site(tmp_path / "site", {**BASE, CAFE: cafe})
    assert build(run, site, tmp_path / "out").code == 0
    text = (tmp_path / "out/_redirects").read_text(encoding="utf-8")
    assert "/oud/kenniscafe-1/ /kenniscafes/2019-05-23-test/ 301" in text.splitlines()
    parse_all_outputs(tmp_path / "out")


@pytest.mark.parametrize(
    "contact",
    [
        '"mailto:a@example.org\\nContact: https://evil.example/"',
        '"https://example.org/melden\\rExpires: 2099"',
        "mailto:geen-adres",
        "https://info@evil.example/",
        '"https://example.org/a b"',
        "ftp://example.org/",
        "[mailto:a@example.org]",
    ],
)
def test_security_contact_must_be_one_address(tmp_path: Path, run, contact: str) -> None:
    config = f"title: T\nbase_url: https://example.org/\nsecurity_contact: {contact}\n"
    site = write_site(tmp_path / "site", BASE, config=config)
    result = build(run, site, tmp_path / "out")
    assert result.code == 2
    errors = [line for line in result.lines if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith("config.yaml:3: error:"), result.err
    assert "security_contact" in errors[0]
    assert not (tmp_path / "out").exists()


def test_security_txt_has_one_contact_line(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    assert build(run, site, tmp_path / "out").code == 0
    lines = (tmp_path / "out/.well-known/security.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.startswith("Contact:")] == [
        "Contact: mailto:security@example.org"
    ]


@pytest.mark.parametrize(
    "base_url",
    ['"https://example.org/a b/"', "https://x@evil.example/", "https://exa mple.org/"],
)
def test_base_url_that_would_break_a_format_is_a_config_error(
    tmp_path: Path, run, base_url: str
) -> None:
    config = MINIMAL_CONFIG.replace("base_url: https://example.org/", f"base_url: {base_url}")
    site = write_site(tmp_path / "site", BASE, config=config)
    result = build(run, site, tmp_path / "out")
    assert result.code == 2
    assert any(line.startswith("config.yaml:2: error: base_url") for line in result.lines)


def test_base_url_option_with_a_control_character(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    result = build(run, site, tmp_path / "out", "--base-url", "https://example.org/\x1b[2J/")
    assert result.code == 2
    assert any(line.startswith("config.yaml:1: error: --base-url") for line in result.lines)
    assert "\x1b" not in result.err


# --- the terminal -----------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_terminal_output_never_holds_raw_control_characters(
    tmp_path: Path, run, output_format: str
) -> None:
    name = "content/themas/\x1b]0;gehackt\x07\x1b[2J.md"
    files = {**BASE, name: '---\ntitle: T\nstatus: "\\e[31mrood\\u202e"\n---\n'}
    site = write_site(tmp_path / "site", files)
    result = run("check", "--site", str(site), "--format", output_format)
    assert result.code == 1
    assert not any(ch in result.err for ch in "\x1b\x07\u202e")
    assert "\\x1b]0;gehackt\\x07\\x1b[2J.md" in result.err


# --- property test -----------------------------------------------------------------------

# Random text with a good share of the characters that break formats.
nasty_text = st.text(
    st.characters(exclude_categories=["Cs"]) | st.sampled_from(list(NASTY)), max_size=40
)
body_text = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
    | st.sampled_from(list(NASTY.replace("\x00", ""))),
    max_size=300,
)
alias_text = st.text(st.sampled_from(list("abc-._~/%20") + list(NASTY)), max_size=12)


def one_line(name: str, text: str) -> str:
    return f"{name}: {quoted('a' + text)}"


def fixture_site(root: Path, texts: dict[str, str], body: str, alias: str) -> Path:
    """A small site with the random texts in every text field that reaches a format."""
    cafe = "\n".join(
        [
            "---",
            one_line("title", texts["title"]),
            one_line("summary", texts["summary"]),
            "datum: 2019-05-23",
            "werkplaats: rotterdam",
            "begintijd: 15:00",
            one_line("locatie", texts["locatie"]),
            "sprekers:",
            f"  - {quoted('a' + texts['spreker'])}",
            f"aliases: [{quoted('/oud/' + alias)}, /oud-kenniscafe/]",
            "---",
            body,
        ]
    )
    second = "---\n" + one_line("title", texts["title2"]) + "\ndatum: 2030-01-01\n"
    second += "werkplaats: rotterdam\nthemas: armoede\n---\n" + body
    news = "\n".join(
        [
            "---",
            one_line("title", texts["news"]),
            one_line("summary", texts["summary"]),
            "datum: 2019-06-01",
            "themas: armoede",
            "---",
            body,
        ]
    )
    werkplaats = "---\n" + one_line("title", texts["werkplaats"])
    werkplaats += "\nregios: [zuid-holland]\nthemas: [armoede]\n---\n" + body
    files = {
        **BASE,
        "content/werkplaatsen/rotterdam.md": werkplaats,
        CAFE: cafe,
        "content/kenniscafes/2030-01-01-later.md": second,
        NEWS: news,
    }
    config = MINIMAL_CONFIG.replace("title: Testsite", one_line("title", texts["site"]))
    root.mkdir(parents=True)
    (root / "config.yaml").write_text(config, encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    return root


FIELDS = ("title", "title2", "summary", "locatie", "spreker", "news", "werkplaats", "site")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.fixed_dictionaries({name: nasty_text for name in FIELDS}),
    body=body_text,
    alias=st.just("x") | alias_text,
)
@example(texts={name: NASTY for name in FIELDS}, body=NASTY.replace("\x00", ""), alias="x")
@example(texts={name: "" for name in FIELDS}, body="<br>\n\n&#27;", alias="a%20b")
def test_random_text_in_every_field_keeps_every_format_valid(
    run, texts: dict[str, str], body: str, alias: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = fixture_site(Path(tmp) / "site", texts, body, alias)
        out = Path(tmp) / "out"
        # The search index (a Pagefind process) is not one of these formats, and slow.
        with mock.patch("wsdgen.pipeline.search_indexer", lambda *_: None):
            result = build(run, site, out)
        assert result.code in (0, 1), result.err
        event(f"exit {result.code}")
        assert "onverwachte fout" not in result.err and "Traceback" not in result.err
        if result.code == 1:
            assert ": error: " in result.err
            assert "oud" in result.err or "afbeeldingen" in result.err, result.err
            return
        parse_all_outputs(
            out,
            {
                "kenniscafes/2019-05-23-test/agenda.ics": 1,
                "kenniscafes/2030-01-01-later/agenda.ics": 1,
                "*": 2,
            },
        )
