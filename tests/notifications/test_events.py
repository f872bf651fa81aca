"""Events write notifications to the outbox (never send), following the recipients' choices."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import User
from app.database import utcnow
from app.documents.models import Document
from app.extensions import db
from app.notifications import operations
from app.notifications.models import Follow, Frequency, Notification, NotificationKind, OutboxState
from app.review.models import Comment, CommentStatus
from app.review.operations import decide
from app.signals import comment_decided, comments_posted, version_published
from tests.conftest import add_comment
from tests.notifications.conftest import outbox


def _user(person) -> User:
    return db.session.get(User, person.id)


def _prefer(person, kind: NotificationKind, frequency: Frequency) -> None:
    operations.set_preferences(_user(person), {kind: frequency})
    db.session.commit()


def test_a_reply_queues_a_message_for_the_comment_author(app, doc, people):
    with app.app_context():
        parent = add_comment(doc, "p1", people["maja"])
        reply = add_comment(doc, "p1", people["mats"], parent=db.session.get(Comment, parent))
        [queued] = outbox()
        assert (queued.user_id, queued.kind, queued.comment_id) == (
            people["maja"].id,
            NotificationKind.REPLY,
            reply,
        )
        assert queued.delivery is Frequency.IMMEDIATE and queued.state is OutboxState.PENDING


def test_building_the_app_again_connects_each_receiver_once(app, doc, people):
    signals = (comments_posted, comment_decided, version_published)
    before = [len(s.receivers) for s in signals]
    create_app(dict(app.config))
    # Each is heard by notifications and by live (app/live/events.py); a version published also
    # by review (which finds the quotes again).
    assert [len(s.receivers) for s in signals] == before == [2, 2, 3]
    with app.app_context():
        parent = add_comment(doc, "p1", people["maja"])
        add_comment(doc, "p1", people["mats"], parent=db.session.get(Comment, parent))
        assert len(outbox()) == 1


def test_replying_to_oneself_queues_nothing(app, doc, people):
    with app.app_context():
        parent = add_comment(doc, "p1", people["maja"])
        add_comment(doc, "p1", people["maja"], parent=db.session.get(Comment, parent))
        assert outbox() == []


def test_commenting_follows_the_document_once(app, doc, people):
    with app.app_context():
        add_comment(doc, "p1", people["maja"])
        add_comment(doc, "p2", people["maja"])
        assert db.session.get(Follow, (people["maja"].id, doc.id)) is not None
        assert operations.is_following(_user(people["maja"]), db.session.get(Document, doc.id))
        assert not operations.is_following(_user(people["mats"]), db.session.get(Document, doc.id))


def _decide(comment_id, editor, status=CommentStatus.ACCEPTED, response=None):
    comment = db.session.get(Comment, comment_id)
    changed = decide(comment, status=status, response=response, editor=_user(editor))
    db.session.commit()
    return changed


def test_a_decision_queues_a_message_for_the_author(app, doc, people):
    with app.app_context():
        comment_id = add_comment(doc, "p1", people["maja"])
        _decide(comment_id, people["editor"])
        [queued] = outbox(kind=NotificationKind.DECISION)
        assert (queued.user_id, queued.comment_id) == (people["maja"].id, comment_id)


def test_changing_a_decision_before_it_is_sent_queues_no_second_message(app, doc, people):
    with app.app_context():
        comment_id = add_comment(doc, "p1", people["maja"])
        _decide(comment_id, people["editor"])
        _decide(comment_id, people["editor"], CommentStatus.NOTED)
        assert len(outbox(kind=NotificationKind.DECISION)) == 1


def test_reopening_and_unchanged_decisions_queue_nothing(app, doc, people):
    with app.app_context():
        comment_id = add_comment(doc, "p1", people["maja"])
        _decide(comment_id, people["editor"], CommentStatus.OPEN)
        assert outbox() == []
        _decide(comment_id, people["editor"])
        row = outbox()[0]
        row.state = OutboxState.SENT
        db.session.commit()
        assert _decide(comment_id, people["editor"]) is False
        assert len(outbox()) == 1


def test_an_editor_deciding_on_their_own_comment_queues_nothing(app, doc, people):
    with app.app_context():
        comment_id = add_comment(doc, "p1", people["editor"])
        _decide(comment_id, people["editor"], CommentStatus.NOTED)
        assert outbox() == []


def _publish(doc, editor, deadline=None):
    from app.drafting.operations import publish_draft, start_draft

    document = db.session.get(Document, doc.id)
    draft = start_draft(document, _user(editor))
    db.session.flush()
    version = publish_draft(draft, summary="Nytt utkast", deadline=deadline, editor=_user(editor))
    db.session.commit()
    return version


def test_a_new_version_queues_a_message_for_each_follower_but_the_publisher(app, doc, people):
    with app.app_context():
        for person in ("maja", "mats", "editor"):
            operations.follow_document(_user(people[person]), db.session.get(Document, doc.id))
        db.session.commit()
        version = _publish(doc, people["editor"])
        queued = outbox(kind=NotificationKind.NEW_VERSION)
        assert sorted(n.user_id for n in queued) == sorted([people["maja"].id, people["mats"].id])
        assert all(n.version_id == version.id for n in queued)


def test_unfollowing_stops_new_version_messages(app, doc, people):
    with app.app_context():
        document = db.session.get(Document, doc.id)
        operations.follow_document(_user(people["maja"]), document)
        operations.unfollow_document(_user(people["maja"]), document)
        db.session.commit()
        _publish(doc, people["editor"])
        assert outbox() == []


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        (Frequency.IMMEDIATE, [Frequency.IMMEDIATE]),
        (Frequency.DIGEST, [Frequency.DIGEST]),
        (Frequency.NONE, []),
    ],
)
def test_the_recipients_choice_decides_how_a_message_is_queued(app, doc, people, frequency, expected):
    with app.app_context():
        _prefer(people["maja"], NotificationKind.REPLY, frequency)
        parent = add_comment(doc, "p1", people["maja"])
        add_comment(doc, "p1", people["mats"], parent=db.session.get(Comment, parent))
        assert [n.delivery for n in outbox()] == expected


def test_defaults_are_at_once_except_comment_deadlines(app, people):
    with app.app_context():
        preferences = operations.preferences_of(_user(people["maja"]))
    assert preferences == {
        NotificationKind.REPLY: Frequency.IMMEDIATE,
        NotificationKind.DECISION: Frequency.IMMEDIATE,
        NotificationKind.NEW_VERSION: Frequency.IMMEDIATE,
        NotificationKind.DEADLINE: Frequency.DIGEST,
        # Addressed to whoever answers for the organisation, and asks them to act by a date.
        NotificationKind.RESPONSE_DUE: Frequency.IMMEDIATE,
        # Someone asks for the person by name (issue 27).
        NotificationKind.MENTION: Frequency.IMMEDIATE,
    }


def test_deadline_reminders_are_queued_once_per_version_and_follower(app, doc, people):
    with app.app_context():
        operations.follow_document(_user(people["maja"]), db.session.get(Document, doc.id))
        db.session.commit()
        version = _publish(doc, people["editor"], deadline=utcnow() + timedelta(days=5))
        # The publication's own messages are not what this test is about.
        db.session.execute(sa.delete(Notification))
        db.session.commit()
        # Five days away: too early.
        assert operations.enqueue_deadline_reminders() == 0
        later = utcnow() + timedelta(days=3, hours=12)
        assert operations.enqueue_deadline_reminders(later) == 1
        db.session.commit()
        assert operations.enqueue_deadline_reminders(later) == 0
        assert operations.enqueue_deadline_reminders(later + timedelta(hours=6)) == 0
        [reminder] = outbox(kind=NotificationKind.DEADLINE)
        assert (reminder.user_id, reminder.version_id, reminder.delivery) == (
            people["maja"].id,
            version.id,
            Frequency.DIGEST,
        )


def test_no_reminder_for_versions_without_deadline_or_past_it(app, doc, people):
    with app.app_context():
        operations.follow_document(_user(people["maja"]), db.session.get(Document, doc.id))
        db.session.commit()
        _publish(doc, people["editor"], deadline=None)
        assert operations.enqueue_deadline_reminders(utcnow() + timedelta(days=1)) == 0
        _publish(doc, people["editor"], deadline=utcnow() + timedelta(hours=1))
        assert operations.enqueue_deadline_reminders(utcnow() + timedelta(hours=2)) == 0
