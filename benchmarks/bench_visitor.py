"""A burst of visitors (issue 18): wrk against the reading page and against a minimal Flask page.

Both are served by gunicorn with 4 workers from the same SQLite file holding the demo data:
the app's reading page of the demo document for a visitor (no cookie, as wrk sends none), and
benchmarks/_minimal.py, which reads the same paragraphs from that file and prints them. They
run alternately (app, minimal, app, minimal, …) so that the machine's other load falls on both.

    python benchmarks/bench_visitor.py [--seconds 10] [--rounds 3] [--connections 16]

Target on the project's 2-core machine: the app reaches at least 0.6 of the minimal page's rate.
Also prints the app's rate with the whole-page cache off (PAGE_CACHE_SIZE=0), for comparison.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from _load import ROOT, SLUG, fresh_database, gunicorn, prepare, serve

TARGET_RATIO = 0.6


@contextmanager
def minimal_server(database_file: Path, log_path: Path, workers: int = 4):
    env = {**os.environ, "MINIMAL_DATABASE": str(database_file)}
    with serve("_minimal:app", env, log_path, workers, chdir=ROOT / "benchmarks") as base:
        yield base


def wrk(url: str, seconds: float, connections: int) -> tuple[float, str]:
    """Requests per second wrk measured for *url*, and the non-2xx/3xx count line if any."""
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", url], capture_output=True, text=True, check=True
    )
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    return rate, (f"{errors.group(1)} non-2xx" if errors else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)")
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="remiss-visitor-"))
    try:
        with fresh_database(None, workdir) as url:
            prepare(url)
            database_file = Path(url.removeprefix("sqlite:///"))
            path = f"/d/{SLUG}"
            app_rates, minimal_rates, uncached_rates = [], [], []
            with (
                gunicorn(url, workdir / "app.log") as app_base,
                minimal_server(database_file, workdir / "minimal.log") as minimal_base,
            ):
                for base in (app_base, minimal_base):  # warm both up
                    wrk(base + path, 2, args.connections)
                for n in range(args.rounds):
                    app_rate, app_errors = wrk(app_base + path, args.seconds, args.connections)
                    minimal_rate, minimal_errors = wrk(minimal_base + path, args.seconds, args.connections)
                    app_rates.append(app_rate)
                    minimal_rates.append(minimal_rate)
                    print(
                        f"round {n + 1}: reading page {app_rate:7.1f}/s {app_errors}  minimal page "
                        f"{minimal_rate:7.1f}/s {minimal_errors}  ratio {app_rate / minimal_rate:.2f}"
                    )
            os.environ["PAGE_CACHE_SIZE"] = "0"
            try:
                with gunicorn(url, workdir / "uncached.log") as base:
                    wrk(base + path, 2, args.connections)
                    uncached_rates.append(wrk(base + path, args.seconds, args.connections)[0])
            finally:
                del os.environ["PAGE_CACHE_SIZE"]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    app_rate, minimal_rate = sum(app_rates) / len(app_rates), sum(minimal_rates) / len(minimal_rates)
    ratio = app_rate / minimal_rate

    def rounds(rates):
        return ", ".join(f"{r:.0f}" for r in rates)

    print(f"reading page for a visitor: {app_rate:.1f} requests/s (rounds {rounds(app_rates)})")
    print(f"minimal Flask page:         {minimal_rate:.1f} requests/s (rounds {rounds(minimal_rates)})")
    print(f"without the page cache:     {uncached_rates[0]:.1f} requests/s")
    print(f"target ratio ≥ {TARGET_RATIO}: {ratio:.2f} {'met' if ratio >= TARGET_RATIO else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
