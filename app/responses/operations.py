"""State changes of responses: each takes the acting user, flushes (never commits), writes the audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.accounts.models import Organisation, User
from app.audit import record
from app.database import utcnow
from app.documents.models import Version
from app.extensions import db
from app.responses.models import Position, Response, ResponseState, SectionPosition
from app.review import markdown
from app.richtext import plain


class ResponseRefused(Exception):
    """The response cannot be saved or submitted; *code* names the reason (views translate it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class StaleResponse(Exception):
    """Another member saved the draft after this one opened it; *current* is what they saved."""

    def __init__(self, current: Response | None) -> None:
        super().__init__("stale")
        self.current = current


@dataclass(frozen=True, slots=True)
class Section:
    """A top-level section of a version: its heading's block uid, number and heading text."""

    uid: str
    number: str
    heading: str
    position: int

    @property
    def label(self) -> str:
        return f"{self.number} {self.heading}".strip()


@dataclass(frozen=True, slots=True)
class ResponseData:
    """What the form sends."""

    position: Position | None
    summary: str
    reference: str
    decision_maker: str
    decision_maker_title: str
    officer: str
    sections: dict[str, Position]


def sections_of(blocks) -> list[Section]:
    """The level-1 headings of a version's blocks (``documents.loaders.page_blocks``), in order."""
    return [
        Section(b.uid, b.ref.section, plain(b.text), i)
        for i, b in enumerate(blocks)
        if b.kind == "heading" and b.level == 1
    ]


def can_draft(user, organisation_id: int) -> bool:
    """Any active member of the organisation drafts its response."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.organisation_id == organisation_id


def can_submit(user, organisation_id: int) -> bool:
    """Only a member an admin has marked as answering for the organisation submits it."""
    return can_draft(user, organisation_id) and bool(user.may_answer)


def check_open(version: Version, now: datetime | None = None) -> None:
    """Refuse changes to responses on a version that is not open, or after its deadline."""
    if version.state.value != "open":
        raise ResponseRefused("closed")
    if not version.accepts_comments(now):
        raise ResponseRefused("deadline")


def draft_of(version: Version, organisation_id: int) -> Response | None:
    """The organisation's shared draft for *version*, if one is started."""
    return db.session.scalar(
        sa.select(Response).where(
            Response.version_id == version.id,
            Response.organisation_id == organisation_id,
            Response.state == ResponseState.DRAFT,
        )
    )


def records_of(version: Version, organisation_id: int) -> list[Response]:
    """The submitted response and every one it replaced, newest first."""
    return list(
        db.session.scalars(
            sa.select(Response)
            .where(
                Response.version_id == version.id,
                Response.organisation_id == organisation_id,
                Response.state != ResponseState.DRAFT,
            )
            .order_by(Response.submitted_at.desc(), Response.id.desc())
        )
    )


def _apply(response: Response, data: ResponseData, sections: list[Section], user: User) -> None:
    response.position = data.position
    response.summary = data.summary
    response.summary_html = markdown.render(data.summary)
    response.reference = data.reference
    response.decision_maker = data.decision_maker
    response.decision_maker_title = data.decision_maker_title
    response.officer = data.officer
    response.updated_at = utcnow()
    response.updated_by_id = user.id
    by_uid = {s.uid: s for s in sections}
    kept = []
    existing = {s.block_uid: s for s in response.sections}
    for uid, position in data.sections.items():
        section = by_uid[uid]
        row = existing.get(uid) or SectionPosition(block_uid=uid)
        row.heading = section.label[:500]
        row.position_in_text = section.position
        row.position = position
        kept.append(row)
    # A section position the version does not offer (kept from an earlier text) stays as it was.
    kept += [row for uid, row in existing.items() if uid not in by_uid]
    response.sections = kept


def save_draft(
    version: Version,
    organisation: Organisation,
    data: ResponseData,
    sections: list[Section],
    base_row_version: int,
    user: User,
) -> Response:
    """Save the shared draft, provided nobody saved it since *base_row_version* (0: not started)."""
    if not can_draft(user, organisation.id):
        raise ResponseRefused("forbidden")
    check_open(version)
    draft = draft_of(version, organisation.id)
    if draft is None:
        if base_row_version != 0:
            # Started from a draft that has since been submitted.
            raise StaleResponse(None)
        draft = Response(
            document_id=version.document_id,
            version_id=version.id,
            organisation_id=organisation.id,
            state=ResponseState.DRAFT,
        )
        db.session.add(draft)
    elif draft.row_version != base_row_version:
        raise StaleResponse(draft)
    _apply(draft, data, sections, user)
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        # Saved or started by another member between our read and our write.
        db.session.rollback()
        raise StaleResponse(draft_of(version, organisation.id)) from None
    record(user, "response.save", draft, version=version.id, organisation=organisation.id)
    return draft


def answerers(organisation_id: int) -> list[User]:
    """The active members who may submit the organisation's response, by name."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.organisation_id == organisation_id, User.may_answer.is_(True), User.active.is_(True))
            .order_by(User.name, User.id)
        )
    )


def check_complete(position: Position | None, decision_maker: str) -> None:
    """Refuse to submit a response without an overall position or without who decided it."""
    if position is None:
        raise ResponseRefused("no_position")
    if not decision_maker:
        raise ResponseRefused("no_decision_maker")


def submit_draft(
    version: Version, organisation: Organisation, shown: tuple[int, int], user: User
) -> Response:
    """Submit the shared draft exactly as it was shown, *shown* = (its id, its row version).

    A draft saved again since (or gone) raises StaleResponse with what it is now: nothing is
    submitted that the member did not see. An earlier submission becomes history.
    """
    if not can_submit(user, organisation.id):
        raise ResponseRefused("forbidden")
    check_open(version)
    draft = draft_of(version, organisation.id)
    if draft is None or (draft.id, draft.row_version) != tuple(shown):
        raise StaleResponse(draft)
    check_complete(draft.position, draft.decision_maker)
    now = utcnow()
    standing = db.session.scalar(
        sa.select(Response).where(
            Response.version_id == version.id,
            Response.organisation_id == organisation.id,
            Response.state == ResponseState.SUBMITTED,
        )
    )
    if standing is not None:
        standing.state = ResponseState.REPLACED
        standing.replaced_at = now
        # The partial unique index allows one submitted row: the old one steps aside first.
        db.session.flush()
    draft.state = ResponseState.SUBMITTED
    draft.submitted_at = now
    draft.submitted_by_id = user.id
    try:
        # row_version is the mapper's version counter: a save in between fails here.
        db.session.flush()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise StaleResponse(draft_of(version, organisation.id)) from None
    record(
        user,
        "response.submit",
        draft,
        version=version.id,
        organisation=organisation.id,
        position=draft.position.value,
        replaces=standing.id if standing is not None else None,
    )
    return draft
