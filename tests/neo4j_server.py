"""A real Neo4j 5.26 Community server for the tests, from jars Maven fetched.

Nothing but Java 17+, Maven and Python is needed: Maven resolves the Community
edition from Maven Central (tests/neo4j/pom.xml) once into
``${XDG_CACHE_HOME:-~/.cache}/graphthb/neo4j-VERSION/lib``, and the server runs
straight from those jars as ``java -cp 'lib/*' org.neo4j.server.CommunityEntryPoint``.

Each server lives in one home folder: ``conf/neo4j.conf`` (rewritten on every
start), ``data/``, ``logs/`` and ``neo4j.out`` (the process's stdout and stderr,
which carries the user log). It listens on 127.0.0.1 only, Bolt alone (no HTTP),
with authentication on: before the first start the admin tool's
``dbms set-initial-password`` gives user ``neo4j`` a random password, kept in
``graphthb-neo4j.json`` in the home so a restart finds it again.

From the tests::

    server = Neo4jServer()
    server.start(tmp_path / "neo4j")     # waits until Bolt answers
    ... server.uri, server.user, server.password ...
    server.kill()                         # SIGKILL, as a crash would
    server.restart()                      # same home, port and password
    server.stop()

From a shell::

    python tests/neo4j_server.py fetch                 # only cache the jars
    eval "$(python tests/neo4j_server.py start --dir /tmp/neo)"   # NEO4J_* exported
    python tests/neo4j_server.py stop --dir /tmp/neo
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
POM = HERE / "neo4j" / "pom.xml"

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
USER = "neo4j"

START_TIMEOUT = 120.0  # seconds until Bolt must answer
STOP_TIMEOUT = 60.0  # seconds of graceful shutdown before SIGKILL
MAVEN_TIMEOUT = 1800.0
LOG_TAIL = 30

STATE_FILE = "graphthb-neo4j.json"  # port and password, kept in the home
CONNECTION_FILE = "connection.json"  # written by the `start` command
OUT_FILE = "neo4j.out"  # the server's stdout and stderr

# JVM options the neo4j launcher script would otherwise add (see the
# server.jvm.additional lines of a stock neo4j.conf); heap comes from start().
# Tuned for short-lived test servers on small machines, measured on 2 cores:
# C1 only (TieredStopAtLevel=1) and the serial collector halve the CPU a start
# takes (about 14 s -> 7 s) and a 60k-row MERGE load too (14 s -> 7 s): C2
# compiling Cypher and kernel code never pays back within a test run.
JVM_OPTIONS = [
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:+ExitOnOutOfMemoryError",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:-UsePerfData",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "-Djava.awt.headless=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
]


class Neo4jServerError(RuntimeError):
    """The test server could not be fetched, started or stopped."""


# --------------------------------------------------------------------------
# The jars


def neo4j_version() -> str:
    """The Neo4j version tests/neo4j/pom.xml asks for."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    node = ET.parse(POM).getroot().find("m:properties/m:neo4j.version", ns)
    if node is None or not (node.text or "").strip():
        raise Neo4jServerError(f"{POM} has no <neo4j.version> property")
    return node.text.strip()


def cache_dir() -> Path:
    """``${XDG_CACHE_HOME:-~/.cache}/graphthb/neo4j-VERSION``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "graphthb" / f"neo4j-{neo4j_version()}"


def _pom_stamp() -> str:
    return hashlib.sha256(POM.read_bytes()).hexdigest()


def _jars_ready(lib: Path) -> bool:
    marker = lib / ".complete"
    return marker.is_file() and marker.read_text().strip() == _pom_stamp()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock across processes (parallel test runs fetch only once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_jars() -> Path:
    """The folder of Neo4j server jars, fetched by Maven on first use.

    Reused as long as tests/neo4j/pom.xml is unchanged; Maven's own repository
    (~/.m2) keeps the downloads too, so a refetch is offline and quick.
    """
    version = neo4j_version()
    root = cache_dir()
    lib = root / "lib"
    if _jars_ready(lib):
        return lib
    with _locked(root / ".lock"):
        if _jars_ready(lib):  # another process fetched while we waited
            return lib
        mvn = shutil.which("mvn")
        if mvn is None:
            raise Neo4jServerError(
                "Maven (mvn) is not on PATH; it is needed once to fetch Neo4j "
                f"{version} from Maven Central (or set NEO4J_URI to a running server)"
            )
        staging = Path(tempfile.mkdtemp(prefix="lib-", dir=root))
        cmd = [
            mvn,
            "-B",
            "-q",
            "-Dstyle.color=never",
            "-f",
            str(POM),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
        ]
        try:
            try:
                done = subprocess.run(
                    cmd,
                    cwd=POM.parent,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    timeout=MAVEN_TIMEOUT,
                )
            except subprocess.TimeoutExpired as exc:
                raise Neo4jServerError(
                    f"Maven did not finish fetching Neo4j {version} in {MAVEN_TIMEOUT:.0f} s"
                ) from exc
            if done.returncode != 0:
                output = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout).strip()
                tail = "\n".join(output.splitlines()[-LOG_TAIL:])
                raise Neo4jServerError(
                    f"Maven could not fetch Neo4j {version} (exit {done.returncode}) "
                    f"with: {shlex.join(cmd)}\n{tail}"
                )
            if not (staging / f"neo4j-{version}.jar").is_file():
                raise Neo4jServerError(
                    f"Maven finished but neo4j-{version}.jar is not in {staging}; check {POM}"
                )
            (staging / ".complete").write_text(_pom_stamp() + "\n")
            if lib.exists():
                shutil.rmtree(lib)
            staging.rename(lib)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return lib


# --------------------------------------------------------------------------
# Processes


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME", "")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    java = shutil.which("java")
    if java is None:
        raise Neo4jServerError("Java (17 or 21) is not on PATH and JAVA_HOME is not set")
    return java


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_is_free(port: int) -> bool:
    """Whether Neo4j could listen on port: like Neo4j, bind with SO_REUSEADDR, so
    connections of a killed server lingering in TIME_WAIT do not count."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def pid_alive(pid: int) -> bool:
    """Whether pid runs (a zombie, dead but not reaped yet, does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc: trust kill(0)
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _is_our_server(pid: int, home: Path) -> bool:
    """Whether pid is a Neo4j server of this home (pids get reused)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return pid_alive(pid)
    return ENTRY_POINT.encode() in args and f"--home-dir={home}".encode() in args


def _wait_gone(pid: int, proc: subprocess.Popen[bytes] | None, timeout: float) -> bool:
    if proc is not None:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _end(pid: int, proc: subprocess.Popen[bytes] | None, graceful: bool) -> None:
    """SIGTERM and wait (if graceful), then SIGKILL and wait."""
    if graceful:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if _wait_gone(pid, proc, STOP_TIMEOUT):
            return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if not _wait_gone(pid, proc, 30):
        raise Neo4jServerError(f"Neo4j (pid {pid}) is still running after SIGKILL")


def _die_with_parent() -> Any:
    """A preexec_fn asking Linux to SIGTERM the child when this process dies,
    so a crashed or interrupted test run leaves no server behind."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved before the fork
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))

    return preexec


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (it holds a password)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    tmp.replace(path)


# --------------------------------------------------------------------------
# The server


class Neo4jServer:
    """One Neo4j Community server process, on loopback, with auth on."""

    def __init__(self) -> None:
        self.home: Path | None = None
        self.bolt_port: int | None = None
        self.heap = "256m"
        self.user = USER
        self.password = ""
        self.pid: int | None = None
        self.start_seconds: float | None = None  # how long the last start took
        self._detach = False
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        if self.bolt_port is None:
            raise Neo4jServerError("the server has not been started")
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def running(self) -> bool:
        return self.pid is not None and pid_alive(self.pid)

    def __enter__(self) -> Neo4jServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- life cycle

    def start(
        self,
        home: Path | str,
        bolt_port: int | None = None,
        heap: str = "256m",
        *,
        detach: bool = False,
    ) -> Neo4jServer:
        """Start Neo4j in home and wait until Bolt answers.

        A home that already holds a store keeps its data, password and (unless
        bolt_port says otherwise, or another process took it) its port.
        detach=True lets the server outlive this Python process.
        """
        if self.running:
            raise Neo4jServerError(f"Neo4j is already running (pid {self.pid})")
        began = time.monotonic()
        home = Path(home).expanduser().resolve()
        home.mkdir(parents=True, exist_ok=True)
        state = self._read_state(home)
        first_start = not (home / "data" / "databases" / "system").exists()
        if not first_start and not state.get("password"):
            raise Neo4jServerError(
                f"{home} holds a Neo4j store but no {STATE_FILE} with its password; "
                "use an empty folder"
            )
        if bolt_port is None:
            saved = state.get("bolt_port")
            bolt_port = saved if isinstance(saved, int) and _port_is_free(saved) else free_port()
        elif not _port_is_free(bolt_port):
            raise Neo4jServerError(f"port {bolt_port} on 127.0.0.1 is already in use")
        self.home, self.bolt_port, self.heap, self._detach = home, bolt_port, heap, detach
        self.password = secrets.token_urlsafe(24) if first_start else str(state["password"])

        lib = ensure_jars()
        java = _java()
        conf_dir = home / "conf"
        conf_dir.mkdir(exist_ok=True)
        (conf_dir / "neo4j.conf").write_text(self._config(), encoding="utf-8")
        if first_start:
            self._set_initial_password(java, lib)
        _write_private(
            home / STATE_FILE,
            json.dumps({"bolt_port": self.bolt_port, "password": self.password}, indent=2) + "\n",
        )
        self._launch(java, lib, detach)
        try:
            self._wait_ready(began + START_TIMEOUT)
        except BaseException:
            self.kill()  # never leave a half-started server behind
            raise
        self.start_seconds = time.monotonic() - began
        return self

    def restart(self) -> Neo4jServer:
        """Start again on the same home, port and password (stopping first if up)."""
        if self.home is None:
            raise Neo4jServerError("restart() before start()")
        self.stop()
        return self.start(self.home, self.bolt_port, self.heap, detach=self._detach)

    def stop(self) -> None:
        """Graceful shutdown (SIGTERM), then SIGKILL after STOP_TIMEOUT seconds."""
        self._end(graceful=True)

    def kill(self) -> None:
        """SIGKILL now, as a crash or power cut would; restart() recovers."""
        self._end(graceful=False)

    def _end(self, graceful: bool) -> None:
        if self.pid is None:
            return
        _end(self.pid, self._proc, graceful)
        self.pid, self._proc = None, None

    # ---- pieces of start()

    @staticmethod
    def _read_state(home: Path) -> dict[str, Any]:
        try:
            return json.loads((home / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _config(self) -> str:
        port = self.bolt_port
        lines = [
            "# Written by tests/neo4j_server.py on every start; edits are lost.",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            "server.bolt.enabled=true",
            "server.bolt.tls_level=DISABLED",
            f"server.bolt.listen_address=127.0.0.1:{port}",
            f"server.bolt.advertised_address=127.0.0.1:{port}",
            "server.http.enabled=false",
            "server.https.enabled=false",
            "dbms.security.auth_enabled=true",
            # Tests try wrong passwords on purpose; no lock-out of the real user.
            "dbms.security.auth_max_failed_attempts=0",
            "dbms.usage_report.enabled=false",
            # Only read by the launcher script; here for the record, the JVM
            # gets -Xms/-Xmx directly.
            f"server.memory.heap.initial_size={self.heap}",
            f"server.memory.heap.max_size={self.heap}",
            "server.memory.pagecache.size=64m",
            "db.logs.query.enabled=OFF",
            # Small, lazily grown transaction logs: test homes sit in /tmp.
            "db.tx_log.preallocate=false",
            "db.tx_log.rotation.size=32M",
            "db.tx_log.rotation.retention_policy=2 files",
            # Bolt's default shutdown waits 10 s for idle network threads.
            "internal.dbms.bolt.netty_server_shutdown_quiet_period=0",
            "internal.dbms.bolt.netty_server_shutdown_timeout=3s",
        ]
        return "\n".join(lines) + "\n"

    def _set_initial_password(self, java: str, lib: Path) -> None:
        assert self.home is not None
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")}
        done = subprocess.run(
            [java, "-cp", f"{lib}/*", ADMIN_TOOL, "dbms", "set-initial-password", self.password],
            env=env,
            cwd=self.home,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
        )
        if done.returncode != 0:
            raise Neo4jServerError(
                f"neo4j-admin dbms set-initial-password failed (exit {done.returncode}):\n"
                + done.stdout.strip().replace(self.password, "***")
            )

    def _launch(self, java: str, lib: Path, detach: bool) -> None:
        assert self.home is not None
        cmd = [
            java,
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            *JVM_OPTIONS,
            "-cp",
            f"{lib}/*",
            ENTRY_POINT,
            f"--home-dir={self.home}",
            f"--config-dir={self.home / 'conf'}",
            "--console-mode",  # the user log goes to stdout, i.e. neo4j.out
        ]
        out = self.home / OUT_FILE
        with out.open("ab") as log:
            log.write(
                f"\n=== graphthb: starting Neo4j {neo4j_version()} on {self.uri} "
                f"at {time.strftime('%Y-%m-%d %H:%M:%S')} ===\n".encode()
            )
            log.flush()
            self._proc = subprocess.Popen(
                cmd,
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # no terminal signals (Ctrl-C) go to it directly
                preexec_fn=None if detach else _die_with_parent(),
            )
        self.pid = self._proc.pid

    def _wait_ready(self, deadline: float) -> None:
        """Poll until Bolt accepts our login and the default database answers."""
        import neo4j
        from neo4j.exceptions import AuthError

        assert self._proc is not None
        last: Exception | None = None
        with neo4j.GraphDatabase.driver(
            self.uri,
            auth=(self.user, self.password),
            connection_timeout=2.0,
            connection_acquisition_timeout=5.0,  # bounds the Bolt handshake too
            max_connection_pool_size=1,
        ) as driver:
            while True:
                code = self._proc.poll()
                if code is not None:
                    raise Neo4jServerError(
                        f"Neo4j exited with code {code} while starting; "
                        f"last lines of {self.home / OUT_FILE}:\n{self.log_tail()}"
                    )
                try:
                    driver.verify_connectivity()
                    driver.execute_query("RETURN 1")
                    return
                except AuthError as exc:
                    raise Neo4jServerError(
                        f"Neo4j refused the generated password for '{self.user}': {exc}"
                    ) from exc
                except Exception as exc:  # not up yet: refused, reset, unavailable
                    last = exc
                if time.monotonic() > deadline:
                    raise Neo4jServerError(
                        f"Neo4j did not answer on {self.uri} within {START_TIMEOUT:.0f} s "
                        f"(last error: {last}); last lines of {self.home / OUT_FILE}:\n"
                        f"{self.log_tail()}"
                    )
                time.sleep(0.25)

    def log_tail(self, lines: int = LOG_TAIL) -> str:
        """The last lines the server printed since it was last started."""
        if self.home is None:
            return ""
        try:
            text = (self.home / OUT_FILE).read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        text = text.rsplit("=== graphthb: starting", 1)[-1]
        tail = text.strip().splitlines()[1:][-lines:]
        return "\n".join(tail) or f"(nothing; see {self.home / 'logs' / 'debug.log'})"


# --------------------------------------------------------------------------
# Command line


def _cmd_fetch(_: argparse.Namespace) -> int:
    began = time.monotonic()
    lib = ensure_jars()
    jars = list(lib.glob("*.jar"))
    size = sum(j.stat().st_size for j in jars)
    print(
        f"Neo4j {neo4j_version()}: {len(jars)} jars, {size / 2**20:.0f} MiB in {lib} "
        f"({time.monotonic() - began:.1f} s)",
        file=sys.stderr,
    )
    return 0


def _cmd_start(args: argparse.Namespace) -> int:
    home = Path(args.dir).expanduser().resolve()
    info = _read_connection(home)
    if info and pid_alive(info["pid"]) and _is_our_server(info["pid"], home):
        print(f"Neo4j is already running in {home} (pid {info['pid']})", file=sys.stderr)
        return 1
    server = Neo4jServer().start(home, args.port, args.heap, detach=True)
    info = {"uri": server.uri, "user": server.user, "password": server.password, "pid": server.pid}
    _write_private(home / CONNECTION_FILE, json.dumps(info, indent=2) + "\n")
    print(
        f"Neo4j {neo4j_version()} up on {server.uri} (pid {server.pid}) in "
        f"{server.start_seconds:.1f} s; stop with: {sys.argv[0]} stop --dir {home}",
        file=sys.stderr,
    )
    print(f"export NEO4J_URI={shlex.quote(server.uri)}")
    print(f"export NEO4J_USERNAME={shlex.quote(server.user)}")
    print(f"export NEO4J_PASSWORD={shlex.quote(server.password)}")
    return 0


def _cmd_stop(args: argparse.Namespace) -> int:
    home = Path(args.dir).expanduser().resolve()
    info = _read_connection(home)
    if not info:
        print(f"no {CONNECTION_FILE} in {home}: nothing to stop", file=sys.stderr)
        return 0
    pid = info["pid"]
    if pid_alive(pid) and _is_our_server(pid, home):
        _end(pid, None, graceful=True)
        print(f"Neo4j (pid {pid}) stopped", file=sys.stderr)
    else:
        print(f"Neo4j (pid {pid}) was not running", file=sys.stderr)
    (home / CONNECTION_FILE).unlink(missing_ok=True)
    return 0


def _read_connection(home: Path) -> dict[str, Any] | None:
    try:
        info = json.loads((home / CONNECTION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) and isinstance(info.get("pid"), int) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="neo4j_server.py",
        description="A Neo4j Community test server from jars Maven fetches.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="fetch and cache the server jars only").set_defaults(
        run=_cmd_fetch
    )
    start = sub.add_parser(
        "start",
        help="start a server that outlives this command; prints export lines",
    )
    start.add_argument("--dir", required=True, help="the server's home folder")
    start.add_argument("--port", type=int, default=None, help="Bolt port (default: a free one)")
    start.add_argument("--heap", default="256m", help="JVM heap (default: 256m)")
    start.set_defaults(run=_cmd_start)
    stop = sub.add_parser("stop", help="stop the server started in --dir")
    stop.add_argument("--dir", required=True, help="the server's home folder")
    stop.set_defaults(run=_cmd_stop)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except Neo4jServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
