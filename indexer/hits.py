"""A stored document as the records of :mod:`indexer.results`: a hit with its
highlighted title and snippet, or the article for the snapshot page. Plain
dictionaries in, plain records out; every engine's hits are made here."""
from __future__ import annotations

from indexer import highlight
from indexer.results import FacetValue, Hit, StoredArticle


def hit(fields: dict, score: float, needles: list[str]) -> Hit:
    title = fields.get("title", "")
    body = fields.get("body", "")
    snippet_html, attachment = snippet(body, fields.get("attachments") or (), needles)
    return Hit(
        id=fields["id"], url=fields["url"], site=fields.get("site", ""), title=title,
        title_html=highlight.highlight(title, needles),
        snippet_html=snippet_html,
        published=fields.get("published_text"), department=fields.get("department") or None,
        column=fields.get("column") or None, source=fields.get("source"), score=float(score),
        attachment=attachment,
    )


def snippet(body: str, attachments, needles: list[str]) -> tuple[str, str | None]:
    """The hit's snippet, and the name of the attachment it comes from: the body's
    best passage, unless the body has no match and an attachment has (in its name
    or its text): then the attachment with the most distinct query words, its
    text's best passage (none when it has no text, only its name matched)."""
    if not needles or not attachments or highlight.find_spans(body, needles):
        return highlight.snippet(body, needles), None
    best, most = None, 0
    for name, text in attachments:
        spans = highlight.find_spans(text, needles) + highlight.find_spans(name, needles)
        distinct = len({k for _, _, k in spans})
        if distinct > most:
            best, most = (name, text), distinct
    if best is None:
        return highlight.snippet(body, needles), None
    name, text = best
    return highlight.snippet(text, needles), name


def stored_article(fields: dict) -> StoredArticle:
    return StoredArticle(
        id=fields["id"], url=fields["url"], site=fields.get("site", ""), title=fields.get("title", ""),
        body=fields.get("body", ""), published=fields.get("published_text"),
        department=fields.get("department") or None, column=fields.get("column") or None,
        source=fields.get("source"))


def facet_values(name: str, counts: dict) -> list[FacetValue]:
    """A facet's values in the order the page lists them: years newest first,
    the others by count (then by name, "no value" last)."""
    values = [FacetValue(value=(k or None), count=int(v)) for k, v in counts.items() if v]
    if name == "year":
        values.sort(key=lambda fv: fv.value or "", reverse=True)
    else:
        values.sort(key=lambda fv: (-fv.count, fv.value is None, fv.value or ""))
    return values
