"""Helper for rendering: Markdown bodies to safe HTML, cached by content hash.

Bodies come from many partners, so the HTML that Markdown lets through is cleaned by
nh3 (a maintained sanitiser): script, style, event attributes and any URL scheme but
http, https and mailto are dropped. A body's '#' heading becomes <h2>, since the page
title is the only <h1>; '##' stays <h2>, as editors expect.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

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

# Bump when the rendering rules change, so cached bodies are rendered anew.
RENDER_VERSION = "2"


def _prefix_site_paths(base_path: str) -> Callable[[str, str, str], str]:
    """Make '/x/' in a body point at base_path + 'x/', so sub-path hosting keeps working."""

    def rewrite(tag: str, attribute: str, value: str) -> str:
        if attribute in URL_ATTRIBUTES and value.startswith("/") and not value.startswith("//"):
            return base_path + value[1:]
        return value

    return rewrite


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
    html = _markdown_to_html(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        attribute_filter=_prefix_site_paths(base_path),
    )


@functools.lru_cache(maxsize=65536)
def body_key(text: str, base_path: str) -> str:
    """The cache key of a rendered body: its text, the base path, the rules' version and
    the versions of Markdown and nh3 (an upgrade may render the same text differently)."""
    versions = f"{RENDER_VERSION}/{markdown.__version__}/{nh3.__version__}"
    data = f"{versions}\0{base_path}\0{text}".encode()
    return hashlib.sha256(data).hexdigest()
