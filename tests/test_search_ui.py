"""The search page belongs to the site: Dutch strings only, the site's link style, AA
contrast (placeholder included), soort/date/werkplaats in each result, a helpful
no-results text, and one query shared by the header box, the page box and the address.
axe runs on the page with results at 375 and 1280 px; screenshots go to the test's
folder for looking at."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_reflow import browser, site_url  # noqa: F401 - shared fixtures

ENGLISH = re.compile(r"\b(Reset|Clear|Search|Filters?|results?|Load more|No results)\b")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def parse_color(text: str) -> tuple[tuple[float, float, float], float]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", text)]
    alpha = numbers[3] if len(numbers) > 3 else 1.0
    return (numbers[0], numbers[1], numbers[2]), alpha


def contrast(foreground: str, background: str, opacity: float = 1.0) -> float:
    (fg, alpha), (bg, _) = parse_color(foreground), parse_color(background)
    alpha *= opacity
    mixed = tuple(alpha * f + (1 - alpha) * b for f, b in zip(fg, bg, strict=True))
    lighter, darker = sorted((luminance(mixed), luminance(bg)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def search(tab: Any, url: str, query: str) -> None:
    tab.goto(url + "/zoeken/?q=" + query)
    tab.wait_for_selector(".pagefind-ui__message", timeout=15000)
    tab.wait_for_function(
        "() => !document.querySelector('.pagefind-ui__message').textContent.includes('Zoeken naar')"
    )


@pytest.mark.parametrize("width", [375, 1280])
def test_search_page_is_dutch_accessible_and_in_the_house_style(
    browser: Any,  # noqa: F811
    site_url: str,  # noqa: F811
    width: int,
    tmp_path: Path,
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    tab = browser.new_page(viewport={"width": width, "height": 900})
    search(tab, site_url, "huisuitzetting")
    tab.screenshot(path=str(tmp_path / f"zoeken-{width}.png"), full_page=True)
    results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert [v["id"] for v in results.response["violations"]] == []

    visible = tab.locator("#zoeken").inner_text()
    announced = " ".join(
        tab.locator("#zoeken [aria-label], #zoeken [placeholder]").evaluate_all(
            "els => els.map(e => (e.getAttribute('aria-label') || '') + ' '"
            " + (e.getAttribute('placeholder') || ''))"
        )
    )
    assert not ENGLISH.search(visible), visible
    assert not ENGLISH.search(announced), announced
    assert tab.get_by_role("button", name="Wissen").is_visible()

    # Result titles look like the site's links: its link colour, underlined.
    link = tab.locator(".pagefind-ui__result-link").first
    style = link.evaluate(
        "a => ({color: getComputedStyle(a).color, line: getComputedStyle(a).textDecorationLine})"
    )
    site_link = tab.locator("main .breadcrumbs a, .breadcrumbs a").first.evaluate(
        "a => getComputedStyle(a).color"
    )
    assert style["line"] == "underline"
    assert style["color"] == site_link

    # Each result shows its soort, date and werkplaats.
    first = tab.locator(".pagefind-ui__result").first
    tags = first.locator(".pagefind-ui__result-tag").all_inner_texts()
    assert "Soort: Kenniscafé" in tags
    assert "Datum: 23 mei 2019" in tags
    assert any(t.startswith("Werkplaats: Werkplaats Sociaal Domein") for t in tags)
    tab.close()


def test_the_placeholder_has_aa_contrast(browser: Any, site_url: str) -> None:  # noqa: F811
    tab = browser.new_page()
    tab.goto(site_url + "/zoeken/")
    box = tab.locator(".pagefind-ui__search-input")
    box.wait_for(timeout=15000)
    placeholder = box.evaluate(
        "el => { const s = getComputedStyle(el, '::placeholder');"
        " return {color: s.color, opacity: parseFloat(s.opacity)}; }"
    )
    background = box.evaluate("el => getComputedStyle(el).backgroundColor")
    if parse_color(background)[1] == 0:
        background = "rgb(255, 255, 255)"
    ratio = contrast(placeholder["color"], background, placeholder["opacity"])
    assert ratio >= 4.5, (placeholder, background, ratio)
    tab.close()


def test_no_results_says_what_to_do(browser: Any, site_url: str) -> None:  # noqa: F811
    tab = browser.new_page()
    search(tab, site_url, "qqqzzzxxx")
    message = tab.locator(".pagefind-ui__message").inner_text()
    assert message.startswith("Niets gevonden voor qqqzzzxxx")
    assert "Probeer" in message
    tab.close()


def test_header_box_page_box_and_address_share_the_query(
    browser: Any,  # noqa: F811
    site_url: str,  # noqa: F811
) -> None:
    tab = browser.new_page()
    tab.goto(site_url + "/themas/")
    tab.fill("#zoekterm", "armoede")
    tab.press("#zoekterm", "Enter")
    tab.wait_for_url("**/zoeken/?q=armoede")
    page_box = tab.locator(".pagefind-ui__search-input")
    page_box.wait_for(timeout=15000)
    assert page_box.input_value() == "armoede"
    assert tab.locator("#zoekterm").input_value() == "armoede"
    # Searching again on the page updates the address (to share) and the header box.
    page_box.fill("jeugd")
    tab.wait_for_url("**/zoeken/?q=jeugd")
    assert tab.locator("#zoekterm").input_value() == "jeugd"
    tab.close()
