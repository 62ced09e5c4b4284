"""Command line: wsdgen build | check | serve | new | eigenaren | overzicht.

Exit 0 ok, 1 content, 2 usage/config.

Everything a user sees here is Dutch, argparse's own texts included: they are
translated through the gettext function that argparse calls (see ``dutch_argparse``).
Ctrl+C and SIGTERM end a command with one Dutch line and exit 130 or 143.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import difflib
import os
import re
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from wsdgen import __version__
from wsdgen.exits import EXIT_CONTENT, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, EXIT_USAGE
from wsdgen.session import kept
from wsdgen.workers import stop_signals_to, stops_never_swallowed

if TYPE_CHECKING:
    from wsdgen.diagnostics import Diagnostic
    from wsdgen.pipeline import BuildOptions, BuildResult


COMMANDS = ("build", "check", "serve", "new", "eigenaren", "overzicht")
# Dates as content dates allow them (check/validate.py): a year from 1900 to 2200.
FIRST_YEAR, LAST_YEAR = 1900, 2200
HIGHEST_PORT = 65535

# argparse's English texts (its gettext message ids) in Dutch. Ids of newer Python
# versions are listed too; an id missing here would show in English, which the tests
# of the help and error texts catch.
ARGPARSE_NL = {
    "usage: ": "gebruik: ",
    "positional arguments": "waarden",
    "options": "opties",
    "optional arguments": "opties",
    "show this help message and exit": "toon deze hulp en stop",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fout in de opdracht: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "unrecognized arguments: %s": "onbekend: %s",
    "the following arguments are required: %s": "dit ontbreekt nog: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "ongeldige keuze %(value)r (kies uit %(choices)s)"
    ),
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)": (
        "ongeldige keuze %(value)r; bedoel je %(closest)r? (kies uit %(choices)s)"
    ),
    "expected one argument": "hier hoort één waarde achter",
    "expected at most one argument": "hier hoort hoogstens één waarde achter",
    "expected at least one argument": "hier hoort minstens één waarde achter",
    "expected %s argument": "hier hoort %s waarde achter",
    "expected %s arguments": "hier horen %s waarden achter",
    "not allowed with argument %s": "gaat niet samen met %s",
    "ignored explicit argument %r": "hier hoort geen waarde achter (%r)",
    "one of the arguments %s is required": "een van deze is nodig: %s",
    "ambiguous option: %(option)s could match %(matches)s": (
        "%(option)s is niet duidelijk: bedoel je %(matches)s?"
    ),
    "unexpected option string: %s": "onverwachte optie: %s",
    "invalid %(type)s value: %(value)r": "ongeldige waarde %(value)r",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "onbekende opdracht %(parser_name)r (kies uit %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "kan '%(filename)s' niet openen: %(error)s",
    "%r is not callable": "%r kan niet aangeroepen worden",
}


def dutch(message: str) -> str:
    return ARGPARSE_NL.get(message, message)


def dutch_plural(singular: str, plural: str, count: int) -> str:
    return dutch(singular if count == 1 else plural)


@contextmanager
def dutch_argparse() -> Iterator[None]:
    """While parsing or printing help, argparse's gettext calls give Dutch."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = dutch, dutch_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class DutchHelpFormatter(argparse.HelpFormatter):
    """Help with 'gebruik:' and room for the option names."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30)

    def add_usage(
        self,
        usage: str | None,
        actions: Any,
        groups: Any,
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, "gebruik: " if prefix is None else prefix)


class DutchArgumentParser(argparse.ArgumentParser):
    """argparse in Dutch; a usage mistake ends with a Dutch line and exit status 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["add_help"] = False
        kwargs.setdefault("formatter_class", DutchHelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "waarden"
        self._optionals.title = "opties"
        self.add_argument(
            "-h", "--help", action="help", default=argparse.SUPPRESS, help="toon deze hulp en stop"
        )
        self.commands: dict[str, argparse.ArgumentParser] = {}

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        with dutch_argparse():
            return super().parse_known_args(args, namespace)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            # Shown with the usage of the command the options were meant for.
            parser = self.commands.get(getattr(parsed, "command", None) or "", self)
            parser.error(unknown_options_message(extras, option_names(parser)))
        return parsed

    def format_help(self) -> str:
        with dutch_argparse():
            return super().format_help()

    def format_usage(self) -> str:
        with dutch_argparse():
            return super().format_usage()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"wsdgen: fout in de opdracht: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def option_names(parser: argparse.ArgumentParser) -> list[str]:
    return [name for action in parser._actions for name in action.option_strings]


def unknown_options_message(extras: Sequence[str], known: Sequence[str]) -> str:
    """'onbekend: --toady; bedoel je --today?'"""
    message = "onbekend: " + " ".join(extras)
    for extra in extras:
        if extra.startswith("-"):
            near = difflib.get_close_matches(extra.split("=", 1)[0], known, n=1)
            if near:
                return f"{message}; bedoel je {near[0]}?"
    return message


def command_problem(argv: Sequence[str]) -> str | None:
    """An unknown command, with the nearest known one: 'bedoel je 'build'?'."""
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    if first is None or first in COMMANDS or argv[0].startswith("-"):
        return None
    near = difflib.get_close_matches(first, COMMANDS, n=1, cutoff=0.5)
    hint = f"bedoel je '{near[0]}'?" if near else "kies uit: " + ", ".join(COMMANDS)
    return f"onbekende opdracht '{first}'; {hint}"


# --- Argument types: each refuses a bad value with a Dutch reason (exit 2). ---


def iso_date(text: str) -> dt.date:
    """A date written JJJJ-MM-DD, in the years that content dates may have."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise argparse.ArgumentTypeError(f"'{text}' is geen datum; gebruik JJJJ-MM-DD")
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' bestaat niet als datum") from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"'{text}' valt buiten de jaren {FIRST_YEAR} tot en met {LAST_YEAR}"
        )
    return value


def whole_number(text: str) -> int:
    digits = text.strip()
    if not re.fullmatch(r"[0-9]+", digits):
        raise argparse.ArgumentTypeError(f"'{text}' is geen geheel getal")
    # Far beyond any sensible value; also keeps int() cheap for a thousand digits.
    if len(digits.lstrip("0")) > 9:
        raise argparse.ArgumentTypeError(f"'{text}' is veel te groot")
    return int(digits)


def positive_int(text: str) -> int:
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is geen positief getal")
    return value


def port_number(text: str) -> int:
    value = whole_number(text)
    if not 1 <= value <= HIGHEST_PORT:
        raise argparse.ArgumentTypeError(
            f"'{text}' is geen poortnummer; kies een getal van 1 tot en met {HIGHEST_PORT}, "
            "bijvoorbeeld 8000"
        )
    return value


# Longest name of one file or folder, and of a whole path, that file systems accept.
NAME_MAX, PATH_MAX = 255, 4096


def usable_path(text: str) -> str:
    """A path no file system refuses for its length alone (checked before it is used)."""
    encoded = os.fsencode(text)
    if len(encoded) >= PATH_MAX or any(len(part) > NAME_MAX for part in encoded.split(b"/")):
        shown = text if len(text) <= 60 else text[:60] + "…"
        raise argparse.ArgumentTypeError(
            f"'{shown}' is te lang voor een map; kies een kortere naam"
        )
    return text


def existing_folder(text: str) -> str:
    """The site folder: it must exist and be a folder."""
    usable_path(text)
    try:
        is_folder = os.path.isdir(text)
        exists = is_folder or os.path.lexists(text)
    except (OSError, ValueError):
        raise argparse.ArgumentTypeError(f"'{text}' kan niet gelezen worden") from None
    if not exists:
        raise argparse.ArgumentTypeError(f"de map '{text}' bestaat niet")
    if not is_folder:
        raise argparse.ArgumentTypeError(f"'{text}' is geen map")
    return text


def folder_or_new(text: str) -> str:
    """A folder that wsdgen may make: it may be missing, but may not be a file."""
    usable_path(text)
    try:
        taken = os.path.lexists(text) and not os.path.isdir(text)
    except (OSError, ValueError):
        raise argparse.ArgumentTypeError(f"'{text}' kan niet gebruikt worden") from None
    if taken or not text:
        raise argparse.ArgumentTypeError(f"'{text}' is geen map; kies een (nieuwe) map")
    return text


# --- The parser. ---


def make_parser() -> DutchArgumentParser:
    parser = DutchArgumentParser(
        prog="wsdgen",
        description="Bouw en controleer de site van de Werkplaatsen Sociaal Domein.",
        epilog="Meer over een opdracht: wsdgen OPDRACHT --help",
    )
    parser.add_argument(
        "--version", action="version", version=f"wsdgen {__version__}", help="toon de versie"
    )
    commands = parser.add_subparsers(
        dest="command",
        required=True,
        title="opdrachten",
        metavar="OPDRACHT",
        parser_class=DutchArgumentParser,
    )
    add_build(commands, parser)
    add_check(commands, parser)
    add_serve(commands, parser)
    add_new(commands, parser)
    add_eigenaren(commands, parser)
    add_overzicht(commands, parser)
    return parser


Commands = Any  # argparse's _SubParsersAction, which is not public


def add_command(
    commands: Commands, parser: DutchArgumentParser, name: str, summary: str
) -> DutchArgumentParser:
    sub: DutchArgumentParser = commands.add_parser(
        name, help=summary, description=summary[0].upper() + summary[1:] + "."
    )
    parser.commands[name] = sub
    return sub


def site_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--site", type=existing_folder, default=".", metavar="MAP", help="de map van de site (.)"
    )


def format_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="github: meldingen als GitHub Actions-annotaties",
    )


def content_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--drafts", action="store_true", help="neem concepten mee")
    p.add_argument("--strict", action="store_true", help="waarschuwingen tellen als fouten")
    p.add_argument("--today", type=iso_date, metavar="DATUM", help="doe alsof het vandaag DATUM is")


def add_build(commands: Commands, parser: DutchArgumentParser) -> None:
    p = add_command(commands, parser, "build", "bouw de site")
    site_option(p)
    p.add_argument(
        "--out",
        type=usable_path,
        metavar="MAP",
        help="uitvoermap (standaard uit config.yaml: public)",
    )
    p.add_argument(
        "--base-url", metavar="URL", help="adres van de site, bijvoorbeeld https://example.org/wsd/"
    )
    content_options(p)
    p.add_argument(
        "--jobs",
        type=positive_int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="werk met N processen (standaard: alle kernen; meer dan er zijn helpt niet)",
    )
    p.add_argument(
        "--cache",
        type=folder_or_new,
        metavar="MAP",
        help="map voor de cache: ongewijzigde pagina's en teksten worden niet opnieuw gemaakt",
    )
    p.add_argument(
        "--zonder-zoekindex",
        action="store_true",
        help="maak geen zoekindex (sneller, voor een voorbeeldversie; zoeken werkt dan niet)",
    )
    p.add_argument("--quiet", action="store_true", help="geen voortgang of samenvatting")
    p.add_argument(
        "--verbose",
        action="store_true",
        help="noem ook elk oud adres dat doorverwijst (anders alleen hoeveel het er zijn)",
    )
    format_option(p)


def add_check(commands: Commands, parser: DutchArgumentParser) -> None:
    p = add_command(commands, parser, "check", "controleer alles, schrijf niets")
    site_option(p)
    content_options(p)
    format_option(p)
    p.add_argument(
        "--sinds",
        type=git_ref,
        metavar="REF",
        help="vergelijk met de site zoals die bij git-ref REF was: alleen waarschuwingen die "
        "deze wijziging zelf veroorzaakt, houden haar tegen; met --auteur ook wie wat mocht "
        "wijzigen (redactie: in config.yaml). Voor pull en merge requests",
    )
    p.add_argument(
        "--auteur",
        type=account,
        action="append",
        metavar="ACCOUNT",
        help="het GitHub- of GitLab-account dat de wijziging maakte, zoals @jan "
        "(mag vaker; elk genoemd account moet alles mogen wijzigen)",
    )


def git_ref(text: str) -> str:
    """A git ref for --sinds: a branch, tag or commit, never an option."""
    from wsdgen.check.ownership import ref_problem

    problem = ref_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def account(text: str) -> str:
    """A forge account for --auteur, with or without its @."""
    from wsdgen.check.ownership import author_handle, handle_problem

    handle = author_handle(text)
    problem = handle_problem(handle)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return handle


def check_options_problem(args: argparse.Namespace) -> str | None:
    """--auteur needs --sinds (Dutch), or None."""
    if args.auteur and not args.sinds:
        return (
            "--auteur hoort bij --sinds: geef ook de commit waarmee de wijziging wordt "
            "vergeleken, zoals --sinds origin/main"
        )
    return None


def add_eigenaren(commands: Commands, parser: DutchArgumentParser) -> None:
    p = add_command(
        commands,
        parser,
        "eigenaren",
        "schrijf CODEOWNERS uit redactie: in config.yaml (wie welk bestand mag wijzigen)",
    )
    site_option(p)
    p.add_argument(
        "--controleer",
        action="store_true",
        help="schrijf niets; fout (status 1) als CODEOWNERS niet bij is",
    )
    format_option(p)


def add_overzicht(commands: Commands, parser: DutchArgumentParser) -> None:
    p = add_command(
        commands,
        parser,
        "overzicht",
        "toon het kennisoverzicht: thema's in één regio, stille werkplaatsen, activiteit per jaar",
    )
    site_option(p)
    p.add_argument("--today", type=iso_date, metavar="DATUM", help="doe alsof het vandaag DATUM is")
    p.add_argument("--json", action="store_true", help="schrijf de cijfers als JSON")
    format_option(p)


def run_overzicht(args: argparse.Namespace) -> int:
    """The knowledge overview in the terminal, from the site graph (nothing is built)."""
    from wsdgen.pipeline import BuildOptions, load_site
    from wsdgen.plan.overview import as_json, as_text, overview

    options = BuildOptions(site_dir=Path(args.site), today=args.today or dt.date.today())
    loaded, failed = load_site(options)
    if loaded is None:
        assert failed is not None
        report(failed.diagnostics, args.format)
        return failed.exit_code
    view = overview(loaded.site)
    print(as_json(view) if args.json else as_text(view), end="")
    return EXIT_OK


def add_serve(commands: Commands, parser: DutchArgumentParser) -> None:
    p = add_command(commands, parser, "serve", "bouw en toon de site, ververs bij elke wijziging")
    site_option(p)
    p.add_argument(
        "--port",
        type=port_number,
        default=8000,
        metavar="POORT",
        help="de poort op 127.0.0.1 (standaard: 8000)",
    )


def add_new(commands: Commands, parser: DutchArgumentParser) -> None:
    p = add_command(commands, parser, "new", "maak een nieuw item aan")
    from wsdgen.schema import KIND_LIST

    p.add_argument("kind", metavar="SOORT", help=f"een van: {KIND_LIST}")
    p.add_argument("title", metavar="TITEL", help="de titel, tussen aanhalingstekens")
    site_option(p)
    p.add_argument(
        "--datum", type=iso_date, metavar="DATUM", help="JJJJ-MM-DD (standaard: vandaag)"
    )


# --- Running a command. ---


def report(problems: Sequence[Diagnostic], output_format: str) -> None:
    """Every problem on stderr, one line each; a flood of one kind in a file is cut off
    after a few lines with their number (diagnostics.capped). The summary counts all."""
    from wsdgen.diagnostics import capped

    for item in capped(problems):
        line = item.as_github() if output_format == "github" else str(item)
        print(line, file=sys.stderr)


def summary(result: BuildResult, verb: str) -> str:
    from wsdgen import diagnostics as diag
    from wsdgen.diagnostics import Severity

    errors = diag.count(result.diagnostics, Severity.ERROR)
    warnings = diag.count(result.diagnostics, Severity.WARNING)
    counts = (
        f"{diag.dutch_number(errors)} {'fout' if errors == 1 else 'fouten'}, "
        f"{diag.dutch_number(warnings)} {'waarschuwing' if warnings == 1 else 'waarschuwingen'}"
    )
    if result.exit_code != EXIT_OK and verb == "controle":
        return f"wsdgen: controle mislukt ({counts})."
    if result.exit_code != EXIT_OK:
        return f"wsdgen: build mislukt ({counts}); de vorige uitvoer is niet aangeraakt."
    if verb == "controle":
        return f"wsdgen: controle klaar: {result.pages} pagina's in orde ({counts})."
    seconds = f"{result.seconds:.2f}".replace(".", ",")
    reused = f", {result.reused} ongewijzigd uit de cache" if result.reused else ""
    return (
        f"wsdgen: {result.pages} pagina's geschreven naar {result.out_dir} in {seconds} s "
        f"({counts}{reused})."
    )


def show_progress(args: argparse.Namespace) -> bool:
    """A progress line only for a person at a terminal: not in CI, not with --quiet."""
    return not getattr(args, "quiet", False) and not os.environ.get("CI") and sys.stderr.isatty()


class ProgressLine:
    """'Pagina's maken: 1200/10000' on one line, shown once a build takes over a second."""

    DELAY = 1.0

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.shown = False
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < self.DELAY or (now - self.last < 0.1 and done < total):
            return
        self.last = now
        self.shown = True
        print(f"\rPagina's maken: {done}/{total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.shown:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


@dataclass
class Outcome:
    """How far a command got, for the line shown when it is stopped half-way."""

    command: str = ""
    written: bool = False


def run_build(args: argparse.Namespace, write: bool, outcome: Outcome) -> int:
    from wsdgen.pipeline import BuildOptions, build

    options = BuildOptions(
        site_dir=Path(args.site),
        out=getattr(args, "out", None),
        base_url=getattr(args, "base_url", None),
        drafts=args.drafts,
        strict=args.strict,
        today=args.today or dt.date.today(),
        write=write,
        jobs=getattr(args, "jobs", 1),
        search_index=not getattr(args, "zonder_zoekindex", False),
        keep_pages=False,
        cache=Path(args.cache) if getattr(args, "cache", None) and write else None,
    )
    progress = ProgressLine() if show_progress(args) else None
    try:
        result = build(options, progress=progress)
    finally:
        if progress:
            progress.close()
    compared = ""
    if not write and args.sinds:
        result, compared = with_baseline(args, options, result)
        if result.exit_code == EXIT_USAGE:
            return EXIT_USAGE  # said in one line; the comparison could not be made
    if not write:
        result = with_ownership(args, result)
    outcome.written = write and result.exit_code == EXIT_OK
    report(result.diagnostics, args.format)
    if compared:
        print(compared, file=sys.stderr)
    if not getattr(args, "quiet", False) or result.exit_code != EXIT_OK:
        stream = sys.stdout if result.exit_code == EXIT_OK else sys.stderr
        print(summary(result, "build" if write else "controle"), file=stream)
    if write and result.exit_code == EXIT_OK and not args.quiet:
        print_redirects(result, args.verbose)
    return result.exit_code


def print_redirects(result: BuildResult, verbose: bool) -> None:
    """How many old addresses now lead to a new page (all in /_redirects); with
    --verbose each of them."""
    if result.site is None:
        return
    pairs = sorted((alias, e.path) for e in result.site.entries() for alias in e.aliases)
    if not pairs:
        return
    count = "1 oud adres verwijst" if len(pairs) == 1 else f"{len(pairs)} oude adressen verwijzen"
    if not verbose:
        print(f"wsdgen: {count} door (zie /_redirects; de lijst met --verbose).")
        return
    print(f"wsdgen: {count} door (zie ook /_redirects):")
    for alias, target in pairs:
        print(f"  {alias} -> {target}")


def with_baseline(
    args: argparse.Namespace, options: BuildOptions, result: BuildResult
) -> tuple[BuildResult, str]:
    """`check --sinds REF`: the warnings this change introduced block it (check/baseline.py);
    also a line that says how many were new and how many were there before."""
    from wsdgen import diagnostics as diag
    from wsdgen.check.baseline import base_problems, with_introduced_blocking
    from wsdgen.check.ownership import GitProblem
    from wsdgen.pipeline import build

    def check_folder(folder: Path) -> list[Diagnostic]:
        return build(dataclasses.replace(options, site_dir=folder)).diagnostics

    try:
        before = base_problems(Path(args.site), args.sinds, check_folder)
    except GitProblem as exc:
        print(f"wsdgen: fout in de opdracht: {diag.printable(exc.message)}", file=sys.stderr)
        result.exit_code = EXIT_USAGE
        return result, ""
    result.diagnostics, new = with_introduced_blocking(result.diagnostics, before)
    old = diag.count(result.diagnostics, diag.Severity.WARNING)
    if new and result.exit_code == EXIT_OK:
        result.exit_code = EXIT_CONTENT
    if not (new or old):
        return result, ""
    return result, (
        f"wsdgen: vergeleken met {args.sinds[:12]}: {diag.dutch_number(new)} "
        f"{'waarschuwing komt' if new == 1 else 'waarschuwingen komen'} door deze "
        f"wijziging (die houden haar tegen), {diag.dutch_number(old)} "
        f"{'was' if old == 1 else 'waren'} er al (die houden niets tegen)."
    )


def with_ownership(args: argparse.Namespace, result: BuildResult) -> BuildResult:
    """`check` with `redactie:` in config.yaml: add the CODEOWNERS warnings and, with
    --sinds, an error for each change the author may not make (check/ownership.py)."""
    from wsdgen import diagnostics as diag
    from wsdgen.check.ownership import GitProblem, change_problems, codeowners_problems

    loaded = result.site.config if result.site is not None else None
    config = loaded or (result.partial.config if result.partial is not None else None)
    if config is None:
        return result
    if config.redactie is None:
        if args.auteur:
            print(
                "wsdgen: let op: config.yaml heeft geen 'redactie:', dus niet gecontroleerd "
                "wie wat mocht wijzigen (zie docs/hosting.md)",
                file=sys.stderr,
            )
        return result
    found = codeowners_problems(config)
    if args.sinds and args.auteur:
        try:
            found += change_problems(config, args.sinds, args.auteur)
        except GitProblem as exc:
            print(f"wsdgen: fout in de opdracht: {diag.printable(exc.message)}", file=sys.stderr)
            result.exit_code = EXIT_USAGE
    found = diag.apply_strict(found, args.strict)
    result.diagnostics = diag.sorted_unique([*result.diagnostics, *found])
    if diag.has_errors(found) and result.exit_code == EXIT_OK:
        result.exit_code = EXIT_CONTENT
    return result


def run_eigenaren(args: argparse.Namespace) -> int:
    """Write CODEOWNERS from `redactie:` (or, with --controleer, only compare)."""
    from wsdgen.check.ownership import stale_problem, write_codeowners
    from wsdgen.load.config import load_config

    config, problems = load_config(Path(args.site))
    if config is None:
        report(problems, args.format)
        return EXIT_USAGE
    if config.redactie is None:
        print(
            "wsdgen: fout: config.yaml heeft geen 'redactie:', dus er is niets om CODEOWNERS "
            "uit te maken; zie docs/hosting.md",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.controleer:
        problems = stale_problem(config)
        report(problems, args.format)
        if problems:
            return EXIT_CONTENT
        print("wsdgen: CODEOWNERS is bij.")
        return EXIT_OK
    written, problems = write_codeowners(config)
    report(problems, args.format)
    if written is None:
        return EXIT_CONTENT
    what = "geschreven" if written.changed else "was al bij"
    print(f"wsdgen: CODEOWNERS {what} ({written.rules} regels): {written.path}")
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    from wsdgen.serve.server import serve

    return serve(Path(args.site), args.port)


def run_new(args: argparse.Namespace) -> int:
    from wsdgen.scaffold import new_entry

    return new_entry(Path(args.site), args.kind, args.title, args.datum)


def dispatch(argv: Sequence[str], outcome: Outcome) -> int:
    parser = make_parser()
    if not argv:
        # No command at all: show what there is (a usage mistake, so on stderr, exit 2).
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    problem = command_problem(argv)
    if problem:
        parser.error(problem)
    args = parser.parse_args(argv)
    outcome.command = args.command
    if args.command == "build":
        return run_build(args, write=True, outcome=outcome)
    if args.command == "check":
        problem = check_options_problem(args)
        if problem:
            parser.commands["check"].error(problem)
        return run_build(args, write=False, outcome=outcome)
    if args.command == "eigenaren":
        return run_eigenaren(args)
    if args.command == "overzicht":
        return run_overzicht(args)
    if args.command == "serve":
        return run_serve(args)
    return run_new(args)


# --- Ctrl+C and SIGTERM. ---


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, as Ctrl+C raises KeyboardInterrupt.

    A subclass of KeyboardInterrupt, so every library that cleans up after Ctrl+C
    (subprocess, the worker pool, the server) does the same for SIGTERM.
    """


@dataclass
class Stops:
    """The stop signals received while a command ran."""

    received: list[int]

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        if signum == signal.SIGTERM:
            raise Terminated
        raise KeyboardInterrupt


def was_published(exc: BaseException) -> bool:
    """Whether the interrupt came after the new site was already swapped in."""
    notes = getattr(exc, "__notes__", None)
    if not notes:
        return False
    from wsdgen.publish.output import PUBLISHED

    return PUBLISHED in notes


def ignore(signum: int, frame: FrameType | None) -> None:
    """While wsdgen cleans up after a stop, a second Ctrl+C changes nothing."""


def stopped(outcome: Outcome, signum: int) -> int:
    """Make sure no worker is left, say so in one line, and give the shell's exit code."""
    from wsdgen.workers import stop_workers

    stop_workers()
    if outcome.command == "build" and not outcome.written:
        print("wsdgen: gestopt; de vorige uitvoer is niet aangeraakt.", file=sys.stderr)
    elif outcome.command == "build":
        print("wsdgen: gestopt; de nieuwe site was al geschreven.", file=sys.stderr)
    else:
        print("wsdgen: gestopt.", file=sys.stderr)
    return EXIT_SIGTERM if signum == signal.SIGTERM else EXIT_SIGINT


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    stops, outcome = Stops([]), Outcome()
    with stop_signals_to(stops.handle), stops_never_swallowed():
        try:
            with kept():
                code = dispatch(argv, outcome)
        except KeyboardInterrupt as exc:
            signum = signal.SIGTERM if isinstance(exc, Terminated) else signal.SIGINT
            outcome.written = outcome.written or was_published(exc)
            with stop_signals_to(ignore):
                return stopped(outcome, stops.received[0] if stops.received else signum)
        except BrokenPipeError:
            # The reader of our output went away (e.g. `| head`); nothing left to tell.
            sys.stdout = None  # type: ignore[assignment]
            return EXIT_OK
        except ModuleNotFoundError as exc:
            # Run with a Python that lacks wsdgen's libraries (`python3 build.py` outside
            # the venv, say): say what to install, not "unexpected error".
            print(
                f"wsdgen: fout: het onderdeel '{exc.name}' ontbreekt in deze Python "
                f"({sys.executable}); installeer wsdgen en wat het nodig heeft met "
                "'python3 -m pip install -e .' in de map van wsdgen, of gebruik de Python "
                "waarin dat al gebeurd is (bijvoorbeeld .venv/bin/python)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
            print(
                f"wsdgen: onverwachte fout ({type(exc).__name__}: {exc}); "
                "meld dit bij de beheerders van wsdgen",
                file=sys.stderr,
            )
            return EXIT_CONTENT
        if stops.received:
            # A library (the server) ended quietly after the signal: still say it stopped.
            with stop_signals_to(ignore):
                return stopped(outcome, stops.received[0])
    return code


def entry_point() -> None:
    sys.exit(main())
