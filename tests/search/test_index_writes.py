"""The index stays right through each kind of write, in the writing transaction."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts import operations as accounts
from app.accounts.models import User
from app.documents.models import Document
from app.drafting import operations as drafting
from app.extensions import db
from app.review import operations as review
from app.review.models import Comment, CommentStatus
from app.search.models import SearchEntry
from tests.api.conftest import bearer, make_token
from tests.search.conftest import numbers, search, uids


def _token(app, sw, who="editor"):
    return bearer(make_token(app, sw[who]))


def test_posting_a_comment_over_http_indexes_it(app, client, sw):
    client.login(sw["member_a"].email)
    uid = sw["uid"]["p1"]
    response = client.post(
        f"/d/offentlig/v/2/b/{uid}/comment", {"kind": "comment", "body": "Vad gäller för kartdata?"}
    )
    assert response.status_code == 302, response.status_code
    assert len(search(client, "kartdata", headers=_token(app, sw, "member_a"))["comments"]["items"]) == 1


def test_edits_decisions_and_hiding(app, client, sw):
    headers = _token(app, sw)
    with app.app_context():
        comment = db.session.get(Comment, sw["comment_ids"]["b"])
        author = db.session.get(User, sw["member_b"].id)
        review.edit_comment(
            comment,
            kind=comment.kind,
            body="Licensvillkoren borde nämna geodata.",
            suggestion=None,
            actor=author,
        )
        db.session.commit()
    assert numbers(search(client, "geodata", headers=headers)) == {sw["numbers"]["b"]}
    assert numbers(search(client, "tydligare", headers=headers)) == set()  # the old wording is gone
    with app.app_context():
        comment = db.session.get(Comment, sw["comment_ids"]["b"])
        review.decide(
            comment,
            status=CommentStatus.ACCEPTED,
            response="Vi lägger till ett avsnitt om rymddata.",
            editor=db.session.get(User, sw["editor"].id),
        )
        db.session.commit()
    body = search(client, "rymddata", headers=headers)
    assert [i["status"] for i in body["comments"]["items"]] == ["accepted"]
    with app.app_context():
        comment = db.session.get(Comment, sw["comment_ids"]["b"])
        review.hide_comment(comment, "Fel dokument", db.session.get(User, sw["editor"].id))
        db.session.commit()
    assert numbers(search(client, "geodata", headers=_token(app, sw, "member_a"))) == set()
    assert numbers(search(client, "geodata", headers=headers)) == {sw["numbers"]["b"]}


def test_a_rolled_back_write_leaves_the_index_alone(app, client, sw):
    with app.app_context():
        comment = db.session.get(Comment, sw["comment_ids"]["b"])
        comment.body_html = "<p>Ångrad text om sjökort.</p>"
        db.session.flush()
        db.session.rollback()
    assert search(client, "sjökort", headers=_token(app, sw))["comments"]["items"] == []


def test_drafting_and_publishing(app, client, sw):
    headers = _token(app, sw)
    with app.app_context():
        document = db.session.get(Document, sw["public"].id)
        editor = db.session.get(User, sw["editor"].id)
        draft = drafting.start_draft(document, editor)
        db.session.commit()
        revision = drafting.current_revision(draft, sw["uid"]["p7"])
        drafting.edit_block(
            draft,
            sw["uid"]["p7"],
            base_revision=revision.revision,
            kind=revision.kind,
            level=1,
            text="Nytt stycke om skogsdata.",
            editor=editor,
        )
        db.session.commit()
    assert uids(search(client, "skogsdata", headers=headers)) == {sw["uid"]["p7"]}
    assert uids(search(client, "skogsdata")) == set()  # a draft: editors only
    with app.app_context():
        draft = db.session.get(Document, sw["public"].id).draft
        revision = drafting.current_revision(draft, sw["uid"]["p5"])
        drafting.delete_block(
            draft,
            sw["uid"]["p5"],
            base_revision=revision.revision,
            editor=db.session.get(User, sw["editor"].id),
        )
        db.session.commit()
    assert uids(search(client, "barn", headers=headers, document="offentlig")) == set()
    # The paragraphs after the deleted one move up: their references follow.
    assert [i["ref"] for i in search(client, "skogsdata", headers=headers)["text"]["items"]] == ["1 st. 6"]
    assert [
        i["ref"]
        for i in search(client, "vidareutnyttjande", document="offentlig", version="2")["text"]["items"]
    ] == ["1 st. 7"]
    with app.app_context():
        draft = db.session.get(Document, sw["public"].id).draft
        drafting.publish_draft(draft, summary="Skog", editor=db.session.get(User, sw["editor"].id))
        db.session.commit()
    assert uids(search(client, "skogsdata")) == {sw["uid"]["p7"]}
    assert uids(search(client, "barn")) == set()  # removed in the newest version
    assert uids(search(client, "barn", document="offentlig", version="2")) == {sw["uid"]["p5"]}


def test_pseudonymising_makes_the_old_name_unfindable(app, client, sw):
    headers = _token(app, sw)
    assert numbers(search(client, "Astrid", headers=headers)) == {sw["numbers"]["cc0"]}
    with app.app_context():
        user = db.session.get(User, sw["member_a"].id)
        user.active = False
        accounts.pseudonymise_user(user, db.session.get(User, sw["admin"].id))
        db.session.commit()
    assert search(client, "Astrid", headers=headers)["comments"]["items"] == []
    assert search(client, "Lindqvist", headers=headers)["comments"]["items"] == []
    item = search(client, "CC0", headers=headers)["comments"]["items"][0]
    assert item["author"]["name"] == f"Tidigare användare {sw['member_a'].id}"
    assert numbers(search(client, "tidigare användare", headers=headers)) == {sw["numbers"]["cc0"]}


def test_reindex_rebuilds_the_same_index(app, client, sw):
    with app.app_context():
        before = db.session.execute(
            sa.select(
                SearchEntry.version_id, SearchEntry.block_id, SearchEntry.comment_id, SearchEntry.terms
            ).order_by(SearchEntry.version_id, SearchEntry.block_id, SearchEntry.comment_id)
        ).all()
        db.session.execute(sa.delete(SearchEntry))
        db.session.commit()
    assert search(client, "myndighet")["text"]["items"] == []
    result = app.test_cli_runner().invoke(args=["search-reindex", "--language", "en"])
    assert result.exit_code == 0 and "Indexed" in result.output
    with app.app_context():
        after = db.session.execute(
            sa.select(
                SearchEntry.version_id, SearchEntry.block_id, SearchEntry.comment_id, SearchEntry.terms
            ).order_by(SearchEntry.version_id, SearchEntry.block_id, SearchEntry.comment_id)
        ).all()
    assert after == before and len(after) > 10
    assert uids(search(client, "myndighet"))


def test_bulk_statements_name_the_versions_they_change(app, sw):
    """Drafting writes blocks with bulk statements; the index rewrites only the versions they
    name, and every draft only when a statement names none (copying a version)."""
    from app.documents.models import BlockRevision
    from app.search import index

    with app.app_context():
        some_id, its_version = db.session.execute(
            sa.select(BlockRevision.id, BlockRevision.version_id).order_by(BlockRevision.id.desc()).limit(1)
        ).one()
        db.session.execute(
            sa.update(BlockRevision)
            .where(BlockRevision.id == some_id, BlockRevision.revision == 1)
            .values(revision=1)
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            sa.update(BlockRevision)
            .where(BlockRevision.version_id == -2, BlockRevision.position > 99)
            .values(position=BlockRevision.position + 1)
            .execution_options(synchronize_session=False)
        )
        pending = db.session.info[index.PENDING]
        assert (pending["versions"], pending["drafts"]) == ({-2, its_version}, False)
        copy = sa.select(BlockRevision.version_id).where(BlockRevision.version_id == -1)
        db.session.execute(sa.insert(BlockRevision).from_select(["version_id"], copy))
        assert db.session.info[index.PENDING]["drafts"] is True
        db.session.rollback()
        assert index.PENDING not in db.session.info


def test_a_suggestion_is_found_by_the_words_it_puts_in_not_by_its_whole_paragraph(app, client, sw):
    from app.review.models import CommentKind
    from tests.conftest import add_comment

    with app.app_context():
        comment_id = add_comment(
            sw["public"],
            "p1",
            sw["member_a"],
            body="",
            kind=CommentKind.SUGGESTION,
            suggestion="Myndigheten ska publicera öppna data och sjökort under en öppen licens.",
        )
        number = db.session.get(Comment, comment_id).number
    headers = _token(app, sw)
    assert numbers(search(client, "sjökort", headers=headers)) == {number}
    # The paragraph's own words find the paragraph, not every suggestion made on it.
    assert number not in numbers(search(client, "publicera", headers=headers))


# What PostgreSQL's search_tsv should hold for each search_entry row (migration b1a0c0de2301).
EXPECTED_TSV = sa.text(
    "SELECT id, kind, document_id, version_id, comment_id, ("
    "setweight(to_tsvector('swedish'::regconfig, terms), 'A') || "
    "setweight(to_tsvector('swedish'::regconfig, name_terms), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, parts), 'C'))::text FROM search_entry ORDER BY id"
)
STORED_TSV = sa.text(
    "SELECT id, kind, document_id, version_id, comment_id, tsv::text FROM search_tsv ORDER BY id"
)


def _tsv_rows():
    with db.engine.connect() as connection:
        return connection.execute(EXPECTED_TSV).all(), connection.execute(STORED_TSV).all()


def test_postgresql_search_table_follows_every_write(app, client, sw):
    """search_tsv, which PostgreSQL searches, is kept by triggers: every INSERT, UPDATE, DELETE and
    TRUNCATE on search_entry, by the index's code or by hand, in the same transaction."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("search_tsv is PostgreSQL's")
        expected, stored = _tsv_rows()
        assert stored == expected and len(stored) > 10
        entry_id = db.session.scalar(
            sa.select(SearchEntry.id).where(SearchEntry.comment_id == sw["comment_ids"]["b"])
        )
        # By hand: an UPDATE (the index's code only inserts and deletes) and a DELETE.
        db.session.execute(sa.update(SearchEntry).where(SearchEntry.id == entry_id).values(parts="sjökort"))
        first = db.session.scalar(sa.select(SearchEntry.id).order_by(SearchEntry.id).limit(1))
        db.session.execute(sa.delete(SearchEntry).where(SearchEntry.id == first))
        db.session.commit()
        expected, stored = _tsv_rows()
        assert stored == expected and first not in {row.id for row in stored}
    assert numbers(search(client, "sjökort", headers=_token(app, sw))) == {sw["numbers"]["b"]}
    # The index's own writes: a new comment, an edit (delete and insert), a rebuild.
    with app.app_context():
        comment = db.session.get(Comment, sw["comment_ids"]["b"])
        review.edit_comment(
            comment,
            kind=comment.kind,
            body="Licensvillkoren borde nämna geodata.",
            suggestion=None,
            actor=db.session.get(User, sw["member_b"].id),
        )
        db.session.commit()
        assert _tsv_rows()[1] == _tsv_rows()[0]
    assert numbers(search(client, "villkor", headers=_token(app, sw))) == {sw["numbers"]["b"]}
    assert search(client, "sjökort", headers=_token(app, sw))["comments"]["items"] == []
    assert app.test_cli_runner().invoke(args=["search-reindex"]).exit_code == 0
    with app.app_context():
        expected, stored = _tsv_rows()
        assert stored == expected and len(stored) > 10
        db.session.execute(sa.text("TRUNCATE search_entry"))
        db.session.commit()
        assert _tsv_rows() == ([], [])
