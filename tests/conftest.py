"""Shared fixtures: the app on a fresh database, factories, a signed-in client, query counting."""

from __future__ import annotations

import functools
import io
import os
import re
import tempfile
import threading
import zipfile
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app, fragments
from app.accounts.models import Organisation, Role, User
from app.database import utcnow
from app.documents.models import (
    Block,
    BlockKind,
    BlockRevision,
    Document,
    Version,
    VersionState,
    Visibility,
)
from app.extensions import db, limiter
from app.meetings.models import Export, ExportKind, Meeting
from tests import office


def _a_schema_per_worker() -> None:
    """Under pytest-xdist each worker process runs on a PostgreSQL schema of its own, beside the
    one TEST_DATABASE_URL names (``<schema>_gw0``, ``<schema>_gw1``): every test and fixture that
    derives a schema from that URL (postgres_schema, the several-servers tests) then stays apart
    from the other workers' too. SQLite runs need nothing: each worker has its own temp folder."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not worker or not url.startswith("postgresql") or os.environ.get("REMISS_WORKER_SCHEMA"):
        return
    import psycopg

    parts = urlsplit(url)
    options = parse_qs(parts.query).get("options", [""])[0]
    match = re.search(r"search_path=(\w+)", options)
    schema = f"{match.group(1) if match else 'public'}_{worker}"
    with psycopg.connect(f"postgresql://{parts.netloc}{parts.path}", autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.execute(f"CREATE SCHEMA {schema}")
    os.environ["REMISS_WORKER_SCHEMA"] = schema
    os.environ["TEST_DATABASE_URL"] = parts._replace(query=f"options=-csearch_path%3D{schema}").geturl()


_a_schema_per_worker()


def pytest_sessionfinish(session, exitstatus):
    """A worker's own schema goes when it is done (the CI script drops the suite's own)."""
    schema = os.environ.get("REMISS_WORKER_SCHEMA")
    if not schema:
        return
    import psycopg

    parts = urlsplit(os.environ["TEST_DATABASE_URL"])
    try:
        with psycopg.connect(f"postgresql://{parts.netloc}{parts.path}", autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    except psycopg.Error:
        pass


PASSWORD = "correct horse battery staple"
CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def postgres_schema(suffix: str) -> tuple[str, str] | None:
    """(conninfo, schema) for a schema of a test's own beside the suite's PostgreSQL schema
    (named after it, with *suffix*); None on SQLite runs."""
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return None
    parts = urlsplit(url)
    options = parse_qs(parts.query).get("options", [""])[0]
    match = re.search(r"search_path=(\w+)", options)
    base = match.group(1) if match else "public"
    return f"postgresql://{parts.netloc}{parts.path}", f"{base}_{suffix}"


@contextmanager
def shared_database(tmp_path_factory, suffix: str):
    """The URL of a database that several app servers of one test module share: a schema of its
    own beside the suite's on PostgreSQL (made empty, dropped after), else one SQLite file."""
    postgres = postgres_schema(suffix)
    if postgres is None:
        yield f"sqlite:///{tmp_path_factory.mktemp(suffix) / 'shared.db'}"
        return
    import psycopg

    conninfo, schema = postgres
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.execute(f"CREATE SCHEMA {schema}")
    host_part = conninfo.removeprefix("postgresql://")
    try:
        yield f"postgresql+psycopg://{host_part}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _database_url(tmp: Path) -> str:
    # Never the developer's own DATABASE_URL: the suite empties every table.
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp / 'test.db'}"


@pytest.fixture(scope="session")
def app():
    """The application on a database built by the migrations, as in production."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        app = create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path),
                "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                "EXPORTS_DIR": str(tmp_path / "exports"),
                "BACKUP_DIR": str(tmp_path / "backups"),
                "RATELIMIT_ENABLED": False,
                # Fast hashing: the suite signs in hundreds of times; production uses scrypt.
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                "SERVER_NAME": None,
            }
        )
        limiter.enabled = False
        with app.app_context():
            upgrade()
        yield app
        _stop_live_threads()
        with app.app_context():
            db.engine.dispose()


def _stop_live_threads() -> None:
    """Stop the live listener and sender before the database goes: on SQLite the listener polls
    the file every quarter second, and a poll after its removal makes it again, in a directory
    being removed ("Directory not empty")."""
    from app.live.broker import broker
    from app.live.sender import sender

    broker.stop()
    for thread in (broker.listener, sender.thread):
        if thread is not None:
            thread.join(timeout=10)


def _empty_all_tables() -> None:
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean_database(app):
    """Each test starts from empty tables.

    No app context is held during the test: Flask would reuse it for every
    test-client request, sharing ``g`` (the signed-in user) and the session.
    Tests that touch the database open their own ``with app.app_context()``.
    """
    yield
    with app.app_context():
        db.session.remove()
        _empty_all_tables()
    fragments.clear(app)  # cached pages of the rows just deleted
    # The live streams' shared read of recent events, kept per process by document id: the next
    # test's documents and comments reuse the ids just deleted.
    # So are the broker's highest id heard per document and the sender's id written per document.
    from app.live.broker import broker
    from app.live.sender import recent, sender

    with recent.lock:
        recent.rows.clear()
        recent.since.clear()
    with broker.condition:
        broker.latest.clear()
        sender.seen.clear()


class Client:
    """A test client that signs in and sends CSRF tokens like a browser does."""

    def __init__(self, flask_client):
        self.c = flask_client

    def __getattr__(self, name):
        return getattr(self.c, name)

    def csrf(self) -> str:
        """A CSRF token valid for this client's session."""
        html = self.c.get("/login").get_data(as_text=True)
        match = CSRF_RE.search(html)
        assert match, "no csrf token on the sign-in page"
        return match.group(1)

    def post(self, url, data=None, csrf=True, **kwargs):
        data = dict(data or {})
        if csrf and "csrf_token" not in data:
            data["csrf_token"] = self.csrf()
        return self.c.post(url, data=data, **kwargs)

    def login(self, email: str, password: str = PASSWORD):
        response = self.post("/login", {"email": email, "password": password})
        return response

    def logout(self):
        return self.post("/logout")


@pytest.fixture
def client(app):
    # Not `with app.test_client()`: that keeps the last request's context
    # alive, and the next client's requests would share its ``g``.
    return Client(app.test_client())


@pytest.fixture
def outbox(monkeypatch):
    """The e-mails the app hands to the mail server, in order (none is sent)."""
    from app import mail

    sent = []
    monkeypatch.setattr(mail, "deliver", lambda message: sent.append(message) or True)
    return sent


@pytest.fixture
def make_client(app):
    """Further independent clients (another browser, another person)."""
    clients = []

    def make():
        flask_client = app.test_client()
        clients.append(flask_client)
        return Client(flask_client)

    yield make


def _detached(method):
    """Run a factory method in its own app context; return its object loaded and detached."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self.app.app_context():
            obj = method(self, *args, **kwargs)
            extra = dict(getattr(obj, "__dict__", {}))
            db.session.refresh(obj)
            for key in ("block_uids",):
                if key in extra:
                    setattr(obj, key, extra[key])
            db.session.expunge(obj)
            return obj

    return wrapper


class Factory:
    """Builds valid objects with sensible defaults; every call commits."""

    def __init__(self, app):
        self.app = app
        self.n = 0

    def _next(self) -> int:
        self.n += 1
        return self.n

    def _organisation(self, name: str | None = None) -> Organisation:
        name = name or f"Myndighet {self._next()}"
        existing = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
        if existing:
            return existing
        organisation = Organisation(name=name)
        db.session.add(organisation)
        db.session.commit()
        return organisation

    def _user(
        self,
        email: str | None = None,
        roles=(Role.MEMBER,),
        organisation: Organisation | str | None = None,
        name: str | None = None,
        active: bool = True,
        password: str = PASSWORD,
        language: str | None = None,
    ) -> User:
        n = self._next()
        if isinstance(organisation, Organisation):
            organisation = db.session.merge(organisation)
        else:
            organisation = self._organisation(organisation)
        user = User(
            email=email or f"user{n}@example.org",
            name=name or f"Person {n}",
            organisation=organisation,
            active=active,
            language=language,
        )
        user.set_roles(set(roles))
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    def _document(
        self,
        slug: str | None = None,
        title: str = "Vägledning om öppna licenser",
        visibility: Visibility = Visibility.PUBLIC,
        versions=None,
        editor: User | None = None,
    ) -> Document:
        """A document; *versions* is a list of block lists ``[(kind, level, text)]``
        or ``[(key, kind, level, text)]`` (same key = same block uid across versions).
        All but the last are closed, the last is open."""
        n = self._next()
        editor = db.session.merge(editor) if editor else self._user(roles=(Role.EDITOR,), organisation="PRV")
        document = Document(
            slug=slug or f"dokument-{n}", title=title, visibility=visibility, created_by_id=editor.id
        )
        db.session.add(document)
        db.session.flush()
        versions = versions if versions is not None else [default_blocks()]
        keyed: dict[str, Block] = {}
        start = utcnow() - timedelta(days=30 * len(versions))
        for index, blocks in enumerate(versions):
            published = start + timedelta(days=30 * index)
            version = Version(
                document=document,
                number=index + 1,
                label=f"Utkast {index + 1}",
                state=VersionState.OPEN if index == len(versions) - 1 else VersionState.CLOSED,
                change_summary=f"Ändringar i utkast {index + 1}",
                published_at=published,
                published_by_id=editor.id,
                created_by_id=editor.id,
            )
            db.session.add(version)
            db.session.flush()
            for position, spec in enumerate(blocks):
                key, kind, level, text = spec if len(spec) == 4 else (None, *spec)
                block = keyed.get(key) if key else None
                if block is None:
                    block = Block(document_id=document.id)
                    db.session.add(block)
                    db.session.flush()
                    if key:
                        keyed[key] = block
                db.session.add(
                    BlockRevision(
                        version_id=version.id,
                        block_id=block.id,
                        position=position,
                        kind=BlockKind(kind),
                        level=level,
                        text=text,
                        changed_at=published,
                        changed_by_id=editor.id,
                    )
                )
        db.session.commit()
        document.block_uids = {key: block.uid for key, block in keyed.items()}
        return document


Factory.organisation = _detached(Factory._organisation)
Factory.user = _detached(Factory._user)
Factory.document = _detached(Factory._document)


def add_comment(document, block_key, author, version_number=None, body="En synpunkt.", **kwargs) -> int:
    """Store a comment through the real operation; returns its id. Needs an app context."""
    from app.review.models import CommentKind
    from app.review.operations import create_comment, locate_quote

    uids = getattr(document, "block_uids", {})
    document = db.session.get(Document, document.id)
    version = next(
        v for v in document.versions if v.number == (version_number or document.current_version.number)
    )
    revision = None
    if block_key is not None:
        uid = uids.get(block_key, block_key)
        revision = db.session.scalar(
            sa.select(BlockRevision)
            .join(Block)
            .where(BlockRevision.version_id == version.id, Block.uid == uid)
        )
    quote = kwargs.pop("quote", None)
    comment = create_comment(
        version=version,
        revision=revision,
        author=db.session.get(User, author.id),
        kind=kwargs.pop("kind", CommentKind.COMMENT),
        body=body,
        quote=locate_quote(revision.text, quote) if quote else None,
        **kwargs,
    )
    db.session.commit()
    return comment.id


def add_meeting_with_export(app, document, title: str = "Möte") -> tuple[int, int]:
    """A meeting on *document*'s current version with one small exported CSV file on disk,
    committed (in an app context); (meeting id, export id)."""
    version = db.session.get(Document, document.id).current_version
    meeting = Meeting(document_id=document.id, title=title, starts_at=utcnow(), version_id=version.id)
    path = f"{document.slug}/test/{document.slug}.csv"
    target = Path(app.config["EXPORTS_DIR"]) / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(b"Nr\r\n")
    export = Export(meeting=meeting, kind=ExportKind.CSV, path=path, sha256="0" * 64, size=4)
    db.session.add_all([meeting, export])
    db.session.commit()
    return meeting.id, export.id


def zip_of(members: dict[str, bytes]) -> bytes:
    """A zip file holding *members* (name → content), as a hostile or broken upload is built."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def default_blocks(paragraphs: int = 3):
    """A small, valid text: a heading, a subheading and some paragraphs."""
    blocks = [
        ("h1", "heading", 1, "Varför öppna licenser"),
        ("p1", "paragraph", 1, "Myndigheter skapar <strong>mycket</strong> material."),
        ("h2", "heading", 2, "Vidareutnyttjande"),
    ]
    for i in range(paragraphs):
        blocks.append((f"p{i + 2}", "paragraph", 1, f"Stycke nummer {i + 2} om öppna data och licenser."))
    blocks.append(("b1", "bullet", 1, "En punkt i en lista"))
    return blocks


@pytest.fixture
def factory(app) -> Factory:
    return Factory(app)


@pytest.fixture
def editor_language() -> str | None:
    """The language the ``editor`` chose (None: the browser's); a module may override it."""
    return None


@pytest.fixture
def editor(factory, editor_language) -> User:
    """Eva Redaktör (eva@example.org), an editor at PRV."""
    return factory.user(
        email="eva@example.org",
        name="Eva Redaktör",
        roles=(Role.EDITOR,),
        organisation="PRV",
        language=editor_language,
    )


@pytest.fixture
def count_queries(app):
    """Context manager counting the SQL statements this thread sends while it is open (the test
    client runs the app in the test's thread; a background thread, such as the live events'
    poller, is not the page's doing)."""

    @contextmanager
    def counter():
        statements: list[str] = []
        thread = threading.get_ident()

        def before(conn, cursor, statement, parameters, context, executemany):
            if threading.get_ident() != thread:
                return
            if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA", "SAVEPOINT", "RELEASE")):
                statements.append(statement)

        with app.app_context():
            engine = db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return counter


@pytest.fixture
def soffice(tmp_path: Path):
    """convert(path, target, infilter=None) -> the converted file, by headless LibreOffice
    (see tests/office.py: skipped when it is missing, failed under CI=true)."""
    office.require("soffice")
    outdir = tmp_path / "lo-out"

    def convert(path: Path, target: str, infilter: str | None = None) -> Path:
        return office.convert(path, target, outdir, infilter)

    return convert
