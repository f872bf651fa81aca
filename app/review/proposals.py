"""Open suggestions shown inside their paragraphs ("show suggestions in the text"): one query.

The reading page can show every open suggestion on a version as a redline inside the paragraph
it proposes to change, with its number and author, like a word processor's suggesting mode.
They are loaded in one statement whatever their number, also on a busy version whose threads
are not on the page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import Organisation, User
from app.documents.models import Block, Document, Version
from app.extensions import db
from app.review.models import Comment, CommentKind, CommentStatus
from app.review.threads import who_sees_what


@dataclass(frozen=True, slots=True)
class InlineSuggestion:
    """One open suggestion as its paragraph shows it (hashable: part of a cache key)."""

    number: int
    base: str  # the paragraph's text it was made on
    proposal: str
    author: str | None  # None when the reader may not see names
    organisation: str | None
    made_on: str | None  # the label of the earlier version it was made on, else None
    outdated: bool  # the paragraph has changed since it was made


def open_suggestions(
    document: Document, version: Version, texts: dict[str, str], viewer
) -> dict[str, tuple[InlineSuggestion, ...]]:
    """Per block uid of *version* (*texts*: uid → text), its open suggestions in number order.

    The suggestions made on *version* and those carried from earlier versions, as the threads
    are; hidden and withdrawn ones are not shown, nor any the reader may not see.
    """
    visible, names, organisations = who_sees_what(document, viewer)
    if not visible:
        return {}
    labels = {v.id: v.label for v in document.versions if v.number <= version.number}
    rows = db.session.execute(_statement(), {"document_id": document.id, "version_ids": list(labels)}).all()
    found: dict[str, list[InlineSuggestion]] = {}
    for number, version_id, base, proposal, author, organisation, uid in rows:
        if uid not in texts:
            continue  # the paragraph is gone: listed under "comments on removed text"
        carried = version_id != version.id
        found.setdefault(uid, []).append(
            InlineSuggestion(
                number=number,
                base=base or "",
                proposal=proposal,
                author=author if names else None,
                organisation=organisation if organisations else None,
                made_on=labels[version_id] if carried else None,
                outdated=carried and (base or "") != texts[uid],
            )
        )
    return {uid: tuple(items) for uid, items in found.items()}


@functools.cache
def _statement() -> sa.Select:
    """A document's open top-level suggestions on the given versions, with names and block uids."""
    return (
        sa.select(
            Comment.number,
            Comment.version_id,
            Comment.block_text,
            Comment.suggestion,
            User.name,
            Organisation.name,
            Block.uid,
        )
        .join(User, User.id == Comment.author_id)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .join(Block, Block.id == Comment.block_id)
        .where(
            Comment.document_id == sa.bindparam("document_id"),
            Comment.version_id.in_(sa.bindparam("version_ids", expanding=True)),
            Comment.kind == CommentKind.SUGGESTION,
            Comment.status == CommentStatus.OPEN,
            Comment.parent_id.is_(None),
            Comment.withdrawn_at.is_(None),
            Comment.hidden_at.is_(None),
            Comment.suggestion.is_not(None),
        )
        .order_by(Comment.number)
    )
