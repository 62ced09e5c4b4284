"""config.yaml mistakes (exit 2), the output-folder guard and builds that cannot lose a site."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import settled_names, write_site
from PIL import Image
from test_validate import BASE

GOOD = {
    **BASE,
    "content/kenniscafes/2019-05-23-test.md": (
        "---\ntitle: Kenniscafé\ndatum: 2019-05-23\nwerkplaats: rotterdam\n---\nVerslag.\n"
    ),
}


def tree_hash(root: Path) -> str:
    """A digest of every path and byte under root (and of the folder's own existence)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def test_missing_config_is_a_configuration_error(tmp_path: Path, run) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    result = run("check", "--site", str(site))
    assert result.code == 2
    assert result.lines[0].startswith("config.yaml:1: error:")


def test_unknown_config_key_names_its_line(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", GOOD, config="title: T\nbase_url: /\ntitel: X\n")
    result = run("check", "--site", str(site))
    assert result.code == 2
    assert result.lines == [result.lines[0]]
    assert result.lines[0].startswith("config.yaml:3: error:") and "titel" in result.lines[0]


def test_broken_config_yaml(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", GOOD, config="title: [T\n")
    result = run("build", "--site", str(site))
    assert result.code == 2
    assert result.lines[0].startswith("config.yaml:")


@pytest.mark.parametrize("out", [".", "content", "templates", "assets", "..", "content/x"])
def test_forbidden_output_folders(tmp_path: Path, run, out: str) -> None:
    site = write_site(tmp_path / "site", GOOD)
    before = tree_hash(tmp_path)
    result = run("build", "--site", str(site), "--out", str(site / out))
    assert result.code == 2
    assert "uitvoermap" in result.err
    assert tree_hash(tmp_path) == before


def test_output_folder_check_resolves_symlinks(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", GOOD)
    (tmp_path / "sneaky").symlink_to(site / "content")
    result = run("build", "--site", str(site), "--out", str(tmp_path / "sneaky"))
    assert result.code == 2


def test_refuses_to_replace_a_folder_it_did_not_make(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", GOOD)
    foreign = tmp_path / "mijn-map"
    foreign.mkdir()
    (foreign / "belangrijk.txt").write_text("niet weggooien", encoding="utf-8")
    result = run("build", "--site", str(site), "--out", str(foreign))
    assert result.code == 2
    assert (foreign / "belangrijk.txt").read_text(encoding="utf-8") == "niet weggooien"
    assert sorted(p.name for p in foreign.iterdir()) == ["belangrijk.txt"]


def test_a_failing_build_leaves_the_previous_output_untouched(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", GOOD)
    out = tmp_path / "public"
    assert run("build", "--site", str(site), "--out", str(out)).code == 0
    before = tree_hash(out)
    broken = site / "content/kenniscafes/2019-05-23-test.md"
    broken.write_text(broken.read_text(encoding="utf-8").replace("2019-05-23", "2019-02-30"))
    assert run("build", "--site", str(site), "--out", str(out)).code == 1
    assert tree_hash(out) == before
    assert settled_names(tmp_path) == ["public", "site"]


def test_a_template_error_leaves_the_previous_output_untouched(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", GOOD)
    out = tmp_path / "public"
    assert run("build", "--site", str(site), "--out", str(out)).code == 0
    before = tree_hash(out)
    (site / "templates").mkdir()
    (site / "templates/home.html").write_text("{{ nergens.iets }}", encoding="utf-8")
    # The home page is made after the search index has been started on the entry pages.
    assert run("build", "--site", str(site), "--out", str(out)).code == 1
    assert tree_hash(out) == before
    assert settled_names(tmp_path) == ["public", "site"]


def test_a_good_build_replaces_the_old_output_completely(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", GOOD)
    out = tmp_path / "public"
    assert run("build", "--site", str(site), "--out", str(out)).code == 0
    (site / "content/kenniscafes/2019-05-23-test.md").unlink()
    assert run("build", "--site", str(site), "--out", str(out)).code == 0
    assert not (out / "kenniscafes/2019-05-23-test").exists()
    assert settled_names(tmp_path) == ["public", "site"]


def test_check_writes_nothing(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", GOOD)
    before = tree_hash(tmp_path)
    assert run("check", "--site", str(site)).code == 0
    assert tree_hash(tmp_path) == before


XSS = {
    **BASE,
    "content/kenniscafes/2019-05-23-xss.md": """\
---
title: "<script>alert('titel')</script>"
summary: "<img src=x onerror=alert('samenvatting')>"
datum: 2019-05-23
werkplaats: rotterdam
locatie: "<b onmouseover=alert(1)>plek</b>"
---
Tekst <script>alert('body')</script> en
<img src="/assets/img/x.png" onerror="alert('img')" alt="a">.

[klik](javascript:alert('link')) <a href="JaVaScRiPt:alert(2)">twee</a>
<a href="data:text/html,<script>alert(3)</script>">drie</a>
<style>body{display:none}</style>
<svg onload="alert(4)"><circle/></svg>
<details open ontoggle="alert(5)"><summary>Meer</summary>Inhoud</details>

| a | b |
|---|---|
| 1 | 2 |
""",
}


def test_nothing_from_content_is_executable_in_the_output(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", XSS)
    (site / "assets/img").mkdir(parents=True)
    Image.new("RGB", (40, 30), "teal").save(site / "assets/img/x.png")
    out = tmp_path / "out"
    result = run("build", "--site", str(site), "--out", str(out))
    assert result.code == 0, result.err
    for file in out.rglob("*.html"):
        soup = BeautifulSoup(file.read_text(encoding="utf-8"), "lxml")
        assert soup.find_all(["iframe", "style", "object", "embed"]) == [], file
        for script in soup.find_all("script"):
            # Only the site's own search scripts, never inline code.
            assert script.get("src", "").startswith(("/pagefind/", "/assets/js/")), file
            assert not script.get_text().strip(), file
        for svg in soup.find_all("svg"):
            # Only the charts and the map the build draws itself.
            drawn = set(svg.get("class") or ()) & {"heat-strip", "kaart-svg"}
            assert drawn or svg.find_parent("figure", class_="chart") is not None, file
        for tag in soup.find_all(True):
            for name, value in tag.attrs.items():
                assert not name.lower().startswith("on"), (file, tag)
                if name in ("href", "src", "action"):
                    scheme = value.split(":", 1)[0].lower() if ":" in value else ""
                    assert scheme in ("", "http", "https", "mailto"), (file, value)
    page = BeautifulSoup(
        (out / "kenniscafes/2019-05-23-xss/index.html").read_text(encoding="utf-8"), "lxml"
    )
    assert page.h1.get_text() == "<script>alert('titel')</script>"
    prose = page.select_one(".prose")
    assert prose.find("table") is not None
    assert prose.find("details").find("summary").get_text() == "Meer"


def test_the_published_output_carries_no_build_marker(tmp_path: Path, run) -> None:
    from wsdgen.publish.output import STAGING_MARKER

    site = write_site(tmp_path / "site", GOOD)
    out = tmp_path / "public"
    assert run("build", "--site", str(site), "--out", str(out)).code == 0
    assert not (out / STAGING_MARKER).exists()
    assert run("build", "--site", str(site), "--out", str(out)).code == 0
    assert not (out / STAGING_MARKER).exists()
    assert settled_names(tmp_path) == ["public", "site"]


def test_the_writer_refuses_to_write_a_file_twice(tmp_path: Path) -> None:
    from wsdgen.publish.output import MARKER, publish
    from wsdgen.render.renderer import Rendered

    out = tmp_path / "public"
    out.mkdir()
    (out / MARKER).write_text("x\n", encoding="utf-8")
    (out / "index.html").write_text("oud\n", encoding="utf-8")
    before = tree_hash(out)
    twice = [Rendered("a/index.html", b"een"), Rendered("a/index.html", b"twee")]
    problems = publish(twice, [], out, tmp_path)
    assert len(problems) == 1 and "twee keer" in problems[0].message
    assert tree_hash(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]
