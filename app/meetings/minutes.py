"""The minutes of a meeting (issue 25, point 5): what the host writes after the meeting starts, who
attended, the decisions and the action points that carry forward to the series' next meeting.

Every change moves ``Meeting.minutes_updated_at`` with one conditional UPDATE, so it is also the
minutes' revision token: a save that replaces what is there (the texts, the ticks of who attended)
names the token it was loaded with and is refused (:class:`StaleMinutes`, 409) when someone saved in
between, instead of overwriting their work. Adding or removing one decision, action point or
attendee replaces nothing and needs no token. After publishing, a change shows as "updated <date>".

Bad input raises :class:`MinutesRefused` with the reason in the user's language; the caller rolls
back. The readers (:func:`minutes_of`, :func:`carried_actions`, :func:`open_actions_of`) each take a
fixed number of queries, however many action points there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from app.accounts.models import User
from app.audit import record
from app.database import utcnow
from app.extensions import db
from app.meetings.models import (
    ActionPoint,
    ActionStatus,
    AgendaItem,
    Attendance,
    Meeting,
    MinutesDecision,
    Registration,
)
from app.meetings.permissions import can_manage
from app.review import markdown
from app.timeutil import to_local

TEXT_LIMIT = 20_000
LINE_LIMIT = 2_000
NAME_LIMIT = 200


class MinutesRefused(Exception):
    """Bad input or a step that is not allowed now; *reason* is said to the user, *field* names the
    form field at fault ("" for the form as a whole)."""

    def __init__(self, reason: str, field: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


class StaleMinutes(Exception):
    """Someone changed the minutes since the form was loaded; nothing was saved."""


# --------------------------------------------------------------------------- state and the token


def refusal(meeting: Meeting, now: datetime | None = None) -> str | None:
    """Why the minutes cannot be written now, or None."""
    if meeting.is_cancelled:
        return _("The meeting was cancelled: it has no minutes.")
    if meeting.starts_at > (now or utcnow()):
        return _("The minutes can be written once the meeting has started.")
    return None


def may_write(user, meeting: Meeting) -> bool:
    """Hosts write the minutes, once the meeting has started (see :func:`refusal`)."""
    return can_manage(user) and user.is_active


def is_published(meeting: Meeting) -> bool:
    return meeting.minutes_published_at is not None


def is_corrected(meeting: Meeting) -> bool:
    """Changed after publishing: the page says "updated <date>"."""
    return bool(
        meeting.minutes_published_at is not None
        and meeting.minutes_updated_at is not None
        and meeting.minutes_updated_at > meeting.minutes_published_at
    )


def may_read(user, meeting: Meeting) -> bool:
    """Published minutes are read as the meeting is (the caller has checked the series); the draft
    only by hosts."""
    return is_published(meeting) or may_write(user, meeting)


def token_of(meeting: Meeting) -> str:
    """The revision token a form carries: the minutes' last change in microseconds ("0": none)."""
    moment = meeting.minutes_updated_at
    if moment is None:
        return "0"
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return str((delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds)


def _parse_token(token: str | None) -> datetime | None:
    text = (token or "").strip()
    if not text.isdigit() or len(text) > 20:
        raise MinutesRefused(_("The form had expired. Nothing was saved: load the page again."))
    value = int(text)
    if value == 0:
        return None
    try:
        return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=value)
    except OverflowError:
        raise MinutesRefused(_("The form had expired. Nothing was saved: load the page again.")) from None


def _touch(meeting: Meeting, token: str | None = None) -> None:
    """Move the minutes' revision on; with *token*, only if it is still the one the form was loaded
    with (one conditional UPDATE: of two saves at once, one wins and the other is told)."""
    expected = _parse_token(token) if token is not None else None
    now = utcnow()
    current = meeting.minutes_updated_at
    if current is not None and now <= current:
        now = current + timedelta(microseconds=1)
    statement = sa.update(Meeting).where(Meeting.id == meeting.id).values(minutes_updated_at=now)
    if token is not None:
        column = Meeting.minutes_updated_at
        statement = statement.where(column.is_(None) if expected is None else column == expected)
    result = db.session.execute(statement, execution_options={"synchronize_session": False})
    if result.rowcount != 1:
        raise StaleMinutes()
    so.attributes.set_committed_value(meeting, "minutes_updated_at", now)


def _check_open(meeting: Meeting) -> None:
    reason = refusal(meeting)
    if reason:
        raise MinutesRefused(reason)


def _text(value: str | None, limit: int, *, field: str, required: str | None = None) -> str:
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        raise MinutesRefused(required, field)
    if len(text) > limit:
        raise MinutesRefused(_("At most %(num)d characters.", num=limit), field)
    return text


def _item(meeting: Meeting, item_id: int | str | None) -> AgendaItem | None:
    """The meeting's agenda item *item_id* (None for the meeting as a whole); another meeting's item
    or an unknown id is refused."""
    if item_id in (None, "", "0", 0):
        return None
    try:
        number = int(item_id)
    except (TypeError, ValueError):
        number = -1
    item = db.session.get(AgendaItem, number) if 0 < number < 2**31 else None
    if item is None or item.meeting_id != meeting.id:
        raise MinutesRefused(_("Choose an item of this meeting's agenda."), "agenda_item")
    return item


def find_member(text: str) -> User | None:
    """The active member with the e-mail address *text*, or the only one with that name."""
    text = text.strip()
    if not text or len(text) > 254:
        return None
    if "@" in text:
        user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == text.lower()))
        return user if user is not None and user.is_active else None
    users = db.session.scalars(
        sa.select(User).where(sa.func.lower(User.name) == text.lower(), User.active.is_(True)).limit(2)
    ).all()
    return users[0] if len(users) == 1 else None


def _member(text: str, field: str) -> User:
    user = find_member(text)
    if user is None:
        raise MinutesRefused(
            _(
                "No single member has that e-mail address or name. Give the e-mail address, or "
                "write the name as free text."
            ),
            field,
        )
    return user


# --------------------------------------------------------------------------- the texts


def save_text(meeting: Meeting, token: str, general: str | None, items: dict[int, str], actor: User) -> None:
    """Save the general minutes and the minutes per agenda item (Markdown, rendered and sanitised
    once here), unless someone saved since *token*."""
    _check_open(meeting)
    known = {item.id: item for item in meeting.agenda_items}
    unknown = set(items) - set(known)
    if unknown:
        raise MinutesRefused(_("Choose an item of this meeting's agenda."), "agenda_item")
    texts = {item_id: _text(value, TEXT_LIMIT, field=f"item-{item_id}") for item_id, value in items.items()}
    general_text = _text(general, TEXT_LIMIT, field="general") if general is not None else None
    _touch(meeting, token)
    for item_id, text in texts.items():
        item = known[item_id]
        item.minutes, item.minutes_html = text, markdown.render(text)
    if general_text is not None:
        meeting.minutes, meeting.minutes_html = general_text, markdown.render(general_text)
    record(actor, "meeting.minutes_save", meeting)


# --------------------------------------------------------------------------- who attended


def signups(meeting: Meeting) -> list[Registration]:
    """The sign-ups the host ticks from: members and confirmed guests (waiting ones too: they may
    have come), not purged; with their members loaded."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(
                Registration.meeting_id == meeting.id,
                Registration.confirmed_at.is_not(None),
                Registration.purged_at.is_(None),
            )
            .options(so.joinedload(Registration.user).joinedload(User.organisation))
            .order_by(Registration.created_at, Registration.id)
        ).unique()
    )


def save_attendance(meeting: Meeting, token: str, ticked: set[int], actor: User) -> None:
    """Who of the sign-ups attended: exactly the *ticked* registrations (ids), unless someone saved
    since *token*. Others added by hand stay."""
    _check_open(meeting)
    registrations = {r.id: r for r in signups(meeting)}
    if ticked - set(registrations):
        raise MinutesRefused(_("Tick people from the list of sign-ups."), "attended")
    _touch(meeting, token)
    rows = db.session.scalars(sa.select(Attendance).where(Attendance.meeting_id == meeting.id)).all()
    by_registration = {a.registration_id: a for a in rows if a.registration_id is not None}
    by_user = {a.user_id: a for a in rows if a.user_id is not None}
    for registration_id, registration in registrations.items():
        present = by_registration.get(registration_id)
        if registration_id in ticked and present is None:
            same_member = by_user.get(registration.user_id) if registration.user_id else None
            if same_member is not None:
                same_member.registration_id = registration_id
            else:
                # A guest's name and organisation are read from the sign-up, so that purging the
                # sign-up's personal data also takes them out of the minutes.
                row = Attendance(meeting_id=meeting.id, user_id=registration.user_id)
                row.registration_id = registration_id
                db.session.add(row)
        elif registration_id not in ticked and present is not None:
            db.session.delete(present)
    record(actor, "meeting.minutes_attendance", meeting, attended=len(ticked))


def add_attendee(meeting: Meeting, member: str, name: str, organisation: str, actor: User) -> Attendance:
    """Someone who came without signing up: a member (by e-mail address or name) or a free name and
    organisation."""
    _check_open(meeting)
    member = _text(member, 254, field="member")
    name = _text(name, NAME_LIMIT, field="name")
    organisation = _text(organisation, NAME_LIMIT, field="organisation")
    if member:
        user = _member(member, "member")
        exists = db.session.scalar(
            sa.select(Attendance.id).where(Attendance.meeting_id == meeting.id, Attendance.user_id == user.id)
        )
        if exists is not None:
            raise MinutesRefused(_("%(name)s is already on the list.", name=user.name), "member")
        attendance = Attendance(meeting_id=meeting.id, user_id=user.id)
    elif name:
        attendance = Attendance(meeting_id=meeting.id, name=name, organisation=organisation)
    else:
        raise MinutesRefused(_("Give a member's e-mail address or name, or a name."), "member")
    _touch(meeting)
    db.session.add(attendance)
    db.session.flush()
    record(actor, "meeting.minutes_attendee_add", meeting, attendance=attendance.id)
    return attendance


def _own(model, meeting: Meeting, row_id: int):
    row = db.session.get(model, row_id) if 0 < row_id < 2**31 else None
    if row is None or row.meeting_id != meeting.id:
        raise MinutesRefused(_("That is not part of this meeting's minutes (any more)."))
    return row


def remove_attendee(meeting: Meeting, attendance_id: int, actor: User) -> None:
    _check_open(meeting)
    row = _own(Attendance, meeting, attendance_id)
    _touch(meeting)
    db.session.delete(row)
    record(actor, "meeting.minutes_attendee_remove", meeting, attendance=attendance_id)


# --------------------------------------------------------------------------- decisions and actions


def add_decision(meeting: Meeting, item_id, text: str, actor: User) -> MinutesDecision:
    _check_open(meeting)
    item = _item(meeting, item_id)
    text = _text(text, LINE_LIMIT, field="text", required=_("Write the decision."))
    _touch(meeting)
    last = db.session.scalar(
        sa.select(sa.func.max(MinutesDecision.position)).where(MinutesDecision.meeting_id == meeting.id)
    )
    decision = MinutesDecision(
        meeting_id=meeting.id, agenda_item_id=item.id if item else None, text=text, position=(last or 0) + 1
    )
    db.session.add(decision)
    db.session.flush()
    record(actor, "meeting.minutes_decision_add", meeting, decision=decision.id)
    return decision


def remove_decision(meeting: Meeting, decision_id: int, actor: User) -> None:
    _check_open(meeting)
    row = _own(MinutesDecision, meeting, decision_id)
    _touch(meeting)
    db.session.delete(row)
    record(actor, "meeting.minutes_decision_remove", meeting, decision=decision_id)


def parse_due(value: str | None) -> date | None:
    """A due date as the date field sends it (YYYY-MM-DD); "" is none."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        due = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        due = None
    if due is None or not 2000 <= due.year <= 2100:
        raise MinutesRefused(_("Give the date as YYYY-MM-DD, for example 2020-12-01."), "due_on")
    return due


def add_action(
    meeting: Meeting, item_id, what: str, owner: str, owner_name: str, due: str, actor: User
) -> ActionPoint:
    """An action point: what, who (a member by e-mail address or name, or a free name), by when."""
    _check_open(meeting)
    item = _item(meeting, item_id)
    what = _text(what, LINE_LIMIT, field="what", required=_("Write what is to be done."))
    owner = _text(owner, 254, field="owner")
    owner_name = _text(owner_name, NAME_LIMIT, field="owner_name")
    due_on = parse_due(due)
    user = _member(owner, "owner") if owner else None
    if user is None and not owner_name:
        raise MinutesRefused(_("Say who does it: a member, or a name."), "owner")
    _touch(meeting)
    action = ActionPoint(
        meeting_id=meeting.id,
        agenda_item_id=item.id if item else None,
        what=what,
        owner_id=user.id if user else None,
        owner_name="" if user else owner_name,
        due_on=due_on,
        status=ActionStatus.OPEN,
    )
    db.session.add(action)
    db.session.flush()
    record(actor, "meeting.minutes_action_add", meeting, action_point=action.id)
    return action


def remove_action(meeting: Meeting, action_id: int, actor: User) -> None:
    _check_open(meeting)
    row = _own(ActionPoint, meeting, action_id)
    _touch(meeting)
    db.session.delete(row)
    record(actor, "meeting.minutes_action_remove", meeting, action_point=action_id)


def may_mark(user, action: ActionPoint) -> bool:
    """The owner or a host marks an action point done or dropped (or open again)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return action.owner_id == user.id or can_manage(user)


def set_status(action: ActionPoint, status: str, actor: User) -> bool:
    """Mark *action* open, done or dropped; False when it already was."""
    try:
        new = ActionStatus(status)
    except ValueError:
        raise MinutesRefused(_("Choose done, dropped or open.")) from None
    if not may_mark(actor, action):
        raise MinutesRefused(_("Only the owner of the action point or a host can mark it."))
    if action.status is new:
        return False
    action.status, action.status_changed_at, action.status_changed_by_id = new, utcnow(), actor.id
    record(actor, "meeting.action_status", action, status=new.value)
    return True


# --------------------------------------------------------------------------- publishing


def publish(meeting: Meeting, actor: User) -> bool:
    """Publish the minutes (seen as the series is); False when they already were."""
    _check_open(meeting)
    if is_published(meeting):
        return False
    _touch(meeting)
    meeting.minutes_published_at = meeting.minutes_updated_at
    record(actor, "meeting.minutes_publish", meeting)
    return True


def unpublish(meeting: Meeting, actor: User) -> bool:
    """Take the minutes back to a draft (for hosts only); False when they were not published."""
    if not is_published(meeting):
        return False
    _touch(meeting)
    meeting.minutes_published_at = None
    record(actor, "meeting.minutes_unpublish", meeting)
    return True


# --------------------------------------------------------------------------- reading


def today() -> date:
    """Today in Swedish time: an action point due today is not overdue yet."""
    return to_local(utcnow()).date()


def is_overdue(action: ActionPoint, on: date | None = None) -> bool:
    if action.status is not ActionStatus.OPEN or action.due_on is None:
        return False
    return action.due_on < (on or today())


def owner_label(action: ActionPoint) -> str:
    """Who owns the action point, as the minutes name them."""
    if action.owner is not None:
        return action.owner.name
    return action.owner_name


@dataclass
class Minutes:
    """A meeting's minutes as the page, the Word file and the API show them."""

    meeting: Meeting
    items: list[AgendaItem]
    decisions: dict[int | None, list[MinutesDecision]] = field(default_factory=dict)
    actions: dict[int | None, list[ActionPoint]] = field(default_factory=dict)
    attendance: list[Attendance] = field(default_factory=list)

    @property
    def all_decisions(self) -> list[MinutesDecision]:
        return [d for key in self._order() for d in self.decisions.get(key, [])]

    @property
    def all_actions(self) -> list[ActionPoint]:
        return [a for key in self._order() for a in self.actions.get(key, [])]

    def _order(self) -> list[int | None]:
        return [None, *(item.id for item in self.items)]

    def item_title(self, item_id: int | None) -> str:
        return next((item.title for item in self.items if item.id == item_id), "")

    @property
    def attendance_count(self) -> int:
        return len(self.attendance)

    def attendee(self, row: Attendance) -> tuple[str, str]:
        """(name, organisation) of one attendee: the member's, the sign-up's, or as written."""
        if row.user is not None:
            return row.user.name, row.user.organisation.name if row.user.organisation else ""
        if row.registration is not None:
            return row.registration.name, row.registration.organisation
        return row.name, row.organisation


def minutes_of(meeting: Meeting) -> Minutes:
    """The whole minutes in four queries: items, decisions, action points (with owners), attendance."""
    items = list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )
    minutes = Minutes(meeting, items)
    for decision in db.session.scalars(
        sa.select(MinutesDecision)
        .where(MinutesDecision.meeting_id == meeting.id)
        .order_by(MinutesDecision.position, MinutesDecision.id)
    ):
        minutes.decisions.setdefault(decision.agenda_item_id, []).append(decision)
    for action in db.session.scalars(
        sa.select(ActionPoint)
        .where(ActionPoint.meeting_id == meeting.id)
        .options(so.joinedload(ActionPoint.owner))
        .order_by(ActionPoint.id)
    ):
        minutes.actions.setdefault(action.agenda_item_id, []).append(action)
    minutes.attendance = list(
        db.session.scalars(
            sa.select(Attendance)
            .where(Attendance.meeting_id == meeting.id)
            .options(
                so.joinedload(Attendance.user).joinedload(User.organisation),
                so.joinedload(Attendance.registration),
            )
            .order_by(Attendance.id)
        ).unique()
    )
    minutes.attendance.sort(key=lambda row: minutes.attendee(row)[0].casefold())
    return minutes


def _carried_query(viewer=None):
    query = (
        sa.select(ActionPoint)
        .join(ActionPoint.meeting)
        .options(
            so.contains_eager(ActionPoint.meeting),
            so.joinedload(ActionPoint.owner),
            so.joinedload(ActionPoint.agenda_item),
        )
        .where(ActionPoint.status == ActionStatus.OPEN)
        .order_by(Meeting.starts_at, ActionPoint.id)
    )
    if viewer is None or not (viewer.is_authenticated and can_manage(viewer)):
        query = query.where(Meeting.minutes_published_at.is_not(None))
    return query


def carried_actions(meeting: Meeting, viewer=None) -> list[ActionPoint]:
    """The open action points of the series' earlier meetings, oldest first, in one query: shown
    on the next meeting (page and pack) until marked done or dropped. Drafts only for a host
    *viewer* (None: published minutes only, as in the pack)."""
    query = _carried_query(viewer).where(
        Meeting.series_id == meeting.series_id,
        Meeting.id != meeting.id,
        Meeting.starts_at < meeting.starts_at,
    )
    return list(db.session.scalars(query).unique())


def open_actions_of(user) -> list[ActionPoint]:
    """*user*'s own open action points from published minutes (or drafts, for a host)."""
    if not user.is_authenticated:
        return []
    query = _carried_query(user).where(ActionPoint.owner_id == user.id)
    return list(db.session.scalars(query).unique())


def pack_lines(meeting: Meeting) -> list[str]:
    """The open action points of earlier meetings, one line each, for the pack's cover (in the
    language of the current locale; the caller forces the pack's)."""
    on = today()
    lines = []
    for action in carried_actions(meeting):
        parts = [action.what]
        owner = owner_label(action)
        if owner:
            parts.append(owner)
        if action.due_on:
            parts.append(_("due %(date)s", date=action.due_on.isoformat()))
        parts.append(_("overdue") if is_overdue(action, on) else _("open"))
        parts.append(_("from %(meeting)s", meeting=action.meeting.title))
        lines.append(" – ".join(parts))
    return lines


def group_by_meeting(actions: list[ActionPoint]) -> list[tuple[Meeting, list[ActionPoint]]]:
    groups: dict[int, list[ActionPoint]] = defaultdict(list)
    meetings: dict[int, Meeting] = {}
    for action in actions:
        groups[action.meeting_id].append(action)
        meetings[action.meeting_id] = action.meeting
    return [(meetings[key], rows) for key, rows in groups.items()]
