"""相关搜索: a few searches related to the one on the page, offered under its results
(and as ``related`` in the JSON API).

First what other readers searched (:mod:`webui.querylog`), only queries popular by
the rule of the other suggestions (``SUGGEST_MIN_COUNT`` searches by
``SUGGEST_MIN_CLIENTS`` readers, whose latest search found something), so that one
reader cannot plant one:

* what the readers who searched this query today searched too, counted by those
  readers (each once), at least ``SUGGEST_MIN_CLIENTS`` of them (the log keeps
  readers' keys for the current day only, so this looks at today alone);
* popular queries that share a word with it (``华中数控`` for ``数控``).

Then, when that makes fewer than :data:`LIMIT`, the query with a word of the titles
of the hits in hand that it does not hold (``产教融合 共同体``), most frequent first:
each finds at least the hits whose titles hold it.

Nothing here runs a search: the popular queries are read from the log once every
:data:`POOL_SECONDS` (and cut into words once), the co-searched ones are one indexed
look-up in today's part of the log, the titles are those of the page.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from flask import current_app

from indexer.analysis import normalise as fold
from indexer.analysis import query_words, word_tokens
from indexer.querylang import parse
from indexer.results import MAX_QUERY_CHARS, SearchResults
from webui import search_view
from webui.params import SearchParams, new_query
from webui.querylog import QueryLog
from webui.querylog import normalise as log_text

#: how many related searches at most
LIMIT = 8
#: popular queries looked at for shared words (the most searched, by readers)
POOL = 1000
#: seconds the popular queries are kept before they are read again
POOL_SECONDS = 300.0
#: the days of the log the popular queries come from
POOL_DAYS = 90

#: words of news titles too common to make a search more precise
COMMON = frozenset("""
学校 我校 本校 全校 学院 我院 二级学院 工作 活动 会议 大会 通知 公告 关于 有关 情况 工作会
召开 举办 举行 开展 进行 推进 推动 获批 成立 通过 参加 参与 组织 完成 发布 启动 走访 迎来 投入
使用 部署 签订 顺利 成功 圆满 积极 深入 扎实 全面 加强 做好 落实 开幕 闭幕 来校 我们
年度 新学期 学期 第一 一批 首批 系列 专题 重要 主题 全国 全省
""".split())


def _meaningful(word: str) -> bool:
    """A word worth offering or matching: two or more characters, not a number, not common."""
    return len(word) >= 2 and not word.isdigit() and word not in COMMON \
        and not word.replace(".", "").replace("-", "").isdigit()


def words(text: str) -> set[str]:
    """The words of a query that relate it to others: each of its (positive) terms
    whole, and their jieba words, normalised, common ones left out."""
    out: set[str] = set()
    for needle in parse(text[:MAX_QUERY_CHARS]).needles():
        out.update(w for w in [needle, *query_words(needle)] if _meaningful(w))
    return out


class _Pool:
    """The popular queries, each with its words, read again every POOL_SECONDS."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[float, tuple, list[tuple[str, set[str]]]] | None = None

    def get(self, qlog: QueryLog, rule: dict[str, int]) -> list[tuple[str, set[str]]]:
        key = (id(qlog), tuple(sorted(rule.items())))

        def fresh(entry) -> bool:   # (when it was read, key, pool)
            return entry is not None and entry[1] == key and time.monotonic() - entry[0] < POOL_SECONDS

        entry = self._entry
        if fresh(entry):
            return entry[2]
        with self._lock:
            entry = self._entry
            if fresh(entry):
                return entry[2]
            read = time.monotonic()
            pool = [(text, words(text)) for text in qlog.trending(limit=POOL, days=POOL_DAYS, **rule)]
            self._entry = (read, key, pool)
            return pool


def _pool() -> _Pool:
    pool = current_app.extensions.get("news_related_pool")
    if pool is None:
        pool = current_app.extensions.setdefault("news_related_pool", _Pool())
    return pool


def from_log(text: str, limit: int = LIMIT) -> list[str]:
    """Popular queries related to ``text`` by the readers who searched it today,
    then by a shared word; the most searched first."""
    qlog = search_view.query_log()
    if qlog is None or limit <= 0:
        return []
    rule = search_view.popularity()
    out = [t for t, _ in qlog.co_searched(text, limit=limit, days=POOL_DAYS, **rule)]
    popular = _pool().get(qlog, rule)
    mine = words(text)
    if mine:
        out += [t for t, theirs in popular if _share(mine, theirs)]
    return out


def _share(mine: set[str], theirs: set[str]) -> bool:
    """A word of one is, or is part of, a word of the other (数控, 华中数控)."""
    return any(a in b or b in a for a in mine for b in theirs)


def from_titles(base: str, titles: list[str], limit: int = LIMIT) -> list[str]:
    """``base`` with a word of ``titles`` it does not hold: the words in most titles
    first, the longer of equally frequent ones first."""
    if limit <= 0 or not base.strip():
        return []
    held = fold(base)
    terms = parse(base[:MAX_QUERY_CHARS]).needles()
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}    # a word as the first title that holds it writes it (ICT, not ict)
    for title in titles:
        seen: set[str] = set()
        for tok in word_tokens(title):
            word = tok.text
            # not a word of the query, nor one that holds a term of it
            if word in seen or not _meaningful(word) or word in held or any(t in word for t in terms):
                continue
            seen.add(word)
            counts[word] += 1
            shown.setdefault(word, title[tok.start:tok.end])
    order = {w: n for n, w in enumerate(shown)}
    ranked = sorted(counts, key=lambda w: (-counts[w], -len(w), order[w]))
    return [f"{base} {shown[w]}" for w in ranked[:limit]]


def searches(results: SearchResults, limit: int = LIMIT) -> list[str]:
    """The related searches of ``results``, at most ``limit``: none for one story's
    list (``near``) or a search without words."""
    query = results.query
    text = (query.text or "").strip()
    if query.near or not text:
        return []
    skip = {log_text(text)} | ({log_text(results.corrected_from)} if results.corrected_from else set())
    out: list[str] = []

    def add(candidates: list[str]) -> None:
        for c in candidates:
            key = log_text(c)
            if key not in skip and len(out) < limit:
                skip.add(key)
                out.append(c)

    add(from_log(text, limit))
    if len(out) < limit and results.hits and not results.partial:
        add(from_titles(text, [h.title for h in results.hits], limit))
    return out


def context(sp: SearchParams, results: SearchResults, shown: tuple[str, ...] | list[str] = ()) -> dict[str, Any]:
    """What search.html needs: ``related``, (text, url) pairs, each a new search as
    one typed into the box (without the filters; the sort, the size and ``fold=0``
    kept), leaving out what the page already offers (``shown``: 热门搜索)."""
    q = sp.query
    already = {log_text(s) for s in shown}
    found = [t for t in searches(results) if log_text(t) not in already]
    return {"related": [(t, search_view.search_url(SearchParams(new_query(
        text=t, sort=q.sort, size=q.size, fold=q.fold or bool(q.near))))) for t in found]}
