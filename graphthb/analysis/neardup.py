"""Near-duplicate signals that never compare all pairs.

* Images: perceptual hashes within a Hamming distance (default 10 of 64 bits)
  by multi-index hashing: cut each hash into ``m`` blocks; two hashes within
  distance ``d`` agree to within ``d // m`` bits in at least one block
  (pigeonhole), so only hashes whose block lies within that radius of one
  another are ever compared. Each probe is one vectorised join.
* Text: ad bodies reused from a template, by MinHash signatures banded into an
  LSH index (``datasketch``); candidate pairs are confirmed by their estimated
  Jaccard similarity.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Sequence

import numpy as np

__all__ = ["image_pairs", "text_pairs", "hamming"]


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


def text_pairs(
    texts: Sequence[str | None],
    *,
    threshold: float = 0.6,
    shingle: int = 3,
    num_perm: int = 64,
    min_words: int = 12,
    max_links: int = 8,
    seed: int = 1,
) -> np.ndarray:
    """Index pairs of texts whose word-shingle Jaccard similarity is about ``threshold`` or more.

    Digits are ignored (phone numbers and prices are the slots templates
    change), and texts shorter than ``min_words`` words are skipped: a short
    stock phrase says nothing about who wrote it.
    """
    from datasketch import MinHash, MinHashLSH

    shingled: list[tuple[int, list[bytes]]] = []
    for i, text in enumerate(texts):
        if not isinstance(text, str) or not text:
            continue
        words = _words(text)
        if len(words) < min_words:
            continue
        grams = {" ".join(words[k : k + shingle]).encode() for k in range(len(words) - shingle + 1)}
        shingled.append((i, sorted(grams)))
    if len(shingled) < 2:
        return np.empty((0, 2), dtype=np.int64)
    signatures = MinHash.bulk([g for _, g in shingled], num_perm=num_perm, seed=seed)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    by_index = {}
    pairs = []
    for (i, _), sig in zip(shingled, signatures, strict=True):
        # A few confirmed matches per text are enough to tie it to its template's
        # ads; linking every pair would grow with the square of a template's use.
        linked = 0
        for j in sorted(lsh.query(sig)):
            if sig.jaccard(by_index[j]) >= threshold:
                pairs.append((j, i))
                linked += 1
                if linked >= max_links:
                    break
        lsh.insert(i, sig)
        by_index[i] = sig
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.array(pairs, dtype=np.int64), axis=0)
