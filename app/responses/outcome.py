"""The outcome report of a version ("we asked, you said, we did") as plain data.

One loader reads everything in a constant number of queries; the web page, the DOCX
(``app.responses.docx_writer``), the JSON and the CSV are all made from the same
:class:`Outcome`, so they agree on who answered what and on every count.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from app.accounts.models import Organisation, User
from app.documents.loaders import page_blocks, ref_labels
from app.documents.models import Block, BlockRevision, Document, Version
from app.extensions import db
from app.responses.labels import POSITION_EN, POSITION_SV
from app.responses.models import Position, Response, ResponseState
from app.responses.operations import sections_of
from app.review import mentions
from app.review.compilation import STATUSES, PackComment, by_section
from app.review.compilation import labels as pack_labels
from app.review.models import Comment
from app.review.threads import who_sees_what
from app.richtext import plain
from app.web.text import markdown_text  # the pack prints comments the same way

POSITIONS = tuple(Position)


@dataclass(frozen=True, slots=True)
class SectionAnswer:
    """One organisation's position on one section, with the heading as it was answered."""

    uid: str
    heading: str
    position: Position


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    """A submitted (or replaced) response as every output shows it."""

    id: int
    organisation: str
    state: str
    position: Position
    summary: str
    summary_html: str
    reference: str
    decision_maker: str
    decision_maker_title: str
    officer: str
    submitted_at: datetime | None
    submitted_by: str
    replaced_at: datetime | None
    sections: tuple[SectionAnswer, ...] = ()

    @property
    def is_replaced(self) -> bool:
        return self.state == ResponseState.REPLACED.value


@dataclass
class OrganisationRow:
    """A consulted organisation: its standing response (or None) and the ones it replaced."""

    id: int
    name: str
    response: ResponseRecord | None = None
    history: list[ResponseRecord] = field(default_factory=list)


@dataclass
class SectionRow:
    """A top-level section with the organisations per position; *exists* False: gone from the text."""

    uid: str
    label: str
    exists: bool
    positions: dict[Position, list[str]] = field(default_factory=dict)

    def count(self, position: Position) -> int:
        return len(self.positions.get(position, []))


@dataclass
class Outcome:
    """Everything the outcome report of one version shows."""

    document_title: str
    document_slug: str
    version_number: int
    version_label: str
    version_state: str
    published_at: datetime | None
    deadline: datetime | None
    organisations: list[OrganisationRow]
    sections: list[SectionRow]
    comments: list[PackComment]
    comments_visible: bool
    names_shown: bool
    # Comments per (organisation, status) over the whole version, whatever part *comments* holds.
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    # The first comment's place in the whole list (a page of the web view starts further on).
    offset: int = 0
    # The stored, sanitised HTML of each comment's body by number (the web page shows it rendered).
    bodies_html: dict[int, str] = field(default_factory=dict)

    @property
    def comment_total(self) -> int:
        return sum(self.counts.values())

    @property
    def answered(self) -> list[OrganisationRow]:
        return [o for o in self.organisations if o.response is not None]

    @property
    def unanswered(self) -> list[OrganisationRow]:
        return [o for o in self.organisations if o.response is None]

    def position_counts(self) -> dict[Position, int]:
        counts = Counter(o.response.position for o in self.answered)
        return {p: counts.get(p, 0) for p in POSITIONS}

    def decision_table(self) -> tuple[list[tuple[str, dict[str, int], int]], dict[str, int]]:
        """Comment counts per organisation and decision (withdrawn apart), and the totals row."""
        per: dict[str, Counter] = defaultdict(Counter)
        for (organisation, status), n in self.counts.items():
            per[organisation][status] += n
        rows = [
            (org, {s: per[org].get(s, 0) for s in STATUSES}, sum(per[org].values())) for org in sorted(per)
        ]
        totals = {s: sum(r[1][s] for r in rows) for s in STATUSES}
        return rows, totals

    def by_paragraph(self, general_label: str) -> list[tuple[str, list[tuple[str, list[PackComment]]]]]:
        """Comments grouped by section, then by paragraph reference, in reading order."""
        out = []
        for section, group in by_section(self.comments, {"general_comments": general_label}):
            paragraphs: dict[str, list[PackComment]] = {}
            for comment in group:
                paragraphs.setdefault(comment.ref, []).append(comment)
            out.append((section, list(paragraphs.items())))
        return out


def _status(comment: PackComment) -> str:
    return "withdrawn" if comment.withdrawn else comment.status


def consulted_organisations(document: Document) -> list[tuple[int, str]]:
    """Organisations asked to answer: every organisation in the network except the document's authors.

    The authors are the organisations of whoever published its versions (PRV and DIGG in the demo).
    """
    authors = (
        sa.select(User.organisation_id)
        .join(Version, Version.published_by_id == User.id)
        .where(Version.document_id == document.id)
    )
    return list(
        db.session.execute(
            sa.select(Organisation.id, Organisation.name)
            .where(Organisation.id.not_in(authors))
            .order_by(Organisation.name)
        ).all()
    )


def _record(response: Response, names: bool, users: Mapping[int, str]) -> ResponseRecord:
    return ResponseRecord(
        id=response.id,
        organisation=response.organisation.name,
        state=response.state.value,
        position=response.position,
        summary=response.summary,
        summary_html=response.summary_html,
        reference=response.reference,
        decision_maker=response.decision_maker,
        decision_maker_title=response.decision_maker_title,
        officer=response.officer,
        submitted_at=response.submitted_at,
        submitted_by=users.get(response.submitted_by_id, "") if names else "",
        replaced_at=response.replaced_at,
        sections=tuple(SectionAnswer(s.block_uid, s.heading, s.position) for s in response.sections),
    )


def load_records(version: Version, names: bool) -> list[ResponseRecord]:
    """Every submitted and replaced response to *version*, newest first (two queries)."""
    responses = db.session.scalars(
        sa.select(Response)
        .where(Response.version_id == version.id, Response.state != ResponseState.DRAFT)
        .options(so.selectinload(Response.sections))
        .order_by(Response.submitted_at.desc(), Response.id.desc())
    ).all()
    ids = {r.submitted_by_id for r in responses if r.submitted_by_id}
    users = (
        dict(db.session.execute(sa.select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    )
    return [_record(r, names, users) for r in responses]


def load_comments(
    version: Version,
    names: bool,
    limit: int | None = None,
    offset: int = 0,
    html: dict | None = None,
    organisation_id: int | None = None,
) -> list[PackComment]:
    """The top-level comments made on *version*, in reading order, as the compilation rows.

    Plain columns in one query (no ORM objects: a version may have thousands), placed with
    the version's cached layout. Hidden comments keep their row without their text; without
    *names* the rows carry organisations only.
    """
    blocks = page_blocks(version)
    labels = ref_labels(blocks)
    places: dict[int, tuple[str, str, int]] = {}
    section = _("Before the first heading")
    for position, block in enumerate(blocks):
        if block.kind == "heading" and block.level == 1:
            section = f"{block.ref.section} {plain(block.text)}".strip()
        places[block.block_id] = (labels[block.uid], section, position)
    author = so.aliased(User)
    decider = so.aliased(User)
    original = so.aliased(Comment)
    rows = db.session.execute(
        sa.select(
            Comment.number,
            Comment.block_id,
            Block.uid,
            Organisation.name,
            author.name,
            Comment.body,
            Comment.kind,
            Comment.quote_exact,
            Comment.suggestion,
            Comment.status,
            original.number,
            Comment.response,
            decider.name,
            Comment.withdrawn_at,
            Comment.hidden_at,
            Comment.hidden_reason,
            Comment.created_at,
            Comment.body_html,
            Comment.block_text,
        )
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .join(author, author.id == Comment.author_id)
        .outerjoin(decider, decider.id == Comment.decided_by_id)
        .outerjoin(original, original.id == Comment.duplicate_of_id)
        .outerjoin(Block, Block.id == Comment.block_id)
        .outerjoin(
            BlockRevision,
            sa.and_(BlockRevision.block_id == Comment.block_id, BlockRevision.version_id == version.id),
        )
        .where(
            Comment.version_id == version.id,
            Comment.parent_id.is_(None),
            Comment.organisation_id == organisation_id if organisation_id is not None else sa.true(),
        )
        # Reading order: general comments first, then by the block's place, then by number.
        .order_by(Comment.block_id.is_not(None), BlockRevision.position, Comment.number)
        .limit(limit)
        .offset(offset)
    ).all()
    out = []
    # Mentions are stored as tokens (app.review.mentions): the report prints them as "@Name".
    names = mentions.names_for(row[5] for row in rows if row[14] is None)
    for row in rows:
        (number, block_id, uid, organisation, author_name, body, kind, quote, suggestion, status) = row[:10]
        (duplicate_of, response, decided_by, withdrawn_at, hidden_at, hidden_reason, created_at) = row[10:17]
        if html is not None and hidden_at is None:
            html[number] = row[17]
        ref, section, position = places.get(block_id, ("", "", -1)) if block_id else ("", "", -1)
        hidden = hidden_at is not None
        out.append(
            (
                (0 if block_id is None else 1, position, number),
                PackComment(
                    number=number,
                    block_uid=uid,
                    ref=ref,
                    section=section,
                    organisation=organisation,
                    author=author_name if names else "",
                    body_text="" if hidden else markdown_text(mentions.readable(body, names)),
                    version_label=version.label,
                    created_at=created_at,
                    kind=kind.value,
                    quote=None if hidden else quote,
                    suggestion=None if hidden else suggestion,
                    # The text a suggestion was made on: the report shows the proposal against it.
                    suggestion_base=row[18] if suggestion and not hidden else None,
                    status=status.value,
                    duplicate_of=duplicate_of,
                    response=response or "",
                    decided_by=(decided_by or "") if names else "",
                    withdrawn=withdrawn_at is not None,
                    hidden=hidden,
                    hidden_reason=(hidden_reason or "") if hidden else "",
                ),
            )
        )
    return [row for _key, row in out]


def comment_counts(version: Version) -> dict[tuple[str, str], int]:
    """Top-level comments on *version* per (organisation, status), withdrawn counted apart; one query."""
    status = sa.case((Comment.withdrawn_at.is_not(None), "withdrawn"), else_=Comment.status)
    rows = db.session.execute(
        sa.select(Organisation.name, status, sa.func.count())
        .join(Organisation, Organisation.id == Comment.organisation_id)
        .where(Comment.version_id == version.id, Comment.parent_id.is_(None))
        .group_by(Organisation.name, status)
    ).all()
    return {(name, getattr(value, "value", value)): n for name, value, n in rows}


def load_outcome(
    document: Document,
    version: Version,
    comments_visible: bool,
    names: bool,
    limit: int | None = None,
    offset: int = 0,
) -> Outcome:
    """The outcome of *version*, with comments only as the viewer may see them.

    *limit* and *offset* take one page of the comments (the web view); the counts are
    always over all of them.
    """
    records = load_records(version, names)
    rows = {org_id: OrganisationRow(org_id, name) for org_id, name in consulted_organisations(document)}
    by_name = {row.name: row for row in rows.values()}
    for record in records:
        row = by_name.get(record.organisation)
        if row is None:
            # Answered although not (or no longer) among the consulted: still listed.
            row = by_name[record.organisation] = OrganisationRow(0, record.organisation)
        if record.is_replaced:
            row.history.append(record)
        else:
            row.response = record
    organisations = sorted(by_name.values(), key=lambda r: r.name.casefold())
    bodies: dict[int, str] = {}
    return Outcome(
        document_title=document.title,
        document_slug=document.slug,
        version_number=version.number,
        version_label=version.label,
        version_state=version.state.value,
        published_at=version.published_at,
        deadline=version.deadline,
        organisations=organisations,
        sections=_sections(version, organisations),
        comments=load_comments(version, names, limit, offset, bodies) if comments_visible else [],
        comments_visible=comments_visible,
        names_shown=names,
        counts=comment_counts(version) if comments_visible else {},
        offset=offset,
        bodies_html=bodies,
    )


def _sections(version: Version, organisations: list[OrganisationRow]) -> list[SectionRow]:
    rows = {s.uid: SectionRow(s.uid, s.label, True) for s in sections_of(page_blocks(version))}
    for org in organisations:
        if org.response is None:
            continue
        for answer in org.response.sections:
            # A section gone from the text keeps the heading it was answered under.
            row = rows.setdefault(answer.uid, SectionRow(answer.uid, answer.heading, False))
            row.positions.setdefault(answer.position, []).append(org.name)
    return list(rows.values())


# --------------------------------------------------------------------------- open data


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_json(record: ResponseRecord) -> dict:
    """A response as JSON (the API and the open data share it)."""
    return {
        "id": record.id,
        "organisation": record.organisation,
        "state": record.state,
        "position": record.position.value,
        "position_label_sv": POSITION_SV[record.position],
        "position_label_en": POSITION_EN[record.position],
        "summary": record.summary,
        "summary_html": record.summary_html,
        "reference": record.reference,
        "decision_maker": record.decision_maker,
        "decision_maker_title": record.decision_maker_title,
        "officer": record.officer,
        "submitted_at": _iso(record.submitted_at),
        "submitted_by": record.submitted_by or None,
        "replaced_at": _iso(record.replaced_at),
        "sections": [
            {"block_uid": s.uid, "heading": s.heading, "position": s.position.value} for s in record.sections
        ],
    }


def outcome_json(outcome: Outcome, about: Mapping[str, object]) -> dict:
    """The outcome as a JSON-ready dict: responses, positions, counts and every visible comment."""
    rows, totals = outcome.decision_table()
    strings = pack_labels("sv")
    return {
        "about": dict(about),
        "positions": {p.value: n for p, n in outcome.position_counts().items()},
        "organisations": [
            {
                "organisation": org.name,
                "answered": org.response is not None,
                "response": record_json(org.response) if org.response else None,
                "history": [record_json(r) for r in org.history],
            }
            for org in outcome.organisations
        ],
        "sections": [
            {
                "block_uid": s.uid,
                "heading": s.label,
                "in_text": s.exists,
                "positions": {p.value: s.positions.get(p, []) for p in POSITIONS},
            }
            for s in outcome.sections
        ],
        "comments_visible": outcome.comments_visible,
        "names_included": outcome.names_shown,
        "comment_counts": {
            "total": sum(totals.values()),
            "by_status": totals,
            "by_organisation": [
                {"organisation": org, "total": total, "by_status": counts} for org, counts, total in rows
            ],
        },
        "comments": [
            {
                "number": c.number,
                "section": c.section or strings["general_comments"],
                "ref": c.ref,
                "block_uid": c.block_uid,
                "organisation": c.organisation,
                "author": c.author or None,
                "body": "" if c.hidden else c.body_text,
                # A suggestion: the whole proposed paragraph and the text it was made on, plain.
                "suggestion": plain(c.suggestion) if c.suggestion else None,
                "suggestion_base": plain(c.suggestion_base or "") if c.suggestion else None,
                "hidden": c.hidden,
                "status": _status(c),
                "duplicate_of": c.duplicate_of,
                "response": c.response,
            }
            for c in outcome.comments
        ],
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def outcome_csv(outcome: Outcome) -> bytes:
    """One row per response record (standing and replaced) and per organisation that did not answer."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    sections = outcome.sections
    writer.writerow(
        [
            "organisation",
            "state",
            "position",
            "position_label",
            "reference",
            "decision_maker",
            "decision_maker_title",
            "officer",
            "submitted_at",
            "replaced_at",
            "summary",
            *[f"section: {s.label}" for s in sections],
        ]
    )
    for org in outcome.organisations:
        records = ([org.response] if org.response else []) + org.history
        if not records:
            writer.writerow([_cell(org.name), "none"] + [""] * (9 + len(sections)))
            continue
        for r in records:
            answers = {a.uid: a.position.value for a in r.sections}
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        r.organisation,
                        r.state,
                        r.position.value,
                        POSITION_SV[r.position],
                        r.reference,
                        r.decision_maker,
                        r.decision_maker_title,
                        r.officer,
                        _iso(r.submitted_at),
                        _iso(r.replaced_at),
                        r.summary,
                        *[answers.get(s.uid, "") for s in sections],
                    )
                ]
            )
    return out.getvalue().encode("utf-8-sig")


def outcome_json_bytes(outcome: Outcome, about: Mapping[str, object]) -> bytes:
    """:func:`outcome_json` serialised: UTF-8, indented, stable key order."""
    return (json.dumps(outcome_json(outcome, about), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def outcome_file(document: Document, version: Version, name: str, about: dict, user) -> bytes:
    """The outcome as an open-data file (``outcome.json`` or ``outcome.csv``) as *user* may see it."""
    visible, names, _organisations = who_sees_what(document, user)
    report = load_outcome(document, version, visible, names)
    if name == "outcome.csv":
        return outcome_csv(report)
    return outcome_json_bytes(report, {**about, "licence": "CC0-1.0", "names_included": report.names_shown})
