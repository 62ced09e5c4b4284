"""Who may change which file: the `redactie:` section, CODEOWNERS and the PR check.

`config.yaml` names, per werkplaats, the forge accounts (or groups) that edit for it,
and the central editors (``centraal``), who may change everything. From that:

- ``codeowners_text`` writes a CODEOWNERS file in the syntax both GitHub and GitLab
  read (path patterns and @handles only; the last matching pattern wins on both). An
  entry's werkplaats is a field in a file in a shared folder, so CODEOWNERS lists each
  existing entry file by name; a new file falls under its folder's rule (any editor may
  approve it) until `wsdgen eigenaren` is run again. ``codeowners_problems`` warns in
  `check` when a committed CODEOWNERS names a wrong owner.
- ``change_problems`` is the check for a pull or merge request that does not depend on
  the forge enforcing CODEOWNERS: it compares the working tree with a git ref and
  refuses every change to a file of a werkplaats the author does not edit for, and to
  any site-wide file unless the author is a central editor. Entries are read with the
  pipeline's own reader (load/sources.py), so the werkplaats the check sees is the one the
  build publishes.

Who owns what (the same table for CODEOWNERS and the check):

- ``content/werkplaatsen/<slug>.*``: that werkplaats (a new werkplaats: central);
- a kenniscafé, publicatie or nieuwsbericht: the werkplaats in its ``werkplaats``
  field, before and after the change (moving an entry needs both); no werkplaats, or
  one that cannot be read: central;
- the upload folders (``assets/downloads/`` and the like): any editor may add a file;
  changing or deleting one that is there is central;
- everything else (config.yaml, templates/, assets/, themes, regions, pages, CODEOWNERS,
  CI files, wsdgen itself): central.

Group membership cannot be resolved offline: the check compares the author's account
with the handles as written, so a group handle counts for CODEOWNERS only.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from wsdgen import diagnostics as diag
from wsdgen.check.validate import as_text
from wsdgen.diagnostics import Diagnostic
from wsdgen.load.sources import is_ignored, parse_entry_bytes, read_entry_file_safely
from wsdgen.load.yamlnodes import LOADER, clean_text
from wsdgen.records import RawEntry
from wsdgen.schema import COLLECTION_LABELS, ENTRY_SUFFIXES, MAX_FILE_BYTES

if TYPE_CHECKING:
    from wsdgen.load.config import SiteConfig

# Reports one problem of the `redactie:` section: (line, message).
Fail = Callable[[int, str], None]

CONFIG_FILE = "config.yaml"
CODEOWNERS = "CODEOWNERS"
REDACTIE_KEYS = ("centraal", "werkplaatsen")
# A forge handle: @user, @group, @org/team or @group/sub/group (GitHub and GitLab).
HANDLE_SEGMENT = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,98}[A-Za-z0-9_])?"
HANDLE_FORM = re.compile(rf"@{HANDLE_SEGMENT}(?:/{HANDLE_SEGMENT}){{0,20}}")
MAX_HANDLE = 255
HANDLE_EXAMPLE = 'schrijf bijvoorbeeld "@jan" of "@wsd/kernteam" (met aanhalingstekens)'
# Collections whose entries name their werkplaats in the field `werkplaats`.
OWNED_COLLECTIONS = ("kenniscafes", "publicaties", "nieuws")
# "dit kenniscafé", "deze publicatie": the Dutch article of each owned collection.
ARTICLES = {"kenniscafes": "dit", "publicaties": "deze", "nieuws": "dit"}
# Where editors upload files (/beheer/ and the editors' guide): adding is for anyone.
UPLOAD_FOLDERS = ("assets/downloads", "assets/afbeeldingen", "assets/publicaties")
# Files and folders of the repository that steer the build, the review or CI.
CENTRAL_PATHS = ("/CODEOWNERS", "/.github/", "/.gitlab/", "/.gitlab-ci.yml")
# A path CODEOWNERS can name in both syntaxes without escapes (no spaces, #, *, [ ]).
SAFE_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
# GitHub ignores a CODEOWNERS file larger than 3 MB.
MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024
GIT_TIMEOUT = 120


# --- The `redactie:` section. ---


@dataclass(frozen=True, slots=True)
class Redactie:
    """The `redactie:` section: the central editors and each werkplaats's editors."""

    centraal: tuple[str, ...]
    werkplaatsen: dict[str, tuple[str, ...]]

    def editors_of(self, werkplaats: str) -> tuple[str, ...]:
        return self.werkplaatsen.get(werkplaats, ())

    def is_central(self, account: str) -> bool:
        return same_account(account, self.centraal)

    def may_edit(self, account: str, werkplaats: str | None) -> bool:
        """Whether an account may change a file of this werkplaats (None: site-wide)."""
        if self.is_central(account):
            return True
        return werkplaats is not None and same_account(account, self.editors_of(werkplaats))

    def is_editor(self, account: str) -> bool:
        return self.is_central(account) or any(
            same_account(account, handles) for handles in self.werkplaatsen.values()
        )

    def everyone(self) -> tuple[str, ...]:
        """Every handle named, each once: the central editors first."""
        return unique((*self.centraal, *(h for hs in self.werkplaatsen.values() for h in hs)))


def same_account(account: str, handles: Iterable[str]) -> bool:
    """GitHub and GitLab account names are case-insensitive."""
    wanted = account.casefold()
    return any(handle.casefold() == wanted for handle in handles)


def unique(handles: Iterable[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    result: list[str] = []
    for handle in handles:
        if handle.casefold() not in seen:
            seen.add(handle.casefold())
            result.append(handle)
    return tuple(result)


def handle_problem(text: str) -> str | None:
    """Why a text is no forge handle such as @jan or @wsd/kernteam (Dutch), or None."""
    shown = text if len(text) <= 60 else text[:60] + "…"
    if text.startswith("@@"):
        return f"'{shown}': rollen (@@) kent alleen GitLab; noem de accounts of groepen zelf"
    if not text.startswith("@"):
        return f"'{shown}' moet beginnen met @; {HANDLE_EXAMPLE}"
    if len(text) > MAX_HANDLE or not HANDLE_FORM.fullmatch(text):
        return (
            f"'{shown}' is geen account of groep op GitHub of GitLab (alleen letters, "
            f"cijfers, -, _ en . en een / tussen groep en subgroep); {HANDLE_EXAMPLE}"
        )
    return None


def werkplaats_slugs(site_dir: Path) -> set[str]:
    """The werkplaatsen of the site: the names of the files in content/werkplaatsen/."""
    folder = site_dir / "content" / "werkplaatsen"
    try:
        with os.scandir(folder) as listing:
            names = [item.name for item in listing]
    except OSError:
        return set()
    return {
        name[: -len(suffix)]
        for name in names
        if not is_ignored(name)
        for suffix in ENTRY_SUFFIXES
        if name.endswith(suffix)
    }


def read_redactie(text: str, site_dir: Path) -> tuple[Redactie | None, list[Diagnostic]]:
    """Read the `redactie:` section of config.yaml with the line of every problem.

    ``text`` is config.yaml as read_mapping already accepted it, so it composes, and
    holds no aliases; it is composed again here for the lines inside the section.
    """
    root = yaml.compose(text, Loader=LOADER)
    section = None
    if isinstance(root, MappingNode):
        section = next((value for key, value in root.value if scalar(key) == "redactie"), None)
    problems: list[Diagnostic] = []
    if section is None:
        return None, problems
    line = line_of(section)
    example = (
        'bijvoorbeeld redactie: {centraal: ["@wsd/kernteam"], werkplaatsen: '
        '{rotterdam: ["@jan"]}} (zie docs/hosting.md)'
    )
    if not isinstance(section, MappingNode):
        problems.append(
            diag.error(
                CONFIG_FILE, line, f"'redactie' moet 'centraal' en 'werkplaatsen' hebben, {example}"
            )
        )
        return None, problems

    def fail(where: int, message: str) -> None:
        problems.append(diag.error(CONFIG_FILE, where, f"redactie: {message}"))

    fields: dict[str, Node] = {}
    for key, value in section.value:
        name = scalar(key)
        if name not in REDACTIE_KEYS:
            fail(
                line_of(key),
                f"onbekende instelling '{name}'; toegestaan zijn: centraal, werkplaatsen",
            )
        elif name in fields:
            fail(line_of(key), f"'{name}' staat er twee keer in")
        else:
            fields[name] = value
    central = handles_of(fields.get("centraal"), "centraal", fail)
    if "centraal" not in fields:
        fail(line, "'centraal' ontbreekt: noem de accounts of groepen van de centrale redactie")
    elif not central and len(problems) == 0:
        fail(line_of(fields["centraal"]), "noem bij 'centraal' minstens één account")
    werkplaatsen: dict[str, tuple[str, ...]] = {}
    group = fields.get("werkplaatsen")
    if group is not None and not (isinstance(group, ScalarNode) and group.tag.endswith(":null")):
        if not isinstance(group, MappingNode):
            fail(
                line_of(group),
                f"'werkplaatsen' moet per werkplaats een lijst accounts geven, {example}",
            )
        else:
            known = werkplaats_slugs(site_dir)
            for key, value in group.value:
                slug = scalar(key) or ""
                where = line_of(key)
                if slug in werkplaatsen:
                    fail(where, f"werkplaats '{slug}' staat er twee keer in")
                    continue
                if slug not in known:
                    fail(
                        where,
                        f"er is geen werkplaats '{slug}' (geen bestand "
                        f"content/werkplaatsen/{slug}.md){slug_hint(slug, known)}",
                    )
                    continue
                names = handles_of(value, f"werkplaatsen.{slug}", fail)
                if not names:
                    fail(
                        where,
                        f"noem bij '{slug}' minstens één account, of laat de werkplaats weg "
                        "(dan wijzigt alleen de centrale redactie haar bestanden)",
                    )
                werkplaatsen[slug] = names
    if problems:
        return None, problems
    return Redactie(centraal=central, werkplaatsen=werkplaatsen), []


def slug_hint(slug: str, known: set[str]) -> str:
    close = difflib.get_close_matches(slug, sorted(known), n=1, cutoff=0.6)
    if close:
        return f"; bedoel je '{close[0]}'?"
    if 0 < len(known) <= 20:
        return f"; kies uit: {', '.join(sorted(known))}"
    return ""


def scalar(node: Node) -> str | None:
    if isinstance(node, ScalarNode) and not node.tag.endswith(":null"):
        return clean_text(str(node.value))
    return None


def line_of(node: Node) -> int:
    return int(node.start_mark.line) + 1


def handles_of(node: Node | None, name: str, fail: Fail) -> tuple[str, ...]:
    """A list of handles (one handle alone counts as a list of one)."""
    if node is None:
        return ()
    items = node.value if isinstance(node, SequenceNode) else [node]
    found: list[str] = []
    for item in items:
        text = scalar(item) if isinstance(item, ScalarNode) else None
        if text is None:
            fail(line_of(item), f"'{name}' moet een lijst accounts zijn; {HANDLE_EXAMPLE}")
            continue
        problem = handle_problem(text.strip())
        if problem:
            fail(line_of(item), f"{name}: {problem}")
            continue
        found.append(text.strip())
    return unique(found)


# --- Who owns a file. ---


@dataclass(frozen=True, slots=True)
class Claim:
    """Who may make one change to one file, and how to say so (Dutch)."""

    what: str  # "dit kenniscafé hoort bij werkplaats 'rotterdam'"
    werkplaats: str | None = None  # whose editors may (None: the central editors only)
    anyone: bool = False  # any editor may (a new file in an upload folder)
    line: int = 1
    field: str | None = None


def in_folder(path: str, folder: str) -> bool:
    return path.startswith(folder + "/")


def entry_parts(site_path: str) -> tuple[str, str] | None:
    """(collection, file name) for a file directly in content/<collection>/."""
    parts = site_path.split("/")
    if len(parts) != 3 or parts[0] != "content":
        return None
    return parts[1], parts[2]


def is_entry_name(name: str) -> bool:
    return not is_ignored(name) and any(name.endswith(suffix) for suffix in ENTRY_SUFFIXES)


def entry_slug(name: str) -> str:
    return os.path.splitext(name)[0]


def werkplaats_claim(raw: RawEntry | None, collection: str, when: str) -> Claim:
    """The claim of one version of a kenniscafé, publicatie or nieuwsbericht: ``when``
    is "new" (the working tree), "old" (at the ref) or "deleted" (at the ref, gone now)."""
    label = COLLECTION_LABELS[collection]
    article = ARTICLES.get(collection, "dit")
    subject = f"{article} verwijderde {label}" if when == "deleted" else f"{article} {label}"
    verb = {"new": "hoort", "old": "hoorde vóór deze wijziging", "deleted": "hoorde"}[when]
    if raw is None:
        return Claim(
            f"de werkplaats van {subject} is niet te lezen (zie de fout over dit bestand); "
            "zolang dat zo is, geldt het voor de hele site"
        )
    value = raw.values.get("werkplaats")
    line = raw.lines.get("werkplaats", 1) if when == "new" else 1
    if value is None:
        return Claim(
            f"{subject} {verb} bij geen werkplaats (er is geen veld 'werkplaats'), dus bij "
            "de hele site",
            line=line,
        )
    slug = as_text(value) if isinstance(value, str) else ""
    if not slug:
        return Claim(
            f"het veld 'werkplaats' van {subject} is geen naam van een werkplaats, dus het "
            "geldt voor de hele site",
            line=line,
            field="werkplaats",
        )
    return Claim(f"{subject} {verb} bij werkplaats '{slug}'", slug, line=line, field="werkplaats")


def werkplaats_of(raw: RawEntry | None) -> str | None:
    """The werkplaats an entry version names, or None (unreadable or none: central)."""
    value = raw.values.get("werkplaats") if raw is not None else None
    slug = as_text(value) if isinstance(value, str) else ""
    return slug or None


def site_claim(site_path: str | None) -> Claim:
    if site_path is None:
        return Claim(
            "dit bestand hoort bij wsdgen of bij de inrichting van de repository, niet bij "
            "één werkplaats"
        )
    return Claim(
        "dit bestand geldt voor de hele site (instellingen, opmaak, thema's, regio's, "
        "pagina's of CODEOWNERS)"
    )


# --- CODEOWNERS. ---


@dataclass(frozen=True, slots=True)
class Place:
    """Where the site lies in its repository: CODEOWNERS paths start at the root."""

    root: Path  # the repository's top folder (the site folder outside git)
    prefix: str  # the site folder relative to root, "" or "site/"

    @property
    def codeowners(self) -> Path:
        return self.root / CODEOWNERS

    def shown(self, site_dir: Path, path: Path) -> str:
        """A path as messages name files: relative to the site folder."""
        return Path(os.path.relpath(path, os.path.realpath(site_dir))).as_posix()


def place_of(site_dir: Path, required: bool = False) -> Place:
    """The repository that holds the site; outside git the site folder itself, or with
    ``required`` a GitProblem."""
    try:
        top = git(site_dir, "rev-parse", "--show-toplevel").decode("utf-8", "surrogateescape")
    except GitProblem as exc:
        if required:
            raise GitProblem(
                "--sinds: de map van de site ligt niet in een git-repository, of git kan "
                f"die niet lezen ({exc.message})"
            ) from None
        return Place(Path(os.path.realpath(site_dir)), "")
    root = Path(os.path.realpath(top.strip()))
    inner = Path(os.path.relpath(os.path.realpath(site_dir), root)).as_posix()
    return Place(root, "" if inner == "." else inner + "/")


def codeowners_rules(
    config: SiteConfig, redactie: Redactie, place: Place
) -> list[tuple[str, tuple[str, ...]]]:
    """Every CODEOWNERS rule, in order (the last matching rule wins on both forges)."""
    site, central = place.prefix, redactie.centraal
    everyone = redactie.everyone()
    rules: list[tuple[str, tuple[str, ...]]] = [("*", central)]
    rules += [(f"/{site}{name}/", central) for name in ("templates", "assets", "content")]
    # New files: any editor may approve; the PR check makes sure the werkplaats is theirs.
    rules += [(f"/{site}{folder}/", everyone) for folder in UPLOAD_FOLDERS]
    rules += [(f"/{site}content/{name}/", everyone) for name in OWNED_COLLECTIONS]
    for collection in ("werkplaatsen", *OWNED_COLLECTIONS):
        for name in folder_names(config.site_dir / "content" / collection):
            if collection == "werkplaatsen":
                owner = entry_slug(name) if is_entry_name(name) else None
            elif is_entry_name(name):
                raw, _ = read_entry_file_safely(
                    config.site_dir, collection, config.site_dir / "content" / collection / name
                )
                owner = werkplaats_of(raw)
            else:
                owner = None
            handles = unique((*redactie.editors_of(owner), *central)) if owner else central
            rules.append((f"/{site}content/{collection}/{name}", handles))
    rules.append((f"/{site}{CONFIG_FILE}", central))
    rules += [(path, central) for path in CENTRAL_PATHS]
    return rules


def folder_names(folder: Path) -> list[str]:
    """The file names in a folder that CODEOWNERS can name as they are, sorted."""
    try:
        with os.scandir(folder) as listing:
            names = [item.name for item in listing if item.is_file() or item.is_symlink()]
    except OSError:
        return []
    return sorted(name for name in names if SAFE_PART.fullmatch(name))


HEADER = """\
# CODEOWNERS van de site, gemaakt door `wsdgen eigenaren` uit 'redactie:' in config.yaml.
# Niet met de hand wijzigen: pas config.yaml aan en draai `wsdgen eigenaren` opnieuw.
# Werkt op GitHub en GitLab: de laatste regel die bij een bestand past, telt.
# Bestaande kenniscafés, publicaties en nieuwsberichten staan hier elk apart, bij de
# redactie van hun werkplaats; een nieuw bestand valt onder de regel van zijn map.
"""


def codeowners_text(config: SiteConfig, place: Place | None = None) -> str:
    """The CODEOWNERS file for the site's `redactie:` section."""
    assert config.redactie is not None
    place = place or place_of(config.site_dir)
    lines = [HEADER]
    for pattern, handles in codeowners_rules(config, config.redactie, place):
        lines.append(f"{pattern} {' '.join(handles)}\n")
    return "".join(lines)


def place_problem(place: Place) -> str | None:
    parts = [part for part in place.prefix.split("/") if part]
    if all(SAFE_PART.fullmatch(part) for part in parts):
        return None
    return (
        f"de map van de site ('{place.prefix}') heeft een naam met spaties of bijzondere "
        "tekens, die CODEOWNERS niet kan aanwijzen; geef de map een naam met letters, "
        "cijfers en streepjes"
    )


def read_codeowners(path: Path) -> str | None:
    """The committed CODEOWNERS (None when missing, a symlink or unreadable)."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        with path.open("rb") as handle:
            data = handle.read(MAX_CODEOWNERS_BYTES + 1)
        return data.decode("utf-8", "replace")
    except OSError:
        return None


def parsed_rules(text: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """(line, pattern, owners) of each rule in a CODEOWNERS text."""
    rules = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if words and not words[0].startswith("#"):
            rules.append((number, words[0], tuple(w.casefold() for w in words[1:])))
    return rules


def codeowners_problems(config: SiteConfig) -> list[Diagnostic]:
    """Warnings for `check`: CODEOWNERS missing, or naming a wrong owner for a file.

    A new entry missing from the list is no warning: its folder's rule lets any editor
    approve it, and the PR check sees to its werkplaats. The central editors bring the
    list up to date with `wsdgen eigenaren` (`--controleer` also reports new files).
    """
    place = place_of(config.site_dir)
    shown = place.shown(config.site_dir, place.codeowners)
    problem = place_problem(place)
    if problem:
        return [diag.warning(CONFIG_FILE, 1, f"redactie: {problem}")]
    committed = read_codeowners(place.codeowners)
    hint = "de centrale redactie maakt het (opnieuw) met `wsdgen eigenaren` (zie docs/hosting.md)"
    if committed is None:
        return [
            diag.warning(
                shown, 1, f"er is nog geen CODEOWNERS bij 'redactie:' in config.yaml; {hint}"
            )
        ]
    problems = []
    for other in (".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"):
        if os.path.lexists(place.root / other):
            problems.append(
                diag.warning(
                    place.shown(config.site_dir, place.root / other),
                    1,
                    f"naast CODEOWNERS staat {other}, en GitHub of GitLab leest misschien dat "
                    "bestand; haal het weg, zodat alleen het bestand van `wsdgen eigenaren` telt",
                )
            )
    assert config.redactie is not None
    generated = {
        (pattern, tuple(h.casefold() for h in handles))
        for pattern, handles in codeowners_rules(config, config.redactie, place)
    }
    wrong = []
    for line, pattern, owners in parsed_rules(committed):
        if (pattern, owners) in generated:
            continue
        gone = pattern.startswith(f"/{place.prefix}content/") and not pattern.endswith("/")
        if gone and not os.path.lexists(place.root / pattern.lstrip("/")):
            continue  # a file that is gone: its line is harmless until the next update
        wrong.append(line)
    if wrong:
        more = f" (en nog {len(wrong) - 1} regels)" if len(wrong) > 1 else ""
        problems.append(
            diag.warning(
                shown,
                wrong[0],
                f"deze regel van CODEOWNERS klopt niet meer met 'redactie:' in config.yaml of "
                f"met de werkplaats van het bestand{more}; {hint}",
            )
        )
    return problems


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    changed: bool
    rules: int


def write_codeowners(config: SiteConfig) -> tuple[Written | None, list[Diagnostic]]:
    """Write (or leave as it is) CODEOWNERS at the repository's root."""
    place = place_of(config.site_dir)
    text, problems = checked_text(config, place)
    if text is None:
        return None, problems
    path = place.codeowners
    rules = len(parsed_rules(text))
    if read_codeowners(path) == text:
        return Written(path, False, rules), []
    if os.path.isdir(path):
        return None, [
            diag.error(place.shown(config.site_dir, path), 1, "CODEOWNERS is een map; haal die weg")
        ]
    temporary = path.with_name(f".{CODEOWNERS}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)  # replaces a symlink itself, never its target
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        return None, [
            diag.error(
                place.shown(config.site_dir, path),
                1,
                f"CODEOWNERS kan niet geschreven worden ({exc.strerror})",
            )
        ]
    return Written(path, True, rules), []


def checked_text(config: SiteConfig, place: Place) -> tuple[str | None, list[Diagnostic]]:
    problem = place_problem(place)
    if problem:
        return None, [diag.error(CONFIG_FILE, 1, f"redactie: {problem}")]
    text = codeowners_text(config, place)
    if len(text.encode()) > MAX_CODEOWNERS_BYTES:
        return None, [
            diag.error(
                CONFIG_FILE,
                1,
                "redactie: CODEOWNERS wordt groter dan 3 MB, en dan leest GitHub het niet; "
                "noem per werkplaats minder accounts (een groep in plaats van personen)",
            )
        ]
    return text, []


def stale_problem(config: SiteConfig) -> list[Diagnostic]:
    """`wsdgen eigenaren --controleer`: an error when CODEOWNERS differs in any way."""
    place = place_of(config.site_dir)
    text, problems = checked_text(config, place)
    if text is None:
        return problems
    committed = read_codeowners(place.codeowners)
    if committed == text:
        return []
    shown = place.shown(config.site_dir, place.codeowners)
    if committed is None:
        return [
            diag.error(
                shown, 1, "CODEOWNERS ontbreekt; maak het met `wsdgen eigenaren` en commit het"
            )
        ]
    want = {(p, o) for _, p, o in parsed_rules(text)}
    have = parsed_rules(committed)
    missing = len(want - {(p, o) for _, p, o in have})
    wrong = [line for line, p, o in have if (p, o) not in want]
    return [
        diag.error(
            shown,
            wrong[0] if wrong else 1,
            f"CODEOWNERS is niet bij: {missing} regels ontbreken en {len(wrong)} kloppen niet "
            "meer; maak het opnieuw met `wsdgen eigenaren` en commit het",
        )
    ]


# --- git. ---


class GitProblem(Exception):
    """git could not answer (Dutch, for one line on stderr; exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def git(where: Path, *args: str) -> bytes:
    """Run git with a list of arguments (no shell) and return its output."""
    environment = {
        **os.environ,
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_TERMINAL_PROMPT": "0",
        "LC_ALL": "C",
    }
    try:
        done = subprocess.run(
            ["git", "-C", str(where), *args],
            capture_output=True,
            env=environment,
            check=False,
            timeout=GIT_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GitProblem("git is niet geïnstalleerd, en dat is nodig voor --sinds") from None
    except subprocess.TimeoutExpired:
        raise GitProblem(f"git gaf na {GIT_TIMEOUT} s nog geen antwoord") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitProblem(reason[-1] if reason else f"git {args[0]} mislukte")
    return done.stdout


REF_FORM = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./@^~{}+-]{0,254}")


def ref_problem(text: str) -> str | None:
    """Why a text cannot be a git ref for --sinds (Dutch), or None."""
    if not REF_FORM.fullmatch(text) or ".." in text:
        shown = text if len(text) <= 60 else text[:60] + "…"
        return (
            f"'{shown}' is geen branch, tag of commit; geef bijvoorbeeld origin/main of de "
            "commit waar het pull request op voortbouwt"
        )
    return None


@dataclass(frozen=True, slots=True)
class Change:
    """One changed file: its repository path, A/M/D and the old blob (if any)."""

    status: str
    path: str
    old_blob: str | None = None
    old_mode: str = ""


def resolve_commit(root: Path, ref: str) -> str:
    """The commit ``ref`` names (raises GitProblem, in Dutch, when it names none)."""
    try:
        found = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitProblem:
        raise GitProblem(
            f"--sinds: '{ref}' is geen commit in deze repository; geef een branch, tag of "
            "commit (in CI: haal de geschiedenis op, zoals fetch-depth: 0 of GIT_DEPTH: 0)"
        ) from None
    return found.decode("ascii").strip()


def changes_since(root: Path, ref: str) -> list[Change]:
    """Every file that differs between ``ref`` and the working tree (untracked included).

    Renames are a deletion plus an addition (--no-renames): both sides are checked.
    """
    commit = resolve_commit(root, ref)
    raw = git(
        root,
        "diff",
        "--raw",
        "-z",
        "--no-renames",
        "--no-abbrev",
        "--no-ext-diff",
        "--no-textconv",
        commit,
        "--",
    )
    fields = raw.split(b"\0")
    changes: list[Change] = []
    index = 0
    while index + 1 < len(fields):
        meta, name = fields[index].decode("ascii", "replace"), os.fsdecode(fields[index + 1])
        index += 2
        parts = meta.lstrip(":").split()
        if len(parts) < 5:
            continue
        old_mode, _, old_sha, _, status = parts[:5]
        kind = status[:1]
        kind = kind if kind in "AD" else "M"
        blob = None if kind == "A" or set(old_sha) == {"0"} else old_sha
        changes.append(Change(kind, name, blob, old_mode))
    untracked = git(root, "ls-files", "--others", "--exclude-standard", "-z", "--")
    changes += [Change("A", os.fsdecode(name)) for name in untracked.split(b"\0") if name]
    return changes


def old_version(root: Path, change: Change, collection: str, name: str) -> RawEntry | None:
    """The entry as it was at the ref, read like the pipeline reads it (None: unreadable)."""
    if change.old_blob is None or not change.old_mode.startswith("100"):
        return None  # a symlink, submodule or missing blob: its werkplaats is unknown
    try:
        size = int(git(root, "cat-file", "-s", change.old_blob))
        if size > MAX_FILE_BYTES:
            return None
        data = git(root, "cat-file", "blob", change.old_blob)
    except (GitProblem, ValueError):
        return None
    entry, _ = parse_entry_bytes(f"content/{collection}/{name}", collection, Path(name), data, "")
    return entry


# --- The check of a pull or merge request. ---


def claims_of(change: Change, site_path: str | None, site_dir: Path, root: Path) -> list[Claim]:
    """What a change touches: one claim per owner whose consent it needs."""
    if site_path is None:
        return [site_claim(None)]
    for folder in UPLOAD_FOLDERS:
        if in_folder(site_path, folder):
            if change.status == "A":
                return [Claim("een nieuw bestand in " + folder + "/", anyone=True)]
            return [
                Claim(
                    f"dit bestand in {folder}/ bestond al; een bestaand bestand wijzigen of "
                    "verwijderen mag alleen de centrale redactie (een nieuw bestand toevoegen "
                    "mag iedere redacteur)"
                )
            ]
    parts = entry_parts(site_path)
    if parts is None or not is_entry_name(parts[1]):
        return [site_claim(site_path)]
    collection, name = parts
    if collection == "werkplaatsen":
        if change.status == "A":
            return [
                Claim(
                    "dit is een nieuwe werkplaats; een werkplaats toevoegen is aan de "
                    "centrale redactie"
                )
            ]
        slug = entry_slug(name)
        verb = "was" if change.status == "D" else "is"
        return [Claim(f"dit {verb} de pagina van werkplaats '{slug}'", slug)]
    if collection not in OWNED_COLLECTIONS:
        return [site_claim(site_path)]
    claims: list[Claim] = []
    if change.status != "A":
        old = old_version(root, change, collection, name)
        claims.append(
            werkplaats_claim(old, collection, "deleted" if change.status == "D" else "old")
        )
    if change.status != "D":
        file = site_dir / "content" / collection / name
        new, _ = read_entry_file_safely(site_dir, collection, file)
        claim = werkplaats_claim(new, collection, "new")
        if claims and claim.werkplaats is not None and claims[0].werkplaats == claim.werkplaats:
            claims = [claim]  # the same werkplaats before and after: one message
        else:
            claims.append(claim)
    return claims


def who_may(redactie: Redactie, claim: Claim) -> str:
    central = f"de centrale redactie ({', '.join(redactie.centraal)})"
    if claim.anyone:
        return f"alleen de redacteuren uit config.yaml en {central} mogen dat"
    if claim.werkplaats is None:
        return f"alleen {central} mag het wijzigen"
    own = redactie.editors_of(claim.werkplaats)
    if not own:
        return (
            f"werkplaats '{claim.werkplaats}' heeft geen eigen redacteuren in config.yaml, "
            f"dus alleen {central} mag het wijzigen"
        )
    return (
        f"alleen de redactie van die werkplaats ({', '.join(own)}) en {central} mogen het wijzigen"
    )


def and_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


def allowed(redactie: Redactie, account: str, claim: Claim) -> bool:
    if claim.anyone:
        return redactie.is_editor(account)
    return redactie.may_edit(account, claim.werkplaats)


def author_handle(text: str) -> str:
    """An author as given to --auteur: with or without its @."""
    text = text.strip()
    return text if text.startswith("@") else "@" + text


def change_problems(config: SiteConfig, ref: str, authors: Sequence[str]) -> list[Diagnostic]:
    """One error per changed file that one of ``authors`` may not change (raises
    GitProblem when git cannot say what changed)."""
    redactie = config.redactie
    assert redactie is not None
    site_dir = config.site_dir
    place = place_of(site_dir, required=True)
    problems: list[Diagnostic] = []
    for change in changes_since(place.root, ref):
        inside = change.path.startswith(place.prefix)
        site_path = change.path[len(place.prefix) :] if inside else None
        shown = (
            site_path if site_path is not None else place.shown(site_dir, place.root / change.path)
        )
        for claim in claims_of(change, site_path, site_dir, place.root):
            refused = [a for a in authors if not allowed(redactie, a, claim)]
            if refused:
                problems.append(
                    diag.error(
                        shown,
                        claim.line,
                        f"{claim.what}; {who_may(redactie, claim)}, en {and_list(refused)} "
                        f"{'hoort' if len(refused) == 1 else 'horen'} daar niet bij",
                        claim.field,
                    )
                )
    return problems
