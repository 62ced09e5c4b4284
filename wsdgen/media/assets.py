"""Find the static files (the built-in theme's and the site's) and fingerprint CSS and JS.

A site's ``assets/`` folder is published under ``/assets/``; a site file with the same
name as a theme file replaces it. CSS and JS get their content hash in the file name
(``style.1a2b3c4d.css``) so hosting can cache them forever.

Any werkplaats can change ``assets/`` in a pull request, and everything there is served
from the site's own origin, where ``/beheer/`` keeps the forge token. So a site file is
published only when its type is on the allow-list below, and nothing on it is run by a
browser as script or opened as a web page:

- images: .jpg .jpeg .png .webp .gif .avif .ico, and .svg after the check of
  ``svgcheck`` (no script, event handler, foreignObject or external reference);
- documents: .pdf, and office files .docx .xlsx .pptx .odt .ods .odp .doc .xls .ppt;
- fonts: .woff .woff2 .ttf .otf;
- stylesheets (.css, with no ``url()`` or ``@import`` of another host) and plain text
  (.txt, .csv).

Left out on purpose: HTML and XML of any kind (.html .htm .xhtml .xml .xsl; pages come
from ``content/``), JavaScript (.js .mjs; it comes from the theme, or from a site script
that ``config.yaml`` names under ``site_scripts``: code the central editors review),
.wasm, .svgz (a compressed SVG cannot be checked), archives, video and audio (large
files belong elsewhere), .json and .ics (the build makes the feeds and the calendar
itself), and a file without an extension. A name with a second, active extension
(``x.html.png``, ``x.js.pdf``) is refused too: some servers (Apache's mod_mime) act on
every extension of a name. Extensions are compared without regard to case, so
``X.HTML`` is HTML and ``FOTO.JPG`` a photo.

The bytes are checked where that is cheap: images, PDF, fonts and office files must
start with the signature of a format of their family (a ``.png`` holding HTML is
refused, one holding a JPEG is still a picture; PDF starts with ``%PDF-``; office files
with a zip or OLE header; fonts with a WOFF, WOFF2, TrueType or OpenType tag); text
and stylesheets may hold no NUL byte and may not start with ``<`` (as a web page does);
an SVG is parsed in full. A file that passes keeps its name and bytes. The theme's own
files are wsdgen's code and are not checked here. ``upload_problem`` is the same rule
for the local /beheer/ backend's uploads.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from wsdgen import diagnostics as diag
from wsdgen.diagnostics import Diagnostic
from wsdgen.load import safefs
from wsdgen.media.svgcheck import MAX_SVG_BYTES, stylesheet_problem, svg_problem
from wsdgen.session import current

THEME_ASSETS = Path(__file__).parent.parent / "theme" / "assets"
FINGERPRINTED = (".css", ".js")

# --- The allow-list of published file types (see the module's docstring). ---

IMAGE_TYPES = ("jpg", "jpeg", "png", "webp", "gif", "avif", "svg", "ico")
DOCUMENT_TYPES = ("pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls", "ppt")
FONT_TYPES = ("woff", "woff2", "ttf", "otf")
TEXT_TYPES = ("css", "txt", "csv")
ALLOWED_TYPES = frozenset(IMAGE_TYPES + DOCUMENT_TYPES + FONT_TYPES + TEXT_TYPES)
SCRIPT_TYPE = "js"  # only from the theme, or named in config.yaml's site_scripts
PAGE_TYPES = frozenset({"html", "htm", "xhtml", "xht", "shtml"})
# Extensions that make a server send a file as a page or run it, wherever in the name.
ACTIVE_TYPES = PAGE_TYPES | {
    "js", "mjs", "cjs", "svg", "svgz", "xml", "xsl", "xslt", "wasm", "php", "phtml",
    "php3", "php4", "php5", "phar", "cgi", "pl", "py", "asp", "aspx", "jsp", "shtm",
    "swf", "hta", "htaccess",
}  # fmt: skip
ALLOWED_TEXT = (
    "afbeeldingen (.jpg, .jpeg, .png, .webp, .gif, .avif, .svg, .ico), documenten (.pdf, "
    ".docx, .xlsx, .pptx, .odt, .ods, .odp, .doc, .xls, .ppt), lettertypen (.woff, "
    ".woff2, .ttf, .otf), stijlbladen (.css) en tekst (.txt, .csv)"
)
SCRIPT_REVIEW = (
    "JavaScript komt alleen uit het thema, of uit een script dat config.yaml noemt onder "
    "site_scripts (code die de centrale redactie eerst nakijkt)"
)

# Signatures per family: within a family any member's will do (a photo saved as .png
# that is really a JPEG is still shown as a picture; a .doc that is really a .docx still
# opens), but a file must be of the family its extension names.
RASTER = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"\x00\x00\x01\x00",  # ICO
)
FONT = (b"wOFF", b"wOF2", b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf")
OFFICE = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # zip; OLE (doc, xls, ppt)
PDF = (b"%PDF-",)
RASTER_LABEL = "afbeelding (JPEG, PNG, GIF, WebP, AVIF of ICO)"
FAMILIES: dict[str, tuple[tuple[bytes, ...], str]] = {
    **{kind: (RASTER, RASTER_LABEL) for kind in IMAGE_TYPES if kind != "svg"},
    "pdf": (PDF, "PDF-document"),
    **{kind: (OFFICE, "Office- of OpenDocument-bestand") for kind in DOCUMENT_TYPES[1:]},
    **{kind: (FONT, "lettertype") for kind in FONT_TYPES},
}
# Enough for every signature and for the start a browser looks at when it sniffs.
HEAD_BYTES = 2048
MAX_STYLESHEET_BYTES = 2 * 1024 * 1024


def suffix_of(name: str) -> str:
    """The extension of a file name, lower case, without the dot ('' when it has none or
    the name ends in a dot or space)."""
    last = name.rpartition("/")[2]
    if "." not in last.lstrip(".") or last != last.rstrip(". "):
        return ""
    return last.rpartition(".")[2].lower()


def name_problem(
    relative: str,
    site_scripts: Collection[str] = (),
    theme_files: Collection[str] = (),
) -> str | None:
    """Why a site file at ``assets/<relative>`` may not be published by its name (Dutch),
    or None. ``site_scripts`` are the scripts config.yaml names; ``theme_files`` the
    theme's own files (a site file can replace one)."""
    name = relative.rpartition("/")[2]
    suffix = suffix_of(name)
    if not suffix:
        return (
            "dit bestand heeft geen extensie (zoals .pdf of .png), dus het soort bestand is "
            f"onbekend; onder assets/ mogen alleen {ALLOWED_TEXT}"
        )
    inner = [part.lower() for part in name.lstrip(".").split(".")[1:-1]]
    active = next((part for part in inner if part in ACTIVE_TYPES), None)
    if active is not None and not (suffix == SCRIPT_TYPE and relative in site_scripts):
        stem = name.split(".")[0] or "bestand"
        return (
            f"de naam bevat .{active} als extra extensie, en sommige servers sturen zo'n "
            f"bestand als webpagina of script; geef het één extensie, zoals {stem}.{suffix}"
        )
    if suffix == SCRIPT_TYPE:
        if relative in site_scripts:
            return None
        if relative in theme_files:
            return f"dit bestand vervangt het script {relative} van het thema; {SCRIPT_REVIEW}"
        return f"JavaScript wordt niet gepubliceerd: {SCRIPT_REVIEW}"
    if suffix in PAGE_TYPES:
        return (
            f"webpagina's (.{suffix}) worden niet als bestand gepubliceerd: maak er een pagina "
            f"van in content/paginas/; onder assets/ mogen alleen {ALLOWED_TEXT}"
        )
    if suffix not in ALLOWED_TYPES:
        return (
            f"bestanden van het soort .{suffix} worden niet gepubliceerd; onder assets/ mogen "
            f"alleen {ALLOWED_TEXT}"
        )
    return None


def _modern_image(data: bytes) -> bool:
    """WebP (a RIFF container) or AVIF (an ISO media file of brand avif/avis)."""
    webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    avif = data[4:8] == b"ftyp" and (b"avif" in data[8:64] or b"avis" in data[8:64])
    return webp or avif


def _looks_like_markup(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n\f").startswith(b"<")


def bytes_problem(suffix: str, data: bytes) -> tuple[int, str] | None:
    """(line, Dutch reason) when the bytes do not fit the (allowed) extension, or None.

    ``data`` is the whole file for .svg and .css, at least its first HEAD_BYTES for the
    other types."""
    if suffix == "svg":
        return svg_problem(data)
    if suffix in FAMILIES:
        signatures, label = FAMILIES[suffix]
        if data.startswith(signatures) or (label == RASTER_LABEL and _modern_image(data)):
            return None
        found = " maar HTML, XML of script" if _looks_like_markup(data) else ""
        return 1, (
            f"de inhoud past niet bij de extensie .{suffix}: het is geen {label}{found}; "
            "sla het bestand opnieuw op in dat formaat, of geef het de juiste extensie"
        )
    if suffix in TEXT_TYPES:
        if b"\x00" in data[:HEAD_BYTES]:
            return 1, f"de inhoud past niet bij de extensie .{suffix}: het is geen tekstbestand"
        if _looks_like_markup(data):
            return 1, (
                f"dit .{suffix}-bestand begint met <, zoals een webpagina; zo'n bestand wordt "
                "niet gepubliceerd"
            )
        if suffix == "css":
            problem = stylesheet_problem(data)
            return (1, problem) if problem else None
    return None


def upload_problem(name: str, data: bytes) -> str | None:
    """The same rule for a file uploaded through /beheer/ (Dutch), or None: by its name
    and by its bytes; scripts are never taken."""
    problem = name_problem(name)
    if problem is None:
        found = bytes_problem(suffix_of(name), data)
        problem = found[1] if found else None
    return problem


def _read_head(real: Path, limit: int, shown: str) -> bytes:
    """The first ``limit`` bytes of a file that passed the file rule (opened as safefs
    does: no last symlink, no blocking, a regular file on the open descriptor)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    with os.fdopen(os.open(real, flags), "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise safefs.ReadRefused(safefs.SPECIAL, shown)
        return handle.read(limit)


# Verdicts per file version are kept in the session, so serve does not parse every SVG
# again after each edit.
MAX_VERDICTS = 20_000


def site_file_problem(
    checked: safefs.Checked, relative: str, site_scripts: Collection[str], theme: Collection[str]
) -> tuple[int, str] | None:
    """(line, Dutch reason) when a site file under assets/ may not be published, or None."""
    problem = name_problem(relative, site_scripts, theme)
    if problem:
        return 1, problem
    suffix = suffix_of(relative)
    if suffix == SCRIPT_TYPE:
        return None
    info = checked.info
    key = (str(checked.real), info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    verdicts = current().verdicts
    if key in verdicts:
        return verdicts[key]
    shown = f"assets/{relative}"
    try:
        if suffix in ("svg", "css"):
            limit = MAX_SVG_BYTES if suffix == "svg" else MAX_STYLESHEET_BYTES
            data = safefs.read_regular(checked.real, limit, shown)
        else:
            data = _read_head(checked.real, HEAD_BYTES, shown)
    except safefs.ReadRefused as exc:
        return 1, exc.reason
    except OSError as exc:
        return 1, f"kan niet gelezen worden ({exc.strerror})"
    verdict = bytes_problem(suffix, data)
    if len(verdicts) >= MAX_VERDICTS:
        verdicts.clear()
    verdicts[key] = verdict
    return verdict


@dataclass(frozen=True, slots=True)
class AssetFile:
    source: Path
    site_path: str  # where it is published, e.g. /assets/css/style.1a2b3c4d.css


@dataclass(frozen=True, slots=True)
class Assets:
    files: tuple[AssetFile, ...] = ()
    urls: dict[str, str] = field(default_factory=dict)  # 'css/style.css' -> site path
    # Site files left out by the allow-list (site paths); each is already an error, so a
    # later stage need not call an image there missing.
    refused: frozenset[str] = frozenset()

    @property
    def site_paths(self) -> frozenset[str]:
        return frozenset(f.site_path for f in self.files)

    def digest(self) -> str:
        return hashlib.sha256("\n".join(sorted(self.urls.values())).encode()).hexdigest()


def _walk(root: Path, site_dir: Path | None = None) -> tuple[dict[str, Path], list[Diagnostic]]:
    """Every file below root by its path relative to root, skipping hidden names.

    A symlinked folder is followed only when it passes the file rule (each real folder
    once, so a link loop ends); one that does not is an error.
    """
    found: dict[str, Path] = {}
    problems: list[Diagnostic] = []
    if not root.is_dir():
        return found, problems
    for folder, dirs, files in safefs.walk_following_links(root):
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            path = Path(folder) / name
            linked = site_dir is not None and path.is_symlink()
            problem = safefs.folder_problem(site_dir, path) if linked and site_dir else None
            if problem:
                shown = f"assets/{path.relative_to(root).as_posix()}"
                problems.append(diag.error(shown, 1, problem))
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            if not name.startswith("."):
                path = Path(folder) / name
                found[path.relative_to(root).as_posix()] = path
    return found, problems


def fingerprint(relative: str, data: bytes) -> str:
    stem, _, suffix = relative.rpartition(".")
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{suffix}"


def collect_assets(
    site_dir: Path,
    fixed: Iterable[tuple[Path, str]] = (),
    site_scripts: Collection[str] = (),
) -> tuple[Assets, list[Diagnostic]]:
    """List the files to publish under /assets/, theme first, the site's own on top,
    plus wsdgen's own ``fixed`` files (source, site path), such as the editing screen's.

    Every file passes the file rule (safefs): a symlink to ``../.git/config`` or to
    ``/proc/self/environ`` is an error, never published. Every site file passes the
    allow-list (see the module's docstring); ``site_scripts`` are the scripts
    config.yaml names.
    """
    sources, problems = _walk(THEME_ASSETS)
    theme = frozenset(sources)
    own = site_dir / "assets"
    own_files: dict[str, Path] = {}
    folder_problem = safefs.folder_problem(site_dir, own) if own.exists() else None
    if folder_problem:
        problems.append(diag.error("assets", 1, f"assets/: {folder_problem}"))
    else:
        own_files, own_problems = _walk(own, site_dir)
        sources.update(own_files)
        problems += own_problems
    for script in site_scripts:
        if script not in own_files:
            problems.append(
                diag.error(
                    "config.yaml",
                    1,
                    f"site_scripts noemt {script}, maar assets/{script} bestaat niet",
                )
            )
    files: list[AssetFile] = []
    urls: dict[str, str] = {}
    refused_paths: set[str] = set()
    for relative, path in sorted(sources.items()):
        shown = f"assets/{relative}"
        checked, problem = safefs.check_file(site_dir, path)
        if checked is None:
            problems.append(diag.error(shown, 1, problem or safefs.MISSING))
            continue
        if relative in own_files:
            refused = site_file_problem(checked, relative, site_scripts, theme)
            if refused is not None:
                problems.append(diag.error(shown, refused[0], refused[1]))
                refused_paths.add(f"/assets/{relative}")
                continue
        published = relative
        if relative.endswith(FINGERPRINTED):
            try:
                published = fingerprint(relative, safefs.read_regular(checked.real, None, shown))
            except safefs.ReadRefused as exc:
                problems.append(diag.error(shown, 1, exc.reason))
                continue
            except OSError as exc:
                problems.append(diag.error(shown, 1, f"kan niet gelezen worden ({exc.strerror})"))
                continue
            urls[relative] = f"/assets/{published}"
        files.append(AssetFile(checked.real, f"/assets/{published}"))
    for source, site_path in fixed:
        checked, problem = safefs.check_file(site_dir, source)
        if checked is None:
            problems.append(diag.error(site_path.lstrip("/"), 1, problem or safefs.MISSING))
        else:
            files.append(AssetFile(checked.real, site_path))
    return Assets(tuple(files), urls, frozenset(refused_paths)), problems
