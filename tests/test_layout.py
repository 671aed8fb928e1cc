"""The layout's one-way rules, read off the source: an engine library is
imported only by its engine's own module (or package) under ``indexer/engines/``,
and nothing below the web UI imports it."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: engine library -> the one place under indexer/engines/ allowed to import it
LIBRARIES = {"tantivy": "tantivy", "whoosh": "whoosh", "opensearchpy": "opensearch"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module.split(".")[0])
    return out


def _owner(path: Path) -> str | None:
    """The engine a file under indexer/engines/ belongs to (its module's or package's name)."""
    rel = path.relative_to(ROOT / "indexer" / "engines")
    return rel.parts[0].removesuffix(".py") if rel.parts[0] not in ("__init__.py", "base.py") else None


def test_an_engine_library_is_imported_only_by_its_own_engine():
    wrong = []
    for top in ("indexer", "webui"):
        for path in sorted((ROOT / top).rglob("*.py")):
            inside = (ROOT / "indexer" / "engines") in path.parents
            for lib in _imports(path) & LIBRARIES.keys():
                if not inside or _owner(path) != LIBRARIES[lib]:
                    wrong.append(f"{path.relative_to(ROOT)} imports {lib}")
    assert wrong == []


def test_the_web_ui_is_above_the_indexer_and_never_below_it():
    below = [p for p in sorted((ROOT / "indexer").rglob("*.py")) if "webui" in _imports(p)]
    assert below == []
