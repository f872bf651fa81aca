"""Quotes are whole words through HTTP (issue 22, point 2): widened, or chosen word by word.

Without JavaScript a member types the quote or chooses its first and last word from two
lists; the server computes the quote from the word numbers, and a typed quote that cuts a
word is widened and shown again before anything is stored.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.review.models import Comment

TEXT = "Allt publicerat material ska tydligt ange vilken CC-BY-licens som gäller."


@pytest.fixture
def doc(factory):
    return factory.document(
        slug="q",
        versions=[
            [
                ("h", "heading", 1, "Licenser"),
                ("p", "paragraph", 1, TEXT),
                ("r", "paragraph", 1, "Ett, två, ett."),
            ]
        ],
    )


@pytest.fixture
def member(client, factory):
    user = factory.user(email="maja@example.org")
    client.login(user.email)
    return user


def _comments(app):
    with app.app_context():
        return db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()


def _url(doc, key="p"):
    return f"/d/q/v/1/b/{doc.block_uids[key]}/comment"


def test_the_form_offers_every_word_to_start_and_end_the_quote(client, doc, member):
    html = client.get(_url(doc)).get_data(as_text=True)
    assert "Citera ord ur stycket (valfritt)" in html
    assert (
        '<select id="quote_from" name="quote_from">' in html
        and '<select id="quote_to" name="quote_to">' in html
    )
    assert '<option value="4">5: tydligt ange vilken CC-BY-licens</option>' in html
    assert '<option value="7">8: CC-BY-licens som gäller</option>' in html
    assert html.count("<option") == 2 * (1 + 10)  # "(inget)" and the ten words, in each list


def test_words_chosen_by_keyboard_become_the_quote(client, doc, member, app):
    response = client.post(
        _url(doc), {"kind": "comment", "body": "Vilken?", "quote_from": "4", "quote_to": "7"}
    )
    assert response.status_code == 302
    (comment,) = _comments(app)
    assert comment.quote_exact == "tydligt ange vilken CC-BY-licens"
    assert comment.quote_start == TEXT.index("tydligt")
    assert comment.quote_prefix == "Allt publicerat material ska "
    # One word: the other end may be left empty.
    client.post(_url(doc), {"kind": "comment", "body": "Och?", "quote_to": "9"})
    assert _comments(app)[-1].quote_exact == "gäller"
    # A repeated word is told apart by its number.
    client.post(
        _url(doc, "r"), {"kind": "comment", "body": "Vilket ett?", "quote_from": "2", "quote_to": "2"}
    )
    assert _comments(app)[-1].quote_start == len("Ett, två, ")


@pytest.mark.parametrize(("first", "last"), [("5", "2"), ("0", "99"), ("x", "1"), ("-1", "2")])
def test_impossible_word_choices_are_refused(client, doc, member, app, first, last):
    response = client.post(_url(doc), {"kind": "comment", "body": "x", "quote_from": first, "quote_to": last})
    assert response.status_code == 400
    assert "Välj ett första ord som kommer före det sista ordet." in response.get_data(as_text=True)
    assert _comments(app) == []


def test_a_typed_half_word_quote_is_widened_and_shown_before_anything_is_stored(client, doc, member, app):
    half = "Allt publicerat material ska ty"  # issue 22: what a mouse selected
    response = client.post(_url(doc), {"kind": "comment", "body": "Hm", "quote": half})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Ett citat är hela ord. Nu lyder det ”Allt publicerat material ska tydligt”" in html
    assert "\nAllt publicerat material ska tydligt</textarea>" in html
    assert '<option selected value="0">' in html and '<option selected value="4">' in html
    assert _comments(app) == []
    # Sent again as shown: stored, whole words.
    assert (
        client.post(
            _url(doc), {"kind": "comment", "body": "Hm", "quote": "Allt publicerat material ska tydligt"}
        ).status_code
        == 302
    )
    assert _comments(app)[0].quote_exact == "Allt publicerat material ska tydligt"


def test_a_hyphenated_compound_is_one_word(client, doc, member, app):
    response = client.post(_url(doc), {"kind": "comment", "body": "Hm", "quote": "BY"})
    assert response.status_code == 400
    assert "”CC-BY-licens”" in response.get_data(as_text=True)


def test_a_selection_from_the_page_opens_the_form_widened(client, doc, member):
    start = TEXT.index("licerat")
    html = client.get(_url(doc), query_string={"quote": "licerat mat", "start": start}).get_data(as_text=True)
    assert "\npublicerat material</textarea>" in html
    assert f'name="quote_start" type="hidden" value="{TEXT.index("publicerat")}"' in html
    assert '<option selected value="1">' in html and '<option selected value="2">' in html


def test_a_quote_of_punctuation_only_is_refused(client, doc, member, app):
    response = client.post(_url(doc, "r"), {"kind": "comment", "body": "x", "quote": ",", "quote_start": "3"})
    assert response.status_code == 400
    assert "Citera minst ett ord ur stycket." in response.get_data(as_text=True)
    assert _comments(app) == []
