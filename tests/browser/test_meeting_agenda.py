"""A meeting's agenda typed one item per line keeps its lines on the web page, in the reader's locale."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.accounts.models import Role
from app.documents.models import Document
from app.extensions import db

pytestmark = pytest.mark.browser


def test_agenda_lines_and_swedish_time(page, app, factory):
    from app.accounts.models import User
    from app.meetings.operations import create_meeting

    doc = factory.document(slug="vl")
    host = factory.user(email="hanna@example.org", roles=(Role.HOST, Role.MEMBER))
    with app.app_context():
        document = db.session.get(Document, doc.id)
        meeting = create_meeting(
            document=document,
            title="Nätverksträff",
            starts_at=datetime(2026, 12, 20, 12, 0, tzinfo=UTC),
            agenda="Välkommen\nGenomgång av utkastet\nFrågor",
            version=document.current_version,
            base_version=None,
            host=db.session.get(User, host.id),
        )
        db.session.commit()
        meeting_id = meeting.id
    page.goto(f"/meetings/{meeting_id}")
    agenda = page.locator(".agenda")
    assert agenda.inner_text().strip().split("\n") == ["Välkommen", "Genomgång av utkastet", "Frågor"]
    # The meeting shows its start and its end (two hours unless the host says otherwise).
    assert "13:00–15:00 svensk tid" in page.locator("main").inner_text()
