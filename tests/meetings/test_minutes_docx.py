"""The minutes as a Word file and hostile text in the minutes (issue 25, point 5, "Bad input"): the
file downloaded over HTTP validates against the ECMA-376 schemas (tests/meetings/ooxml.py, the
schemas in /work/shared/ooxml-xsd) and Word's own rules, LibreOffice opens and converts it, the XSS
corpus in every field is text in it (escaped, never markup) and inert on the pages; the same minutes
give the same bytes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import docx
import sqlalchemy as sa

from app.extensions import db
from app.meetings.models import AgendaItem, Meeting
from tests.browser.xss import payloads
from tests.meetings.ooxml import schema_problems, word_rule_problems
from tests.meetings.test_docx_writer import part
from tests.meetings.test_minutes import (  # noqa: F401  (fixtures)
    add_action,
    host,
    item_ids,
    make_meeting,
    make_series,
    member,
    publish,
    token,
)


def _hostile_minutes(app, client, corpus: list[str]) -> int:
    """Published minutes with the corpus in every field (items, texts, decisions, actions, names)."""
    series_id = make_series(app, title=corpus[0][:300])
    meeting_id = make_meeting(app, series_id, title=corpus[1][:300], items=[p[:300] for p in corpus[2:6]])
    items = item_ids(app, meeting_id)
    client.login("hanna@example.org")
    texts = {f"item-{item}": "\n\n".join(corpus[i::4][:40]) for i, item in enumerate(items)}
    assert (
        client.post(
            f"/meetings/{meeting_id}/minutes/text", {"token": token(client, meeting_id), **texts}
        ).status_code
        == 302
    )
    for i, payload in enumerate(corpus[:30]):
        item = str(items[i % len(items)]) if i % 3 else ""
        assert client.post(
            f"/meetings/{meeting_id}/minutes/decisions", {"agenda_item": item, "text": payload[:2000]}
        ).status_code in (302, 400)
        assert add_action(
            client, meeting_id, agenda_item=item, what=payload[:2000], owner="", owner_name=payload[:200]
        ).status_code in (302, 400)
        assert client.post(
            f"/meetings/{meeting_id}/minutes/attendees",
            {"name": payload[:200], "organisation": payload[-200:]},
        ).status_code in (302, 400)
    assert publish(client, meeting_id).status_code == 302
    return meeting_id


def test_the_word_file_validates_and_escapes_the_corpus(app, client, host, member, tmp_path, soffice):  # noqa: F811
    corpus = payloads()
    meeting_id = _hostile_minutes(app, client, corpus)
    response = client.get(f"/meetings/{meeting_id}/minutes.docx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    data = response.data
    assert schema_problems(data) == []
    assert word_rule_problems(data) == []
    # Same minutes, same bytes.
    assert client.get(f"/meetings/{meeting_id}/minutes.docx").data == data
    # Every decision is there as text: markup in it stayed text (python-docx reads it back).
    text = "\n".join(p.text for p in docx.Document(Path(_write(tmp_path, data))).paragraphs)
    document_text = "".join(part(data, "word/document.xml").itertext())
    for payload in corpus[:30]:
        visible = payload.replace("\x00", "").strip()[:40]
        if visible and visible.isprintable():
            assert visible in document_text or visible in text, visible
    xml = part(data, "word/document.xml")
    assert not any(el.tag.endswith("}script") for el in xml.iter())
    # LibreOffice opens it and prints it.
    pdf = soffice(Path(_write(tmp_path, data)), "pdf")
    assert pdf.stat().st_size > 1000


def _write(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "minutes.docx"
    path.write_bytes(data)
    return str(path)


def test_the_corpus_is_inert_on_the_pages(app, client, host, member):  # noqa: F811
    corpus = payloads()
    meeting_id = _hostile_minutes(app, client, corpus)
    following = make_meeting(
        app, make_series_id(app, meeting_id), title="Nästa", starts_at=_later(app, meeting_id)
    )
    client.logout()
    client.login("maja@example.org")
    pages = [
        client.get(f"/meetings/{meeting_id}/minutes").text,
        client.get(f"/meetings/{following}").text,
    ]
    client.logout()
    client.login("hanna@example.org")
    pages.append(client.get(f"/meetings/{meeting_id}/minutes/edit").text)
    for page in pages:
        for payload in corpus[:30]:
            if "<" in payload and len(payload) > 8:
                assert payload not in page, payload
        assert _active(page) == []
    # The texts were stored as typed; their rendered HTML only keeps the safe tags.
    with app.app_context():
        for item in db.session.scalars(sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)):
            assert "<script" not in item.minutes_html
            assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", item.minutes_html, re.IGNORECASE)
            assert not re.search(r"<[a-z][^>]*(javascript|vbscript|data):", item.minutes_html, re.IGNORECASE)


class _Tags(HTMLParser):
    """Every element with an event handler or a script URL, and every script without a src."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.lower().startswith("on") or (
                name.lower() in ("href", "src", "action", "formaction")
                and (value or "").strip().lower().startswith(("javascript:", "vbscript:", "data:"))
            ):
                self.found.append(f"<{tag} {name}={value}>")
        if tag in ("script", "iframe", "object", "embed") and not dict(attrs).get("src", "").startswith(
            "/static/"
        ):
            self.found.append(f"<{tag}>")


def _active(page: str) -> list[str]:
    parser = _Tags()
    parser.feed(page)
    return parser.found


def make_series_id(app, meeting_id: int) -> int:
    with app.app_context():
        return db.session.get(Meeting, meeting_id).series_id


def _later(app, meeting_id: int):
    from datetime import timedelta

    with app.app_context():
        return db.session.get(Meeting, meeting_id).starts_at + timedelta(days=14)
