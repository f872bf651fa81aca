"""The inbox (issue 27): a member with 1,000 items of every kind, about 300 comments and a version.

Targets: /inbox within 50 ms and a constant number of queries (the first page, the last page, and
the same page with 10 items); the header's bell costs no query (the count is on the user row).
Also measured: posting a comment that @mentions someone (stored, rendered, told).
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from _setup import PASSWORD, add_comments, count_queries, make_app, make_document, make_users, temp_dir, timed

from app.database import utcnow
from app.documents.loaders import page_blocks
from app.documents.models import Document
from app.extensions import db
from app.notifications.models import InboxItem, InboxKind
from app.review.models import Comment


def _fill(user_id: int, actor_id: int, document, count: int) -> None:
    comments = db.session.scalars(sa.select(Comment.id).where(Comment.document_id == document.id)).all()
    version_id = document.versions[0].id
    start = utcnow() - timedelta(days=30)
    kinds = list(InboxKind)
    rows = []
    for n in range(count):
        kind = kinds[n % len(kinds)]
        by_version = kind in (InboxKind.NEW_VERSION, InboxKind.RESPONSE_DUE)
        rows.append(
            {
                "user_id": user_id,
                "kind": kind,
                "document_id": document.id,
                "version_id": version_id if by_version else None,
                "comment_id": None if by_version else comments[(n * 7) % len(comments)],
                "actor_id": actor_id,
                "created_at": start + timedelta(minutes=n),
                "read_at": None if n % 3 else start,
            }
        )
    db.session.execute(sa.insert(InboxItem), rows)


def main() -> None:
    rng = random.Random(27)
    with temp_dir() as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            users = make_users()
            document = make_document("inkorg", 200, users, rng)
            add_comments(document, 300, users, rng)
            many, few, actor = users[1], users[2], users[3]
            _fill(many.id, actor.id, document, 1000)
            _fill(few.id, actor.id, document, 10)
            many.inbox_unread, few.inbox_unread = 666, 6
            db.session.commit()
            emails = {"many": many.email, "few": few.email}
            mention_id = users[4].id
        app.config["WTF_CSRF_ENABLED"] = False

        def client_for(email):
            client = app.test_client()
            client.post("/login", data={"email": email, "password": PASSWORD})
            return client

        print("  the inbox (1,000 items; 10 items) — target <= 50 ms, constant queries")
        with app.app_context():
            for label, email, url in (
                ("1,000 items, first page", "many", "/inbox"),
                ("1,000 items, last page", "many", "/inbox?page=40"),
                ("10 items", "few", "/inbox"),
                ("a page with the bell (documents)", "many", "/"),
            ):
                client = client_for(emails[email])

                def get(url=url, client=client):
                    response = client.get(url)
                    assert response.status_code == 200, (url, response.status_code)

                get()
                with count_queries() as statements:
                    get()
                p50, p95 = timed(get, runs=40)
                cpu50, cpu95 = timed(get, runs=40, clock=time.process_time)
                print(
                    f"  {label:34} {len(statements):2d} queries, p50 {p50:6.1f} ms, p95 {p95:6.1f} ms"
                    f" (CPU p50 {cpu50:6.1f} ms, p95 {cpu95:6.1f} ms)"
                )
            anonymous = app.test_client()
            with count_queries() as statements:
                anonymous.get("/")
            print(f"  {'the same page, not signed in':34} {len(statements):2d} queries")

        with app.app_context():
            block_uid = page_blocks(db.session.scalars(sa.select(Document)).one().versions[0])[1].uid
        poster = client_for(emails["few"])
        url = f"/d/inkorg/v/1/b/{block_uid}/comment"

        def post():
            response = poster.post(url, data={"kind": "comment", "body": f"Vad säger @[user:{mention_id}]?"})
            assert response.status_code == 302, response.status_code

        p50, p95 = timed(post, runs=20)
        print(f"  {'posting a comment with a mention':34}     p50 {p50:6.1f} ms, p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()
