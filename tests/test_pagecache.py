"""Builds with --cache render only what changed, and are byte for byte clean builds:
pages and the search bundle come from the cache only when their inputs are the same
and the signed record and the stored bytes check out; anything else is a miss."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import stat
import tempfile
from pathlib import Path

import pytest
from conftest import SITES, TODAY, with_template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_incremental import apply, edit

from wsdgen.cache import pagecache
from wsdgen.cache.bodycache import DiskCache
from wsdgen.pipeline import BuildOptions, BuildResult, build

CAFE = "content/kenniscafes/2017-04-14-schulden.md"


pytestmark = pytest.mark.usefixtures("signed_cache")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(SITES / "mini", target)
    return target


def cached_build(site: Path, out: Path, cache: Path | None, search: bool = True) -> BuildResult:
    options = BuildOptions(
        site_dir=site, out=str(out), today=dt.date.fromisoformat(TODAY), search_index=search
    )
    return build(options, body_cache=DiskCache(cache) if cache else None)


def files_of(root: Path, search: bool = True) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and (search or not p.relative_to(root).as_posix().startswith("pagefind/"))
    }


def test_a_warm_build_reuses_every_page_and_the_search_index(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = cached_build(site, tmp_path / "cold", cache)
    assert cold.exit_code == 0 and cold.reused == 0
    warm = cached_build(site, tmp_path / "warm", cache)
    assert warm.reused == warm.pages
    # Pagefind names its files differently on every run: equal bundles mean it was reused.
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "cold")


def test_after_an_edit_only_the_pages_that_show_it_are_made_again(
    site: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "one", cache)
    path = site / CAFE
    path.write_text(path.read_text(encoding="utf-8") + "\nEen nieuwe zin.\n", encoding="utf-8")
    warm = cached_build(site, tmp_path / "two", cache)
    assert cached_build(site, tmp_path / "clean", None).exit_code == 0
    assert 0 < warm.reused < warm.pages
    assert files_of(tmp_path / "two", search=False) == files_of(tmp_path / "clean", search=False)
    assert (tmp_path / "two/pagefind/pagefind-entry.json").is_file()


def test_a_tampered_cached_page_is_only_a_miss(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "one", cache)
    for stored in (cache / "pages/files").glob("*/*"):
        stored.write_bytes(b"<script>alert(1)</script>")
    warm = cached_build(site, tmp_path / "two", cache)
    assert warm.reused == 0
    assert files_of(tmp_path / "two", search=False) == files_of(tmp_path / "one", search=False)


def test_a_forged_record_is_ignored(site: Path, tmp_path: Path) -> None:
    """Someone who can write the cache folder (another CI run) but has not got the key
    writes a page of their own and a record that points at it."""
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "one", cache)
    record = cache / "pages/record.json"
    _, _, body = record.read_text(encoding="utf-8").partition("\n")
    data = json.loads(body)
    evil = b"<html><body><script>steel()</script></body></html>"
    sha = hashlib.sha256(evil).hexdigest()
    (cache / "pages/files" / sha[:2]).mkdir(parents=True, exist_ok=True)
    (cache / "pages/files" / sha[:2] / sha).write_bytes(evil)
    inputs, _ = data["pages"]["index.html"]
    data["pages"]["index.html"] = [inputs, sha]
    forged = json.dumps(data, sort_keys=True)
    record.write_text("0" * 64 + "\n" + forged, encoding="utf-8")
    warm = cached_build(site, tmp_path / "two", cache)
    assert warm.reused == 0
    assert b"steel()" not in (tmp_path / "two/index.html").read_bytes()
    # The same record, but signed with another key, counts no more.
    other = pagecache.sign(b"een-andere-sleutel", "record:pages", forged.encode())
    record.write_text(other + "\n" + forged, encoding="utf-8")
    again = cached_build(site, tmp_path / "three", cache)
    assert again.reused == 0
    assert b"steel()" not in (tmp_path / "three/index.html").read_bytes()


def test_without_a_key_nothing_is_reused(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WSDGEN_CACHE_KEY")
    blocked = tmp_path / "geen-map"
    blocked.write_text("een bestand, geen map", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "one", cache)
    warm = cached_build(site, tmp_path / "two", cache)
    assert warm.exit_code == 0 and warm.reused == 0


def test_the_key_file_is_made_once_and_private(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WSDGEN_CACHE_KEY")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "one", cache)
    key = tmp_path / "home-cache/wsdgen/key"
    assert key.stat().st_mode & 0o077 == 0
    assert cached_build(site, tmp_path / "two", cache).reused > 0


def test_zonder_zoekindex_writes_no_bundle(site: Path, tmp_path: Path, run) -> None:
    out = tmp_path / "voorbeeld"
    result = run("build", "--site", str(site), "--out", str(out), "--zonder-zoekindex")
    assert result.code == 0
    assert (out / "zoeken/index.html").is_file()
    assert not (out / "pagefind").exists()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(edit, min_size=1, max_size=5))
def test_cached_builds_equal_clean_builds_after_random_edits(steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        site = root / "site"
        shutil.copytree(SITES / "mini", site)
        cache = root / "cache"
        assert cached_build(site, root / "start", cache, search=False).exit_code == 0
        for number, step in enumerate(steps):
            apply(site, step)
            warm = cached_build(site, root / f"warm{number}", cache, search=False)
            clean = cached_build(site, root / f"clean{number}", None, search=False)
            assert warm.exit_code == clean.exit_code, step
            if clean.exit_code == 0:
                assert files_of(root / f"warm{number}") == files_of(root / f"clean{number}"), step


def test_a_cached_build_reads_only_the_bodies_of_the_pages_it_makes(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bodies of reused pages are neither rendered nor read from the cache; a body shown
    elsewhere (the feed shows the news item's text) is still there: a clean build."""
    from wsdgen.body.markup import body_key

    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "one", cache, search=False)
    news = site / "content/nieuws/2019-01-10-conferentie.md"
    news.write_text(news.read_text(encoding="utf-8") + "\nEen nieuwe zin.\n", encoding="utf-8")
    read: list[str] = []
    original = DiskCache._read_verified

    def counted(self: DiskCache, key: str) -> str | None:
        read.append(key)
        return original(self, key)

    monkeypatch.setattr(DiskCache, "_read_verified", counted)
    warm = cached_build(site, tmp_path / "two", cache, search=False)
    assert warm.exit_code == 0 and 0 < warm.reused < warm.pages
    report = (site / "content/publicaties/armoede-rapport.md").read_text(encoding="utf-8")
    assert body_key(report.split("---\n", 2)[2], "/") not in read
    assert cached_build(site, tmp_path / "clean", None, search=False).exit_code == 0
    assert files_of(tmp_path / "two", search=False) == files_of(tmp_path / "clean", search=False)
    # Against a build that makes every page (none in the cache): that reads every body.
    warm_reads = len(read)
    read.clear()
    shutil.rmtree(cache / "pages")
    assert cached_build(site, tmp_path / "three", cache, search=False).exit_code == 0
    assert 0 < warm_reads < len(read) / 2


@pytest.mark.parametrize("key", ["x", "kort-maar-niet-kort-genoeg-31tk"])
def test_a_short_cache_key_is_refused_in_dutch(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run, key: str
) -> None:
    """A key that can be guessed would let whoever writes the CI cache sign pages: the
    build stops before anything is read or written, and says how to make a good key."""
    assert len(key.encode()) < 32
    monkeypatch.setenv("WSDGEN_CACHE_KEY", key)
    result = run("build", "--site", str(site), "--cache", str(tmp_path / "cache"))
    assert result.code == 2
    assert f"WSDGEN_CACHE_KEY is te kort ({len(key)} tekens)" in result.err
    assert "secrets.token_urlsafe(32)" in result.err
    assert not (site / "public").exists() and not (tmp_path / "cache").exists()


def test_the_key_the_docs_tell_to_make_is_accepted(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import secrets

    monkeypatch.setenv("WSDGEN_CACHE_KEY", secrets.token_urlsafe(32))
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "one", cache)
    assert cached_build(site, tmp_path / "two", cache).reused > 0


def stored_files(cache: Path, store: str = "pages") -> dict[tuple[int, int], Path]:
    """A store's files (not its record) by (device, inode)."""
    found = {}
    for path in (cache / store).rglob("*"):
        if path.is_file() and "files" in path.relative_to(cache / store).parts:
            info = path.stat()
            found[(info.st_dev, info.st_ino)] = path
    return found


def test_reused_pages_are_hard_links_to_the_store_readable_by_all(
    site: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "cold", cache, search=False)
    warm = cached_build(site, tmp_path / "warm", cache, search=False)
    assert warm.reused == warm.pages
    stored = stored_files(cache)
    pages = [p for p in (tmp_path / "warm").rglob("*.html")]
    assert pages
    for page in pages:
        info = page.stat()
        assert (info.st_dev, info.st_ino) in stored, page
        assert info.st_mode & 0o444 == 0o444, page
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "cold")
    # Readable by all, as published pages are; written by nobody else.
    assert all(stat.S_IMODE(path.stat().st_mode) & 0o022 == 0 for path in stored.values())


def test_a_linked_page_changed_in_the_output_is_made_again_and_the_others_stay_right(
    site: Path, tmp_path: Path
) -> None:
    """The output and the store share the file: an edit of a published page in place
    changes the stored bytes too, whose hash then no longer matches: a miss, not a
    wrong page."""
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "cold", cache, search=False)
    cached_build(site, tmp_path / "warm", cache, search=False)
    with open(tmp_path / "warm" / "index.html", "ab") as handle:
        handle.write(b"<!-- ingevoegd -->")
    again = cached_build(site, tmp_path / "again", cache, search=False)
    assert again.reused == again.pages - 1
    assert files_of(tmp_path / "again") == files_of(tmp_path / "cold")


def test_a_reused_search_bundle_is_linked_and_an_edit_of_it_is_a_miss(
    site: Path, tmp_path: Path
) -> None:
    """The files of a reused bundle are hard links to the checked stored files, as
    reused pages are; one changed in the output in place changes the stored bytes,
    whose hash then fails: the next build indexes that part again."""
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "cold", cache)
    cached_build(site, tmp_path / "warm", cache)
    stored = stored_files(cache, "search")
    bundle = [p for p in (tmp_path / "warm" / "pagefind").rglob("*") if p.is_file()]
    linked = [p for p in bundle if (p.stat().st_dev, p.stat().st_ino) in stored]
    assert linked and len(linked) == len(bundle) - 1  # all but the manifest of the parts
    assert all(p.stat().st_mode & 0o444 == 0o444 for p in linked)
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "cold")
    with open(linked[0], "ab") as handle:
        handle.write(b"\0")
    cached_build(site, tmp_path / "again", cache)
    again = [p for p in (tmp_path / "again" / "pagefind").rglob("*") if p.is_file()]
    assert files_of(tmp_path / "again", search=False) == files_of(tmp_path / "cold", search=False)
    assert not any(p.read_bytes().endswith(b"\0") and p.name == linked[0].name for p in again)


def test_when_a_link_cannot_be_made_the_page_is_written(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "cold", cache, search=False)

    def other_file_system(*args: object, **kwargs: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr("wsdgen.publish.output.os.link", other_file_system)
    warm = cached_build(site, tmp_path / "warm", cache, search=False)
    assert warm.reused == warm.pages
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "cold")
    stored = stored_files(cache)
    assert all(
        (p.stat().st_dev, p.stat().st_ino) not in stored
        for p in (tmp_path / "warm").rglob("*.html")
    )


def test_a_stored_file_swapped_after_it_was_checked_is_not_linked(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the check of a stored file and the link to it, another file takes its
    name (not the one whose bytes were checked): the link is undone, the bytes written."""
    from wsdgen.publish import output

    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "cold", cache, search=False)
    real_link = output.link_stored

    def swap_then_link(stored, target):  # type: ignore[no-untyped-def]
        evil = stored.path.with_name("evil")
        evil.write_bytes(b"<p>iets anders</p>")
        evil.chmod(0o644)
        evil.replace(stored.path)
        return real_link(stored, target)

    monkeypatch.setattr(output, "link_stored", swap_then_link)
    cached_build(site, tmp_path / "warm", cache, search=False)
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "cold")


def test_an_edited_card_template_renders_the_pages_with_that_card_again(
    site: Path, tmp_path: Path
) -> None:
    """Was a hole: a card partial, reached only through ``fragment(...)``, was not in the
    digest of the pages that show it; a warm build kept the old cards."""
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "cold", cache, search=False)
    card = site / "templates/partials/kenniscafe-card.html"
    card.parent.mkdir(parents=True)
    theme = Path(__file__).parent.parent / "wsdgen/theme/templates/partials/kenniscafe-card.html"
    card.write_text(theme.read_text(encoding="utf-8").replace('class="', 'class="kaart-x ', 1))
    warm = cached_build(site, tmp_path / "warm", cache, search=False)
    clean = cached_build(site, tmp_path / "clean", None, search=False)
    assert warm.reused < warm.pages
    assert any(b"kaart-x" in data for data in files_of(tmp_path / "clean").values())
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "clean")
    assert clean.exit_code == 0


def test_one_signature_names_its_purpose_and_its_parts() -> None:
    """Every cache file is signed by pagecache.sign: a signature made for one purpose,
    or for another split of the same bytes, is not valid for another."""
    key = b"k" * 32
    made = pagecache.sign(key, "body", b"ab", b"c")
    assert pagecache.signed_by(key, made, "body", b"ab", b"c")
    assert pagecache.signed_by(key, made.encode(), "body", b"ab", b"c")
    assert not pagecache.signed_by(key, made, "body", b"a", b"bc")
    assert not pagecache.signed_by(key, made, "template-code", b"ab", b"c")
    assert not pagecache.signed_by(b"x" * 32, made, "body", b"ab", b"c")


def test_a_record_copied_to_another_store_is_not_ours(site: Path, tmp_path: Path) -> None:
    """A signed page record put in the search store's place (both are signed with the
    same key) does not count there: each record signs for its own store."""
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "cold", cache)
    pages = pagecache.SignedStore(cache / "pages", pagecache.cache_key(), root=cache)
    assert pages.load_record() is not None
    search = next((cache / "search").rglob("record.json")).parent
    shutil.copyfile(cache / "pages" / "record.json", search / "record.json")
    store = pagecache.SignedStore(search, pagecache.cache_key(), root=cache)
    assert store.load_record() is None


# Holes an adversarial pass found in what a warm build compares (each failed before).


def assert_warm_is_clean(site: Path, tmp_path: Path, cache: Path, file: str, shown: bytes) -> None:
    """After an edit: a warm build equals a clean one, which shows the edit in ``file``."""
    cached_build(site, tmp_path / "warm", cache, search=False)
    cached_build(site, tmp_path / "clean", None, search=False)
    clean = files_of(tmp_path / "clean")
    assert shown in clean[file]
    assert files_of(tmp_path / "warm") == clean


def test_a_report_edited_without_changing_its_length_is_seen(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "cold", cache, search=False)
    pdf = site / "assets/publicaties/rapport.pdf"
    pdf.write_bytes(pdf.read_bytes().replace(b"Schuldhulp begint", b"Schuldhulq begint"))
    assert_warm_is_clean(
        site, tmp_path, cache, "publicaties/armoede-rapport/index.html", b"Schuldhulq"
    )


def test_two_images_swapped_show_their_own_pictures(site: Path, tmp_path: Path) -> None:
    from PIL import Image

    for name, size in (("een", (800, 600)), ("twee", (640, 900))):
        folder = site / "assets/afbeeldingen" / name
        folder.mkdir(parents=True)
        Image.new("RGB", size, (200, 30, 30)).save(folder / "foto.jpg", quality=80)
    for slug, name in (("amsterdam", "een"), ("rotterdam", "twee")):
        path = site / f"content/werkplaatsen/{slug}.md"
        head, _, rest = path.read_text(encoding="utf-8").partition("\n")
        fields = f"afbeelding: /assets/afbeeldingen/{name}/foto.jpg\nafbeelding_alt: Een foto\n"
        path.write_text(f"{head}\n{fields}{rest}", encoding="utf-8")
    cache = tmp_path / "cache"
    assert cached_build(site, tmp_path / "cold", cache, search=False).exit_code == 0
    one, two = (site / f"assets/afbeeldingen/{n}/foto.jpg" for n in ("een", "twee"))
    first = one.read_bytes()
    one.write_bytes(two.read_bytes())
    two.write_bytes(first)
    assert_warm_is_clean(site, tmp_path, cache, "werkplaatsen/amsterdam/index.html", b'width="640"')


def test_a_template_in_a_linked_folder_counts_for_a_computed_include(
    site: Path, tmp_path: Path
) -> None:
    extra = site / "extra"
    extra.mkdir()
    (extra / "x.html").write_text("EEN", encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates/gelinkt").symlink_to("../extra")
    theme = Path(__file__).parent.parent / "wsdgen/theme/templates/partials/kenniscafe-card.html"
    card = theme.read_text(encoding="utf-8").replace(
        "</li>", '{% include "gelinkt/" ~ "x.html" %}</li>'
    )
    with_template(site, "partials/kenniscafe-card.html", card)
    cache = tmp_path / "cache"
    assert cached_build(site, tmp_path / "cold", cache, search=False).exit_code == 0
    (extra / "x.html").write_text("TWEE", encoding="utf-8")
    assert_warm_is_clean(site, tmp_path, cache, "kenniscafes/index.html", b"TWEE")


def test_a_stored_page_others_may_write_is_copied_not_linked(site: Path, tmp_path: Path) -> None:
    """A published page that is a hard link to a file anyone may write could change
    after the build."""
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "cold", cache, search=False)
    for path in stored_files(cache).values():
        path.chmod(0o666)
    cached_build(site, tmp_path / "warm", cache, search=False)
    stored = stored_files(cache)
    for page in (tmp_path / "warm").rglob("*.html"):
        info = page.stat()
        assert (info.st_dev, info.st_ino) not in stored, page
        assert info.st_mode & 0o022 == 0, page
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "cold")
