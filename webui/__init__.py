"""The web face of the college news search: HTML pages, a JSON API, a server command."""
from __future__ import annotations

from webui.app import create_app

__all__ = ["create_app"]
