"""Meetings through HTTP and the CLI: planning, validation, permissions, and the exported pack's files."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit import AuditEvent
from app.documents.models import CommentVisibility, Document, Version, Visibility
from app.extensions import db
from app.meetings import operations
from app.meetings.models import Export, ExportKind, Meeting
from app.meetings.pack import writer as pack_writer
from app.review.models import Comment, CommentStatus
from tests import office
from tests.conftest import add_comment

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

V1 = [
    ("h1", "heading", 1, "Inledning"),
    ("p1", "paragraph", 1, "Myndigheter skapar mycket material."),
    ("p2", "paragraph", 1, "Ett stycke som tas bort."),
    ("h2", "heading", 1, "Licenser"),
    ("p4", "paragraph", 1, "Välj en licens."),
]
V2 = [
    ("h1", "heading", 1, "Inledning"),
    ("p1", "paragraph", 1, "Myndigheter skapar <strong>väldigt</strong> mycket material."),
    ("p3", "paragraph", 1, "Ett helt nytt stycke."),
    ("h2", "heading", 1, "Licenser"),
    ("p4", "paragraph", 1, "Välj en licens."),
]


@pytest.fixture
def doc(factory, editor):
    return factory.document(slug="oppna-licenser", title="Öppna licenser", versions=[V1, V2], editor=editor)


@pytest.fixture
def host(factory):
    return factory.user(email="hanna@example.org", name="Hanna Värd", roles=(Role.HOST,), organisation="DIGG")


@pytest.fixture
def as_host(client, host):
    client.login(host.email)
    return client


def _versions(app, document) -> dict[int, int]:
    """Version number → id."""
    with app.app_context():
        return {v.number: v.id for v in db.session.get(Document, document.id).versions}


def _form(app, of, **changes) -> dict:
    """The meeting form as a browser sends it, presenting version 2 of document *of*."""
    ids = _versions(app, of)
    data = {
        "title": "Nätverksträff 6 oktober",
        "date": "2020-10-06",
        "time": "13:00",
        "agenda": "1. Välkommen\n2. Genomgång av *utkastet*",
        "document": str(of.id),
        "version": str(ids[2]),
        "base_version": "",
    }
    data.update(changes)
    return data


def _meetings(app) -> list[Meeting]:
    with app.app_context():
        return db.session.scalars(sa.select(Meeting).order_by(Meeting.id)).all()


def _exports(app) -> list[Export]:
    with app.app_context():
        return db.session.scalars(sa.select(Export).order_by(Export.id)).all()


def _plan(app, document, number=2, base=1, title="Nätverksträff", starts_at=None) -> int:
    """A meeting stored directly; returns its id."""
    ids = _versions(app, document)
    with app.app_context():
        meeting = Meeting(
            document_id=document.id,
            title=title,
            starts_at=starts_at or datetime(2020, 10, 6, 11, 0, tzinfo=UTC),
            agenda="",
            agenda_html="",
            version_id=ids[number],
            base_version_id=ids[base] if base else None,
        )
        db.session.add(meeting)
        db.session.commit()
        return meeting.id


def _export_events(app) -> int:
    """How many exports the audit log records."""
    with app.app_context():
        return len(
            db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "meeting.export")).all()
        )


def _files(app) -> dict[str, bytes]:
    root = Path(app.config["EXPORTS_DIR"])
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(autouse=True)
def _empty_exports(app):
    """Every test starts with an empty EXPORTS_DIR, like the database, and leaves it empty."""
    shutil.rmtree(app.config["EXPORTS_DIR"], ignore_errors=True)
    yield
    shutil.rmtree(app.config["EXPORTS_DIR"], ignore_errors=True)


# --------------------------------------------------------------------------- planning


def test_host_plans_a_meeting_in_swedish_time_with_the_previous_version_as_base(app, as_host, doc, host):
    page = as_host.get(f"/meetings/new?document={doc.slug}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<optgroup label="Öppna licenser">' in html
    assert f'<option selected value="{_versions(app, doc)[2]}">' in html  # the current version
    response = as_host.post("/meetings/new", _form(app, doc))
    assert response.status_code == 302
    (meeting,) = _meetings(app)
    assert response.location.endswith(f"/meetings/{meeting.id}")
    ids = _versions(app, doc)
    # 13:00 in Stockholm on 6 October 2020 (summer time) is 11:00 UTC.
    assert meeting.starts_at == datetime(2020, 10, 6, 11, 0, tzinfo=UTC)
    assert (meeting.version_id, meeting.base_version_id) == (ids[2], ids[1])
    assert meeting.host_id == host.id
    assert "<em>utkastet</em>" in meeting.agenda_html
    page = as_host.get(response.location).get_data(as_text=True)
    assert "Nätverksträff 6 oktober" in page
    assert "<em>utkastet</em>" in page
    assert "13:00" in page
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_type == "meeting")) == (
            "meeting.create"
        )


def test_default_base_is_the_version_presented_at_the_previous_meeting(app, as_host, factory, editor):
    document = factory.document(slug="tre", versions=[V1, V2, V1], editor=editor)
    ids = _versions(app, document)
    _plan(app, document, number=1, base=None, starts_at=datetime(2020, 9, 1, 11, tzinfo=UTC))
    response = as_host.post("/meetings/new", _form(app, document, version=str(ids[3])))
    assert response.status_code == 302
    assert _meetings(app)[-1].base_version_id == ids[1]  # not version 2: it was never presented
    # A meeting before that one has no previous meeting: the previous version is the base.
    response = as_host.post("/meetings/new", _form(app, document, version=str(ids[3]), date="2020-08-01"))
    assert _meetings(app)[-1].base_version_id == ids[2]


def test_first_version_has_no_base(app, as_host, doc):
    ids = _versions(app, doc)
    assert as_host.post("/meetings/new", _form(app, doc, version=str(ids[1]))).status_code == 302
    assert _meetings(app)[0].base_version_id is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Give the meeting a title."),
        ({"title": "x" * 301}, "At most 300 characters."),
        ({"place": "x" * 501}, "At most 500 characters."),
        ({"date": ""}, "Enter the date of the meeting."),
        ({"date": "2020-13-45"}, "Enter the date as year-month-day"),
        ({"time": "25:99"}, "Enter the time as hours and minutes"),
        ({"time": ""}, "Enter the time the meeting starts."),
        ({"document": "abc"}, "Choose a document."),
        ({"document": "999999"}, "Choose a document."),
        ({"version": "not-a-number"}, "Choose a published version."),
        ({"base_version": "999999"}, "Choose a published version to compare with."),
    ],
)
def test_bad_input_is_a_form_error_never_a_crash(app, as_host, doc, changes, message):
    as_host.post("/language", {"language": "en"})
    response = as_host.post("/meetings/new", _form(app, doc, **changes))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="error-summary"' in html
    assert _meetings(app) == []


def test_base_must_be_older_and_of_the_same_document(app, as_host, doc, factory, editor):
    other = factory.document(slug="annat", versions=[V1, V2], editor=editor)
    ids, other_ids = _versions(app, doc), _versions(app, other)
    as_host.post("/language", {"language": "en"})
    cases = [
        (ids[2], ids[2], "must be older than the version presented"),
        (ids[1], ids[2], "must be older than the version presented"),
        (ids[2], other_ids[1], "must be of the same document"),
    ]
    for version, base, message in cases:
        response = as_host.post(
            "/meetings/new", _form(app, doc, version=str(version), base_version=str(base))
        )
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    response = as_host.post("/meetings/new", _form(app, doc, version=str(other_ids[2])))
    assert response.status_code == 400
    assert "Choose a version of the chosen document." in response.get_data(as_text=True)
    assert _meetings(app) == []


def test_draft_versions_cannot_be_presented(app, as_host, doc):
    ids = _versions(app, doc)
    with app.app_context():
        from app.documents.models import VersionState

        db.session.get(Version, ids[2]).state = VersionState.DRAFT
        db.session.commit()
    response = as_host.post("/meetings/new", _form(app, doc, version=str(ids[2])))
    assert response.status_code == 400
    assert _meetings(app) == []


def test_edit_shows_the_meeting_in_swedish_time_and_saves_changes(app, as_host, doc):
    meeting_id = _plan(app, doc, starts_at=datetime(2020, 12, 1, 12, 0, tzinfo=UTC))
    html = as_host.get(f"/meetings/{meeting_id}/edit").get_data(as_text=True)
    assert 'value="2020-12-01"' in html
    assert 'value="13:00"' in html  # winter time: UTC+1
    ids = _versions(app, doc)
    response = as_host.post(
        f"/meetings/{meeting_id}/edit",
        _form(app, doc, title="Flyttat möte", date="2020-12-08", time="09:30", base_version=str(ids[1])),
    )
    assert response.status_code == 302
    (meeting,) = _meetings(app)
    assert meeting.title == "Flyttat möte"
    assert meeting.starts_at == datetime(2020, 12, 8, 8, 30, tzinfo=UTC)
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "meeting.update"))
    bad = as_host.post(f"/meetings/{meeting_id}/edit", _form(app, doc, title=""))
    assert bad.status_code == 400
    assert _meetings(app)[0].title == "Flyttat möte"


# --------------------------------------------------------------------------- who sees what


def test_lists_show_upcoming_and_past_meetings_of_readable_documents(app, client, factory, doc, editor):
    hidden = factory.document(slug="intern", title="Internt", visibility=Visibility.NETWORK, editor=editor)
    _plan(app, doc, title="Gammalt möte", starts_at=datetime(2020, 10, 6, 11, tzinfo=UTC))
    _plan(app, doc, title="Kommande möte", starts_at=datetime(2099, 1, 1, 11, tzinfo=UTC))
    network_meeting = _plan(app, hidden, number=1, base=None, title="Internt möte")
    html = client.get("/meetings").get_data(as_text=True)
    assert html.index("Kommande möte") < html.index("Gammalt möte")
    assert "Internt möte" not in html
    assert client.get(f"/meetings/{network_meeting}").status_code == 302
    member = factory.user(email="m@example.org")
    client.login(member.email)
    html = client.get("/meetings").get_data(as_text=True)
    assert "Internt möte" in html
    assert "Planera ett möte" not in html  # hosts only
    assert client.get(f"/meetings/{network_meeting}").status_code == 200


def test_only_hosts_plan_edit_and_export(app, client, factory, doc):
    meeting_id = _plan(app, doc)
    for path in ("/meetings/new", f"/meetings/{meeting_id}/edit"):
        assert client.get(path).status_code == 302
    member = factory.user(email="m@example.org", roles=(Role.MEMBER, Role.EDITOR, Role.ADMIN))
    client.login(member.email)
    assert client.get("/meetings/new").status_code == 403
    assert client.post("/meetings/new", _form(app, doc)).status_code == 403
    assert client.get(f"/meetings/{meeting_id}/edit").status_code == 403
    assert client.post(f"/meetings/{meeting_id}/export").status_code == 403
    assert "Skapa mötesunderlaget" not in client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert _exports(app) == []
    assert len(_meetings(app)) == 1


# --------------------------------------------------------------------------- the pack


def _export(client, meeting_id):
    response = client.post(f"/meetings/{meeting_id}/export")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _wdate(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_export_writes_four_files_with_rows_and_real_tracked_changes(
    app, as_host, doc, host, member_comments
):
    meeting_id = _plan(app, doc)
    response = _export(as_host, meeting_id)
    assert "Mötesunderlaget har skapats" in as_host.get(response.location).get_data(as_text=True)
    exports = _exports(app)
    assert {e.kind for e in exports} == set(ExportKind)
    folder = "oppna-licenser/2020-10-06"
    names = {e.kind: e.path for e in exports}
    assert names[ExportKind.TRACKED] == f"{folder}/oppna-licenser_2020-10-06_utkast-2_sparade-andringar.docx"
    assert names[ExportKind.CLEAN] == f"{folder}/oppna-licenser_2020-10-06_utkast-2_renskrift.docx"
    assert names[ExportKind.CSV].endswith("_synpunkter.csv")
    assert names[ExportKind.JSON].endswith("_synpunkter.json")
    files = _files(app)
    assert sorted(files) == sorted(names.values())  # nothing else, no temporary files
    for export in exports:
        data = files[export.path]
        assert export.sha256 == hashlib.sha256(data).hexdigest()
        assert export.size == len(data)
        assert export.created_by_id == host.id
        assert export.version_id is not None and export.base_version_id is not None

    tracked = docx.Document(io.BytesIO(files[names[ExportKind.TRACKED]]))
    body = tracked.element.body
    inserted, deleted = body.xpath(".//w:ins"), body.xpath(".//w:del")
    assert inserted and deleted
    with app.app_context():
        v2 = db.session.get(Document, doc.id).versions[1]
        changed = _wdate(v2.published_at)
    for mark in inserted + deleted:
        assert mark.get(f"{{{W}}}author") == "Eva Redaktör"
        assert mark.get(f"{{{W}}}date") == changed
    inserted_text = "".join(body.xpath(".//w:ins//w:t/text()"))
    deleted_text = "".join(body.xpath(".//w:del//w:delText/text()"))
    assert "väldigt" in inserted_text and "Ett helt nytt stycke." in inserted_text
    assert "Ett stycke som tas bort." in deleted_text
    # Every comment on the text is a Word comment, signed with name and organisation; a
    # decided one has the decision and response as a reply in its thread.
    comments = {c.text: c.author for c in tracked.comments}
    assert any("Gör det tydligare." in text for text in comments)
    assert any("Redan beaktad." in text for text in comments)
    assert any("På version ett." in text for text in comments)  # made on the base version
    reply = next(text for text in comments if "Vi har ändrat." in text)
    assert reply.startswith("Beslut: Beaktad")

    clean = docx.Document(io.BytesIO(files[names[ExportKind.CLEAN]]))
    assert not clean.element.body.xpath(".//w:ins | .//w:del")
    assert "Ett stycke som tas bort." not in "\n".join(p.text for p in clean.paragraphs)

    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "meeting.export"))
        assert {f["sha256"] for f in event.data["files"]} == {e.sha256 for e in exports}
        assert event.actor_id == host.id


@pytest.fixture
def member_comments(app, factory, doc):
    """Comments on both versions: those on the base (version 1) and on version 2 are in the pack."""
    member = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    with app.app_context():
        add_comment(doc, "p1", member, version_number=1, body="På version ett.")
        open_id = add_comment(doc, "p1", member, version_number=2, body="Gör det tydligare.")
        decided = add_comment(doc, "p4", member, version_number=2, body="Redan beaktad.")
        add_comment(doc, None, member, version_number=2, body="Allmänt om utkastet.")
        comment = db.session.get(Comment, decided)
        comment.status = CommentStatus.ACCEPTED
        comment.response = "Vi har ändrat."
        reply = add_comment(doc, "p1", member, version_number=2, body="Ett svar.")
        db.session.get(Comment, reply).parent_id = open_id
        db.session.commit()
    return member


def test_compilation_lists_comments_on_the_base_and_after_with_refs_and_status(
    app, as_host, doc, member_comments
):
    meeting_id = _plan(app, doc)
    _export(as_host, meeting_id)
    files = _files(app)
    by_kind = {e.kind: files[e.path] for e in _exports(app)}
    data = json.loads(by_kind[ExportKind.JSON])
    rows = {c["body"]: c for c in data["comments"]}
    assert set(rows) == {"På version ett.", "Gör det tydligare.", "Redan beaktad.", "Allmänt om utkastet."}
    assert rows["På version ett."]["version"] == "Utkast 1"
    assert rows["Gör det tydligare."]["version"] == "Utkast 2"
    assert rows["Gör det tydligare."]["ref"] == "1 st. 1"
    assert rows["Gör det tydligare."]["section"] == "1 Inledning"
    assert rows["Gör det tydligare."]["organisation"] == "Samtrafiken"
    assert rows["Gör det tydligare."]["author"] == "Maja Medlem"
    assert rows["Redan beaktad."]["status"] == "accepted"
    assert rows["Redan beaktad."]["response"] == "Vi har ändrat."
    assert rows["Redan beaktad."]["ref"] == "2 st. 1"
    assert rows["Allmänt om utkastet."]["ref"] == ""
    assert data["about"]["base_version"] == "Utkast 1"
    raw = by_kind[ExportKind.CSV]
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(table) == 5
    assert any("Beaktad" in row for row in table)


def test_downloads_are_the_recorded_files_with_rfc_6266_names(app, as_host, doc, make_client):
    _export(as_host, _plan(app, doc))
    for export in _exports(app):
        response = as_host.get(f"/exports/{export.id}")
        assert response.status_code == 200
        assert hashlib.sha256(response.data).hexdigest() == export.sha256
        name = export.path.rsplit("/", 1)[-1]
        # An ASCII name needs no UTF-8 twin (RFC 6266); app.web.downloads adds one when it does.
        assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
        response.close()
    assert as_host.get("/exports/999999").status_code == 404
    # The pack names every commenter: visitors get it only when the document shows names.
    export_id = _exports(app)[0].id
    visitor = make_client()
    assert visitor.get(f"/exports/{export_id}").status_code == 302
    with app.app_context():
        db.session.get(Document, doc.id).comment_visibility = CommentVisibility.FULL
        db.session.commit()
    response = visitor.get(f"/exports/{export_id}")
    assert response.status_code == 200
    response.close()


def test_a_missing_mirror_file_is_served_from_the_database_and_written_again(app, as_host, doc):
    _export(as_host, _plan(app, doc))
    export = _exports(app)[0]
    mirror = Path(app.config["EXPORTS_DIR"]) / export.path
    mirror.unlink()
    response = as_host.get(f"/exports/{export.id}")
    assert response.status_code == 200
    assert hashlib.sha256(response.data).hexdigest() == export.sha256
    assert mirror.read_bytes() == response.data  # the mirror has the same bytes and name again
    assert not [p for p in mirror.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_file_from_before_the_database_kept_bytes_is_read_from_disk_or_404(app, as_host, doc):
    _export(as_host, _plan(app, doc))
    export = _exports(app)[0]
    with app.app_context():
        db.session.get(Export, export.id).content = None
        db.session.commit()
    mirror = Path(app.config["EXPORTS_DIR"]) / export.path
    assert hashlib.sha256(as_host.get(f"/exports/{export.id}").data).hexdigest() == export.sha256
    mirror.unlink()
    assert as_host.get(f"/exports/{export.id}").status_code == 404


def test_exporting_twice_gives_the_same_bytes_and_keeps_one_row_per_file(app, as_host, doc, member_comments):
    meeting_id = _plan(app, doc)
    _export(as_host, meeting_id)
    first = {e.path: e.sha256 for e in _exports(app)}
    _export(as_host, meeting_id)
    second = {e.path: e.sha256 for e in _exports(app)}
    assert first == second
    assert len(_exports(app)) == 4
    for path, data in _files(app).items():
        assert hashlib.sha256(data).hexdigest() == first[path]
    assert _export_events(app) == 2


def test_a_failed_export_leaves_the_previous_files_and_rows(app, as_host, doc, factory, monkeypatch):
    meeting_id = _plan(app, doc)
    _export(as_host, meeting_id)
    before_files = _files(app)
    before_rows = {e.path: (e.sha256, e.created_at) for e in _exports(app)}
    # New data that would change the pack, then a writer that fails.
    member = factory.user(email="sen@example.org")
    with app.app_context():
        add_comment(doc, "p1", member, version_number=2, body="Sent inkommen.")

    def broken(pack, tracked=True):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pack_writer, "write_pack", broken)
    response = as_host.post(f"/meetings/{meeting_id}/export")
    assert response.status_code == 302
    assert "kunde inte skapas" in as_host.get(response.location).get_data(as_text=True)
    assert _files(app) == before_files
    assert {e.path: (e.sha256, e.created_at) for e in _exports(app)} == before_rows
    assert _export_events(app) == 1


def test_a_failure_while_writing_removes_the_temporary_files(app, as_host, doc, factory, monkeypatch):
    meeting_id = _plan(app, doc)
    _export(as_host, meeting_id)
    before = _files(app)
    member = factory.user(email="sen@example.org")
    with app.app_context():
        add_comment(doc, "p1", member, version_number=2, body="Sent inkommen.")
    real_fsync = operations.os.fsync
    calls = []

    def fsync_fails_on_the_third_file(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(operations.os, "fsync", fsync_fails_on_the_third_file)
    response = as_host.post(f"/meetings/{meeting_id}/export")
    assert response.status_code == 302
    monkeypatch.undo()
    assert len(calls) == 3
    assert _files(app) == before  # two new files were written, then removed: no .tmp left


def test_version_labels_become_ascii_file_names(app, as_host, doc):
    ids = _versions(app, doc)
    with app.app_context():
        db.session.get(Version, ids[2]).label = "0.3"
        db.session.commit()
    _export(as_host, _plan(app, doc))
    names = sorted(e.path.rsplit("/", 1)[-1] for e in _exports(app))
    assert "oppna-licenser_2020-10-06_v0.3_sparade-andringar.docx" in names
    assert all(name.isascii() for name in names)


def test_meeting_page_lists_the_files_for_download(app, as_host, doc):
    meeting_id = _plan(app, doc)
    _export(as_host, meeting_id)
    html = as_host.get(f"/meetings/{meeting_id}").get_data(as_text=True).replace("<wbr>", "")
    for export in _exports(app):
        assert f'href="/exports/{export.id}"' in html
        assert export.sha256 in html
    assert "Skapa mötesunderlaget igen" in html


@pytest.mark.libreoffice
def test_libreoffice_opens_the_exported_pack(app, as_host, doc, member_comments, tmp_path):
    office.require("soffice", "pdftotext")
    _export(as_host, _plan(app, doc))
    tracked = next(e for e in _exports(app) if e.kind is ExportKind.TRACKED)
    text = office.to_pdf_text(Path(app.config["EXPORTS_DIR"]) / tracked.path, tmp_path)
    for expected in ("Ett helt nytt stycke.", "Sammanställning av inkomna synpunkter", "Gör det tydligare."):
        assert expected in text, expected


# --------------------------------------------------------------------------- the command line


def test_cli_exports_a_meeting_and_prints_checksums(app, doc):
    meeting_id = _plan(app, doc)
    result = app.test_cli_runner().invoke(args=["export-meeting", str(meeting_id)])
    assert result.exit_code == 0, result.output
    exports = _exports(app)
    assert len(exports) == 4
    assert result.output.splitlines() == [f"{e.sha256}  {e.path}" for e in exports]
    assert all(e.created_by_id is None for e in exports)
    files = _files(app)
    assert {e.path: e.sha256 for e in exports} == {p: hashlib.sha256(d).hexdigest() for p, d in files.items()}


def test_cli_reports_an_unknown_meeting(app):
    result = app.test_cli_runner().invoke(args=["export-meeting", "999999", "--language", "en"])
    assert result.exit_code == 1
    assert "no meeting with id 999999" in result.output


def test_open_comments_from_before_the_base_are_carried_forward_with_where_they_were_decided(
    app, as_host, factory, editor, host
):
    """Three versions, the meeting shows 3 against 2: comments on 2 and 3 are listed, of
    those on 1 only the ones still open; each row says where it was made and decided."""
    v3 = [*V2[:4], ("p4", "paragraph", 1, "Välj en öppen licens.")]
    three = factory.document(slug="tre", title="Tre versioner", versions=[V1, V2, v3], editor=editor)
    member = factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken")
    with app.app_context():
        add_comment(three, "p1", member, version_number=1, body="Öppen sedan version ett.")
        closed = add_comment(three, "p4", member, version_number=1, body="Avgjord på version ett.")
        gone = add_comment(three, "p2", member, version_number=1, body="Om det strukna stycket.")
        on_base = add_comment(three, "p4", member, version_number=2, body="På basversionen.")
        add_comment(three, "p1", member, version_number=3, body="På den visade versionen.")
        document = db.session.get(Document, three.id)
        for comment_id, status in ((closed, CommentStatus.REJECTED), (on_base, CommentStatus.ACCEPTED)):
            comment = db.session.get(Comment, comment_id)
            comment.status = status
            comment.response = "Svar."
            comment.decided_by_id = editor.id
            comment.decided_at = document.versions[2].published_at - timedelta(days=1)
            if status is CommentStatus.ACCEPTED:
                comment.resolved_in_version_id = document.versions[2].id
        db.session.commit()
    _export(as_host, _plan(app, three, number=3, base=2))
    by_kind = {e.kind: _files(app)[e.path] for e in _exports(app)}
    data = json.loads(by_kind[ExportKind.JSON])
    rows = {c["body"]: c for c in data["comments"]}
    assert set(rows) == {
        "Öppen sedan version ett.",
        "Om det strukna stycket.",
        "På basversionen.",
        "På den visade versionen.",
    }
    assert rows["Öppen sedan version ett."]["version"] == "Utkast 1"
    assert rows["På basversionen."]["decided_in_version"] == "Utkast 3"
    assert rows["På den visade versionen."]["decided_in_version"] is None
    # A carried-forward comment on a paragraph gone since keeps the reference it had then.
    assert rows["Om det strukna stycket."]["ref"] == "1 st. 2"
    assert data["summary"]["comments"] == 4
    assert data["summary"]["by_decision"]["accepted"] == 1
    assert gone is not None


def test_place_and_agenda_are_on_the_meeting_page_and_the_pack_cover(app, as_host, doc):
    link = "https://meet.example.org/natverket?id=1&x=2"
    agenda = "1. Välkommen\n2. Genomgång av *utkastet*\n3. Se [protokollet](https://example.org/p)"
    response = as_host.post("/meetings/new", _form(app, doc, place=f"  {link}  ", agenda=agenda))
    assert response.status_code == 302, response.get_data(as_text=True)
    meeting = _meetings(app)[0]
    assert meeting.place == link
    html = as_host.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Plats eller länk" in html
    assert f'<a href="{link.replace("&", "&amp;")}">' in html
    edit = as_host.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert f'value="{link.replace("&", "&amp;")}"' in edit
    _export(as_host, meeting.id)
    tracked = next(e for e in _exports(app) if e.kind is ExportKind.TRACKED)
    document = docx.Document(io.BytesIO(_files(app)[tracked.path]))
    cover = [p.text for p in document.paragraphs[:20]]
    assert "Tid: 2020-10-06 13:00 (svensk tid)" in cover
    assert f"Plats: {link}" in cover
    start = cover.index("Dagordning")
    assert cover[start + 1 : start + 4] == [
        "1. Välkommen",
        "2. Genomgång av utkastet",
        "3. Se protokollet (https://example.org/p)",
    ]
    # The link is a real hyperlink on the cover.
    body = document.element.body
    assert body.xpath(".//w:hyperlink[.//w:t[contains(text(), 'meet.example.org')]]")


def test_members_replies_reach_the_packs_word_thread_csv_and_json(app, as_host, doc, member_comments):
    """Issue 23, point 4: a reply is in its comment's Word thread and row, never a row of its own."""
    meeting_id = _plan(app, doc)
    _export(as_host, meeting_id)
    files = _files(app)
    by_kind = {e.kind: files[e.path] for e in _exports(app)}
    rows = {c["body"]: c for c in json.loads(by_kind[ExportKind.JSON])["comments"]}
    assert "Ett svar." not in rows
    replies = rows["Gör det tydligare."]["replies"]
    assert [(r["author"], r["organisation"], r["body"]) for r in replies] == [
        ("Maja Medlem", "Samtrafiken", "Ett svar.")
    ]
    table = list(csv.reader(io.StringIO(by_kind[ExportKind.CSV].decode("utf-8-sig"))))
    column = table[0].index("Svar i tråden")
    row = next(r for r in table[1:] if "Gör det tydligare." in r)
    assert row[column].startswith("Maja Medlem (Samtrafiken), ") and row[column].endswith(": Ett svar.")
    tracked = next(e for e in _exports(app) if e.kind is ExportKind.TRACKED)
    comments = docx.Document(io.BytesIO(files[tracked.path])).comments
    reply = next(c for c in comments if c.text == "Ett svar.")
    assert reply.author == "Maja Medlem (Samtrafiken)" and reply.initials == "MM"
