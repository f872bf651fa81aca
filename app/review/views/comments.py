"""Comment pages and actions. Each view: load (404) → check (403) → validate → act → commit → redirect."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.documents.loaders import get_document, get_version, page_blocks, ref_labels
from app.documents.models import Document, Version
from app.extensions import db
from app.review import operations
from app.review.anchoring import Anchor
from app.review.blueprint import bp
from app.review.excerpts import excerpt
from app.review.forms import CommentForm, EditCommentForm, ReplyForm
from app.review.labels import thread_context
from app.review.loaders import comment_url, get_comment, refuse_closed, thread_is_open, wants_fragment
from app.review.models import Comment, CommentKind, CommentStatus
from app.review.threads import FILTERS, CommentView, ReplyView, highlighted_texts, load_threads
from app.richtext import plain
from app.web.forms import ConfirmForm


def _page_block(blocks, uid: str):
    """The block *uid* among *blocks* (a version's page_blocks), or 404."""
    block = next((b for b in blocks if b.uid == uid), None)
    if block is None:
        abort(404)
    return block


def _comment_form_page(document, version, block, form, status=200):
    template = "review/_comment_form.html" if wants_fragment() else "review/comment_form.html"
    return render_template(template, document=document, version=version, block=block, form=form), status


def _store_comment(document: Document, version: Version, block, form: CommentForm):
    quote = None
    if block is not None and form.quote.data and form.quote.data.strip():
        start = form.quote_start.data
        quote = operations.locate_quote(
            block.text, form.quote.data, start=int(start) if (start or "").isdigit() else None
        )
        if quote is None:
            form.quote.errors.append(_("The quoted text must be copied exactly from this paragraph."))
            return None
    return operations.create_comment(
        version=version,
        revision=block,
        author=current_user,
        kind=CommentKind(form.kind.data),
        body=form.body.data.strip(),
        suggestion=(form.suggestion.data or "").strip() or None,
        quote=quote,
    )


def _after_store(comment, document, version, block):
    if not wants_fragment():
        # Worked out before the commit, which expires every loaded object: afterwards each
        # would be read again, in a transaction of its own.
        target = comment_url(comment, version)
        message = _("Thank you. Your comment #%(n)d has been recorded.", n=comment.number)
        db.session.commit()
        flash(message, "success")
        return redirect(target)
    db.session.commit()
    view = CommentView.of(comment, _fresh_anchor(), current_user)
    html = render_template(
        "review/_thread.html",
        view=view,
        show_names=True,
        show_organisations=True,
        thread_open=True,
        **thread_context(),
    )
    return html, 201


def _fresh_anchor():
    return Anchor(False, False, False, None, False)


@bp.route("/d/<slug>/v/<int:number>/b/<uid>/comment", methods=["GET", "POST"])
@login_required
def comment_block(slug: str, number: int, uid: str):
    """Comment on one block: a page of its own without JavaScript, a side panel with it."""
    document = get_document(slug)
    version = get_version(document, number)
    block = _page_block(page_blocks(version), uid)
    if not version.accepts_comments():
        return refuse_closed(version)
    form = CommentForm()
    if request.method == "GET":
        form.quote.data = request.args.get("quote", "")[:2000]
        form.quote_start.data = request.args.get("start", "")
    if form.validate_on_submit():
        comment = _store_comment(document, version, block, form)
        if comment is not None:
            return _after_store(comment, document, version, block)
    return _comment_form_page(document, version, block, form, 400 if form.is_submitted() else 200)


@bp.route("/d/<slug>/v/<int:number>/comment", methods=["GET", "POST"])
@login_required
def comment_version(slug: str, number: int):
    """A general comment on the version as a whole."""
    document = get_document(slug)
    version = get_version(document, number)
    if not version.accepts_comments():
        return refuse_closed(version)
    form = CommentForm()
    if form.validate_on_submit():
        comment = _store_comment(document, version, None, form)
        return _after_store(comment, document, version, None)
    return _comment_form_page(document, version, None, form, 400 if form.is_submitted() else 200)


@bp.route("/comments/<int:comment_id>/reply", methods=["GET", "POST"])
@login_required
def reply(comment_id: int):
    """Reply in a comment's thread (one level: a reply to a reply joins the same thread)."""
    comment = get_comment(comment_id)
    top = comment.parent or comment
    if not thread_is_open(top):
        return refuse_closed(top.version)
    form = ReplyForm()
    if form.validate_on_submit():
        answer = operations.create_comment(
            version=top.version,
            revision=None,
            author=current_user,
            kind=CommentKind.COMMENT,
            body=form.body.data.strip(),
            parent=top,
        )
        db.session.commit()
        if wants_fragment():
            fragment = render_template(
                "review/_reply.html",
                r=ReplyView.of(answer, current_user),
                show_names=True,
                show_organisations=True,
                **thread_context(),
            )
            return fragment, 201
        flash(_("Your reply has been recorded."), "success")
        return redirect(comment_url(top))
    status = 400 if form.is_submitted() else 200
    if wants_fragment():
        return render_template("review/_reply_form.html", form=form, comment=top), status
    return render_template("review/reply.html", form=form, comment=top), status


@bp.route("/comments/<int:comment_id>/endorse", methods=["POST"])
@login_required
def endorse(comment_id: int):
    """Toggle "Instämmer" on a comment (one per person)."""
    comment = get_comment(comment_id)
    if comment.parent_id is not None:
        abort(404)
    if not thread_is_open(comment):
        return refuse_closed(comment.version)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not comment.can_endorse(current_user):
        message = _("You cannot endorse your own comment: endorsements show editors that others agree.")
        if wants_fragment():
            return {"error": message}, 403
        flash(message, "error")
        return redirect(comment_url(comment))
    endorsed = operations.toggle_endorsement(comment, current_user)
    db.session.commit()
    if wants_fragment():
        count = len(comment.endorsements)
        return {"endorsed": endorsed, "count": count}
    return redirect(comment_url(comment))


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    """The author edits their comment until an editor has responded; the history is kept."""
    comment = get_comment(comment_id)
    if not comment.is_author(current_user):
        abort(403)
    if not comment.can_edit(current_user):
        message = _(
            "This comment can no longer be edited: an editor has responded to it, or it was withdrawn."
        )
        return render_template("errors/error.html", code=403, message=message), 403
    form = EditCommentForm(
        data=None
        if request.method == "POST"
        else {"kind": comment.kind.value, "body": comment.body, "suggestion": _plain(comment.suggestion)}
    )
    if comment.parent_id is not None:
        del form.kind
        del form.suggestion
    if form.validate_on_submit():
        operations.edit_comment(
            comment,
            kind=CommentKind(form.kind.data) if "kind" in form else comment.kind,
            body=form.body.data.strip(),
            suggestion=((form.suggestion.data or "").strip() or None) if "suggestion" in form else None,
            actor=current_user,
        )
        db.session.commit()
        flash(_("Your changes have been saved."), "success")
        return redirect(comment_url(comment.parent or comment))
    return render_template(
        "review/edit.html", form=form, comment=comment
    ), 400 if form.is_submitted() else 200


def _plain(rich: str | None) -> str:
    return plain(rich) if rich else ""


@bp.route("/comments/<int:comment_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(comment_id: int):
    """The author withdraws a comment; it stays on record, marked withdrawn."""
    comment = get_comment(comment_id)
    if not comment.is_author(current_user):
        abort(403)
    if not comment.can_withdraw(current_user):
        message = _("This comment can no longer be withdrawn.")
        return render_template("errors/error.html", code=403, message=message), 403
    form = ConfirmForm()
    if form.validate_on_submit():
        operations.withdraw_comment(comment, current_user)
        db.session.commit()
        flash(_("Your comment #%(n)d has been withdrawn. It stays on record.", n=comment.number), "success")
        return redirect(comment_url(comment.parent or comment))
    return render_template("review/withdraw.html", form=form, comment=comment)


@bp.route("/d/<slug>/v/<int:number>/b/<uid>/comments")
def block_comments(slug: str, number: int, uid: str):
    """One block's discussion: its own page, or the fragment a busy reading view loads in place."""
    document = get_document(slug)
    version = get_version(document, number)
    blocks = page_blocks(version)
    block = _page_block(blocks, uid)
    mode = request.args.get("comments", "all")
    if mode not in FILTERS or mode == "none" or (mode == "mine" and not current_user.is_authenticated):
        mode = "all"
    texts = {b.uid: b.text for b in blocks}
    threads = load_threads(
        document,
        version,
        texts,
        current_user._get_current_object(),
        mode,
        request.args.get("org", type=int),
        only_blocks={block.block_id},
    )
    current = document.current_version
    context = {
        "document": document,
        "version": version,
        "block": block,
        "block_ref": ref_labels(blocks)[uid],
        "views": threads.for_block(uid),
        "texts": texts,
        "highlighted": highlighted_texts([block], threads)[uid],
        "threads": threads,
        "show_names": threads.show_names,
        "show_organisations": threads.show_organisations,
        "thread_open": version.accepts_comments() or bool(current and current.accepts_comments()),
        "can_comment": current_user.is_authenticated and version.accepts_comments(),
        **thread_context(),
    }
    if wants_fragment():
        return render_template("review/_block_threads.html", **context)
    return render_template("review/block_comments.html", **context)


@bp.route("/d/<slug>/v/<int:number>/overview")
def overview(slug: str, number: int):
    """Where the debate is: comments per section as a small chart, with the numbers as a table."""
    document = get_document(slug)
    version = get_version(document, number)
    blocks = page_blocks(version)
    threads = load_threads(document, version, {b.uid: b.text for b in blocks}, current_user)
    sections = section_counts(blocks, threads)
    return render_template(
        "review/overview.html", document=document, version=version, sections=sections, threads=threads
    )


def section_counts(blocks, threads) -> list[dict]:
    """Comments (and open ones) per top-level section, in document order."""
    sections: list[dict] = []
    current = {"ref": "", "title": _("Before the first heading"), "total": 0, "open": 0}
    for block in blocks:
        if block.kind == "heading" and block.level == 1:
            if current["total"] or current["ref"]:
                sections.append(current)
            current = {
                "ref": block.ref.section,
                "title": plain(block.text),
                "total": 0,
                "open": 0,
                "uid": block.uid,
            }
        for view in threads.for_block(block.uid):
            current["total"] += 1 + len(view.replies)
            current["open"] += 1 if view.comment.is_open else 0
    sections.append(current)
    return [s for s in sections if s["ref"] or s["total"]]


@bp.route("/d/<slug>/mine")
@login_required
def my_comments(slug: str):
    """What happened to each of my comments on a document: where, the decision, what changed there.

    The counts per outcome at the top link to ``?status=<outcome>``: the list filtered to exactly
    the comments that count counts (top-level comments with that status; replies have none).
    """
    document = get_document(slug)
    mine = db.session.scalars(
        sa.select(Comment)
        .where(Comment.document_id == document.id, Comment.author_id == current_user.id)
        .options(so.selectinload(Comment.parent), so.joinedload(Comment.block))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    ).all()
    outcomes = Counter(c.status for c in mine if c.parent_id is None)
    wanted = request.args.get("status")
    status = next((s for s in CommentStatus if s.value == wanted), None)
    unknown_status = wanted is not None and status is None
    shown = [c for c in mine if c.parent_id is None and c.status is status] if status else mine
    versions = {v.id: v for v in document.versions}
    # Each paragraph is named as it was numbered in the version commented on: one load per version.
    refs = {
        version_id: ref_labels(page_blocks(versions[version_id]))
        for version_id in {c.version_id for c in shown}
    }
    rows = []
    for comment in shown:
        uid = comment.block.uid if comment.block else None
        text = plain(comment.block_text or "")
        rows.append(
            {
                "comment": comment,
                "version": versions[comment.version_id],
                "ref": refs[comment.version_id].get(uid) if uid else None,
                "uid": uid,
                "excerpt": excerpt(text, comment.quote_exact, comment.quote_start) if text else None,
            }
        )
    return render_template(
        "review/mine.html",
        document=document,
        rows=rows,
        outcomes=[(status, outcomes[status]) for status in CommentStatus if outcomes[status]],
        status=status,
        unknown_status=unknown_status,
        has_comments=bool(mine),
        current=document.current_version,
    )
    outcomes = Counter(c.status for c in mine if c.parent_id is None)
    return render_template(
        "review/mine.html",
        document=document,
        rows=rows,
        outcomes=[(status, outcomes[status]) for status in CommentStatus if outcomes[status]],
        current=document.current_version,
    )
