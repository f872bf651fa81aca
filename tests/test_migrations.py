"""The committed migrations build exactly the schema the models describe, and carry the data over."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.accounts.models import Organisation, User
from app.database import utcnow
from app.documents.models import Document, Version, VersionState, Visibility
from app.extensions import db
from app.notifications.models import (
    Frequency,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboxState,
)
from tests.conftest import postgres_schema

SEARCH_OBJECTS = {
    ("column", "tsv"),
    ("index", "ix_search_entry_tsv_block"),
    ("index", "ix_search_entry_tsv_comment"),
}


def search_objects_left_out(obj, name, type_, reflected, compare_to):
    """The filter of migrations/env.py: the search index's FTS5 table and tsvector are not models."""
    if type_ == "table" and name and (name.startswith("search_fts") or name == "search_tsv"):
        return False
    table = getattr(getattr(obj, "table", None), "name", None)
    return not (
        (type_, name)
        in {
            ("column", "tsv"),
            ("index", "ix_search_entry_tsv_block"),
            ("index", "ix_search_entry_tsv_comment"),
        }
        and table == "search_entry"
    )


def test_models_and_migrations_agree(app):
    # The session fixture built this database with `flask db upgrade`.
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": search_objects_left_out}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


# --------------------------------------------------------------------------- b1a0c0de0020

BEFORE_RESPONSE_DUE = "b1a0c0de0017"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """The URL of an empty database: a SQLite file, or (with TEST_DATABASE_URL) a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    postgres = postgres_schema("migrations")
    if postgres is None:
        pytest.skip("PostgreSQL is tested when TEST_DATABASE_URL points at it")
    import psycopg

    conninfo, schema = postgres
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.execute(f"CREATE SCHEMA {schema}")
    yield f"postgresql+psycopg://{conninfo.removeprefix('postgresql://')}?options=-csearch_path%3D{schema}"
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def migrating_app(empty_database):
    """An app of its own on *empty_database*, migrated by each test to the revision it needs."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": empty_database,
            "SECRET_KEY": "migration-test-secret-key-0123456789abcdef",
            "RATELIMIT_ENABLED": False,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _queued_before_the_kind_existed(deadline) -> tuple[int, int]:
    """A consultation whose response reminders were queued as 'deadline', as the code before
    b1a0c0de0020 did: the week reminder sent, the two-day one waiting, and a comment-deadline
    reminder beside them. The member turned comment deadlines off. Returns (user id, version id)."""
    publisher_org, member_org = Organisation(name="PRV"), Organisation(name="Kommun A")
    editor = User(email="editor@example.org", name="Erik", organisation=publisher_org)
    member = User(email="anna@example.org", name="Anna", organisation=member_org, may_answer=True)
    db.session.add_all([editor, member])
    db.session.flush()
    document = Document(slug="remiss", title="Remiss", visibility=Visibility.PUBLIC, created_by_id=editor.id)
    version = Version(
        document=document,
        number=1,
        label="Utkast 1",
        state=VersionState.OPEN,
        deadline=deadline,
        published_at=deadline - timedelta(days=30),
        published_by_id=editor.id,
        created_by_id=editor.id,
    )
    db.session.add(version)
    db.session.flush()
    for key, state, delivery in (
        (f"response-week:{version.id}", OutboxState.SENT, Frequency.DIGEST),
        (f"response-days:{version.id}", OutboxState.PENDING, Frequency.DIGEST),
        (f"deadline:{version.id}", OutboxState.PENDING, Frequency.DIGEST),
    ):
        db.session.add(
            Notification(
                user_id=member.id,
                kind=NotificationKind.DEADLINE,
                delivery=delivery,
                state=state,
                document_id=document.id,
                version_id=version.id,
                dedupe_key=key,
            )
        )
    db.session.add(
        NotificationPreference(user_id=member.id, kind=NotificationKind.DEADLINE, frequency=Frequency.NONE)
    )
    ids = member.id, version.id
    db.session.commit()
    db.session.remove()  # SQLite: a session reading on would hold the write lock the migration needs
    return ids


def _kinds() -> dict[str, str]:
    """The outbox's kind by dedupe key, and the settings' frequency by kind, as stored."""
    with db.engine.connect() as connection:
        outbox = connection.execute(sa.text("SELECT dedupe_key, kind FROM notification")).all()
        settings = connection.execute(sa.text("SELECT kind, frequency FROM notification_preference")).all()
    return {key.split(":")[0]: kind for key, kind in outbox} | {f"setting {k}": f for k, f in settings}


def _refused(statement: str) -> bool:
    """Whether the database's CHECK constraint refuses *statement*."""
    try:
        with db.engine.begin() as connection:
            connection.execute(sa.text(statement))
    except sa.exc.IntegrityError:
        return True
    return False


def test_response_reminders_get_their_own_kind_and_go_back_on_downgrade(migrating_app):
    from app.notifications.delivery import _wanted
    from app.responses.reminders import enqueue_response_reminders

    deadline = utcnow() + timedelta(days=1)
    with migrating_app.app_context():
        upgrade(revision=BEFORE_RESPONSE_DUE)
        user_id, version_id = _queued_before_the_kind_existed(deadline)
        assert _refused("UPDATE notification SET kind = 'response_due'")

        upgrade()
        assert _kinds() == {
            "response-week": "response_due",
            "response-days": "response_due",
            "deadline": "deadline",
            "setting deadline": "none",  # chosen for comment deadlines: not copied
        }
        # The waiting reminder now follows the response setting (at once by default), not the
        # comment-deadline one the member turned off; sent or waiting, neither is queued again.
        waiting = db.session.scalar(
            sa.select(Notification).where(Notification.dedupe_key == f"response-days:{version_id}")
        )
        assert waiting.kind is NotificationKind.RESPONSE_DUE and _wanted(waiting)
        assert enqueue_response_reminders(deadline - timedelta(days=6)) == 0
        assert enqueue_response_reminders(deadline - timedelta(hours=12)) == 0
        db.session.add(
            NotificationPreference(
                user_id=user_id, kind=NotificationKind.RESPONSE_DUE, frequency=Frequency.DIGEST
            )
        )
        db.session.commit()
        db.session.remove()
        assert _refused("UPDATE notification SET kind = 'no_such_kind'")

        downgrade(revision=BEFORE_RESPONSE_DUE)
        # Back as the older code had them; its one setting for both stays the member's choice.
        assert _kinds() == {
            "response-week": "deadline",
            "response-days": "deadline",
            "deadline": "deadline",
            "setting deadline": "none",
        }
        assert _refused("UPDATE notification SET kind = 'response_due'")

        upgrade()
        assert _kinds()["response-days"] == "response_due"
