"""`wsdgen serve` end to end in headless Chromium: edits show up without a manual reload."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import CHROMIUM, CHROMIUM_ARGS, require, wsdgen_serving
from conftest import REPO, SLOW_MARKDOWN

CAFE = "content/kenniscafes/2019-05-23-voorkomen-huisuitzettingen.md"
PAGE = "/kenniscafes/2019-05-23-voorkomen-huisuitzettingen/"
TITLE = 'title: "Voorkomen huisuitzettingen"'


def copy_real_site(target: Path) -> Path:
    """A copy of this repository's site (content, config, templates, assets)."""
    target.mkdir()
    for name in ("content", "templates", "assets"):
        shutil.copytree(REPO / name, target / name)
    shutil.copy(REPO / "config.yaml", target / "config.yaml")
    return target


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    site = copy_real_site(tmp_path / "site")
    with wsdgen_serving(site, tmp_path / "serve.log") as url:
        yield site, url


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_serve_reloads_on_edit_shows_errors_and_recovers(served: tuple[Path, str]) -> None:
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import expect, sync_playwright

    site, url = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page()
        tab.goto(url + PAGE)
        expect(tab.locator("h1")).to_have_text("Voorkomen huisuitzettingen")
        # Wait until the live-reload connection is up before editing.
        tab.wait_for_function("() => window.LiveReload !== undefined", timeout=10000)

        replace_in(site / CAFE, TITLE, "title: Huisuitzettingen voorkomen")
        expect(tab.locator("h1")).to_have_text("Huisuitzettingen voorkomen", timeout=15000)

        # Search follows the edit too (Pagefind re-indexes in the background).
        search = browser.new_page()
        deadline = time.monotonic() + 30
        titles: list[str] = []
        while time.monotonic() < deadline and "Huisuitzettingen voorkomen" not in titles:
            search.goto(url + "/zoeken/?q=huisuitzettingen")
            search.locator(".pagefind-ui__result-link").first.wait_for(timeout=15000)
            titles = search.locator(".pagefind-ui__result-link").all_inner_texts()
        search.close()
        assert "Huisuitzettingen voorkomen" in titles

        replace_in(site / CAFE, "datum: 2019-05-23", "datum: 23-05-2019")
        panel = tab.locator("#wsdgen-fouten")
        expect(panel).to_be_visible(timeout=15000)
        expect(panel).to_contain_text("2019-05-23-voorkomen-huisuitzettingen.md")
        expect(panel).to_contain_text("regel 4")
        expect(panel).to_contain_text("JJJJ-MM-DD")
        # The last good version stays served under the panel.
        expect(tab.locator("h1")).to_have_text("Huisuitzettingen voorkomen")

        replace_in(site / CAFE, "datum: 23-05-2019", "datum: 2019-05-23")
        expect(panel).to_have_count(0, timeout=15000)
        expect(tab.locator("h1")).to_have_text("Huisuitzettingen voorkomen")
        browser.close()


def test_serve_survives_a_broken_config_and_template(served: tuple[Path, str]) -> None:

    site, url = served
    config = site / "config.yaml"
    good = config.read_text(encoding="utf-8")
    config.write_text("title: [kapot\n", encoding="utf-8")
    time.sleep(2.5)
    with urllib.request.urlopen(url + PAGE) as response:
        body = response.read().decode("utf-8")
    assert "De site bevat fouten" in body and "config.yaml" in body
    config.write_text(good, encoding="utf-8")
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates/kenniscafe.html").write_text("{% if %}", encoding="utf-8")
    time.sleep(2.5)
    with urllib.request.urlopen(url + PAGE) as response:
        body = response.read().decode("utf-8")
    assert "templates/kenniscafe.html" in body
    (site / "templates/kenniscafe.html").unlink()
    time.sleep(2.5)
    with urllib.request.urlopen(url + PAGE) as response:
        body = response.read().decode("utf-8")
    assert "De site bevat fouten" not in body


def test_serve_says_in_dutch_when_the_port_is_taken(tmp_path: Path) -> None:
    site = copy_real_site(tmp_path / "site")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "wsdgen", "serve", "--site", str(site), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2
    assert f"poort {port} is al in gebruik" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_answers_while_a_slow_body_is_rebuilt(
    served: tuple[Path, str], tmp_path: Path
) -> None:
    """A body that runs into the Markdown bound (seconds of work) does not stop the
    server: pages are answered during the rebuild, and the error shows afterwards."""
    import urllib.request

    site, url = served
    log = tmp_path / "serve.log"
    slow = site / "content/kenniscafes/2031-01-01-traag.md"
    # serve opens its port before it prints its last start-up line: count from there.
    deadline = time.monotonic() + 15
    while "het beheerscherm staat op" not in log.read_text(encoding="utf-8"):
        assert time.monotonic() < deadline, "serve did not print its start-up lines"
        time.sleep(0.05)
    before = log.read_text(encoding="utf-8").count("wsdgen: ")
    slow.write_text(
        "---\ntitle: Traag\ndatum: 2031-01-01\nwerkplaats: zuid-holland-zuid\n---\n"
        + SLOW_MARKDOWN
        + "\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    slowest = 0.0
    answered_during_rebuild = 0
    while time.monotonic() - started < 60:
        asked = time.monotonic()
        with urllib.request.urlopen(url + PAGE, timeout=10) as response:
            assert response.status == 200
        slowest = max(slowest, time.monotonic() - asked)
        text = log.read_text(encoding="utf-8")
        if "2031-01-01-traag.md" in text:
            break
        if text.count("wsdgen: ") == before:
            answered_during_rebuild += 1
        time.sleep(0.05)
    assert "2031-01-01-traag.md" in log.read_text(encoding="utf-8")
    # The rebuild takes the 3 s Markdown bound; the server answered all along.
    assert answered_during_rebuild >= 20
    # Blocked behind the rebuild, an answer would take the whole bound (3 s).
    assert slowest < 2.0
    with urllib.request.urlopen(url + PAGE, timeout=10) as response:
        assert b"wsdgen-fouten" in response.read()


def test_serve_renders_only_the_page_of_a_changed_report(
    served: tuple[Path, str], tmp_path: Path
) -> None:
    """The watcher names the saved file, so a report edit takes the quick path."""
    site, url = served
    log = tmp_path / "serve.log"
    cafe = site / CAFE
    text = cafe.read_text(encoding="utf-8")
    assert "<" not in text.split("---", 2)[2] and "![" not in text
    cafe.write_text(text.rstrip("\n") + "\n\nEen zin die er net bij kwam.\n", encoding="utf-8")
    deadline = time.monotonic() + 30
    page = b""
    while time.monotonic() < deadline:
        with urllib.request.urlopen(url + PAGE, timeout=10) as response:
            page = response.read()
        if b"Een zin die er net bij kwam." in page:
            break
        time.sleep(0.2)
    assert b"Een zin die er net bij kwam." in page
    lines = [line for line in log.read_text(encoding="utf-8").splitlines() if "opnieuw" in line]
    # The first line is the start; the edit re-rendered the page and the feeds with its text.
    assert len(lines) == 2, lines
    count = int(lines[-1].split()[1])
    assert 1 <= count <= 3, lines
