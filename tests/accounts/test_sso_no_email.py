"""A first sign-in through a provider that sends no e-mail address (issue 26; Sweden Connect's eIDs
send a personal identity number and a name): from an invitation, the invitation's address; else
the person's work address, confirmed by a link mailed to it. Every bad input refused with a clear
message, audited, nothing created.

The protocol here is the TEST DOUBLE (tests/accounts/sso_fake.py): the decisions are the shared
code's, whatever the protocol. The same journey through the real SAML IdP is in
tests/accounts/test_sso_saml.py, and in Chromium in tests/browser/test_sso_no_email_browser.py.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa

from app.accounts.models import Invitation, Organisation, Role, User, hash_token
from app.accounts.operations import invite
from app.accounts.sso import identities
from app.accounts.sso.identities import Claimed, Outcome
from app.accounts.sso.models import ExternalIdentity, IdentityProvider, SignInState
from app.audit import AuditEvent
from app.database import utcnow
from app.extensions import db
from tests.accounts.conftest import state_of
from tests.accounts.sso_fake import CALLBACK, FAKE_IDP

PIN = "197001011234"


@pytest.fixture
def prv(make_provider):
    """PRV's provider, answering for prv.se and prv.example, with passwords turned off."""
    return make_provider("PRV", ("prv.se", "prv.example"), password_sign_in=False)


def _start(client, provider_id) -> str:
    response = client.get(f"/sign-in/sso/{provider_id}")
    assert response.status_code == 302 and response.headers["Location"].startswith(FAKE_IDP)
    return state_of(response)


def _callback(client, state, **claims):
    """The provider's answer without an e-mail address (a personal identity number instead)."""
    query = {"state": state, "sub": "eid-sub-1", "email": "", "name": "Cecilia Carlsson", **claims}
    return client.get(f"{CALLBACK}?{urlencode(query)}")


def _signed_in_without_email(client, provider_id, **claims):
    response = _callback(client, _start(client, provider_id), **claims)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].endswith("/sign-in/email")
    return response


def _link_in(message) -> str:
    body = message.get_content()
    return urlsplit(re.search(r"http://localhost(/sign-in/email/\S+)", body).group(0)).path


def _give_address(client, outbox, address="cecilia.carlsson@prv.se") -> str:
    response = client.post("/sign-in/email", {"email": address})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert outbox, "no mail"
    assert outbox[-1]["To"] == address.lower()
    return _link_in(outbox[-1])


def _counts(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(User)),
            db.session.scalar(sa.select(sa.func.count()).select_from(ExternalIdentity)),
        )


def _events(app, action: str) -> list[dict]:
    with app.app_context():
        return [e.data for e in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action))]


def _nothing_stored_holds(app, text: str) -> None:
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)).all():
                assert text not in repr(tuple(row)), table.name


# --------------------------------------------------------------------------- asking for the address


def test_a_first_sign_in_without_email_asks_confirms_by_mail_and_creates_the_member(
    sso_client, prv, app, outbox
):
    _signed_in_without_email(sso_client, prv)
    assert _counts(app) == (0, 0)
    assert _events(app, "sso.email_asked")[0]["subject"] == "eid-sub-1"
    page = sso_client.get("/sign-in/email")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="csrf_token"' in text and 'type="email"' in text
    assert "@prv.example, @prv.se" in text  # the domains it may have, said before typing

    link = _give_address(sso_client, outbox, "Cecilia.Carlsson@PRV.se")
    assert "cecilia.carlsson@prv.se" in sso_client.get("/sign-in/email").get_data(as_text=True)
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        state = db.session.scalar(sa.select(SignInState))
        # Only the hash of the link's secret is kept.
        assert state.email_token_hash == hash_token(token)
    _nothing_stored_holds(app, token)
    assert _events(app, "sso.email_mailed")[0]["email"] == "cecilia.carlsson@prv.se"
    assert sso_client.get("/profile").status_code == 302  # not signed in yet

    confirm = sso_client.get(link)
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "cecilia.carlsson@prv.se" in text and "PRV" in text
    assert _counts(app) == (0, 0)  # opening the link creates nothing: a button does
    done = sso_client.post(link)
    assert done.status_code == 302, done.get_data(as_text=True)[:800]
    assert sso_client.get("/profile").status_code == 200
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (user.email, user.name, user.organisation.name) == (
            "cecilia.carlsson@prv.se",
            "Cecilia Carlsson",
            "PRV",
        )
        assert user.roles == {Role.MEMBER}
        identity = db.session.scalar(sa.select(ExternalIdentity))
        assert identity.subject == "eid-sub-1" and identity.user_id == user.id
    assert _events(app, "sso.email_confirmed") and _events(app, "sso.account_created")
    _nothing_stored_holds(app, PIN)

    # Single use: the link is spent; and the next sign-in finds the account by its subject.
    assert sso_client.post(link).status_code == 410
    sso_client.logout()
    again = _callback(sso_client, _start(sso_client, prv))
    assert again.status_code == 302 and not again.headers["Location"].endswith("/sign-in/email")
    assert _counts(app) == (1, 1)


def test_the_link_links_an_existing_account_of_the_organisation_after_saying_so(
    sso_client, prv, app, outbox, factory
):
    factory.user(email="cecilia.carlsson@prv.se", organisation="PRV", name="Cecilia med lösenord")
    _signed_in_without_email(sso_client, prv)
    link = _give_address(sso_client, outbox)
    text = sso_client.get(link).get_data(as_text=True)
    assert "finns redan" in text or "already exists" in text
    assert _counts(app) == (1, 0)
    assert sso_client.post(link).status_code == 302
    assert "Cecilia med lösenord" in sso_client.get("/profile").get_data(as_text=True)
    assert _counts(app) == (1, 1)
    assert _events(app, "sso.linked")[0]["through"] == "email"


@pytest.mark.parametrize(
    ("address", "words"),
    [
        ("cecilia@gmail.com", "@prv.example, @prv.se"),  # another domain
        ("cecilia@sub.prv.se", "@prv.example, @prv.se"),  # not the domain itself
        ("not an address", "namn@prv.example"),
        ("cecilia@", "namn@prv.example"),
        ("<script>@prv.se", "namn@prv.example"),
        ("", ""),
    ],
)
def test_a_malformed_address_or_one_outside_the_providers_domains_is_refused_on_the_form(
    sso_client, prv, app, outbox, address, words
):
    _signed_in_without_email(sso_client, prv)
    response = sso_client.post("/sign-in/email", {"email": address})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert words in text
    # The error is linked to the field: the summary's link and aria-describedby.
    assert 'href="#email"' in text and 'aria-describedby="email-hint email-error"' in text
    assert 'aria-invalid="true"' in text
    assert outbox == [] and _counts(app) == (0, 0)
    if address:
        assert _events(app, "sso.refused")[-1]["reason"] == "email_address"


def test_the_address_form_needs_its_csrf_token(sso_client, prv, outbox):
    _signed_in_without_email(sso_client, prv)
    assert sso_client.post("/sign-in/email", {"email": "c@prv.se"}, csrf=False).status_code == 400
    assert outbox == []


def test_nothing_waiting_is_said_clearly(client, sso_client, prv):
    for response in (client.get("/sign-in/email"), client.post("/sign-in/email", {"email": "c@prv.se"})):
        assert response.status_code == 410
        assert "logga in med din organisation igen" in response.get_data(as_text=True).lower()


def test_a_new_link_replaces_the_earlier_one(sso_client, prv, app, outbox):
    _signed_in_without_email(sso_client, prv)
    first = _give_address(sso_client, outbox, "cecilia@prv.se")
    second = _give_address(sso_client, outbox, "cecilia.carlsson@prv.se")
    assert sso_client.get(first).status_code == 410
    assert sso_client.get(second).status_code == 200


def test_an_account_of_another_organisation_is_refused_and_nothing_created(
    sso_client, prv, app, outbox, factory
):
    factory.user(email="cecilia@prv.se", organisation="DIGG")
    _signed_in_without_email(sso_client, prv)
    link = _give_address(sso_client, outbox, "cecilia@prv.se")
    refused = sso_client.get(link)
    assert refused.status_code == 403
    assert "annan organisation" in refused.get_data(as_text=True)
    assert _events(app, "sso.refused")[-1]["reason"] == "other_organisation"
    assert sso_client.post(link).status_code == 410  # spent
    assert _counts(app) == (1, 0)


def test_a_closed_account_is_refused(sso_client, prv, app, outbox, factory):
    factory.user(email="cecilia@prv.se", organisation="PRV", active=False)
    _signed_in_without_email(sso_client, prv)
    link = _give_address(sso_client, outbox, "cecilia@prv.se")
    refused = sso_client.get(link)
    assert refused.status_code == 403 and "stängt" in refused.get_data(as_text=True)
    assert _counts(app) == (1, 0)
    assert _events(app, "sso.refused")[-1]["reason"] == "closed"


def test_an_expired_link_is_refused(sso_client, prv, app, outbox):
    _signed_in_without_email(sso_client, prv)
    link = _give_address(sso_client, outbox)
    with app.app_context():
        db.session.execute(sa.update(SignInState).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    for response in (sso_client.get(link), sso_client.post(link)):
        assert response.status_code == 410
        assert "har gått ut" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0)
    assert _events(app, "sso.refused")[-1] == {"reason": "email_link", "link": "expired"}


@pytest.mark.parametrize("token", ["forged", "x" * 43, "a" * 200, "%00"])
def test_a_forged_link_is_refused(sso_client, prv, app, outbox, token):
    _signed_in_without_email(sso_client, prv)
    _give_address(sso_client, outbox)
    for response in (sso_client.get(f"/sign-in/email/{token}"), sso_client.post(f"/sign-in/email/{token}")):
        assert response.status_code == 410
    assert _counts(app) == (0, 0)


def test_the_link_works_only_in_the_browser_that_signed_in(sso_client, prv, app, outbox, make_client):
    """A link sent to someone else's address must not attach the sender's eID to their account."""
    _signed_in_without_email(sso_client, prv)
    link = _give_address(sso_client, outbox)
    stranger = make_client()
    for response in (stranger.get(link), stranger.post(link)):
        assert response.status_code == 403
        assert "samma webbläsare" in response.get_data(as_text=True)
    assert _counts(app) == (0, 0)
    assert _events(app, "sso.refused")[-1]["reason"] == "email_browser"
    # Not spent: the right browser still finishes.
    assert sso_client.post(link).status_code == 302
    assert _counts(app) == (1, 1)


def test_the_confirmation_needs_its_csrf_token(sso_client, prv, app, outbox):
    _signed_in_without_email(sso_client, prv)
    link = _give_address(sso_client, outbox)
    assert sso_client.post(link, csrf=False).status_code == 400
    assert _counts(app) == (0, 0)
    assert sso_client.post(link).status_code == 302


def test_the_pages_speak_english_too(sso_client, prv, outbox):
    _signed_in_without_email(sso_client, prv)
    with sso_client.session_transaction() as session:
        session["language"] = "en"
    text = sso_client.get("/sign-in/email").get_data(as_text=True)
    assert "Your work e-mail address" in text
    wrong = sso_client.post("/sign-in/email", {"email": "c@gmail.com"}).get_data(as_text=True)
    assert "it must end in @prv.example, @prv.se" in wrong
    link = _give_address(sso_client, outbox)
    assert outbox[-1]["Subject"] == "Confirm your e-mail address for Remiss"
    assert "Create my account and sign in" in sso_client.get(link).get_data(as_text=True)


# --------------------------------------------------------------------------- from an invitation


def _invitation(app, factory, organisation="PRV", email="eva@prv.se", roles=(Role.MEMBER, Role.EDITOR)):
    admin = factory.user(email="admin@example.org", roles={Role.ADMIN})
    factory.organisation(organisation)
    with app.app_context():
        org = db.session.scalar(sa.select(Organisation).where(Organisation.name == organisation))
        _row, token = invite(
            email=email,
            name="Eva E.",
            organisation=org,
            roles=set(roles),
            actor=db.session.get(User, admin.id),
        )
        db.session.commit()
    return token


def test_an_invitation_gives_its_address_and_roles_when_the_provider_sends_no_email(
    sso_client, prv, app, factory, outbox
):
    token = _invitation(app, factory)
    page = sso_client.get(f"/invitation/{token}").get_data(as_text=True)
    assert f"/invitation/{token}/sign-in" in page
    started = sso_client.get(f"/invitation/{token}/sign-in")
    assert started.status_code == 302
    response = _callback(sso_client, state_of(started), name="Eva Eriksson")
    assert response.status_code == 302 and not response.headers["Location"].endswith("/sign-in/email")
    assert outbox == []
    with app.app_context():
        eva = db.session.scalar(sa.select(User).where(User.email == "eva@prv.se"))
        assert eva.roles == {Role.MEMBER, Role.EDITOR} and eva.organisation.name == "PRV"
        invitation = db.session.scalar(sa.select(Invitation))
        assert invitation.used_at is not None and invitation.user_id == eva.id
        assert db.session.scalar(sa.select(ExternalIdentity.subject)) == "eid-sub-1"
    assert _events(app, "invitation.accept")[0]["through"] == "sso"
    assert _events(app, "sso.account_created")
    assert sso_client.get(f"/invitation/{token}/sign-in").status_code == 410  # used up
    _nothing_stored_holds(app, PIN)


def test_an_invitation_links_an_existing_account_after_confirmation(sso_client, prv, app, factory):
    token = _invitation(app, factory)
    factory.user(email="eva@prv.se", organisation="PRV")
    response = _callback(sso_client, state_of(sso_client.get(f"/invitation/{token}/sign-in")))
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in/link")
    assert sso_client.post("/sign-in/link", {"answer": "link"}).status_code == 302
    with app.app_context():
        eva = db.session.scalar(sa.select(User).where(User.email == "eva@prv.se"))
        assert eva.roles == {Role.MEMBER, Role.EDITOR}
        assert db.session.scalar(sa.select(Invitation.used_at)) is not None
    assert _counts(app) == (2, 1)


def test_an_invitation_to_another_organisation_is_not_used_the_person_is_asked(
    sso_client, prv, app, factory, make_provider
):
    _invitation(app, factory, organisation="DIGG", email="eva@digg.se")
    with app.app_context():
        # The sign-in is started from the invitation but finished at PRV's provider.
        invitation = db.session.scalar(sa.select(Invitation))
        provider = db.session.get(IdentityProvider, prv)
        state = identities.begin(provider, invitation=invitation)
        db.session.commit()
        value = state.state
    response = _callback(sso_client, value)
    assert response.headers["Location"].endswith("/sign-in/email")
    assert _events(app, "sso.email_asked")[0]["invitation_unusable"] is True
    with app.app_context():
        assert db.session.scalar(sa.select(Invitation.used_at)) is None
    assert _counts(app) == (1, 0)


def test_an_unknown_or_spent_invitation_does_not_start_a_sign_in(sso_client, prv, app, factory):
    assert sso_client.get("/invitation/forged/sign-in").status_code == 404
    token = _invitation(app, factory)
    with app.app_context():
        db.session.execute(sa.update(Invitation).values(expires_at=utcnow() - timedelta(days=1)))
        db.session.commit()
    assert sso_client.get(f"/invitation/{token}/sign-in").status_code == 410


def test_an_invitation_where_passwords_are_allowed_goes_back_to_its_page(
    sso_client, make_provider, app, factory
):
    make_provider("PRV", ("prv.se",), password_sign_in=True)
    token = _invitation(app, factory)
    response = sso_client.get(f"/invitation/{token}/sign-in")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/invitation/{token}")


# --------------------------------------------------------------------------- the shared decision


def test_finish_without_email_asks_and_a_provider_without_domains_refuses(app, make_provider):
    cases = (
        (make_provider("PRV", ("prv.se",)), Outcome.ASK_EMAIL),
        (make_provider("DIGG", (), issuer="https://login.digg.se"), Outcome.REFUSED),
    )
    with app.app_context():
        for provider_id, outcome in cases:
            provider = db.session.get(IdentityProvider, provider_id)
            taken = identities.take_state(identities.begin(provider).state)
            for email in ("", "not-an-address"):
                result = identities.finish(
                    provider, Claimed(subject=f"s{email}", email=email, name="C"), taken
                )
                assert result.outcome is outcome
                if outcome is Outcome.REFUSED:
                    assert result.reason == "no_email"
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_a_link_is_single_use_even_when_two_servers_race(app, sso_client, prv, outbox):
    """The link is spent by one conditional UPDATE: the second confirmation finds nothing."""
    _signed_in_without_email(sso_client, prv)
    token = _give_address(sso_client, outbox).rsplit("/", 1)[1]
    with app.app_context():
        first = identities.confirm_email(token)
        second = identities.confirm_email(token)
        db.session.commit()
        assert first.outcome is Outcome.SIGNED_IN
        assert second.outcome is Outcome.REFUSED and second.reason == "email_link"
    assert _counts(app) == (1, 1)
