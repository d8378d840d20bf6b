"""coopgraph: the knowledge graph of inter-municipal cooperation in Germany.

The library API the ``coopgraph`` command is built on::

    import coopgraph
    report = coopgraph.validate()            # bundled data, or validate(["my.ttl"])
    graph = coopgraph.load().graph           # an rdflib Graph of ontology + data

The names below are imported on first use (PEP 562), so ``import coopgraph`` and the light
commands (``coopgraph --help``, ``coopgraph query --list``) never load rdflib or pySHACL.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .errors import CoopgraphError, InputError, NoUniqueAnswer, RdfSyntaxError

if TYPE_CHECKING:
    from .store.loaded import load
    from .validate import ValidationReport, Violation, validate

    __version__: str

_LAZY = {
    "load": ".store.loaded",
    "validate": ".validate",
    "ValidationReport": ".validate",
    "Violation": ".validate",
}


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value: Any = version("coopgraph")
        except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
            value = "0+unknown"
    elif name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


class _Package(ModuleType):
    """``coopgraph.validate`` stays the function when the submodule of the same name is
    imported (the import system sets the submodule as the package's attribute)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "validate" and isinstance(value, ModuleType):
            value = value.validate
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

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
