"""Fixtures shared by the whole suite: the two real stores.

Every store test runs against both the embedded LadybugDB store and a real
Neo4j server. When NEO4J_URI is not set, a Neo4j 5.26 Community server is
started for the session from the jars Maven fetched (tests/neo4j_server.py).
With CI=true a Neo4j that cannot start fails the run; elsewhere it skips the
Neo4j half with the reason.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from graphthb.store import Store, open_store  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Connection settings of a real Neo4j: the one NEO4J_URI names, or our own."""
    if os.environ.get("NEO4J_URI"):
        yield {
            "uri": os.environ["NEO4J_URI"],
            "user": os.environ.get("NEO4J_USERNAME", "neo4j"),
            "password": os.environ.get("NEO4J_PASSWORD", ""),
        }
        return
    from neo4j_server import Neo4jServer

    server = Neo4jServer()
    try:
        server.start(tmp_path_factory.mktemp("neo4j"), heap="1g")
    except Exception as exc:  # any failure to start is reported the same way
        if IN_CI:
            pytest.fail(f"the Neo4j test server did not start: {exc}")
        pytest.skip(f"no Neo4j: {exc}")
    try:
        yield {"uri": server.uri, "user": server.user, "password": server.password}
    finally:
        server.stop()


def _wipe_neo4j(store: Store) -> None:
    while store.query(
        "MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n", write=True
    ).rows[0][0]:
        pass


@pytest.fixture
def neo4j_store(neo4j_server: dict[str, str]) -> Iterator[Store]:
    store = open_store(
        neo4j_server["uri"], user=neo4j_server["user"], password=neo4j_server["password"]
    )
    _wipe_neo4j(store)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def embedded_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(str(tmp_path / "case.lbug"))
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest) -> Store:
    """Each store test runs once per backend, unchanged."""
    return request.getfixturevalue(f"{request.param}_store")
