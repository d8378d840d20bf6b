"""HTTP to a remote store: credentials, timeouts and one-line errors.

Credentials come from the environment — ``COOPGRAPH_TOKEN`` (a bearer token) or
``COOPGRAPH_USER`` and ``COOPGRAPH_PASSWORD`` (HTTP Basic) — or else from the netrc entry for
the endpoint's host (``$NETRC``, else ``~/.netrc``); never from the command line, and no message
made here contains them. A URL with ``user:password@`` in it is refused.
"""

from __future__ import annotations

import base64
import netrc
import os
import re
import socket
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from ..errors import InputError, StoreError

DEFAULT_TIMEOUT_S = 120.0
ENV_USER, ENV_PASSWORD, ENV_TOKEN = "COOPGRAPH_USER", "COOPGRAPH_PASSWORD", "COOPGRAPH_TOKEN"
ENV_TIMEOUT = "COOPGRAPH_TIMEOUT"
MESSAGE_CHARS = 300


@dataclass(frozen=True)
class Credentials:
    """User and password (HTTP Basic) or a bearer token; never shown by ``repr``."""

    user: str = ""
    password: str = field(default="", repr=False)
    token: str = field(default="", repr=False)

    def header(self) -> str:
        """The value of the ``Authorization`` header."""
        if self.token:
            return f"Bearer {self.token}"
        pair = f"{self.user}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")

    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.token) if s]


def check_url(url: str) -> str:
    """An http(s) URL with a host and without credentials in it."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        # do not echo the URL: it holds a secret
        raise InputError(
            f"credentials do not belong in the URL; set {ENV_USER}/{ENV_PASSWORD} or "
            f"{ENV_TOKEN}, or use a netrc file",
            field="--store",
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"not an http(s) URL: {url!r}", field="--store")
    return url


def credentials_for(url: str) -> Credentials | None:
    """Credentials for the host of ``url``: environment first, then the netrc file."""
    token = os.environ.get(ENV_TOKEN, "")
    if token:
        return Credentials(token=token)
    user, password = os.environ.get(ENV_USER, ""), os.environ.get(ENV_PASSWORD, "")
    if user or password:
        if not (user and password):
            raise InputError(f"set both {ENV_USER} and {ENV_PASSWORD}, or neither")
        return Credentials(user=user, password=password)
    return _from_netrc(urlsplit(url).hostname or "")


def _from_netrc(host: str) -> Credentials | None:
    explicit = os.environ.get("NETRC")
    path = Path(explicit) if explicit else Path.home() / ".netrc"
    if not path.is_file():
        if explicit:
            raise InputError("no such netrc file ($NETRC)", file=path)
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except netrc.NetrcParseError as exc:
        # the parser's message may quote a token of the file, which may be a password
        raise InputError("malformed netrc file", file=path, line=exc.lineno) from None
    except OSError as exc:
        raise InputError(f"cannot read netrc file: {exc.strerror}", file=path) from None
    if entry is None:
        return None
    login, _account, password = entry
    return Credentials(user=login or "", password=password or "")


def timeout_from_env() -> float | None:
    """``$COOPGRAPH_TIMEOUT`` in seconds, if set."""
    raw = os.environ.get(ENV_TIMEOUT)
    return None if raw is None or not raw.strip() else seconds(raw, ENV_TIMEOUT)


def seconds(raw: str, field_name: str = "--timeout") -> float:
    """A positive number of seconds."""
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise InputError(f"expected a positive number of seconds, got {raw!r}", field=field_name)
    return value


def server_message(body: bytes | str, secrets: list[str] | None = None) -> str:
    """A server's error body as one short line, with any secret blanked out."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = re.sub(r"<[^>]{1,200}>", " ", text) if "<html" in text.lower() else text
    text = " ".join(text.split())
    for secret in secrets or ():
        text = text.replace(secret, "***")
    return text[:MESSAGE_CHARS] + ("…" if len(text) > MESSAGE_CHARS else "")


def _is_timeout(exc: BaseException) -> bool:
    reason = exc.reason if isinstance(exc, URLError) else exc
    return isinstance(reason, (TimeoutError, socket.timeout)) or "timed out" in str(reason)


def store_error(
    exc: BaseException, url: str, timeout: float, secrets: list[str] | None = None
) -> StoreError:
    """One readable line for what went wrong talking to ``url``."""
    if isinstance(exc, HTTPError):
        try:
            body = exc.read()
        except OSError:
            body = b""
        message = server_message(body, secrets) or exc.reason
        return StoreError(f"{url} answered HTTP {exc.code}: {message}")
    if _is_timeout(exc):
        return StoreError(
            f"{url} did not answer within {timeout:g} s (raise --timeout or ${ENV_TIMEOUT})"
        )
    reason = exc.reason if isinstance(exc, URLError) else exc
    detail = getattr(reason, "strerror", None) or str(reason)
    return StoreError(f"cannot reach {url}: {server_message(detail, secrets)}")


@dataclass(frozen=True)
class Response:
    body: bytes
    content_type: str


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    content_type: str | None = None,
    accept: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    credentials: Credentials | None = None,
    shown_url: str | None = None,
    missing_ok: bool = False,
) -> Response | None:
    """Send one request; any failure is a ``StoreError`` (``None`` for 404 with ``missing_ok``)."""
    headers = {"Content-Type": content_type} if content_type else {}
    if accept:
        headers["Accept"] = accept
    if credentials is not None:
        headers["Authorization"] = credentials.header()
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            kind = response.headers.get_content_type() or ""
            return Response(bytes(response.read()), kind)
    except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
        if missing_ok and isinstance(exc, HTTPError) and exc.code == 404:
            return None
        secrets = credentials.secrets() if credentials else []
        raise store_error(exc, shown_url or url, timeout, secrets) from None
