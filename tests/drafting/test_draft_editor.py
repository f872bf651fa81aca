"""The working draft through HTTP: start, edit, insert, delete, move, split, merge, stale edits, publish."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit import AuditEvent
from app.documents.models import Block, BlockRevision, Document, Version, VersionState
from app.extensions import db
from tests.conftest import add_comment

BLOCKS = [
    ("h", "heading", 1, "Öppna licenser"),
    ("a", "paragraph", 1, "Första stycket om <strong>licenser</strong>."),
    ("b", "paragraph", 1, "Andra stycket. Det har två meningar."),
    ("c", "bullet", 1, "En punkt"),
]


@pytest.fixture
def doc(factory):
    return factory.document(slug="vl", versions=[BLOCKS])


@pytest.fixture
def editor2(factory):
    return factory.user(
        email="elin@digg.example", name="Elin Redaktör", roles=(Role.EDITOR, Role.MEMBER), organisation="DIGG"
    )


@pytest.fixture
def ed(make_client, editor):
    client = make_client()
    client.login(editor.email)
    return client


@pytest.fixture
def started(ed, doc):
    response = ed.post("/d/vl/draft/start", {"label": "Utkast 2"})
    assert response.status_code == 302
    return doc


def draft_rows(app, slug="vl"):
    """(uid, kind, level, text, revision) of the draft in order."""
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.slug == slug))
        draft = document.draft
        rows = db.session.execute(
            sa.select(
                Block.uid, BlockRevision.kind, BlockRevision.level, BlockRevision.text, BlockRevision.revision
            )
            .join(Block, Block.id == BlockRevision.block_id)
            .where(BlockRevision.version_id == draft.id)
            .order_by(BlockRevision.position)
        ).all()
        return [(uid, kind.value, level, text, rev) for uid, kind, level, text, rev in rows]


def uids(doc, *keys):
    return [doc.block_uids[k] for k in keys]


def test_starting_a_draft_copies_every_block_with_its_uid(app, ed, started):
    rows = draft_rows(app)
    assert [r[0] for r in rows] == uids(started, "h", "a", "b", "c")
    assert [r[3] for r in rows] == [b[3] for b in BLOCKS]
    with app.app_context():
        draft = db.session.scalar(sa.select(Version).where(Version.state == VersionState.DRAFT))
        assert (draft.number, draft.label) == (2, "Utkast 2")
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "draft.start")) is not None
    page = ed.get("/d/vl/draft")
    assert page.status_code == 200
    assert "Första stycket om <strong>licenser</strong>." in page.text


def test_a_second_start_is_refused(ed, started):
    response = ed.post("/d/vl/draft/start", {"label": ""})
    assert response.status_code == 409
    assert "redan" in response.text  # "A working draft has already been started." in Swedish


def test_only_editors_see_the_draft(make_client, factory, started):
    member = factory.user(email="maja@example.org")
    client = make_client()
    assert client.get("/d/vl/draft").status_code == 302  # sign in first
    assert client.get("/d/vl/v/2").status_code == 404
    client.login(member.email)
    assert client.get("/d/vl/draft").status_code == 403
    assert client.get("/d/vl/v/2").status_code == 404
    assert client.get("/d/vl/compare/1..2").status_code == 404
    # Readers still get the published version by default.
    assert "Utkast 1" in client.get("/d/vl").text


def test_edit_keeps_the_uid_and_bumps_the_revision(app, ed, started):
    uid = started.block_uids["a"]
    form = ed.get(f"/d/vl/draft/b/{uid}")
    assert form.status_code == 200
    assert "Första stycket om **licenser**." in form.text  # the editor's markup
    response = ed.post(
        f"/d/vl/draft/b/{uid}",
        {
            "kind": "paragraph",
            "level": "1",
            "text": "Första stycket om *öppna* licenser.",
            "base_revision": "1",
        },
    )
    assert response.status_code == 302
    row = next(r for r in draft_rows(app) if r[0] == uid)
    assert row[3] == "Första stycket om <em>öppna</em> licenser."
    assert row[4] == 2
    # The published version is untouched.
    assert "Första stycket om <strong>licenser</strong>." in ed.get("/d/vl/v/1").text


def test_saving_untouched_text_changes_nothing(app, ed, started):
    uid = started.block_uids["a"]
    ed.post(
        f"/d/vl/draft/b/{uid}",
        {"kind": "paragraph", "level": "1", "text": "Första stycket om **licenser**.", "base_revision": "1"},
    )
    row = next(r for r in draft_rows(app) if r[0] == uid)
    assert row[3:] == ("Första stycket om <strong>licenser</strong>.", 1)


def test_kind_and_level_change_and_script_is_neutralised(app, ed, started):
    uid = started.block_uids["b"]
    ed.post(
        f"/d/vl/draft/b/{uid}",
        {
            "kind": "heading",
            "level": "2",
            "text": "Ny <script>alert(1)</script> rubrik",
            "base_revision": "1",
        },
    )
    row = next(r for r in draft_rows(app) if r[0] == uid)
    assert row[1:3] == ("heading", 2)
    assert "<script>" not in row[3]
    assert "&lt;script&gt;" in row[3]


def test_empty_text_is_a_form_error(app, ed, started):
    uid = started.block_uids["b"]
    response = ed.post(
        f"/d/vl/draft/b/{uid}", {"kind": "paragraph", "level": "1", "text": "  ", "base_revision": "1"}
    )
    assert response.status_code == 400
    assert "error-summary" in response.text
    assert draft_rows(app)[2][4] == 1


def test_stale_edit_gets_409_with_both_texts_and_overwrites_nothing(app, make_client, editor2, ed, started):
    uid = started.block_uids["b"]
    other = make_client()
    other.login(editor2.email)
    first = ed.post(
        f"/d/vl/draft/b/{uid}",
        {"kind": "paragraph", "level": "1", "text": "PRV:s version av stycket.", "base_revision": "1"},
    )
    assert first.status_code == 302
    second = other.post(
        f"/d/vl/draft/b/{uid}",
        {"kind": "paragraph", "level": "1", "text": "DIGG:s version av stycket.", "base_revision": "1"},
    )
    assert second.status_code == 409
    assert "PRV:s version av stycket." in second.text  # theirs
    assert "DIGG:s version av stycket." in second.text  # still in the form
    assert 'name="base_revision" type="hidden" value="2"' in second.text
    assert next(r for r in draft_rows(app) if r[0] == uid)[3:] == ("PRV:s version av stycket.", 2)
    # Saving again from the conflict page is a deliberate merge.
    merged = other.post(
        f"/d/vl/draft/b/{uid}",
        {"kind": "paragraph", "level": "1", "text": "Sammanslagen version.", "base_revision": "2"},
    )
    assert merged.status_code == 302
    assert next(r for r in draft_rows(app) if r[0] == uid)[3:] == ("Sammanslagen version.", 3)


@pytest.mark.parametrize("round_", range(3))
def test_two_editors_saving_at_the_same_moment_one_wins(app, make_client, editor, editor2, started, round_):
    """Two sessions post the same block at once: exactly one 302, one 409, and both texts survive."""
    uid = started.block_uids["a"]
    clients = []
    for user in (editor, editor2):
        client = make_client()
        client.login(user.email)
        client.csrf()
        clients.append(client)
    barrier = threading.Barrier(2)
    results = {}

    def save(index):
        text = f"Text från redaktör {index}."
        barrier.wait()
        response = clients[index].post(
            f"/d/vl/draft/b/{uid}", {"kind": "paragraph", "level": "1", "text": text, "base_revision": "1"}
        )
        results[index] = (response.status_code, response.text, text)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    statuses = sorted(code for code, _, _ in results.values())
    assert statuses == [302, 409]
    winner = next(text for code, _, text in results.values() if code == 302)
    loser_page, loser_text = next((page, text) for code, page, text in results.values() if code == 409)
    assert next(r for r in draft_rows(app) if r[0] == uid)[3:] == (winner, 2)
    assert winner in loser_page and loser_text in loser_page


def test_insert_after_a_block_and_at_the_top(app, ed, started):
    a = started.block_uids["a"]
    response = ed.post(
        f"/d/vl/draft/insert?after={a}", {"kind": "paragraph", "level": "1", "text": "Ett nytt stycke."}
    )
    assert response.status_code == 302
    rows = draft_rows(app)
    assert [r[3] for r in rows][1:3] == [BLOCKS[1][3], "Ett nytt stycke."]
    assert rows[2][0] not in started.block_uids.values()
    ed.post("/d/vl/draft/insert", {"kind": "heading", "level": "1", "text": "Inledning"})
    assert draft_rows(app)[0][1:4] == ("heading", 1, "Inledning")
    assert ed.get("/d/vl/draft/insert?after=nosuchblock").status_code == 404


def test_move_up_and_down_keeps_revisions(app, ed, started):
    b = started.block_uids["b"]
    ed.post(f"/d/vl/draft/b/{b}/move", {"direction": "up"})
    assert [r[0] for r in draft_rows(app)] == uids(started, "h", "b", "a", "c")
    ed.post(f"/d/vl/draft/b/{b}/move", {"direction": "down"})
    ed.post(f"/d/vl/draft/b/{b}/move", {"direction": "down"})
    assert [r[0] for r in draft_rows(app)] == uids(started, "h", "a", "c", "b")
    assert all(r[4] == 1 for r in draft_rows(app))
    # At the end already: nothing happens, no error.
    assert ed.post(f"/d/vl/draft/b/{b}/move", {"direction": "down"}).status_code == 302
    assert ed.post(f"/d/vl/draft/b/{b}/move", {"direction": "sideways"}).status_code == 400


def test_delete_needs_the_current_revision(app, ed, started):
    b = started.block_uids["b"]
    assert ed.get(f"/d/vl/draft/b/{b}/remove").status_code == 200
    ed.post(
        f"/d/vl/draft/b/{b}", {"kind": "paragraph", "level": "1", "text": "Ändrad.", "base_revision": "1"}
    )
    stale = ed.post(f"/d/vl/draft/b/{b}/remove", {"base_revision": "1"})
    assert stale.status_code == 409
    assert "Ändrad." in stale.text
    assert b in [r[0] for r in draft_rows(app)]
    assert ed.post(f"/d/vl/draft/b/{b}/remove", {"base_revision": "2"}).status_code == 302
    assert b not in [r[0] for r in draft_rows(app)]
    # Earlier versions keep it.
    assert "Andra stycket." in ed.get("/d/vl/v/1").text
    assert ed.get(f"/d/vl/draft/b/{b}").status_code == 404


def test_split_keeps_the_first_uid(app, ed, started):
    b = started.block_uids["b"]
    form = ed.get(f"/d/vl/draft/b/{b}/split")
    assert form.status_code == 200
    response = ed.post(
        f"/d/vl/draft/b/{b}/split", {"text": "Andra stycket.\n\nDet har två meningar.", "base_revision": "1"}
    )
    assert response.status_code == 302
    rows = draft_rows(app)
    assert [r[3] for r in rows] == [
        BLOCKS[0][3],
        BLOCKS[1][3],
        "Andra stycket.",
        "Det har två meningar.",
        "En punkt",
    ]
    assert rows[2][0] == b and rows[3][0] not in started.block_uids.values()
    one_part = ed.post(f"/d/vl/draft/b/{b}/split", {"text": "Bara en del.", "base_revision": "2"})
    assert one_part.status_code == 400
    assert draft_rows(app)[2][3] == "Andra stycket."


def test_merge_keeps_the_first_uid_and_checks_both_revisions(app, ed, started):
    a, b = started.block_uids["a"], started.block_uids["b"]
    page = ed.get(f"/d/vl/draft/b/{a}/merge")
    assert page.status_code == 200 and "Andra stycket." in page.text
    ed.post(
        f"/d/vl/draft/b/{b}", {"kind": "paragraph", "level": "1", "text": "Nytt andra.", "base_revision": "1"}
    )
    stale = ed.post(f"/d/vl/draft/b/{a}/merge", {"base_revision": "1", "next_revision": "1"})
    assert stale.status_code == 409
    assert len(draft_rows(app)) == 4
    assert (
        ed.post(f"/d/vl/draft/b/{a}/merge", {"base_revision": "1", "next_revision": "2"}).status_code == 302
    )
    rows = draft_rows(app)
    assert [r[0] for r in rows] == uids(started, "h", "a", "c")
    assert rows[1][3] == "Första stycket om <strong>licenser</strong>. Nytt andra."
    last = started.block_uids["c"]
    assert ed.get(f"/d/vl/draft/b/{last}/merge").status_code == 409


def test_block_page_shows_its_open_comments(app, ed, started, factory):
    member = factory.user(email="maja@example.org", name="Maja Medlem")
    with app.app_context():
        add_comment(started, "a", member, version_number=1, body="Skriv tydligare om licenser.")
        add_comment(started, "b", member, version_number=1, body="Inte om detta stycke.")
    page = ed.get(f"/d/vl/draft/b/{started.block_uids['a']}")
    assert "Skriv tydligare om licenser." in page.text
    assert "Inte om detta stycke." not in page.text
    overview = ed.get("/d/vl/draft")
    assert "1 öppen synpunkt" in overview.text


def test_publish_requires_a_summary_and_changes(app, ed, started):
    empty = ed.post("/d/vl/draft/publish", {"label": "Utkast 2", "summary": " "})
    assert empty.status_code == 400
    unchanged = ed.post("/d/vl/draft/publish", {"label": "Utkast 2", "summary": "Inget nytt."})
    assert unchanged.status_code == 400
    assert "inget att publicera" in unchanged.text
    with app.app_context():
        assert db.session.scalar(sa.select(Version).where(Version.number == 2)).state is VersionState.DRAFT


def test_publish_freezes_the_draft_and_closes_the_open_version(app, ed, started, editor):
    uid = started.block_uids["a"]
    ed.post(
        f"/d/vl/draft/b/{uid}", {"kind": "paragraph", "level": "1", "text": "Nytt.", "base_revision": "1"}
    )
    past = ed.post(
        "/d/vl/draft/publish",
        {"label": "Utkast 2", "summary": "Ändrat.", "deadline_date": "2001-01-01", "deadline_time": "12:00"},
    )
    assert past.status_code == 400
    response = ed.post(
        "/d/vl/draft/publish",
        {
            "label": "Utkast 2 (remiss)",
            "summary": "Stycke 1 omskrivet.",
            "deadline_date": "2099-06-30",
            "deadline_time": "17:00",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        versions = {v.number: v for v in db.session.scalars(sa.select(Version))}
        assert versions[1].state is VersionState.CLOSED
        new = versions[2]
        assert new.state is VersionState.OPEN
        assert (new.label, new.change_summary, new.published_by_id) == (
            "Utkast 2 (remiss)",
            "Stycke 1 omskrivet.",
            editor.id,
        )
        assert new.deadline.isoformat().startswith("2099-06-30T15:00")  # 17:00 Swedish summer time
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "version.publish"))
        assert event.actor_id == editor.id and event.data["closed"] == [1]
    # A published version's text never changes again: there is no draft to edit.
    assert (
        ed.post(
            f"/d/vl/draft/b/{uid}", {"kind": "paragraph", "level": "1", "text": "Sent.", "base_revision": "2"}
        ).status_code
        == 404
    )
    assert "Nytt." in ed.get("/d/vl").text
    # The next draft starts from the published version.
    assert ed.post("/d/vl/draft/start", {"label": ""}).status_code == 302
    assert draft_rows(app)[1][3] == "Nytt."


def test_publishing_after_a_deadline_less_form(app, ed, started):
    uid = started.block_uids["c"]
    ed.post(f"/d/vl/draft/b/{uid}/remove", {"base_revision": "1"})
    assert ed.post("/d/vl/draft/publish", {"label": "2", "summary": "Punkten borttagen."}).status_code == 302
    with app.app_context():
        version = db.session.scalar(sa.select(Version).where(Version.number == 2))
        positions = db.session.scalars(
            sa.select(BlockRevision.position)
            .where(BlockRevision.version_id == version.id)
            .order_by(BlockRevision.position)
        ).all()
        assert positions == [0, 1, 2]
        assert version.deadline is None


def test_no_draft_routes_without_a_draft(ed, doc):
    start_page = ed.get("/d/vl/draft")
    assert start_page.status_code == 200
    assert "Starta nästa utkast" in start_page.text
    uid = doc.block_uids["a"]
    assert ed.get(f"/d/vl/draft/b/{uid}").status_code == 404
    assert ed.get("/d/vl/draft/publish").status_code == 404
