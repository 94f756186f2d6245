"""Web URLs to their canonical form (:func:`url`) and registrable domains (:func:`domain`)."""

from __future__ import annotations

import ipaddress
import posixpath
import re
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from graphthb.ingest.normalize.hosts import _unwrap, ascii_host

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
