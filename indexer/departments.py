"""Spellings of units (部门) that name the same unit, merged into one name.

The list lives in ``data/departments.toml`` (see the comments there): canonical
names with aliases, kept by the web office. It is not a gate: a unit it does
not list is still an article's department, as the page names it (what is a
unit is decided by :mod:`indexer.extract.units`). :func:`normalise` returns the
canonical name of a spelling the list knows and ``None`` for anything else.
"""
from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from indexer import paths

log = logging.getLogger(__name__)

__all__ = ["Departments", "load", "normalise"]

_SPACE = re.compile(r"[\s\u3000\xa0]+")


def key(name: str) -> str:
    """The form spellings are compared in: no spaces, full-width brackets."""
    name = _SPACE.sub("", name)
    return name.replace("(", "（").replace(")", "）").strip("：:，,。.、;；|｜/")


@dataclass
class Departments:
    canonical: dict[str, str] = field(default_factory=dict)  # key -> canonical name
    names: list[str] = field(default_factory=list)

    @classmethod
    def from_toml(cls, path: Path) -> "Departments":
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            log.warning("%s not found: unit names are kept as the pages spell them", path)
            return cls()
        except (OSError, tomllib.TOMLDecodeError) as exc:
            log.error("%s cannot be read (%s): unit names are kept as the pages spell them", path, exc)
            return cls()
        return cls.from_entries(raw.get("department", []))

    @classmethod
    def from_entries(cls, entries: list) -> "Departments":
        deps = cls()
        for entry in entries:
            name = str(entry.get("name", "")).strip() if isinstance(entry, dict) else ""
            if not name:
                continue
            deps.names.append(name)
            for alias in [name, *entry.get("aliases", [])]:
                k = key(str(alias))
                if k and k not in deps.canonical:
                    deps.canonical[k] = name
        return deps

    def lookup(self, name: str | None) -> str | None:
        """The canonical name of a spelling the list knows (``党委宣传部（新闻中心）``
        is also found as ``党委宣传部``), else ``None``."""
        if not name:
            return None
        k = key(name)
        if not k:
            return None
        if k in self.canonical:
            return self.canonical[k]
        bare = re.sub(r"（[^（）]*）", "", k)
        if bare != k and bare in self.canonical:
            return self.canonical[bare]
        return None

    normalise = lookup


_DEFAULT: Departments | None = None


def load(path: str | Path | None = None) -> Departments:
    """The spelling list; the project's file is read once and kept."""
    global _DEFAULT
    if path is not None:
        return Departments.from_toml(Path(path))
    if _DEFAULT is None:
        _DEFAULT = Departments.from_toml(paths.DEPARTMENTS_FILE)
    return _DEFAULT


def normalise(name: str | None) -> str | None:
    """The canonical name of a spelling in ``data/departments.toml``, or ``None``."""
    return load().lookup(name)
