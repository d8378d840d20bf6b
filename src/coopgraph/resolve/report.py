"""The answer for a name: the candidate Gemeinden, the status (unique, ambiguous, not found)
and how it is shown, as text in German or English or as JSON.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import printable

UNIQUE = "unique"
AMBIGUOUS = "ambiguous"
NOT_FOUND = "not_found"

EXACT_SCORE = 100.0


@dataclass(frozen=True)
class Candidate:
    """A Gemeinde a name may refer to, with how well the name matched it (score 0..100)."""

    ags: str
    name: str
    official_name: str
    kreis: str
    kreis_key: str
    land: str
    land_key: str
    land_code: str
    iri: str
    score: float

    def as_dict(self) -> dict[str, object]:
        """The fields as a plain dict (for JSON)."""
        return dataclasses.asdict(self)

    def one_line(self) -> str:
        """AGS, name, Kreis and Land on one line (for messages)."""
        return _one_line(self)


@dataclass(frozen=True)
class Resolution:
    """The answer for one name: unique (``match``), ambiguous or not found (``candidates``).

    ``candidates`` holds the match when unique, every candidate when ambiguous and the closest
    names (up to five) when not found.
    """

    query: str
    status: str
    match: Candidate | None
    candidates: tuple[Candidate, ...]

    def as_dict(self) -> dict[str, object]:
        """Query, status, match and candidates as plain data."""
        return {
            "query": self.query,
            "status": self.status,
            "match": self.match.as_dict() if self.match else None,
            "candidates": [c.as_dict() for c in self.candidates],
        }

    def to_json(self) -> str:
        """The resolution as JSON (UTF-8 characters kept as they are)."""
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n"

    def to_text(self, lang: str = "en") -> str:
        """A human-readable account in German (``de``) or English; ends with a newline."""
        de = lang == "de"
        query = printable(self.query)  # a name given on the command line, echoed to a terminal
        if self.status == UNIQUE and self.match is not None:
            return _unique_text(query, self.match, de)
        if self.status == AMBIGUOUS:
            head = (
                f'"{query}" ist mehrdeutig: {len(self.candidates)} Gemeinden kommen in Frage. '
                "Land oder Kreis angeben, um eine zu wählen:"
                if de
                else f'"{query}" is ambiguous: {len(self.candidates)} municipalities match. '
                "Give a Land or Kreis to choose one:"
            )
            return head + "\n" + _table(self.candidates)
        if not self.candidates:
            return (
                f'Keine Gemeinde namens "{query}" gefunden, auch keine ähnlich lautende.\n'
                if de
                else f'No municipality named "{query}", nor any with a similar name.\n'
            )
        head = (
            f'Keine Gemeinde namens "{query}" gefunden. Ähnliche Namen:'
            if de
            else f'No municipality named "{query}". Closest names:'
        )
        return head + "\n" + _table(self.candidates, scores=True)


def _unique_text(query: str, c: Candidate, de: bool) -> str:
    if c.score >= EXACT_SCORE:
        how = "exakt" if de else "exact"
    elif de:
        how = f"ungefähr (Ähnlichkeit {c.score:.0f} von 100)"
    else:
        how = f"approximate (score {c.score:.0f} of 100)"
    rows = [
        ("amtlicher Name" if de else "official name", c.official_name),
        ("Kreis", f"{c.kreis} ({c.kreis_key})"),
        ("Land", f"{c.land} ({c.land_code}, {c.land_key})"),
        ("Treffer" if de else "match", f'{how} für "{query}"' if de else f'{how} for "{query}"'),
    ]
    width = max(len(k) for k, _ in rows) + 1
    lines = [f"{c.name} (AGS {c.ags})"] + [f"  {k + ':':<{width}} {v}" for k, v in rows]
    return "\n".join(lines) + "\n"


def _table(candidates: Sequence[Candidate], *, scores: bool = False) -> str:
    rows = [("AGS", "Name", "Kreis", "Land", "Score" if scores else "")]
    for c in candidates:
        land = f"{c.land} ({c.land_code})"
        rows.append((c.ags, c.name, f"{c.kreis} ({c.kreis_key})", land, f"{c.score:.0f}"))
    widths = [max(len(row[col]) for row in rows) for col in range(4)]
    lines = []
    for row in rows:
        cells = [row[col].ljust(widths[col]) for col in range(4)]
        if scores:
            cells.append(row[4].rjust(5))
        lines.append(("  " + "  ".join(cells)).rstrip())
    return "\n".join(lines) + "\n"


def _one_line(c: Candidate) -> str:
    return f"{c.ags} {c.name} (Kreis {c.kreis_key} {c.kreis}, {c.land})"
