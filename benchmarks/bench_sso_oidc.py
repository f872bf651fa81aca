"""Sign-in through an OpenID Provider (issue 26): the app's own time for a round trip.

Target: a sign-in round trip (the redirect to the provider, the callback, the session) within
100 ms of the app's own time, excluding the provider. The provider is the real one of the tests
(oidc-provider on loopback, Node.js); the time the app spends waiting for it (token endpoint,
userinfo, and discovery/JWKS when not cached) is measured and subtracted. Reported: first
sign-ins (each creates a member) and returning ones, p50 / p95, and the callback's queries.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from _setup import count_queries, make_app, temp_dir

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.accounts.models import Organisation
from app.accounts.sso import oidc
from app.accounts.sso.models import IdentityProvider, IdentityProviderDomain, ProviderKind
from app.extensions import db
from tests.providers.oidc_provider import running_provider

RUNS = 30
TARGET_MS = 100


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return samples[len(samples) // 2], samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    waited = [0.0]

    def waiting(fn):
        def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                waited[0] += time.perf_counter() - started

        return wrapper

    oidc.exchange_code = waiting(oidc.exchange_code)
    oidc._userinfo = waiting(oidc._userinfo)
    oidc._get_json = waiting(oidc._get_json)

    with temp_dir() as tmp, running_provider() as op:
        app = make_app(Path(tmp))
        client_id, secret = op.register_client("http://localhost")
        with app.app_context():
            provider = IdentityProvider(
                organisation=Organisation(name="Bench-myndigheten"),
                kind=ProviderKind.OIDC,
                name="Bench",
                issuer=op.issuer,
                client_id=client_id,
                client_secret=secret,
            )
            provider.domains.append(IdentityProviderDomain(domain="bench.example"))
            db.session.add(provider)
            db.session.commit()
            provider_id = provider.id

        cpu: list[float] = []

        def round_trip(account: str) -> float:
            """Wall time of start + callback less the wait for the provider (ms); CPU time noted."""
            client = app.test_client()
            waited[0] = 0.0
            started, started_cpu = time.perf_counter(), time.process_time()
            location = client.get(f"/sso/oidc/start/{provider_id}").headers["Location"]
            own, own_cpu = time.perf_counter() - started, time.process_time() - started_cpu
            callback = op.sign_in(location, account)  # the person at the provider: not ours
            parts = urlsplit(callback)
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(parts.path + "?" + parts.query)
            own += time.perf_counter() - started
            own_cpu += time.process_time() - started_cpu
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
            cpu.append(own_cpu * 1000)
            return (own - waited[0]) * 1000

        for n in range(RUNS + 3):
            op.set_account(f"person-{n}", email=f"person{n}@bench.example", name=f"Person {n}")
        for n in range(3):  # warm-up: discovery, JWKS, templates
            round_trip(f"person-{n}")
        cpu.clear()
        first = [round_trip(f"person-{n}") for n in range(3, RUNS + 3)]
        first_cpu = list(cpu)
        cpu.clear()
        again = [round_trip(f"person-{n}") for n in range(3, RUNS + 3)]
        again_cpu = list(cpu)
        with app.app_context(), count_queries() as statements:
            round_trip("person-3")
        print(f"OIDC sign-in round trip, app's own time ({RUNS} runs, target ≤ {TARGET_MS} ms):")
        rows = (("first sign-in (member created)", first, first_cpu), ("returning sign-in", again, again_cpu))
        for label, samples, cpu_samples in rows:
            p50, p95 = _percentiles(samples)
            cpu50, cpu95 = _percentiles(cpu_samples)
            verdict = "met" if p50 <= TARGET_MS else "NOT MET"
            print(
                f"  {label}: wall less the provider p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
                f"CPU (with the HTTP client's) p50 {cpu50:.1f} ms, p95 {cpu95:.1f} ms: {verdict}"
            )
        print(f"  queries for start + callback (returning): {len(statements)}")


if __name__ == "__main__":
    main()
