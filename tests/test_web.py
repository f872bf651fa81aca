"""Site-wide behaviour: security headers, error pages, no-store for signed-in pages."""

from __future__ import annotations


def test_security_headers_on_pages_and_errors(client):
    for path in ("/", "/d/finns-inte"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert directive in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signed_in_pages_are_not_cached(client, factory):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    user = factory.user()
    client.login(user.email)
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_unexpected_error_shows_a_generic_page_in_the_users_language(app, caplog):
    from app import create_app

    fresh = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": False})

    @fresh.route("/boom-for-test")
    def boom():
        raise RuntimeError("secret internal detail")

    response = fresh.test_client().get("/boom-for-test")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Något gick fel hos oss" in html
    assert "secret internal detail" not in html and "Traceback" not in html
    assert any("unexpected error" in r.getMessage() for r in caplog.records)


def test_health_check(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
