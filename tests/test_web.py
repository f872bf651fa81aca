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


def test_a_download_has_an_ascii_fallback_name_and_the_exact_utf8_name(app):
    from app.web.downloads import send_download

    with app.test_request_context("/"):
        response = send_download(b"PK", "möte å.docx", "application/octet-stream", etag="abc")
        assert response.headers["Content-Disposition"] == (
            "attachment; filename=\"mote a.docx\"; filename*=UTF-8''m%C3%B6te%20%C3%A5.docx"
        )
        assert response.headers["ETag"] == '"abc"'
    with app.test_request_context("/", headers={"If-None-Match": '"abc"'}):
        assert send_download(b"PK", "a.docx", "application/octet-stream", etag="abc").status_code == 304
    with app.test_request_context("/"):
        inline = send_download(b"x", "a.csv", "text/csv", inline=True)
        assert inline.headers["Content-Disposition"] == "inline; filename=a.csv"
        assert inline.headers["ETag"]  # made from the bytes when none is given


def test_file_name_slugs_are_ascii_and_never_climb_folders():
    from app.web.text import ascii_slug

    assert ascii_slug("Spårade ändringar") == "sparade-andringar"
    assert ascii_slug("Ändrad ../ Utkast: 2.1 ", keep_dots=True) == "andrad.utkast-2.1"
    assert ascii_slug("../..") == ""


def test_markdown_typed_in_forms_prints_as_plain_text():
    from app.web.text import markdown_text

    assert (
        markdown_text("Se **fet** och *kursiv* och _lutande_ text.") == "Se fet och kursiv och lutande text."
    )
    assert markdown_text("Läs [protokollet](https://example.org/p).") == "Läs protokollet (https://example.org/p)."
    # Lines stay; a lone star or an underscore inside a word is text, not a mark.
    assert markdown_text("1. a * b\n2. snake_case_name") == "1. a * b\n2. snake_case_name"


def test_times_are_entered_in_swedish_time_and_stored_in_utc():
    from datetime import UTC, date, datetime, time

    from app.timeutil import to_local, to_utc

    summer = to_utc(date(2020, 9, 1), time(10, 0))
    assert summer == datetime(2020, 9, 1, 8, 0, tzinfo=UTC)
    assert to_utc(date(2020, 12, 1), time(10, 0)) == datetime(2020, 12, 1, 9, 0, tzinfo=UTC)
    assert to_local(summer).hour == 10
    assert to_local(datetime(2020, 12, 1, 9, 0)).hour == 10  # a naive moment is UTC
