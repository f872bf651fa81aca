"""Comments from Word: read and place a reviewed file (storing nothing), then take it in on "confirm".

:func:`prepare_upload` reads the file, places it on the version and marks what was taken in
before; the result is a :class:`PendingWordComments`, kept by the pending-upload store
(:mod:`app.drafting.pending`) between the preview and the uploader's decision.
:func:`take_in` stores the comments through the web's own operation
(:func:`app.review.operations.create_comment`: sanitising, numbering, follows and reply
notifications alike) and records each one's fingerprint, so nothing is stored twice.
The web pages and ``flask import-comments`` share both steps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import sqlalchemy as sa

from app.accounts.models import Organisation
from app.audit import record
from app.documents.models import Block, BlockRevision, Document, Version
from app.docx.bookmarks import uid_from_bookmark_name
from app.docx.wml import w_date
from app.drafting import pending as pending_store
from app.drafting.importing import old_blocks
from app.extensions import db
from app.review.models import Comment, CommentKind
from app.review.operations import NewComment, create_comments, locate_quote
from app.wordcomments.labels import body_labels
from app.wordcomments.models import WordImport
from app.wordcomments.placement import PACK_COMMENT, Item, LeftOut, PackThread, Preview, build_preview
from app.wordcomments.reader import read_word_file

SENDER_MAX = 200


class TakeInRefused(Exception):
    """A preview that can no longer be taken in; *code* is a key of ``labels.REFUSALS``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class PendingWordComments:
    """A reviewed file read and placed, waiting for the uploader to confirm or cancel it."""

    user_id: int
    document_id: int
    version_id: int
    filename: str
    preview: Preview
    organisation_id: int | None = None
    sender: str | None = None
    token: str = ""
    created: float = 0.0

    @property
    def new_items(self) -> list[Item]:
        return [item for item in self.preview.items if not item.duplicate]

    @property
    def duplicates(self) -> int:
        return sum(1 for item in self.preview.items if item.duplicate)


def _dump(pending: PendingWordComments) -> dict:
    data = asdict(pending)
    del data["token"], data["created"], data["user_id"]
    return data


def _load(data: dict) -> PendingWordComments:
    preview = data.pop("preview")
    items = [Item(**item) for item in preview.pop("items")]
    left_out = [LeftOut(**left) for left in preview.pop("left_out")]
    return PendingWordComments(user_id=0, preview=Preview(items=items, left_out=left_out, **preview), **data)


pending_store.register_kind("word_comments", PendingWordComments, _dump, _load)


def known_numbers(document: Document, word_file) -> dict[int, PackThread]:
    """The document's comments that the file's Word comments name as "#12 …", by number.

    The pack heads each comment it carries with its number; only those numbers are looked up.
    """
    numbers = {int(m.group(1)) for c in word_file.comments if (m := PACK_COMMENT.match(c.text))}
    if not numbers:
        return {}
    rows = db.session.execute(
        sa.select(Comment.id, Comment.number, Comment.body, Comment.decided_at).where(
            Comment.document_id == document.id, Comment.number.in_(numbers), Comment.parent_id.is_(None)
        )
    ).all()
    # The pack writes the members' replies and the editors' decision as replies dated when
    # they were made (w_date's form): those come back as the pack's own, not as new replies.
    replies: dict[int, set[str]] = {}
    if rows:
        parents = [row.id for row in rows]
        for parent_id, created_at in db.session.execute(
            sa.select(Comment.parent_id, Comment.created_at).where(Comment.parent_id.in_(parents))
        ):
            replies.setdefault(parent_id, set()).add(w_date(created_at))
    return {
        number: PackThread(body, w_date(decided), frozenset(replies.get(comment_id, ())))
        for comment_id, number, body, decided in rows
    }


def mark_duplicates(document: Document, preview: Preview) -> None:
    """Mark the items whose Word comment or change was taken in before (one query)."""
    prints = [item.fingerprint for item in preview.items]
    if not prints:
        return
    taken = set(
        db.session.scalars(
            sa.select(WordImport.fingerprint).where(
                WordImport.document_id == document.id, WordImport.fingerprint.in_(prints)
            )
        )
    )
    for item in preview.items:
        item.duplicate = item.fingerprint in taken


def prepare_upload(
    version: Version,
    data: bytes,
    *,
    filename: str,
    user,
    max_bytes: int,
    organisation: Organisation | None = None,
    sender: str | None = None,
) -> PendingWordComments:
    """Read and place *data* on *version*; stores nothing. Raises ``DocxRejected`` for a refused file."""
    document = version.document
    word_file = read_word_file(data, max_bytes, marker_of=uid_from_bookmark_name)
    preview = build_preview(
        word_file,
        old_blocks(version),
        document_id=document.id,
        known_numbers=known_numbers(document, word_file),
        labels=body_labels(),
    )
    mark_duplicates(document, preview)
    return PendingWordComments(
        user_id=user.id if user is not None else 0,
        document_id=document.id,
        version_id=version.id,
        filename=filename,
        preview=preview,
        organisation_id=organisation.id if organisation is not None else None,
        sender=(sender or "").strip()[:SENDER_MAX] or None,
    )


@dataclass
class TakenIn:
    """What :func:`take_in` did."""

    comments: list[Comment] = field(default_factory=list)
    duplicates: int = 0
    left_out: int = 0


def take_in(pending: PendingWordComments, user, include: set[int] | frozenset[int] = frozenset()) -> TakenIn:
    """Store the pending file's comments as *user*; uncertain ones only when their key is in *include*.

    Flushes, does not commit. Raises :class:`TakeInRefused` when the version no longer takes
    comments (closed, or its deadline passed since the preview).
    """
    version = db.session.get(Version, pending.version_id)
    if version is None or version.document_id != pending.document_id:
        raise TakeInRefused("gone")
    if not version.accepts_comments():
        raise TakeInRefused("closed")
    document = version.document
    organisation = db.session.get(Organisation, pending.organisation_id) if pending.organisation_id else None
    items = pending.preview.items
    mark_duplicates(document, pending.preview)
    uids = {item.uid for item in items if item.uid}
    revisions = dict(
        db.session.execute(
            sa.select(Block.uid, BlockRevision)
            .join(Block, Block.id == BlockRevision.block_id)
            .where(BlockRevision.version_id == version.id, Block.uid.in_(uids))
        ).all()
    )
    parents_by_number = _parents_by_number(document, items)
    parents_by_print = _parents_by_print(document, items)
    on_behalf = ""
    if organisation is not None:
        on_behalf = body_labels()["on_behalf"] % {
            "editor": user.name,
            "organisation": organisation.name,
            "sender": pending.sender or "–",
        }
    done = TakenIn()
    # Which items are stored, and which of them are replies in a thread (of this file or not).
    kept = [item for item in items if not item.duplicate and not (item.uncertain and item.key not in include)]
    done.duplicates = sum(1 for item in items if item.duplicate)
    done.left_out = len(items) - done.duplicates - len(kept)
    kept_keys = {item.key for item in kept}
    tops, replies = [], []
    for item in kept:
        revision = revisions.get(item.uid) if item.uid else None
        parent = None
        if item.parent_number is not None:
            parent = parents_by_number.get(item.parent_number)
        elif item.parent_key is not None:
            parent = parents_by_print.get(items[item.parent_key].fingerprint)
            if parent is None and item.parent_key in kept_keys:
                replies.append((item, None))  # its parent is stored just before it
                continue
        if parent is not None:
            replies.append((item, parent))
        elif revision is None and (item.uid or item.parent_key is not None or item.parent_number is not None):
            # A comment on a paragraph that is not in this version, or a reply whose thread
            # was left out and that has no place of its own.
            done.left_out += 1
        else:
            tops.append((item, revision))
    behalf = {"author": user, "organisation": organisation}
    stored: dict[int, Comment] = {}
    entries = [
        NewComment(
            revision,
            CommentKind(item.kind),
            _body(item.body, on_behalf),
            item.suggestion or None,
            locate_quote(revision.text, item.quote, start=item.quote_start)
            if revision is not None and item.quote
            else None,
        )
        for item, revision in tops
    ]
    for (item, _revision), comment in zip(tops, create_comments(version, entries, **behalf), strict=True):
        stored[item.key] = comment
    entries = [
        NewComment(
            None, CommentKind.COMMENT, _body(item.body, on_behalf), parent=parent or stored[item.parent_key]
        )
        for item, parent in replies
    ]
    for (item, _parent), comment in zip(
        replies, create_comments(version, entries, **behalf, follows=bool(tops)), strict=True
    ):
        stored[item.key] = comment
    db.session.add_all(
        WordImport(
            document_id=document.id,
            fingerprint=item.fingerprint,
            comment_id=stored[item.key].id,
            word_author=item.word_author[:200],
            word_date=item.word_date[:40],
            imported_by_id=user.id,
            sender=pending.sender,
            filename=pending.filename[:200],
        )
        for item in items
        if item.key in stored
    )
    done.comments = sorted(stored.values(), key=lambda c: c.number)
    record(
        user,
        "comment.import_word",
        version,
        document=document.slug,
        filename=pending.filename,
        stored=[c.number for c in done.comments],
        duplicates=done.duplicates,
        organisation=organisation.name if organisation else None,
        sender=pending.sender,
    )
    db.session.flush()
    return done


def _body(body: str, on_behalf: str) -> str:
    return f"{body}\n\n{on_behalf}" if on_behalf else body


def _parents_by_number(document: Document, items: list[Item]) -> dict[int, Comment]:
    """Remiss comments replied to in Word (a reply in the thread of a pack's "#12 …"), by number."""
    numbers = {item.parent_number for item in items if item.parent_number is not None}
    if not numbers:
        return {}
    found = db.session.scalars(
        sa.select(Comment).where(Comment.document_id == document.id, Comment.number.in_(numbers))
    ).all()
    by_id = {c.id: c for c in found}
    out = {}
    for comment in found:
        # One level of threading: a reply to a reply joins its thread.
        top = by_id.get(comment.parent_id) or (
            db.session.get(Comment, comment.parent_id) if comment.parent_id else None
        )
        out[comment.number] = top or comment
    return out


def _parents_by_print(document: Document, items: list[Item]) -> dict[str, Comment]:
    """Comments taken in from an earlier file that this file's replies belong to, by fingerprint."""
    prints = {items[item.parent_key].fingerprint for item in items if item.parent_key is not None}
    if not prints:
        return {}
    rows = db.session.execute(
        sa.select(WordImport.fingerprint, Comment)
        .join(Comment, Comment.id == WordImport.comment_id)
        .where(WordImport.document_id == document.id, WordImport.fingerprint.in_(prints))
    ).all()
    return dict(rows)
