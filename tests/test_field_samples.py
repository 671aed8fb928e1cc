"""The extractor and the list-page parser against real college pages.

The pages and what a person read off them live in ``shared/field-samples``
(``manifest.json``), beside the repository. Every field of every page is checked.
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from extract_accuracy import ends_as_labelled  # noqa: E402

from indexer.extract import extract
from indexer.listpage import normalise_url, parse_list


def _samples_dir() -> Path | None:
    here = Path(__file__).resolve().parents[2] / "shared" / "field-samples"
    if (here / "manifest.json").is_file():
        return here
    env = os.environ.get("FIELD_SAMPLES_DIR")
    if env and (Path(env) / "manifest.json").is_file():
        return Path(env)
    return None


SAMPLES = _samples_dir()
MANIFEST: list[dict] = json.loads((SAMPLES / "manifest.json").read_text(encoding="utf-8")) if SAMPLES else []
ARTICLES = [e for e in MANIFEST if e.get("kind") == "article"]
LISTS = [e for e in MANIFEST if e.get("kind") == "list"]

pytestmark = pytest.mark.skipif(SAMPLES is None, reason="shared/field-samples not found beside the "
                                "repository and FIELD_SAMPLES_DIR not set")


def article_url(entry: dict) -> str:
    # No URL is recorded for a sample: one without a date in it, so the date must
    # come from the page itself.
    return f"https://field-sample.invalid/{Path(entry['file']).stem}/page.htm"


def list_base(entry: dict) -> str:
    """A URL for the list page consistent with its sample links: their host when
    they are absolute, else a page one directory deep (so ``../info/…`` resolves)."""
    for link in entry.get("sample_links", []):
        parts = urlsplit(link)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}/col/list.htm"
    return "https://field-sample.invalid/col/list.htm"


@pytest.fixture(scope="module")
def extracted() -> dict:
    return {e["file"]: extract(article_url(e), (SAMPLES / e["file"]).read_bytes()) for e in ARTICLES}


def _ids(entries):
    return [e["file"] for e in entries]


@pytest.mark.parametrize("entry", ARTICLES, ids=_ids(ARTICLES))
@pytest.mark.parametrize("field", ["title", "department", "column", "source"])
def test_article_field(entry, field, extracted):
    article = extracted[entry["file"]]
    assert getattr(article, field) == entry[field], f"{entry['file']}: {field} ({entry.get('why', '')})"


@pytest.mark.parametrize("entry", ARTICLES, ids=_ids(ARTICLES))
def test_article_published(entry, extracted):
    published = extracted[entry["file"]].published
    assert (published or "")[:10] == (entry["published"] or ""), entry["file"]


@pytest.mark.parametrize("entry", ARTICLES, ids=_ids(ARTICLES))
def test_article_body_starts(entry, extracted):
    article = extracted[entry["file"]]
    assert article.body.startswith(entry["body_starts"]), article.body[:80]


@pytest.mark.parametrize("entry", ARTICLES, ids=_ids(ARTICLES))
def test_article_body_ends(entry, extracted):
    """The body ends where the sample says, or (the convention of the newer
    real-pages set, where a notice's contact section is text a reader needs)
    with only the notice's final contact section after it."""
    body = extracted[entry["file"]].body
    assert ends_as_labelled(body, entry["body_ends"]), body[-200:]


@pytest.mark.parametrize("entry", ARTICLES, ids=_ids(ARTICLES))
def test_article_body_is_clean(entry, extracted):
    body = extracted[entry["file"]].body
    for junk in entry.get("not_in_body", []):
        assert junk not in body, f"{entry['file']}: {junk!r} left in the body"
    assert "\n\n" not in body and body == body.strip()


def test_every_article_field_is_checked():
    checked = {"title", "published", "department", "column", "source", "body_starts", "body_ends",
               "not_in_body"}
    for entry in ARTICLES:
        assert checked >= {k for k in entry if k not in (
            "file", "source_repo", "source_path", "source_commit", "institution", "cms", "kind", "why")}


@pytest.mark.parametrize("entry", LISTS, ids=_ids(LISTS))
def test_list_page(entry):
    base = list_base(entry)
    page = parse_list(base, (SAMPLES / entry["file"]).read_bytes())
    urls = [link.url for link in page.article_links]
    assert len(urls) == entry["article_links_count"], urls
    for sample in entry["sample_links"]:
        assert normalise_url(urljoin(base, sample)) in urls, sample
    # the samples are the first links of the list, in page order
    assert urls[: len(entry["sample_links"])] == [normalise_url(urljoin(base, s)) for s in entry["sample_links"]]
    want_next = entry["next_page_href"]
    assert page.next_page == (normalise_url(urljoin(base, want_next)) if want_next else None)
    if want_next:
        assert page.next_page in page.page_links
    # the manifest gives the column path (通知公告 > 考试管理); the column is its last crumb
    assert page.column == entry["column"].split(">")[-1].strip()
    assert all(link.title for link in page.article_links)
    assert len(set(urls)) == len(urls)
