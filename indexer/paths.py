"""Where committed inputs and run-time state live."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
DEMO_SITE_DIR = DATA_DIR / "demo-site"
SITES_DIR = DATA_DIR / "sites"
DEPARTMENTS_FILE = DATA_DIR / "departments.toml"
ENV_DATA_DIR = "NEWS_DATA_DIR"


def default_data_dir() -> Path:
    """``$NEWS_DATA_DIR`` when set, otherwise ``data/var`` in the project."""
    env = os.environ.get(ENV_DATA_DIR)
    return Path(env) if env else DATA_DIR / "var"


def store_path(data_dir: Path) -> Path:
    return data_dir / "crawl.sqlite3"


def index_path(data_dir: Path) -> Path:
    return data_dir / "index"
