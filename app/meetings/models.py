"""Network meetings and the files exported for them."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, enum_type, utcnow
from app.documents.models import Document, Visibility
from app.extensions import db


class ExportKind(enum.Enum):
    """The files of a meeting pack."""

    TRACKED = "tracked"
    CLEAN = "clean"
    CSV = "csv"
    JSON = "json"


series_organiser = sa.Table(
    "series_organiser",
    db.metadata,
    sa.Column("series_id", sa.ForeignKey("meeting_series.id"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisation.id"), primary_key=True),
)


class MeetingSeries(db.Model):
    """A series of network meetings, such as the autumn's digital workshops.

    Its visibility works as a document's: a network series and its meetings are for signed-in
    members only, never for visitors, the feeds or the API without a token.
    """

    __tablename__ = "meeting_series"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    visibility: so.Mapped[Visibility] = so.mapped_column(
        enum_type(Visibility, "series_visibility"), default=Visibility.PUBLIC
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    organisers: so.Mapped[list[Organisation]] = so.relationship(  # noqa: F821
        secondary=series_organiser, order_by="Organisation.name"
    )
    meetings: so.Mapped[list[Meeting]] = so.relationship(
        back_populates="series", order_by="Meeting.starts_at, Meeting.id"
    )

    def can_read(self, user) -> bool:
        """Public series are for everyone; network series for signed-in, active users."""
        if self.visibility is Visibility.PUBLIC:
            return True
        return bool(user is not None and user.is_authenticated and user.is_active)


class Meeting(db.Model):
    """A meeting of a series; it may present one version of a document (the pack) or none."""

    __tablename__ = "meeting"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    series_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting_series.id"), index=True)
    # The document whose version is presented; None for a meeting that presents no draft.
    document_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("document.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    subject: so.Mapped[str] = so.mapped_column(sa.String(300), default="", server_default="")
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    duration_minutes: so.Mapped[int] = so.mapped_column(sa.Integer, default=120, server_default="120")
    # The link to a video meeting: never on the public page (see Meeting.video_link_for).
    video_url: so.Mapped[str] = so.mapped_column(sa.String(500), default="", server_default="")
    agenda_published: so.Mapped[bool] = so.mapped_column(sa.Boolean, default=True, server_default=sa.true())
    cancelled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Places for sign-ups (None: no limit); beyond them people wait (Registration.waiting).
    capacity: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    # Raised on every change, so calendars replace the event they hold (RFC 5545 SEQUENCE).
    sequence: so.Mapped[int] = so.mapped_column(sa.Integer, default=0, server_default="0")
    updated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The minutes (issue 25, point 5): written per agenda item, published as the series is seen.
    minutes_published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    minutes_updated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The general minutes, for a meeting without agenda items (Markdown, and its sanitised HTML).
    minutes: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    minutes_html: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    starts_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    agenda: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    agenda_html: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # An address, a room or the link to a video meeting; "" when not given.
    place: so.Mapped[str] = so.mapped_column(sa.String(500), default="", server_default="")
    version_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("version.id"))
    base_version_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("version.id"))
    host_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    series: so.Mapped[MeetingSeries] = so.relationship(back_populates="meetings")
    speakers: so.Mapped[list[Speaker]] = so.relationship(
        back_populates="meeting", order_by="Speaker.position", cascade="all, delete-orphan"
    )
    document: so.Mapped[Document | None] = so.relationship()
    version: so.Mapped[Version | None] = so.relationship(foreign_keys=[version_id])  # noqa: F821
    base_version: so.Mapped[Version | None] = so.relationship(  # noqa: F821
        foreign_keys=[base_version_id]
    )
    host: so.Mapped[User | None] = so.relationship()  # noqa: F821
    exports: so.Mapped[list[Export]] = so.relationship(
        back_populates="meeting", order_by="Export.created_at.desc()"
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Speaker(db.Model):
    """Someone who speaks at a meeting: a name, a title and the organisation they come from."""

    __tablename__ = "meeting_speaker"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id"), index=True)
    position: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    name: so.Mapped[str] = so.mapped_column(sa.String(200))
    title: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    organisation: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")

    meeting: so.Mapped[Meeting] = so.relationship(back_populates="speakers")


class Export(db.Model):
    """A generated file of a meeting pack, with the checksum to verify it later."""

    __tablename__ = "export"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id"), index=True)
    kind: so.Mapped[ExportKind] = so.mapped_column(enum_type(ExportKind, "export_kind"))
    path: so.Mapped[str] = so.mapped_column(sa.String(500))
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    size: so.Mapped[int] = so.mapped_column(sa.Integer)
    version_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("version.id"))
    base_version_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("version.id"))
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # The file's bytes, so every app server can serve it (EXPORTS_DIR is a mirror); loaded
    # only when asked for. NULL for files exported before the bytes were kept here.
    content: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)

    meeting: so.Mapped[Meeting] = so.relationship(back_populates="exports")
    created_by: so.Mapped[User | None] = so.relationship()  # noqa: F821

    @property
    def file_name(self) -> str:
        """The name of the file (its path is ``<slug>/<date>/<name>``)."""
        return self.path.rsplit("/", 1)[-1]


def series_of_document(session: so.Session, document) -> MeetingSeries:
    """The series a meeting of *document* joins when none is given: one per document, as the
    migration b1a0c0de2501 made them (titled and visible as the document); created if missing."""
    with session.no_autoflush:
        for obj in session.new:
            if isinstance(obj, Meeting) and obj.document is document and obj.series is not None:
                return obj.series
        series = None
        if document.id is not None:
            series = session.scalar(
                sa.select(MeetingSeries)
                .join(Meeting, Meeting.series_id == MeetingSeries.id)
                .where(Meeting.document_id == document.id)
                .order_by(MeetingSeries.id)
                .limit(1)
            )
    if series is None:
        series = MeetingSeries(title=document.title, description="", visibility=document.visibility)
        session.add(series)
    return series


@sa.event.listens_for(so.Session, "before_flush")
def _meetings_join_a_series(session, _flush_context, _instances) -> None:
    """A meeting made without a series (code from before series existed, scripts) joins the series
    of its document's meetings."""
    for obj in list(session.new):
        if isinstance(obj, Meeting) and obj.series is None and obj.series_id is None:
            document = obj.document
            if document is None and obj.document_id is not None:
                with session.no_autoflush:
                    document = session.get(Document, obj.document_id)
            if document is not None:
                obj.series = series_of_document(session, document)


class Registration(db.Model):
    """One person signed up for a meeting: a member (user) or a guest (name, e-mail, organisation).

    A guest counts only once the address is confirmed (``confirmed_at``); a registration beyond
    the meeting's capacity waits (``waiting``) and moves up when a place comes free. Cancelling
    deletes the row. A guest's personal data is emptied (``purged_at``) some days after the
    meeting by `flask purge`.
    """

    __tablename__ = "meeting_registration"
    __table_args__ = (
        # Signing up twice is one registration, also under a race (the loser's insert fails).
        sa.UniqueConstraint("meeting_id", "user_id", name="uq_registration_meeting_user"),
        sa.UniqueConstraint("meeting_id", "email", name="uq_registration_meeting_email"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id"), index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    # A guest's details; empty for members (their account has them) and once purged.
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    organisation: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    # The language a guest signed up in, so their e-mails come in it (members have their own).
    language: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    waiting: so.Mapped[bool] = so.mapped_column(sa.Boolean, default=False, server_default=sa.false())
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    purged_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    meeting: so.Mapped[Meeting] = so.relationship()
    user: so.Mapped[User | None] = so.relationship()  # noqa: F821

    @property
    def is_guest(self) -> bool:
        return self.user_id is None

    @property
    def has_place(self) -> bool:
        """Confirmed and not waiting: counted, and told the video link."""
        return self.confirmed_at is not None and not self.waiting


class RegistrationMail(db.Model):
    """One e-mail owed about a registration, sent by the mail run (`flask send-mail`).

    Unique per registration and kind, so a reminder or a confirmation is sent once however
    often the run comes (as the outbox's dedupe keys do for response reminders).
    """

    __tablename__ = "meeting_registration_mail"
    __table_args__ = (sa.UniqueConstraint("registration_id", "kind", name="uq_registration_mail_kind"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    registration_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("meeting_registration.id", ondelete="CASCADE"), index=True
    )
    # "address" (confirm your address), "confirmed" (with the .ics), "moved_up", "reminder".
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    attempts: so.Mapped[int] = so.mapped_column(sa.Integer, default=0, server_default="0")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    registration: so.Mapped[Registration] = so.relationship()


_counted = sa.and_(Registration.confirmed_at.is_not(None), Registration.waiting.is_(False))
# Counts, never names: loaded with every meeting in the same query (pages, API, benchmarks).
Meeting.signed_up_count = so.column_property(
    sa.select(sa.func.count(Registration.id))
    .where(Registration.meeting_id == Meeting.id, _counted)
    .correlate_except(Registration)
    .scalar_subquery()
)
Meeting.waiting_count = so.column_property(
    sa.select(sa.func.count(Registration.id))
    .where(
        Registration.meeting_id == Meeting.id,
        Registration.confirmed_at.is_not(None),
        Registration.waiting.is_(True),
    )
    .correlate_except(Registration)
    .scalar_subquery()
)


class TopicStatus(enum.Enum):
    """Where a proposal stands: open for support, taken into a meeting, closed by a host, or
    withdrawn by its proposer. Nothing is deleted."""

    OPEN = "open"
    TAKEN = "taken"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Topic(db.Model):
    """A topic or challenge a member proposes for a series (issue 25, point 3).

    Visible as its series. A host takes it into a meeting of the series (``meeting``) or closes it
    with a reason (``reason``); the proposer is e-mailed either way (TopicMail).
    """

    __tablename__ = "meeting_topic"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    series_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting_series.id"), index=True)
    proposer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    status: so.Mapped[TopicStatus] = so.mapped_column(
        sa.Enum(TopicStatus, values_callable=lambda e: [m.value for m in e], native_enum=False, length=20),
        default=TopicStatus.OPEN,
        server_default="open",
    )
    meeting_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("meeting.id"), index=True)
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    series: so.Mapped[MeetingSeries] = so.relationship()
    proposer: so.Mapped[User] = so.relationship(foreign_keys=[proposer_id])  # noqa: F821
    meeting: so.Mapped[Meeting | None] = so.relationship()


class TopicSupport(db.Model):
    """One member's support for a topic: once each (unique, also under a race)."""

    __tablename__ = "meeting_topic_support"
    __table_args__ = (sa.UniqueConstraint("topic_id", "user_id", name="uq_topic_support_user"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    topic_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting_topic.id"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class TopicMail(db.Model):
    """An e-mail owed to a topic's proposer ("taken" or "closed"), sent once by the mail run."""

    __tablename__ = "meeting_topic_mail"
    __table_args__ = (sa.UniqueConstraint("topic_id", "kind", name="uq_topic_mail_kind"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    topic_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting_topic.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    attempts: so.Mapped[int] = so.mapped_column(sa.Integer, default=0, server_default="0")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    topic: so.Mapped[Topic] = so.relationship()


# Loaded with every topic in the same query (the series page lists many).
Topic.support_count = so.column_property(
    sa.select(sa.func.count(TopicSupport.id))
    .where(TopicSupport.topic_id == Topic.id)
    .correlate_except(TopicSupport)
    .scalar_subquery()
)


class AgendaAttachment(db.Model):
    """A file shown with an agenda item, such as the slides as PDF (issue 25, point 4).

    Kept in the database like the pack's files, so every app server can serve it; the bytes
    load only when asked for.
    """

    __tablename__ = "meeting_attachment"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id"), index=True)
    file_name: so.Mapped[str] = so.mapped_column(sa.String(255))
    media_type: so.Mapped[str] = so.mapped_column(sa.String(100), default="application/pdf")
    size: so.Mapped[int] = so.mapped_column(sa.Integer)
    sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, deferred=True)
    uploaded_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    meeting: so.Mapped[Meeting] = so.relationship()


class AgendaItem(db.Model):
    """One item of a meeting's agenda, in order: a title, when it starts (or how long it takes),
    who presents it, and what it links to (a document version, a topic or an attachment).

    After the meeting the host writes its minutes (``minutes``, Markdown, rendered and sanitised
    into ``minutes_html``); its decisions and action points hang off it (issue 25, point 5).
    """

    __tablename__ = "meeting_agenda_item"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id"), index=True)
    position: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    title: so.Mapped[str] = so.mapped_column(sa.String(300))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    # When the item starts (UTC, shown in Swedish time) or, without it, how long it takes.
    starts_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    duration_minutes: so.Mapped[int | None] = so.mapped_column(sa.Integer)
    presenter: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    version_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("version.id"))
    topic_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("meeting_topic.id"))
    attachment_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("meeting_attachment.id"))
    minutes: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    minutes_html: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    meeting: so.Mapped[Meeting] = so.relationship(back_populates="agenda_items")
    version: so.Mapped[Version | None] = so.relationship()  # noqa: F821
    topic: so.Mapped[Topic | None] = so.relationship()
    attachment: so.Mapped[AgendaAttachment | None] = so.relationship()


Meeting.agenda_items = so.relationship(
    AgendaItem, back_populates="meeting", order_by=(AgendaItem.position, AgendaItem.id)
)


class Attendance(db.Model):
    """Someone who attended a meeting, ticked by the host: a member (``user``) or, for people
    without an account, a name and organisation."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id", name="uq_attendance_meeting_user"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id"), index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    registration_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("meeting_registration.id", ondelete="SET NULL")
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    organisation: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    meeting: so.Mapped[Meeting] = so.relationship()
    user: so.Mapped[User | None] = so.relationship()  # noqa: F821
    registration: so.Mapped[Registration | None] = so.relationship()


class MinutesDecision(db.Model):
    """A decision recorded in the minutes, under an agenda item (or the meeting as a whole)."""

    __tablename__ = "meeting_decision"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id"), index=True)
    agenda_item_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("meeting_agenda_item.id"))
    position: so.Mapped[int] = so.mapped_column(sa.Integer, default=0)
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    meeting: so.Mapped[Meeting] = so.relationship()
    agenda_item: so.Mapped[AgendaItem | None] = so.relationship()


class ActionStatus(enum.Enum):
    """Where an action point stands. Open ones are carried to the series' next meeting."""

    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class ActionPoint(db.Model):
    """An action point from the minutes: what, who (a member, or a name), by when, and its status.

    Open action points show on the series' next meeting (page and pack) and on their owner's
    profile until marked done or dropped.
    """

    __tablename__ = "meeting_action_point"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    meeting_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("meeting.id"), index=True)
    agenda_item_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("meeting_agenda_item.id"))
    what: so.Mapped[str] = so.mapped_column(sa.Text)
    owner_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"), index=True)
    # Who, when the owner has no account (or as written in the minutes).
    owner_name: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    due_on: so.Mapped[date | None] = so.mapped_column(sa.Date)
    status: so.Mapped[ActionStatus] = so.mapped_column(
        sa.Enum(ActionStatus, values_callable=lambda e: [m.value for m in e], native_enum=False, length=20),
        default=ActionStatus.OPEN,
        server_default="open",
        index=True,
    )
    status_changed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    status_changed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("user.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    meeting: so.Mapped[Meeting] = so.relationship()
    agenda_item: so.Mapped[AgendaItem | None] = so.relationship()
    owner: so.Mapped[User | None] = so.relationship(foreign_keys=[owner_id])  # noqa: F821
