"""SHACL evaluated as set-based SPARQL on pyoxigraph: the fast validation engine.

Each shape is compiled once into a few SPARQL queries that return *every* violating
(focus node, value) at once, instead of walking focus nodes one by one in Python as pySHACL
does. One query per property shape checks minCount/maxCount (and qualified counts) by
grouping; one query per property shape flags every per-value constraint (datatype, pattern,
class, node, nodeKind, in, or …) in one scan; each ``sh:sparql`` constraint runs once over
all its targets. The engine aims at exactly the results pySHACL reports for the same graph
and shapes (a test holds it to that).

Only what coopgraph's shapes use is supported. Anything else raises
``UnsupportedShapeError`` when the shapes are compiled, never a silent pass; ``validate``
then falls back to pySHACL.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import count
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from .errors import UnsupportedShapeError
from .namespaces import SH

RDF_LANGSTRING = str(RDF.langString)

# Datatypes whose lexical form rdflib (hence pySHACL) checks, with the SPARQL cast that checks
# the same; datatypes rdflib cannot parse are only compared by IRI (pySHACL does the same).
_CASTS = {
    str(XSD.date): "xsd:date",
    str(XSD.integer): "xsd:integer",
    str(XSD.decimal): "xsd:decimal",
    str(XSD.boolean): "xsd:boolean",
    str(XSD.dateTime): "xsd:dateTime",
    str(XSD.double): "xsd:double",
    str(XSD.float): "xsd:float",
    str(XSD.time): "xsd:time",
}
_UNCHECKED = {
    str(XSD.string),
    RDF_LANGSTRING,
    str(XSD.gYear),
    str(XSD.gYearMonth),
    "http://www.opengis.net/ont/geosparql#wktLiteral",
    str(XSD.anyURI),
}

_NODE_KINDS = {
    "IRI": "isIRI({v})",
    "Literal": "isLiteral({v})",
    "BlankNode": "isBlank({v})",
    "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))",
    "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}

# shape keys the compiler understands; any other sh: key is an error, never ignored
_IGNORED = {
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.declare,
    SH.prefixes,
}
_TARGETS = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}
_VALUE_KEYS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH.flags,
    SH["in"],
    SH.node,
    SH["or"],
    SH["and"],
    SH["not"],
    SH.xone,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.minLength,
    SH.maxLength,
}
_PROPERTY_KEYS = {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.hasValue,
}
_SHAPE_KEYS = (
    _IGNORED | _TARGETS | _VALUE_KEYS | _PROPERTY_KEYS | {SH.property, SH.sparql, SH.deactivated}
)

_COMPONENT = {
    SH["class"]: "Class",
    SH.datatype: "Datatype",
    SH.nodeKind: "NodeKind",
    SH.pattern: "Pattern",
    SH["in"]: "In",
    SH.node: "Node",
    SH["or"]: "Or",
    SH["and"]: "And",
    SH["not"]: "Not",
    SH.xone: "Xone",
    SH.minInclusive: "MinInclusive",
    SH.maxInclusive: "MaxInclusive",
    SH.minExclusive: "MinExclusive",
    SH.maxExclusive: "MaxExclusive",
    SH.minLength: "MinLength",
    SH.maxLength: "MaxLength",
}
_COMPARE: dict[Node, str] = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}


@dataclass(frozen=True)
class Check:
    """One compiled query and how to turn each of its rows into results.

    The query selects ``?this``, maybe ``?value`` and ``?n`` (a count) and one boolean ``?f0``,
    ``?f1`` … per flagged component.
    """

    query: str
    shape: Node
    path: Node | None
    kind: str  # "values" (flags per value), "counts" (min/max), "sparql", "node" (focus flags)
    components: tuple[tuple[str, int | None], ...] = ()  # (component, bound) per flag or count
    severity: str = "Violation"
    messages: tuple[tuple[str, str], ...] = ()
    # flag index -> checks of the nested shape, run on the failing values (pySHACL's sh:detail)
    details: tuple[tuple[int, tuple[Check, ...]], ...] = ()
    generic: str | None = None  # message template when the shape has no sh:message
    # the query to use when only a few focus nodes are checked (incremental validation)
    focused: str | None = None


@dataclass(frozen=True)
class RawResult:
    """One validation result before it is made readable."""

    focus: ox.NamedNode | ox.BlankNode | ox.Literal
    path: Node | None
    value: ox.NamedNode | ox.BlankNode | ox.Literal | None
    severity: str
    component: str
    shape: Node
    messages: tuple[tuple[str, str], ...]
    # results of the shape named by sh:node on this result's value (SHACL's sh:detail)
    details: tuple[RawResult, ...] = ()


@dataclass
class _Compiler:
    shapes: Graph
    message_langs: dict[str, str]
    prefixes: dict[str, str] = field(default_factory=dict)
    fresh: Iterable[int] = field(default_factory=lambda: count())
    # OPTIONAL clauses computing, once per query, which nodes have a value for a long path;
    # None where expressions end up inside another pattern (there EXISTS is used)
    pre: list[str] | None = None
    last_pre: str = ""

    def exists(self, v: str, p: str, obj: str) -> str:
        """``EXISTS { v p obj }``, or for a path of several steps a precomputed set.

        Oxigraph evaluates an EXISTS over a multi-step path without the outer binding (a scan
        per row); at the top of a check the same test is one OPTIONAL subquery, joined once.
        """
        if self.pre is None or re.fullmatch(r"<[^<>\s]*>", p):
            return f"EXISTS {{ {v} {p} {obj} }}"
        flag = f"?_c{next(self.fresh)}"  # type: ignore[call-overload]
        focus = "%%FOCUS%% " if v == "?this" else ""
        self.pre.append(
            f"OPTIONAL {{ SELECT DISTINCT {v} (true AS {flag}) WHERE {{ {focus}{v} {p} {obj} }} }}"
        )
        return f"BOUND({flag})"

    def var(self) -> str:
        return f"?_v{next(self.fresh)}"  # type: ignore[call-overload]

    # ------------------------------------------------------------ terms and paths

    def term(self, node: Node) -> str:
        if isinstance(node, URIRef | Literal):
            return node.n3()
        raise UnsupportedShapeError(f"blank node {node} where a constant is expected")

    def path(self, node: Node) -> str:
        g = self.shapes
        if isinstance(node, URIRef):
            return node.n3()
        if (g.value(node, RDF.first)) is not None:
            items = list(Collection(g, node))
            return "(" + "/".join(self.path(i) for i in items) + ")"
        for key, fmt in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "{}*"),
            (SH.oneOrMorePath, "{}+"),
            (SH.zeroOrOnePath, "{}?"),
        ):
            inner = g.value(node, key)
            if inner is not None:
                text = self.path(inner)
                if not text.startswith(("(", "<")):
                    text = f"({text})"
                return "(" + fmt.format(text) + ")"
        alternatives = g.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(i) for i in Collection(g, alternatives)) + ")"
        raise UnsupportedShapeError(f"unsupported SHACL path {node}")

    # ------------------------------------------------------------ shapes

    def check_keys(self, shape: Node) -> None:
        for p in set(self.shapes.predicates(shape)):
            if str(p).startswith(str(SH)) and p not in _SHAPE_KEYS:
                raise UnsupportedShapeError(f"shape {shape}: {p} is not supported")
        if self.shapes.value(shape, SH.deactivated) is not None:
            raise UnsupportedShapeError(f"shape {shape}: sh:deactivated is not supported")

    def messages(self, node: Node) -> tuple[tuple[str, str], ...]:
        return tuple(
            sorted(
                (m.language or self.message_langs.get(str(m), ""), str(m))
                for m in self.shapes.objects(node, SH.message)
                if isinstance(m, Literal)
            )
        )

    def severity(self, shape: Node) -> str:
        sev = self.shapes.value(shape, SH.severity)
        return str(sev).rsplit("#", 1)[-1] if sev is not None else "Violation"

    def collect_prefixes(self, node: Node) -> None:
        for owner in self.shapes.objects(node, SH.prefixes):
            for decl in self.shapes.objects(owner, SH.declare):
                prefix = self.shapes.value(decl, SH.prefix)
                namespace = self.shapes.value(decl, SH.namespace)
                if prefix is None or namespace is None:
                    raise UnsupportedShapeError(f"incomplete sh:declare in {owner}")
                known = self.prefixes.get(str(prefix))
                if known is not None and known != str(namespace):
                    raise UnsupportedShapeError(f"prefix {prefix} declared twice, differently")
                self.prefixes[str(prefix)] = str(namespace)

    def target(self, shape: Node) -> str | None:
        """A group pattern binding every focus node of a shape to ?this (None: no targets)."""
        g = self.shapes
        parts = []
        parts += [
            f"{{ ?this rdf:type/rdfs:subClassOf* {self.term(c)} }}"
            for c in g.objects(shape, SH.targetClass)
        ]
        parts += [
            f"{{ VALUES ?this {{ {self.term(n)} }} }}" for n in g.objects(shape, SH.targetNode)
        ]
        parts += [f"{{ ?this {self.term(p)} [] }}" for p in g.objects(shape, SH.targetSubjectsOf)]
        parts += [f"{{ [] {self.term(p)} ?this }}" for p in g.objects(shape, SH.targetObjectsOf)]
        for t in g.objects(shape, SH.target):
            select = g.value(t, SH.select)
            if (t, RDF.type, SH.SPARQLTarget) not in g or select is None:
                raise UnsupportedShapeError(f"shape {shape}: only SPARQL targets are supported")
            self.collect_prefixes(t)
            parts.append("{ " + str(select) + " }")
        if (shape, RDF.type, RDFS.Class) in g or (
            shape,
            RDF.type,
            URIRef("http://www.w3.org/2002/07/owl#Class"),
        ) in g:
            raise UnsupportedShapeError(f"shape {shape}: implicit class targets are not supported")
        if not parts:
            return None
        return "{ SELECT DISTINCT ?this WHERE { %%FOCUS%% " + " UNION ".join(parts) + " } }"

    # ------------------------------------------------------------ conformance of a node

    def conforms(self, shape: Node, v: str, depth: int = 0) -> str:
        """A SPARQL expression, true iff the node in ``v`` conforms to ``shape``."""
        if depth > 8:
            raise UnsupportedShapeError(f"shape {shape}: nesting too deep (recursive shapes?)")
        self.check_keys(shape)
        g = self.shapes
        terms: list[str] = []
        path = g.value(shape, SH.path)
        if path is not None:
            terms.append(self.property_conforms(shape, path, v, depth))
        else:
            for key in _PROPERTY_KEYS - {SH.path}:
                if g.value(shape, key) is not None:
                    raise UnsupportedShapeError(f"shape {shape}: {key} without sh:path")
            for key in _VALUE_KEYS:
                for param in g.objects(shape, key):
                    if key == SH.flags:
                        continue
                    terms.append(f"!({self.violates(shape, key, param, v, depth)})")
        for prop in g.objects(shape, SH.property):
            terms.append(self.conforms(prop, v, depth + 1))
        if g.value(shape, SH.sparql) is not None:
            raise UnsupportedShapeError(f"shape {shape}: sh:sparql inside another shape")
        return "(" + " && ".join(terms) + ")" if terms else "true"

    def property_conforms(self, shape: Node, path: Node, v: str, depth: int) -> str:
        g = self.shapes
        p = self.path(path)
        terms = []
        min_count = g.value(shape, SH.minCount)
        if min_count is not None:
            if _int(min_count) > 1:
                raise UnsupportedShapeError(f"nested sh:minCount {min_count} > 1 in {shape}")
            if _int(min_count) == 1:
                terms.append(self.exists(v, p, self.var()))
        max_count = g.value(shape, SH.maxCount)
        if max_count is not None:
            terms.append(self._nested_max(v, p, _int(max_count)))
        for value in g.objects(shape, SH.hasValue):
            terms.append(self.exists(v, p, self.term(value)))
        for key in (SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount):
            if g.value(shape, key) is not None:
                raise UnsupportedShapeError(f"nested {key} in {shape}")
        for key in _VALUE_KEYS:
            for param in g.objects(shape, key):
                if key == SH.flags:
                    continue
                x = self.var()
                pre, self.pre = self.pre, None
                bad = self.violates(shape, key, param, x, depth)
                self.pre = pre
                terms.append(f"NOT EXISTS {{ {v} {p} {x} FILTER ({bad}) }}")
        return "(" + " && ".join(terms) + ")" if terms else "true"

    def _nested_max(self, v: str, p: str, n: int) -> str:
        if n != 1:
            raise UnsupportedShapeError(f"nested sh:maxCount {n} other than 1")
        a, b = self.var(), self.var()
        return f"NOT EXISTS {{ {v} {p} {a} . {v} {p} {b} FILTER (!sameTerm({a}, {b})) }}"

    def violates(self, shape: Node, key: Node, param: Node, v: str, depth: int) -> str:
        """A SPARQL expression, true iff value ``v`` violates the constraint ``key param``."""
        g = self.shapes
        if key == SH["class"]:
            return f"NOT EXISTS {{ {v} rdf:type/rdfs:subClassOf* {self.term(param)} }}"
        if key == SH.datatype:
            dt = str(param)
            if dt == str(XSD.string):
                return f"!(isLiteral({v}) && datatype({v}) = xsd:string && lang({v}) = '')"
            ok = f"isLiteral({v}) && sameTerm(datatype({v}), {self.term(param)})"
            if dt in _CASTS:
                ok += f" && COALESCE(isLiteral({_CASTS[dt]}(STR({v}))), false)"
            elif dt not in _UNCHECKED:
                raise UnsupportedShapeError(f"sh:datatype {dt} is not supported")
            return f"!({ok})"
        if key == SH.nodeKind:
            kind = str(param).rsplit("#", 1)[-1]
            if kind not in _NODE_KINDS:
                raise UnsupportedShapeError(f"sh:nodeKind {param}")
            return "!" + _NODE_KINDS[kind].format(v=v)
        if key == SH.pattern:
            flags = g.value(shape, SH.flags)
            flag_arg = f", {Literal(str(flags)).n3()}" if flags is not None else ""
            regex = f"REGEX(STR({v}), {Literal(str(param)).n3()}{flag_arg})"
            return f"(isBlank({v}) || !COALESCE({regex}, false))"
        if key == SH["in"]:
            allowed = list(Collection(g, param))
            if not allowed:
                return "true"
            return "!(" + " || ".join(f"sameTerm({v}, {self.term(m)})" for m in allowed) + ")"
        if key in _COMPARE:
            return f"!COALESCE({v} {_COMPARE[key]} {self.term(param)}, false)"
        if key in (SH.minLength, SH.maxLength):
            op = ">=" if key == SH.minLength else "<="
            return f"(isBlank({v}) || !(STRLEN(STR({v})) {op} {_int(param)}))"
        if key == SH.node:
            return "!" + self.conforms(param, v, depth + 1)
        if key in (SH["or"], SH["and"], SH.xone):
            parts = [self.conforms(m, v, depth + 1) for m in Collection(g, param)]
            if not parts:
                return "false" if key != SH["or"] else "true"
            if key == SH["or"]:
                return "!(" + " || ".join(parts) + ")"
            if key == SH["and"]:
                return "!(" + " && ".join(parts) + ")"
            return "((" + " + ".join(f"IF({m}, 1, 0)" for m in parts) + ") != 1)"
        if key == SH["not"]:
            return self.conforms(param, v, depth + 1)
        raise UnsupportedShapeError(f"{key} is not supported")

    # ------------------------------------------------------------ top-level checks

    def compile_shape(self, shape: Node, target: str, out: list[Check], depth: int = 0) -> None:
        self.check_keys(shape)
        g = self.shapes
        path = g.value(shape, SH.path)
        severity = self.severity(shape)
        messages = self.messages(shape)
        if path is not None:
            self.compile_property(shape, path, target, severity, messages, out, depth)
        else:
            for key in _PROPERTY_KEYS - {SH.path}:
                if g.value(shape, key) is not None:
                    raise UnsupportedShapeError(f"shape {shape}: {key} without sh:path")
            flags = self.value_flags(shape, "?this")
            if flags:
                out.append(
                    self.flag_check(
                        shape, None, target, "", flags, severity, messages, kind="node", depth=depth
                    )
                )
        for prop in g.objects(shape, SH.property):
            self.compile_shape(prop, target, out, depth)
        for constraint in g.objects(shape, SH.sparql):
            out.append(self.compile_sparql(shape, constraint, target, severity, messages))

    def value_flags(self, shape: Node, v: str) -> list[tuple[str, str, Node | None]]:
        """(component, violation expression, shape of sh:node or None) per value constraint."""
        flags = []
        self.pre = []
        for key in sorted(_VALUE_KEYS):
            if key == SH.flags:
                continue
            for param in self.shapes.objects(shape, key):
                nested = param if key == SH.node else None
                flags.append((_COMPONENT[key], self.violates(shape, key, param, v, 0), nested))
        self.last_pre, self.pre = " ".join(self.pre), None
        return flags

    def detail_checks(self, shape: Node, depth: int) -> tuple[Check, ...]:
        """Checks of a shape named by sh:node, to run on the values that fail it."""
        if depth > 8:
            raise UnsupportedShapeError(f"shape {shape}: nesting too deep (recursive shapes?)")
        out: list[Check] = []
        self.compile_shape(shape, "{ SELECT DISTINCT ?this WHERE { %%FOCUS%% } }", out, depth + 1)
        return tuple(out)

    def flag_check(
        self,
        shape: Node,
        path: Node | None,
        target: str,
        values: str,
        flags: list[tuple[str, str, Node | None]],
        severity: str,
        messages: tuple[tuple[str, str], ...],
        *,
        kind: str,
        depth: int,
    ) -> Check:
        if not messages:
            raise UnsupportedShapeError(f"shape {shape}: no sh:message for {flags[0][0]}")
        pre = self.last_pre
        binds = " ".join(
            f"BIND (COALESCE({expr}, true) AS ?f{i})" for i, (_, expr, _n) in enumerate(flags)
        )
        any_flag = " || ".join(f"?f{i}" for i in range(len(flags)))
        names = " ".join(f"?f{i}" for i in range(len(flags)))
        select = "?this ?value" if kind == "values" else "?this"
        query = (
            f"SELECT DISTINCT {select} {names} WHERE {{ {target} {values} {pre} {binds} "
            f"FILTER ({any_flag}) }}"
        )
        details = tuple(
            (i, self.detail_checks(nested, depth))
            for i, (_, _e, nested) in enumerate(flags)
            if nested is not None
        )
        return Check(
            query,
            shape,
            path,
            kind,
            tuple((c, None) for c, _e, _n in flags),
            severity,
            messages,
            details,
        )

    def compile_property(
        self,
        shape: Node,
        path: Node,
        target: str,
        severity: str,
        messages: tuple[tuple[str, str], ...],
        out: list[Check],
        depth: int = 0,
    ) -> None:
        g = self.shapes
        p = self.path(path)
        if not messages and (set(g.predicates(shape)) & (_VALUE_KEYS | _PROPERTY_KEYS)) - {
            SH.path,
            SH.hasValue,
        }:
            raise UnsupportedShapeError(f"shape {shape}: no sh:message (pySHACL would make one)")
        counts: list[tuple[str, int | None]] = []
        having = []
        min_count, max_count = g.value(shape, SH.minCount), g.value(shape, SH.maxCount)
        if min_count is not None:
            counts.append(("MinCount", _int(min_count)))
            having.append(f"COUNT(DISTINCT ?value) < {_int(min_count)}")
        if max_count is not None:
            counts.append(("MaxCount", _int(max_count)))
            having.append(f"COUNT(DISTINCT ?value) > {_int(max_count)}")
        if counts:
            query = (
                f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {target} "
                f"OPTIONAL {{ ?this {p} ?value }} }} GROUP BY ?this "
                f"HAVING ({' || '.join(having)})"
            )
            out.append(Check(query, shape, path, "counts", tuple(counts), severity, messages))
        qvs = g.value(shape, SH.qualifiedValueShape)
        if qvs is not None:
            q_counts: list[tuple[str, int | None]] = []
            q_having = []
            q_min, q_max = (
                g.value(shape, SH.qualifiedMinCount),
                g.value(shape, SH.qualifiedMaxCount),
            )
            if g.value(shape, SH.qualifiedValueShapesDisjoint) is not None:
                raise UnsupportedShapeError(f"{shape}: sh:qualifiedValueShapesDisjoint")
            if q_min is not None:
                q_counts.append(("QualifiedMinCount", _int(q_min)))
                q_having.append(f"COUNT(DISTINCT ?value) < {_int(q_min)}")
            if q_max is not None:
                q_counts.append(("QualifiedMaxCount", _int(q_max)))
                q_having.append(f"COUNT(DISTINCT ?value) > {_int(q_max)}")
            ok = self.conforms(qvs, "?value", 1)
            query = (
                f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {target} "
                f"OPTIONAL {{ ?this {p} ?value FILTER ({ok}) }} }} GROUP BY ?this "
                f"HAVING ({' || '.join(q_having)})"
            )
            out.append(Check(query, shape, path, "counts", tuple(q_counts), severity, messages))
        has_values = list(g.objects(shape, SH.hasValue))
        if len(has_values) > 1:
            raise UnsupportedShapeError(f"{shape}: several sh:hasValue")
        for value in has_values:
            nsm = self.shapes.namespace_manager
            generic = None
            if not messages:
                the_set = str([value.n3(nsm)])
                generic = (
                    "Node {focus}->"
                    + path.n3(nsm).replace("{", "{{").replace("}", "}}")
                    + " does not contain a value in the set: "
                    + the_set.replace("{", "{{").replace("}", "}}")
                )
            query = (
                f"SELECT ?this WHERE {{ {target} "
                f"FILTER NOT EXISTS {{ ?this {p} {self.term(value)} }} }}"
            )
            out.append(
                Check(
                    query,
                    shape,
                    path,
                    "absent",
                    (("HasValue", None),),
                    severity,
                    messages,
                    generic=generic,
                )
            )
        flags = self.value_flags(shape, "?value")
        if flags:
            out.append(
                self.flag_check(
                    shape,
                    path,
                    target,
                    f"?this {p} ?value .",
                    flags,
                    severity,
                    messages,
                    kind="values",
                    depth=depth,
                )
            )

    def compile_sparql(
        self,
        shape: Node,
        constraint: Node,
        target: str,
        severity: str,
        messages: tuple[tuple[str, str], ...],
    ) -> Check:
        g = self.shapes
        select = g.value(constraint, SH.select)
        if select is None or g.value(constraint, SH.deactivated) is not None:
            raise UnsupportedShapeError(f"{constraint}: only active sh:select constraints")
        text = str(select)
        if re.search(r"\$(?!this\b)\w+", text):
            raise UnsupportedShapeError(f"{constraint}: pre-bound variables other than $this")
        if re.search(r"\?this\b", text):
            raise UnsupportedShapeError(f"{constraint}: uses ?this besides $this")
        if re.search(r"\b(GRAPH|SERVICE|MINUS)\b", text, re.IGNORECASE):
            raise UnsupportedShapeError(f"{constraint}: GRAPH, SERVICE or MINUS")
        self.collect_prefixes(constraint)
        inner = re.sub(r"\$this\b", "?this", text)
        head = re.match(r"\s*SELECT\s+\?this\s+\?value\s+WHERE\s*\{", inner, re.IGNORECASE)
        if head is None or not inner.rstrip().endswith("}"):
            raise UnsupportedShapeError(f"{constraint}: expected 'SELECT $this ?value WHERE {{…}}'")
        body = factor_optionals(inner[head.end() : inner.rstrip().rindex("}")])
        digest = hashlib.sha256(" ".join(text.split()).encode()).hexdigest()
        known = _EQUIVALENT.get(digest)
        # the body joins the targets directly (not as a subquery), so the engine binds ?this
        # first, as pre-binding $this would; the projection and multiplicity stay the same
        query = f"SELECT ?this ?value WHERE {{ {target} {body} }}"
        focused = None
        if known is not None:
            # the decorrelated form scans all memberships once: best for the whole graph;
            # for a few focus nodes the (rewritten) original form is cheaper
            query, focused = (
                "SELECT ?this ?value WHERE { " + known.replace("{TARGET}", target) + " }",
                query,
            )
        elif digest in _TARGET_IMPLIED:
            # every ?this of the body is a target: on the whole graph the target would only
            # scan the graph a second time; a few focus nodes still go through it
            query, focused = f"SELECT ?this ?value WHERE {{ {body} }}", query
        own = self.messages(constraint)
        return Check(
            query,
            shape,
            None,
            "sparql",
            (("SPARQL", None),),
            severity,
            own or messages,
            focused=focused,
        )


# Equivalent, decorrelated forms of known sh:select constraints, by the SHA-256 of their text
# with whitespace collapsed (a changed constraint no longer matches and runs as written).
# Oxigraph evaluates a correlated FILTER NOT EXISTS with joins and OPTIONALs row by row over
# the whole graph; these forms join independently computed sets instead. Each must give the
# same rows, with the same multiplicity, as the original: tests compare with pySHACL.
_EQUIVALENT = {
    # cs:KontraktShape: "a signatory is a member of the founded cooperation on the day of
    # conclusion". One group per solution of the original outer pattern (the path
    # alternatives spelt out, so their multiplicity is kept); a group is a violation when no
    # membership of the signatory in the cooperation covers the day (the NOT EXISTS).
    "c93311733d2286077d2341ebb363360d797247364e069e692927c3d9e12245a4": """
  { SELECT ?this ?value ?k ?t ?when ?br ?e (MAX(?covers) AS ?ok) WHERE {
    {TARGET}
    ?this coop:unterzeichner ?value ; org:resultingOrganization ?k ; coop:abschluss ?t .
    { ?t time:inXSDDate ?when BIND (1 AS ?br) }
    UNION { ?t time:inXSDgYearMonth ?when BIND (2 AS ?br) }
    UNION { ?t time:inXSDgYear ?when BIND (3 AS ?br) }
    UNION { ?t time:hasEnd ?e . ?e time:inXSDDate ?when BIND (4 AS ?br) }
    UNION { ?t time:hasEnd ?e . ?e time:inXSDgYearMonth ?when BIND (5 AS ?br) }
    UNION { ?t time:hasEnd ?e . ?e time:inXSDgYear ?when BIND (6 AS ?br) }
    BIND (STR(?when) AS ?w)
    OPTIONAL {
      { SELECT ?value ?k ?m WHERE { ?m org:member ?value ; org:organization ?k } }
      OPTIONAL { ?m org:memberDuring/time:hasBeginning/
                 (time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?begin }
      OPTIONAL { ?m org:memberDuring/time:hasEnd/
                 (time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?end }
    }
    BIND (IF(STRLEN(STR(?begin)) < STRLEN(?w), STRLEN(STR(?begin)), STRLEN(?w)) AS ?nb)
    BIND (IF(STRLEN(STR(?end)) < STRLEN(?w), STRLEN(STR(?end)), STRLEN(?w)) AS ?ne)
    BIND (COALESCE(IF(BOUND(?m)
             && (!BOUND(?begin) || SUBSTR(STR(?begin), 1, ?nb) <= SUBSTR(?w, 1, ?nb))
             && (!BOUND(?end) || SUBSTR(STR(?end), 1, ?ne) >= SUBSTR(?w, 1, ?ne)), 1, 0), 0)
         AS ?covers)
  } GROUP BY ?this ?value ?k ?t ?when ?br ?e }
  FILTER (?ok = 0)
""",
}


# sh:select constraints (by the same SHA-256) whose shape's SPARQL target selects exactly the
# ?this of the constraint's own solutions, so joining the target changes neither rows nor their
# number. Both scan every literal of the graph; at national scale the scan is the cost.
_TARGET_IMPLIED = {
    # cs:LexicalFormShape: literals whose lexical form is not in their datatype's lexical space
    "a764287395a64dc6e33787890794d7d5c0ad89f9a61fe604d874cefc381588ad",
    # cs:LanguageTagShape: literals with a language tag outside the rule
    "4781559af0679886db733f3bab9ecec7c6d6bbb905ca0d0ac341fbfb9b0b6aa9",
}


_OPTIONAL = re.compile(r"OPTIONAL\s*\{([^{}\"']*)\}", re.IGNORECASE)


def _enclosing_brace(text: str, at: int) -> int:
    """Index of the ``{`` opening the group that contains position ``at`` (-1 at top level)."""
    depth, i = 0, at - 1
    while i >= 0:
        if text[i] == "}":
            depth += 1
        elif text[i] == "{":
            if depth == 0:
                return i
            depth -= 1
        i -= 1
    return -1


def _closing_paren(text: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def factor_optionals(text: str) -> str:
    """Rewrite ``OPTIONAL { P ?x } … FILTER (!BOUND(?x) || C)`` inside an EXISTS group.

    Inside ``EXISTS``/``NOT EXISTS`` only the existence of a solution counts, so the pair is
    equivalent to ``FILTER (NOT EXISTS { P ?x } || EXISTS { P ?x FILTER (C) })`` when ?x
    occurs nowhere else, the other variables of P are bound earlier in the group, and each
    such filter mentions one optional variable only. Oxigraph evaluates the OPTIONAL form
    without the outer bindings (seconds per row on a national graph); the rewritten form runs
    in milliseconds. Anything not matching these conditions is left as it is.
    """
    while True:
        for m in _OPTIONAL.finditer(text):
            pattern = m.group(1).strip().rstrip(".").strip()
            last = re.search(r"(\?\w+)$", pattern)
            if last is None:
                continue
            x = last.group(1)
            if len(re.findall(re.escape(x) + r"\b", pattern)) != 1:
                continue
            group = _enclosing_brace(text, m.start())
            if group < 0 or not re.search(r"EXISTS\s*$", text[:group], re.IGNORECASE):
                continue
            f = re.compile(r"FILTER\s*\(\s*!\s*BOUND\s*\(\s*" + re.escape(x) + r"\s*\)\s*\|\|")
            found = f.search(text, m.end())
            if found is None or _enclosing_brace(text, found.start()) != group:
                continue
            close = _closing_paren(text, text.index("(", found.start()))
            if close < 0:
                continue
            condition = text[found.end() : close]
            others = set(re.findall(r"\?\w+", pattern)) - {x}
            before = _OPTIONAL.sub("", text[group : m.start()])
            if any(not re.search(re.escape(v) + r"\b", before) for v in others):
                continue
            rest = text[: m.start()] + text[m.end() : found.start()] + text[close + 1 :]
            if re.search(re.escape(x) + r"\b", rest):
                continue
            optional_vars = {
                o.group(1)
                for o in (
                    re.search(r"(\?\w+)\s*\.?\s*$", q.group(1)) for q in _OPTIONAL.finditer(text)
                )
                if o is not None
            } - {x}
            if any(re.search(re.escape(v) + r"\b", condition) for v in optional_vars):
                continue
            replacement = (
                f"FILTER (NOT EXISTS {{ {pattern} }} "
                f"|| EXISTS {{ {pattern} FILTER ({condition}) }})"
            )
            text = (
                text[: m.start()] + text[m.end() : found.start()] + replacement + text[close + 1 :]
            )
            break
        else:
            return text


@dataclass(frozen=True)
class CompiledShapes:
    """Every check of a shapes graph, ready to run on a store."""

    checks: tuple[Check, ...]
    prologue: str

    def run(
        self,
        store: ox.Store,
        *,
        focus: Sequence[ox.NamedNode | ox.BlankNode | ox.Literal] | None = None,
        union: bool = False,
        workers: int | None = None,
    ) -> list[RawResult]:
        """Every result on the store; with ``focus``, only for those focus nodes. The checks
        run on ``workers`` threads (default: one per core), the results in the checks' order."""
        restrict = ""
        if focus is not None:
            if not focus:
                return []
            restrict = "VALUES ?this { " + " ".join(str(t) for t in focus) + " } "
        import os  # here, not at the top: this module's header belongs to the compiler
        from concurrent.futures import ThreadPoolExecutor

        def one(check: Check) -> list[RawResult]:
            out: list[RawResult] = []
            self._run(check, store, restrict, union, out)
            return out

        # the checks are independent read-only queries and pyoxigraph evaluates them without
        # the GIL: one thread per core; map keeps the checks' order, so the results' order
        workers = min(len(self.checks), workers or os.cpu_count() or 1)
        if workers <= 1:
            parts = [one(check) for check in self.checks]
        else:
            with ThreadPoolExecutor(workers, thread_name_prefix="shacl") as pool:
                parts = list(pool.map(one, self.checks))
        return [r for part in parts for r in part]

    def _run(
        self, check: Check, store: ox.Store, restrict: str, union: bool, out: list[RawResult]
    ) -> None:
        query = check.focused if restrict and check.focused else check.query
        text = self.prologue + query.replace("%%FOCUS%%", restrict)
        rows = store.query(text, use_default_graph_as_union=union)
        assert isinstance(rows, ox.QuerySolutions)
        mine: list[RawResult] = []
        _collect(check, rows, mine)
        if not check.details:
            out.extend(mine)
            return
        for index, nested in check.details:
            component = check.components[index][0] + "ConstraintComponent"
            failing = {r.value for r in mine if r.component == component and r.value is not None}
            if not failing:
                continue
            values = "VALUES ?this { " + " ".join(str(t) for t in failing) + " } "
            found: list[RawResult] = []
            for sub in nested:
                self._run(sub, store, values, union, found)
            by_focus: dict[object, list[RawResult]] = {}
            for r in found:
                by_focus.setdefault(r.focus, []).append(r)
            mine = [
                replace(r, details=r.details + tuple(by_focus.get(r.value, [])))
                if r.component == component
                else r
                for r in mine
            ]
        out.extend(mine)


def _int(node: Node) -> int:
    try:
        return int(str(node))
    except ValueError:
        raise UnsupportedShapeError(f"expected an integer, got {node}") from None


def _truthy(term: object) -> bool:
    return isinstance(term, ox.Literal) and term.value == "true"


_NSM = Graph().namespace_manager  # the prefixes a fresh data graph knows, as pySHACL prints them


_TEMPLATE_VAR = re.compile(r"\{[?$](this|value)\}")


def fill_message(text: str, focus: Any, value: Any) -> str:
    """A SPARQL-based constraint's message with ``{$this}`` and ``{?value}`` filled in, as
    pySHACL fills them (the term's string: an IRI, a literal's lexical form)."""
    terms = {"this": focus, "value": value}

    def term(m: re.Match[str]) -> str:
        t = terms[m.group(1)]
        return m.group(0) if t is None else str(t.value)

    return _TEMPLATE_VAR.sub(term, text)


def _collect(check: Check, rows: ox.QuerySolutions, out: list[RawResult]) -> None:
    def add(focus: Any, value: Any, component: str) -> None:
        messages = check.messages
        if component == "SPARQL":
            messages = tuple((lang, fill_message(text, focus, value)) for lang, text in messages)
        if check.generic is not None:
            shown = (
                str(focus)
                if not isinstance(focus, ox.NamedNode)
                else (URIRef(focus.value).n3(_NSM))
            )
            messages = (("", check.generic.format(focus=shown)),)
        out.append(
            RawResult(
                focus,
                check.path,
                value,
                check.severity,
                component + "ConstraintComponent",
                check.shape,
                messages,
            )
        )

    for row in rows:
        this = row["this"]
        if check.kind == "counts":
            n = int(row["n"].value)
            for component, bound in check.components:
                assert bound is not None
                if (component.endswith("MinCount") and n < bound) or (
                    component.endswith("MaxCount") and n > bound
                ):
                    add(this, None, component)
        elif check.kind == "sparql":
            add(this, row["value"], "SPARQL")
        elif check.kind == "absent":
            add(this, None, check.components[0][0])
        else:
            value = row["value"] if check.kind == "values" else this
            for i, (component, _) in enumerate(check.components):
                if _truthy(row[f"f{i}"]):
                    add(this, value, component)


_STANDARD_PREFIXES = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


def compile_shapes(shapes: Graph, message_langs: dict[str, str]) -> CompiledShapes:
    """Compile every targeted shape; raises UnsupportedShapeError on anything not understood."""
    compiler = _Compiler(shapes, message_langs)
    compiler.prefixes.update(_STANDARD_PREFIXES)
    checks: list[Check] = []
    shape_nodes: set[Node] = set()
    for key in _TARGETS:
        shape_nodes.update(shapes.subjects(key, None))
    for kind in (SH.NodeShape, SH.PropertyShape):
        for s in shapes.subjects(RDF.type, kind):
            compiler.check_keys(s)
    for shape in sorted(shape_nodes, key=str):
        target = compiler.target(shape)
        assert target is not None
        compiler.compile_shape(shape, target, checks)
    for s, declared in ((s, shapes.value(s, SH.prefixes)) for s in shapes.subjects(SH.select)):
        if declared is None:
            raise UnsupportedShapeError(f"{s}: SPARQL without sh:prefixes")
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(compiler.prefixes.items()))
    for check in checks:  # every query must parse now, not halfway through a validation
        try:
            ox.Store().query(prologue + check.query.replace("%%FOCUS%%", ""))
        except SyntaxError as exc:
            raise UnsupportedShapeError(
                f"compiled query does not parse: {exc}\n{check.query}"
            ) from exc
    return CompiledShapes(tuple(checks), prologue)


def copy_path(source: Graph, path: Node, target: Graph) -> Node:
    """Copy a SHACL path (an IRI or a blank-node structure) into another graph."""
    if isinstance(path, URIRef):
        return path
    mapping: dict[Node, Node] = {}

    def walk(node: Node) -> Node:
        if not isinstance(node, BNode):
            return node
        if node in mapping:
            return mapping[node]
        new = BNode()
        mapping[node] = new
        for p, o in source.predicate_objects(node):
            target.add((new, p, walk(o)))
        return new

    return walk(path)


__all__ = ["Check", "CompiledShapes", "RawResult", "compile_shapes", "copy_path"]
