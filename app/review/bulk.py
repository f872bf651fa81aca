"""Bulk decisions on the dashboard: a decision is never replaced without the editor knowing.

Every ticked comment comes with the row version it was shown with ("12:3"). A comment changed since
(another editor decided it meanwhile) is skipped and named; replies, withdrawn and hidden comments
and comments of another document are refused one by one, the others decided. Comments that already
have a decision are first named in a confirm step: it carries a signed summary of exactly what was
ticked and decided, and a confirm whose summary is missing, forged, old or for another decision is
refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from itsdangerous import BadData, URLSafeTimedSerializer

from app.accounts.models import User
from app.documents.models import Document, Version
from app.extensions import db
from app.review import operations
from app.review.labels import STATUS_LABELS
from app.review.models import Comment, CommentStatus
from app.signals import comments_decided

CONFIRM_MAX_AGE = 3600  # seconds a confirm step stays valid
_SALT = "review.bulk-decision.confirm"


def parse_ticked(values: list[str]) -> dict[int, int | None]:
    """The ticked comments and the row version each was shown with (None: sent without one).

    Values that are not "id" or "id:version" are not comments and are left out.
    """
    ticked: dict[int, int | None] = {}
    for value in values:
        head, colon, tail = (value or "").partition(":")
        if not head.isdigit() or len(head) > 11:
            continue
        if colon and not (tail.isdigit() and len(tail) < 10):
            continue
        ticked[int(head)] = int(tail) if colon else None
    return ticked


@dataclass
class Plan:
    """What a bulk decision may do, comment by comment, in number order."""

    decidable: list[Comment] = field(default_factory=list)  # shown as they stand: may be decided
    report: list[str] = field(default_factory=list)  # refused or skipped, with the reason
    stale: list[Comment] = field(default_factory=list)  # changed since shown (skipped)

    @property
    def already_decided(self) -> list[Comment]:
        """The decidable ones that have a decision now: replacing it needs the editor's word."""
        return [c for c in self.decidable if c.status is not CommentStatus.OPEN]

    @property
    def undecided(self) -> list[Comment]:
        return [c for c in self.decidable if c.status is CommentStatus.OPEN]


def _names(user_ids) -> dict[int, str]:
    ids = [i for i in set(user_ids) if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all())


def plan(document: Document, ticked: dict[int, int | None]) -> Plan:
    """Sort the ticked comments into those that may be decided and those refused or skipped."""
    comments = (
        db.session.scalars(
            sa.select(Comment)
            .where(Comment.id.in_(list(ticked)), Comment.document_id == document.id)
            .order_by(Comment.number)
        ).all()
        if ticked
        else []
    )
    result = Plan()
    names = _names(c.decided_by_id for c in comments if c.row_version != ticked[c.id])
    for comment in comments:
        n = comment.number
        shown = ticked[comment.id]
        if comment.parent_id is not None:
            result.report.append(_("#%(n)d is a reply and cannot be decided: refused.", n=n))
        elif comment.is_withdrawn:
            result.report.append(_("#%(n)d has been withdrawn by its author: refused.", n=n))
        elif comment.is_hidden:
            result.report.append(_("#%(n)d is hidden by a moderator: refused.", n=n))
        elif shown is None:
            result.report.append(
                _("#%(n)d was sent without the version you saw: reload the page and select it again.", n=n)
            )
        elif shown != comment.row_version:
            result.stale.append(comment)
            name = names.get(comment.decided_by_id)
            if comment.status is not CommentStatus.OPEN and name:
                result.report.append(_("#%(n)d was decided by %(name)s meanwhile: skipped.", n=n, name=name))
            else:
                result.report.append(_("#%(n)d was changed by someone else meanwhile: skipped.", n=n))
        else:
            result.decidable.append(comment)
    foreign = len(ticked) - len(comments)
    if foreign:
        result.report.append(
            ngettext(
                "%(num)d selected comment is not on this document: refused.",
                "%(num)d selected comments are not on this document: refused.",
                foreign,
            )
        )
    return result


def skipped_note(skipped: list[Comment]) -> str:
    """What "Skip them" left out, by number."""
    numbers = ", ".join(f"#{c.number}" for c in skipped)
    return ngettext(
        "%(num)d comment that already had a decision was skipped: %(numbers)s.",
        "%(num)d comments that already had a decision were skipped: %(numbers)s.",
        len(skipped),
        numbers=numbers,
    )


def decide_all(
    comments: list[Comment],
    *,
    status: CommentStatus,
    response: str | None,
    duplicate_of: Comment | None,
    draft: Version | None,
    editor,
) -> None:
    """Record one decision on each of *comments* (their own internal notes kept).

    One flush for them all, and one comments_decided (the authors are told in one go): a hundred
    comments cost a handful of statements more than one.
    """
    changed = [
        comment
        for comment in comments
        if operations.decide(
            comment,
            status=status,
            response=response,
            editor_note=comment.editor_note,
            duplicate_of=duplicate_of,
            draft=draft,
            editor=editor,
            batch=True,
        )
    ]
    db.session.flush()
    decided = [c for c in changed if c.decided_at is not None and c.status is not CommentStatus.OPEN]
    if decided:
        comments_decided.send(decided[0].document_id, comments=decided, editor=editor)
        db.session.flush()


def current_decision(comment: Comment, names: dict[int, str]) -> str:
    """ "#3: Accepted, decided by Eva" – what a confirm step names."""
    label = str(STATUS_LABELS[comment.status])
    name = names.get(comment.decided_by_id)
    if name:
        return _("#%(n)d: %(decision)s, decided by %(name)s", n=comment.number, decision=label, name=name)
    return _("#%(n)d: %(decision)s", n=comment.number, decision=label)


def decider_names(comments: list[Comment]) -> dict[int, str]:
    return _names(c.decided_by_id for c in comments)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def _summary(document: Document, user, ticked: dict[int, int | None], form) -> dict:
    """What a confirm step stands for: who, which comments as they were shown, which decision."""
    response = (form.response.data or "").strip()
    return {
        "doc": document.id,
        "user": user.id,
        "comments": sorted(f"{i}:{'' if v is None else v}" for i, v in ticked.items()),
        "status": form.status.data,
        "duplicate_of": (form.duplicate_of.data or "").strip(),
        "response": hashlib.sha256(response.encode()).hexdigest(),
    }


def confirm_token(document: Document, user, ticked: dict[int, int | None], form) -> str:
    """The signed summary a confirm step carries."""
    return _serializer().dumps(_summary(document, user, ticked, form))


def token_confirms(token: str | None, document: Document, user, ticked: dict[int, int | None], form) -> bool:
    """Whether *token* was signed here, recently, for exactly this decision on exactly these comments."""
    if not token or len(token) > 20_000:
        return False
    try:
        signed = _serializer().loads(token, max_age=CONFIRM_MAX_AGE)
    except (BadData, ValueError, TypeError):
        return False
    return signed == _summary(document, user, ticked, form)
