"""One normaliser per value type: a raw value in, its canonical key out, or None.

Each value type lives in its own module of this package (phones, emails, urls,
handles, wallets with their checksums, images, dates, amounts, cells); this
module is their one public face, and callers import from here.

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

# Names outside __all__ are re-exported as well: the readers, the extractor and
# the tests reach helpers and tables (SERVICE_ALIASES, valid_number ...) through
# this module, as they did when it was one file.
# ruff: noqa: F401
from graphthb.ingest.normalize.amounts import (
    CURRENCIES,
    age,
    price,
)
from graphthb.ingest.normalize.cells import (
    split_multi,
)
from graphthb.ingest.normalize.countries import (
    _fold_name,
    country,
)
from graphthb.ingest.normalize.dates import (
    date_order,
    iso_datetime,
    local_datetime,
)
from graphthb.ingest.normalize.emails import (
    email,
)
from graphthb.ingest.normalize.handles import (
    PHONE_SERVICES,
    SERVICE_ALIASES,
    handle,
)
from graphthb.ingest.normalize.hosts import (
    ascii_host,
)
from graphthb.ingest.normalize.images import (
    image_hash,
)
from graphthb.ingest.normalize.phones import (
    LOOKALIKE_DIGITS,
    _region,
    library_phone_region,
    library_valid_number,
    parse_digits,
    phone,
    phone_region,
    valid_number,
)
from graphthb.ingest.normalize.urls import (
    _extractor,
    _registrable,
    domain,
    url,
)
from graphthb.ingest.normalize.wallets import (
    BECH32_CHARSET,
    BECH32_CONST,
    BECH32M_CONST,
    b58check_payload,
    b58decode,
    bech32_hrp_expand,
    bech32_polymod,
    eip55,
    keccak256,
    keccak_sponge,
    wallet,
)

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
