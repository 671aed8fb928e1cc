"""How often the extractor reads each field right, over pages whose truth is known.

    .venv/bin/python bench/extract_accuracy.py            # table + one JSON line
    .venv/bin/python bench/extract_accuracy.py --misses   # also every wrong field

Corpora (each used when present):

field    ``shared/field-samples/manifest.json`` beside the repository (or
         ``$FIELD_SAMPLES_DIR``): real college pages read by a person
real     ``shared/real-pages/manifest.json`` (or ``$REAL_PAGES_DIR``): more real
         pages (WebPlus, 清华新闻网, a GB2312 page, VSB) read by a person; a
         department or column may list several acceptable spellings
demo     ``data/demo-truth.jsonl`` over ``data/demo-site/``: the bundled demo college,
         read through its site configuration ``data/sites/demo.toml``

A page recorded with no title (a malformed page) must be refused: that counts
as its title being right, and its other fields are not scored.

Fields: title (exact), date (the date part of ``published``), department, column,
source (exact, ``null`` included), body start / body end (the body starts / ends
with the recorded text). A page the extractor refuses counts as wrong on every
field. The comparison is strict, as in tests/test_field_samples.py.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indexer.article import Article, ExtractError  # noqa: E402
from indexer.extract import extract  # noqa: E402
from indexer.sites import load_site  # noqa: E402

FIELDS = ("title", "date", "department", "column", "source", "body start", "body end")


@dataclass
class Case:
    corpus: str
    name: str
    url: str
    html: bytes
    truth: dict
    site: object = None


@dataclass
class Tally:
    pages: int = 0
    right: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FIELDS})
    seen: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FIELDS})

    def score(self, name: str) -> float | None:
        return self.right[name] / self.seen[name] if self.seen[name] else None


def field_samples_dir() -> Path | None:
    here = ROOT.parent / "shared" / "field-samples"
    if (here / "manifest.json").is_file():
        return here
    env = os.environ.get("FIELD_SAMPLES_DIR")
    return Path(env) if env and (Path(env) / "manifest.json").is_file() else None


def field_cases() -> list[Case]:
    folder = field_samples_dir()
    if folder is None:
        return []
    cases = []
    for entry in json.loads((folder / "manifest.json").read_text(encoding="utf-8")):
        if entry.get("kind") != "article":
            continue
        url = f"https://field-sample.invalid/{Path(entry['file']).stem}/page.htm"
        cases.append(Case("field", entry["file"], url, (folder / entry["file"]).read_bytes(), entry))
    return cases


def real_page_dir() -> Path | None:
    here = ROOT.parent / "shared" / "real-pages"
    if (here / "manifest.json").is_file():
        return here
    env = os.environ.get("REAL_PAGES_DIR")
    return Path(env) if env and (Path(env) / "manifest.json").is_file() else None


def real_page_cases() -> list[Case]:
    folder = real_page_dir()
    if folder is None:
        return []
    return [Case("real", e["file"], e["url"], (folder / e["file"]).read_bytes(), e)
            for e in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))]


def demo_cases(truth: Path | None = None, site_dir: Path | None = None,
               site_toml: Path | None = None) -> list[Case]:
    truth = truth or ROOT / "data" / "demo-truth.jsonl"
    site_dir = site_dir or ROOT / "data" / "demo-site"
    if not truth.is_file() or not site_dir.is_dir():
        return []
    site = load_site(site_toml or ROOT / "data" / "sites" / "demo.toml")
    cases = []
    for line in truth.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        path = site_dir / row["path"]
        if not path.is_file():
            continue
        cases.append(Case("demo", row["path"], site.base_url + row["path"].lstrip("/"), path.read_bytes(), row,
                          site))
    return cases


def compare(article: Article | None, truth: dict) -> dict[str, bool | None]:
    """True/False per field; None when the truth does not record the field."""
    def rec(key: str) -> bool:
        return key in truth

    out: dict[str, bool | None] = {}
    got = article
    if truth.get("title") is None:
        # a page recorded without a title (a malformed page) must be refused
        return {"title": article is None, **{f: None for f in FIELDS if f != "title"}}
    out["title"] = (got is not None and got.title == truth["title"]) if rec("title") else None
    out["date"] = ((got.published or "")[:10] == (truth["published"] or "")[:10]
                   if got is not None else False) if rec("published") else None
    for key in ("department", "column", "source"):
        out[key] = (got is not None and accepts(truth[key], getattr(got, key))) if rec(key) else None
    body = _spaces(got.body) if got is not None else ""
    out["body start"] = (got is not None and body.startswith(_spaces(truth["body_starts"]))) \
        if rec("body_starts") else None
    out["body end"] = (got is not None and ends_as_labelled(got.body, truth["body_ends"])) \
        if rec("body_ends") else None
    return out


_CONTACT_HEAD = re.compile(r"^[一二三四五六七八九十]{1,3}、\s*(?:咨询及)?联系(?:方式|人|电话)")


def ends_as_labelled(body: str, ends: str) -> bool:
    """Whether the body ends where the label says, or with only a notice's final
    contact section (三、联系方式 …) after it: the older field samples cut that
    section, the real-pages labels keep it as text a reader needs."""
    text, want = _spaces(body), _spaces(ends)
    if text.endswith(want):
        return True
    at = body.rfind(ends)
    if at < 0:
        return False
    rest = [line for line in body[at + len(ends):].split("\n")]
    return len(rest) > 1 and rest[0].strip() == "" and bool(_CONTACT_HEAD.match(rest[1].strip())) and \
        len(rest) <= 8


def _spaces(text: str) -> str:
    """Whitespace collapsed to single spaces, as the labels record the text."""
    return re.sub(r"\s+", " ", text).strip()


def accepts(want: object, got: object) -> bool:
    """A recorded value, or a list of acceptable spellings (``null`` for none)."""
    if isinstance(want, list):
        return got in want
    return got == want


def run(cases: list[Case], show_misses: bool = False) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for case in cases:
        try:
            article = extract(case.url, case.html, case.site)  # type: ignore[arg-type]
            error = None
        except ExtractError as exc:
            article, error = None, exc
        result = compare(article, case.truth)
        for corpus in (case.corpus, "all"):
            tally = tallies.setdefault(corpus, Tally())
            tally.pages += 1
            for name, ok in result.items():
                if ok is None:
                    continue
                tally.seen[name] += 1
                tally.right[name] += int(bool(ok))
        if show_misses:
            for name, ok in result.items():
                if ok is False:
                    print(f"  miss {case.corpus}:{case.name} {name}: got {got_field(article, name, error)!r}, "
                          f"want {want_field(case.truth, name)!r}")
    return tallies


def got_field(article: Article | None, name: str, error: object = None) -> object:
    if article is None:
        return f"<{error}>"
    return {"title": article.title, "date": article.published, "department": article.department,
            "column": article.column, "source": article.source, "body start": article.body[:30],
            "body end": article.body[-30:]}[name]


def want_field(truth: dict, name: str) -> object:
    return {"title": truth.get("title"), "date": truth.get("published"), "department": truth.get("department"),
            "column": truth.get("column"), "source": truth.get("source"), "body start": truth.get("body_starts"),
            "body end": truth.get("body_ends")}[name]


def table(tallies: dict[str, Tally]) -> str:
    corpora = [c for c in ("field", "real", "demo", "all") if c in tallies]
    head = f"{'field':<12}" + "".join(f"{c + ' (' + str(tallies[c].pages) + ')':>14}" for c in corpora)
    rows = [head, "-" * len(head)]
    for name in FIELDS:
        cells = []
        for c in corpora:
            s = tallies[c].score(name)
            cells.append(f"{'-' if s is None else f'{s:.3f} {tallies[c].right[name]}/{tallies[c].seen[name]}':>14}")
        rows.append(f"{name:<12}" + "".join(cells))
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--misses", action="store_true", help="print every field read wrong")
    parser.add_argument("--truth", type=Path, help="demo truth file (default data/demo-truth.jsonl)")
    parser.add_argument("--demo-site", type=Path, help="demo site folder (default data/demo-site)")
    parser.add_argument("--site", type=Path, help="demo site configuration (default data/sites/demo.toml)")
    args = parser.parse_args(argv)
    cases = field_cases() + real_page_cases() + demo_cases(args.truth, args.demo_site, args.site)
    if not cases:
        print("no pages with known truth: shared/field-samples and data/demo-truth.jsonl are both missing")
        print(json.dumps({"pages": 0, "fields": {}}))
        return 1
    tallies = run(cases, args.misses)
    print(table(tallies))
    summary = {
        "pages": tallies["all"].pages,
        "fields": {name: round(tallies["all"].score(name), 4) for name in FIELDS
                   if tallies["all"].score(name) is not None},
        "corpora": {c: {"pages": t.pages,
                        "fields": {n: round(t.score(n), 4) for n in FIELDS if t.score(n) is not None}}
                    for c, t in tallies.items() if c != "all"},
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
