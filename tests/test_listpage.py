"""List pages: article links, pagination, column, total; and URL normalisation."""
from __future__ import annotations

import pytest

from indexer.listpage import ListLink, normalise_url, parse_list
from indexer.sites import SiteConfig

VSB_LIST = """<html><head><meta charset="utf-8"><title>学院新闻-蜀江职业技术学院</title></head><body>
<div class="nav"><a href="index.htm">首页</a><a href="info/1001/1.htm">置顶的旧闻</a></div>
<div class="dqwz">当前位置：<a href="index.htm">首页</a> &gt; <a href="xyxw.htm">学院新闻</a></div>
<ul class="list">
  <li class="first"><a href="info/1094/4311.htm" title="智能制造学院举办产教融合年会暨华中数控校企合作签约仪式">智能制造学院举办产教融合年会暨华中...</a><span>2023-04-22</span></li>
  <li><a href="info/1094/4285.htm">学院召开教学工作会议</a><span>2023-04-20</span></li>
  <li><a href="info/1094/4285.htm#top">学院召开教学工作会议</a><span>2023-04-20</span></li>
  <li><a href="http://other.edu.cn/info/1094/1.htm">别的学校</a><span>2023-04-19</span></li>
  <li><a href="info/1094/4263.htm;jsessionid=ABC123">第三条</a><span>2023年04月18日</span></li>
</ul>
<div class="side"><h3>热点新闻</h3><a href="info/1094/9.htm">热点一</a><a href="info/1094/8.htm">热点二</a></div>
<table><tr><td>共52条&nbsp;&nbsp;1/6</td><td><span class="p_pages"><span class="p_first">首页</span>
<span class="p_no_d">1</span><span class="p_no"><a href="xyxw/5.htm">2</a></span><span class="p_no"><a href="xyxw/4.htm">3</a></span>
<span class="p_next"><a href="xyxw/5.htm">下页</a></span><span class="p_last"><a href="xyxw/1.htm">尾页</a></span></span></td></tr></table>
</body></html>"""


def test_vsb_list_page():
    page = parse_list("http://www.example.edu.cn/xyxw.htm", VSB_LIST)
    assert [link.url for link in page.article_links] == [
        "http://www.example.edu.cn/info/1094/4311.htm",
        "http://www.example.edu.cn/info/1094/4285.htm",
        "http://www.example.edu.cn/info/1094/4263.htm",
    ]
    first = page.article_links[0]
    assert first == ListLink("http://www.example.edu.cn/info/1094/4311.htm",
                             "智能制造学院举办产教融合年会暨华中数控校企合作签约仪式", "2023-04-22")
    assert page.article_links[2].date == "2023-04-18"
    assert page.next_page == "http://www.example.edu.cn/xyxw/5.htm"
    assert set(page.page_links) == {"http://www.example.edu.cn/xyxw/5.htm", "http://www.example.edu.cn/xyxw/4.htm",
                                    "http://www.example.edu.cn/xyxw/1.htm"}
    assert page.column == "学院新闻"
    assert page.total == 52


def test_site_pattern_and_hosts_decide_what_is_an_article():
    site = SiteConfig(id="demo", name="蜀江职业技术学院", base_url="http://www.example.edu.cn/", lists=("xyxw.htm",),
                      article_pattern=r"/info/1094/\d+\.htm$", allowed_hosts=("www.example.edu.cn", "other.edu.cn"))
    page = parse_list("http://www.example.edu.cn/xyxw.htm", VSB_LIST.encode("utf-8"), site)
    urls = [link.url for link in page.article_links]
    assert "http://other.edu.cn/info/1094/1.htm" in urls
    assert "http://www.example.edu.cn/info/1001/1.htm" not in urls


def test_webplus_list_page_and_gbk():
    html = """<html><head><meta charset="gbk"><title>信息化动态</title></head><body>
<div class="col_path">当前位置：<a href="/main.htm">首页</a><span>&nbsp;</span><a href="/wlyxqk/list.htm">信息化动态</a></div>
<ul class="news_list"><li class="news n1"><span class="news_title"><a href='/28/e4/c21558a534756/page.htm' title='人事系统上线'>人事系统上线</a></span><span class="news_meta">2021-07-05</span></li>
<li class="news n2"><span class="news_title"><a href='/28/e7/c21558a534759/page.htm' title='OA系统优化'>OA系统优化</a></span><span class="news_meta">2021-07-01</span></li></ul>
<div class="foot"><div class="news_box"><a href='/1c/e6/c21476a335078/page.htm'>服务电话</a></div></div>
<div id="wp_paging_w6"><ul class="wp_paging"><li><span class="all_count">总共&nbsp;<em>126</em>&nbsp;记录</span></li><li class="page_nav">
<a class="first" href="javascript:void(0);">第一页</a><a class="prev" href="javascript:void(0);">&lt;&lt;上一页</a>
<a class="next" href="/wlyxqk/list2.htm">下一页&gt;&gt;</a><a class="last" href="/wlyxqk/list9.htm">尾页</a></li></ul></div>
</body></html>""".encode("gbk")
    page = parse_list("https://itsc.nju.edu.cn/wlyxqk/list.htm", html)
    assert [link.title for link in page.article_links] == ["人事系统上线", "OA系统优化"]
    assert page.article_links[0].date == "2021-07-05"
    assert page.next_page == "https://itsc.nju.edu.cn/wlyxqk/list2.htm"
    assert page.page_links == ["https://itsc.nju.edu.cn/wlyxqk/list2.htm", "https://itsc.nju.edu.cn/wlyxqk/list9.htm"]
    assert page.column == "信息化动态" and page.total == 126


def test_last_page_has_no_next():
    html = VSB_LIST.replace('<span class="p_next"><a href="xyxw/5.htm">下页</a></span>', '<span class="p_next">下页</span>')
    page = parse_list("http://www.example.edu.cn/xyxw/1.htm", html.replace('href="info/', 'href="../info/'))
    assert page.next_page is None
    assert page.article_links[0].url == "http://www.example.edu.cn/info/1094/4311.htm"


def test_empty_and_odd_pages():
    assert parse_list("http://a.edu.cn/l.htm", b"").article_links == []
    page = parse_list("http://a.edu.cn/l.htm", "<html><body><a href='/'>首页</a></body></html>")
    assert page.article_links == [] and page.next_page is None and page.page_links == [] and page.total is None


@pytest.mark.parametrize("raw,want", [
    ("HTTP://WWW.Example.EDU.cn:80/info/1094/4311.htm#top", "http://www.example.edu.cn/info/1094/4311.htm"),
    ("https://a.edu.cn:443/x.htm", "https://a.edu.cn/x.htm"),
    ("http://a.edu.cn:8080/x.htm", "http://a.edu.cn:8080/x.htm"),
    ("http://a.edu.cn/info/1/2.htm;jsessionid=ABCDEF0123", "http://a.edu.cn/info/1/2.htm"),
    ("http://a.edu.cn/c.jsp?wbnewsid=5&utm_source=wx&urltype=news&jsessionid=1&spm=a.b&from=timeline",
     "http://a.edu.cn/c.jsp?urltype=news&wbnewsid=5"),
    ("http://a.edu.cn/list.jsp?b=2&a=1", "http://a.edu.cn/list.jsp?a=1&b=2"),
    ("http://a.edu.cn", "http://a.edu.cn/"),
    ("http://a.edu.cn/新闻/一.htm", "http://a.edu.cn/%E6%96%B0%E9%97%BB/%E4%B8%80.htm"),
    ("http://a.edu.cn/%E6%96%B0.htm", "http://a.edu.cn/%E6%96%B0.htm"),
])
def test_normalise_url(raw, want):
    assert normalise_url(raw) == want
    assert normalise_url(want) == want  # idempotent


@pytest.mark.parametrize("href", [
    "http://[Nucl. Phys. B 612 (2001) 25]/abs", "//天津日报：天工开物 向“新”而行/info/1094/1.htm",
    "http://天津日报：天工开物 向“新”而行", "http://a b.edu.cn/info/1094/2.htm", "//[2001:db8::zz]/x",
])
def test_links_with_impossible_hosts_are_skipped_not_fatal(href):
    from indexer.listpage import absolute_url
    assert absolute_url("http://www.example.edu.cn/xyxw.htm", href) is None
    html = VSB_LIST.replace('<li><a href="info/1094/4285.htm">', f'<li><a href="{href}">坏链接</a></li><li><a href="info/1094/4285.htm">')
    html = html.replace("<body>", f'<body><base href="{href}">')
    page = parse_list("http://www.example.edu.cn/xyxw.htm", html)
    assert [link.url for link in page.article_links][:2] == ["http://www.example.edu.cn/info/1094/4311.htm",
                                                             "http://www.example.edu.cn/info/1094/4285.htm"]


def test_ipv6_hosts_keep_their_brackets():
    assert normalise_url("http://[::1]:8080/a.htm") == "http://[::1]:8080/a.htm"
    assert normalise_url("http://[::1]:80/a.htm") == "http://[::1]/a.htm"


def test_near_misses_are_the_links_that_look_like_articles_decoded():
    from indexer.listpage import near_misses
    site = SiteConfig(id="demo", name="蜀江职业技术学院", base_url="http://www.example.edu.cn/", lists=("xyxw.htm",),
                      article_pattern=r"/info/\d+/\d+\.htm$", allowed_hosts=("www.example.edu.cn",))
    html = ('<ul><li><a href="news/%E9%80%9A%E7%9F%A5/12345.html">关于期末考试的通知</a></li>'
            '<li><a href="info/1094/77.htm">一篇真正的文章标题</a></li>'
            '<li><a href="http://other.edu.cn/info/1094/78.htm">别的学校的文章标题</a></li>'
            '<li><a href="xyxw/2.htm">2</a></li><li><a href="about.htm">学院简介页面</a></li></ul>')
    misses = dict(near_misses("http://www.example.edu.cn/xyxw.htm", html, site))
    assert misses == {"http://www.example.edu.cn/news/通知/12345.html": "not matched by article_pattern",
                      "http://other.edu.cn/info/1094/78.htm": "on other.edu.cn, not in allowed_hosts"}
