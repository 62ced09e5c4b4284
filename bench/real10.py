"""The real site's content, copied ten times: a benchmark corpus with the real mix of
bodies, images and PDFs (the generated one of generate.py has none of those).

    python bench/real10.py TARGET [--times 10]

Werkplaatsen, themes, regions and pages are taken once; every kenniscafé, publication
and news item is written ``--times`` times, the copies named ``<slug>-kopie-N`` and
without ``aliases`` (an old address can lead to one page only).
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COPIED = ("kenniscafes", "publicaties", "nieuws")
ALIASES = re.compile(r"(?ms)^aliases:.*?(?=^\S|\Z)")


def without_aliases(text: str) -> str:
    head, separator, body = text.partition("\n---")
    return ALIASES.sub("", head) + separator + body


def copy_real_site(target: Path, times: int) -> int:
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in ("config.yaml", "assets", "templates"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    written = 0
    for folder in sorted((REPO / "content").iterdir()):
        if not folder.is_dir():
            continue
        (target / "content" / folder.name).mkdir(parents=True)
        for entry in sorted(folder.iterdir()):
            if folder.name not in COPIED:
                shutil.copy2(entry, target / "content" / folder.name / entry.name)
                written += 1
                continue
            text = entry.read_text(encoding="utf-8")
            for number in range(1, times + 1):
                name = entry.name if number == 1 else f"{entry.stem}-kopie-{number}{entry.suffix}"
                copy = text if number == 1 else without_aliases(text)
                (target / "content" / folder.name / name).write_text(copy, encoding="utf-8")
                written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--times", type=int, default=10)
    args = parser.parse_args()
    print(f"{copy_real_site(args.target, args.times)} entries in {args.target}")


if __name__ == "__main__":
    main()
