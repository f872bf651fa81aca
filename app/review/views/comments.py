"""Comment pages and actions. Each view: load (404) → check (403) → validate → act → commit → redirect."""

from __future__ import annotations

from collections import Counter
from urllib.parse import quote as url_quote

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.documents.loaders import get_document, get_version, page_blocks, ref_labels
from app.documents.models import Document, Version
from app.extensions import db
from app.review import operations
from app.review.anchoring import Anchor
from app.review.blueprint import bp
from app.review.excerpts import excerpt
from app.review.forms import CommentForm, EditCommentForm, ReplyForm, SuggestionForm
from app.review.labels import thread_context
from app.review.loaders import comment_url, get_comment, refuse_closed, thread_is_open, wants_fragment
from app.review.models import Comment, CommentKind, CommentStatus
from app.review.quotes import span_of_words, widen, word_choices, word_numbers
from app.review.suggesting import Outcome, is_table, place, revision_of
from app.review.threads import FILTERS, CommentView, ReplyView, highlighted_texts, load_threads
from app.richtext import plain
from app.textmarkup import table_to_markup, to_markup
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


def _show_quote(form: CommentForm, text: str, start: int, end: int) -> None:
    """Fill the form's quote fields with the words [start, end) of the block's plain *text*."""
    form.quote.data = text[start:end]
    form.quote_start.data = str(start)
    numbers = word_numbers(text, start, end)
    if numbers is not None:
        form.quote_from.data, form.quote_to.data = (str(n) for n in numbers)


def _quote(block, form: CommentForm) -> operations.Quote | bool | None:
    """The whole-word quote the form asks for; None without one; False when refused (errors set).

    Words chosen by number come first (the keyboard's way); a typed or selected quote must
    stand in the paragraph, and one that cuts a word is widened and shown again, not stored.
    """
    text = plain(block.text)
    chosen = form.chosen_words()
    if chosen is not None:
        span = span_of_words(text, *chosen)
        if span is None:
            form.quote_from.errors.append(_("Choose a first word that comes before the last word."))
            return False
        return operations.locate_quote(block.text, text[span[0] : span[1]], start=span[0])
    if not (form.quote.data or "").strip():
        return None
    start = form.quote_start.data
    quote = operations.locate_quote(
        block.text, form.quote.data, start=int(start) if (start or "").isdigit() else None
    )
    if quote is None:
        form.quote.errors.append(_("The quoted text must be copied exactly from this paragraph."))
        return False
    span = widen(text, quote.start, quote.end)
    if span is None:
        form.quote.errors.append(_("Quote at least one word of the paragraph."))
        return False
    if span != (quote.start, quote.end):
        _show_quote(form, text, *span)
        form.quote.errors.append(
            _(
                "A quote is whole words. It now reads “%(quote)s”: check it and send again.",
                quote=form.quote.data,
            )
        )
        return False
    return quote


def _store_comment(document: Document, version: Version, block, form: CommentForm):
    quote = _quote(block, form) if block is not None else None
    if quote is False:
        return None
    return operations.create_comment(
        version=version,
        revision=block,
        author=current_user,
        kind=CommentKind(form.kind.data),
        body=form.body.data.strip(),
        quote=quote,
    )


def _mention_notices(comment) -> list[str]:
    """What the author must hear about their @mentions: who could not be told."""
    return [
        _("%(name)s cannot see the document and has not been notified.", name=name)
        for name in getattr(comment, "unreachable_mentions", [])
    ]


def _with_notices(response, notices: list[str]):
    """A fragment answer carrying *notices* for the page's script (X-Remiss-Notice, URL-encoded)."""
    if notices:
        body, status = response
        return body, status, {"X-Remiss-Notice": url_quote(" ".join(notices))}
    return response


def _after_store(comment, document, version, block):
    notices = _mention_notices(comment)
    if not wants_fragment():
        # Worked out before the commit, which expires every loaded object: afterwards each
        # would be read again, in a transaction of its own.
        target = comment_url(comment, version)
        if comment.kind is CommentKind.SUGGESTION:
            message = _("Thank you. Your suggestion #%(n)d has been recorded.", n=comment.number)
        else:
            message = _("Thank you. Your comment #%(n)d has been recorded.", n=comment.number)
        db.session.commit()
        flash(message, "success")
        for notice in notices:
            flash(notice, "warning")
        return redirect(target)
    db.session.commit()
    return _with_notices((_thread_fragment(comment), 201), notices)


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
    text = plain(block.text)
    form.set_words(word_choices(text))
    if request.method == "GET" and request.args.get("quote", "").strip():
        # A selection from the page (the script sends it whole words already): shown widened.
        start = request.args.get("start", "")
        found = operations.locate_quote(
            block.text, request.args["quote"][:2000], start=int(start) if start.isdigit() else None
        )
        span = widen(text, found.start, found.end) if found is not None else None
        if span is not None:
            _show_quote(form, text, *span)
        else:
            form.quote.data = request.args["quote"][:2000]
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
        notices = _mention_notices(answer)
        db.session.commit()
        if wants_fragment():
            fragment = render_template(
                "review/_reply.html",
                r=ReplyView.of(answer, current_user),
                show_names=True,
                show_organisations=True,
                **thread_context(),
            )
            return _with_notices((fragment, 201), notices)
        flash(_("Your reply has been recorded."), "success")
        for notice in notices:
            flash(notice, "warning")
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
    """The author edits their comment until an editor has responded; the history is kept.

    A suggestion is edited with the same paragraph editor it was made with.
    """
    comment = get_comment(comment_id)
    if not comment.is_author(current_user):
        abort(403)
    if not comment.can_edit(current_user):
        message = _(
            "This comment can no longer be edited: an editor has responded to it, or it was withdrawn."
        )
        if wants_fragment():
            return {"error": message}, 403
        return render_template("errors/error.html", code=403, message=message), 403
    if comment.kind is CommentKind.SUGGESTION and comment.parent_id is None:
        return _edit_suggestion(comment)
    form = EditCommentForm(
        data=None if request.method == "POST" else {"kind": comment.kind.value, "body": comment.body}
    )
    if comment.parent_id is not None:
        del form.kind
    if form.validate_on_submit():
        operations.edit_comment(
            comment,
            kind=CommentKind(form.kind.data) if "kind" in form else comment.kind,
            body=form.body.data.strip(),
            suggestion=None,
            actor=current_user,
        )
        notices = _mention_notices(comment)
        db.session.commit()
        flash(_("Your changes have been saved."), "success")
        for notice in notices:
            flash(notice, "warning")
        return redirect(comment_url(comment.parent or comment))
    return render_template(
        "review/edit.html", form=form, comment=comment
    ), 400 if form.is_submitted() else 200


def _edit_suggestion(comment: Comment):
    """Edit an open suggestion: the whole paragraph again, against the text it was made on."""
    revision = revision_of(comment.version, comment.block_id) if comment.block_id else None
    table = is_table(revision)
    form = SuggestionForm()
    if request.method == "GET":
        form.text.data = (table_to_markup if table else to_markup)(comment.suggestion or "")
        form.body.data = comment.body
    if form.validate_on_submit():
        proposal = form.check_proposal(comment.block_text or "", table=table)
        if proposal is not None:
            operations.edit_comment(
                comment,
                kind=CommentKind.SUGGESTION,
                body=(form.body.data or "").strip(),
                suggestion=proposal,
                actor=current_user,
            )
            notices = _mention_notices(comment)
            top = comment.parent or comment
            target = comment_url(top)
            db.session.commit()
            if wants_fragment():
                return _with_notices((_thread_fragment(top), 200), notices)
            flash(_("Your changes have been saved."), "success")
            for notice in notices:
                flash(notice, "warning")
            return redirect(target)
    status = 400 if form.is_submitted() else 200
    context = {
        "form": form,
        "comment": comment,
        "action": url_for("review.edit", comment_id=comment.id),
        "table": table,
        "editable": wants_fragment() and not table,
        "proposal_html": _proposal_html(form, comment.suggestion or ""),
        "cancel_url": comment_url(comment),
    }
    if wants_fragment():
        return render_template("review/_suggestion_form.html", **context), status
    return render_template("review/edit.html", **context), status


def _proposal_html(form: SuggestionForm, fallback: str) -> str:
    """What the editable paragraph holds: what the member sent (sanitised), else *fallback*."""
    return form.proposal() if form.is_submitted() and (form.html.data or "").strip() else fallback


def _thread_fragment(comment: Comment) -> str:
    """One thread's HTML, for the page's script after a change."""
    view = CommentView.of(comment, _fresh_anchor(), current_user)
    return render_template(
        "review/_thread.html",
        view=view,
        show_names=True,
        show_organisations=True,
        thread_open=True,
        **thread_context(),
    )


@bp.route("/d/<slug>/v/<int:number>/b/<uid>/suggest", methods=["GET", "POST"])
@login_required
def suggest_block(slug: str, number: int, uid: str):
    """Suggest a new wording of one paragraph: edited in place with JavaScript, a form without.

    The form carries the revision the page showed; a proposal is stored only against that
    text (app.review.suggesting), and is refused when empty, too long or no change at all.
    """
    document = get_document(slug)
    version = get_version(document, number)
    block = _page_block(page_blocks(version), uid)
    form = SuggestionForm()
    if request.method == "GET":
        if not version.accepts_comments():
            return refuse_closed(version)
        revision = revision_of(version, block.block_id)
        form.revision.data = str(revision.id)
        table = is_table(revision)
        form.text.data = (table_to_markup if table else to_markup)(revision.text)
        return _suggestion_page(document, version, block, form, table)
    placement = place(document, version, block.block_id, form.revision.data)
    if placement.outcome is Outcome.CLOSED:
        return refuse_closed(version)
    if not form.validate_on_submit():
        return _suggestion_page(document, version, block, form, is_table(placement.base), 400)
    if placement.outcome is Outcome.UNKNOWN:
        form.text.errors.append(
            _("This form is out of date. Load the paragraph again and make your change there.")
        )
        return _suggestion_page(document, version, block, form, False, 400)
    table = is_table(placement.base)
    proposal = form.check_proposal(placement.base.text, table=table)
    if proposal is None:
        return _suggestion_page(document, version, block, form, table, 400)
    if placement.outcome is Outcome.CHANGED:
        return _suggestion_conflict(document, block, placement, proposal)
    comment = operations.create_comment(
        version=placement.version,
        revision=placement.revision,
        author=current_user,
        kind=CommentKind.SUGGESTION,
        body=(form.body.data or "").strip(),
        suggestion=proposal,
    )
    return _after_store(comment, document, placement.version, block)


def _suggestion_page(document, version, block, form: SuggestionForm, table: bool, status: int = 200):
    context = {
        "document": document,
        "version": version,
        "block": block,
        "form": form,
        "table": table,
        "action": url_for("review.suggest_block", slug=document.slug, number=version.number, uid=block.uid),
        "editable": wants_fragment() and not table,
        "proposal_html": _proposal_html(form, block.text),
        "cancel_url": url_for("documents.version", slug=document.slug, number=version.number)
        + f"#{block.anchor}",
    }
    if wants_fragment():
        return render_template("review/_suggestion_form.html", **context), status
    return render_template("review/suggest.html", **context), status


def _suggestion_conflict(document, block, placement, proposal: str):
    """409: the paragraph changed since the page was loaded. Both texts, the member's wording
    kept, and the form again on the paragraph as it reads now; nothing is stored."""
    version, revision = placement.version, placement.revision
    form = None
    if revision is not None:
        form = SuggestionForm(formdata=None)
        form.revision.data = str(revision.id)
        form.text.data = (table_to_markup if is_table(revision) else to_markup)(revision.text)
    current_block = next((b for b in page_blocks(version) if b.uid == block.uid), None)
    context = {
        "document": document,
        "version": version,
        "block": current_block or block,
        "base": placement.base,
        "current": revision,
        "proposal": proposal,
        "form": form,
        "table": is_table(revision),
        "editable": wants_fragment() and not is_table(revision),
        "proposal_html": revision.text if revision is not None else "",
        "action": url_for("review.suggest_block", slug=document.slug, number=version.number, uid=block.uid),
        "cancel_url": url_for("documents.version", slug=document.slug, number=version.number)
        + f"#{block.anchor}",
    }
    template = "review/_suggestion_conflict.html" if wants_fragment() else "review/suggestion_conflict.html"
    return render_template(template, **context), 409


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
