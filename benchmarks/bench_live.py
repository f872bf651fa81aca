"""Live events under load (issue 27): 200 open event streams on two servers, then the load run.

Starts two gunicorn servers on one fresh database with the demo data (as gunicorn.conf.py
configures them: threaded workers, a page gate, stream slots), opens 200 event streams on the
demo document (half on each server, each from a loopback address of its own, as 200 visitors),
then

1. posts comments on server A one at a time and times each event's arrival on every stream of
   server B: from the moment the post is answered (committed) to the event read by the client;
2. runs the load benchmark's clients (bench_load.py: page reads and comment posts) against both
   servers while the 200 streams stay open, and reports it against bench_load's targets.

    python benchmarks/bench_live.py                       # a temporary SQLite file
    python benchmarks/bench_live.py --database-url postgresql://postgres@127.0.0.1/test

Targets: an event reaches a client on the other server within 500 ms p95; the load run meets
bench_load.py's targets. Exit status 1 if a stream was refused or broke, a request failed with
5xx or a comment was lost; missed targets are only reported.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import selectors
import shutil
import socket
import sys
import tempfile
import time
from contextlib import ExitStack, suppress
from pathlib import Path

from _load import Browser, fresh_database, gunicorn, prepare, run_load
from bench_load import TARGET_P95_MS, TARGET_POSTS, TARGET_READS

SLUG = "oppna-licenser"
TARGET_EVENT_P95_MS = 500.0


def _read_streams(bases: list[str], count: int, pipe) -> None:
    """In a process of its own: open *count* streams (alternately on each server, each from a
    loopback address of its own, as that many browsers) and read them all in one selector loop,
    noting when each comment event arrives. Answers the parent's questions on *pipe*: "ready"
    (how many streams were refused or broke, once each has its first frame), "arrivals" (per
    stream on the second server: event id to arrival time) and "open" (how many still are)."""
    selector = selectors.DefaultSelector()
    streams = []
    for i in range(count):
        host, port = bases[i % 2].removeprefix("http://").split(":")
        sock = socket.create_connection(
            (host, int(port)), timeout=60, source_address=(f"127.0.{1 + i // 250}.{1 + i % 250}", 0)
        )
        sock.sendall(
            f"GET /d/{SLUG}/live HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        sock.setblocking(False)
        stream = {
            "sock": sock,
            "on_b": i % 2 == 1,
            "status": None,
            "ready": False,
            "open": True,
            "buffer": b"",
            "arrivals": {},
        }
        streams.append(stream)
        selector.register(sock, selectors.EVENT_READ, stream)
    pattern = re.compile(rb"id: (\d+)\nevent: (\w+)")
    asked = []
    while True:
        for key, _events in selector.select(timeout=0.05):
            stream = key.data
            try:
                chunk = stream["sock"].recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            now = time.monotonic()
            if not chunk:
                stream["open"] = False
                selector.unregister(stream["sock"])
                continue
            buffer = stream["buffer"] + chunk
            if stream["status"] is None and b"\r\n" in buffer:
                stream["status"] = int(buffer.split(b" ", 2)[1])
            for match in pattern.finditer(buffer):
                if match.group(2) in (b"hello", b"reload"):
                    stream["ready"] = True
                elif match.group(2) == b"comment":
                    stream["arrivals"].setdefault(int(match.group(1)), now)
            stream["buffer"] = buffer[-200:]
        if pipe.poll():
            asked.append(pipe.recv())
        while asked:
            question = asked[0]
            if question == "ready":
                if not all(s["ready"] or not s["open"] or s["status"] not in (None, 200) for s in streams):
                    break
                pipe.send(sum(1 for s in streams if s["status"] != 200 or not s["open"]))
            elif question == "arrivals":
                pipe.send([s["arrivals"] for s in streams if s["on_b"] and s["status"] == 200])
            elif question == "open":
                pipe.send(sum(1 for s in streams if s["status"] == 200 and s["open"]))
            elif question == "cpu":
                pipe.send(time.process_time())
            elif question == "close":
                for s in streams:
                    with suppress(OSError):
                        s["sock"].close()
                return
            asked.pop(0)


def _post_comments(base: str, count: int) -> list[tuple[float, float]]:
    """Post *count* comments on server *base* as the demo member; (sent, answered) times each."""
    browser = Browser(base, "127.0.0.250")
    status, page, _ = browser.request("GET", "/login")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    browser.request(
        "POST",
        "/login",
        {"csrf_token": token, "email": "member@demo.example", "password": "demo-password-2020"},
    )
    status, page, _ = browser.request("GET", f"/d/{SLUG}")
    number, uid = re.search(rf"/d/{SLUG}/v/(\d+)/b/([^/\"]+)/comment", page).groups()
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    token = token.group(1) if token else None
    times = []
    for n in range(count):
        if token is None:
            _s, form, _ = browser.request("GET", f"/d/{SLUG}/v/{number}/b/{uid}/comment")
            token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', form).group(1)
        sent = time.monotonic()
        status, _body, _location = browser.request(
            "POST",
            f"/d/{SLUG}/v/{number}/b/{uid}/comment",
            {"csrf_token": token, "kind": "comment", "body": f"Live-mätning {n}."},
        )
        answered = time.monotonic()
        if status != 302:
            raise RuntimeError(f"posting a comment answered {status}")
        times.append((sent, answered))
        time.sleep(0.25)
    browser.close()
    return times


def servers_cpu(bases: list[str]) -> float:
    """CPU seconds used so far by the gunicorn processes (masters and workers) serving *bases*:
    a steadier figure than requests per second on a machine whose speed varies from minute to
    minute (Linux only; 0 elsewhere)."""
    binds = {f"127.0.0.1:{base.rsplit(':', 1)[1]}".encode() for base in bases}
    ticks = 0
    for proc in Path("/proc").glob("[0-9]*"):
        with suppress(OSError):
            if any(bind in (proc / "cmdline").read_bytes() for bind in binds):
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    """Open the streams, time events across servers, run the load; non-zero on failures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL") or None)
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--events", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--seconds", type=float, default=20.0, help="of the load run")
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args(argv)
    database = "PostgreSQL" if (args.database_url or "").startswith("postgres") else "SQLite"
    print(f"2 × gunicorn, {args.workers} workers each, {database}; {args.streams} open event streams")
    workdir = Path(tempfile.mkdtemp(prefix="remiss-live-"))
    failed = False
    try:
        with fresh_database(args.database_url, workdir) as url:
            prepare(url)
            with ExitStack() as stack:
                bases = [
                    stack.enter_context(gunicorn(url, workdir / f"gunicorn-{n}.log", workers=args.workers))
                    for n in range(2)
                ]
                # The 200 readers in a process of their own, as 200 browsers are: read by threads
                # of this one, they took the interpreter lock from the load's clients below.
                mine, theirs = multiprocessing.Pipe()
                readers = multiprocessing.Process(target=_read_streams, args=(bases, args.streams, theirs))
                readers.start()
                stack.callback(lambda: (mine.send("close"), readers.join(10)))
                mine.send("ready")
                if not mine.poll(60):
                    raise RuntimeError("the streams did not open within a minute")
                refused = mine.recv()
                print(f"streams open: {args.streams - refused} of {args.streams}")
                failed |= bool(refused)

                times = _post_comments(bases[0], args.events)
                time.sleep(1.0)
                mine.send("arrivals")
                on_b = mine.recv()
                arrivals = sorted({i for s in on_b for i in s})
                from_answer, from_sent, missing = [], [], 0
                for index, (sent, answered) in enumerate(times):
                    if index >= len(arrivals):
                        missing += len(on_b)
                        continue
                    event_id = arrivals[index]
                    for stream in on_b:
                        at = stream.get(event_id)
                        if at is None:
                            missing += 1
                            continue
                        from_answer.append(max(0.0, (at - answered) * 1000))
                        from_sent.append((at - sent) * 1000)
                p95 = percentile(from_answer, 95)
                if on_b:
                    print(
                        f"event to the other server's {len(on_b)} streams, {args.events} comments: "
                        f"from the post's answer p50 {percentile(from_answer, 50):.0f} ms, p95 {p95:.0f} ms, "
                        f"max {max(from_answer, default=float('nan')):.0f} ms; from the post's sending "
                        f"p95 {percentile(from_sent, 95):.0f} ms; missing {missing}"
                    )
                    print(
                        f"target event p95 < {TARGET_EVENT_P95_MS:g} ms: {p95:.0f} "
                        f"{'met' if p95 < TARGET_EVENT_P95_MS else 'NOT met'}"
                    )
                else:
                    print("event delivery not measured: no stream open (--streams 0, the baseline)")
                failed |= missing > 0

                cpu = servers_cpu(bases)
                mine.send("cpu")
                readers_cpu = mine.recv()
                result = run_load(bases, url, args.clients, args.seconds)
                cpu = servers_cpu(bases) - cpu
                mine.send("cpu")
                readers_cpu = mine.recv() - readers_cpu
                print(f"load with {args.streams} streams open:")
                print(result.report())
                served = len(result.reads.latencies_ms) + len(result.posts.latencies_ms)
                print(
                    f"the servers' CPU: {cpu:.1f} s, {1000 * cpu / max(served, 1):.1f} ms a request "
                    "(pages and posts, streams' work included)"
                )
                print(
                    f"the stream readers' CPU (the browsers' share, on this machine too): {readers_cpu:.1f} s"
                )
                for label, value, target, better in (
                    ("page reads/s", result.rate(result.reads), TARGET_READS, "≥"),
                    ("comment posts/s", result.rate(result.posts), TARGET_POSTS, "≥"),
                    ("p95 reads (ms)", result.reads.percentile(95), TARGET_P95_MS, "<"),
                    ("p95 posts (ms)", result.posts.percentile(95), TARGET_P95_MS, "<"),
                ):
                    met = value >= target if better == "≥" else value < target
                    print(
                        f"target {label:<16} {better} {target:g}: {value:.1f} {'met' if met else 'NOT met'}"
                    )
                mine.send("open")
                still = mine.recv()
                print(f"streams still open after the load: {still}")
                failed |= bool(result.server_errors or result.lost or result.failures)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("FAILED" if failed else "no stream refused, zero 5xx, nothing lost")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
