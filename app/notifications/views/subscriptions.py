"""Following documents, and unsubscribing from a message (the settings are on app.pages.profile)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.models import User
from app.documents.loaders import get_document
from app.extensions import csrf, db
from app.notifications import operations
from app.notifications.blueprint import bp
from app.notifications.labels import KIND_LABELS
from app.notifications.models import Frequency, NotificationKind
from app.notifications.tokens import DIGEST, read_unsubscribe_token
from app.web import log_security
from app.web.forms import ConfirmForm
from app.web.redirects import safe_next


@bp.app_template_global()
def follows_document(document) -> bool:
    """Template helper: whether the signed-in user follows *document*."""
    return operations.is_following(current_user, document)


def _back_to(document) -> str:
    return safe_next(request.form.get("next")) or url_for("documents.document", slug=document.slug)


@bp.route("/d/<slug>/follow", methods=["POST"])
@login_required
def follow(slug: str):
    """Follow a document: e-mail about its new versions and deadlines."""
    document = get_document(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operations.follow_document(current_user, document)
    db.session.commit()
    flash(_("You now follow “%(title)s”.", title=document.title), "success")
    return redirect(_back_to(document))


@bp.route("/d/<slug>/unfollow", methods=["POST"])
@login_required
def unfollow(slug: str):
    """Stop following a document."""
    document = get_document(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operations.unfollow_document(current_user, document)
    db.session.commit()
    flash(_("You no longer follow “%(title)s”.", title=document.title), "success")
    return redirect(_back_to(document))


def _scope_labels(scope: str, user: User) -> list:
    """What an unsubscribe link stops, as labels for the page."""
    if scope == DIGEST:
        kinds = [k for k, f in operations.preferences_of(user).items() if f is Frequency.DIGEST]
    else:
        kinds = [NotificationKind(scope)]
    return [KIND_LABELS[kind] for kind in kinds]


# The signed token in the address is the authority here: mail programs send the RFC 8058
# one-click POST without a session or CSRF token, and no sign-in is needed.
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """Confirm (GET) and stop (POST) one kind of e-mail, from the link in a message."""
    found = read_unsubscribe_token(token)
    user = db.session.get(User, found[0]) if found else None
    if user is None:
        log_security("unsubscribe-token-invalid")
        return render_template("notifications/unsubscribe_invalid.html"), 400
    scope = found[1]
    if request.method == "POST":
        labels = _scope_labels(scope, user)
        operations.unsubscribe(user, scope)
        db.session.commit()
        return render_template("notifications/unsubscribed.html", labels=labels)
    labels = _scope_labels(scope, user)
    return render_template(
        "notifications/unsubscribe.html", labels=labels, token=token, digest=scope == DIGEST
    )
