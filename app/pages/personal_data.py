"""A person's own data as one JSON document (the right of access), built without a request.

Composed here, above the packages that hold it: the account, the comments and endorsements of
review, the follows, settings and mail of notifications.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import User
from app.database import utcnow
from app.documents.models import Block, Document, Version
from app.extensions import db
from app.meetings.models import ActionPoint, Attendance, Meeting
from app.notifications.models import Follow, Notification, NotificationPreference
from app.review.models import Comment, Endorsement


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _comment(comment: Comment, numbers: dict[int, int]) -> dict:
    return {
        "number": comment.number,
        "type": "reply" if comment.parent_id else "comment",
        "reply_to": numbers.get(comment.parent_id) if comment.parent_id else None,
        "document": comment.version.document.slug,
        "document_title": comment.version.document.title,
        "version": comment.version.label,
        "block_uid": comment.block.uid if comment.block is not None else None,
        "organisation": comment.organisation.name,
        "kind": comment.kind.value,
        "body": comment.body,
        "quote": comment.quote_exact,
        "suggestion_html": comment.suggestion,
        "status": comment.status.value,
        "response": comment.response,
        "decided_at": _iso(comment.decided_at),
        "created_at": _iso(comment.created_at),
        "edited_at": _iso(comment.updated_at),
        "withdrawn_at": _iso(comment.withdrawn_at),
        "hidden": comment.is_hidden,
        "hidden_reason": comment.hidden_reason,
        "earlier_wordings": [
            {
                "kind": revision.kind.value,
                "body": revision.body,
                "suggestion_html": revision.suggestion,
                "replaced_at": _iso(revision.replaced_at),
            }
            for revision in comment.revisions
        ],
    }


def personal_data(user: User) -> dict:
    """Profile, organisation, roles, comments and replies (with status), endorsements, follows, mail,
    and the meetings' action points one owns and the meetings one attended."""
    comments = db.session.scalars(
        sa.select(Comment)
        .where(Comment.author_id == user.id)
        .options(
            so.joinedload(Comment.version).joinedload(Version.document),
            so.joinedload(Comment.organisation),
            so.joinedload(Comment.block).load_only(Block.uid),
            so.selectinload(Comment.revisions),
        )
        .order_by(Comment.created_at, Comment.id)
    ).all()
    # Replies name the comment they answer by its public number, which may be someone else's.
    parent_ids = {c.parent_id for c in comments if c.parent_id}
    numbers = dict(
        db.session.execute(sa.select(Comment.id, Comment.number).where(Comment.id.in_(parent_ids))).all()
        if parent_ids
        else []
    )
    endorsements = db.session.execute(
        sa.select(Endorsement.created_at, Comment.number, Version.label, Comment.document_id)
        .join(Comment, Comment.id == Endorsement.comment_id)
        .join(Version, Version.id == Comment.version_id)
        .where(Endorsement.user_id == user.id)
        .order_by(Endorsement.created_at)
    ).all()
    slugs = {c.version.document_id: c.version.document.slug for c in comments}
    missing = {row.document_id for row in endorsements} - set(slugs)
    if missing:
        slugs.update(
            db.session.execute(sa.select(Document.id, Document.slug).where(Document.id.in_(missing))).all()
        )
    follows = db.session.execute(
        sa.select(Document.slug, Follow.created_at)
        .join(Document, Document.id == Follow.document_id)
        .where(Follow.user_id == user.id)
        .order_by(Follow.created_at)
    ).all()
    preferences = db.session.scalars(
        sa.select(NotificationPreference).where(NotificationPreference.user_id == user.id)
    ).all()
    messages = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()
    # Meetings' minutes: the action points one owns and the meetings one is recorded as attending.
    actions = db.session.execute(
        sa.select(ActionPoint, Meeting.title)
        .join(Meeting, Meeting.id == ActionPoint.meeting_id)
        .where(ActionPoint.owner_id == user.id)
        .order_by(ActionPoint.id)
    ).all()
    attended = db.session.execute(
        sa.select(Meeting.id, Meeting.title, Meeting.starts_at)
        .join(Attendance, Attendance.meeting_id == Meeting.id)
        .where(Attendance.user_id == user.id)
        .order_by(Meeting.starts_at)
    ).all()
    return {
        "exported_at": _iso(utcnow()),
        "meeting_action_points": [
            {
                "meeting": title,
                "what": action.what,
                "due_on": action.due_on.isoformat() if action.due_on else None,
                "status": action.status.value,
                "created_at": _iso(action.created_at),
            }
            for action, title in actions
        ],
        "meetings_attended": [
            {"meeting_id": row.id, "meeting": row.title, "starts_at": _iso(row.starts_at)} for row in attended
        ],
        "following": [{"document": slug, "since": _iso(since)} for slug, since in follows],
        "notification_settings": {p.kind.value: p.frequency.value for p in preferences},
        "notifications": [
            {
                "kind": m.kind.value,
                "delivery": m.delivery.value,
                "state": m.state.value,
                "created_at": _iso(m.created_at),
                "sent_at": _iso(m.sent_at),
            }
            for m in messages
        ],
        "profile": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "language": user.language,
            "active": user.active,
            "pseudonymised": user.pseudonymised,
            "created_at": _iso(user.created_at),
            "last_sign_in_at": _iso(user.last_login_at),
            "organisation": {"id": user.organisation.id, "name": user.organisation.name},
            "roles": sorted(role.value for role in user.roles),
        },
        "comments": [_comment(c, numbers) for c in comments],
        "endorsements": [
            {
                "document": slugs.get(row.document_id),
                "comment_number": row.number,
                "version": row.label,
                "created_at": _iso(row.created_at),
            }
            for row in endorsements
        ],
    }
