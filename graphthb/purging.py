"""``graphthb purge``: remove one source from the store and from the files beside it.

The store's part is :meth:`graphthb.store.Store.purge_source`. The rejects file
holds the raw rows a load could not use, so a purged source's rejected rows go
from it too; files the analyst wrote (views, exports) are the analyst's own
and are left alone (docs/data-protection.md).
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from graphthb.errors import InputError
from graphthb.store.base import Store

__all__ = ["PurgeReport", "purge", "purge_rejects"]


@dataclass
class PurgeReport:
    removed: dict[str, int] = field(default_factory=dict)
    rejects_removed: int = 0
    rejects_path: Path | None = None


def purge(store: Store, source: str, *, rejects: Path | None) -> PurgeReport:
    """Remove ``source`` from ``store`` and its rows from the ``rejects`` file."""
    report = PurgeReport(removed=store.purge_source(source))
    if rejects is not None:
        report.rejects_removed = purge_rejects(rejects, source)
        report.rejects_path = rejects
    return report


def _row_source(record: dict[str, str]) -> str:
    """The source a rejected row would have had, as the loader assigns it."""
    if record.get("source"):  # a rejects file that names the source itself
        return record["source"]
    try:
        raw = json.loads(record.get("row") or "null")
    except json.JSONDecodeError:
        raw = None
    if isinstance(raw, dict):
        given = raw.get("source")
        if isinstance(given, str) and given.strip():
            return given.strip()
    # The loader's default source is the input file's name without its suffix.
    return Path(record.get("file") or "").stem


def purge_rejects(path: Path, source: str) -> int:
    """Drop ``source``'s rows from the rejects file at ``path``; returns how many.

    The file is rewritten beside itself and renamed into place, and the old
    file's bytes are overwritten; an absent file, or one with no row of
    ``source``, is left as it is.
    """
    from graphthb.safefile import replace_scrubbed

    path = Path(path)
    if not path.is_file():
        return 0
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the rejects file {path}: {exc}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None:
        return 0
    kept, dropped = [], 0
    for record in reader:
        if _row_source(record) == source:
            dropped += 1
        else:
            kept.append(record)
    if not dropped:
        return 0
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=reader.fieldnames)
        writer.writeheader()
        writer.writerows(kept)
        fh.flush()
        os.fsync(fh.fileno())
    replace_scrubbed(path, tmp)
    return dropped
