"""The Steckbrief: a readable YAML profile of one Kooperation, to checked Turtle and back.

``load`` reads the YAML keeping every node's line and checks it against the published JSON
Schema (``schemas/steckbrief.schema.json``) — :mod:`.document`. ``build`` resolves each
municipality name with the register's name resolution and each controlled value against the
SKOS schemes in ``ontology/vocab`` (:mod:`.vocab`), and turns the profile into the cooperation's
graph, modelled like the hand-written seed files, which ``Built.to_turtle`` writes as
deterministic Turtle — :mod:`.build`. ``export`` is the way back: a cooperation's graph as a
profile, so that importing the export gives the same graph — :mod:`.export`. ``import_profile``
is ``coopgraph import``: build, validate, write only what conforms — :mod:`.importer`.
"""

from .build import Built, Ref, build, build_file, refused_host
from .document import Document, Problem, ProfileInvalid, check_schema, load, read_yaml, schema
from .export import dump_yaml, export, export_file, find_cooperation
from .importer import ImportResult, import_profile, same_members
from .vocab import Concept, concepts, slugify

__all__ = [
    "Built",
    "Concept",
    "Document",
    "ImportResult",
    "Problem",
    "ProfileInvalid",
    "Ref",
    "build",
    "build_file",
    "check_schema",
    "concepts",
    "dump_yaml",
    "export",
    "export_file",
    "find_cooperation",
    "import_profile",
    "load",
    "read_yaml",
    "refused_host",
    "same_members",
    "schema",
    "slugify",
]
