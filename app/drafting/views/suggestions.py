"""Applying a comment's suggestion to the working draft: the preview, the conflict view, the act.

The routes keep their place among the decisions (``/d/<slug>/review/c/<id>/apply``, endpoint
``review.apply``, and ``…/apply/write``, ``review.apply_write``): they register on the review
blueprint, while the act itself, editing the draft, is drafting's. Review never imports drafting.

Nothing is applied that the editor has not seen: the preview (the paragraph as it would read,
the changes marked against the draft's text) comes first, and every post names the revision of
the draft's paragraph and of the comment it was made from. If either changed meanwhile, the
preview comes back (409) and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.documents.loaders import editor_document
from app.documents.models import Document
from app.drafting.forms import ApplyForm, ApplyWrittenForm
from app.drafting.markup import from_markup, to_markup
from app.drafting.operations import (
    DraftError,
    StaleEdit,
    apply_suggestion,
    suggestion_merge,
)
from app.extensions import db
from app.merge import CLEAN, DRAFT, Merge
from app.review.blueprint import bp
from app.review.cards import (
    back_to_dashboard,
    card_json,
    comment_of,
    dashboard_return,
    dashboard_url,
    decide_url,
    withdrawn_notice,
)
from app.review.dashboard import Filters, load_row, next_undecided
from app.review.models import Comment, CommentStatus
from app.richtext import from_segments
from app.web import wants_fragment
from app.worddiff import join_runs, word_ops

APPLY_ERRORS = {
    "no_draft": lambda: _("Start the next draft before applying suggestions."),
    "block_gone": lambda: _("The paragraph this suggestion is for is no longer in the draft."),
    "no_suggestion": lambda: _("This comment has no suggested wording to apply."),
    "withdrawn": withdrawn_notice,
    "already_applied": lambda: _(
        "This suggestion is already applied in the working draft. Nothing was changed."
    ),
    "table": lambda: _(
        "Suggestions for a table are not merged: change the table in the draft editor. Nothing was changed."
    ),
}

# Choices the editor can correct on the preview (400: the preview again, with the reason).
CHOICE_ERRORS = {
    "unresolved": lambda: _(
        "Choose the draft's text or the suggestion's for each conflict, or write the paragraph "
        "yourself. Nothing was changed."
    ),
    "nothing_taken": lambda: _(
        "You left every change, so there is nothing to apply. Nothing was changed. To turn the "
        "suggestion down, decide on the comment instead."
    ),
    "response_required": lambda: _(
        "You left some changes, so the comment will be partly accepted: give the commenter a reason."
    ),
}


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One change as the list on the preview shows it: its words in a sentence, and in its context."""

    number: int
    state: str
    label: str
    ops: list
    conflict: int | None


@dataclass(frozen=True, slots=True)
class ConflictRow:
    """One conflict as the editor chooses it: the stretch as the draft and as the suggestion have it,
    between a few words of the draft's text (*more_before*, *more_after*: the paragraph goes on)."""

    number: int
    changes: tuple[int, ...]
    before: str
    after: str
    more_before: bool
    more_after: bool
    base: Markup
    draft: Markup
    proposal: Markup


def _words_of(tokens) -> str:
    """The plain text of some tokens; a long stretch as its first and last words."""
    words = "".join(text for text, _marks in tokens).split()
    if len(words) > 14:
        words = [*words[:6], "…", *words[-6:]]
    return " ".join(words)


def _rich(tokens) -> Markup:
    # Tokens of stored (sanitised) rich text, written back through the one escaping writer.
    return Markup(from_segments(join_runs(list(tokens))))  # noqa: S704


def _change_label(change) -> str:
    old, new = _words_of(change.old), _words_of(change.new)
    if not old:
        return _("Add “%(new)s”", new=new)
    if not new:
        return _("Remove “%(old)s”", old=old)
    if old == new:
        return _("Change the formatting of “%(text)s”", text=new)
    return _("Replace “%(old)s” with “%(new)s”", old=old, new=new)


def change_rows(merged: Merge) -> list[ChangeRow]:
    """Every change of the suggestion, for the list the editor takes them from."""
    return [
        ChangeRow(c.number, c.state, _change_label(c), merged.change_ops(c), c.conflict)
        for c in merged.changes
    ]


def conflict_rows(merged: Merge) -> list[ConflictRow]:
    """Every conflict, with a few words of the draft's text around it."""
    rows = []
    for conflict in merged.conflicts:
        before, after = merged.conflict_context(conflict)
        rows.append(
            ConflictRow(
                number=conflict.number,
                changes=conflict.changes,
                before="".join(text for text, _marks in before),
                after="".join(text for text, _marks in after),
                more_before=len(before) < conflict.start,
                more_after=len(after) < len(merged.current_tokens) - conflict.end,
                base=_rich(conflict.base),
                draft=_rich(conflict.draft),
                proposal=_rich(conflict.proposal),
            )
        )
    return rows


# The same, for a paragraph the editor wrote: (the field it belongs to, the message).
WRITTEN_ERRORS = {
    "nothing_taken": (
        "text",
        lambda: _("This is the paragraph as the draft has it now: there is nothing to apply."),
    ),
    "response_required": (
        "response",
        lambda: _(
            "Your text is not the whole suggestion, so the comment will be partly accepted: "
            "give the commenter a reason."
        ),
    ),
}


def _changed_meanwhile() -> str:
    return _(
        "The paragraph in the draft or the suggestion has changed since you saw the preview. "
        "Nothing was changed. Check it again as it is now."
    )


def apply_url(document: Document, comment: Comment, version, filters: Filters, back: str | None) -> str:
    """The preview of a suggestion applied (and its conflict view), keeping the way back."""
    way_back = {"back": back} if back else {}
    return url_for(
        "review.apply",
        slug=document.slug,
        comment_id=comment.id,
        v=version.number,
        **way_back,
        **filters.args(),
    )


@bp.route("/d/<slug>/review/c/<int:comment_id>/apply", methods=["GET", "POST"])
@login_required
def apply(slug: str, comment_id: int):
    """The paragraph as it would read with the suggestion applied; apply the changes taken.

    GET shows the preview with every change taken that does not conflict, each with its box, and
    a choice in each conflict. POST with ``preview`` shows it again as chosen (the page's own
    script does that in place); without, it applies. The dashboard's cards post here too, with
    every change taken, saying ``back=dashboard``: a script gets the card back as JSON; without
    one the editor returns to the dashboard with the same filters and page, at the card.
    """
    document = editor_document(slug)
    comment = comment_of(document, comment_id)
    version, filters = dashboard_return(document, comment)
    form = ApplyForm()
    posted = request.method == "POST"
    if posted and not form.validate_on_submit() and set(form.errors) - {"response"}:
        abort(400)
    if not posted:
        form.back.data = "dashboard" if request.args.get("back") == "dashboard" else ""
    draft = document.draft
    try:
        revision, merged = suggestion_merge(draft, comment)
    except DraftError as error:
        return _refused(document, version, filters, comment, error.code)
    clean = [c.number for c in merged.changes if c.state == CLEAN]
    if not posted:
        form.response.data = comment.response or ""
        return _preview(document, version, filters, comment, form, revision, merged, clean, {})
    if form.revision.data is None or form.row_version.data is None:
        abort(400)
    taken, choices = form.take.data or [], form.conflict_choices()
    if form.row_version.data != comment.row_version:
        # The suggestion itself (or its decision) changed: start again from the new one.
        return _changed(document, version, filters, comment, form, revision, merged, clean, {})
    if form.revision.data != revision.revision:
        # The draft changed: the changes keep their numbers, the conflicts may not.
        return _changed(document, version, filters, comment, form, revision, merged, taken, {})
    if form.previewing or form.errors:
        status = 400 if form.errors else 200
        return _preview(document, version, filters, comment, form, revision, merged, taken, choices, status)
    try:
        applied = apply_suggestion(
            draft,
            comment,
            current_user,
            base_revision=revision.revision,
            taken=taken,
            choices=choices,
            response=form.response.data if "response" in request.form else None,
        )
    except StaleEdit:
        db.session.rollback()
        return _reload_changed(document, version, filters, comment, form, taken)
    except DraftError as error:
        db.session.rollback()
        if error.code not in CHOICE_ERRORS:
            return _refused(document, version, filters, comment, error.code)
        message = CHOICE_ERRORS[error.code]()
        if error.code == "response_required":
            form.response.errors = [message]
        return _preview(
            document, version, filters, comment, form, revision, merged, taken, choices, 400, message
        )
    db.session.commit()
    return _applied(document, version, filters, comment, applied, form.back.data)


@bp.route("/d/<slug>/review/c/<int:comment_id>/apply/write", methods=["GET", "POST"])
@login_required
def apply_write(slug: str, comment_id: int):
    """Write the paragraph oneself, beside the three texts, in place of the merge (conflicts).

    It starts as the draft's text with every change that does not conflict; "Preview" shows it
    marked against the draft's text, and applying it writes it as it stands.
    """
    document = editor_document(slug)
    comment = comment_of(document, comment_id)
    version, filters = dashboard_return(document, comment)
    form = ApplyWrittenForm()
    posted = request.method == "POST"
    if posted and not form.validate_on_submit() and set(form.errors) - {"text", "response"}:
        abort(400)
    if not posted:
        form.back.data = "dashboard" if request.args.get("back") == "dashboard" else ""
    draft = document.draft
    try:
        revision, merged = suggestion_merge(draft, comment)
    except DraftError as error:
        return _refused(document, version, filters, comment, error.code)
    if not posted:
        clean = [c.number for c in merged.changes if c.state == CLEAN]
        keep = dict.fromkeys((c.number for c in merged.conflicts), DRAFT)
        form.text.data = to_markup(merged.result(clean, keep))
        form.response.data = comment.response or ""
        return _written(document, version, filters, comment, form, revision, merged)
    if form.revision.data is None or form.row_version.data is None:
        abort(400)
    if form.revision.data != revision.revision or form.row_version.data != comment.row_version:
        return _written(
            document, version, filters, comment, form, revision, merged, 409, _changed_meanwhile()
        )
    if form.previewing or form.errors:
        return _written(
            document, version, filters, comment, form, revision, merged, 400 if form.errors else 200
        )
    try:
        applied = apply_suggestion(
            draft,
            comment,
            current_user,
            base_revision=revision.revision,
            written=from_markup(form.text.data),
            response=form.response.data,
        )
    except StaleEdit:
        db.session.rollback()
        revision, merged = suggestion_merge(draft, comment)
        return _written(
            document, version, filters, comment, form, revision, merged, 409, _changed_meanwhile()
        )
    except DraftError as error:
        db.session.rollback()
        if error.code not in WRITTEN_ERRORS:
            return _refused(document, version, filters, comment, error.code)
        field, message = WRITTEN_ERRORS[error.code]
        getattr(form, field).errors = [message()]
        return _written(document, version, filters, comment, form, revision, merged, 400)
    db.session.commit()
    return _applied(document, version, filters, comment, applied, form.back.data)


# --------------------------------------------------------------------------- the answers


def _applied(document: Document, version, filters: Filters, comment: Comment, applied, back: str | None):
    """Done: the card (in place), the dashboard at the card, or the decision page."""
    if applied.status is CommentStatus.PARTLY_ACCEPTED:
        message = _(
            "%(taken)d of the %(all)d changes suggested in #%(n)d are now in the working draft and the "
            "comment is partly accepted.",
            taken=len(applied.taken),
            all=len(applied.taken) + len(applied.left),
            n=comment.number,
        )
    else:
        message = _(
            "The suggested wording of #%(n)d is now in the working draft and the comment is accepted.",
            n=comment.number,
        )
    if wants_fragment():
        # The paragraph opens on the card: the editor sees the wording the draft now holds.
        return card_json(document, version, filters, comment, None, message, 200, open_paragraph=True)
    if back == "dashboard":
        return _applied_to_dashboard(document, version, filters, comment, message)
    if applied.status is CommentStatus.ACCEPTED:
        message = _(
            "The suggested wording of #%(n)d is now in the draft and the comment is accepted. "
            "You can write a response below.",
            n=comment.number,
        )
    flash(message, "success")
    return redirect(decide_url(document, comment.id, version, filters))


def _applied_to_dashboard(document: Document, version, filters: Filters, comment: Comment, message: str):
    """Back to the dashboard at the applied comment's card, where its response is written next.

    Under "not yet decided" (or another status) the card has left the list: then the flow goes on
    as after a decision, at the next undecided comment.
    """
    if not filters.unanswered and filters.status in ("", comment.status.value):
        flash(message, "success")
        return redirect(dashboard_url(document, version, filters, comment.number))
    following = next_undecided(document, version, filters, comment)
    return back_to_dashboard(document, version, filters, comment, message, following)


def _preview(
    document: Document,
    version,
    filters: Filters,
    comment: Comment,
    form: ApplyForm,
    revision,
    merged: Merge,
    taken,
    choices: dict,
    status: int = 200,
    notice: str | None = None,
):
    """The preview page (the conflict view when there are conflicts); a card asking gets its card."""
    if wants_fragment():
        url = apply_url(document, comment, version, filters, "dashboard")
        link = _("Resolve the conflict for #%(n)d", n=comment.number) if merged.conflicts else None
        return card_json(
            document,
            version,
            filters,
            comment,
            None,
            notice or _changed_meanwhile(),
            409 if status == 200 else status,
            links=((url, link or _("Choose the changes of #%(n)d", n=comment.number)),),
        )
    taken = set(taken)
    form.shown(revision.revision, comment.row_version)
    unresolved = (
        {c.number for c in merged.conflicts if c.number not in choices} if notice and status == 400 else set()
    )
    return render_template(
        "review/apply.html",
        document=document,
        comment=comment,
        row=load_row(version, comment, document.draft),
        version=version,
        filters=filters,
        form=form,
        merged=merged,
        parts=merged.parts(taken, choices),
        changes=change_rows(merged),
        conflicts=conflict_rows(merged),
        taken=taken,
        choices=choices,
        unresolved=unresolved,
        notice=notice,
        current=revision.text,
        write_url=url_for(
            "review.apply_write",
            slug=document.slug,
            comment_id=comment.id,
            v=version.number,
            **({"back": "dashboard"} if form.back.data == "dashboard" else {}),
            **filters.args(),
        ),
        back_url=_back_url(document, version, filters, comment, form.back.data),
    ), status


def _changed(document, version, filters, comment, form, revision, merged, taken, choices):
    """The draft or the suggestion changed since the preview: the new preview, nothing written (409)."""
    return _preview(
        document, version, filters, comment, form, revision, merged, taken, choices, 409, _changed_meanwhile()
    )


def _reload_changed(document, version, filters, comment, form, taken):
    """Another editor saved the paragraph between our check and our write: the preview anew."""
    comment = comment_of(document, comment.id)
    try:
        revision, merged = suggestion_merge(document.draft, comment)
    except DraftError as error:
        return _refused(document, version, filters, comment, error.code)
    return _changed(document, version, filters, comment, form, revision, merged, taken, {})


def _written(document, version, filters, comment, form, revision, merged, status=200, notice=None):
    """The page where the editor writes the paragraph, with the three texts and a preview of it."""
    if wants_fragment():
        return card_json(document, version, filters, comment, None, notice or _changed_meanwhile(), 409)
    form.shown(revision.revision, comment.row_version)
    preview = word_ops(revision.text, from_markup(form.text.data or "")) if form.text.data else None
    return render_template(
        "review/apply_write.html",
        document=document,
        comment=comment,
        version=version,
        filters=filters,
        form=form,
        merged=merged,
        conflicts=conflict_rows(merged),
        current=revision.text,
        preview=preview,
        notice=notice,
        apply_url=apply_url(document, comment, version, filters, form.back.data or None),
        back_url=_back_url(document, version, filters, comment, form.back.data),
    ), status


def _back_url(document, version, filters, comment, back) -> str:
    if back == "dashboard":
        return dashboard_url(document, version, filters, comment.number)
    return decide_url(document, comment.id, version, filters)


def _refused(document: Document, version, filters: Filters, comment: Comment, code: str):
    """Why the suggestion cannot be applied (nothing changed): on the card (409), else on a page."""
    message = APPLY_ERRORS.get(code, APPLY_ERRORS["no_suggestion"])()
    decision_page = decide_url(document, comment.id, version, filters)
    edit_url = None
    if code == "table" and comment.block is not None:
        edit_url = url_for("drafting.edit_block", slug=document.slug, uid=comment.block.uid)
    if wants_fragment():
        links = ((edit_url, _("Edit this paragraph in the draft")),) if edit_url else ()
        return card_json(document, version, filters, comment, None, message, 409, links=links)
    return render_template(
        "review/apply_refused.html",
        document=document,
        comment=comment,
        message=message,
        edit_url=edit_url,
        decide_url=decision_page,
    ), 409
