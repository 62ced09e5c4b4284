"""Reflow and zoom in Chromium (WCAG 1.4.4, 1.4.10, 1.4.12), which axe does not check:
no page of the real site scrolls sideways at 320 CSS px, also with the text-spacing
overrides and with text at 200%; nothing clips; the phone header is compact, its menu
folds behind a "Menu" button that works without JavaScript, and the search box stays
in reach; the matrix scrolls inside its own labelled, focusable region with the
werkplaats column kept in view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, PAGE_TYPES, require, serving
from conftest import REPO, TODAY

from wsdgen.pipeline import BuildOptions, build

# The WCAG 1.4.12 test values: line height 1.5, paragraphs 2x, letters 0.12, words 0.16.
TEXT_SPACING = """
* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; }
p { margin-bottom: 2em !important; }
"""

# Boxes that cut off their content: overflow hidden/clip with more content than room.
# Visually hidden texts clip on purpose; a data table scrolls in its own region.
CLIPPED = """() => {
  const found = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.visually-hidden, details:not([open]) > :not(summary)')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const x = ['hidden', 'clip'].includes(style.overflowX);
    const y = ['hidden', 'clip'].includes(style.overflowY);
    const wide = el.scrollWidth > el.clientWidth + 1;
    const tall = el.scrollHeight > el.clientHeight + 1;
    if ((x && wide) || (y && tall)) {
      found.push(el.tagName.toLowerCase() + '.' + el.className);
    }
  }
  return found;
}"""

WIDTHS = """() => ({scroll: document.documentElement.scrollWidth,
  client: document.documentElement.clientWidth})"""


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("reflow") / "public"
    options = BuildOptions(site_dir=REPO, out=str(out), today=dt.date.fromisoformat(TODAY))
    assert build(options).exit_code == 0
    with serving(out) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(tab: Any, url: str, name: str) -> None:
    tab.goto(url)
    if name == "zoeken":
        tab.wait_for_selector(".pagefind-ui__result", timeout=15000)


@pytest.mark.parametrize("name", list(PAGE_TYPES))
def test_no_page_scrolls_sideways_at_320_px(browser: Any, site_url: str, name: str) -> None:
    tab = browser.new_page(viewport={"width": 320, "height": 640})
    open_page(tab, site_url + PAGE_TYPES[name], name)
    plain = tab.evaluate(WIDTHS)
    assert plain["scroll"] <= plain["client"], (name, plain)
    assert tab.evaluate(CLIPPED) == [], name
    tab.add_style_tag(content=TEXT_SPACING)
    spaced = tab.evaluate(WIDTHS)
    assert spaced["scroll"] <= spaced["client"], (name, "text spacing", spaced)
    assert tab.evaluate(CLIPPED) == [], (name, "text spacing")
    tab.close()


@pytest.mark.parametrize("name", ["home", "werkplaats", "kenniscafe", "matrix", "zoeken"])
def test_text_at_200_percent_fits_and_clips_nothing(browser: Any, site_url: str, name: str) -> None:
    """Text-only zoom to 200% on a laptop-wide window (WCAG 1.4.4)."""
    tab = browser.new_page(viewport={"width": 1280, "height": 800})
    open_page(tab, site_url + PAGE_TYPES[name], name)
    tab.add_style_tag(content="html { font-size: 200% !important; }")
    sizes = tab.evaluate(WIDTHS)
    assert sizes["scroll"] <= sizes["client"], (name, sizes)
    assert tab.evaluate(CLIPPED) == [], name
    tab.close()


def test_phone_header_is_compact_and_its_menu_works_without_javascript(
    browser: Any, site_url: str
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 667}, java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site_url + "/werkplaatsen/zuid-holland-zuid/")
    header = tab.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 150, header
    menu_link = tab.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Thema's")
    assert not menu_link.is_visible()
    # The search box is there without opening anything, and fits the screen.
    search = tab.get_by_role("searchbox", name="Zoeken op de site")
    box = search.bounding_box()
    assert search.is_visible() and box is not None and box["x"] + box["width"] <= 375
    button = tab.locator("summary", has_text="Menu")
    assert button.is_visible()
    button.focus()
    tab.keyboard.press("Enter")
    assert menu_link.is_visible()
    menu_link.click()
    assert tab.url.endswith("/themas/")
    context.close()


def test_wide_screens_show_the_menu_open(browser: Any, site_url: str) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, java_script_enabled=False
    )
    tab = context.new_page()
    tab.goto(site_url + "/")
    nav = tab.get_by_role("navigation", name="Hoofdmenu")
    assert nav.get_by_role("link", name="Kenniscafés").is_visible()
    assert not tab.locator("summary", has_text="Menu").is_visible()
    context.close()


def test_the_matrix_stacks_on_a_phone_instead_of_scrolling(browser: Any, site_url: str) -> None:
    tab = browser.new_page(viewport={"width": 320, "height": 640})
    tab.goto(site_url + "/wie-werkt-waaraan/")
    table = tab.locator("table.matrix")
    sizes = table.evaluate(
        "el => ({table: el.getBoundingClientRect().right,"
        " page: document.documentElement.clientWidth,"
        " scroll: document.documentElement.scrollWidth})"
    )
    assert sizes["scroll"] <= sizes["page"], "the page scrolls sideways"
    assert sizes["table"] <= sizes["page"] + 1, "the matrix is wider than the phone"
    first_cell = tab.locator(".matrix tbody td").first
    label = first_cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert label.strip('"').endswith(": "), "each line names its theme"
    tab.close()
