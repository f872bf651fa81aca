"""Suggesting a new wording of a paragraph through HTTP (issue 22, point 1 and its bad input).

What is stored is the whole proposed paragraph (sanitised rich text) with the text and the
version it was made on; the form carries the revision the page showed. Without JavaScript
the paragraph is typed with the draft editor's markup; the page's script sends the edited
paragraph's HTML instead. Everyone sees a suggestion as a word diff, and the reading page can
show every open suggestion inside its paragraph.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.database import utcnow
from app.documents.models import Block, BlockRevision, CommentVisibility, Document, Version, VersionState
from app.extensions import db
from app.review.models import Comment, CommentKind, CommentRevision, CommentStatus
from tests.browser.xss import payloads
from tests.conftest import add_comment
from tests.test_sanitising import active

TEXT = "Myndigheter skapar <strong>mycket</strong> material som andra kan använda."
FETCH = {"X-Requested-With": "fetch"}


@pytest.fixture
def doc(factory):
    return factory.document(
        slug="vl",
        versions=[
            [
                ("h", "heading", 1, "Rubrik"),
                ("p", "paragraph", 1, TEXT),
                ("r", "paragraph", 1, "Och en rad till, och en rad till."),
                ("t", "table", 1, "Licens\tAnvändning\nCC BY\tFri"),
            ]
        ],
    )


@pytest.fixture
def member(client, factory):
    user = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    client.login(user.email)
    return user


def _comments(app):
    with app.app_context():
        return db.session.scalars(sa.select(Comment).order_by(Comment.id)).all()


def _url(doc, key="p", version=1):
    return f"/d/{doc.slug}/v/{version}/b/{doc.block_uids[key]}/suggest"


def _revision_id(app, doc, key="p", version=1) -> str:
    with app.app_context():
        return str(
            db.session.scalar(
                sa.select(BlockRevision.id)
                .join(Block)
                .join(Version, Version.id == BlockRevision.version_id)
                .where(
                    Block.uid == doc.block_uids[key],
                    Version.number == version,
                    Version.document_id == doc.id,
                )
            )
        )


def _post(client, app, doc, key="p", version=1, revision=None, headers=None, **fields):
    data = {
        "revision": _revision_id(app, doc, key, version) if revision is None else revision,
        "body": "",
        **fields,
    }
    return client.post(_url(doc, key, version), data, headers=headers or {})


def test_each_paragraph_offers_suggest_a_change_leading_to_its_text_in_markup(client, doc, member, app):
    page = client.get("/d/vl").get_data(as_text=True)
    for key in ("h", "p", "r", "t"):
        assert f'href="{_url(doc, key)}"' in page
    assert "Föreslå ändring" in page and 'aria-label="Föreslå ändring i 1 st. 1"' in page
    form = client.get(_url(doc))
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    # The paragraph's current text, in the draft editor's markup, ready to change where it stands.
    assert "Myndigheter skapar **mycket** material som andra kan använda.</textarea>" in html
    assert f'name="revision" type="hidden" value="{_revision_id(app, doc)}"' in html
    assert "Motivering (valfritt)" in html
    # A table is typed one row per line, its cells separated by |.
    table = client.get(_url(doc, "t")).get_data(as_text=True)
    assert "Licens | Användning\nCC BY | Fri</textarea>" in table


def test_without_javascript_the_whole_paragraph_and_its_base_are_stored(client, doc, member, app):
    # Two separate changes in one paragraph are one suggestion.
    response = _post(
        client,
        app,
        doc,
        text="Myndigheter skapar **mycket** *data* som alla kan använda.",
        body="Tydligare.",
    )
    assert response.status_code == 302
    assert response.location.endswith("/d/vl/v/1#c-1")
    (comment,) = _comments(app)
    assert comment.kind is CommentKind.SUGGESTION
    assert (
        comment.suggestion == "Myndigheter skapar <strong>mycket</strong> <em>data</em> som alla kan använda."
    )
    assert comment.block_text == TEXT
    assert comment.quote_exact is None
    with app.app_context():
        assert db.session.get(Comment, comment.id).version.number == 1
    page = client.get("/d/vl").get_data(as_text=True)
    assert "Tack! Ditt förslag #1 har registrerats." in page
    # Everyone sees it as a word diff: both changes, struck and underlined.
    assert re.search(r"<del>material</del>\s*<ins><em>data</em></ins>", page)
    assert re.search(r"<del>andra</del>\s*<ins>alla</ins>", page)
    assert "Tydligare." in page


def test_the_reason_is_optional_for_a_suggestion_and_still_required_for_a_comment(client, doc, member, app):
    assert _post(client, app, doc, text="Myndigheter skapar mycket material.").status_code == 302
    (comment,) = _comments(app)
    assert comment.body == "" and comment.body_html == ""
    refused = client.post(f"/d/vl/v/1/b/{doc.block_uids['p']}/comment", {"kind": "comment", "body": ""})
    assert refused.status_code == 400


def test_a_comment_form_no_longer_makes_suggestions(client, doc, member, app):
    """A suggestion is made on the paragraph itself: the comment form refuses the kind."""
    response = client.post(
        f"/d/vl/v/1/b/{doc.block_uids['p']}/comment",
        {"kind": "suggestion", "body": "Byt ord", "suggestion": "Ny lydelse"},
    )
    assert response.status_code == 400
    assert _comments(app) == []


def test_the_edited_paragraphs_html_is_sanitised(client, doc, member, app):
    hostile = (
        'Myndigheter <b onclick="alert(1)">skapar</b> <i>mycket</i> <script>alert(2)</script>material '
        '<a href="javascript:alert(3)">här</a> <a href="https://example.org/" style="x">länk</a>'
        "<div>som</div> andra<br>kan använda."
    )
    assert _post(client, app, doc, html=hostile).status_code == 302
    (comment,) = _comments(app)
    assert comment.suggestion == (
        "Myndigheter <strong>skapar</strong> <em>mycket</em> material här "
        '<a href="https://example.org/">länk</a> som andra kan använda.'
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": "Myndigheter skapar **mycket** material som andra kan använda."}, "densamma som styckets"),
        (
            {"text": "  Myndigheter   skapar **mycket**\nmaterial som andra kan använda. "},
            "densamma som styckets",
        ),
        (
            {"html": "Myndigheter skapar <b>mycket</b> material som andra kan använda."},
            "densamma som styckets",
        ),
        ({"text": ""}, "Skriv den lydelse du föreslår"),
        ({"text": "   \n  "}, "Skriv den lydelse du föreslår"),
        ({"html": "<b> </b><script>x</script>"}, "Skriv den lydelse du föreslår"),
        ({"text": "ord " * 5001}, "Högst 20000 tecken"),
        ({"html": "<b>x</b>" * 15_000}, "Högst 20000 tecken"),
    ],
    ids=[
        "same",
        "same-but-spacing",
        "same-html",
        "empty",
        "blank",
        "blank-html",
        "too-long",
        "too-long-html",
    ],
)
def test_bad_proposals_are_refused_with_the_reason_and_nothing_is_stored(
    client, doc, member, app, fields, message
):
    response = _post(client, app, doc, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _comments(app) == []


def test_a_formatting_change_alone_is_a_change(client, doc, member, app):
    response = _post(client, app, doc, text="Myndigheter skapar mycket material som andra kan använda.")
    assert response.status_code == 302
    assert "<strong>" not in _comments(app)[0].suggestion


def test_a_closed_version_refuses_suggestions(client, factory, member, app):
    doc = factory.document(
        slug="tva", versions=[[("p", "paragraph", 1, "Gammal.")], [("p", "paragraph", 1, "Ny.")]]
    )
    with app.app_context():
        db.session.get(Document, doc.id).current_version.state = VersionState.CLOSED
        db.session.commit()
    assert client.get(_url(doc, version=2)).status_code == 403
    refused = _post(client, app, doc, version=2, text="Nyare.")
    assert refused.status_code == 403
    assert "inte öppen för synpunkter" in refused.get_data(as_text=True)
    assert "/suggest" not in client.get("/d/tva").get_data(as_text=True)
    assert _comments(app) == []


def test_a_passed_deadline_refuses_suggestions(client, doc, member, app):
    with app.app_context():
        db.session.get(Document, doc.id).current_version.deadline = utcnow()
        db.session.commit()
    refused = _post(client, app, doc, text="Något nytt.")
    assert refused.status_code == 403
    assert "Sista dag för synpunkter" in refused.get_data(as_text=True)
    assert _comments(app) == []


@pytest.fixture
def republished(factory):
    """Version 1 (now closed) and version 2, open, published while a member had version 1 open."""
    return factory.document(
        slug="ny",
        versions=[
            [
                ("same", "paragraph", 1, "Detta stycke är oförändrat."),
                ("edit", "paragraph", 1, "Licensen gäller för alla myndigheter."),
                ("gone", "paragraph", 1, "Detta stycke tas bort."),
            ],
            [
                ("same", "paragraph", 1, "Detta stycke är oförändrat."),
                ("edit", "paragraph", 1, "Licensen gäller för alla statliga myndigheter."),
            ],
        ],
    )


def test_a_paragraph_changed_since_the_page_was_loaded_is_a_409_with_both_texts(
    client, republished, member, app
):
    doc = republished
    response = _post(client, app, doc, "edit", version=1, text="Licensen gäller för alla kommuner.")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Stycket har ändrats sedan du öppnade sidan" in html
    assert "Licensen gäller för alla myndigheter." in html  # the text the proposal was made on
    assert "Licensen gäller för alla statliga myndigheter." in html  # the paragraph now
    assert re.search(r"<del>myndigheter</del>\s*<ins>kommuner</ins>", html)  # the member's changes, kept
    # ... and the form again, on the paragraph as it reads now (version 2's revision).
    assert f'value="{_revision_id(app, doc, "edit", 2)}"' in html
    assert "Licensen gäller för alla statliga myndigheter.</textarea>" in html
    assert _comments(app) == []


def test_a_removed_paragraph_is_a_409_and_an_unchanged_one_goes_to_the_open_version(
    client, republished, member, app
):
    doc = republished
    removed = _post(client, app, doc, "gone", version=1, text="Detta stycke stannar.")
    assert removed.status_code == 409
    assert "Stycket har tagits bort sedan du öppnade sidan" in removed.get_data(as_text=True)
    assert _comments(app) == []
    # The paragraph reads as the member saw it: the proposal stands, on the open version.
    kept = _post(client, app, doc, "same", version=1, text="Detta stycke är nästan oförändrat.")
    assert kept.status_code == 302 and kept.location.endswith("/d/ny/v/2#c-1")
    (comment,) = _comments(app)
    with app.app_context():
        stored = db.session.get(Comment, comment.id)
        assert stored.version.number == 2 and stored.block_text == "Detta stycke är oförändrat."


def test_a_form_naming_another_paragraphs_revision_is_refused(client, doc, member, app):
    for revision in (_revision_id(app, doc, "r"), "999999", "x", ""):
        response = _post(client, app, doc, revision=revision, text="Helt ny text.")
        assert response.status_code == 400, revision
        assert "Formuläret är inaktuellt" in response.get_data(as_text=True)
    assert _comments(app) == []


def test_the_page_script_gets_the_paragraph_as_an_editable_field(client, doc, member, app):
    form = client.get(_url(doc), headers=FETCH)
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert "<html" not in html
    assert re.search(
        r'<div id="text" class="para-editable" contenteditable="true" role="textbox"[^>]*>'
        + re.escape(TEXT)
        + "</div>",
        html,
    )
    assert 'role="toolbar"' in html and html.count('aria-pressed="false"') == 3
    assert 'aria-keyshortcuts="Control+B"' in html and 'aria-keyshortcuts="Control+I"' in html
    # A table is still typed: rows per line, cells split by |.
    assert "contenteditable" not in client.get(_url(doc, "t"), headers=FETCH).get_data(as_text=True)
    # Refused: the member's edited paragraph comes back (sanitised) with the reason.
    bad = _post(client, app, doc, headers=FETCH, html=TEXT.replace("strong", "b"))
    assert bad.status_code == 400
    assert "error-summary" in bad.get_data(as_text=True) and "<html" not in bad.get_data(as_text=True)
    odd = _post(client, app, doc, headers=FETCH, html="Nytt <script>alert(1)</script><b>ord</b>")
    assert odd.status_code == 201
    thread = odd.get_data(as_text=True)
    assert 'id="c-1"' in thread and "<ins>" in thread and "<script" not in thread
    assert _comments(app)[0].suggestion == "Nytt <strong>ord</strong>"


def test_author_edits_an_open_suggestion_with_the_paragraph_editor(client, doc, member, app, factory):
    _post(client, app, doc, text="Myndigheter skapar **mycket** data som andra kan använda.", body="Kort.")
    comment = _comments(app)[0]
    edit = client.get(f"/comments/{comment.id}/edit")
    assert edit.status_code == 200
    assert "Myndigheter skapar **mycket** data som andra kan använda.</textarea>" in edit.get_data(
        as_text=True
    )
    same = client.post(
        f"/comments/{comment.id}/edit",
        {"text": "Myndigheter skapar **mycket** material som andra kan använda."},
    )
    assert same.status_code == 400 and "densamma som styckets" in same.get_data(as_text=True)
    saved = client.post(
        f"/comments/{comment.id}/edit",
        {"text": "Myndigheter skapar **mycket** data som alla kan använda.", "body": ""},
    )
    assert saved.status_code == 302
    (stored,) = _comments(app)
    assert stored.suggestion == "Myndigheter skapar <strong>mycket</strong> data som alla kan använda."
    assert stored.body == "" and stored.updated_at is not None and stored.block_text == TEXT
    with app.app_context():
        (revision,) = db.session.scalars(sa.select(CommentRevision)).all()
        assert revision.suggestion == "Myndigheter skapar <strong>mycket</strong> data som andra kan använda."
        assert revision.body == "Kort."
    # With the page's script: the editable paragraph holding the proposal, and the thread back.
    fragment = client.get(f"/comments/{comment.id}/edit", headers=FETCH).get_data(as_text=True)
    assert 'contenteditable="true"' in fragment and "data som alla kan" in fragment
    again = client.post(f"/comments/{comment.id}/edit", {"html": "Myndigheter skapar data."}, headers=FETCH)
    assert again.status_code == 200 and 'id="c-1"' in again.get_data(as_text=True)
    # Others may not; nor may the author once an editor has answered. Withdrawing works as for comments.
    other = factory.user(email="o@example.org", organisation="SKR")
    with app.app_context():
        theirs = add_comment(doc, "p", other, kind=CommentKind.SUGGESTION, body="", suggestion="Annan text.")
    assert client.post(f"/comments/{theirs}/edit", {"text": "Min text."}).status_code == 403
    assert client.post(f"/comments/{comment.id}/withdraw").status_code == 302
    assert client.post(f"/comments/{comment.id}/edit", {"text": "Sent."}).status_code == 403
    assert _comments(app)[0].status is CommentStatus.WITHDRAWN


def test_visitors_see_a_suggestion_as_a_word_diff(client, make_client, doc, member, app):
    _post(client, app, doc, "r", text="Och en rad till, och en mening till.")
    with app.app_context():
        db.session.get(Document, doc.id).comment_visibility = CommentVisibility.FULL
        db.session.commit()
    visitor = make_client()
    page = visitor.get("/d/vl").get_data(as_text=True)
    assert re.search(r"<del>rad</del>\s*<ins>mening</ins>", page)
    assert "/suggest" not in page  # visitors are not offered the control


def _suggest_many(app, doc, people, count):
    with app.app_context():
        for i in range(count):
            add_comment(
                doc,
                f"p{1 + i % 4}",
                people[i % len(people)],
                kind=CommentKind.SUGGESTION,
                body="",
                suggestion=f"Stycke nummer {i} om öppna data och licenser.",
            )


def test_suggestions_can_be_shown_inside_their_paragraphs(client, doc, member, app, factory):
    other = factory.user(email="o@example.org", name="Olle Annan", organisation="SKR")
    _post(client, app, doc, text="Myndigheter skapar **mycket** data som andra kan använda.")
    with app.app_context():
        add_comment(
            doc, "r", other, kind=CommentKind.SUGGESTION, body="", suggestion="Och en rad, och en till."
        )
        decided = add_comment(
            doc, "r", other, kind=CommentKind.SUGGESTION, body="", suggestion="Avgjord text."
        )
        db.session.get(Comment, decided).status = CommentStatus.REJECTED
        db.session.commit()
    off = client.get("/d/vl/v/1?comments=open").get_data(as_text=True)
    assert "inline-suggestion" not in off
    assert 'href="/d/vl/v/1?comments=open&amp;suggestions=1"' in off and "Visa förslag i texten" in off
    on = client.get("/d/vl/v/1?comments=open&suggestions=1").get_data(as_text=True)
    assert "Dölj förslag i texten" in on and 'href="/d/vl/v/1?comments=open"' in on
    block = on[on.index(f'id="b-{doc.block_uids["p"]}"') : on.index(f'id="b-{doc.block_uids["r"]}"')]
    inline = block[block.index("block-suggestions") : block.index('class="block-comments"')]
    assert '<a href="#c-1">Förslag #1</a> · Maja Medlem, Samtrafiken' in inline
    assert re.search(r"<del>material</del>\s*<ins>data</ins>", inline)
    r_block = on[on.index(f'id="b-{doc.block_uids["r"]}"') :]
    assert "Förslag #2</a> · Olle Annan, SKR" in r_block
    assert "Avgjord text" not in r_block.split('class="block-comments"')[0]  # only open suggestions
    # The switch is remembered by the page's forms.
    assert on.count('<input type="hidden" name="suggestions" value="1">') == 2
    assert client.get("/d/vl?v=1&suggestions=1").location.endswith("/d/vl/v/1?suggestions=1")


def test_suggestions_in_the_text_cost_the_same_queries_for_1_or_60(client, factory, app, count_queries):
    few = factory.document(slug="few")
    many = factory.document(slug="many")
    people = [factory.user(email=f"p{i}@example.org", organisation=f"Org {i % 3}") for i in range(4)]
    _suggest_many(app, few, people, 1)
    _suggest_many(app, many, people, 60)
    client.login(people[0].email)
    counts = {}
    for slug in ("few", "many"):
        client.get(f"/d/{slug}?suggestions=1")
        with count_queries() as statements:
            html = client.get(f"/d/{slug}?suggestions=1").get_data(as_text=True)
        counts[slug] = len(statements)
        assert html.count('class="inline-suggestion"') == (1 if slug == "few" else 60)
    with count_queries() as statements:
        client.get("/d/many")
    assert counts["few"] == counts["many"] == len(statements) + 1 <= 12


def test_a_busy_version_links_inline_suggestions_to_their_paragraphs_page(client, factory, app, monkeypatch):
    import app.pages.reading as reading

    monkeypatch.setattr(reading, "INLINE_LIMIT", 2)
    doc = factory.document(slug="busy")
    person = factory.user(email="p@example.org", name="Petra")
    _suggest_many(app, doc, [person], 3)
    client.login(person.email)
    html = client.get("/d/busy?suggestions=1").get_data(as_text=True)
    uid = doc.block_uids["p1"]
    assert f'<a href="/d/busy/v/1/b/{uid}/comments#c-1">Förslag #1</a>' in html


def test_hostile_proposals_are_inert_on_every_page(client, factory, member, app):
    corpus = payloads()
    doc = factory.document(slug="xss", versions=[[("p", "paragraph", 1, "Ett stycke att ändra.")]])
    revision = _revision_id(app, doc)
    url = f"/d/xss/v/1/b/{doc.block_uids['p']}/suggest"
    for i, payload in enumerate(corpus):
        field = "html" if i % 2 else "text"
        response = client.post(url, {"revision": revision, field: payload + " x", "body": payload})
        assert response.status_code in (302, 400), payload
    comments = _comments(app)
    assert len(comments) > len(corpus) // 2
    for comment in comments:
        assert active(comment.suggestion) == [], comment.suggestion
    pages = ["/d/xss", "/d/xss?suggestions=1", f"/comments/{comments[0].id}/edit"]
    for path in pages:
        html = client.get(path).get_data(as_text=True)
        main = html[html.index("<main") : html.index("</main>")]
        assert active(main) == [], path
