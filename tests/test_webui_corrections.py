"""Typos fixed in place on the page and in the API: the corrected results at once,
a line saying so, and 仍然搜索 for what was typed."""
from __future__ import annotations

import html
import re

import pytest

from tests import webui_fixtures as fx


@pytest.fixture(scope="module")
def client(tmp_path_factory, engine_name):
    yield from fx.app_client(tmp_path_factory, "corrections")


def test_a_typo_shows_the_corrected_results_with_the_way_back(client):
    want = len(fx.containing("产教融合"))
    assert want > 0
    data = client.get("/api/search?q=产教熔合").get_json()
    assert data["query"] == "产教熔合" and data["corrected_from"] == "产教熔合"
    assert data["corrected_query"] == "产教融合" and data["total"] == want
    page = client.get("/search?q=产教熔合").get_data(as_text=True)
    assert "以下是“<strong>产教融合</strong>”的结果，仍然搜索：" in page
    typed = html.unescape(re.search(r'仍然搜索：<a href="([^"]+)"', page).group(1))
    assert "typed=1" in typed
    as_typed = client.get(typed).get_data(as_text=True)
    assert "以下是" not in as_typed and "您是不是要找" in as_typed
    assert client.get(typed.replace("/search", "/api/search", 1)).get_json()["total"] == 0


def test_a_quoted_typo_and_a_query_that_finds_are_left_alone(client):
    assert client.get('/api/search?q="产教熔合"').get_json()["corrected_from"] is None
    assert client.get("/api/search?q=产教融合").get_json()["corrected_from"] is None
    assert client.get("/search?q=产教熔合&typed=2").status_code == 400
