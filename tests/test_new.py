"""`wsdgen new`: a valid slug from the title, the required fields, never an overwrite."""

from __future__ import annotations

from pathlib import Path

from conftest import write_site
from test_validate import BASE


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
    # Once the editor fills in the werkplaats, the entry is valid.
    path.write_text(text.replace("werkplaats: VUL-IN", "werkplaats: rotterdam"), encoding="utf-8")
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
    assert run("check", "--site", str(site)).code == 0


def test_new_unknown_kind_is_a_usage_error(tmp_path: Path, run) -> None:
    site = write_site(tmp_path / "site", BASE)
    result = run("new", "evenement", "X", "--site", str(site))
    assert result.code == 2
    assert "kenniscafe" in result.err
