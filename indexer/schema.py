"""The tantivy schema, and an article's tokens as a tantivy document.

Tokenising happens here in Python, with :mod:`indexer.analysis` (jieba words and
character grams); tantivy receives the tokens joined by spaces and splits them
again with its ``whitespace`` tokenizer, so no analyzer lives inside the index
and the analysis version recorded beside it (see :mod:`indexer.index`) says
everything about how it was cut.

Fields:

* ``title_ng`` / ``body_ng`` (positions): :func:`analysis.gram_sequence`:
  bigrams of each Chinese run, whole Latin/digit words, and the last character
  of each Chinese run right after the run's last bigram (so that a
  one-character query finds it). A clause of one
  Chinese run is a phrase of its bigrams: exact.
* ``title`` / ``body`` (frequencies): the jieba words of
  :func:`analysis.word_counts`, each repeated by its count: BM25 ranking only.
* ``attach`` / ``attach_ng``: the same two for the article's attachments, each
  one's name and text (:func:`indexer.index.attachment_text`), so a query that
  matches only an attachment finds the article.
* ``key``: the article id as a signed 64-bit integer (fast), to read ids of
  many matches without their stored documents; ``id`` (raw) to delete and get.
* ``published`` (seconds since 0001-01-01, :data:`NO_DATE` without a date),
  ``year``, ``department``, ``column``, ``site`` (raw strings, "" for none): fast
  fields for filters, sorting and facet counts; never scored.
* ``stored``: the article's displayed fields as one compact JSON value.

Only this module, :mod:`indexer.index` and :mod:`indexer.search` know tantivy.
"""
from __future__ import annotations

import json
from datetime import datetime

import tantivy

from indexer.analysis import gram_sequence, word_counts

#: Bump when fields change.
SCHEMA_VERSION = "t2"   # t2: attachments (attach, attach_ng)

FACETS = ("department", "year", "column", "site")
TEXT_FIELDS = ("title", "body", "attach")   # each with its gram field, name + "_ng"
NO_DATE = -1               # ``published`` of an article without a date: before every dated one
_EPOCH = datetime(1, 1, 1)
_U64 = 1 << 64


def make_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("key", indexed=True, fast=True)
    sb.add_text_field("id", tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        sb.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
        sb.add_text_field(name + "_ng", tokenizer_name="whitespace", index_option="position")
    sb.add_integer_field("published", indexed=True, fast=True)
    for name in FACETS:
        sb.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_bytes_field("stored", stored=True)
    return sb.build()


def key_of(article_id: str) -> int:
    """The 16 hex digits of an article id as a signed 64-bit integer."""
    v = int(article_id, 16)
    return v - _U64 if v >= _U64 >> 1 else v


def id_of(key: int) -> str:
    return format(key % _U64, "016x")


def seconds(dt: datetime | None) -> int:
    """The ``published`` value of a naive datetime: whole seconds since 0001-01-01."""
    if dt is None:
        return NO_DATE
    d = dt - _EPOCH
    return d.days * 86400 + d.seconds   # whole seconds, no float rounding


def words_text(text: str) -> str:
    """The jieba words of ``text``, each as often as it occurs, joined by spaces."""
    return " ".join(" ".join([w] * c) if c > 1 else w for w, c in word_counts(text).items())


def tokenise(doc: dict) -> dict:
    """A plain, picklable record of everything the tantivy document of ``doc``
    (:func:`indexer.index.to_document`) holds: made in worker processes."""
    return {"key": key_of(doc["id"]), "id": doc["id"], "published": seconds(doc.get("published")),
            "facets": [doc[n] for n in FACETS],
            **{name: words_text(doc.get(name, "")) for name in TEXT_FIELDS},
            **{name + "_ng": " ".join(gram_sequence(doc.get(name, ""))) for name in TEXT_FIELDS},
            "stored": json.dumps(doc["stored"], ensure_ascii=False, separators=(",", ":")).encode("utf-8")}


def to_tantivy(rec: dict) -> tantivy.Document:
    """The record of :func:`tokenise` as a tantivy document."""
    doc = tantivy.Document()
    doc.add_integer("key", rec["key"])
    doc.add_text("id", rec["id"])
    for name in TEXT_FIELDS:
        doc.add_text(name, rec[name])
        doc.add_text(name + "_ng", rec[name + "_ng"])
    doc.add_integer("published", rec["published"])
    for name, value in zip(FACETS, rec["facets"]):
        doc.add_text(name, value)
    doc.add_bytes("stored", rec["stored"])
    return doc


def stored_fields(doc: tantivy.Document) -> dict:
    """The displayed fields of a document read back from the index."""
    return json.loads(doc.get_first("stored"))
