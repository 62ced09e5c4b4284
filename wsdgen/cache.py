"""A render cache on disk: rendered Markdown by content hash, kept between builds.

The cache folder is not trusted: in CI it is restored from a cache that another run
(say, a pull request's) may have written. So a value read from disk is used only when
it names its own key and is exactly what the sanitiser makes of it; anything else is a
miss and the body is rendered again. Nothing in the folder can put markup in a page
that the sanitiser would not let through.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, MutableMapping
from pathlib import Path

from .markup import sanitise

# Source folders of a site: a cache inside them would be read (or published) as input.
SOURCE_FOLDERS = ("content", "templates", "assets")


class DiskCache(MutableMapping[str, str]):
    """Rendered HTML per body hash, one small file each, read lazily.

    Keys are hex digests (see markup.body_key), so they are safe file names. A file
    that cannot be read or written is treated as a miss: the cache only saves time.
    Each file holds its key on the first line, then the HTML.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.memory: dict[str, str] = {}

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.html"

    def __getitem__(self, key: str) -> str:
        if key in self.memory:
            return self.memory[key]
        value = self._read_verified(key)
        if value is None:
            raise KeyError(key)
        self.memory[key] = value
        return value

    def _read_verified(self, key: str) -> str | None:
        """The cached HTML of ``key`` if the file is a regular one, is about this key and
        holds only what the sanitiser keeps."""
        path = self._file(key)
        try:
            if path.is_symlink() or not path.is_file():
                return None
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        named, _, html = text.partition("\n")
        if named != key or not _is_clean(html):
            return None
        return html

    def __setitem__(self, key: str, value: str) -> None:
        self.memory[key] = value
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(f"{key}\n{value}", encoding="utf-8")
            temporary.replace(target)
        except OSError:
            pass

    def __delitem__(self, key: str) -> None:
        self.memory.pop(key, None)
        self._file(key).unlink(missing_ok=True)

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
    and it may not be a file.
    """
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
    return None
