"""Bad input answers with JSON errors of one shape; ETags give 304; queries stay constant."""

from __future__ import annotations

import pytest

from tests.api.conftest import bearer, make_token
from tests.conftest import add_comment, default_blocks


def _error(response, status):
    assert response.status_code == status
    assert response.is_json
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "parameter"}
    return error


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/documents/no-such",
        "/api/v1/documents/offentlig/versions/99",
        "/api/v1/documents/offentlig/versions/99/blocks",
        "/api/v1/documents/offentlig/versions/99/comments",
        "/api/v1/documents/offentlig/versions/99999999999999999999",
        "/api/v1/meetings/999999",
        "/api/v1/exports/999999/file",
        "/api/v1/no-such-thing",
    ],
)
def test_unknown_ids_are_404_json(client, world, path):
    assert _error(client.get(path), 404)["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=abc", "limit"),
        ("limit=-1", "limit"),
        ("limit=", "limit"),
        ("cursor=x", "cursor"),
        ("cursor=-5", "cursor"),
        ("cursor=1234567890", "cursor"),
        ("status=maybe", "status"),
        ("block=", "block"),
    ],
)
def test_bad_paging_is_400_naming_the_parameter(client, world, query, parameter):
    error = _error(client.get(f"/api/v1/documents/offentlig/versions/2/comments?{query}"), 400)
    assert error == {"code": "invalid_parameter", "message": error["message"], "parameter": parameter}


def test_blocks_limit_is_bounded(client, world):
    assert _error(client.get("/api/v1/documents/offentlig/versions/1/blocks?limit=2001"), 400)[
        "parameter"
    ] == ("limit")


@pytest.mark.parametrize(
    ("query", "parameter"), [("to=2", "from"), ("from=1", "to"), ("from=a&to=2", "from")]
)
def test_diff_needs_two_version_numbers(client, world, query, parameter):
    assert _error(client.get(f"/api/v1/documents/offentlig/diff?{query}"), 400)["parameter"] == parameter


@pytest.mark.parametrize(
    "header", ["Bearer nope", "Bearer ", "Basic dXNlcjpwYXNz", "rmk_abc", "Bearer " + "x" * 300]
)
def test_a_wrong_token_is_401_not_visitor_rights(client, world, header):
    error = _error(client.get("/api/v1/documents", headers={"Authorization": header}), 401)
    assert error["code"] == "invalid_token"


def test_a_revoked_token_stops_working(app, client, world):
    from app.api.models import ApiToken
    from app.api.tokens import revoke_token
    from app.extensions import db

    secret = make_token(app, world["member"])
    assert client.get("/api/v1/documents/natverk", headers=bearer(secret)).status_code == 200
    with app.app_context():
        token = db.session.scalar(db.select(ApiToken))
        revoke_token(token, token.user)
        db.session.commit()
    assert (
        _error(client.get("/api/v1/documents/natverk", headers=bearer(secret)), 401)["code"]
        == "invalid_token"
    )


def test_a_deactivated_users_token_stops_working(app, client, world):
    from app.accounts.models import User
    from app.extensions import db

    secret = make_token(app, world["member"])
    with app.app_context():
        db.session.get(User, world["member"].id).active = False
        db.session.commit()
    _error(client.get("/api/v1/documents", headers=bearer(secret)), 401)


def test_only_the_hash_is_stored_and_last_use_is_noted(app, client, world):
    from app.accounts.models import hash_token
    from app.api.models import ApiToken
    from app.extensions import db

    secret = make_token(app, world["member"])
    client.get("/api/v1/documents", headers=bearer(secret))
    with app.app_context():
        token = db.session.scalar(db.select(ApiToken))
        assert token.token_hash == hash_token(secret) and secret not in (token.prefix, token.token_hash)
        assert secret.startswith(token.prefix) and token.last_used_at is not None


def test_etag_and_if_none_match(client, world):
    first = client.get("/api/v1/documents/offentlig/versions/2/blocks")
    etag = first.headers["ETag"]
    again = client.get("/api/v1/documents/offentlig/versions/2/blocks", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/api/v1/documents/offentlig/versions/1/blocks", headers={"If-None-Match": etag})
    assert other.status_code == 200
    assert "Authorization" in first.headers["Vary"]


def test_every_api_route_only_reads(app):
    # The blueprint is exempt from CSRF only because nothing in it changes state.
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def _blocks_doc(factory, slug, n):
    blocks = [("paragraph", 1, f"Stycke {i}.") if i % 10 else ("heading", 1, f"Rubrik {i}") for i in range(n)]
    return factory.document(slug=slug, versions=[blocks])


def test_blocks_in_a_constant_number_of_queries(app, client, factory, count_queries):
    _blocks_doc(factory, "liten", 5)
    _blocks_doc(factory, "stor", 120)
    counts = []
    for slug in ("liten", "stor"):
        with count_queries() as statements:
            assert client.get(f"/api/v1/documents/{slug}/versions/1/blocks").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 4, counts


def test_comments_in_a_constant_number_of_queries(app, client, factory, count_queries):
    from app.accounts.models import User
    from app.extensions import db
    from app.review.models import Comment, CommentStatus
    from app.review.operations import decide

    member = factory.user()
    counts = []
    for slug, n in (("fa", 2), ("manga", 40)):
        document = factory.document(slug=slug, versions=[default_blocks()])
        with app.app_context():
            ids = [add_comment(document, "p2", member, body=f"Synpunkt {i}") for i in range(n)]
            for comment_id in ids[::2]:
                decide(
                    db.session.get(Comment, comment_id),
                    status=CommentStatus.NOTED,
                    response="Noterat.",
                    editor=db.session.get(User, member.id),
                )
            db.session.commit()
        with count_queries() as statements:
            response = client.get(f"/api/v1/documents/{slug}/versions/1/comments?limit=200")
            assert response.status_code == 200 and len(response.get_json()["items"]) == n
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 8, counts


def test_next_links_keep_only_the_apis_own_parameters(client, world):
    url = "/api/v1/documents/offentlig/versions/2/comments?limit=1&_external=0&_scheme=ftp&status=open"
    data = client.get(url).get_json()
    assert data["next"].startswith("http://localhost/api/v1/documents/offentlig/versions/2/comments?")
    assert "_scheme" not in data["next"] and "_external" not in data["next"] and "status=open" in data["next"]
