"""Command-line ergonomics: global options after the command, ``extract FILE --url``,
``export | head`` ending quietly."""
from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys

from indexer import paths
from indexer.article import Article
from indexer.cli import main
from indexer.store import Store
from tests.hostile_server import HostileServer
from tests.test_crawl import good, list_html


def run(*argv: str, entry=main) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = entry(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_global_options_go_before_or_after_the_command(tmp_path, engine_name):
    with HostileServer(defaults=False) as s:
        s.static("/xwzx.htm", list_html("新闻中心", [(good(s, 1).lstrip("/"), "测试新闻第1号")], ["xwzx.htm"], None))
        conf = tmp_path / "t.toml"
        conf.write_text(f'id = "t"\nname = "测试职业技术学院"\nbase_url = "{s.url("/")}"\nlists = ["xwzx.htm"]\n'
                        '[politeness]\ndelay = 0\n', encoding="utf-8")
        after, before = tmp_path / "after", tmp_path / "before"
        code, out, err = run("update", "--site", str(conf), "--data-dir", str(after), "-v", "--quiet")
        assert code == 0, err
        assert "new=1" in out and paths.store_path(after).exists()
        code, out, _ = run("--data-dir", str(before), "update", "--site", str(conf), "-q")
        assert code == 0 and paths.store_path(before).exists()
    # the one after the command wins over the one before it; absent, the one before stands
    code, out, _ = run("--data-dir", str(before), "stats", "--data-dir", str(after))
    assert code == 0 and "site t: 1 articles" in out
    code, out, _ = run("--data-dir", str(after), "stats")
    assert code == 0 and "site t: 1 articles" in out


def test_news_web_takes_data_dir_before_or_after_the_command(tmp_path):
    from webui.cli import build_parser
    from webui.cli import main as web_main
    for argv in (["--data-dir", str(tmp_path), "top-queries"], ["top-queries", "--data-dir", str(tmp_path)]):
        code, out, _ = run(*argv, entry=web_main)
        assert code == 0 and str(tmp_path) in out
    p = build_parser()
    assert str(p.parse_args(["--data-dir", "A", "serve"]).data_dir) == "A"
    assert str(p.parse_args(["serve", "--data-dir", "B"]).data_dir) == "B"
    assert p.parse_args(["serve"]).data_dir is None


SAVED = """<html><head><meta charset="utf-8"><title>附件下载通知-测试大学</title></head><body>
<div class="article"><h1 class="arti_title">关于公布年度招生计划的通知</h1>
<div class="entry"><p>各学院：现将年度招生计划公布如下，详见附件。请各单位认真做好宣传工作。</p>
<p>附件：<a href="../../_upload/article/files/plan.pdf">招生计划.pdf</a></p>
<p><img src="../../_upload/article/images/a.jpg" alt="招生宣传"></p></div></div></body></html>"""


def test_extract_a_saved_page_as_if_fetched_from_its_address(tmp_path):
    page = tmp_path / "page.htm"
    page.write_text(SAVED, encoding="utf-8")
    url = "https://www.example.edu.cn/2024/0315/c1234a56789/page.htm"
    code, out, err = run("extract", str(page), "--url", url, "--json")
    assert code == 0, err
    art = json.loads(out)
    assert art["url"] == url
    assert art["published"] and art["published"].startswith("2024-03-15")       # the date in the URL
    assert [a["url"] for a in art["attachments"]] == ["https://www.example.edu.cn/2024/_upload/article/files/plan.pdf"]
    assert art["images"][0]["url"] == "https://www.example.edu.cn/2024/_upload/article/images/a.jpg"
    # without --url, the file's own address
    code, out, _ = run("extract", str(page), "--json")
    assert json.loads(out)["url"].startswith("file://")
    code, _, err = run("extract", str(page), "--url", "www.example.edu.cn/x.htm")
    assert code == 2 and "http(s) address" in err


def test_export_into_a_pipe_that_closes_ends_quietly(tmp_path):
    data = tmp_path / "data"
    with Store(paths.store_path(data)) as store:
        for i in range(400):   # far more than a pipe's buffer
            store.upsert_article(Article(url=f"http://x.edu.cn/info/1/{i}.htm", site="t", title=f"第{i}篇",
                                         body="正文。" * 200, published="2024-01-01"))
    export = subprocess.Popen([sys.executable, "-m", "indexer.cli", "export", "--jsonl", "--data-dir", str(data)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.run(["head", "-1"], stdin=export.stdout, capture_output=True, timeout=60)
    export.stdout.close()
    err = export.stderr.read().decode()
    assert export.wait(timeout=60) == 0, err
    assert "Traceback" not in err and "BrokenPipeError" not in err and err == ""
    assert json.loads(head.stdout.decode())["title"] == "第0篇"
