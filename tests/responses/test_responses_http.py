"""Responses through HTTP: drafting together, who submits, replacement, refusals, reminders."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.database import utcnow
from app.documents.models import Document, Version, VersionState
from app.extensions import db
from app.notifications.models import Frequency, Notification, NotificationKind, NotificationPreference
from app.responses.models import Position, Response, ResponseState, SectionPosition
from app.responses.reminders import enqueue_response_reminders
from tests.responses.conftest import form_of, response_data, submit


def _responses(app, state=None):
    with app.app_context():
        query = sa.select(Response).order_by(Response.id)
        if state is not None:
            query = query.where(Response.state == state)
        rows = db.session.scalars(query).all()
        for row in rows:
            row.sections  # noqa: B018  (loaded before the session closes)
        db.session.expunge_all()
        return rows


def test_two_members_saving_the_same_draft_get_a_409_with_both_texts(app, make_client, consultation):
    anna, kalle = make_client(), make_client()
    anna.login(consultation["answerer"].email)
    kalle.login(consultation["colleague"].email)
    url = consultation["edit_url"]
    # Both open the form before either saves.
    anna_form, kalle_form = form_of(anna, url), form_of(kalle, url)
    assert anna_form["row_version"] == kalle_form["row_version"] == "0"
    first = anna.post(url, {**anna_form, **response_data(summary="Annas text om licenser."), "save": "1"})
    assert first.status_code == 302
    second = kalle.post(url, {**kalle_form, **response_data(summary="Kalles egen text."), "save": "1"})
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "Annas text om licenser." in page  # theirs, shown
    assert "Kalles egen text." in page  # his own, still in the form
    [draft] = _responses(app)
    assert draft.summary == "Annas text om licenser."
    # Saving again from the 409 page (it carries the newer row version) is a deliberate choice.
    again = form_of(kalle, url)
    again_response = kalle.post(url, {**again, **response_data(summary="Sammanfogad text."), "save": "1"})
    assert again_response.status_code == 302
    assert _responses(app)[0].summary == "Sammanfogad text."


def test_a_stale_row_version_is_refused_even_after_the_draft_exists(app, make_client, consultation):
    anna = make_client()
    anna.login(consultation["answerer"].email)
    url = consultation["edit_url"]
    anna.post(url, {**form_of(anna, url), **response_data(summary="Ett."), "save": "1"})
    form = form_of(anna, url)
    anna.post(url, {**form, **response_data(summary="Två."), "save": "1"})
    stale = anna.post(url, {**form, **response_data(summary="Tre."), "save": "1"})
    assert stale.status_code == 409
    assert _responses(app)[0].summary == "Två."


def test_only_the_member_who_may_answer_submits(app, make_client, consultation):
    url = consultation["edit_url"]
    kalle = make_client()
    kalle.login(consultation["colleague"].email)
    page = kalle.get(url).get_data(as_text=True)
    assert 'name="send"' not in page  # no submit button for him
    refused = kalle.post(url, {**form_of(kalle, url), **response_data(), "send": "1"})
    assert refused.status_code == 403
    assert _responses(app, ResponseState.SUBMITTED) == []
    kalle.post(url, {**form_of(kalle, url), **response_data(), "save": "1"})

    anna = make_client()
    anna.login(consultation["answerer"].email)
    done = submit(anna, url, response_data())
    assert done.status_code == 302
    [submitted] = _responses(app, ResponseState.SUBMITTED)
    assert submitted.position is Position.SUPPORTS_WITH_COMMENTS
    assert submitted.submitted_by_id == consultation["answerer"].id
    assert _responses(app, ResponseState.DRAFT) == []


def test_submitting_needs_a_position_and_a_decision_maker(app, make_client, consultation):
    url = consultation["edit_url"]
    anna = make_client()
    anna.login(consultation["answerer"].email)
    no_position = anna.post(url, {**form_of(anna, url), **response_data(position=""), "send": "1"})
    assert no_position.status_code == 400
    assert "Välj organisationens övergripande ställningstagande" in no_position.get_data(as_text=True)
    no_name = anna.post(url, {**form_of(anna, url), **response_data(decision_maker=""), "send": "1"})
    assert no_name.status_code == 400
    assert _responses(app, ResponseState.SUBMITTED) == []


def test_a_new_submission_replaces_the_old_which_stays_in_the_history(app, make_client, client, consultation):
    url = consultation["edit_url"]
    anna = make_client()
    anna.login(consultation["answerer"].email)
    submit(anna, url, response_data(position="opposes", summary="Vi avstyrker."))
    # The form now starts from the submitted response; submitting again replaces it.
    prefilled = anna.get(url).get_data(as_text=True)
    assert "Vi avstyrker." in prefilled
    submit(anna, url, response_data(position="supports", summary="Vi tillstyrker."))
    rows = _responses(app)
    assert [(r.state, r.position) for r in rows] == [
        (ResponseState.REPLACED, Position.OPPOSES),
        (ResponseState.SUBMITTED, Position.SUPPORTS),
    ]
    assert rows[0].replaced_at is not None
    page = client.get(f"/d/remiss/v/2/responses/{consultation['org_a']}").get_data(as_text=True)
    assert "Vi tillstyrker." in page and "Vi avstyrker." in page
    # The organisation's own comments on the version are listed with it, and only its own.
    assert "Bra stycke." in page and "Fråga om CC0." not in page
    assert page.index("Vi tillstyrker.") < page.index("Tidigare svar")
    api = client.get("/api/v1/documents/remiss/versions/2/responses").get_json()
    assert [(i["state"], i["position"]) for i in api["items"]] == [
        ("submitted", "supports"),
        ("replaced", "opposes"),
    ]
    outcome = client.get("/d/remiss/v/2/outcome").get_data(as_text=True)
    assert "Vi tillstyrker." in outcome and "Vi avstyrker." not in outcome


def test_another_organisations_member_gets_403(app, make_client, consultation):
    olle = make_client()
    olle.login(consultation["other"].email)
    url = consultation["edit_url"]
    assert olle.get(url).status_code == 403
    assert (
        olle.post(
            url,
            {
                **form_of(olle, f"/d/remiss/v/2/responses/{consultation['org_b']}/edit"),
                **response_data(),
                "save": "1",
            },
        ).status_code
        == 403
    )
    assert _responses(app) == []


def test_after_the_deadline_and_on_a_closed_version_nothing_changes(app, make_client, consultation):
    url = consultation["edit_url"]
    anna = make_client()
    anna.login(consultation["answerer"].email)
    form = form_of(anna, url)
    with app.app_context():
        version = db.session.scalar(
            sa.select(Version).where(Version.number == 2).join(Document).where(Document.slug == "remiss")
        )
        version.deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
    late = anna.post(url, {**form, **response_data(summary="Sent som vanligt."), "send": "1"})
    assert late.status_code == 409
    assert "Sent som vanligt." in late.get_data(as_text=True)  # shown, so that it is not lost
    assert "sista dagen för svar har passerat" in late.get_data(as_text=True).lower()
    closed = anna.get(f"/d/remiss/v/1/responses/{consultation['org_a']}/edit")
    assert closed.status_code == 409
    assert "stängd" in closed.get_data(as_text=True)
    assert (
        anna.post(
            f"/d/remiss/v/1/responses/{consultation['org_a']}/edit",
            {**response_data(), "row_version": "0", "send": "1"},
        ).status_code
        == 409
    )
    assert _responses(app) == []


def test_positions_per_section_and_a_section_that_is_gone(app, make_client, client, consultation):
    url = consultation["edit_url"]
    uids = consultation["document"].block_uids
    anna = make_client()
    anna.login(consultation["answerer"].email)
    bad = anna.post(
        url, {**form_of(anna, url), **response_data(), f"section-{uids['h2']}": "maybe", "send": "1"}
    )
    assert bad.status_code == 400
    ok = submit(
        anna, url, {**response_data(), f"section-{uids['h2']}": "opposes", "section-nosuch": "supports"}
    )
    assert ok.status_code == 302
    [response] = _responses(app)
    assert [(s.block_uid, s.heading, s.position) for s in response.sections] == [
        (uids["h2"], "2 Licenser", Position.OPPOSES)
    ]
    # A position kept for a section that the text no longer has keeps its heading as it was.
    with app.app_context():
        db.session.add(
            SectionPosition(
                response_id=response.id,
                block_uid="gone00000000",
                heading="9 Borttaget avsnitt",
                position=Position.SUPPORTS,
            )
        )
        db.session.commit()
    page = client.get("/d/remiss/v/2/outcome").get_data(as_text=True)
    assert "9 Borttaget avsnitt" in page and "finns inte längre i texten" in page
    data = client.get("/api/v1/documents/remiss/versions/2/outcome").get_json()
    gone = next(s for s in data["sections"] if s["block_uid"] == "gone00000000")
    assert gone["in_text"] is False and gone["positions"]["supports"] == ["Kommun A"]


def test_bad_input_never_gives_a_500(make_client, consultation):
    anna = make_client()
    anna.login(consultation["answerer"].email)
    url = consultation["edit_url"]
    for data in (
        {"row_version": "x", "save": "1"},
        {"row_version": "9" * 30, "save": "1"},
        {"row_version": "0", "position": "nonsense", "save": "1"},
        {"row_version": "0", "reference": "x" * 500, "save": "1"},
    ):
        response = anna.post(url, {**data, "csrf_token": form_of(anna, url)["csrf_token"]})
        assert response.status_code == 400, data
    assert anna.post(url, {"row_version": "0", "save": "1"}, csrf=False).status_code == 400
    # Control characters (NUL, which PostgreSQL refuses) are dropped, the rest is kept.
    saved = anna.post(url, {**form_of(anna, url), "summary": "a\x00b\x01c", "reference": "\x00", "save": "1"})
    assert saved.status_code == 302


def test_reminders_a_week_and_two_days_before_each_once(app, consultation, factory):
    from app.accounts.models import User

    waiting = factory.user(email="tyst@example.org", organisation="Tyst Verk")
    factory.user(email="tyst2@example.org", organisation="Tyst Verk")  # does not follow: not reminded
    muted = factory.user(email="muted@example.org", organisation="Verket B")
    with app.app_context():
        from app.notifications.operations import follow_document

        follow_document(
            db.session.get(User, waiting.id), db.session.get(Document, consultation["document"].id)
        )
        db.session.add(
            NotificationPreference(
                user_id=muted.id, kind=NotificationKind.RESPONSE_DUE, frequency=Frequency.NONE
            )
        )
        version = db.session.scalar(sa.select(Version).where(Version.state == VersionState.OPEN))
        deadline = version.deadline
        db.session.add(
            Response(
                document_id=version.document_id,
                version_id=version.id,
                organisation_id=consultation["org_b"],
                state=ResponseState.SUBMITTED,
                position=Position.SUPPORTS,
                submitted_at=utcnow(),
            )
        )
        db.session.commit()
        assert enqueue_response_reminders(deadline - timedelta(days=8)) == 0
        week = enqueue_response_reminders(deadline - timedelta(days=6))
        assert enqueue_response_reminders(deadline - timedelta(days=5)) == 0  # once
        days = enqueue_response_reminders(deadline - timedelta(days=1))
        assert enqueue_response_reminders(deadline - timedelta(hours=3)) == 0
        rows = db.session.execute(sa.select(Notification.user_id, Notification.dedupe_key)).all()
        names = {u.id: u.email for u in db.session.scalars(sa.select(User))}
    reminded = sorted((names[u], key.split(":")[0]) for u, key in rows)
    # Kommun A: only Anna, who may answer; Tyst Verk: nobody marked, so the member following the text.
    # Verket B answered (and its muted member would not have been reminded anyway); PRV wrote the text.
    assert reminded == [
        ("anna@example.org", "response-days"),
        ("anna@example.org", "response-week"),
        ("tyst@example.org", "response-days"),
        ("tyst@example.org", "response-week"),
    ]
    assert (week, days) == (2, 2)
    assert waiting.email == "tyst@example.org"


def test_a_reminder_is_dropped_once_the_organisation_answered(app, consultation):
    from app.notifications.delivery import describe

    with app.app_context():
        version = db.session.scalar(sa.select(Version).where(Version.state == VersionState.OPEN))
        now = version.deadline - timedelta(days=1)
        enqueue_response_reminders(now)
        notification = db.session.scalar(sa.select(Notification))
        with app.test_request_context("/"):
            item = describe(notification, now)
            assert "Kommun A" in item.subject and "/responses/" in item.link
            db.session.add(
                Response(
                    document_id=version.document_id,
                    version_id=version.id,
                    organisation_id=consultation["org_a"],
                    state=ResponseState.SUBMITTED,
                    position=Position.SUPPORTS,
                    submitted_at=now,
                )
            )
            db.session.flush()
            assert describe(notification, now) is None


def test_editors_see_every_organisation_with_its_status(app, make_client, consultation):
    anna = make_client()
    anna.login(consultation["answerer"].email)
    submit(anna, consultation["edit_url"], response_data())
    editor = make_client()
    editor.login(consultation["editor"].email)
    page = editor.get("/d/remiss/v/2/responses").get_data(as_text=True)
    assert "Kommun A" in page and "Verket B" in page and "PRV" not in page.split("<tbody>")[1]
    assert "Tillstyrker med synpunkter" in page and "Inget svar" in page


def test_admin_marks_who_may_answer(app, make_client, factory, consultation):
    from app.accounts.models import Role, User

    admin = factory.user(email="admin@example.org", roles=(Role.ADMIN,), organisation="DIGG")
    client = make_client()
    client.login(admin.email)
    kalle = consultation["colleague"]
    url = f"/admin/users/{kalle.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="may_answer"' in page
    response = client.post(
        url,
        {"organisation": str(kalle.organisation_id), "roles": ["member"], "active": "y", "may_answer": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, kalle.id).may_answer is True
    assert "svarar för organisationen" in client.get("/admin/users").get_data(as_text=True)


def test_saving_a_draft_that_was_submitted_meanwhile_is_a_409_and_keeps_the_text(
    app, make_client, consultation
):
    url = consultation["edit_url"]
    anna, kalle = make_client(), make_client()
    anna.login(consultation["answerer"].email)
    kalle.login(consultation["colleague"].email)
    kalle.post(url, {**form_of(kalle, url), **response_data(summary="Första utkastet."), "save": "1"})
    kalle_form = form_of(kalle, url)  # he opens the draft again ...
    submit(anna, url, response_data(summary="Inlämnat."))  # ... she submits it
    late = kalle.post(url, {**kalle_form, **response_data(summary="Kalles ändring."), "save": "1"})
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "Utkastet lämnades in medan du arbetade med det" in page and "Kalles ändring." in page
    [submitted] = _responses(app)
    assert (submitted.state, submitted.summary) == (ResponseState.SUBMITTED, "Inlämnat.")
