"""Cards and calendar events kept between builds with --cache (cache/partcache.py):
a warm build renders only the card and the VEVENT of what changed, and its output is
that of a clean build; nothing in the record counts without the cache key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_pagecache import CAFE, cached_build, files_of

from wsdgen import session
from wsdgen.cache import pagecache
from wsdgen.cache.partcache import KeptParts

pytestmark = pytest.mark.usefixtures("signed_cache")
CAFE_KEY = ("kenniscafes", "2017-04-14-schulden")
CARDS = Path("onderdelen/kaarten/record.json")
EVENTS = Path("onderdelen/agenda/record.json")


def kept_build(mini: Path, out: Path, cache: Path) -> KeptParts:
    """A --cache build in a session of the test's own, and the parts it kept."""
    with session.active(session.Session()) as run:
        assert cached_build(mini, out, cache, search=False).exit_code == 0
    assert run.parts is not None
    return run.parts


def record_of(cache: Path, name: Path) -> dict[str, list]:
    body = (cache / name).read_text(encoding="utf-8").partition("\n")[2]
    return json.loads(body)["parts"]


def retitle(path: Path, title: str) -> None:
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("\ntitle: ")
    path.write_text(f'{head}\ntitle: "{title}"\n{rest.partition(chr(10))[2]}', encoding="utf-8")


def test_a_warm_build_makes_only_the_changed_cafe_s_cards_and_event(
    mini: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cold = kept_build(mini, tmp_path / "cold", cache)
    assert cold.cards.hits == 0 and cold.cards.new and cold.events.new
    retitle(mini / CAFE, "Schulden, opnieuw bekeken")
    warm = kept_build(mini, tmp_path / "warm", cache)
    assert warm.cards.hits > 0 and warm.events.hits == len(cold.events.new) - 1
    assert warm.cards.new, "the changed cafe's cards are made again"
    assert all(CAFE_KEY in keys for _, _, keys in warm.cards.new.values())
    assert [keys[0] for _, _, keys in warm.events.new.values()] == [CAFE_KEY]
    cached_build(mini, tmp_path / "clean", None, search=False)
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "clean")
    agenda = (tmp_path / "warm/kenniscafes/agenda.ics").read_text(encoding="utf-8")
    assert "SUMMARY:Schulden\\, opnieuw bekeken" in agenda


def test_a_renamed_werkplaats_changes_the_cards_of_its_cafes(mini: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    kept_build(mini, tmp_path / "cold", cache)
    retitle(mini / "content/werkplaatsen/amsterdam.md", "Werkplaats Groot-Amsterdam")
    warm = kept_build(mini, tmp_path / "warm", cache)
    assert any(("werkplaatsen", "amsterdam") in keys for _, _, keys in warm.cards.new.values())
    cached_build(mini, tmp_path / "clean", None, search=False)
    clean = files_of(tmp_path / "clean")
    assert b"Groot-Amsterdam" in clean["kenniscafes/index.html"]
    assert files_of(tmp_path / "warm") == clean


def test_a_forged_card_or_event_is_never_shown(mini: Path, tmp_path: Path) -> None:
    """Someone who can write the cache folder but has not got the key puts markup of
    their own in a kept card, and text in a kept event, each under its right digest."""
    cache = tmp_path / "cache"
    kept_build(mini, tmp_path / "cold", cache)
    for name, evil in ((CARDS, "<script>steel()</script>"), (EVENTS, "SUMMARY:steel()\r\n")):
        parts = record_of(cache, name)
        for part in parts.values():
            part[1] = [evil, []] if name == CARDS else evil
        forged = json.dumps({"parts": parts, "version": pagecache.RECORD_VERSION}, sort_keys=True)
        (cache / name).write_text("0" * 64 + "\n" + forged, encoding="utf-8")
    kept_build(mini, tmp_path / "warm", cache)
    warm = files_of(tmp_path / "warm")
    assert not any(b"steel()" in data for data in warm.values())
    assert warm == files_of(tmp_path / "cold")


def test_a_signed_record_of_another_store_is_not_taken_for_cards(
    mini: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    kept_build(mini, tmp_path / "cold", cache)
    shutil.copyfile(cache / EVENTS, cache / CARDS)
    retitle(mini / CAFE, "Schulden, opnieuw bekeken")
    warm = kept_build(mini, tmp_path / "warm", cache)
    assert warm.cards.hits == 0 and warm.events.hits > 0
    cached_build(mini, tmp_path / "clean", None, search=False)
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "clean")


def test_the_parts_of_a_deleted_cafe_are_dropped(mini: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    kept_build(mini, tmp_path / "cold", cache)
    assert any(
        ["kenniscafes", CAFE_KEY[1]] in part[2] for part in record_of(cache, EVENTS).values()
    )
    (mini / CAFE).unlink()
    kept_build(mini, tmp_path / "warm", cache)
    for name in (CARDS, EVENTS):
        assert not any(
            ["kenniscafes", CAFE_KEY[1]] in part[2] for part in record_of(cache, name).values()
        )


def test_a_build_without_changes_does_not_write_the_records_again(
    mini: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    kept_build(mini, tmp_path / "cold", cache)
    before = {name: (cache / name).stat().st_mtime_ns for name in (CARDS, EVENTS)}
    (mini / "content/kenniscafes/2030-06-01-toekomst.md").unlink()  # a list page changes
    kept_build(mini, tmp_path / "one", cache)
    middle = {name: (cache / name).stat().st_mtime_ns for name in (CARDS, EVENTS)}
    kept_build(mini, tmp_path / "two", cache)
    after = {name: (cache / name).stat().st_mtime_ns for name in (CARDS, EVENTS)}
    assert middle != before  # the deleted cafe's parts went
    assert after == middle


def test_a_build_without_cache_in_the_same_session_keeps_no_parts(
    mini: Path, tmp_path: Path
) -> None:
    """Was a hole (API only): the parts of a first build stayed on the session and a
    second build without --cache showed its cards."""
    with session.active(session.Session()) as run:
        cached_build(mini, tmp_path / "one", tmp_path / "cache", search=False)
        retitle(mini / "content/werkplaatsen/amsterdam.md", "Werkplaats Groot-Amsterdam")
        cached_build(mini, tmp_path / "two", None, search=False)
        assert run.parts is None
    cached_build(mini, tmp_path / "clean", None, search=False)
    assert files_of(tmp_path / "two") == files_of(tmp_path / "clean")
