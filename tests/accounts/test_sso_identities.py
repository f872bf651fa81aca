"""What a sign-in through an identity provider does to accounts (app/accounts/sso/identities.py,
issue 26 points 4 and 5): every outcome of `finish`, single use of states and links, and two app
servers on one database finishing each other's sign-ins and refusing each other's replays.

The claims are handed to `finish` as a protocol module would after checking a provider's answer;
the servers test uses the registry's TEST DOUBLE (tests/accounts/sso_fake.py), not a provider.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import Organisation, Role, User
from app.accounts.sso import identities
from app.accounts.sso.identities import Claimed, Outcome
from app.accounts.sso.models import (
    ExternalIdentity,
    IdentityProvider,
    IdentityProviderDomain,
    ProviderKind,
    SignInState,
    UsedAssertion,
)
from app.audit import AuditEvent
from app.database import utcnow
from app.extensions import db
from tests.accounts.sso_fake import CALLBACK, FAKE_IDP
from tests.test_several_servers import SECRET, Browser, Server, _flask, database_url  # noqa: F401


def _counts() -> tuple[int, int]:
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    identities_ = db.session.scalar(sa.select(sa.func.count()).select_from(ExternalIdentity))
    return users, identities_


def _claimed(**changes) -> Claimed:
    values = {"subject": "sub-1", "email": "anna@prv.se", "name": "Anna Andersson"}
    values.update(changes)
    return Claimed(**values)


@pytest.fixture
def world(app, make_provider, factory):
    """PRV's provider (prv.se), and the ids of people at PRV and DIGG."""
    provider_id = make_provider("PRV", ("prv.se",))
    digg = factory.user(email="karin@prv.se", organisation="DIGG")
    return {"provider": provider_id, "digg_user": digg.id}


def _finish(provider_id: int, claimed: Claimed):
    provider = db.session.get(IdentityProvider, provider_id)
    state = identities.begin(provider, next_url="/profile")
    taken = identities.take_state(state.state)
    return identities.finish(taken.provider, claimed, taken)


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_new_person_becomes_a_member_of_the_providers_organisation(app, world):
    with app.app_context():
        result = _finish(world["provider"], _claimed(extra={"personalIdentityNumber": "197001011234"}))
        db.session.commit()
        assert result.outcome is Outcome.SIGNED_IN
        assert result.user.organisation.name == "PRV" and result.user.roles == {Role.MEMBER}
        assert result.state.next_url == "/profile"
        assert _counts() == (2, 1)
        assert "197001011234" not in json.dumps([e.data for e in db.session.scalars(sa.select(AuditEvent))])
        # The second time the subject finds the account, whatever the e-mail says now.
        again = _finish(world["provider"], _claimed(email="anna.andersson@prv.se"))
        assert again.outcome is Outcome.SIGNED_IN and again.user.id == result.user.id
        assert _actions()[-1] == "sso.sign_in"


@pytest.mark.parametrize(
    ("claimed", "reason"),
    [
        ({"email": "anna@gmail.com"}, "domain"),
        ({"email_verified": False}, "unverified"),
        ({"email": "karin@prv.se"}, "other_organisation"),
    ],
)
def test_refusals_are_audited_and_create_nothing(app, world, claimed, reason):
    with app.app_context():
        before = _counts()
        result = _finish(world["provider"], _claimed(**claimed))
        db.session.commit()
        assert result.outcome is Outcome.REFUSED and result.reason == reason
        assert result.message
        assert _counts() == before
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "sso.refused"))
        assert event.data["reason"] == reason
        assert event.object_id == world["provider"]


def test_a_provider_mapped_to_another_organisation_than_the_linked_account_is_refused(app, world):
    with app.app_context():
        user = db.session.get(User, world["digg_user"])
        db.session.add(ExternalIdentity(provider_id=world["provider"], subject="karin", user=user))
        db.session.commit()
        result = _finish(world["provider"], _claimed(subject="karin", email="karin@prv.se"))
        db.session.commit()
        assert (result.outcome, result.reason) == (Outcome.REFUSED, "other_organisation")
        assert db.session.get(User, world["digg_user"]).last_login_at is None


def test_closed_accounts_and_inactive_providers_are_refused(app, world, factory):
    closed = factory.user(email="closed@prv.se", organisation="PRV", active=False)
    with app.app_context():
        assert _finish(world["provider"], _claimed(subject="c", email="closed@prv.se")).reason == "closed"
        db.session.add(ExternalIdentity(provider_id=world["provider"], subject="c2", user_id=closed.id))
        db.session.flush()
        assert _finish(world["provider"], _claimed(subject="c2")).reason == "closed"
        db.session.get(IdentityProvider, world["provider"]).active = False
        assert _finish(world["provider"], _claimed()).reason == "inactive_provider"
        db.session.commit()
        assert _counts() == (2, 1)


def test_an_existing_account_waits_for_confirmation_and_links_once(app, world, factory):
    existing = factory.user(email="anna@prv.se", organisation="PRV")
    with app.app_context():
        result = _finish(world["provider"], _claimed())
        db.session.commit()
        assert result.outcome is Outcome.CONFIRM_LINK and result.user.id == existing.id
        assert _counts() == (2, 0)
        value = result.state.state
        assert identities.pending_link(value) is not None
        linked = identities.confirm_link(value)
        db.session.commit()
        assert linked.outcome is Outcome.SIGNED_IN and linked.user.id == existing.id
        assert _counts() == (2, 1)
        twice = identities.confirm_link(value)
        db.session.commit()
        assert (twice.outcome, twice.reason) == (Outcome.REFUSED, "state")
        assert identities.confirm_link("").reason == "state"
        assert identities.confirm_link("x" * 500).reason == "state"
        assert _counts() == (2, 1)


def test_a_link_not_confirmed_in_time_expires(app, world, factory):
    factory.user(email="anna@prv.se", organisation="PRV")
    with app.app_context():
        value = _finish(world["provider"], _claimed()).state.state
        db.session.execute(
            sa.update(SignInState)
            .where(SignInState.state == value)
            .values(expires_at=utcnow() - timedelta(1))
        )
        db.session.commit()
        assert identities.confirm_link(value).reason == "state"
        assert _counts() == (2, 0)


def test_states_are_taken_once_and_not_after_expiry(app, world):
    with app.app_context():
        provider = db.session.get(IdentityProvider, world["provider"])
        state = identities.begin(provider, request_id="_req-1")
        old = identities.begin(provider)
        old.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        value, old_value = state.state, old.state
        assert identities.take_request("_req-1").state == value
        assert identities.take_state(value) is None  # already used, by its request id
        assert identities.take_state(old_value) is None
        assert identities.take_state("") is None and identities.take_request("") is None
        assert identities.take_state("y" * 129) is None


def test_an_assertion_is_accepted_once(app, world):
    with app.app_context():
        provider = db.session.get(IdentityProvider, world["provider"])
        later = utcnow() + timedelta(minutes=5)
        assert identities.remember_assertion(provider, "_assertion-1", later)
        assert not identities.remember_assertion(provider, "_assertion-1", later)
        assert not identities.remember_assertion(provider, "", later)
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UsedAssertion)) == 1


# --------------------------------------------------------------------------- two servers


@pytest.fixture(scope="module")
def fake_servers(database_url, tmp_path_factory):  # noqa: F811
    """Servers A and B (gunicorn, two workers each) on one database, serving the app with the
    registry's test double, and a provider for PRV (prv.se)."""
    made = []
    for name in ("a", "b"):
        folder = tmp_path_factory.mktemp(f"sso-server-{name}")
        made.append(Server(name, folder, database_url, target="tests.accounts.sso_fake:wsgi_app()"))
    _flask(made[0].env, "db", "upgrade")
    setup = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET})
    with setup.app_context():
        organisation = Organisation(name="PRV")
        provider = IdentityProvider(
            organisation=organisation,
            kind=ProviderKind.OIDC,
            name="PRV",
            issuer="https://login.prv.se",
            domains=[IdentityProviderDomain(domain="prv.se")],
        )
        db.session.add(provider)
        db.session.commit()
        provider_id = provider.id
        db.engine.dispose()
    try:
        for server in made:
            server.start()
        yield made, provider_id
    finally:
        for server in made:
            server.stop()


def _callback_path(state: str, subject: str, email: str) -> str:
    return f"{CALLBACK}?{urlencode({'state': state, 'sub': subject, 'email': email, 'name': 'Anna'})}"


def _state(response) -> str:
    from tests.accounts.conftest import state_of

    assert response.status_code == 302 and response.headers["Location"].startswith(FAKE_IDP), response.text
    return state_of(response)


def test_one_server_begins_the_other_finishes_and_neither_takes_a_replay(fake_servers):
    (a, b), provider_id = fake_servers
    browser = Browser("127.0.0.31")
    state = _state(browser.get(a, f"/sign-in/sso/{provider_id}?next=/profile"))
    finished = browser.get(b, _callback_path(state, "sub-servers", "anna@prv.se"))
    assert finished.status_code == 302 and finished.headers["Location"] == "/profile"
    assert browser.get(a, "/profile").status_code == 200  # the session works on A too
    for server in (a, b):
        replay = Browser("127.0.0.32").get(server, _callback_path(state, "someone-else", "eve@prv.se"))
        assert replay.status_code == 400
        assert "Börja om" in replay.text


def test_the_same_answer_at_both_servers_at_once_signs_in_once(fake_servers):
    (a, b), provider_id = fake_servers
    state = _state(Browser("127.0.0.33").get(b, f"/sign-in/sso/{provider_id}"))
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def finish(server):
        browser = Browser("127.0.0.34")
        barrier.wait()
        statuses.append(browser.get(server, _callback_path(state, "sub-race", "race@prv.se")).status_code)

    threads = [threading.Thread(target=finish, args=(server,)) for server in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [302, 400]


def test_purge_removes_only_what_has_expired(app, world):
    with app.app_context():
        provider = db.session.get(IdentityProvider, world["provider"])
        live = identities.begin(provider).state
        old = identities.begin(provider)
        old.expires_at = utcnow() - timedelta(minutes=1)
        identities.remember_assertion(provider, "_old", utcnow() - timedelta(minutes=1))
        identities.remember_assertion(provider, "_live", utcnow() + timedelta(minutes=5))
        db.session.commit()
        assert identities.purge_expired() == 2
        db.session.commit()
        assert db.session.scalars(sa.select(SignInState.state)).all() == [live]
        assert db.session.scalars(sa.select(UsedAssertion.assertion_id)).all() == ["_live"]
