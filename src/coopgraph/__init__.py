"""coopgraph: the knowledge graph of inter-municipal cooperation in Germany.

The library API the ``coopgraph`` command is built on::

    import coopgraph
    report = coopgraph.validate()            # bundled data, or validate(["my.ttl"])
    graph = coopgraph.load().graph           # an rdflib Graph of ontology + data
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import CoopgraphError, InputError, NoUniqueAnswer, RdfSyntaxError
from .loader import load
from .validate import ValidationReport, Violation, validate

try:
    __version__ = version("coopgraph")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0+unknown"

__all__ = [
    "CoopgraphError",
    "InputError",
    "NoUniqueAnswer",
    "RdfSyntaxError",
    "ValidationReport",
    "Violation",
    "__version__",
    "load",
    "validate",
]
