"""Quotes that survive edits, through HTTP: an editor edits paragraphs and publishes; the reading
page and the editors' cards mark the quoted words where they now stand, or say they have changed.

Runs on SQLite, and on PostgreSQL with TEST_DATABASE_URL.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.documents.models import Document
from app.extensions import db
from app.review.models import Comment, CommentAnchor, CommentStatus
from tests.conftest import add_comment

LICENCE = (
    "Allt publicerat material ska tydligt ange vilken licens som gäller. "
    "Myndigheten ansvarar för att licensen är förenlig med upphovsrätten."
)
# A word inside the quote changed ("ska" → "bör") and the sentence's opening rewritten.
LICENCE_EDITED = (
    "Allt material som myndigheten publicerar bör tydligt ange vilken licens som gäller. "
    "Myndigheten ansvarar för att licensen är förenlig med upphovsrätten."
)
RIGHTS = "Tredje parts rättigheter ska vara utredda innan materialet görs tillgängligt."
RIGHTS_EDITED = "Materialet görs tillgängligt först när alla villkor är klarlagda."
SAME = "Detta stycke ändras inte mellan versionerna."

CHANGED_SV = "De citerade orden har ändrats; synpunkten gäller hela stycket."


@pytest.fixture
def doc(factory):
    return factory.document(
        slug="ra",
        versions=[
            [
                ("h", "heading", 1, "Licenser"),
                ("lic", "paragraph", 1, LICENCE),
                ("rights", "paragraph", 1, RIGHTS),
                ("same", "paragraph", 1, SAME),
            ]
        ],
    )


@pytest.fixture
def people(factory):
    return {
        "editor": factory.user(
            email="erik@prv.example",
            name="Erik Redaktör",
            roles=(Role.EDITOR, Role.MEMBER),
            organisation="PRV",
        ),
        "maja": factory.user(email="maja@example.org", name="Maja Medlem", organisation="Samtrafiken"),
    }


@pytest.fixture
def comments(app, doc, people):
    with app.app_context():
        return {
            "lic": add_comment(
                doc, "lic", people["maja"], body="Vilken licens?", quote="ska tydligt ange vilken licens"
            ),
            "rights": add_comment(
                doc, "rights", people["maja"], body="Vem utreder?", quote="Tredje parts rättigheter"
            ),
            "same": add_comment(doc, "same", people["maja"], body="Bra.", quote="ändras inte"),
        }


@pytest.fixture
def ed(make_client, people):
    client = make_client()
    client.login(people["editor"].email)
    return client


def edit_and_publish(client, slug: str, uids: dict[str, str], texts: dict[str, str]) -> None:
    """As an editor does it: start the draft, save each paragraph's new text, publish."""
    assert client.post(f"/d/{slug}/draft/start", {"label": ""}).status_code == 302
    for key, text in texts.items():
        form = client.get(f"/d/{slug}/draft/b/{uids[key]}").get_data(as_text=True)
        base = re.search(r'name="base_revision" type="hidden" value="(\d+)"', form) or re.search(
            r'name="base_revision" value="(\d+)"', form
        )
        saved = client.post(
            f"/d/{slug}/draft/b/{uids[key]}",
            {"kind": "paragraph", "level": "1", "text": text, "base_revision": base.group(1)},
        )
        assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    published = client.post(
        f"/d/{slug}/draft/publish", {"label": "Utkast 2", "summary": "Ändrat.", "confirm_undecided": "y"}
    )
    assert published.status_code == 302, published.get_data(as_text=True)[:500]


def block_html(page: str, uid: str) -> str:
    """The text of the block *uid* as the reading page shows it."""
    start = page.index(f'id="b-{uid}"')
    body = page.index('<div class="block-body">', start)
    return page[body : page.index("</div>", body)]


def thread_html(page: str, number: int) -> str:
    start = page.index(f'id="c-{number}"')
    return page[start : page.index("</article>", start)]


def test_after_a_publish_the_reading_page_marks_the_words_where_they_now_stand(
    app, client, ed, doc, comments
):
    uids = doc.block_uids
    edit_and_publish(ed, "ra", uids, {"lic": LICENCE_EDITED, "rights": RIGHTS_EDITED})
    page = client.get("/d/ra").get_data(as_text=True)
    assert "Utkast 2" in page
    # The quote's first word was changed and its context rewritten: the mark follows the words.
    assert "publicerar <mark>bör tydligt ange vilken licens</mark> som gäller." in block_html(
        page, uids["lic"]
    )
    assert "De citerade orden har ändrats" not in thread_html(page, 1)
    # The quoted words are gone: no mark anywhere in the paragraph, and the thread says so,
    # with the original quote.
    assert "<mark>" not in block_html(page, uids["rights"])
    rights = thread_html(page, 2)
    assert CHANGED_SV in rights
    assert (
        '<blockquote class="comment-quote"><span class="visually-hidden">Citerad text: </span>Tredje parts rättigheter</blockquote>'
        in rights
    )
    # An unchanged paragraph keeps its quote where it was made.
    assert "Detta stycke <mark>ändras inte</mark> mellan versionerna." in block_html(page, uids["same"])
    # The comments' own version still shows each quote where it was made.
    first = client.get("/d/ra/v/1").get_data(as_text=True)
    assert "<mark>ska tydligt ange vilken licens</mark>" in block_html(first, uids["lic"])
    assert "<mark>Tredje parts rättigheter</mark>" in block_html(first, uids["rights"])


def test_the_publish_stores_each_changed_quote_once(app, ed, doc, comments):
    edit_and_publish(ed, "ra", doc.block_uids, {"lic": LICENCE_EDITED, "rights": RIGHTS_EDITED})
    with app.app_context():
        version = db.session.get(Document, doc.id).current_version
        rows = {
            row.comment_id: (row.quote_start, row.quote_end)
            for row in db.session.scalars(
                sa.select(CommentAnchor).where(CommentAnchor.version_id == version.id)
            )
        }
    start = LICENCE_EDITED.index("bör tydligt")
    # The unchanged paragraph needs no row: its quote stands where it was made.
    assert rows == {
        comments["lic"]: (start, start + len("bör tydligt ange vilken licens")),
        comments["rights"]: (None, None),
    }


def test_the_reading_page_reads_the_stored_anchor_and_places_a_missing_one_itself(
    app, client, ed, doc, comments
):
    uids = doc.block_uids
    edit_and_publish(ed, "ra", uids, {"lic": LICENCE_EDITED, "rights": RIGHTS_EDITED})
    with app.app_context():
        # A stored place is what the page shows (here moved by hand onto "Allt material").
        db.session.execute(
            sa.update(CommentAnchor)
            .where(CommentAnchor.comment_id == comments["lic"])
            .values(quote_start=0, quote_end=len("Allt material"))
        )
        # Without a row (a version published before the table existed, a comment re-opened
        # after the publish), the page finds the quote itself.
        db.session.execute(sa.delete(CommentAnchor).where(CommentAnchor.comment_id == comments["rights"]))
        db.session.commit()
    page = client.get("/d/ra").get_data(as_text=True)
    assert block_html(page, uids["lic"]).startswith(
        '<div class="block-body"><p><mark>Allt material</mark> som'
    )
    assert "<mark>" not in block_html(page, uids["rights"]) and CHANGED_SV in thread_html(page, 2)


def test_a_comment_reopened_after_the_publish_is_placed_too(app, client, ed, doc, comments, people):
    with app.app_context():
        db.session.get(Comment, comments["lic"]).status = CommentStatus.NOTED
        db.session.commit()
    edit_and_publish(ed, "ra", doc.block_uids, {"lic": LICENCE_EDITED})
    with app.app_context():
        assert (
            db.session.get(
                CommentAnchor, (comments["lic"], db.session.get(Document, doc.id).current_version.id)
            )
            is None
        )
        db.session.get(Comment, comments["lic"]).status = CommentStatus.OPEN
        db.session.commit()
    page = client.get("/d/ra").get_data(as_text=True)
    assert "<mark>bör tydligt ange vilken licens</mark>" in block_html(page, doc.block_uids["lic"])


def test_the_editors_card_marks_the_words_in_the_redline_or_says_they_changed(app, ed, doc, comments):
    edit_and_publish(ed, "ra", doc.block_uids, {"lic": LICENCE_EDITED, "rights": RIGHTS_EDITED})
    lic = ed.get(f"/d/ra/review/c/{comments['lic']}?v=2").get_data(as_text=True)
    paragraph = lic[lic.index('<p class="paragraph-text redline">') :]
    paragraph = paragraph[: paragraph.index("</p>")]
    # The changes since the comment, with the quoted words marked where they stand now.
    assert "Allt <del>publicerat </del>material <del>ska</del>" in paragraph
    assert (
        "<ins>som myndigheten publicerar <mark>bör</mark></ins><mark> tydligt ange vilken licens</mark> som gäller"
        in paragraph
    )
    assert "quote-lost" not in lic
    rights = ed.get(f"/d/ra/review/c/{comments['rights']}?v=2").get_data(as_text=True)
    assert "<mark>" not in rights[rights.index('<p class="paragraph-text redline">') :].split("</p>")[0]
    assert f'<p class="hint quote-lost">{CHANGED_SV}</p>' in rights
    dashboard = ed.get("/d/ra/v/2/review").get_data(as_text=True)
    assert (
        dashboard.count('class="hint quote-lost"') == 1
        and "<mark> tydligt ange vilken licens</mark>" in dashboard
    )


def test_the_working_draft_on_the_card_is_matched_too(app, ed, doc, comments):
    """The card shows the paragraph in the working draft when there is one: not a published text."""
    assert ed.post("/d/ra/draft/start", {"label": ""}).status_code == 302
    uid = doc.block_uids["lic"]
    form = ed.get(f"/d/ra/draft/b/{uid}").get_data(as_text=True)
    base = re.search(r'name="base_revision" (?:type="hidden" )?value="(\d+)"', form).group(1)
    moved = "Myndigheten ansvarar för licensen. Allt publicerat material ska tydligt ange vilken licens som gäller."
    ed.post(f"/d/ra/draft/b/{uid}", {"kind": "paragraph", "level": "1", "text": moved, "base_revision": base})
    card = ed.get(f"/d/ra/review/c/{comments['lic']}?v=1").get_data(as_text=True)
    assert "Stycket i arbetsutkastet" in card
    assert "material <mark>ska tydligt ange vilken licens</mark> som" in card


def test_the_reading_page_costs_the_same_queries_for_few_and_many_moved_quotes(
    app, client, factory, people, count_queries
):
    texts = [
        f"Stycke {i}: myndigheten ska ange licensen och källan för materialet nummer {i}." for i in range(12)
    ]
    counts = {}
    for slug, quoted in (("few", 1), ("many", 12)):
        document = factory.document(
            slug=slug, versions=[[(f"p{i}", "paragraph", 1, t) for i, t in enumerate(texts)]]
        )
        with app.app_context():
            for i in range(quoted):
                add_comment(
                    document, f"p{i}", people["maja"], body="Källa?", quote="ange licensen och källan"
                )
        editor = factory.user(
            email=f"ed-{slug}@prv.example", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV"
        )
        client.login(editor.email)
        edit_and_publish(
            client, slug, document.block_uids, {f"p{i}": "Nytt först. " + texts[i] for i in range(quoted)}
        )
        client.logout()
        client.login(people["maja"].email)  # a member: the whole page is built, never a visitor's cached copy
        page = client.get(f"/d/{slug}").get_data(as_text=True)
        assert page.count("<mark>ange licensen och källan</mark>") == quoted
        with count_queries() as statements:
            assert client.get(f"/d/{slug}").status_code == 200
        counts[slug] = len(statements)
        client.logout()
    assert counts["few"] == counts["many"]
