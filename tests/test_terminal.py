"""The commands as an analyst runs them: in a real pseudo-terminal, and piped.

CliRunner gives a command no terminal, so a progress display that only breaks
in a terminal (it did: a traceback on every `graphthb load`) is only caught by
running the real program on a real pty.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GRAPHTHB_DB", "COLUMNS", "LINES")}
    env.update(GRAPHTHB_USER="analyst-1", **extra)
    return env


def in_terminal(
    args: list[str], cwd: Path, *, columns: int = 100, answer: bytes | None = None
) -> tuple[int, str]:
    """Run graphthb with stdin, stdout and stderr on a new pty of ``columns``
    columns; return its exit code and everything it wrote to the terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "graphthb", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        env=_env(),
        start_new_session=True,
    )
    os.close(slave)
    out = bytearray()
    deadline = time.monotonic() + 300
    sent = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the program ended and the terminal closed
                break
            if not chunk:
                break
            out += chunk
            if answer is not None and not sent and b"[y/N]" in out:
                os.write(master, answer)
                sent = True
        elif proc.poll() is not None:
            break
    os.close(master)
    code = proc.wait(timeout=60)
    return code, out.decode("utf-8", "replace")


def screen_lines(text: str) -> list[str]:
    """What stays on screen: each line as its last carriage return left it."""
    lines = []
    for raw in text.replace("\r\n", "\n").split("\n"):
        lines.append(_ANSI.sub("", raw.split("\r")[-1]))
    return lines


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the sample loaded and clustered (through the real program, in a pty)."""
    folder = tmp_path_factory.mktemp("terminal")
    code, text = in_terminal(
        ["load", str(SAMPLE / "records.csv"), "--links", str(SAMPLE / "links.csv")], folder
    )
    assert code == 0, text
    (folder / "load.out").write_bytes(text.encode())
    code, text = in_terminal(["cluster"], folder)
    assert code == 0, text
    (folder / "cluster.out").write_bytes(text.encode())
    return folder


def test_load_in_a_terminal_shows_live_progress(case: Path) -> None:
    text = (case / "load.out").read_bytes().decode()
    assert "Traceback" not in text
    # redrawn in place: carriage return and erase-line, then the state
    assert "\r\x1b[Kloading: " in text
    states = [s for s in re.split(r"\r\x1b\[K", text) if s.startswith("loading: ")]
    assert any(re.search(r"[\d,]+ rows, [\d,]+ rows/s, \d+% read", s) for s in states), states
    assert any("records.csv" in s for s in states) and any("links.csv" in s for s in states)
    last = screen_lines(text)
    assert any(line.startswith("loading: ") and "done in" in line for line in last)
    assert "read 3107, loaded 3107, rejected 0" in text


def test_cluster_in_a_terminal_names_its_stages(case: Path) -> None:
    text = (case / "cluster.out").read_bytes().decode()
    assert "Traceback" not in text
    assert "clustering: building the graph" in text
    assert "groups (" in text


def test_no_line_is_wider_than_the_terminal(case: Path) -> None:
    code, text = in_terminal(["groups", "--top", "10"], case, columns=80)
    assert code == 0, text
    lines = [line for line in screen_lines(text) if line.strip()]
    assert len(lines) >= 12 and max(len(line) for line in lines) <= 80, lines
    assert any(line.endswith("…") for line in lines)  # a cut cell says so
    top = lines[2].split()[0]
    code, text = in_terminal(["show", top, "--evidence"], case, columns=80)
    assert code == 0, text
    lines = screen_lines(text)
    assert len(lines) > 40 and max(len(line) for line in lines) <= 80


def test_csv_and_json_keep_full_values(case: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "graphthb", "groups", "--top", "3", "--format", "csv"],
        cwd=case,
        env=_env(COLUMNS="40"),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and "…" not in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) > 40


def test_progress_lines_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    # A log or a CI job: a plain line every few seconds (here every 0.2 s), on stderr only.
    # 20,000 records: the 3,000 of the sample are read in less than 0.2 s on a fast machine.
    world = tmp_path / "world"
    made = subprocess.run(
        [sys.executable, "-m", "graphthb", "synth", "--records", "20000", "-o", str(world)],
        env=_env(),
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    done = subprocess.run(
        [sys.executable, "-m", "graphthb", "load", str(world / "records.csv")],
        cwd=tmp_path,
        env=_env(GRAPHTHB_PROGRESS_SECONDS="0.2"),
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("loading: ")]
    assert len(lines) >= 3, done.stderr
    assert "\r" not in done.stderr and "\x1b" not in done.stderr
    assert "done in" in lines[-1]
    assert any(re.search(r"records.csv, [\d,]+ rows, [\d,]+ rows/s, \d+% read", x) for x in lines)
    assert "loading" not in done.stdout and done.stdout.startswith("read 20000, loaded 20000")


def test_a_step_that_fails_midway_says_how_far_it_got_however_soon() -> None:
    """A load that dies a second in (a server killed, a disk full) prints no
    periodic line yet; its log must still say where it stopped. A quick step
    that succeeds, or fails before doing anything, stays quiet."""
    import io

    from graphthb.progress import Progress

    def run(fail: bool, done: int) -> str:
        out = io.StringIO()
        try:
            with Progress("loading", stream=out, live=False) as progress:
                progress.update(done)
                if fail:
                    raise RuntimeError("server gone")
        except RuntimeError:
            pass
        return out.getvalue()

    assert re.fullmatch(r"loading: 1,234 rows, stopped after \d+ s\n", run(True, 1234))
    assert run(True, 0) == "" and run(False, 1234) == ""


def test_a_purge_from_a_pipe_needs_yes(case: Path, tmp_path: Path) -> None:
    shutil.copytree(case, tmp_path / "copy")
    folder = tmp_path / "copy"

    def run(*args: str, stdin: str = "\n") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "graphthb", *args],
            cwd=folder,
            env=_env(),
            input=stdin,
            capture_output=True,
            text=True,
        )

    ads = run("query", "MATCH (a:Ad) RETURN count(a) AS n", "--format", "csv").stdout
    refused = run("purge", "--source", "crawl-2025Q1")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "Error: purge deletes data and stdin is not a terminal, so it cannot ask: add --yes"
    ]
    assert run("query", "MATCH (a:Ad) RETURN count(a) AS n", "--format", "csv").stdout == ads
    # in a terminal it asks, and "no" keeps everything
    code, text = in_terminal(["purge", "--source", "crawl-2025Q1"], folder, answer=b"n\n")
    assert code == 1 and "delete every fact from source 'crawl-2025Q1'" in text
    assert run("query", "MATCH (a:Ad) RETURN count(a) AS n", "--format", "csv").stdout == ads
    assert run("purge", "--source", "crawl-2025Q1", "--yes").returncode == 0
    assert run("query", "MATCH (a:Ad) RETURN count(a) AS n", "--format", "csv").stdout != ads
