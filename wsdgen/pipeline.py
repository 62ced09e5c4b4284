"""The whole pipeline on one screen: load, validate, link, plan, render, write."""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from wsdgen import diagnostics as diag
from wsdgen import session
from wsdgen.budget import WorkBudget
from wsdgen.cache.bodycache import DiskCache, cache_location_problem
from wsdgen.cache.inputs import (
    TemplateDigests,
    inputs_digest,
    settings_digest,
    site_wide_digest,
    template_digest,
)
from wsdgen.cache.pagecache import CacheFolder, PageCache, key_problem
from wsdgen.cache.partcache import KeptParts
from wsdgen.cache.templatecode import SignedTemplateCode
from wsdgen.check.graph import Site, link_site
from wsdgen.check.links import existing_files, link_problems
from wsdgen.check.paths import path_problems
from wsdgen.check.validate import ValidationCache, cached_validator, validate_entries
from wsdgen.diagnostics import Diagnostic
from wsdgen.exits import EXIT_CONTENT, EXIT_OK, EXIT_USAGE
from wsdgen.incremental.dependencies import Dependencies
from wsdgen.load.config import Overrides, SiteConfig, config_warnings, load_config
from wsdgen.load.sources import SourceCache, read_sources
from wsdgen.media.assets import Assets, collect_assets
from wsdgen.media.prepare import Media, MediaMemory, prepare_media
from wsdgen.plan.pageplan import EntryKey, PagePlan
from wsdgen.plan.pages import plan_pages, plan_stand_ins
from wsdgen.publish.beheer import beheer_wanted, published_files
from wsdgen.publish.output import publish, replace_problem
from wsdgen.publish.search import SearchCache, SearchIndexer
from wsdgen.records import RawEntry
from wsdgen.render.renderer import (
    BodyCache,
    Rendered,
    RenderError,
    iter_pages,
    make_environment,
    render_bodies,
)
from wsdgen.render.templates import check_site_templates
from wsdgen.schema import GROUP_COLLECTIONS

# Called as pages are rendered: (pages done, pages in all).
Progress = Callable[[int, int], None]
# The source files as read, changed before validation: /beheer/'s check of a save puts
# the edited files in place of those on disk (serve/candidate.py); nothing is written.
SourceEdit = Callable[[list[RawEntry], list[Diagnostic]], tuple[list[RawEntry], list[Diagnostic]]]


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
    # `serve`: offer /beheer/ against the local folder (Decap's local backend).
    local_beheer: bool = False
    # --zonder-zoekindex: a preview build without the Pagefind bundle.
    search_index: bool = True
    # Hold every page in the result (BuildResult.rendered); the command line does not.
    keep_pages: bool = True
    # --cache: the folder where pages, their parts, bodies, images, search parts and
    # compiled templates are kept between builds (cache/pagecache.CacheFolder).
    cache: Path | None = None


@dataclass(slots=True)
class BuildResult:
    exit_code: int
    diagnostics: list[Diagnostic]
    pages: int = 0
    reused: int = 0  # of those pages, taken unchanged from the --cache folder
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
    media: Media = field(default_factory=Media)
    # The build's budget of Markdown, image and PDF work, partly spent by the media.
    budget: WorkBudget = field(default_factory=WorkBudget)


def load_site(
    options: BuildOptions,
    sources: SourceCache | None = None,
    validated: ValidationCache | None = None,
    media_memory: MediaMemory | None = None,
    cache_dir: Path | None = None,
    edit: SourceEdit | None = None,
) -> tuple[Loaded | None, BuildResult | None]:
    """Stages 0-3b: config, sources, validation, the site graph and the media (images,
    PDF reports), with all problems.

    `serve` passes its caches, so unchanged files are neither parsed nor validated (nor
    images encoded) again; ``cache_dir`` (the build's --cache) keeps image variants;
    ``edit`` changes the sources as read (see SourceEdit).
    """
    overrides = Overrides(
        output=options.out, base_url=options.base_url, local_beheer=options.local_beheer
    )
    config, config_problems = load_config(options.site_dir, overrides)
    if config is None:
        return None, BuildResult(EXIT_USAGE, config_problems)
    if cache_dir is not None:
        # Before anything is read into (or written to) the cache: image variants are.
        cache_problem = (
            cache_location_problem(cache_dir, config.site_dir, config.output_dir) or key_problem()
        )
        if cache_problem:
            return None, BuildResult(EXIT_USAGE, [diag.error("config.yaml", 1, cache_problem)])
    raw_entries, read_problems = read_sources(config.site_dir, sources)
    if edit is not None:
        raw_entries, read_problems = edit(raw_entries, read_problems)
    fixed = published_files() if beheer_wanted(config) else []
    assets, asset_problems = collect_assets(config.site_dir, fixed, config.site_scripts)
    asset_problems += check_site_templates(config.site_dir)
    validate_one = (
        cached_validator(validated, config.extra_fields) if validated is not None else None
    )
    records, rejected, validation_problems = validate_entries(
        raw_entries, config.extra_fields, validate_one
    )
    site, graph_problems = link_site(records, config, options.today, options.drafts, rejected)
    budget = WorkBudget(config.work_seconds)
    media, media_problems = prepare_media(site, assets, cache_dir, media_memory, budget)
    problems = diag.apply_strict(
        [
            *config_warnings(config),
            *read_problems,
            *asset_problems,
            *validation_problems,
            *graph_problems,
            *media_problems,
        ],
        options.strict,
    )
    problems = diag.sorted_unique(problems)
    if diag.has_errors(problems):
        partial = Loaded(config, site, assets, problems, media, budget)
        return None, BuildResult(EXIT_CONTENT, problems, site=site, partial=partial)
    return Loaded(config, site, assets, problems, media, budget), None


def plan_site(
    loaded: Loaded, strict: bool = False, check_links: bool = False
) -> tuple[list[PagePlan], list[Diagnostic]]:
    """Stage 4: plan every page, and check that every planned file has a place of its own;
    with ``check_links``, also that every body link on the site leads to a file the
    build writes (check/links.py: warnings, errors when ``strict``)."""
    with session.kept():
        return _plan_site(loaded, strict, check_links)


def _plan_site(
    loaded: Loaded, strict: bool, check_links: bool
) -> tuple[list[PagePlan], list[Diagnostic]]:
    plans = plan_pages(loaded.site)
    laid_out = [*plans, *plan_stand_ins(loaded.site)] if loaded.site.rejected else plans
    problems = path_problems(laid_out, loaded.assets, loaded.config.base_url or "")
    if check_links:
        assets = loaded.assets
        existing = existing_files(
            plans,
            [*assets.site_paths, *(f"/assets/{name}" for name in assets.urls)],
            (item.file for item in loaded.media.files),
        )
        problems += diag.apply_strict(link_problems(loaded.site, existing), strict)
    return plans, problems


@dataclass(slots=True)
class PageStream:
    """The pages of a build as they are made: first those taken from the page cache,
    then each rendered page (in the order the renderer was given), then the media files.
    Iterating it renders. ``on_page`` hears of every page (the page cache keeps them);
    with ``keep`` the stream holds them too, and ``in_plan_order`` gives them all in
    plan order afterwards (a build that only writes need not hold 170 MB of pages)."""

    plans: list[PagePlan]
    kept: dict[str, Rendered]
    fresh: Iterator[Rendered]
    media: list[Rendered]
    keep: bool = True
    on_page: Callable[[Rendered], None] | None = None
    made: dict[str, Rendered] = field(default_factory=dict)
    count: int = 0

    def __iter__(self) -> Iterator[Rendered]:
        for page in self.pages():
            self.count += 1
            if self.keep:
                self.made[page.file] = page
            if self.on_page is not None:
                self.on_page(page)
            yield page
        yield from self.media

    def pages(self) -> Iterator[Rendered]:
        yield from self.kept.values()
        yield from self.fresh

    def in_plan_order(self) -> list[Rendered]:
        if not self.keep:
            return []
        return [*(self.made[plan.output_file] for plan in self.plans), *self.media]

    def collect(self) -> list[Rendered]:
        """Render every page now (may raise RenderError)."""
        for _ in self:
            pass
        return self.in_plan_order()


def render_site(
    loaded: Loaded,
    plans: list[PagePlan],
    body_cache: BodyCache | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
    page_cache: PageCache | None = None,
    options: BuildOptions | None = None,
    order: Callable[[str], tuple[int, int]] | None = None,
    compiled: jinja2.BytecodeCache | None = None,
) -> tuple[PageStream | None, list[Diagnostic]]:
    """Stage 5: the pages of every plan, rendered in memory as the stream is read (which
    may raise RenderError); ``order`` (by output file) says which to render first, and
    ``compiled`` keeps the compiled templates between builds (with --cache).

    Bodies that cannot be converted are errors on their files; then no page is rendered.
    With a page cache, a page whose inputs did not change since the cached build is
    taken from there, and every page goes into it with its inputs digest.
    """
    env = make_environment(loaded.config.site_dir, compiled)
    made_from: dict[str, str] = {}
    # Only a build with a page cache keeps parts, each its own (a second build in the
    # same session must not take the first one's).
    session.current().parts = None
    if page_cache is not None:
        inputs = SiteInputs.of(loaded, env, options or BuildOptions())
        made_from = plan_inputs(inputs, plans)
        session.current().parts = inputs.kept_parts(page_cache.folder)
    kept: dict[str, Rendered] = {}
    if page_cache is not None:
        for plan in plans:
            found = page_cache.reuse(plan.output_file, made_from[plan.output_file])
            if found is not None:
                kept[plan.output_file] = Rendered(plan.output_file, *found)
    todo = [plan for plan in plans if plan.output_file not in kept]
    if order is not None:
        todo.sort(key=lambda plan: order(plan.output_file))
    bodies, body_problems = render_bodies(
        loaded.site, body_cache, jobs, own_entries(todo) if page_cache else None, loaded.budget
    )
    if body_problems:
        return None, body_problems
    fresh = iter_pages(
        todo, env, loaded.site, loaded.assets, bodies, loaded.media, progress, jobs, loaded.budget
    )
    media = [Rendered(item.file, item.data) for item in loaded.media.files]
    stream = PageStream(plans, kept, fresh, media, keep=(options or BuildOptions()).keep_pages)
    if page_cache is not None:
        stream.on_page = lambda page: page_cache.keep(page.file, made_from[page.file], page.data)
    return stream, []


def own_entries(plans: list[PagePlan]) -> set[EntryKey]:
    """The entries whose own pages these are: their bodies are rendered beforehand (in
    parallel); a body that a template shows elsewhere, say in a feed, is rendered or
    read from the cache when the template asks for it."""
    return {plan.entry.key for plan in plans if plan.entry is not None}


@dataclass(frozen=True)
class SiteInputs:
    """What the --cache digests of pages and their parts are made of (cache/inputs.py)."""

    site_wide: str
    templates: TemplateDigests
    entries: dict[EntryKey, str]  # every entry's file hash

    @classmethod
    def of(cls, loaded: Loaded, env: jinja2.Environment, options: BuildOptions) -> SiteInputs:
        config, site = loaded.config, loaded.site
        settings = settings_digest(
            config.digest, config.base_url, options.drafts, options.today.isoformat()
        )
        assets, media = loaded.assets.digest(), loaded.media.digest()
        entries = {entry.key: entry.source.digest for entry in site.entries()}
        return cls(site_wide_digest(settings, assets, media, site), TemplateDigests(env), entries)

    def kept_parts(self, folder: CacheFolder) -> KeptParts:
        """The cards and calendar events kept by the last build with this cache."""
        return KeptParts.open(folder, self.site_wide, self.templates.of, self.entries)


def plan_inputs(inputs: SiteInputs, plans: list[PagePlan]) -> dict[str, str]:
    """Each planned file's inputs digest (see cache/inputs.py)."""
    shown = Dependencies.of_plans(plans).shown
    return {
        plan.output_file: inputs_digest(
            plan,
            shown[plan.output_file],
            inputs.site_wide,
            template_digest(inputs.templates, plan.template),
            inputs.entries,
        )
        for plan in plans
    }


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for a while (and in the workers forked meanwhile).

    Its full passes walk every tracked object; with a large site in memory they made up
    a sixth of a cold build and a third to half of a serve rebuild at 10,000 entries.
    Reference counting still frees almost everything a build drops; the few cycles go
    in the collector's next pass after it."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def build(
    options: BuildOptions,
    body_cache: BodyCache | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site; write it (atomically) only if every stage succeeded."""
    with collector_paused(), session.kept():
        return _build(options, body_cache, progress)


def _build(
    options: BuildOptions,
    body_cache: BodyCache | None,
    progress: Progress | None,
) -> BuildResult:
    started = time.perf_counter()
    cache_dir = options.cache
    if cache_dir is None and isinstance(body_cache, DiskCache):
        cache_dir = body_cache.folder  # a caller that passes only the body cache
    if cache_dir is not None and body_cache is None:
        body_cache = DiskCache(cache_dir)
    loaded, failed = load_site(options, cache_dir=cache_dir)
    if failed is not None:
        return with_later_problems(failed, body_cache, options.jobs, options.strict)
    assert loaded is not None
    out_dir = loaded.config.output_dir
    if options.write:
        problem = replace_problem(out_dir)
        if problem:
            return BuildResult(EXIT_USAGE, [diag.error("config.yaml", 1, problem)])
    plans, problems = plan_site(loaded, options.strict, check_links=True)
    folder = CacheFolder(cache_dir) if cache_dir is not None else None
    page_cache = PageCache(folder) if folder and options.write else None
    indexer = search_indexer(options, folder, plans)
    try:
        stream, body_problems = render_site(
            loaded,
            plans,
            body_cache,
            options.jobs,
            progress,
            page_cache,
            options,
            order=indexer.render_order if indexer is not None else None,
            compiled=SignedTemplateCode(folder) if folder and page_cache else None,
        )
    except RenderError as exc:
        stream, body_problems = None, [exc.diagnostic]
    problems = diag.sorted_unique([*loaded.diagnostics, *problems, *body_problems])
    if stream is None or diag.has_errors(problems) or not options.write:
        # Nothing is written; the pages are still rendered, for their template errors.
        try:
            rendered = stream.collect() if stream is not None else []
        except RenderError as exc:
            problems = diag.sorted_unique([*problems, exc.diagnostic])
        if diag.has_errors(problems):
            return BuildResult(EXIT_CONTENT, problems, site=loaded.site)
    else:
        try:
            write_problems = publish(
                stream,
                # An original that media/prepare.py publishes as a stripped copy is not copied.
                [a for a in loaded.assets.files if a.site_path not in loaded.media.replaced],
                out_dir,
                loaded.config.site_dir,
                indexer,
            )
        except RenderError as exc:
            problems = diag.sorted_unique([*problems, exc.diagnostic])
            return BuildResult(EXIT_CONTENT, problems, site=loaded.site)
        if write_problems:
            return BuildResult(EXIT_CONTENT, [*problems, *write_problems])
        rendered = stream.in_plan_order()
        if page_cache is not None:
            page_cache.save()
            save_kept_parts()
    return BuildResult(
        EXIT_OK,
        problems,
        pages=stream.count if stream is not None else 0,
        reused=page_cache.hits if page_cache is not None else 0,
        seconds=time.perf_counter() - started,
        out_dir=out_dir,
        site=loaded.site,
        rendered=rendered,
    )


def save_kept_parts() -> None:
    """Keep this build's cards and calendar events for the next (with --cache)."""
    parts = session.current().parts
    if parts is not None:
        parts.save()


def search_indexer(
    options: BuildOptions, folder: CacheFolder | None, plans: list[PagePlan]
) -> SearchIndexer | None:
    """What makes the search index while the pages are written (None with
    --zonder-zoekindex, or when nothing is written)."""
    if not options.search_index or not options.write:
        return None
    cache = SearchCache(folder) if folder is not None else None
    entry_pages = [
        plan.output_file
        for plan in plans
        if plan.entry is not None and plan.path == plan.entry.path  # not an old address
    ]
    return SearchIndexer(entry_pages, list_pages(plans), cache)


def list_pages(plans: list[PagePlan]) -> set[str]:
    """The pages of werkplaatsen, themes and regions, which list other entries."""
    return {
        plan.output_file
        for plan in plans
        if plan.entry is not None and plan.entry.collection in GROUP_COLLECTIONS
    }


def with_later_problems(
    failed: BuildResult, body_cache: BodyCache | None, jobs: int, strict: bool = False
) -> BuildResult:
    """Add the problems of planning (paths, links) and of the Markdown bodies to a
    failed build's errors, so an editor sees every problem in one run: records that
    failed validation still take part in the path plan (pages.plan_stand_ins), and a
    broken reference leaves a graph that can still be laid out."""
    if failed.partial is None:
        return failed
    _, path_found = plan_site(failed.partial, strict, check_links=True)
    if failed.partial.budget.exceeded:
        body_found: list[Diagnostic] = []  # the media used up the budget (reported)
    else:
        _, body_found = render_bodies(
            failed.partial.site, body_cache, jobs, budget=failed.partial.budget
        )
    failed.diagnostics = diag.sorted_unique([*failed.diagnostics, *path_found, *body_found])
    return failed
