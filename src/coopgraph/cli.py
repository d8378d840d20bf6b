"""The ``coopgraph`` command: a thin layer over the library.

Every subcommand shares ``--lang``, ``--store`` and ``--format``, one error style
(``coopgraph: error: <file>:<line>: <message>`` on stderr) and one meaning of exit codes:
0 ok, 1 data does not conform or no unique answer, 2 bad input or environment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import queries
from .errors import CoopgraphError, InputError
from .formats import GRAPH_FORMATS, SELECT_FORMATS
from .store import open_store

# Heavy modules (rdflib, pySHACL, the store backends) are imported where they are used, so
# `coopgraph --help` and `coopgraph query --list` start fast.
if TYPE_CHECKING:
    from .queries import QueryResult
    from .store import Store

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
    from .validate import validate, validate_incremental, validate_store

    if args.paths and args.store.startswith("oxigraph:") and args.engine == "fast":
        # new or changed files against the graph already in an on-disk store (incremental)
        from .loader import LoadedStore

        report = validate_incremental(LoadedStore.on_disk(Path(args.store[9:])), args.paths)
    elif args.paths or args.store in ("oxigraph", "memory"):
        report = validate(args.paths or None, engine=args.engine)
    else:  # a store of its own (on disk or remote): check what it holds
        store = open_store(args.store)
        try:
            report = validate_store(store, args.store, engine=args.engine)
        finally:
            store.close()
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


# ---------------------------------------------------------------- query, sparql


def _params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(f"expected NAME=VALUE, got {pair!r}", field="--param")
        if name in params:
            raise InputError("parameter given twice", field=name)
        params[name.strip()] = value
    return params


def _print_result(args: argparse.Namespace, store: Store, result: QueryResult) -> None:
    from .results import render_boolean, render_graph, render_select

    fmt = args.format
    if result.select is not None:
        fmt = fmt or "table"
        labels = {}
        if fmt in ("table", "markdown"):
            nodes = {t for row in result.select.rows for t in row if t is not None}
            labels = queries.labels(store, nodes, args.lang)
        _out(render_select(result.select, fmt, labels))
    elif result.boolean is not None:
        _out(render_boolean(result.boolean, fmt or "table"))
    else:
        assert result.graph is not None
        _out(render_graph(result.graph, fmt or "turtle"))


def _check_format(form: str, fmt: str | None) -> None:
    """Reject a format that does not fit the query form before any work is done."""
    allowed = GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else SELECT_FORMATS
    if fmt is not None and fmt not in allowed:
        raise InputError(
            f"{form} results come as {', '.join(allowed)}, not {fmt!r}", field="--format"
        )


def cmd_query(args: argparse.Namespace) -> int:
    if args.list:
        _out(_catalog_listing(args))
        return EXIT_OK
    if not args.query:
        raise InputError("name a saved query or a .rq file (or use --list)", field="query")
    saved = queries.get(args.query)
    bindings = saved.bindings(_params(args.param))
    _check_format(saved.form, args.format)
    store = open_store(args.store)
    try:
        _print_result(args, store, queries.execute(store, saved.text, saved.form, bindings))
    finally:
        store.close()
    return EXIT_OK


def _catalog_listing(args: argparse.Namespace) -> str:
    items = sorted(queries.headers(), key=lambda q: q.name)
    if args.format == "json":
        doc = [
            {
                "name": q.name,
                "form": q.form,
                "summary": q.summary_in(args.lang),
                "params": [
                    {"name": p.name, "type": p.type, "optional": p.optional, "example": p.example}
                    for p in q.params
                ],
            }
            for q in items
        ]
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    lines = []
    for q in items:
        params = " ".join(
            f"[{p.name}={p.type}]" if p.optional else f"{p.name}={p.type}" for p in q.params
        )
        lines.append(f"{q.name}  {params}".rstrip() + f"\n    {q.summary_in(args.lang)}")
    return "\n".join(lines) + "\n"


def cmd_sparql(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text == "-" else args.text
    adhoc = queries.adhoc(text)
    _check_format(adhoc.form, args.format)
    store = open_store(args.store)
    try:
        _print_result(args, store, queries.execute(store, adhoc.text, adhoc.form))
    finally:
        store.close()
    return EXIT_OK


# ---------------------------------------------------------------- resolve


def cmd_resolve(args: argparse.Namespace) -> int:
    from .resolve import resolve

    resolution = resolve(args.name, land=args.land, kreis=args.kreis)
    _out(resolution.to_json() if args.format == "json" else resolution.to_text(args.lang))
    return EXIT_OK if resolution.status == "unique" else EXIT_FAIL


# ---------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="coopgraph",
        description="The knowledge graph of inter-municipal cooperation in Germany.",
        epilog="Exit codes: 0 ok, 1 data does not conform or no unique answer, "
        "2 bad input or environment.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"coopgraph {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "validate",
        parents=[common],
        help="check data against the SHACL shapes",
        description="Validate the bundled data (no PATH) or the given Turtle files together with "
        "the ontology and the bundled resources they refer to; with --store DIR or URL and no "
        "PATH, what that store holds. Exit 0 conforms, 1 violations, 2 unreadable input.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="Turtle files or folders")
    p.add_argument("--format", choices=("text", "json", "turtle"), default="text")
    p.add_argument(
        "--engine",
        choices=("fast", "pyshacl"),
        default="fast",
        help="fast: the shapes as set-based SPARQL on pyoxigraph (default); pyshacl: the "
        "reference engine. With PATH and --store oxigraph:DIR, PATH is checked against the "
        "graph in DIR without re-checking all of it.",
    )
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

    p = sub.add_parser(
        "query",
        parents=[common],
        help="run a saved SPARQL query",
        description="Run a saved query by name (see --list) or a .rq file, with typed "
        "parameters bound as RDF terms.",
    )
    p.add_argument("query", nargs="?", metavar="NAME|FILE.rq")
    p.add_argument("--list", action="store_true", help="list the saved queries")
    p.add_argument(
        "--param", "-p", action="append", default=[], metavar="NAME=VALUE", help="a parameter"
    )
    p.add_argument("--format", choices=(*SELECT_FORMATS, *GRAPH_FORMATS), default=None)
    p.set_defaults(handler=cmd_query)

    p = sub.add_parser(
        "sparql",
        parents=[common],
        help="run an ad-hoc SPARQL query",
        description="Run SPARQL given on the command line ('-' reads it from stdin).",
    )
    p.add_argument("text", metavar="QUERY")
    p.add_argument("--format", choices=(*SELECT_FORMATS, *GRAPH_FORMATS), default=None)
    p.set_defaults(handler=cmd_sparql)

    p = sub.add_parser(
        "resolve",
        parents=[common],
        help="a municipality name as written in the wild → AGS, Kreis, Land",
        description="Resolve a municipality name. Exit 0 with one match; exit 1 when the name "
        "is ambiguous (every candidate is listed) or matches nothing (closest names shown).",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--land", help="Land: ISO code (NW), key (05) or name")
    p.add_argument("--kreis", help="Kreis: 5-digit key or name")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_resolve)
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
