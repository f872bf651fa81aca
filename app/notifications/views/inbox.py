"""The inbox (issue 27): /inbox, newest first, paged; opening an item marks it read; "mark all
read". Only the owner sees their items: another person's item is a 404, never data."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.documents.models import VersionState
from app.extensions import db
from app.i18n import format_datetime
from app.notifications import inbox
from app.notifications.blueprint import bp
from app.notifications.models import InboxItem, InboxKind
from app.review.labels import STATUS_LABELS
from app.review.loaders import comment_url
from app.review.models import CommentStatus
from app.web.forms import ConfirmForm


@dataclass(frozen=True, slots=True)
class Entry:
    """One inbox item as the page shows it: its words and where it leads (None: nothing to show)."""

    item: InboxItem
    text: str
    target: str | None

    @property
    def unread(self) -> bool:
        return self.item.read_at is None


def _comment_entry(item: InboxItem, title: str) -> tuple[str, str | None]:
    comment = item.comment
    if comment is None:
        return _("This comment is no longer available."), None
    top = comment.parent or comment
    if comment.is_hidden or top.is_hidden:
        return _("This comment has been hidden by a moderator."), None
    actor = item.actor.name if item.actor is not None else _("Someone")
    if item.kind is InboxKind.MENTION:
        text = _(
            "%(actor)s mentioned you in comment #%(number)d on “%(title)s”.",
            actor=actor,
            number=comment.number,
            title=title,
        )
    elif item.kind is InboxKind.REPLY:
        text = _(
            "%(actor)s replied to your comment #%(number)d on “%(title)s”.",
            actor=actor,
            number=top.number,
            title=title,
        )
    else:
        status = comment.status
        if status in (CommentStatus.OPEN, CommentStatus.WITHDRAWN):
            text = _(
                "The decision on your comment #%(number)d on “%(title)s” was taken back.",
                number=comment.number,
                title=title,
            )
        else:
            text = _(
                "Editors decided on your comment #%(number)d on “%(title)s”: %(status)s.",
                number=comment.number,
                title=title,
                status=str(STATUS_LABELS[status]).lower(),
            )
    return text, comment_url(comment)


def _version_entry(item: InboxItem, title: str) -> tuple[str, str | None]:
    version = item.version
    if version is None or version.state is VersionState.DRAFT:
        return _("This version is no longer available."), None
    target = url_for("documents.version", slug=item.document.slug, number=version.number)
    if item.kind is InboxKind.NEW_VERSION:
        return _(
            "A new version of “%(title)s” was published: %(version)s.", title=title, version=version.label
        ), target
    if version.deadline is None:
        text = _("Your organisation's formal response on “%(title)s” is not yet submitted.", title=title)
    else:
        text = _(
            "Your organisation's formal response on “%(title)s” is due %(date)s.",
            title=title,
            date=format_datetime(version.deadline),
        )
    # The organisation's response, drafted together (app.responses, found by its endpoint's name).
    return text, url_for(
        "responses.edit",
        slug=item.document.slug,
        number=version.number,
        organisation_id=current_user.organisation_id,
    )


def entry(item: InboxItem, user) -> Entry:
    """What *user* may be shown of *item* now: nothing of a document they can no longer read,
    nor of a comment hidden since."""
    document = item.document
    if document is None or not document.can_read(user):
        return Entry(item, _("This document is no longer available to you."), None)
    if item.kind in (InboxKind.MENTION, InboxKind.REPLY, InboxKind.DECISION):
        text, target = _comment_entry(item, document.title)
    else:
        text, target = _version_entry(item, document.title)
    return Entry(item, text, target)


@bp.route("/inbox")
@login_required
def inbox_page():
    """The signed-in person's inbox, newest first, a page at a time."""
    page = inbox.page_of(current_user, request.args.get("page", 1, type=int) or 1)
    entries = [entry(item, current_user) for item in page.items]
    return render_template("notifications/inbox.html", page=page, entries=entries, form=ConfirmForm())


@bp.route("/inbox/<int:item_id>")
@login_required
def open_item(item_id: int):
    """Open an item: it is marked read and the person taken to its place."""
    item = inbox.get_own(current_user, item_id)
    if item is None:
        abort(404)
    shown = entry(item, current_user)
    user_id = current_user.id
    # The reading transaction ends before the writing one begins (see inbox.mark_read).
    db.session.commit()
    inbox.mark_read(user_id, item_id)
    db.session.commit()
    if shown.target is None:
        flash(shown.text, "warning")
        return redirect(url_for("notifications.inbox_page"))
    return redirect(shown.target)


@bp.route("/inbox/read", methods=["POST"])
@login_required
def mark_all_read():
    """Mark every item read."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = inbox.mark_all_read(current_user)
    db.session.commit()
    if count:
        flash(_("All items are marked read."), "success")
    return redirect(url_for("notifications.inbox_page"))
