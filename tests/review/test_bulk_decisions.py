"""Bulk decisions through HTTP (issue 23): a decision is never replaced without the editor knowing.

Each ticked comment carries the row version it was shown with; one changed meanwhile is skipped and
named. Comments that already have a decision are named in a confirm step ("Replace those decisions"
or "Skip them") that carries a signed summary; a confirm without it, or with another, is refused.
Foreign, withdrawn and hidden comments are refused one by one, the rest saved. The same in place.
"""

from __future__ import annotations

import html
import re

from app.accounts.models import Role
from app.extensions import db
from app.review.models import Comment, CommentStatus
from app.review.operations import decide as decide_op
from app.review.operations import hide_comment, withdraw_comment
from tests.conftest import add_comment
from tests.review import test_decisions as base

V1, comment = base.V1, base.comment
doc, people, ed, comments = base.doc, base.people, base.ed, base.comments

IN_PLACE = {"X-Requested-With": "fetch", "Accept": "application/json"}
BOARD = "/d/vl/v/2/review"


def ticked(app, *ids) -> list[str]:
    """The values the dashboard's checkboxes send: the comment and the row version it was shown with."""
    with app.app_context():
        return [f"{i}:{db.session.get(Comment, i).row_version}" for i in ids]


def decide_now(app, cid, status, editor_email, response="Svar."):
    """Another editor decides *cid* (through the operation, as their request would)."""
    from app.accounts.models import User

    with app.app_context():
        editor = db.session.scalar(db.select(User).where(User.email == editor_email))
        decide_op(
            db.session.get(Comment, cid), status=CommentStatus(status), response=response, editor=editor
        )
        db.session.commit()


def token_of(page: str) -> str:
    match = re.search(r'name="confirm_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, "the confirm step carries its summary token"
    return html.unescape(match.group(1))


def flashes(page: str) -> str:
    return html.unescape(" ".join(re.findall(r'<p class="flash[^"]*">(.*?)</p>', page, re.S)))


def test_the_dashboard_sends_each_comments_row_version(app, ed, comments):
    decide_now(app, comments["plain"], "accepted", "erik@prv.example")
    board = ed.get(BOARD).text
    assert f'name="comment" value="{comments["carried"]}:1"' in board
    assert f'name="comment" value="{comments["plain"]}:2"' in board


def test_undecided_comments_are_decided_at_once(app, ed, comments):
    values = ticked(app, comments["carried"], comments["plain"])
    done = ed.post(BOARD + "?unanswered=1", {"comment": values, "status": "noted"})
    assert done.status_code == 302
    assert {comment(app, comments["carried"]).status, comment(app, comments["plain"]).status} == {
        CommentStatus.NOTED
    }


def test_already_decided_comments_are_named_and_nothing_is_saved_until_confirmed(app, ed, comments):
    decide_now(app, comments["plain"], "accepted", "erik@prv.example")
    values = ticked(app, comments["carried"], comments["plain"])
    step = ed.post(BOARD + "?unanswered=1", {"comment": values, "status": "noted", "response": "Tack."})
    assert step.status_code == 200
    page = html.unescape(step.text)
    assert "1 av de markerade synpunkterna har redan ett beslut" in page
    assert "#3: Beaktad, beslutat av Erik Redaktör" in page
    assert "Ersätt de besluten" in page and "Hoppa över dem" in page
    # Nothing saved yet: the open one waits too.
    assert comment(app, comments["plain"]).status is CommentStatus.ACCEPTED
    assert comment(app, comments["carried"]).status is CommentStatus.OPEN
    # The page carries the whole decision, so it can be confirmed without a script.
    assert 'name="response" value="Tack."' in page or ">Tack.</textarea>" in page
    for value in values:
        assert f'name="comment" value="{value}"' in page
    token = token_of(step.text)

    skipped = ed.post(
        BOARD + "?unanswered=1",
        {
            "comment": values,
            "status": "noted",
            "response": "Tack.",
            "confirm_token": token,
            "resolve": "skip",
        },
    )
    assert skipped.status_code == 302
    assert "unanswered=1" in skipped.location
    assert comment(app, comments["carried"]).status is CommentStatus.NOTED
    assert comment(app, comments["plain"]).status is CommentStatus.ACCEPTED
    said = flashes(ed.get(skipped.location).text)
    assert "Beslut registrerat för 1 synpunkt." in said
    assert "1 synpunkt som redan hade ett beslut hoppades över: #3." in said


def test_replace_those_decisions_replaces_them(app, ed, comments):
    decide_now(app, comments["plain"], "accepted", "erik@prv.example")
    values = ticked(app, comments["carried"], comments["plain"])
    step = ed.post(BOARD, {"comment": values, "status": "noted"})
    replaced = ed.post(
        BOARD,
        {"comment": values, "status": "noted", "confirm_token": token_of(step.text), "resolve": "replace"},
    )
    assert replaced.status_code == 302
    assert comment(app, comments["plain"]).status is CommentStatus.NOTED
    assert comment(app, comments["carried"]).status is CommentStatus.NOTED


def test_a_confirm_without_its_summary_or_with_another_is_refused(app, ed, comments):
    decide_now(app, comments["plain"], "accepted", "erik@prv.example")
    values = ticked(app, comments["carried"], comments["plain"])
    refused_text = "Bekräftelsen kunde inte kontrolleras"
    missing = ed.post(BOARD, {"comment": values, "status": "noted", "resolve": "replace"})
    assert missing.status_code == 400
    assert refused_text in html.unescape(missing.text)
    forged = ed.post(
        BOARD,
        {"comment": values, "status": "noted", "resolve": "replace", "confirm_token": "eyJ4IjoxfQ.forged"},
    )
    assert forged.status_code == 400
    # A real token for another decision (only #1, "Noterad") does not confirm this one.
    other = ed.post(BOARD, {"comment": values, "status": "accepted"})
    swapped = ed.post(
        BOARD,
        {"comment": values, "status": "noted", "resolve": "replace", "confirm_token": token_of(other.text)},
    )
    assert swapped.status_code == 400
    in_place = ed.post(BOARD, {"comment": values, "status": "noted", "resolve": "replace"}, headers=IN_PLACE)
    assert in_place.status_code == 400 and refused_text in in_place.get_json()["message"]
    assert comment(app, comments["plain"]).status is CommentStatus.ACCEPTED
    assert comment(app, comments["carried"]).status is CommentStatus.OPEN


def test_a_comment_decided_meanwhile_by_another_editor_is_skipped_and_named(app, ed, comments, factory):
    factory.user(email="eva@digg.example", name="Eva Redaktör", roles=(Role.EDITOR,), organisation="DIGG")
    values = ticked(app, comments["carried"], comments["plain"], comments["general"])
    decide_now(app, comments["plain"], "accepted", "eva@digg.example")
    done = ed.post(BOARD, {"comment": values, "status": "noted"})
    assert done.status_code == 302
    said = flashes(ed.get(done.location).text)
    assert "Beslut registrerat för 2 synpunkter." in said
    assert "#3 hann beslutas av Eva Redaktör under tiden: överhoppad." in said
    assert comment(app, comments["plain"]).status is CommentStatus.ACCEPTED
    assert comment(app, comments["carried"]).status is CommentStatus.NOTED


def test_a_comment_decided_between_the_confirm_step_and_the_confirm_is_skipped(app, ed, comments, factory):
    factory.user(email="eva@digg.example", name="Eva Redaktör", roles=(Role.EDITOR,), organisation="DIGG")
    decide_now(app, comments["plain"], "accepted", "erik@prv.example")
    values = ticked(app, comments["carried"], comments["plain"], comments["general"])
    step = ed.post(BOARD, {"comment": values, "status": "noted"}, headers=IN_PLACE)
    body = step.get_json()
    assert step.status_code == 200 and body["confirm"] and not body["ok"]
    assert "#3: Beaktad" in html.unescape(body["panel"])
    decide_now(app, comments["general"], "rejected", "eva@digg.example", response="Nej.")
    done = ed.post(
        BOARD,
        {
            "comment": values,
            "status": "noted",
            "resolve": "replace",
            "confirm_token": token_of(body["panel"]),
        },
        headers=IN_PLACE,
    )
    body = done.get_json()
    assert done.status_code == 200 and body["ok"]
    assert body["message"] == "Beslut registrerat för 2 synpunkter."
    assert body["report"] == ["#4 hann beslutas av Eva Redaktör under tiden: överhoppad."]
    # Its card comes back too, showing Eva's decision and its new row version.
    assert set(body["cards"]) == {"1", "3", "4"}
    assert 'data-status="rejected"' in body["cards"]["4"]
    assert comment(app, comments["general"]).status is CommentStatus.REJECTED
    assert comment(app, comments["plain"]).status is CommentStatus.NOTED


def test_foreign_withdrawn_and_hidden_comments_are_refused_one_by_one(app, ed, comments, factory, people):
    other = factory.document(slug="annat", versions=[V1])
    with app.app_context():
        foreign = add_comment(other, "a", people["maja"], body="Annat dokument.")
        withdraw_comment(db.session.get(Comment, comments["suggest"]), people["mats"])
        hide_comment(db.session.get(Comment, comments["general"]), "Personuppgifter.", people["editor"])
        db.session.commit()
    values = ticked(
        app, comments["carried"], comments["suggest"], comments["general"], comments["reply"], foreign
    )
    values += ["999999:1", "nonsense", "1:x", "12345678901234567890:1", ""]
    done = ed.post(BOARD, {"comment": values, "status": "noted"})
    assert done.status_code == 302
    said = flashes(ed.get(done.location).text)
    assert "Beslut registrerat för 1 synpunkt." in said
    assert "#2 har dragits tillbaka av författaren: avvisad." in said
    assert "#4 är dold av en moderator: avvisad." in said
    assert "#5 är ett svar och kan inte beslutas: avvisad." in said
    assert "2 markerade synpunkter hör inte till det här dokumentet: avvisade." in said
    assert comment(app, comments["carried"]).status is CommentStatus.NOTED
    assert comment(app, foreign).status is CommentStatus.OPEN
    assert comment(app, comments["general"]).status is CommentStatus.OPEN
    assert comment(app, comments["suggest"]).status is CommentStatus.WITHDRAWN

    # In place: the same refusals in the report, the rest saved.
    values = ticked(app, comments["plain"], comments["general"], foreign)
    body = ed.post(BOARD, {"comment": values, "status": "noted"}, headers=IN_PLACE).get_json()
    assert body["ok"] and set(body["cards"]) == {"3"}
    assert body["report"] == [
        "#4 är dold av en moderator: avvisad.",
        "1 markerad synpunkt hör inte till det här dokumentet: avvisad.",
    ]
    # Only refusals: nothing saved, said so, never a 500.
    nothing = ed.post(BOARD, {"comment": ticked(app, foreign), "status": "noted"})
    assert nothing.status_code == 302
    assert "Inget beslut registrerades." in flashes(ed.get(nothing.location).text)


def test_a_comment_sent_without_its_row_version_is_refused(app, ed, comments):
    done = ed.post(
        BOARD, {"comment": [str(comments["carried"]), *ticked(app, comments["plain"])], "status": "noted"}
    )
    assert done.status_code == 302
    said = flashes(ed.get(done.location).text)
    assert "#1 skickades utan den version du såg: ladda om sidan och markera den igen." in said
    assert comment(app, comments["carried"]).status is CommentStatus.OPEN
    assert comment(app, comments["plain"]).status is CommentStatus.NOTED


def test_under_not_yet_decided_a_card_decided_in_place_leaves_select_all(app, ed, comments):
    cid = comments["plain"]
    response = ed.post(
        f"/d/vl/review/c/{cid}?v=2&unanswered=1",
        {"status": "accepted", "row_version": "1"},
        headers=IN_PLACE,
    )
    card = response.get_json()["card"]
    assert 'name="comment"' not in card  # no longer in "Select all on this page"
    assert "data-left-filter" in card
    assert "matchar inte längre filtret" in html.unescape(card)
    # Without the filter a decided card can still be ticked (to change its decision, knowingly).
    response = ed.post(f"/d/vl/review/c/{cid}?v=2", {"status": "noted", "row_version": "2"}, headers=IN_PLACE)
    assert f'name="comment" value="{cid}:3"' in response.get_json()["card"]


def test_the_english_confirm_step(app, ed, comments):
    from app.accounts.models import User

    decide_now(app, comments["plain"], "accepted", "erik@prv.example")
    with app.app_context():
        db.session.scalar(db.select(User).where(User.email == "erik@prv.example")).language = "en"
        db.session.commit()
    values = ticked(app, comments["carried"], comments["plain"])
    step = ed.post(BOARD, {"comment": values, "status": "noted"})
    page = html.unescape(step.text)
    assert "1 of the selected comments already has a decision" in page
    assert "#3: Accepted, decided by Erik Redaktör" in page
    assert "Replace those decisions" in page and "Skip them" in page


def test_a_bulk_decision_tells_each_author_once(app, ed, comments):
    from app.notifications.models import Notification, NotificationKind

    values = ticked(app, comments["carried"], comments["plain"], comments["general"])
    assert ed.post(BOARD, {"comment": values, "status": "noted"}).status_code == 302
    with app.app_context():
        told = db.session.scalars(
            db.select(Notification.comment_id).where(Notification.kind == NotificationKind.DECISION)
        ).all()
    assert sorted(told) == sorted([comments["carried"], comments["plain"], comments["general"]])
