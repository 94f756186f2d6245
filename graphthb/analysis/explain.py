"""A group explained in words an investigator can check by hand."""

from __future__ import annotations

from typing import Any

from graphthb.analysis.graph import IDENTIFIER_RELS
from graphthb.analysis.groups import Group
from graphthb.output import wrap
from graphthb.store.base import Store

__all__ = ["explain_text", "group_facts", "chain_of", "CHAIN_WORDS"]

#: How a link of each kind reads in a chain of facts.
CHAIN_WORDS = {
    "Phone": "phone",
    "Email": "e-mail",
    "Handle": "handle",
    "Wallet": "wallet",
    "Image": "picture",
    "Url": "link",
    "Agency": "agency",
    "Person": "person",
    "text": "reused text",
    "same-as": "SAME_AS (analyst)",
    "asserted": "analyst's fact",
}


def chain_of(group: Group, ad: str) -> list[dict[str, Any]] | None:
    """The links from ``ad`` back to the group's core, in order; [] for the
    core itself, None when the group's record holds no chain for the ad."""
    if ad == group.core or (group.size == 1 and ad in group.members):
        return []  # the core, or a lone ad: nothing to tie it to
    steps: list[dict[str, Any]] = []
    seen = {ad}
    here = ad
    while here != group.core:
        link = group.chains.get(here)
        if link is None or link.get("from") in seen or link.get("from") is None:
            return None
        steps.append({"ad": here, **link})
        here = link["from"]
        seen.add(here)
    return steps


def _step_text(step: dict[str, Any]) -> str:
    word = CHAIN_WORDS.get(step["via"], step["via"])
    what = f"{word} {step['key']}" if step.get("key") is not None else word
    copies = []
    if step.get("shown"):
        copies.append(f"{step['ad']} shows the copy {step['shown']}")
    if step.get("shown_by_from"):
        copies.append(f"{step['from']} shows the copy {step['shown_by_from']}")
    if copies:
        what += " (near-identical: " + "; ".join(copies) + ")"
    return f" -[{what}]- {step['from']}"


def group_facts(store: Store, group: Group) -> list[dict[str, Any]]:
    """Every link from the group's ads to its binding identifiers, with provenance."""
    binding: dict[str, list[str]] = {}
    for item in group.evidence:
        if not item["generic"]:
            binding.setdefault(item["kind"], []).append(item["key"])
            # a picture's near-identical copies are the facts the ads carry
            binding[item["kind"]].extend(item.get("copies", []))
    for link in group.chains.values():
        if link.get("key") is not None and link["via"] in IDENTIFIER_RELS.values():
            binding.setdefault(link["via"], []).append(link["key"])
            for copy in (link.get("shown"), link.get("shown_by_from")):
                if copy:
                    binding[link["via"]].append(copy)
    binding = {kind: sorted(set(keys)) for kind, keys in binding.items()}
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
    ]
    if group.confidence.get("level"):
        why = group.confidence.get("why")
        lines.append(f"  confidence: {group.confidence['level']}" + (f" ({why})" if why else ""))
    lines += ["", "Why this score (indicators are reasons to look closer, not proof):"]
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
            f"  {e['kind'].lower():<7} {e['key']}: in {e['ads']} of these ads"
            + (f"; set aside: {e['set_aside']}" if e.get("set_aside") else "")
            for e in generic
        ]
    if group.joins:
        lines += ["", "Joined again after the community step split it (see docs/analysis.md):"]
        for j in group.joins:
            shared = ", ".join(f"{x['kind'].lower()} {x['key']}" for x in j["shared"][:8])
            lines.append(
                f"  parts of {j['ads'][0]} and {j['ads'][1]} ads, of which {j['carriers'][0]} and "
                f"{j['carriers'][1]} carry identifiers of the other part: {shared}"
            )
    if group.size > 1:
        lines += [
            "",
            "Where it could be two (one identifier or ad alone holds these parts together, weakest first):",
        ]
        if not group.joints:
            lines.append(
                "  not measured (a group ranked low or very large)"
                if group.confidence.get("level") == "not measured"
                else "  nowhere: no single identifier or ad holds two parts of two or more ads together"
            )
        for j in group.joints[:10]:
            what = "ad" if j["kind"] == "Ad" else CHAIN_WORDS.get(j["kind"], j["kind"].lower())
            parts = " + ".join(str(p) for p in j["parts"][:6])
            lines.append(f"  {what} {j['key']}: parts of {parts} ads")
    lines += ["", "Ads: " + ", ".join(group.members[:50]) + (" ..." if group.size > 50 else "")]
    if facts is not None and group.size > 1:
        lines += [
            "",
            f"Why each ad is in the group (a chain of facts back to {group.core}, the ad with "
            "most links in it):",
        ]
        for ad in group.members:
            steps = chain_of(group, ad)
            if steps is None:
                lines.append(f"  {ad}: no chain recorded (cluster again to record one)")
            elif not steps:
                lines.append(f"  {ad}: the core")
            else:
                lines.append("  " + ad + "".join(_step_text(step) for step in steps))
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
