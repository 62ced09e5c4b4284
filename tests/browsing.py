"""What the browser tests and the screenshot scripts in bench/ share: where Chromium
is and how it starts, one page of every type of the real site, a quiet local HTTP
server for a built folder, and `wsdgen serve` in a child process."""

from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, seconds: float = 30) -> None:
    """Until something answers on the local port (or the time is up: the test that
    uses it then fails on its first request)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)


@contextmanager
def wsdgen_serving(site: Path, log_path: Path) -> Iterator[str]:
    """`wsdgen serve` on ``site`` in a child process, its output in ``log_path``;
    gives its base URL and stops it afterwards."""
    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "wsdgen", "serve", "--site", str(site), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            wait_for_port(port)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_until(
    tab: object, script: str, what: str, arg: object = None, seconds: float = 15
) -> None:
    """Wait until ``script`` (a JavaScript function) is true in the page, or fail with
    ``what`` did not appear: a browser test never goes on after a timeout."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        tab.wait_for_function(script, arg=arg, timeout=seconds * 1000)  # type: ignore[attr-defined]
    except PlaywrightTimeout as exc:
        raise AssertionError(f"{what} did not appear within {seconds:g} s") from exc


def wait_for_file(path: Path, what: str, seconds: float = 15) -> None:
    """Wait until a file exists, or fail saying which one did not appear."""
    deadline = time.monotonic() + seconds
    while not path.is_file():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} ({path.name}) did not appear within {seconds:g} s")
        time.sleep(0.1)
