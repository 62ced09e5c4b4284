"""Screenshots of /beheer/ for the editors' guide (docs/redacteuren.md).

    python bench/beheer_screenshots.py            # writes docs/img/beheer-*.png

Copies the real site (content/, templates/, assets/, config.yaml) to a temporary
folder, starts `wsdgen serve` on it (which always offers /beheer/ against the local
folder), and drives Chromium through an editor's session: signing in, the list of
kenniscafés, a new kenniscafé with its preview, a report added to a past kenniscafé and
the Publiceer menu, at 1280 px wide; then the list and the new kenniscafé on a phone
(390 px, files ending in -390.png). Nothing is saved: the copy is thrown away
afterwards, and the repository's own content/ is never touched.

Needs Chromium (/usr/bin/chromium, or WSDGEN_CHROMIUM), the Python package playwright
(in the test extras) and, for date and time fields in Dutch form, Chromium's Dutch
interface strings (Debian: `apt-get install chromium-l10n`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page, ViewportSize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browsing import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SITE_PARTS = ("content", "templates", "assets", "config.yaml")
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
# Date and time fields are drawn by Chromium itself, in its interface language: with
# these variables (and Debian's chromium-l10n installed) as 14-03-2031 and 15:30, as
# Dutch editors see them, instead of 03/14/2031 and 03:30 PM.
DUTCH = {"LANG": "nl_NL.UTF-8", "LANGUAGE": "nl"}

# The example kenniscafé of the editors' guide (docs/redacteuren.md, chapter 3).
NEW_TITLE = "Samen tegen armoede"
NEW_SUMMARY = "Een middag over armoede en schulden in de wijk."
NEW_DATE = "2031-03-14"
NEW_BODY = (
    "Hoe helpt u bewoners met schulden op tijd? Daarover praten we in dit kenniscafé. "
    "Na een korte inleiding gaat u in kleine groepen in gesprek."
)
# A past kenniscafé of the real site, and the report paragraph typed under its text.
PAST_ENTRY = "2019-12-12-intergenerationele-overdracht-2"
PAST_TITLE = "Intergenerationele overdracht II"
REPORT_HEADING = "Verslag"
REPORT = (
    "Hier komt het verslag: wie er waren, wat er besproken is en wat de werkplaats ermee gaat doen."
)


def free_port() -> int:
    """8000, serve's own default (the address the guide names), or else any free port."""
    for port in (8000, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise SystemExit("no free port")


def copy_site(target: Path) -> None:
    for part in SITE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)


@contextmanager
def served(site: Path, log_path: Path) -> Iterator[str]:
    """`wsdgen serve` on the copy; yields its address and stops it afterwards."""
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "wsdgen", "serve", "--site", str(site), "--port", str(port)],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"wsdgen serve stopped; see {log_path}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit(f"wsdgen serve did not start; see {log_path}") from None
                    time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def field(tab: Page, name: str) -> Locator:
    return tab.locator(f"[id^='{name}-field-']").first


def choose(tab: Page, name: str, typed: str) -> None:
    """A relation field: type part of a title, take the first suggestion."""
    field(tab, name).fill(typed)
    tab.get_by_role("option").first.wait_for()
    tab.keyboard.press("Enter")


# Decap writes its "new entry" button as "＋ Kenniscafé" with a full-width plus (U+FF0B),
# a glyph the fonts of a bare Linux box (DejaVu, Liberation) lack: it would show as an
# empty box in the screenshot. Editors' own systems draw it as a plus sign, so show one.
PLAIN_PLUS = """() => {
  for (const element of document.querySelectorAll('a, button')) {
    for (const node of element.childNodes) {
      if (node.nodeType === Node.TEXT_NODE && node.data.includes('\\uff0b')) {
        node.data = node.data.replaceAll('\\uff0b', '+');
      }
    }
  }
}"""


# Put the cursor after the last character of the body's text (Ctrl+End would land in
# the editor's empty trailing block, where typing is lost); Slate follows the selection.
CURSOR_AT_END = """(editor) => {
  const strings = editor.querySelectorAll('[data-slate-string]');
  const text = strings[strings.length - 1].firstChild;
  const range = document.createRange();
  range.setStart(text, text.length);
  range.collapse(true);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}"""


def settle(tab: Page) -> None:
    """Let the form and its preview finish drawing before a screenshot."""
    tab.wait_for_load_state("networkidle")
    tab.wait_for_timeout(600)
    tab.evaluate(PLAIN_PLUS)


def fill_new_kenniscafe(tab: Page, url: str) -> None:
    """The example kenniscafé of the guide, filled in (not saved)."""
    from playwright.sync_api import expect

    tab.goto(url + "/beheer/#/collections/kenniscafes/new")
    field(tab, "title").fill(NEW_TITLE)
    field(tab, "summary").fill(NEW_SUMMARY)
    field(tab, "datum").fill(NEW_DATE)
    choose(tab, "werkplaats", "Zuid-Holland Zuid")
    field(tab, "begintijd").fill("15:30")
    field(tab, "eindtijd").fill("17:00")
    choose(tab, "themas", "Armoede")
    field(tab, "locatie").fill("Wijkcentrum De Brug, Rotterdam")
    tab.locator("[data-slate-editor]").click()
    tab.keyboard.type(NEW_BODY)
    preview = tab.frame_locator("iframe").first
    expect(preview.locator("h1")).to_have_text(NEW_TITLE)
    expect(preview.locator(".prose")).to_contain_text("kleine groepen")
    # The werkplaats by its name and the date in Dutch, as on the site.
    expect(preview.locator(".facts").last).to_contain_text("Zuid-Holland Zuid")
    expect(preview.locator(".facts").first).to_contain_text("vrijdag 14 maart 2031")


def take_screenshots(url: str, out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    written: list[Path] = []

    def shoot(tab: Page, name: str) -> None:
        settle(tab)
        path = out / name
        tab.screenshot(path=str(path))
        written.append(path)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--lang=nl"],
            env={**os.environ, **DUTCH},
        )

        def new_tab(viewport: ViewportSize = VIEWPORT) -> Page:
            context = browser.new_context(
                viewport=viewport, locale="nl-NL", timezone_id="Europe/Amsterdam"
            )
            tab = context.new_page()
            # Leaving a form with unsaved changes asks "are you sure?": yes.
            tab.on("dialog", lambda dialog: dialog.accept())
            return tab

        tab = new_tab()

        # 1. The sign-in screen.
        tab.goto(url + "/beheer/")
        login = tab.get_by_role("button", name="Inloggen")
        expect(login).to_be_visible()
        shoot(tab, "beheer-inloggen.png")

        # 2. The list of kenniscafés (newest first).
        login.click()
        tab.goto(url + "/beheer/#/collections/kenniscafes")
        tab.locator("a[href*='/collections/kenniscafes/entries/']").first.wait_for()
        shoot(tab, "beheer-overzicht.png")

        # 3. A new kenniscafé, filled in, with the preview beside it.
        fill_new_kenniscafe(tab, url)
        field(tab, "title").scroll_into_view_if_needed()
        field(tab, "title").click()
        shoot(tab, "beheer-nieuw-kenniscafe.png")

        # 4. A past kenniscafé: a heading and the report under its text. A fresh tab, so
        # that the unsaved new kenniscafé above does not linger in the form.
        tab.context.close()
        tab = new_tab()
        tab.goto(url + "/beheer/")
        tab.get_by_role("button", name="Inloggen").click()
        tab.goto(url + f"/beheer/#/collections/kenniscafes/entries/{PAST_ENTRY}")
        expect(field(tab, "title")).to_have_value(PAST_TITLE)
        body = tab.locator("[data-slate-editor]")
        body.click()
        body.evaluate(CURSOR_AT_END)
        tab.wait_for_timeout(200)
        tab.keyboard.press("Enter")
        headings = tab.get_by_title("Kopjes")
        if headings.is_enabled():
            # Rich-text mode: type the line, then make it a heading with the Kopjes menu.
            tab.keyboard.type(REPORT_HEADING)
            tab.keyboard.press("Enter")
            tab.keyboard.type(REPORT)
            body.get_by_text(REPORT_HEADING, exact=True).last.click()
            tab.wait_for_timeout(300)
            headings.click()
            heading_two = tab.get_by_role("menuitem", name="Kop 2")
            heading_two.wait_for()
            tab.wait_for_timeout(300)
            heading_two.click()
        else:
            # Markdown only: the heading is typed as Markdown (chapter 4 of the guide).
            tab.keyboard.press("Enter")
            tab.keyboard.type(f"## {REPORT_HEADING}")
            tab.keyboard.press("Enter")
            tab.keyboard.press("Enter")
            tab.keyboard.type(REPORT)
        preview = tab.frame_locator("iframe").first
        expect(preview.locator(".prose h2")).to_have_text(REPORT_HEADING)
        expect(preview.locator(".prose")).to_contain_text("wat de werkplaats")
        # Show the end of the text, in the form and in the preview.
        body.locator("> *").last.scroll_into_view_if_needed()
        tab.mouse.wheel(0, 250)
        frame = tab.locator("iframe").first.element_handle().content_frame()
        if frame is not None:
            frame.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        shoot(tab, "beheer-verslag.png")

        # 5. The Publiceer menu on that entry (nothing is saved).
        tab.get_by_role("button", name="Publiceer").click()
        expect(tab.get_by_role("menuitem", name="Publiceer nu")).to_be_visible()
        shoot(tab, "beheer-publiceren.png")
        tab.context.close()

        # 6. On a phone (390 px): the list, and the new kenniscafé with its top bar.
        tab = new_tab(PHONE)
        tab.goto(url + "/beheer/")
        tab.get_by_role("button", name="Inloggen").click()
        tab.goto(url + "/beheer/#/collections/kenniscafes")
        tab.locator("a[href*='/collections/kenniscafes/entries/']").first.wait_for()
        tab.get_by_text("Sorteer op").scroll_into_view_if_needed()
        shoot(tab, "beheer-overzicht-390.png")
        fill_new_kenniscafe(tab, url)
        field(tab, "title").scroll_into_view_if_needed()
        expect(tab.get_by_role("button", name="Publiceer")).to_be_in_viewport(ratio=1)
        shoot(tab, "beheer-nieuw-kenniscafe-390.png")

        browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img", help="PNG folder")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM} (set WSDGEN_CHROMIUM)", file=sys.stderr)
        return 2
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wsd-beheer-") as temp:
        site = Path(temp) / "site"
        site.mkdir()
        copy_site(site)
        with served(site, Path(temp) / "serve.log") as url:
            written = take_screenshots(url, out)
    for path in written:
        print(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
            f"{path.stat().st_size // 1024} kB"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
