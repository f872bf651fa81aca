"""A small Swedish world for the search tests: one public document in two versions, one network
document, a member of each of two organisations, an editor and an admin."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.documents.models import CommentVisibility, Document, Visibility
from app.extensions import db
from tests.conftest import add_comment

V1 = [
    ("h1", "heading", 1, "Myndigheter och öppna data"),
    ("p1", "paragraph", 1, "Myndigheten ska publicera öppna data under en öppen licens."),
    ("p2", "paragraph", 1, "Myndighetens upphovsrätten gäller inte allmänna handlingar."),
    ("p3", "paragraph", 1, "Flera myndigheter har valt licenser som CC0."),
    ("p4", "paragraph", 1, "Data och rätt till data är inte samma sak: rätt och data."),
    ("p5", "paragraph", 1, "Ett år med åren som gick; en bar med barn och bär."),
    ("p6", "paragraph", 1, "Upphovsrätt skyddar verk men inte fakta."),
]
V2 = [
    *V1[:6],
    ("p6", "paragraph", 1, "Upphovsrätt skyddar verk men inte fakta eller <strong>idéer</strong>."),
    ("p7", "paragraph", 1, "Nytt stycke om vidareutnyttjande i version två."),
]


def search(client, q, **params):
    """The API's answer to a search, as JSON (asserting a 200)."""
    headers = params.pop("headers", {})
    response = client.get("/api/v1/search", query_string={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def uids(body) -> set[str]:
    return {item["block_uid"] for item in body["text"]["items"]}


def numbers(body) -> set[int]:
    return {item["number"] for item in body["comments"]["items"]}


@pytest.fixture
def sw(app, factory):
    """The Swedish fixtures; returns a dict of users, documents, uids and comment numbers."""
    editor = factory.user(email="editor@example.org", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV")
    admin = factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    member_a = factory.user(email="a@example.org", organisation="Org A", name="Astrid Lindqvist")
    member_b = factory.user(email="b@example.org", organisation="Org B", name="Bengt Berg")
    public = factory.document(slug="offentlig", versions=[V1, V2], editor=editor)
    network = factory.document(
        slug="natverk",
        title="Nätverkets dokument",
        visibility=Visibility.NETWORK,
        versions=[[("n1", "paragraph", 1, "Hemlig myndighet i nätverket.")]],
        editor=editor,
    )
    with app.app_context():
        doc = db.session.get(Document, public.id)
        doc.comment_visibility = CommentVisibility.ORGANISATION
        db.session.commit()
        comments = {
            "cc0": add_comment(public, "p3", member_a, body="Vi föreslår CC0 för myndigheternas data."),
            "b": add_comment(public, "p1", member_b, body="Licensen borde vara tydligare."),
            "net": add_comment(network, "n1", member_b, body="Myndigheten i nätverket."),
        }
        from app.review.models import Comment

        numbers = {key: db.session.get(Comment, cid).number for key, cid in comments.items()}
    return {
        "editor": editor,
        "admin": admin,
        "member_a": member_a,
        "member_b": member_b,
        "public": public,
        "network": network,
        "uid": public.block_uids,
        "net_uid": network.block_uids,
        "comment_ids": comments,
        "numbers": numbers,
    }
