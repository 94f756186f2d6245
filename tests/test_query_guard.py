"""A query without --write reads the graph and nothing else, on both stores.

The attacks come from the issue (comment markers inside strings hid the rest
of the query from the old guard) and from the engines themselves (Neo4j
decodes ``\\u`` escapes before it lexes; LadybugDB opened read-only still
writes files with COPY and reads them with LOAD FROM). A property test then
spells a set of hostile queries every way hypothesis finds and requires that
nothing changed: same counts, no title rewritten, no file written, no line of
a local file returned.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphthb.cli import main
from graphthb.errors import GraphthbError, QueryError
from graphthb.store import Store, open_store
from graphthb.store.cypher_guard import QueryRefused, read_only_text, tokenise

MARKER = "zq-marker-41977"


def _seed(store: Store) -> None:
    ads = pd.DataFrame(
        {
            "key": ["r1", "r2", "r3"],
            "record_id": ["r1", "r2", "r3"],
            "title": ["Anna new in town", "Mia // here /* too", None],
        }
    )
    phones = pd.DataFrame({"key": ["+31612345678", "+32470123456"], "region": ["NL", "BE"]})
    has_phone = pd.DataFrame(
        {
            "src": ["r1", "r2", "r3"],
            "dst": ["+31612345678", "+31612345678", "+32470123456"],
            "source": ["a", "a", "b"],
        }
    )
    store.write_batch({"Ad": ads, "Phone": phones}, {("HAS_PHONE", "Ad", "Phone"): has_phone})


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A local file no query may read, and a folder no query may write into."""
    secret = tmp_path / "secret.csv"
    secret.write_text(f"{MARKER},x\n{MARKER},y\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    return {"secret": secret, "out": out}


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def reader(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A seeded store opened the way `graphthb query` without --write opens it."""
    if request.param == "embedded":
        path = str(tmp_path / "case.lbug")
        with open_store(path) as writer:
            _seed(writer)
        setting, creds = path, {}
    else:
        server = request.getfixturevalue("neo4j_server")
        _seed(request.getfixturevalue("neo4j_store"))
        setting = server["uri"]
        creds = {"user": server["user"], "password": server["password"]}
    store = open_store(setting, read_only=True, **creds)
    try:
        yield store
    finally:
        store.close()


def _state(store: Store) -> list[list[list[object]]]:
    return [
        store.query("MATCH (n) RETURN count(n)").rows,
        store.query("MATCH ()-[e]->() RETURN count(e)").rows,
        store.query("MATCH (a:Ad) RETURN a.key, a.title ORDER BY a.key").rows,
    ]


def _dialect(store: Store) -> str:
    return store.backend


# -- the reproductions ---------------------------------------------------------


def test_comment_markers_inside_strings_hide_nothing(reader: Store, files: dict) -> None:
    before = _state(reader)
    leak = files["out"] / "leak.csv"
    for cypher in [
        "MATCH (a:Ad) WHERE a.key <> '//' SET a.title = 'pwned'",
        "MATCH (a:Ad) WHERE a.key <> \"/*\" SET a.title = 'pwned' // */",
        "RETURN '//'; MATCH (n) DETACH DELETE n",
        f"RETURN '//'; COPY (MATCH (a:Ad) RETURN a.key, a.title) TO '{leak}'",
        f"RETURN '//'; EXPORT DATABASE '{files['out'] / 'dump'}'",
        f"RETURN '/*'; ATTACH '{files['out'] / 'other.lbug'}' AS o (dbtype lbug) // */",
        "RETURN '//'; DROP TABLE Ad",
    ]:
        with pytest.raises(QueryRefused, match="--write"):
            reader.query(cypher)
    assert _state(reader) == before
    assert list(files["out"].iterdir()) == []


def test_local_files_are_not_read(reader: Store, files: dict) -> None:
    secret = files["secret"]
    cypher = {
        "embedded": f"LOAD FROM '{secret}' (header=false) RETURN *",
        "neo4j": f"LOAD CSV FROM 'file://{secret}' AS line RETURN line",
    }[_dialect(reader)]
    with pytest.raises(QueryRefused, match="LOAD reads files"):
        reader.query(cypher)


@pytest.mark.neo4j
def test_neo4j_unicode_escapes_cannot_spell_a_clause(neo4j_store: Store, files: dict) -> None:
    # Neo4j turns \u004c into L before it reads the query: this is LOAD CSV there.
    cypher = f"\\u004cOAD CSV FROM 'file://{files['secret']}' AS line RETURN line"
    with pytest.raises(QueryRefused, match="escape"):
        neo4j_store.query(cypher)


def test_one_statement_only(reader: Store) -> None:
    second = {"embedded": "CALL threads=1", "neo4j": "RETURN 2"}[_dialect(reader)]
    first = {"embedded": "CALL show_tables() RETURN *", "neo4j": "RETURN 1"}[_dialect(reader)]
    with pytest.raises(QueryRefused, match="several statements"):
        reader.query(f"{first}; {second}")
    # A closing semicolon, or one in a string or comment, is still one statement.
    assert reader.query("RETURN 'a;b' AS x; // ;").rows == [["a;b"]]


def test_procedures_that_write_or_set_options_are_refused(reader: Store) -> None:
    for cypher in {
        "embedded": ["CALL threads=1", "CALL read_csv('/etc/hostname') RETURN *"],
        "neo4j": [
            "CALL dbms.setConfigValue('db.logs.query.enabled', 'INFO')",
            "CALL `db`.`createLabel`('X')",
            "CALL apoc.load.json('file:///etc/hostname')",
            "RETURN apoc.util.sleep(1)",
            "SHOW USERS",
            "SHOW SETTINGS",
        ],
    }[_dialect(reader)]:
        with pytest.raises(QueryRefused):
            reader.query(cypher)


def test_schema_procedures_still_run(reader: Store) -> None:
    if _dialect(reader) == "neo4j":
        labels = {row[0] for row in reader.query("CALL db.labels()").rows}
        assert {"Ad", "Phone"} <= labels
        types = reader.query("CALL db.relationshipTypes() YIELD relationshipType RETURN *")
        assert ["HAS_PHONE"] in types.rows
        reader.query("CALL db.schema.visualization()")
        assert reader.query("SHOW INDEXES YIELD name RETURN count(*) AS n").rows[0][0] >= 1
        reader.query("SHOW CONSTRAINTS")
    else:
        tables = {row[1] for row in reader.query("CALL show_tables() RETURN *").rows}
        assert {"Ad", "Phone", "HAS_PHONE"} <= tables
        info = reader.query("CALL table_info('Ad') RETURN name").rows
        assert ["title"] in info


def test_db_labels_on_the_embedded_store_is_not_called_a_write(embedded_store: Store) -> None:
    with pytest.raises(QueryError) as refused:
        embedded_store.query("CALL db.labels()")
    assert "write" not in str(refused.value)
    assert "show_tables" in str(refused.value)


def test_the_engine_itself_refuses_writes_behind_the_guard(reader: Store) -> None:
    before = _state(reader)
    if _dialect(reader) == "embedded":
        # write=True skips the guard: what stops this is LadybugDB's read-only mode.
        with pytest.raises(QueryError, match="read-only"):
            reader.query("MATCH (a:Ad) SET a.title = 'pwned'", write=True)
    else:
        # The store's own read path runs in a read transaction without the guard.
        with pytest.raises(QueryError, match="read access mode"):
            reader._read("MATCH (a:Ad) SET a.title = 'pwned'", {})  # type: ignore[attr-defined]
    assert _state(reader) == before


def test_a_new_store_can_be_queried_read_only(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "new.lbug"), read_only=True) as store:
        assert store.query("MATCH (a:Ad) RETURN count(a)").rows == [[0]]


def test_write_flag_still_writes(tmp_path: Path) -> None:
    db = str(tmp_path / "case.lbug")
    with open_store(db) as store:
        _seed(store)
    runner = CliRunner()
    done = runner.invoke(
        main, ["--db", db, "query", "--write", "MATCH (a:Ad {key: 'r3'}) SET a.title = 'kept'"]
    )
    assert done.exit_code == 0, done.output
    shown = runner.invoke(main, ["--db", db, "query", "MATCH (a:Ad {key: 'r3'}) RETURN a.title"])
    assert "kept" in shown.output


def test_cli_refusal_is_one_line_and_names_write(tmp_path: Path) -> None:
    db = str(tmp_path / "case.lbug")
    with open_store(db) as store:
        _seed(store)
    result = CliRunner().invoke(
        main, ["--db", db, "query", "MATCH (a:Ad) WHERE a.key <> '//' SET a.title = 'pwned'"]
    )
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "--write" in result.output
    assert "Traceback" not in result.output
    with open_store(db) as store:
        assert "pwned" not in str(store.query("MATCH (a:Ad) RETURN a.title").rows)


# -- the tokeniser ----------------------------------------------------------------------


def test_tokeniser_knows_strings_names_and_comments() -> None:
    kinds = [
        (t.kind, t.text)
        for t in tokenise("RETURN 'it\\'s // no' AS `a``b`, \"/*\" // c\n/* d */ 1")
    ]
    assert kinds == [
        ("word", "RETURN"),
        ("string", "'it\\'s // no'"),
        ("word", "AS"),
        ("name", "`a``b`"),
        ("punct", ","),
        ("string", '"/*"'),
        ("comment", "// c"),
        ("comment", "/* d */"),
        ("word", "1"),
    ]


@pytest.mark.parametrize(
    "cypher",
    ["RETURN 'open", "RETURN `open", "RETURN 1 /* open", "RETURN 'a\\qb'", "RETURN '\\u0027'"],
)
def test_what_the_engines_might_read_differently_is_refused(cypher: str) -> None:
    with pytest.raises(QueryRefused):
        read_only_text(cypher, "embedded")


def test_keywords_as_property_names_labels_and_parameters_are_reads() -> None:
    for cypher in [
        "MATCH (a:Ad) RETURN a.set, a.delete, a.load",
        "MATCH (a:Copy) RETURN $set",
        "MATCH (a:Ad) RETURN `SET` // SET",
        "MATCH (a:Ad) WHERE a.title = 'DETACH DELETE' RETURN a",
    ]:
        read_only_text(cypher, "neo4j")


def test_the_text_run_has_no_comments() -> None:
    text = read_only_text("MATCH (a:Ad) // x '\n/* y */ RETURN a.key; // z", "neo4j")
    assert text.split() == ["MATCH", "(a:Ad)", "RETURN", "a.key"]


# -- the property test -------------------------------------------------------------------

# Hostile queries as tokens, so that anything can go between two of them. {secret}
# and {out} are filled in per test; a query may be invalid on one engine, then it
# simply fails there.
HOSTILE = {
    "both": [
        ["MATCH", "(a:Ad)", "SET", "a.title", "=", "'pwned'"],
        ["MATCH", "(n)", "DETACH", "DELETE", "n"],
        ["CREATE", "(:Ad", "{key:", "'evil'})"],
        ["MERGE", "(:Phone", "{key:", "'evil'})"],
        ["MATCH", "(a:Ad)", "WHERE", "a.key", "<>", "'//'", "SET", "a.title", "=", "'pwned'"],
        ["MATCH", "(a:Ad)", "DELETE", "a"],
    ],
    "embedded": [
        ["COPY", "(MATCH", "(a:Ad)", "RETURN", "a.key)", "TO", "'{out}/leak.csv'"],
        ["EXPORT", "DATABASE", "'{out}/dump'"],
        ["LOAD", "FROM", "'{secret}'", "(header=false)", "RETURN", "*"],
        ["ATTACH", "'{out}/other.lbug'", "AS", "o", "(dbtype", "lbug)"],
        ["DROP", "TABLE", "HAS_PHONE"],
        ["CALL", "show_tables()", "RETURN", "*", ";", "DROP", "TABLE", "HAS_PHONE"],
    ],
    "neo4j": [
        ["LOAD", "CSV", "FROM", "'file://{secret}'", "AS", "l", "RETURN", "l"],
        ["MATCH", "(a:Ad)", "CALL", "{", "WITH", "a", "SET", "a.title", "=", "'pwned'", "}"],
        ["CALL", "db.labels()", ";", "MATCH", "(n)", "DETACH", "DELETE", "n"],
        ["FOREACH", "(x", "IN", "[1]", "|", "CREATE", "(:Ad", "{key:", "'evil'}))"],
    ],
}
GAPS = [
    " ",
    "\n",
    "\t",
    "\r\n",
    "\u00a0",
    "\u3000",
    "\u2003",
    "\u2028",
    "\u200b",
    "/* ' */",
    '/* " */',
    "/*`*/",
    "/*//*/",
    "// '\n",
    '// "\n',
    "// /*\n",
    "/**/",
]
PREFIXES = [
    "",
    "RETURN '//';",
    'RETURN "/*";',
    "RETURN '\\'//';",
    "RETURN 1 // '\n;",
    "/* ' */",
    '// "\n',
    "RETURN '*/' AS x;\n",
]
SUFFIXES = ["", ";", "; RETURN '*/'", " // '", "/* ; */", ";\n"]


def _spell(word: str, how: int) -> str:
    if how == 1:
        return word.lower()
    if how == 2:
        return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(word))
    if how == 3 and word[:1].isalpha():
        # Neo4j reads \u0053 as S before lexing; LadybugDB fails on it.
        return f"\\u{ord(word[0]):04x}{word[1:]}"
    return word


@st.composite
def obfuscated(draw: st.DrawFn, dialect: str) -> str:
    tokens = draw(st.sampled_from(HOSTILE["both"] + HOSTILE[dialect]))
    spelled = [
        _spell(t, draw(st.integers(0, 3))) if t.isalpha() else t  # keywords only
        for t in tokens
    ]
    # Half the gaps plain spaces, so that many examples are otherwise valid Cypher.
    gap = st.one_of(st.just(" "), st.sampled_from(GAPS))
    gaps = draw(st.lists(gap, min_size=len(tokens), max_size=len(tokens)))
    body = "".join(g + t for g, t in zip(gaps, spelled, strict=True))
    return draw(st.sampled_from(PREFIXES)) + body + draw(st.sampled_from(SUFFIXES))


def test_obfuscated_hostile_queries_change_and_leak_nothing(reader: Store, files: dict) -> None:
    before = _state(reader)
    fill = {"secret": str(files["secret"]), "out": str(files["out"])}

    def harmless(cypher: str) -> None:
        for key, value in fill.items():
            cypher = cypher.replace("{" + key + "}", value)
        try:
            rows = reader.query(cypher).rows
        except GraphthbError:
            rows = []  # refused by the guard or failed in the engine: both harmless
        assert MARKER not in str(rows), cypher
        assert _state(reader) == before, cypher
        assert list(files["out"].iterdir()) == [], cypher

    # Every hostile query behind every prefix once, then hypothesis's spellings.
    for tokens in HOSTILE["both"] + HOSTILE[_dialect(reader)]:
        for prefix in PREFIXES:
            harmless(prefix + " ".join(tokens))

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        database=None,
    )
    @given(obfuscated(_dialect(reader)))
    def attempt(cypher: str) -> None:
        harmless(cypher)

    attempt()


@pytest.mark.neo4j
def test_a_read_only_open_of_neo4j_writes_no_schema(
    neo4j_store: Store, neo4j_server: dict[str, str]
) -> None:
    creds = {"user": neo4j_server["user"], "password": neo4j_server["password"]}
    neo4j_store.query("DROP CONSTRAINT graphthb_wallet_key IF EXISTS", write=True)
    try:
        with open_store(neo4j_server["uri"], read_only=True, **creds) as reader:
            names = [r[0] for r in reader.query("SHOW CONSTRAINTS YIELD name").rows]
        assert "graphthb_wallet_key" not in names
    finally:
        open_store(neo4j_server["uri"], **creds).close()  # puts the constraint back
    names = [r[0] for r in neo4j_store.query("SHOW CONSTRAINTS YIELD name").rows]
    assert "graphthb_wallet_key" in names


def test_the_group_label_is_quoted_in_code_only(embedded_store: Store) -> None:
    # LadybugDB reserves GROUP: the store quotes the label, never a string's text.
    cypher = "MATCH (g:Group) WITH count(g) AS n RETURN ':Group // x' AS s, n"
    rows = embedded_store.query(cypher).rows
    assert rows == [[":Group // x", 0]]
