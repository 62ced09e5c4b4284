"""The command line speaks Dutch, suggests what was meant and refuses odd values (exit 2)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, TODAY

from wsdgen.cli import ARGPARSE_NL, make_parser

# Words of argparse's own English texts; none may reach a user.
ENGLISH = re.compile(
    r"\b(usage|positional|arguments?|options|optional|show this|help message|exit|"
    r"error|required|invalid|choose|choices|expected|unrecognized|ambiguous|"
    r"allowed|ignored|explicit|value)\b",
    re.IGNORECASE,
)

HELP_COMMANDS = [
    ["--help"],
    ["-h"],
    ["build", "--help"],
    ["check", "--help"],
    ["serve", "--help"],
    ["new", "--help"],
    ["eigenaren", "--help"],
    ["overzicht", "--help"],
]


def assert_dutch(text: str) -> None:
    # Option names and fixed values are not prose: --format's 'text' and 'github'.
    prose = re.sub(r"--[a-z-]+|\{[a-z,]+\}|'[a-z]+'|GitHub Actions", "", text)
    assert not ENGLISH.search(prose), ENGLISH.search(prose)


@pytest.mark.parametrize("args", HELP_COMMANDS, ids=lambda a: " ".join(a))
def test_help_is_dutch(run, args: list[str]) -> None:
    result = run(*args)
    assert result.code == 0
    assert result.out.startswith("gebruik: wsdgen")
    assert "opties:" in result.out and "toon deze hulp en stop" in result.out
    assert_dutch(result.out)


def test_every_option_has_an_explanation() -> None:
    parser = make_parser()
    assert sorted(parser.commands) == ["build", "check", "eigenaren", "new", "overzicht", "serve"]
    for name, command in parser.commands.items():
        for action in command._actions:
            assert action.help, (name, action.option_strings or action.dest)


def test_bare_wsdgen_shows_the_help(run) -> None:
    result = run()
    assert result.code == 2
    assert "ontbreken" not in result.err
    assert result.err.startswith("gebruik: wsdgen")
    for command in ("build", "check", "serve", "new"):
        assert command in result.err
    assert_dutch(result.err)


def test_the_console_script_without_arguments(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wsdgen"], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 2
    assert "gebruik: wsdgen" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("typo", "meant"), [("bulid", "build"), ("chek", "check"), ("srve", "serve"), ("nwe", "new")]
)
def test_a_mistyped_command_gets_a_suggestion(run, typo: str, meant: str) -> None:
    result = run(typo)
    assert result.code == 2
    assert f"bedoel je '{meant}'?" in result.err
    assert_dutch(result.err)


def test_a_mistyped_option_gets_a_suggestion(run, mini: Path) -> None:
    result = run("build", "--site", str(mini), "--toady", TODAY)
    assert result.code == 2
    assert "bedoel je --today?" in result.err
    assert result.err.startswith("gebruik: wsdgen build")
    assert_dutch(result.err)


@pytest.mark.parametrize(
    "args",
    [
        ["new"],
        ["new", "kenniscafe"],
        ["build", "--jobs"],
        ["build", "--format", "xml"],
        ["check", "--drafts=ja"],
        ["build", "extra"],
        ["serve", "--port", "acht"],
        ["build", "--jobs", "twee"],
    ],
    ids=lambda a: " ".join(a),
)
def test_usage_mistakes_are_dutch(run, args: list[str]) -> None:
    result = run(*args)
    assert result.code == 2
    assert "wsdgen: fout in de opdracht: " in result.err
    assert "onverwachte fout" not in result.err
    assert_dutch(result.err)


@pytest.mark.parametrize(
    "args",
    [
        ["serve", "--port", "70000"],
        ["serve", "--port", "0"],
        ["serve", "--port", "-1"],
        ["serve", "--port", "99999999999999999999999999"],
        ["build", "--today", "9999-12-31"],
        ["build", "--today", "1899-12-31"],
        ["build", "--today", "2019-02-30"],
        ["build", "--today", "20190101"],
        ["build", "--today", "2019-W01-1"],
        ["check", "--today", "0001-01-01"],
        ["new", "kenniscafe", "X", "--datum", "9999-12-31"],
        ["build", "--jobs", "0"],
        ["build", "--jobs", "-3"],
        ["build", "--jobs", "1" + "0" * 5000],
    ],
    ids=lambda a: " ".join(a)[:40],
)
def test_values_out_of_range_are_usage_errors(run, mini: Path, args: list[str]) -> None:
    result = run(*args, "--site", str(mini))
    assert result.code == 2, result.err
    option = next(arg for arg in args if arg.startswith("--"))
    assert f"{option}: " in result.err
    assert "onverwachte fout" not in result.err and "Traceback" not in result.err
    assert_dutch(result.err)
    assert not (mini / "public").exists()


def test_the_last_allowed_day_builds(run, mini: Path, tmp_path: Path) -> None:
    result = run(
        "build", "--site", str(mini), "--out", str(tmp_path / "o"), "--today", "2200-12-31"
    )
    assert result.code == 0, result.err
    expires = (tmp_path / "o/.well-known/security.txt").read_text(encoding="utf-8")
    assert "Expires: 2201-12-31" in expires


def test_a_huge_jobs_value_is_capped(run, mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = run("build", "--site", str(mini), "--out", str(out), "--jobs", "100000", "--quiet")
    assert result.code == 0, result.err
    assert (out / "index.html").is_file()


@pytest.mark.parametrize("command", ["build", "check", "serve"])
def test_site_must_be_an_existing_folder(run, tmp_path: Path, command: str) -> None:
    a_file = tmp_path / "config.yaml"
    a_file.write_text("title: X\n", encoding="utf-8")
    for site, reason in (
        (a_file, "is geen map"),
        (tmp_path / "nergens", "bestaat niet"),
        (tmp_path / ("x" * 300), "te lang"),
        (tmp_path / "/".join(["x" * 200] * 30), "te lang"),
    ):
        result = run(command, "--site", str(site))
        assert result.code == 2, result.err
        assert "--site: " in result.err and reason in result.err
        assert "onverwachte fout" not in result.err


def test_new_needs_an_existing_site_folder(run, tmp_path: Path) -> None:
    result = run("new", "thema", "Armoede", "--site", str(tmp_path / "nergens"))
    assert result.code == 2
    assert not (tmp_path / "nergens").exists()


@pytest.mark.parametrize("option", ["--out", "--cache"])
def test_folder_names_that_are_too_long(run, mini: Path, tmp_path: Path, option: str) -> None:
    result = run("build", "--site", str(mini), option, str(tmp_path / ("x" * 300)))
    assert result.code == 2
    assert f"{option}: " in result.err and "te lang" in result.err
    assert "onverwachte fout" not in result.err


def test_an_output_folder_below_a_file(run, mini: Path) -> None:
    result = run("build", "--site", str(mini), "--out", str(mini / "config.yaml/public"))
    assert result.code == 2
    assert "onverwachte fout" not in result.err


def test_cache_may_not_be_a_file(run, mini: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "cache"
    a_file.write_text("geen map\n", encoding="utf-8")
    result = run("build", "--site", str(mini), "--cache", str(a_file))
    assert result.code == 2
    assert "--cache: " in result.err and "is geen map" in result.err
    assert a_file.read_text(encoding="utf-8") == "geen map\n"
    assert not (mini / "public").exists()


def test_build_py_is_dutch_too(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "--today", "9999-12-31"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("gebruik: wsdgen build")
    assert "Traceback" not in done.stderr


def test_every_translation_keeps_its_placeholders() -> None:
    """Positional ones all, in order; named ones may be left out (not added)."""
    for english, dutch in ARGPARSE_NL.items():
        assert re.findall(r"%[rs]", english) == re.findall(r"%[rs]", dutch), english
        assert set(re.findall(r"%\(\w+\)", dutch)) <= set(re.findall(r"%\(\w+\)", english))


def test_a_python_without_the_libraries_is_told_what_to_install(tmp_path: Path) -> None:
    """`python3 build.py` with a Python where wsdgen's libraries are not installed."""
    script = (
        "import runpy, sys; sys.modules['markdown'] = None; "
        f"sys.argv = ['build.py', '--out', {str(tmp_path / 'public')!r}]; "
        "runpy.run_path('build.py', run_name='__main__')"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "het onderdeel 'markdown' ontbreekt" in result.stderr
    assert "pip install -e ." in result.stderr
    assert "Traceback" not in result.stderr and "onverwachte fout" not in result.stderr
    assert not (tmp_path / "public").exists()


def test_build_py_with_a_python_without_the_libraries_uses_the_venv(tmp_path: Path) -> None:
    """`python3 build.py` outside the venv (here: without site-packages, -S) builds all
    the same with the repository's .venv, as the README's quick start made it."""
    import os

    if not (REPO / ".venv/bin/python").is_file():
        assert not os.environ.get("CI"), "CI makes .venv first (.ci/run)"
        pytest.skip("no .venv in this checkout")
    out = tmp_path / "public"
    site = REPO / "tests/sites/mini"
    python = getattr(sys, "_base_executable", sys.executable)  # outside the venv
    done = subprocess.run(
        [python, "-S", str(REPO / "build.py"), "--site", str(site), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        env={k: v for k, v in os.environ.items() if k != "WSDGEN_BUILD_REEXEC"},
    )
    assert done.returncode == 0, done.stderr
    assert (out / "index.html").is_file()
