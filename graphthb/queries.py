"""The Cypher library: investigative queries kept as ``cypher/*.cypher`` files.

Each file opens with ``//`` comments saying what it answers, and one
``// @param NAME [DEFAULT]  what it is`` line per parameter. Defaults are used
when the analyst gives no ``--param``; a parameter without a default must be
given. Values are always bound as parameters, never written into the text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from graphthb.errors import InputError, NotFoundError

__all__ = ["LibraryQuery", "library", "load_query"]

_PARAM = re.compile(r"^//\s*@param\s+([A-Za-z_]\w*)(?:\s+(\S+))?(?:\s+(.*))?$")
_MISSING = object()


@dataclass
class LibraryQuery:
    name: str
    text: str
    doc: str
    defaults: dict[str, Any] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with what the analyst gave; complains about what is missing."""
        missing = [p for p in self.required if p not in given]
        if missing:
            raise InputError(f"{self.name} needs " + ", ".join(f"--param {p}=..." for p in missing))
        return {**self.defaults, **given}


def parse(name: str, text: str) -> LibraryQuery:
    doc, defaults, required = [], {}, []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("//"):
            if stripped:
                break
            continue
        m = _PARAM.match(stripped)
        if m is None:
            doc.append(stripped.lstrip("/").strip())
            continue
        pname, default, _ = m.groups()
        # A default is a JSON value (2, "x", true); a word that is not JSON is a description.
        value: Any = _MISSING
        if default is not None:
            try:
                value = json.loads(default)
            except json.JSONDecodeError:
                value = _MISSING
        if value is _MISSING:
            required.append(pname)
        else:
            defaults[pname] = value
    return LibraryQuery(name, text, " ".join(doc), defaults, required)


def library() -> dict[str, LibraryQuery]:
    """Every query of the library, by file name without ``.cypher``."""
    folder = resources.files("graphthb.cypher")
    out = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".cypher"):
            name = entry.name[: -len(".cypher")]
            out[name] = parse(name, entry.read_text("utf-8"))
    return dict(sorted(out.items()))


def load_query(spec: str | Path) -> LibraryQuery:
    """A query from a file path, or from the library by name (``personas_per_phone``)."""
    path = Path(spec)
    if path.is_file():
        try:
            return parse(path.stem, path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read {path}: {exc}") from None
    queries = library()
    name = path.name[: -len(".cypher")] if path.name.endswith(".cypher") else path.name
    if name in queries:
        return queries[name]
    raise NotFoundError(f"no query file {spec}; the library has: {', '.join(queries)}")
