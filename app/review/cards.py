"""The editors' decision cards as responses, and where a decision returns to.

Shared by the decision views (app.review.views.decisions) and the view that applies a
suggestion to the working draft (app.drafting.views.suggestions): both answer the dashboard's
script with the card, or return the editor to the dashboard with its filters and page.
"""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from app.documents.models import Document
from app.extensions import db
from app.review.dashboard import Filters, load_row
from app.review.forms import DecisionForm
from app.review.labels import STATUS_LABELS
from app.review.models import Comment


def withdrawn_notice() -> str:
    """Why a withdrawn comment is neither decided nor applied."""
    return _("The author has withdrawn this comment. It stays on record and needs no decision.")


def comment_of(document: Document, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.parent_id is not None:
        abort(404)
    if comment.document_id != document.id:
        abort(403)
    return comment


def _review_version(document: Document, comment: Comment):
    """The version whose dashboard a decided comment returns to: the newest published one."""
    return document.current_version or comment.version


def dashboard_return(document: Document, comment: Comment):
    """The dashboard the editor came from (``?v=`` and its filters), else the newest version's."""
    number = request.args.get("v", "")
    version = next((v for v in document.versions if str(v.number) == number), None)
    if version is None:
        version = _review_version(document, comment)
    return version, Filters.from_args(request.args)


def dashboard_url(document: Document, version, filters: Filters, anchor: int | None = None, **changes) -> str:
    url = url_for("review.dashboard", slug=document.slug, number=version.number, **filters.args(**changes))
    return url + (f"#c-{anchor}" if anchor else "")


def decide_url(document: Document, comment_id: int, version, filters: Filters, **changes) -> str:
    return url_for(
        "review.decide",
        slug=document.slug,
        comment_id=comment_id,
        v=version.number,
        **filters.args(**changes),
    )


def card_choices() -> list[SelectChoice]:
    """The decision choices for the cards, their labels translated once: a page renders them on
    every one of its hundred cards, and a lazy label would look its translation up each time."""
    return [SelectChoice(choice.value, str(choice.label)) for choice in DecisionForm().status.choices]


def csrf_field() -> Markup:
    """The CSRF token field, built once for the hundred card forms of a page."""
    return Markup('<input name="csrf_token" type="hidden" value="%s">') % generate_csrf()


def card_json(
    document,
    version,
    filters: Filters,
    comment: Comment,
    form,
    notice,
    status: int,
    links: tuple = (),
    open_paragraph: bool = False,
):
    """The card of *comment* as the dashboard shows it, for the script.

    The script moves the counts itself, from the status its card showed to the one sent back:
    counting 3,000 comments again would cost more than the decision. *links* (url, text) follow
    the notice: where to go when the card cannot say it all.
    """
    row = load_row(version, comment, document.draft)
    card = render_template(
        "review/_card_response.html",
        document=document,
        version=version,
        filters=filters,
        row=row,
        form=form if status != 200 else None,
        notice=notice,
        notice_kind="success" if status == 200 else "error",
        notice_links=links,
        open_paragraph=open_paragraph,
        draft=document.draft,
        csrf_field=csrf_field(),
        choices=card_choices(),
    )
    return jsonify(
        ok=status == 200,
        number=comment.number,
        status=comment.status.value,
        status_label=str(STATUS_LABELS[comment.status]),
        open=comment.is_open,
        message=notice,
        card=card,
    ), status


def back_to_dashboard(
    document: Document, version, filters: Filters, comment: Comment, message: str, following
):
    """Flash *message* and return to the dashboard with the same filters and page.

    At the next undecided comment (*following*) when it is on that page, else at *comment*.
    """
    flash(message, "success")
    anchor = following.number if following.page == filters.page else comment.number
    return redirect(dashboard_url(document, version, filters, anchor))
