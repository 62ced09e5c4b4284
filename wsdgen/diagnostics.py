"""Errors and warnings as values: every problem carries a path, a line and a message."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
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
