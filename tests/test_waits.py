"""No test swallows a timeout (issue 22, point 6): a browser test that goes on after a
wait ran out fails later with a message about something else (a set comparison), or
passes by luck. Scanned in the test sources: `contextlib.suppress` of a timeout, and an
`except` of a timeout whose handler neither raises nor kills the child that timed out."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def mentions_timeout(node: ast.AST | None) -> bool:
    return node is not None and "Timeout" in ast.unparse(node)


def suppresses_timeout(item: ast.withitem) -> bool:
    call = item.context_expr
    return (
        isinstance(call, ast.Call)
        and ast.unparse(call.func).endswith("suppress")
        and any(mentions_timeout(arg) for arg in call.args)
    )


def is_kill(node: ast.AST) -> bool:
    """Killing a child that did not stop in time is cleanup, not going on."""
    return isinstance(node, ast.Call) and ast.unparse(node.func).endswith(".kill")


def swallowed_timeouts(tree: ast.AST) -> list[int]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.With) and any(suppresses_timeout(i) for i in node.items):
            found.append(node.lineno)
        if (
            isinstance(node, ast.ExceptHandler)
            and mentions_timeout(node.type)
            and not any(isinstance(inner, ast.Raise) or is_kill(inner) for inner in ast.walk(node))
        ):
            found.append(node.lineno)
    return found


def test_no_test_goes_on_after_a_timeout() -> None:
    offenders = [
        f"{path.name}:{line}"
        for path in sorted(TESTS.glob("*.py"))
        for line in swallowed_timeouts(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not offenders, f"a timeout is swallowed at {offenders}"


def test_the_scan_finds_a_swallowed_timeout() -> None:
    sample = (
        "import contextlib\n"
        "with contextlib.suppress(PlaywrightTimeout):\n    wait()\n"
        "try:\n    wait()\nexcept subprocess.TimeoutExpired:\n    pass\n"
        "try:\n    wait()\nexcept PlaywrightTimeout as exc:\n"
        "    raise AssertionError('x') from exc\n"
    )
    assert swallowed_timeouts(ast.parse(sample)) == [2, 6]
