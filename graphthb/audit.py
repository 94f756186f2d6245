"""The audit trail: who did what to which store, when, and why.

Every command that reads or changes a store appends one JSON line: when, who,
which command with which arguments (never a password), the case or
justification (``--reason`` or ``GRAPHTHB_REASON``), the store, how many
records it touched and whether it succeeded. Each entry carries the SHA-256 of
the previous entry and of itself, so editing, deleting or reordering any entry
breaks the chain and ``graphthb audit verify`` names the first bad one.

The chain shows tampering; it cannot prevent it (someone able to write the
file can rewrite the whole chain). Keep a copy of the latest hash elsewhere,
or ship entries to a write-once log, where that matters.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphthb.errors import GraphthbError

__all__ = ["AuditTrail", "audit_path_for", "redact", "GENESIS"]

GENESIS = "0" * 64
_SECRET_OPTIONS = ("--password",)


def audit_path_for(setting: str) -> Path:
    """Where a store's trail lives: GRAPHTHB_AUDIT, else beside an embedded store,
    else in the user's data folder, one file per Neo4j address."""
    explicit = os.environ.get("GRAPHTHB_AUDIT")
    if explicit:
        return Path(explicit)
    from graphthb.store import is_neo4j_uri

    if not is_neo4j_uri(setting):
        return Path(setting + ".audit.jsonl")
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "graphthb"
    safe = "".join(c if c.isalnum() else "_" for c in setting.split("://", 1)[-1].split("@")[-1])
    return base / f"audit-{safe}.jsonl"


def redact(args: Sequence[str]) -> list[str]:
    """Command-line arguments with every secret value replaced."""
    out: list[str] = []
    hide_next = False
    for arg in args:
        if hide_next:
            out.append("***")
            hide_next = False
        elif arg in _SECRET_OPTIONS:
            out.append(arg)
            hide_next = True
        elif any(arg.startswith(o + "=") for o in _SECRET_OPTIONS):
            out.append(arg.split("=", 1)[0] + "=***")
        else:
            out.append(arg)
    return out


def _digest(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class AuditTrail:
    path: Path

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        out = []
        with self.path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    raise GraphthbError(
                        f"audit trail {self.path} line {number} is not JSON: it was edited"
                    ) from None
        return out

    def _last_hash(self) -> tuple[int, str]:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return 0, GENESIS
        with self.path.open("rb") as fh:
            fh.seek(max(0, self.path.stat().st_size - 65536))
            tail = fh.read().decode("utf-8", errors="replace").strip().splitlines()
        try:
            last = json.loads(tail[-1])
            return int(last["seq"]), str(last["hash"])
        except (json.JSONDecodeError, KeyError, ValueError, IndexError):
            raise GraphthbError(
                f"the audit trail {self.path} ends in a damaged entry; run `graphthb audit verify`"
            ) from None

    def append(
        self,
        *,
        command: str,
        args: Sequence[str],
        store: str,
        reason: str | None,
        touched: int | None,
        outcome: str,
    ) -> dict[str, Any]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        seq, prev = self._last_hash()
        entry: dict[str, Any] = {
            "seq": seq + 1,
            "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "user": os.environ.get("GRAPHTHB_USER") or getpass.getuser(),
            "command": command,
            "args": redact(args),
            "reason": reason,
            "store": store,
            "touched": touched,
            "outcome": outcome,
            "prev": prev,
        }
        entry["hash"] = _digest(entry)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return entry

    def verify(self) -> int:
        """Check the whole chain; returns how many entries it holds.

        Raises :class:`GraphthbError` naming the first entry that does not fit.
        """
        prev = GENESIS
        entries = self.entries()
        for number, entry in enumerate(entries, start=1):
            if entry.get("seq") != number:
                raise GraphthbError(
                    f"audit entry {number}: sequence number is {entry.get('seq')!r}: an entry was removed or moved"
                )
            if entry.get("prev") != prev:
                raise GraphthbError(
                    f"audit entry {number}: does not follow the entry before it: the trail was edited"
                )
            if entry.get("hash") != _digest(entry):
                raise GraphthbError(
                    f"audit entry {number}: its content does not match its hash: it was edited"
                )
            prev = entry["hash"]
        return len(entries)
