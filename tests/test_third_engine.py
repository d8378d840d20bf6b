"""Apache Jena SHACL, a third and independent engine, against the fast engine (issue #16).

Jena (Debian's ``libapache-jena-java``, installed by scripts/install-test-deps.sh) validates the
bundled data and every file of the mutation corpus (tests/fixtures/mutations/) in one JVM, run
by the small driver tests/jena/JenaShacl.java (compiled here with javac). Both engines must
report the same results: focus node, path, constraint component and severity, counted (one
defect reported twice is a difference). The fast engine equals pySHACL on the same files
(test_validation_corpus.py), so the three agree.

Every difference that remains is listed in DIFFERENCES with its reason; a difference not
listed fails, and so does a listed one that no longer occurs (the list stays true).

What Jena is given, and why it differs from what the project engines read:
- the shapes as a copy with one ``sh:message`` per shape (the English one): Jena 4.5 rejects a
  shape with several messages, while the shapes carry one in German and one in English;
- Debian relocates the Xerces classes Jena bundles (``org.apache.jena.ext.xerces`` becomes
  ``xerces``) but not their message bundles, so Jena's XSD datatypes fail to initialise
  ("internal error") unless the bundles are put on the class path under the new name; they are
  taken from the installed jena-core.jar into a temporary folder;
- the bundled data: the same ontology and data files, parsed by Jena;
- a corpus file: the ontology files and the corpus file itself, parsed by Jena, and beside
  them, as N-Triples, what the project engines add to a file: the bundled resources it refers
  to and those sharing a key (an AGS) with it.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF
from rdflib.term import Node

import coopgraph
from coopgraph import resources
from coopgraph.namespaces import SH
from coopgraph.store.graphs import graph_of
from coopgraph.store.loaded import ONTOLOGY_GRAPH, load_store
from coopgraph.validate import _with_key_holders_store, quiet_rdflib, shapes_graph

from .test_validation_corpus import FILES, MUTATIONS

DRIVER = Path(__file__).resolve().parent / "jena" / "JenaShacl.java"
JAVA_DIR = Path("/usr/share/java")
# Jena's own jars and what its SHACL validation loads of their dependencies (all Debian packages
# that libapache-jena-java depends on); slf4j-nop silences Jena's logging
JARS = (
    "jena-base", "jena-core", "jena-iri", "jena-arq", "jena-shacl", "commons-lang3",
    "commons-io", "commons-codec", "commons-compress", "guava", "dexx.collection", "thrift",
    "slf4j-api", "slf4j-nop",
)  # fmt: skip
BUNDLED = "bundled"
INSTALL = "run scripts/install-test-deps.sh (Debian's default-jdk-headless, libapache-jena-java)"

Key = tuple[str, str, str, str]  # focus, path, component, severity

IIHK = "<https://w3id.org/coopgraph/id/kooperation/iihk-gelsenkirchen-herten>"
_GYEAR = (
    "an ill-formed xsd:gYear fails sh:datatype in Jena (Xerces checks the lexical form), while "
    "the project engines leave gYear's lexical form to the shape's sh:pattern, because rdflib "
    "(so pySHACL) does not check it and the two must agree; the defect is reported by both "
    "engines as a Pattern violation, Jena adds the Datatype one (SHACL asks for it: an "
    "ill-formed literal does not have the datatype)"
)
# (case, engine that reports it, focus, component) -> why Jena and the fast engine differ there
DIFFERENCES: dict[tuple[str, str, str, str], str] = {
    ("lex-projektstart-letter-o", "jena", IIHK, "DatatypeConstraintComponent"): _GYEAR,
    ("lex-projektstart-two-digits", "jena", IIHK, "DatatypeConstraintComponent"): _GYEAR,
}


def _term(node: Node) -> str:
    """A focus node as text; blank nodes (labelled differently by each engine) as ``[]``."""
    return "[]" if isinstance(node, BNode) else node.n3()


def _path(g: Graph, node: Node | None) -> str:
    """A SHACL path (RDF) in SPARQL property-path syntax, the same for either report.

    Jena's path algebra is binary, so its reports nest ``(a|b)|c`` and ``(a/b)/c``; both are
    associative, so nested alternatives and sequences are flattened (``a|b|c``, ``a/b/c``).
    """
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return node.n3()
    for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"),
                              (SH.zeroOrOnePath, "?")):  # fmt: skip
        inner = g.value(node, predicate)
        if inner is not None:
            return f"({_path(g, inner)}){suffix}"
    inverse = g.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + _path(g, inverse)
    if g.value(node, SH.alternativePath) is not None:
        return "(" + "|".join(_path(g, i) for i in _flat(g, node, SH.alternativePath)) + ")"
    if g.value(node, RDF.first) is not None:
        return "/".join(_path(g, i) for i in _flat(g, node, None))
    raise AssertionError(f"not a SHACL path: {node!r}")


def _flat(g: Graph, node: Node, predicate: URIRef | None) -> list[Node]:
    """The members of an alternative (``predicate`` sh:alternativePath) or a sequence (None),
    with members of the same kind replaced by their own members."""
    head = g.value(node, predicate) if predicate is not None else node
    assert head is not None
    out: list[Node] = []
    for item in Collection(g, head):
        nested = isinstance(item, BNode) and (
            g.value(item, predicate) is not None
            if predicate is not None
            else g.value(item, RDF.first) is not None
        )
        out.extend(_flat(g, item, predicate) if nested else [item])
    return out


def keys(report: Graph) -> list[Key]:
    """The top-level results of a SHACL report graph (not those nested as sh:detail)."""
    out = []
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        component = report.value(result, SH.sourceConstraintComponent)
        severity = report.value(result, SH.resultSeverity)
        assert focus is not None and component is not None and severity is not None, result
        out.append(
            (
                _term(focus),
                _path(report, report.value(result, SH.resultPath)),
                str(component).removeprefix(str(SH)),
                str(severity).removeprefix(str(SH)),
            )
        )
    return sorted(out)


def one_message_per_shape() -> Graph:
    """The shapes with only the English sh:message of each node that has several."""
    g = Graph()
    for triple in shapes_graph():
        g.add(triple)
    for node in set(g.subjects(SH.message, None)):
        messages = list(g.objects(node, SH.message))
        if len(messages) > 1:
            english = [m for m in messages if isinstance(m, Literal) and m.language == "en"]
            assert english, f"{node}: several messages, none in English"
            for m in messages:
                if m != english[0]:
                    g.remove((node, SH.message, m))
    return g


def classpath(folder: Path) -> str:
    """Jena's jars, and Xerces's message bundles under the package name Debian gives Xerces."""
    if shutil.which("javac") is None or shutil.which("java") is None:
        pytest.fail(f"no java/javac: {INSTALL}")
    jars = [JAVA_DIR / f"{name}.jar" for name in JARS]
    missing = [j.name for j in jars if not j.exists()]
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: {INSTALL}")
    bundles = folder / "bundles"
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        names = [n for n in jar.namelist() if n.startswith(prefix) and n.endswith(".properties")]
        assert names, "jena-core.jar holds no Xerces message bundles"
        for name in names:
            target = bundles / "xerces" / name.removeprefix(prefix)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(jar.read(name))
    return os.pathsep.join([*map(str, jars), str(bundles)])


def context_of(path: Path) -> list[ox.Triple]:
    """What the project engines check beside a file: everything they load for it but the file
    itself and the ontology (which Jena reads from their files)."""
    loaded = _with_key_holders_store(load_store([path]))
    own = {graph_of(path), ONTOLOGY_GRAPH}
    return [q.triple for q in loaded.store if q.graph_name not in own]


@dataclass
class JenaRun:
    """The one Jena process for every case: its reports and figures, read as each case ends."""

    proc: subprocess.Popen[str]
    out: Path
    figures: dict[str, dict[str, object]] = field(default_factory=dict)

    def report(self, case: str) -> Graph:
        """Jena's SHACL report for a case, once the process has got there."""
        assert self.proc.stdout is not None
        while case not in self.figures:
            line = self.proc.stdout.readline()
            if not line:  # the process ended without reaching the case
                self.proc.wait()
                stderr = (self.out / "stderr.txt").read_text(encoding="utf-8", errors="replace")
                pytest.fail(f"Jena ended (exit {self.proc.returncode}) before {case}: {stderr}")
            figure = json.loads(line)
            self.figures[str(figure["case"])] = figure
        assert "error" not in self.figures[case], self.figures[case]
        with quiet_rdflib():  # rdflib warns about ill-typed values ("ja"^^xsd:boolean)
            return Graph().parse(self.out / f"{case}.nt", format="nt")


@pytest.fixture(scope="module")
def jena(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JenaRun]:
    """Start one JVM validating every corpus file and then the bundled data; it runs while the
    fast engine does the same (the bundled data last, beside the fast engine's corpus runs)."""
    folder = tmp_path_factory.mktemp("jena")
    cp = classpath(folder)
    classes = folder / "classes"
    javac = subprocess.run(
        ["javac", "-nowarn", "-cp", cp, "-d", str(classes), str(DRIVER)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert javac.returncode == 0, javac.stderr
    shapes = folder / "shapes.nt"
    one_message_per_shape().serialize(shapes, format="nt", encoding="utf-8")
    ontology = [str(p) for p in resources.ontology_files()]
    cases = []
    for path in FILES:
        context = folder / f"{path.stem}.context.nt"
        ox.serialize(context_of(path), str(context), format=ox.RdfFormat.N_TRIPLES)
        cases.append([path.stem, *ontology, str(path), str(context)])
    cases.append([BUNDLED, *ontology, *map(str, resources.data_files())])
    (folder / "cases").write_text("".join("\t".join(c) + "\n" for c in cases), encoding="utf-8")
    out = folder / "reports"
    out.mkdir()
    with open(out / "stderr.txt", "wb") as stderr:
        proc = subprocess.Popen(
            ["java", "-XX:+UseSerialGC", "-cp", os.pathsep.join([cp, str(classes)]),
             "JenaShacl", str(shapes), str(folder / "cases"), str(out)],
            stdout=subprocess.PIPE, stderr=stderr, text=True,
        )  # fmt: skip
    try:
        yield JenaRun(proc, out)
    finally:
        proc.kill()
        proc.communicate()


@pytest.fixture(scope="module")
def differences(jena: JenaRun) -> Callable[[str], list[tuple[str, Key]]]:
    """For a case, every result only one engine reports, with the engine's name."""

    @functools.cache
    def only(case: str) -> list[tuple[str, Key]]:
        path = None if case == BUNDLED else [MUTATIONS / f"{case}.ttl"]
        fast = Counter(keys(coopgraph.validate(path).report_graph))
        other = Counter(keys(jena.report(case)))
        found = [("fast", k) for k in (fast - other).elements()]
        found += [("jena", k) for k in (other - fast).elements()]
        return sorted(found)

    return only


def _unexplained(case: str, only: list[tuple[str, Key]]) -> list[tuple[str, Key]]:
    return [(e, k) for e, k in only if (case, e, k[0], k[2]) not in DIFFERENCES]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_jena_equals_the_fast_engine_on_the_mutation(path: Path, differences) -> None:
    assert _unexplained(path.stem, differences(path.stem)) == []


def test_jena_equals_the_fast_engine_on_the_bundled_data(differences) -> None:
    assert _unexplained(BUNDLED, differences(BUNDLED)) == []


def test_every_recorded_difference_still_occurs(differences) -> None:
    seen = {(case, e, k[0], k[2]) for case in {c for c, *_ in DIFFERENCES}
            for e, k in differences(case)}  # fmt: skip
    assert set(DIFFERENCES) - seen == set()
