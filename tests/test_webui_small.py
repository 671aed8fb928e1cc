"""The small things a reader notices: a page's number in its title, snippets that
read like Chinese text, a focus ring one can see."""
import re
from pathlib import Path

import pytest

from indexer.highlight import snippet
from tests import webui_fixtures as fx

CSS = Path(__file__).resolve().parent.parent / "webui" / "static" / "style.css"


@pytest.fixture(scope="module")
def client(tmp_path_factory, engine_name):
    yield from fx.app_client(tmp_path_factory, "small")


def _title(client, url: str) -> str:
    return re.search(r"<title>(.*?)</title>", client.get(url).get_data(as_text=True), re.S).group(1)


def test_a_later_page_says_its_number_in_the_title(client):
    assert "第" not in _title(client, "/search?q=学院&size=2")
    assert "（第 2 页）" in _title(client, "/search?q=学院&size=2&page=2")


def test_snippets_join_chinese_lines_without_spaces_and_start_cleanly():
    text = "学院召开会议。\n  会议指出，要加强产教融合工作。\n产教融合是职业教育的基本路径。" * 4
    s = snippet(text, ["产教融合"])
    assert "。 " not in s and " 会议" not in s
    assert not re.match(r"…?[。，、；：！？]", s)
    long = "一二三四五六七八九十" * 20 + "，产教融合" + "好" * 300
    s = snippet(long, ["产教融合"])
    assert s.startswith("…") and not s.startswith("…，")
    # a sentence that starts shortly before the match is shown from its start, with no "…"
    s = snippet("前言" * 100 + "。今年学院深化产教融合" + "。后文" * 100, ["产教融合"])
    assert s.startswith("今年学院深化<mark>产教融合</mark>")
    assert snippet("Python\n课程\n 中文", ["中文"]) == "Python 课程<mark>中文</mark>"


def _luminance(hex_color: str) -> float:
    rgb = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_the_search_box_focus_ring_stands_out_against_white():
    css = CSS.read_text(encoding="utf-8")
    ring = re.search(r"--ring:\s*(#[0-9a-fA-F]{6})", css).group(1)
    contrast = (1.05) / (_luminance(ring) + 0.05)
    assert contrast >= 3.0, (ring, contrast)
    assert re.search(r"\.searchbox:focus-within\s*\{[^}]*var\(--ring\)", css)


def test_no_department_is_a_filter_in_page_and_api(client):
    none = fx.by_department()[None]
    assert none > 0
    api = client.get("/api/search?q=&size=50").get_json()
    row = [f for f in api["facets"]["department"] if f["value"] is None]
    assert row == [{"value": None, "count": none}]
    only = client.get("/api/search?dept=未注明&size=50").get_json()
    assert only["total"] == none and all(h["department"] is None for h in only["hits"])
    both = client.get("/api/search?dept=未注明&dept=" + fx.JW).get_json()
    assert both["total"] == none + fx.by_department()[fx.JW]
    html = client.get("/search?dept=未注明").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" name="dept" value="未注明"[^>]* checked>', html)
    assert "取消部门：未注明" in html
