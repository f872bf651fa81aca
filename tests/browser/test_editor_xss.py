"""Stored XSS on the editors' side (issue 7, point 7): responses, editor notes, draft text, version labels.

Every line of the corpus goes in through the real forms: as the response and the internal note of a
decision, as a block's text in the draft, as an inserted block, and as the change summary and label
of a published version. Chromium then renders every page that shows them.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.extensions import db
from app.review.models import Comment
from tests.browser.conftest import sign_in
from tests.browser.xss import assert_inert
from tests.browser.xss import payloads as _payloads
from tests.conftest import PASSWORD, add_comment

pytestmark = pytest.mark.browser


def test_xss_corpus_is_inert_in_decisions_draft_text_and_versions(page, app, factory, make_client):
    payloads = _payloads()
    editor = factory.user(email="eva@prv.example", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV")
    member = factory.user(email="maja@example.org")
    doc = factory.document(
        slug="xss",
        editor=editor,
        versions=[[(f"b{i}", "paragraph", 1, f"Stycke {i}.") for i in range(len(payloads))]],
    )
    with app.app_context():
        ids = [add_comment(doc, f"b{i}", member, body=f"Synpunkt {i}") for i in range(len(payloads))]
    ed = make_client()
    ed.login(editor.email)
    for comment_id, payload in zip(ids, payloads, strict=True):
        response = ed.post(
            f"/d/xss/review/c/{comment_id}",
            {"status": "rejected", "response": payload + " x", "editor_note": payload, "row_version": "1"},
        )
        assert response.status_code == 302, payload
    assert ed.post("/d/xss/draft/start", {"label": payloads[0][:60]}).status_code == 302
    for i, payload in enumerate(payloads):
        uid = doc.block_uids[f"b{i}"]
        response = ed.post(
            f"/d/xss/draft/b/{uid}",
            {"kind": "paragraph", "level": "1", "text": payload + " x", "base_revision": "1"},
        )
        assert response.status_code == 302, payload
        if i % 10 == 0:
            inserted = ed.post(
                f"/d/xss/draft/insert?after={uid}",
                {"kind": "table", "level": "1", "text": f"{payload} | x\nx | {payload}"},
            )
            assert inserted.status_code == 302, payload
    response = ed.post(
        "/d/xss/draft/publish", {"label": payloads[1][:60], "summary": "\n".join(payloads)[:9000]}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == len(payloads)

    sign_in(page, editor.email, PASSWORD)
    for path in (
        "/d/xss/v/1/review",
        "/d/xss/v/1/review?page=2",
        f"/d/xss/review/c/{ids[5]}",
        "/d/xss/v/2",
        "/d/xss/compare/1..2",
        "/d/xss/compare/1..2?view=side",
        "/d/xss/v/1",
    ):
        assert_inert(page, path)
    assert ed.post("/d/xss/draft/start", {"label": payloads[2][:60]}).status_code == 302
    for path in ("/d/xss/draft", f"/d/xss/draft/b/{doc.block_uids['b3']}", "/d/xss/draft/publish"):
        assert_inert(page, path)
