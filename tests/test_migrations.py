"""The committed migrations build exactly the schema the models describe, and carry the data over."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

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
    db.session.add_all([publisher_org, member_org])
    db.session.flush()
    # Users through Core, naming only the columns of that schema (the model has gained some since).
    editor, member = (
        SimpleNamespace(
            id=db.session.execute(
                sa.insert(User.__table__).values(
                    email=email,
                    name=name,
                    organisation_id=organisation.id,
                    active=True,
                    session_token=f"token-{name}",
                    pseudonymised=False,
                    may_answer=may_answer,
                    created_at=utcnow(),
                )
            ).inserted_primary_key[0]
        )
        for email, name, organisation, may_answer in (
            ("editor@example.org", "Erik", publisher_org, False),
            ("anna@example.org", "Anna", member_org, True),
        )
    )
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


# --------------------------------------------------------------------------- b1a0c0de2201

BEFORE_WHOLE_PARAGRAPHS = "b1a0c0de2308"
PDM = "För material som helt saknar skydd, till exempel för att skyddstiden har löpt ut, kan myndigheten"


def _rows() -> tuple[list[dict], list[dict]]:
    """Every comment and comment revision as stored, by id."""
    with db.engine.connect() as connection:
        comments = connection.execute(sa.text("SELECT * FROM comment ORDER BY id")).mappings().all()
        revisions = connection.execute(sa.text("SELECT * FROM comment_revision ORDER BY id")).mappings().all()
    return [dict(row) for row in comments], [dict(row) for row in revisions]


def _by_quote(comments: list[dict], quote: str) -> dict:
    return next(row for row in comments if row["quote_exact"] == quote)


def _comment_as_stored(revision, **values):
    """A comment row written directly (as code of another time stored it), on *revision*'s block."""
    from app.review.models import Comment, CommentKind

    version = db.session.get(Version, revision.version_id)
    author = db.session.scalar(sa.select(User).where(User.email == "member@demo.example"))
    number = db.session.scalar(
        sa.select(sa.func.max(Comment.number)).where(Comment.document_id == version.document_id)
    )
    comment = Comment(
        document_id=version.document_id,
        number=number + 1,
        version_id=version.id,
        block_id=revision.block_id,
        author_id=author.id,
        organisation_id=author.organisation_id,
        kind=CommentKind.SUGGESTION,
        body="",
        body_html="",
        block_text=revision.text,
        **values,
    )
    db.session.add(comment)
    db.session.flush()
    return comment


def _quote(revision, exact: str) -> dict:
    from app.review.operations import locate_quote

    quote = locate_quote(revision.text, exact)
    return {
        "quote_exact": quote.exact,
        "quote_prefix": quote.prefix,
        "quote_suffix": quote.suffix,
        "quote_start": quote.start,
        "quote_end": quote.end,
    }


def _demo_revision(start: str):
    from app.documents.models import BlockRevision

    return db.session.scalar(
        sa.select(BlockRevision)
        .join(Version, Version.id == BlockRevision.version_id)
        .where(Version.number == 1, BlockRevision.text.startswith(start))
    )


def test_span_suggestions_become_whole_paragraphs_and_come_back_on_downgrade(migrating_app):
    from app.demo.seed import seed
    from app.review.models import CommentRevision
    from app.richtext import replace_span

    with migrating_app.app_context():
        upgrade()
        seed()
        # Made with whole paragraphs: a quoted suggestion that also changes words outside its quote.
        pdm = _demo_revision(PDM)
        outside = _comment_as_stored(
            pdm,
            suggestion=pdm.text.replace("För material", "För <strong>allt</strong> material").replace(
                "fritt.", "fritt att använda."
            ),
            **_quote(pdm, "upplysning om att materialet är fritt"),
        )
        outside_id = outside.id
        db.session.commit()
        db.session.remove()
        seeded_comments, seeded_revisions = _rows()

        downgrade(revision=BEFORE_WHOLE_PARAGRAPHS)
        comments, _revisions = _rows()
        by_id = {row["id"]: row for row in comments}
        # The demo's suggestion that changes only the words it quotes is a span again.
        cc0 = _by_quote(comments, "bör alltid vara fria att använda")
        assert cc0["suggestion"] == "bör märkas med CC0 även när själva datamängden har en annan licens"
        assert cc0["quote_start"] is not None
        # Those that change words outside their quote keep the whole paragraph, and lose no word:
        # without quote_start the older code applies them as whole paragraphs.
        for row in (
            _by_quote(comments, "De ska inte användas för myndigheters material."),
            by_id[outside_id],
        ):
            seeded = next(s for s in seeded_comments if s["id"] == row["id"])
            assert row["suggestion"] == seeded["suggestion"]
            assert (row["quote_exact"], row["quote_end"]) == (seeded["quote_exact"], seeded["quote_end"])
            assert row["quote_start"] is None and seeded["quote_start"] is not None
        # Without a quote nothing changes.
        unquoted = [row for row in seeded_comments if row["suggestion"] and row["quote_exact"] is None]
        assert unquoted and all(by_id[row["id"]] == row for row in unquoted)

        # Suggestions as the older code stored them: the new wording of the quoted span (across
        # the italics), an earlier wording of it, and one whose quote is in no text (left alone).
        pdm = _demo_revision(PDM)
        quote, pdm_text = _quote(pdm, "använda märkningen Public Domain Mark"), pdm.text
        old = _comment_as_stored(pdm, suggestion="märka det med <em>Public Domain Mark 1.0</em>", **quote)
        db.session.add(CommentRevision(comment=old, body="", suggestion="märka det med PDM", kind=old.kind))
        lost = _comment_as_stored(
            pdm,
            suggestion="något",
            **{**quote, "quote_exact": "står inte här", "quote_prefix": "", "quote_suffix": ""},
        )
        ids = old.id, lost.id
        db.session.commit()
        db.session.remove()
        before_comments, before_revisions = _rows()

        upgrade()
        comments, revisions = _rows()
        by_id = {row["id"]: row for row in comments}
        expected = (
            f"{PDM} i stället märka det med <em>Public Domain Mark 1.0</em>. Den är ingen licens utan en "
            "upplysning om att materialet är fritt."
        )
        assert by_id[ids[0]]["suggestion"] == expected
        # ... which is what the older code wrote into the draft when it applied the suggestion.
        assert expected == replace_span(
            pdm_text,
            quote["quote_start"],
            quote["quote_end"],
            "märka det med <em>Public Domain Mark 1.0</em>",
        )
        assert (
            revisions[-1]["suggestion"]
            == f"{PDM} i stället märka det med PDM. Den är ingen licens utan en upplysning om att materialet är fritt."
        )
        assert by_id[ids[1]]["suggestion"] == "något"
        # The demo's rows are what they were before the downgrade.
        seeded_by_id = {row["id"]: row for row in seeded_comments}
        assert all(by_id[i] == row for i, row in seeded_by_id.items())
        assert revisions[: len(seeded_revisions)] == seeded_revisions

        downgrade(revision=BEFORE_WHOLE_PARAGRAPHS)
        assert _rows() == (before_comments, before_revisions)
        upgrade()
        assert _rows() == (comments, revisions)


# --------------------------------------------------------------------------- b1a0c0de2501

BEFORE_SERIES = "b1a0c0de2202"
OLD_MEETINGS = sa.text(
    "SELECT id, document_id, title, starts_at, agenda, agenda_html, place, version_id, base_version_id, "
    "host_id, created_at FROM meeting ORDER BY id"
)


def _old_meetings() -> list[tuple]:
    return [tuple(row) for row in db.session.execute(OLD_MEETINGS)]


def _exports() -> list[tuple]:
    return [
        tuple(r) for r in db.session.execute(sa.text("SELECT id, meeting_id, sha256 FROM export ORDER BY id"))
    ]


def test_meetings_move_into_one_series_per_document_and_back(migrating_app):
    from app.demo.seed import seed
    from app.meetings import operations
    from app.meetings.models import Meeting

    with migrating_app.app_context():
        upgrade()
        seed()
        db.session.commit()
        host = db.session.scalar(sa.select(User).where(User.email == "host@demo.example"))
        with_pack = db.session.scalars(sa.select(Meeting).where(Meeting.version_id.is_not(None))).first()
        operations.export_meeting(with_pack, host)
        db.session.commit()
        assert db.session.scalar(
            sa.select(sa.func.count()).select_from(Meeting).where(Meeting.document_id.is_(None))
        )

        with_draft = [row for row in _old_meetings() if row[1] is not None]
        exports = _exports()
        assert len(with_draft) == 3 and exports

        db.session.rollback()
        downgrade(revision=BEFORE_SERIES)
        # The meetings without a draft cannot be held by the old schema; the others are unchanged.
        assert _old_meetings() == with_draft
        assert _exports() == exports
        # A second document, for the network only, with a meeting of the old kind.
        editor = db.session.scalar(sa.select(User).where(User.email == "editor@demo.example"))
        intern = Document(
            slug="intern", title="Intern vägledning", visibility=Visibility.NETWORK, created_by_id=editor.id
        )
        db.session.add(intern)
        db.session.flush()
        db.session.execute(
            sa.text(
                "INSERT INTO meeting (document_id, title, starts_at, agenda, agenda_html, place, created_at) "
                "VALUES (:d, 'Internt möte', :t, '', '', 'Rum 1', :t)"
            ),
            {"d": intern.id, "t": utcnow().replace(tzinfo=None, microsecond=0)},
        )
        db.session.commit()
        before = _old_meetings()

        db.session.rollback()
        upgrade()
        assert _old_meetings() == before  # nothing lost
        assert _exports() == exports
        rows = db.session.execute(
            sa.text(
                "SELECT m.document_id, s.id, s.title, s.visibility FROM meeting m "
                "JOIN meeting_series s ON s.id = m.series_id ORDER BY m.id"
            )
        ).all()
        by_document = {}
        for document_id, series_id, title, visibility in rows:
            by_document.setdefault(document_id, set()).add((series_id, title, visibility))
        assert len(by_document) == 2 and all(len(s) == 1 for s in by_document.values())
        assert by_document[intern.id] == {
            (by_document[intern.id].copy().pop()[0], "Intern vägledning", "network")
        }
        demo_series = by_document[with_pack.document_id].pop()
        assert demo_series[2] == "public" and demo_series[0] != by_document[intern.id].pop()[0]
        # The new fields start empty: a two-hour meeting, agenda published, never changed.
        assert db.session.execute(
            sa.text(
                "SELECT DISTINCT subject, duration_minutes, video_url, sequence, cancelled_at FROM meeting"
            )
        ).all() == [("", 120, "", 0, None)]


# --------------------------------------------------------------------------- b1a0c0de2502


def test_sign_up_tables_come_and_go_and_meetings_keep_everything(migrating_app):
    from app.demo.seed import seed
    from app.meetings.models import Meeting, Registration, RegistrationMail

    with migrating_app.app_context():
        upgrade()
        seed()
        db.session.commit()
        member = db.session.scalar(sa.select(User).where(User.email != "host@demo.example").limit(1))
        meeting = db.session.scalars(sa.select(Meeting).order_by(Meeting.id)).first()
        meeting.capacity = 12
        registration = Registration(meeting=meeting, user_id=member.id, confirmed_at=utcnow())
        guest = Registration(meeting=meeting, name="Gäst", email="gast@example.org", organisation="Org")
        db.session.add_all([registration, guest, RegistrationMail(registration=guest, kind="address")])
        db.session.commit()
        meetings = db.session.execute(
            sa.text("SELECT id, title, series_id, starts_at FROM meeting ORDER BY id")
        ).all()

        db.session.rollback()
        downgrade(revision="b1a0c0de2501")
        inspector = sa.inspect(db.engine)
        assert "meeting_registration" not in inspector.get_table_names()
        assert "meeting_registration_mail" not in inspector.get_table_names()
        assert "capacity" not in {c["name"] for c in inspector.get_columns("meeting")}
        assert (
            db.session.execute(
                sa.text("SELECT id, title, series_id, starts_at FROM meeting ORDER BY id")
            ).all()
            == meetings
        )

        db.session.rollback()
        upgrade()
        assert db.session.scalar(sa.text("SELECT count(*) FROM meeting_registration")) == 0
        assert db.session.execute(sa.text("SELECT DISTINCT capacity FROM meeting")).all() == [(None,)]
        # The unique constraints hold in the database itself: one sign-up per person and meeting.
        db.session.execute(
            sa.text(
                "INSERT INTO meeting_registration (meeting_id, user_id, name, organisation, waiting, created_at) "
                "VALUES (:m, :u, '', '', false, :t)"
            ),
            {"m": meetings[0][0], "u": member.id, "t": utcnow().replace(tzinfo=None)},
        )
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(
                sa.text(
                    "INSERT INTO meeting_registration (meeting_id, user_id, name, organisation, waiting, "
                    "created_at) VALUES (:m, :u, '', '', false, :t)"
                ),
                {"m": meetings[0][0], "u": member.id, "t": utcnow().replace(tzinfo=None)},
            )
        db.session.rollback()


# --------------------------------------------------------------------------- b1a0c0de2503


def test_topic_tables_come_and_go_and_series_keep_everything(migrating_app):
    from app.demo.seed import seed
    from app.meetings.models import MeetingSeries, Topic, TopicMail, TopicStatus, TopicSupport

    with migrating_app.app_context():
        upgrade()
        seed()
        db.session.commit()
        users = db.session.scalars(sa.select(User).order_by(User.id).limit(2)).all()
        series = db.session.scalars(sa.select(MeetingSeries).order_by(MeetingSeries.id)).first()
        topic = Topic(
            series=series, proposer_id=users[0].id, title="Ämne", status=TopicStatus.CLOSED, reason="R"
        )
        db.session.add(topic)
        db.session.flush()
        db.session.add_all(
            [TopicSupport(topic_id=topic.id, user_id=users[1].id), TopicMail(topic=topic, kind="closed")]
        )
        db.session.commit()
        before = db.session.execute(
            sa.text("SELECT id, title, visibility FROM meeting_series ORDER BY id")
        ).all()

        db.session.rollback()
        downgrade(revision="b1a0c0de2502")
        tables = sa.inspect(db.engine).get_table_names()
        assert not {"meeting_topic", "meeting_topic_support", "meeting_topic_mail"} & set(tables)
        assert (
            db.session.execute(sa.text("SELECT id, title, visibility FROM meeting_series ORDER BY id")).all()
            == before
        )

        db.session.rollback()
        upgrade()
        assert db.session.scalar(sa.text("SELECT count(*) FROM meeting_topic")) == 0
        db.session.execute(
            sa.text(
                "INSERT INTO meeting_topic (id, series_id, proposer_id, title, created_at) VALUES (1, :s, :u, 'T', :t)"
            ),
            {"s": before[0][0], "u": users[0].id, "t": utcnow().replace(tzinfo=None)},
        )
        # A new topic is open, with no reason; one support per member, also in the database itself.
        assert db.session.execute(sa.text("SELECT status, reason FROM meeting_topic")).all() == [("open", "")]
        insert = sa.text(
            "INSERT INTO meeting_topic_support (topic_id, user_id, created_at) VALUES (1, :u, :t)"
        )
        db.session.execute(insert, {"u": users[1].id, "t": utcnow().replace(tzinfo=None)})
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(insert, {"u": users[1].id, "t": utcnow().replace(tzinfo=None)})
        db.session.rollback()
