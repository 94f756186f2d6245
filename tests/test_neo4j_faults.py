"""A real Neo4j server killed in the middle of a load.

The load must fail with one clear line and a non-zero exit; after the server is
back, running the same load again must leave exactly the counts of a load that
was never interrupted.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graphthb.store import open_store

pytestmark = [pytest.mark.neo4j, pytest.mark.slow]

N_RECORDS = 30_000


def _records(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "country", "phones", "persona", "city"])
        for i in range(N_RECORDS):
            # Valid Dutch mobile numbers, shared by a few ads each.
            writer.writerow(
                [f"R{i:06d}", "NL", f"+316{12000000 + i // 3:08d}", f"P{i % 97}", f"C{i % 13}"]
            )
    return path


def _cli(db: str, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "graphthb", "--db", db, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_server_killed_mid_load_then_load_again(tmp_path: Path) -> None:
    from neo4j_server import Neo4jServer

    server = Neo4jServer()
    server.start(tmp_path / "neo4j", heap="1g")
    try:
        records = _records(tmp_path / "ads.csv")
        env = {
            **os.environ,
            "NEO4J_USERNAME": server.user,
            "NEO4J_PASSWORD": server.password,
            # fail fast instead of the driver's 30 s of retries on a dead server
            "GRAPHTHB_NEO4J_RETRY_SECONDS": "3",
        }
        proc = _cli(server.uri, env, "load", str(records), "--rejects", str(tmp_path / "r.csv"))
        with open_store(server.uri, user=server.user, password=server.password) as watcher:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                if watcher.query("MATCH (a:Ad) RETURN count(a)").rows[0][0] > 0:
                    break
                time.sleep(0.05)
            partial = watcher.query("MATCH (a:Ad) RETURN count(a)").rows[0][0]
        server.kill()
        out, err = proc.communicate(timeout=180)
        assert 0 < partial < N_RECORDS, "the kill must land in the middle of the load"
        assert proc.returncode == 1, (out, err)
        assert "Traceback" not in err
        # progress lines ("loading: ...") come every few seconds; the error is one line
        errors = [line for line in err.strip().splitlines() if not line.startswith("loading: ")]
        assert "Neo4j" in err and len(errors) == 1, err
        assert "stopped after" in err, err  # the progress says the load did not finish

        server.restart()
        again = _cli(server.uri, env, "load", str(records), "--rejects", str(tmp_path / "r2.csv"))
        out, err = again.communicate(timeout=600)
        assert again.returncode == 0, err
        with (
            open_store(server.uri, user=server.user, password=server.password) as neo,
            open_store(str(tmp_path / "reference.lbug")) as reference,
        ):
            from graphthb.ingest.loader import load

            load(reference, [records], rejects=tmp_path / "r3.csv")
            assert neo.count_nodes() == reference.count_nodes()
            assert neo.count_edges() == reference.count_edges()
    finally:
        server.stop()
