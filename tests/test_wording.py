"""What the command line says, in the words an editor reads (issue 22, point 7): one
prefix for every mistake in the command, Dutch for a port clash, the kinds of `new`
in full and with one name each, serve without a site, a quieter build."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TODAY, Run

from wsdgen import __version__
from wsdgen.schema import KINDS

USAGE = "wsdgen: fout in de opdracht: "


@pytest.fixture
def taken_port() -> int:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def usage_mistakes(mini: Path, empty: Path, port: int) -> list[list[str]]:
    return [
        ["build", "--site", str(mini), "--jobs", "x"],
        ["bouw"],
        ["new", "evenement", "X", "--site", str(mini)],
        ["new", "nieuws", "X", "--site", str(empty)],
        ["new", "pagina", "Zoeken", "--site", str(mini)],
        ["serve", "--site", str(empty)],
        ["serve", "--site", str(mini), "--port", str(port)],
        ["check", "--site", str(mini), "--auteur", "@jan"],
        ["check", "--site", str(mini), "--sinds", "HEAD"],
    ]


def test_every_mistake_in_the_command_says_so_the_same_way(
    mini: Path, tmp_path: Path, run: Callable[..., Run], taken_port: int
) -> None:
    empty = tmp_path / "leeg"
    empty.mkdir()
    for argv in usage_mistakes(mini, empty, taken_port):
        result = run(*argv)
        assert result.code == 2, argv
        told = [line for line in result.err.splitlines() if line.startswith("wsdgen:")]
        assert told and told[-1].startswith(USAGE), (argv, result.err)
        assert "error" not in result.err.replace("errors", ""), (argv, result.err)
    assert list(empty.iterdir()) == []


def test_a_port_clash_is_told_in_dutch(mini: Path, run: Callable[..., Run], taken_port: int):
    result = run("serve", "--site", str(mini), "--port", str(taken_port))
    assert result.code == 2
    assert f"poort {taken_port} is al in gebruik" in result.err
    assert f"--port {taken_port + 1}" in result.err
    assert "Address already in use" not in result.err


def test_serve_without_a_site_says_where_it_looked(tmp_path: Path, run: Callable[..., Run]):
    result = run("serve", "--site", str(tmp_path))
    assert result.code == 2
    assert f"in de map {tmp_path} staat geen site (er is geen config.yaml)" in result.err
    assert "laatste goede versie" not in result.err + result.out


def test_new_help_names_every_kind_once(run: Callable[..., Run]) -> None:
    result = run("new", "--help")
    assert result.code == 0
    text = " ".join(result.out.split())
    assert f"een van: {', '.join(KINDS)}" in text
    assert "nieuwsbericht" not in text and "..." not in text


def test_an_unknown_kind_suggests_the_name_the_guide_uses(mini: Path, run: Callable[..., Run]):
    result = run("new", "nieuwsberich", "X", "--site", str(mini))
    assert "bedoel je 'nieuws'?" in result.err
    assert result.err.count("nieuwsbericht") == 0


def test_version(run: Callable[..., Run]) -> None:
    result = run("--version")
    assert result.code == 0
    assert result.out.strip() == f"wsdgen {__version__}"


def test_a_build_counts_the_redirects_and_lists_them_on_request(
    mini: Path, tmp_path: Path, run: Callable[..., Run]
) -> None:
    base = ["build", "--site", str(mini), "--today", TODAY, "--zonder-zoekindex"]
    quiet = run(*base, "--out", str(tmp_path / "a"))
    assert quiet.code == 0, quiet.err
    [line] = [x for x in quiet.out.splitlines() if "door (zie" in x]
    assert "oude adressen verwijzen door" in line or "1 oud adres verwijst door" in line
    assert not any(x.startswith("  /") for x in quiet.out.splitlines())
    loud = run(*base, "--out", str(tmp_path / "b"), "--verbose")
    listed = [x for x in loud.out.splitlines() if x.startswith("  /")]
    assert listed and all(" -> /" in x for x in listed)
