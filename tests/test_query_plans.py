"""Per-entity saved queries stay per-entity in Oxigraph's plan: on a generated graph, no step
of the evaluation reads anything near every membership of the country.

Row counts come from Oxigraph's own plan with statistics (``oxigraph query --explain-file
… --stats``, the CLI of the same engine as pyoxigraph, which has no explain option), never from
wall time. A query shaped so that Oxigraph hash-joins an OPTIONAL over all memberships (an
OPTIONAL property path, a MINUS) shows a plan node with one row per membership and fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coopgraph import queries, resources
from coopgraph.store.binding import with_values

from .conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

import generate

# queries about one cooperation or one Kommune (with their parameters' examples bound)
PER_ENTITY = (
    "gemeinden-im-gebiet",
    "gremien-einer-kooperation",
    "kontrakte",
    "kooperation-als-schema-org",
    "kooperationen-einer-kommune",
    "mitglieder-einer-kooperation",
    "mitglieder-zum-stichtag",
)
N = 300  # synthetic cooperations; with the bundled Gemeindeverbände ~9,000 memberships


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """An on-disk Oxigraph store (ontology, bundled data, N synthetic cooperations) and the
    number of memberships in it."""
    import pyoxigraph as ox

    from coopgraph.store.oxigraph import OxigraphStore

    base = tmp_path_factory.mktemp("plans")
    generate.generate(N, base / "data", seed=1)
    store = ox.Store(str(base / "db"))
    OxigraphStore(store).load([*resources.ontology_files(), *generate.graph_files(base / "data")])
    count = next(
        iter(
            store.query(
                "SELECT (COUNT(*) AS ?n) { ?m <http://www.w3.org/ns/org#organization> ?k }",
                use_default_graph_as_union=True,
            )
        )
    )
    memberships = int(count["n"].value)
    store.flush()
    del store  # releases the lock for the oxigraph CLI
    return base / "db", memberships


def _plan_rows(node: dict, out: list[tuple[int, str]]) -> list[tuple[int, str]]:  # type: ignore[type-arg]
    out.append((int(node.get("number of results", 0)), node["name"]))
    for child in node.get("children", []):
        _plan_rows(child, out)
    return out


def explain(db: Path, text: str, form: str, tmp: Path) -> list[tuple[int, str]]:
    """Every plan node's row count and name for a query run with statistics."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    (tmp / "q.rq").write_text(text, encoding="utf-8")
    fmt = "csv" if form in ("SELECT", "ASK") else "nt"
    run = subprocess.run(
        [binary, "query", "--location", str(db), "--query-file", str(tmp / "q.rq"),
         "--results-format", fmt, "--results-file", str(tmp / f"out.{fmt}"),
         "--union-default-graph", "--explain-file", str(tmp / "plan.json"), "--stats"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    plan = json.loads((tmp / "plan.json").read_text(encoding="utf-8"))
    return _plan_rows(plan["plan"], [])


@pytest.mark.parametrize("name", PER_ENTITY)
def test_per_entity_query_does_not_read_every_membership(
    name: str, store_dir: tuple[Path, int], tmp_path: Path
) -> None:
    db, memberships = store_dir
    assert memberships > 5000  # the graph is big enough for a scan to show
    saved = queries.catalog()[name]
    params = {p.name: p.example for p in saved.params if p.example is not None}
    text = with_values(saved.text, saved.bindings(params))
    rows = explain(db, text, saved.form, tmp_path)
    assert rows[0][0] > 0, "the example parameters find nothing: the plan shows nothing"
    worst = max(rows)
    assert worst[0] < memberships // 10, (
        f"{name}: a plan step reads {worst[0]} rows ({memberships} memberships): {worst[1]}"
    )


def test_the_check_catches_a_hash_joined_optional_path(
    store_dir: tuple[Path, int], tmp_path: Path
) -> None:
    """The old shape of mitglieder-einer-kooperation (OPTIONAL property paths) fails the check."""
    db, memberships = store_dir
    old = """
    PREFIX org:  <http://www.w3.org/ns/org#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX time: <http://www.w3.org/2006/time#>
    SELECT ?kommune ?beginn ?ende WHERE {
      ?m org:organization ?kooperation ; org:member ?kommune .
      ?kommune rdfs:label ?name .
      OPTIONAL { ?m org:memberDuring/time:hasBeginning/(time:inXSDDate|time:inXSDgYear) ?beginn }
      OPTIONAL { ?m org:memberDuring/time:hasEnd/(time:inXSDDate|time:inXSDgYear) ?ende }
    }"""
    saved = queries.catalog()["mitglieder-einer-kooperation"]
    text = with_values(old, saved.bindings({"kooperation": "staedteregion-ruhr"}))
    assert max(explain(db, text, "SELECT", tmp_path))[0] >= memberships // 10
