"""What an analyst's query may do without ``--write``: read the graph, nothing else.

Both stores run analyst Cypher through :func:`read_only_text` before the
database sees it. The guard does not search the raw text for words: that was
fooled by ``'//'`` in a string hiding the rest of the line from a comment
stripper. It tokenises the query the way the engines' lexers do (string
literals with their escapes, backtick names, ``//`` and ``/* */`` comments)
and judges only the tokens that are code. The text the database then runs has
those comments blanked out, so a comment that ends somewhere else for the
engine than for the guard cannot exist in it.

What is refused, and why each rule is there:

- more than one statement: a second one would not be judged in the context of
  the first (``CALL show_tables() RETURN *; CALL threads=1``);
- control and invisible characters (zero-width spaces, bidirectional overrides,
  line separators) and ``\\u`` escapes anywhere: Neo4j decodes ``\\u0027`` into a
  quote and ``\\u0053`` into an ``S`` before it lexes, so ``\\u0053ET`` is ``SET``
  there; values like these go in as ``--param``;
- clauses that change the store, read or write files outside it, attach other
  databases or load extensions, and transaction control;
- ``CALL`` of any procedure that is not on a short list of schema reads, and
  on Neo4j the APOC and ``dbms`` functions that reach files, the network or
  the server's administration.

The embedded store is also opened read-only for such queries and Neo4j runs
them in read transactions, so a write the guard missed is still refused by the
engine: the guard is mostly there for what a read-only engine still allows
(``COPY ... TO``, ``LOAD FROM``, ``EXPORT DATABASE`` on LadybugDB, ``LOAD CSV``
on Neo4j).
"""

from __future__ import annotations

import unicodedata
from typing import Literal, NamedTuple

from graphthb.errors import QueryError

__all__ = ["QueryRefused", "Token", "quote_labels", "read_only_text", "tokenise"]

Dialect = Literal["embedded", "neo4j"]


class QueryRefused(QueryError):
    """A query without ``--write`` tried more than reading the graph."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"refused without --write: {reason}")


class Token(NamedTuple):
    #: ``word`` (keyword, name or number), ``name`` (a backtick name), ``string``,
    #: ``comment`` or ``punct`` (one character)
    kind: str
    text: str
    pos: int


# The escapes both engines define inside a string literal (\u is refused anywhere).
_STRING_ESCAPES = set("\\'\"bfnrt")
_ASCII_WORD = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def tokenise(cypher: str) -> list[Token]:
    """The tokens of ``cypher``, whitespace left out, comments kept as tokens.

    A word is a run of ASCII letters, digits and underscores; any other
    character that is not a quote, a comment or whitespace is a token of its
    own. Splitting more finely than the engines do is on purpose: ``SETª``
    may be one name to an engine, but never hides a ``SET`` from the guard.
    """
    tokens: list[Token] = []
    i, n = 0, len(cypher)
    while i < n:
        ch = cypher[i]
        if ch in "'\"":
            end = _string_end(cypher, i)
            tokens.append(Token("string", cypher[i:end], i))
            i = end
        elif ch == "`":
            end = i + 1
            while True:
                close = cypher.find("`", end)
                if close < 0:
                    raise QueryRefused(f"a `name` opened at offset {i} is never closed")
                end = close + 1
                # A doubled backtick is one backtick inside the name, on both engines.
                if not cypher.startswith("`", end):
                    break
                end += 1
            tokens.append(Token("name", cypher[i:end], i))
            i = end
        elif cypher.startswith("//", i):
            end = i + 2
            while end < n and cypher[end] not in "\r\n":
                end += 1
            tokens.append(Token("comment", cypher[i:end], i))
            i = end
        elif cypher.startswith("/*", i):
            close = cypher.find("*/", i + 2)
            if close < 0:
                raise QueryRefused(f"a /* comment opened at offset {i} is never closed")
            tokens.append(Token("comment", cypher[i : close + 2], i))
            i = close + 2
        elif ch in _ASCII_WORD:
            end = i + 1
            while end < n and cypher[end] in _ASCII_WORD:
                end += 1
            tokens.append(Token("word", cypher[i:end], i))
            i = end
        elif ch.isspace():
            i += 1
        else:
            tokens.append(Token("punct", ch, i))
            i += 1
    return tokens


def _string_end(cypher: str, start: int) -> int:
    quote, i, n = cypher[start], start + 1, len(cypher)
    while i < n:
        ch = cypher[i]
        if ch == "\\":
            i += 2
        elif ch == quote:
            return i + 1
        else:
            i += 1
    raise QueryRefused(f"a string opened at offset {start} is never closed")


def _check_escapes(string: Token) -> None:
    text, i = string.text, 1
    while i < len(text) - 1:
        if text[i] == "\\":
            if text[i + 1] not in _STRING_ESCAPES:
                # LadybugDB refuses an unknown escape and Neo4j keeps it as
                # text: where the engines differ, the guard does not guess.
                raise QueryRefused(
                    f"unknown escape \\{text[i + 1]} in a string at offset {string.pos}; "
                    "pass such values with --param"
                )
            i += 2
        else:
            i += 1


# Clauses that change the store, wherever they stand in a query.
_WRITES = {
    "CREATE",
    "MERGE",
    "SET",
    "DELETE",
    "DETACH",
    "REMOVE",
    "DROP",
    "ALTER",
    "RENAME",
    "FOREACH",
    "COMMENT",
    "CHECKPOINT",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "TRANSACTIONS",
    "PERIODIC",
}
# Clauses that reach outside the store: files, other databases, extensions.
_OUTSIDE = {
    "LOAD": "reads files",
    "COPY": "reads or writes files",
    "IMPORT": "reads files",
    "EXPORT": "writes files",
    "ATTACH": "opens another database",
    "USE": "switches to another database",
    "INSTALL": "installs an extension",
    "UNINSTALL": "removes an extension",
}
# A statement starts with one of these; everything else (SHOW on Neo4j aside)
# is a command, not a query: GRANT, TERMINATE, START DATABASE, CREATE MACRO...
_FIRST_WORDS = {"MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL"}
_PREFIXES = {"EXPLAIN", "PROFILE"}

#: Procedures a read-only query may CALL: schema reads, nothing that writes,
#: sets an option or touches a file (LadybugDB's read_csv and file_info, say).
READ_PROCEDURES: dict[str, set[str]] = {
    "embedded": {
        "show_tables",
        "table_info",
        "show_connection",
        "show_functions",
        "show_indexes",
        "db_version",
        "current_setting",
    },
    "neo4j": {
        "db.labels",
        "db.relationshiptypes",
        "db.propertykeys",
        "db.schema.visualization",
        "db.schema.nodetypeproperties",
        "db.schema.reltypeproperties",
    },
}
# Neo4j's schema procedures, named on the embedded store: say what to use there.
_EMBEDDED_INSTEAD = "CALL show_tables() RETURN * lists the embedded store's tables"

# APOC function families that compute on values only; the rest of APOC loads
# and exports files, fetches URLs or runs Cypher given as text.
_APOC_PURE = {
    "agg",
    "any",
    "bitwise",
    "coll",
    "convert",
    "date",
    "hashing",
    "label",
    "map",
    "math",
    "node",
    "nodes",
    "number",
    "rel",
    "scoring",
    "temporal",
    "text",
}
# SHOW on Neo4j: schema and catalogue listings, and the transactions the
# server's privileges let this user see (a session checks its own metadata so);
# not users, roles, databases, servers or settings.
_SHOW_NOUNS = {
    "TRANSACTION",
    "TRANSACTIONS",
    "INDEX",
    "INDEXES",
    "CONSTRAINT",
    "CONSTRAINTS",
    "PROCEDURE",
    "PROCEDURES",
    "FUNCTION",
    "FUNCTIONS",
}
_SHOW_WORDS = _SHOW_NOUNS | {
    "ALL",
    "RANGE",
    "TEXT",
    "POINT",
    "LOOKUP",
    "FULLTEXT",
    "VECTOR",
    "UNIQUE",
    "UNIQUENESS",
    "EXIST",
    "EXISTENCE",
    "NODE",
    "RELATIONSHIP",
    "REL",
    "KEY",
    "PROPERTY",
    "TYPE",
    "BUILT",
    "IN",
    "USER",
    "DEFINED",
}
_SHOW_END = {"YIELD", "WHERE", "RETURN"}
_SHOW_REFUSED = "SHOW lists only indexes, constraints, procedures, functions and transactions"


def read_only_text(cypher: str, dialect: Dialect) -> str:
    """The text to run for a query without ``--write``, or :class:`QueryRefused`.

    The text returned is the query's own tokens without its comments and
    without a closing ``;``.
    """
    _check_characters(cypher)
    tokens = tokenise(cypher)
    code = [t for t in tokens if t.kind != "comment"]
    for t in code:
        if t.kind == "string":
            _check_escapes(t)
    if code and code[-1].text == ";":
        code.pop()
    if not code:
        raise QueryError("the query is empty")
    for t in code:
        if t.text == ";":
            raise QueryRefused(f"several statements (a ';' at offset {t.pos}); run one at a time")
    _check_statement(code, dialect)
    return _rebuild(cypher, tokens)


def _check_characters(cypher: str) -> None:
    for pos, ch in enumerate(cypher):
        if ch in "\t\n\r":
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            raise QueryRefused(
                f"the query holds the invisible or control character U+{ord(ch):04X} at "
                f"offset {pos}; pass such values with --param"
            )
    lower = cypher.lower()
    at = lower.find("\\u")
    if at >= 0:
        raise QueryRefused(
            f"the query holds a \\u escape at offset {at}; Neo4j decodes those before "
            "reading the query, so pass such values with --param"
        )


def _keyword(code: list[Token], i: int) -> str | None:
    """The word at ``i`` in upper case if it stands where a keyword can,
    not as a property (``a.set``), label (``:Set``) or parameter (``$set``)."""
    t = code[i]
    if t.kind != "word":
        return None
    if i and code[i - 1].kind == "punct" and code[i - 1].text in ".:$":
        return None
    return t.text.upper()


def _check_statement(code: list[Token], dialect: Dialect) -> None:
    start = 0
    while start < len(code) and _keyword(code, start) in _PREFIXES:
        start += 1
    first = _keyword(code, start) if start < len(code) else None
    if first == "SHOW" and dialect == "neo4j":
        start = _check_show(code, start)
    elif first not in _FIRST_WORDS:
        shown = code[start].text if start < len(code) else code[-1].text
        if first == "SHOW":
            raise QueryError(f"the embedded store has no SHOW; {_EMBEDDED_INSTEAD}")
        if first in _OUTSIDE:
            _refuse_outside(first)
        if first in _WRITES:
            _refuse_write(first)
        raise QueryRefused(
            f"{shown!s} is not a query clause; a query starts with MATCH, OPTIONAL MATCH, "
            "WITH, UNWIND, RETURN or CALL"
        )
    for i in range(start, len(code)):
        if dialect == "neo4j":
            _check_function(code, i)
        word = _keyword(code, i)
        if word in _WRITES:
            _refuse_write(word)
        if word in _OUTSIDE:
            _refuse_outside(word)
        if word == "CALL":
            _check_call(code, i, dialect)


def _refuse_write(word: str) -> None:
    raise QueryRefused(f"{word} changes the store")


def _refuse_outside(word: str) -> None:
    raise QueryRefused(f"{word} {_OUTSIDE[word]}; a query reads the graph and nothing else")


def _dotted_name(code: list[Token], i: int) -> tuple[str, int]:
    """The dotted name starting at ``i`` (words or backtick names), and the
    index after it."""
    parts: list[str] = []
    while i < len(code) and code[i].kind in ("word", "name"):
        t = code[i]
        parts.append(t.text[1:-1].replace("``", "`") if t.kind == "name" else t.text)
        i += 1
        if i + 1 < len(code) and code[i].text == "." and code[i + 1].kind in ("word", "name"):
            i += 1
            continue
        break
    return ".".join(parts), i


def _check_call(code: list[Token], i: int, dialect: Dialect) -> None:
    nxt = code[i + 1] if i + 1 < len(code) else None
    if nxt is None:
        raise QueryRefused("CALL of nothing")
    if nxt.kind == "punct" and nxt.text in "{(":
        return  # a subquery: its clauses are judged like the rest of the query
    name, _ = _dotted_name(code, i + 1)
    if name.lower() in READ_PROCEDURES[dialect]:
        return
    if dialect == "embedded" and name.lower() in READ_PROCEDURES["neo4j"]:
        # Not a matter of --write: the engine has no such procedure at all.
        raise QueryError(f"{name}() is a Neo4j procedure; {_EMBEDDED_INSTEAD}")
    allowed = ", ".join(sorted(READ_PROCEDURES[dialect]))
    raise QueryRefused(f"CALL {name or nxt.text}; the procedures allowed are {allowed}")


def _check_function(code: list[Token], i: int) -> None:
    """Refuse an APOC or dbms function that reaches outside the values it is given."""
    if code[i].kind not in ("word", "name") or (i and code[i - 1].text == "."):
        return
    name, after = _dotted_name(code, i)
    parts = name.lower().split(".")
    if parts[0] not in ("apoc", "dbms") or after >= len(code) or code[after].text != "(":
        return
    if parts[0] == "apoc" and len(parts) > 2 and parts[1] in _APOC_PURE:
        return
    raise QueryRefused(f"{name}() may reach files, the network or the server")


def _check_show(code: list[Token], start: int) -> int:
    """Refuse a SHOW of anything but the listings above; the index of what follows."""
    nouns, i = 0, start + 1
    while i < len(code):
        word = code[i].text.upper() if code[i].kind == "word" else None
        if word in _SHOW_END:
            break
        if word not in _SHOW_WORDS:
            raise QueryRefused(_SHOW_REFUSED)
        nouns += word in _SHOW_NOUNS
        i += 1
    if not nouns:
        raise QueryRefused(_SHOW_REFUSED)
    return i


def _rebuild(cypher: str, tokens: list[Token]) -> str:
    """``cypher`` with its comments blanked and a last ``;`` dropped.

    A comment becomes as many spaces, its line breaks kept, so that the lines
    and offsets in the engine's error messages still point into the analyst's text.
    """
    out, pos = [], 0
    for t in tokens:
        if t.kind == "comment":
            out.append(cypher[pos : t.pos])
            out.append("".join(c if c == "\n" else " " for c in t.text))
            pos = t.pos + len(t.text)
    out.append(cypher[pos:])
    text = "".join(out).rstrip()
    return text[:-1] if text.endswith(";") else text


def quote_labels(cypher: str, label: str) -> str:
    """``cypher`` with ``:label`` written `` :`label` `` outside strings and comments.

    LadybugDB reserves some words that are labels here (GROUP); analysts write
    ``(g:Group)`` as on Neo4j and the embedded store quotes it before running.
    """
    try:
        tokens = tokenise(cypher)
    except QueryRefused:
        return cypher  # the engine reports the unclosed string or comment itself
    out, pos = [], 0
    for i, t in enumerate(tokens):
        if (
            t.kind == "word"
            and t.text == label
            and i
            and tokens[i - 1].kind == "punct"
            and tokens[i - 1].text == ":"
        ):
            out.append(cypher[pos : t.pos])
            out.append(f"`{label}`")
            pos = t.pos + len(t.text)
    out.append(cypher[pos:])
    return "".join(out)
