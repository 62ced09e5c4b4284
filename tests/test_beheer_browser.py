"""/beheer/ in a real browser: an editor adds a kenniscafé and edits a publication through
Decap CMS's forms, against `wsdgen serve`'s local backend on a copy of a fixture site.

Checks the files the forms write (name, front matter, body), that `wsdgen check` accepts
them, that the built site lists the new kenniscafé where readers look for it, and that
the screen made no request to another host.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import frontmatter
import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, require, serving, wsdgen_serving
from conftest import SITES, TODAY, page

from wsdgen.pipeline import BuildOptions, build

NEW_TITLE = "Kenniscafé: armoede & schulden in de wijk"
NEW_FILE = "content/kenniscafes/2031-03-14-kenniscafe-armoede-schulden-in-de-wijk.md"
NEW_PATH = "/kenniscafes/2031-03-14-kenniscafe-armoede-schulden-in-de-wijk/"
BODY = "Een middag over schulden in de wijk. Iedereen is welkom."
PUBLICATION = "content/publicaties/armoede-rapport.md"


@pytest.fixture
def served_mini(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    site = tmp_path / "site"
    shutil.copytree(SITES / "mini", site)
    with wsdgen_serving(site, tmp_path / "serve.log") as url:
        yield site, url


def wait_for_file(path: Path, contains: str = "", seconds: float = 15) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if contains in text:
                return text
        time.sleep(0.1)
    raise AssertionError(f"{path} was not written (with {contains!r})")


def test_an_editor_adds_a_kenniscafe_and_edits_a_publication(
    served_mini: tuple[Path, str], tmp_path: Path
) -> None:
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import expect, sync_playwright

    site, url = served_mini
    own_host = urlsplit(url).netloc
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="nl-NL", timezone_id="Europe/Amsterdam"
        )
        context.on("request", lambda request: requested.append(request.url))
        tab = context.new_page()

        def field(name: str):  # type: ignore[no-untyped-def]
            return tab.locator(f"[id^='{name}-field-']").first

        def choose(name: str, typed: str) -> None:
            field(name).fill(typed)
            tab.get_by_role("option").first.wait_for()
            tab.keyboard.press("Enter")

        tab.goto(url + "/beheer/")
        tab.get_by_role("button", name="Inloggen").click()
        tab.goto(url + "/beheer/#/collections/kenniscafes/new")

        field("title").fill(NEW_TITLE)
        field("datum").fill("2031-03-14")
        field("begintijd").fill("15:30")
        choose("werkplaats", "Rotter")
        choose("themas", "Armo")
        choose("themas", "Jeug")
        field("locatie").fill("wordt gewist")
        field("locatie").fill("")  # emptied: must not be written as ''
        tab.locator("[data-slate-editor]").click()
        tab.keyboard.type(BODY)

        # The preview is in the house style: the site's stylesheet and page structure.
        preview = tab.frame_locator("iframe").first
        expect(preview.locator("h1")).to_have_text(NEW_TITLE)
        expect(preview.locator("link[rel=stylesheet][href*='/assets/css/style.']")).to_have_count(1)
        expect(preview.locator(".prose")).to_contain_text(BODY)

        tab.get_by_role("button", name="Publiceer").click()
        tab.get_by_role("menuitem", name="Publiceer nu").click()
        written = wait_for_file(site / NEW_FILE, BODY)
        # Decap moves to the saved entry's address after writing; wait for that, or it
        # overrides the next navigation.
        expect(tab).to_have_url(re.compile(r"/entries/2031-03-14-"))

        # Edit an existing publication: change one field, keep the others.
        tab.goto(url + "/beheer/#/collections/publicaties")
        tab.get_by_role("link", name="Rapport over armoede").click()
        expect(field("title")).to_have_value("Rapport over armoede")
        field("uitgever").fill("Movisie")
        tab.get_by_role("button", name="Publiceer").click()
        tab.get_by_role("menuitem", name="Publiceer nu").click()
        edited = wait_for_file(site / PUBLICATION, "Movisie")
        browser.close()

    post = frontmatter.loads(written)
    assert list(post.metadata) == ["title", "datum", "werkplaats", "begintijd", "themas"]
    assert post.metadata["title"] == NEW_TITLE
    assert post.metadata["datum"] == dt.date(2031, 3, 14)
    assert post.metadata["werkplaats"] == "rotterdam"
    assert post.metadata["themas"] == ["armoede", "jeugd"]
    assert post.content.strip() == BODY
    assert "begintijd: 15:30" in written or "begintijd: '15:30'" in written

    publication = frontmatter.loads(edited)
    assert publication.metadata["uitgever"] == "Movisie"
    assert publication.metadata["auteurs"] == ["Anna de Vries", "Piet Jansen"]
    assert publication.metadata["url"] == "/assets/publicaties/rapport.pdf"
    assert publication.metadata["jaar"] == 2019
    assert publication.content.strip() == "Een rapport."

    strangers = [
        address
        for address in requested
        if not address.startswith(("data:", "blob:")) and urlsplit(address).netloc != own_host
    ]
    assert strangers == []

    checked = subprocess.run(
        [sys.executable, "-m", "wsdgen", "check", "--site", str(site)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr

    out = tmp_path / "public"
    options = BuildOptions(site_dir=site, out=str(out), today=dt.date.fromisoformat(TODAY))
    assert build(options).exit_code == 0
    for listing in ("/werkplaatsen/rotterdam/", "/themas/armoede/", "/themas/jeugd/"):
        links = [a["href"] for a in page(out, listing).select("main a[href]")]
        assert NEW_PATH in links, listing
    region_links = [a["href"] for a in page(out, "/regios/zuid-holland/").select("main a[href]")]
    assert NEW_PATH in region_links


@pytest.fixture
def published_with_gitlab(tmp_path: Path) -> Iterator[str]:
    """The built site (with a `beheer:` section for GitLab) on a plain static server."""
    site = tmp_path / "site"
    shutil.copytree(SITES / "mini", site)
    config = site / "config.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "beheer:\n  forge: gitlab\n  repository: wsd/site\n  app_id: 0123abcd\n",
        encoding="utf-8",
    )
    out = tmp_path / "public"
    options = BuildOptions(site_dir=site, out=str(out), today=dt.date.fromisoformat(TODAY))
    assert build(options).exit_code == 0
    with serving(out) as url:
        yield url


def test_the_published_screen_asks_for_the_forge_sign_in(published_with_gitlab: str) -> None:
    """The generated config is accepted by Decap itself (it shows a config error page
    otherwise), in Dutch, and nothing is loaded from elsewhere before signing in."""
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import expect, sync_playwright

    url = published_with_gitlab
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="nl-NL")
        context.on("request", lambda request: requested.append(request.url))
        tab = context.new_page()
        tab.goto(url + "/beheer/")
        expect(tab.get_by_role("button", name="Inloggen met GitLab")).to_be_visible()
        expect(tab.get_by_text("Configuratiefout")).to_have_count(0)
        browser.close()
    own_host = urlsplit(url).netloc
    assert [a for a in requested if urlsplit(a).netloc not in (own_host, "")] == []
