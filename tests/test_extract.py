"""The extraction rules, one small page each."""
from __future__ import annotations

import pytest

from indexer.article import ExtractError
from indexer.departments import Departments, normalise
from indexer.extract import extract, find_date, split_site_title
from indexer.extract.units import looks_like_unit
from indexer.sites import Selectors, SiteConfig

URL = "http://www.example.edu.cn/info/1094/4311.htm"
SITE = SiteConfig(id="demo", name="蜀江职业技术学院", base_url="http://www.example.edu.cn/",
                  lists=("xyxw.htm",), article_pattern=r"/info/\d+/\d+\.htm$", column="学院新闻")

PARA = "<p>学院举办产教融合年会，来自华中数控等企业的代表参加了会议，共同探讨人才培养。</p>"


def vsb(info: str = '<span>日期:2023-04-22</span>', body: str = PARA, title: str = "产教融合年会在我院举行",
        crumbs: str = '<div class="dqwz">当前位置: <a href="../../index.htm">首页</a> &gt; '
                      '<a href="../../jryz.htm">今日宜职</a> &gt; 正文</div>',
        head_title: str | None = None, extra: str = "") -> str:
    head_title = head_title if head_title is not None else f"{title}-蜀江职业技术学院"
    return f"""<html><head><meta charset="utf-8"><title>{head_title}</title>
<script>var x = 1;</script><style>p {{ color: red }}</style></head><body>
<div class="header"><h1 class="logo">蜀江职业技术学院</h1></div>
{crumbs}
<form name="_newscontent_fromname">
<div class="content-title"><h1>{title}</h1></div>
<div class="content-info">{info}<span>浏览次数：<script>_showDynClicks("wbnews", 1, 2)</script><span id="dynclicks_wbnews_1">99</span></span></div>
<div id="vsb_content"><div class="v_news_content">{body}</div></div>
{extra}
</form>
<div class="pre-next"><p>上一篇：<a href="4310.htm">旧闻</a></p><p>下一篇：<a href="4312.htm">新闻</a></p></div>
<div class="footer">版权所有 2023 蜀江职业技术学院</div>
</body></html>"""


# -- title ----------------------------------------------------------------------

def test_title_is_the_heading_not_the_title_suffix():
    a = extract(URL, vsb(title="校情通报（2025-9）", head_title="校情通报（2025-9）-南开大学"))
    assert a.title == "校情通报（2025-9）"


def test_title_from_title_tag_without_site_suffix():
    html = f"<html><head><title>校情通报（2025-9）-南开大学</title></head><body><div class='x'>{PARA}</div></body></html>"
    assert extract(URL, html).title == "校情通报（2025-9）"


@pytest.mark.parametrize("raw,want", [
    ("校情通报（2025-9）-南开大学", "校情通报（2025-9）"),
    ("南开大学成立首个“国家奖学金服务团”-综合新闻-南开大学", "南开大学成立首个“国家奖学金服务团”"),
    ("关于2025-2026学年校历的通知_教务处", "关于2025-2026学年校历的通知"),
    ("标题 | 宜宾职业技术学院", "标题"),
    ("会议召开——信息工程学院", "会议召开"),
    ("只有标题", "只有标题"),
])
def test_split_site_title(raw, want):
    assert split_site_title(raw) == want


def test_webplus_title_and_repeated_bold_title_removed():
    html = """<html><head><title>江南大学来我校调研</title></head><body>
<div class="article"><h1 class="arti_title">江南大学来我校调研</h1>
<p class="arti_metas"><span class="arti_update">发布时间：2021-07-16</span><span class="arti_views">浏览次数：<span class="WP_VisitCount">1590</span></span></p>
<div class="wp_articlecontent"><p><strong>江南大学来我校调研</strong></p><p>&nbsp;&nbsp;&nbsp; 7月6日上午，江南大学来我校调研信息化建设工作。</p></div></div></body></html>"""
    a = extract("https://itsc.nju.edu.cn/2021/0716/c21558a536579/page.htm", html)
    assert a.title == "江南大学来我校调研"
    assert a.body == "7月6日上午，江南大学来我校调研信息化建设工作。"
    assert a.published == "2021-07-16"


def test_repeated_plain_title_removed():
    a = extract(URL, vsb(body="<p>产教融合年会在我院举行</p>" + PARA))
    assert a.body.startswith("学院举办")


def test_big_font_cell_matches_title_tag():
    html = """<html><head><title>南开大学成立服务团-综合新闻-南开大学</title></head><body><table>
<tr><td style="font-size:30px">南开大学成立服务团</td></tr>
<tr><td><span>来源： 南开大学新闻网</span><span>发稿时间：2025-05-27 11:06</span></td></tr>
<tr><td id="txt"><p>　　南开新闻网讯（通讯员&nbsp;崔艾昕）为进一步提升资助育人实效，经济学院成立服务团。</p></td></tr>
</table></body></html>"""
    a = extract("http://news.nankai.edu.cn/zhxw/system/2025/05/27/030067256.shtml", html)
    assert a.title == "南开大学成立服务团"
    assert a.published == "2025-05-27T11:06:00"
    assert a.department is None and a.source is None
    assert a.body.startswith("南开新闻网讯（通讯员 崔艾昕）")


def test_selector_title_wins():
    site = SiteConfig(id="x", name="某学院", base_url="http://a/", lists=("l.htm",),
                      selectors=Selectors(title=".bt"))
    html = vsb(extra='<div class="bt">选择器给的标题</div>')
    assert extract(URL, html, site).title == "选择器给的标题"


# -- dates ------------------------------------------------------------------------

@pytest.mark.parametrize("info,want", [
    ("<span>日期:2023-04-22</span>", "2023-04-22"),
    ("<span>日期：2023-04-22</span>", "2023-04-22"),
    ("<span>发布时间：2023-04-22 10:30</span>", "2023-04-22T10:30:00"),
    ("<span>发布日期: 2023/4/22</span>", "2023-04-22"),
    ("<span>时间：2023.04.22</span>", "2023-04-22"),
    ("<span>更新时间：2023-04-22 10:30:15</span>", "2023-04-22T10:30:15"),
    ("<span>2018年01月23日</span>", "2018-01-23"),
    ("<span>202</span><span>3</span><span>年</span><span>4</span><span>月</span><span>22日</span>", "2023-04-22"),
    ("<span>作者：张三</span>", None),
])
def test_dates_in_the_info_line(info, want):
    body = "<p>4月25日，学院召开会议，2022年5月1日的决定继续执行。</p>"
    a = extract("http://www.example.edu.cn/news/a.htm", vsb(info=info, body=body))
    assert a.published == want


@pytest.mark.parametrize("url,want", [
    ("https://itsc.nju.edu.cn/2021/0716/c21558a534756/page.htm", "2021-07-16"),
    ("http://news.nankai.edu.cn/zhxw/system/2025/05/27/030067256.shtml", "2025-05-27"),
    ("http://www.gov.cn/xinwen/2023-04/22/content_1.htm", "2023-04-22"),
    ("http://a.edu.cn/art/t20230422_123.html", "2023-04-22"),
    ("http://a.edu.cn/info/1094/4311.htm", None),
])
def test_dates_in_the_url(url, want):
    a = extract(url, vsb(info="<span>作者：张三</span>"))
    assert a.published == want


def test_find_date():
    assert find_date("发布时间：2023-04-22 10:30 浏览") == "2023-04-22T10:30:00"
    assert find_date("2023年13月40日") is None
    assert find_date("第 2023 号", labelled=True) is None
    assert find_date("更新时间： 2024年1月2日", labelled=True) == "2024-01-02"


# -- department and source -----------------------------------------------------------

def test_closing_supply_line_names_the_department_and_is_not_body():
    body = PARA + "<p>（智能制造学院供稿）</p>"
    a = extract(URL, vsb(body=body), SITE)
    assert a.department == "智能制造学院"
    assert a.body.endswith("共同探讨人才培养。")


def test_closing_supply_line_half_width_and_alias():
    a = extract(URL, vsb(body=PARA + "<p>(智造学院供稿)</p>"))
    assert a.department == "智能制造学院"


@pytest.mark.parametrize("info,want", [
    ("<span>来源：教务处</span>", "教务处"),
    ("<span>信息来源： 党政办公室</span>", "党政办公室"),
    ("<span>供稿单位：信息工程学院</span>", "信息工程学院"),
    ("<span>供稿：经管学院</span>", "经济管理学院"),
    ("<span>发布单位：招生就业处</span>", "招生就业处"),
    ("<span>作者：教务管理科</span>", "教务处"),
    ("<span>来源：信工学院|0</span>", "信息工程学院"),
    ("<span>作者：张三 摄影：李四 编辑：王五</span>", None),
    ("<span>来源:</span><span> | 发布时间: 2018-05-17</span>", None),
    ("<span>来源：</span>", None),
    ("<span>来源：南开大学新闻网</span>", None),
    ("<span>来源：蜀江职业技术学院</span>", None),
    ("<span>来源：本站</span>", None),
    ("<span>来源：计算机协会</span>", "计算机协会"),   # not in data/departments.toml: as the page names it
    ("<span>作者：研招办</span>", "研招办"),
    ("<span>文章来源：党委学工部</span>", "党委学工部"),
    ("<span>来源：大数据学院团委</span>", "大数据学院团委"),      # a unit inside a unit stays whole
    ("<span>来源：蜀江职业技术学院人事处</span>", "人事处"),    # the site's own institution dropped
    ("<span>作者：王会</span>", None),                          # a person, though it ends in 会
])
def test_department_from_the_info_line(info, want):
    a = extract(URL, vsb(info=info + "<span>日期:2023-04-22</span>"), SITE)
    assert a.department == want
    assert a.source is None


@pytest.mark.parametrize("info,source", [
    ("<span>来源：2022年11月08日 天津日报 第1版</span>", "天津日报"),
    ("<span>来源：四川日报</span>", "四川日报"),
    ("<span>来源：新华社</span>", "新华社"),
    ("<span>来源：中国教育新闻网</span>", "中国教育新闻网"),
])
def test_outside_outlet_is_a_source_not_a_department(info, source):
    a = extract(URL, vsb(info=info), SITE)
    assert a.source == source
    assert a.department is None


def test_reprint_names_its_outlet_whatever_it_is_called():
    info = "<span>来源：四川教育</span>"
    a = extract(URL, vsb(info=info, body="<p>本报讯（记者 林晓）学院代表队获得一等奖。</p>"), SITE)
    assert a.source == "四川教育" and a.department is None
    a = extract(URL, vsb(info=info, body=PARA), SITE)   # not a reprint: an unknown name, not guessed
    assert a.source is None and a.department is None


def test_people_only_author_line():
    a = extract(URL, vsb(info="<span>作者：张三 摄影：李四 编辑：王五</span><span>日期:2023-04-22</span>"))
    assert a.department is None
    assert a.published == "2023-04-22"


def test_signed_notice():
    body = ("<p>各学院：</p><p>现将有关事项通知如下，请各学院认真组织。</p>"
            "<p style='text-align:right'>教务处、经济学院</p><p style='text-align:right'>2026年3月26日</p>")
    a = extract(URL, vsb(info="<span>发布者：颜曰越</span>", body=body))
    assert a.department == "教务处"
    assert a.published == "2026-03-26"
    # the signature gives the department and the date, and is not body text
    assert a.body == "各学院：\n现将有关事项通知如下，请各学院认真组织。"


def test_signed_notice_with_college_prefix():
    body = PARA + "<p>南开大学党委组织部</p><p>2025年5月6日</p>"
    site = SiteConfig(id="nk", name="南开大学", base_url="http://www.example.edu.cn/", lists=("x.htm",),
                      article_pattern=r"/info/")
    a = extract(URL, vsb(body=body, info="<span>日期:2025-05-07</span>"), site)
    assert a.department == "党委组织部"      # the page's own institution in front is dropped
    assert a.published == "2025-05-07"  # the info line wins over the signature
    # on another institution's page, the name stays whole
    assert extract(URL, vsb(body=body), SITE).department == "南开大学党委组织部"


@pytest.mark.parametrize("closing,dept", [
    ("（文/党委组织部 图/轻院新闻社）", "党委组织部"),
    ("（新闻中心学生摄影记者 王皓冉 王涵）", "新闻中心"),
    ("（供稿：计算机科学技术学院工会）", "计算机科学技术学院工会"),
    ("（记者 张三）", None),
    ("（袁源）", None),
])
def test_closing_credit_lines_name_the_unit_and_are_not_body(closing, dept):
    a = extract(URL, vsb(body=PARA + f"<p>{closing}</p>"), SITE)
    assert a.department == dept
    assert a.body.endswith("共同探讨人才培养。")


@pytest.mark.parametrize("closing,source", [
    ("来源：中华人民共和国教育部", "中华人民共和国教育部"),
    ("转载来源：微软研究院AI头条", "微软研究院AI头条"),
])
def test_closing_source_lines(closing, source):
    a = extract(URL, vsb(body=PARA + f"<p>{closing}</p>"), SITE)
    assert a.source == source and a.department is None
    assert a.body.endswith("共同探讨人才培养。")


def test_site_default_department_and_aliases():
    site = SiteConfig(id="cst", name="中北大学大数据学院", base_url="http://www.example.edu.cn/",
                      lists=("x.htm",), article_pattern=r"/info/", department="大数据学院",
                      department_alias_pairs=(("大数据团委", "大数据学院团委"),))
    assert extract(URL, vsb(), site).department == "大数据学院"
    assert extract(URL, vsb(info="<span>来源：大数据团委</span>"), site).department == "大数据学院团委"
    assert extract(URL, vsb(info="<span>来源：中北大学教务处</span>"), site).department == "教务处"


def test_departments_list():
    assert normalise("智造学院") == "智能制造学院"
    assert normalise(" 信工学院 ") == "信息工程学院"
    assert normalise("党委宣传部（新闻中心）") == "党委宣传部"
    assert normalise("不存在的处") is None and normalise("") is None and normalise(None) is None
    assert looks_like_unit("教务管理科") and looks_like_unit("大数据学院学生科") and looks_like_unit("研招办")
    assert not looks_like_unit("张三") and not looks_like_unit("李科") and not looks_like_unit("2023年")
    assert not looks_like_unit("hdgfsys@126.com") and not looks_like_unit("召开会议，研究部署")


def test_departments_file_is_extendable(tmp_path):
    f = tmp_path / "d.toml"
    f.write_text('[[department]]\nname = "机器人学院"\naliases = ["机器人系"]\n', encoding="utf-8")
    deps = Departments.from_toml(f)
    assert deps.normalise("机器人系") == "机器人学院"
    assert Departments.from_toml(tmp_path / "missing.toml").normalise("教务处") is None


# -- column ------------------------------------------------------------------------------

@pytest.mark.parametrize("crumbs,want", [
    ('<div class="dqwz">当前位置: <a>首页</a> &gt; <a>今日宜职</a> &gt; 正文</div>', "今日宜职"),
    ('<div>当前位置：<a>首页</a> &gt; <a>信息化动态</a></div>', "信息化动态"),
    ('<div>您现在的位置: <a>网站首页</a> &gt;&gt; <a>新闻头条</a> &gt;&gt; 正文</div>', "新闻头条"),
    ('<div class="position"><a>首页</a> » <a>通知公告</a> » 内容</div>', "通知公告"),
    ('<ol class="breadcrumb"><li><a>首页</a></li><li><a>学院新闻</a></li><li>正文</li></ol>', "学院新闻"),
    ('<div class="location">所在位置：<a>首页</a>/<a>媒体聚焦</a></div>', "媒体聚焦"),
    ('<div class="col_path"><span>当前位置：</span><a>首页</a><span>&nbsp;&nbsp;</span><a>通知公告</a>'
     '<span>&nbsp;&nbsp;</span><a>考试管理</a></div>', "考试管理"),
    ("", "学院新闻"),  # no breadcrumb: the site's column
])
def test_column(crumbs, want):
    assert extract(URL, vsb(crumbs=crumbs), SITE).column == want


def test_no_column_without_breadcrumb_or_site():
    assert extract(URL, vsb(crumbs="")).column is None


# -- body ----------------------------------------------------------------------------------

def test_body_is_clean_text_with_paragraphs():
    body = ("<p>&nbsp;&nbsp;第一段，  文字\n  继续。</p><!--[if gte vml 1]><v:shape>VML垃圾</v:shape><![endif]-->"
            "<p><span>第</span><span>二</span>段<br>换行后</p>"
            "<p><img src='/__local/a.jpg' alt='会议现场' width='600' height='400'></p><p>图为会议现场</p>"
            "<p><a href='javascript:window.print()'>打印本页</a> <a href='javascript:window.close()'>关闭窗口</a></p>"
            "<p>【关闭】</p><p>返回</p>")
    a = extract(URL, vsb(body=body))
    assert a.body == "第一段， 文字继续。\n第二段\n换行后\n图为会议现场"
    assert [(i.url, i.alt) for i in a.images] == [("http://www.example.edu.cn/__local/a.jpg", "会议现场")]
    for junk in ("浏览次数", "_showDynClicks", "上一篇", "下一篇", "版权所有", "VML", "99"):
        assert junk not in a.body


def test_attachments():
    body = (PARA + '<p><a href="/uploads/通知.pdf">附件1：通知.pdf</a></p>'
            '<p><a href="../../files/名单.XLSX">名单</a></p><p><a href="http://other.cn/x.htm">链接</a></p>')
    extra = ('<ul><li>附件【<a href="/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1&wbfileid=2">'
             '报名表.docx</a>】已下载<span id="nattach2">3</span>次</li></ul>')
    a = extract(URL, vsb(body=body, extra=extra))
    names = {att.name: att.url for att in a.attachments}
    assert names["通知.pdf"] == "http://www.example.edu.cn/uploads/%E9%80%9A%E7%9F%A5.pdf" or \
        names["通知.pdf"] == "http://www.example.edu.cn/uploads/通知.pdf"
    assert names["名单"] == "http://www.example.edu.cn/files/名单.XLSX"
    assert names["报名表.docx"].startswith("http://www.example.edu.cn/system/_content/download.jsp?")
    assert len(a.attachments) == 3


def test_images_only_article_is_not_an_error():
    a = extract(URL, vsb(body="<p><img src='big.jpg' width='800' height='600'></p>"))
    assert a.body == "" and len(a.images) == 1


def test_largest_text_block_without_known_markup():
    html = """<html><head><title>一篇文章_某学院</title></head><body>
<ul class="menu"><li><a href="/">首页</a></li><li><a href="/a">学院概况</a></li></ul>
<div class="main"><div class="aa"><p>第一段正文内容，比较长的一句话，说明了会议的情况。</p><p>第二段正文内容，继续说明。</p></div>
<div class="side"><a href="/1">其他新闻一</a><a href="/2">其他新闻二</a></div></div></body></html>"""
    a = extract("http://x.edu.cn/a.html", html)
    assert a.title == "一篇文章"
    assert a.body == "第一段正文内容，比较长的一句话，说明了会议的情况。\n第二段正文内容，继续说明。"


def test_site_encoding_and_header_charset():
    html = vsb().replace('charset="utf-8"', 'charset="gb2312"').encode("gbk")
    a = extract(URL, html, header_charset="utf-8")  # the header lies
    assert a.title == "产教融合年会在我院举行" and "华中数控" in a.body
    a = extract(URL, vsb().encode("gbk"), SiteConfig(id="g", name="g", base_url="http://a/", lists=("l",),
                                                       encoding="gbk"))
    assert "华中数控" in a.body


def test_site_id_and_unknown():
    assert extract(URL, vsb(), SITE).site == "demo"
    assert extract(URL, vsb()).site == "unknown"


# -- errors ----------------------------------------------------------------------------------

def test_news_skip_redirect():
    html = """<html><head><title>外链新闻-蜀江职业技术学院</title></head><body>
<script>function newsSkip(data){if(data != ""){window.location.href = data;}}newsSkip("https://mp.weixin.qq.com/s/abc");</script>
<form name="_newscontent_fromname"><div class="content-title"><h1>外链新闻</h1></div><div id="vsb_content"></div></form></body></html>"""
    with pytest.raises(ExtractError) as err:
        extract(URL, html)
    assert err.value.reason == "redirect"
    assert err.value.target == "https://mp.weixin.qq.com/s/abc"


def test_meta_refresh_and_script_redirects():
    html = '<html><head><meta http-equiv="refresh" content="0; url=../../info/1/2.htm"></head><body></body></html>'
    with pytest.raises(ExtractError) as err:
        extract(URL, html)
    assert err.value.reason == "redirect" and err.value.target == "http://www.example.edu.cn/info/1/2.htm"
    html = "<html><head><title>跳转</title><script>window.location.href='http://a.edu.cn/x.htm';</script></head><body></body></html>"
    with pytest.raises(ExtractError) as err:
        extract(URL, html)
    assert err.value.reason == "redirect" and err.value.target == "http://a.edu.cn/x.htm"


def test_a_conditional_mobile_redirect_does_not_hide_the_article():
    extra = "<script>if (/Mobile/.test(navigator.userAgent)) { window.location.href = 'm/page.htm'; }</script>"
    a = extract(URL, vsb().replace("</head>", extra + "</head>"))
    assert "华中数控" in a.body


@pytest.mark.parametrize("html,reason,words", [
    (b"", "empty", "empty"),
    (b"   \n ", "empty", "empty"),
    (b"%PDF-1.4 binary", "not-html", "not an HTML page"),
    ("plain words without any markup", "not-html", "not an HTML page"),
    ("<html><head><title></title></head><body><div></div></body></html>", "no-title", "no article title"),
    ("<html><head><title>只有标题</title></head><body><div></div></body></html>", "no-body", "no article text"),
    ("<html><body><p>", "no-title", "no article title"),
])
def test_malformed_pages(html, reason, words):
    with pytest.raises(ExtractError) as err:
        extract(URL, html)
    assert err.value.reason == reason
    assert words in err.value.message and URL in str(err.value)


# -- the title repeated in the body; a notice's closing tail ------------------------

def test_centred_document_heading_stays_in_the_body():
    # a document reproduced in full (a law, a regulation) opens with its own centred
    # title: part of the document, unlike a template's plain bold echo of the title
    html = """<html><head><title>某某管理办法-纪检</title></head><body>
<table><tr><td class="titlestyle" align="center">某某管理办法</td></tr>
<tr><td>发布时间：2018-05-17</td></tr></table>
<form name="_newscontent_fromname"><div id="vsb_content">
<p style="text-align:center"><strong>某某管理办法</strong></p><p><br></p>
<p>第一条　为了规范管理，制定本办法。</p><p>第二条　本办法自公布之日起施行。</p></div></form></body></html>"""
    a = extract(URL, html)
    assert a.title == "某某管理办法"
    assert a.body.startswith("某某管理办法\n第一条")


def test_notice_tail_is_not_body_but_signature_gives_department():
    html = """<html><head><title>关于举办大赛的通知</title></head><body>
<h1 class="arti_title">关于举办大赛的通知</h1><p class="arti_metas">发布时间：2026-03-26</p>
<div class="wp_articlecontent"><p>各学院：</p><p>大赛将于4月举行，择优录取参加省赛。</p>
<p>三、联系方式</p><p>1.竞赛联系人：经济学院高老师，电话18768402456。</p>
<p>附件：<a href="/_upload/article/files/a/b/名单.docx">决赛名单.docx</a></p>
<p>教务处、经济学院</p><p>2026年3月26日</p></div></body></html>"""
    a = extract("https://jwc.example.edu.cn/2026/0326/c1a2/page.htm", html)
    # the contact section is text a reader needs; the attachment line and the
    # signature are the notice's tail
    assert a.body == "各学院：\n大赛将于4月举行，择优录取参加省赛。\n三、联系方式\n1.竞赛联系人：经济学院高老师，电话18768402456。"
    assert a.department == "教务处"
    assert [x.name for x in a.attachments] == ["决赛名单.docx"]


def test_closing_contributor_line_is_not_body_text():
    a = extract(URL, vsb(body=PARA + "<p>（智能制造学院供稿）</p>"))
    assert a.body.endswith("共同探讨人才培养。")
    assert a.department == "智能制造学院"


def test_tail_rules_leave_ordinary_text_alone():
    # a contact section followed by another section is not a closing tail
    body = ("<p>各学院：</p><p>一、报名时间</p><p>即日起至5月10日。</p><p>二、联系方式</p><p>联系人：张老师</p>"
            "<p>三、其他要求</p><p>请按时提交材料。</p>")
    a = extract(URL, vsb(body=body))
    assert a.body.endswith("三、其他要求\n请按时提交材料。")
    # a closing sentence over a date is no signature of a unit; the date closes
    # the notice and is no text
    a = extract(URL, vsb(body=PARA + "<p>特此通知</p><p>2026年3月26日</p>"))
    assert a.body.endswith("特此通知") and a.department is None


# -- documents shown in place of text, reprint headings, signatures ------------------

@pytest.mark.parametrize("shown", [
    '<script>showVsbpdfIframe("/system/_content/download.jsp?urltype=news.DownloadAttachUrl&owner=1&wbfileid=9.pdf",'
    '"100%","600px")</script>',
    '<div pdfsrc="/_upload/article/files/a/b/c.pdf" sudyfile-attr="{\'title\':\'招生计划.pdf\'}" '
    'class="wp_pdf_player"></div>',
    '<iframe src="/pdfjs/web/viewer.html?file=/_upload/files/c.pdf" width="100%"></iframe>',
])
def test_a_document_shown_in_place_of_text_is_an_embedded_attachment(shown):
    a = extract(URL, vsb(body=f"<p>&nbsp;</p>{shown}"), SITE)
    assert a.body == ""                       # never the title or the info line
    assert len(a.attachments) == 1 and a.attachments[0].embedded
    assert a.attachments[0].url.startswith("http://www.example.edu.cn/")


def test_a_reprints_own_heading_is_cut_and_read():
    head_title = "杨振宁：科学之美与艺术之美 - 清华大学新闻网"
    body = ('<p style="text-align:center"><span style="font-size:16px">●引题一行</span></p>'
            '<p style="text-align:center"><strong>科学之美与艺术之美</strong></p>'
            '<p style="text-align:center">来源：人民日报 2015-5-19</p>' + PARA)
    html = (f"<html><head><title>{head_title}</title></head><body><div id='position'>首页 &gt; "
            f"<a href='/'>高教视点</a> &gt; 内容</div><div class='article'>{body}</div>"
            "<p>[更新：2015-05-20 10:00:00]</p></body></html>")
    a = extract(URL, html)
    assert a.title == "科学之美与艺术之美"
    assert a.source == "人民日报"
    assert a.published == "2015-05-20T10:00:00"      # the page's date, not the source's
    assert a.body.startswith("学院举办产教融合年会")


@pytest.mark.parametrize("tail,dept,date", [
    ("<p>大数据学院</p><p>团委组织部</p><p>二〇一九年十一月三日</p>", "大数据学院团委组织部", "2019-11-03"),
    ("<p>二○一七年十一月二十八日</p><p>大数据学院 团委</p>", "大数据学院团委", "2017-11-28"),
    ("<p>大数据学院学生科</p><p>2020.11.17</p>", "大数据学院学生科", "2020-11-17"),
    ("<p>教务处、经济学院</p><p>2019年10月</p>", "教务处", None),
    ("<p>谢晶供稿</p><p>2024年12月26日</p>", None, "2024-12-26"),
])
def test_signature_forms(tail, dept, date):
    a = extract(URL, vsb(info="<span>作者：</span>", body=PARA + tail), SITE)
    assert a.department == dept
    assert (a.published or "")[:10] == (date or "")
    assert a.body == "学院举办产教融合年会，来自华中数控等企业的代表参加了会议，共同探讨人才培养。"


def test_a_players_page_gets_no_body_made_of_the_footer():
    html = """<html><head><title>校园之声第12期-南开大学新闻网</title></head><body>
<h1 class="title">校园之声第12期</h1><div class="player"><video src="/media/12.mp4" controls></video></div>
<div class="foot"><p>新闻热线：022-23508888</p><p>投稿信箱：news@nankai.edu.cn</p>
<p>地址：天津市南开区卫津路94号 邮编：300071</p></div></body></html>"""
    with pytest.raises(ExtractError) as err:
        extract("http://news.example.edu.cn/2024/0101/c1a2/page.htm", html)
    assert err.value.reason == "player-only"
