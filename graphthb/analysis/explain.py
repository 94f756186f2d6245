"""A group explained in words an investigator can check by hand."""

from __future__ import annotations

from typing import Any

from graphthb.analysis.graph import IDENTIFIER_RELS
from graphthb.analysis.groups import Group
from graphthb.output import wrap
from graphthb.store.base import Store

__all__ = ["explain_text", "group_facts"]


def group_facts(store: Store, group: Group) -> list[dict[str, Any]]:
    """Every link from the group's ads to its binding identifiers, with provenance."""
    binding: dict[str, list[str]] = {}
    for item in group.evidence:
        if not item["generic"]:
            binding.setdefault(item["kind"], []).append(item["key"])
    facts: list[dict[str, Any]] = []
    for rel, kind in IDENTIFIER_RELS.items():
        keys = binding.get(kind)
        if not keys:
            continue
        # Labels and types come from the schema; values are parameters.
        result = store.query(
            f"MATCH (a:Ad)-[e:{rel}]->(x:{kind}) WHERE a.key IN $ads AND x.key IN $keys "
            "RETURN a.key AS ad, x.key AS identifier, e.source AS source, "
            "e.observed_at AS observed_at, e.collector AS collector, e.origin AS origin",
            {"ads": group.members, "keys": keys},
        )
        for row in result.records():
            facts.append({"relation": rel, "kind": kind, **row})
    for rel in ("APPEARS_IN", "SAME_AS", "NOT_SAME_AS"):
        result = store.query(
            f"MATCH (x)-[e:{rel}]->(a:Ad) WHERE a.key IN $ads "
            "RETURN x.key AS identifier, a.key AS ad, e.source AS source, "
            "e.observed_at AS observed_at, e.collector AS collector, e.origin AS origin",
            {"ads": group.members},
        )
        for row in result.records():
            facts.append({"relation": rel, "kind": "asserted", **row})
    facts.sort(key=lambda f: (f["kind"], str(f["identifier"]), f["ad"], str(f["source"])))
    return facts


def explain_text(
    group: Group, facts: list[dict[str, Any]] | None = None, width: int | None = None
) -> str:
    """The group, its score indicator by indicator, and what binds it, as text;
    lines longer than ``width`` are wrapped, their continuations indented."""
    lines = [
        f"Group {group.group_id}: score {group.score:g} of 100, {group.size} ad(s)",
        f"  {group.summary}",
        "",
        "Why this score (indicators are reasons to look closer, not proof):",
    ]
    for name, ind in group.indicators.items():
        lines.append(
            f"  {ind['points']:>5g}/{ind['max']:<3g} {name.replace('_', ' ')}: {ind['detail']}"
            + (f"  ({ind['why']})" if ind["points"] else "")
        )
    lines += ["", "What binds the ads (identifiers shared by two or more of them):"]
    bound = [e for e in group.evidence if not e["generic"]]
    if not bound:
        lines.append(
            "  no shared identifier: held together by near-identical pictures or texts, or a lone ad"
        )
    for e in bound:
        lines.append(
            f"  {e['kind'].lower():<7} {e['key']}: in {e['ads']} ads, "
            f"{e['personas']} persona(s), {e['countries']} countr{'ies' if e['countries'] != 1 else 'y'}"
        )
    generic = [e for e in group.evidence if e["generic"]]
    if generic:
        lines += ["", "Also present but not used to link (generic, shared by unrelated ads):"]
        lines += [
            f"  {e['kind'].lower():<7} {e['key']}: in {e['ads']} of these ads" for e in generic
        ]
    lines += ["", "Ads: " + ", ".join(group.members[:50]) + (" ..." if group.size > 50 else "")]
    if facts is not None:
        lines += [
            "",
            "Facts with provenance (ad -> identifier, source, observed, collector, file:line):",
        ]
        for f in facts:
            lines.append(
                f"  {f['ad']} -[{f['relation']}]- {f['identifier']}  "
                f"{f['source'] or '-'}  {f['observed_at'] or '-'}  {f['collector'] or '-'}  {f['origin'] or '-'}"
            )
    text = "\n".join(lines)
    return wrap(text, width) if width else text
