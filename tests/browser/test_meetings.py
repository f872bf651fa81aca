"""Meetings in Chromium: a host plans a meeting, creates the pack and downloads it; axe-core on every page."""

from __future__ import annotations

import shutil

import docx
import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.documents.models import Document
from app.extensions import db
from app.meetings.models import Export, Meeting
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _empty_exports(app):
    shutil.rmtree(app.config["EXPORTS_DIR"], ignore_errors=True)
    yield
    shutil.rmtree(app.config["EXPORTS_DIR"], ignore_errors=True)


@pytest.fixture
def doc(factory, editor):
    return factory.document(
        slug="oppna-licenser",
        title="Öppna licenser",
        editor=editor,
        versions=[
            [("h", "heading", 1, "Inledning"), ("p", "paragraph", 1, "Myndigheter skapar material.")],
            [
                ("h", "heading", 1, "Inledning"),
                ("p", "paragraph", 1, "Myndigheter skapar mycket material."),
                ("n", "paragraph", 1, "Ett nytt stycke."),
            ],
        ],
    )


def test_host_plans_a_meeting_creates_and_downloads_the_pack(page, app, doc, factory, axe_check):
    host = factory.user(email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST,))
    with app.app_context():
        newest = db.session.get(Document, doc.id).versions[-1]
    sign_in(page, host.email, PASSWORD)

    page.get_by_role("link", name="Möten").click()
    page.wait_for_url("**/meetings")
    axe_check(page, "the list of meetings")
    page.get_by_role("link", name="Planera ett möte").click()
    page.wait_for_url("**/meetings/new")

    # A missing title is reported in the summary and at the field, and the page passes axe.
    page.get_by_label("Datum").fill("2020-10-06")
    page.get_by_label("Starttid").fill("13:00")
    page.get_by_label("Dagordning").fill("1. Välkommen\n2. Genomgång av utkastet")
    page.get_by_label("Plats eller länk").fill("https://meet.example.org/natverket")
    page.get_by_label("Dokument", exact=True).select_option(label="Öppna licenser")
    page.get_by_label("Version som visas").select_option(value=str(newest.id))
    page.get_by_role("button", name="Spara mötet").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "Ge mötet en rubrik." in summary.inner_text()
    axe_check(page, "the meeting form with an error")

    page.get_by_label("Rubrik").fill("Nätverksträff 6 oktober")
    page.get_by_role("button", name="Spara mötet").click()
    page.get_by_role("heading", level=1, name="Nätverksträff 6 oktober").wait_for()
    assert "Mötet har sparats." in page.locator(".flashes").inner_text()
    assert "Genomgång av utkastet" in page.locator(".agenda").inner_text()
    assert page.get_by_role("link", name="https://meet.example.org/natverket").count() == 1
    axe_check(page, "the meeting page")

    page.get_by_role("button", name="Skapa mötesunderlaget").click()
    page.get_by_role("button", name="Skapa mötesunderlaget igen").wait_for()
    assert "Mötesunderlaget har skapats: 4 filer." in page.locator(".flashes").inner_text()
    axe_check(page, "the meeting page with the pack's files")

    with page.expect_download() as info:
        page.get_by_role("link", name="Word-fil med spårade ändringar och kommentarer").click()
    download = info.value
    assert download.suggested_filename == "oppna-licenser_2020-10-06_utkast-2_sparade-andringar.docx"
    pack = docx.Document(download.path())
    inserted = "".join(pack.element.body.xpath(".//w:ins//w:t/text()"))
    assert "mycket" in inserted and "Ett nytt stycke." in inserted

    with app.app_context():
        meeting = db.session.scalar(sa.select(Meeting))
        assert meeting.host_id == host.id
        assert len(db.session.scalars(sa.select(Export)).all()) == 4
