"""`python build.py ARGS` is the same as `wsdgen build ARGS`.

Run with a Python that lacks wsdgen's libraries (the system's `python3`, say) while the
repository has the virtual environment of the README's quick start (`.venv/`), it runs
itself again with that environment's Python instead of failing.
"""

import importlib.util
import os
import sys
from pathlib import Path

# The modules of wsdgen's dependencies (pyproject.toml) that a build imports.
NEEDED = ("jinja2", "markdown", "yaml", "frontmatter", "nh3", "PIL", "pypdf", "icalendar")
VENV_PYTHON = Path(os.path.abspath(__file__)).parent / ".venv" / "bin" / "python"


def venv_python_to_use() -> Path | None:
    """The repository's .venv Python, when this one lacks a library and that one exists."""
    if all(importlib.util.find_spec(name) is not None for name in NEEDED):
        return None
    if os.environ.get("WSDGEN_BUILD_REEXEC") or not VENV_PYTHON.is_file():
        return None
    if os.path.abspath(sys.prefix) == str(VENV_PYTHON.parent.parent):
        return None  # the venv itself lacks it: wsdgen's own message says what to install
    return VENV_PYTHON


if __name__ == "__main__":
    other = venv_python_to_use()
    if other is not None:
        os.environ["WSDGEN_BUILD_REEXEC"] = "1"
        os.execv(other, [str(other), __file__, *sys.argv[1:]])
    from wsdgen.cli import main

    sys.exit(main(["build", *sys.argv[1:]]))
