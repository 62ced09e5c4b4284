"""Stage 2: check each RawEntry against the content model and turn it into a typed record.

Every field is typed by the model, not by YAML guessing; every problem becomes a
Diagnostic on the field's own line, with a Dutch message that names the field and the
value and, where possible, suggests the fix.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from urllib.parse import urlsplit

from . import diagnostics as diag
from .diagnostics import Diagnostic
from .records import RECORD_TYPES, Entry, RawEntry, Reference, Rejected, SourceRef
from .schema import FIELDS, RESERVED_PAGE_SLUGS, SLUG_PATTERN, FieldSpec, slugify

DATE_FORM = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
LOOSE_DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})$"),
)
TIME_FORM = re.compile(r"^(\d{1,2})[:.](\d{2})$")
EMAIL_FORM = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[A-Za-z]{2,}$")
# Words editors use for a field, mapped to the field they most likely meant.
FIELD_SYNONYMS = {
    "titel": "title",
    "naam": "title",
    "samenvatting": "summary",
    "description": "summary",
    "omschrijving": "summary",
    "concept": "draft",
    "plaats": "locatie",
    "adres": "locatie",
    "lokatie": "locatie",
    "location": "locatie",
    "date": "datum",
    "tijd": "begintijd",
    "starttijd": "begintijd",
    "thema": "themas",
    "tags": "themas",
    "regio": "regios",
    "provincie": "regios",
    "auteur": "auteurs",
    "spreker": "sprekers",
    "bezoekersaantal": "bezoekers",
    "link": "url",
    "aanmeldlink": "aanmelden",
    "mail": "email",
    "e-mail": "email",
    "site": "website",
    "year": "jaar",
}
TRUE_WORDS = frozenset({"true", "yes", "on", "ja"})
FALSE_WORDS = frozenset({"false", "no", "off", "nee"})


class FieldError(Exception):
    """A field value that does not fit; the message is Dutch and complete."""


def describe(value: object) -> str:
    """Show a value in a message the way the editor wrote it."""
    if isinstance(value, list):
        return "een lijst"
    if isinstance(value, dict):
        return "een groep velden"
    text = str(value)
    return f"'{text[:60]}…'" if len(text) > 60 else f"'{text}'"


def as_text(value: object) -> str:
    if not isinstance(value, str):
        raise FieldError(f"moet tekst zijn, maar is {describe(value)}")
    return value.strip()


def parse_text(value: object) -> str:
    text = as_text(value)
    if not text:
        raise FieldError("mag niet leeg zijn")
    return text


def parse_bool(value: object) -> bool:
    text = as_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise FieldError(f"moet true of false zijn, niet {describe(value)}")


def parse_date(value: object) -> dt.date:
    text = as_text(value)
    match = DATE_FORM.match(text)
    if match:
        if not 1900 <= int(match[1]) <= 2200:
            raise FieldError(f"{describe(text)}: het jaartal klopt niet (JJJJ-MM-DD)")
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise FieldError(
                f"{describe(text)} is geen bestaande datum; controleer dag en maand (JJJJ-MM-DD)"
            ) from None
    for form in LOOSE_DATE_FORMS:
        loose = form.match(text)
        if loose:
            try:
                guess = dt.date(int(loose["y"]), int(loose["m"]), int(loose["d"]))
            except ValueError:
                break
            raise FieldError(
                f"{describe(text)} heeft niet de goede vorm; gebruik JJJJ-MM-DD, "
                f"dus {guess.isoformat()}"
            )
    raise FieldError(f"{describe(text)} is geen datum; gebruik JJJJ-MM-DD, bijvoorbeeld 2019-05-23")


def parse_year(value: object) -> int:
    text = as_text(value)
    if not re.fullmatch(r"\d{4}", text) or not 1900 <= int(text) <= 2200:
        raise FieldError(f"{describe(text)} is geen jaartal; schrijf vier cijfers, zoals 2019")
    return int(text)


def parse_time(value: object) -> dt.time:
    text = as_text(value)
    match = TIME_FORM.match(text)
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return dt.time(int(match[1]), int(match[2]))
    raise FieldError(f"{describe(text)} is geen tijd; gebruik UU:MM, bijvoorbeeld 15:30")


def parse_count(value: object) -> int:
    text = as_text(value)
    if not re.fullmatch(r"\d+", text):
        raise FieldError(f"{describe(text)} is geen aantal; schrijf een heel getal van 0 of meer")
    return int(text)


def parse_int(value: object) -> int:
    text = as_text(value)
    if not re.fullmatch(r"-?\d+", text):
        raise FieldError(f"{describe(text)} is geen heel getal")
    return int(text)


def parse_url(value: object) -> str:
    text = as_text(value)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or re.search(r"\s", text):
        raise FieldError(f"{describe(text)} is geen webadres; begin met https:// (of http://)")
    return text


def parse_url_or_path(value: object) -> str:
    text = as_text(value)
    if text.startswith("/") and not text.startswith("//"):
        return parse_site_path(text)
    try:
        return parse_url(text)
    except FieldError:
        raise FieldError(
            f"{describe(text)} is geen webadres (https://...) en geen pad op de site "
            "(zoals /assets/publicaties/rapport.pdf)"
        ) from None


def parse_site_path(text: str) -> str:
    """A path inside the site: '/...' without '..', a host, a scheme or odd characters."""
    if (
        not text.startswith("/")
        or text.startswith("//")
        or "\\" in text
        or re.search(r"[\s?#<>\"']", text)
        or any(segment in ("..", ".") for segment in text.split("/"))
    ):
        raise FieldError(
            f"{describe(text)} is geen geldig pad op de site; begin met één / en gebruik "
            "geen '..', spaties of een webadres"
        )
    return text


def parse_email(value: object) -> str:
    text = as_text(value)
    if text.lower().startswith("mailto:") or not EMAIL_FORM.match(text):
        raise FieldError(f"{describe(text)} is geen e-mailadres (zoals info@example.nl)")
    return text


SCALAR_PARSERS: dict[str, Callable[[object], object]] = {
    "text": parse_text,
    "bool": parse_bool,
    "date": parse_date,
    "year": parse_year,
    "time": parse_time,
    "count": parse_count,
    "int": parse_int,
    "url": parse_url,
    "url_or_path": parse_url_or_path,
    "email": parse_email,
    "ref": parse_text,
}
ITEM_PARSERS: dict[str, Callable[[object], object]] = {
    "text_list": parse_text,
    "ref_list": parse_text,
    "alias_list": lambda value: parse_site_path(as_text(value)),
}


class EntryValidator:
    """Validate one RawEntry; collects diagnostics instead of stopping at the first."""

    def __init__(self, raw: RawEntry, extra_fields: tuple[str, ...]) -> None:
        self.raw = raw
        self.extra_fields = extra_fields
        self.problems: list[Diagnostic] = []
        self.parsed: dict[str, object] = {}

    def fail(self, line: int, message: str, field: str | None = None) -> None:
        self.problems.append(diag.error(self.raw.path, line, message, field))

    def line(self, name: str) -> int:
        return self.raw.lines.get(name, 1)

    def run(self) -> Entry | None:
        raw = self.raw
        specs = FIELDS[raw.collection]
        self.check_slug()
        for key, line in raw.duplicates:
            self.fail(line, f"het veld '{key}' staat er twee keer in; laat er één staan", key)
        self.check_unknown_fields({spec.name for spec in specs})
        kwargs: dict[str, object] = {}
        for spec in specs:
            if spec.name in raw.values and raw.values[spec.name] is not None:
                value = self.parse_field(spec, raw.values[spec.name])
                if value is not None:
                    kwargs[spec.name] = value
            elif spec.required and spec.name in raw.values:
                self.fail(
                    self.line(spec.name),
                    f"het verplichte veld '{spec.name}' is leeg; staat de waarde na een #? "
                    "Tekst na # is commentaar: zet de waarde dan tussen aanhalingstekens",
                    spec.name,
                )
            elif spec.required:
                self.fail(1, f"het verplichte veld '{spec.name}' ontbreekt", spec.name)
        self.check_combinations(kwargs)
        self.check_date_in_name(kwargs)
        self.parsed = kwargs
        if diag.has_errors(self.problems):
            return None
        extra = tuple((name, raw.values[name]) for name in self.extra_fields if name in raw.values)
        source = SourceRef(
            raw.path,
            tuple(sorted(raw.lines.items())),
            tuple(sorted((k, tuple(v)) for k, v in raw.item_lines.items())),
            raw.digest,
        )
        record_type = RECORD_TYPES[raw.collection]
        return record_type(
            slug=raw.slug,
            source=source,
            body=raw.body,
            extra=extra,
            **kwargs,  # type: ignore[arg-type]
        )

    def check_slug(self) -> None:
        raw = self.raw
        if not SLUG_PATTERN.match(raw.slug):
            suggestion = slugify(raw.slug)
            hint = f"; noem het bijvoorbeeld '{suggestion}'" if suggestion else ""
            self.fail(
                1,
                f"de bestandsnaam '{raw.slug}' mag alleen kleine letters, cijfers en "
                f"streepjes bevatten{hint}",
            )
        if raw.collection == "paginas" and raw.slug in RESERVED_PAGE_SLUGS:
            self.fail(
                1,
                f"een pagina mag niet '{raw.slug}' heten: dat adres gebruikt de site zelf; "
                "kies een andere bestandsnaam",
            )

    def check_unknown_fields(self, known: set[str]) -> None:
        allowed = sorted(known | set(self.extra_fields))
        for name in self.raw.values:
            if name in known or name in self.extra_fields:
                continue
            close = [FIELD_SYNONYMS[name]] if FIELD_SYNONYMS.get(name) in allowed else []
            close = close or difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            hint = f"; bedoel je '{close[0]}'?" if close else f"; toegestaan: {', '.join(allowed)}"
            self.fail(self.line(name), f"onbekend veld '{name}'{hint}", name)

    def parse_field(self, spec: FieldSpec, value: object) -> object:
        line = self.line(spec.name)
        try:
            if spec.kind in ITEM_PARSERS:
                return self.parse_list(spec, value)
            parsed = SCALAR_PARSERS[spec.kind](value) if spec.kind != "choice" else None
            if spec.kind == "choice":
                parsed = self.parse_choice(spec, value)
            return parsed
        except FieldError as exc:
            self.fail(line, f"{spec.name}: {exc}", spec.name)
            return None

    @staticmethod
    def parse_choice(spec: FieldSpec, value: object) -> str:
        text = as_text(value)
        if text in spec.choices:
            return text
        close = difflib.get_close_matches(text.lower(), spec.choices, n=1, cutoff=0.5)
        hint = f"; bedoel je '{close[0]}'?" if close else ""
        raise FieldError(
            f"{describe(text)} is geen toegestane waarde (kies uit {', '.join(spec.choices)}){hint}"
        )

    def parse_list(self, spec: FieldSpec, value: object) -> tuple[object, ...] | None:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise FieldError("moet een lijst zijn (elk item op een eigen regel met '- ')")
        item_lines = self.raw.item_lines.get(spec.name, [])
        parsed: list[object] = []
        ok = True
        for index, item in enumerate(items):
            line = item_lines[index] if index < len(item_lines) else self.line(spec.name)
            try:
                if item is None:
                    raise FieldError("een item in de lijst is leeg")
                parsed.append(ITEM_PARSERS[spec.kind](item))
            except FieldError as exc:
                self.fail(line, f"{spec.name}: {exc}", spec.name)
                ok = False
        if spec.required and not items:
            self.fail(self.line(spec.name), f"{spec.name}: noem er ten minste één", spec.name)
            return None
        return tuple(parsed) if ok else None

    def check_date_in_name(self, kwargs: dict[str, object]) -> None:
        """A dated entry's file name starts with its date; a mismatch is likely a typo."""
        datum = kwargs.get("datum")
        match = re.match(r"^(\d{4}-\d{2}-\d{2})-", self.raw.slug)
        if isinstance(datum, dt.date) and match and match[1] != datum.isoformat():
            self.problems.append(
                diag.warning(
                    self.raw.path,
                    self.line("datum"),
                    f"datum: {datum.isoformat()} is niet de datum uit de bestandsnaam "
                    f"({match[1]}); klopt een van beide niet?",
                    "datum",
                )
            )

    def check_combinations(self, kwargs: dict[str, object]) -> None:
        begin, end = kwargs.get("begintijd"), kwargs.get("eindtijd")
        if isinstance(begin, dt.time) and isinstance(end, dt.time) and end <= begin:
            self.fail(
                self.line("eindtijd"), "eindtijd: de eindtijd ligt niet na de begintijd", "eindtijd"
            )
        since, until = kwargs.get("sinds"), kwargs.get("tot")
        if isinstance(since, int) and isinstance(until, int) and until < since:
            self.fail(self.line("tot"), "tot: het jaar 'tot' ligt voor 'sinds'", "tot")

    def rejected(self) -> Rejected:
        """What the graph still needs of an entry that failed: its name and references."""
        references = []
        for spec in FIELDS[self.raw.collection]:
            value = self.parsed.get(spec.name)
            if spec.ref is None or value is None:
                continue
            slugs = value if isinstance(value, tuple) else (value,)
            item_lines = self.raw.item_lines.get(spec.name, [])
            for index, slug in enumerate(slugs):
                line = item_lines[index] if index < len(item_lines) else self.line(spec.name)
                references.append(Reference(spec.name, spec.ref, str(slug), line))
        draft = self.parsed.get("draft") is True
        return Rejected(self.raw.collection, self.raw.slug, self.raw.path, draft, tuple(references))


def validate_entry(
    raw: RawEntry, extra_fields: dict[str, tuple[str, ...]]
) -> tuple[Entry | Rejected, list[Diagnostic]]:
    """Validate one entry into a record, or into a Rejected with its diagnostics."""
    validator = EntryValidator(raw, extra_fields.get(raw.collection, ()))
    try:
        record = validator.run()
    except Exception as exc:  # noqa: BLE001 - report on the file, never a traceback
        validator.fail(1, f"onverwachte fout bij het controleren ({type(exc).__name__}: {exc})")
        record = None
    return (record if record is not None else validator.rejected()), validator.problems


# Per file and content (path, hash of its bytes, allowed extra fields): what validating it gave.
ValidationCache = dict[tuple[str, str, tuple[str, ...]], tuple[Entry | Rejected, list[Diagnostic]]]


def cached_validator(
    cache: ValidationCache, extra_fields: dict[str, tuple[str, ...]]
) -> Callable[[RawEntry], tuple[Entry | Rejected, list[Diagnostic]]]:
    """validate_entry, remembering results for files whose bytes did not change."""

    def validate_one(raw: RawEntry) -> tuple[Entry | Rejected, list[Diagnostic]]:
        key = (raw.path, raw.digest, extra_fields.get(raw.collection, ()))
        if key not in cache:
            cache[key] = validate_entry(raw, extra_fields)
        return cache[key]

    return validate_one


def duplicate_slug(raw: RawEntry, first_path: str) -> Diagnostic:
    return diag.error(
        raw.path,
        1,
        f"'{raw.slug}' bestaat al als {first_path}; elke naam mag maar één keer "
        "voorkomen, verwijder of hernoem een van beide",
    )


def validate_entries(
    raw_entries: list[RawEntry],
    extra_fields: dict[str, tuple[str, ...]],
    validate_one: Callable[[RawEntry], tuple[Entry | Rejected, list[Diagnostic]]] | None = None,
) -> tuple[list[Entry], list[Rejected], list[Diagnostic]]:
    """Validate every entry; also catch two files that claim the same slug.

    ``validate_one`` lets `serve` reuse the results of files that did not change.
    """
    validate_one = validate_one or (lambda raw: validate_entry(raw, extra_fields))
    records: list[Entry] = []
    rejected: list[Rejected] = []
    problems: list[Diagnostic] = []
    seen: dict[tuple[str, str], str] = {}
    for raw in raw_entries:
        key = (raw.collection, raw.slug)
        if key in seen:
            problems.append(duplicate_slug(raw, seen[key]))
            continue
        seen[key] = raw.path
        item, entry_problems = validate_one(raw)
        problems.extend(entry_problems)
        if isinstance(item, Entry):
            records.append(item)
        else:
            rejected.append(item)
    return records, rejected, problems
