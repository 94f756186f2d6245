"""The graph schema, read once from ``schema.toml`` and validated on load.

Stores create their tables and constraints from it, the loader checks every
label and relationship type against it, and the docs are generated from it.
Labels and types reach a Cypher string only after passing through here, so a
name in a query is always one the schema defines, never input text.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from graphthb.errors import GraphthbError

__all__ = ["NodeKind", "RelType", "Schema", "load_schema", "SCHEMA"]

COLUMN_TYPES = {"STRING", "INT64", "DOUBLE", "BOOL"}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class NodeKind:
    name: str
    description: str
    properties: dict[str, str]

    @property
    def columns(self) -> dict[str, str]:
        """All stored properties, the key first."""
        return {"key": "STRING", **self.properties}


@dataclass(frozen=True)
class RelType:
    name: str
    description: str
    pairs: tuple[tuple[str, str], ...]
    properties: dict[str, str]
    asserted: bool = False

    def allows(self, src: str, dst: str) -> bool:
        return (src, dst) in self.pairs


@dataclass(frozen=True)
class Schema:
    nodes: dict[str, NodeKind]
    relationships: dict[str, RelType]
    provenance: dict[str, str]
    assertable: tuple[str, ...]
    kind_names: dict[str, str] = field(default_factory=dict)

    def node(self, name: str) -> NodeKind:
        try:
            return self.nodes[name]
        except KeyError:
            raise GraphthbError(f"unknown node kind {name!r}") from None

    def rel(self, name: str) -> RelType:
        try:
            return self.relationships[name]
        except KeyError:
            raise GraphthbError(f"unknown relationship type {name!r}") from None

    def kind_from_word(self, word: str) -> str | None:
        """Map a links file's ``subject_kind`` word (``phone``, ``Person``...) to a kind."""
        return self.kind_names.get(word.strip().lower())

    def rel_columns(self, rel: str) -> dict[str, str]:
        return {**self.provenance, **self.rel(rel).properties}


def _check_name(what: str, name: str) -> None:
    if not _NAME.match(name):
        raise GraphthbError(f"schema: {what} name {name!r} is not a plain identifier")


def _check_props(owner: str, props: dict[str, str]) -> dict[str, str]:
    for prop, typ in props.items():
        _check_name(f"{owner} property", prop)
        if typ not in COLUMN_TYPES:
            raise GraphthbError(f"schema: {owner}.{prop} has unknown type {typ!r}")
    return dict(props)


def load_schema(text: str) -> Schema:
    """Parse and validate a schema document; raises GraphthbError on any flaw."""
    raw = tomllib.loads(text)
    provenance = _check_props("provenance", raw.get("provenance", {}))
    nodes: dict[str, NodeKind] = {}
    for name, spec in raw["nodes"].items():
        _check_name("node kind", name)
        props = _check_props(name, spec.get("properties", {}))
        if "key" in props:
            raise GraphthbError(f"schema: {name} declares `key`, which every kind has already")
        nodes[name] = NodeKind(name, spec["description"], props)

    rels: dict[str, RelType] = {}
    for name, spec in raw["relationships"].items():
        _check_name("relationship type", name)
        pairs = tuple((a, b) for a, b in spec["pairs"])
        for a, b in pairs:
            if a not in nodes or b not in nodes:
                raise GraphthbError(f"schema: {name} joins unknown kinds {a}->{b}")
        props = _check_props(name, spec.get("properties", {}))
        rels[name] = RelType(name, spec["description"], pairs, props)

    assertions = raw["assertions"]
    assertable = tuple(assertions["kinds"])
    for kind in assertable:
        if kind not in nodes:
            raise GraphthbError(f"schema: assertable kind {kind} is not a node kind")
    aprops = _check_props("assertions", assertions.get("properties", {}))
    all_pairs = tuple((a, b) for a in assertable for b in assertable)
    for name in assertions["relations"]:
        _check_name("relationship type", name)
        if name in rels:
            raise GraphthbError(f"schema: {name} is both a record and an assertion relation")
        rels[name] = RelType(
            name, "Asserted by an analyst in a links file.", all_pairs, aprops, True
        )

    kind_names = {name.lower(): name for name in nodes}
    return Schema(nodes, rels, provenance, assertable, kind_names)


@cache
def _default() -> Schema:
    return load_schema(resources.files("graphthb").joinpath("schema.toml").read_text("utf-8"))


SCHEMA = _default()
