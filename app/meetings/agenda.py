"""The agenda as items (issue 25, point 4): hosts add, change, reorder and remove a meeting's
agenda items, each with a start time (Swedish time, stored UTC) or a duration, a presenter and at
most one link: a version of the meeting's document, a topic of the series, or an attachment
(slides as PDF, kept in the database like the pack's files).

Every operation leaves the commit to the caller; a refusal raises :class:`AgendaRefused` with
the reason in the user's language and changes nothing. Items follow the meeting's
``agenda_published``: until it is published only hosts see them (page, calendar, API, pack).

An uploaded PDF is checked by :func:`check_pdf`, a byte scan (no PDF library is installed): the
``%PDF-`` header, an end-of-file marker, no encryption, and no active content (JavaScript,
launch actions, embedded files, automatic actions, rich media, forms that submit or import), also
inside compressed object streams and with names spelt in ``#xx`` escapes. It refuses what it
cannot read (an object stream it cannot inflate or that inflates beyond a bound). It is a scan,
not a parser: it may refuse an odd but harmless file, and it reads no page content.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from app.audit import record
from app.database import utcnow
from app.documents.models import Version
from app.extensions import db
from app.meetings.models import (
    ActionPoint,
    AgendaAttachment,
    AgendaItem,
    Meeting,
    MinutesDecision,
    Topic,
    TopicStatus,
)
from app.timeutil import to_local, to_utc

TITLE_MAX, DESCRIPTION_MAX, PRESENTER_MAX = 300, 5000, 200
DURATION_MAX = 24 * 60
ITEMS_MAX = 100
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
# Links are written "kind:id" in forms: a version, a topic or an attachment.
VERSION, TOPIC, ATTACHMENT = "version", "topic", "attachment"


class AgendaRefused(Exception):
    """An agenda change that cannot be made; ``reason`` says why in the user's language."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ItemDetails:
    """What a host types for an item; ``link`` is ``(kind, id)`` or None."""

    title: str
    description: str = ""
    start: time | None = None
    duration_minutes: int | None = None
    presenter: str = ""
    link: tuple[str, int] | None = None


# ---------------------------------------------------------------- times


def meeting_day(meeting: Meeting):
    """The meeting's day in Swedish time (not the UTC date: a meeting at 00:30 is on its own day)."""
    return to_local(meeting.starts_at).date()


def item_start(meeting: Meeting, at: time) -> datetime:
    """*at* (Swedish time) on the meeting's day, as UTC; refused if the clock skips it (the
    spring change, 02:00–03:00). In the autumn hour that occurs twice the first is taken."""
    at = at.replace(second=0, microsecond=0, tzinfo=None)
    moment = to_utc(meeting_day(meeting), at)
    if to_local(moment).time().replace(tzinfo=None) != at:
        raise AgendaRefused(_("That time does not exist on the day of the meeting (the clocks go forward)."))
    return moment


def item_ends(items: list[AgendaItem], meeting: Meeting) -> dict[int, datetime | None]:
    """When each item with a start ends: its start plus its duration, else the next item's start,
    else (the last item) the meeting's end; None when not known."""
    ends: dict[int, datetime | None] = {}
    for i, item in enumerate(items):
        if item.starts_at is None:
            continue
        if item.duration_minutes:
            ends[item.id] = item.starts_at + timedelta(minutes=item.duration_minutes)
        elif i + 1 < len(items):
            following = items[i + 1].starts_at
            ends[item.id] = following if following is not None and following > item.starts_at else None
        else:
            ends[item.id] = meeting.ends_at if meeting.ends_at > item.starts_at else None
    return ends


# ---------------------------------------------------------------- visibility and links


def items_for(meeting: Meeting, may_manage: bool) -> list[AgendaItem]:
    """The items *meeting* shows: all to hosts, none to others until the agenda is published."""
    if not (meeting.agenda_published or may_manage):
        return []
    return list(meeting.agenda_items)


@dataclass(frozen=True)
class AgendaRow:
    """An item as pages show it, with when it ends (None: not known)."""

    item: AgendaItem
    ends_at: datetime | None


def rows_for(meeting: Meeting, may_manage: bool) -> list[AgendaRow]:
    """The items a page shows (see :func:`items_for`) with their links, in one query whatever
    their number (an attachment's bytes are not loaded)."""
    if not (meeting.agenda_published or may_manage):
        return []
    items = list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .options(
                so.joinedload(AgendaItem.version),
                so.joinedload(AgendaItem.topic),
                so.joinedload(AgendaItem.attachment),
            )
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )
    ends = item_ends(items, meeting)
    return [AgendaRow(item, ends.get(item.id)) for item in items]


def feed_items(meetings: list[Meeting]) -> dict[int, list]:
    """The items of the *meetings* whose agenda is published, by meeting, in one query of plain
    rows (id, title, presenter, starts_at, duration_minutes): what the feeds' descriptions list."""
    ids = [m.id for m in meetings if m.agenda_published]
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(
            AgendaItem.meeting_id,
            AgendaItem.id,
            AgendaItem.title,
            AgendaItem.presenter,
            AgendaItem.starts_at,
            AgendaItem.duration_minutes,
        )
        .where(AgendaItem.meeting_id.in_(ids))
        .order_by(AgendaItem.meeting_id, AgendaItem.position, AgendaItem.id)
    ).all()
    by_meeting: dict[int, list] = {}
    for row in rows:
        by_meeting.setdefault(row.meeting_id, []).append(row)
    return by_meeting


def set_published(meeting: Meeting, published: bool, actor) -> bool:
    """Publish the agenda (items and text) or hide it again; False when nothing changes."""
    if meeting.agenda_published == published:
        return False
    meeting.agenda_published = published
    _changed(meeting)
    record(actor, "agenda.publish" if published else "agenda.hide", meeting, title=meeting.title)
    db.session.flush()
    return True


def version_choices(meeting: Meeting) -> list[Version]:
    """Versions of the meeting's document an item may link to: the published ones and the one presented."""
    if meeting.document_id is None:
        return []
    versions = db.session.scalars(
        sa.select(Version).where(Version.document_id == meeting.document_id).order_by(Version.number)
    ).all()
    return [v for v in versions if v.is_published or v.id == meeting.version_id]


def topic_choices(meeting: Meeting) -> list[Topic]:
    """Topics of the meeting's series an item may link to (not those withdrawn by their proposer)."""
    return list(
        db.session.scalars(
            sa.select(Topic)
            .where(Topic.series_id == meeting.series_id, Topic.status != TopicStatus.WITHDRAWN)
            .order_by(Topic.created_at, Topic.id)
        )
    )


def attachment_choices(meeting: Meeting) -> list[AgendaAttachment]:
    return list(
        db.session.scalars(
            sa.select(AgendaAttachment)
            .where(AgendaAttachment.meeting_id == meeting.id)
            .order_by(AgendaAttachment.created_at, AgendaAttachment.id)
        )
    )


def _set_link(meeting: Meeting, item: AgendaItem, link: tuple[str, int] | None) -> None:
    """Point *item* at one version, topic or attachment of *meeting* (or none); refused if the
    target is not the meeting's (another document's version, another series' topic …)."""
    item.version_id = item.topic_id = item.attachment_id = None
    item.version = item.topic = item.attachment = None
    if link is None:
        return
    kind, target_id = link
    allowed = {
        VERSION: {v.id: v for v in version_choices(meeting)},
        TOPIC: {t.id: t for t in topic_choices(meeting)},
        ATTACHMENT: {a.id: a for a in attachment_choices(meeting)},
    }.get(kind, {})
    target = allowed.get(target_id)
    if target is None:
        raise AgendaRefused(_("Choose a link from the list."))
    setattr(item, kind, target)


# ---------------------------------------------------------------- items


def _clean(details: ItemDetails) -> ItemDetails:
    title = details.title.strip()
    if not title:
        raise AgendaRefused(_("Give the item a title."))
    if len(title) > TITLE_MAX or len(details.presenter.strip()) > PRESENTER_MAX:
        raise AgendaRefused(_("The title or the presenter is too long."))
    if len(details.description) > DESCRIPTION_MAX:
        raise AgendaRefused(_("The description is too long."))
    minutes = details.duration_minutes
    if minutes is not None and not 1 <= minutes <= DURATION_MAX:
        raise AgendaRefused(_("Give the duration in whole minutes, from 1 to %(max)d.", max=DURATION_MAX))
    return ItemDetails(
        title=title,
        description=details.description.strip(),
        start=details.start,
        duration_minutes=minutes,
        presenter=details.presenter.strip(),
        link=details.link,
    )


def _changed(meeting: Meeting) -> None:
    """The event's description lists the items: calendars should replace what they hold."""
    meeting.sequence = (meeting.sequence or 0) + 1
    meeting.updated_at = utcnow()


def _fill(meeting: Meeting, item: AgendaItem, details: ItemDetails) -> None:
    details = _clean(details)
    item.title = details.title
    item.description = details.description
    item.presenter = details.presenter
    item.starts_at = item_start(meeting, details.start) if details.start is not None else None
    item.duration_minutes = details.duration_minutes
    _set_link(meeting, item, details.link)


def add_item(meeting: Meeting, details: ItemDetails, actor) -> AgendaItem:
    """Add an item at the end of *meeting*'s agenda."""
    items = list(meeting.agenda_items)
    if len(items) >= ITEMS_MAX:
        raise AgendaRefused(_("An agenda has at most %(max)d items.", max=ITEMS_MAX))
    item = AgendaItem(meeting_id=meeting.id, position=max((i.position for i in items), default=-1) + 1)
    _fill(meeting, item, details)
    item.meeting = meeting
    db.session.add(item)
    _changed(meeting)
    record(actor, "agenda.add", item, meeting=meeting.id, title=item.title)
    db.session.flush()
    return item


def update_item(item: AgendaItem, details: ItemDetails, actor) -> None:
    _fill(item.meeting, item, details)
    _changed(item.meeting)
    record(actor, "agenda.update", item, meeting=item.meeting_id, title=item.title)
    db.session.flush()


def move_item(item: AgendaItem, step: int, actor) -> bool:
    """Move *item* one place up (-1) or down (+1); False when it is already first or last."""
    meeting = item.meeting
    items = list(meeting.agenda_items)
    index = items.index(item)
    other = index + step
    if step not in (-1, 1) or not 0 <= other < len(items):
        return False
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        each.position = position
    _changed(meeting)
    record(actor, "agenda.move", item, meeting=meeting.id, position=other)
    db.session.flush()
    return True


def minutes_rely_on(item: AgendaItem) -> bool:
    """Whether the minutes hold something under *item*: its notes, a decision, an action point."""
    if (item.minutes or "").strip():
        return True
    for model in (MinutesDecision, ActionPoint):
        found = db.session.scalar(sa.select(model.id).where(model.agenda_item_id == item.id).limit(1))
        if found is not None:
            return True
    return False


def remove_item(item: AgendaItem, actor) -> None:
    """Remove *item*; refused when the minutes rely on it. Its attachment stays with the meeting."""
    if minutes_rely_on(item):
        raise AgendaRefused(
            _("The minutes have notes, decisions or action points under this item: it cannot be removed.")
        )
    meeting = item.meeting
    record(actor, "agenda.remove", item, meeting=meeting.id, title=item.title)
    meeting.agenda_items.remove(item)
    db.session.delete(item)
    for position, each in enumerate(meeting.agenda_items):
        each.position = position
    _changed(meeting)
    db.session.flush()


# ---------------------------------------------------------------- attachments (PDF)


class PdfRejected(Exception):
    """A refused upload; ``code`` is one of :data:`PDF_REJECTION_CODES`."""

    def __init__(self, code: str, limit: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.limit = limit


PDF_REJECTION_CODES = ("empty", "too_large", "not_pdf", "damaged", "encrypted", "active")

_PDF_MAGIC = re.compile(rb"%PDF-[12]\.\d")
# Names (PDF 7.3.5) whose presence means active content or hidden payloads.
_HOSTILE_NAMES = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"AA",
        b"XFA",
        b"SubmitForm",
        b"ImportData",
        b"GoToE",
    }
)
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# The keyword that opens a stream's bytes ("endstream" is not it: no letter before).
_STREAM = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_ENDSTREAM = b"endstream"
_LONG_HOSTILE_NAMES = frozenset(name for name in _HOSTILE_NAMES if len(name) > 2)
_MAX_INFLATED = 64 * 1024 * 1024


def _names(data: bytes) -> set[bytes]:
    return {_HEX_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), m.group(1)) for m in _NAME.finditer(data)}


def _check_names(data: bytes, hostile: frozenset[bytes] = _HOSTILE_NAMES) -> None:
    names = _names(data)
    if b"Encrypt" in names:
        raise PdfRejected("encrypted")
    if names & hostile:
        raise PdfRejected("active")


def _inflate(body: bytes, budget: int) -> bytes | None:
    """*body* inflated (zlib), at most *budget* bytes; None if it is not Flate data."""
    try:
        inflater = zlib.decompressobj()
        out = inflater.decompress(body, budget + 1)
    except zlib.error:
        return None
    if len(out) > budget or inflater.unconsumed_tail:
        raise PdfRejected("damaged")
    return out


def check_pdf(data: bytes, max_bytes: int = ATTACHMENT_MAX_BYTES) -> None:
    """Raise :class:`PdfRejected` unless *data* is a plain PDF without active content.

    Actions, scripts and embedded files are PDF objects (dictionaries) written in the file's
    bytes or inside object streams (/ObjStm, compressed). Every name is read in the bytes outside
    the streams and in every object stream, inflated (one that cannot be inflated is refused).
    In the other streams' bytes (page content, images, fonts), where a reader could still be
    pointed at an object hidden there, the names that mark active content are looked for too,
    except the two-letter ones (/JS, /AA) that random image bytes would contain by chance: an
    action there still needs /S /JavaScript or /S /Launch to do anything.
    """
    if not data:
        raise PdfRejected("empty")
    if len(data) > max_bytes:
        raise PdfRejected("too_large", max_bytes)
    if not _PDF_MAGIC.match(data):
        raise PdfRejected("not_pdf")
    if b"%%EOF" not in data[-2048:] or b"startxref" not in data:
        raise PdfRejected("damaged")
    outside: list[bytes] = []
    budget = _MAX_INFLATED
    position = 0
    while (found := _STREAM.search(data, position)) is not None:
        span = data[position : found.start()]  # the stream's dictionary, and objects before it
        end = data.find(_ENDSTREAM, found.end())
        if end < 0:
            raise PdfRejected("damaged")
        body = data[found.end() : end]
        outside.append(span)
        _check_names(body, _LONG_HOSTILE_NAMES)
        if b"ObjStm" in _names(span[-4096:]):
            inflated = _inflate(body, budget)
            if inflated is None:
                raise PdfRejected("damaged")
            budget -= len(inflated)
            _check_names(inflated)
        position = end + len(_ENDSTREAM)
    outside.append(data[position:])
    _check_names(b"".join(outside))


def safe_file_name(name: str) -> str:
    """A file name safe to send back: the last path part; letters, digits, ``-_. ``; ending in .pdf."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = "".join(c if (c.isalnum() or c in "-_. ") and c.isprintable() else "_" for c in stem)
    stem = re.sub(r"_+", "_", stem).strip(" ._")[:150].strip(" ._") or "bilaga"
    return f"{stem}.pdf"


def store_attachment(
    meeting: Meeting, data: bytes, file_name: str, actor, max_bytes: int
) -> AgendaAttachment:
    """Keep the PDF *data* with *meeting*, after :func:`check_pdf`."""
    check_pdf(data, max_bytes)
    attachment = AgendaAttachment(
        meeting_id=meeting.id,
        file_name=safe_file_name(file_name),
        media_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(attachment)
    record(actor, "agenda.attach", attachment, meeting=meeting.id, size=len(data))
    db.session.flush()
    return attachment


def attachment_bytes(attachment: AgendaAttachment) -> bytes:
    return db.session.scalar(sa.select(AgendaAttachment.content).where(AgendaAttachment.id == attachment.id))
