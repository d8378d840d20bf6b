"""Resolve a municipality name as written in the wild to its AGS, official name, Kreis and Land.

Names are compared token by token after folding case, umlauts (ä → ae), ß (→ ss), punctuation,
the register's abbreviations ("a.d.", "St.", "b.", "i.d.OPf.") and designations ("Stadt …",
"…, Hansestadt") — :mod:`.normalise`. Exact matches win; only when there is none, a fuzzy match
is accepted if it is close (``FUZZY_ACCEPT``) and clearly ahead of the next (``FUZZY_MARGIN``)
— :mod:`.match`. A name that several Gemeinden bear is reported as ambiguous with every
candidate, never guessed — :mod:`.report`.

The index is built once per process from the bundled Turtle (``data/kommunen``) and cached in
the workspace — :mod:`.index`.
"""

from .match import (
    FUZZY_ACCEPT,
    FUZZY_MARGIN,
    KreisMatch,
    LandMatch,
    gemeinde_by_ags,
    kreis_by_key,
    laender,
    land_codes,
    resolve,
    resolve_kreis,
    resolve_land,
    resolve_unique,
)
from .report import AMBIGUOUS, EXACT_SCORE, NOT_FOUND, UNIQUE, Candidate, Resolution

__all__ = [
    "AMBIGUOUS",
    "EXACT_SCORE",
    "FUZZY_ACCEPT",
    "FUZZY_MARGIN",
    "NOT_FOUND",
    "UNIQUE",
    "Candidate",
    "KreisMatch",
    "LandMatch",
    "Resolution",
    "gemeinde_by_ags",
    "kreis_by_key",
    "laender",
    "land_codes",
    "resolve",
    "resolve_kreis",
    "resolve_land",
    "resolve_unique",
]
