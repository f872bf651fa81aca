"""The agenda's pages (issue 25, point 4): hosts add, change, move and remove items and upload
slides; everyone who may read the meeting downloads its published attachments.

Each view: load (404) → check (403) → validate → act → commit → flash and redirect. Moving and
removing are plain form posts, so they work without JavaScript.
"""

from __future__ import annotations

from dataclasses import replace

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.extensions import db
from app.meetings import agenda
from app.meetings.agenda_forms import AgendaItemForm
from app.meetings.blueprint import bp
from app.meetings.loaders import get_meeting
from app.meetings.models import AgendaAttachment, AgendaItem, Meeting
from app.meetings.permissions import can_manage
from app.web.downloads import send_download
from app.web.forms import ConfirmForm

PDF_REFUSALS = {
    "empty": _l("The file is empty."),
    "too_large": _l("The file is larger than %(size)d MB."),
    "not_pdf": _l("The file is not a PDF. Save the slides as PDF and upload that file."),
    "damaged": _l("The PDF is damaged or cannot be read."),
    "encrypted": _l("The PDF is password-protected or encrypted. Save it without a password."),
    "active": _l(
        "The PDF contains scripts, embedded files or automatic actions. Save it again as plain PDF "
        "(for example with Print to PDF)."
    ),
}


def _max_bytes() -> int:
    return int(current_app.config.get("AGENDA_ATTACHMENT_MAX_BYTES", agenda.ATTACHMENT_MAX_BYTES))


def _refusal(error: agenda.PdfRejected) -> str:
    if error.code == "too_large":
        return _("The file is larger than %(size)d MB.", size=max(1, round(error.limit / 1024 / 1024)))
    return str(PDF_REFUSALS[error.code])


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting.id:
        abort(404)
    return item


def _to_agenda(meeting: Meeting, anchor: str = ""):
    return redirect(url_for("meetings.agenda_page", meeting_id=meeting.id) + (f"#{anchor}" if anchor else ""))


def _page(meeting: Meeting, form: AgendaItemForm, status: int = 200):
    return render_template(
        "meetings/agenda.html",
        meeting=meeting,
        rows=agenda.rows_for(meeting, True),
        form=form,
        confirm_form=ConfirmForm(),
    ), status


def _save(meeting: Meeting, form: AgendaItemForm, item: AgendaItem | None) -> AgendaItem | None:
    """Store the upload (if any) and the item; None (with the form's errors) when refused."""
    details = form.details()
    storage = form.uploaded
    try:
        if storage is not None:
            limit = _max_bytes()
            data = storage.read(limit + 1)
            attachment = agenda.store_attachment(meeting, data, storage.filename or "", current_user, limit)
            details = replace(details, link=(agenda.ATTACHMENT, attachment.id))
        if item is None:
            item = agenda.add_item(meeting, details, current_user)
        else:
            agenda.update_item(item, details, current_user)
    except agenda.PdfRejected as error:
        db.session.rollback()
        form.slides.errors = [*form.slides.errors, _refusal(error)]
        return None
    except agenda.AgendaRefused as error:
        db.session.rollback()
        form.form_errors.append(error.reason)
        return None
    return item


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["GET", "POST"])
@role_required(Role.HOST)
def agenda_page(meeting_id: int):
    """The agenda's items, to change, move and remove; the form adds one."""
    meeting = get_meeting(meeting_id)
    form = AgendaItemForm(meeting)
    if request.method == "POST":
        if form.validate_on_submit() and _save(meeting, form, None) is not None:
            db.session.commit()
            flash(_("The item has been added to the agenda."), "success")
            return _to_agenda(meeting)
        return _page(get_meeting(meeting_id), form, 400)
    return _page(meeting, form)


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(Role.HOST)
def edit_agenda_item(meeting_id: int, item_id: int):
    meeting = get_meeting(meeting_id)
    item = _item(meeting, item_id)
    form = AgendaItemForm(meeting) if request.method == "POST" else AgendaItemForm.for_item(meeting, item)
    if form.validate_on_submit() and _save(meeting, form, item) is not None:
        db.session.commit()
        flash(_("Your changes have been saved."), "success")
        return _to_agenda(meeting, f"item-{item.id}")
    status = 400 if form.is_submitted() else 200
    meeting = get_meeting(meeting_id)
    return render_template(
        "meetings/agenda_item.html", meeting=meeting, item=_item(meeting, item_id), form=form
    ), status


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/move", methods=["POST"])
@role_required(Role.HOST)
def move_agenda_item(meeting_id: int, item_id: int):
    meeting = get_meeting(meeting_id)
    item = _item(meeting, item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    if agenda.move_item(item, step, current_user):
        db.session.commit()
        flash(_("The item has been moved."), "success")
    else:
        flash(_("The item is already first or last."), "info")
    return _to_agenda(meeting, f"item-{item.id}")


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/remove", methods=["POST"])
@role_required(Role.HOST)
def remove_agenda_item(meeting_id: int, item_id: int):
    meeting = get_meeting(meeting_id)
    item = _item(meeting, item_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        agenda.remove_item(item, current_user)
    except agenda.AgendaRefused as error:
        db.session.rollback()
        flash(error.reason, "error")
        return _to_agenda(meeting, f"item-{item_id}")
    db.session.commit()
    flash(_("The item has been removed from the agenda."), "success")
    return _to_agenda(meeting)


@bp.route("/meetings/<int:meeting_id>/agenda/publish", methods=["POST"])
@role_required(Role.HOST)
def publish_agenda(meeting_id: int):
    """Publish the agenda (or take it back to "published later")."""
    meeting = get_meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    publish = request.form.get("publish") == "1"
    if agenda.set_published(meeting, publish, current_user):
        db.session.commit()
    if publish:
        flash(_("The agenda has been published."), "success")
    else:
        flash(_("The agenda is hidden until you publish it."), "success")
    return _to_agenda(meeting)


@bp.route("/meetings/attachments/<int:attachment_id>")
def agenda_attachment(attachment_id: int):
    """An attachment of a meeting's agenda, for whoever may read the meeting once the agenda is
    published (hosts always); always a download, never shown inline."""
    attachment = db.session.get(AgendaAttachment, attachment_id)
    if attachment is None:
        abort(404)
    meeting = get_meeting(attachment.meeting_id)
    if not (meeting.agenda_published or can_manage(current_user)):
        abort(404)
    response = send_download(
        agenda.attachment_bytes(attachment), attachment.file_name, "application/pdf", etag=attachment.sha256
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response
