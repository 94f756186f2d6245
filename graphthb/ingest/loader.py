"""``graphthb load``: read records and links files into a store, losing nothing.

Every row read ends either written to the store or in the rejects file with its
file, line and reason. Rows are written in batches; each batch is an
idempotent merge, so a load interrupted by Ctrl-C or a dying server is
completed by running it again.

While one batch is being written, the next is read and normalised: the
writing happens on a second thread, one batch at a time and in order, so the
store (a Neo4j server, or LadybugDB's engine, neither of which holds Python's
lock while it works) and the parsing keep both of a machine's cores busy.
"""

from __future__ import annotations

import csv
import errno
import gc
import json
import os
import queue
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from graphthb.errors import ConfigError, InputError, StoreError
from graphthb.ingest.readers import ReadInfo, check_mapping, read_rows
from graphthb.ingest.records import (
    AdIndex,
    GraphRows,
    Reject,
    link_rows,
    record_key,
    record_rows,
)
from graphthb.store.base import Store

__all__ = ["FileReport", "LoadReport", "load", "REJECTS_COLUMNS"]

REJECTS_COLUMNS = ("file", "line", "kind", "reason", "row")
#: Records per write batch, unless the store asks for another size.
BATCH_RECORDS = 5_000


@dataclass
class FileReport:
    path: str
    kind: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    notes: list[str] = field(default_factory=list)
    #: rows loaded per source: which source the file's ads were loaded as
    sources: Counter[str] = field(default_factory=Counter)


@dataclass
class LoadReport:
    files: list[FileReport] = field(default_factory=list)
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    unparsed_by_type: Counter[str] = field(default_factory=Counter)
    rejects_path: Path | None = None
    #: an earlier load's rejects file, removed because this load rejected nothing
    rejects_removed: Path | None = None

    @property
    def read(self) -> int:
        return sum(f.read for f in self.files)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    def unusable_files(self) -> list[FileReport]:
        """Files from which not one row could be used."""
        return [f for f in self.files if f.loaded == 0]

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "loaded": self.loaded,
            "rejected": self.rejected,
            "rejected_by_reason": dict(self.rejected_by_reason.most_common()),
            "unparsed_by_type": dict(sorted(self.unparsed_by_type.items())),
            "rejects_file": str(self.rejects_path) if self.rejects_path else None,
            "rejects_removed": str(self.rejects_removed) if self.rejects_removed else None,
            "files": [{**f.__dict__, "sources": dict(f.sources)} for f in self.files],
        }


class _Rejects:
    """The rejects file, created only when the first row is rejected."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh: TextIO | None = None
        self._writer: Any = None

    def add(self, file: str, line: int, kind: str, reason: str, row: dict[str, Any] | None) -> None:
        if self._writer is None:
            self._fh = self.path.open("w", encoding="utf-8", newline="")
            self._writer = csv.writer(self._fh)
            self._writer.writerow(REJECTS_COLUMNS)
        raw = json.dumps(row, ensure_ascii=False, default=str) if row is not None else ""
        self._writer.writerow((file, line, kind, reason, raw))

    @property
    def written(self) -> bool:
        return self._writer is not None

    def check(self) -> None:
        """Fail now, before the store is touched, if the file could not be written."""
        parent = self.path.parent if str(self.path.parent) else Path(".")
        problem = None
        if self.path.exists() and not self.path.is_file():
            problem = "it is not a regular file"
        elif self.path.exists() and not os.access(self.path, os.W_OK):
            problem = "the file is not writable"
        elif not parent.is_dir():
            problem = f"folder {parent} does not exist"
        elif not os.access(parent, os.W_OK):
            problem = f"folder {parent} is not writable"
        if problem:
            raise ConfigError(f"rejects file {self.path}: {problem}; give another with --rejects")

    def remove_stale(self) -> bool:
        """Remove an earlier load's rejects file when this load rejected nothing:
        left in place, it would be read as this load's. Only a file that starts
        with our own header is removed."""
        if self.written or not self.path.is_file():
            return False
        try:
            with self.path.open(encoding="utf-8", newline="") as fh:
                header = next(csv.reader(fh), None)
            if header != list(REJECTS_COLUMNS):
                return False
            self.path.unlink()
        except (OSError, UnicodeDecodeError, csv.Error):
            return False
        return True

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def _category(reason: str) -> str:
    """The reason without its particulars, for counting ("bad date" not each date)."""
    return re.sub(r"'[^']*'|\"[^\"]*\"|\b\d+\b", "…", reason)


def _flush(store: Store, rows: GraphRows) -> None:
    if not len(rows):
        return
    nodes = {kind: pd.DataFrame(items) for kind, items in rows.nodes.items()}
    edges = {edge: pd.DataFrame(items) for edge, items in rows.edges.items()}
    store.write_batch(nodes, edges)


class _Writer:
    """Writes batches on a thread of its own, in the order given, one at a time.

    At most one batch waits while another is written, so memory holds two
    batches at most. The first error stops the writing; it is raised in the
    caller's thread at the next :meth:`submit` or at :meth:`finish`.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._queue: queue.Queue[GraphRows | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="graphthb-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (rows := self._queue.get()) is not None:
            if self._error is None and not self._stopped:
                try:
                    _flush(self._store, rows)
                except BaseException as exc:  # re-raised in the caller's thread
                    self._error = exc

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(self, rows: GraphRows) -> None:
        self._raise()
        self._queue.put(rows)

    def finish(self) -> None:
        """Wait for every batch submitted; raise the writer's error, if any."""
        self._queue.put(None)
        self._thread.join()
        self._raise()

    def abandon(self) -> None:
        """Stop after the batch being written (on the caller's own error)."""
        self._stopped = True
        self._queue.put(None)
        self._thread.join()


def settle_batch() -> None:
    """Tell Python's cycle collector to leave alone every object alive now.

    Called between batches of ingest. Ingest makes no reference cycles
    (measured: with the collector off for 300,000 records, a full collection
    afterwards found 182 objects), but the normalisers' caches keep hundreds of
    thousands of objects alive, and CPython 3.11 re-reads all of them in a full
    collection each time a quarter as many new ones have survived: at 1,000,000
    records, 90 s of a 249 s ingest. Frozen objects are still freed when their
    last reference goes; :func:`release_settled` unfreezes them when ingest ends.
    """
    gc.freeze()


def release_settled() -> None:
    """Give the objects :func:`settle_batch` froze back to the cycle collector."""
    gc.unfreeze()


def load(
    store: Store,
    records: Iterable[Path] = (),
    links: Iterable[Path] = (),
    *,
    rejects: Path,
    mapping: dict[str, str] | None = None,
    batch_records: int | None = None,
    progress: Callable[[int], None] | None = None,
    position: Callable[[Path | None, int, int], None] | None = None,
    source: str | None = None,
    sheet: str | int | None = None,
    dayfirst: bool | None = None,
) -> LoadReport:
    """Load records files, then links files, into ``store``.

    Raises :class:`InputError` before writing anything when a file cannot be
    opened or decoded, is not of its kind, or does not have a mapped column;
    rows that cannot be used go to ``rejects``. ``sheet`` and ``dayfirst`` are
    passed to :func:`~graphthb.ingest.readers.read_rows` for every file.
    ``progress(n)`` is told after each batch how many records it held;
    ``position(file, rows_read, line)`` every :data:`POSITION_ROWS` rows read
    and at the end of each file, then ``position(None, rows_read, 0)`` once all
    is read and the last batches are being written. ``source`` is the source
    of rows without one (default: each file's name without its extension).
    """
    if batch_records is None:
        batch_records = getattr(store, "batch_records", BATCH_RECORDS)
    record_files = [Path(p) for p in records]
    link_files = [Path(p) for p in links]
    if not record_files and not link_files:
        raise InputError("no input files given")
    if source is not None and not source.strip():
        raise InputError("--source is empty; give the collection's name")
    opened: list[tuple[str, ReadInfo, Iterable[Any]]] = []
    for kind, paths in (("records", record_files), ("links", link_files)):
        for path in paths:
            info, rows = read_rows(path, mapping, kind=kind, sheet=sheet, dayfirst=dayfirst)
            opened.append((kind, info, rows))
    check_mapping(mapping or {}, [info for _, info, _ in opened])

    report = LoadReport()
    sink = _Rejects(Path(rejects))
    sink.check()
    _refuse_record_id_keys(store)
    roles: dict[str, str] = {}
    ads: AdIndex | None = None
    if link_files:
        people = store.read_nodes("Person", ["role"])
        roles = {
            k: r for k, r in zip(people["key"], people["role"], strict=True) if isinstance(r, str)
        }
        ads = AdIndex(store.read_nodes("Ad", [])["key"].astype(str))
    seen_keys: set[str] = set()
    writer = _Writer(store)
    finished = False
    rows_read = 0
    try:
        for kind, info, rows in opened:
            file_report = FileReport(str(info.path), kind, notes=list(info.notes))
            report.files.append(file_report)
            name = info.path.name
            default_source = source.strip() if source else info.path.stem
            batch = GraphRows()
            in_batch = 0
            line = 0
            for raw in rows:
                file_report.read += 1
                rows_read += 1
                line = raw.line
                if position and rows_read % POSITION_ROWS == 0:
                    position(info.path, rows_read, line)
                origin = f"{name}:{raw.line}"
                try:
                    if raw.error is not None:
                        raise Reject(raw.error)
                    assert raw.data is not None
                    # Both reject a row before adding anything to the batch.
                    if kind == "records":
                        key, row_source, rid = record_key(raw.data, default_source)
                        if key in seen_keys:
                            raise Reject(
                                f"duplicate record_id {rid!r} of source {row_source!r} in this load"
                            )
                        unparsed = record_rows(raw.data, origin, default_source, batch)
                        seen_keys.add(key)
                        file_report.sources[row_source] += 1
                        if ads is not None:
                            ads.add(key)
                        for typ, values in unparsed.items():
                            report.unparsed_by_type[typ] += len(values)
                    else:
                        link_rows(raw.data, origin, default_source, batch, roles, ads)
                except Reject as exc:
                    reason = str(exc)
                    file_report.rejected += 1
                    report.rejected_by_reason[_category(reason)] += 1
                    sink.add(name, raw.line, kind, reason, raw.data)
                    continue
                file_report.loaded += 1
                in_batch += 1
                if in_batch >= batch_records:
                    writer.submit(batch)
                    if progress:
                        progress(in_batch)
                    batch, in_batch = GraphRows(), 0
                    settle_batch()
            writer.submit(batch)
            if progress and in_batch:
                progress(in_batch)
            if position:
                position(info.path, rows_read, line)
        finished = True
        if position:
            position(None, rows_read, 0)
        writer.finish()
    except (OSError, StoreError) as exc:
        # A full disk, in the store's files or the rejects file: every batch
        # written before this one is complete, and a rerun finishes the load.
        if not _disk_full(exc, store):
            raise
        raise StoreError(
            f"load stopped: the disk is full{f' ({exc.filename})' if getattr(exc, 'filename', None) else ''}; "
            f"{store.location} holds every batch written before it. Free space and run "
            "the same load again to finish"
        ) from None
    finally:
        if not finished:
            writer.abandon()
        sink.close()
        release_settled()
    report.rejects_path = sink.path if sink.written else None
    if sink.remove_stale():
        report.rejects_removed = sink.path
    return report


#: How often, in rows read, ``load`` reports its position.
POSITION_ROWS = 1_000


def _disk_full(exc: BaseException, store: Store) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    # LadybugDB reports the operating system's error inside its own message,
    # or only that a read or write of its file failed: then the free space says.
    if "No space left on device" in str(exc) or "Disk quota exceeded" in str(exc):
        return True
    folder = getattr(store, "path", None)
    if folder is None or "IO exception" not in str(exc):
        return False
    try:
        free = os.statvfs(Path(folder).parent)
    except OSError:
        return False
    return free.f_bavail * free.f_frsize < 1 << 20


def _refuse_record_id_keys(store: Store) -> None:
    """Refuse to add to a store whose ads are keyed by record_id alone.

    Stores made before ads were keyed by (source, record_id) have Ads whose key
    is their record_id; new ads would never meet them, and two ads of one
    record would sit side by side. Such a store is loaded anew, not mixed.
    """
    found = store.query("MATCH (a:Ad) WHERE a.key = a.record_id RETURN a.key LIMIT 1").rows
    if found:
        raise StoreError(
            f"{store.location} was made by an earlier graphthb that keyed ads by record_id "
            f"alone (e.g. {str(found[0][0])[:40]!r}); load your files into a new store "
            "(--db NEW) instead of mixing the two schemes"
        )
