"""Reflow figures and screenshots of the real site, per page type.

    python3 bench/screens.py [--site DIR] [--shots docs/img/screens] [--json out.json]

Builds the site (default: this repository), serves it on 127.0.0.1 and opens one page of
every type in Chromium: at 320 CSS px it reports the page's scroll width (WCAG 1.4.10:
it must be at most the viewport), at 375 px the page height, and it saves screenshots of
home, werkplaats, theme, region, matrix and search pages at 320, 375 and 1280 px.
The issue's closing note quotes the table this prints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from browsing import CHROMIUM, CHROMIUM_ARGS, PAGE_TYPES, serving  # noqa: E402

from wsdgen.pipeline import BuildOptions, build  # noqa: E402

SHOT_TYPES = ("home", "werkplaats", "thema", "regio", "matrix", "zoeken")
WIDTHS = (320, 375, 1280)


def measure(base: str, shots: Path | None) -> dict[str, dict[str, int]]:
    from playwright.sync_api import sync_playwright

    figures: dict[str, dict[str, int]] = {name: {} for name in PAGE_TYPES}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width in WIDTHS:
            tab = browser.new_page(viewport={"width": width, "height": 667 if width < 400 else 900})
            for name, path in PAGE_TYPES.items():
                tab.goto(base + path)
                if name == "zoeken":
                    tab.wait_for_selector(".pagefind-ui__result", timeout=15000)
                sizes = tab.evaluate(
                    "() => ({scroll: document.documentElement.scrollWidth,"
                    " client: document.documentElement.clientWidth,"
                    " height: document.documentElement.scrollHeight})"
                )
                if width == 320:
                    figures[name]["scroll_320"] = sizes["scroll"]
                if width == 375:
                    figures[name]["height_375"] = sizes["height"]
                if shots is not None and name in SHOT_TYPES:
                    tab.screenshot(path=str(shots / f"{name}-{width}.png"))
            tab.close()
        browser.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=REPO)
    parser.add_argument("--shots", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--today", default="2026-12-01")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        out = Path(temp) / "public"
        today = dt.date.fromisoformat(args.today)
        result = build(BuildOptions(site_dir=args.site.resolve(), out=str(out), today=today))
        if result.exit_code != 0:
            print("build failed", file=sys.stderr)
            return 1
        if args.shots is not None:
            args.shots.mkdir(parents=True, exist_ok=True)
        with serving(out) as base:
            figures = measure(base, args.shots)
    print(f"{'page type':<14} {'scrollWidth@320':>16} {'height@375':>11}")
    for name, values in figures.items():
        print(f"{name:<14} {values['scroll_320']:>16} {values['height_375']:>11}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
