"""/beheer/ in Dutch and in the house style, in a real browser (Chromium via Playwright)
against `wsdgen serve` on a copy of the mini site with one upcoming kenniscafé that has
an image.

What an editor sees and what a screen reader reads (visible text, the live region of the
select boxes, aria-label, title, placeholder and alt) on the sign-in page, the list and
the editor contains none of Decap's English; the sign-in page shows the site's mark and
name instead of Decap's logo; the preview looks like the site's page (header, names,
Dutch date and time, the image); "Bekijk op de site" opens the entry's page; the list is
newest first; on a 390 px phone the top bar with Publiceer fits the screen.
"""

from __future__ import annotations

import io
import re
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, require, wsdgen_serving
from conftest import SITES

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

SITE_NAME = "Testsite Werkplaatsen"  # tests/sites/mini/config.yaml
UPCOMING = "2031-03-14-samen-tegen-armoede"
UPCOMING_TITLE = "Samen tegen armoede"
UPCOMING_TEXT = f"""---
title: {UPCOMING_TITLE}
datum: 2031-03-14
werkplaats: rotterdam
begintijd: "15:30"
eindtijd: "17:00"
themas: [armoede]
locatie: Wijkcentrum De Brug, Rotterdam
sprekers:
  - Anna de Vries
  - Piet Jansen
afbeelding: /assets/afbeeldingen/zaal.png
afbeelding_alt: Bezoekers aan tafels in het wijkcentrum
---
Hoe helpt u bewoners met schulden op tijd? Daarover praten we in dit kenniscafé.
"""
PAST = "2017-04-14-schulden"  # themas [armoede], sprekers, begintijd, aliases

# Decap's English, as it showed on /beheer/ before the Dutch was completed, and the
# common words of its English locale. Whole words, case-sensitive: "Link", "Code",
# "Media", "Markdown", "Status" and "Details" are Dutch too and are not listed.
ENGLISH = [
    r"Failed",
    r"TypeError",
    r"API_ERROR",
    r"Quote",
    r"Strikethrough",
    r"Expand",
    r"Collapse",
    r"\bSet\b",
    r"to now",
    r"\bRemove\b",
    r"\b[a-z]+ field\b",
    r"\b1 [a-z' ]*(sprekers|adressen)\b",
    r"Publish",
    r"Unpublish",
    r"Delete",
    r"\bSave",
    r"Loading",
    r"Search",
    r"Heading",
    r"Toggle",
    r"\bview option",
    r"Account options",
    r"Choose",
    r"\bAdd\b",
    r"Insert",
    r"Replace",
    r"\bBold\b",
    r"Italic",
    r"Rich Text",
    r"Bulleted",
    r"Numbered",
    r"View Live",
    r"Bekijk Live",
    r"\bPreview\b",
    r"Back to",
    r"Unsaved",
    r"Changes saved",
    r"Sort by",
    r"No options",
    r"\bSelect",
    r"selected",
    r"results? available",
    r"\bfocused\b",
    r"press Down",
    r"\bClear\b",
    r"\bNow\b",
    r"Log ?in",
    r"Log ?out",
    r"Entries",
    r"\bNew\b",
    r"Please",
    r"Error",
]

# Every visible text (a select box's screen-reader live region counts: it has a box of
# one pixel) and every attribute a screen reader or a tooltip shows.
SEEN = """() => {
  const seen = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.data.trim();
    const parent = walker.currentNode.parentElement;
    if (text && parent && parent.getClientRects().length
        && getComputedStyle(parent).visibility !== 'hidden') {
      seen.push(text);
    }
  }
  for (const element of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      const value = element.getAttribute(name);
      if (value) seen.push(name + '=' + value);
    }
  }
  return seen;
}"""


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 450), (21, 66, 115)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("dutch")
    site = root / "site"
    shutil.copytree(SITES / "mini", site)
    (site / "assets/afbeeldingen").mkdir(parents=True)
    (site / "assets/afbeeldingen/zaal.png").write_bytes(png_bytes())
    (site / f"content/kenniscafes/{UPCOMING}.md").write_text(UPCOMING_TEXT, encoding="utf-8")
    with wsdgen_serving(site, root / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def new_tab(browser: Browser, width: int = 1280, height: int = 900) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
    )
    tab = context.new_page()
    tab.on("dialog", lambda dialog: dialog.accept())
    return tab


def signed_in(browser: Browser, url: str, width: int = 1280, height: int = 900) -> Page:
    from playwright.sync_api import expect

    tab = new_tab(browser, width, height)
    tab.goto(url + "/beheer/")
    login = tab.get_by_role("button", name="Inloggen")
    expect(login, "the sign-in button did not appear").to_be_visible()
    login.click()
    return tab


def field(tab: Page, name: str) -> Locator:
    return tab.locator(f"[id^='{name}-field-']").first


def open_entry(tab: Page, url: str, slug: str, title: str) -> None:
    from playwright.sync_api import expect

    tab.goto(url + f"/beheer/#/collections/kenniscafes/entries/{slug}")
    expect(field(tab, "title"), f"the form of {slug} did not open").to_have_value(title)


def english_in(seen: list[str]) -> list[str]:
    return sorted(
        {text for text in seen for pattern in ENGLISH if re.search(pattern, text)},
    )


def test_the_sign_in_page_is_dutch_with_the_sites_logo_and_name(
    served: str, browser: Browser
) -> None:
    from playwright.sync_api import expect

    tab = new_tab(browser)
    tab.goto(served + "/beheer/")
    expect(tab.get_by_role("button", name="Inloggen"), "no sign-in button").to_be_visible()
    expect(tab.get_by_text(SITE_NAME, exact=True), "the site's name is not shown").to_be_visible()
    logo = tab.locator("section img[src$='/assets/img/favicon.svg']")
    expect(logo, "the site's mark is not shown").to_be_visible()
    assert logo.evaluate("image => image.naturalWidth") > 0
    # Decap's logo is an inline SVG, 300 px wide (100 px at the bottom when a site logo is
    # set); the only other one is the arrow of "Ga terug naar site".
    icons = tab.locator("section svg").evaluate_all(
        "icons => icons.filter(icon => icon.getClientRects().length)"
        ".map(icon => icon.getBoundingClientRect().width)"
    )
    assert all(width < 40 for width in icons), f"Decap's logo is on the sign-in page: {icons}"
    assert english_in(tab.evaluate(SEEN)) == []
    tab.context.close()


def test_the_list_is_dutch_and_newest_first(served: str, browser: Browser) -> None:
    from playwright.sync_api import expect

    tab = signed_in(browser, served)
    tab.goto(served + "/beheer/#/collections/kenniscafes")
    entries = tab.locator("a[href*='/collections/kenniscafes/entries/']")
    expect(entries.first, "the list of kenniscafés did not appear").to_be_visible()
    expect(entries, "not every kenniscafé is listed").to_have_count(5)  # the .md ones
    # Newest first, with the date the Dutch way and drafts marked.
    expect(entries.first).to_have_attribute("href", re.compile(f"/entries/{UPCOMING}$"))
    expect(entries.first).to_contain_text(f"14-03-2031 · {UPCOMING_TITLE}")
    expect(entries.last).to_contain_text("14-04-2017 · Kenniscafé over schulden")
    expect(tab.get_by_text("01-02-2030 · Concept-kenniscafé (concept)")).to_be_visible()
    tab.get_by_text("Sorteer op").click()
    expect(tab.get_by_role("menuitem").first, "the sort menu did not open").to_be_visible()
    assert english_in(tab.evaluate(SEEN)) == []
    tab.context.close()


def test_the_editor_is_dutch_to_eye_and_screen_reader(served: str, browser: Browser) -> None:
    from playwright.sync_api import expect

    tab = signed_in(browser, served)
    open_entry(tab, served, PAST, "Kenniscafé over schulden")
    seen: list[str] = []
    # The relation field with a chosen theme; the Markdown toolbar; the list of speakers.
    expect(
        tab.get_by_text("Armoede", exact=True).first, "the chosen theme is not shown"
    ).to_be_visible()
    expect(
        tab.get_by_text("1 spreker", exact=True), "the speakers' list is not counted"
    ).to_be_visible()
    expect(tab.locator("[title='Vet']"), "the Markdown toolbar is missing").to_have_count(1)
    seen += tab.evaluate(SEEN)
    # Open the theme menu and pick one: the select box's live region speaks.
    field(tab, "themas").fill("Jeu")
    expect(tab.get_by_role("option").first, "no theme was offered").to_be_visible()
    seen += tab.evaluate(SEEN)
    tab.keyboard.press("Enter")
    chosen = tab.locator("[aria-label='Verwijder Jeugd']")
    expect(chosen, "the theme was not chosen (or its label is English)").to_be_attached()
    seen += tab.evaluate(SEEN)
    field(tab, "themas").fill("zzz")
    expect(tab.get_by_text("Geen opties"), "the empty menu is not in Dutch").to_be_visible()
    seen += tab.evaluate(SEEN)
    tab.keyboard.press("Escape")
    # A changed entry: Publiceer and its menu.
    field(tab, "locatie").fill("Wijkcentrum De Brug, Rotterdam")
    publish = tab.get_by_role("button", name="Publiceer")
    expect(publish, "no Publiceer button").to_be_visible()
    publish.click()
    expect(tab.get_by_role("menuitem", name="Publiceer nu"), "no Publiceer menu").to_be_visible()
    seen += tab.evaluate(SEEN)
    assert english_in(seen) == []
    # The labels a screen reader reads, in Dutch.
    for label in ("Verwijder Armoede", "Zet datum op nu", "Uitklappen"):
        expect(tab.locator(f"[aria-label='{label}']").first, f"no {label!r}").to_be_attached()
    for title in ("Citaat", "Doorhalen", "Kopjes"):
        expect(tab.locator(f"[title='{title}']"), f"no {title!r} button").to_have_count(1)
    tab.context.close()


def test_failed_saves_are_reported_in_dutch(served: str, browser: Browser) -> None:
    """The server answers with an error, or does not answer: the notification is Dutch
    (Decap writes "API_ERROR: ..." and the browser's "TypeError: Failed to fetch")."""
    from playwright.sync_api import Route, expect

    tab = signed_in(browser, served)
    open_entry(tab, served, PAST, "Kenniscafé over schulden")
    answers = iter(["refuse", "drop"])

    def persist(route: Route) -> None:
        if "persistEntry" not in (route.request.post_data or ""):
            route.continue_()
        elif next(answers) == "refuse":
            route.fulfill(status=422, json={"error": "De titel is te lang."})
        else:
            route.abort()

    tab.route("**/beheer/api/v1", persist)
    toasts = tab.locator(".Toastify")
    for expected in (
        "Kan item niet opslaan: De titel is te lang.",
        "geen verbinding met de server",
    ):
        field(tab, "locatie").fill(f"Wijkcentrum {expected[:5]}")
        tab.get_by_role("button", name="Publiceer").click()
        tab.get_by_role("menuitem", name="Publiceer nu").click()
        expect(toasts, f"no notification {expected!r}").to_contain_text(expected)
        assert english_in(tab.evaluate(SEEN)) == []
    tab.context.close()


def test_the_preview_is_in_the_house_style(served: str, browser: Browser) -> None:
    from playwright.sync_api import expect

    tab = signed_in(browser, served)
    open_entry(tab, served, UPCOMING, UPCOMING_TITLE)
    preview = tab.frame_locator("iframe").first
    expect(preview.locator("h1"), "the preview shows no title").to_have_text(UPCOMING_TITLE)
    expect(preview.locator(".site-header .site-name"), "no site header").to_have_text(SITE_NAME)
    facts = preview.locator(".facts")
    expect(facts.first, "no date").to_contain_text("vrijdag 14 maart 2031")
    expect(facts.first, "no time").to_contain_text("15:30\u201317:00 uur")
    expect(facts.first, "no speakers").to_contain_text("Sprekers")
    expect(facts.last, "the werkplaats has no name").to_contain_text("Werkplaats Rotterdam")
    expect(facts.last, "the theme has no name").to_contain_text("Armoede")
    expect(preview.locator("h2"), "the text has no heading").to_have_text("Over dit kenniscafé")
    image = preview.locator("figure.entry-image img")
    expect(image, "the image is missing").to_have_attribute(
        "alt", "Bezoekers aan tafels in het wijkcentrum"
    )
    expect(image, "the image did not load").to_have_js_property("complete", True)
    assert image.evaluate("image => image.naturalWidth") == 800
    text = preview.locator("main").inner_text()
    assert "rotterdam\n" not in text and "2031-03-14" not in text, text
    # The preview follows the form: another werkplaats, by its name.
    field(tab, "werkplaats").fill("Amster")
    expect(tab.get_by_role("option").first, "no werkplaats offered").to_be_visible()
    tab.keyboard.press("Enter")
    expect(facts.last, "the new werkplaats has no name").to_contain_text("Werkplaats Amsterdam")
    tab.context.close()


def test_bekijk_op_de_site_opens_the_entrys_page(served: str, browser: Browser) -> None:
    from playwright.sync_api import expect

    tab = signed_in(browser, served)
    open_entry(tab, served, PAST, "Kenniscafé over schulden")
    link = tab.get_by_role("link", name="Bekijk op de site")
    expect(link, "no link to the page on the site").to_be_visible()
    address = link.get_attribute("href") or ""
    assert address == f"{served}/kenniscafes/{PAST}", address
    tab.context.close()
    # Decap leaves the last slash off; the site sends the browser on to the page.
    with urllib.request.urlopen(address) as response:
        assert response.url == f"{served}/kenniscafes/{PAST}/"
        assert "<h1>Kenniscafé over schulden</h1>" in response.read().decode("utf-8")


def test_on_a_phone_publiceer_is_on_the_screen(served: str, browser: Browser) -> None:
    from playwright.sync_api import expect

    width, height = 390, 844
    tab = signed_in(browser, served, width, height)
    open_entry(tab, served, PAST, "Kenniscafé over schulden")
    field(tab, "locatie").fill("Wijkcentrum De Brug, Rotterdam")
    publish = tab.get_by_role("button", name="Publiceer")
    expect(publish, "no Publiceer button").to_be_visible()
    for name, locator in (
        ("Publiceer", publish),
        ("Item verwijderen", tab.get_by_role("button", name="Item verwijderen")),
        ("Terug", tab.get_by_role("link", name=re.compile("Terug naar Kenniscafés"))),
    ):
        box = locator.bounding_box()
        assert box is not None, name
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (name, box)
        assert box["y"] >= 0 and box["y"] + box["height"] <= height, (name, box)
    # The form is as wide as the screen; the preview comes under it, not beside it.
    field(tab, "title").scroll_into_view_if_needed()
    form = field(tab, "title").bounding_box()
    assert form is not None and form["width"] > width * 0.8, form
    frame = tab.locator("iframe").first.bounding_box()
    assert frame is not None and frame["x"] < 20 and frame["y"] > form["y"], frame
    publish.click()
    now = tab.get_by_role("menuitem", name="Publiceer nu")
    expect(now, "the Publiceer menu did not open").to_be_visible()
    box = now.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width, box
    tab.context.close()
