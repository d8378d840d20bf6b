"""The mutation corpus (issue #16): single-defect copies of real data and allowed variations.

Each file in tests/fixtures/mutations/ is a copy of a bundled file (the Stadt-Kooperation
IIHK Gelsenkirchen-Herten, or Münster from the register) with one defect, described in its
header:

    # defect: what is wrong
    # copy of: the bundled file it comes from
    # expect: COMPONENT SEVERITY      (one line per expected result kind; or "conforms")

For each file: the exit code (1 with a violation, 0 with warnings only or none), every
expected result with a German and an English message, nothing on stderr but diagnostics (no
traceback, no library logging), and the two engines agree: the fast engine and pySHACL report
the same focus nodes, paths, components and severities. A third, independent engine, Apache
Jena SHACL, is held to the same over this corpus and the bundled data in test_third_engine.py.

Known differences between rdflib's (so pySHACL's) reading of XSD lexical forms and XSD's own
are kept out of the corpus and listed here: rdflib accepts "1e3", " 1.5", "NaN" and "INF" as
xsd:decimal and " 15", "1_000" and non-ASCII digits as xsd:integer (Python's parsers), and
rejects dates whose year has other than four digits ("12005-01-01", "-0044-03-15"), which XSD
allows. The fast engine follows XSD (Oxigraph's casts) for sh:datatype; the lexical-form shape
(cs:LexicalFormShape) is a regular expression both engines evaluate alike.
"""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF

import coopgraph
from coopgraph.namespaces import SH

MUTATIONS = Path(__file__).resolve().parent / "fixtures" / "mutations"
FILES = sorted(MUTATIONS.glob("*.ttl"))


def header(path: Path) -> tuple[str, list[tuple[str, str]]]:
    """The defect and the expected (component, severity) pairs of a corpus file."""
    defect, expects = "", []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].strip().partition(": ")
        if key == "defect":
            defect = value
        elif key == "expect" and value != "conforms":
            component, severity = value.split()
            expects.append((component + "ConstraintComponent", severity))
    return defect, expects


def _keys(path: str, engine: str) -> list[tuple[str, str, str, str]]:
    report = coopgraph.validate([path], engine=engine)
    return sorted((v.focus, v.path or "", v.constraint, v.severity) for v in report.violations)


@pytest.fixture(scope="module")
def pyshacl_results() -> dict[str, list[tuple[str, str, str, str]]]:
    """pySHACL's results for every corpus file, two files at a time (pySHACL is the slow one)."""
    with ProcessPoolExecutor(max_workers=2) as pool:
        found = pool.map(_keys, [str(p) for p in FILES], ["pyshacl"] * len(FILES))
        return dict(zip((p.name for p in FILES), found, strict=True))


def test_the_corpus_is_large_and_every_file_says_what_it_expects() -> None:
    defects = [p for p in FILES if header(p)[1]]
    assert len(defects) >= 60
    assert len(FILES) - len(defects) >= 10  # allowed variations that must conform
    for path in FILES:
        defect, _ = header(path)
        assert defect, f"{path.name}: no '# defect:' line"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_mutation_is_reported_in_german_and_english(path: Path, cli) -> None:
    _defect, expects = header(path)
    run = cli("validate", str(path), "--format", "json")
    assert "Traceback" not in run.err and "Failed to convert" not in run.err, run.err
    assert run.err == "", run.err  # no library logging or warnings either
    want_code = 1 if any(severity == "Violation" for _c, severity in expects) else 0
    assert run.code == want_code, run.out
    results = json.loads(run.out)["results"]
    if not expects:
        assert results == [], run.out
        return
    found = {(r["constraint"], r["severity"]) for r in results}
    assert set(expects) <= found, run.out
    report = coopgraph.validate([path])
    for v in report.violations:
        de, en = v.message("de"), v.message("en")
        assert de and en and de != en, v
        assert "{$this}" not in en and "{?value}" not in en, v  # templates are filled in


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_fast_engine_equals_pyshacl(path: Path, pyshacl_results) -> None:
    assert _keys(str(path), "fast") == pyshacl_results[path.name]


def test_warnings_only_exit_0_but_the_shacl_report_does_not_conform(cli) -> None:
    path = MUTATIONS / "warning-kontrakt-without-date.ttl"
    run = cli("validate", str(path), "--format", "turtle")
    assert run.code == 0
    report = Graph().parse(data=run.out, format="turtle")
    assert (None, SH.conforms, Literal(False)) in report
    text = cli("validate", str(path))
    assert "0 violations, 1 warnings" in text.out


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_concept_from_the_wrong_scheme_is_one_violation_with_the_detail_nested(
    engine: str, cli
) -> None:
    path = MUTATIONS / "rechtsform-wrong-scheme.ttl"
    run = cli("validate", str(path), "--format", "turtle", "--engine", engine)
    assert run.code == 1
    report = Graph().parse(data=run.out, format="turtle")
    top = list(report.objects(None, SH.result))
    assert len(top) == 1
    details = list(report.objects(top[0], SH.detail))
    assert len(details) == 1
    assert (details[0], SH.sourceConstraintComponent, SH.HasValueConstraintComponent) in report
    langs = {m.language for m in report.objects(details[0], SH.resultMessage)}
    assert langs == {"de", "en"}
    assert len(list(report.subjects(RDF.type, SH.ValidationResult))) == 2


def test_a_new_kommune_with_muensters_ags_names_both_and_both_files(cli) -> None:
    path = MUTATIONS / "ags-duplicate-new-kommune.ttl"
    run = cli("validate", str(path), "--format", "json")
    assert run.code == 1
    shared = [r for r in json.loads(run.out)["results"] if "not unique" in r["message"]]
    assert {(r["focusNode"], r["value"]) for r in shared} == {
        ("https://w3id.org/coopgraph/id/kommune/05515999",
         "https://w3id.org/coopgraph/id/kommune/05515000"),
        ("https://w3id.org/coopgraph/id/kommune/05515000",
         "https://w3id.org/coopgraph/id/kommune/05515999"),
    }  # fmt: skip
    files = {r["file"] for r in shared}  # as displayed: relative to the working directory
    assert {Path(f).name for f in files} == {path.name, "gemeinden-05.ttl"}
    assert "data/kommunen/gemeinden-05.ttl" in files
