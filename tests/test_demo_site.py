"""The bundled demo site (data/demo-site/) and its truth file: generated
deterministically by tools/make_demo_site.py, complete, and internally consistent."""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "data" / "demo-site"
TRUTH = ROOT / "data" / "demo-truth.jsonl"
GENERATOR = ROOT / "tools" / "make_demo_site.py"
LISTS = {"xyxw": "学院新闻", "tzgg": "通知公告", "mtjj": "媒体聚焦", "xshd": "学术活动", "djgz": "党建工作"}
CANONICAL = {"智能制造学院", "信息工程学院", "经济管理学院", "建筑工程学院", "汽车工程学院", "现代农业学院",
             "医学健康学院", "马克思主义学院", "教务处", "学生工作处", "招生就业处", "科研处", "发展规划与产教融合处",
             "党委宣传部", "国际交流与合作处", "团委", "体育部", "图书馆"}


@pytest.fixture(scope="module")
def truth() -> list[dict]:
    return [json.loads(line) for line in TRUTH.read_text(encoding="utf-8").splitlines() if line.strip()]


def good(truth: list[dict]) -> list[dict]:
    return [t for t in truth if "malformed" not in t["case"]]


def read_page(path: Path) -> str:
    raw = path.read_bytes()
    head = raw[:400].decode("ascii", "replace").lower()
    return raw.decode("gb18030" if "charset=gb2312" in head else "utf-8")


def tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def body_of(soup: BeautifulSoup) -> str:
    """The paragraphs of the content area, without a closing credit line
    (（X供稿）, （记者 X）), which names who wrote the article and is no body text."""
    box = soup.select_one(".v_news_content")
    lines = [p.get_text().strip() for p in box.find_all("p")]
    lines = [x for x in lines if x]
    if lines and re.fullmatch(r"[（(](?:[^（）()]{2,40}供稿|(?:本报|本刊)?记者[^（）()]{1,40})[）)]", lines[-1]):
        lines.pop()
    return "\n".join(lines)


def test_generator_reproduces_the_committed_site_byte_for_byte(tmp_path):
    out, truth_file = tmp_path / "site", tmp_path / "truth.jsonl"
    done = subprocess.run([sys.executable, str(GENERATOR), "--out", str(out), "--truth", str(truth_file)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert truth_file.read_bytes() == TRUTH.read_bytes()
    assert tree_hashes(out) == tree_hashes(SITE)


def test_generator_refuses_to_delete_a_directory_it_did_not_make(tmp_path):
    victim = tmp_path / "precious"
    victim.mkdir()
    (victim / "keep.txt").write_text("x")
    done = subprocess.run([sys.executable, str(GENERATOR), "--out", str(victim), "--truth",
                           str(tmp_path / "t.jsonl")], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert (victim / "keep.txt").exists()


def test_the_corpus_is_big_and_varied_enough(truth):
    arts = good(truth)
    assert len(arts) >= 420
    assert len({t["path"] for t in truth}) == len(truth)
    columns = Counter(t["column"] for t in arts)
    assert set(columns) == set(LISTS.values()) and min(columns.values()) >= 40
    depts = Counter(t["department"] for t in arts if t["department"])
    assert set(depts) <= CANONICAL
    assert len(depts) >= 14
    assert depts.most_common(2)[0][0] in ("智能制造学院", "党委宣传部")
    assert depts["图书馆"] < depts["智能制造学院"] / 4
    years = {int(t["published"][:4]) for t in arts}
    assert years == set(range(2015, 2027))
    assert max(t["published"][:10] for t in truth) <= "2026-11-28"
    assert min(t["published"][:10] for t in truth) >= "2015-01-01"


def test_awkward_cases_are_all_present(truth):
    cases = Counter(c for t in truth for c in t["case"])
    for tag in ("gbk", "images-only", "attachments", "no-department", "alias", "signature", "reprint",
                "date-cn", "date-time", "malformed", "seed", "closing-fullwidth", "closing-halfwidth",
                "source-line", "supplier-line", "people-line", "outlet-dated"):
        assert cases[tag] >= 1, tag
    assert cases["images-only"] == 1 and cases["malformed"] == 1 and cases["seed"] == 1
    arts = good(truth)
    assert 0.08 <= cases["gbk"] / len(arts) <= 0.15
    only = next(t for t in truth if "images-only" in t["case"])
    assert only["body_starts"] == "" and only["department"] is None
    for t in truth:
        if "reprint" in t["case"]:
            assert t["department"] is None and t["source"]
        elif "no-department" in t["case"]:
            assert t["department"] is None
        elif "malformed" not in t["case"]:
            assert t["department"] in CANONICAL and t["source"] is None
        if "date-time" in t["case"]:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00", t["published"])
        elif "malformed" not in t["case"]:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d", t["published"])


def test_the_seed_article_is_the_2023_annual_meeting(truth):
    seed = next(t for t in truth if "seed" in t["case"])
    assert seed["published"] == "2023-04-22" and seed["department"] == "智能制造学院"
    assert "2023年成渝地区双城经济圈智能制造产教融合发展共同体年会" in seed["title"]
    page = read_page(SITE / seed["path"])
    assert "唱好“双城记”,建好“经济圈”。4月21日下午" in page
    reprint = [t for t in truth if "reprint" in t["case"] and t["published"].startswith("2023-04-2")
               and "智能制造" in t["title"]]
    assert reprint and reprint[0]["source"] == "宜宾日报"


def test_every_article_page_matches_its_truth(truth):
    for t in truth:
        path = SITE / t["path"]
        assert path.is_file(), t["path"]
        raw = path.read_bytes()
        if "malformed" in t["case"]:
            assert b"<title>" not in raw and b"v_news_content" not in raw
            continue
        if t["encoding"] == "gbk":
            assert b'content="text/html; charset=gb2312"' in raw[:600]
            text = raw.decode("gb18030")
            raw.decode("gbk")   # strictly GBK, and everything in it is in GB2312 too
            text.encode("gb2312")
        else:
            assert b'charset="utf-8"' in raw[:300] or b"charset=utf-8" in raw[:600]
            text = raw.decode("utf-8")
        soup = BeautifulSoup(text, "lxml")
        assert soup.title.get_text() == f"{t['title']}-蜀江职业技术学院"
        assert t["title"] in text
        body = body_of(soup)
        assert body.startswith(t["body_starts"]), t["path"]
        if "signature" in t["case"]:
            # a notice's closing tail (contact line, unit, date) follows the text a reader reads
            tail = body[body.rindex(t["body_ends"]) + len(t["body_ends"]):]
            assert tail.startswith("\n") and 2 <= tail.count("\n") <= 3, t["path"]
        else:
            assert body.endswith(t["body_ends"]), t["path"]
        if body:
            assert 300 <= len(body) <= 2500, (t["path"], len(body))
            assert 3 <= body.count("\n") + 1 <= 12, t["path"]
        assert len(t["phrases"]) == 3 and len(set(t["phrases"])) == 3
        for ph in t["phrases"]:
            assert 4 <= len(ph) <= 10 and (ph in body or (not body and ph in t["title"])), (t["path"], ph)
        assert f">{t['column']}</a> &gt" in text   # the breadcrumb names the column
        for img in soup.select(".v_news_content img"):
            assert (path.parent / img["src"]).resolve().is_file()
        for a in soup.select('a[href$=".pdf"], a[href$=".doc"]'):
            assert (path.parent / a["href"]).resolve().is_file()


def list_pages() -> list[Path]:
    pages = []
    for stem in LISTS:
        pages.append(SITE / f"{stem}.htm")
        pages.extend(sorted((SITE / stem).glob("*.htm")))
    return pages


def test_list_pages_link_every_article_newest_first_and_paginate(truth):
    linked: list[str] = []
    for stem, name in LISTS.items():
        first = SITE / f"{stem}.htm"
        inner = sorted((SITE / stem).glob("*.htm"), key=lambda p: -int(p.stem))
        pages = [first] + inner          # VSB counts down: xyxw.htm, xyxw/N.htm … xyxw/1.htm
        assert [int(p.stem) for p in inner] == list(range(len(inner), 0, -1))
        dates: list[str] = []
        for k, page in enumerate(pages, 1):
            soup = BeautifulSoup(read_page(page), "lxml")
            assert f"当前位置" in soup.select_one(".dqwz").get_text()
            items = soup.select("ul.news-list li")
            assert 1 <= len(items) <= 20 and (len(items) == 20 or k == len(pages))
            for li in items:
                a = li.find("a")
                target = (page.parent / a["href"]).resolve()
                assert target.is_file(), (page, a["href"])
                linked.append(target.relative_to(SITE.resolve()).as_posix())
                dates.append(li.find("span").get_text())
                full = a["title"]
                shown = a.get_text()
                assert shown == full or (shown.endswith("...") and full.startswith(shown[:-3]) and len(shown) == 25)
            pager = soup.select_one(".p_pages")
            for a in pager.find_all("a"):
                assert (page.parent / a["href"]).resolve().is_file(), (page, a["href"])
            assert f"{k}/{len(pages)}" in soup.get_text()
            nxt = pager.select_one(".p_next a")
            if k < len(pages):
                assert (page.parent / nxt["href"]).resolve() == pages[k].resolve()
            else:
                assert nxt is None
        assert dates == sorted(dates, reverse=True), stem
        assert f"共{sum(1 for t in truth if t['column'] == name)}条" in read_page(first)
    assert sorted(linked) == sorted(t["path"] for t in truth)


def test_one_list_is_served_in_gbk():
    raw = (SITE / "djgz.htm").read_bytes()
    assert b"charset=gb2312" in raw[:300]
    assert "党建工作" in raw.decode("gb18030")


def test_robots_sitemap_home_and_admin(truth):
    robots = (SITE / "robots.txt").read_text()
    assert "User-agent: *" in robots and "Disallow: /admin/" in robots
    assert re.search(r"^Sitemap: http://127\.0\.0\.1:8001/sitemap\.xml$", robots, re.M)
    locs = re.findall(r"<loc>([^<]+)</loc>", (SITE / "sitemap.xml").read_text(encoding="utf-8"))
    assert sorted(locs) == sorted("http://127.0.0.1:8001/" + t["path"] for t in truth)
    home = BeautifulSoup((SITE / "index.htm").read_text(encoding="utf-8"), "lxml")
    hrefs = {a["href"] for a in home.find_all("a")}
    assert {f"{s}.htm" for s in LISTS} <= hrefs and "admin/index.htm" in hrefs
    for h in hrefs:
        assert (SITE / urljoin("", h)).is_file(), h
    assert (SITE / "admin" / "index.htm").is_file()


def test_no_external_resources_and_a_modest_size():
    total = 0
    for p in SITE.rglob("*"):
        if not p.is_file():
            continue
        total += p.stat().st_size
        if p.suffix in (".htm", ".css"):
            text = read_page(p) if p.suffix == ".htm" else p.read_text(encoding="utf-8")
            assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', text), p
            assert "@import" not in text and "url(http" not in text
    assert total < 6_000_000
