"""Meeting pages, the meeting form, exporting the pack and downloading its files.

Each view: load (404) → check (403) → validate → act → commit → flash and redirect.
"""

from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.database import utcnow
from app.documents.loaders import get_document
from app.documents.models import Document, Visibility
from app.extensions import db, login_manager
from app.meetings import operations
from app.meetings.blueprint import bp
from app.meetings.forms import MeetingForm
from app.meetings.models import Export, ExportKind, Meeting
from app.meetings.permissions import can_download, can_manage
from app.timeutil import to_local, to_utc
from app.web.downloads import send_download
from app.web.forms import ConfirmForm

EXPORT_LABELS = {
    ExportKind.TRACKED: _l("Word file with tracked changes and comments"),
    ExportKind.CLEAN: _l("Word file with the clean text"),
    ExportKind.CSV: _l("Compilation of comments for Excel (CSV)"),
    ExportKind.JSON: _l("Compilation of comments (JSON)"),
}
_KIND_ORDER = {kind: i for i, kind in enumerate(EXPORT_LABELS)}


def get_meeting(meeting_id: int) -> Meeting:
    """The meeting with *meeting_id* if the current user may read its document."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    get_document(meeting.document.slug)
    return meeting


def file_size(size: int) -> str:
    """A file size for people: "12,3 kB"."""
    if size < 1024 * 1024:
        return _("%(size)s kB", size=format_decimal(size / 1024, format="#,##0.0"))
    return _("%(size)s MB", size=format_decimal(size / 1024 / 1024, format="#,##0.0"))


def _start_of_today() -> datetime:
    """Midnight in Swedish time, as UTC: a meeting later today is still upcoming."""
    today = to_local(utcnow()).date()
    return to_utc(today, time(0, 0))


@bp.route("/meetings")
def index():
    """Upcoming and past meetings of the documents the visitor may read."""
    query = (
        sa.select(Meeting)
        .join(Meeting.document)
        .options(so.contains_eager(Meeting.document), so.joinedload(Meeting.version))
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if not current_user.is_authenticated:
        query = query.where(Document.visibility == Visibility.PUBLIC)
    meetings = db.session.scalars(query).all()
    today = _start_of_today()
    return render_template(
        "meetings/index.html",
        upcoming=[m for m in meetings if m.starts_at >= today],
        past=[m for m in reversed(meetings) if m.starts_at < today],
        can_manage=can_manage(current_user),
    )


@bp.route("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    """A meeting: when, the agenda, the versions shown, and the files of its pack."""
    meeting = get_meeting(meeting_id)
    exports = sorted(meeting.exports, key=lambda e: (-e.created_at.timestamp(), _KIND_ORDER[e.kind]))
    return render_template(
        "meetings/meeting.html",
        meeting=meeting,
        exports=exports,
        can_manage=can_manage(current_user),
        can_download=can_download(meeting.document, current_user),
        export_form=ConfirmForm(),
        export_labels=EXPORT_LABELS,
        file_size=file_size,
    )


def _form_page(form: MeetingForm, meeting: Meeting | None):
    status = 400 if form.is_submitted() else 200
    return render_template("meetings/form.html", form=form, meeting=meeting), status


def _details(form: MeetingForm) -> dict:
    return {
        "document": form.chosen_document,
        "title": form.title.data.strip(),
        "starts_at": to_utc(form.date.data, form.time.data),
        "agenda": (form.agenda.data or "").rstrip(),
        "place": (form.place.data or "").strip(),
        "version": form.chosen_version,
        "base_version": form.chosen_base,
    }


@bp.route("/meetings/new", methods=["GET", "POST"])
@role_required(Role.HOST)
def new():
    """Plan a meeting: the document, the version presented and the one to compare with."""
    form = MeetingForm()
    slug = request.args.get("document")
    if request.method == "GET" and slug:
        document = db.session.scalar(sa.select(Document).where(Document.slug == slug))
        if document is not None and document.current_version is not None:
            form.document.data = str(document.id)
            form.version.data = str(document.current_version.id)
    if form.validate_on_submit():
        meeting = operations.create_meeting(**_details(form), host=current_user)
        db.session.commit()
        flash(_("The meeting has been saved."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return _form_page(form, None)


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@role_required(Role.HOST)
def edit(meeting_id: int):
    """Change a meeting's details."""
    meeting = get_meeting(meeting_id)
    form = MeetingForm() if request.method == "POST" else MeetingForm.for_meeting(meeting)
    if form.validate_on_submit():
        operations.update_meeting(meeting, **_details(form), actor=current_user)
        db.session.commit()
        flash(_("Your changes have been saved."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return _form_page(form, meeting)


@bp.route("/meetings/<int:meeting_id>/export", methods=["POST"])
@role_required(Role.HOST)
def export(meeting_id: int):
    """Create the meeting pack's files; a failure keeps the files of the last export."""
    meeting = get_meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if meeting.version is None:
        flash(_("Choose the version to present before you export the meeting pack."), "error")
        return redirect(url_for("meetings.edit", meeting_id=meeting_id))
    try:
        exports = operations.export_meeting(meeting, current_user)
    except operations.ExportError:
        db.session.rollback()
        flash(
            _("The meeting pack could not be created. The files of the previous export are unchanged."),
            "error",
        )
        return redirect(url_for("meetings.meeting", meeting_id=meeting_id))
    db.session.commit()
    flash(_("The meeting pack has been created: %(n)d files.", n=len(exports)), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id) + "#pack")


@bp.route("/exports/<int:export_id>")
def download(export_id: int):
    """One file of a meeting pack, as stored in the database when it was made."""
    export = db.session.get(Export, export_id)
    if export is None:
        abort(404)
    document = get_document(export.meeting.document.slug)
    if not can_download(document, current_user):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        abort(403)
    return send_export(export)


def send_export(export: Export, data: bytes | None = None):
    """The file of *export* (*data*, else read now) as a download; 404 if it is gone."""
    data = data if data is not None else operations.export_bytes(export)
    if data is None:
        abort(404)
    return send_download(data, export.file_name, operations.MEDIA_TYPES[export.kind], etag=export.sha256)
