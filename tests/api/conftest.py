"""Fixtures for the API tests: a small world of documents, comments and meetings, and tokens."""

from __future__ import annotations

import pytest

from app.accounts.models import Role, User
from app.documents.models import CommentVisibility, Document, Visibility
from app.extensions import db
from tests.conftest import add_comment, add_meeting_with_export, default_blocks


def make_token(app, user, name: str = "script") -> str:
    """A fresh API token for *user*; returns the secret."""
    from app.api.tokens import create_token

    with app.app_context():
        _token, secret = create_token(db.session.get(User, user.id), name)
        db.session.commit()
    return secret


def bearer(secret: str) -> dict:
    """The Authorization header for *secret*."""
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def world(app, factory):
    """Public and network documents, comments with a reply, an endorsement, a decision, a meeting."""
    from app.review.models import CommentKind, CommentStatus, Endorsement
    from app.review.operations import create_comment, decide

    member = factory.user(email="member@example.org", organisation="Kommun A", name="Maja Medlem")
    other = factory.user(email="other@example.org", organisation="Verket B", name="Olle Annan")
    editor = factory.user(
        email="editor@example.org", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV", name="Eva Redaktör"
    )
    second = default_blocks()
    second[3] = ("p2", "paragraph", 1, "Stycke nummer 2 om öppna data, licenser och <em>villkor</em>.")
    second.append(("new", "paragraph", 1, "Ett helt nytt stycke."))
    public = factory.document(slug="offentlig", versions=[default_blocks(), second], editor=editor)
    network = factory.document(slug="natverk", visibility=Visibility.NETWORK, editor=editor)
    with app.app_context():
        first = add_comment(public, "p2", member, version_number=2, body="Bra *stycke*.")
        # A suggestion: the whole paragraph as proposed, two changes in it, the quote a pointer.
        second_id = add_comment(
            public,
            "p3",
            other,
            version_number=2,
            body="Fråga om licenser.",
            kind=CommentKind.SUGGESTION,
            quote="öppna data",
            suggestion="Stycke nummer 3 om <strong>öppna</strong> data och fria licenser i dag.",
        )
        general = add_comment(public, None, other, version_number=2, body="Allmänt om utkastet.")
        old = add_comment(public, "p1", member, version_number=1, body="På version ett.")
        from app.review.models import Comment

        parent = db.session.get(Comment, first)
        create_comment(
            version=parent.version,
            revision=None,
            author=db.session.get(User, other.id),
            kind=parent.kind,
            body="Ett svar.",
            parent=parent,
        )
        db.session.add(Endorsement(comment_id=first, user_id=other.id))
        decide(
            db.session.get(Comment, second_id),
            status=CommentStatus.REJECTED,
            response="Vi behåller texten.",
            editor=db.session.get(User, editor.id),
        )
        network_comment = add_comment(network, "p2", other, version_number=1)
        meeting_id, export_id = add_meeting_with_export(app, public, title="Nätverksträff")
        ids = {
            "first": first,
            "second": second_id,
            "general": general,
            "old": old,
            "network_comment": network_comment,
            "meeting": meeting_id,
            "export": export_id,
        }
    return {
        "member": member,
        "other": other,
        "editor": editor,
        "public": public,
        "network": network,
        "ids": ids,
    }


def set_comment_visibility(app, document, value: CommentVisibility) -> None:
    """Change what visitors see of *document*'s comments."""
    with app.app_context():
        db.session.get(Document, document.id).comment_visibility = value
        db.session.commit()
