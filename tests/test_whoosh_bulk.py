"""The Whoosh engine's bulk segment writer: the postings, term statistics and
per-document files it writes are those Whoosh's own writer writes of the same
documents, in one process or several, with its pool spilled or not, and when a
commit merges older segments with deletions into the new one."""
from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from whoosh import index as windex
from whoosh.writing import SegmentWriter

from indexer.article import Article
from indexer.documents import record
from indexer.engines.whoosh import bulk
from indexer.engines.whoosh.schema import fields_of, make_schema

pytestmark = pytest.mark.whoosh_only

_WORDS = ["产教融合", "学院", "招生", "就业", "智能制造", "宜宾", "教务处", "团委", "实训基地", "PLC",
          "2023", "AI", "校企合作", "学生", "教师", "比赛", "一等奖", "创新创业", "党委", "会议"]


def _articles(n: int, seed: int = 3, start: int = 0):
    rnd = random.Random(seed)
    for i in range(start, start + n):
        body = "".join(rnd.choice(_WORDS) + rnd.choice(["", "，", "。", " "]) for _ in range(rnd.randint(5, 120)))
        yield Article(url=f"http://news.example.edu.cn/info/{i}.htm", site="example",
                      title=f"{rnd.choice(_WORDS)}{rnd.choice(_WORDS)}第{i}期", body=body,
                      published=date(2020 + i % 5, 1 + i % 12, 1 + i % 28).isoformat(),
                      department=rnd.choice(["教务处", "团委", "智能制造学院"]))


def _index(tmp_path, name):
    path = tmp_path / name
    path.mkdir()
    return windex.create_in(str(path), make_schema())


def _write(ix, writer_class, records, **kwargs):
    w = writer_class(ix, **kwargs)
    for rec in records:
        w.add_document(**fields_of(rec))
    w.commit()
    return windex.open_dir(ix.storage.folder)


def _postings(ix) -> dict:
    """(field, term) → the statistics of its term info and its postings, each posting
    as (article id, weight, value), over every live document of every segment."""
    out = {}
    with ix.searcher() as s:
        ids = list(s.reader().column_reader("id"))
        for leaf, offset in s.reader().leaf_readers():
            for field, text in leaf.all_terms():       # the terms as bytes
                info, key = leaf.term_info(field, text), (field, text)
                m = leaf.postings(field, text)
                posts = []
                while m.is_active():
                    posts.append((ids[m.id() + offset], m.weight(), m.value()))
                    m.next()
                stats = (info.doc_frequency(), info.weight(), info.max_weight(),
                         info.min_length(), info.max_length())
                out[key] = out.get(key, []) + posts
                out[key, "stats"] = out.get((key, "stats"), ()) + (stats,)
    return out


def _per_doc_files(ix) -> dict:
    seg = ix._segments()[0]
    cs = seg.open_compound_file(ix.storage)
    return {name.split(".", 1)[1]: bytes(cs.open_file(name).read()) for name in cs.list()
            if not name.endswith((".pst", ".trm"))}


@pytest.mark.parametrize("limitmb", [128, 1])
def test_one_segment_holds_what_whooshs_own_writer_writes(tmp_path, limitmb):
    records = [record(a) for a in _articles(400)]
    stock = _write(_index(tmp_path, "stock"), SegmentWriter, records)
    mine = _write(_index(tmp_path, "bulk"), bulk.BulkSegmentWriter, records, limitmb=limitmb)
    expected, got = _postings(stock), _postings(mine)
    assert len(expected) > 2000                       # the corpus reaches every field with many terms
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], key
    assert _per_doc_files(mine) == _per_doc_files(stock)


def test_a_small_pool_spills_and_merges_its_runs(tmp_path):
    ix = _index(tmp_path, "spill")
    w = bulk.BulkSegmentWriter(ix, limitmb=1)
    for rec in (record(a) for a in _articles(400)):
        w.add_document(**fields_of(rec))
    assert len(w.pool.runs) >= 2                      # spilled more than once before the commit
    w.commit()
    assert not list(Path(ix.storage.folder).rglob("*.terms"))   # the runs removed with the writer's
    with windex.open_dir(ix.storage.folder).searcher() as s:
        assert s.doc_count() == 400


def test_a_commit_merging_older_segments_with_deletions_holds_what_whooshs_would(tmp_path):
    first = [record(a) for a in _articles(150)]
    second = [record(a) for a in _articles(60, seed=9, start=150)]
    gone = [rec["id"] for rec in first[::7]]
    result = {}
    for name, writer_class in (("stock", SegmentWriter), ("bulk", bulk.BulkSegmentWriter)):
        ix = _write(_index(tmp_path, name), writer_class, first)
        w = writer_class(ix)
        for aid in gone:
            w.delete_by_term("id", aid)
        for rec in second:
            w.add_document(**fields_of(rec))
        w.commit(optimize=True)                      # the older segment merged into the new one
        ix = windex.open_dir(ix.storage.folder)
        assert len(ix._segments()) == 1
        result[name] = _postings(ix)
    assert result["bulk"].keys() == result["stock"].keys()
    for key in result["stock"]:
        assert result["bulk"][key] == result["stock"][key], key


def test_the_parallel_build_holds_the_same_postings_as_one_stock_writer(tmp_path):
    records = [record(a) for a in _articles(300)]
    stock = _write(_index(tmp_path, "stock"), SegmentWriter, records)
    ix = _index(tmp_path, "parallel")
    assert bulk.build(ix, iter(records), procs=2) == 300
    ix = windex.open_dir(ix.storage.folder)
    assert len(ix._segments()) == 2                   # a segment from each writer process

    def by_article(postings):
        out = {}
        for key, value in postings.items():
            if len(key) == 2 and key[1] == "stats":
                continue
            out[key] = sorted(value)
        return out

    expected, got = by_article(_postings(stock)), by_article(_postings(ix))
    assert got.keys() == expected.keys()
    for key in expected:
        assert got[key] == expected[key], key
