"""The cluster index: its settings, its mapping for tokens that arrive cut,
and the document a record becomes."""
from __future__ import annotations

import json

from indexer.documents import FACETS, GRAM_FIELDS, MULTI_VALUED, TEXT_FIELDS
from indexer.engines.opensearch.settings import Settings

PAGE = 10_000            # hits a search returns at most (the index's max_result_window)
TOKEN_FIELDS = TEXT_FIELDS + GRAM_FIELDS


def index_settings(s: Settings) -> dict:
    return {
        "number_of_shards": s.shards,
        "number_of_replicas": s.replicas,
        "refresh_interval": "-1",          # visible at a commit only
        "max_result_window": PAGE,
        "analysis": {
            # the tokens arrive cut and never hold white space; Lucene's whitespace
            # tokenizer would cut a token longer than 255 characters
            "tokenizer": {"cut": {"type": "whitespace", "max_token_length": 16383}},
            "analyzer": {"cut": {"type": "custom", "tokenizer": "cut"}},
        },
    }


def mapping() -> dict:
    props: dict = {
        "key": {"type": "long"},
        "id": {"type": "keyword"},
        "published": {"type": "long"},
        "stored": {"type": "object", "enabled": False},
        # the fold signature (indexer.stories), read as doc values: not searched
        "tkey": {"type": "long", "index": False},
        "sim": {"type": "long", "index": False},
    }
    for name in TEXT_FIELDS:
        # fielddata: the vocabulary of "did you mean" (loaded only when asked for)
        props[name] = {"type": "text", "analyzer": "cut", "index_options": "freqs", "fielddata": True}
        props[name + "_ng"] = {"type": "text", "analyzer": "cut", "index_options": "positions",
                               "fielddata": True}
    for name in FACETS:
        props[name] = {"type": "keyword", "eager_global_ordinals": True}
    return {"dynamic": "strict", "_source": {"excludes": list(TOKEN_FIELDS)}, "properties": props}


def signed(v: int) -> int:
    """An unsigned 64-bit column value as the signed ``long`` OpenSearch keeps."""
    return v - (1 << 64) if v >= 1 << 63 else v


def unsigned(v: int | None) -> int:
    return 0 if v is None else int(v) & ((1 << 64) - 1)


def to_source(rec: dict) -> dict:
    tkey, sim = rec["fold"]
    doc = {"key": rec["key"], "id": rec["id"], "published": rec["published"],
           "stored": json.loads(rec["stored"]), "tkey": signed(tkey), "sim": signed(sim)}
    for name in TOKEN_FIELDS:
        doc[name] = rec[name]
    for name, values in zip(FACETS, rec["facets"]):
        doc[name] = list(values) if name in MULTI_VALUED or len(values) != 1 else values[0]
    return doc

