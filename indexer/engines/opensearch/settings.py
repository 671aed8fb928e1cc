"""Where the cluster is and how to reach it: the settings (env over
``<data>/opensearch.toml`` over what a generation recorded over the defaults),
the client they make, and ``opensearch.json``, which names a generation's
cluster index."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from opensearchpy import OpenSearch

log = logging.getLogger(__name__)

CONFIG_FILE = "opensearch.toml"   # in the data directory
STATE_FILE = "opensearch.json"    # in each generation
ENV_PREFIX = "NEWS_OPENSEARCH_"


@dataclass
class Settings:
    hosts: list[str] = field(default_factory=lambda: ["http://localhost:9200"])
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca: str | None = None
    verify: bool = True
    prefix: str = "college-news"
    shards: int = 3
    replicas: int = 1
    timeout: float = 10.0
    retries: int = 3
    #: seconds a search keeps being asked again while the cluster says its shards are moving
    retry_wait: float = 5.0
    #: where the values came from (for messages): "default", a file, "env"
    source: str = "default"


def _bool(v) -> bool:
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in ("1", "true", "yes", "on"):
        return True
    if s in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"not a yes/no value: {v!r}")


def _hosts(v) -> list[str]:
    items = v if isinstance(v, list) else str(v).split(",")
    out = [str(h).strip().rstrip("/") for h in items if str(h).strip()]
    if not out:
        raise ValueError("no OpenSearch host given")
    return [h if "://" in h else f"http://{h}" for h in out]


_CONVERT = {"hosts": _hosts, "user": str, "password": str, "ca": str, "verify": _bool, "prefix": str,
            "shards": int, "replicas": int, "timeout": float, "retries": int, "retry_wait": float}


def data_dir_of(path: Path) -> Path | None:
    """The data directory of a generation ``<data>/indexes/<gen>`` (None for an
    index elsewhere: a standalone one of ``build_index``)."""
    path = Path(path).absolute()
    return path.parent.parent if path.parent.name == "indexes" else None


def load_settings(path: Path | None = None, recorded: dict | None = None) -> Settings:
    """The settings for the generation at ``path``: the defaults, then what
    ``opensearch.json`` recorded (the hosts it was made on), then
    ``<data>/opensearch.toml``, then ``NEWS_OPENSEARCH_*``."""
    s = Settings()
    values: dict = {}
    sources = []
    if recorded and recorded.get("hosts"):
        values["hosts"] = recorded["hosts"]
        sources.append(STATE_FILE)
    data = data_dir_of(path) if path is not None else None
    if data is not None and (data / CONFIG_FILE).is_file():
        try:
            conf = tomllib.loads((data / CONFIG_FILE).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"cannot read {data / CONFIG_FILE}: {exc}") from None
        conf = conf.get("opensearch", conf)
        unknown = set(conf) - set(_CONVERT)
        if unknown:
            raise ValueError(f"{data / CONFIG_FILE}: unknown settings {', '.join(sorted(unknown))}")
        values.update(conf)
        sources.append(str(data / CONFIG_FILE))
    for name in _CONVERT:
        env = os.environ.get(ENV_PREFIX + name.upper())
        if env is not None and env.strip() != "":
            values[name] = env
            if "env" not in sources:
                sources.append("env")
    for name, v in values.items():
        try:
            setattr(s, name, _CONVERT[name](v))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"OpenSearch setting {name}: {exc}") from None
    if s.shards < 1 or s.replicas < 0 or s.timeout <= 0 or s.retries < 0 or s.retry_wait < 0:
        raise ValueError("OpenSearch settings: shards >= 1, replicas >= 0, timeout > 0, retries >= 0, "
                         "retry_wait >= 0")
    if not re.fullmatch(r"[a-z0-9][a-z0-9_+-]*", s.prefix):
        raise ValueError(f"OpenSearch index prefix {s.prefix!r}: lower-case letters, digits, - _ + only")
    s.source = " + ".join(sources) or "default"
    return s


def client(s: Settings) -> OpenSearch:
    kwargs: dict = {}
    if any(h.startswith("https://") for h in s.hosts):
        kwargs.update(use_ssl=True, verify_certs=s.verify, ssl_show_warn=s.verify)
        if s.ca:
            kwargs["ca_certs"] = s.ca
        if not s.verify:
            log.warning("OpenSearch certificates are not verified (NEWS_OPENSEARCH_VERIFY=false)")
    if s.user:
        kwargs["http_auth"] = (s.user, s.password or "")
    return OpenSearch(s.hosts, timeout=s.timeout, max_retries=s.retries, retry_on_timeout=True,
                      retry_on_status=(502, 503, 504), dead_timeout=5.0, pool_maxsize=16, **kwargs)



def index_name(path: Path, s: Settings) -> str:
    """``<prefix>-<generation>``; an index outside a data directory's generations
    gets a hash of its path too, so two of them never share a name."""
    path = Path(path).absolute()
    gen = re.sub(r"[^a-z0-9_+-]+", "-", path.name.lower()).strip("-_+") or "index"
    if data_dir_of(path) is None:
        gen += "-" + hashlib.sha1(str(path).encode()).hexdigest()[:10]
    return f"{s.prefix}-{gen}"[:255]


def read_state(path: Path) -> dict:
    try:
        state = json.loads((Path(path) / STATE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise OSError(f"{path} holds no OpenSearch index ({STATE_FILE} is missing)") from None
    except ValueError as exc:
        raise ValueError(f"{Path(path) / STATE_FILE} cannot be read: {exc}") from None
    if not isinstance(state, dict) or not state.get("index"):
        raise ValueError(f"{Path(path) / STATE_FILE} names no index")
    return state


def connect(path: Path) -> tuple[OpenSearch, str, Settings]:
    state = read_state(path)
    s = load_settings(path, state)
    return client(s), state["index"], s
