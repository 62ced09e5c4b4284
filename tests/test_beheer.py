"""/beheer/: the CMS configuration follows the content model, and the build publishes it
safely (noindex, not in the sitemap or search, nothing from another host, no secret)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import TODAY

from wsdgen.check.validate import (
    parse_date,
    parse_email,
    parse_time,
    parse_url,
)
from wsdgen.load.config import load_config
from wsdgen.pipeline import BuildOptions, build
from wsdgen.publish import beheer
from wsdgen.schema import COLLECTIONS, FIELDS, FieldSpec

BEHEER_GITLAB = """
beheer:
  forge: gitlab
  repository: werkplaatsen/website
  branch: main
  app_id: 0123abcd
"""


def with_beheer(site: Path, section: str = BEHEER_GITLAB) -> Path:
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + section, encoding="utf-8")
    return site


def cms_settings(site: Path, extra: str = "") -> dict[str, object]:
    if extra:
        (site / "config.yaml").write_text(
            (site / "config.yaml").read_text(encoding="utf-8") + extra, encoding="utf-8"
        )
    config, problems = load_config(site)
    assert config is not None, problems
    text = beheer.cms_config_text(config)
    settings = yaml.safe_load(text)
    assert isinstance(settings, dict)
    return settings


def collection(settings: dict[str, object], name: str) -> dict[str, object]:
    found = [c for c in settings["collections"] if c["name"] == name]  # type: ignore[attr-defined]
    assert len(found) == 1
    return found[0]


def fields_of(settings: dict[str, object], name: str) -> dict[str, dict[str, object]]:
    return {f["name"]: f for f in collection(settings, name)["fields"]}  # type: ignore[attr-defined]


# --- The configuration follows schema.py ---


@pytest.fixture
def settings(mini: Path) -> dict[str, object]:
    return cms_settings(with_beheer(mini))


def test_one_cms_collection_per_content_collection(settings: dict[str, object]) -> None:
    names = [c["name"] for c in settings["collections"]]  # type: ignore[attr-defined]
    assert names == list(COLLECTIONS)
    for name in COLLECTIONS:
        found = collection(settings, name)
        assert found["folder"] == f"content/{name}"
        assert found["extension"] == "md"
        assert found["format"] == beheer.FILE_FORMAT  # bestand.js


EXPECTED_WIDGET = {
    "text": {"string", "text"},
    "bool": {"boolean"},
    "date": {"datetime"},
    "time": {"datetime"},
    "year": {"number"},
    "count": {"number"},
    "int": {"number"},
    "url": {"string"},
    "email": {"string"},
    "url_or_path": {"file"},
    "choice": {"select"},
    "text_list": {"list"},
    "ref": {"relation"},
    "ref_list": {"relation"},
    "alias_list": {"list"},
    "image": {"image"},
    "alt_text": {"string"},
}


@pytest.mark.parametrize(
    ("name", "spec"),
    [(name, spec) for name in COLLECTIONS for spec in FIELDS[name]],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_every_fieldspec_is_a_cms_field(
    settings: dict[str, object], name: str, spec: FieldSpec
) -> None:
    """Walks every FieldSpec: a new field in schema.py appears here without other changes."""
    field = fields_of(settings, name)[spec.name]
    assert field["widget"] in EXPECTED_WIDGET[spec.kind]
    assert field["required"] is spec.required
    assert isinstance(field["label"], str) and field["label"]
    if spec.kind == "date":
        assert field["time_format"] is False
        assert field["format"] == "YYYY-MM-DD"
    if spec.kind == "time":
        assert field["date_format"] is False
        assert field["format"] == "HH:mm"
    if spec.kind in ("year", "count", "int"):
        assert field["value_type"] == "int"
    if spec.kind == "count":
        assert field["min"] == 0
    if spec.kind == "choice":
        assert [o["value"] for o in field["options"]] == list(spec.choices)
        assert all(o["label"] != o["value"] for o in field["options"])  # Dutch labels
    if spec.kind in ("ref", "ref_list"):
        assert field["collection"] == spec.ref
        assert field["value_field"] == "{{slug}}"
        assert field["display_fields"] == ["title"]
        assert field.get("multiple", False) is (spec.kind == "ref_list")
        if spec.required and spec.kind == "ref_list":
            assert field["min"] == 1
    if spec.kind in ("text_list", "alias_list"):
        assert field["field"]["widget"] == "string"


def test_no_cms_field_that_schema_does_not_know(settings: dict[str, object]) -> None:
    for name in COLLECTIONS:
        known = {spec.name for spec in FIELDS[name]} | {"body"}
        assert set(fields_of(settings, name)) == known


def test_body_is_markdown_and_last(settings: dict[str, object]) -> None:
    for name in COLLECTIONS:
        fields = collection(settings, name)["fields"]
        assert fields[-1]["name"] == "body"  # type: ignore[index]
        assert fields[-1]["widget"] == "markdown"  # type: ignore[index]
        assert fields[-1]["modes"] == ["raw"]  # type: ignore[index]


def test_front_matter_order_is_that_of_the_guide(settings: dict[str, object]) -> None:
    order = list(fields_of(settings, "kenniscafes"))
    assert order[:4] == ["title", "summary", "datum", "werkplaats"]
    assert order[-3:] == ["draft", "aliases", "body"]


def test_file_names_follow_wsdgen_new(settings: dict[str, object]) -> None:
    assert collection(settings, "kenniscafes")["slug"] == "{{datum}}-{{slug}}"
    assert collection(settings, "nieuws")["slug"] == "{{datum}}-{{slug}}"
    assert collection(settings, "publicaties")["slug"] == "{{slug}}"
    assert settings["slug"] == {
        "encoding": "ascii",
        "clean_accents": True,
        "sanitize_replacement": "-",
    }


def test_extra_fields_appear_as_optional_text(mini: Path) -> None:
    settings = cms_settings(
        with_beheer(mini), "extra_fields:\n  kenniscafes: [zaal]\n  nieuws: [bron]\n"
    )
    assert fields_of(settings, "kenniscafes")["zaal"]["required"] is False
    assert "bron" in fields_of(settings, "nieuws")
    assert "zaal" not in fields_of(settings, "nieuws")


def test_patterns_agree_with_the_validator(settings: dict[str, object]) -> None:
    """What a field's pattern accepts, the validator accepts; what it refuses, too."""
    fields = fields_of(settings, "kenniscafes")
    url_pattern = re.compile(fields["aanmelden"]["pattern"][0])
    for good in ("https://example.org/aanmelden", "http://example.org"):
        assert url_pattern.match(good)
        parse_url(good)
    for bad in ("info@example.org", "https://info@example.org/", "www.example.org"):
        assert not url_pattern.match(bad)
    email_pattern = re.compile(fields_of(settings, "werkplaatsen")["email"]["pattern"][0])
    assert email_pattern.match("info@example.nl")
    parse_email("info@example.nl")
    assert parse_time("15:30") == dt.time(15, 30)
    assert parse_date("2031-03-14") == dt.date(2031, 3, 14)


def test_gitlab_signs_in_with_pkce_and_editorial_workflow(settings: dict[str, object]) -> None:
    assert settings["locale"] == "nl"
    assert settings["publish_mode"] == "editorial_workflow"
    assert settings["backend"] == {
        "name": "gitlab",
        "repo": "werkplaatsen/website",
        "branch": "main",
        "auth_type": "pkce",
        "app_id": "0123abcd",
        "base_url": "https://gitlab.com",
        "api_root": "https://gitlab.com/api/v4",
        "commit_messages": settings["backend"]["commit_messages"],  # type: ignore[index]
    }
    assert settings["media_folder"] == "assets/afbeeldingen"
    assert settings["public_folder"] == "/assets/afbeeldingen"


def test_github_backend_with_its_sign_in_helper(mini: Path) -> None:
    settings = cms_settings(
        with_beheer(
            mini,
            "\nbeheer:\n  forge: github\n  repository: wsd/site\n"
            "  auth_url: https://aanmelden.example.org\n",
        )
    )
    backend = settings["backend"]
    assert backend["name"] == "github"  # type: ignore[index]
    assert backend["base_url"] == "https://aanmelden.example.org"  # type: ignore[index]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("beheer: ja\n", "'beheer' moet velden hebben"),
        ("beheer:\n  forge: bitbucket\n  repository: a/b\n", "'forge' moet github of gitlab"),
        ("beheer:\n  forge: github\n", "'repository' moet eigenaar/naam"),
        ("beheer:\n  forge: gitlab\n  repository: a/b\n", "'app_id' ontbreekt"),
        ("beheer:\n  forge: github\n  repository: a/b\n  branch: ../x\n", "'branch'"),
        ("beheer:\n  forge: github\n  repository: a/b\n  wachtwoord: x\n", "onbekende"),
        (
            "beheer:\n  forge: github\n  repository: a/b\n  auth_url: http://x.example\n",
            "'auth_url' moet een webadres zijn dat begint met https://",
        ),
    ],
)
def test_a_wrong_beheer_section_is_a_config_error(
    mini: Path, run: object, section: str, expected: str
) -> None:
    with_beheer(mini, "\n" + section)
    result = run("check", "--site", str(mini))  # type: ignore[operator]
    assert result.code == 2
    assert "config.yaml:" in result.err and expected in result.err


# --- The build's output ---


def built(site: Path, out: Path) -> Path:
    options = BuildOptions(site_dir=site, out=str(out), today=dt.date.fromisoformat(TODAY))
    result = build(options)
    assert result.exit_code == 0, result.diagnostics
    return out


def test_without_beheer_section_no_editing_screen(mini: Path, tmp_path: Path) -> None:
    out = built(mini, tmp_path / "public")
    assert not (out / "beheer").exists()


@pytest.fixture(scope="module")
def beheer_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    from conftest import SITES

    site = tmp_path_factory.mktemp("beheer") / "site"
    shutil.copytree(SITES / "mini", site)
    with_beheer(site)
    return built(site, site.parent / "public")


def test_the_build_writes_the_screen_and_its_config(beheer_out: Path) -> None:
    page = BeautifulSoup((beheer_out / "beheer/index.html").read_text(), "lxml")
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
    scripts = [s["src"] for s in page.find_all("script")]
    assert scripts == [
        "/beheer/vooraf.js",
        "/beheer/decap-cms/decap-cms.js",
        "/beheer/bestand.js",
        "/beheer/nl.js",
        "/beheer/beheer.js",
    ]
    assert page.find("link", rel="cms-config-url")["href"] == "/beheer/config.yml"
    stylesheet = page.find_all("script")[-1]["data-stijl"]
    assert (beheer_out / stylesheet.lstrip("/")).is_file()  # the preview's house style
    settings = yaml.safe_load((beheer_out / "beheer/config.yml").read_text())
    assert settings["backend"]["name"] == "gitlab"
    assert (beheer_out / "beheer/decap-cms/decap-cms.js").stat().st_size > 1_000_000
    assert (beheer_out / "beheer/decap-cms/LICENSE").is_file()


def test_the_screen_loads_nothing_from_another_host(beheer_out: Path) -> None:
    page = BeautifulSoup((beheer_out / "beheer/index.html").read_text(), "lxml")
    for tag in page.find_all(src=True) + page.find_all("link", href=True):
        address = tag.get("src") or tag.get("href")
        assert address.startswith("/"), address
    policy = page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"].split() == ["'self'", "'unsafe-eval'"]
    assert directives["connect-src"].split() == ["'self'", "blob:", "https://gitlab.com"]
    assert "http" not in directives["img-src"]


def test_nothing_secret_and_not_in_sitemap_or_search(beheer_out: Path) -> None:
    sitemap = (beheer_out / "sitemap.xml").read_text()
    assert "/beheer/" not in sitemap
    page = (beheer_out / "beheer/index.html").read_text()
    assert "data-pagefind-body" not in page
    config_text = (beheer_out / "beheer/config.yml").read_text()
    assert not re.search(r"secret|token|password|wachtwoord", config_text, re.IGNORECASE)
    index = beheer_out / "pagefind"
    fragments = b"".join(p.read_bytes() for p in index.rglob("*.pf_fragment"))
    assert fragments  # the index exists; the screen is not in it (gzip: check by URL below)
    import gzip

    texts = [gzip.decompress(p.read_bytes()) for p in index.rglob("*.pf_fragment")]
    assert texts and not any(b"/beheer/" in text for text in texts)


def test_vendored_cms_matches_its_checksums() -> None:
    """The CMS bundle is exactly the pinned npm release (decap-cms 3.16.3)."""
    folder = beheer.BEHEER_ROOT / beheer.DECAP_FOLDER
    listed = {}
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        listed[name] = digest
    present = {p.name for p in folder.iterdir() if p.suffix in (".js", ".wasm")}
    assert set(listed) == present
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert f"decap-cms {beheer.DECAP_VERSION}" in (folder / "decap-cms.js").read_text()
