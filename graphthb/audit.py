"""The audit trail: who did what to which store, when, and why.

Every command that reads or changes a store appends one JSON line: when, who,
which command with which arguments (never a password), the case or
justification (``--reason`` or ``GRAPHTHB_REASON``), the store, how many
records it touched and whether it succeeded. Each entry carries the SHA-256 of
the previous entry and of itself, so editing, deleting or reordering any entry
breaks the chain and ``graphthb audit verify`` names the first bad one.

A chain alone cannot show that its last entries were cut off, or that the
file was emptied or deleted: what is left is still a valid chain. So the head
of the chain (the sequence number and hash of the last entry of a command that
wrote to the store) is kept in the store too, written right after the entry is
appended, and a trail shorter than the store's head, or whose entry at that
number is another one, fails verification. A writing command checks the trail
against the store's head before it writes anything, and refuses to run on a
damaged trail.

The chain shows tampering; it cannot prevent it (someone able to write both
the file and the store can rewrite both). ``graphthb audit verify`` prints the
head hash: record it outside the machine (in the case file, say), or ship
entries to a write-once log, where that matters.
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
from typing import TYPE_CHECKING, Any

from graphthb.errors import GraphthbError

if TYPE_CHECKING:
    from graphthb.store.base import Store

__all__ = ["AuditTrail", "audit_path_for", "redact", "writes", "GENESIS", "WRITING_COMMANDS"]

GENESIS = "0" * 64
_SECRET_OPTIONS = ("--password",)
#: Commands that change the store: they check the trail first and move its head.
WRITING_COMMANDS = frozenset(
    {"init", "load", "cluster", "purge", "demo", "ignore add", "ignore remove", "ignore import"}
)


def writes(command: str, params: dict[str, Any]) -> bool:
    """Whether the command ``command`` run with ``params`` changes the store."""
    return command in WRITING_COMMANDS or (command == "query" and bool(params.get("write")))


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys: a forged value could sit
    # after the genuine one and still hash as the genuine entry.
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _parse(line: str, path: Path, number: int) -> dict[str, Any]:
    try:
        entry = json.loads(line, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise GraphthbError(
            f"audit trail {path} line {number} names {exc.args[0]!r} twice: it was edited"
        ) from None
    except (json.JSONDecodeError, RecursionError):
        raise GraphthbError(
            f"audit trail {path} line {number} is not JSON: it was edited"
        ) from None
    if not isinstance(entry, dict):
        raise GraphthbError(f"audit trail {path} line {number} is not an entry: it was edited")
    return entry


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
        try:
            with self.path.open(encoding="utf-8") as fh:
                for number, line in enumerate(fh, start=1):
                    if line.strip():
                        out.append(_parse(line, self.path, number))
        except UnicodeDecodeError:
            raise GraphthbError(
                f"audit trail {self.path} is not UTF-8 text: it was edited"
            ) from None
        return out

    def _last_hash(self) -> tuple[int, str]:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return 0, GENESIS
        with self.path.open("rb") as fh:
            fh.seek(max(0, self.path.stat().st_size - 65536))
            tail = fh.read().decode("utf-8", errors="replace").strip().splitlines()
        try:
            last = _parse(tail[-1], self.path, 0)
            return int(last["seq"]), str(last["hash"])
        except (GraphthbError, KeyError, ValueError, IndexError, TypeError):
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
        changed: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Append one entry; ``changed`` names what exactly changed, where the
        arguments do not say (the entries an import added), and is kept only when given."""
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
        if changed is not None:
            entry["changed"] = list(changed)
        entry["hash"] = _digest(entry)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return entry

    def verify(self, head: tuple[int, str] | None = None) -> int:
        """Check the whole chain, and that it reaches ``head`` (the store's record of
        its last writing entry, see the module docstring); returns how many entries
        it holds.

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
        if head is not None:
            seq, digest = head
            if len(entries) < seq:
                what = "is missing" if not self.path.exists() else f"ends at entry {len(entries)}"
                raise GraphthbError(
                    f"audit trail {self.path} {what}, but the store recorded entry {seq}: "
                    "entries were removed from its end"
                )
            if entries[seq - 1]["hash"] != digest:
                raise GraphthbError(
                    f"audit entry {seq}: is not the entry the store recorded "
                    f"(hash {digest[:16]}...): the trail was rewritten"
                )
        return len(entries)

    def head(self) -> tuple[int, str]:
        """The sequence number and hash of the trail's last entry (0 and GENESIS if none)."""
        entries = self.entries()
        return (int(entries[-1]["seq"]), str(entries[-1]["hash"])) if entries else (0, GENESIS)

    def check_before_write(self, store: Store) -> None:
        """Refuse, before a command writes to ``store``, when the trail is damaged or
        shorter than the head the store recorded."""
        try:
            self.verify(store.read_audit_head())
        except GraphthbError as exc:
            raise GraphthbError(
                f"{exc}; nothing was written. Restore the trail from a copy "
                "(`graphthb audit verify` says what is wrong) before changing the store"
            ) from None

    def record_head(self, store: Store, entry: dict[str, Any]) -> None:
        """Keep ``entry`` (just appended) as the head of the chain inside ``store``."""
        store.write_audit_head(int(entry["seq"]), str(entry["hash"]))
