"""One warm build as a user makes it: change one kenniscafé's title, then build with
--cache. For timing from outside (farm-bench, callgrind): the whole process is one
edit and one `wsdgen build`, so its wall time is what the user waits for.

    python bench/warm.py SITE CACHE OUT [--zonder-zoekindex]

Each run writes a different title (a counter in the cache folder), so every run has
exactly one change.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wsdgen.cli import main

TODAY = "2026-11-23"


def next_number(cache: Path) -> int:
    counter = cache.parent / f"{cache.name}.teller"
    number = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(number))
    return number


def edit_middle_cafe(site: Path, note: str) -> None:
    cafes = sorted((site / "content/kenniscafes").glob("*.md"))
    cafe = cafes[len(cafes) // 2]
    text = cafe.read_text(encoding="utf-8")
    text, count = re.subn(r"(?m)^title: .*$", f'title: "Bewerkt {note}"', text, count=1)
    assert count == 1, cafe
    cafe.write_text(text, encoding="utf-8")


def run(site: Path, cache: Path, out: Path, extra: list[str]) -> int:
    edit_middle_cafe(site, str(next_number(cache)))
    argv = ["build", "--site", str(site), "--out", str(out), "--cache", str(cache)]
    return main([*argv, "--today", TODAY, "--quiet", *extra])


if __name__ == "__main__":
    site, cache, out, *rest = sys.argv[1:]
    raise SystemExit(run(Path(site), Path(cache), Path(out), rest))
