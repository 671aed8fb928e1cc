"""The search engines, one module each, behind one contract (:mod:`.base`).

Adding an engine means one new module here exposing ``ENGINE`` and its name in
:data:`NAMES`; nothing else changes.
"""
from __future__ import annotations

import importlib
import os

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


def chosen(name: str | None = None) -> str:
    """The engine asked for: ``name``, else ``$NEWS_ENGINE``, else the default."""
    name = (name or os.environ.get(ENV) or DEFAULT).strip().lower()
    get(name)   # an unknown name is refused here, with the choices
    return name


__all__ = ["Engine", "EngineBusy", "EngineUnavailable", "Reader", "Snapshot", "Writer", "NAMES", "DEFAULT", "get", "chosen",
           "UnknownEngine"]
