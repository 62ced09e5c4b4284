"""`wsdgen serve` as an attacker and a careless neighbour would try it, over raw HTTP.

A web page in the editor's browser, or a crafted URL, must not read files outside the
site (the search mirror, the assets), reach the server through another host name (DNS
rebinding) or open the reload socket; nothing it sends prints a traceback or English
log lines. Ctrl+C and SIGTERM end the server with one Dutch line, the shell's exit code
and no temporary folder or Pagefind process left behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browsing import free_port
from conftest import SITES

SECRET = "GEHEIM-7f3a9c-niet-publiceren"
READY = "wsdgen: de site staat op"
WS_HEADERS = (
    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
)
# What livereload and tornado print in English when their loggers are not silenced.
ENGLISH = ("Serving on", "Start watching", "Start detecting", "Browser Connected", "Shutting")
ENGLISH += ("Running task", "Reload ", "Uncaught exception", "[I ", "[W ", "[E ")


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    site: Path
    tmpdir: Path
    log: Path

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def mirrors(self) -> list[Path]:
        return sorted(self.tmpdir.glob("wsdgen-serve-*"))

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout=20)


def start(tmp_path: Path) -> Served:
    """A copy of the mini site served by a child process, with a secret planted next to
    the site and in the temporary folder the server's search mirror lives in."""
    site = tmp_path / "site"
    shutil.copytree(SITES / "mini", site)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    for place in (tmp_path / "secret.txt", tmpdir / "secret.txt", tmp_path / "config.yaml"):
        place.write_text(SECRET, encoding="utf-8")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "wsdgen", "serve", "--site", str(site), "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "TMPDIR": str(tmpdir)},
        )
    served = Served(process, port, site, tmpdir, log)
    deadline = time.monotonic() + 60
    while READY not in served.output:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"wsdgen serve kwam niet op:\n{served.output}")
        time.sleep(0.1)
    return served


def end(served: Served) -> None:
    if served.process.poll() is None:
        served.process.kill()
        served.process.wait(timeout=10)


@dataclass
class Answer:
    status: int
    head: str
    body: bytes


def raw(port: int, target: str, host: str | None = None, extra: str = "", **kw: str) -> Answer:
    """Send one request exactly as written (no client normalises the path) and read the
    answer; a 101 answer is read up to its headers."""
    method = kw.get("method", "GET")
    version = kw.get("version", "HTTP/1.1")
    host_line = "" if host == "" else f"Host: {host or f'127.0.0.1:{port}'}\r\n"
    close = "" if "Connection:" in extra else "Connection: close\r\n"
    request = f"{method} {target} {version}\r\n{host_line}{extra}{close}\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(request.encode("latin-1"))
        return read_answer(sock)


def read_answer(sock: socket.socket) -> Answer:
    """One answer: the headers, then Content-Length bytes (or up to the end); none after
    a 101, whose connection stays open."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/") else 0
    lengths = [line for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:")]
    length = int(lengths[0].split(b":")[1]) if lengths else None
    while status != 101 and (length is None or len(body) < length):
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return Answer(status, head.decode("latin-1"), body)


def websocket(port: int, origin: str, host: str | None = None) -> Answer:
    return raw(port, "/livereload", host=host, extra=WS_HEADERS + f"Origin: {origin}\r\n")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    server = start(tmp_path_factory.mktemp("serve"))
    yield server
    end(server)


OUTSIDE = [
    "/pagefind/../../../../etc/passwd",
    "/pagefind/../../secret.txt",
    "/pagefind/../../../secret.txt",
    "/pagefind/%2e%2e/%2e%2e/etc/passwd",
    "/pagefind/%2e%2e/%2e%2e/secret.txt",
    "/pagefind/%2E%2E%2F%2E%2E%2Fsecret.txt",
    "/pagefind/..%2f..%2fsecret.txt",
    "/assets/../../config.yaml",
    "/assets/../../secret.txt",
    "/assets/%2e%2e/%2e%2e/secret.txt",
    "/..%2f..%2fetc/passwd",
    "/..%2f..%2fsecret.txt",
    "/../../secret.txt",
    "//etc/passwd",
    "/pagefind//etc/passwd",
    "/pagefind/%2fetc%2fpasswd",
    "/pagefind/./../../secret.txt",
    "/pagefind/.hidden",
    "/%2e%2e/config.yaml",
]
MALFORMED = [
    "/pagefind/a%00b",
    "/a%00",
    "/%zz",
    "/pagefind/%",
    "/pagefind/%e",
    "/a\\b",
    "/pagefind/..%5c..%5csecret.txt",
    "/pagefind/%ff%fe",
    "/\xff\xfe",
    "/caf\xe9",
    "/%1b[31m",
    pytest.param("/" + "a" * 5000, id="overlong"),
    "*",
    "http://evil.example/",
]


@pytest.mark.parametrize("target", OUTSIDE)
def test_paths_outside_the_site_are_not_found(served: Served, target: str) -> None:
    answer = raw(served.port, target)
    assert answer.status in (400, 404), answer.head
    assert SECRET.encode() not in answer.body
    assert b"root:" not in answer.body


@pytest.mark.parametrize("target", MALFORMED)
def test_malformed_paths_are_refused(served: Served, target: str) -> None:
    answer = raw(served.port, target)
    assert answer.status == 400, answer.head
    assert SECRET.encode() not in answer.body
    assert b"Traceback" not in answer.body


def test_the_site_search_bundle_and_assets_are_still_served(served: Served) -> None:
    home = raw(served.port, "/")
    assert home.status == 200 and b"<html" in home.body
    assert b"/livereload.js" in home.body
    assert raw(served.port, "/assets/publicaties/rapport.pdf").status == 200
    assert raw(served.port, "/livereload.js").status == 200
    deadline = time.monotonic() + 60
    while raw(served.port, "/pagefind/pagefind.js").status != 200:
        assert time.monotonic() < deadline, "de zoekindex kwam er niet"
        time.sleep(0.5)
    head = raw(served.port, "/", method="HEAD")
    assert head.status == 200 and head.body == b""


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1",
        "127.0.0.1:1",
        "localhost.:{port}",
        "127.0.0.1:{port}.evil.example",
        "[::2]:{port}",
        "0.0.0.0:{port}",
        "",
    ],
)
def test_a_foreign_host_is_refused_in_dutch(served: Served, host: str) -> None:
    host = host.format(port=served.port)
    for target in ("/", "/livereload.js", "/pagefind/pagefind.js", "/forcereload"):
        answer = raw(served.port, target, host=host)
        assert answer.status in (400, 421), (host, target, answer.head)
        assert b"<html" not in answer.body
    if host:  # without a Host header at all, tornado itself answers 400
        assert "alleen te bereiken via" in raw(served.port, "/", host=host).body.decode()
    assert websocket(served.port, f"http://127.0.0.1:{served.port}", host=host).status in (
        400,
        421,
    )


def test_http_1_0_without_a_host_is_refused(served: Served) -> None:
    assert raw(served.port, "/", host="", version="HTTP/1.0").status in (400, 421)


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_the_own_host_works(served: Served, host: str) -> None:
    answer = raw(served.port, "/", host=host.format(port=served.port))
    assert answer.status == 200 and b"<html" in answer.body


# (tornado compares an Origin with the Host without the scheme, so https://127.0.0.1:PORT
# passes; no such page can exist while this server holds the port.)
@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "null",
        "http://127.0.0.1:1",
        "http://127.0.0.1:{port}.evil.example",
        "http://localhost.evil.example:{port}",
    ],
)
def test_the_reload_socket_refuses_other_origins(served: Served, origin: str) -> None:
    answer = websocket(served.port, origin.format(port=served.port))
    assert answer.status == 403, answer.head


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_reload_socket_accepts_the_site_itself(served: Served, host: str) -> None:
    origin = f"http://{host}:{served.port}"
    answer = websocket(served.port, origin, host=f"{host}:{served.port}")
    assert answer.status == 101, answer.head


def test_other_methods_are_refused(served: Served) -> None:
    for method in ("POST", "PUT", "DELETE", "OPTIONS", "FOO"):
        answer = raw(served.port, "/", method=method)
        assert answer.status == 405, (method, answer.head)
        assert "GET" in answer.body.decode()


def test_no_english_log_lines_and_no_traceback(served: Served) -> None:
    for target in [*OUTSIDE[:3], *MALFORMED[:3], "/niet-bestaand/"]:
        raw(served.port, target)
    raw(served.port, "/", host="evil.example")
    websocket(served.port, "http://evil.example")
    websocket(served.port, f"http://127.0.0.1:{served.port}")
    time.sleep(0.5)
    output = served.output
    assert "Traceback" not in output
    for english in ENGLISH:
        assert english not in output, output
    assert SECRET not in output


def mirror_processes(folder: Path) -> list[int]:
    """Processes (Pagefind) whose command line names the search mirror."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if str(folder).encode() in command:
                found.append(int(entry.name))
    return found


def assert_stopped_cleanly(served: Served, code: int, expected: int, mirror: Path) -> None:
    assert code == expected, served.output
    output = served.output
    assert "Traceback" not in output, output
    for english in ENGLISH:
        assert english not in output, output
    stopped = [line for line in output.splitlines() if "gestopt" in line]
    assert len(stopped) == 1 and stopped[0].startswith("wsdgen: "), output
    time.sleep(1)  # an orphaned Pagefind would write into the folder again meanwhile
    assert served.mirrors() == [], served.mirrors()
    if Path("/proc").is_dir():
        assert mirror_processes(mirror) == []


def test_sigterm_ends_serve_quietly_and_removes_its_folder(tmp_path: Path) -> None:
    served = start(tmp_path)
    try:
        # Right after the first build Pagefind is usually still indexing in the background.
        [mirror] = served.mirrors()
        code = served.stop(signal.SIGTERM)
        assert_stopped_cleanly(served, code, 143, mirror)
    finally:
        end(served)


def test_sigint_ends_serve_with_130_and_a_swapped_asset_stays_private(tmp_path: Path) -> None:
    served = start(tmp_path)
    try:
        [mirror] = served.mirrors()
        deadline = time.monotonic() + 30
        while not (mirror / "pagefind").is_dir():
            assert time.monotonic() < deadline, "de zoekindex kwam er niet"
            time.sleep(0.2)
        # An asset that was fine at the last build becomes a link to the secret.
        asset = served.site / "assets/publicaties/rapport.pdf"
        asset.unlink()
        asset.symlink_to(tmp_path / "secret.txt")
        for _ in range(20):
            answer = raw(served.port, "/assets/publicaties/rapport.pdf")
            assert answer.status == 404 and SECRET.encode() not in answer.body
            time.sleep(0.1)
        code = served.stop(signal.SIGINT)
        assert_stopped_cleanly(served, code, 130, mirror)
    finally:
        end(served)
