"""Pages of earlier builds, reused when nothing they were made from changed (--cache).

A build with ``--cache DIR`` records, for every output file, the digest of its inputs
(``inputs.inputs_digest``) and the hash of its bytes, and keeps the bytes themselves
under ``DIR/pages/files/``. The next build renders only the files whose inputs changed
and takes the others from there, so the result is byte for byte that of a clean build.

The folder is not trusted: in CI it is restored from a cache that another run may have
written. A record counts only when its HMAC is right, made with a key that is not in
the folder: ``WSDGEN_CACHE_KEY`` (set it as a secret of the main branch's CI), or else
a key file in the user's own cache folder (``~/.cache/wsdgen/key``, made on first use;
on a fresh CI machine without the secret that means no reuse, which is safe). A key
file that lies inside the cache folder, is a symlink, is not the user's own or can be
written by others is not used. A stored file counts only when its bytes have the
recorded hash. Anything else is a miss.

Nothing below the cache folder is followed when it is a symlink, for reading or for
writing: folders are opened one at a time relative to the one before (``O_NOFOLLOW``,
``dir_fd``), files are read without blocking (a FIFO is no file) and up to a size, and
written to a new name and renamed into place. So a planted link can neither show the
build a file from elsewhere nor make it overwrite or delete one.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

RECORD_VERSION = 1
KEY_VARIABLE = "WSDGEN_CACHE_KEY"
MAX_RECORD_BYTES = 64 * 1024 * 1024
MAX_STORED_BYTES = 512 * 1024 * 1024
MAX_KEY_BYTES = 4096
MIN_KEY_BYTES = 32
# The command the messages and docs give for a good key (43 random characters).
MAKE_KEY = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'
SHA256 = re.compile(r"[0-9a-f]{64}")

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW
_READ_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
# Without these a symlink below the cache folder cannot be refused: then no cache at all.
USABLE = (
    hasattr(os, "O_NOFOLLOW")
    and all(call in os.supports_dir_fd for call in (os.open, os.mkdir, os.rename, os.unlink))
    and os.scandir in os.supports_fd
)


def key_file() -> Path:
    """Where the key is kept when ``WSDGEN_CACHE_KEY`` is not set."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return home / "wsdgen" / "key"


def key_problem() -> str | None:
    """Why ``WSDGEN_CACHE_KEY`` cannot sign the cache (Dutch), or None. A short key can
    be guessed, and whoever can write the CI cache could then sign pages of their own."""
    given = os.environ.get(KEY_VARIABLE)
    if given is None or given == "":
        return None
    size = len(given.encode())
    if size < MIN_KEY_BYTES:
        return (
            f"{KEY_VARIABLE} is te kort ({size} tekens); een sleutel van minder dan "
            f"{MIN_KEY_BYTES} tekens is te raden. Maak een nieuwe met: {MAKE_KEY} en zet die "
            "als geheim (secret) in de CI van de hoofdbranch"
        )
    if size > MAX_KEY_BYTES:
        return f"{KEY_VARIABLE} is te lang ({size} tekens); maak een nieuwe met: {MAKE_KEY}"
    return None


def cache_key() -> bytes | None:
    """The key records are signed with, or None when none can be had (then no reuse)."""
    given = os.environ.get(KEY_VARIABLE)
    if given:
        return given.encode() if key_problem() is None else None
    path = key_file()
    try:
        descriptor = os.open(path, _READ_FLAGS)
    except FileNotFoundError:
        return _new_key(path, replace=False)
    except OSError:  # a symlink (ELOOP), no permission, ...
        return None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        regular = stat.S_ISREG(info.st_mode)
        if not regular or not _private(info) or not _private_folder(path.parent):
            return None  # someone else could have written it: never sign with it
        data = handle.read(MAX_KEY_BYTES + 1)
    if 32 <= len(data) <= MAX_KEY_BYTES:
        return data
    return _new_key(path, replace=True)  # our own, but damaged (say, half written)


def _private(info: os.stat_result) -> bool:
    """Owned by this user, and nobody else may write to it."""
    owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    return owned and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _private_folder(folder: Path) -> bool:
    try:
        info = os.stat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _private(info)


def _new_key(path: Path, replace: bool) -> bytes | None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private_folder(path.parent):
            return None
        data = secrets.token_hex(32).encode()
        with opened_folder(path.parent, (), create=False, follow_root=True) as folder:
            if replace:
                write_new(folder, path.name, data)
            else:
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
                descriptor = os.open(path.name, flags, 0o600, dir_fd=folder)
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(data)
        return data
    except OSError:
        return None


def sign(key: bytes, purpose: str, *parts: bytes) -> str:
    """The one signature of everything wsdgen keeps in a cache folder (page and search
    records, bodies, image variants, compiled templates): HMAC-SHA256 under the cache
    key over ``purpose`` (what is signed, and for a record which store) and ``parts``,
    each preceded by its length. So a signature made for one purpose, or for one split
    of the same bytes into parts, is never valid for another: a file copied from one
    store to another, or a body passed off as template code, fails its check."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in (purpose.encode(), *parts):
        mac.update(len(part).to_bytes(8, "big"))
        mac.update(part)
    return mac.hexdigest()


def signed_by(key: bytes, signature: str | bytes, purpose: str, *parts: bytes) -> bool:
    """Whether ``signature`` is ``sign(key, purpose, *parts)`` (compared in constant time)."""
    expected = sign(key, purpose, *parts)
    given = signature.decode("ascii", "replace") if isinstance(signature, bytes) else signature
    return hmac.compare_digest(given, expected)


def key_in_folder(folder: Path) -> bool:
    """Whether the key file (used when ``WSDGEN_CACHE_KEY`` is not set) lies inside this
    cache folder: then whoever writes the cache knows the key, and it signs nothing."""
    if os.environ.get(KEY_VARIABLE):
        return False
    real_key = Path(os.path.realpath(key_file()))
    return real_key.is_relative_to(Path(os.path.realpath(folder)))


@contextmanager
def opened_folder(
    root: Path, parts: Sequence[str], create: bool, follow_root: bool = False
) -> Iterator[int]:
    """A descriptor of ``root/parts...``; nothing below ``root`` is followed, and with
    ``create`` missing folders are made. ``root`` itself is not followed either when it
    is a symlink (ELOOP): a cache folder that is a link is refused before the build
    (cache.cache_location_problem), and this keeps it from being written or pruned
    even so. Only the key's own folder (``follow_root``) may be reached through one."""
    if create:
        root.mkdir(parents=True, exist_ok=True)
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | (0 if follow_root else _NOFOLLOW)
    opened = [os.open(root, flags)]
    try:
        for part in parts:
            if create:
                with suppress(FileExistsError):
                    os.mkdir(part, 0o755, dir_fd=opened[-1])
            try:
                opened.append(os.open(part, _DIR_FLAGS, dir_fd=opened[-1]))
            except OSError as exc:
                if not create or exc.errno not in (errno.ELOOP, errno.ENOTDIR):
                    raise
                # A symlink or a file where our folder belongs: the link itself goes
                # (never its target), so that one planted link does not end all reuse.
                os.unlink(part, dir_fd=opened[-1])
                os.mkdir(part, 0o755, dir_fd=opened[-1])
                opened.append(os.open(part, _DIR_FLAGS, dir_fd=opened[-1]))
        yield opened[-1]
    finally:
        for descriptor in opened:
            os.close(descriptor)


def read_file(folder: int, name: str, max_bytes: int) -> bytes | None:
    """A regular file's bytes (not through a symlink, never a FIFO), or None."""
    data, _ = read_file_and_status(folder, name, max_bytes)
    return data


def read_file_and_status(
    folder: int, name: str, max_bytes: int, mode: int | None = None
) -> tuple[bytes | None, os.stat_result]:
    """read_file, with the file's status as it was read; with ``mode``, a file of ours
    that has other permissions (made by an older wsdgen) gets these."""
    descriptor = os.open(name, _READ_FLAGS, dir_fd=folder)
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None, info
        if mode is not None and stat.S_IMODE(info.st_mode) != mode and _private(info):
            with suppress(OSError):
                os.fchmod(handle.fileno(), mode)
                info = os.fstat(handle.fileno())
        # As many bytes as it has (one more tells that it grew meanwhile): read(n)
        # sets n bytes aside first, and a template is loaded under a memory limit.
        data = handle.read(min(info.st_size, max_bytes) + 1)
    return (data if len(data) <= min(info.st_size, max_bytes) else None), info


def write_new(folder: int, name: str, data: bytes, mode: int = 0o600) -> None:
    """Write to a fresh name, then rename it into place: an existing symlink at ``name``
    is replaced, never followed, and no reader sees half a file."""
    temporary = f".{name}.{secrets.token_hex(8)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
    descriptor = os.open(temporary, flags, mode, dir_fd=folder)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise


SIGNATURE_LINE = 65  # 64 hexadecimal characters and a newline


class CacheFolder:
    """The --cache folder as one signed store: every file wsdgen keeps there, of every
    kind, is read and written through this class, under the one key (``cache_key``) and
    the one signature (``sign``), in one format.

    Each kind has its folder: ``pages/`` and ``search/<part>/`` (a signed record and
    files by their hash: ``records``), ``onderdelen/`` (cards and calendar events:
    cache/partcache.py), ``bodies/`` (rendered Markdown), ``images/`` (variants and their
    signed list) and ``sjablonen/`` (compiled templates). A signed file is its signature
    on the first line, then its bytes; the signature covers what it is for and where it
    belongs (``purpose``: the kind and the file's own name), so a file moved to another
    place or kind fails its check. Without a usable key (none, or one in the folder
    itself, or no safe way to open files) nothing is read or written.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._key: bytes | None = None
        self._known = False

    @property
    def key(self) -> bytes | None:
        """The key, looked up on first use."""
        if not self._known:
            usable = USABLE and not key_in_folder(self.root)
            self._key = cache_key() if usable else None
            self._known = True
        return self._key

    def records(self, *parts: str, file_mode: int = 0o600) -> SignedStore:
        """The signed record and hashed files of ``parts`` (pages, a search part, ...)."""
        folder = self.root.joinpath(*parts)
        return SignedStore(folder, self.key, root=self.root, file_mode=file_mode)

    def read_signed(
        self, parts: Sequence[str], name: str, purpose: str, max_bytes: int
    ) -> bytes | None:
        """The bytes of ``parts/name`` if it carries our signature for ``purpose``."""
        key = self.key
        if key is None:
            return None
        try:
            with opened_folder(self.root, parts, create=False) as folder:
                raw = read_file(folder, name, max_bytes + SIGNATURE_LINE)
        except OSError:
            return None
        return unsigned(key, raw, purpose)

    def write_signed(self, parts: Sequence[str], name: str, purpose: str, data: bytes) -> None:
        """Write ``parts/name`` signed for ``purpose`` (raises OSError; no-op without key)."""
        key = self.key
        if key is None:
            return
        with opened_folder(self.root, parts, create=True) as folder:
            write_new(folder, name, signed(key, data, purpose))


def signed(key: bytes, data: bytes, purpose: str) -> bytes:
    """A signed file's bytes: the signature on the first line, then ``data``."""
    return sign(key, purpose, data).encode("ascii") + b"\n" + data


def unsigned(key: bytes, raw: bytes | None, purpose: str) -> bytes | None:
    """What a signed file holds, if its signature is ours and for ``purpose``."""
    if raw is None or raw[SIGNATURE_LINE - 1 : SIGNATURE_LINE] != b"\n":
        return None
    signature, data = raw[: SIGNATURE_LINE - 1], raw[SIGNATURE_LINE:]
    return data if signed_by(key, signature, purpose, data) else None


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file of a store as it was when its bytes were read and checked: a hard link to
    it is the same bytes only while it is still this file (publish/output.link_stored)."""

    path: Path
    identity: tuple[int, int, int, int]  # device, inode, size, modification time (ns)
    mode: int
    owner: int  # user id


class SignedStore:
    """Files by their hash and one signed record, in a folder of the cache.

    ``root`` is the cache folder the caller chose (by default the folder's parent); the
    folders from there down to ``folder`` and everything in them are never followed
    when they are symlinks.
    """

    def __init__(
        self, folder: Path, key: bytes | None, root: Path | None = None, file_mode: int = 0o600
    ) -> None:
        self.folder = folder
        self.root = folder.parent if root is None else root
        self.parts = folder.relative_to(self.root).parts
        self.key = key if USABLE and not key_in_folder(self.root) else None
        self.intact: set[str] = set()  # hashes read back and checked in this build
        # Of each file read back and checked: where it is and its status then.
        self.checked: dict[str, StoredFile] = {}
        self.file_mode = file_mode

    @property
    def purpose(self) -> str:
        """A record signs for its own store: one copied to another store fails."""
        return "record:" + "/".join(self.parts)

    def load_record(self) -> dict[str, object] | None:
        """The signed record, or None when it is missing, damaged or not ours."""
        if self.key is None:
            return None
        try:
            with opened_folder(self.root, self.parts, create=False) as folder:
                raw = read_file(folder, "record.json", MAX_RECORD_BYTES)
            body = unsigned(self.key, raw, self.purpose)
            data = json.loads(body) if body is not None else None
        except (OSError, ValueError, UnicodeDecodeError):
            return None
        if not isinstance(data, dict) or data.get("version") != RECORD_VERSION:
            return None
        return data

    def save_record(self, data: dict[str, object]) -> None:
        if self.key is None:
            return
        body = json.dumps({**data, "version": RECORD_VERSION}, sort_keys=True).encode()
        with opened_folder(self.root, self.parts, create=True) as folder:
            write_new(folder, "record.json", signed(self.key, body, self.purpose))

    def get(self, sha: str) -> bytes | None:
        """The stored bytes with this hash, if they are still intact."""
        if not SHA256.fullmatch(sha):
            return None
        try:
            with opened_folder(self.root, (*self.parts, "files", sha[:2]), create=False) as sub:
                data, info = read_file_and_status(sub, sha, MAX_STORED_BYTES, self.file_mode)
        except OSError:
            return None
        if data is None or hashlib.sha256(data).hexdigest() != sha:
            return None
        self.intact.add(sha)
        path = self.folder / "files" / sha[:2] / sha
        identity = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        self.checked[sha] = StoredFile(path, identity, info.st_mode, info.st_uid)
        return data

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if sha not in self.intact:
            with opened_folder(self.root, (*self.parts, "files", sha[:2]), create=True) as sub:
                write_new(sub, sha, data, self.file_mode)
            self.intact.add(sha)
        return sha

    def prune(self, kept: set[str]) -> None:
        """Remove every stored file that is not in ``kept``, and anything else found
        among them (a symlink is removed itself, its target is left alone)."""
        try:
            with opened_folder(self.root, (*self.parts, "files"), create=False) as files:
                for entry in os.scandir(files):
                    if not entry.is_dir(follow_symlinks=False):
                        with suppress(OSError):
                            os.unlink(entry.name, dir_fd=files)
                        continue
                    with suppress(OSError), _opened_folder_at(files, entry.name) as sub:
                        for item in os.scandir(sub):
                            if item.name not in kept or not item.is_file(follow_symlinks=False):
                                with suppress(OSError):
                                    os.unlink(item.name, dir_fd=sub)
        except OSError:
            return


@contextmanager
def _opened_folder_at(parent: int, name: str) -> Iterator[int]:
    descriptor = os.open(name, _DIR_FLAGS, dir_fd=parent)
    try:
        yield descriptor
    finally:
        os.close(descriptor)


class PageCache:
    """The pages of the last build with --cache: their inputs and their bytes."""

    def __init__(self, folder: CacheFolder) -> None:
        # Readable by all, as the pages they are linked to (the cache folder is private).
        self.folder = folder
        self.store = folder.records("pages", file_mode=0o644)
        self.record = self._pages(self.store.load_record())
        self.hits = 0
        self.made: dict[str, tuple[str, str]] = {}  # this build's pages, as kept
        self.failed = False

    @staticmethod
    def _pages(data: dict[str, object] | None) -> dict[str, tuple[str, str]]:
        try:
            pages = data["pages"] if data else {}
            return {str(file): (str(inputs), str(sha)) for file, (inputs, sha) in pages.items()}  # type: ignore[attr-defined]
        except (KeyError, TypeError, ValueError):
            return {}

    def reuse(self, output_file: str, inputs: str) -> tuple[bytes, StoredFile | None] | None:
        """The bytes made last time from the same inputs, if they are still intact, and
        the stored file that holds them."""
        found = self.record.get(output_file)
        if found is None or found[0] != inputs:
            return None
        data = self.store.get(found[1])
        if data is None:
            return None
        self.hits += 1
        return data, self.store.checked.get(found[1])

    def keep(self, output_file: str, inputs: str, data: bytes) -> None:
        """Store a page of this build as it is written (recorded by ``save``); failing to
        write only costs the next build its reuse."""
        if self.store.key is None or self.failed:
            return
        try:
            self.made[output_file] = (inputs, self.store.put(data))
        except OSError:
            self.failed = True

    def save(self) -> None:
        """Record this build (output file -> inputs and stored bytes); keep only its files."""
        if self.store.key is None or self.failed:
            return
        try:
            self.store.save_record({"pages": self.made})
            self.store.prune({sha for _, sha in self.made.values()})
        except OSError:
            return
