"""Bitcoin, Ethereum and TRON addresses whose checksum holds (:func:`wallet`), with
the checksums they need: base58check, bech32/bech32m, Keccak-256 and EIP-55."""

from __future__ import annotations

import hashlib
import re
from typing import Any

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
