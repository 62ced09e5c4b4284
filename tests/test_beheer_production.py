"""/beheer/ in production: with `redactie:`, one screen per werkplaats that only ever
writes that werkplaats's entries, a central screen with everything, a page that lists
the screens, and the GitHub sign-in helper in the shape Decap reads.

The configurations are read from a built site, as the browser gets them.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml
from browsing import wait_for_file
from bs4 import BeautifulSoup
from conftest import SITES, TODAY

from wsdgen.check.ownership import OWNED_COLLECTIONS
from wsdgen.load.config import load_config
from wsdgen.pipeline import BuildOptions, build
from wsdgen.publish import beheer

BEHEER = """
beheer:
  forge: gitlab
  repository: werkplaatsen/website
  branch: main
  app_id: 0123abcd
"""
REDACTIE = """
redactie:
  centraal: ["@kernteam"]
  werkplaatsen:
    rotterdam: ["@jan", "@els"]
    amsterdam: ["@anna"]
    grensregio: ["@gert"]
    geheim: ["@geheim"]
"""
# rotterdam and amsterdam are .md files; grensregio is a .yaml file (the screen does
# not edit it, like the central one); geheim is a draft (no screen until published).
SCREENS = ("amsterdam", "grensregio", "rotterdam")
READ_ONLY = {"themas", "regios"}
Settings = dict[str, object]


def make_site(root: Path, extra: str) -> Path:
    site = root / "site"
    shutil.copytree(SITES / "mini", site)
    config = site / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return site


def built(site: Path) -> Path:
    out = site.parent / "public"
    options = BuildOptions(site_dir=site, out=str(out), today=dt.date.fromisoformat(TODAY))
    result = build(options)
    assert result.exit_code == 0, result.diagnostics
    return out


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built(make_site(tmp_path_factory.mktemp("productie"), BEHEER + REDACTIE))


def screen_settings(out: Path, slug: str | None = None) -> Settings:
    folder = out / "beheer" if slug is None else out / "beheer" / "werkplaatsen" / slug
    settings = yaml.safe_load((folder / "config.yml").read_text(encoding="utf-8"))
    assert isinstance(settings, dict)
    return settings


def collections(settings: Settings) -> dict[str, dict[str, object]]:
    found = {c["name"]: c for c in settings["collections"]}  # type: ignore[attr-defined]
    assert len(found) == len(settings["collections"])  # type: ignore[arg-type]
    return found


def all_fields(collection: dict[str, object]) -> list[dict[str, object]]:
    """The fields of a folder collection, or those of each file of a files collection."""
    if "files" in collection:
        return [f for one in collection["files"] for f in one["fields"]]  # type: ignore[attr-defined]
    return list(collection["fields"])  # type: ignore[call-overload]


def relation_targets(fields: list[dict[str, object]]) -> set[str]:
    found = set()
    for field in fields:
        if field.get("widget") == "relation":
            found.add(str(field["collection"]))
        inner = field.get("fields") or ([field["field"]] if "field" in field else [])
        found |= relation_targets(inner)  # type: ignore[arg-type]
    return found


# --- Which screens there are ---


def test_one_screen_per_werkplaats_with_editors_and_a_page_that_lists_them(out: Path) -> None:
    made = sorted(p.name for p in (out / "beheer/werkplaatsen").iterdir() if p.is_dir())
    assert made == list(SCREENS)  # not geheim (a draft), not werkplaatsen without editors
    central = BeautifulSoup((out / "beheer/index.html").read_text(), "lxml")
    for slug in SCREENS:
        page = BeautifulSoup((out / f"beheer/werkplaatsen/{slug}/index.html").read_text(), "lxml")
        link = page.find("link", rel="cms-config-url")
        assert link["href"] == f"/beheer/werkplaatsen/{slug}/config.yml"
        assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
        # The same scripts and policy as the central screen.
        assert [s["src"] for s in page.find_all("script")] == [
            s["src"] for s in central.find_all("script")
        ]
        policy = {"http-equiv": "Content-Security-Policy"}
        assert (
            page.find("meta", attrs=policy)["content"]
            == central.find("meta", attrs=policy)["content"]
        )
    index = BeautifulSoup((out / "beheer/werkplaatsen/index.html").read_text(), "lxml")
    assert index.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
    links = {a["href"]: a.get_text(strip=True) for a in index.select("main a")}
    assert links["/beheer/werkplaatsen/rotterdam/"] == "Werkplaats Rotterdam"
    assert links["/beheer/"]  # the central screen
    assert "/beheer/werkplaatsen/geheim/" not in links
    assert "@jan" not in index.get_text()  # editors' accounts are not published
    # The addresses GitLab must know as Redirect URIs: every screen.
    assert "https://example.org/beheer/werkplaatsen/amsterdam/" in index.find("pre").get_text()
    sitemap = (out / "sitemap.xml").read_text()
    assert "/beheer/" not in sitemap


def test_without_redactie_nothing_changes(tmp_path: Path, out: Path) -> None:
    plain = built(make_site(tmp_path, BEHEER))
    assert not (plain / "beheer/werkplaatsen").exists()
    # The central screen is the same with and without `redactie:`: everything.
    assert (plain / "beheer/config.yml").read_text() == (out / "beheer/config.yml").read_text()
    names = [c["name"] for c in screen_settings(out)["collections"]]  # type: ignore[attr-defined]
    assert names == list(beheer.COLLECTIONS)
    for collection in collections(screen_settings(out)).values():
        assert "filter" not in collection and not collection.get("hide")


# --- What a werkplaats screen can write ---


@pytest.mark.parametrize("slug", SCREENS)
def test_a_werkplaats_screen_writes_only_its_own_werkplaats(out: Path, slug: str) -> None:
    settings = screen_settings(out, slug)
    found = collections(settings)
    assert "paginas" not in found
    writable = {name for name, c in found.items() if not c.get("hide")}
    expected_own_file = slug != "grensregio"  # a .yaml file: edited in the repository
    assert writable == set(OWNED_COLLECTIONS) | ({"werkplaatsen"} if expected_own_file else set())
    for name, collection in found.items():
        if name in OWNED_COLLECTIONS:
            # Lists only this werkplaats's entries ...
            assert collection["filter"] == {"field": "werkplaats", "value": slug}
            assert collection["folder"] == f"content/{name}"
            assert collection["create"] is True and collection.get("delete", True) is True
            # ... and every entry it creates or saves names this werkplaats.
            fields = {f["name"]: f for f in collection["fields"]}  # type: ignore[attr-defined]
            werkplaats = fields["werkplaats"]
            assert werkplaats["widget"] == "select"
            assert [o["value"] for o in werkplaats["options"]] == [slug]
            assert werkplaats["default"] == slug
            assert werkplaats["required"] is True
            new_entry = {f["name"]: f["default"] for f in fields.values() if "default" in f}
            assert new_entry["werkplaats"] == slug
        elif name == "werkplaatsen":
            assert "folder" not in collection and "filter" not in collection
            assert [f["file"] for f in collection["files"]] == [  # type: ignore[attr-defined]
                f"content/werkplaatsen/{slug}.md"
            ]
            assert collection["create"] is False and collection["delete"] is False
        else:
            assert name in READ_ONLY
            assert collection["hide"] is True
            assert collection["create"] is False
            assert collection["delete"] is False
            assert collection["publish"] is False
    # Every relation field can search its collection (Decap stops on an unknown one),
    # and none lets the editor pick a werkplaats.
    for collection in found.values():
        targets = relation_targets(all_fields(collection))
        assert targets <= set(found)
        assert "werkplaatsen" not in targets


def test_no_werkplaats_screen_offers_another_werkplaats(out: Path) -> None:
    for slug in SCREENS:
        text = (out / f"beheer/werkplaatsen/{slug}/config.yml").read_text()
        for other in {"rotterdam", "amsterdam", "grensregio", "geheim"} - {slug}:
            assert not re.search(rf"\b{other}\b", text), (slug, other)


# --- One table of fields for all screens ---


@pytest.mark.parametrize("slug", SCREENS)
def test_all_screens_share_the_field_definitions(out: Path, slug: str) -> None:
    central = screen_settings(out)
    screen = screen_settings(out, slug)
    # Backend, workflow, media folders, locale: the same.
    assert {k: v for k, v in screen.items() if k != "collections"} == {
        k: v for k, v in central.items() if k != "collections"
    }
    shared = collections(central)
    for name, collection in collections(screen).items():
        mine = all_fields(collection)
        theirs = all_fields(shared[name])
        assert [f["name"] for f in mine] == [f["name"] for f in theirs]
        for field, same in zip(mine, theirs, strict=True):
            if name in OWNED_COLLECTIONS and field["name"] == "werkplaats":
                assert field["label"] == same["label"]
                continue
            assert field == same, (name, field["name"])
        for key in ("format", "extension", "identifier_field", "summary", "label"):
            assert collection.get(key) == shared[name].get(key), (name, key)


# --- GitHub: Decap plus a sign-in helper ---


def github_settings(mini: Path, auth_url: str) -> Settings:
    config_file = mini / "config.yaml"
    config_file.write_text(
        config_file.read_text(encoding="utf-8")
        + f"\nbeheer:\n  forge: github\n  repository: wsd/site\n  auth_url: {auth_url}\n",
        encoding="utf-8",
    )
    config, problems = load_config(mini)
    assert config is not None, problems
    settings = yaml.safe_load(beheer.cms_config_text(config))
    assert isinstance(settings, dict)
    settings["_csp"] = beheer.content_security_policy(config)
    return settings


@pytest.mark.parametrize(
    ("auth_url", "base_url", "endpoint"),
    [
        # sveltia-cms-auth on Cloudflare Workers: /auth and /callback at the root.
        (
            "https://wsd-aanmelden.example.workers.dev",
            "https://wsd-aanmelden.example.workers.dev",
            "auth",
        ),
        # Netlify's helper, when the site is on Netlify.
        ("https://api.netlify.com", "https://api.netlify.com", "auth"),
        # A helper under a path: Decap takes the token only from the helper's origin.
        ("https://aanmelden.example.org/wsd/", "https://aanmelden.example.org", "wsd/auth"),
    ],
)
def test_github_sign_in_helper_in_decaps_shape(
    mini: Path, auth_url: str, base_url: str, endpoint: str
) -> None:
    settings = github_settings(mini, auth_url)
    backend = settings["backend"]
    assert isinstance(backend, dict)
    assert backend["name"] == "github"
    assert backend["repo"] == "wsd/site"
    assert backend["branch"] == "main"
    # Decap opens <base_url>/<auth_endpoint>?provider=github&site_id=<host> in a pop-up
    # and accepts the token only from a message whose origin equals base_url.
    assert backend["base_url"] == base_url
    assert backend["auth_endpoint"] == endpoint
    assert re.fullmatch(r"https://[^/]+", backend["base_url"])
    assert "site_id" not in backend  # the helper checks the page's own host
    assert settings["publish_mode"] == "editorial_workflow"  # every save a pull request
    # No secret in the screen: the helper keeps the client secret.
    text = yaml.safe_dump(settings)
    assert not re.search(r"secret|token|password|client_id", text, re.IGNORECASE)
    # The pop-up is a window, not a request: only GitHub's API is contacted.
    policy = str(settings["_csp"])
    connect = next(p for p in policy.split(";") if p.strip().startswith("connect-src"))
    assert "https://api.github.com" in connect.split()
    assert base_url not in connect.split()


# --- In a real browser: Decap takes the configuration and writes the own werkplaats ---


def test_in_the_browser_a_werkplaats_screen_shows_and_writes_its_own(tmp_path: Path) -> None:
    """Against `wsdgen serve`'s local backend (the same collections as in production):
    the menu, the filtered list, and a new kenniscafé saved without touching the
    werkplaats field."""
    from browsing import CHROMIUM, CHROMIUM_ARGS, require, wsdgen_serving

    require(Path(CHROMIUM).exists(), f"Chromium ({CHROMIUM})")
    from playwright.sync_api import expect, sync_playwright

    site = make_site(tmp_path, REDACTIE)
    screen = "/beheer/werkplaatsen/rotterdam/"
    with wsdgen_serving(site, tmp_path / "serve.log") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900}, locale="nl-NL")
        tab.goto(url + screen)
        tab.get_by_role("button", name="Inloggen").click()
        expect(tab).to_have_url(re.compile(r"#/collections/kenniscafes$"))
        tab.get_by_text("Alleen de kenniscafés van Werkplaats Rotterdam").wait_for()
        links = tab.locator("a[href*='#/collections/']:not([href*='/entries/'])")
        shown = {str(a.get_attribute("href")).split("#/collections/")[1] for a in links.all()}
        menu = {name for name in shown if "/" not in name}
        assert menu == {"kenniscafes", "publicaties", "nieuws", "werkplaatsen"}
        assert {name.split("/")[0] for name in shown - menu} <= set(OWNED_COLLECTIONS)
        # Only Rotterdam's kenniscafés (one in the fixture; the others are elsewhere).
        expect(tab.get_by_role("link", name=re.compile("Kenniscafé over schulden"))).to_be_visible()
        expect(tab.get_by_text("wijkteams", exact=False)).to_have_count(0)

        tab.goto(url + screen + "#/collections/kenniscafes/new")
        tab.locator("[id^='title-field-']").first.fill("Kenniscafé in de wijk")
        tab.locator("[id^='datum-field-']").first.fill("2031-03-14")
        tab.get_by_role("button", name="Publiceer").click()
        tab.get_by_role("menuitem", name="Publiceer nu").click()
        written = site / "content/kenniscafes/2031-03-14-kenniscafe-in-de-wijk.md"
        wait_for_file(written, "the kenniscafé saved from the werkplaats screen")
        browser.close()
    front = yaml.safe_load(written.read_text(encoding="utf-8").split("---")[1])
    assert front["werkplaats"] == "rotterdam"
