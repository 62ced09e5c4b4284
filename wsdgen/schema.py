"""The content model as data: the collections, and one table of fields (FIELDS) with
everything about a field in one row: name, kind, Dutch label, what to write, an
example, the form's help text, whether it is required, and which collections have it
(docs/content-model.md describes the same model in prose)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_FILE_BYTES = 1024 * 1024
ENTRY_SUFFIXES = (".md", ".yaml", ".yml")

# What `wsdgen new` writes where an editor still has to write something; `check` refuses
# a file that still has either (check/validate.py, check/graph.py), so a placeholder is
# never published.
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
# The kinds `wsdgen new` takes, as the editors' guide names them (the first word of
# each collection's name, without accents); other spellings are understood too.
KINDS = {
    "kenniscafe": "kenniscafes",
    "publicatie": "publicaties",
    "nieuws": "nieuws",
    "werkplaats": "werkplaatsen",
    "thema": "themas",
    "regio": "regios",
    "pagina": "paginas",
}
KIND_LIST = ", ".join(KINDS)
COLLECTION_LABELS = {name: names.singular for name, names in COLLECTION_NAMES.items()}
COLLECTION_TITLES = {name: names.title for name, names in COLLECTION_NAMES.items()}
SOORT_LABELS = {name: names.soort for name, names in COLLECTION_NAMES.items()}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of one collection: how it is read and how it is shown to editors.

    ``kind`` is one of: text, bool, date, year, time, count, int, url, url_or_path,
    email, choice, text_list, ref, ref_list, alias_list, markdown, image (a site path
    of a picture under /assets/) and alt_text (text that may be empty: decorative).
    ``label`` is the Dutch name in the form of /beheer/ and in messages; ``what`` says
    in a few words what an editor writes (the editors' guide, `wsdgen new`); ``example``
    is a value as it stands in a file; ``hint`` is the help text under the form field.
    """

    name: str
    kind: str
    label: str
    what: str = ""
    example: str = ""
    hint: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    ref: str | None = None
    default: object = None


def _common(title_what: str, title_example: str) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("title", "text", "Titel", title_what, title_example, required=True),
        FieldSpec(
            "summary",
            "text",
            "Samenvatting",
            "één of twee zinnen over dit item, gewone tekst",
            "",
            "Eén of twee zinnen, zonder opmaak. Staat in lijsten en zoekresultaten.",
        ),
        FieldSpec(
            "draft",
            "bool",
            "Concept",
            "true = nog niet publiceren",
            "true",
            "Aan: het item wordt gecontroleerd, maar komt nog niet op de site.",
            default=False,
        ),
        FieldSpec(
            "aliases",
            "alias_list",
            "Oude adressen",
            "lijst met oude adressen die hierheen moeten leiden",
            "- /actueel/oud-bericht/",
            "Adressen van de oude site die hierheen moeten leiden, beginnend met /, "
            "bijvoorbeeld /actueel/nieuwsberichten/kenniscafe-1/.",
            default=(),
        ),
    )


def _image() -> tuple[FieldSpec, ...]:
    """An optional picture of the entry, with the text that describes it (or the mark
    that it is decorative: the form of /beheer/ cannot write an empty text)."""
    return (
        FieldSpec(
            "afbeelding",
            "image",
            "Afbeelding",
            "een afbeelding (JPG, PNG, WebP of GIF) onder assets/afbeeldingen/",
            "/assets/afbeeldingen/foto.jpg",
            "Een foto of illustratie (JPG, PNG, WebP of GIF) uit de map assets/. De site "
            "maakt er zelf kleinere versies van en haalt gegevens als de plaats van opname "
            "eraf.",
        ),
        FieldSpec(
            "afbeelding_alt",
            "alt_text",
            "Beschrijving van de afbeelding",
            "wat staat er op de afbeelding (verplicht bij een afbeelding)",
            "Bewoners en wijkwerkers aan een lange tafel",
            "Wat staat erop, voor wie de afbeelding niet ziet (verplicht bij een afbeelding).",
        ),
        FieldSpec(
            "afbeelding_decoratief",
            "bool",
            "Alleen versiering",
            "true = de afbeelding is alleen versiering (dan geen beschrijving)",
            "true",
            "Aan: de afbeelding zegt niets wat de tekst niet al zegt; er hoeft dan geen "
            "beschrijving bij.",
            default=False,
        ),
    )


def _names(name: str, label: str, example: str) -> FieldSpec:
    return FieldSpec(name, "text_list", label, "lijst met namen", f"- {example}", default=())


def _themas(what: str = "lijst met thema's", hint: str = "") -> FieldSpec:
    return FieldSpec(
        "themas", "ref_list", "Thema's", what, "- armoede", hint, ref="themas", default=()
    )


def _werkplaats(what: str, hint: str = "", required: bool = False) -> FieldSpec:
    return FieldSpec(
        "werkplaats",
        "ref",
        "Werkplaats",
        what,
        "zuid-holland-zuid",
        hint,
        required=required,
        ref="werkplaatsen",
    )


def _datum(what: str, hint: str, example: str, required: bool) -> FieldSpec:
    return FieldSpec("datum", "date", "Datum", what, example, hint, required=required)


# The one table of fields: every field of every collection, in the order of the form.
# Records (records.py) declare the fields the Python code reads; a field that is only
# in this table is validated by its kind, kept in the record's ``extra`` and shown on
# the entry's page under its label (views.entry_details). `wsdgen new`, the form of
# /beheer/ and the field tables of docs/redacteuren.md are made from it, and
# docs/content-model.md is checked against it (tests/test_fields.py).
FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "werkplaatsen": (
        *_common("naam van de werkplaats", "Werkplaats Sociaal Domein Zuid-Holland Zuid"),
        FieldSpec(
            "regios",
            "ref_list",
            "Regio's",
            "lijst met ten minste één regio",
            "- zuid-holland",
            "Ten minste één regio.",
            required=True,
            ref="regios",
            default=(),
        ),
        FieldSpec(
            "status",
            "choice",
            "Status",
            "",
            "actief",
            choices=("actief", "in-oprichting", "gestopt"),
            default="actief",
        ),
        _names("hogescholen", "Hogescholen", "Hogeschool Rotterdam"),
        _names("lectoraten", "Lectoraten", "Lectoraat Wijkgericht Werken"),
        _names("leiding", "Leiding", "J. Jansen"),
        _names("ouderenprogramma", "Ouderenprogramma", "Langer thuis"),
        _names("partners", "Partners", "Gemeente Rotterdam"),
        _names("gemeenten", "Gemeenten", "Rotterdam"),
        _themas(
            "lijst met thema's (zonder thema's krijg je een waarschuwing)",
            "De thema's waaraan de werkplaats werkt; zonder thema's volgt een waarschuwing.",
        ),
        FieldSpec(
            "website",
            "url",
            "Website",
            "webadres",
            "https://www.werkplaatssociaaldomeinzhz.nl/",
            "Een webadres dat begint met https://.",
        ),
        FieldSpec(
            "email",
            "email",
            "E-mailadres",
            "e-mailadres, zonder `mailto:`",
            "info@example.nl",
            "Zonder mailto:, bijvoorbeeld info@example.nl.",
        ),
        *_image(),
    ),
    "themas": (
        *_common("naam van het thema", "Armoede"),
        FieldSpec(
            "status",
            "choice",
            "Status",
            "",
            "actief",
            choices=("actief", "afgerond"),
            default="actief",
        ),
        FieldSpec("sinds", "year", "Sinds (jaar)", "beginjaar", "2021"),
        FieldSpec(
            "tot",
            "year",
            "Tot (jaar)",
            "eindjaar (niet vóór `sinds`)",
            "2023",
            "Niet vóór het jaar bij 'Sinds'.",
        ),
        FieldSpec(
            "soort",
            "choice",
            "Soort",
            "",
            "themagroep",
            choices=("themagroep", "programma", "regionaal"),
            default="themagroep",
        ),
    ),
    "regios": _common("naam van de provincie", "Zuid-Holland"),
    "kenniscafes": (
        *_common("titel van het kenniscafé", "Samen tegen armoede"),
        _datum(
            "datum, JJJJ-MM-DD",
            "De dag van het kenniscafé; die staat ook vooraan in de bestandsnaam.",
            "2027-03-14",
            required=True,
        ),
        _werkplaats(
            "de werkplaats die het organiseert", "De werkplaats die het organiseert.", True
        ),
        FieldSpec(
            "begintijd",
            "time",
            "Begintijd",
            "tijd tussen aanhalingstekens",
            '"15:30"',
            "UU:MM, bijvoorbeeld 15:30.",
        ),
        FieldSpec(
            "eindtijd",
            "time",
            "Eindtijd",
            "tijd, na de begintijd",
            '"17:00"',
            "UU:MM, na de begintijd.",
        ),
        _themas(),
        FieldSpec(
            "locatie",
            "text",
            "Locatie",
            "plaats en adres",
            "Wijkcentrum De Brug, Rotterdam",
            "Plaats en adres, bijvoorbeeld Wijkcentrum De Brug, Rotterdam.",
        ),
        FieldSpec(
            "bezoekers",
            "count",
            "Aantal bezoekers",
            "aantal bezoekers, na afloop",
            "42",
            "Na afloop: een heel getal, 0 of meer.",
        ),
        _names("sprekers", "Sprekers", "Erna Hooghiemstra"),
        FieldSpec(
            "aanmelden",
            "url",
            "Aanmelden (webadres)",
            "webadres van de aanmeldpagina",
            "https://example.org/aanmelden",
            "Het adres van de aanmeldpagina, beginnend met https://. Aanmelden per e-mail? "
            "Zet het e-mailadres in de tekst.",
        ),
        *_image(),
    ),
    "publicaties": (
        *_common("titel", "Leren transformeren"),
        FieldSpec(
            "jaar", "year", "Jaar van verschijnen", "jaar van verschijnen", "2015", required=True
        ),
        _datum(
            "precieze datum, JJJJ-MM-DD",
            "Alleen als de precieze datum bekend is.",
            "2015-06-01",
            required=False,
        ),
        _names("auteurs", "Auteurs", "M. Stam"),
        _werkplaats("de werkplaats"),
        _themas(),
        FieldSpec(
            "soort",
            "choice",
            "Soort",
            "kleine letters",
            "boek",
            choices=("rapport", "artikel", "handreiking", "boek", "column", "magazine", "overig"),
        ),
        FieldSpec("uitgever", "text", "Uitgever", "naam van de uitgever", "Movisie"),
        FieldSpec(
            "url",
            "url_or_path",
            "Link naar de publicatie",
            "webadres, of een bestand op de site (`/assets/publicaties/...`)",
            "https://example.org/rapport.pdf",
            "Een webadres (https://...), of een bestand dat je hier uploadt (een pdf komt "
            "onder /assets/).",
        ),
        *_image(),
    ),
    "nieuws": (
        *_common("kop van het bericht", "Werkplaats tekent intentieverklaring"),
        _datum(
            "datum, JJJJ-MM-DD",
            "De datum van het bericht; die staat ook vooraan in de bestandsnaam.",
            "2018-11-27",
            required=True,
        ),
        _werkplaats("de werkplaats"),
        _themas(),
        *_image(),
    ),
    "paginas": (
        *_common("titel van de pagina", "Contact"),
        FieldSpec(
            "menu",
            "int",
            "Plaats in het menu",
            "plek in het hoofdmenu (heel getal)",
            "2",
            "Een getal: 1 staat vooraan. Leeg: niet in het menu.",
        ),
        *_image(),
    ),
}

# The optional Markdown body of a .yaml entry (and the text below a .md file's header).
BODY_FIELD = "body"


def field_names(collection: str) -> tuple[str, ...]:
    return tuple(spec.name for spec in FIELDS[collection])


def field_spec(collection: str, name: str) -> FieldSpec | None:
    return next((spec for spec in FIELDS[collection] if spec.name == name), None)


# Collections whose file names start with the entry's date (JJJJ-MM-DD-titel).
DATED_COLLECTIONS = ("kenniscafes", "nieuws")
# Collections whose pages list the entries that refer to them.
GROUP_COLLECTIONS = ("werkplaatsen", "themas", "regios")


@dataclass(frozen=True, slots=True)
class FieldText:
    """How a field is shown to editors: a Dutch label and, where it helps, a hint."""

    label: str
    hint: str = ""


# The body is not a front-matter field, but the form shows it as one.
BODY_TEXTS = {
    "": FieldText("Tekst"),
    "kenniscafes": FieldText("Tekst", "Eerst een korte aankondiging; na afloop het verslag."),
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
    """The editors' label and hint of a field (its own name when it is not in the table:
    a site's extra_fields)."""
    if name == BODY_FIELD:
        return BODY_TEXTS.get(collection) or BODY_TEXTS[""]
    spec = field_spec(collection, name) if collection in FIELDS else None
    return FieldText(spec.label, spec.hint) if spec else FieldText(name)
