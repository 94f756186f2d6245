"""Linking and communities on a small hand-made world, on both stores."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from graphthb.analysis.graph import Settings, build
from graphthb.analysis.groups import cluster, read_group, read_groups
from graphthb.store import Store

HOTEL = "+31201234567"


def _world(store: Store, *, shuffle: int | None = None) -> dict[str, list[str]]:
    """Two organised groups, twenty independents, and a hotel desk number in many ads."""
    ads, phones, wallets, images, handles = [], [], [], [], []
    truth: dict[str, list[str]] = {"G1": [], "G2": []}
    # G1: four personas across three countries, two burner phones shared, one wallet.
    for i in range(12):
        key = f"g1-{i:02d}"
        truth["G1"].append(key)
        ads.append({"key": key, "persona": ["Anna", "Lena", "Mia", "Ola"][i % 4], "country": ["NL", "BE", "DE"][i % 3],
                    "city": ["Amsterdam", "Antwerpen", "Köln"][i % 3], "payment": "crypto only"})  # fmt: skip
        phones.append((key, f"+3161111{i // 6:04d}"))
        wallets.append((key, "btc:1G1wallet"))
        images.append((key, f"{0xAAAA000000000000 + (i % 4):016x}"))
    # G2: one controller's phone in every ad, telegram handle, pictures re-encoded.
    for i in range(9):
        key = f"g2-{i:02d}"
        truth["G2"].append(key)
        ads.append({"key": key, "persona": ["Ira", "Kira", "Vika"][i % 3], "country": ["PL", "CZ"][i % 2],
                    "city": ["Warszawa", "Praha"][i % 2], "payment": "cash"})  # fmt: skip
        phones.append((key, "+48512000001"))
        handles.append((key, "telegram:vip_booking"))
        images.append((key, f"{0x5555000000000000 ^ (1 << (i % 3)):016x}"))
    # Independents: each has their own phone, two ads each; every third shows the hotel desk.
    for j in range(20):
        for k in range(2):
            key = f"ind-{j:02d}-{k}"
            ads.append(
                {
                    "key": key,
                    "persona": "Anna",
                    "country": "NL",
                    "city": "Utrecht",
                    "payment": "cash",
                }
            )
            phones.append((key, f"+3162222{j:04d}"))
            if (j + k) % 3 == 0:
                phones.append((key, HOTEL))
    # The hotel desk also appears in two ads of each group.
    phones += [("g1-00", HOTEL), ("g2-00", HOTEL)]
    rng = random.Random(shuffle)
    if shuffle is not None:
        for seq in (ads, phones, wallets, images, handles):
            rng.shuffle(seq)

    def edges(pairs: list[tuple[str, str]]) -> pd.DataFrame:
        return pd.DataFrame(pairs, columns=["src", "dst"]).assign(source="world")

    store.write_batch(
        {
            "Ad": pd.DataFrame(ads),
            "Phone": pd.DataFrame({"key": sorted({p for _, p in phones})}),
            "Wallet": pd.DataFrame({"key": sorted({w for _, w in wallets})}),
            "Image": pd.DataFrame({"key": sorted({i for _, i in images})}),
            "Handle": pd.DataFrame({"key": sorted({h for _, h in handles})}),
        },
        {
            ("HAS_PHONE", "Ad", "Phone"): edges(phones),
            ("HAS_WALLET", "Ad", "Wallet"): edges(wallets),
            ("HAS_IMAGE", "Ad", "Image"): edges(images),
            ("HAS_HANDLE", "Ad", "Handle"): edges(handles),
        },
    )
    return truth


def _membership(groups) -> dict[str, str]:
    return {m: g.group_id for g in groups for m in g.members}


def test_hotel_desk_is_generic_and_controller_phone_is_not(embedded_store: Store) -> None:
    _world(embedded_store)
    graph = build(embedded_store)
    generic = set(graph.idents.loc[graph.idents["generic"], "key"])
    assert generic == {HOTEL}
    assert "+48512000001" not in generic


def test_groups_recovered_and_ranked_first(store: Store) -> None:
    truth = _world(store)
    result = cluster(store, seed=0)
    member = _membership(result.groups)
    for planted in truth.values():
        assert len({member[a] for a in planted}) == 1
    assert member["g1-00"] != member["g2-00"]
    # independents stay with their own ads, never with the groups or one another
    assert member["ind-00-0"] == member["ind-00-1"]
    assert member["ind-00-0"] != member["ind-03-0"]
    top = [g.group_id for g in result.groups[:2]]
    assert set(top) == {member["g1-00"], member["g2-00"]}
    assert sum(g.size for g in result.groups) == 12 + 9 + 40


def test_every_record_in_exactly_one_group(embedded_store: Store) -> None:
    _world(embedded_store)
    cluster(embedded_store)
    groups = read_groups(embedded_store)
    members = [m for g in groups for m in g.members]
    assert len(members) == len(set(members)) == 61
    rows = embedded_store.query("MATCH (a:Ad)-[:MEMBER_OF]->(g:Group) RETURN count(a)").rows
    assert rows == [[61]]


def test_evidence_and_indicators_explain_the_group(embedded_store: Store) -> None:
    truth = _world(embedded_store)
    cluster(embedded_store)
    member = _membership(read_groups(embedded_store))
    g1 = read_group(embedded_store, member[truth["G1"][0]])
    wallet = next(e for e in g1.evidence if e["kind"] == "Wallet")
    assert wallet == {
        "kind": "Wallet",
        "key": "btc:1G1wallet",
        "ads": 12,
        "personas": 4,
        "countries": 3,
        "generic": False,
    }
    assert g1.indicators["countries"]["value"] == 3
    assert g1.indicators["personas_per_phone"]["value"] == 4
    assert g1.indicators["crypto_only"]["value"] == 1.0
    hotel = [e for e in g1.evidence if e["key"] == HOTEL]
    assert hotel == [] or hotel[0]["generic"]


def test_same_seed_same_groups_whatever_the_order(tmp_path) -> None:
    from graphthb.store import open_store

    found = []
    for n, order in enumerate((None, 1, 2)):
        with open_store(str(tmp_path / f"w{n}.lbug")) as store:
            _world(store, shuffle=order)
            found.append({g.group_id: g.members for g in cluster(store, seed=3).groups})
    assert found[0] == found[1] == found[2]


def test_group_ids_survive_a_rerun_with_more_data(embedded_store: Store) -> None:
    truth = _world(embedded_store)
    first = _membership(cluster(embedded_store).groups)
    embedded_store.merge_nodes("Ad", pd.DataFrame({"key": ["g1-new"], "country": ["NL"]}))
    embedded_store.merge_edges(
        ("HAS_WALLET", "Ad", "Wallet"),
        pd.DataFrame({"src": ["g1-new"], "dst": ["btc:1G1wallet"], "source": "more"}),
    )
    second = _membership(cluster(embedded_store).groups)
    assert second[truth["G1"][0]] == first[truth["G1"][0]]
    assert second["g1-new"] == first[truth["G1"][0]]
    assert second[truth["G2"][0]] == first[truth["G2"][0]]


def test_ignore_list_and_analyst_decisions(embedded_store: Store) -> None:
    truth = _world(embedded_store)
    # An analyst says two independents are the same person, and that G2 is two operations.
    embedded_store.merge_edges(
        ("SAME_AS", "Ad", "Ad"),
        pd.DataFrame({"src": ["ind-05-0"], "dst": ["ind-06-0"], "source": "analyst"}),
    )
    embedded_store.merge_edges(
        ("NOT_SAME_AS", "Ad", "Ad"),
        pd.DataFrame({"src": ["g2-00"], "dst": ["g2-01"], "source": "analyst"}),
    )
    settings = Settings(ignore=frozenset({("Wallet", "btc:1G1wallet")}))
    member = _membership(cluster(embedded_store, settings=settings).groups)
    assert member["ind-05-0"] == member["ind-06-0"]
    assert member["g2-00"] != member["g2-01"]
    graph = build(embedded_store, settings)
    assert bool(graph.idents.set_index("key").loc["btc:1G1wallet", "generic"])
    assert len(truth["G1"]) == 12


def test_components_baseline_and_unknown_method(embedded_store: Store) -> None:
    _world(embedded_store)
    result = cluster(embedded_store, method="components")
    assert max(g.size for g in result.groups) == 12
    from graphthb.errors import GraphthbError

    with pytest.raises(GraphthbError, match="Leiden needs a NetworkX backend"):
        cluster(embedded_store, method="leiden")


@pytest.mark.neo4j
def test_both_stores_give_the_same_groups(embedded_store: Store, neo4j_store: Store) -> None:
    _world(embedded_store)
    _world(neo4j_store)
    a = {g.group_id: (g.members, g.score) for g in cluster(embedded_store, seed=5).groups}
    b = {g.group_id: (g.members, g.score) for g in cluster(neo4j_store, seed=5).groups}
    assert a == b


def test_near_image_search_is_exact_where_it_says() -> None:
    import numpy as np

    from graphthb.analysis.neardup import EXACT_MAX_IMAGES, image_pairs, search_plan

    rng = np.random.default_rng(7)
    base = rng.integers(0, 2**63, 300, dtype=np.uint64)
    flips = rng.integers(1, 11, 300)
    near = []
    for value, n_bits in zip(base, flips, strict=True):
        bits = rng.choice(64, size=n_bits, replace=False)
        near.append(int(value) ^ sum(1 << int(b) for b in bits))
    hashes = [f"{int(v):016x}" for v in base] + [f"{v:016x}" for v in near]
    found = {tuple(p) for p in image_pairs(hashes, 10).tolist()}
    for i in range(300):
        assert (i, 300 + i) in found
    assert search_plan(EXACT_MAX_IMAGES, 10) == (4, 2, 10)
    assert search_plan(EXACT_MAX_IMAGES + 1, 10)[2] == 5


def _planted_graph(seed: int, groups: int = 60) -> tuple[int, pd.DataFrame]:
    """Small weighted communities, some joined to a neighbour by one weak link."""
    rng = random.Random(seed)
    src, dst, weight = [], [], []
    start = 0
    for g in range(groups):
        size = rng.randint(3, 30)
        for i in range(start, start + size):
            for j in range(i + 1, start + size):
                if rng.random() < 0.4:
                    src.append(i)
                    dst.append(j)
                    weight.append(rng.choice([0.5, 1.0, 0.9, 0.25]))
        if g % 3 and start:
            src.append(start)
            dst.append(start - 1)
            weight.append(0.1)
        start += size
    return start, pd.DataFrame({"src": src, "dst": dst, "weight": weight})


def _same_partition(a, b) -> bool:
    pairs = set(zip(a.tolist(), b.tolist(), strict=True))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_split_is_the_same_in_one_process_or_several_and_skips_only_what_cannot_split() -> None:
    import networkx as nx
    import numpy as np

    from graphthb.analysis.communities import partition
    from graphthb.analysis.graph import components

    for seed in range(3):
        n, links = _planted_graph(seed)
        for reference in (None, float(links["weight"].sum()) / 4):
            one = partition(n, links, seed=seed, reference_weight=reference, workers=1)
            two = partition(n, links, seed=seed, reference_weight=reference, workers=2)
            assert one.tolist() == two.tolist()
            # Against Louvain run on every component, none skipped.
            comp = components(n, [links[["src", "dst"]].to_numpy()])
            total = float(links["weight"].sum())
            if reference is not None:
                total = min(total, reference)
            expected = comp.copy()
            label = comp.max() + 1
            for c in np.unique(comp):
                part = links[comp[links["src"].to_numpy()] == c]
                if (comp == c).sum() < 8:
                    continue
                a = np.minimum(part["src"], part["dst"])
                b = np.maximum(part["src"], part["dst"])
                edges = pd.DataFrame({"a": a, "b": b, "w": part["weight"]})
                edges = edges.groupby(["a", "b"], sort=True)["w"].sum().reset_index()
                g = nx.Graph()  # built as the step builds it: Louvain follows insertion order
                g.add_nodes_from(sorted(set(edges["a"]) | set(edges["b"])))
                g.add_weighted_edges_from(edges.itertuples(index=False, name=None))
                scaled = min(1.0, float(part["weight"].sum()) / total)
                found = nx.community.louvain_communities(g, resolution=scaled, seed=seed)
                for members in sorted(found, key=lambda m: (-len(m), min(m)))[1:]:
                    expected[list(members)] = label
                    label += 1
            assert _same_partition(one, expected)
            assert len(set(one.tolist())) > len(set(comp.tolist()))  # something was split


def test_components_proven_whole_are_those_louvain_keeps_whole() -> None:
    import networkx as nx
    import numpy as np

    from graphthb.analysis.communities import _stays_whole

    rng = random.Random(3)
    proven = split = 0
    for trial in range(120):
        # A tight group, sometimes with a second one hanging on a weak link.
        size = rng.randint(8, 40)
        edges = {}
        for i in range(size):
            for j in range(i + 1, size):
                if rng.random() < 0.3 or j == i + 1:
                    edges[(i, j)] = rng.choice([0.5, 0.9, 1.0, 0.3])
        if trial % 2:
            for i in range(size, 2 * size):
                for j in range(i + 1, 2 * size):
                    if rng.random() < 0.3 or j == i + 1:
                        edges[(i, j)] = 1.0
            edges[(size - 1, size)] = 0.1
        a, b = np.array([e[0] for e in edges]), np.array([e[1] for e in edges])
        w = np.array(list(edges.values()))
        scaled = rng.choice([0.01, 0.05, 0.2, 0.6])
        g = nx.Graph()
        g.add_weighted_edges_from(zip(a.tolist(), b.tolist(), w.tolist(), strict=True))
        parts = nx.community.louvain_communities(g, resolution=scaled, seed=trial)
        if _stays_whole(a, b, w, scaled):
            proven += 1
            assert len(parts) == 1
        split += len(parts) > 1
    assert proven >= 20 and split >= 20  # both cases were met


def test_reused_texts_are_found_and_unrelated_ones_are_not() -> None:
    from graphthb.analysis.neardup import text_pairs

    rng = random.Random(5)
    vocabulary = [f"w{''.join(rng.choice('abcdefghij') for _ in range(5))}" for _ in range(3000)]
    texts, origin = [], []
    for base in range(40):
        words = rng.sample(vocabulary, 30)
        for _ in range(5):
            variant = list(words)
            variant[rng.randrange(30)] = rng.choice(vocabulary)  # one word changed
            texts.append(" ".join(variant) + f" call 06{rng.randrange(10**8):08d}")
            origin.append(base)
    order = list(range(len(texts)))
    rng.shuffle(order)
    texts = [texts[i] for i in order]
    origin = [origin[i] for i in order]
    pairs = text_pairs(texts)
    assert pairs.tolist() == text_pairs(texts).tolist()  # the same every time
    assert all(origin[a] == origin[b] and a < b for a, b in pairs.tolist())
    # Every text is tied to others of its template (5 texts, 4 links needed).
    tied = {(origin[a], a) for a, _ in pairs.tolist()} | {(origin[b], b) for _, b in pairs}
    assert len(tied) >= 0.95 * len(texts)
    assert text_pairs(["too short to say anything"] * 3).tolist() == []


def test_words_are_runs_of_two_or_more_letters_in_any_script() -> None:
    import re
    import unicodedata

    from graphthb.analysis.neardup import _fold, _word_hashes

    texts = [
        "Hello gentlemen, I'm Selena (21) from Liège: 100% real, 24/7 \u2013 call_me now",
        "ﬁne STRASSE straße Ünïcode ½ x_y a7b ²³ Ⅻ İstanbul ΑΒΓ δεζ",
        "日本語 テキスト 😀emoji😀 " + chr(0xD800) + "lone surrogate",
        "a b c 1 2 3",
        "",
        "Привіт, я Оля; Gruß aus Köln — ŁÓDŹ łódź",
    ]
    expected = [
        re.findall(r"[^\W\d_]{2,}", unicodedata.normalize("NFKC", t).casefold()) for t in texts
    ]
    counts, hashes = _word_hashes([_fold(t) for t in texts])
    assert counts.tolist() == [len(words) for words in expected]
    # Equal words, and only equal words, hash alike.
    flat = [w for words in expected for w in words]
    by_word: dict[str, int] = {}
    by_hash: dict[int, int] = {}
    assert [by_word.setdefault(w, len(by_word)) for w in flat] == [
        by_hash.setdefault(h, len(by_hash)) for h in hashes.tolist()
    ]
    assert {"strasse", "łódź", "fine", "привіт", "call", "me"} <= set(flat)


def test_text_links_between_unrelated_clusters_are_set_aside() -> None:
    import numpy as np

    from graphthb.analysis.graph import _unsupported

    # Clusters made by contacts and pictures: ads 0-3 are cluster 10, 4-7 are 11,
    # 8-11 are 12, 15-17 are 16; ads 12, 13 and 14 are alone (13, 14, 15).
    clusters = np.array([10] * 4 + [11] * 4 + [12] * 4 + [13, 14, 15] + [16] * 3)
    text = np.array(
        [
            [0, 1],  # inside one cluster: kept
            [0, 4], [1, 8], [2, 15],  # cluster 10's wording leads nowhere in particular
            [5, 9],  # 11 and 12: neither side's texts lead mostly to the other
            [12, 4], [12, 5],  # a lone ad whose texts all lead to cluster 11: kept
            [13, 14],  # two clusters that lead only to each other: kept
        ]
    )  # fmt: skip
    unsupported = _unsupported(18, clusters, text)
    assert unsupported.tolist() == [False, True, True, True, True, False, False, False]
