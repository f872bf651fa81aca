"""The statements behind the busiest pages find their comments by index, not by walking them all.

A constant number of queries is not enough: a query that walks every comment gets slower with
every comment ever made. SQLite's EXPLAIN QUERY PLAN says how each statement finds its rows; on
the reading page of a later version, the review dashboard and posting a comment, none may scan
the comment or user table, nor find comments only by "is it a reply" (which matches nearly all of them).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.extensions import db

PASSWORD = "demo-password-2020"
# What walks (nearly) all comments: a full scan, or finding top-level comments ("parent_id IS
# NULL", nearly all of them) by the parent column alone. Replies of given comments are fine.
# Nor may they walk every user (a national consultation has thousands; the document's own
# statement once materialised all users joined to their organisations on every page), nor the
# mail outbox, which keeps every message ever sent.
SCAN = re.compile(r"^SCAN (comment|user|notification)(_\d+)?\b")
BY_PARENT = re.compile(r"^SEARCH comment USING INDEX ix_comment_parent_id \(parent_id=\?\)$")


@pytest.fixture
def demo(app):
    from app.demo.seed import seed

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL plans by its statistics of the moment")
    with app.app_context():
        seed()
        db.session.commit()


def _signed_in(make_client, email):
    client = make_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    return client


def _statements(app, run):
    seen: list[tuple[str, tuple]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    return seen


def _walks(app, statements) -> list[str]:
    found = []
    with app.app_context(), db.engine.connect() as connection:
        for statement, parameters in statements:
            plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            top_level = "parent_id IS NULL" in statement
            found.extend(
                f"{detail}  <-  {statement[:300]}"
                for *_ids, detail in plan
                if SCAN.search(detail) or (top_level and BY_PARENT.search(detail))
            )
    return found


def test_reading_dashboard_and_posting_find_comments_by_index(app, make_client, demo):
    member = _signed_in(make_client, "member@demo.example")
    editor = _signed_in(make_client, "editor@demo.example")
    page = member.get("/d/oppna-licenser/v/2")
    assert page.status_code == 200
    link = re.search(
        r'href="(/d/oppna-licenser/v/\d+/b/[A-Za-z0-9_-]+/comment)"', page.get_data(as_text=True)
    )
    token = re.search(
        r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"',
        member.get(link.group(1)).get_data(as_text=True),
    )

    def journey():
        assert member.get("/d/oppna-licenser/v/2").status_code == 200
        assert member.get("/d/oppna-licenser").status_code == 200
        assert editor.get("/d/oppna-licenser/v/2/review").status_code == 200
        # The other pages members and editors use every day.
        for client, path in (
            (member, "/search?q=licens"),
            (member, "/api/v1/search?q=licens"),
            (member, "/d/oppna-licenser/mine"),
            (member, "/d/oppna-licenser/compare/1..2"),
            (member, "/meetings"),
            (member, "/profile"),
            (editor, "/d/oppna-licenser/v/2/outcome"),
            (editor, "/d/oppna-licenser/v/2/responses"),
        ):
            assert client.get(path).status_code == 200, path
        posted = member.post(
            link.group(1), data={"kind": "comment", "body": "En synpunkt till.", "csrf_token": token.group(1)}
        )
        assert posted.status_code == 302

    statements = _statements(app, journey)
    # What version 2 answered is among the statements planned.
    assert any("resolved_in_version_id" in s for s, _p in statements)
    assert _walks(app, statements) == []


def test_the_reading_pages_counts_read_the_index_alone(app, make_client, demo):
    """Every view of a busy version counts each block's threads over all of the document's
    comments: from a covering index, not by reading each comment's row from the table."""
    member = _signed_in(make_client, "member@demo.example")
    statements = _statements(app, lambda: member.get("/d/oppna-licenser/v/2"))
    counts = [(s, p) for s, p in statements if "GROUP BY comment.block_id" in s]
    assert len(counts) == 1
    with app.app_context(), db.engine.connect() as connection:
        plan = [
            row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + counts[0][0], counts[0][1])
        ]
    assert any(
        detail.startswith("SEARCH comment USING COVERING INDEX ix_comment_block_counts") for detail in plan
    ), plan
