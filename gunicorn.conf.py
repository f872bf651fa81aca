"""gunicorn's settings for Remiss, read from the working directory (`make run`, the benchmarks).

Command-line flags (workers, bind address, logging) still come from whoever starts gunicorn; this
file adds what every worker should do, and how it serves live event streams (issue 27):

Workers of ``app.live.serving.StreamingWorker``: gunicorn's threaded worker, except that pages
are answered one at a time in the worker's main thread, as a sync worker answers them (handing
them to threads cost a fifth of the throughput: see app/live/serving.py). A live stream
(``/d/<slug>/live``) holds a pool thread as long as the page that opened it stays open, so each
worker gets ``LIVE_STREAMS_PER_PROCESS`` threads for streams (app.live refuses one more with 503,
and the browser tries again) plus ``PAGE_THREADS`` for pages that reach the pool (kept-alive
connections): however many streams are open, pages are answered. A stream's thread sleeps
while one thread per worker writes every stream's events (app/live/sender.py); a waiting
stream holds no database connection and costs no CPU. On SIGTERM (a deploy, a
restart) the worker ends its streams at once, so it stops within seconds; browsers reconnect
to the next worker and resume from their last event.
"""

import gc
import os
import signal

PAGE_THREADS = int(os.environ.get("PAGE_THREADS", "2"))
worker_class = "app.live.serving.StreamingWorker"
# No keep-alive: a page request is answered and the connection closed, as sync workers did, so the
# kernel spreads the next request over idle workers instead of pinning a client to one.
keepalive = 0
# Streams, threads for pages that reach the pool, and a few spare for requests at the page gate.
threads = int(os.environ.get("LIVE_STREAMS_PER_PROCESS", "100")) + PAGE_THREADS + 4


def post_worker_init(worker):
    """Keep the worker's start-up objects out of the garbage collector's full passes.

    A loaded worker holds about 150,000 objects (Flask, SQLAlchemy, Babel's locale data, the
    app); they live as long as the worker, yet each full collection walks all of them again,
    which put 50-100 ms on whichever request happened to trigger it (the dashboard's p95 was
    twice its p50). Freezing them after loading, as the gc module's documentation suggests for
    servers, leaves the collector only the objects requests make.
    """
    # The Swedish search dictionary (hunspell-sv) takes 0.5-1.2 s to load: here, before the worker
    # takes requests, rather than in whichever search or comment first needs it.
    from app.search import compounds

    compounds.dictionary()
    if worker is not None:
        serve_streams_beside_pages(worker)
    gc.collect()
    gc.freeze()


def serve_streams_beside_pages(worker):
    """Pages through a gate of PAGE_THREADS (streams bypass it), and on SIGTERM end the worker's
    live streams before gunicorn's graceful stop waits for them."""
    from app.live.broker import broker
    from app.live.serving import PageGate

    worker.wsgi = PageGate(worker.wsgi, PAGE_THREADS)

    graceful = worker.handle_exit

    def handle_exit(sig, frame):
        broker.stop()
        graceful(sig, frame)

    signal.signal(signal.SIGTERM, handle_exit)
