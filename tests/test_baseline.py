"""`check --sinds REF`: a pull request is blocked by errors and by the warnings it
introduced itself, never by warnings that were there before or appear by themselves
(issue 22, point 2). Each test commits the mini site in a throw-away repository, makes
the change of a pull request and runs the check as the shipped workflows do."""

from __future__ import annotations

from pathlib import Path

from conftest import TODAY
from test_ownership import Runner, edit, git, make_repo

PAST_CAFE = "content/kenniscafes/2017-04-14-schulden.md"
OTHER_CAFE = "content/kenniscafes/2018-03-01-wijkteams.md"


def check_since_base(run: Runner, site: Path, today: str = TODAY, fmt: str = "text"):
    return run("check", "--site", str(site), "--today", today, "--sinds", "main", "--format", fmt)


def remove_report(site: Path, name: str) -> None:
    """Leave only the front matter: a past kenniscafé without a report (a warning)."""
    path = site / name
    text = path.read_text(encoding="utf-8")
    head = text[: text.index("\n---", 4) + 4]
    path.write_text(head + "\n", encoding="utf-8")


def branch(site: Path) -> None:
    git(site, "checkout", "-q", "-b", "wijziging")


def test_a_warning_that_was_already_there_does_not_block(mini: Path, run: Runner) -> None:
    """main has a past kenniscafé without report (the day after the event: nobody's
    pull request caused it); another organisation's change passes, the warning shows."""
    remove_report(mini, PAST_CAFE)
    make_repo(mini, run, redactie="")
    branch(mini)
    edit(mini, OTHER_CAFE, "title: ", "title: Nieuw - ")
    result = check_since_base(run, mini)
    assert result.code == 0, result.err
    [line] = result.lines
    assert line.startswith(f"{PAST_CAFE}:") and ": warning: " in line
    assert "1 was er al" in result.err


def test_a_warning_the_change_introduces_blocks_it(mini: Path, run: Runner) -> None:
    make_repo(mini, run, redactie="")
    branch(mini)
    remove_report(mini, PAST_CAFE)
    result = check_since_base(run, mini)
    assert result.code == 1
    [line] = result.lines
    assert line.startswith(f"{PAST_CAFE}:3: error: dit kenniscafé is voorbij")
    assert "komt door deze wijziging" in line
    assert "1 waarschuwing komt door deze wijziging" in result.err


def test_a_warning_in_an_unchanged_file_caused_by_the_change_blocks_it(
    mini: Path, run: Runner
) -> None:
    """The change deletes a page another body links to: the link warning lands in a
    file the pull request did not touch, and still counts as its own."""
    page = mini / "content/paginas/over-ons.md"
    page.write_text(
        page.read_text(encoding="utf-8")
        + "\nZie [de conferentie](/nieuws/2019-01-10-conferentie/).\n",
        encoding="utf-8",
    )
    make_repo(mini, run, redactie="")
    branch(mini)
    (mini / "content/nieuws/2019-01-10-conferentie.md").unlink()
    result = check_since_base(run, mini)
    assert result.code == 1
    assert any(
        line.startswith("content/paginas/over-ons.md:") and "komt door deze wijziging" in line
        for line in result.lines
    ), result.err


def test_time_alone_never_blocks(mini: Path, run: Runner) -> None:
    """An upcoming kenniscafé without report on main; a day after it, an unrelated pull
    request is checked: the warning exists at the base with the same date, so it passes."""
    make_repo(mini, run, redactie="")
    branch(mini)
    edit(mini, OTHER_CAFE, "title: ", "title: Nieuw - ")
    result = check_since_base(run, mini, today="2030-01-16")
    assert result.code == 0, result.err


def test_annotations_mark_the_introduced_warning_as_an_error(mini: Path, run: Runner) -> None:
    remove_report(mini, OTHER_CAFE)
    make_repo(mini, run, redactie="")
    branch(mini)
    remove_report(mini, PAST_CAFE)
    result = check_since_base(run, mini, fmt="github")
    assert result.code == 1
    annotations = [line for line in result.err.splitlines() if line.startswith("::")]
    kinds = {line.split(" ", 1)[0]: line for line in annotations}
    assert kinds["::error"].startswith(f"::error file={PAST_CAFE},line=3::")
    assert kinds["::warning"].startswith(f"::warning file={OTHER_CAFE},line=")


def test_errors_block_whether_or_not_they_were_there(mini: Path, run: Runner) -> None:
    edit(mini, OTHER_CAFE, "werkplaats: amsterdam", "werkplaats: amsterdm")
    make_repo(mini, run, redactie="")
    branch(mini)
    result = check_since_base(run, mini)
    assert result.code == 1
    assert any(": error: werkplaats:" in line for line in result.lines)


def test_the_base_is_read_as_data(mini: Path, run: Runner) -> None:
    """A link in the base's content folder is not followed (it is not in the base)."""
    (mini / "content/paginas/link.md").symlink_to("/etc/passwd")
    make_repo(mini, run, redactie="")
    (mini / "content/paginas/link.md").unlink()
    git(mini, "commit", "-qam", "weg")
    branch(mini)
    result = run(
        "check", "--site", str(mini), "--today", TODAY, "--sinds", "main~1", "--format", "text"
    )
    assert result.code == 0, result.err
