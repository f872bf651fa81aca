"""Reading documents, versions, blocks, diffs, comments and meetings through the API."""

from __future__ import annotations

from app.accounts.models import Role
from app.documents.models import CommentVisibility
from tests.api.conftest import bearer, make_token, set_comment_visibility


def test_index_lists_the_entry_points(client):
    data = client.get("/api/v1/").get_json()
    assert set(data) == {"documents", "meetings", "openapi", "docs", "feed"}


def test_visitors_see_public_documents_members_see_all(app, client, world):
    slugs = [d["slug"] for d in client.get("/api/v1/documents").get_json()["items"]]
    assert slugs == ["offentlig"]
    token = make_token(app, world["member"])
    slugs = {d["slug"] for d in client.get("/api/v1/documents", headers=bearer(token)).get_json()["items"]}
    assert slugs == {"offentlig", "natverk"}


def test_document_and_versions(client, world):
    document = client.get("/api/v1/documents/offentlig").get_json()
    assert document["current_version"] == 2
    assert document["versions"] == [1, 2]
    assert document["licence"]["id"] == "CC-BY-4.0"
    versions = client.get("/api/v1/documents/offentlig/versions").get_json()["items"]
    assert [v["state"] for v in versions] == ["closed", "open"]
    assert versions[1]["links"]["diff_from_previous"].endswith("/diff?from=1&to=2")
    version = client.get("/api/v1/documents/offentlig/versions/2").get_json()
    assert version["label"] == "Utkast 2"
    assert version["accepts_comments"] is True


def test_network_document_needs_a_token(app, client, world):
    response = client.get("/api/v1/documents/natverk")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "authentication_required"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    token = make_token(app, world["member"])
    assert client.get("/api/v1/documents/natverk", headers=bearer(token)).status_code == 200


def test_the_session_cookie_is_ignored(client, world):
    assert client.login("member@example.org").status_code == 302
    assert client.get("/d/natverk").status_code == 200
    assert client.get("/api/v1/documents/natverk").status_code == 401


def test_blocks_have_uid_ref_kind_plain_and_html(client, world):
    data = client.get("/api/v1/documents/offentlig/versions/1/blocks").get_json()
    assert data["total"] == 7
    first, bold = data["items"][0], data["items"][1]
    assert first["kind"] == "heading" and first["ref"] == {"label": "1", "section": "1", "paragraph": None}
    assert bold["uid"] == world["public"].block_uids["p1"]
    assert bold["text"] == "Myndigheter skapar mycket material."
    assert bold["html"] == "Myndigheter skapar <strong>mycket</strong> material."
    assert bold["ref"]["paragraph"] == 1
    assert data["next_cursor"] is None


def test_blocks_are_paged(client, world):
    page = client.get("/api/v1/documents/offentlig/versions/1/blocks?limit=3").get_json()
    assert [b["position"] for b in page["items"]] == [0, 1, 2]
    assert page["next_cursor"] == "3"
    rest = client.get(page["next"]).get_json()
    assert [b["position"] for b in rest["items"]] == [3, 4, 5]
    last = client.get(rest["next"]).get_json()
    assert [b["position"] for b in last["items"]] == [6]
    assert last["next"] is None


def test_diff_has_block_statuses_and_word_ops(client, world):
    data = client.get("/api/v1/documents/offentlig/diff?from=1&to=2").get_json()
    assert data["counts"]["modified"] == 1 and data["counts"]["added"] == 1
    changed = next(b for b in data["blocks"] if b["status"] == "modified")
    assert changed["uid"] == world["public"].block_uids["p2"]
    old = "".join(op["text"] for op in changed["ops"] if op["op"] != "insert")
    new = "".join(op["text"] for op in changed["ops"] if op["op"] != "delete")
    assert old == changed["old"]["text"] and new == changed["new"]["text"]
    assert {"op": "insert", "text": "villkor", "html": "<em>villkor</em>"} in changed["ops"]
    assert changed["ref_new"] == changed["ref_old"]
    added = next(b for b in data["blocks"] if b["status"] == "added")
    assert added["old"] is None and added["new"]["text"] == "Ett helt nytt stycke."


def test_comments_with_replies_endorsements_and_decisions(client, world):
    data = client.get("/api/v1/documents/offentlig/versions/2/comments").get_json()
    by_number = {c["body"]: c for c in data["items"]}
    first = by_number["Bra *stycke*."]
    assert first["body_html"] == "<p>Bra <em>stycke</em>.</p>"
    assert first["endorsements"] == 1
    assert [r["body"] for r in first["replies"]] == ["Ett svar."]
    assert first["block_uid"] == world["public"].block_uids["p2"]
    rejected = by_number["Fråga om licenser."]
    assert rejected["status"] == "rejected"
    assert rejected["decision"]["response"] == "Vi behåller texten."
    assert by_number["Allmänt om utkastet."]["block_uid"] is None
    # Only comments made on version 2: the one on version 1 is listed there.
    assert "På version ett." not in by_number
    assert [
        c["body"] for c in client.get("/api/v1/documents/offentlig/versions/1/comments").get_json()["items"]
    ] == ["På version ett."]


def test_a_suggestion_is_the_whole_paragraph_with_the_text_it_was_made_on_and_the_diff(client, world):
    items = client.get("/api/v1/documents/offentlig/versions/2/comments").get_json()["items"]
    by_body = {c["body"]: c for c in items}
    suggestion = by_body["Fråga om licenser."]
    assert suggestion["kind"] == "suggestion" and suggestion["quote"] == "öppna data"
    assert suggestion["suggestion"] == "Stycke nummer 3 om öppna data och fria licenser i dag."
    assert suggestion["suggestion_html"] == (
        "Stycke nummer 3 om <strong>öppna</strong> data och fria licenser i dag."
    )
    assert suggestion["suggestion_base"] == "Stycke nummer 3 om öppna data och licenser."
    assert suggestion["suggestion_base_html"] == "Stycke nummer 3 om öppna data och licenser."
    ops = suggestion["suggestion_ops"]
    assert "".join(o["text"] for o in ops if o["op"] != "insert") == suggestion["suggestion_base"]
    assert "".join(o["text"] for o in ops if o["op"] != "delete") == suggestion["suggestion"]
    assert [(o["op"], o["html"]) for o in ops if o["op"] != "equal"] == [
        ("delete", "öppna"),
        ("insert", "<strong>öppna</strong>"),
        ("insert", "fria "),
        ("insert", " i dag"),
    ]
    # Other comments carry no suggestion fields.
    plain = by_body["Bra *stycke*."]
    assert [plain[k] for k in ("suggestion", "suggestion_base", "suggestion_ops")] == [None, None, None]


def test_names_only_where_the_page_shows_them(app, client, world):
    data = client.get("/api/v1/documents/offentlig/versions/2/comments").get_json()
    assert data["names_shown"] is False
    first = data["items"][0]
    assert first["author"] == {"name": None, "organisation": "Kommun A"}
    assert first["replies"][0]["author"]["name"] is None
    assert data["items"][1]["decision"]["decided_by"] is None
    set_comment_visibility(app, world["public"], CommentVisibility.FULL)
    first = client.get("/api/v1/documents/offentlig/versions/2/comments").get_json()["items"][0]
    assert first["author"]["name"] == "Maja Medlem"
    set_comment_visibility(app, world["public"], CommentVisibility.NONE)
    response = client.get("/api/v1/documents/offentlig/versions/2/comments")
    assert response.status_code == 401
    token = make_token(app, world["other"])
    data = client.get("/api/v1/documents/offentlig/versions/2/comments", headers=bearer(token)).get_json()
    assert data["names_shown"] is True and data["items"][0]["author"]["name"] == "Maja Medlem"


def test_comment_filters_and_paging(client, world):
    url = "/api/v1/documents/offentlig/versions/2/comments"
    assert [c["status"] for c in client.get(url + "?status=rejected").get_json()["items"]] == ["rejected"]
    uid = world["public"].block_uids["p2"]
    assert len(client.get(f"{url}?block={uid}").get_json()["items"]) == 1
    page = client.get(url + "?limit=2").get_json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    rest = client.get(page["next"]).get_json()
    assert len(rest["items"]) == 1 and rest["next"] is None
    numbers = [c["number"] for c in page["items"] + rest["items"]]
    assert numbers == sorted(numbers)


def test_hidden_comments_keep_their_place_but_not_their_words(app, client, world):
    from app.database import utcnow
    from app.extensions import db
    from app.review.models import Comment

    with app.app_context():
        db.session.get(Comment, world["ids"]["first"]).hidden_at = utcnow()
        db.session.commit()
    first = client.get("/api/v1/documents/offentlig/versions/2/comments").get_json()["items"][0]
    assert first["hidden"] is True and first["body"] is None and first["body_html"] is None


def test_drafts_only_for_editors(app, client, world):
    from app.documents.models import Document, Version, VersionState
    from app.extensions import db

    with app.app_context():
        document = db.session.get(Document, world["public"].id)
        db.session.add(Version(document=document, number=3, label="Utkast 3", state=VersionState.DRAFT))
        db.session.commit()
    assert client.get("/api/v1/documents/offentlig/versions/3").status_code == 404
    assert client.get("/api/v1/documents/offentlig").get_json()["versions"] == [1, 2]
    member = make_token(app, world["member"])
    assert client.get("/api/v1/documents/offentlig/versions/3", headers=bearer(member)).status_code == 404
    editor = make_token(app, world["editor"])
    response = client.get("/api/v1/documents/offentlig/versions/3", headers=bearer(editor))
    assert response.status_code == 200 and response.get_json()["state"] == "draft"
    assert Role.EDITOR


def test_meetings_and_exports(app, client, world):
    meetings = client.get("/api/v1/meetings").get_json()["items"]
    assert [m["title"] for m in meetings] == ["Nätverksträff"]
    assert client.get("/api/v1/documents/offentlig/meetings").get_json()["items"][0]["version"] == 2
    meeting = client.get(f"/api/v1/meetings/{world['ids']['meeting']}").get_json()
    export = meeting["exports"][0]
    assert export["kind"] == "csv" and export["sha256"] == "0" * 64
    # The pack names every commenter: visitors of a document that hides names may not have it.
    assert export["download"] is None
    assert client.get(f"/api/v1/exports/{export['id']}/file").status_code == 401
    token = make_token(app, world["member"])
    meeting = client.get(f"/api/v1/meetings/{world['ids']['meeting']}", headers=bearer(token)).get_json()
    response = client.get(meeting["exports"][0]["download"], headers=bearer(token))
    assert response.status_code == 200 and response.data == b"Nr\r\n"
