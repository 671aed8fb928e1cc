"""The page on the wire: HTML, JSON, CSS, JS and feeds compressed when the browser
accepts it; static files under versioned URLs, cached for good at their current
version and revalidated otherwise."""
import gzip
import re

import brotli
import pytest

from tests import webui_fixtures as fx


@pytest.fixture(scope="module")
def client(tmp_path_factory, engine_name):
    yield from fx.app_client(tmp_path_factory, "wire")


@pytest.mark.parametrize("path", ["/", "/search?q=实训", "/api/search?q=实训", "/feed?q=实训", "/opensearch.xml"])
def test_pages_json_and_feeds_are_compressed_when_accepted(client, path):
    plain = client.get(path)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert len(plain.data) >= 500
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    br = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert br.headers["Content-Encoding"] == "br"
    for body in (gzip.decompress(zipped.data), brotli.decompress(br.data)):
        # the same page (its timing aside): same start, same length give or take the figures
        same = re.sub(rb"[0-9.]+", b"0", body), re.sub(rb"[0-9.]+", b"0", plain.data)
        assert same[0] == same[1]
        assert len(zipped.data) < len(plain.data) * 0.8


def test_static_files_have_versioned_urls_cached_for_good(client):
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert {u.split("?")[0] for u in urls} >= {"/static/style.css", "/static/suggest.js"}
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url), url
        r = client.get(url, headers={"Accept-Encoding": "br"})
        assert r.status_code == 200
        assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        if url.startswith("/static/style.css"):
            assert r.headers["Content-Encoding"] == "br"
    stale = client.get("/static/style.css?v=000000000000")
    bare = client.get("/static/style.css")
    for r in (stale, bare):
        assert r.status_code == 200 and "immutable" not in r.headers["Cache-Control"]
        assert "must-revalidate" in r.headers["Cache-Control"]
