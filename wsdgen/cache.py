"""A render cache on disk: rendered Markdown by content hash, kept between builds."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from pathlib import Path


class DiskCache(MutableMapping[str, str]):
    """Rendered HTML per body hash, one small file each, read lazily.

    Keys are hex digests (see markup.body_key), so they are safe file names. A file
    that cannot be read or written is treated as a miss: the cache only saves time.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.memory: dict[str, str] = {}

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.html"

    def __getitem__(self, key: str) -> str:
        if key in self.memory:
            return self.memory[key]
        try:
            value = self._file(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise KeyError(key) from None
        self.memory[key] = value
        return value

    def __setitem__(self, key: str, value: str) -> None:
        self.memory[key] = value
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_suffix(".tmp")
            temporary.write_text(value, encoding="utf-8")
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
