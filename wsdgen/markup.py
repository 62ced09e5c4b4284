"""Helper for rendering: Markdown bodies to safe HTML, cached by content hash.

Bodies come from many partners, so the HTML that Markdown lets through is cleaned by
nh3 (a maintained sanitiser): script, style, event attributes and any URL scheme but
http, https and mailto are dropped. A body's '#' heading becomes <h2>, since the page
title is the only <h1>; '##' stays <h2>, as editors expect.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import multiprocessing
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor


class _NoTopHeadings(Treeprocessor):
    def run(self, root):  # type: ignore[no-untyped-def]
        for element in root.iter("h1"):
            element.tag = "h2"


class NoTopHeadingsExtension(Extension):
    """Turn '# Kop' into <h2>: the page's title is its only <h1>."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_NoTopHeadings(md), "no_top_headings", 25)


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
RENDER_VERSION = "4"


def _filter_attributes(base_path: str) -> Callable[[str, str, str], str | None]:
    """Make '/x/' in a body point at base_path + 'x/', so sub-path hosting keeps working,
    and drop any src that would load something from another host (the guarantee behind
    the validator's message: no page loads anything from elsewhere)."""

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
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


_converter: markdown.Markdown | None = None


def _markdown_to_html(text: str) -> str:
    """Markdown to HTML with one converter per process (building one costs more than
    converting a typical body); reset() clears what the last body left behind."""
    global _converter
    if _converter is None:
        _converter = markdown.Markdown(
            extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG
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
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        attribute_filter=_filter_attributes(base_path),
    )


# Python-Markdown is quadratic on some inputs (thousands of '['): a body that takes
# longer than this is an error on its file, and the build goes on with the rest.
MARKDOWN_SECONDS = 3.0


class _TooSlow(Exception):
    pass


def _interrupt(signum: int, frame: object) -> None:
    raise _TooSlow


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, _interrupt)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def render_markdown_bounded(
    text: str, base_path: str = "/", seconds: float = MARKDOWN_SECONDS
) -> str | None:
    """render_markdown, or None when it takes longer than ``seconds``.

    In the main thread (the build, its workers, `serve`) a timer signal interrupts the
    conversion; elsewhere the body is converted in a child process that is stopped.
    """
    global _converter
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


@functools.lru_cache(maxsize=65536)
def body_key(text: str, base_path: str) -> str:
    """The cache key of a rendered body: its text, the base path, the rules' version and
    the versions of Markdown and nh3 (an upgrade may render the same text differently)."""
    versions = f"{RENDER_VERSION}/{MARKDOWN_VERSION}/{NH3_VERSION}"
    data = f"{versions}\0{base_path}\0{text}".encode()
    return hashlib.sha256(data).hexdigest()
