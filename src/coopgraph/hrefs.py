"""Which IRIs may become links in HTML: only http, https and mailto (and relative paths of the
site itself). A ``javascript:`` or ``data:`` IRI in the data or in a query result would run in
the reader's browser when clicked, so it is shown as text, never as an href."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def safe_href(value: object) -> str:
    """``value`` as an href if it is safe to link, else "" (a Jinja filter: ``|safe_href``).

    The scheme is read as browsers do: after leading blanks and control characters and without
    tabs or newlines inside it (``java\\tscript:`` is ``javascript:``)."""
    if value is None:
        return ""
    return _safe(str(value))


@lru_cache(maxsize=1 << 16)  # a site links the same IRIs and paths from many pages
def _safe(text: str) -> str:
    cleaned = "".join(c for c in text if c not in "\t\n\r").lstrip("".join(map(chr, range(33))))
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return ""
    if scheme and scheme not in LINK_SCHEMES:
        return ""
    if not scheme and ":" in cleaned.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        return ""  # something like "1x:…" that a browser might still read as a scheme
    return text


__all__ = ["LINK_SCHEMES", "safe_href"]
