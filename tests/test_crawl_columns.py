"""The column an article is filed under when its page names none: the list's
configured column, else the column the list page names, else the site's."""
from __future__ import annotations

from datetime import date, timedelta

from indexer.crawl import Crawler
from indexer.sites import load_site
from indexer.store import Store
from tests.hostile_server import HostileServer
from tests.test_crawl import article_html, list_html

RECENT = (date.today() - timedelta(days=1)).isoformat()


def bare_article(title: str, when: str = "2023-03-01") -> str:
    """An article page with no breadcrumb and no section heading: nothing names its column."""
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<form name="_newscontent_fromname"><h1>{title}</h1>'
            f'<div class="info">发布时间：{when}　来源：教务处</div>'
            f'<div id="vsb_content"><p>{title}的正文，这一页没有当前位置导航。</p></div></form></body></html>')


def test_each_list_gives_its_column_to_articles_that_name_none(tmp_path):
    with HostileServer(defaults=False) as s:
        s.static("/info/1001/1.htm", bare_article("列表配置了栏目"))
        s.static("/info/1002/2.htm", bare_article("列表页自己说了栏目"))
        s.static("/info/1003/3.htm", article_html("文章自己有导航", "2023-03-01", "正文自带当前位置导航。"))
        s.static("/info/1004/4.htm", bare_article("最近的文章", RECENT))
        s.static("/xyxw.htm", list_html("学院要闻", [("info/1001/1.htm", "列表配置了栏目"),
                                                   ("info/1003/3.htm", "文章自己有导航")], ["xyxw.htm"], None))
        s.static("/tzgg.htm", list_html("通知公告", [("info/1002/2.htm", "列表页自己说了栏目"),
                                                   ("info/1004/4.htm", "最近的文章")], ["tzgg.htm"], None))
        conf = tmp_path / "site.toml"
        conf.write_text('id = "t"\nname = "测试职业技术学院"\nbase_url = "http://www.example.edu.cn/"\n'
                        'column = "全站的栏目"\n'
                        'lists = [{ path = "xyxw.htm", column = "学院新闻" }, "tzgg.htm"]\n'
                        '[politeness]\ndelay = 0\n', encoding="utf-8")
        site = load_site(conf, base_url=s.url("/"))
        assert site.list_urls == (s.url("/xyxw.htm"), s.url("/tzgg.htm"))   # as before, for other code
        with Store(tmp_path / "crawl.db") as store:
            Crawler(site, store).run()
            columns = {a.title: a.column for a in store.articles()}
            assert columns == {"列表配置了栏目": "学院新闻",        # the lists entry's column
                               "列表页自己说了栏目": "通知公告",    # the list page's own name
                               "文章自己有导航": "新闻中心",        # the page's breadcrumb wins
                               "最近的文章": "通知公告"}
            # a re-check of a recent article (no list in sight) keeps the column it got
            s.clear_log()
            report = Crawler(site, store).run()
            assert s.count("/info/1004/4.htm") == 1 and report.counts.changed == 0
            assert store.get_article(s.url("/info/1004/4.htm")).column == "通知公告"


def test_the_sites_column_is_still_the_last_resort(tmp_path):
    with HostileServer(defaults=False) as s:
        s.static("/info/1001/1.htm", bare_article("无处说栏目"))
        s.static("/list.htm", '<html><head><meta charset="utf-8"><title></title></head><body><ul>'
                 '<li><a href="info/1001/1.htm">无处说栏目</a><span>2023-03-01</span></li></ul></body></html>')
        conf = tmp_path / "site.toml"
        conf.write_text('id = "t"\nname = "测试职业技术学院"\nbase_url = "http://www.example.edu.cn/"\n'
                        'column = "今日宜职"\nlists = ["list.htm"]\n[politeness]\ndelay = 0\n', encoding="utf-8")
        site = load_site(conf, base_url=s.url("/"))
        with Store(tmp_path / "crawl.db") as store:
            Crawler(site, store).run()
            assert [a.column for a in store.articles()] == ["今日宜职"]
