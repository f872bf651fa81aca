"""Applying a suggestion by merging it, through HTTP: the preview before anything is written, taking
changes one by one (partly accepted), the conflict view, the paragraph written by hand, and every
refusal changing nothing (issue 22, point 4)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.accounts.models import Role
from app.audit import AuditEvent
from app.documents.models import BlockKind, BlockRevision, Document
from app.extensions import db
from app.review.models import Comment, CommentKind, CommentStatus
from tests.browser.xss import payloads as corpus
from tests.conftest import add_comment
from tests.review.applying import form_fields
from tests.test_sanitising import active

FIRST = "Allt publicerat material ska tydligt ange vilken licens det har."
SECOND = "Licensen gäller även bilder och kartor."
THIRD = "Myndigheten ansvarar för att ange upphovspersonen."
BASE = f"{FIRST} {SECOND} {THIRD}"
# The member's proposal: two changes, in the first sentence and in the third.
PROPOSAL = (
    "Allt publicerat material bör tydligt ange vilken licens det har. "
    f"{SECOND} Myndigheten ansvarar för att namnge upphovspersonen."
)
# Another editor meanwhile rewrites the second sentence in the draft.
OTHERS = f"{FIRST} Licensen gäller också filmer. {THIRD}"


@pytest.fixture
def world(app, factory):
    """A document whose open version has the paragraph, a suggestion on it, a working draft."""
    editor = factory.user(email="erik@prv.example", roles=(Role.EDITOR, Role.MEMBER), organisation="PRV")
    member = factory.user(email="maja@example.org", organisation="Samtrafiken")
    doc = factory.document(
        slug="lic",
        editor=editor,
        versions=[[("h", "heading", 1, "Licenser"), ("p", "paragraph", 1, BASE), ("t", "table", 1, "a\tb")]],
    )
    with app.app_context():
        cid = add_comment(
            doc, "p", member, body="Tydligare.", kind=CommentKind.SUGGESTION, suggestion=PROPOSAL
        )
    return {"doc": doc, "editor": editor, "member": member, "cid": cid}


@pytest.fixture
def ed(make_client, world):
    client = make_client()
    client.login(world["editor"].email)
    assert client.post("/d/lic/draft/start", {"label": ""}).status_code == 302
    return client


def url(world, tail="") -> str:
    return f"/d/lic/review/c/{world['cid']}/apply{tail}"


def draft_text(app) -> str | None:
    """The text of the draft's one paragraph."""
    with app.app_context():
        document = db.session.scalar(sa.select(Document).where(Document.slug == "lic"))
        return db.session.scalar(
            sa.select(BlockRevision.text).where(
                BlockRevision.version_id == document.draft.id, BlockRevision.kind == BlockKind.PARAGRAPH
            )
        )


def the_comment(app, world) -> Comment:
    with app.app_context():
        comment = db.session.get(Comment, world["cid"])
        db.session.expunge(comment)
        return comment


def the_number(app, comment_id) -> int:
    with app.app_context():
        return db.session.get(Comment, comment_id).number


def applications(app, world) -> list[dict]:
    with app.app_context():
        return [
            e.data
            for e in db.session.scalars(
                sa.select(AuditEvent).where(
                    AuditEvent.object_id == world["cid"], AuditEvent.action == "suggestion.apply"
                )
            )
        ]


def rewrite(client, world, text: str) -> None:
    """Another editor saves the paragraph in the draft."""
    uid = world["doc"].block_uids["p"]
    current = client.get(f"/d/lic/draft/b/{uid}").text
    revision = re.search(r'name="base_revision" type="hidden" value="(\d+)"', current)
    revision = revision or re.search(r'name="base_revision" value="(\d+)"', current)
    saved = client.post(
        f"/d/lic/draft/b/{uid}",
        {"kind": "paragraph", "level": "1", "text": text, "base_revision": revision.group(1)},
    )
    assert saved.status_code == 302


def preview(client, world) -> tuple[str, dict]:
    page = client.get(url(world))
    assert page.status_code == 200
    return page.text, form_fields(page.text, "apply-choices")


def main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


# --------------------------------------------------------------------------- the preview


def test_the_preview_shows_the_paragraph_as_it_would_read_and_writes_nothing(app, ed, world):
    page, fields = preview(ed, world)
    assert "<h1>För in förslaget i #1</h1>" in page
    # The whole paragraph, the changes marked against the draft's text.
    assert "Allt publicerat material <del>ska</del><ins>bör</ins> tydligt ange vilken licens det har." in page
    assert "för att <del>ange</del><ins>namnge</ins> upphovspersonen" in page
    # Each change to take or leave, taken to begin with.
    assert 'id="take-1" data-change="1" aria-describedby="take-1-in" checked' in page
    assert "Ta med ändring 1: Byt ”ska” mot ”bör”" in page
    assert "Ta med ändring 2: Byt ”ange” mot ”namnge”" in page
    assert fields == {"back": [""], "revision": ["1"], "row_version": ["1"], "take": ["1", "2"]}
    assert "Uppdatera förhandsgranskningen" in page and "För in i utkastet" in page
    assert draft_text(app) == BASE and applications(app, world) == []


def test_the_editor_takes_one_change_and_leaves_the_other_after_another_editor_changed_a_sentence(
    app, ed, world, make_client
):
    other = make_client()
    other.login(world["editor"].email)
    rewrite(other, world, OTHERS)
    page, fields = preview(ed, world)
    # The preview is the draft as it is now (the other editor's sentence), with both changes.
    assert "Licensen gäller också filmer." in page and "<del>ska</del><ins>bör</ins>" in page
    fields["take"] = ["1"]
    # Leaving a change makes the comment partly accepted: a reason is asked for first.
    refused = ed.post(url(world), fields)
    assert refused.status_code == 400
    assert "Du lämnade bort några ändringar, så synpunkten blir delvis beaktad" in refused.text
    assert 'aria-invalid="true"' in refused.text
    # The page comes back as chosen: change 2 left.
    assert 'id="take-2" data-change="2" aria-describedby="take-2-in">' in refused.text
    assert draft_text(app) == OTHERS and the_comment(app, world).status is CommentStatus.OPEN

    fields["response"] = ["Vi tar första ändringen; upphovspersonen anges redan."]
    done = ed.post(url(world), fields)
    assert done.status_code == 302
    assert done.location.startswith(f"/d/lic/review/c/{world['cid']}")
    assert draft_text(app) == (
        "Allt publicerat material bör tydligt ange vilken licens det har. "
        "Licensen gäller också filmer. Myndigheten ansvarar för att ange upphovspersonen."
    )
    decided = the_comment(app, world)
    assert decided.status is CommentStatus.PARTLY_ACCEPTED
    assert decided.response == "Vi tar första ändringen; upphovspersonen anges redan."
    (event,) = applications(app, world)
    assert (event["taken"], event["left"], event["written"]) == ([1], [2], False)
    flash = ed.get(done.location).text
    assert (
        "1 av de 2 ändringar som föreslogs i #1 finns nu i arbetsutkastet och synpunkten är delvis beaktad."
        in flash
    )


def test_update_preview_without_script_shows_the_choice_and_writes_nothing(app, ed, world):
    _page, fields = preview(ed, world)
    fields["take"] = ["2"]
    fields["preview"] = ["1"]
    page = ed.post(url(world), fields)
    assert page.status_code == 200
    # Change 1 shown left (its "taken" form hidden), change 2 taken.
    assert (
        '<span data-option="taken" hidden><del>ska</del><ins>bör</ins></span><span data-option="left">ska</span>'
        in page.text
    )
    assert '<span data-option="taken"><del>ange</del><ins>namnge</ins></span>' in page.text
    assert 'id="take-1" data-change="1" aria-describedby="take-1-in">' in page.text
    assert draft_text(app) == BASE and applications(app, world) == []


def test_taking_no_change_is_refused_and_changes_nothing(app, ed, world):
    _page, fields = preview(ed, world)
    del fields["take"]
    refused = ed.post(url(world), fields)
    assert refused.status_code == 400
    assert (
        "Du lämnade bort alla ändringar, så det finns inget att föra in. Ingenting ändrades." in refused.text
    )
    assert draft_text(app) == BASE
    assert the_comment(app, world).status is CommentStatus.OPEN and applications(app, world) == []


def test_taking_every_change_accepts_the_comment(app, ed, world):
    _page, fields = preview(ed, world)
    assert ed.post(url(world), fields).status_code == 302
    assert draft_text(app) == PROPOSAL
    assert the_comment(app, world).status is CommentStatus.ACCEPTED
    (event,) = applications(app, world)
    assert (event["taken"], event["left"], event["revision"]) == ([1, 2], [], 1)


# --------------------------------------------------------------------------- conflicts


def test_an_overlapping_change_opens_the_conflict_view_and_nothing_changes_until_the_editor_chooses(
    app, ed, world, make_client
):
    other = make_client()
    other.login(world["editor"].email)
    ours = "Allt publicerat material måste tydligt ange vilken licens det har."
    rewrite(other, world, f"{ours} {SECOND} {THIRD}")
    page, fields = preview(ed, world)
    assert "<h1>Lös konflikten: förslaget i #1</h1>" in page
    # The three texts: made on, proposed, the draft now.
    assert "När synpunkten lämnades (version" in page and f'<p class="paragraph-text">{BASE}</p>' in page
    assert "<del>ska</del><ins>bör</ins>" in page and "<del>ska</del><ins>måste</ins>" in page
    assert "Ändring 1 ingår i konflikt 1, nedan" in page
    assert (
        'Behåll utkastets text: Allt publicerat material <strong class="merge-stretch">måste</strong>' in page
    )
    assert 'Ta förslagets text: Allt publicerat material <strong class="merge-stretch">bör</strong>' in page
    assert "[konflikt 1: inte vald än]" in page
    assert "conflict-1" not in fields  # nothing chosen for the editor
    # Applying without a choice changes nothing.
    refused = ed.post(url(world), fields)
    assert refused.status_code == 400
    assert "Välj utkastets text eller förslagets för varje konflikt" in refused.text
    assert 'id="conflict-1-error">Välj vilken text som ska stå kvar.' in refused.text
    assert draft_text(app) == f"{ours} {SECOND} {THIRD}"
    assert the_comment(app, world).status is CommentStatus.OPEN and applications(app, world) == []
    # Keeping the draft's text there and taking change 2: partly accepted.
    fields.update({"conflict-1": "draft", "response": "Vi behåller ”måste”."})
    assert ed.post(url(world), fields).status_code == 302
    assert draft_text(app) == f"{ours} {SECOND} Myndigheten ansvarar för att namnge upphovspersonen."
    assert the_comment(app, world).status is CommentStatus.PARTLY_ACCEPTED
    (event,) = applications(app, world)
    assert (event["taken"], event["left"], event["conflicts"]) == ([2], [1], {"1": "draft"})


def test_choosing_the_suggestions_text_in_the_conflict_takes_it(app, ed, world, make_client):
    other = make_client()
    other.login(world["editor"].email)
    rewrite(
        other, world, f"Allt publicerat material måste tydligt ange vilken licens det har. {SECOND} {THIRD}"
    )
    _page, fields = preview(ed, world)
    fields["conflict-1"] = "proposal"
    assert ed.post(url(world), fields).status_code == 302
    assert draft_text(app) == PROPOSAL
    assert the_comment(app, world).status is CommentStatus.ACCEPTED


def test_the_paragraph_written_by_hand(app, ed, world, make_client):
    other = make_client()
    other.login(world["editor"].email)
    now = f"Allt publicerat material måste tydligt ange vilken licens det har. {SECOND} {THIRD}"
    rewrite(other, world, now)
    page = ed.get(url(world, "/write"))
    assert page.status_code == 200
    # It starts as the draft's text with the change that does not conflict.
    assert "Myndigheten ansvarar för att namnge upphovspersonen.</textarea>" in page.text
    token_fields = {"revision": "2", "row_version": "1", "back": ""}
    written = "Allt publicerat material **bör** tydligt ange licensen. Licensen gäller även bilder."
    shown = ed.post(url(world, "/write"), {**token_fields, "text": written, "preview": "1"})
    assert shown.status_code == 200
    assert "<del>måste</del><ins><strong>bör</strong></ins>" in shown.text
    assert draft_text(app) == now
    # Not the whole suggestion: a reason is needed.
    refused = ed.post(url(world, "/write"), {**token_fields, "text": written})
    assert refused.status_code == 400 and "Din text är inte hela förslaget" in refused.text
    # The draft's text as it is: nothing to apply.
    same = ed.post(url(world, "/write"), {**token_fields, "text": now, "response": "x"})
    assert same.status_code == 400 and "det finns inget att föra in" in same.text
    assert draft_text(app) == now
    done = ed.post(url(world, "/write"), {**token_fields, "text": written, "response": "Omskrivet."})
    assert done.status_code == 302
    assert draft_text(app) == (
        "Allt publicerat material <strong>bör</strong> tydligt ange licensen. Licensen gäller även bilder."
    )
    assert the_comment(app, world).status is CommentStatus.PARTLY_ACCEPTED
    (event,) = applications(app, world)
    assert event["written"] is True


# --------------------------------------------------------------------------- stale posts and refusals


def test_a_draft_changed_since_the_preview_is_409_with_the_new_preview_and_nothing_applied(
    app, ed, world, make_client
):
    _page, fields = preview(ed, world)
    other = make_client()
    other.login(world["editor"].email)
    rewrite(other, world, OTHERS)
    response = ed.post(url(world), fields)
    assert response.status_code == 409
    assert (
        "Stycket i utkastet eller förslaget har ändrats sedan du såg förhandsgranskningen." in response.text
    )
    assert "Licensen gäller också filmer." in response.text
    assert draft_text(app) == OTHERS and applications(app, world) == []
    # The page now names the new revision: applying from it works.
    again = form_fields(response.text, "apply-choices")
    assert again["revision"] == ["2"]
    assert ed.post(url(world), again).status_code == 302
    assert draft_text(app) == (
        "Allt publicerat material bör tydligt ange vilken licens det har. "
        "Licensen gäller också filmer. Myndigheten ansvarar för att namnge upphovspersonen."
    )


def test_a_suggestion_decided_meanwhile_is_409_and_nothing_applied(app, ed, world, make_client):
    _page, fields = preview(ed, world)
    other = make_client()
    other.login(world["editor"].email)
    decided = other.post(f"/d/lic/review/c/{world['cid']}", {"status": "noted", "row_version": "1"})
    assert decided.status_code == 302
    response = ed.post(url(world), fields)
    assert response.status_code == 409
    assert draft_text(app) == BASE and applications(app, world) == []
    assert the_comment(app, world).status is CommentStatus.NOTED


@pytest.mark.parametrize("missing", ["revision", "row_version"])
def test_a_post_without_what_was_shown_is_refused(app, ed, world, missing):
    _page, fields = preview(ed, world)
    del fields[missing]
    assert ed.post(url(world), fields).status_code == 400
    assert ed.post(url(world, "/write"), {"text": "Något.", "response": "x"}).status_code == 400
    assert draft_text(app) == BASE


def test_refusals_say_why_and_change_nothing(app, ed, world, make_client, factory):
    # A table: not merged, the editor edits it.
    with app.app_context():
        table = add_comment(
            world["doc"],
            "t",
            world["member"],
            body="Tabell.",
            kind=CommentKind.SUGGESTION,
            suggestion="a b c",
        )
    refused = ed.get(f"/d/lic/review/c/{table}/apply")
    assert refused.status_code == 409
    assert "Förslag till en tabell slås inte ihop" in refused.text
    board = ed.get("/d/lic/v/1/review").text
    card = board[board.index(f'id="c-{the_number(app, table)}"') :]
    card = card[: card.index("</li>")]
    assert "Förslag till en tabell förs in för hand i utkastet." in card and "apply-form" not in card
    # Withdrawn by its author.
    author = make_client()
    author.login(world["member"].email)
    _page, fields = preview(ed, world)
    assert author.post(f"/comments/{world['cid']}/withdraw").status_code == 302
    for method in ("get", "post"):
        response = ed.get(url(world)) if method == "get" else ed.post(url(world), fields)
        assert response.status_code == 409 and "dragit tillbaka" in response.text
    assert draft_text(app) == BASE and applications(app, world) == []


def test_a_paragraph_gone_from_the_draft_and_an_applied_suggestion_are_refused(app, ed, world):
    _page, fields = preview(ed, world)
    assert ed.post(url(world), fields).status_code == 302
    again = ed.post(url(world), fields)
    assert again.status_code == 409 and "Förslaget är redan infört i arbetsutkastet" in again.text
    assert ed.get(url(world)).status_code == 409
    assert len(applications(app, world)) == 1
    uid = world["doc"].block_uids["p"]
    assert ed.post(f"/d/lic/draft/b/{uid}/remove", {"base_revision": "2"}).status_code == 302
    with app.app_context():
        other = add_comment(
            world["doc"], "p", world["member"], body="Igen.", kind=CommentKind.SUGGESTION, suggestion=FIRST
        )
    gone = ed.get(f"/d/lic/review/c/{other}/apply")
    assert gone.status_code == 409 and "finns inte längre i utkastet" in gone.text


def test_hostile_markup_in_a_suggestion_and_a_written_paragraph_stays_inert(app, ed, world):
    payloads = corpus()
    with app.app_context():
        hostile = add_comment(
            world["doc"],
            "p",
            world["member"],
            body="Elakt.",
            kind=CommentKind.SUGGESTION,
            suggestion=BASE + " " + " ".join(payloads[:60]),
        )
    page = ed.get(f"/d/lic/review/c/{hostile}/apply")
    assert page.status_code == 200
    assert active(main(page.text)) == []
    written = ed.get(f"/d/lic/review/c/{hostile}/apply/write")
    assert active(main(written.text)) == []
    shown = ed.post(
        f"/d/lic/review/c/{hostile}/apply/write",
        {"revision": "1", "row_version": "1", "text": " ".join(payloads[60:120]), "preview": "1"},
    )
    assert shown.status_code == 200 and active(main(shown.text)) == []
    done = ed.post(
        f"/d/lic/review/c/{hostile}/apply/write",
        {"revision": "1", "row_version": "1", "text": " ".join(payloads[60:120]), "response": "Nej."},
    )
    assert done.status_code == 302
    assert active(draft_text(app)) == []
