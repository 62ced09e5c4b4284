"""Responsive variants of an editor's image: a few widths, each as WebP and a fallback.

An image under assets/ comes from an editor, so it is treated as hostile input: its size
is checked before a single pixel is decoded (decompression bombs), only JPEG, PNG, WebP
and GIF are decoded at all, and every problem comes back as a Dutch reason string,
never as an exception. The output carries no metadata (no EXIF with its GPS position,
no XMP, no ICC profile: colours are converted to sRGB first), and the same input gives
the same bytes on every run, so file names can carry a hash of their content.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import PIL
from PIL import Image, ImageOps

from wsdgen.cache import pagecache
from wsdgen.diagnostics import Diagnostic, error

WIDTHS = (480, 800, 1200, 1600)
MAX_FILE_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 40_000_000
# libwebp cannot encode a side longer than this (JPEG's limit, 65535, is higher).
MAX_SIDE = 16383
# A progressive JPEG is decoded scan by scan, each a pass over the whole picture, and
# nothing in the format bounds their number: a few hundred kilobytes with ten thousand
# scans keep libjpeg busy for minutes. Encoders write about ten.
MAX_JPEG_SCANS = 100

JPEG_QUALITY = 82
WEBP_QUALITY = 80
WEBP_METHOD = 4
# Part of every cache key: change it whenever the output for the same input changes.
# Pillow's version is in it too, because its encoders decide the exact bytes.
SETTINGS_VERSION = (
    f"1;pillow={PIL.__version__};widths={WIDTHS};jpeg={JPEG_QUALITY};"
    f"webp={WEBP_QUALITY},{WEBP_METHOD}"
)

# Pillow's plugin names. A camera JPEG with a second picture comes out of the JPEG
# plugin as format "MPO"; its first picture is used like any JPEG.
DECODED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
EXTENSIONS = {"webp": "webp", "jpeg": "jpg", "png": "png"}
PILLOW_FORMATS = {"webp": "WEBP", "jpeg": "JPEG", "png": "PNG"}
# Header bytes of the accepted formats: such a file that does not open is damaged,
# anything else that does not open is not an image at all.
MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")
# Where a cached file could carry metadata that the output must not have.
METADATA_KEYS = ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "photoshop")

NOT_AN_IMAGE = "geen afbeelding"
DAMAGED = "beschadigd"
TOO_LARGE_FILE = f"bestand groter dan {MAX_FILE_BYTES // (1024 * 1024)} MB"

_PIXEL_COUNT = re.compile(r"\((\d+) pixels\)")
# In entropy-coded JPEG data: a marker, that is 0xFF not followed by a stuffed zero, a
# restart number or another 0xFF (fill).
_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


@dataclass(frozen=True, slots=True)
class Variant:
    width: int
    height: int
    format: str  # "webp" | "jpeg" | "png"
    name: str  # f"{stem}-{digest[:10]}-{width}.{ext}", the digest of ``data``
    data: bytes


@dataclass(frozen=True, slots=True)
class ImageSet:
    width: int  # of the largest variant, after the EXIF orientation is applied
    height: int
    fallback_format: str  # "jpeg", or "png" when the source has alpha or is PNG/GIF
    variants: tuple[Variant, ...]  # per width (ascending): the WebP, then the fallback


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the variants of one source must be: known before anything is encoded."""

    sizes: tuple[tuple[int, int], ...]
    fallback_format: str

    def files(self) -> Iterator[tuple[int, int, str]]:
        for width, height in self.sizes:
            for fmt in ("webp", self.fallback_format):
                yield width, height, fmt


def make_variants(data: bytes, stem: str, cache_dir: Path | None = None) -> ImageSet | str:
    """The responsive variants of ``data``, or a Dutch reason why it cannot be used.

    ``stem`` starts each file name (made safe for a URL and a srcset). With
    ``cache_dir`` the encoded files are kept in ``cache_dir/images/<key>/`` and reused;
    see ``_read_cached`` for why a cached file is checked before it is used.
    """
    try:
        return _make_variants(data, stem, cache_dir)
    except Exception:  # noqa: BLE001 - the promise is a reason, never an exception
        return DAMAGED


def _make_variants(data: bytes, stem: str, cache_dir: Path | None) -> ImageSet | str:
    if len(data) > MAX_FILE_BYTES:
        return TOO_LARGE_FILE
    decoded = _decode(data)
    if isinstance(decoded, str):
        return decoded
    base, source_format = decoded
    plan = _plan(base, source_format)
    if isinstance(plan, str):
        return plan
    key = cache_key(data)
    store = pagecache.CacheFolder(cache_dir) if cache_dir is not None else None
    files = _read_cached(store, key, plan) if store is not None else None
    if files is None:
        files = _render(base, plan)
        if store is not None:
            _write_cached(store, key, plan, files)
    safe_stem = _safe_stem(stem)
    variants = tuple(
        Variant(width, height, fmt, _name(safe_stem, width, fmt, blob), blob)
        for (width, height, fmt), blob in zip(plan.files(), files, strict=True)
    )
    width, height = plan.sizes[-1]
    return ImageSet(width, height, plan.fallback_format, variants)


def cache_key(data: bytes) -> str:
    """The cache folder's name for ``data``: its hash together with the settings."""
    digest = hashlib.sha256(SETTINGS_VERSION.encode() + b"\0")
    digest.update(data)
    return digest.hexdigest()


def srcset(variants: Iterable[Variant], fmt: str, url_prefix: str) -> str:
    """A srcset value ("u/a-480.webp 480w, ...") for the variants in format ``fmt``.

    A space or a comma would split a candidate in the srcset, so they are escaped in
    the prefix; the file names never contain them.
    """
    wanted = fmt.lower().removeprefix(".")
    wanted = "jpeg" if wanted == "jpg" else wanted
    prefix = url_prefix.replace(" ", "%20").replace(",", "%2C")
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    by_width = {v.width: v for v in variants if v.format == wanted}
    return ", ".join(f"{prefix}{by_width[w].name} {w}w" for w in sorted(by_width))


def image_problem(reason: str, shown_path: str, line: int, field: str) -> Diagnostic:
    """The error for an image that cannot be used, naming the file and the field."""
    message = f"{field}: {shown_path} kan niet worden gebruikt: {reason}"
    return error(shown_path, line, message, field)


# Decoding ---------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[Image.Image, str] | str:
    """The source as a bare RGB/RGBA image upright, in sRGB, with its format's name.

    Pillow warns about (and above twice its limit refuses) a decompression bomb when
    it reads the header; the warning is made an error here, and our own, lower bound
    is checked after the header and before the pixels are decoded.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data), formats=DECODED_FORMATS) as im:
                pixels = im.width * im.height
                if pixels > MAX_PIXELS:
                    return _too_many_pixels(pixels)
                source_format = str(im.format)
                if source_format in ("JPEG", "MPO"):
                    scans = jpeg_scans(data)
                    if scans > MAX_JPEG_SCANS:
                        return _too_many_scans(scans)
                im.load()  # the first frame only (GIF, animated WebP, MPO)
                upright = ImageOps.exif_transpose(im)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            return _too_many_pixels(_pixels_in(exc))
        except Image.UnidentifiedImageError:
            return _unsupported(data)
        except Exception:  # noqa: BLE001 - Pillow's decoders fail in many ways on bad input
            return DAMAGED
    return _bare(_to_srgb(upright)), source_format


def _unsupported(data: bytes) -> str:
    """Why bytes that none of the accepted decoders took cannot be used.

    Only the header is read, to name the format; such a file is never decoded.
    """
    if data.startswith(MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return DAMAGED
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(BytesIO(data)) as im:
                name = im.format
        except Exception:  # noqa: BLE001 - nothing recognised it: not an image
            return NOT_AN_IMAGE
    return f"formaat {name} wordt niet ondersteund" if name else NOT_AN_IMAGE


def jpeg_scans(data: bytes) -> int:
    """How many scans the first picture of a JPEG has, met the way a decoder meets them.

    Marker segments are skipped by their length (so bytes inside EXIF or a comment do
    not count), the entropy-coded data after a scan header up to the next real marker,
    and stray bytes between segments as libjpeg skips them. Counting stops at the end
    of the picture (EOI) or of the data.
    """
    position, end, scans = 2, len(data), 0
    while position < end:
        found = data.find(b"\xff", position)
        if found < 0:
            break
        position = found + 1
        while position < end and data[position] == 0xFF:
            position += 1  # fill bytes
        if position >= end:
            break
        code = data[position]
        position += 1
        if code == 0xD9:  # EOI
            break
        if code in (0x00, 0x01, 0xD8) or 0xD0 <= code <= 0xD7:  # no length follows
            continue
        if position + 2 > end:
            break
        position += int.from_bytes(data[position : position + 2], "big")
        if code == 0xDA:  # SOS: its header, then entropy-coded data
            scans += 1
            marker = _JPEG_MARKER.search(data, position)
            if marker is None:
                break
            position = marker.start()
    return scans


def _too_many_scans(scans: int) -> str:
    return (
        f"te veel lagen: een progressieve JPEG met {scans} scans (maximaal "
        f"{MAX_JPEG_SCANS}); sla de afbeelding opnieuw op als gewone JPEG"
    )


def _pixels_in(exc: Exception) -> int:
    """The pixel count in Pillow's bomb message; at least our bound when it has none."""
    found = _PIXEL_COUNT.search(str(exc))
    return int(found[1]) if found else MAX_PIXELS + 1


def _too_many_pixels(pixels: int) -> str:
    megapixels = max(round(pixels / 1_000_000), MAX_PIXELS // 1_000_000 + 1)
    return f"te groot: {megapixels} megapixel; maximaal {MAX_PIXELS // 1_000_000}"


def _has_alpha(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info


def _to_srgb(im: Image.Image) -> Image.Image:
    """``im`` as RGB or RGBA, its colours converted from its ICC profile to sRGB.

    Dropping a profile without converting would shift the colours of, for example, a
    phone's Display P3 photo. A profile that cannot be used is ignored.
    """
    mode = "RGBA" if _has_alpha(im) else "RGB"
    if im.mode in ("I", "I;16", "I;16L", "I;16B", "I;16N"):
        # 16-bit grey: Pillow's own conversion clips at 255 instead of scaling.
        im = im.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    profile = im.info.get("icc_profile")
    if profile and im.mode in ("RGB", "RGBA", "CMYK"):
        converted = _convert_profile(im, profile, mode)
        if converted is not None:
            return converted
    return im if im.mode == mode else im.convert(mode)


def _convert_profile(im: Image.Image, profile: bytes, mode: str) -> Image.Image | None:
    try:
        from PIL import ImageCms

        if mode == "RGBA" and im.mode != "RGBA":
            im = im.convert("RGBA")
        source = ImageCms.ImageCmsProfile(BytesIO(profile))
        srgb = ImageCms.createProfile("sRGB")
        result = ImageCms.profileToProfile(im, source, srgb, outputMode=mode)
    except Exception:  # noqa: BLE001 - a broken or unusual profile: keep the pixels as they are
        return None
    return result if isinstance(result, Image.Image) else None


def _bare(im: Image.Image) -> Image.Image:
    """A copy of the pixels only: no EXIF, XMP, ICC or text can travel along to a save."""
    bare = Image.new(im.mode, im.size)
    bare.paste(im, (0, 0))
    return bare


# Encoding ---------------------------------------------------------------------------


def _plan(base: Image.Image, source_format: str) -> _Plan | str:
    """The widths to make: never wider than the source, the source's own width last."""
    width, height = base.size
    largest = min(width, WIDTHS[-1])
    widths = [w for w in WIDTHS if w < largest] + [largest]
    sizes = tuple((w, max(1, round(height * w / width))) for w in widths)
    if sizes[-1][1] > MAX_SIDE:
        return f"te hoog: {sizes[-1][1]} pixels bij {largest} breed; maximaal {MAX_SIDE}"
    alpha = base.mode == "RGBA" or source_format in ("PNG", "GIF")
    return _Plan(sizes, "png" if alpha else "jpeg")


def _render(base: Image.Image, plan: _Plan) -> list[bytes]:
    files: list[bytes] = []
    for width, height in plan.sizes:
        if (width, height) == base.size:
            scaled = base
        else:
            scaled = base.resize((width, height), Image.Resampling.LANCZOS)
        for fmt in ("webp", plan.fallback_format):
            files.append(_encode(scaled, fmt))
    return files


def _encode(im: Image.Image, fmt: str) -> bytes:
    out = BytesIO()
    if fmt == "webp":
        im.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    elif fmt == "jpeg":
        im.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
    else:
        im.save(out, "PNG", optimize=True)
    return out.getvalue()


def _safe_stem(stem: str) -> str:
    """``stem`` as lower-case ASCII letters, digits and hyphens (safe in a URL and srcset)."""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    safe = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-")
    return safe[:80].rstrip("-") or "afbeelding"


def _name(stem: str, width: int, fmt: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    return f"{stem}-{digest[:10]}-{width}.{EXTENSIONS[fmt]}"


# Cache ------------------------------------------------------------------------------
#
# Folders are opened one at a time relative to the one before (O_NOFOLLOW, dir_fd), so
# a symlink planted anywhere below cache_dir is never followed, not even halfway.


def _cached_name(width: int, fmt: str) -> str:
    return f"{width}.{EXTENSIONS[fmt]}"


def _manifest(key: str, plan: _Plan, files: list[bytes]) -> bytes:
    """What binds the files to this source and these settings (``key``): the signed
    ``images/<key>.sig`` holds it."""
    lines = [f"wsdgen-images 1\n{key}\n"]
    for (width, height, fmt), blob in zip(plan.files(), files, strict=True):
        lines.append(f"{width}x{height}.{fmt} {hashlib.sha256(blob).hexdigest()}\n")
    return "".join(lines).encode()


def _read_cached(store: pagecache.CacheFolder, key: str, plan: _Plan) -> list[bytes] | None:
    """The cached files for ``plan``, or None when any one of them is missing or wrong.

    The cache folder may have been written by another CI run, so it is not trusted:
    the files are used only when the list of their hashes (``images/<key>.sig``) carries
    the cache's signature (cache/pagecache.CacheFolder), so that nobody without the key
    can swap in a picture of their own; and each file must still decode completely as
    the expected format, at exactly the expected size, with no metadata.
    """
    if store.key is None:
        return None
    listed = store.read_signed(("images",), f"{key}.sig", f"images:{key}", MAX_FILE_BYTES)
    if listed is None:
        return None
    files: list[bytes] = []
    try:
        with pagecache.opened_folder(store.root, ("images", key), create=False) as folder:
            for width, _height, fmt in plan.files():
                blob = pagecache.read_file(folder, _cached_name(width, fmt), MAX_FILE_BYTES)
                if blob is None:
                    return None
                files.append(blob)
    except (OSError, ValueError):
        return None
    if listed != _manifest(key, plan, files):
        return None
    for (width, height, fmt), blob in zip(plan.files(), files, strict=True):
        if not _valid_cached(blob, width, height, fmt):
            return None
    return files


def _valid_cached(blob: bytes, width: int, height: int, fmt: str) -> bool:
    expected_modes = ("RGB",) if fmt == "jpeg" else ("RGB", "RGBA")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(blob), formats=(PILLOW_FORMATS[fmt],)) as im:
                if im.format != PILLOW_FORMATS[fmt] or im.size != (width, height):
                    return False
                if getattr(im, "n_frames", 1) != 1 or im.mode not in expected_modes:
                    return False
                im.load()
                if any(im.info.get(key) for key in METADATA_KEYS) or len(im.getexif()):
                    return False
                return not getattr(im, "text", None)
        except Exception:  # noqa: BLE001 - whatever is wrong with it, it is regenerated
            return False


def _write_cached(store: pagecache.CacheFolder, key: str, plan: _Plan, files: list[bytes]) -> None:
    """Store the files, then their signed list; each replaces what was there at once (no
    half-written file)."""
    if store.key is None:
        return
    try:
        with pagecache.opened_folder(store.root, ("images", key), create=True) as folder:
            for (width, _height, fmt), blob in zip(plan.files(), files, strict=True):
                pagecache.write_new(folder, _cached_name(width, fmt), blob)
        manifest = _manifest(key, plan, files)
        store.write_signed(("images",), f"{key}.sig", f"images:{key}", manifest)
    except (OSError, ValueError):
        return


# Originals ---------------------------------------------------------------------------
#
# A site's own image file under assets/ is published as well as its variants (a page
# may link to it). A camera writes where and when a photo was taken into it (EXIF with
# GPS, XMP, IPTC, comments), so the published file is a copy without those: the
# segments that hold them are left out, byte for byte otherwise (no quality is lost).
# Only a photo that the camera marked as turned (EXIF orientation) is encoded anew,
# upright, as the orientation goes with the EXIF.

STRIPPED_TYPES = ("jpg", "jpeg", "png", "webp", "gif", "avif")
REENCODE_JPEG_QUALITY = 92
# PNG chunks that are kept: the picture, its colours and its animation. Text, EXIF,
# time stamps and private chunks are left out.
PNG_KEPT = frozenset(
    {
        b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP",
        b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT", b"cICP", b"mDCv", b"cLLi",
    }
)  # fmt: skip
WEBP_KEPT = frozenset({b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP"})
GIF_APPLICATIONS_KEPT = (b"NETSCAPE2.0", b"ANIMEXTS1.0")  # looping, nothing about the photo
METADATA_LEFT = (
    "bevat gegevens van de camera (EXIF of XMP) die de bouw er niet uit kan halen; sla "
    "de afbeelding opnieuw op zonder metadata, of als JPEG of PNG"
)


class _Damaged(Exception):
    pass


def strip_metadata(data: bytes, suffix: str) -> bytes | str | None:
    """``data`` without camera metadata: the copy to publish, None when there is nothing
    to leave out, or a Dutch reason why it cannot be published."""
    kind = suffix.lower().removeprefix(".")
    try:
        if kind in ("jpg", "jpeg") or data.startswith(b"\xff\xd8\xff"):
            stripped = _strip_jpeg(data)
        elif data.startswith(b"\x89PNG\r\n\x1a\n"):
            stripped = _strip_png(data)
        elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            stripped = _strip_webp(data)
        elif data.startswith((b"GIF87a", b"GIF89a")):
            stripped = _strip_gif(data)
        elif kind == "avif":
            return METADATA_LEFT if _avif_has_metadata(data) else None
        else:
            return None
    except (_Damaged, IndexError, ValueError):
        return DAMAGED
    if _turned(data):
        upright = _upright(data)
        if upright is not None:
            return upright
    return None if stripped == data else stripped


def _turned(data: bytes) -> bool:
    """Whether the EXIF orientation asks a viewer to turn or mirror the picture."""
    if b"Exif" not in data and b"eXIf" not in data and b"EXIF" not in data:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(BytesIO(data), formats=DECODED_FORMATS) as im:
                return im.getexif().get(0x0112, 1) not in (1, 0)
        except Exception:  # noqa: BLE001 - unreadable EXIF: nothing to turn
            return False


def _upright(data: bytes) -> bytes | None:
    """The picture encoded anew, upright, without metadata; None if it cannot be decoded
    (then the stripped copy is published as it is)."""
    decoded = _decode(data)
    if isinstance(decoded, str):
        return None
    im, source_format = decoded
    out = BytesIO()
    if source_format in ("JPEG", "MPO"):
        im.convert("RGB").save(out, "JPEG", quality=REENCODE_JPEG_QUALITY, optimize=True)
    elif source_format == "WEBP":
        im.save(out, "WEBP", quality=REENCODE_JPEG_QUALITY, method=WEBP_METHOD)
    else:
        im.save(out, "PNG", optimize=True)
    return out.getvalue()


def _jpeg_segment_kept(code: int, payload: bytes) -> bool:
    if code == 0xE0:  # APP0: JFIF is kept, its JFXX thumbnail is not
        return payload.startswith(b"JFIF\0")
    if code == 0xE2:  # APP2: the ICC profile is kept (colours), MPF and FlashPix are not
        return payload.startswith(b"ICC_PROFILE\0")
    if code == 0xEE:  # APP14 Adobe: how to read the colours
        return True
    # APP1 (EXIF, XMP), APP13 (IPTC, Photoshop), the other APPn and COM (comments).
    return not (0xE0 <= code <= 0xEF or code == 0xFE)


def _strip_jpeg(data: bytes) -> bytes:
    """The JPEG without metadata segments, before or between its scans, and without
    what follows its end (a camera's second picture, with EXIF of its own)."""
    if not data.startswith(b"\xff\xd8"):
        raise _Damaged
    parts = [b"\xff\xd8"]
    position, end = 2, len(data)
    while True:
        if position + 2 > end:
            raise _Damaged
        if data[position] != 0xFF:  # stray bytes between segments: skipped, as libjpeg does
            position = data.find(b"\xff", position)
            if position < 0:
                raise _Damaged
            continue
        code = data[position + 1]
        if code == 0xFF:  # fill
            position += 1
            continue
        if code == 0xD9:  # EOI
            parts.append(b"\xff\xd9")
            break
        if code == 0x01 or 0xD0 <= code <= 0xD7:
            parts.append(data[position : position + 2])
            position += 2
            continue
        if position + 4 > end:
            raise _Damaged
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        stop = position + 2 + length
        if length < 2 or stop > end:
            raise _Damaged
        if _jpeg_segment_kept(code, data[position + 4 : stop]):
            parts.append(data[position:stop])
        position = stop
        if code == 0xDA:  # a scan: its entropy-coded data runs up to the next marker
            marker = _JPEG_MARKER.search(data, position)
            if marker is None:
                raise _Damaged
            parts.append(data[position : marker.start()])
            position = marker.start()
    return b"".join(parts)


def _strip_png(data: bytes) -> bytes:
    parts = [data[:8]]
    position, end = 8, len(data)
    while True:
        if position + 12 > end:
            raise _Damaged
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        stop = position + 12 + length
        if stop > end:
            raise _Damaged
        if kind in PNG_KEPT:
            parts.append(data[position:stop])
        position = stop
        if kind == b"IEND":
            return b"".join(parts)


def _strip_webp(data: bytes) -> bytes:
    chunks: list[bytes] = []
    position, end = 12, min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    while position + 8 <= end:
        kind = data[position : position + 4]
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        stop = position + 8 + size + (size & 1)
        if position + 8 + size > end:
            raise _Damaged
        chunk = data[position : min(stop, end)]
        if kind == b"VP8X" and size >= 1:
            flags = chunk[8] & ~0x0C  # no EXIF (0x08), no XMP (0x04)
            chunk = chunk[:8] + bytes([flags]) + chunk[9:]
        if kind in WEBP_KEPT:
            chunks.append(chunk + (b"\0" if len(chunk) & 1 else b""))
        position = stop
    if not chunks:
        raise _Damaged
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def _gif_sub_blocks(data: bytes, position: int) -> int:
    """Where the data sub-blocks that start at ``position`` end (after the terminator)."""
    while True:
        size = data[position]
        position += 1 + size
        if size == 0:
            return position


def _strip_gif(data: bytes) -> bytes:
    """The GIF without comments and application data (XMP), looping kept."""
    flags = data[10]
    position = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    parts = [data[:position]]
    while True:
        introducer = data[position]
        if introducer == 0x3B:  # trailer
            parts.append(b"\x3b")
            return b"".join(parts)
        if introducer == 0x2C:  # an image: descriptor, local colours, LZW data
            local = data[position + 9]
            start = position
            position += 10 + (3 * 2 ** ((local & 7) + 1) if local & 0x80 else 0)
            position = _gif_sub_blocks(data, position + 1)
            parts.append(data[start:position])
        elif introducer == 0x21:
            label = data[position + 1]
            start = position
            position = _gif_sub_blocks(data, position + 2)
            block = data[start:position]
            kept = label in (0xF9, 0x01)  # graphic control, plain text
            if label == 0xFF:
                kept = block[3:14] in GIF_APPLICATIONS_KEPT
            if kept:
                parts.append(block)
        else:
            raise _Damaged


def _avif_has_metadata(data: bytes) -> bool:
    """Whether the 'meta' box of an AVIF lists an EXIF or XMP item (not stripped: the
    items' offsets point into the file, so leaving one out moves the picture)."""
    position, end = 0, len(data)
    while position + 8 <= end:
        size = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        header = 8
        if size == 1 and position + 16 <= end:
            size, header = int.from_bytes(data[position + 8 : position + 16], "big"), 16
        elif size == 0:
            size = end - position
        if size < header:
            return True  # not a box structure we can read: treat as unknown
        if kind == b"meta":
            meta = data[position : position + size]
            return any(mark in meta for mark in (b"Exif", b"mime", b"xmpmeta"))
        position += size
    return False
