"""Every check runs on every entry: one run of `check` names every problem, whatever
failed before it (issue 22, point 1). One mistake of each kind at once."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from conftest import TODAY, Run

MISTAKES = {
    # A reference to a werkplaats that does not exist (the graph stage).
    "content/kenniscafes/2017-04-14-schulden.md": ("werkplaats: rotterdam", "werkplaats: roterdam"),
    # A field with a wrong value (validation).
    "content/kenniscafes/2018-03-01-wijkteams.md": ("datum: 2018-03-01", "datum: 2018-02-30"),
    # An old address that is another entry's page (the path plan).
    "content/nieuws/2019-01-10-conferentie.md": (
        "themas: [sociale-basis]",
        "themas: [sociale-basis]\naliases: [/werkplaatsen/amsterdam/]",
    ),
    # A publication link to a file the site does not have (the path plan).
    "content/publicaties/armoede-rapport.md": (
        "url: /assets/publicaties/rapport.pdf",
        "url: /assets/publicaties/weg.pdf",
    ),
    # A body image that does not exist (the media stage).
    "content/paginas/over-ons.md": (
        "Over de werkplaatsen.",
        "Over de werkplaatsen.\n\n![Een foto](/assets/afbeeldingen/weg.jpg)",
    ),
}

NEW_FILES = {
    # A page at an address the site uses itself (the path plan).
    "content/paginas/zoeken.md": "---\ntitle: Zoeken\n---\nTekst.\n",
    # A page that fails validation and takes a reserved address: both are told.
    "content/paginas/sitemap.md": "---\ntitle: Kaart\ntitel: Kaart\n---\nTekst.\n",
    # A page that fails validation, with an old address another entry already has.
    "content/paginas/oud.md": (
        "---\ntitle: Oud\nmenu: drie\naliases: [/werkplaatsen/rotterdam/]\n---\nTekst.\n"
    ),
    # The placeholder text of `wsdgen new`, left in the body.
    "content/nieuws/2019-02-01-kort.md": (
        "---\ntitle: Kort\ndatum: 2019-02-01\nwerkplaats: amsterdam\n---\n\n"
        "Schrijf hier de tekst (Markdown).\n"
    ),
}


def break_site(site: Path) -> None:
    for name, (old, new) in MISTAKES.items():
        path = site / name
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    for name, text in NEW_FILES.items():
        (site / name).write_text(text, encoding="utf-8")


def problems_of(result: Run) -> set[tuple[str, str]]:
    """(file, the message's first words) for each problem line."""
    found = set()
    for line in result.lines:
        match = re.match(r"(.+?):\d+: (error|warning): (.*)", line)
        assert match, line
        found.add((match[1], match[3]))
    return found


def has(found: set[tuple[str, str]], path: str, pattern: str) -> bool:
    return any(p == path and re.search(pattern, message) for p, message in found)


EXPECTED = [
    ("content/kenniscafes/2017-04-14-schulden.md", r"geen werkplaats 'roterdam'"),
    ("content/kenniscafes/2018-03-01-wijkteams.md", r"^datum:"),
    ("content/nieuws/2019-01-10-conferentie.md", r"aliases: '/werkplaatsen/amsterdam/'"),
    ("content/publicaties/armoede-rapport.md", r"url: '/assets/publicaties/weg.pdf'"),
    ("content/paginas/over-ons.md", r"weg\.jpg"),
    ("content/paginas/zoeken.md", r"niet 'zoeken' heten"),
    ("content/paginas/sitemap.md", r"onbekend veld 'titel'"),
    ("content/paginas/sitemap.md", r"niet 'sitemap' heten"),
    ("content/paginas/oud.md", r"^menu:"),
    ("content/paginas/oud.md", r"aliases: '/werkplaatsen/rotterdam/'"),
    ("content/nieuws/2019-02-01-kort.md", r"Schrijf hier de tekst"),
]


def test_check_names_every_mistake_in_one_run(mini: Path, run: Callable[..., Run]) -> None:
    break_site(mini)
    result = run("check", "--site", str(mini), "--today", TODAY)
    assert result.code == 1
    found = problems_of(result)
    missing = [(path, pattern) for path, pattern in EXPECTED if not has(found, path, pattern)]
    assert not missing, f"not reported: {missing}\nreported: {sorted(found)}"


def test_build_names_the_same_mistakes(mini: Path, run: Callable[..., Run]) -> None:
    break_site(mini)
    out = mini / "public"
    result = run("build", "--site", str(mini), "--today", TODAY)
    assert result.code == 1
    assert not out.exists()
    found = problems_of(result)
    missing = [(path, pattern) for path, pattern in EXPECTED if not has(found, path, pattern)]
    assert not missing, f"not reported: {missing}"


def broken_reference_cases() -> list[tuple[str, str, str]]:
    """(file of the mini site, field, the line that breaks it) for every reference field
    the mini site uses."""
    return [
        ("content/kenniscafes/2017-04-14-schulden.md", "werkplaats", "werkplaats: weg"),
        ("content/kenniscafes/2017-04-14-schulden.md", "themas", "themas: [weg]"),
        ("content/publicaties/armoede-rapport.md", "werkplaats", "werkplaats: weg"),
        ("content/publicaties/armoede-rapport.md", "themas", "themas: [weg]"),
        ("content/nieuws/2019-01-10-conferentie.md", "werkplaats", "werkplaats: weg"),
        ("content/nieuws/2019-01-10-conferentie.md", "themas", "themas: [weg]"),
        ("content/werkplaatsen/rotterdam.md", "regios", "regios: [weg]"),
        ("content/werkplaatsen/rotterdam.md", "themas", "themas: [weg]"),
    ]


def with_field_replaced(text: str, field: str, line: str) -> str:
    """The front matter with one field (and its list items below it) replaced by a line."""
    kept: list[str] = []
    replacing = False
    for current in text.split("\n"):
        if current.startswith(f"{field}:"):
            kept.append(line)
            replacing = True
        elif not (replacing and current.startswith("  ")):
            kept.append(current)
            replacing = False
    assert line in kept, (field, text)
    return "\n".join(kept)


def test_every_broken_reference_still_lets_the_paths_be_checked(
    mini: Path, run: Callable[..., Run]
) -> None:
    """Whichever reference is broken, the path plan still runs: the reserved page name
    is told in the same run, and never an unexpected error."""
    (mini / "content/paginas/zoeken.md").write_text(NEW_FILES["content/paginas/zoeken.md"])
    for name, field, broken in broken_reference_cases():
        path = mini / name
        original = path.read_text(encoding="utf-8")
        path.write_text(with_field_replaced(original, field, broken), encoding="utf-8")
        result = run("check", "--site", str(mini), "--today", TODAY)
        path.write_text(original, encoding="utf-8")
        found = problems_of(result)
        assert "onverwachte fout" not in result.err, (name, field, result.err)
        assert has(found, name, rf"^{field}: er is geen .* 'weg'"), (name, field, found)
        assert has(found, "content/paginas/zoeken.md", "niet 'zoeken' heten"), (name, field)
