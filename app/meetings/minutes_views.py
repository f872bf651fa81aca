"""The minutes' routes (issue 25, point 5): the published page and its Word file, the host's editing
page and its forms, and marking an action point done or dropped.

Every route reads the meeting as its page does (404 when unknown; a network series asks a visitor to
sign in); unpublished minutes are for hosts only. Bad input comes back as the editing page with the
reason (400) and what was typed; a save that would overwrite someone else's comes back with both (409).
"""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.documents.loaders import readable
from app.extensions import db, login_manager
from app.i18n import format_date, format_datetime
from app.meetings import minutes
from app.meetings.blueprint import bp
from app.meetings.models import ActionPoint, ActionStatus, Meeting
from app.meetings.pack.minutes_docx import DocAction, DocSection, MinutesFile, write_minutes
from app.timeutil import to_local
from app.web.downloads import send_download
from app.web.text import ascii_slug, markdown_text


def _meeting(meeting_id: int) -> Meeting:
    """The meeting if the current user may read it (as its page: 404, or sign in for a visitor)."""
    meeting = db.session.get(Meeting, meeting_id) if 0 < meeting_id < 2**31 else None
    if meeting is None:
        abort(404)
    if not meeting.series.can_read(current_user):
        if current_user.is_authenticated:
            abort(404)
        abort(login_manager.unauthorized())
    if meeting.document is not None:
        readable(meeting.document)
    return meeting


def _readable_minutes(meeting_id: int) -> Meeting:
    meeting = _meeting(meeting_id)
    if not minutes.may_read(current_user, meeting):
        abort(404)
    return meeting


def status_label(action: ActionPoint) -> str:
    if minutes.is_overdue(action):
        return _("Overdue")
    return {
        ActionStatus.OPEN: _("Open"),
        ActionStatus.DONE: _("Done"),
        ActionStatus.DROPPED: _("Dropped"),
    }[action.status]


def _helpers() -> dict:
    return {
        "status_label": status_label,
        "is_overdue": minutes.is_overdue,
        "owner_label": minutes.owner_label,
        "may_mark": lambda action: minutes.may_mark(current_user, action),
    }


@bp.app_template_global("minutes_of_meeting")
def minutes_of_meeting(meeting: Meeting) -> dict:
    """What the meeting's page shows of the minutes (templates/meetings/_minutes.html): whether they
    are published, whether the current user may write them, and the open action points carried
    from the series' earlier meetings (one query)."""
    return {
        "published": minutes.is_published(meeting),
        "corrected": minutes.is_corrected(meeting),
        "may_write": minutes.may_write(current_user, meeting) and minutes.refusal(meeting) is None,
        "carried": minutes.carried_actions(meeting, current_user if current_user.is_authenticated else None),
        **_helpers(),
    }


@bp.app_template_global("my_open_actions")
def my_open_actions() -> dict:
    """The current user's open action points, for their profile (templates/meetings/_my_actions.html)."""
    return {"actions": minutes.open_actions_of(current_user), **_helpers()}


# --------------------------------------------------------------------------- reading


@bp.route("/meetings/<int:meeting_id>/minutes")
def minutes_page(meeting_id: int):
    """The minutes: who attended, per agenda item the minutes, decisions and action points."""
    meeting = _readable_minutes(meeting_id)
    record = minutes.minutes_of(meeting)
    return render_template(
        "meetings/minutes.html",
        meeting=meeting,
        minutes=record,
        published=minutes.is_published(meeting),
        corrected=minutes.is_corrected(meeting),
        may_write=minutes.may_write(current_user, meeting),
        # Names of who attended are for signed-in members; visitors see how many.
        sees_names=current_user.is_authenticated and current_user.is_active,
        **_helpers(),
    )


def minutes_file(record: minutes.Minutes) -> MinutesFile:
    """The Word file's plain data, in the reader's language."""
    meeting = record.meeting
    facts = [
        (_("Series"), meeting.series.title),
        (_("Meeting"), meeting.title),
        (_("When"), format_datetime(meeting.starts_at)),
    ]
    if meeting.place:
        facts.append((_("Place or link"), meeting.place))
    if meeting.minutes_published_at:
        facts.append((_("Published"), format_date(meeting.minutes_published_at)))
    if minutes.is_corrected(meeting):
        facts.append((_("Updated"), format_date(meeting.minutes_updated_at)))

    def actions(rows):
        return [
            DocAction(
                a.what,
                minutes.owner_label(a),
                a.due_on.isoformat() if a.due_on else "",
                status_label(a),
            )
            for a in rows
        ]

    sections = []
    if meeting.minutes or not record.items or record.decisions.get(None) or record.actions.get(None):
        sections.append(
            DocSection(
                _("The meeting as a whole") if record.items else _("Minutes"),
                markdown_text(meeting.minutes),
                [d.text for d in record.decisions.get(None, [])],
                actions(record.actions.get(None, [])),
            )
        )
    for item in record.items:
        sections.append(
            DocSection(
                item.title,
                markdown_text(item.minutes),
                [d.text for d in record.decisions.get(item.id, [])],
                actions(record.actions.get(item.id, [])),
            )
        )
    names = []
    for row in record.attendance:
        name, organisation = record.attendee(row)
        name = name or _("(removed)")  # a guest whose personal data was purged
        names.append(f"{name}, {organisation}" if organisation else name)
    labels = {
        "kicker": _("Minutes"),
        "attendance": _("Attended"),
        "attendance_count": ngettext("%(num)d attended.", "%(num)d attended.", record.attendance_count),
        "decisions": _("Decisions"),
        "actions": _("Action points"),
        "what": _("What"),
        "owner": _("Who"),
        "due": _("Due"),
        "status": _("Status"),
    }
    return MinutesFile(
        title=meeting.title,
        facts=facts,
        attendees=names,
        sections=sections,
        labels=labels,
        language=str(get_locale() or "sv")[:2],
        moment=meeting.minutes_updated_at or meeting.starts_at,
        author=meeting.host.name if meeting.host else "",
    )


@bp.route("/meetings/<int:meeting_id>/minutes.docx")
def minutes_docx(meeting_id: int):
    """The minutes as a Word file (published ones; hosts may also have the draft)."""
    meeting = _readable_minutes(meeting_id)
    data = write_minutes(minutes_file(minutes.minutes_of(meeting)))
    day = to_local(meeting.starts_at).date().isoformat()
    name = f"{ascii_slug(meeting.title) or 'meeting'}-{day}-minutes.docx"
    return send_download(
        data, name, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


# --------------------------------------------------------------------------- the host writes


def _writable(meeting_id: int) -> Meeting:
    meeting = _meeting(meeting_id)
    if not minutes.may_write(current_user, meeting):
        abort(403)
    return meeting


def _edit_page(
    meeting: Meeting,
    *,
    error: str = "",
    field: str = "",
    form: str = "",
    stale: bool = False,
    status: int = 200,
):
    record = minutes.minutes_of(meeting)
    attended = {row.registration_id for row in record.attendance if row.registration_id}
    if form == "attendance" and status != 200:
        attended = {int(v) for v in request.form.getlist("attended") if v.isdigit()}
    return render_template(
        "meetings/minutes_edit.html",
        meeting=meeting,
        minutes=record,
        signups=minutes.signups(meeting),
        attended=attended,
        token=minutes.token_of(meeting),
        refusal=minutes.refusal(meeting),
        published=minutes.is_published(meeting),
        corrected=minutes.is_corrected(meeting),
        error=error,
        error_field=field,
        error_form=form,
        stale=stale,
        sent=request.form if request.method == "POST" else {},
        **_helpers(),
    ), status


def _back(meeting: Meeting, anchor: str):
    return redirect(url_for("meetings.edit_minutes", meeting_id=meeting.id, _anchor=anchor))


@bp.route("/meetings/<int:meeting_id>/minutes/edit")
@role_required(Role.HOST)
def edit_minutes(meeting_id: int):
    """The host's page for writing the minutes, ticking who attended and recording decisions and
    action points; and publishing them."""
    return _edit_page(_writable(meeting_id))


def _act(meeting: Meeting, form: str, anchor: str, step, success: str | None):
    """Run *step*; commit and go back on success, otherwise the page with the reason."""
    try:
        result = step()
    except minutes.MinutesRefused as refused:
        db.session.rollback()
        return _edit_page(meeting, error=refused.reason, field=refused.field, form=form, status=400)
    except minutes.StaleMinutes:
        db.session.rollback()
        db.session.refresh(meeting)
        return _edit_page(
            meeting,
            error=_(
                "Someone else saved the minutes while you were working. Nothing of yours was saved: "
                "what you wrote is still in the form, and what is saved now is shown with it. "
                "Compare, then save again."
            ),
            form=form,
            stale=True,
            status=409,
        )
    db.session.commit()
    if success and result is not False:
        flash(success, "success")
    return _back(meeting, anchor)


def _token() -> str:
    return request.form.get("token", "")


def _item_texts(meeting: Meeting) -> dict[int, str]:
    texts = {}
    for key, value in request.form.items():
        if key.startswith("item-"):
            number = key[5:]
            if not number.isdigit() or len(number) > 10:
                raise minutes.MinutesRefused(_("Choose an item of this meeting's agenda."), "agenda_item")
            texts[int(number)] = value
    return texts


@bp.route("/meetings/<int:meeting_id>/minutes/text", methods=["POST"])
@role_required(Role.HOST)
def save_minutes_text(meeting_id: int):
    meeting = _writable(meeting_id)
    return _act(
        meeting,
        "text",
        "text-heading",
        lambda: minutes.save_text(
            meeting, _token(), request.form.get("general"), _item_texts(meeting), current_user
        ),
        _("The minutes are saved."),
    )


@bp.route("/meetings/<int:meeting_id>/minutes/attendance", methods=["POST"])
@role_required(Role.HOST)
def save_attendance(meeting_id: int):
    meeting = _writable(meeting_id)

    def step():
        values = request.form.getlist("attended")
        if any(not v.isdigit() or len(v) > 10 for v in values):
            raise minutes.MinutesRefused(_("Tick people from the list of sign-ups."), "attended")
        minutes.save_attendance(meeting, _token(), {int(v) for v in values}, current_user)

    return _act(meeting, "attendance", "attendance-heading", step, _("Who attended is saved."))


@bp.route("/meetings/<int:meeting_id>/minutes/attendees", methods=["POST"])
@role_required(Role.HOST)
def add_attendee(meeting_id: int):
    meeting = _writable(meeting_id)
    form = request.form
    return _act(
        meeting,
        "attendee",
        "attendance-heading",
        lambda: minutes.add_attendee(
            meeting, form.get("member", ""), form.get("name", ""), form.get("organisation", ""), current_user
        ),
        _("Added to who attended."),
    )


@bp.route("/meetings/<int:meeting_id>/minutes/attendees/<int:row_id>/remove", methods=["POST"])
@role_required(Role.HOST)
def remove_attendee(meeting_id: int, row_id: int):
    meeting = _writable(meeting_id)
    return _act(
        meeting,
        "attendee",
        "attendance-heading",
        lambda: minutes.remove_attendee(meeting, row_id, current_user),
        _("Removed from who attended."),
    )


@bp.route("/meetings/<int:meeting_id>/minutes/decisions", methods=["POST"])
@role_required(Role.HOST)
def add_decision(meeting_id: int):
    meeting = _writable(meeting_id)
    form = request.form
    return _act(
        meeting,
        "decision",
        "decisions-heading",
        lambda: minutes.add_decision(meeting, form.get("agenda_item"), form.get("text", ""), current_user),
        _("The decision is recorded."),
    )


@bp.route("/meetings/<int:meeting_id>/minutes/decisions/<int:row_id>/remove", methods=["POST"])
@role_required(Role.HOST)
def remove_decision(meeting_id: int, row_id: int):
    meeting = _writable(meeting_id)
    return _act(
        meeting,
        "decision",
        "decisions-heading",
        lambda: minutes.remove_decision(meeting, row_id, current_user),
        _("The decision is removed."),
    )


@bp.route("/meetings/<int:meeting_id>/minutes/actions", methods=["POST"])
@role_required(Role.HOST)
def add_action(meeting_id: int):
    meeting = _writable(meeting_id)
    form = request.form
    return _act(
        meeting,
        "action",
        "actions-heading",
        lambda: minutes.add_action(
            meeting,
            form.get("agenda_item"),
            form.get("what", ""),
            form.get("owner", ""),
            form.get("owner_name", ""),
            form.get("due_on", ""),
            current_user,
        ),
        _("The action point is recorded."),
    )


@bp.route("/meetings/<int:meeting_id>/minutes/actions/<int:row_id>/remove", methods=["POST"])
@role_required(Role.HOST)
def remove_action(meeting_id: int, row_id: int):
    meeting = _writable(meeting_id)
    return _act(
        meeting,
        "action",
        "actions-heading",
        lambda: minutes.remove_action(meeting, row_id, current_user),
        _("The action point is removed."),
    )


@bp.route("/meetings/<int:meeting_id>/minutes/publish", methods=["POST"])
@role_required(Role.HOST)
def publish_minutes(meeting_id: int):
    meeting = _writable(meeting_id)
    try:
        published = minutes.publish(meeting, current_user)
    except minutes.MinutesRefused as refused:
        db.session.rollback()
        return _edit_page(meeting, error=refused.reason, form="publish", status=400)
    db.session.commit()
    if published:
        flash(_("The minutes are published."), "success")
    else:
        flash(_("The minutes were already published."), "info")
    return redirect(url_for("meetings.minutes_page", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/minutes/unpublish", methods=["POST"])
@role_required(Role.HOST)
def unpublish_minutes(meeting_id: int):
    meeting = _writable(meeting_id)
    if minutes.unpublish(meeting, current_user):
        db.session.commit()
        flash(_("The minutes are a draft again, seen by hosts only."), "success")
    else:
        flash(_("The minutes were not published."), "info")
    return _back(meeting, "publish-heading")


# --------------------------------------------------------------------------- action points


_NEXT = re.compile(r"/meetings/\d{1,10}(/minutes)?|/profile")


def _safe_next(meeting: Meeting) -> str:
    """Back where the button was: a meeting's page (the next meeting's, where carried action points
    show), the minutes or the profile; nothing else (no open redirect)."""
    target = request.form.get("next", "")
    if _NEXT.fullmatch(target):
        return target
    return url_for("meetings.minutes_page", meeting_id=meeting.id)


@bp.route("/actions/<int:action_id>/status", methods=["POST"])
def action_status(action_id: int):
    """The owner (or a host) marks an action point done, dropped or open again."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    action = db.session.get(ActionPoint, action_id) if 0 < action_id < 2**31 else None
    if action is None:
        abort(404)
    meeting = _meeting(action.meeting_id)
    if not minutes.may_read(current_user, meeting) or not minutes.may_mark(current_user, action):
        abort(404 if not minutes.may_read(current_user, meeting) else 403)
    try:
        changed = minutes.set_status(action, request.form.get("status", ""), current_user)
    except minutes.MinutesRefused:
        db.session.rollback()
        abort(400)
    db.session.commit()
    if changed:
        flash(
            {
                ActionStatus.DONE: _("The action point is marked done."),
                ActionStatus.DROPPED: _("The action point is marked dropped."),
                ActionStatus.OPEN: _("The action point is open again."),
            }[action.status],
            "success",
        )
    return redirect(_safe_next(meeting))
