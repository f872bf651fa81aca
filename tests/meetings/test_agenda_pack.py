"""The meeting pack's cover lists the agenda's items with their times (Swedish time) and
presenters (issue 25, point 4); hostile text stays text and the file stays valid for Word."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import UTC, datetime

import docx
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.meetings.models import Export, ExportKind
from app.meetings.pack import PackAgendaItem, write_pack
from tests.browser.xss import payloads
from tests.meetings import test_agenda as base
from tests.meetings.ooxml import schema_problems, word_rule_problems
from tests.meetings.test_agenda import add, make_meeting, make_series
from tests.meetings.test_docx_writer import make_pack

host = base.host  # the same host as there

ITEMS = [
    PackAgendaItem(
        "Välkommen",
        starts_at=datetime(2020, 10, 25, 9, 0, tzinfo=UTC),  # 10:00 CET, the day summer time ends
        ends_at=datetime(2020, 10, 25, 9, 15, tzinfo=UTC),
        presenter="Hanna Värd",
    ),
    PackAgendaItem("Genomgång av utkastet", duration_minutes=45, presenter="Eva Redaktör, PRV"),
    PackAgendaItem("Övrigt"),
]


def cover_text(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    return [p.text for p in document.paragraphs]


@pytest.mark.parametrize("tracked", [True, False])
def test_the_cover_lists_the_items_with_times_and_presenters(tracked):
    data = write_pack(replace(make_pack(), agenda="Ta med frågor", agenda_items=ITEMS), tracked=tracked)
    assert schema_problems(data) == [] and word_rule_problems(data) == []
    text = cover_text(data)
    assert "10:00–10:15 Välkommen – Hanna Värd" in text
    assert "45 min Genomgång av utkastet – Eva Redaktör, PRV" in text
    assert "Övrigt" in text
    assert (
        text.index("10:00–10:15 Välkommen – Hanna Värd") < text.index("Övrigt") < text.index("Ta med frågor")
    )


def test_hostile_text_on_the_cover_stays_text():
    corpus = [p for p in payloads() if p.strip()]
    items = [PackAgendaItem(text[:300], duration_minutes=5, presenter=text[:200]) for text in corpus]
    data = write_pack(replace(make_pack(), agenda_items=items))
    assert schema_problems(data) == [] and word_rule_problems(data) == []
    document = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    assert b"<script" not in document
    text = "\n".join(cover_text(data))
    for item in items[:20]:
        visible = "".join(c for c in item.title if c.isprintable() and c not in "\t")
        assert visible.strip()[:20] in text or not visible.strip()


def test_the_exported_pack_shows_the_meetings_items(app, client, host, factory):
    document = factory.document(slug="vl")
    meeting_id = make_meeting(app, make_series(app), document_id=document.id)
    client.login("hanna@example.org")
    add(client, meeting_id, title="Välkommen", start="10:00", duration="15", presenter="Hanna Värd")
    add(client, meeting_id, title="Synpunkterna", duration="60", presenter="Eva")
    assert client.post(f"/meetings/{meeting_id}/export").status_code == 302
    with app.app_context():
        export_id = db.session.scalar(
            sa.select(Export.id).where(Export.meeting_id == meeting_id, Export.kind == ExportKind.TRACKED)
        )
    data = client.get(f"/exports/{export_id}").data
    assert schema_problems(data) == [] and word_rule_problems(data) == []
    text = cover_text(data)
    assert "10:00–10:15 Välkommen – Hanna Värd" in text
    assert "60 min Synpunkterna – Eva" in text


def test_an_unpublished_agenda_is_not_on_the_cover(app, client, host, factory):
    document = factory.document(slug="vl")
    meeting_id = make_meeting(app, make_series(app), document_id=document.id, published=False)
    client.login("hanna@example.org")
    add(client, meeting_id, title="Hemlig punkt", duration="15")
    assert client.post(f"/meetings/{meeting_id}/export").status_code == 302
    with app.app_context():
        export_id = db.session.scalar(
            sa.select(Export.id).where(Export.meeting_id == meeting_id, Export.kind == ExportKind.TRACKED)
        )
    assert not any("Hemlig punkt" in line for line in cover_text(client.get(f"/exports/{export_id}").data))
