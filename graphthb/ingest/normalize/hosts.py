"""Host names to lower-case ASCII, and the unwrapping of pasted values, for e-mail
addresses and URLs."""

from __future__ import annotations

import re
import unicodedata

import idna

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


_WRAPPERS = {("<", ">"), ('"', '"'), ("'", "'"), ("(", ")"), ("[", "]")}


def _unwrap(text: str) -> str:
    """The value inside matching quotes or brackets, as pasted from a document."""
    text = text.strip()
    while len(text) >= 2 and (text[0], text[-1]) in _WRAPPERS:
        text = text[1:-1].strip()
    return text
