"""Attachments, end to end: a small VSB-like site on 127.0.0.1 whose articles link
and embed real documents (Word files written by python-docx, PDFs with Chinese
text in a CID font), crawled by the real ``news-indexer update`` into a real
store and index, searched through the engine, the page and the API.

What must hold: an article found by what only its attachment says, its snippet
saying which attachment; a PDF-only article's text is its body and is
searchable; an attachment off the allowed hosts, too large, missing or
unreadable is skipped with a warning (never a failure, exit status 0); a page
with no text at all is stored and warned about as ``no-text``; a second crawl
reuses the text it read (304, or the same bytes) without reading the file again.
"""
from __future__ import annotations

import contextlib
import io
import json
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest

from indexer import attachtext, paths
from indexer.cli import main
from indexer.results import Query
from indexer.search import SearchEngine
from indexer.store import Store
from tests.hostile_server import HostileServer, Response
from tests.test_attachtext import _cid_pdf
from tests.test_crawl import article_html, list_html
from webui import create_app

RECENT = (date.today() - timedelta(days=1)).isoformat()   # re-checked by every run
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes(*paragraphs: str) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def pdf_bytes(*lines: str) -> bytes:
    """A PDF of paragraphs, each a line (indented after the first, so that none runs on)."""
    return _cid_pdf([(40 + (24 if i else 0), 780 - 20 * i, line) for i, line in enumerate(lines)])


def link(href: str, name: str) -> str:
    return f'<p>附件：<a href="{href}">{name}</a></p>'


def embed(src: str) -> str:
    return f'<script>showVsbpdfIframe("{src}","100%","800","0","")</script>'


def page(title: str, body: str, extra: str = "") -> str:
    html = article_html(title, RECENT, body, extra=extra)
    return html.replace("<p></p>", "") if not body else html


class Validated:
    """A file served with an ETag and Last-Modified, answering 304 when asked
    with them; counts its answers by status."""

    def __init__(self, server: HostileServer, path: str, data: bytes, ctype: str) -> None:
        self.data, self.ctype, self.etag = data, ctype, f'"{abs(hash(data)) % 10**8}"'
        self.answers: list[int] = []
        server.route(path, self)

    def __call__(self, req) -> Response:
        headers = {"ETag": self.etag, "Last-Modified": "Wed, 01 May 2024 08:00:00 GMT"}
        if req.headers.get("If-None-Match") == self.etag:
            self.answers.append(304)
            return Response(304, b"", None, headers)
        self.answers.append(200)
        return Response(200, self.data, self.ctype, headers)


def write_site(tmp: Path, server: HostileServer, limits: str = "max_attachment_bytes = 100000") -> Path:
    toml = tmp / "att.toml"
    toml.write_text(f"""id = "att"
name = "测试职业技术学院"
base_url = "{server.url('/')}"
profile = "vsb"
lists = ["xwzx.htm"]

[politeness]
delay = 0.0
timeout = 2.0
retries = 0

[limits]
{limits}
""", encoding="utf-8")
    return toml


def update(data_dir: Path, toml: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--data-dir", str(data_dir), "update", "--site", str(toml), "--quiet"])
    return code, out.getvalue() + err.getvalue()


def cli(*argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(list(argv)) == 0
    return out.getvalue()


SYLLABUS = ["人工智能通识课程教学大纲", "第一章 机器学习导论", "面向全校学生开设5G智慧校园应用实践。"]
PLAN = ["智慧农业实训基地建设实施方案", "建设周期为两年。"]
ONLY = ["关于公布2024年专升本招生计划的通知", "各专业招生计划共计一千二百人。"]
LINKS = [("/info/1001/301.htm", "课程建设通知"), ("/info/1001/302.htm", "招生计划公示"),
         ("/info/1001/303.htm", "外站附件"), ("/info/1001/304.htm", "大文件"),
         ("/info/1001/305.htm", "坏文件"), ("/info/1001/306.htm", "扫描件")]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory, engine_name):
    tmp = tmp_path_factory.mktemp("att")
    with HostileServer(defaults=False) as s:
        s.set_robots(None)
        s.static("/xwzx.htm", list_html("新闻中心", LINKS, ["xwzx.htm"], None))
        s.static("/info/1001/301.htm", page(
            "关于开展课程建设工作的通知", "学院开展课程建设工作，请各教研室按附件要求准备材料。",
            link("/files/plan.docx", "课程大纲.docx") + link("/files/plan.pdf", "实施方案.pdf")
            + link("/files/pics.zip", "照片.zip")))
        s.static("/info/1001/302.htm", page("专升本招生计划公示", "", embed("/files/only.pdf")))
        s.static("/info/1001/303.htm", page("关于转发上级文件的通知", "现将上级文件转发给你们。",
                                            link(s.alt_url("/files/off.pdf"), "上级文件.pdf")))
        s.static("/info/1001/304.htm", page("关于印发年度报告的通知", "现将年度报告印发给你们。",
                                            link("/files/big.pdf", "年度报告.pdf")))
        s.static("/info/1001/305.htm", page("关于报送材料的通知", "请按时报送材料。",
                                            link("/files/broken.docx", "报送表.docx")
                                            + link("/files/gone.pdf", "已删除.pdf")))
        s.static("/info/1001/306.htm", page("扫描版会议纪要公布", "", embed("/files/scan.pdf")))
        s.static("/files/plan.docx", docx_bytes(*SYLLABUS), content_type=DOCX)
        Validated(s, "/files/plan.pdf", pdf_bytes(*PLAN), "application/pdf")
        s.static("/files/pics.zip", b"PK\x03\x04" + b"\0" * 100, content_type="application/zip")
        s.static("/files/only.pdf", pdf_bytes(*ONLY), content_type="application/pdf")
        s.static("/files/off.pdf", pdf_bytes(*PLAN), content_type="application/pdf")
        s.static("/files/big.pdf", b"%PDF-1.4\n" + b"0" * 150_000, content_type="application/pdf")
        s.static("/files/broken.docx", b"PK\x03\x04 this is not a Word file" * 10, content_type=DOCX)
        scanned = _cid_pdf([(40, 780, "关于招生的通知")], encoding="Identity-H", ordering="Identity")
        s.static("/files/scan.pdf", scanned, content_type="application/pdf")
        toml = write_site(tmp, s)
        data_dir = tmp / "data"
        code, output = update(data_dir, toml)
        hits = {r.path: r for r in s.requests}
        hosts = [(r.host, r.path) for r in s.requests]
    yield {"dir": data_dir, "code": code, "output": output, "base": s.url("/"), "hits": hits, "hosts": hosts}


@pytest.fixture(scope="module")
def engine(crawled):
    e = SearchEngine(paths.index_path(crawled["dir"]))
    yield e
    e.close()


@pytest.fixture(scope="module")
def client(crawled):
    app = create_app({"DATA_DIR": crawled["dir"], "TESTING": True, "QUERY_LOG": False})
    yield app.test_client()
    app.extensions["news_engine"].close()


def stored(crawled, path: str):
    with Store(paths.store_path(crawled["dir"])) as st:
        return st.get_article(crawled["base"] + path.lstrip("/"))


def failing(crawled) -> dict[str, tuple[str, bool]]:
    with Store(paths.store_path(crawled["dir"])) as st:
        return {r["url"].replace(crawled["base"], "/").replace("http://localhost:", "localhost:"):
                (r["reason"], bool(r["warning"])) for r in st.failing()}


def test_the_run_succeeds_with_warnings_only(crawled):
    assert crawled["code"] == 0, crawled["output"]
    line = next(x for x in crawled["output"].splitlines() if x.startswith("site=att"))
    counts = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    assert counts["new"] == "6" and counts["failed"] == "0"
    # the list, six articles, and the attachments fetched: plan.docx, plan.pdf, only.pdf,
    # big.pdf, broken.docx, gone.pdf, scan.pdf
    assert counts["fetched"] == str(1 + 6 + 7)


def test_attachments_text_is_stored_with_the_article(crawled):
    a = stored(crawled, "/info/1001/301.htm")
    by_name = {x.name: x for x in a.attachments}
    assert by_name["课程大纲.docx"].text.splitlines() == SYLLABUS
    assert by_name["实施方案.pdf"].text.splitlines() == PLAN
    assert by_name["照片.zip"].text == ""            # not a readable kind: not fetched at all
    assert "/files/pics.zip" not in crawled["hits"]
    assert a.body == "学院开展课程建设工作，请各教研室按附件要求准备材料。"   # the body stays its own
    with Store(paths.store_path(crawled["dir"])) as st:
        row = st.get_page(crawled["base"] + "files/plan.pdf")
    assert row.kind == "attachment" and row.etag and row.last_modified and row.body_hash and row.error is None


def test_a_pdf_only_article_takes_the_pdf_text_as_its_body(crawled, engine):
    a = stored(crawled, "/info/1001/302.htm")
    assert a.body.splitlines() == ONLY
    assert a.attachments[0].embedded and a.attachments[0].text == a.body
    res = engine.search(Query(text="一千二百人"))
    assert [h.url for h in res.hits] == [a.url]
    assert res.hits[0].attachment is None and "<mark>一千二百人</mark>" in res.hits[0].snippet_html
    assert engine.search(Query(text='"2024年专升本招生计划"')).total == 1   # a mixed clause, verified


def test_an_attachment_only_match_finds_the_article_and_names_the_attachment(crawled, engine):
    url = crawled["base"] + "info/1001/301.htm"
    for q, name in (("人工智能通识课程", "课程大纲.docx"), ("机器学习导论", "课程大纲.docx"),
                    ("智慧农业实训基地", "实施方案.pdf"), ("5G智慧校园", "课程大纲.docx")):
        res = engine.search(Query(text=q))
        assert [h.url for h in res.hits] == [url], q
        hit = res.hits[0]
        assert hit.attachment == name, q
        assert "<mark>" in hit.snippet_html, q
    # a match in the body: the body's snippet, no attachment named
    hit = engine.search(Query(text="教研室")).hits[0]
    assert hit.url == url and hit.attachment is None
    # titles only: attachments are not searched
    assert engine.search(Query(text="人工智能通识课程", title_only=True)).total == 0
    # excluding a word an attachment holds excludes its article
    assert url not in {h.url for h in engine.search(Query(text="通知 -机器学习导论", size=50)).hits}


def test_the_page_and_the_api_label_the_attachment(client):
    r = client.get("/api/search", query_string={"q": "人工智能通识课程"})
    assert r.status_code == 200
    data = r.get_json()
    assert data["total"] == 1
    hit = data["hits"][0]
    assert hit["attachment"] == "课程大纲.docx" and "<mark>人工智能通识课程</mark>" in hit["snippet"]
    body_hit = client.get("/api/search", query_string={"q": "教研室"}).get_json()["hits"][0]
    assert body_hit["attachment"] is None
    html = client.get("/search", query_string={"q": "人工智能通识课程"}).get_data(as_text=True)
    assert '<span class="attachment">附件：课程大纲.docx</span>' in html
    assert "附件：" not in client.get("/search", query_string={"q": "教研室"}).get_data(as_text=True)


def test_attachments_off_the_hosts_too_large_missing_or_unreadable_are_warnings(crawled):
    rows = failing(crawled)
    port = crawled["base"].rsplit(":", 1)[1].rstrip("/")
    assert rows[f"localhost:{port}/files/off.pdf"] == ("attachment-offsite", True)
    assert ("localhost", "/files/off.pdf") not in crawled["hosts"]        # never fetched
    assert rows["/files/big.pdf"] == ("attachment-too-large", True)
    assert rows["/files/broken.docx"] == ("attachment-corrupt", True)
    assert rows["/files/gone.pdf"] == ("attachment-http-404", True)
    assert rows["/files/scan.pdf"] == ("attachment-no-text", True)
    for path in ("/info/1001/303.htm", "/info/1001/304.htm", "/info/1001/305.htm"):
        a = stored(crawled, path)
        assert a is not None and a.body and all(not x.text for x in a.attachments), path
    out = cli("--data-dir", str(crawled["dir"]), "stats", "--failures")
    warnings = next(x for x in out.splitlines() if x.startswith("warnings by reason:"))
    for reason in ("attachment-offsite", "attachment-too-large", "attachment-corrupt",
                   "attachment-http-404", "attachment-no-text", "no-text"):
        assert f"{reason}=1" in warnings, warnings
    assert "errors by reason" not in out
    assert "max_attachment_bytes" in out   # the detail names the limit to raise


def test_a_page_with_no_text_at_all_is_stored_and_warned_about(crawled, engine):
    a = stored(crawled, "/info/1001/306.htm")
    assert a is not None and a.body == ""                  # not its title, not its info line
    assert failing(crawled)["/info/1001/306.htm"] == ("no-text", True)
    res = engine.search(Query(text="扫描版会议纪要"))
    assert [h.url for h in res.hits] == [a.url]            # its title is still findable


def test_a_second_crawl_reuses_the_text_it_read(tmp_path, monkeypatch, engine_name):
    with HostileServer(defaults=False) as s:
        s.set_robots(None)
        s.static("/xwzx.htm", list_html("新闻中心", [("/info/1001/401.htm", "课程建设通知")], ["xwzx.htm"], None))
        s.static("/info/1001/401.htm", page("关于开展课程建设工作的通知", "学院开展课程建设工作。",
                                            link("/files/plan.pdf", "实施方案.pdf")
                                            + link("/files/plan.docx", "课程大纲.docx")))
        pdf = Validated(s, "/files/plan.pdf", pdf_bytes(*PLAN), "application/pdf")
        s.static("/files/plan.docx", docx_bytes(*SYLLABUS), content_type=DOCX)   # no validators
        toml = write_site(tmp_path, s, limits="")
        data_dir = tmp_path / "data"
        assert update(data_dir, toml)[0] == 0
        reads: list[str] = []
        real = attachtext.attachment_text

        def counting(data, name="", content_type=None, **kw):
            reads.append(name)
            return real(data, name, content_type, **kw)
        monkeypatch.setattr(attachtext, "attachment_text", counting)
        code, output = update(data_dir, toml)
        assert code == 0, output
        assert pdf.answers == [200, 304]
        assert s.count("/files/plan.docx") == 2               # fetched again: the same bytes
        assert reads == []                                    # neither file was read again
        line = next(x for x in output.splitlines() if x.startswith("site=att"))
        assert "changed=0" in line                            # the same texts: the same article
    with Store(paths.store_path(data_dir)) as st:
        a = st.get_article(s.url("/info/1001/401.htm"))
    assert {x.name: x.text.splitlines() for x in a.attachments} == {"实施方案.pdf": PLAN, "课程大纲.docx": SYLLABUS}
    e = SearchEngine(paths.index_path(data_dir))
    try:
        assert e.search(Query(text="智慧农业实训基地")).hits[0].attachment == "实施方案.pdf"
    finally:
        e.close()


def test_attachment_fetches_count_against_the_page_budget(tmp_path, engine_name):
    with HostileServer(defaults=False) as s:
        s.set_robots(None)
        s.static("/xwzx.htm", list_html("新闻中心", [("/info/1001/501.htm", "通知")], ["xwzx.htm"], None))
        s.static("/info/1001/501.htm", page("关于开展课程建设工作的通知", "学院开展课程建设工作。",
                                            link("/files/a.docx", "甲.docx") + link("/files/b.docx", "乙.docx")))
        s.static("/files/a.docx", docx_bytes("甲文件的内容"), content_type=DOCX)
        s.static("/files/b.docx", docx_bytes("乙文件的内容"), content_type=DOCX)
        toml = write_site(tmp_path, s, limits="max_pages = 3")   # the list, the article, one attachment
        code, output = update(tmp_path / "data", toml)
        assert code == 0, output
        assert s.count("/files/a.docx") == 1 and s.count("/files/b.docx") == 0
    with Store(paths.store_path(tmp_path / "data")) as st:
        a = st.get_article(s.url("/info/1001/501.htm"))
    assert [x.text for x in a.attachments] == ["甲文件的内容", ""]


def test_max_attachment_bytes_is_validated(tmp_path):
    from indexer.sites import ConfigError, load_site
    f = tmp_path / "s.toml"
    base = 'id = "x"\nname = "x"\nbase_url = "https://x.edu.cn/"\nlists = ["a.htm"]\n'
    f.write_text(base + "[limits]\nmax_attachment_bytes = 1000000\n", encoding="utf-8")
    assert load_site(f).max_attachment_bytes == 1_000_000
    f.write_text(base, encoding="utf-8")
    assert load_site(f).max_attachment_bytes == 20_000_000
    f.write_text(base + "[limits]\nmax_attachment_bytes = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="limits.max_attachment_bytes"):
        load_site(f)
    f.write_text(base + "max_attachment_bytes = 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"belongs under \[limits\]"):
        load_site(f)


def test_the_api_hit_always_has_the_attachment_key(client):
    data = json.loads(client.get("/api/search", query_string={"q": "通知"}).data)
    assert data["hits"] and all("attachment" in h for h in data["hits"])
