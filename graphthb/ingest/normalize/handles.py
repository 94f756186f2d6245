"""Messenger and social handles to ``service:name``, or to the phone that is the
identity (:func:`handle`)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from graphthb.ingest.normalize.phones import _region, phone

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
