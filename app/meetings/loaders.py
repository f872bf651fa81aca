"""Loading a meeting or a series for a page: 404 when missing, and the reader's permission
(a network series asks a visitor to sign in; a feed answers 404)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.documents.loaders import get_document
from app.extensions import db, login_manager
from app.meetings.models import Meeting, MeetingSeries


def readable(series: MeetingSeries | None, *, feed: bool = False) -> MeetingSeries:
    """*series* if the current user may read it: 404 when missing; a network series asks a visitor
    to sign in (a feed answers 404: calendar programs cannot sign in, and nothing is revealed)."""
    if series is None:
        abort(404)
    if not series.can_read(current_user):
        if feed or current_user.is_authenticated:
            abort(404)
        abort(login_manager.unauthorized())
    return series


def get_meeting(meeting_id: int, *, feed: bool = False) -> Meeting:
    """The meeting with *meeting_id* if the current user may read its series and its document."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    readable(meeting.series, feed=feed)
    if meeting.document is not None:
        if feed and not meeting.document.can_read(current_user):
            abort(404)
        get_document(meeting.document.slug)
    return meeting


def get_series(series_id: int, *, feed: bool = False) -> MeetingSeries:
    return readable(db.session.get(MeetingSeries, series_id), feed=feed)
