"""Compiled templates in the --cache folder (cache/templatecode.py): a warm build loads
them instead of compiling, and a file in that folder that is not signed with the cache
key is never given to Jinja (whose loader unpickles and runs it)."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
from pathlib import Path

import jinja2
import pytest
from conftest import SITES, TODAY

from wsdgen.cache.bodycache import DiskCache
from wsdgen.cache.templatecode import FOLDER
from wsdgen.pipeline import BuildOptions, BuildResult, build

CAFE = "content/kenniscafes/2017-04-14-schulden.md"


pytestmark = pytest.mark.usefixtures("signed_cache")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    shutil.copytree(SITES / "mini", target)
    return target


def cached_build(site: Path, out: Path, cache: Path) -> BuildResult:
    options = BuildOptions(
        site_dir=site, out=str(out), today=dt.date.fromisoformat(TODAY), search_index=False
    )
    result = build(options, body_cache=DiskCache(cache))
    assert result.exit_code == 0, [str(d) for d in result.diagnostics]
    return result


def edit_cafe(site: Path, words: str) -> None:
    path = site / CAFE
    path.write_text(path.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_warm_build_compiles_no_template(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "one", cache)
    assert any((cache / FOLDER).iterdir())
    edit_cafe(site, "Een nieuwe zin.")

    def no_compiling(*args: object, **kwargs: object) -> None:
        raise AssertionError("a template was compiled again")

    with monkeypatch.context() as patch:
        patch.setattr(jinja2.Environment, "compile", no_compiling)
        warm = cached_build(site, tmp_path / "two", cache)
    assert warm.reused < warm.pages
    clean = build(
        BuildOptions(
            site_dir=site,
            out=str(tmp_path / "clean"),
            today=dt.date.fromisoformat(TODAY),
            search_index=False,
        )
    )
    assert clean.exit_code == 0
    assert files_of(tmp_path / "two") == files_of(tmp_path / "clean")


class Planted:
    """What an attacker's pickle would do when loaded: write a file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.marker), "uitgevoerd"))  # type: ignore[return-value]


@pytest.mark.parametrize("signature", [b"0" * 64, b"", b"not hex at all, and far too short"])
def test_a_compiled_template_not_signed_with_the_key_is_never_loaded(
    site: Path, tmp_path: Path, signature: bytes
) -> None:
    """Someone who can write the cache folder (another branch's CI run), but has not got
    the key, replaces every compiled template by a pickle that runs code."""
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "one", cache)
    marker = tmp_path / "uitgevoerd.txt"
    payload = pickle.dumps(Planted(marker))
    stored = list((cache / FOLDER).iterdir())
    assert stored
    for path in stored:
        path.write_bytes(signature + jinja2.bccache.bc_magic + payload)
    edit_cafe(site, "Nog een zin.")
    cached_build(site, tmp_path / "two", cache)
    assert not marker.exists()


def test_compiled_templates_of_another_key_are_not_used(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    cached_build(site, tmp_path / "one", cache)
    monkeypatch.setenv("WSDGEN_CACHE_KEY", "een-andere-sleutel-" + "y" * 40)
    compiled: list[str] = []
    real_compile = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
        compiled.append(name)
        return real_compile(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    edit_cafe(site, "Een zin.")
    cached_build(site, tmp_path / "two", cache)
    assert "kenniscafe.html" in compiled
