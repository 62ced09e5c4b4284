"""Stage 6: write the site into a fresh sibling folder and swap it in only on success.

On any failure the previous output is left exactly as it was: nothing is written into
it, and the half-made new folder is removed. wsdgen only ever replaces a folder that it
made itself (it leaves a marker file there).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from . import diagnostics as diag
from .assets import AssetFile
from .diagnostics import Diagnostic
from .render import Rendered

MARKER = ".wsdgen-output"
MARKER_TEXT = "Deze map is gemaakt door wsdgen en wordt bij elke build vervangen.\n"


def replace_problem(out_dir: Path) -> str | None:
    """Why wsdgen may not replace this output folder, or None if it may."""
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        return f"'{out_dir}' bestaat al en is geen gewone map; kies een andere uitvoermap"
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        return (
            f"de map '{out_dir}' is niet leeg en is niet door wsdgen gemaakt; wsdgen "
            "vervangt die niet. Kies een andere uitvoermap of maak deze map zelf leeg"
        )
    return None


def publish(
    rendered: Iterable[Rendered],
    assets: Iterable[AssetFile],
    out_dir: Path,
    site_dir: Path,
    finish: Callable[[Path], None] | None = None,
) -> list[Diagnostic]:
    """Write everything to a new folder beside out_dir, then swap it in.

    ``finish`` runs on the new folder before the swap (the search indexer), so its
    files are part of the same all-or-nothing step.
    """
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
        # mkdtemp makes the folder private (0700); a web server must be able to read it.
        staging.chmod(0o777 & ~current_umask())
    except OSError as exc:
        return [diag.error(_shown(out_dir, site_dir), 1, f"kan niet schrijven ({exc.strerror})")]
    try:
        write_tree(staging, rendered, assets)
        if finish is not None:
            finish(staging)
        swap_in(staging, out_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        where = _shown(Path(exc.filename), site_dir) if exc.filename else _shown(out_dir, site_dir)
        return [diag.error(where, 1, f"kan niet schrijven of lezen ({exc.strerror})")]
    except Exception as exc:  # noqa: BLE001 - e.g. the search indexer failed: report, keep the site
        shutil.rmtree(staging, ignore_errors=True)
        return [
            diag.error(
                _shown(out_dir, site_dir),
                1,
                f"de nieuwe site kon niet afgemaakt worden ({type(exc).__name__}: {exc})",
            )
        ]
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return []


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_tree(root: Path, rendered: Iterable[Rendered], assets: Iterable[AssetFile]) -> None:
    made: set[Path] = set()

    def ensure_parent(target: Path) -> None:
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)

    for asset in assets:
        target = root / asset.site_path.lstrip("/")
        ensure_parent(target)
        shutil.copyfile(asset.source, target)
    for page in rendered:
        target = root / page.file
        ensure_parent(target)
        target.write_bytes(page.data)
    (root / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def swap_in(staging: Path, out_dir: Path) -> None:
    """Replace out_dir by staging with two renames; the old tree is removed afterwards."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rmdir(retired)
    os.rename(out_dir, retired)
    try:
        os.rename(staging, out_dir)
    except OSError:
        os.rename(retired, out_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _shown(path: Path, site_dir: Path) -> str:
    try:
        return path.resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return str(path)
