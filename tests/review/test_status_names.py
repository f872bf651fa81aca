"""Issue 23, point 3: one name per status, everywhere.

The names come from one place, :data:`app.review.labels.STATUS_LABELS` (read for a language by
:func:`app.review.labels.status_labels`). This walks every page and file that shows a status:
the dashboard's cards, the decision form, the publish page, the meeting pack (DOCX, CSV, JSON),
the outcome page and its DOCX, the API's description and the decision e-mail, and checks each
shows that name and no other.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import UTC, datetime

import docx
import pytest
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.documents.models import Document
from app.extensions import db
from app.meetings.models import ExportKind
from app.meetings.operations import create_meeting, pack_files
from app.notifications.delivery import describe
from app.notifications.models import Notification, NotificationKind
from app.review.labels import status_labels
from app.review.models import Comment, CommentStatus
from app.review.operations import decide
from tests.conftest import add_comment

V1 = [
    ("h", "heading", 1, "Inledning"),
    ("a", "paragraph", 1, "Första stycket."),
    ("b", "paragraph", 1, "Andra."),
]
V2 = [
    ("h", "heading", 1, "Inledning"),
    ("a", "paragraph", 1, "Första stycket, ändrat."),
    ("b", "paragraph", 1, "Andra."),
]
DECIDED = [s for s in CommentStatus if s not in (CommentStatus.OPEN, CommentStatus.WITHDRAWN)]
# Other words once used for a status: none of them may be shown anywhere.
OTHER_NAMES = ("Ej behandlad", "Not yet handled", "obeslutad", "Inte beslutad", "undecided", "Undecided")
SV, EN = status_labels("sv"), status_labels("en")


@pytest.fixture
def people(factory):
    return {
        "editor": factory.user(
            email="erik@prv.example",
            name="Erik Redaktör",
            roles=(Role.EDITOR, Role.HOST, Role.MEMBER),
            organisation="PRV",
        ),
        "maja": factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken"),
    }


@pytest.fixture
def world(app, factory, people):
    """Version 2 with a comment in every status (one withdrawn), the first of them a duplicate's original."""
    doc = factory.document(slug="sn", title="Statusnamn", versions=[V1, V2], editor=people["editor"])
    with app.app_context():
        editor = db.session.get(User, people["editor"].id)
        ids = {}
        for status in CommentStatus:
            ids[status] = add_comment(doc, "a", people["maja"], version_number=2, body=f"Om {status.value}.")
        original = db.session.get(Comment, ids[CommentStatus.OPEN])
        for status in DECIDED:
            decide(
                db.session.get(Comment, ids[status]),
                status=status,
                response=f"Svar {status.value}.",
                editor=editor,
                duplicate_of=original if status is CommentStatus.DUPLICATE else None,
            )
        db.session.get(Comment, ids[CommentStatus.WITHDRAWN]).withdrawn_at = datetime(2025, 1, 1, tzinfo=UTC)
        db.session.commit()
        numbers = {s: db.session.get(Comment, i).number for s, i in ids.items()}
    return {"doc": doc, "ids": ids, "numbers": numbers}


@pytest.fixture
def ed(make_client, people):
    client = make_client()
    client.login(people["editor"].email)
    return client


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _no_other_names(text: str, where: str) -> None:
    found = [name for name in OTHER_NAMES if name in text]
    assert not found, f"{where} names a status {found}"


def test_the_cards_and_the_decision_form_use_the_one_name(world, ed):
    page = ed.get("/d/sn/v/2/review").get_data(as_text=True)
    for status in CommentStatus:
        if status is CommentStatus.WITHDRAWN:
            continue
        badges = set(re.findall(rf'class="badge status status--{status.value}">([^<]*)<', page))
        assert badges == {SV[status.value]}, status
    _no_other_names(_text(page), "the dashboard")
    form = ed.get(f"/d/sn/review/c/{world['ids'][CommentStatus.ACCEPTED]}").get_data(as_text=True)
    inputs = [tag for tag in re.findall(r"<input [^>]*>", form) if 'name="status"' in tag]
    options = {
        re.search(r'id="([^"]+)"', t).group(1): re.search(r'value="([^"]+)"', t).group(1) for t in inputs
    }
    options = {
        value: re.search(rf'<label for="{id_}">([^<]*)</label>', form).group(1)
        for id_, value in options.items()
    }
    for status in CommentStatus:
        if status is not CommentStatus.WITHDRAWN:
            assert html.unescape(options[status.value]).strip() == SV[status.value], status
    _no_other_names(_text(form), "the decision form")


def test_the_publish_page_calls_an_open_comment_open(world, ed):
    assert ed.post("/d/sn/draft/start", {"label": "Utkast 3"}).status_code == 302
    text = _text(ed.get("/d/sn/draft/publish").get_data(as_text=True))
    assert "öppen" in text.lower() and SV["open"].lower() in text.lower()
    _no_other_names(text, "the publish page")


def test_the_meeting_pack_csv_and_json_use_the_one_name(app, world, people):
    with app.app_context():
        document = db.session.get(Document, world["doc"].id)
        meeting = create_meeting(
            document=document,
            title="Möte",
            starts_at=datetime(2025, 3, 10, 12, tzinfo=UTC),
            agenda="",
            version=document.versions[1],
            base_version=document.versions[0],
            host=db.session.get(User, people["editor"].id),
        )
        files = {kind: data for kind, _path, data in pack_files(meeting)}
        db.session.rollback()
    number = {n: s for s, n in world["numbers"].items()}
    rows = json.loads(files[ExportKind.JSON])["comments"]
    for row in rows:
        status = number[row["number"]]
        expected = SV[status.value]
        if status is CommentStatus.DUPLICATE:
            expected = SV["duplicate_of"].replace("{number}", str(world["numbers"][CommentStatus.OPEN]))
        assert row["status_label"] == expected, status
    table = list(csv.reader(io.StringIO(files[ExportKind.CSV].decode("utf-8-sig"))))
    column = table[0].index("Status")
    assert {r[column] for r in table[1:]} == {row["status_label"] for row in rows}
    pack = docx.Document(io.BytesIO(files[ExportKind.TRACKED]))
    summary = next(t for t in pack.tables if t.rows[0].cells[0].text == "Beslut")
    assert [r.cells[0].text for r in summary.rows[1:-1]] == [SV[s.value] for s in CommentStatus]
    compilation = pack.tables[-1]
    cells = {c.text for r in compilation.rows[1:] for c in r.cells}
    assert {row["status_label"] for row in rows} <= cells
    replies = [c.text for c in pack.comments if c.text.startswith("Beslut: ")]
    for row in rows:
        if number[row["number"]] in DECIDED:
            assert any(r.startswith(f"Beslut: {row['status_label']}") for r in replies), row["number"]
    everything = "\n".join(
        [*(p.text for p in pack.paragraphs), *(c.text for t in pack.tables for r in t.rows for c in r.cells)]
    )
    _no_other_names(everything + "\n".join(c.text for c in pack.comments), "the meeting pack")


def test_the_outcome_page_and_docx_use_the_one_name(world, ed, make_client):
    page = _text(ed.get("/d/sn/v/2/outcome").get_data(as_text=True))
    for status in CommentStatus:
        assert SV[status.value] in page, status
    _no_other_names(page, "the outcome page")
    report = docx.Document(io.BytesIO(ed.get("/d/sn/v/2/outcome.docx").data))
    text = "\n".join(c.text for t in report.tables for r in t.rows for c in r.cells)
    for status in CommentStatus:
        assert SV[status.value] in text, status
    _no_other_names(text, "the outcome report")


def test_the_api_description_names_each_status_as_the_pages_do(world, client):
    description = client.get("/api/v1/openapi.json").get_json()
    schema = description["components"]["schemas"]["Comment"]["properties"]["status"]
    for status in CommentStatus:
        assert f"`{status.value}`: {EN[status.value]}" in schema["description"], status
    parameters = [
        p
        for operation in description["paths"].values()
        for p in operation["get"].get("parameters", [])
        if p["name"] == "status"
    ]
    assert parameters
    for parameter in parameters:
        for status in CommentStatus:
            assert f"`{status.value}`: {EN[status.value]}" in parameter["description"], status
    _no_other_names(json.dumps(description), "the API description")


def test_the_decision_email_names_the_decision_as_the_pages_do(app, world):
    with app.test_request_context():
        for status in DECIDED:
            comment = db.session.get(Comment, world["ids"][status])
            notification = db.session.scalar(
                sa.select(Notification).where(
                    Notification.kind == NotificationKind.DECISION, Notification.comment_id == comment.id
                )
            )
            item = describe(notification)
            assert f": {SV[status.value].lower()}." in item.text, status
            _no_other_names(item.text, "the decision e-mail")
