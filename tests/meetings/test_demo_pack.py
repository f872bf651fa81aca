"""The demo's meeting pack tells the story: comments on Utkast 1, decided in Utkast 2."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
import sqlalchemy as sa
from lxml import etree

from app.extensions import db
from app.meetings.models import ExportKind, Meeting
from app.meetings.operations import pack_files
from app.review.models import Comment, CommentStatus
from tests import office
from tests.meetings.ooxml import schema_problems, word_rule_problems

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
W14_PARA = "{http://schemas.microsoft.com/office/word/2010/wordml}paraId"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@pytest.fixture
def demo(app):
    """The seeded demo; yields the files of the meeting that presents Utkast 2 against Utkast 1."""
    from app.demo.seed import seed

    with app.app_context():
        seed()
        db.session.commit()
        meeting = db.session.scalar(
            sa.select(Meeting).order_by(Meeting.starts_at).where(Meeting.base_version_id.is_not(None))
        )
        assert (meeting.version.label, meeting.base_version.label) == ("Utkast 2", "Utkast 1")
        files = {kind: data for kind, _path, data in pack_files(meeting)}
        comments = db.session.scalars(
            sa.select(Comment).where(Comment.parent_id.is_(None)).order_by(Comment.number)
        ).all()
        facts = {
            "comments": [
                (c.number, c.version.label, c.status.value, c.response or "", c.organisation.name)
                for c in comments
            ],
            "all_packs": [
                [
                    data
                    for kind, _path, data in pack_files(m)
                    if kind in (ExportKind.TRACKED, ExportKind.CLEAN)
                ]
                for m in db.session.scalars(
                    sa.select(Meeting).where(Meeting.version_id.is_not(None)).order_by(Meeting.starts_at)
                )
            ],
        }
        yield files, facts


def test_demo_pack_lists_the_comments_on_utkast_1_with_decisions_and_responses(demo):
    files, facts = demo
    data = json.loads(files[ExportKind.JSON])
    rows = {r["number"]: r for r in data["comments"]}
    on_v1 = [c for c in facts["comments"] if c[1] == "Utkast 1"]
    on_v2 = [c for c in facts["comments"] if c[1] == "Utkast 2"]
    assert on_v1 and on_v2
    assert set(rows) == {c[0] for c in facts["comments"]}
    for number, _label, status, response, _org in on_v1:
        assert rows[number]["version"] == "Utkast 1"
        assert rows[number]["status"] == status
        assert rows[number]["response"] == response
        if status not in ("open", "withdrawn"):
            assert rows[number]["decided_in_version"] == "Utkast 2"
    # Every kind of decision is in the story.
    assert {c[2] for c in facts["comments"]} == {s.value for s in CommentStatus}

    document = docx.Document(io.BytesIO(files[ExportKind.TRACKED]))
    table = document.tables[-1]
    cells = {row.cells[0].text: row for row in table.rows}
    for number, _label, status, response, _org in on_v1:
        row = cells[str(number)]
        assert "Version Utkast 1" in row.cells[1].text
        if response:
            assert response in row.cells[7].text
        if status in ("accepted", "partly_accepted", "rejected", "noted"):
            assert "Beslutad i version Utkast 2" in row.cells[6].text


def test_demo_pack_has_word_threads_with_the_responses(demo):
    files, facts = demo
    with zipfile.ZipFile(io.BytesIO(files[ExportKind.TRACKED])) as z:
        comments = etree.fromstring(z.read("word/comments.xml"))
        extended = etree.fromstring(z.read("word/commentsExtended.xml"))
    text_of_para = {c.findall(w("p"))[-1].get(W14_PARA): "".join(c.itertext()) for c in comments}
    replies = {
        e.get(f"{{{W15}}}paraIdParent"): text_of_para[e.get(f"{{{W15}}}paraId")]
        for e in extended
        if e.get(f"{{{W15}}}paraIdParent")
    }
    threads = {text_of_para[parent].split(" ", 1)[0]: reply for parent, reply in replies.items()}
    decided = [c for c in facts["comments"] if c[2] not in ("open", "withdrawn")]
    for number, _label, _status, response, _org in decided:
        reply = threads.get(f"#{number}")
        # A comment on the paragraph Utkast 2 struck sits on the deleted text: still a thread.
        assert reply is not None, number
        assert response in reply
    done = {e.get(f"{{{W15}}}paraId"): e.get(f"{{{W15}}}done") for e in extended}
    for parent in replies:
        assert done[parent] == "1"
    authors = {c.get(w("author")) for c in comments}
    assert "Elin Redaktör (DIGG)" in authors
    assert "Maja Medlem (Samtrafiken)" in authors
    docx_comments = docx.Document(io.BytesIO(files[ExportKind.TRACKED])).comments
    assert len(list(docx_comments)) == len(comments)
    clean = docx.Document(io.BytesIO(files[ExportKind.CLEAN]))
    assert len(list(clean.comments)) == 0


def _marked(element) -> tuple[str, str]:
    """(struck text, underlined text) of *element*'s runs (a link's underline is its style's)."""
    struck, underlined = [], []
    for r in element.iter(w("r")):
        rpr, text = r.find(w("rPr")), "".join(t.text or "" for t in r.iter(w("t")))
        if rpr is not None and rpr.find(w("strike")) is not None:
            struck.append(text)
        if rpr is not None and rpr.find(w("u")) is not None:
            underlined.append(text)
    return " ".join("".join(struck).split()), " ".join("".join(underlined).split())


def test_demo_suggestions_read_as_their_word_diffs(demo):
    files, _facts = demo
    rows = json.loads(files[ExportKind.JSON])["comments"]
    cc0 = next(r for r in rows if r["quote"] == "bör alltid vara fria att använda")
    # The whole proposed paragraph and the text it was made on, as plain text.
    assert cc0["suggestion"].startswith("Vi rekommenderar CC0") and cc0["suggestion"].endswith(
        "annan licens."
    )
    assert cc0["suggestion_base"].endswith("bör alltid vara fria att använda.")
    with zipfile.ZipFile(io.BytesIO(files[ExportKind.TRACKED])) as z:
        body = etree.fromstring(z.read("word/document.xml"))
        comments = etree.fromstring(z.read("word/comments.xml"))
    table = body.findall(f".//{w('tbl')}")[-1]
    row = next(r for r in table.findall(w("tr")) if "".join(r.find(w("tc")).itertext()) == str(cc0["number"]))
    expected = (
        "alltid vara fria att använda",
        "märkas med CC0 även när själva datamängden har en annan licens",
    )
    assert _marked(row.findall(w("tc"))[5]) == expected
    thread = next(c for c in comments if "".join(c.itertext()).startswith(f"#{cc0['number']} "))
    assert _marked(thread) == expected
    # The open suggestion on Utkast 2 makes two changes in its paragraph: both are marked.
    contact = next(r for r in rows if r["version"] == "Utkast 2" and r["kind"] == "suggestion")
    row = next(
        r for r in table.findall(w("tr")) if "".join(r.find(w("tc")).itertext()) == str(contact["number"])
    )
    _struck, underlined = _marked(row.findall(w("tc"))[5])
    assert "om tillgänglighet" in underlined and "svara inom fem arbetsdagar" in underlined


def test_demo_summary_counts_equal_the_database(demo):
    files, facts = demo
    summary = json.loads(files[ExportKind.JSON])["summary"]
    statuses = [c[2] for c in facts["comments"]]
    assert summary["comments"] == len(statuses)
    assert summary["by_decision"] == {s: statuses.count(s) for s in summary["by_decision"]}
    assert sum(summary["by_decision"].values()) == len(statuses)
    orgs = [c[4] for c in facts["comments"]]
    assert {o["organisation"]: o["comments"] for o in summary["by_organisation"]} == {
        o: orgs.count(o) for o in orgs
    }
    # Utkast 2: four paragraphs edited, three added, one struck, one moved (content.py).
    assert summary["paragraphs"]["removed"] == 1
    assert summary["paragraphs"]["moved"] == 1
    assert summary["paragraphs"]["added"] >= 2
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(files[ExportKind.TRACKED])).paragraphs[:40])
    assert f"{summary['comments']} synpunkter från {len(summary['by_organisation'])} organisationer" in text


def test_every_demo_pack_is_valid_for_word(demo):
    _files, facts = demo
    packs = [data for pair in facts["all_packs"] for data in pair]
    # Three of the autumn's five meetings present the draft.
    assert len(packs) == 6
    for data in packs:
        assert schema_problems(data) == []
        assert word_rule_problems(data) == []


@pytest.mark.libreoffice
def test_libreoffice_pdf_of_the_demo_pack_shows_responses_and_contents(demo, tmp_path: Path):
    files, facts = demo
    path = tmp_path / "pack.docx"
    path.write_bytes(files[ExportKind.TRACKED])
    text = office.to_pdf_text(path, tmp_path)
    flat = " ".join(text.split())
    contents = flat.split("Innehåll", 1)[1][:2000]
    for entry in (
        "Sammanfattning",
        "Versionshistorik",
        "1 Om vägledningen",
        "2 Varför öppna licenser",
        "Sammanställning av inkomna synpunkter",
    ):
        assert entry in contents, entry
    for _number, _label, _status, response, _org in facts["comments"]:
        if response:
            # The first line of the cell: a row with a whole proposed paragraph may go on to the
            # next page, and the repeated header row then sits in the middle of its text.
            assert " ".join(response.split())[:25] in flat
    assert "Dagordning" in flat and "Genomgång av utkastet" in flat
