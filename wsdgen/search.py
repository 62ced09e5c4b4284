"""Write the full-text search index (Pagefind) into the new output folder before the swap.

Pagefind reads the written HTML of the new folder in one call (each call to its
service costs about 0.1 s, so pages are not sent one by one). Result URLs are
relative to the site root; the search page passes the base path to Pagefind's UI
(``baseUrl``). Only the parts marked ``data-pagefind-body`` (entry pages) are
indexed, with the filters marked ``data-pagefind-filter`` (soort, werkplaats, thema,
regio). The language comes from ``<html lang="nl">``, so Dutch stemming applies.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pagefind.index import IndexConfig, PagefindIndex

INDEX_FOLDER = "pagefind"


async def _index(folder: Path) -> None:
    settings = IndexConfig(output_path=str(folder / INDEX_FOLDER))
    async with PagefindIndex(config=settings) as index:
        await index.add_directory(str(folder), glob="**/*.html")


def write_search_index(folder: Path) -> None:
    """Index every written HTML page that has a search body; the bundle goes to pagefind/.

    Runs in its own thread, so it works also where an event loop is already running
    (the live-reload server, a browser test).
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _index(folder)).result()
