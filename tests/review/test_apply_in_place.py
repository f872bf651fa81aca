"""Applying a suggestion from a dashboard card through HTTP: the card back as JSON with a script,
the dashboard (same filters, page, at the card) without one, and every refusal changing nothing.

The card shows the paragraph as it would read before its button is pressed, and the button posts
what the card showed (the draft's revision, the comment's row version, the changes): a paragraph
changed meanwhile sends the card back with the new preview, nothing applied."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.audit import AuditEvent
from app.extensions import db
from app.review.models import Comment, CommentKind, CommentStatus
from tests.conftest import add_comment
from tests.review import test_decisions as base
from tests.review.applying import card_form, form_fields

V1, V2, comment, draft_text = base.V1, base.V2, base.comment, base.draft_text
doc, people, ed, comments = base.doc, base.people, base.ed, base.comments

IN_PLACE = {"X-Requested-With": "fetch", "Accept": "application/json"}
BEFORE = "Myndigheter bör välja CC BY 4.0 för sitt material."
AFTER = "Myndigheter ska välja CC BY 4.0 för sitt material."


@pytest.fixture
def draft(ed, doc):
    assert ed.post("/d/vl/draft/start", {"label": ""}).status_code == 302


def apply(client, comment_id, query="?v=2", headers=None, shown=None, **form):
    """Post a card's "Apply suggestion" form as the card on the dashboard wrote it (*shown*: a
    card read earlier), with ``back=dashboard``; *form* overrides fields."""
    if shown is None:
        app = client.application
        with app.app_context():
            found = db.session.get(Comment, comment_id)
            number = found.number if found is not None else 0
        # The dashboard the card is on: the same filters and page.
        rest = "&".join(p for p in query.lstrip("?").split("&") if p and not p.startswith("v="))
        try:
            shown = card_form(client, number, "/d/vl/v/2/review" + (f"?{rest}" if rest else ""))
        except (AssertionError, ValueError):
            shown = {}  # no button on the card (refused, applied): post the bare form
    data = {**shown, **form}
    data.setdefault("back", "dashboard")
    return client.post(f"/d/vl/review/c/{comment_id}/apply{query}", data, headers=headers or {})


def applications(app, comment_id) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.object_id == comment_id, AuditEvent.action == "suggestion.apply")
        )


def test_applying_in_place_returns_the_accepted_card_with_the_drafts_new_wording(
    app, ed, doc, comments, draft
):
    cid = comments["suggest"]
    response = apply(ed, cid, "?v=2&kind=suggestion", IN_PLACE)
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] and body["status"] == "accepted" and body["open"] is False
    assert body["status_label"] == "Beaktad"
    assert body["message"] == "Ändringsförslaget i #2 finns nu i arbetsutkastet och synpunkten är beaktad."
    card = body["card"]
    assert card.startswith('<li class="review-item triage-card" id="c-2"')
    assert 'data-status="accepted"' in card
    assert '<span class="badge status status--accepted">Beaktad</span>' in card
    # The control says it is done, and is no longer a button.
    assert '<p class="applied-note">Infört i arbetsutkastet</p>' in card
    assert "För in förslaget" not in card
    # The paragraph as the draft now has it, open, with the change marked.
    assert '<details class="paragraph-now" open>' in card
    assert "Stycket i arbetsutkastet" in card
    assert "<del>bör</del>" in card and "<ins>ska</ins>" in card
    # The decision form is ready for the response: accepted, the new row version, the same filters.
    applied = comment(app, cid)
    assert f'name="row_version" value="{applied.row_version}"' in card
    assert f'action="/d/vl/review/c/{cid}?v=2&amp;kind=suggestion"' in card
    assert f'value="accepted" id="d{cid}accepted" checked' in card
    assert applied.status is CommentStatus.ACCEPTED
    assert draft_text(app, doc.block_uids["a"]) == AFTER


def test_without_script_a_card_returns_to_the_dashboard_with_filters_page_and_the_card(
    app, ed, doc, people, comments, draft, monkeypatch
):
    monkeypatch.setattr("app.review.dashboard.PAGE_SIZE", 1)
    with app.app_context():
        second = add_comment(
            doc,
            "c",
            people["maja"],
            version_number=2,
            body="Skriv om.",
            kind=CommentKind.SUGGESTION,
            suggestion="Ett tydligare stycke i version 2.",
        )
    # Under "with suggested wording" #2 (on a) is on page 1 and #6 (on c) on page 2.
    response = apply(ed, second, "?v=2&suggestion=1&page=2")
    assert response.status_code == 302
    url = urlsplit(response.location)
    assert url.path == "/d/vl/v/2/review"
    assert parse_qs(url.query) == {"suggestion": ["1"], "page": ["2"]}
    assert url.fragment == "c-6"
    page = ed.get(response.location).text
    assert "Ändringsförslaget i #6 finns nu i arbetsutkastet och synpunkten är beaktad." in page
    assert 'aria-current="page">2<' in page
    card = page[page.index('id="c-6"') :]
    card = card[: card.index("</li>")]
    assert 'data-status="accepted"' in card and "Infört i arbetsutkastet" in card
    assert draft_text(app, doc.block_uids["c"]) == "Ett tydligare stycke i version 2."


def test_without_script_under_not_yet_decided_the_flow_goes_on_to_the_next_undecided(
    app, ed, comments, draft
):
    # Accepted, #2 leaves "not yet decided": its anchor would lead nowhere. Order: #4, #2, #1, #3.
    response = apply(ed, comments["suggest"], "?v=2&unanswered=1")
    url = urlsplit(response.location)
    assert parse_qs(url.query) == {"unanswered": ["1"]} and url.fragment == "c-1"
    assert comment(app, comments["suggest"]).status is CommentStatus.ACCEPTED


def test_from_the_decision_page_it_returns_to_the_decision_page(app, ed, comments, draft):
    cid = comments["suggest"]
    # The decision page shows the paragraph as it would read, and its button posts what it showed.
    decision = ed.get(f"/d/vl/review/c/{cid}?v=2&kind=suggestion").text
    assert "Med förslaget infört lyder stycket i utkastet så här" in decision
    assert "<del>bör</del><ins>ska</ins>" in decision
    shown = form_fields(decision, "apply-form")
    assert "back" not in shown and shown["take"] == ["1"] and shown["revision"] == ["1"]
    response = ed.post(f"/d/vl/review/c/{cid}/apply?v=2&kind=suggestion", shown)
    assert response.status_code == 302
    url = urlsplit(response.location)
    assert url.path == f"/d/vl/review/c/{cid}"
    assert parse_qs(url.query) == {"v": ["2"], "kind": ["suggestion"]}
    assert "Du kan skriva ett svar nedan." in ed.get(response.location).text


@pytest.mark.parametrize("back", ["decision", "https://elsewhere.example/", "dashboard\x00"])
def test_an_unknown_way_back_is_refused_and_nothing_changes(app, ed, doc, comments, draft, back):
    response = apply(ed, comments["suggest"], back=back)
    assert response.status_code == 400
    assert "Begäran kunde inte tolkas." in response.text
    assert comment(app, comments["suggest"]).status is CommentStatus.OPEN
    assert draft_text(app, doc.block_uids["a"]) == BEFORE


def test_applying_twice_in_place_is_409_already_applied_on_the_card(app, ed, doc, comments, draft):
    cid = comments["suggest"]
    assert apply(ed, cid, headers=IN_PLACE).status_code == 200
    accepted = comment(app, cid)
    again = apply(ed, cid, headers=IN_PLACE)
    assert again.status_code == 409
    body = again.get_json()
    assert body["ok"] is False and body["status"] == "accepted"
    assert body["message"] == "Förslaget är redan infört i arbetsutkastet. Ingenting ändrades."
    assert (
        '<p class="card-notice card-notice--error" tabindex="-1">'
        "Förslaget är redan infört i arbetsutkastet. Ingenting ändrades.</p>"
    ) in body["card"]
    assert "Infört i arbetsutkastet" in body["card"]
    assert "Stycket har ändrats" not in body["card"]
    # Nothing changed the second time.
    assert comment(app, cid).row_version == accepted.row_version
    assert applications(app, cid) == 1
    assert draft_text(app, doc.block_uids["a"]) == AFTER


def rewrite(ed, uid, text, base_revision=1):
    """Another editor saves the paragraph in the draft."""
    saved = ed.post(
        f"/d/vl/draft/b/{uid}",
        {"kind": "paragraph", "level": "1", "text": text, "base_revision": str(base_revision)},
    )
    assert saved.status_code == 302


def test_a_paragraph_changed_since_the_card_was_shown_sends_the_card_back_with_nothing_applied(
    app, ed, doc, comments, draft
):
    cid = comments["suggest"]
    uid = doc.block_uids["a"]
    shown = card_form(ed, 2, "/d/vl/v/2/review?kind=suggestion")
    assert shown["revision"] == ["1"]
    # Meanwhile another sentence of the paragraph changes: the merge is still clean, but the
    # editor has not seen the paragraph it would now make.
    rewrite(ed, uid, "Myndigheter bör välja CC BY 4.0 för allt sitt material.")
    response = apply(ed, cid, "?v=2&kind=suggestion", IN_PLACE, shown=shown)
    assert response.status_code == 409
    body = response.get_json()
    assert body["ok"] is False and body["status"] == "open"
    assert body["message"] == (
        "Stycket i utkastet eller förslaget har ändrats sedan du såg förhandsgranskningen. Ingenting "
        "ändrades. Se efter igen hur det ser ut nu."
    )
    card = body["card"]
    # The card shows the new preview and a button for it (revision 2) ...
    assert "Myndigheter <del>bör</del><ins>ska</ins> välja CC BY 4.0 för allt sitt material." in card
    assert 'name="revision" value="2"' in card
    assert draft_text(app, uid) == "Myndigheter bör välja CC BY 4.0 för allt sitt material."
    assert comment(app, cid).status is CommentStatus.OPEN
    # ... which applies the suggestion around the other editor's words.
    again = apply(ed, cid, "?v=2&kind=suggestion", IN_PLACE)
    assert again.status_code == 200
    assert draft_text(app, uid) == "Myndigheter ska välja CC BY 4.0 för allt sitt material."


def test_a_conflicting_change_in_place_says_so_on_the_card_with_the_way_to_the_conflict_view(
    app, ed, doc, comments, draft
):
    uid = doc.block_uids["a"]
    cid = comments["suggest"]
    shown = card_form(ed, 2)
    rewrite(ed, uid, "Redan omskrivet.")
    response = apply(ed, cid, "?v=2&kind=suggestion", IN_PLACE, shown=shown)
    assert response.status_code == 409
    body = response.get_json()
    assert body["ok"] is False and body["status"] == "open"
    card = body["card"]
    assert "card-notice--error" in card
    assert (
        f'<a href="/d/vl/review/c/{cid}/apply?v=2&amp;back=dashboard&amp;kind=suggestion">'
        "Lös konflikten för #2</a>"
    ) in card
    # The card sent back no longer offers a button that can only be refused again.
    assert "apply-form" not in card and "Utkastet har ändrats på samma ställe som förslaget." in card
    assert comment(app, cid).status is CommentStatus.OPEN
    assert draft_text(app, uid) == "Redan omskrivet."
    assert applications(app, cid) == 0


def test_a_card_whose_paragraph_conflicts_offers_the_conflict_view_not_a_button_that_would_fail(
    app, ed, doc, comments, draft
):
    uid = doc.block_uids["a"]
    cid = comments["suggest"]
    before = ed.get("/d/vl/v/2/review?kind=suggestion").text
    assert f"/d/vl/review/c/{cid}/apply?" in before and 'class="inline-form apply-form"' in before
    rewrite(ed, uid, "Myndigheter måste välja CC BY 4.0 för sitt material.")
    page = ed.get("/d/vl/v/2/review?kind=suggestion").text
    start = page.index(f'id="c-{comment(app, cid).number}"')
    card = page[start : page.index("</li>", start)]
    assert "apply-form" not in card and "apply-preview" not in card
    assert "Utkastet har ändrats på samma ställe som förslaget." in card
    link = f'<a href="/d/vl/review/c/{cid}/apply?v=2&amp;back=dashboard&amp;kind=suggestion">Lös konflikten'
    assert link in card
    # The decision page says the same, beside its word diff.
    decision = ed.get(f"/d/vl/review/c/{cid}?v=2").text
    assert "apply-form" not in decision
    assert "Utkastet har ändrats på samma ställe som förslaget." in decision
    assert f'<a href="/d/vl/review/c/{cid}/apply?v=2">Lös konflikten' in decision
    assert comment(app, cid).status is CommentStatus.OPEN


def test_a_card_whose_paragraph_changed_elsewhere_shows_the_merge_and_applies_it(
    app, ed, doc, comments, draft
):
    uid = doc.block_uids["a"]
    cid = comments["suggest"]
    rewrite(ed, uid, "Myndigheter bör välja CC BY 4.0 för allt sitt material, även bilder.")
    page = ed.get("/d/vl/v/2/review?kind=suggestion").text
    start = page.index('id="c-2"')
    card = page[start : page.index("</li>", start)]
    # The paragraph as it would read: the suggestion's change among the other editor's words.
    assert (
        '<p class="paragraph-text redline">Myndigheter <del>bör</del><ins>ska</ins> välja CC BY 4.0 för '
        "allt sitt material, även bilder.</p>"
    ) in card
    assert apply(ed, cid, "?v=2&kind=suggestion").status_code == 302
    assert draft_text(app, uid) == "Myndigheter ska välja CC BY 4.0 för allt sitt material, även bilder."
    assert comment(app, cid).status is CommentStatus.ACCEPTED


def test_without_script_a_stale_card_shows_the_preview_again(app, ed, doc, comments, draft):
    uid = doc.block_uids["a"]
    shown = card_form(ed, 2)
    rewrite(ed, uid, "Redan omskrivet.")
    response = apply(ed, comments["suggest"], shown=shown)
    assert response.status_code == 409
    assert "Lös konflikten: förslaget i #2" in response.text
    assert (
        "Stycket i utkastet eller förslaget har ändrats sedan du såg förhandsgranskningen." in response.text
    )
    # The conflict view: the three texts (the draft's marked against the one the comment was made on).
    assert BEFORE in response.text and "<ins>Redan omskrivet</ins>." in response.text
    assert comment(app, comments["suggest"]).status is CommentStatus.OPEN


def test_without_a_draft_in_place_the_card_says_to_start_one(app, ed, doc, comments):
    response = apply(ed, comments["suggest"], headers=IN_PLACE)
    assert response.status_code == 409
    body = response.get_json()
    assert body["message"] == "Starta nästa utkast innan du för in förslag."
    assert "Starta nästa utkast innan du för in förslag." in body["card"]
    assert comment(app, comments["suggest"]).status is CommentStatus.OPEN


def test_in_english_the_card_speaks_english(app, ed, doc, people, comments, draft):
    with app.app_context():
        db.session.get(User, people["editor"].id).language = "en"
        db.session.commit()
    done = apply(ed, comments["suggest"], headers=IN_PLACE).get_json()
    assert done["message"] == (
        "The suggested wording of #2 is now in the working draft and the comment is accepted."
    )
    assert "Applied in the working draft" in done["card"]
    again = apply(ed, comments["suggest"], headers=IN_PLACE).get_json()
    assert again["message"] == "This suggestion is already applied in the working draft. Nothing was changed."


def test_refusals_in_place_are_not_cards_and_change_nothing(
    app, ed, doc, comments, draft, factory, people, make_client
):
    other = factory.document(slug="annat", versions=[V1])
    with app.app_context():
        foreign = add_comment(
            other,
            "a",
            people["mats"],
            body="Annat dokument.",
            kind=CommentKind.SUGGESTION,
            suggestion="Något annat.",
        )
    # Another document's comment through this document: 403; no such comment, or a reply: 404.
    assert apply(ed, foreign, headers=IN_PLACE).status_code == 403
    assert apply(ed, 99999, headers=IN_PLACE).status_code == 404
    assert apply(ed, comments["reply"], headers=IN_PLACE).status_code == 404
    # A member is no editor; without the token nothing is applied either.
    member = make_client()
    member.login(people["maja"].email)
    assert apply(member, comments["suggest"], headers=IN_PLACE).status_code == 403
    unsigned = ed.post(
        f"/d/vl/review/c/{comments['suggest']}/apply?v=2", {"back": "dashboard"}, csrf=False, headers=IN_PLACE
    )
    assert unsigned.status_code == 400
    assert "json" not in unsigned.headers["Content-Type"]  # the script sends it as a page
    assert comment(app, foreign).status is CommentStatus.OPEN
    assert comment(app, comments["suggest"]).status is CommentStatus.OPEN
    assert draft_text(app, doc.block_uids["a"]) == BEFORE
    assert applications(app, comments["suggest"]) == 0
