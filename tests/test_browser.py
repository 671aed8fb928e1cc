"""The search page in a real browser: Debian's Chromium driven by Playwright,
against the app served by waitress on 127.0.0.1 from a real index.

Screenshots go to tests/screenshots/ (ignored by git)."""
from __future__ import annotations

import os
import threading

import pytest

from tests import webui_fixtures as fx
from tests.webui_fixtures import (CHROMIUM, SHOTS, browser, no_sideways_scroll, params,  # noqa: F401
                                  shot, watch)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason=f"no Chromium at {CHROMIUM} (install Debian's chromium: make browser)"),
]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, engine_name: str):
    from waitress import create_server

    from webui import create_app

    data_dir = tmp_path_factory.mktemp("browser-data")
    fx.build(data_dir / "index")
    app = create_app({"DATA_DIR": data_dir, "TODAY": fx.TODAY, "SITES": fx.SITES,
                      "SUGGEST_MIN_COUNT": 2})
    # what earlier readers searched for: a popular query for the suggestions
    qlog = app.extensions["news_query_log"]
    for n in range(3):
        qlog.record("产教融合", len(fx.containing("产教融合")),
                    client=qlog.client_key(f"192.0.2.{n}", "an earlier reader"))
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)
    app.extensions["news_engine"].close()


def dept_box(page, name: str):
    return page.locator(f'input[name="dept"][value="{name}"]')


def published_days(page) -> list[str]:
    return [t[:10] for t in page.locator(".hit time").evaluate_all(
        "els => els.map(e => e.getAttribute('datetime'))")]


def test_search_filter_and_page_without_javascript(browser, base_url, watch):
    # The page must work fully with JavaScript off: plain GET forms and links.
    context = browser.new_context(java_script_enabled=False, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900})
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    shot(page, "home-desktop")

    page.get_by_label("搜索关键词").fill("产教融合")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_url("**/search?**")
    assert params(page.url)["q"] == ["产教融合"]
    assert page.locator("#q").input_value() == "产教融合"
    total = len(fx.containing("产教融合"))
    assert f"找到约 {total} 条结果" in page.locator(".stats").inner_text()
    assert page.locator(".hit").count() == 10
    assert page.locator(".hit mark").first.inner_text() == "产教融合"
    shot(page, "results-desktop")

    # page 2 keeps the query
    page.locator(".pager").get_by_role("link", name="下一页").click()
    page.wait_for_url("**page=2**")
    assert params(page.url)["q"] == ["产教融合"]
    assert page.locator(".pager [aria-current=page]").inner_text() == "2"
    assert page.locator(".hit").count() == total - 10

    # tick a department and apply: back to page 1, only that department
    dept_box(page, fx.JW).check()
    page.get_by_role("button", name="应用筛选").click()
    page.wait_for_url("**dept=**")
    got = params(page.url)
    assert got["dept"] == [fx.JW] and got["q"] == ["产教融合"] and "page" not in got
    want = fx.containing("产教融合") & fx.ids_where(lambda a: a.department == fx.JW)
    assert page.locator(".hit").count() == len(want)
    assert set(page.locator(".hit .dept").all_inner_texts()) == {fx.JW}
    assert dept_box(page, fx.JW).is_checked()

    # a year from the facet sets the date range
    page.locator(".years a", has_text="2023").click()
    page.wait_for_url("**from=2023-01-01**")
    assert params(page.url)["to"] == ["2023-12-31"]
    assert page.locator("#from").input_value() == "2023-01-01"
    assert all(day.startswith("2023") for day in published_days(page))

    # the chip of the department removes it and keeps the rest
    page.get_by_role("link", name=f"取消部门：{fx.JW}").click()
    page.wait_for_url(lambda url: "dept" not in params(url))
    assert params(page.url)["from"] == ["2023-01-01"] and params(page.url)["q"] == ["产教融合"]
    assert watch.problems == []
    context.close()


def test_type_filter_sort_page_and_snapshot(browser, base_url, watch):
    """The reader's day: a query, two departments, a date range, newest first, page 2,
    a snapshot and its related news."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/")
    box = page.get_by_role("combobox", name="搜索关键词")
    box.press_sequentially("实训", delay=20)
    page.get_by_role("listbox", name="搜索建议").wait_for()
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    box.press("Enter")
    page.wait_for_url("**/search?**")
    assert params(page.url)["q"] == ["实训"]

    # each control applies when it changes (the dates when the reader leaves them):
    # one step at a time, each waiting for its results
    dept_box(page, fx.ZZ).check()
    page.wait_for_url(lambda url: params(url).get("dept") == [fx.ZZ])
    dept_box(page, fx.JW).check()
    page.wait_for_url(lambda url: len(params(url).get("dept", [])) == 2)
    page.get_by_label("从", exact=True).fill("2022-01-01")
    page.get_by_label("到", exact=True).fill("2024-12-31")
    page.get_by_label("到", exact=True).press("Tab")
    page.wait_for_url(lambda url: params(url).get("to") == ["2024-12-31"])
    page.get_by_label("排序", exact=True).select_option("date")
    page.wait_for_url(lambda url: params(url).get("sort") == ["date"])
    got = params(page.url)
    assert got["q"] == ["实训"] and sorted(got["dept"]) == sorted([fx.ZZ, fx.JW])
    assert got["from"] == ["2022-01-01"] and got["to"] == ["2024-12-31"]
    assert got["sort"] == ["date"]

    want = fx.containing("实训") & fx.ids_where(
        lambda a: a.department in (fx.ZZ, fx.JW) and "2022-01-01" <= a.published[:10] <= "2024-12-31")
    assert len(want) > 10
    assert f"找到约 {len(want)} 条结果" in page.locator(".stats").inner_text()
    first_page = published_days(page)
    assert len(first_page) == 10 and first_page == sorted(first_page, reverse=True)
    assert set(page.locator(".hit .dept").all_inner_texts()) <= {fx.ZZ, fx.JW}
    chips = page.locator(".chip").all_inner_texts()
    assert len(chips) == 3 and any("2022-01-01 至 2024-12-31" in c for c in chips)
    assert page.get_by_label("排序", exact=True).input_value() == "date"
    shot(page, "results-filtered")

    page.get_by_role("link", name="第 2 页").click()
    page.wait_for_url("**page=2**")
    assert sorted(params(page.url)["dept"]) == sorted([fx.ZZ, fx.JW])
    second_page = published_days(page)
    assert len(second_page) == len(want) - 10
    assert second_page == sorted(second_page, reverse=True) and second_page[0] <= first_page[-1]

    title = page.locator(".hit-title").first.inner_text()
    page.locator(".hit .snapshot").first.click()
    page.wait_for_url("**/article/**")
    assert page.locator("h1").inner_text() == title
    assert page.get_by_role("link", name="查看原文").get_attribute("href").startswith("https://")
    related = page.locator(".related li a")
    assert related.count() >= 1
    shot(page, "article-desktop")
    other = related.first.inner_text()
    before = page.url
    related.first.click()
    page.wait_for_url(lambda url: "/article/" in url and url != before)
    assert page.locator("h1").inner_text() == other
    assert watch.problems == []
    context.close()


def test_suggestions_by_keyboard_and_mouse(browser, base_url, watch):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/")
    box = page.get_by_role("combobox", name="搜索关键词")
    assert box.get_attribute("aria-autocomplete") == "list"
    box.press_sequentially("产教", delay=20)
    options = page.get_by_role("option")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    texts = page.locator(".suggestion-text").all_inner_texts()
    assert texts[0] == "产教融合"               # the popular query first
    assert page.locator(".suggestion-kind").first.inner_text() == "热门搜索"
    assert all("产教" in t for t in texts) and len(texts) > 2

    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "q-suggestion-0"
    assert box.input_value() == "产教融合"
    box.press("ArrowDown")
    assert box.input_value() == texts[1]
    assert options.nth(1).get_attribute("aria-selected") == "true"
    shot(page, "suggestions-desktop")
    # a title opens its article
    box.press("Enter")
    page.wait_for_url("**/article/**")
    assert page.locator("h1").inner_text() == texts[1]

    # by pointer, from the article page's box
    box = page.get_by_role("combobox", name="搜索关键词")
    box.fill("")
    box.press_sequentially("华中", delay=20)
    pick = page.get_by_role("option", name="华中数控专家来校开展数控系统培训")
    pick.click()
    page.wait_for_url(f"**/article/{fx.id_of_title('华中数控专家来校开展数控系统培训')}")
    # a popular query still searches
    box = page.get_by_role("combobox", name="搜索关键词")
    box.fill("")
    box.press_sequentially("产教", delay=20)
    page.get_by_role("option", name="产教融合").first.click()
    page.wait_for_url(lambda url: params(url).get("q") == ["产教融合"])

    # a typo shows the corrected results at once, with the way back to what was typed,
    # and that page offers the correction again
    page.goto(base_url + "/search?q=产教融和")
    assert page.locator(".corrected").inner_text().startswith("以下是“产教融合”的结果")
    assert page.locator(".hit").count() == 10
    page.locator(".corrected a").click()
    page.wait_for_url(lambda url: params(url).get("typed") == ["1"])
    assert page.locator(".hit").count() == 0
    link = page.locator(".suggestion a")
    assert link.inner_text() == "产教融合"
    link.click()
    page.wait_for_url(lambda url: params(url).get("q") == ["产教融合"])
    assert page.locator(".hit").count() == 10
    assert watch.problems == []
    context.close()


def test_date_presets_colleges_and_empty_advice(browser, base_url, watch):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/search?q=实训")
    page.locator(".pills a", has_text="一年内").click()
    page.wait_for_url("**range=year**")
    assert page.locator(".pills a.active").first.inner_text() == "一年内"
    assert all(day >= "2023-07-15" for day in published_days(page))  # TODAY is 2024-07-15
    # another filter keeps the preset
    page.locator('input[name="site"][value="luzhou"]').check()
    page.get_by_role("button", name="应用筛选").click()
    page.wait_for_url("**site=luzhou**")
    assert params(page.url)["range"] == ["year"]
    assert set(page.locator(".hit .college").all_inner_texts()) == {"泸州职业技术学院"}
    page.get_by_role("link", name="取消日期：一年内").click()
    page.wait_for_url(lambda url: "range" not in params(url))
    assert params(page.url)["site"] == ["luzhou"]

    # an empty result says which filter to drop
    page.goto(base_url + f"/search?q=实训&dept={fx.TW}")
    assert "没有找到" in page.locator(".empty").inner_text()
    shot(page, "results-empty-desktop")
    page.locator(".advice a").first.click()
    page.wait_for_url(lambda url: "dept" not in params(url))
    assert page.locator(".hit").count() > 0
    assert watch.problems == []
    context.close()


def test_phone_width(browser, base_url, watch):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = watch(context.new_page(), base_url)
    long_title = fx.id_of_title("智能制造学院与华中数控签订校企合作协议")
    for name, path in [("home-mobile", "/"),
                       ("results-mobile", f"/search?q=实训&dept={fx.ZZ}&range=year"),
                       ("results-mobile-empty", "/search?q=没有这样的词语"),
                       ("article-mobile", f"/article/{long_title}"),
                       ("error-mobile", "/search?from=2023-13-45"),
                       ("notfound-mobile", "/nope")]:
        page.goto(base_url + path)
        overflow = no_sideways_scroll(page)
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 360px"
        shot(page, name)

    page.goto(base_url + "/search?q=产教融合")
    box = page.locator("#q").bounding_box()
    assert box and box["width"] >= 200
    assert page.get_by_role("button", name="搜索", exact=True).is_visible()
    # 筛选, in the bar at the top of the results, opens the filters as a sheet over
    # them; a department ticked there applies at once and the sheet stays open
    page.get_by_role("link", name="筛选").click()
    page.wait_for_url("**#filters")
    sheet = page.get_by_role("dialog", name="筛选")
    sheet.wait_for()
    dept_box(page, fx.ZZ).check()
    page.wait_for_url(lambda url: params(url).get("dept") == [fx.ZZ])
    assert sheet.is_visible() and dept_box(page, fx.ZZ).is_checked()
    assert no_sideways_scroll(page) <= 0
    sheet.screenshot(path=str(SHOTS / "filters-mobile.png"))
    sheet.get_by_role("button", name="关闭筛选").click()
    page.wait_for_function("() => !document.querySelector('#filters .filters-panel').classList.contains('sheet')")
    # suggestions fit the screen
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("产教", delay=20)
    page.get_by_role("listbox").wait_for()
    lb = page.get_by_role("listbox").bounding_box()
    assert lb and lb["x"] >= 0 and lb["x"] + lb["width"] <= 360
    page.screenshot(path=str(SHOTS / "suggestions-mobile.png"))
    assert watch.problems == []
    context.close()


def test_script_title_and_query_stay_text(browser, base_url, watch):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = watch(context.new_page(), base_url)
    page.goto(base_url + "/")
    box = page.get_by_role("combobox", name="搜索关键词")
    box.press_sequentially("<script>alert(1)</script>", delay=5)
    page.get_by_role("option").first.wait_for()
    assert fx.SCRIPT_TITLE in page.locator(".suggestion-text").all_inner_texts()
    box.press("Enter")
    page.wait_for_url("**/search?**")
    assert params(page.url)["q"] == ["<script>alert(1)</script>"]
    assert page.locator("#q").input_value() == "<script>alert(1)</script>"
    assert fx.SCRIPT_TITLE in page.locator(".hit-title").all_inner_texts()
    assert page.locator("main script").count() == 0
    assert "<script>alert(1)</script>" in page.title()
    shot(page, "results-script")

    page.goto(base_url + "/search?q=测试")
    assert page.locator(".hit-title mark").first.inner_text() == "测试"
    page.goto(base_url + "/article/" + fx.id_of_title(fx.SCRIPT_TITLE))
    assert page.locator("h1").inner_text() == fx.SCRIPT_TITLE
    assert "<b>不应加粗</b>" in page.locator(".article-body").inner_text()
    assert page.locator(".article-body b").count() == 0
    page.wait_for_timeout(100)
    assert watch.problems == []
    context.close()


def test_keyboard_order_and_visible_focus(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base_url + "/search?q=产教融合")
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(page.evaluate(
            "() => (document.activeElement.getAttribute('aria-label') || document.activeElement.id"
            " || document.activeElement.textContent).trim()"))
        outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        if order[-1] != "q":  # the box shows its focus as a ring on the form
            assert outline not in ("none", ""), order[-1]
    assert order[:4] == ["跳到主要内容", "高校新闻搜索", "q", "搜索"]
    # every form control has a name a screen reader can say
    unnamed = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, button')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
                     && !e.textContent.trim()).map(e => e.outerHTML)""")
    assert unnamed == []
    context.close()


def test_college_name_logo_and_colour(browser, tmp_path, watch, engine_name):
    """A college's own branding from the configuration, under the same strict CSP."""
    from waitress import create_server

    from webui import create_app

    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
                    '<circle cx="16" cy="16" r="15" fill="#8b1538"/>'
                    '<path d="M9 17l5 5 9-11" stroke="#fff" stroke-width="3" fill="none"/></svg>',
                    encoding="utf-8")
    fx.build(tmp_path / "index")
    app = create_app({"DATA_DIR": tmp_path, "TODAY": fx.TODAY, "SITES": fx.SITES,
                      "SITE_TITLE": "宜宾职业技术学院新闻搜索", "LOGO": str(logo),
                      "PRIMARY_COLOR": "#8b1538"})
    server = create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.effective_port}"
    try:
        for name, viewport in (("themed-desktop", {"width": 1280, "height": 900}),
                               ("themed-mobile", {"width": 360, "height": 740})):
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = watch(context.new_page(), base)
            page.goto(base + "/search?q=实训&range=year")
            assert page.locator(".brand").inner_text().strip() == "宜宾职业技术学院新闻搜索"
            assert page.locator(".brand img").evaluate("img => img.naturalWidth") > 0
            colour = page.get_by_role("button", name="搜索", exact=True).evaluate(
                "b => getComputedStyle(b).backgroundColor")
            assert colour == "rgb(139, 21, 56)"
            assert no_sideways_scroll(page) <= 0
            shot(page, name)
            context.close()
        assert watch.problems == []
    finally:
        server.close()
        thread.join(timeout=5)
        app.extensions["news_engine"].close()
