"""Load with nothing lost (issue 7, point 9): gunicorn, 32 clients reading and commenting for 20 s.

Starts gunicorn (4 workers) on a loopback port against a fresh database holding the demo data,
runs the clients, prints requests/s, p50/p95 latency and errors for page reads and comment posts,
then checks that there was no 5xx and that every acknowledged comment is in the database.

    python benchmarks/bench_load.py                       # a temporary SQLite file
    python benchmarks/bench_load.py --database-url postgresql://postgres@127.0.0.1/test
    python benchmarks/bench_load.py --database-url postgresql://... --servers 2 --workers 2
    BENCH_DATABASE_URL=postgresql://... python benchmarks/bench_load.py --seconds 60

A PostgreSQL run works in a schema of its own, dropped afterwards. Targets on the project's
2-core machine: at least 150 page reads/s and 80 comment posts/s, p95 under 300 ms.
Exit status 1 if anything was lost or a request failed with 5xx; missed targets are only reported.
"""

from __future__ import annotations

import argparse
import os
import sys

from _load import load_test

TARGET_READS = 150.0
TARGET_POSTS = 80.0
TARGET_P95_MS = 300.0


def main(argv: list[str] | None = None) -> int:
    """Run the load test and print its figures; non-zero when something was lost or failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or None,
        help="PostgreSQL to run against (default: BENCH_DATABASE_URL, else a temporary SQLite file)",
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per server")
    parser.add_argument(
        "--servers", type=int, default=1, help="app servers on the one database (issue 18: two)"
    )
    parser.add_argument(
        "--post-share", type=float, default=0.35, help="share of requests that post a comment"
    )
    args = parser.parse_args(argv)

    database = "PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite"
    print(
        f"{args.servers} × gunicorn, {args.workers} workers each, {database}; demo document; "
        f"{args.post_share:.0%} posts"
    )
    result = load_test(
        args.database_url, args.clients, args.seconds, args.workers, args.post_share, args.servers
    )
    print(result.report())
    for label, value, target, better in (
        ("page reads/s", result.rate(result.reads), TARGET_READS, "≥"),
        ("comment posts/s", result.rate(result.posts), TARGET_POSTS, "≥"),
        ("p95 reads (ms)", result.reads.percentile(95), TARGET_P95_MS, "<"),
        ("p95 posts (ms)", result.posts.percentile(95), TARGET_P95_MS, "<"),
    ):
        met = value >= target if better == "≥" else value < target
        print(f"target {label:<16} {better} {target:g}: {value:.1f} {'met' if met else 'NOT met'}")
    failed = result.server_errors or result.lost or result.failures or not result.acknowledged
    print("zero 5xx, nothing lost" if not failed else "FAILED: 5xx, lost comments or client failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
