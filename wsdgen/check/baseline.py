"""`wsdgen check --sinds REF`: which warnings a pull request introduced itself.

A warning never blocks the live site, and one that appears by itself (a kenniscafé that
took place yesterday and has no report yet) must not make another organisation's pull
request red. So the check of a pull request compares: the site as it was at REF (the
base of the pull request) is checked with the same settings and the same date, and a
warning counts as the pull request's own when the base does not have it (same file,
field and message; lines may move). Those warnings block the pull request, as errors
that say why; the others stay warnings. Errors always block.

The base is read with `git archive` (only config.yaml, content/, templates/ and
assets/, and only regular files with plain names) into a temporary folder, and checked
in-process by the same pipeline; nothing of it is written elsewhere.
"""

from __future__ import annotations

import dataclasses
import io
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from wsdgen import diagnostics as diag
from wsdgen.check.ownership import git, place_of, resolve_commit
from wsdgen.diagnostics import Diagnostic, Severity

# What of the base is read: everything the build reads from a site folder.
SITE_PARTS = ("config.yaml", "content", "templates", "assets")

INTRODUCED = (
    " (deze waarschuwing komt door deze wijziging en houdt haar daarom tegen; "
    "los haar op of overleg met de centrale redactie)"
)

Identity = tuple[str, str | None, str]
CheckFolder = Callable[[Path], list[Diagnostic]]


def identity(problem: Diagnostic) -> Identity:
    """What makes two warnings the same one, wherever its line moved to."""
    return (problem.path, problem.field, problem.message)


def introduced(now: Iterable[Diagnostic], before: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The warnings of ``now`` that ``before`` does not have (counted: a second warning
    of the same kind in one file is new too)."""
    left = Counter(identity(p) for p in before if p.severity is Severity.WARNING)
    new = []
    for problem in now:
        if problem.severity is not Severity.WARNING:
            continue
        key = identity(problem)
        if left[key] > 0:
            left[key] -= 1
        else:
            new.append(problem)
    return new


def with_introduced_blocking(
    now: list[Diagnostic], before: list[Diagnostic]
) -> tuple[list[Diagnostic], int]:
    """``now`` with the introduced warnings made errors (saying why), and their number."""
    new = {id(problem) for problem in introduced(now, before)}
    marked = [
        dataclasses.replace(p, severity=Severity.ERROR, message=p.message + INTRODUCED)
        if id(p) in new
        else p
        for p in now
    ]
    return diag.sorted_unique(marked), len(new)


def wanted(name: str, prefix: str) -> str | None:
    """A member's path inside the site folder, if it is part of the site and plain."""
    if not name.startswith(prefix):
        return None
    inner = PurePosixPath(name[len(prefix) :])
    parts = inner.parts
    if not parts or parts[0] not in SITE_PARTS or any(p in ("", ".", "..") for p in parts):
        return None
    return inner.as_posix()


def extract_site(data: bytes, prefix: str, into: Path) -> None:
    """The site's regular files from a tar archive, below ``into`` (links and other
    special members are left out: the base is read as data)."""
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        for member in archive:
            inner = wanted(member.name, prefix)
            if inner is None or not member.isreg():
                continue
            source = archive.extractfile(member)
            if source is None:
                continue
            target = into.joinpath(*PurePosixPath(inner).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())


def base_problems(site_dir: Path, ref: str, check: CheckFolder) -> list[Diagnostic]:
    """The problems ``check`` finds in the site as it was at ``ref`` (raises GitProblem)."""
    place = place_of(site_dir, required=True)
    commit = resolve_commit(place.root, ref)
    paths = [f"{place.prefix}{part}" for part in SITE_PARTS]
    listed = git(place.root, "ls-tree", "--name-only", commit, "--", *paths).decode(
        "utf-8", "surrogateescape"
    )
    present = [line for line in listed.splitlines() if line]
    with tempfile.TemporaryDirectory(prefix="wsdgen-basis-") as folder:
        if present:
            data = git(place.root, "archive", "--format=tar", commit, "--", *present)
            extract_site(data, place.prefix, Path(folder))
        return check(Path(folder))
