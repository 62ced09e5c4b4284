"""Find the static files (the built-in theme's and the site's) and fingerprint CSS and JS.

A site's ``assets/`` folder is published under ``/assets/``; a site file with the same
name as a theme file replaces it. CSS and JS get their content hash in the file name
(``style.1a2b3c4d.css``) so hosting can cache them forever.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import diagnostics as diag
from .diagnostics import Diagnostic

THEME_ASSETS = Path(__file__).parent / "theme" / "assets"
FINGERPRINTED = (".css", ".js")


@dataclass(frozen=True, slots=True)
class AssetFile:
    source: Path
    site_path: str  # where it is published, e.g. /assets/css/style.1a2b3c4d.css


@dataclass(frozen=True, slots=True)
class Assets:
    files: tuple[AssetFile, ...] = ()
    urls: dict[str, str] = field(default_factory=dict)  # 'css/style.css' -> site path

    @property
    def site_paths(self) -> frozenset[str]:
        return frozenset(f.site_path for f in self.files)

    def digest(self) -> str:
        return hashlib.sha256("\n".join(sorted(self.urls.values())).encode()).hexdigest()


def _walk(root: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    if not root.is_dir():
        return found
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                path = Path(folder) / name
                found[path.relative_to(root).as_posix()] = path
    return found


def fingerprint(relative: str, data: bytes) -> str:
    stem, _, suffix = relative.rpartition(".")
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{suffix}"


def collect_assets(site_dir: Path) -> tuple[Assets, list[Diagnostic]]:
    """List the files to publish under /assets/, theme first, the site's own on top."""
    sources = _walk(THEME_ASSETS)
    sources.update(_walk(site_dir / "assets"))
    site_real = Path(os.path.realpath(site_dir))
    files: list[AssetFile] = []
    urls: dict[str, str] = {}
    problems: list[Diagnostic] = []
    for relative, path in sorted(sources.items()):
        shown = f"assets/{relative}"
        real = Path(os.path.realpath(path))
        if not path.is_relative_to(THEME_ASSETS) and not real.is_relative_to(site_real):
            problems.append(diag.error(shown, 1, "dit bestand wijst naar een plek buiten de site"))
            continue
        published = relative
        if relative.endswith(FINGERPRINTED):
            try:
                published = fingerprint(relative, path.read_bytes())
            except OSError as exc:
                problems.append(diag.error(shown, 1, f"kan niet gelezen worden ({exc.strerror})"))
                continue
            urls[relative] = f"/assets/{published}"
        files.append(AssetFile(path, f"/assets/{published}"))
    return Assets(tuple(files), urls), problems
