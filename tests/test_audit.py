"""The audit trail: every command that touches a store leaves a chained entry."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from graphthb.audit import AuditTrail, redact
from graphthb.cli import main
from graphthb.errors import GraphthbError
from graphthb.store import open_store


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "case.lbug")
    with open_store(path) as store:
        store.merge_nodes("Ad", pd.DataFrame({"key": ["r1", "r2"]}))
    return path


def _run(db: str, *args: str, reason: str | None = None) -> str:
    env = {"GRAPHTHB_USER": "analyst-7"}
    if reason:
        env["GRAPHTHB_REASON"] = reason
    result = CliRunner().invoke(main, ["--db", db, *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_commands_leave_entries_with_who_what_why(db: str) -> None:
    _run(db, "query", "MATCH (a:Ad) RETURN a.key", reason="case 2025-117")
    _run(
        db, "--reason", "check", "query", "MATCH (a:Ad) WHERE a.key = $k RETURN a.key", "-p", "k=r1"
    )
    entries = AuditTrail(Path(db + ".audit.jsonl")).entries()
    assert [
        (e["seq"], e["command"], e["user"], e["reason"], e["touched"], e["outcome"])
        for e in entries
    ] == [
        (1, "query", "analyst-7", "case 2025-117", 2, "ok"),
        (2, "query", "analyst-7", "check", 1, "ok"),
    ]
    assert any("params=('k=r1',)" in a for a in entries[1]["args"])
    shown = json.loads(_run(db, "audit", "show", "--format", "json"))
    assert [e["seq"] for e in shown] == [1, 2]
    assert "2 entries, chain intact" in _run(db, "audit", "verify")


def test_a_failed_command_is_recorded_too(db: str) -> None:
    CliRunner().invoke(main, ["--db", db, "query", "MATCH (a:Ad RETURN a"])
    entries = AuditTrail(Path(db + ".audit.jsonl")).entries()
    assert entries[-1]["outcome"] == "error"


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (
            lambda lines: [lines[0], lines[1].replace('"query"', '"export"'), lines[2]],
            "entry 2: its content",
        ),
        (lambda lines: [lines[0], lines[2]], "entry 2: sequence"),
        (lambda lines: [lines[1], lines[0], lines[2]], "entry 1: sequence"),
    ],
)
def test_tampering_is_found_and_named(db: str, tamper, message: str) -> None:
    for _ in range(3):
        _run(db, "query", "MATCH (a:Ad) RETURN a.key")
    path = Path(db + ".audit.jsonl")
    lines = path.read_text().splitlines()
    path.write_text("\n".join(tamper(lines)) + "\n")
    with pytest.raises(GraphthbError, match=message):
        AuditTrail(path).verify()
    result = CliRunner().invoke(main, ["--db", db, "audit", "verify"])
    assert result.exit_code == 1 and message in result.output


def test_passwords_never_reach_the_trail() -> None:
    assert redact(["--password", "s3cret", "--password=s3cret", "x"]) == [
        "--password",
        "***",
        "--password=***",
        "x",
    ]


@pytest.mark.neo4j
def test_neo4j_commands_are_audited_and_carry_metadata(
    neo4j_server: dict[str, str], tmp_path: Path
) -> None:
    env = {
        "GRAPHTHB_AUDIT": str(tmp_path / "audit.jsonl"),
        "GRAPHTHB_USER": "analyst-9",
        "GRAPHTHB_REASON": "case 2025-117",
        "NEO4J_USERNAME": neo4j_server["user"],
        "NEO4J_PASSWORD": neo4j_server["password"],
    }
    result = CliRunner().invoke(
        main,
        [
            "--db", neo4j_server["uri"], "query", "--format", "json",
            "SHOW TRANSACTIONS YIELD metaData, currentQuery WHERE currentQuery STARTS WITH 'SHOW' RETURN metaData",
        ],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    meta = json.loads(result.stdout)[0]["metaData"]
    assert meta == {
        "app": "graphthb",
        "command": "query",
        "user": "analyst-9",
        "reason": "case 2025-117",
    }
    entries = AuditTrail(tmp_path / "audit.jsonl").entries()
    assert [(e["command"], e["user"], e["reason"], e["store"]) for e in entries] == [
        ("query", "analyst-9", "case 2025-117", neo4j_server["uri"])
    ]
    assert "password" not in (tmp_path / "audit.jsonl").read_text()
