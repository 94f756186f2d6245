"""Graph stores: Neo4j for teams, an embedded LadybugDB file by default.

:func:`open_store` picks the backend from one setting: a ``bolt://``,
``neo4j://``, ``bolt+s://`` or ``neo4j+s://`` URI means Neo4j, anything else is
a path to the embedded store.
"""

from __future__ import annotations

import os
from typing import Any

from graphthb.errors import ConfigError
from graphthb.store.base import EdgeKey, Projection, QueryResult, Store

__all__ = [
    "DEFAULT_DB",
    "EdgeKey",
    "Projection",
    "QueryResult",
    "Store",
    "is_neo4j_uri",
    "open_store",
    "resolve_db",
]

#: The embedded store used when neither --db nor GRAPHTHB_DB is set.
DEFAULT_DB = "graphthb.lbug"

_NEO4J_SCHEMES = ("bolt://", "neo4j://", "bolt+s://", "neo4j+s://", "bolt+ssc://", "neo4j+ssc://")


def is_neo4j_uri(setting: str) -> bool:
    return setting.lower().startswith(_NEO4J_SCHEMES)


def resolve_db(setting: str | None) -> str:
    """The store setting in force: the argument, else GRAPHTHB_DB, else the default."""
    return setting or os.environ.get("GRAPHTHB_DB") or DEFAULT_DB


def open_store(
    setting: str | None = None,
    *,
    user: str | None = None,
    password: str | None = None,
    database: str | None = None,
    metadata: dict[str, Any] | None = None,
    read_only: bool = False,
) -> Store:
    """Open the store named by ``setting`` (see module docstring).

    Neo4j credentials default to NEO4J_USERNAME, NEO4J_PASSWORD and NEO4J_DATABASE,
    the names Neo4j's own Python tools read. ``read_only`` opens it for reading
    only: the embedded database in LadybugDB's read-only mode, Neo4j without
    creating its constraints.
    """
    db = resolve_db(setting)
    if "://" in db and not is_neo4j_uri(db):
        raise ConfigError(
            f"--db {db}: not a Neo4j URI (bolt://, neo4j://, bolt+s://, neo4j+s://) nor a path"
        )
    if is_neo4j_uri(db):
        from graphthb.store.neo4j import Neo4jStore

        return Neo4jStore(
            db,
            user or os.environ.get("NEO4J_USERNAME") or "neo4j",
            password if password is not None else os.environ.get("NEO4J_PASSWORD", ""),
            database or os.environ.get("NEO4J_DATABASE") or None,
            metadata=metadata,
            read_only=read_only,
        )
    from graphthb.store.embedded import EmbeddedStore

    return EmbeddedStore(db, read_only=read_only)
