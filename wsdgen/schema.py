"""The field table of CONTENT-MODEL.md, as data: one FieldSpec per field per collection."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_FILE_BYTES = 1024 * 1024
ENTRY_SUFFIXES = (".md", ".yaml", ".yml")

COLLECTIONS = (
    "werkplaatsen",
    "themas",
    "regios",
    "kenniscafes",
    "publicaties",
    "nieuws",
    "paginas",
)


def slugify(text: str) -> str:
    """Make a valid slug from a title: 'Cliënten in de wijk' -> 'clienten-in-de-wijk'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


# What readers call each collection (singular), used in messages and page text.
COLLECTION_LABELS = {
    "werkplaatsen": "werkplaats",
    "themas": "thema",
    "regios": "regio",
    "kenniscafes": "kenniscafé",
    "publicaties": "publicatie",
    "nieuws": "nieuwsbericht",
    "paginas": "pagina",
}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How one front-matter field is read.

    ``kind`` is one of: text, bool, date, year, time, count, int, url, url_or_path,
    email, choice, text_list, ref, ref_list, alias_list, markdown.
    """

    name: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None
    default: object = None


def _common() -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("title", "text", required=True),
        FieldSpec("summary", "text"),
        FieldSpec("draft", "bool", default=False),
        FieldSpec("aliases", "alias_list", default=()),
    )


def _list(name: str) -> FieldSpec:
    return FieldSpec(name, "text_list", default=())


def _refs(name: str, collection: str, required: bool = False) -> FieldSpec:
    return FieldSpec(name, "ref_list", required=required, ref=collection, default=())


FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "werkplaatsen": (
        *_common(),
        _refs("regios", "regios", required=True),
        FieldSpec(
            "status", "choice", choices=("actief", "in-oprichting", "gestopt"), default="actief"
        ),
        _list("hogescholen"),
        _list("lectoraten"),
        _list("leiding"),
        _list("ouderenprogramma"),
        _list("partners"),
        _list("gemeenten"),
        _refs("themas", "themas"),
        FieldSpec("website", "url"),
        FieldSpec("email", "email"),
    ),
    "themas": (
        *_common(),
        FieldSpec("status", "choice", choices=("actief", "afgerond"), default="actief"),
        FieldSpec("sinds", "year"),
        FieldSpec("tot", "year"),
        FieldSpec(
            "soort",
            "choice",
            choices=("themagroep", "programma", "regionaal"),
            default="themagroep",
        ),
    ),
    "regios": _common(),
    "kenniscafes": (
        *_common(),
        FieldSpec("datum", "date", required=True),
        FieldSpec("werkplaats", "ref", required=True, ref="werkplaatsen"),
        FieldSpec("begintijd", "time"),
        FieldSpec("eindtijd", "time"),
        _refs("themas", "themas"),
        FieldSpec("locatie", "text"),
        FieldSpec("bezoekers", "count"),
        _list("sprekers"),
        FieldSpec("aanmelden", "url"),
    ),
    "publicaties": (
        *_common(),
        FieldSpec("jaar", "year", required=True),
        FieldSpec("datum", "date"),
        _list("auteurs"),
        FieldSpec("werkplaats", "ref", ref="werkplaatsen"),
        _refs("themas", "themas"),
        FieldSpec(
            "soort",
            "choice",
            choices=("rapport", "artikel", "handreiking", "boek", "column", "magazine", "overig"),
        ),
        FieldSpec("uitgever", "text"),
        FieldSpec("url", "url_or_path"),
    ),
    "nieuws": (
        *_common(),
        FieldSpec("datum", "date", required=True),
        FieldSpec("werkplaats", "ref", ref="werkplaatsen"),
        _refs("themas", "themas"),
    ),
    "paginas": (
        *_common(),
        FieldSpec("menu", "int"),
    ),
}

# The optional Markdown body of a .yaml entry.
BODY_FIELD = "body"


def field_names(collection: str) -> tuple[str, ...]:
    return tuple(spec.name for spec in FIELDS[collection])
