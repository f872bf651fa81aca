"""Moderation (issue 7, point 10): hiding keeps the record, hides the text, stays in the compilation."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit import AuditEvent
from app.database import utcnow
from app.documents.models import CommentVisibility, Document
from app.extensions import db
from app.meetings.models import ExportKind, Meeting
from app.meetings.operations import pack_files
from app.review.models import Comment
from tests.conftest import add_comment

BODY = "Synpunkt med personuppgifter 555-1234"
REASON = "Innehåller personuppgifter"


@pytest.fixture
def world(app, factory):
    member = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    editor = factory.user(email="eva@example.org", roles=(Role.EDITOR,), organisation="PRV")
    document = factory.document(slug="d")
    with app.app_context():
        db.session.get(Document, document.id).comment_visibility = CommentVisibility.FULL
        db.session.commit()
        comment_id = add_comment(document, "p2", member, body=BODY)
    return member, editor, document, comment_id


def _comment(app, comment_id) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        db.session.expunge(comment)
        return comment


def _events(app, action):
    with app.app_context():
        return db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()


def test_editor_hides_a_comment_with_a_reason(app, client, make_client, world):
    member, editor, _document, comment_id = world
    client.login(editor.email)
    assert client.get(f"/comments/{comment_id}/hide").status_code == 200
    response = client.post(f"/comments/{comment_id}/hide", {"reason": REASON})
    assert response.status_code == 302
    comment = _comment(app, comment_id)
    assert comment.is_hidden and comment.hidden_reason == REASON and comment.hidden_by_id == editor.id
    assert comment.body == BODY  # the record keeps its text
    (event,) = _events(app, "comment.hide")
    assert event.actor_id == editor.id and event.object_type == "comment" and event.object_id == comment_id
    assert event.data["before"] == {"hidden": False, "reason": None}
    assert event.data["after"] == {"hidden": True, "reason": REASON}

    visitor = make_client()
    signed_in = make_client()
    signed_in.login(member.email)  # even the author sees the reason, not the text
    for reader in (visitor, signed_in):
        html = reader.get("/d/d").get_data(as_text=True)
        assert REASON in html
        assert "555-1234" not in html
        assert f'id="c-{comment.number}"' in html  # still there, still numbered
    editor_view = client.get("/d/d").get_data(as_text=True)
    assert "555-1234" in editor_view and REASON in editor_view


def test_a_hidden_comments_text_does_not_leak_through_its_reply_page(app, client, make_client, world):
    member, editor, _document, comment_id = world
    client.login(editor.email)
    client.post(f"/comments/{comment_id}/hide", {"reason": REASON})
    other = make_client()
    other.login(member.email)
    html = other.get(f"/comments/{comment_id}/reply").get_data(as_text=True)
    assert REASON in html and "555-1234" not in html


def test_a_reply_can_be_hidden_too(app, client, make_client, world, factory):
    member, editor, _document, comment_id = world
    other = make_client()
    other.login(member.email)
    assert other.post(f"/comments/{comment_id}/reply", {"body": "Svar med hemlighet 9876"}).status_code == 302
    with app.app_context():
        reply_id = db.session.scalar(sa.select(Comment.id).where(Comment.parent_id == comment_id))
    client.login(editor.email)
    assert client.post(f"/comments/{reply_id}/hide", {"reason": "Fel tråd"}).status_code == 302
    html = other.get("/d/d").get_data(as_text=True)
    assert "9876" not in html and "Fel tråd" in html


def test_unhide_shows_the_text_again_and_is_audited(app, client, make_client, world):
    _member, editor, _document, comment_id = world
    client.login(editor.email)
    client.post(f"/comments/{comment_id}/hide", {"reason": REASON})
    assert client.post(f"/comments/{comment_id}/unhide").status_code == 302
    comment = _comment(app, comment_id)
    assert not comment.is_hidden and comment.hidden_reason is None
    (event,) = _events(app, "comment.unhide")
    assert event.data["before"] == {"hidden": True, "reason": REASON}
    assert make_client().get("/d/d").get_data(as_text=True).count("555-1234") == 1
    # Showing an already visible comment again changes and records nothing.
    assert client.post(f"/comments/{comment_id}/unhide").status_code == 302
    assert len(_events(app, "comment.unhide")) == 1


def test_changing_the_reason_of_a_hidden_comment_is_audited(app, client, world):
    _member, editor, _document, comment_id = world
    client.login(editor.email)
    client.post(f"/comments/{comment_id}/hide", {"reason": REASON})
    page = client.get(f"/comments/{comment_id}/hide").get_data(as_text=True)
    assert REASON in page and f'action="/comments/{comment_id}/unhide"' in page
    client.post(f"/comments/{comment_id}/hide", {"reason": "Nytt skäl"})
    _first, second = _events(app, "comment.hide")
    assert second.data["before"] == {"hidden": True, "reason": REASON}
    assert second.data["after"] == {"hidden": True, "reason": "Nytt skäl"}


@pytest.mark.parametrize("reason", ["", "   \n  ", "x" * 1001])
def test_a_reason_is_required_and_bounded(app, client, world, reason):
    _member, editor, _document, comment_id = world
    client.login(editor.email)
    assert client.post(f"/comments/{comment_id}/hide", {"reason": reason}).status_code == 400
    assert not _comment(app, comment_id).is_hidden
    assert _events(app, "comment.hide") == []


def test_only_editors_and_admins_moderate(app, client, make_client, world, factory):
    member, _editor, _document, comment_id = world
    host = factory.user(email="hanna@example.org", roles=(Role.HOST, Role.MEMBER))
    admin = factory.user(email="alva@example.org", roles=(Role.ADMIN,))
    for email in (member.email, host.email):
        someone = make_client()
        someone.login(email)
        assert someone.get(f"/comments/{comment_id}/hide").status_code == 403
        assert someone.post(f"/comments/{comment_id}/hide", {"reason": "nej"}).status_code == 403
        assert someone.post(f"/comments/{comment_id}/unhide").status_code == 403
    assert make_client().post(f"/comments/{comment_id}/hide", {"reason": "x"}).status_code == 302
    assert not _comment(app, comment_id).is_hidden
    admin_client = make_client()
    admin_client.login(admin.email)
    assert admin_client.post(f"/comments/{comment_id}/hide", {"reason": "Spam"}).status_code == 302
    assert _comment(app, comment_id).is_hidden
    assert admin_client.post("/comments/999999/hide", {"reason": "Spam"}).status_code == 404


def test_members_see_no_moderation_links_editors_do(client, make_client, world):
    member, editor, _document, comment_id = world
    client.login(editor.email)
    assert f"/comments/{comment_id}/hide" in client.get("/d/d").get_data(as_text=True)
    other = make_client()
    other.login(member.email)
    assert f"/comments/{comment_id}/hide" not in other.get("/d/d").get_data(as_text=True)


def test_hiding_and_withdrawing_never_delete_rows(app, client, make_client, world):
    member, editor, _document, comment_id = world
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Comment))
    author = make_client()
    author.login(member.email)
    assert author.post(f"/comments/{comment_id}/withdraw").status_code == 302
    client.login(editor.email)
    client.post(f"/comments/{comment_id}/hide", {"reason": REASON})
    client.post(f"/comments/{comment_id}/unhide")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == before
        comment = db.session.get(Comment, comment_id)
        assert comment.body == BODY and comment.is_withdrawn
    assert {e.action for e in _all_events(app)} >= {"comment.withdraw", "comment.hide", "comment.unhide"}


def _all_events(app):
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()


def test_hidden_comment_stays_in_the_compilation_marked_hidden(app, client, world, factory):
    member, editor, document, comment_id = world
    with app.app_context():
        visible_id = add_comment(document, "p3", member, body="En synlig synpunkt.")
    client.login(editor.email)
    client.post(f"/comments/{comment_id}/hide", {"reason": REASON})
    with app.app_context():
        version = db.session.get(Document, document.id).current_version
        meeting = Meeting(document_id=document.id, title="Möte", starts_at=utcnow(), version_id=version.id)
        db.session.add(meeting)
        db.session.flush()
        files = {kind: data for kind, _path, data in pack_files(meeting)}
        numbers = {
            c.id: c.number for c in db.session.scalars(sa.select(Comment).where(Comment.parent_id.is_(None)))
        }
        db.session.rollback()
    rows = {row["number"]: row for row in json.loads(files[ExportKind.JSON])["comments"]}
    hidden = rows[numbers[comment_id]]
    assert hidden["hidden"] is True and hidden["hidden_reason"] == REASON
    assert "555-1234" not in files[ExportKind.JSON].decode()
    assert REASON in hidden["body"] and hidden["open"] is False
    assert rows[numbers[visible_id]]["hidden"] is False
    assert rows[numbers[visible_id]]["body"] == "En synlig synpunkt."
    csv_text = files[ExportKind.CSV].decode("utf-8-sig")
    assert "Dold av moderator. Skäl: " + REASON in csv_text and "555-1234" not in csv_text
    for kind in (ExportKind.TRACKED, ExportKind.CLEAN):
        assert b"555-1234" not in _docx_text(files[kind])


def _docx_text(data: bytes) -> bytes:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist() if name.endswith(".xml"))
