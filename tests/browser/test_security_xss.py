"""Stored XSS in Chromium (issue 7, point 7): meeting titles, agendas and moderators' reasons.

Every line of ../shared/testdata/xss/IntrudersXSS.txt goes in through the real forms and is
rendered in Chromium: no dialog may fire, and no script, ``on*`` attribute or ``javascript:``
URL may reach the DOM. The hide form and the audit log pass axe-core too.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.documents.models import CommentVisibility, Document
from app.extensions import db
from app.meetings.models import Meeting
from app.review.models import Comment
from tests.browser.conftest import sign_in
from tests.browser.xss import assert_inert
from tests.browser.xss import payloads as _payloads
from tests.conftest import PASSWORD, add_comment

pytestmark = pytest.mark.browser


@pytest.fixture
def doc(factory):
    editor = factory.user(email="eva@example.org", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV")
    return factory.document(slug="xss", editor=editor)


def test_xss_corpus_in_meeting_titles_and_agendas_renders_inert(page, app, client, factory, doc):
    payloads = _payloads()
    host = factory.user(email="hanna@example.org", roles=(Role.HOST, Role.MEMBER), organisation="DIGG")
    with app.app_context():
        version_id = db.session.get(Document, doc.id).current_version.id
    client.login(host.email)
    form = {"date": "2030-10-06", "time": "13:00", "document": str(doc.id), "version": str(version_id)}
    for payload in payloads:
        title = payload[:300] if payload.strip() else "x"
        response = client.post(
            "/meetings/new", {**form, "title": title, "agenda": payload, "place": payload[:500]}
        )
        assert response.status_code == 302, (response.status_code, payload)
    # One agenda holding the whole corpus: payloads may combine across lines.
    whole = client.post("/meetings/new", {**form, "title": "Hela korpusen", "agenda": "\n".join(payloads)})
    assert whole.status_code == 302
    with app.app_context():
        ids = db.session.scalars(sa.select(Meeting.id).order_by(Meeting.id)).all()
    assert len(ids) == len(payloads) + 1

    sign_in(page, host.email, PASSWORD)
    assert_inert(page, "/meetings")
    for meeting_id in [*ids[:: max(1, len(ids) // 12)], ids[-1]]:
        assert_inert(page, f"/meetings/{meeting_id}")
        assert_inert(page, f"/meetings/{meeting_id}/edit")


def test_xss_corpus_in_hide_reasons_renders_inert(page, app, client, make_client, factory, doc, axe_check):
    payloads = _payloads()
    member = factory.user(email="maja@example.org", organisation="Samtrafiken")
    editor = factory.user(email="erik@example.org", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV")
    with app.app_context():
        db.session.get(Document, doc.id).comment_visibility = CommentVisibility.FULL
        db.session.commit()
        ids = [add_comment(doc, "p2", member, body=f"Synpunkt {i}.") for i in range(len(payloads))]
    client.login(editor.email)
    for comment_id, payload in zip(ids, payloads, strict=True):
        reason = payload[:1000] if payload.strip() else payload + " x"
        response = client.post(f"/comments/{comment_id}/hide", {"reason": reason})
        assert response.status_code == 302, (response.status_code, payload)
    with app.app_context():
        hidden = db.session.scalar(
            sa.select(sa.func.count()).select_from(Comment).where(Comment.hidden_at.is_not(None))
        )
    assert hidden == len(payloads)

    # A member (the reason only), then an editor (the reason, the hidden text and the hide form).
    sign_in(page, member.email, PASSWORD)
    assert_inert(page, "/d/xss")
    page.context.clear_cookies()
    sign_in(page, editor.email, PASSWORD)
    assert_inert(page, "/d/xss")
    for comment_id in ids[:: max(1, len(ids) // 10)]:
        assert_inert(page, f"/comments/{comment_id}/hide")
    axe_check(page, "the hide form of a hidden comment")


def test_hide_form_and_audit_log_pass_axe(page, app, factory, doc, axe_check):
    member = factory.user(email="maja@example.org", organisation="Samtrafiken")
    admin = factory.user(email="alva@example.org", roles=(Role.ADMIN, Role.EDITOR), organisation="DIGG")
    with app.app_context():
        comment_id = add_comment(doc, "p2", member, body="En synpunkt att dölja.")
    sign_in(page, admin.email, PASSWORD)
    page.goto("/d/xss")
    page.get_by_role("link", name="Dölj #1").click()
    page.wait_for_url(f"**/comments/{comment_id}/hide")
    axe_check(page, "the hide form")
    page.get_by_role("button", name="Dölj synpunkten").click()
    page.locator(".error-summary").wait_for()
    axe_check(page, "the hide form with an error")
    page.get_by_label("Skäl (visas för alla i stället för synpunkten)").fill("Innehåller personuppgifter")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Dölj synpunkten").press("Enter")
    page.wait_for_url(lambda url: "/d/xss/v/" in url)
    assert "Innehåller personuppgifter" in page.locator("#c-1").inner_text()
    axe_check(page, "the reading view with a hidden comment")

    page.get_by_role("link", name="Granskningslogg").click()
    page.wait_for_url("**/admin/audit")
    assert "comment.hide" in page.locator("table").inner_text()
    axe_check(page, "the audit log")
    page.get_by_label("Händelse").select_option("comment.hide")
    page.get_by_label("Från (datum)").fill("2030-01-02")
    page.get_by_label("Till (datum)").fill("2030-01-01")
    page.get_by_role("button", name="Filtrera").click()
    page.locator(".error-summary").wait_for()
    axe_check(page, "the audit log with a filter error")
