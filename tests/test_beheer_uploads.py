"""Uploads through /beheer/: an editor adds an image to a kenniscafé and a PDF to a
publication, in Chromium against `wsdgen serve`'s local backend on a copy of the mini
site; the policy (CSP) that lets Decap save an upload in both modes; the folders the
local backend writes; and a second entry with the same title and date.

The browser tests check the file that lands in the site (folder, bytes), the front
matter that points to it, that `wsdgen check` accepts the result, and that the screen
logged no error and no request failed. The image run is timed: how long an editor needs
for a kenniscafé with an image, as a script clicks it.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import frontmatter
import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, require, wsdgen_serving
from conftest import SITES

from wsdgen.load.config import Overrides, load_config
from wsdgen.publish.beheer import cms_config, content_security_policy
from wsdgen.serve.beheer_local import LocalFolder, Refused

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

# Playwright's time for one expected thing to appear (ms): generous for 2 shared cores.
WAIT_MS = 15_000
IMAGE_NAME = "zaal-kenniscafe.jpg"
PDF_NAME = "rapport-schulden-2031.pdf"
CAFE_TITLE = "Schulden in de wijk"
CAFE_FILE = "content/kenniscafes/2031-03-14-schulden-in-de-wijk.md"
PUBLICATION_TITLE = "Rapport schulden 2031"
PUBLICATION_FILE = "content/publicaties/rapport-schulden-2031.md"
ALT = "Bezoekers praten aan tafels over schulden"


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 80, 40)).save(out, "JPEG", quality=80)
    return out.getvalue()


# A small PDF that `wsdgen check` accepts (the mini site's own), under a new name.
PDF = (SITES / "mini/assets/publicaties/rapport.pdf").read_bytes()


# --- The policy of the screen ---


def directives(policy: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in policy.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def site_config(tmp_path: Path, section: str, local: bool) -> object:
    site = tmp_path / "site"
    shutil.copytree(SITES / "mini", site)
    config_file = site / "config.yaml"
    config_file.write_text(config_file.read_text(encoding="utf-8") + section, encoding="utf-8")
    config, problems = load_config(site, Overrides(local_beheer=local))
    assert config is not None, problems
    return config


GITLAB = "\nbeheer:\n  forge: gitlab\n  repository: wsd/site\n  app_id: 0123abcd\n"
GITHUB = "\nbeheer:\n  forge: github\n  repository: wsd/site\n"


@pytest.mark.parametrize(
    ("section", "local", "forge"),
    [
        ("", True, []),
        (GITLAB, False, ["https://gitlab.com"]),
        (GITHUB, False, ["https://api.github.com"]),
    ],
    ids=["serve", "gitlab", "github"],
)
def test_the_policy_lets_decap_read_back_an_upload_and_nothing_else(
    tmp_path: Path, section: str, local: bool, forge: list[str]
) -> None:
    """Decap fetches the blob: URL of a chosen file to save it; connect-src has blob:
    in both modes, and besides the site itself only the forge's API."""
    found = directives(content_security_policy(site_config(tmp_path, section, local)))  # type: ignore[arg-type]
    assert found["connect-src"] == ["'self'", "blob:", *forge]
    for name, sources in found.items():
        hosts = [s for s in sources if "." in s or "*" in s or s.startswith("http")]
        assert hosts == ([] if name != "connect-src" else forge), name
    assert found["default-src"] == ["'self'"]
    assert found["script-src"] == ["'self'", "'unsafe-eval'"]


def test_each_upload_field_has_the_folder_of_the_guide(tmp_path: Path) -> None:
    settings = cms_config(site_config(tmp_path, GITLAB, False))  # type: ignore[arg-type]
    assert settings["media_folder"] == "assets/afbeeldingen"  # "Media" and images in the text
    assert settings["public_folder"] == "/assets/afbeeldingen"
    folders: dict[tuple[str, str], tuple[object, object]] = {}
    for collection in settings["collections"]:  # type: ignore[attr-defined]
        for widget in collection["fields"]:
            if widget["widget"] in ("image", "file"):
                key = (collection["name"], widget["name"])
                folders[key] = (widget["media_folder"], widget["public_folder"])
    images = {key: value for key, value in folders.items() if key[1] == "afbeelding"}
    assert set(images.values()) == {("/assets/afbeeldingen", "/assets/afbeeldingen")}
    assert len(images) == 5
    assert folders[("publicaties", "url")] == ("/assets/publicaties", "/assets/publicaties")
    assert len(folders) == 6


# --- The local backend's folders ---


def media_request(relative: str, data: bytes) -> dict[str, object]:
    content = base64.b64encode(data).decode("ascii")
    return {"asset": {"path": relative, "content": content, "encoding": "base64"}}


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(SITES / "mini", site)
    return site


@pytest.mark.parametrize(
    ("relative", "data"),
    [("assets/afbeeldingen/zaal.jpg", jpeg_bytes()), ("assets/publicaties/nieuw.pdf", PDF)],
)
def test_the_local_backend_writes_uploads_into_the_folders_of_the_guide(
    mini: Path, relative: str, data: bytes
) -> None:
    folder = LocalFolder(mini)
    answer = folder.answer("persistMedia", media_request(relative, data))
    assert isinstance(answer, dict) and answer["path"] == relative
    assert (mini / relative).read_bytes() == data
    listed = folder.answer("getMedia", {"mediaFolder": "/" + relative.rsplit("/", 1)[0]})
    assert relative in [item["path"] for item in listed]  # type: ignore[union-attr, index]


@pytest.mark.parametrize(
    "relative",
    [
        "assets/downloads/nieuw.pdf",  # the old folder: read, no longer written
        "assets/nieuw.pdf",
        "assets/css/nieuw.pdf",
        "assets/afbeeldingen/sub/zaal.jpg",
        "assets/publicaties/../css/x.pdf",
        "content/nieuw.pdf",
        "templates/nieuw.pdf",
    ],
)
def test_the_local_backend_writes_no_other_folder(mini: Path, relative: str) -> None:
    with pytest.raises(Refused):
        LocalFolder(mini).answer("persistMedia", media_request(relative, PDF))
    assert not (mini / relative).exists()


def test_an_upload_into_the_old_folder_says_where_it_goes(mini: Path) -> None:
    with pytest.raises(Refused, match=r"assets/afbeeldingen/.*assets/publicaties/"):
        LocalFolder(mini).answer("persistMedia", media_request("assets/downloads/a.pdf", PDF))


def test_the_old_folder_is_still_read(mini: Path) -> None:
    (mini / "assets/downloads").mkdir()
    (mini / "assets/downloads/oud.pdf").write_bytes(PDF)
    folder = LocalFolder(mini)
    answer = folder.answer("getMediaFile", {"path": "assets/downloads/oud.pdf"})
    assert base64.b64decode(answer["content"]) == PDF  # type: ignore[index]
    listed = folder.answer("getMedia", {"mediaFolder": "assets/downloads"})
    assert [item["name"] for item in listed] == ["oud.pdf"]  # type: ignore[union-attr, index]
    with pytest.raises(Refused):
        folder.answer("deleteFile", {"path": "assets/downloads/oud.pdf"})
    assert (mini / "assets/downloads/oud.pdf").is_file()


@pytest.mark.parametrize(
    ("relative", "data"),
    [
        ("assets/afbeeldingen/foto.jpg", b"<html><script>alert(1)</script>"),
        ("assets/afbeeldingen/x.html", b"<html></html>"),
        ("assets/publicaties/nep.pdf", b"<html>%PDF-1.7"),
        ("assets/publicaties/x.js", b"alert(1)"),
    ],
)
def test_every_upload_folder_checks_the_bytes(mini: Path, relative: str, data: bytes) -> None:
    with pytest.raises(Refused, match="wordt niet opgeslagen"):
        LocalFolder(mini).answer("persistMedia", media_request(relative, data))
    assert not (mini / relative).exists()


def test_an_entry_saved_with_its_uploads_writes_them_into_the_folders(mini: Path) -> None:
    image = jpeg_bytes()
    raw = (
        "---\ntitle: Rapport schulden 2031\njaar: 2031\n"
        "url: /assets/publicaties/r.pdf\nafbeelding: /assets/afbeeldingen/omslag.jpg\n"
        "afbeelding_alt: De omslag van het rapport\n---\nHet rapport.\n"
    )
    params = {
        "dataFiles": [{"path": PUBLICATION_FILE, "raw": raw}],
        "assets": [
            media_request("assets/publicaties/r.pdf", PDF)["asset"],
            media_request("assets/afbeeldingen/omslag.jpg", image)["asset"],
        ],
        "options": {"newEntry": True},
    }
    LocalFolder(mini).answer("persistEntry", params)
    assert (mini / "assets/publicaties/r.pdf").read_bytes() == PDF
    assert (mini / "assets/afbeeldingen/omslag.jpg").read_bytes() == image
    assert (mini / PUBLICATION_FILE).read_text(encoding="utf-8") == raw


# --- The same title and date twice ---

CAFE = "---\ntitle: {title}\ndatum: 2031-03-14\nwerkplaats: rotterdam\n---\n{body}\n"


def with_cafe(site: Path) -> Path:
    """A kenniscafé under the name Decap makes from its date and title."""
    path = site / CAFE_FILE
    path.write_text(CAFE.format(title=CAFE_TITLE, body="De eerste."), encoding="utf-8")
    return path


def new_cafe(relative: str, title: str) -> dict[str, object]:
    raw = CAFE.format(title=title, body="Nog een keer.")
    return {
        "dataFiles": [{"path": relative, "raw": raw}],
        "assets": [],
        "options": {"newEntry": True, "collectionName": "kenniscafes"},
    }


@pytest.mark.parametrize(
    ("number", "title"), [(1, CAFE_TITLE), (2, "SCHULDEN in de wijk!"), (12, "Schulden in de wijk")]
)
def test_a_new_entry_with_the_title_and_date_of_another_is_refused(
    mini: Path, number: int, title: str
) -> None:
    """Decap names it after the existing file plus -1 (or -2, ... when that is taken
    too): a second page nobody asked for. The local backend refuses it in Dutch."""
    with_cafe(mini)
    new = CAFE_FILE.replace(".md", f"-{number}.md")
    expected = f"er is al een kenniscafé met deze titel en datum: {CAFE_FILE}"
    with pytest.raises(Refused, match=re.escape(expected)):
        LocalFolder(mini).answer("persistEntry", new_cafe(new, title))
    assert not (mini / new).exists()


def test_a_new_entry_is_never_written_over_an_existing_one(mini: Path) -> None:
    existing = with_cafe(mini)
    before = existing.read_bytes()
    with pytest.raises(Refused, match="er is al een kenniscafé met deze titel en datum"):
        LocalFolder(mini).answer("persistEntry", new_cafe(CAFE_FILE, CAFE_TITLE))
    assert existing.read_bytes() == before


def test_a_new_entry_whose_own_title_ends_in_a_number_is_kept(mini: Path) -> None:
    """'Schulden in de wijk 2' on the same day is another title, not a copy."""
    with_cafe(mini)
    new = CAFE_FILE.replace(".md", "-2.md")
    LocalFolder(mini).answer("persistEntry", new_cafe(new, f"{CAFE_TITLE} 2"))
    assert (mini / new).is_file()


def test_a_new_entry_of_a_collection_without_dates_says_title(mini: Path) -> None:
    raw = "---\ntitle: Over ons\n---\nNog een keer.\n"
    params = {
        "dataFiles": [{"path": "content/paginas/over-ons-1.md", "raw": raw}],
        "assets": [],
        "options": {"newEntry": True},
    }
    expected = "er is al een pagina met deze titel: content/paginas/over-ons.md"
    with pytest.raises(Refused, match=re.escape(expected)):
        LocalFolder(mini).answer("persistEntry", params)


def test_an_edited_entry_keeps_its_name(mini: Path) -> None:
    """Saving an existing entry (no newEntry) is not a duplicate of itself."""
    existing = with_cafe(mini)
    raw = CAFE.format(title=CAFE_TITLE, body="Meer tekst.")
    params = {"dataFiles": [{"path": CAFE_FILE, "raw": raw}], "assets": [], "options": {}}
    LocalFolder(mini).answer("persistEntry", params)
    assert existing.read_text(encoding="utf-8") == raw


# --- In the browser, as an editor does it ---


@dataclass
class Watched:
    """What went wrong in the browser while a test ran: console errors (with the
    address they are about, if any) and failed requests (address: why)."""

    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def watch(self, tab: Page) -> None:
        tab.on(
            "console",
            lambda message: (
                self.errors.append(f"{message.location.get('url', '')}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        tab.on("pageerror", lambda error: self.errors.append(str(error)))
        tab.on(
            "requestfailed",
            lambda request: self.failed.append(f"{request.url}: {request.failure}"),
        )
        tab.on(
            "response",
            lambda response: (
                self.failed.append(f"{response.url}: {response.status}")
                if response.status >= 400
                else None
            ),
        )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    site = tmp_path / "site"
    shutil.copytree(SITES / "mini", site)
    with wsdgen_serving(site, tmp_path / "serve.log") as url:
        yield site, url


def field_of(tab: Page, name: str) -> Locator:
    return tab.locator(f"[id^='{name}-field-']").first


def choose(tab: Page, name: str, typed: str) -> None:
    from playwright.sync_api import expect

    field_of(tab, name).fill(typed)
    option = tab.get_by_role("option").first
    expect(option, f"no choice for {typed!r} in {name}").to_be_visible(timeout=WAIT_MS)
    tab.keyboard.press("Enter")


def upload(tab: Page, button: str, file: Path, dialog_title: str, shot: Path | None) -> None:
    """Open the media dialog from a field's button, upload the file and use it."""
    from playwright.sync_api import expect

    tab.get_by_role("button", name=button).click()
    heading = tab.get_by_text(dialog_title, exact=True)
    expect(heading, f"the dialog {dialog_title!r} did not open").to_be_visible(timeout=WAIT_MS)
    tab.locator("input[type=file]").first.set_input_files(file)
    card = tab.get_by_text(file.name, exact=True)
    expect(card, f"{file.name} did not appear in the dialog").to_be_visible(timeout=WAIT_MS)
    if shot is not None:
        tab.screenshot(path=str(shot))
    tab.get_by_role("button", name="Gebruik selectie").click()
    expect(heading, "the dialog did not close").to_have_count(0, timeout=WAIT_MS)


def problems_besides(watched: Watched, address: str) -> Watched:
    """All that went wrong, except a 404 of ``address``, the uploaded image's address.

    Decap 3.16 treats a value that starts with / as an address, not as a file in the
    media folder, so its image thumbnail (and the preview) load /assets/afbeeldingen/...
    from the site before the upload is saved (a 404, and Chromium keeps that answer for
    the page). Nothing else may go wrong; in particular not the blob: fetch of the upload.
    """
    missing = f"{address}: 404"
    loading = "the server responded with a status of 404"
    return Watched(
        errors=[e for e in watched.errors if not (e.startswith(address) and loading in e)],
        failed=[f for f in watched.failed if f != missing],
    )


def publish(tab: Page) -> None:
    from playwright.sync_api import expect

    tab.get_by_role("button", name="Publiceer").click()
    tab.get_by_role("menuitem", name="Publiceer nu").click()
    # Decap moves to the saved entry's address once the backend has written it.
    expect(tab, "the entry was not saved (no entry address)").to_have_url(
        re.compile(r"/entries/"), timeout=WAIT_MS
    )


def check_site(site: Path) -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "wsdgen", "check", "--site", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def screenshot_folder() -> Path | None:
    """Where the dialog screenshots go when WSDGEN_SCREENSHOTS names a folder."""
    import os

    named = os.environ.get("WSDGEN_SCREENSHOTS")
    if not named:
        return None
    Path(named).mkdir(parents=True, exist_ok=True)
    return Path(named)


@pytest.mark.parametrize("width", [1280, 390])
def test_an_editor_adds_a_kenniscafe_with_an_image(
    served: tuple[Path, str], tmp_path: Path, width: int
) -> None:
    from playwright.sync_api import expect, sync_playwright

    site, url = served
    image = tmp_path / IMAGE_NAME
    image.write_bytes(jpeg_bytes())
    shots = screenshot_folder()
    watched = Watched()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": width, "height": 900},
            locale="nl-NL",
            timezone_id="Europe/Amsterdam",
        )
        tab = context.new_page()
        watched.watch(tab)
        started = time.monotonic()
        tab.goto(url + "/beheer/")
        tab.get_by_role("button", name="Inloggen").click()
        tab.goto(url + "/beheer/#/collections/kenniscafes/new")
        expect(field_of(tab, "title"), "the new-entry form did not open").to_be_visible(
            timeout=WAIT_MS
        )
        field_of(tab, "title").fill(CAFE_TITLE)
        field_of(tab, "datum").fill("2031-03-14")
        field_of(tab, "begintijd").fill("15:30")
        choose(tab, "werkplaats", "Rotter")
        shot = shots / f"upload-dialoog-{width}.png" if shots else None
        upload(tab, "Kies een afbeelding", image, "Afbeeldingen", shot)
        field_of(tab, "afbeelding_alt").fill(ALT)
        publish(tab)
        elapsed = time.monotonic() - started
        browser.close()
    print(f"\nkenniscafé met afbeelding ({width} px): {elapsed:.1f} s van openen tot opgeslagen")

    stored = site / "assets/afbeeldingen" / IMAGE_NAME
    assert stored.read_bytes() == image.read_bytes()
    assert not (site / "assets/downloads").exists()
    post = frontmatter.loads((site / CAFE_FILE).read_text(encoding="utf-8"))
    assert post.metadata["afbeelding"] == f"/assets/afbeeldingen/{IMAGE_NAME}"
    assert post.metadata["afbeelding_alt"] == ALT
    left = problems_besides(watched, f"{url}/assets/afbeeldingen/{IMAGE_NAME}")
    assert not left.errors and not left.failed, left
    check_site(site)


def test_an_editor_adds_a_publication_with_a_pdf(served: tuple[Path, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    site, url = served
    pdf = tmp_path / PDF_NAME
    pdf.write_bytes(PDF)
    shots = screenshot_folder()
    watched = Watched()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
        tab = context.new_page()
        watched.watch(tab)
        tab.goto(url + "/beheer/")
        tab.get_by_role("button", name="Inloggen").click()
        tab.goto(url + "/beheer/#/collections/publicaties/new")
        expect(field_of(tab, "title"), "the new-entry form did not open").to_be_visible(
            timeout=WAIT_MS
        )
        field_of(tab, "title").fill(PUBLICATION_TITLE)
        field_of(tab, "jaar").fill("2031")
        shot = shots / "upload-dialoog-pdf-1280.png" if shots else None
        upload(tab, "Kies een bestand", pdf, "Media", shot)
        publish(tab)
        browser.close()

    assert (site / "assets/publicaties" / PDF_NAME).read_bytes() == PDF
    post = frontmatter.loads((site / PUBLICATION_FILE).read_text(encoding="utf-8"))
    assert post.metadata["url"] == f"/assets/publicaties/{PDF_NAME}"
    assert not watched.errors and not watched.failed, watched
    check_site(site)


def test_the_screen_says_when_a_kenniscafe_exists_already(served: tuple[Path, str]) -> None:
    """The same title and date as an existing kenniscafé: Decap shows the backend's
    Dutch refusal, and no -1 file is made."""
    from playwright.sync_api import expect, sync_playwright

    site, url = served
    with_cafe(site)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900}, locale="nl-NL")
        tab.goto(url + "/beheer/")
        tab.get_by_role("button", name="Inloggen").click()
        tab.goto(url + "/beheer/#/collections/kenniscafes/new")
        expect(field_of(tab, "title"), "the new-entry form did not open").to_be_visible(
            timeout=WAIT_MS
        )
        field_of(tab, "title").fill(CAFE_TITLE)
        field_of(tab, "datum").fill("2031-03-14")
        choose(tab, "werkplaats", "Rotter")
        tab.get_by_role("button", name="Publiceer").click()
        tab.get_by_role("menuitem", name="Publiceer nu").click()
        message = tab.get_by_text("er is al een kenniscafé met deze titel en datum")
        expect(message, "the refusal was not shown").to_be_visible(timeout=WAIT_MS)
        shots = screenshot_folder()
        if shots is not None:
            tab.screenshot(path=str(shots / "dubbel-kenniscafe-1280.png"))
        browser.close()
    assert sorted(p.name for p in (site / "content/kenniscafes").glob("2031-03-14-*")) == [
        Path(CAFE_FILE).name
    ]
