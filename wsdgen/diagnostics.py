"""Errors and warnings as values: every problem carries a path, a line and a message."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

# What must never reach a terminal raw: controls (ESC starts a terminal command), line
# breaks (one problem is one line), bidi marks that reorder what is shown, and the
# surrogates of undecodable file names (they cannot even be written to the terminal).
UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ufeff\ud800-\udfff]"
)


def printable(text: str) -> str:
    """``text`` safe for a terminal or a CI log: each unsafe character as an escape (\\x1b)."""
    if not UNPRINTABLE.search(text):
        return text
    return UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem found in the site: where it is and what to do about it (in Dutch)."""

    path: str
    line: int
    severity: Severity
    message: str
    field: str | None = None

    def __str__(self) -> str:
        """One line for the terminal; file names and values are shown with escapes."""
        where = f"{printable(self.path)}:{self.line}"
        return f"{where}: {self.severity.value}: {printable(self.message)}"

    def as_github(self) -> str:
        """Format as a GitHub Actions annotation, so it shows on the pull request."""
        kind = "error" if self.severity is Severity.ERROR else "warning"
        message = printable(self.message).replace("%", "%25")
        path = printable(self.path).replace("%", "%25").replace(",", "%2C").replace(":", "%3A")
        return f"::{kind} file={path},line={self.line}::{message}"


def error(path: str, line: int, message: str, field: str | None = None) -> Diagnostic:
    return Diagnostic(path, max(line, 1), Severity.ERROR, message, field)


def warning(path: str, line: int, message: str, field: str | None = None) -> Diagnostic:
    return Diagnostic(path, max(line, 1), Severity.WARNING, message, field)


def apply_strict(diagnostics: Iterable[Diagnostic], strict: bool) -> list[Diagnostic]:
    """With --strict every warning counts as an error."""
    if not strict:
        return list(diagnostics)
    return [replace(d, severity=Severity.ERROR) for d in diagnostics]


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


def count(diagnostics: Iterable[Diagnostic], severity: Severity) -> int:
    return sum(1 for d in diagnostics if d.severity is severity)


def sorted_unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by path and line so CI output is stable; drop exact repeats."""
    return sorted(set(diagnostics), key=lambda d: (d.path, d.line, d.message))


# --- Floods: one mistake repeated many times in a file is shown a few times, then counted.

# Lines shown per file for problems of one kind; the rest is one line with their number.
FLOOD_LIMIT = 20
# What differs between problems of one kind: quoted names and values, and numbers.
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|‘[^’]*’|[0-9]+")


@dataclass(frozen=True, slots=True)
class Flood:
    """The problems of one kind in one file that were not shown: '... en nog 59.990
    dezelfde fouten in content/x.md'. ``line`` is the first of them."""

    path: str
    line: int
    severity: Severity
    hidden: int

    @property
    def message(self) -> str:
        kind = "fouten" if self.severity is Severity.ERROR else "waarschuwingen"
        if self.hidden == 1:
            kind = "fout" if self.severity is Severity.ERROR else "waarschuwing"
            return f"... en nog 1 dezelfde {kind} in {printable(self.path)}"
        return f"... en nog {dutch_number(self.hidden)} dezelfde {kind} in {printable(self.path)}"

    def __str__(self) -> str:
        return self.message

    def as_github(self) -> str:
        """An annotation too (on the first hidden line), so the count shows on the PR."""
        return Diagnostic(self.path, self.line, self.severity, self.message).as_github()


def dutch_number(number: int) -> str:
    """59990 -> '59.990': a dot between thousands, as Dutch writes it."""
    return f"{number:,}".replace(",", ".")


def kind_of(problem: Diagnostic) -> tuple[str, Severity, str]:
    """Problems of one kind: same file and severity, and the same message once names,
    values and numbers are left out (the field too: an unknown field is its name)."""
    return (problem.path, problem.severity, _QUOTED.sub("…", problem.message))


def capped(problems: Sequence[Diagnostic], limit: int = FLOOD_LIMIT) -> list[Diagnostic | Flood]:
    """The problems to show: of each kind per file the first ``limit``, then one Flood
    line with the number left out, placed after that file's last shown problem. Counts
    and exit codes are made from all problems, never from this list."""
    last_of_path = {problem.path: index for index, problem in enumerate(problems)}
    seen: dict[tuple[str, Severity, str], int] = {}
    floods: dict[str, dict[tuple[str, Severity, str], Flood]] = {}
    shown: list[Diagnostic | Flood] = []
    for index, problem in enumerate(problems):
        kind = kind_of(problem)
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= limit:
            shown.append(problem)
        else:
            by_kind = floods.setdefault(problem.path, {})
            flood = by_kind.get(kind)
            first = flood.line if flood else problem.line
            by_kind[kind] = Flood(problem.path, first, problem.severity, seen[kind] - limit)
        if last_of_path[problem.path] == index:
            shown.extend(floods.pop(problem.path, {}).values())
    return shown
