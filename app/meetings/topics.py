"""Topics from the network (issue 25, point 3): members propose topics or challenges for a series,
others support them, hosts take them into a meeting of the series or close them with a reason.

The proposer is told by e-mail: a TopicMail row written in the same transaction as the decision
and sent by the mail run (`flask send-mail`, through app.meetings.receivers), once per topic and
kind. Nothing is deleted: a proposer withdraws, a host closes.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from app import mail
from app.database import utcnow
from app.extensions import db
from app.i18n import mail_datetime
from app.meetings.models import Meeting, Topic, TopicMail, TopicStatus, TopicSupport
from app.meetings.owed_mail import send_owed

TITLE_MAX, DESCRIPTION_MAX, REASON_MAX = 200, 5000, 2000
TAKEN, CLOSED = "taken", "closed"


class TopicRefused(Exception):
    """An action on a topic that cannot be done; ``reason`` says why in the user's language."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _open(topic: Topic) -> None:
    """Refuse unless *topic* is open, read under a row lock (PostgreSQL) so two hosts deciding at
    once, or a host and a withdrawing proposer, do not both win."""
    if topic.id is not None:
        db.session.refresh(topic, ["status"], with_for_update=True)
    if topic.status is not TopicStatus.OPEN:
        raise TopicRefused(_("The topic is no longer open."))


def propose(series, user, title: str, description: str, now: datetime | None = None) -> Topic:
    topic = Topic(
        series=series,
        proposer_id=user.id,
        title=title.strip(),
        description=description.strip(),
        created_at=now or utcnow(),
    )
    db.session.add(topic)
    db.session.flush()
    return topic


def supports(topic: Topic, user) -> bool:
    if not user.is_authenticated:
        return False
    query = sa.select(TopicSupport.id).where(
        TopicSupport.topic_id == topic.id, TopicSupport.user_id == user.id
    )
    return db.session.scalar(query) is not None


def support(topic: Topic, user) -> bool:
    """Support *topic*; False if already supported (also under a race: the unique constraint)."""
    if topic.proposer_id == user.id:
        raise TopicRefused(_("You cannot support your own topic."))
    _open(topic)
    if supports(topic, user):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(TopicSupport(topic_id=topic.id, user_id=user.id))
            db.session.flush()
    except sa.exc.IntegrityError:
        return False
    return True


def unsupport(topic: Topic, user) -> bool:
    """Take back one's support; False if there was none."""
    result = db.session.execute(
        sa.delete(TopicSupport).where(TopicSupport.topic_id == topic.id, TopicSupport.user_id == user.id)
    )
    return bool(result.rowcount)


def withdraw(topic: Topic, user, now: datetime | None = None) -> None:
    if topic.proposer_id != user.id:
        raise TopicRefused(_("Only the proposer may withdraw a topic."))
    _open(topic)
    topic.status = TopicStatus.WITHDRAWN
    topic.decided_by_id, topic.decided_at = user.id, now or utcnow()


def _owe(topic: Topic, kind: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(TopicMail(topic=topic, kind=kind))
            db.session.flush()
    except sa.exc.IntegrityError:
        pass  # owed already: told once


def take_refusal_for_meeting(meeting: Meeting, now: datetime | None = None) -> str | None:
    """Why no topic may be taken into *meeting*, or None."""
    if meeting.is_cancelled:
        return _("The meeting has been cancelled: choose another.")
    if meeting.starts_at <= (now or utcnow()):
        return _("The meeting has already taken place: choose an upcoming one.")
    return None


def take_refusal(topic: Topic, meeting: Meeting | None, now: datetime | None = None) -> str | None:
    """Why *topic* may not be taken into *meeting*, or None."""
    if topic.status is not TopicStatus.OPEN:
        return _("The topic is no longer open.")
    if meeting is None or meeting.series_id != topic.series_id:
        return _("Choose a meeting of this series.")
    return take_refusal_for_meeting(meeting, now)


def take_into(topic: Topic, meeting: Meeting | None, host, now: datetime | None = None) -> None:
    now = now or utcnow()
    _open(topic)
    reason = take_refusal(topic, meeting, now)
    if reason:
        raise TopicRefused(reason)
    topic.status, topic.meeting = TopicStatus.TAKEN, meeting
    topic.decided_by_id, topic.decided_at = host.id, now
    _owe(topic, TAKEN)


def close(topic: Topic, reason: str, host, now: datetime | None = None) -> None:
    _open(topic)
    reason = reason.strip()
    if not reason:
        raise TopicRefused(_("Give the reason for closing the topic."))
    if len(reason) > REASON_MAX:
        raise TopicRefused(_("The reason may be at most %(n)d characters.", n=REASON_MAX))
    topic.status, topic.reason = TopicStatus.CLOSED, reason
    topic.decided_by_id, topic.decided_at = host.id, now or utcnow()
    _owe(topic, CLOSED)


def build_message(row: TopicMail):
    """The e-mail for *row* in the proposer's language; None once no longer true."""
    topic = row.topic
    wanted = {TAKEN: TopicStatus.TAKEN, CLOSED: TopicStatus.CLOSED}[row.kind]
    user = topic.proposer
    if topic.status is not wanted or not user.email or not user.is_active:
        return None
    language = user.language if user.language in ("sv", "en") else "sv"
    with force_locale(language):
        context = {
            "kind": row.kind,
            "topic": topic,
            "name": user.name,
            "series_url": url_for("meetings.series", series_id=topic.series_id, _external=True),
            "meeting_url": url_for("meetings.meeting", meeting_id=topic.meeting_id, _external=True)
            if topic.meeting_id
            else "",
            "when": mail_datetime(topic.meeting.starts_at) if topic.meeting else "",
        }
        body = render_template("mail/meeting_topic.txt", **context)
        if row.kind == TAKEN:
            subject = _("Your topic will be discussed: %(title)s", title=topic.title)
        else:
            subject = _("Your topic has been closed: %(title)s", title=topic.title)
        return mail.build(user.email, subject, body, {"Auto-Submitted": "auto-generated"})


def send_due(limit: int = 200) -> int:
    """Send the topic e-mails that are due; returns how many went. Commits after each."""
    return send_owed(TopicMail, build_message, limit)
