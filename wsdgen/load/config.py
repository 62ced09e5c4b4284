"""Stage 0: read config.yaml into a frozen SiteConfig, listing every problem at once."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from wsdgen import diagnostics as diag
from wsdgen.budget import DEFAULT_SECONDS as DEFAULT_WORK_SECONDS
from wsdgen.check.validate import (
    EMAIL_FORM,
    URL_FORBIDDEN,
    WHITESPACE_RUN,
    character_name,
    url_problem,
)
from wsdgen.diagnostics import Diagnostic
from wsdgen.load import safefs
from wsdgen.load.yamlnodes import Value, YamlProblem, clean_text, read_mapping
from wsdgen.schema import COLLECTIONS, field_names

if TYPE_CHECKING:
    from wsdgen.check.ownership import Redactie

# config.yaml is a page of settings; a bigger file is a mistake.
MAX_CONFIG_BYTES = 1024 * 1024
CONFIG_FILE = "config.yaml"
KNOWN_KEYS = (
    "title",
    "description",
    "base_url",
    "language",
    "output",
    "extra_fields",
    "menu",
    "security_contact",
    "beheer",
    "site_scripts",
    "redactie",
    "tijdslimiet",
)
PROTECTED_DIRS = ("content", "templates", "assets")


@functools.lru_cache(maxsize=16)
def base_path_of(base_url: str) -> str:
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


@dataclass(frozen=True, slots=True)
class MenuItem:
    title: str
    path: str


FORGES = ("github", "gitlab")
BEHEER_KEYS = ("forge", "repository", "branch", "app_id", "auth_url", "gitlab_url")
REPOSITORY_FORM = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$")
BRANCH_FORM = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_./-]{0,99}$")
APP_ID_FORM = re.compile(r"^[A-Za-z0-9_-]{1,128}$")


@dataclass(frozen=True, slots=True)
class BeheerConfig:
    """The `beheer:` section: where the editing screen at /beheer/ commits to.

    Nothing here is secret: a GitLab application id for PKCE sign-in is public, and a
    GitHub sign-in helper is only an address.
    """

    forge: str
    repository: str
    branch: str = "main"
    app_id: str | None = None  # GitLab: id of the OAuth application (PKCE, no secret)
    auth_url: str | None = None  # GitHub: address of the OAuth sign-in helper
    gitlab_url: str = "https://gitlab.com"  # GitLab: a self-hosted GitLab's address


@dataclass(frozen=True, slots=True)
class SiteConfig:
    # Not in its repr: a template may show '{{ config }}', and the folders of the CI
    # job are not the page's data (render/sandbox.py refuses them as attributes too).
    site_dir: Path = field(repr=False)
    title: str
    base_url: str
    output_dir: Path = field(repr=False)
    description: str = ""
    language: str = "nl"
    extra_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    menu: tuple[MenuItem, ...] = ()
    security_contact: str | None = None
    beheer: BeheerConfig | None = None
    # Who edits for which werkplaats (check/ownership.py); None: no ownership check.
    redactie: Redactie | None = None
    # Site JavaScript under assets/ that the central editors reviewed (media/assets.py).
    site_scripts: tuple[str, ...] = ()
    # Seconds of Markdown, image and PDF work one build may spend (budget.py).
    work_seconds: float = DEFAULT_WORK_SECONDS
    # `serve`: /beheer/ works against the local folder, with or without `beheer:`.
    local_beheer: bool = False
    digest: str = ""  # hash of config.yaml as read, so `serve` can tell it changed

    @property
    def base_path(self) -> str:
        """The path part of base_url, always ending in '/': '/' or '/wsd/'."""
        return base_path_of(self.base_url)

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}" if parts.scheme else ""

    def url(self, site_path: str) -> str:
        """A link for use in pages: the base path plus a site path ('/x/' -> '/wsd/x/')."""
        return self.base_path + site_path.lstrip("/")

    def absolute_url(self, site_path: str) -> str:
        return self.origin + self.url(site_path)


@dataclass(frozen=True, slots=True)
class Overrides:
    """Settings given on the command line, which win over config.yaml."""

    output: str | None = None
    base_url: str | None = None
    local_beheer: bool = False


def no_site_here(site_dir: Path) -> str | None:
    """Why there is no site to work on in this folder (Dutch, for `new` and `serve`), or
    None: a command that writes or serves needs the site's config.yaml."""
    if (site_dir / "config.yaml").is_file():
        return None
    return (
        f"in de map {site_dir.absolute()} staat geen site (er is geen config.yaml); ga naar "
        "de map van de site of geef die aan met --site MAP"
    )


def load_config(
    site_dir: Path, overrides: Overrides | None = None
) -> tuple[SiteConfig | None, list[Diagnostic]]:
    """Read and check config.yaml; return the config, or None with the problems (exit 2)."""
    overrides = overrides or Overrides()
    site_dir = Path(os.path.abspath(site_dir))
    if not site_dir.is_dir():
        return None, [diag.error(str(site_dir), 1, "de map van de site (--site) bestaat niet")]
    text, problem = _read_text(site_dir, site_dir / CONFIG_FILE)
    if problem:
        return None, [diag.error(CONFIG_FILE, 1, problem)]
    try:
        mapping = read_mapping(text or "")
    except YamlProblem as exc:
        return None, [diag.error(CONFIG_FILE, exc.line, exc.message)]
    problems = [
        diag.error(CONFIG_FILE, line, f"het veld '{key}' staat er twee keer in")
        for key, line in mapping.duplicates
    ]
    values, lines = mapping.values, mapping.lines
    for key in values:
        if key not in KNOWN_KEYS:
            problems.append(
                diag.error(
                    CONFIG_FILE,
                    lines[key],
                    f"onbekende instelling '{key}'; toegestaan zijn: {', '.join(KNOWN_KEYS)}",
                )
            )

    def text_setting(key: str, default: str = "", required: bool = False) -> str:
        value = values.get(key)
        if value is None:
            if required:
                problems.append(diag.error(CONFIG_FILE, 1, f"de instelling '{key}' ontbreekt"))
            return default
        if not isinstance(value, str) or not value.strip():
            problems.append(
                diag.error(CONFIG_FILE, lines.get(key, 1), f"'{key}' moet een tekst zijn")
            )
            return default
        return WHITESPACE_RUN.sub(" ", value).strip()

    title = text_setting("title", required=True)
    description = text_setting("description")
    language = text_setting("language", "nl")
    if language != "nl":
        problems.append(
            diag.error(CONFIG_FILE, lines.get("language", 1), "'language' kan alleen 'nl' zijn")
        )
    base_url = overrides.base_url or text_setting("base_url", "/")
    base_problem = _check_base_url(base_url)
    if base_problem:
        where = 1 if overrides.base_url else lines.get("base_url", 1)
        source = "--base-url" if overrides.base_url else "base_url"
        problems.append(diag.error(CONFIG_FILE, where, f"{source}: {base_problem}"))
    # `output:` comes from the site's files, which pull requests change: it must stay
    # inside the site folder. Only --out (typed by whoever runs the build) may point
    # elsewhere. The setting is checked even when --out wins, so `check` in CI sees it.
    configured = text_setting("output", "public")
    configured_dir = Path(os.path.abspath(site_dir / configured))
    output_problem = check_configured_output(site_dir, configured) or (
        None if overrides.output else check_output_dir(site_dir, configured_dir)
    )
    if output_problem:
        problems.append(diag.error(CONFIG_FILE, lines.get("output", 1), output_problem))
    output_dir = configured_dir
    if overrides.output:
        output_dir = Path(os.path.abspath(site_dir / overrides.output))
        override_problem = check_output_dir(site_dir, output_dir)
        if override_problem:
            problems.append(diag.error(CONFIG_FILE, 1, f"--out: {override_problem}"))
    extra_fields = _extra_fields(values.get("extra_fields"), lines.get("extra_fields", 1), problems)
    menu = _menu(values.get("menu"), lines.get("menu", 1), problems)
    security_contact = values.get("security_contact")
    contact_problem = security_contact_problem(security_contact)
    if contact_problem:
        problems.append(diag.error(CONFIG_FILE, lines["security_contact"], contact_problem))
        security_contact = None
    contact = security_contact.strip() if isinstance(security_contact, str) else None
    beheer = _beheer(values.get("beheer"), lines.get("beheer", 1), problems)
    redactie = None
    if "redactie" in values:
        from wsdgen.check.ownership import read_redactie

        redactie, redactie_problems = read_redactie(text or "", site_dir)
        problems += redactie_problems
    site_scripts = site_scripts_setting(
        values.get("site_scripts"), lines.get("site_scripts", 1), problems
    )
    work_seconds = work_seconds_setting(
        values.get("tijdslimiet"), lines.get("tijdslimiet", 1), problems
    )
    if problems:
        return None, problems
    return (
        SiteConfig(
            site_dir=site_dir,
            title=title,
            base_url=base_url,
            output_dir=output_dir,
            description=description,
            language=language,
            extra_fields=extra_fields,
            menu=menu,
            security_contact=contact,
            beheer=beheer,
            redactie=redactie,
            site_scripts=site_scripts,
            work_seconds=work_seconds,
            local_beheer=overrides.local_beheer,
            digest=hashlib.sha256((text or "").encode()).hexdigest(),
        ),
        [],
    )


# What `tijdslimiet` may be: at least a minute, at most CI's 90 minutes.
WORK_SECONDS_RANGE = (60, 5400)


def work_seconds_setting(value: Value, line: int, problems: list[Diagnostic]) -> float:
    """`tijdslimiet`: the seconds of Markdown, image and PDF work one build may spend."""
    if value is None:
        return DEFAULT_WORK_SECONDS
    low, high = WORK_SECONDS_RANGE
    text = value.strip() if isinstance(value, str) else ""
    if not text.isdigit() or not low <= int(text) <= high:
        problems.append(
            diag.error(
                CONFIG_FILE,
                line,
                f"'tijdslimiet' moet een aantal seconden zijn van {low} tot en met {high}, "
                "bijvoorbeeld tijdslimiet: 600",
            )
        )
        return DEFAULT_WORK_SECONDS
    return float(text)


def security_contact_problem(value: Value) -> str | None:
    """The contact of security.txt must be one mailto: or https: address (Dutch), or None."""
    if value is None:
        return None
    example = "bijvoorbeeld mailto:security@example.nl of https://example.nl/melden"
    if not isinstance(value, str) or not value.strip():
        return f"'security_contact' moet één adres zijn, {example}"
    text = value.strip()
    forbidden = URL_FORBIDDEN.search(text)
    if forbidden:
        return (
            f"security_contact: '{text[:60]}' bevat {character_name(forbidden[0])}; "
            f"schrijf één adres, {example}"
        )
    if text.startswith("mailto:"):
        if EMAIL_FORM.match(text[len("mailto:") :]):
            return None
        return f"security_contact: '{text[:60]}' is geen e-mailadres na mailto:; {example}"
    if not text.startswith("https://"):
        return f"'security_contact' moet beginnen met mailto: of https://, {example}"
    problem = url_problem(text)
    return f"security_contact: {problem}" if problem else None


def config_warnings(config: SiteConfig) -> list[Diagnostic]:
    """Settings that are allowed to be missing, but should not be."""
    if config.security_contact:
        return []
    return [
        diag.warning(
            CONFIG_FILE,
            1,
            "'security_contact' ontbreekt, dus er komt geen /.well-known/security.txt; "
            "zet hier een adres voor meldingen over beveiliging, zoals mailto:security@example.nl",
        )
    ]


def _read_text(site_dir: Path, path: Path) -> tuple[str | None, str | None]:
    """config.yaml under the file rule (safefs): a symlink to a secret is refused."""
    if not os.path.lexists(path):
        return None, "config.yaml ontbreekt in de map van de site"
    try:
        data = safefs.read_bytes(site_dir, path, MAX_CONFIG_BYTES)
    except safefs.ReadRefused as exc:
        return None, exc.reason
    except OSError as exc:
        return None, f"config.yaml kan niet gelezen worden ({exc.strerror})"
    try:
        return clean_text(data.decode("utf-8-sig")), None
    except UnicodeDecodeError:
        return None, "config.yaml is geen UTF-8-tekst; sla het bestand op als UTF-8"


def _check_base_url(base_url: str) -> str | None:
    """base_url goes into every link, feed and `_redirects` line: one clean address."""
    shown = base_url if len(base_url) <= 60 else base_url[:60] + "…"
    example = "gebruik bijvoorbeeld https://example.org/ of /"
    forbidden = URL_FORBIDDEN.search(base_url)
    if forbidden:
        return f"'{shown}' bevat {character_name(forbidden[0])}; {example}"
    if base_url.startswith("/") and not base_url.startswith("//"):
        parts = urlsplit(base_url)
        if parts.query or parts.fragment or "?" in base_url or "#" in base_url:
            return f"'{shown}' mag geen ? of # bevatten; {example}"
        return None
    problem = url_problem(base_url)
    if problem:
        return f"{problem}; {example}"
    parts = urlsplit(base_url)
    if parts.query or parts.fragment or "?" in base_url or "#" in base_url:
        return f"'{shown}' mag geen ? of # bevatten; {example}"
    return None


def check_configured_output(site_dir: Path, setting: str) -> str | None:
    """`output:` of config.yaml must resolve (symlinks and '..' followed) inside the site
    folder and outside hidden folders such as .git, as written and as resolved."""
    written = Path(os.path.abspath(site_dir / setting))
    site, out = Path(os.path.realpath(site_dir)), Path(os.path.realpath(written))
    if out == site:
        return check_output_dir(site_dir, written)
    shown = setting if len(setting) <= 80 else setting[:80] + "…"
    inside = written.is_relative_to(os.path.abspath(site_dir))
    hint = "kies een map in de site, zoals 'public' (alleen --out mag ergens anders heen)"
    if not out.is_relative_to(site):
        how = " (via een snelkoppeling)" if inside else ""
        return f"output: '{shown}' ligt buiten de map van de site{how}; {hint}"
    lexical = written.relative_to(os.path.abspath(site_dir)).parts if inside else ()
    if any(part.startswith(".") for part in out.relative_to(site).parts + lexical):
        return f"output: '{shown}' ligt in een verborgen map (zoals .git) of wijst daarheen; {hint}"
    return None


def check_output_dir(site_dir: Path, output_dir: Path) -> str | None:
    """Refuse an output folder that is, holds, or lies in the site's own sources."""
    out = Path(os.path.realpath(output_dir))
    site = Path(os.path.realpath(site_dir))
    protected = [site] + [Path(os.path.realpath(site / name)) for name in PROTECTED_DIRS]
    for folder in protected:
        if out == folder or folder.is_relative_to(out):
            return (
                f"de uitvoermap '{output_dir}' mag niet de map van de site zelf zijn of "
                f"content/, templates/ of assets/ bevatten; kies bijvoorbeeld 'public'"
            )
    for folder in protected[1:]:
        if out.is_relative_to(folder):
            return f"de uitvoermap '{output_dir}' mag niet in {folder.name}/ liggen"
    return None


def _extra_fields(
    value: Value, line: int, problems: list[Diagnostic]
) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(
            diag.error(
                CONFIG_FILE, line, "'extra_fields' moet per collectie een lijst velden geven"
            )
        )
        return {}
    result: dict[str, tuple[str, ...]] = {}
    for collection, names in value.items():
        if collection not in COLLECTIONS:
            problems.append(
                diag.error(
                    CONFIG_FILE,
                    line,
                    f"extra_fields: onbekende collectie '{collection}'; "
                    f"kies uit {', '.join(COLLECTIONS)}",
                )
            )
            continue
        items = [names] if isinstance(names, str) else names
        if not isinstance(items, list) or not all(isinstance(n, str) and n for n in items):
            problems.append(
                diag.error(
                    CONFIG_FILE, line, f"extra_fields.{collection} moet een lijst namen zijn"
                )
            )
            continue
        clashes = [n for n in items if isinstance(n, str) and n in field_names(collection)]
        if clashes:
            problems.append(
                diag.error(
                    CONFIG_FILE,
                    line,
                    f"extra_fields.{collection}: '{clashes[0]}' is al een gewoon veld",
                )
            )
        result[collection] = tuple(str(n) for n in items)
    return result


def _menu(value: Value, line: int, problems: list[Diagnostic]) -> tuple[MenuItem, ...]:
    if value is None:
        return ()
    message = "'menu' moet een lijst zijn van items met 'title' en 'path' (zoals /themas/)"
    if not isinstance(value, list):
        problems.append(diag.error(CONFIG_FILE, line, message))
        return ()
    items: list[MenuItem] = []
    for item in value:
        if (
            not isinstance(item, dict)
            or set(item) != {"title", "path"}
            or not isinstance(item["title"], str)
            or not WHITESPACE_RUN.sub("", item["title"])
            or not isinstance(item["path"], str)
            or not item["path"].startswith("/")
            or item["path"].startswith("//")
            or URL_FORBIDDEN.search(item["path"])
        ):
            problems.append(diag.error(CONFIG_FILE, line, message))
            return ()
        title = WHITESPACE_RUN.sub(" ", item["title"]).strip()
        items.append(MenuItem(title, str(item["path"])))
    return tuple(items)


SITE_SCRIPT_SEGMENT = r"[A-Za-z0-9_-][A-Za-z0-9_.-]*"
SITE_SCRIPT_FORM = re.compile(rf"^{SITE_SCRIPT_SEGMENT}(/{SITE_SCRIPT_SEGMENT})*\.js$")


def site_scripts_setting(value: Value, line: int, problems: list[Diagnostic]) -> tuple[str, ...]:
    """`site_scripts`: the site's own JavaScript files, as paths below assets/ (such as
    js/eigen.js). They run on the site's origin, next to /beheer/, so a site script is
    code that the central editors review; every other .js under assets/ is an error."""
    if value is None:
        return ()
    example = "bijvoorbeeld site_scripts: [js/eigen.js] (een pad onder assets/)"
    # One path alone is taken as a list of one, as in the content files.
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else None
    if items is None or not all(isinstance(item, str) for item in items):
        problems.append(
            diag.error(CONFIG_FILE, line, f"'site_scripts' moet een lijst paden zijn, {example}")
        )
        return ()
    scripts: list[str] = []
    for item in items:
        path = str(item).strip().removeprefix("assets/")
        if not SITE_SCRIPT_FORM.match(path) or ".." in path.split("/"):
            problems.append(
                diag.error(
                    CONFIG_FILE,
                    line,
                    f"site_scripts: '{str(item)[:60]}' is geen pad naar een .js-bestand onder "
                    f"assets/; {example}",
                )
            )
        elif path not in scripts:
            scripts.append(path)
    return tuple(scripts)


def _beheer(value: Value, line: int, problems: list[Diagnostic]) -> BeheerConfig | None:
    """Read the `beheer:` section (forge, repository, branch and the sign-in settings)."""
    if value is None:
        return None
    example = "bijvoorbeeld forge: gitlab, repository: werkplaatsen/website, branch: main"
    if not isinstance(value, dict):
        problems.append(diag.error(CONFIG_FILE, line, f"'beheer' moet velden hebben, {example}"))
        return None
    found_before = len(problems)

    def fail(message: str) -> None:
        problems.append(diag.error(CONFIG_FILE, line, f"beheer: {message}"))

    for key in value:
        if key not in BEHEER_KEYS:
            fail(f"onbekende instelling '{key}'; toegestaan zijn: {', '.join(BEHEER_KEYS)}")
    texts: dict[str, str] = {}
    for key in BEHEER_KEYS:
        item = value.get(key)
        if item is None:
            continue
        if not isinstance(item, str) or not item.strip():
            fail(f"'{key}' moet een tekst zijn")
        else:
            texts[key] = item.strip()
    forge = texts.get("forge")
    if forge not in FORGES:
        fail(f"'forge' moet github of gitlab zijn, {example}")
    repository = texts.get("repository", "")
    if not REPOSITORY_FORM.match(repository):
        fail(f"'repository' moet eigenaar/naam van de repository zijn, {example}")
    branch = texts.get("branch", "main")
    if not BRANCH_FORM.match(branch) or ".." in branch:
        fail("'branch' moet de naam van een branch zijn, bijvoorbeeld main")
    app_id = texts.get("app_id")
    if forge == "gitlab" and app_id is None:
        fail(
            "'app_id' ontbreekt: maak in GitLab een applicatie aan (zie docs/hosting.md) "
            "en zet hier haar Application ID"
        )
    if app_id is not None and not APP_ID_FORM.match(app_id):
        fail("'app_id' mag alleen letters, cijfers, - en _ bevatten")
    for key in ("auth_url", "gitlab_url"):
        address = texts.get(key)
        if address is not None:
            problem = url_problem(address) if address.startswith("https://") else None
            if problem or not address.startswith("https://") or URL_FORBIDDEN.search(address):
                fail(f"'{key}' moet een webadres zijn dat begint met https://")
    if len(problems) > found_before or forge is None:
        return None
    return BeheerConfig(
        forge=forge,
        repository=repository,
        branch=branch,
        app_id=app_id,
        auth_url=texts.get("auth_url", "").rstrip("/") or None,
        gitlab_url=texts.get("gitlab_url", "https://gitlab.com").rstrip("/"),
    )
