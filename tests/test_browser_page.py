"""The search page's newer parts in a real browser (Chromium driven by Playwright,
the app served by waitress on 127.0.0.1 from a real index): the snapshot opened
from the results, dates typed as readers type them, title suggestions that open
their article, the page that finds nothing, the help, 在结果中搜索, the subscribe
page, one result per story (the fold, the story listed whole, folding off), the
filters made quicker (issue 16: a phone's bar with 筛选 and the sort, the filters as a
sheet, one sort control, controls that apply when they change, the years of a custom
range); each state photographed at 1280 and 360 px into tests/screenshots/."""
from __future__ import annotations

import os
import re

import pytest

from tests import webui_fixtures as fx
from tests.webui_fixtures import (CHROMIUM, WIDTHS, browser, context_for,  # noqa: F401
                                  fits, no_sideways_scroll, params, shot, watch)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"no Chromium at {CHROMIUM} (install Debian's chromium: make browser)"),
]



@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, engine_name: str):
    from webui import create_app

    data_dir = tmp_path_factory.mktemp("browser-page-data")
    fx.build(data_dir / "index")
    app = create_app({"DATA_DIR": data_dir, "TODAY": fx.TODAY, "SITES": fx.SITES})
    # three earlier readers searched for these: 热门搜索
    qlog = app.extensions["news_query_log"]
    for text in ("产教融合", "华中数控"):
        for n in range(3):
            qlog.record(text, len(fx.containing(text)), client=qlog.client_key(f"192.0.2.{n}", "a reader"))
    with fx.served(app) as url:
        yield url
    app.extensions["news_engine"].close()






# -- A. the snapshot opened from a results page ----------------------------------------------
@pytest.mark.parametrize("width", WIDTHS)
def test_snapshot_from_results_highlights_the_query_and_leads_back(browser, base_url, watch, width):
    context = context_for(browser, width)
    page = watch(context.new_page(), base_url)
    page.goto(base_url + f"/search?q=产教融合&dept={fx.ZZ}&size=2")
    page.locator(".pager").get_by_role("link", name="下一页").click()
    page.wait_for_url("**page=2**")
    results_url = page.url
    title = page.locator(".hit-title").first.inner_text()
    page.locator(".hit .snapshot").first.click()
    page.wait_for_url("**/article/**#first-match")
    assert page.locator("h1").inner_text() == title
    marks = page.locator(".article-body mark")
    assert marks.count() >= 1 and set(marks.all_inner_texts()) == {"产教融合"}
    # the first match is the target, and in sight
    assert page.evaluate("() => document.querySelector(':target') && document.querySelector(':target').id") \
        == "first-match"
    box = page.locator("#first-match").bounding_box()
    assert box and 0 <= box["y"] and box["y"] + box["height"] <= WIDTHS[width]["height"]
    # the query stays in the box, and a link leads back to the very page
    assert page.locator("#q").input_value() == "产教融合"
    fits(page, "the snapshot")
    shot(page, f"snapshot-from-results-{width}")
    page.get_by_role("link", name="返回“产教融合”的搜索结果").click()
    page.wait_for_url("**/search?**")
    assert params(page.url) == params(results_url)
    assert page.locator(".pager [aria-current=page]").inner_text() == "2"
    assert watch.problems == []
    context.close()


def test_snapshot_of_a_long_article_scrolls_to_the_first_match(browser, base_url, watch):
    context = context_for(browser, "mobile")
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/search?q=华中数控 实训基地")
    page.locator(".hit .snapshot").first.click()
    page.wait_for_url("**/article/**")
    first = page.locator("#first-match")
    assert first.inner_text() in ("华中数控", "实训基地")
    assert first.evaluate("e => e.getBoundingClientRect().top < window.innerHeight")
    assert watch.problems == []
    context.close()


# -- B. dates in the page's own format, whatever the browser's language ----------------------
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_dates_typed_as_readers_type_them(browser, base_url, watch, javascript):
    context = browser.new_context(java_script_enabled=javascript, locale="en-US",
                                  viewport=WIDTHS["desktop"])
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/search?q=学院")
    start = page.get_by_label("从", exact=True)
    assert start.get_attribute("type") == "text" and start.get_attribute("placeholder") == "YYYY-MM-DD"
    start.fill("20230101")
    page.get_by_label("到", exact=True).fill("2023年12月31日")
    page.get_by_role("button", name="应用筛选").click()
    page.wait_for_url("**from=2023-01-01**")
    assert params(page.url) == {"q": ["学院"], "from": ["2023-01-01"], "to": ["2023-12-31"]}
    assert start.input_value() == "2023-01-01"
    assert page.get_by_label("到", exact=True).input_value() == "2023-12-31"
    assert all("2023-01-01" <= t[:10] <= "2023-12-31" for t in page.locator(".hit time").evaluate_all(
        "els => els.map(e => e.getAttribute('datetime'))"))
    assert "2023 年" in page.locator(".chip").first.inner_text()
    assert watch.problems == []
    context.close()


def test_the_date_pattern_is_one_the_browser_reads(browser, base_url, watch):
    context = browser.new_context(viewport=WIDTHS["desktop"])
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/search?q=学院")
    valid = page.locator("#from").evaluate("""input => ['20200101', '2020/1/1', '2020-1-1', '2020.1.1',
        '2020年1月1日', '２０２０－０１－０１', 'abc', '2020', '1/1/2020'].map(v => {
            input.value = v; return input.validity.valid; })""")
    assert valid == [True] * 6 + [False] * 3
    assert watch.problems == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_date_that_cannot_be_read_is_said_on_the_page(browser, base_url, watch, width):
    context = context_for(browser, width, locale="en-US")
    page = watch(context.new_page(), base_url)
    page.goto(base_url + f"/search?q=实训&dept={fx.ZZ}")
    page.get_by_label("从", exact=True).fill("2023-02-30")
    page.get_by_role("button", name="应用筛选").click()
    page.wait_for_url("**from=2023-02-30**")
    alert = page.get_by_role("alert")
    assert "起始日期“2023-02-30”不是有效的日期" in alert.inner_text()
    assert page.get_by_label("从", exact=True).input_value() == "2023-02-30"
    assert page.get_by_label("从", exact=True).get_attribute("aria-invalid") == "true"
    assert page.get_by_label("到", exact=True).get_attribute("aria-invalid") is None
    assert page.locator(".hit").count() > 0      # the rest of the search still runs
    fits(page, "the date message")
    shot(page, f"date-error-{width}")
    alert.get_by_role("link", name="修改日期").click()
    assert page.evaluate("() => location.hash") == "#from"
    assert watch.problems == []
    context.close()


def test_the_three_year_preset(browser, base_url, watch):
    context = browser.new_context(viewport=WIDTHS["desktop"], locale="zh-CN")
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/search?q=实训")
    page.locator(".pills a", has_text="近三年").click()
    page.wait_for_url("**range=3years**")
    assert page.locator(".pills a.active").first.inner_text() == "近三年"
    assert all(t[:10] >= "2021-07-15" for t in page.locator(".hit time").evaluate_all(
        "els => els.map(e => e.getAttribute('datetime'))"))
    assert watch.problems == []
    context.close()


# -- C. suggestions -------------------------------------------------------------------------
@pytest.mark.parametrize("width", WIDTHS)
def test_a_title_suggestion_opens_its_article(browser, base_url, watch, width):
    context = context_for(browser, width)
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/")
    box = page.get_by_role("combobox", name="搜索关键词")
    box.press_sequentially("华中", delay=20)
    page.get_by_role("listbox", name="搜索建议").wait_for()
    kinds = page.locator(".suggestion-kind").all_inner_texts()
    texts = page.locator(".suggestion-text").all_inner_texts()
    assert texts[0] == "华中数控" and kinds[0] == "热门搜索"
    assert set(kinds[1:]) == {"打开文章"}
    fits(page, "the suggestions")
    shot(page, f"suggestions-titles-{width}")
    # by pointer: the title opens its article, not a search for the whole title
    target = "华中数控专家来校开展数控系统培训"
    page.get_by_role("option", name=target).click()
    page.wait_for_url(f"**/article/{fx.id_of_title(target)}")
    assert page.locator("h1").inner_text() == target
    # by keyboard, from the article's box: the popular query still searches
    box = page.get_by_role("combobox", name="搜索关键词")
    box.fill("")
    box.press_sequentially("华中", delay=20)
    page.get_by_role("option").first.wait_for()
    box.press("ArrowDown")
    assert box.input_value() == "华中数控"
    box.press("Enter")
    page.wait_for_url("**/search?**")
    assert params(page.url) == {"q": ["华中数控"]}
    # and a title chosen by keyboard opens its article too
    box = page.get_by_role("combobox", name="搜索关键词")
    box.fill("")
    box.press_sequentially("华中", delay=20)
    page.get_by_role("option").nth(1).wait_for()
    box.press("ArrowDown")
    box.press("ArrowDown")
    chosen = box.input_value()
    box.press("Enter")
    page.wait_for_url(f"**/article/{fx.id_of_title(chosen)}")
    assert watch.problems == []
    context.close()


# -- D. the page that finds nothing -----------------------------------------------------------
@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_that_finds_nothing(browser, base_url, watch, width):
    context = context_for(browser, width)
    page = watch(context.new_page(), base_url)
    page.goto(base_url + f"/search?q=实训&dept={fx.TW}&range=3years&sort=date")
    assert "没有找到与“实训”并符合所选条件的新闻" in page.locator(".empty-lead").inner_text()
    assert page.locator(".stats").count() == 0 and page.locator(".sortlinks").count() == 0
    assert page.locator("#sort").count() == 0 and page.locator("#size").count() == 0
    tries = page.locator(".try")
    assert tries.get_by_role("link", name="去掉全部筛选条件").is_visible()
    assert tries.get_by_role("link", name=f"去掉部门（{fx.TW}）").is_visible()
    trending = page.locator(".trending a").all_inner_texts()
    assert sorted(trending) == sorted(["产教融合", "华中数控"])
    fits(page, "the empty page")
    shot(page, f"no-results-{width}")
    tries.get_by_role("link", name="去掉全部筛选条件").click()
    page.wait_for_url(lambda url: "dept" not in params(url))
    assert params(page.url) == {"q": ["实训"], "sort": ["date"]}
    assert page.locator(".hit").count() > 0
    page.go_back()
    page.locator(".trending a", has_text="华中数控").click()
    page.wait_for_url(lambda url: params(url).get("q") == ["华中数控"])
    assert page.locator(".hit").count() == len(fx.containing("华中数控"))
    assert watch.problems == []
    context.close()


# -- E. help ----------------------------------------------------------------------------------
@pytest.mark.parametrize("width", WIDTHS)
def test_help_examples_run_the_search(browser, base_url, watch, width):
    context = context_for(browser, width)
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/search?q=实训")
    page.get_by_role("link", name="搜索帮助").click()
    page.wait_for_url("**/help")
    assert page.locator("h1").inner_text() == "搜索帮助"
    examples = page.locator("a.example")
    texts = examples.all_inner_texts()
    assert '"校企合作协议"' in texts and "实训 -泸州" in texts and "title:招生" in texts
    fits(page, "the help")
    shot(page, f"help-{width}")
    for text in ("实训 -泸州", '"校企合作协议"', "信工学院"):
        page.locator("a.example", has_text=text).click()
        page.wait_for_url("**/search?**")
        assert params(page.url) == {"q": [text]}
        assert page.locator("#q").input_value() == text
        assert page.locator(".hit").count() > 0
        page.go_back()
        page.wait_for_url("**/help")
    assert watch.problems == []
    context.close()


# -- G. 在结果中搜索 ------------------------------------------------------------------------------
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_new_query_leaves_the_filters_unless_within_is_ticked(browser, base_url, watch, javascript):
    context = browser.new_context(java_script_enabled=javascript, locale="zh-CN",
                                  viewport=WIDTHS["desktop"])
    page = watch(context.new_page(), base_url)
    page.goto(base_url + f"/search?q=实训&dept={fx.ZZ}&range=year")
    within = page.get_by_label("在结果中搜索")
    assert not within.is_checked()
    if javascript:
        shot(page, "within-desktop")
    box = page.locator("#q")
    box.fill("数控")
    box.press("Enter")
    page.wait_for_url(lambda url: params(url).get("q") == ["数控"])
    assert params(page.url) == {"q": ["数控"]}      # no filter, no default, no empty field
    assert page.get_by_label("在结果中搜索").count() == 0

    page.goto(base_url + f"/search?q=实训&dept={fx.ZZ}&range=year")
    page.get_by_label("在结果中搜索").check()
    page.locator("#q").fill("数控")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_url(lambda url: params(url).get("q") == ["数控"])
    assert params(page.url) == {"q": ["数控"], "range": ["year"], "dept": [fx.ZZ]}

    # the 应用筛选 button applies what is ticked, whatever the box holds
    page.locator('input[name="dept"][value="%s"]' % fx.ZZ).uncheck()
    page.get_by_role("button", name="应用筛选").click()
    page.wait_for_url(lambda url: "dept" not in params(url))
    assert params(page.url) == {"q": ["数控"], "range": ["year"]}
    assert watch.problems == []
    context.close()


def test_within_fits_a_phone(browser, base_url, watch):
    context = context_for(browser, "mobile")
    page = watch(context.new_page(), base_url)
    page.goto(base_url + f"/search?q=实训&dept={fx.ZZ}")
    assert page.get_by_label("在结果中搜索").is_visible()
    assert page.get_by_role("link", name="搜索帮助").is_visible()
    fits(page, "the results with 在结果中搜索")
    shot(page, "within-mobile")
    assert watch.problems == []
    context.close()


# -- F. the subscribe page ---------------------------------------------------------------------
@pytest.mark.parametrize("width", WIDTHS)
def test_the_feed_link_explains_and_gives_the_address(browser, base_url, watch, width):
    context = context_for(browser, width)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = watch(context.new_page(), base_url)
    page.goto(base_url + f"/search?q=实训&dept={fx.ZZ}")
    page.get_by_role("link", name="订阅这个搜索").click()
    page.wait_for_url("**/subscribe?**")
    assert page.locator("h1").inner_text() == "订阅这个搜索"
    address = page.get_by_label("订阅地址").input_value()
    assert address.startswith(base_url + "/feed?")
    assert params(address) == {"q": ["实训"], "dept": [fx.ZZ]}
    page.get_by_role("button", name="复制地址").click()
    page.get_by_role("status").filter(has_text="已复制").wait_for()
    assert page.evaluate("() => navigator.clipboard.readText()") == address
    fits(page, "the subscribe page")
    shot(page, f"subscribe-{width}")
    feed = page.request.get(address)
    assert feed.ok and feed.headers["content-type"].startswith("application/atom+xml")
    page.get_by_role("link", name="返回搜索结果").click()
    page.wait_for_url("**/search?**")
    assert params(page.url) == {"q": ["实训"], "dept": [fx.ZZ]}
    assert watch.problems == []
    context.close()


# -- H. one result per story -------------------------------------------------------------------
@pytest.fixture(scope="module")
def fold_url(tmp_path_factory: pytest.TempPathFactory, engine_name: str):
    """The app over the near-duplicates of tests/test_webui_fold.py."""
    from tests import test_webui_fold as corpus
    from webui import create_app

    data_dir = tmp_path_factory.mktemp("browser-fold-data")
    corpus.build(data_dir / "index")
    app = create_app({"DATA_DIR": data_dir, "TODAY": corpus.TODAY, "SITES": corpus.SITES, "QUERY_LOG": False})
    with fx.served(app) as url:
        yield url
    app.extensions["news_engine"].close()


@pytest.mark.parametrize("width", WIDTHS)
def test_each_story_once_its_fold_and_the_whole_story(browser, fold_url, watch, width):
    from indexer.ids import article_id
    from tests.test_webui_fold import ARTICLES, MEETING_STORY

    context = context_for(browser, width)
    page = watch(context.new_page(), fold_url)
    page.goto(fold_url + "/search?q=产教融合")
    titles = page.locator(".hit-title").all_inner_texts()
    assert len(titles) == 3 == len(set(titles))
    assert "找到约 6 条结果，合为 3 篇" in page.locator(".stats").inner_text()
    assert page.locator("details.similar").count() == 2
    fold = page.locator(".hit details.similar").filter(has_text="另有 2 篇相似新闻")
    items = fold.locator("li")
    assert items.count() == 2 and not items.first.is_visible()     # folded until asked
    # by keyboard: the summary takes the focus, with its ring, and Enter opens it
    summary = fold.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert fold.evaluate("d => d.open") and items.first.is_visible() and items.nth(1).is_visible()
    assert summary.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    leader = params(fold.get_by_role("link", name="查看全部 3 篇").get_attribute("href"))["near"][0]
    title_of = {article_id(a.url): a.title for a in ARTICLES}
    assert sorted(items.locator("a").all_inner_texts()) == sorted(title_of[i] for i in MEETING_STORY - {leader})
    assert all(t.get_attribute("datetime") for t in items.locator("time").all())
    fits(page, "the open fold")
    shot(page, f"fold-open-{width}")
    # 查看全部: the story, one article a result
    fold.get_by_role("link", name="查看全部 3 篇").click()
    page.wait_for_url("**near=**")
    assert params(page.url) == {"q": ["产教融合"], "near": [leader]}
    assert page.locator(".hit").count() == 3 and page.locator("details.similar").count() == 0
    assert "同一篇新闻的 3 篇文章" in page.locator(".near-note").inner_text()
    fits(page, "the story listed whole")
    shot(page, f"fold-story-{width}")
    page.get_by_role("link", name="返回合并相似新闻的结果").click()
    page.wait_for_url(lambda url: "near" not in params(url))
    assert params(page.url) == {"q": ["产教融合"]}
    # folding off, and a new query keeps it off
    page.get_by_role("link", name="不合并相似新闻").click()
    page.wait_for_url("**fold=0**")
    assert page.locator(".hit").count() == 6 and page.locator("details.similar").count() == 0
    page.locator("#q").fill("运动会")
    page.locator("#q").press("Enter")
    page.wait_for_url(lambda url: params(url).get("q") == ["运动会"])
    assert params(page.url) == {"q": ["运动会"], "fold": ["0"]}
    page.get_by_role("link", name="合并相似新闻").click()
    page.wait_for_url(lambda url: "fold" not in params(url))
    assert page.locator("details.similar summary").inner_text() == "另有 1 篇相似新闻"
    assert watch.problems == []
    context.close()


def test_the_fold_opens_without_script(browser, fold_url, watch):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN", viewport=WIDTHS["mobile"])
    page = watch(context.new_page(), fold_url)
    page.goto(fold_url + "/search?q=产教融合")
    fold = page.locator("details.similar").first
    fold.locator("summary").click()
    assert fold.evaluate("d => d.open") and fold.get_by_role("link", name=re.compile("^查看全部")).is_visible()
    assert watch.problems == []
    context.close()


# -- I. the filters, quicker (issue 16) --------------------------------------------------------
def dept_box(page, name: str):
    return page.locator(f'#filters input[name="dept"][value="{name}"]')


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(box) and 0 <= box["y"] and box["y"] + box["height"] <= size["height"] \
        and 0 <= box["x"] and box["x"] + box["width"] <= size["width"]


def test_a_phone_has_a_bar_with_filters_and_the_sort(browser, base_url, watch):
    context = context_for(browser, "mobile")
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/search?q=实训")
    opener = page.get_by_role("link", name="筛选")
    assert in_view(page, opener) and in_view(page, page.get_by_label("排序", exact=True))
    # each result at most about half a screen: the snippet is three lines at most
    heights = page.locator(".hit").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and max(heights) <= WIDTHS["mobile"]["height"] / 2
    assert page.locator(".snippet").first.evaluate("e => getComputedStyle(e).webkitLineClamp") == "3"
    # the bar stays at the top while the results scroll
    page.evaluate("() => window.scrollTo(0, 900)")
    page.wait_for_function("() => window.scrollY > 500")
    bar = page.locator(".toolbar").bounding_box()
    assert bar and abs(bar["y"]) <= 1 and in_view(page, opener)
    fits(page, "the bar")
    page.screenshot(path=str(fx.SHOTS / "phone-bar-mobile.png"))
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, "phone-results-mobile")

    # 筛选 opens the panel as a sheet: the focus goes into it, the rest is out of reach
    opener.click()
    sheet = page.get_by_role("dialog", name="筛选")
    sheet.wait_for()
    page.wait_for_url("**#filters")
    assert sheet.get_attribute("aria-modal") == "true"
    assert page.evaluate("() => document.getElementById('filters').contains(document.activeElement)")
    close = sheet.get_by_role("button", name="关闭筛选")
    assert close.is_visible() and page.evaluate("() => document.activeElement.className") == "sheet-close"
    box = sheet.bounding_box()
    assert box and box["x"] == 0 and box["width"] == WIDTHS["mobile"]["width"]
    assert box["y"] + box["height"] <= WIDTHS["mobile"]["height"] + 1
    assert page.locator(".results").evaluate("e => e.inert") is True
    assert sheet.get_by_role("button", name="应用筛选").is_visible()
    fits(page, "the sheet")
    page.screenshot(path=str(fx.SHOTS / "filters-sheet-mobile.png"))
    # Escape closes it, and the focus is back on 筛选
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('#filters .filters-panel').classList.contains('sheet')")
    assert page.get_by_role("dialog").count() == 0
    assert page.evaluate("() => document.activeElement.classList.contains('to-filters')")
    assert page.evaluate("() => location.hash") == ""
    assert page.locator(".results").evaluate("e => e.inert") is False
    # and so does 关闭; the keyboard opens it too
    page.keyboard.press("Enter")
    sheet.wait_for()
    sheet.get_by_role("button", name="关闭筛选").click()
    page.wait_for_function("() => !document.querySelector('#filters .filters-panel').classList.contains('sheet')")
    assert page.evaluate("() => document.activeElement.classList.contains('to-filters')")
    # a department ticked in the sheet applies at once
    opener.click()
    sheet.wait_for()
    dept_box(page, fx.ZZ).check()
    page.wait_for_url(lambda url: params(url).get("dept") == [fx.ZZ])
    assert params(page.url) == {"q": ["实训"], "dept": [fx.ZZ]}
    assert page.get_by_role("link", name="筛选（1）").is_visible()
    assert watch.problems == []
    context.close()


def test_without_script_the_filters_are_a_link_away(browser, base_url, watch):
    context = context_for(browser, "mobile", java_script_enabled=False)
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/search?q=实训")
    opener = page.get_by_role("link", name="筛选")
    assert in_view(page, opener)
    opener.click()
    page.wait_for_url("**#filters")
    assert page.get_by_role("button", name="应用筛选").is_visible()
    assert page.locator(".sheet-close").is_hidden()
    shot(page, "filters-no-script-mobile")
    # the sort has its own 应用排序 beside it
    page.goto(base_url + "/search?q=实训")
    page.get_by_label("排序", exact=True).select_option("date")
    page.get_by_role("button", name="应用排序").click()
    page.wait_for_url("**sort=date**")
    assert params(page.url) == {"q": ["实训"], "sort": ["date"]}
    assert watch.problems == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_one_sort_control_applies_when_it_changes(browser, base_url, watch, width):
    context = context_for(browser, width)
    page = watch(context.new_page(), base_url)
    page.goto(base_url + f"/search?q=实训&dept={fx.JW}")
    assert page.locator("select[name=sort]").count() == 1 and page.locator(".sortlinks").count() == 0
    assert page.get_by_role("button", name="应用排序").count() == 0     # (script: no need)
    page.get_by_label("排序", exact=True).select_option("date")
    page.wait_for_url("**sort=date**")
    assert params(page.url) == {"q": ["实训"], "dept": [fx.JW], "sort": ["date"]}
    days = page.locator(".hit time").evaluate_all("els => els.map(e => e.getAttribute('datetime'))")
    assert days == sorted(days, reverse=True)
    fits(page, "the sort")
    shot(page, f"sort-select-{width}")
    assert watch.problems == []
    context.close()


def test_filters_apply_when_they_change(browser, base_url, watch):
    context = context_for(browser, "desktop")
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/search?q=实训")
    # 应用筛选 sits at the top of the panel, in sight
    assert in_view(page, page.get_by_role("button", name="应用筛选"))
    shot(page, "filters-apply-top-desktop")
    # a department: at once; then a year keeps it
    dept_box(page, fx.ZZ).check()
    page.wait_for_url(lambda url: params(url).get("dept") == [fx.ZZ])
    page.locator(".years a", has_text="2023").click()
    page.wait_for_url("**from=2023-01-01**")
    assert params(page.url) == {"q": ["实训"], "dept": [fx.ZZ], "from": ["2023-01-01"], "to": ["2023-12-31"]}
    # a department ticked and a year clicked before it applied: both
    page.goto(base_url + "/search?q=实训")
    dept_box(page, fx.JW).check()
    page.locator(".years a", has_text="2024").click()
    page.wait_for_url("**from=2024-01-01**")
    assert params(page.url) == {"q": ["实训"], "dept": [fx.JW], "from": ["2024-01-01"], "to": ["2024-12-31"]}
    assert dept_box(page, fx.JW).is_checked()
    # 只搜索标题, the page size: at once
    page.get_by_label("只搜索标题").check()
    page.wait_for_url("**title_only=1**")
    page.get_by_label("每页", exact=True).select_option("20")
    page.wait_for_url("**size=20**")
    assert params(page.url) == {"q": ["实训"], "dept": [fx.JW], "from": ["2024-01-01"], "to": ["2024-12-31"],
                                "title_only": ["1"], "size": ["20"]}
    # the dates: when the reader leaves them, if they read as dates
    page.goto(base_url + "/search?q=实训")
    start = page.get_by_label("从", exact=True)
    start.fill("2022-0")
    start.press("Tab")            # to 到: still in the dates
    page.get_by_label("到", exact=True).press("Tab")  # out, but 2022-0 is no date
    page.wait_for_timeout(800)
    assert params(page.url) == {"q": ["实训"]}
    start.fill("20220101")
    start.press("Tab")
    page.wait_for_timeout(800)
    assert params(page.url) == {"q": ["实训"]}   # not while the other date is being typed
    page.get_by_label("到", exact=True).fill("2022年12月31日")
    page.get_by_label("到", exact=True).press("Tab")
    page.wait_for_url("**from=2022-01-01**")
    assert params(page.url) == {"q": ["实训"], "from": ["2022-01-01"], "to": ["2022-12-31"]}
    assert watch.problems == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_years_inside_a_custom_range(browser, base_url, watch, width):
    context = context_for(browser, width)
    page = watch(context.new_page(), base_url)
    page.goto(base_url + f"/search?q=实训&dept={fx.ZZ}&from=2022-06-01&to=2023-06-30")
    years = page.locator(".years a")
    assert sorted(t.split()[0] for t in years.all_inner_texts()) == ["2022", "2023"]
    if width == "mobile":
        page.get_by_role("link", name="筛选（2）").click()
        page.get_by_role("dialog", name="筛选").wait_for()
    fits(page, "the years of a range")
    shot(page, f"years-in-range-{width}")
    years.filter(has_text="2023").click()
    page.wait_for_url("**from=2023-01-01**")
    assert params(page.url) == {"q": ["实训"], "dept": [fx.ZZ], "from": ["2023-01-01"], "to": ["2023-06-30"]}
    assert all("2023-01-01" <= t[:10] <= "2023-06-30" for t in page.locator(".hit time").evaluate_all(
        "els => els.map(e => e.getAttribute('datetime'))"))
    assert page.locator(".years a.active").inner_text().startswith("2023")
    assert watch.problems == []
    context.close()
