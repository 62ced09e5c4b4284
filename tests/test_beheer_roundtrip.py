"""/beheer/ keeps files as they were written (bestand.js, Decap's custom format).

Node runs bestand.js on every entry of the fixture site and of the real site: read and
written back unchanged gives the same bytes, one changed field gives a one-line diff, a
changed list only that key's lines, comments stay. The values the form shows are those
wsdgen reads. In Chromium an editor changes one sentence of an entry with a YAML comment
and "-" bullets (the file then differs in that line only) and types "## Programma" in the
body (saved as typed, not escaped).
"""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml
from browsing import CHROMIUM, CHROMIUM_ARGS, require, wsdgen_serving
from conftest import REPO, SITES

from wsdgen.load.sources import split_front_matter
from wsdgen.load.yamlnodes import clean_text, read_mapping
from wsdgen.publish.beheer import BEHEER_ROOT
from wsdgen.schema import COLLECTIONS

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

BESTAND_JS = BEHEER_ROOT / "bestand.js"
REAL_CONTENT = REPO / "content"
KENNISCAFE_ORDER = [
    "title",
    "summary",
    "datum",
    "werkplaats",
    "begintijd",
    "eindtijd",
    "themas",
    "locatie",
    "sprekers",
    "draft",
    "aliases",
    "body",
]

# Reads the cases (JSON) on stdin; for each, fromFile, the edits (null: the key is
# removed, as beheer.js does with an emptied field), toFile. Writes the results (JSON).
RUNNER = """
const bestand = require(process.argv[2]);
const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
const results = cases.map((item) => {
  const data = bestand.fromFile(item.text);
  const read = Object.assign({}, data);
  delete read[bestand.ORIGINAL];
  for (const [key, value] of Object.entries(item.edits || {})) {
    if (value === null) delete data[key];
    else data[key] = value;
  }
  if (item.fresh) delete data[bestand.ORIGINAL];
  try {
    return { read: read, written: bestand.toFile(data, item.order || []) };
  } catch (error) {
    return { read: read, error: String(error.message || error) };
  }
});
process.stdout.write(JSON.stringify(results));
"""

Case = dict[str, object]


def run_bestand(cases: list[Case], tmp_path: Path) -> list[dict[str, object]]:
    """bestand.js in Node on each case: {"read": form data, "written": file text}."""
    node = shutil.which("node")
    require(node is not None, "Node.js (node)")
    assert node is not None
    assert BESTAND_JS.is_file(), f"{BESTAND_JS} is missing"
    script = tmp_path / "runner.js"
    script.write_text(RUNNER, encoding="utf-8")
    done = subprocess.run(
        [node, str(script), str(BESTAND_JS)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, object]] = json.loads(done.stdout)
    return results


def as_decap_saves(written: str) -> str:
    """What Decap sends to the backend: toFile's text, with a final newline added."""
    return written if written.endswith("\n") else written + "\n"


def entry_files() -> list[Path]:
    """Every entry of the fixture site and of the real site."""
    files = []
    for root in (SITES / "mini" / "content", REAL_CONTENT):
        for collection in COLLECTIONS:
            files += sorted(p for p in (root / collection).glob("*") if p.is_file())
    return files


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """The removed and the added lines between two texts (difflib)."""
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def text_values(values: object) -> object:
    """Form values as wsdgen reads them: every scalar as text (booleans in lower case)."""
    if values is None:
        return None
    if isinstance(values, bool):
        return "true" if values else "false"
    if isinstance(values, list):
        return [text_values(v) for v in values]
    if isinstance(values, dict):
        return {key: text_values(value) for key, value in values.items()}
    return str(values)


def wsdgen_reads(text: str) -> tuple[dict[str, object], str]:
    """The front matter values and the body of an .md entry, as wsdgen's reader has them."""
    split = split_front_matter(clean_text(text))
    assert split is not None
    front, body, _ = split
    return dict(read_mapping(front, first_line=2).values), body


# Files with what the format must keep: each is written back byte for byte unchanged.
EDGE_CASES = {
    "crlf": "---\r\ntitle: CRLF\r\nthemas:\r\n  - armoede\r\n---\r\nRegel een.\r\n\r\nTwee.\r\n",
    "bom": "\ufeff---\ntitle: Met BOM\n---\nTekst.\n",
    "dashes in body": "---\ntitle: Streepjes\n---\nBoven.\n\n---\n\nOnder.\n---\n",
    "comments": (
        "---\n# Eerst een opmerking.\ntitle: Opmerkingen # achter de waarde\n\n"
        "# Tussen de velden.\ndatum: 2020-01-02\nthemas:\n  # in de lijst\n  - armoede\n"
        "  - jeugd\n---\nTekst.\n"
    ),
    "folded summary": (
        "---\ntitle: Gevouwen\nsummary: >-\n  Een lange samenvatting die over twee regels\n"
        "  loopt, met een komma.\ndatum: 2020-01-02\n---\nTekst.\n"
    ),
    "literal": "---\ntitle: Letterlijk\nsummary: |\n  Regel een\n  regel twee\n---\n",
    "empty body": "---\ntitle: Leeg\ndraft: true\n---\n",
    "no trailing newline": "---\ntitle: Zonder einde\n---\nLaatste regel",
    "front matter at the end": "---\ntitle: Alleen kopregels\n---",
    "quoting": (
        "---\ntitle: 'Het ''kenniscafé'': \"dubbel\"'\nlocatie: \"Zaal \\u00e9\\tB\"\n"
        "begintijd: 15:30\neindtijd: '17:00'\nsprekers: ['A, B', \"C\", D]\nbezoekers: 042\n"
        "aanmelden: https://example.org/a#b\n---\nTekst.\n"
    ),
    "multi-line plain": "---\ntitle: Een titel\n  die doorloopt\nsoort: rapport\n---\nTekst.\n",
    "value below its key": "---\ntitle:\n  Onder de sleutel\nthemas:\n- armoede\n- jeugd\n---\n",
    "no front matter": "Alleen tekst, zonder kopregels.\n",
}


def test_every_entry_is_written_back_byte_for_byte(tmp_path: Path) -> None:
    files = entry_files()
    assert len(files) > 100  # the real site is there
    cases: list[Case] = [{"text": p.read_bytes().decode("utf-8")} for p in files]
    cases += [{"text": text} for text in EDGE_CASES.values()]
    names = [str(p.relative_to(REPO)) for p in files] + list(EDGE_CASES)
    for name, case, result in zip(names, cases, run_bestand(cases, tmp_path), strict=True):
        assert "error" not in result, (name, result)
        assert result["written"] == case["text"], name
    # Decap adds a newline to a text without one; every entry in the repository has one.
    for path in files:
        text = path.read_bytes().decode("utf-8")
        assert as_decap_saves(text) == text, path


def test_the_form_shows_what_wsdgen_reads(tmp_path: Path) -> None:
    """The subset reader of bestand.js agrees with wsdgen's YAML reader on every entry."""
    texts = {str(p.relative_to(REPO)): p.read_text("utf-8") for p in entry_files()}
    texts = {name: text for name, text in texts.items() if name.endswith(".md")}
    texts.update({name: text for name, text in EDGE_CASES.items() if name != "no front matter"})
    results = run_bestand([{"text": t} for t in texts.values()], tmp_path)
    for (name, text), result in zip(texts.items(), results, strict=True):
        values, body = wsdgen_reads(text)
        read = dict(result["read"])  # type: ignore[call-overload]
        form_body = read.pop("body", "")
        if name == "quoting":  # YAML 1.2 (the form): 042 is the number 42; wsdgen keeps text
            assert read.pop("bezoekers") == 42 and values.pop("bezoekers") == "042"
        assert text_values(read) == values, name
        assert form_body == (body if body.strip() else ""), name


def test_one_changed_title_is_a_one_line_diff(tmp_path: Path) -> None:
    files = [p for p in entry_files() if p.suffix == ".md"]
    title = 'Nieuwe titel: "met" aanhalingstekens'
    cases: list[Case] = [{"text": p.read_text("utf-8"), "edits": {"title": title}} for p in files]
    for path, case, result in zip(files, cases, run_bestand(cases, tmp_path), strict=True):
        before, after = str(case["text"]), as_decap_saves(str(result["written"]))
        removed, added = changed_lines(before, after)
        assert len(removed) == 1 and removed[0].startswith("title:"), (path, removed)
        assert len(added) == 1 and added[0].startswith("title: "), (path, added)
        values, body = wsdgen_reads(after)
        old_values, old_body = wsdgen_reads(before)
        assert values == {**old_values, "title": title}, path
        assert body == old_body, path


def test_a_changed_list_rewrites_only_its_own_lines(tmp_path: Path) -> None:
    rotterdam = SITES / "mini/content/werkplaatsen/rotterdam.md"  # "- " lines
    rapport = SITES / "mini/content/publicaties/armoede-rapport.md"  # [a, b]
    quoted = '---\ntitle: T\nauteurs:\n    - "Anna"\n    - "Piet"\njaar: 2020\n---\n'
    cases: list[Case] = [
        {"text": rotterdam.read_text("utf-8"), "edits": {"themas": ["armoede", "jeugd"]}},
        {"text": rapport.read_text("utf-8"), "edits": {"auteurs": ["Anna de Vries", "Jan, Z."]}},
        {"text": quoted, "edits": {"auteurs": ["Anna", "Piet", "Kees"]}},
    ]
    results = run_bestand(cases, tmp_path)
    removed, added = changed_lines(str(cases[0]["text"]), str(results[0]["written"]))
    assert removed == ["  - sociale-basis\n"]
    assert added == ["  - jeugd\n"]
    removed, added = changed_lines(str(cases[1]["text"]), str(results[1]["written"]))
    assert removed == ["auteurs: [Anna de Vries, Piet Jansen]\n"]
    assert added == ["auteurs: [Anna de Vries, 'Jan, Z.']\n"]
    removed, added = changed_lines(quoted, str(results[2]["written"]))
    assert removed == [] and added == ['    - "Kees"\n']


def test_comments_quotes_and_order_survive_an_edit(tmp_path: Path) -> None:
    text = EDGE_CASES["comments"] + ""
    text = text.replace("datum: 2020-01-02\n", 'datum: 2020-01-02\nlocatie: "Zaal B"\n')
    cases: list[Case] = [
        {
            "text": text,
            "edits": {"title": "Nieuw", "themas": ["jeugd"], "locatie": "Zaal C"},
            "order": KENNISCAFE_ORDER,
        }
    ]
    written = str(run_bestand(cases, tmp_path)[0]["written"])
    assert written == (
        "---\n# Eerst een opmerking.\ntitle: Nieuw # achter de waarde\n\n"
        '# Tussen de velden.\ndatum: 2020-01-02\nlocatie: "Zaal C"\nthemas:\n  - jeugd\n'
        "---\nTekst.\n"
    )


def test_scalars_are_quoted_only_where_yaml_needs_it(tmp_path: Path) -> None:
    kenniscafe = (SITES / "mini/content/kenniscafes/2017-04-14-schulden.md").read_text("utf-8")
    edits = {
        "begintijd": "09:45",  # YAML 1.1 reads 09:45 unquoted as a number
        "eindtijd": "18:00",  # was "17:00": keeps its double quotes
        "locatie": "Zaal #3: boven",
        "bezoekers": 50,
        "werkplaats": "amsterdam",
    }
    written = str(run_bestand([{"text": kenniscafe, "edits": edits}], tmp_path)[0]["written"])
    # Quoted in the file's own quote style (it has "17:00"), only where YAML needs it.
    assert 'begintijd: "09:45"\n' in written
    assert 'eindtijd: "18:00"\n' in written
    assert 'locatie: "Zaal #3: boven"\n' in written
    assert "bezoekers: 50\n" in written and "werkplaats: amsterdam\n" in written
    loaded = yaml.safe_load(written.split("---\n")[1])  # YAML 1.1, as other tools read it
    assert loaded["begintijd"] == "09:45" and loaded["eindtijd"] == "18:00"
    assert loaded["locatie"] == "Zaal #3: boven"


TRICKY_VALUES = [
    *("15:30", "9:00", "2019-01-10 10:00", "yes", "No", "on", "~", "null", "true", "1e3"),
    *("0x1F", "012", ".5", "1_000", "- a", "a: b", "a #b", "a# b", "#x", "@x", "`x`", "%x"),
    *("!x", "&x", "*x", "|x", ">x", "'x'", '"x"', "x'y", 'x"y', "[a]", "{a}", "a, b", "a]"),
    *("? x", ": x", " lead", "trail ", "tab\tin", "nl\nin", "Kenniscafé: €5", "\u00a0nbsp"),
    *("back\\slash", "<<", "=", "", "x:", "http://a.b/c?d=e#f", "a  b", "...", "---", "-"),
]
LONG_SUMMARY = " ".join(["Een samenvatting met veel woorden die over meer regels loopt."] * 4)


def test_written_values_read_back_the_same(tmp_path: Path) -> None:
    """What toFile writes, wsdgen, PyYAML (YAML 1.1) and the form all read as written."""
    flow_and_block = "---\ntitle: oud\nthemas: [a]\nauteurs:\n  - b\n---\n"
    cases: list[Case] = []
    for value in TRICKY_VALUES:
        edits = {"title": value, "themas": [value, "x"], "auteurs": [value]}
        cases.append({"text": "", "fresh": True, "edits": edits})
        cases.append({"text": flow_and_block, "edits": edits})
    folded, literal = EDGE_CASES["folded summary"], EDGE_CASES["literal"]
    summaries = [LONG_SUMMARY, "Twee\nregels\n", "Spatie achter ", "  Inspringen", "x  y"]
    for summary in summaries:
        cases += [{"text": t, "edits": {"summary": summary}} for t in (folded, literal)]
    written = [str(r["written"]) for r in run_bestand(cases, tmp_path)]
    forms = run_bestand([{"text": text} for text in written], tmp_path)
    for case, text, form in zip(cases, written, forms, strict=True):
        edits = dict(case["edits"])  # type: ignore[call-overload]
        front = text.split("---\n")[1]
        for values in (read_mapping(front).values, yaml.safe_load(front), form["read"]):
            for key, value in edits.items():
                assert values[key] == value, (key, value, text)  # type: ignore[index]
    folded_long = written[len(TRICKY_VALUES) * 2]
    assert folded_long.startswith("---\ntitle: Gevouwen\nsummary: >-\n  Een samenvatting")
    assert max(len(line) for line in folded_long.splitlines()) <= 80


def test_removed_and_new_keys(tmp_path: Path) -> None:
    kenniscafe = (SITES / "mini/content/kenniscafes/2017-04-14-schulden.md").read_text("utf-8")
    edits: dict[str, object] = {"locatie": None, "sprekers": None, "eindtijd": None}
    edits.update(summary="Nieuw: een samenvatting.", draft=True)
    case: Case = {"text": kenniscafe, "edits": edits, "order": KENNISCAFE_ORDER}
    written = str(run_bestand([case], tmp_path)[0]["written"])
    removed, added = changed_lines(kenniscafe, written)
    assert removed == [
        'eindtijd: "17:00"\n',
        "locatie: Wijkcentrum De Brug\n",
        "sprekers:\n",
        "  - Piet Jansen\n",
    ]
    # Appended after the last key, in the order of the collection's fields.
    assert added == ['summary: "Nieuw: een samenvatting."\n', "draft: true\n"]
    assert written.index("aliases:") < written.index("summary:")


def test_empty_values_left_alone_stay(tmp_path: Path) -> None:
    """beheer.js leaves empty fields out of the data; empty ones in the file stay as written."""
    text = "---\ntitle: T\neindtijd:\nthemas: []\nafbeelding_alt: ''\nlocatie: Zaal\n---\n"
    edits: dict[str, object] = {"eindtijd": None, "themas": None, "afbeelding_alt": None}
    edits["locatie"] = None  # emptied by the editor: its line goes
    written = run_bestand([{"text": text, "edits": edits}], tmp_path)[0]["written"]
    assert written == "---\ntitle: T\neindtijd:\nthemas: []\nafbeelding_alt: ''\n---\n"


def test_a_changed_body_keeps_bom_and_line_ends(tmp_path: Path) -> None:
    text = "\ufeff---\r\ntitle: T\r\n---\r\nEen.\r\n\r\nTwee.\r\n"
    cases: list[Case] = [
        {"text": text, "edits": {"body": "Een.\n\nDrie.\n"}},
        {"text": text, "edits": {"body": "Een.\n\nTwee."}},  # the editor lost the last newline
        {"text": EDGE_CASES["folded summary"], "edits": {"summary": "Kort."}},
    ]
    results = run_bestand(cases, tmp_path)
    assert results[0]["written"] == "\ufeff---\r\ntitle: T\r\n---\r\nEen.\r\n\r\nDrie.\r\n"
    assert results[1]["written"] == text
    assert str(results[2]["written"]).startswith("---\ntitle: Gevouwen\nsummary: >-\n  Kort.\n")


def test_a_new_entry_gets_clean_front_matter(tmp_path: Path) -> None:
    data = {
        "body": "Een middag.",
        "themas": ["armoede", "jeugd"],
        "begintijd": "15:30",
        "datum": "2031-03-14",
        "title": "Kenniscafé: armoede",
        "werkplaats": "rotterdam",
    }
    case: Case = {"text": "", "edits": data, "order": KENNISCAFE_ORDER, "fresh": True}
    written = run_bestand([case], tmp_path)[0]["written"]
    assert written == (
        "---\ntitle: 'Kenniscafé: armoede'\ndatum: 2031-03-14\nwerkplaats: rotterdam\n"
        "begintijd: '15:30'\nthemas:\n  - armoede\n  - jeugd\n---\nEen middag.\n"
    )


def test_a_file_outside_the_subset_is_not_overwritten(tmp_path: Path) -> None:
    text = "---\ntitle: &naam Anker\nextra:\n  sub: waarde\n---\nTekst.\n"
    result = run_bestand([{"text": text, "edits": {"title": "Nieuw"}}], tmp_path)[0]
    assert "written" not in result
    assert "niet veilig bewerkt" in str(result["error"])


# --- In the browser ---

PROGRAMMA_FILE = "content/kenniscafes/2018-09-20-programma.md"
PROGRAMMA = """\
---
title: "Kenniscafé: het programma"
# Houd de samenvatting kort; zie de handleiding voor redacteuren.
summary: >-
  Een middag over het programma van de werkplaats, met sprekers uit de wijk en
  ruimte voor vragen.
datum: 2018-09-20
begintijd: "15:30"
werkplaats: rotterdam
themas:
  - armoede
sprekers: ['Piet Jansen', "Anna de Vries"]
---
Een middag over het programma van de werkplaats.

- De zaal gaat om 15.00 uur open.
- Daarna praten we in groepjes.

Tot ziens!
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    site = tmp_path / "site"
    shutil.copytree(SITES / "mini", site)
    (site / PROGRAMMA_FILE).write_text(PROGRAMMA, encoding="utf-8")
    with wsdgen_serving(site, tmp_path / "serve.log") as url:
        yield site, url


def wait_for_change(path: Path, before: str, seconds: float = 15) -> str:
    """The file's text once it differs from ``before`` (or fail, naming the file)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            if text != before:
                return text
        time.sleep(0.1)
    raise AssertionError(f"{path.name} was not saved within {seconds} s")


def edit_body_and_publish(url: str, entry: str, change: Callable[[Page, Locator], None]) -> None:
    """Open an entry in /beheer/, let ``change(tab, editor)`` edit the body, publish."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900}, locale="nl-NL")
        tab.goto(url + "/beheer/")
        tab.get_by_role("button", name="Inloggen").click()
        tab.goto(url + f"/beheer/#/collections/kenniscafes/{entry}")
        editor = tab.locator("[data-slate-editor]").first
        expect(editor, "the body's editor did not appear").to_be_visible()
        change(tab, editor)
        publish = tab.get_by_role("button", name="Publiceer")
        expect(publish, "no 'Publiceer' button after the edit").to_be_visible()
        publish.click()
        now = tab.get_by_role("menuitem", name="Publiceer nu")
        expect(now, "no 'Publiceer nu' in the menu").to_be_visible()
        now.click()
        expect(tab.get_by_text("Gepubliceerd"), "the entry was not published").to_be_visible()
        browser.close()


def put_caret_after(tab: Page, editor: Locator, text: str) -> None:
    """Click at the end of the editor's line with ``text`` and wait for the caret there."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    line = editor.get_by_text(text).last
    expect(line, f"the line {text!r} is not in the body's editor").to_be_visible()
    box = line.bounding_box()
    assert box is not None
    line.click(position={"x": box["width"] - 1, "y": box["height"] / 2})
    expect(editor, "the body's editor did not take the focus").to_be_focused()
    tab.keyboard.press("End")
    at_end = "() => getSelection().anchorNode.textContent.length === getSelection().anchorOffset"
    try:
        tab.wait_for_function(at_end, timeout=5000)
    except PlaywrightTimeout as exc:
        raise AssertionError(f"the caret did not reach the end of the line {text!r}") from exc


def test_changing_one_sentence_changes_one_line(served: tuple[Path, str]) -> None:
    from playwright.sync_api import expect

    site, url = served

    def change(tab: Page, editor: Locator) -> None:
        put_caret_after(tab, editor, "De zaal gaat om 15.00 uur open.")
        for _ in "15.00 uur open.":
            tab.keyboard.press("Backspace")
        tab.keyboard.type("14.30 uur open.")
        expect(editor, "the edited sentence is not in the editor").to_contain_text("14.30 uur")

    edit_body_and_publish(url, "entries/2018-09-20-programma", change)
    written = wait_for_change(site / PROGRAMMA_FILE, PROGRAMMA)
    removed, added = changed_lines(PROGRAMMA, written)
    assert removed == ["- De zaal gaat om 15.00 uur open.\n"], written
    assert added == ["- De zaal gaat om 14.30 uur open.\n"], written


def test_typed_markdown_is_saved_as_typed(served: tuple[Path, str]) -> None:
    from playwright.sync_api import expect

    site, url = served
    path = site / "content/kenniscafes/2018-03-01-wijkteams.md"
    before = path.read_text(encoding="utf-8")

    def change(tab: Page, editor: Locator) -> None:
        put_caret_after(tab, editor, "Verslag over wijkteams.")
        tab.keyboard.press("Enter")
        tab.keyboard.press("Enter")
        tab.keyboard.type("## Programma")
        tab.keyboard.press("Enter")
        tab.keyboard.press("Enter")
        tab.keyboard.type("Zie [de agenda](/kenniscafes/) en <abbr>WSD</abbr>.")
        expect(editor, "the typed text is not in the editor").to_contain_text("<abbr>WSD</abbr>.")

    edit_body_and_publish(url, "entries/2018-03-01-wijkteams", change)
    written = wait_for_change(path, before)
    body = written.split("---\n", 2)[2]
    assert "\n## Programma\n" in body and "\\" not in body, body  # not "\## Programma"
    assert "[de agenda](/kenniscafes/)" in body, body
    assert (
        written
        == before + "\n## Programma\n\nZie [de agenda](/kenniscafes/) en <abbr>WSD</abbr>.\n"
    )
