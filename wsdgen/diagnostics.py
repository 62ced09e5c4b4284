"""Errors and warnings as values: every problem carries a path, a line and a message."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace


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
        return f"{self.path}:{self.line}: {self.severity.value}: {self.message}"

    def as_github(self) -> str:
        """Format as a GitHub Actions annotation, so it shows on the pull request."""
        kind = "error" if self.severity is Severity.ERROR else "warning"
        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = self.path.replace(",", "%2C").replace(":", "%3A")
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
