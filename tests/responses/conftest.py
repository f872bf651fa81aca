"""Fixtures for responses: a consultation with two organisations' members, an editor and comments."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.accounts.models import Role, User
from app.database import utcnow
from app.documents.models import Document, Version
from app.extensions import db
from tests.conftest import CSRF_RE, add_comment


def blocks():
    """Two top-level sections with paragraphs."""
    return [
        ("h1", "heading", 1, "Inledning"),
        ("p1", "paragraph", 1, "Myndigheter skapar mycket material."),
        ("h2", "heading", 1, "Licenser"),
        ("p2", "paragraph", 1, "CC BY 4.0 passar text."),
        ("p3", "paragraph", 1, "CC0 passar data."),
    ]


@pytest.fixture
def consultation(app, factory):
    """An open version (deadline in ten days) with members of Kommun A (one may answer) and Verket B."""
    editor = factory.user(email="editor@example.org", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV")
    answerer = factory.user(email="anna@example.org", organisation="Kommun A", name="Anna Svarare")
    colleague = factory.user(email="kalle@example.org", organisation="Kommun A", name="Kalle Kollega")
    other = factory.user(email="olle@example.org", organisation="Verket B", name="Olle Annan")
    document = factory.document(slug="remiss", versions=[blocks(), blocks()], editor=editor)
    with app.app_context():
        db.session.get(User, answerer.id).may_answer = True
        doc = db.session.get(Document, document.id)
        doc.versions[-1].deadline = utcnow() + timedelta(days=10)
        db.session.commit()
        add_comment(document, "p2", colleague, version_number=2, body="Bra stycke.")
        add_comment(document, "p3", other, version_number=2, body="Fråga om CC0.")
    return {
        "document": document,
        "editor": editor,
        "answerer": answerer,
        "colleague": colleague,
        "other": other,
        "org_a": answerer.organisation_id,
        "org_b": other.organisation_id,
        "edit_url": f"/d/remiss/v/2/responses/{answerer.organisation_id}/edit",
    }


def form_of(client, url: str) -> dict:
    """The hidden fields of the response form at *url* (CSRF token and row version)."""
    html = client.get(url).get_data(as_text=True)
    token = CSRF_RE.search(html).group(1)
    row_version = re.search(r'name="row_version" type="hidden" value="(\d+)"', html) or re.search(
        r'id="row_version" name="row_version" type="hidden" value="(\d+)"', html
    )
    return {"csrf_token": token, "row_version": row_version.group(1) if row_version else "0"}


def response_data(**changes) -> dict:
    """A complete response as the form sends it."""
    data = {
        "position": "supports_with_comments",
        "summary": "Vi tillstyrker med *synpunkter*.",
        "reference": "KS 2020/1",
        "decision_maker": "Anna Chef",
        "decision_maker_title": "kommundirektör",
        "officer": "Kalle Kollega",
    }
    data.update(changes)
    return data


def store_hostile_responses(version_id: int, corpus: list[str]) -> None:
    """One organisation per payload, with a submitted response carrying it in every field (app context)."""
    from app.accounts.models import Organisation
    from app.responses.models import Position, Response, ResponseState, SectionPosition
    from app.review.markdown import render

    version = db.session.get(Version, version_id)
    for n, payload in enumerate(corpus):
        organisation = Organisation(name=f"{n:03d} {payload}"[:200])
        db.session.add(organisation)
        db.session.flush()
        db.session.add(
            Response(
                document_id=version.document_id,
                version_id=version.id,
                organisation_id=organisation.id,
                state=ResponseState.SUBMITTED,
                position=Position.OPPOSES,
                summary=payload,
                summary_html=render(payload),
                reference=payload[:100],
                decision_maker=payload[:200],
                decision_maker_title=payload[:200],
                officer=payload[:200],
                submitted_at=utcnow(),
                sections=[
                    SectionPosition(block_uid=f"x{n}", heading=payload[:500], position=Position.SUPPORTS)
                ],
            )
        )
    db.session.commit()


SUMMARY_TOKEN_RE = re.compile(r'name="summary_token" type="hidden" value="([^"]+)"')


def confirm_url(edit_url: str) -> str:
    """The confirmation step of the response at *edit_url*."""
    return edit_url.removesuffix("/edit") + "/submit"


def submit(client, edit_url: str, data: dict):
    """'Lämna remissvaret': save the form and go to the summary, then confirm what it shows."""
    sent = client.post(edit_url, {**form_of(client, edit_url), **data, "send": "1"})
    if sent.status_code != 302:
        return sent
    page = client.get(confirm_url(edit_url)).get_data(as_text=True)
    token = SUMMARY_TOKEN_RE.search(page)
    assert token, "no summary token on the confirmation page"
    return client.post(
        confirm_url(edit_url),
        {"csrf_token": CSRF_RE.search(page).group(1), "summary_token": token.group(1)},
    )
