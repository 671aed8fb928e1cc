"""A deterministic synthetic corpus of Chinese college news, learned from real
sites and written straight into the crawl store (no HTTP), so that indexing and
search can be timed alone at any size.

    python bench/corpus.py --n 100000 --seed 1 --data-dir DIR

It is made from the model ``bench/corpus-model.json.gz`` that
``bench/calibrate.py learn`` writes from the real copies in ``../shared`` and the
demo site, read through the project's extractor. The model is committed, so
generating needs neither ``../shared`` nor jieba. Each synthetic article takes a
real story as its template:

* its site, column, department, source and date (moved by up to
  :data:`DATE_JITTER` days): columns and departments per site, dates over the
  years and lengths are the real ones;
* its paragraphs, sentence by sentence as the analysis cut them, each sentence
  swapped with probability :data:`MIX` for a sentence of another story of the
  same column, and one more of those put in somewhere. A sentence leaves its
  template's copies as often as it enters others, so phrases keep their real
  share, and no two articles are the same;
* its nouns, each occurrence with probability :data:`SWAP_WORD`, replaced by
  another noun of the same part of speech that the column's stories use, drawn
  as many stories as use it; its title the same way at :data:`SWAP_TITLE_WORD`
  (one word at least), so that titles vary as a site's titles do;
* its rare names and numbers (words jieba's dictionary does not know, mostly
  people's names, and numbers of three digits or more, in at most
  :data:`RARE_DF` real stories), replaced one way throughout the article by a
  variant (a character or two changed, from the characters real rare words are
  made of) with probability ``1 - K / (i + 1)`` for article ``i`` of a model of
  ``K`` stories. A name stays in a handful of articles however large the corpus,
  and the vocabulary grows with it, while every other word keeps its real
  document frequency.

As in the real copies, a share of URLs repost an earlier article (the same text
under another column: stored as the store stores reposts, merged into one
story), and a share of stories repeat an earlier one nearly (the same title, a
sentence changed), at the shares :mod:`calibrate` measured with the index's own
near-duplicate rule. No two stories have the same text.

Every article depends only on ``(seed, its index)``: articles are generated in
chunks of :data:`CHUNK`, each with its own random generator, so the first 100k
articles of a 1M corpus are the 100k corpus, and a corpus can be extended later
(``--start``) without rewriting what is there.

Rows are written with ``executemany`` in one transaction, in the store's own
table layout, taking sequence numbers exactly as :meth:`Store.upsert_article`
would (one per new article, in order; a repost takes three, as its merge
renumbers the story and the repost) and bumping ``meta.seq``; the content hash
and the fingerprint are :attr:`Article.content_hash` and
:attr:`Article.fingerprint` computed the same way.

:func:`draw_queries` draws the benchmark's query mix from the same model.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import random
import re
import sys
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indexer.paths import store_path  # noqa: E402
from indexer.store import Store, now_iso  # noqa: E402

MODEL_VERSION = 1
#: bump when the same model and seed give other articles
GENERATOR_VERSION = 2
MODEL_PATH = Path(__file__).resolve().parent / "corpus-model.json.gz"
CHUNK = 1000
#: the probability that a sentence of the template is swapped for one of a sibling story
MIX = 0.3
#: the probability that a noun of a body is another noun of its column (or site)
SWAP_WORD = 0.1
#: the same for a noun of a title: titles vary more, as a site's titles do
SWAP_TITLE_WORD = 0.35
#: parts of speech a word may be replaced within (jieba's tags): nouns, verbal nouns, idioms,
#: abbreviations, time words (people's names are the rare words' business)
SUB_TAGS = ("n", "vn", "l", "i", "j", "t")
#: the fewest words of a part of speech a column needs to draw replacements from its own
MIN_POOL = 20
#: words in at most this many real stories are rare: they give way to variants as the corpus grows
RARE_DF = 3
#: the tag of a word jieba's dictionary does not know (mostly a person's name)
UNKNOWN = "?"
#: how far (in days) an article's date may move from its template's
DATE_JITTER = 20
#: recent articles a repost or a near-duplicate is taken from
RECENT = 50

_END = frozenset("。！？；!?;")
_CLOSE = frozenset("”’）)】」』》")
_HAN2 = re.compile(r"^[\u4e00-\u9fff]{2,}$")
_DIGITS = re.compile(r"^\d{3,}$")
_WORD = re.compile(r"^(?:[\u4e00-\u9fff]+|[0-9a-z]+(?:[+.\-][0-9a-z]+)*\+*)$")
_PLAIN = re.compile(r"[\s\u3000\xa0\W_]+")    # as indexer.article: what a fingerprint ignores


# -- the model --------------------------------------------------------------------
@dataclass
class Story:
    """One real story of the model: where it was published and what it says."""
    site: int
    column: int
    dept: int          # index into Model.departments, -1 for none
    source: int        # index into Model.sources, -1 for none
    published: str
    title: tuple[int, ...]
    body: tuple[int, ...]
    paras: list[list[int]]   # sentence ids, paragraph by paragraph
    day: int                 # the date's ordinal
    clock: str               # "THH:MM:SS" or ""


class Model:
    """The learned statistics, ready to generate from."""

    def __init__(self, raw: dict) -> None:
        if raw.get("version") != MODEL_VERSION:
            raise ValueError(f"corpus model version {raw.get('version')} (this generator reads {MODEL_VERSION}); "
                             "run bench/calibrate.py learn")
        self.vocab: list[str] = raw["vocab"]
        norm = {int(k): v for k, v in raw["norm"].items()}
        self.forms: list[str] = [norm.get(i, w) for i, w in enumerate(self.vocab)]
        self.tags: dict[int, str] = {int(k): v for k, v in raw["tags"].items()}
        unknown = frozenset(i for i, t in self.tags.items() if t == UNKNOWN)
        self.sites: list[dict] = raw["sites"]
        self.columns: list[str] = raw["columns"]
        self.departments: list[str] = raw["departments"]
        self.sources: list[str] = raw["sources"]
        self.repost_share: float = raw["repost_share"]
        self.near_share: float = raw["near_share"]
        self.sentences: list[tuple[int, ...]] = []
        self._marks = (self.vocab.index("\n") if "\n" in self.vocab else -1,
                       {i for i, w in enumerate(self.vocab) if w in _END},
                       {i for i, w in enumerate(self.vocab) if w in _CLOSE})
        self.stories = [self._story(r) for r in raw["rows"]]
        self.last_day = max(s.day for s in self.stories)
        self.df = self._df()
        self.rare = frozenset(i for i, f in enumerate(self.forms) if self.df.get(f, 0) <= RARE_DF
                              and (i in unknown or _DIGITS.match(f)))
        self.content = frozenset(i for i, t in self.tags.items()
                                 if t.startswith(SUB_TAGS) and not t.startswith("nr") and i not in self.rare)
        self.sent_text = [self.text(s) for s in self.sentences]
        self.sent_parts = [[self.vocab[t] for t in s] for s in self.sentences]
        self.sent_pos = [self._positions(s) for s in self.sentences]
        self.title_text = [self.text(s.title) for s in self.stories]
        self.title_pos = [self._positions(s.title) for s in self.stories]
        self._groups()
        self._pools()
        self._variant_chars()

    def _positions(self, ids: tuple[int, ...]) -> tuple[int, ...]:
        """Where a token sequence has a word a generated article may replace."""
        rare, content = self.rare, self.content
        return tuple(k for k, t in enumerate(ids) if t in rare or t in content)

    def _pools(self) -> None:
        """Per column (or site, where a column has few) and part of speech, the
        words its stories use and in how many of them: what a replaced word is
        drawn from (by stories, not occurrences, so that a word one story repeats
        is not spread over many)."""
        counts: dict[tuple, Counter[int]] = {}
        for s in self.stories:
            for t in set(s.title + s.body) & self.content:
                counts.setdefault((s.site, s.column, self.tags[t]), Counter())[t] += 1
                counts.setdefault((s.site, self.tags[t]), Counter())[t] += 1
        self.pools: dict[tuple, tuple[list[str], list[float]]] = {}
        for key, c in counts.items():
            if len(key) == 3 and len(c) < MIN_POOL:
                continue
            words, cum, total = [], [], 0.0
            for t, n in sorted(c.items()):
                words.append(self.vocab[t])
                total += n
                cum.append(total)
            self.pools[key] = (words, cum)

    def text(self, ids) -> str:
        """The text of a token sequence."""
        v = self.vocab
        return "".join([v[i] for i in ids])

    def _story(self, row: list) -> Story:
        """A story of the model, its body cut into paragraphs of sentences."""
        site, column, dept, source, published, title, body = row
        nl, ends, closes = self._marks
        paras: list[list[int]] = []
        cur: list[int] = []
        sent: list[int] = []

        def flush_sentence() -> None:
            if sent:
                self.sentences.append(tuple(sent))
                cur.append(len(self.sentences) - 1)
                sent.clear()

        for k, t in enumerate(body):
            if t == nl:
                flush_sentence()
                paras.append(cur)
                cur = []
                continue
            if sent and sent[-1] in ends and t not in closes and t not in ends:
                flush_sentence()
            sent.append(t)
        flush_sentence()
        paras.append(cur)
        d = datetime.fromisoformat(published)
        return Story(site, column, dept, source, published, tuple(title), tuple(body),
                     [p for p in paras if p], d.date().toordinal(), published[10:] if len(published) > 10 else "")

    def _df(self) -> Counter[str]:
        """Document frequency of each word (in its analysis form) over the real stories."""
        df: Counter[str] = Counter()
        forms = self.forms
        for s in self.stories:
            df.update({forms[t] for t in s.title} | {forms[t] for t in s.body})
        return Counter({w: c for w, c in df.items() if _WORD.match(w)})

    def _groups(self) -> None:
        """Stories and sentences by (site, column): where a sentence may be swapped from."""
        groups: dict[tuple[int, int], list[int]] = {}
        for k, s in enumerate(self.stories):
            groups.setdefault((s.site, s.column), []).append(k)
        self.pool = {g: [sid for k in ks for p in self.stories[k].paras for sid in p] for g, ks in groups.items()}
        self.site_stories: dict[int, list[int]] = {}
        for k, s in enumerate(self.stories):
            self.site_stories.setdefault(s.site, []).append(k)

    def _variant_chars(self) -> None:
        """The characters real rare words are made of, weighted by how often."""
        chars: Counter[str] = Counter()
        for i in self.rare:
            if _HAN2.match(self.vocab[i]):
                chars.update(self.vocab[i])
        self.var_chars = [c for c, _ in chars.most_common()]
        cum, t = [], 0.0
        for _, n in chars.most_common():
            t += n
            cum.append(t)
        self.var_cum = cum

    # -- what other code reads --------------------------------------------------
    @property
    def site_table(self) -> list[tuple[str, str, int]]:
        """(site id, host, stories) of every site."""
        counts = Counter(s.site for s in self.stories)
        return [(s["id"], s["host"], counts[k]) for k, s in enumerate(self.sites)]


def load_model(path: Path | str = MODEL_PATH) -> Model:
    """The model written by ``bench/calibrate.py learn``."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return Model(json.load(f))


@lru_cache(maxsize=4)
def default_model(path: str = str(MODEL_PATH)) -> Model:
    """The committed model, read once per process."""
    return load_model(path)


def signature(path: Path | str = MODEL_PATH) -> str:
    """What made a corpus: this generator's version and its model's digest. A
    corpus is extended only by the generator and model that began it."""
    digest = hashlib.sha1(Path(path).read_bytes()).hexdigest()[:12]
    return f"{GENERATOR_VERSION}:{digest}"


def __getattr__(name: str):
    """``SITES`` (site id, host, weight) and ``COLUMNS`` (every column's name, its
    index in the URLs), read from the model when first asked for."""
    if name == "SITES":
        return default_model().site_table
    if name == "COLUMNS":
        return list(default_model().columns)
    raise AttributeError(name)


# -- articles -------------------------------------------------------------------
@dataclass
class Row:
    """One article, with exactly the fields the store keeps (``canonical``: the
    URL of the story a repost reposts)."""
    url: str
    site: str
    title: str
    body: str
    published: str
    department: str | None
    source: str | None
    column: str
    canonical: str | None = None
    fp: str | None = field(default=None, compare=False, repr=False)   # fingerprint(), once computed


def _variant(m: Model, word: str, rng: random.Random) -> str:
    """Another word like ``word``: a name with another given name, a number with other digits."""
    if word.isdigit():
        keep = len(word) // 2
        return word[:keep] + "".join(rng.choice("0123456789") for _ in range(len(word) - keep))
    chars = list(word)
    n = len(chars)
    for _ in range(1 if n <= 3 else rng.choice((1, 2))):
        pos = rng.randrange(1, n) if n <= 3 else rng.randrange(n)
        chars[pos] = rng.choices(m.var_chars, cum_weights=m.var_cum)[0]
    return "".join(chars)


class _Words:
    """How one article replaces words: each word decided once, then the same
    throughout (a replaced name or term recurs as the original did). A rare word
    is kept with probability ``keep``, else becomes a variant; any other word a
    generated article may replace becomes, with probability ``p``, another word of
    the same part of speech from its site's stories (drawn as often as they use it)."""

    __slots__ = ("m", "rng", "keep", "p", "site", "column", "rare", "other")

    def __init__(self, m: Model, rng: random.Random, keep: float, p: float, site: int, column: int,
                 rare: dict[int, str] | None = None) -> None:
        self.m, self.rng, self.keep, self.p, self.site, self.column = m, rng, keep, p, site, column
        self.rare: dict[int, str] = {} if rare is None else rare

    def word(self, t: int) -> str:
        m = self.m
        if t in m.rare:
            w = self.rare.get(t)
            if w is None:
                w = m.vocab[t] if self.rng.random() < self.keep else _variant(m, m.vocab[t], self.rng)
                self.rare[t] = w
            return w
        return self.draw(t) if self.rng.random() < self.p else m.vocab[t]

    def draw(self, t: int) -> str:
        """A word of the same part of speech as ``t`` from the column's stories (or the site's)."""
        tag = self.m.tags[t]
        pool = self.m.pools.get((self.site, self.column, tag)) or self.m.pools.get((self.site, tag))
        if pool is None:
            return self.m.vocab[t]
        words, cum = pool
        return words[bisect_right(cum, self.rng.random() * cum[-1])]

    def render(self, parts: list[str], ids: tuple[int, ...], positions: tuple[int, ...]) -> str:
        """The text of a token sequence (``parts``: its tokens' text) with this article's words."""
        if not positions:
            return "".join(parts)
        out = list(parts)
        for k in positions:
            out[k] = self.word(ids[k])
        return "".join(out)


def _date(m: Model, s: Story, rng: random.Random) -> str:
    """The template's date moved by up to :data:`DATE_JITTER` days (never past the
    latest real one), its time of day kept."""
    d = date.fromordinal(min(m.last_day, s.day + rng.randint(-DATE_JITTER, DATE_JITTER)))
    return d.isoformat() + s.clock


def _url(m: Model, site: int, column: int, i: int) -> str:
    return f"https://{m.sites[site]['host']}/info/{1000 + column}/{i + 1}.htm"


def _body(m: Model, s: Story, rng: random.Random, words: _Words) -> str:
    """The template's paragraphs, a sentence now and then swapped for one of its
    siblings', one more of theirs put in somewhere, words replaced."""
    pool = m.pool[(s.site, s.column)]
    total = sum(len(p) for p in s.paras)
    extra = rng.randrange(total) if total else -1
    parts, sentences, positions = m.sent_parts, m.sentences, m.sent_pos
    paras = []
    k = 0
    for para in s.paras:
        out = []
        for sid in para:
            if k == extra:
                other = pool[rng.randrange(len(pool))]
                out.append(words.render(parts[other], sentences[other], positions[other]))
            k += 1
            if rng.random() < MIX:
                sid = pool[rng.randrange(len(pool))]
            out.append(words.render(parts[sid], sentences[sid], positions[sid]))
        paras.append("".join(out))
    return "\n".join(paras)


def _title(m: Model, t: int, words: _Words) -> str:
    """The template's title with its words replaced (one at least, where it has one)."""
    s = m.stories[t]
    title = words.render([m.vocab[x] for x in s.title], s.title, m.title_pos[t])
    if title == m.title_text[t] and m.title_pos[t]:
        k = words.rng.choice(m.title_pos[t])
        tok = s.title[k]
        if tok in m.content:
            parts = [words.word(x) if j in m.title_pos[t] else m.vocab[x] for j, x in enumerate(s.title)]
            parts[k] = words.draw(tok)
            title = "".join(parts)
    return title


def _story_row(m: Model, rng: random.Random, i: int) -> Row:
    """A new article, from a real story as its template."""
    return from_template(m, rng, i, rng.randrange(len(m.stories)))


def from_template(m: Model, rng: random.Random, i: int, t: int) -> Row:
    """Article ``i`` made from real story ``t``."""
    s = m.stories[t]
    keep = min(1.0, len(m.stories) / (i + 1))
    body_words = _Words(m, rng, keep, SWAP_WORD, s.site, s.column)
    title = _title(m, t, _Words(m, rng, keep, SWAP_TITLE_WORD, s.site, s.column, rare=body_words.rare))
    body = _body(m, s, rng, body_words)
    return Row(_url(m, s.site, s.column, i), m.sites[s.site]["id"], title, body, _date(m, s, rng),
               m.departments[s.dept] if s.dept >= 0 else None,
               m.sources[s.source] if s.source >= 0 else None, m.columns[s.column])


def _column_of_site(m: Model, site_id: str, rng: random.Random) -> tuple[int, int]:
    """(site index, column index) of a random story of a site: where its reposts go."""
    k = next(n for n, s in enumerate(m.sites) if s["id"] == site_id)
    pick = m.stories[rng.choice(m.site_stories[k])]
    return k, pick.column


def _repost(m: Model, rng: random.Random, i: int, orig: Row) -> Row:
    """The same story under another URL of its site (another column, mostly)."""
    site, column = _column_of_site(m, orig.site, rng)
    return Row(_url(m, site, column, i), orig.site, orig.title, orig.body, orig.published,
               orig.department, orig.source, m.columns[column], canonical=orig.url)


def _near_duplicate(m: Model, rng: random.Random, i: int, orig: Row) -> Row:
    """An earlier story published again a few days later with a sentence changed
    (or, in text with no full stop, a line added)."""
    sentences = orig.body.split("。")
    new = rng.choice(m.sent_text).rstrip("。")
    if len(sentences) > 1:
        sentences[rng.randrange(len(sentences) - 1)] = new
        body = "。".join(sentences)
    else:
        body = orig.body + "\n" + new
    if body == orig.body:
        body += "\n" + new
    site, column = _column_of_site(m, orig.site, rng)
    day = min(date.fromordinal(m.last_day),
              date.fromisoformat(orig.published[:10]) + timedelta(days=rng.randint(0, 10)))
    return Row(_url(m, site, column, i), orig.site, orig.title, body, day.isoformat() + orig.published[10:],
               orig.department, orig.source, m.columns[column])


def _make(m: Model, rng: random.Random, i: int, recent: list[Row], reposts: bool) -> Row:
    r = rng.random()
    heads = [x for x in recent if x.canonical is None]
    if heads and r < m.repost_share:
        orig = rng.choice(heads)
        if reposts and orig.fp is not None:
            return _repost(m, rng, i, orig)
        return _story_row(m, rng, i)
    if heads and r < m.repost_share + m.near_share * (1 - m.repost_share):
        return _near_duplicate(m, rng, i, rng.choice(heads))
    return _story_row(m, rng, i)


def _unique(m: Model, rng: random.Random, i: int, recent: list[Row], seen: set[int] | None, reposts: bool,
            tries: int = 8) -> Row:
    """Article ``i``: a story whose text no earlier story has (the store would have
    merged the two into one), or a repost. ``seen`` holds the earlier stories'
    fingerprints (None: no check)."""
    for _ in range(tries):
        row = _make(m, rng, i, recent, reposts)
        row.fp = fingerprint(row)
        if seen is None or row.canonical is not None or row.fp is None or _key(row.fp) not in seen:
            break
    if seen is not None and row.canonical is None and row.fp is not None:
        seen.add(_key(row.fp))
    return row


def _key(fp: str) -> int:
    """A fingerprint as a small int (60 of its bits), to keep a million of them in memory."""
    return int(fp[:15], 16)


def generate(n: int, seed: int = 1, start: int = 0, model: Model | None = None,
             tag: str | None = None) -> Iterator[Row]:
    """Articles ``start`` … ``start + n - 1`` of the corpus for ``seed``.

    No two stories of a corpus have the same text: the articles before ``start``
    are generated again (and not yielded) to know which texts are taken, a few
    seconds per 100k. ``tag`` (a Latin word) is appended to each title and body,
    so a caller can find exactly these articles again (the freshness probe);
    tagged articles are all stories (no reposts), so each is found, and the tag
    makes them unique."""
    m = model or default_model()
    end = start + n
    seen: set[int] | None = None if tag else set()
    chunk = start // CHUNK if tag else 0
    while chunk * CHUNK < end:
        rng = random.Random(f"chunk:{seed}:{chunk}")
        recent: list[Row] = []
        for i in range(chunk * CHUNK, (chunk + 1) * CHUNK):
            if i >= end:
                return
            row = _unique(m, rng, i, recent, seen, reposts=tag is None)
            if len(recent) < RECENT:
                recent.append(row)
            if i >= start:
                if tag:
                    row.url = row.url.replace("/info/", f"/info/{tag}/")
                    row.title = f"{row.title} {tag}"
                    row.body = f"{row.body}\n{tag}"
                    row.fp = None
                yield row
        chunk += 1


def content_hash(r: Row) -> str:
    """:attr:`indexer.article.Article.content_hash`, without building an Article."""
    payload = json.dumps([r.title, r.published, r.department, r.source, r.column, r.body, [], []],
                         ensure_ascii=False)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def fingerprint(r: Row) -> str | None:
    """:attr:`indexer.article.Article.fingerprint`, without building an Article."""
    text = _PLAIN.sub("", r.body)
    if len(text) < 40:
        return None
    return hashlib.sha1((_PLAIN.sub("", r.title) + "\x00" + text).encode("utf-8")).hexdigest()[:20]


_INSERT = ("INSERT INTO articles (url, site, title, published, department, source, column_name, body,"
           " images, attachments, content_hash, fetched_at, first_seen, updated_at, seq, fingerprint,"
           " canonical, reposts) VALUES (?,?,?,?,?,?,?,?,'[]','[]',?,?,?,?,?,?,?,?)")
_SEQ, _REPOSTS = 12, 15       # positions in an _INSERT tuple


class _Writer:
    """Rows in the store's layout, batched for ``executemany``, with the sequence
    numbers :meth:`Store.upsert_article` would give them."""

    def __init__(self, db, seq: int, now: str, later: str, batch: int) -> None:
        self.db, self.seq, self.now, self.later, self.batch = db, seq, now, later, batch
        self.rows: list[list] = []
        self.pending: dict[str, int] = {}     # url -> index in rows, for heads not yet written
        self.written = 0

    def add(self, r: Row) -> None:
        fp = r.fp if r.fp is not None else fingerprint(r)
        self.seq += 1
        first_seen = self.now
        if r.canonical is not None:
            # as Store._merge: the story takes a new number (one more repost), then the repost
            self.seq += 1
            self._bump_head(r.canonical, self.seq)
            self.seq += 1
            first_seen = self.later
        self.pending[r.url] = len(self.rows)
        self.rows.append([r.url, r.site, r.title, r.published, r.department, r.source, r.column, r.body,
                          content_hash(r), self.now, first_seen, self.now, self.seq, fp, r.canonical, 0])
        if len(self.rows) >= self.batch:
            self.flush()

    def _bump_head(self, url: str, seq: int) -> None:
        k = self.pending.get(url)
        if k is not None:
            self.rows[k][_SEQ] = seq
            self.rows[k][_REPOSTS] += 1
        else:
            self.flush()
            self.db.execute("UPDATE articles SET seq=?, reposts=reposts+1 WHERE url=?", (seq, url))

    def flush(self) -> None:
        if self.rows:
            self.db.executemany(_INSERT, self.rows)
            self.written += len(self.rows)
            self.rows.clear()
            self.pending.clear()


def load(data_dir: Path | str, n: int, seed: int = 1, start: int = 0, tag: str | None = None,
         batch: int = 20000) -> dict:
    """Write articles ``start`` … ``start + n - 1`` into the store of ``data_dir``
    as new articles, as :meth:`Store.upsert_article` would, in one transaction.
    Returns counts, timing and the text size."""
    t0 = time.perf_counter()
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(store_path(data_dir))
    db = store.db
    text_bytes = reposts = 0
    try:
        now = now_iso()
        later = (datetime.fromisoformat(now) + timedelta(seconds=1)).isoformat()
        db.execute("BEGIN IMMEDIATE")
        w = _Writer(db, store.seq, now, later, batch)
        for r in generate(n, seed, start, tag=tag):
            if r.canonical is None:
                text_bytes += len(r.title.encode("utf-8")) + len(r.body.encode("utf-8"))
            else:
                reposts += 1
            w.add(r)
        w.flush()
        db.execute("UPDATE meta SET value=? WHERE key='seq'", (str(w.seq),))
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        store.close()
    return {"written": w.written, "reposts": reposts, "seconds": time.perf_counter() - t0,
            "text_bytes": text_bytes}


# -- the query mix ------------------------------------------------------------------
#: kinds of query and their share of the mix ("head": one of the words most stories share)
KINDS = (("word", 30), ("words", 20), ("phrase", 15), ("subword", 10), ("name", 15), ("head", 10))
#: the least number of real stories a query word is in (rarer ones give way to variants)
QUERY_MIN_DF = RARE_DF + 1
#: what readers type: nouns (things, places, organisations), verbal nouns, idioms, abbreviations
QUERY_TAGS = ("n", "ns", "nt", "nz", "vn", "l", "j", "i")
#: names: organisations, places, and unknown words of three characters or more
NAME_TAGS = ("nt", "ns")
#: words a quoted phrase neither starts nor ends with (particles, pronouns, numerals …)
FUNCTION_TAGS = ("p", "c", "u", "d", "r", "m", "q", "y", "e", "o", "f", "x", "zg")


@dataclass
class _QueryView:
    """What queries are drawn from, per real story: its keywords (with weights),
    its phrases, its names and its long words."""
    keywords: list[list[tuple[str, float]]]
    phrases: list[list[str]]
    names: list[list[str]]
    long_words: list[list[str]]
    head: list[str]
    head_cum: list[float]


def _word_classes(m: Model) -> tuple[list[bool], list[bool], list[bool], list[bool]]:
    """Per token: usable in a query at all, a keyword, a name, a word a phrase may start or end with."""
    forms, df, tags = m.forms, m.df, m.tags
    usable = [bool(_HAN2.match(f)) and df.get(f, 0) >= QUERY_MIN_DF for f in forms]
    tag = [tags.get(i, "") for i in range(len(forms))]
    unknown_name = [t == UNKNOWN and len(f) >= 3 for t, f in zip(tag, forms)]
    keyword = [u and (t.startswith(QUERY_TAGS) or un) for u, t, un in zip(usable, tag, unknown_name)]
    name = [u and (t.startswith(NAME_TAGS) or un) for u, t, un in zip(usable, tag, unknown_name)]
    edge = [u and not t.startswith(FUNCTION_TAGS) for u, t in zip(usable, tag)]
    return usable, keyword, name, edge


def _query_view(m: Model) -> _QueryView:
    cached = getattr(m, "_qview", None)
    if cached is not None:
        return cached
    n = len(m.stories)
    forms, df = m.forms, m.df
    usable, keyword, name, edge = _word_classes(m)
    kws, phrases, names, longs = [], [], [], []
    for s in m.stories:
        tf = Counter(t for t in s.title + s.body if usable[t])
        kws.append([(forms[t], c * math.log(n / df[forms[t]])) for t, c in tf.items()
                    if keyword[t] and df[forms[t]] < n * 0.5])
        names.append(sorted({forms[t] for t in tf if name[t]}))
        longs.append(sorted({forms[t] for t in tf if len(forms[t]) >= 4}))
        phrases.append(_phrases(m, s.body, usable, edge))
    head_words = sorted((forms[i] for i in range(len(forms)) if keyword[i]), key=lambda w: (-df[w], w))
    head_words = list(dict.fromkeys(head_words))[:300]
    cum, t = [], 0.0
    for w in head_words:
        t += df[w]
        cum.append(t)
    view = _QueryView(kws, phrases, names, longs, head_words, cum)
    m._qview = view
    return view


def _phrases(m: Model, body: tuple[int, ...], usable: list[bool], edge: list[bool], most: int = 40) -> list[str]:
    """Runs of two or three consecutive usable words of 4 to 8 characters, starting
    and ending with a content word, as a reader would quote them."""
    out: list[str] = []
    forms = m.forms
    for k in range(len(body) - 1):
        for span in (2, 3):
            ids = body[k:k + span]
            if len(ids) < span or not (edge[ids[0]] and edge[ids[-1]] and all(usable[t] for t in ids)):
                continue
            text = "".join(forms[t] for t in ids)
            if 4 <= len(text) <= 8:
                out.append(text)
    out = list(dict.fromkeys(out))
    step = max(1, len(out) // most)
    return out[::step][:most]


def draw_queries(m: Model | None = None, count: int = 1000, seed: int = 7) -> list[dict]:
    """A deterministic query mix, drawn from the real stories as readers would
    search for them: each query comes from a story (its keywords, a phrase of it,
    a name in it, part of a long word of it), or from the words most stories
    share; filters (its department, its year or quarter, since a date),
    ``sort=date`` and deeper pages as readers use them.

    Each query is a dict: ``kind``, ``terms`` (literal strings every match
    contains), ``phrase``, ``date_from``, ``date_to``, ``depts``, ``sort``, ``page``."""
    m = m or default_model()
    v = _query_view(m)
    rng = random.Random(f"queries:{seed}")
    kinds, weights = zip(*KINDS)
    out = []
    while len(out) < count:
        k = rng.randrange(len(m.stories))
        kind = rng.choices(kinds, weights)[0]
        q = _draw_terms(v, rng, k, kind)
        if q is None:
            continue
        _filters(m, rng, m.stories[k], q)
        out.append(q)
    return out


def _draw_terms(v: _QueryView, rng: random.Random, k: int, kind: str) -> dict | None:
    """A query of ``kind`` from story ``k`` (None when the story has nothing of the kind)."""
    q = {"kind": kind, "terms": [], "phrase": False, "date_from": None, "date_to": None, "depts": [],
         "sort": None, "page": 1}
    if kind == "head":
        q["kind"] = "word"
        q["terms"] = [rng.choices(v.head, cum_weights=v.head_cum)[0]]
    elif kind in ("word", "words"):
        kws = v.keywords[k]
        want = 1 if kind == "word" else rng.choice((2, 2, 2, 3))
        if len(kws) < want:
            return None
        words, weights = zip(*kws)
        picked: list[str] = []
        while len(picked) < want:
            w = rng.choices(words, weights)[0]
            if w not in picked:
                picked.append(w)
        q["terms"] = picked
    elif kind == "phrase":
        if not v.phrases[k]:
            return None
        q["terms"], q["phrase"] = [rng.choice(v.phrases[k])], True
    elif kind == "name":
        if not v.names[k]:
            return None
        q["terms"] = [rng.choice(v.names[k])]
    else:  # subword: part of a long word (jieba keeps 大数据学院 whole; a reader types 数据学)
        if not v.long_words[k]:
            return None
        w = rng.choice(v.long_words[k])
        n = rng.choice((2, 3, 3))
        s = rng.randint(1, len(w) - n) if len(w) - n >= 1 else 0
        q["terms"] = [w[s:s + n]]
    return q


def _filters(m: Model, rng: random.Random, s: Story, q: dict) -> None:
    """Filters a reader of story ``s`` would set: its department, its year, a
    quarter around it, since a date; the newest first; a deeper page."""
    r = rng.random()
    d = date.fromordinal(s.day)
    if r < 0.12:
        q["date_from"], q["date_to"] = f"{d.year}-01-01", f"{d.year}-12-31"
    elif r < 0.2:
        lo = d - timedelta(days=rng.randint(0, 80))
        q["date_from"], q["date_to"] = lo.isoformat(), (lo + timedelta(days=90)).isoformat()
    elif r < 0.25:
        q["date_from"] = f"{d.year - rng.randint(0, 2)}-09-01"
    if s.dept >= 0 and rng.random() < 0.2:
        depts = [m.departments[s.dept]]
        if rng.random() < 0.25:
            depts.append(rng.choice(m.departments))
        q["depts"] = list(dict.fromkeys(depts))
    if rng.random() < 0.15:
        q["sort"] = "date"
    r = rng.random()
    if r < 0.03:
        q["page"] = rng.choice((10, 20))
    elif r < 0.13:
        q["page"] = rng.choice((2, 3, 5))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Fill a crawl store with a synthetic college-news corpus.")
    p.add_argument("--n", type=int, default=10000, help="how many articles (default 10000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start", type=int, default=0,
                   help="first article index (extend an existing corpus of this many articles)")
    p.add_argument("--data-dir", required=True, type=Path, help="the data directory holding the crawl store")
    args = p.parse_args(argv)
    if args.n < 0 or args.start < 0:
        p.error("--n and --start must not be negative")
    with Store(store_path(args.data_dir)) as st:
        have = st.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    if have != args.start:
        print(f"corpus: the store at {store_path(args.data_dir)} holds {have} articles; "
              f"use --start {have} to extend it (or an empty --data-dir)", file=sys.stderr)
        return 2
    info = load(args.data_dir, args.n, args.seed, args.start)
    print(f"wrote {info['written']} articles ({info['reposts']} of them reposts, "
          f"{info['text_bytes'] / 1e6:.1f} MB of text) in {info['seconds']:.1f}s to {store_path(args.data_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
