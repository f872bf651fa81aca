"""A search is a constant number of SQL statements, whatever the size of the index or the result."""

from __future__ import annotations

from tests.conftest import add_comment, default_blocks
from tests.search.conftest import search


def _count(client, count_queries, path, **params):
    with count_queries() as statements:
        response = client.get(path, query_string=params)
    assert response.status_code == 200
    return len(statements)


def test_constant_number_of_queries(app, client, factory, sw, count_queries):
    small = {path: _count(client, count_queries, path, q="data") for path in ("/search", "/api/v1/search")}
    # Grow the index tenfold: more documents, paragraphs and comments, all matching.
    member = sw["member_a"]
    for n in range(4):
        document = factory.document(slug=f"stor-{n}", versions=[default_blocks(40), default_blocks(40)])
        with app.app_context():
            for key in ("p2", "p3", "p4"):
                add_comment(document, key, member, body="Myndigheten borde ändra detta om data.")
    assert search(client, "data")["comments"]["total"] >= 12
    large = {path: _count(client, count_queries, path, q="data") for path in ("/search", "/api/v1/search")}
    assert large == small
    assert small["/search"] <= 8 and small["/api/v1/search"] <= 6
