"""How meetings plug into the mail run from above (see app.signals): sign-up e-mails and
the news to a topic's proposer.

Each run of `flask send-mail` or `flask send-digests` queues the day-before reminders that have
come due and sends the registration e-mails waiting (app.meetings.signup). The administrators'
mail page lists the e-mails not yet sent (:func:`_owed_mail`). Connected on import, once, at
start-up.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from app.extensions import db
from app.meetings import signup, topics
from app.meetings.models import Registration, RegistrationMail, Topic, TopicMail
from app.meetings.owed_mail import MAX_ATTEMPTS
from app.signals import OwedMail, mail_run_started, owed_mail_listed

SHOWN = 200  # the newest of each kind


@mail_run_started.connect
def _send_registration_mail(_sender, now: datetime) -> None:
    signup.queue_reminders(now)
    db.session.commit()
    signup.send_due()
    topics.send_due()


def _state(row) -> str:
    if row.attempts >= MAX_ATTEMPTS:
        return "given_up"
    return "retrying" if row.attempts else "queued"


@owed_mail_listed.connect
def _owed_mail(_sender) -> list[OwedMail]:
    """The meetings' e-mails not yet sent (sign-ups, topics), in two queries."""
    kinds = {
        signup.ADDRESS: _("Sign-up: confirm the address"),
        signup.CONFIRMED: _("Sign-up: confirmed"),
        signup.MOVED_UP: _("Sign-up: moved up from the waiting list"),
        signup.REMINDER: _("Sign-up: reminder"),
        signup.CANCELLED: _("Sign-up: the meeting is cancelled"),
        signup.REINSTATED: _("Sign-up: the meeting is on again"),
        topics.TAKEN: _("Topic: taken into a meeting"),
        topics.CLOSED: _("Topic: closed"),
    }
    registrations = db.session.scalars(
        sa.select(RegistrationMail)
        .where(RegistrationMail.sent_at.is_(None))
        .options(
            so.joinedload(RegistrationMail.registration).options(
                so.joinedload(Registration.user), so.joinedload(Registration.meeting)
            )
        )
        .order_by(RegistrationMail.created_at.desc(), RegistrationMail.id.desc())
        .limit(SHOWN)
    ).all()
    topic_rows = db.session.scalars(
        sa.select(TopicMail)
        .where(TopicMail.sent_at.is_(None))
        .options(so.joinedload(TopicMail.topic).joinedload(Topic.proposer))
        .order_by(TopicMail.created_at.desc(), TopicMail.id.desc())
        .limit(SHOWN)
    ).all()
    owed = []
    for row in registrations:
        registration = row.registration
        person = registration.user
        owed.append(
            OwedMail(
                created_at=row.created_at,
                to_name=person.name if person else registration.name,
                to_email=person.email if person else (registration.email or ""),
                about=kinds.get(row.kind, row.kind),
                detail=registration.meeting.title,
                attempts=row.attempts,
                state=_state(row),
            )
        )
    for row in topic_rows:
        proposer = row.topic.proposer
        owed.append(
            OwedMail(
                created_at=row.created_at,
                to_name=proposer.name,
                to_email=proposer.email,
                about=kinds.get(row.kind, row.kind),
                detail=row.topic.title,
                attempts=row.attempts,
                state=_state(row),
            )
        )
    return owed
