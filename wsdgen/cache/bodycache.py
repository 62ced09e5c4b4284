"""A render cache on disk: rendered Markdown by content hash, kept between builds.

The cache folder is not trusted: in CI it is restored from a cache that another run
(say, a pull request's) may have written. So a value read from disk is used only when
it carries the cache's signature for its own key (pagecache.CacheFolder) and is exactly
what the sanitiser makes of it; anything else is a miss and the body is rendered again.
Nothing in the folder can put markup in a page that the sanitiser would not let through.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator, MutableMapping
from contextlib import suppress
from pathlib import Path

from wsdgen.body.markup import sanitise
from wsdgen.cache import pagecache

MAX_BODY_BYTES = 16 * 1024 * 1024
BODY_KEY = re.compile(r"[0-9a-f]{64}")

# Source folders of a site: a cache inside them would be read (or published) as input.
SOURCE_FOLDERS = ("content", "templates", "assets")
GIT_FOLDER = ".git"


class DiskCache(MutableMapping[str, str]):
    """Rendered HTML per body hash, one small signed file each in the cache folder's
    ``bodies/`` (pagecache.CacheFolder), read lazily.

    Keys are hex digests (see markup.body_key), so they are safe file names. A file
    that cannot be read or written is treated as a miss: the cache only saves time.
    """

    FOLDER = "bodies"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.store = pagecache.CacheFolder(folder)
        self.memory: dict[str, str] = {}

    @staticmethod
    def _place(key: str) -> tuple[tuple[str, str], str, str]:
        """The folders, file name and signing purpose of a body: bound to its key, so a
        body signed for one text is not taken for another."""
        return (DiskCache.FOLDER, key[:2]), f"{key}.html", f"body:{key}"

    def __getitem__(self, key: str) -> str:
        if key in self.memory:
            return self.memory[key]
        value = self._read_verified(key)
        if value is None:
            raise KeyError(key)
        self.memory[key] = value
        return value

    def _read_verified(self, key: str) -> str | None:
        """The cached HTML of ``key`` if its file carries our signature for this key and
        holds only what the sanitiser keeps."""
        if not BODY_KEY.fullmatch(key):
            return None
        folders, name, purpose = self._place(key)
        data = self.store.read_signed(folders, name, purpose, MAX_BODY_BYTES)
        try:
            html = data.decode("utf-8") if data is not None else None
        except UnicodeDecodeError:
            return None
        return html if html is not None and _is_clean(html) else None

    def __setitem__(self, key: str, value: str) -> None:
        self.memory[key] = value
        if not BODY_KEY.fullmatch(key):
            return
        folders, name, purpose = self._place(key)
        with suppress(OSError):
            self.store.write_signed(folders, name, purpose, value.encode())

    def __delitem__(self, key: str) -> None:
        self.memory.pop(key, None)
        if not BODY_KEY.fullmatch(key):
            return
        folders, name, _ = self._place(key)
        with suppress(OSError), pagecache.opened_folder(self.folder, folders, False) as folder:
            os.unlink(name, dir_fd=folder)

    def __iter__(self) -> Iterator[str]:
        return iter(self.memory)

    def __len__(self) -> int:
        return len(self.memory)


def _is_clean(html: str) -> bool:
    """Whether sanitising changes nothing. Site paths in a cached body already carry the
    base path, so the check runs with '/', which leaves them as they are."""
    return sanitise(html, "/") == html


def cache_location_problem(cache_dir: Path, site_dir: Path, output_dir: Path) -> str | None:
    """Why this cache folder may not be used (Dutch), or None.

    It may not be (or lie in, or contain) a source folder of the site or the output,
    and it may not be a file. The folder itself may not be a symlink, and inside the
    site no folder on the way to it either: a pull request can commit a link
    (``.wsdgen-cache -> /somewhere``), and the build writes and prunes the cache. Nor
    may it hold files that git tracks: a committed cache is the site's content, and
    pruning would delete it from the editor's working copy.
    """
    link = symlink_on_the_way(cache_dir, site_dir)
    if link is not None:
        return (
            f"de cachemap '{cache_dir}' is (of ligt in) een snelkoppeling ('{link}'); wsdgen "
            "schrijft en ruimt op in die map en volgt daarom geen snelkoppeling. Kies een "
            "gewone map, bijvoorbeeld .wsdgen-cache"
        )
    cache = Path(os.path.realpath(cache_dir))
    if cache.exists() and not cache.is_dir():
        return f"de cachemap '{cache_dir}' is een bestand; kies een map"
    forbidden = [Path(os.path.realpath(site_dir / name)) for name in SOURCE_FOLDERS]
    forbidden.append(Path(os.path.realpath(output_dir)))
    site = Path(os.path.realpath(site_dir))
    if cache == site or site.is_relative_to(cache):
        return f"de cachemap '{cache_dir}' mag niet de sitemap zelf zijn of die bevatten"
    for folder in forbidden:
        if cache.is_relative_to(folder) or folder.is_relative_to(cache):
            return (
                f"de cachemap '{cache_dir}' ligt in of om {folder.name}/; kies een map buiten "
                "content/, templates/, assets/ en de uitvoermap (bijvoorbeeld .wsdgen-cache)"
            )
    if cache.is_relative_to(site) and GIT_FOLDER in cache.relative_to(site).parts:
        return f"de cachemap '{cache_dir}' ligt in {GIT_FOLDER}/; kies bijvoorbeeld .wsdgen-cache"
    tracked = tracked_file_below(cache, site)
    if tracked is not None:
        return (
            f"de cachemap '{cache_dir}' bevat bestanden die in git staan (zoals '{tracked}'); "
            "een cache hoort niet in de repository. Kies een andere map, of haal de map uit "
            "git (git rm -r --cached) en zet hem in .gitignore"
        )
    return None


def symlink_on_the_way(cache_dir: Path, site_dir: Path) -> str | None:
    """The cache folder itself, or a folder between the site folder and it (as written),
    that is a symlink; None when there is none. Above the site folder, and for a cache
    outside it, only the folder itself counts: that path is the caller's own choice."""
    folder = Path(os.path.abspath(cache_dir))
    site = Path(os.path.abspath(site_dir))
    steps = [folder]
    if folder.is_relative_to(site):
        steps += [parent for parent in folder.parents if parent.is_relative_to(site)]
    for step in steps:
        if step != site and os.path.islink(step):
            return str(step.relative_to(site)) if step.is_relative_to(site) else str(step)
    return None


def tracked_file_below(cache: Path, site: Path) -> str | None:
    """A file under ``cache`` that git tracks in the site's repository (for the message),
    or None: also when the cache is outside the site or missing, and when git or a
    repository is not there (then nothing can be tracked, or it cannot be told)."""
    if not cache.is_relative_to(site) or not cache.is_dir():
        return None
    relative = cache.relative_to(site).as_posix()
    command = ["git", "-c", "core.fsmonitor=false", "-C", str(site), "ls-files", "-z"]
    try:
        with subprocess.Popen(
            [*command, "--", f":(literal){relative}/"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
        ) as git:
            assert git.stdout is not None
            first = git.stdout.read(4096)  # one name is enough; git may list thousands
            git.kill()
    except OSError:  # no git on this machine
        return None
    name = first.split(b"\0", 1)[0]
    return os.fsdecode(name) if name else None
