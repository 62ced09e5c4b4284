"""Time each stage of one cold build: python bench/phases.py SITE [JOBS]."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wsdgen.output import publish
from wsdgen.pages import plan_pages
from wsdgen.pipeline import BuildOptions, load_site
from wsdgen.render import make_environment, render_bodies, render_pages
from wsdgen.search import write_search_index


def main() -> None:
    site = Path(sys.argv[1])
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    out = Path(tempfile.mkdtemp()) / "public"
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        print(f"{name:28} {now - clock:6.2f} s")
        clock = now

    options = BuildOptions(site_dir=site, out=str(out), today=dt.date(2026, 11, 23))
    loaded, failed = load_site(options)
    assert loaded is not None, failed
    lap("load, validate, link")
    plans = plan_pages(loaded.site)
    lap(f"plan ({len(plans)} files)")
    env = make_environment(loaded.config.site_dir)
    bodies = render_bodies(loaded.site, None, jobs)
    lap("markdown")
    rendered = render_pages(plans, env, loaded.site, loaded.assets, bodies, None, jobs)
    lap("templates")
    publish(rendered, loaded.assets.files, out, loaded.config.site_dir)
    lap(f"write ({sum(len(r.data) for r in rendered) / 1e6:.0f} MB)")
    write_search_index(out)
    lap("search index")


if __name__ == "__main__":
    main()
