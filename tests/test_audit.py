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


# -- truncation, forged keys, and the head kept in the store ----------------------------------

RECORDS = Path(__file__).parent.parent / "sample_data" / "records.csv"


def _writes(db: str, n: int = 3) -> Path:
    """``n`` commands that change the store; returns the trail's path."""
    for i in range(n):
        _run(db, "query", "--write", f"MATCH (a:Ad) WHERE a.key = 'r1' SET a.title = 't{i}'")
    return Path(db + ".audit.jsonl")


def _ads(db: str) -> int:
    with open_store(db) as store:
        return store.count_nodes()["Ad"]


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda p: p.write_text("".join(p.read_text().splitlines(True)[:-1])), "ends at entry 2"),
        (lambda p: p.write_text("".join(p.read_text().splitlines(True)[:-2])), "ends at entry 1"),
        (lambda p: p.write_text(""), "ends at entry 0"),
        (lambda p: p.unlink(), "is missing"),
    ],
    ids=["last entry", "last two", "emptied", "deleted"],
)
def test_a_trail_cut_short_fails_verify_and_stops_writes(db: str, tamper, message: str) -> None:
    path = _writes(db)
    assert "3 entries, chain intact" in _run(db, "audit", "verify")
    tamper(path)
    result = CliRunner().invoke(main, ["--db", db, "audit", "verify"])
    assert result.exit_code == 1 and message in result.output, result.output
    assert "the store recorded entry 3" in result.output
    # A writing command refuses before it writes: no ad added, no entry appended.
    left = path.read_text() if path.exists() else None
    before = _ads(db)
    for args in (["load", str(RECORDS)], ["purge", "--source", "x", "--yes"],
                 ["query", "--write", "CREATE (:Ad {key: 'new'})"]):  # fmt: skip
        refused = CliRunner().invoke(main, ["--db", db, *args])
        assert refused.exit_code == 1 and "nothing was written" in refused.output, refused.output
        assert _ads(db) == before
        assert (path.read_text() if path.exists() else None) == left


def test_a_duplicated_key_with_a_forged_value_fails(db: str) -> None:
    path = _writes(db, 2)
    lines = path.read_text().splitlines()
    # Python keeps the last of two equal keys, so the genuine value still hashes
    # right; another reader would show the forged one.
    lines[1] = '{"outcome": "forged", ' + lines[1][1:]
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(main, ["--db", db, "audit", "verify"])
    assert result.exit_code == 1 and "line 2 names 'outcome' twice" in result.output
    refused = CliRunner().invoke(main, ["--db", db, "load", str(RECORDS)])
    assert refused.exit_code == 1 and "nothing was written" in refused.output
    assert _ads(db) == 2


def test_verify_prints_the_head_hash_the_store_keeps(db: str) -> None:
    path = _writes(db, 2)
    _run(db, "query", "MATCH (a:Ad) RETURN a.key")  # a read moves the trail, not the store's head
    entries = AuditTrail(path).entries()
    out = _run(db, "audit", "verify")
    assert f"head: entry 3 sha256 {entries[-1]['hash']}" in out
    assert "the store records entry 2 as its last change" in out
    with open_store(db) as store:
        assert store.read_audit_head() == (2, entries[1]["hash"])
    # A rewritten trail of the right length does not match the store's head either.
    path.unlink()
    other = AuditTrail(path)
    for _ in range(3):
        other.append(command="query", args=[], store=db, reason=None, touched=0, outcome="ok")
    result = CliRunner().invoke(main, ["--db", db, "audit", "verify"])
    assert result.exit_code == 1 and "entry 2: is not the entry the store recorded" in result.output


def test_the_head_survives_a_purge_rebuild(db: str, tmp_path: Path) -> None:
    _run(db, "load", str(RECORDS))
    _run(db, "--reason", "retention", "purge", "--source", "crawl-2024Q1", "--yes")
    entries = AuditTrail(Path(db + ".audit.jsonl")).entries()
    with open_store(db) as store:
        assert store.read_audit_head() == (len(entries), entries[-1]["hash"])
    assert "chain intact" in _run(db, "audit", "verify")


@pytest.mark.neo4j
def test_neo4j_keeps_the_head_and_shows_truncation(
    neo4j_server: dict[str, str], tmp_path: Path
) -> None:
    audit = tmp_path / "audit.jsonl"
    env = {
        "GRAPHTHB_AUDIT": str(audit),
        "NEO4J_USERNAME": neo4j_server["user"],
        "NEO4J_PASSWORD": neo4j_server["password"],
    }
    uri = neo4j_server["uri"]
    with open_store(uri, user=neo4j_server["user"], password=neo4j_server["password"]) as store:
        store.query("MATCH (n) DETACH DELETE n", write=True)
    for i in range(2):
        result = CliRunner().invoke(
            main, ["--db", uri, "query", "--write", f"CREATE (:Ad {{key: 'n{i}'}})"], env=env
        )
        assert result.exit_code == 0, result.output
    ok = CliRunner().invoke(main, ["--db", uri, "audit", "verify"], env=env)
    assert ok.exit_code == 0 and "the store records entry 2" in ok.output, ok.output
    audit.write_text("".join(audit.read_text().splitlines(True)[:1]))
    bad = CliRunner().invoke(main, ["--db", uri, "audit", "verify"], env=env)
    assert bad.exit_code == 1 and "ends at entry 1" in bad.output
    refused = CliRunner().invoke(
        main, ["--db", uri, "query", "--write", "CREATE (:Ad {key: 'n9'})"], env=env
    )
    assert refused.exit_code == 1 and "nothing was written" in refused.output
    with open_store(uri, user=neo4j_server["user"], password=neo4j_server["password"]) as store:
        assert store.count_nodes()["Ad"] == 2


def test_a_damaged_last_line_stops_load_and_purge_before_they_write(db: str) -> None:
    path = _writes(db, 1)
    with path.open("a") as fh:
        fh.write('{"seq": 2, "hash": \n')
    for args in (["load", str(RECORDS)], ["purge", "--source", "s", "--yes"]):
        refused = CliRunner().invoke(main, ["--db", db, *args])
        assert refused.exit_code == 1 and "line 2 is not JSON" in refused.output, refused.output
        assert "nothing was written" in refused.output
        assert _ads(db) == 2
