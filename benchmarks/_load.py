"""The load run shared by bench_load.py and tests/test_load.py: gunicorn, the demo data, many clients.

A fresh database (a temporary SQLite file, or a schema of its own on PostgreSQL) is migrated and
given the demo data with the real `flask` commands; gunicorn serves it on a loopback port; client
threads sign in once each and then read the demo document and post comments until time is up.
Afterwards every comment the server acknowledged (302) is looked for in the database.

Only the standard library speaks HTTP here (http.client), so nothing is added to the
requirements. Each client connects from its own loopback address (127.0.0.2, 127.0.0.3, ...):
the sign-in rate limit counts per address, and 32 people signing in from one address in one
minute would rightly be refused.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
SLUG = "oppna-licenser"
PASSWORD = "demo-password-2020"
# Signed-in demo accounts that may comment (everyone signed in may); the admin is left out.
ACCOUNTS = (
    "member@demo.example",
    "member2@demo.example",
    "editor@demo.example",
    "editor2@demo.example",
    "host@demo.example",
)
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
COMMENT_LINK_RE = re.compile(rf'href="(/d/{SLUG}/v/\d+/b/[A-Za-z0-9_-]+/comment)"')
SECRET = "load-test-secret-key-not-for-production-0123456789"


# ---- databases -------------------------------------------------------------------------------


def sqlalchemy_url(url: str) -> str:
    """*url* with the psycopg 3 driver named, as the app's configuration does it."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def with_search_path(url: str, schema: str) -> str:
    """*url* with PostgreSQL's search_path set to *schema* (replacing any set before)."""
    parsed = sa.engine.make_url(sqlalchemy_url(url))
    query = dict(parsed.query)
    query["options"] = f"-csearch_path={schema}"
    return parsed.set(query=query).render_as_string(hide_password=False)


@contextmanager
def fresh_database(url: str | None, workdir: Path) -> Iterator[str]:
    """An empty database for one run: a SQLite file in *workdir*, or a new PostgreSQL schema."""
    if not url or url.startswith("sqlite"):
        yield f"sqlite:///{workdir / 'load.db'}"
        return
    # BENCH_SCHEMA_PREFIX: where several people share one PostgreSQL, each their own names.
    schema = f"{os.environ.get('BENCH_SCHEMA_PREFIX', 'load_')}{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(sqlalchemy_url(url))
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield with_search_path(url, schema)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        admin.dispose()


def _environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        FLASK_APP="wsgi.py",
        DATABASE_URL=database_url,
        SECRET_KEY=SECRET,
        REMISS_ENV="development",
        EXPORTS_DIR=str(Path(tempfile.gettempdir()) / "remiss-load-exports"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("FLASK_DEBUG", None)
    return env


def prepare(database_url: str) -> None:
    """Migrate the database and load the demo data, with the commands an operator runs."""
    env = _environment(database_url)
    for args in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )


# ---- the server ------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, log_path: Path, workers: int = 4, port: int | None = None) -> Iterator[str]:
    """gunicorn serving the app on a loopback port, logging to *log_path*; yields its base address."""
    with serve("wsgi:app", _environment(database_url), log_path, workers, port) as base:
        yield base


@contextmanager
def serve(
    target: str,
    env: dict,
    log_path: Path,
    workers: int = 4,
    port: int | None = None,
    chdir: Path | None = None,
) -> Iterator[str]:
    """gunicorn serving the WSGI *target* ("module:app") from the project folder, so that it reads
    gunicorn.conf.py as `make run` does; *chdir* is where the module is, if not there."""
    port = port or free_port()
    log = open(log_path, "w+b")  # noqa: SIM115  (closed in the finally below, after gunicorn)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
            *(["--chdir", str(chdir)] if chdir else []),
            target,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_until_up(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        # Only our own process group: gunicorn's master and its workers.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def _wait_until_up(port: int, process: subprocess.Popen, log, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError("gunicorn exited:\n" + log.read().decode(errors="replace")[-3000:])
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within a minute")


# ---- clients ---------------------------------------------------------------------------------


@dataclass
class Series:
    """Outcomes of one kind of request."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    server_errors: int = 0
    samples: list[str] = field(default_factory=list)

    def add(self, elapsed_ms: float, ok: bool, status: int | None, note: str = "") -> None:
        """Count one request: its time, whether it was the expected answer, its status."""
        self.latencies_ms.append(elapsed_ms)
        if not ok:
            self.errors += 1
            if len(self.samples) < 5:
                self.samples.append(f"{status}: {note}"[:200])
        if status is not None and status >= 500:
            self.server_errors += 1

    def merge(self, other: Series) -> None:
        """Add another client's outcomes to these."""
        self.latencies_ms += other.latencies_ms
        self.errors += other.errors
        self.server_errors += other.server_errors
        self.samples = (self.samples + other.samples)[:5]

    def percentile(self, p: float) -> float:
        """The *p*th percentile latency in milliseconds (nearest rank), 0 without requests."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Browser:
    """One person's HTTP connection with its cookies, from its own loopback address."""

    def __init__(self, base: str, source_ip: str):
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port, self.source_ip = host, int(port), source_ip
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                self.host, self.port, timeout=30, source_address=(self.source_ip, 0)
            )
        return self.connection

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """(status, body, Location header); cookies kept; one retry on a dropped keep-alive."""
        headers = {"Accept-Language": "sv"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            connection = self._connect()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read().decode("utf-8", errors="replace")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn's sync workers close idle keep-alive connections: reconnect once.
                # A POST is retried only if nothing came back, so nothing is sent twice knowingly.
                self.close()
                if attempt == 2:
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, data, response.getheader("Location", "")

    def close(self) -> None:
        """Drop the connection; the next request opens a new one."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None


@dataclass
class ClientResult:
    """What one client thread did."""

    reads: Series = field(default_factory=Series)
    posts: Series = field(default_factory=Series)
    acknowledged: list[str] = field(default_factory=list)
    failure: str = ""


def _client(index: int, base: str, start: threading.Barrier, seconds: float, post_share: float, marker: str):
    result = ClientResult()
    rng = random.Random(index)
    browser = Browser(base, f"127.0.0.{2 + index % 250}")
    try:
        status, html, _ = browser.request("GET", "/login")
        token = CSRF_RE.search(html).group(1)
        email = ACCOUNTS[index % len(ACCOUNTS)]
        status, _, _location = browser.request(
            "POST", "/login", {"email": email, "password": PASSWORD, "csrf_token": token}
        )
        if status != 302:
            raise RuntimeError(f"sign-in as {email} answered {status}")
        status, html, _ = browser.request("GET", f"/d/{SLUG}")
        targets = COMMENT_LINK_RE.findall(html)
        if status != 200 or not targets:
            raise RuntimeError(f"the reading page answered {status} with {len(targets)} comment links")
        # Flask-WTF's token belongs to the session: the one in the comment form serves every post.
        status, html, _ = browser.request("GET", targets[0])
        token = CSRF_RE.search(html).group(1)
    except Exception as error:  # reported, and the run fails on it
        result.failure = f"client {index}: {error!r}"
        start.abort()
        return result
    try:
        start.wait()
    except threading.BrokenBarrierError:
        return result
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        n += 1
        posting = rng.random() < post_share
        began = time.perf_counter()
        try:
            if posting:
                body = f"{marker} c{index} n{n}: belastningsprov av en synpunkt."
                path = rng.choice(targets)
                status, text, _location = browser.request(
                    "POST", path, {"kind": "comment", "body": body, "csrf_token": token}
                )
                ok = status == 302
                if ok:
                    result.acknowledged.append(body)
                elapsed = (time.perf_counter() - began) * 1000
                result.posts.add(elapsed, ok, status, text[:120] if not ok else "")
            else:
                status, text, _ = browser.request("GET", f"/d/{SLUG}")
                elapsed = (time.perf_counter() - began) * 1000
                result.reads.add(elapsed, status == 200, status, text[:120] if status != 200 else "")
        except (OSError, http.client.HTTPException) as error:
            elapsed = (time.perf_counter() - began) * 1000
            (result.posts if posting else result.reads).add(elapsed, False, None, repr(error))
            browser.close()
    browser.close()
    return result


@dataclass
class LoadResult:
    """The figures of one run, and whether anything was lost."""

    seconds: float
    clients: int
    reads: Series
    posts: Series
    acknowledged: int
    stored: int
    lost: list[str]
    failures: list[str]
    server_log: str = ""
    # CPU the clients themselves used: on a 2-core machine it is taken from the server.
    client_cpu_seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        """Responses with a 5xx status, reads and posts together."""
        return self.reads.server_errors + self.posts.server_errors

    def rate(self, series: Series) -> float:
        """Requests per second of *series* over the run."""
        return len(series.latencies_ms) / self.seconds if self.seconds else 0.0

    def report(self) -> str:
        """The figures as printable lines."""
        lines = [
            f"{self.clients} clients for {self.seconds:.1f} s "
            f"(the clients used {self.client_cpu_seconds:.1f} s of CPU)"
        ]
        for name, series in (("page reads", self.reads), ("comment posts", self.posts)):
            lines.append(
                f"{name:<14} {len(series.latencies_ms):>6} requests  {self.rate(series):7.1f}/s  "
                f"p50 {series.percentile(50):6.1f} ms  p95 {series.percentile(95):6.1f} ms  "
                f"errors {series.errors} (5xx {series.server_errors})"
            )
            lines += [f"    e.g. {sample}" for sample in series.samples]
        lines.append(
            f"comments acknowledged {self.acknowledged}, found in the database {self.stored}, "
            f"lost {len(self.lost)}"
        )
        lines += [f"client failure: {failure}" for failure in self.failures]
        if self.server_errors and self.server_log:
            lines.append("the server's log ends with:\n" + self.server_log)
        return "\n".join(lines)


def stored_comments(database_url: str, marker: str) -> set[str]:
    """Bodies of this run's comments that are in the database."""
    engine = sa.create_engine(sqlalchemy_url(database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT body FROM comment WHERE body LIKE :marker"), {"marker": marker + "%"}
            )
            return {body for (body,) in rows}
    finally:
        engine.dispose()


def run_load(
    base: str | list[str], database_url: str, clients: int, seconds: float, post_share: float = 0.35
) -> LoadResult:
    """Run *clients* threads against *base* for *seconds*, then check the database.

    With several servers (a list of bases) client *i* talks to server *i* mod *n*, as a load
    balancer spreading connections would have it.
    """
    bases = [base] if isinstance(base, str) else list(base)
    marker = f"[load {uuid.uuid4().hex[:10]}]"
    start = threading.Barrier(clients + 1)
    results: list[ClientResult] = [ClientResult() for _ in range(clients)]

    def work(i: int) -> None:
        results[i] = _client(i, bases[i % len(bases)], start, seconds, post_share, marker)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    with suppress(threading.BrokenBarrierError):
        start.wait(timeout=120)
    began, cpu = time.monotonic(), time.process_time()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed, cpu = time.monotonic() - began, time.process_time() - cpu
    reads, posts = Series(), Series()
    acknowledged: list[str] = []
    for result in results:
        reads.merge(result.reads)
        posts.merge(result.posts)
        acknowledged += result.acknowledged
    stored = stored_comments(database_url, marker)
    return LoadResult(
        seconds=elapsed,
        clients=clients,
        reads=reads,
        posts=posts,
        acknowledged=len(acknowledged),
        stored=len(stored),
        lost=sorted(set(acknowledged) - stored),
        failures=[r.failure for r in results if r.failure],
        client_cpu_seconds=cpu,
    )


def load_test(
    database_url: str | None,
    clients: int,
    seconds: float,
    workers: int = 4,
    post_share: float = 0.35,
    servers: int = 1,
) -> LoadResult:
    """Everything in one call: fresh database, demo data, gunicorn (*servers* of them, with
    *workers* each, on the one database), the clients, the check."""
    workdir = Path(tempfile.mkdtemp(prefix="remiss-load-"))
    try:
        with fresh_database(database_url, workdir) as url:
            prepare(url)
            logs = [workdir / f"gunicorn-{n}.log" for n in range(servers)]
            with ExitStack() as stack:
                bases = [stack.enter_context(gunicorn(url, log, workers=workers)) for log in logs]
                result = run_load(bases, url, clients, seconds, post_share)
            result.server_log = "\n".join(log.read_text(errors="replace")[-4000:] for log in logs)
            return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
