"""Meeting series (issue 25): the series page and the series' iCalendar feed with 100 meetings.

Targets: the series page with 100 meetings (two speakers each) within 100 ms and in a constant
number of SQL queries; the iCalendar feed of the same 100 meetings within 50 ms. Wall time and
CPU time (the server's own work, without waiting for a core on a shared machine) are both shown,
with the machine's load average.
"""

from __future__ import annotations

import os
import time
from datetime import date, timedelta
from datetime import time as dtime
from pathlib import Path

from _setup import as_gunicorn_worker, count_queries, make_app, make_users, temp_dir, timed

from app import fragments
from app.documents.models import Visibility
from app.extensions import db
from app.meetings import operations
from app.meetings.operations import SpeakerDetails
from app.timeutil import to_utc

MEETINGS = 100


def main() -> None:
    with temp_dir() as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            users = make_users(3)
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


if __name__ == "__main__":
    main()
