"""Bad input is a results page with a message (or a JSON 400 naming the parameter), never a 500;
the XSS corpus as queries and as indexed text stays inert."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.documents.models import Document
from app.extensions import db
from tests.browser.xss import payloads
from tests.conftest import add_comment
from tests.search.conftest import search


class _Active(HTMLParser):
    """Tags with an event handler or a javascript: URL, and script/img/svg/iframe tags."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "svg", "iframe", "object", "embed") or (tag == "script"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or (
                name in ("href", "src", "action", "formaction")
                and (value or "").replace(" ", "").lower().startswith("javascript:")
            ):
                self.found.append(f"{tag} {name}")


class ACTIVE_TAG:
    @staticmethod
    def search(html: str) -> list[str]:
        parser = _Active()
        parser.feed(html)
        return parser.found


BAD = {
    "": ("empty", 200, "Skriv ett eller flera ord"),
    "   ": ("empty", 200, "Skriv ett eller flera ord"),
    "och att det": ("stop_words", 400, "bara mycket vanliga ord"),
    '"': ("no_words", 400, "inga ord"),
    "* ( : -": ("no_words", 400, "inga ord"),
    "a\x00b": ("invalid", 400, "tecken som inte går"),
    "x" * 10_000: ("too_long", 400, "för lång"),
    " ".join(f"ord{i}" for i in range(20)): ("too_many", 400, "för många ord"),
}


@pytest.mark.parametrize("q", list(BAD), ids=list(range(len(BAD))))
def test_bad_queries(client, sw, q):
    code, status, message = BAD[q]
    page = client.get("/search", query_string={"q": q})
    assert page.status_code == status
    html = page.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html
    api = client.get("/api/v1/search", query_string={"q": q})
    if code in ("no_words", "stop_words", "too_many"):
        # Well-formed, just nothing to search for: no results, and why.
        assert api.status_code == 200
        assert api.get_json()["text"] == {"total": 0, "items": []} and api.get_json()["notice"]
    else:
        assert api.status_code == 400
        assert api.get_json()["error"]["parameter"] == "q"


@pytest.mark.parametrize(
    "q",
    [
        '"myndighet',
        "myndighet*",
        "NEAR(myndighet data)",
        "-myndighet",
        "title:myndighet",
        "(myndighet",
        "myndighet OR data",
        "'; DROP TABLE x; --",
        "{terms}:x",
        "a' & 'b",
    ],
)
def test_search_syntax_is_just_text(client, sw, q):
    assert client.get("/search", query_string={"q": q}).status_code == 200
    body = search(client, q)
    if q in ('"myndighet', "myndighet*", "-myndighet", "(myndighet"):
        assert body["text"]["items"], q  # the punctuation is dropped, the word searched


def test_bad_api_parameters_are_named(client, sw):
    for params, name in (
        ({"type": "x"}, "type"),
        ({"status": "x"}, "status"),
        ({"kind": "x"}, "kind"),
        ({"limit": "0"}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"cursor": "-1"}, "cursor"),
        ({"document": "offentlig", "version": "x"}, "version"),
    ):
        response = client.get("/api/v1/search", query_string={"q": "data", **params})
        assert response.status_code == 400, params
        assert response.get_json()["error"]["parameter"] == name


def test_paging(client, sw):
    first = search(client, "data", type="text", limit="1")
    assert first["text"]["total"] >= 2 and len(first["text"]["items"]) == 1
    second = search(client, "data", type="text", limit="1", cursor=first["next_cursor"])
    assert second["text"]["items"] != first["text"]["items"]


def test_xss_corpus_as_queries_and_as_text_stays_inert(app, client, sw):
    lines = payloads()
    with app.app_context():
        document = db.session.get(Document, sw["public"].id)
        document.block_uids = sw["uid"]
        add_comment(document, "p1", sw["member_a"], body="xsskorpus " + "\n\n".join(lines))
    for line in lines[::5]:
        html = client.get("/search", query_string={"q": line}).get_data(as_text=True)
        assert not ACTIVE_TAG.search(html), line
    client.login(sw["member_b"].email)
    html = client.get("/search", query_string={"q": "xsskorpus alert", "what": "comments"}).get_data(
        as_text=True
    )
    # The results only: the page's own scripts come after </main>.
    results = html.split('id="comment-results"', 1)[1].split("</main>", 1)[0]
    assert "<mark>xsskorpus</mark>" in results
    assert (
        "<script" not in results.lower() and "<img" not in results.lower() and "<svg" not in results.lower()
    )


def test_a_filter_with_control_characters_is_refused_by_the_api_and_dropped_by_the_page(client):
    # PostgreSQL refuses a NUL in any text parameter. The API's description forbids control characters
    # in these filters, so the API refuses them with a 400 naming the filter; the page, which ignores
    # what it cannot use, reads the filter without them.
    page = client.get("/search", query_string={"q": "licens", "document": "a\x00b"})
    assert page.status_code == 200
    assert 'value="a\x00b"' not in page.get_data(as_text=True)
    for name, value in (
        ("document", "Ï;\x00|<"),
        ("document", "\u00a5\x1d\u00b7"),
        ("document", "\x85"),
        ("document", "\u2000"),
        ("document", "x" * 81),
        ("organisation", "PRV\x00"),
        ("organisation", "\t"),
        ("organisation", "x" * 201),
    ):
        api = client.get("/api/v1/search", query_string={"q": "licens", name: value})
        assert api.status_code == 400, (name, value)
        assert name in api.get_data(as_text=True)
    named = client.get("/api/v1/search", query_string={"q": "licens", "document": "no-such-slug"})
    assert named.status_code == 200 and named.json["text"]["total"] == 0
