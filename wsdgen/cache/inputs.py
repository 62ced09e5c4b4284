"""What each output file is made from, as digests: used by `serve` (incremental/rebuild.py) and
by builds with --cache (cache/pagecache.py) to tell which pages must be rendered again.

A page is made from the site-wide inputs (wsdgen's own code and libraries, config.yaml
and the build options, the asset URLs, the media, the free pages that every menu and
footer show), its template with every template that one extends or includes, and the
entries it shows (the record of dependencies, incremental/dependencies.py), each with
the hash of its file.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2

from wsdgen.check.graph import Site
from wsdgen.plan.pageplan import ALL, EntryKey, PagePlan
from wsdgen.render.templates import THEME_TEMPLATES

# Libraries whose version can change what a page holds.
RENDERING_LIBRARIES = (
    "jinja2",
    "markdown",
    "nh3",
    "babel",
    "icalendar",
    "pillow",
    "pypdf",
    "pyyaml",
    "python-frontmatter",
    "markupsafe",
    "tzdata",
)


def digest(*parts: str | bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode() if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()


@dataclass(frozen=True, slots=True)
class PageInputs:
    """What a page was made from, besides the content of the entries it shows."""

    site_wide: str
    template: str  # the template's name and the hash of it with all it includes


# {% include "x.html" %}, {%- extends 'base.html' %}, {% from "m.html" import a %}, ...
# The literal name must be the whole expression: only the tag's end or one of its own
# keywords may follow it ('ignore missing', 'with/without context', 'as', 'import'), so
# `{% include "a.html" if x else "b.html" %}` or `"a.html" and "b.html"` is no literal
# reference and counts as computed (every template then counts).
LITERAL_REFERENCE = re.compile(
    r"""\{%[-+]?\s*(?:extends|include|import|from)\s+(["'])([^"'\\]*)\1\s*"""
    r"""(?:[-+]?%\}|ignore\s+missing\b|with(?:out)?\s+context\b|as\b|import\b)"""
)
ANY_REFERENCE = re.compile(r"\{%[-+]?\s*(?:extends|include|import|from)\b")
# {{ fragment("partials/kenniscafe-card.html", cafe=cafe) }}: a card, rendered once
# (render/renderer.Fragments); the template it names is used as if included. Any other
# mention of the name (`fragment ("x")` with a space is caught, `{% set f = fragment %}`
# or `fragment("a" ~ x)` are not literal calls) counts as computed.
LITERAL_FRAGMENT = re.compile(r"""\bfragment\s*\(\s*(["'])([^"'\\]*)\1\s*[,)]""")
ANY_FRAGMENT = re.compile(r"\bfragment\b")


class TemplateDigests:
    """The hash of each template together with everything it extends or includes."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.memo: dict[str, str] = {}
        self.references: dict[str, list[str | None]] = {}

    def source(self, name: str) -> str:
        assert self.env.loader is not None
        return self.env.loader.get_source(self.env, name)[0]

    def closure(self, name: str) -> set[str] | None:
        """All templates a template uses, or None when a name is computed at run time."""
        seen: set[str] = set()
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            for referenced in self.referenced(current):
                if referenced is None:
                    return None
                todo.append(referenced)
        return seen

    def referenced(self, name: str) -> list[str | None]:
        """The templates one template extends, includes, imports or shows as a fragment,
        read from its tags and ``fragment(...)`` calls (once per build). A reference
        whose template name is not one literal string gives None: then every template
        counts. A reference inside a comment counts too, which only makes the digest
        cover more than it needs."""
        if name not in self.references:
            source = self.source(name)
            found: list[str | None] = [match[2] for match in LITERAL_REFERENCE.finditer(source)]
            fragments = [match[2] for match in LITERAL_FRAGMENT.finditer(source)]
            computed = len(found) != len(ANY_REFERENCE.findall(source)) or len(fragments) != len(
                ANY_FRAGMENT.findall(source)
            )
            found += fragments
            if computed:
                found.append(None)
            self.references[name] = found
        return self.references[name]

    def of(self, name: str) -> str:
        if name not in self.memo:
            try:
                names = self.closure(name)
            except jinja2.TemplateError:
                names = None
            if names is None:
                assert self.env.loader is not None
                names = set(self.env.loader.list_templates())
            self.memo[name] = digest(*(f"{n}\0{self.safe_source(n)}" for n in sorted(names)))
        return self.memo[name]

    def safe_source(self, name: str) -> str:
        try:
            return self.source(name)
        except jinja2.TemplateError:
            return ""


def template_sources_digest(site_dir: Path) -> str:
    """The names, sizes and change times of every template file (site and theme)."""
    parts = []
    for folder in (site_dir / "templates", THEME_TEMPLATES):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    stat = path.stat()
                    parts.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return digest(*parts)


@functools.cache
def code_digest() -> str:
    """wsdgen's own source and theme, and the versions of the libraries it renders with."""
    package = Path(__file__).parent.parent
    parts = []
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".html", ".xml", ".txt", ".yml", ".ics"):
            parts.append(f"{path.relative_to(package)}\0")
            parts.append(path.read_bytes().decode("utf-8", "replace"))
    parts.append(f"python={sys.version}")
    for name in RENDERING_LIBRARIES:
        try:
            parts.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{name}=-")
    return digest(*parts)


def page_digests(site: Site) -> list[str]:
    """The free pages, which every page's menu and footer show."""
    return [f"{slug}{page.source.digest}" for slug, page in sorted(site.paginas.items())]


def settings_digest(config_digest: str, *options: object) -> str:
    """Everything site-wide that is not content: wsdgen's code and libraries,
    config.yaml and the build options."""
    return digest(code_digest(), config_digest, repr(options))


def site_wide_digest(settings: str, assets: str, media: str, site: Site) -> str:
    """What every page is made from: the settings, the asset URLs, the media and the
    free pages."""
    return digest(settings, assets, media, *page_digests(site))


def template_digest(templates: TemplateDigests, name: str) -> str:
    """A template's digest with all it uses; calendars (written in Python) have none."""
    return "" if name.endswith(".ics") else templates.of(name)


def inputs_digest(
    plan: PagePlan,
    deps: frozenset[EntryKey],
    site_wide: str,
    template: str,
    entries: dict[EntryKey, str],
) -> str:
    """One digest of everything a page is made from (see the module docstring); ``deps``
    are the entries it shows, from the record of dependencies."""
    if ALL in deps:
        shown = sorted(entries.items())
    else:
        shown = sorted((key, entries.get(key, "")) for key in deps)
    return digest(
        site_wide,
        plan.path,
        plan.template,
        template,
        *(f"{collection}/{slug}:{hash_}" for (collection, slug), hash_ in shown),
    )
