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
