"""Write the full-text search index (Pagefind) into the new output folder before the swap.

Pagefind's command line (from the ``pagefind[bin]`` package) reads the written HTML
of the new folder. Only the parts marked ``data-pagefind-body`` (entry pages) are
indexed, with the filters marked ``data-pagefind-filter`` (soort, werkplaats, thema,
regio). The language comes from ``<html lang="nl">``, so Dutch stemming applies.
Result URLs are relative to the site root; the search page passes the base path to
Pagefind's UI (``baseUrl``).

The command line is used rather than Pagefind's Python API: the API's service can be
closed before its last file is fully written, which left truncated files here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site; the message is Pagefind's own."""


def write_search_index(folder: Path) -> None:
    """Index every written HTML page that has a search body; the bundle goes to pagefind/."""
    done = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(folder), "--silent"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise SearchIndexError(
            "de zoekindex kon niet gemaakt worden" + (f": {detail[-1]}" if detail else "")
        )
