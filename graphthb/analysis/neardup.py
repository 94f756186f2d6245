"""Near-duplicate signals that never compare all pairs.

* Images: perceptual hashes within a Hamming distance (default 10 of 64 bits)
  by multi-index hashing: cut each hash into ``m`` blocks; two hashes within
  distance ``d`` agree to within ``d // m`` bits in at least one block
  (pigeonhole), so only hashes whose block lies within that radius of one
  another are ever compared. Each probe is one vectorised join.
* Text: ad bodies reused from a template, by MinHash signatures of word
  3-grams, banded for locality-sensitive hashing, all as array operations;
  candidate pairs are confirmed by their estimated Jaccard similarity.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import zlib
from collections.abc import Sequence

import numpy as np

__all__ = ["image_pairs", "text_pairs", "minhash", "hamming"]


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bitwise Hamming distance between two uint64 arrays."""
    x = np.bitwise_xor(a, b)
    return np.bitwise_count(x).astype(np.int64) if hasattr(np, "bitwise_count") else _popcount(x)


def _popcount(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.uint64)
    count = np.zeros(x.shape, dtype=np.int64)
    for shift in range(0, 64, 8):
        count += _BYTE_COUNTS[((x >> np.uint64(shift)) & np.uint64(0xFF)).astype(np.int64)]
    return count


_BYTE_COUNTS = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)


def _masks(bits: int, radius: int) -> np.ndarray:
    masks = [0]
    for r in range(1, radius + 1):
        masks.extend(sum(1 << i for i in combo) for combo in itertools.combinations(range(bits), r))
    return np.array(masks, dtype=np.uint64)


#: Up to this many distinct pictures the search is exact at any distance up to
#: 10 bits. Past it, exact search costs grow with the square of the pictures
#: (measured: 44 s for 100,000 random hashes on this project's 2-core machine,
#: from the 16-bit blocks' chance collisions), so the blocks get longer and
#: the search is exact up to 5 bits and finds most, not all, pairs from 6 to 10.
EXACT_MAX_IMAGES = 30_000


def search_plan(n: int, max_distance: int) -> tuple[int, int, int]:
    """Blocks, radius per block, and the distance up to which the search is exact."""
    if n <= EXACT_MAX_IMAGES:
        blocks = 4
        return blocks, max_distance // blocks, max_distance
    blocks, radius = 3, 1
    return blocks, radius, min(max_distance, blocks * (radius + 1) - 1)


def image_pairs(hashes: Sequence[str], max_distance: int = 10) -> np.ndarray:
    """Index pairs ``(i, j)``, ``i < j``, of distinct hex hashes within ``max_distance`` bits.

    Multi-index hashing: the 64 bits are cut into ``blocks``; two hashes within
    ``blocks * (radius + 1) - 1`` bits agree to within ``radius`` bits on at
    least one block (pigeonhole), so only hashes whose blocks are that close
    are compared. :func:`search_plan` says how exact a search of ``n`` is.

    Examples
    --------
    >>> image_pairs(["ffff000000000000", "ffff000000000001", "0123456789abcdef"]).tolist()
    [[0, 1]]
    """
    if len(hashes) < 2 or max_distance <= 0:
        return np.empty((0, 2), dtype=np.int64)
    values = np.array([int(h, 16) for h in hashes], dtype=np.uint64)
    blocks, radius, _ = search_plan(len(values), max_distance)
    widths = [64 // blocks + (1 if b < 64 % blocks else 0) for b in range(blocks)]
    found = []
    shift = 0
    for width in widths:
        part = (values >> np.uint64(shift)) & np.uint64((1 << width) - 1)
        shift += width
        order = np.argsort(part, kind="stable")
        sorted_part = part[order]
        for mask in _masks(width, radius):
            probe = part ^ mask
            lo = np.searchsorted(sorted_part, probe, side="left")
            hi = np.searchsorted(sorted_part, probe, side="right")
            counts = hi - lo
            has = counts > 0
            if not has.any():
                continue
            left = np.repeat(np.nonzero(has)[0], counts[has])
            starts = np.repeat(lo[has], counts[has])
            offsets = np.arange(len(left)) - np.repeat(
                np.cumsum(counts[has]) - counts[has], counts[has]
            )
            right = order[starts + offsets]
            keep = left < right
            if keep.any():
                found.append(np.stack([left[keep], right[keep]], axis=1))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    pairs = np.unique(np.concatenate(found), axis=0)
    close = hamming(values[pairs[:, 0]], values[pairs[:, 1]]) <= max_distance
    return pairs[close]


_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(folded)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: every input bit moves about half the output bits."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


class _Crc(dict[str, int]):
    """Each word's CRC-32, computed once per distinct word."""

    def __missing__(self, word: str) -> int:
        value = self[word] = zlib.crc32(word.encode())
        return value


def _shingles(
    texts: Sequence[str | None], shingle: int, min_words: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Texts kept, where each one's shingle hashes start, and the hashes (uint64).

    A word's hash is its CRC-32 (stable across runs and machines, unlike
    Python's ``hash``); a shingle's hash mixes those of its words in order.
    """
    crc = _Crc()
    kept: list[int] = []
    lengths: list[int] = []
    codes: list[int] = []
    for i, text in enumerate(texts):
        if not isinstance(text, str) or not text:
            continue
        words = _words(text)
        if len(words) < min_words:
            continue
        codes.extend(map(crc.__getitem__, words))
        kept.append(i)
        lengths.append(len(words))
    n_words = np.array(lengths, dtype=np.int64)
    word = np.array(codes, dtype=np.uint64)
    ends = np.cumsum(n_words)
    starts = ends - n_words
    # Shingle k of a text covers words k .. k+shingle-1 of it.
    per_text = n_words - shingle + 1
    first = np.repeat(starts, per_text) + (
        np.arange(int(per_text.sum())) - np.repeat(np.cumsum(per_text) - per_text, per_text)
    )
    h = np.zeros(len(first), dtype=np.uint64)
    for k in range(shingle):
        h = _mix(h ^ word[first + k] ^ np.uint64(k + 1))
    return np.array(kept, dtype=np.int64), np.cumsum(per_text) - per_text, h


def minhash(
    texts: Sequence[str | None], *, shingle: int = 3, num_perm: int = 64, min_words: int = 12,
    seed: int = 1,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """MinHash signatures of the word shingles of each usable text.

    Returns the indices of the texts used and their signatures, one row of
    ``num_perm`` uint32 values each. Permutation ``p`` is the top half of
    ``a_p * shingle + b_p`` (mod 2**64, ``a_p`` odd); the share of rows on
    which two signatures agree estimates the Jaccard similarity of the two
    shingle sets.
    """
    kept, starts, h = _shingles(texts, shingle, min_words)
    sig = np.empty((len(kept), num_perm), dtype=np.uint32)
    if not len(kept):
        return kept, sig
    # Multiply-shift hashing of the (already well mixed) shingle hashes: odd
    # multipliers and offsets drawn from the seed, the top 32 bits kept.
    draw = _mix(np.arange(1, 2 * num_perm + 1, dtype=np.uint64) + np.uint64(seed << 32))
    mult, add = draw[:num_perm] | np.uint64(1), draw[num_perm:]
    for p in range(num_perm):
        hp = ((h * mult[p] + add[p]) >> np.uint64(32)).astype(np.uint32)
        sig[:, p] = np.minimum.reduceat(hp, starts)
    return kept, sig


def text_pairs(
    texts: Sequence[str | None],
    *,
    threshold: float = 0.6,
    shingle: int = 3,
    num_perm: int = 64,
    bands: int = 16,
    min_words: int = 12,
    max_links: int = 8,
    seed: int = 1,
) -> np.ndarray:
    """Index pairs ``(i, j)``, ``i < j``, of texts whose word-shingle Jaccard
    similarity is about ``threshold`` or more.

    Digits are ignored (phone numbers and prices are the slots templates
    change), and texts shorter than ``min_words`` words are skipped: a short
    stock phrase says nothing about who wrote it.

    Locality-sensitive hashing: the signature is cut into ``bands``; texts that
    agree on a whole band share a bucket. Two texts of similarity ``s`` share
    at least one of 16 four-row buckets with probability ``1 - (1 - s**4)**16``
    (0.89 at 0.6, 0.99 at 0.8). Each text is compared only with the first
    ``max_links`` texts of each of its buckets, and a pair counts when the
    signatures agree on at least ``threshold`` of their rows. A text keeps its
    first ``max_links`` matches: enough to tie it to its template's other ads,
    where linking every pair would grow with the square of a template's use.

    Examples
    --------
    >>> base = "hello gentlemen I am a sweet girl waiting for you in my private flat near the station"
    >>> text_pairs([base, base.replace("sweet", "lovely"), "completely different words " * 5]).tolist()
    [[0, 1]]
    """
    kept, sig = minhash(texts, shingle=shingle, num_perm=num_perm, min_words=min_words, seed=seed)
    if len(kept) < 2:
        return np.empty((0, 2), dtype=np.int64)
    rows = num_perm // bands
    found = []
    for b in range(bands):
        band = sig[:, b * rows : (b + 1) * rows].astype(np.uint64)
        key = np.zeros(len(kept), dtype=np.uint64)
        for r in range(rows):
            key = _mix(key ^ band[:, r])
        order = np.argsort(key, kind="stable")  # within a bucket, texts in input order
        sorted_key = key[order]
        starts = np.concatenate([[True], sorted_key[1:] != sorted_key[:-1]])
        pos = np.arange(len(order))
        head = np.maximum.accumulate(np.where(starts, pos, 0))
        # Each text meets the first texts of its bucket, so that a template's
        # ads all tie to the same few.
        for j in range(max_links):
            has = head + j < pos
            if not has.any():
                break
            found.append(np.stack([order[head[has] + j], order[has]], axis=1))
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    both = np.concatenate(found)
    codes = np.sort(both[:, 0] * len(kept) + both[:, 1])
    codes = codes[np.concatenate([[True], codes[1:] != codes[:-1]])]
    cand = np.stack([codes // len(kept), codes % len(kept)], axis=1)
    agree = np.zeros(len(cand), dtype=np.int64)
    for lo in range(0, len(cand), 1_000_000):
        part = cand[lo : lo + 1_000_000]
        agree[lo : lo + len(part)] = (sig[part[:, 0]] == sig[part[:, 1]]).sum(axis=1)
    pairs = cand[agree >= threshold * num_perm]
    # Each text's first max_links matches among the texts before it.
    pairs = pairs[np.lexsort((pairs[:, 0], pairs[:, 1]))]
    rank = np.arange(len(pairs)) - np.searchsorted(pairs[:, 1], pairs[:, 1], side="left")
    pairs = kept[pairs[rank < max_links]]
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
