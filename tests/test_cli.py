"""The command line through click's CliRunner: conventions, errors, every command's help."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from graphthb import __version__
from graphthb.cli import main
from graphthb.store import open_store

COMMANDS = [
    "init",
    "load",
    "cluster",
    "groups",
    "show",
    "view",
    "query",
    "evaluate",
    "synth",
    "export",
    "demo",
]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "case.lbug")
    with open_store(path) as store:
        store.write_batch(
            {
                "Ad": pd.DataFrame(
                    {"key": ["r1", "r2"], "persona": ["Anna", "Mia"], "country": ["NL", "DE"]}
                ),
                "Phone": pd.DataFrame({"key": ["+31612345678"]}),
            },
            {
                ("HAS_PHONE", "Ad", "Phone"): pd.DataFrame(
                    {"src": ["r1", "r2"], "dst": ["+31612345678"] * 2, "source": "s"}
                )
            },
        )
    return path


def test_every_command_is_there_with_help_and_an_example(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output
        sub = runner.invoke(main, [name, "--help"])
        assert sub.exit_code == 0, name
        assert "Example:" in sub.output, name


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_default_store_is_named_in_help(runner: CliRunner) -> None:
    assert "graphthb.lbug" in runner.invoke(main, ["--help"]).output


def test_query_table_json_csv(runner: CliRunner, db: str) -> None:
    q = "MATCH (a:Ad)-[:HAS_PHONE]->(p:Phone) RETURN a.key AS ad, p.key AS phone ORDER BY ad"
    table = runner.invoke(main, ["--db", db, "query", q])
    assert table.exit_code == 0, table.output
    assert "r1" in table.output and "(2 rows)" in table.output
    as_json = runner.invoke(main, ["--db", db, "query", q, "--format", "json"])
    assert json.loads(as_json.output) == [
        {"ad": "r1", "phone": "+31612345678"},
        {"ad": "r2", "phone": "+31612345678"},
    ]
    as_csv = runner.invoke(main, ["--db", db, "query", q, "--format", "csv"])
    assert as_csv.output.splitlines() == ["ad,phone", "r1,+31612345678", "r2,+31612345678"]


def test_query_parameters_are_bound(runner: CliRunner, db: str) -> None:
    result = runner.invoke(
        main,
        [
            "--db",
            db,
            "query",
            "MATCH (a:Ad) WHERE a.persona = $p RETURN a.key AS k",
            "--param",
            "p=Anna",
            "--format",
            "json",
        ],
    )
    assert json.loads(result.output) == [{"k": "r1"}]


def test_db_from_environment(runner: CliRunner, db: str) -> None:
    result = runner.invoke(
        main,
        ["query", "MATCH (a:Ad) RETURN count(a) AS n", "--format", "csv"],
        env={"GRAPHTHB_DB": db},
    )
    assert result.output.splitlines() == ["n", "2"]


def test_library_query_by_name_with_defaults(runner: CliRunner, db: str) -> None:
    result = runner.invoke(
        main, ["--db", db, "query", "-f", "personas_per_phone", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"phone": "+31612345678", "personas": 2, "ads": 2}]
    missing = runner.invoke(main, ["--db", db, "query", "-f", "group_timeline"])
    assert missing.exit_code == 1
    assert "--param group_id=" in missing.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["query", "MATCH (a:Ad RETURN a"], 1, "Error:"),
        (["query", "MATCH (a:Ad) DETACH DELETE a"], 1, "--write"),
        (["query", "RETURN 1", "--param", "no-equals"], 2, "NAME=VALUE"),
        (["query"], 2, "give a query"),
        (["query", "-f", "no_such_query"], 1, "no query file"),
        (["load", "missing.csv"], 1, "no such file"),
        (["show", "G-nope"], 1, "no group"),
        (["groups"], 1, "graphthb cluster"),
        (["frobnicate"], 2, "No such command"),
    ],
)
def test_mistakes_get_one_line_and_the_right_exit(
    runner: CliRunner, db: str, args: list[str], code: int, message: str
) -> None:
    result = runner.invoke(main, ["--db", db, *args])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_write_query_with_write_flag(runner: CliRunner, db: str) -> None:
    result = runner.invoke(
        main,
        ["--db", db, "query", "MATCH (a:Ad {key: $k}) DETACH DELETE a", "-p", "k=r2", "--write"],
    )
    assert result.exit_code == 0, result.output
    with open_store(db) as store:
        assert store.count_nodes()["Ad"] == 1


def test_bad_db_setting(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["--db", str(tmp_path / "missing" / "x.lbug"), "init"])
    assert result.exit_code == 1
    assert "--db" in result.output and "Traceback" not in result.output


def test_init_creates_the_store(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "new.lbug"
    result = runner.invoke(main, ["--db", str(path), "init"])
    assert result.exit_code == 0
    assert path.exists()
    assert "embedded store" in result.output


# -- the analyst's first hour: keys, audit outcomes, files that cannot be written ------


def _two_files(tmp_path: Path) -> tuple[Path, Path]:
    a = tmp_path / "a.csv"
    a.write_text("record_id,phones,country,persona\n1,06 12 34 56 78,FR,Anna\n", "utf-8")
    b = tmp_path / "b.csv"
    b.write_text("record_id,phones,country,persona\n1,0160 5555555,DE,Zora\n", "utf-8")
    return a, b


def test_the_load_summary_says_which_source_each_file_was_loaded_as(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = str(tmp_path / "case.lbug")
    a, b = _two_files(tmp_path)
    result = runner.invoke(main, ["--db", db, "load", str(a), str(b)])
    assert result.exit_code == 0, result.output
    assert "loaded as source 'a' (1)" in result.stdout
    assert "loaded as source 'b' (1)" in result.stdout
    named = runner.invoke(main, ["--db", db, "load", str(a), "--source", "sweep-7"])
    assert "loaded as source 'sweep-7' (1)" in named.stdout
    keys = runner.invoke(
        main, ["--db", db, "query", "MATCH (a:Ad) RETURN a.key AS k ORDER BY k", "--format", "csv"]
    )
    assert keys.stdout.splitlines() == ["k", "a/1", "b/1", "sweep-7/1"]


def test_view_around_an_ad_by_key_or_by_a_unique_record_id(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = str(tmp_path / "case.lbug")
    a, b = _two_files(tmp_path)
    c = tmp_path / "c.csv"
    c.write_text("record_id,phones,country\n2,06 12 34 56 78,FR\n", "utf-8")
    assert runner.invoke(main, ["--db", db, "load", str(a), str(b), str(c)]).exit_code == 0
    out = tmp_path / "v.html"
    by_key = runner.invoke(main, ["--db", db, "view", "--around", "ad:a/1", "-o", str(out)])
    assert by_key.exit_code == 0, by_key.output
    unique = runner.invoke(main, ["--db", db, "view", "--around", "ad:2", "-o", str(out)])
    assert unique.exit_code == 0, unique.output
    twice = runner.invoke(main, ["--db", db, "view", "--around", "ad:1", "-o", str(out)])
    assert twice.exit_code == 2
    assert "names 2 ads (a/1, b/1)" in twice.output


def test_evaluate_takes_a_source_column_where_record_ids_repeat(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = str(tmp_path / "case.lbug")
    a, b = _two_files(tmp_path)
    assert runner.invoke(main, ["--db", db, "load", str(a), str(b)]).exit_code == 0
    assert runner.invoke(main, ["--db", db, "cluster"]).exit_code == 0
    bare = tmp_path / "truth.csv"
    bare.write_text("record_id,group\n1,G1\n", "utf-8")
    refused = runner.invoke(main, ["--db", db, "evaluate", "--truth", str(bare)])
    assert refused.exit_code == 1 and "add a source column" in refused.output
    sourced = tmp_path / "truth2.csv"
    sourced.write_text("source,record_id,group\na,1,G1\nb,1,G2\n", "utf-8")
    scored = runner.invoke(
        main, ["--db", db, "evaluate", "--truth", str(sourced), "--format", "json"]
    )
    assert scored.exit_code == 0, scored.output
    figures = json.loads(scored.stdout)
    assert figures["records"] == 2 and figures["groups_recovered"] == 2


def test_a_failed_load_is_recorded_as_a_failure(runner: CliRunner, tmp_path: Path) -> None:
    from graphthb.audit import AuditTrail

    db = str(tmp_path / "case.lbug")
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,title\n,no id\n", "utf-8")
    result = runner.invoke(main, ["--db", db, "load", str(bad)])
    assert result.exit_code == 1 and "no usable row" in result.output
    entries = AuditTrail(Path(db + ".audit.jsonl")).entries()
    assert [(e["command"], e["outcome"]) for e in entries] == [
        ("load", "started"),
        ("load", "error"),
    ]
    good = tmp_path / "good.csv"
    good.write_text("record_id,title\n1,fine\n", "utf-8")
    assert runner.invoke(main, ["--db", db, "load", str(good)]).exit_code == 0
    entries = AuditTrail(Path(db + ".audit.jsonl")).entries()
    assert [e["outcome"] for e in entries[2:]] == ["started", "ok"]
    assert entries[-1]["touched"] == 1


def test_a_killed_load_leaves_a_started_entry(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    from graphthb.audit import AuditTrail
    from graphthb.synth import generate

    generate(tmp_path / "world", 20000, 1)
    db = tmp_path / "case.lbug"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "graphthb",
            "--db",
            str(db),
            "load",
            str(tmp_path / "world" / "records.csv"),
        ],  # fmt: skip
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    trail = AuditTrail(Path(str(db) + ".audit.jsonl"))
    deadline = time.monotonic() + 120
    while not trail.path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    entries = trail.entries()
    assert [(e["command"], e["outcome"]) for e in entries] == [("load", "started")]


def test_an_unwritable_audit_trail_stops_a_load_before_it_writes(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = str(tmp_path / "case.lbug")
    a, _ = _two_files(tmp_path)
    (tmp_path / "not-a-folder").write_text("x", "utf-8")
    result = runner.invoke(
        main,
        ["--db", db, "load", str(a)],
        env={"GRAPHTHB_AUDIT": str(tmp_path / "not-a-folder" / "audit.jsonl")},
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "audit trail" in result.output and "nothing was changed" in result.output
    assert not Path(db).exists() or open_store(db).count_nodes()["Ad"] == 0


def test_an_unwritable_rejects_path_stops_a_load_before_it_writes(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = str(tmp_path / "case.lbug")
    a, _ = _two_files(tmp_path)
    result = runner.invoke(
        main, ["--db", db, "load", str(a), "--rejects", str(tmp_path / "nowhere" / "r.csv")]
    )
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and "rejects file" in result.output
    with open_store(db) as store:
        assert store.count_nodes()["Ad"] == 0


def test_a_clean_load_says_it_removed_an_earlier_rejects_file(
    runner: CliRunner, tmp_path: Path
) -> None:
    db = str(tmp_path / "case.lbug")
    bad = tmp_path / "mixed.csv"
    bad.write_text("record_id,persona,collected_at\n1,Anna,2025-01-01\n2,Mia,yesterday\n", "utf-8")
    runner.invoke(main, ["--db", db, "load", str(bad)])
    assert (tmp_path / "rejects.csv").exists()
    a, _ = _two_files(tmp_path)
    result = runner.invoke(main, ["--db", db, "load", str(a)])
    assert "no row rejected: removed the earlier load's" in result.stdout
    assert not (tmp_path / "rejects.csv").exists()


def test_tables_fit_the_width_and_csv_keeps_everything(runner: CliRunner, db: str) -> None:
    long = "x" * 300
    q = "RETURN $v AS value, $v AS again"
    table = runner.invoke(main, ["--db", db, "query", q, "-p", f"v={long}"], env={"COLUMNS": "70"})
    assert table.exit_code == 0
    assert max(len(line) for line in table.stdout.splitlines()) <= 70
    assert "…" in table.stdout
    as_csv = runner.invoke(
        main, ["--db", db, "query", q, "-p", f"v={long}", "--format", "csv"], env={"COLUMNS": "70"}
    )
    assert as_csv.stdout.splitlines()[1] == f"{long},{long}"
