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
one pass over the graph and the plan: measured 10 ms for this repository's site (94
entries) and about 90 ms for a generated one of 1,000 (the first check, which fills the
caches, 30 and 330 ms).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from wsdgen import diagnostics as diag
from wsdgen.check.validate import ValidationCache
from wsdgen.diagnostics import Diagnostic, Severity
from wsdgen.load.sources import SourceCache, parse_entry_bytes
from wsdgen.media.prepare import MediaMemory
from wsdgen.pipeline import BuildOptions, load_site, plan_site
from wsdgen.publish.beheer import MAX_TITLE_LENGTH
from wsdgen.records import RawEntry
from wsdgen.schema import field_text


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
        options = BuildOptions(site_dir=self.site_dir, today=self.today(), write=False)
        loaded, failed = load_site(
            options,
            self.sources,
            self.validated,
            self.media_memory,
            edit=functools.partial(with_changes, changes=changes),
        )
        found = loaded if loaded is not None else failed.partial if failed else None
        if found is None:
            return None
        _, plan_found = plan_site(found)
        problems = diag.sorted_unique([*found.diagnostics, *plan_found])
        return [p for p in problems if p.severity is Severity.ERROR]


def with_changes(
    raw_entries: list[RawEntry], problems: list[Diagnostic], *, changes: Sequence[Change]
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
