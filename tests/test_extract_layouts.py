"""Extraction rules for the layouts older and home-grown CMSes use: trails with no
name, related-news asides, headings that <title> shortens, reprints' own heading
blocks, time stamps under the text, datelines and reposts. One small page each."""
from __future__ import annotations

from indexer.extract import extract
from indexer.sites import SiteConfig

URL = "http://news.example.edu.cn/publish/news/9652/2013/20130321133938069973859_.html"
SITE = SiteConfig(id="thu", name="清华大学新闻网", base_url="http://news.example.edu.cn/",
                  lists=("index.html",), article_pattern=r"_\.html$", institution="清华大学")
TEXT = ("3月20日晚，合唱团音乐会在蒙民伟音乐厅举行。艺术系主任带领并担任指挥的合唱团为观众带来一次特别的艺术体验，"
        "现场座无虚席。")


def page(article: str, title: str = "合唱团音乐会", crumbs: str = "", aside: str = "") -> str:
    return f"""<html><head><meta charset="utf-8"><title>{title}</title></head><body>
<header><ul><li><a href="/">首页</a></li><li><a href="/a">头条新闻</a></li><li><a href="/b">图说清华</a></li></ul></header>
<div class="content"><section class="colunm1">
<div class="articleheader">{crumbs}</div>
<article class="article">{article}</article>
{aside}
</section></div>
<div class="footer">清华大学新闻中心版权所有</div></body></html>"""


RELATED = "<aside class='relativelink'><h2>相关新闻</h2><ul>" + "".join(
    f"<li><div class='mtime'>{d}</div><div class='newscontent'><h3><a href='/n{d}'>另一场合唱团音乐会举行</a></h3>"
    f"<p>　　另一场合唱团音乐会举行，清华新闻网电（记者李含）合唱团在清华大学蒙民伟音乐厅举行中国巡演首场演出，"
    f"演唱了多首外国歌曲和中国民歌，观众反响热烈，演出持续两个小时……</p></div></li>" for d in range(1, 8)) + \
    "</ul><h2><a class='more' href='/c'>更多 ›</a>图说清华</h2></aside>"


def test_related_news_aside_is_never_the_body_nor_its_heading_the_title():
    html = page(f'<p style="text-align: center"><strong>美国合唱团音乐会</strong></p><p>{TEXT}</p>',
                title="合唱团音乐会", aside=RELATED)
    a = extract(URL, html, SITE)
    # the heading holds <title> and a word more: it is the title, and not body text
    assert a.title == "美国合唱团音乐会"
    assert a.body == TEXT
    assert "另一场" not in a.body and "更多" not in a.title


def test_trail_from_the_home_link_without_name_or_label():
    crumbs = ("<nav id='findjctj'><a href='/'>首页</a>&nbsp;&nbsp; - <a href='/9652/index.html'>图说清华</a>"
              "&nbsp;&nbsp; - <a>内容</a></nav>")
    assert extract(URL, page(f"<p>{TEXT}</p>", crumbs=crumbs), SITE).column == "图说清华"
    cell = ("<table><tr><td><a class='bt_link' href='/'>首页</a>&gt;&gt;<a class='bt_link' href='/c/535.htm'>"
            "人物聚焦</a>&gt;&gt;<a class='bt_link' href='/c/546.htm'>2005人物</a></td></tr></table>")
    assert extract(URL, page(f"<p>{TEXT}</p>", crumbs=cell), SITE).column == "2005人物"


def test_a_menu_is_no_trail():
    menu = "<div>" + " ".join(f"<a href='/m{i}'>栏目{i}</a>" for i in range(8)) + "</div>"
    crumbs = f"<div><a href='/'>首页</a> | {menu}</div>"
    assert extract(URL, page(f"<p>{TEXT}</p>", crumbs=crumbs), None).column is None


def test_time_stamp_under_the_text_is_the_date_and_not_text():
    html = page(f"<p>{TEXT}</p><p style='text-align: right'>编辑：范 丽</p>"
                "<div class='articletime'>2013年03月21日 13:39:38　　清华新闻网</div>")
    a = extract(URL.replace("/2013/20130321133938069973859_", "/x/y_"), html, SITE)
    assert a.published == "2013-03-21T13:39:38"
    assert a.body == TEXT


def test_dateline_credit_names_the_department_and_stays_in_the_text():
    text = f"清华新闻网3月21日电（新闻中心学生摄影记者 王皓冉 王涵）{TEXT}"
    a = extract(URL, page(f"<p>{text}</p>"), SITE)
    assert a.department == "新闻中心"
    assert a.body == text


def test_reprint_source_note_and_reporter_run_into_the_last_sentence():
    article = ("<h3 align='center'>为百岁教授祝寿</h3><p align='center'>（福建日报 2001年3月12日）</p>"
               f"<p>{TEXT}</p><p>施老说：“我是福建的媳妇。”本报记者黄世宏</p>"
               "<div class='articletime'>2001年03月15日 14:37:45　　清华新闻网</div>")
    a = extract(URL, page(article, title="为百岁教授祝寿"), SITE)
    assert a.title == "为百岁教授祝寿"
    assert a.source == "福建日报"
    assert a.published.startswith("2001-03-15")   # the page's stamp, not the paper's date
    assert a.body == TEXT + "\n施老说：“我是福建的媳妇。”"


def test_document_pasted_whole_leaves_no_title_text():
    article = ("<html><head><title>Untitled Document</title></head><body>"
               f"<h3 align='center'>为百岁教授祝寿</h3><p>{TEXT}</p></body></html>")
    a = extract(URL, page(article, title="为百岁教授祝寿"), SITE)
    assert "Untitled" not in a.body and a.body == TEXT


def test_generic_title_tag_gives_way_to_the_title_cell_above_the_text():
    html = f"""<html><head><title>北医新闻网_(新闻)</title></head><body>
<table><tr><td class="bt_title">李简——新外科运动向我们走来</td></tr>
<tr><td><div class="bt_content"><p>{TEXT}</p><div align="right">（袁源）</div></div></td></tr></table>
</body></html>"""
    a = extract(URL, html, None)
    assert a.title == "李简——新外科运动向我们走来"
    assert a.body == TEXT


def test_reprint_heading_block_headline_byline_and_split_headline():
    common = "<p style='text-align: center'><span>来源：新华网 2015-1-19</span></p>"
    # the <h3> headline over the <h4> subtitle, whatever <title> says
    a = extract(URL, page(f"<h3 style='text-align: center;'>“翻译文化终身成就奖”颁奖</h3>"
                          f"<h4 style='text-align: center;'>三位翻译家获奖</h4>{common}<p>{TEXT}</p>",
                          title="三位翻译家获“翻译文化终身成就奖” - 清华大学新闻网"), SITE)
    assert a.title == "“翻译文化终身成就奖”颁奖" and a.source == "新华网" and a.body == TEXT
    # a headline over two bold lines that <title> joins
    a = extract(URL, page("<p style='text-align: center'><strong>中共中央办公厅印发</strong></p>"
                          "<p style='text-align: center'><strong>《关于加强高校宣传工作的意见》</strong></p>"
                          f"{common}<p>{TEXT}</p>",
                          title="中共中央办公厅印发《关于加强高校宣传工作的意见》 - 清华大学新闻网"), SITE)
    assert a.title == "中共中央办公厅印发《关于加强高校宣传工作的意见》" and a.body == TEXT
    # a headline that <title> shortens, and the author's line under the 来源 line
    a = extract(URL, page("<p style='text-align: center'><strong>教育部：研究生担任助研、助教和助管应择优聘任</strong></p>"
                          f"{common}<p style='text-align: center'>清华大学 <strong>陈 旭</strong></p><p>{TEXT}</p>",
                          title="教育部：研究生担任“三助”应择优聘任 - 清华大学新闻网"), SITE)
    assert a.title == "教育部：研究生担任助研、助教和助管应择优聘任"
    assert a.body == TEXT and a.department is None


def test_meeting_details_open_the_text():
    article = ("<p style='text-align: center'><strong>合唱团音乐会</strong></p><p>时间：2019年10月28日</p>"
               f"<p>地点：主楼622会议室</p><p>主持人：韩燮</p><p>{TEXT}</p>")
    a = extract(URL, page(article), SITE)
    assert a.body.startswith("时间：2019年10月28日\n地点：主楼622会议室")


FUDAN = SiteConfig(id="fdcs", name="复旦大学计算机科学技术学院", base_url="http://news.example.edu.cn/",
                   lists=("index.html",), article_pattern=r"_\.html$")


def test_reposts_and_authors_of_other_institutions():
    def closing(*lines: str) -> str:
        return page(f"<p>{TEXT}</p>" + "".join(f"<p>{x}</p>" for x in lines))

    # an outside author's affiliation is who the author is, not a unit here
    a = extract(URL, closing("（作者：花勇，华东政法大学马克思主义学院副院长）", "来源：《解放日报》"), FUDAN)
    assert (a.department, a.source) == (None, "解放日报") and a.body == TEXT
    # reposted through the institution's own account: the 来源 is the outside writer
    a = extract(URL, closing("文章来源：宝山统战部", "转载来源：复旦统战"), FUDAN)
    assert (a.department, a.source) == (None, "宝山统战部")
    # reposted from one of the institution's own units: that unit
    a = extract(URL, closing("（转载来源：复旦大学校友会）", "'"), FUDAN)
    assert a.department == "校友会" and a.body == TEXT
    # the institution's own event site is neither a source nor a unit
    a = extract(URL, closing("来源：中共复旦大学第十五次代表大会 专题网"), FUDAN)
    assert (a.department, a.source) == (None, None)
    # an outlet's account keeps the outlet's name
    a = extract(URL, closing("转载来源：中国计算机学会 公众号"), FUDAN)
    assert a.source == "中国计算机学会"
    # closing credits with a bar (排版｜…, 采访｜…) are not text
    a = extract(URL, closing("排版｜新媒体中心 向林冰", "采访｜曹丝露 高子怡"), FUDAN)
    assert a.body == TEXT
    # a note on how the text was made is not text
    a = extract(URL, closing("（此文由本报记者张健根据演讲整理而成。）"), FUDAN)
    assert a.body == TEXT
