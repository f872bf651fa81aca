"""Dates read one way on pages: the reader's locale, as "29 sep. 2020" elsewhere on the page.

Comment times were ISO ("2026-12-07 04:29") beside dates written "29 sep. 2020" (issue 23).
ISO 8601 stays where machines read: the Atom feed and the API.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.accounts.models import Role, User
from app.documents.models import CommentVisibility, Document, VersionState
from app.extensions import db
from app.review.models import Comment
from tests.conftest import add_comment

MOMENT = datetime(2026, 12, 7, 3, 29, tzinfo=UTC)  # 04:29 in Stockholm (winter time)
DEADLINE = datetime(2099, 3, 5, 11, 0, tzinfo=UTC)  # 12:00 in Stockholm
PAGE_FORMS = {
    "sv": ("7 dec. 2026 04:29", "5 mars 2099 12:00"),
    "en": ("7 Dec 2026, 04:29", "5 Mar 2099, 12:00"),
}
ISO_ON_A_PAGE = ("2026-12-07 04:29", "07/12/2026", "2099-03-05 12:00", "05/03/2099")


@pytest.fixture
def world(app, factory):
    doc = factory.document(slug="vl")
    maja = factory.user(email="maja@example.org")
    editor = factory.user(email="red@example.org", roles=(Role.MEMBER, Role.EDITOR))
    with app.app_context():
        comment_id = add_comment(doc, "p1", maja, body="Förtydliga.")
        parent = db.session.get(Comment, comment_id)
        reply_id = add_comment(doc, "p1", editor, body="Vi ser över det.", parent=parent)
        for cid in (comment_id, reply_id):
            db.session.get(Comment, cid).created_at = MOMENT
        document = db.session.get(Document, doc.id)
        document.comment_visibility = CommentVisibility.FULL
        version = document.current_version
        version.state = VersionState.OPEN
        version.published_at = MOMENT - timedelta(days=30)
        version.deadline = DEADLINE
        db.session.commit()
    return {"comment": comment_id, "maja": maja, "editor": editor, "uid": doc.block_uids["p1"]}


def _speak(app, user, language):
    with app.app_context():
        db.session.get(User, user.id).language = language
        db.session.commit()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_comment_times_and_deadlines_read_like_the_pages_other_dates(make_client, app, world, language):
    made, until = PAGE_FORMS[language]
    _speak(app, world["maja"], language)
    _speak(app, world["editor"], language)
    member, editor = make_client(), make_client()
    member.login(world["maja"].email)
    editor.login(world["editor"].email)
    pages = {
        "reading": member.get("/d/vl"),
        "mine": member.get("/d/vl/mine"),
        "block comments": member.get(f"/d/vl/v/1/b/{world['uid']}/comments"),
        "decide": editor.get(f"/d/vl/review/c/{world['comment']}"),
        "review": editor.get("/d/vl/v/1/review"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.get_data(as_text=True)
        assert made in html, f"{name} ({language}): no {made!r}"
        for iso in ISO_ON_A_PAGE:
            assert iso not in html, f"{name} ({language}) still writes {iso!r}"
    # The deadline too, and the machine-readable moment stays in <time datetime>.
    reading = pages["reading"].get_data(as_text=True)
    assert until in reading
    assert 'datetime="2026-12-07T03:29:00+00:00"' in reading


def test_feeds_and_the_api_keep_iso_8601(client, app, world):
    feed = client.get("/d/vl/feed.atom").get_data(as_text=True)
    assert "<updated>2026-11-07T03:29:00Z</updated>" in feed
    items = client.get("/api/v1/documents/vl/versions/1/comments").get_json()["items"]
    assert items[0]["created_at"] == "2026-12-07T03:29:00Z"
