"""The page shown while the database is unreachable, in a real browser (issue 18)."""

from __future__ import annotations

import socket
from contextlib import closing

import pytest

from app import create_app
from app.extensions import db, limiter
from tests.browser.conftest import serving


@pytest.fixture
def unreachable_server(tmp_path):
    """The app on a database that is a closed port, served on a loopback port of its own."""
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    was_enabled = limiter.enabled
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@127.0.0.1:{closed}/remiss",
            "SECRET_KEY": "outage-browser-test-secret-key-0123456789abcdef",
            "RATELIMIT_ENABLED": False,
        }
    )
    with serving(app) as url:
        yield url
    limiter.enabled = was_enabled
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_outage_page_is_short_translated_and_accessible(
    page, unreachable_server, axe_check, tmp_path, width
):
    page.set_viewport_size({"width": width, "height": 800})
    response = page.goto(unreachable_server + "/d/oppna-licenser")
    assert response.status == 503
    assert response.headers["retry-after"].isdigit()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Tjänsten är inte tillgänglig just nu. Försök igen om en minut."
    assert page.locator("html").get_attribute("lang") == "sv"
    # "Try again" reloads the same address.
    link = page.get_by_role("link", name="Försök igen")
    assert link.get_attribute("href") == "/d/oppna-licenser"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Försök igen"
    axe_check(page, f"503 at {width}px")
    page.screenshot(path=str(tmp_path / f"outage-{width}.png"), full_page=True)
