"""wsdgen.pdfs: facts, link labels and accessibility warnings for PDFs made in the test."""

from __future__ import annotations

import io
import time

import pytest
from pypdf import PageObject, PdfWriter
from pypdf.generic import (
    BooleanObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    TextStringObject,
)
from pypdf.xmp import XmpInformation

from wsdgen.diagnostics import Severity
from wsdgen.media.pdfs import (
    MAX_TEXT_CHARS,
    PdfFacts,
    accessibility_warnings,
    link_label,
    pdf_problem,
    read_pdf,
)

PHRASE = "Armoede in de wijk"


def text_page(writer: PdfWriter, text: str = PHRASE) -> PageObject:
    """A page that writes ``text`` in Helvetica, so there is something to extract."""
    page = writer.add_blank_page(width=595, height=842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    content = DecodedStreamObject()
    content.set_data(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(content)
    return page


def make_pdf(
    *,
    pages: int = 1,
    title: str | None = None,
    language: str | None = None,
    marked: bool = False,
    struct_tree: bool = False,
    text: str | None = None,
    password: str | None = None,
    algorithm: str = "RC4-128",
) -> bytes:
    writer = PdfWriter()
    if text is not None:
        text_page(writer, text)
    for _ in range(pages - (text is not None)):
        writer.add_blank_page(width=595, height=842)
    if title is not None:
        writer.add_metadata({"/Title": title})
    root = writer.root_object
    if language is not None:
        root[NameObject("/Lang")] = TextStringObject(language)
    root[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(marked)})
    if struct_tree:
        tree = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
        root[NameObject("/StructTreeRoot")] = writer._add_object(tree)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="eigenaar", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def facts(data: bytes) -> PdfFacts:
    result = read_pdf(data)
    assert isinstance(result, PdfFacts), result
    return result


def sized(size: int, pages: int = 1) -> PdfFacts:
    return PdfFacts(pages=pages, size=size, title="T", language="nl", tagged=True, text="")


ACCESSIBLE = make_pdf(title="Jaarverslag 2025", language="nl-NL", marked=True, struct_tree=True)


# --- pages and size -------------------------------------------------------------------------


def test_page_count_and_size_are_read() -> None:
    data = make_pdf(pages=24)
    result = facts(data)
    assert result.pages == 24
    assert result.size == len(data)


def test_label_one_page_is_singular() -> None:
    assert link_label(facts(make_pdf(pages=1))).startswith("PDF, 1 pagina, ")


def test_label_many_pages_small_file_in_kb() -> None:
    assert link_label(sized(340_400, pages=24)) == "PDF, 24 pagina's, 340 kB"


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (1, "1 kB"),  # never "0 kB"
        (1_499, "1 kB"),
        (1_500, "2 kB"),
        (999_000, "999 kB"),
        (999_600, "1,0 MB"),  # rounds to 1000 kB: shown as MB instead
        (1_000_000, "1,0 MB"),
        (1_240_000, "1,2 MB"),
        (12_345_678, "12,3 MB"),
        (1_234_500_000, "1.234,5 MB"),
    ],
)
def test_size_kb_below_one_mb_else_mb_with_dutch_comma(size: int, shown: str) -> None:
    assert link_label(sized(size)) == f"PDF, 1 pagina, {shown}"


# --- title, language, tags ------------------------------------------------------------------


def test_title_language_and_tags_are_found() -> None:
    result = facts(ACCESSIBLE)
    assert result.title == "Jaarverslag 2025"
    assert result.language == "nl-NL"
    assert result.tagged is True


def test_title_from_xmp_when_the_info_has_none() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    xmp = XmpInformation.create()
    xmp.dc_title = {"x-default": "  Titel uit XMP "}
    writer.xmp_metadata = xmp
    out = io.BytesIO()
    writer.write(out)
    assert facts(out.getvalue()).title == "Titel uit XMP"


def test_missing_title_language_and_tags() -> None:
    result = facts(make_pdf())
    assert result.title is None
    assert result.language is None
    assert result.tagged is False


def test_blank_title_and_language_count_as_missing() -> None:
    result = facts(make_pdf(title="   ", language=" "))
    assert result.title is None
    assert result.language is None


def test_title_is_stripped() -> None:
    assert facts(make_pdf(title="  Jaarverslag \n 2025 ")).title == "Jaarverslag 2025"


@pytest.mark.parametrize(
    ("marked", "struct_tree"),
    [(True, False), (False, True), (False, False)],
)
def test_tagged_needs_marked_and_structure_tree(marked: bool, struct_tree: bool) -> None:
    assert facts(make_pdf(marked=marked, struct_tree=struct_tree)).tagged is False


# --- text -----------------------------------------------------------------------------------


def test_text_extraction_finds_the_phrase() -> None:
    result = facts(make_pdf(pages=3, text=PHRASE))
    assert PHRASE in result.text
    assert result.pages == 3


def test_text_whitespace_is_collapsed_and_capped() -> None:
    result = facts(make_pdf(text="Armoede    in   de wijk"))
    assert PHRASE in result.text
    assert len(result.text) <= MAX_TEXT_CHARS


def test_text_stops_when_time_runs_out_and_keeps_what_it_has(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    writer = PdfWriter()
    for _ in range(10):
        text_page(writer)
    out = io.BytesIO()
    writer.write(out)
    clock = iter(range(1_000_000))  # every look at the clock is one second later
    monkeypatch.setattr("wsdgen.media.pdfs.time.monotonic", lambda: float(next(clock)))
    result = read_pdf(out.getvalue(), seconds=20.0)
    assert isinstance(result, PdfFacts)
    assert result.pages == 10
    assert 0 < result.text.count(PHRASE) < 10


def test_no_time_left_keeps_facts_without_text() -> None:
    result = read_pdf(make_pdf(text=PHRASE), seconds=0.0)
    assert isinstance(result, PdfFacts)
    assert result.text == ""
    assert result.pages == 1


# --- unreadable files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"Dit is gewoon tekst, geen PDF.",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        b"%PDF-1.7\n",
        b"%PDF-1.7\n%%EOF\n",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << >>\n%%EOF",
    ],
)
def test_not_a_pdf_gives_a_reason(data: bytes) -> None:
    result = read_pdf(data)
    assert isinstance(result, str)
    assert result


@pytest.mark.parametrize("keep", [0.25, 0.5, 0.9])
def test_truncated_pdf_gives_a_reason(keep: float) -> None:
    data = make_pdf(pages=3, title="Afgebroken")
    result = read_pdf(data[: int(len(data) * keep)])
    assert isinstance(result, str)
    assert "beschadigd" in result


def test_hostile_structures_give_a_reason() -> None:
    deep = b"[" * 50_000 + b"]" * 50_000
    nested = make_pdf().replace(b"/Type /Catalog", b"/Type /Catalog /Junk " + deep, 1)
    loop = (
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF"
    )
    for data in (nested, loop):
        assert isinstance(read_pdf(data), str)


def test_repairable_damage_is_read_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    data = make_pdf(pages=3, text=PHRASE)
    broken = data.replace(b"startxref", b"startxref\n999999\n%", 1)
    result = read_pdf(broken)
    assert isinstance(result, PdfFacts)
    assert PHRASE in result.text
    out, err = capfd.readouterr()
    assert out == err == ""


@pytest.mark.parametrize("algorithm", ["RC4-128", "AES-256"])
def test_encrypted_with_password_gives_a_reason(algorithm: str) -> None:
    result = read_pdf(make_pdf(password="geheim", algorithm=algorithm))
    assert isinstance(result, str)
    assert "wachtwoord" in result


def test_encrypted_with_only_an_owner_password_is_readable() -> None:
    assert facts(make_pdf(password="", title="Open")).title == "Open"


def test_too_many_pages_gives_a_reason() -> None:
    result = read_pdf(make_pdf(pages=6), max_pages=5)
    assert isinstance(result, str)
    assert "6 pagina's" in result


def test_reading_is_quick_for_a_small_file() -> None:
    start = time.monotonic()
    facts(make_pdf(pages=50, text=PHRASE))
    assert time.monotonic() - start < 5


def test_pdf_problem_is_an_error_naming_the_file() -> None:
    reason = read_pdf(b"geen pdf")
    assert isinstance(reason, str)
    problem = pdf_problem(reason, "bestanden/rapport.pdf", 7)
    assert problem.severity is Severity.ERROR
    assert problem.path == "bestanden/rapport.pdf"
    assert problem.line == 7
    assert problem.field == "url"
    assert problem.message == f"bestanden/rapport.pdf is geen leesbare PDF: {reason}"


# --- accessibility warnings -----------------------------------------------------------------


def test_no_warnings_for_a_tagged_pdf_with_title_and_language() -> None:
    assert accessibility_warnings(facts(ACCESSIBLE), "bestanden/rapport.pdf", 3) == []


def test_warnings_name_the_file_and_field() -> None:
    found = accessibility_warnings(facts(make_pdf()), "bestanden/rapport.pdf", 4, "bijlage")
    assert len(found) == 3
    for problem in found:
        assert problem.severity is Severity.WARNING
        assert problem.path == "bestanden/rapport.pdf"
        assert problem.line == 4
        assert problem.field == "bijlage"
        assert problem.message.startswith("bestanden/rapport.pdf ")
        assert "Besluit digitale toegankelijkheid overheid" in problem.message
    untagged, untitled, no_language = (p.message for p in found)
    assert "is geen getagde PDF: schermlezers kunnen de opbouw niet volgen" in untagged
    assert "Tags" in untagged
    assert "documenttitel" in untitled
    assert "Bestand > Info" in untitled
    assert "documenttaal" in no_language
    assert "Taal" in no_language


def test_each_missing_property_gives_its_own_warning() -> None:
    base = facts(ACCESSIBLE)
    cases = {
        "getagde": PdfFacts(base.pages, base.size, base.title, base.language, False, ""),
        "documenttitel": PdfFacts(base.pages, base.size, None, base.language, True, ""),
        "documenttaal": PdfFacts(base.pages, base.size, base.title, None, True, ""),
    }
    for word, case in cases.items():
        found = accessibility_warnings(case, "a.pdf", 1)
        assert len(found) == 1
        assert word in found[0].message
        assert found[0].field == "url"
