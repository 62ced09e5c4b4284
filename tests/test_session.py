"""What a run remembers lives in one Session (wsdgen/session.py), not in the modules:
serve's Rebuilder keeps its own from rebuild to rebuild, a build's is gone after it."""

from __future__ import annotations

import ast
import datetime as dt
import shutil
from pathlib import Path

from conftest import REPO, SITES, TODAY

from wsdgen import session
from wsdgen.incremental.rebuild import Rebuilder
from wsdgen.pipeline import BuildOptions, build

PACKAGE = REPO / "wsdgen"
# Process state, not memory of a run: the pools running now, stops native code dropped.
PROCESS_STATE = {"workers.py"}
CONTAINERS = {"dict", "set", "list", "OrderedDict", "defaultdict", "Counter"}


def empty_container(value: ast.expr) -> bool:
    if isinstance(value, ast.Dict):
        return not value.keys
    if isinstance(value, ast.List | ast.Set):
        return not value.elts
    if isinstance(value, ast.Call) and not value.args:
        func = value.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in CONTAINERS
    return False


def module_level_memories(path: Path, package: Path = PACKAGE) -> list[str]:
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if value is not None and empty_container(value):
            found.append(f"{path.relative_to(package)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_module_keeps_a_memory_of_its_own() -> None:
    modules = [p for p in PACKAGE.rglob("*.py") if p.name not in PROCESS_STATE]
    assert len(modules) > 40
    found = [line for path in modules for line in module_level_memories(path)]
    assert found == [], "keep it in wsdgen/session.py's Session instead"


def test_the_scan_sees_a_module_memory(tmp_path: Path) -> None:
    sneaky = tmp_path / "plan" / "pageplan.py"
    sneaky.parent.mkdir(parents=True)
    source = (PACKAGE / "plan" / "pageplan.py").read_text(encoding="utf-8")
    sneaky.write_text(source + "\n_SEEN: dict[int, str] = {}\n", encoding="utf-8")
    line = len(sneaky.read_text(encoding="utf-8").splitlines())
    assert module_level_memories(sneaky, tmp_path) == [
        f"plan/pageplan.py:{line}: _SEEN: dict[int, str] = {{}}"
    ]


def test_serve_keeps_its_session_from_rebuild_to_rebuild(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "mini", site)
    rebuilder = Rebuilder(
        BuildOptions(site_dir=site, today=dt.date.fromisoformat(TODAY), write=False)
    )
    assert rebuilder.rebuild().exit_code == 0
    memory = rebuilder.session
    assert memory.card_deps and memory.pinned.keys() == memory.card_deps.keys()
    cards = dict(memory.card_deps)
    cafe = next((site / "content" / "kenniscafes").glob("*.md"))
    cafe.write_text(cafe.read_text(encoding="utf-8") + "\nNog een zin.\n", encoding="utf-8")
    assert rebuilder.rebuild([cafe]).exit_code == 0
    assert rebuilder.session is memory
    # The records that did not change kept their cards' deps from the first rebuild.
    assert cards.items() & memory.card_deps.items()


def test_a_build_leaves_no_memory_behind(tmp_path: Path) -> None:
    options = BuildOptions(
        site_dir=SITES / "mini", out=str(tmp_path / "public"), today=dt.date.fromisoformat(TODAY)
    )
    assert build(options).exit_code == 0
    assert session.current() is not session.current()  # none active: a fresh one each time
    with session.active(session.Session()) as outer:
        assert build(options).exit_code == 0
        assert outer.card_deps  # a build inside a run uses the run's session
