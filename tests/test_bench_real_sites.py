"""bench/real_sites.py on a small slice: the real `news-indexer update` over the
saved copy of 清华大学新闻网 (served through the bench's loopback proxy), scored
against the hand-read labels. Skips where shared/real-sites is absent."""
from __future__ import annotations

import json

import pytest

from bench import real_sites

pytestmark = pytest.mark.skipif(real_sites.copies_dir() is None or
                                not (real_sites.copies_dir() / "tsinghua-news").is_dir(),
                                reason="shared/real-sites/tsinghua-news not found beside the repository")


def test_the_bench_crawls_a_copy_and_scores_its_labels(capsys, tmp_path, engine_name):
    assert real_sites.main(["--site", "tsinghua-news", "--work", str(tmp_path)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    figures = json.loads(out[-1])["sites"]["tsinghua-news"]
    # every article the lists link to and the copy holds is stored; the absent
    # ones are recorded failures, not silent losses
    assert figures["stored"] + figures["repost_urls"] == figures["linked"] - figures["absent"]
    assert figures["failures"].get("http-404", 0) >= figures["absent"]
    assert figures["labelled"] >= 30
    assert set(figures["fields"]) == {"title", "date", "department", "column", "source", "body start",
                                      "body end"}
    # what this copy is read right on already; a regression shows here
    assert figures["fields"]["date"] == 1.0 and figures["fields"]["column"] == 1.0
    assert all(0.0 <= v <= 1.0 for v in figures["fields"].values())
    assert "linked from lists" in "\n".join(out)


def test_the_proxy_serves_the_copy_as_the_site_named_it(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "page.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "index.html").write_text("<p>i</p>", encoding="utf-8")
    assert real_sites.copy_file(tmp_path, "/a/page.htm") == tmp_path / "a" / "page.html"
    assert real_sites.copy_file(tmp_path, "/") == tmp_path / "index.html"
    assert real_sites.copy_file(tmp_path, "/../etc/passwd") is None
    assert real_sites.copy_file(tmp_path, "/missing.htm") is None
