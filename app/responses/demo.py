"""Demo responses to the first draft: several organisations, one replaced, some missing, one a draft."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from app.accounts.models import Organisation, User
from app.documents.loaders import page_blocks
from app.documents.models import Document
from app.extensions import db
from app.responses.models import Position, Response, ResponseState, SectionPosition
from app.responses.operations import sections_of
from app.review.markdown import render

P = Position
# (organisation, submitted, position, summary, reference, decision-maker, title, officer,
#  positions per section by heading number, replaced at or None)
RESPONSES = [
    (
        "Alingsås kommun",
        "2020-09-14T09:00",
        P.OPPOSES,
        "Kommunen avstyrker utkastet i denna form. Avsnittet om programvara saknar vägledning för "
        "kommunala bolag.",
        "KS 2020/311",
        "Anna Kommunal",
        "kommundirektör",
        "Mats Medlem",
        {"4": P.OPPOSES},
        "2020-09-21T15:30",
    ),
    (
        "Alingsås kommun",
        "2020-09-21T15:30",
        P.SUPPORTS_WITH_COMMENTS,
        "Efter nätverksträffen den 15 september tillstyrker kommunen utkastet med synpunkter.\n\n"
        "Vi vill se ett exempel på **källhänvisning** för kommunala webbplatser.",
        "KS 2020/311",
        "Anna Kommunal",
        "kommundirektör",
        "Mats Medlem",
        {"3": P.SUPPORTS, "4": P.SUPPORTS_WITH_COMMENTS},
        None,
    ),
    (
        "Samtrafiken",
        "2020-09-18T11:00",
        P.SUPPORTS_WITH_COMMENTS,
        "Samtrafiken tillstyrker förslaget. CC0 för metadata är avgörande för kollektivtrafikens "
        "öppna data; se våra synpunkter på avsnitt 3.",
        "ST-2020-044",
        "Karin Trafik",
        "vd",
        "Maja Medlem",
        {"2": P.SUPPORTS, "3": P.SUPPORTS_WITH_COMMENTS},
        None,
    ),
    (
        "Lunds universitet",
        "2020-09-17T10:00",
        P.SUPPORTS,
        "Lunds universitet tillstyrker vägledningen utan invändningar.",
        "STYR 2020/1187",
        "Per Rektor",
        "prorektor",
        "Lisa Jurist",
        {},
        None,
    ),
    (
        "Kammarkollegiet",
        "2020-09-20T16:00",
        P.SUPPORTS_WITH_COMMENTS,
        "Kammarkollegiet tillstyrker med synpunkter om upphandlingsavtalens villkor för licenser.",
        "23.2-4411-20",
        "Sven Kollegie",
        "generaldirektör",
        "Ulla Upphandlare",
        {"6": P.SUPPORTS_WITH_COMMENTS},
        None,
    ),
    (
        "SKR",
        "2020-09-19T08:30",
        P.ABSTAINS,
        "SKR avstår från att yttra sig.",
        "SKR 20/00912",
        "Ola Förbund",
        "avdelningschef",
        "",
        {},
        None,
    ),
]
# Being drafted but never submitted: counts as no response.
DRAFTING = "Arbetsförmedlingen"


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def seed_responses(document: Document) -> None:
    """Add the demo responses to the document's first version, once."""
    if db.session.scalar(sa.select(Response.id).where(Response.document_id == document.id).limit(1)):
        return
    version = document.versions[0]
    sections = {s.number: s for s in sections_of(page_blocks(version))}
    organisations = {o.name: o for o in db.session.scalars(sa.select(Organisation))}
    users = {u.organisation_id: u for u in db.session.scalars(sa.select(User).order_by(User.id))}
    for _org, member_email in (
        ("Samtrafiken", "member@demo.example"),
        ("Alingsås kommun", "member2@demo.example"),
    ):
        user = db.session.scalar(sa.select(User).where(User.email == member_email))
        if user is not None:
            user.may_answer = True
    for name, at, position, summary, ref, decider, title, officer, by_section, replaced in RESPONSES:
        organisation = organisations.get(name)
        if organisation is None:
            continue
        submitter = users.get(organisation.id)
        response = Response(
            document_id=document.id,
            version_id=version.id,
            organisation_id=organisation.id,
            state=ResponseState.REPLACED if replaced else ResponseState.SUBMITTED,
            position=position,
            summary=summary,
            summary_html=render(summary),
            reference=ref,
            decision_maker=decider,
            decision_maker_title=title,
            officer=officer,
            created_at=_at(at),
            updated_at=_at(at),
            updated_by_id=submitter.id if submitter else None,
            submitted_at=_at(at),
            submitted_by_id=submitter.id if submitter else None,
            replaced_at=_at(replaced) if replaced else None,
            sections=[
                SectionPosition(
                    block_uid=sections[n].uid,
                    heading=sections[n].label,
                    position_in_text=sections[n].position,
                    position=p,
                )
                for n, p in by_section.items()
                if n in sections
            ],
        )
        db.session.add(response)
        # The replaced record must be stored before the one replacing it (one standing submission).
        db.session.flush()
    drafting = organisations.get(DRAFTING)
    if drafting is not None:
        db.session.add(
            Response(
                document_id=document.id,
                version_id=version.id,
                organisation_id=drafting.id,
                state=ResponseState.DRAFT,
                position=P.SUPPORTS,
                summary="Utkast: Arbetsförmedlingen tillstyrker …",
                summary_html=render("Utkast: Arbetsförmedlingen tillstyrker …"),
                updated_at=_at("2020-09-22T10:00"),
            )
        )
    db.session.flush()
