"""Command line: wsdgen build | check | serve | new. Exit 0 ok, 1 content, 2 usage/config."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import diagnostics as diag
from .diagnostics import Diagnostic, Severity
from .pipeline import EXIT_CONTENT, EXIT_OK, EXIT_USAGE, BuildOptions, BuildResult, build

ARGPARSE_NL = (
    ("unrecognized arguments", "onbekende opties"),
    ("the following arguments are required", "deze gegevens ontbreken"),
    ("invalid choice", "ongeldige keuze"),
    ("choose from", "kies uit"),
    ("expected one argument", "hier hoort één waarde achter"),
    ("argument ", "optie "),
)


class DutchArgumentParser(argparse.ArgumentParser):
    """argparse, but a usage mistake ends with a Dutch line and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        for english, dutch in ARGPARSE_NL:
            message = message.replace(english, dutch)
        print(f"wsdgen: fout in de opdracht: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is geen datum; gebruik JJJJ-MM-DD") from None


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is geen positief getal")
    return int(text)


def make_parser() -> argparse.ArgumentParser:
    parser = DutchArgumentParser(prog="wsdgen", description="Bouw de site van de Werkplaatsen.")
    commands = parser.add_subparsers(
        dest="command", required=True, parser_class=DutchArgumentParser
    )

    def site_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--site", default=".", help="de map van de site (standaard: .)")

    def format_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--format",
            choices=("text", "github"),
            default="text",
            help="github: meldingen als GitHub Actions-annotaties",
        )

    build_p = commands.add_parser("build", help="bouw de site")
    site_option(build_p)
    build_p.add_argument("--out", help="uitvoermap (standaard uit config.yaml: public)")
    build_p.add_argument(
        "--base-url", help="adres van de site, bijvoorbeeld https://example.org/wsd/"
    )
    build_p.add_argument("--drafts", action="store_true", help="neem concepten mee")
    build_p.add_argument("--strict", action="store_true", help="waarschuwingen tellen als fouten")
    build_p.add_argument("--today", type=iso_date, help="doe alsof het vandaag deze datum is")
    build_p.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1)
    build_p.add_argument("--cache", help="map voor de cache van omgezette teksten")
    build_p.add_argument("--quiet", action="store_true", help="geen voortgang of samenvatting")
    format_option(build_p)

    check_p = commands.add_parser("check", help="controleer alles, schrijf niets")
    site_option(check_p)
    check_p.add_argument("--strict", action="store_true")
    check_p.add_argument("--drafts", action="store_true")
    check_p.add_argument("--today", type=iso_date)
    format_option(check_p)

    serve_p = commands.add_parser("serve", help="bouw en toon de site, ververs bij elke wijziging")
    site_option(serve_p)
    serve_p.add_argument("--port", type=positive_int, default=8000)

    new_p = commands.add_parser("new", help="maak een nieuw item aan")
    new_p.add_argument("kind", help="soort: kenniscafe, publicatie, nieuws, werkplaats, ...")
    new_p.add_argument("title", help="de titel, tussen aanhalingstekens")
    site_option(new_p)
    new_p.add_argument("--datum", type=iso_date, help="datum JJJJ-MM-DD (standaard: vandaag)")
    return parser


def report(problems: Sequence[Diagnostic], output_format: str) -> None:
    for problem in problems:
        line = problem.as_github() if output_format == "github" else str(problem)
        print(line, file=sys.stderr)


def summary(result: BuildResult, verb: str) -> str:
    errors = diag.count(result.diagnostics, Severity.ERROR)
    warnings = diag.count(result.diagnostics, Severity.WARNING)
    counts = f"{errors} {'fout' if errors == 1 else 'fouten'}, {warnings} " + (
        "waarschuwing" if warnings == 1 else "waarschuwingen"
    )
    if result.exit_code != EXIT_OK and verb == "controle":
        return f"wsdgen: controle mislukt ({counts})."
    if result.exit_code != EXIT_OK:
        return f"wsdgen: build mislukt ({counts}); de vorige uitvoer is niet aangeraakt."
    if verb == "controle":
        return f"wsdgen: controle klaar: {result.pages} pagina's in orde ({counts})."
    seconds = f"{result.seconds:.2f}".replace(".", ",")
    return (
        f"wsdgen: {result.pages} pagina's geschreven naar {result.out_dir} in {seconds} s "
        f"({counts})."
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


def run_build(args: argparse.Namespace, write: bool) -> int:
    from .cache import DiskCache

    options = BuildOptions(
        site_dir=Path(args.site),
        out=getattr(args, "out", None),
        base_url=getattr(args, "base_url", None),
        drafts=args.drafts,
        strict=args.strict,
        today=args.today or dt.date.today(),
        write=write,
        jobs=getattr(args, "jobs", 1),
    )
    cache_dir = getattr(args, "cache", None)
    body_cache = DiskCache(Path(cache_dir)) if cache_dir and write else None
    progress = ProgressLine() if show_progress(args) else None
    result = build(options, body_cache, progress)
    if progress:
        progress.close()
    report(result.diagnostics, args.format)
    if not getattr(args, "quiet", False) or result.exit_code != EXIT_OK:
        stream = sys.stdout if result.exit_code == EXIT_OK else sys.stderr
        print(summary(result, "build" if write else "controle"), file=stream)
    if write and result.exit_code == EXIT_OK and not args.quiet:
        print_redirects(result)
    return result.exit_code


def print_redirects(result: BuildResult) -> None:
    """List every old address that now leads to a new page (also in /_redirects)."""
    if result.site is None:
        return
    pairs = sorted((alias, e.path) for e in result.site.entries() for alias in e.aliases)
    if pairs:
        print(f"wsdgen: {len(pairs)} oude adressen verwijzen door (zie ook /_redirects):")
        for alias, target in pairs:
            print(f"  {alias} -> {target}")


def run_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    return serve(Path(args.site), args.port)


def run_new(args: argparse.Namespace) -> int:
    from .scaffold import new_entry

    return new_entry(Path(args.site), args.kind, args.title, args.datum)


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        if args.command == "build":
            return run_build(args, write=True)
        if args.command == "check":
            return run_build(args, write=False)
        if args.command == "serve":
            return run_serve(args)
        return run_new(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`); nothing left to tell.
        sys.stdout = None  # type: ignore[assignment]
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
        print(
            f"wsdgen: error: onverwachte fout ({type(exc).__name__}: {exc}); "
            "meld dit bij de beheerders van wsdgen",
            file=sys.stderr,
        )
        return EXIT_CONTENT


def entry_point() -> None:
    sys.exit(main())
