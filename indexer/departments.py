"""The list of contributing units (部门), and the lookup that files an article under one.

The list lives in ``data/departments.toml`` (see the comments there): canonical
names with aliases, kept by the web office. :func:`normalise` returns the
canonical name of a unit the list knows and ``None`` for anything else: an
unknown unit is recorded as unknown, never guessed.
"""
from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from indexer import paths

log = logging.getLogger(__name__)

__all__ = ["Departments", "load", "normalise", "looks_like_unit", "strip_college"]

# Endings of unit names (部门), used to tell a unit from a person's name.
UNIT_SUFFIXES = ("学院", "书院", "研究院", "研究所", "中心", "处", "部", "院", "系", "室", "科", "馆",
                 "委", "办", "会", "所", "站", "队", "团", "组", "社", "厅", "局", "校区", "支部",
                 "党委", "总支", "工作坊", "基地", "实验室", "医院", "公司")
_COLLEGE_PREFIX = re.compile(r"^(\S{2,16}?(?:大学|学院|学校|职院|高专))(?=\S{2,})")
_SPACE = re.compile(r"[\s\u3000\xa0]+")


def _key(name: str) -> str:
    name = _SPACE.sub("", name)
    return name.replace("(", "（").replace(")", "）")


@dataclass
class Departments:
    canonical: dict[str, str] = field(default_factory=dict)  # key -> canonical name
    names: list[str] = field(default_factory=list)
    colleges: tuple[str, ...] = ()

    @classmethod
    def from_toml(cls, path: Path) -> "Departments":
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            log.warning("%s not found: no article will have a department", path)
            return cls()
        except (OSError, tomllib.TOMLDecodeError) as exc:
            log.error("%s cannot be read (%s): no article will have a department", path, exc)
            return cls()
        deps = cls(colleges=tuple(str(c) for c in raw.get("colleges", []) if str(c).strip()))
        for entry in raw.get("department", []):
            name = str(entry.get("name", "")).strip()
            if not name:
                continue
            deps.names.append(name)
            for alias in [name, *entry.get("aliases", [])]:
                key = _key(str(alias))
                if key and key not in deps.canonical:
                    deps.canonical[key] = name
        return deps

    def strip_college(self, name: str) -> str:
        """``南开大学党委组织部`` → ``党委组织部``; a bare college name is returned unchanged."""
        name = _key(name)
        for college in sorted(self.colleges, key=len, reverse=True):
            if name.startswith(college) and len(name) > len(college) + 1:
                return name[len(college):]
        m = _COLLEGE_PREFIX.match(name)
        if m and _key(name[m.end():]) in self.canonical:
            return name[m.end():]
        return name

    def normalise(self, name: str | None) -> str | None:
        if not name:
            return None
        key = _key(name).strip("：:，,。.、;；|｜/")
        if not key:
            return None
        if key in self.canonical:
            return self.canonical[key]
        stripped = self.strip_college(key)
        if stripped in self.canonical:
            return self.canonical[stripped]
        # "党委宣传部（新闻中心）": the unit without its parenthesis
        bare = re.sub(r"（[^（）]*）", "", stripped)
        if bare != stripped and bare in self.canonical:
            return self.canonical[bare]
        return None


_DEFAULT: Departments | None = None


def load(path: str | Path | None = None) -> Departments:
    """The department list; the project's file is read once and kept."""
    global _DEFAULT
    if path is not None:
        return Departments.from_toml(Path(path))
    if _DEFAULT is None:
        _DEFAULT = Departments.from_toml(paths.DEPARTMENTS_FILE)
    return _DEFAULT


def normalise(name: str | None) -> str | None:
    """The canonical name of a unit in ``data/departments.toml``, or ``None``."""
    return load().normalise(name)


def strip_college(name: str) -> str:
    return load().strip_college(name)


def looks_like_unit(name: str | None) -> bool:
    """Whether a name is shaped like a unit (智能制造学院, 教务管理科) rather than a
    person (张三): at least three characters ending in a unit word."""
    if not name:
        return False
    name = _key(name)
    return len(name) >= 3 and name.endswith(UNIT_SUFFIXES) and not re.search(r"[A-Za-z0-9]", name)
