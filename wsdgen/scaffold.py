"""`wsdgen new KIND "Titel"`: write a new entry with its required fields filled in.

Optional fields are written as comment lines, so an editor sees what else is possible
without having to look it up.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from .pipeline import EXIT_CONTENT, EXIT_OK, EXIT_USAGE
from .schema import COLLECTION_LABELS, ENTRY_SUFFIXES, FIELDS, FieldSpec, slugify

KIND_ALIASES = {
    **{label: collection for collection, label in COLLECTION_LABELS.items()},
    **{collection: collection for collection in COLLECTION_LABELS},
    "kenniscafe": "kenniscafes",
    "nieuwsbericht": "nieuws",
}
DATED = ("kenniscafes", "nieuws")

HINTS = {
    "summary": "één zin over dit item, gewone tekst",
    "draft": "true = nog niet publiceren",
    "aliases": "oude adressen die hierheen moeten leiden, zoals /actueel/oud-bericht/",
    "begintijd": 'tussen aanhalingstekens, zoals "15:30"',
    "eindtijd": 'tussen aanhalingstekens, zoals "17:00"',
    "locatie": "plaats en adres",
    "bezoekers": "aantal bezoekers, na afloop",
    "sprekers": "lijst met namen",
    "aanmelden": "https://... (aanmeldpagina)",
    "auteurs": "lijst met namen",
    "soort": "",
    "uitgever": "",
    "url": "https://... of /assets/publicaties/bestand.pdf",
    "website": "https://...",
    "email": "info@example.nl",
    "menu": "plek in het hoofdmenu, bijvoorbeeld 3",
    "sinds": "jaartal",
    "tot": "jaartal",
}


def existing_slugs(site_dir: Path, collection: str) -> list[str]:
    folder = site_dir / "content" / collection
    if not folder.is_dir():
        return []
    return sorted(
        p.stem for p in folder.iterdir() if p.suffix in ENTRY_SUFFIXES and p.name[0] not in "._"
    )


def required_line(spec: FieldSpec, title: str, datum: dt.date, site_dir: Path) -> list[str]:
    """The line(s) for a required field, with a value where one is known."""
    if spec.name == "title":
        escaped = " ".join(title.split()).replace("\\", "\\\\").replace('"', '\\"')
        return [f'title: "{escaped}"']
    if spec.name == "datum":
        return [f"datum: {datum.isoformat()}"]
    if spec.name == "jaar":
        return [f"jaar: {datum.year}"]
    if spec.ref:
        choices = existing_slugs(site_dir, spec.ref)
        shown = ", ".join(choices[:20]) + (", ..." if len(choices) > 20 else "")
        comment = f"# kies uit: {shown}" if choices else f"# een naam uit content/{spec.ref}/"
        if spec.kind == "ref_list":
            return [comment, f"{spec.name}:", "  - VUL-IN"]
        return [comment, f"{spec.name}: VUL-IN"]
    return [f"{spec.name}: VUL-IN"]


def optional_line(spec: FieldSpec) -> str:
    """A commented-out field; removing the first '#' leaves a valid, empty field."""
    hint = HINTS.get(spec.name, "")
    if spec.choices:
        hint = "kies uit: " + ", ".join(spec.choices)
    elif spec.ref:
        hint = f"namen uit content/{spec.ref}/"
    if spec.kind in ("text_list", "ref_list", "alias_list"):
        hint = f"lijst: {hint}" if hint else "lijst"
    return f"# {spec.name}:  # {hint}" if hint else f"# {spec.name}:"


def entry_text(collection: str, title: str, datum: dt.date, site_dir: Path) -> str:
    lines = ["---"]
    for spec in FIELDS[collection]:
        if spec.required:
            lines += required_line(spec, title, datum, site_dir)
    lines.append("# Niet verplicht (haal het # weg om te gebruiken):")
    lines += [optional_line(spec) for spec in FIELDS[collection] if not spec.required]
    lines += ["---", "", "Schrijf hier de tekst (Markdown).", ""]
    return "\n".join(lines)


def fail(message: str, code: int) -> int:
    print(f"wsdgen: error: {message}", file=sys.stderr)
    return code


def new_entry(site_dir: Path, kind: str, title: str, datum: dt.date | None) -> int:
    """Write content/<collection>/<slug>.md; refuse to overwrite an existing entry."""
    collection = KIND_ALIASES.get(slugify(kind)) or KIND_ALIASES.get(kind.lower())
    if collection is None:
        kinds = ", ".join(COLLECTION_LABELS.values()).replace("é", "e")
        return fail(f"onbekende soort '{kind}'; kies uit: {kinds}", EXIT_USAGE)
    if not title.strip():
        return fail('geef een titel, bijvoorbeeld "Samen tegen armoede"', EXIT_USAGE)
    slug = slugify(title)
    if not slug:
        return fail(f"van de titel '{title}' kan geen bestandsnaam gemaakt worden", EXIT_USAGE)
    datum = datum or dt.date.today()
    if collection in DATED:
        slug = f"{datum.isoformat()}-{slug}"
    folder = site_dir / "content" / collection
    taken = [folder / f"{slug}{suffix}" for suffix in ENTRY_SUFFIXES]
    for path in taken:
        if path.exists() or path.is_symlink():
            shown = path.relative_to(site_dir).as_posix()
            return fail(
                f"{shown} bestaat al; kies een andere titel of pas dat bestand aan", EXIT_CONTENT
            )
    target = taken[0]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:
            handle.write(entry_text(collection, title.strip(), datum, site_dir))
    except OSError as exc:
        return fail(f"kan {target} niet schrijven ({exc.strerror})", EXIT_CONTENT)
    print(f"Nieuw bestand: {target.relative_to(site_dir).as_posix()}")
    print("Vul de velden met VUL-IN in en controleer met: wsdgen check")
    return EXIT_OK
