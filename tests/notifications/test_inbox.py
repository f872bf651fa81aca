"""The inbox through HTTP (issue 27): an item for each kind, written with the event; the bell's
count in the header; read on open, "mark all read"; only the owner sees it; hidden comments and
unreadable documents show no content; the page costs the same queries for 10 items as for 200."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.database import utcnow
from app.documents.models import Document
from app.extensions import db
from app.notifications import inbox, operations
from app.notifications.models import Frequency, InboxItem, InboxKind, Notification, NotificationKind
from app.responses.reminders import enqueue_response_reminders
from app.review.bulk import decide_all
from app.review.models import Comment, CommentStatus
from app.review.operations import decide, hide_comment
from tests.conftest import add_comment


def _user(person) -> User:
    return db.session.get(User, person.id)


def _items(app, person) -> list[InboxItem]:
    with app.app_context():
        return db.session.scalars(
            sa.select(InboxItem).where(InboxItem.user_id == person.id).order_by(InboxItem.id)
        ).all()


def _unread(app, person) -> int:
    with app.app_context():
        return _user(person).inbox_unread


def _publish(doc, editor, deadline=None):
    from app.drafting.operations import publish_draft, start_draft

    document = db.session.get(Document, doc.id)
    draft = start_draft(document, _user(editor))
    db.session.flush()
    version = publish_draft(draft, summary="Nytt utkast", deadline=deadline, editor=_user(editor))
    db.session.commit()
    return version


@pytest.fixture
def comment_id(app, doc, people):
    """Maja's comment on the document."""
    with app.app_context():
        return add_comment(doc, None, _user(people["maja"]), body="Maja tycker.")


def test_a_reply_puts_an_item_in_the_inbox_of_the_author_replied_to(app, client, doc, people, comment_id):
    client.login(people["mats"].email)
    client.post(f"/comments/{comment_id}/reply", {"body": "Jag svarar."})
    [item] = _items(app, people["maja"])
    assert item.kind is InboxKind.REPLY and item.actor_id == people["mats"].id and item.read_at is None
    assert _unread(app, people["maja"]) == 1
    assert _items(app, people["mats"]) == []
    # Replying to oneself puts nothing in one's own inbox.
    client.login(people["maja"].email)
    client.post(f"/comments/{comment_id}/reply", {"body": "Och jag själv."})
    assert len(_items(app, people["maja"])) == 1


def test_the_inbox_is_written_whatever_the_e_mail_setting(app, client, doc, people, comment_id):
    with app.app_context():
        operations.set_preferences(_user(people["maja"]), {NotificationKind.REPLY: Frequency.NONE})
        db.session.commit()
    client.login(people["mats"].email)
    client.post(f"/comments/{comment_id}/reply", {"body": "Jag svarar."})
    assert len(_items(app, people["maja"])) == 1
    with app.app_context():
        assert (
            db.session.scalars(sa.select(Notification).where(Notification.user_id == people["maja"].id)).all()
            == []
        )


def test_decisions_one_and_many_put_items_in_the_authors_inboxes(app, doc, people, comment_id):
    with app.app_context():
        other = add_comment(doc, None, _user(people["mats"]), body="Mats tycker.")
        comment = db.session.get(Comment, comment_id)
        decide(comment, status=CommentStatus.ACCEPTED, response=None, editor=_user(people["editor"]))
        db.session.commit()
        both = db.session.scalars(sa.select(Comment).where(Comment.id.in_([comment_id, other]))).all()
        decide_all(
            both,
            status=CommentStatus.NOTED,
            response=None,
            duplicate_of=None,
            draft=None,
            editor=_user(people["editor"]),
        )
        db.session.commit()
    assert [i.kind for i in _items(app, people["maja"])] == [InboxKind.DECISION, InboxKind.DECISION]
    assert [i.kind for i in _items(app, people["mats"])] == [InboxKind.DECISION]
    assert _items(app, people["editor"]) == []


def test_a_new_version_puts_an_item_in_each_followers_inbox(app, doc, people, comment_id):
    with app.app_context():
        version = _publish(doc, people["editor"])
        version_id = version.id
    [item] = _items(app, people["maja"])
    assert (item.kind, item.version_id, item.actor_id) == (
        InboxKind.NEW_VERSION,
        version_id,
        people["editor"].id,
    )
    assert _items(app, people["editor"]) == []


def test_a_response_reminder_puts_one_item_in_the_inbox(app, doc, people):
    with app.app_context():
        maja = _user(people["maja"])
        maja.may_answer = True
        document = db.session.get(Document, doc.id)
        document.current_version.deadline = utcnow() + timedelta(days=1)
        operations.set_preferences(maja, {NotificationKind.RESPONSE_DUE: Frequency.NONE})
        db.session.commit()
        enqueue_response_reminders()
        db.session.commit()
        enqueue_response_reminders()  # the cron runs again: nobody gets a second item
        db.session.commit()
    [item] = _items(app, people["maja"])
    assert item.kind is InboxKind.RESPONSE_DUE and item.actor_id is None


def test_the_inbox_page_bell_read_on_open_and_mark_all_read(app, client, doc, people, comment_id):
    client.login(people["mats"].email)
    client.post(f"/comments/{comment_id}/reply", {"body": "Ett svar."})
    client.post(f"/comments/{comment_id}/reply", {"body": f"Och @[user:{people['editor'].id}] borde se."})
    client.login(people["maja"].email)
    home = client.get("/").get_data(as_text=True)
    assert 'aria-label="Inkorg, 2 olästa"' in home
    assert '<span class="inbox-bell__count">2</span>' in home
    html = client.get("/inbox").get_data(as_text=True)
    assert html.count("Mats Member svarade på din synpunkt #1 på ”Öppna licenser”.") == 2
    assert html.count("inbox-item--unread") == 2
    first = _items(app, people["maja"])[0]
    opened = client.get(f"/inbox/{first.id}")
    assert opened.status_code == 302 and opened.location.endswith("/d/licenser/v/1#c-2")
    assert _unread(app, people["maja"]) == 1
    assert 'aria-label="Inkorg, 1 oläst"' in client.get("/").get_data(as_text=True)
    # "Mark all read" needs the form's token.
    assert client.post("/inbox/read", csrf=False).status_code == 400
    assert _unread(app, people["maja"]) == 1
    done = client.post("/inbox/read")
    assert done.status_code == 302
    assert _unread(app, people["maja"]) == 0
    assert all(i.read_at is not None for i in _items(app, people["maja"]))
    home = client.get("/").get_data(as_text=True)
    assert 'aria-label="Inkorg"' in home and "inbox-bell__count" not in home
    # The editor was mentioned in the second reply.
    client.login(people["editor"].email)
    html = client.get("/inbox").get_data(as_text=True)
    assert "Mats Member nämnde dig i synpunkt #3 på ”Öppna licenser”." in html


def test_nobody_else_sees_ones_inbox(app, client, make_client, doc, people, comment_id):
    client.login(people["mats"].email)
    client.post(f"/comments/{comment_id}/reply", {"body": "Hemligt svar."})
    [item] = _items(app, people["maja"])
    assert client.get(f"/inbox/{item.id}").status_code == 404
    assert "svarade på din synpunkt" not in client.get("/inbox").get_data(as_text=True)
    client.post("/inbox/read")
    assert _unread(app, people["maja"]) == 1
    visitor = make_client()
    assert visitor.get("/inbox").status_code == 302
    assert visitor.get(f"/inbox/{item.id}").status_code == 302


def test_items_about_hidden_comments_or_unreadable_documents_show_no_content(
    app, client, doc, people, comment_id, monkeypatch
):
    client.login(people["mats"].email)
    client.post(f"/comments/{comment_id}/reply", {"body": "Olämpligt svar."})
    with app.app_context():
        reply = db.session.scalars(sa.select(Comment).where(Comment.parent_id == comment_id)).one()
        hide_comment(reply, "Olämpligt", _user(people["editor"]))
        db.session.commit()
    client.login(people["maja"].email)
    html = client.get("/inbox").get_data(as_text=True)
    assert "Synpunkten har dolts av en moderator." in html
    assert "Mats Member svarade" not in html
    [item] = _items(app, people["maja"])
    assert f'href="/inbox/{item.id}"' not in html
    opened = client.get(f"/inbox/{item.id}")
    assert opened.status_code == 302 and opened.location.endswith("/inbox")
    monkeypatch.setattr(Document, "can_read", lambda self, user: False)
    html = client.get("/inbox").get_data(as_text=True)
    assert "Du kan inte längre se dokumentet." in html and "Öppna licenser" not in html.split("<main")[1]


def test_the_inbox_is_paged_newest_first(app, client, doc, people, comment_id):
    with app.app_context():
        inbox.add_many(
            [(people["maja"].id, {"document_id": doc.id, "comment_id": comment_id})] * (inbox.PAGE_SIZE + 3),
            InboxKind.MENTION,
            actor_id=people["mats"].id,
        )
        db.session.commit()
    client.login(people["maja"].email)
    first = client.get("/inbox").get_data(as_text=True)
    assert first.count('<li class="inbox-item') == inbox.PAGE_SIZE and "Sida 1 av 2" in first
    second = client.get("/inbox?page=2").get_data(as_text=True)
    assert second.count('<li class="inbox-item') == 3
    assert client.get("/inbox?page=abc").status_code == 200
    assert client.get("/inbox?page=-4").status_code == 200


def _fill(app, doc, people, count: int) -> None:
    """*count* items for Maja, the kinds taking turns, about several comments and the version."""
    with app.app_context():
        comments = [add_comment(doc, None, _user(people["maja"]), body=f"Nr {n}") for n in range(5)]
        version_id = db.session.get(Document, doc.id).current_version.id
        start = utcnow() - timedelta(days=1)
        kinds = list(InboxKind)
        rows = []
        for n in range(count):
            kind = kinds[n % len(kinds)]
            by_version = kind in (InboxKind.NEW_VERSION, InboxKind.RESPONSE_DUE)
            rows.append(
                {
                    "user_id": people["maja"].id,
                    "kind": kind,
                    "document_id": doc.id,
                    "version_id": version_id if by_version else None,
                    "comment_id": None if by_version else comments[n % len(comments)],
                    "actor_id": people["mats"].id,
                    "created_at": start + timedelta(seconds=n),
                }
            )
        db.session.execute(sa.insert(InboxItem), rows)
        db.session.commit()


@pytest.mark.parametrize("count", [10, 200])
def test_the_inbox_page_costs_a_constant_number_of_queries(app, client, doc, people, count_queries, count):
    _fill(app, doc, people, count)
    client.login(people["maja"].email)
    client.get("/inbox")
    with count_queries() as statements:
        response = client.get("/inbox")
    assert response.status_code == 200
    assert len(re.findall('<li class="inbox-item', response.get_data(as_text=True))) == min(
        count, inbox.PAGE_SIZE
    )
    # The session's user, the count, the items with what they refer to, the comments.
    assert len(statements) <= 5, "\n\n".join(statements)
    test_the_inbox_page_costs_a_constant_number_of_queries.seen[count] = len(statements)
    if len(test_the_inbox_page_costs_a_constant_number_of_queries.seen) == 2:
        assert len(set(test_the_inbox_page_costs_a_constant_number_of_queries.seen.values())) == 1


test_the_inbox_page_costs_a_constant_number_of_queries.seen = {}


def test_a_mention_is_mailed_as_set_and_the_setting_is_on_the_profile(
    app, client, doc, people, comment_id, smtp
):
    from app.notifications import delivery

    client.login(people["maja"].email)
    html = client.get("/profile").get_data(as_text=True)
    assert "Någon nämner mig i en synpunkt eller ett svar" in html
    assert re.search(
        r'name="mention"[^>]*value="immediate"[^>]*checked|checked[^>]*name="mention"[^>]*value="immediate"',
        html,
    )
    client.post(f"/comments/{comment_id}/reply", {"body": f"Vad tycker @[user:{people['mats'].id}]?"})
    with app.app_context():
        delivery.send_immediate()
    [message] = smtp.sent
    assert message["To"] == "mats@example.org"
    assert message["Subject"] == "You were mentioned in comment #2"
    text = message.get_content()
    assert "Someone mentioned you in comment #2 on “Öppna licenser”" in text
    assert "/d/licenser/v/1#c-1" in text
    # Turned off: the inbox still has it, no mail is queued.
    client.login(people["mats"].email)
    settings = dict.fromkeys(("reply", "decision", "new_version", "response_due"), "immediate")
    client.post("/profile/notifications", {**settings, "deadline": "digest", "mention": "none"})
    client.login(people["maja"].email)
    client.post(f"/comments/{comment_id}/reply", {"body": f"Igen @[user:{people['mats'].id}]."})
    with app.app_context():
        mails = db.session.scalars(
            sa.select(Notification).where(Notification.user_id == people["mats"].id)
        ).all()
        assert [m.kind for m in mails] == [NotificationKind.MENTION]
    assert [i.kind for i in _items(app, people["mats"])] == [InboxKind.MENTION, InboxKind.MENTION]


def test_a_pseudonymised_persons_inbox_is_emptied(app, client, doc, people, comment_id):
    from app.accounts.operations import pseudonymise_user

    client.login(people["mats"].email)
    client.post(f"/comments/{comment_id}/reply", {"body": "Ett svar."})
    assert len(_items(app, people["maja"])) == 1
    with app.app_context():
        maja = _user(people["maja"])
        maja.active = False
        pseudonymise_user(maja, _user(people["editor"]))
        db.session.commit()
    assert _items(app, people["maja"]) == []


def test_a_large_count_is_shown_short_but_named_in_full(app, client, people):
    with app.app_context():
        _user(people["maja"]).inbox_unread = 120
        db.session.commit()
    client.login(people["maja"].email)
    html = client.get("/").get_data(as_text=True)
    assert 'aria-label="Inkorg, 120 olästa"' in html and '<span class="inbox-bell__count">99+</span>' in html
