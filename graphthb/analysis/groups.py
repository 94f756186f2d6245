"""Groups: ids that survive re-runs, a score with its breakdown, and the evidence.

A group's score is a sum of points from indicators an investigator can check
by hand (how many personas share one phone, how many countries the ads span,
whether payment is crypto only...). Each indicator says what it counted and
why it matters. The score ranks what deserves a closer look; it is not a
verdict, and most small groups are independent advertisers.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from graphthb.analysis.chains import JOINTS_MAX_GROUPS, joints, member_chains
from graphthb.analysis.communities import detect
from graphthb.analysis.graph import AnalysisGraph, Settings, build
from graphthb.errors import NotFoundError
from graphthb.store.base import Store

__all__ = ["Group", "ClusterResult", "cluster", "read_groups", "read_group", "INDICATORS"]

CLUSTER_SOURCE = "graphthb cluster"
_PLURAL = {"agency": "agencies", "email": "e-mails", "url": "URLs", "person": "persons"}
_CRYPTO_ONLY = re.compile(
    r"\b(?:crypto|btc|bitcoin|usdt|tether|eth|ether|trx|tron|monero|xmr)\b.{0,20}\bonly\b|"
    r"\bonly\b.{0,20}\b(?:crypto|btc|bitcoin|usdt|tether|eth|trx|monero)\b",
    re.IGNORECASE,
)

#: name -> (maximum points, what it measures, why it matters)
INDICATORS: dict[str, tuple[float, str, str]] = {
    "ads": (10, "ads in the group", "many ads under one set of identifiers"),
    "personas_per_phone": (15, "most personas advertised with one phone", "one phone answering for several women is a controller's or a booker's"),
    "countries": (15, "countries the ads span", "organised groups move victims across borders"),
    "cities": (5, "cities the ads span", "touring between cities"),
    "platforms": (5, "platforms the ads appear on", "advertising on several sites at once"),
    "movement": (10, "personas advertised in two or more cities over time", "victims moved from city to city"),
    "template_reuse": (10, "share of ads whose text is reused from another ad of the group", "ads written from one template (or by one writer)"),
    "crypto_only": (10, "share of ads asking for crypto-only payment or showing a wallet", "crypto-only payment hides the money trail"),
    "agency_brands": (5, "agency or brand names the ads use", "an agency front, or several brands for one operation"),
    "asserted_controllers": (15, "persons an analyst asserted as controllers of these ads", "an analyst's own finding"),
}  # fmt: skip


@dataclass
class Group:
    group_id: str
    members: list[str]
    score: float
    indicators: dict[str, dict[str, Any]]
    evidence: list[dict[str, Any]]
    countries: list[str]
    summary: str
    extra: dict[str, Any] = field(default_factory=dict)
    #: the ad every member's chain leads back to ("" for a lone ad)
    core: str = ""
    #: per member but the core: the link that ties it in and the ad on its other side
    chains: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: communities joined again by the rejoin rule, as facts
    joins: list[dict[str, Any]] = field(default_factory=list)
    #: single identifiers or ads that alone hold parts of the group together, weakest first
    joints: list[dict[str, Any]] = field(default_factory=list)
    #: how sure the membership is: ``level`` and, when fragile, the weakest joint
    confidence: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.members)

    def as_dict(self) -> dict[str, Any]:
        return {
            "group_id": self.group_id,
            "score": self.score,
            "confidence": self.confidence.get("level", ""),
            "size": self.size,
            "ads": self.members,
            "countries": self.countries,
            "summary": self.summary,
            "indicators": self.indicators,
            "evidence": self.evidence,
            "why_each_member": {"core": self.core, "chains": self.chains},
            "joins": self.joins,
            "joints": self.joints,
            "confidence_detail": self.confidence,
            **self.extra,
        }


@dataclass
class ClusterResult:
    groups: list[Group]
    method: str
    notes: list[str]

    @property
    def organised(self) -> list[Group]:
        return [g for g in self.groups if g.size > 1]


def cluster(
    store: Store,
    *,
    method: str = "louvain",
    resolution: float = 1.0,
    seed: int = 0,
    settings: Settings | None = None,
    write: bool = True,
    progress: Callable[[str], None] | None = None,
) -> ClusterResult:
    """Link, detect communities, score, and (by default) write the groups back.

    ``progress`` is told the name of each stage as it starts, with its size.
    """
    stage = progress or (lambda name: None)
    stage("building the graph")
    graph = build(store, settings)
    stage(f"finding communities among {graph.n_ads:,} ads")
    joins: list[dict[str, Any]] = []
    labels = detect(graph, method, resolution=resolution, seed=seed, joins=joins)
    stage("scoring the groups")
    previous = _previous_membership(store)
    groups = describe(graph, labels, previous, store, joins)
    if write:
        stage(f"writing {len(groups):,} groups")
        _write(store, groups, method)
    return ClusterResult(groups, method, graph.notes)


def describe(
    graph: AnalysisGraph,
    labels: np.ndarray,
    previous: dict[str, str],
    store: Store | None = None,
    joins: list[dict[str, Any]] | None = None,
) -> list[Group]:
    """Turn community labels into scored, explained groups, ranked best first.

    Every indicator is computed for all groups at once with group-bys, so a
    million ads in hundreds of thousands of groups cost seconds, not hours.
    """
    n_ads = graph.n_ads
    # Only the columns the indicators read: copying ad texts along would cost more
    # than all the counting.
    used = ["key", "persona", "city", "country", "platform", "agency", "payment"]
    ads = graph.ads[used].reset_index(drop=True).assign(label=labels)
    # Names are compared case-insensitively, and counted as integer codes.
    ads = ads.assign(
        persona_f=_folded_codes(ads["persona"]),
        city_f=_folded_codes(ads["city"]),
        platform_f=_folded_codes(ads["platform"]),
        agency_f=_folded_codes(ads["agency"]),
        country_f=_folded_codes(ads["country"], fold=False),
        crypto=ads["payment"].fillna("").astype(str).str.contains(_CRYPTO_ONLY),
    )
    text_links = graph.links[graph.links["why"] == "text"]
    reused = np.zeros(n_ads, dtype=bool)
    t_src, t_dst = text_links["src"].to_numpy(), text_links["dst"].to_numpy()
    inside = labels[t_src] == labels[t_dst]
    reused[t_src[inside]] = True
    reused[t_dst[inside]] = True
    ads["text_reused"] = reused

    carried = graph.carried.assign(label=labels[graph.carried["ad"].to_numpy()])
    generic = graph.idents["generic"].to_numpy()
    carried["generic"] = generic[carried["ident"].to_numpy() - n_ads] if len(carried) else False
    if "set_aside" in graph.idents.columns:  # the ignore list's reasons (graph.build)
        why = graph.idents["set_aside"].to_numpy(dtype=object)
        carried["set_aside"] = why[carried["ident"].to_numpy() - n_ads] if len(carried) else ""
    carried = carried.assign(
        persona=ads["persona_f"].to_numpy()[carried["ad"].to_numpy()],
        country=ads["country_f"].to_numpy()[carried["ad"].to_numpy()],
    )

    by = ads.groupby("label", sort=True)
    stats = pd.DataFrame(
        {
            "n": by.size(),
            "countries": by["country_f"].nunique(),
            "cities": by["city_f"].nunique(),
            "platforms": by["platform_f"].nunique(),
            "brands": by["agency_f"].nunique(),
            "crypto": by["crypto"].sum(),
            "reused": by["text_reused"].sum(),
        }
    )
    bound = carried[~carried["generic"]]
    phones = bound[(bound["kind"] == "Phone") & bound["persona"].notna()]
    stats["personas_per_phone"] = (
        phones.groupby(["label", "ident"])["persona"].nunique().groupby(level=0).max()
        if len(phones)
        else 0
    )
    travel = ads.dropna(subset=["persona_f", "city_f"])
    stats["moved"] = (
        (travel.groupby(["label", "persona_f"])["city_f"].nunique() >= 2).groupby(level=0).sum()
    )
    wallets = carried[carried["kind"] == "Wallet"]
    stats["wallet_ads"] = wallets.groupby("label")["ad"].nunique()
    stats = stats.fillna(0)

    roles = _person_roles(store)
    persons = carried[carried["kind"] == "Person"]
    controllers = (
        persons[persons["key"].map(roles.get) == "controller"]
        .groupby("label")["key"]
        .agg(lambda s: sorted(set(s)))
        .to_dict()
    )
    evidence = _evidence(carried)
    if len(graph.pictures):
        # A picture named by one hash may be shown as near-identical copies.
        copies = graph.pictures.groupby("key")["variant"].agg(lambda v: sorted(v)[:10]).to_dict()
        for items in evidence.values():
            for item in items:
                if item["kind"] == "Image" and item["key"] in copies:
                    item["copies"] = copies[item["key"]]
    # Members in ad key order, countries in name order, grouped by label.
    keys = ads["key"].to_numpy(dtype=object)
    by_key = (
        np.arange(len(keys))
        if ads["key"].is_monotonic_increasing
        else np.argsort(keys, kind="stable")
    )
    members = _lists_by_label(labels[by_key], keys[by_key])
    located = (
        ads.loc[ads["country"].notna(), ["label", "country"]]
        .drop_duplicates()
        .sort_values(["label", "country"])
    )
    countries = _lists_by_label(
        located["label"].to_numpy(), located["country"].to_numpy(dtype=object)
    )

    groups: list[Group] = []
    label_of: dict[int, int] = {}
    # Most groups are lone ads with one of a few dozen breakdowns: each distinct
    # breakdown is built once and shared (groups' indicators are read-only).
    made: dict[tuple[Any, ...], tuple[dict[str, dict[str, Any]], float]] = {}
    columns = [stats[c].to_numpy().astype(np.int64).tolist() for c in _STAT_COLUMNS]
    for label, *values in zip(stats.index.tolist(), *columns, strict=True):
        row = dict(zip(_STAT_COLUMNS, values, strict=True))
        ev = evidence.get(label, [])
        where = countries.get(label, [])
        named = controllers.get(label, [])
        key = (*values, *named, None, *where)
        found = made.get(key)
        if found is None:
            indicators = _indicators(row, named, where)
            found = made[key] = (
                indicators,
                round(sum(i["points"] for i in indicators.values()), 1),
            )
        indicators, score = found
        group = Group("", members[label], score, indicators, ev, where, _summary(row, ev, where))
        label_of[id(group)] = label
        groups.append(group)
    _assign_ids(groups, previous)
    groups.sort(key=lambda g: (-g.score, -g.size, g.group_id))
    _explain_members(graph, labels, groups, label_of, joins or [])
    return groups


def _explain_members(
    graph: AnalysisGraph,
    labels: np.ndarray,
    groups: list[Group],
    label_of: dict[int, int],
    joins: list[dict[str, Any]],
) -> None:
    """Each group's chains of facts, rejoins, joints and confidence (see chains.py)."""
    n_ads = graph.n_ads
    keys = graph.ads["key"].to_numpy(dtype=object)
    core, parent, via_ident, via_why = member_chains(graph, labels)
    ident_kind = graph.idents["kind"].to_numpy(dtype=object)
    ident_key = graph.idents["key"].to_numpy(dtype=object)
    # The picture as each ad shows it, where it differs from the picture's name.
    carried = graph.carried
    copies = carried[carried["kind"].to_numpy() == "Image"]
    copies = copies[copies["shown"].to_numpy() != copies["key"].to_numpy()]
    shown = dict(
        zip(
            zip(copies["ad"].tolist(), copies["ident"].tolist(), strict=True),
            copies["shown"].tolist(),
            strict=True,
        )
    )
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(int(labels.max()) + 2 if n_ads else 1))
    by_label: dict[int, list[dict[str, Any]]] = {}
    for join in joins:
        side_a, side_b = join["sides"]
        by_label.setdefault(int(labels[side_a[0]]), []).append(
            {
                "ads": [len(side_a), len(side_b)],
                "carriers": list(join["carriers"]),
                "shared": [
                    {"kind": ident_kind[i - n_ads], "key": ident_key[i - n_ads]}
                    for i in join["identifiers"][:20]
                ],
            }
        )
    measured = 0
    for g in groups:
        label = label_of[id(g)]
        if g.size < 2:
            g.confidence = {"level": "lone ad"}
            continue
        pos = order[bounds[label] : bounds[label + 1]]
        g.core = keys[core[label]]
        chains: dict[str, dict[str, Any]] = {}
        for ad in pos.tolist():
            up = int(parent[ad])
            if up == ad:
                continue
            link: dict[str, Any] = {
                "via": via_why[ad] or "unknown",
                "from": keys[up] if up >= 0 else None,
            }
            ident = int(via_ident[ad])
            if ident >= n_ads:
                link["key"] = ident_key[ident - n_ads]
                for who, name in ((ad, "shown"), (up, "shown_by_from")):
                    copy = shown.get((who, ident))
                    if copy is not None:
                        link[name] = copy
            chains[keys[ad]] = link
        g.chains = chains
        g.joins = by_label.get(label, [])
        found = None
        if measured < JOINTS_MAX_GROUPS and g.size >= 4:
            measured += 1
            found = joints(graph, labels, label, pos)
        if found is None:
            g.confidence = {"level": "not measured" if g.size >= 4 else "small"}
            if g.size < 4:
                g.confidence["why"] = "too few ads for two parts of two or more"
            continue
        g.joints = [_joint_fact(j, keys, ident_kind, ident_key, n_ads) for j in found[:20]]
        if g.joints:
            weakest = g.joints[0]
            g.confidence = {
                "level": "fragile",
                "cut": 1,
                "weakest": weakest,
                "why": f"one {_KIND_WORD.get(weakest['kind'], weakest['kind'].lower())} alone "
                "holds parts of "
                + " and ".join(str(p) for p in weakest["parts"][:2])
                + " ads together",
            }
        else:
            g.confidence = {
                "level": "firm",
                "cut": 2,
                "why": "no single identifier or ad holds two parts of two or more ads together",
            }
        if g.joins:
            g.confidence["joined"] = len(g.joins)


_KIND_WORD = {"Image": "picture", "Email": "e-mail", "Ad": "ad", "Url": "link"}


def _joint_fact(
    joint: dict[str, Any],
    keys: np.ndarray,
    ident_kind: np.ndarray,
    ident_key: np.ndarray,
    n_ads: int,
) -> dict[str, Any]:
    node = joint["node"]
    if node < n_ads:
        return {"kind": "Ad", "key": keys[node], "parts": joint["parts"]}
    return {
        "kind": ident_kind[node - n_ads],
        "key": ident_key[node - n_ads],
        "parts": joint["parts"],
    }


def _folded_codes(values: pd.Series, fold: bool = True) -> np.ndarray:
    """An integer code per value (NaN where missing), equal for names that differ
    only in case and surrounding spaces when ``fold``. Distinct values are
    folded once each, not once per ad."""
    codes, uniques = pd.factorize(values)
    if fold and len(uniques):
        names = pd.Series(np.asarray(uniques, dtype=object)).str.casefold().str.strip()
        codes = np.where(codes >= 0, pd.factorize(names.replace("", None))[0][codes], -1)
    out = codes.astype(float)
    out[codes < 0] = np.nan
    return out


#: Per-group counts the indicators are computed from.
_STAT_COLUMNS = (
    "n", "countries", "cities", "platforms", "brands", "crypto", "reused", "personas_per_phone",
    "moved", "wallet_ads",
)  # fmt: skip


def _lists_by_label(labels: np.ndarray, values: np.ndarray) -> dict[Any, list[Any]]:
    """``values`` grouped by their label, each list in the order given."""
    if not len(labels):
        return {}
    order = np.argsort(labels, kind="stable")
    labels, values = labels[order], values[order].tolist()
    cuts = [0, *(np.flatnonzero(labels[1:] != labels[:-1]) + 1).tolist(), len(values)]
    return {
        label: values[lo:hi]
        for label, lo, hi in zip(labels[cuts[:-1]].tolist(), cuts[:-1], cuts[1:], strict=True)
    }


def _indicators(
    row: dict[str, int], controllers: list[str], countries: list[str]
) -> dict[str, dict[str, Any]]:
    n = int(row["n"])

    def ind(name: str, value: Any, fraction: float, detail: str) -> dict[str, Any]:
        top, what, why = INDICATORS[name]
        return {
            "value": value,
            "points": round(top * max(0.0, min(1.0, fraction)), 1),
            "max": top,
            "measures": what,
            "why": why,
            "detail": detail,
        }

    ppp = int(row["personas_per_phone"])
    n_countries, cities, platforms = (
        int(row["countries"]),
        int(row["cities"]),
        int(row["platforms"]),
    )
    moved, brands = int(row["moved"]), int(row["brands"])
    reused, crypto, wallet_ads = int(row["reused"]), int(row["crypto"]), int(row["wallet_ads"])
    reuse = reused / n
    crypto_share = max(crypto, wallet_ads) / n
    size_fraction = np.log2(n) / np.log2(64) if n > 1 else 0.0
    return {
        "ads": ind("ads", n, size_fraction, f"{n} ad(s)"),
        "personas_per_phone": ind(
            "personas_per_phone",
            ppp,
            (ppp - 1) / 4,
            f"one phone is given for {ppp} different persona names"
            if ppp > 1
            else "no phone is shared by different personas",
        ),
        "countries": ind(
            "countries",
            n_countries,
            (n_countries - 1) / 3,
            ", ".join(countries) or "no country given",
        ),
        "cities": ind("cities", cities, (cities - 1) / 5, f"{cities} cities"),
        "platforms": ind("platforms", platforms, (platforms - 1) / 3, f"{platforms} platforms"),
        "movement": ind(
            "movement", moved, moved / 3, f"{moved} persona(s) advertised in two or more cities"
        ),
        "template_reuse": ind(
            "template_reuse",
            round(reuse, 2),
            reuse if n > 2 else 0.0,
            f"{reused} of {n} ads reuse another ad's text",
        ),
        "crypto_only": ind(
            "crypto_only",
            round(crypto_share, 2),
            crypto_share if n > 1 else crypto_share / 2,
            f"{crypto} ad(s) ask for crypto only; {wallet_ads} show a wallet",
        ),
        "agency_brands": ind(
            "agency_brands", brands, brands / 2, f"{brands} agency or brand name(s)"
        ),
        "asserted_controllers": ind(
            "asserted_controllers",
            len(controllers),
            1.0 if controllers else 0.0,
            ", ".join(controllers) or "none asserted",
        ),
    }


def _evidence(carried: pd.DataFrame) -> dict[Any, list[dict[str, Any]]]:
    """Per group: identifiers shared by two or more of its ads, most binding first."""
    if not len(carried):
        return {}
    # Only identifiers that two ads of one group carry are evidence: find those
    # (label, identifier) pairs on integers before counting anything else.
    ident = carried["ident"].to_numpy().astype(np.int64)
    pair = carried["label"].to_numpy().astype(np.int64) * (int(ident.max()) + 1) + ident
    _, inverse, counts = np.unique(pair, return_inverse=True, return_counts=True)
    shared = carried[counts[inverse] >= 2]
    if not len(shared):
        return {}
    stats = (
        shared.groupby(["label", "ident"], sort=False)
        .agg(
            kind=("kind", "first"),
            key=("key", "first"),
            generic=("generic", "first"),
            **({"set_aside": ("set_aside", "first")} if "set_aside" in shared.columns else {}),
            ads=("ad", "nunique"),
            personas=("persona", "nunique"),
            countries=("country", "nunique"),
        )
        .reset_index()
    )
    stats = stats.sort_values(
        ["label", "generic", "ads", "kind", "key"], ascending=[True, True, False, True, True]
    )
    stats = stats.groupby("label", sort=False).head(25)
    out: dict[Any, list[dict[str, Any]]] = {}
    for r in stats.itertuples(index=False):
        out.setdefault(r.label, []).append(
            {
                "kind": r.kind,
                "key": r.key,
                "ads": int(r.ads),
                "personas": int(r.personas),
                "countries": int(r.countries),
                "generic": bool(r.generic),
                **({"set_aside": r.set_aside} if getattr(r, "set_aside", "") else {}),
            }
        )
    return out


def _summary(row: dict[str, int], evidence: list[dict[str, Any]], countries: list[str]) -> str:
    n = int(row["n"])
    if n == 1:
        return "a single ad, linked to no other"
    kinds: dict[str, int] = {}
    for e in evidence:
        if not e["generic"]:
            kinds[e["kind"].lower()] = kinds.get(e["kind"].lower(), 0) + 1
    bound = ", ".join(
        f"{c} shared {_PLURAL.get(k, k + 's') if c > 1 else k}"
        for k, c in sorted(kinds.items(), key=lambda x: -x[1])
    )
    where = f"{len(countries)} countr{'ies' if len(countries) != 1 else 'y'}"
    if countries:
        where += f" ({', '.join(countries)})"
    return f"{n} ads, {where}; bound by {bound or 'near-identical pictures or texts'}"


def _assign_ids(groups: list[Group], previous: dict[str, str]) -> None:
    """Keep a previous group's id when most of its membership persists.

    A new group takes the id of the previous group it shares most ads with when
    the shared ads are more than half of both; each old id is given once.
    Otherwise the id is derived from the group's smallest ad key, so the same
    data clustered afresh gets the same ids.
    """
    taken: set[str] = set()
    if previous:
        old_sizes: dict[str, int] = {}
        for gid in previous.values():
            old_sizes[gid] = old_sizes.get(gid, 0) + 1
        candidates = []
        for idx, g in enumerate(groups):
            counts: dict[str, int] = {}
            for m in g.members:
                old = previous.get(m)
                if old is not None:
                    counts[old] = counts.get(old, 0) + 1
            for old, shared in counts.items():
                if shared * 2 > g.size and shared * 2 > old_sizes[old]:
                    candidates.append((-shared, old, idx))
        for _, old, idx in sorted(candidates):
            if old not in taken and not groups[idx].group_id:
                groups[idx].group_id = old
                taken.add(old)
    for g in groups:
        if g.group_id:
            continue
        digest = hashlib.sha1(g.members[0].encode()).hexdigest()
        gid, n = f"G-{digest[:8]}", 0
        while gid in taken:
            n += 1
            gid = f"G-{digest[:8]}-{n}"
        g.group_id = gid
        taken.add(gid)


def _previous_membership(store: Store) -> dict[str, str]:
    df = store.read_edges(("MEMBER_OF", "Ad", "Group"), [])
    return dict(zip(df["src"], df["dst"], strict=True))


def _person_roles(store: Store | None) -> dict[str, str]:
    if store is None:
        return {}
    people = store.read_nodes("Person", ["role"])
    return {k: r for k, r in zip(people["key"], people["role"], strict=True) if isinstance(r, str)}


def _write(store: Store, groups: list[Group], method: str) -> None:
    run_at = datetime.now(UTC).isoformat(timespec="seconds")
    # The JSON of {"indicators": ..., "evidence": ...}, written in two parts:
    # groups with the same breakdown share one indicators object (describe).
    encode = json.JSONEncoder(ensure_ascii=False).encode
    shared: dict[int, str] = {}

    def explanation(g: Group) -> str:
        part = shared.get(id(g.indicators))
        if part is None:
            part = shared[id(g.indicators)] = encode(g.indicators)
        if g.size < 2:
            return f'{{"indicators": {part}, "evidence": {encode(g.evidence)}}}'
        return (
            f'{{"indicators": {part}, "evidence": {encode(g.evidence)}, '
            f'"core": {encode(g.core)}, "chains": {encode(g.chains)}, '
            f'"joins": {encode(g.joins)}, "joints": {encode(g.joints)}, '
            f'"confidence": {encode(g.confidence)}}}'
        )

    nodes = pd.DataFrame(
        {
            "key": [g.group_id for g in groups],
            "score": [g.score for g in groups],
            "size": [g.size for g in groups],
            "method": method,
            "run_at": run_at,
            "countries": [",".join(g.countries) for g in groups],
            "summary": [g.summary for g in groups],
            "explanation": [explanation(g) for g in groups],
        }
    )
    members = pd.DataFrame(
        {
            "src": list(itertools.chain.from_iterable(g.members for g in groups)),
            "dst": np.repeat(
                np.array([g.group_id for g in groups], dtype=object), [g.size for g in groups]
            ),  # fmt: skip
        }
    ).assign(source=CLUSTER_SOURCE, observed_at=run_at, collector=None, origin=method)
    store.write_groups(nodes, members)


def read_groups(store: Store) -> list[Group]:
    """The groups of the latest clustering run, from the store, ranked."""
    nodes = store.read_nodes("Group", ["score", "size", "countries", "summary", "explanation"])
    if not len(nodes):
        return []
    members = store.read_edges(("MEMBER_OF", "Ad", "Group"), [])
    by_group = members.groupby("dst")["src"].apply(lambda s: sorted(s.tolist())).to_dict()
    groups = []
    for row in nodes.itertuples(index=False):
        explanation = json.loads(row.explanation) if isinstance(row.explanation, str) else {}
        groups.append(
            Group(
                row.key,
                by_group.get(row.key, []),
                float(row.score),
                explanation.get("indicators", {}),
                explanation.get("evidence", []),
                [c for c in (row.countries or "").split(",") if c],
                row.summary or "",
                core=explanation.get("core", ""),
                chains=explanation.get("chains", {}),
                joins=explanation.get("joins", []),
                joints=explanation.get("joints", []),
                confidence=explanation.get(
                    "confidence", {"level": "lone ad"} if row.size == 1 else {}
                ),
            )
        )
    groups.sort(key=lambda g: (-g.score, -g.size, g.group_id))
    return groups


def read_group(store: Store, group_id: str) -> Group:
    for g in read_groups(store):
        if g.group_id == group_id:
            return g
    raise NotFoundError(
        f"no group {group_id!r}; `graphthb groups` lists them (run `graphthb cluster` first)"
    )
