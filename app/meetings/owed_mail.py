"""Sending the e-mails meetings owe people (sign-ups, topics): one row per e-mail, sent once.

Each kind of row (``RegistrationMail``, ``TopicMail``) has ``sent_at`` and ``attempts``; the mail
run sends the rows due in order, committing after each, and gives a row up after
:data:`MAX_ATTEMPTS` failures. A row whose message is no longer true (``build`` returns None) is
marked sent without an e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa

from app import mail
from app.database import utcnow
from app.extensions import db
from app.notifications.delivery import link_context

MAX_ATTEMPTS = 5

log = logging.getLogger("remiss.meetings.mail")


def send_owed(model, build: Callable, limit: int = 200) -> int:
    """Send the *model* rows due, each built by *build*; returns how many e-mails went."""
    with link_context():
        sent = 0
        rows = db.session.scalars(
            sa.select(model)
            .where(model.sent_at.is_(None), model.attempts < MAX_ATTEMPTS)
            .order_by(model.id)
            .limit(limit)
        ).all()
        for row in rows:
            row.attempts += 1
            try:
                message = build(row)
                if message is not None:
                    mail.deliver(message)
                    sent += 1
            except Exception:
                log.exception("%s %s not sent (attempt %d)", model.__tablename__, row.id, row.attempts)
                db.session.commit()
                continue
            row.sent_at = utcnow()
            db.session.commit()
        return sent
