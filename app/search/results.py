"""The queries: matching rows of the index, joined with the live rows that decide who may see them.

Each database matches in its own way (``_Match``): SQLite's FTS5 table, PostgreSQL's ``@@`` on its
``search_tsv`` table, both with the keys app.search.query works out. Everything else is the
same SQL on both. A page of results is a constant number of statements: one per kind of result
(with the total as a window count), one for the references of the versions shown, and the
filters' lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import Organisation, User
from app.documents.models import (
    Block,
    CommentVisibility,
    Document,
    Version,
    VersionState,
    Visibility,
)
from app.documents.permissions import can_edit_drafts
from app.extensions import db
from app.review.models import Comment, CommentKind, CommentStatus
from app.review.permissions import can_moderate
from app.search.models import SEARCH_TSV, EntryKind, SearchEntry
from app.search.query import Query

WHAT = ("all", "text", "comments")
STATUSES = tuple(s.value for s in CommentStatus)
KINDS = tuple(k.value for k in CommentKind)


@dataclass(frozen=True)
class Reader:
    """What the searcher may see, from their roles."""

    signed_in: bool = False
    editor: bool = False
    moderator: bool = False

    @classmethod
    def of(cls, user) -> Reader:
        if user is None or not user.is_authenticated or not user.is_active:
            return cls()
        return cls(True, can_edit_drafts(user), can_moderate(user))


@dataclass
class Filters:
    """The narrowing a searcher chose; values are already checked (see views)."""

    what: str = "all"
    document: str | None = None
    version: int | None = None
    status: str | None = None
    kind: str | None = None
    organisation_id: int | None = None
    organisation_name: str | None = None


@dataclass
class Page:
    """One kind of result: the rows of this page and how many there are in all."""

    rows: list = field(default_factory=list)
    total: int = 0


class _Match:
    """Which index rows of one kind match the query, and how well, on this database."""

    def __init__(self, query: Query):
        self.query = query
        self.sqlite = db.engine.dialect.name == "sqlite"

    def _fts(self, names: bool, alias: str):
        parameter = f"fts_{alias}"
        return (
            sa.text(
                f"SELECT rowid AS entry_id, -bm25(search_fts, 1.0, 0.5, 0.5) AS score "  # noqa: S608  (constant)
                f"FROM search_fts WHERE search_fts MATCH :{parameter}"
            )
            .bindparams(**{parameter: self.query.fts5(names)})
            .columns(entry_id=sa.Integer, score=sa.Float)
            .subquery(alias)
        )

    def _tsquery(self, names: bool):
        parameter = "tsq_names" if names else "tsq_text"
        # Written into the statement (literal_execute): psycopg prepares a statement after five runs
        # and PostgreSQL may then plan it once for any query, without knowing how common the words
        # are; a generic plan walked every row (300 ms instead of 30). The text is made by
        # Query.tsquery of letters, digits and its own quotes and operators, and quoted again here.
        # 'simple': the keys are stemmed already (app.search.text), as the index's are.
        return sa.func.to_tsquery(
            sa.literal_column("'simple'::regconfig"),
            sa.bindparam(parameter, self.query.tsquery(names), type_=sa.String, literal_execute=True),
        )

    def rows(self, kind: EntryKind, names_if: sa.ColumnElement | bool):
        """The matching index rows of *kind*: a SELECT of their ids, the columns to join and filter
        them by (``id``, ``document_id``, ``version_id``, ``comment_id``) and the score (higher
        is better).

        The author's name counts as text only where *names_if* holds (the reader sees names);
        elsewhere the query must match the comment's own text. True and False (everywhere,
        nowhere) need one pass over the index; a condition needs a second for the text alone.
        """
        either = names_if is not True and names_if is not False
        if self.sqlite:
            found = self._fts(names_if is not False, "m")
            statement = (
                sa.select(SearchEntry.id)
                .join(found, found.c.entry_id == SearchEntry.id)
                .where(SearchEntry.kind == kind)
            )
            if either:
                text_only = sa.select(sa.literal_column("rowid")).select_from(sa.table("search_fts"))
                text_only = text_only.where(
                    sa.text("search_fts MATCH :fts_text").bindparams(fts_text=self.query.fts5(False))
                )
                statement = statement.where(sa.or_(names_if, SearchEntry.id.in_(text_only)))
            return statement, SearchEntry, found.c.score
        # PostgreSQL: the narrow search_tsv, never the wide search_entry rows (see SEARCH_TSV).
        entry = SEARCH_TSV.c
        everything = self._tsquery(names_if is not False)
        text_only = entry.tsv.op("@@")(self._tsquery(False))
        if kind is EntryKind.BLOCK:
            # Paragraphs: the newest versions' rows by version, or the matches by the GIN index,
            # whichever the planner finds cheaper for the words asked.
            statement = sa.select(entry.id).where(entry.kind == kind, entry.tsv.op("@@")(everything))
            if either:
                statement = statement.where(sa.or_(names_if, text_only))
            return statement, entry, sa.func.ts_rank(entry.tsv, everything)
        # Comments: the matching rows first, through the comments' GIN index, with what the joins
        # need, then the joins to the comments by key. As one query the planner sometimes walked
        # every row in comment order (40 ms for 5 hits, against 2 ms); joining the matches back
        # to the index's rows to reach their comments hashed every comment row (20 ms for a
        # common word, against 8).
        columns = [
            entry.id,
            entry.document_id,
            entry.version_id,
            entry.comment_id,
            sa.func.ts_rank(entry.tsv, everything).label("score"),
        ]
        if either:
            columns.append(text_only.label("text_match"))
        found = (
            sa.select(*columns)
            .where(entry.kind == kind, entry.tsv.op("@@")(everything))
            .cte("found")
            .prefix_with("MATERIALIZED")
        )
        statement = sa.select(found.c.id)
        if either:
            statement = statement.where(sa.or_(names_if, found.c.text_match))
        return statement, found.c, found.c.score


def _visible_documents(statement: sa.Select, reader: Reader, filters: Filters) -> sa.Select:
    if not reader.signed_in:
        statement = statement.where(Document.visibility == Visibility.PUBLIC)
    if not reader.editor:
        statement = statement.where(Version.state != VersionState.DRAFT)
    if filters.document:
        statement = statement.where(Document.slug == filters.document)
        if filters.version is not None:
            statement = statement.where(Version.number == filters.version)
    return statement


def _ranked(statement: sa.Select, score, entry_id, limit: int, offset: int) -> tuple[list[int], int]:
    """The ids of one page of matching rows, best first (ties by *entry_id*), and how many match
    in all.

    Only ids and scores go through the sort: the rows' text and names are read afterwards
    for the page alone (a common word matches thousands of rows).
    """
    statement = statement.add_columns(score.label("score"), sa.func.count().over().label("total"))
    rows = db.session.execute(statement.order_by(score.desc(), entry_id).limit(limit).offset(offset)).all()
    return [row.id for row in rows], (rows[0].total if rows else 0)


def _in_order(rows, ids: list[int]) -> list:
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def search_blocks(query: Query, reader: Reader, filters: Filters, limit: int, offset: int = 0) -> Page:
    """Paragraphs (and headings, list items...) of the newest version each reader may see, or of
    the chosen version."""
    statement, entry, score = _Match(query).rows(EntryKind.BLOCK, True)
    statement = statement.join(Document, Document.id == entry.document_id).join(
        Version, Version.id == entry.version_id
    )
    statement = _visible_documents(statement, reader, filters)
    if not (filters.document and filters.version is not None):
        # The newest version each reader may see, per document, as a short list of version ids
        # worked out once over the (small) version table.
        newer = so.aliased(Version)
        newest = sa.select(sa.func.max(newer.number)).where(newer.document_id == Version.document_id)
        if not reader.editor:
            newest = newest.where(newer.state != VersionState.DRAFT)
        newest_ids = sa.select(Version.id).where(Version.number == newest.scalar_subquery())
        statement = statement.where(entry.version_id.in_(newest_ids))
    ids, total = _ranked(statement, score, entry.id, limit, offset)
    if not ids:
        return Page([], total)
    rows = db.session.execute(
        sa.select(
            SearchEntry.id,
            SearchEntry.text,
            SearchEntry.ref_section,
            SearchEntry.ref_paragraph,
            Document.slug,
            Document.title,
            Version.number,
            Version.label,
            Version.state,
            Block.uid,
        )
        .join(Document, Document.id == SearchEntry.document_id)
        .join(Version, Version.id == SearchEntry.version_id)
        .join(Block, Block.id == SearchEntry.block_id)
        .where(SearchEntry.id.in_(ids))
    ).all()
    return Page(_in_order(rows, ids), total)


def search_comments(query: Query, reader: Reader, filters: Filters, limit: int, offset: int = 0) -> Page:
    """Comments and replies the reader may see, as the reading view shows them."""
    # Names are searchable where the page shows them: to everyone signed in, and to visitors
    # only on documents whose comments show names in full.
    names_if: sa.ColumnElement | bool = True
    if not reader.signed_in:
        # Most networks show visitors no names at all: then one pass over the index is enough.
        full = db.session.scalar(
            sa.select(Document.id)
            .where(
                Document.visibility == Visibility.PUBLIC,
                Document.comment_visibility == CommentVisibility.FULL,
            )
            .limit(1)
        )
        names_if = Document.comment_visibility == CommentVisibility.FULL if full is not None else False
    statement, entry, score = _Match(query).rows(EntryKind.COMMENT, names_if)
    statement = (
        statement.join(Comment, Comment.id == entry.comment_id)
        .join(Document, Document.id == entry.document_id)
        .join(Version, Version.id == entry.version_id)
    )
    statement = _visible_documents(statement, reader, filters)
    if not reader.signed_in:
        statement = statement.where(Document.comment_visibility != CommentVisibility.NONE)
    if not reader.moderator:
        statement = statement.where(Comment.hidden_at.is_(None))
    if filters.status == CommentStatus.WITHDRAWN.value:
        statement = statement.where(Comment.withdrawn_at.is_not(None))
    elif filters.status:
        statement = statement.where(
            Comment.status == CommentStatus(filters.status), Comment.withdrawn_at.is_(None)
        )
    if filters.kind:
        statement = statement.where(Comment.kind == CommentKind(filters.kind))
    if filters.organisation_id is not None:
        statement = statement.where(Comment.organisation_id == filters.organisation_id)
    if filters.organisation_name:
        statement = statement.join(Organisation, Organisation.id == Comment.organisation_id).where(
            Organisation.name == filters.organisation_name
        )
    ids, total = _ranked(statement, score, entry.id, limit, offset)
    if not ids:
        return Page([], total)
    rows = db.session.execute(
        sa.select(
            SearchEntry.id,
            SearchEntry.text,
            Document.slug,
            Document.title,
            Document.comment_visibility,
            Version.number,
            Version.label,
            Comment.number.label("comment_number"),
            Comment.kind,
            Comment.status,
            Comment.withdrawn_at,
            Comment.hidden_at,
            Comment.parent_id,
            User.name.label("author"),
            Organisation.name.label("organisation"),
            Block.uid,
        )
        .join(Comment, Comment.id == SearchEntry.comment_id)
        .join(Document, Document.id == SearchEntry.document_id)
        .join(Version, Version.id == SearchEntry.version_id)
        .join(User, User.id == Comment.author_id)
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .outerjoin(Block, Block.id == Comment.block_id)
        .where(SearchEntry.id.in_(ids))
    ).all()
    return Page(_in_order(rows, ids), total)


def shows_names(row, reader: Reader) -> bool:
    """Whether the reading view would show this comment's author's name to *reader*."""
    return reader.signed_in or row.comment_visibility is CommentVisibility.FULL


def filter_choices(reader: Reader, document_slug: str | None) -> dict:
    """The documents, versions (of the chosen document) and organisations the filters offer."""
    documents = sa.select(Document.slug, Document.title).order_by(Document.title)
    if not reader.signed_in:
        documents = documents.where(Document.visibility == Visibility.PUBLIC)
    choices = {
        "documents": db.session.execute(documents).all(),
        "organisations": db.session.execute(
            sa.select(Organisation.id, Organisation.name).order_by(Organisation.name)
        ).all(),
        "versions": [],
    }
    if document_slug and document_slug in {d.slug for d in choices["documents"]}:
        versions = (
            sa.select(Version.number, Version.label, Version.state)
            .join(Document, Document.id == Version.document_id)
            .where(Document.slug == document_slug)
            .order_by(Version.number.desc())
        )
        if not reader.editor:
            versions = versions.where(Version.state != VersionState.DRAFT)
        choices["versions"] = db.session.execute(versions).all()
    return choices
