"""Generate a synthetic Werkplaatsen site in the content model's format.

The mix follows the real site: 16 werkplaatsen, 12 regions, 15 themes; the rest of the
entries are kenniscafés (40 %), publications (35 %) and news (25 %), each with a
Markdown body of 300-1,500 words (headings, lists, links, emphasis). The same seed
gives the same site.

    python bench/generate.py DIR --entries 1000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
from pathlib import Path

REGIOS = [
    "groningen", "friesland", "drenthe", "overijssel", "flevoland", "gelderland",
    "utrecht", "noord-holland", "zuid-holland", "zeeland", "noord-brabant", "limburg",
]  # fmt: skip
REAL_CONTENT = Path(__file__).resolve().parent.parent / "content"


def vocabulary() -> tuple[list[str], list[float]]:
    """The words of the real site's texts, weighted by how often they occur (Zipf-like),
    so search indexing and Markdown see a realistic spread of words."""
    counts: dict[str, int] = {}
    for file in sorted(REAL_CONTENT.glob("*/*.md")):
        for word in re.findall(r"[a-zà-ÿ]{2,}", file.read_text(encoding="utf-8").lower()):
            counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    return ranked, [counts[w] for w in ranked]


WORDS, WEIGHTS = vocabulary()


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, weights=WEIGHTS, k=rng.randint(8, 18))
    return " ".join(words).capitalize() + "."


def body(rng: random.Random, slugs: dict[str, list[str]]) -> str:
    """300-1,500 words of Markdown with the usual structure of a report."""
    target = rng.randint(300, 1500)
    parts: list[str] = []
    words = 0
    while words < target:
        kind = rng.random()
        if kind < 0.12:
            parts.append("## " + sentence(rng).rstrip(".").title()[:60])
        elif kind < 0.25:
            items = [f"- {sentence(rng)}" for _ in range(rng.randint(3, 6))]
            parts.append("\n".join(items))
        else:
            text = " ".join(sentence(rng) for _ in range(rng.randint(3, 7)))
            if rng.random() < 0.3:
                thema = rng.choice(slugs["themas"])
                text += f" Lees meer over [dit thema](/themas/{thema}/) of **de aanpak**."
            parts.append(text)
        words += len(parts[-1].split())
    return "\n\n".join(parts) + "\n"


def front(fields: dict[str, object]) -> str:
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, list):
            lines.append(f"{key}:")
            lines += [f"  - {item}" for item in value]
        else:
            lines.append(f'{key}: "{value}"' if isinstance(value, str) else f"{key}: {value}")
    return "\n".join([*lines, "---", ""])


def generate(root: Path, entries: int, seed: int = 1) -> dict[str, int]:
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    content = root / "content"
    for folder in ("werkplaatsen", "themas", "regios", "kenniscafes", "publicaties", "nieuws"):
        (content / folder).mkdir(parents=True)
    (root / "config.yaml").write_text(
        "title: Benchmark Werkplaatsen\nbase_url: https://example.org/\n"
        "security_contact: mailto:security@example.org\n",
        encoding="utf-8",
    )
    slugs: dict[str, list[str]] = {"themas": [f"thema-{i:02d}" for i in range(1, 16)]}
    for regio in REGIOS:
        (content / "regios" / f"{regio}.md").write_text(
            front({"title": regio.replace("-", " ").title()}) + "Een provincie.\n"
        )
    for slug in slugs["themas"]:
        (content / "themas" / f"{slug}.md").write_text(
            front({"title": f"Thema {slug[-2:]}", "sinds": 2021}) + body(rng, slugs)
        )
    werkplaatsen = [f"werkplaats-{i:02d}" for i in range(1, 17)]
    for index, slug in enumerate(werkplaatsen):
        fields = {
            "title": f"Werkplaats {index + 1}",
            "regios": [REGIOS[index % 12]],
            "themas": rng.sample(slugs["themas"], 3),
            "leiding": ["A. Onderzoeker"],
        }
        (content / "werkplaatsen" / f"{slug}.md").write_text(front(fields) + body(rng, slugs))
    rest = entries - 16 - 12 - 15
    counts = {"kenniscafes": 0, "publicaties": 0, "nieuws": 0}
    start = dt.date(2015, 1, 1)
    for number in range(rest):
        roll = rng.random()
        day = start + dt.timedelta(days=rng.randint(0, 365 * 14))
        themas = rng.sample(slugs["themas"], rng.randint(1, 3))
        werkplaats = rng.choice(werkplaatsen)
        if roll < 0.40:
            folder, slug = "kenniscafes", f"{day.isoformat()}-kenniscafe-{number}"
            fields = {
                "title": f"Kenniscafé {number}",
                "datum": day.isoformat(),
                "werkplaats": werkplaats,
                "themas": themas,
                "bezoekers": rng.randint(10, 120),
            }
        elif roll < 0.75:
            folder, slug = "publicaties", f"publicatie-{number}"
            fields = {
                "title": f"Publicatie {number}",
                "jaar": day.year,
                "soort": "rapport",
                "werkplaats": werkplaats,
                "themas": themas,
            }
        else:
            folder, slug = "nieuws", f"{day.isoformat()}-bericht-{number}"
            fields = {
                "title": f"Nieuwsbericht {number}",
                "datum": day.isoformat(),
                "werkplaats": werkplaats,
                "themas": themas,
            }
        text = front(fields).replace(f'datum: "{day.isoformat()}"', f"datum: {day.isoformat()}")
        (content / folder / f"{slug}.md").write_text(text + body(rng, slugs), encoding="utf-8")
        counts[folder] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(generate(args.folder, args.entries, args.seed))


if __name__ == "__main__":
    main()
