"""Templates under the file rule: the site's own ``templates/`` first, then the theme's.

A template is a file a pull request can add, so it is read like every other input
(safefs): ``templates/robots.txt -> /proc/self/environ`` is an error naming the file,
found when the site is loaded (with every other problem) and refused again by the
loader that renders pages.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import jinja2

from wsdgen import diagnostics as diag
from wsdgen.diagnostics import Diagnostic
from wsdgen.load import safefs
from wsdgen.render.sandbox import SandboxEnvironment

THEME_TEMPLATES = Path(__file__).parent.parent / "theme" / "templates"
# Templates are small; a bigger file is a mistake or an attack.
MAX_TEMPLATE_BYTES = 1024 * 1024


class RefusedTemplate(jinja2.TemplateError):
    """A template file the file rule refuses: its path as shown, and the Dutch reason."""

    def __init__(self, shown: str, reason: str) -> None:
        super().__init__(f"{shown}: {reason}")
        self.shown = shown
        self.reason = reason


class SafeLoader(jinja2.BaseLoader):
    """Load ``name`` from the site's templates/ or the theme, through safefs.

    Jinja's own FileSystemLoader follows any symlink; this one applies the file rule.
    """

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.folders = (site_dir / "templates", THEME_TEMPLATES)

    def filename_of(self, template: str) -> str | None:
        """The file ``get_source`` would read for this name, without reading it."""
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            if os.path.lexists(path):
                return str(path)
        return None

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            if not os.path.lexists(path):
                continue
            shown = shown_name(self.site_dir, path)
            try:
                text = safefs.read_text(self.site_dir, path, MAX_TEMPLATE_BYTES)
            except safefs.ReadRefused as exc:
                raise RefusedTemplate(shown, exc.reason) from None
            except (OSError, UnicodeDecodeError) as exc:
                raise RefusedTemplate(shown, f"kan niet gelezen worden ({exc})") from None
            stamp = os.stat(path).st_mtime_ns

            def unchanged(path: Path = path, stamp: int = stamp) -> bool:
                try:
                    return os.stat(path).st_mtime_ns == stamp
                except OSError:
                    return False

            return text, str(path), unchanged
        raise jinja2.TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        found: set[str] = set()
        for folder in self.folders:
            found.update(template_files(folder, self.site_dir)[0])
        return sorted(found)


def template_files(folder: Path, site_dir: Path | None = None) -> tuple[list[str], list[Path]]:
    """Every file below a templates folder, as a template name ('partials/x.html'), and
    the linked folders that were not looked into.

    Folders that are symlinks are followed (each real folder once), since the loader
    loads from them too: a template digest that covers "every template" must see them
    (cache/inputs.TemplateDigests), and the file rule must check them. A link to a place
    the build may not look into (outside the site, hidden: safefs.folder_problem) is not
    followed, so a link to / cannot make the walk read the whole disk."""
    names: list[str] = []
    refused: list[Path] = []
    if not folder.is_dir():
        return names, refused
    for current, dirs, files in safefs.walk_following_links(folder):
        kept = []
        for name in sorted(d for d in dirs if not d.startswith(".")):
            path = Path(current) / name
            if site_dir is not None and path.is_symlink() and safefs.folder_problem(site_dir, path):
                refused.append(path)
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            if not name.startswith("."):
                names.append((Path(current) / name).relative_to(folder).as_posix())
    return names, refused


def shown_name(site_dir: Path, path: Path) -> str:
    """A template's path as messages show it: relative to the site, or in the theme."""
    absolute = Path(os.path.abspath(path))
    if absolute.is_relative_to(THEME_TEMPLATES):
        return "wsdgen/theme/templates/" + absolute.relative_to(THEME_TEMPLATES).as_posix()
    try:
        return absolute.relative_to(os.path.abspath(site_dir)).as_posix()
    except ValueError:
        return str(path)


def check_site_templates(site_dir: Path) -> list[Diagnostic]:
    """Apply the file rule to every file under the site's templates/ (load stage)."""
    folder = site_dir / "templates"
    if not os.path.lexists(folder):
        return []
    problem = safefs.folder_problem(site_dir, folder)
    if problem:
        return [diag.error("templates", 1, f"templates/: {problem}")]
    names, refused = template_files(folder, site_dir)
    problems = [
        diag.error(shown_name(site_dir, path), 1, safefs.folder_problem(site_dir, path) or "")
        for path in refused
    ]
    parser = SandboxEnvironment()
    for name in names:
        checked, problem = safefs.check_file(site_dir, folder / name)
        if checked is None:
            problems.append(diag.error(f"templates/{name}", 1, problem or safefs.MISSING))
            continue
        problems += syntax_problems(site_dir, folder / name, f"templates/{name}", parser)
    return problems


def syntax_problems(
    site_dir: Path, path: Path, shown: str, parser: jinja2.Environment
) -> list[Diagnostic]:
    """A site template that Jinja cannot parse, also when no page uses it (yet)."""
    try:
        parser.parse(safefs.read_text(site_dir, path, MAX_TEMPLATE_BYTES), shown, shown)
    except jinja2.TemplateSyntaxError as exc:
        return [diag.error(shown, exc.lineno or 1, f"fout in sjabloon: {exc.message}")]
    except (safefs.ReadRefused, OSError, UnicodeDecodeError):
        return []  # reported with its reason when a page loads it
    return []
