"""Routes: an organisation's response (draft, submit, history), the editors' table, the outcome report."""

from __future__ import annotations

import sqlalchemy as sa
from babel.lists import format_list
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts.models import Organisation
from app.documents.loaders import page_blocks, published_version
from app.documents.models import Document, Version
from app.extensions import db
from app.notifications.models import Notification
from app.responses import operations
from app.responses.blueprint import bp
from app.responses.docx_writer import write_outcome
from app.responses.forms import (
    ConfirmSubmitForm,
    ResponseForm,
    read_summary_token,
    section_choices,
    summary_token,
)
from app.responses.labels import POSITION_LABELS, STATE_LABELS
from app.responses.models import Response, ResponseState
from app.responses.outcome import consulted_organisations, load_comments, load_outcome, load_records
from app.responses.reminders import reminder_key
from app.review.labels import STATUS_LABELS
from app.review.models import CommentStatus
from app.review.threads import who_sees_what
from app.web.downloads import send_download

# The web view lists the comments a page at a time; the counts, the files and the API cover all.
COMMENTS_PER_PAGE = 200
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

REFUSALS = {
    "closed": lambda: _("This version is closed: responses can no longer be given or changed."),
    "deadline": lambda: _(
        "The deadline for this version has passed: responses can no longer be given or changed."
    ),
    "no_position": lambda: _("Choose the organisation's overall position before submitting."),
    "no_decision_maker": lambda: _("Name who decided the response before submitting."),
}


def _labels() -> dict:
    """The position labels as plain strings: a lazy one is translated anew at each use."""
    return {position: str(label) for position, label in POSITION_LABELS.items()}


def _status_text() -> dict[str, str]:
    """Decision labels by value as plain strings (a lazy label is translated again at every use)."""
    return {status.value: str(STATUS_LABELS[status]) for status in CommentStatus}


def _organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


def _drafting(slug: str, number: int, organisation_id: int) -> tuple[Document, Version, Organisation]:
    """The published version and the organisation whose draft the current member works on (403
    for anyone outside it): what the draft's form and its confirmation both load first."""
    document, version = published_version(slug, number)
    organisation = _organisation(organisation_id)
    if not operations.can_draft(current_user, organisation.id):
        abort(403)
    return document, version, organisation


def _data(form: ResponseForm, chosen) -> operations.ResponseData:
    return operations.ResponseData(
        position=form.chosen_position,
        summary=form.summary.data or "",
        reference=form.reference.data or "",
        decision_maker=form.decision_maker.data or "",
        decision_maker_title=form.decision_maker_title.data or "",
        officer=form.officer.data or "",
        sections=chosen,
    )


def _fill(form: ResponseForm, response: Response) -> None:
    form.position.data = response.position.value if response.position else None
    form.summary.data = response.summary
    form.reference.data = response.reference
    form.decision_maker.data = response.decision_maker
    form.decision_maker_title.data = response.decision_maker_title
    form.officer.data = response.officer


@bp.route("/d/<slug>/v/<int:number>/responses/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, number: int, organisation_id: int):
    """The organisation's shared draft: members save it, a member who may answer submits it."""
    document, version, organisation = _drafting(slug, number, organisation_id)
    sections = operations.sections_of(page_blocks(version))
    draft = operations.draft_of(version, organisation.id)
    standing = next(
        (r for r in operations.records_of(version, organisation.id) if r.state is ResponseState.SUBMITTED),
        None,
    )
    form = ResponseForm()
    chosen: dict = {}
    refusal = None
    conflict = False
    current = None
    status = 200
    try:
        operations.check_open(version)
    except operations.ResponseRefused as error:
        refusal = REFUSALS[error.code]()
        status = 409
    if refusal and request.method == "POST":
        pass  # nothing is saved; the page shows what was sent so that it is not lost
    elif request.method == "GET":
        start = draft or standing
        if start is not None:
            _fill(form, start)
            chosen = {s.block_uid: s.position for s in start.sections}
        form.row_version.data = str(draft.row_version if draft else 0)
    else:
        chosen, bad = section_choices(request.form, sections)
        submitting = bool(form.send.data)
        if submitting and not operations.can_submit(current_user, organisation.id):
            abort(403)
        if bad:
            form.form_errors.append(_("Choose a position from the list for each section, or none."))
        if form.validate_on_submit() and not bad:
            data = _data(form, chosen)
            try:
                if submitting:
                    # 'Lämna remissvaret' saves the draft and shows it to confirm; nothing is submitted yet.
                    operations.check_complete(data.position, data.decision_maker)
                operations.save_draft(version, organisation, data, sections, form.base, current_user)
            except operations.StaleResponse as stale:
                db.session.rollback()
                conflict, current = True, stale.current
                form.row_version.data = str(current.row_version if current else 0)
                status = 409
            except operations.ResponseRefused as error:
                db.session.rollback()
                form.form_errors.append(REFUSALS[error.code]())
                status = 400
            else:
                db.session.commit()
                if submitting:
                    return redirect(
                        url_for(".confirm", slug=slug, number=number, organisation_id=organisation.id)
                    )
                flash(
                    _("Draft saved. Other members of %(org)s can continue it.", org=organisation.name),
                    "success",
                )
                return redirect(url_for(".edit", slug=slug, number=number, organisation_id=organisation.id))
        else:
            status = 400
    bodies: dict[int, str] = {}
    return render_template(
        "responses/edit.html",
        comments=load_comments(version, True, html=bodies, organisation_id=organisation.id),
        bodies=bodies,
        comments_visible=True,
        status_text=_status_text(),
        document=document,
        version=version,
        organisation=organisation,
        form=form,
        sections=sections,
        chosen=chosen,
        draft=draft,
        standing=standing,
        refusal=refusal,
        conflict=conflict,
        current=current,
        current_sections={s.block_uid: s for s in current.sections} if current is not None else {},
        may_submit=operations.can_submit(current_user, organisation.id),
        answerers=_answerers(organisation),
        position_labels=_labels(),
    ), status


@bp.route("/d/<slug>/v/<int:number>/responses/<int:organisation_id>/submit", methods=["GET", "POST"])
@login_required
def confirm(slug: str, number: int, organisation_id: int):
    """'Lämna remissvaret': the draft as it will be submitted, confirmed with a token bound to it."""
    document, version, organisation = _drafting(slug, number, organisation_id)
    may_submit = operations.can_submit(current_user, organisation.id)
    if request.method == "POST" and not may_submit:
        abort(403)
    form = ConfirmSubmitForm()
    refusal = changed = None
    status = 200
    try:
        operations.check_open(version)
    except operations.ResponseRefused as error:
        refusal, status = REFUSALS[error.code](), 409
    closed = refusal is not None
    draft = operations.draft_of(version, organisation.id)
    if not closed and request.method == "POST":
        if not form.validate_on_submit():
            refusal, status = _("The form had expired. Nothing was submitted: confirm again."), 400
        else:
            shown = read_summary_token(form.summary_token.data, version.id, organisation.id)
            if shown is None:
                refusal, status = _no_summary(), 400
            else:
                try:
                    operations.submit_draft(version, organisation, shown, current_user)
                except operations.StaleResponse as stale:
                    db.session.rollback()
                    draft, status = stale.current, 409
                    changed = _(
                        "The draft was changed after the summary was shown. Nothing was submitted. "
                        "Check the summary as it is now and confirm again."
                    )
                except operations.ResponseRefused as error:
                    db.session.rollback()
                    refusal, status = REFUSALS[error.code](), 400
                else:
                    db.session.commit()
                    flash(_("The response of %(org)s is submitted.", org=organisation.name), "success")
                    return redirect(
                        url_for(".organisation", slug=slug, number=number, organisation_id=organisation.id)
                    )
    if draft is None and refusal is None:
        flash(_("There is no draft to submit yet: write the response and press the button again."), "info")
        return redirect(url_for(".edit", slug=slug, number=number, organisation_id=organisation.id))
    incomplete = None
    if draft is not None:
        try:
            operations.check_complete(draft.position, draft.decision_maker)
        except operations.ResponseRefused as error:
            incomplete = REFUSALS[error.code]()
        form.summary_token.data = summary_token(draft)
    standing = next(
        (r for r in operations.records_of(version, organisation.id) if r.state is ResponseState.SUBMITTED),
        None,
    )
    return render_template(
        "responses/confirm.html",
        document=document,
        version=version,
        organisation=organisation,
        draft=draft,
        standing=standing,
        form=form,
        refusal=refusal,
        changed=changed,
        incomplete=incomplete,
        closed=closed,
        may_submit=may_submit,
        answerers=_answerers(organisation),
        position_labels=_labels(),
    ), status


def _no_summary() -> str:
    return _(
        "This confirmation did not come from the summary of the draft, so nothing was submitted. "
        "Check the summary below and confirm again."
    )


def _answerers(organisation: Organisation) -> dict:
    """Who may submit the organisation's response, as names joined for a sentence ("A och B")."""
    names = [user.name for user in operations.answerers(organisation.id)]
    locale = str(get_locale() or "sv")
    return {
        "names": names,
        "all": format_list(names, locale=locale) if names else "",
        "any": format_list(names, style="or", locale=locale) if names else "",
    }


@bp.route("/d/<slug>/v/<int:number>/responses/<int:organisation_id>")
def organisation(slug: str, number: int, organisation_id: int):
    """An organisation's submitted response with every one it replaced; members also see their draft."""
    document, version = published_version(slug, number)
    organisation = _organisation(organisation_id)
    visible, names, _orgs = who_sees_what(document, current_user)
    records = [r for r in load_records(version, names) if r.organisation == organisation.name]
    member = operations.can_draft(current_user, organisation.id)
    draft = operations.draft_of(version, organisation.id) if member else None
    bodies: dict[int, str] = {}
    comments = load_comments(version, names, html=bodies, organisation_id=organisation.id) if visible else []
    return render_template(
        "responses/organisation.html",
        comments=comments,
        bodies=bodies,
        comments_visible=visible,
        status_text=_status_text(),
        document=document,
        version=version,
        organisation=organisation,
        standing=next((r for r in records if not r.is_replaced), None),
        history=[r for r in records if r.is_replaced],
        member=member,
        may_submit=operations.can_submit(current_user, organisation.id),
        answerers=_answerers(organisation) if member else None,
        draft=draft,
        accepts=version.accepts_comments(),
        position_labels=_labels(),
    )


@bp.route("/d/<slug>/v/<int:number>/responses")
@login_required
def overview(slug: str, number: int):
    """For editors: every consulted organisation with its response status, position and reminders."""
    document, version = published_version(slug, number)
    if not document.can_edit(current_user):
        abort(403)
    organisations = consulted_organisations(document)
    responses = db.session.execute(
        sa.select(Response.organisation_id, Response.state, Response.position, Response.submitted_at).where(
            Response.version_id == version.id, Response.state != ResponseState.REPLACED
        )
    ).all()
    replaced = dict(
        db.session.execute(
            sa.select(Response.organisation_id, sa.func.count())
            .where(Response.version_id == version.id, Response.state == ResponseState.REPLACED)
            .group_by(Response.organisation_id)
        ).all()
    )
    keys = [reminder_key(version, stage) for stage in ("week", "days")]
    reminded = dict(
        db.session.execute(
            sa.select(Notification.dedupe_key, sa.func.count())
            .where(Notification.dedupe_key.in_(keys))
            .group_by(Notification.dedupe_key)
        ).all()
    )
    by_org: dict[int, dict] = {}
    for org_id, state, position, submitted_at in responses:
        entry = by_org.setdefault(org_id, {})
        entry[state] = (position, submitted_at)
    known = {org_id for org_id, _name in organisations}
    extra = (
        db.session.execute(
            sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(set(by_org) - known))
        ).all()
        if set(by_org) - known
        else []
    )
    return render_template(
        "responses/overview.html",
        document=document,
        version=version,
        organisations=sorted([*organisations, *extra], key=lambda row: row[1].casefold()),
        by_org=by_org,
        replaced=replaced,
        reminded=[(stage, reminded.get(key, 0)) for stage, key in zip(("week", "days"), keys, strict=True)],
        position_labels=_labels(),
        state_labels=STATE_LABELS,
        states=ResponseState,
    )


def _outcome(document: Document, version: Version, limit: int | None = None, offset: int = 0):
    visible, names, _orgs = who_sees_what(document, current_user)
    return load_outcome(document, version, visible, names, limit, offset)


@bp.route("/d/<slug>/v/<int:number>/outcome")
def outcome(slug: str, number: int):
    """The public outcome report: who answered what, and what happened to every comment."""
    document, version = published_version(slug, number)
    raw_page = request.args.get("page", "1")
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 7 else 0
    if page < 1:
        abort(404)
    report = _outcome(document, version, COMMENTS_PER_PAGE, (page - 1) * COMMENTS_PER_PAGE)
    pages = max(1, -(-report.comment_total // COMMENTS_PER_PAGE))
    if page > pages:
        abort(404)
    rows, totals = report.decision_table()
    following = next((v for v in document.published_versions if v.number > version.number), None)
    return render_template(
        "responses/outcome.html",
        document=document,
        version=version,
        report=report,
        decision_rows=rows,
        decision_totals=totals,
        statuses=[CommentStatus(s) for s in totals],
        status_labels=STATUS_LABELS,
        status_text=_status_text(),
        position_labels=_labels(),
        paragraphs=report.by_paragraph(_("General comments")),
        next_version=following,
        page=page,
        pages=pages,
    )


@bp.route("/d/<slug>/v/<int:number>/outcome.docx")
def outcome_docx(slug: str, number: int):
    """The outcome report as a Word file ("Remissammanställning")."""
    document, version = published_version(slug, number)
    locale = get_locale()
    body = write_outcome(_outcome(document, version), locale.language if locale else "sv")
    return send_download(body, f"{document.slug}-v{version.number}-remissammanstallning.docx", DOCX_TYPE)
