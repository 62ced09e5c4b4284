"""Images and PDF reports in a built site: one test per rule of the media stage.

Images: variants (WebP and the original format) with srcset, sizes, width and height,
lazy below the fold, no metadata, orientation applied, og:image; alt text required
(empty only when decorative); broken, fake, huge and missing files are Dutch errors on
the editor's file and field; variants are cached under --cache. PDFs: the link label,
the text in the search index, the accessibility warnings, damaged files; links into
the site's own host that the new site will not serve.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from browsing import serving
from conftest import SITES, TODAY, mini_with_image_folder, page
from PIL import Image
from test_pdfs import make_pdf
from test_reflow import browser  # noqa: F401 - shared fixture

from wsdgen.diagnostics import Severity
from wsdgen.pipeline import BuildOptions, BuildResult, build

CAFE = "content/kenniscafes/2018-03-01-wijkteams.md"
CAFE_PAGE = "/kenniscafes/2018-03-01-wijkteams/"
PUBLICATION = "content/publicaties/armoede-rapport.md"


def jpeg(width: int = 2000, height: int = 1000, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", (width, height), (200, 80, 40))
    picture.save(out, "JPEG", exif=exif if exif is not None else Image.Exif())
    return out.getvalue()


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "Telefoonmerk"  # Make
    exif.get_ifd(0x8825)[2] = (52.0, 5.0, 0.0)  # GPSLatitude
    return exif


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return mini_with_image_folder(tmp_path)


def add_asset(site: Path, name: str, data: bytes) -> None:
    path = site / "assets" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def set_fields(site: Path, file: str, lines: str, body: str | None = None) -> None:
    """Add front-matter lines to an entry (after its first line), optionally a body."""
    path = site / file
    text = path.read_text(encoding="utf-8")
    head, rest = text.split("\n", 1)
    text = f"{head}\n{lines}{rest}"
    if body is not None:
        front, _ = text.rsplit("---\n", 1)
        text = front + "---\n" + body
    path.write_text(text, encoding="utf-8")


def built(site: Path, out: Path, cache: Path | None = None) -> BuildResult:
    from wsdgen.cache.bodycache import DiskCache

    options = BuildOptions(site_dir=site, out=str(out), today=dt.date.fromisoformat(TODAY))
    return build(options, body_cache=DiskCache(cache) if cache else None)


def errors(result: BuildResult) -> list[tuple[str, int, str | None, str]]:
    return [
        (d.path, d.line, d.field, d.message)
        for d in result.diagnostics
        if d.severity is Severity.ERROR
    ]


def test_an_entry_image_becomes_responsive_variants(site: Path, tmp_path: Path) -> None:
    add_asset(site, "afbeeldingen/wijk.jpg", jpeg())
    set_fields(
        site, CAFE, "afbeelding: /assets/afbeeldingen/wijk.jpg\nafbeelding_alt: Een wijkteam\n"
    )
    out = tmp_path / "public"
    result = built(site, out)
    assert result.exit_code == 0, errors(result)
    soup = page(out, CAFE_PAGE)
    picture = soup.select_one("main figure picture")
    image, source = picture.img, picture.source
    assert image["alt"] == "Een wijkteam"
    assert (image["width"], image["height"]) == ("1600", "800")
    assert "loading" not in image.attrs  # at the top of the page: not lazy
    assert source["type"] == "image/webp"
    widths = [int(part.split()[1].rstrip("w")) for part in source["srcset"].split(", ")]
    assert widths == [480, 800, 1200, 1600]
    assert image["sizes"] and source["sizes"]
    for candidate in [*source["srcset"].split(", "), *image["srcset"].split(", ")]:
        url = candidate.split()[0]
        assert url.startswith("/assets/beeld/wijk-")
        assert (out / url.lstrip("/")).is_file()
    og = soup.find("meta", property="og:image")["content"]
    assert og.startswith("https://example.org/assets/beeld/wijk-") and og.endswith("-1600.jpg")
    assert soup.find("meta", property="og:image:alt")["content"] == "Een wijkteam"


def test_variants_carry_no_metadata_and_are_turned_upright(site: Path, tmp_path: Path) -> None:
    # Orientation 6: the camera was turned; the picture is 1000 wide and 2000 high.
    add_asset(site, "afbeeldingen/telefoon.jpg", jpeg(2000, 1000, gps_exif(orientation=6)))
    set_fields(
        site,
        CAFE,
        "afbeelding: /assets/afbeeldingen/telefoon.jpg\nafbeelding_alt: Een foto\n",
    )
    out = tmp_path / "public"
    assert built(site, out).exit_code == 0
    variants = sorted((out / "assets/beeld").iterdir())
    assert variants
    for variant in variants:
        data = variant.read_bytes()
        with Image.open(io.BytesIO(data)) as opened:
            assert not opened.getexif(), variant.name
            assert opened.height > opened.width, variant.name
        assert b"Telefoonmerk" not in data and b"GPS" not in data
    image = page(out, CAFE_PAGE).select_one("main figure img")
    assert int(image["height"]) > int(image["width"])


def test_body_images_get_variants_and_load_lazily(site: Path, tmp_path: Path) -> None:
    add_asset(site, "afbeeldingen/zaal.png", jpeg(900, 600))
    set_fields(
        site, CAFE, "", body="Verslag.\n\n![De zaal vol mensen](/assets/afbeeldingen/zaal.png)\n"
    )
    out = tmp_path / "public"
    result = built(site, out)
    assert result.exit_code == 0, errors(result)
    image = page(out, CAFE_PAGE).select_one("main .prose picture img")
    assert image["alt"] == "De zaal vol mensen"
    assert image["loading"] == "lazy"
    assert (image["width"], image["height"]) == ("900", "600")


def test_an_image_without_alt_text_is_an_error(site: Path, tmp_path: Path) -> None:
    add_asset(site, "afbeeldingen/wijk.jpg", jpeg())
    set_fields(site, CAFE, "afbeelding: /assets/afbeeldingen/wijk.jpg\n")
    result = built(site, tmp_path / "public")
    assert result.exit_code == 1
    [(path, line, field, message)] = errors(result)
    assert (path, line, field) == (CAFE, 2, "afbeelding_alt")
    assert "afbeelding_decoratief: ja" in message  # says how to mark a decorative image


def test_a_decorative_image_may_have_empty_alt(site: Path, tmp_path: Path) -> None:
    add_asset(site, "afbeeldingen/lijn.png", jpeg(600, 40))
    set_fields(site, CAFE, 'afbeelding: /assets/afbeeldingen/lijn.png\nafbeelding_alt: ""\n')
    out = tmp_path / "public"
    assert built(site, out).exit_code == 0
    image = page(out, CAFE_PAGE).select_one("main figure img")
    assert image["alt"] == ""


def test_a_body_image_without_description_is_an_error(site: Path, tmp_path: Path) -> None:
    add_asset(site, "afbeeldingen/zaal.jpg", jpeg(900, 600))
    set_fields(site, CAFE, "", body="Verslag.\n\n![](/assets/afbeeldingen/zaal.jpg)\n")
    result = built(site, tmp_path / "public")
    [(path, line, field, message)] = errors(result)
    assert (path, field) == (CAFE, "body")
    assert line == 9  # the line of the image in the file
    assert "geen beschrijving" in message


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("kapot.jpg", jpeg()[:400], "beschadigd"),
        ("tekst.jpg", b"Dit is geen afbeelding maar tekst.\n" * 10, "geen afbeelding"),
        ("groot.png", b"\x89PNG\r\n\x1a\n" + bytes(16 * 1024 * 1024), "te groot"),
    ],
    ids=["corrupt", "not-an-image", "oversized"],
)
def test_unusable_image_files_are_errors_naming_file_and_field(
    site: Path, tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    add_asset(site, f"afbeeldingen/{name}", data)
    set_fields(site, CAFE, f"afbeelding: /assets/afbeeldingen/{name}\nafbeelding_alt: Iets\n")
    result = built(site, tmp_path / "public")
    assert result.exit_code == 1
    # Bytes that are no image at all are refused on the file by the allow-list
    # (media/assets.py), which then leaves it out; the use is an error either way.
    found = errors(result)
    at_file = [p for p in found if p[0] == f"assets/afbeeldingen/{name}"]
    [(path, line, field, message)] = [p for p in found if p not in at_file]
    assert (path, line, field) == (CAFE, 2, "afbeelding")
    assert f"/assets/afbeeldingen/{name}" in message
    assert reason in (at_file[0][3] if at_file else message)


def test_a_decompression_bomb_is_refused(site: Path, tmp_path: Path) -> None:
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG", optimize=True)
    add_asset(site, "afbeeldingen/bom.png", out.getvalue())
    set_fields(site, CAFE, "afbeelding: /assets/afbeeldingen/bom.png\nafbeelding_alt: Iets\n")
    result = built(site, tmp_path / "public")
    [(_, _, field, message)] = errors(result)
    assert field == "afbeelding" and "megapixel" in message


def test_a_missing_image_or_a_wrong_kind_of_file_is_an_error(site: Path, tmp_path: Path) -> None:
    set_fields(site, CAFE, "afbeelding: /assets/afbeeldingen/weg.jpg\nafbeelding_alt: Iets\n")
    result = built(site, tmp_path / "public")
    [(_, _, field, message)] = errors(result)
    assert field == "afbeelding" and "bestaat niet" in message
    set_fields(site, CAFE, "afbeelding: /assets/publicaties/rapport.pdf\n")
    result = built(site, tmp_path / "public2")
    assert any("geen JPG-, PNG-, WebP- of GIF-bestand" in e[3] for e in errors(result))


def test_variants_are_cached_by_content(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wsdgen.media.images as images

    add_asset(site, "afbeeldingen/wijk.jpg", jpeg())
    set_fields(
        site, CAFE, "afbeelding: /assets/afbeeldingen/wijk.jpg\nafbeelding_alt: Een wijkteam\n"
    )
    cache = tmp_path / "cache"
    first, second = tmp_path / "first", tmp_path / "second"
    assert built(site, first, cache).exit_code == 0
    encoded: list[str] = []
    original = images._encode
    monkeypatch.setattr(images, "_encode", lambda im, fmt: encoded.append(fmt) or original(im, fmt))
    assert built(site, second, cache).exit_code == 0
    assert encoded == []
    names = sorted(p.name for p in (first / "assets/beeld").iterdir())
    assert names == sorted(p.name for p in (second / "assets/beeld").iterdir())
    for name in names:
        assert (first / "assets/beeld" / name).read_bytes() == (
            second / "assets/beeld" / name
        ).read_bytes()


def test_a_pdf_report_shows_its_size_and_its_text_is_indexed(site: Path, tmp_path: Path) -> None:
    add_asset(
        site,
        "publicaties/rapport.pdf",
        make_pdf(
            pages=24,
            title="Rapport over armoede",
            language="nl-NL",
            marked=True,
            struct_tree=True,
            text="Schuldhulp begint bij vertrouwen",
        ),
    )
    out = tmp_path / "public"
    result = built(site, out)
    assert result.exit_code == 0 and result.diagnostics == []
    soup = page(out, "/publicaties/armoede-rapport/")
    link = soup.find("a", href="/assets/publicaties/rapport.pdf")
    size = (site / "assets/publicaties/rapport.pdf").stat().st_size
    assert (
        link.select_one(".button-note").get_text() == f"(PDF, 24 pagina's, {round(size / 1000)} kB)"
    )
    hidden = soup.select_one("[data-pagefind-body] [hidden]:not([data-pagefind-ignore])")
    assert "Schuldhulp begint bij vertrouwen" in hidden.get_text()


def test_an_inaccessible_pdf_is_warned_about(site: Path, tmp_path: Path) -> None:
    add_asset(site, "publicaties/rapport.pdf", make_pdf(pages=2, text="Tekst"))
    result = built(site, tmp_path / "public")
    assert result.exit_code == 0
    warnings = [d for d in result.diagnostics if d.severity is Severity.WARNING]
    assert {(d.path, d.line, d.field) for d in warnings} == {(PUBLICATION, 8, "url")}
    messages = " ".join(d.message for d in warnings)
    assert "geen getagde PDF" in messages
    assert "geen documenttitel" in messages
    assert "geen documenttaal" in messages
    assert "assets/publicaties/rapport.pdf" in messages


def test_a_damaged_pdf_is_an_error(site: Path, tmp_path: Path) -> None:
    add_asset(site, "publicaties/rapport.pdf", make_pdf(pages=3)[:200])
    result = built(site, tmp_path / "public")
    [(path, line, field, _)] = errors(result)
    assert (path, line, field) == (PUBLICATION, 8, "url")


@pytest.mark.parametrize(
    ("url", "warned"),
    [
        ("https://example.org/sites/default/files/oud-rapport.pdf", True),
        ("https://EXAMPLE.org/kenniscafes/", False),  # the new site serves this page
        ("https://elders.example.net/rapport.pdf", False),
    ],
)
def test_a_link_into_the_own_host_that_the_site_will_not_serve_warns(
    site: Path, tmp_path: Path, url: str, warned: bool
) -> None:
    path = site / PUBLICATION
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("url: /assets/publicaties/rapport.pdf", f"url: {url}"))
    result = built(site, tmp_path / "public")
    assert result.exit_code == 0
    found = [d for d in result.diagnostics if "staat op deze site zelf" in d.message]
    assert bool(found) is warned
    if warned:
        assert (found[0].path, found[0].line, found[0].field) == (PUBLICATION, 8, "url")
        assert "/assets/publicaties/oud-rapport.pdf" in found[0].message


def test_a_phrase_from_inside_a_pdf_finds_its_publication(
    tmp_path: Path,
    browser: Any,  # noqa: F811
) -> None:
    """The mini site's report holds "Schuldhulp begint bij vertrouwen in de wijk"; only
    the PDF says "schuldhulp", so the search can only find the page through the PDF."""
    out = tmp_path / "public"
    assert built(SITES / "mini", out).exit_code == 0
    with serving(out) as url:
        tab = browser.new_page()
        tab.goto(url + "/zoeken/?q=schuldhulp")
        tab.locator(".pagefind-ui__result-link").first.wait_for(timeout=15000)
        links = tab.locator(".pagefind-ui__result-link").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        tab.close()
    assert links[0] == "/publicaties/armoede-rapport/"


def test_serve_keeps_the_variants_in_memory(site: Path) -> None:
    from wsdgen.incremental.rebuild import Rebuilder

    add_asset(site, "afbeeldingen/wijk.jpg", jpeg(1000, 500))
    set_fields(site, CAFE, "afbeelding: /assets/afbeeldingen/wijk.jpg\nafbeelding_alt: Wijk\n")
    options = BuildOptions(site_dir=site, today=dt.date.fromisoformat(TODAY), write=False)
    rebuilder = Rebuilder(options)
    assert rebuilder.rebuild().exit_code == 0
    variants = [name for name in rebuilder.outputs if name.startswith("assets/beeld/wijk-")]
    assert len(variants) == 6  # 480, 800 and 1000 wide, each as WebP and JPEG
    html = rebuilder.outputs["kenniscafes/2018-03-01-wijkteams/index.html"].decode()
    assert all(f"/{name} " in html or f'/{name}"' in html for name in variants)
    # A second rebuild without changes keeps them (and encodes nothing again).
    assert rebuilder.rebuild().exit_code == 0
    assert set(variants) <= set(rebuilder.outputs)
