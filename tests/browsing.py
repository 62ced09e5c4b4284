"""What the browser tests and the screenshot scripts in bench/ share: where Chromium
is and how it starts, one page of every type of the real site, and a quiet local
HTTP server for a built folder."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("WSDGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# One page of every type of the real site, by the name the reflow figures use.
PAGE_TYPES = {
    "home": "/",
    "werkplaatsen": "/werkplaatsen/",
    "werkplaats": "/werkplaatsen/zuid-holland-zuid/",
    "themas": "/themas/",
    "thema": "/themas/verbondenheid-en-veerkracht/",
    "regios": "/regios/",
    "regio": "/regios/zuid-holland/",
    "kenniscafes": "/kenniscafes/",
    "kenniscafe": "/kenniscafes/2019-05-23-voorkomen-huisuitzettingen/",
    "publicaties": "/publicaties/",
    "publicatie": "/publicaties/leren-transformeren/",
    "nieuws": "/nieuws/",
    "nieuwsbericht": "/nieuws/2017-10-26-werkconferentie-doe-leer-en-inspireer/",
    "pagina": "/over-ons/",
    "matrix": "/wie-werkt-waaraan/",
    "zoeken": "/zoeken/?q=armoede",
    "404": "/404.html",
}


def require(available: bool, what: str) -> None:
    """Fail in CI when a tool is missing (CI must install it); skip elsewhere."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; .ci/run should have installed it")
    pytest.skip(f"{what} is not installed here")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No line per request in the output."""


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """Serve a built folder on 127.0.0.1 (a free port) and give its base URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
