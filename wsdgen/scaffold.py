"""`wsdgen new KIND "Titel"`: write a new entry with its required fields filled in.

Optional fields are written as comment lines, so an editor sees what else is possible
without having to look it up.
"""

from __future__ import annotations

import datetime as dt
import difflib
import sys
import unicodedata
from pathlib import Path

from wsdgen.exits import EXIT_CONTENT, EXIT_OK, EXIT_USAGE
from wsdgen.load.config import no_site_here
from wsdgen.schema import (
    BODY_PLACEHOLDER,
    COLLECTION_LABELS,
    ENTRY_SUFFIXES,
    FIELDS,
    KIND_LIST,
    KINDS,
    VALUE_PLACEHOLDER,
    FieldSpec,
    slugify,
)

KIND_ALIASES = {
    **KINDS,
    **{label: collection for collection, label in COLLECTION_LABELS.items()},
    **{collection: collection for collection in COLLECTION_LABELS},
    "nieuwsbericht": "nieuws",
}
DATED = ("kenniscafes", "nieuws")
# A file name stays well below the 255 bytes that file systems allow, and readable.
MAX_SLUG = 80


def existing_slugs(site_dir: Path, collection: str) -> list[str]:
    folder = site_dir / "content" / collection
    try:
        names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
    except OSError:
        return []
    return sorted(
        Path(name).stem
        for name in names
        if Path(name).suffix in ENTRY_SUFFIXES and name[0] not in "._"
    )


def required_line(spec: FieldSpec, title: str, datum: dt.date, site_dir: Path) -> list[str]:
    """The line(s) for a required field, with a value where one is known."""
    if spec.name == "title":
        escaped = title.replace("\\", "\\\\").replace('"', '\\"')
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
            return [comment, f"{spec.name}:", f"  - {VALUE_PLACEHOLDER}"]
        return [comment, f"{spec.name}: {VALUE_PLACEHOLDER}"]
    return [f"{spec.name}: {VALUE_PLACEHOLDER}"]


LIST_KINDS = ("text_list", "ref_list", "alias_list")


def optional_line(spec: FieldSpec) -> str:
    """A commented-out field with what to write there (from the field table); removing
    the first '#' leaves a valid, empty field."""
    hint = spec.what.replace("`", "")
    if spec.choices:
        hint = "kies uit: " + ", ".join(spec.choices)
    elif spec.ref:
        hint = (
            f"{hint}; namen uit content/{spec.ref}/" if hint else f"namen uit content/{spec.ref}/"
        )
    elif spec.example and spec.kind not in (*LIST_KINDS, "bool"):
        hint = f"{hint}, zoals {spec.example}" if hint else f"zoals {spec.example}"
    if spec.kind in LIST_KINDS and not hint.startswith("lijst"):
        hint = f"lijst: {hint}" if hint else "lijst"
    return f"# {spec.name}:  # {hint}" if hint else f"# {spec.name}:"


def entry_text(collection: str, title: str, datum: dt.date, site_dir: Path) -> str:
    lines = ["---"]
    for spec in FIELDS[collection]:
        if spec.required:
            lines += required_line(spec, title, datum, site_dir)
    lines.append("# Niet verplicht (haal het # weg om te gebruiken):")
    lines += [optional_line(spec) for spec in FIELDS[collection] if not spec.required]
    lines += ["---", "", BODY_PLACEHOLDER, ""]
    return "\n".join(lines)


def fail(message: str, code: int) -> int:
    """One Dutch line on stderr: a mistake in the command (exit 2) or in the files."""
    prefix = "fout in de opdracht" if code == EXIT_USAGE else "fout"
    print(f"wsdgen: {prefix}: {message}", file=sys.stderr)
    return code


def already_there(shown: str) -> int:
    return fail(f"{shown} bestaat al; kies een andere titel of pas dat bestand aan", EXIT_CONTENT)


def clean_title(title: str) -> str:
    """The title on one line, without control characters that YAML would refuse.

    Invisible characters (control, format, unpaired surrogates from a command line
    that is not UTF-8) are dropped; any run of white space becomes one space.
    """
    kept = "".join(
        char if unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn") else " "
        for char in title
    )
    return " ".join(kept.split())


def short_slug(slug: str, limit: int = MAX_SLUG) -> str:
    """Cut a long slug at a dash, so the file name stays short: words stay whole."""
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[: limit + 1] else ""
    return (cut or slug[:limit]).strip("-")


def collection_of(kind: str) -> str | None:
    return KIND_ALIASES.get(slugify(kind)) or KIND_ALIASES.get(kind.lower())


def unknown_kind(kind: str) -> str:
    near = difflib.get_close_matches(slugify(kind), list(KIND_ALIASES), n=1, cutoff=0.6)
    meant = next((k for k, c in KINDS.items() if near and c == KIND_ALIASES[near[0]]), "")
    hint = f"bedoel je '{meant}'? " if meant else ""
    return f"onbekende soort '{kind}'; {hint}kies uit: {KIND_LIST}"


def new_entry(site_dir: Path, kind: str, title: str, datum: dt.date | None) -> int:
    """Write content/<collection>/<slug>.md; refuse to overwrite an existing entry, to
    write outside a site, and a page at an address the site itself uses."""
    missing = no_site_here(site_dir)
    if missing:
        return fail(missing, EXIT_USAGE)
    collection = collection_of(kind)
    if collection is None:
        return fail(unknown_kind(kind), EXIT_USAGE)
    title = clean_title(title)
    if not title:
        return fail('geef een titel, bijvoorbeeld "Samen tegen armoede"', EXIT_USAGE)
    slug = short_slug(slugify(title))
    if not slug:
        return fail(f"van de titel '{title}' kan geen bestandsnaam gemaakt worden", EXIT_USAGE)
    if collection == "paginas" and slug in reserved_page_names(site_dir):
        return fail(
            f"een pagina mag niet '{slug}' heten: dat adres gebruikt de site zelf; kies een "
            "andere titel",
            EXIT_USAGE,
        )
    datum = datum or dt.date.today()
    if collection in DATED:
        slug = f"{datum.isoformat()}-{slug}"
    folder = site_dir / "content" / collection
    return write_entry(site_dir, folder, slug, entry_text(collection, title, datum, site_dir))


def reserved_page_names(site_dir: Path) -> set[str]:
    """The top-level names the site's own pages take (zoeken, 404, the collections...),
    from the planner itself, so `new` and `check` cannot disagree."""
    from wsdgen.check.graph import link_site
    from wsdgen.check.paths import reserved_names
    from wsdgen.load.config import Overrides, load_config
    from wsdgen.plan.pages import plan_pages

    config, _ = load_config(site_dir, Overrides())
    if config is None:
        return set()
    site, _ = link_site([], config, dt.date.today(), False, [])
    return reserved_names(plan_pages(site))


def write_entry(site_dir: Path, folder: Path, slug: str, text: str) -> int:
    """Write the new file; never over an existing entry with the same slug."""
    taken = [folder / f"{slug}{suffix}" for suffix in ENTRY_SUFFIXES]
    target = taken[0]
    shown = target.relative_to(site_dir).as_posix()
    try:
        existing = next((p for p in taken if p.exists() or p.is_symlink()), None)
        if existing is not None:
            return already_there(existing.relative_to(site_dir).as_posix())
        folder.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        return already_there(shown)
    except OSError as exc:
        return fail(f"kan {shown} niet schrijven ({exc.strerror})", EXIT_CONTENT)
    print(f"Nieuw bestand: {shown}")
    print(
        f"Vul de velden met {VALUE_PLACEHOLDER} in, vervang de voorbeeldtekst en controleer "
        "met: wsdgen check"
    )
    return EXIT_OK
