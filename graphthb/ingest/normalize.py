"""One normaliser per value type: a raw value in, its canonical key out, or None.

Every function here takes what an analyst or a scraper wrote and returns the key
that identifies the thing, so that two ads showing the same phone, wallet or
handle in different spellings meet at one node. They never raise: a value that
does not normalise comes back as ``None`` and the caller keeps the raw text
(as ``unparsed``). Each function is idempotent: feeding a key back in gives the
same key.

Canonical keys, exactly:

=============  ==============================================================
country        ISO 3166-1 alpha-2, upper case: ``NL`` (Kosovo: ``XK``)
phone          E.164: ``+31612345678``
email          ``local@domain``, all lower case, domain in ASCII (punycode)
url            ``scheme://host[:port]/path[?query]``: scheme and host lower
               case, host in ASCII without a leading ``www.``, default port,
               userinfo, fragment and tracking parameters dropped, remaining
               parameters sorted by name, path ``/`` when empty and without a
               trailing ``/`` otherwise
domain         registrable domain, lower-case ASCII: ``example.co.uk``
handle         ``("Handle", "service:name")``, lower case, no ``@``; or
               ``("Phone", "+31612345678")`` for forms that name a number
wallet         ``btc:<address>`` (bech32 lower case, base58 as written),
               ``eth:0x<40 lower-case hex>``, ``trx:T<33 base58>``
image_hash     16 lower-case hex digits
=============  ==============================================================
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
import posixpath
import re
import unicodedata
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import idna
import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from graphthb.ingest import numbering
from graphthb.ingest.countries import parse_table

__all__ = [
    "age",
    "country",
    "date_order",
    "domain",
    "email",
    "handle",
    "image_hash",
    "iso_datetime",
    "keccak256",
    "keccak_sponge",
    "local_datetime",
    "phone",
    "phone_region",
    "price",
    "split_multi",
    "url",
    "wallet",
]


# ---------------------------------------------------------------------------
# Countries

_DROP_IN_NAMES = str.maketrans("", "", ".'’ʼ`´")
_SPACE_IN_NAMES = re.compile(r"[\s,;:()\[\]/\\_\-–—]+")


def _fold_name(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a country name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.translate(_DROP_IN_NAMES).replace("&", " and ")
    folded = " ".join(_SPACE_IN_NAMES.sub(" ", plain).split())
    return folded[4:] if folded.startswith("the ") else folded


def _country_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for alpha2, alpha3, names in parse_table():
        for spelling in (alpha2, alpha3, *names):
            keys.setdefault(_fold_name(spelling), alpha2)
    return keys


_COUNTRY_KEYS = _country_keys()
_REGIONAL_A = 0x1F1E6  # flag emoji are two "regional indicator" letters


def country(raw: Any) -> str | None:
    """ISO 3166-1 alpha-2 code for a code, an English or native name, or a flag emoji.

    >>> country("Nederland"), country("UKR"), country("Czech Republic"), country("uk")
    ('NL', 'UA', 'CZ', 'GB')
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > 120:
        return None
    if len(text) == 2 and all(_REGIONAL_A <= ord(c) < _REGIONAL_A + 26 for c in text):
        text = "".join(chr(ord(c) - _REGIONAL_A + ord("A")) for c in text)
    return _COUNTRY_KEYS.get(_fold_name(text))


# ---------------------------------------------------------------------------
# Phones

_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)
# Letters that stand in for digits when an ad hides a number from scrapers.
# phonenumbers would read letters as a vanity number (O -> 6 on a keypad),
# which is never what these ads mean.
LOOKALIKE_DIGITS = str.maketrans(
    {"O": "0", "o": "0", "О": "0", "о": "0", "I": "1", "l": "1", "|": "1", "S": "5", "B": "8",
     "Z": "2"}
)  # fmt: skip
_KEYCAP_MARKS = str.maketrans("", "", "\ufe0f\u20e3")
_PHONE_LABEL = re.compile(
    r"^(?:tel|phone|ph|mob|mobile|cell|handy|gsm|tél|тел|call)\s*[.:]*\s*", re.IGNORECASE
)
_PHONE_CHARS = re.compile(r"\+?[\d\s().\-/–]+")
_NOT_DIGIT = re.compile(r"\D+")


def _region(region: Any) -> str | None:
    if not isinstance(region, str) or not region:
        return None
    code = region.strip().upper()
    if code in _REGIONS:
        return code
    code = country(region) or ""
    return code if code in _REGIONS else None


@lru_cache(maxsize=200_000)
def valid_number(text: str, region: str | None) -> tuple[str, int] | None:
    """(E.164, count of national significant digits) if phonenumbers calls ``text`` valid.

    ``text`` is ``+`` and digits (``region`` None) or a national number's
    digits. Parsing is the dearest step of ingest, and a number turns up in
    columns, in ad text and in links files, spelled the same or with other
    punctuation: every reader comes here with the bare digits, so each number
    is parsed once per region. :mod:`numbering` answers from phonenumbers'
    metadata several times faster; the library itself decides only what that
    module leaves undecided.
    """
    found = numbering.valid_number(text, region)
    if found is numbering.UNDECIDED:
        return library_valid_number(text, region)
    return found


def library_valid_number(text: str, region: str | None) -> tuple[str, int] | None:
    """:func:`valid_number` as phonenumbers' own parse and validation answer it."""
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return (
        phonenumbers.format_number(number, PhoneNumberFormat.E164),
        len(phonenumbers.national_significant_number(number)),
    )


@lru_cache(maxsize=100_000)
def parse_digits(digits: str, international: bool, region: str | None) -> str | None:
    """E.164 for a bare digit string, or None unless phonenumbers calls it valid.

    ``international`` means the digits followed a ``+``; a leading ``00`` means
    the same. Otherwise the digits are a national number of ``region``.
    """
    if not international and digits.startswith("00"):
        digits, international = digits[2:], True
    if not 4 <= len(digits) <= 17:
        return None
    if international:
        found = valid_number("+" + digits, None)
    elif region is None:
        return None
    else:
        found = valid_number(digits, region)
    return found[0] if found else None


def phone_region(e164: str) -> str | None:
    """The region a valid E.164 number belongs to (``NL``), for the Phone node.

    Most calling codes belong to one region, read from the code alone; a
    shared one (+1, +44, +7 ...) needs the whole number parsed, which
    :mod:`numbering` does from the metadata as phonenumbers would.
    """
    if e164.startswith("+") and e164[1:].isdigit():
        # Calling codes are prefix-free: the first one to match is the code.
        for size in (1, 2, 3):
            regions = phonenumbers.region_codes_for_country_code(int(e164[1 : 1 + size]))
            if regions:
                if len(regions) == 1:
                    return regions[0] or None
                break
    found = numbering.region_of(e164)
    if found is numbering.UNDECIDED:
        return library_phone_region(e164)
    return found


def library_phone_region(e164: str) -> str | None:
    """The region phonenumbers' own parse and region lookup give ``e164``."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(e164)) or None
    except NumberParseException:
        return None


def phone(raw: Any, region: str | None = None) -> str | None:
    """E.164 form of a phone number as written, using ``region`` for national numbers.

    Accepts ``+``, ``00`` and national forms with spaces, dots, dashes, slashes
    and parentheses, ``tel:`` links, fullwidth and keycap digits, and the
    letters ads use for digits (``O6 I2 34 S6 78``). Only numbers that
    phonenumbers judges valid come back.

    >>> phone("06 12 34 56 78", "NL"), phone("0049 30 12345678")
    ('+31612345678', '+493012345678')
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > 64:
        return None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_KEYCAP_MARKS)
    text = _PHONE_LABEL.sub("", text).translate(LOOKALIKE_DIGITS).strip()
    if not _PHONE_CHARS.fullmatch(text):
        return None
    return parse_digits(_NOT_DIGIT.sub("", text), text.startswith("+"), _region(region))


# ---------------------------------------------------------------------------
# Hosts, e-mail addresses, URLs and domains

# Letters, digits and hyphens, neither first nor last; an underscore only
# inside a label of a sub-domain (``my_site.example.com``; never a registrable
# name, see :func:`domain`).
_LABEL = re.compile(r"(?![-_])[a-z0-9_-]{1,63}(?<![-_])")
_TLD = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")
_IDEOGRAPHIC_DOTS = str.maketrans({"。": ".", "｡": ".", "．": "."})


def _symbol_label(label: str) -> str | None:
    """Punycode of a label with symbols or emoji (``⌘.ws``, ``i❤.ws``), which
    IDNA 2008 refuses and registries such as .ws sell and browsers open (they
    follow the older IDNA 2003 rules for them)."""
    if not all(c.isalnum() or c == "-" or unicodedata.category(c) in ("So", "Sm") for c in label):
        return None
    if not any(unicodedata.category(c) in ("So", "Sm") for c in label):
        return None
    try:
        return label.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def ascii_host(host: str) -> str | None:
    """A host name as lower-case ASCII (IDNA, UTS #46), or None if it is not one.

    Needs at least two labels and a top-level label of letters (or punycode).
    """
    host = host.strip().rstrip(".")
    if not host.isascii():
        host = unicodedata.normalize("NFKC", host).translate(_IDEOGRAPHIC_DOTS).rstrip(".")
        labels = []
        for label in host.split("."):
            if label.isascii():
                labels.append(label)
                continue
            try:
                labels.append(idna.encode(label, uts46=True).decode("ascii"))
            except (UnicodeError, ValueError):
                symbolic = _symbol_label(label)
                if symbolic is None:
                    return None
                labels.append(symbolic)
        host = ".".join(labels)
    host = host.lower()
    if len(host) > 253:
        return None
    labels = host.split(".")
    if len(labels) < 2 or not _TLD.fullmatch(labels[-1]):
        return None
    if not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return host


_EMAIL_LOCAL = re.compile(r"[\w!#$%&'*+/=?^`{|}~-]+(?:\.[\w!#$%&'*+/=?^`{|}~-]+)*")


def email(raw: Any) -> str | None:
    """``local@domain`` in lower case with the domain in ASCII; ``mailto:`` links too.

    >>> email("mailto:Anna.V@Müller.DE?subject=hi")
    'anna.v@xn--mller-kva.de'
    """
    if not isinstance(raw, str):
        return None
    text = _unwrap(raw)
    if text[:7].lower() == "mailto:":
        text = text[7:].split("?", 1)[0].strip()
    if not text or len(text) > 320:
        return None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    local, at, host = text.rpartition("@")
    if not at or not local or len(local) > 64:
        return None
    local = local.lower()
    if not local.isascii():
        local = unicodedata.normalize("NFKC", local)
    if not _EMAIL_LOCAL.fullmatch(local):
        return None
    ascii_domain = ascii_host(host)
    if ascii_domain is None or "_" in ascii_domain:
        return None
    return f"{local}@{ascii_domain}"


# Click identifiers and campaign tags: they differ per visitor, not per page.
_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "igsh",
     "mc_cid", "mc_eid", "_ga", "_gl", "twclid", "ttclid", "srsltid"}
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_HOST_PORT = re.compile(r"[^/?#:@\s]+:\d{1,5}(?:[/?#]|$)")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PATH_ESCAPES = re.compile(r"%([0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/]")
_QUERY_SAFE = "-._~!$'()*,;:@/?"


def _requote_path(path: str) -> str:
    """Percent-encoding made canonical: unreserved characters decoded, the rest upper-case."""

    def fix(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            char = chr(int(m.group(1), 16))
            return char if char in _UNRESERVED else "%" + m.group(1).upper()
        return "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8", "surrogatepass"))

    return _PATH_ESCAPES.sub(fix, path)


def _canonical_path(path: str) -> str:
    path = _requote_path(path)
    if not path or path == "/":
        return "/"
    if "/." in path:
        ends_with_slash = path.endswith(("/", "/.", "/.."))
        path = posixpath.normpath(path if path.startswith("/") else "/" + path)
        if path.startswith("//") and not path.startswith("///"):
            path = path[1:]  # normpath keeps a leading '//', which we don't need
        if ends_with_slash:
            path += "/"
    if not path.startswith("/"):
        path = "/" + path
    stripped = path.rstrip("/")
    return stripped or "/"


def _canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    kept = [
        (k, v)
        for k, v in pairs
        if not (k.lower().startswith("utm_") or k.lower() in _TRACKING_PARAMS)
    ]
    kept.sort(key=lambda kv: kv[0])
    return "&".join(f"{quote(k, safe=_QUERY_SAFE)}={quote(v, safe=_QUERY_SAFE)}" for k, v in kept)


def _url_host(host: str) -> str | None:
    """Canonical host for a URL: an IP literal, or an ASCII name without ``www.``."""
    if host.startswith("["):
        try:
            return "[" + ipaddress.IPv6Address(host[1:-1]).compressed + "]"
        except ValueError:
            return None
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        pass
    name = ascii_host(host)
    if name is None:
        return None
    if "_" in name and "_" in (_registrable(name) or "_"):
        return None  # a registrable name is letters, digits and hyphens
    while name.startswith("www.") and name.count(".") >= 2:
        name = name[4:]
    return name


_WRAPPERS = {("<", ">"), ('"', '"'), ("'", "'"), ("(", ")"), ("[", "]")}


def _unwrap(text: str) -> str:
    """The value inside matching quotes or brackets, as pasted from a document."""
    text = text.strip()
    while len(text) >= 2 and (text[0], text[-1]) in _WRAPPERS:
        text = text[1:-1].strip()
    return text


# Characters RFC 3986 never allows unescaped in a URL; a pasted value holding
# them is markup or script around a link ('http://x.example/">...'), not one.
_UNSAFE_IN_URL = re.compile(r'["<>`\\^{}|\x00-\x1f\x7f]')
# A query is name=value pairs joined by & (or ;): percent escapes and URL-safe
# characters, no quotes or brackets ("q=search');alert(document.domain);" is
# script, not a query a site reads).
_QUERY_PART = r"[A-Za-z0-9\-._~%!$*+,:@/?\[\]]*"
_QUERY_SHAPE = re.compile(
    rf"{_QUERY_PART}(?:={_QUERY_PART})?(?:[&;]{_QUERY_PART}(?:={_QUERY_PART})?)*"
)


def _split_url(raw: Any) -> tuple[str, str, int | None, str, str] | None:
    """(scheme, canonical host, explicit port, path, query) of a URL, or None."""
    if not isinstance(raw, str):
        return None
    text = _unwrap(raw)
    if not text or len(text) > 4096 or any(c.isspace() for c in text):
        return None
    if _UNSAFE_IN_URL.search(text):
        return None
    if text.startswith("//"):
        text = "https:" + text
    else:
        m = _SCHEME.match(text)
        if m is None or _HOST_PORT.match(text):
            text = "https://" + text
        elif text[m.end() : m.end() + 2] != "//":
            return None  # mailto:, javascript:, tel: ... are not web pages
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        return None
    netloc = parts.netloc.rpartition("@")[2]
    if netloc.startswith("["):
        raw_host = netloc[: netloc.find("]") + 1]
    else:
        raw_host = netloc.rsplit(":", 1)[0] if port is not None else netloc.rstrip(":")
    host = _url_host(raw_host)
    if host is None:
        return None
    if parts.query and not _QUERY_SHAPE.fullmatch(parts.query):
        return None
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    return scheme, host, port, parts.path, parts.query


def url(raw: Any) -> str | None:
    """Canonical form of a web URL; ``https://`` is assumed for a bare host.

    Decisions: the scheme is kept as written (``http`` and ``https`` stay
    apart; the shared :func:`domain` links them); a leading ``www.`` is dropped
    because sites serve the same pages with and without it; the fragment and
    tracking parameters (``utm_*``, ``fbclid``, ``gclid`` ...) are dropped;
    the remaining parameters are sorted by name; an empty path becomes ``/``
    and any other path loses its trailing ``/``.

    >>> url("WWW.Escort-Site.example:443/Anna/?utm_source=x&b=2&a=1#top")
    'https://escort-site.example/Anna?a=1&b=2'
    """
    parts = _split_url(raw)
    if parts is None:
        return None
    scheme, host, port, path, query = parts
    netloc = host if port is None else f"{host}:{port}"
    canonical_query = _canonical_query(query)
    tail = f"?{canonical_query}" if canonical_query else ""
    return f"{scheme}://{netloc}{_canonical_path(path)}{tail}"


_tld_extract: Any = None


def _extractor() -> Any:
    # tldextract would otherwise fetch the Public Suffix List over the network
    # and cache it on disk; the snapshot it ships is enough and keeps results
    # reproducible. Private suffixes (github.io, blogspot.com ...) count as
    # suffixes: two users of one hosting service are not one site.
    global _tld_extract
    if _tld_extract is None:
        import tldextract

        _tld_extract = tldextract.TLDExtract(
            cache_dir=None,
            suffix_list_urls=(),
            fallback_to_snapshot=True,
            include_psl_private_domains=True,
        )
    return _tld_extract


@lru_cache(maxsize=100_000)
def _registrable(host: str) -> str | None:
    parts = _extractor()(host)
    if parts.suffix and parts.domain:
        return f"{parts.domain}.{parts.suffix}"
    if parts.suffix:
        return host  # the host is itself a public suffix, e.g. github.io
    # A suffix outside the list (.example, .test, .onion before it was listed,
    # an intranet name): the last two labels are the best guess.
    return ".".join(host.split(".")[-2:])


def domain(raw: Any) -> str | None:
    """Registrable domain of a URL or host name, from the Public Suffix List snapshot.

    IP addresses have no registrable domain and give None.

    >>> domain("https://www.anna.escorts.co.uk/x"), domain("anna.github.io")
    ('escorts.co.uk', 'anna.github.io')
    """
    if isinstance(raw, str) and raw.strip().startswith("@"):
        return None  # a handle ("@pudo.org"), not a host
    parts = _split_url(raw)
    if parts is None:
        return None
    host = parts[1]
    if host.startswith("[") or host.replace(".", "").isdigit():
        return None
    registrable = _registrable(host)
    # Host names are letters, digits and hyphens; "_example.com" is none.
    return registrable if registrable is not None and "_" not in registrable else None


# ---------------------------------------------------------------------------
# Messenger and social handles

SERVICE_ALIASES: dict[str, str] = {
    "telegram": "telegram", "tg": "telegram", "telegramm": "telegram", "telega": "telegram",
    "телеграм": "telegram", "телеграмм": "telegram", "телега": "telegram", "тг": "telegram",
    "whatsapp": "whatsapp", "wa": "whatsapp", "whatsap": "whatsapp", "watsapp": "whatsapp",
    "whats": "whatsapp", "wapp": "whatsapp", "вотсап": "whatsapp", "ватсап": "whatsapp",
    "вацап": "whatsapp", "signal": "signal", "сигнал": "signal", "viber": "viber",
    "вайбер": "viber", "instagram": "instagram", "insta": "instagram", "ig": "instagram",
    "инстаграм": "instagram", "инста": "instagram", "twitter": "twitter", "x": "twitter",
    "tiktok": "tiktok", "snapchat": "snapchat", "snap": "snapchat", "sc": "snapchat",
    "onlyfans": "onlyfans", "of": "onlyfans", "fansly": "fansly", "facebook": "facebook",
    "fb": "facebook", "vk": "vk", "vkontakte": "vk", "вк": "vk", "вконтакте": "vk",
    "wechat": "wechat", "weixin": "wechat", "line": "line", "kik": "kik", "skype": "skype",
    "threema": "threema", "discord": "discord", "session": "session", "wickr": "wickr",
    "reddit": "reddit",
}  # fmt: skip
# Services whose identity is a phone number: the handle is the Phone node.
PHONE_SERVICES = frozenset({"whatsapp", "viber"})
# Services where a phone number may stand instead of a user name.
_PHONE_OR_NAME = frozenset({"telegram", "signal", "whatsapp", "viber", "wechat", "line"})
_HANDLE_RULES = {
    "telegram": re.compile(r"[a-z][a-z0-9_]{3,31}"),
    "instagram": re.compile(r"[a-z0-9._]{1,30}"),
    "twitter": re.compile(r"[a-z0-9_]{1,15}"),
    "tiktok": re.compile(r"[a-z0-9._]{2,24}"),
    "snapchat": re.compile(r"[a-z][a-z0-9._-]{2,14}"),
    "signal": re.compile(r"[a-z_][a-z0-9_]{2,31}\.[0-9]{2,9}"),
    "facebook": re.compile(r"[a-z0-9.]{5,50}"),
    "threema": re.compile(r"[a-z0-9*]{8}"),
    "skype": re.compile(r"(?:live:)?[a-z][a-z0-9.,_-]{5,31}"),
}
_DEFAULT_HANDLE_RULE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
_HAS_LETTER = re.compile(r"[a-z]")
_PHONE_LIKE = re.compile(r"\+?[\d\s().\-/]{6,}")
_SERVICE_FORM = re.compile(r"([^\W\d_][^\W\d_ ]*(?: [^\W\d_]+)?)\s*[:=]\s*(.*)", re.DOTALL)
_URL_FORM = re.compile(r"(?:[a-z][a-z0-9+.-]*://|(?:[a-z0-9-]+\.)+[a-z]{2,}/)", re.IGNORECASE)

# Host -> service, and the first path segments that are site pages, not users.
_HANDLE_HOSTS = {
    "t.me": "telegram", "telegram.me": "telegram", "telegram.dog": "telegram",
    "instagram.com": "instagram", "instagr.am": "instagram",
    "twitter.com": "twitter", "x.com": "twitter", "mobile.twitter.com": "twitter",
    "tiktok.com": "tiktok", "snapchat.com": "snapchat", "onlyfans.com": "onlyfans",
    "fansly.com": "fansly", "facebook.com": "facebook", "fb.com": "facebook",
    "m.facebook.com": "facebook", "vk.com": "vk", "m.vk.com": "vk",
}  # fmt: skip
_RESERVED_PATHS = {
    "telegram": {"joinchat", "addstickers", "addemoji", "share", "proxy", "socks", "iv",
                 "setlanguage", "login", "c", "contact", "addlist", "boost", "invoice"},
    "instagram": {"p", "reel", "reels", "tv", "explore", "accounts", "direct", "about",
                  "legal", "developer", "stories", "web"},
    "twitter": {"i", "home", "search", "intent", "share", "hashtag", "explore", "settings",
                "messages", "notifications", "login", "signup", "tos", "privacy"},
    "facebook": {"profile.php", "groups", "pages", "events", "watch", "marketplace", "share",
                 "sharer", "sharer.php", "photo.php", "permalink.php", "story.php", "login",
                 "help", "people", "dialog", "plugins", "hashtag", "photo", "reel"},
    "onlyfans": {"my", "action", "auth", "files", "legal", "help"},
    "fansly": {"explore", "settings", "messages", "legal", "tos"},
    "vk": {"wall", "feed", "im", "video", "photo", "club", "public", "away.php", "share.php"},
}  # fmt: skip


def _service_handle(service: str, value: str, region: str | None) -> tuple[str, str] | None:
    value = value.strip()
    if _PHONE_LIKE.fullmatch(value):
        if service not in _PHONE_OR_NAME:
            return None
        number = phone(value, region)
        return ("Phone", number) if number else None
    if service in PHONE_SERVICES:
        return None
    name = value.lstrip("@").strip().lower().rstrip(".")
    rule = _HANDLE_RULES.get(service, _DEFAULT_HANDLE_RULE)
    if not rule.fullmatch(name) or not _HAS_LETTER.search(name):
        return None
    return ("Handle", f"{service}:{name}")


def _phone_param(value: str, region: str | None) -> tuple[str, str] | None:
    value = unquote(value).strip()
    # wa.me and the WhatsApp API take the full international number, usually
    # without the '+'; a leading 0 is a national number written by mistake.
    if value.startswith("0") and not value.startswith("00"):
        number = phone(value, region)
    else:
        number = phone("+" + value.lstrip("+"))
    return ("Phone", number) if number else None


def _url_handle(text: str, region: str | None) -> tuple[str, str] | None:
    low = text.lower()
    if low.startswith("tg://"):
        params = dict(parse_qsl(urlsplit(text).query))
        if params.get("domain"):
            return _service_handle("telegram", params["domain"], region)
        if params.get("phone"):
            return _phone_param(params["phone"], region)
        return None
    if low.startswith(("viber://", "whatsapp://")):
        params = dict(parse_qsl(urlsplit(text).query))
        value = params.get("number") or params.get("phone")
        return _phone_param(value, region) if value else None
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    while host.startswith(("www.", "web.", "api.")) and host.count(".") >= 2:
        host = host[4:]
    segments = [s for s in parts.path.split("/") if s]
    if host == "wa.me":
        return _phone_param(segments[0], region) if segments else None
    if host == "whatsapp.com":
        if segments[:1] == ["send"]:
            value = dict(parse_qsl(parts.query)).get("phone")
            return _phone_param(value, region) if value else None
        return None
    if host == "signal.me":
        frag = unquote(parts.fragment)
        return _phone_param(frag[2:], region) if frag.startswith("p/") else None
    service = _HANDLE_HOSTS.get(host)
    if service is None or not segments:
        return None
    first = segments[0]
    if service == "telegram":
        if first.startswith("+"):
            digits = first[1:]
            return _phone_param(digits, region) if digits.isdigit() else None
        if first == "s" and len(segments) > 1:
            first = segments[1]
    elif service == "tiktok":
        return _service_handle(service, first[1:], region) if first.startswith("@") else None
    elif service == "snapchat":
        if first == "add" and len(segments) > 1:
            first = segments[1]
        elif not first.startswith("@"):
            return None
    elif service == "instagram" and first == "stories" and len(segments) > 1:
        first = segments[1]
    if first.lower() in _RESERVED_PATHS.get(service, ()):
        return None
    return _service_handle(service, unquote(first), region)


def handle(raw: Any, region: str | None = None) -> tuple[str, str] | None:
    """``(kind, key)`` for a messenger or social handle, or None.

    Takes ``service:name`` (``telegram:@anna_vip``, ``ig:anna.vip``,
    ``whatsapp:+31612345678``) and profile links (``t.me/anna_vip``,
    ``instagram.com/anna.vip``, ``wa.me/31612345678``,
    ``api.whatsapp.com/send?phone=...``). Names come back as
    ``("Handle", "service:name")``; WhatsApp and Viber, and any service given a
    number, come back as ``("Phone", e164)`` because the number is the
    identity. Group invite links are not handles (they stay URLs).

    >>> handle("tg: @Anna_VIP"), handle("wa.me/31612345678")
    (('Handle', 'telegram:anna_vip'), ('Phone', '+31612345678'))
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > 512:
        return None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    region = _region(region)
    if _URL_FORM.match(text):
        return _url_handle(text, region)
    m = _SERVICE_FORM.fullmatch(text)
    if m is None:
        return None
    service = SERVICE_ALIASES.get(m.group(1).lower().replace(" ", ""))
    if service is None:
        return None
    value = m.group(2).strip()
    if _URL_FORM.match(value):
        found = _url_handle(value, region)
        return found if found and (found[0] == "Phone" or found[1].startswith(service)) else None
    return _service_handle(service, value, region)


# ---------------------------------------------------------------------------
# Crypto wallets

_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_VALUE = {c: i for i, c in enumerate(_B58_ALPHABET)}
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_VALUE = {c: i for i, c in enumerate(BECH32_CHARSET)}
_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
BECH32_CONST = 1  # BIP-173, witness version 0
BECH32M_CONST = 0x2BC830A3  # BIP-350, witness versions 1 to 16


def b58decode(text: str) -> bytes | None:
    """Bytes of a base58 string (Bitcoin alphabet), or None for a foreign character."""
    n = 0
    for char in text:
        value = _B58_VALUE.get(char)
        if value is None:
            return None
        n = n * 58 + value
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def b58check_payload(text: str) -> bytes | None:
    """Payload of a base58check string whose 4-byte double-SHA256 checksum holds."""
    data = b58decode(text)
    if data is None or len(data) < 5:
        return None
    payload, check = data[:-4], data[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != check:
        return None
    return payload


def bech32_polymod(values: list[int]) -> int:
    """The BCH checksum polynomial of BIP-173 over 5-bit values."""
    check = 1
    for value in values:
        top = check >> 25
        check = ((check & 0x1FFFFFF) << 5) ^ value
        for i, generator in enumerate(_BECH32_GENERATOR):
            if (top >> i) & 1:
                check ^= generator
    return check


def bech32_hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _regroup(values: list[int], from_bits: int, to_bits: int) -> list[int] | None:
    """5-bit groups to bytes, rejecting non-zero or overlong padding (BIP-173)."""
    acc = bits = 0
    out = []
    for value in values:
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & ((1 << to_bits) - 1))
    if bits >= from_bits or (acc << (to_bits - bits)) & ((1 << to_bits) - 1):
        return None
    return out


def _segwit(address: str) -> str | None:
    if address != address.lower() and address != address.upper():
        return None
    address = address.lower()
    if len(address) > 90:
        return None
    hrp, sep, data_part = address.rpartition("1")
    if hrp != "bc" or not sep or len(data_part) < 7:
        return None
    values = [_BECH32_VALUE.get(c, -1) for c in data_part]
    if -1 in values:
        return None
    const = bech32_polymod(bech32_hrp_expand(hrp) + values)
    version = values[0]
    program = _regroup(values[1:-6], 5, 8)
    if program is None or version > 16 or not 2 <= len(program) <= 40:
        return None
    if version == 0:
        ok = const == BECH32_CONST and len(program) in (20, 32)
    else:
        ok = const == BECH32M_CONST
    return address if ok else None


def _base58_btc(address: str) -> str | None:
    payload = b58check_payload(address)
    if payload is None or len(payload) != 21 or payload[0] not in (0x00, 0x05):
        return None
    return address


def _tron(address: str) -> str | None:
    if len(address) != 34:
        return None
    payload = b58check_payload(address)
    if payload is None or len(payload) != 21 or payload[0] != 0x41:
        return None
    return address


# Keccak-256 as Ethereum uses it (the original Keccak padding, not SHA3-256's).
def _keccak_constants() -> tuple[list[int], list[int]]:
    rotations = [0] * 25
    x, y = 1, 0
    for t in range(24):
        rotations[x + 5 * y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    round_constants = []
    lfsr = 1
    for _ in range(24):
        constant = 0
        for j in range(7):
            if lfsr & 1:
                constant |= 1 << ((1 << j) - 1)
            lfsr <<= 1
            if lfsr & 0x100:
                lfsr ^= 0x171
        round_constants.append(constant)
    return rotations, round_constants


_KECCAK_ROT, _KECCAK_RC = _keccak_constants()
_MASK64 = (1 << 64) - 1


def _keccak_f(lanes: list[int]) -> list[int]:
    for rc in _KECCAK_RC:
        c = [
            lanes[x] ^ lanes[x + 5] ^ lanes[x + 10] ^ lanes[x + 15] ^ lanes[x + 20]
            for x in range(5)
        ]
        d = [
            c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _MASK64)
            for x in range(5)
        ]
        lanes = [lanes[i] ^ d[i % 5] for i in range(25)]
        b = [0] * 25
        for x in range(5):
            for y in range(5):
                lane, r = lanes[x + 5 * y], _KECCAK_ROT[x + 5 * y]
                b[y + 5 * ((2 * x + 3 * y) % 5)] = ((lane << r) | (lane >> (64 - r))) & _MASK64
        lanes = [
            b[i] ^ (~b[(i % 5 + 1) % 5 + 5 * (i // 5)] & b[(i % 5 + 2) % 5 + 5 * (i // 5)])
            for i in range(25)
        ]
        lanes[0] ^= rc
    return lanes


def keccak_sponge(data: bytes, pad: int = 0x01, rate: int = 136) -> bytes:
    """A 32-byte Keccak digest; ``pad`` 0x01 is Keccak-256, 0x06 is SHA3-256.

    The two differ only in this padding byte, which lets the tests check the
    permutation against :func:`hashlib.sha3_256`.
    """
    padded = bytearray(data)
    padded.append(pad)
    padded.extend(b"\0" * (-len(padded) % rate))
    padded[-1] |= 0x80
    lanes = [0] * 25
    for start in range(0, len(padded), rate):
        block = padded[start : start + rate]
        for i in range(rate // 8):
            lanes[i] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        lanes = _keccak_f(lanes)
    return b"".join(lane.to_bytes(8, "little") for lane in lanes[:4])


def keccak256(data: bytes) -> bytes:
    """Keccak-256 digest (Ethereum's hash; hashlib's sha3_256 pads differently).

    >>> keccak256(b"").hex()[:16]
    'c5d2460186f7233c'
    """
    return keccak_sponge(data, 0x01)


def eip55(hex40: str) -> str:
    """The EIP-55 mixed-case spelling of 40 hex digits (without ``0x``)."""
    lower = hex40.lower()
    digest = keccak256(lower.encode("ascii")).hex()
    return "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(lower)
    )


_ETH = re.compile(r"0[xX]([0-9a-fA-F]{40})")


def _ethereum(address: str) -> str | None:
    m = _ETH.fullmatch(address)
    if m is None:
        return None
    digits = m.group(1)
    mixed = digits != digits.lower() and digits != digits.upper()
    if mixed and eip55(digits) != digits:
        return None
    return "0x" + digits.lower()


_CHAIN_PREFIXES = {
    "btc": "btc", "bitcoin": "btc", "xbt": "btc",
    "eth": "eth", "ethereum": "eth", "erc20": "eth", "usdt-erc20": "eth",
    "trx": "trx", "tron": "trx", "trc20": "trx", "usdt-trc20": "trx",
    "usdt": None,
}  # fmt: skip
_CHAIN_PREFIX = re.compile(r"([a-z][a-z0-9]*(?:[-_ ][a-z0-9]+)?)\s*:\s*(.*)", re.IGNORECASE)
_CHECKERS = {"btc": (_segwit, _base58_btc), "eth": (_ethereum,), "trx": (_tron,)}


def wallet(raw: Any) -> str | None:
    """``chain:address`` for a Bitcoin, Ethereum or TRON address whose checksum holds.

    The chain comes from a prefix (``btc:``, ``bitcoin:``, ``eth:``,
    ``ethereum:``, ``trx:``, ``tron:``, payment URIs such as
    ``bitcoin:bc1...?amount=1``) or from the address's form. Bech32 keys are
    lower case, Ethereum keys lower-case hex; base58 is case-sensitive and kept.

    >>> wallet("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")
    'btc:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text or len(text) > 256:
        return None
    chain: str | None = None
    m = _CHAIN_PREFIX.fullmatch(text)
    if m is not None:
        word = m.group(1).lower().replace("_", "-").replace(" ", "-")
        if word not in _CHAIN_PREFIXES:
            return None
        chain = _CHAIN_PREFIXES[word]
        text = m.group(2)
        for stop in "?@/":
            text = text.split(stop, 1)[0]
        text = text.strip()
    chains = [chain] if chain else ["btc", "eth", "trx"]
    for name in chains:
        for check in _CHECKERS[name]:
            address = check(text)
            if address is not None:
                return f"{name}:{address}"
    return None


# ---------------------------------------------------------------------------
# Images, lists, dates, ages and prices

_HEX16 = re.compile(r"[0-9a-f]{16}")


def image_hash(raw: Any) -> str | None:
    """A 64-bit perceptual hash as 16 lower-case hex digits (``0x`` prefix allowed)."""
    if not isinstance(raw, str):
        return None
    text = raw.strip().lower()
    if text.startswith("0x"):
        text = text[2:]
    return text if _HEX16.fullmatch(text) else None


_MULTI_SEPARATORS = re.compile(r"[;\r\n]+")


def split_multi(value: Any) -> list[str]:
    """The values of a multi-valued column: a JSON list, or text separated by ``;``.

    Newlines separate values too (analysts paste lists into one cell). Blank
    values are dropped; a number becomes its digits (``3.1612345678e10`` from a
    spreadsheet gives ``"31612345678"``).

    >>> split_multi("a; b ;;c"), split_multi('["x", " y "]'), split_multi(None)
    (['a', 'b', 'c'], ['x', 'y'], [])
    """
    if type(value) is str:  # the common case first: one value, or none, in a CSV cell
        text = value.strip()
        if not text:
            return []
        if not text.startswith("[") and ";" not in text and "\n" not in text and "\r" not in text:
            return [text]
    if value is None or isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [str(value)]
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return []
        return [str(int(value)) if value.is_integer() else repr(value)]
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for item in value:
            if isinstance(item, str):
                if item.strip():
                    out.append(item.strip())
            else:
                out.extend(split_multi(item))
        return out
    if not isinstance(value, str):
        return []
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, list):
            return split_multi(parsed)
    return [part.strip() for part in _MULTI_SEPARATORS.split(text) if part.strip()]


# Already normal: seconds, no fractions, UTC written "Z" or no offset at all.
_PLAIN_DATETIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z?")


def iso_datetime(raw: Any) -> str | None:
    """An ISO 8601 date (``2025-05-12``) or date-time, normalised; None otherwise.

    Date-times come back as ``YYYY-MM-DDTHH:MM:SS`` (with ``.ffffff`` when
    there are fractions). A date-time with an offset is converted to UTC and
    written with ``Z``; one without an offset stays as it was (local time of
    whoever wrote it). Non-ISO spellings such as ``12.05.2025`` are refused.
    """
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, date):
        return raw.isoformat()
    elif isinstance(raw, str):
        text = raw.strip()
        # Scrapers write one spelling, already the normal form: check it is a
        # real moment and hand it back, instead of parsing it twice.
        if _PLAIN_DATETIME.fullmatch(text):
            try:
                datetime.fromisoformat(text[:19])
            except ValueError:
                return None
            return text
        if not 8 <= len(text) <= 40 or not text[:4].isdigit():
            return None
        if text[-1] in "zZ":
            text = text[:-1] + "+00:00"
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    spec = "microseconds" if moment.microsecond else "seconds"
    if moment.tzinfo is None:
        return moment.isoformat(timespec=spec)
    try:
        utc = moment.astimezone(UTC).replace(tzinfo=None)
    except (OverflowError, ValueError):
        return None
    return utc.isoformat(timespec=spec) + "Z"


# Dates as people write them: day, month and year as numbers, in an order the
# writer's country decides. Which order a file uses is decided for the whole
# file (graphthb.ingest.readers), never value by value: 03/09/2025 is March or
# September depending on who wrote it, and nothing in the value itself says.
_LOCAL_DATE = re.compile(
    r"(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})\.?"
    r"(?:(?:\s+|\s*,\s*|T)(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?"
)
_YEAR_FIRST = re.compile(
    r"(\d{4})([./])(\d{1,2})\2(\d{1,2})"
    r"(?:(?:\s+|T)(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


def date_order(raw: Any) -> str | None:
    """What a day-month-year date tells of its file's order, or None if it is not one.

    ``"day"`` when only day-first reads it (``13/09/2025``, or dots, which only
    day-first countries write: ``03.09.2025``), ``"month"`` when only
    month-first does (``09/13/2025``), ``"either"`` when both do
    (``03/09/2025``) and ``"neither"`` when no order does (``13/13/2025``).

    >>> date_order("13/09/2025"), date_order("3.9.2025"), date_order("3/9/2025")
    ('day', 'day', 'either')
    """
    if not isinstance(raw, str):
        return None
    m = _LOCAL_DATE.fullmatch(raw.strip())
    if m is None:
        return None
    first, sep, second = int(m.group(1)), m.group(2), int(m.group(3))
    if not (1 <= first <= 31 and 1 <= second <= 31) or (first > 12 and second > 12):
        return "neither"
    if first > 12:
        return "day"
    if second > 12:
        return "month"
    return "day" if sep == "." else "either"


def local_datetime(raw: Any, dayfirst: bool) -> str | None:
    """A day-month-year date (or date-time) in the given order, as ISO 8601; None otherwise.

    Takes ``03.09.2025``, ``3/9/2025``, ``03-09-25``, ``3.9.2025 14:05``,
    ``9/3/2025 2:05 PM`` (two-digit years as POSIX reads them: 69-99 are
    19xx), and year-first ``2025/09/03``, whose order is never in doubt. The
    result has the same form as :func:`iso_datetime`'s, without an offset.

    >>> local_datetime("03.09.2025 14:05", True), local_datetime("9/3/2025", False)
    ('2025-09-03T14:05:00', '2025-09-03')
    """
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    m = _LOCAL_DATE.fullmatch(text)
    meridiem = None
    if m is not None:
        first, second, year_text = m.group(1), m.group(3), m.group(4)
        day, month = (first, second) if dayfirst else (second, first)
        year = int(year_text)
        if len(year_text) == 2:
            year += 1900 if year >= 69 else 2000
        hour, minute, second_text, meridiem = m.group(5, 6, 7, 8)
    else:
        m = _YEAR_FIRST.fullmatch(text)
        if m is None:
            return None
        year, month, day = int(m.group(1)), m.group(3), m.group(4)
        hour, minute, second_text = m.group(5, 6, 7)
    try:
        day_value = date(year, int(month), int(day))
        if hour is None:
            return day_value.isoformat()
        h = int(hour)
        if meridiem is not None:
            if not 1 <= h <= 12:
                return None
            h = h % 12 + (12 if meridiem in "Pp" else 0)
        moment = datetime(year, int(month), int(day), h, int(minute), int(second_text or 0))
    except ValueError:
        return None
    return moment.isoformat(timespec="seconds")


_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def age(raw: Any) -> int | None:
    """The age an ad claims, 10 to 99, from ``23``, ``"23 y.o."``, ``23.0``.

    Claimed ages under 18 are kept on purpose: an ad that says 16 is exactly
    what an analyst must see. Below 10 or above 99 is not an age (a typo, a
    price, a phone number) and gives None, as does text with two numbers
    (``"23-25"``).
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        n = raw
    elif isinstance(raw, float):
        if not math.isfinite(raw) or not raw.is_integer():
            return None
        n = int(raw)
    elif isinstance(raw, str):
        if len(raw) > 40:
            return None
        numbers = _NUMBER.findall(raw)
        if len(numbers) != 1:
            return None
        whole, _, fraction = numbers[0].replace(",", ".").partition(".")
        if fraction.strip("0"):
            return None
        n = int(whole)
    else:
        return None
    return n if 10 <= n <= 99 else None


CURRENCIES = {
    "€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "евро": "EUR", "євро": "EUR",
    "$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "us$": "USD",
    "£": "GBP", "gbp": "GBP", "pound": "GBP", "pounds": "GBP", "quid": "GBP",
    "chf": "CHF", "zł": "PLN", "zl": "PLN", "pln": "PLN", "lei": "RON", "ron": "RON",
    "kč": "CZK", "kc": "CZK", "czk": "CZK", "ft": "HUF", "huf": "HUF", "грн": "UAH",
    "uah": "UAH", "₴": "UAH", "₽": "RUB", "руб": "RUB", "rub": "RUB", "лв": "BGN",
    "bgn": "BGN", "sek": "SEK", "nok": "NOK", "dkk": "DKK", "isk": "ISK", "₺": "TRY",
    "try": "TRY", "tl": "TRY", "mdl": "MDL", "rsd": "RSD", "din": "RSD", "bam": "BAM",
    "mkd": "MKD", "cad": "CAD", "aud": "AUD", "₿": "BTC", "btc": "BTC", "eth": "ETH",
    "usdt": "USDT", "usdc": "USDC",
}  # fmt: skip
_CURRENCY_TOKEN = re.compile(
    r"[€$£₴₽₺₿]|\b(?:"
    + "|".join(sorted((re.escape(k) for k in CURRENCIES if k[0].isalpha()), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_AMOUNT = re.compile(r"\d{1,3}(?:[ \u00a0,.'’]\d{3})+(?:[.,]\d{1,2})?(?!\d)|\d+(?:[.,]\d+)?")
_DURATION_AFTER = re.compile(
    r"\s*(?:h|hr|hrs|hour|hours|min|mins|minutes|std|stunde|stunden|ч|час|godz|óra|ora|ore|uur|"
    r"heure|heures|hora|horas)\b",
    re.IGNORECASE,
)


# What no price in an ad looks like, and what a reading would only get wrong:
# a minus sign before the amount ("-100" is not 100), an exponent ("1e308
# USD" is not 308), a list or object ("[1,2]" is not 1).
_UNREADABLE_PRICE = re.compile(r"(?:^|[(€$£:=]\s*)[-−]\s*\d|\d[eE][-+]?\d|[\[\]{}]")


def _amount(token: str) -> float:
    text = re.sub(r"[ \u00a0'’]", "", token)
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in text or "." in text:
        sep = "," if "," in text else "."
        head, *rest = text.split(sep)
        if len(rest) > 1 or (len(rest[0]) == 3 and head != "0"):
            text = head + "".join(rest)  # thousands: 1.500 / 1,500
        else:
            text = f"{head}.{rest[0]}"
    return float(text)


def price(raw: Any) -> tuple[float, str | None] | None:
    """(amount, ISO 4217 code or None) from ``150 EUR``, ``€150``, ``1.500,00 Kč``, ``150/h``.

    The amount next to a currency wins; otherwise the first number that is not
    a duration (``1h 150`` gives 150). ``1.500`` and ``1,500`` are thousands,
    ``150,50`` is a decimal. ``kr`` is left without a code (SEK, NOK or DKK).
    What cannot be read as one amount gives None, to be kept as written: a
    negative amount, an exponent (``1e308``), a list (``[1,2]``).
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return (float(raw), None) if math.isfinite(raw) and raw >= 0 else None
    if not isinstance(raw, str) or len(raw) > 200:
        return None
    text = raw.strip()
    if _UNREADABLE_PRICE.search(text):
        return None  # kept as written (unparsed) rather than read as another amount
    amounts = [m for m in _AMOUNT.finditer(text) if not _DURATION_AFTER.match(text, m.end())]
    if not amounts:
        return None
    currency_match = _CURRENCY_TOKEN.search(text)
    chosen = amounts[0]
    currency = None
    if currency_match is not None:
        currency = CURRENCIES[currency_match.group(0).lower()]
        chosen = min(
            amounts,
            key=lambda m: min(
                abs(m.start() - currency_match.end()), abs(currency_match.start() - m.end())
            ),
        )
    try:
        amount = _amount(chosen.group(0))
    except ValueError:
        return None
    return (amount, currency) if math.isfinite(amount) else None
