"""Minutes that carry forward (issue 25, point 5): the minutes page of a meeting with 200 action
points (and 50 decisions, 60 attended, 5 agenda items), the series' next meeting showing those 200
open action points, the owner's profile with 100 of them, and the minutes as a Word file.

The pages must take a constant number of SQL queries: each is measured with 10 action points too.
Wall time and CPU time are shown with the machine's load average (a shared 2-core machine).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from _setup import PASSWORD, as_gunicorn_worker, count_queries, make_app, make_users, temp_dir, timed

from app.accounts.models import Role
from app.database import utcnow
from app.documents.models import Visibility
from app.extensions import db
from app.meetings import operations
from app.meetings.models import ActionPoint, AgendaItem, Attendance, MinutesDecision

ACTIONS = 200


def _meetings(users, actions: int, day: int) -> tuple[int, int]:
    """A past meeting with published minutes and *actions* open action points, and the next one."""
    host = users[0]
    series = operations.create_series(
        title=f"Serie {actions}", description="", visibility=Visibility.PUBLIC, organisers=[], actor=host
    )
    past, following = (
        operations.create_meeting(
            document=None,
            title=title,
            starts_at=start,
            agenda="",
            version=None,
            base_version=None,
            host=host,
            series=series,
        )
        for title, start in (
            ("Workshop om licenser", datetime(2020, 9, day, 8, tzinfo=UTC)),
            ("Nästa workshop", datetime(2099, 9, day, 8, tzinfo=UTC)),
        )
    )
    db.session.flush()
    items = [
        AgendaItem(meeting_id=past.id, position=i, title=f"Punkt {i}", minutes="Text " * 80) for i in range(5)
    ]
    db.session.add_all(items)
    db.session.flush()
    for item in items:
        item.minutes_html = "<p>" + item.minutes + "</p>"
    now = utcnow()
    db.session.execute(
        sa.insert(ActionPoint),
        [
            {
                "meeting_id": past.id,
                "agenda_item_id": items[i % 5].id,
                "what": f"Åtgärd {i}: skicka ut förslaget till nätverket och samla in synpunkter",
                "owner_id": users[1 + i % 2].id,
                "owner_name": "",
                "due_on": date(2020, 9, 1) + timedelta(days=i),
                "status": "open",
                "created_at": now,
            }
            for i in range(actions)
        ],
    )
    db.session.execute(
        sa.insert(MinutesDecision),
        [
            {
                "meeting_id": past.id,
                "agenda_item_id": items[i % 5].id,
                "position": i,
                "text": f"Beslut {i}",
                "created_at": now,
            }
            for i in range(50)
        ],
    )
    db.session.execute(
        sa.insert(Attendance),
        [
            {"meeting_id": past.id, "name": f"Deltagare {i}", "organisation": "Kommunen", "created_at": now}
            for i in range(60)
        ],
    )
    past.minutes_published_at = past.minutes_updated_at = now
    db.session.commit()
    return past.id, following.id


def main() -> None:
    with temp_dir() as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            users = make_users(4)
            users[0].set_roles({Role.HOST, Role.MEMBER})
            db.session.commit()
            few = _meetings(users, 10, 1)
            many = _meetings(users, ACTIONS, 2)
        as_gunicorn_worker()
        app.config["WTF_CSRF_ENABLED"] = False
        client = app.test_client()
        client.post("/login", data={"email": "u1@bench.example", "password": PASSWORD})

        def get(url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        for label, path in (
            ("minutes page", "/meetings/{past}/minutes"),
            ("next meeting's page", "/meetings/{following}"),
            ("owner's profile", "/profile"),
            ("minutes as Word file", "/meetings/{past}/minutes.docx"),
        ):
            queries = []
            for past, following in (few, many):
                url = path.format(past=past, following=following)
                get(url)
                with app.app_context(), count_queries() as statements:
                    size = len(get(url).data)
                queries.append(len(statements))
            p50, p95 = timed(lambda url=url: get(url), runs=40)
            cpu50, _ = timed(lambda url=url: get(url), runs=40, clock=time.process_time)
            constant = "constant" if queries[0] == queries[1] else "NOT CONSTANT"
            print(
                f"  {label + f', {ACTIONS} action points':42} {queries[1]:2d} queries "
                f"({constant}: {queries[0]} with 10), "
                f"{size // 1024:4d} KiB, p50 {p50:6.1f} ms, p95 {p95:6.1f} ms, cpu p50 {cpu50:6.1f} ms"
            )


if __name__ == "__main__":
    main()
