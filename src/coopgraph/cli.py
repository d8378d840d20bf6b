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

from . import queries, query_guard
from .errors import CoopgraphError, InputError, printable
from .formats import GRAPH_FORMATS, SELECT_FORMATS
from .store import open_store

# Heavy modules (rdflib, pySHACL, the store backends) are imported where they are used, so
# `coopgraph --help` and `coopgraph query --list` start fast.
if TYPE_CHECKING:
    from .profile import ProfileInvalid
    from .queries import QueryResult
    from .store import Store
    from .store.graphs import Transfer

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
    common.add_argument(
        "--data",
        default=None,
        metavar="DIR",
        help="the workspace (or its data folder) to work on (default: $COOPGRAPH_DATA, else "
        "the nearest folder at or above the working directory holding data/kooperationen/ or "
        "coopgraph.toml, else the bundled snapshot)",
    )
    return common


def _remote() -> argparse.ArgumentParser:
    """Options of the commands that may talk to an endpoint."""
    remote = argparse.ArgumentParser(add_help=False)
    remote.add_argument(
        "--timeout",
        metavar="SECONDS",
        help="give up on an endpoint that does not answer within SECONDS "
        "(default: $COOPGRAPH_TIMEOUT or 120)",
    )
    return remote


def _federation() -> argparse.ArgumentParser:
    federation = argparse.ArgumentParser(add_help=False)
    federation.add_argument(
        "--allow-service",
        action="append",
        default=[],
        metavar="URL",
        help="let queries call this SERVICE endpoint (federated query; repeatable). Without it "
        "a query with SERVICE is refused",
    )
    return federation


def _timeout(args: argparse.Namespace) -> float | None:
    from .store.http import seconds, timeout_from_env

    raw = getattr(args, "timeout", None)
    return seconds(raw) if raw is not None else timeout_from_env()


def _out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


# ---------------------------------------------------------------- validate


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate, validate_incremental, validate_loaded_store, validate_store

    profiles = [p for p in args.paths if _is_profile(p)]
    if profiles:
        return _validate_profiles(args, profiles, [p for p in args.paths if not _is_profile(p)])
    on_disk = args.store.startswith("oxigraph:")
    remote = args.store.startswith(("http://", "https://"))
    if args.paths and (remote or (on_disk and args.engine != "fast")):
        raise InputError(
            "files are checked against a store only with --engine fast and --store "
            "oxigraph:DIR; validate the store alone (no PATH), or the files against the "
            "workspace (no --store)",
            field="--store",
        )
    loaded = None
    if on_disk and args.engine == "fast":
        from .store.loaded import LoadedStore
        from .store.oxigraph import OxigraphStore

        location = Path(args.store[9:])
        OxigraphStore.on_disk(location).close()  # one-line errors for what is not a store
        loaded = LoadedStore.on_disk(location, read_only=not args.paths)
        if not args.paths and not loaded.holds_ontology():
            loaded = None  # a store of data alone: checked beside the ontology (below)
    if loaded is not None:
        if args.paths:  # new or changed files against the graph in the store (incremental)
            report = validate_incremental(loaded, args.paths)
        else:  # what the store holds, checked in place; findings name each file's graph
            report = validate_loaded_store(loaded)
    elif args.paths or args.store in ("oxigraph", "memory"):
        report = validate(args.paths or None, engine=args.engine)
    else:  # a store of its own (on disk, pySHACL; or remote): check what it holds
        store = open_store(args.store, timeout=_timeout(args))
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


# ---------------------------------------------------------------- profiles (Steckbrief)


def _profile_errors(exc: ProfileInvalid, lang: str) -> None:
    """Every problem of a profile on a line of its own, the message in the language asked for."""
    for line in exc.lines(lang):
        print(f"coopgraph: error: {line}", file=sys.stderr)


def _is_profile(path: str) -> bool:
    return path.lower().endswith((".yaml", ".yml"))


def _validate_profiles(args: argparse.Namespace, profiles: list[str], others: list[str]) -> int:
    """Build each profile and validate its Turtle without writing; Turtle paths as usual."""
    from .profile import ProfileInvalid, build_file
    from .validate import validate, validate_document

    reports = [validate(others)] if others else []
    bad_input = False
    for path in profiles:  # every profile is checked, even after a bad one
        try:
            built = build_file(path)
        except ProfileInvalid as exc:
            _profile_errors(exc, args.lang)
            bad_input = True
            continue
        except CoopgraphError as exc:
            print(f"coopgraph: error: {exc}", file=sys.stderr)
            bad_input = True
            continue
        for note in built.notes:
            print(f"coopgraph: note: {note.render(path, args.lang)}", file=sys.stderr)
        reports.append(validate_document(built.to_turtle().encode("utf-8"), path))
    for report in reports:
        if args.format == "json":
            _out(report.to_json(args.lang))
        elif args.format == "turtle":
            _out(report.to_turtle())
        else:
            _out(report.to_text(args.lang))
    if bad_input:
        return EXIT_ERROR
    return EXIT_OK if all(r.conforms for r in reports) else EXIT_FAIL


def cmd_import_profiles(args: argparse.Namespace, folder: Path) -> int:
    """Import every profile of a folder; one summary row each (written / unchanged / refused)."""
    from tabulate import tabulate

    from .profile import ProfileInvalid, import_profile

    files = sorted(p for p in folder.glob("*.y*ml") if not p.name.startswith("_"))
    if not files:
        raise InputError("folder holds no profiles (*.yaml)", file=folder)
    data = _writable_data(args)
    de = args.lang == "de"
    rows, worst = [], EXIT_OK
    for i, path in enumerate(files, 1):
        _status(f"{i}/{len(files)} {path.name}")
        try:
            result = import_profile(path, data, dry_run=args.dry_run)
        except ProfileInvalid as exc:
            _profile_errors(exc, args.lang)
            rows.append((path.name, "abgelehnt" if de else "refused", exc.lines(args.lang)[0]))
            worst = EXIT_ERROR
            continue
        except CoopgraphError as exc:
            print(f"coopgraph: error: {exc}", file=sys.stderr)
            rows.append((path.name, "abgelehnt" if de else "refused", str(exc)))
            worst = EXIT_ERROR
            continue
        sys.stderr.write(result.warnings(args.lang))
        if not result.report.conforms:
            n = len(result.report.violations)
            reason = f"{n} Verstöße" if de else f"does not conform: {n} violations"
            rows.append((path.name, "abgelehnt" if de else "refused", reason))
            worst = max(worst, EXIT_FAIL)
        elif result.written or (args.dry_run and (result.added or result.removed)):
            state = "geschrieben" if de else "written"
            if args.dry_run:
                state = "würde geschrieben" if de else "would be written"
            rows.append((path.name, state, f"+{len(result.added)} −{len(result.removed)}"))
        else:
            rows.append((path.name, "unverändert" if de else "unchanged", ""))
    head = ("Steckbrief", "Ergebnis", "Grund") if de else ("profile", "result", "reason")
    _out(tabulate(rows, headers=head) + "\n")
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[1]] = counts.get(row[1], 0) + 1
    _out(", ".join(f"{n} {state}" for state, n in sorted(counts.items())) + "\n")
    return worst


def _status(message: str) -> None:
    """A status line on a terminal only (stderr), overwritten by the next."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\r\033[K{message[:100]}")
        sys.stderr.flush()


def cmd_import_profile(args: argparse.Namespace) -> int:
    from .profile import ProfileInvalid, import_profile

    if Path(args.profile).is_dir():
        return cmd_import_profiles(args, Path(args.profile))
    try:
        result = import_profile(args.profile, _writable_data(args), dry_run=args.dry_run)
    except ProfileInvalid as exc:
        _profile_errors(exc, args.lang)
        return EXIT_ERROR
    sys.stderr.write(result.warnings(args.lang))
    if args.dry_run:
        _out(result.turtle)
        sys.stderr.write(result.report.to_text(args.lang) + result.diff_text(args.lang))
        return EXIT_OK if result.report.conforms else EXIT_FAIL
    _out(result.report.to_text(args.lang))
    if not result.report.conforms:
        sys.stderr.write(
            "coopgraph: nothing written: the data does not conform\n"
            if args.lang == "en"
            else "coopgraph: nichts geschrieben: die Daten sind nicht konform\n"
        )
        return EXIT_FAIL
    _out(result.diff_text(args.lang))
    if result.written:
        _out(f"wrote {result.target}\n" if args.lang == "en" else f"{result.target} geschrieben\n")
    return EXIT_OK


def _writable_data(args: argparse.Namespace) -> Path:
    """The workspace's data folder, which commands that write data write to."""
    from .workspace import current

    ws = current()
    if ws.bundled:
        raise InputError(
            "not in a workspace: run in a folder holding data/kooperationen/ (or "
            "coopgraph.toml), or give --data DIR",
            field="--data",
        )
    return ws.data


def cmd_export(args: argparse.Namespace) -> int:
    from . import resources
    from .profile import export_file
    from .register import write_atomically

    text = export_file(args.name, resources.data_dir())
    if args.out:
        out = Path(args.out)
        if out.exists() and not args.force:
            raise InputError("exists; give --force to overwrite it", file=out, field="--out")
        write_atomically(out, text.encode("utf-8"))
    else:
        _out(text)
    return EXIT_OK


def _route_import(argv: list[str]) -> list[str]:
    """``coopgraph import X.yaml …`` is short for ``coopgraph import profile X.yaml …``."""
    if (
        argv[:1] == ["import"]
        and not {"register", "profile"} & set(argv[1:])
        and any(_is_profile(a) or Path(a).is_dir() for a in argv[1:] if not a.startswith("-"))
    ):
        return ["import", "profile", *argv[1:]]
    return argv


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
    query_guard.check(saved.text, allow_service=args.allow_service, max_bytes=None)
    bindings = saved.bindings(_params(args.param))
    _check_format(saved.form, args.format)
    store = open_store(args.store, timeout=_timeout(args))
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
    query_guard.check(text, allow_service=args.allow_service, max_bytes=None)
    adhoc = queries.adhoc(text)
    _check_format(adhoc.form, args.format)
    store = open_store(args.store, timeout=_timeout(args))
    try:
        _print_result(args, store, queries.execute(store, adhoc.text, adhoc.form))
    finally:
        store.close()
    return EXIT_OK


# ---------------------------------------------------------------- load, push (stores)


def _progress(total: int) -> Callable[[object], None] | None:
    """A counter on stderr while files go into a store, on a terminal only."""
    if not sys.stderr.isatty():
        return None
    done = [0]

    def tick(_source: object) -> None:
        done[0] += 1
        print(f"\r{done[0]}/{total} files", end="", file=sys.stderr, flush=True)
        if done[0] == total:
            print(file=sys.stderr)

    return tick


def _report_transfer(args: argparse.Namespace, transfer: Transfer) -> None:
    _out(json.dumps(transfer.to_dict(), indent=2) + "\n" if args.format == "json" else
         transfer.to_text())  # fmt: skip


def cmd_info(args: argparse.Namespace) -> int:
    """Which workspace, data and store a command run here would use, with counts."""
    from . import resources
    from .store.cache import CompiledStore
    from .workspace import current

    ws = current()
    info: dict[str, object] = dict(ws.describe())
    info["ontology files"] = len(resources.ontology_files())
    info["data files"] = len(resources.data_files())
    info["profile files"] = len(resources.profile_files())
    info["saved queries"] = len(resources.query_files())
    info["store"] = args.store
    if args.store == DEFAULT_STORE:
        compiled = CompiledStore(ws)
        info["compiled store"] = str(compiled.location)
        info["compiled store up to date"] = compiled.is_current()
    store = open_store(args.store, timeout=_timeout(args))
    try:
        counts = [
            store.select(q).rows[0][0]
            for q in (
                "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                "SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE "
                "{ ?k a <https://w3id.org/coopgraph/def#Kooperation> }",
            )
        ]
    finally:
        store.close()
    info["triples"], info["kooperationen"] = (int(str(c)) if c is not None else 0 for c in counts)
    if args.format == "json":
        _out(json.dumps(info, ensure_ascii=False, indent=2) + "\n")
    else:
        width = max(len(k) for k in info)
        _out("".join(f"{k + ':':<{width + 1}} {v}\n" for k, v in info.items()))
    return EXIT_OK


def cmd_load(args: argparse.Namespace) -> int:
    from .store.graphs import sources
    from .store.oxigraph import load_on_disk

    if not args.store.startswith("oxigraph:") or args.store == "oxigraph:":
        hint = "; to fill an endpoint use `coopgraph push`" if "://" in args.store else ""
        raise InputError(
            f"load fills a store on disk: --store oxigraph:DIR, not {args.store!r}{hint}",
            field="--store",
        )
    todo = sources(args.paths or None)
    # all or nothing: built beside the store and switched in when complete
    transfer, dead = load_on_disk(Path(args.store[len("oxigraph:") :]), todo, _progress(len(todo)))
    for path in dead:
        print(
            f"coopgraph: note: removed {path}, left by a load that did not finish",
            file=sys.stderr,
        )
    _report_transfer(args, transfer)
    return EXIT_OK


def cmd_push(args: argparse.Namespace) -> int:
    from .store.graphs import sources
    from .store.gsp import push
    from .store.sparql import SparqlStore

    if not args.store.startswith(("http://", "https://")):
        hint = "; to fill a store on disk use `coopgraph load`" if args.store != "memory" else ""
        raise InputError(
            f"push uploads to a SPARQL endpoint: --store URL, not {args.store!r}{hint}",
            field="--store",
        )
    todo = sources(args.paths or None)
    store = SparqlStore(args.store, args.update_endpoint, timeout=_timeout(args))
    transfer = push(
        store, todo, gsp_endpoint=args.gsp_endpoint, progress=_progress(len(todo)),
        notice=lambda text: print(f"coopgraph: note: {text}", file=sys.stderr),
    )  # fmt: skip
    if not transfer.union_default_graph:
        print(
            "coopgraph: warning: the endpoint's default graph does not show the pushed named "
            "graphs, so queries will not see them; serve the union of all graphs as the "
            "default graph (oxigraph serve --union-default-graph; Fuseki: "
            "tdb2:unionDefaultGraph true)",
            file=sys.stderr,
        )
    _report_transfer(args, transfer)
    return EXIT_OK


# ---------------------------------------------------------------- resolve


def cmd_resolve(args: argparse.Namespace) -> int:
    from .resolve import resolve

    resolution = resolve(args.name, land=args.land, kreis=args.kreis)
    _out(resolution.to_json() if args.format == "json" else resolution.to_text(args.lang))
    return EXIT_OK if resolution.status == "unique" else EXIT_FAIL


# ---------------------------------------------------------------- publish


def cmd_publish(args: argparse.Namespace) -> int:
    from .catalog import Publisher
    from .publish import publish

    def progress(message: str) -> None:
        if sys.stderr.isatty():
            print(f"coopgraph publish: {message}", file=sys.stderr)

    publisher = Publisher(
        name=args.publisher,
        url=args.contact_url,
        email=args.contact_email,
        contributor_id=args.contributor_id,
    )
    store = None
    if not args.paths and args.store not in ("oxigraph", "memory"):
        store = open_store(args.store)  # publish what that store (on disk or remote) holds
    try:
        result = publish(
            Path(args.outdir),
            args.base_uri,
            args.paths or None,
            lang=args.site_lang,
            publisher=publisher,
            store=store,
            progress=progress,
        )
    finally:
        if store is not None:
            store.close()
    if args.format == "json":
        _out(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        _out(
            f"{result.outdir}: {result.pages} resources, {result.files} files, "
            f"{result.bytes / 1e6:.1f} MB from {result.triples} triples in "
            f"{result.seconds:.1f} s\n"
        )
    return EXIT_OK


# ---------------------------------------------------------------- serve


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    serve(
        host=args.host,
        port=args.port,
        base_uri=args.base_uri,
        store_spec=args.store,
        timeout=args.query_timeout,
        limit=args.result_limit,
        workers=args.workers,
        worker_memory_mb=args.worker_memory,
        waiting=args.queue,
        site=Path(args.site) if args.site else None,
        allow_service=args.allow_service,
    )
    return EXIT_OK


# ---------------------------------------------------------------- parser


class _Version(argparse.Action):
    """``--version``, looked up only when asked for (package metadata is slow to import)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)  # type: ignore[arg-type]

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from . import __version__

        print(f"coopgraph {__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    remote = _remote()
    federation = _federation()
    parser = argparse.ArgumentParser(
        prog="coopgraph",
        description="The knowledge graph of inter-municipal cooperation in Germany.",
        epilog="Exit codes: 0 ok, 1 data does not conform or no unique answer, "
        "2 bad input or environment.",
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "validate",
        parents=[common, remote],
        help="check data against the SHACL shapes",
        description="Validate the bundled data (no PATH) or the given Turtle files together with "
        "the ontology and the bundled resources they refer to; with --store DIR or URL and no "
        "PATH, what that store holds. Exit 0 conforms, 1 violations, 2 unreadable input.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="Turtle files or folders, or Steckbrief profiles (.yaml: built and "
                   "checked, nothing written)")  # fmt: skip
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

    p = sub.add_parser(
        "info",
        parents=[common, remote],
        help="which workspace, data and store commands here use, with counts",
        description="Say which workspace (data, ontology, queries, profiles) and which store a "
        "command run here would use, and how many files, triples and cooperations they hold.",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_info)

    p = sub.add_parser(
        "import",
        parents=[common],
        help="build data from external sources",
        description="Build data from the register (`import register DIR`) or from a "
        "cooperation's profile (`import profile FILE.yaml`, or short `import FILE.yaml`).",
    )
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
    r = isub.add_parser(
        "profile",
        parents=[common],
        help="a Steckbrief (YAML profile) of one cooperation to its Turtle file",
        description="Resolve the profile's names, build its Turtle, validate it with the "
        "ontology and the resources it refers to and, only if it conforms, write "
        "DATA/kooperationen/<slug>.ttl (atomically), showing the triples that changed. "
        "`coopgraph import PROFILE.yaml` is the same. Exit 0 written (or unchanged), 1 does "
        "not conform (nothing written), 2 bad profile.",
    )
    r.add_argument("profile", metavar="PROFILE.yaml",
                   help="a profile, or a folder of profiles (imported one by one, with a "
                   "summary table; names starting with _ are skipped)")  # fmt: skip
    r.add_argument(
        "--dry-run",
        action="store_true",
        help="print the Turtle (stdout) and the report (stderr); write nothing",
    )
    r.set_defaults(handler=cmd_import_profile)

    p = sub.add_parser(
        "export",
        parents=[common],
        help="a cooperation back as a Steckbrief (YAML profile)",
        description="Write the cooperation NAME (slug or IRI) of DATA/kooperationen as a profile; "
        "importing it gives the same graph.",
    )
    p.add_argument("name", metavar="NAME")
    p.add_argument("--out", help="write to this file (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser(
        "query",
        parents=[common, remote, federation],
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
        parents=[common, remote, federation],
        help="run an ad-hoc SPARQL query",
        description="Run SPARQL given on the command line ('-' reads it from stdin).",
    )
    p.add_argument("text", metavar="QUERY")
    p.add_argument("--format", choices=(*SELECT_FORMATS, *GRAPH_FORMATS), default=None)
    p.set_defaults(handler=cmd_sparql)

    # ---- stores: load (embedded on disk), push (SPARQL endpoint)
    p = sub.add_parser(
        "load",
        parents=[common],
        help="bulk-load ontology + data into an embedded store on disk",
        description="Load the ontology and all bundled data (or the given files and folders) "
        "into --store oxigraph:DIR, one named graph per file, replacing that graph; later "
        "commands query the same store with --store oxigraph:DIR. All or nothing: the new "
        "store is built beside the old one and switched in when complete.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="RDF files or folders")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_load)

    p = sub.add_parser(
        "push",
        parents=[common, remote],
        help="upload ontology + data to a SPARQL 1.1 store (Graph Store Protocol)",
        description="Upload the ontology and all bundled data (or the given files and folders) "
        "to --store URL, one named graph per file, replacing that graph: every changed graph in "
        "one SPARQL Update request. Every file is parsed first; a failed push leaves the "
        "store's graphs as they were. Credentials: "
        "COOPGRAPH_TOKEN, or COOPGRAPH_USER and COOPGRAPH_PASSWORD, or a netrc file.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="RDF files or folders")
    p.add_argument(
        "--gsp-endpoint",
        metavar="URL",
        help="Graph Store endpoint (default: the query URL with /query → /store, as in "
        "Oxigraph; Fuseki: http://HOST:3030/DATASET/data)",
    )
    p.add_argument(
        "--update-endpoint",
        metavar="URL",
        help="SPARQL Update endpoint (default: the query URL with /query → /update)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_push)

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

    p = sub.add_parser(
        "publish",
        parents=[common],
        help="write the graph as a static linked-open-data site",
        description="Write a static site into OUTDIR: an HTML page and Turtle, JSON-LD and "
        "N-Triples per resource, whole-graph dumps, DCAT-AP.de and VoID descriptions, the "
        "ontology documentation, sitemap.xml and content-negotiation snippets (.htaccess, "
        "conneg/nginx.conf). Without PATH the bundled data (or, with --store DIR or URL, what "
        "that store holds); with PATH those files and the bundled resources they refer to. "
        "OUTDIR is replaced only when the site is complete.",
    )
    p.add_argument("outdir", metavar="OUTDIR")
    p.add_argument("paths", nargs="*", metavar="PATH", help="Turtle files or folders")
    p.add_argument(
        "--base-uri",
        default="https://w3id.org/coopgraph/",
        metavar="URI",
        help="where the site will live; replaces https://w3id.org/coopgraph/ in its absolute "
        "links, sitemap and dataset descriptions (default: https://w3id.org/coopgraph/)",
    )
    p.add_argument(
        "--site-lang",
        choices=("de", "en"),
        default="de",
        help="main language of the pages, the other shown alongside (default: de)",
    )
    p.add_argument("--publisher", default="coopgraph", help="publisher named in DCAT-AP.de")
    p.add_argument("--contact-url", metavar="URL", help="contact point web page (default: index)")
    p.add_argument("--contact-email", metavar="ADDRESS", help="contact point e-mail address")
    p.add_argument(
        "--contributor-id",
        metavar="IRI",
        help="dcatde:contributorID of the portal delivering to GovData, e.g. "
        "http://dcat-ap.de/def/contributors/openNRW (left out when not given)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(handler=cmd_publish)

    p = sub.add_parser(
        "serve",
        parents=[common, federation],
        help="serve the resource pages, a read-only SPARQL endpoint and the saved queries",
        description="Serve /id/…, /def and /vocab/… with content negotiation (Accept, "
        "Accept-Language), a read-only SPARQL 1.1 endpoint at /sparql and the saved queries at "
        "/queries, until Ctrl-C.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port to listen on (default: 8080)")
    p.add_argument(
        "--base-uri",
        metavar="URI",
        help="public address the pages link to (default: the address each request came to)",
    )
    p.add_argument(
        "--query-timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds a SPARQL query may run before it is stopped with 503 (default: 30)",
    )
    p.add_argument(
        "--result-limit",
        type=int,
        default=10_000,
        metavar="N",
        help="most rows (or triples) a query returns; a cut result has the header "
        "Coopgraph-Truncated: true (default: 10000)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=2,
        metavar="N",
        help="query worker processes, each holding the store (default: 2)",
    )
    p.add_argument(
        "--worker-memory",
        type=int,
        default=2048,
        metavar="MB",
        help="memory one query may add to its worker beyond the store it holds; a query that "
        "needs more is stopped with 503 (default: 2048; 0: no limit)",
    )
    p.add_argument(
        "--queue",
        type=int,
        default=8,
        metavar="N",
        help="queries that may wait for a busy worker; more are answered 503 with Retry-After "
        "at once (default: 8)",
    )
    p.add_argument(
        "--site",
        metavar="DIR",
        help="a site written by coopgraph publish: its other files (catalog.ttl, void.ttl, "
        "dumps) are served too",
    )
    p.set_defaults(handler=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_route_import(list(sys.argv[1:] if argv is None else argv)))
    handler: Handler = args.handler
    from . import workspace

    try:
        # in-process callers (tests, other tools) keep their own workspace afterwards
        with workspace.using(workspace.find(getattr(args, "data", None))):
            return handler(args)
    except CoopgraphError as exc:
        for line in str(exc).splitlines() or [""]:
            print(f"coopgraph: error: {printable(line)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("coopgraph: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
