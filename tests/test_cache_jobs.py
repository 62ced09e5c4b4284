"""--cache and --jobs change how fast a build is, never what it writes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import TODAY


def files_of(root: Path) -> dict[str, str]:
    """Every output file and the hash of its bytes, except Pagefind's filter and meta
    indexes, whose names change on every run (a known Pagefind limitation)."""
    result = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(("pagefind/filter/", "pagefind/pagefind.")):
            if rel == "pagefind/pagefind-entry.json":
                continue
            result[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return result


def test_cache_gives_the_same_bytes_cold_and_warm(mini: Path, run, tmp_path: Path) -> None:
    args = ["--site", str(mini), "--today", TODAY, "--quiet"]
    assert run("build", *args, "--out", str(tmp_path / "plain")).code == 0
    cache = tmp_path / "cache"
    assert run("build", *args, "--out", str(tmp_path / "cold"), "--cache", str(cache)).code == 0
    assert any(cache.rglob("*.html"))
    cafe = mini / "content/kenniscafes/2017-04-14-schulden.md"
    cafe.write_text(cafe.read_text(encoding="utf-8") + "\nEen extra alinea.\n", encoding="utf-8")
    assert run("build", *args, "--out", str(tmp_path / "warm"), "--cache", str(cache)).code == 0
    assert run("build", *args, "--out", str(tmp_path / "plain2")).code == 0
    assert files_of(tmp_path / "cold") == files_of(tmp_path / "plain")
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "plain2")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cache",
        "cold",
        "mini",
        "plain",
        "plain2",
        "warm",
    ]


def test_a_broken_cache_entry_is_only_a_miss(mini: Path, run, tmp_path: Path) -> None:
    args = ["--site", str(mini), "--today", TODAY, "--quiet"]
    cache = tmp_path / "cache"
    assert run("build", *args, "--out", str(tmp_path / "a"), "--cache", str(cache)).code == 0
    for file in cache.rglob("*.html"):
        file.write_bytes(b"\xff\xfe not utf-8")
        break
    assert run("build", *args, "--out", str(tmp_path / "b"), "--cache", str(cache)).code == 0


def test_jobs_give_the_same_bytes(tmp_path: Path, run) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    from generate import generate

    site = tmp_path / "big"
    generate(site, 200)
    args = ["--site", str(site), "--today", TODAY, "--quiet"]
    assert run("build", *args, "--out", str(tmp_path / "one"), "--jobs", "1").code == 0
    assert run("build", *args, "--out", str(tmp_path / "two"), "--jobs", "2").code == 0
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")


def test_summary_names_pages_errors_warnings_and_time(mini: Path, run, tmp_path: Path) -> None:
    result = run("build", "--site", str(mini), "--out", str(tmp_path / "o"), "--today", TODAY)
    first = result.out.splitlines()[0]
    assert first.startswith("wsdgen: ") and "pagina's geschreven" in first
    assert "0 fouten, 0 waarschuwingen" in first and " s (" in first
    quiet = run(
        "build", "--site", str(mini), "--out", str(tmp_path / "q"), "--today", TODAY, "--quiet"
    )
    assert quiet.out == ""
