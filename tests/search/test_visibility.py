"""Never a leak: each role finds only what its pages would show, on the page and in the API."""

from __future__ import annotations

import pytest

from app.accounts.models import User
from app.documents.models import BlockKind, CommentVisibility, Document
from app.drafting import operations as drafting
from app.extensions import db
from app.review import operations as review
from app.review.models import Comment
from app.search import compounds
from tests.api.conftest import bearer, make_token
from tests.search.conftest import numbers, search, uids


def _as(app, client, sw, who):
    """Headers for the API as *who* (None: a visitor); the HTML client signs in too."""
    if who is None:
        return {}
    client.login(sw[who].email)
    return bearer(make_token(app, sw[who]))


@pytest.mark.parametrize("who", [None, "member_a", "member_b", "editor", "admin"])
def test_a_visitor_sees_only_public_documents(app, client, sw, who):
    headers = _as(app, client, sw, who)
    found = uids(search(client, "hemlig myndighet", headers=headers))
    page = client.get("/search", query_string={"q": "hemlig"}).get_data(as_text=True)
    if who is None:
        assert found == set()
        assert "Hemlig" not in page and "Nätverkets dokument" not in page
    else:
        assert found == {sw["net_uid"]["n1"]}
        assert "<mark>Hemlig</mark>" in page


@pytest.mark.parametrize("who", [None, "member_a", "editor"])
def test_drafts_only_for_editors(app, client, sw, who):
    with app.app_context():
        document = db.session.get(Document, sw["public"].id)
        draft = drafting.start_draft(document, db.session.get(User, sw["editor"].id))
        drafting.insert_block(
            draft,
            None,
            kind=BlockKind.PARAGRAPH,
            level=1,
            text="Utkastets hemliga myndighet.",
            editor=db.session.get(User, sw["editor"].id),
        )
        db.session.commit()
    headers = _as(app, client, sw, who)
    body = search(client, "myndighet", type="text", document="offentlig", headers=headers)
    drafts = {item["draft"] for item in body["text"]["items"]}
    # The newest version each reader may see: the draft for editors, version 2 for others.
    assert drafts == ({True} if who == "editor" else {False})
    explicit = search(client, "myndighet", type="text", document="offentlig", version="3", headers=headers)
    assert bool(explicit["text"]["items"]) is (who == "editor")
    page = client.get("/search", query_string={"q": "utkastets"}).get_data(as_text=True)
    assert ("<mark>Utkastets</mark>" in page) is (who == "editor")


@pytest.mark.parametrize("who", [None, "member_a", "member_b", "editor", "admin"])
def test_hidden_comments_only_for_moderators(app, client, sw, who):
    with app.app_context():
        comment = db.session.get(Comment, sw["comment_ids"]["cc0"])
        review.hide_comment(comment, "Personuppgifter", db.session.get(User, sw["admin"].id))
        db.session.commit()
    headers = _as(app, client, sw, who)
    found = numbers(search(client, "CC0", type="comments", headers=headers))
    page = client.get("/search", query_string={"q": "CC0", "what": "comments"}).get_data(as_text=True)
    if who in ("editor", "admin"):
        assert found == {sw["numbers"]["cc0"]}
        assert "myndigheternas" in page
    else:
        assert found == set()
        assert "myndigheternas" not in page


def test_withdrawn_comments_as_the_reading_view_shows_them(app, client, sw):
    with app.app_context():
        comment = db.session.get(Comment, sw["comment_ids"]["cc0"])
        review.withdraw_comment(comment, db.session.get(User, sw["member_a"].id))
        db.session.commit()
    body = search(client, "CC0", type="comments")
    assert [item["status"] for item in body["comments"]["items"]] == ["withdrawn"]
    assert numbers(search(client, "CC0", type="comments", status="withdrawn")) == {sw["numbers"]["cc0"]}
    assert numbers(search(client, "CC0", type="comments", status="open")) == set()


def test_names_only_where_the_page_shows_them(app, client, sw):
    # Organisation only for visitors (the fixture's setting): no name shown, none searchable.
    visitor = search(client, "Astrid", type="comments")
    assert visitor["comments"]["items"] == []
    cc0 = search(client, "CC0", type="comments")["comments"]["items"][0]
    assert cc0["author"] == {"name": None, "organisation": "Org A"}
    page = client.get("/search", query_string={"q": "CC0"}).get_data(as_text=True)
    assert "Astrid" not in page and "Org A" in page
    # Signed in: names shown and searchable.
    headers = _as(app, client, sw, "member_b")
    assert numbers(search(client, "Astrid Lindqvist", headers=headers)) == {sw["numbers"]["cc0"]}
    assert "Astrid Lindqvist" in client.get("/search", query_string={"q": "CC0"}).get_data(as_text=True)
    # Full names for visitors once the document says so.
    with app.app_context():
        db.session.get(Document, sw["public"].id).comment_visibility = CommentVisibility.FULL
        db.session.commit()
    assert numbers(search(client, "astrid")) == {sw["numbers"]["cc0"]}
    # No comments at all for visitors with none.
    with app.app_context():
        db.session.get(Document, sw["public"].id).comment_visibility = CommentVisibility.NONE
        db.session.commit()
    assert search(client, "CC0")["comments"]["items"] == []
    assert numbers(search(client, "CC0", headers=headers)) == {sw["numbers"]["cc0"]}


def _pairs(body):
    return {(item["document"], item["number"]) for item in body["comments"]["items"]}


def test_filters(app, client, sw):
    headers = _as(app, client, sw, "member_a")
    cc0, net, b = (
        ("offentlig", sw["numbers"]["cc0"]),
        ("natverk", sw["numbers"]["net"]),
        ("offentlig", sw["numbers"]["b"]),
    )
    # "myndigheternas" (cc0) is a form of "myndighet" by the Swedish dictionary, not by Snowball.
    found = {net, cc0} if compounds.dictionary() is not None else {net}
    assert _pairs(search(client, "myndigheten", type="comments", headers=headers)) == found
    assert _pairs(search(client, "data", type="comments", headers=headers)) == {cc0}
    assert _pairs(search(client, "licensen", headers=headers)) == {b}
    assert _pairs(search(client, "licensen", organisation="Org A", headers=headers)) == set()
    assert _pairs(search(client, "licensen", organisation="Org B", headers=headers)) == {b}
    assert _pairs(search(client, "myndigheten", document="offentlig", headers=headers)) == found - {net}
    assert _pairs(search(client, "licensen", kind="question", headers=headers)) == set()
    assert _pairs(search(client, "licensen", kind="comment", headers=headers)) == {b}
    assert search(client, "myndighet", type="text", headers=headers)["comments"] is None
    # Version 1 of the public document still has the old wording of p6.
    old = search(client, "fakta", document="offentlig", version="1", type="text", headers=headers)
    new = search(client, "idéer", document="offentlig", version="1", type="text", headers=headers)
    assert uids(old) == {sw["uid"]["p6"]} and uids(new) == set()
    assert uids(search(client, "idéer", headers=headers)) == {sw["uid"]["p6"]}
    # The page offers the same filters; odd values are ignored, never an error.
    with app.app_context():
        import sqlalchemy as sa

        from app.accounts.models import Organisation

        org_b = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == "Org B"))
    page = client.get("/search", query_string={"q": "licensen", "what": "comments", "organisation": org_b})
    assert "Licensen borde" in page.get_data(as_text=True).replace("<mark>Licensen</mark>", "Licensen")
    page = client.get(
        "/search", query_string={"q": "licensen", "what": "x", "organisation": "x", "page": "-1"}
    )
    assert page.status_code == 200
