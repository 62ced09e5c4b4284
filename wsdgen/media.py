"""Stage 3b, media: the images and PDF reports that entries point to, checked and prepared.

After the site graph is linked, every ``afbeelding``, every image in a Markdown body
(``![beschrijving](/assets/...)``) and every publicatie whose ``url`` is a PDF under
``/assets/`` is read through the file rule and turned into what pages need:

- an image becomes responsive variants (``images.make_variants``: a few widths, WebP
  and the original format, metadata stripped), published under ``/assets/beeld/``;
- a PDF becomes its facts (``pdfs.read_pdf``): pages, size, title, language, tags and
  text, for the link label, the search index and the accessibility warnings.

Problems are values on the editor's file and field. Results are kept by content hash
(in memory for ``serve``, and image variants also under ``--cache``), so an unchanged
file is not decoded twice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from . import diagnostics as diag
from . import safefs
from .assets import Assets
from .diagnostics import Diagnostic
from .graph import Site
from .images import MAX_FILE_BYTES as MAX_IMAGE_BYTES
from .images import ImageSet, make_variants, srcset
from .pdfs import PdfFacts, accessibility_warnings, link_label, read_pdf
from .records import Entry, Publicatie
from .sources import BODY_LINE
from .validate import without_code

VARIANT_FOLDER = "/assets/beeld/"
MAX_PDF_BYTES = 100 * 1024 * 1024
# Local images in a Markdown body: ![alt](/assets/...), as the validator also reads them.
BODY_IMAGE = re.compile(r"!\[([^\[\]\n]{0,500})\]\(\s*<?(/assets/[^\s)>]*)")

MediaMemory = MutableMapping[str, "ImageSet | PdfFacts | str"]


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

    def digest(self) -> str:
        """Changes when any published variant or report changes (for `serve`)."""
        hasher = hashlib.sha256()
        for item in sorted(self.files, key=lambda f: f.file):
            hasher.update(item.file.encode() + b"\0")
        for path, report in sorted(self.reports.items()):
            hasher.update(f"{path}\0{report.label}\0{len(report.text)}\0".encode())
        return hasher.hexdigest()


def image_uses(site: Site) -> Iterator[tuple[Entry, str, int, str]]:
    """Every image an entry shows: (entry, site path, line, field)."""
    for entry in site.entries():
        if entry.afbeelding:
            yield entry, entry.afbeelding, entry.source.line_of("afbeelding"), "afbeelding"
        for offset, address in body_images(entry.body):
            line = entry.source.line_of(BODY_LINE) + entry.body.count("\n", 0, offset)
            yield entry, address, line, "body"


def body_images(body: str) -> Iterator[tuple[int, str]]:
    if "![" not in body:
        return
    for match in BODY_IMAGE.finditer(without_code(body)):
        yield match.start(), match[2]


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
) -> tuple[Media, list[Diagnostic]]:
    """Read, check and prepare every image and PDF the entries use."""
    memory = {} if memory is None else memory
    sources = {asset.site_path: asset.source for asset in assets.files}
    media = Media()
    problems: list[Diagnostic] = []
    published: set[str] = set()
    for entry, address, line, name in image_uses(site):
        result = prepared(address, sources, site, memory, cache_dir, is_pdf=False)
        if isinstance(result, str):
            problems.append(diag.error(entry.source.path, line, f"{name}: {result}", name))
            continue
        assert isinstance(result, ImageSet)
        if address not in media.pictures:
            media.pictures[address] = picture_of(result, site.config.url(VARIANT_FOLDER))
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
        if address not in sources:
            continue  # the page plan reports a url that leads nowhere
        result = prepared(address, sources, site, memory, cache_dir, is_pdf=True)
        if isinstance(result, str):
            problems.append(diag.error(entry.source.path, line, f"url: {result}", "url"))
            continue
        assert isinstance(result, PdfFacts)
        media.reports[address] = Report(link_label(result), result.text)
        shown = address.removeprefix("/")
        for found in accessibility_warnings(result, shown, line, "url"):
            problems.append(replace(found, path=entry.source.path, message=f"url: {found.message}"))
    return media, problems


def prepared(
    address: str,
    sources: dict[str, Path],
    site: Site,
    memory: MediaMemory,
    cache_dir: Path | None,
    is_pdf: bool,
) -> ImageSet | PdfFacts | str:
    """The prepared image or PDF at a site path, or a Dutch reason it cannot be used."""
    source = sources.get(address)
    what = "het bestand" if is_pdf else "de afbeelding"
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
        if is_pdf:
            memory[key] = read_pdf(data)
        else:
            memory[key] = make_variants(data, PurePosixPath(address).stem, cache_dir)
    result = memory[key]
    if isinstance(result, str):
        return f"{what} {address} kan niet gebruikt worden: {result}"
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
