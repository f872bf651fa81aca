"""The event stream over HTTP: who may open it, resuming, forged ids, the cap, hidden comments."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.database import utcnow
from app.documents.models import Document, Visibility
from app.extensions import db
from app.live.models import LiveEvent
from app.live.views import slots
from app.review.models import Comment
from tests.conftest import PASSWORD, add_comment

SECRET = "Hemlig text som ingen besökare får se"


def frames(response, count: int) -> list[dict]:
    """The next *count* SSE frames of a streaming response (heartbeats and retry hints skipped)."""
    found: list[dict] = []
    buffer = ""
    chunks = iter(response.response)
    while len(found) < count:
        buffer += _text(next(chunks))
        while "\n\n" in buffer and len(found) < count:
            raw, buffer = buffer.split("\n\n", 1)
            frame: dict = {}
            for line in raw.splitlines():
                if line.startswith(":") or not line:
                    continue
                name, _sep, value = line.partition(": ")
                frame[name] = value
            if "event" in frame or ("id" in frame and "retry" not in frame):
                if "data" in frame:
                    frame["data"] = json.loads(frame["data"])
                found.append(frame)
    return found


def _text(chunk) -> str:
    return chunk.decode() if isinstance(chunk, bytes) else chunk


@pytest.fixture
def document(factory, editor):
    return factory.document(editor=editor)


@pytest.fixture
def member(factory):
    return factory.user(email="mia@example.org", name="Mia Medlem", roles=(Role.MEMBER,))


def open_stream(client, slug, **headers):
    return client.get(f"/d/{slug}/live", headers=headers, buffered=False)


def test_private_document_stream_refused_to_visitors(app, client, factory, editor):
    private = factory.document(editor=editor, visibility=Visibility.NETWORK)
    response = client.get(f"/d/{private.slug}/live")
    assert response.status_code == 403
    assert b"data:" not in response.data
    assert client.get("/d/no-such-document/live").status_code == 404


def test_a_new_comment_reaches_an_open_stream(app, client, make_client, document, member):
    response = open_stream(client, document.slug)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    [hello] = frames(response, 1)
    assert hello["event"] == "hello"
    with app.app_context():
        comment_id = add_comment(document, "p1", member, body=SECRET)
    # This comment's event (an earlier test's late event for a reused document id may come first).
    for _ in range(3):
        [event] = frames(response, 1)
        if event["event"] == "comment" and event["data"].get("comment") == comment_id:
            break
    response.close()
    assert event["event"] == "comment"
    assert event["data"]["comment"] == comment_id
    assert event["data"]["block"] == document.block_uids["p1"]
    assert int(event["id"]) > int(hello["id"])
    assert SECRET not in json.dumps(event)


def test_resume_from_last_event_id(app, client, document, member):
    with app.app_context():
        first = add_comment(document, "p1", member)
        start = db.session.scalar(sa.select(sa.func.max(LiveEvent.id)))
        second = add_comment(document, "p2", member)
        third = add_comment(document, "p3", member)
    response = open_stream(client, document.slug, **{"Last-Event-ID": str(start)})
    hello, *events = frames(response, 3)
    response.close()
    assert hello["event"] == "hello"
    assert [e["data"]["comment"] for e in events] == [second, third]
    assert first not in [e["data"]["comment"] for e in events]
    # ?last= does the same (EventSource cannot set headers on its first connection).
    response = client.get(f"/d/{document.slug}/live?last={start}", buffered=False)
    assert [e["data"]["comment"] for e in frames(response, 3)[1:]] == [second, third]
    response.close()


@pytest.mark.parametrize("forged", ["abc", "-4", "99999999", "1e9", "0x10"])
def test_forged_last_event_id_means_reload(app, client, document, member, forged):
    with app.app_context():
        add_comment(document, "p1", member)
    response = open_stream(client, document.slug, **{"Last-Event-ID": forged})
    assert response.status_code == 200
    [reload] = frames(response, 1)
    response.close()
    assert reload["event"] == "reload"


@pytest.mark.parametrize("since", ["this document", "only another document"])
def test_an_id_older_than_retention(app, client, factory, editor, document, member, since):
    """Past the retention window: "reload" with the count of this document's changes, or, when
    nothing happened to it since (a page long open, or long in the page cache), a plain resume."""
    other = factory.document(editor=editor, slug="annat")
    with app.app_context():
        add_comment(document, "p1", member)
        old = db.session.scalar(sa.select(sa.func.max(LiveEvent.id)))
        later = document if since == "this document" else other
        add_comment(later, "p2", member)
        add_comment(later, "p3", member)
        db.session.execute(
            sa.update(LiveEvent).where(LiveEvent.id == old).values(created_at=utcnow() - timedelta(hours=3))
        )
        db.session.commit()
    response = open_stream(client, document.slug, **{"Last-Event-ID": str(old)})
    [first] = frames(response, 1)
    response.close()
    if since == "this document":
        assert first["event"] == "reload"
        assert first["data"] == {"changes": 2}
    else:
        assert first["event"] == "hello"


def test_purge_removes_old_events_and_a_purged_id_means_reload(app, client, document, member):
    with app.app_context():
        add_comment(document, "p1", member)
        old = db.session.scalar(sa.select(sa.func.max(LiveEvent.id)))
        add_comment(document, "p2", member)
        db.session.execute(
            sa.update(LiveEvent)
            .where(LiveEvent.id <= old + 1)
            .values(created_at=utcnow() - timedelta(hours=3))
        )
        add_comment(document, "p3", member)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(LiveEvent.id))) == 1
    response = open_stream(client, document.slug, **{"Last-Event-ID": str(old - 1)})
    [reload] = frames(response, 1)
    response.close()
    assert reload["event"] == "reload"


def test_purge_that_would_empty_the_table_keeps_the_newest_event(app, client, document, member):
    """Ids never go backwards: SQLite would start an emptied table at 1 again, and streams (and
    their per-process cache) that go by "after id N" would pass over the new events."""
    with app.app_context():
        add_comment(document, "p1", member)
        add_comment(document, "p2", member)
        newest = db.session.scalar(sa.select(sa.func.max(LiveEvent.id)))
        db.session.execute(sa.update(LiveEvent).values(created_at=utcnow() - timedelta(hours=3)))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalars(sa.select(LiveEvent.id)).all() == [newest]
    # A stream opened now, with the id a page was made at, still hears the next comment.
    response = open_stream(client, document.slug, **{"Last-Event-ID": str(newest)})
    [hello] = frames(response, 1)
    with app.app_context():
        later = add_comment(document, "p3", member)
    [event] = frames(response, 1)
    response.close()
    assert hello["event"] == "hello"
    assert event["data"]["comment"] == later
    assert int(event["id"]) > newest


@pytest.mark.parametrize("page", ["reading", "dashboard"])
def test_a_comment_posted_while_the_page_loads_still_reaches_its_stream(
    app, make_client, document, member, editor, page
):
    """The page says where its stream starts (the newest event before it read its data); a
    comment committed between the page and the stream's first connection is not lost."""
    import re

    reader = make_client()
    reader.login(editor.email, PASSWORD)
    url = f"/d/{document.slug}" if page == "reading" else f"/d/{document.slug}/v/1/review"
    html = reader.get(url).get_data(as_text=True)
    mark = re.search(r'data-last="(\d+)"', html)
    assert mark, "the live hook carries the page's mark"
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.max(LiveEvent.id))) or 0
        assert int(mark.group(1)) == before
        between = add_comment(document, "p2", member)
    response = reader.get(f"/d/{document.slug}/live?last={mark.group(1)}", buffered=False)
    hello, event = frames(response, 2)
    response.close()
    assert hello["event"] == "hello"
    assert event["event"] == "comment"
    assert event["data"]["comment"] == between


def test_a_visitors_page_made_on_a_cache_miss_reads_its_mark_before_its_data(
    app, client, document, member, monkeypatch
):
    """Visitors' pages are made once and then served whole from the page cache; the one made
    takes its mark before reading its data, as a signed-in reader's page does, so a comment
    committed while it is made is sent again rather than lost."""
    import re

    from app.pages import reading

    assert app.config["PAGE_CACHE_SIZE"] > 0
    seen = []
    render = reading._render_version

    def spying(*args, **kwargs):
        from flask import g

        seen.append(g.get("live_mark"))
        return render(*args, **kwargs)

    monkeypatch.setattr(reading, "_render_version", spying)
    with app.app_context():
        add_comment(document, "p1", member)
        newest = db.session.scalar(sa.select(sa.func.max(LiveEvent.id)))
    html = client.get(f"/d/{document.slug}").get_data(as_text=True)
    assert seen == [newest], "the mark was read before the page read its data"
    assert re.search(r'data-last="(\d+)"', html).group(1) == str(newest)
    # The next visitor gets the same page from the cache, with the mark it was made with.
    again = client.get(f"/d/{document.slug}").get_data(as_text=True)
    assert seen == [newest]
    assert f'data-last="{newest}"' in again


def test_streams_past_the_cap_are_refused(app, make_client, document, member):
    app.config["LIVE_MAX_STREAMS_PER_USER"] = 2
    try:
        client = make_client()
        client.login(member.email, PASSWORD)
        opened = [open_stream(client, document.slug) for _ in range(2)]
        assert [r.status_code for r in opened] == [200, 200]
        for r in opened:
            frames(r, 1)  # the generator runs: the slot is held
        refused = open_stream(client, document.slug)
        assert refused.status_code == 429
        # Another person is not affected.
        other = make_client()
        assert open_stream(other, document.slug).status_code == 200
        for r in opened:
            r.close()
        again = open_stream(client, document.slug)
        assert again.status_code == 200
        again.close()
    finally:
        app.config["LIVE_MAX_STREAMS_PER_USER"] = 5
    assert slots.total >= 0


def test_hidden_comment_event_has_no_content_and_the_fragment_hides_it(
    app, client, make_client, document, member, editor
):
    with app.app_context():
        comment_id = add_comment(document, "p1", member, body=SECRET)
        start = db.session.scalar(sa.select(sa.func.max(LiveEvent.id)))
    moderator = make_client()
    moderator.login(editor.email, PASSWORD)
    hidden = moderator.post(f"/comments/{comment_id}/hide", {"reason": "Personuppgifter"})
    assert hidden.status_code == 302
    response = open_stream(client, document.slug, **{"Last-Event-ID": str(start)})
    _hello, event = frames(response, 2)
    response.close()
    assert event["event"] == "hidden"
    assert event["data"]["comment"] == comment_id
    assert SECRET not in json.dumps(event) and "Personuppgifter" not in json.dumps(event)
    uid = document.block_uids["p1"]
    fragment = client.get(f"/d/{document.slug}/v/1/b/{uid}/comments", headers={"X-Requested-With": "fetch"})
    assert fragment.status_code == 200
    assert SECRET not in fragment.get_data(as_text=True)


def test_editor_only_events_skip_other_readers(app, client, make_client, document, member, editor):
    with app.app_context():
        comment_id = add_comment(document, "p1", member)
        start = db.session.scalar(sa.select(sa.func.max(LiveEvent.id)))
    editor_client = make_client()
    editor_client.login(editor.email, PASSWORD)
    assert editor_client.post(f"/d/{document.slug}/live/deciding/{comment_id}").status_code == 204
    assert client.post(f"/d/{document.slug}/live/deciding/{comment_id}").status_code in (302, 401, 403)
    second = make_client()
    second.login(editor.email, PASSWORD)
    response = open_stream(second, document.slug, **{"Last-Event-ID": str(start)})
    _hello, deciding = frames(response, 2)
    response.close()
    assert deciding["event"] == "deciding"
    assert deciding["data"]["by"] == "Eva Redaktör"
    # A visitor's stream moves past it without saying what it was.
    visitor = open_stream(client, document.slug, **{"Last-Event-ID": str(start)})
    _hello, skipped = frames(visitor, 2)
    visitor.close()
    assert "event" not in skipped and "data" not in skipped


def test_decisions_and_publishing_are_events(app, make_client, document, member, editor):
    with app.app_context():
        comment_id = add_comment(document, "p1", member)
        start = db.session.scalar(sa.select(sa.func.max(LiveEvent.id)))
        from app.review.models import Comment, CommentStatus
        from app.review.operations import decide

        decide(
            db.session.get(Comment, comment_id),
            status=CommentStatus.NOTED,
            response=None,
            editor=db.session.get(type(member), editor.id),
        )
        db.session.commit()
        kinds = db.session.scalars(sa.select(LiveEvent.kind).where(LiveEvent.id > start)).all()
        assert kinds == ["decided"]
        assert db.session.get(Document, document.id) is not None


def test_a_bulk_decision_in_the_making_tells_the_other_editors_of_each_card(
    app, make_client, factory, document, member, editor
):
    other_document = factory.document(editor=editor)
    with app.app_context():
        first = add_comment(document, "p1", member, body="Ett")
        second = add_comment(document, "p1", member, body="Två")
        reply = add_comment(document, "p1", member, body="Svar", parent=db.session.get(Comment, first))
        elsewhere = add_comment(other_document, "p1", member, body="Annan")
        ids = (first, second, reply, elsewhere)
    client = make_client()
    client.login(editor.email, PASSWORD)
    answer = client.post(
        f"/d/{document.slug}/live/deciding",
        # As the dashboard's checkboxes send them, with garbage and what is not a card here.
        data={"comment": [f"{ids[0]}:3", str(ids[1]), str(ids[2]), str(ids[3]), "x", "²", "-1", ""]},
    )
    assert answer.status_code == 204
    with app.app_context():
        told = db.session.execute(
            sa.select(LiveEvent.comment_id, LiveEvent.actor_id).where(LiveEvent.kind == "deciding")
        ).all()
    assert sorted(told) == sorted([(ids[0], editor.id), (ids[1], editor.id)])
    # A member may not say so.
    other = make_client()
    other.login(member.email, PASSWORD)
    assert other.post(f"/d/{document.slug}/live/deciding", data={"comment": [str(ids[0])]}).status_code == 403
