"""The field tables of the editors' guide, made from the one field table (schema.FIELDS).

In docs/redacteuren.md each table stands between ``<!-- velden: COLLECTION -->`` and
``<!-- /velden -->``. After a change to the field table, run

    python -m wsdgen.fieldtables docs/redacteuren.md

to write them again; tests/test_fields.py fails while the guide is behind.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from wsdgen.schema import FIELDS, FieldSpec

# Fields the guide explains once, outside the tables: summary, draft and aliases for
# every item (above the tables), the three image fields under "Afbeeldingen".
EXPLAINED_ELSEWHERE = (
    "summary",
    "draft",
    "aliases",
    "afbeelding",
    "afbeelding_alt",
    "afbeelding_decoratief",
)
MARKED = re.compile(r"(<!-- velden: (\w+) -->\n)(.*?)(<!-- /velden -->)", re.DOTALL)
HEADER = "| veld | verplicht | wat je invult | voorbeeld |\n|---|---|---|---|\n"


def code(text: str) -> str:
    return f"`{text}`"


def choices_text(spec: FieldSpec) -> str:
    """'`actief` (standaard), `in-oprichting` of `gestopt`', then the field's own words."""
    words = [
        code(choice) + (" (standaard)" if choice == spec.default else "") for choice in spec.choices
    ]
    listed = ", ".join(words[:-1]) + f" of {words[-1]}" if len(words) > 1 else "".join(words)
    return f"{listed} ({spec.what})" if spec.what else listed


def row(spec: FieldSpec) -> str:
    what = choices_text(spec) if spec.choices else spec.what
    example = code(spec.example) if spec.example else ""
    required = "ja" if spec.required else "nee"
    return f"| {code(spec.name)} | {required} | {what} | {example} |\n"


def guide_table(collection: str) -> str:
    """The Markdown table of one collection's fields, in the order of the form."""
    specs = [s for s in FIELDS[collection] if s.name not in EXPLAINED_ELSEWHERE]
    return HEADER + "".join(row(spec) for spec in specs)


def with_tables(text: str) -> str:
    """The guide with every marked table made again from the field table."""

    def replaced(match: re.Match[str]) -> str:
        return match[1] + guide_table(match[2]) + match[4]

    return MARKED.sub(replaced, text)


def main(argv: Sequence[str]) -> int:
    paths = [Path(arg) for arg in argv] or [Path("docs/redacteuren.md")]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new = with_tables(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            print(f"{path}: veldtabellen bijgewerkt")
        else:
            print(f"{path}: veldtabellen waren al bij")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
