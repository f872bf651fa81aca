"""Translatable labels for notification kinds and frequencies."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.notifications.models import Frequency, NotificationKind

KIND_LABELS = {
    NotificationKind.REPLY: _l("Replies to my comments"),
    NotificationKind.DECISION: _l("Decisions on my comments"),
    NotificationKind.NEW_VERSION: _l("New versions of documents I follow"),
    NotificationKind.DEADLINE: _l("Comment deadlines two days away, for documents I follow"),
    NotificationKind.RESPONSE_DUE: _l(
        "My organisation's formal response (remissvar) not yet submitted, "
        "a week and two days before the deadline"
    ),
    NotificationKind.PASSWORD_RESET: _l("Link to choose a new password"),
    NotificationKind.MENTION: _l("Someone mentions me in a comment or a reply"),
}

FREQUENCY_LABELS = {
    Frequency.IMMEDIATE: _l("At once"),
    Frequency.DIGEST: _l("In a daily summary"),
    Frequency.NONE: _l("Never"),
}
