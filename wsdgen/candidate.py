"""Check edited entries against the whole site before /beheer/'s local backend saves them.

`wsdgen serve` answers Decap CMS's "save" (persistEntry) only when `wsdgen check` would
accept the result: the site is loaded as it is on disk, with the edited files replaced by
the text the form sends (nothing is written for that), and checked by the stages of
`check` that can involve one file: reading, validation, the site graph (references,
drafts that others use, duplicate names), the media (images and their alt text) and the
page plan (reserved names, two things on one address). Markdown bodies are not rendered
here: their limits are checked when serve rebuilds.

A save is refused when an edited file has an error, or when it causes an error in
another file that was not there before (a theme that becomes a draft while others use
it, a werkplaats renamed). Errors that were already in other files do not block a save:
the editor may be fixing one of them. Warnings never block.

Unchanged files are neither read nor validated again (a source, validation and media
cache of its own, as `serve`'s rebuilds keep them), so a check of one file costs about
one pass over the graph and the plan: measured 7 ms for this repository's site (94
entries) and about 90 ms for a generated one of 1,000 (the first check, which fills the
caches, 30 and 330 ms).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from . import diagnostics as diag
from .assets import collect_assets
from .beheer import MAX_TITLE_LENGTH, beheer_wanted, published_files
from .budget import WorkBudget
from .config import Overrides, SiteConfig, load_config
from .diagnostics import Diagnostic, Severity
from .graph import link_site
from .media import MediaMemory, prepare_media
from .pages import plan_pages
from .paths import path_problems
from .records import RawEntry
from .schema import field_text
from .sources import SourceCache, parse_entry_bytes, read_sources
from .validate import ValidationCache, cached_validator, validate_entries


@dataclass(frozen=True, slots=True)
class Change:
    """One content file as the save would leave it: its new bytes, or None (removed)."""

    relative: str  # content/<collection>/<name>, checked by the caller
    data: bytes | None

    @property
    def collection(self) -> str:
        return PurePosixPath(self.relative).parent.name


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a save is refused, for the editor: the file, its field's label and
    the message without the field's own name in front."""

    path: str
    label: str
    message: str
    own: bool  # in one of the edited files (else: in another file it breaks)

    def text(self) -> str:
        said = f"{self.label}: {self.message}" if self.label else self.message
        return said if self.own else f"in {self.path} (een ander item): {said}"


class SiteChecker:
    """`wsdgen check` for a site with some files replaced, without writing them."""

    def __init__(self, site_dir: Path, today: Callable[[], dt.date] = dt.date.today) -> None:
        self.site_dir = site_dir
        self.today = today
        self.sources: SourceCache = {}
        self.validated: ValidationCache = {}
        self.media_memory: MediaMemory = {}

    def refusals(self, changes: Sequence[Change]) -> list[Problem]:
        """Why these changes may not be saved (nothing: they may)."""
        found = self.errors(changes)
        if found is None:
            return []  # config.yaml is broken: that error is not the edit's
        edited = {change.relative for change in changes}
        title_problems = [p for change in changes for p in title_length(change)]
        own = [p for p in found if p.path in edited]
        others = [p for p in found if p.path not in edited]
        if others:
            before = set(self.errors(()) or ())
            others = [p for p in others if p not in before]
        return [
            *(problem_of(d, own=True) for d in [*title_problems, *own]),
            *(problem_of(d, own=False) for d in others),
        ]

    def errors(self, changes: Sequence[Change]) -> list[Diagnostic] | None:
        """The errors `check` finds in the site with ``changes`` applied (the stages
        named in the module's docstring), or None when config.yaml cannot be read."""
        config, _ = load_config(self.site_dir, Overrides())
        if config is None:
            return None
        raw_entries, problems = read_sources(config.site_dir, self.sources)
        raw_entries, problems = with_changes(raw_entries, problems, changes)
        fixed = published_files() if beheer_wanted(config) else []
        assets, asset_problems = collect_assets(config.site_dir, fixed, config.site_scripts)
        records, rejected, validation_problems = validate_entries(
            raw_entries,
            config.extra_fields,
            cached_validator(self.validated, config.extra_fields),
        )
        site, graph_problems = link_site(records, config, self.today(), False, rejected)
        budget = WorkBudget(config.work_seconds)
        _, media_problems = prepare_media(site, assets, None, self.media_memory, budget)
        problems = [
            *problems,
            *asset_problems,
            *validation_problems,
            *graph_problems,
            *media_problems,
        ]
        if not diag.has_errors(problems):
            problems += plan_problems(config, site, assets)
        return [p for p in diag.sorted_unique(problems) if p.severity is Severity.ERROR]


def plan_problems(config: SiteConfig, site: object, assets: object) -> list[Diagnostic]:
    """Reserved names and two things on one address (the page plan, paths.py)."""
    try:
        plans = plan_pages(site)  # type: ignore[arg-type]
    except LookupError:
        return []  # a broken reference, reported by the graph
    return path_problems(plans, assets, config.base_url or "")  # type: ignore[arg-type]


def with_changes(
    raw_entries: list[RawEntry], problems: list[Diagnostic], changes: Sequence[Change]
) -> tuple[list[RawEntry], list[Diagnostic]]:
    """The site's entries and reading problems with each changed file as it would be."""
    changed = {change.relative for change in changes}
    entries = [raw for raw in raw_entries if raw.path not in changed]
    problems = [problem for problem in problems if problem.path not in changed]
    for change in changes:
        if change.data is None:
            continue
        path = PurePosixPath(change.relative)
        digest = hashlib.sha256(change.data).hexdigest()
        entry, entry_problems = parse_entry_bytes(
            change.relative, change.collection, Path(path.name), change.data, digest
        )
        problems = [*problems, *entry_problems]
        if entry is not None:
            entries.append(entry)
    # In the order read_sources reads them: by collection folder, then by file name
    # (which of two files with one name is "the second" depends on it).
    entries.sort(key=lambda raw: PurePosixPath(raw.path).parts[1:3])
    return entries, problems


def title_length(change: Change) -> list[Diagnostic]:
    """A title longer than the form allows (the file name is made from it)."""
    if change.data is None:
        return []
    entry, _ = parse_entry_bytes(
        change.relative,
        change.collection,
        Path(PurePosixPath(change.relative).name),
        change.data,
        "",
    )
    title = entry.values.get("title") if entry is not None else None
    if not isinstance(title, str) or len(title.strip()) <= MAX_TITLE_LENGTH:
        return []
    line = entry.lines.get("title", 1) if entry is not None else 1
    return [diag.error(change.relative, line, title_too_long(len(title.strip())), "title")]


def title_too_long(length: int) -> str:
    return (
        f"title: de titel is te lang ({length} tekens); houd hem bij hoogstens "
        f"{MAX_TITLE_LENGTH} tekens, en zet de rest in de samenvatting"
    )


def name_too_long(length: int) -> str:
    return (
        f"de bestandsnaam wordt te lang ({length} tekens); maak de titel korter (hoogstens "
        f"{MAX_TITLE_LENGTH} tekens)"
    )


def problem_of(found: Diagnostic, own: bool) -> Problem:
    """How the editor reads a problem: the field's Dutch label, then the message."""
    message = found.message
    label = ""
    if found.field:
        collection = PurePosixPath(found.path).parent.name
        label = field_text(collection, found.field).label
        message = message.removeprefix(f"{found.field}: ")
    return Problem(found.path, label, message, own)


def refusal_text(problems: Sequence[Problem]) -> str:
    """The answer Decap shows: every problem on a line of its own, "veld: melding"
    (the screen shows the lines as one text; each starts with a bullet)."""
    count = len(problems)
    points = "dit punt:" if count == 1 else f"deze {count} punten:"
    # Decap puts "Kan item niet opslaan: " before it.
    heading = f"de controle van de site keurt dit af; verbeter eerst {points}"
    return heading + "".join(f"\n• {problem.text()}" for problem in problems)
