"""Find the static files (the built-in theme's and the site's) and fingerprint CSS and JS.

A site's ``assets/`` folder is published under ``/assets/``; a site file with the same
name as a theme file replaces it. CSS and JS get their content hash in the file name
(``style.1a2b3c4d.css``) so hosting can cache them forever.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import diagnostics as diag
from . import safefs
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


def _walk(root: Path, site_dir: Path | None = None) -> tuple[dict[str, Path], list[Diagnostic]]:
    """Every file below root by its path relative to root, skipping hidden names.

    A symlinked folder is followed only when it passes the file rule (each real folder
    once, so a link loop ends); one that does not is an error.
    """
    found: dict[str, Path] = {}
    problems: list[Diagnostic] = []
    if not root.is_dir():
        return found, problems
    seen: set[str] = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
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
    site_dir: Path, fixed: Iterable[tuple[Path, str]] = ()
) -> tuple[Assets, list[Diagnostic]]:
    """List the files to publish under /assets/, theme first, the site's own on top,
    plus wsdgen's own ``fixed`` files (source, site path), such as the editing screen's.

    Every file passes the file rule (safefs): a symlink to ``../.git/config`` or to
    ``/proc/self/environ`` is an error, never published.
    """
    sources, problems = _walk(THEME_ASSETS)
    own = site_dir / "assets"
    folder_problem = safefs.folder_problem(site_dir, own) if own.exists() else None
    if folder_problem:
        problems.append(diag.error("assets", 1, f"assets/: {folder_problem}"))
    else:
        own_files, own_problems = _walk(own, site_dir)
        sources.update(own_files)
        problems += own_problems
    files: list[AssetFile] = []
    urls: dict[str, str] = {}
    for relative, path in sorted(sources.items()):
        shown = f"assets/{relative}"
        checked, problem = safefs.check_file(site_dir, path)
        if checked is None:
            problems.append(diag.error(shown, 1, problem or safefs.MISSING))
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
    return Assets(tuple(files), urls), problems
