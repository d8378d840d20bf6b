"""An installed wheel (not an editable checkout) still finds ontology, shapes, queries and data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from coopgraph import resources

from .conftest import REPO

PROBE = """
import json, coopgraph
from coopgraph import resources
files = [str(p) for p in resources.ontology_files()] + [str(resources.shapes_file())]
print(json.dumps({
    "module": coopgraph.__file__,
    "ontology": all(__import__("pathlib").Path(f).is_file() for f in files),
    "data": [p.relative_to(resources.data_dir()).as_posix() for p in resources.data_files()],
    "queries": [p.name for p in resources.query_files()],
    "profiles": [p.name for p in resources.profile_files()],
    "schema": resources.steckbrief_schema_file().is_file(),
}))
"""


def test_wheel_install_finds_ontology_shapes_queries_and_data(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(wheels), str(REPO)],
        check=True, capture_output=True,
    )  # fmt: skip
    wheel = next(wheels.glob("coopgraph-*.whl"))
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, env=env, check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    found = json.loads(probe.stdout)
    assert Path(found["module"]).is_relative_to(site)
    assert found["ontology"] is True
    expected = [p.relative_to(resources.data_dir()).as_posix() for p in resources.data_files()]
    assert found["data"] == expected
    assert found["queries"] == [p.name for p in resources.query_files()]
    assert found["profiles"] == [p.name for p in resources.profile_files()]
    assert found["schema"] is True

    seeds = [str(REPO / "data" / "kooperationen" / n)
             for n in ("staedteregion-ruhr.ttl", "stadtregion-muenster.ttl")]  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-m", "coopgraph", "validate", *seeds], cwd=tmp_path, env=env,
        capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "conforms" in run.stdout

    # coopgraph publish: its templates (package data) reach the wheel
    out = tmp_path / "published"
    run = subprocess.run(
        [sys.executable, "-m", "coopgraph", "publish", str(out), *seeds], cwd=tmp_path, env=env,
        capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert (out / "style.css").is_file() and (out / ".htaccess").is_file()
    assert "Städteregion Ruhr" in (out / "index.html").read_text(encoding="utf-8")
