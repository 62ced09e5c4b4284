"""Stage 4b, links: a link in a body to a page or file of this site that does not exist.

After planning, every file the build writes is known: the pages (and the old addresses
of aliases, which send readers on), the feeds, the assets and the image variants. A
body's link to a site path that is none of them is a warning on the line of the link
("link naar een pagina die niet bestaat"); ``--strict`` makes it an error. A link may
end in '/', in 'index.html' or in neither, and carry '#deel' or '?vraag'.

Links are read from the Markdown (inline ``[tekst](/pad/)``, reference definitions
``[naam]: /pad/`` and raw ``<a href="/pad/">``), outside code. Only addresses that
start with one '/' are checked: a relative link depends on the page that shows the
body, and links to other sites are not fetched. Images are the media stage's (an
image that does not exist is an error there).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from urllib.parse import unquote

from wsdgen import diagnostics as diag
from wsdgen.check.graph import Site
from wsdgen.check.validate import shorten, without_code
from wsdgen.diagnostics import Diagnostic
from wsdgen.load.sources import BODY_LINE
from wsdgen.plan.pageplan import PagePlan
from wsdgen.records import Entry

# [tekst](/pad/), not ![beschrijving](...): images are the media stage's.
INLINE_LINK = re.compile(r"(?<!!)\[[^\[\]\n]{0,500}\]\(\s*<?([^\s)>]+)")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\[\]\n]{1,500}\]:[ \t]*<?([^\s>]+)", re.MULTILINE)
HTML_LINK = re.compile(
    r"""<a\b[^<>]{0,4000}?\shref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE
)
MAY_LINK = re.compile(r"\]\(|\]:|href", re.IGNORECASE)
MAX_LINK_PROBLEMS = 20
# Written by the build after planning (search index): links into it are fine.
GENERATED_FOLDERS = ("pagefind/",)


def body_links(body: str) -> Iterator[tuple[int, str]]:
    """(offset, address) of each link in a body to a path on this site."""
    if not MAY_LINK.search(body):
        return
    text = without_code(body)
    found: list[tuple[int, str]] = []
    for pattern in (INLINE_LINK, REFERENCE_DEFINITION):
        found += ((match.start(1), match[1]) for match in pattern.finditer(text))
    for match in HTML_LINK.finditer(text):
        found.append((match.start(), match[1] or match[2] or match[3] or ""))
    for offset, address in sorted(found):
        value = html.unescape(address).strip()
        if value.startswith("/") and not value.startswith(("//", "/\\")):
            yield offset, value


def target_files(address: str) -> tuple[str, ...]:
    """The output files a site path may stand for: 'x/' is 'x/index.html', and 'x' is
    the file 'x' or the folder 'x/'."""
    path = unquote(re.split(r"[?#]", address, maxsplit=1)[0]).lstrip("/")
    if not path or path.endswith("/"):
        return (path + "index.html",)
    return (path, path + "/index.html")


def existing_files(
    plans: Iterable[PagePlan], asset_paths: Iterable[str], media_files: Iterable[str]
) -> frozenset[str]:
    """Every file of the output, relative to it ('werkplaatsen/x/index.html')."""
    files = {plan.output_file for plan in plans}
    files.update(path.lstrip("/") for path in asset_paths)
    files.update(path.lstrip("/") for path in media_files)
    return frozenset(files)


def missing_message(address: str) -> str:
    last = re.split(r"[?#]", address, maxsplit=1)[0].rstrip("/").rsplit("/", 1)[-1]
    if "." in last:
        folder = address.lstrip("/").rsplit("/", 1)[0]
        return (
            f"body: link naar een bestand dat niet bestaat: {shorten(address)}; zet het "
            f"bestand in {folder}/ of verbeter het adres in de link"
        )
    return (
        f"body: link naar een pagina die niet bestaat: {shorten(address)}; verbeter het "
        "adres (kijk op de site hoe het adres van die pagina begint) of haal de link weg"
    )


def link_problems(site: Site, existing: frozenset[str]) -> list[Diagnostic]:
    """A warning for each body link to a site path that the build does not write."""
    problems: list[Diagnostic] = []
    for entry in site.entries():
        problems += entry_link_problems(entry, existing)
    return problems


def entry_link_problems(entry: Entry, existing: frozenset[str]) -> list[Diagnostic]:
    problems: list[Diagnostic] = []
    first = entry.source.line_of(BODY_LINE)
    for offset, address in body_links(entry.body):
        files = target_files(address)
        if any(file in existing or file.startswith(GENERATED_FOLDERS) for file in files):
            continue
        line = first + entry.body.count("\n", 0, offset)
        problems.append(diag.warning(entry.source.path, line, missing_message(address), "body"))
        if len(problems) == MAX_LINK_PROBLEMS:
            break
    return problems
