"""Whether an SVG file may be published on the site's origin, and CSS references.

An SVG opened directly (a link to ``/assets/x/logo.svg``) is a document on the site's
origin: a script in it runs there, next to ``/beheer/`` and the forge token it keeps.
So a site's SVG is published only when it is plainly a picture. It is parsed with a
real XML parser, the standard library's expat (``xml.parsers.expat``), with every
declaration handler hooked, and refused when it holds:

- a ``<!DOCTYPE`` with an internal subset, or any entity, notation, element or
  attribute declaration (billion laughs, external entities, default attributes such as
  an ``onload`` added through an ``ATTLIST``), a reference to an entity it does not
  define, or a processing instruction (``<?xml-stylesheet?>`` can turn it into HTML
  through XSLT). A bare ``<!DOCTYPE svg PUBLIC ...>`` as Illustrator writes it is
  accepted: expat never reads the external DTD it names, and browsers do not either;
- a ``script``, ``foreignObject``, ``handler`` or ``listener`` element (in any
  namespace), or any element outside the SVG namespace and the namespaces of drawing
  programs' metadata (RDF, Dublin Core, Creative Commons, Inkscape, Sodipodi, Adobe);
  the root must be ``<svg>`` in the SVG namespace;
- an event handler attribute (any attribute whose name begins with ``on``), an
  ``xml:base``, or an attribute of the XML Events namespace;
- a ``href``/``xlink:href``/``src`` that is not a ``#fragment`` of the file itself
  (``<use>``, ``<image>``, ``<a href="javascript:...">``); only ``<image>`` and
  ``<feImage>`` may also embed a raster picture as ``data:image/png``, ``jpeg``, ``gif``
  or ``webp``;
- an animation (``<set>``, ``<animate>``, ...) of ``href`` or of an event attribute;
- in ``style`` attributes, presentation attributes and ``<style>`` elements (after CSS
  escapes and comments are taken out): a ``url(...)`` that is not a ``#fragment``, an
  ``@import``, ``image-set`` or ``src(``.

Why a parser and not refusing SVG altogether: logos and icons are SVG, and a parser sees
what a browser sees (namespace prefixes, entities, CDATA and comments defeat regular
expressions). Why expat and not defusedxml: defusedxml is expat with the same
declaration handlers refused; here they are hooked directly, with line numbers for the
messages, and expat on its own never fetches anything. Messages are Dutch.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from xml.parsers import expat

MAX_SVG_BYTES = 2 * 1024 * 1024

SVG_NS = "http://www.w3.org/2000/svg"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_EVENTS_NS = "http://www.w3.org/2001/xml-events"
# Namespaces whose elements drawing programs add as metadata: never rendered, never run.
METADATA_NS = frozenset(
    {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://purl.org/dc/elements/1.1/",
        "http://purl.org/dc/terms/",
        "http://creativecommons.org/ns#",
        "http://web.resource.org/cc/",
        "http://www.inkscape.org/namespaces/inkscape",
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    }
)
METADATA_PREFIXES = ("http://ns.adobe.com/",)
REFUSED_ELEMENTS = frozenset({"script", "foreignobject", "handler", "listener"})
ANIMATIONS = frozenset(
    {"set", "animate", "animatecolor", "animatetransform", "animatemotion", "discard"}
)
DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp)[;,]", re.IGNORECASE)
SEPARATOR = " "  # between namespace and local name; never part of either

CSS_COMMENT = re.compile(r"/\*.*?(\*/|$)", re.DOTALL)
CSS_HEX_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})[ \t\r\n\f]?")
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6}[ \t\r\n\f]?|.)", re.DOTALL)
CSS_URL = re.compile(r"url\(\s*(\"[^\"]*\"?|'[^']*'?|[^)]*)", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import\s*(\"[^\"]*\"?|'[^']*'?|url\()?", re.IGNORECASE)
CSS_STRING = re.compile(r"\"([^\"]*)\"|'([^']*)'")
# What a browser drops from a URL before it reads its scheme.
URL_NOISE = re.compile(r"[\x00-\x20\x7f]")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def _code_point(match: re.Match[str]) -> str:
    value = int(match[1], 16)
    return chr(value) if 0 < value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else "\ufffd"


def css_plain(text: str) -> str:
    """CSS as a browser reads it: comments out, escapes (``u\\72l(``) replaced."""
    return css_unescaped(CSS_COMMENT.sub(" ", text))


def css_unescaped(text: str) -> str:
    """CSS with its escapes replaced, comments kept. One pass, as a browser reads it:
    in ``\\\\65`` the first backslash escapes the second, and 65 stays text."""
    return CSS_ESCAPE.sub(_unescape, text)


def _unescape(match: re.Match[str]) -> str:
    hex_escape = CSS_HEX_ESCAPE.fullmatch(match[0])
    if hex_escape is not None:
        return _code_point(hex_escape)
    return "" if match[1] == "\n" else match[1]


def _target(raw: str) -> str:
    # A browser's URL parser reads '\\' as '/' in http(s) URLs: '\\\\host' is '//host'.
    return URL_NOISE.sub("", raw.strip().strip("\"'")).replace("\\", "/")


def css_url_targets(text: str) -> list[str]:
    """The targets of every ``url(...)`` and ``@import`` in (plain) CSS."""
    found = [_target(match[1]) for match in CSS_URL.finditer(text)]
    found += [_target(match[1]) for match in CSS_IMPORT.finditer(text) if match[1] != "url("]
    return found


def stylesheet_problem(data: bytes) -> str | None:
    """What in a site stylesheet loads from elsewhere (Dutch), or None.

    Every ``url(...)`` and ``@import`` must point into the site (a relative or
    site-absolute path, a ``#fragment``) or be a ``data:`` address; a quoted string that
    starts with ``http:``, ``https:`` or ``//`` (``image-set``, ``src()``) counts too.
    """
    raw = data.decode("utf-8", errors="replace")
    # Read twice: without comments, and with them. A '/*' inside a string or an
    # unquoted url() is no comment to a browser, so dropping comments alone could hide a
    # url() between 'content: "/*"' and a later '*/'.
    targets: list[str] = []
    for text in (css_plain(raw), css_unescaped(raw)):
        targets += css_url_targets(text)
        targets += [
            _target(match[1] or match[2] or "")
            for match in CSS_STRING.finditer(text)
            if re.match(r"^\s*(https?:|//)", _target(match[1] or match[2] or ""), re.I)
        ]
    for target in targets:
        if target.startswith("//") or (
            SCHEME.match(target) and not target.lower().startswith("data:")
        ):
            return (
                f"dit stijlblad laadt iets van buiten de site ({target[:60]}); de site laadt "
                "niets van andere servers: zet het bestand zelf onder assets/"
            )
    return None


class _Found(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _split(name: str) -> tuple[str, str]:
    namespace, _, local = name.rpartition(SEPARATOR)
    return namespace, local


def _style_problem(text: str) -> str | None:
    plain = css_plain(text).lower()
    for word in ("@import", "image-set", "src("):
        if word in plain:
            return f"de stijl in de SVG bevat {word}"
    for target in css_url_targets(plain):
        if not target.startswith("#"):
            return f"de stijl in de SVG verwijst naar iets buiten het bestand: url({target[:60]})"
    return None


class _Checker:
    def __init__(self) -> None:
        self.parser = expat.ParserCreate(namespace_separator=SEPARATOR)
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.stack: list[str] = []
        self.style_text: list[str] | None = None
        self.style_line = 1
        self.seen_root = False
        parser = self.parser
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.declaration("een entiteit (<!ENTITY)")
        parser.UnparsedEntityDeclHandler = self.declaration("een entiteit (<!ENTITY)")
        parser.NotationDeclHandler = self.declaration("een notatie (<!NOTATION)")
        parser.ElementDeclHandler = self.declaration("een elementdeclaratie (<!ELEMENT)")
        parser.AttlistDeclHandler = self.declaration("een attribuutdeclaratie (<!ATTLIST)")
        parser.ExternalEntityRefHandler = self.external_entity
        parser.SkippedEntityHandler = self.skipped_entity
        parser.ProcessingInstructionHandler = self.instruction
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text

    def fail(self, message: str) -> None:
        raise _Found(self.parser.CurrentLineNumber, message)

    def doctype(self, name: str, system: str | None, public: str | None, subset: int) -> None:
        if subset:
            self.fail("de SVG bevat een <!DOCTYPE> met eigen declaraties (zoals entiteiten)")

    def declaration(self, what: str) -> Callable[..., None]:
        def refuse(*args: object) -> None:
            self.fail(f"de SVG bevat {what}")

        return refuse

    def external_entity(self, *args: object) -> int:
        self.fail("de SVG verwijst naar een externe entiteit")
        return 0

    def skipped_entity(self, name: str, is_parameter: int) -> None:
        self.fail(f"de SVG gebruikt een onbekende entiteit (&{name};)")

    def instruction(self, target: str, data: str) -> None:
        self.fail(f"de SVG bevat een verwerkingsinstructie (<?{target[:30]} ...?>)")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, local = _split(name)
        shown = local[:40]
        if not self.seen_root:
            self.seen_root = True
            if (namespace, local) != (SVG_NS, "svg"):
                self.fail(
                    f"dit is geen SVG-afbeelding: het bestand begint met <{shown}> in plaats "
                    f'van <svg xmlns="{SVG_NS}">'
                )
        if local.lower() in REFUSED_ELEMENTS:
            self.fail(f"de SVG bevat een <{shown}>-element (script of ingebedde HTML)")
        metadata = namespace in METADATA_NS or namespace.startswith(METADATA_PREFIXES)
        if namespace != SVG_NS and not metadata:
            where = f"naamruimte {namespace[:60]}" if namespace else "zonder naamruimte"
            self.fail(f"de SVG bevat een element <{shown}> dat geen SVG is ({where})")
        for attribute, value in attributes.items():
            self.check_attribute(local.lower(), attribute, value)
        if local.lower() in ANIMATIONS:
            animated = attributes.get("attributeName", "").strip().rpartition(":")[2].lower()
            if animated == "href" or animated.startswith("on"):
                self.fail(f"de SVG verandert met <{shown}> het attribuut {animated[:40]}")
        self.stack.append(local)
        if local == "style" and namespace == SVG_NS:
            self.style_text = []
            self.style_line = self.parser.CurrentLineNumber

    def check_attribute(self, element: str, attribute: str, value: str) -> None:
        namespace, local = _split(attribute)
        name = local.lower()
        shown = local[:40]
        if name.startswith("on"):
            self.fail(f"de SVG bevat een gebeurtenis-attribuut ({shown}), dat script uitvoert")
        if namespace == XML_EVENTS_NS:
            self.fail(f"de SVG bevat een gebeurtenis-attribuut ({shown})")
        if namespace == XML_NS and name == "base":
            self.fail("de SVG bevat xml:base, dat verwijzingen naar elders laat wijzen")
        if name in ("href", "src"):
            target = _target(value)
            embedded = element in ("image", "feimage") and DATA_IMAGE.match(target)
            if not target.startswith("#") and not embedded:
                self.fail(
                    f"de SVG verwijst met {shown} naar iets buiten het bestand "
                    f"({target[:60]}); alleen #verwijzingen binnen de SVG mogen"
                )
        if "url(" in css_plain(value).lower() or name == "style":
            problem = _style_problem(value)
            if problem:
                self.fail(problem)

    def end(self, name: str) -> None:
        namespace, local = _split(name)
        if self.stack:
            self.stack.pop()
        if local == "style" and namespace == SVG_NS and self.style_text is not None:
            problem = _style_problem("".join(self.style_text))
            self.style_text = None
            if problem:
                raise _Found(self.style_line, problem)

    def text(self, data: str) -> None:
        if self.style_text is not None:
            self.style_text.append(data)


def svg_problem(data: bytes) -> tuple[int, str] | None:
    """(line, Dutch reason) when this SVG may not be published, or None."""
    if len(data) > MAX_SVG_BYTES:
        return 1, f"de SVG is groter dan {MAX_SVG_BYTES // 1024 // 1024} MiB"
    checker = _Checker()
    try:
        checker.parser.Parse(data, True)
    except _Found as found:
        return found.line, found.message
    except expat.ExpatError as exc:
        return (
            exc.lineno or 1,
            f"deze SVG is geen geldige XML (fout op regel {exc.lineno}); sla hem opnieuw op "
            "vanuit het tekenprogramma",
        )
    if not checker.seen_root:
        return 1, "dit is geen SVG-afbeelding"
    return None
