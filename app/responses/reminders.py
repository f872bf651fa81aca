"""Reminders to organisations without a submitted response, a week and two days before the deadline.

They go to the members marked as answering for the organisation (or, where nobody is marked
yet, to its members who follow the document) through the notifications outbox as a kind of
their own (NotificationKind.RESPONSE_DUE): the recipient's setting for response reminders
decides (at once, in the digest, or never), not the one for comment deadlines.
Each is queued once per person, version and stage: the outbox's unique (user, dedupe key).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from app.accounts.models import User
from app.database import utcnow
from app.documents.models import Version, VersionState
from app.extensions import db
from app.i18n import mail_datetime
from app.notifications.models import Follow, NotificationKind
from app.notifications.operations import _frequencies, already_reminded, queue_reminders
from app.responses.models import Response, ResponseState
from app.responses.outcome import consulted_organisations

STAGES = {"week": timedelta(days=7), "days": timedelta(days=2)}
PREFIX = "response-"


def reminder_key(version: Version, stage: str) -> str:
    """The outbox dedupe key of one reminder stage of *version*."""
    return f"{PREFIX}{stage}:{version.id}"


def _stage(version: Version, now: datetime) -> str | None:
    """The stage due now: "days" within two days of the deadline, "week" within seven, else None."""
    left = version.deadline - now
    if left <= timedelta(0):
        return None
    if left <= STAGES["days"]:
        return "days"
    if left <= STAGES["week"]:
        return "week"
    return None


def recipients(version: Version) -> list[int]:
    """Who is reminded: in each consulted organisation without a submitted response, the members
    who may submit it; where nobody has been marked yet, the members who follow the document."""
    answered = set(
        db.session.scalars(
            sa.select(Response.organisation_id).where(
                Response.version_id == version.id, Response.state == ResponseState.SUBMITTED
            )
        )
    )
    waiting = [
        org_id for org_id, _name in consulted_organisations(version.document) if org_id not in answered
    ]
    if not waiting:
        return []
    follows = sa.exists().where(Follow.user_id == User.id, Follow.document_id == version.document_id)
    users = db.session.execute(
        sa.select(User.id, User.organisation_id, User.may_answer, follows.label("follows")).where(
            User.organisation_id.in_(waiting), User.active.is_(True), User.pseudonymised.is_(False)
        )
    ).all()
    deciders: dict[int, list[int]] = {}
    followers: dict[int, list[int]] = {}
    for user_id, org_id, may_answer, following in users:
        if may_answer:
            deciders.setdefault(org_id, []).append(user_id)
        elif following:
            followers.setdefault(org_id, []).append(user_id)
    return sorted(u for org_id in waiting for u in deciders.get(org_id) or followers.get(org_id, []))


def enqueue_response_reminders(now: datetime | None = None) -> int:
    """Queue the reminders due now for every open version with a deadline; idempotent."""
    now = now or utcnow()
    versions = db.session.scalars(
        sa.select(Version).where(
            Version.state == VersionState.OPEN,
            Version.deadline.is_not(None),
            Version.deadline > now,
            Version.deadline <= now + STAGES["week"],
        )
    ).all()
    queued = 0
    for version in versions:
        stage = _stage(version, now)
        if stage is None:
            continue
        key = reminder_key(version, stage)
        reminded = already_reminded(key)
        kind = NotificationKind.RESPONSE_DUE
        frequencies = _frequencies([u for u in recipients(version) if u not in reminded], kind)
        queued += queue_reminders(kind, version, key, frequencies.items(), now)
    db.session.flush()
    return queued


def describe(notification, item_class, now: datetime | None = None):
    """The words of a response reminder, or None once it is no longer true (submitted, closed, passed)."""
    now = now or utcnow()
    version = notification.version
    if version is None or version.state is not VersionState.OPEN or version.deadline is None:
        return None
    if version.deadline <= now:
        return None
    user = notification.user
    submitted = db.session.scalar(
        sa.select(Response.id).where(
            Response.version_id == version.id,
            Response.organisation_id == user.organisation_id,
            Response.state == ResponseState.SUBMITTED,
        )
    )
    if submitted is not None:
        return None
    values = {
        "title": notification.document.title,
        "version": version.label,
        "org": user.organisation.name,
        "date": mail_datetime(version.deadline),
    }
    return item_class(
        subject=_("%(org)s has not yet answered on “%(title)s”", **values),
        text=_(
            "The formal response of %(org)s to “%(title)s” (%(version)s) is due on %(date)s. "
            "Members of the organisation draft it together; a member who may answer for it submits it.",
            **values,
        ),
        link=url_for(
            "responses.edit",
            slug=notification.document.slug,
            number=version.number,
            organisation_id=user.organisation_id,
            _external=True,
        ),
    )
