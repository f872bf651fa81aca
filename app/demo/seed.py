"""Demo data: the 2020 network, one account per role, the guidance document and its meetings."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from app.accounts import operations as account_ops
from app.accounts.models import Organisation, Role, User
from app.demo import content
from app.documents.models import (
    Block,
    BlockKind,
    BlockRevision,
    Document,
    Version,
    VersionState,
    Visibility,
)
from app.extensions import db
from app.meetings.models import (
    ActionPoint,
    ActionStatus,
    Attendance,
    Meeting,
    MeetingSeries,
    MinutesDecision,
    Speaker,
)
from app.responses.demo import seed_responses
from app.review.anchors import store_anchors
from app.review.markdown import render
from app.review.models import CommentStatus
from app.review.operations import seed_comment
from app.timeutil import STOCKHOLM

DEMO_PASSWORD = "demo-password-2020"  # noqa: S105  (public demo accounts, documented in the README)

ORGANISATIONS = [
    "PRV",
    "DIGG",
    "Arbetsförmedlingen",
    "Samtrafiken",
    "Lunds universitet",
    "Kammarkollegiet",
    "Alingsås kommun",
    "SKR",
    "Internetstiftelsen",
    "Migrationsverket",
]

DEMO_USERS = [
    ("admin@demo.example", "Alva Admin", "DIGG", {Role.ADMIN}),
    ("editor@demo.example", "Erik Redaktör", "PRV", {Role.EDITOR, Role.MEMBER}),
    ("editor2@demo.example", "Elin Redaktör", "DIGG", {Role.EDITOR, Role.MEMBER}),
    ("host@demo.example", "Hanna Värd", "DIGG", {Role.HOST, Role.MEMBER}),
    ("member@demo.example", "Maja Medlem", "Samtrafiken", {Role.MEMBER}),
    ("member2@demo.example", "Mats Medlem", "Alingsås kommun", {Role.MEMBER}),
]


def _organisations() -> dict[str, Organisation]:
    existing = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    for name in ORGANISATIONS:
        if name not in existing:
            existing[name] = account_ops.create_organisation(name, None)
    return existing


def _users(organisations) -> dict[str, User]:
    users = {}
    for email, name, org, roles in DEMO_USERS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            user = account_ops.create_user(
                email=email, name=name, organisation=organisations[org], roles=roles, password=DEMO_PASSWORD
            )
        users[email] = user
    return users


def _at(day: str, hour: int = 10) -> datetime:
    local = datetime.fromisoformat(day).replace(hour=hour, tzinfo=STOCKHOLM)
    return local.astimezone(UTC)


def _document(users) -> Document:

    editors = [users["editor@demo.example"], users["editor2@demo.example"]]
    document = Document(
        slug=content.SLUG,
        title=content.TITLE,
        description=content.DESCRIPTION,
        licence=content.LICENCE,
        created_by_id=editors[0].id,
    )
    db.session.add(document)
    db.session.flush()
    blocks: dict[str, Block] = {}
    previous: dict[str, BlockRevision] = {}
    last = len(content.VERSIONS) - 1
    for index, spec in enumerate(content.VERSIONS):
        editor = editors[index % 2]
        published = _at(spec["published"])
        version = Version(
            document=document,
            number=index + 1,
            label=spec["label"],
            state=VersionState.OPEN if index == last else VersionState.CLOSED,
            change_summary=spec["summary"],
            created_at=published,
            created_by_id=editor.id,
            published_at=published,
            published_by_id=editor.id,
        )
        db.session.add(version)
        db.session.flush()
        current: dict[str, BlockRevision] = {}
        for position, (key, kind, level, text) in enumerate(spec["blocks"]):
            block = blocks.get(key)
            if block is None:
                block = blocks[key] = Block(document_id=document.id, created_at=published)
                db.session.add(block)
                db.session.flush()
            before = previous.get(key)
            unchanged = before is not None and (before.text, before.kind.value, before.level) == (
                text,
                kind,
                level,
            )
            revision = BlockRevision(
                version_id=version.id,
                block_id=block.id,
                position=position,
                kind=BlockKind(kind),
                level=level,
                text=text,
                changed_at=before.changed_at if unchanged else published,
                changed_by_id=before.changed_by_id if unchanged else editor.id,
            )
            db.session.add(revision)
            current[key] = revision
        previous = current
    db.session.flush()
    _comments(document, blocks, users)
    return document


def _comments(document, blocks, users) -> None:
    """The network's comments on Utkast 1, decided in Utkast 2, and new ones on Utkast 2.

    The decisions are stored as the review would store them (status, response, who and
    when, the draft an accepted comment was worked into), dated before Utkast 2 was
    published, without the notification mail a live decision sends.
    """

    first, second = document.versions[0], document.versions[1]
    decider = users["editor2@demo.example"]

    def seed(spec, version, at):
        return seed_comment(
            document=document,
            version=version,
            block=blocks[spec.block_key],
            author=users[spec.author_email],
            kind=spec.kind,
            body=spec.body,
            suggestion=spec.suggestion,
            quote=spec.quote,
            at=at,
        )

    made = [seed(spec, first, _at("2020-09-10", 14)) for spec in content.DEMO_COMMENTS]
    decided_at = _at("2020-09-24", 15)
    for comment, decision in zip(made, content.DEMO_DECISIONS, strict=True):
        if decision is None:
            continue
        if decision.status == "withdrawn":
            comment.status = CommentStatus.WITHDRAWN
            comment.withdrawn_at = _at("2020-09-14", 9)
            continue
        comment.status = CommentStatus(decision.status)
        comment.response = decision.response
        comment.response_html = render(decision.response)
        comment.decided_by_id = decider.id
        comment.decided_at = decided_at
        if decision.duplicate_of is not None:
            comment.duplicate_of_id = made[decision.duplicate_of].id
        if comment.status in (CommentStatus.ACCEPTED, CommentStatus.PARTLY_ACCEPTED):
            comment.resolved_in_version_id = second.id
    for spec in content.DEMO_COMMENTS_V2:
        seed(spec, second, _at("2020-10-01", 10))
    db.session.flush()
    # Where the carried quotes stand in each later version, as publishing would have stored it.
    for version in document.versions[1:]:
        store_anchors(version)


SERIES_TITLE = "Nätverket för öppna licenser: digitala workshoppar hösten 2020"
SERIES_DESCRIPTION = (
    "Nätverket bakom riktlinjerna för öppna licenser träffas digitalt fem gånger under hösten, "
    "klockan 10–12. Varje träff har ett eget tema och inbjudna talare. Hjälp oss forma serien "
    "genom att bidra med inspiration, utmaningar och ämnen du vill diskutera."
)

# The autumn's five workshops: subject, description, speakers (name, title, organisation) and
# whether the meeting presents the draft (only some do).
SERIES_MEETINGS = [
    (
        "2020-09-01",
        "Uppstart: varför öppna licenser?",
        "Vi går igenom bakgrunden till riktlinjerna och det första utkastet.",
        [
            ("Erik Redaktör", "Jurist", "PRV"),
            ("Elin Redaktör", "Handläggare", "DIGG"),
        ],
        True,
    ),
    (
        "2020-09-15",
        "Öppna data i kollektivtrafiken",
        "Hur Samtrafiken licensierar tidtabellsdata, och vad andra kan lära av det.",
        [("Maja Medlem", "Dataansvarig", "Samtrafiken")],
        False,
    ),
    (
        "2020-10-06",
        "Det andra utkastet",
        "Vad som har ändrats sedan första utkastet och hur synpunkterna har tagits om hand.",
        [("Erik Redaktör", "Jurist", "PRV")],
        True,
    ),
    (
        "2020-11-03",
        "Licenser i kommunerna",
        "Erfarenheter från en kommun som publicerar sina data under öppen licens.",
        [("Mats Medlem", "Utvecklingsstrateg", "Alingsås kommun")],
        False,
    ),
    (
        "2020-12-01",
        "Forskningsdata och upphovsrätt",
        "Öppna licenser för forskningsdata, och hur riktlinjerna går vidare efter remissen.",
        [
            ("Kim Forskare", "Bibliotekarie", "Lunds universitet"),
            ("Elin Redaktör", "Handläggare", "DIGG"),
        ],
        True,
    ),
]


def _meetings(document, users, organisations) -> None:
    if db.session.scalar(sa.select(MeetingSeries.id).where(MeetingSeries.title == SERIES_TITLE)):
        return
    series = MeetingSeries(
        title=SERIES_TITLE,
        description=SERIES_DESCRIPTION,
        visibility=Visibility.PUBLIC,
        organisers=[organisations["DIGG"], organisations["PRV"]],
    )
    db.session.add(series)
    versions = document.published_versions
    host = users["host@demo.example"]
    presented = None
    for day, subject, description, speakers, presents in SERIES_MEETINGS:
        starts = _at(day, 10)
        local = datetime.fromisoformat(day)
        meeting = Meeting(
            series=series,
            title=f"Nätverksträff {local.day} {_MONTHS[local.month]} {local.year}",
            subject=subject,
            description=description,
            starts_at=starts,
            duration_minutes=120,
            agenda="\n".join(
                f"{i}. {item}"
                for i, item in enumerate(
                    ["Välkommen", subject]
                    + (["Genomgång av utkastet"] if presents else [])
                    + ["Synpunkter och frågor", "Nästa steg"],
                    start=1,
                )
            ),
            agenda_html="",
            # The autumn's last agenda is still being planned.
            agenda_published=day != SERIES_MEETINGS[-1][0],
            video_url="https://meet.example/oppna-licenser",
            place="Digitalt möte",
            host_id=host.id,
            speakers=[
                Speaker(position=i, name=name, title=title, organisation=org)
                for i, (name, title, org) in enumerate(speakers)
            ],
        )
        if presents:
            shown = [v for v in versions if v.published_at and v.published_at <= starts]
            version = shown[-1] if shown else versions[0]
            base = presented if presented is not None and presented.id != version.id else None
            if base is None and version.number > 1:
                base = versions[version.number - 2]
            meeting.document_id = document.id
            meeting.version_id = version.id
            meeting.base_version_id = base.id if base else None
            presented = version
        db.session.add(meeting)


_MONTHS = {9: "september", 10: "oktober", 11: "november", 12: "december"}

DEMO_MINUTES = (
    "Ett tjugotal deltagare från myndigheter, kommuner och regioner. PRV och DIGG presenterade "
    "arbetet med vägledningen och varför öppna licenser behövs för offentliga data och programvara."
    "\n\nDiskussionen handlade om **CC BY 4.0** eller CC0 för data, och om hur en myndighet "
    "prövar sina upphovsrätter innan den släpper något fritt."
)


def _minutes(users) -> None:
    """Published minutes of the series' first meeting, with an action point still open (shown on the
    next meeting and on Maja Medlem's profile) and one done."""
    first = db.session.scalar(
        sa.select(Meeting)
        .join(MeetingSeries)
        .where(MeetingSeries.title == SERIES_TITLE)
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    if first is None or first.minutes_published_at is not None or first.minutes:
        return
    first.minutes, first.minutes_html = DEMO_MINUTES, render(DEMO_MINUTES)
    db.session.add_all(
        [Attendance(meeting_id=first.id, user_id=users[email].id) for email in _ATTENDED]
        + [Attendance(meeting_id=first.id, name="Eva Extern", organisation="Region Gävleborg")]
        + [
            MinutesDecision(
                meeting_id=first.id,
                position=1,
                text="Vägledningen rekommenderar CC BY 4.0 för texter och CC0 för data.",
            ),
            ActionPoint(
                meeting_id=first.id,
                what="Samla exempel på myndigheter som redan publicerar data under CC0.",
                owner_id=users["member@demo.example"].id,
                due_on=datetime(2020, 9, 14).date(),
                status=ActionStatus.OPEN,
            ),
            ActionPoint(
                meeting_id=first.id,
                what="Skicka ut presentationerna till alla anmälda.",
                owner_id=users["host@demo.example"].id,
                due_on=datetime(2020, 9, 3).date(),
                status=ActionStatus.DONE,
                status_changed_at=_at("2020-09-03", 9),
                status_changed_by_id=users["host@demo.example"].id,
            ),
        ]
    )
    first.minutes_published_at = first.minutes_updated_at = _at("2020-09-02", 9)


_ATTENDED = ("host@demo.example", "editor@demo.example", "member@demo.example", "member2@demo.example")


def seed() -> bool:
    """Create whatever demo data is missing; returns whether the document was created."""

    organisations = _organisations()
    users = _users(organisations)
    document = db.session.scalar(sa.select(Document).where(Document.slug == content.SLUG))
    created = document is None
    if created:
        document = _document(users)
    _meetings(document, users, organisations)
    db.session.flush()
    _minutes(users)
    seed_responses(document)
    for meeting in db.session.scalars(sa.select(Meeting).where(Meeting.agenda_html == "")):
        meeting.agenda_html = render(meeting.agenda)
    db.session.flush()
    return created
