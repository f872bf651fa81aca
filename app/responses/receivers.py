"""How responses plug into the mail outbox from above (see app.signals): its reminders.

Notifications sit below responses and never import them: each mail run asks for the reminders
that have come due, and the words of a response reminder come from here. Connected on import,
once, at start-up.
"""

from __future__ import annotations

from datetime import datetime

from app.notifications.models import Notification, NotificationKind
from app.responses.reminders import describe, enqueue_response_reminders
from app.signals import mail_run_started, notification_wording


@mail_run_started.connect
def _queue_response_reminders(_sender, now: datetime) -> None:
    enqueue_response_reminders(now)


@notification_wording.connect_via(NotificationKind.RESPONSE_DUE)
def _word_response_reminder(_kind, notification: Notification, now: datetime, item: type):
    return describe(notification, item, now)
