"""Helper for rendering: Markdown bodies to safe HTML, cached by content hash.

Bodies come from many partners, so the HTML that Markdown lets through is cleaned by
nh3 (a maintained sanitiser): script, style, event attributes and any URL scheme but
http, https and mailto are dropped. A body's '#' heading becomes <h2>, since the page
title is the only <h1>; '##' stays <h2>, as editors expect.

Two rules keep a body from clashing with the page around it: an id in a body that the
theme's templates use too (``inhoud``, the skip link's target, or ``komend-kop``) is
renamed (``tekst-inhoud``), and every id in a body is unique. And every ``<img>`` that
survives the sanitiser, however it was written (``![..](..)``, ``![..][ref]``, raw
``<img>``), is listed by ``images_in``: the media stage checks each one (media/prepare.py).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.metadata
import multiprocessing
import re
import signal
import threading
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import markdown
import nh3
from markdown import blockprocessors, inlinepatterns, util
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrBlockprocessor
from markdown.extensions.def_list import DefListProcessor
from markdown.extensions.footnotes import FootnoteBlockProcessor
from markdown.extensions.tables import TableProcessor
from markdown.treeprocessors import InlineProcessor, Treeprocessor

from wsdgen.session import current
from wsdgen.workers import raise_swallowed_stop, raising_after


class _NoTopHeadings(Treeprocessor):
    def run(self, root):  # type: ignore[no-untyped-def]
        for element in root.iter("h1"):
            element.tag = "h2"


class _NoEmptyAlt(Treeprocessor):
    def run(self, root):  # type: ignore[no-untyped-def]
        for element in root.iter("img"):
            if not (element.get("alt") or "").strip():
                element.attrib.pop("alt", None)


class NoTopHeadingsExtension(Extension):
    """Turn '# Kop' into <h2>: the page's title is its only <h1>. And an image written
    as ``![](...)`` gets no alt attribute at all (not ``alt=""``): in Markdown empty
    brackets are a forgotten description; only raw ``<img alt="">`` marks an image as
    decorative (media/prepare.py reports an image without alt)."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_NoTopHeadings(md), "no_top_headings", 25)
        # After attr_list (8), which may set alt as well.
        md.treeprocessors.register(_NoEmptyAlt(md), "no_empty_alt", 7)


BRACKET = re.compile(r"[\[\]]")


def bracket_ends(data: str) -> list[int | None]:
    """What Python-Markdown's LinkInlineProcessor._findBracketEnds returns (3.11): for
    each index, the index just past the ``]`` that first brings the bracket depth below
    the depth at that index, or None. Python-Markdown walks every character in Python
    (a fifth of all Markdown time here); this visits only the brackets, and fills the
    indexes between them in slices. tests/test_markdown_speed.py holds it to the
    original on random texts and on every body of the real site."""
    ends: list[int | None] = [None] * (len(data) + 1)
    pending: dict[int, list[tuple[int, int]]] = {}  # depth -> ranges still open
    depth = 0
    start = 0
    for match in BRACKET.finditer(data):
        at = match.start()
        pending.setdefault(depth, []).append((start, at + 1))
        if data[at] == "[":
            depth += 1
        else:
            for first, stop in pending.pop(depth, ()):
                ends[first:stop] = [at + 1] * (stop - first)
            depth -= 1
        start = at + 1
    return ends


def use_faster_bracket_ends() -> bool:
    """Put bracket_ends in the place of Python-Markdown's own, when this Markdown has
    it and the two agree on a sample (another version keeps its own)."""
    from markdown.inlinepatterns import LinkInlineProcessor

    original = getattr(LinkInlineProcessor, "_findBracketEnds", None)
    if original is None:
        return False
    samples = ("", "[", "]", "a[b]c", "[[x]](y)", "]][[", "[a[b]c]d]e[", "x [y] [[z]]")
    if any(original(text) != bracket_ends(text) for text in samples):
        return False
    global ORIGINAL_BRACKET_ENDS
    ORIGINAL_BRACKET_ENDS = original
    LinkInlineProcessor._findBracketEnds = staticmethod(bracket_ends)  # type: ignore[method-assign]
    return True


ORIGINAL_BRACKET_ENDS: Callable[[str], list[int | None]] | None = None
FASTER_BRACKETS = use_faster_bracket_ends()

# The inline patterns of Python-Markdown 3.11 by their regular expression, with the
# characters of which every match holds at least one: a text without any of them
# cannot match, so the pattern is not tried on it.
INLINE_TRIGGERS: dict[str, str] = {
    inlinepatterns.BACKTICK_RE: "`",
    inlinepatterns.ESCAPE_RE: "\\",
    inlinepatterns.LINK_RE: "[",  # also REFERENCE_RE, and the short references
    inlinepatterns.IMAGE_LINK_RE: "[",  # also IMAGE_REFERENCE_RE
    inlinepatterns.AUTOLINK_RE: "<",
    inlinepatterns.AUTOMAIL_RE: "<",
    inlinepatterns.HTML_RE: "<",
    inlinepatterns.ENTITY_RE: "&",
    inlinepatterns.LINE_BREAK_RE: "\n",
    r"\[\^([^\]]*)\]": "[",  # extra's footnote references
}


def inline_triggers(pattern: inlinepatterns.Pattern) -> str | None:
    """The characters one of which a match of this pattern holds; None when unknown
    (the pattern is then always tried)."""
    if isinstance(pattern, inlinepatterns.DelimiterProcessor):
        return "".join(token[:1] for token in pattern.tokens)  # '*', '_'
    return INLINE_TRIGGERS.get(pattern.pattern)


def handle_inline(self: InlineProcessor, data: str, patternIndex: int = 0) -> str:
    """Python-Markdown's InlineProcessor.__handleInline (3.11), which tries every inline
    pattern on every piece of text (a third of all Markdown time here), except that a
    pattern whose trigger characters are not in the text is passed over: trying it
    would find no match and change nothing. tests/test_markdown_speed.py holds the
    HTML to the original's on random texts and on every body of the real site."""
    if isinstance(data, util.AtomicString):
        return data
    patterns, triggers = inline_plan(self)
    apply_pattern = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
    startIndex = 0
    count = len(patterns)
    while patternIndex < count:
        needed = triggers[patternIndex]
        if needed is not None:
            for char in needed:
                if char in data:
                    break
            else:
                patternIndex += 1
                startIndex = 0
                continue
        data, matched, startIndex = apply_pattern(
            patterns[patternIndex], data, patternIndex, startIndex
        )
        if not matched:
            patternIndex += 1
    return data


def inline_plan(processor: InlineProcessor) -> tuple[list[Any], list[str | None]]:
    """The processor's inline patterns in order, with their triggers; kept on the
    processor (one converter per process) until its patterns change."""
    registry = processor.inlinePatterns
    kept = processor.__dict__.get("_wsdgen_inline")
    if kept is None or kept[0] is not registry or len(kept[1]) != len(registry):
        patterns = list(registry)
        kept = (registry, patterns, [inline_triggers(pattern) for pattern in patterns])
        processor.__dict__["_wsdgen_inline"] = kept
    return kept[1], kept[2]


def use_faster_inline() -> bool:
    """Put handle_inline in the place of Python-Markdown's own when this Markdown has it."""
    original = getattr(InlineProcessor, "_InlineProcessor__handleInline", None)
    if original is None or not hasattr(InlineProcessor, "_InlineProcessor__applyPattern"):
        return False
    global ORIGINAL_HANDLE_INLINE
    ORIGINAL_HANDLE_INLINE = original
    InlineProcessor._InlineProcessor__handleInline = handle_inline  # type: ignore[attr-defined]
    return True


ORIGINAL_HANDLE_INLINE: Callable[..., str] | None = None
FASTER_INLINE = use_faster_inline()

MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "toc", NoTopHeadingsExtension()]
MARKDOWN_CONFIG = {"toc": {"permalink": False}}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "details": {"open"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
}
URL_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src"}

MARKDOWN_VERSION = importlib.metadata.version("markdown")
NH3_VERSION = importlib.metadata.version("nh3")

# Bump when the rendering rules change, so cached bodies are rendered anew.
RENDER_VERSION = "6"

# Ids the theme's templates give elements of their own (the skip link's target
# ``inhoud``, the search field, section headings), and the prefixes and the suffix of
# the ids they make (``jaar-2024``, ``regio-noord``, ``komend-kop``). An id in a body
# that is one of them gets RENAMED_PREFIX in front. tests/test_image_rule.py checks
# that every id in the theme's templates is covered.
PAGE_IDS = frozenset(
    {
        "inhoud", "zoeken", "zoekterm", "jaren-tabel", "jaren-titel", "matrix-caption",
        "regio-zonder", "themas-een-regio", "stille-werkplaatsen", "per-jaar",
        "kaart", "wie-werkt-waaraan", "gegevens",
    }
)  # fmt: skip
PAGE_ID_PREFIXES = ("jaar-", "regio-", "heat-", "tabel-")
PAGE_ID_SUFFIX = "-kop"
RENAMED_PREFIX = "tekst-"


def is_page_id(value: str) -> bool:
    """Whether the page around a body may use this id itself."""
    return value in PAGE_IDS or value.startswith(PAGE_ID_PREFIXES) or value.endswith(PAGE_ID_SUFFIX)


def _unique_id(value: str, seen: set[str]) -> str:
    """``value``, or ``tekst-value`` when the page uses it, with '-2', '-3', ... when
    the body has it already. Sanitising the result again changes nothing."""
    base = RENAMED_PREFIX + value if is_page_id(value) else value
    candidate, number = base, 1
    while candidate in seen or is_page_id(candidate):
        number += 1
        candidate = f"{base}-{number}"
    seen.add(candidate)
    return candidate


def _filter_attributes(base_path: str) -> Callable[[str, str, str], str | None]:
    """Make '/x/' in a body point at base_path + 'x/', so sub-path hosting keeps working,
    drop any src that would load something from another host (the guarantee behind
    the validator's message: no page loads anything from elsewhere), and keep the
    body's ids unique and apart from the page's own (one filter per body: nh3 calls it
    in document order)."""
    seen_ids: set[str] = set()

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "id":
            return _unique_id(value, seen_ids)
        if attribute not in URL_ATTRIBUTES:
            return value
        if attribute == "src" and not is_site_path(value):
            return None
        if value.startswith("/") and not value.startswith("//"):
            return base_path + value[1:]
        return value

    return rewrite


# What a browser's URL parser drops before it reads a URL: tabs and line breaks
# anywhere, C0 controls and spaces at either end ('/\n/host' is '//host').
URL_DROPPED = re.compile("[\t\n\r]")
URL_TRIMMED = "".join(map(chr, range(0x21)))


def is_site_path(value: str) -> bool:
    """A URL on this site: '/path' (not '//host'), or relative without a scheme, read
    as a browser reads it."""
    text = URL_DROPPED.sub("", value).strip(URL_TRIMMED).replace("\\", "/")
    if text.startswith("//"):
        return False
    return ":" not in text.split("/", 1)[0]


# Block processors of Python-Markdown 3.11 (by class) and the strings one of which a
# block holds whenever the processor's test (or, for those whose test is always True,
# its run) can succeed: read from their regular expressions. Without any of them the
# processor is passed over for that block, as its failed test or run would pass it.
HR_TRIGGERS = tuple(f"{c}{gap}{c}" for c in "-_*" for gap in ("", " ", "  "))
BLOCK_TRIGGERS: dict[type[BlockProcessor], tuple[str, ...]] = {
    blockprocessors.SetextHeaderProcessor: ("\n=", "\n-"),  # a line of = or - after the first
    blockprocessors.HRProcessor: HR_TRIGGERS,  # three of -, _ or * with at most two spaces between
    DefListProcessor: (": ",),  # ':' then one to three spaces
    blockprocessors.BlockQuoteProcessor: (">",),
    FootnoteBlockProcessor: ("[^",),  # run: '[^label]:'
    AbbrBlockprocessor: ("*[",),  # run: '*[abbr]:'
    blockprocessors.ReferenceProcessor: ("]:",),  # run: '[id]: url'
    TableProcessor: ("|",),  # a table's first row has a pipe
}


def test_when_possible(
    test: Callable[[Any, str], bool], needed: tuple[str, ...]
) -> Callable[[Any, str], bool]:
    """A block processor's test that says False at once for a block without any of
    the ``needed`` strings (tests/test_markdown_speed.py holds the HTML to the
    original's)."""

    def guarded(parent: Any, block: str) -> bool:
        for text in needed:
            if text in block:
                return test(parent, block)
        return False

    return guarded


def guard_block_tests(md: markdown.Markdown) -> markdown.Markdown:
    """Give the block processors of ``md`` whose triggers are known the guarded test."""
    for processor in md.parser.blockprocessors:
        needed = BLOCK_TRIGGERS.get(type(processor))
        if needed is not None:
            processor.test = test_when_possible(processor.test, needed)  # type: ignore[method-assign]
    return md


_converter: markdown.Markdown | None = None


def _markdown_to_html(text: str) -> str:
    """Markdown to HTML with one converter per process (building one costs more than
    converting a typical body); reset() clears what the last body left behind."""
    global _converter
    if _converter is None:
        _converter = guard_block_tests(
            markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG)
        )
    return _converter.reset().convert(text)


def render_markdown(text: str, base_path: str = "/") -> str:
    """Render one Markdown body to sanitised HTML."""
    return sanitise(_markdown_to_html(text), base_path)


def sanitise(html: str, base_path: str = "/") -> str:
    """The one sanitiser of body HTML (nh3); also applied to HTML read from a cache.

    Characters that XML forbids (nh3 turns '&#27;' into a raw ESC) are dropped, so the
    HTML also fits in an Atom feed."""
    return XML_INVALID.sub("", _clean(html, base_path))


# C0 controls but tab and line feed, and the non-characters XML 1.0 refuses.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")


def _clean(html: str, base_path: str) -> str:
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        attribute_filter=_filter_attributes(base_path),
    )
    raise_swallowed_stop()  # a Ctrl+C inside the attribute filter is dropped by nh3
    return cleaned


# Python-Markdown is quadratic on some inputs (thousands of '['): a body that takes
# longer than this is an error on its file, and the build goes on with the rest.
MARKDOWN_SECONDS = 3.0


class _TooSlow(Exception):
    pass


def _time_limit(seconds: float) -> contextlib.AbstractContextManager[None]:
    return raising_after(signal.ITIMER_REAL, signal.SIGALRM, seconds, _TooSlow)


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def render_markdown_bounded(
    text: str, base_path: str = "/", seconds: float = MARKDOWN_SECONDS
) -> str | None:
    """render_markdown, or None when it takes longer than ``seconds``.

    In the main thread (the build, its workers, `serve`) a timer signal interrupts the
    conversion; elsewhere the body is converted in a child process that is stopped.
    A body the media stage rendered ahead (render_ahead) is not converted again.
    """
    global _converter
    ahead = current().ahead
    if ahead:
        key = body_key(text, base_path)
        if key in ahead:
            return ahead.pop(key)
    if not _can_use_alarm():
        return _render_in_child(text, base_path, seconds)
    try:
        with _time_limit(seconds):
            html = _markdown_to_html(text)
    except _TooSlow:
        _converter = None  # interrupted half-way: start the next body with a fresh one
        return None
    return sanitise(html, base_path)


def _render_in_child(text: str, base_path: str, seconds: float) -> str | None:
    context = multiprocessing.get_context()
    with context.Pool(1) as pool:
        pending = pool.apply_async(render_markdown, (text, base_path))
        try:
            return pending.get(timeout=seconds)
        except multiprocessing.TimeoutError:
            return None


def render_ahead(text: str, base_path: str) -> str | None:
    """render_markdown_bounded, remembered for the render stage of the same build (the
    media stage reads a body's images first): render_markdown_bounded hands each out
    once instead of converting the same text again."""
    ahead = current().ahead
    key = body_key(text, base_path)
    if key not in ahead:
        ahead[key] = render_markdown_bounded(text, base_path)
    return ahead[key]


def forget_ahead() -> None:
    """Emptied when the next build's media stage starts."""
    current().ahead.clear()


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str | None, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            values = dict(attrs)
            self.found.append((values.get("src"), values.get("alt")))


def images_in(html: str) -> tuple[tuple[str | None, str | None], ...]:
    """Every <img> of sanitised body HTML as (src, alt), in order; None where the
    attribute is missing (nh3 drops a src that is not on this site)."""
    if "<img" not in html:
        return ()
    parser = _Images()
    parser.feed(html)
    parser.close()
    return tuple(parser.found)


@functools.lru_cache(maxsize=65536)
def body_key(text: str, base_path: str) -> str:
    """The cache key of a rendered body: its text, the base path, the rules' version and
    the versions of Markdown and nh3 (an upgrade may render the same text differently)."""
    versions = f"{RENDER_VERSION}/{MARKDOWN_VERSION}/{NH3_VERSION}"
    data = f"{versions}\0{base_path}\0{text}".encode()
    return hashlib.sha256(data).hexdigest()
