"""Stage 3b, media: the images and PDF reports that entries point to, checked and prepared.

After the site graph is linked, every ``afbeelding``, every image in a Markdown body
and every publicatie whose ``url`` is a PDF under ``/assets/`` is read through the file
rule and turned into what pages need:

- an image becomes responsive variants (``images.make_variants``: a few widths, WebP
  and the original format, metadata stripped), published under ``/assets/beeld/``;
- a PDF becomes its facts (``pdfs.read_pdf``): pages, size, title, language, tags and
  text, for the link label, the search index and the accessibility warnings.

One image rule: the images of a body are read from its rendered, sanitised HTML
(``markup.images_in``), so every ``<img>`` a page can show is checked, however it was
written: ``![..](..)``, ``![..][ref]`` with ``[ref]: /assets/...``, raw ``<img>`` in any
spelling, or attributes set with ``{: ... }``. Each must be an image under
``/assets/`` that exists and passes the image checks, with alt text: a missing alt, or
``![](...)``, is an error; only an explicit ``alt=""`` in raw HTML marks an image as
decorative. The page shows each through its variants (render.with_pictures), and an
``<img>`` that was not checked is never shown. A body is rendered here only when its
text can hold an image at all (``![`` or ``<img``), once per build: the render stage
takes the same HTML (markup.render_ahead), and a body's list of images is kept by its
body key (in memory for ``serve``, the HTML in the ``--cache`` folder).

Originals: a site's own raster image under ``assets/`` is published without camera
metadata (``images.strip_metadata``): when it holds EXIF, XMP, IPTC or comments a
stripped copy is published at the same path instead (``Media.replaced`` names those
paths; the build leaves the originals out), kept by content hash.

Problems are values on the editor's file and field. Results are kept by content hash
(in memory for ``serve``, and image variants also under ``--cache``), so an unchanged
file is not decoded twice.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import time
from collections.abc import Collection, Iterator, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from wsdgen import diagnostics as diag
from wsdgen.body.markup import body_key, forget_ahead, images_in, render_ahead
from wsdgen.budget import WorkBudget
from wsdgen.cache.bodycache import DiskCache
from wsdgen.check.graph import Site
from wsdgen.check.validate import shorten, without_code
from wsdgen.diagnostics import Diagnostic
from wsdgen.load import safefs
from wsdgen.load.sources import BODY_LINE
from wsdgen.media.assets import THEME_ASSETS, Assets
from wsdgen.media.images import (
    DAMAGED,
    STRIPPED_TYPES,
    ImageSet,
    make_variants,
    srcset,
    strip_metadata,
)
from wsdgen.media.images import MAX_FILE_BYTES as MAX_IMAGE_BYTES
from wsdgen.media.pdfs import PdfFacts, accessibility_warnings, link_label, read_pdf
from wsdgen.records import Entry, Publicatie

VARIANT_FOLDER = "/assets/beeld/"
MAX_PDF_BYTES = 100 * 1024 * 1024
# Originals larger than this are not read to be stripped, but refused.
MAX_ORIGINAL_BYTES = 100 * 1024 * 1024
# A body can show an image only if its text holds one of these (Markdown's image
# syntax, or an <img> tag in any case); other bodies are not rendered ahead.
MAY_SHOW_IMAGE = re.compile(r"!\[|<img", re.IGNORECASE)
MAX_BODY_IMAGE_PROBLEMS = 20

# (src, alt) of each <img> in a body's sanitised HTML, as markup.images_in gives them.
BodyImages = tuple[tuple[str | None, str | None], ...]
MediaMemory = MutableMapping[str, "ImageSet | PdfFacts | str | bytes | BodyImages | None"]


@dataclass(frozen=True, slots=True)
class Picture:
    """One prepared image, as templates show it (the alt text comes from the entry)."""

    width: int
    height: int
    src: str  # a middle-sized variant in the original format
    srcset: str
    webp_srcset: str
    largest: str  # the site path (without base path) of the largest fallback: og:image


@dataclass(frozen=True, slots=True)
class Report:
    """A PDF report of a publicatie: its link label and its text for search."""

    label: str
    text: str


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A file the build makes (an image variant): its path in the output and its bytes."""

    file: str
    data: bytes


@dataclass(slots=True)
class Media:
    pictures: dict[str, Picture] = field(default_factory=dict)  # by source site path
    reports: dict[str, Report] = field(default_factory=dict)  # by source site path
    files: list[MediaFile] = field(default_factory=list)  # the variants to publish
    # Site paths of assets published as a stripped copy (in ``files``) instead of the
    # original: these originals are not copied.
    replaced: frozenset[str] = frozenset()

    def digest(self) -> str:
        """Changes when anything a page can show of the media changes: a published
        variant, which image shows which variants (two images swapped keep the same set
        of files), a report's label or any character of its text."""
        hasher = hashlib.sha256()
        for item in sorted(self.files, key=lambda f: f.file):
            hasher.update(item.file.encode() + b"\0")
        for path, picture in sorted(self.pictures.items()):
            hasher.update(f"{path}\0{picture!r}\0".encode())
        for path, report in sorted(self.reports.items()):
            hasher.update(f"{path}\0{report.label}\0{report.text}\0".encode())
        return hasher.hexdigest()


@dataclass(frozen=True, slots=True)
class ImageUse:
    """One image an entry shows: where (line, field), its site path, and its alt text
    (None: none given; only for body images, ``afbeelding`` has its own rule)."""

    entry: Entry
    address: str
    line: int
    field: str
    alt: str | None = ""
    shown: str = ""  # the src as written in the body's HTML (without the base path)


def image_uses(
    site: Site,
    memory: MediaMemory,
    bodies: DiskCache | None = None,
    budget: WorkBudget | None = None,
) -> Iterator[ImageUse]:
    """Every image an entry shows: its ``afbeelding`` and each <img> of its body."""
    base_path = site.config.base_path
    for entry in site.entries():
        if entry.afbeelding:
            line = entry.source.line_of("afbeelding")
            yield ImageUse(entry, entry.afbeelding, line, "afbeelding", shown=entry.afbeelding)
        if MAY_SHOW_IMAGE.search(entry.body):
            found = body_images(entry.body, base_path, memory, bodies, budget, entry.source.path)
            yield from body_image_uses(entry, found, base_path)


def body_images(
    text: str,
    base_path: str,
    memory: MediaMemory,
    bodies: DiskCache | None = None,
    budget: WorkBudget | None = None,
    path: str = "",
) -> BodyImages:
    """The <img> tags of a body's sanitised HTML: from memory (`serve`), from the HTML in
    the --cache folder, or rendered now (and handed to the render stage). A body that
    is too slow to convert shows nothing here (the render stage reports it)."""
    key = "body-images:" + body_key(text, base_path)
    known = memory.get(key)
    if isinstance(known, tuple):
        return known
    rendered = bodies.get(key.removeprefix("body-images:")) if bodies is not None else None
    if rendered is None:
        started = time.perf_counter()
        rendered = render_ahead(text, base_path)
        if budget is not None:
            budget.spend(path, time.perf_counter() - started)
    found = images_in(rendered) if rendered is not None else ()
    memory[key] = found
    return found


def body_image_uses(entry: Entry, found: BodyImages, base_path: str) -> Iterator[ImageUse]:
    """Each image of a body with its line, and its site path without the base path."""
    first = entry.source.line_of(BODY_LINE)
    text = without_code(entry.body) if found else ""
    searched_from: dict[str, int] = {}
    for src, alt in found:
        if src is None:
            continue  # an address elsewhere, dropped: the validator reports it
        shown = "/" + src[len(base_path) :] if src.startswith(base_path) else src
        offset = locate(text, shown, searched_from.get(shown, 0))
        searched_from[shown] = offset + 1
        line = first + text.count("\n", 0, offset)
        yield ImageUse(entry, unquote(shown), line, "body", alt, shown)


def locate(text: str, address: str, start: int) -> int:
    """Where the body writes this address (best effort): from ``start``, then anywhere;
    as written, with the percent escapes decoded, or its file name alone."""
    for needle in dict.fromkeys((address, unquote(address), address.rsplit("/", 1)[-1])):
        if not needle:
            continue
        for begin in (start, 0):
            found = text.find(needle, begin)
            if found >= 0:
                return found
    escaped = html.escape(address, quote=True)
    found = text.find(escaped)
    return max(found, 0)


def body_image_problem(use: ImageUse) -> str | None:
    """Why a body image cannot be shown before its file is read (Dutch), or None."""
    if not use.shown.startswith("/"):
        return (
            f"de afbeelding {shorten(use.shown)} heeft geen volledig pad; schrijf het pad "
            "vanaf /assets/, zoals ![Deelnemers in gesprek](/assets/afbeeldingen/zaal.jpg)"
        )
    if not use.address.startswith("/assets/"):
        return (
            f"{shorten(use.shown)} is geen afbeelding op de site; zet het bestand in "
            "assets/ en schrijf het pad, zoals /assets/afbeeldingen/zaal.jpg"
        )
    return None


def alt_problem(use: ImageUse) -> str | None:
    """A body image needs a description; ``alt=""`` written out marks a decorative one."""
    if use.alt == "" or (use.alt is not None and use.alt.strip()):
        return None
    return (
        f"de afbeelding {shorten(use.shown)} heeft geen beschrijving: schrijf tussen [ ] "
        f"wat erop staat, zoals ![Deelnemers in gesprek]({use.shown[:80]}); is het alleen "
        f'versiering, schrijf dan <img src="{use.shown[:80]}" alt="">'
    )


def pdf_uses(site: Site) -> Iterator[tuple[Publicatie, str, int]]:
    for entry in site.publicaties.values():
        url = entry.url or ""
        if url.startswith("/assets/") and url.lower().endswith(".pdf"):
            yield entry, url, entry.source.line_of("url")


def prepare_media(
    site: Site,
    assets: Assets,
    cache_dir: Path | None = None,
    memory: MediaMemory | None = None,
    budget: WorkBudget | None = None,
) -> tuple[Media, list[Diagnostic]]:
    """Read, check and prepare every image and PDF the entries use, within the build's
    ``budget`` of work (past it, the slowest files are errors and the rest is skipped)."""
    memory = {} if memory is None else memory
    budget = WorkBudget(site.config.work_seconds) if budget is None else budget
    forget_ahead()  # what the last build rendered ahead and did not use
    sources = {asset.site_path: asset.source for asset in assets.files}
    media = Media()
    problems: list[Diagnostic] = []
    published: set[str] = set()
    bodies = DiskCache(cache_dir) if cache_dir is not None else None
    per_entry: dict[str, int] = {}
    unusable: set[str] = set()  # images with an error where they are used
    for use in image_uses(site, memory, bodies, budget):
        if budget.exceeded:
            break
        entry, address, line, name = use.entry, use.address, use.line, use.field
        where = body_image_problem(use) if name == "body" else None
        result = (
            None
            if where
            else prepared(address, sources, site, memory, cache_dir, False, assets.refused, budget)
        )
        reasons = [what for what in (where, result) if isinstance(what, str)]
        if name == "body" and (missing_alt := alt_problem(use)):
            reasons.append(missing_alt)
        if reasons:
            unusable.add(address)
            count = per_entry[entry.source.path] = per_entry.get(entry.source.path, 0) + 1
            if count <= MAX_BODY_IMAGE_PROBLEMS:
                problems += [
                    diag.error(entry.source.path, line, f"{name}: {what}", name) for what in reasons
                ]
            continue
        assert isinstance(result, ImageSet)
        for key in dict.fromkeys((address, use.shown or address)):
            if key not in media.pictures:
                media.pictures[key] = picture_of(result, site.config.url(VARIANT_FOLDER))
        for variant in result.variants:
            site_path = VARIANT_FOLDER + variant.name
            if site_path in published:
                continue
            if site_path in sources:
                problems.append(taken_variant(entry, line, name, site_path))
                continue
            published.add(site_path)
            media.files.append(MediaFile(site_path.lstrip("/"), variant.data))
    for entry, address, line in pdf_uses(site):
        if budget.exceeded:
            break
        if address not in sources:
            continue  # the page plan reports a url that leads nowhere
        result = prepared(address, sources, site, memory, cache_dir, True, assets.refused, budget)
        if isinstance(result, str):
            problems.append(diag.error(entry.source.path, line, f"url: {result}", "url"))
            continue
        assert isinstance(result, PdfFacts)
        media.reports[address] = Report(link_label(result), result.text)
        shown = address.removeprefix("/")
        for found in accessibility_warnings(result, shown, line, "url"):
            problems.append(replace(found, path=entry.source.path, message=f"url: {found.message}"))
    copies, original_problems = stripped_originals(site, assets, memory, published | unusable)
    media.files += copies
    media.replaced = frozenset("/" + copy.file for copy in copies)
    return media, [*problems, *original_problems, *budget.problems()]


def stripped_originals(
    site: Site, assets: Assets, memory: MediaMemory, taken: set[str]
) -> tuple[list[MediaFile], list[Diagnostic]]:
    """A copy without camera metadata of each of the site's own raster images that has
    any, to publish at the original's path (kept by content hash); an image that cannot
    be read or stripped is an error on its file, and is not published."""
    theme = Path(os.path.realpath(THEME_ASSETS))
    copies: list[MediaFile] = []
    problems: list[Diagnostic] = []
    for asset in assets.files:
        suffix = asset.site_path.rsplit(".", 1)[-1].lower()
        if suffix not in STRIPPED_TYPES or asset.source.is_relative_to(theme):
            continue
        if asset.site_path in taken:
            continue  # a variant's name, or an image reported where it is used
        shown = asset.site_path.removeprefix("/")
        try:
            data = safefs.read_bytes(site.config.site_dir, asset.source, MAX_ORIGINAL_BYTES)
        except safefs.ReadRefused as exc:
            problems.append(diag.error(shown, 1, f"kan niet gelezen worden: {exc.reason}"))
            continue
        except OSError as exc:
            problems.append(diag.error(shown, 1, f"kan niet gelezen worden ({exc.strerror})"))
            continue
        key = "original:" + hashlib.sha256(data).hexdigest()
        if key not in memory:
            memory[key] = strip_metadata(data, suffix)
        result = memory[key]
        if isinstance(result, str):
            problems.append(diag.error(shown, 1, original_problem(result)))
        elif isinstance(result, bytes):
            copies.append(MediaFile(shown, result))
    return copies, problems


def original_problem(reason: str) -> str:
    if reason == DAMAGED:
        return (
            "de afbeelding is beschadigd, dus de bouw kan niet nagaan of er gegevens van de "
            "camera in staan (zoals de plek waar de foto is gemaakt); sla haar opnieuw op"
        )
    return f"de afbeelding kan niet gepubliceerd worden: {reason}"


def prepared(
    address: str,
    sources: dict[str, Path],
    site: Site,
    memory: MediaMemory,
    cache_dir: Path | None,
    is_pdf: bool,
    refused: Collection[str] = (),
    budget: WorkBudget | None = None,
) -> ImageSet | PdfFacts | str:
    """The prepared image or PDF at a site path, or a Dutch reason it cannot be used.
    ``refused`` are the asset paths the allow-list left out (each already an error)."""
    source = sources.get(address)
    what = "het bestand" if is_pdf else "de afbeelding"
    if source is None and address in refused:
        return (
            f"{what} {address} wordt niet gepubliceerd; zie de fout bij {address.removeprefix('/')}"
        )
    if source is None:
        return (
            f"{what} {address} bestaat niet; zet het bestand in de map "
            f"{address.removeprefix('/').rsplit('/', 1)[0]}/ of verbeter het pad"
        )
    limit = MAX_PDF_BYTES if is_pdf else MAX_IMAGE_BYTES + 1
    try:
        data = safefs.read_bytes(site.config.site_dir, source, max_bytes=limit)
    except safefs.ReadRefused as exc:
        return f"{what} {address} kan niet gelezen worden: {exc.reason}"
    except OSError as exc:
        return f"{what} {address} kan niet gelezen worden ({exc.strerror})"
    key = ("pdf:" if is_pdf else "image:") + hashlib.sha256(data).hexdigest()
    if key not in memory:
        started = time.perf_counter()
        if is_pdf:
            memory[key] = read_pdf(data)
        else:
            memory[key] = make_variants(data, PurePosixPath(address).stem, cache_dir)
        if budget is not None:
            budget.spend(address.removeprefix("/"), time.perf_counter() - started)
    result = memory[key]
    if isinstance(result, str):
        return f"{what} {address} kan niet gebruikt worden: {result}"
    assert isinstance(result, ImageSet | PdfFacts)
    return result


def picture_of(images: ImageSet, prefix: str) -> Picture:
    """What templates need of an image set; ``prefix`` is the variants' URL folder."""
    fallback = [v for v in images.variants if v.format == images.fallback_format]
    middle = min(fallback, key=lambda v: abs(v.width - 800))
    return Picture(
        width=images.width,
        height=images.height,
        src=prefix + middle.name,
        srcset=srcset(images.variants, images.fallback_format, prefix),
        webp_srcset=srcset(images.variants, "webp", prefix),
        largest=VARIANT_FOLDER + fallback[-1].name,
    )


def taken_variant(entry: Entry, line: int, name: str, site_path: str) -> Diagnostic:
    return diag.error(
        entry.source.path,
        line,
        f"{name}: de site heeft al een bestand {site_path}; de map assets/beeld/ is voor "
        "de verkleinde afbeeldingen die de bouw maakt, zet daar zelf niets",
        name,
    )
