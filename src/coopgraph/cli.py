"""The ``coopgraph`` command: a thin layer over the library.

Every subcommand shares ``--lang``, ``--store`` and ``--format``, one error style
(``coopgraph: error: <file>:<line>: <message>`` on stderr) and one meaning of exit codes:
0 ok, 1 data does not conform or no unique answer, 2 bad input or environment.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from . import __version__
from .errors import CoopgraphError

EXIT_OK, EXIT_FAIL, EXIT_ERROR = 0, 1, 2
DEFAULT_STORE = "oxigraph"

Handler = Callable[[argparse.Namespace], int]


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--lang",
        choices=("de", "en"),
        default=os.environ.get("COOPGRAPH_LANG", "en"),
        help="language of messages and labels (default: $COOPGRAPH_LANG or en)",
    )
    common.add_argument(
        "--store",
        default=os.environ.get("COOPGRAPH_STORE", DEFAULT_STORE),
        metavar="STORE",
        help="where the data lives: 'oxigraph' (embedded, default), 'memory' (rdflib), "
        "'oxigraph:DIR' (on disk) or the URL of a SPARQL 1.1 endpoint",
    )
    return common


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


# ---------------------------------------------------------------- validate


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate

    report = validate(args.paths or None)
    if args.format == "json":
        _out(report.to_json(args.lang))
    elif args.format == "turtle":
        _out(report.to_turtle())
    else:
        _out(report.to_text(args.lang))
    return EXIT_OK if report.conforms else EXIT_FAIL


# ---------------------------------------------------------------- import


def cmd_import_register(args: argparse.Namespace) -> int:
    from .register import build

    result = build(Path(args.source), Path(args.out))
    if args.format == "json":
        import json

        doc = {
            "files": [str(p) for p in result.files],
            "gemeinden": result.gemeinden,
            "gemeindefreieGebiete": result.gemeindefreie_gebiete,
            "kreise": result.kreise,
            "laender": result.laender,
            "kooperationen": result.kooperationen,
            "mitgliedschaften": result.mitgliedschaften,
            "triples": result.triples,
        }
        _out(json.dumps(doc, indent=2) + "\n")
    else:
        _out(
            f"{len(result.files)} files, {result.triples} triples: {result.gemeinden} Gemeinden, "
            f"{result.gemeindefreie_gebiete} gemeindefreie Gebiete, {result.kreise} Kreise, "
            f"{result.laender} Länder, {result.kooperationen} Gemeindeverband-Kooperationen with "
            f"{result.mitgliedschaften} memberships\n"
        )
    return EXIT_OK


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="coopgraph",
        description="The knowledge graph of inter-municipal cooperation in Germany.",
        epilog="Exit codes: 0 ok, 1 data does not conform or no unique answer, "
        "2 bad input or environment.",
    )
    parser.add_argument("--version", action="version", version=f"coopgraph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "validate",
        parents=[common],
        help="check data against the SHACL shapes",
        description="Validate the bundled data (no PATH) or the given Turtle files together with "
        "the ontology and the bundled resources they refer to. Exit 0 conforms, 1 violations, "
        "2 unreadable input.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="Turtle files or folders")
    p.add_argument("--format", choices=("text", "json", "turtle"), default="text")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("import", parents=[common], help="build data from external sources")
    isub = p.add_subparsers(dest="source_kind", metavar="SOURCE", required=True)
    r = isub.add_parser(
        "register",
        parents=[common],
        help="the Destatis municipality register (GV100AD CSVs) to Turtle",
        description="Turn the cleaned register CSVs into Turtle under OUT (byte-identical on "
        "every run).",
    )
    r.add_argument("source", metavar="DIR", help="folder with gemeinden.csv, kreise.csv, …")
    r.add_argument("--out", default="data", help="output data folder (default: data)")
    r.add_argument("--format", choices=("text", "json"), default="text")
    r.set_defaults(handler=cmd_import_register)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except CoopgraphError as exc:
        print(f"coopgraph: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("coopgraph: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
