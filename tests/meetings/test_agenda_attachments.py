"""Slides attached to agenda items (issue 25, point 4): PDFs only, at most the configured size,
nothing active inside; kept in the database, served as a download with the meeting's permission.
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from app.documents.models import Visibility
from app.extensions import db
from app.meetings import agenda
from app.meetings.models import AgendaAttachment, AgendaItem
from tests.meetings import pdfs
from tests.meetings import test_agenda as base
from tests.meetings.test_agenda import items, make_meeting, make_series

host, member = base.host, base.member  # the same people as there


def upload(client, meeting_id, data: bytes, name="bilder.pdf", **fields):
    form = {"title": "Bilder", "start": "", "duration": "", "presenter": "", "description": "", "link": ""}
    form.update(fields)
    form["slides"] = (io.BytesIO(data), name)
    return client.post(f"/meetings/{meeting_id}/agenda", form, content_type="multipart/form-data")


def attachments(app) -> list[AgendaAttachment]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AgendaAttachment)).all()
        db.session.expunge_all()
        return list(rows)


def test_slides_are_kept_and_served_as_a_download(app, client, make_client, host):
    meeting_id = make_meeting(app, make_series(app))
    client.login("hanna@example.org")
    response = upload(client, meeting_id, pdfs.PDF, name="../../etc/Bilder om <licenser>.pdf")
    assert response.status_code == 302
    (attachment,) = attachments(app)
    (item,) = items(app, meeting_id)
    assert item.attachment_id == attachment.id
    assert attachment.file_name == "Bilder om _licenser.pdf"
    assert attachment.size == len(pdfs.PDF)
    page = make_client().get(f"/meetings/{meeting_id}").text
    assert f'href="/meetings/attachments/{attachment.id}"' in page
    response = make_client().get(f"/meetings/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.data == pdfs.PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "Bilder" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # The same file can be linked from another item, chosen from the list.
    assert (
        client.post(
            f"/meetings/{meeting_id}/agenda",
            {"title": "Samma bilder", "link": f"attachment:{attachment.id}"},
        ).status_code
        == 302
    )
    assert [i.attachment_id for i in items(app, meeting_id)] == [attachment.id, attachment.id]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (pdfs.NOT_A_PDF_BUT_NAMED_ONE, "bilder.pdf", "inte en PDF"),
        (b"<html><script>alert(1)</script></html>", "bilder.pdf", "inte en PDF"),
        (b"", "bilder.pdf", "tom"),
        (pdfs.WITH_JAVASCRIPT, "bilder.pdf", "skript"),
        (pdfs.WITH_ESCAPED_JAVASCRIPT, "bilder.pdf", "skript"),
        (pdfs.IN_OBJECT_STREAM, "bilder.pdf", "skript"),
        (pdfs.WITH_EMBEDDED_FILE, "bilder.pdf", "skript"),
        (pdfs.WITH_PAGE_ACTION, "bilder.pdf", "skript"),
        (pdfs.ACTION_IN_IMAGE_BYTES, "bilder.pdf", "skript"),
        (pdfs.ENCRYPTED, "bilder.pdf", "krypterad"),
        (pdfs.TRUNCATED, "bilder.pdf", "skadad"),
    ],
)
def test_refused_uploads_change_nothing(app, client, host, data, name, message):
    meeting_id = make_meeting(app, make_series(app))
    client.login("hanna@example.org")
    response = upload(client, meeting_id, data, name=name)
    assert response.status_code == 400
    assert message in response.text
    assert attachments(app) == []
    assert items(app, meeting_id) == []


def test_the_size_limit_is_the_configured_one(app, client, host, monkeypatch):
    meeting_id = make_meeting(app, make_series(app))
    client.login("hanna@example.org")
    monkeypatch.setitem(app.config, "AGENDA_ATTACHMENT_MAX_BYTES", len(pdfs.PDF) - 1)
    response = upload(client, meeting_id, pdfs.PDF)
    assert response.status_code == 400
    assert "större än" in response.text
    assert attachments(app) == []


def test_a_file_over_the_request_limit_is_refused_without_a_500(app, client, host, monkeypatch):
    meeting_id = make_meeting(app, make_series(app))
    client.login("hanna@example.org")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = upload(client, meeting_id, pdfs.PDF + b"%" * 4096)
    assert response.status_code == 413
    assert attachments(app) == []


def test_a_link_and_a_file_at_once_is_refused(app, client, host):
    meeting_id = make_meeting(app, make_series(app))
    client.login("hanna@example.org")
    upload(client, meeting_id, pdfs.PDF)
    (attachment,) = attachments(app)
    response = upload(client, meeting_id, pdfs.PDF, link=f"attachment:{attachment.id}")
    assert response.status_code == 400
    assert "inte båda" in response.text
    assert len(attachments(app)) == 1


def test_bytes_of_an_image_that_look_like_short_names_are_accepted():
    agenda.check_pdf(pdfs.IMAGE_WITH_NAME_LIKE_BYTES)


def test_a_pdf_from_libreoffice_is_accepted(tmp_path, soffice):
    source = tmp_path / "bilder.txt"
    source.write_text("Bilder om öppna licenser\n", encoding="utf-8")
    agenda.check_pdf(soffice(source, "pdf").read_bytes())


def test_a_private_series_attachment_never_reaches_visitors(app, client, make_client, host, member):
    meeting_id = make_meeting(app, make_series(app, visibility=Visibility.NETWORK))
    client.login("hanna@example.org")
    upload(client, meeting_id, pdfs.PDF)
    (attachment,) = attachments(app)
    url = f"/meetings/attachments/{attachment.id}"
    visitor = make_client().get(url)
    assert visitor.status_code == 302 and "/login" in visitor.location
    reader = make_client()
    reader.login("maja@example.org")
    assert reader.get(url).status_code == 200


def test_an_unpublished_agendas_attachment_is_for_hosts_only(app, client, make_client, host, member):
    meeting_id = make_meeting(app, make_series(app), published=False)
    client.login("hanna@example.org")
    upload(client, meeting_id, pdfs.PDF)
    (attachment,) = attachments(app)
    url = f"/meetings/attachments/{attachment.id}"
    reader = make_client()
    reader.login("maja@example.org")
    assert reader.get(url).status_code == 404
    assert make_client().get(url).status_code == 404
    assert client.get(url).status_code == 200


def test_removing_the_item_keeps_the_file(app, client, host):
    meeting_id = make_meeting(app, make_series(app))
    client.login("hanna@example.org")
    upload(client, meeting_id, pdfs.PDF)
    (item,) = items(app, meeting_id)
    assert client.post(f"/meetings/{meeting_id}/agenda/{item.id}/remove").status_code == 302
    assert len(attachments(app)) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AgendaItem.id))) == 0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("bilder.pdf", "bilder.pdf"),
        ("C:\\Users\\x\\Bilder.PDF", "Bilder.pdf"),
        ("", "bilaga.pdf"),
        ("....pdf", "bilaga.pdf"),
        ("a\r\nContent-Type: text/html.pdf", "html.pdf"),
        ("a\r\nContent-Type: text.pdf", "a_Content-Type_ text.pdf"),
        ('"; filename=evil.html', "filename_evil.html.pdf"),
        ("Åsa öppna data.pdf", "Åsa öppna data.pdf"),
    ],
)
def test_safe_file_names(name, expected):
    assert agenda.safe_file_name(name) == expected
