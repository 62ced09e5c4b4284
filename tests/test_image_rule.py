"""One image rule, originals without camera data, links that lead somewhere, and ids in
a body that never collide with the page's own (issue 19, points 2, 4 and 9).

Each attack is a body or a file that today's build let through with exit 0.
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TODAY, Run, mini_with_image_folder, page
from PIL import Image

from wsdgen.body import markup

CAFE = "content/kenniscafes/2018-03-01-wijkteams.md"
CAFE_PAGE = "/kenniscafes/2018-03-01-wijkteams/"
IMAGE_LINE = 9  # "Tekst." on line 7, an empty line, then the image
PROBLEM = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+): (?P<kind>error|warning): (?P<msg>.*)$")
THEME_TEMPLATES = Path(markup.__file__).parent / "theme" / "templates"


def jpeg(width: int = 1200, height: int = 800, exif: Image.Exif | None = None) -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", (width, height), (200, 80, 40))
    picture.save(out, "JPEG", exif=exif if exif is not None else Image.Exif())
    return out.getvalue()


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "Telefoonmerk"
    exif.get_ifd(0x8825)[2] = (52.0, 5.0, 0.0)  # GPSLatitude
    return exif


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def pixel_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG whose header claims 900 megapixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + png_chunk(b"IEND", b"")
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = mini_with_image_folder(tmp_path)
    (target / "assets/afbeeldingen/ok.jpg").write_bytes(jpeg())
    return target


def set_body(site: Path, body: str) -> None:
    path = site / CAFE
    head, _, _ = path.read_text(encoding="utf-8").rpartition("---\n")
    path.write_text(f"{head}---\n{body}", encoding="utf-8")


def build(run: Callable[..., Run], site: Path, out: Path, *extra: str) -> Run:
    return run("build", "--site", str(site), "--out", str(out), "--today", TODAY, *extra)


def problems(result: Run, kind: str = "error") -> list[tuple[str, int, str]]:
    found = []
    for line in result.err.splitlines():
        match = PROBLEM.match(line)
        if match and match["kind"] == kind:
            found.append((match["path"], int(match["line"]), match["msg"]))
    return found


# 1. The one image rule -------------------------------------------------------------

WRITINGS = {
    "raw": '<img src="{src}" alt="Iets">',
    "raw-upper": "<IMG SRC={src} ALT=Iets>",
    "raw-spaced": "<img\n  alt = 'Iets'\n  src = '{src}' >",
    "reference": "![Iets][b]\n\n[b]: {src}",
    "reference-implicit": "![Iets]\n\n[Iets]: <{src}>",
    "attr-list": '![Iets](/assets/afbeeldingen/ok.jpg){{: src="{src}" }}',
}
ATTACKS = {
    "pixel-bomb": ("bom.png", pixel_bomb(), "megapixel"),
    "missing": (None, b"", "bestaat niet"),
    "not-an-image": ("rapport.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "kan niet gebruikt"),
}


@pytest.mark.parametrize("writing", WRITINGS)
@pytest.mark.parametrize("attack", ATTACKS)
def test_every_way_of_writing_an_image_gets_the_image_rule(
    run: Callable[..., Run], site: Path, tmp_path: Path, writing: str, attack: str
) -> None:
    name, data, reason = ATTACKS[attack]
    if name is not None:
        (site / "assets/afbeeldingen" / name).write_bytes(data)
    src = f"/assets/afbeeldingen/{name or 'weg.jpg'}"
    image = WRITINGS[writing].format(src=src)
    set_body(site, f"Tekst.\n\n{image}\n")
    result = build(run, site, tmp_path / "public")
    assert result.code == 1, result.err
    found = [(path, line, msg) for path, line, msg in problems(result) if path == CAFE]
    assert found, result.err
    [(_, line, message)] = found
    assert message.startswith("body: ") and reason in message, message
    assert src in message
    written = f"Tekst.\n\n{image}\n".split("\n")
    expected = 7 + next(i for i, text in enumerate(written) if src in text)
    assert line == expected


@pytest.mark.parametrize(
    "image",
    [
        '<img src="/assets/afbeeldingen/ok.jpg">',
        "<IMG SRC=/assets/afbeeldingen/ok.jpg>",
        "![][b]\n\n[b]: /assets/afbeeldingen/ok.jpg",
        "![](/assets/afbeeldingen/ok.jpg)",
        "![   ](/assets/afbeeldingen/ok.jpg)",
        '<img src="/assets/afbeeldingen/ok.jpg" alt="  ">',
    ],
)
def test_an_image_without_alt_text_is_an_error_however_written(
    run: Callable[..., Run], site: Path, tmp_path: Path, image: str
) -> None:
    set_body(site, f"Tekst.\n\n{image}\n")
    result = build(run, site, tmp_path / "public")
    assert result.code == 1
    [(path, line, message)] = problems(result)
    assert (path, message[:6]) == (CAFE, "body: ")
    assert "geen beschrijving" in message and 'alt=""' in message
    assert line in (IMAGE_LINE, IMAGE_LINE + 2)


def test_explicit_empty_alt_marks_a_decorative_image(
    run: Callable[..., Run], site: Path, tmp_path: Path
) -> None:
    set_body(site, 'Tekst.\n\n<img src="/assets/afbeeldingen/ok.jpg" alt="">\n')
    out = tmp_path / "public"
    result = build(run, site, out)
    assert result.code == 0, result.err
    [image] = page(out, CAFE_PAGE).select("main .prose img")
    assert image["alt"] == "" and image.find_parent("picture") is not None


@pytest.mark.parametrize("writing", ["raw", "raw-upper", "reference", "attr-list"])
def test_every_body_image_is_shown_through_its_checked_variants(
    run: Callable[..., Run], site: Path, tmp_path: Path, writing: str
) -> None:
    (site / "assets/afbeeldingen/zaal.jpg").write_bytes(jpeg(900, 600))
    image = WRITINGS[writing].format(src="/assets/afbeeldingen/zaal.jpg")
    set_body(site, f"Tekst.\n\n{image}\n")
    out = tmp_path / "public"
    result = build(run, site, out)
    assert result.code == 0, result.err
    images = page(out, CAFE_PAGE).select("main .prose img")
    assert images
    for found in images:
        assert found["src"].startswith("/assets/beeld/"), found
        assert found.find_parent("picture") is not None
        assert found["alt"] == "Iets"


def test_a_relative_image_path_is_an_error(
    run: Callable[..., Run], site: Path, tmp_path: Path
) -> None:
    set_body(site, 'Tekst.\n\n<img src="../assets/afbeeldingen/ok.jpg" alt="Iets">\n')
    result = build(run, site, tmp_path / "public")
    assert result.code == 1
    [(path, line, message)] = problems(result)
    assert (path, line) == (CAFE, IMAGE_LINE) and "volledig pad" in message


def test_an_image_in_a_code_block_is_text(
    run: Callable[..., Run], site: Path, tmp_path: Path
) -> None:
    set_body(site, "Tekst.\n\n    <img src=/assets/afbeeldingen/weg.jpg>\n\n`![](/weg.png)`\n")
    assert build(run, site, tmp_path / "public").code == 0


def test_a_cached_build_checks_body_images_and_gives_the_same_site(
    run: Callable[..., Run], site: Path, tmp_path: Path
) -> None:
    set_body(site, "Tekst.\n\n![Iets][b]\n\n[b]: /assets/afbeeldingen/ok.jpg\n")
    cache = tmp_path / "cache"
    first, second = tmp_path / "een", tmp_path / "twee"
    assert build(run, site, first, "--cache", str(cache)).code == 0
    assert build(run, site, second, "--cache", str(cache)).code == 0
    assert (first / "kenniscafes/2018-03-01-wijkteams/index.html").read_bytes() == (
        second / "kenniscafes/2018-03-01-wijkteams/index.html"
    ).read_bytes()
    set_body(site, "Tekst.\n\n![Iets][b]\n\n[b]: /assets/afbeeldingen/weg.jpg\n")
    broken = build(run, site, tmp_path / "drie", "--cache", str(cache))
    assert broken.code == 1 and "weg.jpg bestaat niet" in broken.err


# 2. Originals of photographs ---------------------------------------------------------


def with_metadata(kind: str) -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", (640, 480), (10, 120, 200))
    if kind == "jpeg":
        picture.save(out, "JPEG", exif=gps_exif(), comment=b"Thuis, Dorpsstraat 1")
    elif kind == "png":
        from PIL.PngImagePlugin import PngInfo

        info = PngInfo()
        info.add_text("Location", "Thuis, Dorpsstraat 1")
        info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>GPS</x:xmpmeta>")
        picture.save(out, "PNG", pnginfo=info, exif=gps_exif())
    elif kind == "webp":
        picture.save(out, "WEBP", exif=gps_exif(), xmp=b"<x:xmpmeta>GPS</x:xmpmeta>")
    else:
        picture.convert("P").save(out, "GIF", comment=b"Thuis, Dorpsstraat 1")
    return out.getvalue()


def assert_no_metadata(file: Path) -> None:
    data = file.read_bytes()
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        assert not opened.getexif(), file
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "comment", "Location", "photoshop"):
            assert key not in opened.info, (file, key)
    for secret in (b"Telefoonmerk", b"Dorpsstraat", b"xmpmeta"):
        assert secret not in data, (file, secret)


@pytest.mark.parametrize(
    ("kind", "suffix"), [("jpeg", "jpg"), ("png", "png"), ("webp", "webp"), ("gif", "gif")]
)
def test_no_published_image_keeps_camera_data_originals_included(
    run: Callable[..., Run], site: Path, tmp_path: Path, kind: str, suffix: str
) -> None:
    original = with_metadata(kind)
    (site / f"assets/afbeeldingen/foto.{suffix}").write_bytes(original)
    (site / "assets/afbeeldingen/los.jpg").write_bytes(with_metadata("jpeg"))  # used nowhere
    set_body(site, f"Tekst.\n\n![Iets](/assets/afbeeldingen/foto.{suffix})\n")
    out = tmp_path / "public"
    result = build(run, site, out)
    assert result.code == 0, result.err
    published = out / f"assets/afbeeldingen/foto.{suffix}"
    assert published.is_file()  # a link to the original keeps working
    with Image.open(published) as opened, Image.open(io.BytesIO(original)) as before:
        assert opened.size == before.size
    files = [
        file
        for file in out.rglob("*")
        if file.suffix.lower() in (".jpg", ".jpeg", ".png", ".webp", ".gif")
        and "beheer" not in file.parts
    ]
    assert any(file.name == "los.jpg" for file in files)
    for file in files:
        assert_no_metadata(file)


def test_a_turned_photo_is_published_upright_without_exif(
    run: Callable[..., Run], site: Path, tmp_path: Path
) -> None:
    (site / "assets/afbeeldingen/staand.jpg").write_bytes(jpeg(600, 400, gps_exif(6)))
    out = tmp_path / "public"
    assert build(run, site, out).code == 0
    published = out / "assets/afbeeldingen/staand.jpg"
    with Image.open(published) as opened:
        assert opened.size == (400, 600)
    assert_no_metadata(published)


def test_a_clean_original_is_published_as_it_is(
    run: Callable[..., Run], site: Path, tmp_path: Path
) -> None:
    clean = io.BytesIO()
    Image.new("RGB", (300, 200), (1, 2, 3)).save(clean, "PNG")
    (site / "assets/afbeeldingen/schoon.png").write_bytes(clean.getvalue())
    out = tmp_path / "public"
    assert build(run, site, out).code == 0
    assert (out / "assets/afbeeldingen/schoon.png").read_bytes() == clean.getvalue()


# 3. Links ---------------------------------------------------------------------------


def test_links_to_pages_and_files_that_do_not_exist_are_warnings_and_strict_errors(
    run: Callable[..., Run], site: Path, tmp_path: Path
) -> None:
    set_body(
        site,
        "Tekst.\n\n[x](/werkplaatsen/bestaat-niet/)\n\n"
        "Zie [het rapport](/assets/publicaties/weg.pdf).\n\n"
        '<a href="/themas/geen-thema/#deel">y</a>\n',
    )
    result = build(run, site, tmp_path / "public")
    assert result.code == 0, result.err
    found = problems(result, "warning")
    assert (CAFE, 9) in {(path, line) for path, line, _ in found}
    messages = {line: msg for path, line, msg in found if path == CAFE}
    assert "link naar een pagina die niet bestaat" in messages[9]
    assert "/werkplaatsen/bestaat-niet/" in messages[9]
    assert "link naar een bestand dat niet bestaat" in messages[11]
    assert "/themas/geen-thema/" in messages[13]
    strict = build(run, site, tmp_path / "streng", "--strict")
    assert strict.code == 1
    assert {line for path, line, _ in problems(strict) if path == CAFE} == {9, 11, 13}


def test_links_to_what_exists_are_fine(run: Callable[..., Run], site: Path, tmp_path: Path) -> None:
    links = [
        "/werkplaatsen/amsterdam/",
        "/werkplaatsen/amsterdam",
        "/werkplaatsen/amsterdam/index.html",
        "/werkplaatsen/amsterdam/#themas-kop",
        "/kenniscafes/?jaar=2018",
        "/",
        "/nieuws/atom.xml",
        "/kenniscafes/agenda.ics",
        "/assets/publicaties/rapport.pdf",
        "/assets/afbeeldingen/ok.jpg",
        "/assets/css/style.css",
        "/actueel/nieuwsberichten/kenniscafe-schulden/",
        "/over-ons/",
        "#boven",
        "elders/relatief/",
        "https://example.org/bestaat-niet/",
        "mailto:info@example.org",
    ]
    body = "\n\n".join(f"[link {n}]({link})" for n, link in enumerate(links))
    body += '\n\n<a href="/werkplaatsen/rotterdam/">r</a>\n\n[ref]: /themas/armoede/\n'
    body += "\n```\n[in code](/bestaat-niet/)\n```\n\n`[ook](/niet/)`\n"
    set_body(site, body)
    result = build(run, site, tmp_path / "public", "--strict")
    assert result.code == 0, result.err


# 4. Ids in a body -------------------------------------------------------------------


def test_ids_in_a_body_never_collide_with_the_page(
    run: Callable[..., Run], site: Path, tmp_path: Path
) -> None:
    set_body(
        site,
        'Tekst.\n\n## Inhoud\n\nA\n\n<h2 id="inhoud">Nog eens</h2>\n\n'
        '<h3 id="zoekterm">Zoekterm</h3>\n\n## Komend kop\n\n<h2 id="tekst-inhoud">X</h2>\n',
    )
    out = tmp_path / "public"
    result = build(run, site, out)
    assert result.code == 0, result.err
    soup = page(out, CAFE_PAGE)
    ids = [element["id"] for element in soup.select("[id]")]
    assert len(ids) == len(set(ids)), ids
    skip = soup.select_one('a[href="#inhoud"]')
    assert skip is not None
    assert soup.find(id="inhoud").name == "main"
    assert soup.find(id="zoekterm").name == "input"
    headings = [h["id"] for h in soup.select("main .prose [id]")]
    assert all(not markup.is_page_id(value) for value in headings), headings


def test_every_id_the_theme_uses_is_kept_apart_from_bodies() -> None:
    for template in THEME_TEMPLATES.rglob("*.html"):
        for value in re.findall(r'\bid="([^"]*)"', template.read_text(encoding="utf-8")):
            sample = re.sub(r"\{\{.*?\}\}", "x", value)
            assert markup.is_page_id(sample), (template.name, value)


@pytest.mark.parametrize(
    "body",
    [
        '## Inhoud\n\n<h2 id="inhoud">a</h2>\n\n<h2 id="tekst-inhoud">b</h2>\n\n## Inhoud',
        '<h2 id="jaar-2020">a</h2><h3 id="jaar-2020">b</h3><h4 id="tekst-jaar-2020-2">c</h4>',
        "## Komend kop\n\n## Komend kop\n\n## Tekst komend kop",
    ],
)
def test_sanitising_a_body_again_changes_nothing(body: str) -> None:
    """The --cache folder's bodies are used only when sanitising leaves them as they are."""
    html = markup.render_markdown(body)
    assert markup.sanitise(html) == html
    ids = re.findall(r'id="([^"]*)"', html)
    assert len(ids) == len(set(ids)) and not any(markup.is_page_id(value) for value in ids)
