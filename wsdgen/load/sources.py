"""Stage 1: find the content files, read them safely and split them into RawEntry values."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import stat as stat_module
from pathlib import Path

from frontmatter.default_handlers import YAMLHandler

from wsdgen import diagnostics as diag
from wsdgen.diagnostics import Diagnostic
from wsdgen.load import safefs
from wsdgen.load.yamlnodes import YamlMapping, YamlProblem, clean_text, read_mapping
from wsdgen.records import RawEntry
from wsdgen.schema import BODY_FIELD, COLLECTIONS, ENTRY_SUFFIXES, MAX_FILE_BYTES

FRONT_MATTER_BOUNDARY = YAMLHandler.FM_BOUNDARY


def by_name(path: Path) -> str:
    return path.name


def is_ignored(name: str) -> bool:
    return name.startswith(("_", "."))


SourceResult = tuple[RawEntry | None, list[Diagnostic]]
# Per file (relative path): its stat stamp, the hash of its bytes and what reading it gave.
SourceCache = dict[str, tuple[tuple[int, ...], str, SourceResult]]


def read_sources(
    site_dir: Path, cache: SourceCache | None = None
) -> tuple[list[RawEntry], list[Diagnostic]]:
    """Read every entry under content/; report every unreadable or misplaced file.

    With a ``cache`` (kept by `serve`), a file whose size, inode and change times are
    as before is not read again, and one whose bytes did not change is not parsed again.
    """
    content = site_dir / "content"
    if not content.is_dir():
        return [], [diag.error("content", 1, "de map content/ ontbreekt in de site")]
    problem = safefs.folder_problem(site_dir, content)
    if problem:
        return [], [diag.error("content", 1, f"content/: {problem}")]
    entries: list[RawEntry] = []
    problems: list[Diagnostic] = []
    for path in sorted(content.iterdir(), key=by_name):
        if is_ignored(path.name):
            continue
        rel = relative(site_dir, path)
        if not path.is_dir() or path.name not in COLLECTIONS:
            problems.append(
                diag.error(
                    rel,
                    1,
                    f"'{path.name}' hoort niet direct in content/; gebruik een van de mappen "
                    f"{', '.join(COLLECTIONS)}",
                )
            )
            continue
        problem = safefs.folder_problem(site_dir, path)
        if problem:
            problems.append(diag.error(rel, 1, problem))
            continue
        with os.scandir(path) as listing:
            names = sorted(item.name for item in listing if not is_ignored(item.name))
        for name in names:
            file = path / name
            entry, file_problems = read_entry_file_safely(site_dir, path.name, file, cache)
            problems.extend(file_problems)
            if entry is not None:
                entries.append(entry)
    return entries, problems


def read_entry_file_safely(
    site_dir: Path, collection: str, file: Path, cache: SourceCache | None = None
) -> SourceResult:
    """Like read_entry_file, but an unforeseen failure becomes an error on that file."""
    try:
        return read_entry_file(site_dir, collection, file, cache)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the whole run
        return None, [
            diag.error(
                relative(site_dir, file),
                1,
                f"dit bestand kan niet gelezen worden ({type(exc).__name__}: {exc})",
            )
        ]


def entry_file_problem(site_dir: Path, file: Path) -> tuple[str | None, os.stat_result | None]:
    """Why a file in a collection folder cannot be an entry (None if it can), and its stat.

    The collection folder itself passed the file rule (safefs), so a file that is no
    symlink is inside the site; a symlink is resolved and checked like any other path.
    """
    try:
        info = file.lstat()
    except OSError:
        return safefs.MISSING, None
    if stat_module.S_ISLNK(info.st_mode):
        checked, problem = safefs.check_file(site_dir, file)
        if checked is None:
            if problem == safefs.SPECIAL and file.is_dir():
                return SUBFOLDER, None
            return problem, None
        info = checked.info
    if stat_module.S_ISDIR(info.st_mode):
        return SUBFOLDER, None
    suffix = os.path.splitext(file.name)[1]
    if suffix.lower() not in ENTRY_SUFFIXES or suffix != suffix.lower():
        return (
            f"'{file.name}' is geen .md-, .yaml- of .yml-bestand; zet downloads zoals pdf's "
            "onder assets/"
        ), None
    if not stat_module.S_ISREG(info.st_mode):
        return safefs.SPECIAL, None
    return None, info


def real_file(file: Path) -> Path:
    """The file to open: a symlink's target (it passed the rule), else the file itself."""
    return Path(os.path.realpath(file)) if file.is_symlink() else file


SUBFOLDER = (
    "submappen zijn niet toegestaan in een collectiemap; zet downloads zoals pdf's onder assets/"
)


def read_entry_file(
    site_dir: Path, collection: str, file: Path, cache: SourceCache | None = None
) -> SourceResult:
    """Read one content file into a RawEntry, or explain in Dutch why it cannot be read."""
    rel = f"content/{collection}/{file.name}"
    problem, stat = entry_file_problem(site_dir, file)
    if problem or stat is None:
        return None, [diag.error(rel, 1, problem or "dit bestand kan niet gelezen worden")]
    try:
        stamp = (stat.st_size, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns)
        known = cache.get(rel) if cache is not None else None
        if known is not None and known[0] == stamp:
            return known[2]
        data = safefs.read_regular(real_file(file), MAX_FILE_BYTES, rel)
    except safefs.ReadRefused as exc:
        return None, [diag.error(rel, 1, exc.reason)]
    except OSError as exc:
        return None, [diag.error(rel, 1, f"het bestand kan niet gelezen worden ({exc.strerror})")]
    digest = hashlib.sha256(data).hexdigest()
    if cache is None:
        return parse_entry_bytes(rel, collection, file, data, digest)
    if known is not None and known[1] == digest:
        result = known[2]
    else:
        result = parse_entry_bytes(rel, collection, file, data, digest)
    cache[rel] = (stamp, digest, result)
    return result


def parse_entry_bytes(
    rel: str, collection: str, file: Path, data: bytes, digest: str
) -> SourceResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [
            diag.error(rel, line, "het bestand is geen UTF-8-tekst; sla het op als UTF-8")
        ]
    if "\x00" in text:
        return None, [diag.error(rel, 1, "het bestand bevat een nul-teken; is het wel tekst?")]
    text = clean_text(text)
    slug = file.name[: -len(file.suffix)]
    try:
        if file.suffix == ".md":
            entry = parse_markdown_entry(rel, collection, slug, text, digest)
            return with_body_line(entry, text, file.suffix), []
        parsed, problems = parse_yaml_entry(rel, collection, slug, text, digest)
        return (with_body_line(parsed, text, file.suffix) if parsed else None), problems
    except YamlProblem as exc:
        return None, [diag.error(rel, exc.line, exc.message)]


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """Split '---' front matter from the body: (front matter, body, body's first line).

    The front matter's first line is file line 2 (the opening '---' is line 1).
    Returns None when the file does not start with front matter.
    """
    boundaries = FRONT_MATTER_BOUNDARY.finditer(text)
    first = next(boundaries, None)
    if first is None or first.start() != 0:
        return None
    start = text.find("\n") + 1 if "\n" in text else len(text)
    closing = next(boundaries, None)
    if closing is None:
        raise YamlProblem(1, "de kopregels worden niet afgesloten met een regel '---'")
    front = text[start : closing.start()]
    line_end = text.find("\n", closing.start())
    body_start = len(text) if line_end == -1 else line_end + 1
    return front, text[body_start:], text.count("\n", 0, body_start) + 1


def parse_markdown_entry(rel: str, collection: str, slug: str, text: str, digest: str) -> RawEntry:
    split = split_front_matter(text)
    if split is None:
        raise YamlProblem(
            1,
            "het bestand begint niet met kopregels tussen twee regels '---' "
            "(met daartussen ten minste 'title: ...')",
        )
    front, body, _ = split
    mapping = read_mapping(front, first_line=2)
    return _raw_entry(rel, collection, slug, mapping, body, digest)


def parse_yaml_entry(
    rel: str, collection: str, slug: str, text: str, digest: str
) -> tuple[RawEntry | None, list[Diagnostic]]:
    mapping = read_mapping(text, first_line=1)
    body = mapping.values.pop(BODY_FIELD, None)
    problems = []
    if body is not None and not isinstance(body, str):
        problems.append(
            diag.error(rel, mapping.lines.get(BODY_FIELD, 1), "'body' moet tekst (Markdown) zijn")
        )
        body = ""
    return _raw_entry(rel, collection, slug, mapping, body or "", digest), problems


def _raw_entry(
    rel: str, collection: str, slug: str, mapping: YamlMapping, body: str, digest: str
) -> RawEntry:
    return RawEntry(
        path=rel,
        collection=collection,
        slug=slug,
        values=dict(mapping.values),
        lines=dict(mapping.lines),
        item_lines=dict(mapping.item_lines),
        duplicates=tuple(mapping.duplicates),
        body=body,
        digest=digest,
    )


def relative(site_dir: Path, path: Path) -> str:
    return Path(os.path.relpath(path, site_dir)).as_posix()


# Where in ``RawEntry.lines`` the file line of the body's first line is kept. No YAML key
# can be this name (keys lose their control characters), so it never meets a field.
BODY_LINE = "\x00body"
LITERAL_BODY = re.compile(r"body[ \t]*:[ \t]*\|[-+0-9]*[ \t]*(#.*)?")


def with_body_line(entry: RawEntry, text: str, suffix: str) -> RawEntry:
    """Note the file line of the body's first line, so a body problem names its line.

    For a .yaml entry that is the line after ``body: |`` (a literal block keeps the
    file's lines); for any other form of ``body`` it is the line of the field itself.
    """
    if suffix == ".md":
        split = split_front_matter(text)
        first = split[2] if split else 1
    else:
        first = entry.lines.get(BODY_FIELD, 1)
        lines = text.split("\n")
        if 0 < first <= len(lines) and LITERAL_BODY.fullmatch(lines[first - 1].rstrip()):
            first += 1
    return dataclasses.replace(entry, lines={**entry.lines, BODY_LINE: first})
