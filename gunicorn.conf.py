"""gunicorn's settings for Remiss, read from the working directory (`make run`, the benchmarks).

Command-line flags (workers, bind address, logging) still come from whoever starts gunicorn; this
file only adds what every worker should do.
"""

import gc


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
    gc.collect()
    gc.freeze()
