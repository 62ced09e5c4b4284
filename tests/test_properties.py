"""Property tests: no input ends in a traceback or a hang; every run ends 0, 1 or 2."""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

import yaml
from conftest import write_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_validate import BASE

from wsdgen.cli import main
from wsdgen.schema import FIELDS

FIELD_NAMES = sorted({spec.name for specs in FIELDS.values() for spec in specs})
COLLECTIONS = sorted(FIELDS)

scalars = st.one_of(
    st.text(max_size=30),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
    st.dates().map(str),
    st.sampled_from(
        [
            "15:30",
            "25:99",
            "2019-02-30",
            "Ja",
            "no",
            "~",
            "rotterdam",
            "armoede",
            "/oud/pad/",
            "//x",
            "javascript:alert(1)",
            "https://example.org/",
            "&a x",
            "*a",
            "!!python/object:os.system",
            "{",
            "[",
            "- x",
            "1e9",
            ".nan",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
front_matter = st.dictionaries(
    st.sampled_from(FIELD_NAMES) | st.text(max_size=10), values, max_size=8
)


def run_check(site: Path, *args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["check", "--site", str(site), *args])
    return code, err.getvalue()


def assert_clean_ending(code: int, err: str) -> None:
    assert code in (0, 1, 2)
    assert "Traceback" not in err
    assert "onverwachte fout" not in err, err
    if code:
        assert ": error: " in err


SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(
    collection=st.sampled_from(COLLECTIONS),
    fields=front_matter,
    body=st.text(max_size=200),
    as_yaml=st.booleans(),
)
def test_random_front_matter_never_crashes(
    collection: str, fields: dict, body: str, as_yaml: bool
) -> None:
    try:
        dumped = yaml.safe_dump(fields, allow_unicode=True)
    except yaml.YAMLError:
        return
    if as_yaml:
        name, text = "x.yaml", dumped
    else:
        name, text = "x.md", f"---\n{dumped}---\n{body}"
    with tempfile.TemporaryDirectory() as tmp:
        site = write_site(Path(tmp) / "site", BASE)
        path = site / "content" / collection / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        assert_clean_ending(*run_check(site))


@SETTINGS
@given(data=st.binary(max_size=400), prefix=st.sampled_from([b"", b"---\n", b"\xef\xbb\xbf---\n"]))
def test_random_bytes_never_crash(data: bytes, prefix: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = write_site(Path(tmp) / "site", BASE)
        (site / "content/kenniscafes").mkdir()
        (site / "content/kenniscafes/x.md").write_bytes(prefix + data)
        (site / "content/themas/y.yaml").write_bytes(data)
        assert_clean_ending(*run_check(site))


@SETTINGS
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_random_config_never_crashes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = write_site(Path(tmp) / "site", BASE)
        (site / "config.yaml").write_bytes(data)
        code, err = run_check(site)
        assert_clean_ending(code, err)


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BASE)
    (site / "content/themas/diep.md").write_text(
        "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n", encoding="utf-8"
    )
    code, err = run_check(site)
    assert code == 1 and "content/themas/diep.md" in err
