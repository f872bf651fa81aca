"""@mentions through HTTP (issue 27): stored as a link to the person, shown as their current name,
plain text for anyone unknown or hidden, nobody told who may not see the document, hostile text inert."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.accounts.operations import pseudonymise_user
from app.documents.models import Document
from app.extensions import db
from app.notifications.models import InboxItem, InboxKind, Notification, NotificationKind
from app.review import mentions
from app.review.models import Comment, CommentMention
from tests.browser.xss import payloads
from tests.conftest import add_comment


@pytest.fixture
def doc(factory):
    return factory.document(slug="vl", versions=[[("p", "paragraph", 1, "Myndigheter skapar material.")]])


@pytest.fixture
def people(factory):
    return {
        "maja": factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken"),
        "anna": factory.user(email="anna@example.org", name="Anna Andersson", organisation="Skatteverket"),
        "olle": factory.user(
            email="olle@example.org", name="Olle Inaktiv", organisation="Vinnova", active=False
        ),
    }


def _url(doc):
    return f"/d/{doc.slug}/v/1/b/{doc.block_uids['p']}/comment"


def _post(client, doc, body):
    return client.post(_url(doc), {"kind": "comment", "body": body})


def _only_comment(app) -> Comment:
    with app.app_context():
        return db.session.scalars(sa.select(Comment).order_by(Comment.id.desc())).first()


def _rows(app, model, **where):
    with app.app_context():
        query = sa.select(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return db.session.scalars(query).all()


def test_a_mention_by_token_is_stored_and_shown_as_the_name(app, client, doc, people):
    client.login("maja@example.org")
    anna = people["anna"]
    response = _post(client, doc, f"Vad tycker @[user:{anna.id}] om detta?")
    assert response.status_code == 302
    comment = _only_comment(app)
    assert comment.body == f"Vad tycker @[user:{anna.id}] om detta?"
    assert '<span class="mention">@Anna Andersson</span>' in comment.body_html
    [row] = _rows(app, CommentMention)
    assert (row.comment_id, row.user_id, row.notified) == (comment.id, anna.id, True)
    page = client.get("/d/vl").get_data(as_text=True)
    assert '<span class="mention">@Anna Andersson</span>' in page
    assert "@[user:" not in page
    # Anna is told: an inbox item and an e-mail (immediate by default).
    [item] = _rows(app, InboxItem, user_id=anna.id)
    assert (item.kind, item.comment_id, item.actor_id) == (InboxKind.MENTION, comment.id, people["maja"].id)
    [mail] = _rows(app, Notification, user_id=anna.id)
    assert mail.kind is NotificationKind.MENTION


def test_without_javascript_at_and_an_address_is_resolved(app, client, doc, people):
    client.login("maja@example.org")
    _post(client, doc, "Fråga @ANNA@example.org, eller nobody@example.org.")
    comment = _only_comment(app)
    assert comment.body == f"Fråga @[user:{people['anna'].id}], eller nobody@example.org."
    assert "@Anna Andersson" in comment.body_html


def test_unknown_and_hidden_accounts_stay_plain_text(app, client, doc, people):
    client.login("maja@example.org")
    olle = people["olle"]
    _post(
        client, doc, f"Hej @olle@example.org och @okand@example.org och @[user:{olle.id}] och @[user:99999]"
    )
    comment = _only_comment(app)
    assert "mention" not in comment.body_html
    assert "Olle Inaktiv" not in comment.body_html
    assert "@olle@example.org" in comment.body_html and "@okand@example.org" in comment.body_html
    assert not _rows(app, CommentMention)
    assert not _rows(app, InboxItem)


def test_a_pseudonymised_persons_mentions_show_the_new_name_as_plain_text(app, client, doc, people):
    client.login("maja@example.org")
    anna = people["anna"]
    _post(client, doc, f"Se @[user:{anna.id}].")
    with app.app_context():
        admin = db.session.get(User, people["maja"].id)
        user = db.session.get(User, anna.id)
        user.active = False
        pseudonymise_user(user, admin)
        db.session.commit()
    comment = _only_comment(app)
    assert "Anna" not in comment.body_html
    assert (
        f"@Former user {anna.id}" in comment.body_html
        or f"@Tidigare användare {anna.id}" in comment.body_html
    )
    assert 'class="mention"' not in comment.body_html


def test_a_person_who_cannot_see_the_document_is_not_told_and_the_author_hears_so(
    app, client, doc, people, monkeypatch
):
    anna_id = people["anna"].id
    real = Document.can_read
    # Every active account may read every document today; the rule is the document's to make.
    monkeypatch.setattr(Document, "can_read", lambda self, user: user.id != anna_id and real(self, user))
    client.login("maja@example.org")
    response = _post(client, doc, f"Se @[user:{anna_id}].")
    page = client.get(response.location).get_data(as_text=True)
    assert "Anna Andersson kan inte se dokumentet och har inte fått någon avisering." in page
    [row] = _rows(app, CommentMention)
    assert row.notified is False
    assert not _rows(app, InboxItem)
    assert not _rows(app, Notification, user_id=anna_id)
    # With the page's script, the answer carries the message for it to show.
    fragment = client.post(
        _url(doc),
        {"kind": "comment", "body": f"Igen @[user:{anna_id}]"},
        headers={"X-Requested-With": "fetch"},
    )
    assert fragment.status_code == 201
    assert "kan%20inte%20se%20dokumentet" in fragment.headers["X-Remiss-Notice"]


def test_editing_tells_new_mentions_only(app, client, doc, people, factory):
    bo = factory.user(email="bo@example.org", name="Bo Berg", organisation="Vinnova")
    client.login("maja@example.org")
    anna = people["anna"]
    _post(client, doc, f"Se @[user:{anna.id}].")
    comment = _only_comment(app)
    client.post(
        f"/comments/{comment.id}/edit",
        {"kind": "comment", "body": f"Se @[user:{anna.id}] och @bo@example.org."},
    )
    assert len(_rows(app, InboxItem, user_id=anna.id)) == 1
    assert len(_rows(app, InboxItem, user_id=bo.id)) == 1
    # Dropped and mentioned again: not told twice.
    client.post(f"/comments/{comment.id}/edit", {"kind": "comment", "body": "Ingen nämnd."})
    client.post(f"/comments/{comment.id}/edit", {"kind": "comment", "body": f"Åter @[user:{anna.id}]."})
    assert len(_rows(app, InboxItem, user_id=anna.id)) == 1
    assert "@Anna Andersson" in _only_comment(app).body_html


def test_a_reply_mentioning_someone_tells_them(app, client, doc, people):
    with app.app_context():
        top = add_comment(doc, "p", db.session.get(User, people["anna"].id))
    client.login("maja@example.org")
    bo_id = people["anna"].id
    response = client.post(f"/comments/{top}/reply", {"body": f"Håller med @[user:{bo_id}]"})
    assert response.status_code == 302
    # Anna wrote the comment replied to: she hears of the reply, not twice.
    kinds = sorted(i.kind.value for i in _rows(app, InboxItem, user_id=bo_id))
    assert kinds == ["reply"]


def test_mentioning_oneself_tells_no_one(app, client, doc, people):
    client.login("maja@example.org")
    _post(client, doc, f"Jag @[user:{people['maja'].id}] själv.")
    assert not _rows(app, InboxItem)
    assert "@Maja Medlem" in _only_comment(app).body_html


def test_the_people_list_shows_only_visible_accounts_and_no_addresses(app, client, people, factory):
    factory.user(email="x@example.org", name="Anders Glömd", organisation="Vinnova")
    assert client.get("/mentions/people?q=an").status_code in (302, 401)
    client.login("maja@example.org")
    found = client.get("/mentions/people?q=AN").get_json()["people"]
    names = {p["name"] for p in found}
    assert "Anna Andersson" in names and "Anders Glömd" in names
    assert "Olle Inaktiv" not in client.get("/mentions/people?q=olle").get_data(as_text=True)
    by_org = client.get("/mentions/people?q=skatte").get_json()["people"]
    assert [p["name"] for p in by_org] == ["Anna Andersson"]
    assert "@example.org" not in client.get("/mentions/people?q=a").get_data(as_text=True)
    assert client.get("/mentions/people?q=%25").get_json()["people"] == []
    assert client.get("/mentions/people").get_json()["people"] == []


class _Inert(HTMLParser):
    """Collects anything active in comment HTML."""

    ALLOWED = {"p", "em", "strong", "a", "ul", "ol", "li", "br", "code", "span"}

    def __init__(self):
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.ALLOWED:
            self.bad.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name not in {"href", "rel", "class", "start"}:
                self.bad.append(f"{tag} {name}")
            if name == "href" and not re.match(r"^(https?:|mailto:)", value or ""):
                self.bad.append(f"href {value}")


def test_hostile_text_in_mentions_is_inert(app, factory):
    """Every line of the XSS corpus as a person's name and around a mention: nothing active."""
    person = factory.user(email="hostile@example.org", name="x", organisation="Vinnova")
    with app.app_context():
        user = db.session.get(User, person.id)
        for payload in payloads():
            user.name = payload[:200]
            db.session.flush()
            body, html = mentions.prepare(f"{payload} @[user:{user.id}] @hostile@example.org {payload}")
            parser = _Inert()
            parser.feed(html)
            assert not parser.bad, (payload, html)
            assert body.count(f"@[user:{user.id}]") >= 2
        db.session.rollback()


def test_hostile_name_is_escaped_on_the_page(app, client, doc, factory):
    person = factory.user(email="h@example.org", name='<img src=x onerror=alert(1)>"', organisation="Vinnova")
    factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    client.login("maja@example.org")
    _post(client, doc, f"Se @[user:{person.id}] <script>alert(1)</script>")
    page = client.get("/d/vl").get_data(as_text=True)
    assert "<img src=x" not in page and "<script>alert" not in page
    assert "@&lt;img src=x onerror=alert(1)&gt;&#34;" in page
    found = client.get("/mentions/people?q=img").get_json()["people"]
    assert found[0]["name"] == '<img src=x onerror=alert(1)>"'


def test_plain_text_outputs_can_write_the_names(app, client, doc, people):
    client.login("maja@example.org")
    olle = people["olle"]
    _post(client, doc, f"Se @[user:{people['anna'].id}] och @[user:{olle.id}].")
    comment = _only_comment(app)
    with app.app_context():
        names = mentions.names_in([comment.id])
        assert mentions.readable(comment.body, names) == f"Se @Anna Andersson och @[user:{olle.id}]."
        assert mentions.readable("Ingen nämnd.", names) == "Ingen nämnd."


def test_printed_outputs_write_mentions_as_names_not_tokens(app, client, doc, people):
    """The pack's compilation (and the open-data download built from it) and the outcome report
    print comments as plain text: a mention reads "@Name" there as on the page."""
    from app.meetings.operations import version_compilation
    from app.responses.outcome import load_comments

    client.login("maja@example.org")
    anna = people["anna"]
    _post(client, doc, f"Vad tycker @[user:{anna.id}] om detta?")
    parent = _only_comment(app)
    reply = client.post(
        f"/comments/{parent.id}/reply", {"body": f"Jag frågar @[user:{people['maja'].id}] också."}
    )
    assert reply.status_code == 302
    with app.app_context():
        version = db.session.get(Document, doc.id).versions[0]
        [printed] = version_compilation(version)
        assert printed.body_text == "Vad tycker @Anna Andersson om detta?"
        assert [r.body_text for r in printed.replies] == ["Jag frågar @Maja Medlem också."]
        rows = load_comments(version, names=True)
        texts = repr(rows)
        assert "@Anna Andersson" in texts and "@[user:" not in texts
