"""The search engines, one module each, behind one contract (:mod:`.base`).

Adding an engine means one new module here exposing ``ENGINE`` and its name in
:data:`NAMES`; nothing else changes.
"""
from __future__ import annotations

import importlib
import os
import tomllib
from pathlib import Path

from indexer.engines.base import Engine, EngineBusy, EngineUnavailable, Reader, Snapshot, Writer

#: Every engine, by the name an operator writes (``--engine``, ``NEWS_ENGINE``).
NAMES = ("tantivy", "whoosh", "opensearch")
DEFAULT = "tantivy"
ENV = "NEWS_ENGINE"


class UnknownEngine(ValueError):
    pass


def get(name: str) -> Engine:
    """The engine called ``name``."""
    if name not in NAMES:
        raise UnknownEngine(f"unknown search engine {name!r}: choose one of {', '.join(NAMES)}")
    return importlib.import_module(f"indexer.engines.{name}").ENGINE


#: The operator's setting in the data directory: ``engine = "whoosh"``.
SETTING_FILE = "search.toml"


def setting(data_dir: Path | None) -> str | None:
    """The engine ``<data>/search.toml`` names, if the file is there."""
    if data_dir is None:
        return None
    path = Path(data_dir) / SETTING_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeError, tomllib.TOMLDecodeError) as exc:
        raise UnknownEngine(f"{path}: cannot be read ({exc}); write it as engine = \"tantivy\" "
                            f"(one of {', '.join(NAMES)})") from exc
    unknown = sorted(set(raw) - {"engine"})
    if unknown:
        raise UnknownEngine(f"{path}: unknown setting(s) {', '.join(unknown)}; the file takes only "
                            f"engine = \"…\" (one of {', '.join(NAMES)})")
    value = raw.get("engine")
    if value is not None and not isinstance(value, str):
        raise UnknownEngine(f"{path}: engine must be a name in quotes, one of {', '.join(NAMES)}")
    if value and value.strip().lower() not in NAMES:
        raise UnknownEngine(f"{path}: unknown search engine {value!r}: choose one of {', '.join(NAMES)}")
    return value.strip().lower() if value else None


def chosen(name: str | None = None, data_dir: Path | None = None) -> str:
    """The engine asked for: ``name`` (``--engine``), else ``$NEWS_ENGINE``, else the
    data directory's ``search.toml``, else the default."""
    name = (name or os.environ.get(ENV) or setting(data_dir) or DEFAULT).strip().lower()
    get(name)   # an unknown name is refused here, with the choices
    return name


def asked(name: str | None = None, data_dir: Path | None = None) -> bool:
    """Whether an operator asked for an engine at all (flag, environment or setting)."""
    return bool(name or os.environ.get(ENV) or setting(data_dir))


__all__ = ["Engine", "EngineBusy", "EngineUnavailable", "Reader", "Snapshot", "Writer", "NAMES", "DEFAULT", "get", "chosen",
           "asked", "setting", "SETTING_FILE", "UnknownEngine"]
