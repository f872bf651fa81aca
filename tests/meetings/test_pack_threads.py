"""Issue 23, point 4: members' replies reach the meeting, and the pack reads right in its language.

Replies of a thread are Word replies (before the editors' decision) and are in the CSV and
JSON; a Word comment's initials are initials; the pack's own style names are in the pack's
language; every count takes its plural form in both languages; the footer is one line.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree

from app.docx.comments import initials
from app.meetings.pack import PackBlock, write_pack
from app.responses.pack import PackResponse
from app.review.compilation import PackComment, PackReply, compilation_csv, compilation_json, labels
from tests import office
from tests.meetings.ooxml import schema_problems, word_rule_problems
from tests.meetings.test_docx_writer import CHANGED, EDITOR, make_pack

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
SHOTS = Path("/tmp/shots/i23-pack")


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


REPLIES = (
    PackReply("Maja Medlem", "Samtrafiken", "Jag håller med.\nOch mer.", CHANGED + timedelta(hours=1)),
    PackReply("Olle Öst", "PRV", "Inte jag.", CHANGED + timedelta(hours=2), withdrawn=True),
    PackReply(
        "Dold Dahl", "DIGG", "", CHANGED + timedelta(hours=3), hidden=True, hidden_reason="Personuppgifter."
    ),
)


def replied_pack(**changes):
    """The writer's test pack with replies on #3 (decided) and #1 (open)."""
    pack = make_pack()
    comments = [
        replace(c, replies=REPLIES)
        if c.number == 3
        else replace(c, replies=REPLIES[:1])
        if c.number == 1
        else c
        for c in pack.comments
    ]
    return replace(pack, comments=comments, **changes)


def _thread(data: bytes, number: int) -> list[tuple[str, str, str, str]]:
    """(author, initials, text, parent paraId) of #*number*'s thread, in comments.xml order."""
    comments = list(_part(data, "word/comments.xml").iter(w("comment")))
    parents = {
        e.get(f"{{{W15}}}paraId"): e.get(f"{{{W15}}}paraIdParent") or ""
        for e in _part(data, "word/commentsExtended.xml")
    }
    rows = []
    for c in comments:
        para = c.find(w("p")).get(f"{{{W14}}}paraId")
        rows.append((c.get(w("author")), c.get(w("initials")), "".join(c.itertext()), parents[para], para))
    root = next(r for r in rows if r[2].startswith(f"#{number} "))
    return [r[:4] for r in rows if r is root or r[3] == root[4]]


def test_replies_are_word_replies_before_the_decision():
    data = write_pack(replied_pack())
    thread = _thread(data, 3)
    root_para = None
    authors = [row[0] for row in thread]
    assert authors == [
        "Cia Ceder (Lunds kommun)",
        "Maja Medlem (Samtrafiken)",
        "Olle Öst (PRV)",
        "Dold Dahl (DIGG)",
        EDITOR,
    ]
    assert "Jag håller med." in thread[1][2] and "Och mer." in thread[1][2]
    assert thread[2][2].endswith("Inte jag.(Återkallad)")  # withdrawn, still on record
    assert "Personuppgifter." in thread[3][2]  # hidden: the moderator's reason, not the text
    assert thread[4][2].startswith("Beslut: Beaktad")
    root_para = next(
        c.find(w("p")).get(f"{{{W14}}}paraId")
        for c in _part(data, "word/comments.xml").iter(w("comment"))
        if "".join(c.itertext()).startswith("#3 ")
    )
    assert all(row[3] == root_para for row in thread[1:])  # each reply threads on the comment
    # An open comment's replies are there too, with no decision after them.
    open_thread = _thread(data, 1)
    assert [row[0] for row in open_thread] == ["Anna Andersson (PRV)", "Maja Medlem (Samtrafiken)"]
    # The body holds a range and a reference for every reply, and the file stays valid.
    assert schema_problems(data) == [] and word_rule_problems(data) == []


def test_initials_are_initials():
    assert initials("Maja Medlem") == "MM"
    assert initials("Anna-Karin Öberg") == "AKÖ"
    assert initials("  eva   redaktör ") == "ER"
    assert initials("Redaktionen") == "R"
    assert initials("") == ""
    data = write_pack(replied_pack())
    thread = _thread(data, 3)
    assert [row[1] for row in thread] == ["CC", "MM", "OÖ", "DD", "ER"]


def test_replies_are_in_the_csv_and_json():
    comments = replied_pack().comments
    strings = labels("sv")
    table = list(csv.reader(io.StringIO(compilation_csv(comments, strings).decode("utf-8-sig"))))
    header = table[0]
    assert "Svar i tråden" in header
    column = header.index("Svar i tråden")
    row = next(r for r in table[1:] if r[0] == "3")
    assert row[column].splitlines() == [
        "Maja Medlem (Samtrafiken), 2025-03-01 11:30: Jag håller med. Och mer.",
        "Olle Öst (PRV), 2025-03-01 12:30: Inte jag. (Återkallad)",
        "Dold Dahl (DIGG), 2025-03-01 13:30: Dold av moderator. Skäl: Personuppgifter.",
    ]
    data = json.loads(compilation_json(comments, strings))
    by_number = {c["number"]: c for c in data["comments"]}
    assert by_number[3]["replies"][0] == {
        "author": "Maja Medlem",
        "organisation": "Samtrafiken",
        "body": "Jag håller med.\nOch mer.",
        "created_at": "2025-03-01T10:30:00Z",
        "hidden": False,
        "hidden_reason": None,
        "withdrawn": False,
    }
    assert by_number[3]["replies"][2]["body"] == "Dold av moderator. Skäl: Personuppgifter."
    assert by_number[2]["replies"] == []


STYLE_NAMES = {
    "sv": {
        "PackHeading": "Underlag – rubrik",
        "PackSubheading": "Underlag – underrubrik",
        "PackTableText": "Underlag – tabelltext",
        "PackAgenda": "Underlag – dagordning",
    },
    "en": {
        "PackHeading": "Pack – heading",
        "PackSubheading": "Pack – subheading",
        "PackTableText": "Pack – table text",
        "PackAgenda": "Pack – agenda",
    },
}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_packs_own_style_names_are_in_its_language(language):
    styles = _part(write_pack(make_pack(language=language)), "word/styles.xml")
    names = {
        s.get(w("styleId")): s.find(w("name")).get(w("val"))
        for s in styles.iter(w("style"))
        if s.get(w("customStyle")) == "1"
    }
    assert {key: names[key] for key in STYLE_NAMES[language]} == STYLE_NAMES[language]
    # The template's own custom styles too: Swedish Word lists "Rubrik 1 Char", not "Heading 1 Char".
    if language == "sv":
        assert names["Heading1Char"] == "Rubrik 1 Char" and names["FooterChar"] == "Sidfot Char"
        assert not [n for n in names.values() if any(e in n for e in ("Heading", "Header", "Footer", "Pack"))]
    else:
        assert names["Heading1Char"] == "Heading 1 Char"


def _changes(n: int) -> list[PackBlock]:
    """*n* blocks each changed, added, removed and moved (one of them moved)."""
    blocks = [PackBlock("h", "heading", 1, "Rubrik", old_index=0)]
    for i in range(n):
        blocks += [
            PackBlock(f"c{i}", "paragraph", 1, "Ändrat.", status="modified", old_index=1 + 4 * i),
            PackBlock(f"a{i}", "paragraph", 1, "Tillagt.", status="added"),
            PackBlock(f"r{i}", "paragraph", 1, "Struket.", status="removed", old_index=2 + 4 * i),
            PackBlock(f"m{i}", "paragraph", 1, "Flyttat.", status="moved", moved=True, old_index=3 + 4 * i),
        ]
    return blocks


def _comments(n: int) -> list[PackComment]:
    return [
        PackComment(i, "h", "1", "1 Rubrik", f"Org {i}", f"Person {i}", "Text.", "0.1", CHANGED)
        for i in range(1, n + 1)
    ]


def _responses(n: int) -> list[PackResponse]:
    return [PackResponse(f"Org {i}", position="Tillstyrker", submitted_at=CHANGED) for i in range(1, n + 1)]


PLURALS = {
    ("sv", 0): (
        "0 synpunkter från 0 organisationer. Sedan version 0.1: 0 stycken ändrade, 0 tillagda, "
        "0 strukna och 0 flyttade.",
        None,
    ),
    ("sv", 1): (
        "1 synpunkt från 1 organisation. Sedan version 0.1: 1 stycke ändrat, 1 tillagt, 1 struket och 1 flyttat.",
        "1 av 1 remissinstans har svarat på version 0.2.",
    ),
    ("sv", 2): (
        "2 synpunkter från 2 organisationer. Sedan version 0.1: 2 stycken ändrade, 2 tillagda, "
        "2 strukna och 2 flyttade.",
        "2 av 2 remissinstanser har svarat på version 0.2.",
    ),
    ("en", 0): (
        "0 comments from 0 organisations. Since version 0.1: 0 paragraphs changed, 0 added, 0 removed and 0 moved.",
        None,
    ),
    ("en", 1): (
        "1 comment from 1 organisation. Since version 0.1: 1 paragraph changed, 1 added, 1 removed and 1 moved.",
        "1 of 1 consulted organisation answered version 0.2.",
    ),
    ("en", 2): (
        "2 comments from 2 organisations. Since version 0.1: 2 paragraphs changed, 2 added, 2 removed and 2 moved.",
        "2 of 2 consulted organisations answered version 0.2.",
    ),
}


@pytest.mark.parametrize(("language", "n"), list(PLURALS))
def test_every_count_of_the_summary_takes_its_plural_form(language, n):
    pack = make_pack(language=language, blocks=_changes(n), comments=_comments(n), responses=_responses(n))
    body = _part(write_pack(pack), "word/document.xml")
    texts = ["".join(t.text or "" for t in p.iter(w("t"))) for p in body.iter(w("p"))]
    summary, answered = PLURALS[(language, n)]
    assert summary in texts
    if answered:
        assert answered in texts


LONG_TITLE = (
    "Vägledning om öppna licenser och immateriella rättigheter för myndigheter, kommuner och regioner "
    "som vill dela sitt material med andra"
)


def test_the_footer_is_short_enough_for_one_line():
    data = write_pack(make_pack(document_title=LONG_TITLE))
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        name = next(n for n in package.namelist() if n.startswith("word/footer"))
    footer = _part(data, name)
    text = "".join(t.text or "" for t in footer.iter(w("t")))
    # 9 pt at most, and no more characters than a 16 cm line holds at that size.
    style = next(
        s for s in _part(data, "word/styles.xml").iter(w("style")) if s.get(w("styleId")) == "Footer"
    )
    size = style.find(f"{w('rPr')}/{w('sz')}")
    assert size is not None and int(size.get(w("val"))) <= 18
    assert len(text) <= 95, text
    assert text.startswith("Vägledning om öppna licenser") and text.endswith("Sida 1")
    assert "…" in text  # the title was shortened, never the version or the page number


@pytest.mark.libreoffice
def test_libreoffice_shows_the_thread_and_a_one_line_footer(tmp_path):
    office.require("soffice", "pdftotext")
    source = tmp_path / "pack.docx"
    source.write_bytes(write_pack(replied_pack(document_title=LONG_TITLE)))
    pdf = office.convert(source, "pdf", tmp_path / "out")
    text = office.pdf_text(pdf, layout=True)
    pages = text.split("\f")
    # The footer of a portrait page (the cover has none): the last non-empty line holds all of it.
    portrait = pages[1]
    last = [line for line in portrait.splitlines() if line.strip()][-1]
    assert "Sida 2" in last and "Vägledning om öppna licenser" in last, last
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "pack-threads.pdf").write_bytes(pdf.read_bytes())
