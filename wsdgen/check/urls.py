"""Site paths: one normal form for every output path, and the check that no two planned
files (pages, feeds, alias redirects, assets) end up in the same place.

A web server maps ``/a//b/``, ``/a/b/index.html`` and ``/a/%62/`` to the same file as
``/a/b/``, a case-insensitive disk (or host) mixes ``/A/`` with ``/a/``, and a Mac's disk
a decomposed ``ö`` with a composed one. So paths are compared in that normal form, and
a file that would also have to be a folder (``/x.ics`` and ``/x.ics/index.html``) is a
collision too. The page plan is the one place that knows the site's paths; this module
only compares them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

# Paths that end in one of these are files; any other path is a folder ('/a' is '/a/').
FILE_SUFFIXES = (".html", ".htm", ".xml", ".ics", ".txt", ".yml", ".json", ".csv", "/_redirects")
INDEX = "index.html"


@functools.lru_cache(maxsize=65536)
def normal_path(path: str) -> str:
    """The one form of a site path: percent-escapes decoded, '//' collapsed, a trailing
    'index.html' dropped, and a folder ending in '/'."""
    text = "/" + re.sub(r"/{2,}", "/", unquote(path, errors="strict")).lstrip("/")
    if text.endswith("/" + INDEX):
        text = text[: -len(INDEX)]
    if text.endswith("/") or text.endswith(FILE_SUFFIXES):
        return text
    return text + "/"


@functools.lru_cache(maxsize=65536)
def output_file_of(path: str) -> str:
    """The file a site path is written to, relative to the output folder."""
    normal = normal_path(path)
    return normal.lstrip("/") + INDEX if normal.endswith("/") else normal.lstrip("/")


@functools.lru_cache(maxsize=65536)
def compared_file(path: str) -> str:
    """The output file of a site path as hosts and disks may see it: case folded and in
    Unicode NFC, so '/Werkplaatsen/ZUYD/' and a decomposed 'o\u0308' meet their twins."""
    text = unicodedata.normalize("NFC", output_file_of(path))
    return unicodedata.normalize("NFC", text.casefold())


@dataclass(frozen=True, slots=True)
class Claim:
    """Who asks for an output path: a file and line (an entry, an alias) or the site."""

    owner: str  # how messages name it, e.g. "de pagina van content/themas/x.md"
    path: str = ""  # the source file, relative to the site ('' for the site's own pages)
    line: int = 1
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Collision:
    """A claim that wants a file (or folder) another claim already has."""

    claim: Claim
    wanted: str  # the site path as the claim wrote it
    holder: Claim


def find_collisions(claims: Iterable[tuple[str, Claim]]) -> list[Collision]:
    """Every claim whose output file is taken already, or that needs a folder where
    another claim has a file (or the other way round). Earlier claims win, so callers
    pass the site's own pages before aliases."""
    files: dict[str, tuple[str, Claim]] = {}
    folders: dict[str, tuple[str, Claim]] = {}
    collisions: list[Collision] = []
    for wanted, claim in claims:
        file = compared_file(wanted)
        parents = file.split("/")[:-1]
        prefixes = ["/".join(parents[:depth]) for depth in range(1, len(parents) + 1)]
        holder = (
            files.get(file)
            or folders.get(file)
            or next((files[p] for p in prefixes if p in files), None)
        )
        if holder is not None:
            collisions.append(Collision(claim, wanted, holder[1]))
            continue
        files[file] = (wanted, claim)
        for prefix in prefixes:
            folders.setdefault(prefix, (wanted, claim))
    return collisions
