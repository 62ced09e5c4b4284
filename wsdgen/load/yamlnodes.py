"""Read YAML the way an editor wrote it, with the line of every key.

PyYAML's ``safe_load`` guesses types by YAML 1.1 rules (``15:30`` becomes 930, ``Ja``
becomes True) and silently keeps the last of two equal keys. We compose the node tree
instead and keep every scalar as the text that was written; the validate stage types
each field by the content model. Aliases are refused, so an alias bomb cannot expand:
libyaml's composer (ten times faster than the pure-Python one) shares the node of an
anchor with each of its aliases, so a node met twice while walking the tree is an
alias, and that stops the walk.

Every scalar (and the text of every file, see ``clean_text``) loses the characters that
no output format can carry: invisible control characters pasted from a word processor,
ESC sequences, and the few code points that XML 1.0 forbids. Nesting is bounded before
libyaml composes, because its composer recurses in C and a deep enough text crashes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

NULL_TAG = "tag:yaml.org,2002:null"
# Editors need two or three levels; a few more stay far from any stack limit.
MAX_DEPTH = 50
# Line breaks other than LF (VT and FF from word processors, NEL, LS, PS): a space.
ODD_BREAKS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
# Invisible characters no output can carry: C0 controls but tab and LF, DEL, C1 controls,
# surrogates, a byte order mark inside the text and the non-characters XML 1.0 forbids.
INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")

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


def clean_text(text: str) -> str:
    """The text an editor meant: LF line ends, odd breaks as spaces, no invisible controls.

    Applied to every file's text before it is parsed and to every YAML scalar (a double-
    quoted scalar can spell any character as an escape), so nothing later has to care.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = ODD_BREAKS.sub(" ", text)
    return INVISIBLE.sub("", text)


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


def check_depth(text: str) -> None:
    """Refuse lists and groups nested deeper than MAX_DEPTH, before libyaml composes them.

    Each level needs one of the characters counted here, so most texts skip the scan.
    """
    if sum(text.count(mark) for mark in "[{-:?") <= MAX_DEPTH:
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=LOADER):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlProblem(event.start_mark.line + 1, TOO_DEEP)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        # Newer libyaml stops at its own nesting limit while scanning ahead.
        if "nesting depth" in (exc.problem or "") and exc.problem_mark is not None:
            raise YamlProblem(exc.problem_mark.line + 1, TOO_DEEP) from None
        raise


TOO_DEEP = (
    f"lijsten of groepen staan hier meer dan {MAX_DEPTH} lagen diep in elkaar; staan er te "
    "veel [ of { ? Zet tekst met zulke tekens tussen aanhalingstekens"
)


# YAML allows at most 1024 characters before the ':' of a key written on one line.
MAX_KEY = 1024
LONG_KEY = (
    f"de veldnaam is te lang (meer dan {MAX_KEY} tekens vóór de dubbele punt); staat er een "
    "dubbele punt in een lange tekst? Zet die tekst dan tussen aanhalingstekens"
)


def long_key(text: str, index: int) -> bool:
    """Whether line ``index`` (0-based) of ``text`` has a key past YAML's length limit."""
    lines = text.split("\n", index + 1)
    line = lines[index] if index < len(lines) else ""
    colon = line.find(":")
    return colon > MAX_KEY


def quote_left_open(text: str) -> tuple[int, int] | None:
    """The first quoted value that runs over more than one line, as (start, end) lines
    (0-based), read up to where YAML gives up. In front matter that is nearly always a
    quote that was not closed: YAML then reads on into the next fields, and fails lines
    later, where the editor would not look."""
    try:
        for token in yaml.scan(text, Loader=LOADER):
            if (
                isinstance(token, yaml.ScalarToken)
                and token.style in ('"', "'")
                and token.end_mark.line > token.start_mark.line
            ):
                return token.start_mark.line, token.end_mark.line
    except yaml.YAMLError:
        return None
    return None


def unclosed_quote(closed_at: int) -> str:
    return (
        "het aanhalingsteken op deze regel wordt niet op dezelfde regel gesloten (YAML leest "
        f"daardoor door tot regel {closed_at}); zet ook aan het eind van de waarde een "
        "aanhalingsteken"
    )


def compose(text: str, first_line: int) -> Node | None:
    """Compose ``text`` into a node tree; ``first_line`` is the file line of its line 1."""
    try:
        check_depth(text)
        return yaml.compose(text, Loader=LOADER)  # type: ignore[no-any-return]
    except YamlProblem as problem:
        raise YamlProblem(problem.line + first_line - 1, problem.message) from None
    except yaml.MarkedYAMLError as exc:
        # For an unclosed quote the start of the value is where the editor must look.
        quoted = "quoted scalar" in (exc.context or "")
        mark = (exc.context_mark if quoted else None) or exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + first_line
        if exc.problem_mark and long_key(text, exc.problem_mark.line):
            raise YamlProblem(exc.problem_mark.line + first_line, LONG_KEY) from None
        opened = None if quoted else quote_left_open(text)
        if opened is not None and exc.problem_mark and opened[0] <= exc.problem_mark.line:
            start, end = opened
            raise YamlProblem(start + first_line, unclosed_quote(end + first_line)) from None
        raise YamlProblem(line, _translate(exc.problem)) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(first_line, _translate(str(exc))) from None
    except RecursionError:
        raise YamlProblem(first_line, "lijsten of groepen staan te diep in elkaar") from None


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
        return None if node.tag == NULL_TAG else clean_text(str(node.value))
    if isinstance(node, SequenceNode):
        return [plain_value(item, seen, key_line) for item in node.value]
    if isinstance(node, MappingNode):
        return {
            field_name(key, key_line): plain_value(value, seen, key_line)
            for key, value in node.value
        }
    return None


def field_name(node: Node, line: int) -> str:
    """The text of a key; a list, a group or an empty name as a key is refused."""
    if not isinstance(node, ScalarNode) or node.tag == NULL_TAG:
        raise YamlProblem(
            line,
            "een veldnaam moet gewone tekst zijn, zoals 'title:'; hier staat een lijst, "
            "een groep of een lege naam vóór de dubbele punt",
        )
    return clean_text(str(node.value))


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
        key = field_name(key_node, line)
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
