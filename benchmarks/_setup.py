"""Shared set-up for the benchmarks: an app on a fresh SQLite file and bulk test data."""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.accounts.models import Organisation, Role, User
from app.database import utcnow
from app.documents.models import Block, BlockKind, BlockRevision, Document, Version, VersionState
from app.extensions import db, limiter
from app.review import markdown
from app.review.models import Comment, CommentKind, Endorsement

WORDS = [
    "myndighet",
    "licens",
    "upphovsrätt",
    "data",
    "öppen",
    "vidareutnyttjande",
    "villkor",
    "källa",
    "text",
    "verk",
    "avtal",
    "upphandling",
    "rättighet",
    "databas",
    "offentlig",
    "handling",
    "publicera",
    "märka",
    "tredje",
    "part",
]
PASSWORD = "benchmark-password-123"


def make_app(tmp: Path):
    """An app on an empty SQLite database built by the migrations."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}",
            "SECRET_KEY": "benchmark-secret-key-0123456789abcdef",
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "EXPORTS_DIR": str(tmp / "exports"),
        }
    )
    limiter.enabled = False
    with app.app_context():
        upgrade()
    return app


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_document(slug: str, blocks: int, users: list[User], rng: random.Random) -> Document:
    """A published, open document of *blocks* blocks (every tenth a heading)."""
    editor = users[0]
    document = Document(slug=slug, title=f"Benchmark {slug}", created_by_id=editor.id)
    db.session.add(document)
    db.session.flush()
    version = Version(
        document=document,
        number=1,
        label="1",
        state=VersionState.OPEN,
        published_at=utcnow(),
        published_by_id=editor.id,
    )
    db.session.add(version)
    db.session.flush()
    for i in range(blocks):
        block = Block(document_id=document.id)
        db.session.add(block)
        db.session.flush()
        kind = BlockKind.HEADING if i % 10 == 0 else BlockKind.PARAGRAPH
        db.session.add(
            BlockRevision(
                version_id=version.id,
                block_id=block.id,
                position=i,
                kind=kind,
                level=1 + (i // 10) % 2 if kind is BlockKind.HEADING else 1,
                text=sentence(rng, 4 if kind is BlockKind.HEADING else rng.randint(40, 90)),
                changed_by_id=editor.id,
            )
        )
    db.session.commit()
    return document


def make_users(n: int = 20) -> list[User]:
    organisation = Organisation(name="Benchmarkverket")
    db.session.add(organisation)
    users = []
    for i in range(n):
        user = User(email=f"u{i}@bench.example", name=f"Person {i}", organisation=organisation)
        user.set_roles({Role.MEMBER, Role.EDITOR} if i == 0 else {Role.MEMBER})
        user.set_password(PASSWORD)
        db.session.add(user)
        users.append(user)
    db.session.commit()
    return users


def add_comments(document: Document, total: int, users: list[User], rng: random.Random) -> None:
    """*total* comments on the document's version: two thirds top-level, a third replies; endorsements."""
    version = document.versions[0]
    revisions = db.session.scalars(
        sa.select(BlockRevision).where(BlockRevision.version_id == version.id)
    ).all()
    tops: list[Comment] = []
    for i in range(total):
        number = i + 1
        body = sentence(rng, rng.randint(15, 60)) + " *Viktigt* och [källa](https://example.org)."
        author = users[rng.randrange(len(users))]
        parent = tops[rng.randrange(len(tops))] if tops and i % 3 == 2 else None
        revision = revisions[rng.randrange(len(revisions))]
        comment = Comment(
            document_id=document.id,
            number=number,
            version_id=version.id,
            block_id=None if parent else revision.block_id,
            parent_id=parent.id if parent else None,
            author_id=author.id,
            organisation_id=author.organisation_id,
            kind=CommentKind.SUGGESTION if i % 5 == 0 and not parent else CommentKind.COMMENT,
            body=body,
            body_html=markdown.render(body),
            # A suggestion is the whole paragraph as proposed: here two changes in it.
            suggestion=(
                revision.text.replace(" ", " mycket ", 1) + " " + sentence(rng, 8)
                if i % 5 == 0 and not parent
                else None
            ),
            block_text=revision.text,
        )
        db.session.add(comment)
        if parent is None:
            db.session.flush()
            tops.append(comment)
    db.session.flush()
    endorsed = set()
    for _ in range(total // 3):
        pair = (tops[rng.randrange(len(tops))].id, users[rng.randrange(len(users))].id)
        if pair not in endorsed:
            endorsed.add(pair)
            db.session.add(Endorsement(comment_id=pair[0], user_id=pair[1]))
    db.session.commit()


@contextmanager
def count_queries():
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
            statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def timed(fn, runs: int = 30, warmup: int = 3, clock=time.perf_counter) -> tuple[float, float]:
    """p50 and p95 wall time of *fn* in milliseconds (CPU time with ``clock=time.process_time``)."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = clock()
        fn()
        samples.append((clock() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def as_gunicorn_worker() -> None:
    """Do what gunicorn.conf.py does in each worker once the app is loaded (freeze the objects
    alive now out of the garbage collector's full passes), so in-process figures match a server's."""
    import runpy

    runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))["post_worker_init"](None)


def temp_dir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="remiss-bench-")
