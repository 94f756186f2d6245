"""Neo4j for the benchmarks: a fresh server per measurement, or a server the caller names.

A fresh server per measurement means each load starts from an empty database
with a cold JVM, graphthb and the references alike, and the server's own peak
memory (``VmHWM``) belongs to one measurement. It is the test suite's server
(tests/neo4j_server.py) with three changes, all listed in RESULTS.md:

* ``server.memory.pagecache.size`` raised from the tests' 64 MiB (a million
  records make a store of several hundred MiB);
* ``LOAD CSV`` allowed from ``NEO4J_HOME/import`` (``server.directories.import``,
  ``dbms.security.allow_csv_import_from_file_urls``), with RFC 4180 quoting only
  (``dbms.import.csv.legacy_quote_escaping=false``, so a backslash before a quote
  in an ad's text is not read as an escape);
* the JVM may use its optimising compiler: the tests stop at C1
  (``-XX:TieredStopAtLevel=1``), which is right for seconds-long tests and
  wrong for loads of minutes.

With ``uri`` given (``--neo4j-uri``, as the test suite does with its own server)
the database is emptied before each measurement instead, and ``LOAD CSV``
reads the files over HTTP from this process, since the server's import folder
is unknown.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))

import neo4j_server  # noqa: E402

__all__ = [
    "Connection",
    "BenchServer",
    "fresh_server",
    "serve_folder",
    "wipe",
    "server_info",
    "peak_rss_mb",
    "cpu_seconds",
]

PAGECACHE = "2g"
HEAP = "2g"


@dataclass
class Connection:
    uri: str
    user: str
    password: str
    #: where LOAD CSV finds the files: a folder the server reads as file:///, or None
    import_dir: Path | None = None
    pid: int | None = None


class BenchServer(neo4j_server.Neo4jServer):
    """The tests' server with a larger page cache and LOAD CSV from its import folder."""

    pagecache = PAGECACHE

    def _config(self) -> str:
        text = super()._config()
        text = re.sub(
            r"(?m)^server\.memory\.pagecache\.size=.*$",
            f"server.memory.pagecache.size={self.pagecache}",
            text,
        )
        return text + (
            "# Added by benchmarks/neo4j_servers.py\n"
            "server.directories.import=import\n"
            "dbms.security.allow_csv_import_from_file_urls=true\n"
            "dbms.import.csv.legacy_quote_escaping=false\n"
        )


def jvm_options() -> list[str]:
    """The tests' JVM options without the C1-only switch."""
    return [o for o in neo4j_server.JVM_OPTIONS if o != "-XX:TieredStopAtLevel=1"]


@contextlib.contextmanager
def fresh_server(home: Path, heap: str = HEAP, pagecache: str = PAGECACHE) -> Iterator[Connection]:
    """A new server in an empty ``home``, stopped and deleted afterwards."""
    server = BenchServer()
    server.pagecache = pagecache
    saved = neo4j_server.JVM_OPTIONS
    neo4j_server.JVM_OPTIONS = jvm_options()
    try:
        # Once seen: the admin tool failing (exit 64) on a first start and fine on the
        # next, on a machine busy with other servers. One retry, in a clean home.
        for attempt in (1, 2):
            if home.exists():
                shutil.rmtree(home)
            try:
                server.start(home, heap=heap)
                break
            except neo4j_server.Neo4jServerError:
                if attempt == 2:
                    raise
    finally:
        neo4j_server.JVM_OPTIONS = saved
    try:
        (home / "import").mkdir(exist_ok=True)
        yield Connection(server.uri, server.user, server.password, home / "import", server.pid)
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


def peak_rss_mb(pid: int | None) -> float | None:
    """A process's peak resident memory so far (Linux ``VmHWM``), in MB."""
    if pid is None:
        return None
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    m = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(m.group(1)) / 1024 if m else None


def cpu_seconds(pid: int | None) -> float | None:
    """CPU time a process has used so far (user + system), in seconds."""
    if pid is None:
        return None
    try:
        import psutil

        t = psutil.Process(pid).cpu_times()
    except Exception:  # gone, or psutil missing: the figure is only informative
        return None
    return t.user + t.system


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def wipe(conn: Connection) -> None:
    """Empty a server's database (in slices, so no transaction grows large)."""
    import neo4j

    with neo4j.GraphDatabase.driver(conn.uri, auth=(conn.user, conn.password)) as driver:
        while True:
            records, _, _ = driver.execute_query(
                "MATCH (n) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS n"
            )
            if not records[0]["n"]:
                break


def server_info() -> dict[str, str]:
    """The Neo4j version the benchmark servers run, and how they are set up."""
    return {
        "version": neo4j_server.neo4j_version(),
        "heap": HEAP,
        "pagecache": PAGECACHE,
        "jvm": " ".join(o for o in jvm_options() if o.startswith("-XX")),
    }
