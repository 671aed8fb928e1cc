"""An article as the search index receives it, for every engine.

Tokenising happens here in Python, with :mod:`indexer.analysis` (jieba words and
character grams); an engine receives the tokens joined by spaces and splits them
again on white space, so no analyzer lives inside any index and the analysis
version recorded beside it (see :mod:`indexer.index`) says everything about how
it was cut.

The fields of a record (:func:`tokenise`):

* ``title_ng`` / ``body_ng`` (positions): :func:`analysis.gram_sequence`:
  bigrams of each Chinese run, whole Latin/digit words, and the last character
  of each Chinese run right after the run's last bigram (so that a
  one-character query finds it). A clause of one Chinese run is a phrase of its
  bigrams: exact.
* ``title`` / ``body`` (frequencies): the jieba words of
  :func:`analysis.word_counts`, each repeated by its count: BM25 ranking only.
* ``attach`` / ``attach_ng``: the same two for the article's attachments, each
  one's name and text (:func:`attachment_text`), so a query that matches only
  an attachment finds the article.
* ``key``: the article id as a signed 64-bit integer; ``id``: the id itself.
* ``published`` (seconds since 0001-01-01, :data:`NO_DATE` without a date) and
  the facets ``year``, ``department``, ``column``, ``site``: for filters,
  sorting and facet counts; never scored. ``facets`` holds a list of values
  for each (``[""]`` for none); only ``column`` (:data:`MULTI_VALUED`) has
  more than one, when a story stands in several columns.
* ``stored``: the article's displayed fields as one compact JSON value, with
  ``sim``, the body's near-duplicate fingerprint (:mod:`indexer.stories`).
* ``fold``: the article's :func:`stories.signature` (its title key's hash and
  that fingerprint) as two unsigned 64-bit numbers, 0 for none: for an engine
  that keeps them in columns, so that folding a page reads no stored document.
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime

from indexer.analysis import gram_sequence, word_counts
from indexer.article import Article
from indexer.ids import article_id
from indexer.stories import fingerprint, signature, to_columns

FACETS = ("department", "year", "column", "site")
#: Facets an article may hold several values of: a story published in several
#: columns is counted, and found by a filter, in each.
MULTI_VALUED = frozenset({"column"})
TEXT_FIELDS = ("title", "body", "attach")   # each with its gram field, name + "_ng"
GRAM_FIELDS = tuple(name + "_ng" for name in TEXT_FIELDS)
VOCABULARY_FIELDS = ("body", "body_ng")   # what "did you mean" draws its words from
NO_DATE = -1               # ``published`` of an article without a date: before every dated one
_EPOCH = datetime(1, 1, 1)
_U64 = 1 << 64

#: Characters of attachment text kept in an article's stored document (for
#: snippets and the check of mixed clauses); all of it is indexed.
STORED_ATTACHMENT_CHARS = 50_000


def key_of(aid: str) -> int:
    """The 16 hex digits of an article id as a signed 64-bit integer."""
    v = int(aid, 16)
    return v - _U64 if v >= _U64 >> 1 else v


def id_of(key: int) -> str:
    return format(key % _U64, "016x")


def seconds(dt: datetime | None) -> int:
    """The ``published`` value of a naive datetime: whole seconds since 0001-01-01."""
    if dt is None:
        return NO_DATE
    d = dt - _EPOCH
    return d.days * 86400 + d.seconds   # whole seconds, no float rounding


def to_document(article: Article) -> dict:
    """What the index keeps of ``article``: the text fields it cuts into tokens,
    the column values it filters and counts on, and the fields a hit displays."""
    published = _parse_published(article.published)
    aid = article_id(article.url)
    attachments = indexed_attachments(article)
    stored = {"id": aid, "url": article.url, "site": article.site,
              "title": article.title, "body": article.body, "published_text": article.published,
              "department": article.department or "", "column": article.column or "",
              "source": article.source}
    if attachments:
        stored["attachments"] = _stored_attachments(attachments)
    return {
        "id": aid,
        "title": article.title,
        "body": article.body,
        "attach": attachment_text(attachments),
        "published": published,
        "year": str(published.year) if published else "",
        "department": article.department or "",
        "column": story_columns(article) or [""],
        "site": article.site,
        "stored": stored,
    }


def story_columns(article: Article) -> list[str]:
    """Every column the article's story stands in, its own first."""
    return list(dict.fromkeys(c for c in [article.column, *article.columns] if c))


def indexed_attachments(article: Article) -> list[tuple[str, str]]:
    """(name, text) of the attachments indexed with ``article``: every one but a
    document shown in place of the text whose text is the body already."""
    return [(a.name or "", a.text or "") for a in article.attachments
            if not (a.embedded and a.text and a.text in article.body)]


def attachment_text(attachments) -> str:
    """The text of the attachments field: each one's name, then its text, a line
    apart (the stored document's ``attachments`` give the same text, cut)."""
    return "\n".join(f"{name}\n{text}" if text else name for name, text in attachments)


def _stored_attachments(attachments: list[tuple[str, str]]) -> list[list[str]]:
    """[name, text] of each, the texts cut to ``STORED_ATTACHMENT_CHARS`` in all."""
    out: list[list[str]] = []
    room = STORED_ATTACHMENT_CHARS
    for name, text in attachments:
        out.append([name, text[:room]])
        room = max(room - len(text), 0)
    return out


def _parse_published(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


def words_text(text: str) -> str:
    """The jieba words of ``text``, each as often as it occurs, joined by spaces."""
    return " ".join(" ".join([w] * c) if c > 1 else w for w, c in word_counts(text).items())


#: the one token of a text field with no text (an article without a body or without
#: attachments): Lucene counts only the documents holding a field for its BM25
#: statistics (the idf's document count, the average length), tantivy and Whoosh every
#: document, so without it the engines' scores part wherever a field is empty. A
#: private-use character: no text of an article nor any query holds it.
EMPTY = "\ue000"


def tokenise(doc: dict) -> dict:
    """A plain, picklable record of everything an engine indexes of ``doc``
    (:func:`to_document`): made in worker processes. The stored document gains
    the body's near-duplicate fingerprint (:func:`stories.fingerprint`) of its grams."""
    grams = {name: gram_sequence(doc.get(name, "")) for name in TEXT_FIELDS}
    stored = doc["stored"]
    sim = fingerprint(Counter(grams["body"]))
    if sim is not None:
        stored = {**stored, "sim": sim}
    return {"key": key_of(doc["id"]), "id": doc["id"], "published": seconds(doc.get("published")),
            "fold": to_columns(signature(stored)),
            "facets": [doc[n] if isinstance(doc[n], list) else [doc[n]] for n in FACETS],
            **{name: words_text(doc.get(name, "")) or EMPTY for name in TEXT_FIELDS},
            **{name + "_ng": " ".join(grams[name]) or EMPTY for name in TEXT_FIELDS},
            "stored": json.dumps(stored, ensure_ascii=False, separators=(",", ":")).encode("utf-8")}


def record(article: Article) -> dict:
    """The record of ``article``."""
    return tokenise(to_document(article))


def stored_fields(raw: bytes | str) -> dict:
    """The displayed fields of a record's ``stored`` value."""
    return json.loads(raw)


def stored_text(fields: dict, field: str) -> str:
    """The stored text a bigram field was cut from (an article's attachments: as
    much of their text as the stored document keeps)."""
    if field == "attach_ng":
        return attachment_text([(name, text) for name, text in fields.get("attachments") or ()])
    return fields.get(field[:-3], "")
