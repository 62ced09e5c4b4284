"""One table drives a field (issue 22, point 5): schema.FIELDS gives name, kind, Dutch
label, what to write, an example, the form's help, required or not and the collections
that have it. Records, validation, `wsdgen new`, the form of /beheer/ and the editors'
guide's tables are made from it or checked against it, and a field added to the table
alone works end to end (a throw-away field, below)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, SITES, TODAY, Run, page

from wsdgen import schema
from wsdgen.fieldtables import guide_table, with_tables
from wsdgen.publish.beheer import collection_fields
from wsdgen.records import RECORD_TYPES
from wsdgen.schema import FIELDS, FieldSpec

GUIDE = REPO / "docs/redacteuren.md"
MODEL = REPO / "docs/content-model.md"
# Record attributes that are not front-matter fields.
NOT_FIELDS = {"slug", "source", "body", "extra"}


def test_the_editors_guide_tables_are_made_from_the_field_table() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert with_tables(text) == text, "run: python -m wsdgen.fieldtables docs/redacteuren.md"
    for collection in FIELDS:
        assert f"<!-- velden: {collection} -->" in text, collection


def model_tables() -> dict[str, dict[str, tuple[str, str]]]:
    """docs/content-model.md, section Fields: per collection (and '' for every entry)
    the documented fields with their kind and required cells."""
    text = MODEL.read_text(encoding="utf-8")
    section = text[text.index("## Fields") : text.index("### Images")]
    found: dict[str, dict[str, tuple[str, str]]] = {}
    current = ""
    for line in section.splitlines():
        heading = re.fullmatch(r"\*\*(\w+)\*\*", line.strip())
        if heading:
            current = heading[1]
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("| `") or len(cells) < 3:
            continue
        for name in re.findall(r"`(\w+)`", cells[0]):
            found.setdefault(current, {})[name] = (cells[1], cells[2])
    return found


# How docs/content-model.md names each kind (the start of its kind cell).
KIND_WORDS = {
    "text": "text",
    "bool": "bool",
    "date": "date",
    "year": "year",
    "time": "time",
    "count": "count",
    "int": "int",
    "url": "url",
    "url_or_path": "url or path",
    "email": "email",
    "choice": "choice",
    "text_list": "list of text",
    "ref": "reference to `{ref}`",
    "ref_list": "list of references to `{ref}`",
    "alias_list": "list of old site paths",
}


def test_the_content_model_documents_the_field_table() -> None:
    tables = model_tables()
    common = tables.pop("")
    assert set(tables) <= set(FIELDS)
    for collection, specs in FIELDS.items():
        documented = {**common, **tables.get(collection, {})}
        assert set(documented) == {s.name for s in specs}, collection
        for spec in specs:
            kind, required = documented[spec.name]
            assert required == ("yes" if spec.required else "no"), (collection, spec.name)
            if "[Images]" in kind:
                assert spec.name.startswith("afbeelding"), (collection, spec.name)
            elif spec.kind in KIND_WORDS:
                expected = KIND_WORDS[spec.kind].format(ref=spec.ref)
                assert kind.startswith(expected), (collection, spec.name, kind)
            else:
                assert kind.startswith("image"), (collection, spec.name, kind)


def test_records_declare_exactly_the_fields_of_the_table() -> None:
    """Every field of the real table has its attribute (a table-only field would end up
    in ``extra``), and a record declares no field the table does not know, apart from
    the image fields every Entry has (which themes and regions leave at None)."""
    images = {"afbeelding", "afbeelding_alt", "afbeelding_decoratief"}
    for collection, record_type in RECORD_TYPES.items():
        declared = {f.name for f in dataclasses.fields(record_type)} - NOT_FIELDS
        table = {spec.name for spec in FIELDS[collection]}
        assert table <= declared, (collection, table - declared)
        assert declared - table <= images, (collection, declared - table)


def test_every_field_has_a_dutch_label_and_what_to_write() -> None:
    for collection, specs in FIELDS.items():
        for spec in specs:
            assert spec.label and spec.label[0].isupper(), (collection, spec.name)
            assert spec.what or spec.choices, (collection, spec.name)


# --- A throw-away field, added to the table alone. ---

BRON = FieldSpec(
    "bron",
    "text",
    "Bron van het verslag",
    "wie het verslag schreef",
    "Gemeente Rotterdam",
    "De organisatie die het verslag schreef.",
)
BEZOEK = FieldSpec("wachtlijst", "count", "Op de wachtlijst", "aantal mensen op de wachtlijst", "7")
CAFE = "content/kenniscafes/2017-04-14-schulden.md"


@pytest.fixture
def throw_away_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FIELDS, "kenniscafes", (*FIELDS["kenniscafes"], BRON, BEZOEK))


def with_lines(site: Path, name: str, *lines: str) -> None:
    path = site / name
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("---\n", "---\n" + "".join(f"{x}\n" for x in lines), 1))


@pytest.mark.usefixtures("throw_away_fields")
def test_a_field_added_to_the_table_alone_works_end_to_end(
    tmp_path: Path, run: Callable[..., Run]
) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "mini", site)
    # Validation reads it by its kind, and the page shows it under its label.
    with_lines(site, CAFE, "bron: Gemeente Rotterdam", "wachtlijst: 7")
    out = tmp_path / "out"
    result = run("build", "--site", str(site), "--out", str(out), "--today", TODAY)
    assert result.code == 0, result.err
    soup = page(out, "/kenniscafes/2017-04-14-schulden/")
    shown = {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True)
        for dt in soup.select("main dl dt")
    }
    assert shown["Bron van het verslag"] == "Gemeente Rotterdam"
    assert shown["Op de wachtlijst"] == "7"
    # A wrong value is an error on its line, naming the field (never a TypeError).
    with_lines(site, CAFE, "wachtlijst: veel")
    text = (site / CAFE).read_text(encoding="utf-8")
    text = text.replace("wachtlijst: 7\n", "", 1)
    (site / CAFE).write_text(text, encoding="utf-8")
    result = run("check", "--site", str(site), "--today", TODAY)
    assert result.code == 1
    [line] = result.lines
    assert line.startswith(f"{CAFE}:2: error: wachtlijst:"), line
    assert "onverwachte fout" not in result.err
    # `wsdgen new` offers it, with what to write.
    assert run("new", "kenniscafe", "Proef", "--site", str(site), "--datum", "2031-01-01").code == 0
    written = (site / "content/kenniscafes/2031-01-01-proef.md").read_text(encoding="utf-8")
    assert "# bron:  # wie het verslag schreef, zoals Gemeente Rotterdam" in written.splitlines()
    # The form of /beheer/ has it, with its label and help.
    [widget] = [w for w in collection_fields("kenniscafes", ()) if w["name"] == "bron"]
    assert widget["label"] == "Bron van het verslag" and widget["widget"] == "string"
    assert widget["hint"] == BRON.hint
    # The editors' guide's table gets its row (and the check above says to make it).
    assert "| `bron` | nee | wie het verslag schreef | `Gemeente Rotterdam` |" in guide_table(
        "kenniscafes"
    )
    assert with_tables(GUIDE.read_text(encoding="utf-8")) != GUIDE.read_text(encoding="utf-8")


def test_schema_names_only_files_that_exist() -> None:
    for name in re.findall(r"docs/[\w./-]+\.md", schema.__doc__ or ""):
        assert (REPO / name).is_file(), name
