"""One result per story on the page and in the API: near-duplicates (the same
notice of another year, the same story in another column or college with a line
changed) fold under the best-ranked one; 另有 N 篇相似新闻 lists them, 查看全部
lists the story, ``fold=0`` turns folding off, the home page's newest articles
show each story once. Over a small corpus of its own, on every engine."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from indexer.article import Article
from indexer.ids import article_id
from indexer.index import build_index
from webui import create_app

SITE, SITE2 = "yibin", "luzhou"
SITES = {SITE: "宜宾职业技术学院", SITE2: "泸州职业技术学院"}
TODAY = "2024-07-15"
JW = "教务处"

MEETING = ("学院召开产教融合工作专题会议，研究部署校企合作、现代产业学院建设和实习实训基地建设等重点工作。"
           "会议听取了各二级学院关于订单班培养、双师型教师队伍建设和技能大赛备赛情况的汇报，"
           "要求各部门进一步完善校企协同育人机制，推动专业链与产业链精准对接，提升人才培养质量。"
           "会议强调，要以项目为抓手，落实责任分工，按时完成年度目标任务。")
SPORTS = ("学校举行第十届田径运动会开幕式，来自全校各学院的两千余名运动员参加比赛。运动会设径赛、田赛和趣味项目，"
          "历时三天，共有十二人次打破校纪录。闭幕式上，校领导为获奖集体和个人颁奖，并对志愿者和裁判员表示感谢，"
          "号召全体师生积极参与体育锻炼，增强体质，以饱满的精神投入学习和工作。")
NOTICE = "关于开展产教融合型企业推荐工作的通知"
ESCAPED = "<b>转载</b>：学校举行田径运动会"

# (n, site, title, body, published, column)
_ROWS = [
    (1, SITE, "我院召开产教融合工作专题会议", MEETING, "2024-05-06", "今日宜职"),
    (2, SITE, "我院召开产教融合工作专题会议", MEETING.replace("年度目标", "全年目标"), "2023-05-08", "通知公告"),
    # the same story at another college, under another title, a few words changed
    (3, SITE2, "产教融合专题会议召开", MEETING.replace("按时完成", "如期完成"), "2022-05-09", "学院新闻"),
    # the notice republished every year: the same title, another text
    (4, SITE, NOTICE, "各学院：现将产教融合型企业推荐工作有关事项通知如下。" * 2, "2024-03-01", "通知公告"),
    (5, SITE, NOTICE, "各学院：请于三月底前报送产教融合型企业推荐材料。" * 2, "2023-03-01", "通知公告"),
    (6, SITE, "产教融合年会在我院举行", "来自华中数控等企业的代表参加了产教融合年会，共同探讨人才培养。", "2024-01-10", "今日宜职"),
    (7, SITE, "学校举行田径运动会", SPORTS, "2024-04-20", "今日宜职"),
    (8, SITE2, ESCAPED, SPORTS.replace("三天", "两天"), "2024-04-22", "学院新闻"),
    (9, SITE, "教务处召开期末考试工作会", "教务处召开期末考试工作会，部署考务安排。", "2024-06-28", "通知公告"),
]


def url_of(n: int, site: str) -> str:
    base = "https://www.example.edu.cn/info/" if site == SITE else "https://news.example2.edu.cn/xw/"
    return f"{base}{n:04d}.htm"


ARTICLES = [Article(url=url_of(n, site), site=site, title=title, body=body, published=day,
                    department=JW, column=column) for n, site, title, body, day, column in _ROWS]
ID = {n: article_id(url_of(n, site)) for n, site, *_ in _ROWS}
MEETING_STORY = {ID[1], ID[2], ID[3]}
NOTICE_STORY = {ID[4], ID[5]}
SPORTS_STORY = {ID[7], ID[8]}


def build(index_dir: Path) -> Path:
    assert build_index(ARTICLES, index_dir) == len(ARTICLES)
    return index_dir


def make_app(index_dir: Path, data_dir: Path):
    return create_app({"DATA_DIR": data_dir, "INDEX_DIR": index_dir, "TESTING": True, "QUERY_LOG": False,
                       "TODAY": TODAY, "SITES": SITES})


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory, engine_name: str) -> Path:
    return build(tmp_path_factory.mktemp("fold-index") / "index")


@pytest.fixture()
def app(index_dir: Path, tmp_path: Path):
    app = make_app(index_dir, tmp_path)
    yield app
    app.extensions["news_engine"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


def page(client, url: str, status: int = 200) -> str:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.headers.get("Location"), r.data[:300])
    return r.get_data(as_text=True)


def api(client, url: str, status: int = 200) -> dict:
    r = client.get(url)
    assert r.status_code == status, (url, r.status_code, r.data[:300])
    return r.get_json()


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(unescape(url)).query)


def hits_of(html: str) -> list[str]:
    return re.findall(r'<li class="hit">.*?</li>\n    (?=<li class="hit">|</ol>)', html, re.S)


def titles_of(html: str) -> list[str]:
    return [re.sub(r"</?mark>", "", t) for t in
            re.findall(r'<h2 class="hit-title">\s*<a href="[^"]*">(.*?)</a>', html, re.S)]


def ids_of(client, url: str) -> list[str]:
    return [h["id"] for h in api(client, url)["hits"]]


def details_of(html: str) -> list[str]:
    return re.findall(r'<details class="similar">.*?</details>', html, re.S)


# -- the page: one result a story, its fold, the story listed whole ------------------------------
def test_the_page_shows_each_story_once_with_its_fold(client):
    html = page(client, "/search?q=产教融合")
    assert re.search(r"找到约 6 条结果，合为 3 篇，用时 \d+\.\d{3} 秒", html)
    assert len(titles_of(html)) == 3
    hits = ids_of(client, "/api/search?q=产教融合")
    assert len({h for h in hits} & MEETING_STORY) == 1 and len(set(hits) & NOTICE_STORY) == 1
    folds = details_of(html)
    assert len(folds) == 2          # the meeting and the notice; the 年会 stands alone
    meeting = next(f for f in folds if "另有 2 篇相似新闻" in f)
    assert re.search(r"<summary>另有 2 篇相似新闻</summary>", meeting)
    leader = next(h for h in hits if h in MEETING_STORY)
    # each near-duplicate: its title linked as a hit's is (the original address), with its date
    listed = re.findall(r'<li><a href="([^"]*)">([^<]*)</a> <time datetime="([^"]*)">([^<]*)</time></li>', meeting)
    want = {(url_of(n, site), title, day) for n, site, title, _, day, _ in _ROWS
            if ID[n] in MEETING_STORY - {leader}}
    assert {(u, t, d) for u, t, _, d in listed} == want
    # and the link to the whole story: the same search, near its leader
    link = re.search(r'<p class="similar-all"><a href="([^"]*)">查看全部 3 篇</a></p>', meeting).group(1)
    assert urlsplit(unescape(link)).path == "/search"
    assert query_of(link) == {"q": ["产教融合"], "near": [leader]}
    notice = next(f for f in folds if "另有 1 篇相似新闻" in f)
    assert "查看全部 2 篇" in notice
    # the toggle: folding off
    toggle = re.search(r'<a class="fold-toggle" href="([^"]*)">不合并相似新闻</a>', html).group(1)
    assert query_of(toggle) == {"q": ["产教融合"], "fold": ["0"]}


def test_the_whole_story_is_listed_one_article_a_result(client):
    html = page(client, "/search?q=产教融合")
    link = unescape(re.search(r'<a href="([^"]*)">查看全部 3 篇</a>', html).group(1))
    story = page(client, link)
    assert ids_of(client, "/api" + link) and set(ids_of(client, "/api" + link)) == MEETING_STORY
    assert len(titles_of(story)) == 3 and not details_of(story)
    assert re.search(r"找到约 3 条结果，用时", story) and "合为" not in story
    note = re.search(r'<p class="notice near-note">(.*?)</p>', story).group(1)
    assert "同一篇新闻的 3 篇文章" in note
    back = re.search(r'<a href="([^"]*)">返回合并相似新闻的结果</a>', note).group(1)
    assert query_of(back) == {"q": ["产教融合"]}
    assert "fold-toggle" not in story
    # its links keep the story: the sort, the snapshot's way back
    # (the sort is a select of the query form: the story rides along, outside the <form>)
    leader = query_of(link)["near"][0]
    assert f'<input type="hidden" form="search-form" name="near" value="{leader}">' in story
    by_date = client.get("/search", query_string=[("q", "产教融合"), ("prev", "产教融合"), ("near", leader),
                                                   ("sort", "date"), ("apply", "1")])
    assert query_of(by_date.headers["Location"]) == {"q": ["产教融合"], "near": [leader], "sort": ["date"]}
    # a new query typed into the box leaves the story behind
    other = client.get("/search", query_string=[("q", "运动会"), ("prev", "产教融合"), ("near", leader)])
    assert query_of(other.headers["Location"]) == {"q": ["运动会"]}
    snap = unescape(re.search(r'<a class="snapshot" href="([^"]*)"', story).group(1))
    assert query_of(snap)["near"] == query_of(link)["near"]
    # the query box starts a folded search: near is not carried
    form = re.search(r'<form id="search-form".*?</form>', story, re.S).group(0)
    assert 'name="near"' not in form and 'name="fold"' not in form


def test_a_story_under_filters_and_one_that_is_not_there(client):
    html = page(client, "/search?q=产教融合&from=2023-01-01")
    assert "找到约 5 条结果，合为 3 篇" in html
    assert "另有 1 篇相似新闻" in html and "另有 2 篇" not in html
    html = page(client, f"/search?q=产教融合&near={'0' * 16}")
    assert "没有找到这组相似新闻" in html and "返回合并相似新闻的结果" in html
    assert "Traceback" not in html


def test_fold_0_lists_every_article(client):
    html = page(client, "/search?q=产教融合&fold=0")
    assert len(titles_of(html)) == 6 and not details_of(html)
    assert re.search(r"找到约 6 条结果，用时", html) and "合为" not in html
    toggle = re.search(r'<a class="fold-toggle" href="([^"]*)">合并相似新闻</a>', html).group(1)
    assert query_of(toggle) == {"q": ["产教融合"]}
    # every link of the page keeps it, and the query box carries it
    links = [u for u in re.findall(r'href="(/(?:search|article/[0-9a-f]+|subscribe|feed)\?[^"#]*)', unescape(html))
             if u != unescape(toggle)]
    assert len(links) > 6 and all(query_of(u).get("fold") == ["0"] for u in links)
    form = re.search(r'<form id="search-form".*?</form>', html, re.S).group(0)
    assert '<input type="hidden" name="fold" value="0">' in form
    # a new query typed into the box keeps it (as it keeps the sort and the size)
    r = client.get("/search", query_string={"q": "运动会", "prev": "产教融合", "fold": "0"})
    assert r.status_code == 302 and query_of(r.headers["Location"]) == {"q": ["运动会"], "fold": ["0"]}


def test_pages_count_stories(client):
    assert len(ids_of(client, "/api/search?q=产教融合&size=2")) == 2
    assert len(ids_of(client, "/api/search?q=产教融合&size=2&page=2")) == 1
    html = page(client, "/search?q=产教融合&size=2")
    pager = re.search(r'<nav class="pager".*?</nav>', html, re.S).group(0)
    assert "第 2 页" in pager and "第 3 页" not in pager
    html = page(client, "/search?q=产教融合&size=2&page=3")
    assert "这一页已经没有结果了" in html and "没有找到" not in html
    # unfolded, the same search has three pages
    assert "第 3 页" in page(client, "/search?q=产教融合&size=2&fold=0")


def test_more_matches_than_the_fold_window(client, monkeypatch):
    import indexer.search
    monkeypatch.setattr(indexer.search, "FOLD_FIRST", 2)
    monkeypatch.setattr(indexer.search, "FOLD_FIRST_COLUMNS", 2)
    monkeypatch.setattr(indexer.search, "FOLD_WINDOW", 4)   # the newest 4 of 9: three stories
    data = api(client, "/api/search?size=2&sort=date")
    assert data["total"] == 9 and data["stories"] is None and len(data["hits"]) == 2
    html = page(client, "/search?size=2")
    assert "找到约 9 条结果，用时" in html and "合为" not in html and 'rel="next"' in html
    # the short page is the last one; a page past it says so, with no way further
    html = page(client, "/search?size=2&page=2")
    assert html.count('<li class="hit">') == 1 and 'rel="next"' not in html
    html = page(client, "/search?size=2&page=3")
    assert "这一页已经没有结果了" in html and "没有找到" not in html and 'rel="next"' not in html


def test_similar_titles_are_escaped(client):
    html = page(client, "/search?q=运动会")
    fold = details_of(html)[0]
    assert "&lt;b&gt;转载&lt;/b&gt;：学校举行田径运动会" in fold and "<b>" not in html
    data = api(client, "/api/search?q=运动会")
    assert data["hits"][0]["similar"][0]["title"] == ESCAPED     # plain text in JSON


# -- the API -------------------------------------------------------------------------------
def test_the_api_carries_the_fold(client):
    data = api(client, "/api/search?q=产教融合")
    assert (data["total"], data["stories"], data["fold"], data["near"]) == (6, 3, True, None)
    assert list(data)[:7] == ["query", "total", "stories", "page", "size", "fold", "near"]
    for hit in data["hits"]:
        assert isinstance(hit["similar"], list)
        for s in hit["similar"]:
            assert list(s) == ["id", "url", "title", "published"]
    got = {h["id"]: {s["id"] for s in h["similar"]} for h in data["hits"]}
    assert sorted(len(v) for v in got.values()) == [0, 1, 2]
    assert any({k} | v == MEETING_STORY for k, v in got.items())
    assert any({k} | v == NOTICE_STORY for k, v in got.items())
    meeting = next(h for h in data["hits"] if h["id"] in MEETING_STORY)
    assert {(s["url"], s["published"]) for s in meeting["similar"]} == \
        {(url_of(n, site), day) for n, site, _, _, day, _ in _ROWS if ID[n] in MEETING_STORY - {meeting["id"]}}

    flat = api(client, "/api/search?q=产教融合&fold=0")
    assert (flat["total"], flat["stories"], flat["fold"], flat["near"]) == (6, None, False, None)
    assert len(flat["hits"]) == 6 and all(h["similar"] == [] for h in flat["hits"])

    story = api(client, f"/api/search?q=产教融合&near={meeting['id']}")
    assert (story["total"], story["stories"], story["fold"], story["near"]) == (3, 1, False, meeting["id"])
    assert {h["id"] for h in story["hits"]} == MEETING_STORY
    # near=… implies fold=0, whatever fold says
    assert api(client, f"/api/search?q=产教融合&near={meeting['id']}&fold=1")["hits"] == story["hits"]
    # a date browse folds too
    browse = api(client, "/api/search")
    assert (browse["total"], browse["stories"]) == (9, 5)


@pytest.mark.parametrize("sent,canonical", [
    ("q=产教融合&fold=1", "q=产教融合"),
    ("q=产教融合&fold=true", "q=产教融合"),
    ("q=产教融合&fold=off", "q=产教融合&fold=0"),
    ("q=产教融合&fold=", "q=产教融合"),
    (f"q=产教融合&near={ID[1].upper()}", f"q=产教融合&near={ID[1]}"),
    (f"q=产教融合&near={ID[1]}&fold=0", f"q=产教融合&near={ID[1]}"),
    (f"q=产教融合&near=&fold=0", "q=产教融合&fold=0"),
])
def test_fold_and_near_in_canonical_addresses(client, sent, canonical):
    r = client.get(f"/search?{sent}")
    assert r.status_code == 302
    assert query_of(r.headers["Location"]) == parse_qs(canonical)
    assert client.get(r.headers["Location"]).status_code == 200


@pytest.mark.parametrize("params,says", [
    ({"fold": "2"}, "“合并相似新闻”的取值只能是 1 或 0"),
    ({"near": "xyz"}, "相似新闻的编号“xyz”无效"),
    ({"near": "0" * 15}, "16 位十六进制数字"),
    ({"near": ["0" * 16, "1" * 16]}, "只能填写一个"),
    ({"fold": ["0", "1"]}, "只能填写一个"),
])
def test_bad_fold_and_near_are_400(client, params, says):
    r = client.get("/api/search", query_string={"q": "产教融合", **params})
    assert r.status_code == 400 and says in r.get_json()["error"]
    r = client.get("/search", query_string={"q": "产教融合", **params})
    body = unescape(r.get_data(as_text=True))
    assert r.status_code == 400 and says in body and "Traceback" not in body
    if not any(isinstance(v, list) for v in params.values()):
        link = re.search(r'<a href="([^"]*)">去掉这个条件，重新搜索</a>', body).group(1)
        assert query_of(link) == {"q": ["产教融合"]}


# -- the home page and the feed ------------------------------------------------------------
def test_the_newest_articles_show_each_story_once(client):
    html = page(client, "/")
    latest = re.search(r'<section class="latest".*?</section>', html, re.S).group(0)
    titles = re.findall(r'<li>\s*<a href="[^"]*">([^<]*)</a>', latest)
    assert len(titles) == 5 == len(set(titles))
    urls = re.findall(r'<li>\s*<a href="([^"]*)">', latest)
    # each story by its newest article (the list is newest first)
    assert url_of(1, SITE) in urls and url_of(2, SITE) not in urls and url_of(3, SITE2) not in urls
    assert url_of(8, SITE2) in urls and url_of(7, SITE) not in urls


def test_the_feed_shows_each_story_once(client):
    feed = client.get("/feed?q=产教融合").get_data(as_text=True)
    assert feed.count("<entry>") == 3
    assert client.get("/feed?q=产教融合&fold=0").get_data(as_text=True).count("<entry>") == 6
