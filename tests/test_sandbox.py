"""Templates are data: the sandbox refuses every way out to Python (render/sandbox.py).

Each attack is a site template a pull request could add. None of it may run: no
command, no file read, no environment variable in the output, and the build stops with
a Dutch error naming the template and its line while the previous output stays.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TODAY, with_template

from wsdgen.render.renderer import make_environment
from wsdgen.render.sandbox import SandboxEnvironment

SECRET = "geheim-sleutel-0123456789abcdef0123456789abcdef"


def build_args(site: Path, out: Path) -> list[str]:
    return ["build", "--site", str(site), "--out", str(out), "--today", TODAY, "--quiet"]


def marker_command(marker: Path) -> str:
    return f"touch {marker}"


ESCAPES = [
    "{{ cycler.__init__.__globals__.os.popen('CMD').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('CMD').read() }}",
    "{{ namespace.__init__.__globals__.os.popen('CMD').read() }}",
    "{{ lipsum.__globals__['os'].popen('CMD').read() }}",
    "{{ url.__globals__.os.popen('CMD').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}{{ lipsum.__globals__.os.popen('CMD') }}",
    "{{ (config|attr('__class__')).__init__.__globals__ }}"
    "{{ cycler.__init__.__globals__.os.popen('CMD') }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen('CMD') }}",
    "{% set f = cycler.__init__ %}{{ f.__globals__.os.popen('CMD') }}",
    "{{ '{0.__init__.__globals__[os].popen}'.format(cycler) }}"
    "{{ lipsum.__globals__.os.popen('CMD') }}",
    "{{ cycler|attr('__init__')|attr('__globals__') }}{{ lipsum.__globals__.os.popen('CMD') }}",
]


@pytest.mark.parametrize("payload", ESCAPES)
def test_a_template_cannot_run_a_command(mini: Path, run, tmp_path: Path, payload: str) -> None:
    marker = tmp_path / "marker"
    with_template(mini, "robots.txt", payload.replace("CMD", marker_command(marker)) + "\n")
    out = tmp_path / "out"
    for command in (["check", "--site", str(mini), "--today", TODAY], build_args(mini, out)):
        result = run(*command)
        assert result.code == 1
        assert not marker.exists()
        [problem] = [line for line in result.lines if ": error: " in line]
        assert problem.startswith("templates/robots.txt:1: error: fout in sjabloon: ")
    assert not out.exists()


def test_the_previous_output_stays_when_a_template_reaches_out(
    mini: Path, run, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert run(*build_args(mini, out)).code == 0
    before = (out / "robots.txt").read_bytes()
    with_template(mini, "robots.txt", "{{ cycler.__init__.__globals__ }}\n")
    assert run(*build_args(mini, out)).code == 1
    assert (out / "robots.txt").read_bytes() == before


@pytest.mark.parametrize(
    "payload",
    [
        "{{ cycler.__init__.__globals__.os.environ }}",
        "{{ lipsum.__globals__['os'].environ['WSDGEN_CACHE_KEY'] }}",
        "{{ config.site_dir.joinpath('/proc/self/environ').read_text() }}",
        "{{ config.output_dir }}",
    ],
)
def test_a_template_cannot_publish_the_environment_or_read_files(
    mini: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, payload: str
) -> None:
    monkeypatch.setenv("WSDGEN_CACHE_KEY", SECRET)
    with_template(mini, "robots.txt", payload + "\n")
    out = tmp_path / "out"
    result = run(*build_args(mini, out))
    assert result.code == 1
    assert SECRET not in result.err + result.out
    assert not out.exists()
    assert any(line.startswith("templates/robots.txt:1: error:") for line in result.lines)


def test_a_path_in_the_config_is_not_readable_even_by_a_builtin_filter(
    mini: Path, run, tmp_path: Path
) -> None:
    with_template(mini, "robots.txt", "{{ config.site_dir|string }}\n")
    result = run(*build_args(mini, tmp_path / "out"))
    assert result.code == 1
    assert str(mini) not in result.err


def test_the_error_names_the_line_of_the_template(mini: Path, run, tmp_path: Path) -> None:
    with_template(mini, "robots.txt", "User-agent: *\n\n{{ ''.__class__ }}\n")
    result = run(*build_args(mini, tmp_path / "out"))
    assert result.code == 1
    [problem] = result.lines
    assert problem.startswith("templates/robots.txt:3: error: fout in sjabloon: ")
    assert "'__class__'" in problem


@pytest.mark.parametrize(
    "payload",
    [
        "{{ 'x' * 100000000 }}",
        "{{ [1] * 100000000 }}",
        "{{ 100000000 * 'x' }}",
        "{{ 2 ** 100000000 }}",
    ],
)
def test_huge_values_are_refused(mini: Path, run, tmp_path: Path, payload: str) -> None:
    with_template(mini, "robots.txt", payload + "\n")
    result = run(*build_args(mini, tmp_path / "out"))
    assert result.code == 1
    [problem] = result.lines
    assert "te grote waarde" in problem


def test_a_template_that_loops_too_long_is_stopped(
    mini: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("wsdgen.render.renderer.TEMPLATE_CPU_SECONDS", 0.5)
    with_template(
        mini,
        "robots.txt",
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}\n",
    )
    result = run(*[*build_args(mini, tmp_path / "out"), "--jobs", "1"])
    assert result.code == 1
    [problem] = result.lines
    assert problem.startswith("templates/robots.txt:1: error: fout in sjabloon: ")
    assert "rekentijd" in problem


def test_ordinary_template_code_still_works(mini: Path, run, tmp_path: Path) -> None:
    with_template(
        mini,
        "robots.txt",
        "{% set ns = namespace(n=0) %}{% for item in menu %}{% set ns.n = ns.n + 1 %}"
        "{{ loop.index }}:{{ item.title|upper }};{% endfor %}\n"
        "{{ ns.n }} {{ 'a,b'.split(',')|join('+') }} {{ config.url('/x/') }} "
        "{{ range(3)|list }} {{ {'k': 1}.items()|list }} {{ today.year }} "
        "{{ '%s-%s'|format(1, 2) }} {{ '{}!'.format('ja') }} {{ 'x' * 3 }}\n",
    )
    out = tmp_path / "out"
    result = run(*build_args(mini, out))
    assert result.code == 0, result.err
    text = (out / "robots.txt").read_text(encoding="utf-8")
    assert text.startswith("1:")
    assert "a+b /x/ [0, 1, 2] [('k', 1)] 2026 1-2 ja! xxx" in text


def test_every_builtin_template_is_made_in_the_sandbox(mini: Path) -> None:
    env = make_environment(mini)
    assert isinstance(env, SandboxEnvironment)
    assert env.sandboxed


def test_check_reports_a_syntax_error_in_a_template_no_page_uses(
    mini: Path, run, tmp_path: Path
) -> None:
    with_template(mini, "partials/ongebruikt.html", "<p>\n{% if %}\n</p>\n")
    result = run("check", "--site", str(mini), "--today", TODAY)
    assert result.code == 1
    [problem] = result.lines
    assert problem.startswith("templates/partials/ongebruikt.html:2: error: fout in sjabloon")
