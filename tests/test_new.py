"""`wsdgen new`: a valid slug from the title, the required fields, never an overwrite."""

from __future__ import annotations

from pathlib import Path

from conftest import write_site
from test_validate import BASE

from wsdgen.schema import BODY_PLACEHOLDER


def fill_in(path: Path, werkplaats: str | None = "rotterdam") -> str:
    """What an editor does after `new`: fill in the werkplaats and write the text."""
    text = path.read_text(encoding="utf-8")
    if werkplaats:
        text = text.replace("werkplaats: VUL-IN", f"werkplaats: {werkplaats}")
    text = text.replace(BODY_PLACEHOLDER, "De eigen tekst.")
    path.write_text(text, encoding="utf-8")
    return text


def fill_in_all(site: Path) -> None:
    for path in (site / "content").rglob("*.md"):
        fill_in(path, werkplaats=None)


def test_new_kenniscafe_gets_date_and_folded_slug(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    result = run(
        "new", "kenniscafe", "Cliënten in de wijk", "--site", str(site), "--datum", "2027-03-14"
    )
    assert result.code == 0, result.err
    path = site / "content/kenniscafes/2027-03-14-clienten-in-de-wijk.md"
    text = path.read_text(encoding="utf-8")
    assert 'title: "Cliënten in de wijk"' in text
    assert "datum: 2027-03-14" in text
    assert "# locatie:" in text and "# begintijd:" in text
    # Once the editor fills in the werkplaats and writes the text, the entry is valid.
    fill_in(path)
    assert run("check", "--site", str(site)).code == 0


def test_new_refuses_to_overwrite(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    assert run("new", "thema", "Armoede", "--site", str(site)).code == 1
    assert (site / "content/themas/armoede.md").read_text(encoding="utf-8") == (
        "---\ntitle: Armoede\n---\n"
    )


def test_new_publicatie_and_pagina_are_valid_at_once(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    assert (
        run(
            "new", "publicatie", 'Het "grote" rapport', "--site", str(site), "--datum", "2024-01-02"
        ).code
        == 0
    )
    assert run("new", "pagina", "Colofon", "--site", str(site)).code == 0
    text = (site / "content/publicaties/het-grote-rapport.md").read_text(encoding="utf-8")
    assert "jaar: 2024" in text
    fill_in_all(site)
    assert run("check", "--site", str(site)).code == 0


def test_new_unknown_kind_is_a_usage_error(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    result = run("new", "evenement", "X", "--site", str(site))
    assert result.code == 2
    assert "kenniscafe" in result.err


def test_new_with_a_very_long_title_gets_a_short_file_name(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    title = " ".join(["Armoede en schulden in de wijk"] * 14)  # 433 characters
    result = run("new", "kenniscafe", title, "--site", str(site), "--datum", "2027-03-14")
    assert result.code == 0, result.err
    [path] = (site / "content/kenniscafes").glob("2027-03-14-*.md")
    slug = path.stem.removeprefix("2027-03-14-")
    assert len(slug) <= 80 and not slug.endswith("-")
    assert title.lower().replace(" ", "-").startswith(slug + "-")  # cut between words
    text = path.read_text(encoding="utf-8")
    assert f'title: "{title}"' in text
    fill_in(path)
    assert run("check", "--site", str(site)).code == 0


def test_new_with_one_endless_word(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    assert run("new", "thema", "a" * 400, "--site", str(site)).code == 0
    assert (site / "content/themas" / ("a" * 80 + ".md")).is_file()


def test_new_drops_control_characters_from_the_title(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    title = "Rood\x1b[31m en\x07 \u200bblauw\tsamen\ud800"
    result = run("new", "pagina", title, "--site", str(site))
    assert result.code == 0, result.err
    [path] = (site / "content/paginas").glob("*.md")
    assert path.name == "rood-31m-en-blauw-samen.md"
    assert 'title: "Rood [31m en blauw samen"' in path.read_text(encoding="utf-8")
    fill_in(path)
    assert run("check", "--site", str(site)).code == 0


def test_new_suggests_the_kind_that_was_meant(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    result = run("new", "kenniscfe", "X", "--site", str(site))
    assert result.code == 2
    assert "bedoel je 'kenniscafe'?" in result.err


def test_new_refuses_to_run_outside_a_site(tmp_path: Path, run) -> None:
    result = run("new", "nieuws", "Bericht", "--site", str(tmp_path))
    assert result.code == 2
    assert "staat geen site" in result.err and "config.yaml" in result.err
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_a_page_name_the_site_uses_itself(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    for title in ("Zoeken", "Kenniscafés", "404"):
        result = run("new", "pagina", title, "--site", str(site))
        assert result.code == 2, title
        assert "gebruikt de site zelf" in result.err
    assert not (site / "content/paginas/zoeken.md").exists()


def test_version_prints_the_version(run) -> None:
    from wsdgen import __version__

    result = run("--version")
    assert result.code == 0
    assert result.out.strip() == f"wsdgen {__version__}"


def test_an_entry_left_as_new_wrote_it_is_refused(tmp_path: Path, run) -> None:
    """A past kenniscafé made with `new` and only its werkplaats filled in: the example
    text is an error on its own line, so it is never published."""
    site = write_site(tmp_path / "site", BASE)
    assert run("new", "kenniscafe", "Oud", "--site", str(site), "--datum", "2020-01-01").code == 0
    path = site / "content/kenniscafes/2020-01-01-oud.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("werkplaats: VUL-IN", "werkplaats: rotterdam"), encoding="utf-8")
    result = run("check", "--site", str(site))
    assert result.code == 1
    line = text.splitlines().index(BODY_PLACEHOLDER) + 1
    assert result.lines == [
        f"content/kenniscafes/2020-01-01-oud.md:{line}: error: de voorbeeldtekst "
        f"'{BODY_PLACEHOLDER}' staat er nog; vervang die door de eigen tekst (of haal hem weg)"
    ]


def test_a_reference_left_at_vul_in_says_to_fill_it_in(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    assert run("new", "kenniscafe", "Later", "--site", str(site), "--datum", "2030-01-01").code == 0
    path = site / "content/kenniscafes/2030-01-01-later.md"
    fill_in(path, werkplaats=None)
    result = run("check", "--site", str(site))
    [line] = result.lines
    assert ": error: werkplaats: vul hier een werkplaats in (er staat nog VUL-IN)" in line


def test_a_text_field_left_at_vul_in_is_an_error(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    path = site / "content/paginas/colofon.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\ntitle: VUL-IN\n---\nTekst.\n", encoding="utf-8")
    result = run("check", "--site", str(site))
    assert result.lines == [
        "content/paginas/colofon.md:2: error: title: vul hier de waarde in (er staat nog VUL-IN)"
    ]
