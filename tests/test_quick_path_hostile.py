"""Hostile tests of serve's quick paths (Rebuilder.quick_rebuild, edit_of, body_only).

The contract: after any sequence of edits, ``rebuilder.outputs`` equals a clean full
build byte for byte, the exit code and diagnostics equal a clean build's, and after an
error the last good output stays. Each test here edits the site, passes the changed
files as serve's watcher would, and checks that contract.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from conftest import SITES, SLOW_MARKDOWN, TODAY

from wsdgen.diagnostics import Diagnostic
from wsdgen.incremental.rebuild import Rebuilder, RebuildResult, body_only
from wsdgen.pipeline import BuildOptions, build
from wsdgen.serve.server import QuietWatcher

CAFE = "content/kenniscafes/2017-04-14-schulden.md"
WIJKTEAMS = "content/kenniscafes/2018-03-01-wijkteams.md"
TOEKOMST = "content/kenniscafes/2030-06-01-toekomst.md"  # empty body
NIEUWS = "content/nieuws/2019-01-10-conferentie.md"
PAGINA = "content/paginas/over-ons.md"


def options(site: Path, serve_like: bool = False) -> BuildOptions:
    today = dt.date.fromisoformat(TODAY)
    if serve_like:  # what `wsdgen serve` passes (run_server)
        return BuildOptions(
            site_dir=site,
            base_url="http://127.0.0.1:8000/",
            drafts=True,
            today=today,
            write=False,
            local_beheer=True,
        )
    return BuildOptions(site_dir=site, today=today, write=False)


def full_build(
    site: Path, opts: BuildOptions | None = None
) -> tuple[int, dict[str, bytes], list[Diagnostic]]:
    result = build(opts or options(site))
    return result.exit_code, {page.file: page.data for page in result.rendered}, result.diagnostics


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(SITES / "mini", target)
    return target


def write_body(path: Path, body: str) -> None:
    head, _, _ = path.read_text(encoding="utf-8").rpartition("---\n")
    path.write_text(head + "---\n" + body, encoding="utf-8")


def set_field(path: Path, name: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    end = lines.index("---", 1)
    kept = [line for line in lines[1:end] if not line.startswith(f"{name}:")]
    path.write_text("\n".join(["---", *kept, f"{name}: {value}", *lines[end:]]), encoding="utf-8")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def shown(diagnostics: list[Diagnostic]) -> list[tuple[str, int, str, str]]:
    return sorted({(d.path, d.line, d.severity.value, d.message) for d in diagnostics})


def differing(outputs: dict[str, bytes], expected: dict[str, bytes]) -> list[str]:
    return sorted(f for f in outputs.keys() | expected.keys() if outputs.get(f) != expected.get(f))


class Checker:
    """A Rebuilder with the contract checked after every rebuild."""

    def __init__(self, site: Path, serve_like: bool = False) -> None:
        self.site = site
        self.opts = options(site, serve_like)
        self.rebuilder = Rebuilder(self.opts)
        first = self.rebuilder.rebuild()
        assert first.exit_code == 0, first.diagnostics
        self.last_good = dict(self.rebuilder.outputs)

    def step(self, *changed: Path | str) -> RebuildResult:
        result = self.rebuilder.rebuild(changed=[Path(p) for p in changed])
        self.check(result)
        return result

    def check(self, result: RebuildResult) -> None:
        code, expected, diagnostics = full_build(self.site, self.opts)
        assert result.exit_code == code
        assert shown(result.diagnostics) == shown(diagnostics)
        if code == 0:
            assert differing(self.rebuilder.outputs, expected) == []
            self.last_good = dict(self.rebuilder.outputs)
        else:
            assert differing(self.rebuilder.outputs, self.last_good) == []


def quick(result: RebuildResult) -> bool:
    """Whether a rebuild after a content edit took the quick path: the full path renders
    the sitemap again whenever an entry's file changed (it depends on every entry)."""
    return "sitemap.xml" not in result.rendered


# --- body edits of every collection --------------------------------------------------

BODY_EDITS = [
    (
        CAFE,
        "Verslag: we spraken over schulden en huisuitzettingen.",
        "Een *nieuw* verslag, met [een link](/themas/).",
    ),
    (WIJKTEAMS, "Verslag over wijkteams.", "# Kop\n\nVerslag over **wijkteams** en meer."),
    (NIEUWS, "Nieuws over de conferentie.", "Nieuws, nu met een lijst:\n\n- een\n- twee"),
    ("content/publicaties/armoede-rapport.md", "Een rapport.", "Een *heel* ander rapport."),
    ("content/werkplaatsen/rotterdam.md", "Over de werkplaats Rotterdam.", "Anders & beter."),
    ("content/werkplaatsen/geheim.md", "Nog niet klaar.", "Bijna klaar."),  # a draft
    (
        "content/werkplaatsen/grensregio.yaml",
        "body: Een werkplaats in twee provincies.",
        "body: Een werkplaats in *drie* provincies.",
    ),
    ("content/themas/armoede.md", "Armoede en schulden.", "Armoede, schulden en huur."),
    ("content/themas/sociale-basis.yaml", "De sociale basis in de wijk.", "De basis, anders."),
    ("content/regios/zuid-holland.md", "De provincie Zuid-Holland.", "Zuid-Holland: `code`."),
    (PAGINA, "Over de werkplaatsen.", "Over de werkplaatsen, en wie erin zit."),
]


@pytest.mark.parametrize("serve_like", [False, True], ids=["build", "serve-options"])
@pytest.mark.parametrize(("file", "old", "new"), BODY_EDITS, ids=[e[0] for e in BODY_EDITS])
def test_a_body_edit_of_each_collection_equals_a_clean_build(
    site: Path, serve_like: bool, file: str, old: str, new: str
) -> None:
    checker = Checker(site, serve_like)
    replace_in(site / file, old, new)
    result = checker.step(site / file)
    if file != "content/werkplaatsen/geheim.md" or serve_like:
        assert quick(result)
    # and a second edit of the same body, on top of the first
    replace_in(site / file, new, new + " Nog meer.")
    checker.step(site / file)


def test_a_body_shown_in_feeds_and_on_theme_pages_is_rendered_everywhere(site: Path) -> None:
    checker = Checker(site)
    write_body(site / WIJKTEAMS, "Alles over wijkteams.\n")
    write_body(site / NIEUWS, "Ander nieuws.\n")
    result = checker.step(site / WIJKTEAMS, site / NIEUWS)
    assert quick(result)
    assert "themas/sociale-basis/atom.xml" in result.rendered
    assert "nieuws/atom.xml" in result.rendered
    assert b"Ander nieuws." in checker.rebuilder.outputs["nieuws/atom.xml"]


# --- the changed list ------------------------------------------------------------------


def test_the_same_file_twice_relative_and_absolute_and_with_dot_dot(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checker = Checker(site)
    monkeypatch.chdir(site)
    write_body(site / CAFE, "Nieuw verslag.\n")
    result = checker.step(site / CAFE, Path(CAFE), site / CAFE)
    assert quick(result)
    write_body(site / CAFE, "Nog een verslag.\n")
    dotted = site / "content/nieuws/../kenniscafes" / Path(CAFE).name
    # A name with .. may pass through a link; it is simply not trusted for the quick path.
    assert not quick(checker.step(dotted))


def test_a_relative_path_against_another_working_folder_takes_the_full_path(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checker = Checker(site)
    monkeypatch.chdir(tmp_path)
    write_body(site / CAFE, "Nieuw verslag.\n")
    checker.step(Path(CAFE))  # names tmp_path/content/..., a file that does not exist


def test_a_file_whose_bytes_did_not_change(site: Path) -> None:
    checker = Checker(site)
    path = site / CAFE
    path.write_bytes(path.read_bytes())
    result = checker.step(path)
    assert quick(result)


def test_crlf_bom_and_whitespace_only_changes(site: Path) -> None:
    checker = Checker(site)
    path = site / CAFE
    text = path.read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    checker.step(path)
    write_body(path, "Verslag: we spraken over schulden en huisuitzettingen.\n\n\n   \n")
    checker.step(path)
    write_body(path, "Verslag:   we spraken\nover schulden.  \n")
    checker.step(path)


@pytest.mark.parametrize("blank", ["\n\n", "   \n\t\n", "\u00a0\n", "[x]: /themas/\n"])
def test_an_empty_body_that_stays_empty_or_renders_empty(site: Path, blank: str) -> None:
    checker = Checker(site)
    write_body(site / TOEKOMST, blank)
    checker.step(site / TOEKOMST)
    write_body(site / CAFE, blank)  # non-empty to (nearly) empty
    checker.step(site / CAFE)
    write_body(site / CAFE, "Weer een verslag.\n")
    checker.step(site / CAFE)


def test_several_body_edits_in_one_list_with_a_title_edit(site: Path) -> None:
    checker = Checker(site)
    write_body(site / CAFE, "Een.\n")
    write_body(site / WIJKTEAMS, "Twee.\n")
    set_field(site / NIEUWS, "title", "Ander nieuws")
    result = checker.step(site / CAFE, site / WIJKTEAMS, site / NIEUWS)
    # Planned again in place (incremental/replan.py), and equal to a clean build.
    assert quick(result)


def test_a_removed_a_renamed_and_a_new_file(site: Path) -> None:
    checker = Checker(site)
    path = site / CAFE
    write_body(site / WIJKTEAMS, "Twee.\n")
    moved = path.with_name("2017-04-14-geld.md")
    path.rename(moved)
    checker.step(site / WIJKTEAMS, path, moved)
    moved.rename(path)
    checker.step(path)  # only the new name given: the old one is unknown
    write_body(site / WIJKTEAMS, "Drie.\n")
    added = site / "content/nieuws/2020-01-01-nieuw.md"
    added.write_text("---\ntitle: Nieuw\ndatum: 2020-01-01\n---\nTekst.\n", encoding="utf-8")
    checker.step(site / WIJKTEAMS, added)
    added.unlink()
    checker.step(added)


def test_a_path_outside_the_site_and_a_folder(site: Path, tmp_path: Path) -> None:
    checker = Checker(site)
    outside = tmp_path / "elders" / CAFE
    outside.parent.mkdir(parents=True)
    shutil.copy(site / CAFE, outside)
    write_body(outside, "Niet van deze site.\n")
    checker.step(outside)
    write_body(site / CAFE, "Wel van deze site.\n")
    checker.step(site / "content/kenniscafes", site / CAFE)


def test_a_file_replaced_by_a_symlink(site: Path, tmp_path: Path) -> None:
    checker = Checker(site)
    path = site / CAFE
    inside = site / "bronnen" / path.name
    inside.parent.mkdir()
    shutil.copy(path, inside)
    write_body(inside, "Uit een gedeelde map.\n")
    path.unlink()
    path.symlink_to(inside)
    checker.step(path)
    write_body(inside, "Weer anders.\n")
    checker.step(path)  # the watcher names the link (os.walk, getmtime follows it)
    outside = tmp_path / "buiten.md"
    shutil.copy(inside, outside)
    write_body(outside, "Van buiten de site.\n")
    path.unlink()
    path.symlink_to(outside)
    assert checker.step(path).exit_code == 1  # a link out of the site is an error


@pytest.mark.parametrize("link", ["symlink", "hard link"])
def test_a_linked_content_file_is_rendered_when_its_target_changes(site: Path, link: str) -> None:
    """Was a hole: two entries are one file (a symlink or a hard link to another content
    file); given only the file that was written, the quick path renders only that
    entry's pages and the other entry keeps its old body. (serve's watcher does name
    both, but os.walk stops at the first changed file, so often in two rebuilds.)"""
    target = site / "content/themas/armoede.md"
    copy = site / "content/themas/armoede-kopie.md"
    if link == "symlink":
        copy.symlink_to(target)
    else:
        os.link(target, copy)
    checker = Checker(site)
    write_body(target, "Armoede, anders.\n")
    checker.step(target)


def test_a_path_with_dot_dot_through_a_symlink_reads_the_right_file(
    site: Path, tmp_path: Path
) -> None:
    """Was a hole (contrived): edit_of matches the path to an entry lexically (os.path.relpath)
    but opens it physically, so 'link/../site/content/...' with 'link' a symlink opens a
    file outside the site, without the safefs rule, and shows it as the entry's body."""
    checker = Checker(site)
    other = tmp_path / "ander" / "site"
    shutil.copytree(site, other)
    write_body(other / CAFE, "Van een heel andere plek.\n")
    (tmp_path / "ander" / "diep").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "ander" / "diep")
    tricky = tmp_path / "link" / ".." / "site" / CAFE
    assert os.path.realpath(tricky) == str(other / CAFE)
    checker.step(tricky)  # the site's own files did not change at all


def test_warnings_of_other_files_stay_on_the_quick_path(site: Path) -> None:
    write_body(site / WIJKTEAMS, "")  # a past kenniscafe without a report: a warning
    replace_in(site / NIEUWS, "datum: 2019-01-10", "datum: 2019-01-11")  # name mismatch
    checker = Checker(site)
    assert len(checker.rebuilder.last.diagnostics) == 2  # type: ignore[union-attr]
    write_body(site / CAFE, "Een verslag.\n")
    result = checker.step(site / CAFE)
    assert quick(result)
    assert len(result.diagnostics) == 2
    write_body(site / NIEUWS, "Nieuws met een waarschuwing.\n")
    checker.step(site / NIEUWS)  # its own warning: the full path


# --- errors around a body edit ---------------------------------------------------------


def test_a_body_edit_while_another_file_has_an_error_and_after_the_fix(site: Path) -> None:
    checker = Checker(site)
    replace_in(site / WIJKTEAMS, "datum: 2018-03-01", "datum: 2018-02-31")
    assert checker.step(site / WIJKTEAMS).exit_code == 1
    write_body(site / CAFE, "Nog een verslag.\n")
    assert checker.step(site / CAFE).exit_code == 1
    replace_in(site / WIJKTEAMS, "datum: 2018-02-31", "datum: 2018-03-01")
    assert checker.step(site / WIJKTEAMS).exit_code == 0
    write_body(site / CAFE, "En weer een.\n")
    assert quick(checker.step(site / CAFE))


def test_a_body_edit_of_the_file_that_had_the_error(site: Path) -> None:
    checker = Checker(site)
    replace_in(site / CAFE, "datum: 2017-04-14", "datum: 2017-04-31")
    assert checker.step(site / CAFE).exit_code == 1
    write_body(site / CAFE, "Verslag tijdens de fout.\n")
    assert checker.step(site / CAFE).exit_code == 1
    replace_in(site / CAFE, "datum: 2017-04-31", "datum: 2017-04-14")
    checker.step(site / CAFE)


def test_a_body_edit_after_a_config_and_a_template_change(site: Path) -> None:
    checker = Checker(site)
    replace_in(site / "config.yaml", "title: Testsite Werkplaatsen", "title: Andere titel")
    checker.step(site / "config.yaml")
    write_body(site / CAFE, "Na de config.\n")
    assert quick(checker.step(site / CAFE))
    footer = site / "templates/partials/footer.html"
    footer.parent.mkdir(parents=True)
    footer.write_text("<footer>Eigen voet</footer>\n", encoding="utf-8")
    checker.step(footer)
    write_body(site / CAFE, "Na het sjabloon.\n")
    assert quick(checker.step(site / CAFE))
    # a template change and a body edit in one list
    footer.write_text("<footer>Andere voet</footer>\n", encoding="utf-8")
    write_body(site / CAFE, "Samen met het sjabloon.\n")
    checker.step(site / CAFE, footer)


def test_a_template_error_then_a_body_edit_then_the_fix(site: Path) -> None:
    checker = Checker(site)
    footer = site / "templates/partials/footer.html"
    footer.parent.mkdir(parents=True)
    footer.write_text("<footer>{{ kapot }}</footer>\n", encoding="utf-8")
    assert checker.step(footer).exit_code == 1
    write_body(site / CAFE, "Tijdens de sjabloonfout.\n")
    assert checker.step(site / CAFE).exit_code == 1
    footer.unlink()
    assert checker.step(footer).exit_code == 0


def test_a_body_too_slow_to_convert_then_fixed(site: Path) -> None:
    checker = Checker(site)
    write_body(site / NIEUWS, SLOW_MARKDOWN + "\n")
    assert checker.step(site / NIEUWS).exit_code == 1
    write_body(site / CAFE, "Een ander verslag tijdens de fout.\n")
    assert checker.step(site / CAFE).exit_code == 1
    write_body(site / NIEUWS, "Weer gewoon nieuws.\n")
    assert checker.step(site / NIEUWS).exit_code == 0
    write_body(site / NIEUWS, "En nog eens.\n")
    assert quick(checker.step(site / NIEUWS))


def test_a_failed_render_does_not_leave_a_wrong_record_of_the_bodies_shown(site: Path) -> None:
    """Was a hole: a rebuild that fails half-way through rendering (a template error on a later
    page) has already stored, in bodies_shown, what the pages rendered before the error
    showed; their output is not kept. After the revert those pages are not rendered
    again (same inputs as their kept output), so the record stays wrong, and the next
    body edit skips the theme feed that shows that body."""
    checker = Checker(site)
    cafe = site / CAFE
    original = cafe.read_text(encoding="utf-8")
    set_field(cafe, "themas", "[jeugd]")  # leaves the armoede feed for a moment
    sitemap = site / "templates/sitemap.xml"  # rendered after the feeds
    sitemap.parent.mkdir()
    sitemap.write_text("{{ kapot }}\n", encoding="utf-8")
    assert checker.step(cafe, sitemap).exit_code == 1
    cafe.write_text(original, encoding="utf-8")
    sitemap.unlink()
    assert checker.step(cafe, sitemap).exit_code == 0
    write_body(cafe, "Het verslag, herschreven.\n")
    checker.step(cafe)  # themas/armoede/atom.xml keeps the old text


def test_a_page_that_was_only_rendered_in_a_failed_rebuild_does_not_break_a_body_edit(
    site: Path,
) -> None:
    """Was a hole: like the test above, but the page rendered in the failed rebuild (a new
    theme's feed) is gone after the revert; bodies_shown still names it, and the next
    body edit of an entry it showed raises KeyError in quick_rebuild (serve: 'onverwachte
    fout', exit 1, on every such edit from then on)."""
    checker = Checker(site)
    cafe = site / CAFE
    original = cafe.read_text(encoding="utf-8")
    set_field(cafe, "themas", "[armoede, zzz]")
    thema = site / "content/themas/zzz.md"
    thema.write_text("---\ntitle: Zzz\n---\nZzz.\n", encoding="utf-8")
    sitemap = site / "templates/sitemap.xml"
    sitemap.parent.mkdir()
    sitemap.write_text("{{ kapot }}\n", encoding="utf-8")
    assert checker.step(cafe, thema, sitemap).exit_code == 1
    cafe.write_text(original, encoding="utf-8")
    thema.unlink()
    sitemap.unlink()
    assert checker.step(cafe, thema, sitemap).exit_code == 0
    write_body(cafe, "Het verslag, herschreven.\n")
    checker.step(cafe)


# --- site templates that reach a body some other way ------------------------------------


def override(site: Path, name: str, text: str) -> Path:
    path = site / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


REFUSED = [
    "{{ entry['body'] }}",
    "{{ entry|attr('body') }}",
    "{{ [entry]|map(attribute='body')|join }}",
    "{{ [entry]|selectattr('body')|list|length }}",
    "{{ [entry]|sort(attribute='body')|length }}",
    "{{ [entry]|groupby('body')|list|length }}",
    "{% for item in related %}{{ item.body }}{% endfor %}",
    "{% set e = entry %}{{ e['bo' ~ 'dy'] }}",
]


@pytest.mark.parametrize("expression", REFUSED)
def test_a_site_template_cannot_read_a_body_around_body(site: Path, expression: str) -> None:
    override(
        site,
        "kenniscafe.html",
        '{% extends "base.html" %}{% block content %}' + expression + "{% endblock %}\n",
    )
    rebuilder = Rebuilder(options(site))
    result = rebuilder.rebuild()
    code, _, diagnostics = full_build(site)
    assert result.exit_code == code
    assert shown(result.diagnostics) == shown(diagnostics)
    if expression.startswith("{% for item in related"):
        return  # the cafe pages may have no related items: then nothing is read
    assert code == 1
    assert "body(entry)" in result.diagnostics[0].message


def test_a_site_template_that_dumps_the_entry_shows_no_body(site: Path) -> None:
    """A debugging dump prints the entry's repr, which leaves out body and source."""
    override(
        site,
        "kenniscafe.html",
        '{% extends "base.html" %}{% block content %}<pre>{{ entry }}</pre>{% endblock %}\n',
    )
    checker = Checker(site)
    write_body(site / CAFE, "Een verslag dat niet in de dump hoort.\n")
    assert quick(checker.step(site / CAFE))
    page = checker.rebuilder.outputs["kenniscafes/2017-04-14-schulden/index.html"]
    assert b"Een verslag dat niet in de dump hoort" not in page


@pytest.mark.parametrize(
    "expression",
    [
        "{{ entry.__getattribute__('body') }}",
        "{{ entry.__getstate__() }}",
        "{{ entry.source.digest }}",
        "{{ entry['source'] }}",
    ],
)
def test_a_site_template_cannot_reach_the_body_around_body(site: Path, expression: str) -> None:
    """Names with _ and the entry's source file are refused like entry.body."""
    override(
        site,
        "kenniscafe.html",
        '{% extends "base.html" %}{% block content %}' + expression + "{% endblock %}\n",
    )
    result = Rebuilder(options(site)).rebuild()
    assert result.exit_code == 1
    [problem] = result.diagnostics
    assert problem.path == "templates/kenniscafe.html" and "body(entry)" in problem.message


def test_a_macro_module_that_sets_a_body_at_its_top_level(site: Path) -> None:
    """Was a hole: Jinja caches an imported template's module (Template._get_default_module)
    on the Template object, which serve's environment keeps across rebuilds; a
    `{% set %}` at the top of that module runs once, so its body stays the first one."""
    override(site, "macros.html", "{% set over = body(footer_pages[0]) %}\n")
    override(
        site,
        "partials/footer.html",
        '{% import "macros.html" as m %}<footer>{{ m.over }}</footer>\n',
    )
    checker = Checker(site)
    write_body(site / PAGINA, "Over ons, herschreven.\n")
    checker.step(site / PAGINA)


def test_a_macro_module_whose_macro_calls_body(site: Path) -> None:
    """Was a hole: the cached module also keeps the globals of the rebuild that first imported
    it, so its macros call the first rebuild's body(), which reads (and records into) a
    Bodies object that later rebuilds no longer update: after any full rebuild, a body
    edit shows the old text on the pages that use the macro."""
    override(site, "macros.html", "{% macro tekst(e) %}{{ body(e) }}{% endmacro %}\n")
    override(
        site,
        "kenniscafe.html",
        '{% extends "base.html" %}{% block content %}{% import "macros.html" as m %}'
        "{{ m.tekst(entry) }}{% endblock %}\n",
    )
    checker = Checker(site)
    set_field(site / WIJKTEAMS, "title", "Wijkteams, anders")  # a full rebuild
    checker.step(site / WIJKTEAMS)
    write_body(site / CAFE, "Het verslag via de macro.\n")
    checker.step(site / CAFE)


def test_a_macro_imported_with_context_and_an_include(site: Path) -> None:
    override(site, "macros.html", "{% macro tekst(e) %}{{ body(e) }}{% endmacro %}\n")
    override(site, "stukje.html", "<div>{{ body(entry) }}</div>\n")
    override(
        site,
        "kenniscafe.html",
        '{% extends "base.html" %}{% block content %}'
        '{% import "macros.html" as m with context %}{{ m.tekst(entry) }}'
        '{% include "stukje.html" %}{% endblock %}\n',
    )
    checker = Checker(site)
    set_field(site / WIJKTEAMS, "title", "Wijkteams, anders")
    checker.step(site / WIJKTEAMS)
    write_body(site / CAFE, "Het verslag via de macro, met context.\n")
    assert quick(checker.step(site / CAFE))


def test_a_site_list_template_that_shows_bodies_of_its_items(site: Path) -> None:
    override(
        site,
        "kenniscafes.html",
        '{% extends "base.html" %}{% block content %}'
        "{% for group in [upcoming, past] if group is defined %}{% for c in group %}"
        "{{ c.title }}: {{ body(c)|striptags|truncate(20) }}{% endfor %}{% endfor %}"
        "{% endblock %}\n",
    )
    checker = Checker(site)
    write_body(site / CAFE, "Een lang nieuw verslag over van alles en nog wat.\n")
    checker.step(site / CAFE)


# --- the watcher ---------------------------------------------------------------------------


def poll(watcher: QuietWatcher, times: int = 4) -> list[Path]:
    for _ in range(times):
        watcher.examine()
    return watcher.take_noticed()


def watching(site: Path) -> QuietWatcher:
    watcher = QuietWatcher()
    for name in ("content", "templates", "assets", "config.yaml"):
        watcher.watch(str(site / name), None)
    watcher.examine()
    watcher.take_noticed()
    return watcher


def test_the_watcher_notices_every_file_of_one_edit_session(site: Path) -> None:
    checker = Checker(site)
    watcher = watching(site)
    write_body(site / CAFE, "Een.\n")
    write_body(site / WIJKTEAMS, "Twee.\n")
    set_field(site / NIEUWS, "title", "Ander nieuws")
    (site / "content/regios/limburg.md").unlink()
    noticed = poll(watcher)
    assert {p.name for p in noticed} >= {
        Path(CAFE).name,
        Path(WIJKTEAMS).name,
        Path(NIEUWS).name,
        "limburg.md",
    }
    checker.step(*noticed)


def test_a_new_file_with_an_old_time_stamp_shows_up_at_the_next_body_edit(site: Path) -> None:
    """Was a hole: livereload's watcher takes a new file whose mtime is older than the
    watcher's start (moved in with mv, cp -p, an unpacked archive) for an old one and
    never names it. Before the quick path the next edit of any file re-read the content
    folder and found it; now a body edit takes the quick path, and the new entry stays
    missing for as long as only bodies are edited."""
    checker = Checker(site)
    watcher = watching(site)
    added = site / "content/nieuws/2020-02-02-verhuisd.md"
    added.write_text("---\ntitle: Verhuisd\ndatum: 2020-02-02\n---\nTekst.\n", encoding="utf-8")
    os.utime(added, (1_000_000_000, 1_000_000_000))
    write_body(site / CAFE, "Een verslag.\n")
    noticed = poll(watcher)
    assert noticed == [site / CAFE]
    checker.step(*noticed)


def test_the_watcher_names_both_names_of_a_symlinked_content_file(site: Path) -> None:
    target = site / "content/themas/armoede.md"
    (site / "content/themas/armoede-kopie.md").symlink_to(target)
    checker = Checker(site)
    watcher = watching(site)
    write_body(target, "Armoede, anders.\n")
    noticed = poll(watcher)
    assert {p.name for p in noticed} == {"armoede.md", "armoede-kopie.md"}
    checker.step(*noticed)


def test_quick_path_refuses_what_it_cannot_prove_is_body_only(site: Path) -> None:
    checker = Checker(site)
    rebuilder = checker.rebuilder
    last = rebuilder.last
    assert last is not None
    path = site / CAFE
    write_body(path, "Met een ![plaatje](/assets/x.png) erin.\n")
    assert rebuilder.edit_of(last, path) is None  # images are the media stage's
    write_body(path, "Met <b>html</b>.\n")
    assert rebuilder.edit_of(last, path) is None
    write_body(path, "")
    edit = rebuilder.edit_of(last, path)
    assert edit is not None and not body_only(*edit)  # the report is gone
    replace_in(path, "bezoekers: 42", "bezoekers: 43")
    edit = rebuilder.edit_of(last, path)
    assert edit is not None and not body_only(*edit)
    path.write_text(
        path.read_text(encoding="utf-8").replace("bezoekers: 43", "bezoekers: 42")
        + "Gewoon tekst.\n",
        encoding="utf-8",
    )
    edit = rebuilder.edit_of(last, path)
    assert edit is not None and body_only(*edit)
    old, new = edit
    assert old is last.entries[CAFE]
    assert dataclasses.replace(new, body="") == dataclasses.replace(old, body="", source=new.source)
    checker.step(path)


# --- front-matter edits in place (incremental/replan.py) ----------------------------------------


def test_front_matter_edits_in_place_with_serve_settings(site: Path) -> None:
    """serve's own settings (drafts shown, its base URL, /beheer/): a draft's title, a
    .yaml entry, an entry with aliases, a publication with a PDF, dates moved across
    the build date, and themes changed, each equal to a clean build."""
    checker = Checker(site, serve_like=True)
    concept = site / "content/kenniscafes/2030-02-01-concept.md"
    replace_in(concept, "title: Concept-kenniscafé", "title: Ander concept")
    assert quick(checker.step(concept))
    jeugd = site / "content/kenniscafes/2030-01-15-jeugd.yaml"
    replace_in(jeugd, "title: Jeugd in de grensregio", "title: Jeugd aan de grens")
    assert quick(checker.step(jeugd))
    set_field(site / CAFE, "title", "Schulden, opnieuw")  # it has aliases
    assert quick(checker.step(site / CAFE))
    rapport = site / "content/publicaties/armoede-rapport.md"
    replace_in(rapport, "title: Rapport over armoede", "title: Armoede, het rapport")
    assert quick(checker.step(rapport))
    set_field(site / TOEKOMST, "datum", "2020-06-01")  # over, and without a report
    checker.step(site / TOEKOMST)
    # A new date differs from the file name's: a warning, so the full path says it.
    set_field(site / WIJKTEAMS, "datum", "2031-03-01")
    assert not quick(checker.step(site / WIJKTEAMS))
    set_field(rapport, "datum", "2031-03-01")  # a publication's name has no date
    assert quick(checker.step(rapport))
    set_field(site / CAFE, "themas", "[armoede, jeugd]")
    assert quick(checker.step(site / CAFE))
    set_field(site / NIEUWS, "werkplaats", "amsterdam")
    assert quick(checker.step(site / NIEUWS))


def test_front_matter_edits_that_are_not_in_place_take_the_full_path(site: Path) -> None:
    checker = Checker(site)
    set_field(site / WIJKTEAMS, "werkplaats", "nergens")  # a broken reference
    assert checker.step(site / WIJKTEAMS).exit_code == 1  # the error, as a clean build says
    set_field(site / WIJKTEAMS, "werkplaats", "rotterdam")
    checker.step(site / WIJKTEAMS)
    set_field(site / WIJKTEAMS, "aliases", "[/oud/wijkteams/]")
    assert not quick(checker.step(site / WIJKTEAMS))
    set_field(site / WIJKTEAMS, "draft", "true")
    assert not quick(checker.step(site / WIJKTEAMS))
