"""Names folded into comparable tokens: case, umlauts (ä → ae, or → a for "Koln"), ß, accents,
punctuation, joining words ("a. d.", "am"), the register's abbreviations ("St.", "b.",
"i.d.OPf.") and designations in front ("Stadt …").
"""

from __future__ import annotations

import re
import unicodedata

UMLAUT_E = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
)
UMLAUT_PLAIN = str.maketrans(
    {"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U", "ß": "ss", "ẞ": "SS"}
)
# Letters NFKD does not take apart (Sorbian and Polish names in the register).
_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D"})
_WORD = re.compile(r"([A-Za-z0-9]+)(\.?)")

# Words that only join a name to its qualifier: dropped so that "a. d.", "an der", "am", "a."
# and "/" all compare equal ("Frankfurt a. M." = "Frankfurt/Main" = "Frankfurt am Main").
_JOINERS = frozenset({"a", "am", "an", "auf", "d", "der", "dem", "den", "i", "im", "in"})
# Words kept in one spelling: "St." and "Sankt", "b." and "bei", "v." and "vor".
_CANONICAL = {
    "st": "sankt",
    "skt": "sankt",
    "sankt": "sankt",
    "b": "bei",
    "bei": "bei",
    "beim": "bei",
    "v": "vor",
    "vor": "vor",
}
# Where a name's qualifier begins ("Hagen | im Bremischen", "Neukirchen | b.Hl.Blut").
_PREPOSITIONS = frozenset(
    {"a", "am", "an", "auf", "i", "im", "in", "b", "bei", "beim", "v", "vor", "ob", "unter"}
)

# Designations written before a name ("Stadt Münster", "Landeshauptstadt München").
_DESIGNATIONS = frozenset(
    {
        "stadt",
        "gemeinde",
        "ortsgemeinde",
        "einheitsgemeinde",
        "markt",
        "marktgemeinde",
        "marktflecken",
        "flecken",
        "hansestadt",
        "landeshauptstadt",
        "universitaetsstadt",
        "hochschulstadt",
        "wissenschaftsstadt",
        "lutherstadt",
        "kreisstadt",
        "grosse kreisstadt",
        "kreisfreie stadt",
        "kreisangehoerige stadt",
        "kreisangehoerige gemeinde",
        "freie und hansestadt",
        "freie hansestadt",
        "hanse und universitaetsstadt",
        "universitaets und hansestadt",
        "kurort",
        "seebad",
        "ostseebad",
        "nordseebad",
        "ostseeheilbad",
    }
)

Tokens = tuple[str, ...]


def fold(text: str, table: dict[int, str]) -> str:
    text = unicodedata.normalize("NFC", text).translate(table).translate(_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def split_words(text: str, table: dict[int, str]) -> list[tuple[str, bool]]:
    """Lower-case words, each flagged when abbreviated ("Westf.", or "OB" in mixed case)."""
    folded = fold(text, table)
    mixed_case = folded != folded.upper()
    words = []
    for m in _WORD.finditer(folded):
        word, dot = m.group(1), m.group(2)
        caps = mixed_case and word.isalpha() and word.isupper() and len(word) <= 3
        words.append((word.lower(), bool(dot) or caps))
    return words


def _merge_initials(tokens: list[str]) -> Tokens:
    """Join runs of one-letter abbreviations: "O." "L." → "ol." (Oberlausitz)."""
    out: list[str] = []
    run = False
    for tok in tokens:
        initial = len(tok) == 2 and tok.endswith(".")
        if initial and run:
            out[-1] = out[-1][:-1] + tok
        else:
            out.append(tok)
        run = initial
    return tuple(out)


def analyse(text: str, table: dict[int, str] = UMLAUT_E) -> tuple[Tokens, Tokens | None]:
    """The name's tokens, and the tokens before its qualifier ("am Main", "b. Kirn") if any."""
    tokens: list[str] = []
    cut: int | None = None
    words = split_words(text, table)
    for i, (word, abbrev) in enumerate(words):
        if word == "o" and abbrev and i + 1 < len(words) and words[i + 1][0] in ("d", "der"):
            word, abbrev = "ob", False  # "Rothenburg o. d. T." = "Rothenburg ob der Tauber"
        if i > 0 and cut is None and word in _PREPOSITIONS:
            cut = len(tokens)
        if word in _JOINERS:
            continue
        if word in _CANONICAL:
            tokens.append(_CANONICAL[word])
        else:
            tokens.append(word + "." if abbrev else word)
    base = _merge_initials(tokens[:cut]) if cut else None
    return _merge_initials(tokens), base


def tokenize(text: str, table: dict[int, str] = UMLAUT_E) -> Tokens:
    return analyse(text, table)[0]


def joined(tokens: Tokens) -> str:
    return " ".join(t.rstrip(".") for t in tokens)


def compare_key(text: str) -> str:
    """A folded comparison key for short values (Land names, qualifiers)."""
    return " ".join(w for w, _ in split_words(text, UMLAUT_E))


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def compatible(a: str, b: str, *, first: bool = False) -> bool:
    """Equal tokens, or an abbreviation and a word it may shorten ("opf." ~ "oberpfalz").

    A name's first word is only taken as abbreviated with three letters or more ("Hann.").
    """
    if a == b:
        return True
    short_a, short_b = a.endswith("."), b.endswith(".")
    if not (short_a or short_b):
        return False
    a, b = a.rstrip("."), b.rstrip(".")
    if not a or not b or a[0] != b[0] or (first and min(len(a), len(b)) < 3):
        return False
    if short_a and short_b:
        return _is_subsequence(a, b) or _is_subsequence(b, a)
    if short_a:
        return len(a) <= len(b) and _is_subsequence(a, b)
    return len(b) <= len(a) and _is_subsequence(b, a)


def abbreviations_agree(query: Tokens, name: Tokens) -> bool:
    """Fuzzy matching forgives typos in words, not different abbreviations ("o.T." ≠ "O.L.")."""
    if not any(t.endswith(".") for t in query + name):
        return True
    return len(query) == len(name) and all(
        compatible(a, b)
        for a, b in zip(query, name, strict=True)
        if a.endswith(".") or b.endswith(".")
    )


def strip_designation(text: str) -> str:
    """The name without designations in front ("Kreisfreie Stadt Münster" → "Münster")."""
    words = text.split()
    changed = True
    while changed and len(words) > 1:
        changed = False
        for n in (4, 3, 2, 1):
            if n < len(words) and compare_key(" ".join(words[:n])) in _DESIGNATIONS:
                words = words[n:]
                changed = True
                break
    return " ".join(words)
