"""Keeping the search index right, in the same transaction as every write.

One mechanism, SQLAlchemy session events, so no operation has to remember the index:

* ``after_flush`` notes what a flush changed: comments (new, or text or author changed), users
  whose name changed (pseudonymising), block revisions (new, changed, deleted), and versions an
  audit event names (every drafting operation records one on its draft).
* ``do_orm_execute`` notes bulk INSERT/UPDATE/DELETE statements on ``block_revision`` (drafting
  copies, shifts and edits blocks that way) and the versions or rows their WHERE clause or
  parameters name; a statement that names neither makes every working draft be looked at again
  (only drafts' blocks change: a published version is frozen).
* ``before_commit`` flushes, then rewrites the index rows of what was noted, before COMMIT.

Rewriting is recomputing from the database (idempotent), so a stale note costs a little time and
never a wrong row. What a reader may see (drafts, hidden comments, visibility, names) is not in
the index: the queries join the live rows, so publishing, hiding, withdrawing and decisions on
status are right the moment they are committed. ``flask search-reindex`` rebuilds everything.
"""

from __future__ import annotations

import functools
import itertools

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.elements import BinaryExpression, BindParameter

from app.accounts.models import User
from app.audit import AuditEvent
from app.documents.models import BlockRevision, Version, VersionState
from app.documents.numbering import number_blocks
from app.review.models import Comment
from app.search.models import EntryKind, SearchEntry
from app.search.text import html_to_text, index_parts, index_terms, plain_words
from app.worddiff import INSERT, word_ops

PENDING = "search_index_pending"
CHUNK = 500
# The comment fields whose text is searchable; a change to any other (status, hidden_at...)
# needs no rewrite because the queries read those from the comment itself.
COMMENT_TEXT = ("body_html", "suggestion", "response_html", "author_id")
ENTRY = SearchEntry.__table__


def _terms(connection: Connection):
    """The function that makes the index text for this database."""
    return index_terms if connection.dialect.name == "sqlite" else plain_words


def _chunks(values, size: int = CHUNK):
    values = sorted(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def suggested_words(suggestion: str | None, block_text: str | None) -> str:
    """The words a suggestion puts into its paragraph, as plain text.

    A suggestion holds the whole proposed paragraph: indexed whole, every suggestion would be
    found by every word of the paragraph it is made on, which the paragraph itself is found by.
    """
    if not suggestion:
        return ""
    if block_text is None:
        return html_to_text(suggestion)
    return " ".join(
        "".join(run.text for run in runs) for tag, runs in word_ops(block_text, suggestion) if tag == INSERT
    )


def comment_text(
    body_html: str | None, suggestion: str | None, response_html: str | None, block_text: str | None = None
) -> str:
    """What of a comment is searchable: its text, the words its suggestion puts in (made on
    *block_text*) and the editors' response."""
    parts = (html_to_text(body_html), suggested_words(suggestion, block_text), html_to_text(response_html))
    return " ".join(t for t in parts if t)


def sync_comments(connection: Connection, comment_ids, new=frozenset()) -> None:
    """Rewrite the index rows of these comments from the comments as they stand.

    *new* are ids of comments inserted in this transaction: they have no rows to remove yet
    (posting a comment is the commonest write, and this saves it a statement).
    """
    terms = _terms(connection)
    for ids in _chunks(set(comment_ids)):
        rows = connection.execute(_comments_statement(), {"ids": ids}).all()
        known = [i for i in ids if i not in new]
        if known:
            connection.execute(_delete_comment_entries(), {"ids": known})
        entries = []
        for comment_id, document_id, version_id, block_id, body, suggestion, response, name, base in rows:
            text = comment_text(body, suggestion, response, base)
            entries.append(
                {
                    "kind": EntryKind.COMMENT.value,
                    "document_id": document_id,
                    "version_id": version_id,
                    "block_id": block_id,
                    "comment_id": comment_id,
                    "text": text,
                    "terms": terms(text),
                    "name_terms": terms(name or ""),
                    "parts": index_parts(text),
                    "ref_section": "",
                    "ref_paragraph": None,
                }
            )
        if entries:
            connection.execute(sa.insert(ENTRY), entries)


@functools.cache
def _comments_statement() -> sa.Select:
    """The indexed fields of the comments with these ids, built once (every comment posted
    runs it)."""
    return (
        sa.select(
            Comment.id,
            Comment.document_id,
            Comment.version_id,
            Comment.block_id,
            Comment.body_html,
            Comment.suggestion,
            Comment.response_html,
            User.name,
            Comment.block_text,
        )
        .join(User, User.id == Comment.author_id)
        .where(Comment.id.in_(sa.bindparam("ids", expanding=True)))
    )


@functools.cache
def _delete_comment_entries() -> sa.Delete:
    return ENTRY.delete().where(ENTRY.c.comment_id.in_(sa.bindparam("ids", expanding=True)))


def sync_versions(connection: Connection, version_ids) -> None:
    """Make the block rows of these versions match their block revisions (text and reference);
    only changed rows are written."""
    terms = _terms(connection)
    for ids in _chunks(set(version_ids), 20):
        rows = connection.execute(
            sa.select(
                BlockRevision.version_id,
                BlockRevision.block_id,
                BlockRevision.text,
                BlockRevision.kind,
                BlockRevision.level,
                Version.document_id,
            )
            .join(Version, Version.id == BlockRevision.version_id)
            .where(BlockRevision.version_id.in_(ids))
            .order_by(BlockRevision.version_id, BlockRevision.position)
        ).all()
        wanted = {}
        for version_id, group in itertools.groupby(rows, key=lambda row: row.version_id):
            group = list(group)
            for row, ref in zip(group, number_blocks(group), strict=True):
                wanted[(version_id, row.block_id)] = (
                    row.document_id,
                    html_to_text(row.text),
                    ref.section[:32],
                    ref.paragraph,
                )
        stale = []
        for entry_id, version_id, block_id, text, section, paragraph in connection.execute(
            sa.select(
                ENTRY.c.id,
                ENTRY.c.version_id,
                ENTRY.c.block_id,
                ENTRY.c.text,
                ENTRY.c.ref_section,
                ENTRY.c.ref_paragraph,
            ).where(ENTRY.c.kind == EntryKind.BLOCK.value, ENTRY.c.version_id.in_(ids))
        ):
            want = wanted.get((version_id, block_id))
            if want is not None and want[1:] == (text, section, paragraph):
                del wanted[(version_id, block_id)]  # already right
            else:
                stale.append(entry_id)
        for chunk in _chunks(stale):
            connection.execute(ENTRY.delete().where(ENTRY.c.id.in_(chunk)))
        entries = [
            {
                "kind": EntryKind.BLOCK.value,
                "document_id": document_id,
                "version_id": version_id,
                "block_id": block_id,
                "comment_id": None,
                "text": text,
                "terms": terms(text),
                "name_terms": "",
                "parts": index_parts(text),
                "ref_section": section,
                "ref_paragraph": paragraph,
            }
            for (version_id, block_id), (document_id, text, section, paragraph) in wanted.items()
        ]
        if entries:
            connection.execute(sa.insert(ENTRY), entries)


def reindex(connection: Connection) -> tuple[int, int]:
    """Rebuild the whole index; returns (block rows, comment rows)."""
    connection.execute(ENTRY.delete())
    sync_versions(connection, connection.scalars(sa.select(Version.id)).all())
    sync_comments(connection, connection.scalars(sa.select(Comment.id)).all())
    if connection.dialect.name == "postgresql":
        # Fresh statistics, or the planner takes the new rows for a handful and skips the GIN index;
        # search_tsv (the table the searches read, b1a0c0de2301) is not there yet when b1a0c0de2308
        # runs this.
        connection.exec_driver_sql("ANALYZE search_entry")
        if connection.exec_driver_sql("SELECT to_regclass('search_tsv')").scalar() is not None:
            connection.exec_driver_sql("ANALYZE search_tsv")
    count = sa.select(sa.func.count()).select_from(ENTRY)
    return (
        connection.scalar(count.where(ENTRY.c.kind == EntryKind.BLOCK.value)),
        connection.scalar(count.where(ENTRY.c.kind == EntryKind.COMMENT.value)),
    )


def _pending(session: so.Session) -> dict:
    return session.info.setdefault(
        PENDING,
        {"comments": set(), "new_comments": set(), "users": set(), "versions": set(), "drafts": False},
    )


def _changed(obj, names) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(so.Session, "after_flush")
def _note_flushed(session: so.Session, _context) -> None:
    pending = None
    for obj in itertools.chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Comment):
            if obj in session.new or _changed(obj, COMMENT_TEXT):
                pending = pending or _pending(session)
                pending["comments"].add(obj.id)
                if obj in session.new:
                    pending["new_comments"].add(obj.id)
        elif isinstance(obj, BlockRevision):
            pending = pending or _pending(session)
            pending["versions"].add(obj.version_id)
        elif isinstance(obj, User):
            if obj not in session.new and _changed(obj, ("name",)):
                pending = pending or _pending(session)
                pending["users"].add(obj.id)
        elif isinstance(obj, AuditEvent) and obj.object_type == "version" and obj.object_id:
            pending = pending or _pending(session)
            pending["versions"].add(obj.object_id)


def _bulk_targets(state: so.ORMExecuteState) -> tuple[set[int], set[int]] | None:
    """(version ids, block revision ids) a bulk statement on block_revision names, or None if
    it names neither (then every draft is looked at again)."""
    versions: set[int] = set()
    revisions: set[int] = set()
    if state.is_insert:
        parameters = state.parameters
        rows = parameters if isinstance(parameters, list) else [parameters] if parameters else []
        versions.update(
            row["version_id"] for row in rows if isinstance(row, dict) and row.get("version_id") is not None
        )
        return (versions, revisions) if versions else None
    where = state.statement.whereclause
    for clause in visitors.iterate(where) if where is not None else ():
        if not isinstance(clause, BinaryExpression) or clause.operator is not operators.eq:
            continue
        column, value = clause.left, clause.right
        if (
            not isinstance(value, BindParameter)
            or getattr(column, "table", None) is not BlockRevision.__table__
        ):
            continue
        wanted = {"version_id": versions, "id": revisions}.get(column.name)
        if wanted is not None and value.effective_value is not None:
            wanted.add(value.effective_value)
    if isinstance(state.parameters, list):
        # executemany UPDATE by primary key (publishing renumbers positions that way)
        revisions.update(row["id"] for row in state.parameters if isinstance(row, dict) and "id" in row)
    return (versions, revisions) if versions or revisions else None


@event.listens_for(so.Session, "do_orm_execute")
def _note_bulk(state: so.ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) != BlockRevision.__tablename__:
        return
    pending = _pending(state.session)
    targets = _bulk_targets(state)
    if targets is None:
        pending["drafts"] = True
        return
    versions, revisions = targets
    pending["versions"].update(versions)
    if revisions:
        # Looked up now, before the statement runs: a DELETE leaves nothing to look up at commit.
        pending["versions"].update(
            state.session.connection().scalars(
                sa.select(BlockRevision.version_id).where(BlockRevision.id.in_(sorted(revisions))).distinct()
            )
        )


@event.listens_for(so.Session, "before_commit")
def _write(session: so.Session) -> None:
    if PENDING not in session.info and not (session.new or session.dirty or session.deleted):
        return
    session.flush()
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    connection = session.connection()
    versions = set(pending["versions"])
    if pending["drafts"]:
        versions.update(connection.scalars(sa.select(Version.id).where(Version.state == VersionState.DRAFT)))
    if versions:
        sync_versions(connection, versions)
    comments = set(pending["comments"])
    for users in _chunks(pending["users"]):
        comments.update(connection.scalars(sa.select(Comment.id).where(Comment.author_id.in_(users))))
    if comments:
        sync_comments(connection, comments, frozenset(pending["new_comments"]))


@event.listens_for(so.Session, "after_rollback")
def _forget(session: so.Session) -> None:
    session.info.pop(PENDING, None)
