"""A suggestion holds the whole proposed paragraph (issue 22).

Until now a suggestion with a quote (``quote_exact``, ``quote_start``, ``quote_end``) held only
the new wording of the quoted span, and applying it spliced that wording into the paragraph.
From now on ``comment.suggestion`` (and ``comment_revision.suggestion``, an earlier wording of
the same comment) holds the whole paragraph as proposed, and ``comment.block_text`` the text it
was made on; a quote is only what the member pointed at.

Upgrade: every quote-scoped suggestion becomes ``block_text`` with the quoted span replaced by
the old wording, sanitised (the splice the old code made when applying it). A revision is read
with its comment's text and quote (an author's edit never changed the quote). Whole-paragraph
suggestions, and comments without a quote or without the text they were made on, stay as they
are. A quote that no longer stands at its offsets is found again from its context (prefix,
quote and suffix), else where it occurs once; one found nowhere (hand-written data the old
code could not apply either) is left as it is and logged.

Downgrade: the span form is given back where the proposal differs from the text it was made on
only inside the quote (that is exactly the rows the upgrade converted, and the later proposals
that happen to keep to their quote); it is checked by splicing it back, so the next upgrade gives
the same paragraph. A comment whose proposal (or any earlier wording of it) changes text outside
the quote keeps every proposal whole, and loses nothing: its ``quote_start`` is set to NULL (the
quoted words, their context and ``quote_end`` stay), so the older code, which splices only when
``quote_start`` is set, applies it as the whole paragraph it is, and still finds the quote by its
words. The next upgrade puts ``quote_start`` back (``quote_end`` minus the quote's length).

The rows are read and written in batches of :data:`BATCH` comments. The search index is not
rewritten: it indexes a suggestion by the words it puts in, which the conversion keeps
(``flask search-reindex`` rebuilds it if wanted).

Revision ID: b1a0c0de2201
Revises: b1a0c0de2308
Create Date: 2027-01-14 10:00:00

"""

import logging

import sqlalchemy as sa
from alembic import op

# The stored rich-text form is the app's (parse, serialise, sanitise); the splice itself is
# copied below so that what this migration does stays what it did when it was written.
from app.richtext import Segment, from_segments, plain, sanitize_inline, segments

# revision identifiers, used by Alembic.
revision = "b1a0c0de2201"
down_revision = "b1a0c0de2308"
branch_labels = None
depends_on = None

BATCH = 500
log = logging.getLogger("alembic.runtime.migration")

comment = sa.table(
    "comment",
    sa.column("id", sa.Integer),
    sa.column("suggestion", sa.Text),
    sa.column("block_text", sa.Text),
    sa.column("quote_exact", sa.Text),
    sa.column("quote_prefix", sa.Text),
    sa.column("quote_suffix", sa.Text),
    sa.column("quote_start", sa.Integer),
    sa.column("quote_end", sa.Integer),
)
comment_revision = sa.table(
    "comment_revision",
    sa.column("id", sa.Integer),
    sa.column("comment_id", sa.Integer),
    sa.column("suggestion", sa.Text),
)


# --------------------------------------------------------------------------- pure text


def replace_span(value: str, start: int, end: int, replacement: str) -> str:
    """*value* (rich text) with its plain-text range [start, end) replaced by *replacement*.

    A copy of ``app.richtext.replace_span`` as it stood when suggestions were spans: the
    splice the old code made when it applied one.
    """
    before: list[Segment] = []
    after: list[Segment] = []
    offset = 0
    for run in segments(value):
        run_start, run_end = offset, offset + len(run.text)
        if run_start < start:
            before.append(Segment(run.text[: max(0, start - run_start)], run.bold, run.italic, run.href))
        if run_end > end:
            after.append(Segment(run.text[max(0, end - run_start) :], run.bold, run.italic, run.href))
        offset = run_end
    return from_segments([*before, *segments(sanitize_inline(replacement)), *after])


def rich_slice(value: str, start: int, end: int) -> str:
    """The rich text of *value*'s plain-text range [start, end), formatting kept."""
    runs: list[Segment] = []
    offset = 0
    for run in segments(value):
        run_start, run_end = offset, offset + len(run.text)
        lo, hi = max(start, run_start), min(end, run_end)
        if lo < hi:
            runs.append(Segment(run.text[lo - run_start : hi - run_start], run.bold, run.italic, run.href))
        offset = run_end
    return sanitize_inline(from_segments(runs))


def quote_span(text: str, exact, prefix, suffix, start, end) -> tuple[int, int] | None:
    """Where the quote stands in the plain *text*: at its offsets, else by its context, else once."""
    if not exact or start is None:
        return None
    stop = end if end is not None else start + len(exact)
    if text[start:stop] == exact:
        return start, stop
    context = f"{prefix or ''}{exact}{suffix or ''}"
    at = text.find(context)
    if at >= 0 and text.find(context, at + 1) < 0:
        return at + len(prefix or ""), at + len(prefix or "") + len(exact)
    at = text.find(exact)
    if at >= 0 and text.find(exact, at + 1) < 0:
        return at, at + len(exact)
    return None


def whole_paragraph(base: str, span: tuple[int, int], wording: str) -> str:
    """The paragraph a span suggestion proposes: *base* with the span replaced by *wording*."""
    return sanitize_inline(replace_span(base, span[0], span[1], wording or ""))


def span_form(base: str, span: tuple[int, int], proposal: str) -> str | None:
    """The wording for the span that gives *proposal* when spliced into *base*; None when the
    proposal changes text outside the span."""
    text, new = plain(base), plain(proposal)
    head, tail = text[: span[0]], text[span[1] :]
    # The splice folds the spaces where the pieces meet: try the context with and without them.
    for h in dict.fromkeys((head, head.rstrip())):
        for t in dict.fromkeys((tail, tail.lstrip())):
            if not (new.startswith(h) and new.endswith(t)):
                continue
            lo, hi = len(h), len(new) - len(t)
            wording = rich_slice(proposal, lo, hi) if hi > lo else ""
            if whole_paragraph(base, span, wording) == proposal:
                return wording
    return None


# --------------------------------------------------------------------------- batches


def _quoted_comments(connection, last_id: int, quote_start_set: bool):
    """The next batch of comments with a quote and the text they were made on."""
    started = comment.c.quote_start.is_not(None) if quote_start_set else comment.c.quote_start.is_(None)
    return connection.execute(
        sa.select(comment)
        .where(
            comment.c.id > last_id,
            comment.c.quote_exact.is_not(None),
            comment.c.block_text.is_not(None),
            started,
        )
        .order_by(comment.c.id)
        .limit(BATCH)
    ).all()


def _revisions(connection, comment_ids) -> dict[int, list[tuple[int, str]]]:
    """The earlier wordings with a suggestion of these comments: {comment id: [(id, suggestion)]}."""
    out: dict[int, list[tuple[int, str]]] = {}
    rows = connection.execute(
        sa.select(comment_revision.c.id, comment_revision.c.comment_id, comment_revision.c.suggestion)
        .where(comment_revision.c.comment_id.in_(comment_ids), comment_revision.c.suggestion.is_not(None))
        .order_by(comment_revision.c.id)
    )
    for rid, cid, suggestion in rows:
        out.setdefault(cid, []).append((rid, suggestion))
    return out


def _span_of(row) -> tuple[int, int] | None:
    return quote_span(
        plain(row.block_text), row.quote_exact, row.quote_prefix, row.quote_suffix, row.quote_start, row.quote_end
    )


def _write(connection, comments: list[dict], revisions: list[dict]) -> None:
    if comments:
        connection.execute(
            comment.update()
            .where(comment.c.id == sa.bindparam("b_id"))
            .values(suggestion=sa.bindparam("b_suggestion")),
            comments,
        )
    if revisions:
        connection.execute(
            comment_revision.update()
            .where(comment_revision.c.id == sa.bindparam("b_id"))
            .values(suggestion=sa.bindparam("b_suggestion")),
            revisions,
        )


def _each_batch(connection, quote_start_set: bool):
    last = 0
    while True:
        rows = _quoted_comments(connection, last, quote_start_set)
        if not rows:
            return
        last = rows[-1].id
        yield rows


def upgrade():
    connection = op.get_bind()
    for rows in _each_batch(connection, quote_start_set=True):
        revisions = _revisions(connection, [row.id for row in rows])
        new_comments, new_revisions = [], []
        for row in rows:
            earlier = revisions.get(row.id, [])
            if row.suggestion is None and not earlier:
                continue
            span = _span_of(row)
            if span is None:
                log.warning("comment %s: its quote is not in the text it was made on; left as it is", row.id)
                continue
            if row.suggestion is not None:
                new_comments.append(
                    {"b_id": row.id, "b_suggestion": whole_paragraph(row.block_text, span, row.suggestion)}
                )
            new_revisions += [
                {"b_id": rid, "b_suggestion": whole_paragraph(row.block_text, span, suggestion)}
                for rid, suggestion in earlier
            ]
        _write(connection, new_comments, new_revisions)
    # What the downgrade kept whole gets its quote's start back.
    connection.execute(
        comment.update()
        .where(
            comment.c.quote_exact.is_not(None),
            comment.c.quote_start.is_(None),
            comment.c.quote_end.is_not(None),
        )
        .values(quote_start=comment.c.quote_end - sa.func.length(comment.c.quote_exact))
    )


def downgrade():
    connection = op.get_bind()
    for rows in _each_batch(connection, quote_start_set=True):
        revisions = _revisions(connection, [row.id for row in rows])
        kept_whole, new_comments, new_revisions = [], [], []
        for row in rows:
            earlier = revisions.get(row.id, [])
            if row.suggestion is None and not earlier:
                continue
            span = _span_of(row)
            if span is None:
                continue  # never converted (see upgrade)
            proposals = [(None, row.suggestion)] if row.suggestion is not None else []
            proposals += earlier
            forms = [(rid, span_form(row.block_text, span, p)) for rid, p in proposals]
            if any(form is None for _rid, form in forms):
                kept_whole.append({"b_id": row.id, "b_end": span[1]})
                continue
            for rid, form in forms:
                if rid is None:
                    new_comments.append({"b_id": row.id, "b_suggestion": form})
                else:
                    new_revisions.append({"b_id": rid, "b_suggestion": form})
        _write(connection, new_comments, new_revisions)
        if kept_whole:
            connection.execute(
                comment.update()
                .where(comment.c.id == sa.bindparam("b_id"))
                .values(quote_start=None, quote_end=sa.bindparam("b_end")),
                kept_whole,
            )
