"""Write the full-text search index (Pagefind) into the new output folder before the swap.

Only the parts marked ``data-pagefind-body`` (entry pages) are indexed, with the
filters marked ``data-pagefind-filter`` (soort, werkplaats, thema, regio). The language
comes from ``<html lang="nl">``, so Dutch stemming applies. Result URLs are relative to
the site root; the search page passes the base path to Pagefind's UI (``baseUrl``).

A large site is indexed in parts ("delen"): the werkplaats, theme and region pages,
which change with every entry they list, and the entries in parts of about
``PART_SIZE`` pages (at most ``MAX_PARTS``), an entry's part following from the hash
of its path, so it stays put from build to build. Each part is a Pagefind bundle of its
own (the first at /pagefind/, the others at /pagefind/deel-N/), listed in
/pagefind/delen.json; the search page merges them in the browser (Pagefind's
``mergeIndex``), which merges results and filters. Two things follow: one edited entry
costs indexing its part and the list pages, not the site; and Pagefind's memory, which
grows with the text it holds (3.3 GiB for 10,000 entries in one bundle), is bounded by
the part. Parts are indexed two at a time (two cores). A small site is one part.

Pagefind's command line (from the ``pagefind[bin]`` package) reads the HTML of each
part from a folder of hard links to the pages just written. The command line is used
rather than Pagefind's Python API: the API's service can be closed before its last file
is fully written, which left truncated files here.

With --cache every part's bundle is kept (``DIR/search/deel-N/``, a signed record as in
cache/pagecache.py) with the fingerprint of what Pagefind read: the part's pages without
their head, the number of parts and Pagefind's version. A part whose pages did not
change is copied from there instead of indexed again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from wsdgen.cache.pagecache import CacheFolder, SignedStore
from wsdgen.publish.output import link_stored

HEAD = re.compile(rb"<head>.*?</head>", re.DOTALL)
BODY_MARK = b"data-pagefind-body"
PART_SIZE = 300
MAX_PARTS = 16
MANIFEST = "delen.json"
WORK_FOLDER = ".zoekdelen"  # inside the new output folder, removed before the swap
PARALLEL = 2


class SearchIndexError(RuntimeError):
    """Pagefind could not index the site; the message is Pagefind's own."""


@dataclass(frozen=True, slots=True)
class Part:
    """One bundle of the search index: which pages it holds and what they were."""

    number: int
    files: tuple[str, ...]
    fingerprint: str

    @property
    def bundle(self) -> str:
        """The bundle's folder, relative to the site."""
        return "pagefind" if self.number == 0 else f"pagefind/deel-{self.number}"


def part_of(file: str, parts: int) -> int:
    return int(hashlib.sha256(file.encode()).hexdigest()[:8], 16) % parts


def plan_parts(
    pages: Iterable[tuple[str, bytes]], lists: Collection[str] = (), fingerprints: bool = True
) -> list[Part]:
    """Split the pages Pagefind will index into parts (never an empty one); with
    ``fingerprints`` (only a cache needs them) each with the hash of its pages."""
    html = dict(sorted((file, data) for file, data in pages if file.endswith(".html")))
    # Pagefind indexes only the marked pages once one page is marked, and every page
    # when none is.
    indexed = [file for file, data in html.items() if BODY_MARK in data] or list(html)
    groups, count = group_files(indexed, lists)
    version = importlib.metadata.version("pagefind")
    return [
        Part(
            number,
            tuple(group),
            fingerprint([(file, page_digest(html[file])) for file in group], version, count, number)
            if fingerprints
            else "",
        )
        for number, group in enumerate(groups)
    ]


def group_files(indexed: Sequence[str], lists: Collection[str]) -> tuple[list[list[str]], int]:
    """The files of each part (never an empty part), and the number of entry parts.

    ``lists`` are the pages that list other entries (werkplaats, theme, region): they
    change with every entry they list, so on a large site they form the first part on
    their own, and an edited entry costs its own part and that one."""
    listing = [file for file in indexed if file in lists]
    entries = [file for file in indexed if file not in lists]
    count = min(MAX_PARTS, math.ceil(len(entries) / PART_SIZE))
    if count <= 1:
        groups = [list(indexed)]
    else:
        groups = [listing] + [[] for _ in range(count)]
        for file in entries:
            groups[1 + part_of(file, count)].append(file)
    return [group for group in groups if group] or [[]], count


def page_digest(data: bytes) -> bytes:
    """What Pagefind reads of a page: its markup without the head (which holds only the
    title, meta tags and fingerprinted stylesheet links)."""
    return hashlib.sha256(HEAD.sub(b"", data, count=1)).digest()


def fingerprint(pages: Sequence[tuple[str, bytes]], version: str, count: int, number: int) -> str:
    """What a part's bundle is made from: each page's path and page_digest."""
    hasher = hashlib.sha256(f"{version}\0{count}\0{number}\0".encode())
    for file, digest in pages:
        hasher.update(file.encode() + b"\0" + digest)
    return hasher.hexdigest()


class SearchCache:
    """The bundles of the last build made with --cache, by the fingerprint of their input."""

    def __init__(self, folder: CacheFolder) -> None:
        self.folder = folder
        self.reused = 0

    def store(self, part: Part) -> SignedStore:
        # Readable by all, like the page cache's files: a restored bundle is published
        # as hard links to them (publish/output.link_stored).
        return self.folder.records("search", f"deel-{part.number}", file_mode=0o644)

    def restore(self, part: Part, target: Path) -> bool:
        """Put the kept bundle of this part into target when it was made from the same
        pages; target is a fresh folder. Each file is a hard link to the stored file
        that was read and checked, or its bytes where it cannot be (link_stored)."""
        store = self.store(part)
        record = store.load_record()
        if not record or record.get("fingerprint") != part.fingerprint:
            return False
        files = record.get("files")
        if not isinstance(files, dict):
            return False
        contents = {}
        for name, sha in files.items():
            relative = Path(str(name))
            if relative.is_absolute() or ".." in relative.parts or not relative.parts:
                return False
            data = store.get(str(sha))
            if data is None:
                return False
            contents[relative] = (data, store.checked[str(sha)])
        for relative, (data, stored) in contents.items():
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if not link_stored(stored, path):
                path.write_bytes(data)
        self.reused += 1
        return True

    def keep(self, part: Part, bundle: Path) -> None:
        """Keep a new bundle; failing to write only costs the next build its reuse."""
        if self.folder.key is None:
            return
        store = self.store(part)
        try:
            files = {
                path.relative_to(bundle).as_posix(): store.put(path.read_bytes())
                for path in sorted(bundle.rglob("*"))
                if path.is_file() and not path.is_symlink()
            }
            store.save_record({"fingerprint": part.fingerprint, "files": files})
            store.prune(set(files.values()))
        except OSError:
            return


def write_search_index(folder: Path, parts: list[Part], cache: SearchCache | None = None) -> None:
    """Index the written pages into folder/pagefind/, part by part; with a cache, a
    part made from the same pages is copied instead."""
    work = folder / WORK_FOLDER
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        bundles = {part.number: work / f"bundel-{part.number}" for part in parts}
        todo = [
            part for part in parts if cache is None or not cache.restore(part, bundles[part.number])
        ]
        with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
            for done in pool.map(lambda part: index_part(folder, work, part), todo):
                if cache is not None:
                    cache.keep(done, bundles[done.number])
        place_bundles(folder, work, parts)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def place_bundles(folder: Path, work: Path, parts: Sequence[Part]) -> None:
    """Move the finished bundles from the work folder to their places, with the manifest."""
    for part in parts:
        (work / f"bundel-{part.number}").replace(folder / part.bundle)
    manifest = {"delen": [part.bundle.removeprefix("pagefind/") + "/" for part in parts[1:]]}
    (folder / "pagefind" / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


class SearchIndexer:
    """Indexes the parts while the build is still rendering and writing pages.

    publish/output.py calls ``page_written`` after each page it writes; a part whose
    pages are all written goes to Pagefind at once (PARALLEL at a time), so indexing
    overlaps the rendering of the other pages instead of following the last one.
    ``render_order`` tells the renderer to make the pages part by part.

    Which pages Pagefind will index is predicted from the plan (the entry pages). A
    written page that says otherwise (a site template that marks another page for the
    index, or leaves one unmarked) cancels the prediction: then the parts are planned
    from the written pages at the end (plan_parts), exactly as without the overlap.
    Either way each part holds the same pages.
    """

    def __init__(
        self, predicted: Collection[str], lists: Collection[str], cache: SearchCache | None
    ) -> None:
        self.lists = lists
        self.cache = cache
        self.groups, self.count = group_files(
            sorted(file for file in predicted if file.endswith(".html")), lists
        )
        self.number_of = {file: n for n, group in enumerate(self.groups) for file in group}
        self.waiting = [set(group) for group in self.groups]
        # Of each page written: its name, and with a cache its page_digest. The pages
        # themselves are not kept (at 10,000 entries they are 170 MB).
        self.written: list[str] = []
        self.digests: dict[str, bytes] = {}
        self.mismatch = False
        self.version = importlib.metadata.version("pagefind")
        self.pool: ThreadPoolExecutor | None = None
        self.jobs: dict[int, Future[tuple[Part, bool]]] = {}

    def render_order(self, file: str) -> tuple[int, int]:
        """Entry parts first, then the part of list pages, then pages not indexed."""
        number = self.number_of.get(file)
        if number is None:
            return (2, 0)
        return (1, 0) if number == 0 and len(self.groups) > 1 else (0, number)

    def page_written(self, folder: Path, file: str, data: bytes) -> None:
        if not file.endswith(".html"):
            return
        self.written.append(file)
        if self.cache is not None:
            self.digests[file] = page_digest(data)
        number = self.number_of.get(file)
        if (BODY_MARK in data) != (number is not None):
            self.mismatch = True
        if number is None or self.mismatch:
            return
        waiting = self.waiting[number]
        waiting.discard(file)
        if not waiting:
            self.start(folder, number)

    def start(self, folder: Path, number: int) -> None:
        if self.pool is None:
            work = folder / WORK_FOLDER
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir()
            self.pool = ThreadPoolExecutor(max_workers=PARALLEL)
        group = self.groups[number]
        printed = (
            fingerprint([(f, self.digests[f]) for f in group], self.version, self.count, number)
            if self.cache is not None
            else ""
        )
        part = Part(number, tuple(group), printed)
        self.jobs[number] = self.pool.submit(self.make, folder, part)

    def make(self, folder: Path, part: Part) -> tuple[Part, bool]:
        """One part's bundle, from the cache when it holds this one; True when indexed."""
        work = folder / WORK_FOLDER
        if self.cache is not None and self.cache.restore(part, work / f"bundel-{part.number}"):
            return part, False
        return index_part(folder, work, part), True

    def finish(self, folder: Path) -> None:
        """Wait for the parts; place them (or plan them again, see the class)."""
        try:
            made = [job.result() for job in self.jobs.values()]
            if self.mismatch or any(self.waiting):
                self.close()
                pages = ((file, (folder / file).read_bytes()) for file in self.written)
                parts = plan_parts(pages, self.lists, self.cache is not None)
                write_search_index(folder, parts, self.cache)
                return
            if self.cache is not None:
                for part, indexed in made:
                    if indexed:
                        self.cache.keep(part, folder / WORK_FOLDER / f"bundel-{part.number}")
            parts = sorted((part for part, _ in made), key=lambda part: part.number)
            place_bundles(folder, folder / WORK_FOLDER, parts)
        finally:
            self.close()
            shutil.rmtree(folder / WORK_FOLDER, ignore_errors=True)

    def close(self) -> None:
        """Stop starting parts and wait for those running (the build failed or is done)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def index_part(folder: Path, work: Path, part: Part) -> Part:
    """Run Pagefind on this part's pages (hard links into a folder of its own)."""
    pages = work / f"deel-{part.number}"
    pages.mkdir()
    for file in part.files:
        link = pages / file
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(folder / file, link)
        except OSError:
            shutil.copyfile(folder / file, link)
    run_pagefind(pages, work / f"bundel-{part.number}")
    return part


def pagefind_command() -> list[str]:
    """Pagefind's binary itself when its package says where it is (saves a Python start)."""
    try:
        from pagefind.service import get_executable

        binary = get_executable()
    except ImportError:
        binary = None
    if binary is not None and binary.is_file():
        return [str(binary)]
    return [sys.executable, "-m", "pagefind"]


def run_pagefind(site: Path, bundle: Path) -> None:
    done = subprocess.run(
        [*pagefind_command(), "--site", str(site), "--output-path", str(bundle), "--silent"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise SearchIndexError(
            "de zoekindex kon niet gemaakt worden" + (f": {detail[-1]}" if detail else "")
        )
