"""The OpenAPI description and the API never drift apart: schemathesis checks every operation.

Schemathesis's own pytest plugin does not run under pytest 9 here (it reads a removed
``_nodeid``), so the test drives it directly: for each operation, generated valid and
invalid requests (Hypothesis) and the description's examples, each response checked by
``call_and_validate`` against the description (status codes, content types, headers, schemas).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from app.api.openapi import PATHS
from tests.api.conftest import bearer, make_token

# 25 generated requests per operation and mode in every run; API_EXAMPLES=500 for a deeper search.
SETTINGS = settings(
    max_examples=int(os.environ.get("API_EXAMPLES", "25")),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def seeded(app, world):
    """The world under the slug the description's examples use, and a member's token."""
    from app.documents.models import Document
    from app.extensions import db

    with app.app_context():
        db.session.get(Document, world["public"].id).slug = "oppna-licenser"
        db.session.commit()
    return make_token(app, world["member"])


def _operation(app, path):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return schema[path]["GET"]


@pytest.mark.parametrize("path", list(PATHS))
def test_every_operation_matches_the_description(app, seeded, path):
    operation = _operation(app, path)
    modes = [GenerationMode.POSITIVE]
    if any(p["name"] != "slug" for p in PATHS[path]["get"].get("parameters", [])):
        # Any non-empty string is a valid slug: only other parameters can be made invalid.
        modes.append(GenerationMode.NEGATIVE)
    for mode in modes:

        @given(case=operation.as_strategy(generation_mode=mode))
        @SETTINGS
        def generated(case):
            case.call_and_validate()

        generated()
    for strategy in operation.get_strategies_from_examples():

        @given(case=strategy)
        @SETTINGS
        def example(case):
            case.call_and_validate()
            case.call_and_validate(headers=bearer(seeded))

        example()


def test_answers_with_real_data_match_too(app, world, seeded):
    """Requests that find things (generated ones mostly get 404) with and without a token.

    With the member's token every one is answered; without it, all but the network document's
    comments and the meeting export's file, which names every commenter (401).
    """
    ids = world["ids"]
    requests = [
        ("/documents", {}, {"limit": 1}, 200),
        ("/documents/{slug}", {"slug": "oppna-licenser"}, {}, 200),
        ("/documents/{slug}/versions", {"slug": "oppna-licenser"}, {}, 200),
        ("/documents/{slug}/versions/{number}", {"slug": "oppna-licenser", "number": 2}, {}, 200),
        (
            "/documents/{slug}/versions/{number}/blocks",
            {"slug": "oppna-licenser", "number": 2},
            {"limit": 3},
            200,
        ),
        (
            "/documents/{slug}/versions/{number}/comments",
            {"slug": "oppna-licenser", "number": 2},
            {"limit": 2},
            200,
        ),
        ("/documents/{slug}/versions/{number}/comments", {"slug": "natverk", "number": 1}, {}, 401),
        ("/documents/{slug}/diff", {"slug": "oppna-licenser"}, {"from": 1, "to": 2}, 200),
        ("/documents/{slug}/meetings", {"slug": "oppna-licenser"}, {}, 200),
        ("/meetings", {}, {}, 200),
        ("/meetings/{meeting_id}", {"meeting_id": ids["meeting"]}, {}, 200),
        ("/exports/{export_id}/file", {"export_id": ids["export"]}, {}, 401),
        ("/search", {}, {"q": "licenser"}, 200),
        ("/search", {}, {"q": "stycke", "type": "text", "limit": 1}, 200),
    ]
    for path, path_parameters, query, anonymous in requests:
        operation = _operation(app, path)
        for headers, status in (({}, anonymous), (bearer(seeded), 200)):
            case = operation.Case(path_parameters=path_parameters, query=query, headers=headers)
            response = case.call_and_validate()
            assert response.status_code == status, (path, path_parameters, headers, response.status_code)


def test_the_description_is_openapi_3_1_and_lists_every_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule.removeprefix("/api/v1").replace("<slug>", "{slug}")
            for name in ("number", "meeting_id", "export_id"):
                path = path.replace(f"<int(max=2147483647):{name}>", "{" + name + "}")
            routes.add(path)
    assert set(document["paths"]) == routes
