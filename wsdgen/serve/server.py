"""`wsdgen serve`: build, serve on 127.0.0.1 from memory, re-render and reload on change.

The site is kept in memory by the incremental Rebuilder. The server (livereload on
tornado) runs in a thread of its own and keeps answering; its watcher only signals a
change, the main thread rebuilds (so the Markdown bound can use a timer signal) and
then tells the browsers to reload. When the
content has an error, the last good version stays served with a Dutch error panel on
top of every page; fixing the file brings the page back by itself. Nothing a site
contains can stop the server. Search works too: the pages are mirrored to a temporary
folder that Pagefind indexes in the background after each change.

The server answers only this computer's browser: a request is served only when its
``Host`` is 127.0.0.1, localhost or [::1] with the served port (so a web page cannot
reach it through DNS rebinding), the reload socket accepts only pages of the site
itself, and a URL maps to a file only through the file rule of ``safefs``: the pages
in memory, the search bundle and the asset files, nothing else. A malformed URL gets
400, an unknown one the site's 404 page. Every answer carries ``X-Content-Type-Options:
nosniff``, and every answer that is not a page the build rendered (an asset, an SVG, a
feed, a search index file, a refusal; scripts excepted, see SANDBOX) also
``Content-Security-Policy: sandbox``, so a file opened on its own runs no script on
this origin. The libraries' English log lines and
tracebacks never reach the terminal. Ctrl+C or SIGTERM (raised as KeyboardInterrupt
by the command line) ends Pagefind and removes the temporary folder on the way out.
"""

from __future__ import annotations

import asyncio
import atexit
import datetime as dt
import errno
import html
import json
import logging
import mimetypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from types import FrameType
from typing import Any, NamedTuple
from urllib.parse import quote

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from livereload.server import LiveScriptContainer, Server
from livereload.watcher import Watcher
from tornado import httputil, web
from tornado.ioloop import IOLoop

from wsdgen.diagnostics import Diagnostic, Severity
from wsdgen.incremental.rebuild import Rebuilder, RebuildResult
from wsdgen.load import safefs
from wsdgen.load.config import no_site_here
from wsdgen.pipeline import EXIT_OK, EXIT_USAGE, BuildOptions
from wsdgen.publish.beheer import LOCAL_API
from wsdgen.publish.search import pagefind_command
from wsdgen.serve.beheer_local import LocalFolder, parse_request
from wsdgen.serve.beheer_local import Refused as BackendRefused
from wsdgen.workers import stop_signals_to, usable_cores

WATCHED = ("content", "templates", "assets", "config.yaml")
StartResponse = Callable[[str, list[tuple[str, str]]], object]

LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
# Longer request paths are no address of this site (the longest real one is far shorter).
MAX_PATH = 2048
BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Loggers whose (English) lines must not reach the editor's terminal.
QUIET_LOGGERS = ("livereload", "tornado", "asyncio")

NOT_FOUND_TEXT = b"Niet gevonden"
BAD_REQUEST_TEXT = "Dit adres is ongeldig."
METHOD_TEXT = "Deze server beantwoordt alleen GET- en HEAD-verzoeken."
SERVER_ERROR_TEXT = b"Er ging iets mis bij het maken van dit antwoord; kijk in de terminal."

# Sent with every response; a file that is not a page the build rendered is sandboxed
# too, so an SVG, an XML feed or any other file opened on its own runs no script on this
# origin (the one /beheer/ and its local backend live on). A stylesheet, image or search
# file that a page loads is not affected: a policy on a subresource does not apply to
# it. JavaScript is left out of the sandbox: a browser never renders it as a document
# (nosniff holds it to its type), and a worker takes its policy from its own response,
# so a sandboxed pagefind-worker.js would break the search.
NOSNIFF = ("X-Content-Type-Options", "nosniff")
SANDBOX = ("Content-Security-Policy", "sandbox")
SCRIPT_TYPES = frozenset({"text/javascript", "application/javascript"})

mimetypes.add_type("text/calendar", ".ics")
mimetypes.add_type("text/yaml", ".yml")
mimetypes.add_type("application/atom+xml", ".xml")


# The panel's close button: removes the panel from this page (a reload after the next
# rebuild shows it again while errors remain). Serve's pages are local and carry the
# live-reload script anyway; the site's own pages have no policy against inline scripts.
CLOSE_PANEL = "document.getElementById('wsdgen-fouten').remove()"


def error_panel(problems: Iterable[Diagnostic], closable: bool = True) -> str:
    """A Dutch panel listing the errors, styled inline so no stylesheet is needed; with
    a close button ("Sluiten") unless it is the whole page."""
    items = "".join(
        f"<li><code>{html.escape(p.path)}</code>, regel {p.line}: {html.escape(p.message)}</li>"
        for p in problems
        if p.severity is Severity.ERROR
    )
    button = (
        f'<button type="button" onclick="{CLOSE_PANEL}" style="float:right;margin:0 0 .5rem '
        "1rem;padding:.25rem .75rem;font:inherit;color:#1b1b1b;background:#fff;border:2px "
        'solid #b00020;border-radius:4px;cursor:pointer">Sluiten</button>'
        if closable
        else ""
    )
    return (
        '<div role="alert" id="wsdgen-fouten" aria-labelledby="wsdgen-fouten-kop" '
        'style="position:relative;z-index:1000;'
        "margin:0;padding:1rem 1.5rem;background:#fff4f4;color:#1b1b1b;border:4px solid "
        '#b00020;font:1rem/1.5 system-ui,sans-serif">'
        f"{button}"
        '<h2 id="wsdgen-fouten-kop" style="margin:0 0 .5rem;font-size:1.25rem">'
        "De site bevat fouten</h2>"
        '<p style="margin:0 0 .5rem">Je ziet hieronder de laatste goede versie. Los deze '
        "fouten op en sla het bestand op; de pagina ververst dan vanzelf.</p>"
        f'<ul style="margin:0;padding-left:1.25rem">{items}</ul></div>'
    )


def shows_panel(path: str) -> bool:
    """Whether a page at this (decoded) path gets the error panel: not the editing
    screen, where it would cover Decap's own bar (Publiceer, Terug, Verwijderen) and
    where a refused save already says what is wrong."""
    return not (path == "/beheer" or path.startswith("/beheer/"))


class Found(NamedTuple):
    """What a URL maps to: a file name (for its type), its bytes, and whether it is a
    page the build rendered (only those are served without the sandbox)."""

    name: str
    data: bytes
    page: bool = False


# A folder without its slash: no output file name starts with "/".
REDIRECT = Found("/", b"")


def error_page(problems: Iterable[Diagnostic]) -> bytes:
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        "<title>Fouten in de site</title></head><body>"
        f"{error_panel(problems, closable=False)}</body></html>"
    ).encode()


# --- Request paths. ---


def raw_path_is_valid(path: str) -> bool:
    """A request target's path as sent (still percent-encoded): printable ASCII only,
    well-formed percent escapes, no backslash, starting with "/" and not too long."""
    return (
        path.startswith("/")
        and len(path) <= MAX_PATH
        and all("!" <= char <= "~" for char in path)
        and "\\" not in path
        and BAD_PERCENT.search(path) is None
    )


def decoded_path(path_info: str) -> str | None:
    """The URL path as text, from WSGI's PATH_INFO (percent-decoded bytes as latin-1);
    None when it is malformed: no UTF-8, a NUL or other control character, a backslash."""
    try:
        path = path_info.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return None
    if not path.startswith("/") or len(path) > MAX_PATH or "\\" in path:
        return None
    if any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in path):
        return None
    return path


def has_dot_segment(path: str) -> bool:
    return any(part in (".", "..") for part in path.split("/"))


def is_plain_relative(file: str) -> bool:
    """An output file name that stays inside the folder it is written to."""
    parts = file.split("/")
    return bool(file) and "\\" not in file and all(p not in ("", ".", "..") for p in parts)


# --- The search mirror. ---


class SearchMirror:
    """The search index for `serve`: the HTML pages mirrored to a temporary folder, where
    Pagefind indexes them in a background thread after each change (so a slow index
    never delays the page reload). ``close`` stops Pagefind and removes the folder."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="wsdgen-serve-"))
        self.lock = threading.Lock()
        self.again = threading.Event()
        self.worker: threading.Thread | None = None
        self.process: subprocess.Popen[str] | None = None
        self.closed = False
        atexit.register(self.close)

    def update(self, outputs: dict[str, bytes], rendered: list[str], removed: list[str]) -> None:
        if self.closed:
            return
        for file in rendered:
            if file.endswith(".html") and is_plain_relative(file):
                target = self.folder / file
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(outputs[file])
        for file in removed:
            if is_plain_relative(file):
                (self.folder / file).unlink(missing_ok=True)
        if any(f.endswith(".html") for f in [*rendered, *removed]):
            self.again.set()
            with self.lock:
                if self.worker is None or not self.worker.is_alive():
                    self.worker = threading.Thread(target=self.index, daemon=True)
                    self.worker.start()

    def index(self) -> None:
        while self.again.is_set() and not self.closed:
            self.again.clear()
            problem = self.run_pagefind()
            if problem is not None and not self.closed:
                print(f"wsdgen: {problem}", file=sys.stderr)

    def run_pagefind(self) -> str | None:
        """Index the mirror once; a Dutch problem, or None. Pagefind runs in its own
        process group, so ``close`` can end it together with anything it started."""
        command = [*pagefind_command(), "--site", str(self.folder), "--silent"]
        with self.lock:
            if self.closed:
                return None
            try:
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    encoding="utf-8",
                    errors="replace",
                    start_new_session=True,
                )
            except OSError as exc:
                return f"de zoekindex kon niet gemaakt worden ({exc.strerror})"
            self.process = process
        out, err = process.communicate()
        if process.returncode == 0 or self.closed:
            return None
        detail = (err or out).strip().splitlines()
        return "de zoekindex kon niet gemaakt worden" + (f": {detail[-1]}" if detail else "")

    def find(self, relative: str) -> bytes | None:
        """A file of the Pagefind bundle (``relative`` below /pagefind/), or None."""
        real = safefs.file_under(self.folder / "pagefind", relative)
        if real is None:
            return None
        try:
            return safefs.read_regular(real)
        except (OSError, ValueError):
            return None

    def close(self) -> None:
        """Stop Pagefind and its thread, then remove the folder. Safe to call twice."""
        locked = self.lock.acquire(timeout=2)
        try:
            self.closed = True
            process = self.process
        finally:
            if locked:
                self.lock.release()
        if process is not None:
            end_process_group(process)
        worker = self.worker
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout=5)
        shutil.rmtree(self.folder, ignore_errors=True)


def end_process_group(process: subprocess.Popen[str]) -> None:
    """End a process started in its own session, and whatever it started."""
    if process.poll() is not None:
        return
    killpg = getattr(os, "killpg", None)
    for how in (signal.SIGTERM, getattr(signal, "SIGKILL", signal.SIGTERM)):
        try:
            if killpg is not None:
                killpg(process.pid, how)
            else:
                process.terminate()
        except OSError:
            return
        try:
            process.wait(timeout=3)
            return
        except subprocess.TimeoutExpired:
            continue


# --- The WSGI app: the site in memory. ---


class DevSite:
    """The WSGI app of `serve`: the in-memory site, with the error panel when needed."""

    def __init__(self, rebuilder: Rebuilder, search: SearchMirror | None = None) -> None:
        self.rebuilder = rebuilder
        self.search = search
        self.errors: list[Diagnostic] = []
        self.priming = False
        # Whether a build succeeded since serve started (there is a version to show).
        self.shown_good = False
        # Set by the watcher (on the server's thread); the main thread rebuilds.
        self.changed = threading.Event()

    def refresh_soon(self, changed: object = None) -> None:
        """The watcher's callback: ask the main thread for a rebuild. Pages keep being
        served meanwhile, also while a slow body runs into the Markdown bound."""
        if not self.priming:
            self.changed.set()

    def rebuild_on_changes(
        self, after: Callable[[], None], noticed: Callable[[], list[Path]]
    ) -> None:
        """The main thread's loop until a stop: rebuild after each change, then ``after``
        (which reloads the browsers). Changes that come in during a rebuild are taken
        together in the next one; ``noticed`` names the files that changed."""
        while True:
            self.changed.wait()
            self.changed.clear()
            self.refresh(noticed())
            after()

    def refresh(self, changed: list[Path] | None = None) -> RebuildResult | None:
        """Rebuild now; print what happened; never raise."""
        try:
            result = self.rebuilder.rebuild(changed or ())
        except Exception as exc:  # noqa: BLE001 - the server must survive anything
            from wsdgen import diagnostics as diag

            result = RebuildResult(1, [diag.error("wsdgen", 1, f"onverwachte fout: {exc}")])
        for problem in result.diagnostics:
            print(problem, file=sys.stderr)
        if result.exit_code == EXIT_OK:
            self.errors = []
            self.shown_good = True
            if self.search is not None:
                self.search.update(self.rebuilder.outputs, result.rendered, result.removed)
            seconds = f"{result.seconds:.2f}".replace(".", ",")
            print(f"wsdgen: {len(result.rendered)} pagina's opnieuw gemaakt in {seconds} s")
        else:
            self.errors = [p for p in result.diagnostics if p.severity is Severity.ERROR]
            print(
                "wsdgen: fouten gevonden; de laatste goede versie blijft zichtbaar"
                if self.shown_good
                else "wsdgen: fouten gevonden; los ze op, dan verschijnt de site vanzelf"
            )
        sys.stdout.flush()
        return result

    def find(self, path: str) -> Found | None:
        """The bytes to serve for a (decoded, valid) URL path: a rendered page, a file of
        the search bundle or an asset, each only through its own check; or None."""
        if has_dot_segment(path):
            return None
        outputs = self.rebuilder.outputs
        key = path.lstrip("/")
        if key == "" or key.endswith("/"):
            key += "index.html"
        if key in outputs:
            return Found(key, outputs[key], page=True)
        if f"{key}/index.html" in outputs:
            return REDIRECT
        if key.startswith("pagefind/") and self.search is not None:
            data = self.search.find(key.removeprefix("pagefind/"))
            return Found(key, data) if data is not None else None
        source = self.rebuilder.asset_sources.get(path)
        if source is not None:
            try:
                return Found(key, safefs.read_bytes(self.rebuilder.options.site_dir, source))
            except (OSError, ValueError):
                return None
        return None

    def __call__(self, environ: dict[str, object], start_response: StartResponse) -> list[bytes]:
        try:
            return self.respond(environ, start_response)
        except Exception as exc:  # noqa: BLE001 - a request never ends in a traceback
            print(
                f"wsdgen: een verzoek kon niet beantwoord worden ({type(exc).__name__})",
                file=sys.stderr,
            )
            start_response("500 Internal Server Error", plain_headers())
            return [SERVER_ERROR_TEXT]

    def respond(self, environ: dict[str, object], start_response: StartResponse) -> list[bytes]:
        path = decoded_path(str(environ.get("PATH_INFO") or "/"))
        if path is None:
            start_response("400 Bad Request", plain_headers())
            return [BAD_REQUEST_TEXT.encode()]
        found = self.find(path)
        status = "200 OK"
        # The panel goes on every page while there are errors, except on the error page
        # (which is the panel) and /beheer/: decided here, never from a page's text.
        panel = bool(self.errors) and shows_panel(path)
        if found is None and not self.rebuilder.outputs:
            found, panel = Found("fouten.html", error_page(self.errors), page=True), False
        if found is REDIRECT:
            location = quote("/" + path.lstrip("/") + "/")
            start_response("301 Moved Permanently", [("Location", location), NOSNIFF])
            return [b""]
        if found is None:
            status = "404 Not Found"
            data = self.rebuilder.outputs.get("404.html", NOT_FOUND_TEXT)
            found = Found("404.html", data, page=True)
        kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        page = found.page and kind == "text/html"
        data = found.data
        if page and panel:
            data = inject_after_body(data, error_panel(self.errors).encode())
        if kind.startswith("text/") or kind.endswith(("xml", "javascript", "json")):
            kind += "; charset=utf-8"
        start_response(status, response_headers(kind, page))
        return [data]


def response_headers(kind: str, page: bool) -> list[tuple[str, str]]:
    """The headers of an answer: never sniffed, and sandboxed unless it is a page or a
    script (see SANDBOX)."""
    headers = [("Content-Type", kind), ("Cache-Control", "no-store"), NOSNIFF]
    script = kind.split(";")[0].strip() in SCRIPT_TYPES
    return headers if page or script else [*headers, SANDBOX]


def plain_headers() -> list[tuple[str, str]]:
    return response_headers("text/plain; charset=utf-8", page=False)


def inject_after_body(data: bytes, panel: bytes) -> bytes:
    marker = data.find(b"<body")
    end = data.find(b">", marker) if marker >= 0 else -1
    return data[: end + 1] + panel + data[end + 1 :] if end >= 0 else panel + data


# --- The server: livereload's parts, for this computer only. ---


def allowed_hosts(port: int) -> frozenset[str]:
    """The Host headers a request may carry: this computer, with the served port."""
    return frozenset(f"{host}:{port}" for host in LOCAL_HOSTS)


def allowed_origins(port: int) -> frozenset[str]:
    """The pages that may open the reload socket: the site itself."""
    return frozenset(f"http://{host}" for host in allowed_hosts(port))


def wrong_host_text(port: int) -> str:
    return (
        f"wsdgen serve is alleen te bereiken via http://127.0.0.1:{port}/ of "
        f"http://localhost:{port}/; dit verzoek noemde een ander adres."
    )


class Refusal(web.RequestHandler):
    """A short Dutch refusal (wrong host, malformed path, method), whatever the method."""

    def initialize(self, status: int, text: str) -> None:
        self.refusal_status = status
        self.refusal_text = text

    def prepare(self) -> None:
        self.set_status(self.refusal_status)
        self.finish_plain()

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish_plain()

    def finish_plain(self) -> None:
        self.clear_header("Server")
        for name, value in plain_headers():
            self.set_header(name, value)
        self.finish(self.refusal_text + "\n")


LOCAL_API_PATH = "/" + LOCAL_API


class LocalBackend(web.RequestHandler):
    """POST /beheer/api/v1: Decap CMS's local backend on the site folder (beheer_local).

    Only the site's own pages may call it: the Origin must be this server (a page on
    another site cannot make the browser send JSON here without a preflight, which is
    answered for the site's origins only).
    """

    def initialize(self, folder: LocalFolder, origins: frozenset[str]) -> None:
        self.folder = folder
        self.origins = origins

    def set_default_headers(self) -> None:
        self.set_header(*NOSNIFF)
        self.set_header(*SANDBOX)

    def origin_allowed(self) -> bool:
        origin = self.request.headers.get("Origin", "").lower()
        if origin in self.origins:
            self.set_header("Access-Control-Allow-Origin", origin)
            self.set_header("Vary", "Origin")
            return True
        return False

    def options(self) -> None:
        if not self.origin_allowed():
            self.refuse(403, "Alleen de eigen pagina's van de site mogen dit gebruiken.")
            return
        self.set_header("Access-Control-Allow-Methods", "POST")
        self.set_header("Access-Control-Allow-Headers", "Content-Type")
        self.set_status(204)
        self.finish()

    def post(self) -> None:
        if not self.origin_allowed():
            self.refuse(403, "Alleen de eigen pagina's van de site mogen dit gebruiken.")
            return
        kind = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            self.refuse(415, "Dit adres neemt alleen JSON aan.")
            return
        try:
            action, params = parse_request(self.request.body)
            answer = self.folder.answer(action, params)
        except BackendRefused as exc:
            print(f"wsdgen: beheerscherm: {exc}", file=sys.stderr)
            self.refuse(422, str(exc))
            return
        except (OSError, safefs.ReadRefused) as exc:
            print(f"wsdgen: beheerscherm: kon niet schrijven of lezen ({exc})", file=sys.stderr)
            self.refuse(500, "Het bestand kon niet gelezen of geschreven worden.")
            return
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(answer))

    def refuse(self, status: int, text: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps({"error": text}))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish(json.dumps({"error": "Er ging iets mis; kijk in de terminal."}))


class LiveReloadScript(LiveReloadJSHandler):
    """livereload.js, never sniffed."""

    def set_default_headers(self) -> None:
        self.set_header(*NOSNIFF)


class LocalOnlyApplication(web.Application):
    """Livereload's routes and the site, answered only for this computer's own address;
    a malformed request target or another method is refused before any route runs."""

    def __init__(self, handlers: list[Any], port: int) -> None:
        super().__init__(handlers, debug=False)
        self.port = port
        self.hosts = allowed_hosts(port)

    def find_handler(self, request: httputil.HTTPServerRequest, **kwargs: Any) -> Any:
        refusal = self.refusal(request)
        if refusal is not None:
            status, text = refusal
            return self.get_handler_delegate(request, Refusal, {"status": status, "text": text})
        return super().find_handler(request, **kwargs)

    def refusal(self, request: httputil.HTTPServerRequest) -> tuple[int, str] | None:
        if request.headers.get("Host", "").lower() not in self.hosts:
            return 421, wrong_host_text(self.port)
        local_api = request.path == LOCAL_API_PATH and request.method in ("POST", "OPTIONS")
        if request.method not in ("GET", "HEAD") and not local_api:
            return 405, METHOD_TEXT
        if not raw_path_is_valid(request.path):
            return 400, BAD_REQUEST_TEXT
        return None


class SameOriginReload(LiveReloadHandler):
    """livereload's reload socket, open only to pages of the site itself (livereload's
    own handler accepts every origin, so any web page could connect)."""

    def initialize(self, origins: frozenset[str]) -> None:
        self.origins = origins

    def check_origin(self, origin: str) -> bool:
        return origin.lower() in self.origins


class QuietWatcher(Watcher):
    """livereload's polling watcher; a file that vanishes while it looks is looked at
    again on the next poll instead of ending in a logged traceback."""

    def __init__(self) -> None:
        super().__init__()
        self.last_problem = ""
        # Files seen changed (or gone) since the main thread last asked; livereload's
        # own ``filepath`` keeps only one of them.
        self.noticed: set[str] = set()
        self.noticed_lock = threading.Lock()

    def is_file_changed(self, path: str, ignore: Any = None) -> bool:
        changed: bool = super().is_file_changed(path, ignore)
        if changed:
            with self.noticed_lock:
                self.noticed.add(path)
        return changed

    def is_file_removed(self) -> bool:
        gone = set(self._task_mtimes) - set(self._new_mtimes)
        removed: bool = super().is_file_removed()
        if removed:
            with self.noticed_lock:
                self.noticed.update(gone)
        return removed

    def take_noticed(self) -> list[Path]:
        """The files seen changed since the last call (for the rebuild's quick path)."""
        with self.noticed_lock:
            taken, self.noticed = self.noticed, set()
        return [Path(path) for path in sorted(taken)]

    def examine(self) -> tuple[str | None, float | None]:
        try:
            found: tuple[str | None, float | None] = super().examine()
        except OSError:
            return None, None
        except Exception as exc:  # noqa: BLE001 - the server must survive anything
            problem = f"wsdgen: wijzigingen konden niet bekeken worden ({type(exc).__name__})"
            if problem != self.last_problem:
                print(problem, file=sys.stderr)
                self.last_problem = problem
            return None, None
        self.last_problem = ""
        if found[0] is not None and found[0] != "__livereload__":
            # The change started a rebuild in the background; browsers are told to
            # reload when it is done (DevSite.after_rebuild), not now.
            return None, None
        return found


class SiteContainer(LiveScriptContainer):
    """livereload's WSGI container, which also answers HEAD (it wrote a body there,
    which made tornado drop the connection)."""

    def __call__(self, request: httputil.HTTPServerRequest) -> None:
        if request.method == "HEAD" and request.connection is not None:
            request.connection = BodylessConnection(request.connection)
        if request.path.startswith("/beheer/"):
            # The editing screen saves files itself; a reload would throw away the form.
            LiveScriptContainer(self.wsgi_app, b"")(request)
            return
        super().__call__(request)


class BodylessConnection(httputil.HTTPConnection):
    """A connection that sends the headers of a response but not its body."""

    def __init__(self, inner: httputil.HTTPConnection) -> None:
        self.inner = inner

    def write_headers(self, start_line: Any, headers: Any, chunk: bytes | None = None) -> Any:
        return self.inner.write_headers(start_line, headers)

    def write(self, chunk: bytes) -> Any:
        return self.inner.write(b"")

    def finish(self) -> None:
        self.inner.finish()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def live_script(port: int) -> bytes:
    """The snippet livereload puts before </head>: it loads livereload.js from here."""
    return (
        '<script>(function(){var s=document.createElement("script");'
        f's.src="//"+window.location.hostname+":{port}/livereload.js?port={port}";'
        "document.head.appendChild(s);})();</script>"
    ).encode()


class LocalServer(Server):
    """livereload's Server with its routes behind LocalOnlyApplication, the reload socket
    restricted to the site's origin, /forcereload left out and no log lines of its own."""

    local_folder: LocalFolder

    def _setup_logging(self) -> None:
        silence_library_logs()

    def application(
        self,
        port: int,
        host: str,
        liveport: int | None = None,
        debug: bool | None = None,
        live_css: bool = True,
    ) -> None:
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = live_css
        site = SiteContainer(self.app, live_script(port))
        backend = {"folder": self.local_folder, "origins": allowed_origins(port)}
        handlers = [
            (LOCAL_API_PATH, LocalBackend, backend),
            (r"/livereload", SameOriginReload, {"origins": allowed_origins(port)}),
            (r"/livereload.js", LiveReloadScript),
            (r".*", web.FallbackHandler, {"fallback": site}),
        ]
        LocalOnlyApplication(handlers, port).listen(port, address=host)

    def start_in_thread(self, port: int) -> str | None:
        """Listen on 127.0.0.1 and serve from a thread of its own (the main thread does
        the rebuilds, where the Markdown bound can use a timer signal); None once
        listening, or why it could not."""
        started = threading.Event()
        problems: list[str] = []

        def run() -> None:
            asyncio.set_event_loop(asyncio.new_event_loop())
            self.loop = IOLoop.current()
            try:
                self._setup_logging()
                self.application(port, "127.0.0.1")
            except OSError as exc:
                problems.append(port_in_use(port, exc))
                started.set()
                return
            # Reload browsers that are still open from an earlier serve.
            self.watcher._changes.append(("__livereload__", 0))
            LiveReloadHandler.start_tasks()
            started.set()
            self.loop.start()
            self.loop.close(all_fds=True)

        self.thread = threading.Thread(target=run, name="wsdgen-serve", daemon=True)
        self.thread.start()
        started.wait()
        return problems[0] if problems else None

    def reload_browsers(self) -> None:
        self.loop.add_callback(LiveReloadHandler.reload_waiters, "*")

    def stop(self) -> None:
        """End the server's loop and wait (briefly) for its thread."""
        if getattr(self, "thread", None) is None:
            return
        self.loop.add_callback(self.loop.stop)
        self.thread.join(timeout=5)


def silence_library_logs() -> None:
    """livereload's and tornado's English lines must not reach the editor's terminal."""
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        logger.handlers[:] = [logging.NullHandler()]
        logger.propagate = False


def ignore_stop(signum: int, frame: FrameType | None) -> None:
    """While serve cleans up after a stop, a second Ctrl+C or SIGTERM changes nothing."""


def serve(site_dir: Path, port: int) -> int:
    """Build, then serve until Ctrl+C; rebuild on every change under the site folder.

    A stop arrives as KeyboardInterrupt; it goes on to the command line (which says so
    in one Dutch line) after Pagefind is ended and the temporary folder removed.
    """
    problem = no_site_here(site_dir) or port_problem(port)
    if problem:
        print(f"wsdgen: fout in de opdracht: {problem}", file=sys.stderr)
        return EXIT_USAGE
    silence_library_logs()
    mirror = SearchMirror()
    try:
        return run_server(site_dir, port, mirror)
    finally:
        with stop_signals_to(ignore_stop):
            mirror.close()


def run_server(site_dir: Path, port: int, mirror: SearchMirror) -> int:
    base_url = f"http://127.0.0.1:{port}/"
    options = BuildOptions(
        site_dir=site_dir,
        base_url=base_url,
        drafts=True,
        today=dt.date.today(),
        write=False,
        local_beheer=True,
        jobs=usable_cores(),
    )
    app = DevSite(Rebuilder(options), mirror)
    first = app.refresh()
    if first is not None and first.exit_code == EXIT_USAGE:
        return EXIT_USAGE
    watcher = QuietWatcher()
    server = LocalServer(app=app, watcher=watcher)
    server.local_folder = LocalFolder(site_dir)
    for name in WATCHED:
        server.watch(str(site_dir / name), app.refresh_soon)
    # Record the files as they are now, so the first poll does not see them all as new,
    # and reload after every change: livereload's default drops changes that follow a
    # reload within 3 seconds, which lost quick successive edits.
    app.priming = True
    watcher.examine()
    watcher.take_noticed()
    app.priming = False
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
    problem = server.start_in_thread(port)
    if problem:
        print(f"wsdgen: fout in de opdracht: {problem}", file=sys.stderr)
        return EXIT_USAGE
    print(f"wsdgen: de site staat op {base_url} (stoppen met Ctrl+C)")
    print(f"wsdgen: het beheerscherm staat op {base_url}beheer/ (bewaart in deze map)")
    sys.stdout.flush()
    try:
        app.rebuild_on_changes(after=server.reload_browsers, noticed=watcher.take_noticed)
    finally:
        server.stop()
    return EXIT_OK


def port_problem(port: int) -> str | None:
    """Why the server cannot listen on this port (in Dutch), or None."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            return port_in_use(port, exc)
    return None


def port_in_use(port: int, exc: OSError) -> str:
    """Why a port cannot be used, in Dutch (the system's own reason is English)."""
    if exc.errno == errno.EADDRINUSE:
        reason = f"poort {port} is al in gebruik (draait wsdgen serve al in een ander venster?)"
    elif exc.errno == errno.EACCES:
        reason = f"poort {port} mag deze gebruiker niet gebruiken (onder 1024 mag dat vaak niet)"
    else:
        reason = f"poort {port} kan niet gebruikt worden (foutcode {exc.errno})"
    return f"{reason}; kies een andere met --port, bijvoorbeeld --port {port + 1}"
