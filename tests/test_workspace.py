"""The data workspace and its compiled store: commands see the data of the folder they run in,
edits are seen by the next command, and an interrupted build is never used."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from coopgraph import workspace
from coopgraph.store.cache import CompiledStore, compiled

from .conftest import REPO, SEEDS

# cooperations besides the register's Gemeindeverbände
COUNT_KOOPERATIONEN = (
    "PREFIX coop: <https://w3id.org/coopgraph/def#> SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE { "
    "?k a coop:Kooperation FILTER NOT EXISTS { ?k coop:gemeindeverband ?key } }"
)
COUNT_GEMEINDEVERBAENDE = (
    "PREFIX coop: <https://w3id.org/coopgraph/def#> SELECT (COUNT(DISTINCT ?k) AS ?n) WHERE { "
    "?k a coop:Kooperation ; coop:gemeindeverband ?key }"
)
RUHR = REPO / "profiles" / "staedteregion-ruhr.yaml"


@pytest.fixture(scope="module")
def compiled_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data workspace with two cooperations and no register of its own (the bundled one),
    its store compiled once for the module."""
    root = tmp_path_factory.mktemp("template") / "ws"
    (root / "data" / "kooperationen").mkdir(parents=True)
    for slug in ("stadtregion-muenster", "vhs-emsdetten-greven-saerbeck"):
        shutil.copy2(SEEDS / f"{slug}.ttl", root / "data" / "kooperationen")
    assert CompiledStore(workspace.at(root)).update().rebuilt
    return root


@pytest.fixture
def ws(compiled_ws: Path, tmp_path: Path) -> Path:
    """A copy of that workspace for one test (file times kept, so its store is up to date)."""
    root = tmp_path / "ws"
    shutil.copytree(compiled_ws, root, copy_function=_link_or_copy)
    return root


def _link_or_copy(src: str, dst: str) -> None:
    """RocksDB never changes a table file (.sst) once written: link those, copy the rest."""
    if src.endswith(".sst"):
        os.link(src, dst)
    else:
        shutil.copy2(src, dst)


@pytest.fixture
def chdir(monkeypatch: pytest.MonkeyPatch):
    def go(path: Path) -> None:
        monkeypatch.chdir(path)

    return go


def _count(cli, query: str = COUNT_KOOPERATIONEN) -> int:
    run = cli("sparql", query, "--format", "csv")
    assert run.code == 0, run.err
    return int(run.out.splitlines()[1])


def test_commands_use_the_workspace_they_run_in(cli, ws: Path, chdir, tmp_path: Path) -> None:
    chdir(ws / "data" / "kooperationen")  # any folder below the workspace
    run = cli("info", "--format", "json")
    assert run.code == 0, run.err
    info = json.loads(run.out)
    assert info["workspace"] == str(ws)
    assert "kommunen" in info["register"] and info["triples"] > 100_000  # the bundled register
    assert _count(cli) == 2
    assert info["kooperationen"] == 2 + _count(cli, COUNT_GEMEINDEVERBAENDE)
    empty = tmp_path / "empty"
    empty.mkdir()
    chdir(empty)
    info = json.loads(cli("info", "--format", "json").out)
    assert info["workspace"] == "bundled snapshot" and info["kooperationen"] > 40


def test_data_option_and_environment_name_the_workspace(cli, ws: Path, chdir, tmp_path: Path,
                                                        monkeypatch) -> None:  # fmt: skip
    chdir(tmp_path)
    info = json.loads(cli("info", "--data", str(ws), "--format", "json").out)
    assert info["workspace"] == str(ws)
    # the data folder itself names its workspace too
    run = cli("info", "--data", str(ws / "data"), "--format", "json")
    assert json.loads(run.out)["data"] == str(ws / "data")
    monkeypatch.setenv("COOPGRAPH_DATA", str(ws))
    assert _count(cli) == 2
    run = cli("info", "--data", str(tmp_path / "nowhere"))
    assert run.code == 2 and run.err.count("\n") == 1 and "no such data folder" in run.err


def test_an_import_is_seen_by_the_next_commands(cli, ws: Path, chdir) -> None:
    chdir(ws)
    assert _count(cli) == 2
    run = cli("import", str(RUHR))
    assert run.code == 0, run.err
    assert (ws / "data" / "kooperationen" / "staedteregion-ruhr.ttl").is_file()
    assert _count(cli) == 3
    run = cli("query", "mitglieder-zum-stichtag", "-p", "kooperation=staedteregion-ruhr",
              "-p", "stichtag=2008-06-01", "--format", "csv")  # fmt: skip
    assert run.code == 0 and len(run.out.splitlines()) == 1 + 11
    run = cli("validate")
    assert run.code == 0 and "conforms" in run.out
    run = cli("export", "staedteregion-ruhr")
    assert run.code == 0 and "slug: staedteregion-ruhr" in run.out
    # a file removed by hand is gone for the next command as well
    (ws / "data" / "kooperationen" / "staedteregion-ruhr.ttl").unlink()
    assert _count(cli) == 2


def test_only_changed_files_are_reloaded(ws: Path) -> None:
    cs = CompiledStore(workspace.at(ws))
    assert cs.update().loaded == []  # the copy is up to date: nothing to load
    target = ws / "data" / "kooperationen" / "stadtregion-muenster.ttl"
    os.utime(target, ns=(1, 1))  # touched, same content: nothing to load
    assert cs.update().loaded == []
    target.write_text(target.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert cs.update().loaded == ["data/kooperationen/stadtregion-muenster.ttl"]


def test_a_syntax_error_names_the_file_and_changes_nothing(cli, ws: Path, chdir) -> None:
    chdir(ws)
    assert _count(cli) == 2
    broken = ws / "data" / "kooperationen" / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    run = cli("sparql", COUNT_KOOPERATIONEN)
    assert run.code == 2 and "broken.ttl:2:" in run.err and "Traceback" not in run.err
    broken.unlink()
    assert _count(cli) == 2


def test_an_interrupted_build_is_never_used_and_is_redone(ws: Path) -> None:
    """What a build killed half-way leaves: the manifest marked incomplete without the entry
    of the file being loaded, and that file's graph holding part of its triples."""
    ws_ = workspace.at(ws)
    cs = CompiledStore(ws_)
    cs.update()
    name = "data/kooperationen/stadtregion-muenster.ttl"
    raw = json.loads(cs.manifest_path.read_text(encoding="utf-8"))
    del raw["files"][name]
    raw["complete"] = False
    cs.manifest_path.write_text(json.dumps(raw), encoding="utf-8")
    store = ox.Store(str(cs.location))
    graph = ox.NamedNode(f"https://w3id.org/coopgraph/graph/{name}")
    half = list(store.quads_for_pattern(None, None, None, graph))[:10]
    store.remove_graph(graph)
    store.extend(half)
    store.extend([ox.Quad(ox.NamedNode("http://example.org/junk"), ox.NamedNode(
        "http://example.org/p"), ox.Literal("half-written"), graph)])  # fmt: skip
    store.flush()
    del store
    assert not cs.is_current()
    update = cs.update()
    assert update.loaded == [name] and not update.rebuilt
    opened = compiled(ws_)
    assert not list(opened.quads_for_pattern(ox.NamedNode("http://example.org/junk"), None, None))
    assert len(list(opened.quads_for_pattern(None, None, None, graph))) > len(half)


def test_a_new_engine_or_layout_rebuilds_the_store(ws: Path) -> None:
    cs = CompiledStore(workspace.at(ws))
    cs.update()
    raw = json.loads(cs.manifest_path.read_text(encoding="utf-8"))
    raw["format"] = "0/an-older-engine"
    cs.manifest_path.write_text(json.dumps(raw), encoding="utf-8")
    assert cs.update().rebuilt


def test_import_of_a_folder_prints_a_summary(cli, ws: Path, chdir, tmp_path: Path) -> None:
    chdir(ws)
    folder = tmp_path / "profiles"
    folder.mkdir()
    shutil.copy(RUHR, folder)
    shutil.copy(REPO / "profiles" / "_template.yaml", folder)  # skipped
    bad = (REPO / "profiles" / "stadtregion-muenster.yaml").read_text(encoding="utf-8")
    (folder / "zz-broken.yaml").write_text(bad.replace("name: Altenberge", "name: Altenbergxyz"),
                                           encoding="utf-8")  # fmt: skip
    run = cli("import", str(folder))
    assert run.code == 2
    lines = run.out.splitlines()
    assert any(line.startswith("staedteregion-ruhr.yaml") and "written" in line for line in lines)
    assert any(line.startswith("zz-broken.yaml") and "refused" in line for line in lines)
    assert not any("_template" in line for line in lines)
    assert lines[-1] == "1 refused, 1 written"
    run = cli("import", str(folder), "--lang", "de")
    assert "unverändert" in run.out and run.out.splitlines()[-1] == "1 abgelehnt, 1 unverändert"


def test_import_outside_a_workspace_writes_nothing(cli, chdir, tmp_path: Path) -> None:
    chdir(tmp_path)
    run = cli("import", str(RUHR))
    assert run.code == 2 and "not in a workspace" in run.err
    assert list(tmp_path.iterdir()) == []


def test_export_does_not_overwrite_without_force(cli, ws: Path, chdir, tmp_path: Path) -> None:
    chdir(ws)
    out = tmp_path / "muenster.yaml"
    out.write_text("# my notes\n", encoding="utf-8")
    run = cli("export", "stadtregion-muenster", "--out", str(out))
    assert run.code == 2 and "--force" in run.err
    assert out.read_text(encoding="utf-8") == "# my notes\n"
    run = cli("export", "stadtregion-muenster", "--out", str(out), "--force")
    assert run.code == 0 and "slug: stadtregion-muenster" in out.read_text(encoding="utf-8")


def test_short_forms_of_iri_parameters(cli) -> None:
    by_slug = cli("query", "mitglieder-einer-kooperation", "-p", "kooperation=stadtregion-muenster",
                  "--format", "csv")  # fmt: skip
    by_iri = cli("query", "mitglieder-einer-kooperation", "-p",
                 "kooperation=https://w3id.org/coopgraph/id/kooperation/stadtregion-muenster",
                 "--format", "csv")  # fmt: skip
    assert by_slug.code == 0 and by_slug.out == by_iri.out and by_slug.out.count("\n") == 13
    by_ags = cli("query", "kooperationen-einer-kommune", "-p", "ags=05515000", "--format", "csv")
    assert by_ags.code == 0 and "stadtregion-muenster" in by_ags.out
    concept = cli("query", "kooperationen-nach-rechtsform", "-p", "rechtsform=zweckverband",
                  "--format", "csv")  # fmt: skip
    assert concept.code == 0 and "vocab/rechtsform/zweckverband" in concept.out


def test_resolve_accepts_an_ags(cli) -> None:
    run = cli("resolve", "05515000", "--format", "json")
    assert run.code == 0 and json.loads(run.out)["match"]["name"] == "Münster"
    run = cli("resolve", "05515999")
    assert run.code == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["validate", "x.ttl", "--store", "http://127.0.0.1:1/query"], "--store"),
        (["validate", "x.ttl", "--engine=pyshacl", "--store=oxigraph:/nonexistent"], "--store"),
        (["validate", "--store", "oxigraph:/nonexistent"], "no store here yet"),
    ],
)
def test_a_store_a_command_cannot_use_is_refused(cli, args: list[str], fragment: str) -> None:
    run = cli(*args)
    assert run.code == 2 and run.err.count("\n") == 1 and fragment in run.err


def test_validate_a_loaded_store_in_place_names_the_files(cli, ws: Path, chdir,
                                                          tmp_path: Path) -> None:  # fmt: skip
    chdir(ws)
    store = tmp_path / "store"
    assert cli("load", "--store", f"oxigraph:{store}").code == 0
    run = cli("validate", "--store", f"oxigraph:{store}", "--format", "json")
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["conforms"] and "data/kooperationen/stadtregion-muenster.ttl" in report["files"]
