"""A deterministic synthetic corpus of Chinese college news, written straight
into the crawl store (no HTTP), so that indexing and search can be timed alone.

    python bench/corpus.py --n 100000 --seed 1 --data-dir DIR

What it resembles (and why):

* titles of 10–40 characters, bodies of 300–5,000 characters with a long tail
  (log-normal lengths, median about 1,000 characters), paragraphs kept;
* 12 sites of skewed sizes, 8 columns, 36 departments with a Zipf-like skew
  (about 8 % of articles name none), dates spread over ten years (more recent
  years busier), some with a time of day;
* sentences built from clauses of common news words, department names, places,
  numbers and Latin tokens (``1+X``, ``PLC``, ``5G``), and invented company and
  programme names that jieba's dictionary does not know (``渝芯智造``,
  ``启航领雁计划``), so sub-word queries matter;
* about 3 % near-duplicates: a reprint of an earlier article on another site
  with one sentence changed.

Every article depends only on ``(seed, its index)``: articles are generated in
chunks of :data:`CHUNK`, each with its own random generator, so the first 100k
articles of a 1M corpus are the 100k corpus, and a corpus can be extended later
(``--start``) without rewriting what is there.

Rows are written with ``executemany`` in one transaction, in the store's own
table layout, taking sequence numbers exactly as :meth:`Store.upsert_article`
would (one per new article, in order) and bumping ``meta.seq``; the content hash
is :attr:`Article.content_hash` computed the same way.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indexer.paths import store_path  # noqa: E402
from indexer.store import Store, now_iso  # noqa: E402

CHUNK = 1000
MIN_BODY, MAX_BODY = 300, 5000
MIN_TITLE, MAX_TITLE = 10, 40
FIRST_YEAR, YEARS = 2015, 10

# -- vocabulary -----------------------------------------------------------------
SITES = [  # (site id, host, relative size)
    ("cqvie", "www.cqvie.edu.cn", 14), ("cqipc", "www.cqipc.edu.cn", 12),
    ("cqcet", "www.cqcet.edu.cn", 10), ("scitc", "www.scitc.com.cn", 10),
    ("cdtc", "www.cdtc.edu.cn", 8), ("cqjtu-vc", "www.cqjtzy.edu.cn", 8),
    ("sctcm", "www.sctcm.edu.cn", 7), ("cqdcxy", "www.cqdcxy.edu.cn", 7),
    ("scjtu", "www.scjtzy.edu.cn", 6), ("cqgyzy", "www.cqgyzy.edu.cn", 6),
    ("ybzy", "www.ybzy.cn", 5), ("lzy", "www.lzy.edu.cn", 4),
]
COLUMNS = ["学院新闻", "通知公告", "媒体报道", "教学科研", "学生工作", "校园文化", "招生就业", "党建工作"]
COLUMN_WEIGHTS = [40, 15, 8, 12, 10, 7, 5, 3]
DEPARTMENTS = [
    "智能制造学院", "教务处", "学生处", "党委宣传部", "电气工程学院", "信息工程学院", "汽车工程学院",
    "建筑工程学院", "经济管理学院", "招生就业处", "科研处", "团委", "国际合作与交流处", "继续教育学院",
    "马克思主义学院", "人事处", "财务处", "图书馆", "后勤保障处", "保卫处", "校企合作处", "艺术设计学院",
    "基础部", "体育部", "创新创业学院", "质量管理办公室", "工会", "组织部", "纪委办公室", "资产管理处",
    "网络信息中心", "医学护理学院", "现代物流学院", "航空学院", "食品工程学院", "档案馆",
]
PLACES = ["重庆", "成都", "四川", "川渝", "成渝地区", "两江新区", "西部科学城", "永川", "江津", "德阳",
          "绵阳", "宜宾", "泸州", "天府新区", "西南地区", "长江经济带", "全国", "国家级", "市级", "省级"]
OUTLETS = ["重庆日报", "四川日报", "华龙网", "中国教育报", "人民网", "新华网", "天津日报", "光明日报"]
SUBJECTS = ["我校", "学院", "学校", "全体师生", "学生代表", "专家组", "教师团队", "参赛选手", "企业代表",
            "校领导", "党委书记", "院长", "辅导员", "志愿者", "毕业生", "新生", "校友", "评审专家",
            "指导教师", "项目团队", "与会人员", "各二级学院", "相关职能部门"]
VERBS = ["举办", "召开", "开展", "参加", "荣获", "签订", "启动", "推进", "组织", "承办", "举行", "深入",
         "走访", "调研", "考察", "部署", "落实", "发布", "表彰", "获批", "入选", "完成", "建设", "共建",
         "探索", "强化", "提升", "助力", "聚焦", "围绕", "加强", "服务", "培养", "对接", "交流", "学习"]
NOUNS = ["产教融合", "校企合作", "技能大赛", "人才培养方案", "实训基地", "专业群", "双高计划", "职业教育",
         "现代学徒制", "课程思政", "教学改革", "科研项目", "创新创业", "就业工作", "招生宣传", "思政课",
         "党史学习教育", "主题教育", "安全教育", "心理健康", "志愿服务", "社会实践", "技术技能", "工匠精神",
         "智能制造", "工业机器人", "数控技术", "新能源汽车", "大数据", "人工智能", "物联网", "云计算",
         "乡村振兴", "数字化转型", "高质量发展", "教学质量", "师资队伍", "双师型教师", "教学能力比赛",
         "职业技能等级证书", "实习实训", "顶岗实习", "订单班", "产业学院", "共同体", "联盟", "研讨会",
         "座谈会", "年会", "培训班", "开学典礼", "毕业典礼", "运动会", "文艺晚会", "知识竞赛", "讲座",
         "报告会", "启动仪式", "签约仪式", "揭牌仪式", "表彰大会", "工作会议", "推进会", "现场会",
         "教材建设", "精品课程", "在线开放课程", "技能鉴定", "学分银行", "国际交流", "留学生", "中外合作",
         "奖学金", "助学金", "寝室", "食堂", "图书", "档案", "资产", "预算", "审计", "网络安全",
         "疫情防控", "防汛", "消防演练", "军训", "征兵", "献血", "读书月", "科技节", "文化节", "社团"]
ADJS = ["全面", "深入", "扎实", "积极", "重点", "优秀", "先进", "重要", "首届", "第二届", "第三届", "年度",
        "省部级", "高水平", "示范性", "骨干", "特色", "品牌", "标志性", "创新型", "复合型", "高素质"]
FILLERS = ["的", "和", "与", "在", "为", "对", "将", "并", "进一步", "不断", "共同", "有效", "切实",
           "以", "通过", "按照", "结合", "同时", "其中", "此外", "目前", "近日", "日前", "今年以来"]
LATIN = ["1+X", "PLC", "5G", "AI", "CAD", "IT", "MOOC", "VR", "3D", "BIM", "ISO9001", "2.0", "STEM",
         "WorldSkills", "Python", "C++", "GIS"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志文斌宇浩然晨曦瑶琪博睿涵轩彤璐"
# Characters for invented names jieba does not know as words.
NAME_HEADS = "鑫瑞渝蓉芯澜泓昊晟璟骐麒琨珑岚睿翊炜暄铖锐沣淏煜琛玥珩岑巍钧霆"
NAME_MIDS = "航联创智达拓源盛和融泰丰谷川峰汇通科恒安捷华信宏邦链云"
COMPANY_TAILS = ["数控", "科技", "智能", "精工", "电子", "智造", "汽车", "机电", "软件", "传动", "装备",
                 "光电", "新材料", "检测", "物联"]
PROGRAM_TAILS = ["计划", "工程", "行动", "工作室", "训练营", "实验班", "项目"]
PROGRAM_HEADS = ["启航", "领雁", "青蓝", "匠心", "筑梦", "星火", "卓越", "鲲鹏", "雏鹰", "双创", "菁英", "追光"]


def _zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (k + 1) ** s for k in range(n)]


@dataclass
class Vocab:
    """Everything articles are made of, built once from the seed."""
    clauses: list[str]        # clause texts; "\x01" / "\x02" stand for the article's names
    clause_cum: list[float]   # cumulative weights (Zipf-ish: some clauses are boilerplate)
    names: list[str]          # invented names unknown to jieba
    name_cum: list[float]
    people: list[str]
    title_heads: list[str]
    title_tails: list[str]
    dept_cum: list[float]
    site_cum: list[float]
    column_cum: list[float]


def _cum(weights: list[float]) -> list[float]:
    out, t = [], 0.0
    for w in weights:
        t += w
        out.append(t)
    return out


def build_vocab(seed: int, n_clauses: int = 60000, n_names: int = 8000) -> Vocab:
    rng = random.Random(f"vocab:{seed}")
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n_names:
        r = rng.random()
        if r < 0.6:
            name = rng.choice(NAME_HEADS) + rng.choice(NAME_MIDS) + rng.choice(COMPANY_TAILS)
            if rng.random() < 0.5:
                name += rng.choice(["有限公司", "股份有限公司", "集团", "研究院"])
        elif r < 0.85:
            name = rng.choice(PROGRAM_HEADS) + rng.choice(PROGRAM_HEADS) + rng.choice(PROGRAM_TAILS)
        else:
            name = rng.choice(PLACES[:10]) + rng.choice(NAME_HEADS) + rng.choice(NAME_MIDS) + "产业园"
        if name not in seen:
            seen.add(name)
            names.append(name)
    people = [rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
              for _ in range(3000)]
    noun_w = _zipf_weights(len(NOUNS), 0.8)
    verb_w = _zipf_weights(len(VERBS), 0.7)
    clauses: list[str] = []
    for _ in range(n_clauses):
        parts: list[str] = []
        r = rng.random()
        if r < 0.25:
            parts.append(rng.choice(SUBJECTS))
        elif r < 0.4:
            parts.append(rng.choice(DEPARTMENTS))
        elif r < 0.5:
            parts.append(rng.choice(FILLERS))
        elif r < 0.6:
            parts.append(rng.choice(PLACES))
        elif r < 0.67:
            parts.append(rng.choice(people) + rng.choice(["老师", "同学", "教授", "副院长", "处长", "主任"]))
        if rng.random() < 0.35:
            parts.append(rng.choice(FILLERS))
        parts.append(rng.choices(VERBS, verb_w)[0])
        if rng.random() < 0.4:
            parts.append(rng.choice(ADJS))
        parts.append(rng.choices(NOUNS, noun_w)[0])
        r = rng.random()
        if r < 0.12:
            parts.append("\x01")
        elif r < 0.17:
            parts.append("\x02")
        elif r < 0.3:
            parts.append(rng.choice(FILLERS) + rng.choices(NOUNS, noun_w)[0])
        elif r < 0.36:
            parts.append(str(rng.randint(2, 500)) + rng.choice(["名", "个", "项", "余人", "家", "门", "场"]))
        elif r < 0.4:
            parts.append(rng.choice(LATIN))
        if rng.random() < 0.3:
            parts.append(rng.choice(["工作", "活动", "建设", "项目", "任务", "方案", "成果", "水平", "能力"]))
        clauses.append("".join(parts))
    clause_w = _zipf_weights(n_clauses, 0.35)
    rng.shuffle(clause_w)
    title_heads = [rng.choice(DEPARTMENTS + SUBJECTS[:6] + PLACES[:8]) for _ in range(200)]
    title_tails = [rng.choice(VERBS) + rng.choice(ADJS + [""]) + rng.choices(NOUNS, noun_w)[0]
                   for _ in range(3000)]
    return Vocab(
        clauses=clauses, clause_cum=_cum(clause_w), names=names,
        name_cum=_cum(_zipf_weights(n_names, 0.9)), people=people,
        title_heads=title_heads, title_tails=title_tails,
        dept_cum=_cum(_zipf_weights(len(DEPARTMENTS), 1.1)),
        site_cum=_cum([w for _, _, w in SITES]),
        column_cum=_cum(COLUMN_WEIGHTS),
    )


# -- articles -------------------------------------------------------------------
@dataclass
class Row:
    """One article, with exactly the fields the store keeps."""
    url: str
    site: str
    title: str
    body: str
    published: str
    department: str | None
    source: str | None
    column: str


def _punct(rng: random.Random, n: int) -> list[str]:
    """Punctuation after each of ``n`` clauses: mostly commas, some full stops,
    a few paragraph ends."""
    marks = rng.choices(("，", "。", "。\n", "；", "、"), (58, 28, 7, 3, 4), k=n)
    marks[-1] = "。"
    return marks


def _body_length(rng: random.Random) -> int:
    # log-normal: median ~1,000, long tail to 5,000 (clipped)
    return max(MIN_BODY, min(MAX_BODY, int(rng.lognormvariate(math.log(1000), 0.65))))


def _make(rng: random.Random, v: Vocab, i: int, recent: list[Row]) -> Row:
    site_k = rng.choices(range(len(SITES)), cum_weights=v.site_cum)[0]
    site, host, _ = SITES[site_k]
    column = COLUMNS[rng.choices(range(len(COLUMNS)), cum_weights=v.column_cum)[0]]
    url = f"https://{host}/info/{1000 + COLUMNS.index(column)}/{i + 1}.htm"
    # more news in recent years
    year = FIRST_YEAR + min(YEARS - 1, int(YEARS * rng.random() ** 0.7))
    day = rng.randint(0, 364)
    month, dom = _month_day(day)
    published = f"{year}-{month:02d}-{dom:02d}"
    if rng.random() < 0.4:
        published += f"T{rng.randint(7, 21):02d}:{rng.choice((0, 10, 15, 30, 45)):02d}:00"
    dept = None
    if rng.random() >= 0.08:
        dept = DEPARTMENTS[rng.choices(range(len(DEPARTMENTS)), cum_weights=v.dept_cum)[0]]
    source = rng.choice(OUTLETS) if column == "媒体报道" or rng.random() < 0.03 else None

    if recent and rng.random() < 0.03:
        # a near-duplicate: the same story reprinted elsewhere, one sentence changed
        orig = rng.choice(recent)
        sentences = orig.body.split("。")
        k = rng.randrange(len(sentences))
        sentences[k] = rng.choices(v.clauses, cum_weights=v.clause_cum)[0].replace("\x01", "").replace("\x02", "")
        body = "。".join(sentences)
        while len(body) < MIN_BODY:
            body += rng.choice(orig.body.split("。")) + "。"
        title = orig.title if rng.random() < 0.5 else (orig.title + "（转载）")[:MAX_TITLE]
        return Row(url, site, title, body, published, orig.department, rng.choice(OUTLETS), column)

    name1 = v.names[rng.choices(range(len(v.names)), cum_weights=v.name_cum)[0]]
    name2 = rng.choice(v.names)
    target = _body_length(rng)
    k = max(4, round(target / 12.8))  # clauses average about 12.8 characters with punctuation
    picked = rng.choices(v.clauses, cum_weights=v.clause_cum, k=k)
    marks = _punct(rng, k)
    body = "".join([c + m for c, m in zip(picked, marks)])
    body = body.replace("\x01", name1).replace("\x02", name2)
    limit = MAX_BODY - 20  # room for the department line
    if len(body) > limit:
        cut = body.rfind("。", 0, limit)
        body = body[:cut + 1] if cut > MIN_BODY else body[:limit]
    while len(body) < MIN_BODY:
        body += rng.choice(v.clauses).replace("\x01", name1).replace("\x02", name2) + "。"
    if dept and rng.random() < 0.5:
        body += f"\n（{dept}供稿）"
    # title: who + what (+ a name), 10–40 characters
    title = rng.choice(v.title_heads) + rng.choice(v.title_tails)
    r = rng.random()
    if r < 0.35:
        title += "——" + name1 if rng.random() < 0.3 else name1 + rng.choice(("合作", "项目", "签约", "交流"))
    elif r < 0.55:
        title = f"{year}年" + title
    elif r < 0.65:
        title += rng.choice(("暨", "及", "和")) + rng.choice(v.title_tails)
    if len(title) < MIN_TITLE:
        title += rng.choice(("圆满举行", "顺利召开", "取得佳绩", "工作纪实", "成功举办"))
    if len(title) < MIN_TITLE:
        title = rng.choice(PLACES) + title
    title = title[:MAX_TITLE]
    return Row(url, site, title, body, published, dept, source, column)


_MONTHS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month_day(day: int) -> tuple[int, int]:
    for m, d in enumerate(_MONTHS, 1):
        if day < d:
            return m, day + 1
        day -= d
    return 12, 31


def generate(n: int, seed: int = 1, start: int = 0, vocab: Vocab | None = None,
             tag: str | None = None) -> Iterator[Row]:
    """Articles ``start`` … ``start + n - 1`` of the corpus for ``seed``.

    ``tag`` (a Latin word) is appended to each title and body, so a caller can
    find exactly these articles again (the freshness probe)."""
    v = vocab or build_vocab(seed)
    end = start + n
    chunk = start // CHUNK
    while chunk * CHUNK < end:
        rng = random.Random(f"chunk:{seed}:{chunk}")
        recent: list[Row] = []
        for i in range(chunk * CHUNK, (chunk + 1) * CHUNK):
            if i >= end:
                return
            row = _make(rng, v, i, recent)
            if len(recent) < 50:
                recent.append(row)
            if i >= start:
                if tag:
                    row.url = row.url.replace("/info/", f"/info/{tag}/")
                    row.title = f"{row.title[:MAX_TITLE - len(tag) - 1]} {tag}"
                    row.body = f"{row.body}\n{tag}"
                yield row
        chunk += 1


def content_hash(r: Row) -> str:
    """:attr:`indexer.article.Article.content_hash`, without building an Article."""
    payload = json.dumps([r.title, r.published, r.department, r.source, r.column, r.body, [], []],
                         ensure_ascii=False)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


_INSERT = ("INSERT INTO articles (url, site, title, published, department, source, column_name, body,"
           " images, attachments, content_hash, fetched_at, first_seen, updated_at, seq)"
           " VALUES (?,?,?,?,?,?,?,?,'[]','[]',?,?,?,?,?)")


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
    text_bytes = 0
    written = 0
    try:
        now = now_iso()
        db.execute("BEGIN IMMEDIATE")
        seq = store.seq
        rows: list[tuple] = []
        for r in generate(n, seed, start, tag=tag):
            seq += 1
            text_bytes += len(r.title.encode("utf-8")) + len(r.body.encode("utf-8"))
            rows.append((r.url, r.site, r.title, r.published, r.department, r.source, r.column, r.body,
                         content_hash(r), now, now, now, seq))
            if len(rows) >= batch:
                db.executemany(_INSERT, rows)
                written += len(rows)
                rows.clear()
        if rows:
            db.executemany(_INSERT, rows)
            written += len(rows)
        db.execute("UPDATE meta SET value=? WHERE key='seq'", (str(seq),))
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        store.close()
    return {"written": written, "seconds": time.perf_counter() - t0, "text_bytes": text_bytes}


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
    print(f"wrote {info['written']} articles ({info['text_bytes'] / 1e6:.1f} MB of text) "
          f"in {info['seconds']:.1f}s to {store_path(args.data_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
