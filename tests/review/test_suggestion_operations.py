"""Storing a suggestion: the whole proposed paragraph, sanitised, on the text it was made on."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.review.models import Comment, CommentKind
from app.review.operations import edit_comment
from tests.conftest import add_comment

TEXT = "Myndigheter skapar <strong>mycket</strong> material."


@pytest.fixture
def doc(factory):
    return factory.document(slug="forslag", versions=[[("p", "paragraph", 1, TEXT)]])


def test_a_suggestion_is_stored_whole_and_sanitised_with_its_base_and_an_empty_reason(app, factory, doc):
    member = factory.user()
    with app.app_context():
        comment_id = add_comment(
            doc,
            "p",
            member,
            kind=CommentKind.SUGGESTION,
            body="",
            quote="material",
            suggestion='Myndigheter <b>skapar</b> <script>x()</script>data <a href="javascript:alert(1)">här</a>.',
        )
        comment = db.session.get(Comment, comment_id)
        assert comment.suggestion == "Myndigheter <strong>skapar</strong> data här."
        assert comment.block_text == TEXT
        assert (comment.body, comment.body_html) == ("", "")
        # The quote stays, as a pointer only.
        assert comment.quote_exact == "material"


def test_an_edited_suggestion_keeps_the_earlier_whole_paragraph(app, factory, doc):
    member = factory.user()
    with app.app_context():
        comment_id = add_comment(
            doc, "p", member, kind=CommentKind.SUGGESTION, body="", suggestion="Myndigheter skapar data."
        )
        comment = db.session.get(Comment, comment_id)
        assert edit_comment(
            comment,
            kind=CommentKind.SUGGESTION,
            body="",
            suggestion="Myndigheter skapar <i>data</i>.",
            actor=member,
        )
        assert comment.suggestion == "Myndigheter skapar <em>data</em>."
        assert [r.suggestion for r in comment.revisions] == ["Myndigheter skapar data."]
        # An empty proposal is no proposal.
        assert edit_comment(
            comment, kind=CommentKind.COMMENT, body="Hellre så.", suggestion="  ", actor=member
        )
        assert comment.suggestion is None
