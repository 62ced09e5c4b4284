"""Read YAML the way an editor wrote it, with the line of every key.

PyYAML's ``safe_load`` guesses types by YAML 1.1 rules (``15:30`` becomes 930, ``Ja``
becomes True) and silently keeps the last of two equal keys. We compose the node tree
instead and keep every scalar as the text that was written; the validate stage types
each field by the content model. Aliases are refused, so an alias bomb cannot expand:
libyaml's composer (ten times faster than the pure-Python one) shares the node of an
anchor with each of its aliases, so a node met twice while walking the tree is an
alias, and that stops the walk.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

NULL_TAG = "tag:yaml.org,2002:null"

Value = None | str | list["Value"] | dict[str, "Value"]

YAML_PROBLEMS_NL = {
    "mapping values are not allowed here": (
        "een dubbele punt staat op een onverwachte plek; zet een waarde met een "
        "dubbele punt tussen aanhalingstekens"
    ),
    "could not find expected ':'": "er ontbreekt een dubbele punt na de veldnaam",
    "found character '\\t' that cannot start any token": (
        "er staat een tab; gebruik spaties om in te springen"
    ),
    "found unexpected end of stream": "een aanhalingsteken of haakje wordt niet gesloten",
    "mapping values are not allowed in this context": (
        "een dubbele punt staat op een onverwachte plek; zet een waarde met een "
        "dubbele punt tussen aanhalingstekens"
    ),
    "did not find expected key": (
        "na een waarde tussen aanhalingstekens staat nog tekst, of de inspringing klopt "
        "niet; zet de hele waarde tussen aanhalingstekens"
    ),
    "found character that cannot start any token": (
        "een waarde begint met een teken dat niet mag (zoals @, ` of %), of er staat een "
        "tab; zet de waarde tussen aanhalingstekens en spring in met spaties"
    ),
    "did not find expected ',' or ']'": "een lijst tussen [ ] wordt niet gesloten met ]",
    "did not find expected ',' or '}'": "een groep tussen { } wordt niet gesloten met }",
    "did not find expected '-' indicator": "een lijst-item ('- ...') springt niet goed in",
    "found unknown escape character": (
        "een \\ binnen dubbele aanhalingstekens; gebruik enkele aanhalingstekens of laat de \\ weg"
    ),
    "found unexpected end of stream while scanning a quoted scalar": (
        "een aanhalingsteken wordt niet gesloten"
    ),
    "expected <block end>, but found '<block mapping start>'": (
        "de inspringing klopt niet; zet elk veld aan het begin van de regel"
    ),
    "expected <block end>, but found '-'": "een lijst-item ('- ...') springt niet goed in",
    "expected <block end>, but found '<scalar>'": (
        "na een waarde tussen aanhalingstekens staat nog tekst, of een aanhalingsteken "
        "wordt niet gesloten; zet de hele waarde tussen aanhalingstekens"
    ),
    "expected <block end>, but found '?'": (
        "een veld springt in; zet elk veld aan het begin van de regel"
    ),
    "expected <block end>, but found '<block sequence start>'": (
        "een lijst-item ('- ...') springt niet goed in"
    ),
    "found character '@' that cannot start any token": (
        "een waarde mag niet met @ beginnen; zet haar tussen aanhalingstekens"
    ),
    "found character '`' that cannot start any token": (
        "een waarde mag niet met ` beginnen; zet haar tussen aanhalingstekens"
    ),
    "found character '%' that cannot start any token": (
        "een waarde mag niet met % beginnen; zet haar tussen aanhalingstekens"
    ),
    "found undefined alias": "verwijzingen met * (YAML-aliassen) zijn niet toegestaan",
}


class YamlProblem(Exception):
    """A front matter or YAML file that cannot be read at all (one line, in Dutch)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(slots=True)
class YamlMapping:
    """The top-level mapping of a YAML text, as written, with 1-based file lines."""

    values: dict[str, Value] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    item_lines: dict[str, list[int]] = field(default_factory=dict)
    duplicates: list[tuple[str, int]] = field(default_factory=list)


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader whose composer refuses aliases (``*name``) outright."""

    def compose_node(self, parent: Node | None, index: object) -> Node:  # type: ignore[override]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise YamlProblem(
                event.start_mark.line + 1,
                "verwijzingen met * (YAML-aliassen) zijn niet toegestaan; schrijf de waarde uit",
            )
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


def _translate(problem: str | None) -> str:
    text = (problem or "").strip()
    for english, dutch in YAML_PROBLEMS_NL.items():
        if text.startswith(english):
            return dutch
    return (
        "de opmaak klopt niet op deze regel; controleer de aanhalingstekens, dubbele punten "
        "en inspringing (zet een waarde met bijzondere tekens tussen aanhalingstekens)"
    )


LOADER: type = getattr(yaml, "CSafeLoader", _NoAliasLoader)


def compose(text: str, first_line: int) -> Node | None:
    """Compose ``text`` into a node tree; ``first_line`` is the file line of its line 1."""
    try:
        return yaml.compose(text, Loader=LOADER)  # type: ignore[no-any-return]
    except YamlProblem as problem:
        raise YamlProblem(problem.line + first_line - 1, problem.message) from None
    except yaml.MarkedYAMLError as exc:
        # For an unclosed quote the start of the value is where the editor must look.
        quoted = "quoted scalar" in (exc.context or "")
        mark = (exc.context_mark if quoted else None) or exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + first_line
        raise YamlProblem(line, _translate(exc.problem)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(first_line, _translate(str(exc))) from None
    except RecursionError:
        raise YamlProblem(first_line, "de YAML is te diep genest") from None


def plain_value(node: Node, seen: set[int], key_line: int) -> Value:
    """Turn a node into None, text, lists and mappings, keeping scalars as written.

    ``key_line`` is the file line of the top-level field being read, where an alias
    is reported (the shared node itself only knows where its anchor was).
    """
    if id(node) in seen:
        raise YamlProblem(
            key_line,
            "verwijzingen met * (YAML-aliassen) zijn niet toegestaan; schrijf de waarde uit",
        )
    seen.add(id(node))
    if isinstance(node, ScalarNode):
        return None if node.tag == NULL_TAG else str(node.value)
    if isinstance(node, SequenceNode):
        return [plain_value(item, seen, key_line) for item in node.value]
    if isinstance(node, MappingNode):
        return {str(key.value): plain_value(value, seen, key_line) for key, value in node.value}
    return None


def read_mapping(text: str, first_line: int = 1) -> YamlMapping:
    """Read a YAML text whose top level must be a mapping (or empty)."""
    root = compose(text, first_line)
    result = YamlMapping()
    seen: set[int] = set()
    if root is None:
        return result
    if not isinstance(root, MappingNode):
        raise YamlProblem(
            root.start_mark.line + first_line,
            "de kopregels moeten velden zijn in de vorm 'veld: waarde'",
        )
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + first_line
        if not isinstance(key_node, ScalarNode) or key_node.tag == NULL_TAG:
            raise YamlProblem(line, "een veldnaam moet gewone tekst zijn")
        key = str(key_node.value)
        if key in result.values:
            result.duplicates.append((key, line))
            continue
        result.values[key] = plain_value(value_node, seen, line)
        result.lines[key] = line
        if isinstance(value_node, SequenceNode):
            result.item_lines[key] = [
                item.start_mark.line + first_line for item in value_node.value
            ]
    return result
