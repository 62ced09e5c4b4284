"""The field table of CONTENT-MODEL.md, as data: one FieldSpec per field per collection."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_FILE_BYTES = 1024 * 1024
ENTRY_SUFFIXES = (".md", ".yaml", ".yml")

# What `wsdgen new` writes where an editor still has to write something; `check` refuses
# a file that still has either (validate.py, graph.py), so a placeholder is never published.
VALUE_PLACEHOLDER = "VUL-IN"
BODY_PLACEHOLDER = "Schrijf hier de tekst (Markdown)."

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


@dataclass(frozen=True, slots=True)
class CollectionNames:
    """What a collection is called: one table for messages, pages, search and /beheer/."""

    singular: str  # in messages and page text: "kenniscafé"
    title: str  # plural, for menus, sections and the editing screen: "Kenniscafés"
    soort: str  # the search filter "soort": "Kenniscafé"


COLLECTION_NAMES = {
    "werkplaatsen": CollectionNames("werkplaats", "Werkplaatsen", "Werkplaats"),
    "themas": CollectionNames("thema", "Thema's", "Thema"),
    "regios": CollectionNames("regio", "Regio's", "Regio"),
    "kenniscafes": CollectionNames("kenniscafé", "Kenniscafés", "Kenniscafé"),
    "publicaties": CollectionNames("publicatie", "Publicaties", "Publicatie"),
    "nieuws": CollectionNames("nieuwsbericht", "Nieuws", "Nieuws"),
    "paginas": CollectionNames("pagina", "Pagina's", "Pagina"),
}
COLLECTION_LABELS = {name: names.singular for name, names in COLLECTION_NAMES.items()}
COLLECTION_TITLES = {name: names.title for name, names in COLLECTION_NAMES.items()}
SOORT_LABELS = {name: names.soort for name, names in COLLECTION_NAMES.items()}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """How one front-matter field is read.

    ``kind`` is one of: text, bool, date, year, time, count, int, url, url_or_path,
    email, choice, text_list, ref, ref_list, alias_list, markdown, image (a site path
    of a picture under /assets/) and alt_text (text that may be empty: decorative).
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


def _image() -> tuple[FieldSpec, ...]:
    """An optional picture of the entry, with the text that describes it (or the mark
    that it is decorative: the form of /beheer/ cannot write an empty text)."""
    return (
        FieldSpec("afbeelding", "image"),
        FieldSpec("afbeelding_alt", "alt_text"),
        FieldSpec("afbeelding_decoratief", "bool", default=False),
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
        *_image(),
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
        *_image(),
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
        *_image(),
    ),
    "nieuws": (
        *_common(),
        FieldSpec("datum", "date", required=True),
        FieldSpec("werkplaats", "ref", ref="werkplaatsen"),
        _refs("themas", "themas"),
        *_image(),
    ),
    "paginas": (
        *_common(),
        FieldSpec("menu", "int"),
        *_image(),
    ),
}

# The optional Markdown body of a .yaml entry.
BODY_FIELD = "body"


def field_names(collection: str) -> tuple[str, ...]:
    return tuple(spec.name for spec in FIELDS[collection])


# Collections whose file names start with the entry's date (JJJJ-MM-DD-titel).
DATED_COLLECTIONS = ("kenniscafes", "nieuws")
# Collections whose pages list the entries that refer to them.
GROUP_COLLECTIONS = ("werkplaatsen", "themas", "regios")


@dataclass(frozen=True, slots=True)
class FieldText:
    """How a field is shown to editors: a Dutch label and, where it helps, a hint."""

    label: str
    hint: str = ""


# Labels and hints for editors, by field name; (collection, name) wins over the name.
# A field without an entry here is shown under its own name.
FIELD_TEXTS: dict[str | tuple[str, str], FieldText] = {
    "title": FieldText("Titel"),
    "summary": FieldText(
        "Samenvatting", "Eén of twee zinnen, zonder opmaak. Staat in lijsten en zoekresultaten."
    ),
    "draft": FieldText(
        "Concept", "Aan: het item wordt gecontroleerd, maar komt nog niet op de site."
    ),
    "aliases": FieldText(
        "Oude adressen",
        "Adressen van de oude site die hierheen moeten leiden, beginnend met /, "
        "bijvoorbeeld /actueel/nieuwsberichten/kenniscafe-1/.",
    ),
    "regios": FieldText("Regio's", "Ten minste één regio."),
    "afbeelding": FieldText(
        "Afbeelding",
        "Een foto of illustratie (JPG, PNG, WebP of GIF) uit de map assets/. De site maakt er "
        "zelf kleinere versies van en haalt gegevens als de plaats van opname eraf.",
    ),
    "afbeelding_alt": FieldText(
        "Beschrijving van de afbeelding",
        "Wat staat erop, voor wie de afbeelding niet ziet (verplicht bij een afbeelding).",
    ),
    "afbeelding_decoratief": FieldText(
        "Alleen versiering",
        "Aan: de afbeelding zegt niets wat de tekst niet al zegt; er hoeft dan geen "
        "beschrijving bij.",
    ),
    "status": FieldText("Status"),
    "hogescholen": FieldText("Hogescholen"),
    "lectoraten": FieldText("Lectoraten"),
    "leiding": FieldText("Leiding"),
    "ouderenprogramma": FieldText("Ouderenprogramma"),
    "partners": FieldText("Partners"),
    "gemeenten": FieldText("Gemeenten"),
    "themas": FieldText("Thema's"),
    ("werkplaatsen", "themas"): FieldText(
        "Thema's", "De thema's waaraan de werkplaats werkt; zonder thema's volgt een waarschuwing."
    ),
    "website": FieldText("Website", "Een webadres dat begint met https://."),
    "email": FieldText("E-mailadres", "Zonder mailto:, bijvoorbeeld info@example.nl."),
    "sinds": FieldText("Sinds (jaar)"),
    "tot": FieldText("Tot (jaar)", "Niet vóór het jaar bij 'Sinds'."),
    "soort": FieldText("Soort"),
    "datum": FieldText("Datum"),
    ("kenniscafes", "datum"): FieldText(
        "Datum", "De dag van het kenniscafé; die staat ook vooraan in de bestandsnaam."
    ),
    ("nieuws", "datum"): FieldText(
        "Datum", "De datum van het bericht; die staat ook vooraan in de bestandsnaam."
    ),
    ("publicaties", "datum"): FieldText("Datum", "Alleen als de precieze datum bekend is."),
    "werkplaats": FieldText("Werkplaats"),
    ("kenniscafes", "werkplaats"): FieldText("Werkplaats", "De werkplaats die het organiseert."),
    "begintijd": FieldText("Begintijd", "UU:MM, bijvoorbeeld 15:30."),
    "eindtijd": FieldText("Eindtijd", "UU:MM, na de begintijd."),
    "locatie": FieldText(
        "Locatie", "Plaats en adres, bijvoorbeeld Wijkcentrum De Brug, Rotterdam."
    ),
    "bezoekers": FieldText("Aantal bezoekers", "Na afloop: een heel getal, 0 of meer."),
    "sprekers": FieldText("Sprekers"),
    "aanmelden": FieldText(
        "Aanmelden (webadres)",
        "Het adres van de aanmeldpagina, beginnend met https://. Aanmelden per e-mail? "
        "Zet het e-mailadres in de tekst.",
    ),
    "jaar": FieldText("Jaar van verschijnen"),
    "auteurs": FieldText("Auteurs"),
    "uitgever": FieldText("Uitgever"),
    "url": FieldText(
        "Link naar de publicatie",
        "Een webadres (https://...), of een bestand dat je hier uploadt (een pdf komt "
        "onder /assets/).",
    ),
    "menu": FieldText("Plaats in het menu", "Een getal: 1 staat vooraan. Leeg: niet in het menu."),
    BODY_FIELD: FieldText("Tekst"),
    ("kenniscafes", BODY_FIELD): FieldText(
        "Tekst", "Eerst een korte aankondiging; na afloop het verslag."
    ),
}

# Labels for the values of choice fields.
CHOICE_LABELS = {
    "actief": "Actief",
    "in-oprichting": "In oprichting",
    "gestopt": "Gestopt",
    "afgerond": "Afgerond",
    "themagroep": "Themagroep",
    "programma": "Programma",
    "regionaal": "Regionaal",
    "rapport": "Rapport",
    "artikel": "Artikel",
    "handreiking": "Handreiking",
    "boek": "Boek",
    "column": "Column",
    "magazine": "Magazine",
    "overig": "Overig",
}


def field_text(collection: str, name: str) -> FieldText:
    """The editors' label and hint of a field (its own name when none is written)."""
    return FIELD_TEXTS.get((collection, name)) or FIELD_TEXTS.get(name) or FieldText(name)
