"""Peak memory of a command's whole process tree: the sum of PSS and the sum of RSS.

PSS counts a page that a forked worker shares with its parent once (divided among the
processes that share it); the sum of RSS counts it in each process. The build's
workers are forked, so the two differ by the memory they share.

    python bench/memory.py python -m wsdgen build --site SITE --out OUT --quiet

Needs psutil (`pip install psutil`); samples every 0.1 s, Linux only (PSS).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import psutil

MIB = 1 << 20


@dataclass
class Peak:
    rss: int = 0
    pss: int = 0
    at_peak: list[tuple[str, int, int]] = field(default_factory=list)

    def sample(self, root: psutil.Process) -> None:
        rss = pss = 0
        parts = []
        for process in [root, *root.children(recursive=True)]:
            try:
                info = process.memory_full_info()
                name = process.name()
            except psutil.Error:
                continue
            rss += info.rss
            pss += info.pss
            parts.append((name, info.pss // MIB, info.rss // MIB))
        self.rss = max(self.rss, rss)
        if pss > self.pss:
            self.pss, self.at_peak = pss, parts


def measure(command: list[str]) -> tuple[float, int, Peak]:
    peak = Peak()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    done = threading.Event()

    def sample_until_done() -> None:
        root = psutil.Process(process.pid)
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                peak.sample(root)
            done.wait(0.1)

    sampler = threading.Thread(target=sample_until_done, daemon=True)
    sampler.start()
    code = process.wait()
    done.set()
    sampler.join()
    return time.perf_counter() - started, code, peak


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    seconds, code, peak = measure(sys.argv[1:])
    print(
        f"{seconds:.1f} s, exit {code}, peak PSS sum {peak.pss // MIB} MiB, "
        f"peak RSS sum {peak.rss // MIB} MiB"
    )
    print("at the peak (name, PSS MiB, RSS MiB):", peak.at_peak)
    return code


if __name__ == "__main__":
    sys.exit(main())
