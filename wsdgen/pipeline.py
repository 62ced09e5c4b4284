"""The whole pipeline on one screen: load, validate, link, plan, render, write."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import diagnostics as diag
from .assets import Assets, collect_assets
from .cache import DiskCache, cache_location_problem
from .config import Overrides, SiteConfig, config_warnings, load_config
from .diagnostics import Diagnostic
from .graph import Site, link_site
from .output import publish, replace_problem
from .pages import PagePlan, path_problems, plan_pages
from .render import BodyCache, Rendered, RenderError, make_environment, render_bodies, render_pages
from .search import write_search_index
from .sources import SourceCache, read_sources
from .templates import check_site_templates
from .validate import ValidationCache, cached_validator, validate_entries

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2

# Called as pages are rendered: (pages done, pages in all).
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BuildOptions:
    site_dir: Path = Path(".")
    out: str | None = None
    base_url: str | None = None
    drafts: bool = False
    strict: bool = False
    today: dt.date = field(default_factory=dt.date.today)
    write: bool = True
    jobs: int = 1


@dataclass(slots=True)
class BuildResult:
    exit_code: int
    diagnostics: list[Diagnostic]
    pages: int = 0
    seconds: float = 0.0
    out_dir: Path | None = None
    site: Site | None = None
    rendered: list[Rendered] = field(default_factory=list)
    # What could be loaded despite content errors, so later stages can add theirs.
    partial: Loaded | None = None


@dataclass(frozen=True, slots=True)
class Loaded:
    """Everything read and checked from the site folder, before any page is rendered."""

    config: SiteConfig
    site: Site
    assets: Assets
    diagnostics: list[Diagnostic]


def load_site(
    options: BuildOptions,
    sources: SourceCache | None = None,
    validated: ValidationCache | None = None,
) -> tuple[Loaded | None, BuildResult | None]:
    """Stages 0-3: config, sources, validation and the site graph, with all problems.

    `serve` passes its caches, so unchanged files are neither parsed nor validated again.
    """
    overrides = Overrides(output=options.out, base_url=options.base_url)
    config, config_problems = load_config(options.site_dir, overrides)
    if config is None:
        return None, BuildResult(EXIT_USAGE, config_problems)
    raw_entries, read_problems = read_sources(config.site_dir, sources)
    assets, asset_problems = collect_assets(config.site_dir)
    asset_problems += check_site_templates(config.site_dir)
    validate_one = (
        cached_validator(validated, config.extra_fields) if validated is not None else None
    )
    records, rejected, validation_problems = validate_entries(
        raw_entries, config.extra_fields, validate_one
    )
    site, graph_problems = link_site(records, config, options.today, options.drafts, rejected)
    problems = diag.apply_strict(
        [
            *config_warnings(config),
            *read_problems,
            *asset_problems,
            *validation_problems,
            *graph_problems,
        ],
        options.strict,
    )
    problems = diag.sorted_unique(problems)
    if diag.has_errors(problems):
        partial = Loaded(config, site, assets, problems)
        return None, BuildResult(EXIT_CONTENT, problems, site=site, partial=partial)
    return Loaded(config, site, assets, problems), None


def plan_site(loaded: Loaded) -> tuple[list[PagePlan], list[Diagnostic]]:
    """Stage 4: plan every page, and check that every planned file has a place of its own."""
    plans = plan_pages(loaded.site)
    return plans, path_problems(plans, loaded.assets)


def render_site(
    loaded: Loaded,
    plans: list[PagePlan],
    body_cache: BodyCache | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> tuple[list[Rendered], list[Diagnostic]]:
    """Stage 5: render every planned page in memory (may raise RenderError).

    Bodies that cannot be converted are errors on their files; then no page is rendered.
    """
    bodies, body_problems = render_bodies(loaded.site, body_cache, jobs)
    if body_problems:
        return [], body_problems
    env = make_environment(loaded.config.site_dir)
    rendered = render_pages(plans, env, loaded.site, loaded.assets, bodies, progress, jobs)
    return rendered, []


def build(
    options: BuildOptions,
    body_cache: BodyCache | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site; write it (atomically) only if every stage succeeded."""
    started = time.perf_counter()
    loaded, failed = load_site(options)
    if failed is not None:
        return with_later_problems(failed, body_cache, options.jobs)
    assert loaded is not None
    out_dir = loaded.config.output_dir
    if options.write:
        problem = replace_problem(out_dir) or cache_folder_problem(body_cache, loaded.config)
        if problem:
            return BuildResult(EXIT_USAGE, [diag.error("config.yaml", 1, problem)])
    plans, problems = plan_site(loaded)
    try:
        rendered, body_problems = render_site(loaded, plans, body_cache, options.jobs, progress)
    except RenderError as exc:
        body_problems, rendered = [exc.diagnostic], []
    problems = diag.sorted_unique([*loaded.diagnostics, *problems, *body_problems])
    if diag.has_errors(problems):
        return BuildResult(EXIT_CONTENT, problems, site=loaded.site)
    if options.write:
        write_problems = publish(
            rendered,
            loaded.assets.files,
            out_dir,
            loaded.config.site_dir,
            finish=write_search_index,
        )
        if write_problems:
            return BuildResult(EXIT_CONTENT, [*problems, *write_problems])
    return BuildResult(
        EXIT_OK,
        problems,
        pages=len(rendered),
        seconds=time.perf_counter() - started,
        out_dir=out_dir,
        site=loaded.site,
        rendered=rendered,
    )


def cache_folder_problem(body_cache: BodyCache | None, config: SiteConfig) -> str | None:
    """A disk cache may not lie in the site's source folders or the output (Dutch)."""
    if not isinstance(body_cache, DiskCache):
        return None
    return cache_location_problem(body_cache.folder, config.site_dir, config.output_dir)


def with_later_problems(
    failed: BuildResult, body_cache: BodyCache | None, jobs: int
) -> BuildResult:
    """Add the problems of planning (paths) and of the Markdown bodies to a failed
    build's errors, so an editor sees every problem in one run."""
    if failed.partial is None:
        return failed
    try:
        _, path_found = plan_site(failed.partial)
    except LookupError:
        # A broken reference (already reported) leaves a graph the planner cannot lay
        # out; its paths are checked in the run after that error is fixed.
        path_found = []
    _, body_found = render_bodies(failed.partial.site, body_cache, jobs)
    failed.diagnostics = diag.sorted_unique([*failed.diagnostics, *path_found, *body_found])
    return failed
