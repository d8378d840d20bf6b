"""Sources: the kept list of refused hosts is applied by the importer and holds for the data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS

from coopgraph import profile
from coopgraph.workspace import package_dir

from .conftest import REPO, SEEDS

REFUSED = json.loads(package_dir("schemas").joinpath(
    "refused-source-hosts.json").read_text(encoding="utf-8"))["hosts"]  # fmt: skip


def test_every_refused_host_says_why() -> None:
    assert len(REFUSED) > 10
    for entry in REFUSED:
        assert entry["kind"] in ("mirror", "proxy", "spam", "forum") and len(entry["why"]) > 10


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("https://docslib.org/doc/123/satzung", "docslib.org"),
        ("https://www-example-de.translate.goog/x", "translate.goog"),
        ("https://de.wiki.li/Regionalverband", "wiki.li"),
        ("https://www.docslib.org/x", "docslib.org"),
        ("https://www.kreis-coesfeld.de/x", None),
        ("https://notdocslib.org/x", None),
    ],
)
def test_a_host_and_its_subdomains_are_refused(url: str, refused: str | None) -> None:
    found = profile.refused_host(url)
    assert (found[0] if found else None) == refused


def test_no_bundled_cooperation_cites_a_refused_host() -> None:
    cited = []
    for path in sorted(SEEDS.glob("*.ttl")):
        g = Graph().parse(path)
        for source in set(g.objects(None, DCTERMS.source)):
            if profile.refused_host(str(source)):
                cited.append(f"{path.name}: {source}")
    assert cited == []


def test_the_importer_refuses_a_refused_source(cli, tmp_path: Path) -> None:
    text = (REPO / "profiles" / "stadtregion-muenster.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "x.yaml"
    bad.write_text(text.replace("url: https://www.havixbeck.de/", "url: https://docslib.org/", 1),
                   encoding="utf-8")  # fmt: skip
    run = cli("validate", str(bad), "--lang", "de")
    assert run.code == 2
    assert "docslib.org wird als Quelle nicht angenommen" in run.err and "Traceback" not in run.err


def test_the_coverage_in_data_readme_is_up_to_date() -> None:
    """data/README.md shows the coverage the data has (scripts/coverage.py writes it)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(REPO / "scripts" / "coverage.py"), "--check"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
