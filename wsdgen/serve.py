"""`wsdgen serve`: build, serve on 127.0.0.1 from memory, re-render and reload on change.

The site is kept in memory by the incremental Rebuilder; livereload watches the site
folder, calls it after every change and then tells the browser to reload. When the
content has an error, the last good version stays served with a Dutch error panel on
top of every page; fixing the file brings the page back by itself. Nothing a site
contains can stop the server. Search works too: the pages are mirrored to a temporary
folder that Pagefind indexes in the background after each change.
"""

from __future__ import annotations

import atexit
import datetime as dt
import html
import mimetypes
import shutil
import socket
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from .diagnostics import Diagnostic, Severity
from .incremental import Rebuilder, RebuildResult
from .pipeline import EXIT_OK, EXIT_USAGE, BuildOptions
from .search import write_search_index

WATCHED = ("content", "templates", "assets", "config.yaml")
StartResponse = Callable[[str, list[tuple[str, str]]], object]

mimetypes.add_type("text/calendar", ".ics")
mimetypes.add_type("application/atom+xml", ".xml")


def error_panel(problems: Iterable[Diagnostic]) -> str:
    """A Dutch panel listing the errors, styled inline so no stylesheet is needed."""
    items = "".join(
        f"<li><code>{html.escape(p.path)}</code>, regel {p.line}: {html.escape(p.message)}</li>"
        for p in problems
        if p.severity is Severity.ERROR
    )
    return (
        '<div role="alert" id="wsdgen-fouten" style="position:relative;z-index:1000;'
        "margin:0;padding:1rem 1.5rem;background:#fff4f4;color:#1b1b1b;border:4px solid "
        '#b00020;font:1rem/1.5 system-ui,sans-serif">'
        '<h2 style="margin:0 0 .5rem;font-size:1.25rem">De site bevat fouten</h2>'
        '<p style="margin:0 0 .5rem">Je ziet hieronder de laatste goede versie. Los deze '
        "fouten op en sla het bestand op; de pagina ververst dan vanzelf.</p>"
        f'<ul style="margin:0;padding-left:1.25rem">{items}</ul></div>'
    )


def error_page(problems: Iterable[Diagnostic]) -> bytes:
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        "<title>Fouten in de site</title></head><body>"
        f"{error_panel(problems)}</body></html>"
    ).encode()


class SearchMirror:
    """The search index for `serve`: the HTML pages mirrored to a temporary folder, where
    Pagefind indexes them in a background thread after each change (so a slow index
    never delays the page reload)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="wsdgen-serve-"))
        atexit.register(shutil.rmtree, self.folder, True)
        self.lock = threading.Lock()
        self.again = threading.Event()
        self.worker: threading.Thread | None = None

    def update(self, outputs: dict[str, bytes], rendered: list[str], removed: list[str]) -> None:
        for file in rendered:
            if file.endswith(".html"):
                target = self.folder / file
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(outputs[file])
        for file in removed:
            (self.folder / file).unlink(missing_ok=True)
        if any(f.endswith(".html") for f in [*rendered, *removed]):
            self.again.set()
            with self.lock:
                if self.worker is None or not self.worker.is_alive():
                    self.worker = threading.Thread(target=self.index, daemon=True)
                    self.worker.start()

    def index(self) -> None:
        while self.again.is_set():
            self.again.clear()
            try:
                write_search_index(self.folder)
            except Exception as exc:  # noqa: BLE001 - search is a nicety while serving
                print(f"wsdgen: de zoekindex kon niet gemaakt worden ({exc})", file=sys.stderr)

    def find(self, path: str) -> bytes | None:
        try:
            return (self.folder / path.lstrip("/")).read_bytes()
        except OSError:
            return None


class DevSite:
    """The WSGI app of `serve`: the in-memory site, with the error panel when needed."""

    def __init__(self, rebuilder: Rebuilder, search: SearchMirror | None = None) -> None:
        self.rebuilder = rebuilder
        self.search = search
        self.errors: list[Diagnostic] = []
        self.priming = False

    def refresh(self, changed: object = None) -> RebuildResult | None:
        """Rebuild after a change; print what happened; never raise."""
        if self.priming:
            return None
        try:
            result = self.rebuilder.rebuild()
        except Exception as exc:  # noqa: BLE001 - the server must survive anything
            from . import diagnostics as diag

            result = RebuildResult(1, [diag.error("wsdgen", 1, f"onverwachte fout: {exc}")])
        for problem in result.diagnostics:
            print(problem, file=sys.stderr)
        if result.exit_code == EXIT_OK:
            self.errors = []
            if self.search is not None:
                self.search.update(self.rebuilder.outputs, result.rendered, result.removed)
            seconds = f"{result.seconds:.2f}".replace(".", ",")
            print(f"wsdgen: {len(result.rendered)} pagina's opnieuw gemaakt in {seconds} s")
        else:
            self.errors = [p for p in result.diagnostics if p.severity is Severity.ERROR]
            print("wsdgen: fouten gevonden; de laatste goede versie blijft zichtbaar")
        sys.stdout.flush()
        return result

    def find(self, path: str) -> tuple[str, bytes] | None:
        """The bytes to serve for a URL path, from the rendered pages or the assets."""
        outputs = self.rebuilder.outputs
        key = path.lstrip("/")
        if key == "" or key.endswith("/"):
            key += "index.html"
        if key in outputs:
            return key, outputs[key]
        if f"{key}/index.html" in outputs:
            return "redirect", b""
        if path.startswith("/pagefind/") and self.search is not None:
            data = self.search.find(path)
            return (key, data) if data is not None else None
        source = self.rebuilder.asset_sources.get(path)
        if source is not None:
            try:
                return key, source.read_bytes()
            except OSError:
                return None
        return None

    def __call__(self, environ: dict[str, object], start_response: StartResponse) -> list[bytes]:
        path = str(environ.get("PATH_INFO") or "/")
        found = self.find(path)
        status = "200 OK"
        if found is None and not self.rebuilder.outputs:
            found = ("fouten.html", error_page(self.errors))
        if found is not None and found[0] == "redirect":
            start_response("301 Moved Permanently", [("Location", path + "/")])
            return [b""]
        if found is None:
            status = "404 Not Found"
            found = ("404.html", self.rebuilder.outputs.get("404.html", b"Niet gevonden"))
        name, data = found
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind == "text/html" and self.errors and b"wsdgen-fouten" not in data:
            data = inject_after_body(data, error_panel(self.errors).encode())
        if kind.startswith("text/") or kind.endswith(("xml", "javascript", "json")):
            kind += "; charset=utf-8"
        start_response(status, [("Content-Type", kind), ("Cache-Control", "no-store")])
        return [data]


def inject_after_body(data: bytes, panel: bytes) -> bytes:
    marker = data.find(b"<body")
    end = data.find(b">", marker) if marker >= 0 else -1
    return data[: end + 1] + panel + data[end + 1 :] if end >= 0 else panel + data


def serve(site_dir: Path, port: int) -> int:
    """Build, then serve until Ctrl+C; rebuild on every change under the site folder."""
    from livereload import Server
    from livereload.handlers import LiveReloadHandler

    problem = port_problem(port)
    if problem:
        print(f"wsdgen: error: {problem}", file=sys.stderr)
        return EXIT_USAGE

    base_url = f"http://127.0.0.1:{port}/"
    options = BuildOptions(
        site_dir=site_dir, base_url=base_url, drafts=True, today=dt.date.today(), write=False
    )
    rebuilder = Rebuilder(options)
    app = DevSite(rebuilder, SearchMirror())
    first = app.refresh()
    if first is not None and first.exit_code == EXIT_USAGE:
        return EXIT_USAGE
    server = Server(app=app)
    for name in WATCHED:
        server.watch(str(site_dir / name), app.refresh)
    # Record the files as they are now, so the first poll does not see them all as new,
    # and reload after every change: livereload's default drops changes that follow a
    # reload within 3 seconds, which lost quick successive edits.
    app.priming = True
    server.watcher.examine()
    app.priming = False
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
    print(f"wsdgen: de site staat op {base_url} (stoppen met Ctrl+C)")
    sys.stdout.flush()
    server.serve(port=port, host="127.0.0.1", debug=False, restart_delay=0)
    return EXIT_OK


def port_problem(port: int) -> str | None:
    """Why the server cannot listen on this port (in Dutch), or None."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            return (
                f"poort {port} kan niet gebruikt worden ({exc.strerror}); kies een andere "
                f"met --port, bijvoorbeeld --port {port + 1}"
            )
    return None
