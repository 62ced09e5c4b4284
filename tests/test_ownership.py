"""Ownership per werkplaats: `redactie:` in config.yaml, CODEOWNERS and `check --sinds`.

Each test builds a throw-away git repository from the mini site, commits it, changes
files as one editor and runs `wsdgen check --sinds HEAD --auteur ...`.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TODAY, Run

REDACTIE = """\
redactie:
  centraal: ["@wsd/kernteam", "@piet"]
  werkplaatsen:
    rotterdam: ["@hr-redactie", "@jan"]
    amsterdam:
      - "@hva/redactie"
      - "@anna"
"""
AMSTERDAM_CAFE = "content/kenniscafes/2018-03-01-wijkteams.md"  # werkplaats: amsterdam
ROTTERDAM_CAFE = "content/kenniscafes/2017-04-14-schulden.md"  # werkplaats: rotterdam
ROTTERDAM_NEWS = "content/nieuws/2019-01-10-conferentie.md"  # werkplaats: rotterdam
NO_WERKPLAATS = "content/publicaties/landelijk.md"  # no werkplaats: central
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}

Runner = Callable[..., Run]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return done.stdout


def make_repo(site: Path, run: Runner, redactie: str = REDACTIE, codeowners: bool = True) -> Path:
    """The site with `redactie:` committed in a fresh git repository (and CODEOWNERS)."""
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + redactie, encoding="utf-8")
    git(site, "init", "-q", "-b", "main")
    if codeowners and redactie:
        assert run("eigenaren", "--site", str(site)).code == 0
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "begin")
    return site


def check(run: Runner, site: Path, *authors: str, fmt: str = "text") -> Run:
    args = [a for author in authors for a in ("--auteur", author)]
    return run(
        "check", "--site", str(site), "--today", TODAY, "--sinds", "HEAD", *args, "--format", fmt
    )


def edit(site: Path, name: str, old: str, new: str) -> None:
    file = site / name
    text = file.read_text(encoding="utf-8")
    assert old in text, (name, old)
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(site: Path, name: str, start: str) -> int:
    lines = (site / name).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(start))


def errors(result: Run) -> list[str]:
    return [line for line in result.lines if ": error: " in line]


@pytest.fixture
def repo(mini: Path, run: Runner) -> Path:
    return make_repo(mini, run)


# --- The PR check. ---


def test_an_editor_may_change_an_entry_of_their_own_werkplaats(repo: Path, run: Runner) -> None:
    edit(repo, ROTTERDAM_CAFE, "title: ", "title: Nieuw, ")
    result = check(run, repo, "@jan")
    assert result.code == 0, result.err
    assert errors(result) == []


def test_an_entry_of_another_werkplaats_is_refused(repo: Path, run: Runner) -> None:
    edit(repo, AMSTERDAM_CAFE, "title: ", "title: Nieuw, ")
    result = check(run, repo, "jan")
    assert result.code == 1
    line = line_of(repo, AMSTERDAM_CAFE, "werkplaats:")
    [message] = errors(result)
    assert message.startswith(f"{AMSTERDAM_CAFE}:{line}: error: ")
    assert "dit kenniscafé hoort bij werkplaats 'amsterdam'" in message
    assert "(@hva/redactie, @anna)" in message
    assert "(@wsd/kernteam, @piet)" in message
    assert "@jan hoort daar niet bij" in message


NEW_CAFE = """\
---
title: Een nieuw kenniscafé
datum: {datum}
werkplaats: {werkplaats}
---
Aankondiging.
"""


def add_cafe(site: Path, datum: str, werkplaats: str) -> str:
    name = f"content/kenniscafes/{datum}-nieuw.md"
    text = NEW_CAFE.format(datum=datum, werkplaats=werkplaats)
    (site / name).write_text(text, encoding="utf-8")
    return name


def test_a_new_entry_must_name_the_authors_werkplaats(repo: Path, run: Runner) -> None:
    add_cafe(repo, "2031-01-01", "rotterdam")
    result = check(run, repo, "@jan")  # untracked files count as added
    assert result.code == 0, result.err
    add_cafe(repo, "2031-01-02", "amsterdam")
    result = check(run, repo, "@jan")
    assert result.code == 1
    [message] = errors(result)
    assert message.startswith("content/kenniscafes/2031-01-02-nieuw.md:4: error: ")
    assert "werkplaats 'amsterdam'" in message


def test_moving_an_entry_to_another_werkplaats_needs_both(repo: Path, run: Runner) -> None:
    edit(repo, ROTTERDAM_NEWS, "werkplaats: rotterdam", "werkplaats: amsterdam")
    result = check(run, repo, "@jan")
    assert result.code == 1
    [message] = errors(result)
    assert "dit nieuwsbericht hoort bij werkplaats 'amsterdam'" in message
    # From amsterdam's side: @anna may put it in amsterdam, but not take it from rotterdam.
    result = check(run, repo, "@anna")
    assert result.code == 1
    [message] = errors(result)
    assert message.startswith(f"{ROTTERDAM_NEWS}:1: error: ")
    assert "hoorde vóór deze wijziging bij werkplaats 'rotterdam'" in message
    assert "(@hr-redactie, @jan)" in message


def test_a_site_wide_file_is_for_the_central_editors(repo: Path, run: Runner) -> None:
    config = repo / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "# andere tekst\n", encoding="utf-8")
    for name in ("content/themas/armoede.md", "content/paginas/over-ons.md"):
        edit(repo, name, "title: ", "title: Nieuw, ")
    result = check(run, repo, "@jan")
    assert result.code == 1
    failed = {line.split(":", 1)[0] for line in errors(result)}
    assert failed == {"config.yaml", "content/themas/armoede.md", "content/paginas/over-ons.md"}
    assert all(
        "alleen de centrale redactie (@wsd/kernteam, @piet) mag het wijzigen" in line
        for line in errors(result)
    )


def test_a_central_editor_may_change_everything(repo: Path, run: Runner) -> None:
    config = repo / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "# andere tekst\n", encoding="utf-8")
    edit(repo, AMSTERDAM_CAFE, "title: ", "title: Nieuw, ")
    edit(repo, ROTTERDAM_NEWS, "werkplaats: rotterdam", "werkplaats: amsterdam")
    (repo / NO_WERKPLAATS).unlink()
    result = check(run, repo, "@PIET")  # account names are case-insensitive
    assert errors(result) == []
    assert result.code == 0, result.err


def test_deleting_another_werkplaats_file_is_refused(repo: Path, run: Runner) -> None:
    (repo / AMSTERDAM_CAFE).unlink()
    (repo / NO_WERKPLAATS).unlink()
    (repo / ROTTERDAM_CAFE).unlink()  # their own: allowed
    result = check(run, repo, "@jan")
    assert result.code == 1
    by_file = {line.split(":", 1)[0]: line for line in errors(result)}
    assert set(by_file) == {AMSTERDAM_CAFE, NO_WERKPLAATS}
    assert (
        f"{AMSTERDAM_CAFE}:1: error: dit verwijderde kenniscafé hoorde bij werkplaats "
        in (by_file[AMSTERDAM_CAFE])
    )
    assert "deze verwijderde publicatie hoorde bij geen werkplaats" in by_file[NO_WERKPLAATS]


def test_a_rename_is_checked_on_both_sides(repo: Path, run: Runner) -> None:
    git(repo, "mv", AMSTERDAM_CAFE, "content/kenniscafes/2018-03-01-hernoemd.md")
    result = check(run, repo, "@jan")
    assert result.code == 1
    failed = {line.split(":", 1)[0] for line in errors(result)}
    assert failed == {AMSTERDAM_CAFE, "content/kenniscafes/2018-03-01-hernoemd.md"}


def test_a_werkplaats_page_belongs_to_its_werkplaats(repo: Path, run: Runner) -> None:
    edit(repo, "content/werkplaatsen/rotterdam.md", "title: ", "title: Nieuw, ")
    assert check(run, repo, "@jan").code == 0
    edit(repo, "content/werkplaatsen/amsterdam.md", "title: ", "title: Nieuw, ")
    result = check(run, repo, "@jan")
    assert result.code == 1
    [message] = errors(result)
    assert message.startswith("content/werkplaatsen/amsterdam.md:1: error: dit is de pagina ")


def test_uploads_may_be_added_but_not_replaced(repo: Path, run: Runner) -> None:
    (repo / "assets/publicaties/nieuw.pdf").write_bytes(
        (repo / "assets/publicaties/rapport.pdf").read_bytes()
    )
    assert errors(check(run, repo, "@jan")) == []
    (repo / "assets/publicaties/rapport.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = check(run, repo, "@jan")
    [message] = [line for line in errors(result) if "bestond al" in line]
    assert message.startswith("assets/publicaties/rapport.pdf:1: error: ")
    # Someone who edits for no werkplaats may not even add one.
    assert errors(check(run, repo, "@onbekend"))


def test_every_author_named_must_be_allowed(repo: Path, run: Runner) -> None:
    edit(repo, AMSTERDAM_CAFE, "title: ", "title: Nieuw, ")
    result = check(run, repo, "@piet", "@jan")
    assert result.code == 1
    [message] = errors(result)
    assert "@jan hoort daar niet bij" in message


def test_github_annotations(repo: Path, run: Runner) -> None:
    edit(repo, AMSTERDAM_CAFE, "title: ", "title: Nieuw, ")
    result = check(run, repo, "@jan", fmt="github")
    assert result.code == 1
    line = line_of(repo, AMSTERDAM_CAFE, "werkplaats:")
    assert f"::error file={AMSTERDAM_CAFE},line={line}::dit kenniscafé hoort bij" in result.err


def test_content_errors_and_ownership_in_one_run(repo: Path, run: Runner) -> None:
    edit(repo, AMSTERDAM_CAFE, "datum: ", "datum: gisteren # ")
    result = check(run, repo, "@jan")
    assert result.code == 1
    messages = " ".join(errors(result))
    assert "datum" in messages and "hoort bij werkplaats 'amsterdam'" in messages


# --- Options and git. ---


def test_without_redactie_the_check_only_says_so(mini: Path, run: Runner) -> None:
    make_repo(mini, run, redactie="")
    edit(mini, AMSTERDAM_CAFE, "title: ", "title: Nieuw, ")
    result = check(run, mini, "@jan")
    assert result.code == 0, result.err
    assert "config.yaml heeft geen 'redactie:'" in result.err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--auteur", "@jan"], "--auteur hoort bij --sinds"),
        (["--sinds=--output=x", "--auteur", "@jan"], "geen branch, tag of commit"),
        (["--sinds", "bestaat-niet", "--auteur", "@jan"], "'bestaat-niet' is geen commit"),
        (["--sinds", "HEAD", "--auteur", "@"], "is geen account"),
    ],
)
def test_bad_check_options_are_usage_errors(
    repo: Path, run: Runner, args: list[str], expected: str
) -> None:
    result = run("check", "--site", str(repo), *args)
    assert result.code == 2
    assert expected in result.err


def test_sinds_needs_a_git_repository(mini: Path, run: Runner) -> None:
    config = mini / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + REDACTIE, encoding="utf-8")
    result = run("check", "--site", str(mini), "--sinds", "HEAD", "--auteur", "@jan")
    assert result.code == 2
    assert "ligt niet in een git-repository" in result.err


# --- CODEOWNERS. ---


def owners_by_rule(text: str) -> list[tuple[str, list[str]]]:
    rules = []
    for line in text.splitlines():
        if line.startswith("#"):
            assert "@" not in line  # GitLab reads handles even in comments
            continue
        pattern, *owners = line.split()
        rules.append((pattern, owners))
    return rules


def owners_of(rules: list[tuple[str, list[str]]], path: str) -> list[str]:
    """Last match wins (GitHub and GitLab), for the patterns wsdgen writes."""
    found: list[str] = []
    for pattern, owners in rules:
        if (
            pattern == "*"
            or pattern == "/" + path
            or (pattern.endswith("/") and ("/" + path).startswith(pattern))
        ):
            found = owners
    return found


def test_codeowners_names_the_editors_of_each_file(repo: Path) -> None:
    rules = owners_by_rule((repo / "CODEOWNERS").read_text(encoding="utf-8"))
    assert rules[0] == ("*", ["@wsd/kernteam", "@piet"])
    central = {"@wsd/kernteam", "@piet"}
    for name in (AMSTERDAM_CAFE, "content/kenniscafes/2030-06-01-toekomst.md"):
        assert set(owners_of(rules, name)) == {"@hva/redactie", "@anna"} | central
    for name in (ROTTERDAM_CAFE, ROTTERDAM_NEWS, "content/werkplaatsen/rotterdam.md"):
        assert set(owners_of(rules, name)) == {"@hr-redactie", "@jan"} | central
    for name in (
        "config.yaml",
        "CODEOWNERS",
        NO_WERKPLAATS,
        "content/themas/armoede.md",
        "content/werkplaatsen/grensregio.yaml",
        "content/werkplaatsen/nieuw.md",
        "templates/page.html",
        "assets/css/style.css",
        ".github/workflows/site.yml",
        ".gitlab-ci.yml",
        "wsdgen/cli.py",
    ):
        assert set(owners_of(rules, name)) == central, name
    # A new entry falls under its folder: any editor may approve it (the check does the rest).
    everyone = {"@hr-redactie", "@jan", "@hva/redactie", "@anna"} | central
    assert set(owners_of(rules, "content/nieuws/2040-01-01-nieuw.md")) == everyone
    assert set(owners_of(rules, "assets/downloads/nieuw.pdf")) == everyone


def test_codeowners_out_of_date(repo: Path, run: Runner) -> None:
    assert run("eigenaren", "--site", str(repo), "--controleer").code == 0
    # A new entry: `check` is quiet about it, `eigenaren --controleer` is not.
    add_cafe(repo, "2031-01-01", "rotterdam")
    assert not [line for line in check(run, repo, "@jan").lines if "CODEOWNERS" in line]
    result = run("eigenaren", "--site", str(repo), "--controleer")
    assert result.code == 1
    assert "CODEOWNERS:1: error: CODEOWNERS is niet bij: 1 regels ontbreken" in result.err
    # An entry moved to another werkplaats: CODEOWNERS names a wrong owner, `check` warns.
    edit(repo, ROTTERDAM_NEWS, "werkplaats: rotterdam", "werkplaats: amsterdam")
    result = check(run, repo, "@piet")
    stale = [line for line in result.lines if line.startswith("CODEOWNERS:")]
    [warning] = stale
    codeowners = (repo / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(codeowners, 1) if text.startswith("/" + ROTTERDAM_NEWS))
    assert warning.startswith(f"CODEOWNERS:{line}: warning: deze regel van CODEOWNERS klopt ")
    assert run("eigenaren", "--site", str(repo)).code == 0
    assert run("eigenaren", "--site", str(repo), "--controleer").code == 0
    assert not [line for line in check(run, repo, "@piet").lines if "CODEOWNERS" in line]


def test_check_warns_when_codeowners_is_missing(mini: Path, run: Runner) -> None:
    make_repo(mini, run, codeowners=False)
    result = run("check", "--site", str(mini), "--today", TODAY)
    assert "CODEOWNERS:1: warning: er is nog geen CODEOWNERS" in result.err


def test_eigenaren_without_redactie_is_a_usage_error(mini: Path, run: Runner) -> None:
    result = run("eigenaren", "--site", str(mini))
    assert result.code == 2
    assert "geen 'redactie:'" in result.err
    assert not (mini / "CODEOWNERS").exists()


# --- The `redactie:` section. ---


def config_error(mini: Path, run: Runner, redactie: str) -> Run:
    config = mini / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + redactie, encoding="utf-8")
    result = run("check", "--site", str(mini))
    assert result.code == 2, result.err
    return result


def config_line(mini: Path, start: str) -> int:
    return line_of(mini, "config.yaml", start)


def test_an_unknown_werkplaats_is_a_config_error_with_its_line(mini: Path, run: Runner) -> None:
    result = config_error(mini, run, REDACTIE.replace("rotterdam:", "rotterdm:"))
    line = config_line(mini, "    rotterdm:")
    assert (
        f"config.yaml:{line}: error: redactie: er is geen werkplaats 'rotterdm' (geen bestand "
        "content/werkplaatsen/rotterdm.md); bedoel je 'rotterdam'?"
    ) in result.err


def test_accounts_must_be_forge_handles(mini: Path, run: Runner) -> None:
    redactie = REDACTIE.replace('"@anna"', "anna").replace('"@piet"', '"@pi et"')
    result = config_error(mini, run, redactie)
    anna = config_line(mini, "      - anna")
    assert f"config.yaml:{anna}: error: redactie: werkplaatsen.amsterdam: 'anna' moet " in (
        result.err
    )
    central = config_line(mini, "  centraal:")
    assert f"config.yaml:{central}: error: redactie: centraal: '@pi et' is geen account" in (
        result.err
    )


@pytest.mark.parametrize(
    ("redactie", "expected"),
    [
        ("redactie:\n  centraal: []\n", "minstens één account"),
        ("redactie:\n  werkplaatsen: {}\n", "'centraal' ontbreekt"),
        ('redactie:\n  centraal: ["@a"]\n  leden: []\n', "onbekende instelling 'leden'"),
        ('redactie:\n  centraal: ["@@maintainer"]\n', "rollen (@@) kent alleen GitLab"),
        ("redactie: iedereen\n", "'redactie' moet 'centraal' en 'werkplaatsen' hebben"),
        (
            'redactie:\n  centraal: ["@a"]\n  werkplaatsen:\n    rotterdam: []\n',
            "noem bij 'rotterdam' minstens één account",
        ),
    ],
)
def test_a_bad_redactie_section_is_a_config_error(
    mini: Path, run: Runner, redactie: str, expected: str
) -> None:
    result = config_error(mini, run, redactie)
    assert "config.yaml:" in result.err and expected in result.err


def test_the_example_section_is_accepted(mini: Path, run: Runner) -> None:
    config = mini / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + REDACTIE, encoding="utf-8")
    result = run("check", "--site", str(mini), "--today", TODAY)
    assert result.code == 0, result.err
