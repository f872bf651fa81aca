"""Editors' decisions through HTTP: the dashboard, deciding, bulk decisions, notes, applying suggestions."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit import AuditEvent
from app.documents.models import Block, BlockRevision, Document, Version
from app.extensions import db
from app.review.models import Comment, CommentKind, CommentStatus
from tests.conftest import add_comment
from tests.review.applying import form_fields

V1 = [
    ("h", "heading", 1, "Öppna licenser"),
    ("a", "paragraph", 1, "Myndigheter bör välja CC BY 4.0 för sitt material."),
    ("b", "paragraph", 1, "Data bör publiceras med CC0."),
]
V2 = [
    ("h", "heading", 1, "Öppna licenser"),
    ("a", "paragraph", 1, "Myndigheter bör välja CC BY 4.0 för sitt material."),
    ("b", "paragraph", 1, "Data ska publiceras med CC0."),
    ("c", "paragraph", 1, "Ett nytt stycke i version 2."),
]


@pytest.fixture
def doc(factory):
    return factory.document(slug="vl", versions=[V1, V2])


@pytest.fixture
def people(factory):
    return {
        "editor": factory.user(
            email="erik@prv.example",
            name="Erik Redaktör",
            roles=(Role.EDITOR, Role.MEMBER),
            organisation="PRV",
        ),
        "maja": factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken"),
        "mats": factory.user(email="mats@example.org", name="Mats Medlem", organisation="Alingsås kommun"),
    }


@pytest.fixture
def ed(make_client, people):
    client = make_client()
    client.login(people["editor"].email)
    return client


@pytest.fixture
def comments(app, doc, people):
    """#1 open on v1 (carried forward), #2 and #3 on v2, #4 a general comment, #5 a reply."""
    with app.app_context():
        ids = {
            "carried": add_comment(doc, "b", people["maja"], version_number=1, body="Varför inte CC BY?"),
            "suggest": add_comment(
                doc,
                "a",
                people["mats"],
                version_number=2,
                body="Förtydliga.",
                kind=CommentKind.SUGGESTION,
                suggestion="Myndigheter ska välja CC BY 4.0 för sitt material.",
            ),
            "plain": add_comment(doc, "c", people["maja"], version_number=2, body="Bra stycke."),
            "general": add_comment(doc, None, people["mats"], version_number=2, body="Bra helhet."),
        }
        parent = db.session.get(Comment, ids["plain"])
        ids["reply"] = add_comment(
            doc, "c", people["mats"], version_number=2, body="Håller med.", parent=parent
        )
    return ids


def comment(app, comment_id) -> Comment:
    with app.app_context():
        c = db.session.get(Comment, comment_id)
        db.session.expunge(c)
        return c


def test_dashboard_lists_every_comment_grouped_by_block_with_counts(ed, comments):
    page = ed.get("/d/vl/v/2/review")
    assert page.status_code == 200
    text = page.text
    for body in ("Varför inte CC BY?", "Förtydliga.", "Bra stycke.", "Bra helhet."):
        assert body in text
    # General comments first, then the blocks in document order; the reply sits inside its thread.
    assert (
        text.index("Bra helhet.")
        < text.index("Förtydliga.")
        < text.index("Varför inte CC BY?")
        < text.index("Bra stycke.")
    )
    assert "Håller med." in text
    assert re.search(r'status--open">Öppen</span>: <strong data-count="open">4</strong>', text)


def test_dashboard_filters(ed, comments, app):
    assert "Förtydliga." in ed.get("/d/vl/v/2/review?suggestion=1").text
    assert "Bra stycke." not in ed.get("/d/vl/v/2/review?suggestion=1").text
    assert "Bra helhet." not in ed.get("/d/vl/v/2/review?kind=suggestion").text
    with app.app_context():
        org_id = db.session.get(Comment, comments["carried"]).organisation_id
    by_org = ed.get(f"/d/vl/v/2/review?org={org_id}").text
    assert "Varför inte CC BY?" in by_org and "Förtydliga." not in by_org
    ed.post(
        f"/d/vl/review/c/{comments['plain']}",
        {"status": "noted", "response": "", "editor_note": "", "row_version": "1"},
    )
    assert "Bra stycke." not in ed.get("/d/vl/v/2/review?unanswered=1").text
    assert "Bra stycke." in ed.get("/d/vl/v/2/review?status=noted").text
    # Nonsense filters are ignored, not a 500.
    assert ed.get("/d/vl/v/2/review?status=bogus&org=x&page=-3&kind=%00").status_code == 200


def test_decide_with_response_and_members_see_it_but_not_the_note(app, ed, comments, make_client, people):
    cid = comments["carried"]
    form = ed.get(f"/d/vl/review/c/{cid}")
    assert form.status_code == 200
    response = ed.post(
        f"/d/vl/review/c/{cid}",
        {
            "status": "rejected",
            "response": "CC0 passar **data** bättre.",
            "editor_note": "Tas upp på mötet.",
            "row_version": "1",
        },
    )
    assert response.status_code == 302
    decided = comment(app, cid)
    assert decided.status is CommentStatus.REJECTED
    assert decided.response_html == "<p>CC0 passar <strong>data</strong> bättre.</p>"
    assert decided.decided_by_id == people["editor"].id and decided.decided_at is not None
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "comment.decide"))
        assert event.data["before"]["status"] == "open" and event.data["after"]["status"] == "rejected"
    member = make_client()
    member.login(people["maja"].email)
    page = member.get("/d/vl/v/1").text
    assert "CC0 passar <strong>data</strong> bättre." in page
    assert "Ej beaktad" in page
    assert "Tas upp på mötet." not in page
    assert "Tas upp på mötet." not in member.get("/d/vl/v/1/overview").text
    assert "Tas upp på mötet." not in make_client().get("/d/vl/v/1").text


@pytest.mark.parametrize("status", ["rejected", "partly_accepted"])
def test_a_reason_is_required_for_rejected_and_partly_accepted(app, ed, comments, status):
    cid = comments["plain"]
    response = ed.post(f"/d/vl/review/c/{cid}", {"status": status, "response": "  ", "row_version": "1"})
    assert response.status_code == 400
    assert "motivering" in response.text
    assert comment(app, cid).status is CommentStatus.OPEN


def test_duplicate_needs_an_existing_other_comment(app, ed, comments):
    cid = comments["plain"]
    number = comment(app, cid).number
    assert (
        ed.post(
            f"/d/vl/review/c/{cid}", {"status": "duplicate", "duplicate_of": "", "row_version": "1"}
        ).status_code
        == 400
    )
    assert (
        ed.post(
            f"/d/vl/review/c/{cid}", {"status": "duplicate", "duplicate_of": "999", "row_version": "1"}
        ).status_code
        == 400
    )
    assert (
        ed.post(
            f"/d/vl/review/c/{cid}", {"status": "duplicate", "duplicate_of": str(number), "row_version": "1"}
        ).status_code
        == 400
    )
    target = comment(app, comments["carried"])
    ok = ed.post(
        f"/d/vl/review/c/{cid}",
        {"status": "duplicate", "duplicate_of": f"#{target.number}", "row_version": "1"},
    )
    assert ok.status_code == 302
    assert comment(app, cid).duplicate_of_id == target.id


def test_a_decision_made_meanwhile_is_a_conflict_not_an_overwrite(app, ed, comments, make_client, factory):
    other_editor = factory.user(email="elin@digg.example", roles=(Role.EDITOR,), organisation="DIGG")
    other = make_client()
    other.login(other_editor.email)
    cid = comments["plain"]
    assert ed.post(f"/d/vl/review/c/{cid}", {"status": "noted", "row_version": "1"}).status_code == 302
    late = other.post(f"/d/vl/review/c/{cid}", {"status": "accepted", "response": "Bra.", "row_version": "1"})
    assert late.status_code == 409
    assert comment(app, cid).status is CommentStatus.NOTED


def test_reopening_clears_the_decision(app, ed, comments):
    cid = comments["plain"]
    ed.post(f"/d/vl/review/c/{cid}", {"status": "accepted", "response": "Ja.", "row_version": "1"})
    ed.post(f"/d/vl/review/c/{cid}", {"status": "open", "response": "Ja.", "row_version": "2"})
    reopened = comment(app, cid)
    assert reopened.status is CommentStatus.OPEN and reopened.decided_at is None


def test_withdrawn_comments_and_replies_are_not_decided(app, ed, comments, make_client, people):
    member = make_client()
    member.login(people["maja"].email)
    member.post(f"/comments/{comments['plain']}/withdraw")
    assert (
        ed.post(f"/d/vl/review/c/{comments['plain']}", {"status": "accepted", "row_version": "2"}).status_code
        == 409
    )
    assert comment(app, comments["plain"]).status is CommentStatus.WITHDRAWN
    assert ed.get(f"/d/vl/review/c/{comments['reply']}").status_code == 404


def test_bulk_decision(app, ed, comments):
    # Each ticked comment with the row version it was shown with (issue 23).
    ids = [f"{comments['carried']}:1", f"{comments['general']}:1"]
    missing_reason = ed.post("/d/vl/v/2/review", {"comment": ids, "status": "rejected", "response": ""})
    assert missing_reason.status_code == 400
    nothing_ticked = ed.post("/d/vl/v/2/review", {"status": "noted", "response": ""})
    assert nothing_ticked.status_code == 400
    response = ed.post("/d/vl/v/2/review", {"comment": ids, "status": "noted", "response": "Tack."})
    assert response.status_code == 302
    assert {comment(app, comments[k]).status for k in ("carried", "general")} == {CommentStatus.NOTED}
    assert comment(app, comments["plain"]).status is CommentStatus.OPEN
    # A carried-forward comment decided on version 2 stays on version 2's dashboard.
    assert "Varför inte CC BY?" in ed.get("/d/vl/v/2/review").text


def test_decisions_on_another_documents_comment_are_refused(app, ed, comments, factory, people):
    other = factory.document(slug="annat", versions=[V1])
    with app.app_context():
        foreign = add_comment(other, "a", people["maja"], body="Annat dokument.")
    assert ed.get(f"/d/vl/review/c/{foreign}").status_code == 403
    assert ed.post(f"/d/vl/review/c/{foreign}", {"status": "noted", "row_version": "1"}).status_code == 403
    assert ed.post(f"/d/vl/review/c/{foreign}/apply").status_code == 403
    # In a bulk decision the foreign one is refused with its reason and the rest saved (issue 23).
    bulk = ed.post(
        "/d/vl/v/2/review", {"comment": [f"{comments['plain']}:1", f"{foreign}:1"], "status": "noted"}
    )
    assert bulk.status_code == 302
    assert comment(app, comments["plain"]).status is CommentStatus.NOTED
    assert comment(app, foreign).status is CommentStatus.OPEN


def test_members_cannot_decide(make_client, people, comments):
    member = make_client()
    member.login(people["maja"].email)
    assert member.get("/d/vl/v/2/review").status_code == 403
    assert member.post(f"/d/vl/review/c/{comments['plain']}", {"status": "noted"}).status_code == 403
    assert member.post(f"/d/vl/review/c/{comments['suggest']}/apply").status_code == 403


def draft_text(app, uid):
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.slug == "vl"))
        return db.session.scalar(
            sa.select(BlockRevision.text)
            .join(Block)
            .where(BlockRevision.version_id == document.draft.id, Block.uid == uid)
        )


def test_apply_needs_a_draft(app, ed, comments):
    response = ed.post(f"/d/vl/review/c/{comments['suggest']}/apply")
    assert response.status_code == 409
    assert "Starta nästa utkast" in response.text
    assert comment(app, comments["suggest"]).status is CommentStatus.OPEN


def applying(ed, comment_id):
    """Press the decision page's "Apply the suggested wording" (what the page showed is posted)."""
    page = ed.get(f"/d/vl/review/c/{comment_id}").text
    return ed.post(f"/d/vl/review/c/{comment_id}/apply", form_fields(page, "apply-form"))


def test_apply_replaces_the_block_and_accepts_the_comment(app, ed, doc, comments):
    ed.post("/d/vl/draft/start", {"label": ""})
    response = applying(ed, comments["suggest"])
    assert response.status_code == 302
    assert draft_text(app, doc.block_uids["a"]) == "Myndigheter ska välja CC BY 4.0 för sitt material."
    applied = comment(app, comments["suggest"])
    assert applied.status is CommentStatus.ACCEPTED
    with app.app_context():
        draft = db.session.scalar(sa.select(Version).where(Version.number == 3))
    assert applied.resolved_in_version_id == draft.id
    # The response stays editable on the decision page.
    page = ed.get(response.location)
    assert page.status_code == 200 and re.search(r'checked[^>]*value="accepted"', page.text)
    assert (
        ed.post(
            response.location,
            {"status": "accepted", "response": "Infört.", "row_version": str(applied.row_version)},
        ).status_code
        == 302
    )
    assert comment(app, comments["suggest"]).response == "Infört."
    # The compare view shows the decided comment beside the changed block.
    compare = ed.get("/d/vl/compare/2..3")
    assert compare.status_code == 200 and f"#c-{applied.number}" in compare.text


def test_apply_a_suggestion_that_quotes_words_applies_its_whole_paragraph(app, ed, doc, people):
    # The quote is what the member pointed at; the suggestion is the whole paragraph (issue 22).
    with app.app_context():
        cid = add_comment(
            doc,
            "b",
            people["maja"],
            version_number=2,
            body="Byt ord.",
            kind=CommentKind.SUGGESTION,
            quote="ska publiceras",
            suggestion="Data bör <em>alltid</em> publiceras med CC0.",
        )
    ed.post("/d/vl/draft/start", {"label": ""})
    assert applying(ed, cid).status_code == 302
    assert draft_text(app, doc.block_uids["b"]) == "Data bör <em>alltid</em> publiceras med CC0."


def test_apply_shows_the_conflict_when_the_block_changed(app, ed, doc, comments):
    ed.post("/d/vl/draft/start", {"label": ""})
    uid = doc.block_uids["a"]
    shown = form_fields(ed.get(f"/d/vl/review/c/{comments['suggest']}").text, "apply-form")
    ed.post(
        f"/d/vl/draft/b/{uid}",
        {"kind": "paragraph", "level": "1", "text": "Redan omskrivet.", "base_revision": "1"},
    )
    response = ed.post(f"/d/vl/review/c/{comments['suggest']}/apply", shown)
    assert response.status_code == 409
    assert "<ins>Redan omskrivet</ins>." in response.text
    assert "Myndigheter bör välja CC BY 4.0 för sitt material." in response.text
    assert draft_text(app, uid) == "Redan omskrivet."
    assert comment(app, comments["suggest"]).status is CommentStatus.OPEN


def test_apply_to_a_block_that_is_gone(app, ed, doc, comments):
    ed.post("/d/vl/draft/start", {"label": ""})
    uid = doc.block_uids["a"]
    ed.post(f"/d/vl/draft/b/{uid}/remove", {"base_revision": "1"})
    response = ed.post(f"/d/vl/review/c/{comments['suggest']}/apply")
    assert response.status_code == 409
    assert "finns inte längre i utkastet" in response.text
    assert comment(app, comments["suggest"]).status is CommentStatus.OPEN


def test_dashboard_queries_do_not_grow_with_comments(app, ed, doc, people, count_queries):
    def queries():
        with count_queries() as counted:
            assert ed.get("/d/vl/v/2/review").status_code == 200
        return len(counted)

    with app.app_context():
        for i in range(3):
            add_comment(doc, "a", people["maja"], version_number=2, body=f"Synpunkt {i}")
    # The first visit also reads the published version's layout, which the process then keeps.
    cold = queries()
    few = queries()
    assert few == cold - 1
    with app.app_context():
        for i in range(40):
            parent = add_comment(doc, "bc"[i % 2], people["mats"], version_number=2, body=f"Fler {i}")
            add_comment(
                doc,
                "c",
                people["maja"],
                version_number=2,
                body="Svar",
                parent=db.session.get(Comment, parent),
            )
    assert queries() == few
    assert few <= 12


def test_members_follow_their_comments_and_what_changed_since(app, make_client, ed, doc, comments, people):
    ed.post(
        f"/d/vl/review/c/{comments['carried']}",
        {"status": "partly_accepted", "response": "Delvis infört.", "row_version": "1"},
    )
    member = make_client()
    member.login(people["maja"].email)
    page = member.get("/d/vl/mine")
    assert page.status_code == 200
    text = page.text
    assert "Varför inte CC BY?" in text and "Delvis beaktad" in text and "Delvis infört." in text
    assert "Bra stycke." in text  # made on the current version: no comparison needed
    assert "/d/vl/compare/1..2" in text
    assert "Bra helhet." not in text  # someone else's
    # On the earlier version itself, the comment links to what changed since.
    assert "/d/vl/compare/1..2" in member.get("/d/vl/v/1").text


def test_applying_is_a_decision_like_any_other(app, ed, doc, comments, people):
    """The commenter is told, and the audit log holds the decision and the application."""
    from app.notifications.models import Notification, NotificationKind

    ed.post("/d/vl/draft/start", {"label": ""})
    assert applying(ed, comments["suggest"]).status_code == 302
    with app.app_context():
        told = db.session.scalars(
            sa.select(Notification).where(
                Notification.user_id == people["mats"].id, Notification.kind == NotificationKind.DECISION
            )
        ).all()
        assert [n.comment_id for n in told] == [comments["suggest"]]
        actions = db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.object_id == comments["suggest"])
            .order_by(AuditEvent.id)
        ).all()
        assert actions[-2:] == ["comment.decide", "suggestion.apply"]


def test_a_withdrawn_suggestion_is_not_applied(app, ed, doc, comments, make_client, people):
    author = make_client()
    author.login(people["mats"].email)
    assert author.post(f"/comments/{comments['suggest']}/withdraw").status_code == 302
    ed.post("/d/vl/draft/start", {"label": ""})
    response = ed.post(f"/d/vl/review/c/{comments['suggest']}/apply")
    assert response.status_code == 409
    assert "dragit tillbaka" in response.text
    assert draft_text(app, doc.block_uids["a"]) == "Myndigheter bör välja CC BY 4.0 för sitt material."
    assert comment(app, comments["suggest"]).status is CommentStatus.WITHDRAWN
