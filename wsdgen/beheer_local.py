"""`wsdgen serve`'s local backend for /beheer/: Decap CMS's forms against the local folder.

It answers the protocol of Decap's own local proxy (npm ``decap-server``, "fs" mode:
POST /api/v1 with ``{"action": ..., "params": ...}``), so editors need no Node.js and no
second server. It is narrower than decap-server on purpose: it reads and writes only
entry files directly inside ``content/<collection>/`` and files directly inside the
media folder, never through a symlink or into a hidden name, and it answers only
requests from the site's own pages (same origin, JSON, local Host, checked by serve).
An upload is taken only when the build would publish it: its type on the allow-list of
``assets.py`` by name and by bytes (an HTML page called ``foto.png``, an SVG with a
script, any ``.html`` or ``.js`` are refused with 422, and nothing is written).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import safefs
from .assets import upload_problem
from .beheer import MEDIA_FOLDER
from .schema import COLLECTIONS, MAX_FILE_BYTES

# What Decap's ascii slugs can produce; `wsdgen check` then says whether it is a valid slug.
ENTRY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}\.md$")
MEDIA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$")
MAX_MEDIA_BYTES = 20 * 1024 * 1024
MAX_REQUEST_BYTES = 30 * 1024 * 1024
CONTENT_FOLDERS = tuple(f"content/{c}" for c in COLLECTIONS)


class Refused(Exception):
    """A request the local backend will not carry out; the text is for the editor."""


@dataclass(frozen=True, slots=True)
class Place:
    """A checked file place in the site: its folder (site-relative) and name."""

    folder: str
    name: str

    @property
    def relative(self) -> str:
        return f"{self.folder}/{self.name}"


def place_of(relative: object, *, media: bool | None = None) -> Place:
    """Check a site-relative path from the CMS: an entry file directly in a content
    folder, or (``media``) a file directly in the media folder."""
    if not isinstance(relative, str) or not relative or "\\" in relative or "\x00" in relative:
        raise Refused("ongeldig pad")
    path = PurePosixPath(relative)
    folder, name = str(path.parent), path.name
    if path.is_absolute() or ".." in path.parts or str(path) != relative.strip("/"):
        raise Refused(f"ongeldig pad: {relative}")
    if folder in CONTENT_FOLDERS and media is not True and ENTRY_NAME.match(name):
        return Place(folder, name)
    if folder == MEDIA_FOLDER and media is not False and MEDIA_NAME.match(name):
        return Place(folder, name)
    raise Refused(f"het beheerscherm mag hier niets lezen of schrijven: {relative}")


def folder_of(relative: object) -> str:
    if relative not in (*CONTENT_FOLDERS, MEDIA_FOLDER):
        raise Refused(f"onbekende map: {relative}")
    return str(relative)


class LocalFolder:
    """The site folder as Decap's local backend sees it."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = Path(os.path.abspath(site_dir))

    # --- Reading ---

    def safe_folder(self, folder: str, create: bool = False) -> Path:
        """The folder on disk, only if it is a real folder inside the site (no link)."""
        path = self.site_dir
        for part in folder.split("/"):
            path = path / part
            if path.is_symlink():
                raise Refused(f"{folder} is een snelkoppeling; het beheerscherm volgt die niet")
            if not path.exists() and create:
                path.mkdir()
            if path.exists() and not path.is_dir():
                raise Refused(f"{folder} is geen map")
        return path

    def names_in(self, folder: str, suffix: str) -> list[str]:
        path = self.safe_folder(folder)
        if not path.is_dir():
            return []
        return sorted(
            entry.name
            for entry in os.scandir(path)
            if entry.is_file(follow_symlinks=False)
            and entry.name.endswith(suffix)
            and not entry.name.startswith((".", "_"))
        )

    def read(self, place: Place, limit: int) -> bytes:
        path = self.safe_folder(place.folder) / place.name
        return safefs.read_bytes(self.site_dir, path, limit)

    def entry(self, relative: object) -> dict[str, object]:
        place = place_of(relative, media=False)
        try:
            data = self.read(place, MAX_FILE_BYTES)
        except (OSError, safefs.ReadRefused, Refused):
            return {"data": None, "file": {"path": place.relative, "id": None}}
        text = data.decode("utf-8", errors="replace")
        return {"data": text, "file": {"path": place.relative, "id": _digest(data)}}

    def entries(self, folder: object, extension: object) -> list[dict[str, object]]:
        folder = folder_of(folder)
        if folder == MEDIA_FOLDER or extension != "md":
            return []
        return [self.entry(f"{folder}/{name}") for name in self.names_in(folder, ".md")]

    def media_file(self, relative: object) -> dict[str, object]:
        place = place_of(relative, media=True)
        try:
            data = self.read(place, MAX_MEDIA_BYTES)
        except (OSError, safefs.ReadRefused) as exc:
            raise Refused(f"{place.relative} kan niet gelezen worden") from exc
        return {
            "id": _digest(data),
            "content": base64.b64encode(data).decode("ascii"),
            "encoding": "base64",
            "path": place.relative,
            "name": place.name,
        }

    def media(self) -> list[dict[str, object]]:
        return [
            self.media_file(f"{MEDIA_FOLDER}/{name}")
            for name in self.names_in(MEDIA_FOLDER, "")
            if MEDIA_NAME.match(name)
        ]

    # --- Writing ---

    def write(self, place: Place, data: bytes) -> None:
        """Write a whole file at once (a temporary file, then a rename), never through a
        symlink: an existing link at the place is replaced, not followed."""
        folder = self.safe_folder(place.folder, create=True)
        handle, temporary = tempfile.mkstemp(prefix=".beheer-", dir=folder)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, folder / place.name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def delete(self, relative: object) -> None:
        place = place_of(relative)
        target = self.safe_folder(place.folder) / place.name
        if target.is_symlink() or target.is_file():
            target.unlink()

    def persist_entry(self, params: dict[str, object]) -> None:
        files = params.get("dataFiles") or [params.get("entry")]
        assets = params.get("assets") or []
        if not isinstance(files, list) or not isinstance(assets, list):
            raise Refused("ongeldig verzoek")
        writes: list[tuple[Place, bytes]] = []
        moves: list[tuple[Place, Place]] = []
        for item in files:
            if not isinstance(item, dict) or not isinstance(item.get("raw"), str):
                raise Refused("ongeldig verzoek")
            raw = item["raw"].encode("utf-8")
            if len(raw) > MAX_FILE_BYTES:
                raise Refused("het item is groter dan 1 MiB")
            place = place_of(item.get("path"), media=False)
            writes.append((place, raw))
            if item.get("newPath"):
                moves.append((place, place_of(item["newPath"], media=False)))
        for asset in assets:
            writes.append(self.decoded_asset(asset))
        for place, data in writes:
            self.write(place, data)
        for old, new in moves:
            if old.folder != new.folder:
                raise Refused("een item kan niet naar een andere collectie verhuizen")
            self.write(new, self.read(old, MAX_FILE_BYTES))
            self.delete(old.relative)

    def decoded_asset(self, asset: object) -> tuple[Place, bytes]:
        if not isinstance(asset, dict) or asset.get("encoding") != "base64":
            raise Refused("ongeldig bestand")
        place = place_of(asset.get("path"), media=True)
        try:
            data = base64.b64decode(str(asset.get("content", "")), validate=True)
        except ValueError as exc:
            raise Refused("ongeldig bestand") from exc
        if len(data) > MAX_MEDIA_BYTES:
            raise Refused("het bestand is groter dan 20 MiB")
        problem = upload_problem(place.name, data)
        if problem:
            raise Refused(f"{place.name} wordt niet opgeslagen: {problem}")
        return place, data

    # --- The protocol ---

    def answer(self, action: object, params: dict[str, object]) -> object:
        """Carry out one action of Decap's local-backend protocol."""
        if action == "info":
            return {"repo": self.site_dir.name, "publish_modes": ["simple"], "type": "local_fs"}
        if action == "entriesByFolder":
            return self.entries(params.get("folder"), params.get("extension"))
        if action == "entriesByFiles":
            files = params.get("files")
            if not isinstance(files, list):
                raise Refused("ongeldig verzoek")
            return [self.entry(f.get("path") if isinstance(f, dict) else None) for f in files]
        if action == "getEntry":
            return self.entry(params.get("path"))
        if action == "persistEntry":
            self.persist_entry(params)
            return {"message": "entry persisted"}
        if action == "getMedia":
            folder_of(params.get("mediaFolder"))
            return self.media()
        if action == "getMediaFile":
            return self.media_file(params.get("path"))
        if action == "persistMedia":
            place, data = self.decoded_asset(params.get("asset"))
            self.write(place, data)
            return self.media_file(place.relative)
        if action == "deleteFile":
            self.delete(params.get("path"))
            return {"message": "deleted"}
        if action == "deleteFiles":
            paths = params.get("paths")
            if not isinstance(paths, list):
                raise Refused("ongeldig verzoek")
            for relative in paths:
                self.delete(relative)
            return {"message": "deleted"}
        if action == "getDeployPreview":
            return None
        raise Refused(f"onbekende actie: {str(action)[:40]}")


def parse_request(body: bytes) -> tuple[object, dict[str, object]]:
    """The action and its parameters from a request body (JSON), or Refused."""
    if len(body) > MAX_REQUEST_BYTES:
        raise Refused("het verzoek is te groot")
    try:
        message = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refused("het verzoek is geen JSON") from exc
    if not isinstance(message, dict):
        raise Refused("ongeldig verzoek")
    params = message.get("params") or {}
    if not isinstance(params, dict):
        raise Refused("ongeldig verzoek")
    return message.get("action"), params


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
