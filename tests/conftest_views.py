"""Cases for the view tests, written straight into a store (no loader, no clustering).

``build_case`` writes a small world of two groups; the same shape with every
string replaced by hostile text is ``build_case(store, hostile=True)``.
``build_group`` writes one large synthetic group, for the layout path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from graphthb.store.base import Store

# Payloads an ad's author could write. Each sets a flag or calls alert if it ever runs.
PAYLOADS = (
    "<script>window.__pwned='script';alert(1)</script>",
    '"><img src=x onerror="window.__pwned=\'img\';alert(1)">',
    "javascript:window.__pwned='js';alert(1)",
    "</script><script>window.__pwned='breakout';alert(1)</script>",
    "' onmouseover='window.__pwned=1' x='",
    "<!-- {{7*7}} \u2028\u2029 &amp; <style>body{display:none}</style>",
)
HOSTILE = "".join(PAYLOADS)


@dataclass
class Case:
    """What ``build_case`` wrote, with the counts a view of it must show."""

    hostile: bool
    keys: dict[str, str] = field(default_factory=dict)

    def k(self, name: str) -> str:
        return self.keys[name]


def _prov(n: int, source: str = "records.csv") -> dict[str, list[Any]]:
    return {
        "source": [source] * n,
        "observed_at": ["2024-03-01"] * n,
        "collector": ["analyst-7"] * n,
        "origin": [f"{source}:{i + 2}" for i in range(n)],
    }


def _edges(pairs: list[tuple[str, str]], source: str = "records.csv", **extra: Any) -> pd.DataFrame:
    data: dict[str, Any] = {"src": [a for a, _ in pairs], "dst": [b for _, b in pairs]}
    data.update(_prov(len(pairs), source))
    for name, value in extra.items():
        data[name] = [value] * len(pairs)
    return pd.DataFrame(data)


def build_case(store: Store, *, hostile: bool = False) -> Case:
    """Two groups (G-1: four ads, G-2: two ads) and a loose ad, linked as below.

    G-1 ads R-1..R-4 and G-2 ads R-5, R-6 share a phone (R-1, R-2, R-5) and an
    agency (R-2, R-6); R-3, R-4 and the loose R-7 share an e-mail. R-1 and R-2
    show one picture, R-3 another. A controller P-1 CONTROLS R-1; a potential
    victim P-2 APPEARS_IN R-3, whose persona is "Anna", age 19.
    """
    case = Case(hostile)

    def name(key: str, plain: str) -> str:
        value = f"{HOSTILE}{key}" if hostile else plain
        case.keys[key] = value
        return value

    ads = [name(f"R-{i}", f"R-{i}") for i in range(1, 8)]
    phone = name("phone", "+31612345678")
    email = name("email", "anna.desk@example.org")
    handle = name("handle", "telegram:rosebud")
    wallet = name("wallet", "btc:1BoatSLRHtKNngkdXEeobR76b53LETtpyT")
    img_a = name("img_a", "00ff00ff00ff00ff")
    img_b = name("img_b", "1234abcd1234abcd")
    url = name("url", "https://rose.example/anna")
    domain = name("domain", "rose.example")
    platform = name("platform", "site.example")
    location = name("location", "NL|amsterdam")
    agency = name("agency", "velvet")
    boss = name("P-1", "P-1")
    victim = name("P-2", "P-2")
    g1 = name("G-1", "G-1")
    g2 = name("G-2", "G-2")
    text = HOSTILE if hostile else None

    persona = ["Rose", "Rose", "Anna", "Mia", "Lena", "Lena", "Ivy"]
    ad_frame = pd.DataFrame(
        {
            "key": ads,
            "record_id": ads,
            "title": [text or f"{p} new in town" for p in persona],
            "text": [text or f"Call me, {p}. No crypto." for p in persona],
            "posted_at": ["2024-02-0" + str(i) for i in range(1, 8)],
            "city": [text or "Amsterdam"] * 7,
            "country": [text or "NL"] * 7,
            "platform": [platform] * 7,
            "url": [text or f"https://site.example/ad/{i}" for i in range(1, 8)],
            "persona": [f"{text}{p}" if text else p for p in persona],
            "age": [24, 24, 19, 22, 30, 30, 27],
        }
    )
    nodes = {
        "Ad": ad_frame,
        "Phone": pd.DataFrame({"key": [phone], "region": [text or "NL"]}),
        "Email": pd.DataFrame({"key": [email]}),
        "Handle": pd.DataFrame({"key": [handle], "service": [text or "telegram"]}),
        "Wallet": pd.DataFrame({"key": [wallet], "chain": [text or "btc"]}),
        "Image": pd.DataFrame({"key": [img_a, img_b]}),
        "Url": pd.DataFrame({"key": [url], "domain": [domain]}),
        "Domain": pd.DataFrame({"key": [domain]}),
        "Platform": pd.DataFrame({"key": [platform], "name": [text or "Site"]}),
        "Location": pd.DataFrame(
            {"key": [location], "city": [text or "amsterdam"], "country": ["NL"]}
        ),
        "Agency": pd.DataFrame({"key": [agency], "name": [text or "Velvet"]}),
        "Person": pd.DataFrame({"key": [boss, victim], "role": ["controller", "potential_victim"]}),
        "Group": pd.DataFrame(
            {
                "key": [g1, g2],
                "score": [72.5, 18.0],
                "size": [4, 2],
                "countries": [text or "NL", text or "NL"],
                "summary": [text or "4 ads, 3 persona(s)", text or "2 ads, 1 persona(s)"],
                "explanation": [
                    json.dumps(
                        {
                            "indicators": {
                                "personas_per_phone": {
                                    "points": 7.5,
                                    "detail": text or "one phone for 2 personas",
                                },
                                "ads": {"points": 3.3, "detail": "4 ads"},
                            }
                        }
                    ),
                    "{}",
                ],
            }
        ),
    }
    r = ads
    edges = {
        ("POSTED_ON", "Ad", "Platform"): _edges([(a, platform) for a in r]),
        ("LOCATED_IN", "Ad", "Location"): _edges([(a, location) for a in r[:4]]),
        ("HAS_PHONE", "Ad", "Phone"): _edges([(r[0], phone), (r[1], phone), (r[4], phone)]),
        ("HAS_EMAIL", "Ad", "Email"): _edges([(r[2], email), (r[3], email), (r[6], email)]),
        ("HAS_HANDLE", "Ad", "Handle"): _edges([(r[0], handle)]),
        ("HAS_WALLET", "Ad", "Wallet"): _edges([(r[1], wallet)]),
        ("HAS_IMAGE", "Ad", "Image"): _edges([(r[0], img_a), (r[1], img_a), (r[2], img_b)]),
        ("LINKS_TO", "Ad", "Url"): _edges([(r[0], url)]),
        ("ON_DOMAIN", "Url", "Domain"): _edges([(url, domain)]),
        ("NAMES_AGENCY", "Ad", "Agency"): _edges([(r[1], agency), (r[5], agency)]),
        ("MEMBER_OF", "Ad", "Group"): _edges(
            [(a, g1) for a in r[:4]] + [(a, g2) for a in r[4:6]], source="graphthb cluster"
        ),
        ("CONTROLS", "Person", "Ad"): _edges(
            [(boss, r[0])], source="links.csv", relation="CONTROLS", note=text or "seen in chat"
        ),
        ("APPEARS_IN", "Person", "Ad"): _edges(
            [(victim, r[2])], source="links.csv", relation="APPEARS_IN"
        ),
    }
    # The same phone fact from a second source: one drawn link with two provenance rows.
    edges[("HAS_PHONE", "Ad", "Phone")] = pd.concat(
        [edges[("HAS_PHONE", "Ad", "Phone")], _edges([(r[0], phone)], source="second-batch.csv")],
        ignore_index=True,
    )
    if hostile:
        for frame in edges.values():
            for col in ("source", "collector", "origin"):
                frame[col] = HOSTILE + frame[col]
    store.write_batch(nodes, edges)
    return case


# G-1 drawn: 4 ads + phone, email, handle, wallet, 2 images, url, domain, platform,
# location, agency, P-1, P-2 = 17 nodes; links: 4 posted + 4 located + 2 phone + 2 email
# + 1 handle + 1 wallet + 3 image + 1 url + 1 domain + 1 agency + 1 controls + 1 appears = 22.
G1_NODES = 17
G1_EDGES = 22


def build_group(store: Store, n_ads: int, *, group: str = "G-big", seed: int = 3) -> None:
    """One group of ``n_ads`` ads, each with its own picture and URL, sharing phones,
    handles and e-mails in small circles, all on a few platforms and cities."""
    import numpy as np

    rng = np.random.default_rng(seed)
    ads = [f"B-{i:05d}" for i in range(n_ads)]
    phones = [f"+3161{i:07d}" for i in range(max(1, n_ads // 6))]
    handles = [f"telegram:h{i}" for i in range(max(1, n_ads // 8))]
    emails = [f"e{i}@mail.example" for i in range(max(1, n_ads // 10))]
    platforms = [f"p{i}.example" for i in range(4)]
    cities = [f"NL|city{i}" for i in range(6)]
    pick = lambda pool: [pool[i] for i in rng.integers(0, len(pool), n_ads)]  # noqa: E731
    nodes = {
        "Ad": pd.DataFrame(
            {"key": ads, "title": [f"ad {a}" for a in ads], "persona": pick(["A", "B", "C", "D"])}
        ),
        "Phone": pd.DataFrame({"key": phones}),
        "Handle": pd.DataFrame({"key": handles}),
        "Email": pd.DataFrame({"key": emails}),
        "Image": pd.DataFrame({"key": [f"{i:016x}" for i in range(n_ads)]}),
        "Url": pd.DataFrame({"key": [f"https://x.example/{a}" for a in ads]}),
        "Platform": pd.DataFrame({"key": platforms}),
        "Location": pd.DataFrame({"key": cities}),
        "Group": pd.DataFrame({"key": [group], "score": [55.0], "size": [n_ads]}),
    }
    edges = {
        ("HAS_PHONE", "Ad", "Phone"): _edges(list(zip(ads, pick(phones), strict=True))),
        ("HAS_HANDLE", "Ad", "Handle"): _edges(list(zip(ads, pick(handles), strict=True))),
        ("HAS_EMAIL", "Ad", "Email"): _edges(list(zip(ads[::2], pick(emails)[::2], strict=True))),
        ("HAS_IMAGE", "Ad", "Image"): _edges(list(zip(ads, nodes["Image"]["key"], strict=True))),
        ("LINKS_TO", "Ad", "Url"): _edges(list(zip(ads, nodes["Url"]["key"], strict=True))),
        ("POSTED_ON", "Ad", "Platform"): _edges(list(zip(ads, pick(platforms), strict=True))),
        ("LOCATED_IN", "Ad", "Location"): _edges(list(zip(ads, pick(cities), strict=True))),
        ("MEMBER_OF", "Ad", "Group"): _edges([(a, group) for a in ads]),
    }
    store.write_batch(nodes, edges)


_DATA = re.compile(r'<script type="application/json" id="graph-data">(.*?)</script>', re.DOTALL)


def page_data(html: str) -> dict[str, Any]:
    """The graph data a page carries, parsed as the page's own script parses it."""
    match = _DATA.search(html)
    assert match, "the page has no graph-data block"
    return json.loads(match.group(1))
