"""One test per kind of editor mistake: exit code, path, line and field in the message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import write_site

BASE = {
    "content/regios/zuid-holland.md": "---\ntitle: Zuid-Holland\n---\n",
    "content/themas/armoede.md": "---\ntitle: Armoede\n---\n",
    "content/werkplaatsen/rotterdam.md": (
        "---\ntitle: Werkplaats Rotterdam\nregios: [zuid-holland]\nthemas: [armoede]\n---\n"
    ),
}


def cafe(*fields: str, body: str = "Verslag.") -> str:
    lines = ["---", "title: Kenniscafé", *fields, "---", body, ""]
    return "\n".join(lines)


GOOD_CAFE = ("datum: 2019-05-23", "werkplaats: rotterdam")


@pytest.fixture
def check(tmp_path: Path, run):
    """Write BASE plus the given files as a site and run `wsdgen check` on it."""

    def go(files: dict[str, str], *args: str, config: str | None = None):
        site = tmp_path / "site"
        kwargs = {} if config is None else {"config": config}
        write_site(site, {**BASE, **files}, **kwargs)
        return run("check", "--site", str(site), "--today", "2026-11-23", *args)

    return go


def only_error(result, path: str) -> tuple[int, str]:
    """The single error line of a run: its line number and message."""
    errors = [line for line in result.lines if ": error: " in line]
    assert len(errors) == 1, result.err
    match = re.fullmatch(rf"{re.escape(path)}:(\d+): error: (.*)", errors[0])
    assert match, errors[0]
    return int(match[1]), match[2]


CAFE = "content/kenniscafes/2019-05-23-test.md"

# (name, file text, expected line, words the message must contain)
FIELD_MISTAKES = [
    (
        "date in d-m-y form",
        cafe("datum: 23-05-2019", "werkplaats: rotterdam"),
        3,
        ["datum", "23-05-2019", "JJJJ-MM-DD", "2019-05-23"],
    ),
    (
        "date that does not exist",
        cafe("datum: 2019-02-30", "werkplaats: rotterdam"),
        3,
        ["datum", "2019-02-30", "geen bestaande datum"],
    ),
    (
        "date without leading zeros",
        cafe("datum: 2019-5-3", "werkplaats: rotterdam"),
        3,
        ["datum", "2019-5-3", "2019-05-03"],
    ),
    ("time out of range", cafe(*GOOD_CAFE, "begintijd: 25:00"), 5, ["begintijd", "25:00", "UU:MM"]),
    (
        "end before begin",
        cafe(*GOOD_CAFE, 'begintijd: "16:00"', "eindtijd: 15:00"),
        6,
        ["eindtijd"],
    ),
    ("negative visitors", cafe(*GOOD_CAFE, "bezoekers: -3"), 5, ["bezoekers", "-3"]),
    ("visitors not a number", cafe(*GOOD_CAFE, "bezoekers: veel"), 5, ["bezoekers", "veel"]),
    (
        "unknown werkplaats, with suggestion",
        cafe("datum: 2019-05-23", "werkplaats: roterdam"),
        4,
        ["werkplaats", "roterdam", "rotterdam"],
    ),
    (
        "unknown theme in a list: the item's line",
        cafe(*GOOD_CAFE, "themas:", "  - armoede", "  - armoed"),
        7,
        ["themas", "armoed", "armoede"],
    ),
    ("misspelt field name", cafe(*GOOD_CAFE, "datun: 2019-05-23"), 5, ["datun", "datum"]),
    (
        "field name from another vocabulary",
        cafe(*GOOD_CAFE, "plaats: De Brug"),
        5,
        ["plaats", "locatie"],
    ),
    ("duplicate key", cafe(*GOOD_CAFE, "datum: 2019-05-24"), 5, ["datum", "twee keer"]),
    ("missing required field", cafe("datum: 2019-05-23"), 1, ["werkplaats", "verplicht"]),
    (
        "url with javascript scheme",
        cafe(*GOOD_CAFE, "aanmelden: javascript:alert(1)"),
        5,
        ["aanmelden", "javascript:alert(1)", "https://"],
    ),
    (
        "url without scheme",
        cafe(*GOOD_CAFE, "aanmelden: www.example.org"),
        5,
        ["aanmelden", "www.example.org"],
    ),
    (
        "alias with ..",
        cafe(*GOOD_CAFE, "aliases:", "  - /oud/../../etc/"),
        6,
        ["aliases", "/oud/../../etc/"],
    ),
    (
        "alias to another host",
        cafe(*GOOD_CAFE, "aliases: //evil.example/x/"),
        5,
        ["aliases", "//evil.example/x/"],
    ),
    ("alias with a scheme", cafe(*GOOD_CAFE, "aliases: https://evil.example/"), 5, ["aliases"]),
    (
        "alias that is a real page",
        cafe(*GOOD_CAFE, "aliases: /themas/armoede/"),
        5,
        ["aliases", "/themas/armoede/", "in gebruik"],
    ),
    ("empty title", cafe(*GOOD_CAFE).replace("title: Kenniscafé", 'title: ""'), 2, ["title"]),
    ("list where text is expected", cafe(*GOOD_CAFE, "locatie: [a, b]"), 5, ["locatie", "tekst"]),
    ("yaml syntax error", cafe(*GOOD_CAFE, "locatie: Rotterdam: De Brug"), 5, ["dubbele punt"]),
    (
        "unclosed quote: the line where the value starts",
        cafe(*GOOD_CAFE, 'locatie: "De Brug', "sprekers: [a]"),
        5,
        ["aanhalingsteken"],
    ),
    (
        "unclosed quote that a later quote closes: still the line where it starts",
        cafe(*GOOD_CAFE, 'locatie: "De Brug', "sprekers: [a]", 'summary: "Kort"'),
        5,
        ["aanhalingsteken op deze regel", "regel 7"],
    ),
    (
        "text after a quoted value",
        cafe(*GOOD_CAFE, 'locatie: "De Brug" Rotterdam'),
        5,
        ["aanhalingstekens"],
    ),
    (
        "value lost after #",
        cafe("datum: 2019-05-23", "werkplaats: #rotterdam"),
        4,
        ["werkplaats", "#", "aanhalingstekens"],
    ),
    ("yaml alias refused", cafe(*GOOD_CAFE, "locatie: &a x", "summary: *a"), 6, ["aliassen"]),
]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [case[1:] for case in FIELD_MISTAKES],
    ids=[case[0] for case in FIELD_MISTAKES],
)
def test_field_mistake_is_reported_on_its_line(check, text: str, line: int, words: list[str]):
    result = check({CAFE: text})
    assert result.code == 1
    found_line, message = only_error(result, CAFE)
    assert found_line == line
    for word in words:
        assert word in message


def test_values_are_read_as_written_not_by_yaml_guessing(tmp_path: Path, run) -> None:
    from bs4 import BeautifulSoup

    site = write_site(
        tmp_path / "site",
        {
            **BASE,
            CAFE: cafe("datum: 2019-05-23", "werkplaats: rotterdam", "begintijd: 15:30"),
            "content/paginas/ja.md": "---\ntitle: Ja\n---\n",
            "content/paginas/jaartal.md": "---\ntitle: 2019\n---\n",
        },
    )
    out = tmp_path / "out"
    assert run("build", "--site", str(site), "--out", str(out)).code == 0
    h1 = BeautifulSoup((out / "ja/index.html").read_bytes(), "lxml").h1.get_text()
    assert h1 == "Ja"
    h1 = BeautifulSoup((out / "jaartal/index.html").read_bytes(), "lxml").h1.get_text()
    assert h1 == "2019"
    cafe_page = (out / "kenniscafes/2019-05-23-test/index.html").read_text(encoding="utf-8")
    assert "15:30 uur" in cafe_page


def test_bad_slug_in_file_name(check) -> None:
    result = check({"content/kenniscafes/Kenniscafe Mei.md": cafe(*GOOD_CAFE)})
    line, message = only_error(result, "content/kenniscafes/Kenniscafe Mei.md")
    assert (result.code, line) == (1, 1)
    assert "kenniscafe-mei" in message


def test_same_slug_as_md_and_yaml(check) -> None:
    result = check(
        {
            "content/themas/wonen.md": "---\ntitle: Wonen\n---\n",
            "content/themas/wonen.yaml": "title: Wonen\n",
        }
    )
    _, message = only_error(result, "content/themas/wonen.yaml")
    assert "content/themas/wonen.md" in message


def test_unknown_field_allowed_by_extra_fields(check) -> None:
    config = "title: T\nbase_url: https://example.org/\nextra_fields:\n  kenniscafes: [doelgroep]\n"
    result = check({CAFE: cafe(*GOOD_CAFE, "doelgroep: studenten")}, config=config)
    assert result.code == 0, result.err


def test_reference_to_a_draft(check) -> None:
    files = {
        "content/werkplaatsen/concept.md": (
            "---\ntitle: Concept\ndraft: true\nregios: zuid-holland\nthemas: armoede\n---\n"
        ),
        CAFE: cafe("datum: 2019-05-23", "werkplaats: concept"),
    }
    result = check(files)
    line, message = only_error(result, CAFE)
    assert line == 4 and "concept" in message and "draft" in message
    assert check(files, "--drafts").code == 0


def test_choice_with_suggestion(check) -> None:
    result = check({"content/themas/wonen.md": "---\ntitle: Wonen\nstatus: actif\n---\n"})
    line, message = only_error(result, "content/themas/wonen.md")
    assert line == 3 and "actif" in message and "actief" in message


def test_bad_email_and_website(check) -> None:
    text = (
        "---\ntitle: W\nregios: zuid-holland\nthemas: armoede\n"
        "email: mailto:info@example.org\nwebsite: ftp://example.org/\n---\n"
    )
    result = check({"content/werkplaatsen/w.md": text})
    assert result.code == 1
    assert any(":5: error: email" in line for line in result.lines)
    assert any(":6: error: website" in line for line in result.lines)


def test_publication_site_path_must_exist(check) -> None:
    text = "---\ntitle: R\njaar: 2019\nurl: /assets/publicaties/weg.pdf\n---\n"
    result = check({"content/publicaties/r.md": text})
    line, message = only_error(result, "content/publicaties/r.md")
    assert line == 4 and "/assets/publicaties/weg.pdf" in message


def test_year_must_be_four_digits(check) -> None:
    result = check({"content/publicaties/r.md": "---\ntitle: R\njaar: 19\n---\n"})
    line, message = only_error(result, "content/publicaties/r.md")
    assert line == 3 and "jaar" in message


@pytest.mark.parametrize("slug", ["zoeken", "kenniscafes", "404", "assets"])
def test_free_page_may_not_take_a_built_in_path(check, slug: str) -> None:
    result = check({f"content/paginas/{slug}.md": "---\ntitle: X\n---\n"})
    _, message = only_error(result, f"content/paginas/{slug}.md")
    assert slug in message


def test_two_aliases_for_the_same_old_path(check) -> None:
    result = check(
        {
            CAFE: cafe(*GOOD_CAFE, "aliases: /oud/"),
            "content/nieuws/n.md": "---\ntitle: N\ndatum: 2019-01-01\naliases: [/oud]\n---\n",
        }
    )
    assert result.code == 1
    assert any("content/nieuws/n.md:4: error: aliases" in line for line in result.lines)


def test_file_over_one_mebibyte(check) -> None:
    result = check({CAFE: cafe(*GOOD_CAFE, body="x" * (1024 * 1024 + 1))})
    _, message = only_error(result, CAFE)
    assert "te groot" in message


def test_non_utf8_message(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    (site / CAFE).parent.mkdir(parents=True)
    (site / CAFE).write_bytes("---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    result = run("check", "--site", str(site))
    line, message = only_error(result, CAFE)
    assert line == 2 and "UTF-8" in message


def test_bom_and_crlf_do_not_shift_lines(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    text = cafe("datum: 2019-13-01", "werkplaats: rotterdam").replace("\n", "\r\n")
    (site / CAFE).parent.mkdir(parents=True)
    (site / CAFE).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    line, message = only_error(run("check", "--site", str(site)), CAFE)
    assert line == 3 and "datum" in message


def test_symlink_outside_the_site_is_refused(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    outside = tmp_path / "elders.md"
    outside.write_text(cafe(*GOOD_CAFE), encoding="utf-8")
    (site / CAFE).parent.mkdir(parents=True)
    (site / CAFE).symlink_to(outside)
    _, message = only_error(run("check", "--site", str(site)), CAFE)
    assert "buiten de site" in message


def test_alias_bomb_fails_fast(check) -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
        for i in range(20)
    ]
    result = check({CAFE: "---\n" + "\n".join(bomb) + "\n---\n"})
    line, message = only_error(result, CAFE)
    assert line == 3 and "aliassen" in message


def test_subfolder_and_other_files_in_a_collection(check, tmp_path: Path) -> None:
    result = check({"content/publicaties/pdf/x.md": "x", "content/publicaties/rapport.pdf": "x"})
    assert result.code == 1
    assert any(line.startswith("content/publicaties/pdf:1: error:") for line in result.lines)
    assert any(
        line.startswith("content/publicaties/rapport.pdf:1: error:") for line in result.lines
    )


def test_no_front_matter_and_unclosed_front_matter(check) -> None:
    result = check(
        {
            "content/themas/a.md": "title: zonder streepjes\n",
            "content/themas/b.md": "---\ntitle: niet afgesloten\n",
        }
    )
    assert result.code == 1
    assert any(line.startswith("content/themas/a.md:1: error:") for line in result.lines)
    assert any(line.startswith("content/themas/b.md:1: error:") for line in result.lines)


def test_every_error_is_reported_in_one_run(check) -> None:
    result = check(
        {
            CAFE: cafe("datum: 2019-02-30", "werkplaats: roterdam"),
            "content/publicaties/r.md": "---\ntitle: R\njaar: negentien\n---\n",
            "content/themas/wonen.md": "---\ntitle: Wonen\nsoort: groep\n---\n",
        }
    )
    assert result.code == 1
    assert len([line for line in result.lines if ": error: " in line]) == 4


def test_an_invalid_werkplaats_is_not_echoed_by_its_kenniscafes(check) -> None:
    text = "---\ntitle: W\nregios: zuid-holland\nthemas: armoede\nemail: geen-adres\n---\n"
    result = check(
        {"content/werkplaatsen/w.md": text, CAFE: cafe("datum: 2019-05-23", "werkplaats: w")}
    )
    line, message = only_error(result, "content/werkplaatsen/w.md")
    assert line == 5 and "email" in message


def test_warnings_and_strict(check) -> None:
    files = {
        CAFE: cafe(*GOOD_CAFE, body=""),
        "content/werkplaatsen/zonder.md": "---\ntitle: Zonder thema\nregios: zuid-holland\n---\n",
    }
    result = check(files)
    assert result.code == 0
    warnings = [line for line in result.lines if ": warning: " in line]
    assert any(line.startswith(f"{CAFE}:3: warning:") and "verslag" in line for line in warnings)
    assert any(line.startswith("content/werkplaatsen/zonder.md:1: warning:") for line in warnings)
    strict = check(files, "--strict")
    assert strict.code == 1
    assert len([line for line in strict.lines if ": error: " in line]) == 2


def test_a_theme_named_twice_is_a_warning_and_shown_once(tmp_path: Path, run) -> None:
    """Twice in a list would put the kenniscafé twice on the theme's page."""
    files = {CAFE: cafe(*GOOD_CAFE, "themas:", "  - armoede", "  - armoede")}
    site = write_site(tmp_path / "site", {**BASE, **files})
    result = run(
        "build", "--site", str(site), "--out", str(tmp_path / "uit"), "--today", "2026-11-23"
    )
    assert result.code == 0
    [warning] = [line for line in result.lines if ": warning: " in line]
    assert warning.startswith(f"{CAFE}:7: warning: themas: 'armoede' staat al eerder")
    theme_page = (tmp_path / "uit/themas/armoede/index.html").read_text(encoding="utf-8")
    cards = BeautifulSoup(theme_page, "lxml").select(
        'li.card a[href="/kenniscafes/2019-05-23-test/"]'
    )
    assert len(cards) == 1


def test_github_annotations(check) -> None:
    result = check({CAFE: cafe("datum: 23-05-2019", "werkplaats: rotterdam")}, "--format", "github")
    assert result.code == 1
    annotation = [line for line in result.err.splitlines() if line.startswith("::error")]
    assert len(annotation) == 1
    assert annotation[0].startswith(f"::error file={CAFE},line=3::datum:")


def test_template_error_names_the_template(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", {**BASE, "templates/partials/footer.html": "{% if %}\n"})
    result = run("build", "--site", str(site), "--out", str(tmp_path / "out"))
    assert result.code == 1
    assert any(line.startswith("templates/partials/footer.html:1: error:") for line in result.lines)
    assert not (tmp_path / "out").exists()


def test_date_in_file_name_differs_from_datum(check) -> None:
    result = check({CAFE: cafe("datum: 2019-05-24", "werkplaats: rotterdam")})
    assert result.code == 0
    assert result.lines == [f"{CAFE}:3: warning: " + result.lines[0].split(": warning: ")[1]]
    assert "2019-05-23" in result.lines[0] and "2019-05-24" in result.lines[0]


# --- aliases: nothing that `_redirects` or the Apache recipe reads as a pattern ---------

ALIAS_MISTAKES = [
    ("/*", ["jokertekens"]),
    ("/oud/*", ["jokertekens"]),
    ("/oud/:splat", ["plaatshouder"]),
    ("/oud/:name/", ["plaatshouder"]),
    ("/oud!", ["'!'"]),
    ("/oud pad/", ["spatie", "/oud%20pad/"]),
    ("/oud?id=3", ["zoekvraag"]),
    ("/oud#anker", ["anker"]),
    ('/oud"/', ["'\"'"]),
    ("/oud'/", ["'''"]),
    ("/oud\\\\x/", ["'\\'"]),
    *[(f"/oud{char}x/", [f"'{char}'"]) for char in "^$()[]{}|+"],
    ("/a%2F..%2Fb/", ["%2F"]),
    ("/a%5cb/", ["%5C"]),
    ("/a/%2e%2e/b/", ["'..'"]),
    ("/a/.%2E/b/", ["'..'"]),
    ("/a%00b/", ["onzichtbaar"]),
    ("/a%0Ab/", ["onzichtbaar"]),
    ("/a%zzb/", ["%zz", "%-code"]),
    ("/a%ffb/", ["UTF-8"]),
    ("/café/", ["/caf%C3%A9/"]),
]


@pytest.mark.parametrize(("alias", "words"), ALIAS_MISTAKES, ids=[a for a, _ in ALIAS_MISTAKES])
def test_alias_with_a_pattern_character_is_refused(check, alias: str, words: list[str]) -> None:
    quoted = alias.replace("\\", "\\\\").replace('"', '\\"')
    result = check({CAFE: cafe(*GOOD_CAFE, "aliases:", "  - oud-goed", f'  - "{quoted}"')})
    assert result.code == 1
    errors = [line for line in result.lines if ": error: " in line]
    line = next(e for e in errors if "aliases: " in e and "oud-goed" not in e)
    assert line.startswith(f"{CAFE}:7: error: aliases: "), result.err
    for word in words:
        assert word in line, line


def test_plain_aliases_with_escapes_pass(check) -> None:
    aliases = ["/a%20b/", "/Oud_Pad~1/x.html", "/nieuws/2019/bericht-1/", "/a%25b/"]
    result = check({CAFE: cafe(*GOOD_CAFE, f"aliases: [{', '.join(aliases)}]")})
    assert result.code == 0, result.err


# --- URL fields ------------------------------------------------------------------------

URL_MISTAKES = [
    ("https://info@example.org", ["'@'", "info@example.org", "example.org", "aanmeldformulier"]),
    (
        "https://www.werkplaatsensociaaldomein.nl@evil.example/",
        ["'@'", "vóór de websitenaam", "evil.example"],
    ),
    ("info@example.org", ["e-mailadres", "Aanmelden via info@example.org", "aanmeldformulier"]),
    ("mailto:info@example.org", ["e-mailadres", "aanmeldformulier"]),
    ('"https://example.org/a b"', ["spatie"]),
    ('"https://example.org/\\u202eexe"', ["onzichtbaar", "U+202E"]),
    ("https://exa_mple.org/", ["exa_mple.org", "websitenaam"]),
    ("https://localhost/", ["localhost", "websitenaam"]),
    ("https://example.org:99999/", ["geen geldig webadres"]),
    ("https://[::1/", ["geen geldig webadres"]),
    ("www.example.org", ["https://www.example.org"]),
]


@pytest.mark.parametrize(("value", "words"), URL_MISTAKES, ids=[v for v, _ in URL_MISTAKES])
def test_url_field_mistakes(check, value: str, words: list[str]) -> None:
    result = check({CAFE: cafe(*GOOD_CAFE, f"aanmelden: {value}")})
    assert result.code == 1
    line, message = only_error(result, CAFE)
    assert line == 5 and message.startswith("aanmelden: "), message
    for word in words:
        assert word in message, message


def test_email_in_website_field_points_to_the_email_field(check) -> None:
    text = "---\ntitle: W\nregios: zuid-holland\nthemas: armoede\nwebsite: info@example.org\n---\n"
    result = check({"content/werkplaatsen/w.md": text})
    line, message = only_error(result, "content/werkplaatsen/w.md")
    assert line == 5 and message.startswith("website: ") and "'email'" in message


def test_good_urls_pass(check) -> None:
    for url in ("https://example.org/a/@b?x=1#y", "http://www.café.nl/", "https://192.0.2.1/"):
        result = check({CAFE: cafe(*GOOD_CAFE, f"aanmelden: '{url}'")})
        assert result.code == 0, (url, result.err)


# --- images and embeds from another host ------------------------------------------------

REMOTE_BODY = """\
Een gewone [link](https://elders.example/pagina) mag.

![Foto](https://elders.example/x.png)
<img alt="a" src="//elders.example/y.png">
<p><img alt="b" src='HTTPS://elders.example/z.png'></p>
<iframe src="/assets/x.html"></iframe>
<video controls><source src="/assets/x.mp4"></video>
<audio src="https://elders.example/a.mp3"></audio>
<embed src="x.swf"> <object data="x"></object>
<picture><img src="/assets/a.png" alt="c"></picture>
<img src="/assets/a.png" srcset="/assets/a2.png 2x" alt="d">
![Ref][foto]

`<iframe>` in code is tekst, en ook:

```
![x](https://elders.example/code.png)
```
<!-- <img src="https://elders.example/verborgen.png"> -->
![Eigen](/assets/eigen.png)

[foto]: https://elders.example/ref.png
"""


def test_remote_images_and_embeds_are_errors_on_their_lines(check) -> None:
    result = check({CAFE: cafe(*GOOD_CAFE, body=REMOTE_BODY)})
    assert result.code == 1
    errors = [line for line in result.lines if ": error: " in line]
    lines = [int(re.match(rf"{re.escape(CAFE)}:(\d+): error: ", e)[1]) for e in errors]
    # The body starts on line 6 (after '---', title, datum, werkplaats and '---').
    assert lines == [8, 9, 10, 11, 12, 12, 13, 14, 14, 15, 16, 17], result.err
    assert all("van een andere website zijn niet toegestaan" in e for e in errors)
    assert all("assets/" in e and "gewone link" in e for e in errors)


def test_remote_image_in_a_yaml_body(check) -> None:
    text = (
        "title: K\ndatum: 2019-05-23\nwerkplaats: rotterdam\nbody: |\n"
        "  Verslag.\n\n  ![Foto](https://elders.example/x.png)\n"
    )
    result = check({"content/kenniscafes/2019-05-23-test.yaml": text})
    line, message = only_error(result, "content/kenniscafes/2019-05-23-test.yaml")
    assert line == 7 and "andere website" in message


# --- content that used to end in "onverwachte fout" -------------------------------------

ODD_CONTENT = [
    ("huge visitors", cafe(*GOOD_CAFE, "bezoekers: " + "9" * 5000), 5, ["bezoekers", "te groot"]),
    ("huge menu", "---\ntitle: P\nmenu: 99999999999999999999999\n---\n", 3, ["menu", "te groot"]),
    ("huge year", "---\ntitle: R\njaar: " + "2" * 5000 + "\n---\n", 3, ["jaar", "jaartal"]),
    ("deep flow list", cafe(*GOOD_CAFE, "locatie: " + "[" * 10000), 5, ["diep"]),
    ("deep closed list", cafe(*GOOD_CAFE, "locatie: " + "[" * 50000 + "]" * 50000), 5, ["diep"]),
    ("deep groups", cafe(*GOOD_CAFE, "locatie: " + "{a: " * 10000), 5, ["diep"]),
    ("deep block list", cafe(*GOOD_CAFE, "sprekers:", "- " * 3000 + "x"), 6, ["diep"]),
    ("list as a field name", cafe(*GOOD_CAFE, "? [a]", ": b"), 5, ["veldnaam"]),
    ("null field name", cafe(*GOOD_CAFE, "~: b"), 5, ["veldnaam"]),
    ("list key in a value", cafe(*GOOD_CAFE, "sprekers: {? [a]: b}"), 5, ["veldnaam"]),
    ("number as a field name", cafe(*GOOD_CAFE, "1: b"), 5, ["onbekend veld '1'"]),
    ("long field name", cafe(*GOOD_CAFE, "x" * 1000 + ": b"), 5, ["onbekend veld", "…"]),
    ("too long field name", cafe(*GOOD_CAFE, "x" * 5000 + ": b"), 5, ["veldnaam", "te lang"]),
]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [case[1:] for case in ODD_CONTENT],
    ids=[case[0] for case in ODD_CONTENT],
)
def test_odd_content_gets_a_clear_message(check, text: str, line: int, words: list[str]) -> None:
    path = CAFE
    if text.startswith("---\ntitle: P"):
        path = "content/paginas/p.md"
    elif text.startswith("---\ntitle: R"):
        path = "content/publicaties/r.md"
    result = check({path: text})
    assert result.code == 1
    assert "onverwachte fout" not in result.err
    found_line, message = only_error(result, path)
    assert found_line == line, message
    for word in words:
        assert word in message, message


ODD_TEXT = {
    "title of 50 KB": "title: " + "x" * 50_000,
    "tab": 'title: "De\\tBrug"',
    "line separator": "title: De\u2028Brug",
    "byte order mark inside": "title: De\ufeffBrug",
    "right-to-left override": "title: De\u202eBrug",
    "escapes of controls": 'title: "De\\x0bBrug\\x1b[31m\\u0000"',
    "raw controls": "title: '\x7fDe Brug\x9b'",
}


@pytest.mark.parametrize("title", ODD_TEXT.values(), ids=ODD_TEXT.keys())
def test_odd_text_builds(tmp_path: Path, run, title: str) -> None:
    text = cafe(*GOOD_CAFE, "sprekers: [\"Jan\\nJansen\", '\x7fPiet\x9b']")
    text = text.replace("title: Kenniscafé", title)
    site = write_site(tmp_path / "site", {**BASE, CAFE: text})
    result = run("build", "--site", str(site), "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err[:2000]
