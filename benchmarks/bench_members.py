"""Members' pages (issue 15): "what happened to my comments", the reading view that shows the comments
a version answered, and the forgotten-password form for known and unknown addresses.

Targets: the member's page and the reading view in a constant number of queries; the answer to
"forgot your password" as fast for an address without an account as for one with (no enumeration
by timing): the medians within 5 ms of each other.
"""

from __future__ import annotations

import random
from pathlib import Path

import sqlalchemy as sa
from _setup import PASSWORD, add_comments, count_queries, make_app, make_document, make_users, temp_dir, timed

from app.documents.models import Document, Version, VersionState
from app.extensions import db
from app.review.models import Comment, CommentStatus


def _second_version(document: Document, editor) -> Version:
    """Publish the next version with the same blocks; every second decided comment is answered in it."""
    from app.drafting.operations import publish_draft, start_draft

    draft = start_draft(document, editor)
    db.session.flush()
    publish_draft(draft, summary="Ändringar efter synpunkterna.", editor=editor)
    db.session.flush()
    return draft


def main() -> None:
    rng = random.Random(20201103)
    with temp_dir() as tmp:
        app = make_app(Path(tmp))
        with app.app_context():
            users = make_users()
            document = make_document("busy", 500, users, rng)
            add_comments(document, 250, users, rng)
            member = users[1]
            mine = db.session.scalar(
                sa.select(sa.func.count()).select_from(Comment).where(Comment.author_id == member.id)
            )
            version = _second_version(document, users[0])
            for n, comment in enumerate(
                db.session.scalars(sa.select(Comment).where(Comment.parent_id.is_(None)))
            ):
                comment.status = CommentStatus.ACCEPTED if n % 2 else CommentStatus.REJECTED
                comment.response_html = "<p>Svar.</p>"
                if n % 2:
                    comment.resolved_in_version_id = version.id
            db.session.commit()
            assert db.session.get(Version, version.id).state is VersionState.OPEN
            member_email = member.email
        app.config["WTF_CSRF_ENABLED"] = False
        client = app.test_client()
        client.post("/login", data={"email": member_email, "password": PASSWORD})

        def get(url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        with app.app_context():
            for label, url in (
                (f"my comments ({mine} of them)", "/d/busy/mine"),
                ("reading view with answered comments", "/d/busy"),
            ):
                get(url)
                with count_queries() as statements:
                    get(url)
                p50, p95 = timed(lambda url=url: get(url), runs=20)
                print(f"  {label:40} {len(statements):2d} queries, p50 {p50:6.1f} ms, p95 {p95:6.1f} ms")

        visitor = app.test_client()

        def ask(email):
            response = visitor.post("/forgot-password", data={"email": email})
            assert response.status_code == 200

        known = timed(lambda: ask(member_email), runs=30)[0]
        unknown = timed(lambda: ask("nobody@example.org"), runs=30)[0]
        print(
            f"  forgot password: known address p50 {known:5.1f} ms, unknown p50 {unknown:5.1f} ms, "
            f"difference {abs(known - unknown):4.1f} ms (target <= 5 ms)"
        )


if __name__ == "__main__":
    main()
