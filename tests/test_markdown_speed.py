"""The faster stand-ins for parts of Python-Markdown (markup.bracket_ends for its
bracket scan, markup.handle_inline for its inline pass) give exactly what the
originals give, so the HTML is byte for byte the same."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import markdown
from conftest import REPO, SITES
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.treeprocessors import InlineProcessor

from wsdgen.body import markup


def original(text: str) -> list[int | None]:
    assert markup.ORIGINAL_BRACKET_ENDS is not None, "the stand-in is not in use"
    return markup.ORIGINAL_BRACKET_ENDS(text)


def test_the_stand_in_is_used_with_this_markdown() -> None:
    from markdown.inlinepatterns import LinkInlineProcessor

    assert markup.FASTER_BRACKETS
    assert LinkInlineProcessor._findBracketEnds is markup.bracket_ends


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="[]ab (\\)!\n", max_size=60))
def test_it_agrees_with_the_original_on_any_text(text: str) -> None:
    assert markup.bracket_ends(text) == original(text)


def test_it_agrees_on_every_body_of_the_real_site_and_the_fixtures() -> None:
    files = [*sorted((REPO / "content").rglob("*.md")), *sorted(SITES.rglob("*.md"))]
    assert len(files) > 50
    for path in files:
        text = Path(path).read_text(encoding="utf-8")
        for paragraph in text.split("\n\n"):
            assert markup.bracket_ends(paragraph) == original(paragraph), path


def converter() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=markup.MARKDOWN_EXTENSIONS, extension_configs=markup.MARKDOWN_CONFIG
    )


@contextmanager
def original_inline_pass() -> Iterator[None]:
    assert markup.ORIGINAL_HANDLE_INLINE is not None, "the stand-in is not in use"
    InlineProcessor._InlineProcessor__handleInline = markup.ORIGINAL_HANDLE_INLINE
    try:
        yield
    finally:
        InlineProcessor._InlineProcessor__handleInline = markup.handle_inline


def both_ways(text: str) -> tuple[str, str]:
    faster = converter().convert(text)
    with original_inline_pass():
        original_html = converter().convert(text)
    return faster, original_html


def test_the_inline_stand_in_is_used_and_knows_every_pattern() -> None:
    assert markup.FASTER_INLINE
    assert InlineProcessor._InlineProcessor__handleInline is markup.handle_inline
    patterns = converter().inlinePatterns
    unknown = [type(p).__name__ for p in patterns if not markup.inline_triggers(p)]
    assert unknown == [], f"patterns always tried (slower, still right): {unknown}"


INLINE_ALPHABET = "ab *_`\\[]()!<>&;#x:/@^\n  =\"'-1"


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=INLINE_ALPHABET, max_size=80))
def test_the_inline_pass_agrees_with_the_original_on_any_text(text: str) -> None:
    faster, original_html = both_ways(text)
    assert faster == original_html


def test_the_inline_pass_agrees_on_every_body_of_the_real_site_and_the_fixtures() -> None:
    files = [*sorted((REPO / "content").rglob("*.md")), *sorted(SITES.rglob("*.md"))]
    texts = [Path(path).read_text(encoding="utf-8") for path in files]
    samples = [
        "*a* _b_ **c** `d` \\* [e](/f) ![g](/h.png) <i> &amp; <https://x.nl> <a@b.nl>",
        "regel  \neen [^1] voetnoot\n\n[^1]: tekst",
        '[ref]\n\n[ref]: /x/ "titel"',
    ]
    for text in [*texts, *samples]:
        faster, original_html = both_ways(text)
        assert faster == original_html, text[:80]


def test_every_block_processor_is_known_and_guarded() -> None:
    """A processor of a new Python-Markdown version is simply always tested (slower,
    still right); this says when the table needs a look."""
    guarded = markup.guard_block_tests(converter())
    known = {type(p) for p in guarded.parser.blockprocessors} & set(markup.BLOCK_TRIGGERS)
    assert known == set(markup.BLOCK_TRIGGERS)
    assert markup._markdown_to_html("a") == "<p>a</p>"
    assert markup._converter is not None
    tests = [p.test for p in markup._converter.parser.blockprocessors]
    assert sum(getattr(t, "__name__", "") == "guarded" for t in tests) == len(markup.BLOCK_TRIGGERS)


def guarded_and_original(text: str) -> tuple[str, str]:
    return markup.guard_block_tests(converter()).convert(text), converter().convert(text)


BLOCK_ALPHABET = "a -_*=>:|[]^#.1\n\n    "
BLOCK_SNIPPETS = [
    "a\n===", "b\n---", "- - -", "***", "__ __ _", "* * *", "term\n: uitleg", "> citaat",
    "[^1]: voet", "*[WSD]: Werkplaatsen", "[x]: /y/", "| a | b |\n|---|---|\n| 1 | 2 |",
    "|a|\n|-|", "1. een", "- twee", "    code", "# kop", "\n\n", "tekst ", ":", "|",
]  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=BLOCK_ALPHABET, max_size=60),
        st.lists(st.sampled_from(BLOCK_SNIPPETS), max_size=8).map("\n".join),
        st.lists(st.sampled_from(BLOCK_SNIPPETS), max_size=8).map("".join),
    )
)
def test_the_guarded_block_tests_agree_with_the_original_on_any_text(text: str) -> None:
    faster, original_html = guarded_and_original(text)
    assert faster == original_html


def test_the_guarded_block_tests_agree_on_every_body_of_the_real_site_and_the_fixtures() -> None:
    files = [*sorted((REPO / "content").rglob("*.md")), *sorted(SITES.rglob("*.md"))]
    for path in files:
        text = Path(path).read_text(encoding="utf-8")
        faster, original_html = guarded_and_original(text)
        assert faster == original_html, path
