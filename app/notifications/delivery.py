"""Sending the outbox: single messages (`flask send-mail`) and daily digests (`flask send-digests`).

Runs outside any request (cron). Each run claims its rows with a lease before sending, so two
overlapping runs never send the same message; a failed send is logged and retried later with
a growing delay. Texts are rendered when sent, in the recipient's language, and name only the
document, the version, the comment number and a link: never another member's address.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urljoin

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, has_request_context, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from app import mail
from app.database import utcnow
from app.documents.models import VersionState
from app.extensions import db
from app.i18n import mail_datetime
from app.notifications.labels import KIND_LABELS
from app.notifications.models import Frequency, Notification, NotificationKind, OutboxState
from app.notifications.operations import enqueue_deadline_reminders, preferences_of
from app.notifications.password_reset import reset_message, still_worth_sending
from app.notifications.tokens import DIGEST, unsubscribe_token
from app.review.labels import STATUS_LABELS
from app.review.loaders import comment_url
from app.review.models import CommentStatus
from app.signals import mail_run_started, notification_wording

log = logging.getLogger("remiss.notifications")

# How long a claimed row is left alone; a run that dies mid-way is retried after it.
LEASE = timedelta(minutes=15)
# Waits after the 1st, 2nd, … failed attempt; after the last one the message is given up.
RETRY_DELAYS = tuple(timedelta(minutes=m) for m in (1, 5, 15, 60, 180, 360, 720, 1440))
BATCH = 500
CLAIM_SIZE = 20


@dataclass
class Outcome:
    """What one run did."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class Item:
    """One notification as words and a link."""

    subject: str
    text: str
    link: str


def retry_delay(attempts: int) -> timedelta | None:
    """The wait before the next attempt after *attempts* failed ones; None once we give up."""
    if attempts < 1 or attempts > len(RETRY_DELAYS):
        return None
    return RETRY_DELAYS[attempts - 1]


def _due(delivery: Frequency, now: datetime) -> list:
    return [
        Notification.state == OutboxState.PENDING,
        Notification.delivery == delivery,
        Notification.next_attempt_at <= now,
    ]


def _claim(conditions: list, now: datetime) -> list[Notification]:
    """Mark the rows matching *conditions* as ours, commit, and load them."""
    lease = secrets.token_hex(16)
    db.session.execute(
        sa.update(Notification)
        .where(*conditions)
        .values(lease=lease, next_attempt_at=max(now, utcnow()) + LEASE, attempts=Notification.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            sa.select(Notification)
            .where(Notification.lease == lease)
            .options(
                so.joinedload(Notification.user),
                so.joinedload(Notification.document),
                so.joinedload(Notification.version),
                so.joinedload(Notification.comment),
            )
            .order_by(Notification.created_at, Notification.id)
        )
    )


@contextmanager
def link_context() -> Iterator[None]:
    """A request context for absolute links (BASE_URL), unless we are inside a request already."""
    if has_request_context():
        yield
        return
    base = current_app.config.get("BASE_URL") or "http://localhost:5000"
    with current_app.test_request_context("/", base_url=base):
        yield


def _absolute(path: str) -> str:
    return urljoin(request.host_url, path)


def _wanted(notification: Notification) -> bool:
    """Whether the recipient still wants this and may still read it."""
    user = notification.user
    if not user.active or user.pseudonymised or not user.email:
        return False
    if preferences_of(user)[notification.kind] is Frequency.NONE:
        return False
    return notification.document.can_read(user)


def _comment_link(comment) -> str:
    return _absolute(comment_url(comment))


def _version_link(version) -> str:
    return url_for("documents.version", slug=version.document.slug, number=version.number, _external=True)


def describe(notification: Notification, now: datetime | None = None) -> Item | None:
    """The words and link for *notification* in the current language; None if no longer true."""
    now = now or utcnow()
    document = notification.document
    comment = notification.comment
    version = notification.version
    kind = notification.kind
    if kind is NotificationKind.REPLY:
        parent = comment.parent if comment is not None else None
        if parent is None or comment.is_hidden or comment.is_withdrawn:
            return None
        values = {"number": parent.number, "title": document.title, "version": parent.version.label}
        return Item(
            subject=_("New reply to your comment #%(number)d", **values),
            text=_("Someone replied to your comment #%(number)d on “%(title)s” (%(version)s).", **values),
            link=_comment_link(parent),
        )
    if kind is NotificationKind.MENTION:
        if comment is None or comment.is_hidden or comment.is_withdrawn:
            return None
        values = {"number": comment.number, "title": document.title, "version": comment.version.label}
        return Item(
            subject=_("You were mentioned in comment #%(number)d", **values),
            text=_("Someone mentioned you in comment #%(number)d on “%(title)s” (%(version)s).", **values),
            link=_comment_link(comment.parent or comment),
        )
    if kind is NotificationKind.DECISION:
        if comment is None or comment.status in (CommentStatus.OPEN, CommentStatus.WITHDRAWN):
            return None
        values = {
            "number": comment.number,
            "title": document.title,
            "version": comment.version.label,
            "status": str(STATUS_LABELS[comment.status]).lower(),
        }
        return Item(
            subject=_("Decision on your comment #%(number)d", **values),
            text=_(
                "Editors decided on your comment #%(number)d on “%(title)s” (%(version)s): %(status)s.",
                **values,
            ),
            link=_comment_link(comment),
        )
    if kind not in (NotificationKind.NEW_VERSION, NotificationKind.DEADLINE):
        return _worded_above(notification, now)
    if version is None or version.state is VersionState.DRAFT:
        return None
    if kind is NotificationKind.NEW_VERSION:
        text = _(
            "A new version of “%(title)s” has been published: %(version)s.",
            title=document.title,
            version=version.label,
        )
        if version.deadline is not None and version.state is VersionState.OPEN:
            deadline = mail_datetime(version.deadline)
            text += " " + _("Comments are welcome until %(date)s.", date=deadline)
        return Item(
            subject=_("New version of “%(title)s”", title=document.title),
            text=text,
            link=_version_link(version),
        )
    # A deadline reminder is pointless once the version closed or its deadline moved away or passed.
    if version.state is not VersionState.OPEN or version.deadline is None or version.deadline <= now:
        return None
    return Item(
        subject=_("Comments on “%(title)s” close soon", title=document.title),
        text=_(
            "Comments on “%(title)s” (%(version)s) close on %(date)s.",
            title=document.title,
            version=version.label,
            date=mail_datetime(version.deadline),
        ),
        link=_version_link(version),
    )


def _worded_above(notification: Notification, now: datetime) -> Item | None:
    """A kind a feature above added (a response reminder): that feature words it, or nobody does."""
    for _receiver, item in notification_wording.send(
        notification.kind, notification=notification, now=now, item=Item
    ):
        return item
    return None


def _queue_reminders(now: datetime) -> None:
    """Queue the reminders that have come due: comment deadlines here, the others' through the signal."""
    enqueue_deadline_reminders(now)
    mail_run_started.send(now=now)


def _message(user, subject: str, template: str, scope: str, **context):
    """A message to *user* with a one-click unsubscribe link for *scope* (RFC 8058)."""
    unsubscribe_url = url_for(
        "notifications.unsubscribe", token=unsubscribe_token(user.id, scope), _external=True
    )
    body = render_template(
        template,
        user=user,
        unsubscribe_url=unsubscribe_url,
        profile_url=url_for("accounts.profile", _anchor="notifications-heading", _external=True),
        **context,
    )
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # Tells auto-responders not to answer (RFC 3834).
        "Auto-Submitted": "auto-generated",
    }
    return mail.build(user.email, subject, body, headers)


def _language(user) -> str:
    languages = current_app.config["LANGUAGES"]
    return user.language if user.language in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _record_failure(rows: list[Notification], error: Exception, now: datetime) -> None:
    for row in rows:
        delay = retry_delay(row.attempts)
        row.last_error = f"{type(error).__name__}: {error}"[:200]
        if delay is None:
            row.state = OutboxState.FAILED
            log.error("notification %s given up after %d attempts", row.id, row.attempts)
        else:
            row.next_attempt_at = now + delay


def _send(rows: list[Notification], build, outcome: Outcome, now: datetime) -> None:
    """Build and send one message for *rows*; mark them sent, or failed for a later retry."""
    try:
        mail.deliver(build())
    except Exception as error:
        log.warning(
            "notification %s not sent (attempt %d): %s",
            ",".join(str(r.id) for r in rows),
            rows[0].attempts,
            type(error).__name__,
        )
        _record_failure(rows, error, now)
        outcome.failed += len(rows)
        return
    for row in rows:
        row.state = OutboxState.SENT
        row.sent_at = utcnow()
    outcome.sent += len(rows)


def _skip(row: Notification, outcome: Outcome) -> None:
    row.state = OutboxState.SKIPPED
    outcome.skipped += 1


def _still_to_send(
    rows: list[Notification], outcome: Outcome, now: datetime
) -> list[tuple[Notification, Item]]:
    """The rows to send with their words; the rest are marked skipped (or failed, to retry)."""
    kept = []
    for row in rows:
        try:
            item = describe(row, now) if _wanted(row) else None
        except Exception as error:
            # One broken row must not stop the others: it waits for a retry like a failed send.
            log.exception("notification %s could not be written", row.id)
            _record_failure([row], error, now)
            outcome.failed += 1
            continue
        if item is None:
            _skip(row, outcome)
        else:
            kept.append((row, item))
    return kept


def _send_single(notification: Notification, outcome: Outcome, now: datetime) -> None:
    if notification.kind is NotificationKind.PASSWORD_RESET:
        _send_reset(notification, outcome, now)
        return
    with force_locale(_language(notification.user)):
        for row, item in _still_to_send([notification], outcome, now):
            build = partial(
                _message,
                row.user,
                item.subject,
                "mail/notification.txt",
                row.kind.value,
                item=item,
                kind_label=KIND_LABELS[row.kind],
            )
            _send([row], build, outcome, now)


def _send_reset(notification: Notification, outcome: Outcome, now: datetime) -> None:
    """A password reset link: asked for by the person, so no preferences and no unsubscribe link."""
    if not still_worth_sending(notification, now):
        _skip(notification, outcome)
        return
    with force_locale(_language(notification.user)):
        _send([notification], partial(reset_message, notification), outcome, now)


def send_immediate(now: datetime | None = None, limit: int = BATCH) -> Outcome:
    """Send due messages that their recipients want at once, at most *limit*; commit after each."""
    now = now or utcnow()
    outcome = Outcome()
    _queue_reminders(now)
    db.session.commit()
    with link_context():
        handled = 0
        # Small claims: each is sent well within its lease even when the SMTP server is slow.
        while handled < limit:
            due = (
                sa.select(Notification.id)
                .where(*_due(Frequency.IMMEDIATE, now))
                .order_by(Notification.id)
                .limit(min(CLAIM_SIZE, limit - handled))
            )
            rows = _claim([Notification.id.in_(due.scalar_subquery()), *_due(Frequency.IMMEDIATE, now)], now)
            if not rows:
                break
            for row in rows:
                _send_single(row, outcome, now)
                row.lease = None
                db.session.commit()
            handled += len(rows)
    return outcome


def send_digests(now: datetime | None = None) -> Outcome:
    """Send each user one message with all their due digest items; commit after each user."""
    now = now or utcnow()
    outcome = Outcome()
    _queue_reminders(now)
    db.session.commit()
    user_ids = db.session.scalars(
        sa.select(Notification.user_id).where(*_due(Frequency.DIGEST, now)).distinct()
    ).all()
    with link_context():
        for user_id in user_ids:
            rows = _claim([Notification.user_id == user_id, *_due(Frequency.DIGEST, now)], now)
            if not rows:
                continue  # another run took them
            user = rows[0].user
            with force_locale(_language(user)):
                kept = _still_to_send(rows, outcome, now)
                if kept:
                    items = [item for _row, item in kept]
                    subject = ngettext("Remiss: %(num)d update", "Remiss: %(num)d updates", len(items))
                    build = partial(_message, user, subject, "mail/digest.txt", DIGEST, items=items)
                    _send([row for row, _item in kept], build, outcome, now)
            for row in rows:
                row.lease = None
            db.session.commit()
    return outcome
