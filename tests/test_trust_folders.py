"""What a pull request can set stays in its place: the output folder of config.yaml, the
cache folder, aliases (issue 19, points 5 and 6), a signal during the final swap (9) and
floods of one error (8)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, TODAY

from wsdgen import diagnostics as diag
from wsdgen.cache import pagecache
from wsdgen.check.urls import normal_path
from wsdgen.diagnostics import Flood

CAFE = "content/kenniscafes/2018-03-01-wijkteams.md"
NEWS = "content/nieuws/2019-01-10-conferentie.md"


def tree_hash(root: Path) -> str:
    """Every path, link target and byte under root."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode())
        if path.is_symlink():
            digest.update(os.readlink(path).encode())
        elif path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def set_output(site: Path, value: str) -> int:
    """Add `output: value` to config.yaml; return its line."""
    config = site / "config.yaml"
    lines = config.read_text(encoding="utf-8").splitlines()
    lines.insert(2, f'output: "{value}"')
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 3


def build(run, site: Path, *extra: str):
    return run("build", "--site", str(site), "--today", TODAY, "--zonder-zoekindex", *extra)


# --- 1. output: in config.yaml stays inside the site folder. ---


@pytest.mark.parametrize(
    "kind", ["parent", "absolute", "dotdot-inside", "symlink-out", "hidden", "git"]
)
def test_config_output_outside_the_site_is_refused(
    tmp_path: Path, mini: Path, run, kind: str
) -> None:
    elders = tmp_path / "elders"
    elders.mkdir()
    (elders / "belangrijk.txt").write_text("van iemand anders\n", encoding="utf-8")
    # A folder that does not exist yet: today's build would make it and write the site.
    values = {
        "parent": "../elders/nieuw",
        "absolute": str(elders / "nieuw"),
        "dotdot-inside": "public/../../elders/nieuw",
        "symlink-out": "uit/nieuw",
        "hidden": ".verborgen/public",
        "git": ".git/public",
    }
    if kind == "symlink-out":
        (mini / "uit").symlink_to(elders, target_is_directory=True)
    value = values[kind]
    line = set_output(mini, value)
    before = tree_hash(tmp_path)
    result = build(run, mini)
    assert result.code == 2, result.err
    hidden = kind in ("hidden", "git")
    where = "ligt in een verborgen map" if hidden else "ligt buiten de map van de site"
    assert len(result.lines) == 1, result.err
    assert result.lines[0].startswith(f"config.yaml:{line}: error: output: '{value}' {where}")
    assert tree_hash(tmp_path) == before  # nothing written anywhere
    # `check` (the pull request's CI job) refuses it too, even though it writes nothing.
    checked = run("check", "--site", str(mini), "--today", TODAY)
    assert checked.code == 2
    assert checked.lines == result.lines


def test_only_out_on_the_command_line_may_point_elsewhere(tmp_path: Path, mini: Path, run) -> None:
    out = tmp_path / "ergens" / "anders"
    result = build(run, mini, "--out", str(out))
    assert result.code == 0, result.err
    assert (out / "index.html").is_file()


def test_config_output_inside_the_site_still_works(tmp_path: Path, mini: Path, run) -> None:
    set_output(mini, "uitvoer/site")
    result = build(run, mini)
    assert result.code == 0, result.err
    assert (mini / "uitvoer/site/index.html").is_file()
    assert run("check", "--site", str(mini), "--today", TODAY).code == 0


def test_a_bad_config_output_is_reported_even_with_out(tmp_path: Path, mini: Path, run) -> None:
    """A CI job that builds with --out still sees the setting that an editor's own
    `python build.py` would follow."""
    line = set_output(mini, "../elders")
    result = build(run, mini, "--out", str(tmp_path / "out"))
    assert result.code == 2
    assert result.lines[0].startswith(f"config.yaml:{line}: error: output: '../elders' ligt")
    assert not (tmp_path / "out").exists() and not (tmp_path / "elders").exists()


# --- 2. The cache folder: no symlink, nothing tracked by git, no pruning outside. ---


def outside_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "ergens"
    (folder / "pages/files/ab").mkdir(parents=True)
    (folder / "pages/files/ab/bewaren").write_text("niet weggooien\n", encoding="utf-8")
    (folder / "images").mkdir()
    (folder / "eigen.txt").write_text("van iemand anders\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("where", [".wsdgen-cache", ".cache-link/sub"])
def test_a_cache_folder_through_a_symlink_is_refused(
    tmp_path: Path, mini: Path, run, where: str
) -> None:
    """A committed `.wsdgen-cache -> /somewhere` (or a link on the way to the cache)."""
    outside = outside_folder(tmp_path)
    link = mini / where.split("/")[0]
    link.symlink_to(outside, target_is_directory=True)
    if "/" in where:
        (outside / "sub").mkdir()
    before = tree_hash(outside)
    out = tmp_path / "out"
    result = build(run, mini, "--out", str(out), "--cache", str(mini / where))
    assert result.code == 2, result.err
    assert len(result.lines) == 1
    assert result.lines[0].startswith(f"config.yaml:1: error: de cachemap '{mini / where}' is")
    assert "snelkoppeling" in result.lines[0]
    assert tree_hash(outside) == before
    assert not out.exists()


def git(site: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(site), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_cache_folder_tracked_by_git_is_refused(tmp_path: Path, mini: Path, run) -> None:
    cache = mini / ".wsdgen-cache"
    (cache / "pages").mkdir(parents=True)
    (cache / "pages/record.json").write_text("{}\n", encoding="utf-8")
    git(mini, "init", "-q")
    git(mini, "add", ".")
    git(mini, "commit", "-q", "-m", "site")
    before = tree_hash(cache)
    out = tmp_path / "out"
    result = build(run, mini, "--out", str(out), "--cache", str(cache))
    assert result.code == 2, result.err
    assert result.lines == [
        f"config.yaml:1: error: de cachemap '{cache}' bevat bestanden die in git staan "
        "(zoals '.wsdgen-cache/pages/record.json'); een cache hoort niet in de repository. "
        "Kies een andere map, of haal de map uit git (git rm -r --cached) en zet hem in "
        ".gitignore"
    ]
    assert tree_hash(cache) == before and not out.exists()
    # Untracked (say, listed in .gitignore), the same folder is a good cache.
    git(mini, "rm", "-r", "-q", "--cached", ".wsdgen-cache")
    assert build(run, mini, "--out", str(out), "--cache", str(cache)).code == 0


def test_without_git_the_tracked_check_is_skipped(
    tmp_path: Path, mini: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    (mini / ".git").mkdir()  # looks like a repository, but there is no git to ask
    monkeypatch.setenv("PATH", str(tmp_path / "leeg"))
    result = build(run, mini, "--out", str(tmp_path / "out"), "--cache", str(mini / ".cache"))
    assert result.code == 0, result.err


@pytest.mark.parametrize("planted", ["pages/files", "pages/files/ab", "images", "search", "ab"])
def test_pruning_never_follows_a_planted_symlink(
    tmp_path: Path, mini: Path, run, planted: str
) -> None:
    """A link planted inside the cache folder (it comes from CI's cache store, which a
    pull request's run may have written) is removed or skipped, its target left alone."""
    (mini / "assets/afbeeldingen").mkdir(parents=True, exist_ok=True)
    cache = tmp_path / "cache"
    assert build(run, mini, "--out", str(tmp_path / "a"), "--cache", str(cache)).code == 0
    outside = outside_folder(tmp_path)
    before = tree_hash(outside)
    target = cache / planted
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(outside, target_is_directory=True)
    for name in ("b", "c"):
        assert build(run, mini, "--out", str(tmp_path / name), "--cache", str(cache)).code == 0
    assert tree_hash(outside) == before


def test_the_cache_store_does_not_open_a_symlinked_root(tmp_path: Path) -> None:
    """Defence in depth: whatever calls it, the store never writes through a root link."""
    outside = outside_folder(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(outside, target_is_directory=True)
    with pytest.raises(OSError), pagecache.opened_folder(link, ("pages",), create=True):
        pass
    store = pagecache.SignedStore(link / "pages", b"k" * 32, root=link)
    store.prune(set())
    assert (outside / "pages/files/ab/bewaren").is_file()


# --- 3. Aliases stay in their lane. ---


def add_alias(site: Path, alias: str, file: str = CAFE, *more: str) -> None:
    """Add `aliases:` (line 2) with the alias on line 3, then any more."""
    path = site / file
    items = "".join(f'  - "{item}"\n' for item in (alias, *more))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", f"---\naliases:\n{items}", 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("alias", "holder"),
    [
        ("/werkplaatsen/rotterdam/nieuws/", "werkplaatsen/rotterdam.md"),
        ("/werkplaatsen/rotterdam/oud.html", "werkplaatsen/rotterdam.md"),
        ("/themas/armoede/x/", "themas/armoede.md"),
        ("/Werkplaatsen/ROTTERDAM/nieuws/", "werkplaatsen/rotterdam.md"),
        ("/werkplaatsen/%72otterdam/x/", "werkplaatsen/rotterdam.md"),
        ("/nieuws/2019-01-10-conferentie/oud/", "nieuws/2019-01-10-conferentie.md"),
    ],
)
def test_an_alias_may_not_lie_below_another_entrys_page(
    tmp_path: Path, mini: Path, run, alias: str, holder: str
) -> None:
    out = tmp_path / "out"
    result = build(run, mini, "--out", str(out))
    assert result.code == 0
    before = tree_hash(out)
    add_alias(mini, alias)
    result = build(run, mini, "--out", str(out))
    assert result.code == 1, result.err
    assert result.lines == [
        f"{CAFE}:3: error: aliases: '{normal_path(alias)}' ligt onder het adres van de pagina van "
        f"content/{holder}: die plek hoort bij dat item (en wie het bijhoudt). Een oud "
        "adres mag alleen een adres zijn dat nu van geen enkele pagina is"
    ]
    assert tree_hash(out) == before


def test_an_alias_below_its_own_page_is_refused(tmp_path: Path, mini: Path, run) -> None:
    alias = "/kenniscafes/2018-03-01-wijkteams/oud/"
    add_alias(mini, alias)
    result = build(run, mini, "--out", str(tmp_path / "out"))
    assert result.code == 1
    assert result.lines == [
        f"{CAFE}:3: error: aliases: '{alias}' ligt onder het adres van deze pagina zelf; "
        "een oud adres daar heeft geen zin. Haal het weg"
    ]


@pytest.mark.parametrize(
    "alias",
    [
        "/CNAME",
        "/cname/",
        "/favicon.ico",
        "/Favicon.ICO",
        "/index.htm",
        "/robots.txt",
        "/_redirects",
        "/_headers",
        "/404.html",
        "/sitemap.xml",
        "/netlify.toml",
        "/apple-touch-icon.png",
    ],
)
def test_an_alias_may_not_take_a_name_hosts_read(
    tmp_path: Path, mini: Path, run, alias: str
) -> None:
    add_alias(mini, alias)
    out = tmp_path / "out"
    result = build(run, mini, "--out", str(out))
    assert result.code == 1, result.err
    assert result.lines == [
        f"{CAFE}:3: error: aliases: '{normal_path(alias)}' is een naam die webhosts zelf gebruiken "
        "(zoals CNAME, favicon.ico, robots.txt of index.htm); daar kan geen oud adres staan"
    ]
    assert not out.exists()


@pytest.mark.parametrize("alias", ["/nieuws./", "/x.", "/oud/nieuws./", "/oud%2E/", "/oud%20/"])
def test_an_alias_part_may_not_end_in_a_dot(tmp_path: Path, mini: Path, run, alias: str) -> None:
    add_alias(mini, alias)
    result = run("check", "--site", str(mini), "--today", TODAY)
    assert result.code == 1
    assert len(result.lines) == 1
    assert result.lines[0].startswith(f"{CAFE}:3: error: aliases: ")
    assert "op een punt of spatie eindigt" in result.lines[0]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("/themas/arm%C3%B6ede/", "/themas/armo%CC%88ede/"),  # NFC and NFD of 'ö'
        ("/oud/ARM%C3%96EDE/", "/oud/armo%CC%88ede/"),  # and case folded
        ("/Oud/Bericht/", "/oud/bericht/"),
    ],
)
def test_aliases_are_compared_after_nfc_and_case_folding(
    tmp_path: Path, mini: Path, run, first: str, second: str
) -> None:
    add_alias(mini, first)
    add_alias(mini, second, NEWS)
    result = build(run, mini, "--out", str(tmp_path / "out"))
    assert result.code == 1, result.err
    assert result.lines == [
        f"{NEWS}:3: error: aliases: '{normal_path(second)}' is al in gebruik door een oud "
        f"adres (aliases) in {CAFE}; een oud adres mag maar naar één pagina leiden en geen "
        "bestaande pagina vervangen"
    ]


def test_ordinary_old_addresses_still_redirect(tmp_path: Path, mini: Path, run) -> None:
    add_alias(mini, "/actueel/nieuwsberichten/kenniscafe-1/", CAFE, "/oud/wijkteams.html")
    out = tmp_path / "out"
    result = build(run, mini, "--out", str(out))
    assert result.code == 0, result.err
    assert (out / "actueel/nieuwsberichten/kenniscafe-1/index.html").is_file()
    assert (out / "oud/wijkteams.html").is_file()


# --- 4. A signal during the final swap: a clean status, a whole site. ---

DRIVER = """
import os, signal, sys, threading
from pathlib import Path
from wsdgen import cli
from wsdgen.publish import output

how, report = sys.argv[1], Path(sys.argv[2])
original_exchange, original_rename = output.exchange, os.rename
inside = []

def blocked():
    return signal.SIGTERM in signal.pthread_sigmask(signal.SIG_BLOCK, [])

def rename(source, target):
    original_rename(source, target)
    if inside and how == "between":
        os.kill(os.getpid(), signal.SIGTERM)  # after the first rename, before the second
        inside.clear()

def exchange(staging, out_dir):
    report.write_text("blocked" if blocked() else "open")
    inside.append(True)
    if how == "before":
        os.kill(os.getpid(), signal.SIGTERM)
    elif how == "thread":
        sender = threading.Thread(target=os.kill, args=(os.getpid(), signal.SIGTERM))
        sender.start()
        sender.join()
    return original_exchange(staging, out_dir)

output.exchange = exchange
os.rename = rename
sys.exit(cli.main(sys.argv[3:]))
"""


@pytest.mark.parametrize("how", ["before", "between", "thread"])
def test_sigterm_during_the_swap_ends_cleanly_with_the_new_site(
    tmp_path: Path, mini: Path, run, how: str
) -> None:
    clean = tmp_path / "clean"
    assert build(run, mini, "--out", str(clean)).code == 0
    out = tmp_path / "public"
    assert build(run, mini, "--out", str(out), "--today", "2026-11-24").code == 0
    driver = tmp_path / "driver.py"
    driver.write_text(textwrap.dedent(DRIVER), encoding="utf-8")
    report = tmp_path / "mask"
    args = ["build", "--site", str(mini), "--out", str(out), "--today", TODAY]
    done = subprocess.run(
        [sys.executable, str(driver), how, str(report), *args, "--zonder-zoekindex"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert done.returncode == 143, done.stderr
    assert done.stderr.splitlines() == ["wsdgen: gestopt; de nieuwe site was al geschreven."]
    assert report.read_text() == "blocked"  # the kernel held the signal back
    assert tree_hash(out) == tree_hash(clean)  # the complete new site
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


# --- 5. A flood of one error is shown a few times, then counted. ---


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_a_60000_key_front_matter_prints_a_few_lines(mini: Path, run, output_format: str) -> None:
    keys = "".join(f"k{i:05d}: x\n" for i in range(60000))
    name = "content/nieuws/2026-01-01-vloed.md"
    (mini / name).write_text(f"---\ntitle: Vloed\ndatum: 2026-01-01\n{keys}---\nT.\n")
    result = run("check", "--site", str(mini), "--today", TODAY, "--format", output_format)
    assert result.code == 1
    lines = result.err.splitlines()
    assert len(lines) == diag.FLOOD_LIMIT + 2, lines[-3:]
    flood = f"... en nog 59.980 dezelfde fouten in {name}"
    if output_format == "github":
        assert lines[-2] == f"::error file={name.replace(':', '%3A')},line=24::{flood}"
        assert lines[0].startswith(f"::error file={name},line=4::onbekend veld 'k00000'")
    else:
        assert lines[-2] == flood
        assert lines[0].startswith(f"{name}:4: error: onbekend veld 'k00000'")
    assert lines[-1] == "wsdgen: controle mislukt (60.000 fouten, 0 waarschuwingen)."


def test_capped_counts_per_file_and_kind() -> None:
    problems = [
        *(diag.error("a.md", n, f"onbekend veld 'k{n}'") for n in range(1, 26)),
        *(diag.warning("a.md", n, "het veld 'x' is leeg") for n in range(30, 32)),
        *(diag.error("b.md", n, f"regel {n} is te lang") for n in range(1, 23)),
        diag.error("c.md", 1, "iets"),
    ]
    shown = diag.capped(sorted(problems), limit=20)
    floods = [item for item in shown if isinstance(item, Flood)]
    assert [str(f) for f in floods] == [
        "... en nog 5 dezelfde fouten in a.md",
        "... en nog 2 dezelfde fouten in b.md",
    ]
    assert floods[0].line == 21
    assert len(shown) == 20 + 2 + 1 + 20 + 1 + 1
    assert shown[-1] == problems[-1]  # after b.md's flood line, c.md as it was
    assert str(diag.Flood("x.md", 1, diag.Severity.WARNING, 1)) == (
        "... en nog 1 dezelfde waarschuwing in x.md"
    )
    assert diag.dutch_number(1234567) == "1.234.567"


def test_a_linked_templates_folder_outside_the_site_is_one_error_and_not_walked(
    tmp_path: Path, mini: Path, run
) -> None:
    """Linked folders under templates/ are followed (the loader loads from them), but a
    link out of the site is one error on the link, never a walk of what it points to."""
    outside = tmp_path / "buiten"
    for number in range(5):
        (outside / f"map{number}").mkdir(parents=True)
        (outside / f"map{number}/x.html").write_text("geheim", encoding="utf-8")
    (mini / "templates").mkdir()
    (mini / "templates/buiten").symlink_to(outside)
    result = run("build", "--site", str(mini), "--out", str(tmp_path / "out"), "--today", TODAY)
    assert result.code == 1
    errors = [line for line in result.lines if ": error:" in line]
    assert [line.split(":")[0] for line in errors] == ["templates/buiten"]
    assert "buiten de site" in errors[0]
