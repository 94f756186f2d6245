"""The analysis graph: ads and the identifiers they carry, weighted by specificity.

Built from the store as arrays (one row per ad, one row per ad–identifier link),
then reduced to what links ads:

* near-identical pictures (hashes a few bits apart) become one picture;
* identifiers carried by a single ad link nothing and are dropped;
* **generic** identifiers are dropped: those on the analyst's ignore list, and
  those shared by many ads that are otherwise unrelated (a hotel desk, a
  platform's abuse address). "Otherwise unrelated" is tested directly: take the
  identifier away and count into how many separate clusters its ads fall. A
  controller's phone binds ads that other identifiers (other burner phones,
  pictures, wallets, a booking handle, a reused template) also hold together;
  a hotel desk number sits in the ads of dozens of advertisers that share
  nothing else;
* reused ad texts become ad–ad links, but only inside the clusters that
  contacts and pictures make, or to attach an ad or two that nothing else
  ties anywhere: a text never joins two clusters that contacts keep apart;
* an analyst's SAME_AS facts join nodes outright, and NOT_SAME_AS facts are kept
  to split whatever the algorithms put together against them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from graphthb.analysis.neardup import image_pairs, search_plan, sorted_unique, text_pairs
from graphthb.store.base import Store

__all__ = ["AnalysisGraph", "Settings", "build", "AD_COLUMNS", "KIND_WEIGHT"]

#: How much one shared identifier of each kind says that two ads belong together.
#: Platforms, domains and locations are context, not links, and are not used.
KIND_WEIGHT = {
    "Phone": 1.0,
    "Wallet": 1.0,
    "Handle": 1.0,
    "Email": 1.0,
    "Image": 1.0,
    "Person": 1.5,
    "Agency": 0.6,
    "Url": 0.5,
}
IDENTIFIER_RELS = {
    "HAS_PHONE": "Phone",
    "HAS_EMAIL": "Email",
    "HAS_HANDLE": "Handle",
    "HAS_WALLET": "Wallet",
    "HAS_IMAGE": "Image",
    "LINKS_TO": "Url",
    "NAMES_AGENCY": "Agency",
}
ASSERTED_LINKS = ("APPEARS_IN", "CONTROLS", "ACCOMPANIES", "USES", "PAYS", "ASSERTED")
#: What the analysis reads of each ad: texts for reuse, the rest for the indicators.
AD_COLUMNS = ["persona", "city", "country", "platform", "text", "payment", "agency"]
_SITE_ROOT = r"[a-z][a-z0-9+.-]*://[^/?#]+/?"
TEXT_WEIGHT = 0.5


@dataclass
class Settings:
    """Knobs of the linking step, with the defaults the docs explain."""

    image_distance: int = 10
    text_threshold: float = 0.6
    #: an identifier in at least this many ads is tested for being generic
    generic_min_ads: int = 3
    #: ... and is generic when its ads fall into at least this share of separate clusters
    generic_fragmentation: float = 0.5
    #: (kind, key) never to link on: the analyst's ignore list (graphthb.ignorelist);
    #: a mapping gives each its reason, shown in the groups' evidence
    ignore: Collection[tuple[str, str]] = frozenset()


@dataclass
class AnalysisGraph:
    """Ads, identifiers and weighted links between them, as arrays.

    Node ``i < n_ads`` is the ad ``ads.iloc[i]``; higher ids are identifiers
    listed in ``idents`` (columns ``kind``, ``key``, ``ads``, ``generic``).
    ``links`` has ``src``, ``dst``, ``weight`` and ``why`` (the kind of link).
    """

    ads: pd.DataFrame
    idents: pd.DataFrame
    links: pd.DataFrame
    carried: pd.DataFrame  # every ad–identifier link, kept identifiers or not
    cannot_link: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: near-identical pictures: ``key`` (the picture's name) and each other ``variant``
    pictures: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["key", "variant"]))
    #: reused-text links set aside because they would join two clusters
    #: that contacts and pictures keep apart, as ad pairs (k, 2)
    set_aside_text: np.ndarray = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))

    @property
    def n_ads(self) -> int:
        return len(self.ads)

    @property
    def n_nodes(self) -> int:
        return len(self.ads) + len(self.idents)


def read_inputs(store: Store) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Ads, ad–identifier links and asserted facts, read from the store as tables."""
    ads = store.read_nodes("Ad", AD_COLUMNS)
    if not ads["key"].is_monotonic_increasing:
        ads = ads.sort_values("key", kind="stable")
    ads = ads.reset_index(drop=True)
    parts = []
    for rel, kind in IDENTIFIER_RELS.items():
        df = store.read_edges((rel, "Ad", kind), [])
        if len(df):
            parts.append(pd.DataFrame({"ad": df["src"], "kind": kind, "key": df["dst"]}))
    carried = (
        pd.concat(parts, ignore_index=True).drop_duplicates()
        if parts
        else pd.DataFrame(columns=["ad", "kind", "key"])
    )
    facts = []
    for rel in (*ASSERTED_LINKS, "SAME_AS", "NOT_SAME_AS"):
        df = store.read_rel(rel, [])
        if len(df):
            facts.append(df.assign(rel=rel))
    asserted = (
        pd.concat(facts, ignore_index=True)
        if facts
        else pd.DataFrame(columns=["src_kind", "src", "dst_kind", "dst", "rel"])
    )
    return ads, carried, asserted


def build(store: Store, settings: Settings | None = None) -> AnalysisGraph:
    """Read the store and build the analysis graph."""
    ads, carried, asserted = read_inputs(store)
    return build_from_tables(ads, carried, asserted, settings or Settings())


def build_from_tables(
    ads: pd.DataFrame, carried: pd.DataFrame, asserted: pd.DataFrame, settings: Settings
) -> AnalysisGraph:
    n_ads = len(ads)
    # Reused texts need only the texts: they are searched on another thread
    # while this one sorts out identifiers and pictures.
    texts = ads["text"].where(ads["text"].notna(), None).tolist()
    background = ThreadPoolExecutor(max_workers=1)
    reused_texts = background.submit(text_pairs, texts, threshold=settings.text_threshold)
    background.shutdown(wait=False)
    ad_pos = pd.Series(np.arange(n_ads), index=ads["key"].to_numpy())
    notes: list[str] = []

    # Persons (and anything else an analyst ties to an ad) act as identifiers too.
    extra = []
    for rel in ASSERTED_LINKS:
        rows = asserted[asserted["rel"] == rel]
        for a_side, b_side in (("src", "dst"), ("dst", "src")):
            hit = rows[rows[f"{a_side}_kind"] == "Ad"]
            hit = hit[hit[f"{b_side}_kind"] != "Ad"]
            if len(hit):
                extra.append(
                    pd.DataFrame(
                        {"ad": hit[a_side], "kind": hit[f"{b_side}_kind"], "key": hit[b_side]}
                    )
                )
    links_in = pd.concat([carried, *extra], ignore_index=True).drop_duplicates()
    # Each link's ad as its row number, looked up once.
    links_in = links_in.assign(pos=ad_pos.index.get_indexer(links_in["ad"]))
    links_in = links_in[links_in["pos"].to_numpy() >= 0]
    # A link to a site's front page says where the advertiser posts, not who
    # they are: every ad on that site may carry it.
    site_root = (links_in["kind"] == "Url") & links_in["key"].astype(str).str.fullmatch(_SITE_ROOT)
    links_in = links_in[~site_root]

    # SAME_AS between identifiers: both become one identifier node.
    same = asserted[(asserted["rel"] == "SAME_AS") & (asserted["src_kind"] != "Ad")]
    alias = _alias_map(same)
    if alias:
        keys = list(zip(links_in["kind"], links_in["key"], strict=True))
        mapped = [alias.get(k, k) for k in keys]
        links_in = links_in.assign(kind=[m[0] for m in mapped], key=[m[1] for m in mapped])
        links_in = links_in.drop_duplicates()

    # Near-identical pictures (a re-encoded copy, a crop's hash a few bits off)
    # become one picture before anything is counted, so that a copy seen in one
    # ad alone still ties that ad to the others.
    pictures = links_in["kind"].to_numpy() == "Image"
    hashes = np.sort(pd.unique(links_in["key"].to_numpy()[pictures]).astype(str))
    near = image_pairs(hashes.tolist(), settings.image_distance)
    exact_to = search_plan(len(hashes), settings.image_distance)[2]
    if exact_to < settings.image_distance:
        notes.append(
            f"{len(hashes)} distinct pictures: near-duplicates found exactly up to {exact_to} bits, "
            f"most but not all from {exact_to + 1} to {settings.image_distance} bits"
        )
    variants = pd.DataFrame(columns=["key", "variant"])
    if len(near):
        same = components(len(hashes), [near])
        # Each picture is named by the smallest hash of its near-identical copies.
        first = np.full(same.max() + 1, len(hashes))
        np.minimum.at(first, same, np.arange(len(hashes)))
        named = hashes[first[same]]
        copied = named != hashes
        variants = pd.DataFrame({"key": named[copied], "variant": hashes[copied]})
        at = np.searchsorted(hashes, links_in["key"].to_numpy()[pictures].astype(str))
        keys = links_in["key"].to_numpy().copy()
        shown = keys.copy()
        keys[pictures] = named[at]
        links_in = links_in.assign(key=keys, shown=shown).drop_duplicates(["ad", "kind", "key"])
    else:
        links_in = links_in.assign(shown=links_in["key"])

    # Identifiers in (kind, key) order; each link's identifier by its group number.
    grouped = links_in.groupby(["kind", "key"], sort=True)
    code = grouped.ngroup().to_numpy()
    idents = grouped.size().rename("ads").reset_index()
    wanted = idents["kind"].isin(KIND_WEIGHT.keys()).to_numpy()
    place = np.cumsum(wanted) - 1  # a kept identifier's place among those kept
    rows = code >= 0
    rows[rows] = wanted[code[rows]]
    links_in = links_in[rows]
    idents = idents[wanted].reset_index(drop=True)
    src = links_in["pos"].to_numpy()
    dst = place[code[rows]] + n_ads

    def ident_at(kinds: pd.Series, keys: pd.Series) -> np.ndarray:
        """Node ids of a few (kind, key) pairs, NaN for those not in ``idents``."""
        near = idents[idents["key"].isin(set(keys))]
        where = dict(
            zip(zip(near["kind"], near["key"], strict=True), near.index + n_ads, strict=True)
        )
        return np.array([where.get(k, np.nan) for k in zip(kinds, keys, strict=True)], dtype=float)

    # Person-to-person facts (CONTROLS, ACCOMPANIES...) tie the persons' ads together.
    pp = asserted[
        asserted["rel"].isin(ASSERTED_LINKS)
        & (asserted["src_kind"] != "Ad")
        & (asserted["dst_kind"] != "Ad")
    ]
    pp_src = ident_at(pp["src_kind"], pp["src"])
    pp_dst = ident_at(pp["dst_kind"], pp["dst"])
    ok = ~(np.isnan(pp_src) | np.isnan(pp_dst))
    pp_pairs = np.stack([pp_src[ok], pp_dst[ok]], axis=1).astype(np.int64) if ok.any() else None

    asserted_ident = np.zeros(len(idents), dtype=bool)
    if extra:
        named = pd.concat(extra, ignore_index=True)
        at = ident_at(named["kind"], named["key"])
        asserted_ident[at[~np.isnan(at)].astype(np.int64) - n_ads] = True

    text_near = reused_texts.result()

    # Generic identifiers: test each busy identifier for fragmentation.
    ignore = np.zeros(len(idents), dtype=bool)
    set_aside = None
    if settings.ignore:
        listed = settings.ignore
        pairs = list(zip(idents["kind"], idents["key"], strict=True))
        ignore = np.array([p in listed for p in pairs], dtype=bool)
        if ignore.any():
            said = listed if isinstance(listed, Mapping) else {}
            set_aside = [
                f"on the ignore list ({said.get(p) or 'no reason given'})" if hit else ""
                for p, hit in zip(pairs, ignore, strict=True)
            ]
            notes.append(
                f"{int(ignore.sum())} identifier(s) on the ignore list set aside (carried by "
                f"{int(np.isin(dst, np.flatnonzero(ignore) + n_ads).sum())} ad link(s))"
            )
    generic = _fragmented(
        n_ads, len(idents), src, dst, idents["ads"].to_numpy(), idents["kind"].to_numpy(),
        text_near, settings, protect=asserted_ident | ignore, keys=idents["key"].to_numpy(),
    )  # fmt: skip
    generic |= ignore
    between = _between_few(
        n_ads, src, dst, idents["key"].to_numpy(), idents["ads"].to_numpy(),
        idents["kind"].to_numpy(), generic, protect=asserted_ident,
    )  # fmt: skip
    if (generic & ~ignore).any():
        notes.append(
            f"{int((generic & ~ignore).sum())} identifier(s) set aside as generic (shared by "
            "otherwise unrelated ads)"
        )
    if between.any():
        notes.append(
            f"{int(between.sum())} phone(s) given in only a few ads set aside as generic (each "
            "ad shows a contact of its own besides, and nothing else relates them)"
        )
    generic |= between
    idents = idents.assign(generic=generic, asserted=asserted_ident)
    if set_aside is not None:  # why, for the evidence; absent when nothing is listed
        idents["set_aside"] = set_aside
    keep = ~generic[dst - n_ads] & (idents["ads"].to_numpy()[dst - n_ads] >= 2)
    # Clusters that contacts and pictures alone make, to judge reused texts by.
    clusters = components(n_ads + len(idents), [np.stack([src[keep], dst[keep]], axis=1)])
    stock = _stock_wording(n_ads, clusters, src[keep], text_near, settings)
    if stock.any():
        notes.append(
            f"{int(stock.sum())} reused-text link(s) set aside as stock wording (one wording "
            "shared by advertisers whose contacts and pictures are otherwise unrelated)"
        )
        text_near = text_near[~stock]
    own_contact = np.zeros(n_ads, dtype=bool)
    contact_rows = np.isin(idents["kind"].to_numpy(), CONTACT_KINDS)[dst - n_ads]
    own_contact[src[contact_rows & ~generic[dst - n_ads]]] = True
    bridging = _unsupported(n_ads, clusters, text_near, own_contact)
    set_aside_text = text_near[bridging]
    if bridging.any():
        notes.append(
            f"{int(bridging.sum())} reused-text link(s) set aside as bridges (they would join "
            "clusters that contacts and pictures keep apart; a reused text only attaches an "
            "ad or two that nothing else ties)"
        )
        text_near = text_near[~bridging]

    weights = idents["kind"].map(KIND_WEIGHT).to_numpy(dtype=float)
    link_frames = [
        pd.DataFrame(
            {
                "src": src[keep],
                "dst": dst[keep],
                # A link through a busy identifier says a little less about any one pair.
                "weight": weights[dst[keep] - n_ads]
                / np.log2(1 + idents["ads"].to_numpy()[dst[keep] - n_ads]),
                "why": idents["kind"].to_numpy()[dst[keep] - n_ads],
            }
        )
    ]
    if len(text_near):
        link_frames.append(
            pd.DataFrame(
                {
                    "src": text_near[:, 0],
                    "dst": text_near[:, 1],
                    "weight": TEXT_WEIGHT,
                    "why": "text",
                }
            )
        )
    if pp_pairs is not None:
        link_frames.append(
            pd.DataFrame(
                {
                    "src": pp_pairs[:, 0],
                    "dst": pp_pairs[:, 1],
                    "weight": KIND_WEIGHT["Person"],
                    "why": "asserted",
                }
            )
        )
    # SAME_AS between ads: a link stronger than anything automatic.
    same_ads = asserted[
        (asserted["rel"] == "SAME_AS")
        & (asserted["src_kind"] == "Ad")
        & (asserted["dst_kind"] == "Ad")
    ]
    a = ad_pos.reindex(same_ads["src"].to_numpy()).to_numpy()
    b = ad_pos.reindex(same_ads["dst"].to_numpy()).to_numpy()
    ok = ~(np.isnan(a.astype(float)) | np.isnan(b.astype(float)))
    if ok.any():
        link_frames.append(
            pd.DataFrame(
                {
                    "src": a[ok].astype(np.int64),
                    "dst": b[ok].astype(np.int64),
                    "weight": 5.0,
                    "why": "same-as",
                }
            )
        )
    links = pd.concat(link_frames, ignore_index=True)

    cannot = []
    apart = asserted[asserted["rel"] == "NOT_SAME_AS"]
    for row in apart.itertuples(index=False):
        left = _ads_of(row.src_kind, row.src, ad_pos, links_in)
        right = _ads_of(row.dst_kind, row.dst, ad_pos, links_in)
        if len(left) and len(right):
            cannot.append((left, right))
    carried_pos = pd.DataFrame(
        {
            "ad": src,
            "ident": dst,
            "kind": links_in["kind"].to_numpy(),
            "key": links_in["key"].to_numpy(),
            # the picture as this ad shows it, where ``key`` names its near-identical copies
            "shown": links_in["shown"].to_numpy(),
        }
    )
    return AnalysisGraph(ads, idents, links, carried_pos, cannot, notes, variants, set_aside_text)


def _alias_map(same: pd.DataFrame) -> dict[tuple[str, str], tuple[str, str]]:
    """Each identifier named in SAME_AS facts mapped to one representative."""
    if not len(same):
        return {}
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for row in same.itertuples(index=False):
        a, b = find((row.src_kind, row.src)), find((row.dst_kind, row.dst))
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {k: find(k) for k in parent}


def _ads_of(kind: str, key: str, ad_pos: pd.Series, links_in: pd.DataFrame) -> np.ndarray:
    if kind == "Ad":
        return np.array([ad_pos[key]]) if key in ad_pos.index else np.empty(0, dtype=np.int64)
    hit = links_in[(links_in["kind"] == kind) & (links_in["key"] == key)]["ad"]
    return ad_pos.reindex(hit.to_numpy()).dropna().to_numpy().astype(np.int64)


def components(n: int, pairs: Iterable[np.ndarray]) -> np.ndarray:
    """Connected-component label of each of ``n`` nodes given edge arrays (k, 2)."""
    edges = [p for p in pairs if len(p)]
    if not edges:
        return np.arange(n)
    both = np.concatenate(edges)
    matrix = coo_matrix((np.ones(len(both)), (both[:, 0], both[:, 1])), shape=(n, n))
    return connected_components(matrix, directed=False)[1]


#: Passes of the fragmentation test's first round (each takes the desk-like
#: suspects found so far out of the context of the rest) ...
ROUND_ONE_PASSES = 3
#: ... desk-like meaning: at least this share of its ads show another contact.
DESK_SHARE = 0.8
#: Kinds whose presence on an ad says "this ad has its own contact": an ad that
#: shows another phone next to a busy one is evidence of another advertiser.
CONTACT_KINDS = ("Phone", "Email", "Handle", "Wallet")


def _fragmented(
    n_ads: int,
    n_idents: int,
    src: np.ndarray,
    dst: np.ndarray,
    counts: np.ndarray,
    kinds: np.ndarray,
    text_near: np.ndarray,
    settings: Settings,
    protect: np.ndarray,
    keys: np.ndarray,
) -> np.ndarray:
    """Which identifiers are shared by many ads that nothing else relates.

    Only *anchored* ads count as evidence: ads that show another contact (a
    phone, e-mail, handle or wallet) or share something with another ad. A
    prolific advertiser's ads that show one phone and nothing else say nothing
    either way and do not make the phone look generic; a hotel desk number
    next to a different advertiser's own phone in each ad does.

    Two rounds. First, each busy identifier is judged on its own ads alone: do
    the other identifiers, pictures and texts of those ads hold them together?
    A controller's phone passes (its ads share pictures, other burner phones,
    wallets); a hotel desk number does not. Those that fail are suspects. Then
    the suspects are all taken out of the whole graph at once and judged again
    by the clusters that remain, so that a group's sparse booking handle is
    saved by the group's other identifiers, while two generic numbers in
    unrelated ads cannot vouch for each other.
    """
    generic = np.zeros(n_idents, dtype=bool)
    if not n_idents:
        return generic
    busy = (counts >= settings.generic_min_ads) & ~protect
    if not busy.any():
        return generic
    n = n_ads + n_idents
    min_clusters = 3
    ident = dst - n_ads
    anchor = np.isin(kinds, CONTACT_KINDS)[ident] | (counts[ident] >= 2)

    # Round 1: per busy identifier, the clusters its ads form among themselves.
    # Repeated with the suspects found so far taken out of the others' context,
    # so that two hotel desks named in the same ads cannot vouch for each other.
    inc = pd.DataFrame({"ad": src, "j": dst})
    mem = inc[busy[ident]].rename(columns={"j": "i"})
    is_suspect = np.zeros(n_idents, dtype=bool)
    near_pairs, near_codes = [], []
    if len(text_near):
        tp = pd.DataFrame({"a": text_near[:, 0], "b": text_near[:, 1]})
        both = tp.merge(mem.rename(columns={"ad": "a"}), on="a").merge(
            mem.rename(columns={"ad": "b"}), on=["b", "i"]
        )
        a_code = (both["i"] * n + both["a"]).to_numpy(np.int64)
        b_code = (both["i"] * n + both["b"]).to_numpy(np.int64)
        near_pairs.append(np.stack([a_code, b_code], axis=1))
        near_codes += [a_code, b_code]
    # Only a suspect contact whose ads nearly all show another contact besides
    # (a desk next to each advertiser's own number) is taken out of the
    # others' context: a group's burner phone, the only number in its ads, is
    # not, nor a picture, or the group's phones would fall one after another.
    contact = np.isin(kinds, CONTACT_KINDS)
    number = pd.Series(keys.astype(str)).str.replace(r"^whatsapp:", "", regex=True).to_numpy()
    own = inc[contact[ident]].rename(columns={"j": "o"})
    beside = mem.merge(own, on="ad")
    beside = beside[
        number[beside["i"].to_numpy() - n_ads] != number[beside["o"].to_numpy() - n_ads]
    ]
    with_other = beside.drop_duplicates(["i", "ad"]).groupby("i").size()
    per_ident = mem.groupby("i").size()
    desk_like = np.zeros(n_idents, dtype=bool)
    share = with_other.reindex(per_ident.index, fill_value=0) / per_ident
    desk_like[share.index.to_numpy()[share.to_numpy() >= DESK_SHARE] - n_ads] = True
    desk_like &= contact
    out_of_context = np.zeros(n_idents, dtype=bool)
    for _ in range(ROUND_ONE_PASSES):
        ctx = mem.merge(inc[anchor & ~out_of_context[ident]], on="ad")
        ctx = ctx[ctx["i"] != ctx["j"]]
        # Node codes inside the disjoint union of the per-identifier subgraphs.
        ctx_ad = ctx["i"].to_numpy(np.int64) * n + ctx["ad"].to_numpy(np.int64)
        ctx_j = ctx["i"].to_numpy(np.int64) * n + ctx["j"].to_numpy(np.int64)
        # Anchored ads of each busy identifier: those with another contact or a reused text.
        anchored = sorted_unique(np.concatenate([ctx_ad, *near_codes]))
        allp = np.concatenate([np.stack([ctx_ad, ctx_j], axis=1), *near_pairs])
        codes, inverse = np.unique(np.concatenate([anchored, allp.ravel()]), return_inverse=True)
        labels = components(len(codes), [inverse[len(anchored) :].reshape(-1, 2)])
        frame = pd.DataFrame({"i": anchored // n, "cluster": labels[inverse[: len(anchored)]]})
        found = _judge(frame, settings.generic_fragmentation, min_clusters)
        is_suspect[found - n_ads] = True
        leave = is_suspect & desk_like & ~out_of_context
        if not leave.any():
            break
        out_of_context |= leave
    if not is_suspect.any():
        return generic

    # Round 2: all suspects out of the whole graph, judged by what remains.
    quiet = ~is_suspect[ident]
    # Reused texts are left out here: in a large collection, stock wording
    # chains most ads into one cluster, and then nothing would look generic.
    labels = components(n, [np.stack([src[quiet], dst[quiet]], axis=1)])
    # An ad is anchored when something other than a suspect ties it to a contact
    # or to another ad.
    has_anchor = np.zeros(n_ads, dtype=bool)
    has_anchor[src[quiet & anchor]] = True
    for near in (text_near,):
        if len(near):
            has_anchor[near.ravel()] = True
    sel = is_suspect[ident] & has_anchor[src]
    frame = pd.DataFrame({"i": dst[sel], "cluster": labels[src[sel]]})
    hits = _judge(frame, settings.generic_fragmentation, min_clusters)
    generic[hits - n_ads] = True
    return generic


#: Contacts given in at most this many ads are tested by :func:`_between_few`.
BETWEEN_MAX_ADS = 4


def _between_few(
    n_ads: int,
    src: np.ndarray,
    dst: np.ndarray,
    keys: np.ndarray,
    counts: np.ndarray,
    kinds: np.ndarray,
    generic: np.ndarray,
    protect: np.ndarray,
) -> np.ndarray:
    """Which phones given in only a few ads join several advertisers, not one.

    A hotel's booking line or a rental desk may turn up in only two to four
    ads, too few for the fragmentation test. Such a phone (given in at most
    ``BETWEEN_MAX_ADS`` ads) is set aside when every one of its ads shows
    another contact of its own besides (a phone, e-mail, handle or wallet
    that is not the same number: another advertiser's number next to the
    line), and those ads fall into two or more clusters that nothing else
    relates (no other identifier or picture joins them, directly or through
    other ads). For a contact of two ads, a second such contact on the same
    two ads vouches for it: a prolific advertiser's two ads with her own
    number and e-mail keep both. A group's ad that gives only its group's
    phone keeps it.
    """
    n_idents = len(counts)
    out = np.zeros(n_idents, dtype=bool)
    ident = dst - n_ads
    contact = np.isin(kinds, CONTACT_KINDS)
    # Phones only: a handle, an e-mail or a wallet in a few ads is a group's
    # booking contact far more often than a desk's.
    suspect = (counts >= 2) & (counts <= BETWEEN_MAX_ADS) & (kinds == "Phone") & ~generic & ~protect
    if not suspect.any():
        return out
    rows = suspect[ident]
    # Clusters without any suspect: what else relates the ads.
    quiet = ~generic[ident] & ~rows & (counts[ident] >= 2)
    labels = components(n_ads + n_idents, [np.stack([src[quiet], dst[quiet]], axis=1)])
    # A contact's number, so that a phone and its WhatsApp handle count as one.
    number = pd.Series(keys.astype(str)).str.replace(r"^whatsapp:", "", regex=True).to_numpy()
    mem = pd.DataFrame({"i": ident[rows], "ad": src[rows]}).drop_duplicates()
    others = contact[ident] & ~generic[ident]
    own = pd.DataFrame({"ad": src[others], "j": ident[others]})
    both = mem.merge(own, on="ad")
    both = both[number[both["i"].to_numpy()] != number[both["j"].to_numpy()]]
    has_own = mem.merge(
        both[["i", "ad"]].drop_duplicates(), on=["i", "ad"], how="left", indicator=True
    )
    all_own = (has_own["_merge"] == "both").groupby(has_own["i"]).all()
    mem = mem.assign(cluster=labels[mem["ad"].to_numpy()])
    spread = mem.groupby("i")["cluster"].nunique() >= 2
    flagged = all_own & spread.reindex(all_own.index, fill_value=False)
    # Two contacts of two ads on the same two ads vouch for each other.
    pairs = mem[counts[mem["i"].to_numpy()] == 2].groupby("i")["ad"].agg(["min", "max"])
    pair_code = pairs["min"] * n_ads + pairs["max"]
    vouched = pair_code[pair_code.duplicated(keep=False)].index
    flagged[flagged.index.isin(vouched)] = False
    out[flagged.index[flagged.to_numpy()].to_numpy()] = True
    return out


def _stock_wording(
    n_ads: int, clusters: np.ndarray, src: np.ndarray, text_near: np.ndarray, settings: Settings
) -> np.ndarray:
    """Which reused-text links belong to a wording many unrelated advertisers use.

    A platform's default text, or a handful of stock sentences, turns up in the
    ads of advertisers who share nothing else. Such a wording is judged like a
    generic identifier: the ads it joins (one cluster of near-identical texts)
    are placed in the clusters that contacts and pictures alone make, and when
    they fall into many clusters with no dominant one, its links are set aside.
    A group's template passes: its ads are held together by its phones,
    pictures and wallets too.
    """
    out = np.zeros(len(text_near), dtype=bool)
    if not len(text_near):
        return out
    wording = components(n_ads, [text_near])
    # Only ads with a contact or picture of their own say anything either way.
    anchored = np.zeros(n_ads, dtype=bool)
    anchored[src] = True
    ads = sorted_unique(text_near.ravel())
    ads = ads[anchored[ads]]
    frame = pd.DataFrame({"i": wording[ads], "cluster": clusters[ads]})
    stock = _judge(frame, settings.generic_fragmentation, 3)
    if len(stock):
        out = np.isin(wording[text_near[:, 0]], stock)
    return out


#: A cluster this small (in ads) may join another on its reused wording alone.
ATTACH_MAX_ADS = 2
#: ... when more than this share of its reused-text links lead there.
ATTACH_SHARE = 0.5


def _unsupported(
    n_ads: int, clusters: np.ndarray, text_near: np.ndarray, own_contact: np.ndarray | None = None
) -> np.ndarray:
    """Which reused-text links would bridge clusters that contacts and pictures
    keep apart.

    Contacts and pictures make clusters; a reused-text link inside one is kept
    (it strengthens what is already there). One between two clusters is kept
    only to *attach* a fragment: a cluster of at most ``ATTACH_MAX_ADS`` ads
    none of which shows a contact of its own (``own_contact``: a phone,
    e-mail, handle or wallet, even one no other ad gives), whose text links
    lead, more than ``ATTACH_SHARE`` of them, to one cluster, and then only
    its links to that cluster. An ad with a number of its own is an
    advertiser of its own until a contact or a picture says otherwise. Two larger clusters are never joined
    by text, however many of their texts match: two operations that buy one
    template stay two. Each fragment attaches to one cluster at most, so a
    chain of attachments can never reach from one large cluster to another.
    """
    out = np.zeros(len(text_near), dtype=bool)
    if not len(text_near):
        return out
    size = np.bincount(clusters[:n_ads], minlength=clusters.max() + 1)
    ca, cb = clusters[text_near[:, 0]], clusters[text_near[:, 1]]
    cross = ca != cb
    if not cross.any():
        return out
    both = pd.DataFrame({"c": np.concatenate([ca[cross], cb[cross]]),
                         "o": np.concatenate([cb[cross], ca[cross]])})  # fmt: skip
    per = both.groupby(["c", "o"]).size()
    share = per / per.groupby(level=0).transform("sum")
    leads = share > ATTACH_SHARE
    a, b = ca[cross], cb[cross]
    a_to_b = leads.reindex(pd.MultiIndex.from_arrays([a, b])).to_numpy()
    b_to_a = leads.reindex(pd.MultiIndex.from_arrays([b, a])).to_numpy()
    small_a = size[a] <= ATTACH_MAX_ADS
    small_b = size[b] <= ATTACH_MAX_ADS
    if own_contact is not None:
        # A cluster with a contact of its own never attaches by text.
        speaks = np.zeros(clusters.max() + 1, dtype=bool)
        speaks[clusters[:n_ads][own_contact]] = True
        small_a &= ~speaks[a]
        small_b &= ~speaks[b]
    # Between two fragments, only the smaller (or, equal, the lower-numbered)
    # one attaches, so that each fragment has one target.
    a_goes = a_to_b & small_a & ((size[a] < size[b]) | ((size[a] == size[b]) & (a < b)) | ~small_b)
    b_goes = b_to_a & small_b & ((size[b] < size[a]) | ((size[a] == size[b]) & (b < a)) | ~small_a)
    kept = a_goes | b_goes
    out[np.nonzero(cross)[0][~kept]] = True
    return out


def _judge(frame: pd.DataFrame, share: float, min_clusters: int) -> np.ndarray:
    """Identifiers whose anchored ads spread over many clusters, none of them dominant.

    Generic when the ads fall into at least ``min_clusters`` clusters and either
    there are at least ``share`` as many clusters as ads (every ad its own
    advertiser), or no cluster holds half of them (several unrelated groups).
    """
    if not len(frame):
        return np.empty(0, dtype=np.int64)
    per = frame.groupby(["i", "cluster"]).size()
    stats = pd.DataFrame(
        {
            "clusters": per.groupby(level=0).size(),
            "ads": per.groupby(level=0).sum(),
            "largest": per.groupby(level=0).max(),
        }
    )
    spread = stats["clusters"] / stats["ads"] >= share
    no_core = stats["largest"] * 2 < stats["ads"]
    bad = (stats["clusters"] >= min_clusters) & (spread | no_core)
    return stats.index[bad].to_numpy()
