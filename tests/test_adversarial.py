"""Attacks a pull request author could try, found in a review of the trust model.

Each test is one attack and asserts the safe behaviour; the rule lives in the module
named in the test's docstring.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TODAY

from wsdgen.media.svgcheck import stylesheet_problem


def build_args(site: Path, out: Path) -> list[str]:
    return ["build", "--site", str(site), "--out", str(out), "--today", TODAY, "--quiet"]


def with_template(site: Path, name: str, text: str) -> None:
    path = site / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "payload",
    [
        # Two values of 900 MB each: together past the memory a page may take.
        "{% set a = 'x'.ljust(900000000) %}{% set b = 'y'.ljust(900000000) %}"
        "{{ a|length + b|length }}",
        # A text doubled in a loop ('~' is no operator the sandbox can bound).
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    ],
)
def test_a_template_cannot_exhaust_memory(mini: Path, run, tmp_path: Path, payload: str) -> None:
    """render/renderer.py (memory_limit): a page may take a bounded amount of memory."""
    with_template(mini, "robots.txt", payload + "\n")
    out = tmp_path / "out"
    result = run(*[*build_args(mini, out), "--jobs", "1"])
    assert result.code == 1
    [problem] = result.lines
    assert problem.startswith("templates/robots.txt:1: error: fout in sjabloon: ")
    assert "geheugen" in problem
    assert not out.exists()


def test_a_template_cannot_write_a_huge_page(mini: Path, run, tmp_path: Path) -> None:
    """render/renderer.py (MAX_PAGE_CHARACTERS): 40 MB of padding per page would fill the disk
    and the memory of the build (every page is kept until the output is written)."""
    with_template(mini, "robots.txt", "{{ 'x'|center(40000000) }}\n")
    out = tmp_path / "out"
    result = run(*[*build_args(mini, out), "--jobs", "1"])
    assert result.code == 1
    [problem] = result.lines
    assert problem.startswith("templates/robots.txt:1: error: fout in sjabloon: ")
    assert not out.exists()


def test_a_template_cannot_show_the_folders_of_the_build(mini: Path, run, tmp_path: Path) -> None:
    """load/config.py (repr of SiteConfig): '{{ config }}' shows no path of the CI job."""
    with_template(mini, "robots.txt", "{{ config }}\n")
    out = tmp_path / "out"
    result = run(*build_args(mini, out))
    assert result.code == 0, result.err
    text = (out / "robots.txt").read_text(encoding="utf-8")
    assert str(mini) not in text
    assert str(out) not in text
    assert str(tmp_path) not in text


@pytest.mark.parametrize(
    "css",
    [
        # '\\' is '/' to a browser's URL parser: both are '//evil.example/...'.
        r'a{background:url("\\\\evil.example/x.png")}',
        r'a{background:url("/\\evil.example/x.png")}',
        r'a{background:image-set("\\\\evil.example/a.png" 1x)}',
        # '/*' in a string is no comment to a browser, so the url() between is loaded.
        r'a{content:"/*"} b{background:url(//evil.example/x.png)} c{content:"*/"}',
    ],
)
def test_a_stylesheet_cannot_load_from_another_host(
    mini: Path, run, tmp_path: Path, css: str
) -> None:
    """svgcheck.stylesheet_problem (used by media/assets.py): CSS loads nothing from elsewhere."""
    assert stylesheet_problem(css.encode()) is not None
    target = mini / "assets" / "css" / "extra.css"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(css + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(*build_args(mini, out))
    assert result.code == 1
    assert any(line.startswith("assets/css/extra.css:1: error:") for line in result.lines)
    assert not out.exists()


def test_ordinary_stylesheets_still_pass() -> None:
    """svgcheck.stylesheet_problem: escapes, comments and site paths as before."""
    for css in (
        r'a{background:url(/assets/x.png)} /* url(/y.png) */ b{content:"\201C"}',
        r'@font-face{font-family:"A";src:url(../fonts/a.woff2) format("woff2")}',
        r'a{background:url("data:image/png;base64,AAAA")}',
    ):
        assert stylesheet_problem(css.encode()) is None, css
