"""Incremental re-rendering for `serve`: after a change, render only the pages it touched.

Every rebuild re-reads the content folder (unchanged files are recognised by the hash
of their bytes and not parsed again), validates only changed files, and recomputes
the site graph and the page plans, which are cheap. A page is rendered again only
when something it was made from changed since it was last rendered, namely

- the site-wide inputs: config.yaml and the command-line settings, the build date,
  the asset URLs, and the free pages (every page's menu and footer show them);
- its template and every template that template extends or includes;
- its path and the entries it shows, each with the hash of its file, as the one
  record of dependencies says (incremental/dependencies.py). A page that starts or
  stops showing an entry is re-rendered too.

Correctness rests on those inputs being complete, which a property test checks: after
any sequence of edits the output equals a clean full build, byte for byte.

The quick paths: `serve` passes the files its watcher saw change. When they are only
content files whose front matter is as before, and whose body stays empty or non-empty
and without images, nothing but the text of those entries changed: no list, card,
link or feed order can differ. Then nothing is re-read or re-planned; only the pages
that showed those bodies (in the record: templates reach a body only through
``body(entry)``) are rendered again. When they are kenniscafés,
publications or news items changed in place (same file, aliases and media, see
incremental/replan.py), the graph is updated where they were and are, and only the pages that
showed them or show them now are planned again. Anything else takes the full path.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import jinja2.meta

from wsdgen.cache.inputs import (
    PageInputs,
    TemplateDigests,
    settings_digest,
    site_wide_digest,
    template_digest,
    template_sources_digest,
)
from wsdgen.check.graph import Dated, Site
from wsdgen.check.validate import ValidationCache, cached_validator
from wsdgen.diagnostics import Diagnostic
from wsdgen.incremental.dependencies import Dependencies
from wsdgen.incremental.replan import in_place, replan
from wsdgen.load.config import SiteConfig
from wsdgen.load.sources import SourceCache, read_entry_file_safely, relative
from wsdgen.media.assets import Assets
from wsdgen.media.prepare import Media, MediaMemory
from wsdgen.pipeline import (
    EXIT_CONTENT,
    EXIT_OK,
    BuildOptions,
    collector_paused,
    load_site,
    plan_site,
)
from wsdgen.plan.pageplan import EntryKey, PagePlan
from wsdgen.records import Entry
from wsdgen.render.renderer import (
    Bodies,
    BodyCache,
    Fragments,
    Rendered,
    RenderError,
    make_environment,
    page_globals,
    render_bodies,
    render_one,
)
from wsdgen.render.templates import check_site_templates
from wsdgen.session import Session, active
from wsdgen.workers import can_share_state, map_in_workers

# More files changed at once than this (a branch checked out, say): the full path.
QUICK_EDITS = 20
# A rebuild that renders this many pages or more shares them over the cores; fewer are
# rendered in this process, where the card fragments it makes stay for the next edit.
PARALLEL_PAGES = 1000

# What render_and_record reads (in forked workers too); set while pages are rendered.
_RECORDING: tuple[list[PagePlan], jinja2.Environment, Site, Bodies] | None = None


def render_and_record(index: int) -> tuple[Rendered | Diagnostic, frozenset[EntryKey]]:
    """One page (or its template error) and the entries whose bodies it showed."""
    assert _RECORDING is not None
    plans, env, site, bodies = _RECORDING
    bodies.asked = set()
    try:
        return render_one(plans[index], env, site), frozenset(bodies.asked)
    except RenderError as exc:
        return exc.diagnostic, frozenset()
    finally:
        bodies.asked = None


@dataclass(slots=True)
class RebuildResult:
    exit_code: int
    diagnostics: list[Diagnostic]
    rendered: list[str] = field(default_factory=list)  # files rendered in this step
    removed: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(slots=True)
class LastGood:
    """What the last successful rebuild was made of: the quick path starts from it."""

    config: SiteConfig
    site: Site
    plans: dict[str, PagePlan]  # by output file
    bodies: Bodies  # the one the environment's body() reads
    entries: dict[str, Entry]  # by source file (relative to the site)
    diagnostics: list[Diagnostic]
    # content/'s folders then (a file added with an old time stamp is not seen by the
    # watcher, but changes its folder), and whether two entries are one file (a link:
    # one edit, two pages).
    folders: tuple[tuple[str, int, int, int], ...] | None
    linked: bool
    # What every page's globals are made of besides the graph (a template edit reuses them).
    site_wide: str
    assets: Assets
    media: Media


class Rebuilder:
    """Keeps the last good site in memory and brings it up to date after each change."""

    def __init__(self, options: BuildOptions, body_cache: BodyCache | None = None) -> None:
        self.options = options
        self.body_cache: BodyCache = {} if body_cache is None else body_cache
        self.outputs: dict[str, bytes] = {}
        self.made_from: dict[str, PageInputs] = {}
        self.entry_digests: dict[EntryKey, str] = {}
        self.sources: SourceCache = {}
        self.validated: ValidationCache = {}
        self.settings_digest = ""
        self.env: jinja2.Environment | None = None
        self.templates: TemplateDigests | None = None
        self.templates_state = ""
        self.asset_sources: dict[str, Path] = {}
        self.media: MediaMemory = {}
        self.fragments = Fragments(keep_large=True)
        # Which pages show which entries, and whose bodies (see the module's docstring).
        self.dependencies = Dependencies()
        self.last: LastGood | None = None
        # What the stages remember between calls (card deps, events, ...), kept from
        # rebuild to rebuild; see wsdgen/session.py.
        self.session = Session()

    def rebuild(self, changed: Collection[Path] = ()) -> RebuildResult:
        """Bring the in-memory output up to date; on errors keep the last good output.

        ``changed`` (from serve's watcher) names the files that changed since the last
        rebuild; it only allows the quick path, every other case is checked in full.
        """
        started = time.perf_counter()
        if any(names_a_template(self.options.site_dir, Path(path)) for path in changed):
            # The watcher saw it change: a file rewritten with its old size and time
            # (`cp -p`) leaves the folder's stamp as it was, so the next environment()
            # compiles afresh.
            self.templates_state = ""
        with collector_paused(), active(self.session):
            result = self.quick_rebuild(changed) if changed else None
            if result is None:
                result = self._rebuild()
        result.seconds = time.perf_counter() - started
        return result

    def quick_rebuild(self, changed: Collection[Path]) -> RebuildResult | None:
        """Render only the pages an edit in place of a few entries can change; None if
        these edits need the full path (then nothing here was changed)."""
        last = self.last
        if last is None or last.linked or last.folders is None:
            return None
        paths = set(changed)
        if not paths or len(paths) > QUICK_EDITS:
            return None
        if content_folders_stamp(self.options.site_dir) != last.folders:
            return None
        if only_templates(self.options.site_dir, paths):
            return self.quick_templates(last)
        found = [self.edit_of(last, Path(path)) for path in paths]
        edits = [edit for edit in found if edit is not None]
        if len(edits) != len(found):
            return None
        if all(body_only(old, new) for old, new in edits):
            return self.quick_bodies(last, [new for _, new in edits])
        if all(in_place(last.site, old, new) for old, new in edits):
            return self.quick_replan(last, edits)  # type: ignore[arg-type]
        return None

    def quick_templates(self, last: LastGood) -> RebuildResult | None:
        """Only site templates changed: no plan can differ (planning reads no template),
        so render the pages whose template, or one it includes, changed. A template with
        a problem takes the full path, which reports it."""
        if check_site_templates(self.options.site_dir):
            return None
        env, templates = self.environment(last.config)
        self.fragments.reset(last.site_wide, templates.of)
        env.globals.update(
            page_globals(last.site, last.assets, last.bodies, last.media, self.fragments)
        )
        fresh: dict[str, PageInputs] = {}
        for file, plan in last.plans.items():
            template = template_digest(templates, plan.template)
            inputs = PageInputs(last.site_wide, f"{plan.template}:{template}")
            if self.made_from.get(file) != inputs:
                fresh[file] = inputs
        rendered = self.render_quickly([last.plans[file] for file in fresh], last.site, last.bodies)
        if rendered is None:
            return None
        self.made_from.update(fresh)
        return RebuildResult(EXIT_OK, last.diagnostics, rendered)

    def quick_bodies(self, last: LastGood, new_entries: list[Entry]) -> RebuildResult | None:
        """Only texts changed: render the pages that showed them (no list, card, link or
        feed order can differ)."""
        keys = {entry.key for entry in new_entries}
        for entry in new_entries:
            last.bodies.replace_entry(entry)
        # A card that shows a body is kept by its record, which a text edit keeps.
        self.fragments.forget_showing(keys)
        todo = [last.plans[file] for file in self.dependencies.showing_body(keys)]
        rendered = self.render_quickly(todo, last.site, last.bodies)
        if rendered is None:
            return None
        # The site graph and the plans keep the records they hold (only the bodies
        # changed, which pages read through ``bodies``), so ``last.entries`` keeps
        # them too: a later front-matter edit must find the graph's own record.
        for entry in new_entries:
            self.entry_digests[entry.key] = entry.source.digest
        return RebuildResult(EXIT_OK, last.diagnostics, rendered)

    def quick_replan(
        self, last: LastGood, edits: list[tuple[Dated, Dated]]
    ) -> RebuildResult | None:
        """Front matter changed in place: plan again the pages that showed the entries or
        show them now (incremental/replan.py), and render those whose plan changed."""
        replanned = replan(last.site, last.plans, self.dependencies, edits)
        if replanned is None:
            return None
        for _, new in edits:
            last.bodies.replace_entry(new)
        changed = [plan for file, plan in replanned.plans.items() if plan != last.plans[file]]
        rendered = self.render_quickly(changed, replanned.site, last.bodies)
        if rendered is None:
            return None
        for plan in changed:
            self.dependencies.planned(plan)
            last.plans[plan.output_file] = plan
        last.site = replanned.site
        self.remember_edits(last, [new for _, new in edits])
        return RebuildResult(EXIT_OK, last.diagnostics, rendered)

    def render_quickly(self, plans: list[PagePlan], site: Site, bodies: Bodies) -> list[str] | None:
        """Render ``plans`` into the output (swapped in whole); None on a template error,
        which the full path then reports as it does (a body too slow to convert, say)."""
        env = self.env
        assert env is not None
        try:
            rendered, shown = self.render_recorded(plans, env, site, bodies)
        except RenderError:
            self.last = None
            return None
        outputs = dict(self.outputs)
        outputs.update((page.file, page.data) for page in rendered)
        self.outputs = outputs
        self.dependencies.rendered(shown)
        return [page.file for page in rendered]

    def remember_edits(self, last: LastGood, new_entries: list[Entry]) -> None:
        for entry in new_entries:
            self.entry_digests[entry.key] = entry.source.digest
            last.entries[entry.source.path] = entry

    def edit_of(self, last: LastGood, path: Path) -> tuple[Entry, Entry] | None:
        """The old and new record of a changed content file of the last good site, if
        the new one is valid and without problems, else None."""
        site_dir = self.options.site_dir
        if ".." in path.parts:
            return None
        rel = relative(site_dir, path)
        old = last.entries.get(rel)
        if old is None or any(problem.path == rel for problem in last.diagnostics):
            return None
        if path.parent.resolve() != (site_dir / "content" / old.collection).resolve():
            return None  # the name reaches the file through a link elsewhere
        raw, problems = read_entry_file_safely(site_dir, old.collection, path, self.sources)
        if raw is None or problems:
            return None
        new, problems = cached_validator(self.validated, last.config.extra_fields)(raw)
        if problems or not isinstance(new, Entry) or new.key != old.key:
            return None
        if shows_image(old.body) or shows_image(new.body):
            return None  # body images are prepared and checked by the media stage
        return old, new

    def render_recorded(
        self, plans: list[PagePlan], env: jinja2.Environment, site: Site, bodies: Bodies
    ) -> tuple[list[Rendered], dict[str, frozenset[EntryKey]]]:
        """Render pages, recording which entries' bodies each one shows (kept by the
        caller only when the whole rebuild succeeds, as its output is). Many pages (an
        edit of base.html) are shared out over ``jobs`` forked workers, as a build does."""
        global _RECORDING
        jobs = self.options.jobs if len(plans) >= PARALLEL_PAGES and can_share_state() else 1
        _RECORDING = (plans, env, site, bodies)
        rendered = []
        shown: dict[str, frozenset[EntryKey]] = {}
        try:
            results = map_in_workers(render_and_record, range(len(plans)), jobs)
            for plan, (result, asked) in zip(plans, results, strict=True):
                if isinstance(result, Diagnostic):
                    raise RenderError(result)
                rendered.append(result)
                shown[plan.output_file] = asked
        finally:
            _RECORDING = None
        return rendered, shown

    def _rebuild(self) -> RebuildResult:
        self.last = None
        folders = content_folders_stamp(self.options.site_dir)  # before anything is read
        loaded, failed = load_site(self.options, self.sources, self.validated, self.media)
        if failed is not None:
            return RebuildResult(failed.exit_code, failed.diagnostics)
        assert loaded is not None
        config, site, assets, found = loaded.config, loaded.site, loaded.assets, loaded.diagnostics
        limit = 2 * sum(1 for _ in site.entries()) + 100
        if len(self.validated) > limit or len(self.sources) > limit:
            # Results of files that were edited, renamed or removed since.
            self.validated.clear()
            self.sources.clear()
        settings = self.settings_of(config)
        if settings != self.settings_digest:
            # config.yaml or a command-line setting changed: render everything again.
            self.made_from.clear()
            self.env = None
            self.settings_digest = settings
        plans, problems = plan_site(loaded)
        bodies, body_problems = render_bodies(
            site, self.body_cache, self.options.jobs, budget=loaded.budget
        )
        if problems or body_problems:
            return RebuildResult(EXIT_CONTENT, [*found, *problems, *body_problems])
        env, templates = self.environment(config)
        site_wide = site_wide_digest(settings, assets.digest(), loaded.media.digest(), site)
        # Cards made under other site-wide inputs, or from a template that changed since,
        # are not shown again.
        self.fragments.reset(site_wide, templates.of)
        env.globals.update(page_globals(site, assets, bodies, loaded.media, self.fragments))
        entry_digests = {entry.key: entry.source.digest for entry in site.entries()}
        # A renamed or removed file changes its old name, too.
        changed_entries = {
            key for key, value in entry_digests.items() if self.entry_digests.get(key) != value
        } | (self.entry_digests.keys() - entry_digests.keys())
        fresh: dict[str, PageInputs] = {}
        changed: list[PagePlan] = []
        for plan in plans:
            template = template_digest(templates, plan.template)
            inputs = PageInputs(site_wide, f"{plan.template}:{template}")
            fresh[plan.output_file] = inputs
            if self.needs_render(plan, inputs, changed_entries):
                changed.append(plan)
        try:
            rendered, shown = self.render_recorded(changed, env, site, bodies)
        except RenderError as exc:
            return RebuildResult(EXIT_CONTENT, [*found, exc.diagnostic])
        # A new dict, swapped in at once: serve answers requests from another thread
        # while this runs, and must never mix pages of two versions of the site.
        outputs = {file: data for file, data in self.outputs.items() if file in fresh}
        made = {item.file for item in loaded.media.files}
        removed = sorted(set(self.outputs) - set(fresh) - made)
        outputs.update((page.file, page.data) for page in rendered)
        outputs.update((item.file, item.data) for item in loaded.media.files)
        self.outputs = outputs
        self.made_from = fresh
        self.entry_digests = entry_digests
        self.asset_sources = {asset.site_path: asset.source for asset in assets.files}
        self.dependencies = Dependencies.of_plans(plans, {**self.dependencies.bodies, **shown})
        by_path = {entry.source.path: entry for entry in site.entries()}
        inodes = [self.sources[rel][0][1] for rel in by_path if rel in self.sources]
        self.last = LastGood(
            config,
            site,
            {plan.output_file: plan for plan in plans},
            bodies,
            by_path,
            found,
            folders,
            len(inodes) != len(set(inodes)),
            site_wide,
            assets,
            loaded.media,
        )
        return RebuildResult(EXIT_OK, found, [page.file for page in rendered], removed)

    def environment(self, config: SiteConfig) -> tuple[jinja2.Environment, TemplateDigests]:
        """The Jinja environment, kept (with its compiled templates) until a template changes."""
        state = template_sources_digest(config.site_dir)
        if self.env is None or self.templates is None or state != self.templates_state:
            self.env = make_environment(config.site_dir)
            self.templates = TemplateDigests(self.env)
            self.templates_state = state
        return self.env, self.templates

    def settings_of(self, config: SiteConfig) -> str:
        """Everything site-wide that is not content: config.yaml and the build options."""
        options = self.options
        return settings_digest(
            config.digest, options.out, options.base_url, options.drafts, options.today.isoformat()
        )

    def needs_render(
        self, plan: PagePlan, inputs: PageInputs, changed_entries: set[EntryKey]
    ) -> bool:
        """Whether a page must be rendered again: new inputs, it shows other entries
        than before, or a shown entry changed."""
        file = plan.output_file
        if self.made_from.get(file) != inputs or self.dependencies.shown.get(file) != plan.deps:
            return True
        return self.dependencies.shows_changed(file, changed_entries)


def body_only(old: Entry, new: Entry) -> bool:
    """Whether only the text of an entry changed, and it stays empty or not."""
    same_rest = dataclasses.replace(new, body=old.body, source=old.source) == old
    same_source = dataclasses.replace(new.source, digest=old.source.digest) == old.source
    # "With a report" shows on cards, the home page and in checks.
    return same_rest and same_source and bool(new.body.strip()) == bool(old.body.strip())


def only_templates(site_dir: Path, paths: Collection[Path]) -> bool:
    """Whether every changed file is a site template: under a real templates/ folder
    (not a link, which could lead to the content) and not content itself."""
    templates = site_dir / "templates"
    if templates.is_symlink():
        return False
    real_templates, real_content = templates.resolve(), (site_dir / "content").resolve()
    for path in paths:
        real = Path(path).resolve()
        if not real.is_relative_to(real_templates) or real.is_relative_to(real_content):
            return False
    return True


def names_a_template(site_dir: Path, path: Path) -> bool:
    """Whether the watcher's path lies in the site's templates/ folder."""
    try:
        return path.resolve().is_relative_to((site_dir / "templates").resolve())
    except OSError:
        return False


def shows_image(body: str) -> bool:
    """Whether a body may hold an image: Markdown's ![ or any raw HTML (kept simple:
    such an edit just takes the full path)."""
    return "![" in body or "<" in body


def content_folders_stamp(site_dir: Path) -> tuple[tuple[str, int, int, int], ...] | None:
    """The identity and change times of content/ and of each folder in it; None if they
    cannot be read. A folder's times change whenever a name in it is added, removed or
    renamed, whatever the time stamps of the files themselves."""
    content = site_dir / "content"
    try:
        with os.scandir(content) as items:
            folders = sorted(item.path for item in items if item.is_dir(follow_symlinks=False))
        stamps = []
        for folder in [str(content), *folders]:
            info = os.stat(folder, follow_symlinks=False)
            stamps.append((folder, info.st_ino, info.st_mtime_ns, info.st_ctime_ns))
    except OSError:
        return None
    return tuple(stamps)
