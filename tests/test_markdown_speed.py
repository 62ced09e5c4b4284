"""markup.bracket_ends, the faster stand-in for Python-Markdown's own bracket scan,
gives exactly what the original gives (so the HTML is byte for byte the same)."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, SITES
from hypothesis import given, settings
from hypothesis import strategies as st

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
