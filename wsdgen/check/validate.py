"""Stage 2: check each RawEntry against the content model and turn it into a typed record.

Every field is typed by the model, not by YAML guessing; every problem becomes a
Diagnostic on the field's own line, with a Dutch message that names the field and the
value and, where possible, suggests the fix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import html
import ipaddress
import re
from collections.abc import Callable, Iterator
from urllib.parse import quote, unquote_to_bytes, urlsplit

from wsdgen import diagnostics as diag
from wsdgen.diagnostics import Diagnostic
from wsdgen.load.sources import BODY_LINE
from wsdgen.records import RECORD_TYPES, Entry, RawEntry, Reference, Rejected, SourceRef
from wsdgen.schema import (
    BODY_PLACEHOLDER,
    FIELDS,
    SLUG_PATTERN,
    VALUE_PLACEHOLDER,
    FieldSpec,
    slugify,
)

DATE_FORM = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
LOOSE_DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})$"),
)
TIME_FORM = re.compile(r"^(\d{1,2})[:.](\d{2})$")
EMAIL_FORM = re.compile(r"^[^@\s<>()\[\],;:\"/]+@[^@\s<>()\[\],;:\"/]+\.[A-Za-z]{2,}$")
# Whole numbers (counts, menu positions) have at most this many digits.
MAX_DIGITS = 9
# Runs of white space (line breaks of a YAML block, tabs) in a one-line field: one space.
WHITESPACE_RUN = re.compile(r"[ \t\n]+")
# Characters a web address must not hold as written: white space, controls, a backslash
# (browsers read it as '/'), the characters that end an HTML attribute, and the
# invisible marks that turn text around (bidi controls).
URL_FORBIDDEN = re.compile(
    '[\\s\\\\<>"`\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]'
)
HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
# What an alias may hold: the unreserved characters of a URL path and '%XX' escapes.
ALIAS_CHARACTER = re.compile(r"[A-Za-z0-9\-._~/]|%[0-9A-Fa-f]{2}")
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
    """A one-line text: every line break and run of white space becomes one space.

    A YAML block (``title: |``) is how an editor writes a long title; no output format
    of a title, place or name can carry a line break, so the rule is applied here, once.
    """
    if not isinstance(value, str):
        raise FieldError(f"moet tekst zijn, maar is {describe(value)}")
    return WHITESPACE_RUN.sub(" ", value).strip()


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
    if not re.fullmatch(r"[0-9]+", text):
        raise FieldError(f"{describe(text)} is geen aantal; schrijf een heel getal van 0 of meer")
    return bounded(text)


def parse_int(value: object) -> int:
    text = as_text(value)
    if not re.fullmatch(r"-?[0-9]+", text):
        raise FieldError(f"{describe(text)} is geen heel getal")
    return bounded(text)


def bounded(text: str) -> int:
    """A whole number of at most MAX_DIGITS digits (Python refuses to read huge ones)."""
    if len(text.lstrip("-").lstrip("0")) > MAX_DIGITS:
        raise FieldError(
            f"{describe(text)} is te groot; schrijf een getal van hoogstens {MAX_DIGITS} cijfers"
        )
    return int(text)


class EmailNotUrl(FieldError):
    """An e-mail address where a web address belongs; the field adds its own advice."""

    def __init__(self, address: str, message: str) -> None:
        super().__init__(message)
        self.address = address


# What to do with an e-mail address written in a URL field, per field.
EMAIL_IN_URL_ADVICE = {
    "aanmelden": (
        "zet het in de tekst onder de kopregels ('Aanmelden via {address}') of gebruik "
        "hier het adres van een aanmeldformulier (https://...)"
    ),
    "website": "zet het in het veld 'email' en hier het adres van de website (https://...)",
}
EMAIL_IN_URL_DEFAULT = "zet het in de tekst, en hier een webadres (https://...)"


def email_advice(field: str, address: str) -> str:
    return EMAIL_IN_URL_ADVICE.get(field, EMAIL_IN_URL_DEFAULT).format(address=address)


def url_problem(text: str) -> str | None:
    """Why ``text`` is not a usable http(s) address (Dutch, naming the value), or None."""
    forbidden = URL_FORBIDDEN.search(text)
    if forbidden:
        return (
            f"{describe(text)} bevat {character_name(forbidden[0])}, en dat kan niet in een "
            "webadres; kopieer het adres opnieuw uit de adresbalk van de browser"
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return f"{describe(text)} is geen geldig webadres; kopieer het uit de adresbalk"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        looks_like_host = re.fullmatch(r"[\w.-]+\.[a-z]{2,}(/\S*)?", text)
        guess = f"; bedoel je 'https://{text}'?" if looks_like_host else ""
        return f"{describe(text)} is geen webadres; begin met https:// (of http://){guess}"
    if "@" in parts.netloc:
        return (
            f"een webadres mag geen '@' vóór de websitenaam bevatten: {describe(text)} gaat "
            f"naar {parts.hostname or 'een andere website'}; haal het deel tot en met de '@' weg"
        )
    if port == 0 or not valid_host(parts.hostname or ""):
        return (
            f"{describe(text)}: '{parts.netloc}' is geen geldige websitenaam "
            "(zoals www.example.org)"
        )
    return None


def valid_host(host: str) -> bool:
    """A DNS host name with a dot (international names allowed), or an IP address."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.removesuffix(".").split(".")
    return (
        len(ascii_host) <= 253
        and len(labels) >= 2
        and not labels[-1].isdigit()
        and all(HOST_LABEL.fullmatch(label) for label in labels)
    )


def character_name(char: str) -> str:
    """How a message names a character that an editor may not see."""
    if char == " ":
        return "een spatie"
    if char.isspace():
        return "een regeleinde of tab"
    if char.isprintable():
        return f"het teken '{char}'"
    return f"een onzichtbaar teken (U+{ord(char):04X})"


def parse_url(value: object) -> str:
    text = as_text(value)
    address = text[7:] if text.lower().startswith("mailto:") else text
    if EMAIL_FORM.match(address):
        raise EmailNotUrl(address, f"{describe(text)} is een e-mailadres, geen webadres")
    userinfo = re.fullmatch(r"https?://([^/@\s]+)@([^/?#\s]+)/?", text, re.IGNORECASE)
    # 'https://info@example.org' is an e-mail address with a scheme before it; with a
    # host name before the '@' ('https://www.site.nl@evil.example/') it is a disguise.
    disguised = userinfo is not None and "." in userinfo[1] and valid_host(userinfo[1])
    if userinfo and not disguised and EMAIL_FORM.match(f"{userinfo[1]}@{userinfo[2]}"):
        address = f"{userinfo[1]}@{userinfo[2]}"
        raise EmailNotUrl(
            address,
            f"een webadres mag geen '@' vóór de websitenaam bevatten: {describe(text)} gaat "
            f"naar {userinfo[2]}, niet naar het e-mailadres {address}",
        )
    problem = url_problem(text)
    if problem:
        raise FieldError(problem)
    return text


def parse_url_or_path(value: object) -> str:
    text = as_text(value)
    if text.startswith("/") and not text.startswith("//"):
        return parse_site_path(text)
    try:
        return parse_url(text)
    except EmailNotUrl:
        raise
    except FieldError:
        if text.lower().startswith(("http://", "https://")):
            raise
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


IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")


def parse_image(value: object) -> str:
    """The site path of a picture under /assets/ (that the file exists and is a usable
    image is checked by the media stage, which reads it)."""
    text = as_text(value)
    if text.startswith("assets/"):
        text = "/" + text
    if not text.startswith("/assets/"):
        raise FieldError(
            f"{describe(text)} is geen afbeelding op de site; zet het bestand in assets/ en "
            "schrijf het pad, zoals /assets/afbeeldingen/kenniscafe.jpg"
        )
    path = parse_site_path(text)
    if not path.lower().endswith(IMAGE_SUFFIXES):
        raise FieldError(
            f"{describe(text)} is geen JPG-, PNG-, WebP- of GIF-bestand; die vier kan de site tonen"
        )
    return path


def parse_alt_text(value: object) -> str:
    """Text that may be empty: an empty alt text marks an image as decorative."""
    return as_text(value)


ALIAS_RULE = (
    "Een oud adres mag alleen letters (a-z), cijfers, - . _ ~ / en %-codes (zoals %20) bevatten"
)


def parse_alias(text: str) -> str:
    """An old site path for `_redirects` and the Apache recipe: nothing they would read
    as a pattern (``*``, ``:splat``, ``!``, regex characters), no query, no escape that
    hides a '/', a '..' or a control character. Kept as written otherwise."""
    if not text.startswith("/") or text.startswith("//"):
        raise FieldError(
            f"{describe(text)} is geen pad op deze site; schrijf alleen het deel na de "
            "websitenaam, beginnend met één /, zoals /actueel/oud-bericht/"
        )
    position = 0
    while position < len(text):
        match = ALIAS_CHARACTER.match(text, position)
        if match is None:
            raise FieldError(f"{describe(text)}: {alias_character_problem(text, position)}")
        position = match.end()
    for segment in text.split("/"):
        problem = alias_segment_problem(segment)
        if problem:
            raise FieldError(f"{describe(text)}: {problem}")
    return text


def alias_character_problem(text: str, position: int) -> str:
    char = text[position]
    if char == "*":
        return (
            f"jokertekens (*) werken niet in een oud adres; noem elk oud adres apart. {ALIAS_RULE}"
        )
    if char == ":":
        return (
            "een ':' (zoals in :splat of :naam) is een plaatshouder in de doorverwijzingen; "
            f"noem elk oud adres apart. {ALIAS_RULE}"
        )
    if char in "?#":
        return (
            f"een oud adres met '{char}' (een zoekvraag of anker) kan niet doorverwijzen; "
            f"gebruik alleen het pad ervoor. {ALIAS_RULE}"
        )
    if char == "%":
        return f"'{text[position : position + 3]}' is geen geldige %-code. {ALIAS_RULE}"
    suggestion = quote(text, safe="/-._~%")
    if (char.isspace() or not char.isascii()) and not re.search(r"[^A-Za-z0-9\-._~/%]", suggestion):
        return f"{character_name(char)} mag niet in een oud adres; schrijf '{suggestion}'"
    return f"{character_name(char)} mag niet in een oud adres. {ALIAS_RULE}"


def alias_segment_problem(segment: str) -> str | None:
    """A '%XX' escape must not spell a '/', '\\', '.' or '..' or a control character, and
    no part may start with a dot or end in one (or in a space)."""
    decoded = unquote_to_bytes(segment)
    if decoded in (b".", b".."):
        return "'.' en '..' mogen niet als deel van een oud adres staan (ook niet als %2E)"
    if decoded.startswith(b"."):
        return (
            "een deel dat met een punt begint (een verborgen map, zoals /.git/) kan geen oud "
            "adres zijn: hosts tonen zulke mappen meestal niet, en de site gebruikt ze zelf"
        )
    if decoded.endswith((b".", b" ")):
        return (
            "een deel dat op een punt of spatie eindigt (zoals /nieuws./) kan geen oud adres "
            "zijn: Windows en veel hosts laten die weg, zodat het een ander adres wordt"
        )
    if b"/" in decoded or b"\\" in decoded:
        return "%2F en %5C (een verborgen / of \\) mogen niet in een oud adres"
    if re.search(rb"[\x00-\x1f\x7f]", decoded):
        return "een %-code voor een onzichtbaar teken (zoals %00 of %0A) mag niet in een oud adres"
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError:
        return "de %-codes vormen geen geldige tekst (UTF-8); kopieer het oude adres opnieuw"
    return None


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
    "image": parse_image,
    "alt_text": parse_alt_text,
}
ITEM_PARSERS: dict[str, Callable[[object], object]] = {
    "text_list": parse_text,
    "ref_list": parse_text,
    "alias_list": lambda value: parse_alias(as_text(value)),
}


# Remote content in a body: an image or embed whose address has a scheme or a host.
REMOTE_ADDRESS = re.compile(r"\s*(?:[A-Za-z][A-Za-z0-9+.\-]*:|[/\\]{2})")
MARKDOWN_IMAGE = re.compile(r"!\[[^\[\]\n]{0,500}\]\(\s*<?([^\s)>]*)")
REFERENCE_IMAGE = re.compile(r"!\[([^\[\]\n]{0,500})\](?!\()(?:\[([^\[\]\n]{0,500})\])?")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[([^\[\]\n]{1,500})\]:[ \t]*<?([^\s>]+)", re.MULTILINE)
EMBED_TAG = re.compile(
    r"<(iframe|frame|video|audio|source|track|embed|object|picture|applet|portal)\b",
    re.IGNORECASE,
)
HTML_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)\b([^<>]{0,4000})>")
SRC_ATTRIBUTE = re.compile(
    r"""(?:^|\s)(src|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE
)
CODE_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)
BACKTICKS = re.compile(r"`+")
# Character references the HTML parser turns into characters that XML 1.0 forbids.
INVALID_REFERENCE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,10}));?")
INVALID_REFERENCED = frozenset(
    (*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0x81, 0x8D, 0x8F, 0x90, 0x9D)
)
INVALID_REFERENCED |= {0xFFFE, 0xFFFF}
MAX_BODY_PROBLEMS = 20
REMOTE_MESSAGE = (
    "afbeeldingen en ingesloten inhoud van een andere website zijn niet toegestaan (de "
    "site laadt niets van elders): {what}; zet de afbeelding onder assets/ (en schrijf "
    "![beschrijving](/assets/...)) of maak er een gewone link van: [tekst](https://...)"
)


def clean_body(text: str) -> str:
    """Drop '&#27;'-like references to characters that no page or feed may hold."""

    def keep(match: re.Match[str]) -> str:
        number = int(match[1], 16) if match[1] else int(match[2])
        return "" if number in INVALID_REFERENCED else match[0]

    return INVALID_REFERENCE.sub(keep, text) if "&#" in text else text


def blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each (start, end) span as spaces, keeping its line breaks (so every
    offset stays on its line)."""
    parts: list[str] = []
    position = 0
    for start, end in spans:
        parts.append(text[position:start])
        parts.append(re.sub(r"[^\n]", " ", text[start:end]))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def code_spans(text: str) -> list[tuple[int, int]]:
    """Inline code: a run of backticks up to the next run of the same length (linear)."""
    runs = [(match.start(), match.end()) for match in BACKTICKS.finditer(text)]
    following: list[int | None] = [None] * len(runs)
    last: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        following[index] = last.get(length)
        last[length] = index
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(runs):
        closing = following[index]
        if closing is None:
            index += 1
            continue
        spans.append((runs[index][0], runs[closing][1]))
        index = closing + 1
    return spans


def html_comments(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = text.find("<!--")
    while start != -1:
        end = text.find("-->", start + 4)
        end = len(text) if end == -1 else end + 3
        spans.append((start, end))
        start = text.find("<!--", end)
    return spans


def without_code(body: str) -> str:
    """The body with code blocks, code spans and HTML comments blanked out: text there is
    shown as written (or not at all) and loads nothing."""
    lines = body.split("\n")
    fence: str | None = None
    for index, line in enumerate(lines):
        opening = CODE_FENCE.match(line)
        if fence is None and opening:
            fence = opening[1]
            lines[index] = " " * len(line)
        elif fence is not None:
            if opening and opening[1].startswith(fence[0] * len(fence)):
                fence = None
            lines[index] = " " * len(line)
    text = "\n".join(lines)
    text = blanked(text, html_comments(text)) if "<!--" in text else text
    return blanked(text, code_spans(text)) if "`" in text else text


def is_remote(address: str) -> bool:
    """Whether a browser would load this address from another host (it drops tabs and
    line breaks anywhere in a URL, so '/\n/host' is '//host')."""
    return bool(REMOTE_ADDRESS.match(re.sub(r"[\t\n\r]", "", html.unescape(address))))


def remote_content(body: str) -> Iterator[tuple[int, str]]:
    """Where the body loads something from another host: (offset, what it is)."""
    if not any(mark in body for mark in ("![", "<")):
        return
    text = without_code(body)
    for match in MARKDOWN_IMAGE.finditer(text):
        if is_remote(match[1]):
            yield match.start(), f"de afbeelding {shorten(match[1])}"
    references = {
        " ".join(label.lower().split()): target
        for label, target in REFERENCE_DEFINITION.findall(text)
    }
    for match in REFERENCE_IMAGE.finditer(text):
        label = " ".join((match[2] or match[1]).lower().split())
        target = references.get(label)
        if target and is_remote(target):
            yield match.start(), f"de afbeelding {shorten(target)}"
    for match in EMBED_TAG.finditer(text):
        yield match.start(), f"<{match[1].lower()}> (ingesloten inhoud)"
    for match in HTML_TAG.finditer(text):
        for attribute in SRC_ATTRIBUTE.finditer(match[2]):
            name, value = attribute[1].lower(), attribute[2] or attribute[3] or attribute[4] or ""
            if name == "srcset":
                yield match.start(), "srcset (afbeeldingen in meerdere maten)"
            elif is_remote(value):
                yield match.start(), f"<{match[1].lower()} src=...> van {shorten(value)}"


def shorten(address: str) -> str:
    return f"'{address[:80]}…'" if len(address) > 80 else f"'{address}'"


# Per collection: the front-matter fields its record class has attributes for.
DECLARED_FIELDS = {
    name: frozenset(f.name for f in dataclasses.fields(cls)) for name, cls in RECORD_TYPES.items()
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
            if spec.ref is None and self.is_placeholder(raw.values.get(spec.name)):
                self.fail(
                    self.line(spec.name),
                    f"{spec.name}: vul hier de waarde in (er staat nog {VALUE_PLACEHOLDER})",
                    spec.name,
                )
            elif spec.name in raw.values and raw.values[spec.name] is not None:
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
        self.check_body()
        self.parsed = kwargs
        if diag.has_errors(self.problems):
            return None
        record_type = RECORD_TYPES[raw.collection]
        declared = DECLARED_FIELDS[raw.collection]
        # A field of the table that the record does not declare (added to schema.FIELDS
        # alone) is kept with its checked value; the page shows it under its label.
        table_only = tuple((name, value) for name, value in kwargs.items() if name not in declared)
        kwargs = {name: value for name, value in kwargs.items() if name in declared}
        extra = table_only + tuple(
            (name, raw.values[name]) for name in self.extra_fields if name in raw.values
        )
        source = SourceRef(
            raw.path,
            tuple(sorted(raw.lines.items())),  # BODY_LINE too: media checks body images
            tuple(sorted((k, tuple(v)) for k, v in raw.item_lines.items())),
            raw.digest,
        )
        return record_type(
            slug=raw.slug,
            source=source,
            body=clean_body(raw.body),
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

    def check_unknown_fields(self, known: set[str]) -> None:
        allowed = sorted(known | set(self.extra_fields))
        for name in self.raw.values:
            if name in known or name in self.extra_fields:
                continue
            close = [FIELD_SYNONYMS[name]] if FIELD_SYNONYMS.get(name) in allowed else []
            close = close or difflib.get_close_matches(name[:40], allowed, n=1, cutoff=0.6)
            hint = f"; bedoel je '{close[0]}'?" if close else f"; toegestaan: {', '.join(allowed)}"
            self.fail(self.line(name), f"onbekend veld {describe(name)}{hint}", name)

    def parse_field(self, spec: FieldSpec, value: object) -> object:
        line = self.line(spec.name)
        try:
            if spec.kind in ITEM_PARSERS:
                return self.parse_list(spec, value)
            parsed = SCALAR_PARSERS[spec.kind](value) if spec.kind != "choice" else None
            if spec.kind == "choice":
                parsed = self.parse_choice(spec, value)
            return parsed
        except EmailNotUrl as exc:
            advice = email_advice(spec.name, exc.address)
            self.fail(line, f"{spec.name}: {exc}; {advice}", spec.name)
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
                value = ITEM_PARSERS[spec.kind](item)
            except FieldError as exc:
                self.fail(line, f"{spec.name}: {exc}", spec.name)
                ok = False
                continue
            if spec.kind == "ref_list" and value in parsed:
                # Twice in the lists of a theme or region would show the entry twice.
                message = (
                    f"{spec.name}: '{value}' staat al eerder in deze lijst; één keer is genoeg"
                )
                self.problems.append(diag.warning(self.raw.path, line, message, spec.name))
                continue
            parsed.append(value)
        if spec.required and not items:
            self.fail(self.line(spec.name), f"{spec.name}: noem er ten minste één", spec.name)
            return None
        return tuple(parsed) if ok else None

    @staticmethod
    def is_placeholder(value: object) -> bool:
        """`wsdgen new`'s VUL-IN, alone or in a list."""
        if isinstance(value, list):
            return VALUE_PLACEHOLDER in value
        return value == VALUE_PLACEHOLDER

    def check_body(self) -> None:
        """Images and embeds from another host: an error on the line where they stand.
        Images on the site (alt text, the file itself) are checked by the media stage,
        on the body's rendered HTML (media/prepare.py: the one image rule). The example text of
        `wsdgen new` left in the body is an error too."""
        raw = self.raw
        first = raw.lines.get(BODY_LINE, 1)
        # Only a Markdown file or a literal block (body: |) keeps the body's own lines.
        exact = raw.path.endswith(".md") or first != raw.lines.get("body")
        placeholder = raw.body.find(BODY_PLACEHOLDER)
        if placeholder >= 0:
            self.fail(
                first + raw.body.count("\n", 0, placeholder) if exact else first,
                f"de voorbeeldtekst '{BODY_PLACEHOLDER}' staat er nog; vervang die door "
                "de eigen tekst (of haal hem weg)",
                "body",
            )
        remote = sorted(remote_content(raw.body), reverse=True)
        found = {offset: REMOTE_MESSAGE.format(what=what) for offset, what in remote}
        for count, (offset, what) in enumerate(sorted(found.items())):
            if count == MAX_BODY_PROBLEMS:
                break
            line = first + raw.body.count("\n", 0, offset) if exact else first
            self.fail(line, what, "body")

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
        decorative = kwargs.get("afbeelding_decoratief") is True
        if "afbeelding" in kwargs and "afbeelding_alt" not in kwargs and not decorative:
            self.fail(
                self.line("afbeelding"),
                "afbeelding_alt: beschrijf in afbeelding_alt wat er op de afbeelding staat, "
                "voor wie hem niet kan zien; is het alleen versiering, schrijf dan "
                "afbeelding_decoratief: ja",
                "afbeelding_alt",
            )
        if decorative and kwargs.get("afbeelding_alt"):
            self.problems.append(
                diag.warning(
                    self.raw.path,
                    self.line("afbeelding_decoratief"),
                    "afbeelding_decoratief: een afbeelding die alleen versiering is, heeft "
                    "geen beschrijving; de beschrijving wordt niet getoond. Haal "
                    "afbeelding_alt weg of zet afbeelding_decoratief uit",
                    "afbeelding_decoratief",
                )
            )
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
        aliases = self.parsed.get("aliases", ())
        alias_lines = self.raw.item_lines.get("aliases", [])
        known = tuple(
            (str(alias), alias_lines[index] if index < len(alias_lines) else self.line("aliases"))
            for index, alias in enumerate(aliases if isinstance(aliases, tuple) else ())
        )
        return Rejected(
            self.raw.collection, self.raw.slug, self.raw.path, draft, tuple(references), known
        )


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
