"""The meeting pack includes the table of responses to the presented version."""

from __future__ import annotations

import io

import docx
import sqlalchemy as sa

from app.database import utcnow
from app.documents.models import Version
from app.extensions import db
from app.meetings.models import Meeting
from app.meetings.operations import build_pack
from app.meetings.pack import write_pack
from tests.meetings.ooxml import schema_problems, word_rule_problems
from tests.responses.conftest import response_data, submit


def _pack(app, document_id) -> bytes:
    with app.app_context():
        version = db.session.scalar(
            sa.select(Version).where(Version.document_id == document_id, Version.number == 2)
        )
        meeting = Meeting(
            document_id=document_id, title="Nätverksträff", starts_at=utcnow(), version_id=version.id
        )
        db.session.add(meeting)
        db.session.commit()
        return write_pack(build_pack(meeting))


def _table_after(document, heading: str):
    body = document.element.body
    names = [p for p in document.paragraphs if p.text == heading]
    assert names, f"no heading {heading!r}"
    following = names[0]._p.getnext()
    while following is not None and following.tag != docx.oxml.ns.qn("w:tbl"):
        following = following.getnext()
    assert following is not None and following.getparent() is body
    return docx.table.Table(following, document)


def test_the_pack_lists_every_organisations_response(app, make_client, consultation):
    anna = make_client()
    anna.login(consultation["answerer"].email)
    url = consultation["edit_url"]
    submit(anna, url, response_data(position="opposes"))
    submit(anna, url, response_data(reference="KS 2020/9"))
    data = _pack(app, consultation["document"].id)
    assert schema_problems(data) == [] and word_rule_problems(data) == []
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "1 av 2 remissinstanser har svarat på version Utkast 2." in text
    rows = [[c.text for c in row.cells] for row in _table_after(document, "Inkomna remissvar").rows]
    assert rows[0] == ["Organisation", "Ställningstagande", "Diarienummer", "Beslutat av", "Inkom"]
    assert rows[1][:4] == [
        "Kommun A",
        "Tillstyrker med synpunkter (ersätter ett tidigare svar)",
        "KS 2020/9",
        "Anna Chef, kommundirektör",
    ]
    assert rows[2][:2] == ["Verket B", "Inget svar"]


def test_without_any_response_the_pack_has_no_such_section(app, consultation):
    document = docx.Document(io.BytesIO(_pack(app, consultation["document"].id)))
    assert "Inkomna remissvar" not in [p.text for p in document.paragraphs]
