"""A term's postings read a block at a time: Whoosh's W3 codec keeps each block's
document numbers and weights as arrays, and reading them whole is much cheaper than
a call per posting."""
from __future__ import annotations

from itertools import accumulate

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound


def postings_blocks(reader, field: str, text: str):
    """(ids, weights) of a term's postings in one segment, block by block
    (Whoosh's W3 codec keeps them as arrays per block; reading them whole is
    much cheaper than a call per posting), deleted documents left out."""
    try:
        m = reader.postings(field, text)
    except TermNotFound:
        return
    deleted = reader.deleted_docs_set if reader.has_deletions() else None
    leaf = m.child if isinstance(m, FilterMatcher) else m
    if isinstance(leaf, W3LeafMatcher):
        while leaf.is_active():
            ids, weights = block_ids(leaf), block_weights(leaf)
            if deleted:
                kept = [(d, w) for d, w in zip(ids, weights) if d not in deleted]
                ids, weights = [d for d, _ in kept], [w for _, w in kept]
            yield ids, weights
            leaf._next_block()
        return
    ids, weights = [], []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        m.next()
    yield ids, weights


def block_ids(leaf: W3LeafMatcher):
    """The document numbers of the leaf's current block, the deltas Whoosh stores
    summed in C (its own ``_read_ids`` sums them in a Python generator)."""
    if leaf._data is None:
        leaf._read_data()
    ids = leaf._data[0]
    return ids if leaf._byteids else list(accumulate(ids))


def block_weights(leaf: W3LeafMatcher):
    """The weights of the leaf's current block (one value for the whole block when
    Whoosh stored them so)."""
    if leaf._data is None:
        leaf._read_data()
    weights = leaf._data[1]
    if weights is None or isinstance(weights, float):
        return [1.0 if weights is None else weights] * leaf._blocklength
    return weights
