"""Asking the cluster: which of its failures another try may end, and the
loop that asks again until then (:class:`EngineUnavailable` after)."""
from __future__ import annotations

import json
import logging
import time

from opensearchpy import exceptions as osx

from indexer.engines.base import EngineUnavailable

log = logging.getLogger(__name__)

#: what the cluster answers when its shards or nodes are missing: worth another try
TRANSIENT = ("no_shard_available", "unavailable_shards", "node_disconnected", "node_not_connected",
              "node_closed", "connect_transport", "receive_timeout_transport", "send_request_transport",
              "cluster_block", "primary_missing", "shard_not_found", "illegal_index_shard_state",
              "search_context_missing", "retry_on_primary", "no_node_available", "circuit_breaking",
              "es_rejected_execution", "rejected_execution", "process_cluster_event_timeout",
              "timeout_exception", "all shards failed", "transport_serialization")
_TOO_MANY = ("maxclausecount", "too_many_clauses", "too many clauses")


def reason(exc: Exception) -> str:
    info = getattr(exc, "info", None)
    if isinstance(info, dict):
        err = info.get("error")
        if isinstance(err, dict):
            causes = err.get("root_cause") or []
            parts = [f"{c.get('type')}: {c.get('reason')}" for c in causes if isinstance(c, dict)]
            return "; ".join(parts) or f"{err.get('type')}: {err.get('reason')}"
        return json.dumps(info, ensure_ascii=False)[:500]
    return str(exc)


def _text_of(exc: Exception) -> str:
    info = getattr(exc, "info", None)
    return (json.dumps(info, ensure_ascii=False) if isinstance(info, dict) else str(info or exc)).lower()


def transient(exc: Exception) -> bool:
    """Whether the cluster may answer ``exc``'s request if asked again soon."""
    if isinstance(exc, (osx.ConnectionError, osx.ConnectionTimeout)):
        return True
    if isinstance(exc, osx.TransportError):
        status = exc.status_code
        if status in (429, 502, 503, 504):
            return True
        if isinstance(status, int) and status >= 500 or status == 404:
            text = _text_of(exc)
            return any(t in text for t in TRANSIENT) and not any(t in text for t in _TOO_MANY)
    return False


def too_many_clauses(exc: Exception) -> bool:
    return isinstance(exc, osx.TransportError) and any(t in _text_of(exc) for t in _TOO_MANY)


class OpenSearchError(RuntimeError):
    """The cluster refused a request for a reason another try will not change."""


def call(fn, *args, what: str = "request", wait: float = 5.0, **kwargs):
    """``fn(*args, **kwargs)``, asked again while the cluster's failure is one a
    shard recovery or another node may end (the client has already tried the
    other nodes), up to ``wait`` seconds; :class:`EngineUnavailable` after."""
    deadline = time.monotonic() + wait
    delay = 0.1
    while True:
        try:
            return fn(*args, **kwargs)
        except (osx.ConnectionError, osx.ConnectionTimeout) as exc:
            # every node refused or timed out already: the cluster is not there
            raise EngineUnavailable(f"the OpenSearch cluster cannot be reached ({reason(exc)})") from None
        except osx.TransportError as exc:
            if too_many_clauses(exc):
                raise
            if not transient(exc):
                if exc.status_code in (401, 403):
                    raise EngineUnavailable(f"OpenSearch refused the credentials ({reason(exc)})") from None
                raise OpenSearchError(f"OpenSearch {what} failed: {reason(exc)}") from None
            if time.monotonic() + delay > deadline:
                raise EngineUnavailable(f"OpenSearch cannot answer ({reason(exc)})") from None
            log.info("OpenSearch %s: %s; again in %.1fs", what, reason(exc), delay)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

