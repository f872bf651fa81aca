"""'Lämna remissvaret': a summary to confirm, bound to the exact draft shown; who may submit, by name."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.responses.models import Response, ResponseState
from tests.conftest import CSRF_RE
from tests.responses.conftest import SUMMARY_TOKEN_RE, confirm_url, form_of, response_data, submit


def _states(app) -> list[tuple[ResponseState, str]]:
    with app.app_context():
        return [(r.state, r.summary) for r in db.session.scalars(sa.select(Response).order_by(Response.id))]


def _confirm_page(client, edit_url: str) -> tuple[str, str, str]:
    page = client.get(confirm_url(edit_url)).get_data(as_text=True)
    return page, CSRF_RE.search(page).group(1), SUMMARY_TOKEN_RE.search(page).group(1)


def test_lamna_remissvaret_shows_a_summary_and_submits_only_on_confirm(app, make_client, consultation):
    url = consultation["edit_url"]
    uids = consultation["document"].block_uids
    anna = make_client()
    anna.login(consultation["answerer"].email)
    data = {**response_data(reference="KS 2020/77"), f"section-{uids['h2']}": "opposes"}
    sent = anna.post(url, {**form_of(anna, url), **data, "send": "1"})
    # Pressing the button saves the draft and asks to confirm: nothing is submitted yet.
    assert sent.status_code == 302 and sent.headers["Location"].endswith(confirm_url(url))
    assert _states(app) == [(ResponseState.DRAFT, "Vi tillstyrker med *synpunkter*.")]
    page, csrf, token = _confirm_page(anna, url)
    for shown in (
        "Bekräfta remissvaret från Kommun A",
        "Tillstyrker med synpunkter",  # the position
        "2 Licenser",  # per section ...
        "Avstyrker",  # ... with its position
        "KS 2020/77",  # the reference number
        "Anna Chef, kommundirektör",  # who decided
        "Kalle Kollega",  # the officer
    ):
        assert shown in page, shown
    done = anna.post(confirm_url(url), {"csrf_token": csrf, "summary_token": token})
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/d/remiss/v/2/responses/{consultation['org_a']}")
    assert _states(app) == [(ResponseState.SUBMITTED, "Vi tillstyrker med *synpunkter*.")]
    with app.app_context():
        submitted = db.session.scalar(sa.select(Response))
        assert submitted.submitted_by_id == consultation["answerer"].id
        assert [s.block_uid for s in submitted.sections] == [uids["h2"]]


def test_replacing_says_so_on_the_summary(app, make_client, consultation):
    url = consultation["edit_url"]
    anna = make_client()
    anna.login(consultation["answerer"].email)
    assert submit(anna, url, response_data(summary="Först.")).status_code == 302
    anna.post(url, {**form_of(anna, url), **response_data(summary="Sedan."), "send": "1"})
    page, csrf, token = _confirm_page(anna, url)
    assert "ersätter det svar som lämnades in" in page
    assert anna.post(confirm_url(url), {"csrf_token": csrf, "summary_token": token}).status_code == 302
    assert _states(app) == [(ResponseState.REPLACED, "Först."), (ResponseState.SUBMITTED, "Sedan.")]


def test_a_confirmation_without_its_summary_token_is_refused(app, make_client, consultation):
    url = consultation["edit_url"]
    anna = make_client()
    anna.login(consultation["answerer"].email)
    anna.post(url, {**form_of(anna, url), **response_data(), "send": "1"})
    _page, csrf, token = _confirm_page(anna, url)
    for data in (
        {"csrf_token": csrf},
        {"csrf_token": csrf, "summary_token": ""},
        {"csrf_token": csrf, "summary_token": "forged.token"},
        {"csrf_token": csrf, "summary_token": token[:-2] + "xx"},
    ):
        refused = anna.post(confirm_url(url), data)
        assert refused.status_code == 400, data
        assert "Inget lämnades in" in refused.get_data(as_text=True)
    assert anna.post(confirm_url(url), {"summary_token": token}, csrf=False).status_code == 400
    assert _states(app) == [(ResponseState.DRAFT, "Vi tillstyrker med *synpunkter*.")]


def test_a_draft_changed_after_the_summary_is_refused_with_the_new_summary(app, make_client, consultation):
    url = consultation["edit_url"]
    anna, kalle = make_client(), make_client()
    anna.login(consultation["answerer"].email)
    kalle.login(consultation["colleague"].email)
    anna.post(url, {**form_of(anna, url), **response_data(summary="Det Anna såg."), "send": "1"})
    _page, csrf, token = _confirm_page(anna, url)
    # Meanwhile Kalle changes the draft.
    kalle.post(url, {**form_of(kalle, url), **response_data(summary="Kalles ändring."), "save": "1"})
    late = anna.post(confirm_url(url), {"csrf_token": csrf, "summary_token": token})
    assert late.status_code == 409
    page = late.get_data(as_text=True)
    assert "Utkastet ändrades efter att sammanfattningen visades" in page
    assert "Kalle Kollega" in page and "Kalles ändring." in page  # the summary as it is now
    assert _states(app) == [(ResponseState.DRAFT, "Kalles ändring.")]
    # Confirming the summary now shown is a deliberate choice.
    fresh = SUMMARY_TOKEN_RE.search(page).group(1)
    ok = anna.post(confirm_url(url), {"csrf_token": csrf, "summary_token": fresh})
    assert ok.status_code == 302
    assert _states(app) == [(ResponseState.SUBMITTED, "Kalles ändring.")]


def test_a_token_for_another_organisation_or_version_is_refused(app, make_client, factory, consultation):
    """A token signed for one draft does not confirm another organisation's draft."""
    url = consultation["edit_url"]
    other_url = f"/d/remiss/v/2/responses/{consultation['org_b']}/edit"
    olle = make_client()
    olle.login(consultation["other"].email)
    with app.app_context():
        db.session.get(User, consultation["other"].id).may_answer = True
        db.session.commit()
    olle.post(other_url, {**form_of(olle, other_url), **response_data(summary="Verket B."), "send": "1"})
    _page, _csrf, olle_token = _confirm_page(olle, other_url)
    anna = make_client()
    anna.login(consultation["answerer"].email)
    anna.post(url, {**form_of(anna, url), **response_data(summary="Kommun A."), "send": "1"})
    _page, csrf, _token = _confirm_page(anna, url)
    refused = anna.post(confirm_url(url), {"csrf_token": csrf, "summary_token": olle_token})
    assert refused.status_code in (400, 409)
    assert {state for state, _summary in _states(app)} == {ResponseState.DRAFT}


def test_a_member_who_may_not_submit_is_told_whom_to_ask_by_name(app, make_client, factory, consultation):
    url = consultation["edit_url"]
    bo = factory.user(email="bo@example.org", organisation="Kommun A", name="Bo Beslut")
    with app.app_context():
        db.session.get(User, bo.id).may_answer = True
        db.session.commit()
    kalle = make_client()
    kalle.login(consultation["colleague"].email)
    kalle.post(url, {**form_of(kalle, url), **response_data(), "save": "1"})
    for page in (
        kalle.get(url).get_data(as_text=True),
        kalle.get(f"/d/remiss/v/2/responses/{consultation['org_a']}").get_data(as_text=True),
        kalle.get(confirm_url(url)).get_data(as_text=True),
    ):
        assert "Anna Svarare" in page and "Bo Beslut" in page
        assert "Be Anna Svarare eller Bo Beslut att lämna in det" in page
        assert 'name="summary_token"' not in page
    assert kalle.post(confirm_url(url), {"summary_token": "x"}).status_code == 403
    # The one who may submit sees who else may.
    anna = make_client()
    anna.login(consultation["answerer"].email)
    page = anna.get(url).get_data(as_text=True)
    assert "Får lämna in remissvaret för Kommun A: Anna Svarare och Bo Beslut." in page


def test_nobody_may_submit_names_the_administrators(app, make_client, consultation):
    url = consultation["edit_url"]
    with app.app_context():
        db.session.get(User, consultation["answerer"].id).may_answer = False
        db.session.commit()
    kalle = make_client()
    kalle.login(consultation["colleague"].email)
    page = kalle.get(url).get_data(as_text=True)
    assert "Ingen i Kommun A får lämna in remissvaret än" in page


def test_the_confirm_step_of_a_closed_version_or_without_a_draft(app, make_client, consultation):
    anna = make_client()
    anna.login(consultation["answerer"].email)
    url = consultation["edit_url"]
    # No draft: back to the form.
    nothing = anna.get(confirm_url(url))
    assert nothing.status_code == 302 and nothing.headers["Location"].endswith(url)
    closed = anna.get(confirm_url(f"/d/remiss/v/1/responses/{consultation['org_a']}/edit"))
    assert closed.status_code == 409 and "stängd" in closed.get_data(as_text=True)
    olle = make_client()
    olle.login(consultation["other"].email)
    assert olle.get(confirm_url(url)).status_code == 403


def test_the_summary_writes_dates_as_every_page_does(app, make_client, consultation):
    """The deadline and "last saved" read like the rest of the site ("7 dec. 2026 04:29"), not ISO."""
    import re

    url = consultation["edit_url"]
    anna = make_client()
    anna.login(consultation["answerer"].email)
    anna.post(url, {**form_of(anna, url), **response_data(), "send": "1"})
    page, _csrf, _token = _confirm_page(anna, url)
    assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", page), "an ISO date on the summary"
    months = "jan|feb|mars|apr|maj|juni|juli|aug|sep|okt|nov|dec"
    assert re.search(rf"svar senast \d{{1,2}} ({months})\.? \d{{4}} \d\d:\d\d", page)
