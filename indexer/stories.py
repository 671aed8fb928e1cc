"""Near-duplicate stories: the same notice republished every year, the same story
in several columns or by several colleges with a line changed.

Exact reposts are merged in the store (:mod:`indexer.store`, one article with all
its URLs). What is left is *near*: articles with the same title, or whose text
differs by a few words. Each article's text gets a 64-bit SimHash when it is
indexed (over the character bigrams the index is cut into, weighted by their
counts: steadier than words on texts of a few hundred characters), kept in its
stored document; a page of results then folds the
articles whose titles are the same, or whose fingerprints differ in at most
:data:`MAX_DISTANCE` bits, under the best-ranked one.

On 593 articles of a college site's copy, pairs of fingerprints 0–8 bits apart
were reposts and the same notice of another year (创新学分的通知 of 2017 and
2018, 复试细则 of 2018 and 2019), and unrelated articles stood 11 bits apart and
more (most pairs 20 and more).
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from hashlib import blake2b, md5

import numpy as np

MAX_DISTANCE = 6      # bits two fingerprints may differ by and still be one story (at most 7: bands)
MIN_GRAMS = 40        # distinct grams a text needs before its fingerprint means anything
MAX_WEIGHT = 255      # a gram's weight is capped here (the ``simhash`` library's limit, kept)
MIN_TITLE = 6         # characters a title needs before equal titles mean one story
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def fingerprint(grams: Mapping[str, int]) -> str | None:
    """The SimHash of a text's grams (``{gram: count}``, :func:`analysis.gram_sequence`)
    as 16 hex digits; None for a text too short to tell stories apart by.

    The ``simhash`` library's fingerprint (``Simhash(features, f=64)``: each
    gram's MD5, its last 8 bytes as 64 bits; a bit is set where the grams having
    it outweigh half the total weight), the same value bit for bit, computed as
    one matrix product instead of the library's Python loop over the grams: a
    tokenising worker spent a sixth of its time in that loop
    (``tests/test_stories.py`` holds the two equal)."""
    if len(grams) < MIN_GRAMS:
        return None
    weights = np.fromiter((min(c, MAX_WEIGHT) for c in grams.values()), dtype=np.int64, count=len(grams))
    digests = b"".join([md5(g.encode("utf-8")).digest()[8:] for g in grams])
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(-1, 8), axis=1)
    heavy = (weights @ bits) * 2 > int(weights.sum())
    return np.packbits(heavy).tobytes().hex()


def title_key(title: str | None) -> str | None:
    """A title without spaces and punctuation; None when too short to say
    anything (``通知``)."""
    key = _PUNCT.sub("", (title or "")).lower()
    return key if len(key) >= MIN_TITLE else None


#: (title key hash, fingerprint) of one article: what :func:`fold` compares
Signature = tuple[int | None, int | None]


def title_hash(title: str | None) -> int | None:
    """:func:`title_key` as a nonzero 64-bit number (None without a key): equal
    keys, equal numbers; an engine keeps it in a column beside the fingerprint."""
    key = title_key(title)
    if key is None:
        return None
    return int.from_bytes(blake2b(key.encode("utf-8"), digest_size=8).digest(), "big") or 1


def similar(a: Signature, b: Signature) -> bool:
    """Whether two signatures are one story."""
    if a[0] is not None and a[0] == b[0]:
        return True
    return a[1] is not None and b[1] is not None and (a[1] ^ b[1]).bit_count() <= MAX_DISTANCE


def signature(fields: Mapping) -> Signature:
    """The signature of a stored document (an index built before fingerprints
    folds by its title only)."""
    sim = fields.get("sim")
    return title_hash(fields.get("title")), (int(sim, 16) if sim else None)


def to_columns(sig: Signature) -> tuple[int, int]:
    """A signature as two unsigned 64-bit column values, 0 for none (a
    fingerprint of 64 clear bits is read as none: every bit outweighed)."""
    return sig[0] or 0, sig[1] or 0


def from_columns(tkey: int | None, sim: int | None) -> Signature:
    return tkey or None, sim or None


def fold(signatures: Sequence[Signature]) -> list[list[int]]:
    """Groups of positions in ranked order: each group led by its best-ranked
    member, groups ordered by their leaders. Similarity joins groups through any
    member (the 2023 and 2024 notices join through the 2024 repost of 2023's)."""
    parent = list(range(len(signatures)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_title: dict[int, int] = {}
    # fingerprints within MAX_DISTANCE (≤ 7) bits agree on one of their eight 8-bit
    # bands at least: only those sharing a band are compared
    bands: dict[tuple[int, int], list[int]] = {}
    for i, (tkey, sim) in enumerate(signatures):
        if tkey is not None:
            if tkey in by_title:
                _join(parent, root, by_title[tkey], i)
            else:
                by_title[tkey] = i
        if sim is None:
            continue
        seen: set[int] = set()
        for band in range(8):
            bucket = bands.setdefault((band, (sim >> (8 * band)) & 0xFF), [])
            for j in bucket:
                if j not in seen:
                    seen.add(j)
                    if (sim ^ signatures[j][1]).bit_count() <= MAX_DISTANCE:   # type: ignore[operator]
                        _join(parent, root, j, i)
            bucket.append(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(signatures)):
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def _join(parent: list[int], root, a: int, b: int) -> None:
    ra, rb = root(a), root(b)
    if ra != rb:
        parent[max(ra, rb)] = min(ra, rb)   # the better-ranked one leads
