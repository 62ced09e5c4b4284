"""Count instructions instead of seconds: figures that hold on a noisy machine.

Wall-clock times on these machines move by 40 % within minutes; the number of
instructions a piece of work executes hardly moves at all, so a change of a few per
cent is visible. `perf stat -e instructions` needs hardware counters, which a virtual
machine often does not have; valgrind's callgrind counts in software (about 30 times
slower, and the same count on every machine with the same code and libraries).

    python bench/instructions.py warm SITE [--search]
    python bench/instructions.py cold SITE [--search]
    python bench/instructions.py serve SITE [--edits N]

- warm: one kenniscafé's title changed, then `wsdgen build --cache` (bench/warm.py);
  the cache is filled first, outside the count.
- cold: `wsdgen build` without a cache, with --jobs 1 (workers would be counted one
  by one, and their number is the machine's).
- serve: the rebuilds after N title edits, as `wsdgen serve` does them: the count with
  N edits minus the count with none, divided by N.

Pagefind is a program of its own (Rust) and is not counted; without --search the
builds skip the index (--zonder-zoekindex), which is also the wsdgen part of the work.
Prints one line per figure; --json FILE also writes them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from run import compile_wsdgen  # bench/run.py, beside this script

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
COLLECTED = re.compile(r"==\d+== Collected : (\d+)")
TODAY = "2026-11-23"

SERVE_SCRIPT = """
import datetime as dt, re, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from wsdgen.incremental.rebuild import Rebuilder
from wsdgen.pipeline import BuildOptions
site, edits = Path(sys.argv[1]), int(sys.argv[2])
rebuilder = Rebuilder(BuildOptions(site_dir=site, today=dt.date({today}), write=False))
assert rebuilder.rebuild().exit_code == 0
cafes = sorted((site / "content/kenniscafes").glob("*.md"))
cafe = cafes[len(cafes) // 2]
for number in range(edits):
    text = cafe.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^title: .*$", f'title: "Bewerkt {{number}}"', text, count=1)
    cafe.write_text(text, encoding="utf-8")
    assert rebuilder.rebuild(changed=[cafe]).exit_code == 0
"""


def callgrind(command: list[str], env: dict[str, str] | None = None) -> int:
    """Instructions executed by ``command`` and the processes it forks (not those it
    starts with exec: Pagefind), counted by callgrind."""
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {}), "PYTHONHASHSEED": "0"},
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{command[:4]} failed:\n{done.stderr[-2000:]}")
    return sum(int(found) for found in COLLECTED.findall(done.stderr))


def build_command(site: Path, out: Path, search: bool, cache: Path | None) -> list[str]:
    command = [PYTHON, "-m", "wsdgen", "build", "--site", str(site), "--out", str(out)]
    command += ["--today", TODAY, "--quiet", "--jobs", "1"]
    if cache is not None:
        command += ["--cache", str(cache)]
    return command if search else [*command, "--zonder-zoekindex"]


def warm(site: Path, work: Path, search: bool) -> int:
    cache, out = work / "cache", work / "out"
    key = {"WSDGEN_CACHE_KEY": os.environ.get("WSDGEN_CACHE_KEY") or "b" * 43}
    subprocess.run(build_command(site, out, search, cache), check=True, env={**os.environ, **key})
    extra = [] if search else ["--zonder-zoekindex"]
    return callgrind([PYTHON, str(HERE / "warm.py"), str(site), str(cache), str(out), *extra], key)


def cold(site: Path, work: Path, search: bool) -> int:
    return callgrind(build_command(site, work / "out", search, None))


def serve(site: Path, work: Path, edits: int) -> float:
    script = work / "serve_edits.py"
    today = ", ".join(str(int(part)) for part in TODAY.split("-"))
    script.write_text(SERVE_SCRIPT.format(root=str(HERE.parent), today=today))
    base = callgrind([PYTHON, str(script), str(site), "0"])
    edited = callgrind([PYTHON, str(script), str(site), str(edits)])
    return (edited - base) / edits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["warm", "cold", "serve"])
    parser.add_argument("site", type=Path)
    parser.add_argument("--search", action="store_true", help="build the search index too")
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    compile_wsdgen()
    with tempfile.TemporaryDirectory(prefix="wsdgen-instr-") as folder:
        work = Path(folder)
        site = work / "site"
        shutil.copytree(args.site, site)
        if args.what == "warm":
            figure: float = warm(site, work, args.search)
        elif args.what == "cold":
            figure = cold(site, work, args.search)
        else:
            figure = serve(site, work, args.edits)
    label = {"warm": "warm build", "cold": "cold build", "serve": "per serve title edit"}
    print(f"{label[args.what]}: {figure / 1e9:.3f} G instructions")
    if args.json:
        args.json.write_text(json.dumps({"what": args.what, "instructions": figure}) + "\n")


if __name__ == "__main__":
    main()
