"""One small exception hierarchy; the CLI turns each into one readable line and an exit code."""

from __future__ import annotations

from pathlib import Path


class CoopgraphError(Exception):
    """Base error: bad input or environment (exit 2). Carries file, line and field where known."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


def printable(text: str) -> str:
    """``text`` with control characters (ANSI escape sequences, bells …) written as ``\\x1b``
    escapes, so that input echoed to a terminal cannot drive it; newlines and tabs are kept."""
    return "".join(
        c if c.isprintable() or c in "\n\t" else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


class InputError(CoopgraphError):
    """Unreadable or malformed input: a file, a parameter, an option value."""


class RdfSyntaxError(InputError):
    """An RDF or SPARQL document that does not parse."""


class StoreError(CoopgraphError):
    """A store or endpoint that cannot be reached or refuses a request."""


class NoUniqueAnswer(CoopgraphError):
    """A question with no answer or several (e.g. an ambiguous name): exit 1, not an input error."""

    exit_code = 1


class UnsupportedShapeError(CoopgraphError):
    """A SHACL construct the fast engine does not compile (validation falls back to pySHACL)."""
