"""How long a group view takes to write, and to open in headless Chromium until it is still.

    .venv/bin/python benchmarks/bench_views.py                 # a 2,000-node group
    .venv/bin/python benchmarks/bench_views.py --nodes 2000 1400 400 --runs 3
    .venv/bin/python benchmarks/bench_views.py --screenshot docs/img/group-view.png

For each size it builds one synthetic group in a fresh embedded store, writes
the view (``graphthb.views.group_view``), opens it in Debian's Chromium with
the network blocked, and reports the time from navigation until the page says
it is ready: the layout has settled and physics is off (or, past
``PHYSICS_MAX_NODES``, the first frame is drawn from positions computed in
Python). Figures only; nothing is asserted.

``--screenshot`` instead draws a small hand-made synthetic group (with an
asserted controller and a potential victim) and saves a PNG for the README.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphthb import views  # noqa: E402
from graphthb.store import open_store  # noqa: E402
from graphthb.views.network import PHYSICS_MAX_NODES  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Nodes per ad in the synthetic group (the ad, its picture and URL, and shares of
# phones, handles and e-mails), used to size the group for a target node count.
PER_AD = 3 + 1 / 6 + 1 / 8 + 1 / 10
FIXED = 4 + 6 + 1  # platforms, cities, the domain

WORDS = [
    "new",
    "in",
    "town",
    "sweet",
    "girl",
    "discreet",
    "incall",
    "outcall",
    "hotel",
    "visits",
    "available",
    "now",
    "call",
    "me",
    "whatsapp",
    "telegram",
    "only",
    "serious",
    "gentlemen",
    "massage",
    "relax",
    "private",
    "apartment",
]


def _prov(n: int) -> dict[str, list[str]]:
    return {
        "source": ["bench.csv"] * n,
        "observed_at": ["2024-05-01"] * n,
        "collector": ["bench"] * n,
        "origin": [f"bench.csv:{i + 2}" for i in range(n)],
    }


def _edges(src: list[str], dst: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"src": src, "dst": dst, **_prov(len(src))})


def synthetic_group(store, n_ads: int, *, group: str = "G-bench", seed: int = 1) -> None:
    """One group of ``n_ads`` ads: own pictures and URLs, shared phones, handles, e-mails."""
    rng = np.random.default_rng(seed)
    ads = [f"R-{i:05d}" for i in range(n_ads)]
    phones = [f"+3161{i:07d}" for i in range(max(1, n_ads // 6))]
    handles = [f"telegram:girl{i}" for i in range(max(1, n_ads // 8))]
    emails = [f"desk{i}@mail.example" for i in range(max(1, n_ads // 10))]
    platforms = ["escorts.example", "vivastreet.example", "locanto.example", "skokka.example"]
    cities = [
        f"NL|{c}"
        for c in ("amsterdam", "rotterdam", "utrecht", "den haag", "eindhoven", "groningen")
    ]
    personas = ["Anna", "Mia", "Lena", "Ivy", "Rose", "Nika", "Sara", "Eva"]

    def pick(pool: list[str], n: int = n_ads) -> list[str]:
        return [pool[i] for i in rng.integers(0, len(pool), n)]

    images = [f"{int(v):016x}" for v in rng.integers(0, 2**62, n_ads)]
    urls = [f"https://escorts.example/ad/{a}" for a in ads]
    persona = pick(personas)
    nodes = {
        "Ad": pd.DataFrame(
            {
                "key": ads,
                "title": [f"{p} {' '.join(pick(WORDS, 4))}" for p in persona],
                "text": [" ".join(pick(WORDS, 45)) for _ in ads],
                "persona": persona,
                "age": rng.integers(19, 35, n_ads),
                "posted_at": [f"2024-04-{d:02d}" for d in rng.integers(1, 29, n_ads)],
                "city": [c.split("|")[1].title() for c in pick(cities)],
                "country": ["NL"] * n_ads,
                "platform": pick(platforms),
                "url": urls,
            }
        ),
        "Phone": pd.DataFrame({"key": phones}),
        "Handle": pd.DataFrame({"key": handles}),
        "Email": pd.DataFrame({"key": emails}),
        "Image": pd.DataFrame({"key": images}),
        "Url": pd.DataFrame({"key": urls}),
        "Domain": pd.DataFrame({"key": ["escorts.example"]}),
        "Platform": pd.DataFrame({"key": platforms}),
        "Location": pd.DataFrame({"key": cities}),
        "Person": pd.DataFrame(
            {"key": ["P-001", "P-002"], "role": ["controller", "potential_victim"]}
        ),
        "Group": pd.DataFrame(
            {
                "key": [group],
                "score": [61.5],
                "size": [n_ads],
                "countries": ["NL"],
                "summary": [f"{n_ads} ads, {len(personas)} persona(s), 1 country (NL)"],
            }
        ),
    }
    half = ads[::2]
    edges = {
        ("HAS_PHONE", "Ad", "Phone"): _edges(ads, pick(phones)),
        ("HAS_HANDLE", "Ad", "Handle"): _edges(ads, pick(handles)),
        ("HAS_EMAIL", "Ad", "Email"): _edges(half, pick(emails, len(half))),
        ("HAS_IMAGE", "Ad", "Image"): _edges(ads, images),
        ("LINKS_TO", "Ad", "Url"): _edges(ads, urls),
        ("ON_DOMAIN", "Url", "Domain"): _edges(urls, ["escorts.example"] * n_ads),
        ("POSTED_ON", "Ad", "Platform"): _edges(ads, pick(platforms)),
        ("LOCATED_IN", "Ad", "Location"): _edges(ads, pick(cities)),
        ("MEMBER_OF", "Ad", "Group"): _edges(ads, [group] * n_ads),
        ("CONTROLS", "Person", "Phone"): _edges(["P-001"], [phones[0]]),
        ("APPEARS_IN", "Person", "Ad"): _edges(["P-002"], [ads[1]]),
    }
    store.write_batch(nodes, edges)


@contextmanager
def browser(width: int = 1280, height: int = 860) -> Iterator[Any]:
    """Headless Chromium with the network blocked, and a profile removed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="graphthb-bench-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--hide-scrollbars",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_until_ready(driver, path: Path, timeout: float = 300) -> tuple[float, float]:
    """(seconds from navigation to ready as the page measured it, wall-clock seconds)."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")
    start = time.perf_counter()
    driver.get(path.resolve().as_uri())
    WebDriverWait(driver, timeout, poll_frequency=0.05).until(
        lambda d: d.execute_script("return !!(window.graphthbView && window.graphthbView.ready)")
    )
    wall = time.perf_counter() - start
    page = driver.execute_script("return window.graphthbView.readyAt") / 1000
    return page, wall


def bench(targets: list[int], runs: int) -> None:
    with browser() as driver:
        _bench(driver, targets, runs)


def _bench(driver: Any, targets: list[int], runs: int) -> None:
    print(
        f"Chromium: {driver.capabilities.get('browserVersion')}; PHYSICS_MAX_NODES={PHYSICS_MAX_NODES}"
    )
    print(
        f"{'nodes':>6} {'edges':>6} {'layout':>10} {'write s':>8} {'MB':>5} {'ready s (page)':>15} {'ready s (wall)':>15}"
    )
    for target in targets:
        n_ads = max(2, round((target - FIXED) / PER_AD))
        with tempfile.TemporaryDirectory() as tmp:
            with open_store(str(Path(tmp) / "bench.lbug")) as store:
                synthetic_group(store, n_ads)
                start = time.perf_counter()
                info = views.group_view(store, "G-bench", Path(tmp) / "bench.html")
                write = time.perf_counter() - start
            size = info.path.stat().st_size / 1e6
            times = [open_until_ready(driver, info.path) for _ in range(runs)]
            page = statistics.median(t[0] for t in times)
            wall = statistics.median(t[1] for t in times)
            layout = "py+physics" if info.nodes <= PHYSICS_MAX_NODES else "python"
            print(
                f"{info.nodes:>6} {info.edges:>6} {layout:>10} {write:>8.2f} {size:>5.1f} {page:>15.2f} {wall:>15.2f}"
            )


def showcase(store, group: str = "G-3f2a91") -> None:
    """A small, hand-made group that shows every part of the look: shared phones, a
    handle that bridges two personas' phones, a wallet, a reused picture, an agency,
    two countries, an asserted controller and a potential victim."""
    ads = [f"R-{i}" for i in range(101, 109)]
    personas = ["Lina", "Lina", "Mona", "Mona", "Kira", "Kira", "Jade", "Nadia"]
    cities = ["NL|amsterdam"] * 4 + ["DE|berlin"] * 3 + ["NL|amsterdam"]
    platforms = ["escorts.example", "vivastreet.example"] * 4
    phones = ["+31612000001"] * 4 + ["+4915100000002"] * 3
    images = ["a1b2c3d4e5f60718", "a1b2c3d4e5f60718", "0f1e2d3c4b5a6978", "1111222233334444"]
    explanation = {
        "indicators": {
            "personas_per_phone": {
                "points": 7.5,
                "detail": "one phone is given for 2 different persona names",
            },
            "countries": {"points": 5.0, "detail": "DE, NL"},
            "crypto_only": {"points": 2.5, "detail": "2 ads ask for crypto only; 2 show a wallet"},
        }
    }
    nodes = {
        "Ad": pd.DataFrame(
            {
                "key": ads,
                "title": [
                    f"{p}, new in {c.split('|')[1].title()}"
                    for p, c in zip(personas, cities, strict=True)
                ],
                "persona": personas,
                "age": [23, 23, 21, 21, 25, 25, 22, 19],
                "posted_at": [f"2024-04-{d:02d}" for d in (2, 5, 3, 9, 12, 14, 15, 20)],
                "city": [c.split("|")[1].title() for c in cities],
                "country": [c.split("|")[0] for c in cities],
                "platform": platforms,
                "url": [f"https://{p}/ad/{a}" for p, a in zip(platforms, ads, strict=True)],
            }
        ),
        "Phone": pd.DataFrame({"key": ["+31612000001", "+4915100000002"]}),
        "Handle": pd.DataFrame({"key": ["telegram:vip_booking"]}),
        "Email": pd.DataFrame({"key": ["booking@velvet.example"]}),
        "Wallet": pd.DataFrame({"key": ["btc:1BoatSLRHtKNngkdXEeobR76b53LETtpyT"]}),
        "Image": pd.DataFrame({"key": sorted(set(images))}),
        "Url": pd.DataFrame({"key": ["https://velvet.example/lina"]}),
        "Domain": pd.DataFrame({"key": ["velvet.example"]}),
        "Agency": pd.DataFrame({"key": ["velvet"]}),
        "Platform": pd.DataFrame({"key": sorted(set(platforms))}),
        "Location": pd.DataFrame({"key": sorted(set(cities))}),
        "Person": pd.DataFrame(
            {"key": ["P-001", "P-002"], "role": ["controller", "potential_victim"]}
        ),
        "Group": pd.DataFrame(
            {
                "key": [group],
                "score": [68.5],
                "size": [len(ads)],
                "countries": ["DE,NL"],
                "summary": [
                    "8 ads, 5 persona(s), 2 countries (DE, NL); bound by 2 shared phones, 1 shared handle"
                ],
                "explanation": [json.dumps(explanation)],
            }
        ),
    }
    edges = {
        ("HAS_PHONE", "Ad", "Phone"): _edges(ads[:7], phones),
        ("HAS_HANDLE", "Ad", "Handle"): _edges([ads[1], ads[4]], ["telegram:vip_booking"] * 2),
        ("HAS_EMAIL", "Ad", "Email"): _edges([ads[2], ads[7]], ["booking@velvet.example"] * 2),
        ("HAS_WALLET", "Ad", "Wallet"): _edges(
            [ads[3], ads[5]], ["btc:1BoatSLRHtKNngkdXEeobR76b53LETtpyT"] * 2
        ),
        ("HAS_IMAGE", "Ad", "Image"): _edges([ads[0], ads[1], ads[6], ads[7]], images),
        ("LINKS_TO", "Ad", "Url"): _edges([ads[0]], ["https://velvet.example/lina"]),
        ("ON_DOMAIN", "Url", "Domain"): _edges(["https://velvet.example/lina"], ["velvet.example"]),
        ("NAMES_AGENCY", "Ad", "Agency"): _edges([ads[0], ads[2], ads[6]], ["velvet"] * 3),
        ("POSTED_ON", "Ad", "Platform"): _edges(ads, platforms),
        ("LOCATED_IN", "Ad", "Location"): _edges(ads, cities),
        ("MEMBER_OF", "Ad", "Group"): _edges(ads, [group] * len(ads)),
        ("CONTROLS", "Person", "Phone"): _edges(["P-001"], ["+31612000001"]),
        ("APPEARS_IN", "Person", "Ad"): _edges(["P-002"], [ads[7]]),
    }
    store.write_batch(nodes, edges)


def screenshot(out: Path) -> None:
    """The showcase group, drawn and saved as a PNG for the README."""
    with tempfile.TemporaryDirectory() as tmp:
        with open_store(str(Path(tmp) / "shot.lbug")) as store:
            showcase(store)
            info = views.group_view(store, "G-3f2a91", Path(tmp) / "shot.html")
        with browser(1280, 900) as driver:
            open_until_ready(driver, info.path)
            time.sleep(0.5)  # the last animation frame after physics stops
            out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(out))
    print(f"wrote {out} ({info.nodes} nodes, {info.edges} links)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[2000], help="group sizes to try")
    parser.add_argument("--runs", type=int, default=3, help="page opens per size (median shown)")
    parser.add_argument(
        "--screenshot", type=Path, help="save a small group view as this PNG instead"
    )
    args = parser.parse_args()
    if args.screenshot:
        screenshot(args.screenshot)
    else:
        bench(args.nodes, args.runs)


if __name__ == "__main__":
    main()
