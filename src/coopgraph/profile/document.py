"""A profile as a document: its YAML read with every node's line, checked against the
published JSON Schema; the problems found, each with its line and key path.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from .. import resources
from ..errors import CoopgraphError, InputError

Path_ = tuple[str | int, ...]


# ============================================================================ errors


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a profile, with its line and the key path (``members[3].since``)."""

    line: int | None
    field: str
    message: str
    message_de: str | None = None

    def render(self, file: str, lang: str = "en") -> str:
        text = self.message_de if lang == "de" and self.message_de else self.message
        return str(CoopgraphError(text, file=file, line=self.line, field=self.field))


class ProfileInvalid(InputError):
    """A profile with one or more problems (exit 2); each is reported on a line of its own."""

    def __init__(self, file: str | Path, problems: Sequence[Problem]) -> None:
        first = problems[0]
        super().__init__(first.message, file=file, line=first.line, field=first.field)
        self.problems = tuple(problems)

    def lines(self, lang: str = "en") -> list[str]:
        return [p.render(self.file or "", lang) for p in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _dotted(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# ============================================================================ YAML with lines

_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"


@dataclass
class Document:
    """A parsed profile: plain data (dicts, lists, str, int, float, bool, None) and lines."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of the node at ``path``, or of its nearest ancestor that exists."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get(())

    def problem(self, path: Sequence[str | int], message: str, de: str | None = None) -> Problem:
        return Problem(self.line(path), _dotted(path), message, de)


def _scalar(node: yaml.ScalarNode) -> Any:
    """A scalar's value. Dates stay text (so a bad date is our error, not the parser's), a
    number with a leading zero (an AGS) stays text, and only true/false are booleans."""
    value = node.value
    if node.style or node.tag == _STR:
        return value
    if node.tag == _NULL:
        return None
    if node.tag == _BOOL:
        low = value.lower()
        return {"true": True, "false": False}.get(low, value)
    if node.tag == _INT:
        digits = value.lstrip("+-")
        if len(digits) > 1 and digits.startswith("0") and digits.isdigit():
            return value
        try:
            return int(value.replace("_", ""), 10)
        except ValueError:
            return value
    if node.tag == _FLOAT:
        try:
            return float(value.replace("_", ""))
        except ValueError:
            return value
    return value  # timestamps and anything else: the text as written


def _convert(node: yaml.Node, path: Path_, doc: Document, problems: list[Problem]) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(key_node.start_mark.line + 1, _dotted(path),
                                        "keys must be plain words"))  # fmt: skip
                continue
            key = str(key_node.value)
            if key in out:
                problems.append(Problem(key_node.start_mark.line + 1, _dotted((*path, key)),
                                        "key given twice"))  # fmt: skip
                continue
            key_path = (*path, key)
            out[key] = _convert(value_node, key_path, doc, problems)
            doc.lines[key_path] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), doc, problems) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    return _scalar(node)


MAX_PROFILE_BYTES = 1024 * 1024  # a profile is a few KB
MAX_ALIASES = 100


class _AliasRefused(yaml.YAMLError):
    def __init__(self, message: str, mark: yaml.Mark) -> None:
        super().__init__(message)
        self.message, self.line = message, mark.line + 1


class _Loader(yaml.SafeLoader):
    """The safe loader, refusing what only serves to blow a small file up in memory (a
    "billion laughs"): an alias of a mapping or list, and more than MAX_ALIASES aliases."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            self.aliases += 1
            target = self.anchors.get(event.anchor)
            if isinstance(target, yaml.CollectionNode):
                raise _AliasRefused(
                    f"the alias *{event.anchor} repeats a mapping or list; write it out instead",
                    event.start_mark,
                )
            if self.aliases > MAX_ALIASES:
                raise _AliasRefused(f"more than {MAX_ALIASES} aliases", event.start_mark)
        return super().compose_node(parent, index)


def _read_profile_text(path: Path) -> str:
    """The text of a profile file: a regular file (not a FIFO or device, which could block or
    never end) of at most MAX_PROFILE_BYTES."""
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise InputError("no such file", file=path) from exc
    except OSError as exc:  # e.g. a symlink loop
        raise InputError(f"cannot read: {exc.strerror or exc}", file=path) from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file", file=path)
    if info.st_size > MAX_PROFILE_BYTES:
        raise InputError(
            f"too large for a profile: {info.st_size:,} bytes (at most {MAX_PROFILE_BYTES:,})",
            file=path,
        )
    try:
        with path.open("rb") as f:
            data = f.read(MAX_PROFILE_BYTES + 1)
        if len(data) > MAX_PROFILE_BYTES:
            raise InputError(f"too large for a profile (at most {MAX_PROFILE_BYTES:,} bytes)",
                             file=path)  # fmt: skip
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read: {exc}", file=path) from exc


def read_yaml(path: Path) -> Document:
    """Parse a profile's YAML; a syntax error names the file and line."""
    text = _read_profile_text(path)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except _AliasRefused as exc:
        raise InputError(f"YAML not accepted: {exc.message}", file=path, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        if exc.context_mark and mark and exc.context_mark.line != mark.line:
            what += f" (what is unfinished began on line {exc.context_mark.line + 1})"
        raise InputError(
            f"YAML syntax error: {what}", file=path, line=mark.line + 1 if mark else None
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", file=path) from exc
    except RecursionError:  # thousands of nested [ or {
        raise InputError("YAML nested too deeply", file=path) from None
    doc = Document(str(path), None)
    if node is None:
        raise InputError("the profile is empty", file=path)
    problems: list[Problem] = []
    doc.data = _convert(node, (), doc, problems)
    if problems:
        raise ProfileInvalid(path, problems)
    return doc


# ============================================================================ JSON Schema


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The published JSON Schema of the profile format."""
    with resources.steckbrief_schema_file().open(encoding="utf-8") as f:
        loaded: dict[str, Any] = json.load(f)
    return loaded


def _schema_message(error: ValidationError) -> str:
    if error.context:
        deepest = best_match(error.context)
        if deepest is not None and deepest.validator not in ("type", "anyOf", "oneOf"):
            return _schema_message(deepest)
    described = error.schema.get("description") if isinstance(error.schema, dict) else None
    if error.validator == "additionalProperties" and isinstance(error.schema, dict):
        allowed = ", ".join(error.schema.get("properties", {}))
        return f"{error.message}; allowed keys: {allowed}"
    if error.validator == "required":
        return error.message.replace("is a required property", "is required but missing")
    if error.validator in ("pattern", "anyOf", "oneOf", "type") and described:
        return f"{error.instance!r} is not valid here: expected {described}"
    return error.message


def check_schema(doc: Document) -> list[Problem]:
    """Every place the document breaks the JSON Schema."""
    validator = Draft202012Validator(schema())
    problems = []
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: [str(p) for p in e.path]):
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            extra = [k for k in error.instance if k not in known]
            path += extra[:1]  # the line of the unexpected key, not of its mapping
        problems.append(doc.problem(path, _schema_message(error)))
    problems.sort(key=lambda p: (p.line or 0, p.field))
    return problems


def load(path: str | Path) -> Document:
    """Read a profile and check it against the JSON Schema (ProfileInvalid lists every problem)."""
    doc = read_yaml(Path(path))
    if not isinstance(doc.data, dict):
        raise InputError("a profile is a mapping of keys (slug:, name:, members: …)", file=path,
                         line=1)  # fmt: skip
    problems = check_schema(doc)
    if problems:
        raise ProfileInvalid(path, problems)
    return doc
