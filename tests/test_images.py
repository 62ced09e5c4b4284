"""Responsive image variants: sizes, formats, metadata, hostile input and the cache."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms

from wsdgen.diagnostics import Severity
from wsdgen.media import images
from wsdgen.media.images import ImageSet, Variant, image_problem, make_variants, srcset


def encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **params)
    return out.getvalue()


def photo(size: tuple[int, int]) -> Image.Image:
    """A picture with detail (noise, a gradient), so encoders and truncation behave as real.

    The noise differs per call: each test encodes its source once and reuses the bytes.
    """
    noise = Image.effect_noise(size, 40).convert("RGB")
    gradient = Image.linear_gradient("L").resize(size).convert("RGB")
    return Image.blend(noise, gradient, 0.5)


def two_halves(size: tuple[int, int]) -> Image.Image:
    """Red left half, blue right half: shows where the picture's left side ended up."""
    im = Image.new("RGB", size, (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return im


def ok(result: ImageSet | str) -> ImageSet:
    assert isinstance(result, ImageSet), result
    return result


def decoded(variant: Variant) -> Image.Image:
    im = Image.open(io.BytesIO(variant.data))
    im.load()
    return im


def pixel(im: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = im.getpixel(xy)
    assert isinstance(value, tuple), value
    return value


def sizes(result: ImageSet, fmt: str) -> list[tuple[int, int]]:
    return [(v.width, v.height) for v in result.variants if v.format == fmt]


# Sizes and formats -----------------------------------------------------------------


def test_large_jpeg_gets_every_width_as_webp_and_jpeg() -> None:
    result = ok(make_variants(encode(photo((2000, 1000)), "JPEG"), "foto"))
    expected = [(480, 240), (800, 400), (1200, 600), (1600, 800)]
    assert sizes(result, "webp") == expected
    assert sizes(result, "jpeg") == expected
    assert (result.width, result.height, result.fallback_format) == (1600, 800, "jpeg")
    assert len(result.variants) == 8
    for variant in result.variants:
        im = decoded(variant)
        assert im.format == {"webp": "WEBP", "jpeg": "JPEG"}[variant.format]
        assert im.size == (variant.width, variant.height)
    jpeg = next(v for v in result.variants if v.format == "jpeg")
    assert decoded(jpeg).info.get("progressive") == 1


def test_names_carry_stem_content_hash_and_width() -> None:
    result = ok(make_variants(encode(photo((900, 600)), "JPEG"), "Zomerfeest Één"))
    names = [v.name for v in result.variants]
    assert len(set(names)) == len(names)
    for variant in result.variants:
        stem, digest, width_ext = variant.name.rsplit("-", 2)
        assert stem == "zomerfeest-een"
        assert len(digest) == 10
        assert width_ext == f"{variant.width}.{'jpg' if variant.format == 'jpeg' else 'webp'}"
    hostile = ok(make_variants(encode(photo((50, 50)), "JPEG"), "../x, y"))
    assert all(v.name.startswith("x-y-") for v in hostile.variants)
    nothing = ok(make_variants(encode(photo((50, 50)), "JPEG"), "..."))
    assert all(v.name.startswith("afbeelding-") for v in nothing.variants)


def test_small_image_is_not_upscaled() -> None:
    result = ok(make_variants(encode(photo((600, 300)), "JPEG"), "klein"))
    assert sizes(result, "webp") == [(480, 240), (600, 300)]
    assert (result.width, result.height) == (600, 300)


def test_image_narrower_than_every_width_keeps_its_size() -> None:
    result = ok(make_variants(encode(photo((300, 200)), "JPEG"), "mini"))
    assert sizes(result, "webp") == [(300, 200)]
    assert sizes(result, "jpeg") == [(300, 200)]


def test_png_with_alpha_falls_back_to_png_and_keeps_transparency() -> None:
    im = Image.new("RGBA", (1000, 500), (0, 128, 0, 100))
    result = ok(make_variants(encode(im, "PNG"), "logo"))
    assert result.fallback_format == "png"
    assert sizes(result, "png") == [(480, 240), (800, 400), (1000, 500)]
    for variant in result.variants:
        out = decoded(variant)
        assert out.mode == "RGBA"
        assert pixel(out, (10, 10))[3] == pytest.approx(100, abs=3)


def test_opaque_png_and_gif_fall_back_to_png_webp_without_alpha_to_jpeg() -> None:
    assert ok(make_variants(encode(photo((100, 50)), "PNG"), "a")).fallback_format == "png"
    assert ok(make_variants(encode(photo((100, 50)), "WEBP"), "b")).fallback_format == "jpeg"
    alpha = encode(Image.new("RGBA", (100, 50), (1, 2, 3, 0)), "WEBP")
    assert ok(make_variants(alpha, "c")).fallback_format == "png"


def test_gif_uses_its_first_frame_only() -> None:
    frames = [Image.new("RGB", (64, 32), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    result = ok(make_variants(data, "anim"))
    assert result.fallback_format == "png"
    for variant in result.variants:
        out = decoded(variant)
        assert getattr(out, "n_frames", 1) == 1
        red, _green, blue = pixel(out.convert("RGB"), (5, 5))
        assert red > 200 and blue < 50


def test_sixteen_bit_grey_png_is_scaled_not_clipped() -> None:
    data = encode(Image.new("I;16", (40, 20), 32768), "PNG")
    out = decoded(ok(make_variants(data, "grijs")).variants[-1])
    assert out.convert("L").getpixel((3, 3)) == pytest.approx(128, abs=2)


# Metadata --------------------------------------------------------------------------


def test_exif_with_gps_is_stripped_and_orientation_applied() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Telefoon"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (52.0, 5.0, 30.0),
        ExifTags.GPS.GPSProcessingMethod: b"ASCII\0\0\0GPS",
    }
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">geheim</x:xmpmeta>'
    data = encode(two_halves((1000, 500)), "JPEG", exif=exif.tobytes(), xmp=xmp)
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test image must carry GPS"
    assert b"Exif" in data and b"GPS" in data and b"geheim" in data

    result = ok(make_variants(data, "portret"))
    assert (result.width, result.height) == (500, 1000)  # rotated upright
    assert sizes(result, "jpeg") == [(480, 960), (500, 1000)]
    for variant in result.variants:
        out = decoded(variant)
        assert len(out.getexif()) == 0
        assert "exif" not in out.info and "xmp" not in out.info
        assert "icc_profile" not in out.info
        assert b"Exif" not in variant.data and b"EXIF" not in variant.data
        assert b"GPS" not in variant.data and b"geheim" not in variant.data
        assert b"Telefoon" not in variant.data
        # Orientation 6: the stored left side (red) is shown at the top.
        top = pixel(out.convert("RGB"), (out.width // 2, 10))
        bottom = pixel(out.convert("RGB"), (out.width // 2, out.height - 10))
        assert top[0] > 200 and top[2] < 60
        assert bottom[2] > 200 and bottom[0] < 60


def test_icc_profile_is_converted_not_carried_along() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for fmt in ("JPEG", "PNG", "WEBP"):
        data = encode(photo((200, 100)), fmt, icc_profile=profile)
        assert Image.open(io.BytesIO(data)).info.get("icc_profile")
        for variant in ok(make_variants(data, "kleur")).variants:
            assert not decoded(variant).info.get("icc_profile")


def test_broken_icc_profile_is_ignored() -> None:
    data = encode(photo((200, 100)), "JPEG", icc_profile=b"geen profiel" * 20)
    result = ok(make_variants(data, "kleur"))
    assert all(not decoded(v).info.get("icc_profile") for v in result.variants)


# Hostile or unusable input ---------------------------------------------------------


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A small PNG file that would decode to 400 million pixels."""
    data = encode(Image.new("1", (20000, 20000)), "PNG", optimize=True)
    assert len(data) < 1024 * 1024
    return data


def truncated_jpeg() -> bytes:
    data = encode(photo((800, 600)), "JPEG", quality=95)
    return data[: len(data) // 2]


UNUSABLE: list[tuple[str, Callable[[], bytes], str]] = [
    ("text", lambda: b"dit is geen plaatje\n" * 10, "geen afbeelding"),
    ("empty", lambda: b"", "geen afbeelding"),
    ("truncated JPEG", truncated_jpeg, "beschadigd"),
    ("JPEG header only", lambda: truncated_jpeg()[:40], "beschadigd"),
    ("PNG signature only", lambda: b"\x89PNG\r\n\x1a\n" + b"\0" * 30, "beschadigd"),
    ("TIFF", lambda: encode(photo((40, 30)), "TIFF"), "formaat TIFF wordt niet ondersteund"),
    ("BMP", lambda: encode(photo((40, 30)), "BMP"), "formaat BMP wordt niet ondersteund"),
    (
        "over 15 MB",
        lambda: b"\xff\xd8\xff" + b"\0" * images.MAX_FILE_BYTES,
        "bestand groter dan 15 MB",
    ),
    (
        "42 megapixel (below Pillow's own limit)",
        lambda: encode(Image.new("1", (7000, 6000)), "PNG", optimize=True),
        "te groot: 42 megapixel; maximaal 40",
    ),
    (
        "too tall for WebP",
        lambda: encode(Image.new("L", (10, 20000)), "PNG"),
        "te hoog: 20000 pixels bij 10 breed; maximaal 16383",
    ),
]


@pytest.mark.parametrize(("label", "make", "reason"), UNUSABLE, ids=[u[0] for u in UNUSABLE])
def test_unusable_input_gives_a_reason(
    label: str, make: Callable[[], bytes], reason: str, tmp_path: Path
) -> None:
    data = make()
    assert make_variants(data, "x") == reason
    assert make_variants(data, "x", tmp_path) == reason
    assert not (tmp_path / "images").exists() or not any((tmp_path / "images").iterdir())


def test_decompression_bomb_is_refused_before_decoding(bomb: bytes) -> None:
    assert make_variants(bomb, "bom") == "te groot: 400 megapixel; maximaal 40"


def test_bomb_is_refused_even_when_pillow_would_only_warn(bomb: bytes) -> None:
    # 100 megapixel: above Pillow's warning level, below its hard limit.
    data = encode(Image.new("1", (10000, 10000)), "PNG", optimize=True)
    with pytest.warns(Image.DecompressionBombWarning):
        Image.open(io.BytesIO(data))
    assert make_variants(data, "bom") == "te groot: 100 megapixel; maximaal 40"


def test_pillow_without_a_limit_still_cannot_be_bombed(
    bomb: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)
    assert make_variants(bomb, "bom") == "te groot: 400 megapixel; maximaal 40"


def test_unexpected_failure_inside_pillow_is_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kapot")

    data = encode(photo((50, 50)), "JPEG")
    monkeypatch.setattr(images.Image.Image, "load", explode)
    assert make_variants(data, "x") == "beschadigd"


# Determinism -----------------------------------------------------------------------


def test_same_input_gives_identical_bytes() -> None:
    sources = [
        encode(photo((1300, 700)), "JPEG"),
        encode(Image.new("RGBA", (900, 300), (9, 8, 7, 50)), "PNG"),
    ]
    for data in sources:
        first = ok(make_variants(data, "zelfde"))
        second = ok(make_variants(bytes(data), "zelfde"))
        assert first == second
        assert [v.data for v in first.variants] == [v.data for v in second.variants]


# Cache -----------------------------------------------------------------------------


@pytest.fixture
def encodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every encode the module does, by format."""
    calls: list[str] = []
    real = images._encode

    def counting(im: Image.Image, fmt: str) -> bytes:
        calls.append(fmt)
        return real(im, fmt)

    monkeypatch.setattr(images, "_encode", counting)
    return calls


def key_dir(cache: Path, data: bytes) -> Path:
    return cache / "images" / images.cache_key(data)


def test_cache_hit_returns_identical_bytes_without_encoding(
    tmp_path: Path, encodes: list[str]
) -> None:
    data = encode(photo((1000, 500)), "JPEG")
    fresh = ok(make_variants(data, "foto", tmp_path))
    assert len(encodes) == 6
    assert sorted(p.name for p in key_dir(tmp_path, data).iterdir()) == [
        "1000.jpg",
        "1000.webp",
        "480.jpg",
        "480.webp",
        "800.jpg",
        "800.webp",
    ]
    encodes.clear()
    cached = ok(make_variants(data, "foto", tmp_path))
    assert encodes == []
    assert cached == fresh
    assert cached == ok(make_variants(data, "foto"))  # same as without a cache


def test_cache_key_depends_on_input_and_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert images.cache_key(b"a") != images.cache_key(b"b")
    before = images.cache_key(b"a")
    monkeypatch.setattr(images, "SETTINGS_VERSION", images.SETTINGS_VERSION + "+")
    assert images.cache_key(b"a") != before


def test_poisoned_cache_files_are_replaced(tmp_path: Path, encodes: list[str]) -> None:
    data = encode(photo((1000, 500)), "JPEG")
    fresh = ok(make_variants(data, "foto"))
    ok(make_variants(data, "foto", tmp_path))
    folder = key_dir(tmp_path, data)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Aanvaller"
    poison = {
        "480.webp": b"rommel",
        "480.jpg": encode(photo((480, 240)), "JPEG", exif=exif.tobytes()),  # EXIF
        "800.webp": encode(photo((800, 401)), "WEBP"),  # wrong height
        "800.jpg": encode(photo((800, 400)), "PNG"),  # wrong format
        "1000.webp": encode(photo((1000, 500)), "WEBP")[:-200],  # truncated
    }
    for name, blob in poison.items():
        (folder / name).write_bytes(blob)
    encodes.clear()
    again = ok(make_variants(data, "foto", tmp_path))
    assert encodes, "a poisoned cache must be regenerated"
    assert again == fresh
    expected = {f"{v.width}.{v.name.rsplit('.', 1)[1]}": v.data for v in fresh.variants}
    for name, blob in expected.items():
        assert (folder / name).read_bytes() == blob
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    encodes.clear()
    assert ok(make_variants(data, "foto", tmp_path)) == fresh
    assert encodes == []


def test_each_kind_of_poison_alone_is_noticed(tmp_path: Path, encodes: list[str]) -> None:
    data = encode(photo((700, 350)), "JPEG")
    fresh = ok(make_variants(data, "foto", tmp_path))
    folder = key_dir(tmp_path, data)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Aanvaller"
    poisons = [
        b"rommel",
        b"",
        encode(photo((700, 350)), "WEBP", exif=exif.tobytes()),
        encode(photo((700, 350)), "WEBP", icc_profile=b"x" * 200),
        encode(photo((699, 350)), "WEBP"),
        encode(photo((700, 350)), "JPEG"),
    ]
    for blob in poisons:
        (folder / "700.webp").write_bytes(blob)
        encodes.clear()
        assert ok(make_variants(data, "foto", tmp_path)) == fresh
        assert encodes, blob[:20]
        assert (folder / "700.webp").read_bytes() == fresh.variants[2].data


def test_cache_does_not_follow_symlinks(tmp_path: Path, encodes: list[str]) -> None:
    data = encode(photo((700, 350)), "JPEG")
    fresh = ok(make_variants(data, "foto"))
    cache = tmp_path / "cache"
    outside = tmp_path / "outside"
    # A complete, valid set of files elsewhere, reachable through a symlinked key folder.
    ok(make_variants(data, "foto", outside))
    key_dir(cache, data).parent.mkdir(parents=True)
    key_dir(cache, data).symlink_to(key_dir(outside, data))
    encodes.clear()
    assert ok(make_variants(data, "foto", cache)) == fresh
    assert encodes, "files behind a symlinked folder must not be used"

    # A symlinked file: not read, and replaced by a file (its target is left alone).
    other = tmp_path / "other"
    ok(make_variants(data, "foto", other))
    victim = tmp_path / "victim"
    victim.write_bytes(key_dir(other, data).joinpath("700.webp").read_bytes())
    link = key_dir(other, data) / "700.webp"
    link.unlink()
    link.symlink_to(victim)
    before = victim.read_bytes()
    encodes.clear()
    assert ok(make_variants(data, "foto", other)) == fresh
    assert encodes
    assert not link.is_symlink()
    assert victim.read_bytes() == before


def test_cache_problems_are_silent_misses(tmp_path: Path) -> None:
    data = encode(photo((300, 150)), "JPEG")
    fresh = ok(make_variants(data, "foto"))
    not_a_folder = tmp_path / "bestand"
    not_a_folder.write_text("geen map")
    assert make_variants(data, "foto", not_a_folder) == fresh
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "images").write_text("geen map")
    assert make_variants(data, "foto", blocked) == fresh
    unwritable = tmp_path / "dir-as-file"
    key_dir(unwritable, data).joinpath("300.webp").mkdir(parents=True)
    assert make_variants(data, "foto", unwritable) == fresh
    assert make_variants(data, "foto", unwritable) == fresh


def test_cache_folder_is_created_with_parents(tmp_path: Path) -> None:
    data = encode(photo((300, 150)), "JPEG")
    cache = tmp_path / "a" / "b"
    ok(make_variants(data, "foto", cache))
    assert key_dir(cache, data).is_dir()
    assert os.listdir(cache) == ["images"]


# srcset and diagnostics ------------------------------------------------------------


def test_srcset_lists_one_format_by_width() -> None:
    result = ok(make_variants(encode(photo((1000, 500)), "JPEG"), "a"))
    webp = [v for v in result.variants if v.format == "webp"]
    expected = ", ".join(f"u/{v.name} {v.width}w" for v in webp)
    assert srcset(result.variants, "webp", "u/") == expected
    assert srcset(reversed(result.variants), "webp", "u") == expected
    jpeg = srcset(result.variants, "jpeg", "/media/")
    assert jpeg.count("w, ") == 2 and jpeg.startswith("/media/a-") and jpeg.endswith(" 1000w")
    assert srcset(result.variants, "jpg", "/media/") == jpeg
    assert srcset(result.variants, "png", "u/") == ""
    assert srcset(result.variants, "webp", "mijn map,1/").startswith("mijn%20map%2C1/a-")


def test_image_problem_names_file_and_field() -> None:
    problem = image_problem("beschadigd", "assets/img/x.jpg", 4, "afbeelding")
    assert problem.message == "afbeelding: assets/img/x.jpg kan niet worden gebruikt: beschadigd"
    assert (problem.path, problem.line, problem.field) == ("assets/img/x.jpg", 4, "afbeelding")
    assert problem.severity is Severity.ERROR
    assert image_problem("beschadigd", "assets/x.jpg", 0, "foto").line == 1
