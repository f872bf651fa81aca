"""Signing up for meetings: members in one click, guests confirmed by a link in an e-mail.

A meeting may have a capacity; beyond it people wait, and the first waiting moves up (and is
e-mailed) when a place comes free. The e-mails are rows of RegistrationMail, written in the
same transaction as the sign-up and sent by the mail run (`flask send-mail`, through
app.signals.mail_run_started): the address check, the confirmation with the meeting as an
iCalendar attachment and a cancel link, the note that one moved up, and the reminder the day
before. Links carry signed tokens (itsdangerous, like the unsubscribe links).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app, render_template, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from app import mail
from app.accounts.models import User
from app.database import utcnow
from app.extensions import db
from app.i18n import mail_datetime
from app.meetings import calendar
from app.meetings.models import Meeting, Registration, RegistrationMail
from app.meetings.owed_mail import send_owed
from app.review.compilation import csv_cell

SALT = "remiss.meetings.registration"
# A guest confirms the address within this time; the cancel link works as long as the sign-up.
CONFIRM_VALID = timedelta(days=2)
ADDRESS, CONFIRMED, MOVED_UP, REMINDER = "address", "confirmed", "moved_up", "reminder"
# Told to everyone signed up (waiting list included) when a host cancels the meeting, and when a
# host takes that back (only to those who were told of the cancellation).
CANCELLED, REINSTATED = "cancelled", "reinstated"
# One @, something before it, a dot in the domain, no spaces or angle brackets.
_EMAIL = re.compile(r"^[^@\s<>\"(),;:\\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


class SignupRefused(Exception):
    """A sign-up that cannot be made; ``reason`` says why in the user's language."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        # The form field at fault, if any ("email").
        self.field = field


def valid_email(address: str) -> bool:
    return len(address) <= 254 and bool(_EMAIL.match(address))


def refusal(meeting: Meeting, now: datetime | None = None) -> str | None:
    """Why nobody may sign up for *meeting* now, or None."""
    if meeting.is_cancelled:
        return _("The meeting has been cancelled: sign-up is closed.")
    now = now or utcnow()
    if meeting.ends_at <= now:
        return _("The meeting has taken place: sign-up is closed.")
    if meeting.starts_at <= now:
        return _("The meeting has started: sign-up is closed.")
    return None


def _lock(meeting: Meeting) -> None:
    """Serialise sign-ups for one meeting (PostgreSQL row lock; SQLite has one writer anyway)."""
    db.session.execute(sa.select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())


def _places_taken(meeting: Meeting) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Registration.id)).where(
            Registration.meeting_id == meeting.id,
            Registration.confirmed_at.is_not(None),
            Registration.waiting.is_(False),
        )
    )


def _is_full(meeting: Meeting) -> bool:
    return meeting.capacity is not None and _places_taken(meeting) >= meeting.capacity


def _queue(registration: Registration, kind: str) -> None:
    db.session.add(RegistrationMail(registration=registration, kind=kind))


def _insert(registration: Registration) -> Registration | None:
    """Add *registration*; None if the same person is already signed up (also under a race)."""
    try:
        with db.session.begin_nested():
            db.session.add(registration)
            db.session.flush()
    except sa.exc.IntegrityError:
        return None
    return registration


def _take_place(registration: Registration, now: datetime) -> None:
    registration.waiting = _is_full(registration.meeting)
    registration.confirmed_at = now
    _queue(registration, CONFIRMED)


def find_for_user(meeting: Meeting, user) -> Registration | None:
    if not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Registration).where(Registration.meeting_id == meeting.id, Registration.user_id == user.id)
    )


def sign_up_member(meeting: Meeting, user, now: datetime | None = None) -> tuple[Registration, bool]:
    """Sign *user* up; (registration, created). Raises SignupRefused."""
    now = now or utcnow()
    reason = refusal(meeting, now)
    if reason:
        raise SignupRefused(reason)
    _lock(meeting)
    existing = find_for_user(meeting, user)
    if existing is not None:
        return existing, False
    registration = _insert(Registration(meeting=meeting, user_id=user.id, created_at=now))
    if registration is None:
        return find_for_user(meeting, user), False
    _take_place(registration, now)
    db.session.flush()
    return registration, True


def sign_up_guest(
    meeting: Meeting, *, name: str, email: str, organisation: str, now: datetime | None = None
) -> tuple[Registration, bool]:
    """A guest's sign-up, not counted until the address is confirmed; (registration, created).

    Signing up again with the same address gives the same registration (and no second mail).
    """
    now = now or utcnow()
    reason = refusal(meeting, now)
    if reason:
        raise SignupRefused(reason)
    email = email.strip().lower()
    if not valid_email(email):
        raise SignupRefused(_("Enter a valid e-mail address, for example name@example.org."), "email")
    existing = db.session.scalar(
        sa.select(Registration).where(Registration.meeting_id == meeting.id, Registration.email == email)
    )
    if existing is not None:
        return existing, False
    registration = _insert(
        Registration(
            meeting=meeting,
            name=name.strip(),
            email=email,
            organisation=organisation.strip(),
            language=str(get_locale() or "sv")[:2],
            created_at=now,
        )
    )
    if registration is None:
        return db.session.scalar(
            sa.select(Registration).where(Registration.meeting_id == meeting.id, Registration.email == email)
        ), False
    _queue(registration, ADDRESS)
    db.session.flush()
    return registration, True


def confirm_guest(registration: Registration, now: datetime | None = None) -> bool:
    """Count a guest whose address is confirmed (a place, or the waiting list); False if done before."""
    if registration.confirmed_at is not None:
        return False
    now = now or utcnow()
    reason = refusal(registration.meeting, now)
    if reason:
        raise SignupRefused(reason)
    _lock(registration.meeting)
    _take_place(registration, now)
    db.session.flush()
    return True


def cancel(registration: Registration) -> Registration | None:
    """Cancel a sign-up; the first waiting moves up into a freed place (and is told). Returns them."""
    meeting = registration.meeting
    _lock(meeting)
    had_place = registration.has_place
    # Its e-mails go with it, explicitly: SQLite may give the next sign-up the same id, and its
    # ON DELETE CASCADE needs foreign keys on.
    db.session.execute(sa.delete(RegistrationMail).where(RegistrationMail.registration_id == registration.id))
    db.session.delete(registration)
    db.session.flush()
    return fill_places(meeting) if had_place else None


def fill_places(meeting: Meeting) -> Registration | None:
    """Move the first waiting people up while there are places; returns the last moved up."""
    moved = None
    if meeting.is_cancelled or meeting.starts_at <= utcnow():
        return None
    while not _is_full(meeting):
        first = db.session.scalar(
            sa.select(Registration)
            .where(
                Registration.meeting_id == meeting.id,
                Registration.waiting.is_(True),
                Registration.confirmed_at.is_not(None),
            )
            .order_by(Registration.confirmed_at, Registration.id)
            .limit(1)
        )
        if first is None:
            break
        first.waiting = False
        _queue(first, MOVED_UP)
        db.session.flush()
        moved = first
    return moved


def _owe(registration_ids: list[int], kind: str) -> int:
    """Owe each registration an e-mail of *kind*: a new row, or the old one due again (a meeting
    cancelled, taken back and cancelled again tells them again). Returns how many."""
    if not registration_ids:
        return 0
    existing = set(
        db.session.scalars(
            sa.select(RegistrationMail.registration_id).where(
                RegistrationMail.registration_id.in_(registration_ids), RegistrationMail.kind == kind
            )
        )
    )
    if existing:
        db.session.execute(
            sa.update(RegistrationMail)
            .where(RegistrationMail.registration_id.in_(existing), RegistrationMail.kind == kind)
            .values(sent_at=None, attempts=0, created_at=utcnow())
        )
    for registration_id in registration_ids:
        if registration_id not in existing:
            db.session.add(RegistrationMail(registration_id=registration_id, kind=kind))
    db.session.flush()
    return len(registration_ids)


def tell_cancelled(meeting: Meeting) -> int:
    """Owe everyone signed up (places and waiting list, confirmed) the news that *meeting* is
    cancelled, with the cancelled event for their calendar. Returns how many will be told."""
    ids = list(
        db.session.scalars(
            sa.select(Registration.id).where(
                Registration.meeting_id == meeting.id,
                Registration.confirmed_at.is_not(None),
                Registration.purged_at.is_(None),
            )
        )
    )
    return _owe(ids, CANCELLED)


def tell_reinstated(meeting: Meeting) -> int:
    """Owe those who were told of the cancellation the news that *meeting* is on again."""
    ids = list(
        db.session.scalars(
            sa.select(RegistrationMail.registration_id)
            .join(Registration, Registration.id == RegistrationMail.registration_id)
            .where(
                Registration.meeting_id == meeting.id,
                RegistrationMail.kind == CANCELLED,
                RegistrationMail.sent_at.is_not(None),
            )
        )
    )
    return _owe(ids, REINSTATED)


def participants(meeting: Meeting) -> list[Registration]:
    """Everyone signed up (confirmed), those with a place first, then the waiting list in order."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.meeting_id == meeting.id, Registration.confirmed_at.is_not(None))
            .options(so.joinedload(Registration.user).joinedload(User.organisation))
            .order_by(Registration.waiting, Registration.confirmed_at, Registration.id)
        ).unique()
    )


def person(registration: Registration) -> tuple[str, str, str]:
    """(name, e-mail, organisation) of whoever signed up, member or guest."""
    user = registration.user
    if user is not None:
        return user.name, user.email or "", user.organisation.name if user.organisation else ""
    return registration.name, registration.email or "", registration.organisation


def participants_csv(rows: list[Registration], headers: list[str], labels: dict[str, str]) -> bytes:
    """The participants for Excel: UTF-8 with BOM, CRLF, formula-safe cells."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        name, email, organisation = person(row)
        writer.writerow(
            [
                csv_cell(name),
                csv_cell(organisation),
                csv_cell(email),
                labels["member"] if row.user_id else labels["guest"],
                labels["waiting"] if row.waiting else labels["place"],
                row.confirmed_at.strftime("%Y-%m-%d %H:%M") if row.confirmed_at else "",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ------------------------------------------------------------------ tokens


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def token(registration: Registration, purpose: str) -> str:
    """A link's token for *registration*: "confirm" (expires) or "cancel" (as long as it lasts).

    It names the registration's id and creation moment, so a token never fits a later row that
    happens to get the same id.
    """
    return _serializer().dumps([registration.id, registration.created_at.isoformat(), purpose])


def registration_for_token(value: str, purpose: str) -> tuple[Registration | None, str]:
    """(registration, "valid"), or (None, "invalid" | "expired" | "gone")."""
    max_age = CONFIRM_VALID.total_seconds() if purpose == "confirm" else None
    try:
        data = _serializer().loads(value, max_age=max_age)
    except SignatureExpired:
        return None, "expired"
    except BadData:
        return None, "invalid"
    if (
        not isinstance(data, list)
        or len(data) != 3
        or not isinstance(data[0], int)
        or isinstance(data[0], bool)
        or data[2] != purpose
    ):
        return None, "invalid"
    registration = db.session.get(Registration, data[0])
    if registration is None or registration.created_at.isoformat() != data[1] or registration.purged_at:
        return None, "gone"
    return registration, "valid"


# ------------------------------------------------------------------ mails


def queue_reminders(now: datetime) -> int:
    """Queue the day-before reminders of meetings starting within 24 hours; once per registration."""
    due = db.session.scalars(
        sa.select(Registration.id)
        .join(Meeting, Meeting.id == Registration.meeting_id)
        .where(
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at > now,
            Meeting.starts_at <= now + timedelta(days=1),
            Registration.confirmed_at.is_not(None),
            Registration.waiting.is_(False),
            ~sa.exists().where(
                RegistrationMail.registration_id == Registration.id, RegistrationMail.kind == REMINDER
            ),
        )
    ).all()
    for registration_id in due:
        try:
            with db.session.begin_nested():
                db.session.add(
                    RegistrationMail(registration_id=registration_id, kind=REMINDER, created_at=now)
                )
                db.session.flush()
        except sa.exc.IntegrityError:
            continue  # another run queued it
    return len(due)


def _links(registration: Registration) -> dict[str, str]:
    return {
        "meeting_url": url_for("meetings.meeting", meeting_id=registration.meeting_id, _external=True),
        "confirm_url": url_for(
            "meetings.confirm_signup", token=token(registration, "confirm"), _external=True
        ),
        "cancel_url": url_for("meetings.cancel_by_link", token=token(registration, "cancel"), _external=True),
    }


def _subjects(meeting: Meeting) -> dict[str, str]:
    return {
        ADDRESS: _("Confirm your sign-up for %(title)s", title=meeting.title),
        CONFIRMED: _("You are signed up for %(title)s", title=meeting.title),
        MOVED_UP: _("A place has come free: you are signed up for %(title)s", title=meeting.title),
        REMINDER: _("Reminder: %(title)s is tomorrow", title=meeting.title),
        CANCELLED: _("Cancelled: %(title)s", title=meeting.title),
        REINSTATED: _("On again: %(title)s", title=meeting.title),
    }


def build_message(row: RegistrationMail):
    """The e-mail for *row*, in Swedish or the member's language; None once no longer true."""
    registration = row.registration
    meeting = registration.meeting
    if registration.purged_at:
        return None
    # News of a cancellation goes only while the meeting is cancelled, everything else only while
    # it is not: a cancellation taken back before the run tells no one.
    if meeting.is_cancelled != (row.kind == CANCELLED):
        return None
    if row.kind in (CONFIRMED, MOVED_UP, REMINDER) and not (
        registration.confirmed_at and (row.kind == CONFIRMED or not registration.waiting)
    ):
        return None
    if row.kind == ADDRESS and registration.confirmed_at is not None:
        return None
    name, address, _organisation = person(registration)
    if not address:
        return None
    user = registration.user
    language = user.language if user is not None else registration.language
    with force_locale(language if language in ("sv", "en") else "sv"):
        context = {
            "kind": row.kind,
            "meeting": meeting,
            "name": name,
            "when": mail_datetime(meeting.starts_at),
            "waiting": registration.waiting,
            "until": mail_datetime(registration.created_at + CONFIRM_VALID),
            **_links(registration),
        }
        body = render_template("mail/meeting_signup.txt", **context)
        message = mail.build(
            address, _subjects(meeting)[row.kind], body, {"Auto-Submitted": "auto-generated"}
        )
        with_place = row.kind in (CONFIRMED, MOVED_UP, REINSTATED) and not registration.waiting
        if with_place or row.kind == CANCELLED:
            # The calendar event: its STATUS and raised SEQUENCE update the copy people keep.
            ics = calendar.calendar_bytes(
                [meeting],
                name=meeting.series.title,
                url_of=lambda m: context["meeting_url"],
                description_of=lambda m: calendar.describe(
                    m, _("The agenda will be published later."), _("Speakers:")
                ),
            )
            message.add_attachment(
                ics,
                maintype="text",
                subtype="calendar",
                filename=f"meeting-{meeting.id}.ics",
                params={"method": "PUBLISH"},
            )
    return message


def send_due(limit: int = 200) -> int:
    """Send the registration e-mails that are due; returns how many went. Commits after each."""
    return send_owed(RegistrationMail, build_message, limit)


def purge_guests(now: datetime | None = None) -> int:
    """Empty guests' name, e-mail and organisation GUEST_DATA_DAYS after their meeting ended."""
    now = now or utcnow()
    days = int(current_app.config.get("GUEST_DATA_DAYS", 90))
    rows = db.session.scalars(
        sa.select(Registration)
        .join(Meeting, Meeting.id == Registration.meeting_id)
        .where(
            Registration.user_id.is_(None),
            Registration.purged_at.is_(None),
            Meeting.starts_at < now - timedelta(days=days),
        )
    ).all()
    rows = [r for r in rows if r.meeting.ends_at + timedelta(days=days) <= now]
    for row in rows:
        row.name, row.email, row.organisation, row.purged_at = "", None, "", now
    db.session.flush()
    return len(rows)
