"""How meetings plug into the mail run from above (see app.signals): sign-up e-mails and
the news to a topic's proposer.

Each run of `flask send-mail` or `flask send-digests` queues the day-before reminders that have
come due and sends the registration e-mails waiting (app.meetings.signup). Connected on import,
once, at start-up.
"""

from __future__ import annotations

from datetime import datetime

from app.extensions import db
from app.meetings import signup, topics
from app.signals import mail_run_started


@mail_run_started.connect
def _send_registration_mail(_sender, now: datetime) -> None:
    signup.queue_reminders(now)
    db.session.commit()
    signup.send_due()
    topics.send_due()
