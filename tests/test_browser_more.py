"""More of the search page in a real browser (Chromium driven by Playwright, the
app served by waitress on 127.0.0.1 from a real index), after issue 16: the
filters applied in place (the phone's sheet stays, the page is not reloaded, the
address and the results change, Back restores them), oldest first, 热门搜索 that
one reader cannot plant, what the wire carries as the browser sees it (compressed
pages, static files from the cache), ``ybzy`` corrected in place, 未注明 ticked in
the departments, page 2 saying so in its title, snippets that start cleanly; each
state photographed at 1280 and 360 px into tests/screenshots/."""
from __future__ import annotations

import os
import re

import pytest

from indexer.article import Article
from indexer.ids import article_id
from indexer.index import build_index
from tests import webui_fixtures as fx
from tests.webui_fixtures import (CHROMIUM, WIDTHS, browser, context_for,  # noqa: F401
                                  fits, no_sideways_scroll, params, shot, watch)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"no Chromium at {CHROMIUM} (install Debian's chromium: make browser)"),
]


COLLEGE_NEWS = "宜宾职业技术学院召开产教融合推进会"
DEEP = "数控技术专业人才培养方案论证会召开"
#: the shared corpus, a story that names the college in full (what ``ybzy`` stands
#: for) and one whose match lies deep in a long text
ARTICLES = fx.make_articles() + [
    Article(url="https://www.example.edu.cn/info/0901.htm", site=fx.SITE, title=COLLEGE_NEWS,
            body="宜宾职业技术学院召开产教融合推进会，校企代表参加会议。", published="2024-05-20",
            department=None, column="今日宜职"),
    Article(url="https://www.example.edu.cn/info/0902.htm", site=fx.SITE, title=DEEP,
            body="学院召开专业建设会议，部署年度重点工作。" * 12
                 + "\n会上，专家组对数控机床维修课程提出了修改意见。\n会议要求各教研室抓好落实。",
            published="2024-05-21", department=fx.ZZ, column="学院动态"),
]


def matching(text: str, dept: object = ...) -> list[Article]:
    return [a for a in ARTICLES if (text in a.title or text in a.body)
            and (dept is ... or a.department == dept)]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, engine_name: str):
    """The app over ARTICLES with an empty query log, and the paths it was asked for."""
    from webui import create_app

    data_dir = tmp_path_factory.mktemp("browser-more-data")
    assert build_index(ARTICLES, data_dir / "index") == len(ARTICLES)
    app = create_app({"DATA_DIR": data_dir, "TODAY": fx.TODAY, "SITES": fx.SITES})
    asked: list[str] = []
    inner = app.wsgi_app

    def counting(environ, start_response):
        asked.append(environ.get("PATH_INFO", ""))
        return inner(environ, start_response)

    app.wsgi_app = counting  # type: ignore[method-assign]
    with fx.served(app) as url:
        yield url, app, asked
    app.extensions["news_engine"].close()


@pytest.fixture(scope="module")
def base_url(served):
    return served[0]






# -- the same document: applied in place, not loaded again ------------------------------------
def mark_document(page) -> None:
    page.evaluate("() => { window.__sameDocument = location.href; }")


def same_document(page) -> bool:
    """True while the page is still the document :func:`mark_document` marked: the
    marker survives, and the document's one navigation is the one it was loaded by."""
    return page.evaluate("""() => window.__sameDocument !== undefined
        && performance.getEntriesByType('navigation').length === 1
        && performance.getEntriesByType('navigation')[0].name === window.__sameDocument""")


def dept_box(page, name: str):
    return page.locator(f'#filters input[name="dept"][value="{name}"]')


def focused(page) -> list[str]:
    return page.evaluate("() => [document.activeElement.name || document.activeElement.className,"
                         " document.activeElement.value || '']")


def days(page) -> list[str]:
    return page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(box) and 0 <= box["y"] and box["y"] + box["height"] <= size["height"]


def status_says(page, text: str) -> None:
    page.wait_for_function("t => document.getElementById('filters-count').textContent === t", arg=text)


# -- A. the phone's sheet applies in place -------------------------------------------------------
def test_the_sheet_applies_in_place_and_back_restores(browser, base_url, watch):
    context = context_for(browser, "mobile")
    page = watch(context.new_page(), base_url)
    start = base_url + "/search?q=实训"
    page.goto(start)
    mark_document(page)
    everything = len(matching("实训"))
    assert page.locator(".stats").inner_text().startswith(f"找到约 {everything} 条结果")
    page.get_by_role("link", name="筛选").click()
    sheet = page.get_by_role("dialog", name="筛选")
    sheet.wait_for()

    # a department ticked in the sheet: the results and the address change, the page stays
    dept_box(page, fx.ZZ).check()
    page.wait_for_url(lambda url: params(url).get("dept") == [fx.ZZ])
    assert params(page.url) == {"q": ["实训"], "dept": [fx.ZZ]}
    assert same_document(page)
    in_zz = matching("实训", fx.ZZ)
    assert page.locator(".hit").count() == min(10, len(in_zz)) < everything
    assert set(page.locator(".hit .dept").all_inner_texts()) == {fx.ZZ}
    assert page.locator(".stats").inner_text().startswith(f"找到约 {len(in_zz)} 条结果")
    # the sheet stays open, the focus on the box ticked, the new count said (and shown)
    assert sheet.is_visible() and sheet.get_attribute("aria-modal") == "true"
    assert focused(page) == ["dept", fx.ZZ] and dept_box(page, fx.ZZ).is_checked()
    status = sheet.get_by_role("status")
    status_says(page, f"找到约 {len(in_zz)} 条结果")
    assert status.is_visible() and in_view(page, status)
    # the rest of the page follows: the title, the count on 筛选, 在结果中搜索, the JSON twin
    assert page.locator(".results").evaluate("e => e.inert") is True   # still behind the sheet
    assert page.locator(".to-filters").inner_text() == "筛选（1）"
    assert page.locator("input[name=within]").count() == 1
    twin = page.locator('link[rel="alternate"][type="application/json"]').get_attribute("href")
    assert params(twin) == {"q": ["实训"], "dept": [fx.ZZ]}
    assert page.locator("input[name=prev]").input_value() == "实训"
    fits(page, "the sheet applied")
    page.screenshot(path=str(fx.SHOTS / "sheet-applied-mobile.png"))

    # a year of the sheet: in place too, the department kept
    sheet.locator(".years a", has_text="2024").click()
    page.wait_for_url(lambda url: params(url).get("from") == ["2024-01-01"])
    assert params(page.url) == {"q": ["实训"], "dept": [fx.ZZ], "from": ["2024-01-01"], "to": ["2024-12-31"]}
    assert same_document(page)
    assert all(d.startswith("2024") for d in days(page))
    assert sheet.locator(".years a.active").inner_text().startswith("2024")
    assert page.evaluate("() => document.activeElement.textContent").startswith("2024")
    assert "实训 - 搜索结果" in page.title()

    # 关闭: the focus back on 筛选 (the bar's new one)
    sheet.get_by_role("button", name="关闭筛选").click()
    page.wait_for_function("() => !document.querySelector('#filters .filters-panel').classList.contains('sheet')")
    assert page.evaluate("() => document.activeElement.classList.contains('to-filters')")
    assert page.locator(".results").evaluate("e => e.inert") is False

    # Back: the results before the year, then before the department, still in place
    page.go_back()
    page.wait_for_url(lambda url: "from" not in params(url))
    page.wait_for_function("() => !document.querySelector('.years a.active')")
    assert params(page.url) == {"q": ["实训"], "dept": [fx.ZZ]}
    assert page.locator(".hit").count() == min(10, len(in_zz))
    page.go_back()
    page.wait_for_url(lambda url: "dept" not in params(url))
    page.wait_for_function("() => !document.querySelector('#filters input[name=dept]:checked')")
    assert params(page.url) == {"q": ["实训"]}
    assert page.locator(".stats").inner_text().startswith(f"找到约 {everything} 条结果")
    assert page.get_by_role("link", name="筛选", exact=True).count() == 1
    assert same_document(page)
    assert page.get_by_role("dialog").count() == 0
    # and Forward again
    page.go_forward()
    page.wait_for_url(lambda url: params(url).get("dept") == [fx.ZZ])
    page.wait_for_function("() => document.querySelectorAll('#filters input[name=dept]:checked').length === 1")
    assert set(page.locator(".hit .dept").all_inner_texts()) == {fx.ZZ}
    assert same_document(page)
    assert watch.problems == []
    context.close()


def test_a_wide_screen_applies_in_place_too(browser, base_url, watch):
    context = context_for(browser, "desktop")
    page = watch(context.new_page(), base_url)
    start = base_url + "/search?q=实训"
    page.goto(start)
    mark_document(page)
    page.get_by_label("每页", exact=True).focus()     # (as a click on it would)
    page.get_by_label("每页", exact=True).select_option("20")
    page.wait_for_url(lambda url: params(url).get("size") == ["20"])
    assert page.locator(".hit").count() == min(20, len(matching("实训")))
    assert focused(page) == ["size", "20"]
    # 应用筛选 too (the dates typed, then the button)
    page.get_by_label("从", exact=True).fill("20230101")
    page.get_by_role("button", name="应用筛选").click()
    page.wait_for_url(lambda url: params(url).get("from") == ["2023-01-01"])
    assert params(page.url) == {"q": ["实训"], "size": ["20"], "from": ["2023-01-01"]}
    assert page.get_by_label("从", exact=True).input_value() == "2023-01-01"
    assert all(d[:10] >= "2023-01-01" for d in days(page))
    assert same_document(page)
    # Enter in a date field: in place too
    page.get_by_label("到", exact=True).fill("2023年12月31日")
    page.get_by_label("到", exact=True).press("Enter")
    page.wait_for_url(lambda url: params(url).get("to") == ["2023-12-31"])
    assert all("2023-01-01" <= d[:10] <= "2023-12-31" for d in days(page))
    assert page.get_by_label("到", exact=True).input_value() == "2023-12-31"
    assert focused(page) == ["to", "2023-12-31"]
    assert same_document(page)
    # a new query typed into the box is a new page, as before
    page.locator("#q").fill("数控")
    page.locator("#q").press("Enter")
    page.wait_for_url(lambda url: params(url).get("q") == ["数控"])
    assert params(page.url) == {"q": ["数控"], "size": ["20"]}
    assert page.evaluate("() => window.__sameDocument") is None
    assert watch.problems == []
    context.close()


def test_when_the_fetch_fails_the_page_loads_as_the_form_would(browser, base_url):
    context = context_for(browser, "mobile")
    page = context.new_page()
    # the results the script asks for never come (the page itself loads)
    page.route("**/search?**", lambda route: route.abort() if route.request.resource_type == "fetch"
               else route.continue_())
    page.goto(base_url + "/search?q=实训")
    mark_document(page)
    page.get_by_role("link", name="筛选").click()
    page.get_by_role("dialog", name="筛选").wait_for()
    dept_box(page, fx.ZZ).check()
    page.wait_for_url(lambda url: params(url).get("dept") == [fx.ZZ])
    page.wait_for_load_state("load")
    assert page.evaluate("() => window.__sameDocument") is None     # a page load
    assert params(page.url) == {"q": ["实训"], "dept": [fx.ZZ]}
    assert set(page.locator(".hit .dept").all_inner_texts()) == {fx.ZZ}
    context.close()


# -- B. oldest first ----------------------------------------------------------------------------
@pytest.mark.parametrize("width", WIDTHS)
def test_oldest_first(browser, base_url, watch, width):
    context = context_for(browser, width)
    page = watch(context.new_page(), base_url)
    page.goto(base_url + f"/search?q=实训&dept={fx.JW}&size=4")
    sort = page.get_by_label("排序", exact=True)
    assert sort.locator("option").all_inner_texts() == ["相关度", "最新", "最早"]
    sort.focus()
    sort.select_option(label="最早")
    page.wait_for_url(lambda url: params(url).get("sort") == ["oldest"])
    assert params(page.url) == {"q": ["实训"], "dept": [fx.JW], "size": ["4"], "sort": ["oldest"]}
    first = days(page)
    want = sorted(a.published for a in matching("实训", fx.JW))
    assert len(want) > 4 and [d[:10] for d in first] == [d[:10] for d in want[:4]]
    assert sort.input_value() == "oldest" and focused(page) == ["sort", "oldest"]
    fits(page, "oldest first")
    shot(page, f"sort-oldest-{width}")
    # page 2 goes on from there, still oldest first
    page.locator(".pager").get_by_role("link", name="下一页").click()
    page.wait_for_url(lambda url: params(url).get("page") == ["2"])
    second = days(page)
    assert second == sorted(second) and second[0] >= first[-1]
    assert page.get_by_label("排序", exact=True).input_value() == "oldest"
    assert watch.problems == []
    context.close()


# -- C. 热门搜索 is several readers' ------------------------------------------------------------
def test_three_searches_from_one_reader_make_no_trending_query(browser, served, watch):
    base_url, app, _asked = served
    context = context_for(browser, "desktop")
    page = watch(context.new_page(), base_url)
    for _ in range(3):
        page.goto(base_url + "/")
        box = page.get_by_role("combobox", name="搜索关键词")
        box.fill("技能大赛")
        box.press("Enter")
        page.wait_for_url(lambda url: params(url).get("q") == ["技能大赛"])
        assert page.locator(".hit").count() == len(matching("技能大赛"))
    page.goto(base_url + "/search?q=没有这样的词语")
    assert page.locator(".empty").count() == 1
    assert page.get_by_role("heading", name="热门搜索").count() == 0
    assert page.locator(".trending").count() == 0
    # nor is it offered as one in the box
    box = page.get_by_role("combobox", name="搜索关键词")
    box.fill("")
    box.press_sequentially("技能", delay=20)
    page.get_by_role("option").first.wait_for()
    assert "热门搜索" not in page.locator(".suggestion-kind").all_inner_texts()
    shot(page, "no-planted-trending-desktop")
    # the three searches were counted, as one reader's: two more readers make it popular
    qlog = app.extensions["news_query_log"]
    for n in (1, 2):
        qlog.record("技能大赛", len(matching("技能大赛")), client=qlog.client_key(f"198.51.100.{n}", "another reader"))
    page.goto(base_url + "/search?q=没有这样的词语")
    assert page.locator(".trending a").all_inner_texts() == ["技能大赛"]
    assert watch.problems == []
    context.close()


# -- D. the wire, as the browser sees it -----------------------------------------------------------
def test_pages_come_compressed_and_static_files_from_the_cache(browser, served, watch):
    base_url, _app, asked = served
    asked.clear()     # (what the other tests' browsers asked for)
    context = context_for(browser, "desktop")
    page = watch(context.new_page(), base_url)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    from_cache: list[str] = []
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.requestServedFromCache", lambda e: from_cache.append(urls.get(e["requestId"], "")))
    cdp.on("Network.responseReceived",
           lambda e: from_cache.append(e["response"]["url"]) if e["response"].get("fromDiskCache") else None)
    statics: dict[str, dict] = {}
    page.on("response", lambda r: statics.__setitem__(r.url, r.all_headers()) if "/static/" in r.url else None)

    response = page.goto(base_url + "/search?q=实训")
    headers = response.all_headers()
    assert headers.get("content-encoding") in ("br", "gzip"), headers
    assert "accept-encoding" in headers.get("vary", "").lower()
    # what the browser measured: fewer bytes on the wire than in the page
    sizes = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
        return [n.encodedBodySize, n.decodedBodySize]; }""")
    assert 0 < sizes[0] < sizes[1] / 2, sizes
    # static files: versioned addresses, sent compressed and immutable
    css = next(u for u in statics if "/static/style.css" in u)
    assert re.search(r"\?v=[0-9a-f]{12}$", css)
    for url, h in statics.items():
        assert h.get("cache-control") == "public, max-age=31536000, immutable", (url, h)
    assert statics[css].get("content-encoding") in ("br", "gzip")
    page.wait_for_load_state("load")
    asked_for_css = asked.count("/static/style.css")
    assert asked_for_css >= 1

    # the next page: the stylesheet and the scripts come from the cache, the server is not asked
    page.goto(base_url + "/search?q=数控")
    page.wait_for_load_state("load")
    assert asked.count("/static/style.css") == asked_for_css
    assert asked.count("/static/filters.js") == 1 and asked.count("/static/suggest.js") == 1
    assert css in from_cache, from_cache
    assert page.locator("link[rel=stylesheet]").evaluate("l => l.sheet.cssRules.length") > 50

    # the results a filter fetches in place are compressed too
    # (waited for as a response: on a loaded machine the address can change before
    # the response event reaches the test)
    with page.expect_response(lambda r: r.request.resource_type == "fetch" and "/search" in r.url
                              and r.status == 200) as fetched:
        dept_box(page, fx.ZZ).check()
    page.wait_for_url(lambda url: params(url).get("dept") == [fx.ZZ])
    assert fetched.value.all_headers().get("content-encoding") in ("br", "gzip")
    assert watch.problems == []
    context.close()


# -- E. ybzy ------------------------------------------------------------------------------------
@pytest.mark.parametrize("width", WIDTHS)
def test_letters_of_the_college_name_are_corrected_in_place(browser, base_url, watch, width):
    context = context_for(browser, width)
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/")
    box = page.get_by_role("combobox", name="搜索关键词")
    box.fill("ybzy")
    box.press("Enter")
    page.wait_for_url(lambda url: params(url).get("q") == ["ybzy"])
    notice = page.locator(".corrected")
    assert notice.inner_text() == "以下是“宜宾职业技术学院”的结果，仍然搜索：ybzy"
    assert page.locator(".hit-title").all_inner_texts() == [COLLEGE_NEWS]
    assert page.locator(".hit-title mark").first.inner_text() == "宜宾职业技术学院"
    assert page.locator("#q").input_value() == "ybzy"
    fits(page, "the corrected results")
    shot(page, f"corrected-ybzy-{width}")
    # the way back: what was typed, which finds nothing and offers the correction
    notice.get_by_role("link", name="ybzy").click()
    page.wait_for_url(lambda url: params(url).get("typed") == ["1"])
    assert params(page.url) == {"q": ["ybzy"], "typed": ["1"]}
    assert page.locator(".hit").count() == 0 and page.locator(".corrected").count() == 0
    assert watch.problems == []
    context.close()


# -- F. 未注明 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("width", WIDTHS)
def test_no_department_named_can_be_ticked(browser, base_url, watch, width):
    context = context_for(browser, width)
    page = watch(context.new_page(), base_url)
    start = base_url + "/search?q=学校"
    page.goto(start)
    mark_document(page)
    if width == "mobile":
        page.get_by_role("link", name="筛选").click()
        page.get_by_role("dialog", name="筛选").wait_for()
    none = page.get_by_role("checkbox", name=re.compile("^未注明"))
    assert none.count() == 1 and not none.is_checked()
    assert page.locator("#filters .unfilterable").count() == 0
    none.check()
    page.wait_for_url(lambda url: params(url).get("dept") == ["未注明"])
    assert params(page.url) == {"q": ["学校"], "dept": ["未注明"]}
    assert same_document(page)
    unnamed = matching("学校", None)
    assert page.locator(".hit").count() == len(unnamed) > 0
    assert page.locator(".hit .dept").count() == 0
    assert sorted(page.locator(".hit-title").all_inner_texts()) == sorted(a.title for a in unnamed)
    assert page.get_by_role("checkbox", name=re.compile("^未注明")).is_checked()
    assert page.get_by_role("link", name="取消部门：未注明").count() == 1
    fits(page, "未注明 ticked")
    shot(page, f"dept-unnamed-{width}")
    assert watch.problems == []
    context.close()


# -- G. page 2 says so ----------------------------------------------------------------------------
def test_page_two_says_so_in_its_title(browser, base_url, watch):
    context = context_for(browser, "desktop")
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/search?q=实训")
    assert "第" not in page.title()
    page.locator(".pager").get_by_role("link", name="下一页").click()
    page.wait_for_url(lambda url: params(url).get("page") == ["2"])
    assert page.title().startswith("实训 - 搜索结果（第 2 页）")
    assert page.locator(".pager [aria-current=page]").inner_text() == "2"
    assert watch.problems == []
    context.close()


# -- H. snippets ------------------------------------------------------------------------------------
def test_snippets_start_cleanly(browser, base_url, watch):
    context = context_for(browser, "desktop")
    page = watch(context.new_page(), base_url)
    # a match deep in a long text: the snippet starts at its sentence, with no stray mark
    page.goto(base_url + "/search?q=数控机床维修")
    assert page.locator(".hit-title").all_inner_texts() == [DEEP]
    snippet = page.locator(".snippet").first.evaluate("e => e.textContent").strip()
    assert snippet.startswith("会上，专家组对数控机床维修课程"), snippet
    assert article_id(ARTICLES[-1].url) in page.locator(".hit .snapshot").first.get_attribute("href")
    for q in ("数控机床维修", "实训", "产教融合", "学院", "培训", "会议"):
        page.goto(base_url + f"/search?q={q}&size=50")
        texts = page.locator(".snippet").evaluate_all("els => els.map(e => e.textContent.trim())")
        assert texts, q
        for text in texts:
            assert not re.match(r"…?[。，、；：！？,.;:!?）》」』】\s]", text), (q, text)
            # no space left between two Chinese sentences (the source's line breaks)
            assert not re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]\s+[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]",
                                 text), (q, text)
    assert watch.problems == []
    context.close()
