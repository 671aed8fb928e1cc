"""The jieba user dictionary in ``data/dict/userdict.txt``.

jieba's own format, one word a line: ``word [frequency] [part of speech]``
(``#`` starts a comment here). Words are added to jieba's default tokenizer
with :func:`jieba.add_word`, and :func:`reload_if_changed` adds new words and
removes deleted ones when the file's mtime or size changes.

The dictionary shapes the **word** field, which only ranks; the bigram field,
which decides what matches, does not depend on it. So a changed dictionary
never loses a result, but words indexed before the change were cut the old
way: :func:`fingerprint` lets the indexer record which dictionary built an
index and say that a ``reindex`` would bring the ranking up to date.
"""
from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

from indexer.paths import DATA_DIR

DEFAULT_PATH = DATA_DIR / "dict" / "userdict.txt"

log = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: dict[str, tuple[int | None, str | None]] = {}   # word -> (freq, tag) as last added
_stamp: dict[Path, tuple[int, int] | None] = {}


def parse(text: str, source: str = "userdict") -> dict[str, tuple[int | None, str | None]]:
    """``{word: (frequency or None, tag or None)}``; malformed lines are logged and skipped."""
    out: dict[str, tuple[int | None, str | None]] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        freq: int | None = None
        tag: str | None = None
        if len(parts) == 2:
            if parts[1].isdigit():
                freq = int(parts[1])
            else:
                tag = parts[1]
        elif len(parts) == 3 and parts[1].isdigit():
            freq, tag = int(parts[1]), parts[2]
        elif len(parts) != 1:
            log.warning("%s:%d: expected 'word [frequency] [tag]', got %r", source, n, raw)
            continue
        out[parts[0]] = (freq, tag)
    return out


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def load(path: Path | str = DEFAULT_PATH, tokenizer=None) -> int:
    """Add the file's words to jieba (``tokenizer`` defaults to jieba's own);
    words that were in the previous load of the file but are gone now are
    removed. Returns the number of words in the file."""
    import jieba
    tk = tokenizer or jieba.dt
    path = Path(path)
    with _lock:
        stamp = _stat(path)
        words: dict[str, tuple[int | None, str | None]] = {}
        if stamp is not None:
            words = parse(path.read_text(encoding="utf-8"), str(path))
        for word in set(_loaded) - set(words):
            tk.del_word(word)
            del _loaded[word]
        for word, (freq, tag) in words.items():
            if _loaded.get(word) != (freq, tag):
                tk.add_word(word, freq, tag)
                _loaded[word] = (freq, tag)
        _stamp[path] = stamp
        return len(words)


def reload_if_changed(path: Path | str = DEFAULT_PATH, tokenizer=None) -> bool:
    """Load the file again if it changed since the last load; True if it did."""
    path = Path(path)
    if path in _stamp and _stat(path) == _stamp[path]:
        return False
    load(path, tokenizer)
    return True


def fingerprint(path: Path | str = DEFAULT_PATH) -> str:
    """A short hash of the dictionary's content ('' when there is none), to
    record beside an index."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return ""
    return hashlib.sha256(data).hexdigest()[:16]
