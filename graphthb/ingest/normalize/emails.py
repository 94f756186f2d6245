"""E-mail addresses to ``local@domain`` (:func:`email`)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from graphthb.ingest.normalize.hosts import _unwrap, ascii_host

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
