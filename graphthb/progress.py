"""Progress of long commands on stderr: a live line in a terminal, a plain line
every few seconds elsewhere, never anything on stdout.

A thread of its own draws the line, so a step that reports nothing for a while
(a community detection, a database's bulk copy) still shows time passing: in a
log file or a CI job, a minute of silence looks like a hang.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

__all__ = ["Progress", "count_lines", "PLAIN_INTERVAL"]

#: Seconds between two plain lines when stderr is not a terminal.
PLAIN_INTERVAL = 5.0
_LIVE_INTERVAL = 0.25


def _interval() -> float:
    raw = os.environ.get("GRAPHTHB_PROGRESS_SECONDS")
    try:
        return max(0.05, float(raw)) if raw else PLAIN_INTERVAL
    except ValueError:
        return PLAIN_INTERVAL


def count_lines(path: Path) -> int | None:
    """Lines in a text file, counted in binary (about 1 s a gigabyte); None when
    the file is not line-based text (a spreadsheet) or cannot be read."""
    if path.suffix.lower() not in (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json", ""):
        return None
    try:
        with path.open("rb") as fh:
            n, last = 0, b""
            while chunk := fh.read(1 << 20):
                n += chunk.count(b"\n")
                last = chunk[-1:]
    except OSError:
        return None
    return n + (1 if last not in (b"", b"\n") else 0)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class Progress:
    """One long step's progress: ``label`` and, as it goes, a stage, a count of
    ``unit`` done and, when known, the fraction of the whole.

    Use as a context manager. Updates only set numbers; the drawing thread
    reads them, so calling :meth:`update` for every row costs next to nothing.
    """

    def __init__(
        self,
        label: str,
        *,
        unit: str = "rows",
        measured: str = "read",
        stream: TextIO | None = None,
        live: bool | None = None,
    ) -> None:
        self.label = label
        self.unit = unit
        #: what the fraction counts ("read": rows read of the rows in the files)
        self.measured = measured
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.stage = ""
        self.done = 0
        self.fraction: float | None = None
        self._start = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._printed = False
        self._failed = False

    # -- what the work reports ----------------------------------------------------

    def set_stage(self, stage: str) -> None:
        self.stage = stage

    def update(self, done: int, fraction: float | None = None) -> None:
        self.done = done
        if fraction is not None:
            self.fraction = min(1.0, max(0.0, fraction))

    # -- drawing ----------------------------------------------------------------------

    def line(self, final: bool = False) -> str:
        """The current state as one line of text."""
        elapsed = time.monotonic() - self._start
        parts = [f"{self.label}:"]
        if self.stage and not (final and not self._failed):
            parts.append(self.stage)
        if self.done:
            parts.append(f"{self.done:,} {self.unit}")
            if elapsed >= 0.5 and (self.fraction is None or self.fraction < 1.0 or final):
                parts.append(f"{self.done / elapsed:,.0f} {self.unit}/s")
        if self.fraction is not None:
            parts.append(f"{self.fraction:.0%} {self.measured}")
            if not final and 0.02 <= self.fraction < 1.0 and elapsed >= 1.0:
                left = elapsed * (1.0 - self.fraction) / self.fraction
                parts.append(f"about {_duration(left)} left")
        if final:
            parts.append(f"{'stopped after' if self._failed else 'done in'} {_duration(elapsed)}")
        else:
            parts.append(f"{_duration(elapsed)} so far")
        return f"{parts[0]} {', '.join(parts[1:])}"

    def _draw(self, final: bool = False) -> None:
        try:
            if self.live:
                width = shutil.get_terminal_size((100, 24)).columns
                text = self.line(final)
                if len(text) > width - 1:
                    text = text[: width - 2] + "…"
                self.stream.write("\r\x1b[K" + text + ("\n" if final else ""))
            else:
                self.stream.write(self.line(final) + "\n")
            self.stream.flush()
            self._printed = True
        except (OSError, ValueError):  # stderr closed under us: progress is not worth a crash
            self._stop.set()

    def _run(self) -> None:
        wait = _LIVE_INTERVAL if self.live else _interval()
        while not self._stop.wait(wait):
            self._draw()

    def __enter__(self) -> Progress:
        self._start = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="graphthb-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self._failed = exc_type is not None
        self.close()

    def close(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        # In a terminal the last state stays on screen; in a log, a closing line
        # only when lines were printed before it (a quick step stays quiet), or
        # when the step failed after doing some work: the log then says how far
        # it got, however soon it stopped.
        stopped_midway = self._failed and self.done > 0
        if self.live and time.monotonic() - self._start < 1.0 and not stopped_midway:
            # A step this quick needs no record: leave the terminal as it was.
            if self._printed:
                self.stream.write("\r\x1b[K")
                self.stream.flush()
        elif self.live or self._printed or stopped_midway:
            self._draw(final=True)
