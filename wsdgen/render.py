"""Stage 5: render page plans to bytes with Jinja; Markdown bodies are rendered once each.

Templates come from the site's ``templates/`` first, then from the built-in theme, so a
site overrides any built-in template by placing one with the same name.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from . import dates
from . import diagnostics as diag
from .assets import Assets
from .diagnostics import Diagnostic
from .graph import Site, entry_date
from .ical import calendar_bytes
from .markup import MARKDOWN_SECONDS, body_key, render_markdown_bounded
from .pages import SOORT_LABELS, PagePlan, menu_pages
from .records import Entry
from .templates import RefusedTemplate, SafeLoader, shown_name
from .workers import map_in_workers

# Plans with this template name are made with the icalendar library, not with Jinja.
CALENDAR = "calendar.ics"

BodyCache = MutableMapping[str, str]


@dataclass(frozen=True, slots=True)
class Rendered:
    """One finished output file: its path relative to the output folder and its bytes."""

    file: str
    data: bytes


class RenderError(Exception):
    """A template that fails; carries a diagnostic naming the template file and line."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


def make_environment(site_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=SafeLoader(site_dir),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        date_long=dates.long_date,
        date_weekday=dates.weekday_date,
        time=dates.short_time,
        iso=lambda value: value.isoformat(),
        atom_date=lambda value: f"{value.isoformat()}T00:00:00Z",
    )
    return env


def _render_body(item: tuple[str, str, str]) -> tuple[str, str | None]:
    key, text, base_path = item
    return key, render_markdown_bounded(text, base_path)


# Body keys whose Markdown took too long: `serve` must not try them again on every edit.
_TOO_SLOW: set[str] = set()
TOO_SLOW_MESSAGE = (
    "de tekst onder de kopregels is te ingewikkeld om om te zetten (meer dan "
    f"{MARKDOWN_SECONDS:.0f} seconden werk); dat komt meestal door heel veel [ of ( "
    "zonder sluitteken. Haal die weg of zet de tekst in een codeblok"
)

Bodies = dict[tuple[str, str], Markup]


def render_bodies(
    site: Site, cache: BodyCache | None = None, jobs: int = 1
) -> tuple[Bodies, list[Diagnostic]]:
    """Render every entry's Markdown body once, reusing cached HTML by content hash.

    Markdown is where a Python generator spends its time, so bodies that are not in
    the cache are rendered by ``jobs`` worker processes. A body that takes too long is
    an error on its file; the others are rendered all the same.
    """
    cache = {} if cache is None else cache
    base_path = site.config.base_path
    keys = {entry.key: body_key(entry.body, base_path) for entry in site.entries()}
    missing: dict[str, str] = {}
    for entry in site.entries():
        key = keys[entry.key]
        if key not in missing and key not in _TOO_SLOW and cache.get(key) is None:
            missing[key] = entry.body
    items = [(key, text, base_path) for key, text in missing.items()]
    for key, html in map_in_workers(_render_body, items, jobs):
        if html is None:
            _TOO_SLOW.add(key)
        else:
            cache[key] = Markup(html)
    problems = [
        diag.error(entry.source.path, 1, TOO_SLOW_MESSAGE)
        for entry in site.entries()
        if keys[entry.key] in _TOO_SLOW
    ]
    bodies = {
        entry_key: as_markup(cache, key) for entry_key, key in keys.items() if key not in _TOO_SLOW
    }
    return bodies, problems


def as_markup(cache: BodyCache, key: str) -> Markup:
    """The cached HTML as Markup; kept as Markup so later builds need not copy it."""
    value = cache[key]
    if not isinstance(value, Markup):
        value = Markup(value)
        if isinstance(cache, dict):
            cache[key] = value
    return value


def page_globals(
    site: Site, assets: Assets, bodies: dict[tuple[str, str], Markup]
) -> dict[str, object]:
    config = site.config

    def body(entry: Entry) -> Markup:
        return bodies.get(entry.key, Markup(""))

    def asset(name: str) -> str:
        return config.url(assets.urls.get(name, f"/assets/{name}"))

    return {
        "site": site,
        "config": config,
        "today": site.today,
        "menu": config.menu,
        "menu_pages": menu_pages(site.paginas.values()),
        "soort_labels": SOORT_LABELS,
        "entry_date": entry_date,
        "body": body,
        "asset": asset,
        "url": config.url,
        "absolute_url": config.absolute_url,
    }


def _template_diagnostic(site_dir: Path, exc: Exception) -> Diagnostic:
    """Point at the template (site or built-in) and line where rendering failed."""
    if isinstance(exc, RefusedTemplate):
        return diag.error(exc.shown, 1, exc.reason)
    name = getattr(exc, "filename", None) or getattr(exc, "name", None) or "templates"
    line = getattr(exc, "lineno", None) or 1
    shown = shown_name(site_dir, Path(name)) if Path(name).is_absolute() else str(name)
    message = getattr(exc, "message", None) or str(exc)
    return diag.error(shown, line, f"fout in sjabloon: {message}")


# What forked page-rendering workers need; set just before the pool starts.
_WORKER_STATE: tuple[list[PagePlan], jinja2.Environment, Site] | None = None


def _render_plan_at(index: int) -> Rendered | Diagnostic:
    assert _WORKER_STATE is not None
    plans, env, site = _WORKER_STATE
    try:
        return render_one(plans[index], env, site)
    except RenderError as exc:
        return exc.diagnostic


def render_pages(
    plans: Sequence[PagePlan],
    env: jinja2.Environment,
    site: Site,
    assets: Assets,
    bodies: dict[tuple[str, str], Markup],
    progress: Callable[[int, int], None] | None = None,
    jobs: int = 1,
) -> list[Rendered]:
    """Render every plan (in ``jobs`` processes); raise RenderError on a failing template."""
    global _WORKER_STATE
    env.globals.update(page_globals(site, assets, bodies))
    plans = list(plans)
    _WORKER_STATE = (plans, env, site)
    rendered: list[Rendered] = []
    try:
        for count, result in enumerate(map_in_workers(_render_plan_at, range(len(plans)), jobs), 1):
            if isinstance(result, Diagnostic):
                raise RenderError(result)
            rendered.append(result)
            if progress:
                progress(count, len(plans))
    finally:
        _WORKER_STATE = None
    return rendered


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
    try:
        template = env.get_template(plan.template)
        text = template.render(page_path=plan.path, **plan.context)
    except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
        raise RenderError(_template_diagnostic(site.config.site_dir, exc)) from exc
    return Rendered(plan.output_file, text.encode("utf-8"))
