"""Comments from Word through HTTP: upload → preview → confirm, with real reviewed files."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from app.audit import AuditEvent
from app.database import utcnow
from app.documents.models import Document, VersionState
from app.extensions import db
from app.notifications.models import Follow, Notification
from app.review.models import Comment
from app.wordcomments.models import WordImport
from tests.conftest import zip_of
from tests.wordcomments.conftest import V2
from tests.wordcomments.wordfiles import (
    UNCERTAIN_COPY,
    Reviewer,
    export_pack,
    libreoffice_round_trip,
    plain_copy,
    to_bytes,
    w,
)

URL = "/d/oppna-licenser/v/2/word-comments"


def reviewed(pack: bytes) -> bytes:
    """The pack as a member sends it back: comments, a reply, a reply to a pack comment, tracked changes."""
    r = Reviewer(pack)
    question = r.comment("Varför väldigt?", on="väldigt")
    r.reply(question, "Håller med, stryk ordet.", author="Bertil Berg")
    r.comment("Hela avsnittet är oklart.", on="Välj en licens", end_on="Sista stycket")
    r.insert(" gärna", after="Välj en licens")
    r.delete("och data", paragraph_contains="Ett helt nytt")
    pack_comment = r.document.comments
    first = next(c for c in pack_comment if c.text.startswith("#1 "))
    r.reply(first, "Vi instämmer i #1.", author="Anna Andersson")
    return r.save()


def upload(client, data: bytes, name="granskning.docx", **fields):
    return client.post(
        URL, data={"file": (io.BytesIO(data), name), **fields}, content_type="multipart/form-data"
    )


def comments(app) -> list[Comment]:
    with app.app_context():
        found = db.session.scalars(sa.select(Comment).order_by(Comment.number)).all()
        for c in found:
            c.block, c.organisation, c.author, c.parent  # noqa: B018  (loaded before the session ends)
        return found


def confirm(client, response, include=()):
    assert response.status_code == 302, response.get_data(as_text=True)
    token = response.location.rsplit("/", 1)[-1]
    page = client.get(response.location)
    assert page.status_code == 200
    return page.get_data(as_text=True), client.post(
        f"/word-comments/{token}", data={"include": [str(k) for k in include]}
    )


@pytest.fixture
def as_member(client, member):
    client.login(member.email)
    return client


def by_body(found, start):
    return next(c for c in found if c.body.startswith(start))


def check_pack_round_trip(app, doc, found, *, threads: bool):
    uids = doc.block_uids
    new = [c for c in found if c.number > 1]
    question = by_body(new, "Varför väldigt?")
    assert (question.block.uid, question.quote_exact, question.kind.value) == (
        uids["p1"],
        "väldigt",
        "comment",
    )
    assert question.organisation.name == "Kommun A" and question.author.name == "Maja Medlem"
    assert "Anna Andersson" in question.body  # the Word author and date kept with the comment
    agree = by_body(new, "Håller med, stryk ordet.")
    if threads:
        assert agree.parent_id == question.id
    else:
        # LibreOffice does not keep Word's reply threads: the reply comes in as a comment on the same span.
        assert agree.parent_id is None and agree.block.uid == uids["p1"] and agree.quote_exact == "väldigt"
    section = by_body(new, "Hela avsnittet är oklart.")
    assert section.block.uid == uids["p4"] and section.quote_exact is None
    assert "Välj en licens gärna som passar materialet och mottagarna." in section.body
    assert "Sista stycket" in section.body
    suggestions = {c.block.uid: c for c in new if c.kind.value == "suggestion"}
    assert set(suggestions) == {uids["p3"], uids["p4"]}  # the pack's own changes are not the reviewer's
    # A suggestion is the paragraph as the reviewer left it, on the text it was made on; the
    # changed words stay as the quote, a pointer.
    insert = suggestions[uids["p4"]]
    assert insert.suggestion == "Välj en licens gärna som passar materialet och mottagarna."
    assert insert.block_text == "Välj en licens som passar materialet och mottagarna."
    assert insert.quote_exact == "licens"
    delete = suggestions[uids["p3"]]
    assert delete.suggestion == "Ett helt nytt stycke om öppna licenser ."
    assert delete.quote_exact == "licenser och data"
    assert "Spårad ändring i Word." in delete.body and "Anna Andersson" in delete.body
    if threads:
        to_pack = by_body(new, "Vi instämmer i #1.")
        assert to_pack.parent.number == 1


def test_pack_comments_replies_and_changes_land_on_their_paragraphs(app, as_member, doc, pack, member):
    page, response = confirm(as_member, upload(as_member, reviewed(pack)))
    assert "Varför väldigt?" in page and "licens gärna" in page
    assert "Placerade med mötesunderlagets styckemarkörer." in page
    assert response.status_code == 302
    found = comments(app)
    assert len(found) == 1 + 6
    check_pack_round_trip(app, doc, found, threads=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WordImport)) == 6
        # Follows and reply notifications as on the web.
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(Follow).where(Follow.user_id == member.id)
            )
            == 1
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) >= 1
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "comment.import_word"))
        assert len(event.data["stored"]) == 6


def test_the_same_file_again_adds_nothing_and_says_so(app, as_member, doc, pack):
    data = reviewed(pack)
    confirm(as_member, upload(as_member, data))
    before = len(comments(app))
    page, response = confirm(as_member, upload(as_member, data))
    assert "redan" in page.lower()  # "taken in already" in Swedish
    follow = as_member.get(response.location).get_data(as_text=True)
    assert "Inget nytt sparades" in follow
    assert len(comments(app)) == before
    # A later copy with one more comment: only the new one is stored.
    r = Reviewer(data)
    r.comment("En sak till.", on="upphovsrätt")
    confirm(as_member, upload(as_member, r.save()))
    found = comments(app)
    assert len(found) == before + 1 and found[-1].body.startswith("En sak till.")


def test_libreoffice_round_trip_is_read_too(app, as_member, doc, pack):
    original = reviewed(pack)
    data = libreoffice_round_trip(original)
    page, response = confirm(as_member, upload(as_member, data, name="granskning-lo.docx"))
    assert "Placerade med mötesunderlagets styckemarkörer." in page  # LibreOffice kept the markers
    assert response.status_code == 302
    check_pack_round_trip(app, doc, comments(app), threads=False)
    # The Word original of the same review afterwards: its comments were taken in already.
    before = len(comments(app))
    page, _response = confirm(as_member, upload(as_member, original))
    assert "Allt i filen är redan inläst" in page
    assert len(comments(app)) == before


def test_a_copy_without_markers_is_placed_by_its_text(app, as_member, doc):
    texts = [re.sub(r"<[^>]+>", "", text) for _key, kind, _level, text in V2 if kind != "table"]
    r = Reviewer(to_bytes(plain_copy(texts)))
    r.comment("Vilka mottagare?", on="mottagarna")
    r.delete("väldigt ", paragraph_contains="Myndigheter")
    data = r.save()
    page, _response = confirm(as_member, upload(as_member, data))
    assert "inga styckemarkörer" in page
    found = comments(app)
    uids = doc.block_uids
    ask = by_body(found, "Vilka mottagare?")
    assert (ask.block.uid, ask.quote_exact) == (uids["p4"], "mottagarna")
    change = next(c for c in found if c.kind.value == "suggestion")
    assert change.block.uid == uids["p1"]
    assert change.suggestion == "Myndigheter skapar mycket material."
    assert change.block_text == "Myndigheter skapar <strong>väldigt</strong> mycket material."
    assert change.quote_exact == "skapar väldigt"


def test_an_uncertain_match_is_stored_only_when_confirmed(app, as_member, doc):
    r = Reviewer(to_bytes(plain_copy(UNCERTAIN_COPY)))
    r.comment("Stämmer det?", on="en hel del")
    r.comment("Bra.", on="upphovsrätt")
    response = upload(as_member, r.save())
    token = response.location.rsplit("/", 1)[-1]
    page = as_member.get(response.location).get_data(as_text=True)
    assert "Osäker" in page or "osäker" in page
    assert 'name="include"' in page
    as_member.post(f"/word-comments/{token}", data={})
    bodies = [c.body.split("\n")[0] for c in comments(app)]
    assert "Bra." in bodies and "Stämmer det?" not in bodies


def test_editor_submits_a_mailed_file_for_another_organisation(app, client, editor, doc, pack, factory):
    org = factory.organisation("Kommun B")
    client.login(editor.email)
    form = client.get(URL).get_data(as_text=True)
    assert "Kommun B" in form
    r = Reviewer(pack)
    r.comment("Synpunkt från kommunen.", on="väldigt")
    missing = upload(client, r.save(), organisation=str(org.id), sender="")
    assert missing.status_code == 400 and "Ange" in missing.get_data(as_text=True)
    confirm(client, upload(client, r.save(), organisation=str(org.id), sender="Registrator, Kommun B"))
    found = comments(app)[-1]
    assert found.organisation.name == "Kommun B" and found.author.name == "Eva Redaktör"
    assert "Inskickad av Eva Redaktör för Kommun B (avsändare: Registrator, Kommun B)." in found.body
    with app.app_context():
        assert db.session.scalar(sa.select(WordImport.sender)) == "Registrator, Kommun B"


def test_members_cannot_submit_for_another_organisation(app, as_member, doc, pack, factory):
    org = factory.organisation("Kommun B")
    assert "Kommun B" not in as_member.get(URL).get_data(as_text=True)
    r = Reviewer(pack)
    r.comment("Min egen.", on="väldigt")
    confirm(as_member, upload(as_member, r.save(), organisation=str(org.id), sender="x"))
    assert comments(app)[-1].organisation.name == "Kommun A"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "tom"),
        (b"%PDF-1.4 not a word file", "inget Word-dokument"),
        (b"PK\x03\x04broken", "skadad"),
        (
            zip_of({"[Content_Types].xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><Types/>'}),
            "DOCTYPE",
        ),
        (zip_of({"[Content_Types].xml": b"<Types/>", "big.xml": b"a" * (60 * 1024 * 1024)}), "packas upp"),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_stored(app, as_member, doc, data, message):
    response = upload(as_member, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert len(comments(app)) == 0


def test_bad_content_is_listed_in_the_report(app, as_member, doc, pack):
    r = Reviewer(pack)
    r.comment("", on="väldigt")  # an empty comment
    nowhere = r.comment("Ingenstans.", on="mycket")
    cid = nowhere._comment_elm.get(w("id"))
    body = r.document.element.body
    for el in body.xpath(f".//w:commentRangeStart[@w:id='{cid}'] | .//w:commentRangeEnd[@w:id='{cid}']"):
        el.getparent().remove(el)
    for ref in body.xpath(f".//w:commentReference[@w:id='{cid}']"):
        ref.getparent().getparent().remove(ref.getparent())
    r.insert(" och ljud", after="Text och bilder")  # a tracked change in a table cell
    r.comment("x" * 10_001, on="handlar om")  # longer than a comment may be
    r.comment("#1 gäller även detta stycke.", on="skapar")  # names #1, but is no copy of it
    page, response = confirm(as_member, upload(as_member, r.save()))
    assert "En Word-kommentar utan text" in page
    assert "Ingenstans." in page and "förankrad någonstans" in page
    assert "i en tabellcell" in page and "och ljud" in page
    assert "Längre än en synpunkt får vara" in page
    confirm_page = as_member.get(response.location).get_data(as_text=True)
    assert "1 synpunkt från Word-filen sparades." in confirm_page
    found = comments(app)
    assert len(found) == 2 and found[-1].body.startswith("#1 gäller även detta stycke.")


def test_a_file_of_another_document_is_refused(app, as_member, doc):
    r = Reviewer(
        to_bytes(
            plain_copy(
                [
                    "Ett helt annat dokument om vägar.",
                    "Asfalt och grus i kommunerna.",
                    "Broar byggs av betong.",
                ]
            )
        )
    )
    r.comment("Fel fil.", on="Asfalt")
    response = upload(as_member, r.save())
    assert response.status_code == 400
    assert "ett annat dokument" in response.get_data(as_text=True)


def test_a_version_that_closed_after_the_preview_stores_nothing(app, as_member, doc, pack):
    r = Reviewer(pack)
    r.comment("För sent.", on="väldigt")
    response = upload(as_member, r.save())
    token = response.location.rsplit("/", 1)[-1]
    with app.app_context():
        version = db.session.get(Document, doc.id).versions[1]
        version.deadline = utcnow()
        db.session.commit()
    done = as_member.post(f"/word-comments/{token}", data={})
    assert done.status_code == 302
    assert "inte öppen för synpunkter" in as_member.get(done.location).get_data(as_text=True)
    assert len(comments(app)) == 1


def test_a_closed_version_takes_no_upload(app, as_member, doc, pack):
    with app.app_context():
        db.session.get(Document, doc.id).versions[1].state = VersionState.CLOSED
        db.session.commit()
    assert upload(as_member, pack).status_code == 403


def test_a_preview_is_its_uploaders_only_and_cancel_stores_nothing(
    app, client, make_client, member, doc, pack, factory
):
    client.login(member.email)
    r = Reviewer(pack)
    r.comment("Bara min.", on="väldigt")
    response = upload(client, r.save())
    other = make_client()
    other.login(factory.user(email="x@example.org").email)
    assert other.get(response.location).status_code == 404
    token = response.location.rsplit("/", 1)[-1]
    assert other.post(f"/word-comments/{token}", data={}).status_code == 404
    done = client.post(f"/word-comments/{token}/cancel", data={})
    assert done.status_code == 302
    assert client.get(response.location).status_code == 404
    assert len(comments(app)) == 1


def test_the_version_page_links_to_the_upload(app, as_member, doc):
    page = as_member.get("/d/oppna-licenser/v/2").get_data(as_text=True)
    assert URL in page and "Skicka synpunkter från Word" in page


def test_xss_in_word_comments_is_sanitised(app, as_member, doc, pack):
    r = Reviewer(pack)
    r.comment("<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))", on="väldigt")
    page, _response = confirm(as_member, upload(as_member, r.save()))
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    found = comments(app)[-1]
    assert "<script" not in found.body_html and "<img" not in found.body_html
    assert 'href="javascript' not in found.body_html


def test_preview_and_confirm_take_the_same_queries_whatever_the_file(
    app, as_member, doc, pack, count_queries
):
    runs = []

    def counts(n: int) -> tuple[int, int]:
        runs.append(n)
        r = Reviewer(pack)
        for i in range(n):
            r.comment(f"Synpunkt {len(runs)}-{i}.", on="väldigt")
        response = upload(as_member, r.save())
        with count_queries() as preview:
            assert as_member.get(response.location).status_code == 200
        with count_queries() as stored:
            assert as_member.post(response.location, data={}).status_code == 302
        # Rows are inserted one statement each on SQLite (batched on PostgreSQL); every other
        # statement is run once whatever the number of comments.
        return len(preview), sum(1 for q in stored if not q.lstrip().upper().startswith("INSERT"))

    counts(1)  # the version's blocks are loaded once per process
    small, large = counts(1), counts(12)
    assert small[0] == large[0]
    assert small[1] == large[1]


def test_a_preview_token_opens_no_draft_import_page(app, client, editor, doc, pack):
    client.login(editor.email)
    r = Reviewer(pack)
    r.comment("Min synpunkt.", on="väldigt")
    token = upload(client, r.save()).location.rsplit("/", 1)[-1]
    # A Word-comments token is not a draft import's: "no longer waiting", nothing done.
    for response in (client.get(f"/imports/{token}"), client.post(f"/imports/{token}/confirm", data={})):
        assert response.status_code == 302 and response.location == "/"
    assert client.get(f"/word-comments/{token}").status_code == 200  # still there


def test_an_oversized_file_gets_the_413_page_and_nothing_is_stored(app, as_member, doc):
    response = upload(as_member, b"PK\x03\x04" + b"\0" * (21 * 1024 * 1024))
    assert response.status_code == 413
    assert "20 MB" in response.get_data(as_text=True)
    assert len(comments(app)) == 0


def test_a_pack_of_another_document_is_refused(app, as_member, doc, factory, editor):
    other = factory.document(
        slug="vagar",
        versions=[[("a", "paragraph", 1, "Asfalt och grus i kommunerna."), ("b", "heading", 1, "Broar")]],
        editor=editor,
    )
    with app.app_context():
        document = db.session.get(Document, other.id)
        foreign = export_pack({"document_id": document.id, "version_id": document.versions[0].id})
    r = Reviewer(foreign)
    r.comment("Fel dokument.", on="Asfalt")
    response = upload(as_member, r.save())
    assert response.status_code == 400
    assert "ett annat dokument" in response.get_data(as_text=True)
    assert len(comments(app)) == 0


def test_the_packs_decision_replies_are_not_taken_for_the_reviewers(
    app, as_member, doc, pack, editor, factory
):
    """The pack carries a decided comment's thread with the editors' reply; neither comes back in."""
    from app.review.models import CommentStatus
    from app.review.operations import decide
    from tests.conftest import add_comment

    other = factory.user(email="olle2@example.org", organisation="Region C")
    with app.app_context():
        comment = db.session.get(Comment, add_comment(doc, "p3", other, body="Stryk stycket."))
        decide(
            comment,
            status=CommentStatus.REJECTED,
            response="Stycket behövs för sammanhanget.",
            editor=db.session.get(type(editor), editor.id),
        )
        db.session.commit()
        document = db.session.get(Document, doc.id)
        decided = export_pack(
            {
                "document_id": document.id,
                "version_id": document.versions[1].id,
                "base_version_id": document.versions[0].id,
            }
        )
    r = Reviewer(decided)
    r.comment("Ny synpunkt.", on="handlar om")
    data = r.save()
    before = len(comments(app))
    for upload_data in (data, libreoffice_round_trip(data)):
        page, _response = confirm(as_member, upload(as_member, upload_data))
        assert "Stycket behövs för sammanhanget." not in page
    found = comments(app)
    assert len(found) == before + 1 and found[-1].body.startswith("Ny synpunkt.")


def test_a_pack_of_an_earlier_version_lands_by_its_markers_on_the_open_one(
    app, client, factory, editor, member
):
    """Version 3 is open and reworded paragraph p4; the pack of version 2 still places every comment."""
    v3 = [*V2[:4], ("p4", "paragraph", 1, "Välj den licens som passar bäst."), *V2[5:]]
    document = factory.document(slug="tre-versioner", versions=[V2, V2, v3], editor=editor)
    with app.app_context():
        stored = db.session.get(Document, document.id)
        old_pack = export_pack({"document_id": stored.id, "version_id": stored.versions[1].id})
    r = Reviewer(old_pack)
    r.comment("Fortfarande oklart.", on="mottagarna")  # text that version 3 no longer has
    r.comment("Bra rubrik.", on="handlar om")  # unchanged
    r.insert(" gärna", after="Välj en licens")  # a change on the old wording
    client.login(member.email)
    response = client.post(
        "/d/tre-versioner/v/3/word-comments",
        data={"file": (io.BytesIO(r.save()), "gammal.docx")},
        content_type="multipart/form-data",
    )
    page, _done = confirm(client, response)
    assert "Placerade med mötesunderlagets styckemarkörer." in page
    assert "Stycket har också ändrats utan spårning" in page  # the change cannot be split any more
    found = {c.body.split("\n")[0]: c for c in comments(app)}
    unclear = found["Fortfarande oklart."]
    assert unclear.block.uid == document.block_uids["p4"] and unclear.quote_exact is None
    assert "Kommenterad text i Word: ”mottagarna”" in unclear.body
    good = found["Bra rubrik."]
    assert (good.block.uid, good.quote_exact) == (document.block_uids["p5"], "handlar om")
    assert not any(c.kind.value == "suggestion" for c in found.values())


def test_after_confirming_the_member_lands_on_the_comments_just_created(app, as_member, doc, pack):
    """Not the top of the document: their own list, the first of the new comments focused."""
    _page, response = confirm(as_member, upload(as_member, reviewed(pack)))
    found = comments(app)
    new = [c for c in found if c.author.email == "maja@example.org"]
    assert len(new) == 6
    # "My comments" lists the newest first: the first of the batch there is the last one stored.
    first = max(new, key=lambda c: (c.created_at, c.id))
    assert response.location.endswith(f"/d/oppna-licenser/mine#c-{first.number}")
    page = as_member.get(response.location.split("#")[0]).get_data(as_text=True)
    assert f'id="c-{first.number}" tabindex="-1"' in page
    assert "6 synpunkter från Word-filen sparades." in page
    assert "focus-target.js" in page  # moves the focus there; without script the :target rule marks it


def test_the_preview_asks_to_check_uncertain_matches_only_when_there_are_some(app, as_member, doc):
    texts = [re.sub(r"<[^>]+>", "", text) for _key, kind, _level, text in V2 if kind != "table"]
    r = Reviewer(to_bytes(plain_copy(texts)))
    r.comment("Vilka mottagare?", on="mottagarna")
    page = as_member.get(upload(as_member, r.save()).location).get_data(as_text=True)
    assert "Filen har inga styckemarkörer" in page
    assert "osäkra" not in page and 'name="include"' not in page
    r = Reviewer(to_bytes(plain_copy(UNCERTAIN_COPY)))
    r.comment("Stämmer det?", on="en hel del")
    page = as_member.get(upload(as_member, r.save()).location).get_data(as_text=True)
    assert "Kontrollera den osäkra matchningen nedan." in page and 'name="include"' in page


@pytest.mark.parametrize("through_libreoffice", [False, True])
def test_the_members_replies_the_pack_carries_are_not_taken_in_again(
    app, as_member, doc, web_comment, factory, through_libreoffice
):
    """Issue 23, point 4: the pack now carries the members' replies; sent back, they are the pack's own."""
    from tests.conftest import add_comment

    other = factory.user(email="per@example.org", name="Per Svar", organisation="Region C")
    with app.app_context():
        parent = db.session.scalar(sa.select(Comment).where(Comment.number == web_comment))
        add_comment(doc, "p4", other, body="Ett svar på webben.", parent=parent)
        document = db.session.get(Document, doc.id)
        pack = export_pack(
            {
                "document_id": document.id,
                "version_id": document.versions[1].id,
                "base_version_id": document.versions[0].id,
            }
        )
    r = Reviewer(pack)
    r.comment("En ny synpunkt.", on="väldigt")
    data = r.save()
    if through_libreoffice:
        data = libreoffice_round_trip(data)
    before = len(comments(app))
    confirm(as_member, upload(as_member, data))
    found = comments(app)
    assert [c.body for c in found if c.body.startswith("Ett svar på webben.")] == ["Ett svar på webben."]
    assert len(found) == before + 1 and any(c.body.startswith("En ny synpunkt.") for c in found)


@pytest.mark.parametrize("saved_by", ["word", "libreoffice"])
def test_one_suggestion_per_reviewer_and_paragraph_however_many_changes(app, as_member, doc, pack, saved_by):
    r = Reviewer(pack)
    r.insert(" nu", after="skapar", author="Anna Andersson")
    r.delete("mycket ", paragraph_contains="Myndigheter", author="Anna Andersson")
    r.insert(" digitalt", after="material", author="Bo Berg")
    data = r.save() if saved_by == "word" else libreoffice_round_trip(r.save())
    page, response = confirm(as_member, upload(as_member, data))
    # The preview shows each proposal as its changes to the paragraph.
    assert "skapar <ins>nu </ins><strong>väldigt</strong><del> mycket</del> material." in page
    assert "material<ins> digitalt</ins>." in page
    assert response.status_code == 302
    found = [c for c in comments(app) if c.kind.value == "suggestion"]
    assert len(found) == 2 and {c.block.uid for c in found} == {doc.block_uids["p1"]}
    anna = next(c for c in found if "Anna Andersson" in c.body)
    bo = next(c for c in found if "Bo Berg" in c.body)
    # Each reviewer's paragraph has their own changes (bold kept), not the other's.
    assert anna.suggestion == "Myndigheter skapar nu <strong>väldigt</strong> material."
    assert bo.suggestion == "Myndigheter skapar <strong>väldigt</strong> mycket material digitalt."
    assert anna.block_text == bo.block_text == "Myndigheter skapar <strong>väldigt</strong> mycket material."


def test_a_paragraph_struck_whole_comes_in_as_a_comment_saying_so(app, as_member, doc, pack):
    r = Reviewer(pack)
    r.delete("Sista stycket handlar om upphovsrätt.", author="Anna Andersson")
    _page, response = confirm(as_member, upload(as_member, r.save()))
    assert response.status_code == 302
    struck = next(c for c in comments(app) if c.number > 1)
    assert (struck.kind.value, struck.suggestion, struck.block.uid) == ("comment", None, doc.block_uids["p5"])
    assert "Sista stycket handlar om upphovsrätt." in struck.body
