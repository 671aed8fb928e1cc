"""bench/noop_update.py at a small size: the no-change run asks only for list
pages, gets 304s and adds nothing (no timing is asserted)."""
import contextlib
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import noop_update  # noqa: E402


def test_noop_update_benchmark_runs_the_real_update(tmp_path, engine_name):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = noop_update.main(["--n", "300", "--data-dir", str(tmp_path / "d")])
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert code == 0
    stories = sum(r.canonical is None for r in noop_update.corpus.generate(300))   # reposts merge into one
    assert result["n"] == stories and result["noop_new"] == 0 and result["noop_exit"] == 0
    lists = result["sites"] * len(noop_update.corpus.COLUMNS)
    assert result["noop_304"] == lists            # every list page answered 304
    assert result["noop_requests"] == lists + result["sites"]   # plus one robots.txt per site
