"""Meeting series (issue 25): the series page and the series' iCalendar feed with 100 meetings.

Targets: the series page with 100 meetings (two speakers each) within 100 ms and in a constant
number of SQL queries, also with 5,000 sign-ups; the iCalendar feed of the same 100 meetings
within 50 ms; a member's sign-up (the POST, a capacity to check) within 30 ms. Wall time and
CPU time (the server's own work, without waiting for a core on a shared machine) are both shown,
with the machine's load average. Then 300 topics from the network with 3,000 supports: the series
page stays in the same number of queries, within 100 ms. Each meeting has five agenda items,
which the feeds list.
"""

from __future__ import annotations

import os
import time
from datetime import date, timedelta
from datetime import time as dtime
from pathlib import Path

import sqlalchemy as sa
from _setup import PASSWORD, as_gunicorn_worker, count_queries, make_app, make_users, temp_dir, timed

from app import fragments
from app.accounts.models import User
from app.database import utcnow
from app.documents.models import Visibility
from app.extensions import db
from app.meetings import operations
from app.meetings.models import AgendaItem, Meeting, Registration, Topic, TopicSupport
from app.meetings.operations import SpeakerDetails
from app.timeutil import to_utc

MEETINGS = 100
AGENDA_ITEMS = 5
SIGNUPS = 5_000
TOPICS, SUPPORTERS = 300, 10


def main() -> None:
    with temp_dir() as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            users = make_users(SUPPORTERS + 1)
            host = users[0]
            series = operations.create_series(
                title="Digitala workshoppar",
                description="Hundra träffar.",
                visibility=Visibility.PUBLIC,
                organisers=[host.organisation],
                actor=host,
            )
            first = to_utc(date(2020, 9, 1), dtime(10, 0))
            for i in range(MEETINGS):
                operations.create_meeting(
                    document=None,
                    title=f"Workshop {i + 1}",
                    subject=f"Ämne {i + 1}: öppna licenser, data; och avtal",
                    description="Vi diskuterar erfarenheter, utmaningar och ämnen från nätverket. " * 3,
                    starts_at=first + timedelta(days=7 * i),
                    agenda="1. Välkommen\n2. Diskussion\n3. Nästa steg",
                    version=None,
                    base_version=None,
                    host=host,
                    series=series,
                    place="Digitalt möte",
                    speakers=[
                        SpeakerDetails(f"Talare {i}", "Jurist", "PRV"),
                        SpeakerDetails(f"Gäst {i}", "Utvecklare", "DIGG"),
                    ],
                )
            db.session.commit()
            series_id = series.id
            _agenda_items(series_id)
        client = app.test_client()
        as_gunicorn_worker()

        def get(url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        for label, url, target in (
            (f"series page, {MEETINGS} meetings", f"/series/{series_id}", 100),
            (f"iCalendar feed, {MEETINGS} meetings", f"/series/{series_id}.ics", 50),
            (f"Atom feed, {MEETINGS} meetings", f"/series/{series_id}.atom", None),
        ):
            with app.app_context():
                get(url)
                with count_queries() as statements:
                    size = len(get(url).data)
            p50, p95 = timed(lambda url=url: get(url), runs=40)
            cpu50, _cpu95 = timed(lambda url=url: get(url), runs=40, clock=time.process_time)
            aim = f"(target <= {target} ms)" if target else ""
            print(
                f"  {label:32} {len(statements):2d} queries, {size // 1024:4d} KiB, "
                f"p50 {p50:6.1f} ms, p95 {p95:6.1f} ms, cpu p50 {cpu50:6.1f} ms {aim}"
            )

        _signups(app, client, series_id)
        _topics(app, client, series_id)

        # The first request of a process (or after every meeting changed) writes every VEVENT.
        def cold():
            fragments.clear(app)
            get(f"/series/{series_id}.ics")

        p50, p95 = timed(cold, runs=20)
        cpu50, _cpu95 = timed(cold, runs=20, clock=time.process_time)
        print(
            f"  {'iCalendar feed, nothing cached':32}                      "
            f"p50 {p50:6.1f} ms, p95 {p95:6.1f} ms, cpu p50 {cpu50:6.1f} ms"
        )


def _agenda_items(series_id: int) -> None:
    """Each meeting's agenda as AGENDA_ITEMS items (issue 25, point 4), listed in the feeds."""
    meetings = db.session.execute(
        sa.select(Meeting.id, Meeting.starts_at).where(Meeting.series_id == series_id)
    ).all()
    db.session.execute(
        sa.insert(AgendaItem),
        [
            {
                "meeting_id": meeting_id,
                "position": n,
                "title": f"Punkt {n + 1}: erfarenheter, frågor; nästa steg",
                "description": "",
                "presenter": f"Talare {n}, PRV",
                "starts_at": starts_at + timedelta(minutes=20 * n),
                "duration_minutes": None,
                "minutes": "",
                "minutes_html": "",
                "created_at": utcnow(),
            }
            for meeting_id, starts_at in meetings
            for n in range(AGENDA_ITEMS)
        ],
    )
    db.session.commit()


def _signups(app, client, series_id: int) -> None:
    """5,000 confirmed sign-ups over the 100 meetings (guests), then the series page again and
    the time of one member's sign-up and cancellation (POST, one click, capacity checked)."""
    with app.app_context():
        meeting_ids = db.session.scalars(sa.select(Meeting.id).where(Meeting.series_id == series_id)).all()
        now = utcnow()
        db.session.execute(
            sa.insert(Registration),
            [
                {
                    "meeting_id": meeting_ids[i % len(meeting_ids)],
                    "name": f"Gäst {i}",
                    "email": f"gast{i}@bench.example",
                    "organisation": "Kommunen",
                    "waiting": False,
                    "created_at": now,
                    "confirmed_at": now,
                }
                for i in range(SIGNUPS)
            ],
        )
        last = db.session.get(Meeting, meeting_ids[-1])
        last.capacity = 10_000  # a capacity to check, as on a real sign-up
        last.starts_at = now + timedelta(days=30)  # open for sign-up
        db.session.commit()
        target_meeting = last.id

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    url = f"/series/{series_id}"
    with app.app_context():
        get(url)
        with count_queries() as statements:
            size = len(get(url).data)
    p50, p95 = timed(lambda: get(url), runs=40)
    cpu50, _cpu95 = timed(lambda: get(url), runs=40, clock=time.process_time)
    print(
        f"  {f'series page, {SIGNUPS:,} sign-ups':32} {len(statements):2d} queries, {size // 1024:4d} KiB, "
        f"p50 {p50:6.1f} ms, p95 {p95:6.1f} ms, cpu p50 {cpu50:6.1f} ms (target <= 100 ms)"
    )

    app.config["WTF_CSRF_ENABLED"] = False
    member = app.test_client()
    member.post("/login", data={"email": "u1@bench.example", "password": PASSWORD})

    def sign_up():
        response = member.post(f"/meetings/{target_meeting}/signup")
        assert response.status_code == 302, response.status_code

    def cancel():
        response = member.post(f"/meetings/{target_meeting}/signup/cancel")
        assert response.status_code == 302, response.status_code

    samples = []
    for _ in range(40):
        start = time.perf_counter()
        sign_up()
        samples.append((time.perf_counter() - start) * 1000)
        cancel()
    samples.sort()
    sign_up()
    with app.app_context():  # the sign-ups were made (and cancelled), not refused
        assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == SIGNUPS + 1
    print(
        f"  {'member sign-up (POST)':32}                      "
        f"p50 {samples[len(samples) // 2]:6.1f} ms, p95 {samples[int(len(samples) * 0.95)]:6.1f} ms "
        "(target <= 30 ms)"
    )


def _topics(app, client, series_id: int) -> None:
    """TOPICS topics, each supported by SUPPORTERS members, then the series page again."""
    with app.app_context():
        users = _member_ids(SUPPORTERS)
        now = utcnow()
        db.session.execute(
            sa.insert(Topic),
            [
                {
                    "series_id": series_id,
                    "proposer_id": users[0],
                    "title": f"Ämne från nätverket {i}",
                    "description": "Hur delar vi data mellan myndigheter? " * 5,
                    "created_at": now,
                }
                for i in range(TOPICS)
            ],
        )
        topic_ids = db.session.scalars(sa.select(Topic.id)).all()
        db.session.execute(
            sa.insert(TopicSupport),
            [{"topic_id": t, "user_id": u, "created_at": now} for t in topic_ids for u in users[1:]],
        )
        db.session.commit()

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    url = f"/series/{series_id}?order=support"
    with app.app_context():
        get(url)
        with count_queries() as statements:
            size = len(get(url).data)
    p50, p95 = timed(lambda: get(url), runs=40)
    cpu50, _cpu95 = timed(lambda: get(url), runs=40, clock=time.process_time)
    label = f"series page, {TOPICS} topics"
    print(
        f"  {label:32} {len(statements):2d} queries, {size // 1024:4d} KiB, "
        f"p50 {p50:6.1f} ms, p95 {p95:6.1f} ms, cpu p50 {cpu50:6.1f} ms (target <= 100 ms)"
    )


def _member_ids(n: int) -> list[int]:
    """The ids of the first proposer and n - 1 more members (the bench's users already exist)."""
    existing = db.session.scalars(sa.select(User.id).order_by(User.id)).all()
    return existing[:n]


if __name__ == "__main__":
    main()
