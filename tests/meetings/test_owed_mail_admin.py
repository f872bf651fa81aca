"""The administrators' mail page lists the e-mails meetings owe (sign-ups, topics): given up,
waiting to be tried again, or queued; hostile names stay text; a constant number of queries."""

from __future__ import annotations

import lxml.html
import sqlalchemy as sa

from app.accounts.models import Role, User
from app.extensions import db
from app.meetings.models import Registration, RegistrationMail, Topic, TopicMail
from app.meetings.owed_mail import MAX_ATTEMPTS
from tests.meetings.test_agenda import make_meeting, make_series


def _owe(app, meeting_id, n: int, attempts: int, name: str = "Gäst") -> None:
    with app.app_context():
        for i in range(n):
            registration = Registration(
                meeting_id=meeting_id, name=f"{name} {i}", email=f"gast{attempts}-{i}@example.org"
            )
            db.session.add(registration)
            db.session.flush()
            db.session.add(
                RegistrationMail(registration_id=registration.id, kind="address", attempts=attempts)
            )
        db.session.commit()


def test_the_meetings_owed_mail_is_listed_for_administrators(app, client, factory, count_queries):
    factory.user(email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST,), organisation="DIGG")
    admin = factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    meeting_id = make_meeting(app, make_series(app))
    client.login(admin.email)
    assert "Mötena har ingen e-post som väntar." in client.get("/admin/mail").text

    _owe(app, meeting_id, 1, MAX_ATTEMPTS, name="<img src=x onerror=alert(1)>")
    _owe(app, meeting_id, 1, 2)
    other_series = make_series(app, title="Annan")
    with app.app_context():
        hanna = db.session.scalar(sa.select(User).where(User.email == "hanna@example.org"))
        topic = Topic(series_id=other_series, proposer_id=hanna.id, title="Öppna API:er")
        db.session.add(topic)
        db.session.flush()
        db.session.add(TopicMail(topic_id=topic.id, kind="closed"))
        db.session.commit()
    html = client.get("/admin/mail").text
    (table,) = lxml.html.fromstring(html).xpath('//table[caption[@id="owed-caption"]]')
    rows = [" ".join(r.text_content().split()) for r in table.xpath(".//tbody/tr")]
    assert len(rows) == 3
    assert any(
        "Anmälan: bekräfta adressen" in r and "Workshop om licenser" in r and "Uppgivna" in r for r in rows
    )
    assert any("Väntar på ett nytt försök" in r for r in rows)
    assert any("Ämne: stängt" in r and "Öppna API:er" in r and "hanna@example.org" in r for r in rows)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html

    counts = []
    for more in (0, 20):
        _owe(app, meeting_id, more, 1, name=f"Fler {more}")
        with count_queries() as statements:
            assert client.get("/admin/mail").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_sent_mail_is_not_listed(app, client, factory):
    from app.database import utcnow

    factory.user(email="hanna@example.org", roles=(Role.HOST,), organisation="DIGG")
    admin = factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    meeting_id = make_meeting(app, make_series(app))
    _owe(app, meeting_id, 1, 1)
    with app.app_context():
        for row in db.session.scalars(sa.select(RegistrationMail)):
            row.sent_at = utcnow()
        db.session.commit()
    client.login(admin.email)
    assert "Mötena har ingen e-post som väntar." in client.get("/admin/mail").text
