"""/beheer/ saves nothing that `wsdgen check` would reject (issue 20, points 2 and 4).

The local backend checks every save against the whole site (serve/candidate.py) and refuses,
with a Dutch "veld: melding" per problem, an entry with errors or one that breaks other
files; the form carries the rules it can check itself (patterns); serve's error panel
stays off /beheer/ and can be closed on the site's pages.
"""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, require, wsdgen_serving
from conftest import SITES
from PIL import Image

from wsdgen.check.validate import remote_content
from wsdgen.incremental.rebuild import Rebuilder
from wsdgen.pipeline import BuildOptions
from wsdgen.publish.beheer import (
    BODY_MESSAGE,
    MAX_TITLE_LENGTH,
    TIME_PATTERN,
    TITLE_PATTERN,
    WIDGETS,
    body_pattern,
    field_widget,
)
from wsdgen.schema import FIELDS, FieldSpec
from wsdgen.serve.beheer_local import LocalFolder, NotValid
from wsdgen.serve.server import DevSite, error_panel

NEW_CAFE = "content/kenniscafes/2031-03-14-kenniscafe-in-de-wijk.md"
ARMOEDE = "content/themas/armoede.md"
ROTTERDAM = "content/werkplaatsen/rotterdam.md"


def cafe(*lines: str, body: str = "Een middag in de wijk.") -> str:
    """A kenniscafé as Decap writes it, with extra front-matter lines."""
    front = [
        "title: Kenniscafe in de wijk",
        "datum: 2031-03-14",
        "werkplaats: rotterdam",
        *lines,
    ]
    return "---\n" + "\n".join(front) + "\n---\n" + body + "\n"


def save(site: Path, path: str, raw: str, new_path: str | None = None) -> object:
    entry: dict[str, object] = {"path": path, "raw": raw}
    if new_path:
        entry["newPath"] = new_path
    return LocalFolder(site).answer("persistEntry", {"entry": entry, "assets": []})


def refused(site: Path, path: str, raw: str, new_path: str | None = None) -> str:
    """Save, expect a refusal that writes nothing; give the editor's message."""
    before = snapshot(site)
    with pytest.raises(NotValid) as refusal:
        save(site, path, raw, new_path)
    assert snapshot(site) == before, "a refused save changed the site folder"
    message = str(refusal.value)
    assert message.startswith("de controle van de site keurt dit af; verbeter eerst"), message
    assert "API_ERROR" not in message and "mag hier niets" not in message
    return message


def snapshot(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def png(width: int = 40, height: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


# --- 1. The local backend: each mistake of the issue is refused, in Dutch, per field. ---


def test_a_valid_new_kenniscafe_is_saved(mini: Path) -> None:
    raw = cafe('begintijd: "15:30"', 'eindtijd: "17:00"')
    assert save(mini, NEW_CAFE, raw) == {"message": "entry persisted"}
    assert (mini / NEW_CAFE).read_text(encoding="utf-8") == raw


def test_an_end_time_before_the_start_time_is_refused(mini: Path) -> None:
    message = refused(mini, NEW_CAFE, cafe('begintijd: "15:30"', 'eindtijd: "14:00"'))
    assert "• Eindtijd: de eindtijd ligt niet na de begintijd" in message


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ('<iframe src="https://www.youtube.com/embed/x"></iframe>', "<iframe"),
        ("![Foto](https://example.com/foto.jpg)", "example.com/foto.jpg"),
        ('<img src="//example.com/foto.jpg" alt="Foto">', "example.com/foto.jpg"),
    ],
    ids=["iframe", "markdown-image", "html-image"],
)
def test_embeds_and_images_from_elsewhere_in_the_body_are_refused(
    mini: Path, body: str, shown: str
) -> None:
    message = refused(mini, NEW_CAFE, cafe(body=body))
    assert "• Tekst: afbeeldingen en ingesloten inhoud van een andere website" in message
    assert shown in message


def test_an_image_without_a_description_is_refused(mini: Path) -> None:
    (mini / "assets/afbeeldingen").mkdir()
    (mini / "assets/afbeeldingen/wijk.png").write_bytes(png())
    message = refused(mini, NEW_CAFE, cafe("afbeelding: /assets/afbeeldingen/wijk.png"))
    assert "• Beschrijving van de afbeelding: beschrijf in afbeelding_alt" in message


def test_a_decorative_image_is_possible(mini: Path) -> None:
    """`afbeelding_alt: ""` is what check accepts for a decorative image; the local
    backend saves it (the form must write the empty value, see the report)."""
    (mini / "assets/afbeeldingen").mkdir()
    (mini / "assets/afbeeldingen/wijk.png").write_bytes(png())
    raw = cafe("afbeelding: /assets/afbeeldingen/wijk.png", 'afbeelding_alt: ""')
    assert save(mini, NEW_CAFE, raw) == {"message": "entry persisted"}


def test_a_body_image_uploaded_in_the_same_save_is_checked_with_it(mini: Path) -> None:
    """An entry and its upload in one save: checked together; refused, neither stays."""
    asset = {
        "path": "assets/afbeeldingen/wijk.png",
        "content": base64.b64encode(png()).decode("ascii"),
        "encoding": "base64",
    }
    folder = LocalFolder(mini)
    good = cafe(body="![De wijk](/assets/afbeeldingen/wijk.png)")
    entry = {"path": NEW_CAFE, "raw": good}
    assert folder.answer("persistEntry", {"entry": entry, "assets": [asset]})
    assert (mini / "assets/afbeeldingen/wijk.png").is_file()
    (mini / NEW_CAFE).unlink()
    (mini / "assets/afbeeldingen/wijk.png").unlink()
    bad = {"path": NEW_CAFE, "raw": cafe(body="![](/assets/afbeeldingen/wijk.png)")}
    with pytest.raises(NotValid, match="Tekst: "):
        folder.answer("persistEntry", {"entry": bad, "assets": [asset]})
    assert not (mini / NEW_CAFE).exists()
    assert not (mini / "assets/afbeeldingen/wijk.png").exists()


def test_a_theme_ending_before_it_began_is_refused(mini: Path) -> None:
    raw = (
        (mini / ARMOEDE)
        .read_text(encoding="utf-8")
        .replace("sinds: 2021", "sinds: 2021\ntot: 2019")
    )
    message = refused(mini, ARMOEDE, raw)
    assert "• Tot (jaar): het jaar 'tot' ligt voor 'sinds'" in message


def test_a_draft_theme_that_others_use_is_refused_naming_them(mini: Path) -> None:
    raw = (
        (mini / ARMOEDE)
        .read_text(encoding="utf-8")
        .replace("sinds: 2021", "sinds: 2021\ndraft: true")
    )
    message = refused(mini, ARMOEDE, raw)
    assert "in content/kenniscafes/2030-06-01-toekomst.md (een ander item): Thema's: " in message
    assert "thema 'armoede' is nog een concept" in message
    assert "werkplaatsen/rotterdam.md" in message


def test_a_reference_to_a_werkplaats_that_does_not_exist_is_refused(mini: Path) -> None:
    raw = cafe().replace("werkplaats: rotterdam", "werkplaats: rotterdm")
    message = refused(mini, NEW_CAFE, raw)
    assert "• Werkplaats: er is geen werkplaats 'rotterdm'" in message
    assert "bedoel je 'rotterdam'?" in message


def test_renaming_a_werkplaats_that_others_use_is_refused(mini: Path) -> None:
    raw = (mini / ROTTERDAM).read_text(encoding="utf-8")
    message = refused(mini, ROTTERDAM, raw, new_path="content/werkplaatsen/rotterdam-zuid.md")
    assert "(een ander item): Werkplaats: er is geen werkplaats 'rotterdam'" in message


def test_removing_a_theme_that_others_use_is_refused(mini: Path) -> None:
    with pytest.raises(NotValid, match="er is geen thema 'armoede'"):
        LocalFolder(mini).answer("deleteFile", {"path": ARMOEDE})
    assert (mini / ARMOEDE).is_file()
    LocalFolder(mini).answer("deleteFile", {"path": "content/kenniscafes/2018-03-01-wijkteams.md"})
    assert not (mini / "content/kenniscafes/2018-03-01-wijkteams.md").exists()


def test_a_title_that_is_too_long_says_so(mini: Path) -> None:
    """Decap makes the file name from the title: a 300-character title gives a name the
    backend cannot take; the editor reads why, not "mag hier niets lezen of schrijven"."""
    title = ("Schulden en armoede in de wijk " * 10)[:299] + "x"
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    raw = cafe().replace("title: Kenniscafe in de wijk", f"title: {title}")
    message = refused(mini, f"content/kenniscafes/2031-03-14-{slug}.md", raw)
    assert (
        f"• Titel: de titel is te lang (300 tekens); houd hem bij hoogstens {MAX_TITLE_LENGTH}"
        in message
    )
    # A long title under a short name (an edited entry keeps its name): the same rule.
    longer = cafe().replace("title: Kenniscafe in de wijk", f"title: {title[:160]}")
    assert "de titel is te lang (160 tekens)" in refused(mini, NEW_CAFE, longer)


def test_a_broken_file_elsewhere_does_not_block_a_save(mini: Path) -> None:
    """Errors that were already there are not the edit's: the editor may be fixing one."""
    broken = mini / "content/kenniscafes/2017-04-14-schulden.md"
    broken.write_text(broken.read_text(encoding="utf-8").replace("datum: ", "datum: x"), "utf-8")
    assert save(mini, NEW_CAFE, cafe()) == {"message": "entry persisted"}
    fixed = broken.read_text(encoding="utf-8").replace("datum: x", "datum: ")
    assert save(mini, "content/kenniscafes/2017-04-14-schulden.md", fixed)


def test_warnings_do_not_block_a_save(mini: Path) -> None:
    raw = (
        (mini / ROTTERDAM)
        .read_text(encoding="utf-8")
        .replace("themas:\n  - armoede\n  - sociale-basis\n", "")
    )
    assert save(mini, ROTTERDAM, raw) == {"message": "entry persisted"}


def test_the_message_has_one_line_per_problem_with_the_field_label(mini: Path) -> None:
    raw = cafe('begintijd: "15:30"', 'eindtijd: "14:00"', "bezoekers: veel")
    message = refused(mini, NEW_CAFE, raw)
    lines = message.splitlines()
    assert lines[0] == "de controle van de site keurt dit af; verbeter eerst deze 2 punten:"
    assert lines[1:] == [
        "• Eindtijd: de eindtijd ligt niet na de begintijd",
        "• Aantal bezoekers: 'veel' is geen aantal; schrijf een heel getal van 0 of meer",
    ]


def test_serve_answers_a_refused_save_with_422_and_the_message(
    served_mini: tuple[Path, str],
) -> None:
    """What Decap's proxy backend reads: on a non-2xx answer it throws an error with the
    JSON `error` as its message, shown as "Kan item niet opslaan: <error>"."""
    site, origin = served_mini
    entry = {"path": NEW_CAFE, "raw": cafe('begintijd: "15:30"', 'eindtijd: "14:00"')}
    body = json.dumps({"action": "persistEntry", "params": {"entry": entry, "assets": []}})
    request = urllib.request.Request(
        f"{origin}/beheer/api/v1",
        data=body.encode(),
        headers={"Content-Type": "application/json", "Origin": origin},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=15)
    assert caught.value.code == 422
    error = json.loads(caught.value.read())["error"]
    assert "• Eindtijd: de eindtijd ligt niet na de begintijd" in error
    assert not (site / NEW_CAFE).exists()


# --- 2. The form: what it can check itself (production has no wsdgen server). ---


def test_the_form_limits_the_title_and_checks_times() -> None:
    title = field_widget("kenniscafes", FIELDS["kenniscafes"][0])
    assert title["pattern"] == [TITLE_PATTERN, f"Hoogstens {MAX_TITLE_LENGTH} tekens"]
    assert re.match(TITLE_PATTERN, "a" * MAX_TITLE_LENGTH)
    assert not re.match(TITLE_PATTERN, "a" * (MAX_TITLE_LENGTH + 1))
    begin = next(s for s in FIELDS["kenniscafes"] if s.name == "begintijd")
    widget = field_widget("kenniscafes", begin)
    assert widget["pattern"][0] == TIME_PATTERN  # type: ignore[index]
    assert re.match(TIME_PATTERN, "15:30") and not re.match(TIME_PATTERN, "25:00")


@pytest.mark.parametrize(
    "body",
    [
        '<iframe src="https://example.org/x"></iframe>',
        "<IFRAME src=x>",
        "Tekst\n\n![Foto](https://example.com/foto.jpg)",
        "![Foto]( //example.com/foto.jpg)",
        '<img alt="x" src="https://example.com/foto.jpg">',
        "<video src=/assets/x.mp4>",
    ],
)
def test_the_body_pattern_refuses_what_check_refuses(body: str) -> None:
    assert list(remote_content(body)), body
    assert not re.match(body_pattern(), body)


@pytest.mark.parametrize(
    "body",
    [
        "Gewone tekst met een [link](https://example.org/).",
        "![De wijk](/assets/afbeeldingen/wijk.png)",
        '<img src="/assets/afbeeldingen/wijk.png" alt="">',
        "Meer dan 5 < 6 en een <b>vet</b> woord.",
    ],
)
def test_the_body_pattern_takes_what_check_takes(body: str) -> None:
    assert not list(remote_content(body)), body
    assert re.match(body_pattern(), body)


def test_a_markdown_field_carries_the_body_pattern() -> None:
    spec = FieldSpec("tekst", "markdown", "Tekst")
    assert WIDGETS["markdown"](spec)["pattern"] == [body_pattern(), BODY_MESSAGE]


# --- 3. The error panel: never on /beheer/, and it can be closed on the site. ---


def get(app: DevSite, path: str) -> tuple[str, bytes]:
    answer: dict[str, str] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"] = status

    body = b"".join(app({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, start_response))
    return answer["status"], body


def test_the_error_panel_stays_off_the_editing_screen(mini: Path) -> None:
    options = BuildOptions(
        site_dir=mini,
        base_url="http://127.0.0.1:8000/",
        drafts=True,
        write=False,
        local_beheer=True,
    )
    app = DevSite(Rebuilder(options))
    app.refresh()
    cafe_file = mini / "content/kenniscafes/2017-04-14-schulden.md"
    cafe_file.write_text(
        cafe_file.read_text(encoding="utf-8").replace("datum: ", "datum: x"), "utf-8"
    )
    app.refresh()
    assert app.errors
    status, body = get(app, "/beheer/")
    assert status == "200 OK" and b"<body" in body
    assert b"wsdgen-fouten" not in body and b"De site bevat fouten" not in body
    _, body = get(app, "/beheer/index.html")
    assert b"wsdgen-fouten" not in body
    _, body = get(app, "/kenniscafes/")
    assert body.count(b'id="wsdgen-fouten"') == 1
    assert b">Sluiten</button>" in body


def test_the_panel_has_a_close_button_but_the_error_page_does_not() -> None:
    panel = error_panel([])
    assert re.search(r'<button type="button"[^>]*>Sluiten</button>', panel)
    assert 'role="alert"' in panel and 'aria-labelledby="wsdgen-fouten-kop"' in panel
    assert "<button" not in error_panel([], closable=False)


# --- 4. In the browser: the editor sees the refusal, fixes it, saves. ---


@pytest.fixture
def served_mini(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    site = tmp_path / "site"
    shutil.copytree(SITES / "mini", site)
    with wsdgen_serving(site, tmp_path / "serve.log") as url:
        yield site, url


def test_an_editor_sees_why_a_save_is_refused_and_fixes_it(
    served_mini: tuple[Path, str],
) -> None:
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import expect, sync_playwright

    site, url = served_mini
    target = site / NEW_CAFE
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
        )
        tab = context.new_page()

        def field(name: str):  # type: ignore[no-untyped-def]
            return tab.locator(f"[id^='{name}-field-']").first

        def publish() -> None:
            tab.get_by_role("button", name="Publiceer").click()
            tab.get_by_role("menuitem", name="Publiceer nu").click()

        tab.goto(url + "/beheer/")
        tab.get_by_role("button", name="Inloggen").click()
        tab.goto(url + "/beheer/#/collections/kenniscafes/new")
        field("title").fill("Kenniscafe in de wijk")
        field("datum").fill("2031-03-14")
        field("begintijd").fill("15:30")
        field("eindtijd").fill("14:00")
        field("werkplaats").fill("Rotter")
        tab.get_by_role("option").first.wait_for()
        tab.keyboard.press("Enter")
        publish()

        refusal = tab.get_by_text("Eindtijd: de eindtijd ligt niet na de begintijd")
        expect(refusal, "the refusal's Dutch message did not appear").to_be_visible()
        expect(tab.get_by_text("Kan item niet opslaan: de controle van de site")).to_be_visible()
        assert not target.exists(), "the refused entry was written"

        field("eindtijd").fill("17:00")
        publish()
        expect(
            tab.get_by_text("Item opgeslagen"), "no 'Item opgeslagen' after the fix"
        ).to_be_visible()
        browser.close()
    text = target.read_text(encoding="utf-8")
    assert "eindtijd: 17:00" in text or "eindtijd: '17:00'" in text


def test_the_panel_leaves_beheer_alone_and_closes_on_the_site(
    served_mini: tuple[Path, str],
) -> None:
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import expect, sync_playwright

    site, url = served_mini
    broken = site / "content/kenniscafes/2017-04-14-schulden.md"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.goto(url + "/kenniscafes/")
        tab.wait_for_function("() => window.LiveReload !== undefined", timeout=10000)
        broken.write_text(
            broken.read_text(encoding="utf-8").replace("datum: ", "datum: x"), "utf-8"
        )
        panel = tab.locator("#wsdgen-fouten")
        expect(panel, "the error panel did not appear on the site").to_be_visible(timeout=15000)

        close = panel.get_by_role("button", name="Sluiten")
        close.focus()
        tab.keyboard.press("Enter")
        expect(panel, "the panel did not close with the keyboard").to_have_count(0)
        expect(tab.locator("h1")).to_be_visible()

        tab.goto(url + "/beheer/")
        expect(
            tab.get_by_role("button", name="Inloggen"), "the editing screen did not load"
        ).to_be_visible()
        expect(tab.locator("#wsdgen-fouten"), "the error panel covers /beheer/").to_have_count(0)
        tab.get_by_role("button", name="Inloggen").click()
        expect(tab.get_by_role("link", name="Kenniscafés").first).to_be_visible()
        expect(tab.locator("#wsdgen-fouten")).to_have_count(0)
        browser.close()
