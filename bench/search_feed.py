"""Is feeding Pagefind from memory faster than letting it read the written HTML?

    python3 bench/search_feed.py PUBLIC_DIR [--runs 3]

PUBLIC_DIR is a built site. For the pages Pagefind indexes (those marked
``data-pagefind-body``) it times, in alternating rounds:

- ``cli``: what wsdgen does (wsdgen/publish/search.py): hard links to the pages in a folder of
  their own, then Pagefind's command line on that folder;
- ``api``: Pagefind's Python API, every page passed from memory with
  ``add_html_file(content=..., url=...)`` (all in flight at once), then ``write_files``.

and reports the median and whether both bundles hold the same number of pages and
files (the API's service has been seen to close before its last file was written).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from wsdgen.publish.search import Part, index_part  # noqa: E402


def marked_pages(site: Path) -> dict[str, bytes]:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        relative = path.relative_to(site).as_posix()
        data = path.read_bytes()
        if not relative.startswith("pagefind/") and b"data-pagefind-body" in data:
            pages[relative] = data
    return pages


def by_cli(site: Path, pages: dict[str, bytes], work: Path) -> Path:
    index_part(site, work, Part(0, tuple(pages), ""))
    return work / "bundel-0"


def by_api(pages: dict[str, bytes], work: Path) -> Path:
    from pagefind.index import IndexConfig, PagefindIndex

    bundle = work / "bundel-api"

    async def run() -> None:
        async with PagefindIndex(IndexConfig(output_path=str(bundle))) as index:
            # All pages in flight at once: awaited one by one, each costs a round trip.
            await asyncio.gather(
                *(
                    index.add_html_file(
                        content=data.decode("utf-8"), url="/" + file.removesuffix("index.html")
                    )
                    for file, data in pages.items()
                )
            )

    asyncio.run(run())
    return bundle


def page_count(bundle: Path) -> int:
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(language["page_count"] for language in entry["languages"].values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pages = marked_pages(args.site)
    times: dict[str, list[float]] = {"cli": [], "api": []}
    shape: dict[str, tuple[int, int]] = {}
    for _ in range(args.runs):
        for method in ("cli", "api"):
            with tempfile.TemporaryDirectory(dir=args.site.parent) as temp:
                work = Path(temp)
                started = time.perf_counter()
                bundle = by_cli(args.site, pages, work) if method == "cli" else by_api(pages, work)
                times[method].append(time.perf_counter() - started)
                files = sum(1 for p in bundle.rglob("*") if p.is_file())
                shape[method] = (page_count(bundle), files)
                shutil.rmtree(bundle)
    print(f"{len(pages)} pages indexed, {args.runs} rounds")
    for method, values in times.items():
        pages_in, files = shape[method]
        print(
            f"{method}: median {statistics.median(values):.2f} s "
            f"(min {min(values):.2f}, max {max(values):.2f}); {pages_in} pages, {files} files"
        )


if __name__ == "__main__":
    main()
