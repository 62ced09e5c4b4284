"""A pull request written as an attacker would: symlinks to secrets, aliases that take
over pages, a poisoned cache, a body that keeps Markdown busy. Each test asserts that
the secret is absent, the real page is still the real page, and the run ended."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import SLOW_MARKDOWN, TODAY, page

SECRET = "GEHEIM-TOKEN-7f3a9c"


def build_args(site: Path, out: Path, *extra: str) -> list[str]:
    return ["build", "--site", str(site), "--out", str(out), "--today", TODAY, "--quiet", *extra]


def output_text(out: Path) -> str:
    if not out.exists():
        return ""
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file())


@pytest.fixture
def git_secret(mini: Path) -> Path:
    """A .git/config holding a token, as actions/checkout leaves it."""
    git = mini / ".git"
    git.mkdir()
    (git / "config").write_text(f'[http]\n\textraheader = "AUTHORIZATION: {SECRET}"\n')
    return git / "config"


def test_template_symlink_to_the_environment_is_refused(
    mini: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEPLOY_TOKEN", SECRET)
    (mini / "templates").mkdir()
    (mini / "templates/robots.txt").symlink_to("/proc/self/environ")
    out = tmp_path / "out"
    result = run(*build_args(mini, out))
    assert result.code == 1
    assert any(line.startswith("templates/robots.txt:1: error: ") for line in result.lines)
    assert SECRET not in output_text(out) and SECRET not in result.err


def test_asset_symlinks_to_git_config_and_outside_are_refused(
    mini: Path, run, tmp_path: Path, git_secret: Path
) -> None:
    outside = tmp_path / "elders.txt"
    outside.write_text(SECRET)
    (mini / "assets/config.txt").symlink_to("../.git/config")
    (mini / "assets/elders.txt").symlink_to(outside)
    (mini / "assets/git").symlink_to("../.git")
    out = tmp_path / "out"
    result = run(*build_args(mini, out))
    assert result.code == 1
    shown = {line.split(":")[0] for line in result.lines}
    assert {"assets/config.txt", "assets/elders.txt", "assets/git"} <= shown
    assert not out.exists()


def test_content_symlink_into_git_is_refused(
    mini: Path, run, tmp_path: Path, git_secret: Path
) -> None:
    (mini / "content/paginas/lek.md").symlink_to("../../.git/config")
    result = run(*build_args(mini, tmp_path / "out"))
    assert result.code == 1
    assert any(line.startswith("content/paginas/lek.md:1: error: ") for line in result.lines)
    assert SECRET not in result.err


def test_a_fifo_is_never_opened(mini: Path, run, tmp_path: Path) -> None:
    os.mkfifo(mini / "assets/pijp.css")
    os.mkfifo(mini / "content/nieuws/pijp.md")
    started = time.monotonic()
    result = run(*build_args(mini, tmp_path / "out"))
    assert time.monotonic() - started < 60
    assert result.code == 1
    shown = {line.split(":")[0] for line in result.lines}
    assert {"assets/pijp.css", "content/nieuws/pijp.md"} <= shown


def test_a_symlink_inside_the_site_still_works(mini: Path, run, tmp_path: Path) -> None:
    (mini / "downloads").mkdir()
    (mini / "downloads/folder.pdf").write_bytes(b"%PDF-1.4\n")
    (mini / "assets/downloads").symlink_to("../downloads")
    (mini / "assets/loop").symlink_to(".")
    out = tmp_path / "out"
    assert run(*build_args(mini, out)).code == 0
    assert (out / "assets/downloads/folder.pdf").read_bytes() == b"%PDF-1.4\n"


def add_alias(mini: Path, alias: str) -> Path:
    cafe = mini / "content/kenniscafes/2018-03-01-wijkteams.md"
    text = cafe.read_text(encoding="utf-8")
    cafe.write_text(text.replace("---\n", f"---\naliases:\n  - {alias}\n", 1), encoding="utf-8")
    return cafe


@pytest.mark.parametrize(
    "alias",
    [
        "/werkplaatsen/rotterdam/index.html",
        "/werkplaatsen//rotterdam/",
        "/werkplaatsen/rotterdam",
        "/Werkplaatsen/Rotterdam/",
        "/werkplaatsen/%72otterdam/",
        "/nieuws/atom.xml",
        "/kenniscafes/agenda.ics/",
        "/assets/css/",
        "/",
    ],
)
def test_an_alias_cannot_replace_a_page(mini: Path, run, tmp_path: Path, alias: str) -> None:
    out = tmp_path / "out"
    assert run(*build_args(mini, out)).code == 0
    before = (out / "werkplaatsen/rotterdam/index.html").read_bytes()
    add_alias(mini, '"' + alias + '"')
    result = run(*build_args(mini, out))
    assert result.code == 1, result.err
    line = "content/kenniscafes/2018-03-01-wijkteams.md:3: error: aliases: "
    assert any(problem.startswith(line) for problem in result.lines), result.err
    assert (out / "werkplaatsen/rotterdam/index.html").read_bytes() == before


@pytest.mark.parametrize(
    "alias",
    [
        "/Pagefind/delen.json",
        "/PAGEFIND/deel-1/",
        "/%70agefind/x/",
        "/Assets/css/",
        "/.zoekdelen/x/",
        "/%2Ezoekdelen/x/",
        "/.wsdgen-output/",
        "/oud/.git/",
    ],
)
def test_an_alias_cannot_take_the_search_bundle_or_a_hidden_folder(
    mini: Path, run, tmp_path: Path, alias: str
) -> None:
    """Hosts often serve paths without regard to case, so /Pagefind/ is /pagefind/; and
    the build uses hidden folders of its own in the output (the marker file, the
    search index's work folder), which an alias must not take or have deleted."""
    add_alias(mini, '"' + alias + '"')
    result = run(*build_args(mini, tmp_path / "out"))
    assert result.code == 1, result.err
    line = "content/kenniscafes/2018-03-01-wijkteams.md:3: error: aliases: "
    assert any(problem.startswith(line) for problem in result.lines), result.err


@pytest.mark.parametrize("alias", ["/*", "/oud/*", "/oud/:splat", "/oud/ nieuw/ 200"])
def test_a_wildcard_alias_is_refused(mini: Path, run, tmp_path: Path, alias: str) -> None:
    add_alias(mini, '"' + alias + '"')
    result = run(*build_args(mini, tmp_path / "out"))
    assert result.code == 1
    assert any("aliases" in line for line in result.lines)


def test_two_aliases_that_normalise_alike_collide(mini: Path, run, tmp_path: Path) -> None:
    add_alias(mini, "/oud/adres/")
    news = mini / "content/nieuws/2019-01-10-conferentie.md"
    text = news.read_text(encoding="utf-8")
    news.write_text(text.replace("---\n", "---\naliases:\n  - /oud//adres\n", 1))
    result = run(*build_args(mini, tmp_path / "out"))
    assert result.code == 1
    assert any(line.startswith("content/nieuws/") and "aliases" in line for line in result.lines)


def test_a_normal_alias_gets_its_redirect(mini: Path, run, tmp_path: Path) -> None:
    add_alias(mini, "/oud//wijkteams/index.html")
    out = tmp_path / "out"
    assert run(*build_args(mini, out)).code == 0
    soup = page(out, "/oud/wijkteams/")
    assert soup.find("link", rel="canonical")["href"].endswith("/kenniscafes/2018-03-01-wijkteams/")


def test_a_planted_cache_file_never_reaches_a_page(mini: Path, run, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    clean = tmp_path / "clean"
    assert run(*build_args(mini, clean)).code == 0
    assert run(*build_args(mini, tmp_path / "first", "--cache", str(cache))).code == 0
    files = sorted(cache.rglob("*.html"))
    assert files
    for file in files:
        key = file.stem
        file.write_text(f"{key}\n<script>alert('{SECRET}')</script><p onclick=x>{SECRET}</p>")
    out = tmp_path / "out"
    assert run(*build_args(mini, out, "--cache", str(cache))).code == 0
    assert SECRET not in output_text(out)
    for name in ("kenniscafes/2017-04-14-schulden/index.html", "index.html"):
        assert (out / name).read_bytes() == (clean / name).read_bytes()


def test_a_cache_file_under_another_key_is_a_miss(mini: Path, run, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert run(*build_args(mini, tmp_path / "first", "--cache", str(cache))).code == 0
    files = sorted(cache.rglob("*.html"))
    donor = files[0].read_text(encoding="utf-8").partition("\n")[2]
    for file in files[1:]:
        file.write_text(f"{file.stem}-anders\n{donor}")
    out, clean = tmp_path / "out", tmp_path / "clean"
    assert run(*build_args(mini, clean)).code == 0
    assert run(*build_args(mini, out, "--cache", str(cache))).code == 0
    for file in clean.rglob("*.html"):
        assert (out / file.relative_to(clean)).read_bytes() == file.read_bytes()


@pytest.mark.parametrize("where", ["content/cache", "assets/cache", "templates", "out/cache"])
def test_a_cache_inside_the_sources_or_output_is_refused(
    mini: Path, run, tmp_path: Path, where: str
) -> None:
    out = mini / "out"
    result = run(*build_args(mini, out, "--cache", str(mini / where)))
    assert result.code == 2
    assert "cachemap" in result.err
    assert not (mini / where).exists() or where == "templates"


def test_a_body_that_keeps_markdown_busy_is_an_error_and_the_rest_is_checked(
    mini: Path, run, tmp_path: Path
) -> None:
    slow = mini / "content/nieuws/2019-02-01-haken.md"
    slow.write_text("---\ntitle: Haken\ndatum: 2019-02-01\n---\n" + SLOW_MARKDOWN + "\n")
    broken = mini / "content/nieuws/2019-03-01-datum.md"
    broken.write_text("---\ntitle: Datum\ndatum: 2019-3-1\n---\nTekst.\n")
    started = time.monotonic()
    result = run(*build_args(mini, tmp_path / "out"))
    assert time.monotonic() - started < 30
    assert result.code == 1
    paths = {line.split(":")[0] for line in result.lines if ": error: " in line}
    assert paths == {"content/nieuws/2019-02-01-haken.md", "content/nieuws/2019-03-01-datum.md"}


def test_remote_images_are_dropped_by_the_sanitiser() -> None:
    from wsdgen.body.markup import render_markdown

    html = render_markdown(
        '![a](https://elders.example/x.png) <img src="//elders.example/y.png"> '
        '<img src="/assets/eigen.png" alt="b"> [link](https://elders.example/)'
    )
    assert "elders.example/x.png" not in html and "elders.example/y.png" not in html
    assert 'src="/assets/eigen.png"' in html and 'href="https://elders.example/"' in html


def test_config_yaml_symlink_to_a_secret_is_refused(mini: Path, run, git_secret: Path) -> None:
    (mini / "config.yaml").unlink()
    (mini / "config.yaml").symlink_to(".git/config")
    result = run("check", "--site", str(mini))
    assert result.code == 2
    assert result.lines[0].startswith("config.yaml:1: error: ")
    assert SECRET not in result.err
