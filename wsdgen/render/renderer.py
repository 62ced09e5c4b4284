"""Stage 5: render page plans to bytes with Jinja; Markdown bodies are rendered once each.

Templates come from the site's ``templates/`` first, then from the built-in theme, so a
site overrides any built-in template by placing one with the same name.
"""

from __future__ import annotations

import functools
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape as html_unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup, escape

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

from wsdgen import dates
from wsdgen import diagnostics as diag
from wsdgen.body.markup import MARKDOWN_SECONDS, body_key, render_markdown_bounded
from wsdgen.budget import WorkBudget
from wsdgen.cache.partcache import NewParts, slot_of
from wsdgen.check.graph import Site, entry_date
from wsdgen.diagnostics import Diagnostic
from wsdgen.media.assets import Assets
from wsdgen.media.prepare import Media, Picture, Report
from wsdgen.plan.pageplan import EntryKey, PagePlan, entry_card_deps
from wsdgen.plan.views import entry_details, menu_pages
from wsdgen.records import Entry
from wsdgen.render.ical import calendar_bytes
from wsdgen.render.sandbox import SandboxEnvironment
from wsdgen.render.templates import RefusedTemplate, SafeLoader, shown_name
from wsdgen.schema import SOORT_LABELS
from wsdgen.session import current
from wsdgen.workers import map_in_workers, raising_after

if TYPE_CHECKING:
    from wsdgen.cache.pagecache import StoredFile

# Plans with this template name are made with the icalendar library, not with Jinja.
CALENDAR = "calendar.ics"

BodyCache = MutableMapping[str, str]


@dataclass(frozen=True, slots=True)
class Rendered:
    """One finished output file: its path relative to the output folder and its bytes;
    a page taken from the page cache also says which stored file holds those bytes, so
    the writer can link it instead of writing it again (publish/output.write_page)."""

    file: str
    data: bytes
    stored: StoredFile | None = field(default=None, compare=False)


class RenderError(Exception):
    """A template that fails; carries a diagnostic naming the template file and line."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


class PlanTemplate(jinja2.Template):
    """A template whose imported module is made again for every page instead of being
    kept by Jinja across pages and rebuilds: a kept module would hold what its top-level
    code showed the first time (a body, say) and the helpers of an earlier rebuild."""

    def _get_default_module(self, ctx: Any = None) -> Any:
        if ctx is not None:
            keys = ctx.globals_keys - self.globals.keys()
            if keys:
                return self.make_module({key: ctx.parent[key] for key in keys})
        return self.make_module()


class PlanEnvironment(SandboxEnvironment):
    """The sandbox (render/sandbox.py) with templates whose imported modules are made anew
    for every page (PlanTemplate)."""

    template_class = PlanTemplate


def make_environment(
    site_dir: Path, compiled: jinja2.BytecodeCache | None = None
) -> jinja2.Environment:
    """The sandboxed environment of a build; ``compiled`` keeps compiled templates
    between builds (cache/templatecode.py)."""
    env = PlanEnvironment(
        loader=SafeLoader(site_dir),
        bytecode_cache=compiled,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Templates do not change during a build, and serve makes a new environment
        # when one does (incremental/rebuild.py): no stat of every template per page.
        auto_reload=False,
    )
    env.filters.update(
        date_long=dates.long_date,
        date_weekday=dates.weekday_date,
        time=dates.short_time,
        iso=lambda value: value.isoformat(),
        atom_date=lambda value: f"{value.isoformat()}T00:00:00Z",
    )
    return env


def _render_body(item: tuple[str, str, str]) -> tuple[str, str | None, float]:
    """One body to HTML (None when too slow), and the seconds it took."""
    key, text, base_path = item
    started = time.perf_counter()
    html = render_markdown_bounded(text, base_path)
    return key, html, time.perf_counter() - started


# Body keys whose Markdown took too long are kept in the session (`session.too_slow`):
# `serve` must not try them again on every edit.
TOO_SLOW_MESSAGE = (
    "de tekst onder de kopregels is te ingewikkeld om om te zetten (meer dan "
    f"{MARKDOWN_SECONDS:.0f} seconden werk); dat komt meestal door heel veel [ of ( "
    "zonder sluitteken. Haal die weg of zet de tekst in een codeblok"
)


class Bodies(dict[tuple[str, str], Markup]):
    """Rendered bodies by entry key. A body that was not rendered beforehand (a build
    with --cache renders only those of the pages it makes) is rendered when a template
    asks for it, so a page never shows a missing body."""

    def __init__(self, site: Site, cache: BodyCache) -> None:
        super().__init__()
        self.entries = {entry.key: entry for entry in site.entries()}
        self.cache = cache
        self.base_path = site.config.base_path
        # While `serve` renders a page: the entries whose bodies the page shows.
        self.asked: set[tuple[str, str]] | None = None

    def replace_entry(self, entry: Entry) -> None:
        """Show ``entry``'s (new) body from now on; `serve` after a body-only edit."""
        self.entries[entry.key] = entry
        self.pop(entry.key, None)

    def __missing__(self, entry_key: tuple[str, str]) -> Markup:
        entry = self.entries[entry_key]
        key = body_key(entry.body, self.base_path)
        if self.cache.get(key) is None:
            _, html, _ = _render_body((key, entry.body, self.base_path))
            if html is None:
                current().too_slow.add(key)  # not tried again by the next rebuild
                raise RenderError(diag.error(entry.source.path, 1, TOO_SLOW_MESSAGE))
            self.cache[key] = Markup(html)
        self[entry_key] = as_markup(self.cache, key)
        return self[entry_key]


def render_bodies(
    site: Site,
    cache: BodyCache | None = None,
    jobs: int = 1,
    needed: Collection[tuple[str, str]] | None = None,
    budget: WorkBudget | None = None,
) -> tuple[Bodies, list[Diagnostic]]:
    """Render the entries' Markdown bodies once, reusing cached HTML by content hash:
    every body, or only those of the entries in ``needed``.

    Markdown is where a Python generator spends its time, so bodies that are not in
    the cache are rendered by ``jobs`` worker processes. A body that takes too long is
    an error on its file; the others are rendered all the same, until the build's
    ``budget`` of work is used up (then the slowest files are errors).
    """
    cache = {} if cache is None else cache
    too_slow = current().too_slow
    base_path = site.config.base_path
    entries = [e for e in site.entries() if needed is None or e.key in needed]
    keys = {entry.key: body_key(entry.body, base_path) for entry in entries}
    missing: dict[str, str] = {}
    for entry in entries:
        key = keys[entry.key]
        if key not in missing and key not in too_slow and cache.get(key) is None:
            missing[key] = entry.body
    items = [(key, text, base_path) for key, text in missing.items()]
    budget = WorkBudget() if budget is None else budget
    paths = {keys[entry.key]: entry.source.path for entry in entries}
    for key, html, seconds in map_in_workers(_render_body, items, jobs):
        if html is None:
            too_slow.add(key)
        else:
            cache[key] = Markup(html)
        if not budget.spend(paths[key], seconds):
            return Bodies(site, cache), budget.problems()
    problems = [
        diag.error(entry.source.path, 1, TOO_SLOW_MESSAGE)
        for entry in entries
        if keys[entry.key] in too_slow
    ]
    bodies = Bodies(site, cache)
    bodies.update(
        (entry, as_markup(cache, key)) for entry, key in keys.items() if key not in too_slow
    )
    return bodies, problems


def as_markup(cache: BodyCache, key: str) -> Markup:
    """The cached HTML as Markup; kept as Markup so later builds need not copy it."""
    value = cache[key]
    if not isinstance(value, Markup):
        value = Markup(value)
        if isinstance(cache, dict):
            cache[key] = value
    return value


FragmentKey = tuple[object, ...]

CONTAINER_TYPES = frozenset({tuple, list, dict})


def fragment_key(name: str, args: dict[str, object]) -> tuple[FragmentKey, tuple[object, ...]]:
    """A fragment's cache key, and the objects it names by identity. They are kept
    with the fragment: while it is cached no other object can have their ids, so an
    equal key means the same objects.

    Arguments count by identity; a tuple, list or dict (a year of a list, the
    ``owners`` of a page) by the identity of its items (and a dict's names), since
    plans hold their lists in new containers for every page. Records are immutable,
    and plans are not changed once made, so the same objects show the same."""
    values = tuple(args.values())
    if CONTAINER_TYPES.isdisjoint(map(type, values)):
        return (name, *args, *map(id, values)), values
    shape: list[object] = []
    pinned: list[object] = []
    for value in values:
        if type(value) is dict:
            shape.append((dict, tuple(value)))
            pinned += value.values()
        elif type(value) in CONTAINER_TYPES:
            shape.append(len(value))  # type: ignore[arg-type]
            pinned += value  # type: ignore[arg-type]
        else:
            shape.append(None)
            pinned.append(value)
    return (name, *args, *shape, *map(id, pinned)), tuple(pinned)


class Fragments:
    """Snippets that many pages repeat (a card, a year of a list), each rendered once.

    ``fragment(name, **args)`` in a template renders the template ``name`` with only
    ``args`` and the globals. The result is kept by name and arguments (see
    fragment_key); records are immutable, so an edited entry is a new object and a
    miss. What the globals show is the same for the lifetime of one instance: `serve`
    keeps one while the site-wide inputs and templates stay the same (``reset``), a
    build makes its own and keeps only the small ones. The bodies a fragment shows are
    remembered with it, so a page that takes it from here still counts as showing them
    (see Bodies.asked)."""

    # Beyond these, everything is forgotten (`serve` keeps one instance for hours).
    LIMIT = 200_000
    SIZE_LIMIT = 200_000_000  # characters
    # A build keeps only fragments up to this size (the cards, which several pages
    # show); a year of a list is on one page only, and a build renders each page once.
    SMALL = 4096

    def __init__(self, keep_large: bool = False) -> None:
        self.found: dict[FragmentKey, tuple[tuple[object, ...], Markup, frozenset[EntryKey]]] = {}
        self.stamp = ""
        self.size = 0
        self.keep_large = keep_large
        # The digest (with all it uses) of each fragment template when its fragments were
        # made, and how to compute it now (`serve` sets it in reset; a build never does).
        self.digests: dict[str, str] = {}
        self.digest_of: Callable[[str], str] | None = None

    def reset(self, stamp: str, digest_of: Callable[[str], str]) -> None:
        """Forget every fragment when the site-wide inputs (``stamp``) changed, and the
        fragments of each template whose digest ``digest_of`` gives differs from the one
        it had when they were made (an edit of base.html keeps every card)."""
        if stamp != self.stamp:
            self.clear()
            self.stamp = stamp
        self.digest_of = digest_of
        stale = {name for name, digest in self.digests.items() if digest_of(name) != digest}
        for name in stale:
            del self.digests[name]
        self._forget(key for key in self.found if key[0] in stale)

    def clear(self) -> None:
        self.found.clear()
        self.digests.clear()
        self.size = 0

    def forget_showing(self, keys: Collection[EntryKey]) -> None:
        """Forget the fragments that show the body of one of these entries."""
        wanted = set(keys)
        self._forget(key for key, (_, _, shown) in self.found.items() if shown & wanted)

    def _forget(self, keys: Iterable[FragmentKey]) -> None:
        for key in list(keys):
            self.size -= len(self.found.pop(key)[1])

    def keep(
        self, key: FragmentKey, pinned: tuple[object, ...], html: Markup, shown: frozenset[EntryKey]
    ) -> None:
        if not self.keep_large and len(html) > self.SMALL:
            return
        if len(self.found) >= self.LIMIT or self.size > self.SIZE_LIMIT:
            self.clear()
        name = str(key[0])
        if self.digest_of is not None and name not in self.digests:
            self.digests[name] = self.digest_of(name)
        self.found[key] = (pinned, html, shown)
        self.size += len(html)

    def renderer(self, bodies: Bodies) -> Callable[..., Markup]:
        @jinja2.pass_environment
        def fragment(env: jinja2.Environment, name: str, **args: object) -> Markup:
            key, pinned = fragment_key(name, args)
            hit = self.found.get(key)
            if hit is not None:
                if bodies.asked is not None:
                    bodies.asked.update(hit[2])
                return hit[1]
            slot = card_slot(name, args)
            kept = kept_card(slot)
            if kept is not None:
                html, shown = kept
            else:
                outer, bodies.asked = bodies.asked, set()
                try:
                    html = Markup(env.get_template(name).render(**args))
                    shown = frozenset(bodies.asked)
                finally:
                    bodies.asked = outer
                keep_card(slot, html, shown)
            if bodies.asked is not None:
                bodies.asked.update(shown)
            self.keep(key, pinned, html, shown)
            return html

        return fragment


# What a card kept between builds may take: entries (by the entries their cards show,
# plan/pageplan.entry_card_deps) and plain values.
PLAIN_TYPES = (str, int, bool, type(None))


@dataclass(frozen=True, slots=True)
class CardSlot:
    """Where a card kept between --cache builds is found (cache/partcache.py)."""

    slot: str
    made_from: str  # the digest of its template, arguments and the entries they show
    keys: list[EntryKey]  # the entries it is a card of
    covered: frozenset[EntryKey]  # the entries whose files the digest covers


def card_slot(name: str, args: dict[str, object]) -> CardSlot | None:
    """The slot of a card: None outside a --cache build, and for a fragment with other
    arguments than entries and plain values (a list, a year of cards)."""
    parts = current().parts
    if parts is None:
        return None
    named: list[object] = [name]
    keys: list[EntryKey] = []
    covered: set[EntryKey] = set()
    for argument, value in args.items():
        if isinstance(value, Entry):
            named.append((argument, value.key))
            keys.append(value.key)
            covered |= entry_card_deps(value)
        elif isinstance(value, PLAIN_TYPES):
            named.append((argument, type(value).__name__, value))
        else:
            return None
    made_from = parts.made_from(parts.template_digest(name), *named, shown=covered)
    return CardSlot(slot_of(*named), made_from, keys, frozenset(covered))


def kept_card(found: CardSlot | None) -> tuple[Markup, frozenset[EntryKey]] | None:
    """The card as a --cache build kept it, with the entries whose bodies it shows."""
    parts = current().parts
    if found is None or parts is None:
        return None
    value = parts.cards.get(found.slot, found.made_from)
    if not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], str):
        return None
    try:
        shown = frozenset((str(c), str(s)) for c, s in value[1])
    except (TypeError, ValueError):
        return None
    return (Markup(value[0]), shown) if shown <= found.covered else None


def keep_card(found: CardSlot | None, html: Markup, shown: frozenset[EntryKey]) -> None:
    """Keep a card for the next --cache build, unless it shows the body of an entry its
    digest does not cover."""
    parts = current().parts
    if found is not None and parts is not None and shown <= found.covered:
        value = [str(html), sorted(map(list, shown))]
        parts.cards.put(found.slot, found.made_from, value, found.keys)


def page_globals(
    site: Site, assets: Assets, bodies: Bodies, media: Media, fragments: Fragments | None = None
) -> dict[str, object]:
    config = site.config
    by_url = {config.url(path): picture for path, picture in media.pictures.items()}

    def body(entry: Entry) -> Markup:
        if bodies.asked is not None:
            bodies.asked.add(entry.key)
        html = bodies[entry.key] if entry.key in bodies.entries else Markup("")
        return Markup(with_pictures(html, by_url)) if "<img" in html else html

    def picture(entry: Entry) -> Markup:
        """The entry's own image, at the top of its page (so not lazy)."""
        found = media.pictures.get(entry.afbeelding or "")
        if found is None:
            return Markup("")
        alt = "" if entry.afbeelding_decoratief else entry.afbeelding_alt or ""
        return Markup(picture_markup(found, escape(alt), lazy=False))

    def og_image(entry: object) -> str:
        found = media.pictures.get(getattr(entry, "afbeelding", None) or "")
        return config.absolute_url(found.largest) if found else ""

    def report(entry: Entry) -> Report | None:
        return media.reports.get(getattr(entry, "url", None) or "")

    def asset(name: str) -> str:
        return config.url(assets.urls.get(name, f"/assets/{name}"))

    return {
        "site": GRAPH_GUARD,
        "config": config,
        "today": site.today,
        "menu": config.menu,
        "menu_pages": menu_pages(site.paginas.values()),
        "footer_pages": tuple(site.paginas.values()),
        "soort_labels": SOORT_LABELS,
        "entry_date": entry_date,
        "body": body,
        "picture": picture,
        "details": entry_details,
        "og_image": og_image,
        "report": report,
        "asset": asset,
        "url": config.url,
        "absolute_url": config.absolute_url,
        # A werkplaats's own page sets it, so that its cards do not repeat its name.
        "own_werkplaats": None,
        "fragment": (fragments or Fragments()).renderer(bodies),
    }


class GraphGuard:
    """What templates find under the old name ``site``: any use is a clear error.

    A template shows what its page plan holds (and the site-wide settings); reaching
    into the site graph would make `serve` and cached builds miss its real inputs."""

    def __getattr__(self, name: str) -> object:
        raise jinja2.TemplateRuntimeError(
            f"een sjabloon kan 'site.{name}' niet gebruiken: een pagina toont alleen wat "
            "haar plan meekrijgt (zoals entry, related, owners, menu en config)"
        )

    def __getitem__(self, name: str) -> object:
        return self.__getattr__(str(name))


GRAPH_GUARD = GraphGuard()


# Images in the text column: as wide as the column (42rem) or the screen on a phone.
IMAGE_SIZES = "(min-width: 45rem) 42rem, calc(100vw - 2rem)"
IMG_TAG = re.compile(r"<img\b([^>]*)>")
ATTRIBUTE = re.compile(r'([a-zA-Z-]+)="([^"]*)"')


def picture_markup(picture: Picture, alt: str, lazy: bool) -> str:
    """A <picture> with WebP and the original format in every width; ``alt`` is
    already HTML-escaped. Width and height keep the room free while it loads."""
    loading = ' loading="lazy"' if lazy else ""
    return (
        f'<picture><source type="image/webp" srcset="{escape(picture.webp_srcset)}" '
        f'sizes="{IMAGE_SIZES}"><img src="{escape(picture.src)}" '
        f'srcset="{escape(picture.srcset)}" sizes="{IMAGE_SIZES}" width="{picture.width}" '
        f'height="{picture.height}" alt="{alt}"{loading} decoding="async"></picture>'
    )


def with_pictures(html: str, pictures: dict[str, Picture]) -> str:
    """A sanitised body with each of its site images swapped for its variants.

    The media stage checked every image of every body (the one image rule), so an
    <img> it did not prepare is left out: a page never shows an unchecked image."""

    def swap(match: re.Match[str]) -> str:
        attributes = dict(ATTRIBUTE.findall(match[1]))
        found = pictures.get(html_unescape(attributes.get("src", "")))
        if found is None:
            return ""
        return picture_markup(found, attributes.get("alt", ""), lazy=True)

    return IMG_TAG.sub(swap, html)


def template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The template file and line where an error in a running template arose: the
    innermost traceback frame of template code (Jinja rewrites those frames to the
    template's own file and line)."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        frame_globals = tb.tb_frame.f_globals
        template = frame_globals.get("__jinja_template__")
        if "__jinja_exception__" in frame_globals:  # Jinja's rewritten template frame
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        elif template is not None and template.filename:
            found = (template.filename, template.get_corresponding_lineno(tb.tb_lineno))
        tb = tb.tb_next
    return found


# A template is data, but a loop in it can still burn the CI job's time: one page may
# take this much CPU time (a page of 4,000 cards takes well under a second).
TEMPLATE_CPU_SECONDS = 10.0
TEMPLATE_TOO_SLOW_MESSAGE = (
    "fout in sjabloon: het maken van één pagina kost meer dan "
    f"{TEMPLATE_CPU_SECONDS:.0f} seconden rekentijd; kijk of een lus (for) in het "
    "sjabloon veel te vaak herhaalt"
)


# Nor may it make huge values ('x'.ljust(10**10), '%999999999s'|format, a text doubled
# in a loop): while one page renders, the process may take this much more address
# space, and a page may be this long; past either the page is an error, so a template
# cannot exhaust the CI job's memory or disk (a page of 4,000 cards is about 4 MB).
TEMPLATE_MEMORY_BYTES = 1024**3
MAX_PAGE_CHARACTERS = 32 * 1024 * 1024
TEMPLATE_TOO_BIG_MESSAGE = (
    "fout in sjabloon: het maken van één pagina vraagt te veel geheugen (meer dan "
    f"{TEMPLATE_MEMORY_BYTES // 1024**2} MB) of maakt een pagina van meer dan "
    f"{MAX_PAGE_CHARACTERS // 1024**2} MB; kijk of het sjabloon een heel lange tekst of "
    "lijst maakt (zoals center, ljust, format of een tekst die in een lus steeds groeit)"
)


class TemplateTooSlow(Exception):
    """Raised inside a template that ran out of CPU time (see cpu_time_limit)."""


@contextmanager
def cpu_time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` of this process's CPU time.

    It uses the process's profiling timer (SIGPROF: user and system time, so the time
    the kernel spends handing out memory counts too), not the real-time one that bounds
    Markdown (body/markup.py), so a body converted while a page renders keeps its own bound.
    Outside the main thread (where signals cannot be handled) the block runs unbounded."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return
    with raising_after(signal.ITIMER_PROF, signal.SIGPROF, seconds, TemplateTooSlow):
        yield


def _address_space() -> int | None:
    """This process's address space in bytes (Linux), or None where it is unknown."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def memory_limit(extra: int) -> Iterator[None]:
    """Let the block take at most ``extra`` more bytes of address space: past it an
    allocation raises MemoryError instead of waking the kernel's OOM killer.

    Only in the main thread (as cpu_time_limit), and only where RLIMIT_AS works; a
    tighter limit someone set already stays."""
    used = _address_space()
    if (
        resource is None
        or used is None
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = used + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY and soft <= limit:
        yield
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


RECURSION_MESSAGE = (
    "fout in sjabloon: het sjabloon gebruikt zichzelf steeds opnieuw (via include, "
    "extends, import of fragment); haal die kringloop weg"
)


def _template_diagnostic(site_dir: Path, exc: Exception) -> Diagnostic:
    """Point at the template (site or built-in) and line where rendering failed."""
    if isinstance(exc, RefusedTemplate):
        return diag.error(exc.shown, 1, exc.reason)
    name = getattr(exc, "filename", None) or getattr(exc, "name", None)
    line = getattr(exc, "lineno", None)
    if name is None or line is None:
        name, line = template_frame(exc) or (name or "templates", line or 1)
    shown = shown_name(site_dir, Path(name)) if Path(name).is_absolute() else str(name)
    message = getattr(exc, "message", None) or str(exc)
    return diag.error(shown, line, f"fout in sjabloon: {message}")


# What forked page-rendering workers need; set just before the pool starts.
_WORKER_STATE: tuple[list[PagePlan], jinja2.Environment, Site] | None = None


def _render_plan_at(index: int) -> tuple[Rendered | Diagnostic, float, NewParts | None]:
    """One page (or the template error it gave), the seconds it took, and the cards and
    events it made that a --cache build keeps (a forked worker's own go back this way)."""
    assert _WORKER_STATE is not None
    plans, env, site = _WORKER_STATE
    started = time.perf_counter()
    try:
        result: Rendered | Diagnostic = render_one(plans[index], env, site)
    except RenderError as exc:
        result = exc.diagnostic
    parts = current().parts
    return result, time.perf_counter() - started, parts.take_new() if parts else None


def render_pages(
    plans: Sequence[PagePlan],
    env: jinja2.Environment,
    site: Site,
    assets: Assets,
    bodies: Bodies,
    media: Media,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
    budget: WorkBudget | None = None,
) -> list[Rendered]:
    """Render every plan (in ``jobs`` processes); raise RenderError on a failing template."""
    return list(iter_pages(plans, env, site, assets, bodies, media, progress, jobs, budget))


def iter_pages(
    plans: Sequence[PagePlan],
    env: jinja2.Environment,
    site: Site,
    assets: Assets,
    bodies: Bodies,
    media: Media,
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
    budget: WorkBudget | None = None,
) -> Iterator[Rendered]:
    """The pages of ``plans`` in their order, each as soon as it is rendered (in ``jobs``
    processes); raise RenderError on a failing template.

    Each page may take TEMPLATE_CPU_SECONDS; all pages together count towards the
    build's ``budget`` of work, on their templates (a slow loop in base.html costs
    little per page and a lot per build)."""
    global _WORKER_STATE
    env.globals.update(page_globals(site, assets, bodies, media))
    plans = list(plans)
    _WORKER_STATE = (plans, env, site)
    try:
        results = map_in_workers(_render_plan_at, range(len(plans)), jobs)
        parts = current().parts
        for count, (result, seconds, made) in enumerate(results, 1):
            if parts is not None and made is not None:
                parts.add(made)
            if isinstance(result, Diagnostic):
                raise RenderError(result)
            if budget is not None:
                template = plans[count - 1].template
                if not budget.spend(template_path(env, site, template), seconds):
                    raise RenderError(budget.problems()[0])
            if progress:
                progress(count, len(plans))
            yield result
    finally:
        _WORKER_STATE = None


@functools.lru_cache(maxsize=256)
def _template_path(env: jinja2.Environment, site_dir: Path, name: str) -> str:
    """Found without compiling the template: the main process of a build only counts
    the seconds of pages that its workers render (and compile the templates for)."""
    loader = env.loader
    try:
        filename = loader.filename_of(name) if isinstance(loader, SafeLoader) else None
    except jinja2.TemplateError:
        return name
    return shown_name(site_dir, Path(filename)) if filename else name


def template_path(env: jinja2.Environment, site: Site, name: str) -> str:
    """A page template's file as messages show it (templates/... or the theme's)."""
    return _template_path(env, site.config.site_dir, name)


def render_one(plan: PagePlan, env: jinja2.Environment, site: Site) -> Rendered:
    if plan.template == CALENDAR:
        data = calendar_bytes(
            plan.context["cafes"],  # type: ignore[arg-type]
            site.werkplaatsen,
            site.config,
            site.today,
            str(plan.context["name"]),
        )
        return Rendered(plan.output_file, data)
    where = plan.template  # the template's file once it is loaded
    try:
        template = env.get_template(plan.template)
        where = template.filename or where
        with memory_limit(TEMPLATE_MEMORY_BYTES), cpu_time_limit(TEMPLATE_CPU_SECONDS):
            text = template.render(page_path=plan.path, **plan.context)
            if len(text) > MAX_PAGE_CHARACTERS:
                text = ""
                raise MemoryError
    except MemoryError as exc:
        name, line = template_frame(exc) or (where, 1)
        shown = shown_name(site.config.site_dir, Path(name)) if Path(name).is_absolute() else name
        raise RenderError(diag.error(shown, line, TEMPLATE_TOO_BIG_MESSAGE)) from None
    except TemplateTooSlow as exc:
        name, line = template_frame(exc) or (plan.template, 1)
        shown = shown_name(site.config.site_dir, Path(name)) if Path(name).is_absolute() else name
        raise RenderError(diag.error(shown, line, TEMPLATE_TOO_SLOW_MESSAGE)) from None
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        raise RenderError(_template_diagnostic(site.config.site_dir, exc)) from exc
    except RecursionError as exc:
        name, line = template_frame(exc) or ("templates", 1)
        shown = shown_name(site.config.site_dir, Path(name)) if Path(name).is_absolute() else name
        raise RenderError(diag.error(shown, line, RECURSION_MESSAGE)) from None
    return Rendered(plan.output_file, text.encode("utf-8"))
