"""One time budget per build (budget.py): many slow files, each under its own bound,
still stop the build, with an error on the slowest ones."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import TODAY

from wsdgen.budget import WorkBudget
from wsdgen.render import renderer as render

# Quick to convert; the test below makes Markdown slow for it.
SLOWISH = "[a](" * 20


def slow_news(site: Path, count: int) -> list[str]:
    names = []
    for number in range(count):
        name = f"content/nieuws/2019-06-{number + 1:02d}-traag.md"
        (site / name).write_text(
            f"---\ntitle: Traag {number}\ndatum: 2019-06-{number + 1:02d}\n---\n"
            f"{SLOWISH}{number}\n",
            encoding="utf-8",
        )
        names.append(name)
    return names


def set_limit(site: Path, value: str) -> None:
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"tijdslimiet: {value}\n")


def test_many_slow_bodies_use_up_the_budget(
    mini: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("wsdgen.load.config.WORK_SECONDS_RANGE", (1, 5400))
    convert = render.render_markdown_bounded

    def slow_for_these(text: str, base_path: str = "/") -> str | None:
        if text.startswith("[a]("):
            time.sleep(0.4)  # a body that is slow, but well under its own 3 s bound
        return convert(text, base_path)

    monkeypatch.setattr(render, "render_markdown_bounded", slow_for_these)
    names = slow_news(mini, 6)
    set_limit(mini, "1")
    out = tmp_path / "out"
    result = run("build", "--site", str(mini), "--out", str(out), "--today", TODAY, "--jobs", "1")
    assert result.code == 1
    assert not out.exists()
    named = [line.split(":")[0] for line in result.lines]
    assert len(named) <= 5
    # The slow bodies are named; on a busy machine a PDF read may cost a tenth of the
    # slowest body and be named with them (the lines are in the order of their paths).
    assert len(set(named) & set(names)) >= 3
    assert all("tijdslimiet" in line for line in result.lines)


def test_the_same_bodies_pass_with_the_default_budget(mini: Path, run, tmp_path: Path) -> None:
    slow_news(mini, 2)
    out = tmp_path / "out"
    result = run("build", "--site", str(mini), "--out", str(out), "--today", TODAY, "--quiet")
    assert result.code == 0, result.err


@pytest.mark.parametrize("value", ["5", "abc", "-1", "99999", "1.5"])
def test_a_wrong_time_limit_is_a_config_error(mini: Path, run, value: str) -> None:
    set_limit(mini, value)
    result = run("check", "--site", str(mini), "--today", TODAY)
    assert result.code == 2
    [problem] = result.lines
    lines = (mini / "config.yaml").read_text(encoding="utf-8").splitlines()
    assert problem.startswith(f"config.yaml:{len(lines)}: error: 'tijdslimiet'")


def test_the_budget_names_the_slowest_files_first() -> None:
    budget = WorkBudget(limit=2.0)
    for number, seconds in enumerate([0.1, 0.9, 0.3, 0.8, 0.2, 0.7, 0.4]):
        budget.spend(f"f{number}", seconds)
    assert budget.exceeded
    assert [problem.path for problem in budget.problems()] == ["f1", "f3", "f5", "f6", "f2"]
    assert "2,0 seconden" in budget.problems()[0].message


def test_a_template_slow_on_every_page_uses_up_the_budget(
    mini: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("wsdgen.load.config.WORK_SECONDS_RANGE", (1, 5400))
    one_page = render.render_one

    def slow_page(*args: object) -> render.Rendered:
        time.sleep(0.05)  # each page well under its own 10 s bound
        return one_page(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "render_one", slow_page)
    set_limit(mini, "1")
    out = tmp_path / "out"
    result = run("build", "--site", str(mini), "--out", str(out), "--today", TODAY, "--jobs", "1")
    assert result.code == 1
    assert not out.exists()
    [problem] = result.lines
    assert problem.startswith("wsdgen/theme/templates/")
    assert "tijdslimiet" in problem
