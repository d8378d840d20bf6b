"""The benchmark scripts work (at a tiny N, no timing asserted) and the fast SHACL engine reports
exactly what pySHACL reports: on every broken-copy case of test_validate and on the generator's
injected violations."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import URIRef

import coopgraph
from coopgraph import workspace
from coopgraph.store.loaded import load, load_store
from coopgraph.validate import _short

from .conftest import REPO
from .test_validate import CASES, broken_copy

BENCH = REPO / "benchmarks"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402


def small_workspace(root: Path) -> Path:
    """A workspace whose register is the Saarland's (its Gemeinden, every Kreis and Land) and
    nothing else: the benchmark runs on it in seconds, not on the whole country."""
    kommunen = root / "data" / "kommunen"
    kommunen.mkdir(parents=True)
    for name in ("laender.ttl", "kreise.ttl", "gemeinden-10.ttl"):
        shutil.copy(REPO / "data" / "kommunen" / name, kommunen / name)
    (root / "data" / "gemeindeverbaende").mkdir()  # the Saarland has none
    (root / "data" / "kooperationen").mkdir()
    return root


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> workspace.Workspace:
    """The workspace of a small register (see ``small_workspace``)."""
    return workspace.at(small_workspace(tmp_path_factory.mktemp("small") / "ws"))


@pytest.fixture
def small_register(small: workspace.Workspace) -> Iterator[workspace.Workspace]:
    """The test runs in the small register's workspace: generated cooperations draw their
    members from it, and validation brings in what they refer to from it."""
    with workspace.using(small):
        yield small


@pytest.fixture(scope="module")
def synthetic(small: workspace.Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fifteen synthetic cooperations: one of each injected violation and two clean ones."""
    out = tmp_path_factory.mktemp("synth") / "data"
    with workspace.using(small):
        generate.generate(len(generate.INJECTIONS) + 2, out, seed=7)
    return out


@pytest.mark.usefixtures("small_register")
def test_generator_is_seeded_synthetic_and_lists_its_injections(synthetic: Path, tmp_path) -> None:
    manifest = json.loads((synthetic / "manifest.json").read_text(encoding="utf-8"))
    assert {v["kind"] for v in manifest["injected"]} == set(generate.INJECTIONS)
    again = tmp_path / "again"
    generate.generate(manifest["n"], again, seed=7)
    for name in manifest["files"]:
        assert (again / name).read_bytes() == (synthetic / name).read_bytes()
    text = (synthetic / manifest["files"][0]).read_text(encoding="utf-8")
    assert "kooperation:synth-000000" in text and "Synthetic benchmark data" in text


@pytest.mark.usefixtures("small_register")
def test_fast_engine_finds_exactly_the_injected_violations_like_pyshacl(synthetic: Path) -> None:
    manifest = json.loads((synthetic / "manifest.json").read_text(encoding="utf-8"))
    files = [synthetic / f for f in manifest["files"]]
    fast = coopgraph.validate(files, engine="fast")
    reference = coopgraph.validate(files, engine="pyshacl")
    assert fast.violations == reference.violations
    want = Counter((_short(URIRef(v["focus"])), v["component"]) for v in manifest["injected"])
    assert Counter((v.focus, v.constraint) for v in fast.violations) == want


@pytest.mark.usefixtures("small_register")
def test_new_cooperation_file_is_checked_against_the_loaded_graph(synthetic: Path) -> None:
    from coopgraph.validate import validate_incremental

    manifest = json.loads((synthetic / "manifest.json").read_text(encoding="utf-8"))
    loaded = load_store(generate.graph_files(synthetic))  # the whole (small) register
    before = len(loaded.store)
    report = validate_incremental(loaded, [synthetic / manifest["new_file"]])
    assert report.conforms, report.to_text()
    assert len(loaded.store) == before  # the store is left as it was
    # an existing file with a defect, re-checked on its own, reports only that file's defects
    broken = synthetic / manifest["files"][0]
    again = validate_incremental(loaded, [broken])
    assert {v.focus for v in again.violations} == {
        _short(URIRef(v["focus"])) for v in manifest["injected"] if v["file"] == broken.name
    }


@pytest.mark.usefixtures("small_register")
def test_checks_on_two_threads_give_the_results_of_one_in_the_same_order(synthetic: Path) -> None:
    from coopgraph.validate import compiled_shapes

    compiled = compiled_shapes()
    assert compiled is not None
    manifest = json.loads((synthetic / "manifest.json").read_text(encoding="utf-8"))
    loaded = load_store([synthetic / f for f in manifest["files"]])
    one = compiled.run(loaded.store, union=True, workers=1)
    assert one  # the injected violations
    assert compiled.run(loaded.store, union=True, workers=2) == one
    focus = [r.focus for r in one[:3]]
    assert compiled.run(loaded.store, focus=focus, union=True, workers=2) == compiled.run(
        loaded.store, focus=focus, union=True, workers=1
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_engine_equals_pyshacl_on_broken_copy(name: str, tmp_path: Path) -> None:
    broken = broken_copy(name, tmp_path)
    fast = coopgraph.validate([broken], engine="fast")
    assert fast.violations  # each case breaks something
    assert fast.violations == coopgraph.validate([broken], engine="pyshacl").violations
    graph_fast = load([broken])
    from coopgraph.validate import validate_graph

    assert validate_graph(graph_fast, engine="fast").violations == fast.violations


def test_benchmark_runs_at_tiny_n_and_writes_results(tmp_path: Path) -> None:
    """run.py works end to end (figures are its business, not the tests'); on a small register
    so that it takes seconds: on the bundled one it was the suite's slowest test."""
    workspace = small_workspace(tmp_path / "ws")
    results = tmp_path / "RESULTS.md"
    run = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--n", "15", "--data", str(tmp_path / "synth"),
         "--results", str(results), "--repeat", "1", "--skip-pyshacl", "--skip-rdflib"],
        capture_output=True, text=True, check=False, timeout=600, cwd=workspace,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    table = run.stdout
    for row in ("triples", "load", "full validation", "peak RSS", "incremental", "cold start",
                "query `"):  # fmt: skip
        assert row in table, table
    # 14 injected, the failed skos:inScheme check of the wrong Rechtsform nested (sh:detail); the
    # homepage given as text is found by two shapes (website, web page): 16
    assert "injected violations found (manifest) | 16 of 16 listed | | | exact ✓" in table
    text = results.read_text(encoding="utf-8")
    assert "## N = 15 synthetic cooperations" in text and "cores" in text
    triples = re.search(
        r"\| triples \(ontology \+ bundled data \+ synthetic\) \| ([\d,]+) \|", table
    )
    assert triples and int(triples.group(1).replace(",", "")) < 100_000  # the small register
