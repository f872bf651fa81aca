"""Meeting pages, the meeting form, exporting the pack and downloading its files.

Each view: load (404) → check (403) → validate → act → commit → flash and redirect.
"""

from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.auth import role_required
from app.accounts.models import Role
from app.database import utcnow
from app.documents.loaders import get_document
from app.documents.models import Document, Visibility
from app.extensions import db, limiter, login_manager
from app.i18n import format_datetime
from app.meetings import agenda, calendar, operations, signup, topics
from app.meetings.blueprint import bp
from app.meetings.forms import (
    VISIBILITY_LABELS,
    CloseTopicForm,
    GuestSignupForm,
    MeetingForm,
    SeriesForm,
    TopicForm,
)
from app.meetings.loaders import get_meeting, get_series
from app.meetings.loaders import readable as _readable
from app.meetings.models import (
    Export,
    ExportKind,
    Meeting,
    MeetingSeries,
    Registration,
    Topic,
    TopicStatus,
    TopicSupport,
)
from app.meetings.permissions import can_download, can_manage, can_see_participants
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


def sees_video_link(user, registration) -> bool:
    """The video link is for those signed up (with a place, not waiting) and for hosts and
    editors; never on the public page, in the files or in the feeds (guests get it by e-mail)."""
    if can_see_participants(user):
        return True
    return bool(
        user.is_authenticated and user.is_active and registration is not None and registration.has_place
    )


def file_size(size: int) -> str:
    """A file size for people: "12,3 kB"."""
    if size < 1024 * 1024:
        return _("%(size)s kB", size=format_decimal(size / 1024, format="#,##0.0"))
    return _("%(size)s MB", size=format_decimal(size / 1024 / 1024, format="#,##0.0"))


def _start_of_today() -> datetime:
    """Midnight in Swedish time, as UTC: a meeting later today is still upcoming."""
    today = to_local(utcnow()).date()
    return to_utc(today, time(0, 0))


def _visible_meetings(series: MeetingSeries | None = None) -> list[Meeting]:
    """Meetings the current user may see (of one *series*), by start time, in a fixed number of
    queries: the meetings with their series, document and version; then their speakers."""
    query = (
        sa.select(Meeting)
        .join(Meeting.series)
        .outerjoin(Meeting.document)
        .options(
            so.contains_eager(Meeting.series),
            so.contains_eager(Meeting.document),
            so.joinedload(Meeting.version),
            so.selectinload(Meeting.speakers),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    if not (current_user.is_authenticated and current_user.is_active):
        query = query.where(
            MeetingSeries.visibility == Visibility.PUBLIC,
            sa.or_(Meeting.document_id.is_(None), Document.visibility == Visibility.PUBLIC),
        )
    if series is not None:
        query = query.where(Meeting.series_id == series.id)
    return list(db.session.scalars(query).unique())


def _split(meetings: list[Meeting]) -> tuple[list[Meeting], list[Meeting]]:
    today = _start_of_today()
    return (
        [m for m in meetings if m.starts_at >= today],
        [m for m in reversed(meetings) if m.starts_at < today],
    )


@bp.route("/meetings")
def index():
    """The series, and upcoming and past meetings the visitor may see."""
    upcoming, past = _split(_visible_meetings())
    query = sa.select(MeetingSeries).order_by(MeetingSeries.title, MeetingSeries.id)
    if not (current_user.is_authenticated and current_user.is_active):
        query = query.where(MeetingSeries.visibility == Visibility.PUBLIC)
    return render_template(
        "meetings/index.html",
        series_list=db.session.scalars(query).all(),
        upcoming=upcoming,
        past=past,
        can_manage=can_manage(current_user),
    )


@bp.route("/series/<int:series_id>")
def series(series_id: int):
    """A series: what it is, who organises it, its meetings upcoming and past, and its feeds."""
    series = db.session.scalar(
        sa.select(MeetingSeries)
        .where(MeetingSeries.id == series_id)
        .options(so.selectinload(MeetingSeries.organisers))
    )
    series = _readable(series)
    return series_page(series)


def series_page(series: MeetingSeries, topic_form: TopicForm | None = None, status: int = 200):
    """The series' page; *topic_form* with its errors after a refused proposal."""
    upcoming, past = _split(_visible_meetings(series))
    order = "support" if request.args.get("order") == "support" else "newest"
    rows = db.session.scalars(
        sa.select(Topic)
        .where(Topic.series_id == series.id)
        .options(so.selectinload(Topic.proposer), so.selectinload(Topic.meeting))
        .order_by(Topic.created_at.desc(), Topic.id.desc())
    ).all()
    if order == "support":
        rows = sorted(rows, key=lambda t: -t.support_count)
    supported: set[int] = set()
    if current_user.is_authenticated:
        supported = set(
            db.session.scalars(
                sa.select(TopicSupport.topic_id)
                .join(Topic, Topic.id == TopicSupport.topic_id)
                .where(Topic.series_id == series.id, TopicSupport.user_id == current_user.id)
            )
        )
    return render_template(
        "meetings/series.html",
        series=series,
        upcoming=upcoming,
        past=past,
        can_manage=can_manage(current_user),
        visibility_labels=VISIBILITY_LABELS,
        open_topics=[t for t in rows if t.status is TopicStatus.OPEN],
        decided_topics=[t for t in rows if t.status is not TopicStatus.OPEN],
        takeable=[m for m in upcoming if topics.take_refusal_for_meeting(m) is None],
        supported=supported,
        order=order,
        topic_form=topic_form or TopicForm(formdata=None),
        confirm_form=ConfirmForm(),
        statuses=TopicStatus,
    ), status


def _meeting_url(meeting: Meeting) -> str:
    return url_for("meetings.meeting", meeting_id=meeting.id, _external=True)


def _description(meeting: Meeting, items=None) -> str:
    return calendar.describe(meeting, _("The agenda will be published later."), _("Speakers:"), items)


def _feed(meetings: list[Meeting]):
    """The description of each of *meetings*, their agenda items read in one query."""
    items = agenda.feed_items(meetings)
    return lambda meeting: _description(meeting, items.get(meeting.id, []))


@bp.route("/meetings/<int:meeting_id>.ics")
def meeting_ics(meeting_id: int):
    """One meeting as an iCalendar file, to add to one's calendar."""
    meeting = get_meeting(meeting_id, feed=True)
    data = calendar.calendar_bytes(
        [meeting], name=meeting.series.title, url_of=_meeting_url, description_of=_description
    )
    return send_download(data, f"meeting-{meeting.id}.ics", "text/calendar; charset=utf-8")


@bp.route("/series/<int:series_id>.ics")
def series_ics(series_id: int):
    """The series as a calendar to subscribe to: every meeting, cancelled ones as CANCELLED."""
    series = get_series(series_id, feed=True)
    meetings = _visible_meetings(series)
    data = calendar.calendar_bytes(
        meetings, name=series.title, url_of=_meeting_url, description_of=_feed(meetings)
    )
    return send_download(data, f"series-{series.id}.ics", "text/calendar; charset=utf-8", inline=True)


def _entry_title(meeting: Meeting) -> str:
    when = format_datetime(meeting.starts_at)
    title = f"{meeting.title}: {meeting.subject}" if meeting.subject else meeting.title
    if meeting.is_cancelled:
        return _("Cancelled: %(title)s (%(when)s)", title=title, when=when)
    return f"{title} ({when})"


@bp.route("/series/<int:series_id>.atom")
def series_atom(series_id: int):
    """The series as an Atom feed: one entry per meeting."""
    series = get_series(series_id, feed=True)
    meetings = _visible_meetings(series)
    data = calendar.atom_bytes(
        series,
        meetings,
        feed_url=url_for("meetings.series_atom", series_id=series.id, _external=True),
        page_url=url_for("meetings.series", series_id=series.id, _external=True),
        url_of=_meeting_url,
        title_of=_entry_title,
        summary_of=_feed(meetings),
    )
    return send_download(data, f"series-{series.id}.atom", "application/atom+xml", inline=True)


@bp.route("/meetings/<int:meeting_id>")
def meeting(meeting_id: int):
    """A meeting: when, the agenda, the versions shown, and the files of its pack."""
    return meeting_page(get_meeting(meeting_id))


# The guests' sign-ups this browser confirmed (ids), so the page says so instead of the form.
GUEST_SESSION_KEY = "meeting_guest_registrations"


def _guest_registration(meeting: Meeting) -> Registration | None:
    ids = [i for i in session.get(GUEST_SESSION_KEY, []) if isinstance(i, int)][:50]
    if not ids:
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.id.in_(ids),
            Registration.meeting_id == meeting.id,
            Registration.confirmed_at.is_not(None),
            Registration.purged_at.is_(None),
        )
    )


def meeting_page(meeting: Meeting, guest_form: GuestSignupForm | None = None, status: int = 200):
    """The meeting's page; *guest_form* with its errors after a guest's refused sign-up."""
    registration = signup.find_for_user(meeting, current_user)
    guest_registration = None
    if registration is None and not current_user.is_authenticated:
        guest_registration = _guest_registration(meeting)
    exports = sorted(meeting.exports, key=lambda e: (-e.created_at.timestamp(), _KIND_ORDER[e.kind]))
    taken_topics = db.session.scalars(
        sa.select(Topic)
        .where(Topic.meeting_id == meeting.id, Topic.status == TopicStatus.TAKEN)
        .options(so.selectinload(Topic.proposer))
        .order_by(Topic.decided_at, Topic.id)
    ).all()
    return render_template(
        "meetings/meeting.html",
        meeting=meeting,
        exports=exports,
        taken_topics=taken_topics,
        agenda_rows=agenda.rows_for(meeting, can_manage(current_user)),
        can_manage=can_manage(current_user),
        sees_video_link=sees_video_link(current_user, registration),
        registration=registration,
        guest_registration=guest_registration,
        signup_closed=signup.refusal(meeting),
        guest_form=guest_form or GuestSignupForm(formdata=None),
        can_see_participants=can_see_participants(current_user),
        can_download=meeting.document is not None and can_download(meeting.document, current_user),
        export_form=ConfirmForm(),
        export_labels=EXPORT_LABELS,
        file_size=file_size,
    ), status


def _form_page(form: MeetingForm, meeting: Meeting | None):
    status = 400 if form.is_submitted() else 200
    return render_template("meetings/form.html", form=form, meeting=meeting), status


def _details(form: MeetingForm) -> dict:
    return {
        "series": form.chosen_series,
        "subject": (form.subject.data or "").strip(),
        "description": (form.description.data or "").strip(),
        "duration_minutes": form.chosen_duration,
        "capacity": form.chosen_capacity,
        "video_url": (form.video_url.data or "").strip(),
        "agenda_published": not form.agenda_later.data,
        "speakers": form.chosen_speakers,
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
    series_arg = request.args.get("series", "")
    if (
        request.method == "GET"
        and series_arg.isdigit()
        and len(series_arg) < 12
        and db.session.get(MeetingSeries, int(series_arg)) is not None
    ):
        form.series.data = series_arg
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


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["GET", "POST"])
@role_required(Role.HOST)
def cancel(meeting_id: int):
    """Cancel a meeting: it stays on its page and in the feeds, marked cancelled.

    GET asks first, saying what cancelling does (subscribers' calendars show it cancelled); it
    can be taken back (:func:`reinstate`).
    """
    meeting = get_meeting(meeting_id)
    form = ConfirmForm()
    if request.method == "GET":
        if meeting.is_cancelled:
            return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
        return render_template("meetings/cancel.html", meeting=meeting, form=form)
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.cancel_meeting(meeting, current_user)
    except operations.AlreadyCancelled:
        flash(_("The meeting was already cancelled."), "info")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    db.session.commit()
    flash(_("The meeting has been cancelled. It stays in the calendars, marked cancelled."), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/reinstate", methods=["POST"])
@role_required(Role.HOST)
def reinstate(meeting_id: int):
    """Take back a cancellation: the meeting is on again, in its page and in the calendars."""
    meeting = get_meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        operations.reinstate_meeting(meeting, current_user)
    except operations.NotCancelled:
        flash(_("The meeting is not cancelled."), "info")
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    db.session.commit()
    flash(_("The meeting is on again. Subscribed calendars show it again."), "success")
    return redirect(url_for("meetings.meeting", meeting_id=meeting.id))


def _series_page(form: SeriesForm, series: MeetingSeries | None):
    status = 400 if form.is_submitted() else 200
    return render_template("meetings/series_form.html", form=form, series=series), status


def _series_details(form: SeriesForm) -> dict:
    return {
        "title": form.title.data.strip(),
        "description": (form.description.data or "").strip(),
        "visibility": form.chosen_visibility,
        "organisers": form.chosen_organisers,
    }


@bp.route("/series/new", methods=["GET", "POST"])
@role_required(Role.HOST)
def new_series():
    """Start a series of meetings."""
    form = SeriesForm()
    if form.validate_on_submit():
        series = operations.create_series(**_series_details(form), actor=current_user)
        db.session.commit()
        flash(_("The series has been saved."), "success")
        return redirect(url_for("meetings.series", series_id=series.id))
    return _series_page(form, None)


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
@role_required(Role.HOST)
def edit_series(series_id: int):
    """Change a series' details."""
    series = get_series(series_id)
    form = SeriesForm() if request.method == "POST" else SeriesForm.for_series(series)
    if form.validate_on_submit():
        operations.update_series(series, **_series_details(form), actor=current_user)
        db.session.commit()
        flash(_("Your changes have been saved."), "success")
        return redirect(url_for("meetings.series", series_id=series.id))
    return _series_page(form, series)


@bp.route("/meetings/<int:meeting_id>/export", methods=["POST"])
@role_required(Role.HOST)
def export(meeting_id: int):
    """Create the meeting pack's files; a failure keeps the files of the last export."""
    meeting = get_meeting(meeting_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if meeting.version is None or meeting.document is None:
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
    if export is None or export.meeting.document is None:
        abort(404)
    get_meeting(export.meeting_id)
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


# ---------------------------------------------------------------- sign-up (issue 25, point 2)

# Guests sign up without an account: a few a minute from one address, so a script cannot fill
# a meeting's waiting list or send the network's mail to strangers.
GUEST_LIMIT = "5 per minute; 30 per hour"


def _back(meeting_id: int):
    return redirect(url_for("meetings.meeting", meeting_id=meeting_id) + "#signup-heading")


def _guest_exempt() -> bool:
    return bool(current_user.is_authenticated)


@bp.route("/meetings/<int:meeting_id>/signup", methods=["POST"])
@limiter.limit(GUEST_LIMIT, methods=["POST"], exempt_when=_guest_exempt)
def signup_for(meeting_id: int):
    """A member signs up in one click; a guest with name, e-mail and organisation (confirmed later)."""
    meeting = get_meeting(meeting_id)
    if current_user.is_authenticated:
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            registration, created = signup.sign_up_member(meeting, current_user)
        except signup.SignupRefused as refused:
            flash(refused.reason, "error")
            return _back(meeting.id)
        db.session.commit()
        if not created:
            flash(_("You were already signed up."), "info")
        elif registration.waiting:
            flash(
                _(
                    "The meeting is full: you are on the waiting list. If a place comes free you move "
                    "up automatically and are e-mailed."
                ),
                "info",
            )
        else:
            flash(
                _("You are signed up. A confirmation with the meeting for your calendar is on its way."),
                "success",
            )
        return _back(meeting.id)
    form = GuestSignupForm()
    if not form.validate_on_submit():
        return meeting_page(meeting, guest_form=form, status=400)
    try:
        _registration, created = signup.sign_up_guest(
            meeting, name=form.name.data, email=form.email.data, organisation=form.organisation.data
        )
    except signup.SignupRefused as refused:
        db.session.rollback()
        if refused.field == "email":
            form.email.errors = [refused.reason]
        else:
            form.form_errors.append(refused.reason)
        return meeting_page(meeting, guest_form=form, status=400)
    db.session.commit()
    if created:
        flash(
            _(
                "Almost done: open the link in the e-mail we are sending you to confirm your "
                "address. Until then your sign-up is not counted."
            ),
            "success",
        )
    else:
        flash(
            _(
                "This address was already signed up. If you have not confirmed it yet, use the "
                "link in the e-mail we sent."
            ),
            "info",
        )
    return _back(meeting.id)


@bp.route("/meetings/<int:meeting_id>/signup/cancel", methods=["POST"])
def cancel_signup(meeting_id: int):
    """A member takes back their sign-up; the first waiting moves up."""
    meeting = get_meeting(meeting_id)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    registration = signup.find_for_user(meeting, current_user)
    if registration is None:
        flash(_("You were not signed up."), "info")
        return _back(meeting.id)
    signup.cancel(registration)
    db.session.commit()
    flash(_("Your sign-up has been cancelled."), "success")
    return _back(meeting.id)


def _after_link(meeting):
    """Back to the meeting's page, or to the list when a guest may not read the series."""
    if meeting.series.can_read(current_user):
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return redirect(url_for("meetings.index"))


def _invalid_link(state: str):
    return render_template("meetings/link_invalid.html", state=state), 410


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
def confirm_signup(token: str):
    """A guest confirms the address: GET asks (mail programs open links), POST confirms."""
    registration, state = signup.registration_for_token(token, "confirm")
    if registration is None:
        return _invalid_link(state)
    meeting = registration.meeting
    form = ConfirmForm()
    if request.method == "GET" or not form.validate_on_submit():
        if request.method == "POST":
            abort(400)
        return render_template(
            "meetings/signup_link.html", kind="confirm", registration=registration, meeting=meeting, form=form
        )
    try:
        done = signup.confirm_guest(registration)
    except signup.SignupRefused as refused:
        return render_template("meetings/link_invalid.html", state="closed", reason=refused.reason), 409
    db.session.commit()
    if not current_user.is_authenticated:
        session[GUEST_SESSION_KEY] = [registration.id, *session.get(GUEST_SESSION_KEY, [])][:50]
    if not done:
        flash(_("Your address was already confirmed."), "info")
    elif registration.waiting:
        flash(
            _(
                "Your address is confirmed. The meeting is full: you are on the waiting list, and "
                "we will e-mail you if a place comes free."
            ),
            "info",
        )
    else:
        flash(
            _(
                "Your address is confirmed: you are signed up. A confirmation with the meeting "
                "for your calendar is on its way."
            ),
            "success",
        )
    return (
        redirect(url_for("meetings.meeting", meeting_id=meeting.id))
        if meeting.series.can_read(current_user)
        else redirect(url_for("meetings.index"))
    )


@bp.route("/signup/cancel/<token>", methods=["GET", "POST"])
def cancel_by_link(token: str):
    """Cancel a sign-up by the link in its e-mail: GET asks, POST cancels."""
    registration, state = signup.registration_for_token(token, "cancel")
    if registration is None:
        return _invalid_link(state)
    meeting = registration.meeting
    form = ConfirmForm()
    if request.method == "GET":
        return render_template(
            "meetings/signup_link.html", kind="cancel", registration=registration, meeting=meeting, form=form
        )
    if not form.validate_on_submit():
        abort(400)
    signup.cancel(registration)
    db.session.commit()
    flash(_("Your sign-up has been cancelled."), "success")
    return (
        redirect(url_for("meetings.meeting", meeting_id=meeting.id))
        if meeting.series.can_read(current_user)
        else redirect(url_for("meetings.index"))
    )


def _participants_meeting(meeting_id: int):
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    meeting = get_meeting(meeting_id)
    if not can_see_participants(current_user):
        abort(403)
    return meeting


@bp.route("/meetings/<int:meeting_id>/participants")
def participants(meeting_id: int):
    """Hosts and editors: who signed up, with organisations, and the waiting list."""
    meeting = _participants_meeting(meeting_id)
    rows = signup.participants(meeting)
    return render_template(
        "meetings/participants.html",
        meeting=meeting,
        placed=[r for r in rows if not r.waiting],
        waiting=[r for r in rows if r.waiting],
        person=signup.person,
    )


@bp.route("/meetings/<int:meeting_id>/participants.csv")
def participants_csv(meeting_id: int):
    """The participant list for Excel (formula-safe)."""
    meeting = _participants_meeting(meeting_id)
    data = signup.participants_csv(
        signup.participants(meeting),
        [
            _("Name"),
            _("Organisation"),
            _("E-mail address"),
            _("Member or guest"),
            _("Place"),
            _("Signed up at"),
        ],
        {"member": _("Member"), "guest": _("Guest"), "waiting": _("Waiting list"), "place": _("Place")},
    )
    return send_download(data, f"participants-meeting-{meeting.id}.csv", "text/csv; charset=utf-8")


# --------------------------------------------------------------------------- topics from the network


def _topic(topic_id: int) -> Topic:
    """The topic if the current user may read its series (404 otherwise; visitors sign in)."""
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        abort(404)
    _readable(topic.series)
    return topic


def _member_post():
    """A POST about topics: signed-in, active members with a valid CSRF token only."""
    if not current_user.is_authenticated or not current_user.is_active:
        return login_manager.unauthorized()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return None


def _to_series(topic: Topic):
    return redirect(url_for("meetings.series", series_id=topic.series_id, _anchor=f"topic-{topic.id}"))


@bp.route("/series/<int:series_id>/topics", methods=["POST"])
def propose_topic(series_id: int):
    """A member proposes a topic or challenge for the series."""
    series = get_series(series_id)
    if not current_user.is_authenticated or not current_user.is_active:
        return login_manager.unauthorized()
    form = TopicForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return series_page(series, topic_form=form, status=400)
    topic = topics.propose(series, current_user, form.title.data, form.description.data or "")
    db.session.commit()
    flash(_("Your topic has been proposed. Others in the network can now support it."), "success")
    return _to_series(topic)


@bp.route("/topics/<int:topic_id>/support", methods=["POST"])
def support_topic(topic_id: int):
    topic = _topic(topic_id)
    refused = _member_post()
    if refused is not None:
        return refused
    try:
        created = topics.support(topic, current_user)
    except topics.TopicRefused as error:
        flash(error.reason, "error")
        return _to_series(topic)
    db.session.commit()
    if created:
        flash(_("You support the topic."), "success")
    else:
        flash(_("You already support the topic."), "info")
    return _to_series(topic)


@bp.route("/topics/<int:topic_id>/unsupport", methods=["POST"])
def unsupport_topic(topic_id: int):
    topic = _topic(topic_id)
    refused = _member_post()
    if refused is not None:
        return refused
    if topics.unsupport(topic, current_user):
        db.session.commit()
        flash(_("You no longer support the topic."), "success")
    else:
        flash(_("You did not support the topic."), "info")
    return _to_series(topic)


@bp.route("/topics/<int:topic_id>/withdraw", methods=["POST"])
def withdraw_topic(topic_id: int):
    topic = _topic(topic_id)
    refused = _member_post()
    if refused is not None:
        return refused
    try:
        topics.withdraw(topic, current_user)
    except topics.TopicRefused as error:
        flash(error.reason, "error")
        return _to_series(topic)
    db.session.commit()
    flash(_("You have withdrawn the topic. It stays on the page, marked withdrawn."), "success")
    return _to_series(topic)


@bp.route("/topics/<int:topic_id>/take", methods=["POST"])
@role_required(Role.HOST)
def take_topic(topic_id: int):
    """A host takes a proposal into a meeting of its series; the proposer is e-mailed."""
    topic = _topic(topic_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    meeting_id = request.form.get("meeting_id", type=int)
    meeting = db.session.get(Meeting, meeting_id) if meeting_id else None
    try:
        topics.take_into(topic, meeting, current_user)
    except topics.TopicRefused as error:
        flash(error.reason, "error")
        return _to_series(topic)
    db.session.commit()
    flash(_("The topic is on the meeting's agenda. The proposer will be told by e-mail."), "success")
    return _to_series(topic)


@bp.route("/topics/<int:topic_id>/close", methods=["GET", "POST"])
@role_required(Role.HOST)
def close_topic(topic_id: int):
    """A host closes a proposal with a reason (required, shown on the topic); the proposer is told."""
    topic = _topic(topic_id)
    form = CloseTopicForm()
    if topic.status is not TopicStatus.OPEN:
        flash(_("The topic is no longer open."), "info")
        return _to_series(topic)
    if request.method == "GET":
        return render_template("meetings/close_topic.html", topic=topic, form=form)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        return render_template("meetings/close_topic.html", topic=topic, form=form), 400
    try:
        topics.close(topic, form.reason.data, current_user)
    except topics.TopicRefused as error:
        form.reason.errors = [error.reason]
        return render_template("meetings/close_topic.html", topic=topic, form=form), 400
    db.session.commit()
    flash(_("The topic has been closed. The proposer will be told the reason by e-mail."), "success")
    return _to_series(topic)
