"""The synthetic world: deterministic, in the records format, and built as documented."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphthb import synth
from graphthb.demo import SAMPLE_RECORDS, SAMPLE_SEED
from graphthb.errors import ConfigError
from graphthb.ingest.extract import extract

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data"
FORMAT_COLUMNS = (
    "record_id", "source", "collected_at", "collector", "platform", "platform_type", "url",
    "posted_at", "title", "text", "persona", "age", "city", "country", "phones", "emails",
    "handles", "links", "wallets", "image_hashes", "price", "payment", "agency",
)  # fmt: skip
PLATFORM_TYPES = {
    "escort", "dating", "jobs", "social", "marketplace", "classifieds", "messaging", "forum",
    "darkweb", "other",
}  # fmt: skip
MULTI = ("phones", "emails", "handles", "links", "wallets", "image_hashes")
# Every way the world writes a country, mapped to its code.
COUNTRY_CODE = {
    name.lower(): c.code for c in synth.COUNTRIES for name in (c.code, *c.names)
}  # fmt: skip


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A mid-sized world, read back as rows."""
    out = tmp_path_factory.mktemp("world")
    counts = synth.generate(out, 6000, seed=11)
    return {
        "dir": out,
        "counts": counts,
        "records": read_csv(out / "records.csv"),
        "links": read_csv(out / "links.csv"),
        "truth": read_csv(out / "truth.csv"),
    }


def split(value: str) -> list[str]:
    return [v for v in value.split(";") if v]


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
    }  # fmt: skip


# -- determinism and the committed sample ---------------------------------------------


def test_same_seed_same_bytes_other_seed_other_world(tmp_path: Path) -> None:
    synth.generate(tmp_path / "a", 2500, seed=4)
    synth.generate(tmp_path / "b", 2500, seed=4)
    synth.generate(tmp_path / "c", 2500, seed=5)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a")["records.csv"] != digest(tmp_path / "c")["records.csv"]


def test_committed_sample_is_exactly_what_the_generator_makes(tmp_path: Path) -> None:
    counts = synth.generate(tmp_path, SAMPLE_RECORDS, SAMPLE_SEED)
    for name in ("records.csv", "links.csv", "truth.csv"):
        assert (tmp_path / name).read_bytes() == (SAMPLE / name).read_bytes(), (
            f"sample_data/{name} drifted from the generator: regenerate it with the command "
            "in sample_data/README.md"
        )
    # The README says how the sample was made and what is in it; keep it true.
    readme = " ".join((SAMPLE / "README.md").read_text(encoding="utf-8").split())
    assert f"graphthb synth --records {SAMPLE_RECORDS} --seed {SAMPLE_SEED}" in readme
    assert f"{counts['records']:,} records, of which {counts['records_in_groups']:,}" in readme
    assert f"belong to {counts['groups']} organised groups" in readme
    assert f"{counts['advertisers']} independent advertisers" in readme
    assert f"| `links.csv` | {counts['links']} |" in readme
    assert "synthetic" in readme.lower()


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        synth.generate(tmp_path, 0, seed=1)
    with pytest.raises(ConfigError):
        synth.generate(tmp_path, 10, seed=1, fmt="xml")


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(records=st.integers(1, 400), seed=st.integers(0, 2**32))
def test_any_size_gives_exactly_that_many_records(tmp_path: Path, records: int, seed: int) -> None:
    out = tmp_path / f"w{records}-{seed}"
    counts = synth.generate(out, records, seed)
    rows = read_csv(out / "records.csv")
    truth = read_csv(out / "truth.csv")
    assert counts["records"] == len(rows) == len(truth) == records
    assert [r["record_id"] for r in rows] == [t["record_id"] for t in truth]
    assert len({r["record_id"] for r in rows}) == records
    assert counts["records_in_groups"] == sum(1 for t in truth if t["group"])


# -- shape of the world -------------------------------------------------------------------


def test_records_follow_the_format(world: dict) -> None:
    with open(world["dir"] / "records.csv", encoding="utf-8") as f:
        header = f.readline().strip().split(",")
    assert header == [*FORMAT_COLUMNS, "views"]  # one unknown column, to be kept
    for row in world["records"]:
        assert row["record_id"] and row["platform_type"] in PLATFORM_TYPES
        assert re.fullmatch(r"\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d)?", row["posted_at"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["collected_at"])
        assert row["collected_at"][:10] >= row["posted_at"][:10]
        assert re.fullmatch(r"A-\d\d", row["collector"])
        assert not row["country"] or row["country"].lower() in COUNTRY_CODE
        for h in split(row["image_hashes"]):
            assert re.fullmatch(r"[0-9a-f]{16}", h)


def test_group_share_and_sizes(world: dict) -> None:
    groups = Counter(t["group"] for t in world["truth"] if t["group"])
    share = sum(groups.values()) / len(world["truth"])
    assert 0.28 <= share <= 0.42
    assert 6000 / 400 <= len(groups) <= 6000 / 150
    assert min(groups.values()) >= 12
    assert world["counts"]["groups"] == len(groups)


def test_groups_span_countries_and_cities_and_independents_mostly_post_few_ads(world: dict) -> None:
    group_of = {t["record_id"]: t["group"] for t in world["truth"]}
    countries, cities = defaultdict(set), defaultdict(set)
    phones_indep = Counter()
    for row in world["records"]:
        g = group_of[row["record_id"]]
        if g and row["country"] and row["platform_type"] != "jobs":
            countries[g].add(COUNTRY_CODE[row["country"].lower()])
            cities[g].add(row["city"].lower())
        if not g:
            for p in split(row["phones"]):
                phones_indep[re.sub(r"\D", "", p)[-8:]] += 1
    assert all(len(c) >= 1 for c in countries.values())
    assert sum(len(c) >= 2 for c in countries.values()) >= 0.8 * len(countries)
    assert sum(len(c) >= 3 for c in cities.values()) >= 0.8 * len(cities)
    # Most independent numbers sit in a handful of ads; a few prolific advertisers post dozens.
    per_number = sorted(phones_indep.values())
    assert per_number[len(per_number) // 2] <= 5
    assert per_number[-1] >= 20


def test_every_phone_is_valid_for_phonenumbers(world: dict) -> None:
    for row in world["records"]:
        region = COUNTRY_CODE.get(row["country"].lower()) if row["country"] else None
        for raw in split(row["phones"]):
            # phonenumbers reads "00" as the international prefix only with a region.
            number = phonenumbers.parse("+" + raw[2:] if raw.startswith("00") else raw, region)
            assert phonenumbers.is_valid_number(number), (raw, row["country"])
    for link in world["links"]:
        if link["object_kind"] == "phone":
            raw = link["object"]
            raw = "+" + raw[2:] if raw.startswith("00") else raw
            assert phonenumbers.is_valid_number(phonenumbers.parse(raw))


@pytest.mark.parametrize("country", synth.COUNTRIES, ids=lambda c: c.code)
def test_every_number_range_is_valid(country: synth.Country) -> None:
    """Checks each mobile prefix and landline range once, instead of every number per record."""
    w = synth._World(1000, seed=3)
    for _ in range(40 * len(country.mobile)):
        phone = w.mobile(country)
        number = phonenumbers.parse(phone.e164)
        assert phonenumbers.is_valid_number(number), phone.e164
        assert phonenumbers.region_code_for_number(number) == country.code
    for city in country.cities:
        for _ in range(20 if city.land else 0):
            phone = w.landline(country, city)
            number = phonenumbers.parse(phone.e164)
            assert phonenumbers.is_valid_number_for_region(number, country.code), phone.e164


def test_numbers_never_repeat_across_advertisers() -> None:
    w = synth._World(1000, seed=8)
    nl = next(c for c in synth.COUNTRIES if c.code == "NL")
    drawn = [w.mobile(nl).e164 for _ in range(20000)]
    assert len(set(drawn)) == len(drawn)


@pytest.mark.parametrize("country", synth.COUNTRIES, ids=lambda c: c.code)
def test_each_written_form_reads_back_as_the_same_number(country: synth.Country) -> None:
    """Every column and text style, including the obfuscations, through our own extractor."""
    w = synth._World(1000, seed=6)
    rnd = random.Random(2).random
    for _ in range(25):
        phone = w.mobile(country)
        for style in synth.COLUMN_STYLES + synth.TEXT_STYLES:
            shown = synth.show_phone(phone, style, country.code, rnd)
            found = extract(f"Nina 22, 1h 150 EUR, 24/7. Call {shown} now.", country.code)
            assert found.phones == [phone.e164], (style, shown, found)


def test_foreign_numbers_are_written_internationally() -> None:
    w = synth._World(1000, seed=6)
    ro = next(c for c in synth.COUNTRIES if c.code == "RO")
    phone = w.mobile(ro)
    rnd = random.Random(1).random
    for style in synth.TEXT_STYLES:
        shown = synth.show_phone(phone, style, "NL", rnd)
        assert shown.startswith(("+40", "0040")), (style, shown)


def test_wallets_carry_valid_checksums(world: dict) -> None:
    b58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

    def decode(text: str) -> bytes:
        n = 0
        for ch in text:
            n = n * 58 + b58.index(ch)
        raw = n.to_bytes(25, "big")
        return raw

    seen = Counter()
    for row in world["records"]:
        for w in split(row["wallets"]):
            chain, addr = w.split(":", 1)
            seen[chain] += 1
            if chain == "eth":
                assert re.fullmatch(r"0x[0-9a-f]{40}", addr)
                continue
            raw = decode(addr)
            assert hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()[:4] == raw[21:]
            assert raw[0] == {"btc": 0x00, "trx": 0x41}[chain]
            assert addr[0] == {"btc": "1", "trx": "T"}[chain]
    assert set(seen) == {"btc", "eth", "trx"}


def test_only_invented_domains(world: dict) -> None:
    def host(value: str) -> str:
        value = value.split("@")[-1]
        return re.sub(r"^[a-z]+://", "", value).split("/")[0].split("?")[0].lower()

    allowed = re.compile(r"(.+\.)?[a-z0-9-]+\.(example|test)$|t\.me$")
    for row in world["records"]:
        values = [row["url"], *split(row["emails"]), *split(row["links"])]
        if "." in row["platform"]:
            values.append(row["platform"])
        for value in values:
            assert allowed.match(host(value)), value
        for email in re.findall(r"[\w.]+@[\w.-]+", row["text"]):
            assert allowed.match(host(email.rstrip("."))), email


def test_pictures_are_reused_and_sometimes_re_encoded(world: dict) -> None:
    group_of = {t["record_id"]: t["group"] for t in world["truth"]}
    by_group = defaultdict(Counter)
    for row in world["records"]:
        if group_of[row["record_id"]]:
            by_group[group_of[row["record_id"]]].update(split(row["image_hashes"]))
    for counts in by_group.values():
        assert max(counts.values()) >= 3  # a victim's picture in several ads
    # Re-encoded copies: within one group, hashes a few bits apart.
    hashes = sorted(next(iter(by_group.values())))
    values = [int(h, 16) for h in hashes]
    near = sum(
        1 for i, a in enumerate(values) for b in values[i + 1 :] if 1 <= bin(a ^ b).count("1") <= 6
    )
    assert near >= 3


def test_noise_identifiers_cut_across_groups_and_independents(world: dict) -> None:
    group_of = {t["record_id"]: t["group"] for t in world["truth"]}
    holders = defaultdict(set)
    for row in world["records"]:
        label = group_of[row["record_id"]] or "independent:" + row["record_id"]
        for e in split(row["emails"]):
            if e.startswith("abuse@"):
                holders[e].add(label)
        for h in split(row["image_hashes"]):
            holders[h].add(label)
        desk = re.search(r"(?:reception|front desk) ([+\d][\d ()-]+\d)", row["text"])
        if desk:
            holders["desk:" + re.sub(r"\D", "", desk.group(1))[-7:]].add(label)
    busy = {k: v for k, v in holders.items() if len(v) >= 10}
    kinds = {
        k.split(":")[0] if k.startswith("desk:") else ("abuse" if "@" in k else "image")
        for k in busy
    }
    assert kinds == {"desk", "abuse", "image"}  # hotel desks, abuse addresses, "verified" badges
    for members in busy.values():
        assert any(m.startswith("independent:") for m in members)


def test_independents_share_names_and_stock_phrases(world: dict) -> None:
    group_of = {t["record_id"]: t["group"] for t in world["truth"]}
    names = Counter(
        r["persona"] for r in world["records"] if not group_of[r["record_id"]] and r["persona"]
    )
    assert names.most_common(1)[0][1] >= 30
    stock = sum("New in town" in r["text"] or "Real photos" in r["text"] for r in world["records"])
    assert stock >= 300


def test_links_are_consistent_with_the_world(world: dict) -> None:
    group_of = {t["record_id"]: t["group"] for t in world["truth"]}
    roles: dict[str, str] = {}
    person_groups = defaultdict(set)
    relations = Counter()
    for link in world["links"]:
        relations[link["relation"]] += 1
        assert link["subject"] and link["object"] and link["relation"].isupper()
        assert 0.0 <= float(link["confidence"]) <= 1.0
        if link["subject_kind"] == "person":
            assert re.fullmatch(r"P-\d{4,}", link["subject"])
            assert roles.setdefault(link["subject"], link["role"]) == link["role"]
        for kind, value in (
            (link["subject_kind"], link["subject"]),
            (link["object_kind"], link["object"]),
        ):
            if kind == "ad":
                assert value in group_of
        if link["relation"] == "APPEARS_IN":
            person_groups[link["subject"]].add(group_of[link["object"]])
        if link["relation"] == "SAME_AS":
            assert group_of[link["subject"]] == group_of[link["object"]] != ""
        if link["relation"] == "NOT_SAME_AS":
            assert group_of[link["subject"]] == group_of[link["object"]] == ""
    assert all(len(gs) == 1 and "" not in gs for gs in person_groups.values())
    assert set(relations) >= {"CONTROLS", "APPEARS_IN", "USES", "SAME_AS", "NOT_SAME_AS"}
    assert set(roles.values()) >= {"controller", "potential_victim"}
    assert world["counts"]["links"] == len(world["links"])


def test_jsonl_holds_the_same_world_as_csv(tmp_path: Path) -> None:
    synth.generate(tmp_path / "c", 800, seed=2)
    synth.generate(tmp_path / "j", 800, seed=2, fmt="jsonl")
    rows = read_csv(tmp_path / "c" / "records.csv")
    with open(tmp_path / "j" / "records.jsonl", encoding="utf-8") as f:
        objs = [json.loads(line) for line in f]
    assert len(objs) == len(rows)
    for row, obj in zip(rows, objs, strict=True):
        for name, value in row.items():
            if name in MULTI:
                assert obj.get(name, []) == split(value)
            else:
                assert obj.get(name, "") == value
    assert (tmp_path / "c" / "truth.csv").read_bytes() == (
        tmp_path / "j" / "truth.csv"
    ).read_bytes()


# -- text: templates and the paraphraser ----------------------------------------------------


def shingles(text: str) -> set[str]:
    words = re.findall(r"[^\W\d_]{2,}", text.lower())
    return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}


def jaccard(a: str, b: str) -> float:
    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y)


def test_templated_ads_look_alike_and_rewritten_ones_do_not() -> None:
    rng = random.Random(5)
    slots = {"name": "Mia", "age": "21", "city": "Utrecht", "price": "150", "half": "90",
             "cur": "EUR", "phone": "06 1234 5678"}  # fmt: skip
    t = synth._template(
        rng, obscure=False, group=True, signature="Our elite muses will spoil you.", reword=True
    )
    plain = t.variants[(True, False)].format_map(slots)
    other = t.variants[(True, False)].format_map({**slots, "name": "Eva", "city": "Ghent"})
    assert jaccard(plain, other) >= 0.6
    rnd = rng.random
    rewritten = [
        " ".join(synth._paraphrase(t.rewordings[:-1], rnd)).format_map(slots) for _ in range(30)
    ]
    pairs = [jaccard(a, b) for i, a in enumerate(rewritten) for b in rewritten[i + 1 :]]
    assert sum(pairs) / len(pairs) < 0.35
    assert max(jaccard(plain, r) for r in rewritten) < 0.5


# -- memory --------------------------------------------------------------------------------


def test_memory_does_not_grow_with_the_world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks bound the memory: five times the records, about the same peak.

    Holding every record would make the peak grow about fivefold.
    """
    monkeypatch.setattr(synth, "CHUNK", 1000)

    def peak(records: int) -> int:
        tracemalloc.start()
        try:
            synth.generate(tmp_path / str(records), records, seed=3)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(4000), peak(20000)
    assert large < 2 * small


# -- hard situations (issue 18) ------------------------------------------------------------


@pytest.fixture(scope="module")
def hard(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("hard")
    counts = synth.generate(out, 3000, seed=1, situations=synth.HARD)
    rows = read_csv(out / "records.csv")
    truth = {t["record_id"]: t["group"] for t in read_csv(out / "truth.csv")}
    return {"dir": out, "counts": counts, "rows": rows, "truth": truth}


def _by_group(rows: list[dict], truth: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        out[truth[r["record_id"]]].append(r)
    return out


def test_situations_off_is_the_world_as_ever(tmp_path: Path) -> None:
    synth.generate(tmp_path / "a", 1200, seed=9)
    synth.generate(tmp_path / "b", 1200, seed=9, situations=synth.Situations())
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    synth.generate(tmp_path / "c", 1200, seed=9, situations=synth.HARD)
    synth.generate(tmp_path / "d", 1200, seed=9, situations=synth.HARD)
    assert digest(tmp_path / "c") == digest(tmp_path / "d") != digest(tmp_path / "a")
    assert len(read_csv(tmp_path / "c" / "records.csv")) == 1200


def test_bad_situations_are_refused(tmp_path: Path) -> None:
    for bad in (synth.Situations(lone_pictures=1.5), synth.Situations(scale=0),
                synth.Situations(small_lines=-1)):  # fmt: skip
        with pytest.raises(ConfigError):
            synth.generate(tmp_path, 100, seed=1, situations=bad)


def test_rings_of_ten_and_eight_ads(hard: dict) -> None:
    groups = _by_group(hard["rows"], hard["truth"])
    for name, size in (("RING-1", 10), ("RING-2", 8)):
        ads = groups[name]
        assert len(ads) == size
        phones = Counter(p for r in ads for p in split(r["phones"]))
        assert len(phones) == 2 and sorted(phones.values()) == sorted(
            [round(size * 0.7), size - round(size * 0.7)]
        )
        assert {r["agency"] for r in ads} != {""} and len({r["agency"] for r in ads}) == 1
        handles = Counter(h for r in ads for h in split(r["handles"]))
        assert len(handles) == 1 and list(handles.values()) == [size // 2]
        assert not any(r["image_hashes"] for r in ads)


def test_two_operations_post_from_one_template(hard: dict) -> None:
    groups = _by_group(hard["rows"], hard["truth"])

    # Sentences a group uses in a fifth or more of its ads: its template(s).
    usual: dict[str, set[str]] = {}
    for gid, ads in groups.items():
        if gid.startswith("OCG"):
            seen = Counter(s for r in ads for s in set(r["text"].split(". ")))
            usual[gid] = {s for s, n in seen.items() if n * 5 >= len(ads) and len(s) > 40}
    shared = [(a, b) for a in usual for b in usual if a < b and len(usual[a] & usual[b]) >= 3]
    assert shared, "no two groups share a template"


def test_lone_ads_show_only_re_encoded_pictures_and_a_one_off_number(hard: dict) -> None:
    rows, truth = hard["rows"], hard["truth"]
    phone_ads = Counter(p for r in rows for p in set(split(r["phones"])))
    image_ads = Counter(h for r in rows for h in set(split(r["image_hashes"])))
    lone = [
        r for r in rows
        if truth[r["record_id"]].startswith("OCG") and split(r["image_hashes"])
        and all(phone_ads[p] == 1 for p in split(r["phones"]))
        and all(image_ads[h] == 1 for h in split(r["image_hashes"]))
        and not r["handles"] and not r["wallets"] and not r["agency"]
    ]  # fmt: skip
    assert len(lone) >= 20
    # Their pictures are a few bits from pictures other ads of the group show
    # (each copy at most 6 bits from the original, which may itself be unseen).
    group_images = defaultdict(set)
    for r in rows:
        for h in split(r["image_hashes"]):
            group_images[truth[r["record_id"]]].add(int(h, 16))
    near = 0
    for r in lone:
        mine = [int(h, 16) for h in split(r["image_hashes"])]
        others = group_images[truth[r["record_id"]]] - set(mine)
        near += any(min(bin(m ^ o).count("1") for o in others) <= 12 for m in mine)
    # (A persona with few ads may show a picture nowhere else.)
    assert near >= 0.8 * len(lone)


def test_prolific_independents_with_pictures_only(hard: dict) -> None:
    rows, truth = hard["rows"], hard["truth"]
    by_images: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        bare = not truth[r["record_id"]] and not r["phones"] and r["image_hashes"]
        if bare and not re.search(r"\d{3}", r["text"]):  # no number in the text either
            by_images[r["persona"]].append(r)
    assert sum(len(v) for v in by_images.values()) >= 30


def test_small_generic_lines_in_two_to_four_ads_of_different_advertisers(hard: dict) -> None:
    rows, truth = hard["rows"], hard["truth"]
    lines: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        m = re.search(r"(?:rental desk|key pickup:|residence:) (\+[\d ]+)", r["text"])
        if m:
            lines[m.group(1).strip()].append(r)
    # An ad collected twice is one ad (same URL); a line the world ran out of
    # ads for before its second may stand in one.
    ads_of = {line: {r["url"]: r for r in ads} for line, ads in lines.items()}
    assert len(ads_of) >= 4
    assert all(1 <= len(ads) <= 4 for ads in ads_of.values())
    assert sum(len(ads) >= 2 for ads in ads_of.values()) >= 0.8 * len(ads_of)
    for ads in ads_of.values():
        groups = [truth[r["record_id"]] for r in ads.values() if truth[r["record_id"]]]
        assert len(set(groups)) == len(groups)  # never two ads of one group


def test_scale_makes_groups_larger_and_fewer(tmp_path: Path) -> None:
    plain = synth.generate(tmp_path / "a", 6000, seed=3)
    big = synth.generate(tmp_path / "b", 6000, seed=3, situations=synth.Situations(scale=3))
    assert big["groups"] * 2 <= plain["groups"]
    assert (
        abs(big["records_in_groups"] - plain["records_in_groups"])
        < 0.15 * plain["records_in_groups"]
    )


def test_cli_synth_options(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from graphthb.cli import main

    runner = CliRunner()
    ok = runner.invoke(main, ["synth", "--records", "500", "--seed", "2", "--hard", "--no-rings",
                              "-o", str(tmp_path / "w")])  # fmt: skip
    assert ok.exit_code == 0, ok.output
    truth = (tmp_path / "w" / "truth.csv").read_text(encoding="utf-8")
    assert "RING-" not in truth
    synth.generate(tmp_path / "x", 500, seed=2, situations=synth.Situations(**{
        **synth.HARD.__dict__, "rings": False}))  # fmt: skip
    assert digest(tmp_path / "w") == digest(tmp_path / "x")
    bad = runner.invoke(
        main, ["synth", "--records", "50", "--lone-pictures", "2", "-o", str(tmp_path / "z")]
    )
    assert bad.exit_code == 1 and "lone_pictures is a share from 0 to 1" in bad.output


def test_synth_never_writes_over_an_analysts_own_collection(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from graphthb.cli import main

    case = tmp_path / "case"
    case.mkdir()
    own = "record_id;text\nR1;an ad the analyst collected\n"
    (case / "records.csv").write_text(own, encoding="utf-8")
    runner = CliRunner()
    refused = runner.invoke(main, ["synth", "--records", "50", "-o", str(case)])
    assert refused.exit_code == 1 and "which graphthb synth did not write" in refused.output
    assert (case / "records.csv").read_text(encoding="utf-8") == own
    assert sorted(p.name for p in case.iterdir()) == ["records.csv"]
    # A folder synth wrote is synth's to write again, and says what it holds.
    again = tmp_path / "world"
    synth.generate(again, 50, seed=1)
    synth.generate(again, 60, seed=2)
    assert "invented" in (again / synth.SYNTHETIC_MARK).read_text(encoding="utf-8")
    assert sum(1 for _ in (again / "truth.csv").open(encoding="utf-8")) > 1
    # A file is not a folder, and the store's own files are never an output.
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="is a file"):
        synth.generate(tmp_path / "afile", 10, seed=1)
    store = tmp_path / "store"
    store.mkdir()
    with pytest.raises(ConfigError, match="store's own file"):
        synth.generate(store, 10, seed=1, protected=[store / "links.csv"])
    assert not (store / "records.csv").exists()


def test_the_sample_folder_carries_the_synthetic_mark() -> None:
    # So that regenerating it with sample_data/README.md's command is allowed.
    assert (SAMPLE / synth.SYNTHETIC_MARK).is_file()
