"""The one rule for every file the build reads: content, templates, assets and config.

A site is written by many people through pull requests, and CI builds it with a deploy
token in its environment and in ``.git/config``. So a path is read only when it
resolves (symlinks and ``..`` followed) inside one of the allowed roots (the site
folder, or the built-in theme that ships with wsdgen), outside hidden folders and
files (``.git``, ``.env``, ...) and is a regular file: FIFOs, devices and sockets are
never opened, so ``/proc/self/environ``, ``../.git/config`` or a pipe that never ends
cannot reach the output. Everything that reads a file goes through this module.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

THEME_ROOT = Path(__file__).parent.parent / "theme"

OUTSIDE = "dit bestand wijst (via een snelkoppeling) naar een plek buiten de site"
HIDDEN = "dit bestand ligt in of wijst naar een verborgen map of bestand (zoals .git)"
SPECIAL = "dit is geen gewoon bestand (maar bijvoorbeeld een pijp of apparaat)"
MISSING = "dit bestand kan niet gelezen worden (een snelkoppeling die nergens heen wijst?)"
FOLDER_OUTSIDE = "deze map wijst (via een snelkoppeling) naar een plek buiten de site"
FOLDER_HIDDEN = "deze map ligt in of wijst naar een verborgen map (zoals .git)"


@dataclass(frozen=True, slots=True)
class Checked:
    """A file that passed the rule: its resolved path and its stat (taken on that path)."""

    real: Path
    info: os.stat_result


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _root_of(real: Path, roots: tuple[Path, ...]) -> Path | None:
    for root in roots:
        if real.is_relative_to(root):
            return root
    return None


def _is_hidden(parts: tuple[str, ...]) -> bool:
    return any(part.startswith(".") for part in parts)


def allowed_roots(site_dir: Path) -> tuple[Path, ...]:
    """The folders whose files the build may read: the site, and wsdgen's own theme."""
    return (_real(site_dir), _real(THEME_ROOT))


def check_file(site_dir: Path, path: Path) -> tuple[Checked | None, str | None]:
    """Apply the rule to one file: (the checked file, None) or (None, a Dutch reason)."""
    roots = allowed_roots(site_dir)
    if _is_hidden(_parts_below(path, site_dir)):
        return None, HIDDEN
    try:
        real = _real(path)
    except (OSError, ValueError):
        return None, MISSING
    root = _root_of(real, roots)
    if root is None:
        return None, OUTSIDE
    if _is_hidden(real.relative_to(root).parts):
        return None, HIDDEN
    try:
        info = os.stat(real)
    except (OSError, ValueError):
        return None, MISSING
    if not stat.S_ISREG(info.st_mode):
        return None, SPECIAL
    return Checked(real, info), None


def folder_problem(site_dir: Path, folder: Path) -> str | None:
    """Why the build may not look into this folder (Dutch), or None."""
    roots = allowed_roots(site_dir)
    real = _real(folder)
    root = _root_of(real, roots)
    if root is None:
        return FOLDER_OUTSIDE
    if _is_hidden(real.relative_to(root).parts) or _is_hidden(_parts_below(folder, site_dir)):
        return FOLDER_HIDDEN
    return None


def _parts_below(path: Path, site_dir: Path) -> tuple[str, ...]:
    """The path's own segments below the site (or theme) it is written under, before
    symlinks are resolved: a hidden name anywhere on the way counts."""
    absolute = Path(os.path.abspath(path))
    for root in (Path(os.path.abspath(site_dir)), Path(os.path.abspath(THEME_ROOT))):
        if absolute.is_relative_to(root):
            return absolute.relative_to(root).parts
    return ()


class ReadRefused(OSError):
    """A file the rule refuses; ``reason`` is the Dutch explanation."""

    def __init__(self, reason: str, filename: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.filename = filename


def read_bytes(site_dir: Path, path: Path, max_bytes: int | None = None) -> bytes:
    """Read a file under the rule. Raises ReadRefused (Dutch reason) or OSError.

    The file is opened without following a last symlink and without blocking, and is
    checked again on the open descriptor, so it cannot be swapped for a pipe or a link
    between the check and the read.
    """
    checked, reason = check_file(site_dir, path)
    if checked is None:
        raise ReadRefused(reason or MISSING, str(path))
    return read_regular(checked.real, max_bytes, str(path))


def read_regular(real: Path, max_bytes: int | None = None, shown: str = "") -> bytes:
    """Read a path that passed the rule (or lies in a folder that did and is no link)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(real, flags)
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ReadRefused(SPECIAL, shown or str(real))
        if max_bytes is not None and info.st_size > max_bytes:
            raise ReadRefused(too_big(info.st_size, max_bytes), shown or str(real))
        data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:
        raise ReadRefused(too_big(len(data), max_bytes), shown or str(real))
    return data


def too_big(size: int, max_bytes: int) -> str:
    return f"het bestand is te groot ({size // 1024} KiB; maximaal {max_bytes // 1024 // 1024} MiB)"


def read_text(site_dir: Path, path: Path, max_bytes: int | None = None) -> str:
    """read_bytes, decoded as UTF-8 (a BOM is dropped). Raises UnicodeDecodeError too."""
    return read_bytes(site_dir, path, max_bytes).decode("utf-8-sig")


def walk_following_links(root: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk`` through folder links too, each real folder once (a link to a folder
    above cannot make it loop). A caller may prune ``dirs`` in place, as with os.walk."""
    seen: set[str] = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        yield folder, dirs, files


def file_under(root: Path, relative: str) -> Path | None:
    """The regular file at ``relative`` below ``root`` under the same rule, or None.

    For serving: a request path maps to a file only when it has no NUL, backslash,
    ``.``/``..`` or hidden segment and resolves inside ``root``.
    """
    if "\x00" in relative or "\\" in relative:
        return None
    parts = [part for part in relative.split("/") if part]
    if any(part in (".", "..") or part.startswith(".") for part in parts):
        return None
    real_root = _real(root)
    try:
        real = _real(real_root.joinpath(*parts))
        if not real.is_relative_to(real_root) or _is_hidden(real.relative_to(real_root).parts):
            return None
        return real if stat.S_ISREG(os.stat(real).st_mode) else None
    except (OSError, ValueError):
        return None
