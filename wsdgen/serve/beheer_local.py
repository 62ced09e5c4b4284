"""`wsdgen serve`'s local backend for /beheer/: Decap CMS's forms against the local folder.

It answers the protocol of Decap's own local proxy (npm ``decap-server``, "fs" mode:
POST /api/v1 with ``{"action": ..., "params": ...}``), so editors need no Node.js and no
second server. It is narrower than decap-server on purpose: it reads and writes only
entry files directly inside ``content/<collection>/`` and files directly inside the
upload folders (``assets/afbeeldingen/``, ``assets/publicaties/``; the old
``assets/downloads/`` is still read, not written), never through a symlink or into a
hidden name, and it answers only
requests from the site's own pages (same origin, JSON, local Host, checked by serve).
An upload is taken only when the build would publish it: its type on the allow-list of
``media/assets.py`` by name and by bytes (an HTML page called ``foto.png``, an SVG with a
script, any ``.html`` or ``.js`` are refused with 422, and nothing is written).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from wsdgen.load import safefs
from wsdgen.load.sources import split_front_matter
from wsdgen.load.yamlnodes import YamlProblem, read_mapping
from wsdgen.media.assets import upload_problem
from wsdgen.publish.beheer import (
    IMAGE_FOLDER,
    MEDIA_FOLDER,
    OLD_MEDIA_FOLDER,
    PUBLICATION_FOLDER,
    UPLOAD_FOLDERS,
)
from wsdgen.schema import COLLECTION_LABELS, COLLECTIONS, DATED_COLLECTIONS, MAX_FILE_BYTES
from wsdgen.serve.candidate import (
    Change,
    Problem,
    SiteChecker,
    name_too_long,
    problem_of,
    refusal_text,
    title_length,
)

# What Decap's ascii slugs can produce; `wsdgen check` then says whether it is a valid slug.
ENTRY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}\.md$")
# An entry name that is refused only for its length.
LONG_ENTRY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{200,}\.md$")
# The name Decap gives a new entry whose name is taken: the existing name plus -1, -2, ...
NUMBERED_NAME = re.compile(r"^(?P<base>.+)-[1-9][0-9]*\.md$")
MEDIA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$")
MAX_MEDIA_BYTES = 20 * 1024 * 1024
MAX_REQUEST_BYTES = 30 * 1024 * 1024
CONTENT_FOLDERS = tuple(f"content/{c}" for c in COLLECTIONS)
# Uploads are written only into the folders the screen names (beheer.UPLOAD_FOLDERS);
# the old media folder is still read, so a file there keeps showing in the screen.
READ_MEDIA_FOLDERS = (*UPLOAD_FOLDERS, OLD_MEDIA_FOLDER)


class Refused(Exception):
    """A request the local backend will not carry out; the text is for the editor."""


class NotValid(Refused):
    """An entry `wsdgen check` would reject: nothing is written (the text says why)."""


@dataclass(frozen=True, slots=True)
class Place:
    """A checked file place in the site: its folder (site-relative) and name."""

    folder: str
    name: str

    @property
    def relative(self) -> str:
        return f"{self.folder}/{self.name}"


def place_of(relative: object, *, media: bool | None = None, writing: bool = True) -> Place:
    """Check a site-relative path from the CMS: an entry file directly in a content
    folder, or (``media``) a file directly in an upload folder (to read: also in the
    old media folder)."""
    if not isinstance(relative, str) or not relative or "\\" in relative or "\x00" in relative:
        raise Refused("ongeldig pad")
    path = PurePosixPath(relative)
    folder, name = str(path.parent), path.name
    if path.is_absolute() or ".." in path.parts or str(path) != relative.strip("/"):
        raise Refused(f"ongeldig pad: {relative}")
    if folder in CONTENT_FOLDERS and media is not True and ENTRY_NAME.match(name):
        return Place(folder, name)
    media_folders = UPLOAD_FOLDERS if writing else READ_MEDIA_FOLDERS
    if folder in media_folders and media is not False and MEDIA_NAME.match(name):
        return Place(folder, name)
    if folder == OLD_MEDIA_FOLDER and media is not False:
        raise Refused(
            f"in {OLD_MEDIA_FOLDER}/ komen geen nieuwe bestanden meer: een afbeelding hoort in "
            f"{IMAGE_FOLDER}/, een publicatie in {PUBLICATION_FOLDER}/ ({relative})"
        )
    raise Refused(f"het beheerscherm mag hier niets lezen of schrijven: {relative}")


def entry_place(relative: object, raw: bytes) -> Place:
    """place_of for an entry; a name that is only too long (Decap makes it from the
    title) is refused with what to do about the title."""
    try:
        return place_of(relative, media=False)
    except Refused:
        name = PurePosixPath(relative).name if isinstance(relative, str) else ""
        if not LONG_ENTRY_NAME.match(name):
            raise
        change = Change(str(relative), raw)
        problems = [problem_of(found, own=True) for found in title_length(change)]
        if not problems:
            problems = [Problem(change.relative, "Titel", name_too_long(len(name)), own=True)]
        raise NotValid(refusal_text(problems)) from None


def folder_of(relative: object) -> str:
    """A folder Decap asks for (a field's own media folder may start with /)."""
    folder = relative.strip("/") if isinstance(relative, str) else relative
    if folder not in (*CONTENT_FOLDERS, *READ_MEDIA_FOLDERS):
        raise Refused(f"onbekende map: {relative}")
    return str(folder)


class LocalFolder:
    """The site folder as Decap's local backend sees it."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = Path(os.path.abspath(site_dir))
        # Checks every save against the whole site, as `wsdgen check` would (serve/candidate.py).
        self.checker = SiteChecker(self.site_dir)

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
        if folder in READ_MEDIA_FOLDERS or extension != "md":
            return []
        return [self.entry(f"{folder}/{name}") for name in self.names_in(folder, ".md")]

    def media_file(self, relative: object) -> dict[str, object]:
        place = place_of(relative, media=True, writing=False)
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

    def media(self, folder: object = MEDIA_FOLDER) -> list[dict[str, object]]:
        """The files of one media folder (the screen's own, or a field's)."""
        folder = folder_of(folder or MEDIA_FOLDER)
        if folder in CONTENT_FOLDERS:
            return []
        return [
            self.media_file(f"{folder}/{name}")
            for name in self.names_in(folder, "")
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
        entries: list[tuple[Place, bytes]] = []
        moves: list[tuple[Place, Place]] = []
        for item in files:
            if not isinstance(item, dict) or not isinstance(item.get("raw"), str):
                raise Refused("ongeldig verzoek")
            raw = item["raw"].encode("utf-8")
            if len(raw) > MAX_FILE_BYTES:
                raise Refused("het item is groter dan 1 MiB")
            place = entry_place(item.get("path"), raw)
            entries.append((place, raw))
            if item.get("newPath"):
                new = entry_place(item["newPath"], raw)
                if place.folder != new.folder:
                    raise Refused("een item kan niet naar een andere collectie verhuizen")
                moves.append((place, new))
        self.refuse_duplicate(params.get("options"), entries)
        uploads = [self.decoded_asset(asset) for asset in assets]
        # The uploads first: the entries may show them, and are checked with them.
        undo = self.write_undoably(uploads)
        try:
            self.check_entries(entries, moves)
        except NotValid:
            undo()
            raise
        for place, data in entries:
            self.write(place, data)
        for old, new in moves:
            self.write(new, self.read(old, MAX_FILE_BYTES))
            self.delete(old.relative)

    def refuse_duplicate(self, options: object, entries: list[tuple[Place, bytes]]) -> None:
        """A new entry with the title (and date) of an existing one: Decap would save it
        under the existing name plus -1, -2, ..., a second page nobody asked for."""
        if not isinstance(options, dict) or options.get("newEntry") is not True:
            return
        for place, raw in entries:
            folder = self.safe_folder(place.folder)
            existing = [place.name] if (folder / place.name).exists() else []
            numbered = NUMBERED_NAME.match(place.name)
            if not existing and numbered and (folder / f"{numbered['base']}.md").is_file():
                base = Place(place.folder, f"{numbered['base']}.md")
                if _same_title(raw, self.read(base, MAX_FILE_BYTES)):
                    existing = [base.name]
            if existing:
                collection = place.folder.removeprefix("content/")
                what = "titel en datum" if collection in DATED_COLLECTIONS else "titel"
                raise Refused(
                    f"er is al een {COLLECTION_LABELS[collection]} met deze {what}: "
                    f"{place.folder}/{existing[0]}. Kies een andere titel, of wijzig het "
                    "bestaande item in de lijst."
                )

    def write_undoably(self, writes: list[tuple[Place, bytes]]) -> Callable[[], None]:
        """Write files; give what puts back the folder as it was (for a refused save)."""
        before: list[tuple[Place, bytes | None]] = []
        for place, data in writes:
            path = self.safe_folder(place.folder) / place.name
            old = self.read(place, MAX_MEDIA_BYTES) if path.is_file() else None
            before.append((place, old))
            self.write(place, data)

        def undo() -> None:
            for place, old in reversed(before):
                if old is None:
                    self.delete(place.relative)
                else:
                    self.write(place, old)

        return undo

    def check_entries(
        self, entries: list[tuple[Place, bytes]], moves: list[tuple[Place, Place]]
    ) -> None:
        """Refuse (NotValid) entries that `wsdgen check` would reject as saved (a moved
        entry: at its new place), or that break other files."""
        moved = {old.relative: new.relative for old, new in moves}
        changes: list[Change] = []
        for place, data in entries:
            if place.relative in moved:
                changes.append(Change(place.relative, None))
                changes.append(Change(moved[place.relative], data))
            else:
                changes.append(Change(place.relative, data))
        self.refuse_invalid(changes)

    def refuse_invalid(self, changes: list[Change]) -> None:
        if not changes:
            return
        problems = self.checker.refusals(changes)
        if problems:
            raise NotValid(refusal_text(problems))

    def refuse_removal(self, paths: list[object]) -> None:
        """Removing entries that others refer to breaks them: refused like a save."""
        places = [place_of(relative) for relative in paths]
        self.refuse_invalid(
            [Change(place.relative, None) for place in places if place.folder in CONTENT_FOLDERS]
        )

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
            return self.media(params.get("mediaFolder"))
        if action == "getMediaFile":
            return self.media_file(params.get("path"))
        if action == "persistMedia":
            place, data = self.decoded_asset(params.get("asset"))
            self.write(place, data)
            return self.media_file(place.relative)
        if action == "deleteFile":
            self.refuse_removal([params.get("path")])
            self.delete(params.get("path"))
            return {"message": "deleted"}
        if action == "deleteFiles":
            paths = params.get("paths")
            if not isinstance(paths, list):
                raise Refused("ongeldig verzoek")
            self.refuse_removal(paths)
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


def _title_key(raw: bytes) -> str | None:
    """An entry's title as Decap makes a file name of it (accents, case and punctuation
    do not count), or None when the front matter has no title."""
    try:
        split = split_front_matter(raw.decode("utf-8-sig"))
        title = read_mapping(split[0]).values.get("title") if split else None
    except (UnicodeDecodeError, YamlProblem):
        return None
    if not isinstance(title, str):
        return None
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def _same_title(new: bytes, old: bytes) -> bool:
    key = _title_key(new)
    return key is not None and key == _title_key(old)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
