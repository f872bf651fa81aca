"""A short load run in CI (issue 7, point 9): gunicorn, clients reading and commenting, nothing lost.

The same code as benchmarks/bench_load.py, shorter and with fewer clients, on whatever database
the suite runs on (a schema of its own on PostgreSQL, a temporary file on SQLite).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from _load import load_test


def test_clients_reading_and_commenting_under_gunicorn_lose_nothing():
    result = load_test(os.environ.get("TEST_DATABASE_URL"), clients=8, seconds=4, workers=4)
    print(result.report())
    assert result.failures == []
    assert result.server_errors == 0, result.report()
    assert result.reads.errors == 0 and result.posts.errors == 0, result.report()
    assert result.acknowledged > 0 and len(result.reads.latencies_ms) > 0
    assert result.lost == [], result.report()
    assert result.stored == result.acknowledged
