"""Stage 6: write the site into a fresh sibling folder and swap it in only on success.

On any failure the previous output is left exactly as it was: nothing is written into
it, and the half-made new folder is removed (also after Ctrl+C or SIGTERM). wsdgen only
ever replaces a folder that it made itself (it leaves a marker file there).

The new folder is ``.<out>.new-<pid>-<random>`` beside the output, and the old output
is moved to ``.<out>.old-<pid>-<random>`` and removed by a process of its own, so that
deleting thousands of files is not part of the build's time (remove_later). A build that was killed
outright (kill -9) leaves such a folder behind; the next build removes it, but only
when it carries one of wsdgen's markers and the process named in it is gone.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from wsdgen import diagnostics as diag
from wsdgen.cache.pagecache import StoredFile
from wsdgen.diagnostics import Diagnostic
from wsdgen.media.assets import AssetFile
from wsdgen.render.renderer import Rendered, RenderError
from wsdgen.workers import stop_signals_deferred

MARKER = ".wsdgen-output"
MARKER_TEXT = "Deze map is gemaakt door wsdgen en wordt bij elke build vervangen.\n"
# In a folder that is still being written; holds the pid of the build that writes it.
STAGING_MARKER = ".wsdgen-staging"
# A note on a KeyboardInterrupt that came after the new site was already in place.
PUBLISHED = "wsdgen: de nieuwe site stond al op zijn plaats"


class FolderStep(Protocol):
    """Work on the new folder that belongs to the same all-or-nothing step: the search
    index (publish/search.py), told of every page as it is written."""

    def page_written(self, folder: Path, file: str, data: bytes) -> None: ...

    def finish(self, folder: Path) -> None: ...

    def close(self) -> None: ...


class DuplicateOutput(ValueError):
    """Two planned files have the same place in the output; the writer writes neither."""


def replace_problem(out_dir: Path) -> str | None:
    """Why wsdgen may not replace this output folder, or None if it may."""
    try:
        info = os.lstat(out_dir)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"de uitvoermap '{out_dir}' kan niet gebruikt worden ({exc.strerror})"
    if not stat.S_ISDIR(info.st_mode):
        return f"'{out_dir}' bestaat al en is geen gewone map; kies een andere uitvoermap"
    try:
        empty = not any(out_dir.iterdir())
    except OSError as exc:
        return f"de uitvoermap '{out_dir}' kan niet gelezen worden ({exc.strerror})"
    if not empty and not _is_regular_file(out_dir / MARKER):
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
    step: FolderStep | None = None,
) -> list[Diagnostic]:
    """Write everything to a new folder beside out_dir, then swap it in.

    ``rendered`` may be pages still being rendered (an iterator): each is written as it
    comes, and a RenderError from it leaves the old site as it was and is raised again.
    ``step`` (the search indexer) hears of each page and finishes before the swap, so
    its files are part of the same all-or-nothing step.
    """
    staging: Path | None = None
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_siblings(out_dir)
        with stop_signals_deferred():
            staging = new_staging(out_dir)
        write_tree(staging, rendered, assets, step)
        if step is not None:
            step.finish(staging)
        (staging / STAGING_MARKER).unlink()
        swap_in(staging, out_dir)
    except OSError as exc:
        abandon(staging, step)
        if staging is None:
            return [
                diag.error(_shown(out_dir, site_dir), 1, f"kan niet schrijven ({exc.strerror})")
            ]
        where = _shown(Path(exc.filename), site_dir) if exc.filename else _shown(out_dir, site_dir)
        return [diag.error(where, 1, f"kan niet schrijven of lezen ({exc.strerror})")]
    except RenderError:
        abandon(staging, step)
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. the search indexer failed: report, keep the site
        abandon(staging, step)
        return [
            diag.error(
                _shown(out_dir, site_dir),
                1,
                f"de nieuwe site kon niet afgemaakt worden ({type(exc).__name__}: {exc})",
            )
        ]
    except BaseException:
        abandon(staging, step)
        raise
    return []


def abandon(staging: Path | None, step: FolderStep | None) -> None:
    """Stop the step's work in the new folder, then remove the folder."""
    if step is not None:
        step.close()
    discard(staging)


def new_staging(out_dir: Path) -> Path:
    """A fresh, readable folder beside out_dir, marked at once with this build's pid."""
    pid = os.getpid()
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-{pid}-", dir=out_dir.parent))
    (staging / STAGING_MARKER).write_text(f"{pid}\n", encoding="utf-8")
    # mkdtemp makes the folder private (0700); a web server must be able to read it.
    staging.chmod(0o777 & ~current_umask())
    return staging


def discard(folder: Path | None) -> None:
    """Remove a half-made folder; a second Ctrl+C meanwhile waits until it is gone."""
    if folder is not None:
        with stop_signals_deferred():
            shutil.rmtree(folder, ignore_errors=True)


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_tree(
    root: Path,
    rendered: Iterable[Rendered],
    assets: Iterable[AssetFile],
    step: FolderStep | None = None,
) -> None:
    made: set[Path] = set()
    written: set[Path] = set()

    def claim(target: Path) -> None:
        if target in written:
            shown = target.relative_to(root).as_posix()
            raise DuplicateOutput(f"'{shown}' zou twee keer geschreven worden")
        written.add(target)
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)

    for asset in assets:
        target = root / asset.site_path.lstrip("/")
        claim(target)
        shutil.copyfile(asset.source, target)
    for page in rendered:
        target = root / page.file
        claim(target)
        if page.stored is None or not link_stored(page.stored, target):
            target.write_bytes(page.data)
        if step is not None:
            step.page_written(root, page.file, page.data)
    (root / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def link_stored(stored: StoredFile, target: Path) -> bool:
    """Put a page from the page cache in place as a hard link to its stored file (no
    bytes written; a warm build of 10,000 entries reuses 14,000 pages). True only when
    the link is that very file as it was read and checked, readable by all; otherwise
    the link is removed again and the caller writes the bytes. A stored file that
    someone else may write is not linked, and a cache on another file system cannot be
    linked to (both False)."""
    readable = stored.mode & 0o444 == 0o444
    # A published page shares the stored file's bytes: if anyone else could write that
    # file (or its owner is not this user), the page could change after the build.
    private = stored.mode & 0o022 == 0 and stored.owner == getattr(os, "getuid", lambda: 0)()
    if not readable or not private:
        return False
    try:
        os.link(stored.path, target, follow_symlinks=False)
    except OSError:
        return False
    try:
        info = os.lstat(target)
    except OSError:
        info = None
    # Its modification time, not its change time: making a link changes the latter.
    now = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns) if info else None
    same = info is not None and stat.S_ISREG(info.st_mode) and now == stored.identity
    if not same:
        target.unlink(missing_ok=True)
    return same


def swap_in(staging: Path, out_dir: Path) -> None:
    """Replace out_dir by staging with two renames; the old tree is removed afterwards.

    The renames are not cut in half by Ctrl+C or SIGTERM: the signals are blocked while
    they run (workers.stop_signals_deferred) and act just after them; then the old tree
    is still removed, and the KeyboardInterrupt carries the note PUBLISHED (the new
    site is in place), so the command says so and exits 130 or 143.
    """
    swapped = False
    retired: Path | None = None
    try:
        with stop_signals_deferred():
            retired = exchange(staging, out_dir)
            swapped = True
        if retired is not None:
            remove_later(retired)
    except KeyboardInterrupt as exc:
        if swapped:
            exc.add_note(PUBLISHED)
            discard(retired)  # the old site, swapped out: no .old-* folder stays behind
        raise


# Removes one folder, in a process of its own that outlives the build.
REMOVER = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"


def remove_later(folder: Path) -> None:
    """Remove the swapped-out site without waiting for it: a process of its own deletes
    the folder (thousands of files) while the build reports and exits. Should that
    process not finish, the folder is a stale sibling, which the next build removes
    (stale_siblings); should it not start, the folder is removed here and now."""
    try:
        subprocess.Popen(
            [sys.executable, "-c", REMOVER, str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


def exchange(staging: Path, out_dir: Path) -> Path | None:
    """Put staging at out_dir; return where the old output went (None if there was none)."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return None
    retired = Path(
        tempfile.mkdtemp(prefix=f".{out_dir.name}.old-{os.getpid()}-", dir=out_dir.parent)
    )
    os.rmdir(retired)
    os.rename(out_dir, retired)
    try:
        os.rename(staging, out_dir)
    except OSError:
        os.rename(retired, out_dir)
        raise
    return retired


# --- Folders left by builds that were killed outright. ---


def stale_siblings(out_dir: Path) -> list[Path]:
    """The .<out>.new-*/.old-* folders beside out_dir that a dead wsdgen build left."""
    pattern = re.compile(rf"\.{re.escape(out_dir.name)}\.(?:new|old)-([0-9]{{1,10}})-[a-z0-9_]+")
    try:
        names = os.listdir(out_dir.parent)
    except OSError:
        return []
    found = []
    for name in sorted(names):
        match = pattern.fullmatch(name)
        folder = out_dir.parent / name
        if match is None or not (is_ours(folder) or is_empty_folder(folder)):
            continue
        if not build_running(int(match[1])):
            found.append(folder)
    return found


def is_empty_folder(folder: Path) -> bool:
    """A real, empty folder: what a build killed between making its staging folder and
    writing the marker into it leaves (removing it can lose nothing)."""
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return False
        with os.scandir(folder) as entries:
            return next(entries, None) is None
    except OSError:
        return False


def is_ours(folder: Path) -> bool:
    """A real folder (not a symlink) holding one of wsdgen's marker files."""
    try:
        if not stat.S_ISDIR(os.lstat(folder).st_mode):
            return False
    except OSError:
        return False
    return any(_is_regular_file(folder / marker) for marker in (STAGING_MARKER, MARKER))


def _is_regular_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def build_running(pid: int) -> bool:
    """Whether the build with this pid may still be running (when unsure: yes).

    Our own pid counts as gone: this process has not made its folder yet, so a folder
    with its number is from an earlier process that had the same number (containers
    often give every run the same pid).
    """
    if pid == os.getpid():
        return False
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # e.g. PermissionError: a process of another user has this pid
    return True


def remove_stale_siblings(out_dir: Path) -> None:
    for folder in stale_siblings(out_dir):
        shutil.rmtree(folder, ignore_errors=True)


def _shown(path: Path, site_dir: Path) -> str:
    try:
        return path.resolve().relative_to(site_dir.resolve()).as_posix()
    except ValueError:
        return str(path)
