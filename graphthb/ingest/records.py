"""Turn one records row or one links row into graph rows, or a reason to reject it.

A records row becomes an Ad node, the identifier nodes it carries (from its
columns and from its title and text) and the relationships between them, each
with its provenance. A value that does not normalise is kept on the Ad under
``unparsed``, visible but not linked. A links row becomes one asserted
relationship between two nodes resolved to the same canonical keys as records,
so a phone an analyst names meets the phone found in ads.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphthb.ingest import normalize as norm
from graphthb.ingest.extract import MAX_TEXT_CHARS, extract
from graphthb.schema import SCHEMA

__all__ = [
    "GraphRows",
    "Reject",
    "record_rows",
    "link_rows",
    "ad_key",
    "split_ad_key",
    "record_key",
    "AdIndex",
    "AD_KEY_SEP",
    "ROLES",
    "RECORD_COLUMNS",
]

RECORD_COLUMNS = (
    "record_id", "source", "collected_at", "collector", "platform", "platform_type", "url",
    "posted_at", "title", "text", "persona", "age", "city", "country", "phones", "emails",
    "handles", "links", "wallets", "image_hashes", "price", "payment", "agency",
)  # fmt: skip
LINK_COLUMNS = (
    "subject_kind", "subject", "relation", "object_kind", "object", "role", "source",
    "observed_at", "confidence", "note",
)  # fmt: skip
ROLES = ("suspect", "controller", "potential_victim", "witness", "unknown")
PLATFORM_TYPES = (
    "escort", "dating", "jobs", "social", "marketplace", "classifieds", "messaging", "forum",
    "darkweb", "other",
)  # fmt: skip
_RELATION_WORD = re.compile(r"^[A-Z][A-Z0-9_]*$")
_KNOWN_COLUMNS = frozenset(RECORD_COLUMNS)
# For values that are not all text; see _json_object.
_ANY_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)
# The function json itself uses for a string with ensure_ascii=False.
_json_string = json.encoder.encode_basestring
# Relationships that say where in the record a value was found.
_VIA_RELS = frozenset(name for name, rel in SCHEMA.relationships.items() if "via" in rel.properties)


class Reject(Exception):
    """A row that cannot be used; the message is the reason written to the rejects file."""


# -- an ad's identity ---------------------------------------------------------------
#
# A record_id is unique only within its source (two spreadsheets both number
# their rows 1, 2, ...), so an ad's key is its source and its record_id:
# ``crawl-2025Q1/R-0000001``. The source is written with ``%`` and ``/``
# percent-escaped, so the first ``/`` always ends it and no two (source,
# record_id) pairs share a key; the record_id is written as it is.

AD_KEY_SEP = "/"


def ad_key(source: str, record_id: str) -> str:
    """The key of the ad ``record_id`` of ``source``."""
    return source.replace("%", "%25").replace(AD_KEY_SEP, "%2F") + AD_KEY_SEP + record_id


def split_ad_key(key: str) -> tuple[str, str] | None:
    """``(source, record_id)`` of an ad key, or None when ``key`` is not one."""
    escaped, sep, record_id = key.partition(AD_KEY_SEP)
    if not sep or not escaped or not record_id:
        return None
    return escaped.replace("%2F", AD_KEY_SEP).replace("%25", "%"), record_id


def record_key(row: dict[str, Any], default_source: str) -> tuple[str, str, str]:
    """A records row's ``(key, source, record_id)``; Reject when it has no record_id."""
    record_id = _text(row.get("record_id"))
    if not record_id:
        raise Reject("missing record_id")
    source = _text(row.get("source")) or default_source
    return ad_key(source, record_id), source, record_id


class AdIndex:
    """The ads a links file may name: by key, and by record_id alone.

    A links file may write an ad as ``source/record_id`` or by its bare
    record_id when that names exactly one ad (in the store or in this load).
    """

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._keys: set[str] = set()
        self._by_id: dict[str, set[str]] = defaultdict(set)
        for key in keys:
            self.add(key)

    def add(self, key: str) -> None:
        parts = split_ad_key(key)
        if parts is None:
            return
        self._keys.add(key)
        self._by_id[parts[1]].add(key)

    def resolve(self, value: str, what: str) -> tuple[str, dict[str, Any]]:
        """The key ``value`` names and the properties of a placeholder ad."""
        if value in self._keys:
            return value, {}
        found = self._by_id.get(value)
        if found and len(found) == 1:
            return next(iter(found)), {}
        if found:
            named = ", ".join(sorted(found)[:5]) + (", ..." if len(found) > 5 else "")
            raise Reject(
                f"{what} ad {value[:60]!r} names {len(found)} ads ({named}); "
                "write it as source/record_id"
            )
        parts = split_ad_key(value)
        if parts is None:
            raise Reject(
                f"{what} ad {value[:60]!r} is in no records file loaded so far; load its "
                "records first, or write it as source/record_id"
            )
        # Named in full: an ad whose records file comes later; the key meets it then.
        return value, {"source": parts[0], "record_id": parts[1]}


@dataclass
class GraphRows:
    """Rows for the store, grouped by node kind and by edge table."""

    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    edges: dict[tuple[str, str, str], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def node(self, kind: str, key: str, **props: Any) -> None:
        self.nodes[kind].append({"key": key, **props})

    def edge(self, rel: str, src: tuple[str, str], dst: tuple[str, str], **props: Any) -> None:
        self.edges[(rel, src[0], dst[0])].append({"src": src[1], "dst": dst[1], **props})

    def __len__(self) -> int:
        return sum(len(v) for v in self.nodes.values()) + sum(len(v) for v in self.edges.values())


# Identifiers repeat across thousands of ads (that is the point), so each raw
# form is normalised once.
_phone = lru_cache(maxsize=200_000)(norm.phone)
_email = lru_cache(maxsize=200_000)(norm.email)
_url = lru_cache(maxsize=200_000)(norm.url)
_domain = lru_cache(maxsize=200_000)(norm.domain)
_handle = lru_cache(maxsize=200_000)(norm.handle)
_wallet = lru_cache(maxsize=200_000)(norm.wallet)
_image = lru_cache(maxsize=200_000)(norm.image_hash)
_country = lru_cache(maxsize=10_000)(norm.country)
_date = lru_cache(maxsize=200_000)(norm.iso_datetime)
_price = lru_cache(maxsize=50_000)(norm.price)
_age = lru_cache(maxsize=1_000)(norm.age)
# The same ad is collected again in later sweeps and reposted word for word
# (16% of a synthetic world's texts, with their country, are exact repeats).
# The result is only read here, never changed, so it can be shared.
_extract = lru_cache(maxsize=20_000)(extract)


phone_region = lru_cache(maxsize=200_000)(norm.phone_region)


@lru_cache(maxsize=100_000)
def fold(text: str) -> str:
    """Case-, accent- and space-insensitive form of a name, for agency and city keys."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def _text(value: Any) -> str:
    if type(value) is str:  # every CSV cell, and most JSON values
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip()


def _json_object(obj: dict[str, Any]) -> str:
    """``json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str)``, made faster.

    An ad's extra columns and unparsed values are text, or lists of text; for
    those the JSON is written here, since the encoder builds itself anew on
    every call (4 us for one small object: a tenth of a record's budget).
    """
    parts = []
    for key, value in sorted(obj.items()):
        if type(value) is str:
            text = _json_string(value)
        elif type(value) is list and all(type(v) is str for v in value):
            text = "[" + ", ".join(map(_json_string, value)) + "]"
        else:
            return _ANY_JSON.encode(obj)
        parts.append(f"{_json_string(key)}: {text}")
    return "{" + ", ".join(parts) + "}"


def _date_field(row: dict[str, Any], name: str) -> str | None:
    raw = _text(row.get(name))
    if not raw:
        return None
    value = _date(raw)
    if value is None:
        raise Reject(
            f"{name} {raw[:40]!r} is not a date (ISO 8601, or day-month-year in the order "
            "the file uses: --dayfirst or --monthfirst)"
        )
    return value


def _platform_key(raw: str) -> str:
    return _domain(raw) or fold(raw)


def record_rows(
    row: dict[str, Any], origin: str, default_source: str, out: GraphRows
) -> dict[str, list[str]]:
    """Add one records row to ``out``; return the values left unparsed, by type.

    Raises :class:`Reject` when the row cannot be used at all, before adding
    anything to ``out``: the loader adds straight to its batch.
    """
    ad, source, record_id = record_key(row, default_source)
    collected_at = _date_field(row, "collected_at")
    posted_at = _date_field(row, "posted_at")
    collector = _text(row.get("collector")) or None
    observed_at = collected_at or posted_at
    unparsed: dict[str, list[str]] = defaultdict(list)

    country_raw = _text(row.get("country"))
    country = _country(country_raw) if country_raw else None
    if country_raw and country is None:
        unparsed["country"].append(country_raw)
    nodes, edges = out.nodes, out.edges
    seen: set[tuple[str, str, str]] = set()

    # Every relationship of the ad carries the record's provenance; each is
    # written as one dict literal, since an ad has a dozen of them.
    def link(rel: str, kind: str, node: dict[str, Any], via: str | None = None) -> None:
        key = node["key"]
        if (rel, kind, key) in seen:
            return
        seen.add((rel, kind, key))
        nodes[kind].append(node)
        edge = {"src": ad, "dst": key, "source": source, "observed_at": observed_at,
                "collector": collector, "origin": origin}  # fmt: skip
        if via is not None and rel in _VIA_RELS:
            edge["via"] = via
        edges[(rel, "Ad", kind)].append(edge)

    def add_phone(e164: str, via: str) -> None:
        link("HAS_PHONE", "Phone", {"key": e164, "region": phone_region(e164)}, via)

    def add_handle(found: tuple[str, str], via: str) -> None:
        kind, key = found
        if kind == "Phone":
            add_phone(key, via)
        else:
            link("HAS_HANDLE", "Handle", {"key": key, "service": key.split(":", 1)[0]}, via)

    def add_url(canonical: str, via: str) -> None:
        dom = _domain(canonical)
        link("LINKS_TO", "Url", {"key": canonical, "domain": dom}, via)
        if dom:
            nodes["Domain"].append({"key": dom})
            if ("ON_DOMAIN", canonical, dom) not in seen:
                seen.add(("ON_DOMAIN", canonical, dom))
                edge = {"src": canonical, "dst": dom, "source": source,
                        "observed_at": observed_at, "collector": collector, "origin": origin}  # fmt: skip
                edges[("ON_DOMAIN", "Url", "Domain")].append(edge)

    for raw in norm.split_multi(row.get("phones")):
        e164 = _phone(raw, country)
        if e164:
            add_phone(e164, "phones")
        else:
            unparsed["phones"].append(raw)
    for raw in norm.split_multi(row.get("emails")):
        addr = _email(raw)
        if addr:
            link("HAS_EMAIL", "Email", {"key": addr}, "emails")
        else:
            unparsed["emails"].append(raw)
    for raw in norm.split_multi(row.get("handles")):
        found = _handle(raw, country)
        if found:
            add_handle(found, "handles")
        else:
            unparsed["handles"].append(raw)
    for raw in norm.split_multi(row.get("links")):
        # A link to t.me/... or wa.me/... is a handle, not just a page.
        found = _handle(raw, country)
        if found:
            add_handle(found, "links")
            continue
        canonical = _url(raw)
        if canonical:
            add_url(canonical, "links")
        else:
            unparsed["links"].append(raw)
    for raw in norm.split_multi(row.get("wallets")):
        key = _wallet(raw)
        if key:
            link("HAS_WALLET", "Wallet", {"key": key, "chain": key.split(":", 1)[0]}, "wallets")
        else:
            unparsed["wallets"].append(raw)
    for raw in norm.split_multi(row.get("image_hashes")):
        key = _image(raw)
        if key:
            link("HAS_IMAGE", "Image", {"key": key})
        else:
            unparsed["image_hashes"].append(raw)

    title = _text(row.get("title"))
    body = _text(row.get("text"))
    if title or body:
        searched = f"{title}\n{body}"
        if len(searched) > MAX_TEXT_CHARS:
            unparsed["text"].append(
                f"identifiers read from the first {MAX_TEXT_CHARS:,} of {len(searched):,} "
                "characters of title and text only"
            )
            searched = searched[:MAX_TEXT_CHARS]  # and the cache keeps no huge key alive
        found = _extract(searched, country)
        for e164 in found.phones:
            add_phone(e164, "text")
        for addr in found.emails:
            link("HAS_EMAIL", "Email", {"key": addr}, "text")
        for pair in found.handles:
            add_handle(pair, "text")
        for key in found.wallets:
            link("HAS_WALLET", "Wallet", {"key": key, "chain": key.split(":", 1)[0]}, "text")
        for canonical in found.urls:
            add_url(canonical, "text")
        for raw in found.unparsed_phones:
            if raw not in unparsed["phones"]:
                unparsed["phones"].append(raw)

    platform_raw = _text(row.get("platform"))
    platform_type = _text(row.get("platform_type")).lower() or None
    if platform_type and platform_type not in PLATFORM_TYPES:
        unparsed["platform_type"].append(platform_type)
        platform_type = None
    if platform_raw:
        key = _platform_key(platform_raw)
        link("POSTED_ON", "Platform",
             {"key": key, "name": platform_raw, "platform_type": platform_type})  # fmt: skip
    agency_raw = _text(row.get("agency"))
    if agency_raw and fold(agency_raw):
        link("NAMES_AGENCY", "Agency", {"key": fold(agency_raw), "name": agency_raw})
    city = _text(row.get("city"))
    if city and fold(city):
        key = f"{country or '??'}|{fold(city)}"
        link("LOCATED_IN", "Location", {"key": key, "city": city, "country": country})

    age_raw = _text(row.get("age"))
    age = _age(age_raw) if age_raw else None
    if age_raw and age is None:
        unparsed["age"].append(age_raw)
    price_raw = _text(row.get("price"))
    price = _price(price_raw) if price_raw else None
    # Key order does not matter: the JSON is written with sorted keys.
    extra = {k: row[k] for k in row.keys() - _KNOWN_COLUMNS if _text(row[k])}
    nodes["Ad"].append(
        {
            "key": ad,
            "record_id": record_id,
            "source": source,
            "platform": platform_raw or None,
            "platform_type": platform_type,
            "url": _text(row.get("url")) or None,
            "posted_at": posted_at,
            "collected_at": collected_at,
            "collector": collector,
            "title": title or None,
            "text": body or None,
            "persona": _text(row.get("persona")) or None,
            "age": age,
            "city": city or None,
            "country": country,
            "price": price_raw or None,
            "price_amount": price[0] if price else None,
            "currency": price[1] if price else None,
            "payment": _text(row.get("payment")) or None,
            "agency": agency_raw or None,
            "unparsed": _json_object(unparsed) if unparsed else None,
            "extra": _json_object(extra) if extra else None,
            "origin": origin,
        }
    )
    return unparsed


def resolve(kind_word: str, value: str, what: str) -> tuple[str, str, dict[str, Any]]:
    """A links file's (kind, value) as a node: (kind, canonical key, node properties)."""
    kind = SCHEMA.kind_from_word(kind_word)
    if kind is None or kind not in SCHEMA.assertable:
        allowed = ", ".join(k.lower() for k in SCHEMA.assertable)
        raise Reject(f"unknown {what}_kind {kind_word!r} (use one of: {allowed})")
    if not value:
        raise Reject(f"missing {what}")
    key: str | None
    props: dict[str, Any] = {}
    if kind == "Phone":
        key = _phone(value, None)
        if key:
            props["region"] = phone_region(key)
    elif kind == "Email":
        key = _email(value)
    elif kind == "Handle":
        found = _handle(value, None)
        if found and found[0] == "Phone":
            return "Phone", found[1], {"region": phone_region(found[1])}
        key = found[1] if found else None
        if key:
            props["service"] = key.split(":", 1)[0]
    elif kind == "Wallet":
        key = _wallet(value)
        if key:
            props["chain"] = key.split(":", 1)[0]
    elif kind == "Image":
        key = _image(value)
    elif kind == "Url":
        key = _url(value)
        if key:
            props["domain"] = _domain(key)
    elif kind == "Agency":
        key = fold(value) or None
        props["name"] = value
    elif kind == "Platform":
        key = _platform_key(value) or None
        props["name"] = value
    else:  # Person and Ad keep the analyst's own id
        key = value
    if not key:
        raise Reject(f"{what} {value[:60]!r} is not a valid {kind_word.lower()}")
    return kind, key, props


def link_rows(
    row: dict[str, Any],
    origin: str,
    default_source: str,
    out: GraphRows,
    roles: dict[str, str],
    ads: AdIndex | None = None,
) -> None:
    """Add one links row to ``out``. ``roles`` holds every person's role seen so far;
    ``ads`` the ads it may name (see :class:`AdIndex`; without it an ad is named by key).

    Raises :class:`Reject` for an unusable row, including a person asserted in a
    role other than the one already recorded: roles are never silently mixed.
    Like :func:`record_rows`, it adds nothing to ``out`` for a rejected row.
    """
    relation_raw = _text(row.get("relation"))
    relation = relation_raw.upper().replace(" ", "_")
    if not relation:
        raise Reject("missing relation")
    if not _RELATION_WORD.match(relation):
        raise Reject(f"relation {relation_raw[:40]!r} is not one upper-case word")
    s_kind, s_key, s_props = resolve(
        _text(row.get("subject_kind")), _text(row.get("subject")), "subject"
    )
    o_kind, o_key, o_props = resolve(
        _text(row.get("object_kind")), _text(row.get("object")), "object"
    )
    if ads is not None:
        if s_kind == "Ad":
            s_key, s_props = ads.resolve(s_key, "subject")
        if o_kind == "Ad":
            o_key, o_props = ads.resolve(o_key, "object")
    role = _text(row.get("role")).lower().replace(" ", "_") or None
    if role is not None:
        if role not in ROLES:
            raise Reject(f"unknown role {role!r} (use one of: {', '.join(ROLES)})")
        if s_kind != "Person":
            raise Reject(f"a role is given but the subject is a {s_kind.lower()}, not a person")
        known = roles.get(s_key)
        if known is not None and known != role:
            raise Reject(f"person {s_key} is already recorded as {known}, not {role}")
    observed_at = _date_field(row, "observed_at")
    confidence_raw = _text(row.get("confidence"))
    confidence = None
    if confidence_raw:
        try:
            confidence = float(confidence_raw)
        except ValueError:
            confidence = -1.0
        if not 0.0 <= confidence <= 1.0:
            raise Reject(f"confidence {confidence_raw[:20]!r} is not a number from 0 to 1")
    if relation in ("SAME_AS", "NOT_SAME_AS") and s_kind != o_kind:
        raise Reject(f"{relation} joins two things of one kind, not {s_kind} and {o_kind}")
    rel = (
        relation
        if relation in SCHEMA.relationships and SCHEMA.rel(relation).asserted
        else "ASSERTED"
    )

    source = _text(row.get("source")) or default_source
    for kind, key, props in ((s_kind, s_key, s_props), (o_kind, o_key, o_props)):
        out.node(kind, key, **props)
    if role is not None:
        roles[s_key] = role
        out.node("Person", s_key, role=role)
    out.edge(
        rel,
        (s_kind, s_key),
        (o_kind, o_key),
        source=source,
        observed_at=observed_at,
        collector=None,
        origin=origin,
        relation=relation,
        confidence=confidence,
        note=_text(row.get("note")) or None,
    )
