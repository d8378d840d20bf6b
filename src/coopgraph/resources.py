"""Find the ontology, shapes, vocabularies, queries and data the same way everywhere.

The ontology, data, queries and profiles come from the workspace a command works on
(``coopgraph.workspace``: the nearest data tree at or above the working directory, ``--data``,
or the snapshot bundled with the package). Templates and the profile schema are always the
package's own. In a checkout the package directory links to the repository's top-level
folders; in an installed wheel they are copied into the package; either way they are reached
through ``importlib.resources``.
"""

from __future__ import annotations

from pathlib import Path

from .workspace import current, package_dir


def ontology_dir() -> Path:
    return current().ontology


def data_dir() -> Path:
    return current().data


def queries_dir() -> Path:
    return current().queries


def ontology_files() -> list[Path]:
    """The OWL ontology and its SKOS vocabularies (not the shapes)."""
    return current().ontology_files()


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def data_files() -> list[Path]:
    """Every Turtle data file of the workspace (with the register it uses), in a stable order."""
    return current().data_files()


def query_files() -> list[Path]:
    return sorted(queries_dir().glob("*.rq"))


def templates_dir() -> Path:
    """Jinja2 templates of the published site (package data inside ``coopgraph``)."""
    return package_dir("templates")


def profiles_dir() -> Path:
    """The workspace's Steckbrief profiles (``profiles/*.yaml``), one per cooperation."""
    return current().profiles


def profile_files() -> list[Path]:
    """The profiles, without templates and drafts (names starting with ``_``)."""
    return sorted(p for p in profiles_dir().glob("*.yaml") if not p.name.startswith("_"))


def steckbrief_schema_file() -> Path:
    """The JSON Schema of the Steckbrief (profile) format."""
    return package_dir("schemas") / "steckbrief.schema.json"
