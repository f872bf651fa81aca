"""A sign-in through an organisation's identity provider (issue 26), the app's own part: the start
(state written, redirect to the provider) and the callback (state taken once, the checked claims
decided on by identities.finish, the session started by respond), without the provider.

The protocol is a stand-in registered in the registry as the OIDC and SAML modules register
themselves; it hands over claims as if the provider's answer had been checked, so the figures
are Remiss's own time around whatever the protocol library spends.

Target: start + callback within 100 ms (p95), for a returning person and for a first sign-in.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from _setup import count_queries, make_app, temp_dir, timed
from flask import redirect, request

from app.accounts.models import Organisation
from app.accounts.sso import identities
from app.accounts.sso.models import IdentityProvider, IdentityProviderDomain, ProviderKind
from app.accounts.sso.protocols import register_start
from app.accounts.sso.respond import respond
from app.database import writes_on_get
from app.extensions import db

TARGET_MS = 100


def start(provider: IdentityProvider, next_url: str, invitation=None):
    state = identities.begin(
        provider, next_url=next_url, nonce="n", code_verifier="v" * 43, invitation=invitation
    )
    return redirect(f"https://idp.invalid/authorize?{urlencode({'state': state.state})}")


@writes_on_get
def callback():
    state = identities.take_state(request.args.get("state", ""))
    if state is None:
        return respond(identities.refuse(None, "state"))
    claimed = identities.Claimed(
        subject=request.args["sub"], email=request.args["email"], name="Bänk Mätare", extra={}
    )
    return respond(identities.finish(state.provider, claimed, state), logout={"id_token_hint": "t"})


def main() -> None:
    with temp_dir() as tmp:
        app = make_app(Path(tmp))
        # After the app is made: making it registers the real OpenID Connect start.
        register_start(ProviderKind.OIDC, start)
        app.add_url_rule("/bench/callback", "bench_callback", callback)
        with app.app_context():
            provider = IdentityProvider(
                organisation=Organisation(name="PRV"),
                kind=ProviderKind.OIDC,
                name="PRV",
                issuer="https://login.prv.se",
                domains=[IdentityProviderDomain(domain="prv.se")],
            )
            db.session.add(provider)
            db.session.commit()
            provider_id = provider.id
        numbers = itertools.count()

        def round_trip(subject: str, email: str) -> None:
            client = app.test_client()
            started = client.get(f"/sign-in/sso/{provider_id}?next=/profile")
            assert started.status_code == 302, (started.status_code, started.get_data(as_text=True)[-600:])
            state = parse_qs(urlsplit(started.headers["Location"]).query)["state"][0]
            query = urlencode({"state": state, "sub": subject, "email": email})
            finished = client.get(f"/bench/callback?{query}")
            assert finished.headers.get("Location") == "/profile", finished.status_code

        round_trip("returning", "returning@prv.se")  # the account and its link exist from now on

        def first_sign_in() -> None:
            n = next(numbers)
            round_trip(f"new-{n}", f"new{n}@prv.se")

        def returning() -> None:
            round_trip("returning", "returning@prv.se")

        # Wall time, and CPU time (what the app itself spends, whatever else the machine runs).
        cases = (("returning person", returning), ("first sign-in (account created)", first_sign_in))
        for label, fn in cases:
            with app.app_context(), count_queries() as statements:
                fn()
            p50, p95 = timed(fn, runs=100)
            cpu50, cpu95 = timed(fn, runs=100, clock=time.process_time)
            verdict = "ok" if p95 <= TARGET_MS else "OVER TARGET"
            print(
                f"  start + callback, {label:32} {len(statements):2d} queries, wall p50 {p50:6.1f} ms, "
                f"p95 {p95:6.1f} ms ({verdict}); CPU p50 {cpu50:5.1f} ms, p95 {cpu95:5.1f} ms"
            )


if __name__ == "__main__":
    main()
