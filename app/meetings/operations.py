"""State changes on meetings, and the meeting pack: built from the database, written atomically.

Like every ``operations`` module these take the acting user explicitly, flush and write
the audit event, and leave the commit to the caller (a view or a CLI command).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.accounts.models import Organisation, User
from app.audit import record
from app.compare.diff import BlockChange, ChangeStatus, diff_versions
from app.database import utcnow
from app.documents.models import Block, BlockKind, BlockRevision, Document, Version
from app.documents.numbering import Ref, number_blocks
from app.extensions import db
from app.meetings import minutes, signup
from app.meetings.agenda import item_ends
from app.meetings.models import (
    Export,
    ExportKind,
    Meeting,
    MeetingSeries,
    Speaker,
    series_of_document,
)
from app.meetings.pack import HistoryRow, PackAgendaItem, PackInput, blocks_from_diff
from app.meetings.pack import writer as pack_writer
from app.responses.pack import pack_responses
from app.review import markdown, mentions
from app.review.compilation import (
    PackComment,
    PackReply,
    compilation_csv,
    compilation_json,
    labels,
    summarise,
)
from app.review.models import Comment, CommentStatus
from app.richtext import plain
from app.timeutil import STOCKHOLM, to_local
from app.web.text import ascii_slug, markdown_text

log = logging.getLogger(__name__)

# The pack is handed out to the whole network, so it is in Swedish whoever exports it:
# the same meeting must give the same bytes.
PACK_LANGUAGE = "sv"

# File name endings (ASCII, Swedish like the pack) and media types of each file.
FILE_SUFFIXES = {
    ExportKind.TRACKED: "sparade-andringar.docx",
    ExportKind.CLEAN: "renskrift.docx",
    ExportKind.CSV: "synpunkter.csv",
    ExportKind.JSON: "synpunkter.json",
}
MEDIA_TYPES = {
    ExportKind.TRACKED: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ExportKind.CLEAN: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ExportKind.CSV: "text/csv; charset=utf-8",
    ExportKind.JSON: "application/json",
}


class ExportError(Exception):
    """The meeting pack could not be written; the files of earlier exports are untouched."""


# --------------------------------------------------------------------------- meetings


def default_base_version(
    document: Document, version: Version, starts_at: datetime, meeting: Meeting | None = None
) -> Version | None:
    """The version a meeting compares against unless the host chooses another.

    The version presented at the document's previous meeting (the one before *starts_at*),
    if it is older than *version*; otherwise the published version before *version*.
    """
    query = (
        sa.select(Version)
        .join(Meeting, Meeting.version_id == Version.id)
        .where(
            Meeting.document_id == document.id,
            Meeting.starts_at < starts_at,
            Version.number < version.number,
        )
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        .limit(1)
    )
    if meeting is not None and meeting.id is not None:
        query = query.where(Meeting.id != meeting.id)
    previous_meeting = db.session.scalar(query)
    if previous_meeting is not None:
        return previous_meeting
    older = [v for v in document.published_versions if v.number < version.number]
    return older[-1] if older else None


@dataclass(frozen=True, slots=True)
class SpeakerDetails:
    """A speaker as a form gives it."""

    name: str
    title: str = ""
    organisation: str = ""


def series_for_document(document: Document) -> MeetingSeries:
    """The series a meeting of *document* joins when none is chosen (see models)."""
    return series_of_document(db.session, document)


def create_series(
    *, title: str, description: str, visibility, organisers: Sequence[Organisation], actor: User
) -> MeetingSeries:
    """Start a series of meetings."""
    series = MeetingSeries(
        title=title, description=description, visibility=visibility, organisers=list(organisers)
    )
    db.session.add(series)
    record(actor, "series.create", series, title=title)
    db.session.flush()
    return series


def update_series(
    series: MeetingSeries,
    *,
    title: str,
    description: str,
    visibility,
    organisers: Sequence[Organisation],
    actor: User,
) -> None:
    """Change a series' details. Its meetings' events are unchanged (the series' title is the
    feed's name, not part of an event), so their SEQUENCE stays."""
    series.title = title
    series.description = description
    series.visibility = visibility
    series.organisers = list(organisers)
    record(actor, "series.update", series, title=title, visibility=visibility.value)
    db.session.flush()


def _set_speakers(meeting: Meeting, speakers: Sequence[SpeakerDetails]) -> None:
    meeting.speakers = [
        Speaker(position=i, name=s.name, title=s.title, organisation=s.organisation)
        for i, s in enumerate(speakers)
    ]


def create_meeting(
    *,
    document: Document | None,
    title: str,
    starts_at: datetime,
    agenda: str,
    version: Version | None,
    base_version: Version | None,
    host: User,
    place: str = "",
    series: MeetingSeries | None = None,
    subject: str = "",
    description: str = "",
    duration_minutes: int = 120,
    capacity: int | None = None,
    video_url: str = "",
    agenda_published: bool = True,
    speakers: Sequence[SpeakerDetails] = (),
) -> Meeting:
    """Plan a meeting of *series* (without one: the document's series); it presents *version* of
    *document* or, without a document, no draft. Without *base_version* the default one is taken."""
    if series is None:
        if document is None:
            raise ValueError("a meeting needs a series or a document")
        series = series_for_document(document)
    meeting = Meeting(
        series=series,
        document=document,
        title=title,
        subject=subject,
        description=description,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        capacity=capacity,
        agenda=agenda,
        agenda_html=markdown.render(agenda),
        agenda_published=agenda_published,
        place=place,
        video_url=video_url,
        version=version,
        base_version=(
            base_version or default_base_version(document, version, starts_at)
            if document is not None and version is not None
            else None
        ),
        host_id=host.id,
    )
    _set_speakers(meeting, speakers)
    db.session.add(meeting)
    record(host, "meeting.create", meeting, title=title, version=version.number if version else None)
    db.session.flush()
    return meeting


def update_meeting(
    meeting: Meeting,
    *,
    document: Document | None,
    title: str,
    starts_at: datetime,
    agenda: str,
    version: Version | None,
    base_version: Version | None,
    actor: User,
    place: str = "",
    series: MeetingSeries | None = None,
    subject: str | None = None,
    description: str | None = None,
    duration_minutes: int | None = None,
    capacity: int | object | None = ...,
    video_url: str | None = None,
    agenda_published: bool | None = None,
    speakers: Sequence[SpeakerDetails] | None = None,
) -> None:
    """Change a meeting's details (None: leave as it is); without *base_version* the default one
    is taken. Calendars see the change: SEQUENCE is raised."""
    if series is not None:
        meeting.series = series
    meeting.document = document
    meeting.title = title
    meeting.starts_at = starts_at
    meeting.agenda = agenda
    meeting.agenda_html = markdown.render(agenda)
    meeting.place = place
    for name, value in (
        ("subject", subject),
        ("description", description),
        ("duration_minutes", duration_minutes),
        ("video_url", video_url),
        ("agenda_published", agenda_published),
    ):
        if value is not None:
            setattr(meeting, name, value)
    if speakers is not None:
        _set_speakers(meeting, speakers)
    if capacity is not ...:
        meeting.capacity = capacity
    meeting.version = version
    meeting.base_version = (
        base_version or default_base_version(document, version, starts_at, meeting)
        if document is not None and version is not None
        else None
    )
    _changed(meeting)
    record(
        actor,
        "meeting.update",
        meeting,
        title=title,
        version=version.number if version else None,
        base_version=meeting.base_version.number if meeting.base_version else None,
    )
    db.session.flush()
    # More places (or none limited): the first waiting move up, and are told.
    signup.fill_places(meeting)


def _changed(meeting: Meeting) -> None:
    meeting.sequence = (meeting.sequence or 0) + 1
    meeting.updated_at = utcnow()


class AlreadyCancelled(Exception):
    """The meeting was cancelled before."""


def cancel_meeting(meeting: Meeting, actor: User) -> None:
    """Cancel *meeting*: it stays, marked cancelled (STATUS:CANCELLED in calendars); never deleted."""
    if meeting.cancelled_at is not None:
        raise AlreadyCancelled
    meeting.cancelled_at = utcnow()
    _changed(meeting)
    told = signup.tell_cancelled(meeting)
    record(actor, "meeting.cancel", meeting, title=meeting.title, told=told)
    db.session.flush()


class NotCancelled(Exception):
    """The meeting is not cancelled: there is nothing to take back."""


def reinstate_meeting(meeting: Meeting, actor: User) -> None:
    """Take back a cancellation: the meeting is on again (STATUS:CONFIRMED, SEQUENCE raised, so
    subscribed calendars show it again)."""
    if meeting.cancelled_at is None:
        raise NotCancelled
    meeting.cancelled_at = None
    _changed(meeting)
    told = signup.tell_reinstated(meeting)
    record(actor, "meeting.reinstate", meeting, title=meeting.title, told=told)
    db.session.flush()


# --------------------------------------------------------------------------- the pack


@dataclass(frozen=True, slots=True)
class _Placed:
    """Where a block stands in one version: its reference, section and position."""

    ref: str
    section: str
    position: int


def _revisions(version_ids: Sequence[int]) -> dict[int, list[BlockRevision]]:
    """The blocks of several versions in order, in one query."""
    rows = db.session.scalars(
        sa.select(BlockRevision)
        .where(BlockRevision.version_id.in_(list(version_ids)))
        .options(
            so.joinedload(BlockRevision.block).load_only(Block.uid),
            so.joinedload(BlockRevision.changed_by),
        )
        .order_by(BlockRevision.version_id, BlockRevision.position)
    ).all()
    by_version: dict[int, list[BlockRevision]] = {version_id: [] for version_id in version_ids}
    for row in rows:
        by_version[row.version_id].append(row)
    return by_version


def ref_label(ref: Ref) -> str:
    """A block's human reference in the current language: "3.2" or "3.2 st. 4" / "3.2 ¶4"."""
    if ref.is_heading:
        return ref.section
    if ref.section:
        return _("%(section)s ¶%(n)d", section=ref.section, n=ref.paragraph)
    return _("¶%(n)d", n=ref.paragraph)


def _placements(revisions: list[BlockRevision]) -> dict[str, _Placed]:
    """Reference and section (the level-1 heading above it) of every block of a version."""
    placed: dict[str, _Placed] = {}
    section = _("Before the first heading")
    for position, (revision, ref) in enumerate(zip(revisions, number_blocks(revisions), strict=True)):
        if revision.kind is BlockKind.HEADING and revision.level == 1:
            section = f"{ref.section} {plain(revision.text)}".strip()
        placed[revision.block.uid] = _Placed(ref_label(ref), section, position)
    return placed


def _name(user: User | None) -> str:
    return user.name if user is not None else ""


def _signer(
    span: list[Version], revisions: dict[int, list[BlockRevision]], presented: Version, base: Version | None
):
    """The (editor, time) that sign each tracked change: who changed the block, and when.

    An added or edited block is signed by its revision in the presented version. A
    removed block has no revision there: it is signed by whoever published the first
    version after the base that no longer has it. A block that only moved kept an older
    revision; a change "since the base" dated before the base would mislead, so such a
    move is signed by the publisher of the presented version.
    """
    uids = {version.id: {r.block.uid for r in revisions[version.id]} for version in span}
    since = base.published_at if base is not None else None
    published = (_name(presented.published_by), presented.published_at or presented.created_at)

    def sign(change: BlockChange) -> tuple[str, datetime | None]:
        if change.status is ChangeStatus.UNCHANGED:
            return "", None
        if change.new is not None:
            revision: BlockRevision = change.new
            if since is not None and revision.changed_at <= since:
                return published
            return _name(revision.changed_by) or published[0], revision.changed_at
        gone = next((v for v in span if change.uid not in uids[v.id]), presented)
        return _name(gone.published_by), gone.published_at or gone.created_at

    return sign


def _decided_in(comment: Comment, versions: Sequence[Version]) -> str:
    """The label of the version a decision took effect in.

    An accepted comment names the draft it was worked into (``resolved_in_version``);
    any other decision belongs to the first version published after it was taken.
    """
    if comment.status is CommentStatus.OPEN or comment.decided_at is None:
        return ""
    by_id = {v.id: v for v in versions}
    if comment.resolved_in_version_id in by_id:
        return by_id[comment.resolved_in_version_id].label
    decided = comment.decided_at
    for version in versions:
        if version.published_at is not None and version.published_at >= decided:
            return version.label
    return ""


def _pack_comments(
    document: Document,
    span: list[Version],
    places: dict[int, dict[str, _Placed]],
    presented: Version,
    earlier: Sequence[Version] = (),
) -> list[PackComment]:
    """The comments a pack lists, in the document's reading order.

    Every top-level comment made on the versions in *span* (the base version and those
    after it up to the presented one), and the comments made on *earlier* versions that
    are still open (carried forward to this meeting).

    A comment's reference and section are those of its block in the presented version,
    or, when the block is gone from it, in the version the comment was made on.
    Comments a moderator hid stay listed, marked hidden, but without their text: the
    file is handed round, and the row shows that a record exists and why it is not shown.
    """
    which = Comment.version_id.in_([v.id for v in span])
    if earlier:
        which = sa.or_(
            which,
            sa.and_(
                Comment.version_id.in_([v.id for v in earlier]),
                Comment.status == CommentStatus.OPEN,
            ),
        )
    comments = db.session.scalars(
        sa.select(Comment)
        .where(
            Comment.document_id == document.id,
            which,
            Comment.parent_id.is_(None),
        )
        .options(
            so.joinedload(Comment.author),
            so.joinedload(Comment.organisation),
            so.joinedload(Comment.block).load_only(Block.uid),
        )
        .order_by(Comment.number)
    ).all()
    decided_by_ids = {c.decided_by_id for c in comments if c.decided_by_id}
    deciders = {
        user_id: (name, organisation)
        for user_id, name, organisation in (
            db.session.execute(
                sa.select(User.id, User.name, Organisation.name)
                .join(Organisation, Organisation.id == User.organisation_id)
                .where(User.id.in_(decided_by_ids))
            ).all()
            if decided_by_ids
            else []
        )
    }
    duplicate_ids = {c.duplicate_of_id for c in comments if c.duplicate_of_id}
    originals = dict(
        db.session.execute(sa.select(Comment.id, Comment.number).where(Comment.id.in_(duplicate_ids))).all()
        if duplicate_ids
        else []
    )
    replies = _pack_replies([c.id for c in comments])
    labels_by_id = {v.id: v.label for v in (*earlier, *span)}
    number_by_id = {v.id: v.number for v in (*earlier, *span)}
    shown = places[presented.id]
    # A carried-forward comment on a block that is gone: place it as it stood then.
    missing = {
        c.version_id
        for c in comments
        if c.block is not None and c.block.uid not in shown and c.version_id not in places
    }
    if missing:
        with force_locale(PACK_LANGUAGE):
            places.update((vid, _placements(rows)) for vid, rows in _revisions(sorted(missing)).items())
    versions = list(document.versions)

    def where(comment: Comment) -> tuple[_Placed | None, tuple]:
        if comment.block is None:
            return None, (0,)
        uid = comment.block.uid
        if uid in shown:
            return shown[uid], (1, shown[uid].position)
        then = places[comment.version_id].get(uid)
        return then, (2, number_by_id[comment.version_id], then.position if then else 0)

    rows: list[tuple[tuple, PackComment]] = []
    # Mentions are stored as tokens (app.review.mentions): the pack prints them as "@Name".
    names = mentions.names_for(c.body for c in comments if not c.is_hidden)
    for comment in comments:
        place, order = where(comment)
        rows.append(
            (
                (*order, comment.number),
                PackComment(
                    number=comment.number,
                    block_uid=comment.block.uid if comment.block is not None else None,
                    ref=place.ref if place else "",
                    section=place.section if place else "",
                    organisation=comment.organisation.name,
                    author=comment.author.name,
                    body_text=""
                    if comment.is_hidden
                    else markdown_text(mentions.readable(comment.body, names)),
                    version_label=labels_by_id[comment.version_id],
                    created_at=comment.created_at,
                    kind=comment.kind.value,
                    quote=None if comment.is_hidden else comment.quote_exact,
                    quote_prefix=comment.quote_prefix or "",
                    quote_suffix=comment.quote_suffix or "",
                    quote_start=comment.quote_start,
                    suggestion=None if comment.is_hidden else comment.suggestion,
                    # The text a suggestion was made on: the pack shows the proposal against it.
                    suggestion_base=(
                        comment.block_text if comment.suggestion and not comment.is_hidden else None
                    ),
                    status=comment.status.value,
                    duplicate_of=originals.get(comment.duplicate_of_id),
                    response=comment.response or "",
                    decided_by=deciders.get(comment.decided_by_id, ("", ""))[0],
                    decided_by_organisation=deciders.get(comment.decided_by_id, ("", ""))[1],
                    decided_at=comment.decided_at if comment.status is not CommentStatus.OPEN else None,
                    decided_in_label=_decided_in(comment, versions),
                    withdrawn=comment.is_withdrawn,
                    hidden=comment.is_hidden,
                    hidden_reason=(comment.hidden_reason or "") if comment.is_hidden else "",
                    replies=replies.get(comment.id, ()),
                ),
            )
        )
    return [pack_comment for _order, pack_comment in sorted(rows, key=lambda row: row[0])]


def _printed(body: str, names: dict[int, str]) -> str:
    """A comment's words as the pack prints them: plain text, mentions as "@Name"."""
    return markdown_text(mentions.readable(body, names))


def _pack_replies(comment_ids: Sequence[int]) -> dict[int, tuple[PackReply, ...]]:
    """The members' replies to each of *comment_ids*, oldest first, in one query.

    As on the page: a withdrawn reply stays, marked withdrawn; a hidden one stays as a record
    of its author and time with the moderator's reason instead of its text.
    """
    if not comment_ids:
        return {}
    rows = db.session.scalars(
        sa.select(Comment)
        .where(Comment.parent_id.in_(list(comment_ids)))
        .options(so.joinedload(Comment.author), so.joinedload(Comment.organisation))
        .order_by(Comment.parent_id, Comment.created_at, Comment.id)
    ).all()
    out: dict[int, list[PackReply]] = {}
    names = mentions.names_for(reply.body for reply in rows if not reply.is_hidden)
    for reply in rows:
        out.setdefault(reply.parent_id, []).append(
            PackReply(
                author=reply.author.name,
                organisation=reply.organisation.name,
                body_text="" if reply.is_hidden else _printed(reply.body, names),
                created_at=reply.created_at,
                hidden=reply.is_hidden,
                hidden_reason=(reply.hidden_reason or "") if reply.is_hidden else "",
                withdrawn=reply.is_withdrawn,
            )
        )
    return {parent: tuple(replies) for parent, replies in out.items()}


def _organisations(history: list[Version], revisions: list[BlockRevision]) -> list[str]:
    """The organisations that wrote the text: those of its publishers and editors, first seen first."""
    names: dict[str, None] = {}
    for version in history:
        if version.published_by is not None:
            names.setdefault(version.published_by.organisation.name, None)
    for revision in revisions:
        if revision.changed_by is not None:
            names.setdefault(revision.changed_by.organisation.name, None)
    return list(names)


def _pack_agenda(meeting: Meeting) -> list[PackAgendaItem]:
    """The agenda's items for the cover, once the agenda is published (as on the meeting page)."""
    if not meeting.agenda_published:
        return []
    items = list(meeting.agenda_items)
    ends = item_ends(items, meeting)
    return [
        PackAgendaItem(
            title=item.title,
            starts_at=item.starts_at,
            ends_at=ends.get(item.id),
            duration_minutes=item.duration_minutes,
            presenter=item.presenter,
        )
        for item in items
    ]


def build_pack(meeting: Meeting) -> PackInput:
    """Everything the meeting's pack shows, read from the database as plain data."""
    presented = meeting.version
    if presented is None:
        raise ExportError("the meeting has no presented version")
    document = meeting.document
    base = meeting.base_version
    history = [v for v in document.versions if v.number <= presented.number and v.is_published]
    if presented not in history:
        history.append(presented)
    # The comments made on the base version are those the changes answer: they belong to
    # this meeting, with those made on every version after it up to the presented one.
    span = [v for v in history if base is None or v.number >= base.number]
    if base is not None and base not in span:
        span.insert(0, base)
    earlier = [v for v in history if v not in span]
    revisions = _revisions([v.id for v in span])
    shown = revisions[presented.id]
    with force_locale(PACK_LANGUAGE):
        places = {version_id: _placements(rows) for version_id, rows in revisions.items()}
    diff = diff_versions(revisions[base.id] if base is not None else shown, shown)
    return PackInput(
        document_title=document.title,
        document_slug=document.slug,
        version_number=presented.number,
        version_label=presented.label,
        version_state=presented.state.value,
        version_date=presented.published_at,
        meeting_title=meeting.title,
        meeting_date=meeting.starts_at,
        agenda=markdown_text(meeting.agenda or ""),
        agenda_items=_pack_agenda(meeting),
        place=meeting.place or "",
        blocks=blocks_from_diff(diff.changes, _signer(span, revisions, presented, base)),
        comments=_pack_comments(document, span, places, presented, earlier),
        history=[
            HistoryRow(v.number, v.label, v.published_at, _name(v.published_by), v.change_summary)
            for v in history
        ],
        organisations=_organisations(history, shown),
        base_version_label=base.label if base is not None else None,
        licence_name=document.licence_name,
        licence_url=document.licence_url,
        language=PACK_LANGUAGE,
        timezone=STOCKHOLM.key,
        responses=pack_responses(presented, PACK_LANGUAGE),
        **_open_actions(meeting),
    )


def _open_actions(meeting: Meeting) -> dict:
    """The cover's open action points from the series' earlier meetings, in the pack's language."""
    with force_locale(PACK_LANGUAGE):
        lines = minutes.pack_lines(meeting)
        heading = _("Open action points from earlier meetings")
    return {"open_actions": lines, "open_actions_heading": heading} if lines else {}


def version_compilation(version: Version) -> list[PackComment]:
    """The compilation rows of the comments made on *version* alone (the open-data download)."""
    revisions = _revisions([version.id])
    with force_locale(PACK_LANGUAGE):
        places = {version.id: _placements(revisions[version.id])}
    return _pack_comments(version.document, [version], places, version)


def pack_folder(meeting: Meeting) -> str:
    """The pack's folder under EXPORTS_DIR: ``<document slug>/<meeting date>``."""
    day = to_local(meeting.starts_at).date().isoformat()
    return f"{ascii_slug(meeting.document.slug) or 'document'}/{day}"


def pack_file_name(meeting: Meeting, kind: ExportKind) -> str:
    """An ASCII-safe file name like ``oppna-licenser_2020-10-06_v0.3_sparade-andringar.docx``."""
    version = meeting.version
    label = ascii_slug(version.label, keep_dots=True)
    if not label or label[0].isdigit():
        # "0.3" reads as "v0.3"; a label with no ASCII in it falls back to the number.
        label = f"v{label or version.number}"
    day = to_local(meeting.starts_at).date().isoformat()
    return f"{ascii_slug(meeting.document.slug) or 'document'}_{day}_{label}_{FILE_SUFFIXES[kind]}"


def pack_files(meeting: Meeting) -> list[tuple[ExportKind, str, bytes]]:
    """The pack's files as (kind, path relative to EXPORTS_DIR, bytes), built in memory."""
    pack = build_pack(meeting)
    strings = labels(pack.language, pack.strings)
    about = {
        "document": pack.document_title,
        "slug": pack.document_slug,
        "version": pack.version_label,
        "version_number": pack.version_number,
        "base_version": pack.base_version_label,
        "meeting": pack.meeting_title,
        "meeting_date": pack.meeting_date,
    }
    contents = {
        ExportKind.TRACKED: pack_writer.write_pack(pack, tracked=True),
        ExportKind.CLEAN: pack_writer.write_pack(pack, tracked=False),
        ExportKind.CSV: compilation_csv(pack.comments, strings),
        ExportKind.JSON: compilation_json(
            pack.comments, strings, about, summarise(pack.comments, pack.blocks)
        ),
    }
    folder = pack_folder(meeting)
    return [(kind, f"{folder}/{pack_file_name(meeting, kind)}", data) for kind, data in contents.items()]


def _fsync_folder(folder: Path) -> None:
    # The rename itself is durable only once the folder's entry is on disk.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_files(root: Path, files: Sequence[tuple[str, bytes]]) -> None:
    """Write every file under *root* atomically, or none of them.

    Each file goes to a temporary file in its own folder and is flushed to disk; only
    when all are written are they renamed over the old ones (``os.replace`` is atomic
    within a file system). On failure the temporary files are removed and the earlier
    files stay as they were.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for relative, data in files:
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            staged.append((Path(temporary), target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, 0o644)
        for temporary, target in staged:
            os.replace(temporary, target)
    except BaseException:
        for temporary, _target in staged:
            temporary.unlink(missing_ok=True)
        raise
    for folder in {target.parent for _temporary, target in staged}:
        _fsync_folder(folder)


def exports_root() -> Path:
    """The folder every export lives under (``EXPORTS_DIR``)."""
    return Path(current_app.config["EXPORTS_DIR"])


def export_bytes(export: Export) -> bytes | None:
    """An export's file: its bytes from the database, the mirror re-written if it is missing.

    Every app server can serve every file this way. A file exported before the database kept
    the bytes is read from EXPORTS_DIR (None if it is gone too).
    """
    data = export.content
    root = exports_root()
    target = (root / export.path).resolve()
    if not target.is_relative_to(root.resolve()):
        return None  # a recorded path can never leave EXPORTS_DIR
    if data is None:
        try:
            return target.read_bytes()
        except OSError:
            return None
    if not target.exists():
        try:
            write_files(root, [(export.path, data)])
        except OSError:
            log.warning("could not re-write the mirror of export %s", export.id, exc_info=True)
    return bytes(data)


def export_meeting(meeting: Meeting, actor: User | None) -> list[Export]:
    """Write the meeting pack (tracked and clean DOCX, CSV, JSON) and record each file.

    One Export row per file, holding its bytes (any app server serves it from there) and
    mirrored under EXPORTS_DIR with the same name: exporting again rewrites the same files and
    updates their rows (bytes, checksum, size, who, when); the audit log keeps every export.
    Raises :class:`ExportError` when anything fails, with no file changed.
    """
    if meeting.version is None or meeting.document is None:
        raise ExportError("the meeting has no presented version")
    try:
        files = pack_files(meeting)
        write_files(exports_root(), [(path, data) for _kind, path, data in files])
    except Exception as error:
        log.exception("export of meeting %s failed", meeting.id)
        raise ExportError(str(error)) from error
    existing = {export.path: export for export in meeting.exports}
    now = utcnow()
    exports: list[Export] = []
    for kind, path, data in files:
        export = existing.get(path) or Export(meeting=meeting, path=path, kind=kind)
        export.kind = kind
        export.sha256 = hashlib.sha256(data).hexdigest()
        export.size = len(data)
        export.version_id = meeting.version_id
        export.base_version_id = meeting.base_version_id
        export.created_by_id = actor.id if actor is not None else None
        export.created_at = now
        export.content = data
        db.session.add(export)
        exports.append(export)
    record(
        actor,
        "meeting.export",
        meeting,
        files=[{"kind": e.kind.value, "path": e.path, "sha256": e.sha256, "size": e.size} for e in exports],
    )
    db.session.flush()
    return exports
