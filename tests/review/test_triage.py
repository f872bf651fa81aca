"""Triage through HTTP: deciding in place, keeping filters and page, "Save and next", applying once,
status colours, the publish warning, draft wording and the compare menus."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from app.accounts.models import Role
from app.drafting.operations import next_label
from app.extensions import db
from app.review.models import STATUS_COLOURS, Comment, CommentStatus
from tests.conftest import add_comment
from tests.review import test_decisions as base
from tests.review.applying import form_fields

# The same document, people and comments as the decision tests.
V1, V2, comment = base.V1, base.V2, base.comment
doc, people, ed, comments = base.doc, base.people, base.ed, base.comments

IN_PLACE = {"X-Requested-With": "fetch", "Accept": "application/json"}
CSS = Path(__file__).resolve().parents[2] / "app" / "static" / "css" / "app.css"


def decide(client, comment_id, query="", headers=None, **form):
    form.setdefault("row_version", "1")
    return client.post(f"/d/vl/review/c/{comment_id}{query}", form, headers=headers or {})


def test_a_decision_in_place_returns_the_card_and_the_counts(app, ed, comments):
    cid = comments["plain"]
    response = decide(ed, cid, "?v=2", IN_PLACE, status="noted", response="Tack.")
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] and body["status"] == "noted" and body["open"] is False
    assert body["message"] == "Beslutet om synpunkt #3 har sparats."
    card = body["card"]
    assert card.startswith('<li class="review-item triage-card" id="c-3"')
    assert 'data-status="noted"' in card
    assert '<span class="badge status status--noted">Noterad</span>' in card
    # The card's form carries the new row version and the same way back.
    assert 'name="row_version" value="2"' in card
    assert 'action="/d/vl/review/c/' + str(cid) + '?v=2"' in card
    assert comment(app, cid).status is CommentStatus.NOTED


def test_in_place_errors_come_back_on_the_card_and_nothing_changes(app, ed, comments):
    cid = comments["plain"]
    response = decide(ed, cid, "?v=2", IN_PLACE, status="rejected", response="  ")
    assert response.status_code == 400
    body = response.get_json()
    assert not body["ok"]
    assert "Ge en motivering när en synpunkt inte beaktas" in body["card"]
    assert 'aria-invalid="true"' in body["card"]
    # The editor's choice stays in the open form.
    assert re.search(r'value="rejected"[^>]*checked', body["card"])
    assert '<details class="decide-card" open>' in body["card"]
    assert comment(app, cid).status is CommentStatus.OPEN


def test_in_place_conflict_shows_theirs(app, ed, comments, make_client, factory):
    other_editor = factory.user(email="elin@digg.example", roles=(Role.EDITOR,), organisation="DIGG")
    other = make_client()
    other.login(other_editor.email)
    cid = comments["plain"]
    assert decide(other, cid, status="accepted", response="Bra.").status_code == 302
    late = decide(ed, cid, "?v=2", IN_PLACE, status="noted", response="Mitt svar.")
    assert late.status_code == 409
    body = late.get_json()
    assert "En annan redaktör ändrade beslutet" in body["message"]
    # Theirs is on the card (badge), mine is still in the form, with their row version to overwrite.
    assert '<span class="badge status status--accepted">Beaktad</span>' in body["card"]
    assert re.search(r'value="noted"[^>]*checked', body["card"])
    assert "Mitt svar." in body["card"]
    assert 'name="row_version" value="2"' in body["card"]
    assert comment(app, cid).status is CommentStatus.ACCEPTED


def test_in_place_on_a_withdrawn_comment_says_so(app, ed, comments, make_client, people):
    member = make_client()
    member.login(people["maja"].email)
    member.post(f"/comments/{comments['plain']}/withdraw")
    response = decide(ed, comments["plain"], "?v=2", IN_PLACE, status="accepted", response="Ja.")
    assert response.status_code == 409
    body = response.get_json()
    assert "har dragit tillbaka synpunkten" in body["message"]
    assert "decide-card" not in body["card"]  # a withdrawn comment has nothing to decide
    assert comment(app, comments["plain"]).status is CommentStatus.WITHDRAWN


def test_in_place_on_a_comment_hidden_meanwhile_changes_nothing(app, ed, comments):
    cid = comments["plain"]
    assert ed.post(f"/comments/{cid}/hide", {"reason": "Personuppgifter."}).status_code == 302
    response = decide(ed, cid, "?v=2", IN_PLACE, status="noted")
    assert response.status_code == 409
    assert "En moderator dolde synpunkten" in response.get_json()["message"]
    assert comment(app, cid).status is CommentStatus.OPEN


def test_without_script_the_dashboard_keeps_filters_page_and_place(app, ed, doc, comments, people):
    # Dashboard order on version 2: #4 (general), #2 (a), #1 (b), #3 (c).
    query = "?v=2&unanswered=1&kind=comment"
    response = decide(ed, comments["carried"], query, status="noted")
    assert response.status_code == 302
    url = urlsplit(response.location)
    assert url.path == "/d/vl/v/2/review"
    assert parse_qs(url.query) == {"unanswered": ["1"], "kind": ["comment"]}
    # The next undecided comment after #1 in that order (and filter) is #3.
    assert url.fragment == "c-3"
    page = ed.get(response.location)
    assert "Varför inte CC BY?" not in page.text  # decided: no longer "not yet decided"
    assert "Bra stycke." in page.text
    # After the last one the flow wraps to the first undecided comment in the filtered order.
    again = decide(ed, comments["plain"], query, status="noted")
    assert urlsplit(again.location).fragment == "c-4"


def test_the_page_is_kept(app, ed, doc, comments, people, monkeypatch):
    monkeypatch.setattr("app.review.dashboard.PAGE_SIZE", 2)
    # Page 2 holds #1 and #3; deciding #1 returns to page 2 at #3.
    response = decide(ed, comments["carried"], "?v=2&page=2", status="noted")
    url = urlsplit(response.location)
    assert parse_qs(url.query) == {"page": ["2"]} and url.fragment == "c-3"
    page = ed.get(response.location)
    assert 'aria-current="page">2<' in page.text and "Bra stycke." in page.text


def test_save_and_next_goes_to_the_next_undecided_comment(app, ed, comments):
    response = decide(ed, comments["general"], "?v=2&suggestion=", status="noted", next="1")
    assert response.status_code == 302
    url = urlsplit(response.location)
    assert url.path == f"/d/vl/review/c/{comments['suggest']}"
    assert parse_qs(url.query) == {"v": ["2"]}
    page = ed.get(response.location)
    assert "Beslutet om synpunkt #4 har sparats." in page.text
    assert "Spara och nästa" in page.text
    # The paragraph as it stands is on the decision page.
    assert "Stycket i version Utkast 2" in page.text


def test_the_card_and_decision_page_show_the_paragraph_with_the_quote_or_the_changes(app, ed, doc, people):
    with app.app_context():
        quoted = add_comment(doc, "a", people["maja"], version_number=2, body="Ordval.", quote="CC BY 4.0")
        changed = add_comment(doc, "b", people["maja"], version_number=1, body="Ändrat sedan.")
    page = ed.get(f"/d/vl/review/c/{quoted}?v=2").text
    assert "Myndigheter bör välja <mark>CC BY 4.0</mark> för sitt material." in page
    card = ed.get("/d/vl/v/2/review").text
    assert "<mark>CC BY 4.0</mark>" in card
    # Made on version 1: "bör" became "ska" in version 2, so the card shows the word diff.
    changed_page = ed.get(f"/d/vl/review/c/{changed}?v=2").text
    assert "ändrat sedan synpunkten" in changed_page
    assert "<del>bör</del>" in changed_page and "<ins>ska</ins>" in changed_page


def test_applying_twice_is_a_clear_409_and_the_card_says_applied(app, ed, doc, comments):
    ed.post("/d/vl/draft/start", {"label": ""})
    cid = comments["suggest"]
    shown = form_fields(ed.get(f"/d/vl/review/c/{cid}?v=2&kind=suggestion").text, "apply-form")
    first = ed.post(f"/d/vl/review/c/{cid}/apply?v=2&kind=suggestion", shown)
    assert first.status_code == 302
    assert parse_qs(urlsplit(first.location).query) == {"v": ["2"], "kind": ["suggestion"]}
    second = ed.post(f"/d/vl/review/c/{cid}/apply?v=2", shown)
    assert second.status_code == 409
    assert "Förslaget är redan infört i arbetsutkastet" in second.text
    assert "Stycket har ändrats sedan" not in second.text
    board = ed.get("/d/vl/v/2/review").text
    card = board[board.index('id="c-2"') :]
    card = card[: card.index("</li>")]
    assert "Infört i arbetsutkastet" in card
    assert "För in förslaget" not in card


def test_the_apply_buttons_accessible_name_starts_with_its_text(app, ed, doc, comments):
    ed.post("/d/vl/draft/start", {"label": ""})
    board = ed.get("/d/vl/v/2/review").text
    apply_form = re.search(
        r'<form method="post" class="inline-form apply-form" action="/d/vl/review/c/\d+/apply.*?</form>',
        board,
        re.S,
    )
    button = re.search(r"<button[^>]*>(.*?)</button>", apply_form.group(0), re.S).group(1)
    visible = re.sub(r'<span class="visually-hidden">.*?</span>', "", button).strip()
    name = re.sub(r"<[^>]+>", "", button).strip()
    assert visible == "För in förslaget"
    assert name == "För in förslaget i #2 i utkastet"
    # The same for the "Decide" disclosure: visible text first, then which comment.
    assert '<summary>Besluta<span class="visually-hidden"> om synpunkt #3</span></summary>' in board


def test_bulk_decision_keeps_filters_and_refuses_foreign_ids(app, ed, comments, factory, people):
    ids = [f"{comments['carried']}:1", f"{comments['plain']}:1"]
    done = ed.post("/d/vl/v/2/review?kind=comment&unanswered=1", {"comment": ids, "status": "noted"})
    assert done.status_code == 302
    assert parse_qs(urlsplit(done.location).query) == {"kind": ["comment"], "unanswered": ["1"]}
    other = factory.document(slug="annat", versions=[V1])
    with app.app_context():
        foreign = add_comment(other, "a", people["maja"], body="Annat dokument.")
    # Issue 23: the foreign one is refused with its reason, the rest saved (was: 403, nothing saved).
    refused = ed.post(
        "/d/vl/v/2/review", {"comment": [f"{comments['general']}:1", f"{foreign}:1"], "status": "noted"}
    )
    assert refused.status_code == 302
    assert "1 markerad synpunkt hör inte till det här dokumentet: avvisad." in ed.get(refused.location).text
    assert comment(app, comments["general"]).status is CommentStatus.NOTED
    assert comment(app, foreign).status is CommentStatus.OPEN


def test_a_bulk_decision_in_place_returns_the_cards(app, ed, comments):
    ids = [f"{comments['carried']}:1", f"{comments['plain']}:1"]
    done = ed.post("/d/vl/v/2/review?unanswered=1", {"comment": ids, "status": "noted"}, headers=IN_PLACE)
    assert done.status_code == 200
    body = done.get_json()
    assert body["ok"] and body["message"] == "Beslut registrerat för 2 synpunkter."
    assert body["report"] == []
    assert set(body["cards"]) == {"1", "3"}
    assert 'data-status="noted"' in body["cards"]["1"] and 'data-status="noted"' in body["cards"]["3"]
    assert {comment(app, comments[k]).status for k in ("carried", "plain")} == {CommentStatus.NOTED}
    # Something to correct: the script is told to send the form as a page, nothing changes.
    refused = ed.post(
        "/d/vl/v/2/review", {"comment": [f"{comments['general']}:1"], "status": "rejected"}, headers=IN_PLACE
    )
    assert refused.status_code == 400 and refused.get_json()["ok"] is False
    assert comment(app, comments["general"]).status is CommentStatus.OPEN


def test_the_bulk_bar_offers_select_all_with_the_page_count(ed, comments):
    board = ed.get("/d/vl/v/2/review").text
    assert 'form="bulk-form"' in board
    assert "Markera alla på sidan (4)" in board
    assert '<form id="bulk-form" class="bulk-bar"' in board


def test_status_colours_in_css_match_the_palette():
    css = CSS.read_text(encoding="utf-8")
    for status, (text, background) in STATUS_COLOURS.items():
        rule = re.search(rf"\.badge\.status--{status.value} \{{ color: #(\w+); background: #(\w+); \}}", css)
        assert rule, status
        assert (rule.group(1).upper(), rule.group(2).upper()) == (text.upper(), background.upper())


def test_every_page_uses_the_status_colours(app, ed, comments, make_client, people):
    decide(ed, comments["carried"], status="rejected", response="Nej.")
    assert '<span class="badge status status--rejected">Ej beaktad</span>' in ed.get("/d/vl/v/2/review").text
    assert "status--rejected" in ed.get(f"/d/vl/review/c/{comments['carried']}").text
    member = make_client()
    member.login(people["maja"].email)
    assert '<span class="badge status status--rejected">Ej beaktad</span>' in member.get("/d/vl/mine").text
    assert "status--rejected" in member.get("/d/vl/v/1").text


@pytest.mark.parametrize(
    ("label", "following"),
    [
        ("Utkast 2", "Utkast 3"),
        ("v0.2", "v0.3"),
        ("0.9", "0.10"),
        ("v09", "v10"),
        ("Remiss 2020-2", "Remiss 2020-3"),
        ("3", "4"),
        ("Slutversion", ""),
        ("", ""),
    ],
)
def test_next_label_follows_the_pattern(label, following):
    assert next_label(label) == following


def test_start_the_next_draft_proposes_the_next_label(app, ed, doc):
    with app.app_context():
        from app.documents.models import Document, Version

        version = db.session.scalar(
            db.select(Version).join(Document).where(Document.slug == "vl", Version.number == 2)
        )
        version.label = "Utkast 2"
        db.session.commit()
    page = ed.get("/d/vl/draft").text
    assert 'value="Utkast 3"' in page


def test_publishing_with_undecided_comments_warns_with_the_count(app, ed, doc, comments):
    ed.post("/d/vl/draft/start", {"label": ""})
    uid = doc.block_uids["c"]
    ed.post(
        f"/d/vl/draft/b/{uid}", {"kind": "paragraph", "level": "1", "text": "Nytt.", "base_revision": "1"}
    )
    decide(ed, comments["general"], status="noted")
    page = ed.get("/d/vl/draft/publish").text
    # #1 (carried), #2 and #3 are undecided on version 2; #4 is decided; the reply does not count.
    assert "3 synpunkter på version Utkast 2 är fortfarande öppna." in page
    assert 'href="/d/vl/v/2/review?unanswered=1"' in page
    form = {"label": "3", "summary": "Ändrat."}
    refused = ed.post("/d/vl/draft/publish", form)
    assert refused.status_code == 400
    assert "kryssa i rutan för att publicera ändå" in refused.text
    published = ed.post("/d/vl/draft/publish", {**form, "confirm_undecided": "y"})
    assert published.status_code == 302


def test_publishing_with_every_comment_decided_asks_nothing(app, ed, doc, comments):
    ed.post("/d/vl/draft/start", {"label": ""})
    uid = doc.block_uids["c"]
    ed.post(
        f"/d/vl/draft/b/{uid}", {"kind": "paragraph", "level": "1", "text": "Nytt.", "base_revision": "1"}
    )
    # Each ticked comment with the row version it was shown with (issue 23).
    ids = [f"{comments[k]}:1" for k in ("carried", "suggest", "plain", "general")]
    ed.post("/d/vl/v/2/review", {"comment": ids, "status": "noted"})
    assert "ännu inte beslutad" not in ed.get("/d/vl/draft/publish").text
    assert ed.post("/d/vl/draft/publish", {"label": "3", "summary": "Ändrat."}).status_code == 302


def test_the_draft_says_it_is_a_draft_never_an_earlier_version(app, ed, doc):
    ed.post("/d/vl/draft/start", {"label": "Utkast 3"})
    reading = ed.get("/d/vl/v/3").text
    assert "Arbetsutkast, inte publicerat" in reading
    assert "Du läser en tidigare version" not in reading
    assert '<option value="3" selected>Utkast 3 (arbetsutkast, inte publicerat)</option>' in reading
    assert "Arbetsutkast Utkast 3, inte publicerat" in ed.get("/d/vl/draft").text
    compare = ed.get("/d/vl/compare/2..3").text
    assert "Ändringar från Utkast 2 till arbetsutkastet Utkast 3" in compare


def _options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="(\d+)"', select)


def test_compare_menus_list_only_the_versions_that_fit(app, factory, ed, make_client):
    factory.document(slug="tre", versions=[V1, V2, V2[:3], V1])
    page = ed.get("/d/tre/compare/2..3").text
    assert _options(page, "compare-a") == ["1", "2"]
    assert _options(page, "compare-b") == ["3", "4"]
    # The draft is in the editors' menu (and named as a draft), never in a reader's.
    ed.post("/d/tre/draft/start", {"label": ""})
    page = ed.get("/d/tre/compare/3..5").text
    assert _options(page, "compare-b") == ["4", "5"]
    assert "(arbetsutkast, inte publicerat)" in page
    reader = make_client()
    assert _options(reader.get("/d/tre/compare/3..4").text, "compare-b") == ["4"]


def test_compare_picker_puts_the_older_version_left_and_refuses_the_same_twice(factory, client):
    factory.document(slug="tre", versions=[V1, V2, V1])
    assert client.get("/d/tre/compare?a=3&b=1").location.endswith("/d/tre/compare/1..3")
    same = client.get("/d/tre/compare?a=2&b=2")
    assert same.location.endswith("/d/tre/compare/1..2")
    assert "Välj två olika versioner" in client.get(same.location).text


def test_a_decision_in_place_costs_a_constant_number_of_queries(
    app, ed, doc, comments, people, count_queries
):
    def queries(cid, status):
        with count_queries() as counted:
            assert decide(ed, cid, "?v=2", IN_PLACE, status=status).status_code == 200
        return len(counted)

    few = queries(comments["plain"], "noted")
    with app.app_context():
        later = add_comment(doc, "c", people["maja"], version_number=2, body="Senare.")
        for i in range(30):
            parent = add_comment(doc, "c", people["mats"], version_number=2, body=f"Fler {i}")
            add_comment(
                doc,
                "c",
                people["maja"],
                version_number=2,
                body="Svar",
                parent=db.session.get(Comment, parent),
            )
    assert queries(later, "noted") == few
