"""Time each stage of one cold build: python bench/phases.py SITE [JOBS]."""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wsdgen.pipeline import BuildOptions, list_pages, load_site, plan_site
from wsdgen.publish.output import publish
from wsdgen.publish.search import plan_parts, write_search_index
from wsdgen.render.renderer import make_environment, render_bodies, render_pages


def main() -> None:
    site = Path(sys.argv[1])
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    out = Path(tempfile.mkdtemp()) / "public"
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        print(f"{name:34} {now - clock:6.2f} s")
        clock = now

    options = BuildOptions(site_dir=site, out=str(out), today=dt.date(2026, 11, 23), jobs=jobs)
    loaded, failed = load_site(options)
    assert loaded is not None, failed
    lap("load, validate, link, media")
    plans, problems = plan_site(loaded)
    assert not problems, problems[:3]
    lap(f"plan and check paths ({len(plans)} files)")
    env = make_environment(loaded.config.site_dir)
    bodies, body_problems = render_bodies(loaded.site, None, jobs)
    assert not body_problems, body_problems[:3]
    lap("markdown")
    rendered = render_pages(
        plans, env, loaded.site, loaded.assets, bodies, loaded.media, None, jobs
    )
    lap("templates")
    publish(rendered, loaded.assets.files, out, loaded.config.site_dir)
    lap(f"write ({sum(len(r.data) for r in rendered) / 1e6:.0f} MB)")
    parts = plan_parts(((r.file, r.data) for r in rendered), list_pages(plans))
    write_search_index(out, parts)
    lap(f"search index ({len(parts)} parts)")


if __name__ == "__main__":
    main()
