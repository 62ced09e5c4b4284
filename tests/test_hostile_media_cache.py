"""The media stage and the --cache folder under attack.

Content, assets and everything in the cache folder come from strangers (a pull request,
or a cache that another CI run wrote). Each test plays one attack and asserts that the
build refuses it with a Dutch message on the right file (or, for the cache, that the
output is still that of a clean build), that it ends in seconds, and that nothing
outside the site or the cache folder was read, written or deleted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TODAY, mini_with_image_folder, page
from PIL import Image
from test_media import set_fields

from wsdgen.body.markup import body_key
from wsdgen.cache import pagecache
from wsdgen.cache.bodycache import DiskCache
from wsdgen.diagnostics import Severity
from wsdgen.media import images, pdfs
from wsdgen.pipeline import BuildOptions, BuildResult, build

CAFE = "content/kenniscafes/2018-03-01-wijkteams.md"
CAFE_PAGE = "/kenniscafes/2018-03-01-wijkteams/"
PUBLICATION = "content/publicaties/armoede-rapport.md"
KEY = "sleutel-van-de-tests-" + "y" * 40


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WSDGEN_CACHE_KEY", KEY)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return mini_with_image_folder(tmp_path)


# Helpers ---------------------------------------------------------------------------


def jpeg(
    width: int = 900, height: int = 600, colour: tuple[int, int, int] = (200, 80, 40)
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG")
    return out.getvalue()


def built(site: Path, out: Path, cache: Path | None = None, search: bool = False) -> BuildResult:
    options = BuildOptions(
        site_dir=site, out=str(out), today=dt.date.fromisoformat(TODAY), search_index=search
    )
    return build(options, body_cache=DiskCache(cache) if cache else None)


def problems(result: BuildResult, severity: Severity = Severity.ERROR) -> list[tuple]:
    return [
        (d.path, d.line, d.field, d.message) for d in result.diagnostics if d.severity is severity
    ]


def files_of(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith("pagefind/")
    }


def tree(root: Path) -> dict[str, bytes]:
    """Every file below root with its bytes (symlinks are not followed)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def edit_cafe(site: Path, sentence: str = "Een nieuwe zin.") -> None:
    path = site / CAFE
    path.write_text(path.read_text(encoding="utf-8") + f"\n{sentence}\n", encoding="utf-8")


def sign(body: str, key: str = KEY, store: str = "pages") -> str:
    """A record as a build with ``key`` writes it for ``store``."""
    return pagecache.sign(key.encode(), f"record:{store}", body.encode()) + "\n" + body


# A FIFO that was opened holds the build until it is released; a build that never opened
# one is much quicker than that, also on a slow CI machine.
RELEASE_SECONDS = 20
NO_HANG_SECONDS = 15


@pytest.fixture
def unblocker() -> Iterator[list[Path]]:
    """FIFOs put here are opened from the other end every RELEASE_SECONDS, so that code
    which (wrongly) opens one is released: the test then fails on the time it took,
    instead of hanging forever."""
    fifos: list[Path] = []
    stop = threading.Event()

    def release() -> None:
        while not stop.wait(RELEASE_SECONDS):
            for fifo in list(fifos):
                try:
                    descriptor = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
                except OSError:
                    continue
                os.close(descriptor)

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    yield fifos
    stop.set()
    thread.join()


# A. Files the media stage reads -------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["outside", "git-config", "fifo", "device", "folder-outside", "folder-git"]
)
@pytest.mark.parametrize("use", ["afbeelding", "body", "pdf"])
def test_links_and_special_files_under_assets_are_refused(
    site: Path, tmp_path: Path, kind: str, use: str
) -> None:
    secret = b"GEHEIM-TOKEN-7f3a9c"
    outside = tmp_path / "elders"
    outside.mkdir()
    name = "x.pdf" if use == "pdf" else "x.jpg"
    (outside / name).write_bytes(jpeg() + secret)
    (site / ".git").mkdir()
    (site / ".git" / name).write_bytes(jpeg() + secret)
    folder = site / ("assets/publicaties" if use == "pdf" else "assets/afbeeldingen")
    target = folder / name
    if kind == "outside":
        target.symlink_to(outside / name)
    elif kind == "git-config":
        target.symlink_to(site / ".git" / name)
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "device":
        target.symlink_to("/dev/zero")
    else:
        (folder / "map").symlink_to(outside if kind == "folder-outside" else site / ".git")
        target = folder / "map" / name
    address = "/" + target.relative_to(site).as_posix()
    if use == "afbeelding":
        set_fields(site, CAFE, f"afbeelding: {address}\nafbeelding_alt: Iets\n")
    elif use == "body":
        set_fields(site, CAFE, "", f"Tekst.\n\n![Iets]({address})\n")
    else:
        text = (site / PUBLICATION).read_text(encoding="utf-8")
        text = text.replace("/assets/publicaties/rapport.pdf", address)
        (site / PUBLICATION).write_text(text, encoding="utf-8")
    started = time.monotonic()
    out = tmp_path / "public"
    result = built(site, out)
    assert time.monotonic() - started < 30
    assert result.exit_code == 1
    shown = target.relative_to(site).as_posix()
    if kind.startswith("folder"):
        shown = shown.rsplit("/", 1)[0]
    assert any(path == shown for path, *_ in problems(result)), problems(result)
    assert not out.exists()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("/assets//afbeeldingen/a.jpg", "bestaat niet"),
        ("/assets/../config.yaml", "geen geldig pad"),
        ("assets/../../etc/passwd", "geen geldig pad"),
        ("/assets/%2e%2e/config.yaml", "geen JPG"),
        ("/assets/%2e%2e/a.jpg", "bestaat niet"),
        ("/assets/./afbeeldingen/a.jpg", "geen geldig pad"),
        ("/assets/afbeeldingen/A.JPG", "bestaat niet"),
        ("/assets\\\\afbeeldingen\\\\a.jpg", "geen afbeelding op de site"),
        ("/assets/afbeeldingen\\\\..\\\\..\\\\config.yaml", "geen geldig pad"),
        ("https://elders.nl/x.jpg", "geen afbeelding op de site"),
        ("data:image/png;base64,iVBORw0KGgo=", "geen afbeelding op de site"),
        ("//elders.nl/x.jpg", "geen afbeelding op de site"),
        ("/assets/afbeeldingen/a.jpg?x=1", "geen geldig pad"),
        ("/assets/afbeeldingen/a.svg", "geen JPG"),
    ],
)
def test_odd_spellings_of_afbeelding_are_errors(
    site: Path, tmp_path: Path, value: str, reason: str
) -> None:
    (site / "assets/afbeeldingen/a.jpg").write_bytes(jpeg())
    set_fields(site, CAFE, f'afbeelding: "{value}"\nafbeelding_alt: Iets\n')
    result = built(site, tmp_path / "public")
    assert result.exit_code == 1
    [(path, line, field, message)] = problems(result)
    assert (path, line, field) == (CAFE, 2, "afbeelding")
    assert reason in message


@pytest.mark.parametrize(
    "image",
    [
        "![Iets](/assets/../config.yaml)",
        "![Iets](/assets/%2e%2e/config.yaml)",
        "![Iets](/assets//afbeeldingen/a.jpg)",
        "![Iets](/assets/afbeeldingen/A.JPG)",
        "![Iets](/assets/afbeeldingen/a.svg)",
        "![Iets](//elders.nl/x.jpg)",
        "![Iets](\\\\elders.nl\\x.jpg)",
        "![Iets](https://elders.nl/x.jpg)",
        "![Iets](data:image/png;base64,iVBORw0KGgo=)",
        '<img src="//elders.nl/x.jpg" alt="Iets">',
        '<img src="&#47;&#47;elders.nl/x.jpg" alt="Iets">',
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="Iets">',
        '<img src="/assets/afbeeldingen/a.jpg" srcset="//elders.nl/x.jpg 2x" alt="Iets">',
    ],
)
def test_odd_body_images_are_errors_on_their_line(site: Path, tmp_path: Path, image: str) -> None:
    (site / "assets/afbeeldingen/a.jpg").write_bytes(jpeg())
    # A clean SVG (the allow-list of media/assets.py refuses one with a script by itself).
    (site / "assets/afbeeldingen/a.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    set_fields(site, CAFE, "", f"Tekst.\n\n{image}\n")
    result = built(site, tmp_path / "public")
    assert result.exit_code == 1
    found = problems(result)
    assert found and all(path == CAFE and line == 9 for path, line, *_ in found), found


@pytest.mark.parametrize(
    "image",
    [
        '<img src="/&#10;/elders.nl/x.jpg" alt="Iets">',
        '<img src="/&#13;/elders.nl/x.jpg" alt="Iets">',
        '<img alt=">" src="/&NewLine;/elders.nl/x.jpg">',
        "![Iets](/&#10;/elders.nl/x.jpg)",
    ],
)
def test_a_line_break_inside_an_image_address_does_not_load_from_elsewhere(
    site: Path, tmp_path: Path, image: str
) -> None:
    set_fields(site, CAFE, "", f"Tekst.\n\n{image}\n")
    out = tmp_path / "public"
    result = built(site, out)
    if result.exit_code == 0:
        for img in page(out, CAFE_PAGE).select("main img"):
            address = "".join(img.get("src", "").split())
            assert not address.startswith(("//", "\\\\", "/\\")), img


def test_alt_text_is_escaped_in_the_page_and_in_og_meta(site: Path, tmp_path: Path) -> None:
    (site / "assets/afbeeldingen/a.jpg").write_bytes(jpeg())
    alt = 'Een \\"citaat\\" <script>alert(1)</script> \\u0007\\u001b[31m &amp; x\\nregel twee'
    set_fields(
        site,
        CAFE,
        f'afbeelding: /assets/afbeeldingen/a.jpg\nafbeelding_alt: "{alt}"\n',
        'Tekst.\n\n![Twee" onerror="alert(2)" x="<b>](/assets/afbeeldingen/a.jpg)\n',
    )
    out = tmp_path / "public"
    result = built(site, out)
    assert result.exit_code == 0, problems(result)
    html = (out / CAFE_PAGE.strip("/") / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "\x07" not in html and "\x1b" not in html
    soup = page(out, CAFE_PAGE)
    assert not soup.select("[onerror]") and not soup.select("b")
    assert not [s for s in soup.find_all("script") if "alert" in s.get_text()]
    expected = 'Een "citaat" <script>alert(1)</script> [31m &amp; x regel twee'
    assert soup.find("meta", property="og:image:alt")["content"] == expected
    figure, body_image = soup.select("main picture img")[:2]
    assert figure["alt"] == expected
    assert body_image["alt"].startswith('Twee" onerror=')


def test_a_huge_alt_text_is_only_text(site: Path, tmp_path: Path) -> None:
    (site / "assets/afbeeldingen/a.jpg").write_bytes(jpeg())
    alt = "lang " * 40_000 + "</title><script>x</script>"
    set_fields(site, CAFE, f"afbeelding: /assets/afbeeldingen/a.jpg\nafbeelding_alt: {alt!r}\n")
    out = tmp_path / "public"
    started = time.monotonic()
    result = built(site, out)
    assert time.monotonic() - started < 30
    assert result.exit_code == 0, problems(result)
    assert "<script>x" not in (out / CAFE_PAGE.strip("/") / "index.html").read_text("utf-8")


def scan_bomb(scans: int, width: int = 1200) -> bytes:
    """A progressive JPEG whose last scan is repeated ``scans`` times: a few hundred
    kilobytes that libjpeg decodes pass after pass over the whole picture."""
    out = io.BytesIO()
    Image.new("L", (width, width), 128).save(out, "JPEG", progressive=True)
    data = out.getvalue()
    start, end = data.rfind(b"\xff\xda"), data.rfind(b"\xff\xd9")
    return data[:end] + data[start:end] * scans + data[end:]


def test_a_jpeg_with_thousands_of_scans_is_refused_before_decoding(
    site: Path, tmp_path: Path
) -> None:
    (site / "assets/afbeeldingen/lagen.jpg").write_bytes(scan_bomb(20_000))
    set_fields(site, CAFE, "afbeelding: /assets/afbeeldingen/lagen.jpg\nafbeelding_alt: Iets\n")
    started = time.monotonic()
    result = built(site, tmp_path / "public")
    assert time.monotonic() - started < 10
    [(path, line, field, message)] = problems(result)
    assert (path, line, field) == (CAFE, 2, "afbeelding")
    assert "/assets/afbeeldingen/lagen.jpg" in message and "scans" in message


def test_jpeg_scans_are_counted_as_a_decoder_meets_them() -> None:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (1, 2, 3)).save(out, "JPEG", progressive=True)
    progressive = out.getvalue()
    assert 1 < images.jpeg_scans(progressive) <= 20
    # Scan markers inside a comment segment are no scans; a JPEG with them is fine.
    comment = b"\xff\xda" * 2000
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    padded = progressive[:2] + segment + progressive[2:]
    assert images.jpeg_scans(padded) == images.jpeg_scans(progressive)
    assert not isinstance(images.make_variants(padded, "foto"), str)
    assert images.jpeg_scans(scan_bomb(500, 64)) > images.MAX_JPEG_SCANS
    assert "scans" in str(images.make_variants(scan_bomb(500, 64), "foto"))


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("svg.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>', "geen"),
        ("leeg.jpg", b"", "geen afbeelding"),
        ("kapot.jpg", jpeg(2000, 1500)[:3000], "beschadigd"),
    ],
)
def test_fake_and_truncated_images_are_errors(
    site: Path, tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    (site / "assets/afbeeldingen" / name).write_bytes(data)
    set_fields(site, CAFE, f"afbeelding: /assets/afbeeldingen/{name}\nafbeelding_alt: Iets\n")
    result = built(site, tmp_path / "public")
    # Bytes that are no image at all are refused on the file by the allow-list
    # (media/assets.py), which then leaves it out; the use is an error either way.
    found = problems(result)
    at_file = [p for p in found if p[0] == f"assets/afbeeldingen/{name}"]
    [(_, _, field, message)] = [p for p in found if p not in at_file]
    assert field == "afbeelding" and name in message
    assert reason in (at_file[0][3] if at_file else message)


def slow_operand_pdf(characters: int) -> bytes:
    """One page whose content is a single hex string: pypdf reads it as one operand,
    so the text deadline (checked between operators) cannot stop it."""
    import zlib

    content = zlib.compress(b"BT /F1 12 Tf <" + b"41" * characters + b"> Tj ET", 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
        + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_one_huge_pdf_operator_cannot_outlast_the_time_limit() -> None:
    data = slow_operand_pdf(20_000_000)
    started = time.monotonic()
    result = pdfs.read_pdf(data, seconds=0.2, max_seconds=1.5)
    assert time.monotonic() - started < 4
    assert isinstance(result, pdfs.PdfFacts), result  # the facts; the text as far as read
    assert result.pages == 1


def test_a_pdf_that_keeps_pypdf_busy_is_an_error_after_the_limit(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def busy(*_args: object, **_kwargs: object) -> None:
        until = time.monotonic() + 15
        while time.monotonic() < until:  # pure Python, as pypdf's parsers are
            pass
        raise ValueError("klaar")

    monkeypatch.setattr("pypdf.PdfReader", busy)
    monkeypatch.setattr(pdfs, "MAX_SECONDS", 1.5)
    started = time.monotonic()
    result = built(site, tmp_path / "public")
    assert time.monotonic() - started < 8
    [(path, _line, field, message)] = problems(result)
    assert (path, field) == (PUBLICATION, "url")
    assert "/assets/publicaties/rapport.pdf" in message and "1,5 seconden" in message


def test_a_bad_pdf_report_is_an_error_naming_the_file(site: Path, tmp_path: Path) -> None:
    (site / "assets/publicaties/rapport.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00" * 5000)
    result = built(site, tmp_path / "public")
    [(path, _line, field, message)] = problems(result)
    assert (path, field) == (PUBLICATION, "url")
    assert "rapport.pdf" in message and "beschadigd" in message


# B. The cache folder ----------------------------------------------------------------


def forge_page(cache: Path, page_file: str, evil: bytes, key: str = KEY) -> None:
    """Point the page record's entry for ``page_file`` at ``evil``, signed with ``key``."""
    record = cache / "pages/record.json"
    _, _, body = record.read_text(encoding="utf-8").partition("\n")
    data = json.loads(body)
    sha = hashlib.sha256(evil).hexdigest()
    (cache / "pages/files" / sha[:2]).mkdir(parents=True, exist_ok=True)
    (cache / "pages/files" / sha[:2] / sha).write_bytes(evil)
    inputs, _ = data["pages"][page_file]
    data["pages"][page_file] = [inputs, sha]
    record.write_text(sign(json.dumps(data, sort_keys=True), key), encoding="utf-8")
    if key == KEY:  # signed as the build signs: it must pass the signature check
        store = pagecache.SignedStore(cache / "pages", key.encode(), root=cache)
        assert store.load_record() is not None


EVIL = b"<html><body><script>steel()</script></body></html>"


def test_prune_does_not_delete_through_a_symlinked_folder(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert built(site, tmp_path / "one", cache).exit_code == 0
    victim = tmp_path / "slachtoffer"
    victim.mkdir()
    (victim / "belangrijk.txt").write_text("blijf staan", encoding="utf-8")
    stored = sorted((cache / "pages/files").iterdir())[0]
    shutil.rmtree(stored)
    stored.symlink_to(victim, target_is_directory=True)
    edit_cafe(site)
    assert built(site, tmp_path / "two", cache).exit_code == 0
    assert (victim / "belangrijk.txt").read_text(encoding="utf-8") == "blijf staan"
    assert sorted(p.name for p in victim.iterdir()) == ["belangrijk.txt"]


def test_saving_does_not_write_through_planted_links(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert built(site, tmp_path / "one", cache).exit_code == 0
    clean = tmp_path / "clean"
    edit_cafe(site)
    assert built(site, clean, None).exit_code == 0
    target = tmp_path / "doel"
    target.write_text("origineel", encoding="utf-8")
    folder_target = tmp_path / "doelmap"
    folder_target.mkdir()
    # The record, and the temporary name the record used to be written under.
    (cache / "pages/record.json").unlink()
    (cache / "pages/record.json").symlink_to(target)
    (cache / "pages/record.json.new").symlink_to(target)
    # Every page's stored file and its old temporary name; one folder of stored files
    # that does not exist yet is a link to a folder outside.
    linked_folder = False
    for data in files_of(clean).values():
        sha = hashlib.sha256(data).hexdigest()
        folder = cache / "pages/files" / sha[:2]
        if folder.is_symlink():
            continue
        if not folder.exists() and not linked_folder:
            folder.symlink_to(folder_target, target_is_directory=True)
            linked_folder = True
            continue
        folder.mkdir(exist_ok=True)
        for name in (sha, sha + ".new"):
            (folder / name).unlink(missing_ok=True)
            (folder / name).symlink_to(target)
    assert linked_folder
    before = tree(tmp_path / "site")
    warm = built(site, tmp_path / "two", cache)
    assert warm.exit_code == 0
    assert files_of(tmp_path / "two") == files_of(clean)
    assert target.read_text(encoding="utf-8") == "origineel"
    assert list(folder_target.iterdir()) == []
    assert tree(tmp_path / "site") == before
    # The cache heals: the next build reuses every page.
    again = built(site, tmp_path / "three", cache)
    assert again.reused == again.pages
    assert files_of(tmp_path / "three") == files_of(clean)


def test_stored_pages_behind_links_are_not_read(site: Path, tmp_path: Path) -> None:
    """A complete, validly signed store elsewhere, reached through a symlinked folder or
    file, is a file outside the cache folder: it is not read, so nothing is reused."""
    elsewhere = tmp_path / "elders"
    assert built(site, tmp_path / "one", elsewhere).exit_code == 0
    kept = tree(elsewhere)
    for layout in ("pages", "record", "files", "blob-folder"):
        cache = tmp_path / f"cache-{layout}"
        (cache / "pages").mkdir(parents=True)
        if layout == "pages":
            (cache / "pages").rmdir()
            (cache / "pages").symlink_to(elsewhere / "pages", target_is_directory=True)
        elif layout == "record":
            shutil.copytree(elsewhere / "pages/files", cache / "pages/files")
            (cache / "pages/record.json").symlink_to(elsewhere / "pages/record.json")
        elif layout == "files":
            shutil.copy(elsewhere / "pages/record.json", cache / "pages/record.json")
            (cache / "pages/files").symlink_to(elsewhere / "pages/files")
        else:
            shutil.copy(elsewhere / "pages/record.json", cache / "pages/record.json")
            (cache / "pages/files").mkdir()
            for folder in (elsewhere / "pages/files").iterdir():
                (cache / "pages/files" / folder.name).symlink_to(folder)
        warm = built(site, tmp_path / f"out-{layout}", cache)
        assert warm.exit_code == 0 and warm.reused == 0, layout
        assert files_of(tmp_path / f"out-{layout}") == files_of(tmp_path / "one"), layout
        assert tree(elsewhere) == kept, layout


def test_a_fifo_in_the_cache_does_not_hang_the_build(
    site: Path, tmp_path: Path, unblocker: list[Path]
) -> None:
    cache = tmp_path / "cache"
    assert built(site, tmp_path / "one", cache).exit_code == 0
    (cache / "pages/record.json").unlink()
    os.mkfifo(cache / "pages/record.json")
    unblocker.append(cache / "pages/record.json")
    started = time.monotonic()
    warm = built(site, tmp_path / "two", cache)
    assert time.monotonic() - started < NO_HANG_SECONDS
    assert warm.exit_code == 0 and warm.reused == 0
    # A FIFO in place of a stored page, under a good record.
    blob = next(p for p in (cache / "pages/files").glob("*/*"))
    blob.unlink()
    os.mkfifo(blob)
    started = time.monotonic()
    assert built(site, tmp_path / "three", cache).exit_code == 0
    assert time.monotonic() - started < NO_HANG_SECONDS
    assert files_of(tmp_path / "three") == files_of(tmp_path / "one")


def test_a_key_file_inside_the_cache_folder_signs_nothing(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Caching ~/.cache in CI would restore the key with the cache: whoever wrote the
    cache then knows it and could sign a page of their own."""
    cache = tmp_path / "cache"
    key = "k" * 64
    key_file = cache / "wsdgen/key"
    key_file.parent.mkdir(parents=True, mode=0o700)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    monkeypatch.setenv("WSDGEN_CACHE_KEY", key)
    assert built(site, tmp_path / "one", cache).exit_code == 0  # a record under that key
    monkeypatch.delenv("WSDGEN_CACHE_KEY")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    forge_page(cache, "index.html", EVIL, key)
    warm = built(site, tmp_path / "two", cache)
    assert warm.exit_code == 0 and warm.reused == 0
    assert b"steel()" not in (tmp_path / "two/index.html").read_bytes()
    assert files_of(tmp_path / "two") == files_of(tmp_path / "one")


@pytest.mark.parametrize("mode", [0o666, 0o620])
def test_a_key_file_that_others_can_write_is_not_used(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    home = tmp_path / "home-cache"
    cache = tmp_path / "cache"
    (home / "wsdgen").mkdir(parents=True)
    planted = "ander-mens-" + "z" * 40
    (home / "wsdgen/key").write_text(planted, encoding="utf-8")
    (home / "wsdgen/key").chmod(mode)
    built(site, tmp_path / "one", cache)  # a real record, made with the test key
    monkeypatch.delenv("WSDGEN_CACHE_KEY")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    forge_page(cache, "index.html", EVIL, planted)
    warm = built(site, tmp_path / "two", cache)
    assert warm.exit_code == 0 and warm.reused == 0
    assert b"steel()" not in (tmp_path / "two/index.html").read_bytes()


def test_a_key_file_that_is_a_link_or_a_fifo_gives_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unblocker: list[Path]
) -> None:
    monkeypatch.delenv("WSDGEN_CACHE_KEY")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "wsdgen").mkdir(mode=0o700)
    elsewhere = tmp_path / "elders"
    elsewhere.write_text("x" * 64, encoding="utf-8")
    elsewhere.chmod(0o600)
    key = tmp_path / "wsdgen/key"
    key.symlink_to(elsewhere)
    assert pagecache.cache_key() is None
    assert elsewhere.read_text(encoding="utf-8") == "x" * 64
    key.unlink()
    os.mkfifo(key, 0o600)
    unblocker.append(key)
    started = time.monotonic()
    assert pagecache.cache_key() is None
    assert time.monotonic() - started < NO_HANG_SECONDS
    assert stat.S_ISFIFO(os.lstat(key).st_mode)


def test_a_fresh_key_file_is_private_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WSDGEN_CACHE_KEY")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home"))
    first = pagecache.cache_key()
    assert first is not None and len(first) >= 32
    assert stat.S_IMODE(os.stat(tmp_path / "home/wsdgen/key").st_mode) == 0o600
    assert pagecache.cache_key() == first
    (tmp_path / "home/wsdgen/key").write_bytes(b"kort")  # damaged: made again
    again = pagecache.cache_key()
    assert again is not None and again != first and len(again) >= 32


def test_swapped_image_variants_in_the_cache_are_not_published(site: Path, tmp_path: Path) -> None:
    """A valid picture of the right size, without metadata, but another picture: only a
    signature under the key (which is not in the cache) tells it apart."""
    (site / "assets/afbeeldingen/a.jpg").write_bytes(jpeg(900, 600))
    set_fields(site, CAFE, "afbeelding: /assets/afbeeldingen/a.jpg\nafbeelding_alt: Iets\n")
    cache = tmp_path / "cache"
    assert built(site, tmp_path / "one", cache).exit_code == 0
    [folder] = [p for p in (cache / "images").iterdir() if p.is_dir()]
    for variant in folder.iterdir():
        width = int(variant.name.split(".")[0])
        height = round(600 * width / 900)
        fmt = {"jpg": "JPEG", "webp": "WEBP", "png": "PNG"}[variant.suffix[1:]]
        out = io.BytesIO()
        Image.new("RGB", (width, height), (0, 255, 0)).save(out, fmt)
        variant.write_bytes(out.getvalue())
    edit_cafe(site)  # the page is rendered again, with the variants from the cache
    warm = built(site, tmp_path / "two", cache)
    clean = built(site, tmp_path / "clean", None)
    assert warm.exit_code == clean.exit_code == 0
    assert files_of(tmp_path / "two") == files_of(tmp_path / "clean")


def test_a_planted_body_in_the_cache_is_not_published(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    text = (site / CAFE).read_text(encoding="utf-8").split("---\n", 2)[2]
    for body in {text, text.strip(), text.rstrip("\n")}:
        key = body_key(body, "/")
        planted = cache / key[:2] / f"{key}.html"
        planted.parent.mkdir(parents=True, exist_ok=True)
        planted.write_text(f'{key}\n<p>Doneer via <a href="https://elders.nl/">hier</a>.</p>\n')
    assert built(site, tmp_path / "warm", cache).exit_code == 0
    assert (
        b"elders.nl" not in (tmp_path / "warm" / CAFE_PAGE.strip("/") / "index.html").read_bytes()
    )


def test_rendered_bodies_are_not_written_through_a_linked_folder(
    site: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    cache.mkdir()
    for number in range(256):
        (cache / f"{number:02x}").symlink_to(elsewhere, target_is_directory=True)
    assert built(site, tmp_path / "public", cache).exit_code == 0
    assert list(elsewhere.iterdir()) == []


def search_stores(cache: Path) -> list[Path]:
    """The folders of the search cache that hold a record (one, or one per part)."""
    return sorted(record.parent for record in (cache / "search").rglob("record.json"))


def test_the_search_cache_does_not_write_or_delete_outside(site: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert built(site, tmp_path / "one", cache, search=True).exit_code == 0
    stores = search_stores(cache)
    assert stores
    victim = tmp_path / "slachtoffer"
    victim.mkdir()
    (victim / "belangrijk.txt").write_text("blijf staan", encoding="utf-8")
    target = tmp_path / "doel"
    target.write_text("origineel", encoding="utf-8")
    for store in stores:
        (store / "record.json.new").symlink_to(target)
        first = sorted((store / "files").iterdir())[0]
        shutil.rmtree(first)
        first.symlink_to(victim, target_is_directory=True)
    edit_cafe(site, "Een zin die de zoekindex verandert.")
    assert built(site, tmp_path / "two", cache, search=True).exit_code == 0
    assert sorted(p.name for p in victim.iterdir()) == ["belangrijk.txt"]
    assert target.read_text(encoding="utf-8") == "origineel"
    assert (tmp_path / "two/pagefind/pagefind-entry.json").is_file()


def test_a_signed_search_record_cannot_restore_outside_the_output(
    site: Path, tmp_path: Path
) -> None:
    """Even a record made with the key (say, by a build of a branch that had it) may only
    put files inside the bundle."""
    cache = tmp_path / "cache"
    assert built(site, tmp_path / "one", cache, search=True).exit_code == 0
    for store in search_stores(cache):
        record = store / "record.json"
        _, _, body = record.read_text(encoding="utf-8").partition("\n")
        data = json.loads(body)
        sha = next(iter(data["files"].values()))
        for name in ("../../../ontsnapt", str(tmp_path / "absoluut"), "../ontsnapt2", ""):
            data["files"][name] = sha
        store_name = store.relative_to(cache).as_posix()
        record.write_text(sign(json.dumps(data, sort_keys=True), store=store_name), "utf-8")
        signed = pagecache.SignedStore(store, KEY.encode(), root=cache).load_record()
        assert signed is not None, "the forged record must pass the signature"
    before = set(tmp_path.iterdir())
    out = tmp_path / "two"
    assert built(site, out, cache, search=True).exit_code == 0
    assert set(tmp_path.iterdir()) - before == {out}
    assert not list(tmp_path.rglob("ontsnapt*")) and not (tmp_path / "absoluut").exists()
    assert (out / "pagefind/pagefind-entry.json").is_file()
