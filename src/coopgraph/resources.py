"""Find the ontology, shapes, vocabularies, queries and bundled data the same way everywhere.

In a checkout the package directory links to the repository's top-level folders; in an
installed wheel they are copied into the package. Either way they are reached through
``importlib.resources``.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path


def _root(name: str) -> Path:
    with as_file(files("coopgraph") / name) as path:
        return Path(path)


def ontology_dir() -> Path:
    return _root("ontology")


def data_dir() -> Path:
    return _root("data")


def queries_dir() -> Path:
    return _root("queries")


def ontology_files() -> list[Path]:
    """The OWL ontology and its SKOS vocabularies (not the shapes)."""
    root = ontology_dir()
    return [root / "coopgraph.ttl", *sorted((root / "vocab").glob("*.ttl"))]


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def data_files() -> list[Path]:
    """Every bundled Turtle data file, in a stable order."""
    return sorted(data_dir().rglob("*.ttl"))


def query_files() -> list[Path]:
    return sorted(queries_dir().glob("*.rq"))


def templates_dir() -> Path:
    """Jinja2 templates of the published site (package data inside ``coopgraph``)."""
    return _root("templates")


def profiles_dir() -> Path:
    """The bundled Steckbrief profiles (``profiles/*.yaml``), one per bundled cooperation."""
    return _root("profiles")


def profile_files() -> list[Path]:
    return sorted(profiles_dir().glob("*.yaml"))


def steckbrief_schema_file() -> Path:
    """The JSON Schema of the Steckbrief (profile) format."""
    return _root("schemas") / "steckbrief.schema.json"
