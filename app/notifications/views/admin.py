"""Mail the system could not send: administrators see why, and send it again once it is fixed.

A message is given up after its last retry (app.notifications.delivery); until then it waits
between attempts. Both kinds are listed here with the last error. Sending again puts a
given-up message back in the queue with a fresh set of retries; cron sends it on its next run.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.accounts.auth import role_required
from app.accounts.models import Role, User
from app.documents.models import Document
from app.extensions import db
from app.notifications import operations
from app.notifications.blueprint import bp
from app.notifications.labels import KIND_LABELS
from app.notifications.models import Notification, OutboxState
from app.signals import owed_mail_listed
from app.web.forms import ConfirmForm

SHOWN = 200  # the newest of each list; the counts above them say how many there are


def _listed(condition) -> tuple[list[Notification], int]:
    rows = db.session.scalars(
        sa.select(Notification)
        .where(condition)
        .options(
            so.joinedload(Notification.user).load_only(User.name, User.email).lazyload("*"),
            so.joinedload(Notification.document).load_only(Document.title, Document.slug),
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(SHOWN)
    ).all()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(condition))
    return rows, total


FAILED = Notification.state == OutboxState.FAILED
RETRYING = sa.and_(Notification.state == OutboxState.PENDING, Notification.attempts > 0)


@bp.route("/admin/mail")
@role_required(Role.ADMIN)
def undelivered():
    """Messages given up on, and messages waiting to be tried again."""
    failed, failed_total = _listed(FAILED)
    retrying, retrying_total = _listed(RETRYING)
    # E-mails features above keep in tables of their own (meetings' sign-ups and topics).
    owed = sorted(
        (row for _receiver, rows in owed_mail_listed.send() for row in rows or ()),
        key=lambda row: row.created_at,
        reverse=True,
    )
    return render_template(
        "notifications/admin_mail.html",
        failed=failed,
        failed_total=failed_total,
        retrying=retrying,
        retrying_total=retrying_total,
        owed=owed,
        owed_states={
            "given_up": _("Given up"),
            "retrying": _("Waiting to be tried again"),
            "queued": _("Queued"),
        },
        kinds=KIND_LABELS,
        form=ConfirmForm(),
        shown=SHOWN,
    )


@bp.route("/admin/mail/<int:notification_id>/retry", methods=["POST"])
@role_required(Role.ADMIN)
def retry(notification_id: int):
    """Send one given-up message again."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    message = db.session.get(Notification, notification_id)
    if message is None:
        abort(404)
    if message.state is not OutboxState.FAILED:
        flash(_("That message is not given up: it is sent, or still being tried."), "info")
        return redirect(url_for("notifications.undelivered"))
    operations.retry_failed([message], current_user)
    db.session.commit()
    flash(_("The message will be sent again on the next run."), "success")
    return redirect(url_for("notifications.undelivered"))


@bp.route("/admin/mail/retry", methods=["POST"])
@role_required(Role.ADMIN)
def retry_all():
    """Send every given-up message again (after fixing the mail settings, say)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    messages = db.session.scalars(sa.select(Notification).where(FAILED)).all()
    operations.retry_failed(messages, current_user)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d message will be sent again on the next run.",
            "%(num)d messages will be sent again on the next run.",
            len(messages),
        ),
        "success",
    )
    return redirect(url_for("notifications.undelivered"))
