"""One time budget per build for the work that input size can make expensive.

Each Markdown body, image, PDF and page has its own bound (markup.MARKDOWN_SECONDS, the
image and PDF limits, render.TEMPLATE_CPU_SECONDS), but many files each just under it
would still keep a CI job busy for hours. So the seconds spent on converting bodies,
making image variants, reading PDFs and rendering pages (counted on their templates)
are added up per build; past the budget the build stops with an error on the
slowest files, which are what an editor can make simpler.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wsdgen import diagnostics as diag
from wsdgen.diagnostics import Diagnostic

# Far above what a real site needs (10,000 entries convert in about a minute of work),
# far below CI's 90 minutes. config.yaml's `tijdslimiet` changes it.
DEFAULT_SECONDS = 600.0
# How many of the slowest files the error names, and the share of the slowest one's
# seconds a file must have cost to be named.
NAMED = 5
SIGNIFICANT = 0.1


@dataclass(slots=True)
class WorkBudget:
    """Seconds of work spent so far, and by which files (site-relative paths)."""

    limit: float = DEFAULT_SECONDS
    spent: float = 0.0
    by_file: dict[str, float] = field(default_factory=dict)

    def spend(self, path: str, seconds: float) -> bool:
        """Count ``seconds`` of work on ``path``; False once the budget is used up."""
        self.spent += seconds
        self.by_file[path] = self.by_file.get(path, 0.0) + seconds
        return not self.exceeded

    @property
    def exceeded(self) -> bool:
        return self.spent > self.limit

    def problems(self) -> list[Diagnostic]:
        """An error on each of the slowest files, once the budget is used up."""
        if not self.exceeded:
            return []
        ranked = sorted(self.by_file.items(), key=lambda item: (-item[1], item[0]))
        # Files that cost a fraction of the slowest one are not what made the build slow.
        floor = ranked[0][1] * SIGNIFICANT
        slowest = [(path, seconds) for path, seconds in ranked[:NAMED] if seconds >= floor]
        return [
            diag.error(path, 1, budget_message(seconds, self.limit)) for path, seconds in slowest
        ]


def seconds_text(seconds: float) -> str:
    """Dutch: '2,9 seconden'."""
    return f"{seconds:.1f}".replace(".", ",") + " seconden"


def budget_message(seconds: float, limit: float) -> str:
    return (
        "de bouw is gestopt: teksten omzetten, afbeeldingen verkleinen, pdf's lezen en "
        f"pagina's maken kostte samen meer dan {seconds_text(limit)} (de tijdslimiet van "
        f"één bouw). Dit bestand is een van de traagste ({seconds_text(seconds)}): maak "
        "de tekst, het sjabloon of het bestand eenvoudiger"
    )
