"""Ctrl+C, SIGTERM and kill -9 during a build; worker processes with fork and spawn.

The interrupt tests start real `python -m wsdgen build --jobs 2` processes on a
generated site that takes a few seconds, stop them half-way and check what is left:
the exit code, one Dutch line, no worker, no staging folder, the old output as it was.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import REPO, TODAY

from wsdgen import workers
from wsdgen.publish.output import MARKER, STAGING_MARKER

STOPPED = "wsdgen: gestopt; de vorige uitvoer is niet aangeraakt."
PARAGRAPH = (
    "In de *wijk* werken [hogescholen](https://example.org/) en gemeenten samen aan "
    "**armoede**, schulden en `jeugdzorg`; bewoners vertellen wat werkt en wat niet. "
) * 6


def write_big_site(root: Path, entries: int) -> Path:
    """A site whose Markdown keeps two workers busy for a few seconds."""

    def write(name: str, text: str) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    write("config.yaml", "title: Groot\nbase_url: https://example.org/\n")
    write("content/regios/zuid-holland.md", "---\ntitle: Zuid-Holland\n---\n")
    write("content/themas/armoede.md", "---\ntitle: Armoede\n---\n")
    write(
        "content/werkplaatsen/rotterdam.md",
        "---\ntitle: Rotterdam\nregios: [zuid-holland]\nthemas: [armoede]\n---\nTekst.\n",
    )
    sections = [
        f"## Deel {i}\n\n{PARAGRAPH}\n\n- een\n- twee\n\n| a | b |\n|---|---|\n| {i} | x |"
        for i in range(12)
    ]
    body = "\n\n".join(sections)
    for i in range(entries):
        write(
            f"content/kenniscafes/2019-01-01-cafe-{i:04d}.md",
            "---\n"
            f"title: Kenniscafé {i}\ndatum: 2019-01-01\nwerkplaats: rotterdam\n"
            f"themas: [armoede]\n---\nVerslag {i}.\n\n{body}\n",
        )
    return root


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_big_site(tmp_path_factory.mktemp("groot") / "site", 250)


@pytest.fixture
def old_output(tmp_path: Path) -> Path:
    """An output folder of an earlier build, which an interrupted build must not touch."""
    out = tmp_path / "public"
    out.mkdir()
    (out / MARKER).write_text("gemaakt door wsdgen\n", encoding="utf-8")
    (out / "index.html").write_text("<p>de vorige site</p>\n", encoding="utf-8")
    return out


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(path.relative_to(root).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


# --- Processes, seen through /proc (no psutil needed). ---


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def descendants(pid: int) -> set[int]:
    """Every living process below pid (children, their children, ...)."""
    below: set[int] = set()
    frontier = {pid}
    while frontier:
        children = {
            int(name)
            for name in os.listdir("/proc")
            if name.isdigit() and parent_of(int(name)) in frontier
        }
        frontier = children - below
        below |= children
    return below


def running(pid: int) -> bool:
    """Whether pid is still a process that runs (a zombie has ended already)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def start_build(site: Path, out: Path, start_method: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("CI", None)
    if start_method:
        env[workers.START_METHOD_ENV] = start_method
    command = [sys.executable, "-m", "wsdgen", "build", "--site", str(site), "--out", str(out)]
    return subprocess.Popen(
        [*command, "--jobs", "2", "--today", TODAY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # its own process group, as a shell gives a command
    )


@pytest.fixture
def builds() -> Iterator[list[subprocess.Popen[str]]]:
    """Builds started by a test; whatever a failing test left running is killed."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def staging_folders(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.new-*"))


@pytest.mark.parametrize(
    ("signum", "whole_group", "start_method", "code"),
    [
        (signal.SIGINT, True, None, 130),  # Ctrl+C in a terminal: every process gets it
        (signal.SIGINT, False, None, 130),
        (signal.SIGTERM, False, None, 143),  # kill PID
        (signal.SIGTERM, True, None, 143),  # CI or systemd stopping the whole group
        (signal.SIGINT, True, "spawn", 130),
        (signal.SIGTERM, False, "spawn", 143),
    ],
    ids=["ctrl-c", "sigint-pid", "sigterm-pid", "sigterm-group", "ctrl-c-spawn", "sigterm-spawn"],
)
def test_a_stopped_build_ends_quietly_and_leaves_nothing(
    big_site: Path,
    old_output: Path,
    builds: list[subprocess.Popen[str]],
    signum: int,
    whole_group: bool,
    start_method: str | None,
    code: int,
) -> None:
    before = tree_hash(old_output)
    build = start_build(big_site, old_output, start_method)
    builds.append(build)
    # Wait until the worker pool runs, then stop the build in the middle of its work.
    assert wait_until(lambda: len(descendants(build.pid)) >= 2, 30), "no workers started"
    time.sleep(0.3)
    helpers = descendants(build.pid)
    assert build.poll() is None, "the build ended before it could be stopped"
    if whole_group:
        os.killpg(build.pid, signum)
    else:
        build.send_signal(signum)
    _, err = build.communicate(timeout=60)
    assert build.returncode == code, err
    assert "Traceback" not in err
    assert err.splitlines() == [STOPPED]
    assert wait_until(lambda: not any(running(pid) for pid in helpers), 10), helpers
    assert staging_folders(old_output) == []
    assert tree_hash(old_output) == before
    assert sorted(p.name for p in old_output.parent.iterdir()) == ["public"]


def test_stopped_while_writing_the_output(
    big_site: Path, old_output: Path, builds: list[subprocess.Popen[str]]
) -> None:
    before = tree_hash(old_output)
    build = start_build(big_site, old_output)
    builds.append(build)
    assert wait_until(lambda: bool(staging_folders(old_output)), 60), "no staging folder"
    build.send_signal(signal.SIGTERM)
    _, err = build.communicate(timeout=60)
    assert build.returncode == 143, err
    assert err.splitlines() == [STOPPED]
    assert staging_folders(old_output) == []
    assert tree_hash(old_output) == before


def test_a_build_killed_outright_is_cleaned_up_by_the_next(
    big_site: Path, old_output: Path, builds: list[subprocess.Popen[str]]
) -> None:
    build = start_build(big_site, old_output)
    builds.append(build)
    assert wait_until(
        lambda: any((f / STAGING_MARKER).is_file() for f in staging_folders(old_output)), 60
    ), "no staging folder"
    os.killpg(build.pid, signal.SIGKILL)
    build.wait()
    left = staging_folders(old_output)
    assert len(left) == 1 and (left[0] / STAGING_MARKER).is_file()
    again = ["build", "--site", str(big_site), "--out", str(old_output), "--today", TODAY]
    done = subprocess.run(
        [sys.executable, "-m", "wsdgen", *again, "--jobs", "2", "--quiet"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert not left[0].exists()
    assert sorted(p.name for p in old_output.parent.iterdir()) == ["public"]


# --- Leftovers of earlier builds: only wsdgen's own, only when their build is gone. ---


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def leftover(parent: Path, name: str, marker: str | None) -> Path:
    folder = parent / name
    (folder / "kenniscafes").mkdir(parents=True)
    (folder / "kenniscafes/index.html").write_text("half\n", encoding="utf-8")
    if marker:
        (folder / marker).write_text("12345\n", encoding="utf-8")
    return folder


def test_an_empty_staging_folder_of_a_dead_build_is_removed(mini: Path, run) -> None:
    """Killed between making its staging folder and writing the marker into it, a build
    leaves an empty folder: the next build removes it (an empty folder loses nothing)."""
    empty = mini / f".public.new-{dead_pid()}-empty01"
    empty.mkdir()
    assert run("build", "--site", str(mini), "--today", TODAY, "--quiet").code == 0
    assert not empty.exists()
    assert (mini / "public/index.html").is_file()


def test_stale_folders_of_dead_builds_are_removed(mini: Path, run) -> None:
    dead = dead_pid()
    stale_new = leftover(mini, f".public.new-{dead}-abc123", STAGING_MARKER)
    stale_old = leftover(mini, f".public.old-{dead}-k_9x", MARKER)
    assert run("build", "--site", str(mini), "--today", TODAY, "--quiet").code == 0
    assert not stale_new.exists()
    assert not stale_old.exists()
    assert (mini / "public/index.html").is_file()


def test_folders_that_are_not_stale_or_not_ours_are_left_alone(mini: Path, run) -> None:
    dead = dead_pid()
    live = subprocess.Popen(["sleep", "60"])
    try:
        unmarked = leftover(mini, f".public.new-{dead}-nomark", None)
        of_live_build = leftover(mini, f".public.new-{live.pid}-live01", STAGING_MARKER)
        other_output = leftover(mini, f".andere.new-{dead}-abc123", STAGING_MARKER)
        odd_name = leftover(mini, f".public.new-{dead}", STAGING_MARKER)
        target = leftover(mini, "echte-map", STAGING_MARKER)
        link = mini / f".public.old-{dead}-link01"
        link.symlink_to(target)
        assert run("build", "--site", str(mini), "--today", TODAY, "--quiet").code == 0
        for folder in (unmarked, of_live_build, other_output, odd_name, target):
            assert (folder / "kenniscafes/index.html").is_file(), folder
        assert link.is_symlink()
    finally:
        live.kill()
        live.wait()


# --- Worker processes: fork by default, spawn where fork is missing. ---


def output_files(root: Path) -> dict[str, str]:
    """Output file hashes, without Pagefind's index names that change on every run."""
    files = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(("pagefind/filter/", "pagefind/pagefind")):
            files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def test_default_start_method_on_linux_is_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(workers.START_METHOD_ENV, raising=False)
    assert workers.start_method() == "fork"
    assert workers.can_share_state()
    monkeypatch.setenv(workers.START_METHOD_ENV, "spawn")
    assert workers.start_method() == "spawn"
    assert not workers.can_share_state()
    monkeypatch.setenv(workers.START_METHOD_ENV, "geen-methode")
    assert workers.start_method() == "fork"


def test_spawned_workers_give_the_same_bytes(
    mini: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["--site", str(mini), "--today", TODAY, "--quiet"]
    assert run("build", *args, "--out", str(tmp_path / "one"), "--jobs", "1").code == 0
    used: list[str | None] = []
    real_get_context = workers.multiprocessing.get_context

    def spy(method: str | None = None) -> object:
        used.append(method)
        return real_get_context(method)

    monkeypatch.setattr(workers, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(workers.multiprocessing, "get_context", spy)
    monkeypatch.setenv(workers.START_METHOD_ENV, "spawn")
    result = run("build", *args, "--out", str(tmp_path / "two"), "--jobs", "2")
    assert result.code == 0, result.err
    assert "spawn" in used
    assert output_files(tmp_path / "two") == output_files(tmp_path / "one")


def test_spawn_does_in_process_what_cannot_be_pickled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(workers.START_METHOD_ENV, "spawn")
    items = list(range(200))
    assert list(workers.map_in_workers(lambda x: x * 3, items, 2)) == [x * 3 for x in items]


def test_forked_workers_keep_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(workers.START_METHOD_ENV, raising=False)
    items = [str(i) for i in range(500)]
    assert list(workers.map_in_workers(str.upper, items, 2)) == items
    assert workers._ACTIVE_POOLS == []


def test_a_huge_jobs_value_is_capped_at_the_cores() -> None:
    assert workers.pool_size(100_000, 10_000) == max(2, workers.usable_cores())
    assert workers.pool_size(8, 3) == min(3, max(2, workers.usable_cores()))
    assert workers.pool_size(1, 1000) == 1


def test_a_ctrl_c_swallowed_by_native_code_still_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    """nh3 calls our attribute filter and drops what it raises: a Ctrl+C that lands
    there must still stop the command (it used to be lost, and the build ran on)."""
    from wsdgen.body import markup

    def unique_id_hit_by_ctrl_c(value: str, seen: set[str]) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(markup, "_unique_id", unique_id_hit_by_ctrl_c)
    with pytest.raises(KeyboardInterrupt), workers.stops_never_swallowed():
        markup.sanitise('<h2 id="deel">Deel</h2>')
    monkeypatch.undo()
    with workers.stops_never_swallowed():
        assert markup.sanitise('<h2 id="deel">Deel</h2>') == '<h2 id="deel">Deel</h2>'


def test_without_the_guard_native_code_swallows_the_ctrl_c() -> None:
    """The premise of the test above: nh3 really does drop the exception."""
    import nh3

    def filter_hit_by_ctrl_c(tag: str, attribute: str, value: str) -> str:
        raise KeyboardInterrupt

    dropped: list[BaseException | None] = []
    previous = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: dropped.append(unraisable.exc_value)
    try:
        cleaned = nh3.clean(
            '<p id="a">x</p>', attributes={"p": {"id"}}, attribute_filter=filter_hit_by_ctrl_c
        )
    finally:
        sys.unraisablehook = previous
    assert cleaned == "<p>x</p>"
    assert len(dropped) == 1 and isinstance(dropped[0], KeyboardInterrupt)


def test_a_worker_whose_stop_was_swallowed_exits(tmp_path: Path) -> None:
    """In a worker, SIGTERM raises SystemExit so that the queue lock is let go; when
    native code drops that SystemExit the worker still ends, with 143."""
    script = (
        "import os, signal\n"
        "from wsdgen import workers\n"
        "from wsdgen.body import markup\n"
        "workers._worker_init()\n"
        "def hit(value, seen):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "    for _ in range(10**6):\n"  # the handler runs here, inside the callback
        "        pass\n"
        "    return value\n"
        "markup._unique_id = hit\n"
        "markup.sanitise('<h2 id=\"deel\">Deel</h2>')\n"
        "import time; time.sleep(5)\n"
        "raise SystemExit(0)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=30)
    assert done.returncode == 128 + signal.SIGTERM
    assert b"Traceback" not in done.stderr


def test_a_worker_stopped_just_after_taking_a_lock_lets_go_of_it() -> None:
    """SIGTERM right after a worker took the queue lock, before the ``with`` block that
    releases it began: the lock must still be let go, or the parent's Pool.terminate
    waits for it for ever (seen when SIGTERM reached the whole process group)."""
    import multiprocessing

    lock = multiprocessing.Lock()

    def stop_as_enter_returns(frame, event, arg):  # type: ignore[no-untyped-def]
        if event == "return":
            workers._end_worker(signal.SIGTERM, frame)
        return stop_as_enter_returns

    def trace(frame, event, arg):  # type: ignore[no-untyped-def]
        return stop_as_enter_returns if frame.f_code is workers._SEMLOCK_ENTER else None

    sys.settrace(trace)
    try:
        with pytest.raises(SystemExit), lock:
            pass
    finally:
        sys.settrace(None)
    assert lock.acquire(timeout=1), "the lock was left taken"
