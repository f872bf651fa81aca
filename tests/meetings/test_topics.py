"""Topics from the network (issue 25, point 3): members propose topics for a series, others
support them, hosts take them into a meeting or close them with a reason, the proposer is told by
e-mail; and the bad input.

Run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.documents.models import Visibility
from app.extensions import db
from app.meetings import operations, topics
from app.meetings.models import Meeting, Topic, TopicMail, TopicStatus, TopicSupport
from tests.browser.xss import payloads

FUTURE = datetime(2100, 1, 5, 9, tzinfo=UTC)
PAST = datetime(2020, 1, 5, 9, tzinfo=UTC)


@pytest.fixture
def host(factory):
    return factory.user(email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST,), organisation="DIGG")


@pytest.fixture
def member(factory):
    return factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")


@pytest.fixture
def other(factory):
    return factory.user(email="olle@example.org", name="Olle Annan", organisation="Kommunen")


def _series(app, visibility=Visibility.PUBLIC, title="Digitala workshoppar") -> int:
    with app.app_context():
        host = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        series = operations.create_series(
            title=title, description="", visibility=visibility, organisers=[], actor=host
        )
        db.session.commit()
        return series.id


def _meeting(app, series_id, starts_at=FUTURE, title="Workshop om licenser") -> int:
    with app.app_context():
        from app.meetings.models import MeetingSeries

        host = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        meeting = operations.create_meeting(
            document=None,
            title=title,
            agenda="",
            version=None,
            base_version=None,
            host=host,
            series=db.session.get(MeetingSeries, series_id),
            starts_at=starts_at,
        )
        db.session.commit()
        return meeting.id


def _propose(client, series_id, title="Öppna API:er för kollektivtrafik", description="Hur delar vi data?"):
    return client.post(f"/series/{series_id}/topics", {"title": title, "description": description})


def _topic_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.max(Topic.id)))


def _topic(app, topic_id) -> tuple:
    with app.app_context():
        t = db.session.get(Topic, topic_id)
        return t.status, t.meeting_id, t.reason, t.support_count


def _send(app) -> None:
    with app.app_context():
        topics.send_due()


def test_a_member_proposes_and_the_series_page_shows_it(app, client, host, member):
    series_id = _series(app)
    client.login("maja@example.org")
    response = _propose(client, series_id)
    assert response.status_code == 302
    page = client.get(f"/series/{series_id}").text
    assert "Ämnen från nätverket" in page
    assert "Öppna API:er för kollektivtrafik" in page and "Hur delar vi data?" in page
    assert "Föreslaget av Maja Medlem" in page
    assert "0 stödjer ämnet." in page
    # One's own topic: no support button, but withdraw.
    assert "Dra tillbaka mitt ämne" in page and ">Stöd<" not in page


def test_visitors_see_a_public_series_topics_but_must_sign_in_to_propose(app, client, host, member):
    series_id = _series(app)
    client.login("maja@example.org")
    _propose(client, series_id)
    client.logout()
    page = client.get(f"/series/{series_id}").text
    assert "Öppna API:er för kollektivtrafik" in page and "Logga in för att föreslå" in page
    response = _propose(client, series_id, title="Smygförslag")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Topic.id))) == 1


def test_a_network_series_topics_never_reach_visitors_feeds_or_the_api(app, client, host, member):
    series_id = _series(app, Visibility.NETWORK)
    meeting_id = _meeting(app, series_id)
    client.login("maja@example.org")
    assert _propose(client, series_id, title="Hemligt nätverksämne").status_code == 302
    topic_id = _topic_id(app)
    client.login("hanna@example.org")
    client.post(f"/topics/{topic_id}/take", {"meeting_id": meeting_id})
    client.logout()
    for url in (
        f"/series/{series_id}",
        f"/series/{series_id}.ics",
        f"/series/{series_id}.atom",
        "/meetings",
        f"/meetings/{meeting_id}",
        "/api/v1/meetings",
    ):
        assert "Hemligt nätverksämne" not in client.get(url).text
    # A topic on a series one may not see: no support, no closing (404 or sign in, nothing changed).
    response = client.post(f"/topics/{topic_id}/support")
    assert response.status_code in (302, 401) and "/login" in response.headers.get("Location", "/login")


def test_a_topic_on_a_series_one_may_not_see_is_404_or_sign_in_and_nothing_changes(app, client, host, member):
    series_id = _series(app, Visibility.NETWORK)
    client.login("maja@example.org")
    _propose(client, series_id)
    topic_id = _topic_id(app)
    assert client.post("/series/999999/topics", {"title": "X", "description": ""}).status_code == 404
    for action in ("support", "unsupport", "withdraw", "take", "close"):
        assert client.post(f"/topics/999999/{action}").status_code in (403, 404)
    client.logout()
    # A visitor is asked to sign in, and nothing is changed.
    for url in (f"/series/{series_id}/topics", f"/topics/{topic_id}/support", f"/topics/{topic_id}/withdraw"):
        response = client.post(url, {"title": "Smyg"})
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _topic(app, topic_id) == (TopicStatus.OPEN, None, "", 0)


@pytest.mark.parametrize(
    ("title", "description", "message"),
    [
        ("", "Beskrivning", "Ge ämnet en rubrik."),
        ("   ", "", "Ge ämnet en rubrik."),
        ("x" * 201, "", "Högst 200 tecken."),
        ("Rubrik", "y" * 5001, "Högst 5000 tecken."),
    ],
)
def test_bad_proposals_are_refused_with_the_reason_and_nothing_saved(
    app, client, host, member, title, description, message
):
    series_id = _series(app)
    client.login("maja@example.org")
    response = _propose(client, series_id, title=title, description=description)
    assert response.status_code == 400
    assert message in response.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Topic.id))) == 0


def test_the_longest_title_and_description_are_accepted(app, client, host, member):
    series_id = _series(app)
    client.login("maja@example.org")
    assert _propose(client, series_id, title="x" * 200, description="y" * 5000).status_code == 302


def test_others_support_once_take_it_back_and_never_their_own(app, client, host, member, other):
    series_id = _series(app)
    client.login("maja@example.org")
    _propose(client, series_id)
    topic_id = _topic_id(app)
    response = client.post(f"/topics/{topic_id}/support", follow_redirects=True)
    assert "Du kan inte stödja ditt eget ämne." in response.text
    assert _topic(app, topic_id)[3] == 0
    client.login("olle@example.org")
    assert ">Stöd<" in client.get(f"/series/{series_id}").text
    client.post(f"/topics/{topic_id}/support")
    response = client.post(f"/topics/{topic_id}/support", follow_redirects=True)
    assert "Du stödjer redan ämnet." in response.text
    assert "1 stödjer ämnet." in response.text and "Ta tillbaka mitt stöd" in response.text
    assert _topic(app, topic_id)[3] == 1
    client.post(f"/topics/{topic_id}/unsupport")
    assert _topic(app, topic_id)[3] == 0
    response = client.post(f"/topics/{topic_id}/unsupport", follow_redirects=True)
    assert "Du stödde inte ämnet." in response.text


def test_supporting_in_a_lost_race_is_caught_by_the_unique_constraint(app, host, member, other, monkeypatch):
    series_id = _series(app)
    with app.app_context():
        from app.meetings.models import MeetingSeries

        maja = db.session.scalar(sa.select(User).where(User.email == "maja@example.org"))
        olle = db.session.scalar(sa.select(User).where(User.email == "olle@example.org"))
        topic = topics.propose(db.session.get(MeetingSeries, series_id), maja, "Ämne", "")
        db.session.add(TopicSupport(topic_id=topic.id, user_id=olle.id))
        db.session.commit()
        # The check before the insert saw nobody (the other request had not committed yet).
        monkeypatch.setattr(topics, "supports", lambda t, u: False)
        assert topics.support(topic, olle) is False
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(TopicSupport.id))) == 1


def test_the_host_takes_a_topic_into_a_meeting_and_the_proposer_is_told_once(
    app, client, host, member, outbox
):
    series_id = _series(app)
    meeting_id = _meeting(app, series_id)
    client.login("maja@example.org")
    _propose(client, series_id)
    topic_id = _topic_id(app)
    client.login("hanna@example.org")
    assert "Ta upp på mötet" in client.get(f"/series/{series_id}").text
    response = client.post(f"/topics/{topic_id}/take", {"meeting_id": meeting_id})
    assert response.status_code == 302
    assert _topic(app, topic_id)[:2] == (TopicStatus.TAKEN, meeting_id)
    page = client.get(f"/series/{series_id}").text
    assert "Tas upp på" in page and f'href="/meetings/{meeting_id}"' in page
    meeting_page = client.get(f"/meetings/{meeting_id}").text
    assert "Från nätverket" in meeting_page and "Öppna API:er för kollektivtrafik" in meeting_page
    # Taking it again is refused; the e-mail is owed once.
    response = client.post(f"/topics/{topic_id}/take", {"meeting_id": meeting_id}, follow_redirects=True)
    assert "Ämnet är inte längre öppet." in response.text
    _send(app)
    _send(app)
    (message,) = outbox
    assert message["To"] == "maja@example.org"
    assert message["Subject"] == "Ditt ämne tas upp: Öppna API:er för kollektivtrafik"
    body = message.get_body(("plain",)).get_content()
    assert "Workshop om licenser" in body and re.search(rf"/meetings/{meeting_id}\b", body)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TopicMail.id))) == 1


def test_taking_into_another_series_or_a_cancelled_or_past_meeting_is_refused(app, client, host, member):
    series_id = _series(app)
    elsewhere = _meeting(app, _series(app, title="Annan serie"))
    past = _meeting(app, series_id, starts_at=PAST)
    cancelled = _meeting(app, series_id, title="Inställt")
    with app.app_context():
        operations.cancel_meeting(
            db.session.get(Meeting, cancelled),
            db.session.scalar(sa.select(User).where(User.email == "hanna@example.org")),
        )
        db.session.commit()
    client.login("maja@example.org")
    _propose(client, series_id)
    topic_id = _topic_id(app)
    client.login("hanna@example.org")
    for meeting_id, message in (
        (elsewhere, "Välj ett möte i den här serien."),
        (999999, "Välj ett möte i den här serien."),
        ("", "Välj ett möte i den här serien."),
        ("nonsens", "Välj ett möte i den här serien."),
        (past, "Mötet har redan hållits: välj ett kommande."),
        (cancelled, "Mötet är inställt: välj ett annat."),
    ):
        response = client.post(f"/topics/{topic_id}/take", {"meeting_id": meeting_id}, follow_redirects=True)
        assert response.status_code == 200 and message in response.text
        assert _topic(app, topic_id)[:2] == (TopicStatus.OPEN, None)


def test_the_host_closes_with_a_reason_shown_and_e_mailed(app, client, host, member, outbox):
    series_id = _series(app)
    client.login("maja@example.org")
    _propose(client, series_id)
    topic_id = _topic_id(app)
    client.login("hanna@example.org")
    assert client.get(f"/topics/{topic_id}/close").status_code == 200
    for reason in ("", "   "):
        response = client.post(f"/topics/{topic_id}/close", {"reason": reason})
        assert response.status_code == 400 and "Ange skälet till att ämnet stängs." in response.text
    response = client.post(f"/topics/{topic_id}/close", {"reason": "r" * 2001})
    assert response.status_code == 400 and "Högst 2000 tecken." in response.text
    assert _topic(app, topic_id)[0] is TopicStatus.OPEN
    response = client.post(f"/topics/{topic_id}/close", {"reason": "Tas upp i en annan serie."})
    assert response.status_code == 302
    assert _topic(app, topic_id)[:3] == (TopicStatus.CLOSED, None, "Tas upp i en annan serie.")
    page = client.get(f"/series/{series_id}").text
    assert "Stängt av värdarna:" in page and "Tas upp i en annan serie." in page
    # Under the heading of decided topics, a level lower.
    assert f'<h4 id="topic-{topic_id}-title">' in page
    _send(app)
    (message,) = outbox
    assert message["Subject"] == "Ditt ämne har stängts: Öppna API:er för kollektivtrafik"
    assert "Tas upp i en annan serie." in message.get_body(("plain",)).get_content()


def test_only_hosts_take_and_close_and_only_the_proposer_withdraws(app, client, host, member, other):
    series_id = _series(app)
    meeting_id = _meeting(app, series_id)
    client.login("maja@example.org")
    _propose(client, series_id)
    topic_id = _topic_id(app)
    client.login("olle@example.org")
    assert client.post(f"/topics/{topic_id}/take", {"meeting_id": meeting_id}).status_code == 403
    assert client.post(f"/topics/{topic_id}/close", {"reason": "Nej"}).status_code == 403
    response = client.post(f"/topics/{topic_id}/withdraw", follow_redirects=True)
    assert "Bara den som föreslog ämnet kan dra tillbaka det." in response.text
    assert _topic(app, topic_id)[0] is TopicStatus.OPEN
    client.login("maja@example.org")
    client.post(f"/topics/{topic_id}/withdraw")
    assert _topic(app, topic_id)[0] is TopicStatus.WITHDRAWN
    page = client.get(f"/series/{series_id}").text
    assert "Tillbakadraget av den som föreslog det." in page  # still there: nothing deleted
    response = client.post(f"/topics/{topic_id}/withdraw", follow_redirects=True)
    assert "Ämnet är inte längre öppet." in response.text


def test_every_topic_post_needs_the_csrf_token(app, client, host, member):
    series_id = _series(app)
    meeting_id = _meeting(app, series_id)
    client.login("maja@example.org")
    _propose(client, series_id)
    topic_id = _topic_id(app)
    assert client.post(f"/series/{series_id}/topics", {"title": "X"}, csrf=False).status_code == 400
    for action in ("support", "unsupport", "withdraw"):
        assert client.post(f"/topics/{topic_id}/{action}", csrf=False).status_code == 400
    client.login("hanna@example.org")
    assert client.post(f"/topics/{topic_id}/take", {"meeting_id": meeting_id}, csrf=False).status_code == 400
    assert client.post(f"/topics/{topic_id}/close", {"reason": "Skäl"}, csrf=False).status_code == 400
    assert _topic(app, topic_id)[0] is TopicStatus.OPEN
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Topic.id))) == 1


def test_the_series_page_orders_by_newest_or_most_supported(app, client, host, member, other):
    series_id = _series(app)
    client.login("maja@example.org")
    _propose(client, series_id, title="Första ämnet")
    first = _topic_id(app)
    _propose(client, series_id, title="Andra ämnet")
    client.login("olle@example.org")
    client.post(f"/topics/{first}/support")
    page = client.get(f"/series/{series_id}").text
    assert page.index("Andra ämnet") < page.index("Första ämnet")
    page = client.get(f"/series/{series_id}?order=support").text
    assert page.index("Första ämnet") < page.index("Andra ämnet")


def test_hostile_topics_and_reasons_are_inert(app, client, host, member):
    series_id = _series(app)
    meeting_id = _meeting(app, series_id)
    client.login("maja@example.org")
    corpus = payloads()[:60]
    for text in corpus:
        assert _propose(client, series_id, title=text[:200], description=text).status_code in (302, 400)
    client.login("hanna@example.org")
    with app.app_context():
        ids = db.session.scalars(sa.select(Topic.id).order_by(Topic.id)).all()
    client.post(f"/topics/{ids[0]}/take", {"meeting_id": meeting_id})
    client.post(f"/topics/{ids[1]}/close", {"reason": corpus[1]})
    page = client.get(f"/series/{series_id}").text + client.get(f"/meetings/{meeting_id}").text
    assert "<script>alert" not in page.lower()
    assert not re.search(r"<[a-z]+[^>]*\son[a-z]+\s*=", page, re.I)
    assert 'href="javascript' not in page.lower()


def test_the_series_page_takes_a_constant_number_of_queries(app, client, host, member, other, count_queries):
    series_id = _series(app)
    meeting_id = _meeting(app, series_id)
    client.login("olle@example.org")
    with app.app_context():
        maja = db.session.scalar(sa.select(User.id).where(User.email == "maja@example.org"))
        olle = db.session.scalar(sa.select(User.id).where(User.email == "olle@example.org"))
        # One taken topic already, so the meeting is loaded (once) in both counts.
        db.session.add(
            Topic(
                series_id=series_id,
                proposer_id=maja,
                title="Ett",
                status=TopicStatus.TAKEN,
                meeting_id=meeting_id,
            )
        )
        db.session.commit()
    client.get(f"/series/{series_id}")
    with count_queries() as few:
        client.get(f"/series/{series_id}")
    with app.app_context():
        for i in range(40):
            topic = Topic(series_id=series_id, proposer_id=maja if i % 2 else olle, title=f"Ämne {i}")
            if i % 5 == 0:
                topic.status, topic.meeting_id = TopicStatus.TAKEN, meeting_id
            db.session.add(topic)
            db.session.flush()
            db.session.add(TopicSupport(topic_id=topic.id, user_id=maja if i % 2 == 0 else olle))
        db.session.commit()
    with count_queries() as many:
        page = client.get(f"/series/{series_id}").text
    assert "Ämne 39" in page and "Tas upp på" in page
    assert len(many) == len(few)


def test_the_mail_run_sends_the_proposer_the_news_once(app, client, host, member, outbox):
    series_id = _series(app)
    client.login("maja@example.org")
    _propose(client, series_id)
    topic_id = _topic_id(app)
    client.login("hanna@example.org")
    client.post(f"/topics/{topic_id}/close", {"reason": "Utanför seriens ämne."})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    assert runner.invoke(args=["send-mail"]).exit_code == 0
    assert [m["To"] for m in outbox] == ["maja@example.org"]


def test_english_pages_and_an_english_proposer_s_e_mail(app, client, host, member, other, outbox):
    series_id = _series(app)
    meeting_id = _meeting(app, series_id)
    with app.app_context():
        db.session.execute(sa.update(User).where(User.email == "maja@example.org").values(language="en"))
        db.session.commit()
    client.login("maja@example.org")
    client.post("/language", {"language": "en"})
    assert _propose(client, series_id, title="").status_code == 400
    page = _propose(client, series_id, title="").text
    assert "Give the topic a title." in page and "Topics from the network" in page
    _propose(client, series_id)
    topic_id = _topic_id(app)
    client.login("olle@example.org")
    client.post("/language", {"language": "en"})
    page = client.get(f"/series/{series_id}").text
    assert "Proposed by Maja Medlem" in page and "0 support the topic." in page and ">Support<" in page
    client.login("hanna@example.org")
    client.post(f"/topics/{topic_id}/take", {"meeting_id": meeting_id})
    client.post("/language", {"language": "en"})
    assert "From the network" in client.get(f"/meetings/{meeting_id}").text
    assert "To be discussed at" in client.get(f"/series/{series_id}").text
    # A decided topic takes no more support.
    client.login("olle@example.org")
    response = client.post(f"/topics/{topic_id}/support", follow_redirects=True)
    assert "The topic is no longer open." in response.text
    assert _topic(app, topic_id)[3] == 0
    _send(app)
    (message,) = outbox
    assert message["Subject"] == "Your topic will be discussed: Öppna API:er för kollektivtrafik"


def test_a_decision_made_meanwhile_is_seen_before_deciding_again(app, host, member):
    """Two hosts at once: the second reads the topic afresh (under a row lock) and is refused."""
    series_id = _series(app)
    with app.app_context():
        from app.meetings.models import MeetingSeries

        maja = db.session.scalar(sa.select(User).where(User.email == "maja@example.org"))
        hanna = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        topic = topics.propose(db.session.get(MeetingSeries, series_id), maja, "Ämne", "")
        db.session.commit()
        assert topic.status is TopicStatus.OPEN  # loaded: this request saw it open
        # Meanwhile another request closed it.
        db.session.execute(
            sa.update(Topic).where(Topic.id == topic.id).values(status=TopicStatus.CLOSED),
            execution_options={"synchronize_session": False},
        )
        with pytest.raises(topics.TopicRefused):
            topics.close(topic, "Igen", hanna)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(TopicMail.id))) == 0
