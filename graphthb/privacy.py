"""Minimisation: potential victims' identifying fields stay hidden unless asked for.

Views and exports show an ad linked by an analyst to a person asserted as a
potential victim (``(:Person {role: 'potential_victim'})-[:APPEARS_IN]->(:Ad)``)
with its persona name and pictures replaced by pseudonyms and its age left out,
unless ``--reveal`` is given. The pseudonyms are keyed hashes with a key made
afresh for every view or export: the same persona reads the same within one
file, so links stay visible, but a pseudonym cannot be looked up in a list of
common names, and two files cannot be joined on it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from graphthb.store.base import Store

__all__ = ["Minimiser", "victim_ads"]


def victim_ads(store: Store) -> set[str]:
    """Ads an analyst tied to a person asserted as a potential victim."""
    rows = store.query(
        "MATCH (p:Person)-[:APPEARS_IN]->(a:Ad) WHERE p.role = 'potential_victim' "
        "RETURN DISTINCT a.key"
    ).rows
    return {r[0] for r in rows}


@dataclass
class Minimiser:
    """Replaces identifying values of potential victims' ads, unless revealing."""

    protected_ads: set[str]
    reveal: bool = False
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    hidden: int = 0

    @classmethod
    def for_store(cls, store: Store, reveal: bool = False) -> Minimiser:
        return cls(set() if reveal else victim_ads(store), reveal)

    def pseudonym(self, what: str, value: str) -> str:
        digest = hmac.new(self._key, f"{what}\x1f{value}".encode(), hashlib.sha256).hexdigest()
        return f"{what}-{digest[:8]}"

    def protects(self, ad_key: str) -> bool:
        return not self.reveal and ad_key in self.protected_ads

    def ad(self, row: dict) -> dict:
        """An Ad's properties as they may be shown."""
        if not self.protects(row.get("key", "")):
            return row
        self.hidden += 1
        out = dict(row)
        if out.get("persona"):
            out["persona"] = self.pseudonym("persona", str(out["persona"]))
        out["age"] = None
        return out

    def note(self) -> str | None:
        if self.reveal:
            return (
                "revealed: potential victims' persona names, ages and pictures are shown (--reveal)"
            )
        if self.hidden or self.protected_ads:
            return (
                f"pseudonymised {len(self.protected_ads)} ad(s) of potential victims: persona names and "
                "pictures replaced, ages left out; --reveal shows them"
            )
        return None
