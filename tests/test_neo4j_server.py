"""The Neo4j test server itself (tests/neo4j_server.py).

It must come up with authentication on and the password it generated, refuse a
wrong one, and keep committed data across a SIGKILL and restart. With CI=true a
server that cannot start fails the test; elsewhere the test is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import neo4j
import pytest
from neo4j.exceptions import AuthError
from neo4j_server import Neo4jServer, pid_alive

pytestmark = pytest.mark.neo4j

IN_CI = os.environ.get("CI", "").lower() == "true"
SCRIPT = Path(__file__).with_name("neo4j_server.py")


def _started(home: Path) -> Neo4jServer:
    server = Neo4jServer()
    try:
        server.start(home)
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"the Neo4j test server did not start: {exc}")
        pytest.skip(f"no Neo4j: {exc}")
    return server


def _driver(server: Neo4jServer, password: str | None = None) -> neo4j.Driver:
    return neo4j.GraphDatabase.driver(
        server.uri, auth=(server.user, server.password if password is None else password)
    )


def test_auth_then_data_survives_kill_and_restart(tmp_path: Path) -> None:
    server = _started(tmp_path / "neo4j")
    try:
        assert server.uri.startswith("bolt://127.0.0.1:")
        assert server.user == "neo4j" and len(server.password) >= 16

        with _driver(server) as driver:
            assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1
            driver.execute_query("CREATE (:Canary {name: $name})", name="before-kill")

        with _driver(server, "wrong-" + server.password) as bad, pytest.raises(AuthError):
            bad.verify_connectivity()

        uri, password = server.uri, server.password
        server.kill()
        assert not server.running

        server.restart()
        assert (server.uri, server.password) == (uri, password)
        with _driver(server) as driver:
            rows = driver.execute_query("MATCH (c:Canary) RETURN c.name AS name").records
            assert [r["name"] for r in rows] == ["before-kill"]
    finally:
        server.stop()
    assert not server.running


def test_cli_server_outlives_the_command(tmp_path: Path) -> None:
    home = tmp_path / "cli"
    cli = [sys.executable, str(SCRIPT)]
    started = subprocess.run(
        [*cli, "start", "--dir", str(home)], capture_output=True, text=True, timeout=600
    )
    if started.returncode != 0:
        message = f"the Neo4j test server did not start: {started.stderr.strip()}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        info = json.loads((home / "connection.json").read_text())
        assert set(info) == {"uri", "user", "password", "pid"}
        assert f"export NEO4J_URI={info['uri']}" in started.stdout
        assert "export NEO4J_PASSWORD=" in started.stdout
        # the command has exited; the server it started still answers
        with neo4j.GraphDatabase.driver(info["uri"], auth=(info["user"], info["password"])) as d:
            assert d.execute_query("RETURN 2 AS two").records[0]["two"] == 2
    finally:
        stopped = subprocess.run(
            [*cli, "stop", "--dir", str(home)], capture_output=True, text=True, timeout=120
        )
    assert stopped.returncode == 0, stopped.stderr
    assert not (home / "connection.json").exists()
    assert not pid_alive(info["pid"])
