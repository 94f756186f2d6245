"""Near-duplicate signals that never compare all pairs.

* Images: perceptual hashes within a Hamming distance (default 10 of 64 bits)
  by multi-index hashing: cut each hash into ``m`` blocks; two hashes within
  distance ``d`` agree to within ``d // m`` bits in at least one block
  (pigeonhole), so only hashes whose block lies within that radius of one
  another are ever compared. Each probe is one vectorised join.
* Text: ad bodies reused from a template, by MinHash signatures of word
  3-grams, banded for locality-sensitive hashing, all as array operations;
  candidate pairs are confirmed by their exact Jaccard similarity.
"""

from __future__ import annotations

import itertools
import os
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["image_pairs", "text_pairs", "jaccard", "minhash", "hamming", "sorted_unique"]


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


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` for integers, by sorting.

    NumPy 2's ``unique`` goes through a hash table, which for tens of millions
    of scattered integers runs many times slower than a sort (measured here:
    29 s against 0.4 s for 19 million).
    """
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]


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
    n = len(values)
    blocks, radius, _ = search_plan(n, max_distance)
    widths = [64 // blocks + (1 if b < 64 % blocks else 0) for b in range(blocks)]
    found = []
    shift = 0
    for width in widths:
        part = ((values >> np.uint64(shift)) & np.uint64((1 << width) - 1)).astype(np.int64)
        shift += width
        # Hashes sorted by this block, and where each block value's run starts:
        # a table of 2**width entries (at most 4 MB of counts for 22 bits).
        order = np.argsort(part, kind="stable")
        counts = np.bincount(part, minlength=1 << width)
        first = np.cumsum(counts) - counts
        for mask in _masks(width, radius).astype(np.int64):
            probe = part ^ mask
            per = counts[probe]
            has = np.nonzero(per)[0]
            if not len(has):
                continue
            per = per[has]
            left = np.repeat(has, per)
            offsets = np.arange(len(left)) - np.repeat(np.cumsum(per) - per, per)
            right = order[np.repeat(first[probe[has]], per) + offsets]
            keep = left < right
            left, right = left[keep], right[keep]
            # Check the whole hash at once: most block matches are chance.
            close = hamming(values[left], values[right]) <= max_distance
            if close.any():
                found.append(left[close] * n + right[close])
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    codes = sorted_unique(np.concatenate(found))
    return np.stack([codes // n, codes % n], axis=1)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: every input bit moves about half the output bits."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


_LETTERS: np.ndarray | None = None


def _letters() -> np.ndarray:
    """For every Unicode code point, whether it is a letter in the sense of the
    regular expression ``[^\\W\\d_]``: alphanumeric, but not a decimal digit
    (so ``é`` and ``ß`` are letters, ``7`` and ``_`` are not). Built once."""
    global _LETTERS
    if _LETTERS is None:
        _LETTERS = np.fromiter(
            (c.isalnum() and not c.isdecimal() for c in map(chr, range(0x110000))),
            dtype=bool,
            count=0x110000,
        )
    return _LETTERS


def _fold(text: str) -> str:
    """Case- and compatibility-folded text (``ﬁ`` is ``fi``, ``Ä`` is ``ä``)."""
    return text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()


def _word_hashes(folded: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """How many words each text has, and each word's 64-bit hash, in order.

    A word is a run of two or more letters (see :func:`_letters`); digits,
    punctuation and symbols separate words. All texts are read at once as one
    array of code points; a word's hash sums its letters, each mixed with its
    place in the word, so it is the same on every run and machine.
    """
    if not folded:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    # "\n" is not a letter, so no word runs from one text into the next.
    joined = "\n".join(folded).encode("utf-32-le", "surrogatepass")
    points = np.frombuffer(joined, dtype=np.uint32)
    lengths = np.fromiter(map(len, folded), dtype=np.int64, count=len(folded)) + 1
    text_start = np.cumsum(lengths) - lengths
    at = np.flatnonzero(_letters()[points])
    if not len(at):
        return np.zeros(len(folded), dtype=np.int64), np.zeros(0, dtype=np.uint64)
    starts_word = np.ones(len(at), dtype=bool)
    starts_word[1:] = at[1:] != at[:-1] + 1
    first = np.flatnonzero(starts_word)
    size = np.diff(np.append(first, len(at)))
    place = (np.arange(len(at)) - np.repeat(first, size)).astype(np.uint64)
    letter = _mix(points[at].astype(np.uint64) | (place << np.uint64(32)))
    h = _mix(np.add.reduceat(letter, first))
    long = size >= 2
    text = np.searchsorted(text_start, at[first[long]], side="right") - 1
    return np.bincount(text, minlength=len(folded)), h[long]


def _shingles(
    texts: Sequence[str | None], shingle: int, min_words: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Texts kept, where each one's shingle hashes start, and the hashes (uint64).

    Shingle ``k`` of a text covers its words ``k .. k + shingle - 1``; its hash
    mixes those words' hashes in order. Texts of fewer than ``min_words``
    words are left out.
    """
    present = [i for i, t in enumerate(texts) if isinstance(t, str) and t]
    n_words, word = _word_hashes([_fold(texts[i]) for i in present])
    starts = np.cumsum(n_words) - n_words
    use = n_words >= max(min_words, shingle)
    kept = np.array(present, dtype=np.int64)[use]
    n_words, starts = n_words[use], starts[use]
    per_text = n_words - shingle + 1
    first = np.repeat(starts, per_text) + (
        np.arange(int(per_text.sum())) - np.repeat(np.cumsum(per_text) - per_text, per_text)
    )
    h = np.zeros(len(first), dtype=np.uint64)
    for k in range(shingle):
        h = _mix(h ^ word[first + k] ^ np.uint64(k + 1))
    return kept, np.cumsum(per_text) - per_text, h


#: Texts tokenised together (a few megabytes of code points), and texts whose
#: shingles are run through all the permutations together (a block that stays
#: in the processor's cache).
_READ_TEXTS = 10_000
_SIGN_TEXTS = 64


def _signatures(h: np.ndarray, starts: np.ndarray, mult: np.ndarray, add: np.ndarray) -> np.ndarray:
    """Each text's minimum of ``(mult * h + add) mod 2**64`` per permutation, top 32 bits."""
    sig = np.empty((len(mult), len(starts)), dtype=np.uint32)
    ends = np.append(starts[1:], len(h))
    for lo in range(0, len(starts), _SIGN_TEXTS):
        hi = min(lo + _SIGN_TEXTS, len(starts))
        # One row per permutation, so that each minimum runs along contiguous memory.
        block = np.multiply.outer(mult, h[starts[lo] : ends[hi - 1]])
        block += add[:, None]
        # The top half of the smallest value is the smallest top half.
        low = np.minimum.reduceat(block, starts[lo:hi] - starts[lo], axis=1)
        sig[:, lo:hi] = low >> np.uint64(32)
    return np.ascontiguousarray(sig.T)


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
    # Multiply-shift hashing of the (already well mixed) shingle hashes: odd
    # multipliers and offsets drawn from the seed, the top 32 bits kept.
    draw = _mix(np.arange(1, 2 * num_perm + 1, dtype=np.uint64) + np.uint64(seed << 32))
    mult, add = draw[:num_perm] | np.uint64(1), draw[num_perm:]

    def part(lo: int) -> tuple[np.ndarray, np.ndarray]:
        kept, starts, h = _shingles(texts[lo : lo + _READ_TEXTS], shingle, min_words)
        return kept + lo, _signatures(h, starts, mult, add)

    # Array operations let go of the interpreter lock, so two threads keep two
    # cores busy; results come back in input order either way.
    with ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, 4)) as pool:
        parts = list(pool.map(part, range(0, len(texts), _READ_TEXTS)))
    kept_parts = [np.zeros(0, dtype=np.int64), *(p[0] for p in parts)]
    sig_parts = [np.zeros((0, num_perm), dtype=np.uint32), *(p[1] for p in parts)]
    return np.concatenate(kept_parts), np.concatenate(sig_parts)


#: Candidates are taken from the MinHash estimate down to this much under the
#: threshold, then judged on their exact similarity.
ESTIMATE_SLACK = 0.05
#: Pairs whose shingle sets are intersected at once.
_JACCARD_PAIRS = 20_000


def jaccard(
    texts: Sequence[str | None],
    first: np.ndarray,
    second: np.ndarray,
    *,
    shingle: int = 3,
    min_words: int = 12,
) -> np.ndarray:
    """Exact Jaccard similarity of the word-shingle sets of the text pairs
    ``(first[k], second[k])`` (texts too short to have shingles give 0).

    Each text's distinct shingles are sorted once, coded with the text's
    number; a pair's intersection is found by looking the smaller set's codes
    up in the other text's, all pairs of a block at once.

    Examples
    --------
    >>> a = "one two three four five six seven eight nine ten eleven twelve"
    >>> b = a.replace("twelve", "thirteen")
    >>> jaccard([a, b], np.array([0]), np.array([1])).round(3).tolist()  # 9 of 11 shingles
    [0.818]
    """
    out = np.zeros(len(first), dtype=float)
    if not len(first):
        return out
    involved = sorted_unique(np.concatenate([first, second]))
    kept, starts, h = _shingles([texts[i] for i in involved], shingle, min_words)
    if not len(kept):
        return out
    owner = np.repeat(kept, np.diff(np.append(starts, len(h)))).astype(np.uint64)
    # One sortable code per (text, shingle): the text's number in the high bits,
    # the shingle hash's top bits below it. Two different shingles of one pair
    # of texts share those bits with a chance of one in 2**40 or less.
    text_bits = max(1, int(len(involved)).bit_length())
    hash_bits = np.uint64(63 - text_bits)
    codes = sorted_unique(
        ((owner << hash_bits) | (h >> np.uint64(64 - int(hash_bits)))).astype(np.int64)
    )
    width = np.int64(1) << np.int64(hash_bits)
    per_text = np.bincount(codes >> np.int64(hash_bits), minlength=len(involved))
    begins = np.cumsum(per_text) - per_text
    a = np.searchsorted(involved, first)
    b = np.searchsorted(involved, second)
    small = np.where(per_text[a] <= per_text[b], a, b)
    large = np.where(per_text[a] <= per_text[b], b, a)
    for lo in range(0, len(first), _JACCARD_PAIRS):
        hi = min(lo + _JACCARD_PAIRS, len(first))
        n = per_text[small[lo:hi]]
        pair = np.repeat(np.arange(lo, hi), n)
        offset = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        mine = codes[begins[small[pair]] + offset]
        probe = (large[pair].astype(np.int64) << np.int64(hash_bits)) | (mine & (width - 1))
        at = np.minimum(np.searchsorted(codes, probe), len(codes) - 1)
        shared = np.bincount(pair - lo, weights=codes[at] == probe, minlength=hi - lo)
        union = per_text[a[lo:hi]] + per_text[b[lo:hi]] - shared
        out[lo:hi] = np.where(union > 0, shared / np.maximum(union, 1), 0.0)
    return out


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
    ``max_links`` texts of each of its buckets; a pair whose signatures agree
    on nearly ``threshold`` of their rows (``ESTIMATE_SLACK`` below) is a
    candidate, and it counts when its exact shingle Jaccard similarity
    (:func:`jaccard`) is at least ``threshold``. A text keeps its
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
    n = len(kept)

    def band_pairs(b: int) -> list[np.ndarray]:
        band = sig[:, b * rows : (b + 1) * rows].astype(np.uint64)
        key = np.zeros(n, dtype=np.uint64)
        for r in range(rows):
            key = _mix(key ^ band[:, r])
        order = np.argsort(key, kind="stable")  # within a bucket, texts in input order
        sorted_key = key[order]
        starts = np.concatenate([[True], sorted_key[1:] != sorted_key[:-1]])
        pos = np.arange(n)
        head = np.maximum.accumulate(np.where(starts, pos, 0))
        # Each text meets the first texts of its bucket, so that a template's
        # ads all tie to the same few. A pair is coded later * n + earlier.
        found = []
        for j in range(max_links):
            has = head + j < pos
            if not has.any():
                break
            found.append(order[has] * n + order[head[has] + j])
        return found

    workers = min(os.cpu_count() or 1, 4)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        found = [c for part in pool.map(band_pairs, range(bands)) for c in part]
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    codes = sorted_unique(np.concatenate(found))
    later, earlier = codes // n, codes % n
    agree = np.zeros(len(codes), dtype=np.int64)

    def verify(lo: int, hi: int) -> None:
        # A few thousand pairs at a time: both sides' signatures stay in cache.
        for at in range(lo, hi, 16_384):
            end = min(at + 16_384, hi)
            agree[at:end] = np.count_nonzero(sig[later[at:end]] == sig[earlier[at:end]], axis=1)

    cuts = np.linspace(0, len(codes), workers + 1).astype(np.int64).tolist()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(verify, cuts[:-1], cuts[1:]))
    # The signatures' estimate only picks candidates (a little below the
    # threshold, so that few true pairs are lost to its noise); each
    # candidate is then kept on its exact similarity.
    match = agree >= (threshold - ESTIMATE_SLACK) * num_perm
    later, earlier = later[match], earlier[match]
    exact = jaccard(texts, kept[earlier], kept[later], shingle=shingle, min_words=min_words)
    match = exact >= threshold
    later, earlier = later[match], earlier[match]
    # Each text's first max_links matches among the texts before it (the
    # codes are sorted by the later text, then by the earlier one).
    rank = np.arange(len(later)) - np.searchsorted(later, later, side="left")
    first, second = kept[earlier[rank < max_links]], kept[later[rank < max_links]]
    by_pair = np.argsort(first * len(texts) + second)
    return np.stack([first[by_pair], second[by_pair]], axis=1)
